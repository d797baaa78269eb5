/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Flow files: writer and reader (format in docs/file-format.md).
 *
 * A file is a header followed by self-describing blocks, each carrying its
 * own CRC32C. Workers fill and seal blocks (frx_block_seal()); the writer
 * only appends sealed blocks, rotates files and writes an END block on
 * close. Because each block is checked on its own, a reader can read a file
 * while it is being written, and a block torn by a crash is detected and
 * skipped without losing the blocks before it.
 */
#ifndef FRX_FFILE_H
#define FRX_FFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "flowrec.h"
#include "recpack.h"

#define FRX_FILE_MAGIC "FLOWRX\0\0"
/**
 * Format written by default: 3 (FLOWS_PACKED blocks with the EXTRA8 and MORE
 * kind bits); 1 with full records only. Readers read 1, 2 (the packed
 * encoding before those bits, a subset of 3's) and 3; a reader of format 2
 * refuses a format 3 file rather than skipping its blocks as damaged.
 */
#define FRX_FILE_FORMAT_VERSION 3
#define FRX_FILE_FORMAT_VERSION_PACKED2 2
#define FRX_FILE_FORMAT_VERSION_FULL 1
#define FRX_FILE_HEADER_SIZE 128
#define FRX_BLOCK_MAGIC 0x42585246u /* "FRXB" little-endian */
#define FRX_BLOCK_HEADER_SIZE 40
/** Records in one FLOWS block; also the most one PDU of v1-v7 can carry. */
#define FRX_BLOCK_RECORDS 1400
/** Largest payload a reader accepts in any block. */
#define FRX_BLOCK_MAX_PAYLOAD (4u << 20)
#define FRX_FILE_PREFIX "flowrx."
#define FRX_FILE_SUFFIX ".frx"

enum frx_block_type {
	FRX_BLOCK_FLOWS = 1, /**< payload: record_count struct frx_flowrec */
	FRX_BLOCK_STATS = 2, /**< exporter and engine statistics snapshot (lib/expstats.h) */
	FRX_BLOCK_END = 3,   /**< last block of a cleanly closed file; payload struct frx_end_payload */
	FRX_BLOCK_IFNAMES = 4, /**< interface names from options data: record_count struct frx_ifname (lib/tmpl.h) */
	FRX_BLOCK_RULES = 5, /**< per-rule counters of the active rule set (lib/rulestats.h) */
	/** record_count records packed by lib/recpack.h (formats 2 and 3). The reader
	 * unpacks them and hands them out as a FLOWS block: callers never see it. */
	FRX_BLOCK_FLOWS_PACKED = 6,
};

/** File header, little-endian, 128 bytes. */
struct frx_file_header {
	char magic[8];              /**< FRX_FILE_MAGIC */
	uint16_t format_version;    /**< FRX_FILE_FORMAT_VERSION */
	uint16_t header_size;       /**< FRX_FILE_HEADER_SIZE */
	uint16_t record_layout;     /**< FRX_FLOWREC_LAYOUT */
	uint16_t record_size;       /**< sizeof(struct frx_flowrec) */
	uint64_t created_ns;        /**< wall clock when the file was opened, epoch ns */
	uint32_t rotate_seconds;    /**< rotation interval the writer used */
	uint32_t collector_id;      /**< operator-chosen id of this collector */
	uint32_t writer_pid;
	uint32_t file_seq;          /**< files opened by this writer process, from 0 */
	char writer[32];            /**< "flowrx <version>", NUL padded */
	char hostname[48];          /**< NUL padded */
	uint32_t reserved;
	uint32_t crc;               /**< CRC32C of bytes 0..123 */
};
_Static_assert(sizeof(struct frx_file_header) == FRX_FILE_HEADER_SIZE, "file header size");

/** Block header, little-endian, 40 bytes; payload follows. */
struct frx_block_hdr {
	uint32_t magic;             /**< FRX_BLOCK_MAGIC */
	uint16_t type;              /**< enum frx_block_type */
	uint16_t flags;             /**< 0 */
	uint32_t record_count;
	uint32_t payload_len;       /**< bytes after this header */
	uint64_t min_first_ms;      /**< FLOWS: smallest first_ms in the block */
	uint64_t max_last_ms;       /**< FLOWS: largest last_ms in the block */
	uint32_t reserved;
	uint32_t crc;               /**< CRC32C of header bytes 0..35, then the payload */
};
_Static_assert(sizeof(struct frx_block_hdr) == FRX_BLOCK_HEADER_SIZE, "block header size");

/** Payload of the END block. */
struct frx_end_payload {
	uint64_t closed_ns;         /**< wall clock at close */
	uint64_t flow_blocks;       /**< FLOWS blocks in the file */
	uint64_t flow_records;      /**< records in those blocks */
};

/**
 * A FLOWS or FLOWS_PACKED block in memory, laid out exactly as written:
 * up to FRX_BLOCK_RECORDS records, whole (recs) or packed (payload).
 */
struct frx_block {
	struct frx_block_hdr hdr;
	union {
		struct frx_flowrec recs[FRX_BLOCK_RECORDS];
		uint8_t payload[FRX_BLOCK_RECORDS * sizeof(struct frx_flowrec)];
	};
};

