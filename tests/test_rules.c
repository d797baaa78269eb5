/* SPDX-License-Identifier: BSD-3-Clause */
/* Rules: the parser's errors and the reference classification. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "flowrec.h"
#include "rules.h"

static struct frx_ruleset *rs;
static struct frx_rules_scratch *scratch;
static char err[512];

static void
teardown(void)
{
	frx_rules_scratch_free(scratch);
	frx_rules_free(rs);
	scratch = NULL;
	rs = NULL;
}

TestSuite(rules, .fini = teardown);

static void
load(const char *text)
{
	int rc = frx_rules_parse_string(text, strlen(text), "r.ini", &rs, err, sizeof(err));

	cr_assert_eq(rc, 0, "rules did not load: %s", err);
	scratch = frx_rules_scratch_alloc(rs);
	cr_assert_not_null(scratch);
}

/* The error of a bad rules text, which must not load. */
static const char *
bad(const char *text)
{
	struct frx_ruleset *got = NULL;
	int rc = frx_rules_parse_string(text, strlen(text), "r.ini", &got, err, sizeof(err));

	cr_assert_eq(rc, -EINVAL, "loaded (rc %d) but should not: %s", rc, text);
	cr_assert_null(got);
	return err;
}

static struct frx_flowrec
rec4(const char *src, const char *dst, uint16_t sport, uint16_t dport, uint8_t proto)
{
	struct frx_flowrec r;

	memset(&r, 0, sizeof(r));
	cr_assert_eq(frx_addr_parse(src, r.src_addr), 0);
	cr_assert_eq(frx_addr_parse(dst, r.dst_addr), 0);
	cr_assert_eq(frx_addr_parse("192.0.2.1", r.exporter_addr), 0);
	if (!frx_addr_is_v4(r.src_addr))
		r.flags |= FRX_REC_F_IPV6;
	r.src_port = sport;
	r.dst_port = dport;
	r.proto = proto;
	r.bytes = 1000;
	r.packets = 1;
	return r;
}

/* Name of the rule a record matches, "-" for none. */
static const char *
winner(const struct frx_flowrec *r, const struct frx_rec_strings *str)
{
	int i = frx_rules_classify(rs, scratch, r, str);

	return i < 0 ? "-" : rs->rules[i].name;
}

static struct frx_rec_strings
strings(const char *application, const char *in_if_name)
{
	struct frx_rec_strings s;

	memset(&s, 0, sizeof(s));
	if (application) {
		s.ptr[FRX_STR_APPLICATION] = (const uint8_t *)application;
		s.len[FRX_STR_APPLICATION] = (uint16_t)strlen(application);
	}
	if (in_if_name) {
		s.ptr[FRX_STR_IN_IF_NAME] = (const uint8_t *)in_if_name;
		s.len[FRX_STR_IN_IF_NAME] = (uint16_t)strlen(in_if_name);
	}
	return s;
}

Test(rules, a_complete_file_parses_with_every_key)
{
	load("# customer traffic\n"
	     "[rule web]\n"
	     "priority = 10\n"
	     "exporter = 192.0.2.0/24, 2001:db8::/32\n"
	     "src = 10.0.0.0/8\n"
	     "src = 172.16.0.0/12   ; repeatable\n"
	     "dst = 198.51.100.0/24\n"
	     "src_port = 1024-65535\n"
	     "dst_port = 443\n"
	     "proto = tcp\n"
	     "tos = 0x20/0xe0\n"
	     "tcp_flags = S/SA\n"
	     "in_if = 1-10\n"
	     "out_if = 7\n"
	     "src_as = 64512-65534\n"
	     "dst_as = 15169\n"
	     "application = ~ /netflix|youtube/i\n"
	     "in_if_name = \"ge-0/0/1\"\n"
	     "action = class 7\n");
	cr_assert_eq(rs->nb_rules, 1);
	const struct frx_rule *r = &rs->rules[0];
	cr_assert_str_eq(r->name, "web");
	cr_assert_eq(r->priority, 10);
	cr_assert_eq(r->line, 2);
	cr_assert_eq(r->nb_exporter, 2);
	cr_assert_eq(r->nb_src, 2);
	cr_assert_eq(r->src[1].len, 96 + 12);
	cr_assert_eq(r->src_port.lo, 1024);
	cr_assert_eq(r->src_port.hi, 65535);
	cr_assert_eq(r->dst_port.lo, 443);
	cr_assert_eq(r->proto, 6);
	cr_assert_eq(r->tos, 0x20);
	cr_assert_eq(r->tos_mask, 0xe0);
	cr_assert_eq(r->tcp_flags, 0x02);
	cr_assert_eq(r->tcp_flags_mask, 0x12);
	cr_assert_eq(r->in_if.hi, 10);
	cr_assert_eq(r->dst_as.lo, 15169);
	cr_assert_eq(r->nb_patterns, 2);
	cr_assert_eq(r->action, FRX_RULE_CLASS);
	cr_assert_eq(r->class_id, 7);
	cr_assert_not_null(rs->hs_db);
}

