/* SPDX-License-Identifier: BSD-3-Clause */
/* Merging STATS payloads: latest snapshot per run, summed over runs. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "expstats.h"
#include "flowrec.h"
#include "seq.h"
#include "statsmerge.h"
#include "status.h"

#define SNAP_MAX 8

/* A snapshot under construction: header and entries, serialised by snap_add(). */
struct snap {
	struct frx_stats_header hdr;
	struct frx_exporter_stats exporters[SNAP_MAX];
	struct frx_engine_stats engines[SNAP_MAX];
	struct frx_denied_stats denied[SNAP_MAX];
};

static void
snap_init(struct snap *s, uint64_t started_ms, uint32_t pid, uint64_t snapshot_ms)
{
	memset(s, 0, sizeof(*s));
	s->hdr.started_ms = started_ms;
	s->hdr.pid = pid;
	s->hdr.collector_id = 1;
	s->hdr.snapshot_ms = snapshot_ms;
}

static void
set_addr(uint8_t addr[16], const char *text)
{
	cr_assert_eq(frx_addr_parse(text, addr), 0, "bad test address %s", text);
}

/* A v1-v8 engine: counted in flows (v1: no sequence). */
static struct frx_engine_stats *
snap_engine(struct snap *s, const char *addr, uint8_t version, uint8_t engine_type, uint8_t engine_id)
{
	struct frx_engine_stats *e;

	cr_assert_lt(s->hdr.nb_engines, SNAP_MAX);
	e = &s->engines[s->hdr.nb_engines++];
	set_addr(e->exporter_addr, addr);
	e->version = version;
	e->engine_type = engine_type;
	e->engine_id = engine_id;
	e->unit = version == 1 ? FRX_SEQ_UNIT_NONE : FRX_SEQ_UNIT_FLOWS;
	return e;
}

/* A v9 (packets) or IPFIX (records) engine: a transport session and domain. */
static struct frx_engine_stats *
snap_session(struct snap *s, const char *addr, uint8_t version, uint16_t exporter_port, uint32_t domain)
{
	struct frx_engine_stats *e = snap_engine(s, addr, version, 0, 0);

	e->exporter_port = exporter_port;
	e->domain = domain;
	e->unit = version == 9 ? FRX_SEQ_UNIT_PACKETS : FRX_SEQ_UNIT_RECORDS;
	return e;
}

static struct frx_exporter_stats *
snap_exporter(struct snap *s, const char *addr)
{
	struct frx_exporter_stats *e;

	cr_assert_lt(s->hdr.nb_exporters, SNAP_MAX);
	e = &s->exporters[s->hdr.nb_exporters++];
	set_addr(e->exporter_addr, addr);
	return e;
}

static struct frx_denied_stats *
snap_denied(struct snap *s, const char *addr, uint64_t datagrams)
{
	struct frx_denied_stats *d;

	cr_assert_lt(s->hdr.nb_denied, SNAP_MAX);
	d = &s->denied[s->hdr.nb_denied++];
	set_addr(d->addr, addr);
	d->datagrams = datagrams;
	return d;
}

/* The payload as the collector writes it; malloc'd, *len set. */
static uint8_t *
snap_payload(const struct snap *s, size_t *len)
{
	const struct frx_stats_header *h = &s->hdr;
	uint8_t *buf, *p;

	*len = frx_stats_payload_len(h->nb_exporters, h->nb_engines, h->nb_denied);
	buf = malloc(*len);
	cr_assert_not_null(buf);
	p = buf;
	memcpy(p, h, sizeof(*h));
	p += sizeof(*h);
	memcpy(p, s->exporters, h->nb_exporters * sizeof(s->exporters[0]));
	p += h->nb_exporters * sizeof(s->exporters[0]);
	memcpy(p, s->engines, h->nb_engines * sizeof(s->engines[0]));
	p += h->nb_engines * sizeof(s->engines[0]);
	memcpy(p, s->denied, h->nb_denied * sizeof(s->denied[0]));
	return buf;
}

static int
snap_add(struct frx_statsmerge *m, const struct snap *s)
{
	size_t len;
	uint8_t *buf = snap_payload(s, &len);
	int rc = frx_statsmerge_add(m, buf, len);

	free(buf);
	return rc;
}

