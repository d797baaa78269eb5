/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer harness: the rules file parser and compiler (libinih, hyperscan),
 * then the compiled set on a few records with strings (a bad file must be
 * refused with a FILE:LINE error, never crash; a good one must classify
 * without reading out of bounds). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "flowrec.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frx_ruleset *rs = NULL;
	struct frx_rules_scratch *s;
	struct frx_flowrec rec[3];
	struct frx_rec_strings str;
	char err[512];

	if (size > 16384)
		return 0;
	if (frx_rules_parse_string((const char *)data, size, "fuzz.ini", &rs, err, sizeof(err)) != 0) {
		if (err[0] == '\0')
			__builtin_trap(); /* every refusal says why */
		return 0;
	}
	s = frx_rules_scratch_alloc(rs);
	if (s != NULL) {
		memset(rec, 0, sizeof(rec));
		frx_addr_set_v4(rec[0].src_addr, "\x0a\x01\x02\x03");
		frx_addr_set_v4(rec[0].dst_addr, "\xc0\x00\x02\x01");
		frx_addr_set_v4(rec[0].exporter_addr, "\xc0\x00\x02\x09");
		rec[0].proto = 6;
		rec[0].dst_port = 443;
		rec[0].tcp_flags = 0x12;
		rec[1].flags = FRX_REC_F_IPV6;
		rec[1].src_addr[0] = 0x20;
		rec[1].src_addr[1] = 0x01;
		rec[2].in_if = UINT32_MAX;
		rec[2].src_as = UINT32_MAX;
		memset(&str, 0, sizeof(str));
		str.ptr[FRX_STR_APPLICATION] = (const uint8_t *)"netflix\0\0";
		str.len[FRX_STR_APPLICATION] = 9;
		str.ptr[FRX_STR_IN_IF_NAME] = (const uint8_t *)"";
		str.len[FRX_STR_IN_IF_NAME] = 0;
		for (int i = 0; i < 3; i++) {
			int w = frx_rules_classify(rs, s, &rec[i], i == 2 ? NULL : &str);

			if (w >= (int)rs->nb_rules)
				__builtin_trap();
		}
		frx_rules_scratch_free(s);
	}
	frx_rules_free(rs);
	return 0;
}
