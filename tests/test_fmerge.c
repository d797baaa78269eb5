/* SPDX-License-Identifier: BSD-3-Clause */
/* Merging sources of flow files: time order, sequential order, file skipping by window, damage as events. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flowfiles.h"
#include "fmerge.h"

static char tmpdir[64];

static void
setup(void)
{
	ff_tmpdir(tmpdir, sizeof(tmpdir), "fmerge");
}

static void
teardown(void)
{
	ff_remove_tree(tmpdir);
}

TestSuite(fmerge, .init = setup, .fini = teardown);

static char *
subdir(const char *name)
{
	char *p = malloc(PATH_MAX);

	cr_assert_not_null(p);
	snprintf(p, PATH_MAX, "%s/%s", tmpdir, name);
	return p;
}

/* One file in its own directory with a block per start time (3 records, tags tag0...). */
static char *
file_of_blocks(const char *name, const uint64_t *starts, int n, uint16_t tag0)
{
	char *dir = subdir(name), *path;
	struct frx_ffile_writer *w = ff_writer(dir, 0);

	for (int i = 0; i < n; i++)
		ff_append_tags(w, FF_T0 + starts[i], FF_T0 + starts[i] + 50, (uint16_t)(tag0 + 10 * i), 3);
	path = ff_close(w);
	free(dir);
	return path;
}

/* Every event until DONE: "s<source>:<min_first - T0>" for blocks, a word for the others. */
static void
drain_events(struct frx_fmerge *m, char *out, size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	for (int guard = 0; guard < 10000; guard++) {
		struct frx_fmerge_event ev;

		frx_fmerge_next(m, &ev);
		switch (ev.type) {
		case FRX_FMERGE_DONE:
			return;
		case FRX_FMERGE_BLOCK:
			if (ev.hdr->type == FRX_BLOCK_FLOWS)
				len += (size_t)snprintf(out + len, size - len, "%ss%u:%llu", len ? " " : "", ev.source,
							(unsigned long long)(ev.hdr->min_first_ms - FF_T0));
			else if (ev.hdr->type != FRX_BLOCK_END)
				len += (size_t)snprintf(out + len, size - len, "%ss%u:type%u", len ? " " : "", ev.source,
							ev.hdr->type);
			break;
		case FRX_FMERGE_OPEN_ERROR:
			len += (size_t)snprintf(out + len, size - len, "%sopen-error(%d)", len ? " " : "", ev.err);
			break;
		case FRX_FMERGE_CORRUPT:
			len += (size_t)snprintf(out + len, size - len, "%scorrupt", len ? " " : "");
			break;
		case FRX_FMERGE_TORN:
			len += (size_t)snprintf(out + len, size - len, "%storn", len ? " " : "");
			break;
		default:
			len += (size_t)snprintf(out + len, size - len, "%sread-error", len ? " " : "");
			break;
		}
	}
	cr_assert_fail("no DONE");
}

static struct frx_fmerge *
merger(bool sequential, const struct frx_twin *twin)
{
	struct frx_fmerge_conf conf = { .sequential = sequential, .twin = twin };
	struct frx_fmerge *m = frx_fmerge_create(&conf);

	cr_assert_not_null(m);
	return m;
}

static void
add(struct frx_fmerge *m, char *const *paths, unsigned int n)
{
	cr_assert_eq(frx_fmerge_add(m, (const char *const *)paths, n), 0);
}

Test(fmerge, one_source_in_file_order)
{
	static const uint64_t starts[] = { 100, 50, 300 }; /* not sorted: one source is never reordered */
	char *a = file_of_blocks("a", starts, 3, 0);
	struct frx_fmerge *m = merger(false, NULL);
	struct frx_fmerge_event ev;
	char got[512];

	add(m, &a, 1);
	drain_events(m, got, sizeof(got));
	cr_expect_str_eq(got, "s0:100 s0:50 s0:300");
	frx_fmerge_next(m, &ev);
	cr_expect_eq(ev.type, FRX_FMERGE_DONE, "DONE again");
	frx_fmerge_free(m);
	free(a);
}

