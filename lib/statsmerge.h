/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Merging STATS block payloads (lib/expstats.h) into one set of per-engine,
 * per-exporter and per-denied-source counters, for flowrx-read --stats and
 * other consumers of flow files.
 *
 * The one idea: counters are cumulative since a collector process started,
 * so snapshots of the same run are never added up. A run is
 * {started_ms, pid, collector_id}; for each run and each engine, exporter
 * or denied source, only the latest snapshot (largest snapshot_ms) counts,
 * wherever it came from and in whatever order the blocks are added. The
 * runs are then summed: a restarted collector starts again from 0, so the
 * sum over runs is everything every run saw.
 *
 * Engines are keyed as the collector keys them (lib/seq.h): {exporter,
 * version, engine_type, engine_id} for v1-v8 and {exporter, version,
 * exporter_port, domain} for v9 and IPFIX; fields outside the key are
 * zeroed in the merged entries. Maps grow as needed: nothing is ever
 * dropped for lack of room (only for lack of memory, reported as -ENOMEM).
 * DPDK-free; not thread-safe.
 */
#ifndef FRX_STATSMERGE_H
#define FRX_STATSMERGE_H

#include <stddef.h>
#include <stdint.h>

#include "expstats.h"

struct frx_statsmerge;

/** Collector-wide counters: each run's latest header, summed over runs. */
struct frx_statsmerge_totals {
	uint64_t snapshots;         /**< payloads merged (frx_statsmerge_add() returned 0) */
	uint64_t runs;              /**< distinct collector runs seen */
	uint64_t rx_packets;
	uint64_t records_written;
	uint64_t drop[FRX_STATS_MAX_REASONS]; /**< by reason (enum frx_status) */
};

/** @return an empty merge, or NULL with errno ENOMEM. */
struct frx_statsmerge *frx_statsmerge_create(void);

/** Free a merge and everything it handed out; NULL is a no-op. */
void frx_statsmerge_free(struct frx_statsmerge *m);

/**
 * Merge one STATS block payload, 8-byte aligned (as frx_ffile_next() hands
 * it out). Keeps nothing pointing into it.
 * @return 0; -EINVAL if the payload is malformed (frx_stats_parse()): then
 * nothing of it is merged; -ENOMEM: then the payload may be partly merged
 * (each entry is either merged whole or not at all).
 */
int frx_statsmerge_add(struct frx_statsmerge *m, const void *payload, size_t len);

/**
 * The merged engines, sorted by exporter address (bytes), version,
 * engine_type, engine_id, exporter_port, domain. Summed over runs: packets,
 * records, lost, out_of_order, duplicates, resets, rejected; first_seen_ms is
 * the earliest non-zero, last_seen_ms the latest; last_sequence and unit come
 * from the run that saw the engine last; flags are OR'ed.
 * @param engines set to an array owned by @p m, valid until the next
 *        frx_statsmerge_add() or frx_statsmerge_free()
 * @return 0, or -ENOMEM (*engines and *count untouched)
 */
int frx_statsmerge_engines(struct frx_statsmerge *m, const struct frx_engine_stats **engines,
			   size_t *count);

/**
 * The merged exporters, sorted by address: datagrams, records, rate_limited,
 * new_engine_pdus and every drop reason summed over runs; first/last seen as
 * for engines. Ownership and errors as frx_statsmerge_engines().
 */
int frx_statsmerge_exporters(struct frx_statsmerge *m, const struct frx_exporter_stats **exporters,
			     size_t *count);

/**
 * The merged denied sources, sorted by address: datagrams summed, latest
 * last_seen_ms. Ownership and errors as frx_statsmerge_engines().
 */
int frx_statsmerge_denied(struct frx_statsmerge *m, const struct frx_denied_stats **denied,
			  size_t *count);

/** Collector-wide totals over all runs. */
void frx_statsmerge_totals(const struct frx_statsmerge *m, struct frx_statsmerge_totals *totals);

/**
 * What an engine received in the unit its lost counter counts: packets
 * for v9 (FRX_SEQ_UNIT_PACKETS), records for flows and IPFIX records, 0
 * without sequence numbers (v1). Loss ratio = lost / (lost + received).
 */
uint64_t frx_statsmerge_received(const struct frx_engine_stats *e);

#endif
