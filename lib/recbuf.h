/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Where decoders put records.
 *
 * A record buffer is a window of free record slots, usually the free tail
 * of a flow-file block owned by a worker: decoders write records straight
 * into the block (no copy). When the window is full the decoder calls
 * frx_recbuf_next(), which asks the owner to hand the full block on and
 * give a fresh one; that happens once per block, not per record.
 */
#ifndef FRX_RECBUF_H
#define FRX_RECBUF_H

#include <stdint.h>

#include "flowrec.h"

struct frx_recbuf;

/**
 * String fields a record may carry besides the fixed record (which has no
 * strings): what the rules stage (lib/rules.h) matches by regex or literal.
 */
enum frx_str_field {
	FRX_STR_APPLICATION = 0, /**< applicationName, IE 96 */
	FRX_STR_APP_DESCR,       /**< applicationDescription, IE 94 */
	FRX_STR_IN_IF_NAME,      /**< interfaceName, IE 82 in the record, else the exporter's name of in_if */
	FRX_STR_OUT_IF_NAME,     /**< the exporter's name of out_if (options data) */
	FRX_STR_MAX
};

/** One string of one record, pointing into the datagram being decoded. */
struct frx_recstr {
	const struct frx_flowrec *rec;
	const uint8_t *ptr;
	uint16_t len;
	uint8_t field;             /**< enum frx_str_field */
	uint8_t reserved;
};

/**
 * Side table of the strings decoded records carry, in record order. Filled
 * by the v9/IPFIX decoder only when a record buffer has one (the worker
 * gives one only when the active rule set matches strings), emptied by
 * whoever classifies the records. Entries are valid while the datagram is.
 */
struct frx_strtab {
	struct frx_recstr *e;
	uint32_t count;
	uint32_t capacity;
	uint64_t overflow;         /**< strings not kept: table full */
};

static inline void
frx_strtab_push(struct frx_strtab *st, const struct frx_flowrec *rec, unsigned int field, const uint8_t *ptr,
		uint32_t len)
{
	struct frx_recstr *e;

	if (__builtin_expect(st->count == st->capacity, 0)) {
		st->overflow++;
		return;
	}
	e = &st->e[st->count++];
	e->rec = rec;
	e->ptr = ptr;
	e->len = (uint16_t)(len > 0xffff ? 0xffff : len);
	e->field = (uint8_t)field;
	e->reserved = 0;
}

/** Forget the strings of @p rec (its slot was given back). */
static inline void
frx_strtab_unpush(struct frx_strtab *st, const struct frx_flowrec *rec)
{
	while (st->count && st->e[st->count - 1].rec == rec)
		st->count--;
}

/**
 * Owner callback: @p rb is full; hand its records on and point rb->recs at
 * fresh space. @return 0, or negative if no space can be had (the records
 * that did not fit are dropped and counted by the decoder as FRX_ENO_BLOCK).
 */
typedef int (*frx_recbuf_refill_t)(struct frx_recbuf *rb);

struct frx_recpack_stream;

struct frx_recbuf {
	struct frx_flowrec *recs;  /**< first slot of the window */
	uint32_t count;            /**< slots used */
	uint32_t capacity;         /**< slots in the window */
	frx_recbuf_refill_t refill; /**< NULL: a fixed array, full is final */
	void *owner;               /**< for the refill callback */
	struct frx_strtab *strings; /**< NULL: decoders keep no strings */
	/**
	 * Non-NULL: decoders that can (v1-v7) pack their records straight
	 * into this file block payload instead of the window, after asking
	 * refill() to empty the window first (record order is kept). When it
	 * is full they call pack_full(), which hands it on and starts another
	 * (-1: no block). The worker sets it when no rule needs the records.
	 */
	struct frx_recpack_stream *pack;
	frx_recbuf_refill_t pack_full;
};

/**
 * Next free slot, zeroed, or NULL when full and no refill is possible.
 * The slot counts as used once returned.
 */
static inline struct frx_flowrec *
frx_recbuf_next(struct frx_recbuf *rb)
{
	struct frx_flowrec *rec;

	if (__builtin_expect(rb->count == rb->capacity, 0)) {
		if (rb->refill == NULL || rb->refill(rb) != 0 || rb->count == rb->capacity)
			return NULL;
	}
	rec = &rb->recs[rb->count++];
	memset(rec, 0, sizeof(*rec));
	return rec;
}

/**
 * Next free slot without zeroing it, for decoders that then write every
 * byte (typically by copying a per-PDU base record). NULL as above.
 */
static inline struct frx_flowrec *
frx_recbuf_next_raw(struct frx_recbuf *rb)
{
	if (__builtin_expect(rb->count == rb->capacity, 0)) {
		if (rb->refill == NULL || rb->refill(rb) != 0 || rb->count == rb->capacity)
			return NULL;
	}
	return &rb->recs[rb->count++];
}

/** A fixed array as a record buffer (tests, tools). */
static inline void
frx_recbuf_init_array(struct frx_recbuf *rb, struct frx_flowrec *recs, uint32_t capacity)
{
	rb->recs = recs;
	rb->count = 0;
	rb->capacity = capacity;
	rb->refill = NULL;
	rb->owner = NULL;
	rb->strings = NULL;
	rb->pack = NULL;
	rb->pack_full = NULL;
}

#endif