Test(fmerge, two_sources_interleave_by_earliest_flow_start)
{
	static const uint64_t sa[] = { 100, 300, 500 }, sb[] = { 200, 400, 600, 700 };
	char *a = file_of_blocks("a", sa, 3, 0), *b = file_of_blocks("b", sb, 4, 1000);
	struct frx_fmerge *m = merger(false, NULL);
	char got[512];

	add(m, &a, 1);
	add(m, &b, 1);
	drain_events(m, got, sizeof(got));
	cr_expect_str_eq(got, "s0:100 s1:200 s0:300 s1:400 s0:500 s1:600 s1:700");
	frx_fmerge_free(m);
	free(a);
	free(b);
}

Test(fmerge, ties_go_to_the_source_added_first)
{
	static const uint64_t s[] = { 100, 200 };
	char *a = file_of_blocks("a", s, 2, 0), *b = file_of_blocks("b", s, 2, 1000);
	struct frx_fmerge *m = merger(false, NULL);
	char got[512];

	add(m, &b, 1);
	add(m, &a, 1);
	drain_events(m, got, sizeof(got));
	cr_expect_str_eq(got, "s0:100 s1:100 s0:200 s1:200");
	frx_fmerge_free(m);
	free(a);
	free(b);
}

Test(fmerge, blocks_handed_out_stay_valid_while_others_wait)
{
	static const uint64_t sa[] = { 100, 300 }, sb[] = { 200, 400 };
	char *a = file_of_blocks("a", sa, 2, 0), *b = file_of_blocks("b", sb, 2, 1000);
	struct frx_fmerge *m = merger(false, NULL);
	uint16_t expect[] = { 0, 1000, 10, 1010 };

	add(m, &a, 1);
	add(m, &b, 1);
	for (int i = 0; i < 4; i++) {
		struct frx_fmerge_event ev;
		const struct frx_flowrec *recs;

		frx_fmerge_next(m, &ev);
		cr_assert_eq(ev.type, FRX_FMERGE_BLOCK);
		recs = ev.payload;
		cr_expect_eq(ev.hdr->record_count, 3);
		for (int k = 0; k < 3; k++)
			cr_expect_eq(recs[k].src_port, expect[i] + k, "block %d record %d", i, k);
	}
	frx_fmerge_free(m);
	free(a);
	free(b);
}

Test(fmerge, sequential_reads_sources_one_after_the_other)
{
	static const uint64_t sa[] = { 100, 300 }, sb[] = { 50, 200 };
	char *a = file_of_blocks("a", sa, 2, 0), *b = file_of_blocks("b", sb, 2, 1000);
	struct frx_fmerge *m = merger(true, NULL);
	char got[512];

	add(m, &a, 1);
	add(m, &b, 1);
	drain_events(m, got, sizeof(got));
	cr_expect_str_eq(got, "s0:100 s0:300 s1:50 s1:200");
	frx_fmerge_free(m);
	free(a);
	free(b);
}

Test(fmerge, files_of_a_source_follow_each_other_in_the_merge)
{
	static const uint64_t a1[] = { 100, 200 }, a2[] = { 500, 600 }, b1[] = { 150, 550 };
	char *a[2] = { file_of_blocks("a1", a1, 2, 0), file_of_blocks("a2", a2, 2, 100) };
	char *b = file_of_blocks("b", b1, 2, 1000);
	struct frx_fmerge *m = merger(false, NULL);
	struct frx_fmerge_counts counts;
	char got[512];

	add(m, a, 2);
	add(m, &b, 1);
	drain_events(m, got, sizeof(got));
	cr_expect_str_eq(got, "s0:100 s1:150 s0:200 s0:500 s1:550 s0:600");
	frx_fmerge_counts(m, &counts);
	cr_expect_eq(counts.files_read, 3);
	cr_expect_eq(counts.files_skipped, 0);
	frx_fmerge_free(m);
	free(a[0]);
	free(a[1]);
	free(b);
}

