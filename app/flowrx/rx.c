/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RX role: poll RX queues in bursts and steer each frame to the worker that
 * owns its exporter (hash of the IP source address), so template caches and
 * sequence state of one exporter live on one worker, lock-free. Steering is
 * done here rather than trusted to NIC RSS, so exporter affinity holds for
 * any PMD and any RSS configuration.
 */
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include "ctx.h"
#include "pkt.h"

/* Offline input that has delivered nothing for this long has ended even if
 * fewer frames than counted arrived (the PMD refused some). */
#define RX_OFFLINE_IDLE_END_S 2

static void
rx_flush_held(struct frx_rx_ctx *rx)
{
	for (unsigned int w = 0; w < rx->nb_workers; w++) {
		unsigned int n = rx->nb_held[w], sent;

		if (n == 0)
			continue;
		sent = rte_ring_enqueue_burst(rx->to_worker[w], (void **)rx->held[w], n, NULL);
		if (sent < n && !rx->lossless) {
			rx->drop_ring_full += n - sent;
			rte_pktmbuf_free_bulk(&rx->held[w][sent], n - sent);
			sent = n;
		}
		if (sent < n)
			memmove(rx->held[w], &rx->held[w][sent], (n - sent) * sizeof(rx->held[w][0]));
		rx->nb_held[w] = (uint16_t)(n - sent);
	}
}

static int
rx_has_held(const struct frx_rx_ctx *rx)
{
	for (unsigned int w = 0; w < rx->nb_workers; w++)
		if (rx->nb_held[w])
			return 1;
	return 0;
}

/* Returns the number of frames handled, for the idle logic of the loop. */
int
frx_rx_poll(struct frx_rx_ctx *rx)
{
	struct rte_mbuf *pkts[FRX_BURST];
	int handled = 0;

	if (rx->done)
		return 0;
	if (rx_has_held(rx)) {
		rx_flush_held(rx);
		/* Lossless input stalls here until workers catch up. */
		if (rx_has_held(rx))
			return 1;
	}
	if (frx_force_quit || (rx->lossless && rx->rx_packets >= rx->expect_frames)) {
		__atomic_store_n(&rx->done, 1, __ATOMIC_RELEASE);
		return 0;
	}

	/* Nothing is held here (lossless input returned above while it was),
	 * so one burst of at most FRX_BURST frames always fits the held slots. */
	for (unsigned int q = 0; q < rx->nb_queues; q++) {
		uint16_t want = FRX_BURST, n;

		/* an endless replay (--repeat) stops at exactly the frames asked for */
		if (rx->lossless && rx->expect_frames - rx->rx_packets < want)
			want = (uint16_t)(rx->expect_frames - rx->rx_packets);
		if (want == 0)
			break;
		n = rte_eth_rx_burst(rx->queues[q].port, rx->queues[q].queue, pkts, want);

		for (uint16_t i = 0; i < n; i++) {
			struct rte_mbuf *m = pkts[i];
			unsigned int w;

			if (i + FRX_PREFETCH_AHEAD < n)
				rte_prefetch0(rte_pktmbuf_mtod(pkts[i + FRX_PREFETCH_AHEAD], void *));
			w = rx->nb_workers == 1 ? 0 :
				frx_pkt_exporter_hash(rte_pktmbuf_mtod(m, const uint8_t *),
						      rte_pktmbuf_data_len(m)) % rx->nb_workers;
			rx->held[w][rx->nb_held[w]++] = m;
		}
		rx->rx_packets += n;
		handled += n;
		rx_flush_held(rx);
		if (rx_has_held(rx))
			break; /* lossless and a worker is behind: retry next poll */
	}

	if (rx->lossless) {
		uint64_t now = rte_get_tsc_cycles();

		if (handled || rx->idle_since_tsc == 0)
			rx->idle_since_tsc = now;
		else if (now - rx->idle_since_tsc > RX_OFFLINE_IDLE_END_S * rte_get_tsc_hz())
			rx->expect_frames = rx->rx_packets; /* the input has ended */
	}
	return handled;
}
