/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow-file writer and reader (format: docs/file-format.md).
 *
 * The one idea: every block carries its own CRC32C, so a file never has to
 * be "finished" to be readable. The writer appends whole blocks with one
 * pwritev() each and cuts off a block it could not write completely; the
 * reader hands out only blocks that verify, and treats anything that does
 * not verify at the end of the data as "not written yet" (TORN) rather than
 * as an error. The same code therefore reads finished files, files still
 * being written and files left behind by a crash.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem() */
#endif
#include "ffile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "crc32c.h"
#include "recpack.h"

#ifndef FRX_VERSION
#define FRX_VERSION "dev"
#endif

#define NS_PER_SEC 1000000000ull

/* The CRCs cover everything before the crc field. */
#define FILE_HEADER_CRC_LEN offsetof(struct frx_file_header, crc)
#define BLOCK_HEADER_CRC_LEN offsetof(struct frx_block_hdr, crc)
_Static_assert(offsetof(struct frx_file_header, crc) == 124, "file header crc offset");
_Static_assert(offsetof(struct frx_block_hdr, crc) == 36, "block header crc offset");
_Static_assert(sizeof(struct frx_end_payload) == 24, "END payload size");

/* A name taken in the same second by another writer gets ".1", ".2", ... */
#define NAME_SUFFIX_TRIES 1000

/* Reader buffers: first size, and the window the resync scan reads at once. */
#define READ_BUF_INITIAL (64u << 10)
#define READ_BUF_MAX (FRX_BLOCK_HEADER_SIZE + FRX_BLOCK_MAX_PAYLOAD)
#define SCAN_CHUNK (256u << 10)

static uint64_t
realtime_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || ts.tv_sec < 0)
		return 0;
	return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

static uint32_t
block_crc(const struct frx_block_hdr *hdr, const void *payload, size_t payload_len)
{
	uint32_t crc = frx_crc32c(0, hdr, BLOCK_HEADER_CRC_LEN);

	return frx_crc32c(crc, payload, payload_len);
}

/* Copy a string into a fixed on-disk field: truncated, always NUL padded. */
static void
copy_padded(char *dst, size_t size, const char *src)
{
	size_t len = strnlen(src, size - 1);

	memset(dst, 0, size);
	memcpy(dst, src, len);
}

void
frx_block_seal(struct frx_block *blk)
{
	struct frx_block_hdr *hdr = &blk->hdr;
	uint32_t count = hdr->record_count;
	uint64_t min_first = 0, max_last = 0;

	/* Never checksum (or later write) past the block. */
	if (count > FRX_BLOCK_RECORDS)
		count = FRX_BLOCK_RECORDS;
	if (count > 0) {
		min_first = UINT64_MAX;
		for (uint32_t i = 0; i < count; i++) {
			if (blk->recs[i].first_ms < min_first)
				min_first = blk->recs[i].first_ms;
			if (blk->recs[i].last_ms > max_last)
				max_last = blk->recs[i].last_ms;
		}
	}
	hdr->magic = FRX_BLOCK_MAGIC;
	hdr->type = FRX_BLOCK_FLOWS;
	hdr->flags = 0;
	hdr->record_count = count;
	hdr->payload_len = count * (uint32_t)sizeof(struct frx_flowrec);
	hdr->min_first_ms = min_first;
	hdr->max_last_ms = max_last;
	hdr->reserved = 0;
	hdr->crc = block_crc(hdr, blk->recs, hdr->payload_len);
}

void
frx_block_seal_stream(struct frx_block *blk, const struct frx_recpack_stream *s)
{
	struct frx_block_hdr *hdr = &blk->hdr;

	hdr->magic = FRX_BLOCK_MAGIC;
	hdr->type = s->full ? FRX_BLOCK_FLOWS : FRX_BLOCK_FLOWS_PACKED;
	hdr->flags = 0;
	hdr->record_count = s->count;
	hdr->payload_len = s->len;
	hdr->min_first_ms = s->count ? s->min_first_ms : 0;
	hdr->max_last_ms = s->count ? s->max_last_ms : 0;
	hdr->reserved = 0;
	hdr->crc = block_crc(hdr, blk->payload, hdr->payload_len);
}

