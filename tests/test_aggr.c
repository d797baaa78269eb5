/* SPDX-License-Identifier: BSD-3-Clause */
/* Aggregation: key parsing, sums on known data, either-side keys, prefixes, top-N order, output formats. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggr.h"
#include "flowrec.h"

#define T0 1700000000000ull

static struct frx_flowrec
flow(const char *src, const char *dst, uint16_t src_port, uint16_t dst_port, uint8_t proto, uint64_t packets,
     uint64_t bytes, uint64_t first_ms, uint64_t last_ms)
{
	struct frx_flowrec r;

	memset(&r, 0, sizeof(r));
	cr_assert_eq(frx_addr_parse(src, r.src_addr), 0);
	cr_assert_eq(frx_addr_parse(dst, r.dst_addr), 0);
	if (!frx_addr_is_v4(r.src_addr))
		r.flags |= FRX_REC_F_IPV6;
	cr_assert_eq(frx_addr_parse("192.0.2.1", r.exporter_addr), 0);
	r.src_port = src_port;
	r.dst_port = dst_port;
	r.proto = proto;
	r.packets = packets;
	r.bytes = bytes;
	r.first_ms = first_ms;
	r.last_ms = last_ms;
	r.flows = 1;
	r.version = 5;
	return r;
}

static struct frx_aggr *
aggr_of(const char *keys)
{
	struct frx_aggr_spec spec;
	char err[FRX_AGGR_ERR_MAX];
	struct frx_aggr *a;

	cr_assert_eq(frx_aggr_parse_keys(keys, &spec, err, sizeof(err)), 0, "'%s': %s", keys, err);
	a = frx_aggr_create(&spec);
	cr_assert_not_null(a);
	return a;
}

static void
add(struct frx_aggr *a, const struct frx_flowrec *r)
{
	cr_assert_eq(frx_aggr_add(a, r), 0);
}

/* The three flows most tests use. */
static void
add_known(struct frx_aggr *a)
{
	struct frx_flowrec r1 = flow("10.0.0.1", "192.0.2.10", 40000, 443, 6, 10, 1000, T0, T0 + 1000);
	struct frx_flowrec r2 = flow("10.0.0.1", "192.0.2.20", 40001, 443, 6, 5, 500, T0 + 500, T0 + 3000);
	struct frx_flowrec r3 = flow("10.0.0.2", "192.0.2.10", 5353, 53, 17, 1, 100, T0 - 100, T0);

	add(a, &r1);
	add(a, &r2);
	add(a, &r3);
}

static const struct frx_aggr_entry *const *
sorted(struct frx_aggr *a, enum frx_aggr_order order, size_t limit, size_t *n)
{
	const struct frx_aggr_entry *const *rows;

	cr_assert_eq(frx_aggr_sort(a, order, limit, &rows, n), 0);
	return rows;
}

static const char *
key(const struct frx_aggr *a, const struct frx_aggr_entry *e, unsigned int k)
{
	static char buf[4][64];
	static int i;

	i = (i + 1) % 4;
	return frx_aggr_key_text(a, e, k, buf[i], sizeof(buf[i]));
}

/* Find the entry whose key 0 reads text. */
static const struct frx_aggr_entry *
find(struct frx_aggr *a, const char *text)
{
	size_t n;
	const struct frx_aggr_entry *const *rows = sorted(a, FRX_AGGR_ORDER_FLOWS, 0, &n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(key(a, rows[i], 0), text) == 0)
			return rows[i];
	cr_assert_fail("no aggregate '%s'", text);
	return NULL;
}

/* ------------------------------------------------------------ keys */

