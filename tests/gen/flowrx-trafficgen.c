/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flowrx-trafficgen: writes an Ethernet pcap of ordinary host traffic for a
 * real flow exporter (softflowd -r) to turn into NetFlow/IPFIX exports.
 *
 *   flowrx-trafficgen OUT.pcap [TOTALS.txt]
 *
 * 480 conversations starting within four minutes (the last ends about six
 * minutes in), IPv4 and IPv6: TCP sessions (handshake, PSH/ACK data both ways,
 * FIN or RST close, ECN setup, URG, lone SYNs of a scan), UDP request/response
 * and one-way streams, ICMP and ICMPv6 echo and port unreachable, ESP; varied
 * ports, DSCP/ECN values, packet counts and sizes, some on VLAN 802.1Q, a few
 * lasting minutes so that an exporter's active timeout splits them. Every IP, TCP, UDP and ICMP
 * checksum is correct; frames are not padded to 60 bytes.
 *
 * The same capture every time: a fixed seed and a private PRNG (not rand()),
 * fixed start time, packets sorted by timestamp with ties in generation order.
 *
 * TOTALS.txt gets "name: value" lines an exporter must account for:
 * ipv4_packets, ipv4_bytes, ipv6_packets, ipv6_bytes (bytes = IP datagram
 * length, header included, as NetFlow counts octets), conversations.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define START_SECS    1763900000u /* 2025-11-23 12:13:20 UTC */
#define SPAN_US       (240ull * 1000000)
#define CONVERSATIONS 480
#define SEED          0x5eedf10eu

enum kind { TCP_SESSION, TCP_SCAN, UDP_RR, UDP_STREAM, ICMP_ECHO, ICMP_UNREACH, ESP_TUNNEL };

struct pkt {
	uint64_t ts_us;
	uint32_t order;
	uint32_t len;
	uint8_t *frame;
};

struct gen {
	uint64_t rng;
	struct pkt *pkts;
	size_t npkts, cap;
	uint64_t v4_packets, v4_bytes, v6_packets, v6_bytes;
};

/* One conversation: endpoint 0 is the client (initiator), 1 the server. */
struct conv {
	int ipv6;
	uint8_t addr[2][16];
	uint8_t mac[2][6];
	uint16_t port[2];
	uint8_t proto;
	uint8_t tos[2];
	uint16_t vlan;          /* 0: untagged */
	uint32_t flow_label;
	uint32_t seq[2];        /* TCP next sequence number per side */
	uint16_t ip_id[2];
	uint16_t icmp_id, icmp_seq;
	uint32_t spi;
	uint64_t now_us;        /* time of the last packet */
};

