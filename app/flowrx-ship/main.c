/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flowrx-ship: follow collectors' flow directories and insert their records
 * and engine statistics into ClickHouse, each exactly once.
 *
 * Each directory is followed like flowrx-read -f (lib/ffollow). Blocks are
 * gathered into batches, never across files; a batch is encoded as
 * RowBinary (lib/chrow) and inserted over HTTP (chhttp.c, libcurl). The
 * checkpoint (lib/ckpt) records the batch as pending before it is sent and
 * the position after it once ClickHouse acknowledged it. Every row carries
 * its batch's deterministic identity, so a batch whose fate is unknown
 * (shipper killed, connection lost, server restarted) is counted in
 * ClickHouse before it is sent again: all there, skip it; none, send it;
 * part of it, delete that part and send it (docs/scale-out.md).
 *
 * While ClickHouse is down the shipper retries with backoff and reports
 * how far behind it is; the collector is not affected (it only writes
 * files). Needs no DPDK: never runs on a data-path lcore.
 */
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "chhttp.h"
#include "chrow.h"
#include "ckpt.h"
#include "expstats.h"
#include "ffile.h"
#include "ffollow.h"
#include "flowrec.h"
#include "ifmap.h"

#ifndef FRX_VERSION
#define FRX_VERSION "dev"
#endif

#define PROG "flowrx-ship"
#define DEFAULT_URL "http://127.0.0.1:8123/"
#define DEFAULT_TABLE "flowrx_flows"
#define DEFAULT_STATS_TABLE "flowrx_stats"
#define DEFAULT_BATCH_ROWS 262144
#define FRX_SHIP_BATCH_MAX 1000000 /* below ClickHouse's max_insert_block_size (1048576) */
#define DEFAULT_BATCH_MS 1000
#define DEFAULT_REPORT_S 10
#define DEFAULT_TIMEOUT_MS 60000
#define DEFAULT_PARALLEL 2       /* one insert per core of a small ClickHouse server */
#define POLL_MS 100              /* pause when no directory has anything new */
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define MUTATION_WAIT_MS 200     /* between checks that a DELETE of a partial batch is done */

enum {
	OPT_PRINT_SCHEMA = 256,
	OPT_CREATE_TABLE,
	OPT_STATS_TABLE,
	OPT_COLLECTOR_ID,
	OPT_BATCH_ROWS,
	OPT_BATCH_MS,
	OPT_REPORT,
	OPT_ONCE,
	OPT_TIMEOUT,
	OPT_PARALLEL,
};

static volatile sig_atomic_t quit;
static volatile sig_atomic_t report_now;

struct options {
	const char *url;
	const char *table;
	const char *stats_table;
	const char *state_dir;
	bool has_collector_id;
	uint32_t collector_id;
	uint32_t batch_rows;
	uint32_t batch_ms;
	uint32_t report_s;
	long timeout_ms;
	uint32_t parallel;              /* inserts in flight per directory */
	bool print_schema;
	bool create_table;
	bool once;
	bool quiet;
	char **dirs;
	int nb_dirs;
};

/* A growable byte buffer of encoded rows. */
struct rowbuf {
	uint8_t *data;
	size_t len;
	size_t cap;
};

enum slot_state {
	SLOT_FREE,     /* nothing in it */
	SLOT_BUILDING, /* the main thread is adding blocks */
	SLOT_QUEUED,   /* handed to its sender thread */
	SLOT_DONE,     /* the sender is finished with it (ok: acknowledged) */
};

struct source;

/* A batch and the sender thread that ships it: one per insert in flight. */
struct batch {
	struct source *src;
	enum slot_state state;          /* under src->lock */
	bool ok;                        /* DONE: ClickHouse has it, whole and once */
	bool uncertain;                 /* may already be (partly) in ClickHouse: count before sending */
	bool found, replaced;           /* DONE: it was already there / a part of it was replaced */
	char file[FRX_FFOLLOW_NAME_MAX];
	uint64_t created_ns;
	uint32_t collector;
	struct frx_ckpt_batch b;        /* identity, extent, rows */
	uint64_t max_last_ms;           /* newest flow end in it */
	uint64_t opened_ms;
	struct rowbuf flows, stats;
	struct chhttp *ch;              /* its own connection */
	pthread_t thread;
	bool has_thread;
};

/* One followed directory. */
struct source {
	struct app *app;
	const char *dir;
	char *ckpt_path;
	struct frx_ffollow *fol;
	struct frx_ckpt ck;             /* as last saved */
	struct frx_ifmap *ifnames;      /* names from the IFNAMES blocks of the current file */
	char ifnames_file[FRX_FFOLLOW_NAME_MAX]; /* ...which file they belong to */
	/* batches: a ring of nslots; [head, head + count) are dispatched, oldest
	 * first; the slot after them is the one being built (cur) */
	struct batch slots[FRX_CKPT_MAX_PENDING];
	unsigned int nslots, head, count;
	struct batch *cur;              /* NULL: no batch being built */
	/* pending batches of the loaded checkpoint, rebuilt first */
	struct frx_ckpt_batch recover[FRX_CKPT_MAX_PENDING];
	unsigned int nrecover, recovered;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;                      /* under lock: sender threads exit */
	/* progress (main thread) */
	uint64_t shipped_rows, shipped_stats_rows, batches, skipped_batches, replaced_batches;
	uint64_t shipped_max_last_ms;   /* newest flow end shipped */
	bool idle;                      /* the follower had nothing new at the last poll */
};