static const struct frx_engine_stats *
engines_of(struct frx_statsmerge *m, size_t expected)
{
	const struct frx_engine_stats *e;
	size_t n;

	cr_assert_eq(frx_statsmerge_engines(m, &e, &n), 0);
	cr_assert_eq(n, expected, "%zu engines, expected %zu", n, expected);
	return e;
}

static const struct frx_exporter_stats *
exporters_of(struct frx_statsmerge *m, size_t expected)
{
	const struct frx_exporter_stats *e;
	size_t n;

	cr_assert_eq(frx_statsmerge_exporters(m, &e, &n), 0);
	cr_assert_eq(n, expected, "%zu exporters, expected %zu", n, expected);
	return e;
}

static const struct frx_denied_stats *
denied_of(struct frx_statsmerge *m, size_t expected)
{
	const struct frx_denied_stats *d;
	size_t n;

	cr_assert_eq(frx_statsmerge_denied(m, &d, &n), 0);
	cr_assert_eq(n, expected, "%zu denied, expected %zu", n, expected);
	return d;
}

static void
set_counts(struct frx_engine_stats *e, uint64_t packets, uint64_t records, uint64_t lost)
{
	e->packets = packets;
	e->records = records;
	e->lost = lost;
}

Test(statsmerge, latest_snapshot_of_a_run_wins_and_older_ones_do_not_regress)
{
	struct frx_statsmerge *m = frx_statsmerge_create();
	const struct frx_engine_stats *e;
	struct snap s;

	snap_init(&s, 1000, 42, 2000);
	set_counts(snap_engine(&s, "192.0.2.1", 5, 0, 0), 100, 3000, 5);
	cr_assert_eq(snap_add(m, &s), 0);
	/* an older snapshot of the same run, read after (older file given last) */
	snap_init(&s, 1000, 42, 1500);
	set_counts(snap_engine(&s, "192.0.2.1", 5, 0, 0), 60, 1800, 2);
	cr_assert_eq(snap_add(m, &s), 0);
	e = engines_of(m, 1);
	cr_assert_eq(e->packets, 100);
	cr_assert_eq(e->records, 3000);
	cr_assert_eq(e->lost, 5);
	/* the same block read twice (a file given with -r and in its -R dir) */
	snap_init(&s, 1000, 42, 2000);
	set_counts(snap_engine(&s, "192.0.2.1", 5, 0, 0), 100, 3000, 5);
	cr_assert_eq(snap_add(m, &s), 0);
	e = engines_of(m, 1);
	cr_assert_eq(e->packets, 100);
	/* a newer one replaces it */
	snap_init(&s, 1000, 42, 2500);
	set_counts(snap_engine(&s, "192.0.2.1", 5, 0, 0), 130, 3900, 7);
	cr_assert_eq(snap_add(m, &s), 0);
	e = engines_of(m, 1);
	cr_assert_eq(e->packets, 130);
	cr_assert_eq(e->records, 3900);
	cr_assert_eq(e->lost, 7);
	frx_statsmerge_free(m);
}

Test(statsmerge, each_entry_keeps_its_own_latest_snapshot)
{
	struct frx_statsmerge *m = frx_statsmerge_create();
	const struct frx_engine_stats *e;
	struct snap s;

	/* engine B is only in the older snapshot (e.g. it went quiet): still counted */
	snap_init(&s, 1000, 42, 2000);
	set_counts(snap_engine(&s, "192.0.2.1", 5, 0, 0), 10, 300, 0);
	set_counts(snap_engine(&s, "192.0.2.2", 5, 0, 0), 7, 210, 1);
	cr_assert_eq(snap_add(m, &s), 0);
	snap_init(&s, 1000, 42, 3000);
	set_counts(snap_engine(&s, "192.0.2.1", 5, 0, 0), 20, 600, 0);
	cr_assert_eq(snap_add(m, &s), 0);
	e = engines_of(m, 2);
	cr_assert_eq(e[0].packets, 20);
	cr_assert_eq(e[1].packets, 7);
	cr_assert_eq(e[1].lost, 1);
	frx_statsmerge_free(m);
}

