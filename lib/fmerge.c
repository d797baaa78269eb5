/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Merging sources of flow files: each source keeps at most one block
 * waiting ("pending"); the smallest waiting key goes out. The block handed
 * out stays in its reader's buffer until the next call, which is when that
 * source (and only it) reads on, so every other waiting block stays valid.
 */
#include "fmerge.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc32c.h"

/* CRC coverage of the file header and of a block header (docs/file-format.md). */
#define FILE_HEADER_CRC_LEN 124
#define BLOCK_HEADER_CRC_LEN 36
#define QUEUE_MAX 4

struct source {
	char **paths;
	unsigned int nb_paths;
	unsigned int next_path;
	struct frx_ffile_reader *r;     /* the file being read, NULL between files */
	const char *path;
	bool pending;                   /* a block read and not handed out yet */
	bool done;                      /* every file read */
	uint64_t key;
	uint64_t offset;
	const struct frx_block_hdr *hdr;
	const void *payload;
};

struct frx_fmerge {
	bool sequential;
	bool has_twin;
	struct frx_twin twin;
	struct source *src;
	unsigned int nb_src;
	int handed;                     /* source whose block was handed out last, -1 */
	struct frx_fmerge_event queue[QUEUE_MAX];
	unsigned int q_head, q_len;
	struct frx_fmerge_counts counts;
};

struct frx_fmerge *
frx_fmerge_create(const struct frx_fmerge_conf *conf)
{
	struct frx_fmerge *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->sequential = conf->sequential;
	if (conf->twin != NULL) {
		m->has_twin = true;
		m->twin = *conf->twin;
	}
	m->handed = -1;
	return m;
}

int
frx_fmerge_add(struct frx_fmerge *m, const char *const *paths, unsigned int n)
{
	struct source *src = realloc(m->src, (m->nb_src + 1) * sizeof(*src));
	struct source *s;

	if (src == NULL)
		return -ENOMEM;
	m->src = src;
	s = &src[m->nb_src];
	memset(s, 0, sizeof(*s));
	s->paths = calloc(n ? n : 1, sizeof(*s->paths));
	if (s->paths == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++) {
		s->paths[i] = strdup(paths[i]);
		if (s->paths[i] == NULL) {
			while (i-- > 0)
				free(s->paths[i]);
			free(s->paths);
			return -ENOMEM;
		}
	}
	s->nb_paths = n;
	m->nb_src++;
	return 0;
}

static int
pread_full(int fd, void *buf, size_t len, off_t offset)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, offset + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ENOENT;
		done += (size_t)n;
	}
	return 0;
}

int
frx_fmerge_file_range(const char *path, uint64_t *min_first_ms, uint64_t *max_last_ms, uint64_t *records)
{
	struct {
		struct frx_block_hdr hdr;
		struct frx_end_payload end;
	} tail;
	struct frx_file_header fh;
	struct stat st;
	uint32_t crc;
	int fd, rc;

	_Static_assert(sizeof(tail) == FRX_BLOCK_HEADER_SIZE + sizeof(struct frx_end_payload), "END block is packed");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0) {
		rc = -errno;
		goto out;
	}
	rc = -ENOENT;
	if ((uint64_t)st.st_size < FRX_FILE_HEADER_SIZE + sizeof(tail))
		goto out;
	/* Only a file the reader would accept: anything else goes the normal
	 * way and has its error reported. */
	rc = pread_full(fd, &fh, sizeof(fh), 0);
	if (rc < 0)
		goto out;
	rc = -ENOENT;
	if (memcmp(fh.magic, FRX_FILE_MAGIC, sizeof(fh.magic)) != 0 ||
	    fh.format_version != FRX_FILE_FORMAT_VERSION || fh.crc != frx_crc32c(0, &fh, FILE_HEADER_CRC_LEN))
		goto out;
	rc = pread_full(fd, &tail, sizeof(tail), st.st_size - (off_t)sizeof(tail));
	if (rc < 0)
		goto out;
	rc = -ENOENT;
	crc = frx_crc32c(0, &tail.hdr, BLOCK_HEADER_CRC_LEN);
	crc = frx_crc32c(crc, &tail.end, sizeof(tail.end));
	if (tail.hdr.magic != FRX_BLOCK_MAGIC || tail.hdr.type != FRX_BLOCK_END ||
	    tail.hdr.payload_len != sizeof(tail.end) || tail.hdr.crc != crc)
		goto out;
	*min_first_ms = tail.hdr.min_first_ms;
	*max_last_ms = tail.hdr.max_last_ms;
	*records = tail.end.flow_records;
	rc = 0;
out:
	close(fd);
	return rc;
}

/* Can the file be passed over for the window? Only on the END block's word. */
static bool
file_outside_window(const struct frx_fmerge *m, const char *path)
{
	uint64_t min_first, max_last, records;

	if (!m->has_twin || frx_fmerge_file_range(path, &min_first, &max_last, &records) != 0)
		return false;
	if (records == 0)
		return true;
	/* A writer that predates the range in the END block leaves 0/0: unknown. */
	if (min_first == 0 && max_last == 0)
		return false;
	return !frx_twin_range(&m->twin, min_first, max_last);
}

