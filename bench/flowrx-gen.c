/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flowrx-gen: write a pcap of full-size NetFlow v5, v9 or IPFIX export
 * datagrams for benchmarks.
 *
 *   flowrx-gen -v 5|9|10 -n PACKETS [-e EXPORTERS] [-E ENGINES] [-t EVERY]
 *              [-6 PERCENT] [-X V6_EXPORTERS] [-r RECORDS] [-M MTU] [-p PORT]
 *              [-c COLLECTOR] [-d MAC] [-S SEED] -o FILE.pcap
 *
 * The one main idea: every datagram is as full as an exporter would make
 * it and every number in it is consistent, so a collector that replays one
 * pass must report every record stored and nothing lost. Datagrams go
 * round-robin over the engines (exporter x engine); each engine numbers its
 * own sequence in its protocol's unit (v5 flows, v9 export packets, IPFIX
 * data records), and v9/IPFIX engines send their templates in a datagram of
 * their own first and again every EVERY of their datagrams. Engine ids
 * (v5 engine_id, v9 source id, IPFIX observation domain) are unique across
 * exporters too, so a collector that sees every exporter as one address
 * (a kernel collector fed through loopback by flowrx-udpsend) still keeps
 * the engines apart.
 *
 * The frames are plain Ethernet/IPv4-or-IPv6/UDP with correct checksums and
 * no larger than MTU + 14 bytes, so Pktgen-DPDK (-s P:FILE), DPDK net_pcap
 * (rx_pcap=FILE) and flowrx-udpsend (kernel collectors) replay them as-is.
 * The last line printed is machine-readable (key=value) for bench/run.sh.
 *
 * Written from RFC 3954 (v9), RFC 7011 (IPFIX) and Cisco's v5 format, not
 * from lib/: a benchmark input must not share the decoder's assumptions.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT_SECS 1763900000u   /* 2025-11-23 12:13:20 UTC */
#define MAX_EXPORTERS 4096
#define MAX_ENGINES 256            /* exporters x engines: v5 engine_id is 8 bits */
#define MAX_FRAME 9216
#define ETH_HDR_LEN 14
#define UDP_HDR_LEN 8

#define V5_HDR_LEN 24
#define V5_REC_LEN 48
#define V5_MAX_RECORDS 30          /* Cisco's limit for v5 */
#define V9_HDR_LEN 20
#define IPFIX_HDR_LEN 16
#define SET_HDR_LEN 4

#define TMPL_ID_V4 256
#define TMPL_ID_V6 257

/* ------------------------------------------------------------ wire cursor */

/* A write cursor over a buffer the caller sized; every put is big-endian. */
struct wire {
	uint8_t *p;
};

static inline void
put8(struct wire *w, uint8_t v)
{
	*w->p++ = v;
}

static inline void
put16(struct wire *w, uint16_t v)
{
	w->p[0] = (uint8_t)(v >> 8);
	w->p[1] = (uint8_t)v;
	w->p += 2;
}

static inline void
put32(struct wire *w, uint32_t v)
{
	put16(w, (uint16_t)(v >> 16));
	put16(w, (uint16_t)v);
}

static inline void
put64(struct wire *w, uint64_t v)
{
	put32(w, (uint32_t)(v >> 32));
	put32(w, (uint32_t)v);
}

static inline void
put_bytes(struct wire *w, const void *src, size_t len)
{
	memcpy(w->p, src, len);
	w->p += len;
}

static void
poke16(uint8_t *at, uint16_t v)
{
	at[0] = (uint8_t)(v >> 8);
	at[1] = (uint8_t)v;
}

/* ------------------------------------------------------------------ flows */

/* xorshift64*: deterministic, fast, good enough to vary every field. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static inline uint32_t
rng32(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

/* One flow, host order; addresses as bytes in network order. */
struct flow {
	int ipv6;
	uint8_t src[16], dst[16], next_hop[16];
	uint16_t src_port, dst_port, in_if, out_if;
	uint32_t src_as, dst_as;
	uint32_t packets, bytes;
	uint32_t first_uptime, last_uptime; /* sysUptime ms */
	uint8_t proto, tos, tcp_flags, src_mask, dst_mask, direction;
};

