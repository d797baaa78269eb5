/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Decoder status codes and the drop-reason catalog.
 *
 * Every parser in lib/ returns one of these values instead of logging. The
 * data path keeps one counter per value, so each status is also the name of
 * a drop-reason counter (frx_status_name()) with a one-line explanation for
 * operators (frx_status_help(), listed in docs/drop-reasons.md).
 */
#ifndef FRX_STATUS_H
#define FRX_STATUS_H

#include <stdint.h>

/* X-macro: symbol, counter name, what it counts. Order is ABI for the stats
 * dumped by the collector: append only. */
#define FRX_STATUS_LIST(X)                                                            \
	X(FRX_OK, "ok", "decoded and stored as records")                                                    \
	X(FRX_EL2_TRUNCATED, "l2_truncated", "frame shorter than its Ethernet/VLAN headers") \
	X(FRX_ENOT_IP, "not_ip", "EtherType is neither IPv4 nor IPv6 (ARP, LLDP, ...)") \
	X(FRX_EIP_TRUNCATED, "ip_truncated", "frame shorter than the IP header or IP total length") \
	X(FRX_EIP_BAD_HEADER, "ip_bad_header", "IP version/header length field is invalid") \
	X(FRX_EIP_BAD_CHECKSUM, "ip_bad_checksum", "IPv4 header checksum does not verify") \
	X(FRX_EIP_FRAGMENT, "ip_fragment", "IP fragment; exports must not be fragmented (raise the path MTU or lower the exporter's packet size)") \
	X(FRX_ENOT_UDP, "not_udp", "IP payload is not UDP (TCP, ICMP, SCTP exports are not supported)") \
	X(FRX_EUDP_TRUNCATED, "udp_truncated", "IP payload shorter than the UDP header") \
	X(FRX_EUDP_BAD_LENGTH, "udp_bad_length", "UDP length disagrees with the IP length") \
	X(FRX_EUDP_BAD_CHECKSUM, "udp_bad_checksum", "UDP checksum does not verify (only with --verify-udp-checksum or NIC offload)") \
	X(FRX_EWRONG_PORT, "wrong_port", "UDP destination port is not a listen port") \
	X(FRX_ETRUNCATED, "truncated", "export datagram shorter than its protocol header") \
	X(FRX_EBAD_VERSION, "bad_version", "unknown or unsupported export version") \
	X(FRX_EZERO_COUNT, "zero_count", "header announces zero records") \
	X(FRX_EBAD_COUNT, "bad_count", "header record count disagrees with the datagram length") \
	X(FRX_ENO_BLOCK, "no_block", "records dropped: no free file block (writer behind)") \
	X(FRX_ERING_FULL, "ring_full", "packets dropped: worker ring full (workers behind)") \
	X(FRX_EV8_BAD_AGGREGATION, "v8_bad_aggregation", "NetFlow v8 aggregation scheme or its version is unknown") \
	X(FRX_EBAD_MSG_LENGTH, "bad_message_length", "IPFIX message length field is below the header or beyond the datagram") \
	X(FRX_EBAD_SET_LENGTH, "bad_set_length", "a v9 flowset / IPFIX set length is below 4 or runs past the message; sets after it are lost") \
	X(FRX_ENO_SESSION, "no_session", "v9/IPFIX message dropped: the exporter session table is full (--max-sessions)") \
	X(FRX_EACL_DENIED, "acl_denied", "source address is not in an allowed prefix (--allow)") \
	X(FRX_ERATE_LIMITED, "rate_limited", "exporter exceeded its datagram rate limit (--rate-limit)") \
	X(FRX_EOUT_OF_SEQUENCE, "out_of_sequence", "rejected: sequence number too far from the expected one, or a duplicate (--reject-out-of-sequence)") \
	X(FRX_ENEW_ENGINE, "new_engine", "rejected: engine the exporter was not pinned to or did not use while learning (--reject-new-engines)")

enum frx_status {
#define FRX_STATUS_ENUM(sym, name, help) sym,
	FRX_STATUS_LIST(FRX_STATUS_ENUM)
#undef FRX_STATUS_ENUM
	FRX_STATUS_MAX
};

/** Counter name of a status, e.g. "bad_count"; "?" if out of range. */
const char *frx_status_name(unsigned int status);

/** One-line explanation of a status for operators. */
const char *frx_status_help(unsigned int status);

#endif
