/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * L2-L4 decapsulation: Ethernet (+VLAN tags) -> IPv4/IPv6 -> UDP payload.
 *
 * Every length read from the frame is checked against what is left before it
 * is used; a frame that fails a check is refused with the status naming the
 * first check that failed.
 */
#include "pkt.h"

#include "wire.h"

#include <endian.h>
#include <string.h>

#include "flowrec.h"

#define ETHER_HDR_LEN 14
#define ETHER_TYPE_IPV4 0x0800
#define ETHER_TYPE_IPV6 0x86dd
#define ETHER_TYPE_VLAN 0x8100
#define ETHER_TYPE_QINQ 0x88a8
#define ETHER_TYPE_QINQ_OLD 0x9100 /* pre-802.1ad QinQ, still seen on older switches */
#define VLAN_TAG_LEN 4
#define IPV4_MIN_HDR_LEN 20
#define IPV6_HDR_LEN 40
#define UDP_HDR_LEN 8
#define IPPROTO_UDP_ 17

/* IPv6 extension headers a datagram to us may plausibly carry (RFC 8200 §4). */
#define IP6_EXT_HOPOPTS 0
#define IP6_EXT_ROUTING 43
#define IP6_EXT_FRAGMENT 44
#define IP6_EXT_DSTOPTS 60
#define IP6_MAX_EXT_HEADERS 8

/* One's-complement sum of 16-bit words, not folded. */
static uint64_t
csum_add(uint64_t sum, const uint8_t *p, uint32_t len)
{
	while (len >= 4) {
		uint32_t w;

		memcpy(&w, p, 4);
		sum += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t w;

		memcpy(&w, p, 2);
		sum += w;
		p += 2;
		len -= 2;
	}
	if (len) {
		uint8_t last[2] = { *p, 0 };
		uint16_t w;

		memcpy(&w, last, 2);
		sum += w;
	}
	return sum;
}

static uint16_t
csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* RFC 768 / RFC 8200 §8.1: UDP checksum over the pseudo-header and datagram. */
static int
udp_checksum_ok(const uint8_t *src, const uint8_t *dst, uint32_t addr_len, const uint8_t *udp,
		uint32_t udp_len)
{
	uint64_t sum = 0;
	uint8_t tail[4] = { 0, 0, 0, IPPROTO_UDP_ };
	uint32_t len_be = htobe32(udp_len);

	sum = csum_add(sum, src, addr_len);
	sum = csum_add(sum, dst, addr_len);
	sum = csum_add(sum, (const uint8_t *)&len_be, 4);
	sum = csum_add(sum, tail, 4);
	sum = csum_add(sum, udp, udp_len);
	return csum_fold(sum) == 0xffff;
}

static int
port_is_listened(const struct frx_pkt_conf *conf, uint16_t port)
{
	if (conf->nb_listen_ports == 0)
		return 1;
	for (unsigned int i = 0; i < conf->nb_listen_ports; i++)
		if (conf->listen_ports[i] == port)
			return 1;
	return 0;
}

/* Skip Ethernet and VLAN tags; *ether_type gets the inner EtherType. */
static enum frx_status
skip_l2(const uint8_t *frame, uint32_t len, uint32_t *off, uint16_t *ether_type)
{
	uint32_t o = ETHER_HDR_LEN;
	uint16_t type;
	int tags = 0;

	if (len < ETHER_HDR_LEN)
		return FRX_EL2_TRUNCATED;
	type = frx_rd16(frame + 12);
	while (type == ETHER_TYPE_VLAN || type == ETHER_TYPE_QINQ || type == ETHER_TYPE_QINQ_OLD) {
		if (++tags > FRX_PKT_MAX_VLANS)
			return FRX_ENOT_IP;
		if (len < o + VLAN_TAG_LEN)
			return FRX_EL2_TRUNCATED;
		type = frx_rd16(frame + o + 2);
		o += VLAN_TAG_LEN;
	}
	*off = o;
	*ether_type = type;
	return FRX_OK;
}

static enum frx_status
udp_to_payload(const uint8_t *udp, uint32_t ip_payload_len, const struct frx_pkt_conf *conf,
	       const uint8_t *src, const uint8_t *dst, uint32_t addr_len, struct frx_pkt_info *info)
{
	uint16_t udp_len, csum;

	if (ip_payload_len < UDP_HDR_LEN)
		return FRX_EUDP_TRUNCATED;
	udp_len = frx_rd16(udp + 4);
	/* Padding after the datagram (IP length > UDP length) is legal; the
	 * reverse, or a length below the header, is a lie. */
	if (udp_len < UDP_HDR_LEN || udp_len > ip_payload_len)
		return FRX_EUDP_BAD_LENGTH;
	info->exporter_port = frx_rd16(udp);
	info->dst_port = frx_rd16(udp + 2);
	if (!port_is_listened(conf, info->dst_port))
		return FRX_EWRONG_PORT;
	csum = frx_rd16(udp + 6);
	/* IPv4 allows a zero (absent) checksum; IPv6 does not (RFC 8200 §8.1),
	 * but we only verify when asked, and zero then fails the sum for v6. */
	if (conf->verify_udp_checksum && (csum != 0 || addr_len == 16) &&
	    !udp_checksum_ok(src, dst, addr_len, udp, udp_len))
		return FRX_EUDP_BAD_CHECKSUM;
	info->payload = udp + UDP_HDR_LEN;
	info->payload_len = udp_len - UDP_HDR_LEN;
	return FRX_OK;
}