Test(aggr, key_lists_parse)
{
	struct frx_aggr_spec s;

	cr_assert_eq(frx_aggr_parse_keys("srcip,dstport", &s, NULL, 0), 0);
	cr_expect_eq(s.nb_keys, 2);
	cr_expect_eq(s.keys[0].field, FRX_AGGR_SRCIP);
	cr_expect_eq(s.keys[0].v4_bits, 32);
	cr_expect_eq(s.keys[0].v6_bits, 128);
	cr_expect_eq(s.keys[1].field, FRX_AGGR_DSTPORT);
	cr_assert_eq(frx_aggr_parse_keys(" SrcIP4/24 , proto ", &s, NULL, 0), 0);
	cr_expect_eq(s.keys[0].v4_bits, 24);
	cr_expect_eq(s.keys[0].v6_bits, 128);
	cr_assert_eq(frx_aggr_parse_keys("srcip4/24,srcip6/48", &s, NULL, 0), 0);
	cr_expect_eq(s.nb_keys, 1, "one key with both lengths");
	cr_expect_eq(s.keys[0].v4_bits, 24);
	cr_expect_eq(s.keys[0].v6_bits, 48);
	cr_assert_eq(frx_aggr_parse_keys("src_addr,dst_port,router,nhip", &s, NULL, 0), 0);
	cr_expect_eq(s.keys[0].field, FRX_AGGR_SRCIP);
	cr_expect_eq(s.keys[2].field, FRX_AGGR_EXPORTER);
	cr_expect_eq(s.keys[3].field, FRX_AGGR_NEXTHOP);
}

Test(aggr, spec_text_gives_the_keys_back)
{
	struct frx_aggr_spec s;
	char buf[128];

	cr_assert_eq(frx_aggr_parse_keys("srcip4/24,srcip6/48,dstport,engine", &s, NULL, 0), 0);
	cr_expect_str_eq(frx_aggr_spec_text(&s, buf, sizeof(buf)), "srcip4/24,srcip6/48,dstport,engine");
	cr_assert_eq(frx_aggr_parse_keys("dst_addr", &s, NULL, 0), 0);
	cr_expect_str_eq(frx_aggr_spec_text(&s, buf, sizeof(buf)), "dstip");
}

static void
bad_keys(const char *text, const char *message)
{
	struct frx_aggr_spec s;
	char err[FRX_AGGR_ERR_MAX];

	cr_assert_eq(frx_aggr_parse_keys(text, &s, err, sizeof(err)), -EINVAL, "'%s' parsed", text);
	cr_expect_str_eq(err, message, "'%s'", text);
}

Test(aggr, bad_key_lists_say_why)
{
	bad_keys("srcip,fooport",
		 "unknown key 'fooport' (keys: srcip, dstip, ip, srcip4/N, srcip6/N, srcnet, dstnet, nexthop, "
		 "exporter, srcport, dstport, port, proto, tos, srcas, dstas, as, inif, outif, if, engine, domain, "
		 "class, version, srcvlan, dstvlan, vlan)");
	bad_keys("srcip4/33", "'srcip4/33': the prefix length must be 0-32");
	bad_keys("dstip6/129", "'dstip6/129': the prefix length must be 0-128");
	bad_keys("srcip4/x", "'srcip4/x': the prefix length must be 0-32");
	bad_keys("srcport,srcport", "key 'srcport' given twice");
	bad_keys("srcip4/24,srcip4/16", "key 'srcip4/16' given twice");
	bad_keys("ip,port", "'ip' and 'port' both count a record for each side: use at most one of ip, port, as, if, vlan");
	bad_keys("", "'': empty key name");
	bad_keys("srcip,,dstip", "'srcip,,dstip': empty key name");
	bad_keys("srcip,dstip,srcport,dstport,proto,tos,srcas,dstas,inif,outif,engine,domain,class",
		 "more than 12 keys");
}

Test(aggr, orders_by_name)
{
	static const char *const names[] = { "flows", "packets", "bytes", "pps", "bps", "bpp", "tstart", "tend" };
	enum frx_aggr_order o;

	for (int i = 0; i < FRX_AGGR_ORDER_MAX; i++) {
		cr_assert_eq(frx_aggr_parse_order(names[i], &o), 0);
		cr_expect_eq((int)o, i);
		cr_expect_str_eq(frx_aggr_order_name(o), names[i]);
	}
	cr_expect_eq(frx_aggr_parse_order("BYTES", &o), 0);
	cr_expect_eq(frx_aggr_parse_order("volume", &o), -EINVAL);
}

/* ------------------------------------------------------------ sums */

