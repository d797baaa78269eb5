/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The collector's rules engine (app/flowrx/rules_acl.c: rte_acl + hyperscan)
 * on crafted records, and against the reference matcher on random ones.
 * Each test runs its own DPDK instance (criterion forks per test).
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_memory.h>

#include "flowrec.h"
#include "rules.h"
#include "rules_acl.h"

static struct frx_rules_engine *eng;
static char runtime_dir[512];

static void
setup(void)
{
	char prefix[64];
	char *argv[] = { "test_rules_acl", "-l", "0", "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
			 "--no-telemetry", "--file-prefix", prefix, "--log-level", "lib.eal:error", NULL };

	snprintf(prefix, sizeof(prefix), "frx-test-acl-%d", (int)getpid());
	cr_assert(rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) >= 0, "EAL init");
	snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
}

static void
teardown(void)
{
	DIR *d;
	struct dirent *e;

	frx_rules_engine_free(eng);
	eng = NULL;
	rte_eal_cleanup();
	d = opendir(runtime_dir);
	if (d != NULL) {
		while ((e = readdir(d)) != NULL) {
			char path[1024];

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", runtime_dir, e->d_name);
			unlink(path);
		}
		closedir(d);
		rmdir(runtime_dir);
	}
}

TestSuite(rules_acl, .init = setup, .fini = teardown);

static void
build(const char *text)
{
	struct frx_ruleset *rs;
	char err[512];

	cr_assert_eq(frx_rules_parse_string(text, strlen(text), "t.ini", &rs, err, sizeof(err)), 0, "%s", err);
	eng = frx_rules_engine_create(rs, 2, SOCKET_ID_ANY, 1, err, sizeof(err));
	cr_assert_not_null(eng, "%s", err);
}

static struct frx_flowrec
rec(const char *src, const char *dst, uint16_t sport, uint16_t dport, uint8_t proto)
{
	struct frx_flowrec r;

	memset(&r, 0, sizeof(r));
	cr_assert_eq(frx_addr_parse(src, r.src_addr), 0);
	cr_assert_eq(frx_addr_parse(dst, r.dst_addr), 0);
	cr_assert_eq(frx_addr_parse("192.0.2.1", r.exporter_addr), 0);
	if (!frx_addr_is_v4(r.src_addr))
		r.flags |= FRX_REC_F_IPV6;
	r.src_port = sport;
	r.dst_port = dport;
	r.proto = proto;
	r.bytes = 100;
	return r;
}

/* Class the engine gives one record (worker 0), -1 if it dropped it. */
static int
classify(struct frx_flowrec r, const char *application)
{
	struct frx_recstr entry;
	struct frx_strtab st = { .e = &entry, .capacity = 1 };
	uint64_t dropped = 0;
	uint32_t kept;

	if (application)
		frx_strtab_push(&st, &r, FRX_STR_APPLICATION, (const uint8_t *)application, (uint32_t)strlen(application));
	kept = frx_rules_engine_run(eng, 0, &r, 1, &st, NULL, &dropped);
	cr_assert_eq(kept + dropped, 1);
	return kept ? r.class_id : -1;
}

Test(rules_acl, overlapping_prefixes_priorities_and_file_order)
{
	build("[rule wide]\npriority = 1\nsrc = 10.0.0.0/8\naction = class 1\n"
	      "[rule narrow]\npriority = 5\nsrc = 10.1.0.0/16\naction = class 2\n"
	      "[rule narrower-low]\nsrc = 10.1.2.0/24\naction = drop\n"
	      "[rule same-prio-later]\npriority = 5\nsrc = 10.1.0.0/16\naction = class 3\n");
	cr_assert_eq(classify(rec("10.1.2.3", "1.1.1.1", 1, 2, 6), NULL), 2);
	cr_assert_eq(classify(rec("10.2.0.1", "1.1.1.1", 1, 2, 6), NULL), 1);
	cr_assert_eq(classify(rec("11.0.0.1", "1.1.1.1", 1, 2, 6), NULL), 0);
}

Test(rules_acl, port_range_edges)
{
	build("[rule high]\nsrc_port = 1024-65535\ndst_port = 443\naction = class 3\n");
	cr_assert_eq(classify(rec("10.0.0.1", "10.0.0.2", 1024, 443, 6), NULL), 3);
	cr_assert_eq(classify(rec("10.0.0.1", "10.0.0.2", 65535, 443, 6), NULL), 3);
	cr_assert_eq(classify(rec("10.0.0.1", "10.0.0.2", 1023, 443, 6), NULL), 0);
	cr_assert_eq(classify(rec("10.0.0.1", "10.0.0.2", 2000, 442, 6), NULL), 0);
	cr_assert_eq(classify(rec("10.0.0.1", "10.0.0.2", 2000, 444, 6), NULL), 0);
}

