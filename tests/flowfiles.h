/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test helpers: flow files with chosen records, written by the real writer
 * (lib/ffile), for the reader tests (test_fmerge.c, test_reader.c).
 * Header-only; every function is static inline.
 */
#ifndef FRX_TEST_FLOWFILES_H
#define FRX_TEST_FLOWFILES_H

#include <criterion/criterion.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ffile.h"
#include "flowrec.h"

/* 2023-11-14 22:13:20 UTC */
#define FF_T0 1700000000000ull

static inline void
ff_remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char path[PATH_MAX];
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			ff_remove_tree(path);
		else
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* A record told apart by tag (its source port). */
static inline struct frx_flowrec
ff_rec(uint64_t first_ms, uint64_t last_ms, uint16_t tag)
{
	struct frx_flowrec r;
	uint8_t src[4] = { 10, 0, (uint8_t)(tag >> 8), (uint8_t)tag }, dst[4] = { 192, 0, 2, 80 };
	uint8_t exporter[4] = { 192, 0, 2, 1 };

	memset(&r, 0, sizeof(r));
	frx_addr_set_v4(r.src_addr, src);
	frx_addr_set_v4(r.dst_addr, dst);
	frx_addr_set_v4(r.exporter_addr, exporter);
	r.first_ms = first_ms;
	r.last_ms = last_ms;
	r.src_port = tag;
	r.dst_port = 443;
	r.proto = 6;
	r.packets = 10;
	r.bytes = 1000;
	r.flows = 1;
	r.version = 5;
	return r;
}

static inline struct frx_ffile_writer *
ff_writer(const char *dir, uint32_t rotate_seconds)
{
	struct frx_ffile_writer_conf conf = { .dir = dir, .rotate_seconds = rotate_seconds };
	struct frx_ffile_writer *w = frx_ffile_writer_open(&conf);

	cr_assert_not_null(w, "writer for %s", dir);
	return w;
}

/* Append one FLOWS block of n records. */
static inline void
ff_append(struct frx_ffile_writer *w, const struct frx_flowrec *recs, uint32_t n)
{
	struct frx_block *blk = calloc(1, sizeof(*blk));

	cr_assert_not_null(blk);
	cr_assert(n <= FRX_BLOCK_RECORDS);
	memcpy(blk->recs, recs, n * sizeof(*recs));
	blk->hdr.record_count = n;
	frx_block_seal(blk);
	cr_assert_eq(frx_ffile_writer_append(w, blk), 0);
	free(blk);
}

/* Append a FLOWS block of one record per tag, all with these times. */
static inline void
ff_append_tags(struct frx_ffile_writer *w, uint64_t first_ms, uint64_t last_ms, uint16_t tag0, uint32_t n)
{
	struct frx_flowrec recs[64];

	cr_assert(n <= 64);
	for (uint32_t i = 0; i < n; i++)
		recs[i] = ff_rec(first_ms, last_ms, (uint16_t)(tag0 + i));
	ff_append(w, recs, n);
}

/* Close the writer (END block); return the path of its file (malloc'd). */
static inline char *
ff_close(struct frx_ffile_writer *w)
{
	char *path = strdup(frx_ffile_writer_path(w));

	cr_assert_not_null(path);
	cr_assert_eq(frx_ffile_writer_close(w), 0);
	return path;
}

/* Cut a closed file's END block off, as a crash would leave it. */
static inline void
ff_drop_end(const char *path)
{
	struct stat st;

	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(truncate(path, st.st_size - (off_t)(FRX_BLOCK_HEADER_SIZE + sizeof(struct frx_end_payload))),
		     0);
}

/* A fresh temporary directory (path in buf). */
static inline void
ff_tmpdir(char *buf, size_t size, const char *what)
{
	snprintf(buf, size, "/tmp/frx-test-%s-XXXXXX", what);
	cr_assert_not_null(mkdtemp(buf));
}

#endif
