/* SPDX-License-Identifier: BSD-3-Clause */
/* Output formats: the JSON/CSV contract byte for byte, text alignment, human units. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flowrec.h"
#include "fmt.h"

static void
set_addr(uint8_t addr[16], const char *text)
{
	cr_assert_eq(frx_addr_parse(text, addr), 0, "bad address %s", text);
}

/* One record with every field distinct, so a swapped column shows. */
static void
build_v4_record(struct frx_flowrec *r)
{
	memset(r, 0, sizeof(*r));
	set_addr(r->exporter_addr, "192.0.2.1");
	set_addr(r->src_addr, "10.1.2.3");
	set_addr(r->dst_addr, "198.51.100.7");
	set_addr(r->next_hop, "10.0.0.254");
	r->version = 5;
	r->engine_type = 1;
	r->engine_id = 2;
	r->domain = 3;
	r->src_port = 51000;
	r->dst_port = 443;
	r->proto = 6;
	r->tos = 32;
	r->tcp_flags = 0x1b;
	r->in_if = 4;
	r->out_if = 5;
	r->packets = 1234567;
	r->bytes = 987654321;
	r->first_ms = 1700000000123ull;
	r->last_ms = 1700000002500ull;
	r->src_as = 64500;
	r->dst_as = 4200000000u;
	r->src_mask = 24;
	r->dst_mask = 16;
	r->sampling_interval = 1000;
	r->exporter_port = 2055;
	r->class_id = 9;
	r->flows = 1;
	r->direction = FRX_DIR_EGRESS;
	r->src_vlan = 100;
	r->dst_vlan = 200;
	r->forwarding_status = 64;
}

static void
build_v6_record(struct frx_flowrec *r)
{
	build_v4_record(r);
	set_addr(r->exporter_addr, "2001:db8::2");
	set_addr(r->src_addr, "2001:db8::1");
	set_addr(r->dst_addr, "2001:db8:0:1::80");
	set_addr(r->next_hop, "fe80::1");
	r->proto = 17;
	r->tcp_flags = 0;
	r->version = 10;
	r->flags = FRX_REC_F_IPV6 | FRX_REC_F_EXPORTER_IPV6;
}

static const char *
record_str(enum frx_fmt fmt, const struct frx_flowrec *r)
{
	static char buf[FRX_FMT_RECORD_MAX];
	int len = frx_fmt_record_str(fmt, r, buf, sizeof(buf));

	cr_assert_gt(len, 0);
	cr_assert_lt((size_t)len, sizeof(buf));
	cr_assert_eq((size_t)len, strlen(buf));
	return buf;
}

Test(fmt, json_ipv4_record_is_exact)
{
	struct frx_flowrec r;

	build_v4_record(&r);
	cr_assert_str_eq(record_str(FRX_FMT_JSON, &r),
			 "{\"exporter\":\"192.0.2.1\",\"version\":5,\"engine_type\":1,\"engine_id\":2,"
			 "\"domain\":3,\"src_addr\":\"10.1.2.3\",\"dst_addr\":\"198.51.100.7\","
			 "\"next_hop\":\"10.0.0.254\",\"src_port\":51000,\"dst_port\":443,\"proto\":6,"
			 "\"tos\":32,\"tcp_flags\":27,\"in_if\":4,\"out_if\":5,\"packets\":1234567,"
			 "\"bytes\":987654321,\"first\":1700000000123,\"last\":1700000002500,"
			 "\"src_as\":64500,\"dst_as\":4200000000,\"src_mask\":24,\"dst_mask\":16,"
			 "\"sampling_interval\":1000,\"exporter_port\":2055,\"class\":9,\"flows\":1,"
			 "\"direction\":2,\"src_vlan\":100,\"dst_vlan\":200,\"forwarding_status\":64,"
			 "\"in_if_name\":\"\",\"out_if_name\":\"\"}\n");
}

