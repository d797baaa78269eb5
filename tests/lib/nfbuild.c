/* SPDX-License-Identifier: BSD-3-Clause */
/* Builders for test inputs; see nfbuild.h. */
#include "nfbuild.h"

#include <arpa/inet.h>
#include <string.h>

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
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return p + 4;
}

size_t
tb_nf_record_len(unsigned int version)
{
	switch (version) {
	case 1:
	case 5:
		return 48;
	case 6:
	case 7:
		return 52;
	}
	return 0;
}

size_t
tb_nf_header_len(unsigned int version)
{
	return version == 1 ? 16 : 24;
}

size_t
tb_build_nf(uint8_t *buf, size_t cap, const struct tb_hdr *h, const struct tb_flow *flows,
	    unsigned int n)
{
	size_t hlen = tb_nf_header_len(h->version), rlen = tb_nf_record_len(h->version);
	size_t total = hlen + n * (rlen ? rlen : 48);
	uint8_t *p = buf;

	if (total > cap)
		return 0;
	memset(buf, 0, total);
	p = put16(p, h->version);
	p = put16(p, h->count ? h->count : (uint16_t)n);
	p = put32(p, h->sys_uptime);
	p = put32(p, h->unix_secs);
	p = put32(p, h->unix_nsecs);
	if (hlen == 24) {
		p = put32(p, h->sequence);
		if (h->version == 5 || h->version == 6) {
			*p++ = h->engine_type;
			*p++ = h->engine_id;
			p = put16(p, h->sampling);
		} else {
			p += 4; /* v7: reserved */
		}
	}
	for (unsigned int i = 0; i < n; i++) {
		const struct tb_flow *f = &flows[i];
		uint8_t *r = p;

		r = put32(r, f->src);
		r = put32(r, f->dst);
		r = put32(r, f->nexthop);
		r = put16(r, f->in_if);
		r = put16(r, f->out_if);
		r = put32(r, f->packets);
		r = put32(r, f->bytes);
		r = put32(r, f->first_uptime);
		r = put32(r, f->last_uptime);
		r = put16(r, f->src_port);
		r = put16(r, f->dst_port);
		if (h->version == 1) {
			/* pad1(2) prot tos tcp_flags retx_cnt retx_secs misseq reserved(4) */
			r += 2;
			*r++ = f->proto;
			*r++ = f->tos;
			*r++ = f->tcp_flags;
		} else {
			/* pad1 / flags1 (v7), tcp_flags, prot, tos, src_as, dst_as, masks */
			r += 1;
			*r++ = f->tcp_flags;
			*r++ = f->proto;
			*r++ = f->tos;
			r = put16(r, f->src_as);
			r = put16(r, f->dst_as);
			*r++ = f->src_mask;
			*r++ = f->dst_mask;
			if (h->version == 6) {
				r += 2; /* in_encaps, out_encaps */
				r = put32(r, 0x0a0000fe); /* peer_nexthop: ignored by flowrx */
			} else if (h->version == 7) {
				r += 2;                   /* flags2 */
				r = put32(r, 0x0a0000fd); /* router_sc */
			}
		}
		p += rlen;
	}
	return total;
}

static uint32_t
sum16(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	return sum;
}

static uint16_t
fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