Test(statsmerge, runs_are_summed)
{
	struct frx_statsmerge *m = frx_statsmerge_create();
	const struct frx_engine_stats *e;
	struct snap s;

	snap_init(&s, 1000, 42, 2000);
	set_counts(snap_engine(&s, "192.0.2.1", 5, 0, 0), 100, 3000, 5);
	cr_assert_eq(snap_add(m, &s), 0);
	snap_init(&s, 1000, 42, 2500);
	set_counts(snap_engine(&s, "192.0.2.1", 5, 0, 0), 110, 3300, 6);
	cr_assert_eq(snap_add(m, &s), 0);
	/* the collector restarted: a new run from 0 */
	snap_init(&s, 9000, 43, 9500);
	set_counts(snap_engine(&s, "192.0.2.1", 5, 0, 0), 4, 120, 1);
	cr_assert_eq(snap_add(m, &s), 0);
	/* same start time, other pid: another process (a second collector) */
	snap_init(&s, 9000, 44, 9500);
	set_counts(snap_engine(&s, "192.0.2.1", 5, 0, 0), 1000, 30000, 0);
	cr_assert_eq(snap_add(m, &s), 0);
	/* same start time and pid, other collector id (another host) */
	snap_init(&s, 9000, 44, 9500);
	s.hdr.collector_id = 2;
	set_counts(snap_engine(&s, "192.0.2.1", 5, 0, 0), 20000, 600000, 10);
	cr_assert_eq(snap_add(m, &s), 0);

	e = engines_of(m, 1);
	cr_assert_eq(e->packets, 110 + 4 + 1000 + 20000);
	cr_assert_eq(e->records, 3300 + 120 + 30000 + 600000);
	cr_assert_eq(e->lost, 6 + 1 + 0 + 10);
	frx_statsmerge_free(m);
}

Test(statsmerge, v1_to_v8_engines_are_keyed_by_version_type_and_id)
{
	struct frx_statsmerge *m = frx_statsmerge_create();
	const struct frx_engine_stats *e;
	struct frx_engine_stats *v5;
	struct snap s;

	snap_init(&s, 1000, 42, 2000);
	snap_engine(&s, "192.0.2.1", 5, 0, 0)->packets = 1;
	snap_engine(&s, "192.0.2.1", 5, 0, 1)->packets = 2;
	snap_engine(&s, "192.0.2.1", 5, 1, 0)->packets = 3;
	snap_engine(&s, "192.0.2.1", 7, 0, 0)->packets = 4;
	snap_engine(&s, "192.0.2.2", 5, 0, 0)->packets = 5;
	cr_assert_eq(snap_add(m, &s), 0);
	/* port and domain are not part of a v5 engine's key */
	snap_init(&s, 5000, 43, 6000);
	v5 = snap_engine(&s, "192.0.2.1", 5, 0, 1);
	v5->exporter_port = 2055;
	v5->domain = 77;
	v5->packets = 20;
	cr_assert_eq(snap_add(m, &s), 0);

	e = engines_of(m, 5);
	/* sorted by address, version, engine_type, engine_id */
	cr_assert_eq(e[0].packets, 1);
	cr_assert_eq(e[1].packets, 2 + 20);
	cr_assert_eq(e[1].exporter_port, 0);
	cr_assert_eq(e[1].domain, 0);
	cr_assert_eq(e[2].packets, 3);
	cr_assert_eq(e[2].engine_type, 1);
	cr_assert_eq(e[3].packets, 4);
	cr_assert_eq(e[3].version, 7);
	cr_assert_eq(e[4].packets, 5);
	frx_statsmerge_free(m);
}

Test(statsmerge, v9_and_ipfix_engines_are_keyed_by_port_and_domain)
{
	struct frx_statsmerge *m = frx_statsmerge_create();
	const struct frx_engine_stats *e;
	struct frx_engine_stats *v9;
	struct snap s;

	snap_init(&s, 1000, 42, 2000);
	snap_session(&s, "2001:db8::1", 9, 50000, 1)->packets = 1;
	snap_session(&s, "2001:db8::1", 9, 50001, 1)->packets = 2;
	snap_session(&s, "2001:db8::1", 9, 50000, 2)->packets = 3;
	snap_session(&s, "2001:db8::1", 10, 50000, 1)->packets = 4;
	cr_assert_eq(snap_add(m, &s), 0);
	/* engine type/id are not part of a v9 engine's key (Cisco packs them in the source id) */
	snap_init(&s, 5000, 43, 6000);
	v9 = snap_session(&s, "2001:db8::1", 9, 50000, 1);
	v9->engine_type = 3;
	v9->engine_id = 4;
	v9->packets = 10;
	cr_assert_eq(snap_add(m, &s), 0);

	e = engines_of(m, 4);
	/* sorted by address, version, then port, then domain */
	cr_assert_eq(e[0].version, 9);
	cr_assert_eq(e[0].exporter_port, 50000);
	cr_assert_eq(e[0].domain, 1);
	cr_assert_eq(e[0].packets, 1 + 10);
	cr_assert_eq(e[0].engine_type, 0);
	cr_assert_eq(e[0].engine_id, 0);
	cr_assert_eq(e[1].domain, 2);
	cr_assert_eq(e[1].packets, 3);
	cr_assert_eq(e[2].exporter_port, 50001);
	cr_assert_eq(e[2].packets, 2);
	cr_assert_eq(e[3].version, 10);
	cr_assert_eq(e[3].packets, 4);
	frx_statsmerge_free(m);
}

