/* SPDX-License-Identifier: BSD-3-Clause */
/* The reader's interface-name map. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "ifmap.h"

static struct frx_ifname
entry(const char *addr, uint32_t domain, uint32_t ifindex, const char *name)
{
	struct frx_ifname e;

	memset(&e, 0, sizeof(e));
	frx_addr_parse(addr, e.exporter_addr);
	e.domain = domain;
	e.ifindex = ifindex;
	e.name_len = (uint8_t)strlen(name);
	memcpy(e.name, name, e.name_len);
	return e;
}

Test(ifmap, lookup_by_exporter_domain_and_ifindex)
{
	struct frx_ifmap *m = frx_ifmap_create();
	struct frx_ifname e[3] = { entry("192.0.2.1", 0, 3, "Gi0/3"), entry("192.0.2.1", 1, 3, "other domain"),
				   entry("2001:db8::1", 0, 3, "v6 exporter") };
	uint8_t a[16];

	cr_assert_eq(frx_ifmap_add_block(m, e, 3), 0);
	frx_addr_parse("192.0.2.1", a);
	cr_assert_str_eq(frx_ifmap_lookup(m, a, 0, 3), "Gi0/3");
	cr_assert_str_eq(frx_ifmap_lookup(m, a, 1, 3), "other domain");
	cr_assert_null(frx_ifmap_lookup(m, a, 0, 4));
	frx_addr_parse("2001:db8::1", a);
	cr_assert_str_eq(frx_ifmap_lookup(m, a, 0, 3), "v6 exporter");
	frx_ifmap_free(m);
}

Test(ifmap, later_blocks_replace_names_and_the_map_grows)
{
	struct frx_ifmap *m = frx_ifmap_create();
	struct frx_ifname e;
	uint8_t a[16];
	char name[16];

	for (uint32_t i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "if%u", i);
		e = entry("192.0.2.1", 0, i, name);
		cr_assert_eq(frx_ifmap_add_block(m, &e, 1), 0);
	}
	e = entry("192.0.2.1", 0, 500, "renamed");
	frx_ifmap_add_block(m, &e, 1);
	cr_assert_eq(frx_ifmap_size(m), 1000);
	frx_addr_parse("192.0.2.1", a);
	cr_assert_str_eq(frx_ifmap_lookup(m, a, 0, 999), "if999");
	cr_assert_str_eq(frx_ifmap_lookup(m, a, 0, 500), "renamed");
	/* a full 64-byte name is not NUL-terminated on disk */
	e = entry("192.0.2.1", 0, 1, "");
	memset(e.name, 'x', sizeof(e.name));
	e.name_len = 64;
	frx_ifmap_add_block(m, &e, 1);
	cr_assert_eq(strlen(frx_ifmap_lookup(m, a, 0, 1)), 64);
	frx_ifmap_free(m);
}
