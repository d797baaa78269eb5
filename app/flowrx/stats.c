/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stats role: the only writer of flow files. Takes sealed blocks from every
 * worker's ring, appends them, returns them to the pool, rotates files on
 * time, and sums the per-role counters for reports. It never touches
 * packets, so a slow disk backs up blocks (counted as no_block on the
 * workers), never the RX rings.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include <syslog.h>

#include "ctx.h"
#include "rules_ctl.h"
#include "expstats.h"
#include "prom.h"
#include "flowrec.h"
#include "seq.h"
#include "tmpl.h"

#define STATS_TICK_MS 100
#define STATE_SAVE_MS 1000

static uint64_t
realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Write errors (disk full, read-only, I/O error) go to stderr and syslog once
 * per distinct error, with what is being lost, and again once it works. */
static void
stats_write_failed(struct frx_stats_ctx *s, const char *what, int rc)
{
	if (s->last_write_errno == -rc)
		return;
	if (s->last_write_errno == 0)
		s->records_lost_at_error = s->records_lost_write_error;
	s->last_write_errno = -rc;
	fprintf(stderr, "flowrx: %s %s failed: %s; records are being dropped (counted as "
		"records_lost_write_error) until it works again\n", what,
		frx_ffile_writer_path(s->writer), strerror(-rc));
	syslog(LOG_ERR, "%s %s failed: %s; records are being dropped until it works again", what,
	       frx_ffile_writer_path(s->writer), strerror(-rc));
}

static void
stats_write_ok(struct frx_stats_ctx *s)
{
	uint64_t lost;

	if (likely(s->last_write_errno == 0))
		return;
	lost = s->records_lost_write_error - s->records_lost_at_error;
	fprintf(stderr, "flowrx: writing %s works again; %" PRIu64 " records were lost meanwhile\n",
		frx_ffile_writer_path(s->writer), lost);
	syslog(LOG_NOTICE, "writing %s works again; %" PRIu64 " records were lost meanwhile",
	       frx_ffile_writer_path(s->writer), lost);
	s->last_write_errno = 0;
}

static void
stats_write_block(struct frx_stats_ctx *s, struct frx_block *blk)
{
	int rc = frx_ffile_writer_append(s->writer, blk);

	if (likely(rc == 0)) {
		s->blocks_written++;
		s->records_written += blk->hdr.record_count;
		stats_write_ok(s);
	} else {
		s->blocks_lost_write_error++;
		s->records_lost_write_error += blk->hdr.record_count;
		stats_write_failed(s, "writing", rc);
	}
	rte_mempool_put(s->block_pool, blk);
}

struct ifname_fill {
	struct frx_ifname *entries;
	uint32_t n;
};

static void
ifname_one(const struct frx_ifname *e, void *arg)
{
	struct ifname_fill *f = arg;

	if (f->n < FRX_MAX_IFNAMES_PER_BLOCK)
		f->entries[f->n++] = *e;
}

void
frx_stats_write_ifnames(struct frx_stats_ctx *s)
{
	struct ifname_fill fill;
	uint64_t files;
	int changed = 0, rc;

	if (s->ifname_block == NULL)
		return;
	frx_ffile_writer_totals(s->writer, &files, NULL, NULL);
	for (unsigned int i = 0; i < s->nb_workers; i++) {
		uint64_t gen = frx_tmpl_ifname_generation(s->workers[i]->dec->tmpl);

		if (gen != s->ifname_generation[i]) {
			s->ifname_generation[i] = gen;
			changed = 1;
		}
	}
	if (!changed && files == s->ifname_file)
		return;
	fill.entries = (struct frx_ifname *)(s->ifname_block + 1);
	fill.n = 0;
	for (unsigned int i = 0; i < s->nb_workers; i++)
		frx_tmpl_ifname_snapshot(s->workers[i]->dec->tmpl, ifname_one, &fill);
	s->ifname_file = files;
	if (fill.n == 0)
		return;
	frx_block_seal_raw(s->ifname_block, FRX_BLOCK_IFNAMES, fill.n, fill.n * (uint32_t)sizeof(struct frx_ifname));
	rc = frx_ffile_writer_append_raw(s->writer, s->ifname_block);
	if (rc == 0)
		s->ifname_blocks++;
	/* a rotation inside the append starts a file that needs the names again */
	frx_ffile_writer_totals(s->writer, &files, NULL, NULL);
	if (files != s->ifname_file)
		s->ifname_file = 0;
}