void
frx_block_seal_raw(struct frx_block_hdr *hdr, uint16_t type, uint32_t record_count, uint32_t payload_len)
{
	hdr->magic = FRX_BLOCK_MAGIC;
	hdr->type = type;
	hdr->flags = 0;
	hdr->record_count = record_count;
	hdr->payload_len = payload_len;
	hdr->min_first_ms = 0;
	hdr->max_last_ms = 0;
	hdr->reserved = 0;
	hdr->crc = block_crc(hdr, (const uint8_t *)hdr + sizeof(*hdr), payload_len);
}

/* ------------------------------------------------------------------ writer */

struct frx_ffile_writer {
	char *dir;
	uint64_t rotate_ns;         /* 0: never rotate */
	uint32_t rotate_seconds;
	uint32_t collector_id;
	uint32_t fsync_every_blocks;
	uint32_t pid;
	char hostname[48];

	/* The open file; fd is -1 after a failed rotation until a later
	 * append or tick manages to open the next file. */
	int fd;
	uint64_t file_start_ns;     /* interval start the file is named after */
	uint64_t next_rotate_ns;    /* UINT64_MAX: never */
	uint64_t file_size;         /* = offset of the next block */
	uint64_t file_flow_blocks;
	uint64_t file_flow_records;
	uint64_t file_min_first_ms;
	uint64_t file_max_last_ms;
	uint32_t unsynced_blocks;
	uint32_t file_seq;          /* file_seq of the next file */

	uint64_t total_files;
	uint64_t total_blocks;
	uint64_t total_records;
	char path[PATH_MAX];
	int full_records;
	uint8_t *pack;              /* FLOWS_PACKED payload being written, NULL with full_records */
};

/* Like mkdir -p. */
static int
mkdir_p(const char *dir)
{
	char tmp[PATH_MAX];
	size_t len = strlen(dir);
	struct stat st;

	if (len == 0)
		return -EINVAL;
	if (len >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, dir, len + 1);
	for (char *p = tmp + 1;; p++) {
		char saved = *p;

		if (saved != '/' && saved != '\0')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
			int err = errno;

			/* e.g. EACCES on an existing parent we may not write to */
			if (stat(tmp, &st) != 0 || !S_ISDIR(st.st_mode))
				return -err;
		}
		*p = saved;
		if (saved == '\0')
			break;
	}
	if (stat(tmp, &st) != 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* Make a new directory entry durable (only when the user asked for fsync). */
static void
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return;
	(void)fsync(fd);
	close(fd);
}

