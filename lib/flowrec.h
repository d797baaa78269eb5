/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The normalized flow record.
 *
 * Every decoder (NetFlow v1-v9, IPFIX) fills this one structure and every
 * writer, filter and output format reads it. It is also the on-disk record
 * of FLOWS blocks (docs/file-format.md): fixed-width fields, little-endian
 * integers, addresses as 16 bytes in network order (IPv4 as the IPv4-mapped
 * IPv6 address ::ffff:a.b.c.d, with FRX_REC_F_IPV6 clear).
 *
 * Changing the layout is a file-format change: bump FRX_FLOWREC_LAYOUT and
 * the format version, and keep the reader able to read the old layout.
 */
#ifndef FRX_FLOWREC_H
#define FRX_FLOWREC_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
/* The record is written to disk as it sits in memory; a big-endian port
 * needs byte swapping in lib/ffile.c first. */
#error "flowrx stores records in host order and supports little-endian hosts only"
#endif

/** Layout version of struct frx_flowrec, stored in every file header. */
#define FRX_FLOWREC_LAYOUT 1

/** Flow addresses (src, dst, next hop) are IPv6; clear means IPv4-mapped. */
#define FRX_REC_F_IPV6 0x01
/** The exporter's address is IPv6. */
#define FRX_REC_F_EXPORTER_IPV6 0x02
/** The exporter sent more records in one PDU than its version's spec allows. */
#define FRX_REC_F_COUNT_ABOVE_SPEC 0x04

struct frx_flowrec {
	uint64_t first_ms;          /**< flow start, Unix epoch milliseconds */
	uint64_t last_ms;           /**< flow end, Unix epoch milliseconds */
	uint64_t packets;
	uint64_t bytes;
	uint8_t src_addr[16];
	uint8_t dst_addr[16];
	uint8_t next_hop[16];
	uint8_t exporter_addr[16];  /**< source address of the export datagram */
	uint32_t src_as;
	uint32_t dst_as;
	uint32_t in_if;
	uint32_t out_if;
	uint32_t domain;            /**< v9 source id / IPFIX observation domain, 0 for v1-v8 */
	uint32_t sampling_interval; /**< 1-in-N packet sampling, 0 if unknown/unsampled */
	uint16_t src_port;
	uint16_t dst_port;
	uint16_t exporter_port;     /**< UDP source port of the export datagram */
	uint16_t class_id;          /**< rule class/tag, 0 = none */
	uint8_t proto;
	uint8_t tos;
	uint8_t tcp_flags;
	uint8_t src_mask;
	uint8_t dst_mask;
	uint8_t version;            /**< export protocol version: 1, 5, 6, 7, 8, 9, 10 */
	uint8_t engine_type;
	uint8_t engine_id;
	uint8_t sampling_mode;      /**< v5 header's 2-bit sampling mode */
	uint8_t flags;              /**< FRX_REC_F_* */
	uint8_t direction;          /**< FRX_DIR_*: 0 unknown, 1 ingress, 2 egress */
	uint8_t forwarding_status;  /**< IPFIX forwardingStatus (IE 89), 0 if not exported */
	uint16_t src_vlan;          /**< vlanId (IE 58), 0 if none */
	uint16_t dst_vlan;          /**< postVlanId (IE 59), 0 if none */
	uint32_t flows;             /**< flows this record stands for: 1, or a v8 aggregate's count */
	uint8_t reserved[12];
};

#define FRX_DIR_UNKNOWN 0
#define FRX_DIR_INGRESS 1
#define FRX_DIR_EGRESS 2

_Static_assert(sizeof(struct frx_flowrec) == 160, "on-disk record size changed");
_Static_assert(offsetof(struct frx_flowrec, src_addr) == 32, "on-disk layout changed");
_Static_assert(offsetof(struct frx_flowrec, src_as) == 96, "on-disk layout changed");
_Static_assert(offsetof(struct frx_flowrec, proto) == 128, "on-disk layout changed");
_Static_assert(offsetof(struct frx_flowrec, flows) == 144, "on-disk layout changed");

/** Write an IPv4 address (network order bytes) as IPv4-mapped IPv6. */
static inline void
frx_addr_set_v4(uint8_t dst[16], const void *v4_network_order)
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	memcpy(dst, prefix, sizeof(prefix));
	memcpy(dst + 12, v4_network_order, 4);
}

/** Is this 16-byte address an IPv4-mapped address? */
static inline int
frx_addr_is_v4(const uint8_t addr[16])
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(addr, prefix, sizeof(prefix)) == 0;
}

/** Longest text form of an address written by frx_addr_format(), with NUL. */
#define FRX_ADDR_STRLEN 46

/**
 * Format an address: dotted quad for IPv4-mapped addresses, RFC 5952 text
 * otherwise. @return buf.
 */
char *frx_addr_format(const uint8_t addr[16], char *buf, size_t size);

/**
 * Parse IPv4 or IPv6 text into the 16-byte form.
 * @return 0, or -EINVAL if text is not an address.
 */
int frx_addr_parse(const char *text, uint8_t addr[16]);

#endif
