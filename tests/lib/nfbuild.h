/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test-side builders of NetFlow PDUs and the frames that carry them.
 *
 * Unit tests, the e2e pcap generator and the fuzz seed corpus all build
 * their inputs with these, from readable descriptions, never from hex.
 * Written from the protocol documents independently of lib/, so a shared
 * misreading of the format does not hide in both.
 */
#ifndef FRX_TEST_NFBUILD_H
#define FRX_TEST_NFBUILD_H

#include <stddef.h>
#include <stdint.h>

/** One flow as an exporter would describe it (IPv4, host order). */
struct tb_flow {
	uint32_t src, dst, nexthop;
	uint16_t in_if, out_if;
	uint32_t packets, bytes;
	uint32_t first_uptime, last_uptime; /* sysUptime ms */
	uint16_t src_port, dst_port;
	uint8_t proto, tos, tcp_flags;
	uint16_t src_as, dst_as;
	uint8_t src_mask, dst_mask;
};

/** A v1/v5/v6/v7 header. */
struct tb_hdr {
	uint16_t version;
	uint16_t count;       /* 0: use the number of flows */
	uint32_t sys_uptime;
	uint32_t unix_secs, unix_nsecs;
	uint32_t sequence;
	uint8_t engine_type, engine_id;
	uint16_t sampling;    /* v5: mode << 14 | interval */
};

/** Bytes of one record of a version (48 or 52), 0 if unknown. */
size_t tb_nf_record_len(unsigned int version);
/** Bytes of the header of a version (16 or 24). */
size_t tb_nf_header_len(unsigned int version);

/** Build a PDU; returns its length, 0 if it does not fit in cap. */
size_t tb_build_nf(uint8_t *buf, size_t cap, const struct tb_hdr *h, const struct tb_flow *flows,
		   unsigned int n);

/** Frame wrapping. Addresses: 4 bytes (IPv4) or 16 bytes (IPv6), network order. */
struct tb_l3 {
	int ipv6;
	uint8_t src[16], dst[16];
	uint16_t src_port, dst_port;
	uint16_t vlans[2];    /* 0 = none; vlans[0] outer (802.1ad if two tags) */
	int bad_ip_checksum;
	int bad_udp_checksum;
	int fragment;         /* set IPv4 MF flag */
	uint8_t ip_proto;     /* 0: UDP */
};

/** Ethernet + VLANs + IP + UDP + payload, checksums correct unless told. */
size_t tb_build_frame(uint8_t *buf, size_t cap, const struct tb_l3 *l3, const uint8_t *payload,
		      size_t len);

/** Convenience: IPv4 tb_l3 from dotted text. */
void tb_l3_v4(struct tb_l3 *l3, const char *src, const char *dst, uint16_t sport, uint16_t dport);
void tb_l3_v6(struct tb_l3 *l3, const char *src, const char *dst, uint16_t sport, uint16_t dport);

/** Dotted IPv4 text to host-order uint32. */
uint32_t tb_ip4(const char *text);

#endif
