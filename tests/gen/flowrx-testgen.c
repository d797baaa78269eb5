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

#include "ipfixbuild.h"
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


/* ------------------------------------------------------------- v9 / IPFIX */

struct ix_rec {
	const char *exporter, *src, *dst, *next_hop;
	unsigned int version, exporter_port, src_port, dst_port, proto, tos, tcp_flags;
	unsigned int in_if, out_if, src_as, dst_as, src_mask, dst_mask, sampling, direction;
	uint32_t domain;
	uint64_t packets, bytes, first, last;
	const char *in_name, *out_name;
};

static void
expect_ix(const struct ix_rec *r)
{
	if (expected == NULL)
		return;
	fprintf(expected,
		"{\"exporter\":\"%s\",\"version\":%u,\"engine_type\":0,\"engine_id\":0,\"domain\":%u,"
		"\"src_addr\":\"%s\",\"dst_addr\":\"%s\",\"next_hop\":\"%s\",\"src_port\":%u,"
		"\"dst_port\":%u,\"proto\":%u,\"tos\":%u,\"tcp_flags\":%u,\"in_if\":%u,\"out_if\":%u,"
		"\"packets\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"first\":%" PRIu64 ",\"last\":%" PRIu64 ","
		"\"src_as\":%u,\"dst_as\":%u,\"src_mask\":%u,\"dst_mask\":%u,\"sampling_interval\":%u,"
		"\"exporter_port\":%u,\"class\":0,\"flows\":1,\"direction\":%u,"
		"\"in_if_name\":\"%s\",\"out_if_name\":\"%s\"}\n",
		r->exporter, r->version, r->domain, r->src, r->dst, r->next_hop, r->src_port, r->dst_port,
		r->proto, r->tos, r->tcp_flags, r->in_if, r->out_if, r->packets, r->bytes, r->first, r->last,
		r->src_as, r->dst_as, r->src_mask, r->dst_mask, r->sampling, r->exporter_port, r->direction,
		r->in_name ? r->in_name : "", r->out_name ? r->out_name : "");
}

static void
send_msg(const struct tb_l3 *l3, struct ib_msg *m)
{
	size_t len = ib_end(m);

	send_payload(l3, m->buf, len);
}

/* v9 template of an ordinary router (record netflow-original-like) */
static const struct ib_field v9_original[] = {
	{ 8, 4 }, { 12, 4 }, { 15, 4 }, { 7, 2 }, { 11, 2 }, { 4, 1 }, { 5, 1 }, { 6, 1 }, { 10, 2 },
	{ 14, 2 }, { 2, 4 }, { 1, 4 }, { 22, 4 }, { 21, 4 }, { 16, 2 }, { 17, 2 }, { 9, 1 }, { 13, 1 },
};

/*
 * v9 exporter with options (sampling 1:100 and interface names), an exporter
 * whose data comes before its template, an IPv6 IPFIX exporter with
 * variable-length and enterprise fields, and a template withdrawal.
 * with_templates 0 writes the same data of A and B without any template or
 * options, for the restart test (templates then come from the saved state;
 * sampling and names are options data, not saved: those records have none).
 */
