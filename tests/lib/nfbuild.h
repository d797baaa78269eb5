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

/*
 * NetFlow v8 (router-based aggregation), from Cisco's "NetFlow Aggregation"
 * export formats. One description holds every field any scheme carries; the
 * builder writes those of the header's scheme and ignores the rest.
 */

/** Aggregation version of every defined v8 scheme. */
#define TB_V8_AGG_VERSION 2

/** A v8 header. */
struct tb_v8_hdr {
	uint16_t count;       /* 0: use the number of records */
	uint32_t sys_uptime;
	uint32_t unix_secs, unix_nsecs;
	uint32_t sequence;
	uint8_t engine_type, engine_id;
	uint8_t aggregation;  /* scheme 1-14 */
	uint8_t agg_version;  /* TB_V8_AGG_VERSION unless testing another */
};

/** One aggregated record (IPv4 addresses/prefixes host order). */
struct tb_v8_rec {
	uint32_t flows, packets, bytes;
	uint32_t first_uptime, last_uptime;  /* sysUptime ms */
	uint32_t src, dst;                   /* address, or prefix in prefix schemes */
	uint8_t src_mask, dst_mask;
	uint16_t src_port, dst_port;
	uint8_t proto, tos, marked_tos;
	uint16_t src_as, dst_as, in_if, out_if;
	uint32_t extra_packets, router_sc;   /* Catalyst schemes 6-8 */
};

/* Fields a scheme carries, for tb_v8_fields(). */
#define TB_V8_F_FLOWS 0x0001
#define TB_V8_F_SRC 0x0002       /* src and, in prefix schemes, src_mask */
#define TB_V8_F_DST 0x0004       /* dst and, in prefix schemes, dst_mask */
#define TB_V8_F_MASKS 0x0008     /* the src/dst carried are prefixes with masks */
#define TB_V8_F_PORTS 0x0010
#define TB_V8_F_PROTO 0x0020
#define TB_V8_F_TOS 0x0040
#define TB_V8_F_SRC_AS 0x0080
#define TB_V8_F_DST_AS 0x0100
#define TB_V8_F_IN_IF 0x0200
#define TB_V8_F_OUT_IF 0x0400
#define TB_V8_F_CATALYST 0x0800  /* marked_tos, extra_packets, router_sc */

/** Bytes of one record of a scheme, 0 if unknown. */
size_t tb_v8_record_len(unsigned int aggregation);
/** Cisco's maximum records per PDU of a scheme, 0 if unknown. */
unsigned int tb_v8_max_count(unsigned int aggregation);
/** TB_V8_F_* bits of the fields a scheme carries (packets, bytes, times: all). */
unsigned int tb_v8_fields(unsigned int aggregation);

/**
 * Build a v8 PDU of n records in the header's scheme; returns its length,
 * 0 if it does not fit in cap or the scheme is unknown.
 */
size_t tb_build_v8(uint8_t *buf, size_t cap, const struct tb_v8_hdr *h, const struct tb_v8_rec *recs,
		   unsigned int n);

#endif
