/* SPDX-License-Identifier: BSD-3-Clause */
/* Filter expressions: every primitive and operator, precedence, and the error for bad input. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "flowrec.h"

#define T0 1700000000000ull

static void
set_addr(uint8_t addr[16], const char *text)
{
	cr_assert_eq(frx_addr_parse(text, addr), 0, "bad address in test: %s", text);
}

/* A TCP flow 10.1.2.3:40000 -> 192.0.2.80:443 from exporter 192.0.2.1, 1 s, 10 packets, 1000 bytes. */
static struct frx_flowrec
base_rec(void)
{
	struct frx_flowrec r;

	memset(&r, 0, sizeof(r));
	set_addr(r.src_addr, "10.1.2.3");
	set_addr(r.dst_addr, "192.0.2.80");
	set_addr(r.next_hop, "10.0.0.254");
	set_addr(r.exporter_addr, "192.0.2.1");
	r.src_port = 40000;
	r.dst_port = 443;
	r.proto = 6;
	r.tcp_flags = 0x1b; /* ACK PSH SYN FIN */
	r.tos = 32;
	r.src_as = 64500;
	r.dst_as = 4200000000u;
	r.in_if = 3;
	r.out_if = 4;
	r.packets = 10;
	r.bytes = 1000;
	r.first_ms = T0;
	r.last_ms = T0 + 1000;
	r.flows = 1;
	r.version = 5;
	r.engine_type = 1;
	r.engine_id = 2;
	r.src_mask = 16;
	r.dst_mask = 24;
	r.exporter_port = 2055;
	return r;
}

static struct frx_flowrec
v6_rec(void)
{
	struct frx_flowrec r = base_rec();

	set_addr(r.src_addr, "2001:db8:1::5");
	set_addr(r.dst_addr, "2001:db8:2::7");
	set_addr(r.next_hop, "fe80::1");
	r.flags |= FRX_REC_F_IPV6;
	r.version = 10;
	r.domain = 5;
	return r;
}

static struct frx_filter *
compile_ok(const char *expr)
{
	struct frx_filter_error err;
	struct frx_filter *f = NULL;
	int rc = frx_filter_compile(expr, &f, &err);

	cr_assert_eq(rc, 0, "'%s' did not compile: column %u: %s", expr, err.column, err.message);
	cr_assert_not_null(f);
	return f;
}

static bool
matches(const char *expr, const struct frx_flowrec *r)
{
	struct frx_filter *f = compile_ok(expr);
	bool m = frx_filter_match(f, r);

	frx_filter_free(f);
	return m;
}

#define YES(expr, rec) cr_expect(matches(expr, rec), "'%s' should match", expr)
#define NO(expr, rec) cr_expect(!matches(expr, rec), "'%s' should not match", expr)

static void
expect_error(const char *expr, unsigned int column, const char *message)
{
	struct frx_filter_error err;
	struct frx_filter *f = NULL;
	int rc = frx_filter_compile(expr, &f, &err);

	cr_assert_eq(rc, -EINVAL, "'%s' compiled (rc %d)", expr, rc);
	cr_expect_null(f);
	cr_expect_eq(err.column, column, "'%s': column %u, expected %u (%s)", expr, err.column, column,
		     err.message);
	cr_expect_str_eq(err.message, message, "'%s'", expr);
}

/* ------------------------------------------------------------ basics */

Test(filter, empty_expression_matches_everything)
{
	struct frx_flowrec r = base_rec();
	struct frx_filter *f = compile_ok("   ");

	cr_expect_eq(frx_filter_size(f), 0);
	cr_expect(frx_filter_match(f, &r));
	frx_filter_free(f);
	YES("", &r);
	YES("any", &r);
	NO("not any", &r);
}

Test(filter, one_instruction_per_primitive)
{
	struct frx_filter *f = compile_ok("(port 80 or port 443) and not (proto udp or src net 10/8) and any");

	cr_expect_eq(frx_filter_size(f), 4);
	frx_filter_free(f);
	f = compile_ok("engine 1/2");
	cr_expect_eq(frx_filter_size(f), 2);
	frx_filter_free(f);
}

