/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * What every decoder reports about one export PDU besides its records:
 * who sent it and what its header said. Sequence accounting, statistics and
 * engine pinning work on this, never on the raw header.
 */
#ifndef FRX_PDU_H
#define FRX_PDU_H

#include <stdint.h>

/** Where a datagram came from (copied into every record), and what the
 * operator configured for that exporter. */
struct frx_exporter {
	uint8_t addr[16];            /**< IPv4-mapped or IPv6, network order */
	uint16_t port;               /**< UDP source port, host order */
	uint8_t is_v6;
	uint8_t uptime_in_seconds;   /**< quirk: sysUptime and First/Last count seconds */
	uint32_t sampling_override;  /**< operator's sampling interval, 0 = none */
};

/** The header of one PDU, in host order. */
struct frx_pdu_info {
	uint16_t version;
	uint16_t count;            /**< records the header announces */
	uint32_t sys_uptime_ms;
	uint64_t export_ms;        /**< export wall clock, epoch milliseconds */
	uint32_t sequence;         /**< flow/packet/record sequence; 0 for v1, which has none */
	uint32_t domain;           /**< v9 source id / IPFIX observation domain */
	uint8_t engine_type;
	uint8_t engine_id;
	uint8_t sampling_mode;
	uint16_t sampling_interval;
	uint8_t count_above_spec;  /**< more records than the version's spec allows */
	uint32_t records_written;  /**< records this PDU produced */
	uint32_t records_dropped;  /**< records lost for want of space (FRX_ENO_BLOCK) */
	uint32_t data_records;     /**< v9/IPFIX: data records parsed (flow and options), what IPFIX sequences count */
	uint8_t records_uncountable; /**< v9/IPFIX: some records could not be counted (unknown template, damage) */
	uint8_t v8_aggregation;    /**< v8 aggregation scheme (1-14, lib/nf8.h); 0 for other versions */
};

#endif
