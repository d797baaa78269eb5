/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Per-rule counters in flow files: the RULES block (docs/file-format.md)
 * and the merge flowrx-read --stats does of them.
 *
 * A RULES block is a snapshot of the counters of one rule set: records and
 * bytes each rule matched since that set was loaded, and the records no
 * rule matched. Counters are cumulative within {run, generation} (a run is
 * {started_ms, pid, collector_id} as for STATS blocks; a reload starts a
 * new generation from zero), so the merge keeps the latest snapshot of
 * each {run, generation} and sums those per rule name. Large sets are split
 * over several blocks of one snapshot (first_index). DPDK-free.
 */
#ifndef FRX_RULESTATS_H
#define FRX_RULESTATS_H

#include <stddef.h>
#include <stdint.h>

/** Start of a RULES block payload, 80 bytes, little-endian. */
struct frx_rulestats_header {
	uint64_t snapshot_ms;
	uint64_t started_ms;        /**< collector start: identifies the run with pid, collector_id */
	uint64_t loaded_ms;         /**< when this rule set was loaded */
	uint64_t generation;        /**< rule sets loaded by the run, from 1 */
	uint64_t unmatched_records; /**< records no rule matched */
	uint64_t unmatched_bytes;
	uint32_t collector_id;
	uint32_t pid;
	uint32_t nb_rules;          /**< rules in the set */
	uint32_t first_index;       /**< evaluation-order index of the first entry here */
	uint32_t nb_entries;        /**< struct frx_rulestats_entry that follow */
	uint32_t reserved[3];
};

/** One rule, 96 bytes. */
struct frx_rulestats_entry {
	char name[64];              /**< NUL padded */
	uint64_t records;
	uint64_t bytes;
	int32_t priority;
	uint16_t class_id;
	uint8_t action;             /**< enum frx_rule_action */
	uint8_t reserved[5];
};

_Static_assert(sizeof(struct frx_rulestats_header) == 80, "RULES header size");
_Static_assert(sizeof(struct frx_rulestats_entry) == 96, "RULES entry size");

/** Entries that fit one block. */
#define FRX_RULESTATS_PER_BLOCK ((4u << 20) / 2 / sizeof(struct frx_rulestats_entry))

/** Check a payload. @return 0, or -EINVAL if the lengths disagree. */
int frx_rulestats_parse(const void *payload, size_t len, const struct frx_rulestats_header **hdr,
			const struct frx_rulestats_entry **entries);

/** Merged counters of one rule name over every run and generation. */
struct frx_rulestats_total {
	char name[64];
	uint64_t records;
	uint64_t bytes;
	int32_t priority;           /**< as last loaded */
	uint16_t class_id;
	uint8_t action;
};

struct frx_rulestats_merge;

struct frx_rulestats_merge *frx_rulestats_merge_create(void);
void frx_rulestats_merge_free(struct frx_rulestats_merge *m);

/** Merge one RULES payload (8-byte aligned). @return 0, -EINVAL (malformed, nothing merged) or -ENOMEM. */
int frx_rulestats_merge_add(struct frx_rulestats_merge *m, const void *payload, size_t len);

/**
 * Totals by rule name, sorted by name; *unmatched_* summed likewise.
 * The array is owned by @p m until the next add or free. @return 0 or -ENOMEM.
 */
int frx_rulestats_merge_totals(struct frx_rulestats_merge *m, const struct frx_rulestats_total **totals,
			       size_t *count, uint64_t *unmatched_records, uint64_t *unmatched_bytes);

/** Snapshots merged. */
uint64_t frx_rulestats_merge_snapshots(const struct frx_rulestats_merge *m);

#endif
