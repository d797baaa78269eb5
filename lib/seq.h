/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Per-engine sequence accounting: what was lost, reordered, duplicated.
 *
 * An engine is {exporter, version, engine_type, engine_id} for v5-v8 and
 * {exporter, source port, source id / observation domain} for v9 and IPFIX
 * (RFC 7011 §8.4). Each version counts in its own unit: v5/v6/v7/v8 number
 * flows, v9 numbers export packets, IPFIX numbers data records; v1 has no
 * sequence number and is only counted.
 *
 * Accounting runs on the worker that owns the exporter, in two steps per
 * PDU: frx_seq_classify() before decoding (so an out-of-sequence PDU can be
 * rejected before it is stored) and frx_seq_update() after, with the
 * number of units the PDU carried.
 *
 * Late packets inside the reorder window fill their gap (not lost); a PDU
 * covering numbers already seen is a duplicate; a 32-bit wrap is no gap;
 * a jump larger than max_jump, or a sysUptime going backwards, is an
 * exporter restart (counted as such, never as billions of lost flows).
 *
 * softflowd's IPFIX puts in the header the records sent *including* the
 * current message (RFC 7011: before it). IPFIX engines are therefore
 * accounted twice, under the RFC's rule and under that convention, and the
 * convention with fewer irregularities is reported: an engine whose every
 * deviation that convention explains is accounted by it, while a real gap
 * shows under both.
 */
#ifndef FRX_SEQ_H
#define FRX_SEQ_H

#include <stdint.h>

#define FRX_SEQ_MAX_GAPS 8

enum frx_seq_unit {
	FRX_SEQ_UNIT_NONE = 0,  /**< v1: no sequence number */
	FRX_SEQ_UNIT_FLOWS,     /**< v5, v6, v7, v8 */
	FRX_SEQ_UNIT_PACKETS,   /**< v9 */
	FRX_SEQ_UNIT_RECORDS,   /**< IPFIX */
};

enum frx_seq_verdict {
	FRX_SEQ_NONE = 0,   /**< nothing to check (v1) */
	FRX_SEQ_FIRST,      /**< first PDU of the engine */
	FRX_SEQ_IN_ORDER,
	FRX_SEQ_GAP,        /**< ahead of the expected number: the difference is (provisionally) lost */
	FRX_SEQ_LATE,       /**< behind, inside a pending gap: fills it */
	FRX_SEQ_DUPLICATE,  /**< behind, numbers already seen */
	FRX_SEQ_STALE,      /**< behind the reorder window: too late to fill anything */
	FRX_SEQ_RESTART,    /**< exporter restarted (huge jump or sysUptime backwards) */
};

struct frx_seq_conf {
	uint32_t reorder_window;  /**< units behind the expected number a late PDU may be */
	uint32_t max_jump;        /**< a forward jump larger than this is a restart */
	uint32_t reject_distance; /**< with reject: refuse PDUs further than this from expected; 0 = never */
};

void frx_seq_conf_defaults(struct frx_seq_conf *conf);

/** One accounting under one convention. */
struct frx_seq_track {
	uint32_t next;            /**< expected next sequence number */
	uint8_t started;
	uint8_t nb_gaps;
	uint8_t has_candidate;    /**< a stale PDU may be an exporter that restarted */
	uint8_t reserved;
	uint32_t candidate_next;  /**< ...confirmed when the next PDU continues from it */
	struct {
		uint32_t start;
		uint32_t len;
	} gaps[FRX_SEQ_MAX_GAPS];  /**< provisionally lost ranges inside the window */
	uint64_t lost;
	uint64_t out_of_order;    /**< late PDUs (filling a gap, or stale) */
	uint64_t duplicates;
	uint64_t resets;
	uint64_t irregular;       /**< PDUs that were not in order: the quirk test */
};

struct frx_seq_state {
	struct frx_seq_track track[2]; /**< [0]: the version's rule; [1]: IPFIX "including" (softflowd) */
	uint32_t last_sequence;
	uint32_t last_uptime_ms;
	uint8_t unit;                  /**< enum frx_seq_unit */
	uint8_t has_uptime;            /**< the header carries sysUptime (v5-v9) */
	uint8_t inclusive;             /**< reporting track[1] */
	uint8_t quirk_logged;          /**< the switch to track[1] was reported */
	uint32_t updates;              /**< PDUs accounted */
};

/** Start an engine's accounting. */
void frx_seq_init(struct frx_seq_state *st, enum frx_seq_unit unit, int has_uptime);

/**
 * Where a PDU stands, before it is decoded. Changes nothing.
 * @param distance set to |sequence - expected| in units (0 when in order)
 */
enum frx_seq_verdict frx_seq_classify(const struct frx_seq_state *st, const struct frx_seq_conf *conf,
				      uint32_t sequence, uint32_t sys_uptime_ms, uint32_t *distance);

/**
 * With a reject policy: should this PDU be refused? IPFIX PDUs are only
 * refused once the engine's convention is settled (FRX_SEQ_SETTLE PDUs) and
 * is the RFC's: under softflowd's, a message's place depends on its own
 * record count, unknown before decoding.
 */
int frx_seq_should_reject(const struct frx_seq_state *st, const struct frx_seq_conf *conf,
			  enum frx_seq_verdict v, uint32_t distance);

#define FRX_SEQ_SETTLE 8

/**
 * Account a PDU that was stored, carrying @p units units (flows, 1 packet,
 * or data records). @return the verdict under the reported convention.
 * *quirk_switched is set (once per engine) when reporting switches to the
 * softflowd convention.
 */
enum frx_seq_verdict frx_seq_update(struct frx_seq_state *st, const struct frx_seq_conf *conf,
				    uint32_t sequence, uint32_t units, uint32_t sys_uptime_ms,
				    int *quirk_switched);

/**
 * Forget where the sequence stands (counters stay): the next PDU starts
 * afresh, neither gap nor restart. For messages whose records could not all
 * be counted.
 */
void frx_seq_resync(struct frx_seq_state *st);

/** The track being reported. */
static inline const struct frx_seq_track *
frx_seq_reported(const struct frx_seq_state *st)
{
	return &st->track[st->inclusive];
}

/** Name of a verdict for logs ("gap", "duplicate", ...). */
const char *frx_seq_verdict_name(enum frx_seq_verdict v);

#endif