Test(rules, overlapping_prefixes_the_higher_priority_wins)
{
	load("[rule wide]\npriority = 1\nsrc = 10.0.0.0/8\naction = class 1\n"
	     "[rule narrow]\npriority = 5\nsrc = 10.1.0.0/16\naction = class 2\n"
	     "[rule narrower-low]\npriority = 0\nsrc = 10.1.2.0/24\naction = drop\n");
	struct frx_flowrec a = rec4("10.1.2.3", "1.1.1.1", 1, 2, 6);
	struct frx_flowrec b = rec4("10.2.0.1", "1.1.1.1", 1, 2, 6);
	struct frx_flowrec c = rec4("11.0.0.1", "1.1.1.1", 1, 2, 6);

	cr_assert_str_eq(winner(&a, NULL), "narrow", "longer prefix does not matter, priority does");
	cr_assert_str_eq(winner(&b, NULL), "wide");
	cr_assert_str_eq(winner(&c, NULL), "-");
}

Test(rules, equal_priorities_keep_file_order)
{
	load("[rule first]\ndst_port = 80\naction = keep\n[rule second]\ndst_port = 80\naction = drop\n");
	struct frx_flowrec a = rec4("10.0.0.1", "10.0.0.2", 1, 80, 6);

	cr_assert_str_eq(winner(&a, NULL), "first");
}

Test(rules, port_ranges_are_inclusive)
{
	load("[rule high]\nsrc_port = 1024-65535\ndst_port = 443\naction = class 3\n");
	struct frx_flowrec r;

	r = rec4("10.0.0.1", "10.0.0.2", 1024, 443, 6);
	cr_assert_str_eq(winner(&r, NULL), "high");
	r = rec4("10.0.0.1", "10.0.0.2", 65535, 443, 6);
	cr_assert_str_eq(winner(&r, NULL), "high");
	r = rec4("10.0.0.1", "10.0.0.2", 1023, 443, 6);
	cr_assert_str_eq(winner(&r, NULL), "-");
	r = rec4("10.0.0.1", "10.0.0.2", 2000, 444, 6);
	cr_assert_str_eq(winner(&r, NULL), "-");
}

Test(rules, ipv6_prefixes_match_only_ipv6_flows)
{
	load("[rule v6]\nsrc = 2001:db8::/32\naction = class 6\n"
	     "[rule any6]\npriority = -1\ndst = ::/0\naction = class 9\n"
	     "[rule v4]\nsrc = 0.0.0.0/0\naction = class 4\n");
	struct frx_flowrec a = rec4("2001:db8:5::1", "2001:db9::1", 1, 2, 17);
	struct frx_flowrec b = rec4("2001:db9::1", "2001:db8::1", 1, 2, 17);
	struct frx_flowrec c = rec4("10.0.0.1", "10.0.0.2", 1, 2, 17);

	cr_assert_str_eq(winner(&a, NULL), "v6");
	cr_assert_str_eq(winner(&b, NULL), "any6");
	cr_assert_str_eq(winner(&c, NULL), "v4", "::/0 is not an IPv4 prefix");
}

Test(rules, exporter_proto_tos_flags_interfaces_and_as)
{
	load("[rule e]\nexporter = 192.0.2.0/30\nproto = 17\naction = class 1\n"
	     "[rule f]\ntcp_flags = S/SA\naction = class 2\n"
	     "[rule t]\ntos = 0xb8\naction = class 3\n"
	     "[rule i]\nin_if = 5-6\nout_if = 9\naction = class 4\n"
	     "[rule a]\nsrc_as = 65000\ndst_as = 1-10\naction = class 5\n");
	struct frx_flowrec r = rec4("10.0.0.1", "10.0.0.2", 1, 2, 17);

	cr_assert_str_eq(winner(&r, NULL), "e");
	cr_assert_eq(frx_addr_parse("192.0.2.4", r.exporter_addr), 0);
	cr_assert_str_eq(winner(&r, NULL), "-");
	r.proto = 6;
	r.tcp_flags = 0x02 | 0x08;
	cr_assert_str_eq(winner(&r, NULL), "f", "SYN without ACK, PSH ignored");
	r.tcp_flags = 0x12;
	cr_assert_str_eq(winner(&r, NULL), "-");
	r.tos = 0xb8;
	cr_assert_str_eq(winner(&r, NULL), "t");
	r.tos = 0;
	r.in_if = 6;
	r.out_if = 9;
	cr_assert_str_eq(winner(&r, NULL), "i");
	r.out_if = 8;
	cr_assert_str_eq(winner(&r, NULL), "-");
	r.src_as = 65000;
	r.dst_as = 10;
	cr_assert_str_eq(winner(&r, NULL), "a");
}

