/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Decoder for NetFlow v8, Cisco's router-based aggregation export.
 *
 * A v8 PDU is a 28-byte header naming one aggregation scheme, then `count`
 * fixed-size records whose layout that scheme defines (docs/netflow-v8.md).
 * Each record becomes one normalized record holding the fields its scheme
 * carries; the others stay 0. The whole PDU is validated before the first
 * record is written: a PDU whose count and length disagree is dropped whole.
 */
#ifndef FRX_NF8_H
#define FRX_NF8_H

#include <stdint.h>

#include "pdu.h"
#include "recbuf.h"
#include "status.h"

/** The aggregation schemes, as numbered in the v8 header's aggregation byte. */
enum frx_nf8_aggregation {
	FRX_NF8_AS = 1,              /**< source/destination AS, interfaces */
	FRX_NF8_PROTO_PORT = 2,      /**< protocol, source/destination port */
	FRX_NF8_SRC_PREFIX = 3,      /**< source prefix and mask, AS, input interface */
	FRX_NF8_DST_PREFIX = 4,      /**< destination prefix and mask, AS, output interface */
	FRX_NF8_PREFIX = 5,          /**< both prefixes, masks, ASes, interfaces */
	FRX_NF8_DESTONLY = 6,        /**< Catalyst: destination address flow mask */
	FRX_NF8_SRC_DST = 7,         /**< Catalyst: source-destination flow mask */
	FRX_NF8_FULL_FLOW = 8,       /**< Catalyst: full flow mask */
	FRX_NF8_AS_TOS = 9,          /**< AS scheme plus ToS */
	FRX_NF8_PROTO_PORT_TOS = 10, /**< protocol-port plus ToS and interfaces */
	FRX_NF8_SRC_PREFIX_TOS = 11, /**< source prefix plus ToS */
	FRX_NF8_DST_PREFIX_TOS = 12, /**< destination prefix plus ToS */
	FRX_NF8_PREFIX_TOS = 13,     /**< prefix plus ToS */
	FRX_NF8_PREFIX_PORT = 14,    /**< prefix plus ToS, protocol and ports */
};

/** The only aggregation version defined for the schemes above. */
#define FRX_NF8_AGG_VERSION 2

/** Bytes of the v8 header. */
#define FRX_NF8_HEADER_LEN 28

/**
 * Decode one v8 PDU.
 *
 * @param pdu   the UDP payload
 * @param len   its length
 * @param exp   exporter identity copied into each record, and the operator's
 *              quirks for it: uptime_in_seconds (stamps count seconds) and
 *              sampling_override (stored as each record's sampling_interval;
 *              the v8 header has no sampling field)
 * @param out   records are appended here
 * @param hdr   filled whenever the header could be read (even on error):
 *              version, count, times, sequence (flow_sequence), engine,
 *              v8_aggregation, count_above_spec, records_written,
 *              records_dropped
 * @return FRX_OK; FRX_ETRUNCATED (shorter than the header), FRX_EBAD_VERSION
 *         (not 8), FRX_EV8_BAD_AGGREGATION (scheme not 1-14, or aggregation
 *         version not 2: the record layout is unknown), FRX_EZERO_COUNT,
 *         FRX_EBAD_COUNT (count and length disagree; nothing written),
 *         FRX_ENO_BLOCK (out filled up: records already written are kept,
 *         hdr->records_dropped = hdr->count - hdr->records_written were lost).
 */
enum frx_status frx_nf8_decode(const uint8_t *pdu, uint32_t len, const struct frx_exporter *exp,
			       struct frx_recbuf *out, struct frx_pdu_info *hdr);

/** Bytes of one record of an aggregation scheme (28-44), 0 if unknown. */
unsigned int frx_nf8_record_len(unsigned int aggregation);

/** Cisco's maximum records per PDU for a scheme (32-51), 0 if unknown. */
unsigned int frx_nf8_spec_max_count(unsigned int aggregation);

#endif
