/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK telemetry commands: /flowrx/stats, /flowrx/exporters, /flowrx/exporter,
 * /flowrx/engines, /flowrx/engine, /flowrx/denied, /flowrx/ports, /flowrx/port,
 * /flowrx/rings, /flowrx/ring, /flowrx/workers, /flowrx/worker (read with
 * dpdk-telemetry.py; docs/operations.md lists them).
 * DPDK 22.11 nests only arrays in dicts, so lists and details are separate
 * commands, as ethdev does (/ethdev/list, /ethdev/stats,ID). Handlers run on DPDK's
 * telemetry thread and read the workers' tables the way the stats lcore
 * does (entries published with release order, counters one by one).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include <rte_ethdev.h>
#include <rte_ring.h>
#include <rte_telemetry.h>

#include "ctx.h"
#include "expstats.h"
#include "flowrec.h"
#include "telemetry.h"

/* Telemetry callbacks take no argument: the one context they read. */
static const struct frx_stats_ctx *tel_stats;

struct tel_fill {
	struct rte_tel_data *d;
	const uint8_t *filter;       /* exporter address, or NULL for all */
	const char *id;              /* one engine's id, or NULL */
	unsigned int n;
};

static int
tel_global(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct frx_worker_counters sum;
	uint64_t rx_packets, ring_full;

	(void)cmd;
	(void)params;
	frx_stats_sum(tel_stats, &sum, &rx_packets, &ring_full);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "rx_packets", rx_packets);
	rte_tel_data_add_dict_u64(d, "worker_packets", sum.packets);
	rte_tel_data_add_dict_u64(d, "records_decoded", sum.records);
	rte_tel_data_add_dict_u64(d, "records_written", tel_stats->records_written);
	rte_tel_data_add_dict_u64(d, "records_lost_no_block", sum.records_lost_no_block);
	rte_tel_data_add_dict_u64(d, "drop_ring_full", ring_full);
	for (unsigned int i = 1; i < FRX_STATUS_MAX; i++) {
		char name[64];

		if (i == FRX_ERING_FULL)
			continue;
		snprintf(name, sizeof(name), "drop_%s", frx_status_name(i));
		rte_tel_data_add_dict_u64(d, name, sum.drop[i]);
	}
	for (unsigned int k = 0; k < FRX_TMPL_NB_COUNTERS; k++)
		rte_tel_data_add_dict_u64(d, frx_tmpl_counter_name(k), ((const uint64_t *)&sum.tmpl)[k]);
	return 0;
}

/* "ADDR v5 0/1" or "ADDR v9 port 6003 domain 3": what /flowrx/engines lists
 * and /flowrx/engine takes. */
static void
engine_id(const struct frx_engine_stats *e, char *buf, size_t size)
{
	char addr[FRX_ADDR_STRLEN];

	frx_addr_format(e->exporter_addr, addr, sizeof(addr));
	if (e->version >= 9)
		snprintf(buf, size, "%s v%u port %u domain %u", addr, e->version, e->exporter_port, e->domain);
	else
		snprintf(buf, size, "%s v%u %u/%u", addr, e->version, e->engine_type, e->engine_id);
}

static void
list_exporter(const struct frx_exporter_stats *e, void *arg)
{
	struct tel_fill *f = arg;
	char addr[FRX_ADDR_STRLEN];

	if (f->n++ < RTE_TEL_MAX_ARRAY_ENTRIES)
		rte_tel_data_add_array_string(f->d, frx_addr_format(e->exporter_addr, addr, sizeof(addr)));
}

static void
show_exporter(const struct frx_exporter_stats *e, void *arg)
{
	struct tel_fill *f = arg;

	if (memcmp(f->filter, e->exporter_addr, 16) != 0 || f->n++)
		return;
	rte_tel_data_add_dict_u64(f->d, "datagrams", e->datagrams);
	rte_tel_data_add_dict_u64(f->d, "records", e->records);
	rte_tel_data_add_dict_u64(f->d, "rate_limited", e->rate_limited);
	rte_tel_data_add_dict_u64(f->d, "new_engine_pdus", e->new_engine_pdus);
	rte_tel_data_add_dict_u64(f->d, "first_seen_ms", e->first_seen_ms);
	rte_tel_data_add_dict_u64(f->d, "last_seen_ms", e->last_seen_ms);
	for (unsigned int i = 1; i < FRX_STATUS_MAX && i < FRX_STATS_MAX_REASONS; i++) {
		char name[64];

		snprintf(name, sizeof(name), "drop_%s", frx_status_name(i));
		rte_tel_data_add_dict_u64(f->d, name, e->drop[i]);
	}
}