Test(aggr, sums_min_first_and_max_last_per_key)
{
	struct frx_aggr *a = aggr_of("srcip");
	const struct frx_aggr_entry *e;
	struct frx_aggr_totals t;

	add_known(a);
	cr_expect_eq(frx_aggr_count(a), 2);
	e = find(a, "10.0.0.1");
	cr_expect_eq(e->flows, 2);
	cr_expect_eq(e->packets, 15);
	cr_expect_eq(e->bytes, 1500);
	cr_expect_eq(e->first_ms, T0);
	cr_expect_eq(e->last_ms, T0 + 3000);
	e = find(a, "10.0.0.2");
	cr_expect_eq(e->flows, 1);
	cr_expect_eq(e->packets, 1);
	cr_expect_eq(e->bytes, 100);
	cr_expect_eq(e->first_ms, T0 - 100);
	cr_expect_eq(e->last_ms, T0);
	frx_aggr_totals(a, &t);
	cr_expect_eq(t.records, 3);
	cr_expect_eq(t.flows, 3);
	cr_expect_eq(t.packets, 16);
	cr_expect_eq(t.bytes, 1600);
	frx_aggr_free(a);
}

Test(aggr, several_keys_make_finer_aggregates)
{
	struct frx_aggr *a = aggr_of("srcip,dstport");
	size_t n;
	const struct frx_aggr_entry *const *rows;

	add_known(a);
	rows = sorted(a, FRX_AGGR_ORDER_BYTES, 0, &n);
	cr_assert_eq(n, 2);
	cr_expect_str_eq(key(a, rows[0], 0), "10.0.0.1");
	cr_expect_str_eq(key(a, rows[0], 1), "443");
	cr_expect_eq(rows[0]->bytes, 1500);
	cr_expect_str_eq(key(a, rows[1], 0), "10.0.0.2");
	cr_expect_str_eq(key(a, rows[1], 1), "53");
	frx_aggr_free(a);

	a = aggr_of("srcip,dstip,proto");
	add_known(a);
	cr_expect_eq(frx_aggr_count(a), 3);
	rows = sorted(a, FRX_AGGR_ORDER_TSTART, 0, &n);
	cr_expect_str_eq(key(a, rows[0], 2), "UDP");
	cr_expect_str_eq(key(a, rows[1], 2), "TCP");
	frx_aggr_free(a);
}

Test(aggr, a_v8_aggregate_counts_its_flows)
{
	struct frx_aggr *a = aggr_of("proto");
	struct frx_flowrec r = flow("10.0.0.1", "10.0.0.2", 1, 2, 6, 10, 1000, T0, T0);
	struct frx_aggr_totals t;

	r.flows = 7;
	add(a, &r);
	r.flows = 0; /* a record from before the flows field: one flow */
	add(a, &r);
	cr_expect_eq(find(a, "TCP")->flows, 8);
	frx_aggr_totals(a, &t);
	cr_expect_eq(t.flows, 8);
	cr_expect_eq(t.records, 2);
	frx_aggr_free(a);
}

Test(aggr, either_side_keys_count_both_addresses)
{
	struct frx_aggr *a = aggr_of("ip");
	struct frx_flowrec same = flow("10.9.9.9", "10.9.9.9", 1, 2, 6, 4, 40, T0, T0);
	struct frx_aggr_totals t;

	add_known(a);
	add(a, &same);
	cr_expect_eq(frx_aggr_count(a), 5);
	cr_expect_eq(find(a, "10.0.0.1")->bytes, 1500);
	cr_expect_eq(find(a, "192.0.2.10")->bytes, 1100); /* r1 and r3 went there */
	cr_expect_eq(find(a, "192.0.2.10")->flows, 2);
	cr_expect_eq(find(a, "192.0.2.20")->packets, 5);
	cr_expect_eq(find(a, "10.9.9.9")->flows, 1, "same address on both sides: counted once");
	frx_aggr_totals(a, &t);
	cr_expect_eq(t.flows, 4, "totals count each record once");
	frx_aggr_free(a);

	a = aggr_of("port,proto");
	add_known(a);
	cr_expect_eq(find(a, "443")->flows, 2);
	cr_expect_eq(find(a, "40000")->flows, 1);
	cr_expect_eq(find(a, "53")->packets, 1);
	cr_expect_eq(find(a, "5353")->packets, 1);
	frx_aggr_free(a);
}

