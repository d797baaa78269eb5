/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flowrx-read: print the records of flow files as text, CSV or JSON lines.
 *
 * Reads files (-r) and directories (-R, oldest file first) once, or follows
 * them like tail -f (-f): poll the newest file for new blocks and move on to
 * the next file of its directory when the current one is finished (END
 * block) or abandoned (no END, a newer file exists and it stopped growing:
 * the collector crashed and restarted). Records go to stdout; warnings and
 * the summary go to stderr, so CSV and JSON output stays clean.
 *
 * With --stats it prints the exporter and engine statistics of the STATS
 * blocks instead, merged by lib/statsmerge (latest snapshot of each
 * collector run, summed over runs).
 *
 * Records pass a time window (lib/twin, -t) and a filter (lib/filter,
 * nfdump syntax) and are then printed, or aggregated (lib/aggr, -A) and
 * ranked (-s KEY/ORDER -n N). Several inputs are merged in time order
 * block by block (lib/fmerge); follow mode polls its inputs in turn.
 * Needs no DPDK: links the core library only.
 */
#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aggr.h"
#include "ffile.h"
#include "filter.h"
#include "flowrec.h"
#include "fmerge.h"
#include "fmt.h"
#include "ifmap.h"
#include "rulestats.h"
#include "statsmerge.h"
#include "status.h"
#include "twin.h"

#ifndef FRX_VERSION
#define FRX_VERSION "dev"
#endif

#define PROG "flowrx-read"
#define STDOUT_BUF_SIZE (1u << 20)
#define POLL_MS 200        /* follow: pause between polls when nothing is new */
#define STALL_MS 2000      /* follow: give up a file without END after this long without growth */
#define RELIST_MS 5000     /* follow: re-read a directory at least this often */
#define OPT_STATS 256      /* --stats: long option only */
#define OPT_SCALE 257      /* --scale */
#define OPT_NO_MERGE 258   /* --no-merge */
#define TOP_DEFAULT 10     /* -s without -n: nfdump's default */

/* Set by SIGINT/SIGTERM; the only global. */
static volatile sig_atomic_t quit;

struct input {
	const char *path;
	bool is_dir;
};

/* One table to print at the end: -A, or one -s. */
struct table {
	struct frx_aggr_spec spec;
	enum frx_aggr_order order;
	bool top;                       /* -s: title, rank, percentages */
	size_t limit;                   /* 0: every row */
};

struct options {
	enum frx_fmt fmt;
	bool follow;
	bool stats;                     /* --stats: statistics instead of records */
	bool quiet;
	struct input *inputs;
	int nb_inputs;
	char *filter;                   /* -F, or the other arguments joined; NULL: none */
	bool has_twin;                  /* -t */
	struct frx_twin twin;
	struct table *tables;           /* -A first, then each -s */
	int nb_tables;
	bool scale;                     /* --scale: packets and bytes times the sampling interval */
	bool no_merge;                  /* --no-merge: inputs one after the other */
};

/* A directory (or, without one, a single file) being followed. */
struct follower {
	char *dir;                      /* NULL: follow one file until its END */
	char *path;                     /* current file; NULL before the first */
	struct frx_ffile_reader *r;     /* NULL: current file done, waiting for the next */
	uint64_t cur_created_ns;        /* sort key of the current/last file... */
	bool has_current;               /* ...valid once a file was current */
	uint64_t size_seen;
	uint64_t grew_ms;               /* monotonic time the file last grew */
	char **list;                    /* cached directory listing */
	int list_n;
	bool have_list;
	struct timespec dir_mtime;
	uint64_t listed_ms;
	bool finished;
};

struct app {
	const struct options *opt;
	uint64_t records;
	uint64_t blocks;
	uint64_t files;
	uint64_t bad_blocks;            /* torn tails and skipped corrupt regions */
	int status;                     /* exit status */
	struct frx_ifmap *ifnames;      /* interface names from IFNAMES blocks */
	struct frx_statsmerge *stats;   /* --stats: merged STATS blocks */
	struct frx_rulestats_merge *rules; /* --stats: merged RULES blocks (per-rule counters) */
	uint64_t stats_blocks;          /* STATS blocks merged */
	bool stats_incomplete;          /* a STATS block could not be merged (no memory) */
	struct frx_filter *filter;      /* NULL: every record */
	const struct frx_twin *twin;    /* NULL: no window */
	struct frx_aggr **aggrs;        /* one per table; printing records when there are none */
	bool tables_incomplete;         /* a record could not be aggregated (no memory) */
	/* what the summary tells */
	uint64_t skipped_filter;        /* records the filter refused */
	uint64_t skipped_window;        /* records outside the window (also in skipped blocks) */
	uint64_t blocks_skipped_window; /* FLOWS blocks passed over by their time range */
	uint64_t files_skipped_window;  /* files passed over by their END block's range */
	uint64_t records_scaled;        /* records whose counters --scale multiplied */
	uint64_t flows, packets, bytes; /* of the records selected */
	uint64_t first_ms, last_ms;     /* earliest first, latest last of the records selected */
};