static void
list_engine(const struct frx_engine_stats *e, void *arg)
{
	struct tel_fill *f = arg;
	char id[128];

	if ((f->filter && memcmp(f->filter, e->exporter_addr, 16) != 0) || f->n >= RTE_TEL_MAX_ARRAY_ENTRIES)
		return;
	engine_id(e, id, sizeof(id));
	rte_tel_data_add_array_string(f->d, id);
	f->n++;
}

static void
show_engine(const struct frx_engine_stats *e, void *arg)
{
	struct tel_fill *f = arg;
	char id[128];

	engine_id(e, id, sizeof(id));
	if (strcmp(id, f->id) != 0 || f->n++)
		return;
	rte_tel_data_add_dict_u64(f->d, "packets", e->packets);
	rte_tel_data_add_dict_u64(f->d, "records", e->records);
	rte_tel_data_add_dict_u64(f->d, "lost", e->lost);
	rte_tel_data_add_dict_string(f->d, "unit", frx_stats_unit_name(e->unit));
	rte_tel_data_add_dict_u64(f->d, "out_of_order", e->out_of_order);
	rte_tel_data_add_dict_u64(f->d, "duplicates", e->duplicates);
	rte_tel_data_add_dict_u64(f->d, "resets", e->resets);
	rte_tel_data_add_dict_u64(f->d, "rejected", e->rejected);
	rte_tel_data_add_dict_u64(f->d, "last_sequence", e->last_sequence);
	rte_tel_data_add_dict_u64(f->d, "inclusive_seq", !!(e->flags & FRX_ENGINE_F_INCLUSIVE));
	rte_tel_data_add_dict_u64(f->d, "new_engine", !!(e->flags & FRX_ENGINE_F_NEW));
	rte_tel_data_add_dict_u64(f->d, "last_seen_ms", e->last_seen_ms);
}

static void
list_denied(const struct frx_denied_stats *e, void *arg)
{
	struct tel_fill *f = arg;
	char addr[FRX_ADDR_STRLEN], line[128];

	if (f->n++ >= RTE_TEL_MAX_ARRAY_ENTRIES)
		return;
	snprintf(line, sizeof(line), "%s %" PRIu64, frx_addr_format(e->addr, addr, sizeof(addr)), e->datagrams);
	rte_tel_data_add_array_string(f->d, line);
}

static int
tel_exporters(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct tel_fill f = { .d = d };

	(void)cmd;
	(void)params;
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	for (unsigned int i = 0; i < tel_stats->nb_workers; i++)
		frx_exptab_each_exporter(tel_stats->workers[i]->exptab, list_exporter, &f);
	return 0;
}

static int
tel_exporter(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint8_t addr[16];
	struct tel_fill f = { .d = d, .filter = addr };

	(void)cmd;
	if (params == NULL || frx_addr_parse(params, addr) < 0)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	for (unsigned int i = 0; i < tel_stats->nb_workers; i++)
		frx_exptab_each_exporter(tel_stats->workers[i]->exptab, show_exporter, &f);
	return f.n ? 0 : -ENOENT;
}

static int
tel_engines(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint8_t addr[16];
	struct tel_fill f = { .d = d };

	(void)cmd;
	if (params && *params) {
		if (frx_addr_parse(params, addr) < 0)
			return -EINVAL;
		f.filter = addr;
	}
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	for (unsigned int i = 0; i < tel_stats->nb_workers; i++)
		frx_exptab_each_engine(tel_stats->workers[i]->exptab, list_engine, &f);
	return 0;
}