Test(rules, regex_literal_and_caseless_strings)
{
	load("[rule streaming]\npriority = 3\napplication = ~ /netflix|youtube/\naction = class 7\n"
	     "[rule exact]\npriority = 2\napplication = dns\naction = class 8\n"
	     "[rule shout]\npriority = 1\napplication = ~ /^HTTP/i\naction = class 9\n"
	     "[rule port]\ndst_port = 53\naction = keep\n");
	struct frx_flowrec r = rec4("10.0.0.1", "10.0.0.2", 1, 53, 17);
	struct frx_rec_strings s;

	s = strings("netflix-video", NULL);
	cr_assert_str_eq(winner(&r, &s), "streaming");
	s = strings("dns", NULL);
	cr_assert_str_eq(winner(&r, &s), "exact");
	s = strings("dns-over-tls", NULL);
	cr_assert_str_eq(winner(&r, &s), "port", "a literal is the whole string");
	s = strings("http2", NULL);
	cr_assert_str_eq(winner(&r, &s), "shout");
	cr_assert_str_eq(winner(&r, NULL), "port", "no strings: string rules cannot match");
	s = strings("youtube\0\0\0", NULL);
	s.len[FRX_STR_APPLICATION] = 10;
	cr_assert_str_eq(winner(&r, &s), "streaming", "NUL padding is not part of the string");
}

Test(rules, string_rule_that_fails_falls_through_to_lower_priority)
{
	load("[rule s]\npriority = 9\ndst_port = 443\napplication = ~ /zoom/\nin_if_name = ~ /^ge-/\naction = drop\n"
	     "[rule n]\ndst_port = 443\naction = class 2\n");
	struct frx_flowrec r = rec4("10.0.0.1", "10.0.0.2", 1, 443, 6);
	struct frx_rec_strings s;

	s = strings("zoom", "ge-0/0/0");
	cr_assert_str_eq(winner(&r, &s), "s");
	s = strings("zoom", "xe-0/0/0");
	cr_assert_str_eq(winner(&r, &s), "n", "every field of the rule must match");
	s = strings("zoom", NULL);
	cr_assert_str_eq(winner(&r, &s), "n");
}

Test(rules, same_string_key_twice_means_either)
{
	load("[rule s]\napplication = a\napplication = b\naction = drop\n");
	struct frx_flowrec r = rec4("10.0.0.1", "10.0.0.2", 1, 443, 6);
	struct frx_rec_strings s = strings("b", NULL);

	cr_assert_str_eq(winner(&r, &s), "s");
}

