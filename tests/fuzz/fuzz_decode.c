/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer harness: every export decoder through frx_decode(), with a small
 * record buffer that refills a few times, as a worker's window does, and one
 * v9/IPFIX template cache kept across inputs (state is part of the attack
 * surface: templates learned from one datagram shape the next).
 * Differential: a second decoder takes every input with the AVX-512
 * permutation path off (frx_ipfix_set_simd), every other input also with
 * the grouped stores off (frx_ipfix_set_plan: the ops one by one), and
 * both must give the same status and the same records, byte for byte; v1-v7 records packed
 * straight from the wire (recbuf.pack, as the worker does) must be the
 * bytes of the decoded records packed. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "flowrec.h"
#include "ipfix.h"
#include "recpack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define WINDOW 64
#define REFILLS 4

/* Each decoder's records: a window of 64 that moves on at each refill. */
static struct frx_flowrec slots[2][WINDOW * (REFILLS + 1)];
static struct frx_decoder *dec[2];
static uint64_t now_ms = 1763900000000ull;
static int refills_left;
static unsigned long inputs; /* inputs seen: side 1's path alternates with it */

static int
refill(struct frx_recbuf *rb)
{
	if (refills_left-- <= 0)
		return -1;
	rb->recs += WINDOW;
	rb->count = 0;
	rb->capacity = WINDOW;
	return 0;
}

static enum frx_status
run(int side, const uint8_t *copy, size_t size, struct frx_pdu_info *info, uint32_t *stored)
{
	struct frx_exporter exp = { .port = 2055 };
	struct frx_recbuf rb;
	enum frx_status st;

	frx_addr_set_v4(exp.addr, "\x7f\x00\x00\x01");
	frx_recbuf_init_array(&rb, slots[side], WINDOW);
	rb.refill = refill;
	refills_left = REFILLS;
	frx_ipfix_set_simd(side == 0);
	/* side 1 alternates between the grouped stores and the ops one by one */
	frx_ipfix_set_plan(side == 0 || (inputs & 1));
	st = frx_decode(dec[side], copy, (uint32_t)size, &exp, now_ms, &rb, info);
	frx_ipfix_set_plan(1);
	*stored = (uint32_t)(rb.recs - slots[side]) + rb.count;
	return st;
}

/* v1-v7: pack side 0's records, and decode again packing directly; compare. */
static uint8_t packed[2][2048 * FRX_RECPACK_MAX];

static void
check_direct(const uint8_t *copy, size_t size, const struct frx_pdu_info *want, uint32_t stored)
{
	struct frx_exporter exp = { .port = 2055 };
	struct frx_recpack_stream a, b;
	struct frx_recbuf rb;
	struct frx_pdu_info info;
	static struct frx_flowrec win[WINDOW];

	frx_recpack_stream_init(&a, packed[0], sizeof(packed[0]), 2048, 0);
	if (frx_recpack_stream_add(&a, slots[0], stored) != stored)
		__builtin_trap();
	frx_addr_set_v4(exp.addr, "\x7f\x00\x00\x01");
	frx_recpack_stream_init(&b, packed[1], sizeof(packed[1]), 2048, 0);
	frx_recbuf_init_array(&rb, win, WINDOW);
	rb.pack = &b;
	if (frx_decode(dec[1], copy, (uint32_t)size, &exp, now_ms, &rb, &info) != FRX_OK ||
	    info.records_written != want->records_written || rb.count != 0 || b.count != stored ||
	    b.len != a.len || memcmp(packed[0], packed[1], a.len) != 0 || b.min_first_ms != a.min_first_ms ||
	    b.max_last_ms != a.max_last_ms) {
		fprintf(stderr, "fuzz_decode: direct packing differs: %u/%u records, %u/%u bytes\n", b.count, stored,
			b.len, a.len);
		__builtin_trap();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frx_pdu_info info[2];
	enum frx_status st[2];
	uint32_t stored[2];
	uint8_t *copy;

	if (size > 65535)
		return 0;
	if (dec[0] == NULL) {
		/* One decoder per side for the whole run: template state carries
		 * across inputs, as it does across datagrams. Small tables so the
		 * fuzzer reaches "full" and expiry paths. */
		struct frx_decoder_conf conf;

		frx_decoder_conf_defaults(&conf);
		conf.tmpl.max_sessions = 8;
		conf.tmpl.max_templates = 32;
		conf.tmpl.max_templates_per_session = 8;
		conf.tmpl.max_backlog = 8;
		conf.tmpl.max_backlog_per_session = 4;
		conf.tmpl.template_timeout_s = 30;
		conf.tmpl.backlog_timeout_s = 5;
		dec[0] = frx_decoder_create(&conf);
		dec[1] = frx_decoder_create(&conf);
		if (dec[0] == NULL || dec[1] == NULL)
			__builtin_trap();
	}
	copy = __builtin_malloc(size ? size : 1);
	memcpy(copy, data, size);
	for (int side = 0; side < 2; side++) {
		st[side] = run(side, copy, size, &info[side], &stored[side]);
		if (st[side] >= FRX_STATUS_MAX)
			__builtin_trap();
		if (st[side] == FRX_OK && info[side].records_written != info[side].count && info[side].version <= 7)
			__builtin_trap(); /* v1-v7: OK means every announced record was stored */
	}
	if (st[0] == FRX_OK && info[0].version >= 1 && info[0].version <= 7 && stored[0] <= 2048)
		check_direct(copy, size, &info[0], stored[0]);
	now_ms += 1000; /* templates and backlog age across inputs */
	inputs++;
	if (st[0] != st[1] || info[0].records_written != info[1].records_written || stored[0] != stored[1] ||
	    memcmp(slots[0], slots[1], stored[0] * sizeof(slots[0][0])) != 0) {
		/* the permutation and the portable stores disagree: say where */
		fprintf(stderr, "fuzz_decode: sides differ: status %d/%d, records %u/%u, stored %u/%u\n", st[0], st[1],
			info[0].records_written, info[1].records_written, stored[0], stored[1]);
		for (uint32_t i = 0; i < stored[0] && i < stored[1]; i++)
			for (size_t b = 0; b < sizeof(slots[0][0]); b++)
				if (((const uint8_t *)&slots[0][i])[b] != ((const uint8_t *)&slots[1][i])[b]) {
					fprintf(stderr, "fuzz_decode: record %u byte %zu: %02x/%02x\n", i, b,
						((const uint8_t *)&slots[0][i])[b], ((const uint8_t *)&slots[1][i])[b]);
					i = stored[0];
					break;
				}
		__builtin_trap();
	}
	__builtin_free(copy);
	return 0;
}
