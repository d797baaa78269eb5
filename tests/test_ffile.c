/* SPDX-License-Identifier: BSD-3-Clause */
/* Flow files: writer -> reader round trips, live files, torn and corrupt data, rotation. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crc32c.h"
#include "ffile.h"
#include "recpack.h"
#include "flowrec.h"

#define NS_PER_SEC 1000000000ull
#define BLOCK_BYTES(n) (FRX_BLOCK_HEADER_SIZE + (n) * sizeof(struct frx_flowrec))
#define END_BYTES (FRX_BLOCK_HEADER_SIZE + sizeof(struct frx_end_payload))

static char tmpdir[64];

static void
remove_tree(const char *dir)
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
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			remove_tree(path);
		else
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static void
setup(void)
{
	strcpy(tmpdir, "/tmp/frx-test-ffile-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
}

static void
teardown(void)
{
	remove_tree(tmpdir);
}

TestSuite(ffile, .init = setup, .fini = teardown);

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* Record number seq, every field distinct and derived from seq. */
static void
fill_rec(struct frx_flowrec *r, uint32_t seq)
{
	uint8_t v4[4] = { 10, (uint8_t)(seq >> 16), (uint8_t)(seq >> 8), (uint8_t)seq };
	uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (uint8_t)(seq >> 8),
			   (uint8_t)seq };

	memset(r, 0, sizeof(*r));
	r->first_ms = 1700000000000ull + seq * 10ull;
	r->last_ms = r->first_ms + 5 + seq % 7;
	r->packets = seq + 1;
	r->bytes = (seq + 1) * 100ull;
	frx_addr_set_v4(r->src_addr, v4);
	v4[0] = 192;
	frx_addr_set_v4(r->dst_addr, v4);
	if (seq % 3 == 0) { /* some IPv6 flows */
		memcpy(r->src_addr, v6, 16);
		v6[3] = 0xb9;
		memcpy(r->dst_addr, v6, 16);
		r->flags |= FRX_REC_F_IPV6;
	}
	v4[0] = 172;
	frx_addr_set_v4(r->next_hop, v4);
	v4[0] = 198;
	frx_addr_set_v4(r->exporter_addr, v4);
	r->src_as = 64500 + seq;
	r->dst_as = 64600 + seq;
	r->in_if = seq % 10;
	r->out_if = seq % 11;
	r->domain = seq * 3;
	r->sampling_interval = seq % 2 ? 1000 : 0;
	r->src_port = (uint16_t)(1024 + seq);
	r->dst_port = (uint16_t)(seq % 2 ? 443 : 53);
	r->exporter_port = 2055;
	r->class_id = (uint16_t)(seq % 5);
	r->proto = seq % 2 ? 6 : 17;
	r->tos = (uint8_t)(seq % 64);
	r->tcp_flags = (uint8_t)seq;
	r->src_mask = 24;
	r->dst_mask = 16;
	r->version = 5;
	r->engine_type = 1;
	r->engine_id = (uint8_t)(seq % 4);
	r->sampling_mode = 1;
}

static void
assert_rec(const struct frx_flowrec *got, uint32_t seq)
{
	struct frx_flowrec want;

	fill_rec(&want, seq);
	cr_assert_eq(got->first_ms, want.first_ms, "record %u first_ms", seq);
	cr_assert_eq(got->last_ms, want.last_ms, "record %u last_ms", seq);
	cr_assert_eq(got->packets, want.packets, "record %u packets", seq);
	cr_assert_eq(got->bytes, want.bytes, "record %u bytes", seq);
	cr_assert_arr_eq(got->src_addr, want.src_addr, 16, "record %u src_addr", seq);
	cr_assert_arr_eq(got->dst_addr, want.dst_addr, 16, "record %u dst_addr", seq);
	cr_assert_arr_eq(got->next_hop, want.next_hop, 16, "record %u next_hop", seq);
	cr_assert_arr_eq(got->exporter_addr, want.exporter_addr, 16, "record %u exporter_addr", seq);
	cr_assert_eq(got->src_as, want.src_as, "record %u src_as", seq);
	cr_assert_eq(got->dst_as, want.dst_as, "record %u dst_as", seq);
	cr_assert_eq(got->in_if, want.in_if, "record %u in_if", seq);
	cr_assert_eq(got->out_if, want.out_if, "record %u out_if", seq);
	cr_assert_eq(got->domain, want.domain, "record %u domain", seq);
	cr_assert_eq(got->sampling_interval, want.sampling_interval, "record %u sampling", seq);
	cr_assert_eq(got->src_port, want.src_port, "record %u src_port", seq);
	cr_assert_eq(got->dst_port, want.dst_port, "record %u dst_port", seq);
	cr_assert_eq(got->exporter_port, want.exporter_port, "record %u exporter_port", seq);
	cr_assert_eq(got->class_id, want.class_id, "record %u class_id", seq);
	cr_assert_eq(got->proto, want.proto, "record %u proto", seq);
	cr_assert_eq(got->tos, want.tos, "record %u tos", seq);
	cr_assert_eq(got->tcp_flags, want.tcp_flags, "record %u tcp_flags", seq);
	cr_assert_eq(got->src_mask, want.src_mask, "record %u src_mask", seq);
	cr_assert_eq(got->dst_mask, want.dst_mask, "record %u dst_mask", seq);
	cr_assert_eq(got->version, want.version, "record %u version", seq);
	cr_assert_eq(got->engine_type, want.engine_type, "record %u engine_type", seq);
	cr_assert_eq(got->engine_id, want.engine_id, "record %u engine_id", seq);
	cr_assert_eq(got->sampling_mode, want.sampling_mode, "record %u sampling_mode", seq);
	cr_assert_eq(got->flags, want.flags, "record %u flags", seq);
	cr_assert_eq(memcmp(got, &want, sizeof(want)), 0, "record %u bytes differ", seq);
}

static struct frx_block *
block_new(void)
{
	struct frx_block *blk = calloc(1, sizeof(*blk));

	cr_assert_not_null(blk);
	return blk;
}

/* Fill blk with records first_seq .. first_seq+n-1 and seal it. */
static void
build_block(struct frx_block *blk, uint32_t first_seq, uint32_t n)
{
	memset(&blk->hdr, 0, sizeof(blk->hdr));
	for (uint32_t i = 0; i < n; i++)
		fill_rec(&blk->recs[i], first_seq + i);
	blk->hdr.record_count = n;
	frx_block_seal(blk);
}