static void
on_signal(int sig)
{
	(void)sig;
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

	/* A signal cuts the sleep short; the caller checks quit. */
	nanosleep(&ts, NULL);
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* Directory part of a path, malloc'd: "." for a bare name. */
static char *
dir_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

static bool
is_flow_file_name(const char *name)
{
	size_t len = strlen(name);
	size_t plen = strlen(FRX_FILE_PREFIX), slen = strlen(FRX_FILE_SUFFIX);

	return len > plen + slen && strncmp(name, FRX_FILE_PREFIX, plen) == 0 &&
	       strcmp(name + len - slen, FRX_FILE_SUFFIX) == 0;
}

static void
warn_open(struct app *app, const char *path, int err)
{
	if (err == EINVAL)
		fprintf(stderr, PROG ": %s: not a flowrx file, or written by an unsupported version\n",
			path);
	else
		fprintf(stderr, PROG ": cannot open %s: %s\n", path, strerror(err));
	app->status = 1;
}

static void
warn_torn(struct app *app, const char *path, uint64_t offset)
{
	fprintf(stderr, PROG ": torn block at end of %s offset %" PRIu64 ": incomplete write (crash?), skipped\n",
		path, offset);
	app->bad_blocks++;
}

static void
print_record(struct app *app, const struct frx_flowrec *r)
{
	if (frx_ifmap_size(app->ifnames) == 0 || app->opt->fmt == FRX_FMT_TEXT)
		frx_fmt_record(app->opt->fmt, r, stdout);
	else
		frx_fmt_record_names(app->opt->fmt, r,
				     frx_ifmap_lookup(app->ifnames, r->exporter_addr, r->domain, r->in_if),
				     frx_ifmap_lookup(app->ifnames, r->exporter_addr, r->domain, r->out_if), stdout);
}

static uint64_t
mul_sat(uint64_t a, uint64_t b)
{
	uint64_t v;

	return __builtin_mul_overflow(a, b, &v) ? UINT64_MAX : v;
}

/* A selected record: into the totals, then printed or aggregated. */
static void
take_record(struct app *app, const struct frx_flowrec *r)
{
	app->records++;
	app->flows += r->flows ? r->flows : 1;
	app->packets += r->packets;
	app->bytes += r->bytes;
	if (r->first_ms < app->first_ms)
		app->first_ms = r->first_ms;
	if (r->last_ms > app->last_ms)
		app->last_ms = r->last_ms;
	if (app->opt->nb_tables == 0) {
		print_record(app, r);
		return;
	}
	for (int t = 0; t < app->opt->nb_tables; t++) {
		if (frx_aggr_add(app->aggrs[t], r) < 0) {
			/* partial tables would mislead: stop, print nothing */
			fprintf(stderr, PROG ": out of memory for aggregation\n");
			app->status = 1;
			app->tables_incomplete = true;
			quit = 1;
			return;
		}
	}
}

/* Records of a FLOWS block through the window and the filter. */
static void
process_block(struct app *app, const struct frx_block_hdr *hdr, const void *payload)
{
	const struct frx_flowrec *recs = payload;
	const struct frx_filter *filter = app->filter;
	const struct frx_twin *twin = app->twin;
	const bool scale = app->opt->scale;

	app->blocks++;
	if (hdr->type == FRX_BLOCK_IFNAMES) {
		/* names for the records that follow (each file repeats them) */
		if (hdr->payload_len == (uint64_t)hdr->record_count * sizeof(struct frx_ifname) &&
		    frx_ifmap_add_block(app->ifnames, payload, hdr->record_count) < 0)
			fprintf(stderr, PROG ": out of memory for interface names\n");
		return;
	}
	if (hdr->type != FRX_BLOCK_FLOWS)
		return; /* STATS and future types: nothing to print yet */
	if (twin != NULL && hdr->record_count > 0 && !frx_twin_range(twin, hdr->min_first_ms, hdr->max_last_ms)) {
		app->blocks_skipped_window++;
		app->skipped_window += hdr->record_count;
		return;
	}
	for (uint32_t i = 0; i < hdr->record_count && !quit; i++) {
		const struct frx_flowrec *r = &recs[i];
		struct frx_flowrec scaled;

		if (scale && r->sampling_interval > 1) {
			scaled = *r;
			scaled.packets = mul_sat(r->packets, r->sampling_interval);
			scaled.bytes = mul_sat(r->bytes, r->sampling_interval);
			r = &scaled;
			app->records_scaled++;
		}
		if (twin != NULL && !frx_twin_record(twin, r)) {
			app->skipped_window++;
			continue;
		}
		if (filter != NULL && !frx_filter_match(filter, r)) {
			app->skipped_filter++;
			continue;
		}
		take_record(app, r);
	}
}

/* --stats: merge a STATS block, skip the others. */
static void
add_stats_block(struct app *app, const struct frx_block_hdr *hdr, const void *payload, const char *path,
		uint64_t offset)
{
	int rc;

	app->blocks++;
	if (hdr->type == FRX_BLOCK_RULES) {
		rc = frx_rulestats_merge_add(app->rules, payload, hdr->payload_len);
		if (rc == -EINVAL) {
			fprintf(stderr, PROG ": %s offset %" PRIu64 ": RULES block with inconsistent lengths, skipped\n",
				path, offset);
			app->bad_blocks++;
		} else if (rc < 0) {
			fprintf(stderr, PROG ": out of memory for rule statistics\n");
			app->status = 1;
			app->stats_incomplete = true;
			quit = 1;
		}
		return;
	}
	if (hdr->type != FRX_BLOCK_STATS)
		return;
	rc = frx_statsmerge_add(app->stats, payload, hdr->payload_len);
	if (rc == -EINVAL) {
		/* CRC good, lengths inconsistent: a writer bug or a newer layout */
		fprintf(stderr, PROG ": %s offset %" PRIu64 ": STATS block with inconsistent lengths, skipped\n",
			path, offset);
		app->bad_blocks++;
	} else if (rc < 0) {
		/* partial numbers would not reconcile: stop, print nothing */
		fprintf(stderr, PROG ": out of memory for statistics\n");
		app->status = 1;
		app->stats_incomplete = true;
		quit = 1;
	} else {
		app->stats_blocks++;
	}
}

/*
 * Print every block available now. Returns how reading stopped:
 * FRX_READ_EOF, FRX_READ_AGAIN (also when interrupted), FRX_READ_TORN or
 * FRX_READ_ERROR. *progress is set if a block was read.
 */
static enum frx_read_status
drain(struct app *app, struct frx_ffile_reader *r, const char *path, bool *progress)
{
	for (;;) {
		const struct frx_block_hdr *hdr;
		const void *payload;
		uint64_t offset = frx_ffile_offset(r), skipped0, skipped1, bytes0, bytes1;
		enum frx_read_status st;

		if (quit)
			return FRX_READ_AGAIN;
		frx_ffile_skipped(r, &skipped0, &bytes0);
		st = frx_ffile_next(r, &hdr, &payload);
		frx_ffile_skipped(r, &skipped1, &bytes1);
		if (skipped1 != skipped0) {
			fprintf(stderr, PROG ": corrupt data in %s at offset %" PRIu64 " (%" PRIu64
					     " bytes), skipped\n",
				path, offset, bytes1 - bytes0);
			app->bad_blocks += skipped1 - skipped0;
		}
		if (st != FRX_READ_BLOCK)
			return st;
		*progress = true;
		if (app->opt->stats)
			add_stats_block(app, hdr, payload, path, offset);
		else
			process_block(app, hdr, payload);
	}
}

/* Read one file once, as far as it goes. */
static void
read_file(struct app *app, const char *path)
{
	struct frx_ffile_reader *r = frx_ffile_open(path);
	enum frx_read_status st;
	bool progress = false;

	if (r == NULL) {
		warn_open(app, path, errno);
		return;
	}
	app->files++;
	st = drain(app, r, path, &progress);
	if (st == FRX_READ_TORN && !quit) {
		warn_torn(app, path, frx_ffile_offset(r));
	} else if (st == FRX_READ_ERROR) {
		fprintf(stderr, PROG ": reading %s: %s\n", path, strerror(errno));
		app->status = 1;
	}
	/* FRX_READ_AGAIN: no END block, a file still being written or left by
	 * a crash; every complete block was read. */
	frx_ffile_close(r);
}

/* The flow files of a directory, oldest first; -1 (reported) on error. */
static int
list_dir(struct app *app, const char *dir, char ***paths)
{
	int n = frx_ffile_list_dir(dir, paths);

	if (n < 0) {
		fprintf(stderr, PROG ": cannot read directory %s: %s\n", dir, strerror(-n));
		app->status = 1;
	}
	return n;
}

/* ------------------------------------------------------------------ follow */

static void
follower_close_current(struct follower *f)
{
	frx_ffile_close(f->r);
	f->r = NULL;
}

/* Make path (malloc'd, taken over) the current file and open it. */
static void
follower_open(struct app *app, struct follower *f, char *path)
{
	struct stat st;

	free(f->path);
	f->path = path;
	f->has_current = true;
	f->r = frx_ffile_open(path);
	if (f->r == NULL) {
		/* The name stays current, so the next lookup moves past it. */
		warn_open(app, path, errno);
		return;
	}
	app->files++;
	f->cur_created_ns = frx_ffile_header(f->r)->created_ns;
	f->size_seen = stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
	f->grew_ms = monotonic_ms();
}

static bool
header_created_ns(const char *path, uint64_t *created_ns)
{
	struct frx_ffile_reader *r = frx_ffile_open(path);

	if (r == NULL)
		return false;
	*created_ns = frx_ffile_header(r)->created_ns;
	frx_ffile_close(r);
	return true;
}

/* Was the directory changed so recently that a second change could share
 * its (coarse, jiffy-based) timestamp? Then the timestamp proves nothing. */
static bool
mtime_is_recent(const struct timespec *mtime)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return now.tv_sec - mtime->tv_sec < 2;
}

/*
 * The file of f->dir after the current one (malloc'd), or NULL. Listing
 * opens every file, so the listing is re-read only when the directory
 * changed, and every RELIST_MS in case a change did not show.
 */
static char *
follower_next_path(struct follower *f, uint64_t now_ms)
{
	const char *cur_name;
	struct stat st;

	if (stat(f->dir, &st) != 0)
		return NULL;
	if (!f->have_list || st.st_mtim.tv_sec != f->dir_mtime.tv_sec ||
	    st.st_mtim.tv_nsec != f->dir_mtime.tv_nsec || mtime_is_recent(&st.st_mtim) ||
	    now_ms - f->listed_ms >= RELIST_MS) {
		char **list;
		int n = frx_ffile_list_dir(f->dir, &list);

		if (n < 0) {
			/* Transient (e.g. EMFILE): keep the old listing, retry later. */
			return NULL;
		}
		frx_ffile_list_free(f->list, f->list_n);
		f->list = list;
		f->list_n = n;
		f->have_list = true;
		f->dir_mtime = st.st_mtim;
		f->listed_ms = now_ms;
	}
	if (f->list_n == 0)
		return NULL;
	if (!f->has_current)
		return strdup(f->list[0]);

	cur_name = base_name(f->path);
	for (int i = 0; i < f->list_n; i++)
		if (strcmp(base_name(f->list[i]), cur_name) == 0)
			return i + 1 < f->list_n ? strdup(f->list[i + 1]) : NULL;
	/* The current file is gone (retention): the first one sorting after it. */
	for (int i = 0; i < f->list_n; i++) {
		uint64_t created;

		if (!header_created_ns(f->list[i], &created))
			continue;
		if (created > f->cur_created_ns ||
		    (created == f->cur_created_ns && strcmp(base_name(f->list[i]), cur_name) > 0))
			return strdup(f->list[i]);
	}
	return NULL;
}

