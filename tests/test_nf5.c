/* SPDX-License-Identifier: BSD-3-Clause */
/* NetFlow v1/v5/v6/v7 decoder: hand-built PDUs, good and malformed. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "nf5.h"
#include "nfbuild.h"
#include "recpack.h"

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

TestSuite(nf5, .init = setup);

static struct tb_flow
sample_flow(unsigned int i)
{
	struct tb_flow f = {
		.src = tb_ip4("10.1.0.1") + i, .dst = tb_ip4("10.2.0.1"), .nexthop = tb_ip4("10.0.0.254"),
		.in_if = 3, .out_if = 7, .packets = 10 + i, .bytes = 1500 * (10 + i),
		.first_uptime = UPTIME - 60000, .last_uptime = UPTIME - 1000,
		.src_port = 1024 + (uint16_t)i, .dst_port = 443, .proto = 6, .tos = 0x28, .tcp_flags = 0x1b,
		.src_as = 64500, .dst_as = 64501, .src_mask = 24, .dst_mask = 16,
	};
	return f;
}

static size_t
build(unsigned int version, unsigned int n, uint16_t count_override)
{
	struct tb_flow flows[64];
	struct tb_hdr h = { .version = (uint16_t)version, .count = count_override, .sys_uptime = UPTIME,
			    .unix_secs = EXPORT_SECS, .unix_nsecs = EXPORT_NSECS, .sequence = 777,
			    .engine_type = 1, .engine_id = 9, .sampling = (1u << 14) | 100 };

	for (unsigned int i = 0; i < n; i++)
		flows[i] = sample_flow(i);
	return tb_build_nf(pdu, sizeof(pdu), &h, flows, n);
}

static void
check_common(const struct frx_flowrec *r, unsigned int i, unsigned int version)
{
	uint8_t want[16];

	cr_assert_eq(r->version, version);
	frx_addr_set_v4(want, "\x0a\x01\x00\x01");
	want[15] += (uint8_t)i;
	cr_assert_arr_eq(r->src_addr, want, 16);
	frx_addr_set_v4(want, "\x0a\x02\x00\x01");
	cr_assert_arr_eq(r->dst_addr, want, 16);
	frx_addr_set_v4(want, "\x0a\x00\x00\xfe");
	cr_assert_arr_eq(r->next_hop, want, 16);
	cr_assert_arr_eq(r->exporter_addr, exporter.addr, 16);
	cr_assert_eq(r->exporter_port, 40000);
	cr_assert_eq(r->in_if, 3);
	cr_assert_eq(r->out_if, 7);
	cr_assert_eq(r->packets, 10 + i);
	cr_assert_eq(r->bytes, 1500 * (10 + i));
	cr_assert_eq(r->first_ms, EXPORT_MS - 60000);
	cr_assert_eq(r->last_ms, EXPORT_MS - 1000);
	cr_assert_eq(r->src_port, 1024 + i);
	cr_assert_eq(r->dst_port, 443);
	cr_assert_eq(r->proto, 6);
	cr_assert_eq(r->tos, 0x28);
	cr_assert_eq(r->tcp_flags, 0x1b);
	cr_assert_eq(r->domain, 0);
	cr_assert_eq(r->flags & FRX_REC_F_IPV6, 0);
}

Test(nf5, v5_fields_decoded_into_record)
{
	size_t len = build(5, 3, 0);

	cr_assert_eq(frx_nf5_decode(pdu, (uint32_t)len, &exporter, &rb, &info), FRX_OK);
	cr_assert_eq(rb.count, 3);
	cr_assert_eq(info.records_written, 3);
	cr_assert_eq(info.sequence, 777);
	cr_assert_eq(info.engine_type, 1);
	cr_assert_eq(info.engine_id, 9);
	for (unsigned int i = 0; i < 3; i++) {
		check_common(&recs[i], i, 5);
		cr_assert_eq(recs[i].src_as, 64500);
		cr_assert_eq(recs[i].dst_as, 64501);
		cr_assert_eq(recs[i].src_mask, 24);
		cr_assert_eq(recs[i].dst_mask, 16);
		cr_assert_eq(recs[i].engine_type, 1);
		cr_assert_eq(recs[i].engine_id, 9);
		cr_assert_eq(recs[i].sampling_mode, 1, "sampling mode is the top two bits");
		cr_assert_eq(recs[i].sampling_interval, 100, "sampling interval is the low 14 bits");
	}
}

Test(nf5, v1_has_its_own_tail_layout)
{
	size_t len = build(1, 2, 0);

	cr_assert_eq(len, 16 + 2 * 48);
	cr_assert_eq(frx_nf5_decode(pdu, (uint32_t)len, &exporter, &rb, &info), FRX_OK);
	cr_assert_eq(rb.count, 2);
	for (unsigned int i = 0; i < 2; i++) {
		check_common(&recs[i], i, 1);
		cr_assert_eq(recs[i].src_as, 0, "v1 has no AS numbers");
		cr_assert_eq(recs[i].src_mask, 0);
		cr_assert_eq(recs[i].engine_id, 0);
		cr_assert_eq(recs[i].sampling_interval, 0);
	}
	cr_assert_eq(info.sequence, 0, "v1 has no sequence number");
}

Test(nf5, v6_and_v7_records_are_52_bytes)
{
	size_t len = build(6, 4, 0);

	cr_assert_eq(len, 24 + 4 * 52);
	cr_assert_eq(frx_nf5_decode(pdu, (uint32_t)len, &exporter, &rb, &info), FRX_OK);
	for (unsigned int i = 0; i < 4; i++) {
		check_common(&recs[i], i, 6);
		cr_assert_eq(recs[i].dst_as, 64501);
	}

	frx_recbuf_init_array(&rb, recs, 2048);
	len = build(7, 4, 0);
	cr_assert_eq(frx_nf5_decode(pdu, (uint32_t)len, &exporter, &rb, &info), FRX_OK);
	for (unsigned int i = 0; i < 4; i++) {
		check_common(&recs[i], i, 7);
		cr_assert_eq(recs[i].engine_type, 0, "v7 header has no engine fields");
		cr_assert_eq(recs[i].dst_mask, 16);
	}
}

Test(nf5, truncated_header_is_dropped)
{
	size_t len = build(5, 1, 0);

	(void)len;
	cr_assert_eq(frx_nf5_decode(pdu, 23, &exporter, &rb, &info), FRX_ETRUNCATED);
	cr_assert_eq(frx_nf5_decode(pdu, 3, &exporter, &rb, &info), FRX_ETRUNCATED);
	build(1, 1, 0);
	cr_assert_eq(frx_nf5_decode(pdu, 15, &exporter, &rb, &info), FRX_ETRUNCATED);
	cr_assert_eq(rb.count, 0);
}

Test(nf5, count_larger_than_datagram_is_dropped_whole)
{
	size_t len = build(5, 3, 4); /* header says 4, datagram holds 3 */

	cr_assert_eq(frx_nf5_decode(pdu, (uint32_t)len, &exporter, &rb, &info), FRX_EBAD_COUNT);
	cr_assert_eq(rb.count, 0, "nothing of a lying PDU is stored");
}

