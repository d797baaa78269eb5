/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Directory follower (lib/ffollow.h): the tail -f rules of flowrx-read as
 * a pull API with a resumable position.
 *
 * One file is open at a time. The directory listing (which opens every
 * file to sort by header time) is re-read only when the directory's mtime
 * changed, or every FRX_FFOLLOW_RELIST_MS in case a change did not show.
 */
#include "ffollow.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct frx_ffollow {
	char *dir;
	char *path;                 /* current file; NULL before the first */
	struct frx_ffile_reader *r; /* NULL: between files */
	uint64_t cur_created_ns;    /* sort key of the current/last file... */
	bool has_current;           /* ...valid once a file was current */
	uint32_t collector_id;
	uint64_t size_seen;
	uint64_t grew_ms;
	uint64_t replay_until;      /* blocks ending at or before this offset are replays */
	bool abandon;               /* TORN reported: leave the file on the next call */
	bool pending_block;         /* CORRUPT reported: the block after it is still to hand out */
	struct frx_ffollow_event pending;
	char **list;
	int list_n;
	bool have_list;
	struct timespec dir_mtime;
	uint64_t listed_ms;
};

static uint64_t
monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

static char *
join_path(const char *dir, const char *name)
{
	size_t len = strlen(dir) + strlen(name) + 2;
	char *p = malloc(len);

	if (p != NULL)
		snprintf(p, len, "%s/%s", dir, name);
	return p;
}

struct frx_ffollow *
frx_ffollow_create(const char *dir, const struct frx_ffollow_pos *pos)
{
	struct frx_ffollow *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	f->dir = strdup(dir);
	if (f->dir == NULL) {
		free(f);
		errno = ENOMEM;
		return NULL;
	}
	if (pos == NULL || pos->name[0] == '\0')
		return f;
	if (memchr(pos->name, '\0', sizeof(pos->name)) == NULL || strchr(pos->name, '/') != NULL) {
		frx_ffollow_free(f);
		errno = ENAMETOOLONG;
		return NULL;
	}
	/* The saved file becomes current; if it cannot be opened, the next
	 * lookup moves past it by name or by creation time. */
	f->path = join_path(dir, pos->name);
	if (f->path == NULL) {
		frx_ffollow_free(f);
		errno = ENOMEM;
		return NULL;
	}
	f->has_current = true;
	f->cur_created_ns = pos->created_ns;
	f->r = frx_ffile_open(f->path);
	if (f->r != NULL && frx_ffile_header(f->r)->created_ns != pos->created_ns) {
		/* Same name, another file (directory reused): not our position. */
		frx_ffile_close(f->r);
		f->r = NULL;
	}
	if (f->r != NULL) {
		f->collector_id = frx_ffile_header(f->r)->collector_id;
		f->replay_until = pos->offset;
		f->grew_ms = monotonic_ms();
	}
	return f;
}

void
frx_ffollow_free(struct frx_ffollow *f)
{
	if (f == NULL)
		return;
	frx_ffile_close(f->r);
	frx_ffile_list_free(f->list, f->list_n);
	free(f->path);
	free(f->dir);
	free(f);
}

/* Was the directory changed so recently that a second change could share
 * its (coarse) timestamp? Then the timestamp proves nothing. */
static bool
mtime_is_recent(const struct timespec *mtime)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return now.tv_sec - mtime->tv_sec < 2;
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

/* Refresh the cached listing if the directory may have changed. */
static void
refresh_list(struct frx_ffollow *f, uint64_t now_ms)
{
	struct stat st;
	char **list;
	int n;

	if (stat(f->dir, &st) != 0)
		return;
	if (f->have_list && st.st_mtim.tv_sec == f->dir_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == f->dir_mtime.tv_nsec && !mtime_is_recent(&st.st_mtim) &&
	    now_ms - f->listed_ms < FRX_FFOLLOW_RELIST_MS)
		return;
	n = frx_ffile_list_dir(f->dir, &list);
	if (n < 0)
		return; /* transient (EMFILE...): keep the old listing, retry later */
	frx_ffile_list_free(f->list, f->list_n);
	f->list = list;
	f->list_n = n;
	f->have_list = true;
	f->dir_mtime = st.st_mtim;
	f->listed_ms = now_ms;
}