/* Write all of iov at offset, through short writes and EINTR. */
static int
pwritev_full(int fd, struct iovec *iov, int iovcnt, uint64_t offset)
{
	for (;;) {
		ssize_t n;

		while (iovcnt > 0 && iov->iov_len == 0) {
			iov++;
			iovcnt--;
		}
		if (iovcnt == 0)
			return 0;
		n = pwritev(fd, iov, iovcnt, (off_t)offset);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		offset += (uint64_t)n;
		while (iovcnt > 0 && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++;
			iovcnt--;
		}
		if (iovcnt > 0) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
}

/* Append at the end of the current file, all or nothing. */
static int
writer_write(struct frx_ffile_writer *w, struct iovec *iov, int iovcnt)
{
	size_t len = 0;
	int rc;

	for (int i = 0; i < iovcnt; i++)
		len += iov[i].iov_len;
	rc = pwritev_full(w->fd, iov, iovcnt, w->file_size);
	if (rc < 0) {
		/* Cut off the partial block so the next one follows the last
		 * good block; if even that fails, readers skip the torn bytes. */
		if (ftruncate(w->fd, (off_t)w->file_size) != 0) {
			/* nothing more to do */
		}
		return rc;
	}
	w->file_size += len;
	return 0;
}

static int
writer_open_file(struct frx_ffile_writer *w, uint64_t now_ns)
{
	struct frx_file_header fh;
	struct iovec iov;
	char path[PATH_MAX], stamp[32];
	uint64_t start_ns = now_ns;
	struct tm tm;
	time_t sec;
	int fd = -1, rc;

	if (w->rotate_ns > 0)
		start_ns = now_ns - now_ns % w->rotate_ns;
	sec = (time_t)(start_ns / NS_PER_SEC);
	if (gmtime_r(&sec, &tm) == NULL || strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm) == 0)
		return -EOVERFLOW;

	for (unsigned int n = 0;; n++) {
		int len;

		if (n == 0)
			len = snprintf(path, sizeof(path), "%s/" FRX_FILE_PREFIX "%s" FRX_FILE_SUFFIX, w->dir,
				       stamp);
		else
			len = snprintf(path, sizeof(path), "%s/" FRX_FILE_PREFIX "%s.%u" FRX_FILE_SUFFIX,
				       w->dir, stamp, n);
		if (len < 0 || (size_t)len >= sizeof(path))
			return -ENAMETOOLONG;
		fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
		if (fd >= 0)
			break;
		if (errno != EEXIST || n >= NAME_SUFFIX_TRIES)
			return -errno;
	}

	memset(&fh, 0, sizeof(fh));
	memcpy(fh.magic, FRX_FILE_MAGIC, sizeof(fh.magic));
	fh.format_version = w->full_records ? FRX_FILE_FORMAT_VERSION_FULL : FRX_FILE_FORMAT_VERSION;
	fh.header_size = FRX_FILE_HEADER_SIZE;
	fh.record_layout = FRX_FLOWREC_LAYOUT;
	fh.record_size = sizeof(struct frx_flowrec);
	fh.created_ns = realtime_ns();
	fh.rotate_seconds = w->rotate_seconds;
	fh.collector_id = w->collector_id;
	fh.writer_pid = w->pid;
	fh.file_seq = w->file_seq;
	copy_padded(fh.writer, sizeof(fh.writer), "flowrx " FRX_VERSION);
	memcpy(fh.hostname, w->hostname, sizeof(fh.hostname));
	fh.crc = frx_crc32c(0, &fh, FILE_HEADER_CRC_LEN);

	w->fd = fd;
	w->file_size = 0;
	iov.iov_base = &fh;
	iov.iov_len = sizeof(fh);
	rc = writer_write(w, &iov, 1);
	if (rc < 0) {
		close(fd);
		unlink(path);
		w->fd = -1;
		return rc;
	}

	memcpy(w->path, path, sizeof(w->path));
	w->file_start_ns = start_ns;
	w->next_rotate_ns = w->rotate_ns > 0 ? start_ns + w->rotate_ns : UINT64_MAX;
	w->file_flow_blocks = 0;
	w->file_flow_records = 0;
	w->file_min_first_ms = UINT64_MAX;
	w->file_max_last_ms = 0;
	w->unsynced_blocks = 0;
	w->file_seq++;
	w->total_files++;
	if (w->fsync_every_blocks > 0)
		sync_dir(w->dir);
	return 0;
}

/* Write the END block, fdatasync and close. The fd is closed even on error. */
static int
writer_finish_file(struct frx_ffile_writer *w)
{
	struct frx_block_hdr hdr;
	struct frx_end_payload end;
	struct iovec iov[2];
	int rc;

	memset(&hdr, 0, sizeof(hdr));
	memset(&end, 0, sizeof(end));
	end.closed_ns = realtime_ns();
	end.flow_blocks = w->file_flow_blocks;
	end.flow_records = w->file_flow_records;
	hdr.magic = FRX_BLOCK_MAGIC;
	hdr.type = FRX_BLOCK_END;
	hdr.payload_len = sizeof(end);
	/* The END header summarises the file's time range (0/0 if no flows). */
	if (w->file_flow_records > 0) {
		hdr.min_first_ms = w->file_min_first_ms;
		hdr.max_last_ms = w->file_max_last_ms;
	}
	hdr.crc = block_crc(&hdr, &end, sizeof(end));

	iov[0].iov_base = &hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = &end;
	iov[1].iov_len = sizeof(end);
	rc = writer_write(w, iov, 2);
	if (fdatasync(w->fd) != 0 && rc == 0)
		rc = -errno;
	/* Linux closes the fd even when close() fails: never retry it. */
	if (close(w->fd) != 0 && rc == 0)
		rc = -errno;
	w->fd = -1;
	return rc;
}

/*
 * Rotate if due at now_ns, or reopen after an earlier failure. Returns an
 * error if the old file could not be finished cleanly or no new file could
 * be opened; in the first case the next file is open all the same.
 */