Test(nf5, trailing_bytes_after_records_are_a_bad_count)
{
	size_t len = build(5, 3, 0);

	cr_assert_eq(frx_nf5_decode(pdu, (uint32_t)len + 10, &exporter, &rb, &info), FRX_EBAD_COUNT);
	cr_assert_eq(frx_nf5_decode(pdu, (uint32_t)len - 1, &exporter, &rb, &info), FRX_EBAD_COUNT);
	cr_assert_eq(rb.count, 0);
}

Test(nf5, zero_count_is_dropped)
{
	size_t len = build(5, 0, 0);

	cr_assert_eq(frx_nf5_decode(pdu, (uint32_t)len, &exporter, &rb, &info), FRX_EZERO_COUNT);
}

Test(nf5, wrong_version_is_dropped)
{
	size_t len = build(5, 1, 0);

	pdu[1] = 4;
	cr_assert_eq(frx_nf5_decode(pdu, (uint32_t)len, &exporter, &rb, &info), FRX_EBAD_VERSION);
	pdu[1] = 9;
	cr_assert_eq(frx_nf5_decode(pdu, (uint32_t)len, &exporter, &rb, &info), FRX_EBAD_VERSION);
	pdu[0] = 0xff;
	{
		struct frx_decoder_conf conf;
		struct frx_decoder *dec;

		frx_decoder_conf_defaults(&conf);
		dec = frx_decoder_create(&conf);
		cr_assert_not_null(dec);
		cr_assert_eq(frx_decode(dec, pdu, (uint32_t)len, &exporter, 0, &rb, &info), FRX_EBAD_VERSION);
		frx_decoder_free(dec);
	}
	cr_assert_eq(rb.count, 0);
}

