/* SPDX-License-Identifier: BSD-3-Clause */
/* NetFlow v9 and IPFIX decoding: templates, data, options, times, bounds. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "flowrec.h"
#include "ipfix.h"
#include "ipfixbuild.h"

#define NOW_MS 1763900000000ull
#define EXPORT_SECS 1763900000u
#define UPTIME 7200000u

static struct ib_msg msg;
static struct frx_flowrec recs[4096];
static struct frx_recbuf rb;
static struct frx_pdu_info info;
static struct frx_exporter exporter;
static struct frx_decoder_conf conf;
static struct frx_decoder *dec;

static void
setup(void)
{
	memset(&exporter, 0, sizeof(exporter));
	frx_addr_set_v4(exporter.addr, "\xc0\x00\x02\x09"); /* 192.0.2.9 */
	exporter.port = 4000;
	frx_decoder_conf_defaults(&conf);
	dec = frx_decoder_create(&conf);
	cr_assert_not_null(dec);
	frx_recbuf_init_array(&rb, recs, 4096);
}

static void
teardown(void)
{
	frx_decoder_free(dec);
}

TestSuite(ipfix, .init = setup, .fini = teardown);

static enum frx_status
decode_at(uint64_t now_ms)
{
	size_t len = ib_end(&msg);

	return frx_decode(dec, msg.buf, (uint32_t)len, &exporter, now_ms, &rb, &info);
}

static enum frx_status
decode(void)
{
	return decode_at(NOW_MS);
}

static void
recreate(void)
{
	frx_decoder_free(dec);
	dec = frx_decoder_create(&conf);
	cr_assert_not_null(dec);
}

static const struct ib_field v4_fields[] = {
	{ 8, 4 }, { 12, 4 }, { 15, 4 }, { 7, 2 }, { 11, 2 }, { 4, 1 }, { 5, 1 }, { 6, 1 },
	{ 10, 2 }, { 14, 2 }, { 2, 4 }, { 1, 4 }, { 22, 4 }, { 21, 4 }, { 16, 2 }, { 17, 2 },
	{ 9, 1 }, { 13, 1 },
};
#define NB_V4 (sizeof(v4_fields) / sizeof(v4_fields[0]))

static void
v4_record_fields(unsigned int i)
{
	ib_ip4(&msg, "10.0.0.1");
	msg.buf[msg.len - 1] = (uint8_t)(1 + i);
	ib_ip4(&msg, "198.51.100.7");
	ib_ip4(&msg, "10.0.0.254");
	ib_uint(&msg, 40000 + i, 2);
	ib_uint(&msg, 443, 2);
	ib_uint(&msg, 6, 1);
	ib_uint(&msg, 0x20, 1);
	ib_uint(&msg, 0x12, 1);
	ib_uint(&msg, 3, 2);
	ib_uint(&msg, 4, 2);
	ib_uint(&msg, 10 + i, 4);
	ib_uint(&msg, 1000 * (10 + i), 4);
	ib_uint(&msg, UPTIME - 30000, 4);
	ib_uint(&msg, UPTIME - 1000, 4);
	ib_uint(&msg, 64500, 2);
	ib_uint(&msg, 15169, 2);
	ib_uint(&msg, 24, 1);
	ib_uint(&msg, 16, 1);
}

static void
v4_record(unsigned int i)
{
	v4_record_fields(i);
	ib_record_done(&msg);
}

static void
check_v4_record(const struct frx_flowrec *r, unsigned int i, unsigned int version)
{
	uint8_t want[16];

	frx_addr_set_v4(want, "\x0a\x00\x00\x01");
	want[15] = (uint8_t)(1 + i);
	cr_assert_arr_eq(r->src_addr, want, 16);
	frx_addr_set_v4(want, "\xc6\x33\x64\x07");
	cr_assert_arr_eq(r->dst_addr, want, 16);
	frx_addr_set_v4(want, "\x0a\x00\x00\xfe");
	cr_assert_arr_eq(r->next_hop, want, 16);
	cr_assert_eq(r->src_port, 40000 + i);
	cr_assert_eq(r->dst_port, 443);
	cr_assert_eq(r->proto, 6);
	cr_assert_eq(r->tos, 0x20);
	cr_assert_eq(r->tcp_flags, 0x12);
	cr_assert_eq(r->in_if, 3);
	cr_assert_eq(r->out_if, 4);
	cr_assert_eq(r->packets, 10 + i);
	cr_assert_eq(r->bytes, 1000 * (10 + i));
	cr_assert_eq(r->src_as, 64500);
	cr_assert_eq(r->dst_as, 15169);
	cr_assert_eq(r->src_mask, 24);
	cr_assert_eq(r->dst_mask, 16);
	cr_assert_eq(r->version, version);
	cr_assert_eq(r->domain, 77);
	cr_assert_eq(r->flows, 1);
	cr_assert_arr_eq(r->exporter_addr, exporter.addr, 16);
	cr_assert_eq(r->exporter_port, 4000);
	cr_assert_eq(r->flags & FRX_REC_F_IPV6, 0);
}

Test(ipfix, v9_template_then_data_decodes_every_field)
{
	ib_begin(&msg, 9, UPTIME, EXPORT_SECS, 1, 77);
	ib_set(&msg, 0);
	ib_template(&msg, 256, v4_fields, NB_V4);
	ib_set(&msg, 256);
	v4_record(0);
	v4_record(1);
	ib_set_end(&msg, 2); /* flowset padding */
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(rb.count, 2);
	for (unsigned int i = 0; i < 2; i++) {
		check_v4_record(&recs[i], i, 9);
		cr_assert_eq(recs[i].first_ms, EXPORT_SECS * 1000ull - 30000);
		cr_assert_eq(recs[i].last_ms, EXPORT_SECS * 1000ull - 1000);
	}
	cr_assert_eq(info.domain, 77);
	cr_assert_eq(info.sequence, 1);
	cr_assert_eq(dec->tmpl->c.templates_added, 1);
}

Test(ipfix, v9_sets_are_walked_by_length_not_by_header_count)
{
	/* softflowd counts only data records; RFC 3954 counts all. Neither
	 * may stop the walk: here the count says 1 and three sets follow. */
	ib_begin(&msg, 9, UPTIME, EXPORT_SECS, 1, 77);
	msg.count_override = 1;
	ib_set(&msg, 0);
	ib_template(&msg, 256, v4_fields, NB_V4);
	ib_set(&msg, 256);
	v4_record(0);
	ib_set(&msg, 256);
	v4_record(1);
	v4_record(2);
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(rb.count, 3);
	check_v4_record(&recs[2], 2, 9);
}