static void
random_flow(struct flow *f, int ipv6, uint32_t now_uptime)
{
	static const uint8_t protos[8] = { 6, 6, 6, 6, 17, 17, 17, 1 };
	uint32_t duration = rng32() % 120000, age = rng32() % 30000;

	memset(f, 0, sizeof(*f));
	f->ipv6 = ipv6;
	if (ipv6) {
		static const uint8_t pfx_src[8] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x10 };
		static const uint8_t pfx_dst[8] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x20 };
		uint32_t a = rng32(), b = rng32(), c = rng32();

		memcpy(f->src, pfx_src, 8);
		memcpy(f->dst, pfx_dst, 8);
		memcpy(f->src + 12, &a, 4);
		memcpy(f->dst + 12, &b, 4);
		f->next_hop[0] = 0xfe;
		f->next_hop[1] = 0x80;
		memcpy(f->next_hop + 12, &c, 4);
		f->src_mask = 48;
		f->dst_mask = 64;
	} else {
		uint32_t s = htonl(0x0a000000u | (rng32() & 0x00ffffffu));   /* 10/8 */
		uint32_t d = htonl(0xac100000u | (rng32() & 0x000fffffu));   /* 172.16/12 */
		uint32_t n = htonl(0xc0a80001u + (rng32() & 0x0f));          /* 192.168.0.1-16 */

		memcpy(f->src, &s, 4);
		memcpy(f->dst, &d, 4);
		memcpy(f->next_hop, &n, 4);
		f->src_mask = 24;
		f->dst_mask = 16;
	}
	f->proto = protos[rng32() & 7];
	f->src_port = f->proto == 1 ? 0 : (uint16_t)(1024 + rng32() % 64512);
	f->dst_port = f->proto == 1 ? 0 : (uint16_t)(rng32() & 1 ? 443 : rng32() % 1024);
	f->tos = (uint8_t)((rng32() & 3) << 3);
	f->tcp_flags = f->proto == 6 ? (uint8_t)(0x10 | (rng32() & 0x0f)) : 0;
	f->in_if = (uint16_t)(1 + rng32() % 48);
	f->out_if = (uint16_t)(1 + rng32() % 48);
	f->src_as = 64512 + rng32() % 1000;
	f->dst_as = 64512 + rng32() % 1000;
	f->packets = 1 + rng32() % 2000;
	f->bytes = f->packets * (40 + rng32() % 1460);
	f->last_uptime = now_uptime - age;
	f->first_uptime = f->last_uptime - duration;
	f->direction = (uint8_t)(rng32() & 1);
}

/* -------------------------------------------------------------- templates */

struct field {
	uint16_t ie;
	uint16_t len;
};

/*
 * v9: what a router's "netflow ipv4 original-input"-like record carries,
 * with 2-byte interfaces and AS numbers as Cisco sends them (45 bytes, so
 * 32 records fill a 1,500-byte datagram).
 */
static const struct field v9_v4[] = {
	{ 8, 4 }, { 12, 4 }, { 15, 4 }, { 10, 2 }, { 14, 2 }, { 2, 4 }, { 1, 4 }, { 22, 4 }, { 21, 4 },
	{ 7, 2 }, { 11, 2 }, { 6, 1 }, { 4, 1 }, { 5, 1 }, { 16, 2 }, { 17, 2 }, { 9, 1 }, { 13, 1 },
};
static const struct field v9_v6[] = {
	{ 27, 16 }, { 28, 16 }, { 62, 16 }, { 10, 2 }, { 14, 2 }, { 2, 4 }, { 1, 4 }, { 22, 4 }, { 21, 4 },
	{ 7, 2 }, { 11, 2 }, { 6, 1 }, { 4, 1 }, { 5, 1 }, { 16, 2 }, { 17, 2 }, { 29, 1 }, { 30, 1 },
};

/*
 * IPFIX: 8-byte counters, absolute millisecond times, 4-byte interfaces
 * and AS numbers, direction and forwarding status, as current exporters
 * send (72 bytes IPv4, 92 bytes IPv6: 18-19 records a datagram).
 */
static const struct field ipfix_v4[] = {
	{ 8, 4 }, { 12, 4 }, { 15, 4 }, { 7, 2 }, { 11, 2 }, { 4, 1 }, { 5, 1 }, { 6, 2 },
	{ 10, 4 }, { 14, 4 }, { 16, 4 }, { 17, 4 }, { 9, 1 }, { 13, 1 }, { 1, 8 }, { 2, 8 },
	{ 152, 8 }, { 153, 8 }, { 61, 1 }, { 89, 1 },
};
static const struct field ipfix_v6[] = {
	{ 27, 16 }, { 28, 16 }, { 7, 2 }, { 11, 2 }, { 4, 1 }, { 5, 1 }, { 6, 2 },
	{ 10, 4 }, { 14, 4 }, { 16, 4 }, { 17, 4 }, { 29, 1 }, { 30, 1 }, { 1, 8 }, { 2, 8 },
	{ 152, 8 }, { 153, 8 }, { 61, 1 }, { 89, 1 },
};

