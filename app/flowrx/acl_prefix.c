/* SPDX-License-Identifier: BSD-3-Clause */
/* Exporter ACL prefixes as text ("192.0.2.0/24", "2001:db8::/32"): the part
 * of the ACL that needs no DPDK, so the configuration parser that uses it
 * can be fuzzed on its own (tests/fuzz/fuzz_config.c). */
#include "acl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "flowrec.h"

int
frx_acl_parse_prefix(const char *text, struct frx_acl_prefix *p)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	unsigned long depth;
	char *end;

	if (strlen(text) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (frx_addr_parse(buf, p->addr) < 0)
		return -EINVAL;
	p->is_v6 = !frx_addr_is_v4(p->addr);
	if (slash) {
		depth = strtoul(slash + 1, &end, 10);
		if (*end || end == slash + 1 || depth > (p->is_v6 ? 128u : 32u))
			return -EINVAL;
	} else {
		depth = p->is_v6 ? 128 : 32;
	}
	p->depth = (uint8_t)depth;
	return 0;
}