/* One poll of a follower. @return whether anything happened. */
static bool
follower_poll(struct app *app, struct follower *f)
{
	bool progress = false;
	char *next;

	if (f->r != NULL) {
		enum frx_read_status st = drain(app, f->r, f->path, &progress);
		uint64_t now = monotonic_ms();
		struct stat sb;

		if (quit)
			return progress;
		switch (st) {
		case FRX_READ_EOF:
			follower_close_current(f);
			progress = true;
			break;
		case FRX_READ_ERROR:
			fprintf(stderr, PROG ": reading %s: %s\n", f->path, strerror(errno));
			app->status = 1;
			follower_close_current(f);
			progress = true;
			break;
		default: /* AGAIN or TORN: the writer may not be done */
			if (stat(f->path, &sb) == 0 && (uint64_t)sb.st_size != f->size_seen) {
				f->size_seen = (uint64_t)sb.st_size;
				f->grew_ms = now;
			}
			if (progress)
				f->grew_ms = now;
			if (f->dir == NULL || now - f->grew_ms < STALL_MS)
				return progress;
			/* No END, not growing: abandoned if a newer file exists. */
			next = follower_next_path(f, now);
			if (next == NULL)
				return progress;
			if (st == FRX_READ_TORN)
				warn_torn(app, f->path, frx_ffile_offset(f->r));
			follower_close_current(f);
			follower_open(app, f, next);
			return true;
		}
	}
	if (f->dir == NULL) {
		f->finished = true;
		return progress;
	}
	next = follower_next_path(f, monotonic_ms());
	if (next != NULL) {
		follower_open(app, f, next);
		progress = true;
	}
	return progress;
}

static void
follower_free(struct follower *f)
{
	frx_ffile_close(f->r);
	frx_ffile_list_free(f->list, f->list_n);
	free(f->path);
	free(f->dir);
}

/* Follow a directory: read all but its newest file now, then follow that. */
static int
follower_init_dir(struct app *app, struct follower *f, const char *dir)
{
	char **paths;
	int n = list_dir(app, dir, &paths);

	memset(f, 0, sizeof(*f));
	if (n < 0)
		return -1;
	f->dir = strdup(dir);
	for (int i = 0; i + 1 < n && !quit; i++)
		read_file(app, paths[i]);
	if (n > 0) {
		follower_open(app, f, paths[n - 1]);
		paths[n - 1] = NULL; /* taken over */
	}
	frx_ffile_list_free(paths, n);
	return 0;
}

/* Follow one file; with a flow-file name, go on through its directory. */
static void
follower_init_file(struct app *app, struct follower *f, const char *path)
{
	memset(f, 0, sizeof(*f));
	if (is_flow_file_name(base_name(path)))
		f->dir = dir_name(path);
	follower_open(app, f, strdup(path));
	if (f->r == NULL)
		f->finished = f->dir == NULL;
}

static void
run_follow(struct app *app)
{
	const struct options *opt = app->opt;
	struct follower *fl = calloc((size_t)opt->nb_inputs, sizeof(*fl));
	int nf = 0, active;
	bool have_dirs = false;
	int last_file = -1;

	if (fl == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		app->status = 1;
		return;
	}
	for (int i = 0; i < opt->nb_inputs; i++) {
		if (opt->inputs[i].is_dir)
			have_dirs = true;
		else
			last_file = i;
	}
	/* Directories are followed; without any, the last file is. */
	for (int i = 0; i < opt->nb_inputs && !quit; i++) {
		const struct input *in = &opt->inputs[i];

		if (in->is_dir) {
			if (follower_init_dir(app, &fl[nf], in->path) == 0)
				nf++;
		} else if (!have_dirs && i == last_file) {
			follower_init_file(app, &fl[nf++], in->path);
		} else {
			read_file(app, in->path);
		}
	}

	for (;;) {
		bool progress = false;

		active = 0;
		for (int i = 0; i < nf && !quit; i++) {
			if (fl[i].finished)
				continue;
			if (follower_poll(app, &fl[i]))
				progress = true;
			if (!fl[i].finished)
				active++;
		}
		if (quit || active == 0)
			break;
		if (!progress) {
			fflush(stdout);
			sleep_ms(POLL_MS);
		}
	}
	for (int i = 0; i < nf; i++)
		follower_free(&fl[i]);
	free(fl);
}

/*
 * Read every input once. Several inputs are merged in time order (block by
 * block, lib/fmerge), unless --no-merge; with -t, files whose END block
 * puts all their records outside the window are not read.
 */
static void
run_once(struct app *app)
{
	const struct options *opt = app->opt;
	struct frx_fmerge_conf conf = { .sequential = opt->no_merge, .twin = app->twin };
	struct frx_fmerge_counts counts;
	struct frx_fmerge *m = frx_fmerge_create(&conf);
	bool added = true;

	if (m == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		app->status = 1;
		return;
	}
	for (int i = 0; i < opt->nb_inputs && added; i++) {
		const struct input *in = &opt->inputs[i];
		char **paths;
		int n;

		if (!in->is_dir) {
			added = frx_fmerge_add(m, &in->path, 1) == 0;
			continue;
		}
		n = list_dir(app, in->path, &paths);
		if (n < 0)
			continue;
		added = frx_fmerge_add(m, (const char *const *)paths, (unsigned int)n) == 0;
		frx_ffile_list_free(paths, n);
	}
	if (!added) {
		fprintf(stderr, PROG ": out of memory\n");
		app->status = 1;
		frx_fmerge_free(m);
		return;
	}
	while (!quit) {
		struct frx_fmerge_event ev;

		frx_fmerge_next(m, &ev);
		if (ev.type == FRX_FMERGE_DONE)
			break;
		switch (ev.type) {
		case FRX_FMERGE_BLOCK:
			if (opt->stats)
				add_stats_block(app, ev.hdr, ev.payload, ev.path, ev.offset);
			else
				process_block(app, ev.hdr, ev.payload);
			break;
		case FRX_FMERGE_OPEN_ERROR:
			warn_open(app, ev.path, ev.err);
			break;
		case FRX_FMERGE_CORRUPT:
			fprintf(stderr, PROG ": corrupt data in %s at offset %" PRIu64 " (%" PRIu64 " bytes), skipped\n",
				ev.path, ev.offset, ev.bytes);
			app->bad_blocks += ev.regions;
			break;
		case FRX_FMERGE_TORN:
			warn_torn(app, ev.path, ev.offset);
			break;
		default: /* FRX_FMERGE_READ_ERROR */
			fprintf(stderr, PROG ": reading %s: %s\n", ev.path, strerror(ev.err));
			app->status = 1;
			break;
		}
	}
	frx_fmerge_counts(m, &counts);
	app->files += counts.files_read;
	app->files_skipped_window += counts.files_skipped;
	frx_fmerge_free(m);
}

/* ------------------------------------------------------------------ stats */

/* One cell of a --stats text table; the drops column is the longest. */
#define CELL_MAX 2048
#define TABLE_MAX_COLS 16

struct column {
	const char *title;
	bool left;                      /* left-aligned (text); numbers align right */
};