size_t
tb_build_frame(uint8_t *buf, size_t cap, const struct tb_l3 *l3, const uint8_t *payload, size_t len)
{
	size_t alen = l3->ipv6 ? 16 : 4, iphl = l3->ipv6 ? 40 : 20;
	size_t nvlan = (l3->vlans[0] != 0) + (l3->vlans[1] != 0);
	size_t total = 14 + 4 * nvlan + iphl + 8 + len;
	uint8_t *p = buf, *ip, *udp;
	uint32_t sum;
	uint16_t csum;
	uint8_t proto = l3->ip_proto ? l3->ip_proto : 17;

	if (total > cap)
		return 0;
	memset(buf, 0, total);
	memcpy(p, "\x02\x00\x00\x00\x00\x01", 6); /* dst MAC */
	memcpy(p + 6, "\x02\x00\x00\x00\x00\x02", 6);
	p += 12;
	if (nvlan == 2) {
		p = put16(p, 0x88a8);
		p = put16(p, l3->vlans[0]);
		p = put16(p, 0x8100);
		p = put16(p, l3->vlans[1]);
	} else if (nvlan == 1) {
		p = put16(p, 0x8100);
		p = put16(p, l3->vlans[0] ? l3->vlans[0] : l3->vlans[1]);
	}
	p = put16(p, l3->ipv6 ? 0x86dd : 0x0800);
	ip = p;
	if (l3->ipv6) {
		p = put32(p, 0x60000000);
		p = put16(p, (uint16_t)(8 + len));
		*p++ = proto;
		*p++ = 64;
		memcpy(p, l3->src, 16);
		memcpy(p + 16, l3->dst, 16);
		p += 32;
	} else {
		*p++ = 0x45;
		*p++ = 0;
		p = put16(p, (uint16_t)(20 + 8 + len));
		p = put16(p, 0x1234);
		p = put16(p, l3->fragment ? 0x2000 : 0x4000); /* MF, or DF */
		*p++ = 64;
		*p++ = proto;
		p += 2; /* checksum below */
		memcpy(p, l3->src, 4);
		memcpy(p + 4, l3->dst, 4);
		p += 8;
		csum = fold(sum16(0, ip, 20));
		if (l3->bad_ip_checksum)
			csum ^= 0x5555;
		put16(ip + 10, csum);
	}
	udp = p;
	p = put16(p, l3->src_port);
	p = put16(p, l3->dst_port);
	p = put16(p, (uint16_t)(8 + len));
	p += 2;
	memcpy(p, payload, len);
	/* pseudo-header: src, dst, zero+proto, UDP length */
	sum = sum16(0, l3->ipv6 ? ip + 8 : ip + 12, alen);
	sum = sum16(sum, l3->ipv6 ? ip + 24 : ip + 16, alen);
	sum += 17;
	sum += (uint32_t)(8 + len);
	sum = sum16(sum, udp, 8 + len);
	csum = fold(sum);
	if (csum == 0)
		csum = 0xffff;
	if (l3->bad_udp_checksum)
		csum ^= 0x0101;
	put16(udp + 6, csum);
	return total;
}

void
tb_l3_v4(struct tb_l3 *l3, const char *src, const char *dst, uint16_t sport, uint16_t dport)
{
	memset(l3, 0, sizeof(*l3));
	inet_pton(AF_INET, src, l3->src);
	inet_pton(AF_INET, dst, l3->dst);
	l3->src_port = sport;
	l3->dst_port = dport;
}

void
tb_l3_v6(struct tb_l3 *l3, const char *src, const char *dst, uint16_t sport, uint16_t dport)
{
	memset(l3, 0, sizeof(*l3));
	l3->ipv6 = 1;
	inet_pton(AF_INET6, src, l3->src);
	inet_pton(AF_INET6, dst, l3->dst);
	l3->src_port = sport;
	l3->dst_port = dport;
}

uint32_t
tb_ip4(const char *text)
{
	struct in_addr a;

	if (inet_pton(AF_INET, text, &a) != 1)
		return 0;
	return ntohl(a.s_addr);
}

/*
 * NetFlow v8. Each scheme is written field by field in wire order, as
 * Cisco's aggregation export figures list them (flow-tools' ftlib.h has the
 * same layouts); unlike lib/nf8.c this does not share a table between
 * schemes, so an offset slip in one does not repeat in the other.
 */

size_t
tb_v8_record_len(unsigned int aggregation)
{
	static const uint8_t len[15] = { 0, 28, 28, 32, 32, 40, 32, 40, 44, 32, 32, 32, 32, 40, 40 };

	return aggregation < 15 ? len[aggregation] : 0;
}

unsigned int
tb_v8_max_count(unsigned int aggregation)
{
	static const uint8_t max[15] = { 0, 51, 51, 44, 44, 35, 44, 35, 32, 44, 44, 44, 44, 35, 35 };

	return aggregation < 15 ? max[aggregation] : 0;
}

