/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Time windows for readers (`flowrx-read -t START[-END]`).
 *
 * A record is in a window when its whole flow is: first_ms and last_ms
 * both lie in [start_ms, end_ms] (nfdump's -t rule, which tests
 * first >= start and last <= end; testing both times keeps records with a
 * last time before their first time, from broken exporter clocks, out of
 * windows they do not lie in, and makes the block and file checks below
 * exact). Blocks and files carry the smallest first_ms and largest last_ms
 * of their records, so whole blocks and files can be passed over without
 * looking at a record. DPDK-free.
 */
#ifndef FRX_TWIN_H
#define FRX_TWIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flowrec.h"

/** Size of the error text of frx_twin_parse(), with its NUL. */
#define FRX_TWIN_ERR_MAX 160

/** Longest text of frx_twin_format(), with its NUL. */
#define FRX_TWIN_TIME_MAX 32

/** Both ends included, epoch milliseconds UTC. */
struct frx_twin {
	uint64_t start_ms;
	uint64_t end_ms;    /**< UINT64_MAX: open-ended */
};

/**
 * Parse a window "START[-END]" (spaces around the '-' allowed). Each time
 * is one of, all UTC:
 *  - `YYYY-MM-DD[ HH:MM[:SS[.mmm]]]` (also with `T` for the space, and a
 *    trailing `Z`);
 *  - `YYYY/MM/DD[.hh[:mm[:ss]]]`, as nfdump;
 *  - epoch seconds (digits only).
 * Omitted parts are 0; without END the window has no end. END is included
 * as given: "...-2023-11-14 10:05" ends at 10:05:00.000.
 * @return 0, or -EINVAL with a reason in err (err_size bytes; err may be NULL).
 */
int frx_twin_parse(const char *spec, struct frx_twin *tw, char *err, size_t err_size);

/**
 * Parse one time (any format above) at the start of text.
 * @return characters used (> 0), or -EINVAL.
 */
int frx_twin_parse_time(const char *text, uint64_t *ms);

/** Is the record in the window? */
static inline bool
frx_twin_record(const struct frx_twin *tw, const struct frx_flowrec *r)
{
	return r->first_ms >= tw->start_ms && r->last_ms >= tw->start_ms && r->first_ms <= tw->end_ms &&
	       r->last_ms <= tw->end_ms;
}

/**
 * Can a set of records whose smallest first_ms and largest last_ms are
 * these hold a record in the window? False only when none can: then the
 * block or file can be skipped unread.
 */
static inline bool
frx_twin_range(const struct frx_twin *tw, uint64_t min_first_ms, uint64_t max_last_ms)
{
	/* a record in the window has last >= start and first <= end */
	return max_last_ms >= tw->start_ms && min_first_ms <= tw->end_ms;
}

/** "YYYY-MM-DD HH:MM:SS.mmm" (UTC), or the number if out of range. @return buf. */
char *frx_twin_format(uint64_t ms, char *buf, size_t size);

#endif
