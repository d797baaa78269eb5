/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Decoder for the fixed-format NetFlow family: versions 1, 5, 6 and 7.
 *
 * All four share one shape (a header with a record count, then fixed-size
 * records of IPv4 flow data with sysUptime-relative times), so one table
 * of per-version sizes drives one decoder. The whole PDU is validated
 * before the first record is written: a PDU whose count and length
 * disagree is dropped whole.
 */
#ifndef FRX_NF5_H
#define FRX_NF5_H

#include <stdint.h>

#include "pdu.h"
#include "recbuf.h"
#include "status.h"

/**
 * Decode one v1/v5/v6/v7 PDU.
 *
 * @param pdu   the UDP payload
 * @param len   its length
 * @param exp   exporter identity copied into each record
 * @param out   records are appended here
 * @param hdr   filled whenever the header could be read (even on error)
 * @return FRX_OK; FRX_ETRUNCATED (shorter than the header), FRX_EBAD_VERSION,
 *         FRX_EZERO_COUNT, FRX_EBAD_COUNT (count and length disagree; nothing
 *         written), FRX_ENO_BLOCK (out filled up: records already written are
 *         kept, hdr->count - written were lost).
 */
enum frx_status frx_nf5_decode(const uint8_t *pdu, uint32_t len, const struct frx_exporter *exp,
			       struct frx_recbuf *out, struct frx_pdu_info *hdr);

/** Spec maximum records per PDU for a version (24/30/27/27), 0 if unknown. */
unsigned int frx_nf5_spec_max_count(unsigned int version);

#endif
