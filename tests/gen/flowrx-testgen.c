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

/* epoch ms of a sysUptime stamp, from the header, with 32-bit wrap */
static uint64_t
epoch_ms(const struct tb_hdr *h, uint32_t stamp)
{
	uint64_t export_ms = (uint64_t)h->unix_secs * 1000 + h->unix_nsecs / 1000000;
	int64_t age;

	if (stamp <= h->sys_uptime)
		age = (int64_t)h->sys_uptime - stamp;
	else if (stamp - h->sys_uptime < 0x80000000u)
		age = -(int64_t)(stamp - h->sys_uptime); /* slightly after the header */
	else
		age = (int64_t)h->sys_uptime + 4294967296ll - stamp; /* before the wrap */
	return (uint64_t)((int64_t)export_ms - age);
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
	    (strcmp(argv[1], "clean") == 0 && argc != 4) || (strcmp(argv[1], "bulk") == 0 && argc != 4)) {
		fprintf(stderr, "usage: %s mixed OUT.pcap EXPECTED.jsonl COUNTERS.txt\n"
				"       %s clean OUT.pcap EXPECTED.jsonl\n"
				"       %s bulk OUT.pcap PACKETS\n", argv[0], argv[0], argv[0]);
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
	} else {
		fprintf(stderr, "testgen: unknown mode %s\n", argv[1]);
		rc = -1;
	}
	pcap_dump_close(dumper);
	pcap_close(dead);
	return rc == 0 ? 0 : 1;
}
