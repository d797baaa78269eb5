/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ClickHouse rows (lib/chrow.h). One column table per table drives the
 * schema and the INSERT column list; the encoders write the same columns
 * in the same order, which tests/test_chrow.c checks column by column.
 */
#include "chrow.h"

#include <stdio.h>
#include <string.h>

struct column {
	const char *name;
	const char *type;
};

/* The reader's JSON keys first, in their order (lib/fmt.c record_json). */
static const struct column flow_columns[] = {
	{ "exporter", "FixedString(16)" },
	{ "version", "UInt8" },
	{ "engine_type", "UInt8" },
	{ "engine_id", "UInt8" },
	{ "domain", "UInt32" },
	{ "src_addr", "FixedString(16)" },
	{ "dst_addr", "FixedString(16)" },
	{ "next_hop", "FixedString(16)" },
	{ "src_port", "UInt16" },
	{ "dst_port", "UInt16" },
	{ "proto", "UInt8" },
	{ "tos", "UInt8" },
	{ "tcp_flags", "UInt8" },
	{ "in_if", "UInt32" },
	{ "out_if", "UInt32" },
	{ "packets", "UInt64" },
	{ "bytes", "UInt64" },
	{ "first", "UInt64" },
	{ "last", "UInt64" },
	{ "src_as", "UInt32" },
	{ "dst_as", "UInt32" },
	{ "src_mask", "UInt8" },
	{ "dst_mask", "UInt8" },
	{ "sampling_interval", "UInt32" },
	{ "exporter_port", "UInt16" },
	{ "class", "UInt16" },
	{ "flows", "UInt32" },
	{ "direction", "UInt8" },
	{ "src_vlan", "UInt16" },
	{ "dst_vlan", "UInt16" },
	{ "forwarding_status", "UInt8" },
	{ "in_if_name", "String" },
	{ "out_if_name", "String" },
	/* then the shipper's own */
	{ "collector", "UInt32" },
	{ "time", "DateTime" },
	{ "batch_id", "UInt64" },
};

static const struct column stats_columns[] = {
	{ "collector", "UInt32" },
	{ "snapshot", "UInt64" },
	{ "time", "DateTime" },
	{ "started", "UInt64" },
	{ "pid", "UInt32" },
	{ "exporter", "FixedString(16)" },
	{ "version", "UInt8" },
	{ "engine_type", "UInt8" },
	{ "engine_id", "UInt8" },
	{ "domain", "UInt32" },
	{ "exporter_port", "UInt16" },
	{ "unit", "UInt8" },
	{ "flags", "UInt8" },
	{ "packets", "UInt64" },
	{ "records", "UInt64" },
	{ "lost", "UInt64" },
	{ "out_of_order", "UInt64" },
	{ "duplicates", "UInt64" },
	{ "resets", "UInt64" },
	{ "rejected", "UInt64" },
	{ "first_seen", "UInt64" },
	{ "last_seen", "UInt64" },
	{ "last_sequence", "UInt32" },
	{ "batch_id", "UInt64" },
};

#define NFLOW (sizeof(flow_columns) / sizeof(flow_columns[0]))
#define NSTATS (sizeof(stats_columns) / sizeof(stats_columns[0]))

static const struct column *
columns_of(enum frx_chrow_table table, unsigned int *n)
{
	if (table == FRX_CHROW_STATS) {
		*n = NSTATS;
		return stats_columns;
	}
	*n = NFLOW;
	return flow_columns;
}

unsigned int
frx_chrow_ncolumns(enum frx_chrow_table table)
{
	unsigned int n;

	columns_of(table, &n);
	return n;
}

const char *
frx_chrow_column_name(enum frx_chrow_table table, unsigned int i)
{
	unsigned int n;
	const struct column *c = columns_of(table, &n);

	return i < n ? c[i].name : NULL;
}

const char *
frx_chrow_column_type(enum frx_chrow_table table, unsigned int i)
{
	unsigned int n;
	const struct column *c = columns_of(table, &n);

	return i < n ? c[i].type : NULL;
}

static char flow_list[1024];
static char stats_list[1024];

static void
build_list(const struct column *c, unsigned int n, char *buf, size_t size)
{
	size_t o = 0;

	for (unsigned int i = 0; i < n && o < size; i++)
		o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? ", " : "", c[i].name);
}

const char *
frx_chrow_columns(enum frx_chrow_table table)
{
	/* Built on first use; the result never changes. */
	if (table == FRX_CHROW_STATS) {
		if (stats_list[0] == '\0')
			build_list(stats_columns, NSTATS, stats_list, sizeof(stats_list));
		return stats_list;
	}
	if (flow_list[0] == '\0')
		build_list(flow_columns, NFLOW, flow_list, sizeof(flow_list));
	return flow_list;
}

