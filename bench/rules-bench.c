/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rules-bench: records/s of the collector's rules stage (app/flowrx/rules_acl.c:
 * rte_acl + hyperscan) on one core, for generated rule sets.
 *
 *   rules-bench [-s SECONDS] [-n RULES[,RULES...]] [-S STRING_PERCENT] [-k]
 *
 * For each rule count (default 0,100,10000) it writes a rules file of that
 * many random rules (IPv4 and IPv6 prefixes, port ranges, protocols, TCP
 * flags; STRING_PERCENT of them, default 1, match the application name by
 * regex), loads it with frx_rules_load(), builds the engine, and
 *   1. checks every one of 65536 random records against the reference
 *      matcher frx_rules_classify(): same class, same drop, or it exits 1;
 *   2. classifies blocks of 1400 records (as the worker does) for about
 *      SECONDS (default 2) and prints records/s and ns/record.
 * Records are copied into the block before each run (drops compact it);
 * that copy is timed apart and not charged to classification.
 * -k keeps the rules files (printed paths). Last line: key=value for scripts.
 * Runs a private DPDK instance (--no-huge, no PCI).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include "flowrec.h"
#include "recbuf.h"
#include "rules.h"
#include "rules_acl.h"

#define BLOCK 1400
#define NB_RECORDS 65536

static const char *const apps[] = { "netflix", "youtube", "dns", "https", "zoom", "ssh", "bittorrent", "quic" };

static uint64_t lcg_state = 88172645463325252ull;

static uint32_t
rnd(void)
{
	lcg_state ^= lcg_state << 13;
	lcg_state ^= lcg_state >> 7;
	lcg_state ^= lcg_state << 17;
	return (uint32_t)lcg_state;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Random rules, all inside 10.0.0.0/8 and 2001:db8::/32 so that records hit them. */
static int
write_rules(const char *path, unsigned int n, unsigned int string_pct)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	for (unsigned int i = 0; i < n; i++) {
		unsigned int kind = rnd() % 100;

		fprintf(f, "[rule r%u]\npriority = %u\n", i, rnd() % 1000);
		if (kind < string_pct) {
			fprintf(f, "application = ~ /%s|%s/\n", apps[rnd() % 8], apps[rnd() % 8]);
			if (rnd() % 2)
				fprintf(f, "dst_port = %u-%u\n", 0, 1023);
		} else if (kind < 75) {
			unsigned int len = 8 + rnd() % 17;
			uint32_t a = (10u << 24) | (rnd() & 0xffffff);

			a &= len ? ~0u << (32 - len) : 0;
			fprintf(f, "src = %u.%u.%u.%u/%u\n", a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255, len);
			if (rnd() % 2) {
				unsigned int lo = rnd() % 60000;

				fprintf(f, "dst_port = %u-%u\n", lo, lo + rnd() % 5000);
			}
			if (rnd() % 3 == 0)
				fprintf(f, "proto = %s\n", rnd() % 2 ? "tcp" : "udp");
			if (rnd() % 5 == 0)
				fprintf(f, "tcp_flags = S/SA\n");
		} else {
			unsigned int len = 32 + rnd() % 33;

			fprintf(f, "src = 2001:db8:%x::/%u\n", (rnd() & 0xffff) & (len >= 48 ? 0xffff : 0xffff << (48 - len)),
				len);
			if (rnd() % 2)
				fprintf(f, "dst_port = %u\n", rnd() % 1024);
		}
		if (rnd() % 10 == 0)
			fprintf(f, "action = drop\n\n");
		else
			fprintf(f, "action = class %u\n\n", i % 65535 + 1);
	}
	return fclose(f);
}