unsigned int
tb_v8_fields(unsigned int aggregation)
{
	const unsigned int as = TB_V8_F_SRC_AS | TB_V8_F_DST_AS | TB_V8_F_IN_IF | TB_V8_F_OUT_IF;
	const unsigned int prefixes = TB_V8_F_SRC | TB_V8_F_DST | TB_V8_F_MASKS;

	switch (aggregation) {
	case 1: /* AS */
		return TB_V8_F_FLOWS | as;
	case 2: /* protocol-port */
		return TB_V8_F_FLOWS | TB_V8_F_PROTO | TB_V8_F_PORTS;
	case 3: /* source prefix */
		return TB_V8_F_FLOWS | TB_V8_F_SRC | TB_V8_F_MASKS | TB_V8_F_SRC_AS | TB_V8_F_IN_IF;
	case 4: /* destination prefix */
		return TB_V8_F_FLOWS | TB_V8_F_DST | TB_V8_F_MASKS | TB_V8_F_DST_AS | TB_V8_F_OUT_IF;
	case 5: /* prefix */
		return TB_V8_F_FLOWS | prefixes | as;
	case 6: /* destination only */
		return TB_V8_F_DST | TB_V8_F_OUT_IF | TB_V8_F_TOS | TB_V8_F_CATALYST;
	case 7: /* source-destination */
		return TB_V8_F_SRC | TB_V8_F_DST | TB_V8_F_IN_IF | TB_V8_F_OUT_IF | TB_V8_F_TOS |
		       TB_V8_F_CATALYST;
	case 8: /* full flow */
		return TB_V8_F_SRC | TB_V8_F_DST | TB_V8_F_PORTS | TB_V8_F_PROTO | TB_V8_F_IN_IF |
		       TB_V8_F_OUT_IF | TB_V8_F_TOS | TB_V8_F_CATALYST;
	case 9: /* AS-ToS */
		return TB_V8_F_FLOWS | as | TB_V8_F_TOS;
	case 10: /* protocol-port-ToS */
		return TB_V8_F_FLOWS | TB_V8_F_PROTO | TB_V8_F_TOS | TB_V8_F_PORTS | TB_V8_F_IN_IF |
		       TB_V8_F_OUT_IF;
	case 11: /* source prefix-ToS */
		return TB_V8_F_FLOWS | TB_V8_F_SRC | TB_V8_F_MASKS | TB_V8_F_TOS | TB_V8_F_SRC_AS |
		       TB_V8_F_IN_IF;
	case 12: /* destination prefix-ToS */
		return TB_V8_F_FLOWS | TB_V8_F_DST | TB_V8_F_MASKS | TB_V8_F_TOS | TB_V8_F_DST_AS |
		       TB_V8_F_OUT_IF;
	case 13: /* prefix-ToS */
		return TB_V8_F_FLOWS | prefixes | TB_V8_F_TOS | as;
	case 14: /* prefix-port */
		return TB_V8_F_FLOWS | prefixes | TB_V8_F_TOS | TB_V8_F_PROTO | TB_V8_F_PORTS |
		       TB_V8_F_IN_IF | TB_V8_F_OUT_IF;
	}
	return 0;
}

/* dFlows, dPkts, dOctets, First, Last: the head of every non-Catalyst record */
static uint8_t *
put_v8_head(uint8_t *p, const struct tb_v8_rec *r)
{
	p = put32(p, r->flows);
	p = put32(p, r->packets);
	p = put32(p, r->bytes);
	p = put32(p, r->first_uptime);
	return put32(p, r->last_uptime);
}

/* dPkts, dOctets, First, Last */
static uint8_t *
put_v8_counters(uint8_t *p, const struct tb_v8_rec *r)
{
	p = put32(p, r->packets);
	p = put32(p, r->bytes);
	p = put32(p, r->first_uptime);
	return put32(p, r->last_uptime);
}

