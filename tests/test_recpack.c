/* SPDX-License-Identifier: BSD-3-Clause */
/* Packed records: every record packs and unpacks to itself byte for byte,
 * typical records get small, and the unpacker refuses anything else. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flowrec.h"
#include "recpack.h"

static uint64_t
pick64(unsigned int *seed)
{
	static const uint64_t edge[] = { 0, 1, 0xffffffffull, 0x100000000ull, UINT64_MAX };

	if (rand_r(seed) % 3 == 0)
		return edge[(unsigned int)rand_r(seed) % 5];
	return ((uint64_t)rand_r(seed) << 33) ^ ((uint64_t)rand_r(seed) << 11) ^ (uint64_t)rand_r(seed);
}

/* A record that mixes shapes: IPv4 or IPv6 flow and exporter, short or
 * huge durations, small or 64-bit counters, extras set or not, and a
 * context shared with the record before it half of the time. */
static void
random_record(struct frx_flowrec *r, const struct frx_flowrec *prev, unsigned int *seed)
{
	uint8_t *p = (uint8_t *)r;

	for (size_t i = 0; i < sizeof(*r); i++)
		p[i] = (uint8_t)rand_r(seed);
	if (rand_r(seed) % 2) {
		uint8_t v4[4] = { 10, (uint8_t)rand_r(seed), 0, 255 }, w4[4] = { 0, 0, 0, 0 };

		frx_addr_set_v4(r->src_addr, v4);
		frx_addr_set_v4(r->dst_addr, w4);
		frx_addr_set_v4(r->next_hop, v4);
	}
	if (rand_r(seed) % 2)
		frx_addr_set_v4(r->exporter_addr, "\xc0\x00\x02\x01");
	r->first_ms = pick64(seed);
	r->last_ms = rand_r(seed) % 2 ? r->first_ms + (uint64_t)rand_r(seed) : pick64(seed);
	r->packets = pick64(seed);
	r->bytes = pick64(seed);
	switch (rand_r(seed) % 3) {
	case 0: /* no extras */
		r->class_id = 0;
		r->direction = 0;
		r->forwarding_status = 0;
		r->src_vlan = 0;
		r->dst_vlan = 0;
		r->flows = 1;
		memset(r->reserved, 0, sizeof(r->reserved));
		break;
	case 1: /* the short extra group (an IPFIX direction, VLANs) */
		r->flows = 1;
		memset(r->reserved, 0, sizeof(r->reserved));
		break;
	default: /* all of them */
		break;
	}
	if (prev && rand_r(seed) % 2) {
		memcpy(r->exporter_addr, prev->exporter_addr, 16);
		r->exporter_port = prev->exporter_port;
		r->domain = prev->domain;
		r->sampling_interval = prev->sampling_interval;
		r->version = prev->version;
		r->engine_type = prev->engine_type;
		r->engine_id = prev->engine_id;
		r->sampling_mode = prev->sampling_mode;
	}
}

Test(recpack, random_records_round_trip_byte_for_byte)
{
	static struct frx_flowrec in[1400], out[1400];
	static uint8_t buf[1400 * FRX_RECPACK_MAX];
	unsigned int seed = 4242;

	for (int round = 0; round < 50; round++) {
		uint32_t n = 1 + (uint32_t)rand_r(&seed) % 1400;
		size_t len;

		for (uint32_t i = 0; i < n; i++)
			random_record(&in[i], i ? &in[i - 1] : NULL, &seed);
		len = frx_recpack_pack(in, n, buf);
		cr_assert_leq(len, n * FRX_RECPACK_MAX);
		cr_assert_geq(len, n * FRX_RECPACK_MIN);
		memset(out, 0xa5, sizeof(out));
		cr_assert_eq(frx_recpack_unpack(buf, len, n, out), 0, "round %d", round);
		for (uint32_t i = 0; i < n; i++)
			cr_assert_eq(memcmp(&in[i], &out[i], sizeof(in[i])), 0, "round %d record %u", round, i);
	}
}