/* ------------------------------------------------------------ logging */

static void
format_engine(const struct frx_log_event *ev, char *buf, size_t size)
{
	char addr[FRX_ADDR_STRLEN];

	frx_addr_format(ev->addr, addr, sizeof(addr));
	if (ev->version >= 9)
		snprintf(buf, size, "exporter %s port %u v%u domain %u", addr, ev->exporter_port, ev->version,
			 ev->domain);
	else
		snprintf(buf, size, "exporter %s v%u engine %u/%u", addr, ev->version, ev->engine_type,
			 ev->engine_id);
}

static void
log_one(const struct frx_stats_ctx *s, const struct frx_log_event *ev)
{
	char engine[128], line[512], extra[64] = "";

	format_engine(ev, engine, sizeof(engine));
	if (ev->suppressed)
		snprintf(extra, sizeof(extra), " (%u similar events not logged)", ev->suppressed);
	switch (ev->kind) {
	case FRX_LOG_SEQUENCE:
	case FRX_LOG_REJECTED:
		snprintf(line, sizeof(line), "%s: %s%s: expected sequence %u, received %u; %" PRIu64 " %s lost so far%s",
			 engine, ev->kind == FRX_LOG_REJECTED ? "rejected " : "out of sequence, ",
			 frx_seq_verdict_name(ev->verdict), ev->expected, ev->received, ev->lost_total,
			 frx_stats_unit_name(ev->unit), extra);
		break;
	case FRX_LOG_NEW_ENGINE:
		snprintf(line, sizeof(line), "%s: engine not known for this exporter (spoofed, or a new line card?)%s",
			 engine, extra);
		break;
	case FRX_LOG_QUIRK:
		snprintf(line, sizeof(line), "%s: sequence numbers count the records of their own message "
			 "(softflowd); accounting it that way", engine);
		break;
	default:
		return;
	}
	syslog(LOG_WARNING, "%s", line);
	if (s->log_stderr)
		fprintf(stderr, "flowrx: %s\n", line);
}

void
frx_stats_drain_logs(struct frx_stats_ctx *s)
{
	struct frx_log_event ev;

	for (unsigned int i = 0; i < s->nb_workers; i++)
		while (rte_ring_dequeue_elem(s->workers[i]->log_ring, &ev, sizeof(ev)) == 0)
			log_one(s, &ev);
}

/* --------------------------------------------------------- STATS blocks */

struct snap {
	struct frx_stats_ctx *s;
	struct frx_stats_header hdr;  /* global part, repeated in every block */
	uint8_t *payload;             /* after the block header */
	size_t used;
	uint32_t nb_exporters, nb_engines, nb_denied;
	int phase;                    /* 0 exporters, 1 engines, 2 denied: entries keep this order */
};

static void
snap_flush(struct snap *sn)
{
	struct frx_stats_header *h = (struct frx_stats_header *)sn->payload;
	struct frx_block_hdr *bh = (struct frx_block_hdr *)sn->s->stats_block;

	*h = sn->hdr;
	h->nb_exporters = sn->nb_exporters;
	h->nb_engines = sn->nb_engines;
	h->nb_denied = sn->nb_denied;
	frx_block_seal_raw(bh, FRX_BLOCK_STATS, sn->nb_exporters + sn->nb_engines + sn->nb_denied, (uint32_t)sn->used);
	if (frx_ffile_writer_append_raw(sn->s->writer, bh) == 0)
		sn->s->stats_blocks++;
	sn->used = sizeof(struct frx_stats_header);
	sn->nb_exporters = sn->nb_engines = sn->nb_denied = 0;
}

static void
snap_add(struct snap *sn, const void *entry, size_t size, uint32_t *count)
{
	if (sn->used + size > FRX_STATS_BLOCK_MAX)
		snap_flush(sn);
	memcpy(sn->payload + sn->used, entry, size);
	sn->used += size;
	(*count)++;
}