static int
tel_engine(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct tel_fill f = { .d = d, .id = params };

	(void)cmd;
	if (params == NULL || *params == '\0')
		return -EINVAL;
	rte_tel_data_start_dict(d);
	for (unsigned int i = 0; i < tel_stats->nb_workers; i++)
		frx_exptab_each_engine(tel_stats->workers[i]->exptab, show_engine, &f);
	return f.n ? 0 : -ENOENT;
}

static int
tel_denied(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct tel_fill f = { .d = d };

	(void)cmd;
	(void)params;
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	for (unsigned int i = 0; i < tel_stats->nb_workers; i++)
		frx_exptab_each_denied(tel_stats->workers[i]->exptab, list_denied, &f);
	return 0;
}

/* ------------------------------------------------------------ ports */

static int
tel_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
	for (unsigned int i = 0; i < tel_stats->nb_ports; i++)
		rte_tel_data_add_array_int(d, tel_stats->ports[i]);
	return 0;
}

/* Parse a number parameter in [0, max]. */
static int
tel_index(const char *params, unsigned long max, unsigned long *out)
{
	char *end;

	if (params == NULL || *params < '0' || *params > '9')
		return -EINVAL;
	*out = strtoul(params, &end, 10);
	return (*end == '\0' && *out <= max) ? 0 : -EINVAL;
}

static int
tel_port(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_eth_dev_info info;
	struct rte_eth_stats st;
	unsigned long port;
	unsigned int i;

	(void)cmd;
	if (tel_index(params, UINT16_MAX, &port) < 0)
		return -EINVAL;
	for (i = 0; i < tel_stats->nb_ports && tel_stats->ports[i] != port; i++)
		;
	if (i == tel_stats->nb_ports || rte_eth_stats_get((uint16_t)port, &st) != 0)
		return -ENOENT;
	rte_tel_data_start_dict(d);
	if (rte_eth_dev_info_get((uint16_t)port, &info) == 0)
		rte_tel_data_add_dict_string(d, "driver", info.driver_name);
	rte_tel_data_add_dict_int(d, "socket", rte_eth_dev_socket_id((uint16_t)port));
	rte_tel_data_add_dict_u64(d, "rx_packets", st.ipackets);
	rte_tel_data_add_dict_u64(d, "rx_bytes", st.ibytes);
	rte_tel_data_add_dict_u64(d, "rx_missed", st.imissed);
	rte_tel_data_add_dict_u64(d, "rx_errors", st.ierrors);
	rte_tel_data_add_dict_u64(d, "rx_nombuf", st.rx_nombuf);
	for (unsigned int q = 0; q < RTE_ETHDEV_QUEUE_STAT_CNTRS && q < 16; q++) {
		char name[32];

		if (st.q_ipackets[q] == 0)
			continue;
		snprintf(name, sizeof(name), "q%u_rx_packets", q);
		rte_tel_data_add_dict_u64(d, name, st.q_ipackets[q]);
	}
	return 0;
}

/* ------------------------------------------------------------ rings */

/* Every ring of the data path: RX->worker (mbufs), worker->writer (blocks). */
static const struct rte_ring *
tel_ring_at(unsigned int n)
{
	for (unsigned int w = 0; w < tel_stats->nb_workers; w++) {
		const struct frx_worker_ctx *wk = tel_stats->workers[w];

		if (n < wk->nb_rx)
			return wk->from_rx[n];
		n -= wk->nb_rx;
		if (n == 0)
			return wk->to_stats;
		n--;
	}
	return NULL;
}

static int
tel_rings(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct rte_ring *r;

	(void)cmd;
	(void)params;
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	for (unsigned int n = 0; (r = tel_ring_at(n)) != NULL && n < RTE_TEL_MAX_ARRAY_ENTRIES; n++)
		rte_tel_data_add_array_string(d, r->name);
	return 0;
}

static int
tel_ring(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct rte_ring *r;

	(void)cmd;
	if (params == NULL || *params == '\0')
		return -EINVAL;
	for (unsigned int n = 0; (r = tel_ring_at(n)) != NULL; n++)
		if (strcmp(r->name, params) == 0) {
			rte_tel_data_start_dict(d);
			rte_tel_data_add_dict_u64(d, "count", rte_ring_count(r));
			rte_tel_data_add_dict_u64(d, "free", rte_ring_free_count(r));
			rte_tel_data_add_dict_u64(d, "capacity", rte_ring_get_capacity(r));
			rte_tel_data_add_dict_int(d, "socket", r->memzone ? r->memzone->socket_id : -1);
			return 0;
		}
	return -ENOENT;
}