Test(statsmerge, merged_engine_takes_first_last_sequence_and_flags_across_runs)
{
	struct frx_statsmerge *m = frx_statsmerge_create();
	const struct frx_engine_stats *e;
	struct frx_engine_stats *in;
	struct snap s;

	snap_init(&s, 9000, 43, 9500);
	in = snap_session(&s, "192.0.2.1", 10, 4739, 0);
	in->first_seen_ms = 9100;
	in->last_seen_ms = 9400;
	in->last_sequence = 17;
	in->flags = FRX_ENGINE_F_NEW;
	cr_assert_eq(snap_add(m, &s), 0);
	snap_init(&s, 1000, 42, 2000);
	in = snap_session(&s, "192.0.2.1", 10, 4739, 0);
	in->first_seen_ms = 1100;
	in->last_seen_ms = 1900;
	in->last_sequence = 123456;
	in->flags = FRX_ENGINE_F_INCLUSIVE;
	cr_assert_eq(snap_add(m, &s), 0);

	e = engines_of(m, 1);
	cr_assert_eq(e->first_seen_ms, 1100);
	cr_assert_eq(e->last_seen_ms, 9400);
	cr_assert_eq(e->last_sequence, 17, "from the run that saw the engine last");
	cr_assert_eq(e->flags, FRX_ENGINE_F_NEW | FRX_ENGINE_F_INCLUSIVE);
	cr_assert_eq(e->unit, FRX_SEQ_UNIT_RECORDS);
	frx_statsmerge_free(m);
}

Test(statsmerge, bad_payloads_are_refused_and_change_nothing)
{
	struct frx_statsmerge *m = frx_statsmerge_create();
	struct frx_statsmerge_totals t;
	struct snap s;
	uint8_t *buf;
	size_t len;

	snap_init(&s, 1000, 42, 2000);
	snap_engine(&s, "192.0.2.1", 5, 0, 0)->packets = 1;
	snap_exporter(&s, "192.0.2.1")->datagrams = 1;
	buf = snap_payload(&s, &len);

	cr_assert_eq(frx_statsmerge_add(m, buf, 0), -EINVAL);
	cr_assert_eq(frx_statsmerge_add(m, buf, sizeof(struct frx_stats_header) - 1), -EINVAL);
	cr_assert_eq(frx_statsmerge_add(m, buf, len - 1), -EINVAL, "an entry cut short");
	((struct frx_stats_header *)buf)->nb_engines = 2;
	cr_assert_eq(frx_statsmerge_add(m, buf, len), -EINVAL, "counts announce more than there is");
	((struct frx_stats_header *)buf)->nb_engines = 0xffffffffu;
	cr_assert_eq(frx_statsmerge_add(m, buf, len), -EINVAL, "huge count");
	((struct frx_stats_header *)buf)->nb_engines = 0;
	cr_assert_eq(frx_statsmerge_add(m, buf, len), -EINVAL, "bytes left over");

	frx_statsmerge_totals(m, &t);
	cr_assert_eq(t.snapshots, 0);
	cr_assert_eq(t.runs, 0);
	engines_of(m, 0);
	exporters_of(m, 0);
	denied_of(m, 0);

	((struct frx_stats_header *)buf)->nb_engines = 1;
	cr_assert_eq(frx_statsmerge_add(m, buf, len), 0, "the good payload still merges");
	engines_of(m, 1);
	free(buf);
	frx_statsmerge_free(m);
}