Test(filter, keywords_are_case_insensitive)
{
	struct frx_flowrec r = base_rec();

	YES("PROTO TCP AND Src Port > 1023 AND dst NET 192.0.2.0/24", &r);
	YES("flags s", &r);
}

/* ------------------------------------------------------------ addresses */

Test(filter, ip_without_direction_matches_source_or_destination)
{
	struct frx_flowrec r = base_rec();

	YES("ip 10.1.2.3", &r);
	YES("ip 192.0.2.80", &r);
	YES("host 192.0.2.80", &r);
	NO("ip 10.1.2.4", &r);
}

Test(filter, src_and_dst_ip_test_one_side)
{
	struct frx_flowrec r = base_rec();

	YES("src ip 10.1.2.3", &r);
	NO("dst ip 10.1.2.3", &r);
	YES("dst ip 192.0.2.80", &r);
	NO("src ip 192.0.2.80", &r);
	YES("src host 10.1.2.3", &r);
}

Test(filter, src_and_dst_needs_both_src_or_dst_either)
{
	struct frx_flowrec r = base_rec();

	NO("src and dst net 10.0.0.0/8", &r);
	YES("src or dst net 10.0.0.0/8", &r);
	YES("src and dst net 0.0.0.0/0", &r);
	set_addr(r.dst_addr, "10.9.9.9");
	YES("src and dst net 10.0.0.0/8", &r);
}

Test(filter, ipv4_cidr)
{
	struct frx_flowrec r = base_rec();

	YES("net 10.0.0.0/8", &r);
	YES("src net 10.1.0.0/16", &r);
	NO("src net 10.2.0.0/16", &r);
	YES("dst net 192.0.2.0/24", &r);
	YES("dst net 192.0.2.80/32", &r);
	NO("dst net 192.0.2.81/32", &r);
	YES("net 0.0.0.0/0", &r);
	YES("ip 10.1.2.0/24", &r); /* ip takes a network too */
}

Test(filter, short_ipv4_networks_and_netmasks_as_nfdump)
{
	struct frx_flowrec r = base_rec();

	YES("src net 10/8", &r);
	YES("src net 10.1/16", &r);
	NO("src net 172.16/12", &r);
	YES("dst net 192.0.2.0 255.255.255.0", &r);
	NO("dst net 192.0.3.0 255.255.255.0", &r);
	YES("src net 10.0.0.0 255.0.0.0 and proto tcp", &r);
}

Test(filter, host_bits_beyond_the_length_are_ignored)
{
	struct frx_flowrec r = base_rec();

	YES("net 10.200.200.200/8", &r);
	YES("src net 10.1.2.99/24", &r);
}

Test(filter, ipv6_addresses_and_cidr)
{
	struct frx_flowrec r = v6_rec();

	YES("ip 2001:db8:1::5", &r);
	YES("src ip 2001:db8:1::5", &r);
	NO("dst ip 2001:db8:1::5", &r);
	YES("net 2001:db8::/32", &r);
	YES("src net 2001:db8:1::/48", &r);
	NO("src net 2001:db8:2::/48", &r);
	YES("dst net 2001:db8:2::/48", &r);
	YES("src net 2001:db8:1::4/126", &r);
	NO("src net 2001:db8:1::6/127", &r);
	NO("net 10.0.0.0/8", &r);
	NO("net 0.0.0.0/0", &r); /* an IPv4 network never matches an IPv6 address */
}

Test(filter, ipv4_networks_do_not_match_ipv6_records_and_back)
{
	struct frx_flowrec r4 = base_rec(), r6 = v6_rec();

	NO("net 2001:db8::/32", &r4);
	YES("net ::/0", &r4); /* ::/0 is every address, IPv4-mapped included */
	YES("net ::/0", &r6);
	YES("ipv4", &r4);
	YES("inet", &r4);
	NO("ipv6", &r4);
	YES("ipv6", &r6);
	YES("inet6", &r6);
	NO("ipv4", &r6);
}

