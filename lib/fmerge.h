/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Several sources of flow files read as one stream of blocks, in time order.
 *
 * A source is a list of files read one after the other: a collector's
 * directory (oldest file first) or one file. Each file is roughly in time
 * order block by block, and so is each source. With several sources (the
 * directories of several collectors), the next block handed out is, of the
 * next block of every source, the FLOWS block with the smallest
 * min_first_ms: a k-way merge on the blocks' earliest flow start, so that
 * the output is in time order at block granularity (records inside a block
 * keep their order). Blocks of other types (interface names, statistics)
 * are handed out as soon as they are read, before the records that follow
 * them. Ties go to the source added first. Each source holds one block at
 * a time: memory does not grow with the number of files.
 *
 * With a time window, a file whose END block says none of its records can
 * lie in the window (lib/twin.h) is not read at all; files without an END
 * block (being written, or left by a crash) are read. Skipping blocks
 * inside a file is the caller's (every block header carries its range).
 *
 * Damage and errors come out as events in the stream, in the order met,
 * so the caller reports them and carries on. DPDK-free.
 */
#ifndef FRX_FMERGE_H
#define FRX_FMERGE_H

#include <stdbool.h>
#include <stdint.h>

#include "ffile.h"
#include "twin.h"

struct frx_fmerge_conf {
	/** true: sources one after the other, in the order added; false: merged in time order. */
	bool sequential;
	/** Skip files that cannot hold a record of this window; NULL: read every file. Copied. */
	const struct frx_twin *twin;
};

enum frx_fmerge_ev {
	FRX_FMERGE_BLOCK,      /**< hdr, payload: a checked block, valid until the next call */
	FRX_FMERGE_OPEN_ERROR, /**< the file could not be opened: err (EINVAL: not a flow file, or an unsupported version) */
	FRX_FMERGE_CORRUPT,    /**< a damaged region at offset, bytes long, was skipped; the file is read on */
	FRX_FMERGE_TORN,       /**< an incomplete block at offset ends the file (crash); the next file follows */
	FRX_FMERGE_READ_ERROR, /**< I/O error (err); the next file follows */
	FRX_FMERGE_DONE,       /**< every source has been read; every later call says so again */
};

struct frx_fmerge_event {
	enum frx_fmerge_ev type;
	unsigned int source;        /**< index of the source, in the order of frx_fmerge_add() */
	const char *path;           /**< the file concerned; valid until frx_fmerge_free() */
	uint64_t offset;            /**< BLOCK, CORRUPT, TORN: byte offset in the file */
	uint64_t bytes;             /**< CORRUPT: bytes skipped */
	uint64_t regions;           /**< CORRUPT: damaged regions in them (usually 1) */
	int err;                    /**< OPEN_ERROR, READ_ERROR: errno */
	const struct frx_block_hdr *hdr;
	const void *payload;
};

struct frx_fmerge_counts {
	uint64_t files_read;        /**< files opened and read */
	uint64_t files_skipped;     /**< files passed over because of the time window */
};

struct frx_fmerge;

/** @return NULL on allocation failure. */
struct frx_fmerge *frx_fmerge_create(const struct frx_fmerge_conf *conf);

/**
 * Add a source: n files (paths copied), read in this order. A source of
 * no files is allowed (an empty directory). @return 0 or -ENOMEM.
 */
int frx_fmerge_add(struct frx_fmerge *m, const char *const *paths, unsigned int n);

/**
 * The next event. Files are opened as they are needed: at most one per
 * source is open at a time.
 */
void frx_fmerge_next(struct frx_fmerge *m, struct frx_fmerge_event *ev);

void frx_fmerge_counts(const struct frx_fmerge *m, struct frx_fmerge_counts *counts);

/** Close every file and free; NULL is fine. */
void frx_fmerge_free(struct frx_fmerge *m);

/**
 * The time range of a cleanly closed file, from its END block, without
 * reading its other blocks.
 * @param records FLOWS records in the file.
 * @return 0; -ENOENT if the file has no valid END block at its end (being
 *         written, crashed, or not a flow file); -errno if it cannot be read.
 */
int frx_fmerge_file_range(const char *path, uint64_t *min_first_ms, uint64_t *max_last_ms, uint64_t *records);

#endif