Test(ipfix, ipfix_ipv6_reduced_size_varlen_enterprise_and_padding)
{
	static const struct ib_field f[] = {
		{ 27, 16 }, { 28, 16 }, { 62, 16 }, { 7, 2 }, { 11, 2 }, { 4, 1 },
		{ 6, 2 },            /* tcpControlBits, 2 bytes */
		{ 1, 4 },            /* octetDeltaCount in 4 bytes instead of 8 */
		{ 2, 3 },            /* packetDeltaCount in 3 bytes */
		{ 82, 0xffff },      /* interfaceName, variable length */
		{ 12345, 6, 9 },     /* enterprise element (PEN 9): skipped */
		{ 96, 0xffff },      /* applicationName, variable length, unmapped */
		{ 152, 8 }, { 153, 8 }, { 16, 4 }, { 17, 4 }, /* 4-byte AS numbers */
		{ 29, 1 }, { 30, 1 }, { 61, 1 }, { 58, 2 }, { 59, 2 }, { 89, 1 },
	};
	uint8_t want[16];

	ib_begin(&msg, 10, 0, EXPORT_SECS, 9, 77);
	ib_set(&msg, 2);
	ib_template(&msg, 300, f, sizeof(f) / sizeof(f[0]));
	ib_set(&msg, 300);
	for (unsigned int i = 0; i < 2; i++) {
		ib_ip6(&msg, "2001:db8::1");
		ib_ip6(&msg, "2001:db8:1::2");
		ib_ip6(&msg, "fe80::1");
		ib_uint(&msg, 5353, 2);
		ib_uint(&msg, 53, 2);
		ib_uint(&msg, 17, 1);
		ib_uint(&msg, 0x0112, 2);
		ib_uint(&msg, 3000000000u + i, 4);
		ib_uint(&msg, 70000, 3);
		ib_varlen(&msg, "eth0", 4, i == 1); /* record 2 uses the 3-byte length prefix */
		ib_bytes(&msg, "vendor", 6);
		ib_varlen(&msg, "dns", 3, 0);
		ib_uint(&msg, NOW_MS - 5000, 8);
		ib_uint(&msg, NOW_MS - 10, 8);
		ib_uint(&msg, 4200000000u, 4);
		ib_uint(&msg, 65551, 4);
		ib_uint(&msg, 48, 1);
		ib_uint(&msg, 64, 1);
		ib_uint(&msg, 1, 1);
		ib_uint(&msg, 100, 2);
		ib_uint(&msg, 200, 2);
		ib_uint(&msg, 66, 1);
	}
	ib_set_end(&msg, 3);
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(rb.count, 2, "padding must not become a record");
	cr_assert_eq(dec->tmpl->c.records_bad_varlen, 0, "padding is not a damaged record");
	for (unsigned int i = 0; i < 2; i++) {
		const struct frx_flowrec *r = &recs[i];

		cr_assert(r->flags & FRX_REC_F_IPV6);
		cr_assert_eq(r->src_addr[0], 0x20);
		cr_assert_eq(r->dst_addr[5], 0x01);
		memset(want, 0, 16);
		want[0] = 0xfe;
		want[1] = 0x80;
		want[15] = 1;
		cr_assert_arr_eq(r->next_hop, want, 16);
		cr_assert_eq(r->src_port, 5353);
		cr_assert_eq(r->dst_port, 53);
		cr_assert_eq(r->proto, 17);
		cr_assert_eq(r->tcp_flags, 0x12, "low 8 bits of the 16-bit tcpControlBits");
		cr_assert_eq(r->bytes, 3000000000u + i);
		cr_assert_eq(r->packets, 70000);
		cr_assert_eq(r->first_ms, NOW_MS - 5000);
		cr_assert_eq(r->last_ms, NOW_MS - 10);
		cr_assert_eq(r->src_as, 4200000000u);
		cr_assert_eq(r->dst_as, 65551);
		cr_assert_eq(r->src_mask, 48);
		cr_assert_eq(r->dst_mask, 64);
		cr_assert_eq(r->direction, FRX_DIR_EGRESS);
		cr_assert_eq(r->src_vlan, 100);
		cr_assert_eq(r->dst_vlan, 200);
		cr_assert_eq(r->forwarding_status, 66);
		cr_assert_eq(r->version, 10);
	}
}

Test(ipfix, data_before_template_is_kept_and_decoded_when_it_arrives)
{
	ib_begin(&msg, 9, UPTIME, EXPORT_SECS, 1, 77);
	ib_set(&msg, 256);
	v4_record(0);
	v4_record(1);
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(rb.count, 0);
	cr_assert_eq(dec->tmpl->c.sets_unknown_template, 1);
	cr_assert_eq(dec->tmpl->c.sets_backlogged, 1);

	/* the template comes later, with new data; the old data keeps its own header time */
	ib_begin(&msg, 9, UPTIME + 60000, EXPORT_SECS + 60, 2, 77);
	ib_set(&msg, 0);
	ib_template(&msg, 256, v4_fields, NB_V4);
	cr_assert_eq(decode_at(NOW_MS + 1000), FRX_OK);
	cr_assert_eq(rb.count, 2);
	cr_assert_eq(dec->tmpl->c.sets_backlog_decoded, 1);
	check_v4_record(&recs[0], 0, 9);
	cr_assert_eq(recs[0].first_ms, EXPORT_SECS * 1000ull - 30000, "backlog uses its own header");
}

Test(ipfix, backlog_expires_and_is_counted)
{
	ib_begin(&msg, 10, 0, EXPORT_SECS, 1, 77);
	ib_set(&msg, 400);
	ib_uint(&msg, 1, 4);
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(dec->tmpl->c.sets_backlogged, 1);
	frx_decoder_tick(dec, NOW_MS + (conf.tmpl.backlog_timeout_s + 2) * 1000ull);
	cr_assert_eq(dec->tmpl->c.sets_backlog_expired, 1);
	/* the template now finds nothing to decode */
	ib_begin(&msg, 10, 0, EXPORT_SECS, 2, 77);
	ib_set(&msg, 2);
	ib_template(&msg, 400, (const struct ib_field[]){ { 2, 4 } }, 1);
	cr_assert_eq(decode_at(NOW_MS + (conf.tmpl.backlog_timeout_s + 3) * 1000ull), FRX_OK);
	cr_assert_eq(rb.count, 0);
}

Test(ipfix, backlog_is_bounded_per_session)
{
	conf.tmpl.max_backlog_per_session = 2;
	recreate();
	for (int i = 0; i < 5; i++) {
		ib_begin(&msg, 10, 0, EXPORT_SECS, (uint32_t)i, 77);
		ib_set(&msg, 400);
		ib_uint(&msg, 1, 4);
		decode();
	}
	cr_assert_eq(dec->tmpl->c.sets_backlogged, 2);
	cr_assert_eq(dec->tmpl->c.sets_backlog_dropped, 3);
}

Test(ipfix, redefined_template_applies_from_that_packet_on)
{
	ib_begin(&msg, 10, 0, EXPORT_SECS, 1, 77);
	ib_set(&msg, 2);
	ib_template(&msg, 300, (const struct ib_field[]){ { 7, 2 }, { 11, 2 } }, 2);
	ib_set(&msg, 300);
	ib_uint(&msg, 1111, 2);
	ib_uint(&msg, 2222, 2);
	/* same id, now destination first and with packets */
	ib_set(&msg, 2);
	ib_template(&msg, 300, (const struct ib_field[]){ { 11, 2 }, { 7, 2 }, { 2, 4 } }, 3);
	ib_set(&msg, 300);
	ib_uint(&msg, 3333, 2);
	ib_uint(&msg, 4444, 2);
	ib_uint(&msg, 5, 4);
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(rb.count, 2);
	cr_assert_eq(recs[0].src_port, 1111);
	cr_assert_eq(recs[0].dst_port, 2222);
	cr_assert_eq(recs[1].dst_port, 3333);
	cr_assert_eq(recs[1].src_port, 4444);
	cr_assert_eq(recs[1].packets, 5);
	cr_assert_eq(dec->tmpl->c.templates_redefined, 1);
}

Test(ipfix, template_refresh_is_counted_not_redefined)
{
	for (int i = 0; i < 3; i++) {
		ib_begin(&msg, 10, 0, EXPORT_SECS, (uint32_t)i, 77);
		ib_set(&msg, 2);
		ib_template(&msg, 300, (const struct ib_field[]){ { 7, 2 } }, 1);
		decode();
	}
	cr_assert_eq(dec->tmpl->c.templates_added, 1);
	cr_assert_eq(dec->tmpl->c.templates_refreshed, 2);
	cr_assert_eq(dec->tmpl->c.templates_redefined, 0);
}