static void
snap_exporter(const struct frx_exporter_stats *e, void *arg)
{
	struct snap *sn = arg;

	snap_add(sn, e, sizeof(*e), &sn->nb_exporters);
}

static void
snap_engine(const struct frx_engine_stats *e, void *arg)
{
	struct snap *sn = arg;

	/* a block holds exporters, then engines: start a new one rather than mix */
	if (sn->phase == 0 && sn->nb_exporters && sn->used + sizeof(*e) > FRX_STATS_BLOCK_MAX)
		snap_flush(sn);
	snap_add(sn, e, sizeof(*e), &sn->nb_engines);
}

static void
snap_denied(const struct frx_denied_stats *e, void *arg)
{
	struct snap *sn = arg;

	snap_add(sn, e, sizeof(*e), &sn->nb_denied);
}

void
frx_stats_write_snapshot(struct frx_stats_ctx *s)
{
	struct frx_worker_counters sum;
	uint64_t rx_packets, ring_full, files;
	struct snap sn;

	if (s->stats_block == NULL)
		return;
	memset(&sn, 0, sizeof(sn));
	sn.s = s;
	sn.payload = s->stats_block + sizeof(struct frx_block_hdr);
	sn.used = sizeof(struct frx_stats_header);
	frx_stats_sum(s, &sum, &rx_packets, &ring_full);
	sn.hdr.snapshot_ms = realtime_ns() / 1000000;
	sn.hdr.started_ms = s->started_ms;
	sn.hdr.collector_id = s->collector_id;
	sn.hdr.pid = (uint32_t)getpid();
	for (unsigned int d = 0; d < FRX_STATUS_MAX && d < FRX_STATS_MAX_REASONS; d++)
		sn.hdr.drop[d] = sum.drop[d];
	sn.hdr.drop[FRX_ERING_FULL] = ring_full;
	sn.hdr.rx_packets = rx_packets;
	sn.hdr.records_written = s->records_written;
	/* Entries are ordered exporters, engines, denied within each block. A
	 * worker's engines may spill into the next block; readers merge by key. */
	for (unsigned int i = 0; i < s->nb_workers; i++)
		frx_exptab_each_exporter(s->workers[i]->exptab, snap_exporter, &sn);
	sn.phase = 1;
	for (unsigned int i = 0; i < s->nb_workers; i++)
		frx_exptab_each_engine(s->workers[i]->exptab, snap_engine, &sn);
	sn.phase = 2;
	for (unsigned int i = 0; i < s->nb_workers; i++)
		frx_exptab_each_denied(s->workers[i]->exptab, snap_denied, &sn);
	snap_flush(&sn);
	frx_rules_ctl_write_blocks(s->writer, s->started_ms, s->collector_id); /* no-op without --rules */
	frx_ffile_writer_totals(s->writer, &files, NULL, NULL);
	s->stats_file = files;
}

static int
stats_workers_done(const struct frx_stats_ctx *s)
{
	for (unsigned int i = 0; i < s->nb_workers; i++)
		if (!__atomic_load_n(&s->workers[i]->done, __ATOMIC_ACQUIRE) ||
		    rte_ring_count(s->workers[i]->to_stats) != 0)
			return 0;
	return 1;
}