Test(fmt, json_ipv6_record_is_exact)
{
	struct frx_flowrec r;

	build_v6_record(&r);
	cr_assert_str_eq(record_str(FRX_FMT_JSON, &r),
			 "{\"exporter\":\"2001:db8::2\",\"version\":10,\"engine_type\":1,\"engine_id\":2,"
			 "\"domain\":3,\"src_addr\":\"2001:db8::1\",\"dst_addr\":\"2001:db8:0:1::80\","
			 "\"next_hop\":\"fe80::1\",\"src_port\":51000,\"dst_port\":443,\"proto\":17,"
			 "\"tos\":32,\"tcp_flags\":0,\"in_if\":4,\"out_if\":5,\"packets\":1234567,"
			 "\"bytes\":987654321,\"first\":1700000000123,\"last\":1700000002500,"
			 "\"src_as\":64500,\"dst_as\":4200000000,\"src_mask\":24,\"dst_mask\":16,"
			 "\"sampling_interval\":1000,\"exporter_port\":2055,\"class\":9,\"flows\":1,"
			 "\"direction\":2,\"src_vlan\":100,\"dst_vlan\":200,\"forwarding_status\":64,"
			 "\"in_if_name\":\"\",\"out_if_name\":\"\"}\n");
}

Test(fmt, json_prints_full_64_bit_counters)
{
	struct frx_flowrec r;
	const char *s;

	build_v4_record(&r);
	r.packets = UINT64_MAX;
	r.bytes = 0;
	s = record_str(FRX_FMT_JSON, &r);
	cr_assert_not_null(strstr(s, "\"packets\":18446744073709551615,\"bytes\":0,"), "%s", s);
}

Test(fmt, csv_header_and_record_are_exact)
{
	char head[512];
	struct frx_flowrec r;

	cr_assert_gt(frx_fmt_header_str(FRX_FMT_CSV, head, sizeof(head)), 0);
	cr_assert_str_eq(head, "exporter,version,engine_type,engine_id,domain,src_addr,dst_addr,next_hop,"
			       "src_port,dst_port,proto,tos,tcp_flags,in_if,out_if,packets,bytes,first,"
			       "last,src_as,dst_as,src_mask,dst_mask,sampling_interval,exporter_port,"
			       "class,flows,direction,src_vlan,dst_vlan,forwarding_status,in_if_name,out_if_name\n");
	build_v4_record(&r);
	cr_assert_str_eq(record_str(FRX_FMT_CSV, &r),
			 "192.0.2.1,5,1,2,3,10.1.2.3,198.51.100.7,10.0.0.254,51000,443,6,32,27,4,5,"
			 "1234567,987654321,1700000000123,1700000002500,64500,4200000000,24,16,1000,"
			 "2055,9,1,2,100,200,64,,\n");
	build_v6_record(&r);
	cr_assert_str_eq(record_str(FRX_FMT_CSV, &r),
			 "2001:db8::2,10,1,2,3,2001:db8::1,2001:db8:0:1::80,fe80::1,51000,443,17,32,0,"
			 "4,5,1234567,987654321,1700000000123,1700000002500,64500,4200000000,24,16,"
			 "1000,2055,9,1,2,100,200,64,,\n");
}

/* The CSV columns are the JSON keys, in the same order. */
Test(fmt, csv_columns_match_json_keys)
{
	char head[512], keys[512] = "";
	struct frx_flowrec r;
	const char *p;

	build_v6_record(&r);
	frx_fmt_header_str(FRX_FMT_CSV, head, sizeof(head));
	p = record_str(FRX_FMT_JSON, &r);
	/* each key is a quoted string right after '{' or ',' and before ':' */
	while ((p = strchr(p, '"')) != NULL) {
		const char *end = strchr(p + 1, '"');

		cr_assert_not_null(end);
		if (end[1] == ':') {
			if (keys[0] != '\0')
				strcat(keys, ",");
			strncat(keys, p + 1, (size_t)(end - p - 1));
		}
		p = end + 1;
	}
	strcat(keys, "\n");
	cr_assert_str_eq(keys, head);
}

