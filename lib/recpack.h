/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Packed flow records: the on-disk form of FLOWS_PACKED blocks.
 *
 * A 160-byte struct frx_flowrec is mostly space a typical record does not
 * use: three IPv4-mapped addresses with 12 fixed bytes each, an exporter
 * context that every record of a datagram repeats, fields that are zero.
 * Writing those bytes was most of the collector's time (docs/performance.md),
 * so the writer packs each block: IPv4 addresses as 4 bytes, the exporter
 * context only when it changes, 32-bit counters and a 32-bit duration when
 * they fit, the rarely used fields only when set. A v5 record takes 59
 * bytes. Every struct frx_flowrec packs and unpacks to itself, byte for
 * byte; the reader unpacks, so nothing above lib/ffile.c sees the packing.
 */
#ifndef FRX_RECPACK_H
#define FRX_RECPACK_H

#include <stddef.h>
#include <stdint.h>

#include "flowrec.h"

/** Most bytes one packed record takes. */
#define FRX_RECPACK_MAX 192
/** Fewest bytes one packed record takes. */
#define FRX_RECPACK_MIN 59

/**
 * Pack @p count records into @p out, which has room for
 * count * FRX_RECPACK_MAX bytes. @return bytes written.
 */
size_t frx_recpack_pack(const struct frx_flowrec *recs, uint32_t count, uint8_t *out);

/**
 * Unpack exactly @p count records from the @p len bytes at @p in.
 * @return 0, or -EINVAL if the bytes are not exactly count packed records
 * (the output is then partly written and must not be used).
 */
int frx_recpack_unpack(const uint8_t *in, size_t len, uint32_t count, struct frx_flowrec *out);

#endif