struct app {
	const struct options *opt;
	const char *flow_columns;
	const char *stats_columns;
	struct source *src;
	int nsrc;
	uint64_t last_report_ms;
	int status;
};

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		report_now = 1;
	else
		quit = 1;
}

static uint64_t
monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL); /* a signal cuts it short; callers check quit */
}

static int
rowbuf_reserve(struct rowbuf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : (1u << 20);
	uint8_t *data;

	if (b->len + more <= b->cap)
		return 0;
	while (cap < b->len + more)
		cap *= 2;
	data = realloc(b->data, cap);
	if (data == NULL)
		return -1;
	b->data = data;
	b->cap = cap;
	return 0;
}

/* ------------------------------------------------------------------ lag */

static void
report_source(struct source *s, const char *why)
{
	uint64_t behind_records = 0, oldest_ms = 0, newest_ms = 0, behind_ms = 0, base;

	frx_ffollow_backlog(s->fol, &behind_records, &oldest_ms, &newest_ms);
	/* read but not yet acknowledged: being built, or in flight */
	pthread_mutex_lock(&s->lock);
	for (unsigned int i = 0; i <= s->count && i < s->nslots; i++) {
		const struct batch *b = &s->slots[(s->head + i) % s->nslots];

		if (b->state == SLOT_FREE)
			continue;
		behind_records += b->b.flow_rows;
		if (b->max_last_ms > newest_ms)
			newest_ms = b->max_last_ms;
	}
	pthread_mutex_unlock(&s->lock);
	/* Seconds of flow time between the newest record shipped (or, before
	 * the first batch, the oldest record waiting) and the newest written. */
	base = s->shipped_max_last_ms ? s->shipped_max_last_ms : oldest_ms;
	if (behind_records > 0 && base != 0 && newest_ms > base)
		behind_ms = newest_ms - base;
	fprintf(stderr,
		PROG ": %s %s: shipped %" PRIu64 " records, %" PRIu64 " stats rows in %" PRIu64
		     " batches (%" PRIu64 " found already in ClickHouse, %" PRIu64 " replaced partial); "
		     "behind: %" PRIu64 " records, %.1f s\n",
		why, s->dir, s->shipped_rows, s->shipped_stats_rows, s->batches, s->skipped_batches,
		s->replaced_batches, behind_records, (double)behind_ms / 1000.0);
}

/* Main thread only (the follower is not shared). */
static void
maybe_report(struct app *app, bool force, const char *why)
{
	uint64_t now = monotonic_ms();

	if (report_now) {
		report_now = 0;
		force = true;
		why = "SIGUSR1";
	}
	if (!force && (app->opt->report_s == 0 || now - app->last_report_ms < app->opt->report_s * 1000ull))
		return;
	app->last_report_ms = now;
	for (int i = 0; i < app->nsrc; i++)
		report_source(&app->src[i], why);
}

/* ------------------------------------------------------------------ sending (sender threads) */

/* The query id of a batch's insert into a table: the same on every attempt. */
static void
insert_query_id(char *buf, size_t size, const char *table, uint64_t id)
{
	snprintf(buf, size, "flowrx-ship-%s-%016" PRIx64, table, id);
}

static int
insert(struct batch *bt, const char *table, const char *columns, const struct rowbuf *rows)
{
	char qid[128];

	insert_query_id(qid, sizeof(qid), table, bt->b.id);
	return chhttp_insert(bt->ch, table, columns, qid, rows->data, rows->len);
}

/*
 * Make the rows of the batch in @p table exactly @p expected. First wait
 * until no insert of this batch is running in ClickHouse (one sent by a
 * shipper killed mid-request carries on without it), then count the rows:
 * none: insert; all: nothing to do; some (an insert cut short): delete them,
 * wait until the delete is done, insert. @return 1 if inserted, 0 if already
 * there, 2 if a partial batch was replaced, -1 on failure (retry later).
 */
static int
reconcile(struct batch *bt, const char *table, const char *columns, uint64_t expected,
	  const struct rowbuf *rows)
{
	char sql[512], qid[128];
	uint64_t have, id = bt->b.id;
	bool replaced = false;

	insert_query_id(qid, sizeof(qid), table, id);
	snprintf(sql, sizeof(sql), "SELECT count() FROM system.processes WHERE query_id = '%s'", qid);
	for (;;) {
		if (quit || chhttp_query_u64(bt->ch, sql, &have) != 0)
			return -1;
		if (have == 0)
			break;
		sleep_ms(MUTATION_WAIT_MS);
	}
	snprintf(sql, sizeof(sql), "SELECT count() FROM %s WHERE batch_id = %" PRIu64, table, id);
	if (chhttp_query_u64(bt->ch, sql, &have) != 0)
		return -1;
	if (have == expected)
		return 0;
	if (have > 0) {
		fprintf(stderr, PROG ": batch %016" PRIx64 " is partly in %s (%" PRIu64 " of %" PRIu64
				     " rows): deleting it to insert it whole\n",
			id, table, have, expected);
		snprintf(sql, sizeof(sql), "ALTER TABLE %s DELETE WHERE batch_id = %" PRIu64, table, id);
		if (chhttp_query(bt->ch, sql) != 0)
			return -1;
		snprintf(sql, sizeof(sql), "SELECT count() FROM %s WHERE batch_id = %" PRIu64, table, id);
		do {
			sleep_ms(MUTATION_WAIT_MS);
			if (quit || chhttp_query_u64(bt->ch, sql, &have) != 0)
				return -1;
		} while (have != 0);
		replaced = true;
	}
	if (insert(bt, table, columns, rows) != 0)
		return -1;
	return replaced ? 2 : 1;
}