Test(fmt, json_has_no_header)
{
	char head[16] = "x";

	cr_assert_eq(frx_fmt_header_str(FRX_FMT_JSON, head, sizeof(head)), 0);
	cr_assert_str_eq(head, "");
}

static size_t
index_of(const char *s, const char *needle)
{
	const char *p = strstr(s, needle);

	cr_assert_not_null(p, "'%s' not in '%s'", needle, s);
	return (size_t)(p - s);
}

Test(fmt, text_ipv4_columns_line_up_with_header)
{
	char head[512], line[FRX_FMT_RECORD_MAX];
	struct frx_flowrec r;

	frx_fmt_header_str(FRX_FMT_TEXT, head, sizeof(head));
	build_v4_record(&r);
	snprintf(line, sizeof(line), "%s", record_str(FRX_FMT_TEXT, &r));
	cr_assert_str_eq(head, "Date first seen (UTC, ms)  Duration Proto     Src IP Addr:Port         "
			       "Dst IP Addr:Port  Flags    Tos  Packets    Bytes Exporter\n");
	cr_assert_str_eq(line, "2023-11-14 22:13:20.123       2.377 TCP          10.1.2.3:51000 ->    "
			       "198.51.100.7:443   ...AP.SF  32    1.2 M  987.7 M 192.0.2.1\n");
	cr_assert_eq(index_of(head, "Duration") + strlen("Duration"), index_of(line, "2.377") + 5);
	cr_assert_eq(index_of(head, "Proto"), index_of(line, "TCP"));
	cr_assert_eq(index_of(head, "Addr:Port") + 4, index_of(line, ":51000"));
	cr_assert_eq(index_of(head, "Dst IP Addr:") + 11, index_of(line, ":443"));
	cr_assert_eq(index_of(head, "Flags"), index_of(line, "...AP.SF"));
	cr_assert_eq(index_of(head, "Exporter"), index_of(line, "192.0.2.1"));

	/* other addresses and a short duration keep the same columns */
	set_addr(r.src_addr, "1.2.3.4");
	set_addr(r.dst_addr, "255.255.255.255");
	r.last_ms = r.first_ms;
	r.src_port = 0;
	r.dst_port = 65535;
	r.proto = 1;
	snprintf(line, sizeof(line), "%s", record_str(FRX_FMT_TEXT, &r));
	cr_assert_eq(index_of(head, "Exporter"), index_of(line, "192.0.2.1"), "%s", line);
	cr_assert_eq(index_of(head, "Proto"), index_of(line, "ICMP"));
}

Test(fmt, text_ipv6_addresses_are_bracketed)
{
	struct frx_flowrec r;
	const char *line;

	build_v6_record(&r);
	line = record_str(FRX_FMT_TEXT, &r);
	cr_assert_not_null(strstr(line, " UDP "), "%s", line);
	cr_assert_not_null(strstr(line, "[2001:db8::1]:51000 -> [2001:db8:0:1::80]:443 "), "%s", line);
	cr_assert_not_null(strstr(line, " 2001:db8::2\n"), "%s", line);
}

Test(fmt, record_to_stream_matches_string)
{
	struct frx_flowrec r;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	cr_assert_not_null(out);
	build_v4_record(&r);
	frx_fmt_header(FRX_FMT_CSV, out);
	frx_fmt_record(FRX_FMT_CSV, &r, out);
	frx_fmt_header(FRX_FMT_JSON, out);
	frx_fmt_record(FRX_FMT_JSON, &r, out);
	cr_assert_eq(fclose(out), 0);
	{
		char want[2 * FRX_FMT_RECORD_MAX];
		char head[512];

		frx_fmt_header_str(FRX_FMT_CSV, head, sizeof(head));
		snprintf(want, sizeof(want), "%s%s", head, record_str(FRX_FMT_CSV, &r));
		strcat(want, record_str(FRX_FMT_JSON, &r));
		cr_assert_str_eq(buf, want);
	}
	free(buf);
}

