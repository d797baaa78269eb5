/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Directory follower: files oldest first, live growth, abandoned files, and
 * resuming from a saved position (replayed blocks, a file gone, a name
 * reused); the backlog count.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <time.h>

#include "ffollow.h"
#include "flowfiles.h"

static char dir[64];

static void
setup(void)
{
	ff_tmpdir(dir, sizeof(dir), "ffollow");
}

static void
teardown(void)
{
	ff_remove_tree(dir);
}

TestSuite(ffollow, .init = setup, .fini = teardown);

/* The next event that is not a block of a type other than FLOWS. */
static void
next_ev(struct frx_ffollow *f, struct frx_ffollow_event *ev)
{
	do
		frx_ffollow_next(f, ev);
	while (ev->type == FRX_FFOLLOW_BLOCK && ev->hdr->type != FRX_BLOCK_FLOWS);
}

static void
expect_block(struct frx_ffollow *f, const char *path, uint16_t first_tag, bool replay,
	     struct frx_ffollow_event *out)
{
	struct frx_ffollow_event ev;
	const struct frx_flowrec *recs;

	next_ev(f, &ev);
	cr_assert_eq(ev.type, FRX_FFOLLOW_BLOCK, "expected a block, got event %d", ev.type);
	cr_assert_str_eq(ev.path, path);
	recs = ev.payload;
	cr_assert_eq(recs[0].src_port, first_tag, "block of tag %u, expected %u", recs[0].src_port, first_tag);
	cr_assert_eq(ev.replay, replay, "replay flag");
	cr_assert_gt(ev.next_offset, ev.offset + FRX_BLOCK_HEADER_SIZE);
	if (out != NULL)
		*out = ev;
}

static void
expect_type(struct frx_ffollow *f, enum frx_ffollow_ev type)
{
	struct frx_ffollow_event ev;

	next_ev(f, &ev);
	cr_assert_eq(ev.type, type, "expected event %d, got %d", type, ev.type);
}

/* Two closed files: A (tags 1, 11), then B (tag 21). */
static void
two_files(char **a, char **b)
{
	struct frx_ffile_writer *w = ff_writer(dir, 0);

	ff_append_tags(w, FF_T0, FF_T0 + 10, 1, 5);
	ff_append_tags(w, FF_T0 + 20, FF_T0 + 30, 11, 5);
	*a = ff_close(w);
	w = ff_writer(dir, 0);
	ff_append_tags(w, FF_T0 + 40, FF_T0 + 50, 21, 3);
	*b = ff_close(w);
}

Test(ffollow, reads_files_oldest_first_and_says_when_each_is_done)
{
	char *a, *b;
	struct frx_ffollow *f;
	struct frx_ffollow_event ev;

	two_files(&a, &b);
	f = frx_ffollow_create(dir, NULL);
	cr_assert_not_null(f);
	expect_block(f, a, 1, false, &ev);
	cr_assert_eq(ev.offset, FRX_FILE_HEADER_SIZE);
	{
		uint64_t next = ev.next_offset;

		expect_block(f, a, 11, false, &ev);
		cr_assert_eq(ev.offset, next, "blocks follow each other");
	}
	next_ev(f, &ev);
	cr_assert_eq(ev.type, FRX_FFOLLOW_FILE_DONE);
	cr_assert_str_eq(ev.path, a);
	expect_block(f, b, 21, false, NULL);
	expect_type(f, FRX_FFOLLOW_FILE_DONE);
	expect_type(f, FRX_FFOLLOW_IDLE);
	expect_type(f, FRX_FFOLLOW_IDLE);
	frx_ffollow_free(f);
	free(a);
	free(b);
}

Test(ffollow, resume_replays_the_blocks_before_the_offset_then_goes_on)
{
	char *a, *b;
	struct frx_ffollow *f;
	struct frx_ffollow_event first;
	struct frx_ffollow_pos pos = { 0 };

	two_files(&a, &b);
	f = frx_ffollow_create(dir, NULL);
	expect_block(f, a, 1, false, &first);
	snprintf(pos.name, sizeof(pos.name), "%s", first.name);
	pos.created_ns = first.created_ns;
	pos.offset = first.next_offset;
	frx_ffollow_free(f);

	f = frx_ffollow_create(dir, &pos);
	cr_assert_not_null(f);
	expect_block(f, a, 1, true, NULL);
	expect_block(f, a, 11, false, NULL);
	expect_type(f, FRX_FFOLLOW_FILE_DONE);
	expect_block(f, b, 21, false, NULL);
	frx_ffollow_free(f);
	free(a);
	free(b);
}

