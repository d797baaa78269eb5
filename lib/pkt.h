/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * L2-L4 decapsulation of one received frame into an export datagram.
 *
 * Ethernet, 802.1Q/802.1ad (QinQ, any depth up to FRX_PKT_MAX_VLANS),
 * IPv4 (options allowed) and IPv6 (common extension headers skipped), UDP.
 * Everything that is not an unfragmented UDP datagram to a listen port is
 * refused with a status naming the reason. DPDK-free: works on a pointer
 * and a length, so it can be unit-tested and fuzzed alone.
 */
#ifndef FRX_PKT_H
#define FRX_PKT_H

#include <stdint.h>

#include "status.h"

#define FRX_PKT_MAX_VLANS 4
#define FRX_PKT_MAX_PORTS 8

/** Decapsulation settings, copied into each worker. */
struct frx_pkt_conf {
	uint16_t listen_ports[FRX_PKT_MAX_PORTS]; /**< host order */
	uint8_t nb_listen_ports;                  /**< 0 accepts any port */
	uint8_t verify_udp_checksum;              /**< check non-zero UDP checksums in software */
};

/** The export datagram inside a frame. */
struct frx_pkt_info {
	const uint8_t *payload;    /**< UDP payload: the NetFlow/IPFIX PDU */
	uint32_t payload_len;
	uint8_t exporter_addr[16]; /**< IPv4-mapped or IPv6 source address */
	uint16_t exporter_port;    /**< UDP source port, host order */
	uint16_t dst_port;         /**< UDP destination port, host order */
	uint8_t exporter_is_v6;
};

/**
 * Find the export datagram in an Ethernet frame.
 *
 * @param frame  first byte of the Ethernet header
 * @param len    bytes available at @p frame
 * @param conf   listen ports and checksum policy
 * @param info   filled on FRX_OK; payload points into @p frame
 * @return FRX_OK or the drop reason (FRX_EL2_TRUNCATED ... FRX_EWRONG_PORT)
 */
enum frx_status frx_pkt_decap(const uint8_t *frame, uint32_t len,
			      const struct frx_pkt_conf *conf, struct frx_pkt_info *info);

/**
 * Hash of the frame's IP source address, for steering all datagrams of one
 * exporter to one worker. Cheap: no validation beyond bounds. Frames that
 * are not IP hash to 0.
 */
uint32_t frx_pkt_exporter_hash(const uint8_t *frame, uint32_t len);

/**
 * The same hash from a 16-byte record address (IPv4-mapped or IPv6), so
 * state saved per exporter finds its way back to the worker that owns it.
 */
uint32_t frx_pkt_addr_hash(const uint8_t addr[16]);

#endif