Test(fmt, human_units_base_1000)
{
	static const struct {
		uint64_t v;
		const char *text;
	} cases[] = {
		{ 0, "0" },
		{ 532, "532" },
		{ 999, "999" },
		{ 1000, "1.0 K" },
		{ 1234, "1.2 K" },
		{ 999949, "999.9 K" },
		{ 999950, "1.0 M" }, /* not "1000.0 K" */
		{ 1234567, "1.2 M" },
		{ 987654321, "987.7 M" },
		{ 5000000000ull, "5.0 G" },
		{ 1000000000000ull, "1.0 T" },
		{ 2500000000000000ull, "2.5 P" },
		{ UINT64_MAX, "18.4 E" },
	};
	char buf[FRX_FMT_HUMAN_MAX];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_assert_str_eq(frx_fmt_human(cases[i].v, buf, sizeof(buf)), cases[i].text, "value %llu",
				 (unsigned long long)cases[i].v);
}

Test(fmt, proto_names)
{
	char buf[4];

	cr_assert_str_eq(frx_fmt_proto(6, buf, sizeof(buf)), "TCP");
	cr_assert_str_eq(frx_fmt_proto(17, buf, sizeof(buf)), "UDP");
	cr_assert_str_eq(frx_fmt_proto(1, buf, sizeof(buf)), "ICMP");
	cr_assert_str_eq(frx_fmt_proto(58, buf, sizeof(buf)), "ICMP6");
	cr_assert_str_eq(frx_fmt_proto(47, buf, sizeof(buf)), "GRE");
	cr_assert_str_eq(frx_fmt_proto(50, buf, sizeof(buf)), "ESP");
	cr_assert_str_eq(frx_fmt_proto(132, buf, sizeof(buf)), "132");
	cr_assert_str_eq(frx_fmt_proto(0, buf, sizeof(buf)), "0");
}

Test(fmt, parse_format_names)
{
	enum frx_fmt f = FRX_FMT_TEXT;

	cr_assert_eq(frx_fmt_parse("json", &f), 0);
	cr_assert_eq(f, FRX_FMT_JSON);
	cr_assert_eq(frx_fmt_parse("csv", &f), 0);
	cr_assert_eq(f, FRX_FMT_CSV);
	cr_assert_eq(frx_fmt_parse("text", &f), 0);
	cr_assert_eq(f, FRX_FMT_TEXT);
	cr_assert_eq(frx_fmt_parse("xml", &f), -EINVAL);
	cr_assert_eq(f, FRX_FMT_TEXT);
	cr_assert_str_eq(frx_fmt_name(FRX_FMT_CSV), "csv");
}

Test(fmt, out_of_range_dates_print_raw_milliseconds)
{
	struct frx_flowrec r;
	const char *line;

	build_v4_record(&r);
	r.first_ms = UINT64_MAX;
	line = record_str(FRX_FMT_TEXT, &r);
	cr_assert_eq(strncmp(line, "18446744073709551615", 20), 0, "%s", line);
}

Test(fmt, interface_names_are_escaped_for_json_and_csv)
{
	struct frx_flowrec r;
	static char buf[FRX_FMT_RECORD_MAX];
	const char *tail;

	build_v4_record(&r);
	frx_fmt_record_names_str(FRX_FMT_JSON, &r, "Gi0/1 \"uplink\"\\\x01\xe9", "Te1/0/1", buf, sizeof(buf));
	tail = strstr(buf, "\"in_if_name\"");
	cr_assert_not_null(tail);
	cr_assert_str_eq(tail, "\"in_if_name\":\"Gi0/1 \\\"uplink\\\"\\\\\\u0001\\u00e9\","
			       "\"out_if_name\":\"Te1/0/1\"}\n");
	frx_fmt_record_names_str(FRX_FMT_CSV, &r, "a,b \"c\"\n", "x", buf, sizeof(buf));
	cr_assert_str_eq(strstr(buf, "\"a,b"), "\"a,b \"\"c\"\" \",x\n");
}

/* The CSV record as the reference formatter (one snprintf, the original
 * implementation) writes it: the hand-written one must match it exactly. */