/* Index in f->list of the first file after the current one, or -1. */
static int
next_index(struct frx_ffollow *f)
{
	const char *cur_name;

	if (f->list_n == 0)
		return -1;
	if (!f->has_current)
		return 0;
	cur_name = base_name(f->path);
	for (int i = 0; i < f->list_n; i++)
		if (strcmp(base_name(f->list[i]), cur_name) == 0)
			return i + 1 < f->list_n ? i + 1 : -1;
	/* The current file is gone (retention): the first one ordered after it. */
	for (int i = 0; i < f->list_n; i++) {
		uint64_t created;

		if (!header_created_ns(f->list[i], &created))
			continue;
		if (created > f->cur_created_ns ||
		    (created == f->cur_created_ns && strcmp(base_name(f->list[i]), cur_name) > 0))
			return i;
	}
	return -1;
}

static void
fill_file(const struct frx_ffollow *f, struct frx_ffollow_event *ev, enum frx_ffollow_ev type)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->path = f->path;
	ev->name = f->path != NULL ? base_name(f->path) : NULL;
	ev->created_ns = f->cur_created_ns;
	ev->collector_id = f->collector_id;
}

/* Open the file after the current one, if there is one. */
static bool
open_next(struct frx_ffollow *f, struct frx_ffollow_event *ev)
{
	struct stat st;
	char *path;
	int i;

	refresh_list(f, monotonic_ms());
	i = next_index(f);
	if (i < 0)
		return false;
	path = strdup(f->list[i]);
	if (path == NULL)
		return false;
	free(f->path);
	f->path = path;
	f->has_current = true;
	f->replay_until = 0;
	f->r = frx_ffile_open(path);
	if (f->r == NULL) {
		int err = errno;

		/* The name stays current, so the next lookup moves past it. */
		fill_file(f, ev, FRX_FFOLLOW_OPEN_ERROR);
		ev->err = err;
		return true;
	}
	f->cur_created_ns = frx_ffile_header(f->r)->created_ns;
	f->collector_id = frx_ffile_header(f->r)->collector_id;
	f->size_seen = stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
	f->grew_ms = monotonic_ms();
	return false;
}

static void
leave_file(struct frx_ffollow *f, struct frx_ffollow_event *ev)
{
	frx_ffile_close(f->r);
	f->r = NULL;
	f->abandon = false;
	fill_file(f, ev, FRX_FFOLLOW_FILE_DONE);
}