/* Most tests here check the block layer byte by byte (offsets, torn
 * tails, resync), so they write full records, whose sizes they know;
 * the packed_* tests set this to 0. */
static int full_records = 1;

static struct frx_ffile_writer *
writer_open(const char *dir, uint32_t rotate_seconds)
{
	struct frx_ffile_writer_conf conf = {
		.dir = dir,
		.rotate_seconds = rotate_seconds,
		.collector_id = 7,
		.full_records = full_records,
	};
	struct frx_ffile_writer *w = frx_ffile_writer_open(&conf);

	cr_assert_not_null(w, "writer_open(%s): %s", dir, strerror(errno));
	return w;
}

static void
append_block(struct frx_ffile_writer *w, uint32_t first_seq, uint32_t n)
{
	struct frx_block *blk = block_new();
	int rc;

	build_block(blk, first_seq, n);
	rc = frx_ffile_writer_append(w, blk);
	cr_assert_eq(rc, 0, "append: %s", strerror(-rc));
	free(blk);
}

/*
 * Write a closed file with blocks of the given sizes (records numbered from
 * 0 across blocks) into tmpdir; its path goes to path.
 */
static void
write_file(const uint32_t *sizes, int nblocks, char *path, size_t size)
{
	struct frx_ffile_writer *w = writer_open(tmpdir, 0);
	uint32_t seq = 0;

	snprintf(path, size, "%s", frx_ffile_writer_path(w));
	for (int i = 0; i < nblocks; i++) {
		append_block(w, seq, sizes[i]);
		seq += sizes[i];
	}
	cr_assert_eq(frx_ffile_writer_close(w), 0);
}

static struct frx_ffile_reader *
reader_open(const char *path)
{
	struct frx_ffile_reader *r = frx_ffile_open(path);

	cr_assert_not_null(r, "open %s: %s", path, strerror(errno));
	return r;
}

/* Expect a FLOWS block with records seq .. seq+n-1. */
static void
expect_block(struct frx_ffile_reader *r, uint32_t seq, uint32_t n)
{
	const struct frx_block_hdr *hdr;
	const void *payload;
	enum frx_read_status st = frx_ffile_next(r, &hdr, &payload);

	cr_assert_eq(st, FRX_READ_BLOCK, "expected block of records %u.., got status %d", seq, st);
	cr_assert_eq(hdr->type, FRX_BLOCK_FLOWS);
	cr_assert_eq(hdr->record_count, n, "record_count %u, want %u", hdr->record_count, n);
	for (uint32_t i = 0; i < n; i++)
		assert_rec((const struct frx_flowrec *)payload + i, seq + i);
}

static void
expect_status(struct frx_ffile_reader *r, enum frx_read_status want)
{
	const struct frx_block_hdr *hdr;
	const void *payload;
	enum frx_read_status st = frx_ffile_next(r, &hdr, &payload);

	cr_assert_eq(st, want, "status %d, want %d", st, want);
}

static uint64_t
file_size(const char *path)
{
	struct stat st;

	cr_assert_eq(stat(path, &st), 0);
	return (uint64_t)st.st_size;
}

static void
xor_byte(const char *path, uint64_t offset, uint8_t mask)
{
	int fd = open(path, O_RDWR);
	uint8_t b;

	cr_assert_geq(fd, 0);
	cr_assert_eq(pread(fd, &b, 1, (off_t)offset), 1);
	b ^= mask;
	cr_assert_eq(pwrite(fd, &b, 1, (off_t)offset), 1);
	close(fd);
}

static void *
read_whole(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	void *buf;

	cr_assert_not_null(f);
	*len = file_size(path);
	buf = malloc(*len ? *len : 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, *len, f), *len);
	fclose(f);
	return buf;
}