static int
gen_ipfix(const char *counters_path, int with_templates)
{
	struct tb_l3 a, b, c;
	struct ib_msg m;
	const uint32_t up = 3600000, secs = EXPORT_SECS + 100;
	unsigned int records = 0;
	char src[32];

	tb_l3_v4(&a, "192.0.2.20", "198.51.100.1", 5000, 2055);
	tb_l3_v4(&b, "192.0.2.21", "198.51.100.1", 5001, 2055);
	tb_l3_v6(&c, "2001:db8::20", "2001:db8::1", 5002, 4739);

	/* A: options first (sampling, names), then the template and 20 records */
	if (with_templates) {
		static const struct ib_field opt_sys[] = { { 1, 4 }, { 34, 4 }, { 35, 1 } };
		static const struct ib_field opt_if[] = { { 2, 4 }, { 82, 8 } };

		ib_begin(&m, 9, up, secs, 1, 3);
		ib_set(&m, 1);
		ib_options_template(&m, 258, opt_sys, 3, 1);
		ib_options_template(&m, 259, opt_if, 2, 1);
		ib_set_end(&m, 0);
		ib_set(&m, 258);
		ib_uint(&m, 0, 4); ib_uint(&m, 100, 4); ib_uint(&m, 2, 1);
		ib_record_done(&m);
		ib_set_end(&m, 3);
		ib_set(&m, 259);
		ib_uint(&m, 1, 4); ib_bytes(&m, "Gi0/1\0\0\0", 8); ib_record_done(&m);
		ib_uint(&m, 2, 4); ib_bytes(&m, "Gi0/2\0\0\0", 8); ib_record_done(&m);
		ib_set(&m, 0);
		ib_template(&m, 256, v9_original, sizeof(v9_original) / sizeof(v9_original[0]));
		send_msg(&a, &m);
	}
	ib_begin(&m, 9, up + 1000, secs + 1, 2, 3);
	ib_set(&m, 256);
	for (unsigned int i = 0; i < 20; i++) {
		struct ix_rec r = { .exporter = "192.0.2.20", .version = 9, .domain = 3, .exporter_port = 5000,
				    .dst = "198.51.100.9", .next_hop = "10.0.0.1", .src_port = 1000 + i,
				    .dst_port = 443, .proto = 6, .tos = 0x28, .tcp_flags = 0x1b, .in_if = 1,
				    .out_if = 2, .packets = 5 + i, .bytes = 700 + i, .src_as = 64500, .dst_as = 15169,
				    .src_mask = 24, .dst_mask = 22, .sampling = with_templates ? 100 : 0,
				    .in_name = with_templates ? "Gi0/1" : "", .out_name = with_templates ? "Gi0/2" : "" };

		snprintf(src, sizeof(src), "10.20.0.%u", i + 1);
		r.src = src;
		r.first = (uint64_t)(secs + 1) * 1000 - 61000 + i;
		r.last = (uint64_t)(secs + 1) * 1000 - 1000;
		ib_ip4(&m, src); ib_ip4(&m, r.dst); ib_ip4(&m, r.next_hop);
		ib_uint(&m, r.src_port, 2); ib_uint(&m, r.dst_port, 2); ib_uint(&m, r.proto, 1);
		ib_uint(&m, r.tos, 1); ib_uint(&m, r.tcp_flags, 1); ib_uint(&m, r.in_if, 2);
		ib_uint(&m, r.out_if, 2); ib_uint(&m, r.packets, 4); ib_uint(&m, r.bytes, 4);
		ib_uint(&m, up + 1000 - 61000 + i, 4); ib_uint(&m, up, 4);
		ib_uint(&m, r.src_as, 2); ib_uint(&m, r.dst_as, 2); ib_uint(&m, r.src_mask, 1);
		ib_uint(&m, r.dst_mask, 1);
		ib_record_done(&m);
		expect_ix(&r);
		records++;
	}
	send_msg(&a, &m);

	/* B: data first, template in the next datagram (backlog) */
	ib_begin(&m, 9, up, secs, 10, 0);
	ib_set(&m, 300);
	for (unsigned int i = 0; i < 5; i++) {
		struct ix_rec r = { .exporter = "192.0.2.21", .version = 9, .exporter_port = 5001,
				    .dst = "198.51.100.10", .next_hop = "10.0.0.2", .src_port = 2000 + i,
				    .dst_port = 53, .proto = 17, .packets = 1, .bytes = 80 };

		snprintf(src, sizeof(src), "10.21.0.%u", i + 1);
		r.src = src;
		r.first = r.last = (uint64_t)secs * 1000 - 5000;
		ib_ip4(&m, src); ib_ip4(&m, r.dst); ib_ip4(&m, r.next_hop);
		ib_uint(&m, r.src_port, 2); ib_uint(&m, r.dst_port, 2); ib_uint(&m, r.proto, 1);
		ib_uint(&m, r.packets, 4); ib_uint(&m, r.bytes, 4); ib_uint(&m, up - 5000, 4);
		ib_uint(&m, up - 5000, 4);
		ib_record_done(&m);
		expect_ix(&r);
		records++;
	}
	send_msg(&b, &m);
	if (with_templates) {
		static const struct ib_field tb[] = { { 8, 4 }, { 12, 4 }, { 15, 4 }, { 7, 2 }, { 11, 2 },
						      { 4, 1 }, { 2, 4 }, { 1, 4 }, { 22, 4 }, { 21, 4 } };

		ib_begin(&m, 9, up + 2000, secs + 2, 11, 0);
		ib_set(&m, 0);
		ib_template(&m, 300, tb, sizeof(tb) / sizeof(tb[0]));
		send_msg(&b, &m);
	}

	/* C withdraws its template at the end: the restart test has nothing of it */
	if (!with_templates)
		return 0;
	/* C: IPFIX over IPv6, domain 9: IPv6 flows, ms times, a varlen name
	 * and an enterprise element in the way, flowDirection */
	{
		static const struct ib_field tc[] = {
			{ 27, 16 }, { 28, 16 }, { 62, 16 }, { 7, 2 }, { 11, 2 }, { 4, 1 }, { 6, 2 },
			{ 96, 0xffff }, { 4242, 4, 32473 }, { 2, 8 }, { 1, 8 }, { 152, 8 }, { 153, 8 },
			{ 29, 1 }, { 30, 1 }, { 10, 4 }, { 14, 4 }, { 16, 4 }, { 17, 4 }, { 61, 1 },
		};

		ib_begin(&m, 10, 0, secs, 1, 9);
		ib_set(&m, 2);
		ib_template(&m, 400, tc, sizeof(tc) / sizeof(tc[0]));
		send_msg(&c, &m);
	}
	ib_begin(&m, 10, 0, secs + 3, 2, 9);
	ib_set(&m, 400);
	for (unsigned int i = 0; i < 10; i++) {
		struct ix_rec r = { .exporter = "2001:db8::20", .version = 10, .domain = 9, .exporter_port = 5002,
				    .dst = "2001:db8:100::53", .next_hop = "fe80::1", .src_port = 3000 + i,
				    .dst_port = 853, .proto = 6, .tcp_flags = 0x12, .packets = 1000000000ull + i,
				    .bytes = 5000000000ull + i, .src_mask = 48, .dst_mask = 64, .in_if = 70000,
				    .out_if = 70001, .src_as = 4200000000u, .dst_as = 65551,
				    .direction = i % 2 ? 2 : 1 };

		snprintf(src, sizeof(src), "2001:db8:20::%x", i + 1);
		r.src = src;
		r.first = (uint64_t)secs * 1000 - 9000 + i;
		r.last = (uint64_t)secs * 1000 + 2000;
		ib_ip6(&m, src); ib_ip6(&m, r.dst); ib_ip6(&m, r.next_hop);
		ib_uint(&m, r.src_port, 2); ib_uint(&m, r.dst_port, 2); ib_uint(&m, r.proto, 1);
		ib_uint(&m, 0x0112, 2);
		ib_varlen(&m, "https", 5, i % 3 == 0);
		ib_uint(&m, 0xdeadbeef, 4);
		ib_uint(&m, r.packets, 8); ib_uint(&m, r.bytes, 8); ib_uint(&m, r.first, 8); ib_uint(&m, r.last, 8);
		ib_uint(&m, r.src_mask, 1); ib_uint(&m, r.dst_mask, 1); ib_uint(&m, r.in_if, 4);
		ib_uint(&m, r.out_if, 4); ib_uint(&m, r.src_as, 4); ib_uint(&m, r.dst_as, 4);
		ib_uint(&m, i % 2, 1);
		expect_ix(&r);
		records++;
	}
	send_msg(&c, &m);

	/* C withdraws the template; its next data set is not decodable */
	ib_begin(&m, 10, 0, secs + 4, 12, 9);
	ib_set(&m, 2);
	ib_withdraw(&m, 400);
	ib_set(&m, 400);
	ib_bytes(&m, "0123456789", 10);
	send_msg(&c, &m);
	/* a set length that runs past the datagram */
	ib_begin(&m, 10, 0, secs + 5, 13, 9);
	ib_uint(&m, 400, 2);
	ib_uint(&m, 500, 2);
	ib_uint(&m, 0, 4);
	send_msg(&c, &m);

	{
		FILE *counters = fopen(counters_path, "w");

		if (counters == NULL)
			return -1;
		fprintf(counters, "pdus_v9: 4\npdus_v10: 3\nrecords_decoded: %u\nrecords_written: %u\n"
				  "templates_added: 5\ntemplates_withdrawn: 1\nsets_backlog_decoded: 1\n"
				  "sets_unknown_template: 2\nifnames_learned: 2\ndrop_bad_set_length: 1\n",
			records, records);
		return fclose(counters);
	}
}