/* Returns the number of blocks written. */
int
frx_stats_poll(struct frx_stats_ctx *s)
{
	void *blks[FRX_BURST];
	int handled = 0;
	uint64_t now;

	if (s->done)
		return 0;
	for (unsigned int i = 0; i < s->nb_workers; i++) {
		unsigned int n = rte_ring_dequeue_burst(s->workers[i]->to_stats, blks, FRX_BURST, NULL);

		if (n && s->ifname_block) {
			/* a due rotation happens here, so a new file gets its names first */
			frx_ffile_writer_tick(s->writer, realtime_ns());
			frx_stats_write_ifnames(s);
		}

		for (unsigned int k = 0; k < n; k++)
			stats_write_block(s, blks[k]);
		handled += (int)n;
	}

	now = rte_get_tsc_cycles();
	if (now >= s->next_tick_tsc) {
		int rc = frx_ffile_writer_tick(s->writer, realtime_ns());

		if (rc < 0)
			stats_write_failed(s, "rotating", rc);
		s->next_tick_tsc = now + STATS_TICK_MS * rte_get_tsc_hz() / 1000;
		frx_stats_drain_logs(s);
		frx_rules_ctl_write_retired(s->writer, s->started_ms, s->collector_id); /* after a rules reload */
		if (now >= s->next_state_tsc) {
			uint64_t files;

			frx_stats_save_templates(s, 0);
			frx_stats_write_ifnames(s);
			/* every file starts with (nearly) its own statistics */
			frx_ffile_writer_totals(s->writer, &files, NULL, NULL);
			if (files != s->stats_file ||
			    (s->stats_block_interval_tsc && now >= s->next_stats_block_tsc)) {
				frx_stats_write_snapshot(s);
				s->next_stats_block_tsc = now + s->stats_block_interval_tsc;
			}
			s->next_state_tsc = now + STATE_SAVE_MS * rte_get_tsc_hz() / 1000;
		}
		if (s->report_interval_tsc && now >= s->next_report_tsc) {
			frx_stats_print_line(s);
			s->next_report_tsc = now + s->report_interval_tsc;
		}
		if (s->prom_path && now >= s->next_prom_tsc) {
			int rc = frx_prom_write(s, s->prom_path);

			if (rc < 0 && s->last_prom_errno != -rc) /* once per distinct error */
				fprintf(stderr, "flowrx: --prometheus-file %s: %s\n", s->prom_path, strerror(-rc));
			s->last_prom_errno = rc < 0 ? -rc : 0;
			s->next_prom_tsc = now + s->prom_interval_tsc;
		}
	}

	if (handled == 0 && stats_workers_done(s))
		__atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
	return handled;
}

static void
save_one(const struct frx_tmpl_session_key *key, const struct frx_tmpl *t, void *arg)
{
	frx_tmpl_state_add(arg, key, t);
}

int
frx_stats_save_templates(struct frx_stats_ctx *s, int force)
{
	struct frx_tmpl_state *st;
	int changed = force, rc;

	if (s->state_path[0] == '\0')
		return 0;
	for (unsigned int i = 0; i < s->nb_workers; i++) {
		uint64_t gen = frx_tmpl_generation(s->workers[i]->dec->tmpl);

		if (gen != s->tmpl_generation[i]) {
			s->tmpl_generation[i] = gen;
			changed = 1;
		}
	}
	if (!changed)
		return 0;
	st = frx_tmpl_state_open(s->state_path);
	rc = st ? 0 : -errno;
	for (unsigned int i = 0; st && i < s->nb_workers; i++)
		frx_tmpl_snapshot(s->workers[i]->dec->tmpl, save_one, st);
	if (st)
		rc = frx_tmpl_state_commit(st);
	if (rc < 0 && s->last_state_errno != -rc)
		fprintf(stderr, "flowrx: saving templates to %s failed: %s\n", s->state_path, strerror(-rc));
	s->last_state_errno = rc < 0 ? -rc : 0;
	if (rc == 0)
		s->state_writes++;
	return rc;
}