Test(rules, errors_name_the_file_and_line)
{
	cr_assert_str_eq(bad("[rule a]\naction = drop\n\n[rule b]\nsrc = 10.0.0.0/33\naction = keep\n"),
			 "r.ini:5: src: '10.0.0.0/33': prefix length must be 0-32");
	cr_assert_str_eq(bad("[rule a]\nsrc = 10.0.0.1/8\naction = drop\n"),
			 "r.ini:2: src: '10.0.0.1/8': host bits set after the prefix length");
	cr_assert_str_eq(bad("[rule a]\ndst_port = 80-20\naction = drop\n"),
			 "r.ini:2: dst_port: '80-20' is not a port or a range LOW-HIGH of 0-65535");
	cr_assert_str_eq(bad("[rule a]\nsrc_port = 70000\naction = drop\n"),
			 "r.ini:2: src_port: '70000' is not a port or a range LOW-HIGH of 0-65535");
	cr_assert_str_eq(bad("[rule a]\naction = reject\n"), "r.ini:2: action: 'reject' is not drop, keep or class N");
	cr_assert_str_eq(bad("[rule a]\naction = class 0\n"), "r.ini:2: action: class wants a number 1-65535, not '0'");
	cr_assert_str_eq(bad("[rule a]\nsrc = 10.0.0.0/8\n"), "r.ini:1: rule 'a' has no action (drop, keep or class N)");
	cr_assert_str_eq(bad("[rule a]\naction = drop\ncolour = red\n"), "r.ini:3: unknown key 'colour' (see docs/rules.md)");
	cr_assert_str_eq(bad("action = drop\n"), "r.ini:1: 'action' outside a [rule NAME] section");
	cr_assert_str_eq(bad("[filter a]\naction = drop\n"), "r.ini:1: unknown section [filter a] (a rule is [rule NAME])");
	cr_assert_str_eq(bad("[rule a]\naction = drop\n[rule a]\naction = keep\n"),
			 "r.ini:3: rule 'a' defined twice (first at line 1)");
	cr_assert_str_eq(bad("[rule a]\naction = drop\n[rule b]\naction = keep\n[rule a]\nproto = 6\n"),
			 "r.ini:5: rule 'a' defined twice (first at line 1)");
	cr_assert_str_eq(bad("[rule a]\naction = drop\naction = keep\n"), "r.ini:3: 'action' given twice in rule 'a'");
	cr_assert_str_eq(bad("[rule a]\naction = drop\n[rule b]\n"),
			 "r.ini:3: section [rule b] has no keys (a rule needs at least action =)");
	cr_assert_str_eq(bad("[rule a]\naction = drop\nthis line has no equals sign\n"),
			 "r.ini:3: syntax error (want KEY = VALUE, [rule NAME] or a # comment)");
	cr_assert_str_eq(bad("[rule a]\npriority = high\naction = drop\n"),
			 "r.ini:2: priority: 'high' is not an integer in -1000000000..1000000000");
	cr_assert_str_eq(bad("[rule a]\ntcp_flags = SX\naction = drop\n"),
			 "r.ini:2: tcp_flags: 'SX' is not FLAGS or FLAGS/MASK (numbers, or letters of FSRPAUEC; value within mask)");
	cr_assert_str_eq(bad("[rule a]\ntos = 3/1\naction = drop\n"),
			 "r.ini:2: tos: '3/1' is not VALUE or VALUE/MASK (0-255, value within mask)");
	cr_assert_str_eq(bad("[rule a]\nproto = tcpx\naction = drop\n"),
			 "r.ini:2: proto: 'tcpx' is not a protocol number 0-255 or name (tcp, udp, icmp, ...)");
	cr_assert_str_eq(bad("[rule a]\napplication = ~ netflix\naction = drop\n"),
			 "r.ini:2: application: a regular expression is written ~ /REGEX/ (or /REGEX/i)");
	cr_assert_str_eq(bad("[rule a]\napplication = ~ /x/g\naction = drop\n"),
			 "r.ini:2: application: unknown regex flag 'g' after /REGEX/ (only i)");
	cr_assert_str_eq(bad("[rule bad name]\naction = drop\n"),
			 "r.ini:1: bad rule name 'bad name' (1-63 characters: letters, digits, _-.:/@+)");
}

Test(rules, a_regex_hyperscan_refuses_is_reported_at_its_line)
{
	const char *e = bad("[rule a]\naction = drop\n# comment\napplication = ~ /(unclosed/\n");

	cr_assert(strncmp(e, "r.ini:4: rule 'a': application regex '(unclosed': ", 50) == 0, "got: %s", e);
}

Test(rules, long_lines_are_refused_not_split)
{
	char text[600];

	snprintf(text, sizeof(text), "[rule a]\naction = drop\napplication = %0300d\n", 7);
	cr_assert_str_eq(bad(text), "r.ini:3: line longer than 196 characters");
}

Test(rules, empty_file_is_an_empty_rule_set)
{
	load("# nothing yet\n\n");
	cr_assert_eq(rs->nb_rules, 0);
	struct frx_flowrec r = rec4("10.0.0.1", "10.0.0.2", 1, 443, 6);
	cr_assert_str_eq(winner(&r, NULL), "-");
}

Test(rules, missing_file_names_the_file)
{
	struct frx_ruleset *got = NULL;

	cr_assert_eq(frx_rules_load("/nonexistent/rules.ini", &got, err, sizeof(err)), -ENOENT);
	cr_assert_str_eq(err, "/nonexistent/rules.ini: No such file or directory");
}

/* Rules may live in flowrx's configuration file: its sections (settings,
 * [exporter ADDR]) are passed over, even empty ones; anything else that is
 * not [rule NAME] is still an error. */
Test(rules, configuration_sections_around_rules_are_passed_over)
{
	load("[eal]\nlcores = 0-1\n\n[rule a]\naction = drop\ndst = 10.255.0.0/16\n\n"
	     "[exporter 192.0.2.1]\nsampling = 100\n\n[output]\n\n[rule b]\naction = class 3\n"
	     "dst_port = 443\n[rules]\n");
	cr_assert_eq(rs->nb_rules, 2);
	cr_assert_str_eq(rs->rules[0].name, "a");
	cr_assert_str_eq(rs->rules[1].name, "b");
	cr_assert_eq(rs->rules[1].line, 13);
	cr_assert_str_eq(bad("[output]\ndir = x\n[outptu]\naction = drop\n"),
			 "r.ini:3: unknown section [outptu] (a rule is [rule NAME])");
}
