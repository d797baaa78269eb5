/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ClickHouse rows: the schema holds every key of the reader's JSON contract
 * in order, and the RowBinary encoders write exactly the schema's columns,
 * in its order, with its types (decoded here column by column).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "chrow.h"
#include "fmt.h"

static struct frx_flowrec
sample_rec(void)
{
	struct frx_flowrec r;
	uint8_t src[4] = { 10, 1, 2, 3 }, exporter[4] = { 192, 0, 2, 9 };

	memset(&r, 0, sizeof(r));
	frx_addr_set_v4(r.src_addr, src);
	frx_addr_parse("2001:db8::1", r.dst_addr);
	frx_addr_parse("fe80::2", r.next_hop);
	frx_addr_set_v4(r.exporter_addr, exporter);
	r.first_ms = 1700000000123ull;
	r.last_ms = 1700000004567ull;
	r.packets = 0x0102030405060708ull;
	r.bytes = 0x1112131415161718ull;
	r.src_as = 64500;
	r.dst_as = 64501;
	r.in_if = 7;
	r.out_if = 8;
	r.domain = 0xdeadbeef;
	r.sampling_interval = 100;
	r.src_port = 12345;
	r.dst_port = 443;
	r.exporter_port = 2055;
	r.class_id = 42;
	r.proto = 6;
	r.tos = 0xb8;
	r.tcp_flags = 0x1b;
	r.src_mask = 24;
	r.dst_mask = 48;
	r.version = 10;
	r.engine_type = 1;
	r.engine_id = 2;
	r.direction = 1;
	r.forwarding_status = 64;
	r.src_vlan = 100;
	r.dst_vlan = 200;
	r.flows = 3;
	return r;
}

/* Read the column at *p of the given type as text (integers decimal, bytes hex). */
static void
read_column(const uint8_t **p, const char *type, char *out, size_t size)
{
	if (strcmp(type, "FixedString(16)") == 0) {
		for (int i = 0; i < 16; i++)
			snprintf(out + 2 * i, size - 2 * (size_t)i, "%02x", (*p)[i]);
		*p += 16;
	} else if (strcmp(type, "String") == 0) {
		uint8_t len = **p;

		cr_assert_lt(len, 128, "one-byte LEB128 length");
		snprintf(out, size, "%.*s", len, (const char *)*p + 1);
		*p += 1 + len;
	} else {
		uint64_t v = 0;
		size_t n = strcmp(type, "UInt8") == 0 ? 1 : strcmp(type, "UInt16") == 0 ? 2 :
			   strcmp(type, "UInt64") == 0 ? 8 : 4; /* UInt32, DateTime */

		cr_assert(strcmp(type, "UInt8") == 0 || strcmp(type, "UInt16") == 0 || strcmp(type, "UInt32") == 0 ||
			  strcmp(type, "UInt64") == 0 || strcmp(type, "DateTime") == 0, "type %s", type);
		memcpy(&v, *p, n); /* little-endian host, as RowBinary */
		snprintf(out, size, "%llu", (unsigned long long)v);
		*p += n;
	}
}

/* The value the reader's JSON gives a key, as text (strings unquoted). */
static int
json_value(const char *json, const char *key, char *out, size_t size)
{
	char pat[64];
	const char *v, *end;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	v = strstr(json, pat);
	if (v == NULL)
		return -1;
	v += strlen(pat);
	if (*v == '"') {
		end = strchr(v + 1, '"');
		snprintf(out, size, "%.*s", (int)(end - v - 1), v + 1);
	} else {
		end = v + strcspn(v, ",}");
		snprintf(out, size, "%.*s", (int)(end - v), v);
	}
	return 0;
}

Test(chrow, flow_columns_are_the_json_contract_in_order_then_collector_time_batch)
{
	struct frx_flowrec r = sample_rec();
	char json[FRX_FMT_RECORD_MAX];
	const char *p;
	unsigned int i = 0;

	frx_fmt_record_str(FRX_FMT_JSON, &r, json, sizeof(json));
	/* Walk the JSON keys in order. */
	for (p = json; (p = strstr(p, "\"")) != NULL; i++) {
		const char *end = strchr(p + 1, '"');
		char key[64];

		snprintf(key, sizeof(key), "%.*s", (int)(end - p - 1), p + 1);
		cr_assert_not_null(frx_chrow_column_name(FRX_CHROW_FLOWS, i), "column %u missing (%s)", i, key);
		cr_assert_str_eq(frx_chrow_column_name(FRX_CHROW_FLOWS, i), key, "column %u", i);
		/* skip the value: a string or up to the next ',' */
		p = end + 2;
		if (*p == '"')
			p = strchr(p + 1, '"') + 1;
		p = strpbrk(p, ",}");
		if (*p == '}')
			break;
	}
	cr_assert_eq(i + 1, 33u, "JSON keys seen: %u", i + 1);
	cr_assert_str_eq(frx_chrow_column_name(FRX_CHROW_FLOWS, 33), "collector");
	cr_assert_str_eq(frx_chrow_column_name(FRX_CHROW_FLOWS, 34), "time");
	cr_assert_str_eq(frx_chrow_column_name(FRX_CHROW_FLOWS, 35), "batch_id");
	cr_assert_eq(frx_chrow_ncolumns(FRX_CHROW_FLOWS), 36u);
	cr_assert_null(frx_chrow_column_name(FRX_CHROW_FLOWS, 36));
}

