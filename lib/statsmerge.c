/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Merging STATS payloads: the latest snapshot per run, summed over runs.
 *
 * Each run keeps its own maps of the latest engine/exporter/denied entries
 * (with the snapshot time each came from). The merged view is rebuilt from
 * them when asked for after an add: rebuilding instead of adding deltas
 * keeps min/max fields (first/last seen) exact and makes the result
 * independent of the order in which blocks were added.
 */
#include "statsmerge.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "seq.h"

/* ------------------------------------------------------------------ table */

/*
 * A growable map of fixed-size entries whose key is their first key_size
 * bytes (compared with memcmp, so keys are fully initialised). Entries live
 * in one array in insertion order (or sorted order after table_sort());
 * an open-addressing index of entry positions, at most half full, finds
 * them.
 */
struct table {
	uint8_t *entries;
	size_t entry_size;
	size_t key_size;
	size_t nb;
	size_t cap;
	uint32_t *slots;            /* entry position + 1; 0 = free */
	size_t nb_slots;            /* 0 or a power of two */
};

#define TABLE_MIN_SLOTS 16

static void
table_init(struct table *t, size_t entry_size, size_t key_size)
{
	memset(t, 0, sizeof(*t));
	t->entry_size = entry_size;
	t->key_size = key_size;
}

static void
table_free(struct table *t)
{
	free(t->entries);
	free(t->slots);
	t->entries = NULL;
	t->slots = NULL;
	t->nb = t->cap = t->nb_slots = 0;
}

static void *
table_at(const struct table *t, size_t i)
{
	return t->entries + i * t->entry_size;
}

