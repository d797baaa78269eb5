/* SPDX-License-Identifier: BSD-3-Clause */
/* NetFlow v8 decoder: every aggregation scheme field by field, and bad PDUs. */
#include <criterion/criterion.h>
#include <string.h>

#include "nf8.h"
#include "nfbuild.h"

#define EXPORT_SECS 1700000000u
#define EXPORT_NSECS 250000000u /* .250 s */
#define EXPORT_MS (EXPORT_SECS * 1000ull + 250)
#define UPTIME 3600000u         /* exporter up one hour */

static uint8_t pdu[65536];
static struct frx_flowrec recs[2048];
static struct frx_recbuf rb;
static struct frx_pdu_info info;
static struct frx_exporter exporter;

static void
setup(void)
{
	memset(&exporter, 0, sizeof(exporter));
	frx_addr_set_v4(exporter.addr, "\xc0\x00\x02\x01"); /* 192.0.2.1 */
	exporter.port = 40000;
	frx_recbuf_init_array(&rb, recs, 2048);
}

TestSuite(nf8, .init = setup);

/*
 * Every field any scheme carries, each with a value no other field has, so
 * a field read from another's offset shows. Record i differs in its counters.
 */
static struct tb_v8_rec
sample_rec(unsigned int i)
{
	struct tb_v8_rec r = {
		.flows = 7 + i, .packets = 1000 + i, .bytes = 150000 + 100 * i,
		.first_uptime = UPTIME - 60000, .last_uptime = UPTIME - 1000,
		.src = tb_ip4("10.1.0.0"), .dst = tb_ip4("10.2.0.0"), .src_mask = 16, .dst_mask = 24,
		.src_port = 1024, .dst_port = 443, .proto = 6, .tos = 0x28, .marked_tos = 0x08,
		.src_as = 64500, .dst_as = 64501, .in_if = 3, .out_if = 17,
		.extra_packets = 5, .router_sc = tb_ip4("10.0.0.253"),
	};
	return r;
}

static size_t
build_agg(unsigned int aggregation, uint8_t agg_version, unsigned int n, uint16_t count_override)
{
	struct tb_v8_rec r[64];
	struct tb_v8_hdr h = { .count = count_override, .sys_uptime = UPTIME, .unix_secs = EXPORT_SECS,
			       .unix_nsecs = EXPORT_NSECS, .sequence = 777, .engine_type = 1,
			       .engine_id = 9, .aggregation = (uint8_t)aggregation,
			       .agg_version = agg_version };

	for (unsigned int i = 0; i < n; i++)
		r[i] = sample_rec(i);
	return tb_build_v8(pdu, sizeof(pdu), &h, r, n);
}

static size_t
build(unsigned int aggregation, unsigned int n)
{
	return build_agg(aggregation, TB_V8_AGG_VERSION, n, 0);
}

/* What a scheme's records must hold beyond the counters all schemes have. */
struct want {
	unsigned int record_len;
	int has_flows;          /* dFlows in the record; otherwise flows is 1 */
	const char *src, *dst, *next_hop;
	uint8_t src_mask, dst_mask;
	uint16_t src_port, dst_port;
	uint8_t proto, tos;
	uint16_t src_as, dst_as, in_if, out_if;
};

static void
check_addr(const uint8_t got[16], const char *want_text, const char *what)
{
	uint8_t want[16];
	char text[FRX_ADDR_STRLEN];

	cr_assert_eq(frx_addr_parse(want_text, want), 0);
	cr_assert_arr_eq(got, want, 16, "%s: got %s, want %s", what,
			 frx_addr_format(got, text, sizeof(text)), want_text);
}