static void
backoff(unsigned int *delay_ms)
{
	uint64_t until = monotonic_ms() + *delay_ms;

	while (!quit && monotonic_ms() < until)
		sleep_ms(100);
	*delay_ms = *delay_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : *delay_ms * 2;
}

/*
 * Insert a batch into both tables, retrying with backoff until ClickHouse
 * acknowledges or we are told to quit. After any failure the batch may or
 * may not be in ClickHouse: from then on it is counted before it is sent.
 * @return 0 when it is in ClickHouse exactly once, -1 on quit.
 */
static int
send_batch(struct batch *bt)
{
	const struct app *app = bt->src->app;
	const struct options *opt = app->opt;
	unsigned int delay = BACKOFF_MIN_MS;
	bool flows_done = bt->b.flow_rows == 0, stats_done = bt->b.stats_rows == 0, complained = false;

	while (!flows_done || !stats_done) {
		int rc = 0;

		if (quit)
			return -1;
		if (!flows_done) {
			if (bt->uncertain) {
				rc = reconcile(bt, opt->table, app->flow_columns, bt->b.flow_rows, &bt->flows);
				bt->found |= rc == 0;
				bt->replaced |= rc == 2;
			} else {
				rc = insert(bt, opt->table, app->flow_columns, &bt->flows);
			}
			flows_done = rc >= 0;
		}
		if (flows_done && !stats_done) {
			if (bt->uncertain)
				rc = reconcile(bt, opt->stats_table, app->stats_columns, bt->b.stats_rows, &bt->stats);
			else
				rc = insert(bt, opt->stats_table, app->stats_columns, &bt->stats);
			stats_done = rc >= 0;
		}
		if (flows_done && stats_done)
			break;
		bt->uncertain = true;
		if (!complained || delay == BACKOFF_MAX_MS) {
			fprintf(stderr, PROG ": %s: ClickHouse at %s: %s; retrying\n", bt->src->dir, opt->url,
				chhttp_error(bt->ch));
			complained = true;
		}
		backoff(&delay);
	}
	if (complained)
		fprintf(stderr, PROG ": %s: ClickHouse is back\n", bt->src->dir);
	return 0;
}

static void *
sender_main(void *arg)
{
	struct batch *bt = arg;
	struct source *s = bt->src;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		bool ok;

		while (!s->stop && bt->state != SLOT_QUEUED)
			pthread_cond_wait(&s->cond, &s->lock);
		if (s->stop)
			break;
		pthread_mutex_unlock(&s->lock);
		ok = send_batch(bt) == 0;
		pthread_mutex_lock(&s->lock);
		bt->ok = ok;
		bt->state = SLOT_DONE;
		pthread_cond_broadcast(&s->cond);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* ------------------------------------------------------------------ checkpoints and the ring (main thread) */

static int
save_ckpt(struct source *s)
{
	int rc = frx_ckpt_save(s->ckpt_path, &s->ck);

	if (rc < 0)
		fprintf(stderr, PROG ": cannot write checkpoint %s: %s\n", s->ckpt_path, strerror(-rc));
	return rc;
}

/* The checkpoint's pending list: the dispatched batches, oldest first. */
static void
ckpt_pending_from_ring(struct source *s)
{
	s->ck.npending = s->count;
	for (unsigned int i = 0; i < s->count; i++)
		s->ck.pending[i] = s->slots[(s->head + i) % s->nslots].b;
}

/*
 * Take the acknowledged batches off the front of the ring and move the
 * checkpoint past them. A batch acknowledged behind one still in flight
 * waits: the position only moves over acknowledged blocks.
 * @return 0, or -1 if the checkpoint cannot be written.
 */
static int
collect(struct source *s)
{
	bool moved = false;

	pthread_mutex_lock(&s->lock);
	while (s->count > 0) {
		struct batch *bt = &s->slots[s->head];

		if (bt->state != SLOT_DONE || !bt->ok)
			break;
		s->ck.pos.offset = bt->b.end;
		s->ck.last = bt->b;
		s->ck.has_last = true;
		s->batches++;
		s->skipped_batches += bt->found;
		s->replaced_batches += bt->replaced;
		s->shipped_rows += bt->b.flow_rows;
		s->shipped_stats_rows += bt->b.stats_rows;
		if (bt->max_last_ms > s->shipped_max_last_ms)
			s->shipped_max_last_ms = bt->max_last_ms;
		bt->state = SLOT_FREE;
		s->head = (s->head + 1) % s->nslots;
		s->count--;
		moved = true;
	}
	ckpt_pending_from_ring(s);
	pthread_mutex_unlock(&s->lock);
	return moved ? save_ckpt(s) : 0;
}

/*
 * Wait (reporting lag meanwhile) until fewer than @p max batches are in
 * flight. @return 0, or -1 on quit or checkpoint failure.
 */
static int
wait_inflight(struct source *s, unsigned int max)
{
	for (;;) {
		struct timespec until;

		if (collect(s) != 0)
			return -1;
		if (s->count < max || (max == 0 && s->count == 0))
			return 0;
		if (quit)
			return -1;
		maybe_report(s->app, false, "lag");
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 100 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&s->lock);
		if (s->slots[s->head].state != SLOT_DONE && !quit)
			pthread_cond_timedwait(&s->cond, &s->lock, &until);
		pthread_mutex_unlock(&s->lock);
	}
}