Test(aggr, other_either_side_keys)
{
	struct frx_flowrec r = flow("10.0.0.1", "10.0.0.2", 1, 2, 6, 1, 1, T0, T0);
	struct frx_aggr *a;

	r.src_as = 64500;
	r.dst_as = 64501;
	r.in_if = 3;
	r.out_if = 4;
	r.src_vlan = 10;
	r.dst_vlan = 20;
	a = aggr_of("as");
	add(a, &r);
	cr_expect_eq(find(a, "64500")->flows, 1);
	cr_expect_eq(find(a, "64501")->flows, 1);
	frx_aggr_free(a);
	a = aggr_of("if");
	add(a, &r);
	cr_expect_eq(find(a, "3")->flows, 1);
	cr_expect_eq(find(a, "4")->flows, 1);
	frx_aggr_free(a);
	a = aggr_of("vlan");
	add(a, &r);
	cr_expect_eq(find(a, "10")->flows, 1);
	cr_expect_eq(find(a, "20")->flows, 1);
	frx_aggr_free(a);
}

Test(aggr, every_single_key_reads_its_field)
{
	struct frx_flowrec r = flow("10.1.2.3", "198.51.100.7", 51000, 443, 6, 1, 1, T0, T0);
	static const struct {
		const char *key, *text;
	} cases[] = {
		{ "srcip", "10.1.2.3" }, { "dstip", "198.51.100.7" }, { "srcnet", "10.1.0.0/16" },
		{ "dstnet", "198.51.100.0/24" }, { "nexthop", "10.0.0.254" }, { "exporter", "192.0.2.1" },
		{ "srcport", "51000" }, { "dstport", "443" }, { "proto", "TCP" }, { "tos", "32" },
		{ "srcas", "64500" }, { "dstas", "4200000000" }, { "inif", "3" }, { "outif", "4" },
		{ "engine", "1/2" }, { "domain", "7" }, { "class", "9" }, { "version", "5" },
		{ "srcvlan", "10" }, { "dstvlan", "20" },
	};

	cr_assert_eq(frx_addr_parse("10.0.0.254", r.next_hop), 0);
	r.src_mask = 16;
	r.dst_mask = 24;
	r.tos = 32;
	r.src_as = 64500;
	r.dst_as = 4200000000u;
	r.in_if = 3;
	r.out_if = 4;
	r.engine_type = 1;
	r.engine_id = 2;
	r.domain = 7;
	r.class_id = 9;
	r.src_vlan = 10;
	r.dst_vlan = 20;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct frx_aggr *a = aggr_of(cases[i].key);
		size_t n;
		const struct frx_aggr_entry *const *rows;

		add(a, &r);
		rows = sorted(a, FRX_AGGR_ORDER_FLOWS, 0, &n);
		cr_assert_eq(n, 1);
		cr_expect_str_eq(key(a, rows[0], 0), cases[i].text, "key %s", cases[i].key);
		frx_aggr_free(a);
	}
}

Test(aggr, ipv4_prefix_keys_group_networks)
{
	struct frx_aggr *a = aggr_of("srcip4/24");
	struct frx_flowrec r6 = flow("2001:db8:1::1", "2001:db8::2", 1, 2, 6, 1, 7, T0, T0);

	add_known(a);
	add(a, &r6);
	cr_expect_eq(frx_aggr_count(a), 2);
	cr_expect_eq(find(a, "10.0.0.0/24")->flows, 3);
	cr_expect_eq(find(a, "2001:db8:1::1")->bytes, 7, "IPv6 kept whole without srcip6/N");
	frx_aggr_free(a);
}

Test(aggr, ipv6_prefix_keys_group_networks)
{
	struct frx_aggr *a = aggr_of("srcip6/32,srcip4/8");
	struct frx_flowrec r1 = flow("2001:db8:1::1", "2001:db8::2", 1, 2, 6, 1, 7, T0, T0);
	struct frx_flowrec r2 = flow("2001:db8:2::1", "2001:db8::2", 1, 2, 6, 1, 8, T0, T0);
	struct frx_flowrec r3 = flow("2001:db9::1", "2001:db8::2", 1, 2, 6, 1, 9, T0, T0);

	add(a, &r1);
	add(a, &r2);
	add(a, &r3);
	add_known(a);
	cr_expect_eq(frx_aggr_count(a), 3);
	cr_expect_eq(find(a, "2001:db8::/32")->bytes, 15);
	cr_expect_eq(find(a, "2001:db9::/32")->bytes, 9);
	cr_expect_eq(find(a, "10.0.0.0/8")->bytes, 1600);
	frx_aggr_free(a);
}