static void
decode_and_check(unsigned int aggregation, const struct want *w)
{
	const unsigned int n = 3;
	size_t len = build(aggregation, n);

	cr_assert_eq(len, 28 + n * w->record_len, "record size of scheme %u", aggregation);
	cr_assert_eq(frx_nf8_decode(pdu, (uint32_t)len, &exporter, &rb, &info), FRX_OK);
	cr_assert_eq(rb.count, n);
	cr_assert_eq(info.records_written, n);
	cr_assert_eq(info.v8_aggregation, aggregation);
	for (unsigned int i = 0; i < n; i++) {
		const struct frx_flowrec *r = &recs[i];

		cr_assert_eq(r->version, 8);
		cr_assert_eq(r->flows, w->has_flows ? 7 + i : 1, "record %u flows %u", i, r->flows);
		cr_assert_eq(r->packets, 1000 + i);
		cr_assert_eq(r->bytes, 150000 + 100 * i);
		cr_assert_eq(r->first_ms, EXPORT_MS - 60000);
		cr_assert_eq(r->last_ms, EXPORT_MS - 1000);
		check_addr(r->src_addr, w->src, "src_addr");
		check_addr(r->dst_addr, w->dst, "dst_addr");
		check_addr(r->next_hop, w->next_hop, "next_hop");
		cr_assert_eq(r->src_mask, w->src_mask);
		cr_assert_eq(r->dst_mask, w->dst_mask);
		cr_assert_eq(r->src_port, w->src_port);
		cr_assert_eq(r->dst_port, w->dst_port);
		cr_assert_eq(r->proto, w->proto);
		cr_assert_eq(r->tos, w->tos);
		cr_assert_eq(r->src_as, w->src_as);
		cr_assert_eq(r->dst_as, w->dst_as);
		cr_assert_eq(r->in_if, w->in_if);
		cr_assert_eq(r->out_if, w->out_if);
		/* from the header and the exporter */
		cr_assert_eq(r->engine_type, 1);
		cr_assert_eq(r->engine_id, 9);
		cr_assert_arr_eq(r->exporter_addr, exporter.addr, 16);
		cr_assert_eq(r->exporter_port, 40000);
		/* no v8 scheme has these */
		cr_assert_eq(r->tcp_flags, 0);
		cr_assert_eq(r->domain, 0);
		cr_assert_eq(r->sampling_mode, 0);
		cr_assert_eq(r->sampling_interval, 0);
		cr_assert_eq(r->flags, 0);
		cr_assert_eq(r->direction, 0);
	}
}

Test(nf8, scheme_1_as_carries_ases_and_interfaces)
{
	struct want w = { .record_len = 28, .has_flows = 1, .src = "0.0.0.0", .dst = "0.0.0.0",
			  .next_hop = "0.0.0.0", .src_as = 64500, .dst_as = 64501, .in_if = 3, .out_if = 17 };

	decode_and_check(FRX_NF8_AS, &w);
}

Test(nf8, scheme_2_protocol_port_carries_protocol_and_ports)
{
	struct want w = { .record_len = 28, .has_flows = 1, .src = "0.0.0.0", .dst = "0.0.0.0",
			  .next_hop = "0.0.0.0", .proto = 6, .src_port = 1024, .dst_port = 443 };

	decode_and_check(FRX_NF8_PROTO_PORT, &w);
}

Test(nf8, scheme_3_source_prefix_carries_prefix_mask_as_input)
{
	struct want w = { .record_len = 32, .has_flows = 1, .src = "10.1.0.0", .dst = "0.0.0.0",
			  .next_hop = "0.0.0.0", .src_mask = 16, .src_as = 64500, .in_if = 3 };

	decode_and_check(FRX_NF8_SRC_PREFIX, &w);
}

Test(nf8, scheme_4_destination_prefix_carries_prefix_mask_as_output)
{
	struct want w = { .record_len = 32, .has_flows = 1, .src = "0.0.0.0", .dst = "10.2.0.0",
			  .next_hop = "0.0.0.0", .dst_mask = 24, .dst_as = 64501, .out_if = 17 };

	decode_and_check(FRX_NF8_DST_PREFIX, &w);
}

Test(nf8, scheme_5_prefix_carries_both_prefixes_with_destination_mask_first)
{
	struct want w = { .record_len = 40, .has_flows = 1, .src = "10.1.0.0", .dst = "10.2.0.0",
			  .next_hop = "0.0.0.0", .src_mask = 16, .dst_mask = 24, .src_as = 64500,
			  .dst_as = 64501, .in_if = 3, .out_if = 17 };

	decode_and_check(FRX_NF8_PREFIX, &w);
	/* Cisco: byte 28 is the destination mask, 29 the source mask. */
	cr_assert_eq(pdu[28 + 28], 24);
	cr_assert_eq(pdu[28 + 29], 16);
}

