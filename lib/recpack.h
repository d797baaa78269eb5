/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Packed flow records: the on-disk form of FLOWS_PACKED blocks.
 *
 * A 160-byte struct frx_flowrec is mostly space a typical record does not
 * use: three IPv4-mapped addresses with 12 fixed bytes each, an exporter
 * context that every record of a datagram repeats, fields that are zero.
 * Writing those bytes was most of the collector's time (docs/performance.md),
 * so the workers pack each block: IPv4 addresses as 4 bytes, the exporter
 * context only when it changes, 32-bit counters and a 32-bit duration when
 * they fit, 16-bit AS numbers and interfaces in 2 bytes, the start time
 * relative to the previous record's, the rarely used fields only when set.
 * A v5 record takes 48 bytes. Every struct frx_flowrec packs and unpacks
 * to itself, byte for byte; the reader unpacks, so nothing above
 * lib/ffile.c sees the packing.
 */
#ifndef FRX_RECPACK_H
#define FRX_RECPACK_H

#include <stddef.h>
#include <stdint.h>

#include "flowrec.h"

/** Most bytes one packed record takes. */
#define FRX_RECPACK_MAX 192
/** Fewest bytes one packed record takes. */
#define FRX_RECPACK_MIN 48

/**
 * Pack @p count records into @p out, which has room for
 * count * FRX_RECPACK_MAX bytes. @return bytes written.
 */
size_t frx_recpack_pack(const struct frx_flowrec *recs, uint32_t count, uint8_t *out);

/**
 * A block payload being filled record by record, over several calls: the
 * worker packs each burst's records (decoded into a small window that stays
 * in cache) into the block it will hand over, so no 160-byte record ever
 * leaves the cache and the writer only writes.
 */
struct frx_recpack_stream {
	uint8_t *out;              /**< the payload */
	uint32_t cap;              /**< its size in bytes */
	uint32_t len;              /**< bytes used */
	uint32_t count;            /**< records in it */
	uint32_t max_records;      /**< most records it may take */
	int full;                  /**< 1: whole 160-byte records (format 1), 0: packed */
	uint64_t min_first_ms;     /**< of its records; UINT64_MAX while empty */
	uint64_t max_last_ms;
	struct frx_flowrec prev;   /**< the last record packed (its exporter context) */
};

/** Start an empty payload of @p cap bytes at @p out. */
void frx_recpack_stream_init(struct frx_recpack_stream *s, uint8_t *out, uint32_t cap, uint32_t max_records,
			     int full);

/**
 * Add records in order until all @p n are in or the payload is full
 * (max_records, or less than FRX_RECPACK_MAX bytes left).
 * @return how many were added; fewer than @p n: start a new payload for the rest.
 */
uint32_t frx_recpack_stream_add(struct frx_recpack_stream *s, const struct frx_flowrec *recs, uint32_t n);

/**
 * An IPv4 flow as NetFlow v1-v7 carry it: what frx_recpack_stream_add_v4flow()
 * packs without a struct frx_flowrec (the v5 decoder's direct path).
 */
struct frx_recpack_v4flow {
	uint64_t first_ms;
	uint64_t last_ms;
	uint32_t packets;
	uint32_t bytes;
	uint8_t src[4];            /**< network order */
	uint8_t dst[4];
	uint8_t next_hop[4];
	uint16_t src_as;
	uint16_t dst_as;
	uint16_t in_if;
	uint16_t out_if;
	uint16_t src_port;
	uint16_t dst_port;
	uint8_t proto;
	uint8_t tos;
	uint8_t tcp_flags;
	uint8_t src_mask;
	uint8_t dst_mask;
};

/**
 * Add one record: @p ctx with @p f's fields stored in it (ctx gives the
 * exporter context, flags and the fields f has not; its addresses and its
 * extra fields must be those of an IPv4 flow without extras: 0, flows 1).
 * The bytes are exactly those frx_recpack_stream_add() writes for that
 * record, without building it. Packed streams only (not full).
 * @return 1 if added, 0 if the payload is full.
 */
int frx_recpack_stream_add_v4flow(struct frx_recpack_stream *s, const struct frx_flowrec *ctx,
				  const struct frx_recpack_v4flow *f);

/**
 * Unpack exactly @p count records from the @p len bytes at @p in.
 * @return 0, or -EINVAL if the bytes are not exactly count packed records
 * (the output is then partly written and must not be used).
 */
int frx_recpack_unpack(const uint8_t *in, size_t len, uint32_t count, struct frx_flowrec *out);

#endif