static int
reference_csv(const struct frx_flowrec *r, char *buf, size_t size)
{
	char e[FRX_ADDR_STRLEN], s[FRX_ADDR_STRLEN], d[FRX_ADDR_STRLEN], n[FRX_ADDR_STRLEN];

	frx_addr_format(r->exporter_addr, e, sizeof(e));
	frx_addr_format(r->src_addr, s, sizeof(s));
	frx_addr_format(r->dst_addr, d, sizeof(d));
	frx_addr_format(r->next_hop, n, sizeof(n));
	return snprintf(buf, size,
			"%s,%u,%u,%u,%u,%s,%s,%s,%u,%u,%u,%u,%u,%u,%u,%llu,%llu,%llu,%llu,%u,%u,%u,%u,%u,"
			"%u,%u,%u,%u,%u,%u,%u,,\n",
			e, r->version, r->engine_type, r->engine_id, r->domain, s, d, n, r->src_port,
			r->dst_port, r->proto, r->tos, r->tcp_flags, r->in_if, r->out_if,
			(unsigned long long)r->packets, (unsigned long long)r->bytes,
			(unsigned long long)r->first_ms, (unsigned long long)r->last_ms, r->src_as,
			r->dst_as, r->src_mask, r->dst_mask, r->sampling_interval, r->exporter_port,
			r->class_id, r->flows, r->direction, r->src_vlan, r->dst_vlan, r->forwarding_status);
}

static uint64_t
rand_u64(unsigned int *seed, int digits_max)
{
	/* A random number of digits, so every length and 0/max both occur. */
	static const uint64_t edge[] = { 0, 9, 10, 99, 100, 4294967295ull, 18446744073709551615ull };
	int pick = rand_r(seed) % 10;
	uint64_t v = 0;

	if (pick < 3)
		return edge[(unsigned int)rand_r(seed) % (sizeof(edge) / sizeof(edge[0]))];
	for (int i = rand_r(seed) % digits_max; i >= 0; i--)
		v = v * 10 + (uint64_t)(rand_r(seed) % 10);
	return v;
}

Test(fmt, hand_written_csv_matches_snprintf_for_random_records)
{
	unsigned int seed = 12345;
	char want[FRX_FMT_RECORD_MAX], got[FRX_FMT_RECORD_MAX];

	for (int n = 0; n < 20000; n++) {
		struct frx_flowrec r;
		uint8_t *p = (uint8_t *)&r;

		for (size_t i = 0; i < sizeof(r); i++)
			p[i] = (uint8_t)rand_r(&seed);
		if (n % 4 != 0) {
			/* mostly IPv4-mapped addresses, with 0 and 255 octets */
			uint8_t *addrs[] = { r.exporter_addr, r.src_addr, r.dst_addr, r.next_hop };

			for (int a = 0; a < 4; a++) {
				uint8_t v4[4];

				for (int k = 0; k < 4; k++)
					v4[k] = (uint8_t)rand_u64(&seed, 3);
				frx_addr_set_v4(addrs[a], v4);
			}
		}
		r.packets = rand_u64(&seed, 20);
		r.bytes = rand_u64(&seed, 20);
		r.in_if = (uint32_t)rand_u64(&seed, 10);
		r.src_as = (uint32_t)rand_u64(&seed, 10);
		reference_csv(&r, want, sizeof(want));
		frx_fmt_record_names_str(FRX_FMT_CSV, &r, NULL, NULL, got, sizeof(got));
		cr_assert_str_eq(got, want, "record %d", n);
	}
}

Test(fmt, small_buffer_truncates_and_returns_needed_length)
{
	struct frx_flowrec r;
	char full[FRX_FMT_RECORD_MAX], small[40];
	int len_full, len_small;

	build_v6_record(&r);
	for (enum frx_fmt f = FRX_FMT_TEXT; f <= FRX_FMT_JSON; f++) {
		len_full = frx_fmt_record_str(f, &r, full, sizeof(full));
		len_small = frx_fmt_record_str(f, &r, small, sizeof(small));
		cr_assert_eq(len_small, len_full, "%s", frx_fmt_name(f));
		cr_assert_eq(strlen(small), sizeof(small) - 1);
		cr_assert_eq(strncmp(small, full, sizeof(small) - 1), 0);
		cr_assert_eq(frx_fmt_record_str(f, &r, small, 0), len_full);
	}
}