struct tmpl {
	uint16_t id;
	const struct field *fields;
	unsigned int nb_fields;
	unsigned int record_len;
};

static void
tmpl_init(struct tmpl *t, uint16_t id, const struct field *fields, unsigned int n)
{
	t->id = id;
	t->fields = fields;
	t->nb_fields = n;
	t->record_len = 0;
	for (unsigned int i = 0; i < n; i++)
		t->record_len += fields[i].len;
}

/* Write one field of a flow, of the length the template gives it. */
static void
put_field(struct wire *w, const struct field *fd, const struct flow *f, uint64_t export_ms, uint32_t sys_uptime)
{
	switch (fd->ie) {
	case 8:  put_bytes(w, f->src, 4); break;
	case 12: put_bytes(w, f->dst, 4); break;
	case 15: put_bytes(w, f->next_hop, 4); break;
	case 27: put_bytes(w, f->src, 16); break;
	case 28: put_bytes(w, f->dst, 16); break;
	case 62: put_bytes(w, f->next_hop, 16); break;
	case 4:  put8(w, f->proto); break;
	case 5:  put8(w, f->tos); break;
	case 9: case 29: put8(w, f->src_mask); break;
	case 13: case 30: put8(w, f->dst_mask); break;
	case 61: put8(w, f->direction); break;
	case 89: put8(w, 0x40); break;               /* forwarded, unknown reason */
	case 7:  put16(w, f->src_port); break;
	case 11: put16(w, f->dst_port); break;
	case 6:
		if (fd->len == 1)
			put8(w, f->tcp_flags);
		else
			put16(w, f->tcp_flags);
		break;
	case 10: case 14: case 16: case 17: {
		uint32_t v = fd->ie == 10 ? f->in_if : fd->ie == 14 ? f->out_if : fd->ie == 16 ? f->src_as : f->dst_as;

		if (fd->len == 2)
			put16(w, (uint16_t)v);
		else
			put32(w, v);
		break;
	}
	case 1: case 2: {
		uint64_t v = fd->ie == 1 ? f->bytes : f->packets;

		if (fd->len == 8)
			put64(w, v);
		else
			put32(w, (uint32_t)v);
		break;
	}
	case 22: put32(w, f->first_uptime); break;
	case 21: put32(w, f->last_uptime); break;
	case 152: put64(w, export_ms - (sys_uptime - f->first_uptime)); break;
	case 153: put64(w, export_ms - (sys_uptime - f->last_uptime)); break;
	default:
		memset(w->p, 0, fd->len);
		w->p += fd->len;
	}
}

/* ---------------------------------------------------------------- engines */

struct engine {
	unsigned int exporter;
	uint8_t src_addr[16];      /* exporter address, network order */
	int ipv6_transport;
	uint16_t src_port;
	uint32_t id;               /* v5 engine_id, v9 source id, IPFIX domain: unique */
	uint32_t uptime_base;      /* sysUptime at its first datagram */
	uint32_t sequence;         /* next sequence number, in the version's unit */
	uint64_t datagrams;        /* sent so far, template datagrams included */
};

struct gen_conf {
	int version;
	uint64_t packets;
	unsigned int exporters, engines, template_every, v6_percent, v6_exporters, max_records, mtu;
	uint16_t collector_port;
	uint8_t collector_v4[4], collector_v6[16];
	uint8_t collector_mac[6];
	const char *out_path;
};

struct gen_totals {
	uint64_t frames, template_frames, records, records_v6, frame_bytes;
	unsigned int min_records, max_records;
};

/* Is flow number n (over the whole capture) IPv6? Spread evenly: exactly
 * PERCENT of every 100 consecutive records. */
static inline int
flow_is_v6(uint64_t n, unsigned int percent)
{
	return (n + 1) * percent / 100 != n * percent / 100;
}

/* ----------------------------------------------------------------- frames */