static enum frx_status
decap_ipv4(const uint8_t *ip, uint32_t len, const struct frx_pkt_conf *conf,
	   struct frx_pkt_info *info)
{
	uint32_t ihl, total_len;
	uint16_t frag;

	if (len < IPV4_MIN_HDR_LEN)
		return FRX_EIP_TRUNCATED;
	if ((ip[0] >> 4) != 4)
		return FRX_EIP_BAD_HEADER;
	ihl = (uint32_t)(ip[0] & 0x0f) * 4;
	if (ihl < IPV4_MIN_HDR_LEN)
		return FRX_EIP_BAD_HEADER;
	total_len = frx_rd16(ip + 2);
	if (total_len < ihl)
		return FRX_EIP_BAD_HEADER;
	/* Ethernet pads short frames, so the frame may be longer than total_len. */
	if (len < total_len || len < ihl)
		return FRX_EIP_TRUNCATED;
	if (csum_fold(csum_add(0, ip, ihl)) != 0xffff)
		return FRX_EIP_BAD_CHECKSUM;
	frag = frx_rd16(ip + 6);
	if ((frag & 0x3fff) != 0) /* MF set or offset non-zero */
		return FRX_EIP_FRAGMENT;
	if (ip[9] != IPPROTO_UDP_)
		return FRX_ENOT_UDP;
	frx_addr_set_v4(info->exporter_addr, ip + 12);
	info->exporter_is_v6 = 0;
	return udp_to_payload(ip + ihl, total_len - ihl, conf, ip + 12, ip + 16, 4, info);
}

static enum frx_status
decap_ipv6(const uint8_t *ip, uint32_t len, const struct frx_pkt_conf *conf,
	   struct frx_pkt_info *info)
{
	uint32_t payload_len, off = IPV6_HDR_LEN;
	uint8_t next;

	if (len < IPV6_HDR_LEN)
		return FRX_EIP_TRUNCATED;
	if ((ip[0] >> 4) != 6)
		return FRX_EIP_BAD_HEADER;
	payload_len = frx_rd16(ip + 4);
	if (payload_len == 0) /* jumbogram (RFC 2675): never an export */
		return FRX_EIP_BAD_HEADER;
	if (len < IPV6_HDR_LEN + payload_len)
		return FRX_EIP_TRUNCATED;
	next = ip[6];
	for (int n = 0; next != IPPROTO_UDP_; n++) {
		uint32_t ext_len;

		if (next == IP6_EXT_FRAGMENT)
			return FRX_EIP_FRAGMENT;
		if (next != IP6_EXT_HOPOPTS && next != IP6_EXT_ROUTING && next != IP6_EXT_DSTOPTS)
			return FRX_ENOT_UDP;
		if (n >= IP6_MAX_EXT_HEADERS)
			return FRX_EIP_BAD_HEADER;
		if (IPV6_HDR_LEN + payload_len < off + 8)
			return FRX_EIP_TRUNCATED;
		ext_len = ((uint32_t)ip[off + 1] + 1) * 8;
		if (IPV6_HDR_LEN + payload_len < off + ext_len)
			return FRX_EIP_TRUNCATED;
		next = ip[off];
		off += ext_len;
	}
	memcpy(info->exporter_addr, ip + 8, 16);
	info->exporter_is_v6 = 1;
	return udp_to_payload(ip + off, IPV6_HDR_LEN + payload_len - off, conf, ip + 8, ip + 24, 16,
			      info);
}

enum frx_status
frx_pkt_decap(const uint8_t *frame, uint32_t len, const struct frx_pkt_conf *conf,
	      struct frx_pkt_info *info)
{
	uint32_t off;
	uint16_t ether_type;
	enum frx_status st;

	st = skip_l2(frame, len, &off, &ether_type);
	if (st != FRX_OK)
		return st;
	if (ether_type == ETHER_TYPE_IPV4)
		return decap_ipv4(frame + off, len - off, conf, info);
	if (ether_type == ETHER_TYPE_IPV6)
		return decap_ipv6(frame + off, len - off, conf, info);
	return FRX_ENOT_IP;
}

static uint32_t
addr_hash(const uint8_t *src, uint32_t src_len)
{
	uint32_t h = frx_hash(src, src_len, FRX_HASH_SEED);

	return h ^ (h >> 16);
}

uint32_t
frx_pkt_addr_hash(const uint8_t addr[16])
{
	return frx_addr_is_v4(addr) ? addr_hash(addr + 12, 4) : addr_hash(addr, 16);
}

uint32_t
frx_pkt_exporter_hash(const uint8_t *frame, uint32_t len)
{
	uint32_t off;
	uint16_t ether_type;
	const uint8_t *src;
	uint32_t src_len;

	if (skip_l2(frame, len, &off, &ether_type) != FRX_OK)
		return 0;
	if (ether_type == ETHER_TYPE_IPV4 && len >= off + IPV4_MIN_HDR_LEN) {
		src = frame + off + 12;
		src_len = 4;
	} else if (ether_type == ETHER_TYPE_IPV6 && len >= off + IPV6_HDR_LEN) {
		src = frame + off + 8;
		src_len = 16;
	} else {
		return 0;
	}
	return addr_hash(src, src_len);
}