Test(statsmerge, exporter_drops_are_summed_by_reason)
{
	struct frx_statsmerge *m = frx_statsmerge_create();
	const struct frx_exporter_stats *x;
	struct frx_exporter_stats *in;
	struct snap s;

	snap_init(&s, 1000, 42, 2000);
	in = snap_exporter(&s, "192.0.2.1");
	in->datagrams = 100;
	in->records = 2900;
	in->rate_limited = 2;
	in->new_engine_pdus = 1;
	in->drop[FRX_EBAD_COUNT] = 3;
	in->drop[FRX_ETRUNCATED] = 1;
	cr_assert_eq(snap_add(m, &s), 0);
	/* an older snapshot of the same run: ignored */
	snap_init(&s, 1000, 42, 1000);
	in = snap_exporter(&s, "192.0.2.1");
	in->datagrams = 50;
	in->drop[FRX_EBAD_COUNT] = 2;
	cr_assert_eq(snap_add(m, &s), 0);
	/* another run */
	snap_init(&s, 5000, 43, 6000);
	in = snap_exporter(&s, "192.0.2.1");
	in->datagrams = 10;
	in->records = 290;
	in->drop[FRX_EBAD_COUNT] = 4;
	in->drop[FRX_EBAD_VERSION] = 9;
	in->drop[FRX_STATS_MAX_REASONS - 1] = 1; /* a reason this reader has no name for */
	snap_exporter(&s, "192.0.2.2")->drop[FRX_EBAD_COUNT] = 100;
	cr_assert_eq(snap_add(m, &s), 0);

	x = exporters_of(m, 2);
	cr_assert_eq(x[0].datagrams, 110);
	cr_assert_eq(x[0].records, 3190);
	cr_assert_eq(x[0].rate_limited, 2);
	cr_assert_eq(x[0].new_engine_pdus, 1);
	cr_assert_eq(x[0].drop[FRX_EBAD_COUNT], 3 + 4);
	cr_assert_eq(x[0].drop[FRX_ETRUNCATED], 1);
	cr_assert_eq(x[0].drop[FRX_EBAD_VERSION], 9);
	cr_assert_eq(x[0].drop[FRX_STATS_MAX_REASONS - 1], 1);
	cr_assert_eq(x[1].drop[FRX_EBAD_COUNT], 100);
	frx_statsmerge_free(m);
}

Test(statsmerge, denied_sources_are_merged)
{
	struct frx_statsmerge *m = frx_statsmerge_create();
	const struct frx_denied_stats *d;
	uint8_t a[16];
	struct snap s;

	snap_init(&s, 1000, 42, 2000);
	snap_denied(&s, "198.51.100.7", 10)->last_seen_ms = 1900;
	snap_denied(&s, "2001:db8::66", 1)->last_seen_ms = 1200;
	cr_assert_eq(snap_add(m, &s), 0);
	snap_init(&s, 1000, 42, 1000);
	snap_denied(&s, "198.51.100.7", 4)->last_seen_ms = 900;
	cr_assert_eq(snap_add(m, &s), 0);
	snap_init(&s, 5000, 43, 6000);
	snap_denied(&s, "198.51.100.7", 5)->last_seen_ms = 5500;
	cr_assert_eq(snap_add(m, &s), 0);

	d = denied_of(m, 2);
	frx_addr_parse("198.51.100.7", a);
	cr_assert_eq(memcmp(d[0].addr, a, 16), 0, "IPv4 (::ffff:0:0/96) sorts before 2001:db8::");
	cr_assert_eq(d[0].datagrams, 10 + 5);
	cr_assert_eq(d[0].last_seen_ms, 5500);
	cr_assert_eq(d[1].datagrams, 1);
	frx_statsmerge_free(m);
}

Test(statsmerge, collector_totals_take_each_runs_latest_header)
{
	struct frx_statsmerge *m = frx_statsmerge_create();
	struct frx_statsmerge_totals t;
	struct snap s;

	snap_init(&s, 1000, 42, 2000);
	s.hdr.rx_packets = 500;
	s.hdr.records_written = 9000;
	s.hdr.drop[FRX_EWRONG_PORT] = 3;
	cr_assert_eq(snap_add(m, &s), 0);
	snap_init(&s, 1000, 42, 1500);
	s.hdr.rx_packets = 400;
	s.hdr.drop[FRX_EWRONG_PORT] = 2;
	s.hdr.drop[FRX_ERING_FULL] = 1;
	cr_assert_eq(snap_add(m, &s), 0);
	snap_init(&s, 3000, 43, 3500);
	s.hdr.rx_packets = 7;
	s.hdr.records_written = 70;
	s.hdr.drop[FRX_EWRONG_PORT] = 1;
	cr_assert_eq(snap_add(m, &s), 0);

	frx_statsmerge_totals(m, &t);
	cr_assert_eq(t.snapshots, 3);
	cr_assert_eq(t.runs, 2);
	cr_assert_eq(t.rx_packets, 507);
	cr_assert_eq(t.records_written, 9070);
	cr_assert_eq(t.drop[FRX_EWRONG_PORT], 4);
	cr_assert_eq(t.drop[FRX_ERING_FULL], 0, "only in an older snapshot");
	frx_statsmerge_free(m);
}