Test(filter, address_lists)
{
	struct frx_flowrec r = base_rec();

	YES("ip in [ 1.1.1.1 10.1.2.3 ]", &r);
	YES("src ip in [1.1.1.1, 10.0.0.0/8]", &r);
	NO("src ip in [1.1.1.1 192.0.2.0/24]", &r);
	YES("dst net in [2001:db8::/32 192.0.2.0/24]", &r);
}

Test(filter, exporter_and_next_hop)
{
	struct frx_flowrec r = base_rec();

	YES("exporter 192.0.2.1", &r);
	NO("exporter 192.0.2.2", &r);
	YES("exporter 192.0.2.0/24", &r);
	YES("router ip 192.0.2.1", &r);
	YES("router 192.0.2.1", &r);
	YES("exporter in [ 198.51.100.1 192.0.2.1 ]", &r);
	YES("next ip 10.0.0.254", &r);
	YES("nexthop 10.0.0.0/24", &r);
	NO("next ip 10.0.0.253", &r);
}

/* ------------------------------------------------------------ ports and numbers */

Test(filter, port_without_direction_matches_either)
{
	struct frx_flowrec r = base_rec();

	YES("port 443", &r);
	YES("port 40000", &r);
	NO("port 80", &r);
	YES("src port 40000", &r);
	NO("src port 443", &r);
	YES("dst port 443", &r);
}

Test(filter, every_comparison_operator)
{
	struct frx_flowrec r = base_rec(); /* dst port 443 */

	YES("dst port = 443", &r);
	YES("dst port == 443", &r);
	YES("dst port eq 443", &r);
	NO("dst port != 443", &r);
	NO("dst port ne 443", &r);
	YES("dst port != 80", &r);
	YES("dst port < 444", &r);
	NO("dst port < 443", &r);
	YES("dst port lt 444", &r);
	YES("dst port > 442", &r);
	NO("dst port > 443", &r);
	YES("dst port gt 442", &r);
	YES("dst port <= 443", &r);
	NO("dst port <= 442", &r);
	YES("dst port le 443", &r);
	YES("dst port >= 443", &r);
	NO("dst port >= 444", &r);
	YES("dst port ge 443", &r);
	YES("dst port>=443", &r); /* no spaces needed around symbols */
}

Test(filter, src_port_above_1023)
{
	struct frx_flowrec r = base_rec();

	YES("src port > 1023", &r);
	r.src_port = 1023;
	NO("src port > 1023", &r);
}

Test(filter, port_comparison_without_direction_is_either_side)
{
	struct frx_flowrec r = base_rec(); /* 40000 -> 443 */

	YES("port != 443", &r); /* the source port is not 443 (nfdump's rule) */
	NO("not port 443", &r);
	YES("port < 1024", &r);
}

Test(filter, port_lists)
{
	struct frx_flowrec r = base_rec();

	YES("port in [80 443]", &r);
	YES("port in [ 8080, 443, 80 ]", &r);
	NO("dst port in [80 8080]", &r);
	YES("src port in [40000 40000 1]", &r);
	YES("as in [ 1 2 64500 ]", &r);
	YES("in if in [3]", &r);
}

Test(filter, protocols_by_name_and_number)
{
	struct frx_flowrec r = base_rec();
	static const struct {
		const char *name;
		uint8_t proto;
	} names[] = { { "tcp", 6 }, { "udp", 17 }, { "icmp", 1 }, { "icmp6", 58 }, { "gre", 47 },
		      { "esp", 50 }, { "ah", 51 }, { "sctp", 132 } };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char expr[64];

		r.proto = names[i].proto;
		snprintf(expr, sizeof(expr), "proto %s", names[i].name);
		YES(expr, &r);
		snprintf(expr, sizeof(expr), "proto %u", names[i].proto);
		YES(expr, &r);
		snprintf(expr, sizeof(expr), "%s", names[i].name); /* bare, as tcpdump */
		YES(expr, &r);
		r.proto = (uint8_t)(names[i].proto + 1);
		snprintf(expr, sizeof(expr), "proto %s", names[i].name);
		NO(expr, &r);
	}
	r.proto = 47;
	YES("proto > 40", &r);
	NO("proto < 40", &r);
}

