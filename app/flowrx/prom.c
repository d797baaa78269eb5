/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prometheus textfile output: the same counters as the telemetry commands
 * and the exit summary (ports, rings, workers, drops by reason, exporters,
 * engines' sequence losses), in the text exposition format 0.0.4. Each
 * metric family is written whole (HELP, TYPE, then its samples), which the
 * format requires, so per-exporter tables are walked once per family.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_ring.h>

#include "ctx.h"
#include "expstats.h"
#include "flowrec.h"
#include "prom.h"

static void
family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP flowrx_%s %s\n# TYPE flowrx_%s %s\n", name, help, name, type);
}

/* one per-exporter family at a time */
enum exporter_metric { EXP_DATAGRAMS, EXP_RECORDS, EXP_RATE_LIMITED, EXP_DROPS, EXP_LAST_SEEN };
enum engine_metric { ENG_PACKETS, ENG_RECORDS, ENG_LOST, ENG_OUT_OF_ORDER, ENG_DUPLICATES, ENG_RESETS,
		     ENG_REJECTED };

struct prom_walk {
	FILE *f;
	const char *name;
	int metric;
};

static void
walk_exporter(const struct frx_exporter_stats *e, void *arg)
{
	struct prom_walk *w = arg;
	char addr[FRX_ADDR_STRLEN];
	uint64_t v = 0;

	frx_addr_format(e->exporter_addr, addr, sizeof(addr));
	switch (w->metric) {
	case EXP_DATAGRAMS: v = e->datagrams; break;
	case EXP_RECORDS: v = e->records; break;
	case EXP_RATE_LIMITED: v = e->rate_limited; break;
	case EXP_LAST_SEEN: v = e->last_seen_ms / 1000; break;
	case EXP_DROPS:
		for (unsigned int i = 1; i < FRX_STATUS_MAX && i < FRX_STATS_MAX_REASONS; i++)
			if (e->drop[i])
				fprintf(w->f, "flowrx_%s{exporter=\"%s\",reason=\"%s\"} %" PRIu64 "\n", w->name, addr,
					frx_status_name(i), e->drop[i]);
		return;
	}
	fprintf(w->f, "flowrx_%s{exporter=\"%s\"} %" PRIu64 "\n", w->name, addr, v);
}

static void
walk_engine(const struct frx_engine_stats *e, void *arg)
{
	struct prom_walk *w = arg;
	char addr[FRX_ADDR_STRLEN], engine[64];
	uint64_t v = 0;

	frx_addr_format(e->exporter_addr, addr, sizeof(addr));
	if (e->version >= 9)
		snprintf(engine, sizeof(engine), "port %u domain %u", e->exporter_port, e->domain);
	else
		snprintf(engine, sizeof(engine), "%u/%u", e->engine_type, e->engine_id);
	switch (w->metric) {
	case ENG_PACKETS: v = e->packets; break;
	case ENG_RECORDS: v = e->records; break;
	case ENG_LOST: v = e->lost; break;
	case ENG_OUT_OF_ORDER: v = e->out_of_order; break;
	case ENG_DUPLICATES: v = e->duplicates; break;
	case ENG_RESETS: v = e->resets; break;
	case ENG_REJECTED: v = e->rejected; break;
	}
	fprintf(w->f, "flowrx_%s{exporter=\"%s\",version=\"%u\",engine=\"%s\"", w->name, addr, e->version, engine);
	if (w->metric == ENG_LOST)
		fprintf(w->f, ",unit=\"%s\"", frx_stats_unit_name(e->unit));
	fprintf(w->f, "} %" PRIu64 "\n", v);
}

static void
walk_denied(const struct frx_denied_stats *e, void *arg)
{
	struct prom_walk *w = arg;
	char addr[FRX_ADDR_STRLEN];

	fprintf(w->f, "flowrx_%s{source=\"%s\"} %" PRIu64 "\n", w->name, frx_addr_format(e->addr, addr, sizeof(addr)),
		e->datagrams);
}