Test(aggr, odd_prefix_lengths_mask_inside_a_byte)
{
	struct frx_aggr *a = aggr_of("dstip4/20");
	struct frx_flowrec r1 = flow("10.0.0.1", "172.16.15.1", 1, 2, 6, 1, 1, T0, T0);
	struct frx_flowrec r2 = flow("10.0.0.1", "172.16.16.1", 1, 2, 6, 1, 1, T0, T0);
	struct frx_flowrec r3 = flow("10.0.0.1", "172.16.0.9", 1, 2, 6, 1, 1, T0, T0);

	add(a, &r1);
	add(a, &r2);
	add(a, &r3);
	cr_expect_eq(find(a, "172.16.0.0/20")->flows, 2);
	cr_expect_eq(find(a, "172.16.16.0/20")->flows, 1);
	frx_aggr_free(a);
	a = aggr_of("srcip4/0");
	add_known(a);
	cr_expect_eq(find(a, "0.0.0.0/0")->flows, 3);
	frx_aggr_free(a);
}

/* ------------------------------------------------------------ top-N */

Test(aggr, top_n_by_each_order)
{
	struct frx_aggr *a = aggr_of("dstip");
	/* .10: 2 flows 11 packets 1100 bytes over 1.1 s; .20: 1 flow 5 packets 500 bytes over 2.5 s */
	size_t n;
	const struct frx_aggr_entry *const *rows;
	struct frx_flowrec r4 = flow("10.0.0.3", "192.0.2.30", 1, 2, 6, 100, 4000, T0, T0 + 10000);

	add_known(a);
	add(a, &r4); /* .30: 1 flow, 100 packets, 4000 bytes over 10 s */
	rows = sorted(a, FRX_AGGR_ORDER_FLOWS, 1, &n);
	cr_assert_eq(n, 1);
	cr_expect_str_eq(key(a, rows[0], 0), "192.0.2.10");
	rows = sorted(a, FRX_AGGR_ORDER_PACKETS, 0, &n);
	cr_assert_eq(n, 3);
	cr_expect_str_eq(key(a, rows[0], 0), "192.0.2.30");
	cr_expect_str_eq(key(a, rows[1], 0), "192.0.2.10");
	cr_expect_str_eq(key(a, rows[2], 0), "192.0.2.20");
	rows = sorted(a, FRX_AGGR_ORDER_BYTES, 2, &n);
	cr_assert_eq(n, 2);
	cr_expect_str_eq(key(a, rows[0], 0), "192.0.2.30");
	cr_expect_str_eq(key(a, rows[1], 0), "192.0.2.10");
	rows = sorted(a, FRX_AGGR_ORDER_BPS, 0, &n); /* .10: 8000 bps, .30: 3200, .20: 1600 */
	cr_expect_str_eq(key(a, rows[0], 0), "192.0.2.10");
	cr_expect_str_eq(key(a, rows[1], 0), "192.0.2.30");
	cr_expect_str_eq(key(a, rows[2], 0), "192.0.2.20");
	rows = sorted(a, FRX_AGGR_ORDER_PPS, 0, &n); /* .10: 10 pps, .30: 10, .20: 2: tie by key */
	cr_expect_str_eq(key(a, rows[0], 0), "192.0.2.10");
	cr_expect_str_eq(key(a, rows[1], 0), "192.0.2.30");
	rows = sorted(a, FRX_AGGR_ORDER_BPP, 0, &n); /* .10: 100, .20: 100, .30: 40 */
	cr_expect_str_eq(key(a, rows[0], 0), "192.0.2.10");
	cr_expect_str_eq(key(a, rows[1], 0), "192.0.2.20");
	cr_expect_str_eq(key(a, rows[2], 0), "192.0.2.30");
	rows = sorted(a, FRX_AGGR_ORDER_TSTART, 0, &n); /* earliest first */
	cr_expect_str_eq(key(a, rows[0], 0), "192.0.2.10");
	cr_expect_str_eq(key(a, rows[1], 0), "192.0.2.30");
	cr_expect_str_eq(key(a, rows[2], 0), "192.0.2.20");
	rows = sorted(a, FRX_AGGR_ORDER_TEND, 0, &n);
	cr_expect_str_eq(key(a, rows[0], 0), "192.0.2.10");
	cr_expect_str_eq(key(a, rows[1], 0), "192.0.2.20");
	cr_expect_str_eq(key(a, rows[2], 0), "192.0.2.30");
	rows = sorted(a, FRX_AGGR_ORDER_BYTES, 10, &n);
	cr_expect_eq(n, 3, "a limit above the count gives every row");
	frx_aggr_free(a);
}

