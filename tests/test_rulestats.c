/* SPDX-License-Identifier: BSD-3-Clause */
/* RULES blocks: payload checks and the merge flowrx-read --stats does. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rulestats.h"

struct payload {
	struct frx_rulestats_header h;
	struct frx_rulestats_entry e[4];
} __attribute__((aligned(8)));

static struct frx_rulestats_merge *m;

static void
setup(void)
{
	m = frx_rulestats_merge_create();
	cr_assert_not_null(m);
}

static void
teardown(void)
{
	frx_rulestats_merge_free(m);
}

TestSuite(rulestats, .init = setup, .fini = teardown);

/* A snapshot of run started_ms, generation gen, rules "a".."" with the given records. */
static size_t
snapshot(struct payload *p, uint64_t started_ms, uint64_t gen, uint64_t at_ms, uint32_t nb_rules, uint32_t first,
	 uint32_t n, const uint64_t *records, uint64_t unmatched)
{
	memset(p, 0, sizeof(*p));
	p->h.snapshot_ms = at_ms;
	p->h.started_ms = started_ms;
	p->h.generation = gen;
	p->h.pid = 42;
	p->h.nb_rules = nb_rules;
	p->h.first_index = first;
	p->h.nb_entries = n;
	p->h.unmatched_records = unmatched;
	for (uint32_t i = 0; i < n; i++) {
		snprintf(p->e[i].name, sizeof(p->e[i].name), "%c", 'a' + first + i);
		p->e[i].records = records[i];
		p->e[i].bytes = records[i] * 100;
		p->e[i].action = 3;
		p->e[i].class_id = (uint16_t)(first + i + 1);
	}
	return sizeof(p->h) + n * sizeof(p->e[0]);
}

static const struct frx_rulestats_total *
totals(size_t *n, uint64_t *unmatched)
{
	const struct frx_rulestats_total *t;
	uint64_t unmatched_bytes;

	cr_assert_eq(frx_rulestats_merge_totals(m, &t, n, unmatched, &unmatched_bytes), 0);
	return t;
}

Test(rulestats, latest_snapshot_of_a_generation_counts_not_their_sum)
{
	struct payload p;
	size_t len, n;
	uint64_t unmatched;
	const struct frx_rulestats_total *t;

	len = snapshot(&p, 1000, 1, 2000, 2, 0, 2, (const uint64_t[]){ 5, 7 }, 1);
	cr_assert_eq(frx_rulestats_merge_add(m, &p, len), 0);
	len = snapshot(&p, 1000, 1, 3000, 2, 0, 2, (const uint64_t[]){ 9, 8 }, 3);
	cr_assert_eq(frx_rulestats_merge_add(m, &p, len), 0);
	len = snapshot(&p, 1000, 1, 2500, 2, 0, 2, (const uint64_t[]){ 6, 7 }, 2); /* older, read later */
	cr_assert_eq(frx_rulestats_merge_add(m, &p, len), 0);
	t = totals(&n, &unmatched);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(t[0].name, "a");
	cr_assert_eq(t[0].records, 9);
	cr_assert_eq(t[0].bytes, 900);
	cr_assert_eq(t[1].records, 8);
	cr_assert_eq(unmatched, 3);
}

Test(rulestats, generations_and_runs_add_up_by_name)
{
	struct payload p;
	size_t len, n;
	uint64_t unmatched;
	const struct frx_rulestats_total *t;

	len = snapshot(&p, 1000, 1, 2000, 2, 0, 2, (const uint64_t[]){ 5, 7 }, 1);
	cr_assert_eq(frx_rulestats_merge_add(m, &p, len), 0);
	len = snapshot(&p, 1000, 2, 2100, 1, 0, 1, (const uint64_t[]){ 4 }, 1); /* reload: "a" only */
	cr_assert_eq(frx_rulestats_merge_add(m, &p, len), 0);
	len = snapshot(&p, 5000, 1, 6000, 2, 0, 2, (const uint64_t[]){ 10, 1 }, 0); /* another run */
	cr_assert_eq(frx_rulestats_merge_add(m, &p, len), 0);
	t = totals(&n, &unmatched);
	cr_assert_eq(n, 2);
	cr_assert_eq(t[0].records, 5 + 4 + 10);
	cr_assert_eq(t[1].records, 7 + 1);
	cr_assert_eq(unmatched, 2);
}

Test(rulestats, a_snapshot_split_over_blocks_is_put_together)
{
	struct payload p;
	size_t len, n;
	uint64_t unmatched;
	const struct frx_rulestats_total *t;

	len = snapshot(&p, 1000, 1, 2000, 3, 2, 1, (const uint64_t[]){ 30 }, 0);
	cr_assert_eq(frx_rulestats_merge_add(m, &p, len), 0);
	len = snapshot(&p, 1000, 1, 2000, 3, 0, 2, (const uint64_t[]){ 10, 20 }, 0);
	cr_assert_eq(frx_rulestats_merge_add(m, &p, len), 0);
	t = totals(&n, &unmatched);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(t[2].name, "c");
	cr_assert_eq(t[2].records, 30);
	cr_assert_eq(t[2].class_id, 3);
}

Test(rulestats, inconsistent_payloads_are_refused_whole)
{
	struct payload p;
	size_t len, n;
	uint64_t unmatched;

	len = snapshot(&p, 1000, 1, 2000, 2, 0, 2, (const uint64_t[]){ 5, 7 }, 0);
	cr_assert_eq(frx_rulestats_merge_add(m, &p, len - 1), -EINVAL, "length not header + entries");
	cr_assert_eq(frx_rulestats_merge_add(m, &p, 10), -EINVAL, "shorter than a header");
	p.h.first_index = 1;
	cr_assert_eq(frx_rulestats_merge_add(m, &p, len), -EINVAL, "entries past nb_rules");
	p.h.first_index = 0;
	p.h.nb_entries = UINT32_MAX;
	cr_assert_eq(frx_rulestats_merge_add(m, &p, len), -EINVAL, "count overflowing the length");
	cr_assert_eq(frx_rulestats_merge_snapshots(m), 0);
	totals(&n, &unmatched);
	cr_assert_eq(n, 0);
}
