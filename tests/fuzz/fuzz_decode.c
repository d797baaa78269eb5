/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer harness: every export decoder through frx_decode(), with a small
 * record buffer that refills a few times, as a worker's blocks do. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "decode.h"
#include "flowrec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct frx_flowrec slots[64];
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
	copy = __builtin_malloc(size ? size : 1);
	memcpy(copy, data, size);
	frx_addr_set_v4(exp.addr, "\x7f\x00\x00\x01");
	frx_recbuf_init_array(&rb, slots, 64);
	rb.refill = refill;
	refills_left = 4;
	st = frx_decode(copy, (uint32_t)size, &exp, &rb, &info);
	if (st >= FRX_STATUS_MAX)
		__builtin_trap();
	if (st == FRX_OK && info.records_written != info.count && info.version <= 7)
		__builtin_trap(); /* v1-v7: OK means every announced record was stored */
	__builtin_free(copy);
	return 0;
}
