/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer harness: the saved-template file (flowrx-templates.txt) that
 * flowrx reads at start, then data decoded against what it loaded. The file
 * lives in the state directory and may be damaged (full disk, an editor, an
 * attacker with write access there): a bad line is skipped, and any template
 * it does accept must be as safe to decode with as one from the wire. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "decode.h"
#include "flowrec.h"
#include "tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW_MS 1763900000000ull

static struct frx_decoder *dec;
static struct frx_flowrec slots[256];

static void
load_one(const struct frx_tmpl_session_key *key, uint16_t id, const struct frx_tmpl_field *fields,
	 uint16_t nb_fields, uint16_t nb_scope, int options, uint64_t last_seen_ms, void *arg)
{
	uint32_t session = frx_tmpl_session_get(dec->tmpl, key, last_seen_ms);

	(void)arg;
	if (session != UINT32_MAX)
		frx_tmpl_insert(dec->tmpl, session, id, fields, nb_fields, nb_scope, options, last_seen_ms);
}

/* A v9 or IPFIX datagram from 192.0.2.1:4000, domain 1, with one data set
 * for template id of len bytes of a fixed pattern. */
static uint32_t
build_data(uint8_t *buf, int version, uint16_t id, uint16_t len)
{
	uint32_t hlen = version == 10 ? 16 : 20, total = hlen + 4 + len;

	memset(buf, 0, hlen);
	buf[1] = (uint8_t)version;
	if (version == 10) {
		buf[2] = (uint8_t)(total >> 8);
		buf[3] = (uint8_t)total;
		buf[7] = 0x10; /* export time */
		buf[15] = 1;   /* domain */
	} else {
		buf[3] = 1; /* count */
		buf[19] = 1; /* source id */
	}
	buf[hlen] = (uint8_t)(id >> 8);
	buf[hlen + 1] = (uint8_t)id;
	buf[hlen + 2] = (uint8_t)((len + 4) >> 8);
	buf[hlen + 3] = (uint8_t)(len + 4);
	for (uint32_t i = 0; i < len; i++)
		buf[hlen + 4 + i] = (uint8_t)(i * 37 + 11);
	return total;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	static const uint16_t lens[] = { 0, 1, 4, 17, 48, 200, 1400 };
	uint8_t dgram[1500];
	FILE *f;

	if (size > 1 << 16)
		return 0;
	if (dec == NULL) {
		struct frx_decoder_conf conf;

		frx_decoder_conf_defaults(&conf);
		conf.tmpl.max_sessions = 8;
		conf.tmpl.max_templates = 32;
		conf.tmpl.max_templates_per_session = 8;
		dec = frx_decoder_create(&conf);
		if (dec == NULL)
			__builtin_trap();
		snprintf(path, sizeof(path), "/tmp/frx-fuzz-tmplstate-%d", (int)getpid());
	}
	f = fopen(path, "w");
	if (f == NULL)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	(void)frx_tmpl_state_load(path, NOW_MS, 0, load_one, NULL);

	for (int version = 9; version <= 10; version++) {
		for (uint16_t id = 256; id <= 258; id++) {
			for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
				struct frx_exporter exp = { .port = 4000 };
				struct frx_recbuf rb;
				struct frx_pdu_info info;
				uint32_t n = build_data(dgram, version, id, lens[l]);

				frx_addr_set_v4(exp.addr, "\xc0\x00\x02\x01");
				frx_recbuf_init_array(&rb, slots, 256);
				if (frx_decode(dec, dgram, n, &exp, NOW_MS, &rb, &info) >= FRX_STATUS_MAX)
					__builtin_trap();
			}
		}
	}
	return 0;
}