Test(fmerge, other_blocks_come_out_before_the_records_that_follow_them)
{
	static const uint64_t sa[] = { 10, 20 };
	char *a = file_of_blocks("a", sa, 2, 0), *dir = subdir("b"), *b;
	struct frx_ffile_writer *w = ff_writer(dir, 0);
	struct frx_block_hdr hdr;
	struct frx_fmerge *m = merger(false, NULL);
	char got[512];

	/* source b: interface names, then records starting later than a's */
	memset(&hdr, 0, sizeof(hdr));
	frx_block_seal_raw(&hdr, FRX_BLOCK_IFNAMES, 0, 0);
	cr_assert_eq(frx_ffile_writer_append_raw(w, &hdr), 0);
	ff_append_tags(w, FF_T0 + 500, FF_T0 + 600, 1000, 2);
	b = ff_close(w);
	add(m, &a, 1);
	add(m, &b, 1);
	drain_events(m, got, sizeof(got));
	cr_expect_str_eq(got, "s1:type4 s0:10 s0:20 s1:500");
	frx_fmerge_free(m);
	free(a);
	free(b);
	free(dir);
}

Test(fmerge, empty_sources_are_fine)
{
	static const uint64_t sa[] = { 10 };
	char *a = file_of_blocks("a", sa, 1, 0);
	struct frx_fmerge *m = merger(false, NULL);
	char got[512];

	add(m, NULL, 0);
	add(m, &a, 1);
	add(m, NULL, 0);
	drain_events(m, got, sizeof(got));
	cr_expect_str_eq(got, "s1:10");
	frx_fmerge_free(m);
	free(a);
}

Test(fmerge, end_block_gives_a_closed_files_range)
{
	static const uint64_t s[] = { 300, 100, 200 };
	char *a = file_of_blocks("a", s, 3, 0);
	uint64_t lo = 0, hi = 0, n = 0;

	cr_assert_eq(frx_fmerge_file_range(a, &lo, &hi, &n), 0);
	cr_expect_eq(lo, FF_T0 + 100);
	cr_expect_eq(hi, FF_T0 + 350);
	cr_expect_eq(n, 9);
	ff_drop_end(a);
	cr_expect_eq(frx_fmerge_file_range(a, &lo, &hi, &n), -ENOENT, "no END: unknown");
	cr_expect_eq(frx_fmerge_file_range("/nonexistent/x.frx", &lo, &hi, &n), -ENOENT);
	free(a);
}

Test(fmerge, range_of_something_else_is_unknown)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/junk.frx", tmpdir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	for (int i = 0; i < 100; i++)
		fputs("not a flow file at all ", f);
	fclose(f);
	uint64_t lo, hi, n;

	cr_expect_eq(frx_fmerge_file_range(path, &lo, &hi, &n), -ENOENT);
}

Test(fmerge, window_skips_closed_files_outside_it_and_reads_open_ones)
{
	static const uint64_t early[] = { 0, 1000 }, mid[] = { 10000, 11000 }, late[] = { 50000 };
	char *files[4] = { file_of_blocks("1", early, 2, 0), file_of_blocks("2", mid, 2, 100),
			   file_of_blocks("3", late, 1, 200), file_of_blocks("4", late, 1, 300) };
	struct frx_twin tw = { FF_T0 + 9000, FF_T0 + 20000 };
	struct frx_fmerge *m = merger(false, &tw);
	struct frx_fmerge_counts counts;
	char got[512];

	ff_drop_end(files[3]); /* a file being written: its range is unknown */
	add(m, files, 4);
	drain_events(m, got, sizeof(got));
	cr_expect_str_eq(got, "s0:10000 s0:11000 s0:50000");
	frx_fmerge_counts(m, &counts);
	cr_expect_eq(counts.files_read, 2);
	cr_expect_eq(counts.files_skipped, 2);
	frx_fmerge_free(m);
	for (int i = 0; i < 4; i++)
		free(files[i]);
}