static void
write_whole(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f);
	cr_assert_eq(fwrite(buf, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

/* ------------------------------------------------------------------ blocks */

Test(ffile, seal_fills_header_and_crc)
{
	struct frx_block *blk = block_new();
	uint32_t crc;

	build_block(blk, 40, 3);
	cr_assert_eq(blk->hdr.magic, FRX_BLOCK_MAGIC);
	cr_assert_eq(blk->hdr.type, FRX_BLOCK_FLOWS);
	cr_assert_eq(blk->hdr.flags, 0);
	cr_assert_eq(blk->hdr.payload_len, 3 * sizeof(struct frx_flowrec));
	cr_assert_eq(blk->hdr.min_first_ms, blk->recs[0].first_ms);
	cr_assert_eq(blk->hdr.max_last_ms, blk->recs[2].last_ms > blk->recs[1].last_ms ?
						   blk->recs[2].last_ms : blk->recs[1].last_ms);
	crc = frx_crc32c(0, &blk->hdr, 36);
	crc = frx_crc32c(crc, blk->recs, blk->hdr.payload_len);
	cr_assert_eq(blk->hdr.crc, crc);

	build_block(blk, 0, 0);
	cr_assert_eq(blk->hdr.payload_len, 0);
	cr_assert_eq(blk->hdr.min_first_ms, 0);
	cr_assert_eq(blk->hdr.max_last_ms, 0);
	free(blk);
}

Test(ffile, seal_clamps_record_count_to_block)
{
	struct frx_block *blk = block_new();

	blk->hdr.record_count = FRX_BLOCK_RECORDS + 5;
	frx_block_seal(blk);
	cr_assert_eq(blk->hdr.record_count, FRX_BLOCK_RECORDS);
	cr_assert_eq(blk->hdr.payload_len, FRX_BLOCK_RECORDS * sizeof(struct frx_flowrec));
	free(blk);
}

/* ------------------------------------------------------------------ round trip */

static void
round_trip(int full)
{
	static const uint32_t sizes[] = { 1, 7, FRX_BLOCK_RECORDS, 0, 2 };
	const struct frx_file_header *fh;
	const struct frx_block_hdr *hdr;
	const struct frx_end_payload *end;
	const void *payload;
	struct frx_ffile_reader *r;
	char path[PATH_MAX], host[256] = "";
	uint64_t files, blocks, records, before = now_ns();
	struct frx_ffile_writer *w;
	uint32_t seq = 0;

	full_records = full;
	w = writer_open(tmpdir, 0);
	snprintf(path, sizeof(path), "%s", frx_ffile_writer_path(w));
	for (unsigned int i = 0; i < 5; i++) {
		append_block(w, seq, sizes[i]);
		seq += sizes[i];
	}
	frx_ffile_writer_totals(w, &files, &blocks, &records);
	cr_assert_eq(files, 1);
	cr_assert_eq(blocks, 5);
	cr_assert_eq(records, seq);
	cr_assert_eq(frx_ffile_writer_close(w), 0);

	r = reader_open(path);
	fh = frx_ffile_header(r);
	cr_assert_eq(memcmp(fh->magic, FRX_FILE_MAGIC, 8), 0);
	cr_assert_eq(fh->format_version, full ? FRX_FILE_FORMAT_VERSION_FULL : FRX_FILE_FORMAT_VERSION);
	cr_assert_eq(fh->header_size, FRX_FILE_HEADER_SIZE);
	cr_assert_eq(fh->record_layout, FRX_FLOWREC_LAYOUT);
	cr_assert_eq(fh->record_size, sizeof(struct frx_flowrec));
	cr_assert_geq(fh->created_ns, before);
	cr_assert_leq(fh->created_ns, now_ns());
	cr_assert_eq(fh->collector_id, 7);
	cr_assert_eq(fh->writer_pid, (uint32_t)getpid());
	cr_assert_eq(fh->file_seq, 0);
	cr_assert_eq(strncmp(fh->writer, "flowrx ", 7), 0, "writer '%.32s'", fh->writer);
	gethostname(host, sizeof(host));
	cr_assert_eq(strncmp(fh->hostname, host, 47), 0);
	cr_assert_eq(frx_ffile_offset(r), FRX_FILE_HEADER_SIZE);

	seq = 0;
	for (unsigned int i = 0; i < 5; i++) {
		expect_block(r, seq, sizes[i]);
		seq += sizes[i];
	}
	cr_assert_eq(frx_ffile_next(r, &hdr, &payload), FRX_READ_EOF);
	cr_assert_not_null(hdr);
	cr_assert_eq(hdr->type, FRX_BLOCK_END);
	end = payload;
	cr_assert_eq(end->flow_blocks, 5);
	cr_assert_eq(end->flow_records, seq);
	cr_assert_geq(end->closed_ns, fh->created_ns);
	cr_assert_eq(hdr->min_first_ms, 1700000000000ull);
	/* EOF is sticky and the position is the end of the file */
	cr_assert_eq(frx_ffile_next(r, &hdr, &payload), FRX_READ_EOF);
	cr_assert_eq(frx_ffile_offset(r), file_size(path));
	frx_ffile_close(r);
}

Test(ffile, round_trip_preserves_every_record)
{
	round_trip(1);
}

Test(ffile, packed_round_trip_preserves_every_record)
{
	round_trip(0);
}

Test(ffile, file_name_is_utc_start_of_interval)
{
	struct frx_ffile_writer *w;
	char want[64];
	struct tm tm;
	time_t sec;
	uint64_t t0 = now_ns();
	const char *name;

	w = writer_open(tmpdir, 300);
	name = strrchr(frx_ffile_writer_path(w), '/') + 1;
	sec = (time_t)(t0 / NS_PER_SEC / 300 * 300);
	gmtime_r(&sec, &tm);
	strftime(want, sizeof(want), "flowrx.%Y%m%d-%H%M%S.frx", &tm);
	/* (a 5-minute boundary between t0 and the open would move the name) */
	if (strcmp(name, want) != 0) {
		sec += 300;
		gmtime_r(&sec, &tm);
		strftime(want, sizeof(want), "flowrx.%Y%m%d-%H%M%S.frx", &tm);
	}
	cr_assert_str_eq(name, want);
	cr_assert_eq(frx_ffile_writer_close(w), 0);
}

Test(ffile, name_taken_gets_numbered_suffix)
{
	struct frx_ffile_writer *w1 = writer_open(tmpdir, 86400);
	struct frx_ffile_writer *w2 = writer_open(tmpdir, 86400);
	const char *p1 = frx_ffile_writer_path(w1), *p2 = frx_ffile_writer_path(w2);
	size_t len1 = strlen(p1);
	char **paths;
	int n;

	/* flowrx.YYYYMMDD-000000.frx and flowrx.YYYYMMDD-000000.1.frx */
	cr_assert_str_eq(p1 + len1 - 4, ".frx");
	cr_assert_eq(strlen(p2), len1 + 2, "%s vs %s", p1, p2);
	cr_assert_eq(strncmp(p1, p2, len1 - 4), 0);
	cr_assert_str_eq(p2 + len1 - 4, ".1.frx");
	cr_assert_eq(frx_ffile_writer_close(w1), 0);
	cr_assert_eq(frx_ffile_writer_close(w2), 0);

	n = frx_ffile_list_dir(tmpdir, &paths);
	cr_assert_eq(n, 2);
	frx_ffile_list_free(paths, n);
}

Test(ffile, writer_creates_missing_directories)
{
	char dir[PATH_MAX];
	struct frx_ffile_writer *w;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/a/b/c", tmpdir);
	w = writer_open(dir, 0);
	cr_assert_eq(stat(dir, &st), 0);
	cr_assert(S_ISDIR(st.st_mode));
	cr_assert_eq(strncmp(frx_ffile_writer_path(w), dir, strlen(dir)), 0);
	cr_assert_eq(frx_ffile_writer_close(w), 0);
}

Test(ffile, writer_open_fails_with_errno)
{
	struct frx_ffile_writer_conf conf = { .dir = "/proc/frx-no-such-dir" };
	char file[PATH_MAX];

	cr_assert_null(frx_ffile_writer_open(&conf));
	cr_assert_neq(errno, 0);

	/* a regular file where the directory should be */
	snprintf(file, sizeof(file), "%s/plain", tmpdir);
	write_whole(file, "x", 1);
	conf.dir = file;
	cr_assert_null(frx_ffile_writer_open(&conf));
	cr_assert_eq(errno, ENOTDIR);

	conf.dir = NULL;
	cr_assert_null(frx_ffile_writer_open(&conf));
	cr_assert_eq(errno, EINVAL);
}

Test(ffile, append_rejects_inconsistent_blocks)
{
	struct frx_ffile_writer *w = writer_open(tmpdir, 0);
	struct frx_block *blk = block_new();
	uint64_t blocks;

	build_block(blk, 0, 2);
	blk->hdr.payload_len += 1;
	cr_assert_eq(frx_ffile_writer_append(w, blk), -EINVAL);
	build_block(blk, 0, 2);
	blk->hdr.magic = 0;
	cr_assert_eq(frx_ffile_writer_append(w, blk), -EINVAL);
	/* only the writer writes END blocks */
	build_block(blk, 0, 0);
	blk->hdr.type = FRX_BLOCK_END;
	cr_assert_eq(frx_ffile_writer_append_raw(w, &blk->hdr), -EINVAL);
	frx_ffile_writer_totals(w, NULL, &blocks, NULL);
	cr_assert_eq(blocks, 0);
	cr_assert_eq(frx_ffile_writer_close(w), 0);
	free(blk);
}

Test(ffile, raw_block_of_other_type_is_handed_out)
{
	struct {
		struct frx_block_hdr hdr;
		char payload[13];
	} raw;
	struct frx_ffile_writer *w = writer_open(tmpdir, 0);
	const struct frx_block_hdr *hdr;
	const void *payload;
	struct frx_ffile_reader *r;
	char path[PATH_MAX];

	_Static_assert(sizeof(raw) == FRX_BLOCK_HEADER_SIZE + 16, "no padding before payload");
	memset(&raw, 0, sizeof(raw));
	memcpy(raw.payload, "stats go here", 13);
	raw.hdr.magic = FRX_BLOCK_MAGIC;
	raw.hdr.type = FRX_BLOCK_STATS;
	raw.hdr.payload_len = 13;
	raw.hdr.crc = frx_crc32c(frx_crc32c(0, &raw.hdr, 36), raw.payload, 13);
	snprintf(path, sizeof(path), "%s", frx_ffile_writer_path(w));
	cr_assert_eq(frx_ffile_writer_append_raw(w, &raw.hdr), 0);
	append_block(w, 0, 3);
	cr_assert_eq(frx_ffile_writer_close(w), 0);

	r = reader_open(path);
	cr_assert_eq(frx_ffile_next(r, &hdr, &payload), FRX_READ_BLOCK);
	cr_assert_eq(hdr->type, FRX_BLOCK_STATS);
	cr_assert_eq(hdr->payload_len, 13);
	cr_assert_eq(memcmp(payload, "stats go here", 13), 0);
	expect_block(r, 0, 3);
	expect_status(r, FRX_READ_EOF);
	frx_ffile_close(r);
}

Test(ffile, fsync_every_block_still_round_trips)
{
	struct frx_ffile_writer_conf conf = { .dir = tmpdir, .fsync_every_blocks = 1 };
	struct frx_ffile_writer *w = frx_ffile_writer_open(&conf);
	struct frx_ffile_reader *r;
	char path[PATH_MAX];

	cr_assert_not_null(w);
	snprintf(path, sizeof(path), "%s", frx_ffile_writer_path(w));
	append_block(w, 0, 4);
	append_block(w, 4, 4);
	cr_assert_eq(frx_ffile_writer_close(w), 0);
	r = reader_open(path);
	expect_block(r, 0, 4);
	expect_block(r, 4, 4);
	expect_status(r, FRX_READ_EOF);
	frx_ffile_close(r);
}

/* ------------------------------------------------------------------ live and cut files */

Test(ffile, live_file_shows_blocks_as_they_are_appended)
{
	struct frx_ffile_writer *w = writer_open(tmpdir, 0);
	struct frx_ffile_reader *r;

	r = reader_open(frx_ffile_writer_path(w));
	expect_status(r, FRX_READ_AGAIN);
	append_block(w, 0, 5);
	expect_block(r, 0, 5);
	expect_status(r, FRX_READ_AGAIN);
	expect_status(r, FRX_READ_AGAIN);
	append_block(w, 5, 2);
	append_block(w, 7, 1);
	expect_block(r, 5, 2);
	expect_block(r, 7, 1);
	expect_status(r, FRX_READ_AGAIN);
	cr_assert_eq(frx_ffile_writer_close(w), 0);
	expect_status(r, FRX_READ_EOF);
	frx_ffile_close(r);
}

Test(ffile, file_without_end_block_ends_with_again)
{
	static const uint32_t sizes[] = { 3, 4 };
	struct frx_ffile_reader *r;
	char path[PATH_MAX];

	write_file(sizes, 2, path, sizeof(path));
	/* as if the collector had died right after the second block */
	cr_assert_eq(truncate(path, (off_t)(file_size(path) - END_BYTES)), 0);
	r = reader_open(path);
	expect_block(r, 0, 3);
	expect_block(r, 3, 4);
	expect_status(r, FRX_READ_AGAIN);
	expect_status(r, FRX_READ_AGAIN);
	frx_ffile_close(r);
}

Test(ffile, torn_tail_is_reported_and_retried_in_place)
{
	static const uint32_t sizes[] = { 3, 4, 5 };
	struct frx_ffile_reader *r;
	char path[PATH_MAX];
	uint64_t third = FRX_FILE_HEADER_SIZE + BLOCK_BYTES(3) + BLOCK_BYTES(4), skipped, bytes;
	size_t len;
	void *whole;

	write_file(sizes, 3, path, sizeof(path));
	whole = read_whole(path, &len);
	/* cut in the middle of the third block's payload */
	cr_assert_eq(truncate(path, (off_t)(third + FRX_BLOCK_HEADER_SIZE + 100)), 0);
	r = reader_open(path);
	expect_block(r, 0, 3);
	expect_block(r, 3, 4);
	expect_status(r, FRX_READ_TORN);
	cr_assert_eq(frx_ffile_offset(r), third);
	expect_status(r, FRX_READ_TORN);
	cr_assert_eq(frx_ffile_offset(r), third);
	frx_ffile_skipped(r, &skipped, &bytes);
	cr_assert_eq(skipped, 0);
	cr_assert_eq(bytes, 0);

	/* cut inside the block header: still torn */
	cr_assert_eq(truncate(path, (off_t)(third + 10)), 0);
	expect_status(r, FRX_READ_TORN);
	cr_assert_eq(frx_ffile_offset(r), third);

	/* the writer finishes the block: the same reader now gets it */
	write_whole(path, whole, len);
	expect_block(r, 7, 5);
	expect_status(r, FRX_READ_EOF);
	frx_ffile_close(r);
	free(whole);
}

/* Every prefix of a file reads as: all complete blocks, then the right status. */
Test(ffile, every_truncation_point_keeps_complete_blocks)
{
	static const uint32_t sizes[] = { 1, 2, 1 };
	uint64_t ends[4];
	char path[PATH_MAX], cut[PATH_MAX];
	size_t len;
	uint8_t *whole;

	write_file(sizes, 3, path, sizeof(path));
	whole = read_whole(path, &len);
	ends[0] = FRX_FILE_HEADER_SIZE + BLOCK_BYTES(1);
	ends[1] = ends[0] + BLOCK_BYTES(2);
	ends[2] = ends[1] + BLOCK_BYTES(1);
	ends[3] = ends[2] + END_BYTES;
	cr_assert_eq(len, ends[3]);
	snprintf(cut, sizeof(cut), "%s/cut", tmpdir);

	for (size_t l = 0; l <= len; l++) {
		struct frx_ffile_reader *r;
		const struct frx_block_hdr *hdr;
		const void *payload;
		enum frx_read_status st, want;
		int complete = 0, got = 0;

		write_whole(cut, whole, l);
		r = frx_ffile_open(cut);
		if (l < FRX_FILE_HEADER_SIZE) {
			cr_assert_null(r, "prefix %zu opened", l);
			cr_assert_eq(errno, EINVAL);
			continue;
		}
		cr_assert_not_null(r, "prefix %zu", l);
		while (complete < 3 && ends[complete] <= l)
			complete++;
		while ((st = frx_ffile_next(r, &hdr, &payload)) == FRX_READ_BLOCK) {
			cr_assert_lt(got, 3, "prefix %zu: too many blocks", l);
			got++;
		}
		if (l == len)
			want = FRX_READ_EOF;
		else if (l == FRX_FILE_HEADER_SIZE || l == ends[0] || l == ends[1] || l == ends[2])
			want = FRX_READ_AGAIN;
		else
			want = FRX_READ_TORN;
		cr_assert_eq(got, complete, "prefix %zu: %d blocks, want %d", l, got, complete);
		cr_assert_eq(st, want, "prefix %zu: status %d, want %d", l, st, want);
		frx_ffile_close(r);
	}
	free(whole);
}

/* ------------------------------------------------------------------ corruption */

static void
check_middle_corruption(uint64_t offset_in_block, uint8_t mask)
{
	static const uint32_t sizes[] = { 3, 4, 5 };
	struct frx_ffile_reader *r;
	char path[PATH_MAX];
	uint64_t second = FRX_FILE_HEADER_SIZE + BLOCK_BYTES(3), skipped, bytes;

	write_file(sizes, 3, path, sizeof(path));
	xor_byte(path, second + offset_in_block, mask);
	r = reader_open(path);
	expect_block(r, 0, 3);
	expect_block(r, 7, 5);
	expect_status(r, FRX_READ_EOF);
	frx_ffile_skipped(r, &skipped, &bytes);
	cr_assert_eq(skipped, 1);
	cr_assert_eq(bytes, BLOCK_BYTES(4));
	frx_ffile_close(r);
	unlink(path);
}

Test(ffile, corrupt_payload_byte_skips_only_that_block)
{
	check_middle_corruption(FRX_BLOCK_HEADER_SIZE + 200, 0x01);
}

Test(ffile, corrupt_block_magic_skips_only_that_block)
{
	check_middle_corruption(0, 0xff);
}

Test(ffile, corrupt_block_length_skips_only_that_block)
{
	/* payload_len (offset 12): high byte makes it absurd, low byte inconsistent */
	check_middle_corruption(15, 0x80);
	check_middle_corruption(12, 0x04);
	/* record_count */
	check_middle_corruption(8, 0x01);
}

Test(ffile, corrupt_crc_skips_only_that_block)
{
	check_middle_corruption(36, 0x10);
}

Test(ffile, corrupt_last_block_before_end_is_skipped)
{
	static const uint32_t sizes[] = { 3, 4 };
	struct frx_ffile_reader *r;
	char path[PATH_MAX];

	write_file(sizes, 2, path, sizeof(path));
	xor_byte(path, FRX_FILE_HEADER_SIZE + BLOCK_BYTES(3) + 60, 0x40);
	r = reader_open(path);
	expect_block(r, 0, 3);
	/* the END block after it verifies, so this is corruption, not a torn tail */
	expect_status(r, FRX_READ_EOF);
	frx_ffile_close(r);
}

Test(ffile, garbage_between_blocks_is_skipped)
{
	static const uint32_t sizes[] = { 2, 3 };
	char path[PATH_MAX];
	uint8_t *whole, *mangled;
	uint64_t cut = FRX_FILE_HEADER_SIZE + BLOCK_BYTES(2), skipped, bytes;
	struct frx_ffile_reader *r;
	size_t len;

	write_file(sizes, 2, path, sizeof(path));
	whole = read_whole(path, &len);
	/* 100 bytes of junk, including two false magics, between the blocks */
	mangled = malloc(len + 100);
	cr_assert_not_null(mangled);
	memcpy(mangled, whole, cut);
	memset(mangled + cut, 0xa5, 100);
	memcpy(mangled + cut + 10, "FRXB", 4);
	memcpy(mangled + cut + 97, "FRX", 3); /* runs into the real magic */
	memcpy(mangled + cut + 100, whole + cut, len - cut);
	write_whole(path, mangled, len + 100);

	r = reader_open(path);
	expect_block(r, 0, 2);
	expect_block(r, 2, 3);
	expect_status(r, FRX_READ_EOF);
	frx_ffile_skipped(r, &skipped, &bytes);
	cr_assert_eq(skipped, 1);
	cr_assert_eq(bytes, 100);
	frx_ffile_close(r);
	free(whole);
	free(mangled);
}

/* A FLOWS block whose length disagrees with its record count is corrupt
 * even when its CRC matches: records would be read past the payload. */
Test(ffile, flows_block_with_inconsistent_length_is_skipped)
{
	static const uint32_t sizes[] = { 2 };
	struct {
		struct frx_block_hdr hdr;
		struct frx_flowrec recs[3];
	} bad;
	char path[PATH_MAX];
	uint8_t *whole, *mangled;
	uint64_t skipped, bytes;
	struct frx_ffile_reader *r;
	size_t len;

	write_file(sizes, 1, path, sizeof(path));
	whole = read_whole(path, &len);
	memset(&bad, 0, sizeof(bad));
	for (uint32_t i = 0; i < 3; i++)
		fill_rec(&bad.recs[i], 100 + i);
	bad.hdr.magic = FRX_BLOCK_MAGIC;
	bad.hdr.type = FRX_BLOCK_FLOWS;
	bad.hdr.record_count = 2;
	bad.hdr.payload_len = sizeof(bad.recs);
	bad.hdr.crc = frx_crc32c(frx_crc32c(0, &bad.hdr, 36), bad.recs, sizeof(bad.recs));
	mangled = malloc(len + sizeof(bad));
	cr_assert_not_null(mangled);
	memcpy(mangled, whole, FRX_FILE_HEADER_SIZE);
	memcpy(mangled + FRX_FILE_HEADER_SIZE, &bad, sizeof(bad));
	memcpy(mangled + FRX_FILE_HEADER_SIZE + sizeof(bad), whole + FRX_FILE_HEADER_SIZE,
	       len - FRX_FILE_HEADER_SIZE);
	write_whole(path, mangled, len + sizeof(bad));

	r = reader_open(path);
	expect_block(r, 0, 2);
	expect_status(r, FRX_READ_EOF);
	frx_ffile_skipped(r, &skipped, &bytes);
	cr_assert_eq(skipped, 1);
	cr_assert_eq(bytes, sizeof(bad));
	frx_ffile_close(r);
	free(whole);
	free(mangled);
}

/* The resync scan reads the file in windows (256 KiB in lib/ffile.c): a
 * magic cut in two by a window edge must still be found. */
Test(ffile, resync_finds_blocks_across_scan_windows)
{
	static const uint32_t sizes[] = { 2 };
	const size_t window = 256 << 10;
	char path[PATH_MAX];
	uint8_t *whole, *mangled;
	struct frx_ffile_reader *r;
	uint64_t skipped, bytes;
	size_t len;

	write_file(sizes, 1, path, sizeof(path));
	whole = read_whole(path, &len);
	mangled = malloc(len + window + 16);
	cr_assert_not_null(mangled);
	/* the scan starts one byte into the garbage, at offset 129 */
	for (size_t garbage = window - 6; garbage <= window + 2; garbage++) {
		memcpy(mangled, whole, FRX_FILE_HEADER_SIZE);
		memset(mangled + FRX_FILE_HEADER_SIZE, 0x5a, garbage);
		memcpy(mangled + FRX_FILE_HEADER_SIZE + garbage, whole + FRX_FILE_HEADER_SIZE,
		       len - FRX_FILE_HEADER_SIZE);
		write_whole(path, mangled, len + garbage);
		r = reader_open(path);
		expect_block(r, 0, 2);
		expect_status(r, FRX_READ_EOF);
		frx_ffile_skipped(r, &skipped, &bytes);
		cr_assert_eq(skipped, 1, "garbage %zu", garbage);
		cr_assert_eq(bytes, garbage);
		frx_ffile_close(r);
	}
	free(whole);
	free(mangled);
}

Test(ffile, corrupt_header_fails_open_with_einval)
{
	static const uint32_t sizes[] = { 1 };
	struct frx_file_header fh;
	char path[PATH_MAX];
	int fd;

	write_file(sizes, 1, path, sizeof(path));
	frx_ffile_close(reader_open(path));

	/* any flipped bit in the checked bytes */
	for (uint64_t off = 0; off < FRX_FILE_HEADER_SIZE; off += 13) {
		xor_byte(path, off, 0x04);
		errno = 0;
		cr_assert_null(frx_ffile_open(path), "flip at %lu accepted", (unsigned long)off);
		cr_assert_eq(errno, EINVAL);
		xor_byte(path, off, 0x04);
	}

	/* a well-formed header of another record size or layout */
	fd = open(path, O_RDWR);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pread(fd, &fh, sizeof(fh), 0), (ssize_t)sizeof(fh));
	fh.record_size = sizeof(struct frx_flowrec) + 16;
	fh.crc = frx_crc32c(0, &fh, 124);
	cr_assert_eq(pwrite(fd, &fh, sizeof(fh), 0), (ssize_t)sizeof(fh));
	cr_assert_null(frx_ffile_open(path));
	cr_assert_eq(errno, EINVAL);
	fh.record_size = sizeof(struct frx_flowrec);
	fh.record_layout = FRX_FLOWREC_LAYOUT + 1;
	fh.crc = frx_crc32c(0, &fh, 124);
	cr_assert_eq(pwrite(fd, &fh, sizeof(fh), 0), (ssize_t)sizeof(fh));
	cr_assert_null(frx_ffile_open(path));
	cr_assert_eq(errno, EINVAL);
	fh.record_layout = FRX_FLOWREC_LAYOUT;
	/* format 2 (packed, before the EXTRA8 and MORE bits) is still read */
	fh.format_version = FRX_FILE_FORMAT_VERSION_PACKED2;
	fh.crc = frx_crc32c(0, &fh, 124);
	cr_assert_eq(pwrite(fd, &fh, sizeof(fh), 0), (ssize_t)sizeof(fh));
	frx_ffile_close(reader_open(path));
	fh.format_version = FRX_FILE_FORMAT_VERSION + 1;
	fh.crc = frx_crc32c(0, &fh, 124);
	cr_assert_eq(pwrite(fd, &fh, sizeof(fh), 0), (ssize_t)sizeof(fh));
	cr_assert_null(frx_ffile_open(path));
	cr_assert_eq(errno, EINVAL);
	close(fd);

	errno = 0;
	snprintf(path, sizeof(path), "%s/none.frx", tmpdir);
	cr_assert_null(frx_ffile_open(path));
	cr_assert_eq(errno, ENOENT);
}

/* A tiny deterministic generator: tests must be repeatable. */
static uint64_t
xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Read to the end; never more blocks than could fit, never a hang. */
static void
read_bounded(const char *path, size_t len)
{
	struct frx_ffile_reader *r = frx_ffile_open(path);
	const struct frx_block_hdr *hdr;
	const void *payload;
	enum frx_read_status st;
	size_t calls = 0;

	if (r == NULL)
		return;
	while ((st = frx_ffile_next(r, &hdr, &payload)) == FRX_READ_BLOCK) {
		cr_assert_leq(frx_ffile_offset(r), len);
		cr_assert_leq(hdr->payload_len, FRX_BLOCK_MAX_PAYLOAD);
		if (hdr->type == FRX_BLOCK_FLOWS)
			cr_assert_eq(hdr->payload_len, hdr->record_count * sizeof(struct frx_flowrec));
		cr_assert_lt(++calls, len / FRX_BLOCK_HEADER_SIZE + 1, "too many blocks");
	}
	cr_assert(st == FRX_READ_EOF || st == FRX_READ_AGAIN || st == FRX_READ_TORN, "status %d", st);
	frx_ffile_close(r);
}

Test(ffile, random_damage_never_crashes_or_hangs)
{
	static const uint32_t sizes[] = { 2, 1, 3, 1 };
	char path[PATH_MAX], bad[PATH_MAX];
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	uint8_t *whole, *copy;
	size_t len;

	write_file(sizes, 4, path, sizeof(path));
	whole = read_whole(path, &len);
	copy = malloc(len);
	cr_assert_not_null(copy);
	snprintf(bad, sizeof(bad), "%s/bad", tmpdir);

	for (int iter = 0; iter < 400; iter++) {
		size_t l = len;
		int flips = 1 + (int)(xorshift(&seed) % 16);

		memcpy(copy, whole, len);
		for (int i = 0; i < flips; i++) {
			/* keep the file header intact, or open() just refuses */
			size_t at = FRX_FILE_HEADER_SIZE + xorshift(&seed) % (len - FRX_FILE_HEADER_SIZE);

			switch (xorshift(&seed) % 3) {
			case 0:
				copy[at] ^= (uint8_t)(1u << (xorshift(&seed) % 8));
				break;
			case 1: /* false block magics */
				if (at + 4 <= len)
					memcpy(copy + at, "FRXB", 4);
				break;
			default:
				copy[at] = (uint8_t)xorshift(&seed);
				break;
			}
		}
		if (iter % 2)
			l = FRX_FILE_HEADER_SIZE + xorshift(&seed) % (len - FRX_FILE_HEADER_SIZE + 1);
		write_whole(bad, copy, l);
		read_bounded(bad, l);
	}
	free(copy);
	free(whole);
}

Test(ffile, magic_laden_garbage_is_bounded)
{
	struct frx_ffile_writer *w = writer_open(tmpdir, 0);
	char path[PATH_MAX];
	size_t len = 64 << 10;
	uint8_t *junk = malloc(len);
	struct frx_block_hdr fake;
	int fd;

	cr_assert_not_null(junk);
	snprintf(path, sizeof(path), "%s", frx_ffile_writer_path(w));
	cr_assert_eq(frx_ffile_writer_close(w), 0);
	/* plausible headers everywhere, claiming payloads that overrun the file */
	memset(&fake, 0, sizeof(fake));
	fake.magic = FRX_BLOCK_MAGIC;
	fake.type = FRX_BLOCK_FLOWS;
	fake.record_count = 100;
	fake.payload_len = 100 * sizeof(struct frx_flowrec);
	for (size_t off = 0; off + sizeof(fake) <= len; off += sizeof(fake))
		memcpy(junk + off, &fake, sizeof(fake));
	/* replace the END block with the junk */
	cr_assert_eq(truncate(path, FRX_FILE_HEADER_SIZE), 0);
	fd = open(path, O_WRONLY | O_APPEND);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, junk, len), (ssize_t)len);
	close(fd);
	read_bounded(path, FRX_FILE_HEADER_SIZE + len);
	free(junk);
}

