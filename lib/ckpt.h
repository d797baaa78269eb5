/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Shipper checkpoints: how far a followed directory has been shipped, and
 * the batch that may be in flight.
 *
 * A checkpoint is a small text file ("key value" lines), replaced
 * atomically: written to a temporary file, fsync'd, renamed over the old
 * one, and the directory fsync'd. A reader therefore sees the old or the
 * new checkpoint, never a mix, even after a power cut.
 *
 * The shipper's protocol (docs/scale-out.md "Exactly once"): before it
 * sends a batch it saves it as pending (its identity and its extent);
 * once the database acknowledged it and every batch before it, it saves
 * the position after it without it. A restarted shipper that finds
 * pending batches asks the database how many rows carry each identity
 * before deciding to skip, send, or replace each. DPDK-free.
 */
#ifndef FRX_CKPT_H
#define FRX_CKPT_H

#include <stdbool.h>
#include <stdint.h>

#include "ffollow.h"

#define FRX_CKPT_VERSION 1
#define FRX_CKPT_MAX_PENDING 8 /**< batches in flight at once, at most */

/** A batch: a run of consecutive blocks of the checkpoint's file. */
struct frx_ckpt_batch {
	uint64_t id;                 /**< frx_ckpt_batch_id() */
	uint64_t first;              /**< offset of its first block */
	uint64_t end;                /**< offset after its last block */
	uint64_t flow_rows;          /**< rows it puts in the flows table */
	uint64_t stats_rows;         /**< rows it puts in the stats table */
};

struct frx_ckpt {
	/** Next block not known to be in the database: file name, created_ns, offset. */
	struct frx_ffollow_pos pos;
	/**
	 * Batches sent (or about to be) whose acknowledgement was not recorded,
	 * in file order: the first starts at pos.offset, each next one where
	 * the previous ends, all in pos's file.
	 */
	unsigned int npending;
	struct frx_ckpt_batch pending[FRX_CKPT_MAX_PENDING];
	/** The last batch acknowledged, for operators and tests (has_last false: none yet). */
	bool has_last;
	struct frx_ckpt_batch last;
};

/**
 * The deterministic identity of a batch: a 64-bit hash of the collector
 * id, the file (name and header creation time) and the offset of the
 * batch's first block. The same blocks shipped twice get the same id; two
 * different batches collide with probability about 2^-64.
 */
uint64_t frx_ckpt_batch_id(uint32_t collector, const char *file_name, uint64_t created_ns,
			   uint64_t first_offset);

/**
 * Save atomically (temporary file, fsync, rename, fsync of the directory).
 * @return 0 or -errno.
 */
int frx_ckpt_save(const char *path, const struct frx_ckpt *ck);

/**
 * Load a checkpoint.
 * @return 0; -ENOENT if there is none (start from the beginning); -EINVAL
 *         if the file is not a checkpoint of this version, or its pending
 *         batches do not follow each other from the position (*line set to
 *         the offending line number, 0 when the file is cut short); other
 *         -errno.
 */
int frx_ckpt_load(const char *path, struct frx_ckpt *ck, unsigned int *line);

#endif