static void
write_ports(FILE *f, const struct frx_stats_ctx *s)
{
	static const struct {
		const char *name, *help;
		size_t offset;
	} port_metrics[] = {
		{ "port_rx_packets_total", "Frames the port received (rte_eth_stats ipackets)",
		  offsetof(struct rte_eth_stats, ipackets) },
		{ "port_rx_bytes_total", "Bytes the port received", offsetof(struct rte_eth_stats, ibytes) },
		{ "port_rx_missed_total", "Frames the NIC dropped for want of RX descriptors (imissed): raise rxd or add RX lcores",
		  offsetof(struct rte_eth_stats, imissed) },
		{ "port_rx_errors_total", "Erroneous frames (ierrors)", offsetof(struct rte_eth_stats, ierrors) },
		{ "port_rx_nombuf_total", "RX mbuf allocation failures (rx_nombuf): raise mbufs",
		  offsetof(struct rte_eth_stats, rx_nombuf) },
	};
	struct rte_eth_stats st[RTE_MAX_ETHPORTS];
	int ok[RTE_MAX_ETHPORTS];

	for (unsigned int p = 0; p < s->nb_ports; p++)
		ok[p] = rte_eth_stats_get(s->ports[p], &st[p]) == 0;
	for (unsigned int m = 0; m < RTE_DIM(port_metrics); m++) {
		family(f, port_metrics[m].name, "counter", port_metrics[m].help);
		for (unsigned int p = 0; p < s->nb_ports; p++)
			if (ok[p])
				fprintf(f, "flowrx_%s{port=\"%u\"} %" PRIu64 "\n", port_metrics[m].name, s->ports[p],
					*(const uint64_t *)((const uint8_t *)&st[p] + port_metrics[m].offset));
	}
}

static void
write_rings(FILE *f, const struct frx_stats_ctx *s)
{
	family(f, "ring_entries", "gauge", "Entries waiting in a ring (RX to worker: mbufs; worker to writer: blocks)");
	for (unsigned int w = 0; w < s->nb_workers; w++) {
		for (unsigned int r = 0; r < s->workers[w]->nb_rx; r++)
			fprintf(f, "flowrx_ring_entries{ring=\"%s\"} %u\n", s->workers[w]->from_rx[r]->name,
				rte_ring_count(s->workers[w]->from_rx[r]));
		fprintf(f, "flowrx_ring_entries{ring=\"%s\"} %u\n", s->workers[w]->to_stats->name,
			rte_ring_count(s->workers[w]->to_stats));
	}
	family(f, "ring_capacity", "gauge", "Entries a ring holds");
	for (unsigned int w = 0; w < s->nb_workers; w++) {
		for (unsigned int r = 0; r < s->workers[w]->nb_rx; r++)
			fprintf(f, "flowrx_ring_capacity{ring=\"%s\"} %u\n", s->workers[w]->from_rx[r]->name,
				rte_ring_get_capacity(s->workers[w]->from_rx[r]));
		fprintf(f, "flowrx_ring_capacity{ring=\"%s\"} %u\n", s->workers[w]->to_stats->name,
			rte_ring_get_capacity(s->workers[w]->to_stats));
	}
}