/* ------------------------------------------------------------------ rotation and listing */

/* Sleep to just after the start of a wall-clock second, so a 1 s interval
 * does not end while a test is appending. */
static void
align_to_second(void)
{
	uint64_t now = now_ns();
	uint64_t wait = NS_PER_SEC - now % NS_PER_SEC + 20 * 1000000ull;
	struct timespec ts = { .tv_sec = (time_t)(wait / NS_PER_SEC), .tv_nsec = (long)(wait % NS_PER_SEC) };

	nanosleep(&ts, NULL);
}

static uint32_t
read_file_records(const char *path, uint32_t seq, uint32_t per_block, int nblocks)
{
	struct frx_ffile_reader *r = reader_open(path);

	for (int i = 0; i < nblocks; i++) {
		expect_block(r, seq, per_block);
		seq += per_block;
	}
	expect_status(r, FRX_READ_EOF);
	frx_ffile_close(r);
	return seq;
}

Test(ffile, rotation_splits_blocks_across_files_without_loss)
{
	struct frx_ffile_writer *w;
	char first[PATH_MAX], second[PATH_MAX];
	uint64_t files, blocks, records, t;
	char **paths;
	uint32_t seq;
	int n;

	align_to_second();
	w = writer_open(tmpdir, 1);
	snprintf(first, sizeof(first), "%s", frx_ffile_writer_path(w));
	append_block(w, 0, 10);
	append_block(w, 10, 10);
	/* not due yet: nothing happens */
	cr_assert_eq(frx_ffile_writer_tick(w, now_ns()), 0);
	cr_assert_str_eq(frx_ffile_writer_path(w), first);

	t = now_ns() + NS_PER_SEC; /* past the boundary */
	cr_assert_eq(frx_ffile_writer_tick(w, t), 0);
	snprintf(second, sizeof(second), "%s", frx_ffile_writer_path(w));
	cr_assert_str_neq(first, second);
	append_block(w, 20, 10);
	append_block(w, 30, 10);
	append_block(w, 40, 10);
	frx_ffile_writer_totals(w, &files, &blocks, &records);
	cr_assert_eq(files, 2);
	cr_assert_eq(blocks, 5);
	cr_assert_eq(records, 50);
	cr_assert_eq(frx_ffile_writer_close(w), 0);

	n = frx_ffile_list_dir(tmpdir, &paths);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(paths[0], first);
	cr_assert_str_eq(paths[1], second);
	seq = read_file_records(paths[0], 0, 10, 2);
	seq = read_file_records(paths[1], seq, 10, 3);
	cr_assert_eq(seq, 50);
	{
		struct frx_ffile_reader *r = reader_open(paths[1]);

		cr_assert_eq(frx_ffile_header(r)->file_seq, 1);
		cr_assert_eq(frx_ffile_header(r)->rotate_seconds, 1);
		frx_ffile_close(r);
	}
	frx_ffile_list_free(paths, n);
}