Test(ffollow, resume_at_a_deleted_file_starts_at_the_first_file_after_it)
{
	char *a, *b;
	struct frx_ffollow *f;
	struct frx_ffollow_event ev;
	struct frx_ffollow_pos pos = { 0 };

	two_files(&a, &b);
	f = frx_ffollow_create(dir, NULL);
	expect_block(f, a, 1, false, &ev);
	snprintf(pos.name, sizeof(pos.name), "%s", ev.name);
	pos.created_ns = ev.created_ns;
	pos.offset = ev.next_offset;
	frx_ffollow_free(f);
	cr_assert_eq(unlink(a), 0); /* retention removed it */

	f = frx_ffollow_create(dir, &pos);
	cr_assert_not_null(f);
	expect_block(f, b, 21, false, NULL);
	frx_ffollow_free(f);
	free(a);
	free(b);
}

Test(ffollow, a_reused_name_with_another_creation_time_is_not_the_saved_file)
{
	char *a, *b;
	struct frx_ffollow *f;
	struct frx_ffollow_event ev;
	struct frx_ffollow_pos pos = { 0 };

	two_files(&a, &b);
	f = frx_ffollow_create(dir, NULL);
	expect_block(f, a, 1, false, &ev);
	snprintf(pos.name, sizeof(pos.name), "%s", ev.name);
	pos.created_ns = ev.created_ns - 1; /* the saved file had this name but was another */
	pos.offset = ev.next_offset;
	frx_ffollow_free(f);

	f = frx_ffollow_create(dir, &pos);
	expect_block(f, b, 21, false, NULL);
	frx_ffollow_free(f);
	free(a);
	free(b);
}

Test(ffollow, a_position_name_with_a_slash_is_refused)
{
	struct frx_ffollow_pos pos = { .name = "../x.frx" };

	cr_assert_null(frx_ffollow_create(dir, &pos));
}

Test(ffollow, follows_a_file_as_it_grows)
{
	struct frx_ffile_writer *w = ff_writer(dir, 0);
	char path[256];
	struct frx_ffollow *f;

	snprintf(path, sizeof(path), "%s", frx_ffile_writer_path(w));
	f = frx_ffollow_create(dir, NULL);
	expect_type(f, FRX_FFOLLOW_IDLE);
	ff_append_tags(w, FF_T0, FF_T0 + 10, 1, 2);
	expect_block(f, path, 1, false, NULL);
	expect_type(f, FRX_FFOLLOW_IDLE);
	ff_append_tags(w, FF_T0, FF_T0 + 10, 7, 2);
	expect_block(f, path, 7, false, NULL);
	free(ff_close(w));
	expect_type(f, FRX_FFOLLOW_FILE_DONE);
	frx_ffollow_free(f);
}

Test(ffollow, a_file_left_without_end_is_abandoned_once_a_newer_one_exists_and_it_stalls)
{
	char *a, *b;
	struct frx_ffollow *f;
	struct frx_ffollow_event ev;
	struct timespec start, now;
	int idles = 0;

	two_files(&a, &b);
	ff_drop_end(a); /* collector crashed; restarted into b */
	f = frx_ffollow_create(dir, NULL);
	expect_block(f, a, 1, false, NULL);
	expect_block(f, a, 11, false, NULL);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		next_ev(f, &ev);
		if (ev.type != FRX_FFOLLOW_IDLE)
			break;
		idles++;
		usleep(50000);
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	cr_assert_eq(ev.type, FRX_FFOLLOW_FILE_DONE);
	cr_assert_gt(idles, 0, "waited for the file to stall first");
	cr_assert_geq((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000,
		      FRX_FFOLLOW_STALL_MS - 100);
	expect_block(f, b, 21, false, NULL);
	frx_ffollow_free(f);
	free(a);
	free(b);
}

Test(ffollow, backlog_counts_the_records_not_yet_handed_out)
{
	char *a, *b;
	struct frx_ffollow *f;
	uint64_t records, oldest, newest;

	two_files(&a, &b);
	f = frx_ffollow_create(dir, NULL);
	frx_ffollow_backlog(f, &records, &oldest, &newest);
	cr_assert_eq(records, 13);
	cr_assert_eq(oldest, FF_T0);
	cr_assert_eq(newest, FF_T0 + 50);
	expect_block(f, a, 1, false, NULL);
	frx_ffollow_backlog(f, &records, &oldest, &newest);
	cr_assert_eq(records, 8);
	cr_assert_eq(oldest, FF_T0 + 20);
	expect_block(f, a, 11, false, NULL);
	expect_type(f, FRX_FFOLLOW_FILE_DONE);
	frx_ffollow_backlog(f, &records, &oldest, &newest);
	cr_assert_eq(records, 3);
	expect_block(f, b, 21, false, NULL);
	frx_ffollow_backlog(f, &records, &oldest, &newest);
	cr_assert_eq(records, 0);
	cr_assert_eq(newest, 0);
	frx_ffollow_free(f);
	free(a);
	free(b);
}