enum engine_col {
	EC_EXPORTER, EC_VERSION, EC_ENGINE, EC_PORT, EC_PACKETS, EC_RECORDS, EC_LOST, EC_UNIT,
	EC_OUT_OF_ORDER, EC_DUPLICATES, EC_RESETS, EC_REJECTED, EC_LOSS, EC_FLAGS, EC_MAX
};

_Static_assert(EC_MAX <= TABLE_MAX_COLS, "engine table fits");

static const struct column engine_columns[EC_MAX] = {
	[EC_EXPORTER] = { "Exporter", true },
	[EC_VERSION] = { "Version", true },
	[EC_ENGINE] = { "Engine", true },
	[EC_PORT] = { "Port", false },
	[EC_PACKETS] = { "Packets", false },
	[EC_RECORDS] = { "Records", false },
	[EC_LOST] = { "Lost", false },
	[EC_UNIT] = { "Unit", true },
	[EC_OUT_OF_ORDER] = { "Out of order", false },
	[EC_DUPLICATES] = { "Duplicates", false },
	[EC_RESETS] = { "Resets", false },
	[EC_REJECTED] = { "Rejected", false },
	[EC_LOSS] = { "Loss", false },
	[EC_FLAGS] = { "Flags", true },
};

enum exporter_col {
	XC_EXPORTER, XC_DATAGRAMS, XC_RECORDS, XC_RATE_LIMITED, XC_NEW_ENGINE, XC_LAST_SEEN, XC_DROPS, XC_MAX
};

static const struct column exporter_columns[XC_MAX] = {
	[XC_EXPORTER] = { "Exporter", true },
	[XC_DATAGRAMS] = { "Datagrams", false },
	[XC_RECORDS] = { "Records", false },
	[XC_RATE_LIMITED] = { "Rate limited", false },
	[XC_NEW_ENGINE] = { "New-engine PDUs", false },
	[XC_LAST_SEEN] = { "Last seen (UTC)", true },
	[XC_DROPS] = { "Drops", true },
};

enum denied_col { DC_SOURCE, DC_DATAGRAMS, DC_LAST_SEEN, DC_MAX };

static const struct column denied_columns[DC_MAX] = {
	[DC_SOURCE] = { "Source", true },
	[DC_DATAGRAMS] = { "Datagrams", false },
	[DC_LAST_SEEN] = { "Last seen (UTC)", true },
};

enum drop_col { RC_REASON, RC_COUNT, RC_MEANING, RC_MAX };

static const struct column drop_columns[RC_MAX] = {
	[RC_REASON] = { "Reason", true },
	[RC_COUNT] = { "Count", false },
	[RC_MEANING] = { "Meaning", true },
};

/* Fill the cells of row i of a table. */
typedef void (*row_fn)(const void *rows, size_t i, char cells[][CELL_MAX]);

/*
 * Print an aligned table: widths from the titles and every cell (a first
 * pass formats each row once just to measure it), two spaces between
 * columns, no padding after the last one.
 */
static void
print_table(const struct column *cols, int nb_cols, const void *rows, size_t nb_rows, row_fn row)
{
	char cells[TABLE_MAX_COLS][CELL_MAX];
	int width[TABLE_MAX_COLS];

	for (int c = 0; c < nb_cols; c++)
		width[c] = (int)strlen(cols[c].title);
	for (size_t i = 0; i < nb_rows; i++) {
		row(rows, i, cells);
		for (int c = 0; c < nb_cols; c++)
			if ((int)strlen(cells[c]) > width[c])
				width[c] = (int)strlen(cells[c]);
	}
	for (size_t i = 0; i <= nb_rows; i++) {
		if (i == 0) {
			for (int c = 0; c < nb_cols; c++)
				snprintf(cells[c], CELL_MAX, "%s", cols[c].title);
		} else {
			row(rows, i - 1, cells);
		}
		for (int c = 0; c < nb_cols; c++) {
			const char *sep = c + 1 < nb_cols ? "  " : "\n";

			if (c + 1 == nb_cols && cols[c].left)
				printf("%s%s", cells[c], sep);
			else
				printf(cols[c].left ? "%-*s%s" : "%*s%s", width[c], cells[c], sep);
		}
	}
}