Test(ffile, idle_writer_still_rotates_on_tick)
{
	struct frx_ffile_writer *w;
	struct frx_ffile_reader *r;
	uint64_t t;
	char **paths;
	int n;

	align_to_second();
	w = writer_open(tmpdir, 1);
	t = now_ns();
	cr_assert_eq(frx_ffile_writer_tick(w, t + NS_PER_SEC), 0);
	cr_assert_eq(frx_ffile_writer_tick(w, t + 2 * NS_PER_SEC), 0);
	cr_assert_eq(frx_ffile_writer_close(w), 0);

	n = frx_ffile_list_dir(tmpdir, &paths);
	cr_assert_eq(n, 3);
	for (int i = 0; i < n; i++) {
		r = reader_open(paths[i]);
		cr_assert_eq(frx_ffile_header(r)->file_seq, (uint32_t)i, "%s", paths[i]);
		expect_status(r, FRX_READ_EOF);
		frx_ffile_close(r);
	}
	frx_ffile_list_free(paths, n);
}

Test(ffile, list_dir_skips_other_and_broken_files)
{
	static const uint32_t sizes[] = { 1 };
	char path[PATH_MAX], other[PATH_MAX];
	char **paths;
	int n;

	write_file(sizes, 1, path, sizeof(path));
	snprintf(other, sizeof(other), "%s/notes.txt", tmpdir);
	write_whole(other, "hello", 5);
	snprintf(other, sizeof(other), "%s/flowrx.garbage.frx", tmpdir);
	write_whole(other, "not a flow file at all", 22);
	snprintf(other, sizeof(other), "%s/flowrx.subdir.frx", tmpdir);
	cr_assert_eq(mkdir(other, 0755), 0);
	snprintf(other, sizeof(other), "%s/flowrx..frx", tmpdir);
	write_whole(other, "", 0);

	n = frx_ffile_list_dir(tmpdir, &paths);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(paths[0], path);
	frx_ffile_list_free(paths, n);

	cr_assert_eq(frx_ffile_list_dir("/nonexistent-frx-dir", &paths), -ENOENT);
}