/* ------------------------------------------------------------ lcores */

static int
tel_workers(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
	for (unsigned int i = 0; i < tel_stats->nb_workers; i++)
		rte_tel_data_add_array_int(d, (int)i);
	return 0;
}

static int
tel_worker(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct frx_worker_ctx *w;
	unsigned long i;
	uint64_t drops = 0;

	(void)cmd;
	if (tel_index(params, FRX_MAX_WORKERS, &i) < 0)
		return -EINVAL;
	if (i >= tel_stats->nb_workers)
		return -ENOENT;
	w = tel_stats->workers[i];
	for (unsigned int k = 1; k < FRX_STATUS_MAX; k++)
		drops += w->c.drop[k];
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "lcore", (int)w->lcore);
	rte_tel_data_add_dict_int(d, "socket", (int)rte_lcore_to_socket_id(w->lcore));
	rte_tel_data_add_dict_u64(d, "packets", w->c.packets);
	rte_tel_data_add_dict_u64(d, "records", w->c.records);
	rte_tel_data_add_dict_u64(d, "drops", drops);
	rte_tel_data_add_dict_u64(d, "records_lost_no_block", w->c.records_lost_no_block);
	rte_tel_data_add_dict_u64(d, "log_events_dropped", w->c.log_events_dropped);
	rte_tel_data_add_dict_u64(d, "blocks_out", w->c.blocks_out);
	for (unsigned int v = 0; v <= FRX_VERSION_MAX; v++) {
		char name[32];

		if (w->c.pdus[v] == 0)
			continue;
		snprintf(name, sizeof(name), "pdus_v%u", v);
		rte_tel_data_add_dict_u64(d, name, w->c.pdus[v]);
	}
	return 0;
}

int
frx_telemetry_register(const struct frx_stats_ctx *stats)
{
	static const struct {
		const char *cmd;
		telemetry_cb fn;
		const char *help;
	} cmds[] = {
		{ "/flowrx/stats", tel_global, "Collector counters: packets, records, every drop reason. No parameters" },
		{ "/flowrx/exporters", tel_exporters, "Exporter addresses (first 512). No parameters" },
		{ "/flowrx/exporter", tel_exporter,
		  "One exporter: datagrams, records, rate limited, drops by reason. Parameter: its address" },
		{ "/flowrx/engines", tel_engines,
		  "Engine ids, for /flowrx/engine (first 512). Parameter: exporter address (optional)" },
		{ "/flowrx/engine", tel_engine,
		  "One engine: packets, records, lost, out of order, duplicates, resets. Parameter: an id from /flowrx/engines" },
		{ "/flowrx/denied", tel_denied, "Sources refused by the ACL: \"address datagrams\". No parameters" },
		{ "/flowrx/ports", tel_ports, "DPDK port ids flowrx polls. No parameters" },
		{ "/flowrx/port", tel_port,
		  "One port: rx packets, bytes, missed (imissed), errors, rx_nombuf, per queue. Parameter: port id" },
		{ "/flowrx/rings", tel_rings, "Ring names of the data path. No parameters" },
		{ "/flowrx/ring", tel_ring, "One ring: count, free, capacity, socket. Parameter: its name" },
		{ "/flowrx/workers", tel_workers, "Worker indexes. No parameters" },
		{ "/flowrx/worker", tel_worker,
		  "One worker: lcore, socket, packets, records, drops, PDUs per version. Parameter: its index" },
	};

	tel_stats = stats;
	for (unsigned int i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		int rc = rte_telemetry_register_cmd(cmds[i].cmd, cmds[i].fn, cmds[i].help);

		if (rc != 0) {
			fprintf(stderr, "flowrx: warning: telemetry command %s not registered: %s\n", cmds[i].cmd,
				strerror(-rc));
			return rc;
		}
	}
	return 0;
}