Test(rules_acl, ipv6_and_ipv4_layouts_stay_apart)
{
	build("[rule v6]\nsrc = 2001:db8::/32\ndst = 2001:db8:53::/48\naction = class 6\n"
	      "[rule any6]\npriority = -1\ndst = ::/0\naction = class 9\n"
	      "[rule v4]\npriority = -2\nsrc = 0.0.0.0/0\naction = class 4\n");
	cr_assert_eq(classify(rec("2001:db8:5::1", "2001:db8:53::1", 1, 2, 17), NULL), 6);
	cr_assert_eq(classify(rec("2001:db8:5::1", "2001:db8:54::1", 1, 2, 17), NULL), 9);
	cr_assert_eq(classify(rec("10.0.0.1", "10.0.0.2", 1, 2, 17), NULL), 4);
}

Test(rules_acl, exporter_proto_tos_flags_interfaces_and_as)
{
	struct frx_flowrec r = rec("10.0.0.1", "10.0.0.2", 1, 2, 17);

	build("[rule e]\nexporter = 192.0.2.0/30\nproto = udp\naction = class 1\n"
	      "[rule f]\ntcp_flags = S/SA\naction = class 2\n"
	      "[rule t]\ntos = 0xb8\naction = class 3\n"
	      "[rule i]\nin_if = 5-6\nout_if = 9\naction = class 4\n"
	      "[rule a]\nsrc_as = 65000\ndst_as = 1-10\naction = class 5\n");
	cr_assert_eq(classify(r, NULL), 1);
	cr_assert_eq(frx_addr_parse("192.0.2.4", r.exporter_addr), 0);
	cr_assert_eq(classify(r, NULL), 0);
	r.proto = 6;
	r.tcp_flags = 0x0a;
	cr_assert_eq(classify(r, NULL), 2);
	r.tcp_flags = 0x12;
	cr_assert_eq(classify(r, NULL), 0);
	r.tos = 0xb8;
	cr_assert_eq(classify(r, NULL), 3);
	r.tos = 0;
	r.in_if = 5;
	r.out_if = 9;
	cr_assert_eq(classify(r, NULL), 4);
	r.in_if = 7;
	cr_assert_eq(classify(r, NULL), 0);
	r.src_as = 65000;
	r.dst_as = 1;
	cr_assert_eq(classify(r, NULL), 5);
}

Test(rules_acl, string_rules_before_and_after_numeric_ones)
{
	build("[rule streaming]\npriority = 9\napplication = ~ /netflix|youtube/i\naction = class 7\n"
	      "[rule web]\npriority = 5\ndst_port = 443\naction = class 3\n"
	      "[rule dns-literal]\npriority = 1\napplication = dns\naction = class 8\n");
	cr_assert_eq(classify(rec("10.0.0.1", "10.0.0.2", 1, 443, 6), "YouTube"), 7);
	cr_assert_eq(classify(rec("10.0.0.1", "10.0.0.2", 1, 443, 6), "dns"), 3, "the numeric rule comes first");
	cr_assert_eq(classify(rec("10.0.0.1", "10.0.0.2", 1, 53, 17), "dns"), 8);
	cr_assert_eq(classify(rec("10.0.0.1", "10.0.0.2", 1, 53, 17), "dnsx"), 0, "a literal is the whole string");
	cr_assert_eq(classify(rec("10.0.0.1", "10.0.0.2", 1, 53, 17), NULL), 0);
}

Test(rules_acl, drops_leave_the_block_in_order_and_every_record_is_counted)
{
	struct frx_flowrec r[6];
	struct frx_rule_counter c;
	uint64_t dropped = 0;
	uint32_t kept;

	build("[rule d]\ndst_port = 53\naction = drop\n[rule k]\ndst_port = 80\naction = keep\n");
	for (int i = 0; i < 6; i++) {
		r[i] = rec("10.0.0.1", "10.0.0.2", (uint16_t)(100 + i), i % 2 ? 53 : 80, 17);
		r[i].bytes = 10u * (uint64_t)(i + 1);
	}
	r[4].dst_port = 99;
	kept = frx_rules_engine_run(eng, 1, r, 6, NULL, NULL, &dropped);
	cr_assert_eq(kept, 3);
	cr_assert_eq(dropped, 3);
	cr_assert_eq(r[0].src_port, 100);
	cr_assert_eq(r[1].src_port, 102);
	cr_assert_eq(r[2].src_port, 104);
	frx_rules_engine_counter(eng, 0, &c);
	cr_assert_eq(c.records, 3);
	cr_assert_eq(c.bytes, 20 + 40 + 60);
	frx_rules_engine_counter(eng, 1, &c);
	cr_assert_eq(c.records, 2);
	frx_rules_engine_counter(eng, 2, &c); /* no rule matched */
	cr_assert_eq(c.records, 1);
	cr_assert_eq(c.bytes, 50);
}