/*
 * Send the batch being built: record it as pending in the checkpoint, then
 * hand it to its sender. A batch without rows is not sent: its blocks stay
 * with the next batch (or, at the end of a file, are passed over).
 * @return 0, or -1 on quit or checkpoint failure.
 */
static int
dispatch(struct source *s)
{
	struct batch *bt = s->cur;

	if (bt == NULL || (bt->b.flow_rows == 0 && bt->b.stats_rows == 0))
		return 0;
	if (s->count == 0) {
		snprintf(s->ck.pos.name, sizeof(s->ck.pos.name), "%s", bt->file);
		s->ck.pos.created_ns = bt->created_ns;
		s->ck.pos.offset = bt->b.first;
	}
	pthread_mutex_lock(&s->lock);
	s->count++;
	ckpt_pending_from_ring(s);
	pthread_mutex_unlock(&s->lock);
	if (save_ckpt(s) != 0)
		return -1;
	pthread_mutex_lock(&s->lock);
	bt->state = SLOT_QUEUED;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	s->cur = NULL;
	return 0;
}

/* End of a file: send what was built, wait for every batch of the file. */
static int
finish_file(struct source *s)
{
	if (dispatch(s) != 0 || wait_inflight(s, 0) != 0)
		return -1;
	if (s->cur != NULL) {
		/* only blocks without rows (names) after the last batch: passed over */
		pthread_mutex_lock(&s->lock);
		s->cur->state = SLOT_FREE;
		pthread_mutex_unlock(&s->lock);
		s->cur = NULL;
	}
	return 0;
}

/* ------------------------------------------------------------------ batching (main thread) */

/* Start a batch at this block if none is being built (a slot is free). */
static void
batch_open(struct source *s, const struct frx_ffollow_event *ev)
{
	const struct options *opt = s->app->opt;
	struct batch *bt;

	if (s->cur != NULL)
		return;
	bt = &s->slots[(s->head + s->count) % s->nslots];
	bt->flows.len = bt->stats.len = 0;
	bt->found = bt->replaced = bt->ok = false;
	bt->max_last_ms = 0;
	snprintf(bt->file, sizeof(bt->file), "%s", ev->name);
	bt->created_ns = ev->created_ns;
	bt->collector = opt->has_collector_id ? opt->collector_id : ev->collector_id;
	memset(&bt->b, 0, sizeof(bt->b));
	bt->b.first = ev->offset;
	/* Every row carries it: known as soon as the batch's first block is. */
	bt->b.id = frx_ckpt_batch_id(bt->collector, bt->file, bt->created_ns, bt->b.first);
	bt->opened_ms = monotonic_ms();
	/* A pending batch of the loaded checkpoint is rebuilt block for block. */
	bt->uncertain = s->recovered < s->nrecover && strcmp(s->ck.pos.name, ev->name) == 0 &&
			s->ck.pos.created_ns == ev->created_ns && ev->offset == s->recover[s->recovered].first;
	pthread_mutex_lock(&s->lock);
	bt->state = SLOT_BUILDING;
	pthread_mutex_unlock(&s->lock);
	s->cur = bt;
}

static int
add_flows(struct source *s, const struct frx_block_hdr *hdr, const void *payload)
{
	const struct frx_flowrec *recs = payload;
	bool names = frx_ifmap_size(s->ifnames) > 0;
	struct batch *bt = s->cur;
	uint8_t *p;

	if (rowbuf_reserve(&bt->flows, (size_t)hdr->record_count * FRX_CHROW_FLOW_MAX) != 0)
		return -1;
	p = bt->flows.data + bt->flows.len;
	for (uint32_t i = 0; i < hdr->record_count; i++) {
		const struct frx_flowrec *r = &recs[i];
		const char *in = NULL, *out = NULL;

		if (names) {
			in = frx_ifmap_lookup(s->ifnames, r->exporter_addr, r->domain, r->in_if);
			out = frx_ifmap_lookup(s->ifnames, r->exporter_addr, r->domain, r->out_if);
		}
		p += frx_chrow_flow(p, r, in, out, bt->collector, bt->b.id);
	}
	bt->flows.len = (size_t)(p - bt->flows.data);
	bt->b.flow_rows += hdr->record_count;
	if (hdr->max_last_ms > bt->max_last_ms)
		bt->max_last_ms = hdr->max_last_ms;
	return 0;
}