Test(nf8, scheme_6_destination_only_has_no_flow_count_and_keeps_router_shortcut)
{
	struct want w = { .record_len = 32, .has_flows = 0, .src = "0.0.0.0", .dst = "10.2.0.0",
			  .next_hop = "10.0.0.253", .tos = 0x28, .out_if = 17 };

	decode_and_check(FRX_NF8_DESTONLY, &w);
}

Test(nf8, scheme_7_source_destination_carries_addresses_and_interfaces)
{
	struct want w = { .record_len = 40, .has_flows = 0, .src = "10.1.0.0", .dst = "10.2.0.0",
			  .next_hop = "10.0.0.253", .tos = 0x28, .in_if = 3, .out_if = 17 };

	decode_and_check(FRX_NF8_SRC_DST, &w);
}

Test(nf8, scheme_8_full_flow_carries_ports_and_protocol)
{
	struct want w = { .record_len = 44, .has_flows = 0, .src = "10.1.0.0", .dst = "10.2.0.0",
			  .next_hop = "10.0.0.253", .src_port = 1024, .dst_port = 443, .proto = 6,
			  .tos = 0x28, .in_if = 3, .out_if = 17 };

	decode_and_check(FRX_NF8_FULL_FLOW, &w);
}

Test(nf8, scheme_9_as_tos_adds_tos)
{
	struct want w = { .record_len = 32, .has_flows = 1, .src = "0.0.0.0", .dst = "0.0.0.0",
			  .next_hop = "0.0.0.0", .tos = 0x28, .src_as = 64500, .dst_as = 64501,
			  .in_if = 3, .out_if = 17 };

	decode_and_check(FRX_NF8_AS_TOS, &w);
}

Test(nf8, scheme_10_protocol_port_tos_adds_tos_and_interfaces)
{
	struct want w = { .record_len = 32, .has_flows = 1, .src = "0.0.0.0", .dst = "0.0.0.0",
			  .next_hop = "0.0.0.0", .proto = 6, .tos = 0x28, .src_port = 1024,
			  .dst_port = 443, .in_if = 3, .out_if = 17 };

	decode_and_check(FRX_NF8_PROTO_PORT_TOS, &w);
}

Test(nf8, scheme_11_source_prefix_tos_adds_tos)
{
	struct want w = { .record_len = 32, .has_flows = 1, .src = "10.1.0.0", .dst = "0.0.0.0",
			  .next_hop = "0.0.0.0", .src_mask = 16, .tos = 0x28, .src_as = 64500, .in_if = 3 };

	decode_and_check(FRX_NF8_SRC_PREFIX_TOS, &w);
}

Test(nf8, scheme_12_destination_prefix_tos_adds_tos)
{
	struct want w = { .record_len = 32, .has_flows = 1, .src = "0.0.0.0", .dst = "10.2.0.0",
			  .next_hop = "0.0.0.0", .dst_mask = 24, .tos = 0x28, .dst_as = 64501, .out_if = 17 };

	decode_and_check(FRX_NF8_DST_PREFIX_TOS, &w);
}

Test(nf8, scheme_13_prefix_tos_adds_tos)
{
	struct want w = { .record_len = 40, .has_flows = 1, .src = "10.1.0.0", .dst = "10.2.0.0",
			  .next_hop = "0.0.0.0", .src_mask = 16, .dst_mask = 24, .tos = 0x28,
			  .src_as = 64500, .dst_as = 64501, .in_if = 3, .out_if = 17 };

	decode_and_check(FRX_NF8_PREFIX_TOS, &w);
}

Test(nf8, scheme_14_prefix_port_carries_prefixes_protocol_and_ports)
{
	struct want w = { .record_len = 40, .has_flows = 1, .src = "10.1.0.0", .dst = "10.2.0.0",
			  .next_hop = "0.0.0.0", .src_mask = 16, .dst_mask = 24, .tos = 0x28, .proto = 6,
			  .src_port = 1024, .dst_port = 443, .in_if = 3, .out_if = 17 };

	decode_and_check(FRX_NF8_PREFIX_PORT, &w);
}