Test(statsmerge, result_does_not_depend_on_the_order_blocks_are_read)
{
	struct frx_statsmerge *a = frx_statsmerge_create(), *b = frx_statsmerge_create();
	const struct frx_engine_stats *ea, *eb;
	const struct frx_exporter_stats *xa, *xb;
	struct snap s[4];
	size_t na, nb;

	for (int i = 0; i < 4; i++) {
		struct frx_engine_stats *e;

		/* two runs of two snapshots; the same snapshot time in both runs */
		snap_init(&s[i], i < 2 ? 1000 : 5000, 42, 10000 + (uint64_t)(i % 2) * 1000);
		e = snap_session(&s[i], "192.0.2.1", 9, 2055, 0);
		set_counts(e, 10u * (i + 1), 100u * (i + 1), (uint64_t)i);
		e->last_seen_ms = 10000;
		e->last_sequence = (uint32_t)i;
		snap_exporter(&s[i], "192.0.2.1")->datagrams = 10u * (i + 1);
		snap_session(&s[i], "192.0.2.9", 10, 4739, (uint32_t)i);
	}
	for (int i = 0; i < 4; i++)
		cr_assert_eq(snap_add(a, &s[i]), 0);
	for (int i = 3; i >= 0; i--)
		cr_assert_eq(snap_add(b, &s[i]), 0);
	cr_assert_eq(frx_statsmerge_engines(a, &ea, &na), 0);
	cr_assert_eq(frx_statsmerge_engines(b, &eb, &nb), 0);
	cr_assert_eq(na, 1 + 4);
	cr_assert_eq(nb, na);
	cr_assert_eq(memcmp(ea, eb, na * sizeof(*ea)), 0);
	cr_assert_eq(ea[0].packets, 20 + 40);
	cr_assert_eq(ea[0].last_sequence, 3, "equal last_seen: the later run's");
	cr_assert_eq(frx_statsmerge_exporters(a, &xa, &na), 0);
	cr_assert_eq(frx_statsmerge_exporters(b, &xb, &nb), 0);
	cr_assert_eq(nb, na);
	cr_assert_eq(memcmp(xa, xb, na * sizeof(*xa)), 0);
	frx_statsmerge_free(a);
	frx_statsmerge_free(b);
}

Test(statsmerge, many_engines_and_runs_are_all_kept)
{
	struct frx_statsmerge *m = frx_statsmerge_create();
	const struct frx_engine_stats *e;
	struct snap s;

	for (uint32_t run = 0; run < 50; run++) {
		for (uint32_t i = 0; i < 2000; i += SNAP_MAX) {
			snap_init(&s, 1000 + run, 42, 2000 + run);
			for (uint32_t k = i; k < i + SNAP_MAX; k++)
				snap_session(&s, "192.0.2.1", 10, 4739, k)->packets = 1;
			cr_assert_eq(snap_add(m, &s), 0);
		}
	}
	e = engines_of(m, 2000);
	for (uint32_t i = 0; i < 2000; i++) {
		cr_assert_eq(e[i].domain, i);
		cr_assert_eq(e[i].packets, 50);
	}
	frx_statsmerge_free(m);
}

Test(statsmerge, received_is_counted_in_the_unit_of_lost)
{
	struct frx_engine_stats e;

	memset(&e, 0, sizeof(e));
	e.packets = 10;
	e.records = 250;
	e.unit = FRX_SEQ_UNIT_PACKETS;
	cr_assert_eq(frx_statsmerge_received(&e), 10);
	e.unit = FRX_SEQ_UNIT_FLOWS;
	cr_assert_eq(frx_statsmerge_received(&e), 250);
	e.unit = FRX_SEQ_UNIT_RECORDS;
	cr_assert_eq(frx_statsmerge_received(&e), 250);
	e.unit = FRX_SEQ_UNIT_NONE;
	cr_assert_eq(frx_statsmerge_received(&e), 0);
}