static int
add_stats(struct source *s, const struct frx_block_hdr *hdr, const void *payload, const char *path,
	  uint64_t offset)
{
	const struct frx_stats_header *sh;
	const struct frx_exporter_stats *ex;
	const struct frx_engine_stats *en;
	const struct frx_denied_stats *de;
	struct batch *bt = s->cur;
	uint8_t *p;

	if (frx_stats_parse(payload, hdr->payload_len, &sh, &ex, &en, &de) != 0) {
		fprintf(stderr, PROG ": %s offset %" PRIu64 ": STATS block with inconsistent lengths, skipped\n",
			path, offset);
		return 0;
	}
	if (rowbuf_reserve(&bt->stats, (size_t)sh->nb_engines * FRX_CHROW_STATS_ROW) != 0)
		return -1;
	p = bt->stats.data + bt->stats.len;
	for (uint32_t i = 0; i < sh->nb_engines; i++)
		p += frx_chrow_stats(p, sh, &en[i], bt->collector, bt->b.id);
	bt->stats.len = (size_t)(p - bt->stats.data);
	bt->b.stats_rows += sh->nb_engines;
	return 0;
}

/* Interface names belong to a file: start afresh with each file. */
static void
names_for_file(struct source *s, const char *name)
{
	if (strcmp(s->ifnames_file, name) == 0)
		return;
	snprintf(s->ifnames_file, sizeof(s->ifnames_file), "%s", name);
	frx_ifmap_free(s->ifnames);
	s->ifnames = frx_ifmap_create();
}

/* Is the batch being built complete? */
static bool
batch_full(struct source *s)
{
	struct batch *bt = s->cur;

	if (bt->uncertain) {
		/* the pending batch of the checkpoint, rebuilt */
		const struct frx_ckpt_batch *want = &s->recover[s->recovered];

		if (bt->b.end < want->end)
			return false;
		if (bt->b.end != want->end || bt->b.flow_rows != want->flow_rows || bt->b.stats_rows != want->stats_rows)
			fprintf(stderr, PROG ": %s: pending batch of the checkpoint rebuilt differently "
					     "(end %" PRIu64 ", %" PRIu64 "/%" PRIu64 " rows; now end %" PRIu64
					     ", %" PRIu64 "/%" PRIu64 ")\n",
				s->dir, want->end, want->flow_rows, want->stats_rows, bt->b.end, bt->b.flow_rows,
				bt->b.stats_rows);
		s->recovered++;
		return true;
	}
	/* another block might not fit */
	return bt->b.flow_rows + FRX_BLOCK_RECORDS > s->app->opt->batch_rows;
}

/*
 * Take what the follower has, up to one batch. @return 1 if something
 * happened, 0 if the directory had nothing new, -1 to stop.
 */
static int
poll_source(struct source *s)
{
	const struct options *opt = s->app->opt;
	struct frx_ffollow_event ev;
	int progress = 0;

	for (;;) {
		if (quit)
			return -1;
		/* a slot to build in */
		if (s->cur == NULL && s->count == s->nslots && wait_inflight(s, s->nslots) != 0)
			return -1;
		frx_ffollow_next(s->fol, &ev);
		switch (ev.type) {
		case FRX_FFOLLOW_IDLE:
			s->idle = true;
			if (collect(s) != 0)
				return -1;
			/* A partial batch waits at most batch_ms for more. */
			if (s->cur != NULL && s->cur->b.flow_rows + s->cur->b.stats_rows > 0 && !s->cur->uncertain &&
			    (monotonic_ms() - s->cur->opened_ms >= opt->batch_ms || opt->once))
				return dispatch(s) == 0 ? 1 : -1;
			if (opt->once && wait_inflight(s, 0) != 0)
				return -1;
			return progress;
		case FRX_FFOLLOW_FILE_DONE:
			if (finish_file(s) != 0)
				return -1;
			progress = 1;
			continue;
		case FRX_FFOLLOW_OPEN_ERROR:
			if (ev.err == EINVAL)
				fprintf(stderr, PROG ": %s: not a flowrx file, or written by an unsupported version\n",
					ev.path);
			else
				fprintf(stderr, PROG ": cannot open %s: %s\n", ev.path, strerror(ev.err));
			progress = 1;
			continue;
		case FRX_FFOLLOW_CORRUPT:
			fprintf(stderr, PROG ": corrupt data in %s at offset %" PRIu64 " (%" PRIu64 " bytes), skipped\n",
				ev.path, ev.offset, ev.bytes);
			continue;
		case FRX_FFOLLOW_TORN:
			fprintf(stderr, PROG ": %s: incomplete block at offset %" PRIu64
					     " (collector crashed?), moving to the next file\n",
				ev.path, ev.offset);
			continue;
		case FRX_FFOLLOW_READ_ERROR:
			fprintf(stderr, PROG ": reading %s: %s\n", ev.path, strerror(ev.err));
			s->app->status = 1;
			if (finish_file(s) != 0)
				return -1;
			continue;
		case FRX_FFOLLOW_BLOCK:
			break;
		}
		s->idle = false;
		progress = 1;
		names_for_file(s, ev.name);
		if (ev.hdr->type == FRX_BLOCK_IFNAMES && s->ifnames != NULL &&
		    frx_ifmap_add_block(s->ifnames, ev.payload, ev.hdr->record_count) < 0) {
			fprintf(stderr, PROG ": out of memory for interface names\n");
			return -1;
		}
		if (ev.replay)
			continue;
		batch_open(s, &ev);
		s->cur->b.end = ev.next_offset;
		if (ev.hdr->type == FRX_BLOCK_FLOWS) {
			if (add_flows(s, ev.hdr, ev.payload) != 0) {
				fprintf(stderr, PROG ": out of memory for a batch\n");
				return -1;
			}
		} else if (ev.hdr->type == FRX_BLOCK_STATS) {
			if (add_stats(s, ev.hdr, ev.payload, ev.path, ev.offset) != 0) {
				fprintf(stderr, PROG ": out of memory for a batch\n");
				return -1;
			}
		}
		if (batch_full(s))
			return dispatch(s) == 0 ? 1 : -1;
	}
}