static void
learn_two_templates_and_options(void)
{
	ib_begin(&msg, 10, 0, EXPORT_SECS, 1, 77);
	ib_set(&msg, 2);
	ib_template(&msg, 300, (const struct ib_field[]){ { 7, 2 } }, 1);
	ib_template(&msg, 301, (const struct ib_field[]){ { 11, 2 } }, 1);
	ib_set(&msg, 3);
	ib_options_template(&msg, 302, (const struct ib_field[]){ { 149, 4 }, { 34, 4 } }, 2, 1);
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(dec->tmpl->nb_templates, 3);
}

static unsigned int
records_of(uint16_t set_id)
{
	ib_begin(&msg, 10, 0, EXPORT_SECS, 2, 77);
	ib_set(&msg, set_id);
	ib_uint(&msg, 9, 2);
	frx_recbuf_init_array(&rb, recs, 4096);
	decode();
	return rb.count;
}

Test(ipfix, withdrawal_of_one_template)
{
	learn_two_templates_and_options();
	ib_begin(&msg, 10, 0, EXPORT_SECS, 2, 77);
	ib_set(&msg, 2);
	ib_withdraw(&msg, 300);
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(dec->tmpl->c.templates_withdrawn, 1);
	cr_assert_eq(records_of(300), 0, "withdrawn template no longer decodes");
	cr_assert_eq(records_of(301), 1);
}

Test(ipfix, withdrawal_of_all_templates_keeps_options_templates)
{
	learn_two_templates_and_options();
	ib_begin(&msg, 10, 0, EXPORT_SECS, 2, 77);
	ib_set(&msg, 2);
	ib_withdraw(&msg, 2); /* RFC 7011 §8.1: id 2 = all data templates */
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(dec->tmpl->c.templates_withdrawn, 2);
	cr_assert_eq(dec->tmpl->nb_templates, 1);
	ib_begin(&msg, 10, 0, EXPORT_SECS, 3, 77);
	ib_set(&msg, 3);
	ib_withdraw(&msg, 3); /* all options templates */
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(dec->tmpl->nb_templates, 0);
}

Test(ipfix, expired_template_stops_decoding)
{
	conf.tmpl.template_timeout_s = 60;
	recreate();
	learn_two_templates_and_options();
	cr_assert_eq(records_of(300), 1);
	ib_begin(&msg, 10, 0, EXPORT_SECS, 2, 77);
	ib_set(&msg, 300);
	ib_uint(&msg, 9, 2);
	frx_recbuf_init_array(&rb, recs, 4096);
	cr_assert_eq(decode_at(NOW_MS + 61000), FRX_OK);
	cr_assert_eq(rb.count, 0);
	cr_assert_geq(dec->tmpl->c.templates_expired, 1);
	cr_assert_eq(dec->tmpl->c.sets_unknown_template, 1);
}

Test(ipfix, templates_are_per_domain_and_per_exporter_port)
{
	learn_two_templates_and_options();
	/* same exporter, other observation domain: unknown */
	ib_begin(&msg, 10, 0, EXPORT_SECS, 2, 78);
	ib_set(&msg, 300);
	ib_uint(&msg, 9, 2);
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(rb.count, 0);
	/* same domain, other UDP source port (RFC 7011 §8.4): unknown too */
	exporter.port = 4001;
	cr_assert_eq(records_of(300), 0);
	exporter.port = 4000;
	cr_assert_eq(records_of(300), 1);
}

Test(ipfix, v9_options_sampling_applies_exporter_wide)
{
	static const struct ib_field opt[] = { { 1, 4 } /* scope: system */, { 34, 4 }, { 35, 1 } };

	ib_begin(&msg, 9, UPTIME, EXPORT_SECS, 1, 77);
	ib_set(&msg, 1);
	ib_options_template(&msg, 260, opt, 3, 1);
	ib_set_end(&msg, 1);
	ib_set(&msg, 260);
	ib_uint(&msg, 0, 4);
	ib_uint(&msg, 1000, 4);
	ib_uint(&msg, 2, 1);
	ib_set(&msg, 0);
	ib_template(&msg, 256, v4_fields, NB_V4);
	ib_set(&msg, 256);
	v4_record(0);
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(rb.count, 1, "options records are not flow records");
	cr_assert_eq(recs[0].sampling_interval, 1000);
	cr_assert_eq(dec->tmpl->c.options_records, 1);
}

Test(ipfix, v9_sampler_table_applies_to_records_naming_the_sampler)
{
	static const struct ib_field opt[] = { { 2, 4 } /* scope: interface */, { 48, 1 }, { 49, 1 }, { 50, 4 } };
	static const struct ib_field data[] = { { 7, 2 }, { 48, 1 } };

	ib_begin(&msg, 9, UPTIME, EXPORT_SECS, 1, 77);
	ib_set(&msg, 1);
	ib_options_template(&msg, 260, opt, 4, 1);
	ib_set(&msg, 260);
	ib_uint(&msg, 1, 4); ib_uint(&msg, 5, 1); ib_uint(&msg, 2, 1); ib_uint(&msg, 512, 4);
	ib_uint(&msg, 2, 4); ib_uint(&msg, 6, 1); ib_uint(&msg, 2, 1); ib_uint(&msg, 64, 4);
	ib_set(&msg, 0);
	ib_template(&msg, 256, data, 2);
	ib_set(&msg, 256);
	ib_uint(&msg, 1, 2); ib_uint(&msg, 6, 1);
	ib_uint(&msg, 2, 2); ib_uint(&msg, 5, 1);
	ib_uint(&msg, 3, 2); ib_uint(&msg, 9, 1); /* unknown sampler: exporter-wide guess */
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(rb.count, 3);
	cr_assert_eq(recs[0].sampling_interval, 64);
	cr_assert_eq(recs[1].sampling_interval, 512);
	cr_assert_eq(recs[2].sampling_interval, 512, "first sampler seen is the exporter-wide fallback");
}

Test(ipfix, ipfix_selector_packet_interval_and_space)
{
	static const struct ib_field opt[] = { { 302, 4 }, { 305, 4 }, { 306, 4 } };
	static const struct ib_field data[] = { { 7, 2 }, { 302, 4 } };

	ib_begin(&msg, 10, 0, EXPORT_SECS, 1, 77);
	ib_set(&msg, 3);
	ib_options_template(&msg, 310, opt, 3, 1);
	ib_set(&msg, 310);
	ib_uint(&msg, 7, 4); ib_uint(&msg, 1, 4); ib_uint(&msg, 99, 4); /* 1 of every 100 */
	ib_set(&msg, 2);
	ib_template(&msg, 311, data, 2);
	ib_set(&msg, 311);
	ib_uint(&msg, 1, 2); ib_uint(&msg, 7, 4);
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(rb.count, 1);
	cr_assert_eq(recs[0].sampling_interval, 100, "got %u %u %u %u", recs[0].sampling_interval, recs[1].sampling_interval, recs[2].sampling_interval, recs[3].sampling_interval);
}

