/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sequence accounting, modulo 2^32: differences are taken unsigned and read
 * as signed, so a wrap is an ordinary step forward.
 */
#include "seq.h"

#include <string.h>

/* A sysUptime that went back by more than this is a restart, not reordering. */
#define UPTIME_BACK_RESTART_MS 60000

void
frx_seq_conf_defaults(struct frx_seq_conf *conf)
{
	conf->reorder_window = 4096;
	conf->max_jump = 100000000;
	conf->reject_distance = 0;
}

void
frx_seq_init(struct frx_seq_state *st, enum frx_seq_unit unit, int has_uptime)
{
	memset(st, 0, sizeof(*st));
	st->unit = (uint8_t)unit;
	st->has_uptime = (uint8_t)!!has_uptime;
}

const char *
frx_seq_verdict_name(enum frx_seq_verdict v)
{
	static const char *const names[] = {
		[FRX_SEQ_NONE] = "none", [FRX_SEQ_FIRST] = "first", [FRX_SEQ_IN_ORDER] = "in order",
		[FRX_SEQ_GAP] = "gap", [FRX_SEQ_LATE] = "late", [FRX_SEQ_DUPLICATE] = "duplicate",
		[FRX_SEQ_STALE] = "stale", [FRX_SEQ_RESTART] = "restart",
	};

	return (unsigned int)v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}

static int
uptime_went_back(const struct frx_seq_state *st, uint32_t sys_uptime_ms)
{
	return st->has_uptime && st->track[0].started &&
	       (int32_t)(sys_uptime_ms - st->last_uptime_ms) < -UPTIME_BACK_RESTART_MS;
}

static enum frx_seq_verdict
track_classify(const struct frx_seq_track *t, const struct frx_seq_conf *conf, uint32_t seq,
	       uint32_t *distance)
{
	int32_t d;

	*distance = 0;
	if (!t->started)
		return FRX_SEQ_FIRST;
	/* Without sysUptime (IPFIX) a restart shows as a PDU far behind, then
	 * one continuing from it. */
	if (t->has_candidate && seq == t->candidate_next)
		return FRX_SEQ_RESTART;
	d = (int32_t)(seq - t->next);
	if (d == 0)
		return FRX_SEQ_IN_ORDER;
	if (d > 0) {
		*distance = (uint32_t)d;
		return (uint32_t)d > conf->max_jump ? FRX_SEQ_RESTART : FRX_SEQ_GAP;
	}
	*distance = (uint32_t)-(int64_t)d;
	if (*distance > conf->max_jump)
		return FRX_SEQ_RESTART;
	if (*distance > conf->reorder_window)
		return FRX_SEQ_STALE;
	for (unsigned int i = 0; i < t->nb_gaps; i++)
		if ((uint32_t)(seq - t->gaps[i].start) < t->gaps[i].len)
			return FRX_SEQ_LATE;
	return FRX_SEQ_DUPLICATE;
}

enum frx_seq_verdict
frx_seq_classify(const struct frx_seq_state *st, const struct frx_seq_conf *conf, uint32_t sequence,
		 uint32_t sys_uptime_ms, uint32_t *distance)
{
	if (st->unit == FRX_SEQ_UNIT_NONE) {
		*distance = 0;
		return FRX_SEQ_NONE;
	}
	if (uptime_went_back(st, sys_uptime_ms)) {
		*distance = 0;
		return FRX_SEQ_RESTART;
	}
	return track_classify(&st->track[st->inclusive], conf, sequence, distance);
}

int
frx_seq_should_reject(const struct frx_seq_state *st, const struct frx_seq_conf *conf, enum frx_seq_verdict v,
		      uint32_t distance)
{
	if (conf->reject_distance == 0)
		return 0;
	if (st->unit == FRX_SEQ_UNIT_RECORDS && (st->inclusive || st->updates < FRX_SEQ_SETTLE))
		return 0;
	switch (v) {
	case FRX_SEQ_DUPLICATE:
		return 1; /* a replay stores nothing new */
	case FRX_SEQ_GAP:
	case FRX_SEQ_STALE:
	case FRX_SEQ_LATE:
		return distance > conf->reject_distance;
	default:
		return 0;
	}
}

/* Drop gaps that fell behind the reorder window: their loss is final. */
static void
expire_gaps(struct frx_seq_track *t, const struct frx_seq_conf *conf)
{
	unsigned int k = 0;

	for (unsigned int i = 0; i < t->nb_gaps; i++) {
		uint32_t end = t->gaps[i].start + t->gaps[i].len;

		if ((uint32_t)(t->next - end) <= conf->reorder_window)
			t->gaps[k++] = t->gaps[i];
	}
	t->nb_gaps = (uint8_t)k;
}

static void
add_gap(struct frx_seq_track *t, uint32_t start, uint32_t len)
{
	if (t->nb_gaps == FRX_SEQ_MAX_GAPS) {
		/* the oldest gap becomes final */
		memmove(&t->gaps[0], &t->gaps[1], (FRX_SEQ_MAX_GAPS - 1) * sizeof(t->gaps[0]));
		t->nb_gaps--;
	}
	t->gaps[t->nb_gaps].start = start;
	t->gaps[t->nb_gaps].len = len;
	t->nb_gaps++;
}