/* ------------------------------------------------------------------ setup */

static int
parse_u32(const char *arg, const char *what, uint32_t min, uint32_t max, uint32_t *v)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || arg[0] == '-' || x < min || x > max) {
		fprintf(stderr, PROG ": %s: '%s' is not a number from %" PRIu32 " to %" PRIu32 "\n", what, arg,
			min, max);
		return -1;
	}
	*v = (uint32_t)x;
	return 0;
}

/* A table name goes into SQL as it is: allow [db.]name of word characters only. */
static int
check_table_name(const char *name, const char *what)
{
	int dots = 0;

	if (name[0] == '\0' || name[0] == '.')
		goto bad;
	for (const char *p = name; *p; p++) {
		if (*p == '.') {
			if (++dots > 1 || p[1] == '\0')
				goto bad;
		} else if (!(*p == '_' || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
			     (*p >= 'A' && *p <= 'Z'))) {
			goto bad;
		}
	}
	return 0;
bad:
	fprintf(stderr, PROG ": %s: '%s' is not a table name ([database.]name, letters, digits, '_')\n", what,
		name);
	return -1;
}

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: " PROG " [options] -S STATE_DIR DIR...\n"
		"       " PROG " --print-schema [-t TABLE] [--stats-table TABLE]\n"
		"       " PROG " --create-table [-u URL] [-t TABLE] [--stats-table TABLE]\n"
		"\n"
		"Follow the flow directories DIR of flowrx collectors (like flowrx-read -f) and\n"
		"insert every record, and every engine's sequence counters from the STATS\n"
		"blocks, into ClickHouse over HTTP (RowBinary), each exactly once across\n"
		"restarts of the shipper and of ClickHouse (docs/scale-out.md).\n"
		"\n"
		"  -u, --url URL          ClickHouse HTTP interface (default " DEFAULT_URL ");\n"
		"                         user and password as http://user:pass@host:8123/\n"
		"  -t, --table NAME       flows table, [database.]name (default " DEFAULT_TABLE ")\n"
		"      --stats-table NAME engine statistics table (default " DEFAULT_STATS_TABLE ")\n"
		"  -S, --state-dir DIR    where the checkpoints are kept (one per DIR); required\n"
		"                         to ship; keep one per ClickHouse destination\n"
		"      --collector-id N   the rows' collector column (default: the collector id\n"
		"                         in each file's header, flowrx --collector-id)\n"
		"      --batch-rows N     records per insert, at most (default %u, max %u)\n"
		"      --batch-ms N       a partial batch waits at most N ms for more (default %u)\n"
		"      --report S         print how far behind the shipper is every S seconds\n"
		"                         (default %u; 0: only on SIGUSR1 and at exit)\n"
		"      --timeout-ms N     HTTP request timeout (default %u)\n"
		"      --parallel N       inserts in flight per DIR, each on its own connection\n"
		"                         (default %u, max %u)\n"
		"      --once             ship what the directories hold now, then exit\n"
		"      --print-schema     print the CREATE TABLE statements and exit\n"
		"      --create-table     create both tables in ClickHouse if missing, and exit\n"
		"  -q, --quiet            no summary at exit\n"
		"  -h, --help\n"
		"\n"
		"SIGINT/SIGTERM stop it (unacknowledged rows are shipped by the next run);\n"
		"SIGUSR1 prints the lag now. Flows table columns: the keys of flowrx-read -o\n"
		"json, then collector, time, batch_id; addresses are FixedString(16)\n"
		"(IPv6NumToString() shows them).\n",
		DEFAULT_BATCH_ROWS, FRX_SHIP_BATCH_MAX, DEFAULT_BATCH_MS, DEFAULT_REPORT_S, DEFAULT_TIMEOUT_MS,
		DEFAULT_PARALLEL, FRX_CKPT_MAX_PENDING);
}