void
frx_ffollow_next(struct frx_ffollow *f, struct frx_ffollow_event *ev)
{
	const struct frx_block_hdr *hdr;
	const void *payload;
	uint64_t skipped0, skipped1, bytes0, bytes1, start, now;
	enum frx_read_status st;
	struct stat sb;

	if (f->pending_block) {
		f->pending_block = false;
		*ev = f->pending;
		ev->path = f->path;
		ev->name = base_name(f->path);
		return;
	}
	if (f->abandon) {
		leave_file(f, ev);
		return;
	}
	if (f->r == NULL) {
		if (open_next(f, ev))
			return; /* OPEN_ERROR */
		if (f->r == NULL) {
			fill_file(f, ev, FRX_FFOLLOW_IDLE);
			return;
		}
	}

	start = frx_ffile_offset(f->r);
	frx_ffile_skipped(f->r, &skipped0, &bytes0);
	st = frx_ffile_next(f->r, &hdr, &payload);
	frx_ffile_skipped(f->r, &skipped1, &bytes1);
	now = monotonic_ms();

	switch (st) {
	case FRX_READ_BLOCK:
		fill_file(f, ev, FRX_FFOLLOW_BLOCK);
		ev->next_offset = frx_ffile_offset(f->r);
		/* Where the block starts: after whatever damage was skipped. (Not
		 * from payload_len: a packed block is handed out unpacked.) */
		ev->offset = start + (bytes1 - bytes0);
		ev->replay = ev->next_offset <= f->replay_until;
		ev->hdr = hdr;
		ev->payload = payload;
		f->grew_ms = now;
		if (skipped1 != skipped0) {
			f->pending = *ev;
			f->pending_block = true;
			fill_file(f, ev, FRX_FFOLLOW_CORRUPT);
			ev->offset = start;
			ev->bytes = bytes1 - bytes0;
		}
		return;
	case FRX_READ_EOF:
		leave_file(f, ev);
		return;
	case FRX_READ_ERROR: {
		int err = errno;

		leave_file(f, ev);
		ev->type = FRX_FFOLLOW_READ_ERROR;
		ev->err = err;
		return;
	}
	default: /* AGAIN or TORN: the writer may not be done */
		break;
	}
	if (stat(f->path, &sb) == 0 && (uint64_t)sb.st_size != f->size_seen) {
		f->size_seen = (uint64_t)sb.st_size;
		f->grew_ms = now;
	}
	fill_file(f, ev, FRX_FFOLLOW_IDLE);
	if (now - f->grew_ms < FRX_FFOLLOW_STALL_MS)
		return;
	/* No END, not growing: abandoned if a newer file exists. */
	refresh_list(f, now);
	if (next_index(f) < 0)
		return;
	if (st == FRX_READ_TORN) {
		ev->type = FRX_FFOLLOW_TORN;
		ev->offset = frx_ffile_offset(f->r);
		f->abandon = true;
		return;
	}
	leave_file(f, ev);
}

/* Count FLOWS records from offset to the end of the data, by block headers. */
static void
scan_file(const char *path, uint64_t offset, uint64_t *records, uint64_t *oldest_first_ms,
	  uint64_t *newest_last_ms)
{
	struct frx_block_hdr h;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return;
	}
	if (offset < FRX_FILE_HEADER_SIZE)
		offset = FRX_FILE_HEADER_SIZE;
	while (offset + sizeof(h) <= (uint64_t)st.st_size) {
		if (pread(fd, &h, sizeof(h), (off_t)offset) != (ssize_t)sizeof(h))
			break;
		if (h.magic != FRX_BLOCK_MAGIC || h.payload_len > FRX_BLOCK_MAX_PAYLOAD ||
		    offset + sizeof(h) + h.payload_len > (uint64_t)st.st_size)
			break;
		if (h.type == FRX_BLOCK_FLOWS || h.type == FRX_BLOCK_FLOWS_PACKED) {
			*records += h.record_count;
			if (h.min_first_ms != 0 && (*oldest_first_ms == 0 || h.min_first_ms < *oldest_first_ms))
				*oldest_first_ms = h.min_first_ms;
			if (h.max_last_ms > *newest_last_ms)
				*newest_last_ms = h.max_last_ms;
		}
		if (h.type == FRX_BLOCK_END)
			break;
		offset += sizeof(h) + h.payload_len;
	}
	close(fd);
}

void
frx_ffollow_backlog(struct frx_ffollow *f, uint64_t *records, uint64_t *oldest_first_ms,
		    uint64_t *newest_last_ms)
{
	int first;

	*records = 0;
	*oldest_first_ms = 0;
	*newest_last_ms = 0;
	if (f->r != NULL) {
		uint64_t off = frx_ffile_offset(f->r);

		scan_file(f->path, off > f->replay_until ? off : f->replay_until, records, oldest_first_ms,
			  newest_last_ms);
	}
	refresh_list(f, monotonic_ms());
	first = next_index(f);
	for (int i = first; i >= 0 && i < f->list_n; i++)
		scan_file(f->list[i], 0, records, oldest_first_ms, newest_last_ms);
}