Test(nf8, header_fields_are_reported)
{
	size_t len = build(FRX_NF8_PREFIX, 2);

	cr_assert_eq(frx_nf8_decode(pdu, (uint32_t)len, &exporter, &rb, &info), FRX_OK);
	cr_assert_eq(info.version, 8);
	cr_assert_eq(info.count, 2);
	cr_assert_eq(info.sys_uptime_ms, UPTIME);
	cr_assert_eq(info.export_ms, EXPORT_MS);
	cr_assert_eq(info.sequence, 777);
	cr_assert_eq(info.engine_type, 1);
	cr_assert_eq(info.engine_id, 9);
	cr_assert_eq(info.v8_aggregation, FRX_NF8_PREFIX);
	cr_assert_eq(info.domain, 0);
	cr_assert_eq(info.sampling_interval, 0);
	cr_assert_not(info.count_above_spec);
	cr_assert_eq(info.records_written, 2);
}

Test(nf8, record_sizes_and_limits_are_cisco_s)
{
	static const unsigned int len[15] = { 0, 28, 28, 32, 32, 40, 32, 40, 44, 32, 32, 32, 32, 40, 40 };
	static const unsigned int max[15] = { 0, 51, 51, 44, 44, 35, 44, 35, 32, 44, 44, 44, 44, 35, 35 };

	for (unsigned int a = 0; a < 15; a++) {
		cr_assert_eq(frx_nf8_record_len(a), len[a], "scheme %u", a);
		cr_assert_eq(frx_nf8_spec_max_count(a), max[a], "scheme %u", a);
	}
	cr_assert_eq(frx_nf8_record_len(15), 0);
	cr_assert_eq(frx_nf8_spec_max_count(255), 0);
}

Test(nf8, exporter_ipv6_is_flagged)
{
	size_t len = build(FRX_NF8_AS, 1);

	exporter.is_v6 = 1;
	cr_assert_eq(frx_nf8_decode(pdu, (uint32_t)len, &exporter, &rb, &info), FRX_OK);
	cr_assert_eq(recs[0].flags, FRX_REC_F_EXPORTER_IPV6);
}

Test(nf8, truncated_header_is_dropped)
{
	size_t len = build(FRX_NF8_AS, 1);

	(void)len;
	cr_assert_eq(frx_nf8_decode(pdu, 27, &exporter, &rb, &info), FRX_ETRUNCATED);
	cr_assert_eq(info.version, 8, "the version word was there");
	cr_assert_eq(frx_nf8_decode(pdu, 3, &exporter, &rb, &info), FRX_ETRUNCATED);
	cr_assert_eq(frx_nf8_decode(pdu, 0, &exporter, &rb, &info), FRX_ETRUNCATED);
	cr_assert_eq(rb.count, 0);
}

Test(nf8, other_version_is_dropped)
{
	size_t len = build(FRX_NF8_AS, 1);

	pdu[1] = 5;
	cr_assert_eq(frx_nf8_decode(pdu, (uint32_t)len, &exporter, &rb, &info), FRX_EBAD_VERSION);
	pdu[1] = 9;
	cr_assert_eq(frx_nf8_decode(pdu, (uint32_t)len, &exporter, &rb, &info), FRX_EBAD_VERSION);
	cr_assert_eq(info.version, 9);
	cr_assert_eq(rb.count, 0);
}

Test(nf8, count_larger_than_datagram_is_dropped_whole)
{
	size_t len = build_agg(FRX_NF8_SRC_DST, TB_V8_AGG_VERSION, 3, 4); /* says 4, holds 3 */

	cr_assert_eq(frx_nf8_decode(pdu, (uint32_t)len, &exporter, &rb, &info), FRX_EBAD_COUNT);
	cr_assert_eq(rb.count, 0, "nothing of a lying PDU is stored");
	cr_assert_eq(info.records_written, 0);
}

