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
	if (rand_r(seed) % 2) {
		r->class_id = 0;
		r->direction = 0;
		r->forwarding_status = 0;
		r->src_vlan = 0;
		r->dst_vlan = 0;
		r->flows = 1;
		memset(r->reserved, 0, sizeof(r->reserved));
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
Test(recpack, v5_datagram_packs_to_59_bytes_a_record)
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
	}
	len = frx_recpack_pack(recs, 30, buf);
	/* the first record carries the exporter context (4 + 2 + 4 + 4 + 4 bytes) */
	cr_assert_eq(len, 30 * 59 + 18, "%zu bytes", len);
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
	buf[0] = 0xc0; /* unknown kind bits */
	cr_assert_eq(frx_recpack_unpack(buf, len, 3, out), -EINVAL);

	/* random bytes: refused or accepted, never read past the end (ASan) */
	for (int round = 0; round < 20000; round++) {
		size_t n = (size_t)rand_r(&seed) % sizeof(buf);
		uint8_t *junk = malloc(n ? n : 1);

		for (size_t i = 0; i < n; i++)
			junk[i] = (uint8_t)(rand_r(&seed) % 4 ? rand_r(&seed) & 0x3f : rand_r(&seed));
		(void)frx_recpack_unpack(junk, n, 1 + (uint32_t)rand_r(&seed) % 4, out);
		free(junk);
	}
}
