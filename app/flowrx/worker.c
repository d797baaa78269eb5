/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Worker role: take bursts of frames from the RX rings, decapsulate, decode
 * straight into the current file block, and hand full (or, after flush_ms,
 * partly filled) sealed blocks to the stats lcore. Every frame ends either
 * as records or as one drop-reason count.
 */
#include <time.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include "ctx.h"
#include "decode.h"
#include "ffile.h"
#include "pkt.h"

/* Seal the block being filled and pass it to the stats lcore. The ring to
 * the stats lcore holds every block of the pool, so it cannot be full. */
static void
worker_hand_over(struct frx_worker_ctx *w)
{
	if (w->blk == NULL)
		return;
	if (w->rb.count == 0) {
		rte_mempool_put(w->block_pool, w->blk);
	} else {
		w->blk->hdr.record_count = w->rb.count;
		frx_block_seal(w->blk);
		if (unlikely(rte_ring_enqueue(w->to_stats, w->blk) != 0)) {
			/* Cannot happen with the ring sized to the pool; count, never leak. */
			w->c.records_lost_no_block += w->rb.count;
			rte_mempool_put(w->block_pool, w->blk);
		} else {
			w->c.blocks_out++;
		}
	}
	w->blk = NULL;
	w->rb.recs = NULL;
	w->rb.count = 0;
	w->rb.capacity = 0;
}

/* frx_recbuf refill: the block is full (or there is none yet). */
static int
worker_refill(struct frx_recbuf *rb)
{
	struct frx_worker_ctx *w = rb->owner;
	void *obj;

	worker_hand_over(w);
	if (unlikely(rte_mempool_get(w->block_pool, &obj) != 0))
		return -1;
	w->blk = obj;
	w->rb.recs = w->blk->recs;
	w->rb.capacity = FRX_BLOCK_RECORDS;
	w->flush_tsc = rte_get_tsc_cycles() + w->flush_interval_tsc;
	return 0;
}

int
frx_worker_init(struct frx_worker_ctx *w, const struct frx_config *cfg)
{
	struct timespec ts;

	w->dec = frx_decoder_create(&cfg->decoder);
	if (w->dec == NULL)
		return -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	w->clock_base_tsc = rte_get_tsc_cycles();
	w->clock_base_ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	w->now_ms = w->clock_base_ms;
	w->pkt_conf = cfg->pkt;
	w->blk = NULL;
	w->rb.recs = NULL;
	w->rb.count = 0;
	w->rb.capacity = 0;
	w->rb.refill = worker_refill;
	w->rb.owner = w;
	w->flush_interval_tsc = (uint64_t)cfg->flush_ms * rte_get_tsc_hz() / 1000;
	return 0;
}

static inline void
worker_handle(struct frx_worker_ctx *w, struct rte_mbuf *m)
{
	struct frx_pkt_info pi;
	struct frx_exporter exp;
	struct frx_pdu_info pdu;
	const uint8_t *frame;
	uint32_t len = rte_pktmbuf_pkt_len(m);
	enum frx_status st;

	w->c.packets++;
	if (likely(m->nb_segs == 1)) {
		frame = rte_pktmbuf_mtod(m, const uint8_t *);
	} else {
		if (len > sizeof(w->linear))
			len = sizeof(w->linear); /* decap then sees the IP length disagree */
		frame = rte_pktmbuf_read(m, 0, len, w->linear);
		if (frame == NULL) {
			w->c.drop[FRX_EL2_TRUNCATED]++;
			return;
		}
	}
	/* The NIC already verified checksums for us where it can. */
	if (unlikely((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_BAD)) {
		w->c.drop[FRX_EIP_BAD_CHECKSUM]++;
		return;
	}
	if (unlikely((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_BAD)) {
		w->c.drop[FRX_EUDP_BAD_CHECKSUM]++;
		return;
	}
	st = frx_pkt_decap(frame, len, &w->pkt_conf, &pi);
	if (unlikely(st != FRX_OK)) {
		w->c.drop[st]++;
		return;
	}
	memcpy(exp.addr, pi.exporter_addr, sizeof(exp.addr));
	exp.port = pi.exporter_port;
	exp.is_v6 = pi.exporter_is_v6;
	exp.uptime_in_seconds = 0;
	exp.sampling_override = 0;
	st = frx_decode(w->dec, pi.payload, pi.payload_len, &exp, w->now_ms, &w->rb, &pdu);
	w->c.records += pdu.records_written;
	if (likely(st == FRX_OK)) {
		w->c.pdus[pdu.version <= FRX_VERSION_MAX ? pdu.version : 0]++;
		w->c.count_above_spec += pdu.count_above_spec;
		return;
	}
	w->c.drop[st]++;
	if (st == FRX_ENO_BLOCK)
		w->c.records_lost_no_block += pdu.records_dropped;
}

static int
worker_input_ended(const struct frx_worker_ctx *w)
{
	for (unsigned int r = 0; r < w->nb_rx; r++)
		if (!__atomic_load_n(&w->rx[r]->done, __ATOMIC_ACQUIRE) || rte_ring_count(w->from_rx[r]) != 0)
			return 0;
	return 1;
}

/* Returns the number of frames handled. */
int
frx_worker_poll(struct frx_worker_ctx *w)
{
	struct rte_mbuf *pkts[FRX_BURST];
	int handled = 0;

	if (w->done)
		return 0;
	/* Wall clock from the TSC: no system call on the data path. */
	w->now_ms = w->clock_base_ms + (rte_get_tsc_cycles() - w->clock_base_tsc) * 1000 / rte_get_tsc_hz();
	for (unsigned int r = 0; r < w->nb_rx; r++) {
		unsigned int n = rte_ring_dequeue_burst(w->from_rx[r], (void **)pkts, FRX_BURST, NULL);

		for (unsigned int i = 0; i < n; i++) {
			if (i + FRX_PREFETCH_AHEAD < n)
				rte_prefetch0(rte_pktmbuf_mtod(pkts[i + FRX_PREFETCH_AHEAD], void *));
			worker_handle(w, pkts[i]);
		}
		if (n)
			rte_pktmbuf_free_bulk(pkts, n);
		handled += (int)n;
	}

	if (w->blk != NULL && w->rb.count > 0 && rte_get_tsc_cycles() >= w->flush_tsc)
		worker_hand_over(w);
	frx_decoder_tick(w->dec, w->now_ms); /* expiry: a full scan at most once a second */

	/* Shutdown: RX sets done only after its last enqueue, so "done, then
	 * ring empty" means no frame is still in flight to this worker. */
	if (handled == 0 && worker_input_ended(w)) {
		worker_hand_over(w);
		__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	}
	return handled;
}