Test(ffile, list_dir_orders_by_creation_time_not_name)
{
	static const uint32_t sizes[] = { 1 };
	char a[PATH_MAX], b[PATH_MAX], renamed[PATH_MAX];
	char **paths;
	int n;

	write_file(sizes, 1, a, sizeof(a));
	write_file(sizes, 1, b, sizeof(b));
	/* give the older file the name that sorts last */
	snprintf(renamed, sizeof(renamed), "%s/flowrx.99999999-999999.frx", tmpdir);
	cr_assert_eq(rename(a, renamed), 0);
	n = frx_ffile_list_dir(tmpdir, &paths);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(paths[0], renamed);
	cr_assert_str_eq(paths[1], b);
	frx_ffile_list_free(paths, n);
}

Test(ffile, empty_dir_lists_nothing)
{
	char **paths = (char **)1;

	cr_assert_eq(frx_ffile_list_dir(tmpdir, &paths), 0);
	cr_assert_null(paths);
	frx_ffile_list_free(paths, 0);
}

/* A FLOWS_PACKED block whose CRC is right but whose records do not unpack
 * (a writer bug, or a forged block) is skipped like a corrupt one; the
 * blocks around it are read. */
Test(ffile, packed_block_that_does_not_unpack_is_skipped)
{
	struct {
		struct frx_block_hdr hdr;
		uint8_t payload[2 * FRX_RECPACK_MIN];
	} raw;
	struct frx_ffile_writer *w;
	struct frx_ffile_reader *r;
	char path[PATH_MAX];
	uint64_t skipped;

	full_records = 0;
	w = writer_open(tmpdir, 0);
	snprintf(path, sizeof(path), "%s", frx_ffile_writer_path(w));
	append_block(w, 0, 3);
	memset(raw.payload, 0x08, sizeof(raw.payload)); /* "same context" with none before */
	frx_block_seal_raw(&raw.hdr, FRX_BLOCK_FLOWS_PACKED, 2, sizeof(raw.payload));
	cr_assert_eq(frx_ffile_writer_append_raw(w, &raw.hdr), 0);
	append_block(w, 3, 4);
	cr_assert_eq(frx_ffile_writer_close(w), 0);

	r = reader_open(path);
	expect_block(r, 0, 3);
	expect_block(r, 3, 4);
	expect_status(r, FRX_READ_EOF);
	frx_ffile_skipped(r, &skipped, NULL);
	cr_assert_eq(skipped, 1);
	frx_ffile_close(r);
}