/* ------------------------------------------------------ sequence accounting */

/* A v5 PDU of n flows with a given sequence, engine and uptime. */
static void
seq_v5(struct tb_l3 *l3, uint32_t seq, unsigned int n, uint8_t engine_type, uint8_t engine_id, uint32_t uptime)
{
	static uint8_t pdu[4096];
	struct tb_flow flows[30];
	struct tb_hdr h = { .version = 5, .sys_uptime = uptime, .unix_secs = EXPORT_SECS + uptime / 1000,
			    .sequence = seq, .engine_type = engine_type, .engine_id = engine_id };
	size_t len;

	for (unsigned int i = 0; i < n; i++)
		flows[i] = make_flow(seq + i, uptime);
	len = tb_build_nf(pdu, sizeof(pdu), &h, flows, n);
	send_payload(l3, pdu, len);
}

/* An IPFIX message of n records of a 2-field template; inclusive: softflowd's sequence. */
static void
seq_ipfix(struct tb_l3 *l3, uint32_t seq, unsigned int n, int with_template)
{
	struct ib_msg m;

	ib_begin(&m, 10, 0, EXPORT_SECS, seq, 1);
	if (with_template) {
		ib_set(&m, 2);
		ib_template(&m, 500, (const struct ib_field[]){ { 8, 4 }, { 2, 4 } }, 2);
	}
	ib_set(&m, 500);
	for (unsigned int i = 0; i < n; i++) {
		ib_ip4(&m, "10.9.9.9");
		ib_uint(&m, i + 1, 4);
	}
	send_msg(l3, &m);
}