Test(ipfix, ipfix_sysuptime_times_use_system_init_time)
{
	static const struct ib_field opt[] = { { 149, 4 }, { 160, 8 } };
	static const struct ib_field data[] = { { 22, 4 }, { 21, 4 } };

	ib_begin(&msg, 10, 0, EXPORT_SECS, 1, 77);
	ib_set(&msg, 2);
	ib_template(&msg, 320, data, 2);
	ib_set(&msg, 320);
	ib_uint(&msg, 1000, 4); ib_uint(&msg, 5000, 4); /* before the init time is known */
	ib_set(&msg, 3);
	ib_options_template(&msg, 321, opt, 2, 1);
	ib_set(&msg, 321);
	ib_uint(&msg, 77, 4); ib_uint(&msg, NOW_MS - 100000, 8);
	ib_set(&msg, 320);
	ib_uint(&msg, 1000, 4); ib_uint(&msg, 5000, 4);
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(rb.count, 2);
	cr_assert_eq(recs[0].first_ms, 0, "unknown reference: empty, not garbage");
	cr_assert_eq(recs[1].first_ms, NOW_MS - 100000 + 1000);
	cr_assert_eq(recs[1].last_ms, NOW_MS - 100000 + 5000);
}

Test(ipfix, every_absolute_time_form)
{
	static const struct ib_field f_sec[] = { { 150, 4 }, { 151, 4 } };
	static const struct ib_field f_us[] = { { 154, 8 }, { 155, 8 } };
	static const struct ib_field f_ns[] = { { 156, 8 }, { 157, 8 } };
	static const struct ib_field f_delta[] = { { 158, 4 }, { 159, 4 } };
	static const struct ib_field f_dur[] = { { 152, 8 }, { 161, 4 } };
	const uint64_t ntp_secs = EXPORT_SECS + 2208988800ull;

	ib_begin(&msg, 10, 0, EXPORT_SECS, 1, 77);
	ib_set(&msg, 2);
	ib_template(&msg, 330, f_sec, 2);
	ib_template(&msg, 331, f_us, 2);
	ib_template(&msg, 332, f_ns, 2);
	ib_template(&msg, 333, f_delta, 2);
	ib_template(&msg, 334, f_dur, 2);
	ib_set(&msg, 330);
	ib_uint(&msg, EXPORT_SECS - 10, 4); ib_uint(&msg, EXPORT_SECS - 1, 4);
	ib_set(&msg, 331); /* NTP: seconds since 1900, then a 2^-32 fraction (.5 s) */
	ib_uint(&msg, (ntp_secs - 10) << 32 | 0x80000000u, 8); ib_uint(&msg, ntp_secs << 32, 8);
	ib_set(&msg, 332);
	ib_uint(&msg, (ntp_secs - 3) << 32 | 0x40000000u, 8); ib_uint(&msg, (ntp_secs - 2) << 32, 8);
	ib_set(&msg, 333); /* microseconds before the export time */
	ib_uint(&msg, 7000000, 4); ib_uint(&msg, 250000, 4);
	ib_set(&msg, 334);
	ib_uint(&msg, NOW_MS - 4000, 8); ib_uint(&msg, 1500, 4);
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(rb.count, 5);
	cr_assert_eq(recs[0].first_ms, (EXPORT_SECS - 10) * 1000ull);
	cr_assert_eq(recs[0].last_ms, (EXPORT_SECS - 1) * 1000ull);
	cr_assert_eq(recs[1].first_ms, (EXPORT_SECS - 10) * 1000ull + 500);
	cr_assert_eq(recs[1].last_ms, EXPORT_SECS * 1000ull);
	cr_assert_eq(recs[2].first_ms, (EXPORT_SECS - 3) * 1000ull + 250);
	cr_assert_eq(recs[3].first_ms, EXPORT_SECS * 1000ull - 7000);
	cr_assert_eq(recs[3].last_ms, EXPORT_SECS * 1000ull - 250);
	cr_assert_eq(recs[4].first_ms, NOW_MS - 4000);
	cr_assert_eq(recs[4].last_ms, NOW_MS - 2500, "start + duration");
}

Test(ipfix, exporter_without_interfaces_octets_or_times_leaves_them_empty)
{
	/* Extreme-style: addresses and packets only */
	static const struct ib_field f[] = { { 8, 4 }, { 12, 4 }, { 2, 4 } };

	ib_begin(&msg, 9, UPTIME, EXPORT_SECS, 1, 77);
	ib_set(&msg, 0);
	ib_template(&msg, 256, f, 3);
	ib_set(&msg, 256);
	ib_ip4(&msg, "10.0.0.1"); ib_ip4(&msg, "10.0.0.2"); ib_uint(&msg, 5, 4);
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(rb.count, 1);
	cr_assert_eq(recs[0].packets, 5);
	cr_assert_eq(recs[0].bytes, 0);
	cr_assert_eq(recs[0].in_if, 0);
	cr_assert_eq(recs[0].first_ms, 0);
	cr_assert_eq(recs[0].last_ms, 0);
}

Test(ipfix, operator_overrides_sampling_and_uptime_in_seconds)
{
	frx_addr_set_v4(conf.overrides[0].addr, "\xc0\x00\x02\x09");
	conf.overrides[0].sampling_interval = 2000;
	conf.overrides[0].uptime_in_seconds = 1;
	conf.nb_overrides = 1;
	recreate();
	ib_begin(&msg, 9, 7200 /* s */, EXPORT_SECS, 1, 77);
	ib_set(&msg, 0);
	ib_template(&msg, 256, (const struct ib_field[]){ { 22, 4 }, { 21, 4 }, { 34, 4 } }, 3);
	ib_set(&msg, 256);
	ib_uint(&msg, 7200 - 30, 4); ib_uint(&msg, 7200 - 1, 4); ib_uint(&msg, 10, 4);
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(recs[0].first_ms, EXPORT_SECS * 1000ull - 30000);
	cr_assert_eq(recs[0].last_ms, EXPORT_SECS * 1000ull - 1000);
	cr_assert_eq(recs[0].sampling_interval, 2000, "the operator's value wins");
}

Test(ipfix, preferred_counter_wins_over_others_in_the_same_template)
{
	/* out bytes first, then in bytes: the in/delta one is the record's */
	static const struct ib_field f[] = { { 23, 8 }, { 1, 8 }, { 85, 8 }, { 24, 4 }, { 86, 4 } };

	ib_begin(&msg, 10, 0, EXPORT_SECS, 1, 77);
	ib_set(&msg, 2);
	ib_template(&msg, 340, f, 5);
	ib_set(&msg, 340);
	ib_uint(&msg, 111, 8); ib_uint(&msg, 222, 8); ib_uint(&msg, 333, 8);
	ib_uint(&msg, 4, 4); ib_uint(&msg, 5, 4);
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(recs[0].bytes, 222);
	cr_assert_eq(recs[0].packets, 5, "total beats post-delta");
}

Test(ipfix, icmp_type_code_goes_to_destination_port)
{
	static const struct ib_field f[] = { { 4, 1 }, { 32, 2 } };

	ib_begin(&msg, 10, 0, EXPORT_SECS, 1, 77);
	ib_set(&msg, 2);
	ib_template(&msg, 350, f, 2);
	ib_set(&msg, 350);
	ib_uint(&msg, 1, 1); ib_uint(&msg, 0x0800, 2);
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(recs[0].dst_port, 0x0800);
}