static uint32_t
sum16(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t
fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static size_t
l3_header_len(int ipv6)
{
	return ipv6 ? 40 : 20;
}

/* Ethernet/IP/UDP around the payload at frame + headers; returns the frame length. */
static size_t
wrap_frame(uint8_t *frame, const struct engine *e, const struct gen_conf *c, size_t payload_len)
{
	size_t iphl = l3_header_len(e->ipv6_transport);
	size_t alen = e->ipv6_transport ? 16 : 4;
	uint8_t *ip = frame + ETH_HDR_LEN, *udp = ip + iphl;
	struct wire w = { frame };
	uint32_t sum;
	uint16_t csum;

	put_bytes(&w, c->collector_mac, 6);
	put16(&w, 0x0200);                               /* src MAC 02:00:00:00:EE:EE */
	put16(&w, 0);
	put16(&w, (uint16_t)e->exporter);
	put16(&w, e->ipv6_transport ? 0x86dd : 0x0800);
	if (e->ipv6_transport) {
		put32(&w, 0x60000000);
		put16(&w, (uint16_t)(UDP_HDR_LEN + payload_len));
		put8(&w, 17);
		put8(&w, 64);
		put_bytes(&w, e->src_addr, 16);
		put_bytes(&w, c->collector_v6, 16);
	} else {
		put8(&w, 0x45);
		put8(&w, 0);
		put16(&w, (uint16_t)(iphl + UDP_HDR_LEN + payload_len));
		put16(&w, (uint16_t)e->datagrams);           /* identification */
		put16(&w, 0x4000);                           /* DF */
		put8(&w, 64);
		put8(&w, 17);
		put16(&w, 0);
		put_bytes(&w, e->src_addr, 4);
		put_bytes(&w, c->collector_v4, 4);
		poke16(ip + 10, fold(sum16(0, ip, 20)));
	}
	put16(&w, e->src_port);
	put16(&w, c->collector_port);
	put16(&w, (uint16_t)(UDP_HDR_LEN + payload_len));
	put16(&w, 0);
	/* RFC 768 pseudo-header: addresses, protocol, UDP length */
	sum = sum16(0, e->ipv6_transport ? ip + 8 : ip + 12, 2 * alen);
	sum += 17 + (uint32_t)(UDP_HDR_LEN + payload_len);
	sum = sum16(sum, udp, UDP_HDR_LEN + payload_len);
	csum = fold(sum);
	poke16(udp + 6, csum == 0 ? 0xffff : csum);
	return ETH_HDR_LEN + iphl + UDP_HDR_LEN + payload_len;
}

static pcap_dumper_t *dumper;

static void
write_frame(const uint8_t *frame, size_t len, uint64_t frame_no)
{
	struct pcap_pkthdr h;

	/* 10 us apart: 100,000 frames/s if a replayer honours the timestamps */
	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = (time_t)(EXPORT_SECS + frame_no / 100000);
	h.ts.tv_usec = (suseconds_t)(frame_no % 100000) * 10;
	h.caplen = h.len = (bpf_u_int32)len;
	pcap_dump((u_char *)dumper, &h, frame);
}

/* ------------------------------------------------------------- messages */

/* Clocks of an engine's next datagram: one ms of uptime per datagram. */
static void
engine_clock(const struct engine *e, uint32_t *sys_uptime, uint32_t *unix_secs, uint32_t *unix_nsecs,
	     uint64_t *export_ms)
{
	uint64_t ms = (uint64_t)EXPORT_SECS * 1000 + e->datagrams;

	*sys_uptime = e->uptime_base + (uint32_t)e->datagrams;
	*unix_secs = (uint32_t)(ms / 1000);
	*unix_nsecs = (uint32_t)(ms % 1000) * 1000000;
	*export_ms = ms;
}

/* v5: header + up to 30 records. Returns the payload length; *records set. */
static size_t
build_v5(uint8_t *out, size_t cap, struct engine *e, const struct gen_conf *c, unsigned int *records)
{
	unsigned int n = (unsigned int)((cap - V5_HDR_LEN) / V5_REC_LEN);
	uint32_t sys_uptime, unix_secs, unix_nsecs;
	uint64_t export_ms;
	struct wire w = { out };

	if (n > c->max_records)
		n = c->max_records;
	engine_clock(e, &sys_uptime, &unix_secs, &unix_nsecs, &export_ms);
	put16(&w, 5);
	put16(&w, (uint16_t)n);
	put32(&w, sys_uptime);
	put32(&w, unix_secs);
	put32(&w, unix_nsecs);
	put32(&w, e->sequence);            /* flows sent before this datagram */
	put8(&w, 0);                       /* engine_type: route processor */
	put8(&w, (uint8_t)e->id);
	put16(&w, 0);                      /* not sampled */
	for (unsigned int i = 0; i < n; i++) {
		struct flow f;

		random_flow(&f, 0, sys_uptime);
		put_bytes(&w, f.src, 4);
		put_bytes(&w, f.dst, 4);
		put_bytes(&w, f.next_hop, 4);
		put16(&w, f.in_if);
		put16(&w, f.out_if);
		put32(&w, f.packets);
		put32(&w, f.bytes);
		put32(&w, f.first_uptime);
		put32(&w, f.last_uptime);
		put16(&w, f.src_port);
		put16(&w, f.dst_port);
		put8(&w, 0);
		put8(&w, f.tcp_flags);
		put8(&w, f.proto);
		put8(&w, f.tos);
		put16(&w, (uint16_t)f.src_as);
		put16(&w, (uint16_t)f.dst_as);
		put8(&w, f.src_mask);
		put8(&w, f.dst_mask);
		put16(&w, 0);
	}
	e->sequence += n;
	*records = n;
	return (size_t)(w.p - out);
}

/* v9 and IPFIX header; the caller fills the count (v9) or length (IPFIX) at the end. */
static void
put_ix_header(struct wire *w, int version, const struct engine *e)
{
	uint32_t sys_uptime, unix_secs, unix_nsecs;
	uint64_t export_ms;

	engine_clock(e, &sys_uptime, &unix_secs, &unix_nsecs, &export_ms);
	put16(w, (uint16_t)version);
	put16(w, 0);                       /* v9 count / IPFIX length */
	if (version == 9) {
		put32(w, sys_uptime);
		put32(w, unix_secs);
		put32(w, e->sequence);         /* export packets sent before this one */
		put32(w, e->id);               /* source id */
	} else {
		put32(w, unix_secs);           /* export time */
		put32(w, e->sequence);         /* data records sent before this message */
		put32(w, e->id);               /* observation domain */
	}
}

/* A datagram of both templates (v9 flowset id 0, IPFIX set id 2). */
static size_t
build_templates(uint8_t *out, struct engine *e, const struct gen_conf *c, const struct tmpl *t4,
		const struct tmpl *t6)
{
	const struct tmpl *ts[2] = { t4, t6 };
	struct wire w = { out };
	uint8_t *set;

	put_ix_header(&w, c->version, e);
	set = w.p;
	put16(&w, c->version == 9 ? 0 : 2);
	put16(&w, 0);
	for (unsigned int k = 0; k < 2; k++) {
		put16(&w, ts[k]->id);
		put16(&w, (uint16_t)ts[k]->nb_fields);
		for (unsigned int i = 0; i < ts[k]->nb_fields; i++) {
			put16(&w, ts[k]->fields[i].ie);
			put16(&w, ts[k]->fields[i].len);
		}
	}
	poke16(set + 2, (uint16_t)(w.p - set));   /* a multiple of 4: no padding */
	if (c->version == 9)
		poke16(out + 2, 2);                   /* two template records */
	else
		poke16(out + 2, (uint16_t)(w.p - out));
	if (c->version == 9)
		e->sequence++;
	return (size_t)(w.p - out);
}

/* Bytes of a set of n records of len bytes: v9 pads flowsets to 4 (RFC 3954 §5.3). */
static size_t
set_bytes(int version, unsigned int n, unsigned int len)
{
	size_t b;

	if (n == 0)
		return 0;
	b = SET_HDR_LEN + (size_t)n * len;
	return version == 9 ? (b + 3) & ~(size_t)3 : b;
}

static void
put_data_set(struct wire *w, int version, const struct tmpl *t, const struct flow *flows, unsigned int n,
	     uint64_t export_ms, uint32_t sys_uptime)
{
	uint8_t *set = w->p;

	if (n == 0)
		return;
	put16(w, t->id);
	put16(w, 0);
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int k = 0; k < t->nb_fields; k++)
			put_field(w, &t->fields[k], &flows[i], export_ms, sys_uptime);
	while (version == 9 && (w->p - set) % 4)
		put8(w, 0);
	poke16(set + 2, (uint16_t)(w->p - set));
}

