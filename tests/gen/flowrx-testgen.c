/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flowrx-testgen: writes pcaps of NetFlow exports for the end-to-end tests,
 * with the records flowrx must store (JSON lines, the reader's contract) and
 * the drop counters it must report.
 *
 *   flowrx-testgen mixed OUT.pcap EXPECTED.jsonl EXPECTED-COUNTERS.txt
 *       v1, v5, v6, v7 from several IPv4 and IPv6 exporters, VLAN/QinQ,
 *       a 29-record v1 PDU, an uptime wrap, and one frame per drop reason.
 *   flowrx-testgen clean OUT.pcap EXPECTED.jsonl
 *       the same exports without the frames meant to be dropped.
 *   flowrx-testgen bulk OUT.pcap PACKETS
 *       PACKETS v5 datagrams of 30 records from 8 exporters (load, shutdown).
 *   flowrx-testgen v8 OUT.pcap EXPECTED.jsonl EXPECTED-COUNTERS.txt
 *       one NetFlow v8 PDU per aggregation scheme (1-14) from an IPv4 and an
 *       IPv6 exporter, a PDU above its scheme's record limit, an uptime
 *       wrap, and one frame per v8 drop reason.
 *
 * Expected values are computed here from the generator's own description of
 * each flow, not by calling flowrx code.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nfbuild.h"

#define EXPORT_SECS 1763900000u /* 2025-11-23 12:13:20 UTC */

static pcap_dumper_t *dumper;
static FILE *expected;
static uint64_t frame_no;

struct exporter {
	struct tb_l3 l3;
	const char *addr_text;
	uint32_t sequence;
};

static void
write_frame(const uint8_t *frame, size_t len)
{
	struct pcap_pkthdr h;

	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = EXPORT_SECS + (time_t)(frame_no / 1000);
	h.ts.tv_usec = (suseconds_t)(frame_no % 1000) * 1000;
	h.caplen = h.len = (bpf_u_int32)len;
	pcap_dump((u_char *)dumper, &h, frame);
	frame_no++;
}

static void
send_payload(const struct tb_l3 *l3, const uint8_t *payload, size_t len)
{
	static uint8_t frame[70000];
	size_t flen = tb_build_frame(frame, sizeof(frame), l3, payload, len);

	if (flen == 0) {
		fprintf(stderr, "testgen: frame too large\n");
		exit(1);
	}
	write_frame(frame, flen);
}

static const char *
ip4_text(uint32_t host_order, char *buf)
{
	struct in_addr a = { .s_addr = htonl(host_order) };

	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/* epoch ms of a sysUptime stamp, from a header's clocks, with 32-bit wrap */
static uint64_t
uptime_epoch_ms(uint32_t sys_uptime, uint32_t unix_secs, uint32_t unix_nsecs, uint32_t stamp)
{
	uint64_t export_ms = (uint64_t)unix_secs * 1000 + unix_nsecs / 1000000;
	int64_t age;

	if (stamp <= sys_uptime)
		age = (int64_t)sys_uptime - stamp;
	else if (stamp - sys_uptime < 0x80000000u)
		age = -(int64_t)(stamp - sys_uptime); /* slightly after the header */
	else
		age = (int64_t)sys_uptime + 4294967296ll - stamp; /* before the wrap */
	return (uint64_t)((int64_t)export_ms - age);
}

static uint64_t
epoch_ms(const struct tb_hdr *h, uint32_t stamp)
{
	return uptime_epoch_ms(h->sys_uptime, h->unix_secs, h->unix_nsecs, stamp);
}

static void
expect_flow(const struct exporter *e, const struct tb_hdr *h, const struct tb_flow *f)
{
	char s[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN], n[INET_ADDRSTRLEN];
	int v1 = h->version == 1, v7 = h->version == 7;

	fprintf(expected,
		"{\"exporter\":\"%s\",\"version\":%u,\"engine_type\":%u,\"engine_id\":%u,\"domain\":0,"
		"\"src_addr\":\"%s\",\"dst_addr\":\"%s\",\"next_hop\":\"%s\",\"src_port\":%u,"
		"\"dst_port\":%u,\"proto\":%u,\"tos\":%u,\"tcp_flags\":%u,\"in_if\":%u,\"out_if\":%u,"
		"\"packets\":%u,\"bytes\":%u,\"first\":%" PRIu64 ",\"last\":%" PRIu64 ",\"src_as\":%u,"
		"\"dst_as\":%u,\"src_mask\":%u,\"dst_mask\":%u,\"sampling_interval\":%u,"
		"\"exporter_port\":%u,\"class\":0,\"flows\":1,\"direction\":0}\n",
		e->addr_text, h->version, v1 || v7 ? 0 : h->engine_type, v1 || v7 ? 0 : h->engine_id,
		ip4_text(f->src, s), ip4_text(f->dst, d), ip4_text(f->nexthop, n), f->src_port,
		f->dst_port, f->proto, f->tos, f->tcp_flags, f->in_if, f->out_if, f->packets, f->bytes,
		epoch_ms(h, f->first_uptime), epoch_ms(h, f->last_uptime), v1 ? 0 : f->src_as,
		v1 ? 0 : f->dst_as, v1 ? 0 : f->src_mask, v1 ? 0 : f->dst_mask,
		v1 || v7 ? 0 : (h->sampling & 0x3fff), e->l3.src_port);
}

static struct tb_flow
make_flow(unsigned int seed, uint32_t uptime)
{
	struct tb_flow f = {
		.src = 0x0a000000u | (seed * 7919u & 0xffffff), .dst = 0xc6336400u | (seed & 0xff),
		.nexthop = 0x0a0000fe, .in_if = (uint16_t)(1 + seed % 48), .out_if = (uint16_t)(49 + seed % 16),
		.packets = 1 + seed * 3, .bytes = 64 + seed * 1000,
		.first_uptime = uptime - 30000 - seed * 17, .last_uptime = uptime - 100 - seed,
		.src_port = (uint16_t)(1024 + seed), .dst_port = (uint16_t)(seed % 2 ? 443 : 53),
		.proto = (uint8_t)(seed % 3 ? 6 : 17), .tos = (uint8_t)(seed % 4 * 8),
		.tcp_flags = (uint8_t)(seed % 3 ? 0x1b : 0), .src_as = (uint16_t)(64512 + seed % 100),
		.dst_as = 15169, .src_mask = (uint8_t)(8 + seed % 24), .dst_mask = 24,
	};
	return f;
}

/* One PDU of n flows from exporter e; expected records written unless noise. */
static void
export_pdu(struct exporter *e, struct tb_hdr *h, unsigned int n, unsigned int seed)
{
	static uint8_t pdu[65536];
	struct tb_flow flows[64];
	size_t len;

	for (unsigned int i = 0; i < n; i++)
		flows[i] = make_flow(seed + i, h->sys_uptime);
	if (h->version != 1 && h->version != 7)
		h->sequence = e->sequence;
	else if (h->version == 7)
		h->sequence = e->sequence;
	len = tb_build_nf(pdu, sizeof(pdu), h, flows, n);
	send_payload(&e->l3, pdu, len);
	e->sequence += n;
	if (expected)
		for (unsigned int i = 0; i < n; i++)
			expect_flow(e, h, &flows[i]);
}

static int
gen_mixed(const char *counters_path, int with_noise)
{
	struct exporter a, b, c, d, w;
	struct tb_hdr h;
	uint8_t buf[2048];
	size_t len;
	FILE *counters;

	tb_l3_v4(&a.l3, "192.0.2.1", "198.51.100.1", 40001, 2055);
	a.addr_text = "192.0.2.1";
	a.sequence = 1000;
	tb_l3_v4(&b.l3, "192.0.2.2", "198.51.100.1", 40002, 2055);
	b.addr_text = "192.0.2.2";
	b.sequence = 0;
	tb_l3_v6(&c.l3, "2001:db8::2", "2001:db8::1", 40003, 2055);
	c.addr_text = "2001:db8::2";
	c.sequence = 5;
	tb_l3_v4(&d.l3, "192.0.2.4", "198.51.100.1", 40004, 9995);
	d.addr_text = "192.0.2.4";
	d.l3.vlans[0] = 10;
	d.l3.vlans[1] = 20;
	d.sequence = 77;
	tb_l3_v4(&w.l3, "192.0.2.5", "198.51.100.1", 40005, 2055);
	w.addr_text = "192.0.2.5";
	w.l3.vlans[0] = 300;
	w.sequence = 4000000000u;

	/* v5: two PDUs, sampled 1:64 (mode 1) */
	h = (struct tb_hdr){ .version = 5, .sys_uptime = 86400000, .unix_secs = EXPORT_SECS,
			     .unix_nsecs = 123456789, .engine_type = 1, .engine_id = 2,
			     .sampling = (1u << 14) | 64 };
	export_pdu(&a, &h, 30, 1);
	h.unix_nsecs = 987000000;
	export_pdu(&a, &h, 7, 31);
	/* v1: 29 records, above the spec's 24, as softflowd sends */
	h = (struct tb_hdr){ .version = 1, .sys_uptime = 5000000, .unix_secs = EXPORT_SECS + 1 };
	export_pdu(&b, &h, 29, 100);
	/* v6 from an IPv6 exporter */
	h = (struct tb_hdr){ .version = 6, .sys_uptime = 700000, .unix_secs = EXPORT_SECS + 2,
			     .unix_nsecs = 5000000, .engine_type = 3, .engine_id = 4 };
	export_pdu(&c, &h, 5, 200);
	/* v7 behind QinQ, to port 9995 */
	h = (struct tb_hdr){ .version = 7, .sys_uptime = 123456, .unix_secs = EXPORT_SECS + 3 };
	export_pdu(&d, &h, 27, 300);
	/* v5 whose exporter's uptime wrapped 2 s ago: flows started before the wrap */
	h = (struct tb_hdr){ .version = 5, .sys_uptime = 2000, .unix_secs = EXPORT_SECS + 4,
			     .engine_type = 0, .engine_id = 0 };
	export_pdu(&w, &h, 3, 400);

	if (!with_noise)
		return 0;
	/* One frame per drop reason; none may produce a record. */
	{
		FILE *keep = expected;
		struct exporter n = a;
		struct tb_flow f = make_flow(999, 1000);

		expected = NULL;
		/* not_ip: ARP */
		len = tb_build_frame(buf, sizeof(buf), &a.l3, (const uint8_t *)"x", 1);
		buf[12] = 0x08;
		buf[13] = 0x06;
		write_frame(buf, len);
		/* not_udp: TCP to 2055 */
		n.l3.ip_proto = 6;
		h = (struct tb_hdr){ .version = 5, .sys_uptime = 1000, .unix_secs = EXPORT_SECS };
		len = tb_build_nf(buf + 100, 1500, &h, &f, 1);
		send_payload(&n.l3, buf + 100, len);
		n.l3.ip_proto = 0;
		/* wrong_port */
		n.l3.dst_port = 53;
		send_payload(&n.l3, buf + 100, len);
		n.l3.dst_port = 2055;
		/* ip_fragment */
		n.l3.fragment = 1;
		send_payload(&n.l3, buf + 100, len);
		n.l3.fragment = 0;
		/* ip_bad_checksum */
		n.l3.bad_ip_checksum = 1;
		send_payload(&n.l3, buf + 100, len);
		n.l3.bad_ip_checksum = 0;
		/* bad_count: header says 2, one record present */
		h.count = 2;
		len = tb_build_nf(buf + 100, 1500, &h, &f, 1);
		send_payload(&n.l3, buf + 100, len);
		/* zero_count */
		h.count = 0;
		len = tb_build_nf(buf + 100, 1500, &h, &f, 0);
		send_payload(&n.l3, buf + 100, len);
		/* bad_version: 42 */
		len = tb_build_nf(buf + 100, 1500, &h, &f, 1);
		buf[100] = 0;
		buf[101] = 42;
		send_payload(&n.l3, buf + 100, len);
		/* truncated: a v5 header cut at 10 bytes */
		len = tb_build_nf(buf + 100, 1500, &h, &f, 1);
		send_payload(&n.l3, buf + 100, 10);
		expected = keep;
	}

	counters = fopen(counters_path, "w");
	if (counters == NULL)
		return -1;
	fprintf(counters, "pdus_v1: 1\npdus_v5: 3\npdus_v6: 1\npdus_v7: 1\n"
			  "records_decoded: 101\nrecords_written: 101\npdus_count_above_spec: 1\n"
			  "drop_not_ip: 1\ndrop_not_udp: 1\ndrop_wrong_port: 1\ndrop_ip_fragment: 1\n"
			  "drop_ip_bad_checksum: 1\ndrop_bad_count: 1\ndrop_zero_count: 1\n"
			  "drop_bad_version: 1\ndrop_truncated: 1\nrecords_lost_no_block: 0\n"
			  "drop_ring_full: 0\n");
	fprintf(counters, "rx_packets: %" PRIu64 "\n", frame_no);
	return fclose(counters);
}

/*
 * What flowrx must store for one v8 record: the fields its scheme carries,
 * 0 (0.0.0.0 for addresses) for the others, one flow for a Catalyst record
 * (no flow count), the router shortcut as next hop (docs/netflow-v8.md).
 */
static void
expect_v8(const struct exporter *e, const struct tb_v8_hdr *h, const struct tb_v8_rec *r)
{
	unsigned int f = tb_v8_fields(h->aggregation);
	char s[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN], n[INET_ADDRSTRLEN];
	int masks = (f & TB_V8_F_MASKS) != 0;

	fprintf(expected,
		"{\"exporter\":\"%s\",\"version\":8,\"engine_type\":%u,\"engine_id\":%u,\"domain\":0,"
		"\"src_addr\":\"%s\",\"dst_addr\":\"%s\",\"next_hop\":\"%s\",\"src_port\":%u,"
		"\"dst_port\":%u,\"proto\":%u,\"tos\":%u,\"tcp_flags\":0,\"in_if\":%u,\"out_if\":%u,"
		"\"packets\":%u,\"bytes\":%u,\"first\":%" PRIu64 ",\"last\":%" PRIu64 ",\"src_as\":%u,"
		"\"dst_as\":%u,\"src_mask\":%u,\"dst_mask\":%u,\"sampling_interval\":0,"
		"\"exporter_port\":%u,\"class\":0,\"flows\":%u,\"direction\":0}\n",
		e->addr_text, h->engine_type, h->engine_id,
		ip4_text(f & TB_V8_F_SRC ? r->src : 0, s), ip4_text(f & TB_V8_F_DST ? r->dst : 0, d),
		ip4_text(f & TB_V8_F_CATALYST ? r->router_sc : 0, n),
		f & TB_V8_F_PORTS ? r->src_port : 0, f & TB_V8_F_PORTS ? r->dst_port : 0,
		f & TB_V8_F_PROTO ? r->proto : 0, f & TB_V8_F_TOS ? r->tos : 0,
		f & TB_V8_F_IN_IF ? r->in_if : 0, f & TB_V8_F_OUT_IF ? r->out_if : 0, r->packets, r->bytes,
		uptime_epoch_ms(h->sys_uptime, h->unix_secs, h->unix_nsecs, r->first_uptime),
		uptime_epoch_ms(h->sys_uptime, h->unix_secs, h->unix_nsecs, r->last_uptime),
		f & TB_V8_F_SRC_AS ? r->src_as : 0, f & TB_V8_F_DST_AS ? r->dst_as : 0,
		masks && (f & TB_V8_F_SRC) ? r->src_mask : 0, masks && (f & TB_V8_F_DST) ? r->dst_mask : 0,
		e->l3.src_port, f & TB_V8_F_FLOWS ? r->flows : 1);
}

static struct tb_v8_rec
make_v8_rec(unsigned int seed, uint32_t uptime)
{
	struct tb_v8_rec r = {
		.flows = 1 + seed % 9, .packets = 10 + seed * 7, .bytes = 600 + seed * 1400,
		.first_uptime = uptime - 40000 - seed * 13, .last_uptime = uptime - 200 - seed,
		.src = 0x0a000000u | (seed * 7919u & 0xffff00), .dst = 0xc6336400u | (seed & 0xff),
		.src_mask = (uint8_t)(8 + seed % 16), .dst_mask = (uint8_t)(24 + seed % 8),
		.src_port = (uint16_t)(1024 + seed), .dst_port = (uint16_t)(seed % 2 ? 443 : 53),
		.proto = (uint8_t)(seed % 3 ? 6 : 17), .tos = (uint8_t)(seed % 4 * 8 + 4),
		.marked_tos = 0x01, .src_as = (uint16_t)(64512 + seed % 100), .dst_as = 15169,
		.in_if = (uint16_t)(1 + seed % 48), .out_if = (uint16_t)(49 + seed % 16),
		.extra_packets = seed % 5, .router_sc = 0x0a0000fd,
	};
	return r;
}

/* One v8 PDU of n records from exporter e in h's scheme. */
static void
export_v8_pdu(struct exporter *e, struct tb_v8_hdr *h, unsigned int n, unsigned int seed)
{
	static uint8_t pdu[65536];
	struct tb_v8_rec recs[64];
	size_t len;

	for (unsigned int i = 0; i < n; i++)
		recs[i] = make_v8_rec(seed + i, h->sys_uptime);
	h->sequence = e->sequence;
	len = tb_build_v8(pdu, sizeof(pdu), h, recs, n);
	if (len == 0) {
		fprintf(stderr, "testgen: v8 scheme %u not built\n", h->aggregation);
		exit(1);
	}
	send_payload(&e->l3, pdu, len);
	e->sequence += n;
	if (expected)
		for (unsigned int i = 0; i < n; i++)
			expect_v8(e, h, &recs[i]);
}

static int
gen_v8(const char *counters_path)
{
	struct exporter a, b;
	struct tb_v8_hdr h;
	uint8_t buf[2048];
	unsigned int records = 0;
	size_t len;
	FILE *counters;

	tb_l3_v4(&a.l3, "192.0.2.8", "198.51.100.1", 40008, 2055);
	a.addr_text = "192.0.2.8";
	a.sequence = 500;
	tb_l3_v6(&b.l3, "2001:db8::8", "2001:db8::1", 40009, 2055);
	b.addr_text = "2001:db8::8";
	b.sequence = 0;

	/* Schemes 1-14, odd ones from a, even ones from b, 1-3 records each. */
	for (unsigned int agg = 1; agg <= 14; agg++) {
		struct exporter *e = agg % 2 ? &a : &b;
		unsigned int n = 1 + agg % 3;

		h = (struct tb_v8_hdr){ .sys_uptime = 7200000 + agg * 1000, .unix_secs = EXPORT_SECS + agg,
					.unix_nsecs = agg * 50000000u, .engine_type = 0,
					.engine_id = (uint8_t)(agg % 2 ? 3 : 4), .aggregation = (uint8_t)agg,
					.agg_version = TB_V8_AGG_VERSION };
		export_v8_pdu(e, &h, n, agg * 10);
		records += n;
	}
	/* 52 AS records, one above Cisco's 51: stored and counted */
	h = (struct tb_v8_hdr){ .sys_uptime = 9000000, .unix_secs = EXPORT_SECS + 20, .engine_id = 3,
				.aggregation = 1, .agg_version = TB_V8_AGG_VERSION };
	export_v8_pdu(&a, &h, 52, 500);
	records += 52;
	/* prefix-ToS from an exporter whose uptime wrapped 1.5 s ago */
	h = (struct tb_v8_hdr){ .sys_uptime = 1500, .unix_secs = EXPORT_SECS + 21, .engine_id = 4,
				.aggregation = 13, .agg_version = TB_V8_AGG_VERSION };
	export_v8_pdu(&b, &h, 3, 600);
	records += 3;

	/* One frame per v8 drop reason; none may produce a record. */
	{
		FILE *keep = expected;
		struct tb_v8_rec r[3];

		expected = NULL;
		for (unsigned int i = 0; i < 3; i++)
			r[i] = make_v8_rec(900 + i, 100000);
		h = (struct tb_v8_hdr){ .sys_uptime = 100000, .unix_secs = EXPORT_SECS + 30,
					.aggregation = 1, .agg_version = TB_V8_AGG_VERSION };
		/* v8_bad_aggregation: scheme 15 */
		len = tb_build_v8(buf, sizeof(buf), &h, r, 2);
		buf[22] = 15;
		send_payload(&a.l3, buf, len);
		/* v8_bad_aggregation: aggregation version 0 */
		h.agg_version = 0;
		len = tb_build_v8(buf, sizeof(buf), &h, r, 2);
		send_payload(&a.l3, buf, len);
		h.agg_version = TB_V8_AGG_VERSION;
		/* bad_count: header says 3, two records present */
		h.count = 3;
		len = tb_build_v8(buf, sizeof(buf), &h, r, 2);
		send_payload(&a.l3, buf, len);
		/* zero_count */
		h.count = 0;
		len = tb_build_v8(buf, sizeof(buf), &h, r, 0);
		send_payload(&b.l3, buf, len);
		/* truncated: a v8 header cut at 20 bytes */
		len = tb_build_v8(buf, sizeof(buf), &h, r, 1);
		send_payload(&b.l3, buf, 20);
		expected = keep;
	}

	counters = fopen(counters_path, "w");
	if (counters == NULL)
		return -1;
	fprintf(counters, "pdus_v8: 16\nrecords_decoded: %u\nrecords_written: %u\n"
			  "pdus_count_above_spec: 1\ndrop_v8_bad_aggregation: 2\ndrop_bad_count: 1\n"
			  "drop_zero_count: 1\ndrop_truncated: 1\ndrop_bad_version: 0\n"
			  "records_lost_no_block: 0\n", records, records);
	fprintf(counters, "rx_packets: %" PRIu64 "\n", frame_no);
	return fclose(counters);
}

static int
gen_bulk(unsigned long packets)
{
	struct exporter e[8];
	char name[8][32];

	for (int i = 0; i < 8; i++) {
		snprintf(name[i], sizeof(name[i]), "192.0.2.%d", 100 + i);
		tb_l3_v4(&e[i].l3, name[i], "198.51.100.1", (uint16_t)(41000 + i), 2055);
		e[i].addr_text = name[i];
		e[i].sequence = 0;
	}
	for (unsigned long p = 0; p < packets; p++) {
		struct tb_hdr h = { .version = 5, .sys_uptime = 10000000 + (uint32_t)p,
				    .unix_secs = EXPORT_SECS + (uint32_t)(p / 1000),
				    .engine_type = 0, .engine_id = (uint8_t)(p % 8) };

		export_pdu(&e[p % 8], &h, 30, (unsigned int)p);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	pcap_t *dead;
	int rc;

	if (argc < 3 || (strcmp(argv[1], "mixed") == 0 && argc != 5) ||
	    (strcmp(argv[1], "clean") == 0 && argc != 4) || (strcmp(argv[1], "bulk") == 0 && argc != 4) ||
	    (strcmp(argv[1], "v8") == 0 && argc != 5)) {
		fprintf(stderr, "usage: %s mixed OUT.pcap EXPECTED.jsonl COUNTERS.txt\n"
				"       %s clean OUT.pcap EXPECTED.jsonl\n"
				"       %s bulk OUT.pcap PACKETS\n"
				"       %s v8 OUT.pcap EXPECTED.jsonl COUNTERS.txt\n",
			argv[0], argv[0], argv[0], argv[0]);
		return 2;
	}
	dead = pcap_open_dead(DLT_EN10MB, 65535);
	dumper = pcap_dump_open(dead, argv[2]);
	if (dumper == NULL) {
		fprintf(stderr, "testgen: %s: %s\n", argv[2], pcap_geterr(dead));
		return 1;
	}
	if (strcmp(argv[1], "mixed") == 0 || strcmp(argv[1], "clean") == 0) {
		int noise = strcmp(argv[1], "mixed") == 0;

		expected = fopen(argv[3], "w");
		if (expected == NULL) {
			perror(argv[3]);
			return 1;
		}
		rc = gen_mixed(noise ? argv[4] : NULL, noise);
		fclose(expected);
	} else if (strcmp(argv[1], "bulk") == 0) {
		rc = gen_bulk(strtoul(argv[3], NULL, 0));
	} else if (strcmp(argv[1], "v8") == 0) {
		expected = fopen(argv[3], "w");
		if (expected == NULL) {
			perror(argv[3]);
			return 1;
		}
		rc = gen_v8(argv[4]);
		fclose(expected);
	} else {
		fprintf(stderr, "testgen: unknown mode %s\n", argv[1]);
		rc = -1;
	}
	pcap_dump_close(dumper);
	pcap_close(dead);
	return rc == 0 ? 0 : 1;
}
