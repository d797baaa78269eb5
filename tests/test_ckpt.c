/* SPDX-License-Identifier: BSD-3-Clause */
/* Shipper checkpoints: round trip, atomic replacement, named refusals, batch identity. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ckpt.h"
#include "flowfiles.h"

static char dir[64];
static char path[128];

static void
setup(void)
{
	ff_tmpdir(dir, sizeof(dir), "ckpt");
	snprintf(path, sizeof(path), "%s/ship.ckpt", dir);
}

static void
teardown(void)
{
	ff_remove_tree(dir);
}

static void
write_text(const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

static const char good[] = "flowrx-ship checkpoint 1\nfile flowrx.20261123-120000.frx\ncreated_ns 5\noffset 128\n"
			   "last 7 40 128 1 0\npending 2\nbatch 9 128 1000 3 0\nbatch 10 1000 2000 4 1\n";

TestSuite(ckpt, .init = setup, .fini = teardown);

Test(ckpt, saved_checkpoint_loads_back_equal)
{
	struct frx_ckpt a = { .npending = 2, .has_last = true }, b;
	unsigned int line;

	snprintf(a.pos.name, sizeof(a.pos.name), "flowrx.20261123-153000.1.frx");
	a.pos.created_ns = 1795448057003013879ull;
	a.pos.offset = 128;
	a.last = (struct frx_ckpt_batch){ .id = 1, .first = 40, .end = 128, .flow_rows = 2, .stats_rows = 0 };
	a.pending[0] = (struct frx_ckpt_batch){ .id = UINT64_MAX, .first = 128, .end = 224128, .flow_rows = 1400,
						.stats_rows = 12 };
	a.pending[1] = (struct frx_ckpt_batch){ .id = 3, .first = 224128, .end = 300000, .flow_rows = 5,
						.stats_rows = 0 };
	cr_assert_eq(frx_ckpt_save(path, &a), 0);
	cr_assert_eq(frx_ckpt_load(path, &b, &line), 0);
	cr_assert_str_eq(b.pos.name, a.pos.name);
	cr_assert_eq(b.pos.created_ns, a.pos.created_ns);
	cr_assert_eq(b.pos.offset, a.pos.offset);
	cr_assert(b.has_last);
	cr_assert_eq(memcmp(&b.last, &a.last, sizeof(a.last)), 0);
	cr_assert_eq(b.npending, 2);
	cr_assert_eq(memcmp(b.pending, a.pending, 2 * sizeof(a.pending[0])), 0);
}

Test(ckpt, no_position_yet_round_trips_as_an_empty_name)
{
	struct frx_ckpt a = { 0 }, b;
	unsigned int line;

	cr_assert_eq(frx_ckpt_save(path, &a), 0);
	cr_assert_eq(frx_ckpt_load(path, &b, &line), 0);
	cr_assert_str_eq(b.pos.name, "");
	cr_assert_eq(b.npending, 0);
	cr_assert(!b.has_last);
}

Test(ckpt, save_replaces_the_old_checkpoint_and_leaves_no_temporary_file)
{
	struct frx_ckpt a = { .pos = { .name = "a.frx", .offset = 1000 } }, b;
	char tmp[160];
	unsigned int line;

	cr_assert_eq(frx_ckpt_save(path, &a), 0);
	a.pos.offset = 2000;
	cr_assert_eq(frx_ckpt_save(path, &a), 0);
	cr_assert_eq(frx_ckpt_load(path, &b, &line), 0);
	cr_assert_eq(b.pos.offset, 2000);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	cr_assert_neq(access(tmp, F_OK), 0);
}

Test(ckpt, missing_checkpoint_is_enoent)
{
	struct frx_ckpt b;
	unsigned int line;

	cr_assert_eq(frx_ckpt_load(path, &b, &line), -ENOENT);
}

Test(ckpt, save_into_a_missing_directory_fails_with_errno)
{
	struct frx_ckpt a = { 0 };

	cr_assert_eq(frx_ckpt_save("/nonexistent-frx-dir/ship.ckpt", &a), -ENOENT);
}

Test(ckpt, the_good_text_loads)
{
	struct frx_ckpt b;
	unsigned int line;

	write_text(good);
	cr_assert_eq(frx_ckpt_load(path, &b, &line), 0);
	cr_assert_eq(b.npending, 2);
	cr_assert_eq(b.pending[1].end, 2000);
	cr_assert_eq(b.pending[1].stats_rows, 1);
	cr_assert_eq(b.last.id, 7);
}

/* Replace the line starting with @p key in the good text by @p repl (NULL: drop it). */
static void
write_variant(const char *key, const char *repl)
{
	char text[sizeof(good) + 128], *line;

	snprintf(text, sizeof(text), "%s", good);
	line = strstr(text, key);
	cr_assert_not_null(line);
	{
		char rest[sizeof(good) + 128];
		char *nl = strchr(line, '\n');

		snprintf(rest, sizeof(rest), "%s", nl + 1);
		snprintf(line, sizeof(text) - (size_t)(line - text), "%s%s", repl ? repl : "", rest);
	}
	write_text(text);
}