/*
 * A data datagram: as many records as fit, IPv4 ones in one set and IPv6
 * ones in a second, which of them is IPv6 decided by the record's number in
 * the whole capture so the share is exact over any stretch of the file.
 */
static size_t
build_data(uint8_t *out, size_t cap, struct engine *e, const struct gen_conf *c, const struct tmpl *t4,
	   const struct tmpl *t6, uint64_t *flow_no, unsigned int *records, unsigned int *records_v6)
{
	static struct flow f4[1024], f6[1024];
	size_t hdr = c->version == 9 ? V9_HDR_LEN : IPFIX_HDR_LEN;
	unsigned int n4 = 0, n6 = 0;
	uint32_t sys_uptime, unix_secs, unix_nsecs;
	uint64_t export_ms;
	struct wire w = { out };

	engine_clock(e, &sys_uptime, &unix_secs, &unix_nsecs, &export_ms);
	while (n4 + n6 < c->max_records && n4 < 1024 && n6 < 1024) {
		int v6 = flow_is_v6(*flow_no, c->v6_percent);
		unsigned int a = n4 + !v6, b = n6 + v6;

		if (hdr + set_bytes(c->version, a, t4->record_len) + set_bytes(c->version, b, t6->record_len) > cap)
			break;
		random_flow(v6 ? &f6[n6] : &f4[n4], v6, sys_uptime);
		n4 = a;
		n6 = b;
		(*flow_no)++;
	}
	put_ix_header(&w, c->version, e);
	put_data_set(&w, c->version, t4, f4, n4, export_ms, sys_uptime);
	put_data_set(&w, c->version, t6, f6, n6, export_ms, sys_uptime);
	if (c->version == 9) {
		poke16(out + 2, (uint16_t)(n4 + n6));
		e->sequence++;
	} else {
		poke16(out + 2, (uint16_t)(w.p - out));
		e->sequence += n4 + n6;
	}
	*records = n4 + n6;
	*records_v6 = n6;
	return (size_t)(w.p - out);
}