/* "YYYY-MM-DD HH:MM:SS" in UTC, "-" for 0 (never seen). */
static void
time_text(uint64_t ms, char *buf, size_t size)
{
	time_t sec = (time_t)(ms / 1000);
	struct tm tm;

	if (ms == 0) {
		snprintf(buf, size, "-");
		return;
	}
	if (gmtime_r(&sec, &tm) == NULL || tm.tm_year + 1900 > 9999) {
		snprintf(buf, size, "%" PRIu64, ms);
		return;
	}
	snprintf(buf, size, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Counter name of a drop reason; a newer collector's reason by number. */
static const char *
drop_name(unsigned int reason, char *buf, size_t size)
{
	if (reason < FRX_STATUS_MAX)
		return frx_status_name(reason);
	snprintf(buf, size, "reason_%u", reason);
	return buf;
}

static bool
is_session_version(uint8_t version)
{
	return version >= 9; /* v9 and IPFIX: engines are sessions and domains */
}

/* lost / (lost + received), in the unit of lost; "-" without sequence numbers. */
static void
loss_text(const struct frx_engine_stats *e, char *buf, size_t size)
{
	uint64_t received = frx_statsmerge_received(e);
	double pct;

	if (e->unit == 0 || e->lost + received == 0) {
		snprintf(buf, size, "-");
		return;
	}
	pct = 100.0 * (double)e->lost / ((double)e->lost + (double)received);
	/* a loss never shows as 0 */
	if (e->lost > 0 && pct < 0.001)
		snprintf(buf, size, "<0.001%%");
	else
		snprintf(buf, size, "%.3f%%", pct);
}

static void
engine_flags_text(uint8_t flags, char *buf, size_t size)
{
	uint8_t unknown = flags & (uint8_t)~(FRX_ENGINE_F_INCLUSIVE | FRX_ENGINE_F_NEW);

	snprintf(buf, size, "%s%s%s%s", flags & FRX_ENGINE_F_INCLUSIVE ? "inclusive-seq" : "",
		 (flags & FRX_ENGINE_F_INCLUSIVE) && (flags & FRX_ENGINE_F_NEW) ? "," : "",
		 flags & FRX_ENGINE_F_NEW ? "new-engine" : "", flags == 0 ? "-" : "");
	if (unknown != 0) {
		size_t len = strlen(buf);

		snprintf(buf + len, size - len, "%s0x%02x", flags != unknown ? "," : "", unknown);
	}
}

static void
engine_row(const void *rows, size_t i, char cells[][CELL_MAX])
{
	const struct frx_engine_stats *e = &((const struct frx_engine_stats *)rows)[i];

	frx_addr_format(e->exporter_addr, cells[EC_EXPORTER], CELL_MAX);
	if (e->version == 10)
		snprintf(cells[EC_VERSION], CELL_MAX, "IPFIX");
	else
		snprintf(cells[EC_VERSION], CELL_MAX, "v%u", e->version);
	if (is_session_version(e->version)) {
		snprintf(cells[EC_ENGINE], CELL_MAX, "domain %" PRIu32, e->domain);
		snprintf(cells[EC_PORT], CELL_MAX, "%u", e->exporter_port);
	} else {
		snprintf(cells[EC_ENGINE], CELL_MAX, "%u/%u", e->engine_type, e->engine_id);
		snprintf(cells[EC_PORT], CELL_MAX, "-");
	}
	snprintf(cells[EC_PACKETS], CELL_MAX, "%" PRIu64, e->packets);
	snprintf(cells[EC_RECORDS], CELL_MAX, "%" PRIu64, e->records);
	snprintf(cells[EC_LOST], CELL_MAX, "%" PRIu64, e->lost);
	snprintf(cells[EC_UNIT], CELL_MAX, "%s", frx_stats_unit_name(e->unit));
	snprintf(cells[EC_OUT_OF_ORDER], CELL_MAX, "%" PRIu64, e->out_of_order);
	snprintf(cells[EC_DUPLICATES], CELL_MAX, "%" PRIu64, e->duplicates);
	snprintf(cells[EC_RESETS], CELL_MAX, "%" PRIu64, e->resets);
	snprintf(cells[EC_REJECTED], CELL_MAX, "%" PRIu64, e->rejected);
	loss_text(e, cells[EC_LOSS], CELL_MAX);
	engine_flags_text(e->flags, cells[EC_FLAGS], CELL_MAX);
}

/* Non-zero drop counters as "name=count name=count", or "-". */
static void
drops_text(const uint64_t drop[FRX_STATS_MAX_REASONS], char *buf, size_t size)
{
	size_t len = 0;
	char name[32];

	buf[0] = '\0';
	for (unsigned int r = 0; r < FRX_STATS_MAX_REASONS && len < size; r++)
		if (drop[r] != 0)
			len += (size_t)snprintf(buf + len, size - len, "%s%s=%" PRIu64, len > 0 ? " " : "",
						drop_name(r, name, sizeof(name)), drop[r]);
	if (len == 0)
		snprintf(buf, size, "-");
}

static void
exporter_row(const void *rows, size_t i, char cells[][CELL_MAX])
{
	const struct frx_exporter_stats *x = &((const struct frx_exporter_stats *)rows)[i];

	frx_addr_format(x->exporter_addr, cells[XC_EXPORTER], CELL_MAX);
	snprintf(cells[XC_DATAGRAMS], CELL_MAX, "%" PRIu64, x->datagrams);
	snprintf(cells[XC_RECORDS], CELL_MAX, "%" PRIu64, x->records);
	snprintf(cells[XC_RATE_LIMITED], CELL_MAX, "%" PRIu64, x->rate_limited);
	snprintf(cells[XC_NEW_ENGINE], CELL_MAX, "%" PRIu64, x->new_engine_pdus);
	time_text(x->last_seen_ms, cells[XC_LAST_SEEN], CELL_MAX);
	drops_text(x->drop, cells[XC_DROPS], CELL_MAX);
}

static void
denied_row(const void *rows, size_t i, char cells[][CELL_MAX])
{
	const struct frx_denied_stats *d = &((const struct frx_denied_stats *)rows)[i];

	frx_addr_format(d->addr, cells[DC_SOURCE], CELL_MAX);
	snprintf(cells[DC_DATAGRAMS], CELL_MAX, "%" PRIu64, d->datagrams);
	time_text(d->last_seen_ms, cells[DC_LAST_SEEN], CELL_MAX);
}

/* Rows of the collector-wide drop table: the non-zero reasons. */
struct drop_row {
	unsigned int reason;
	uint64_t count;
};

static void
drop_row(const void *rows, size_t i, char cells[][CELL_MAX])
{
	const struct drop_row *d = &((const struct drop_row *)rows)[i];

	char name[32];

	snprintf(cells[RC_REASON], CELL_MAX, "%s", drop_name(d->reason, name, sizeof(name)));
	snprintf(cells[RC_COUNT], CELL_MAX, "%" PRIu64, d->count);
	snprintf(cells[RC_MEANING], CELL_MAX, "%s",
		 d->reason < FRX_STATUS_MAX ? frx_status_help(d->reason) : "unknown to this reader");
}

struct stats_view {
	const struct frx_engine_stats *engines;
	size_t nb_engines;
	const struct frx_exporter_stats *exporters;
	size_t nb_exporters;
	const struct frx_denied_stats *denied;
	size_t nb_denied;
	struct frx_statsmerge_totals totals;
};

static void
print_stats_text(const struct stats_view *v)
{
	struct drop_row drops[FRX_STATS_MAX_REASONS];
	size_t nb_drops = 0;
	bool first = true;

	if (v->nb_engines > 0) {
		printf("Engines: %zu\n", v->nb_engines);
		print_table(engine_columns, EC_MAX, v->engines, v->nb_engines, engine_row);
		first = false;
	}
	if (v->nb_exporters > 0) {
		printf("%sExporters: %zu\n", first ? "" : "\n", v->nb_exporters);
		print_table(exporter_columns, XC_MAX, v->exporters, v->nb_exporters, exporter_row);
		first = false;
	}
	if (v->nb_denied > 0) {
		printf("%sDenied sources: %zu\n", first ? "" : "\n", v->nb_denied);
		print_table(denied_columns, DC_MAX, v->denied, v->nb_denied, denied_row);
		first = false;
	}
	for (unsigned int r = 0; r < FRX_STATS_MAX_REASONS; r++)
		if (v->totals.drop[r] != 0)
			drops[nb_drops++] = (struct drop_row){ .reason = r, .count = v->totals.drop[r] };
	if (nb_drops > 0) {
		printf("%sCollector drops (all sources):\n", first ? "" : "\n");
		print_table(drop_columns, RC_MAX, drops, nb_drops, drop_row);
		first = false;
	}
	printf("%sCollector: %" PRIu64 " run%s, %" PRIu64 " packets received, %" PRIu64
	       " records written\n",
	       first ? "" : "\n", v->totals.runs, v->totals.runs == 1 ? "" : "s", v->totals.rx_packets,
	       v->totals.records_written);
}

static void
print_drops_json(const uint64_t drop[FRX_STATS_MAX_REASONS])
{
	bool first = true;
	char name[32];

	printf("{");
	for (unsigned int r = 0; r < FRX_STATS_MAX_REASONS; r++) {
		if (drop[r] == 0)
			continue;
		printf("%s\"%s\":%" PRIu64, first ? "" : ",", drop_name(r, name, sizeof(name)), drop[r]);
		first = false;
	}
	printf("}");
}

/* One value of an engine's JSON/CSV line. */
struct field {
	const char *key;
	enum { FIELD_NUM, FIELD_STR, FIELD_BOOL } kind;
	uint64_t num;                   /* FIELD_NUM; FIELD_BOOL: 0 or 1 */
	const char *str;                /* FIELD_STR, never needs escaping */
};

#define ENGINE_FIELDS 19

/*
 * The engine columns of JSON and CSV in contract order (docs/reader.md):
 * the record keys that identify an engine first, then the counters; new
 * keys are only ever appended. addr must outlive the fields.
 */
static void
engine_fields(const struct frx_engine_stats *e, char addr[FRX_ADDR_STRLEN], struct field f[ENGINE_FIELDS])
{
	int n = 0;

#define NUM(k, v) f[n++] = (struct field){ .key = k, .kind = FIELD_NUM, .num = (v) }
#define STR(k, v) f[n++] = (struct field){ .key = k, .kind = FIELD_STR, .str = (v) }
#define BOOL(k, v) f[n++] = (struct field){ .key = k, .kind = FIELD_BOOL, .num = (v) ? 1 : 0 }
	STR("exporter", frx_addr_format(e->exporter_addr, addr, FRX_ADDR_STRLEN));
	NUM("version", e->version);
	NUM("engine_type", e->engine_type);
	NUM("engine_id", e->engine_id);
	NUM("domain", e->domain);
	NUM("packets", e->packets);
	NUM("records", e->records);
	NUM("lost", e->lost);
	NUM("out_of_order", e->out_of_order);
	NUM("duplicates", e->duplicates);
	NUM("resets", e->resets);
	NUM("exporter_port", e->exporter_port);
	STR("unit", frx_stats_unit_name(e->unit));
	NUM("rejected", e->rejected);
	NUM("first_seen", e->first_seen_ms);
	NUM("last_seen", e->last_seen_ms);
	NUM("last_sequence", e->last_sequence);
	BOOL("inclusive_seq", e->flags & FRX_ENGINE_F_INCLUSIVE);
	BOOL("new_engine", e->flags & FRX_ENGINE_F_NEW);
#undef NUM
#undef STR
#undef BOOL
	assert(n == ENGINE_FIELDS);
}

/* One engine as a JSON object or a CSV line (values only). */
static void
print_engine_line(const struct frx_engine_stats *e, bool json)
{
	struct field f[ENGINE_FIELDS];
	char addr[FRX_ADDR_STRLEN];

	engine_fields(e, addr, f);
	for (int i = 0; i < ENGINE_FIELDS; i++) {
		if (json)
			printf("%s\"%s\":", i == 0 ? "{" : ",", f[i].key);
		else if (i > 0)
			putchar(',');
		if (f[i].kind == FIELD_NUM)
			printf("%" PRIu64, f[i].num);
		else if (f[i].kind == FIELD_BOOL)
			printf("%s", f[i].num ? "true" : "false");
		else
			printf(json ? "\"%s\"" : "%s", f[i].str);
	}
	printf("%s\n", json ? "}" : "");
}

static void
print_stats_json(const struct stats_view *v)
{
	char addr[FRX_ADDR_STRLEN];

	for (size_t i = 0; i < v->nb_engines; i++)
		print_engine_line(&v->engines[i], true);
	for (size_t i = 0; i < v->nb_exporters; i++) {
		const struct frx_exporter_stats *x = &v->exporters[i];

		printf("{\"type\":\"exporter\",\"exporter\":\"%s\",\"datagrams\":%" PRIu64 ",\"records\":%" PRIu64
		       ",\"rate_limited\":%" PRIu64 ",\"new_engine_pdus\":%" PRIu64 ",\"drops\":",
		       frx_addr_format(x->exporter_addr, addr, sizeof(addr)), x->datagrams, x->records,
		       x->rate_limited, x->new_engine_pdus);
		print_drops_json(x->drop);
		printf(",\"first_seen\":%" PRIu64 ",\"last_seen\":%" PRIu64 "}\n", x->first_seen_ms,
		       x->last_seen_ms);
	}
	for (size_t i = 0; i < v->nb_denied; i++) {
		const struct frx_denied_stats *d = &v->denied[i];

		printf("{\"type\":\"denied\",\"source\":\"%s\",\"datagrams\":%" PRIu64 ",\"last_seen\":%" PRIu64
		       "}\n",
		       frx_addr_format(d->addr, addr, sizeof(addr)), d->datagrams, d->last_seen_ms);
	}
	printf("{\"type\":\"collector\",\"runs\":%" PRIu64 ",\"snapshots\":%" PRIu64 ",\"rx_packets\":%" PRIu64
	       ",\"records_written\":%" PRIu64 ",\"drops\":",
	       v->totals.runs, v->totals.snapshots, v->totals.rx_packets, v->totals.records_written);
	print_drops_json(v->totals.drop);
	printf("}\n");
}

static void
print_stats_csv(const struct stats_view *v)
{
	struct frx_engine_stats none;
	struct field f[ENGINE_FIELDS];
	char addr[FRX_ADDR_STRLEN];

	/* the header is the keys, whatever the values */
	memset(&none, 0, sizeof(none));
	engine_fields(&none, addr, f);
	for (int i = 0; i < ENGINE_FIELDS; i++)
		printf("%s%s", i == 0 ? "" : ",", f[i].key);
	printf("\n");
	for (size_t i = 0; i < v->nb_engines; i++)
		print_engine_line(&v->engines[i], false);
}

/*
 * --stats: per-rule counters of the RULES blocks (docs/rules.md), summed
 * by rule name over runs and reloads. Text and JSON; CSV stays the engine
 * table alone.
 */
static void
print_rule_stats(struct app *app)
{
	const struct frx_rulestats_total *t;
	size_t n;
	uint64_t un_records, un_bytes;
	bool json = app->opt->fmt == FRX_FMT_JSON;

	if (app->opt->fmt == FRX_FMT_CSV || frx_rulestats_merge_snapshots(app->rules) == 0)
		return;
	if (frx_rulestats_merge_totals(app->rules, &t, &n, &un_records, &un_bytes) < 0) {
		fprintf(stderr, PROG ": out of memory for rule statistics\n");
		app->status = 1;
		return;
	}
	if (!json)
		printf("\nRules: %zu\n%-32s %-6s %5s %9s %16s %20s\n", n, "rule", "action", "class", "priority",
		       "records", "bytes");
	for (size_t i = 0; i < n; i++) {
		const char *action = t[i].action == 1 ? "drop" : t[i].action == 2 ? "keep" : "class";

		if (json)
			printf("{\"type\":\"rule\",\"name\":\"%s\",\"action\":\"%s\",\"class\":%u,\"priority\":%d,"
			       "\"records\":%" PRIu64 ",\"bytes\":%" PRIu64 "}\n",
			       t[i].name, action, t[i].class_id, t[i].priority, t[i].records, t[i].bytes);
		else
			printf("%-32s %-6s %5u %9d %16" PRIu64 " %20" PRIu64 "\n", t[i].name, action, t[i].class_id,
			       t[i].priority, t[i].records, t[i].bytes);
	}
	if (json)
		printf("{\"type\":\"rules_unmatched\",\"records\":%" PRIu64 ",\"bytes\":%" PRIu64 "}\n", un_records,
		       un_bytes);
	else
		printf("%-32s %-6s %5s %9s %16" PRIu64 " %20" PRIu64 "\n", "(no rule matched)", "-", "-", "-", un_records,
		       un_bytes);
}

/* --stats: print what the STATS blocks say, in the chosen format. */
static void
print_stats(struct app *app)
{
	struct stats_view v;

	if (app->stats_incomplete)
		return;
	if (app->stats_blocks == 0) {
		fprintf(stderr, PROG ": no statistics in these files\n");
		return;
	}
	if (frx_statsmerge_engines(app->stats, &v.engines, &v.nb_engines) < 0 ||
	    frx_statsmerge_exporters(app->stats, &v.exporters, &v.nb_exporters) < 0 ||
	    frx_statsmerge_denied(app->stats, &v.denied, &v.nb_denied) < 0) {
		fprintf(stderr, PROG ": out of memory for statistics\n");
		app->status = 1;
		return;
	}
	frx_statsmerge_totals(app->stats, &v.totals);
	switch (app->opt->fmt) {
	case FRX_FMT_JSON:
		print_stats_json(&v);
		break;
	case FRX_FMT_CSV:
		print_stats_csv(&v);
		break;
	default:
		print_stats_text(&v);
		break;
	}
	print_rule_stats(app);
}

/* ------------------------------------------------------------------ main */

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: " PROG " [-r FILE]... [-R DIR]... [-o text|csv|json] [-f | --stats] [-q]\n"
		"                   [-t START[-END]] [-A KEYS [-O ORDER]] [-s KEYS[/ORDER]]... [-n N]\n"
		"                   [--scale] [--no-merge] [-F FILTER | FILTER]\n"
		"Print the flow records of flowrx files, aggregate them, or print their exporter statistics.\n"
		"\n"
		"  -r, --read FILE      read a flow file (repeatable)\n"
		"  -R, --read-dir DIR   read all flow files of DIR, oldest first (repeatable)\n"
		"                       several inputs are merged in time order (block by block)\n"
		"      --no-merge       read the inputs one after the other, in the order given\n"
		"  -o, --output FMT     text (default), csv or json (one object per line)\n"
		"  -F, --filter EXPR    print only records matching EXPR (nfdump syntax, e.g.\n"
		"                       'proto tcp and dst port 443 and src net 10.0.0.0/8');\n"
		"                       the arguments after the options are a filter too\n"
		"  -t, --time WINDOW    only records whose flow lies in START[-END] (UTC):\n"
		"                       'YYYY-MM-DD HH:MM[:SS]', YYYY/MM/DD.hh:mm:ss or epoch seconds\n"
		"  -A, --aggregate KEYS sum records on KEYS (e.g. srcip,dstport; srcip4/24,proto)\n"
		"                       and print one line per aggregate instead of records\n"
		"  -O, --order ORDER    order of -A lines: tstart (default), tend, flows, packets,\n"
		"                       bytes, pps, bps, bpp (largest first)\n"
		"  -s, --stat KEYS[/ORDER]  top-N table of KEYS by ORDER (flows by default), like\n"
		"                       nfdump -s srcip/bytes; repeatable\n"
		"  -n, --limit N        lines of each -s table (default 10) or of -A (default all);\n"
		"                       0 for all\n"
		"      --scale          multiply packets and bytes by each record's sampling interval\n"
		"  -f, --follow         keep reading as the collector writes, like tail -f:\n"
		"                       follow each DIR (or the last FILE without -R) into\n"
		"                       newer files until interrupted\n"
		"      --stats          print per-engine and per-exporter statistics (STATS\n"
		"                       blocks: latest snapshot of each collector run, summed\n"
		"                       over runs) instead of records; not with -f; with\n"
		"                       per-rule counters when the collector ran --rules\n"
		"  -q, --quiet          no summary\n"
		"  -V, --version        print the version\n"
		"  -h, --help           this help\n"
		"\n"
		"Records go to stdout; warnings and the summary to stderr.\n"
		"Filters, keys and examples: docs/reader.md.\n"
		"Exit status: 0, or 1 if an argument was wrong or a file could not be read.\n");
}