Test(nf8, trailing_bytes_after_records_are_a_bad_count)
{
	size_t len = build(FRX_NF8_FULL_FLOW, 3);

	cr_assert_eq(frx_nf8_decode(pdu, (uint32_t)len + 4, &exporter, &rb, &info), FRX_EBAD_COUNT);
	/* one record of another scheme's size: 28 extra bytes */
	cr_assert_eq(frx_nf8_decode(pdu, (uint32_t)len + 28, &exporter, &rb, &info), FRX_EBAD_COUNT);
	cr_assert_eq(frx_nf8_decode(pdu, (uint32_t)len - 1, &exporter, &rb, &info), FRX_EBAD_COUNT);
	cr_assert_eq(rb.count, 0);
}

Test(nf8, a_record_size_of_another_scheme_is_a_bad_count)
{
	/* three 28-byte AS records relabelled as the 32-byte AS-ToS scheme */
	size_t len = build(FRX_NF8_AS, 3);

	pdu[22] = FRX_NF8_AS_TOS;
	cr_assert_eq(frx_nf8_decode(pdu, (uint32_t)len, &exporter, &rb, &info), FRX_EBAD_COUNT);
	cr_assert_eq(rb.count, 0);
}

Test(nf8, zero_count_is_dropped)
{
	size_t len = build(FRX_NF8_AS, 0);

	cr_assert_eq(len, 28);
	cr_assert_eq(frx_nf8_decode(pdu, (uint32_t)len, &exporter, &rb, &info), FRX_EZERO_COUNT);
}

Test(nf8, unknown_aggregation_scheme_is_dropped)
{
	static const uint8_t unknown[] = { 0, 15, 16, 100, 255 };
	size_t len = build(FRX_NF8_AS, 2);

	for (unsigned int i = 0; i < sizeof(unknown); i++) {
		pdu[22] = unknown[i];
		cr_assert_eq(frx_nf8_decode(pdu, (uint32_t)len, &exporter, &rb, &info),
			     FRX_EV8_BAD_AGGREGATION, "scheme %u", unknown[i]);
		cr_assert_eq(info.v8_aggregation, unknown[i], "reported for the counters");
		cr_assert_eq(info.sequence, 777, "the header was read");
	}
	cr_assert_eq(rb.count, 0);
}

Test(nf8, aggregation_version_other_than_2_is_dropped)
{
	static const uint8_t versions[] = { 0, 1, 3, 255 };

	for (unsigned int i = 0; i < sizeof(versions); i++) {
		size_t len = build_agg(FRX_NF8_PREFIX, versions[i], 2, 0);

		cr_assert_eq(frx_nf8_decode(pdu, (uint32_t)len, &exporter, &rb, &info),
			     FRX_EV8_BAD_AGGREGATION, "agg_version %u", versions[i]);
	}
	cr_assert_eq(rb.count, 0);
}

Test(nf8, count_above_the_scheme_limit_is_kept_and_flagged)
{
	for (unsigned int a = 1; a <= 14; a++) {
		unsigned int max = frx_nf8_spec_max_count(a);
		size_t len = build(a, max);

		frx_recbuf_init_array(&rb, recs, 2048);
		cr_assert_eq(frx_nf8_decode(pdu, (uint32_t)len, &exporter, &rb, &info), FRX_OK);
		cr_assert_not(info.count_above_spec, "%u is scheme %u's maximum, not above it", max, a);
		cr_assert_eq(recs[max - 1].flags & FRX_REC_F_COUNT_ABOVE_SPEC, 0);

		len = build(a, max + 1);
		frx_recbuf_init_array(&rb, recs, 2048);
		cr_assert_eq(frx_nf8_decode(pdu, (uint32_t)len, &exporter, &rb, &info), FRX_OK);
		cr_assert_eq(rb.count, max + 1);
		cr_assert(info.count_above_spec, "scheme %u", a);
		cr_assert(recs[0].flags & FRX_REC_F_COUNT_ABOVE_SPEC);
		cr_assert(recs[max].flags & FRX_REC_F_COUNT_ABOVE_SPEC);
	}
}

Test(nf8, every_truncation_of_a_good_pdu_is_refused)
{
	for (unsigned int a = 1; a <= 14; a++) {
		size_t len = build(a, 3);

		for (uint32_t cut = 0; cut < len; cut++) {
			frx_recbuf_init_array(&rb, recs, 2048);
			cr_assert_neq(frx_nf8_decode(pdu, cut, &exporter, &rb, &info), FRX_OK,
				      "scheme %u cut at %u", a, cut);
			cr_assert_eq(rb.count, 0);
		}
	}
}