static uint32_t seed = 7;

static uint32_t
RND(void)
{
	seed = seed * 1103515245u + 12345u;
	return seed >> 8;
}

/* Many random rules and records: the engine and the reference agree. */
Test(rules_acl, agrees_with_the_reference_on_random_rules)
{
	static char text[1 << 20];
	static struct frx_flowrec recs[2000], work[2000];
	static const char *const apps[] = { "netflix", "dns", "zoom", NULL };
	static struct frx_recstr entries[2000];
	struct frx_strtab st = { .e = entries, .capacity = 2000 };
	struct frx_ruleset *ref;
	struct frx_rules_scratch *s;
	uint32_t kept, k = 0;
	uint64_t dropped = 0;
	size_t len = 0;
	char err[512];

	for (unsigned int i = 0; i < 500; i++) {
		unsigned int plen = 8 + RND() % 17;
		uint32_t a = (10u << 24 | (RND() & 0xffffff)) & ~0u << (32 - plen);

		len += (size_t)snprintf(text + len, sizeof(text) - len, "[rule r%u]\npriority = %u\n", i, RND() % 100);
		if (RND() % 10 == 0)
			len += (size_t)snprintf(text + len, sizeof(text) - len, "application = ~ /%s/\n",
						apps[RND() % 3]);
		else
			len += (size_t)snprintf(text + len, sizeof(text) - len, "src = %u.%u.%u.%u/%u\n", a >> 24,
						a >> 16 & 255, a >> 8 & 255, a & 255, plen);
		if (RND() % 2)
			len += (size_t)snprintf(text + len, sizeof(text) - len, "dst_port = %u-%u\n", RND() % 500,
						500 + RND() % 500);
		if (RND() % 5)
			len += (size_t)snprintf(text + len, sizeof(text) - len, "action = class %u\n", i % 9 + 1);
		else
			len += (size_t)snprintf(text + len, sizeof(text) - len, "action = drop\n");
	}
	build(text);
	cr_assert_eq(frx_rules_parse_string(text, len, "t.ini", &ref, err, sizeof(err)), 0);
	s = frx_rules_scratch_alloc(ref);
	for (unsigned int i = 0; i < 2000; i++) {
		uint8_t v4[4] = { 10, (uint8_t)RND(), (uint8_t)RND(), (uint8_t)RND() };

		recs[i] = rec("10.0.0.0", "10.0.0.1", (uint16_t)i, (uint16_t)(RND() % 1100), 6);
		frx_addr_set_v4(recs[i].src_addr, v4);
	}
	memcpy(work, recs, sizeof(recs));
	for (unsigned int i = 0; i < 2000; i++)
		if (apps[i % 4])
			frx_strtab_push(&st, &work[i], FRX_STR_APPLICATION, (const uint8_t *)apps[i % 4],
					(uint32_t)strlen(apps[i % 4]));
	kept = frx_rules_engine_run(eng, 0, work, 2000, &st, NULL, &dropped);
	for (unsigned int i = 0; i < 2000; i++) {
		struct frx_rec_strings str;
		int w, cls;

		memset(&str, 0, sizeof(str));
		if (apps[i % 4]) {
			str.ptr[FRX_STR_APPLICATION] = (const uint8_t *)apps[i % 4];
			str.len[FRX_STR_APPLICATION] = (uint16_t)strlen(apps[i % 4]);
		}
		w = frx_rules_classify(ref, s, &recs[i], &str);
		if (w >= 0 && ref->rules[w].action == FRX_RULE_DROP)
			continue;
		cls = w >= 0 ? ref->rules[w].class_id : 0;
		cr_assert_lt(k, kept, "record %u: engine dropped it, reference class %d", i, cls);
		cr_assert_eq(work[k].src_port, i, "record %u: engine dropped it, reference kept it", i);
		cr_assert_eq(work[k].class_id, cls, "record %u: engine class %u, reference %d (rule %s)", i,
			     work[k].class_id, cls, w >= 0 ? ref->rules[w].name : "-");
		k++;
	}
	cr_assert_eq(k, kept);
	cr_assert_gt(dropped, 0);
	frx_rules_scratch_free(s);
	frx_rules_free(ref);
}