/* Many keys, in two input orders: the table grows, every sum is right and the top is the same. */
Test(aggr, many_keys_grow_the_table_and_top_n_is_exact)
{
	struct frx_aggr *fwd = aggr_of("srcip,srcport"), *rev = aggr_of("srcip,srcport");
	const int n = 100000;
	const struct frx_aggr_entry *const *rows;
	size_t nb;

	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < n; i++) {
			int k = pass == 0 ? i : n - 1 - i;
			char src[32];
			/* key k gets k % 1000 + 1 bytes, twice */
			struct frx_flowrec r;

			snprintf(src, sizeof(src), "10.%d.%d.%d", k >> 16, (k >> 8) & 0xff, k & 0xff);
			r = flow(src, "192.0.2.1", (uint16_t)(k % 7), 80, 6, 1, (uint64_t)(k % 1000) + 1, T0, T0 + 1);
			add(pass == 0 ? fwd : rev, &r);
			add(pass == 0 ? fwd : rev, &r);
		}
	}
	cr_assert_eq(frx_aggr_count(fwd), (size_t)n);
	cr_assert_eq(frx_aggr_count(rev), (size_t)n);
	rows = sorted(fwd, FRX_AGGR_ORDER_BYTES, 5, &nb);
	cr_assert_eq(nb, 5);
	for (size_t i = 0; i < nb; i++) {
		cr_expect_eq(rows[i]->bytes, 2000, "row %zu", i);
		cr_expect_eq(rows[i]->flows, 2);
	}
	/* keys 999, 1999, ... tie on 2000 bytes: broken by key bytes, so 10.0.3.231 (999) first */
	cr_expect_str_eq(key(fwd, rows[0], 0), "10.0.3.231");
	char first[5][64];

	for (size_t i = 0; i < nb; i++)
		frx_aggr_key_text(fwd, rows[i], 0, first[i], sizeof(first[i]));
	rows = sorted(rev, FRX_AGGR_ORDER_BYTES, 5, &nb);
	for (size_t i = 0; i < nb; i++)
		cr_expect_str_eq(key(rev, rows[i], 0), first[i], "same top whatever the input order");
	rows = sorted(fwd, FRX_AGGR_ORDER_BYTES, 0, &nb);
	cr_assert_eq(nb, (size_t)n);
	for (size_t i = 1; i < nb; i++)
		cr_assert(rows[i - 1]->bytes >= rows[i]->bytes, "sorted at %zu", i);
	frx_aggr_free(fwd);
	frx_aggr_free(rev);
}

Test(aggr, empty_aggregation_sorts_to_nothing)
{
	struct frx_aggr *a = aggr_of("srcip");
	size_t n = 99;

	sorted(a, FRX_AGGR_ORDER_BYTES, 10, &n);
	cr_expect_eq(n, 0);
	frx_aggr_free(a);
}

/* ------------------------------------------------------------ output */

static char *
written(struct frx_aggr *a, enum frx_fmt fmt, bool top, enum frx_aggr_order order, size_t limit)
{
	struct frx_aggr_print how = { .fmt = fmt, .top = top, .order = order, .limit = limit };
	const struct frx_aggr_entry *const *rows;
	char *buf = NULL;
	size_t len = 0, n;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	rows = sorted(a, order, limit, &n);
	frx_aggr_write(a, rows, n, &how, f);
	fclose(f);
	return buf;
}