/* ------------------------------------------------------------------- main */

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s -v 5|9|10 -n PACKETS -o FILE.pcap [options]\n"
		"  -v VERSION     5 (NetFlow v5), 9 (NetFlow v9) or 10 (IPFIX)\n"
		"  -n PACKETS     datagrams to write, template datagrams included\n"
		"  -o FILE        output pcap (Ethernet)\n"
		"  -e EXPORTERS   exporters, one address each (default 16)\n"
		"  -E ENGINES     engines per exporter: v5 engine ids, v9 source ids, IPFIX domains (default 2)\n"
		"  -t EVERY       v9/IPFIX: templates again every EVERY datagrams of an engine (default 64)\n"
		"  -6 PERCENT     share of IPv6 flow records, v9/IPFIX (default 0 for v9, 25 for IPFIX)\n"
		"  -X N           the last N exporters send over IPv6 (default 0)\n"
		"  -r RECORDS     at most RECORDS records a datagram (default: as many as fit; v5 30)\n"
		"  -M MTU         IP MTU the datagrams fit in (default 1500)\n"
		"  -p PORT        collector UDP port (default 2055, IPFIX 4739)\n"
		"  -c ADDR        collector IPv4 address (default 198.51.100.1; IPv6 2001:db8:ffff::1)\n"
		"  -d MAC         collector MAC address (default 02:00:00:00:01:00)\n"
		"  -S SEED        random seed for the flow contents\n",
		prog);
}