Test(filter, tcp_flags_all_listed_must_be_set)
{
	struct frx_flowrec r = base_rec(); /* FIN SYN PSH ACK */

	YES("flags S", &r);
	YES("flags AS", &r);
	YES("flags SA", &r);
	YES("flags FSPA", &r);
	NO("flags R", &r);
	NO("flags SR", &r); /* SYN set, RST not: all must be set */
	NO("flags U", &r);
	NO("flags X", &r);
	r.tcp_flags = 0x3f;
	YES("flags X", &r);
	YES("flags UAPRSF", &r);
	NO("flags C", &r);
	r.tcp_flags = 0xc2;
	YES("flags CES", &r);
	/* only SYN: */
	r.tcp_flags = 0x02;
	YES("flags S and not flags A and not flags F and not flags R", &r);
}

Test(filter, as_numbers_32_bit)
{
	struct frx_flowrec r = base_rec();

	YES("as 64500", &r);
	YES("src as 64500", &r);
	NO("dst as 64500", &r);
	YES("dst as 4200000000", &r);
	YES("as > 4000000000", &r);
	YES("src as < 65536", &r);
}

Test(filter, interfaces)
{
	struct frx_flowrec r = base_rec(); /* in 3, out 4 */

	YES("if 3", &r);
	YES("if 4", &r);
	NO("if 5", &r);
	YES("in if 3", &r);
	NO("in if 4", &r);
	YES("out if 4", &r);
	NO("out if 3", &r);
	YES("out if > 3", &r);
}

Test(filter, counters_with_nfdump_multipliers)
{
	struct frx_flowrec r = base_rec();

	YES("packets > 9", &r);
	NO("packets > 10", &r);
	YES("packets 10", &r);
	YES("bytes >= 1k", &r);
	NO("bytes > 1k", &r);
	r.bytes = 1000000;
	YES("bytes >= 1M", &r);
	YES("bytes >= 1m", &r);
	NO("bytes > 1M", &r);
	NO("bytes >= 1G", &r);
	r.bytes = 3000000000ull;
	YES("bytes > 2G", &r);
	YES("bytes < 1T", &r);
	YES("flows 1", &r);
	r.flows = 2000;
	YES("flows > 1k", &r);
}

Test(filter, duration_in_milliseconds)
{
	struct frx_flowrec r = base_rec(); /* 1000 ms */

	YES("duration 1000", &r);
	NO("duration > 1000", &r);
	YES("duration >= 1000", &r);
	r.last_ms = r.first_ms + 1500;
	YES("duration > 1000", &r);
	r.last_ms = r.first_ms - 5; /* broken exporter clock: duration 0 */
	YES("duration 0", &r);
}

Test(filter, rates_over_the_flow_duration)
{
	struct frx_flowrec r = base_rec(); /* 10 packets, 1000 bytes, 1 s */

	YES("bps 8000", &r);
	YES("bps > 7999", &r);
	NO("bps > 8000", &r);
	YES("pps 10", &r);
	YES("bpp 100", &r);
	r.bytes = 250000000; /* 2 Gbit/s over 1 s */
	YES("bps > 1G", &r);
	YES("bps = 2G", &r);
	r.last_ms = r.first_ms + 500;
	YES("pps 20", &r);
	YES("bps 4G", &r);
	r.last_ms = r.first_ms; /* zero duration: rates are 0, as nfdump */
	YES("bps 0 and pps 0", &r);
	r.packets = 0;
	YES("bpp 0", &r);
}

Test(filter, exporter_identity_fields)
{
	struct frx_flowrec r = base_rec(), r6 = v6_rec();

	YES("engine 1/2", &r);
	NO("engine 1/3", &r);
	NO("engine 2/2", &r);
	YES("engine-type 1", &r);
	YES("engine-id 2", &r);
	NO("engine-id 1", &r);
	YES("version 5", &r);
	NO("version 9", &r);
	YES("version 10", &r6);
	YES("domain 5", &r6);
	NO("domain 5", &r);
	YES("domain 0", &r);
	YES("exporter-port 2055", &r);
	r.class_id = 7;
	YES("class 7", &r);
	NO("class 8", &r);
	YES("class > 0", &r);
}