Test(aggr, top_table_as_text_is_aligned_with_human_units_and_percentages)
{
	struct frx_aggr *a = aggr_of("srcip");
	struct frx_flowrec big = flow("10.0.0.3", "192.0.2.10", 1, 2, 6, 2000000, 3000000000ull, T0, T0 + 60000);
	char *out;

	add_known(a);
	add(a, &big);
	out = written(a, FRX_FMT_TEXT, true, FRX_AGGR_ORDER_BYTES, 2);
	cr_expect_str_eq(out,
			 "Top 2 Src IP Addr ordered by bytes:\n"
			 "Date first seen (UTC)    Duration  Src IP Addr  Flows(%)    Packets(%)      Bytes(%)     pps      bps   bpp\n"
			 "2023-11-14 22:13:20.000    60.000  10.0.0.3      1(25.0)  2.0 M(100.0)  3.0 G(100.0)  33.3 K  400.0 M  1500\n"
			 "2023-11-14 22:13:20.000     3.000  10.0.0.1      2(50.0)      15( 0.0)   1.5 K( 0.0)       5    4.0 K   100\n");
	free(out);
	frx_aggr_free(a);
}

Test(aggr, aggregation_as_text_has_no_title_or_percentages)
{
	struct frx_aggr *a = aggr_of("proto,dstport");
	char *out;

	add_known(a);
	out = written(a, FRX_FMT_TEXT, false, FRX_AGGR_ORDER_TSTART, 0);
	cr_expect_str_eq(out,
			 "Date first seen (UTC)    Duration  Proto  Dst Port  Flows  Packets  Bytes  pps    bps  bpp\n"
			 "2023-11-14 22:13:19.900     0.100    UDP        53      1        1    100   10  8.0 K  100\n"
			 "2023-11-14 22:13:20.000     3.000    TCP       443      2       15  1.5 K    5  4.0 K  100\n");
	free(out);
	frx_aggr_free(a);
}

Test(aggr, csv_has_a_header_then_exact_numbers)
{
	struct frx_aggr *a = aggr_of("srcip,engine");
	char *out;

	add_known(a);
	out = written(a, FRX_FMT_CSV, true, FRX_AGGR_ORDER_BYTES, 10);
	cr_expect_str_eq(out,
			 "stat,rank,src_addr,engine_type,engine_id,first,last,duration,flows,packets,bytes,pps,bps,bpp,"
			 "flows_pct,packets_pct,bytes_pct\n"
			 "srcip,engine/bytes,1,10.0.0.1,0,0,1700000000000,1700000003000,3000,2,15,1500,5,4000,100,66.67,"
			 "93.75,93.75\n"
			 "srcip,engine/bytes,2,10.0.0.2,0,0,1699999999900,1700000000000,100,1,1,100,10,8000,100,33.33,"
			 "6.25,6.25\n");
	free(out);
	out = written(a, FRX_FMT_CSV, false, FRX_AGGR_ORDER_TSTART, 0);
	cr_expect(strncmp(out, "src_addr,engine_type,engine_id,first,", 37) == 0, "%s", out);
	free(out);
	frx_aggr_free(a);
}

Test(aggr, json_lines_with_typed_values)
{
	struct frx_aggr *a = aggr_of("srcip4/24,proto");
	char *out;

	add_known(a);
	out = written(a, FRX_FMT_JSON, true, FRX_AGGR_ORDER_FLOWS, 10);
	cr_expect_str_eq(out,
			 "{\"stat\":\"srcip4/24,proto/flows\",\"rank\":1,\"src_addr\":\"10.0.0.0/24\",\"proto\":6,"
			 "\"first\":1700000000000,\"last\":1700000003000,\"duration\":3000,\"flows\":2,\"packets\":15,"
			 "\"bytes\":1500,\"pps\":5,\"bps\":4000,\"bpp\":100,\"flows_pct\":66.67,\"packets_pct\":93.75,"
			 "\"bytes_pct\":93.75}\n"
			 "{\"stat\":\"srcip4/24,proto/flows\",\"rank\":2,\"src_addr\":\"10.0.0.0/24\",\"proto\":17,"
			 "\"first\":1699999999900,\"last\":1700000000000,\"duration\":100,\"flows\":1,\"packets\":1,"
			 "\"bytes\":100,\"pps\":10,\"bps\":8000,\"bpp\":100,\"flows_pct\":33.33,\"packets_pct\":6.25,"
			 "\"bytes_pct\":6.25}\n");
	free(out);
	out = written(a, FRX_FMT_JSON, false, FRX_AGGR_ORDER_TSTART, 0);
	cr_expect(strncmp(out, "{\"src_addr\":\"10.0.0.0/24\",\"proto\":17,", 37) == 0, "%s", out);
	free(out);
	frx_aggr_free(a);
}
