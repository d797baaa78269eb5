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

static int
put_batch(char *buf, size_t size, const char *key, const struct frx_ckpt_batch *b)
{
	return snprintf(buf, size, "%s %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", key, b->id,
			b->first, b->end, b->flow_rows, b->stats_rows);
}

int
frx_ckpt_save(const char *path, const struct frx_ckpt *ck)
{
	char buf[2048], *tmp;
	size_t tlen = strlen(path) + 8, len;
	int n, fd, rc;

	if (ck->npending > FRX_CKPT_MAX_PENDING)
		return -EINVAL;
	n = snprintf(buf, sizeof(buf), MAGIC_LINE " %d\nfile %s\ncreated_ns %" PRIu64 "\noffset %" PRIu64 "\n",
		     FRX_CKPT_VERSION, ck->pos.name[0] ? ck->pos.name : "-", ck->pos.created_ns, ck->pos.offset);
	len = (size_t)n;
	if (ck->has_last)
		len += (size_t)put_batch(buf + len, sizeof(buf) - len, "last", &ck->last);
	else
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "last -\n");
	len += (size_t)snprintf(buf + len, sizeof(buf) - len, "pending %u\n", ck->npending);
	for (unsigned int i = 0; i < ck->npending; i++)
		len += (size_t)put_batch(buf + len, sizeof(buf) - len, "batch", &ck->pending[i]);
	if (len >= sizeof(buf))
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
	rc = write_all(fd, buf, len);
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

/* "KEY VALUE": the value if the key matches, else NULL. */
static char *
value_of(char *line, const char *key)
{
	size_t klen = strlen(key);

	if (strncmp(line, key, klen) != 0 || line[klen] != ' ')
		return NULL;
	return line + klen + 1;
}

/* Five numbers separated by single spaces. */
static int
parse_batch(char *text, struct frx_ckpt_batch *b)
{
	uint64_t *fields[5] = { &b->id, &b->first, &b->end, &b->flow_rows, &b->stats_rows };

	for (int i = 0; i < 5; i++) {
		char *sp = strchr(text, ' ');

		if ((sp == NULL) != (i == 4))
			return -EINVAL;
		if (sp != NULL)
			*sp = '\0';
		if (parse_u64(text, fields[i]) != 0)
			return -EINVAL;
		text = sp + 1;
	}
	return b->end > b->first ? 0 : -EINVAL;
}

int
frx_ckpt_load(const char *path, struct frx_ckpt *ck, unsigned int *line)
{
	char buf[1024], *val;
	unsigned int n = 0, want_lines = 6;
	FILE *fp = fopen(path, "re");
	int version = 0;
	uint64_t v;

	*line = 0;
	memset(ck, 0, sizeof(*ck));
	if (fp == NULL)
		return -errno;
	/* The lines come in a fixed order: each is checked as it is read. */
	while (n < want_lines && fgets(buf, sizeof(buf), fp) != NULL) {
		size_t len = strlen(buf);

		n++;
		if (len == 0 || buf[len - 1] != '\n')
			goto bad; /* a line too long, or a cut file */
		buf[len - 1] = '\0';
		switch (n) {
		case 1:
			if (sscanf(buf, MAGIC_LINE " %d", &version) != 1 || version != FRX_CKPT_VERSION)
				goto bad;
			break;
		case 2:
			val = value_of(buf, "file");
			if (val == NULL || val[0] == '\0' || strlen(val) >= sizeof(ck->pos.name) ||
			    strchr(val, '/') != NULL)
				goto bad;
			if (strcmp(val, "-") != 0)
				strcpy(ck->pos.name, val);
			break;
		case 3:
			if ((val = value_of(buf, "created_ns")) == NULL || parse_u64(val, &ck->pos.created_ns) != 0)
				goto bad;
			break;
		case 4:
			if ((val = value_of(buf, "offset")) == NULL || parse_u64(val, &ck->pos.offset) != 0)
				goto bad;
			break;
		case 5:
			if ((val = value_of(buf, "last")) == NULL)
				goto bad;
			if (strcmp(val, "-") != 0) {
				if (parse_batch(val, &ck->last) != 0)
					goto bad;
				ck->has_last = true;
			}
			break;
		case 6:
			if ((val = value_of(buf, "pending")) == NULL || parse_u64(val, &v) != 0 ||
			    v > FRX_CKPT_MAX_PENDING)
				goto bad;
			ck->npending = (unsigned int)v;
			want_lines += ck->npending;
			break;
		default: {
			struct frx_ckpt_batch *b = &ck->pending[n - 7];
			uint64_t start = n == 7 ? ck->pos.offset : ck->pending[n - 8].end;

			if ((val = value_of(buf, "batch")) == NULL || parse_batch(val, b) != 0 || b->first != start)
				goto bad;
			break;
		}
		}
	}
	if (n < want_lines) {
		fclose(fp);
		*line = 0;
		return -EINVAL;
	}
	if (fgets(buf, sizeof(buf), fp) != NULL) {
		n++;
		goto bad; /* something after the last line */
	}
	fclose(fp);
	if (ck->npending > 0 && ck->pos.name[0] == '\0')
		return -EINVAL;
	return 0;
bad:
	fclose(fp);
	*line = n;
	return -EINVAL;
}