/* Take [seq, seq + units) out of the pending gaps; @return units filled. */
static uint32_t
fill_gaps(struct frx_seq_track *t, uint32_t seq, uint32_t units)
{
	uint32_t filled = 0;

	for (unsigned int i = 0; i < t->nb_gaps; i++) {
		uint32_t gs = t->gaps[i].start, glen = t->gaps[i].len;
		uint32_t off = seq - gs, take;

		if (off >= glen)
			continue;
		take = units < glen - off ? units : glen - off;
		filled += take;
		if (off == 0) {
			t->gaps[i].start += take;
			t->gaps[i].len -= take;
		} else if (off + take == glen) {
			t->gaps[i].len = off;
		} else {
			/* the late PDU sits in the middle: split the gap */
			uint32_t tail_start = seq + take, tail_len = glen - off - take;

			t->gaps[i].len = off;
			add_gap(t, tail_start, tail_len);
		}
		break;
	}
	/* drop emptied gaps */
	for (unsigned int i = 0; i < t->nb_gaps;) {
		if (t->gaps[i].len == 0) {
			memmove(&t->gaps[i], &t->gaps[i + 1], (t->nb_gaps - i - 1) * sizeof(t->gaps[0]));
			t->nb_gaps--;
		} else {
			i++;
		}
	}
	return filled;
}

static enum frx_seq_verdict
track_apply(struct frx_seq_track *t, const struct frx_seq_conf *conf, uint32_t seq, uint32_t units,
	    int restart)
{
	uint32_t distance, filled;
	enum frx_seq_verdict v = restart ? FRX_SEQ_RESTART : track_classify(t, conf, seq, &distance);
	int confirmed_candidate = v == FRX_SEQ_RESTART && !restart && t->has_candidate && seq == t->candidate_next;

	t->has_candidate = 0;
	switch (v) {
	case FRX_SEQ_FIRST:
		t->started = 1;
		t->next = seq + units;
		t->nb_gaps = 0;
		break;
	case FRX_SEQ_IN_ORDER:
		t->next = seq + units;
		break;
	case FRX_SEQ_GAP:
		t->lost += distance;
		add_gap(t, t->next, distance);
		t->next = seq + units;
		t->irregular++;
		break;
	case FRX_SEQ_LATE:
		filled = fill_gaps(t, seq, units);
		t->lost -= filled < t->lost ? filled : t->lost;
		t->out_of_order++;
		t->irregular++;
		break;
	case FRX_SEQ_DUPLICATE:
		t->duplicates++;
		t->irregular++;
		/* numbers beyond the expected one are new: move on */
		if ((int32_t)(seq + units - t->next) > 0)
			t->next = seq + units;
		break;
	case FRX_SEQ_STALE:
		t->out_of_order++;
		t->irregular++;
		t->has_candidate = 1;
		t->candidate_next = seq + units;
		break;
	case FRX_SEQ_RESTART:
	default:
		if (confirmed_candidate && t->out_of_order) {
			/* the stale PDU was the restarted exporter's first */
			t->out_of_order--;
			t->irregular--;
		}
		t->resets++;
		t->irregular++;
		t->next = seq + units;
		t->nb_gaps = 0;
		break;
	}
	expire_gaps(t, conf);
	return v;
}

enum frx_seq_verdict
frx_seq_update(struct frx_seq_state *st, const struct frx_seq_conf *conf, uint32_t sequence, uint32_t units,
	       uint32_t sys_uptime_ms, int *quirk_switched)
{
	int restart;
	enum frx_seq_verdict v[2];

	*quirk_switched = 0;
	if (st->unit == FRX_SEQ_UNIT_NONE)
		return FRX_SEQ_NONE;
	restart = uptime_went_back(st, sys_uptime_ms);
	if (st->has_uptime && (!st->track[0].started || restart ||
			       (int32_t)(sys_uptime_ms - st->last_uptime_ms) > 0))
		st->last_uptime_ms = sys_uptime_ms;
	st->last_sequence = sequence;
	st->updates++;

	v[0] = track_apply(&st->track[0], conf, sequence, units, restart);
	if (st->unit != FRX_SEQ_UNIT_RECORDS)
		return v[0];

	/* softflowd: the header counts the records of this message too */
	v[1] = track_apply(&st->track[1], conf, sequence - units, units, restart);
	if (!st->inclusive && st->track[1].irregular < st->track[0].irregular && st->track[0].irregular >= 2) {
		st->inclusive = 1;
		if (!st->quirk_logged) {
			st->quirk_logged = 1;
			*quirk_switched = 1;
		}
	} else if (st->inclusive && st->track[0].irregular < st->track[1].irregular) {
		st->inclusive = 0; /* the evidence turned: back to the RFC's rule */
	}
	return v[st->inclusive];
}

void
frx_seq_resync(struct frx_seq_state *st)
{
	st->track[0].started = 0;
	st->track[1].started = 0;
	st->track[0].has_candidate = 0;
	st->track[1].has_candidate = 0;
}
