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
 * Owner callback: @p rb is full; hand its records on and point rb->recs at
 * fresh space. @return 0, or negative if no space can be had (the records
 * that did not fit are dropped and counted by the decoder as FRX_ENO_BLOCK).
 */
typedef int (*frx_recbuf_refill_t)(struct frx_recbuf *rb);

struct frx_recbuf {
	struct frx_flowrec *recs;  /**< first slot of the window */
	uint32_t count;            /**< slots used */
	uint32_t capacity;         /**< slots in the window */
	frx_recbuf_refill_t refill; /**< NULL: a fixed array, full is final */
	void *owner;               /**< for the refill callback */
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
}

#endif