static int
writer_rotate_if_due(struct frx_ffile_writer *w, uint64_t now_ns)
{
	int rc = 0, rc_open;

	if (w->fd >= 0) {
		if (now_ns < w->next_rotate_ns) {
			/* The wall clock stepped back by more than an interval:
			 * rotate at the next boundary of the new time rather than
			 * keep this file open until the old boundary comes back. */
			if (w->rotate_ns > 0 && now_ns + w->rotate_ns < w->file_start_ns)
				w->next_rotate_ns = now_ns - now_ns % w->rotate_ns + w->rotate_ns;
			return 0;
		}
		rc = writer_finish_file(w);
	}
	rc_open = writer_open_file(w, now_ns);
	return rc < 0 ? rc : rc_open;
}

struct frx_ffile_writer *
frx_ffile_writer_open(const struct frx_ffile_writer_conf *conf)
{
	struct frx_ffile_writer *w;
	char host[256];
	int rc;

	if (conf == NULL || conf->dir == NULL || conf->dir[0] == '\0') {
		errno = EINVAL;
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return NULL;
	w->fd = -1;
	w->dir = strdup(conf->dir);
	if (w->dir == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	w->rotate_seconds = conf->rotate_seconds;
	w->rotate_ns = (uint64_t)conf->rotate_seconds * NS_PER_SEC;
	w->collector_id = conf->collector_id;
	w->fsync_every_blocks = conf->fsync_every_blocks;
	w->full_records = conf->full_records;
	if (!w->full_records) {
		w->pack = malloc((size_t)FRX_BLOCK_RECORDS * FRX_RECPACK_MAX);
		if (w->pack == NULL) {
			rc = -ENOMEM;
			goto fail;
		}
	}
	w->pid = (uint32_t)getpid();
	if (gethostname(host, sizeof(host)) != 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	copy_padded(w->hostname, sizeof(w->hostname), host);

	rc = mkdir_p(w->dir);
	if (rc < 0)
		goto fail;
	rc = writer_open_file(w, realtime_ns());
	if (rc < 0)
		goto fail;
	return w;

fail:
	free(w->pack);
	free(w->dir);
	free(w);
	errno = -rc;
	return NULL;
}

static int
writer_append(struct frx_ffile_writer *w, const struct frx_block_hdr *hdr, const void *payload)
{
	struct iovec iov[2];
	int rc;

	rc = writer_rotate_if_due(w, realtime_ns());
	if (rc < 0)
		return rc;

	iov[0].iov_base = (void *)(uintptr_t)hdr;
	iov[0].iov_len = sizeof(*hdr);
	iov[1].iov_base = (void *)(uintptr_t)payload;
	iov[1].iov_len = hdr->payload_len;
	rc = writer_write(w, iov, 2);
	if (rc < 0)
		return rc;

	w->total_blocks++;
	if (hdr->type == FRX_BLOCK_FLOWS || hdr->type == FRX_BLOCK_FLOWS_PACKED) {
		w->file_flow_blocks++;
		w->file_flow_records += hdr->record_count;
		w->total_records += hdr->record_count;
		if (hdr->record_count > 0) {
			if (hdr->min_first_ms < w->file_min_first_ms)
				w->file_min_first_ms = hdr->min_first_ms;
			if (hdr->max_last_ms > w->file_max_last_ms)
				w->file_max_last_ms = hdr->max_last_ms;
		}
	}
	if (w->fsync_every_blocks > 0 && ++w->unsynced_blocks >= w->fsync_every_blocks) {
		w->unsynced_blocks = 0;
		if (fdatasync(w->fd) != 0)
			return -errno;
	}
	return 0;
}

int
frx_ffile_writer_append(struct frx_ffile_writer *w, const struct frx_block *blk)
{
	const struct frx_block_hdr *hdr = &blk->hdr;

	if (hdr->magic == FRX_BLOCK_MAGIC && hdr->type == FRX_BLOCK_FLOWS_PACKED && !w->full_records) {
		/* packed and sealed by the worker: written as it is */
		if (hdr->record_count > FRX_BLOCK_RECORDS || hdr->payload_len > sizeof(blk->payload) ||
		    hdr->payload_len < hdr->record_count * FRX_RECPACK_MIN)
			return -EINVAL;
		return writer_append(w, hdr, blk->payload);
	}
	if (hdr->magic != FRX_BLOCK_MAGIC || hdr->type != FRX_BLOCK_FLOWS ||
	    hdr->record_count > FRX_BLOCK_RECORDS ||
	    hdr->payload_len != hdr->record_count * sizeof(struct frx_flowrec))
		return -EINVAL;
	if (w->full_records)
		return writer_append(w, hdr, blk->recs);
	else {
		/* The block as sealed by the worker, packed: same count and
		 * times, its own payload and CRC. */
		struct frx_block_hdr packed = *hdr;

		packed.type = FRX_BLOCK_FLOWS_PACKED;
		packed.payload_len = (uint32_t)frx_recpack_pack(blk->recs, hdr->record_count, w->pack);
		packed.crc = block_crc(&packed, w->pack, packed.payload_len);
		return writer_append(w, &packed, w->pack);
	}
}

int
frx_ffile_writer_append_raw(struct frx_ffile_writer *w, const struct frx_block_hdr *hdr)
{
	/* END is the writer's own marker; a second one would end the file early. */
	if (hdr->magic != FRX_BLOCK_MAGIC || hdr->type == FRX_BLOCK_END ||
	    hdr->payload_len > FRX_BLOCK_MAX_PAYLOAD ||
	    (hdr->type == FRX_BLOCK_FLOWS &&
	     hdr->payload_len != (uint64_t)hdr->record_count * sizeof(struct frx_flowrec)))
		return -EINVAL;
	return writer_append(w, hdr, (const uint8_t *)hdr + sizeof(*hdr));
}

int
frx_ffile_writer_tick(struct frx_ffile_writer *w, uint64_t now_ns)
{
	return writer_rotate_if_due(w, now_ns);
}

const char *
frx_ffile_writer_path(const struct frx_ffile_writer *w)
{
	return w->path;
}

void
frx_ffile_writer_totals(const struct frx_ffile_writer *w, uint64_t *files, uint64_t *blocks,
			uint64_t *records)
{
	if (files != NULL)
		*files = w->total_files;
	if (blocks != NULL)
		*blocks = w->total_blocks;
	if (records != NULL)
		*records = w->total_records;
}

int
frx_ffile_writer_close(struct frx_ffile_writer *w)
{
	int rc = 0;

	if (w == NULL)
		return 0;
	if (w->fd >= 0)
		rc = writer_finish_file(w);
	free(w->pack);
	free(w->dir);
	free(w);
	return rc;
}

/* ------------------------------------------------------------------ reader */

struct frx_ffile_reader {
	int fd;
	bool end_seen;               /* the END block is in buf */
	struct frx_file_header hdr;
	uint64_t offset;             /* next block */
	uint64_t skipped_blocks;     /* corrupt regions skipped */
	uint64_t skipped_bytes;
	uint8_t *buf;                /* the last block read, header first */
	size_t buf_size;
	uint8_t *scan;               /* SCAN_CHUNK bytes, allocated on first resync */
	/* A FLOWS_PACKED block unpacked: header (as FLOWS) then records. */
	struct frx_block *unpacked;
};

/* Read up to len bytes at offset; fewer only at end of file. */
static ssize_t
pread_full(int fd, void *buf, size_t len, uint64_t offset)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(offset + done));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

static bool
file_header_valid(const struct frx_file_header *fh)
{
	return memcmp(fh->magic, FRX_FILE_MAGIC, sizeof(fh->magic)) == 0 &&
	       fh->crc == frx_crc32c(0, fh, FILE_HEADER_CRC_LEN) &&
	       (fh->format_version == FRX_FILE_FORMAT_VERSION ||
		fh->format_version == FRX_FILE_FORMAT_VERSION_PACKED2 ||
		fh->format_version == FRX_FILE_FORMAT_VERSION_FULL) &&
	       fh->header_size == FRX_FILE_HEADER_SIZE && fh->record_size == sizeof(struct frx_flowrec) &&
	       fh->record_layout == FRX_FLOWREC_LAYOUT;
}

/* Read and check a file header: 0, -EINVAL if it is not a valid one, or -errno. */
static int
read_file_header(int fd, struct frx_file_header *fh)
{
	ssize_t n = pread_full(fd, fh, sizeof(*fh), 0);

	if (n < 0)
		return (int)n;
	if ((size_t)n < sizeof(*fh) || !file_header_valid(fh))
		return -EINVAL;
	return 0;
}

struct frx_ffile_reader *
frx_ffile_open(const char *path)
{
	struct frx_ffile_reader *r;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	r->fd = fd;
	rc = read_file_header(fd, &r->hdr);
	if (rc < 0) {
		close(fd);
		free(r);
		errno = -rc;
		return NULL;
	}
	r->offset = r->hdr.header_size;
	return r;
}

const struct frx_file_header *
frx_ffile_header(const struct frx_ffile_reader *r)
{
	return &r->hdr;
}

/* Can this header start a block? The CRC decides the rest. */
static bool
block_hdr_plausible(const struct frx_block_hdr *h)
{
	if (h->magic != FRX_BLOCK_MAGIC || h->payload_len > FRX_BLOCK_MAX_PAYLOAD)
		return false;
	switch (h->type) {
	case FRX_BLOCK_FLOWS:
		return (uint64_t)h->record_count * sizeof(struct frx_flowrec) == h->payload_len;
	case FRX_BLOCK_FLOWS_PACKED:
		return h->record_count <= FRX_BLOCK_RECORDS &&
		       h->payload_len >= (uint64_t)h->record_count * FRX_RECPACK_MIN &&
		       h->payload_len <= (uint64_t)h->record_count * FRX_RECPACK_MAX;
	case FRX_BLOCK_END:
		return h->payload_len >= sizeof(struct frx_end_payload);
	default:
		/* Unknown types are handed out; callers skip what they do not know. */
		return true;
	}
}

enum load_result {
	LOAD_OK,     /* verified block in r->buf */
	LOAD_SHORT,  /* data ends inside the block */
	LOAD_BAD,    /* not a block, or does not verify */
	LOAD_ERROR,  /* I/O error or no memory; errno set */
};

static int
reader_reserve(struct frx_ffile_reader *r, size_t need)
{
	size_t size = r->buf_size ? r->buf_size : READ_BUF_INITIAL;
	uint8_t *buf;

	if (need <= r->buf_size)
		return 0;
	while (size < need)
		size *= 2;
	if (size > READ_BUF_MAX)
		size = READ_BUF_MAX;
	buf = realloc(r->buf, size);
	if (buf == NULL)
		return -1;
	r->buf = buf;
	r->buf_size = size;
	return 0;
}

/* Load and verify the block at offset, in a file of data_end bytes. */
static enum load_result
block_load(struct frx_ffile_reader *r, uint64_t offset, uint64_t data_end)
{
	struct frx_block_hdr h;
	ssize_t n;

	if (offset > data_end || data_end - offset < sizeof(h))
		return LOAD_SHORT;
	n = pread_full(r->fd, &h, sizeof(h), offset);
	if (n < 0) {
		errno = (int)-n;
		return LOAD_ERROR;
	}
	if ((size_t)n < sizeof(h))
		return LOAD_SHORT; /* the file shrank */
	if (!block_hdr_plausible(&h))
		return LOAD_BAD;
	if (data_end - offset - sizeof(h) < h.payload_len)
		return LOAD_SHORT;
	if (reader_reserve(r, sizeof(h) + h.payload_len) != 0) {
		errno = ENOMEM;
		return LOAD_ERROR;
	}
	n = pread_full(r->fd, r->buf + sizeof(h), h.payload_len, offset + sizeof(h));
	if (n < 0) {
		errno = (int)-n;
		return LOAD_ERROR;
	}
	if ((size_t)n < h.payload_len)
		return LOAD_SHORT;
	if (block_crc(&h, r->buf + sizeof(h), h.payload_len) != h.crc)
		return LOAD_BAD;
	memcpy(r->buf, &h, sizeof(h));
	return LOAD_OK;
}

/*
 * Find the first block after offset that verifies completely. Blocks are
 * not aligned, so every position holding the magic is a candidate; the
 * candidate must fit in the data and pass its CRC. On LOAD_OK the block is
 * in r->buf and *found is its offset.
 */
static enum load_result
reader_resync(struct frx_ffile_reader *r, uint64_t offset, uint64_t data_end, uint64_t *found)
{
	static const uint8_t magic[4] = { 'F', 'R', 'X', 'B' };
	uint64_t pos = offset + 1;

	if (r->scan == NULL) {
		r->scan = malloc(SCAN_CHUNK);
		if (r->scan == NULL) {
			errno = ENOMEM;
			return LOAD_ERROR;
		}
	}
	while (pos < data_end && data_end - pos >= FRX_BLOCK_HEADER_SIZE) {
		size_t want = data_end - pos < SCAN_CHUNK ? (size_t)(data_end - pos) : SCAN_CHUNK;
		ssize_t n = pread_full(r->fd, r->scan, want, pos);
		const uint8_t *p, *end;

		if (n < 0) {
			errno = (int)-n;
			return LOAD_ERROR;
		}
		if (n < (ssize_t)sizeof(magic))
			break;
		p = r->scan;
		end = r->scan + n;
		while ((p = memmem(p, (size_t)(end - p), magic, sizeof(magic))) != NULL) {
			uint64_t cand = pos + (uint64_t)(p - r->scan);
			enum load_result res = block_load(r, cand, data_end);

			if (res == LOAD_OK) {
				*found = cand;
				return LOAD_OK;
			}
			if (res == LOAD_ERROR)
				return res;
			p++;
		}
		if ((size_t)n < want)
			break; /* the file shrank */
		/* Overlap by 3 bytes so a magic across the seam is found once. */
		pos += (uint64_t)n - (sizeof(magic) - 1);
	}
	return LOAD_SHORT;
}

/* Unpack the FLOWS_PACKED block in r->buf into r->unpacked; -1 if its
 * records do not unpack (a writer bug or a forged CRC: skip it). */
static int
reader_unpack(struct frx_ffile_reader *r)
{
	const struct frx_block_hdr *bh = (const struct frx_block_hdr *)r->buf;

	if (r->unpacked == NULL) {
		r->unpacked = malloc(sizeof(*r->unpacked));
		if (r->unpacked == NULL)
			return -ENOMEM;
	}
	if (frx_recpack_unpack(r->buf + sizeof(*bh), bh->payload_len, bh->record_count, r->unpacked->recs) != 0)
		return -EINVAL;
	r->unpacked->hdr = *bh;
	r->unpacked->hdr.type = FRX_BLOCK_FLOWS;
	r->unpacked->hdr.payload_len = bh->record_count * (uint32_t)sizeof(struct frx_flowrec);
	return 0;
}

enum frx_read_status
frx_ffile_next(struct frx_ffile_reader *r, const struct frx_block_hdr **hdr, const void **payload)
{
	const struct frx_block_hdr *bh;
	enum load_result res;
	uint64_t data_end, found;
	struct stat st;

	*hdr = NULL;
	*payload = NULL;
	if (r->end_seen) {
		*hdr = (const struct frx_block_hdr *)r->buf;
		*payload = r->buf + sizeof(struct frx_block_hdr);
		return FRX_READ_EOF;
	}
	if (fstat(r->fd, &st) != 0)
		return FRX_READ_ERROR;
	data_end = (uint64_t)st.st_size;
	for (;;) {
		uint64_t at = r->offset;

		if (r->offset >= data_end)
			return FRX_READ_AGAIN;
		res = block_load(r, r->offset, data_end);
		if (res == LOAD_ERROR)
			return FRX_READ_ERROR;
		if (res != LOAD_OK) {
			/* Corruption with good data after it is skipped; with nothing
			 * good after it, it is a tail still being written (or torn by a
			 * crash): stay put and let a later call retry. */
			res = reader_resync(r, r->offset, data_end, &found);
			if (res == LOAD_ERROR)
				return FRX_READ_ERROR;
			if (res != LOAD_OK)
				return FRX_READ_TORN;
			r->skipped_blocks++;
			r->skipped_bytes += found - r->offset;
			r->offset = found;
			at = found;
		}

		bh = (const struct frx_block_hdr *)r->buf;
		r->offset += sizeof(*bh) + bh->payload_len;
		if (bh->type == FRX_BLOCK_FLOWS_PACKED) {
			int rc = reader_unpack(r);

			if (rc == -ENOMEM) {
				r->offset = at;
				errno = ENOMEM;
				return FRX_READ_ERROR;
			}
			if (rc != 0) {
				r->skipped_blocks++;
				r->skipped_bytes += r->offset - at;
				continue;
			}
			*hdr = &r->unpacked->hdr;
			*payload = r->unpacked->recs;
			return FRX_READ_BLOCK;
		}
		*hdr = bh;
		*payload = r->buf + sizeof(*bh);
		if (bh->type == FRX_BLOCK_END) {
			r->end_seen = true;
			return FRX_READ_EOF;
		}
		return FRX_READ_BLOCK;
	}
}

void
frx_ffile_skipped(const struct frx_ffile_reader *r, uint64_t *blocks, uint64_t *bytes)
{
	if (blocks != NULL)
		*blocks = r->skipped_blocks;
	if (bytes != NULL)
		*bytes = r->skipped_bytes;
}

uint64_t
frx_ffile_offset(const struct frx_ffile_reader *r)
{
	return r->offset;
}

void
frx_ffile_close(struct frx_ffile_reader *r)
{
	if (r == NULL)
		return;
	close(r->fd);
	free(r->buf);
	free(r->scan);
	free(r->unpacked);
	free(r);
}

/* ------------------------------------------------------------------ listing */

struct list_entry {
	uint64_t created_ns;
	char *path;
	const char *name; /* inside path */
};

static bool
is_flow_file_name(const char *name)
{
	size_t len = strlen(name);
	size_t plen = sizeof(FRX_FILE_PREFIX) - 1, slen = sizeof(FRX_FILE_SUFFIX) - 1;

	return len > plen + slen && memcmp(name, FRX_FILE_PREFIX, plen) == 0 &&
	       memcmp(name + len - slen, FRX_FILE_SUFFIX, slen) == 0;
}

static int
list_entry_cmp(const void *a, const void *b)
{
	const struct list_entry *ea = a, *eb = b;

	if (ea->created_ns != eb->created_ns)
		return ea->created_ns < eb->created_ns ? -1 : 1;
	return strcmp(ea->name, eb->name);
}

/* Errors that say nothing about one file but about the process: give up. */
static bool
is_fatal_errno(int err)
{
	return err == ENOMEM || err == EMFILE || err == ENFILE;
}

int
frx_ffile_list_dir(const char *dir, char ***paths)
{
	struct list_entry *ents = NULL;
	size_t nents = 0, cap = 0, dlen;
	struct dirent *de;
	char **out;
	DIR *d;
	int rc = 0;

	*paths = NULL;
	d = opendir(dir);
	if (d == NULL)
		return -errno;
	dlen = strlen(dir);
	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	if (dlen == 1 && dir[0] == '/')
		dlen = 0;

	for (;;) {
		struct frx_file_header fh;
		struct stat st;
		char *path;
		int fd, hrc;

		errno = 0;
		de = readdir(d);
		if (de == NULL) {
			if (errno != 0)
				rc = -errno;
			break;
		}
		if (!is_flow_file_name(de->d_name))
			continue;
		if (de->d_type != DT_REG && de->d_type != DT_LNK && de->d_type != DT_UNKNOWN)
			continue;
		if (nents == INT_MAX)
			break;
		path = malloc(dlen + 1 + strlen(de->d_name) + 1);
		if (path == NULL) {
			rc = -ENOMEM;
			break;
		}
		memcpy(path, dir, dlen);
		path[dlen] = '/';
		strcpy(path + dlen + 1, de->d_name);

		/* O_NONBLOCK: a FIFO with a flow-file name must not hang us */
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0) {
			int err = errno;

			free(path);
			if (is_fatal_errno(err)) {
				rc = -err;
				break;
			}
			continue; /* vanished or unreadable */
		}
		if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
			close(fd);
			free(path);
			continue;
		}
		hrc = read_file_header(fd, &fh);
		close(fd);
		if (hrc < 0) {
			free(path);
			if (is_fatal_errno(-hrc)) {
				rc = hrc;
				break;
			}
			continue; /* not a flow file after all */
		}

		if (nents == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct list_entry *n = realloc(ents, ncap * sizeof(*ents));

			if (n == NULL) {
				free(path);
				rc = -ENOMEM;
				break;
			}
			ents = n;
			cap = ncap;
		}
		ents[nents].created_ns = fh.created_ns;
		ents[nents].path = path;
		ents[nents].name = path + dlen + 1;
		nents++;
	}
	closedir(d);

	if (rc == 0 && nents > 0) {
		qsort(ents, nents, sizeof(*ents), list_entry_cmp);
		out = malloc(nents * sizeof(*out));
		if (out == NULL) {
			rc = -ENOMEM;
		} else {
			for (size_t i = 0; i < nents; i++)
				out[i] = ents[i].path;
			*paths = out;
			free(ents);
			return (int)nents;
		}
	}
	for (size_t i = 0; i < nents; i++)
		free(ents[i].path);
	free(ents);
	return rc;
}

void
frx_ffile_list_free(char **paths, int n)
{
	if (paths == NULL)
		return;
	for (int i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}