Test(ipfix, bad_set_length_keeps_earlier_sets)
{
	ib_begin(&msg, 9, UPTIME, EXPORT_SECS, 1, 77);
	ib_set(&msg, 0);
	ib_template(&msg, 256, v4_fields, NB_V4);
	ib_set(&msg, 256);
	v4_record(0);
	ib_set_end(&msg, 0);
	ib_uint(&msg, 256, 2);
	ib_uint(&msg, 2000, 2); /* runs past the end */
	ib_uint(&msg, 0, 4);
	cr_assert_eq(decode(), FRX_EBAD_SET_LENGTH);
	cr_assert_eq(rb.count, 1);
	ib_begin(&msg, 9, UPTIME, EXPORT_SECS, 1, 77);
	ib_uint(&msg, 256, 2);
	ib_uint(&msg, 2, 2); /* below the set header */
	cr_assert_eq(decode(), FRX_EBAD_SET_LENGTH);
}

Test(ipfix, ipfix_message_length_must_fit_the_datagram)
{
	size_t len;

	ib_begin(&msg, 10, 0, EXPORT_SECS, 1, 77);
	ib_set(&msg, 2);
	ib_template(&msg, 300, (const struct ib_field[]){ { 7, 2 } }, 1);
	len = ib_end(&msg);
	cr_assert_eq(frx_decode(dec, msg.buf, (uint32_t)len - 1, &exporter, NOW_MS, &rb, &info),
		     FRX_EBAD_MSG_LENGTH);
	msg.buf[2] = 0;
	msg.buf[3] = 8;
	cr_assert_eq(frx_decode(dec, msg.buf, (uint32_t)len, &exporter, NOW_MS, &rb, &info),
		     FRX_EBAD_MSG_LENGTH);
	cr_assert_eq(frx_decode(dec, msg.buf, 10, &exporter, NOW_MS, &rb, &info), FRX_ETRUNCATED);
	cr_assert_eq(frx_decode(dec, msg.buf, 1, &exporter, NOW_MS, &rb, &info), FRX_ETRUNCATED);
}

Test(ipfix, varlen_running_past_the_set_stops_the_set_only)
{
	static const struct ib_field f[] = { { 7, 2 }, { 82, 0xffff } };

	ib_begin(&msg, 10, 0, EXPORT_SECS, 1, 77);
	ib_set(&msg, 2);
	ib_template(&msg, 360, f, 2);
	ib_set(&msg, 360);
	ib_uint(&msg, 1, 2); ib_varlen(&msg, "ok", 2, 0);
	ib_uint(&msg, 2, 2); ib_uint(&msg, 200, 1); /* claims 200 bytes */
	ib_set(&msg, 360);
	ib_uint(&msg, 3, 2); ib_varlen(&msg, "ok", 2, 0);
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(rb.count, 2);
	cr_assert_eq(recs[0].src_port, 1);
	cr_assert_eq(recs[1].src_port, 3);
	cr_assert_eq(dec->tmpl->c.records_bad_varlen, 1);
}

Test(ipfix, invalid_templates_are_refused_and_counted)
{
	ib_begin(&msg, 10, 0, EXPORT_SECS, 1, 77);
	ib_set(&msg, 2);
	ib_template(&msg, 100, (const struct ib_field[]){ { 7, 2 } }, 1); /* id below 256 */
	ib_template(&msg, 300, (const struct ib_field[]){ { 7, 0 } }, 1);   /* zero-length record */
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(dec->tmpl->c.templates_rejected_invalid, 2);
	cr_assert_eq(dec->tmpl->nb_templates, 0);
}

Test(ipfix, template_flood_is_bounded_per_session_and_in_total)
{
	conf.tmpl.max_templates = 16;
	conf.tmpl.max_templates_per_session = 10;
	recreate();
	ib_begin(&msg, 10, 0, EXPORT_SECS, 1, 77);
	ib_set(&msg, 2);
	for (uint16_t id = 256; id < 256 + 12; id++)
		ib_template(&msg, id, (const struct ib_field[]){ { 7, 2 } }, 1);
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(dec->tmpl->nb_templates, 10);
	cr_assert_eq(dec->tmpl->c.templates_rejected_full, 2);
	/* a second domain takes the rest of the table */
	ib_begin(&msg, 10, 0, EXPORT_SECS, 1, 78);
	ib_set(&msg, 2);
	for (uint16_t id = 256; id < 256 + 10; id++)
		ib_template(&msg, id, (const struct ib_field[]){ { 7, 2 } }, 1);
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(dec->tmpl->nb_templates, 16);
	cr_assert_eq(dec->tmpl->c.templates_rejected_full, 6);
}

Test(ipfix, session_table_full_drops_the_message)
{
	conf.tmpl.max_sessions = 2;
	recreate();
	for (uint32_t domain = 1; domain <= 3; domain++) {
		ib_begin(&msg, 10, 0, EXPORT_SECS, 1, domain);
		ib_set(&msg, 2);
		ib_template(&msg, 300, (const struct ib_field[]){ { 7, 2 } }, 1);
		cr_assert_eq(decode(), domain <= 2 ? FRX_OK : FRX_ENO_SESSION);
	}
	cr_assert_eq(dec->tmpl->c.sessions_rejected_full, 1);
}

Test(ipfix, full_record_buffer_counts_dropped_records_and_still_learns_templates)
{
	ib_begin(&msg, 9, UPTIME, EXPORT_SECS, 1, 77);
	ib_set(&msg, 0);
	ib_template(&msg, 256, v4_fields, NB_V4);
	ib_set(&msg, 256);
	for (unsigned int i = 0; i < 5; i++)
		v4_record(i);
	ib_set(&msg, 0);
	ib_template(&msg, 257, v4_fields, 3);
	frx_recbuf_init_array(&rb, recs, 2);
	cr_assert_eq(decode(), FRX_ENO_BLOCK);
	cr_assert_eq(info.records_written, 2);
	cr_assert_eq(info.records_dropped, 3);
	cr_assert_eq(dec->tmpl->nb_templates, 2);
}

Test(ipfix, every_truncation_of_a_message_is_safe)
{
	size_t len;
	static uint8_t copy[65536];

	ib_begin(&msg, 10, 0, EXPORT_SECS, 1, 77);
	ib_set(&msg, 2);
	ib_template(&msg, 300, (const struct ib_field[]){ { 7, 2 }, { 82, 0xffff }, { 99, 4, 7 } }, 3);
	ib_set(&msg, 300);
	ib_uint(&msg, 1, 2); ib_varlen(&msg, "abc", 3, 1); ib_uint(&msg, 5, 4);
	len = ib_end(&msg);
	for (size_t cut = 0; cut < len; cut++) {
		memcpy(copy, msg.buf, cut);
		if (cut >= 4) { /* keep the length field consistent so sets get parsed */
			copy[2] = (uint8_t)(cut >> 8);
			copy[3] = (uint8_t)cut;
		}
		frx_recbuf_init_array(&rb, recs, 4096);
		(void)frx_decode(dec, copy, (uint32_t)cut, &exporter, NOW_MS, &rb, &info);
		cr_assert_leq(rb.count, 1);
	}
}

Test(ipfix, ipv4_flow_without_next_hop_reads_0_0_0_0)
{
	static const struct ib_field f[] = { { 8, 4 }, { 12, 4 } };
	uint8_t want[16];

	ib_begin(&msg, 10, 0, EXPORT_SECS, 1, 77);
	ib_set(&msg, 2);
	ib_template(&msg, 370, f, 2);
	ib_set(&msg, 370);
	ib_ip4(&msg, "10.0.0.1"); ib_ip4(&msg, "10.0.0.2");
	cr_assert_eq(decode(), FRX_OK);
	frx_addr_set_v4(want, "\0\0\0\0");
	cr_assert_arr_eq(recs[0].next_hop, want, 16);
}