static void
make_record(struct frx_flowrec *r, const char **app)
{
	memset(r, 0, sizeof(*r));
	if (rnd() % 4 == 0) {
		r->flags |= FRX_REC_F_IPV6;
		r->src_addr[0] = 0x20;
		r->src_addr[1] = 0x01;
		r->src_addr[2] = 0x0d;
		r->src_addr[3] = 0xb8;
		for (int k = 4; k < 16; k++)
			r->src_addr[k] = (uint8_t)(k < 6 ? rnd() : rnd() % 4);
		memcpy(r->dst_addr, r->src_addr, 16);
		r->dst_addr[15] ^= 1;
	} else {
		uint32_t a = (10u << 24) | (rnd() & 0xffffff), b = rnd();
		uint8_t v4[4] = { (uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a };
		uint8_t w4[4] = { (uint8_t)(b >> 24), (uint8_t)(b >> 16), (uint8_t)(b >> 8), (uint8_t)b };

		frx_addr_set_v4(r->src_addr, v4);
		frx_addr_set_v4(r->dst_addr, w4);
	}
	frx_addr_set_v4(r->exporter_addr, "\xc0\x00\x02\x01");
	r->src_port = (uint16_t)rnd();
	r->dst_port = (uint16_t)(rnd() % 2 ? rnd() % 1024 : rnd());
	r->proto = rnd() % 2 ? 6 : 17;
	r->tcp_flags = r->proto == 6 ? (uint8_t)rnd() : 0;
	r->bytes = 100 + rnd() % 10000;
	r->packets = 1;
	*app = rnd() % 2 ? apps[rnd() % 8] : NULL;
}

static struct frx_flowrec recs[NB_RECORDS];
static const char *rec_app[NB_RECORDS];
static struct frx_flowrec block[BLOCK];
static struct frx_recstr str_entries[BLOCK];

/* Side table of the strings of records [base, base + n) as they sit in block[]. */
static void
fill_strings(struct frx_strtab *st, uint32_t base, uint32_t n)
{
	st->count = 0;
	for (uint32_t i = 0; i < n; i++)
		if (rec_app[base + i])
			frx_strtab_push(st, &block[i], FRX_STR_APPLICATION, (const uint8_t *)rec_app[base + i],
					(uint32_t)strlen(rec_app[base + i]));
}

static int
run_one(unsigned int nb_rules, unsigned int string_pct, double seconds, int keep, uint64_t generation)
{
	char path[] = "/tmp/rules-bench.XXXXXX", err[1024];
	struct frx_ruleset *rs, *ref_rs;
	struct frx_rules_engine *e;
	struct frx_rules_scratch *ref;
	struct frx_strtab st = { .e = str_entries, .capacity = BLOCK };
	int fd = mkstemp(path);
	double t0, t_load, t_copy, t_run, elapsed;
	uint64_t done = 0, dropped = 0, mismatches = 0, matched = 0;

	if (fd < 0 || close(fd) < 0 || write_rules(path, nb_rules, string_pct) < 0) {
		perror(path);
		return -1;
	}
	t0 = now_s();
	if (frx_rules_load(path, &rs, err, sizeof(err)) < 0 || frx_rules_load(path, &ref_rs, err, sizeof(err)) < 0) {
		fprintf(stderr, "rules-bench: %s\n", err);
		return -1;
	}
	e = frx_rules_engine_create(rs, 1, SOCKET_ID_ANY, generation, err, sizeof(err));
	if (e == NULL) {
		fprintf(stderr, "rules-bench: %s\n", err);
		return -1;
	}
	t_load = now_s() - t0;
	ref = frx_rules_scratch_alloc(ref_rs);

	/* 1. the engine agrees with the reference on every record */
	for (uint32_t base = 0; base < NB_RECORDS; base += BLOCK) {
		uint32_t n = NB_RECORDS - base < BLOCK ? NB_RECORDS - base : BLOCK, kept, k = 0;
		uint64_t d = 0;

		memcpy(block, &recs[base], n * sizeof(*block));
		fill_strings(&st, base, n);
		kept = frx_rules_engine_run(e, 0, block, n, &st, NULL, &d);
		for (uint32_t i = 0; i < n; i++) {
			struct frx_rec_strings s;
			int w;
			int drop;
			uint16_t cls = 0;

			memset(&s, 0, sizeof(s));
			if (rec_app[base + i]) {
				s.ptr[FRX_STR_APPLICATION] = (const uint8_t *)rec_app[base + i];
				s.len[FRX_STR_APPLICATION] = (uint16_t)strlen(rec_app[base + i]);
			}
			w = frx_rules_classify(ref_rs, ref, &recs[base + i], &s);
			matched += w >= 0;
			drop = w >= 0 && ref_rs->rules[w].action == FRX_RULE_DROP;
			if (w >= 0 && ref_rs->rules[w].action == FRX_RULE_CLASS)
				cls = ref_rs->rules[w].class_id;
			if (drop)
				continue;
			if (k >= kept || block[k].src_port != recs[base + i].src_port || block[k].class_id != cls) {
				if (mismatches++ < 5) {
					char a[FRX_ADDR_STRLEN], b[FRX_ADDR_STRLEN];
					const struct frx_flowrec *r = &recs[base + i];

					fprintf(stderr, "rules-bench: record %u (%s -> %s port %u proto %u flags 0x%x): engine %s "
						"class %u, reference class %u (rule %s, line %u)\n",
						base + i, frx_addr_format(r->src_addr, a, sizeof(a)),
						frx_addr_format(r->dst_addr, b, sizeof(b)), r->dst_port, r->proto, r->tcp_flags,
						k >= kept ? "dropped" : "kept", k < kept ? block[k].class_id : 0, cls,
						w >= 0 ? ref_rs->rules[w].name : "-", w >= 0 ? ref_rs->rules[w].line : 0);
				}
				break;
			}
			k++;
		}
		if (k != kept && mismatches == 0) {
			mismatches++;
			fprintf(stderr, "rules-bench: block at %u: engine kept %u, reference %u\n", base, kept, k);
		}
	}
	if (mismatches) {
		fprintf(stderr, "rules-bench: %u rules: the engine disagrees with the reference matcher\n", nb_rules);
		return -1;
	}

	/* 2. speed: copies alone, then copies + classification */
	t0 = now_s();
	for (uint64_t it = 0; now_s() - t0 < seconds / 4; it++) {
		uint32_t base = (uint32_t)(it * BLOCK % (NB_RECORDS - BLOCK));

		memcpy(block, &recs[base], sizeof(block));
		fill_strings(&st, base, BLOCK);
		done += BLOCK;
	}
	t_copy = (now_s() - t0) / (double)done;
	done = 0;
	t0 = now_s();
	for (uint64_t it = 0; (elapsed = now_s() - t0) < seconds; it++) {
		uint32_t base = (uint32_t)(it * BLOCK % (NB_RECORDS - BLOCK));

		memcpy(block, &recs[base], sizeof(block));
		fill_strings(&st, base, BLOCK);
		frx_rules_engine_run(e, 0, block, BLOCK, &st, NULL, &dropped);
		done += BLOCK;
	}
	t_run = elapsed / (double)done - t_copy;
	if (t_run < 1e-9)
		t_run = 1e-9; /* below what this loop can tell apart from the copy */
	printf("%6u rules (%u with strings, %u+%u ACL entries): load+build %.1f ms, %4.1f%% of records matched, "
	       "%.1f ns/record%s (%.1f with the copy), %.2f M records/s (checked %u records against the reference)\n",
	       nb_rules, rs->nb_string_rules, e->acl4_entries, e->acl6_entries, t_load * 1e3,
	       100.0 * (double)matched / NB_RECORDS, t_run * 1e9, t_run <= 1e-9 ? " or less" : "",
	       (t_run + t_copy) * 1e9, 1e-6 / t_run, NB_RECORDS);
	printf("rules=%u ns_per_record=%.1f ns_with_copy=%.1f records_per_s=%.0f build_ms=%.1f\n", nb_rules,
	       t_run * 1e9, (t_run + t_copy) * 1e9, 1.0 / t_run, t_load * 1e3);
	fflush(stdout);
	frx_rules_scratch_free(ref);
	frx_rules_free(ref_rs);
	frx_rules_engine_free(e);
	if (keep)
		printf("rules file: %s\n", path);
	else
		unlink(path);
	return 0;
}

int
main(int argc, char **argv)
{
	char prefix[64];
	char *eal_argv[] = { argv[0], "-l", "0", "--no-huge", "-m", "1024", "--no-pci", "--no-shconf",
			     "--file-prefix", prefix, "--log-level", "lib.eal:error", NULL };
	unsigned int counts[16] = { 0, 100, 10000 }, nb_counts = 3, string_pct = 1;
	double seconds = 2;
	int keep = 0, c;

	while ((c = getopt(argc, argv, "s:n:S:k")) != -1) {
		switch (c) {
		case 's':
			seconds = atof(optarg);
			break;
		case 'n': {
			char *p = optarg;

			nb_counts = 0;
			while (*p && nb_counts < 16) {
				counts[nb_counts++] = (unsigned int)strtoul(p, &p, 10);
				if (*p == ',')
					p++;
			}
			break;
		}
		case 'S':
			string_pct = (unsigned int)atoi(optarg);
			break;
		case 'k':
			keep = 1;
			break;
		default:
			fprintf(stderr, "usage: %s [-s SECONDS] [-n RULES[,RULES...]] [-S STRING_PERCENT] [-k]\n", argv[0]);
			return 2;
		}
	}
	snprintf(prefix, sizeof(prefix), "rules-bench-%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(eal_argv) / sizeof(eal_argv[0])) - 1, eal_argv) < 0) {
		fprintf(stderr, "rules-bench: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	for (uint32_t i = 0; i < NB_RECORDS; i++)
		make_record(&recs[i], &rec_app[i]);
	for (unsigned int i = 0; i < nb_counts; i++)
		if (run_one(counts[i], string_pct, seconds, keep, i + 1) < 0) {
			rte_eal_cleanup();
			return 1;
		}
	rte_eal_cleanup();
	return 0;
}
