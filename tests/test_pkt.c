/* SPDX-License-Identifier: BSD-3-Clause */
/* L2-L4 decapsulation: every accepted shape and every drop reason. */
#include <criterion/criterion.h>
#include <string.h>

#include "flowrec.h"
#include "nfbuild.h"
#include "pkt.h"

static uint8_t frame[70000];
static const uint8_t payload[] = "0123456789abcdef-export";
static struct frx_pkt_conf conf;
static struct frx_pkt_info info;
static struct tb_l3 l3;

static void
setup(void)
{
	memset(&conf, 0, sizeof(conf));
	conf.listen_ports[0] = 2055;
	conf.listen_ports[1] = 4739;
	conf.nb_listen_ports = 2;
	conf.verify_udp_checksum = 1;
	tb_l3_v4(&l3, "192.0.2.10", "198.51.100.1", 50000, 2055);
}

TestSuite(pkt, .init = setup);

static uint32_t
build(void)
{
	return (uint32_t)tb_build_frame(frame, sizeof(frame), &l3, payload, sizeof(payload));
}

Test(pkt, ipv4_udp_payload_and_exporter_found)
{
	uint32_t len = build();
	uint8_t want[16];

	cr_assert_eq(frx_pkt_decap(frame, len, &conf, &info), FRX_OK);
	cr_assert_eq(info.payload_len, sizeof(payload));
	cr_assert_arr_eq(info.payload, payload, sizeof(payload));
	frx_addr_set_v4(want, l3.src);
	cr_assert_arr_eq(info.exporter_addr, want, 16);
	cr_assert_eq(info.exporter_port, 50000);
	cr_assert_eq(info.dst_port, 2055);
	cr_assert_eq(info.exporter_is_v6, 0);
}

Test(pkt, ipv6_udp_payload_and_exporter_found)
{
	uint32_t len;

	tb_l3_v6(&l3, "2001:db8::10", "2001:db8::1", 50001, 4739);
	len = build();
	cr_assert_eq(frx_pkt_decap(frame, len, &conf, &info), FRX_OK);
	cr_assert_arr_eq(info.exporter_addr, l3.src, 16);
	cr_assert_eq(info.exporter_is_v6, 1);
	cr_assert_eq(info.payload_len, sizeof(payload));
}

Test(pkt, vlan_and_qinq_tags_are_skipped)
{
	uint32_t len;

	l3.vlans[0] = 100;
	len = build();
	cr_assert_eq(frx_pkt_decap(frame, len, &conf, &info), FRX_OK);
	cr_assert_arr_eq(info.payload, payload, sizeof(payload));
	l3.vlans[1] = 200;
	len = build();
	cr_assert_eq(frx_pkt_decap(frame, len, &conf, &info), FRX_OK);
	cr_assert_arr_eq(info.payload, payload, sizeof(payload));
}

Test(pkt, ethernet_padding_after_ip_is_ignored)
{
	uint32_t len = build();

	memset(frame + len, 0xee, 30);
	cr_assert_eq(frx_pkt_decap(frame, len + 30, &conf, &info), FRX_OK);
	cr_assert_eq(info.payload_len, sizeof(payload));
}

Test(pkt, non_ip_is_dropped)
{
	uint32_t len = build();

	frame[12] = 0x08;
	frame[13] = 0x06; /* ARP */
	cr_assert_eq(frx_pkt_decap(frame, len, &conf, &info), FRX_ENOT_IP);
}

Test(pkt, short_frames_are_truncated)
{
	uint32_t len = build();

	cr_assert_eq(frx_pkt_decap(frame, 10, &conf, &info), FRX_EL2_TRUNCATED);
	cr_assert_eq(frx_pkt_decap(frame, 14 + 19, &conf, &info), FRX_EIP_TRUNCATED);
	cr_assert_eq(frx_pkt_decap(frame, len - 1, &conf, &info), FRX_EIP_TRUNCATED,
		     "IP total length beyond the frame");
}

Test(pkt, bad_ipv4_checksum_is_dropped)
{
	uint32_t len;

	l3.bad_ip_checksum = 1;
	len = build();
	cr_assert_eq(frx_pkt_decap(frame, len, &conf, &info), FRX_EIP_BAD_CHECKSUM);
}

Test(pkt, bad_udp_checksum_dropped_only_when_verifying)
{
	uint32_t len;

	l3.bad_udp_checksum = 1;
	len = build();
	cr_assert_eq(frx_pkt_decap(frame, len, &conf, &info), FRX_EUDP_BAD_CHECKSUM);
	conf.verify_udp_checksum = 0;
	cr_assert_eq(frx_pkt_decap(frame, len, &conf, &info), FRX_OK);
}