Test(fmerge, window_skips_files_without_records)
{
	char *dir = subdir("empty"), *path;
	struct frx_ffile_writer *w = ff_writer(dir, 0);
	struct frx_twin tw = { 0, UINT64_MAX };
	struct frx_fmerge *m = merger(false, &tw);
	struct frx_fmerge_counts counts;
	char got[64];

	path = ff_close(w);
	add(m, &path, 1);
	drain_events(m, got, sizeof(got));
	cr_expect_str_eq(got, "");
	frx_fmerge_counts(m, &counts);
	cr_expect_eq(counts.files_skipped, 1);
	frx_fmerge_free(m);
	free(path);
	free(dir);
}

Test(fmerge, without_window_every_file_is_read)
{
	static const uint64_t early[] = { 0 };
	char *a = file_of_blocks("a", early, 1, 0);
	struct frx_fmerge *m = merger(false, NULL);
	struct frx_fmerge_counts counts;
	char got[64];

	add(m, &a, 1);
	drain_events(m, got, sizeof(got));
	cr_expect_str_eq(got, "s0:0");
	frx_fmerge_counts(m, &counts);
	cr_expect_eq(counts.files_read, 1);
	frx_fmerge_free(m);
	free(a);
}

Test(fmerge, open_errors_are_events_and_reading_goes_on)
{
	static const uint64_t s[] = { 10 };
	char *files[2] = { subdir("missing.frx"), file_of_blocks("a", s, 1, 0) };
	struct frx_fmerge *m = merger(false, NULL);
	char got[512], expect[64];

	add(m, files, 2);
	drain_events(m, got, sizeof(got));
	snprintf(expect, sizeof(expect), "open-error(%d) s0:10", ENOENT);
	cr_expect_str_eq(got, expect);
	frx_fmerge_free(m);
	free(files[0]);
	free(files[1]);
}

Test(fmerge, corrupt_block_is_an_event_between_the_good_ones)
{
	static const uint64_t s[] = { 10, 20, 30 };
	char *a = file_of_blocks("a", s, 3, 0);
	struct frx_fmerge *m = merger(false, NULL);
	off_t second_payload = FRX_FILE_HEADER_SIZE + FRX_BLOCK_HEADER_SIZE + 3 * sizeof(struct frx_flowrec) +
			       FRX_BLOCK_HEADER_SIZE + 20;
	char got[512];
	int fd = open(a, O_WRONLY);

	cr_assert(fd >= 0);
	cr_assert_eq(pwrite(fd, "X", 1, second_payload), 1);
	close(fd);
	add(m, &a, 1);
	drain_events(m, got, sizeof(got));
	cr_expect_str_eq(got, "s0:10 corrupt s0:30");
	frx_fmerge_free(m);
	free(a);
}

Test(fmerge, torn_tail_is_an_event_and_the_next_file_follows)
{
	static const uint64_t s[] = { 10, 20 }, t[] = { 40 };
	char *files[2] = { file_of_blocks("a", s, 2, 0), file_of_blocks("b", t, 1, 100) };
	struct frx_fmerge *m = merger(false, NULL);
	struct stat st;
	char got[512];

	/* crash in the middle of the second block: END gone, half a block left */
	ff_drop_end(files[0]);
	cr_assert_eq(stat(files[0], &st), 0);
	cr_assert_eq(truncate(files[0], st.st_size - 100), 0);
	add(m, files, 2);
	drain_events(m, got, sizeof(got));
	cr_expect_str_eq(got, "s0:10 torn s0:40");
	frx_fmerge_free(m);
	free(files[0]);
	free(files[1]);
}
