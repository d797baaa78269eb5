/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer harness: the reader's filter compiler, then the compiled filter
 * on a few records (a bad expression must be refused with an error, never
 * crash; a good one must evaluate without reading out of bounds). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "flowrec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frx_filter_error err;
	struct frx_filter *f = NULL;
	struct frx_flowrec rec[3];
	char *expr;

	if (size > 4096)
		return 0;
	expr = malloc(size + 1);
	memcpy(expr, data, size);
	expr[size] = '\0';
	if (frx_filter_compile(expr, &f, &err) == 0 && f != NULL) {
		memset(rec, 0, sizeof(rec));
		frx_addr_set_v4(rec[0].src_addr, "\x0a\x00\x00\x01");
		rec[0].proto = 6;
		rec[0].packets = 10;
		rec[0].bytes = 1500;
		rec[0].last_ms = 1000;
		rec[1].flags = FRX_REC_F_IPV6;
		rec[1].src_addr[0] = 0x20;
		rec[2].packets = UINT64_MAX;
		rec[2].first_ms = UINT64_MAX;
		for (int i = 0; i < 3; i++)
			(void)frx_filter_match(f, &rec[i]);
		frx_filter_free(f);
	}
	free(expr);
	return 0;
}