static struct frx_fmerge_event *
push(struct frx_fmerge *m, enum frx_fmerge_ev type, unsigned int source, const char *path, uint64_t offset,
     uint64_t bytes, int err)
{
	struct frx_fmerge_event *ev;

	/* Cannot overflow: one read pushes at most two events, and the
	 * queue is emptied before the next read. */
	if (m->q_len == QUEUE_MAX)
		return &m->queue[m->q_head];
	ev = &m->queue[(m->q_head + m->q_len++) % QUEUE_MAX];
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->source = source;
	ev->path = path;
	ev->offset = offset;
	ev->bytes = bytes;
	ev->err = err;
	return ev;
}

static void
close_current(struct source *s)
{
	frx_ffile_close(s->r);
	s->r = NULL;
}

/*
 * Read on in source i until a block is pending, the source is done, or an
 * event was queued (then the caller hands it out first).
 */
static void
advance(struct frx_fmerge *m, unsigned int i)
{
	struct source *s = &m->src[i];

	while (!s->pending && !s->done && m->q_len == 0) {
		uint64_t skipped0, skipped1, bytes0, bytes1, offset;
		enum frx_read_status st;
		const struct frx_block_hdr *hdr;
		const void *payload;

		if (s->r == NULL) {
			if (s->next_path == s->nb_paths) {
				s->done = true;
				break;
			}
			s->path = s->paths[s->next_path++];
			if (file_outside_window(m, s->path)) {
				m->counts.files_skipped++;
				continue;
			}
			s->r = frx_ffile_open(s->path);
			if (s->r == NULL) {
				push(m, FRX_FMERGE_OPEN_ERROR, i, s->path, 0, 0, errno);
				break;
			}
			m->counts.files_read++;
		}
		offset = frx_ffile_offset(s->r);
		frx_ffile_skipped(s->r, &skipped0, &bytes0);
		st = frx_ffile_next(s->r, &hdr, &payload);
		frx_ffile_skipped(s->r, &skipped1, &bytes1);
		if (skipped1 != skipped0)
			push(m, FRX_FMERGE_CORRUPT, i, s->path, offset, bytes1 - bytes0, 0)->regions =
				skipped1 - skipped0;
		switch (st) {
		case FRX_READ_BLOCK:
			s->pending = true;
			s->hdr = hdr;
			s->payload = payload;
			/* the block's own offset: where the reader was, past any skipped region */
			s->offset = frx_ffile_offset(s->r) - FRX_BLOCK_HEADER_SIZE - hdr->payload_len;
			s->key = hdr->type == FRX_BLOCK_FLOWS ? hdr->min_first_ms : 0;
			break;
		case FRX_READ_TORN:
			push(m, FRX_FMERGE_TORN, i, s->path, frx_ffile_offset(s->r), 0, 0);
			close_current(s);
			break;
		case FRX_READ_ERROR:
			push(m, FRX_FMERGE_READ_ERROR, i, s->path, frx_ffile_offset(s->r), 0, errno);
			close_current(s);
			break;
		default:
			/* EOF, or AGAIN: no END block (still being written, or a
			 * crash between two blocks): every complete block was read. */
			close_current(s);
			break;
		}
	}
}

void
frx_fmerge_next(struct frx_fmerge *m, struct frx_fmerge_event *ev)
{
	int best = -1;

	if (m->handed >= 0) {
		m->src[m->handed].pending = false;
		m->handed = -1;
	}
	for (;;) {
		if (m->q_len > 0) {
			*ev = m->queue[m->q_head];
			m->q_head = (m->q_head + 1) % QUEUE_MAX;
			m->q_len--;
			return;
		}
		best = -1;
		for (unsigned int i = 0; i < m->nb_src; i++) {
			struct source *s = &m->src[i];

			advance(m, i);
			if (m->q_len > 0)
				break;
			if (s->pending && (best < 0 || s->key < m->src[best].key))
				best = (int)i;
			/* one after the other: nothing of a later source before this one is done */
			if (m->sequential && !s->done)
				break;
		}
		if (m->q_len == 0)
			break;
	}
	memset(ev, 0, sizeof(*ev));
	if (best < 0) {
		ev->type = FRX_FMERGE_DONE;
		return;
	}
	ev->type = FRX_FMERGE_BLOCK;
	ev->source = (unsigned int)best;
	ev->path = m->src[best].path;
	ev->offset = m->src[best].offset;
	ev->hdr = m->src[best].hdr;
	ev->payload = m->src[best].payload;
	m->handed = best;
}

void
frx_fmerge_counts(const struct frx_fmerge *m, struct frx_fmerge_counts *counts)
{
	*counts = m->counts;
}

void
frx_fmerge_free(struct frx_fmerge *m)
{
	if (m == NULL)
		return;
	for (unsigned int i = 0; i < m->nb_src; i++) {
		frx_ffile_close(m->src[i].r);
		for (unsigned int k = 0; k < m->src[i].nb_paths; k++)
			free(m->src[i].paths[k]);
		free(m->src[i].paths);
	}
	free(m->src);
	free(m);
}