Test(nf5, count_above_spec_is_kept_and_flagged)
{
	/* softflowd -v 1 sends 29 records; the v1 spec allows 24. */
	size_t len = build(1, 29, 0);

	cr_assert_eq(frx_nf5_decode(pdu, (uint32_t)len, &exporter, &rb, &info), FRX_OK);
	cr_assert_eq(rb.count, 29);
	cr_assert(info.count_above_spec);
	cr_assert(recs[28].flags & FRX_REC_F_COUNT_ABOVE_SPEC);

	frx_recbuf_init_array(&rb, recs, 2048);
	len = build(5, 30, 0);
	cr_assert_eq(frx_nf5_decode(pdu, (uint32_t)len, &exporter, &rb, &info), FRX_OK);
	cr_assert_not(info.count_above_spec, "30 is the v5 maximum, not above it");
}

Test(nf5, full_buffer_keeps_what_fit_and_reports_no_block)
{
	size_t len = build(5, 10, 0);

	frx_recbuf_init_array(&rb, recs, 4);
	cr_assert_eq(frx_nf5_decode(pdu, (uint32_t)len, &exporter, &rb, &info), FRX_ENO_BLOCK);
	cr_assert_eq(rb.count, 4);
	cr_assert_eq(info.records_written, 4);
	cr_assert_eq(info.count, 10);
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

Test(nf5, records_continue_in_the_next_block_after_a_refill)
{
	size_t len = build(5, 6, 0);

	refills = 0;
	frx_recbuf_init_array(&rb, recs, 2);
	rb.refill = refill_once;
	cr_assert_eq(frx_nf5_decode(pdu, (uint32_t)len, &exporter, &rb, &info), FRX_OK);
	cr_assert_eq(refills, 1);
	cr_assert_eq(second[3].src_port, 1024 + 5, "record 6 is the 4th of the new block");
}

Test(nf5, times_cross_the_uptime_wrap)
{
	/* Exporter uptime wrapped 10 s ago; the flow started 50 s ago. */
	struct tb_flow f = sample_flow(0);
	struct tb_hdr h = { .version = 5, .sys_uptime = 10000, .unix_secs = EXPORT_SECS };
	size_t len;

	f.first_uptime = (uint32_t)(10000 - 50000); /* before the wrap: 0xffff63c0 */
	f.last_uptime = 5000;
	len = tb_build_nf(pdu, sizeof(pdu), &h, &f, 1);
	cr_assert_eq(frx_nf5_decode(pdu, (uint32_t)len, &exporter, &rb, &info), FRX_OK);
	cr_assert_eq(recs[0].first_ms, EXPORT_SECS * 1000ull - 50000);
	cr_assert_eq(recs[0].last_ms, EXPORT_SECS * 1000ull - 5000);
}

Test(nf5, every_truncation_of_a_good_pdu_is_refused)
{
	size_t len = build(7, 5, 0);

	for (uint32_t cut = 0; cut < len; cut++) {
		frx_recbuf_init_array(&rb, recs, 2048);
		cr_assert_neq(frx_nf5_decode(pdu, cut, &exporter, &rb, &info), FRX_OK, "cut at %u", cut);
		cr_assert_eq(rb.count, 0);
	}
}

/* ------------------------------------------------- direct packing (worker) */

/* Sealed payloads of one packing path, as a worker's blocks. */
struct payloads {
	uint8_t data[256][2048];
	uint32_t len[256], count[256];
	uint64_t min_first[256], max_last[256];
	unsigned int n;
	struct frx_recpack_stream s;
};

static struct payloads pa, pb;

static void
payload_start(struct payloads *p)
{
	cr_assert_lt(p->n, 256);
	frx_recpack_stream_init(&p->s, p->data[p->n], sizeof(p->data[0]), 40, 0);
}

static void
payload_seal(struct payloads *p)
{
	p->len[p->n] = p->s.len;
	p->count[p->n] = p->s.count;
	p->min_first[p->n] = p->s.min_first_ms;
	p->max_last[p->n] = p->s.max_last_ms;
	p->n++;
	payload_start(p);
}

static int
direct_full(struct frx_recbuf *b)
{
	(void)b;
	payload_seal(&pb);
	return 0;
}

/* Path A's window: packed into pa at the end of each datagram, as a worker does. */
static void
pack_window(struct frx_recbuf *b)
{
	uint32_t done = 0;

	while (done < b->count) {
		done += frx_recpack_stream_add(&pa.s, &b->recs[done], b->count - done);
		if (done < b->count)
			payload_seal(&pa);
	}
	b->count = 0;
}

static uint32_t
pick32(unsigned int *seed)
{
	return (uint32_t)rand_r(seed) << 16 ^ (uint32_t)rand_r(seed);
}

/*
 * v1/v5/v6/v7 datagrams from changing exporters (IPv4 and IPv6, uptime in
 * seconds or not, sampling overridden or not), with times that wrap, run
 * backwards or jump: decoding into the window and packing it, and packing
 * straight from the wire (frx_recpack_stream_add_v4flow), give the same
 * payloads byte for byte, split into blocks at the same records.
 */
Test(nf5, direct_packing_equals_decoding_then_packing)
{
	static const unsigned int versions[] = { 1, 5, 6, 7 };
	static struct frx_flowrec win[64];
	unsigned int seed = 99, records = 0;

	memset(&pa, 0, sizeof(pa));
	memset(&pb, 0, sizeof(pb));
	payload_start(&pa);
	payload_start(&pb);
	for (unsigned int round = 0; round < 400 && pa.n < 250 && pb.n < 250; round++) {
		struct tb_flow flows[30];
		unsigned int n = 1 + (unsigned int)rand_r(&seed) % 30, version = versions[rand_r(&seed) % 4];
		uint32_t uptime = pick32(&seed);
		struct tb_hdr h = { .version = (uint16_t)version, .sys_uptime = uptime,
				    .unix_secs = EXPORT_SECS + round, .unix_nsecs = (uint32_t)rand_r(&seed) % 1000000000u,
				    .sequence = round, .engine_type = (uint8_t)(rand_r(&seed) % 2),
				    .engine_id = (uint8_t)(rand_r(&seed) % 3), .sampling = (uint16_t)rand_r(&seed) };
		struct frx_recbuf ra, rbd;
		struct frx_pdu_info ia, ib;
		size_t len;

		for (unsigned int i = 0; i < n; i++) {
			struct tb_flow *f = &flows[i];

			f->src = pick32(&seed);
			f->dst = pick32(&seed);
			f->nexthop = rand_r(&seed) % 2 ? 0 : pick32(&seed);
			f->in_if = (uint16_t)rand_r(&seed);
			f->out_if = (uint16_t)rand_r(&seed);
			f->packets = pick32(&seed);
			f->bytes = pick32(&seed);
			f->first_uptime = rand_r(&seed) % 3 ? uptime - (uint32_t)rand_r(&seed) % 600000 : pick32(&seed);
			f->last_uptime = rand_r(&seed) % 4 ? f->first_uptime + (uint32_t)rand_r(&seed) % 60000
							   : pick32(&seed);
			f->src_port = (uint16_t)rand_r(&seed);
			f->dst_port = (uint16_t)rand_r(&seed);
			f->proto = (uint8_t)rand_r(&seed);
			f->tos = (uint8_t)rand_r(&seed);
			f->tcp_flags = (uint8_t)rand_r(&seed);
			f->src_as = (uint16_t)rand_r(&seed);
			f->dst_as = (uint16_t)rand_r(&seed);
			f->src_mask = (uint8_t)rand_r(&seed);
			f->dst_mask = (uint8_t)rand_r(&seed);
		}
		len = tb_build_nf(pdu, sizeof(pdu), &h, flows, n);
		/* a few exporters, so the context changes between datagrams */
		memset(&exporter, 0, sizeof(exporter));
		switch (rand_r(&seed) % 3) {
		case 0:
			frx_addr_set_v4(exporter.addr, "\xc0\x00\x02\x01");
			break;
		case 1:
			frx_addr_set_v4(exporter.addr, "\xc0\x00\x02\x02");
			exporter.uptime_in_seconds = 1;
			break;
		default:
			exporter.addr[0] = 0x20;
			exporter.addr[1] = 0x01;
			exporter.addr[15] = 7;
			exporter.is_v6 = 1;
			exporter.sampling_override = 1000;
			break;
		}
		exporter.port = (uint16_t)(2055 + rand_r(&seed) % 2);

		frx_recbuf_init_array(&ra, win, 64);
		cr_assert_eq(frx_nf5_decode(pdu, (uint32_t)len, &exporter, &ra, &ia), FRX_OK);
		pack_window(&ra);

		frx_recbuf_init_array(&rbd, win, 64);
		rbd.pack = &pb.s;
		rbd.pack_full = direct_full;
		cr_assert_eq(frx_nf5_decode(pdu, (uint32_t)len, &exporter, &rbd, &ib), FRX_OK);
		cr_assert_eq(rbd.count, 0, "the window stays empty");
		cr_assert_eq(ia.records_written, ib.records_written);
		records += ib.records_written;
	}
	payload_seal(&pa);
	payload_seal(&pb);
	cr_assert_eq(pa.n, pb.n, "%u blocks vs %u", pa.n, pb.n);
	cr_assert_gt(pa.n, 20);
	for (unsigned int k = 0; k < pa.n; k++) {
		static struct frx_flowrec back[40];

		cr_assert_eq(pa.count[k], pb.count[k], "block %u", k);
		cr_assert_eq(pa.len[k], pb.len[k], "block %u: %u vs %u bytes", k, pa.len[k], pb.len[k]);
		cr_assert_eq(memcmp(pa.data[k], pb.data[k], pa.len[k]), 0, "block %u differs", k);
		cr_assert_eq(pa.min_first[k], pb.min_first[k]);
		cr_assert_eq(pa.max_last[k], pb.max_last[k]);
		cr_assert_eq(frx_recpack_unpack(pb.data[k], pb.len[k], pb.count[k], back), 0);
	}
	cr_assert_gt(records, 4000);
}

/* A record of another version already in the window is packed first. */
static int
window_first(struct frx_recbuf *b)
{
	uint32_t took = frx_recpack_stream_add(&pb.s, b->recs, b->count);

	cr_assert_eq(took, b->count);
	b->count = 0;
	return 0;
}

Test(nf5, direct_packing_keeps_the_window_records_first)
{
	static struct frx_flowrec win[4], back[40];
	struct frx_recbuf b;
	size_t len = build(5, 3, 0);

	memset(&pb, 0, sizeof(pb));
	payload_start(&pb);
	frx_recbuf_init_array(&b, win, 4);
	cr_assert_eq(frx_nf5_decode(pdu, (uint32_t)len, &exporter, &b, &info), FRX_OK);
	win[0].src_port = 4242; /* "another" record, waiting in the window */
	b.count = 1;
	b.refill = window_first;
	b.pack = &pb.s;
	b.pack_full = direct_full;
	cr_assert_eq(frx_nf5_decode(pdu, (uint32_t)len, &exporter, &b, &info), FRX_OK);
	cr_assert_eq(pb.s.count, 4);
	cr_assert_eq(frx_recpack_unpack(pb.s.out, pb.s.len, 4, back), 0);
	cr_assert_eq(back[0].src_port, 4242);
	for (unsigned int i = 1; i < 4; i++)
		check_common(&back[i], i - 1, 5);
}