Test(ckpt, damaged_checkpoints_are_refused_with_the_line)
{
	static const struct {
		const char *key, *repl;
		unsigned int line;
	} cases[] = {
		{ "flowrx-ship", "flowrx-ship checkpoint 2\n", 1 },     /* another version */
		{ "flowrx-ship", "garbage\n", 1 },
		{ "file", "file ../etc/passwd\n", 2 },                  /* a path, not a name */
		{ "offset", "offset 12x\n", 4 },                        /* not a number */
		{ "offset", "offset -1\n", 4 },
		{ "offset", "offset 99999999999999999999999\n", 4 },     /* overflow */
		{ "offset", "offset 129\n", 7 },                        /* first batch not at the position */
		{ "last", "last 1 2\n", 5 },                            /* too few numbers */
		{ "pending", "pending 9\n", 6 },                        /* more than FRX_CKPT_MAX_PENDING */
		{ "batch 10", "batch 10 1001 2000 4 1\n", 8 },          /* a gap between batches */
		{ "batch 9", "batch 9 128 128 3 0\n", 7 },              /* an empty batch */
		{ "batch 10", "colour blue\n", 8 },                     /* not a batch line */
		{ "batch 10", "batch 10 1000 2000 4 1", 8 },            /* cut: no newline */
		{ "batch 10", NULL, 0 },                                /* a batch line missing */
		{ "batch 10", "batch 10 1000 2000 4 1\nbatch 11 2000 3000 1 1\n", 9 }, /* one too many */
		{ "pending", "pending 0\npending 0\n", 7 },              /* a line twice */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct frx_ckpt b;
		unsigned int line = 99;

		write_variant(cases[i].key, cases[i].repl);
		cr_assert_eq(frx_ckpt_load(path, &b, &line), -EINVAL, "case %zu", i);
		cr_assert_eq(line, cases[i].line, "case %zu: line %u", i, line);
	}
	write_text("");
	{
		struct frx_ckpt b;
		unsigned int line;

		cr_assert_eq(frx_ckpt_load(path, &b, &line), -EINVAL, "empty file");
	}
}

Test(ckpt, batch_id_is_deterministic_and_depends_on_every_part)
{
	uint64_t id = frx_ckpt_batch_id(1, "flowrx.a.frx", 1000, 128);

	cr_assert_eq(frx_ckpt_batch_id(1, "flowrx.a.frx", 1000, 128), id);
	cr_assert_neq(frx_ckpt_batch_id(2, "flowrx.a.frx", 1000, 128), id);
	cr_assert_neq(frx_ckpt_batch_id(1, "flowrx.b.frx", 1000, 128), id);
	cr_assert_neq(frx_ckpt_batch_id(1, "flowrx.a.frx", 1001, 128), id);
	cr_assert_neq(frx_ckpt_batch_id(1, "flowrx.a.frx", 1000, 129), id);
	/* Offsets of consecutive batches give unrelated ids (no shared high bits). */
	cr_assert_neq(frx_ckpt_batch_id(1, "flowrx.a.frx", 1000, 224168) >> 32,
		      frx_ckpt_batch_id(1, "flowrx.a.frx", 1000, 448208) >> 32);
}