/* What a decoder makes of one v5 datagram: one context, IPv4, 32-bit. */
Test(recpack, v5_datagram_packs_to_48_bytes_a_record)
{
	struct frx_flowrec recs[30];
	uint8_t buf[30 * FRX_RECPACK_MAX];
	size_t len;

	memset(recs, 0, sizeof(recs));
	for (int i = 0; i < 30; i++) {
		struct frx_flowrec *r = &recs[i];
		uint8_t a[4] = { 10, 1, (uint8_t)i, 7 };

		frx_addr_set_v4(r->src_addr, a);
		frx_addr_set_v4(r->dst_addr, a);
		frx_addr_set_v4(r->next_hop, a);
		frx_addr_set_v4(r->exporter_addr, "\xc0\x00\x02\x01");
		r->first_ms = 1763900000000ull + (uint64_t)i;
		r->last_ms = r->first_ms + 30000;
		r->packets = 10;
		r->bytes = 15000;
		r->version = 5;
		r->flows = 1;
		r->exporter_port = 2055;
		r->src_as = 65000;
		r->in_if = (uint32_t)i;
	}
	len = frx_recpack_pack(recs, 30, buf);
	/* the first record carries the exporter context (4 + 2 + 4 + 4 + 4
	 * bytes) and its whole start time (4 more) */
	cr_assert_eq(len, 30 * 48 + 18 + 4, "%zu bytes", len);
	/* a 32-bit AS number takes its 4 bytes (8 more for the four fields) */
	recs[7].dst_as = 4200000000u;
	cr_assert_eq(frx_recpack_pack(recs, 30, buf), 30 * 48 + 18 + 4 + 8);
	/* a start time more than 24 days from the previous record's is whole */
	recs[9].first_ms -= 0x90000000ull;
	recs[9].last_ms = recs[9].first_ms;
	len = frx_recpack_pack(recs, 30, buf);
	cr_assert_eq(len, 30 * 48 + 18 + 4 + 8 + 4 + 4, "%zu bytes", len);
}

Test(recpack, unpacker_refuses_wrong_counts_and_garbage)
{
	struct frx_flowrec in[3], out[4];
	uint8_t buf[3 * FRX_RECPACK_MAX + 8];
	unsigned int seed = 7;
	size_t len;

	for (int i = 0; i < 3; i++)
		random_record(&in[i], i ? &in[i - 1] : NULL, &seed);
	len = frx_recpack_pack(in, 3, buf);
	cr_assert_eq(frx_recpack_unpack(buf, len, 3, out), 0);
	cr_assert_eq(frx_recpack_unpack(buf, len, 2, out), -EINVAL, "trailing bytes accepted");
	cr_assert_eq(frx_recpack_unpack(buf, len, 4, out), -EINVAL, "missing record accepted");
	cr_assert_eq(frx_recpack_unpack(buf, len - 1, 3, out), -EINVAL, "short payload accepted");
	cr_assert_eq(frx_recpack_unpack(buf, 0, 0, out), 0);

	buf[0] |= 0x08; /* "same context as before" on the first record */
	cr_assert_eq(frx_recpack_unpack(buf, len, 3, out), -EINVAL);
	buf[0] = 0x80; /* unknown kind bit */
	cr_assert_eq(frx_recpack_unpack(buf, len, 3, out), -EINVAL);
	buf[0] = 0x60; /* both extra groups */
	cr_assert_eq(frx_recpack_unpack(buf, len, 3, out), -EINVAL);

	/* random bytes: refused or accepted, never read past the end (ASan) */
	for (int round = 0; round < 20000; round++) {
		size_t n = (size_t)rand_r(&seed) % sizeof(buf);
		uint8_t *junk = malloc(n ? n : 1);

		for (size_t i = 0; i < n; i++)
			junk[i] = (uint8_t)(rand_r(&seed) % 4 ? rand_r(&seed) & 0x7f : rand_r(&seed));
		(void)frx_recpack_unpack(junk, n, 1 + (uint32_t)rand_r(&seed) % 4, out);
		free(junk);
	}
}

/* The worker's way: records added a few at a time (as bursts end) fill
 * payloads that unpack to exactly those records, the same bytes as one
 * frx_recpack_pack() of each payload's records, with the block's times. */
