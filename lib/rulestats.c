/* SPDX-License-Identifier: BSD-3-Clause */
/* RULES blocks: parse, and merge latest-per-{run, generation} then sum by name. */
#include "rulestats.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int
frx_rulestats_parse(const void *payload, size_t len, const struct frx_rulestats_header **hdr,
		    const struct frx_rulestats_entry **entries)
{
	const struct frx_rulestats_header *h = payload;

	if (len < sizeof(*h))
		return -EINVAL;
	if (h->nb_entries > (len - sizeof(*h)) / sizeof(struct frx_rulestats_entry) ||
	    len != sizeof(*h) + (size_t)h->nb_entries * sizeof(struct frx_rulestats_entry) ||
	    (uint64_t)h->first_index + h->nb_entries > h->nb_rules)
		return -EINVAL;
	*hdr = h;
	*entries = (const struct frx_rulestats_entry *)(h + 1);
	return 0;
}

/* The latest snapshot of one {run, generation}. */
struct set {
	uint64_t started_ms, generation, snapshot_ms;
	uint32_t collector_id, pid, nb_rules;
	uint64_t unmatched_records, unmatched_bytes;
	struct frx_rulestats_entry *entries; /* nb_rules; a zero name: not seen yet */
};

struct frx_rulestats_merge {
	struct set *sets;
	size_t nb_sets, cap;
	uint64_t snapshots;
	struct frx_rulestats_total *totals;
};

struct frx_rulestats_merge *
frx_rulestats_merge_create(void)
{
	return calloc(1, sizeof(struct frx_rulestats_merge));
}

void
frx_rulestats_merge_free(struct frx_rulestats_merge *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->nb_sets; i++)
		free(m->sets[i].entries);
	free(m->sets);
	free(m->totals);
	free(m);
}

int
frx_rulestats_merge_add(struct frx_rulestats_merge *m, const void *payload, size_t len)
{
	const struct frx_rulestats_header *h;
	const struct frx_rulestats_entry *e;
	struct set *s = NULL;

	if (frx_rulestats_parse(payload, len, &h, &e) < 0)
		return -EINVAL;
	for (size_t i = 0; i < m->nb_sets; i++) {
		struct set *c = &m->sets[i];

		if (c->started_ms == h->started_ms && c->pid == h->pid && c->collector_id == h->collector_id &&
		    c->generation == h->generation) {
			s = c;
			break;
		}
	}
	if (s == NULL) {
		if (m->nb_sets == m->cap) {
			size_t cap = m->cap ? m->cap * 2 : 8;
			struct set *g = realloc(m->sets, cap * sizeof(*g));

			if (g == NULL)
				return -ENOMEM;
			m->sets = g;
			m->cap = cap;
		}
		s = &m->sets[m->nb_sets];
		memset(s, 0, sizeof(*s));
		s->entries = calloc(h->nb_rules ? h->nb_rules : 1, sizeof(*s->entries));
		if (s->entries == NULL)
			return -ENOMEM;
		s->started_ms = h->started_ms;
		s->pid = h->pid;
		s->collector_id = h->collector_id;
		s->generation = h->generation;
		s->nb_rules = h->nb_rules;
		m->nb_sets++;
	}
	if (h->nb_rules != s->nb_rules)
		return -EINVAL; /* one generation is one rule set */
	/* blocks of one snapshot share snapshot_ms; an older snapshot changes nothing */
	if (h->snapshot_ms < s->snapshot_ms)
		return 0;
	s->snapshot_ms = h->snapshot_ms;
	s->unmatched_records = h->unmatched_records;
	s->unmatched_bytes = h->unmatched_bytes;
	memcpy(&s->entries[h->first_index], e, (size_t)h->nb_entries * sizeof(*e));
	for (uint32_t i = 0; i < h->nb_entries; i++)
		s->entries[h->first_index + i].name[sizeof(e->name) - 1] = '\0';
	m->snapshots++;
	return 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct frx_rulestats_total *)a)->name, ((const struct frx_rulestats_total *)b)->name);
}

int
frx_rulestats_merge_totals(struct frx_rulestats_merge *m, const struct frx_rulestats_total **totals,
			   size_t *count, uint64_t *unmatched_records, uint64_t *unmatched_bytes)
{
	size_t n = 0, out = 0;
	struct frx_rulestats_total *t;

	for (size_t i = 0; i < m->nb_sets; i++)
		n += m->sets[i].nb_rules;
	t = calloc(n ? n : 1, sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	*unmatched_records = *unmatched_bytes = 0;
	/* sets were added in file order: the last one's settings describe a rule */
	for (size_t i = 0; i < m->nb_sets; i++) {
		const struct set *s = &m->sets[i];

		*unmatched_records += s->unmatched_records;
		*unmatched_bytes += s->unmatched_bytes;
		for (uint32_t k = 0; k < s->nb_rules; k++) {
			const struct frx_rulestats_entry *e = &s->entries[k];

			if (e->name[0] == '\0')
				continue;
			memcpy(t[out].name, e->name, sizeof(t[out].name));
			t[out].records = e->records;
			t[out].bytes = e->bytes;
			t[out].priority = e->priority;
			t[out].class_id = e->class_id;
			t[out].action = e->action;
			out++;
		}
	}
	/* fold equal names: counters add up; the settings shown are one of theirs */
	qsort(t, out, sizeof(*t), by_name);
	n = 0;
	for (size_t i = 0; i < out; i++) {
		if (n && strcmp(t[n - 1].name, t[i].name) == 0) {
			t[n - 1].records += t[i].records;
			t[n - 1].bytes += t[i].bytes;
			continue;
		}
		t[n++] = t[i];
	}
	free(m->totals);
	m->totals = t;
	*totals = t;
	*count = n;
	return 0;
}

uint64_t
frx_rulestats_merge_snapshots(const struct frx_rulestats_merge *m)
{
	return m->snapshots;
}