static uint8_t *
put_v8_record(uint8_t *p, unsigned int aggregation, const struct tb_v8_rec *r)
{
	switch (aggregation) {
	case 1: /* AS */
		p = put_v8_head(p, r);
		p = put16(p, r->src_as);
		p = put16(p, r->dst_as);
		p = put16(p, r->in_if);
		return put16(p, r->out_if);
	case 2: /* protocol-port */
		p = put_v8_head(p, r);
		*p++ = r->proto;
		p += 3; /* pad, reserved */
		p = put16(p, r->src_port);
		return put16(p, r->dst_port);
	case 3: /* source prefix */
		p = put_v8_head(p, r);
		p = put32(p, r->src);
		*p++ = r->src_mask;
		p += 1; /* pad */
		p = put16(p, r->src_as);
		p = put16(p, r->in_if);
		return p + 2; /* reserved */
	case 4: /* destination prefix */
		p = put_v8_head(p, r);
		p = put32(p, r->dst);
		*p++ = r->dst_mask;
		p += 1;
		p = put16(p, r->dst_as);
		p = put16(p, r->out_if);
		return p + 2;
	case 5:  /* prefix */
	case 13: /* prefix-ToS */
		p = put_v8_head(p, r);
		p = put32(p, r->src);
		p = put32(p, r->dst);
		*p++ = r->dst_mask; /* destination mask first */
		*p++ = r->src_mask;
		if (aggregation == 13)
			*p = r->tos; /* then pad */
		p += 2;
		p = put16(p, r->src_as);
		p = put16(p, r->dst_as);
		p = put16(p, r->in_if);
		return put16(p, r->out_if);
	case 6: /* destination only */
		p = put32(p, r->dst);
		p = put_v8_counters(p, r);
		p = put16(p, r->out_if);
		*p++ = r->tos;
		*p++ = r->marked_tos;
		p = put32(p, r->extra_packets);
		return put32(p, r->router_sc);
	case 7: /* source-destination */
		p = put32(p, r->dst);
		p = put32(p, r->src);
		p = put_v8_counters(p, r);
		p = put16(p, r->out_if);
		p = put16(p, r->in_if);
		*p++ = r->tos;
		*p++ = r->marked_tos;
		p += 2; /* reserved */
		p = put32(p, r->extra_packets);
		return put32(p, r->router_sc);
	case 8: /* full flow */
		p = put32(p, r->dst);
		p = put32(p, r->src);
		p = put16(p, r->dst_port);
		p = put16(p, r->src_port);
		p = put_v8_counters(p, r);
		p = put16(p, r->out_if);
		p = put16(p, r->in_if);
		*p++ = r->tos;
		*p++ = r->proto;
		*p++ = r->marked_tos;
		p += 1; /* reserved */
		p = put32(p, r->extra_packets);
		return put32(p, r->router_sc);
	case 9: /* AS-ToS */
		p = put_v8_head(p, r);
		p = put16(p, r->src_as);
		p = put16(p, r->dst_as);
		p = put16(p, r->in_if);
		p = put16(p, r->out_if);
		*p++ = r->tos;
		return p + 3; /* pad, reserved */
	case 10: /* protocol-port-ToS */
		p = put_v8_head(p, r);
		*p++ = r->proto;
		*p++ = r->tos;
		p += 2; /* reserved */
		p = put16(p, r->src_port);
		p = put16(p, r->dst_port);
		p = put16(p, r->in_if);
		return put16(p, r->out_if);
	case 11: /* source prefix-ToS */
		p = put_v8_head(p, r);
		p = put32(p, r->src);
		*p++ = r->src_mask;
		*p++ = r->tos;
		p = put16(p, r->src_as);
		p = put16(p, r->in_if);
		return p + 2;
	case 12: /* destination prefix-ToS */
		p = put_v8_head(p, r);
		p = put32(p, r->dst);
		*p++ = r->dst_mask;
		*p++ = r->tos;
		p = put16(p, r->dst_as);
		p = put16(p, r->out_if);
		return p + 2;
	case 14: /* prefix-port */
		p = put_v8_head(p, r);
		p = put32(p, r->src);
		p = put32(p, r->dst);
		*p++ = r->dst_mask;
		*p++ = r->src_mask;
		*p++ = r->tos;
		*p++ = r->proto;
		p = put16(p, r->src_port);
		p = put16(p, r->dst_port);
		p = put16(p, r->in_if);
		return put16(p, r->out_if);
	}
	return p;
}

size_t
tb_build_v8(uint8_t *buf, size_t cap, const struct tb_v8_hdr *h, const struct tb_v8_rec *recs,
	    unsigned int n)
{
	size_t rlen = tb_v8_record_len(h->aggregation), total = 28 + n * rlen;
	uint8_t *p = buf;

	if (rlen == 0 || total > cap)
		return 0;
	memset(buf, 0, total);
	p = put16(p, 8);
	p = put16(p, h->count ? h->count : (uint16_t)n);
	p = put32(p, h->sys_uptime);
	p = put32(p, h->unix_secs);
	p = put32(p, h->unix_nsecs);
	p = put32(p, h->sequence);
	*p++ = h->engine_type;
	*p++ = h->engine_id;
	*p++ = h->aggregation;
	*p++ = h->agg_version;
	p += 4; /* reserved */
	for (unsigned int i = 0; i < n; i++) {
		uint8_t *end = put_v8_record(p, h->aggregation, &recs[i]);

		if ((size_t)(end - p) != rlen)
			return 0; /* the builder's own layouts disagree: a bug here */
		p = end;
	}
	return total;
}