Test(recpack, stream_in_pieces_equals_packing_at_once)
{
	enum { N = 5000, CAP = 1400 * 160 };
	struct frx_flowrec *recs = malloc(N * sizeof(*recs)), *back = malloc(1400 * sizeof(*back));
	uint8_t *payload = malloc(CAP), *whole = malloc(1400 * FRX_RECPACK_MAX);
	struct frx_recpack_stream s;
	unsigned int seed = 7;
	uint32_t done = 0, blocks = 0;

	cr_assert(recs && back && payload && whole);
	for (uint32_t i = 0; i < N; i++)
		random_record(&recs[i], i ? &recs[i - 1] : NULL, &seed);
	frx_recpack_stream_init(&s, payload, CAP, 1400, 0);
	while (done < N) {
		uint32_t want = 1 + (uint32_t)rand_r(&seed) % 300, first = done - s.count;
		uint32_t n = want < N - done ? want : N - done;
		uint32_t took = frx_recpack_stream_add(&s, &recs[done], n);

		done += took;
		if (took < n || done == N) {
			uint64_t lo = UINT64_MAX, hi = 0;

			/* full (or the end): one block's worth */
			cr_assert(s.count == 1400 || s.cap - s.len < FRX_RECPACK_MAX || done == N);
			cr_assert_eq(frx_recpack_pack(&recs[first], s.count, whole), s.len);
			cr_assert_eq(memcmp(whole, payload, s.len), 0);
			cr_assert_eq(frx_recpack_unpack(payload, s.len, s.count, back), 0);
			cr_assert_eq(memcmp(back, &recs[first], s.count * sizeof(*back)), 0);
			for (uint32_t i = first; i < first + s.count; i++) {
				lo = recs[i].first_ms < lo ? recs[i].first_ms : lo;
				hi = recs[i].last_ms > hi ? recs[i].last_ms : hi;
			}
			cr_assert_eq(s.min_first_ms, lo);
			cr_assert_eq(s.max_last_ms, hi);
			blocks++;
			frx_recpack_stream_init(&s, payload, CAP, 1400, 0);
		}
	}
	cr_assert_geq(blocks, 4);
	free(recs);
	free(back);
	free(payload);
	free(whole);
}

/* Whole records (format 1): copied as they are, at most what fits. */
Test(recpack, stream_of_whole_records_stops_when_full)
{
	struct frx_flowrec recs[10];
	uint8_t payload[3 * sizeof(struct frx_flowrec) + 100];
	struct frx_recpack_stream s;
	unsigned int seed = 3;

	for (int i = 0; i < 10; i++)
		random_record(&recs[i], i ? &recs[i - 1] : NULL, &seed);
	frx_recpack_stream_init(&s, payload, sizeof(payload), 1400, 1);
	cr_assert_eq(frx_recpack_stream_add(&s, recs, 2), 2);
	cr_assert_eq(frx_recpack_stream_add(&s, &recs[2], 8), 1);
	cr_assert_eq(s.count, 3);
	cr_assert_eq(s.len, 3 * sizeof(struct frx_flowrec));
	cr_assert_eq(memcmp(payload, recs, s.len), 0);
	/* and a record limit holds in either form */
	frx_recpack_stream_init(&s, payload, sizeof(payload), 2, 0);
	cr_assert_eq(frx_recpack_stream_add(&s, recs, 10), 2);
}

/* An IPFIX record with a direction and a forwarding status (and nothing
 * else unusual) takes the short extra group: 8 bytes, not 24. */
Test(recpack, direction_and_forwarding_status_take_eight_bytes)
{
	struct frx_flowrec r[2], back[2];
	uint8_t buf[2 * FRX_RECPACK_MAX];

	memset(r, 0, sizeof(r));
	for (int i = 0; i < 2; i++) {
		frx_addr_set_v4(r[i].src_addr, "\x0a\x00\x00\x01");
		frx_addr_set_v4(r[i].dst_addr, "\x0a\x00\x00\x02");
		frx_addr_set_v4(r[i].next_hop, "\x00\x00\x00\x00");
		frx_addr_set_v4(r[i].exporter_addr, "\xc0\x00\x02\x01");
		r[i].flows = 1;
		r[i].version = 10;
	}
	r[1].direction = 1;
	r[1].forwarding_status = 64;
	/* the first record: its whole start time and the exporter context */
	cr_assert_eq(frx_recpack_pack(r, 2, buf), (size_t)(FRX_RECPACK_MIN + 4 + 18 + FRX_RECPACK_MIN + 8));
	cr_assert_eq(frx_recpack_unpack(buf, FRX_RECPACK_MIN + 4 + 18 + FRX_RECPACK_MIN + 8, 2, back), 0);
	cr_assert_eq(memcmp(r, back, sizeof(r)), 0);
}