/* Join argv[first..argc) with spaces, as nfdump takes its filter. */
static char *
join_args(int argc, char **argv, int first)
{
	size_t len = 1;
	char *s;

	for (int i = first; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = malloc(len);
	if (s == NULL)
		return NULL;
	s[0] = '\0';
	for (int i = first; i < argc; i++) {
		if (i > first)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* -s KEYS[/ORDER]: the order is what follows the last '/' if it names one
 * (srcip4/24 keeps its '/'). */
static int
parse_stat(const char *arg, struct table *t)
{
	const char *slash = strrchr(arg, '/');
	char keys[256], err[FRX_AGGR_ERR_MAX];

	memset(t, 0, sizeof(*t));
	t->top = true;
	t->order = FRX_AGGR_ORDER_FLOWS;
	if (strlen(arg) >= sizeof(keys)) {
		fprintf(stderr, PROG ": -s %.40s...: too long\n", arg);
		return -1;
	}
	snprintf(keys, sizeof(keys), "%s", arg);
	if (slash != NULL && frx_aggr_parse_order(slash + 1, &t->order) == 0)
		keys[slash - arg] = '\0';
	else if (slash != NULL && strspn(slash + 1, "0123456789") != strlen(slash + 1)) {
		fprintf(stderr, PROG ": -s %s: unknown order '%s' (flows, packets, bytes, pps, bps, bpp, tstart, tend)\n",
			arg, slash + 1);
		return -1;
	}
	if (frx_aggr_parse_keys(keys, &t->spec, err, sizeof(err)) < 0) {
		fprintf(stderr, PROG ": -s %s: %s\n", arg, err);
		return -1;
	}
	return 0;
}

static int
parse_limit(const char *arg, size_t *limit)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || arg[0] == '-' || v > SIZE_MAX) {
		fprintf(stderr, PROG ": -n %s: expected a number of lines (0 for all)\n", arg);
		return -1;
	}
	*limit = (size_t)v;
	return 0;
}

static int
parse_options(int argc, char **argv, struct options *opt)
{
	static const struct option longopts[] = {
		{ "read", required_argument, NULL, 'r' },
		{ "read-dir", required_argument, NULL, 'R' },
		{ "output", required_argument, NULL, 'o' },
		{ "follow", no_argument, NULL, 'f' },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "filter", required_argument, NULL, 'F' },
		{ "time", required_argument, NULL, 't' },
		{ "aggregate", required_argument, NULL, 'A' },
		{ "order", required_argument, NULL, 'O' },
		{ "stat", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'n' },
		{ "scale", no_argument, NULL, OPT_SCALE },
		{ "no-merge", no_argument, NULL, OPT_NO_MERGE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *aggregate = NULL, *order = NULL, *filter = NULL;
	char err[FRX_AGGR_ERR_MAX];
	bool limit_given = false;
	size_t limit = 0;
	int c;

	memset(opt, 0, sizeof(*opt));
	opt->fmt = FRX_FMT_TEXT;
	opt->inputs = calloc((size_t)argc, sizeof(*opt->inputs));
	/* -A and every -s: at most one table per argument */
	opt->tables = calloc((size_t)argc, sizeof(*opt->tables));
	if (opt->inputs == NULL || opt->tables == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	while ((c = getopt_long(argc, argv, "r:R:o:fF:t:A:O:s:n:qVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
		case 'R':
			opt->inputs[opt->nb_inputs].path = optarg;
			opt->inputs[opt->nb_inputs].is_dir = c == 'R';
			opt->nb_inputs++;
			break;
		case 'o':
			if (frx_fmt_parse(optarg, &opt->fmt) != 0) {
				fprintf(stderr, PROG ": -o %s: unknown format (text, csv, json)\n", optarg);
				return 1;
			}
			break;
		case 'f':
			opt->follow = true;
			break;
		case OPT_STATS:
			opt->stats = true;
			break;
		case 'F':
			if (filter != NULL) {
				fprintf(stderr, PROG ": -F given twice: combine the expressions with and/or\n");
				return 1;
			}
			filter = optarg;
			break;
		case 't':
			if (frx_twin_parse(optarg, &opt->twin, err, sizeof(err)) < 0) {
				fprintf(stderr, PROG ": -t %s\n", err);
				return 1;
			}
			opt->has_twin = true;
			break;
		case 'A':
			aggregate = optarg;
			break;
		case 'O':
			order = optarg;
			break;
		case 's':
			if (parse_stat(optarg, &opt->tables[opt->nb_tables]) < 0)
				return 1;
			opt->nb_tables++;
			break;
		case 'n':
			if (parse_limit(optarg, &limit) < 0)
				return 1;
			limit_given = true;
			break;
		case OPT_SCALE:
			opt->scale = true;
			break;
		case OPT_NO_MERGE:
			opt->no_merge = true;
			break;
		case 'q':
			opt->quiet = true;
			break;
		case 'V':
			printf(PROG " " FRX_VERSION "\n");
			return -1;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind < argc) {
		/* like nfdump: the remaining arguments are the filter */
		if (filter != NULL) {
			fprintf(stderr, PROG ": a filter was given with -F and as arguments ('%s'): give it once\n",
				argv[optind]);
			return 1;
		}
		opt->filter = join_args(argc, argv, optind);
		if (opt->filter == NULL) {
			fprintf(stderr, PROG ": out of memory\n");
			return 1;
		}
	} else if (filter != NULL) {
		opt->filter = strdup(filter);
		if (opt->filter == NULL) {
			fprintf(stderr, PROG ": out of memory\n");
			return 1;
		}
	}
	if (aggregate != NULL) {
		struct table *t = &opt->tables[0];

		/* -A prints first, whatever the order of the options */
		memmove(opt->tables + 1, opt->tables, (size_t)opt->nb_tables * sizeof(*t));
		memset(t, 0, sizeof(*t));
		t->order = FRX_AGGR_ORDER_TSTART;
		if (frx_aggr_parse_keys(aggregate, &t->spec, err, sizeof(err)) < 0) {
			fprintf(stderr, PROG ": -A %s: %s\n", aggregate, err);
			return 1;
		}
		if (order != NULL && frx_aggr_parse_order(order, &t->order) < 0) {
			fprintf(stderr, PROG ": -O %s: unknown order (tstart, tend, flows, packets, bytes, pps, bps, bpp)\n",
				order);
			return 1;
		}
		t->limit = limit;
		opt->nb_tables++;
	} else if (order != NULL) {
		fprintf(stderr, PROG ": -O orders the lines of -A (-s takes its order as KEYS/ORDER)\n");
		return 1;
	}
	for (int i = aggregate != NULL; i < opt->nb_tables; i++)
		opt->tables[i].limit = limit_given ? limit : TOP_DEFAULT;
	if (limit_given && opt->nb_tables == 0) {
		fprintf(stderr, PROG ": -n limits the lines of -s or -A tables\n");
		return 1;
	}
	if (opt->nb_inputs == 0) {
		struct stat st;

		/* "flowrx-read /var/lib/flowrx": a path where a filter would go */
		if (opt->filter != NULL && stat(opt->filter, &st) == 0)
			fprintf(stderr, PROG ": '%s' is a %s: read it with %s\n", opt->filter,
				S_ISDIR(st.st_mode) ? "directory" : "file", S_ISDIR(st.st_mode) ? "-R" : "-r");
		fprintf(stderr, PROG ": nothing to read: give -r FILE or -R DIR\n");
		usage(stderr);
		return 1;
	}
	if (opt->stats && opt->follow) {
		/* a snapshot holds everything up to its time: rerun to see newer ones */
		fprintf(stderr, PROG ": --stats cannot be combined with -f: statistics are cumulative "
				     "snapshots, run it again (e.g. under watch) to see newer ones\n");
		return 1;
	}
	if (opt->stats && (opt->filter != NULL || opt->has_twin || opt->nb_tables > 0 || opt->scale)) {
		fprintf(stderr, PROG ": --stats prints the collector's statistics blocks; filters, -t, -A, -s "
				     "and --scale apply to records\n");
		return 1;
	}
	return 0;
}

/* Filter compile errors point at the column under the expression. */
static int
compile_filter(const struct options *opt, struct frx_filter **filter)
{
	struct frx_filter_error err;
	struct stat st;
	int rc = frx_filter_compile(opt->filter, filter, &err);

	if (rc == -ENOMEM) {
		fprintf(stderr, PROG ": out of memory\n");
		return -1;
	}
	if (rc == 0)
		return 0;
	fprintf(stderr, PROG ": filter: column %u: %s\n", err.column, err.message);
	if (strlen(opt->filter) < 160 && strchr(opt->filter, '\n') == NULL)
		fprintf(stderr, "  %s\n  %*s^\n", opt->filter, (int)err.column - 1, "");
	/* "flowrx-read /var/lib/flowrx": a path where a filter is expected */
	if (err.column == 1 && stat(opt->filter, &st) == 0)
		fprintf(stderr, PROG ": '%s' is a %s: read it with %s\n", opt->filter,
			S_ISDIR(st.st_mode) ? "directory" : "file", S_ISDIR(st.st_mode) ? "-R" : "-r");
	return -1;
}

static void
print_tables(struct app *app)
{
	const struct options *opt = app->opt;

	for (int t = 0; t < opt->nb_tables && !app->tables_incomplete; t++) {
		const struct frx_aggr_entry *const *rows;
		struct frx_aggr_print how = { .fmt = opt->fmt, .top = opt->tables[t].top,
					      .order = opt->tables[t].order, .limit = opt->tables[t].limit };
		size_t nb_rows;

		if (frx_aggr_sort(app->aggrs[t], opt->tables[t].order, opt->tables[t].limit, &rows, &nb_rows) < 0) {
			fprintf(stderr, PROG ": out of memory for aggregation\n");
			app->status = 1;
			return;
		}
		if (t > 0 && opt->fmt == FRX_FMT_TEXT)
			putchar('\n');
		frx_aggr_write(app->aggrs[t], rows, nb_rows, &how, stdout);
	}
}

/*
 * The summary on stderr: the line it always had, then nfdump's (totals and
 * averages over the time window of the records selected), the window, and
 * what was skipped.
 */
static void
print_summary(const struct app *app)
{
	const struct options *opt = app->opt;
	char bytes[FRX_FMT_HUMAN_MAX], packets[FRX_FMT_HUMAN_MAX], bps[FRX_FMT_HUMAN_MAX], pps[FRX_FMT_HUMAN_MAX];
	char first[FRX_TWIN_TIME_MAX], last[FRX_TWIN_TIME_MAX];
	uint64_t span_ms = app->records && app->last_ms > app->first_ms ? app->last_ms - app->first_ms : 0;

	fprintf(stderr, "Summary: %" PRIu64 " records, %" PRIu64 " blocks, %" PRIu64 " files, %" PRIu64
			" torn/skipped blocks\n",
		app->records, app->blocks, app->files, app->bad_blocks);
	fprintf(stderr,
		"Summary: total flows: %" PRIu64 ", total bytes: %s, total packets: %s, avg bps: %s, avg pps: %s, "
		"avg bpp: %" PRIu64 "\n",
		app->flows, frx_fmt_human(app->bytes, bytes, sizeof(bytes)),
		frx_fmt_human(app->packets, packets, sizeof(packets)),
		frx_fmt_human(frx_rate(app->bytes, 8000, span_ms), bps, sizeof(bps)),
		frx_fmt_human(frx_rate(app->packets, 1000, span_ms), pps, sizeof(pps)),
		app->packets ? app->bytes / app->packets : 0);
	if (app->records > 0)
		fprintf(stderr, "Time window: %s - %s UTC\n", frx_twin_format(app->first_ms, first, sizeof(first)),
			frx_twin_format(app->last_ms, last, sizeof(last)));
	else
		fprintf(stderr, "Time window: none\n");
	fprintf(stderr,
		"Records skipped: %" PRIu64 " (filter %" PRIu64 ", time window %" PRIu64 "), blocks skipped by "
		"time window: %" PRIu64 ", files: %" PRIu64 "; ",
		app->skipped_filter + app->skipped_window, app->skipped_filter, app->skipped_window,
		app->blocks_skipped_window, app->files_skipped_window);
	if (!opt->scale)
		fprintf(stderr, "packets and bytes as exported (not scaled)\n");
	else
		fprintf(stderr, "packets and bytes scaled by the sampling interval (%" PRIu64 " sampled records)\n",
			app->records_scaled);
}

static void
free_options(struct options *opt)
{
	free(opt->inputs);
	free(opt->tables);
	free(opt->filter);
}

int
main(int argc, char **argv)
{
	struct options opt;
	struct app app;
	struct sigaction sa;
	bool oom = false;
	int rc;

	rc = parse_options(argc, argv, &opt);
	if (rc != 0) {
		free_options(&opt);
		return rc < 0 ? 0 : rc;
	}

	memset(&app, 0, sizeof(app));
	app.opt = &opt;
	app.first_ms = UINT64_MAX;
	if (opt.filter != NULL && compile_filter(&opt, &app.filter) < 0) {
		free_options(&opt);
		return 1;
	}
	if (opt.has_twin)
		app.twin = &opt.twin;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: a signal must cut the follow-mode sleep short */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	/* static: stdout uses it until exit() has flushed it */
	static char outbuf[STDOUT_BUF_SIZE];
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));

	app.ifnames = frx_ifmap_create();
	if (opt.stats) {
		app.stats = frx_statsmerge_create();
		app.rules = frx_rulestats_merge_create();
	}
	if (opt.nb_tables > 0) {
		app.aggrs = calloc((size_t)opt.nb_tables, sizeof(*app.aggrs));
		for (int t = 0; app.aggrs != NULL && t < opt.nb_tables; t++)
			if ((app.aggrs[t] = frx_aggr_create(&opt.tables[t].spec)) == NULL)
				oom = true;
	}
	if (oom || app.ifnames == NULL || (opt.stats && (app.stats == NULL || app.rules == NULL)) || (opt.nb_tables > 0 && app.aggrs == NULL)) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	if (!opt.stats && opt.nb_tables == 0)
		frx_fmt_header(opt.fmt, stdout);
	if (opt.follow)
		run_follow(&app);
	else
		run_once(&app);
	if (opt.stats)
		print_stats(&app);
	else
		print_tables(&app);

	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, PROG ": writing output: %s\n", strerror(errno));
		app.status = 1;
	}
	if (!opt.quiet && opt.stats)
		fprintf(stderr, "Summary: %" PRIu64 " stats blocks, %" PRIu64 " blocks, %" PRIu64 " files, %" PRIu64
				" torn/skipped blocks\n",
			app.stats_blocks, app.blocks, app.files, app.bad_blocks);
	else if (!opt.quiet)
		print_summary(&app);
	for (int t = 0; app.aggrs != NULL && t < opt.nb_tables; t++)
		frx_aggr_free(app.aggrs[t]);
	free(app.aggrs);
	frx_filter_free(app.filter);
	frx_statsmerge_free(app.stats);
	frx_rulestats_merge_free(app.rules);
	frx_ifmap_free(app.ifnames);
	free_options(&opt);
	return app.status;
}