/** Fill the header (type FLOWS, hdr.record_count records) and its CRC. */
void frx_block_seal(struct frx_block *blk);

/**
 * Seal a block whose payload @p s filled (frx_recpack_stream_init() on
 * blk->payload): type FLOWS_PACKED, or FLOWS for whole records; count,
 * length, times and CRC from the stream.
 */
void frx_block_seal_stream(struct frx_block *blk, const struct frx_recpack_stream *s);

/**
 * Seal a block of another type whose payload_len bytes follow @p hdr in
 * memory: sets magic, type, record_count, payload_len, zero times, CRC.
 */
void frx_block_seal_raw(struct frx_block_hdr *hdr, uint16_t type, uint32_t record_count,
			uint32_t payload_len);

/* ------------------------------------------------------------------ writer */

struct frx_ffile_writer_conf {
	const char *dir;            /**< output directory, created if missing */
	uint32_t rotate_seconds;    /**< rotate at multiples of this (wall clock); 0 = never */
	uint32_t collector_id;
	uint32_t fsync_every_blocks; /**< fdatasync after this many blocks; 0 = never (page cache) */
	int full_records;           /**< write FLOWS blocks of 160-byte records (format 1) instead of packing */
};

struct frx_ffile_writer;

/**
 * Create a writer and open the first file (named after the current time).
 * @return NULL on failure with errno set.
 */
struct frx_ffile_writer *frx_ffile_writer_open(const struct frx_ffile_writer_conf *conf);

/**
 * Append a sealed block: FLOWS (packed here unless full_records) or, from
 * frx_block_seal_stream(), FLOWS_PACKED (written as it is; refused with
 * full_records, whose files hold whole records only). Rotates first if the rotation time has passed,
 * so the block lands in exactly one file. @return 0 or -errno; on error the
 * block is not in any file (except after a failed fdatasync, when it was
 * written but may not be durable).
 */
int frx_ffile_writer_append(struct frx_ffile_writer *w, const struct frx_block *blk);

/** Append any sealed block (header + payload as one buffer). @return 0 or -errno. */
int frx_ffile_writer_append_raw(struct frx_ffile_writer *w, const struct frx_block_hdr *hdr);

/** Rotate now if the interval has passed (call on idle too). @return 0 or -errno. */
int frx_ffile_writer_tick(struct frx_ffile_writer *w, uint64_t now_ns);

/** Path of the file being written. */
const char *frx_ffile_writer_path(const struct frx_ffile_writer *w);

/** Totals written by this writer. */
void frx_ffile_writer_totals(const struct frx_ffile_writer *w, uint64_t *files, uint64_t *blocks,
			     uint64_t *records);

/** Write the END block, fsync and close the current file, free the writer. @return 0 or -errno. */
int frx_ffile_writer_close(struct frx_ffile_writer *w);

/* ------------------------------------------------------------------ reader */

enum frx_read_status {
	FRX_READ_BLOCK = 0,   /**< a checked block is in the reader's buffer */
	FRX_READ_EOF,         /**< clean end: END block seen (file complete) */
	FRX_READ_AGAIN,       /**< end of data so far, no END block: file still being written, or cut */
	FRX_READ_TORN,        /**< an incomplete or bad block at the end of the data; reread later or give up */
	FRX_READ_ERROR,       /**< I/O error */
};

struct frx_ffile_reader;

/**
 * Open a flow file and check its header.
 * @return NULL with errno set (EINVAL: not a flow file or unsupported version).
 */
struct frx_ffile_reader *frx_ffile_open(const char *path);

/** The checked file header. */
const struct frx_file_header *frx_ffile_header(const struct frx_ffile_reader *r);

/**
 * Read the next block. On FRX_READ_BLOCK, *hdr and *payload point into the
 * reader's buffer until the next call. A corrupt block followed by good
 * data is skipped (counted in frx_ffile_skipped()); a bad block at the end
 * of the data returns FRX_READ_TORN and leaves the position at its start,
 * so a later call (after the writer finished it) reads it. On FRX_READ_EOF
 * (this and every later call), *hdr and *payload point to the END block;
 * on the other statuses they are NULL. FLOWS_PACKED blocks come out
 * unpacked, as FLOWS blocks (payload_len = record_count full records); one
 * whose records do not unpack is skipped like a corrupt block.
 */
enum frx_read_status frx_ffile_next(struct frx_ffile_reader *r, const struct frx_block_hdr **hdr,
				    const void **payload);

/** Corrupt regions skipped so far (one per resynchronisation), and their bytes. */
void frx_ffile_skipped(const struct frx_ffile_reader *r, uint64_t *blocks, uint64_t *bytes);

/** Byte offset of the next block to read. */
uint64_t frx_ffile_offset(const struct frx_ffile_reader *r);

void frx_ffile_close(struct frx_ffile_reader *r);

/**
 * List the flow files of a directory, oldest first (by the creation time in
 * each header, then by name). @p paths is malloc'd, each entry too; free with
 * frx_ffile_list_free(). @return number of files, or -errno.
 */
int frx_ffile_list_dir(const char *dir, char ***paths);
void frx_ffile_list_free(char **paths, int n);

#endif
