/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Reader filter expressions in nfdump's syntax, e.g.
 * `src net 10.0.0.0/8 and (port 53 or proto icmp) and not flags R and bytes > 1M`
 * (grammar and every primitive: docs/reader.md#filters).
 *
 * frx_filter_compile() parses an expression once into a flat program, as
 * BPF does: one instruction per primitive test, each with a jump target for
 * "true" and one for "false"; `and`, `or`, `not` and parentheses only decide
 * those targets. Evaluating a record is a short loop over fixed
 * instructions with short-circuit evaluation: no recursion, no allocation,
 * no lookup of names. Jumps only go to instructions compiled earlier, so
 * the loop always ends. DPDK-free.
 */
#ifndef FRX_FILTER_H
#define FRX_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flowrec.h"

/** Size of frx_filter_error.message, with its NUL. */
#define FRX_FILTER_ERR_MAX 256

/** Deepest nesting of parentheses and `not` an expression may use. */
#define FRX_FILTER_MAX_DEPTH 256

/** Why an expression did not compile. */
struct frx_filter_error {
	/** 1-based column of the offending token in the expression; one past the end for "end of filter". */
	unsigned int column;
	/** e.g. "expected a port number after 'port', found 'http'" (no column, no prefix). */
	char message[FRX_FILTER_ERR_MAX];
};

struct frx_filter;

/**
 * Compile an expression. An empty expression (or only spaces) matches every
 * record. Keywords are case-insensitive.
 *
 * @param expr   the expression, NUL-terminated.
 * @param filter on success, the compiled filter (free with frx_filter_free()).
 * @param err    on -EINVAL, the column and the reason; may be NULL.
 * @return 0; -EINVAL for a syntax error (*filter untouched, err filled);
 *         -ENOMEM.
 */
int frx_filter_compile(const char *expr, struct frx_filter **filter, struct frx_filter_error *err);

/**
 * Does the record match? Allocates nothing; safe to call from several
 * threads on one filter.
 */
bool frx_filter_match(const struct frx_filter *filter, const struct frx_flowrec *rec);

/** Instructions in the program (one per primitive test; 0 for `any`). */
unsigned int frx_filter_size(const struct frx_filter *filter);

/** Free a compiled filter; NULL is fine. */
void frx_filter_free(struct frx_filter *filter);

/*
 * Derived values the filter (and lib/aggr) compute from a record; exposed
 * so both agree on one definition.
 */

/** last_ms - first_ms, 0 if last is before first. */
static inline uint64_t
frx_rec_duration_ms(const struct frx_flowrec *r)
{
	return r->last_ms > r->first_ms ? r->last_ms - r->first_ms : 0;
}

/** count * scale / duration_ms, saturated; 0 for a zero duration (as nfdump). */
static inline uint64_t
frx_rate(uint64_t count, uint64_t scale, uint64_t duration_ms)
{
	unsigned __int128 v;

	if (duration_ms == 0)
		return 0;
	v = (unsigned __int128)count * scale / duration_ms;
	return v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
}

/** Bits per second over the flow's duration. */
static inline uint64_t
frx_rec_bps(const struct frx_flowrec *r)
{
	return frx_rate(r->bytes, 8000, frx_rec_duration_ms(r));
}

/** Packets per second over the flow's duration. */
static inline uint64_t
frx_rec_pps(const struct frx_flowrec *r)
{
	return frx_rate(r->packets, 1000, frx_rec_duration_ms(r));
}

/** Bytes per packet, 0 without packets. */
static inline uint64_t
frx_rec_bpp(const struct frx_flowrec *r)
{
	return r->packets ? r->bytes / r->packets : 0;
}

#endif
