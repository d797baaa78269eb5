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
 * sends a batch it saves the batch as pending (its identity and its
 * extent); after the database acknowledged it, it saves the position after
 * the batch with no pending batch. A restarted shipper that finds a
 * pending batch asks the database how many rows carry its identity before
 * deciding to skip, send, or replace it. DPDK-free.
 */
#ifndef FRX_CKPT_H
#define FRX_CKPT_H

#include <stdbool.h>
#include <stdint.h>

#include "ffollow.h"

#define FRX_CKPT_VERSION 1

struct frx_ckpt {
	struct frx_ffollow_pos pos;  /**< next block to ship: file name, created_ns, offset */
	bool pending;                /**< a batch may have been sent but was not acknowledged */
	uint64_t batch_id;           /**< pending: its identity (frx_ckpt_batch_id()) */
	uint64_t batch_first;        /**< pending: offset of its first block (in pos's file) */
	uint64_t batch_end;          /**< pending: offset after its last block */
	uint64_t flow_rows;          /**< pending: rows it puts in the flows table */
	uint64_t stats_rows;         /**< pending: rows it puts in the stats table */
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
 *         if the file is not a checkpoint of this version (*line set to the
 *         offending line number, 0 for a missing key); other -errno.
 */
int frx_ckpt_load(const char *path, struct frx_ckpt *ck, unsigned int *line);

#endif
