/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Worker role: take bursts of frames from the RX rings, decapsulate, decode
 * into a window that stays in cache, pack into the current file block, and
 * hand full (or, after flush_ms,
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
#include "seq.h"

/*
 * Rules: classify the records decoded since the last call, in place (drops
 * leave the block before it is sealed). Runs at the end of every burst and
 * before a block is handed over, so the strings the records point to (in
 * the burst's mbufs) are still there.
 */
static void
worker_rules_flush(struct frx_worker_ctx *w)
{
	if (w->rules != NULL && w->rb.count > w->rules_from) {
		uint32_t kept = frx_rules_engine_run(w->rules, w->index, &w->rb.recs[w->rules_from],
						     w->rb.count - w->rules_from, w->rb.strings, w->dec->tmpl,
						     &w->c.records_dropped_by_rules);

		w->rb.count = w->rules_from + kept;
	}
	w->rules_from = w->rb.count;
	w->strtab.count = 0;
}

/* Seal the block being filled and pass it to the stats lcore. The ring to
 * the stats lcore holds every block of the pool, so it cannot be full. */
static void
worker_hand_over(struct frx_worker_ctx *w)
{
	if (w->blk == NULL)
		return;
	if (w->ps.count == 0) {
		rte_mempool_put(w->block_pool, w->blk);
	} else {
		frx_block_seal_stream(w->blk, &w->ps);
		if (unlikely(rte_ring_enqueue(w->to_stats, w->blk) != 0)) {
			/* Cannot happen with the ring sized to the pool; count, never leak. */
			w->c.records_lost_no_block += w->ps.count;
			rte_mempool_put(w->block_pool, w->blk);
		} else {
			w->c.blocks_out++;
		}
	}
	w->blk = NULL;
	w->ps.count = 0;
	w->ps.len = 0;
	w->ps.cap = 0; /* no block: a decoder packing directly asks for one */
}

static int
worker_new_block(struct frx_worker_ctx *w)
{
	void *obj;

	if (unlikely(rte_mempool_get(w->block_pool, &obj) != 0))
		return -1;
	w->blk = obj;
	frx_recpack_stream_init(&w->ps, w->blk->payload, sizeof(w->blk->payload), FRX_BLOCK_RECORDS,
				w->full_records);
	w->flush_tsc = rte_get_tsc_cycles() + w->flush_interval_tsc;
	return 0;
}

/*
 * Records are decoded into a window of FRX_STAGE_RECORDS that stays in
 * cache, classified there by the rules, then packed into the block being
 * filled: the 160-byte form never reaches the block's memory, and the
 * writer only writes. Runs when the window is full and at the end of every
 * burst, so the window is empty between bursts, and afterwards: records
 * for which no block was free are counted as lost.
 */
static void
worker_stage_flush(struct frx_worker_ctx *w)
{
	uint32_t done = 0, n;

	worker_rules_flush(w);
	n = w->rb.count;
	while (done < n) {
		if (w->blk == NULL && worker_new_block(w) != 0) {
			w->c.records_lost_no_block += n - done;
			break;
		}
		done += frx_recpack_stream_add(&w->ps, &w->rb.recs[done], n - done);
		if (done < n)
			worker_hand_over(w); /* full */
	}
	w->rb.count = 0;
	w->rules_from = 0;
}

/* frx_recbuf refill: the window is full. It is empty afterwards even when no
 * block was free (those records are counted lost), so decoding goes on and
 * the next flush tries again. */
static int
worker_refill(struct frx_recbuf *rb)
{
	worker_stage_flush(rb->owner);
	return 0;
}

/* frx_recbuf pack_full: the block a decoder packs into directly is full (or
 * there is none yet): hand it over, take the next. */
static int
worker_pack_full(struct frx_recbuf *rb)
{
	struct frx_worker_ctx *w = rb->owner;

	worker_hand_over(w);
	return worker_new_block(w);
}

/* Decoders may pack straight into the block unless rules need the records. */
static inline void
worker_set_direct(struct frx_worker_ctx *w)
{
	w->rb.pack = w->rules == NULL && !w->full_records ? &w->ps : NULL;
}

int
frx_worker_init(struct frx_worker_ctx *w, const struct frx_config *cfg)
{
	struct timespec ts;

	w->dec = frx_decoder_create(&cfg->decoder);
	if (w->dec == NULL)
		return -1;
	w->exptab = frx_exptab_create(&cfg->exptab);
	if (w->exptab == NULL)
		return -1;
	w->stage = rte_malloc_socket("frx_stage", FRX_STAGE_RECORDS * sizeof(*w->stage), RTE_CACHE_LINE_SIZE,
				     rte_lcore_to_socket_id(w->lcore));
	if (w->stage == NULL)
		return -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	w->clock_base_tsc = rte_get_tsc_cycles();
	w->clock_base_ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	w->now_ms = w->clock_base_ms;
	w->pkt_conf = cfg->pkt;
	w->blk = NULL;
	w->full_records = (uint8_t)(cfg->full_records != 0);
	w->ps.count = 0;
	w->ps.len = 0;
	w->ps.cap = 0;
	w->rb.recs = w->stage;
	w->rb.count = 0;
	w->rb.capacity = FRX_STAGE_RECORDS;
	w->rb.refill = worker_refill;
	w->rb.owner = w;
	w->rb.strings = NULL;
	w->rb.pack_full = worker_pack_full;
	w->rules = NULL;
	worker_set_direct(w);
	w->flush_interval_tsc = (uint64_t)cfg->flush_ms * rte_get_tsc_hz() / 1000;
	w->rules_from = 0;
	if (w->rules_slot != NULL) {
		w->strtab.e = rte_zmalloc("frx_rule_strings", FRX_RULE_STRINGS * sizeof(*w->strtab.e), 0);
		if (w->strtab.e == NULL)
			return -1;
		w->strtab.capacity = FRX_RULE_STRINGS;
	}
	return 0;
}

static void
log_event(struct frx_worker_ctx *w, struct frx_engine_entry *en, enum frx_log_kind kind,
	  enum frx_seq_verdict verdict, uint32_t expected, uint32_t received)
{
	struct frx_log_event ev;
	uint32_t suppressed;

	/* the quirk is reported once per engine anyway: never suppress it */
	if (kind != FRX_LOG_QUIRK && !frx_exptab_may_log(w->exptab, en, w->now_ms, &suppressed))
		return;
	if (kind == FRX_LOG_QUIRK)
		suppressed = 0;
	memset(&ev, 0, sizeof(ev));
	ev.kind = (uint8_t)kind;
	ev.verdict = (uint8_t)verdict;
	ev.version = en->s.version;
	ev.engine_type = en->s.engine_type;
	ev.engine_id = en->s.engine_id;
	ev.unit = en->s.unit;
	ev.exporter_port = en->s.exporter_port;
	ev.domain = en->s.domain;
	ev.expected = expected;
	ev.received = received;
	ev.suppressed = suppressed;
	ev.lost_total = frx_seq_reported(&en->seq)->lost;
	memcpy(ev.addr, en->s.exporter_addr, 16);
	if (rte_ring_enqueue_elem(w->log_ring, &ev, sizeof(ev)) != 0)
		w->c.log_events_dropped++;
}

static inline void
count_drop(struct frx_worker_ctx *w, struct frx_exporter_entry *ex, enum frx_status st)
{
	w->c.drop[st]++;
	if (ex)
		__atomic_store_n(&ex->s.drop[st], ex->s.drop[st] + 1, __ATOMIC_RELAXED);
}

/* Units a PDU takes of its engine's sequence space. */
static inline uint32_t
seq_units(const struct frx_pdu_info *pdu)
{
	switch (pdu->version) {
	case 9:
		return 1;              /* v9 numbers export packets */
	case 10:
		return pdu->data_records; /* IPFIX numbers data records */
	default:
		return pdu->count;     /* v5-v8 number flows */
	}
}

/*
 * One datagram that passed decapsulation and the ACL: per-exporter rate
 * limit, engine pinning and sequence check (both may refuse it), decode,
 * then accounting.
 */
static void
worker_datagram(struct frx_worker_ctx *w, const struct frx_pkt_info *pi)
{
	struct frx_exptab *tab = w->exptab;
	struct frx_exporter_entry *ex;
	struct frx_engine_entry *en = NULL;
	struct frx_exporter exp;
	struct frx_pdu_info hdr, pdu;
	enum frx_status st;
	enum frx_seq_verdict verdict = FRX_SEQ_NONE;
	uint32_t expected = 0;

	ex = frx_exptab_exporter(tab, pi->exporter_addr, w->now_ms);
	if (ex) {
		__atomic_store_n(&ex->s.datagrams, ex->s.datagrams + 1, __ATOMIC_RELAXED);
		ex->s.last_seen_ms = w->now_ms;
		if (unlikely(!frx_exptab_rate_ok(tab, ex, w->now_ms))) {
			count_drop(w, ex, FRX_ERATE_LIMITED);
			return;
		}
		if (frx_decode_peek(pi->payload, pi->payload_len, &hdr) == 0)
			en = frx_exptab_engine(tab, ex, frx_exptab_exporter_index(tab, ex), &hdr, pi->exporter_port,
					       w->now_ms);
	}
	if (en) {
		uint32_t distance;

		if (unlikely(!frx_exptab_engine_known(tab, ex, &hdr, w->now_ms))) {
			__atomic_store_n(&ex->s.new_engine_pdus, ex->s.new_engine_pdus + 1, __ATOMIC_RELAXED);
			en->s.flags |= FRX_ENGINE_F_NEW;
			log_event(w, en, FRX_LOG_NEW_ENGINE, FRX_SEQ_NONE, 0, hdr.sequence);
			if (tab->conf.reject_new_engines) {
				count_drop(w, ex, FRX_ENEW_ENGINE);
				return;
			}
		}
		verdict = frx_seq_classify(&en->seq, &tab->conf.seq, hdr.sequence, hdr.sys_uptime_ms, &distance);
		expected = frx_seq_reported(&en->seq)->next;
		if (unlikely(frx_seq_should_reject(&en->seq, &tab->conf.seq, verdict, distance))) {
			__atomic_store_n(&en->s.rejected, en->s.rejected + 1, __ATOMIC_RELAXED);
			log_event(w, en, FRX_LOG_REJECTED, verdict, expected, hdr.sequence);
			count_drop(w, ex, FRX_EOUT_OF_SEQUENCE);
			return;
		}
	}

	memcpy(exp.addr, pi->exporter_addr, sizeof(exp.addr));
	exp.port = pi->exporter_port;
	exp.is_v6 = pi->exporter_is_v6;
	exp.uptime_in_seconds = 0;
	exp.sampling_override = 0;
	st = frx_decode(w->dec, pi->payload, pi->payload_len, &exp, w->now_ms, &w->rb, &pdu);
	w->c.records += pdu.records_written;
	if (ex)
		__atomic_store_n(&ex->s.records, ex->s.records + pdu.records_written, __ATOMIC_RELAXED);
	if (likely(st == FRX_OK)) {
		w->c.pdus[pdu.version <= FRX_VERSION_MAX ? pdu.version : 0]++;
		w->c.count_above_spec += pdu.count_above_spec;
	} else {
		count_drop(w, ex, st);
		if (st == FRX_ENO_BLOCK) {
			/* decoded (at least counted) and lost: records_decoded =
			 * written + lost holds (docs/reliability.md) */
			w->c.records += pdu.records_dropped;
			w->c.records_lost_no_block += pdu.records_dropped;
		}
	}
	if (en == NULL || (st != FRX_OK && st != FRX_ENO_BLOCK))
		return; /* a PDU that did not decode says nothing about its sequence */

	__atomic_store_n(&en->s.packets, en->s.packets + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&en->s.records, en->s.records + pdu.records_written, __ATOMIC_RELAXED);
	en->s.last_seen_ms = w->now_ms;
	if (pdu.records_uncountable) {
		/* records of unknown templates cannot be counted: start again from
		 * the next message rather than call them lost */
		frx_seq_resync(&en->seq);
	} else {
		int switched;

		verdict = frx_seq_update(&en->seq, &tab->conf.seq, pdu.sequence, seq_units(&pdu), pdu.sys_uptime_ms,
					 &switched);
		if (unlikely(switched))
			log_event(w, en, FRX_LOG_QUIRK, verdict, 0, pdu.sequence);
		if (unlikely(verdict >= FRX_SEQ_GAP))
			log_event(w, en, FRX_LOG_SEQUENCE, verdict, expected, pdu.sequence);
	}
}

/* Checksum flags and decapsulation; counts the drop. @return FRX_OK or the reason. */
static inline enum frx_status
worker_decap(struct frx_worker_ctx *w, struct rte_mbuf *m, const uint8_t *frame, uint32_t len,
	     struct frx_pkt_info *pi)
{
	enum frx_status st;

	/* The NIC already verified checksums for us where it can. */
	if (unlikely((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_BAD))
		st = FRX_EIP_BAD_CHECKSUM;
	else if (unlikely((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_BAD))
		st = FRX_EUDP_BAD_CHECKSUM;
	else
		st = frx_pkt_decap(frame, len, &w->pkt_conf, pi);
	if (unlikely(st != FRX_OK))
		w->c.drop[st]++;
	return st;
}

static void
count_denied(struct frx_worker_ctx *w, const uint8_t addr[16])
{
	w->c.drop[FRX_EACL_DENIED]++;
	frx_exptab_denied(w->exptab, addr, w->now_ms);
}

static inline int
worker_allowed(struct frx_worker_ctx *w, const struct frx_pkt_info *pi)
{
	uint8_t allowed = 1;
	const uint8_t *addr = pi->exporter_addr;

	if (w->acl == NULL)
		return 1;
	frx_acl_check_burst(w->acl, &addr, 1, &allowed);
	if (!allowed)
		count_denied(w, pi->exporter_addr);
	return allowed;
}

/*
 * A burst: decapsulate every frame, check the sources against the ACL in
 * one bulk lookup per family, then handle the datagrams in order. Frames
 * in several segments are copied into one buffer and handled at once.
 */
static void
worker_burst(struct frx_worker_ctx *w, struct rte_mbuf **pkts, unsigned int n)
{
	struct frx_pkt_info pi[FRX_BURST];
	const uint8_t *addrs[FRX_BURST];
	uint8_t ok[FRX_BURST], allowed[FRX_BURST];
	unsigned int idx[FRX_BURST], na = 0;

	for (unsigned int i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (i + FRX_PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + FRX_PREFETCH_AHEAD], void *));
		w->c.packets++;
		ok[i] = 0;
		if (likely(m->nb_segs == 1)) {
			ok[i] = worker_decap(w, m, rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m),
					     &pi[i]) == FRX_OK;
		} else {
			uint32_t len = rte_pktmbuf_pkt_len(m);
			const uint8_t *frame;

			if (len > sizeof(w->linear))
				len = sizeof(w->linear); /* decap then sees the IP length disagree */
			frame = rte_pktmbuf_read(m, 0, len, w->linear);
			if (frame == NULL)
				w->c.drop[FRX_EL2_TRUNCATED]++;
			else if (worker_decap(w, m, frame, len, &pi[i]) == FRX_OK && worker_allowed(w, &pi[i])) {
				worker_datagram(w, &pi[i]); /* now: the copy is reused */
				worker_rules_flush(w);      /* its strings point into the copy */
			}
			continue;
		}
		if (ok[i]) {
			addrs[na] = pi[i].exporter_addr;
			idx[na++] = i;
		}
	}
	if (w->acl && na) {
		frx_acl_check_burst(w->acl, addrs, na, allowed);
		for (unsigned int k = 0; k < na; k++)
			if (!allowed[k]) {
				ok[idx[k]] = 0;
				count_denied(w, addrs[k]);
			}
	}
	for (unsigned int i = 0; i < n; i++)
		if (ok[i])
			worker_datagram(w, &pi[i]);
	worker_stage_flush(w);
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
	if (w->rules_slot != NULL) {
		/* one engine for the whole poll; quiescent at its end (RCU) */
		w->rules = __atomic_load_n(w->rules_slot, __ATOMIC_ACQUIRE);
		w->rb.strings = w->rules && w->rules->rs->nb_string_rules ? &w->strtab : NULL;
		w->strtab.count = 0;
		worker_set_direct(w);
	}
	/* Wall clock from the TSC: no system call on the data path. */
	w->now_ms = w->clock_base_ms + (rte_get_tsc_cycles() - w->clock_base_tsc) * 1000 / rte_get_tsc_hz();
	for (unsigned int r = 0; r < w->nb_rx; r++) {
		unsigned int want = FRX_BURST, n;

		if (w->lossless) {
			/* Offline input: take no more datagrams than free blocks could
			 * hold (one refill each), and none while the writer holds them
			 * all: the datagrams wait in the ring, RX waits behind them. */
			unsigned int avail = rte_mempool_avail_count(w->block_pool);

			if (avail == 0)
				break;
			want = RTE_MIN(want, avail);
		}
		n = rte_ring_dequeue_burst(w->from_rx[r], (void **)pkts, want, NULL);

		if (n) {
			worker_burst(w, pkts, n);
			rte_pktmbuf_free_bulk(pkts, n);
		}
		handled += (int)n;
	}

	if (w->blk != NULL && w->ps.count > 0 && rte_get_tsc_cycles() >= w->flush_tsc)
		worker_hand_over(w);
	frx_decoder_tick(w->dec, w->now_ms); /* expiry: a full scan at most once a second */

	/* Shutdown: RX sets done only after its last enqueue, so "done, then
	 * ring empty" means no frame is still in flight to this worker. */
	if (handled == 0 && worker_input_ended(w)) {
		worker_stage_flush(w); /* empty already: every burst ends so */
		worker_hand_over(w);
		__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	}
	if (w->rules_slot != NULL) {
		w->c.rule_strings_overflow = w->strtab.overflow;
		w->rules = NULL;
		w->rb.strings = NULL;
		w->rb.pack = NULL; /* set again with the next poll's rules */
		if (w->done)
			rte_rcu_qsbr_thread_offline(w->rules_qs, w->index);
		else
			rte_rcu_qsbr_quiescent(w->rules_qs, w->index);
	}
	return handled;
}
