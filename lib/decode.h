/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * One entry point for every export protocol: looks at the version word and
 * hands the PDU to its decoder. Workers call only this.
 */
#ifndef FRX_DECODE_H
#define FRX_DECODE_H

#include <stdint.h>

#include "pdu.h"
#include "recbuf.h"
#include "status.h"

/** Highest version number the counters are kept for (IPFIX is 10). */
#define FRX_VERSION_MAX 10

/**
 * Decode one export PDU (UDP payload) into records appended to @p out.
 * @p info is filled as far as the header could be read; info->version is 0
 * when not even the version word was there.
 * @return FRX_OK or the reason the PDU (or, for FRX_ENO_BLOCK, part of it)
 *         was dropped.
 */
enum frx_status frx_decode(const uint8_t *pdu, uint32_t len, const struct frx_exporter *exp,
			   struct frx_recbuf *out, struct frx_pdu_info *info);

#endif