/*
 * Sequence and exporter-protection cases, each from its own exporter so the
 * e2e test can check exact counts per engine (tests/e2e/e2e_seq.sh).
 */
static int
gen_seq(void)
{
	struct tb_l3 a, b, c, d, e, g, x;
	struct ib_msg m;

	tb_l3_v4(&a, "192.0.2.30", "198.51.100.1", 6000, 2055);
	tb_l3_v4(&b, "192.0.2.31", "198.51.100.1", 6001, 2055);
	tb_l3_v4(&c, "192.0.2.32", "198.51.100.1", 6002, 2055);
	tb_l3_v4(&d, "192.0.2.33", "198.51.100.1", 6003, 2055);
	tb_l3_v4(&e, "192.0.2.34", "198.51.100.1", 6004, 4739);
	tb_l3_v4(&g, "192.0.2.40", "198.51.100.1", 6005, 2055);
	tb_l3_v4(&x, "203.0.113.5", "198.51.100.1", 6006, 2055);

	/* A, v5 engine 0/1: gap, late fill, duplicate; then a spoofed engine 7/7 */
	seq_v5(&a, 0, 30, 0, 1, 100000);
	seq_v5(&a, 30, 30, 0, 1, 100100);
	seq_v5(&a, 90, 30, 0, 1, 100300);   /* 60..89 missing */
	seq_v5(&a, 150, 30, 0, 1, 100500);  /* 120..149 missing */
	seq_v5(&a, 60, 30, 0, 1, 100200);   /* late: fills 60..89 */
	seq_v5(&a, 60, 30, 0, 1, 100200);   /* the same again: duplicate */
	seq_v5(&a, 180, 30, 0, 1, 100600);
	seq_v5(&a, 0, 30, 7, 7, 100700);    /* engine never used by A */
	/* B, v5 engine 0/2: across the 32-bit wrap, nothing lost */
	seq_v5(&b, 0xffffffc4u, 30, 0, 2, 50000);
	seq_v5(&b, 0xffffffe2u, 30, 0, 2, 50100);
	seq_v5(&b, 0, 30, 0, 2, 50200);
	seq_v5(&b, 30, 30, 0, 2, 50300);
	/* C, v5: the exporter restarts (sysUptime back to 2 s, sequence to 0) */
	seq_v5(&c, 5000000, 30, 0, 0, 90000000);
	seq_v5(&c, 5000030, 30, 0, 0, 90000100);
	seq_v5(&c, 0, 30, 0, 0, 2000);
	seq_v5(&c, 30, 30, 0, 0, 2100);
	/* D, v9 counts packets: 1 2 3 6 4 -> 5 lost at the end */
	{
		static const uint32_t order[] = { 1, 2, 3, 6, 4 };

		for (unsigned int i = 0; i < 5; i++) {
			ib_begin(&m, 9, 100000 + order[i], EXPORT_SECS, order[i], 3);
			if (i == 0) {
				ib_set(&m, 0);
				ib_template(&m, 256, (const struct ib_field[]){ { 8, 4 }, { 2, 4 } }, 2);
			}
			ib_set(&m, 256);
			ib_ip4(&m, "10.8.8.8");
			ib_uint(&m, 1, 4);
			ib_record_done(&m);
			send_msg(&d, &m);
		}
	}
	/* E, IPFIX as softflowd numbers it: records sent including this message */
	{
		static const unsigned int counts[] = { 7, 3, 12, 1, 9, 4 };
		uint32_t total = 0;

		for (unsigned int i = 0; i < 6; i++) {
			total += counts[i];
			seq_ipfix(&e, total, counts[i], i == 0);
		}
	}
	/* G floods: 50 datagrams back to back */
	for (unsigned int i = 0; i < 50; i++)
		seq_v5(&g, 30 * i, 30, 0, 0, 10000 + i);
	/* X, and an IPv6 source, are outside the allowed prefix */
	seq_v5(&x, 0, 30, 0, 0, 1000);
	seq_v5(&x, 30, 30, 0, 0, 1100);
	tb_l3_v6(&x, "2001:db8:bad::1", "2001:db8::1", 6007, 2055);
	seq_v5(&x, 0, 30, 0, 0, 1000);
	return 0;
}