Test(chrow, flow_row_decodes_to_the_json_values)
{
	struct frx_flowrec r = sample_rec();
	uint8_t row[FRX_CHROW_FLOW_MAX];
	char json[FRX_FMT_RECORD_MAX];
	const uint8_t *p = row;
	size_t len;

	len = frx_chrow_flow(row, &r, "Gi0/1", "", 77, 0x1122334455667788ull);
	cr_assert_eq(len, FRX_CHROW_FLOW_FIXED + 5);
	frx_fmt_record_names_str(FRX_FMT_JSON, &r, "Gi0/1", "", json, sizeof(json));
	for (unsigned int i = 0; i < frx_chrow_ncolumns(FRX_CHROW_FLOWS); i++) {
		const char *name = frx_chrow_column_name(FRX_CHROW_FLOWS, i);
		const char *type = frx_chrow_column_type(FRX_CHROW_FLOWS, i);
		char got[64], want[64];

		read_column(&p, type, got, sizeof(got));
		if (strcmp(type, "FixedString(16)") == 0) {
			/* the 16 address bytes, whose text the reader prints */
			uint8_t addr[16];
			char text[FRX_ADDR_STRLEN];

			for (int b = 0; b < 16; b++)
				sscanf(got + 2 * b, "%2hhx", &addr[b]);
			frx_addr_format(addr, text, sizeof(text));
			snprintf(got, sizeof(got), "%s", text);
		}
		if (strcmp(name, "collector") == 0)
			snprintf(want, sizeof(want), "77");
		else if (strcmp(name, "time") == 0)
			snprintf(want, sizeof(want), "1700000000");
		else if (strcmp(name, "batch_id") == 0)
			snprintf(want, sizeof(want), "%llu", 0x1122334455667788ull);
		else
			cr_assert_eq(json_value(json, name, want, sizeof(want)), 0, "JSON key %s", name);
		cr_assert_str_eq(got, want, "column %s", name);
	}
	cr_assert_eq((size_t)(p - row), len, "decoded every byte");
}

Test(chrow, interface_names_are_cut_to_64_bytes_and_null_is_empty)
{
	struct frx_flowrec r = sample_rec();
	uint8_t row[FRX_CHROW_FLOW_MAX];
	char longname[100];

	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	cr_assert_eq(frx_chrow_flow(row, &r, longname, NULL, 0, 0), (size_t)FRX_CHROW_FLOW_FIXED + 64);
	cr_assert_eq(row[146], 64, "in_if_name length");
	cr_assert_eq(row[146 + 1 + 64], 0, "out_if_name length");
	cr_assert_eq(frx_chrow_flow(row, &r, NULL, NULL, 0, 0), (size_t)FRX_CHROW_FLOW_FIXED);
}

Test(chrow, stats_row_decodes_to_the_engine_counters)
{
	struct frx_stats_header sh = { .snapshot_ms = 1700000005000ull, .started_ms = 1699999999000ull, .pid = 4242 };
	struct frx_engine_stats e = { .domain = 5, .exporter_port = 9995, .version = 9, .unit = 2, .flags = 1,
				      .packets = 10, .records = 11, .lost = 12, .out_of_order = 13,
				      .duplicates = 14, .resets = 15, .rejected = 16, .first_seen_ms = 17,
				      .last_seen_ms = 18, .last_sequence = 19 };
	static const char *const want[] = {
		"3", "1700000005000", "1700000005", "1699999999000", "4242", NULL, "9", "0", "0", "5", "9995",
		"2", "1", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "99",
	};
	uint8_t row[FRX_CHROW_STATS_ROW];
	const uint8_t *p = row;

	cr_assert_eq(frx_chrow_stats(row, &sh, &e, 3, 99), (size_t)FRX_CHROW_STATS_ROW);
	cr_assert_eq(frx_chrow_ncolumns(FRX_CHROW_STATS), sizeof(want) / sizeof(want[0]));
	for (unsigned int i = 0; i < frx_chrow_ncolumns(FRX_CHROW_STATS); i++) {
		char got[64];

		read_column(&p, frx_chrow_column_type(FRX_CHROW_STATS, i), got, sizeof(got));
		if (want[i] != NULL)
			cr_assert_str_eq(got, want[i], "column %s", frx_chrow_column_name(FRX_CHROW_STATS, i));
	}
	cr_assert_eq((size_t)(p - row), (size_t)FRX_CHROW_STATS_ROW);
}

Test(chrow, schema_is_partitioned_by_day_ordered_by_exporter_and_time_within_clickhouse_18)
{
	char buf[4096], list[1024];
	int len = frx_chrow_schema(FRX_CHROW_FLOWS, "db.flows", buf, sizeof(buf));

	cr_assert_lt((size_t)len, sizeof(buf));
	cr_assert_not_null(strstr(buf, "CREATE TABLE IF NOT EXISTS db.flows\n"));
	cr_assert_not_null(strstr(buf, "PARTITION BY toDate(time)"));
	cr_assert_not_null(strstr(buf, "ORDER BY (exporter, time)"));
	cr_assert_null(strstr(buf, "DateTime64"));
	cr_assert_null(strstr(buf, "IPv6 "));
	cr_assert_null(strstr(buf, "LowCardinality"));
	/* the INSERT column list names the same columns in the same order */
	snprintf(list, sizeof(list), "%s", frx_chrow_columns(FRX_CHROW_FLOWS));
	cr_assert_eq(strncmp(list, "exporter, version, engine_type", 30), 0);
	cr_assert_not_null(strstr(list, "out_if_name, collector, time, batch_id"));
	/* a too small buffer: the needed length, as snprintf */
	cr_assert_eq(frx_chrow_schema(FRX_CHROW_FLOWS, "db.flows", buf, 10), len);
}