Test(ipfix, sysuptime_older_than_init_time_is_read_as_negative)
{
	/* softflowd replaying an old capture: flow start before the exporter's
	 * reference time, sent as a wrapped unsigned offset */
	static const struct ib_field f[] = { { 160, 8 }, { 22, 4 }, { 21, 4 } };

	ib_begin(&msg, 10, 0, EXPORT_SECS, 1, 77);
	ib_set(&msg, 2);
	ib_template(&msg, 380, f, 3);
	ib_set(&msg, 380);
	ib_uint(&msg, NOW_MS, 8); ib_uint(&msg, (uint32_t)-60000, 4); ib_uint(&msg, 1000, 4);
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(recs[0].first_ms, NOW_MS - 60000);
	cr_assert_eq(recs[0].last_ms, NOW_MS + 1000);
}

struct names {
	unsigned int n;
	struct frx_ifname e[8];
};

static void
collect_name(const struct frx_ifname *e, void *arg)
{
	struct names *n = arg;

	n->e[n->n++] = *e;
}

static const struct frx_ifname *
name_of(const struct names *n, uint32_t ifindex)
{
	for (unsigned int i = 0; i < n->n; i++)
		if (n->e[i].ifindex == ifindex)
			return &n->e[i];
	return NULL;
}

Test(ipfix, interface_names_from_v9_and_ipfix_options)
{
	/* v9: scope type 2 (interface), IF_NAME 82 fixed 16 bytes, NUL padded */
	static const struct ib_field v9opt[] = { { 2, 4 }, { 82, 16 } };
	/* IPFIX: scope ingressInterface, interfaceDescription only, varlen */
	static const struct ib_field ipfixopt[] = { { 10, 4 }, { 83, 0xffff } };
	struct names n = { 0 };
	const struct frx_ifname *e;
	uint64_t gen;

	ib_begin(&msg, 9, UPTIME, EXPORT_SECS, 1, 77);
	ib_set(&msg, 1);
	ib_options_template(&msg, 270, v9opt, 2, 1);
	ib_set(&msg, 270);
	ib_uint(&msg, 3, 4); ib_bytes(&msg, "Gi0/3\0\0\0\0\0\0\0\0\0\0\0", 16);
	ib_uint(&msg, 4, 4); ib_bytes(&msg, "Gi0/4\0\0\0\0\0\0\0\0\0\0\0", 16);
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(rb.count, 0);
	ib_begin(&msg, 10, 0, EXPORT_SECS, 1, 5);
	ib_set(&msg, 3);
	ib_options_template(&msg, 271, ipfixopt, 2, 1);
	ib_set(&msg, 271);
	ib_uint(&msg, 7, 4); ib_varlen(&msg, "uplink to core", 14, 0);
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(dec->tmpl->c.ifnames_learned, 3);

	cr_assert_eq(frx_tmpl_ifname_snapshot(dec->tmpl, collect_name, &n), 3);
	e = name_of(&n, 3);
	cr_assert_not_null(e);
	cr_assert_eq(e->name_len, 5, "NUL padding is not part of the name");
	cr_assert_arr_eq(e->name, "Gi0/3", 5);
	cr_assert_eq(e->domain, 77);
	cr_assert_arr_eq(e->exporter_addr, exporter.addr, 16);
	e = name_of(&n, 7);
	cr_assert_not_null(e);
	cr_assert_arr_eq(e->name, "uplink to core", 14);
	cr_assert_eq(e->domain, 5);

	/* the same names again change nothing; a rename does */
	gen = frx_tmpl_ifname_generation(dec->tmpl);
	ib_begin(&msg, 9, UPTIME, EXPORT_SECS, 2, 77);
	ib_set(&msg, 270);
	ib_uint(&msg, 3, 4); ib_bytes(&msg, "Gi0/3\0\0\0\0\0\0\0\0\0\0\0", 16);
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(frx_tmpl_ifname_generation(dec->tmpl), gen);
	ib_begin(&msg, 9, UPTIME, EXPORT_SECS, 3, 77);
	ib_set(&msg, 270);
	ib_uint(&msg, 3, 4); ib_bytes(&msg, "Gi0/3-renamed\0\0\0", 16);
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_gt(frx_tmpl_ifname_generation(dec->tmpl), gen);
	cr_assert_eq(dec->tmpl->c.ifnames_learned, 4);
}

Test(ipfix, interface_name_table_is_bounded)
{
	static const struct ib_field opt[] = { { 10, 4 }, { 82, 0xffff } };

	conf.tmpl.max_ifnames = 4;
	recreate();
	ib_begin(&msg, 10, 0, EXPORT_SECS, 1, 5);
	ib_set(&msg, 3);
	ib_options_template(&msg, 271, opt, 2, 1);
	ib_set(&msg, 271);
	for (uint32_t i = 0; i < 6; i++) {
		ib_uint(&msg, i, 4);
		ib_varlen(&msg, "if", 2, 0);
	}
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(dec->tmpl->c.ifnames_learned, 4);
	cr_assert_eq(dec->tmpl->c.ifnames_rejected_full, 2);
}

Test(ipfix, interface_row_with_an_empty_name_and_no_description)
{
	/* found by fuzzing: an empty interfaceName and no interfaceDescription */
	static const struct ib_field opt[] = { { 2, 4 }, { 82, 0 } };

	ib_begin(&msg, 9, UPTIME, EXPORT_SECS, 1, 77);
	ib_set(&msg, 1);
	ib_options_template(&msg, 270, opt, 2, 1);
	ib_set(&msg, 270);
	ib_uint(&msg, 3, 4);
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(dec->tmpl->c.ifnames_learned, 1);
}

Test(ipfix, biflow_becomes_two_unidirectional_records)
{
	static const struct ib_field f[] = {
		{ 8, 4 }, { 12, 4 }, { 7, 2 }, { 11, 2 }, { 4, 1 }, { 10, 4 }, { 14, 4 }, { 5, 1 }, { 6, 1 },
		{ 2, 4 }, { 1, 4 }, { 2, 4, 29305 }, { 1, 4, 29305 }, { 5, 1, 29305 }, { 6, 1, 29305 },
		{ 152, 8 }, { 153, 8 },
	};
	uint8_t a[16];

	ib_begin(&msg, 10, 0, EXPORT_SECS, 1, 77);
	ib_set(&msg, 2);
	ib_template(&msg, 390, f, sizeof(f) / sizeof(f[0]));
	ib_set(&msg, 390);
	ib_ip4(&msg, "10.0.0.1"); ib_ip4(&msg, "10.0.0.2"); ib_uint(&msg, 5555, 2); ib_uint(&msg, 80, 2);
	ib_uint(&msg, 6, 1); ib_uint(&msg, 3, 4); ib_uint(&msg, 4, 4); ib_uint(&msg, 8, 1); ib_uint(&msg, 0x02, 1);
	ib_uint(&msg, 10, 4); ib_uint(&msg, 600, 4); ib_uint(&msg, 9, 4); ib_uint(&msg, 9000, 4);
	ib_uint(&msg, 16, 1); ib_uint(&msg, 0x12, 1); ib_uint(&msg, NOW_MS - 100, 8); ib_uint(&msg, NOW_MS, 8);
	/* a reverse side that saw nothing: one record only */
	ib_ip4(&msg, "10.0.0.1"); ib_ip4(&msg, "10.0.0.3"); ib_uint(&msg, 5556, 2); ib_uint(&msg, 80, 2);
	ib_uint(&msg, 6, 1); ib_uint(&msg, 3, 4); ib_uint(&msg, 4, 4); ib_uint(&msg, 0, 1); ib_uint(&msg, 0x02, 1);
	ib_uint(&msg, 1, 4); ib_uint(&msg, 60, 4); ib_uint(&msg, 0, 4); ib_uint(&msg, 0, 4);
	ib_uint(&msg, 0, 1); ib_uint(&msg, 0, 1); ib_uint(&msg, NOW_MS - 100, 8); ib_uint(&msg, NOW_MS, 8);
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(rb.count, 3);
	cr_assert_eq(recs[0].packets, 10);
	cr_assert_eq(recs[0].bytes, 600);
	cr_assert_eq(recs[1].packets, 9);
	cr_assert_eq(recs[1].bytes, 9000);
	cr_assert_eq(recs[1].src_port, 80);
	cr_assert_eq(recs[1].dst_port, 5555);
	frx_addr_parse("10.0.0.2", a);
	cr_assert_arr_eq(recs[1].src_addr, a, 16);
	cr_assert_eq(recs[1].in_if, 4);
	cr_assert_eq(recs[1].out_if, 3);
	cr_assert_eq(recs[1].tos, 16);
	cr_assert_eq(recs[1].tcp_flags, 0x12);
	cr_assert_eq(recs[1].first_ms, NOW_MS - 100);
	cr_assert_eq(recs[2].dst_port, 80);
	cr_assert_eq(info.records_written, 3);
}

