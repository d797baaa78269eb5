/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-lcore role contexts of the data path.
 *
 *   RX lcore --rte_ring(mbufs)--> worker lcore --rte_ring(blocks)--> stats lcore --> files
 *
 * Every ring has one producer and one consumer. Each context is written by
 * the one lcore that runs its role; counters are plain per-role fields that
 * only the stats lcore reads and sums. An lcore may run several roles (one
 * loop calls each role's poll function in turn), so the same code serves a
 * one-lcore laptop and a many-core collector.
 */
#ifndef FRX_APP_CTX_H
#define FRX_APP_CTX_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "acl.h"
#include "config.h"
#include "decode.h"
#include "exptab.h"
#include "ffile.h"
#include "recbuf.h"
#include "rules_acl.h"
#include "status.h"

#define FRX_BURST 32
#define FRX_PREFETCH_AHEAD 4
#define FRX_STAGE_RECORDS 256  /* a worker's window of decoded records (40 KiB: stays in cache) */
#define FRX_MAX_RX_QUEUES 16
#define FRX_LINEAR_BUF 65536
#define FRX_TEMPLATE_STATE_FILE "flowrx-templates.txt"
#define FRX_MAX_IFNAMES_PER_BLOCK 16384
#define FRX_RULE_STRINGS 65536  /* strings of unclassified records a worker keeps */
#define FRX_STATS_BLOCK_MAX (1u << 20)  /* payload bytes per STATS block; larger snapshots are split */

/* Set by the signal handler; every role loop polls it. */
extern volatile int frx_force_quit;

/* What a worker asks the stats lcore to log (syslog is a system call: never
 * on a worker). Rate-limited per engine before it is queued. */
enum frx_log_kind {
	FRX_LOG_SEQUENCE = 1,  /**< out of sequence: gap, late, duplicate, stale, restart */
	FRX_LOG_REJECTED,      /**< out of sequence and refused */
	FRX_LOG_NEW_ENGINE,    /**< an engine the exporter was not known to use */
	FRX_LOG_QUIRK,         /**< IPFIX sequence counts the current message (softflowd) */
};

struct frx_log_event {
	uint8_t kind;
	uint8_t verdict;       /**< enum frx_seq_verdict */
	uint8_t version;
	uint8_t engine_type;
	uint8_t engine_id;
	uint8_t unit;
	uint16_t exporter_port;
	uint32_t domain;
	uint32_t expected;
	uint32_t received;
	uint32_t suppressed;   /**< events of this engine not logged since the last one */
	uint8_t addr[16];
	uint64_t lost_total;
};
_Static_assert(sizeof(struct frx_log_event) % 4 == 0, "rte_ring element size");
#define FRX_LOG_RING 1024

struct frx_rx_queue {
	uint16_t port;
	uint16_t queue;
};

struct frx_rx_ctx {
	unsigned int index;
	unsigned int lcore;
	struct frx_rx_queue queues[FRX_MAX_RX_QUEUES];
	unsigned int nb_queues;
	struct rte_ring *to_worker[FRX_MAX_WORKERS];
	unsigned int nb_workers;
	/* Offline input (--pcap): never drop on a full ring, wait instead,
	 * and stop once expect_frames frames were received. */
	uint8_t lossless;
	uint64_t expect_frames;
	uint64_t idle_since_tsc;
	/* mbufs a full ring refused, retried next poll (lossless only) */
	struct rte_mbuf *held[FRX_MAX_WORKERS][FRX_BURST];
	uint16_t nb_held[FRX_MAX_WORKERS];
	int done; /**< set with release order once the role has finished */
	/* counters */
	uint64_t rx_packets;
	uint64_t drop_ring_full;
} __rte_cache_aligned;

struct frx_worker_counters {
	struct frx_tmpl_counters tmpl;       /**< template and set events (summed from the decoders) */
	uint64_t packets;
	uint64_t pdus[FRX_VERSION_MAX + 1];  /**< decoded PDUs per version */
	uint64_t records;                    /**< records decoded and kept */
	uint64_t drop[FRX_STATUS_MAX];       /**< packets dropped, by reason */
	uint64_t records_lost_no_block;      /**< records dropped for want of a block */
	uint64_t log_events_dropped;         /**< log ring full */
	uint64_t count_above_spec;           /**< PDUs with more records than the spec allows */
	uint64_t blocks_out;
	uint64_t records_dropped_by_rules;   /**< records a drop rule removed (included in records) */
	uint64_t rule_strings_overflow;      /**< strings not kept for the rules: side table full */
};

struct frx_worker_ctx {
	unsigned int index;
	unsigned int lcore;
	struct rte_ring *from_rx[FRX_MAX_RX];
	unsigned int nb_rx;
	struct frx_rx_ctx *rx[FRX_MAX_RX];  /**< to know when input has ended */
	struct rte_ring *to_stats;
	struct rte_mempool *block_pool;
	struct frx_pkt_conf pkt_conf;
	struct frx_decoder *dec;            /**< template caches of this worker's exporters */
	struct frx_exptab *exptab;          /**< statistics, sequences, rate limits of its exporters */
	const struct frx_acl *acl;          /**< NULL: every source allowed */
	struct rte_ring *log_ring;          /**< events for the stats lcore to log */
	uint64_t clock_base_ms;             /**< wall clock at clock_base_tsc */
	uint64_t clock_base_tsc;
	uint64_t now_ms;                    /**< wall clock of the current burst */
	struct frx_block *blk;              /**< block being filled, NULL if none */
	struct frx_recpack_stream ps;       /**< its payload */
	struct frx_flowrec *stage;          /**< FRX_STAGE_RECORDS: records decoded, not packed yet */
	uint8_t full_records;               /**< --full-records: blocks of whole records */
	uint8_t lossless;                   /**< offline input: wait for blocks, never drop for want of one */
	struct frx_recbuf rb;
	uint64_t flush_tsc;                 /**< hand over a partly filled block after this */
	uint64_t flush_interval_tsc;
	int done; /**< set with release order once the role has finished */
	/* flow rules (app/flowrx/rules_ctl.c); rules_slot NULL: no rules */
	struct frx_rules_engine **rules_slot; /**< the published engine */
	struct frx_rules_engine *rules;     /**< the engine of the current poll */
	struct rte_rcu_qsbr *rules_qs;
	uint32_t rules_from;                /**< first record of the window not classified yet */
	struct frx_strtab strtab;           /**< strings of those records */
	struct frx_worker_counters c;
	uint8_t linear[FRX_LINEAR_BUF];     /**< multi-segment frames are copied here */
} __rte_cache_aligned;

struct frx_stats_ctx {
	unsigned int lcore;
	struct frx_worker_ctx *workers[FRX_MAX_WORKERS];
	unsigned int nb_workers;
	struct frx_rx_ctx *rx[FRX_MAX_RX];
	unsigned int nb_rx;
	struct rte_mempool *block_pool;
	struct frx_ffile_writer *writer;
	uint64_t next_tick_tsc;
	uint64_t next_report_tsc;
	uint64_t report_interval_tsc;
	int done; /**< set with release order once the role has finished */
	int last_write_errno;        /* 0, or the error writing fails with now */
	uint64_t records_lost_at_error; /* records_lost_write_error when it began */
	/* learned templates, persisted when a worker's generation changes */
	char state_path[4096];
	uint64_t tmpl_generation[FRX_MAX_WORKERS];
	uint64_t next_state_tsc;
	uint64_t state_writes;
	int last_state_errno;
	/* exporter statistics: a STATS block now and then, per file and at exit */
	uint8_t *stats_block;                /**< header + FRX_STATS_BLOCK_MAX payload */
	uint64_t stats_block_interval_tsc;
	uint64_t next_stats_block_tsc;
	uint64_t stats_file;                 /**< file count when the last STATS block was written */
	uint64_t stats_blocks;
	uint64_t started_ms;
	uint32_t collector_id;
	uint8_t log_stderr;
	/* interface names: an IFNAMES block when they change and in every new file */
	struct frx_block_hdr *ifname_block;  /**< header + FRX_MAX_IFNAMES_PER_BLOCK entries */
	uint64_t ifname_generation[FRX_MAX_WORKERS];
	uint64_t ifname_file;                /**< file count when names were last written */
	uint64_t ifname_blocks;
	/* counters */
	uint64_t blocks_written;
	uint64_t records_written;
	uint64_t blocks_lost_write_error;
	uint64_t records_lost_write_error;
	/* observability: ports for their counters, the Prometheus textfile */
	uint16_t ports[RTE_MAX_ETHPORTS];
	unsigned int nb_ports;
	const char *prom_path;               /**< NULL: no Prometheus file */
	uint64_t prom_interval_tsc;
	uint64_t next_prom_tsc;
	int last_prom_errno;
} __rte_cache_aligned;

/* rx.c */
int frx_rx_poll(struct frx_rx_ctx *rx);
/* worker.c */
int frx_worker_init(struct frx_worker_ctx *w, const struct frx_config *cfg);
int frx_worker_poll(struct frx_worker_ctx *w);
/* stats.c */
int frx_stats_poll(struct frx_stats_ctx *s);
void frx_stats_sum(const struct frx_stats_ctx *s, struct frx_worker_counters *sum,
		   uint64_t *rx_packets, uint64_t *ring_full);
void frx_stats_print_line(const struct frx_stats_ctx *s);
void frx_stats_print_summary(const struct frx_stats_ctx *s, FILE *out);
/** Write learned templates of every worker now if any changed (or force). @return 0 or -errno. */
int frx_stats_save_templates(struct frx_stats_ctx *s, int force);
/** Write an IFNAMES block if names changed or a new file began. */
void frx_stats_write_ifnames(struct frx_stats_ctx *s);
/** Write a STATS snapshot (split into blocks as needed). */
void frx_stats_write_snapshot(struct frx_stats_ctx *s);
/** Log what the workers queued. */
void frx_stats_drain_logs(struct frx_stats_ctx *s);

#endif