static uint64_t
key_hash(const void *key, size_t len)
{
	const uint8_t *p = key;
	uint64_t h = 14695981039346656037ull; /* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h ^ (h >> 29);
}

/* The slot holding key, or the free slot where it would go. */
static uint32_t *
table_slot(const struct table *t, const void *key)
{
	size_t mask = t->nb_slots - 1;
	size_t pos = (size_t)key_hash(key, t->key_size) & mask;

	for (;;) {
		uint32_t *s = &t->slots[pos];

		if (*s == 0 || memcmp(table_at(t, *s - 1), key, t->key_size) == 0)
			return s;
		pos = (pos + 1) & mask;
	}
}

/* Rebuild the index from the entries (after growing it or sorting). */
static void
table_reindex(struct table *t)
{
	memset(t->slots, 0, t->nb_slots * sizeof(*t->slots));
	for (size_t i = 0; i < t->nb; i++)
		*table_slot(t, table_at(t, i)) = (uint32_t)(i + 1);
}

/*
 * Find the entry of key, or append one (zeroed, key copied).
 * @return 1 if created, 0 if it existed, -ENOMEM.
 */
static int
table_insert(struct table *t, const void *key, void **entry)
{
	uint32_t *s;
	void *e;

	if ((t->nb + 1) * 2 > t->nb_slots) {
		size_t nb_slots = t->nb_slots == 0 ? TABLE_MIN_SLOTS : t->nb_slots * 2;
		uint32_t *slots;

		/* slot values are uint32_t positions + 1 */
		if (nb_slots / 2 >= UINT32_MAX || nb_slots > SIZE_MAX / sizeof(*slots))
			return -ENOMEM;
		slots = calloc(nb_slots, sizeof(*slots));
		if (slots == NULL)
			return -ENOMEM;
		free(t->slots);
		t->slots = slots;
		t->nb_slots = nb_slots;
		table_reindex(t);
	}
	s = table_slot(t, key);
	if (*s != 0) {
		*entry = table_at(t, *s - 1);
		return 0;
	}
	if (t->nb == t->cap) {
		size_t cap = t->cap == 0 ? TABLE_MIN_SLOTS / 2 : t->cap * 2;
		uint8_t *entries;

		if (cap > SIZE_MAX / t->entry_size)
			return -ENOMEM;
		entries = realloc(t->entries, cap * t->entry_size);
		if (entries == NULL)
			return -ENOMEM;
		t->entries = entries;
		t->cap = cap;
	}
	e = table_at(t, t->nb);
	memset(e, 0, t->entry_size);
	memcpy(e, key, t->key_size);
	t->nb++;
	*s = (uint32_t)t->nb;
	*entry = e;
	return 1;
}

/* Forget the entries, keep the memory. */
static void
table_clear(struct table *t)
{
	t->nb = 0;
	if (t->slots != NULL)
		memset(t->slots, 0, t->nb_slots * sizeof(*t->slots));
}

static void
table_sort(struct table *t, int (*cmp)(const void *, const void *))
{
	if (t->nb < 2)
		return;
	qsort(t->entries, t->nb, t->entry_size, cmp);
	table_reindex(t);
}

/* ------------------------------------------------------------------ state */

/* The engine key is the first bytes of struct frx_engine_stats (once the
 * fields outside the version's key are zeroed): addr, domain, port, version,
 * engine_type, engine_id. */
#define ENGINE_KEY_LEN (offsetof(struct frx_engine_stats, engine_id) + 1)
_Static_assert(offsetof(struct frx_engine_stats, domain) == 16 &&
		       offsetof(struct frx_engine_stats, exporter_port) == 20 &&
		       offsetof(struct frx_engine_stats, version) == 22 &&
		       offsetof(struct frx_engine_stats, engine_type) == 23 && ENGINE_KEY_LEN == 25,
	       "engine key fields are contiguous at the start");
#define ADDR_KEY_LEN 16
_Static_assert(offsetof(struct frx_exporter_stats, exporter_addr) == 0 &&
		       offsetof(struct frx_denied_stats, addr) == 0,
	       "address key at the start");

struct run_key {
	uint64_t started_ms;
	uint32_t pid;
	uint32_t collector_id;
};

/* One collector run: its latest header and the latest entry of each thing. */
struct run {
	struct run_key key;         /* first: the table key */
	struct frx_stats_header hdr;
	struct table engines;       /* struct run_engine */
	struct table exporters;     /* struct run_exporter */
	struct table denied;        /* struct run_denied */
};

struct run_engine {
	struct frx_engine_stats st; /* first: key = ENGINE_KEY_LEN bytes */
	uint64_t snapshot_ms;
};

struct run_exporter {
	struct frx_exporter_stats st;
	uint64_t snapshot_ms;
};

struct run_denied {
	struct frx_denied_stats st;
	uint64_t snapshot_ms;
};

struct frx_statsmerge {
	struct table runs;          /* struct run */
	uint64_t snapshots;
	bool dirty;                 /* merged view out of date */
	struct table engines;       /* merged: struct frx_engine_stats */
	struct table exporters;     /* merged: struct frx_exporter_stats */
	struct table denied;        /* merged: struct frx_denied_stats */
};

struct frx_statsmerge *
frx_statsmerge_create(void)
{
	struct frx_statsmerge *m = calloc(1, sizeof(*m));

	if (m == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	table_init(&m->runs, sizeof(struct run), sizeof(struct run_key));
	table_init(&m->engines, sizeof(struct frx_engine_stats), ENGINE_KEY_LEN);
	table_init(&m->exporters, sizeof(struct frx_exporter_stats), ADDR_KEY_LEN);
	table_init(&m->denied, sizeof(struct frx_denied_stats), ADDR_KEY_LEN);
	return m;
}

void
frx_statsmerge_free(struct frx_statsmerge *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->runs.nb; i++) {
		struct run *run = table_at(&m->runs, i);

		table_free(&run->engines);
		table_free(&run->exporters);
		table_free(&run->denied);
	}
	table_free(&m->runs);
	table_free(&m->engines);
	table_free(&m->exporters);
	table_free(&m->denied);
	free(m);
}

/* ------------------------------------------------------------------ add */

/* v9 and IPFIX engines are transport sessions and domains (RFC 7011 §8.4);
 * v1-v8 engines are the header's engine type and id. Zero what is not key. */
static void
engine_normalize(struct frx_engine_stats *e)
{
	if (e->version >= 9) {
		e->engine_type = 0;
		e->engine_id = 0;
	} else {
		e->domain = 0;
		e->exporter_port = 0;
	}
	e->reserved0 = 0;
	e->reserved1 = 0;
	e->reserved2 = 0;
}

/*
 * Is a snapshot taken at new_ms, whose monotonic counter is new_count, later
 * than the one kept? Counters only grow within a run, so at equal times
 * the larger counter is the later one: the result does not depend on the
 * order blocks are added.
 */
static bool
is_later(uint64_t new_ms, uint64_t new_count, uint64_t old_ms, uint64_t old_count)
{
	return new_ms > old_ms || (new_ms == old_ms && new_count > old_count);
}

static int
add_engine(struct run *run, uint64_t snapshot_ms, const struct frx_engine_stats *in)
{
	struct frx_engine_stats st = *in;
	struct run_engine *e;
	int rc;

	engine_normalize(&st);
	rc = table_insert(&run->engines, &st, (void **)&e);
	if (rc < 0)
		return rc;
	if (rc == 1 || is_later(snapshot_ms, st.packets + st.records, e->snapshot_ms,
				e->st.packets + e->st.records)) {
		e->st = st;
		e->snapshot_ms = snapshot_ms;
	}
	return 0;
}

static int
add_exporter(struct run *run, uint64_t snapshot_ms, const struct frx_exporter_stats *in)
{
	struct run_exporter *e;
	int rc = table_insert(&run->exporters, in->exporter_addr, (void **)&e);

	if (rc < 0)
		return rc;
	if (rc == 1 || is_later(snapshot_ms, in->datagrams + in->rate_limited, e->snapshot_ms,
				e->st.datagrams + e->st.rate_limited)) {
		e->st = *in;
		e->snapshot_ms = snapshot_ms;
	}
	return 0;
}

static int
add_denied(struct run *run, uint64_t snapshot_ms, const struct frx_denied_stats *in)
{
	struct run_denied *e;
	int rc = table_insert(&run->denied, in->addr, (void **)&e);

	if (rc < 0)
		return rc;
	if (rc == 1 || is_later(snapshot_ms, in->datagrams, e->snapshot_ms, e->st.datagrams)) {
		e->st = *in;
		e->snapshot_ms = snapshot_ms;
	}
	return 0;
}

int
frx_statsmerge_add(struct frx_statsmerge *m, const void *payload, size_t len)
{
	const struct frx_stats_header *hdr;
	const struct frx_exporter_stats *exporters;
	const struct frx_engine_stats *engines;
	const struct frx_denied_stats *denied;
	struct run_key key;
	struct run *run;
	int rc;

	if (frx_stats_parse(payload, len, &hdr, &exporters, &engines, &denied) != 0)
		return -EINVAL;
	memset(&key, 0, sizeof(key));
	key.started_ms = hdr->started_ms;
	key.pid = hdr->pid;
	key.collector_id = hdr->collector_id;
	rc = table_insert(&m->runs, &key, (void **)&run);
	if (rc < 0)
		return rc;
	m->dirty = true;
	if (rc == 1) {
		table_init(&run->engines, sizeof(struct run_engine), ENGINE_KEY_LEN);
		table_init(&run->exporters, sizeof(struct run_exporter), ADDR_KEY_LEN);
		table_init(&run->denied, sizeof(struct run_denied), ADDR_KEY_LEN);
	}
	if (rc == 1 || is_later(hdr->snapshot_ms, hdr->rx_packets, run->hdr.snapshot_ms, run->hdr.rx_packets))
		run->hdr = *hdr;
	for (uint32_t i = 0; i < hdr->nb_engines; i++)
		if ((rc = add_engine(run, hdr->snapshot_ms, &engines[i])) < 0)
			return rc;
	for (uint32_t i = 0; i < hdr->nb_exporters; i++)
		if ((rc = add_exporter(run, hdr->snapshot_ms, &exporters[i])) < 0)
			return rc;
	for (uint32_t i = 0; i < hdr->nb_denied; i++)
		if ((rc = add_denied(run, hdr->snapshot_ms, &denied[i])) < 0)
			return rc;
	m->snapshots++;
	return 0;
}

/* ------------------------------------------------------------------ merge */

static void
first_last(uint64_t *first, uint64_t *last, uint64_t first_in, uint64_t last_in)
{
	if (first_in != 0 && (*first == 0 || first_in < *first))
		*first = first_in;
	if (last_in > *last)
		*last = last_in;
}

static int
merge_engine(struct frx_statsmerge *m, const struct frx_engine_stats *in)
{
	struct frx_engine_stats *sum;
	int rc = table_insert(&m->engines, in, (void **)&sum);

	if (rc < 0)
		return rc;
	if (rc == 1) {
		*sum = *in;
		return 0;
	}
	sum->packets += in->packets;
	sum->records += in->records;
	sum->lost += in->lost;
	sum->out_of_order += in->out_of_order;
	sum->duplicates += in->duplicates;
	sum->resets += in->resets;
	sum->rejected += in->rejected;
	sum->flags |= in->flags;
	/* runs come in key order, so at equal times the later run wins */
	if (in->last_seen_ms >= sum->last_seen_ms) {
		sum->last_sequence = in->last_sequence;
		sum->unit = in->unit;
	}
	first_last(&sum->first_seen_ms, &sum->last_seen_ms, in->first_seen_ms, in->last_seen_ms);
	return 0;
}

static int
merge_exporter(struct frx_statsmerge *m, const struct frx_exporter_stats *in)
{
	struct frx_exporter_stats *sum;
	int rc = table_insert(&m->exporters, in->exporter_addr, (void **)&sum);

	if (rc < 0)
		return rc;
	if (rc == 1) {
		*sum = *in;
		return 0;
	}
	sum->datagrams += in->datagrams;
	sum->records += in->records;
	sum->rate_limited += in->rate_limited;
	sum->new_engine_pdus += in->new_engine_pdus;
	for (int r = 0; r < FRX_STATS_MAX_REASONS; r++)
		sum->drop[r] += in->drop[r];
	first_last(&sum->first_seen_ms, &sum->last_seen_ms, in->first_seen_ms, in->last_seen_ms);
	return 0;
}

static int
merge_denied(struct frx_statsmerge *m, const struct frx_denied_stats *in)
{
	struct frx_denied_stats *sum;
	int rc = table_insert(&m->denied, in->addr, (void **)&sum);

	if (rc < 0)
		return rc;
	if (rc == 1) {
		*sum = *in;
		return 0;
	}
	sum->datagrams += in->datagrams;
	if (in->last_seen_ms > sum->last_seen_ms)
		sum->last_seen_ms = in->last_seen_ms;
	return 0;
}

static int
cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int
cmp_run(const void *a, const void *b)
{
	const struct run_key *x = a, *y = b;
	int c = cmp_u64(x->started_ms, y->started_ms);

	if (c == 0)
		c = cmp_u64(x->pid, y->pid);
	if (c == 0)
		c = cmp_u64(x->collector_id, y->collector_id);
	return c;
}

static int
cmp_engine(const void *a, const void *b)
{
	const struct frx_engine_stats *x = a, *y = b;
	int c = memcmp(x->exporter_addr, y->exporter_addr, sizeof(x->exporter_addr));

	if (c == 0)
		c = cmp_u64(x->version, y->version);
	if (c == 0)
		c = cmp_u64(x->engine_type, y->engine_type);
	if (c == 0)
		c = cmp_u64(x->engine_id, y->engine_id);
	if (c == 0)
		c = cmp_u64(x->exporter_port, y->exporter_port);
	if (c == 0)
		c = cmp_u64(x->domain, y->domain);
	return c;
}

static int
cmp_addr(const void *a, const void *b)
{
	return memcmp(a, b, ADDR_KEY_LEN);
}

/* Rebuild the merged view if an add changed anything. */
static int
merge(struct frx_statsmerge *m)
{
	int rc;

	if (!m->dirty)
		return 0;
	table_sort(&m->runs, cmp_run);
	table_clear(&m->engines);
	table_clear(&m->exporters);
	table_clear(&m->denied);
	for (size_t i = 0; i < m->runs.nb; i++) {
		const struct run *run = table_at(&m->runs, i);

		for (size_t k = 0; k < run->engines.nb; k++) {
			const struct run_engine *e = table_at(&run->engines, k);

			if ((rc = merge_engine(m, &e->st)) < 0)
				return rc;
		}
		for (size_t k = 0; k < run->exporters.nb; k++) {
			const struct run_exporter *e = table_at(&run->exporters, k);

			if ((rc = merge_exporter(m, &e->st)) < 0)
				return rc;
		}
		for (size_t k = 0; k < run->denied.nb; k++) {
			const struct run_denied *e = table_at(&run->denied, k);

			if ((rc = merge_denied(m, &e->st)) < 0)
				return rc;
		}
	}
	table_sort(&m->engines, cmp_engine);
	table_sort(&m->exporters, cmp_addr);
	table_sort(&m->denied, cmp_addr);
	m->dirty = false;
	return 0;
}

int
frx_statsmerge_engines(struct frx_statsmerge *m, const struct frx_engine_stats **engines, size_t *count)
{
	int rc = merge(m);

	if (rc < 0)
		return rc;
	*engines = (const struct frx_engine_stats *)m->engines.entries;
	*count = m->engines.nb;
	return 0;
}

int
frx_statsmerge_exporters(struct frx_statsmerge *m, const struct frx_exporter_stats **exporters,
			 size_t *count)
{
	int rc = merge(m);

	if (rc < 0)
		return rc;
	*exporters = (const struct frx_exporter_stats *)m->exporters.entries;
	*count = m->exporters.nb;
	return 0;
}

int
frx_statsmerge_denied(struct frx_statsmerge *m, const struct frx_denied_stats **denied, size_t *count)
{
	int rc = merge(m);

	if (rc < 0)
		return rc;
	*denied = (const struct frx_denied_stats *)m->denied.entries;
	*count = m->denied.nb;
	return 0;
}

void
frx_statsmerge_totals(const struct frx_statsmerge *m, struct frx_statsmerge_totals *t)
{
	memset(t, 0, sizeof(*t));
	t->snapshots = m->snapshots;
	t->runs = m->runs.nb;
	for (size_t i = 0; i < m->runs.nb; i++) {
		const struct run *run = table_at(&m->runs, i);

		t->rx_packets += run->hdr.rx_packets;
		t->records_written += run->hdr.records_written;
		for (int r = 0; r < FRX_STATS_MAX_REASONS; r++)
			t->drop[r] += run->hdr.drop[r];
	}
}

uint64_t
frx_statsmerge_received(const struct frx_engine_stats *e)
{
	switch (e->unit) {
	case FRX_SEQ_UNIT_PACKETS:
		return e->packets;
	case FRX_SEQ_UNIT_FLOWS:
	case FRX_SEQ_UNIT_RECORDS:
		return e->records;
	default:
		return 0;
	}
}