Test(ipfix, v9_sampling_scoped_to_an_interface_applies_to_its_input_records)
{
	/* softflowd -s N and Cisco per-interface sampling: scope type 2 */
	static const struct ib_field opt[] = { { 2, 4 }, { 34, 4 } };
	static const struct ib_field data[] = { { 7, 2 }, { 10, 2 } };

	ib_begin(&msg, 9, UPTIME, EXPORT_SECS, 1, 77);
	ib_set(&msg, 1);
	ib_options_template(&msg, 280, opt, 2, 1);
	ib_set(&msg, 280);
	ib_uint(&msg, 3, 4); ib_uint(&msg, 100, 4);
	ib_uint(&msg, 4, 4); ib_uint(&msg, 1000, 4);
	ib_set(&msg, 0);
	ib_template(&msg, 281, data, 2);
	ib_set(&msg, 281);
	ib_uint(&msg, 1, 2); ib_uint(&msg, 4, 2);
	ib_uint(&msg, 2, 2); ib_uint(&msg, 3, 2);
	ib_uint(&msg, 3, 2); ib_uint(&msg, 9, 2); /* no row for interface 9: the exporter-wide guess */
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(rb.count, 3);
	cr_assert_eq(recs[0].sampling_interval, 1000);
	cr_assert_eq(recs[1].sampling_interval, 100);
	cr_assert_eq(recs[2].sampling_interval, 100, "first row learned stands in");
}

Test(ipfix, strings_go_to_the_side_table_only_when_asked)
{
	static const struct ib_field f[] = { { 8, 4 }, { 12, 4 }, { 96, 0xffff }, { 82, 0xffff }, { 94, 8 } };
	static struct frx_recstr entries[16];
	struct frx_strtab st = { .e = entries, .capacity = 16 };

	for (int pass = 0; pass < 2; pass++) {
		recreate();
		frx_recbuf_init_array(&rb, recs, 4096);
		st.count = 0;
		rb.strings = pass ? &st : NULL;
		ib_begin(&msg, 10, 0, EXPORT_SECS, 1, 1);
		ib_set(&msg, 2);
		ib_template(&msg, 300, f, 5);
		ib_set(&msg, 300);
		for (unsigned int i = 0; i < 2; i++) {
			ib_ip4(&msg, "10.0.0.1");
			ib_ip4(&msg, "10.0.0.2");
			ib_varlen(&msg, i ? "youtube" : "netflix", 7, 0);
			ib_varlen(&msg, "ge-0/0/1", 8, 0);
			ib_bytes(&msg, "video\0\0\0", 8);
		}
		ib_set_end(&msg, 0);
		cr_assert_eq(decode(), FRX_OK);
		cr_assert_eq(rb.count, 2);
		if (!pass)
			continue;
		cr_assert_eq(st.count, 6, "three strings per record");
		cr_assert_eq(st.e[0].rec, &recs[0]);
		cr_assert_eq(st.e[0].field, FRX_STR_APPLICATION);
		cr_assert_eq(st.e[0].len, 7);
		cr_assert(memcmp(st.e[0].ptr, "netflix", 7) == 0);
		cr_assert_eq(st.e[1].field, FRX_STR_IN_IF_NAME);
		cr_assert(memcmp(st.e[1].ptr, "ge-0/0/1", 8) == 0);
		cr_assert_eq(st.e[2].field, FRX_STR_APP_DESCR);
		cr_assert_eq(st.e[2].len, 8, "fixed length, NUL padding kept for the matcher to trim");
		cr_assert_eq(st.e[3].rec, &recs[1]);
		cr_assert(memcmp(st.e[3].ptr, "youtube", 7) == 0);
	}
}

/* The decoder has two paths: templates of fixed-length fields read every
 * field at an offset known in advance, templates with a variable-length
 * field walk the record. The same fields must come out the same either way
 * (IPFIX: one template with and one without a trailing applicationName of
 * variable length). */
Test(ipfix, fixed_and_variable_length_templates_store_the_same_fields)
{
	struct ib_field with_varlen[NB_V4 + 1];
	struct frx_flowrec fixed[2];

	memcpy(with_varlen, v4_fields, sizeof(v4_fields));
	with_varlen[NB_V4].ie = 96;
	with_varlen[NB_V4].len = 0xffff;
	for (int varlen = 0; varlen <= 1; varlen++) {
		rb.count = 0;
		ib_begin(&msg, 10, 0, EXPORT_SECS, 1, 77);
		ib_set(&msg, 2);
		ib_template(&msg, (uint16_t)(300 + varlen), varlen ? with_varlen : v4_fields, NB_V4 + (unsigned int)varlen);
		ib_set(&msg, (uint16_t)(300 + varlen));
		for (unsigned int i = 0; i < 2; i++) {
			v4_record_fields(i);
			if (varlen)
				ib_varlen(&msg, "netflix!", 7 + i, (int)i); /* 1- and 3-byte length forms */
			ib_record_done(&msg);
		}
		cr_assert_eq(decode(), FRX_OK);
		cr_assert_eq(rb.count, 2, "varlen %d: %u records, bad varlen %llu", varlen, rb.count, (unsigned long long)dec->tmpl->c.records_bad_varlen);
		for (unsigned int i = 0; i < 2; i++) {
			check_v4_record(&recs[i], i, 10);
			if (varlen)
				cr_assert_eq(memcmp(&recs[i], &fixed[i], sizeof(fixed[i])), 0, "record %u differs", i);
			else
				fixed[i] = recs[i];
		}
	}
}

/*
 * The AVX-512 VBMI permutation (lib/tmpl.c perm_compile, lib/ipfix.c
 * perm_record), the portable grouped stores and the ops run one by one in
 * template order give the same records,
 * byte for byte, for random fixed-layout templates: every store kind,
 * reduced-size encodings, widened values, both address families, times,
 * options-driven sampling, biflows, strings, and fields it leaves to loops.
 */