static void
write_counters(FILE *f, const struct frx_stats_ctx *s)
{
	struct frx_worker_counters sum;
	uint64_t rx_packets, ring_full;
	struct prom_walk w = { .f = f };

	frx_stats_sum(s, &sum, &rx_packets, &ring_full);
	family(f, "start_time_seconds", "gauge", "When this flowrx started (Unix time)");
	fprintf(f, "flowrx_start_time_seconds %" PRIu64 "\n", s->started_ms / 1000);
	family(f, "rx_packets_total", "counter", "Frames the RX lcores took from the ports");
	fprintf(f, "flowrx_rx_packets_total %" PRIu64 "\n", rx_packets);
	family(f, "records_decoded_total", "counter", "Flow records decoded and kept");
	fprintf(f, "flowrx_records_decoded_total %" PRIu64 "\n", sum.records);
	family(f, "records_written_total", "counter", "Flow records written to flow files");
	fprintf(f, "flowrx_records_written_total %" PRIu64 "\n", s->records_written);
	family(f, "records_lost_total", "counter", "Records decoded but lost (no free block, or a write error)");
	fprintf(f, "flowrx_records_lost_total{reason=\"no_block\"} %" PRIu64 "\n", sum.records_lost_no_block);
	fprintf(f, "flowrx_records_lost_total{reason=\"write_error\"} %" PRIu64 "\n", s->records_lost_write_error);
	family(f, "drops_total", "counter", "Datagrams dropped, by reason (docs/drop-reasons.md)");
	fprintf(f, "flowrx_drops_total{reason=\"ring_full\"} %" PRIu64 "\n", ring_full);
	for (unsigned int i = 1; i < FRX_STATUS_MAX; i++)
		if (i != FRX_ERING_FULL)
			fprintf(f, "flowrx_drops_total{reason=\"%s\"} %" PRIu64 "\n", frx_status_name(i), sum.drop[i]);
	family(f, "template_events_total", "counter", "v9/IPFIX template and set events");
	for (unsigned int k = 0; k < FRX_TMPL_NB_COUNTERS; k++)
		fprintf(f, "flowrx_template_events_total{event=\"%s\"} %" PRIu64 "\n", frx_tmpl_counter_name(k),
			((const uint64_t *)&sum.tmpl)[k]);
	family(f, "worker_packets_total", "counter", "Datagrams each worker lcore handled");
	for (unsigned int i = 0; i < s->nb_workers; i++)
		fprintf(f, "flowrx_worker_packets_total{worker=\"%u\",lcore=\"%u\"} %" PRIu64 "\n", i,
			s->workers[i]->lcore, s->workers[i]->c.packets);
	family(f, "worker_records_total", "counter", "Records each worker lcore decoded");
	for (unsigned int i = 0; i < s->nb_workers; i++)
		fprintf(f, "flowrx_worker_records_total{worker=\"%u\",lcore=\"%u\"} %" PRIu64 "\n", i,
			s->workers[i]->lcore, s->workers[i]->c.records);
	family(f, "rx_ring_full_total", "counter", "Datagrams each RX lcore dropped on a full worker ring");
	for (unsigned int i = 0; i < s->nb_rx; i++)
		fprintf(f, "flowrx_rx_ring_full_total{rx=\"%u\",lcore=\"%u\"} %" PRIu64 "\n", i, s->rx[i]->lcore,
			s->rx[i]->drop_ring_full);
	family(f, "blocks_written_total", "counter", "File blocks written");
	fprintf(f, "flowrx_blocks_written_total %" PRIu64 "\n", s->blocks_written);
	write_ports(f, s);
	write_rings(f, s);

	static const struct {
		const char *name, *help;
		int metric;
	} exp_families[] = {
		{ "exporter_datagrams_total", "Datagrams from an exporter that passed the ACL", EXP_DATAGRAMS },
		{ "exporter_records_total", "Records stored from an exporter", EXP_RECORDS },
		{ "exporter_rate_limited_total", "Datagrams dropped by the exporter's rate limit", EXP_RATE_LIMITED },
		{ "exporter_drops_total", "An exporter's datagrams dropped, by reason (reasons seen only)", EXP_DROPS },
		{ "exporter_last_seen_seconds", "When an exporter last sent (Unix time)", EXP_LAST_SEEN },
	};
	for (unsigned int m = 0; m < RTE_DIM(exp_families); m++) {
		family(f, exp_families[m].name, m == RTE_DIM(exp_families) - 1 ? "gauge" : "counter",
		       exp_families[m].help);
		w.name = exp_families[m].name;
		w.metric = exp_families[m].metric;
		for (unsigned int i = 0; i < s->nb_workers; i++)
			frx_exptab_each_exporter(s->workers[i]->exptab, walk_exporter, &w);
	}
	static const struct {
		const char *name, *help;
		int metric;
	} eng_families[] = {
		{ "engine_packets_total", "Datagrams accepted from an engine (sequence space)", ENG_PACKETS },
		{ "engine_records_total", "Records stored from an engine", ENG_RECORDS },
		{ "engine_lost_total", "Sequence loss of an engine, in its unit (flows v5-v8, packets v9, records IPFIX)",
		  ENG_LOST },
		{ "engine_out_of_order_total", "Late datagrams of an engine", ENG_OUT_OF_ORDER },
		{ "engine_duplicates_total", "Duplicated datagrams of an engine", ENG_DUPLICATES },
		{ "engine_resets_total", "Exporter restarts seen in an engine's sequence", ENG_RESETS },
		{ "engine_rejected_total", "Datagrams refused as out of sequence", ENG_REJECTED },
	};
	for (unsigned int m = 0; m < RTE_DIM(eng_families); m++) {
		family(f, eng_families[m].name, "counter", eng_families[m].help);
		w.name = eng_families[m].name;
		w.metric = eng_families[m].metric;
		for (unsigned int i = 0; i < s->nb_workers; i++)
			frx_exptab_each_engine(s->workers[i]->exptab, walk_engine, &w);
	}
	family(f, "denied_datagrams_total", "counter", "Datagrams from sources the ACL refused");
	w.name = "denied_datagrams_total";
	for (unsigned int i = 0; i < s->nb_workers; i++)
		frx_exptab_each_denied(s->workers[i]->exptab, walk_denied, &w);
}

int
frx_prom_write(const struct frx_stats_ctx *s, const char *path)
{
	char tmp[4200];
	FILE *f;
	int rc = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "w");
	if (f == NULL)
		return -errno;
	write_counters(f, s);
	if (ferror(f))
		rc = -EIO;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc != 0)
		unlink(tmp);
	return rc;
}