/* The text record as the original one-snprintf formatter wrote it. */
static int
reference_text(const struct frx_flowrec *r, char *buf, size_t size)
{
	char date[80], src[FRX_ADDR_STRLEN + 2], dst[FRX_ADDR_STRLEN + 2], exp[FRX_ADDR_STRLEN];
	char a[FRX_ADDR_STRLEN], proto[4], flags[9], pk[FRX_FMT_HUMAN_MAX], by[FRX_FMT_HUMAN_MAX];
	static const char letters[8] = { 'C', 'E', 'U', 'A', 'P', 'R', 'S', 'F' };
	time_t sec = (time_t)(r->first_ms / 1000);
	struct tm tm;

	if (gmtime_r(&sec, &tm) == NULL || tm.tm_year + 1900 > 9999)
		snprintf(date, sizeof(date), "%llu", (unsigned long long)r->first_ms);
	else
		snprintf(date, sizeof(date), "%04d-%02d-%02d %02d:%02d:%02d.%03u", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned int)(r->first_ms % 1000));
	frx_addr_format(r->src_addr, a, sizeof(a));
	snprintf(src, sizeof(src), frx_addr_is_v4(r->src_addr) ? "%s" : "[%s]", a);
	frx_addr_format(r->dst_addr, a, sizeof(a));
	snprintf(dst, sizeof(dst), frx_addr_is_v4(r->dst_addr) ? "%s" : "[%s]", a);
	frx_addr_format(r->exporter_addr, exp, sizeof(exp));
	for (int i = 0; i < 8; i++)
		flags[i] = (r->tcp_flags & (0x80 >> i)) ? letters[i] : '.';
	flags[8] = '\0';
	frx_fmt_human(r->packets, pk, sizeof(pk));
	frx_fmt_human(r->bytes, by, sizeof(by));
	return snprintf(buf, size, "%-25s %9.3f %-5s %15s:%-5u -> %15s:%-5u %-8s %3u %8s %8s %s\n",
			date, (double)(int64_t)(r->last_ms - r->first_ms) / 1000.0,
			frx_fmt_proto(r->proto, proto, sizeof(proto)), src, r->src_port, dst, r->dst_port,
			flags, r->tos, pk, by, exp);
}

Test(fmt, hand_written_text_matches_snprintf_for_random_records)
{
	unsigned int seed = 777;
	char want[FRX_FMT_RECORD_MAX], got[FRX_FMT_RECORD_MAX];

	for (int n = 0; n < 20000; n++) {
		struct frx_flowrec r;
		uint8_t *p = (uint8_t *)&r;

		for (size_t i = 0; i < sizeof(r); i++)
			p[i] = (uint8_t)rand_r(&seed);
		if (n % 3 != 0) {
			uint8_t v4[4] = { (uint8_t)rand_r(&seed), 0, 255, (uint8_t)rand_r(&seed) };

			frx_addr_set_v4(r.src_addr, v4);
			frx_addr_set_v4(r.exporter_addr, v4);
		}
		/* dates from 1970 to 2100, in order now and then (the date cache) */
		r.first_ms = n % 5 ? 1700000000000ull + (uint64_t)n * 37 : rand_u64(&seed, 13);
		/* durations of every sign and size, within 2^53 */
		r.last_ms = r.first_ms + (uint64_t)(int64_t)((int64_t)rand_u64(&seed, 15) - 500000000000000ll);
		r.packets = rand_u64(&seed, 20);
		r.bytes = rand_u64(&seed, 20);
		reference_text(&r, want, sizeof(want));
		frx_fmt_record_str(FRX_FMT_TEXT, &r, got, sizeof(got));
		cr_assert_str_eq(got, want, "record %d:\n got %s want %s", n, got, want);
	}
}