int
frx_chrow_schema(enum frx_chrow_table table, const char *name, char *buf, size_t size)
{
	unsigned int n;
	const struct column *c = columns_of(table, &n);
	size_t o = 0;
	int len;

#define ADD(...)                                                                     \
	do {                                                                         \
		len = snprintf(buf + (o < size ? o : size), o < size ? size - o : 0, \
			       __VA_ARGS__);                                         \
		if (len < 0)                                                         \
			return len;                                                  \
		o += (size_t)len;                                                    \
	} while (0)

	ADD("CREATE TABLE IF NOT EXISTS %s\n(\n", name);
	for (unsigned int i = 0; i < n; i++)
		ADD("    %s %s%s\n", c[i].name, c[i].type, i + 1 < n ? "," : "");
	/* Day partitions on the DateTime column: the usual retention and time
	 * filters prune whole parts; (exporter, time) serves per-router queries. */
	ADD(")\nENGINE = MergeTree\nPARTITION BY toDate(time)\nORDER BY (exporter, time)");
#undef ADD
	return (int)o;
}

#define PUT(p, v)                                  \
	do {                                       \
		memcpy((p), &(v), sizeof(v));      \
		(p) += sizeof(v);                  \
	} while (0)

static uint8_t *
put_name(uint8_t *p, const char *name)
{
	size_t len = name != NULL ? strnlen(name, 64) : 0;

	*p++ = (uint8_t)len; /* LEB128 of a length below 128 is one byte */
	memcpy(p, name != NULL ? name : "", len);
	return p + len;
}

size_t
frx_chrow_flow(uint8_t *out, const struct frx_flowrec *r, const char *in_if_name, const char *out_if_name,
	       uint32_t collector, uint64_t batch_id)
{
	uint8_t *p = out;
	uint32_t time = (uint32_t)(r->first_ms / 1000 > UINT32_MAX ? UINT32_MAX : r->first_ms / 1000);

	memcpy(p, r->exporter_addr, 16);
	p += 16;
	PUT(p, r->version);
	PUT(p, r->engine_type);
	PUT(p, r->engine_id);
	PUT(p, r->domain);
	memcpy(p, r->src_addr, 16);
	memcpy(p + 16, r->dst_addr, 16);
	memcpy(p + 32, r->next_hop, 16);
	p += 48;
	PUT(p, r->src_port);
	PUT(p, r->dst_port);
	PUT(p, r->proto);
	PUT(p, r->tos);
	PUT(p, r->tcp_flags);
	PUT(p, r->in_if);
	PUT(p, r->out_if);
	PUT(p, r->packets);
	PUT(p, r->bytes);
	PUT(p, r->first_ms);
	PUT(p, r->last_ms);
	PUT(p, r->src_as);
	PUT(p, r->dst_as);
	PUT(p, r->src_mask);
	PUT(p, r->dst_mask);
	PUT(p, r->sampling_interval);
	PUT(p, r->exporter_port);
	PUT(p, r->class_id);
	PUT(p, r->flows);
	PUT(p, r->direction);
	PUT(p, r->src_vlan);
	PUT(p, r->dst_vlan);
	PUT(p, r->forwarding_status);
	p = put_name(p, in_if_name);
	p = put_name(p, out_if_name);
	PUT(p, collector);
	PUT(p, time);
	PUT(p, batch_id);
	return (size_t)(p - out);
}

size_t
frx_chrow_stats(uint8_t *out, const struct frx_stats_header *sh, const struct frx_engine_stats *e,
		uint32_t collector, uint64_t batch_id)
{
	uint8_t *p = out;
	uint32_t time = (uint32_t)(sh->snapshot_ms / 1000 > UINT32_MAX ? UINT32_MAX : sh->snapshot_ms / 1000);

	PUT(p, collector);
	PUT(p, sh->snapshot_ms);
	PUT(p, time);
	PUT(p, sh->started_ms);
	PUT(p, sh->pid);
	memcpy(p, e->exporter_addr, 16);
	p += 16;
	PUT(p, e->version);
	PUT(p, e->engine_type);
	PUT(p, e->engine_id);
	PUT(p, e->domain);
	PUT(p, e->exporter_port);
	PUT(p, e->unit);
	PUT(p, e->flags);
	PUT(p, e->packets);
	PUT(p, e->records);
	PUT(p, e->lost);
	PUT(p, e->out_of_order);
	PUT(p, e->duplicates);
	PUT(p, e->resets);
	PUT(p, e->rejected);
	PUT(p, e->first_seen_ms);
	PUT(p, e->last_seen_ms);
	PUT(p, e->last_sequence);
	PUT(p, batch_id);
	return (size_t)(p - out);
}
