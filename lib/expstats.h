/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Exporter and engine statistics as the collector reports them: in STATS
 * blocks of flow files (docs/file-format.md), through telemetry, and by
 * flowrx-read --stats. Fixed-width little-endian structures; counters are
 * cumulative since the collector process started (started_ms), so the
 * latest snapshot of a run holds everything that run saw.
 *
 * What an operator reconciles with the router's `show ip flow export` /
 * `show flow exporter statistics`: per engine, the datagrams and flows
 * received and the flows lost by sequence; per exporter, every drop reason.
 */
#ifndef FRX_EXPSTATS_H
#define FRX_EXPSTATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FRX_STATS_MAX_REASONS 32    /**< drop counters kept per exporter (indexed by enum frx_status) */

/** Engine flags. */
#define FRX_ENGINE_F_INCLUSIVE 0x01 /**< IPFIX sequence counts this message (softflowd); accounted so */
#define FRX_ENGINE_F_NEW 0x02       /**< an engine the exporter was not known to use (pinning) */

/** Start of a STATS block payload, 336 bytes. */
struct frx_stats_header {
	uint64_t snapshot_ms;       /**< when the counters were read */
	uint64_t started_ms;        /**< when the collector process started: identifies the run */
	uint32_t collector_id;
	uint32_t pid;
	uint32_t nb_exporters;      /**< struct frx_exporter_stats that follow */
	uint32_t nb_engines;        /**< then struct frx_engine_stats */
	uint32_t nb_denied;         /**< then struct frx_denied_stats */
	uint32_t reserved0;
	uint64_t drop[FRX_STATS_MAX_REASONS]; /**< all drops by reason, whatever their source */
	uint64_t rx_packets;
	uint64_t records_written;
	uint8_t reserved[24];
};

/** Per exporter address, 320 bytes. */
struct frx_exporter_stats {
	uint8_t exporter_addr[16];
	uint64_t datagrams;         /**< datagrams from it that passed the ACL */
	uint64_t records;           /**< records stored */
	uint64_t rate_limited;      /**< datagrams dropped by its packet-rate limit */
	uint64_t new_engine_pdus;   /**< PDUs from engines it was not known to use */
	uint64_t first_seen_ms;
	uint64_t last_seen_ms;
	uint64_t drop[FRX_STATS_MAX_REASONS]; /**< its datagrams dropped, by reason (enum frx_status) */
};

/** Per engine (sequence-number space), 112 bytes. */
struct frx_engine_stats {
	uint8_t exporter_addr[16];
	uint32_t domain;            /**< v9 source id / IPFIX observation domain */
	uint16_t exporter_port;     /**< v9/IPFIX only (part of the engine key); 0 for v1-v8 */
	uint8_t version;
	uint8_t engine_type;
	uint8_t engine_id;
	uint8_t unit;               /**< enum frx_seq_unit: what lost counts */
	uint8_t flags;              /**< FRX_ENGINE_F_* */
	uint8_t reserved0;
	uint32_t reserved2;
	uint64_t packets;           /**< datagrams accepted */
	uint64_t records;           /**< records stored */
	uint64_t lost;              /**< in the unit: flows (v5-v8), packets (v9), records (IPFIX) */
	uint64_t out_of_order;
	uint64_t duplicates;
	uint64_t resets;            /**< exporter restarts */
	uint64_t rejected;          /**< datagrams refused as out of sequence */
	uint64_t first_seen_ms;
	uint64_t last_seen_ms;
	uint32_t last_sequence;
	uint32_t reserved1;
};

/** A source the ACL refused, 32 bytes. */
struct frx_denied_stats {
	uint8_t addr[16];
	uint64_t datagrams;
	uint64_t last_seen_ms;
};

_Static_assert(sizeof(struct frx_stats_header) == 336, "stats header size");
_Static_assert(sizeof(struct frx_exporter_stats) == 320, "exporter stats size");
_Static_assert(sizeof(struct frx_engine_stats) == 112, "engine stats size");
_Static_assert(sizeof(struct frx_denied_stats) == 32, "denied stats size");

/** Bytes of a STATS payload with these counts. */
static inline size_t
frx_stats_payload_len(uint32_t nb_exporters, uint32_t nb_engines, uint32_t nb_denied)
{
	return sizeof(struct frx_stats_header) + (size_t)nb_exporters * sizeof(struct frx_exporter_stats) +
	       (size_t)nb_engines * sizeof(struct frx_engine_stats) +
	       (size_t)nb_denied * sizeof(struct frx_denied_stats);
}

/**
 * Check a STATS payload and point at its parts. @return 0, or -EINVAL if the
 * lengths disagree (the block is then ignored).
 */
int frx_stats_parse(const void *payload, size_t len, const struct frx_stats_header **hdr,
		    const struct frx_exporter_stats **exporters, const struct frx_engine_stats **engines,
		    const struct frx_denied_stats **denied);

/** Unit name of an engine: "flows", "packets", "records" or "-". */
const char *frx_stats_unit_name(uint8_t unit);

#endif
