/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer harness: every export decoder through frx_decode(), with a small
 * record buffer that refills a few times, as a worker's blocks do, and one
 * v9/IPFIX template cache kept across inputs (state is part of the attack
 * surface: templates learned from one datagram shape the next). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "decode.h"
#include "flowrec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct frx_flowrec slots[64];
static struct frx_decoder *dec;
static uint64_t now_ms = 1763900000000ull;
static int refills_left;

static int
refill(struct frx_recbuf *rb)
{
	if (refills_left-- <= 0)
		return -1;
	rb->recs = slots;
	rb->count = 0;
	rb->capacity = 64;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frx_exporter exp = { .port = 2055 };
	struct frx_recbuf rb;
	struct frx_pdu_info info;
	enum frx_status st;
	uint8_t *copy;

	if (size > 65535)
		return 0;
	if (dec == NULL) {
		/* One decoder for the whole run: template state carries across
		 * inputs, as it does across datagrams. Small tables so the
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
		dec = frx_decoder_create(&conf);
		if (dec == NULL)
			__builtin_trap();
	}
	copy = __builtin_malloc(size ? size : 1);
	memcpy(copy, data, size);
	frx_addr_set_v4(exp.addr, "\x7f\x00\x00\x01");
	frx_recbuf_init_array(&rb, slots, 64);
	rb.refill = refill;
	refills_left = 4;
	st = frx_decode(dec, copy, (uint32_t)size, &exp, now_ms, &rb, &info);
	now_ms += 1000; /* templates and backlog age across inputs */
	if (st >= FRX_STATUS_MAX)
		__builtin_trap();
	if (st == FRX_OK && info.records_written != info.count && info.version <= 7)
		__builtin_trap(); /* v1-v7: OK means every announced record was stored */
	__builtin_free(copy);
	return 0;
}
