/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Output formats for flow records: aligned text, CSV and JSON lines.
 *
 * Each record is formatted with one snprintf() into a caller's buffer and
 * written with one fwrite(), so printing millions of records costs little
 * more than the formatting. The column set and order of CSV and JSON is a
 * contract (docs/reader.md): new columns are only ever appended.
 * DPDK-free.
 */
#ifndef FRX_FMT_H
#define FRX_FMT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "flowrec.h"

enum frx_fmt {
	FRX_FMT_TEXT, /**< aligned columns for people, like nfdump */
	FRX_FMT_CSV,  /**< header line, then one line per record */
	FRX_FMT_JSON, /**< one JSON object per line, no header */
};

/** Large enough for any record in any format, with the newline and NUL. */
#define FRX_FMT_RECORD_MAX 2048

/** Large enough for frx_fmt_human() output of any value. */
#define FRX_FMT_HUMAN_MAX 16

/**
 * Parse a format name: "text", "csv" or "json".
 * @return 0, or -EINVAL for another name (*fmt unchanged).
 */
int frx_fmt_parse(const char *name, enum frx_fmt *fmt);

/** Name of a format ("text", "csv", "json"), "?" if out of range. */
const char *frx_fmt_name(enum frx_fmt fmt);

/**
 * Header of a format into buf, with its newline: column titles for text,
 * the column names for CSV, nothing ("") for JSON.
 * @return length written (as snprintf: the length needed if size is too small).
 */
int frx_fmt_header_str(enum frx_fmt fmt, char *buf, size_t size);

/** Write the header of a format to @p out (nothing for JSON). */
void frx_fmt_header(enum frx_fmt fmt, FILE *out);

/**
 * One record as one line, with its newline, into buf. A buffer of
 * FRX_FMT_RECORD_MAX bytes always suffices.
 * @return length written (as snprintf: the length needed if size is too small).
 */
int frx_fmt_record_str(enum frx_fmt fmt, const struct frx_flowrec *rec, char *buf, size_t size);

/** Write one record to @p out as one line. */
void frx_fmt_record(enum frx_fmt fmt, const struct frx_flowrec *rec, FILE *out);

/**
 * The same with the names of the record's input and output interfaces (from
 * IFNAMES blocks; NULL or "" when unknown), in the CSV/JSON columns
 * in_if_name and out_if_name. Names are escaped for the format.
 */
int frx_fmt_record_names_str(enum frx_fmt fmt, const struct frx_flowrec *rec, const char *in_if_name,
			     const char *out_if_name, char *buf, size_t size);
void frx_fmt_record_names(enum frx_fmt fmt, const struct frx_flowrec *rec, const char *in_if_name,
			  const char *out_if_name, FILE *out);

/**
 * A count in human units, base 1000: "532", "1.2 K", "1.2 M", ... up to "E",
 * one decimal above 999. @return buf.
 */
char *frx_fmt_human(uint64_t v, char *buf, size_t size);

/**
 * Protocol name for text output: "TCP", "UDP", "ICMP", "ICMP6", "GRE",
 * "ESP", else the number. @return buf, or a static string.
 */
const char *frx_fmt_proto(uint8_t proto, char *buf, size_t size);

#endif
