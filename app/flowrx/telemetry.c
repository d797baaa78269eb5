/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK telemetry commands: /flowrx/stats, /flowrx/exporters, /flowrx/engines,
 * /flowrx/denied (read with dpdk-telemetry.py). Handlers run on DPDK's
 * telemetry thread and read the workers' tables the way the stats lcore
 * does (entries published with release order, counters one by one).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

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

static int
parse_filter(const char *params, uint8_t addr[16])
{
	return params && *params && frx_addr_parse(params, addr) == 0;
}

static void
tel_exporter(const struct frx_exporter_stats *e, void *arg)
{
	struct tel_fill *f = arg;
	struct rte_tel_data *c;
	char key[FRX_ADDR_STRLEN];

	if ((f->filter && memcmp(f->filter, e->exporter_addr, 16) != 0) || f->n >= RTE_TEL_MAX_DICT_ENTRIES)
		return;
	c = rte_tel_data_alloc();
	if (c == NULL)
		return;
	rte_tel_data_start_dict(c);
	rte_tel_data_add_dict_u64(c, "datagrams", e->datagrams);
	rte_tel_data_add_dict_u64(c, "records", e->records);
	rte_tel_data_add_dict_u64(c, "rate_limited", e->rate_limited);
	rte_tel_data_add_dict_u64(c, "new_engine_pdus", e->new_engine_pdus);
	for (unsigned int i = 1; i < FRX_STATUS_MAX && i < FRX_STATS_MAX_REASONS; i++)
		if (e->drop[i]) {
			char name[64];

			snprintf(name, sizeof(name), "drop_%s", frx_status_name(i));
			rte_tel_data_add_dict_u64(c, name, e->drop[i]);
		}
	frx_addr_format(e->exporter_addr, key, sizeof(key));
	rte_tel_data_add_dict_container(f->d, key, c, 0);
	f->n++;
}

static void
tel_engine(const struct frx_engine_stats *e, void *arg)
{
	struct tel_fill *f = arg;
	struct rte_tel_data *c;
	char addr[FRX_ADDR_STRLEN], key[128];

	if ((f->filter && memcmp(f->filter, e->exporter_addr, 16) != 0) || f->n >= RTE_TEL_MAX_DICT_ENTRIES)
		return;
	c = rte_tel_data_alloc();
	if (c == NULL)
		return;
	frx_addr_format(e->exporter_addr, addr, sizeof(addr));
	if (e->version >= 9)
		snprintf(key, sizeof(key), "%s port %u v%u domain %u", addr, e->exporter_port, e->version, e->domain);
	else
		snprintf(key, sizeof(key), "%s v%u engine %u/%u", addr, e->version, e->engine_type, e->engine_id);
	rte_tel_data_start_dict(c);
	rte_tel_data_add_dict_u64(c, "packets", e->packets);
	rte_tel_data_add_dict_u64(c, "records", e->records);
	rte_tel_data_add_dict_u64(c, "lost", e->lost);
	rte_tel_data_add_dict_string(c, "unit", frx_stats_unit_name(e->unit));
	rte_tel_data_add_dict_u64(c, "out_of_order", e->out_of_order);
	rte_tel_data_add_dict_u64(c, "duplicates", e->duplicates);
	rte_tel_data_add_dict_u64(c, "resets", e->resets);
	rte_tel_data_add_dict_u64(c, "rejected", e->rejected);
	rte_tel_data_add_dict_u64(c, "last_sequence", e->last_sequence);
	rte_tel_data_add_dict_u64(c, "inclusive_seq", !!(e->flags & FRX_ENGINE_F_INCLUSIVE));
	rte_tel_data_add_dict_u64(c, "new_engine", !!(e->flags & FRX_ENGINE_F_NEW));
	rte_tel_data_add_dict_container(f->d, key, c, 0);
	f->n++;
}

static void
tel_denied(const struct frx_denied_stats *e, void *arg)
{
	struct tel_fill *f = arg;
	char key[FRX_ADDR_STRLEN];

	if (f->n >= RTE_TEL_MAX_DICT_ENTRIES)
		return;
	frx_addr_format(e->addr, key, sizeof(key));
	rte_tel_data_add_dict_u64(f->d, key, e->datagrams);
	f->n++;
}

static int
tel_table(const char *params, struct rte_tel_data *d, int which)
{
	uint8_t addr[16];
	struct tel_fill f = { .d = d, .filter = parse_filter(params, addr) ? addr : NULL, .n = 0 };

	rte_tel_data_start_dict(d);
	for (unsigned int i = 0; i < tel_stats->nb_workers; i++) {
		const struct frx_exptab *t = tel_stats->workers[i]->exptab;

		if (which == 0)
			frx_exptab_each_exporter(t, tel_exporter, &f);
		else if (which == 1)
			frx_exptab_each_engine(t, tel_engine, &f);
		else
			frx_exptab_each_denied(t, tel_denied, &f);
	}
	return 0;
}

static int
tel_exporters(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	return tel_table(params, d, 0);
}

static int
tel_engines(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	return tel_table(params, d, 1);
}

static int
tel_denied_cmd(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	return tel_table(params, d, 2);
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
		{ "/flowrx/exporters", tel_exporters,
		  "Per exporter: datagrams, records, rate limited, drops by reason. Parameter: exporter address (optional)" },
		{ "/flowrx/engines", tel_engines,
		  "Per engine: packets, records, lost, out of order, duplicates, resets. Parameter: exporter address (optional)" },
		{ "/flowrx/denied", tel_denied_cmd, "Sources refused by the ACL, with datagram counts. No parameters" },
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