Test(pkt, good_udp_checksum_verifies_for_both_families)
{
	uint32_t len = build();

	cr_assert_eq(frx_pkt_decap(frame, len, &conf, &info), FRX_OK);
	tb_l3_v6(&l3, "2001:db8::10", "2001:db8::1", 50001, 2055);
	len = build();
	cr_assert_eq(frx_pkt_decap(frame, len, &conf, &info), FRX_OK);
	l3.bad_udp_checksum = 1;
	len = build();
	cr_assert_eq(frx_pkt_decap(frame, len, &conf, &info), FRX_EUDP_BAD_CHECKSUM);
}

Test(pkt, ipv4_fragments_are_dropped)
{
	uint32_t len;

	l3.fragment = 1;
	len = build();
	cr_assert_eq(frx_pkt_decap(frame, len, &conf, &info), FRX_EIP_FRAGMENT);
}

Test(pkt, non_udp_is_dropped)
{
	uint32_t len;

	l3.ip_proto = 6;
	len = build();
	cr_assert_eq(frx_pkt_decap(frame, len, &conf, &info), FRX_ENOT_UDP);
	tb_l3_v6(&l3, "2001:db8::10", "2001:db8::1", 50001, 2055);
	l3.ip_proto = 58;
	len = build();
	cr_assert_eq(frx_pkt_decap(frame, len, &conf, &info), FRX_ENOT_UDP);
}

Test(pkt, wrong_port_is_dropped_and_zero_ports_accept_any)
{
	uint32_t len;

	l3.dst_port = 9999;
	len = build();
	cr_assert_eq(frx_pkt_decap(frame, len, &conf, &info), FRX_EWRONG_PORT);
	conf.nb_listen_ports = 0;
	cr_assert_eq(frx_pkt_decap(frame, len, &conf, &info), FRX_OK);
}

Test(pkt, udp_length_lies_are_dropped)
{
	uint32_t len = build();

	/* UDP length larger than the IP payload */
	frame[14 + 20 + 4] = 0x7f;
	cr_assert_eq(frx_pkt_decap(frame, len, &conf, &info), FRX_EUDP_BAD_LENGTH);
	/* UDP length below its own header */
	frame[14 + 20 + 4] = 0;
	frame[14 + 20 + 5] = 4;
	cr_assert_eq(frx_pkt_decap(frame, len, &conf, &info), FRX_EUDP_BAD_LENGTH);
}

Test(pkt, bad_ip_header_fields_are_dropped)
{
	uint32_t len = build();

	frame[14] = 0x43; /* IHL 3 words */
	cr_assert_eq(frx_pkt_decap(frame, len, &conf, &info), FRX_EIP_BAD_HEADER);
	frame[14] = 0x65; /* version 6 in an IPv4 EtherType */
	cr_assert_eq(frx_pkt_decap(frame, len, &conf, &info), FRX_EIP_BAD_HEADER);
}

Test(pkt, ipv6_fragment_header_is_dropped)
{
	uint32_t len;

	tb_l3_v6(&l3, "2001:db8::10", "2001:db8::1", 50001, 2055);
	l3.ip_proto = 44;
	len = build();
	cr_assert_eq(frx_pkt_decap(frame, len, &conf, &info), FRX_EIP_FRAGMENT);
}

Test(pkt, every_truncation_is_refused_without_overread)
{
	uint32_t len = build();

	for (uint32_t cut = 0; cut < len; cut++)
		cr_assert_neq(frx_pkt_decap(frame, cut, &conf, &info), FRX_OK, "cut at %u", cut);
}

Test(pkt, exporter_hash_depends_only_on_source_address)
{
	uint32_t len = build(), h1, h2, h3;

	h1 = frx_pkt_exporter_hash(frame, len);
	l3.src_port = 1;
	l3.dst_port = 9;
	len = build();
	h2 = frx_pkt_exporter_hash(frame, len);
	cr_assert_eq(h1, h2);
	tb_l3_v4(&l3, "192.0.2.11", "198.51.100.1", 50000, 2055);
	len = build();
	h3 = frx_pkt_exporter_hash(frame, len);
	cr_assert_neq(h1, h3);
	cr_assert_eq(frx_pkt_exporter_hash(frame, 5), 0);
}

Test(pkt, address_hash_matches_the_frame_hash_for_both_families)
{
	uint32_t len = build();
	uint8_t addr[16];

	frx_addr_set_v4(addr, l3.src);
	cr_assert_eq(frx_pkt_addr_hash(addr), frx_pkt_exporter_hash(frame, len));
	tb_l3_v6(&l3, "2001:db8::10", "2001:db8::1", 50001, 2055);
	len = build();
	cr_assert_eq(frx_pkt_addr_hash(l3.src), frx_pkt_exporter_hash(frame, len));
}
