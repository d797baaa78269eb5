/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * One entry point for every export protocol: looks at the version word and
 * hands the PDU to its decoder, with the worker's decoding state (the v9 /
 * IPFIX template cache) and the operator's per-exporter settings. Workers
 * call only this.
 */
#ifndef FRX_DECODE_H
#define FRX_DECODE_H

#include <stdint.h>

#include "pdu.h"
#include "recbuf.h"
#include "status.h"
#include "tmpl.h"

/** Highest version number the counters are kept for (IPFIX is 10). */
#define FRX_VERSION_MAX 10
#define FRX_MAX_OVERRIDES 64

/** What the operator says about one exporter (matched by address). */
struct frx_exporter_override {
	uint8_t addr[16];
	uint32_t sampling_interval;  /**< stored in its records instead of what it exports; 0 = none */
	uint8_t uptime_in_seconds;   /**< its sysUptime-relative times count seconds, not ms */
};

struct frx_decoder_conf {
	struct frx_tmpl_conf tmpl;
	struct frx_exporter_override overrides[FRX_MAX_OVERRIDES];
	unsigned int nb_overrides;
};

/** Per-worker decoding state. */
struct frx_decoder {
	struct frx_tmpl_cache *tmpl;
	struct frx_exporter_override overrides[FRX_MAX_OVERRIDES];
	unsigned int nb_overrides;
};

void frx_decoder_conf_defaults(struct frx_decoder_conf *conf);

/** Allocate (start-up only). @return NULL with errno set. */
struct frx_decoder *frx_decoder_create(const struct frx_decoder_conf *conf);
void frx_decoder_free(struct frx_decoder *dec);

/**
 * Decode one export PDU (UDP payload) into records appended to @p out.
 * @p info is filled as far as the header could be read; info->version is 0
 * when not even the version word was there.
 * @param now_ms wall clock, epoch ms: template and backlog ageing
 * @return FRX_OK or the reason the PDU (or, for FRX_ENO_BLOCK, part of it)
 *         was dropped.
 */
enum frx_status frx_decode(struct frx_decoder *dec, const uint8_t *pdu, uint32_t len,
			   const struct frx_exporter *exp, uint64_t now_ms, struct frx_recbuf *out,
			   struct frx_pdu_info *info);

/**
 * Read just the header of a PDU: version, count, sequence, sysUptime,
 * engine type/id (v5-v8), source id / domain (v9/IPFIX). Nothing is
 * decoded or changed. @return 0, or -1 if the header is not all there or
 * the version is unknown (frx_decode() then says why).
 */
int frx_decode_peek(const uint8_t *pdu, uint32_t len, struct frx_pdu_info *hdr);

/** Housekeeping between bursts: template and backlog expiry. */
void frx_decoder_tick(struct frx_decoder *dec, uint64_t now_ms);

#endif
