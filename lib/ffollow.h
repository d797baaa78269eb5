/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Follow a collector's directory like tail -f, from a saved position.
 *
 * The follower reads the directory's flow files oldest first, then keeps
 * polling the newest one for blocks as the collector appends them. It moves
 * to the next file when the current one is finished (END block) or
 * abandoned: no END block, a newer flow file exists, and the file has not
 * grown for stall_ms (the collector crashed and was restarted). These are
 * the rules of `flowrx-read -f` (docs/reader.md, docs/file-format.md
 * "Crashed files"), as a pull API like lib/fmerge.h: the caller asks for
 * the next event and gets a block, "nothing new yet", or a problem to
 * report.
 *
 * A position is (file name, created_ns from its header, byte offset of the
 * next block): what a checkpoint stores. Resuming at a position re-reads
 * the blocks of that file before the offset as "replay" events, so the
 * caller can rebuild per-file state (interface names) without shipping
 * them again. If the file is gone (retention), the follower starts at the
 * first file ordered after it. DPDK-free.
 */
#ifndef FRX_FFOLLOW_H
#define FRX_FFOLLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "ffile.h"

#define FRX_FFOLLOW_STALL_MS 2000  /**< a file without END that stopped growing this long is abandoned (if a newer one exists) */
#define FRX_FFOLLOW_RELIST_MS 5000 /**< the directory is listed again at least this often */
#define FRX_FFOLLOW_NAME_MAX 256   /**< longest file name kept in a position, with NUL */

enum frx_ffollow_ev {
	FRX_FFOLLOW_BLOCK,      /**< a checked block (hdr, payload valid until the next call) */
	FRX_FFOLLOW_IDLE,       /**< nothing new now: poll again later */
	FRX_FFOLLOW_FILE_DONE,  /**< the current file is left (END read, or abandoned); path names it */
	FRX_FFOLLOW_OPEN_ERROR, /**< a file could not be opened (err); it is passed over */
	FRX_FFOLLOW_CORRUPT,    /**< a damaged region (bytes at offset) was skipped; reading goes on */
	FRX_FFOLLOW_TORN,       /**< an abandoned file ends in an incomplete block at offset */
	FRX_FFOLLOW_READ_ERROR, /**< I/O error (err) or directory listing error; the file is left */
};

struct frx_ffollow_event {
	enum frx_ffollow_ev type;
	const char *path;           /**< the file concerned; valid until the next call */
	const char *name;           /**< its base name */
	uint64_t created_ns;        /**< from its header (0 for OPEN_ERROR) */
	uint32_t collector_id;      /**< from its header */
	uint64_t offset;            /**< BLOCK: where the block starts; CORRUPT, TORN: where the damage starts */
	uint64_t next_offset;       /**< BLOCK: where the next block starts (a position to save) */
	uint64_t bytes;             /**< CORRUPT: bytes skipped */
	bool replay;                /**< BLOCK: before the resume offset (already handled by the caller) */
	int err;
	const struct frx_block_hdr *hdr;
	const void *payload;
};

/** Where to start: a file and the offset of its next block. */
struct frx_ffollow_pos {
	char name[FRX_FFOLLOW_NAME_MAX]; /**< base name; "" = start at the oldest file */
	uint64_t created_ns;
	uint64_t offset;            /**< 0: the file's first block */
};

struct frx_ffollow;

/**
 * Follow directory @p dir from @p pos (NULL: its oldest file).
 * @return NULL with errno set (ENOMEM, or ENAMETOOLONG for a name longer
 *         than a position holds).
 */
struct frx_ffollow *frx_ffollow_create(const char *dir, const struct frx_ffollow_pos *pos);

/** The next event; never blocks (IDLE when there is nothing new). */
void frx_ffollow_next(struct frx_ffollow *f, struct frx_ffollow_event *ev);

/**
 * The backlog: FLOWS records and blocks not yet handed out, from the current
 * position to the end of the data of every newer file, counted from block
 * headers only (no CRC check: an estimate the size of the truth), and the
 * smallest min_first_ms and largest max_last_ms of those FLOWS blocks (0 if
 * none). Costs one small read per block.
 */
void frx_ffollow_backlog(struct frx_ffollow *f, uint64_t *records, uint64_t *oldest_first_ms,
			 uint64_t *newest_last_ms);

void frx_ffollow_free(struct frx_ffollow *f);

#endif