/* splitmix64: small, well distributed, the same on every platform */
static uint64_t
rnd(struct gen *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t
rnd_range(struct gen *g, uint32_t lo, uint32_t hi) /* [lo, hi] */
{
	return lo + (uint32_t)(rnd(g) % ((uint64_t)hi - lo + 1));
}

static uint8_t *
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static uint8_t *
put32(uint8_t *p, uint32_t v)
{
	p = put16(p, (uint16_t)(v >> 16));
	return put16(p, (uint16_t)v);
}

static uint32_t
sum16(uint32_t sum, const uint8_t *p, size_t len)
{
	for (; len > 1; len -= 2, p += 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t
fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
push(struct gen *g, uint64_t ts_us, const uint8_t *frame, size_t len)
{
	struct pkt *p;

	if (g->npkts == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 4096;
		g->pkts = realloc(g->pkts, g->cap * sizeof(*g->pkts));
		if (g->pkts == NULL) {
			perror("trafficgen");
			exit(1);
		}
	}
	p = &g->pkts[g->npkts];
	p->ts_us = ts_us;
	p->order = (uint32_t)g->npkts;
	p->len = (uint32_t)len;
	p->frame = malloc(len);
	if (p->frame == NULL) {
		perror("trafficgen");
		exit(1);
	}
	memcpy(p->frame, frame, len);
	g->npkts++;
}

/*
 * One packet of conversation c from side `from` (0 client, 1 server) at
 * c->now_us: L4 header for the conversation's protocol (TCP flags `flags`,
 * ICMP type/code `icmp_type`/`icmp_code`), `payload` bytes of data.
 */
static void
emit(struct gen *g, struct conv *c, int from, uint8_t flags, uint8_t icmp_type, uint8_t icmp_code,
     size_t payload)
{
	uint8_t frame[1600], *p = frame, *ip, *l4;
	size_t alen = c->ipv6 ? 16 : 4, l4len, iplen;
	uint32_t sum;
	uint16_t csum;
	int to = !from;

	memcpy(p, c->mac[to], 6);
	memcpy(p + 6, c->mac[from], 6);
	p += 12;
	if (c->vlan) {
		p = put16(p, 0x8100);
		p = put16(p, c->vlan);
	}
	p = put16(p, c->ipv6 ? 0x86dd : 0x0800);
	ip = p;
	p += c->ipv6 ? 40 : 20;
	l4 = p;
	switch (c->proto) {
	case 6:
		p = put16(p, c->port[from]);
		p = put16(p, c->port[to]);
		p = put32(p, c->seq[from]);
		p = put32(p, flags & 0x10 ? c->seq[to] : 0);
		*p++ = 5 << 4;
		*p++ = flags;
		p = put16(p, (uint16_t)(29200 + 1000 * from));
		p = put16(p, 0);                                   /* checksum, below */
		p = put16(p, flags & 0x20 ? (uint16_t)payload : 0); /* urgent pointer */
		c->seq[from] += (uint32_t)payload + !!(flags & 0x03);     /* SYN and FIN take one */
		break;
	case 17:
		p = put16(p, c->port[from]);
		p = put16(p, c->port[to]);
		p = put16(p, (uint16_t)(8 + payload));
		p = put16(p, 0);
		break;
	case 1:
	case 58:
		*p++ = icmp_type;
		*p++ = icmp_code;
		p = put16(p, 0);
		p = put16(p, c->icmp_id);
		p = put16(p, c->icmp_seq);
		break;
	case 50:
		p = put32(p, c->spi);
		p = put32(p, c->seq[from]++);
		break;
	}
	for (size_t i = 0; i < payload; i++)
		*p++ = (uint8_t)(i * 7 + c->port[from]);
	l4len = (size_t)(p - l4);
	iplen = (c->ipv6 ? 40 : 20) + l4len;

	if (c->ipv6) {
		put32(ip, 0x60000000u | (uint32_t)c->tos[from] << 20 | c->flow_label);
		put16(ip + 4, (uint16_t)l4len);
		ip[6] = c->proto;
		ip[7] = from ? 57 : 64;
		memcpy(ip + 8, c->addr[from], 16);
		memcpy(ip + 24, c->addr[to], 16);
		g->v6_packets++;
		g->v6_bytes += iplen;
	} else {
		ip[0] = 0x45;
		ip[1] = c->tos[from];
		put16(ip + 2, (uint16_t)iplen);
		put16(ip + 4, c->ip_id[from]++);
		put16(ip + 6, 0x4000); /* DF */
		ip[8] = from ? 121 : 64;
		ip[9] = c->proto;
		put16(ip + 10, 0);
		memcpy(ip + 12, c->addr[from], 4);
		memcpy(ip + 16, c->addr[to], 4);
		put16(ip + 10, fold(sum16(0, ip, 20)));
		g->v4_packets++;
		g->v4_bytes += iplen;
	}

	/* L4 checksum: TCP, UDP and ICMPv6 over a pseudo-header, ICMP without */
	if (c->proto == 6 || c->proto == 17 || c->proto == 58) {
		sum = sum16(0, c->addr[from], alen);
		sum = sum16(sum, c->addr[to], alen);
		sum += c->proto;
		sum += (uint32_t)l4len;
		sum = sum16(sum, l4, l4len);
		csum = fold(sum);
		if (c->proto == 17 && csum == 0)
			csum = 0xffff;
		put16(l4 + (c->proto == 6 ? 16 : c->proto == 17 ? 6 : 2), csum);
	} else if (c->proto == 1) {
		put16(l4 + 2, fold(sum16(0, l4, l4len)));
	}
	push(g, c->now_us, frame, (size_t)(p - frame));
}

/* advance the conversation's clock by [lo_ms, hi_ms] */
static void
wait_ms(struct gen *g, struct conv *c, uint32_t lo_ms, uint32_t hi_ms)
{
	c->now_us += (uint64_t)rnd_range(g, lo_ms * 1000, hi_ms * 1000);
}

static const uint8_t dscp_tos[] = {
	0x00, 0x00, 0x00, 0x00, /* best effort, most common */
	0x10, 0x20, 0x28, 0x48, 0x68, 0x88, 0xb8, 0xc0,
	0x01, 0x02, 0xb9, 0x4a, /* with ECN bits */
};

static const uint16_t server_ports[] = { 22, 25, 53, 80, 110, 123, 143, 161, 389, 443, 514, 587,
					 853, 993, 1194, 3306, 3478, 5060, 5432, 8080, 8443, 9000 };

static void
make_addrs(struct gen *g, struct conv *c)
{
	memset(c->addr, 0, sizeof(c->addr));
	if (c->ipv6) {
		/* clients 2001:db8:10:X::Y, servers 2001:db8:beef::Z, 2001:db8:cafe::Z */
		c->addr[0][0] = 0x20, c->addr[0][1] = 0x01, c->addr[0][2] = 0x0d, c->addr[0][3] = 0xb8;
		c->addr[0][5] = 0x10;
		c->addr[0][7] = (uint8_t)rnd_range(g, 1, 12);
		c->addr[0][15] = (uint8_t)rnd_range(g, 2, 250);
		memcpy(c->addr[1], c->addr[0], 4);
		c->addr[1][4] = rnd(g) & 1 ? 0xbe : 0xca;
		c->addr[1][5] = c->addr[1][4] == 0xbe ? 0xef : 0xfe;
		c->addr[1][14] = (uint8_t)rnd_range(g, 0, 3);
		c->addr[1][15] = (uint8_t)rnd_range(g, 1, 254);
	} else {
		static const uint8_t server_nets[][3] = { { 192, 0, 2 }, { 198, 51, 100 }, { 203, 0, 113 } };
		const uint8_t *net = server_nets[rnd(g) % 3];

		c->addr[0][0] = 10;
		c->addr[0][1] = (uint8_t)rnd_range(g, 0, 3);
		c->addr[0][2] = (uint8_t)rnd_range(g, 0, 20);
		c->addr[0][3] = (uint8_t)rnd_range(g, 2, 250);
		memcpy(c->addr[1], net, 3);
		c->addr[1][3] = (uint8_t)rnd_range(g, 1, 254);
	}
	for (int side = 0; side < 2; side++) {
		c->mac[side][0] = 0x02;
		c->mac[side][5] = (uint8_t)(side + 1);
	}
}

static void
tcp_session(struct gen *g, struct conv *c)
{
	int ecn = rnd(g) % 8 == 0, close_rst = rnd(g) % 5 == 0, refused = rnd(g) % 12 == 0;
	int long_lived = rnd(g) % 25 == 0;
	unsigned int exchanges = long_lived ? rnd_range(g, 40, 90) : rnd_range(g, 1, 12);
	uint32_t gap_lo = long_lived ? 1000 : 1, gap_hi = long_lived ? 3000 : 400;

	c->seq[0] = (uint32_t)rnd(g);
	c->seq[1] = (uint32_t)rnd(g);
	emit(g, c, 0, ecn ? 0xc2 : 0x02, 0, 0, 0); /* SYN (+ECE+CWR) */
	wait_ms(g, c, 1, 80);
	if (refused) {
		emit(g, c, 1, 0x14, 0, 0, 0);      /* RST/ACK */
		return;
	}
	emit(g, c, 1, ecn ? 0x52 : 0x12, 0, 0, 0); /* SYN/ACK (+ECE) */
	wait_ms(g, c, 1, 80);
	emit(g, c, 0, 0x10, 0, 0, 0);
	for (unsigned int i = 0; i < exchanges; i++) {
		uint8_t urg = rnd(g) % 40 == 0 ? 0x20 : 0;

		wait_ms(g, c, gap_lo, gap_hi);
		emit(g, c, 0, 0x18 | urg, 0, 0, rnd_range(g, 1, 600));
		wait_ms(g, c, 1, 60);
		for (unsigned int k = rnd_range(g, 1, 6); k > 0; k--) {
			emit(g, c, 1, k == 1 ? 0x18 : 0x10, 0, 0, rnd_range(g, 200, 1448));
			wait_ms(g, c, 0, 5);
		}
		emit(g, c, 0, 0x10, 0, 0, 0);
	}
	wait_ms(g, c, 1, 500);
	if (close_rst) {
		emit(g, c, rnd(g) & 1, 0x04, 0, 0, 0); /* abort */
		return;
	}
	emit(g, c, 0, 0x11, 0, 0, 0); /* FIN/ACK */
	wait_ms(g, c, 1, 50);
	emit(g, c, 1, 0x11, 0, 0, 0);
	wait_ms(g, c, 1, 50);
	emit(g, c, 0, 0x10, 0, 0, 0);
}

static void
tcp_scan(struct gen *g, struct conv *c)
{
	/* one SYN, sometimes retried, no answer: a one-packet or short flow */
	c->seq[0] = (uint32_t)rnd(g);
	for (unsigned int i = rnd_range(g, 1, 3); i > 0; i--) {
		emit(g, c, 0, 0x02, 0, 0, 0);
		c->seq[0]--;
		wait_ms(g, c, 1000, 3000);
	}
}

static void
udp_rr(struct gen *g, struct conv *c)
{
	for (unsigned int i = rnd_range(g, 1, 8); i > 0; i--) {
		emit(g, c, 0, 0, 0, 0, rnd_range(g, 20, 120));
		wait_ms(g, c, 1, 40);
		if (rnd(g) % 10 != 0) /* some queries go unanswered */
			emit(g, c, 1, 0, 0, 0, rnd_range(g, 40, 1200));
		wait_ms(g, c, 50, 5000);
	}
}

static void
udp_stream(struct gen *g, struct conv *c)
{
	int long_lived = rnd(g) % 4 == 0;
	unsigned int n = long_lived ? rnd_range(g, 60, 150) : rnd_range(g, 2, 40);

	for (unsigned int i = 0; i < n; i++) {
		emit(g, c, 0, 0, 0, 0, rnd_range(g, 60, 1400));
		wait_ms(g, c, long_lived ? 800 : 10, long_lived ? 1600 : 300);
	}
}

static void
icmp_echo(struct gen *g, struct conv *c)
{
	uint8_t request = c->ipv6 ? 128 : 8, reply = c->ipv6 ? 129 : 0;
	size_t size = rnd(g) % 3 ? 56 : rnd_range(g, 8, 1200);

	c->icmp_id = (uint16_t)rnd(g);
	for (unsigned int i = rnd_range(g, 1, 10); i > 0; i--) {
		emit(g, c, 0, 0, request, 0, size);
		wait_ms(g, c, 1, 30);
		if (rnd(g) % 8 != 0)
			emit(g, c, 1, 0, reply, 0, size);
		c->icmp_seq++;
		wait_ms(g, c, 900, 1100);
	}
}

static void
icmp_unreach(struct gen *g, struct conv *c)
{
	/* port unreachable (28 bytes standing for the quoted datagram), from the server side */
	for (unsigned int i = rnd_range(g, 1, 3); i > 0; i--) {
		emit(g, c, 1, 0, c->ipv6 ? 1 : 3, c->ipv6 ? 4 : 3, 28);
		wait_ms(g, c, 100, 2000);
	}
}

static void
esp_tunnel(struct gen *g, struct conv *c)
{
	c->spi = (uint32_t)rnd(g) | 0x100;
	for (unsigned int i = rnd_range(g, 5, 60); i > 0; i--) {
		emit(g, c, rnd(g) & 1, 0, 0, 0, rnd_range(g, 64, 1400));
		wait_ms(g, c, 10, 2000);
	}
}

static void
conversation(struct gen *g, unsigned int n)
{
	struct conv c;
	unsigned int pick = (unsigned int)(rnd(g) % 100);
	enum kind kind;

	memset(&c, 0, sizeof(c));
	c.ipv6 = rnd(g) % 100 < 35;
	if (pick < 45)
		kind = TCP_SESSION;
	else if (pick < 52)
		kind = TCP_SCAN;
	else if (pick < 70)
		kind = UDP_RR;
	else if (pick < 78)
		kind = UDP_STREAM;
	else if (pick < 92)
		kind = ICMP_ECHO;
	else if (pick < 96)
		kind = ICMP_UNREACH;
	else
		kind = ESP_TUNNEL;
	make_addrs(g, &c);
	c.port[0] = (uint16_t)rnd_range(g, 1024, 65535);
	c.port[1] = server_ports[rnd(g) % (sizeof(server_ports) / sizeof(server_ports[0]))];
	if (rnd(g) % 6 == 0)
		c.port[1] = (uint16_t)rnd_range(g, 1, 65535);
	c.proto = kind <= TCP_SCAN ? 6 : kind <= UDP_STREAM ? 17 : kind == ESP_TUNNEL ? 50 : c.ipv6 ? 58 : 1;
	if (c.proto == 50 || c.proto == 1 || c.proto == 58)
		c.port[0] = c.port[1] = 0;
	c.tos[0] = dscp_tos[rnd(g) % sizeof(dscp_tos)];
	c.tos[1] = rnd(g) % 3 ? c.tos[0] : dscp_tos[rnd(g) % sizeof(dscp_tos)];
	c.vlan = rnd(g) % 10 == 0 ? (uint16_t)rnd_range(g, 2, 4094) : 0;
	c.flow_label = c.ipv6 ? (uint32_t)(rnd(g) & 0xfffff) : 0;
	c.ip_id[0] = (uint16_t)rnd(g);
	c.ip_id[1] = (uint16_t)rnd(g);
	c.mac[0][4] = c.mac[1][4] = (uint8_t)n;
	/* long conversations start early enough to fit in the span */
	c.now_us = (uint64_t)START_SECS * 1000000 + rnd(g) % (SPAN_US / (kind == UDP_STREAM ? 3 : 1));

	switch (kind) {
	case TCP_SESSION:
		tcp_session(g, &c);
		break;
	case TCP_SCAN:
		tcp_scan(g, &c);
		break;
	case UDP_RR:
		udp_rr(g, &c);
		break;
	case UDP_STREAM:
		udp_stream(g, &c);
		break;
	case ICMP_ECHO:
		icmp_echo(g, &c);
		break;
	case ICMP_UNREACH:
		icmp_unreach(g, &c);
		break;
	case ESP_TUNNEL:
		esp_tunnel(g, &c);
		break;
	}
}

static int
by_time(const void *a, const void *b)
{
	const struct pkt *x = a, *y = b;

	if (x->ts_us != y->ts_us)
		return x->ts_us < y->ts_us ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

int
main(int argc, char **argv)
{
	struct gen g = { .rng = SEED };
	pcap_t *dead;
	pcap_dumper_t *dumper;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s OUT.pcap [TOTALS.txt]\n", argv[0]);
		return 2;
	}
	for (unsigned int n = 0; n < CONVERSATIONS; n++)
		conversation(&g, n);
	qsort(g.pkts, g.npkts, sizeof(*g.pkts), by_time);

	dead = pcap_open_dead(DLT_EN10MB, 65535);
	dumper = pcap_dump_open(dead, argv[1]);
	if (dumper == NULL) {
		fprintf(stderr, "trafficgen: %s: %s\n", argv[1], pcap_geterr(dead));
		return 1;
	}
	for (size_t i = 0; i < g.npkts; i++) {
		struct pcap_pkthdr h;

		memset(&h, 0, sizeof(h));
		h.ts.tv_sec = (time_t)(g.pkts[i].ts_us / 1000000);
		h.ts.tv_usec = (suseconds_t)(g.pkts[i].ts_us % 1000000);
		h.caplen = h.len = g.pkts[i].len;
		pcap_dump((u_char *)dumper, &h, g.pkts[i].frame);
		free(g.pkts[i].frame);
	}
	pcap_dump_close(dumper);
	pcap_close(dead);
	free(g.pkts);

	if (argc == 3) {
		FILE *f = fopen(argv[2], "w");

		if (f == NULL) {
			perror(argv[2]);
			return 1;
		}
		fprintf(f, "conversations: %u\nframes: %zu\n", CONVERSATIONS, g.npkts);
		fprintf(f, "ipv4_packets: %" PRIu64 "\nipv4_bytes: %" PRIu64 "\n", g.v4_packets, g.v4_bytes);
		fprintf(f, "ipv6_packets: %" PRIu64 "\nipv6_bytes: %" PRIu64 "\n", g.v6_packets, g.v6_bytes);
		if (fclose(f) != 0) {
			perror(argv[2]);
			return 1;
		}
	}
	return 0;
}