Test(filter, vlan_tos_mask_sampling_direction)
{
	struct frx_flowrec r = base_rec();

	r.src_vlan = 100;
	r.dst_vlan = 200;
	YES("vlan 100", &r);
	YES("vlan 200", &r);
	YES("src vlan 100", &r);
	NO("dst vlan 100", &r);
	YES("tos 32", &r);
	NO("tos 0", &r);
	YES("mask 24", &r);
	YES("src mask 16", &r);
	NO("src mask 24", &r);
	YES("sampling 0", &r);
	r.sampling_interval = 1000;
	YES("sampling 1000", &r);
	YES("flowdir 0", &r);
	r.direction = FRX_DIR_EGRESS;
	YES("flowdir egress", &r);
	NO("direction ingress", &r);
}

Test(filter, icmp_type_and_code_imply_icmp)
{
	struct frx_flowrec r = base_rec();

	r.proto = 1;
	r.src_port = 0;
	r.dst_port = 3 * 256 + 1; /* destination unreachable, host */
	YES("icmp-type 3", &r);
	YES("icmp-code 1", &r);
	NO("icmp-type 8", &r);
	r.proto = 58;
	YES("icmp-type 3 and icmp-code 1", &r);
	r.proto = 6;
	NO("icmp-type 3", &r); /* a TCP port of 769 is not ICMP */
}

/* ------------------------------------------------------------ operators */

Test(filter, and_or_not_in_words_and_symbols)
{
	struct frx_flowrec r = base_rec();

	YES("proto tcp and port 443", &r);
	YES("proto tcp && port 443", &r);
	NO("proto udp and port 443", &r);
	NO("proto tcp and port 80", &r);
	YES("proto udp or port 443", &r);
	YES("proto udp || port 443", &r);
	YES("proto tcp or port 80", &r);
	NO("proto udp or port 80", &r);
	YES("not proto udp", &r);
	YES("! proto udp", &r);
	YES("!proto udp", &r);
	NO("not proto tcp", &r);
	YES("not not proto tcp", &r);
}

Test(filter, and_binds_tighter_than_or)
{
	struct frx_flowrec r = base_rec();

	/* udp or (tcp and port 443) */
	YES("proto udp or proto tcp and port 443", &r);
	/* (udp or tcp) and port 80 */
	NO("(proto udp or proto tcp) and port 80", &r);
	YES("proto udp and port 80 or proto tcp", &r);
	NO("proto udp and (port 80 or proto tcp)", &r);
}

Test(filter, not_binds_to_the_next_primitive_only)
{
	struct frx_flowrec r = base_rec();

	/* (not udp) and port 443 */
	YES("not proto udp and port 443", &r);
	NO("not (proto udp or port 443)", &r);
	YES("not (proto udp and port 443)", &r);
}

Test(filter, long_chains_and_nesting)
{
	struct frx_flowrec r = base_rec();
	static char expr[32768];
	size_t len = 0;

	/* a thousand alternatives, the last one true */
	for (int i = 0; i < 1000; i++)
		len += (size_t)snprintf(expr + len, sizeof(expr) - len, "%sport %d", i ? " or " : "", 1000 + i * 7);
	snprintf(expr + len, sizeof(expr) - len, " or port 443");
	YES(expr, &r);
	expr[len] = '\0';
	NO(expr, &r);

	len = 0;
	for (int i = 0; i < 100; i++)
		len += (size_t)snprintf(expr + len, sizeof(expr) - len, "(not ");
	len += (size_t)snprintf(expr + len, sizeof(expr) - len, "proto tcp");
	for (int i = 0; i < 100; i++)
		len += (size_t)snprintf(expr + len, sizeof(expr) - len, ")");
	YES(expr, &r); /* an even number of nots */
}

