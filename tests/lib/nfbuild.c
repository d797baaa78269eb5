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