Test(nf8, full_buffer_keeps_what_fit_and_reports_no_block)
{
	size_t len = build(FRX_NF8_PREFIX_PORT, 10);

	frx_recbuf_init_array(&rb, recs, 4);
	cr_assert_eq(frx_nf8_decode(pdu, (uint32_t)len, &exporter, &rb, &info), FRX_ENO_BLOCK);
	cr_assert_eq(rb.count, 4);
	cr_assert_eq(info.records_written, 4);
	cr_assert_eq(info.count, 10);
	cr_assert_eq(info.records_dropped, 6);
	cr_assert_eq(recs[3].packets, 1000 + 3, "the records kept are the first ones, whole");
	cr_assert_eq(recs[3].out_if, 17);
}

static int refills;
static struct frx_flowrec second[8];

static int
refill_once(struct frx_recbuf *b)
{
	if (refills++)
		return -1;
	b->recs = second;
	b->count = 0;
	b->capacity = 8;
	return 0;
}

Test(nf8, records_continue_in_the_next_block_after_a_refill)
{
	size_t len = build(FRX_NF8_DESTONLY, 6);

	refills = 0;
	frx_recbuf_init_array(&rb, recs, 2);
	rb.refill = refill_once;
	cr_assert_eq(frx_nf8_decode(pdu, (uint32_t)len, &exporter, &rb, &info), FRX_OK);
	cr_assert_eq(refills, 1);
	cr_assert_eq(second[3].packets, 1000 + 5, "record 6 is the 4th of the new block");
}

Test(nf8, times_cross_the_uptime_wrap)
{
	/* Exporter uptime wrapped 10 s ago; the aggregate started 50 s ago. */
	struct tb_v8_rec r = sample_rec(0);
	struct tb_v8_hdr h = { .sys_uptime = 10000, .unix_secs = EXPORT_SECS,
			       .aggregation = FRX_NF8_AS_TOS, .agg_version = TB_V8_AGG_VERSION };
	size_t len;

	r.first_uptime = (uint32_t)(10000 - 50000);
	r.last_uptime = 5000;
	len = tb_build_v8(pdu, sizeof(pdu), &h, &r, 1);
	cr_assert_eq(frx_nf8_decode(pdu, (uint32_t)len, &exporter, &rb, &info), FRX_OK);
	cr_assert_eq(recs[0].first_ms, EXPORT_SECS * 1000ull - 50000);
	cr_assert_eq(recs[0].last_ms, EXPORT_SECS * 1000ull - 5000);
}

Test(nf8, exporter_counting_uptime_in_seconds_gets_times_in_seconds)
{
	/* sysUptime 3600 s; the aggregate ran from 60 s to 1 s before export */
	struct tb_v8_rec r = sample_rec(0);
	struct tb_v8_hdr h = { .sys_uptime = 3600, .unix_secs = EXPORT_SECS, .unix_nsecs = EXPORT_NSECS,
			       .aggregation = FRX_NF8_DST_PREFIX, .agg_version = TB_V8_AGG_VERSION };
	size_t len;

	r.first_uptime = 3600 - 60;
	r.last_uptime = 3600 - 1;
	len = tb_build_v8(pdu, sizeof(pdu), &h, &r, 1);
	exporter.uptime_in_seconds = 1;
	cr_assert_eq(frx_nf8_decode(pdu, (uint32_t)len, &exporter, &rb, &info), FRX_OK);
	cr_assert_eq(recs[0].first_ms, EXPORT_MS - 60000);
	cr_assert_eq(recs[0].last_ms, EXPORT_MS - 1000);
}

Test(nf8, operator_sampling_interval_is_stored)
{
	size_t len = build(FRX_NF8_PROTO_PORT, 2);

	exporter.sampling_override = 100;
	cr_assert_eq(frx_nf8_decode(pdu, (uint32_t)len, &exporter, &rb, &info), FRX_OK);
	cr_assert_eq(recs[0].sampling_interval, 100);
	cr_assert_eq(recs[1].sampling_interval, 100);
	cr_assert_eq(recs[1].packets, 1001, "packets stay as exported (unscaled)");
}