Test(filter, the_issue_examples)
{
	struct frx_flowrec r = base_rec();

	YES("src net 10.0.0.0/8 and (port 53 or proto tcp) and not flags R and bytes > 100", &r);
	YES("dst net 10.0.0.0/8 or dst ip 192.0.2.80", &r);
	YES("proto tcp and flags S and not flags R and dst port in [ 80 443 8443 ]", &r);
	YES("exporter 192.0.2.1 and engine 1/2 and in if 3 and out if 4", &r);
	NO("src as 64500 and dst as 64500", &r);
}

/* ------------------------------------------------------------ errors */

Test(filter, error_names_the_column_and_what_was_expected)
{
	expect_error("port http", 6, "expected a port number after 'port', found 'http'");
	expect_error("proto tcp and port http", 20, "expected a port number after 'port', found 'http'");
	expect_error("src port > http", 12, "expected a port number after '>', found 'http'");
	expect_error("port 70000", 6, "expected a port number (0-65535) after 'port', found '70000'");
	expect_error("port", 5, "expected a port number after 'port', found end of filter");
	expect_error("port 1k", 6, "expected a port number after 'port', found '1k'");
}

Test(filter, error_for_unknown_words_and_misplaced_operators)
{
	expect_error("foo", 1,
		     "expected a filter primitive (ip, net, port, proto, flags, as, if, packets, bytes, ...), "
		     "found 'foo'");
	expect_error("and port 80", 1,
		     "expected a filter primitive (ip, net, port, proto, flags, as, if, packets, bytes, ...), "
		     "found 'and'");
	expect_error("port 80 and", 12,
		     "expected a filter primitive (ip, net, port, proto, flags, as, if, packets, bytes, ...) "
		     "after 'and', found end of filter");
	expect_error("port 80 port 443", 9, "expected 'and', 'or' or end of filter after '80', found 'port'");
	expect_error("port 80 & port 443", 9, "expected 'and', 'or' or end of filter after '80', found '&'");
	expect_error("not", 4,
		     "expected a filter primitive (ip, net, port, proto, flags, as, if, packets, bytes, ...) "
		     "after 'not', found end of filter");
	expect_error("src proto tcp", 5, "expected ip, host, net, port, as, mask or vlan after 'src', found 'proto'");
	expect_error("src if 3", 5, "expected ip, host, net, port, as, mask or vlan after 'src', found 'if'");
	expect_error("in port 3", 4, "expected 'if' after 'in', found 'port'");
}

Test(filter, error_for_parentheses)
{
	expect_error("(port 80", 9, "expected ')' to close '(' at column 1 after '80', found end of filter");
	expect_error("proto tcp and ((port 80 or port 443)", 37,
		     "expected ')' to close '(' at column 15 after ')', found end of filter");
	expect_error("port 80)", 8, "unbalanced ')': no '(' to close");
	expect_error("()", 2,
		     "expected a filter primitive (ip, net, port, proto, flags, as, if, packets, bytes, ...) "
		     "after '(', found ')'");
}

Test(filter, error_for_bad_addresses)
{
	expect_error("ip 1.2.3", 4, "expected an IP address (or network) after 'ip', found '1.2.3'");
	expect_error("ip 1.2.3.256", 4, "expected an IP address (or network) after 'ip', found '1.2.3.256'");
	expect_error("net 10.0.0.0/33", 5,
		     "expected a network (e.g. 10.0.0.0/8, 2001:db8::/32) after 'net', found '10.0.0.0/33'");
	expect_error("src net 2001:db8::/129", 9,
		     "expected a network (e.g. 10.0.0.0/8, 2001:db8::/32) after 'net', found '2001:db8::/129'");
	expect_error("net 2001:db8::zz/32", 5,
		     "expected a network (e.g. 10.0.0.0/8, 2001:db8::/32) after 'net', found '2001:db8::zz/32'");
	expect_error("net 10.0.0.0 255.0.255.0", 14,
		     "expected a contiguous netmask after '10.0.0.0', found '255.0.255.0'");
	expect_error("exporter", 9, "expected an IP address (or network) after 'exporter', found end of filter");
	expect_error("ip in [ ]", 9, "expected an IP address or network in the list after '[', found ']'");
}