/*
 * Records for the rules test (tests/e2e/e2e_rules.sh): IPFIX from an IPv4
 * and an IPv6 exporter, IPv4 and IPv6 flows with varied prefixes, ports,
 * protocols, ToS, TCP flags, interfaces, AS numbers and application names
 * (some records carry none), interface names from options data. Each
 * record is described in RECORDS.jsonl with the strings it carried, for
 * the test's own model of the rules; src_port is unique per record.
 */
static int
gen_rules(FILE *out)
{
	static const char *const apps[] = { "netflix", "YouTube-video", "dns", "dns-over-tls", "https", "", "zoom" };
	static const char *const v4_src[] = { "10.1.2.%u", "10.200.0.%u", "172.16.5.%u", "198.51.100.%u" };
	static const char *const v4_dst[] = { "10.255.1.%u", "192.0.2.%u", "203.0.113.%u" };
	static const char *const v6_src[] = { "2001:db8:1::%x", "2001:db8:ff::%x", "fd00::%x" };
	static const char *const v6_dst[] = { "2001:db8:53::%x", "2001:db9::%x" };
	static const unsigned int ports[] = { 53, 80, 443, 8443, 1023, 1024, 65535 };
	static const unsigned int protos[] = { 6, 17, 1 };
	static const char *const ifnames[] = { "ge-0/0/1", "ge-0/0/2", "xe-1/0/0", "lo0" };
	static const struct ib_field t_app[] = {
		{ 8, 4 }, { 12, 4 }, { 7, 2 }, { 11, 2 }, { 4, 1 }, { 5, 1 }, { 6, 1 }, { 10, 4 }, { 14, 4 },
		{ 16, 4 }, { 17, 4 }, { 1, 8 }, { 2, 8 }, { 96, 0xffff },
	};
	static const struct ib_field t_plain[] = {
		{ 8, 4 }, { 12, 4 }, { 7, 2 }, { 11, 2 }, { 4, 1 }, { 5, 1 }, { 6, 1 }, { 10, 4 }, { 14, 4 },
		{ 16, 4 }, { 17, 4 }, { 1, 8 }, { 2, 8 },
	};
	static const struct ib_field t_v6[] = {
		{ 27, 16 }, { 28, 16 }, { 7, 2 }, { 11, 2 }, { 4, 1 }, { 5, 1 }, { 6, 1 }, { 10, 4 }, { 14, 4 },
		{ 16, 4 }, { 17, 4 }, { 1, 8 }, { 2, 8 }, { 96, 0xffff },
	};
	static const struct ib_field opt_if[] = { { 10, 4 }, { 82, 0xffff } };
	struct tb_l3 ex4, ex6;
	struct ib_msg m;
	uint32_t lcg = 12345, secs = EXPORT_SECS + 200, seq = 0;
	unsigned int n = 0;

	tb_l3_v4(&ex4, "192.0.2.30", "198.51.100.1", 5030, 4739);
	tb_l3_v6(&ex6, "2001:db8::30", "2001:db8::1", 5031, 4739);
	/* templates and interface names first */
	ib_begin(&m, 10, 0, secs, seq, 1);
	ib_set(&m, 2);
	ib_template(&m, 300, t_app, sizeof(t_app) / sizeof(t_app[0]));
	ib_template(&m, 301, t_plain, sizeof(t_plain) / sizeof(t_plain[0]));
	ib_set_end(&m, 0);
	ib_set(&m, 3);
	ib_options_template(&m, 302, opt_if, 2, 1);
	ib_set_end(&m, 0);
	ib_set(&m, 302);
	for (unsigned int i = 0; i < 4; i++) {
		ib_uint(&m, i + 1, 4);
		ib_varlen(&m, ifnames[i], strlen(ifnames[i]), 0);
	}
	send_msg(&ex4, &m);
	ib_begin(&m, 10, 0, secs, 0, 2);
	ib_set(&m, 2);
	ib_template(&m, 400, t_v6, sizeof(t_v6) / sizeof(t_v6[0]));
	send_msg(&ex6, &m);

	for (unsigned int msg = 0; msg < 60; msg++) {
		int v6 = msg % 3 == 2, plain = !v6 && msg % 3 == 1;
		uint16_t tid = v6 ? 400 : plain ? 301 : 300;

		ib_begin(&m, 10, 0, secs + 1 + msg, v6 ? msg : seq, v6 ? 2 : 1);
		ib_set(&m, tid);
		for (unsigned int k = 0; k < 10; k++, n++) {
			char src[64], dst[64];
			const char *app;
			unsigned int dport, proto, tos, flags, in_if, out_if, src_as, dst_as, sport = 10000 + n;
			uint64_t bytes, packets;

#define NEXT() (lcg = lcg * 1103515245u + 12345u, (lcg >> 8))
			if (v6) {
				snprintf(src, sizeof(src), v6_src[NEXT() % 3], n + 1);
				snprintf(dst, sizeof(dst), v6_dst[NEXT() % 2], n + 1);
			} else {
				snprintf(src, sizeof(src), v4_src[NEXT() % 4], n % 250 + 1);
				snprintf(dst, sizeof(dst), v4_dst[NEXT() % 3], n % 250 + 1);
			}
			dport = ports[NEXT() % 7];
			proto = protos[NEXT() % 3];
			tos = (NEXT() % 4) * 0x20;
			flags = proto == 6 ? (unsigned int)(NEXT() % 32) : 0;
			in_if = NEXT() % 5;       /* 0: no name */
			out_if = NEXT() % 5;
			src_as = 64500 + NEXT() % 40;
			dst_as = NEXT() % 3 ? 15169 : 13335;
			bytes = 100 + NEXT() % 100000;
			packets = 1 + bytes / 500;
			app = plain ? NULL : apps[NEXT() % 7];
			if (v6) {
				ib_ip6(&m, src);
				ib_ip6(&m, dst);
			} else {
				ib_ip4(&m, src);
				ib_ip4(&m, dst);
			}
			ib_uint(&m, sport, 2); ib_uint(&m, dport, 2); ib_uint(&m, proto, 1); ib_uint(&m, tos, 1);
			ib_uint(&m, flags, 1); ib_uint(&m, in_if, 4); ib_uint(&m, out_if, 4);
			ib_uint(&m, src_as, 4); ib_uint(&m, dst_as, 4); ib_uint(&m, bytes, 8); ib_uint(&m, packets, 8);
			if (app)
				ib_varlen(&m, app, strlen(app), 0);
			fprintf(out,
				"{\"exporter\":\"%s\",\"src_addr\":\"%s\",\"dst_addr\":\"%s\",\"src_port\":%u,\"dst_port\":%u,"
				"\"proto\":%u,\"tos\":%u,\"tcp_flags\":%u,\"in_if\":%u,\"out_if\":%u,\"src_as\":%u,"
				"\"dst_as\":%u,\"bytes\":%" PRIu64 ",\"packets\":%" PRIu64 ",\"application\":%s%s%s,"
				"\"in_if_name\":\"%s\",\"out_if_name\":\"%s\"}\n",
				v6 ? "2001:db8::30" : "192.0.2.30", src, dst, sport, dport, proto, tos, flags, in_if, out_if,
				src_as, dst_as, bytes, packets, app ? "\"" : "", app ? app : "null", app ? "\"" : "",
				!v6 && in_if ? ifnames[in_if - 1] : "", !v6 && out_if ? ifnames[out_if - 1] : "");
#undef NEXT
		}
		if (!v6)
			seq += 10;
		send_msg(v6 ? &ex6 : &ex4, &m);
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
	    (strcmp(argv[1], "v8") == 0 && argc != 5) || (strcmp(argv[1], "ipfix") == 0 && argc != 5) ||
	    (strcmp(argv[1], "ipfix-data") == 0 && argc != 4) || (strcmp(argv[1], "seq") == 0 && argc != 3) ||
	    (strcmp(argv[1], "rules") == 0 && argc != 4)) {
		fprintf(stderr, "usage: %s mixed OUT.pcap EXPECTED.jsonl COUNTERS.txt\n"
				"       %s clean OUT.pcap EXPECTED.jsonl\n"
				"       %s bulk OUT.pcap PACKETS\n"
				"       %s v8 OUT.pcap EXPECTED.jsonl COUNTERS.txt\n"
				"       %s ipfix OUT.pcap EXPECTED.jsonl COUNTERS.txt\n"
				"       %s ipfix-data OUT.pcap EXPECTED.jsonl\n"
				"       %s seq OUT.pcap\n"
				"       %s rules OUT.pcap RECORDS.jsonl\n",
			argv[0], argv[0], argv[0], argv[0], argv[0], argv[0], argv[0], argv[0]);
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
	} else if (strcmp(argv[1], "seq") == 0) {
		rc = gen_seq();
	} else if (strcmp(argv[1], "rules") == 0) {
		FILE *out = fopen(argv[3], "w");

		if (out == NULL) {
			perror(argv[3]);
			return 1;
		}
		rc = gen_rules(out);
		fclose(out);
	} else if (strcmp(argv[1], "ipfix") == 0 || strcmp(argv[1], "ipfix-data") == 0) {
		int with_templates = strcmp(argv[1], "ipfix") == 0;

		expected = fopen(argv[3], "w");
		if (expected == NULL) {
			perror(argv[3]);
			return 1;
		}
		rc = gen_ipfix(with_templates ? argv[4] : NULL, with_templates);
		fclose(expected);
	} else {
		fprintf(stderr, "testgen: unknown mode %s\n", argv[1]);
		rc = -1;
	}
	pcap_dump_close(dumper);
	pcap_close(dead);
	return rc == 0 ? 0 : 1;
}
