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
#include <errno.h>
#include <getopt.h>
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

/* One followed directory. */
struct source {
	const char *dir;
	char *ckpt_path;
	struct frx_ffollow *fol;
	struct frx_ckpt ck;             /* as saved: position of the next batch, pending batch */
	struct frx_ifmap *ifnames;      /* names from the IFNAMES blocks of the current file */
	char ifnames_file[FRX_FFOLLOW_NAME_MAX]; /* ...which file they belong to */
	/* the batch being built */
	bool open;                      /* at least one block is in it */
	bool recovering;                /* rebuilding the pending batch of the checkpoint */
	char file[FRX_FFOLLOW_NAME_MAX];
	uint64_t created_ns;
	uint32_t collector;
	uint64_t first_offset, end_offset;
	uint64_t batch_id;
	uint64_t flow_rows, stats_rows;
	uint64_t batch_max_last_ms;
	uint64_t opened_ms;
	struct rowbuf flows, stats;
	/* progress */
	uint64_t shipped_rows, shipped_stats_rows, batches, skipped_batches, replaced_batches;
	uint64_t shipped_max_last_ms;   /* newest flow end shipped */
	bool idle;                      /* the follower had nothing new at the last poll */
};

struct app {
	const struct options *opt;
	struct chhttp *ch;
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
	behind_records += s->flow_rows; /* read but not yet acknowledged */
	if (s->batch_max_last_ms > newest_ms)
		newest_ms = s->batch_max_last_ms;
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

/* ------------------------------------------------------------------ shipping */

static void
backoff(struct app *app, unsigned int *delay_ms)
{
	uint64_t until = monotonic_ms() + *delay_ms;

	while (!quit && monotonic_ms() < until) {
		maybe_report(app, false, "lag");
		sleep_ms(100);
	}
	*delay_ms = *delay_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : *delay_ms * 2;
}

/* The query id of a batch's insert into a table: the same on every attempt. */
static void
insert_query_id(char *buf, size_t size, const char *table, uint64_t id)
{
	snprintf(buf, size, "flowrx-ship-%s-%016" PRIx64, table, id);
}

static int
insert(struct app *app, const char *table, const char *columns, uint64_t id, const struct rowbuf *rows)
{
	char qid[128];

	insert_query_id(qid, sizeof(qid), table, id);
	return chhttp_insert(app->ch, table, columns, qid, rows->data, rows->len);
}

/*
 * Make the rows of batch @p id in @p table exactly @p expected. First wait
 * until no insert of this batch is running in ClickHouse (one sent by a
 * shipper killed mid-request carries on without it), then count the rows:
 * none: insert; all: nothing to do; some (an insert cut short): delete them,
 * wait until the delete is done, insert. @return 1 if inserted, 0 if already
 * there, 2 if a partial batch was replaced, -1 on failure (retry later).
 */
static int
reconcile(struct app *app, const char *table, const char *columns, uint64_t id, uint64_t expected,
	  const struct rowbuf *rows)
{
	char sql[512], qid[128];
	uint64_t have;
	bool replaced = false;

	insert_query_id(qid, sizeof(qid), table, id);
	snprintf(sql, sizeof(sql), "SELECT count() FROM system.processes WHERE query_id = '%s'", qid);
	for (;;) {
		if (quit || chhttp_query_u64(app->ch, sql, &have) != 0)
			return -1;
		if (have == 0)
			break;
		sleep_ms(MUTATION_WAIT_MS);
	}
	snprintf(sql, sizeof(sql), "SELECT count() FROM %s WHERE batch_id = %" PRIu64, table, id);
	if (chhttp_query_u64(app->ch, sql, &have) != 0)
		return -1;
	if (have == expected)
		return 0;
	if (have > 0) {
		fprintf(stderr, PROG ": batch %016" PRIx64 " is partly in %s (%" PRIu64 " of %" PRIu64
				     " rows): deleting it to insert it whole\n",
			id, table, have, expected);
		snprintf(sql, sizeof(sql), "ALTER TABLE %s DELETE WHERE batch_id = %" PRIu64, table, id);
		if (chhttp_query(app->ch, sql) != 0)
			return -1;
		snprintf(sql, sizeof(sql), "SELECT count() FROM %s WHERE batch_id = %" PRIu64, table, id);
		do {
			sleep_ms(MUTATION_WAIT_MS);
			if (quit || chhttp_query_u64(app->ch, sql, &have) != 0)
				return -1;
		} while (have != 0);
		replaced = true;
	}
	if (insert(app, table, columns, id, rows) != 0)
		return -1;
	return replaced ? 2 : 1;
}

static int
save_ckpt(struct source *s)
{
	int rc = frx_ckpt_save(s->ckpt_path, &s->ck);

	if (rc < 0)
		fprintf(stderr, PROG ": cannot write checkpoint %s: %s\n", s->ckpt_path, strerror(-rc));
	return rc;
}

static void
batch_reset(struct source *s)
{
	s->open = false;
	s->recovering = false;
	s->flow_rows = s->stats_rows = 0;
	s->flows.len = s->stats.len = 0;
	s->batch_max_last_ms = 0;
}

/*
 * Ship the batch: checkpoint it as pending, insert it (retrying with
 * backoff until ClickHouse acknowledges or we are told to quit), then
 * checkpoint the position after it. @return 0, or -1 if we quit first
 * (the checkpoint still names the batch as pending) or cannot checkpoint.
 */
static int
ship_batch(struct app *app, struct source *s)
{
	struct frx_ckpt *ck = &s->ck;
	unsigned int delay = BACKOFF_MIN_MS;
	uint64_t id;
	bool uncertain = s->recovering; /* a pending batch of an earlier run: maybe in ClickHouse */
	bool flows_done = s->flow_rows == 0, stats_done = s->stats_rows == 0;
	bool found = false, replaced = false, complained = false;

	if (!s->open)
		return 0;
	if (s->flow_rows == 0 && s->stats_rows == 0) {
		/* Only blocks without rows (names, END): move the position, no insert. */
		snprintf(ck->pos.name, sizeof(ck->pos.name), "%s", s->file);
		ck->pos.created_ns = s->created_ns;
		ck->pos.offset = s->end_offset;
		ck->pending = false;
		batch_reset(s);
		return 0;
	}
	id = s->batch_id;
	if (!s->recovering) {
		snprintf(ck->pos.name, sizeof(ck->pos.name), "%s", s->file);
		ck->pos.created_ns = s->created_ns;
		ck->pos.offset = s->first_offset;
		ck->pending = true;
		ck->batch_id = id;
		ck->batch_first = s->first_offset;
		ck->batch_end = s->end_offset;
		ck->flow_rows = s->flow_rows;
		ck->stats_rows = s->stats_rows;
		if (save_ckpt(s) != 0)
			return -1;
	} else if (ck->batch_id != id || ck->flow_rows != s->flow_rows || ck->stats_rows != s->stats_rows) {
		/* The file changed under us (it must not): say so, go on with what is there. */
		fprintf(stderr, PROG ": %s: pending batch of the checkpoint rebuilt differently "
				     "(%" PRIu64 "/%" PRIu64 " rows, now %" PRIu64 "/%" PRIu64 ")\n",
			s->dir, ck->flow_rows, ck->stats_rows, s->flow_rows, s->stats_rows);
	}

	while (!flows_done || !stats_done) {
		int rc = 0;

		if (quit)
			return -1;
		maybe_report(app, false, "lag");
		if (!flows_done) {
			if (uncertain) {
				rc = reconcile(app, app->opt->table, app->flow_columns, id, s->flow_rows, &s->flows);
				found |= rc == 0;
				replaced |= rc == 2;
			} else {
				rc = insert(app, app->opt->table, app->flow_columns, id, &s->flows);
			}
			flows_done = rc >= 0;
		}
		if (flows_done && !stats_done) {
			if (uncertain)
				rc = reconcile(app, app->opt->stats_table, app->stats_columns, id, s->stats_rows,
					       &s->stats);
			else
				rc = insert(app, app->opt->stats_table, app->stats_columns, id, &s->stats);
			stats_done = rc >= 0;
		}
		if (flows_done && stats_done)
			break;
		/* Failed: the insert may or may not have happened; from now on, count first. */
		uncertain = true;
		if (!complained || delay == BACKOFF_MAX_MS) {
			fprintf(stderr, PROG ": %s: ClickHouse at %s: %s; retrying\n", s->dir, app->opt->url,
				chhttp_error(app->ch));
			complained = true;
		}
		backoff(app, &delay);
	}
	if (complained)
		fprintf(stderr, PROG ": %s: ClickHouse is back\n", s->dir);

	ck->pending = false;
	ck->pos.offset = s->end_offset;
	if (save_ckpt(s) != 0)
		return -1;
	s->batches++;
	if (found)
		s->skipped_batches++;
	if (replaced)
		s->replaced_batches++;
	s->shipped_rows += s->flow_rows;
	s->shipped_stats_rows += s->stats_rows;
	if (s->batch_max_last_ms > s->shipped_max_last_ms)
		s->shipped_max_last_ms = s->batch_max_last_ms;
	batch_reset(s);
	return 0;
}

/* ------------------------------------------------------------------ batching */

static int
add_flows(struct app *app, struct source *s, const struct frx_block_hdr *hdr, const void *payload)
{
	const struct frx_flowrec *recs = payload;
	bool names = frx_ifmap_size(s->ifnames) > 0;
	uint8_t *p;

	(void)app;
	if (rowbuf_reserve(&s->flows, (size_t)hdr->record_count * FRX_CHROW_FLOW_MAX) != 0)
		return -1;
	p = s->flows.data + s->flows.len;
	for (uint32_t i = 0; i < hdr->record_count; i++) {
		const struct frx_flowrec *r = &recs[i];
		const char *in = NULL, *out = NULL;

		if (names) {
			in = frx_ifmap_lookup(s->ifnames, r->exporter_addr, r->domain, r->in_if);
			out = frx_ifmap_lookup(s->ifnames, r->exporter_addr, r->domain, r->out_if);
		}
		p += frx_chrow_flow(p, r, in, out, s->collector, s->batch_id);
	}
	s->flows.len = (size_t)(p - s->flows.data);
	s->flow_rows += hdr->record_count;
	if (hdr->max_last_ms > s->batch_max_last_ms)
		s->batch_max_last_ms = hdr->max_last_ms;
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
	uint8_t *p;

	if (frx_stats_parse(payload, hdr->payload_len, &sh, &ex, &en, &de) != 0) {
		fprintf(stderr, PROG ": %s offset %" PRIu64 ": STATS block with inconsistent lengths, skipped\n",
			path, offset);
		return 0;
	}
	if (rowbuf_reserve(&s->stats, (size_t)sh->nb_engines * FRX_CHROW_STATS_ROW) != 0)
		return -1;
	p = s->stats.data + s->stats.len;
	for (uint32_t i = 0; i < sh->nb_engines; i++)
		p += frx_chrow_stats(p, sh, &en[i], s->collector, s->batch_id);
	s->stats.len = (size_t)(p - s->stats.data);
	s->stats_rows += sh->nb_engines;
	return 0;
}

static int
flush(struct app *app, struct source *s)
{
	if (!s->open)
		return 0;
	return ship_batch(app, s);
}

/* Start a batch at this block if none is open. */
static void
batch_open(const struct options *opt, struct source *s, const struct frx_ffollow_event *ev)
{
	if (s->open)
		return;
	s->open = true;
	snprintf(s->file, sizeof(s->file), "%s", ev->name);
	s->created_ns = ev->created_ns;
	s->collector = opt->has_collector_id ? opt->collector_id : ev->collector_id;
	s->first_offset = ev->offset;
	/* Every row carries it: known as soon as the batch's first block is. */
	s->batch_id = frx_ckpt_batch_id(s->collector, s->file, s->created_ns, s->first_offset);
	s->opened_ms = monotonic_ms();
	/* A pending batch of the checkpoint starts where the checkpoint says. */
	if (s->ck.pending && strcmp(s->ck.pos.name, ev->name) == 0 && s->ck.pos.created_ns == ev->created_ns &&
	    ev->offset == s->ck.batch_first)
		s->recovering = true;
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

/*
 * Take what the follower has, up to one batch. @return 1 if something
 * happened, 0 if the directory had nothing new, -1 to stop.
 */
static int
poll_source(struct app *app, struct source *s)
{
	const struct options *opt = app->opt;
	struct frx_ffollow_event ev;
	int progress = 0;

	for (;;) {
		if (quit)
			return -1;
		frx_ffollow_next(s->fol, &ev);
		switch (ev.type) {
		case FRX_FFOLLOW_IDLE:
			s->idle = true;
			/* A partial batch waits at most batch_ms for more. */
			if (s->open && (monotonic_ms() - s->opened_ms >= opt->batch_ms || opt->once))
				return flush(app, s) == 0 ? 1 : -1;
			return progress;
		case FRX_FFOLLOW_FILE_DONE:
			if (flush(app, s) != 0)
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
			app->status = 1;
			if (flush(app, s) != 0)
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
		batch_open(opt, s, &ev);
		s->end_offset = ev.next_offset;
		if (ev.hdr->type == FRX_BLOCK_FLOWS) {
			if (add_flows(app, s, ev.hdr, ev.payload) != 0) {
				fprintf(stderr, PROG ": out of memory for a batch\n");
				return -1;
			}
		} else if (ev.hdr->type == FRX_BLOCK_STATS) {
			if (add_stats(s, ev.hdr, ev.payload, ev.path, ev.offset) != 0) {
				fprintf(stderr, PROG ": out of memory for a batch\n");
				return -1;
			}
		}
		if (s->recovering ? s->end_offset >= s->ck.batch_end
				  : s->flow_rows + FRX_BLOCK_RECORDS > opt->batch_rows) {
			/* full (another block might not fit), or the pending batch rebuilt */
			return flush(app, s) == 0 ? 1 : -1;
		}
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
		DEFAULT_BATCH_ROWS, FRX_SHIP_BATCH_MAX, DEFAULT_BATCH_MS, DEFAULT_REPORT_S, DEFAULT_TIMEOUT_MS);
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
create_tables(struct app *app)
{
	char buf[4096];
	const char *names[2] = { app->opt->table, app->opt->stats_table };

	for (int t = 0; t < 2; t++) {
		frx_chrow_schema(t == 0 ? FRX_CHROW_FLOWS : FRX_CHROW_STATS, names[t], buf, sizeof(buf));
		if (chhttp_query(app->ch, buf) != 0) {
			fprintf(stderr, PROG ": --create-table: creating %s at %s: %s\n", names[t], app->opt->url,
				chhttp_error(app->ch));
			return -1;
		}
	}
	return 0;
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
	unsigned int line;
	struct stat st;
	int rc;

	memset(s, 0, sizeof(*s));
	s->dir = dir;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, PROG ": %s: not a directory\n", dir);
		return -1;
	}
	s->ckpt_path = ckpt_path_for(app->opt->state_dir, dir);
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
	s->fol = frx_ffollow_create(dir, &s->ck.pos);
	s->ifnames = frx_ifmap_create();
	if (s->fol == NULL || s->ifnames == NULL) {
		fprintf(stderr, PROG ": %s: %s\n", dir, strerror(errno ? errno : ENOMEM));
		return -1;
	}
	if (!app->opt->quiet && s->ck.pos.name[0])
		fprintf(stderr, PROG ": %s: resuming at %s offset %" PRIu64 "%s\n", dir, s->ck.pos.name,
			s->ck.pos.offset, s->ck.pending ? " (checking the batch in flight)" : "");
	return 0;
}

static void
close_source(struct source *s)
{
	frx_ffollow_free(s->fol);
	frx_ifmap_free(s->ifnames);
	free(s->flows.data);
	free(s->stats.data);
	free(s->ckpt_path);
}

static void
run(struct app *app)
{
	for (;;) {
		bool progress = false, all_idle = true;

		for (int i = 0; i < app->nsrc && !quit; i++) {
			int rc = poll_source(app, &app->src[i]);

			if (rc < 0 && !quit) {
				app->status = 1;
				quit = 1;
			}
			progress |= rc > 0;
			all_idle &= app->src[i].idle && !app->src[i].open;
		}
		if (quit)
			break;
		maybe_report(app, false, "lag");
		if (app->opt->once && all_idle && !progress)
			break;
		if (!progress)
			sleep_ms(POLL_MS);
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

	app.ch = chhttp_create(opt.url, opt.timeout_ms);
	if (app.ch == NULL) {
		fprintf(stderr, PROG ": cannot set up libcurl\n");
		return 1;
	}
	if (opt.create_table) {
		int rc = create_tables(&app);

		chhttp_free(app.ch);
		return rc == 0 ? 0 : 1;
	}
	if (mkdir(opt.state_dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, PROG ": --state-dir %s: %s\n", opt.state_dir, strerror(errno));
		chhttp_free(app.ch);
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
	chhttp_free(app.ch);
	return app.status;
}