void
frx_stats_sum(const struct frx_stats_ctx *s, struct frx_worker_counters *sum, uint64_t *rx_packets,
	      uint64_t *ring_full)
{
	memset(sum, 0, sizeof(*sum));
	*rx_packets = 0;
	*ring_full = 0;
	for (unsigned int i = 0; i < s->nb_rx; i++) {
		*rx_packets += s->rx[i]->rx_packets;
		*ring_full += s->rx[i]->drop_ring_full;
	}
	for (unsigned int i = 0; i < s->nb_workers; i++) {
		const struct frx_worker_counters *c = &s->workers[i]->c;

		sum->packets += c->packets;
		for (unsigned int v = 0; v <= FRX_VERSION_MAX; v++)
			sum->pdus[v] += c->pdus[v];
		sum->records += c->records;
		for (unsigned int d = 0; d < FRX_STATUS_MAX; d++)
			sum->drop[d] += c->drop[d];
		sum->records_lost_no_block += c->records_lost_no_block;
		sum->log_events_dropped += c->log_events_dropped;
		sum->records_dropped_by_rules += c->records_dropped_by_rules;
		sum->rule_strings_overflow += c->rule_strings_overflow;
		sum->count_above_spec += c->count_above_spec;
		sum->blocks_out += c->blocks_out;
		{
			/* the decoder's counters are a struct of uint64_t */
			const uint64_t *src = (const uint64_t *)&s->workers[i]->dec->tmpl->c;
			uint64_t *dst = (uint64_t *)&sum->tmpl;

			for (unsigned int k = 0; k < FRX_TMPL_NB_COUNTERS; k++)
				dst[k] += src[k];
		}
	}
}

void
frx_stats_print_line(const struct frx_stats_ctx *s)
{
	struct frx_worker_counters sum;
	uint64_t rx_packets, ring_full, dropped = 0;

	frx_stats_sum(s, &sum, &rx_packets, &ring_full);
	for (unsigned int d = 1; d < FRX_STATUS_MAX; d++)
		dropped += sum.drop[d];
	printf("flowrx: rx %" PRIu64 " pkts, decoded %" PRIu64 " records, written %" PRIu64
	       ", dropped %" PRIu64 " pkts (ring full %" PRIu64 ")\n",
	       rx_packets, sum.records, s->records_written, dropped, ring_full);
	fflush(stdout);
}

void
frx_stats_print_summary(const struct frx_stats_ctx *s, FILE *out)
{
	static const unsigned int versions[] = { 1, 5, 6, 7, 8, 9, 10 };
	struct frx_worker_counters sum;
	uint64_t rx_packets, ring_full, files, blocks, records;

	frx_stats_sum(s, &sum, &rx_packets, &ring_full);
	frx_ffile_writer_totals(s->writer, &files, &blocks, &records);
	fprintf(out, "rx_packets: %" PRIu64 "\n", rx_packets);
	fprintf(out, "drop_ring_full: %" PRIu64 "\n", ring_full);
	fprintf(out, "worker_packets: %" PRIu64 "\n", sum.packets);
	for (unsigned int i = 0; i < RTE_DIM(versions); i++)
		fprintf(out, "pdus_v%u: %" PRIu64 "\n", versions[i], sum.pdus[versions[i]]);
	fprintf(out, "records_decoded: %" PRIu64 "\n", sum.records);
	fprintf(out, "records_written: %" PRIu64 "\n", s->records_written);
	fprintf(out, "records_lost_no_block: %" PRIu64 "\n", sum.records_lost_no_block);
	fprintf(out, "records_lost_write_error: %" PRIu64 "\n", s->records_lost_write_error);
	fprintf(out, "pdus_count_above_spec: %" PRIu64 "\n", sum.count_above_spec);
	for (unsigned int d = 1; d < FRX_STATUS_MAX; d++)
		if (d != FRX_ERING_FULL)
			fprintf(out, "drop_%s: %" PRIu64 "\n", frx_status_name(d), sum.drop[d]);
	for (unsigned int k = 0; k < FRX_TMPL_NB_COUNTERS; k++)
		fprintf(out, "%s: %" PRIu64 "\n", frx_tmpl_counter_name(k), ((const uint64_t *)&sum.tmpl)[k]);
	fprintf(out, "ifname_blocks: %" PRIu64 "\n", s->ifname_blocks);
	fprintf(out, "stats_blocks: %" PRIu64 "\n", s->stats_blocks);
	fprintf(out, "log_events_dropped: %" PRIu64 "\n", sum.log_events_dropped);
	fprintf(out, "records_dropped_by_rules: %" PRIu64 "\n", sum.records_dropped_by_rules);
	fprintf(out, "rule_strings_overflow: %" PRIu64 "\n", sum.rule_strings_overflow);
	fprintf(out, "files: %" PRIu64 "\n", files);
	fprintf(out, "blocks_written: %" PRIu64 "\n", blocks);
}