static int
parse_options(int argc, char **argv, struct options *opt)
{
	static const struct option longopts[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "table", required_argument, NULL, 't' },
		{ "stats-table", required_argument, NULL, OPT_STATS_TABLE },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "collector-id", required_argument, NULL, OPT_COLLECTOR_ID },
		{ "batch-rows", required_argument, NULL, OPT_BATCH_ROWS },
		{ "batch-ms", required_argument, NULL, OPT_BATCH_MS },
		{ "report", required_argument, NULL, OPT_REPORT },
		{ "timeout-ms", required_argument, NULL, OPT_TIMEOUT },
		{ "parallel", required_argument, NULL, OPT_PARALLEL },
		{ "once", no_argument, NULL, OPT_ONCE },
		{ "print-schema", no_argument, NULL, OPT_PRINT_SCHEMA },
		{ "create-table", no_argument, NULL, OPT_CREATE_TABLE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint32_t v;
	int c;

	*opt = (struct options){
		.url = DEFAULT_URL,
		.table = DEFAULT_TABLE,
		.stats_table = DEFAULT_STATS_TABLE,
		.batch_rows = DEFAULT_BATCH_ROWS,
		.batch_ms = DEFAULT_BATCH_MS,
		.report_s = DEFAULT_REPORT_S,
		.timeout_ms = DEFAULT_TIMEOUT_MS,
		.parallel = DEFAULT_PARALLEL,
	};
	while ((c = getopt_long(argc, argv, "u:t:S:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'u':
			opt->url = optarg;
			break;
		case 't':
			opt->table = optarg;
			break;
		case OPT_STATS_TABLE:
			opt->stats_table = optarg;
			break;
		case 'S':
			opt->state_dir = optarg;
			break;
		case OPT_COLLECTOR_ID:
			if (parse_u32(optarg, "--collector-id", 0, UINT32_MAX, &opt->collector_id) != 0)
				return -1;
			opt->has_collector_id = true;
			break;
		case OPT_BATCH_ROWS:
			if (parse_u32(optarg, "--batch-rows", 1, FRX_SHIP_BATCH_MAX, &opt->batch_rows) != 0)
				return -1;
			break;
		case OPT_BATCH_MS:
			if (parse_u32(optarg, "--batch-ms", 0, 3600000, &opt->batch_ms) != 0)
				return -1;
			break;
		case OPT_REPORT:
			if (parse_u32(optarg, "--report", 0, 86400, &opt->report_s) != 0)
				return -1;
			break;
		case OPT_TIMEOUT:
			if (parse_u32(optarg, "--timeout-ms", 100, 3600000, &v) != 0)
				return -1;
			opt->timeout_ms = (long)v;
			break;
		case OPT_PARALLEL:
			if (parse_u32(optarg, "--parallel", 1, FRX_CKPT_MAX_PENDING, &opt->parallel) != 0)
				return -1;
			break;
		case OPT_ONCE:
			opt->once = true;
			break;
		case OPT_PRINT_SCHEMA:
			opt->print_schema = true;
			break;
		case OPT_CREATE_TABLE:
			opt->create_table = true;
			break;
		case 'q':
			opt->quiet = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (check_table_name(opt->table, "--table") != 0 ||
	    check_table_name(opt->stats_table, "--stats-table") != 0)
		return -1;
	opt->dirs = argv + optind;
	opt->nb_dirs = argc - optind;
	if (opt->print_schema || opt->create_table)
		return 0;
	if (opt->nb_dirs == 0) {
		fprintf(stderr, PROG ": no flow directory given (see --help)\n");
		return -1;
	}
	if (opt->state_dir == NULL) {
		fprintf(stderr, PROG ": --state-dir: required to ship (where the checkpoints go)\n");
		return -1;
	}
	return 0;
}

static int
print_schema(const struct options *opt, FILE *out)
{
	char buf[4096];

	frx_chrow_schema(FRX_CHROW_FLOWS, opt->table, buf, sizeof(buf));
	fprintf(out, "%s;\n\n", buf);
	frx_chrow_schema(FRX_CHROW_STATS, opt->stats_table, buf, sizeof(buf));
	fprintf(out, "%s;\n", buf);
	return 0;
}

static int
create_tables(const struct options *opt)
{
	const char *names[2] = { opt->table, opt->stats_table };
	struct chhttp *ch = chhttp_create(opt->url, opt->timeout_ms, &quit);
	char buf[4096];
	int rc = 0;

	if (ch == NULL) {
		fprintf(stderr, PROG ": cannot set up libcurl\n");
		return -1;
	}
	for (int t = 0; t < 2 && rc == 0; t++) {
		frx_chrow_schema(t == 0 ? FRX_CHROW_FLOWS : FRX_CHROW_STATS, names[t], buf, sizeof(buf));
		if (chhttp_query(ch, buf) != 0) {
			fprintf(stderr, PROG ": --create-table: creating %s at %s: %s\n", names[t], opt->url,
				chhttp_error(ch));
			rc = -1;
		}
	}
	chhttp_free(ch);
	return rc;
}

/* Checkpoint file of a directory: its real path, '/' turned into '_'. */
static char *
ckpt_path_for(const char *state_dir, const char *dir)
{
	char real[PATH_MAX], *path;
	size_t len;

	if (realpath(dir, real) == NULL)
		return NULL;
	for (char *p = real; *p; p++)
		if (*p == '/')
			*p = '_';
	len = strlen(state_dir) + strlen(real) + 16;
	path = malloc(len);
	if (path != NULL)
		snprintf(path, len, "%s/ship%s.ckpt", state_dir, real);
	return path;
}

static int
open_source(struct app *app, struct source *s, const char *dir)
{
	const struct options *opt = app->opt;
	unsigned int line;
	struct stat st;
	int rc;

	memset(s, 0, sizeof(*s));
	s->app = app;
	s->dir = dir;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, PROG ": %s: not a directory\n", dir);
		return -1;
	}
	s->ckpt_path = ckpt_path_for(opt->state_dir, dir);
	if (s->ckpt_path == NULL) {
		fprintf(stderr, PROG ": %s: %s\n", dir, strerror(errno));
		return -1;
	}
	rc = frx_ckpt_load(s->ckpt_path, &s->ck, &line);
	if (rc == -ENOENT) {
		memset(&s->ck, 0, sizeof(s->ck));
	} else if (rc == -EINVAL) {
		fprintf(stderr, PROG ": checkpoint %s: not a flowrx-ship checkpoint (line %u); "
				"remove it to ship %s from its first file\n",
			s->ckpt_path, line, dir);
		return -1;
	} else if (rc < 0) {
		fprintf(stderr, PROG ": checkpoint %s: %s\n", s->ckpt_path, strerror(-rc));
		return -1;
	}
	/* Its pending batches are rebuilt and counted in ClickHouse first. */
	s->nrecover = s->ck.npending;
	memcpy(s->recover, s->ck.pending, sizeof(s->recover));
	s->ck.npending = 0;
	s->fol = frx_ffollow_create(dir, &s->ck.pos);
	s->ifnames = frx_ifmap_create();
	if (s->fol == NULL || s->ifnames == NULL) {
		fprintf(stderr, PROG ": %s: %s\n", dir, strerror(errno ? errno : ENOMEM));
		return -1;
	}
	/* Never fewer slots than the checkpoint has batches in flight. */
	s->nslots = opt->parallel > s->nrecover ? opt->parallel : s->nrecover;
	for (unsigned int i = 0; i < s->nslots; i++) {
		struct batch *bt = &s->slots[i];

		bt->src = s;
		bt->ch = chhttp_create(opt->url, opt->timeout_ms, &quit);
		if (bt->ch == NULL) {
			fprintf(stderr, PROG ": cannot set up libcurl\n");
			return -1;
		}
		if (pthread_create(&bt->thread, NULL, sender_main, bt) != 0) {
			fprintf(stderr, PROG ": cannot start a sender thread\n");
			return -1;
		}
		bt->has_thread = true;
	}
	if (!opt->quiet && s->ck.pos.name[0])
		fprintf(stderr, PROG ": %s: resuming at %s offset %" PRIu64 "%s\n", dir, s->ck.pos.name,
			s->ck.pos.offset, s->nrecover ? " (checking the batches in flight)" : "");
	return 0;
}

/* Stop the senders (quit is set, or nothing is in flight) and free. */
static void
close_source(struct source *s)
{
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	for (unsigned int i = 0; i < FRX_CKPT_MAX_PENDING; i++) {
		struct batch *bt = &s->slots[i];

		if (bt->has_thread)
			pthread_join(bt->thread, NULL);
		chhttp_free(bt->ch);
		free(bt->flows.data);
		free(bt->stats.data);
	}
	frx_ffollow_free(s->fol);
	frx_ifmap_free(s->ifnames);
	free(s->ckpt_path);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
}

static void
run(struct app *app)
{
	for (;;) {
		bool progress = false, all_idle = true;

		for (int i = 0; i < app->nsrc && !quit; i++) {
			struct source *s = &app->src[i];
			int rc = poll_source(s);

			if (rc < 0 && !quit) {
				app->status = 1;
				quit = 1;
			}
			progress |= rc > 0;
			all_idle &= s->idle && s->count == 0 &&
				    (s->cur == NULL || s->cur->b.flow_rows + s->cur->b.stats_rows == 0);
		}
		if (quit)
			break;
		maybe_report(app, false, "lag");
		if (app->opt->once && all_idle && !progress)
			break;
		if (!progress)
			sleep_ms(POLL_MS);
	}
	/* What was acknowledged before the end still moves the checkpoint. */
	for (int i = 0; i < app->nsrc; i++) {
		struct source *s = &app->src[i];

		pthread_mutex_lock(&s->lock);
		s->stop = true; /* no new batch starts */
		pthread_cond_broadcast(&s->cond);
		pthread_mutex_unlock(&s->lock);
	}
	for (int i = 0; i < app->nsrc; i++) {
		struct source *s = &app->src[i];

		for (unsigned int j = 0; j < s->nslots; j++)
			if (s->slots[j].has_thread) {
				pthread_join(s->slots[j].thread, NULL);
				s->slots[j].has_thread = false;
			}
		if (collect(s) != 0)
			app->status = 1;
	}
}

int
main(int argc, char **argv)
{
	struct options opt;
	struct app app = { .opt = &opt };
	struct sigaction sa = { .sa_handler = on_signal };

	if (parse_options(argc, argv, &opt) != 0)
		return 2;
	if (opt.print_schema)
		return print_schema(&opt, stdout);

	/* no SA_RESTART: a signal must cut the sleeps short */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fprintf(stderr, PROG ": cannot set up libcurl\n");
		return 1;
	}
	if (opt.create_table)
		return create_tables(&opt) == 0 ? 0 : 1;
	if (mkdir(opt.state_dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, PROG ": --state-dir %s: %s\n", opt.state_dir, strerror(errno));
		return 1;
	}
	app.flow_columns = frx_chrow_columns(FRX_CHROW_FLOWS);
	app.stats_columns = frx_chrow_columns(FRX_CHROW_STATS);
	app.src = calloc((size_t)opt.nb_dirs, sizeof(*app.src));
	if (app.src == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	for (int i = 0; i < opt.nb_dirs; i++) {
		if (open_source(&app, &app.src[app.nsrc], opt.dirs[i]) != 0) {
			close_source(&app.src[app.nsrc]);
			app.status = 1;
			quit = 1;
			break;
		}
		app.nsrc++;
	}
	app.last_report_ms = monotonic_ms();
	if (!quit)
		run(&app);
	if (!opt.quiet)
		maybe_report(&app, true, "exit");
	for (int i = 0; i < app.nsrc; i++)
		close_source(&app.src[i]);
	free(app.src);
	curl_global_cleanup();
	return app.status;
}
