/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Aggregation of flow records on any set of keys, and top-N statistics
 * (`flowrx-read -A srcip,dstport`, `flowrx-read -s srcip/bytes -n 10`).
 *
 * The keys of a record are packed into a fixed-size byte string whose
 * layout is decided once from the key list; the string is hashed a 64-bit
 * word at a time into an open-addressing table (linear probing, power-of-two
 * size, doubled at half load) whose slots index a dense array of entries
 * holding the sums: flows, packets, bytes, earliest first and latest last.
 * Adding a record copies a few fields and does one probe in the common
 * case; nothing is allocated except when the table grows.
 *
 * Keys that stand for either side (`ip`, `port`, `as`, `if`, `vlan`, as
 * nfdump's `-s ip`) count a record once for its source and once for its
 * destination value (once if both are the same). DPDK-free.
 */
#ifndef FRX_AGGR_H
#define FRX_AGGR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "flowrec.h"
#include "fmt.h"

/** Most keys in one aggregation. */
#define FRX_AGGR_MAX_KEYS 12

/** Size of the error text of frx_aggr_parse_keys(), with its NUL. */
#define FRX_AGGR_ERR_MAX 320

enum frx_aggr_field {
	FRX_AGGR_SRCIP, FRX_AGGR_DSTIP, FRX_AGGR_IP, FRX_AGGR_SRCNET, FRX_AGGR_DSTNET, FRX_AGGR_NEXTHOP,
	FRX_AGGR_EXPORTER, FRX_AGGR_SRCPORT, FRX_AGGR_DSTPORT, FRX_AGGR_PORT, FRX_AGGR_PROTO, FRX_AGGR_TOS,
	FRX_AGGR_SRCAS, FRX_AGGR_DSTAS, FRX_AGGR_AS, FRX_AGGR_INIF, FRX_AGGR_OUTIF, FRX_AGGR_IF,
	FRX_AGGR_ENGINE, FRX_AGGR_DOMAIN, FRX_AGGR_CLASS, FRX_AGGR_VERSION, FRX_AGGR_SRCVLAN, FRX_AGGR_DSTVLAN,
	FRX_AGGR_VLAN, FRX_AGGR_FIELD_MAX
};

/** One key: a field, and for addresses the prefix lengths kept (srcip4/24). */
struct frx_aggr_key {
	uint8_t field;      /**< enum frx_aggr_field */
	uint8_t v4_bits;    /**< 0-32: leading bits of IPv4 addresses kept (32: all) */
	uint8_t v6_bits;    /**< 0-128: of IPv6 addresses (128: all) */
};

struct frx_aggr_spec {
	unsigned int nb_keys;
	struct frx_aggr_key keys[FRX_AGGR_MAX_KEYS];
};

/** How tables are ordered: largest first, except tstart/tend (earliest first). */
enum frx_aggr_order {
	FRX_AGGR_ORDER_FLOWS, FRX_AGGR_ORDER_PACKETS, FRX_AGGR_ORDER_BYTES, FRX_AGGR_ORDER_PPS,
	FRX_AGGR_ORDER_BPS, FRX_AGGR_ORDER_BPP, FRX_AGGR_ORDER_TSTART, FRX_AGGR_ORDER_TEND,
	FRX_AGGR_ORDER_MAX
};

/** An aggregate. The key bytes are private: read them with frx_aggr_key_text(). */
struct frx_aggr_entry {
	uint64_t flows;
	uint64_t packets;
	uint64_t bytes;
	uint64_t first_ms;  /**< earliest first_ms */
	uint64_t last_ms;   /**< latest last_ms */
	uint64_t key[];     /**< packed keys */
};

/** Sums over every record added (what percentages are of). */
struct frx_aggr_totals {
	uint64_t records;
	uint64_t flows;
	uint64_t packets;
	uint64_t bytes;
};

struct frx_aggr;

/**
 * Parse a key list: names separated by commas, e.g. "srcip,dstport",
 * "srcip4/24,proto", "srcip6/48". Names (nfdump's, with aliases):
 * srcip dstip ip srcnet dstnet nexthop exporter srcport dstport port proto
 * tos srcas dstas as inif outif if engine domain class version srcvlan
 * dstvlan vlan; ip4/N and ip6/N forms for srcip, dstip and ip. At most one
 * either-side key (ip, port, as, if, vlan).
 * @return 0, or -EINVAL with the reason in err (err_size bytes; may be NULL).
 */
int frx_aggr_parse_keys(const char *text, struct frx_aggr_spec *spec, char *err, size_t err_size);

/**
 * Parse an order name: flows, packets, bytes, pps, bps, bpp, tstart, tend.
 * @return 0 or -EINVAL.
 */
int frx_aggr_parse_order(const char *name, enum frx_aggr_order *order);

/** Name of an order ("bytes"). */
const char *frx_aggr_order_name(enum frx_aggr_order order);

/** @return NULL with errno set (ENOMEM, EINVAL for a bad spec). */
struct frx_aggr *frx_aggr_create(const struct frx_aggr_spec *spec);

void frx_aggr_free(struct frx_aggr *a);

/**
 * Add a record: its flows (at least 1), packets and bytes to its
 * aggregate(s). @return 0 or -ENOMEM (the record was not added).
 */
int frx_aggr_add(struct frx_aggr *a, const struct frx_flowrec *rec);

/** Distinct aggregates so far. */
size_t frx_aggr_count(const struct frx_aggr *a);

/** Sums over the records added. */
void frx_aggr_totals(const struct frx_aggr *a, struct frx_aggr_totals *totals);

/**
 * The first @p limit aggregates in @p order (0: all of them), sorted; ties
 * are broken by key, so the result is the same whatever the input order.
 * Picks the top with a bounded heap: O(n log limit).
 * @param rows on success, an array owned by @p a, valid until the next call
 *             of frx_aggr_sort() or frx_aggr_add(), or frx_aggr_free().
 * @return 0 or -ENOMEM.
 */
int frx_aggr_sort(struct frx_aggr *a, enum frx_aggr_order order, size_t limit,
		  const struct frx_aggr_entry *const **rows, size_t *nb_rows);

/** Text of key @p k of an entry ("10.1.2.0/24", "443", "TCP", "1/2"). @return buf. */
char *frx_aggr_key_text(const struct frx_aggr *a, const struct frx_aggr_entry *e, unsigned int k, char *buf,
			size_t size);

/** How to print a table. */
struct frx_aggr_print {
	enum frx_fmt fmt;
	/**
	 * A top-N statistic (-s): text gets a title ("Top 10 Src IP Addr
	 * ordered by bytes:") and percentage columns; CSV and JSON get the
	 * columns stat and rank first. false: an aggregation (-A).
	 */
	bool top;
	enum frx_aggr_order order;  /**< named in the title and in stat */
	size_t limit;               /**< the N of the title (0: all) */
};

/**
 * Print rows as an aligned text table with human units, as CSV (header,
 * then one line per row) or as JSON lines (docs/reader.md). Percentages
 * are of the totals of @p a.
 */
void frx_aggr_write(const struct frx_aggr *a, const struct frx_aggr_entry *const *rows, size_t nb_rows,
		    const struct frx_aggr_print *how, FILE *out);

/** The key list as given back: "srcip4/24,dstport" (for titles and the stat column). @return buf. */
char *frx_aggr_spec_text(const struct frx_aggr_spec *spec, char *buf, size_t size);

#endif