static int
parse_uint(const char *opt, const char *text, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(text, &end, 0);
	if (errno || *end || end == text || v < min || v > max) {
		fprintf(stderr, "flowrx-gen: %s: %s is not a number from %lu to %lu\n", opt, text, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int
main(int argc, char **argv)
{
	struct gen_conf c = { .exporters = 16, .engines = 2, .template_every = 64, .mtu = 1500,
			      .collector_mac = { 0x02, 0x00, 0x00, 0x00, 0x01, 0x00 } };
	struct gen_totals tot = { .min_records = ~0u };
	struct engine *engines;
	struct tmpl t4, t6;
	unsigned long v;
	long v6_percent = -1, port = -1;
	const char *collector = "198.51.100.1";
	uint64_t flow_no = 0;
	unsigned int nb_engines;
	pcap_t *dead;
	int opt;

	c.max_records = 0;
	while ((opt = getopt(argc, argv, "v:n:o:e:E:t:6:X:r:M:p:c:d:S:h")) != -1) {
		switch (opt) {
		case 'v':
			if (parse_uint("-v", optarg, 5, 10, &v) < 0 || (v != 5 && v != 9 && v != 10))
				return 2;
			c.version = (int)v;
			break;
		case 'n':
			if (parse_uint("-n", optarg, 1, 1ul << 40, &v) < 0)
				return 2;
			c.packets = v;
			break;
		case 'o':
			c.out_path = optarg;
			break;
		case 'e':
			if (parse_uint("-e", optarg, 1, MAX_EXPORTERS, &v) < 0)
				return 2;
			c.exporters = (unsigned int)v;
			break;
		case 'E':
			if (parse_uint("-E", optarg, 1, MAX_ENGINES, &v) < 0)
				return 2;
			c.engines = (unsigned int)v;
			break;
		case 't':
			if (parse_uint("-t", optarg, 1, 1u << 30, &v) < 0)
				return 2;
			c.template_every = (unsigned int)v;
			break;
		case '6':
			if (parse_uint("-6", optarg, 0, 100, &v) < 0)
				return 2;
			v6_percent = (long)v;
			break;
		case 'X':
			if (parse_uint("-X", optarg, 0, MAX_EXPORTERS, &v) < 0)
				return 2;
			c.v6_exporters = (unsigned int)v;
			break;
		case 'r':
			if (parse_uint("-r", optarg, 1, 1024, &v) < 0)
				return 2;
			c.max_records = (unsigned int)v;
			break;
		case 'M':
			if (parse_uint("-M", optarg, 576, MAX_FRAME - ETH_HDR_LEN, &v) < 0)
				return 2;
			c.mtu = (unsigned int)v;
			break;
		case 'p':
			if (parse_uint("-p", optarg, 1, 65535, &v) < 0)
				return 2;
			port = (long)v;
			break;
		case 'c':
			collector = optarg;
			break;
		case 'd': {
			unsigned int m[6];
			char tail;

			if (sscanf(optarg, "%x:%x:%x:%x:%x:%x%c", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5], &tail) != 6) {
				fprintf(stderr, "flowrx-gen: -d %s: not a MAC address (aa:bb:cc:dd:ee:ff)\n", optarg);
				return 2;
			}
			for (int i = 0; i < 6; i++) {
				if (m[i] > 0xff) {
					fprintf(stderr, "flowrx-gen: -d %s: not a MAC address\n", optarg);
					return 2;
				}
				c.collector_mac[i] = (uint8_t)m[i];
			}
			break;
		}
		case 'S':
			if (parse_uint("-S", optarg, 0, ~0ul, &v) < 0)
				return 2;
			rng_state ^= (uint64_t)v * 0xbf58476d1ce4e5b9ull;
			if (rng_state == 0)
				rng_state = 1;
			break;
		default:
			usage(argv[0]);
			return 2;
		}
	}
	if (c.version == 0 || c.packets == 0 || c.out_path == NULL || optind != argc) {
		usage(argv[0]);
		return 2;
	}
	if ((uint64_t)c.exporters * c.engines > MAX_ENGINES) {
		fprintf(stderr, "flowrx-gen: -e x -E: %u engines, at most %u (v5 engine ids are 8 bits)\n",
			c.exporters * c.engines, MAX_ENGINES);
		return 2;
	}
	if (c.v6_exporters > c.exporters) {
		fprintf(stderr, "flowrx-gen: -X %u: more than the %u exporters\n", c.v6_exporters, c.exporters);
		return 2;
	}
	if (c.version == 5 && v6_percent > 0) {
		fprintf(stderr, "flowrx-gen: -6: NetFlow v5 carries IPv4 flows only\n");
		return 2;
	}
	c.v6_percent = v6_percent >= 0 ? (unsigned int)v6_percent : c.version == 10 ? 25 : 0;
	c.collector_port = port > 0 ? (uint16_t)port : c.version == 10 ? 4739 : 2055;
	if (c.max_records == 0)
		c.max_records = c.version == 5 ? V5_MAX_RECORDS : 1024;
	if (inet_pton(AF_INET, collector, c.collector_v4) != 1) {
		fprintf(stderr, "flowrx-gen: -c %s: not an IPv4 address\n", collector);
		return 2;
	}
	inet_pton(AF_INET6, "2001:db8:ffff::1", c.collector_v6);

	if (c.version == 9) {
		tmpl_init(&t4, TMPL_ID_V4, v9_v4, sizeof(v9_v4) / sizeof(v9_v4[0]));
		tmpl_init(&t6, TMPL_ID_V6, v9_v6, sizeof(v9_v6) / sizeof(v9_v6[0]));
	} else {
		tmpl_init(&t4, TMPL_ID_V4, ipfix_v4, sizeof(ipfix_v4) / sizeof(ipfix_v4[0]));
		tmpl_init(&t6, TMPL_ID_V6, ipfix_v6, sizeof(ipfix_v6) / sizeof(ipfix_v6[0]));
	}

	nb_engines = c.exporters * c.engines;
	engines = calloc(nb_engines, sizeof(*engines));
	if (engines == NULL) {
		perror("flowrx-gen");
		return 1;
	}
	for (unsigned int x = 0; x < c.exporters; x++)
		for (unsigned int k = 0; k < c.engines; k++) {
			struct engine *e = &engines[x * c.engines + k];

			e->exporter = x;
			e->ipv6_transport = x >= c.exporters - c.v6_exporters;
			if (e->ipv6_transport) {
				inet_pton(AF_INET6, "2001:db8:e::", e->src_addr);
				e->src_addr[14] = (uint8_t)((x + 1) >> 8);
				e->src_addr[15] = (uint8_t)(x + 1);
			} else {
				uint32_t a = htonl(0x0a010000u + x + 1);   /* 10.1.0.1 ... */

				memcpy(e->src_addr, &a, 4);
			}
			e->src_port = (uint16_t)(50000 + x);
			e->id = x * c.engines + k;       /* unique across exporters */
			e->uptime_base = 3600000u * (1 + e->id % 97);
			e->sequence = 0;
		}

	dead = pcap_open_dead(DLT_EN10MB, MAX_FRAME);
	dumper = pcap_dump_open(dead, c.out_path);
	if (dumper == NULL) {
		fprintf(stderr, "flowrx-gen: %s: %s\n", c.out_path, pcap_geterr(dead));
		return 1;
	}
	for (uint64_t p = 0; p < c.packets; p++) {
		static uint8_t frame[MAX_FRAME];
		struct engine *e = &engines[p % nb_engines];
		size_t off = ETH_HDR_LEN + l3_header_len(e->ipv6_transport) + UDP_HDR_LEN;
		size_t cap = c.mtu - l3_header_len(e->ipv6_transport) - UDP_HDR_LEN, len, flen;
		unsigned int records = 0, records_v6 = 0;

		if (c.version == 5) {
			len = build_v5(frame + off, cap, e, &c, &records);
		} else if (e->datagrams % c.template_every == 0) {
			len = build_templates(frame + off, e, &c, &t4, &t6);
			tot.template_frames++;
		} else {
			len = build_data(frame + off, cap, e, &c, &t4, &t6, &flow_no, &records, &records_v6);
			if (records < tot.min_records)
				tot.min_records = records;
			if (records > tot.max_records)
				tot.max_records = records;
		}
		if (c.version == 5) {
			if (records < tot.min_records)
				tot.min_records = records;
			if (records > tot.max_records)
				tot.max_records = records;
		}
		flen = wrap_frame(frame, e, &c, len);
		write_frame(frame, flen, p);
		e->datagrams++;
		tot.frames++;
		tot.frame_bytes += flen;
		tot.records += records;
		tot.records_v6 += records_v6;
	}
	if (pcap_dump_flush(dumper) != 0 || ferror(pcap_dump_file(dumper))) {
		fprintf(stderr, "flowrx-gen: %s: write failed\n", c.out_path);
		return 1;
	}
	pcap_dump_close(dumper);
	pcap_close(dead);
	free(engines);
	if (tot.min_records == ~0u)
		tot.min_records = 0;

	printf("flowrx-gen: %s: NetFlow %s, %" PRIu64 " frames (%" PRIu64 " template-only), %" PRIu64
	       " records (%" PRIu64 " IPv6), %u-%u records a data datagram, %u exporters x %u engines\n",
	       c.out_path, c.version == 10 ? "IPFIX" : c.version == 9 ? "v9" : "v5", tot.frames, tot.template_frames,
	       tot.records, tot.records_v6, tot.min_records, tot.max_records, c.exporters, c.engines);
	printf("version=%d frames=%" PRIu64 " template_frames=%" PRIu64 " records=%" PRIu64 " records_v6=%" PRIu64
	       " frame_bytes=%" PRIu64 " engines=%u\n",
	       c.version, tot.frames, tot.template_frames, tot.records, tot.records_v6, tot.frame_bytes, nb_engines);
	return 0;
}