/* Blocks the worker packs and seals itself (frx_block_seal_stream) are
 * written as they are and read back as the same records and times; a
 * format-1 writer takes whole-record streams and refuses packed ones. */
static void
stream_round_trip(int full)
{
	static const uint32_t sizes[] = { 1, 700, 1400, 33 };
	struct frx_block *blk = block_new();
	struct frx_ffile_writer *w;
	struct frx_ffile_reader *r;
	char path[4096];
	uint32_t seq = 0;

	full_records = full;
	w = writer_open(tmpdir, 0);
	snprintf(path, sizeof(path), "%s", frx_ffile_writer_path(w));
	for (unsigned int b = 0; b < 4; b++) {
		struct frx_recpack_stream s;
		struct frx_flowrec recs[7];
		uint32_t left = sizes[b];

		frx_recpack_stream_init(&s, blk->payload, sizeof(blk->payload), FRX_BLOCK_RECORDS, full);
		while (left > 0) { /* a few records at a time, as bursts end */
			uint32_t n = left < 7 ? left : 7;

			for (uint32_t i = 0; i < n; i++)
				fill_rec(&recs[i], seq + sizes[b] - left + i);
			cr_assert_eq(frx_recpack_stream_add(&s, recs, n), n);
			left -= n;
		}
		frx_block_seal_stream(blk, &s);
		cr_assert_eq(blk->hdr.type, full ? FRX_BLOCK_FLOWS : FRX_BLOCK_FLOWS_PACKED);
		cr_assert_eq(frx_ffile_writer_append(w, blk), 0);
		seq += sizes[b];
	}
	if (!full) {
		struct frx_ffile_writer_conf conf = { .dir = tmpdir, .full_records = 1 };
		struct frx_ffile_writer *w1 = frx_ffile_writer_open(&conf);

		cr_assert_not_null(w1);
		cr_assert_eq(frx_ffile_writer_append(w1, blk), -EINVAL);
		blk->hdr.payload_len = sizeof(blk->payload) + 1;
		cr_assert_eq(frx_ffile_writer_append(w, blk), -EINVAL);
		cr_assert_eq(frx_ffile_writer_close(w1), 0);
	}
	cr_assert_eq(frx_ffile_writer_close(w), 0);
	r = reader_open(path);
	seq = 0;
	for (unsigned int b = 0; b < 4; b++) {
		expect_block(r, seq, sizes[b]);
		seq += sizes[b];
	}
	expect_status(r, FRX_READ_EOF);
	frx_ffile_close(r);
	free(blk);
}

Test(ffile, worker_packed_blocks_round_trip)
{
	stream_round_trip(0);
}

Test(ffile, worker_whole_record_blocks_round_trip)
{
	stream_round_trip(1);
}