Test(filter, error_for_bad_values)
{
	expect_error("flags SZ", 7, "expected TCP flags (letters of CEUAPRSF, or X) after 'flags', found 'SZ'");
	expect_error("proto foo", 7, "expected a protocol name or number after 'proto', found 'foo'");
	expect_error("proto 256", 7, "expected a protocol name or number (0-255) after 'proto', found '256'");
	expect_error("engine 1", 8, "expected TYPE/ID (e.g. 1/2, each 0-255) after 'engine', found '1'");
	expect_error("engine 1/300", 8, "expected TYPE/ID (e.g. 1/2, each 0-255) after 'engine', found '1/300'");
	expect_error("bytes > 1Q", 9, "expected a byte count after '>', found '1Q'");
	expect_error("bytes > 99999999999999999999", 9,
		     "expected a byte count after '>', found '99999999999999999999'");
	expect_error("bytes > 20000000T", 9, "expected a byte count after '>', found '20000000T'");
	expect_error("packets >", 10, "expected a packet count after '>', found end of filter");
	expect_error("port in [ ]", 11, "expected a port number after '[', found ']'");
	expect_error("port in [ 80", 13, "expected ']' to close '[' at column 9 after '80', found end of filter");
	expect_error("flowdir sideways", 9, "expected ingress, egress or 0-2 after 'flowdir', found 'sideways'");
}

Test(filter, error_for_too_deep_nesting)
{
	char expr[2048];
	size_t n = FRX_FILTER_MAX_DEPTH + 1;

	memset(expr, '(', n);
	snprintf(expr + n, sizeof(expr) - n, "port 80");
	expect_error(expr, FRX_FILTER_MAX_DEPTH + 1, "expression nested deeper than 256 levels");
}

Test(filter, error_quotes_long_tokens_shortened)
{
	char expr[128], message[160];

	snprintf(expr, sizeof(expr), "port %.60s", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	/* the first 37 characters of the token, then "..." */
	snprintf(message, sizeof(message), "expected a port number after 'port', found '%.37s...'", expr + 5);
	expect_error(expr, 6, message);
}

Test(filter, null_error_is_allowed)
{
	struct frx_filter *f = NULL;

	cr_expect_eq(frx_filter_compile("port x", &f, NULL), -EINVAL);
	cr_expect_null(f);
	frx_filter_free(NULL);
}

/* Random token soups: each either compiles or fails with a column inside (or one past) the text. */
Test(filter, random_expressions_never_crash)
{
	static const char *const words[] = {
		"src", "dst", "ip", "net", "port", "proto", "tcp", "and", "or", "not", "(", ")", "[", "]", ",",
		"in", "if", "10.0.0.0/8", "2001:db8::/32", "80", ">", "<=", "!=", "!", "&&", "||", "flags", "SA",
		"engine", "1/2", "bytes", "1M", "as", "eq", "exporter", "any", "icmp-type", "3", "=", "&", "x",
	};
	struct frx_flowrec r = base_rec();
	unsigned int seed = 12345;

	for (int iter = 0; iter < 20000; iter++) {
		char expr[256];
		size_t len = 0;
		int n = 1 + (int)(seed % 9);

		for (int k = 0; k < n; k++) {
			seed = seed * 1103515245u + 12345u;
			len += (size_t)snprintf(expr + len, sizeof(expr) - len, "%s ",
						words[(seed >> 8) % (sizeof(words) / sizeof(words[0]))]);
		}
		struct frx_filter_error err;
		struct frx_filter *f = NULL;
		int rc = frx_filter_compile(expr, &f, &err);

		if (rc == 0) {
			(void)frx_filter_match(f, &r);
			frx_filter_free(f);
		} else {
			cr_assert_eq(rc, -EINVAL);
			cr_assert(err.column >= 1 && err.column <= strlen(expr) + 1, "'%s': column %u", expr,
				  err.column);
			cr_assert(err.message[0] != '\0');
		}
	}
}