Test(ipfix, simd_permutation_matches_portable_stores)
{
	static const struct ib_field pool[] = {
		{ 8, 4 }, { 12, 4 }, { 15, 4 }, { 27, 16 }, { 28, 16 }, { 62, 16 }, { 7, 2 }, { 11, 2 },
		{ 4, 1 }, { 5, 1 }, { 6, 1 }, { 6, 2 }, { 9, 1 }, { 13, 1 }, { 29, 1 }, { 30, 1 },
		{ 10, 2 }, { 10, 4 }, { 14, 2 }, { 14, 4 }, { 16, 2 }, { 16, 4 }, { 17, 4 }, { 17, 2 },
		{ 1, 4 }, { 1, 8 }, { 1, 3 }, { 2, 4 }, { 2, 8 }, { 2, 2 }, { 3, 4 }, { 152, 8 },
		{ 153, 8 }, { 150, 4 }, { 151, 4 }, { 21, 4 }, { 22, 4 }, { 161, 4 }, { 61, 1 }, { 89, 1 },
		{ 58, 2 }, { 59, 2 }, { 34, 4 }, { 48, 1 }, { 48, 2 }, { 35, 1 }, { 85, 8 }, { 86, 8 },
		{ 32, 2 }, { 12345, 6, 9 }, { 210, 3 }, { 82, 8 }, { 96, 5 }, { 130, 4 }, { 176, 1 }, { 177, 1 },
		{ 160, 8 }, { 156, 8 }, { 157, 8 }, { 18, 4 }, { 63, 16 }, { 1, 1 },
	};
	static struct frx_flowrec a[4096], b[4096];
	struct frx_decoder *da = frx_decoder_create(&conf), *db = frx_decoder_create(&conf);
	unsigned int seed = 11, perm_sets = 0;
	int was = frx_ipfix_set_simd(1);

	cr_assert(da && db);
	if (!frx_ipfix_simd_active())
		cr_log_warn("this CPU has no AVX-512 VBMI: both sides take the portable path");
	for (unsigned int round = 0; round < 400; round++) {
		struct ib_field f[40];
		unsigned int nf = 1 + (unsigned int)rand_r(&seed) % 30, rec_len = 0, nrec;
		int version = rand_r(&seed) % 2 ? 10 : 9;
		struct frx_recbuf ra, rbb;
		struct frx_pdu_info ia, ib;
		enum frx_status sa, sb;
		uint16_t id = (uint16_t)(256 + round % 8);

		for (unsigned int i = 0; i < nf; i++) {
			f[i] = pool[(unsigned int)rand_r(&seed) % (sizeof(pool) / sizeof(pool[0]))];
			if (version == 9)
				f[i].pen = 0;
			rec_len += f[i].len;
		}
		nrec = 1 + (unsigned int)rand_r(&seed) % 6;
		ib_begin(&msg, version, UPTIME, EXPORT_SECS, round, 5);
		ib_set(&msg, version == 9 ? 0 : 2);
		ib_template(&msg, id, f, nf);
		ib_set_end(&msg, 0);
		ib_set(&msg, id);
		for (unsigned int r = 0; r < nrec; r++) {
			for (unsigned int k = 0; k < rec_len; k++) {
				/* small values half of the time: directions 0/1, zero prefixes */
				unsigned int v = (unsigned int)rand_r(&seed);

				ib_uint(&msg, v % 3 == 0 ? v % 2 : v & 0xff, 1);
			}
			ib_record_done(&msg);
		}
		ib_set_end(&msg, (unsigned int)rand_r(&seed) % 3);
		frx_recbuf_init_array(&ra, a, 4096);
		frx_recbuf_init_array(&rbb, b, 4096);
		memset(a, 0xa5, sizeof(a));
		memset(b, 0x5a, sizeof(b));
		{
			size_t len = ib_end(&msg);

			frx_ipfix_set_simd(1);
			sa = frx_decode(da, msg.buf, (uint32_t)len, &exporter, NOW_MS, &ra, &ia);
			/* the other side: grouped stores, or (every third round) the
			 * ops one by one, the reference both must equal */
			frx_ipfix_set_simd(0);
			frx_ipfix_set_plan(round % 3 != 0);
			sb = frx_decode(db, msg.buf, (uint32_t)len, &exporter, NOW_MS, &rbb, &ib);
			frx_ipfix_set_plan(1);
		}
		cr_assert_eq(sa, sb, "round %u: status %d vs %d", round, sa, sb);
		cr_assert_eq(ia.records_written, ib.records_written, "round %u", round);
		cr_assert_eq(ra.count, rbb.count, "round %u", round);
		for (unsigned int i = 0; i < ra.count; i++)
			cr_assert_eq(memcmp(&a[i], &b[i], sizeof(a[i])), 0, "round %u (v%d, %u fields): record %u differs",
				     round, version, nf, i);
		if (rec_len <= 128 && ra.count)
			perm_sets++;
	}
	cr_assert_gt(perm_sets, 200);
	frx_ipfix_set_simd(was);
	frx_decoder_free(da);
	frx_decoder_free(db);
}

/* RFC 5477 pairs with one half missing: samplingSize without a population
 * sets nothing, packetInterval without packetSpace means every packet. Each
 * short row follows a complete one, so a decoder that read the half its row
 * lacks would find the previous row's value there (the differential fuzzer
 * saw the two decoding paths disagree on such rows). The rows are scoped to
 * a selector flowrx does not key on, so each sets the exporter-wide rate. */
Test(ipfix, ipfix_sampling_rows_missing_half_a_pair)
{
	static const struct ib_field size_pop[] = { { 302, 4 }, { 309, 4 }, { 310, 4 } };
	static const struct ib_field size_only[] = { { 302, 4 }, { 309, 4 } };
	static const struct ib_field interval_space[] = { { 302, 4 }, { 305, 4 }, { 306, 4 } };
	static const struct ib_field interval_only[] = { { 302, 4 }, { 305, 4 } };
	static const struct ib_field data[] = { { 7, 2 } };

	ib_begin(&msg, 10, 0, EXPORT_SECS, 1, 77);
	ib_set(&msg, 3);
	ib_options_template(&msg, 320, size_pop, 3, 1);
	ib_options_template(&msg, 321, size_only, 2, 1);
	ib_options_template(&msg, 322, interval_space, 3, 1);
	ib_options_template(&msg, 323, interval_only, 2, 1);
	ib_set(&msg, 2);
	ib_template(&msg, 311, data, 1);
	ib_set(&msg, 320);
	ib_uint(&msg, 7, 4); ib_uint(&msg, 10, 4); ib_uint(&msg, 1000, 4); /* 1 in 100 */
	ib_set(&msg, 321);
	ib_uint(&msg, 8, 4); ib_uint(&msg, 20, 4);                        /* nothing */
	ib_set(&msg, 311);
	ib_uint(&msg, 1, 2);
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(rb.count, 1);
	cr_assert_eq(recs[0].sampling_interval, 100, "got %u", recs[0].sampling_interval);

	frx_recbuf_init_array(&rb, recs, 4096);
	ib_begin(&msg, 10, 0, EXPORT_SECS, 2, 77);
	ib_set(&msg, 322);
	ib_uint(&msg, 9, 4); ib_uint(&msg, 1, 4); ib_uint(&msg, 99, 4);     /* 1 in 100 */
	ib_set(&msg, 323);
	ib_uint(&msg, 10, 4); ib_uint(&msg, 1, 4);                        /* every packet */
	ib_set(&msg, 311);
	ib_uint(&msg, 2, 2);
	cr_assert_eq(decode(), FRX_OK);
	cr_assert_eq(rb.count, 1);
	cr_assert_eq(recs[0].sampling_interval, 1, "got %u", recs[0].sampling_interval);
}
