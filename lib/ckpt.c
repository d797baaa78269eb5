/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shipper checkpoints (lib/ckpt.h): text "key value" lines, replaced by
 * write-then-rename with fsync on both the file and its directory.
 */
#include "ckpt.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAGIC_LINE "flowrx-ship checkpoint"

/* FNV-1a, 64 bits, over each part in turn: small, stable, well mixed for short keys. */
static uint64_t
fnv1a(uint64_t h, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

uint64_t
frx_ckpt_batch_id(uint32_t collector, const char *file_name, uint64_t created_ns, uint64_t first_offset)
{
	uint64_t h = 0xcbf29ce484222325ull;
	uint8_t le[8];

	for (int i = 0; i < 4; i++)
		le[i] = (uint8_t)(collector >> (8 * i));
	h = fnv1a(h, le, 4);
	h = fnv1a(h, file_name, strlen(file_name) + 1); /* the NUL separates name from what follows */
	for (int i = 0; i < 8; i++)
		le[i] = (uint8_t)(created_ns >> (8 * i));
	h = fnv1a(h, le, 8);
	for (int i = 0; i < 8; i++)
		le[i] = (uint8_t)(first_offset >> (8 * i));
	h = fnv1a(h, le, 8);
	/* Final avalanche (splitmix64's) so that nearby offsets differ in every bit. */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	h ^= h >> 31;
	return h;
}

static int
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
fsync_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash == NULL ? strdup(".") : slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
	int fd, rc = 0;

	if (dir == NULL)
		return -ENOMEM;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return -errno;
	if (fsync(fd) != 0)
		rc = -errno;
	close(fd);
	return rc;
}

int
frx_ckpt_save(const char *path, const struct frx_ckpt *ck)
{
	char buf[1024], *tmp;
	size_t tlen = strlen(path) + 8;
	int len, fd, rc;

	len = snprintf(buf, sizeof(buf),
		       MAGIC_LINE " %d\nfile %s\ncreated_ns %" PRIu64 "\noffset %" PRIu64 "\npending %d\n"
		       "batch_id %" PRIu64 "\nbatch_first %" PRIu64 "\nbatch_end %" PRIu64
		       "\nflow_rows %" PRIu64 "\nstats_rows %" PRIu64 "\n",
		       FRX_CKPT_VERSION, ck->pos.name[0] ? ck->pos.name : "-", ck->pos.created_ns,
		       ck->pos.offset, ck->pending ? 1 : 0, ck->batch_id, ck->batch_first, ck->batch_end,
		       ck->flow_rows, ck->stats_rows);
	if (len < 0 || (size_t)len >= sizeof(buf))
		return -ENAMETOOLONG;
	tmp = malloc(tlen);
	if (tmp == NULL)
		return -ENOMEM;
	snprintf(tmp, tlen, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = -errno;
		free(tmp);
		return rc;
	}
	rc = write_all(fd, buf, (size_t)len);
	if (rc == 0 && fsync(fd) != 0)
		rc = -errno;
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	if (rc == 0)
		rc = fsync_dir_of(path);
	return rc;
}

enum { K_FILE, K_CREATED, K_OFFSET, K_PENDING, K_ID, K_FIRST, K_END, K_FROWS, K_SROWS, K_MAX };

static const char *const keys[K_MAX] = {
	[K_FILE] = "file", [K_CREATED] = "created_ns", [K_OFFSET] = "offset",
	[K_PENDING] = "pending", [K_ID] = "batch_id", [K_FIRST] = "batch_first",
	[K_END] = "batch_end", [K_FROWS] = "flow_rows", [K_SROWS] = "stats_rows",
};

static int
parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -EINVAL;
	return 0;
}

int
frx_ckpt_load(const char *path, struct frx_ckpt *ck, unsigned int *line)
{
	char buf[1024];
	unsigned int seen = 0, n = 0;
	FILE *fp = fopen(path, "re");
	int version = 0;

	*line = 0;
	memset(ck, 0, sizeof(*ck));
	if (fp == NULL)
		return -errno;
	while (fgets(buf, sizeof(buf), fp) != NULL) {
		char *sp, *val;
		size_t len = strlen(buf);
		uint64_t v = 0;
		int k;

		n++;
		if (len == 0 || buf[len - 1] != '\n')
			goto bad; /* a line too long, or a cut file */
		buf[len - 1] = '\0';
		if (n == 1) {
			if (sscanf(buf, MAGIC_LINE " %d", &version) != 1 || version != FRX_CKPT_VERSION)
				goto bad;
			continue;
		}
		sp = strchr(buf, ' ');
		if (sp == NULL)
			goto bad;
		*sp = '\0';
		val = sp + 1;
		for (k = 0; k < K_MAX; k++)
			if (strcmp(buf, keys[k]) == 0)
				break;
		if (k == K_MAX || (seen & (1u << k)))
			goto bad;
		seen |= 1u << k;
		if (k == K_FILE) {
			if (strlen(val) >= sizeof(ck->pos.name) || strchr(val, '/') != NULL || val[0] == '\0')
				goto bad;
			if (strcmp(val, "-") != 0)
				strcpy(ck->pos.name, val);
			continue;
		}
		if (parse_u64(val, &v) != 0)
			goto bad;
		switch (k) {
		case K_CREATED: ck->pos.created_ns = v; break;
		case K_OFFSET: ck->pos.offset = v; break;
		case K_PENDING:
			if (v > 1)
				goto bad;
			ck->pending = v == 1;
			break;
		case K_ID: ck->batch_id = v; break;
		case K_FIRST: ck->batch_first = v; break;
		case K_END: ck->batch_end = v; break;
		case K_FROWS: ck->flow_rows = v; break;
		default: ck->stats_rows = v; break;
		}
	}
	fclose(fp);
	if (n == 0 || seen != (1u << K_MAX) - 1) {
		*line = 0;
		return -EINVAL;
	}
	if (ck->pending && (ck->batch_end <= ck->batch_first || ck->batch_first < ck->pos.offset)) {
		*line = 0;
		return -EINVAL;
	}
	return 0;
bad:
	fclose(fp);
	*line = n;
	return -EINVAL;
}
