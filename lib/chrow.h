/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Flow records and engine statistics as ClickHouse rows: the table schemas
 * and the RowBinary encoding the shipper sends (docs/scale-out.md).
 *
 * The flows table has one column per key of the reader's JSON contract
 * (lib/fmt.c, docs/reader.md), in the same order and with the same names,
 * then `collector`, `time` and `batch_id`. Types stay within ClickHouse
 * 18.16 (Debian 12): addresses are FixedString(16), the 16 bytes of the
 * record (IPv4 mapped as ::ffff:a.b.c.d), shown with IPv6NumToString();
 * times are UInt64 epoch milliseconds plus a DateTime `time` (first seen,
 * seconds) for day partitions and time filters: no DateTime64, no IPv6 type.
 *
 * RowBinary is the column values back to back, little-endian, strings as
 * LEB128 length + bytes: the record's integers are copied as they are.
 * DPDK-free.
 */
#ifndef FRX_CHROW_H
#define FRX_CHROW_H

#include <stddef.h>
#include <stdint.h>

#include "expstats.h"
#include "flowrec.h"

enum frx_chrow_table {
	FRX_CHROW_FLOWS, /**< one row per flow record */
	FRX_CHROW_STATS, /**< one row per engine of each STATS block */
};

/** Fixed bytes of a flows row, without the two interface-name strings' bytes. */
#define FRX_CHROW_FLOW_FIXED 164
/** Largest flows row: names are at most FRX_IFNAME_LEN (64) bytes, 1-byte lengths. */
#define FRX_CHROW_FLOW_MAX (FRX_CHROW_FLOW_FIXED + 2 * 64)
/** A stats row (fixed size). */
#define FRX_CHROW_STATS_ROW 139

/** Column names of a table, comma separated, in RowBinary order (for INSERT). */
const char *frx_chrow_columns(enum frx_chrow_table table);

/** Number of columns of a table. */
unsigned int frx_chrow_ncolumns(enum frx_chrow_table table);

/** Name and ClickHouse type of column i (0-based); NULL past the last. */
const char *frx_chrow_column_name(enum frx_chrow_table table, unsigned int i);
const char *frx_chrow_column_type(enum frx_chrow_table table, unsigned int i);

/**
 * CREATE TABLE IF NOT EXISTS statement for @p name ("db.table" or
 * "table"), MergeTree partitioned by day and ordered by exporter and time,
 * without a trailing semicolon or newline.
 * @return its length (as snprintf: the length needed if size is too small).
 */
int frx_chrow_schema(enum frx_chrow_table table, const char *name, char *buf, size_t size);

/**
 * Encode one flows row into @p out (at least FRX_CHROW_FLOW_MAX bytes).
 * Names longer than 64 bytes are cut to 64; NULL is "".
 * @return bytes written.
 */
size_t frx_chrow_flow(uint8_t *out, const struct frx_flowrec *rec, const char *in_if_name,
		      const char *out_if_name, uint32_t collector, uint64_t batch_id);

/**
 * Encode one stats row (FRX_CHROW_STATS_ROW bytes) for engine @p eng of a
 * STATS block whose header is @p sh.
 * @return bytes written.
 */
size_t frx_chrow_stats(uint8_t *out, const struct frx_stats_header *sh, const struct frx_engine_stats *eng,
		       uint32_t collector, uint64_t batch_id);

#endif
