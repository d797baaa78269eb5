/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flowrx-read as a program (app/flowrx-read): filters from the command
 * line, time windows, tables, scaling, merging several directories, and
 * following live directories across rotations. Files are written by the
 * real writer; the binary is build/app/flowrx-read next to this test's
 * build/tests/.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "flowfiles.h"

static char tmpdir[64];
static char reader[PATH_MAX];

static void
setup(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	cr_assert(n > 0);
	exe[n] = '\0';
	snprintf(reader, sizeof(reader), "%s/../app/flowrx-read", dirname(exe));
	cr_assert_eq(access(reader, X_OK), 0, "%s: build the reader first (ninja)", reader);
	ff_tmpdir(tmpdir, sizeof(tmpdir), "reader");
}

static void
teardown(void)
{
	ff_remove_tree(tmpdir);
}

TestSuite(reader, .init = setup, .fini = teardown, .timeout = 60);

struct child {
	pid_t pid;
	int out, err;           /* read ends of its stdout and stderr */
	char *outbuf, *errbuf;
	size_t outlen, errlen;
};

static void
spawn(struct child *c, char *const argv[])
{
	int out[2], err[2];

	cr_assert_eq(pipe(out), 0);
	cr_assert_eq(pipe(err), 0);
	c->pid = fork();
	cr_assert(c->pid >= 0);
	if (c->pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		execv(reader, argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	c->out = out[0];
	c->err = err[0];
	c->outbuf = calloc(1, 1);
	c->errbuf = calloc(1, 1);
	c->outlen = c->errlen = 0;
}

/* Read what is there (waiting up to ms); @return false at EOF of both. */
static bool
pump(struct child *c, int ms)
{
	struct pollfd p[2] = { { .fd = c->out, .events = POLLIN }, { .fd = c->err, .events = POLLIN } };
	bool open = false;

	if (poll(p, 2, ms) <= 0)
		return true;
	for (int i = 0; i < 2; i++) {
		char buf[65536];
		int fd = i == 0 ? c->out : c->err;
		char **dst = i == 0 ? &c->outbuf : &c->errbuf;
		size_t *len = i == 0 ? &c->outlen : &c->errlen;
		ssize_t n;

		if (fd < 0)
			continue;
		if (!(p[i].revents & (POLLIN | POLLHUP)))
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n <= 0) {
			close(fd);
			if (i == 0)
				c->out = -1;
			else
				c->err = -1;
			continue;
		}
		*dst = realloc(*dst, *len + (size_t)n + 1);
		cr_assert_not_null(*dst);
		memcpy(*dst + *len, buf, (size_t)n);
		*len += (size_t)n;
		(*dst)[*len] = '\0';
	}
	if (c->out >= 0)
		open = true;
	if (c->err >= 0)
		open = true;
	if (c->out < 0)
		p[0].fd = -1;
	return open;
}

static int
lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Wait until stdout holds n lines (the test fails after 15 s). */
static void
wait_lines(struct child *c, int n)
{
	for (int i = 0; i < 1500 && lines(c->outbuf) < n; i++)
		pump(c, 10);
	cr_assert_eq(lines(c->outbuf), n, "waited for %d lines, got:\n%s\nstderr:\n%s", n, c->outbuf, c->errbuf);
}

/* Wait until the child has read at least this many bytes (its rchar). */
static void
wait_read(struct child *c, uint64_t bytes)
{
	char path[64];
	unsigned long long rchar = 0;

	snprintf(path, sizeof(path), "/proc/%d/io", (int)c->pid);
	for (int i = 0; i < 1500; i++) {
		FILE *f = fopen(path, "r");

		cr_assert_not_null(f, "%s", path);
		cr_assert_eq(fscanf(f, "rchar: %llu", &rchar), 1);
		fclose(f);
		if (rchar >= bytes)
			return;
		pump(c, 10);
	}
	cr_assert_fail("the reader read %llu bytes, not %llu", rchar, (unsigned long long)bytes);
}

static int
finish(struct child *c)
{
	int status;

	while (pump(c, 100))
		;
	cr_assert_eq(waitpid(c->pid, &status, 0), c->pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void
free_child(struct child *c)
{
	free(c->outbuf);
	free(c->errbuf);
}

/* Run the reader to its end; @return its exit status. */
static int
run(struct child *c, ...)
{
	char *argv[32];
	va_list ap;
	int n = 0;

	argv[n++] = "flowrx-read";
	va_start(ap, c);
	while ((argv[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	spawn(c, argv);
	return finish(c);
}

static char *
dir_path(const char *name)
{
	static char buf[4][PATH_MAX];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

/* Column col (0-based) of every CSV data line, joined with spaces. */
static char *
csv_column(const char *csv, int col)
{
	static char out[65536];
	size_t len = 0;
	const char *line = strchr(csv, '\n'); /* skip the header */

	out[0] = '\0';
	while (line != NULL && line[1] != '\0') {
		const char *p = line + 1;

		for (int k = 0; k < col && p != NULL; k++) {
			p = strchr(p, ',');
			if (p != NULL)
				p++;
		}
		if (p != NULL)
			len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%.*s", len ? " " : "",
						(int)strcspn(p, ",\n"), p);
		line = strchr(line + 1, '\n');
	}
	return out;
}

#define CSV_SRC_PORT 8
#define CSV_PACKETS 15
#define CSV_BYTES 16

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------------ once */

Test(reader, no_new_option_keeps_the_record_output)
{
	struct frx_ffile_writer *w = ff_writer(dir_path("d"), 0);
	struct child c;

	ff_append_tags(w, FF_T0, FF_T0 + 100, 1, 3);
	free(ff_close(w));
	cr_assert_eq(run(&c, "-R", dir_path("d"), "-o", "csv", NULL), 0);
	cr_expect(strncmp(c.outbuf, "exporter,version,engine_type,", 29) == 0);
	cr_expect_eq(lines(c.outbuf), 4);
	cr_expect_str_eq(csv_column(c.outbuf, CSV_SRC_PORT), "1 2 3");
	cr_expect(strncmp(c.errbuf, "Summary: 3 records, 1 blocks, 1 files, 0 torn/skipped blocks\n", 61) == 0, "%s",
		  c.errbuf);
	cr_expect(strstr(c.errbuf, "Summary: total flows: 3, total bytes: 3.0 K, total packets: 30, avg bps: 240.0 K, "
				   "avg pps: 300, avg bpp: 100\n") != NULL, "%s", c.errbuf);
	cr_expect(strstr(c.errbuf, "Time window: 2023-11-14 22:13:20.000 - 2023-11-14 22:13:20.100 UTC\n") != NULL, "%s",
		  c.errbuf);
	cr_expect(strstr(c.errbuf, "Records skipped: 0 (filter 0, time window 0), blocks skipped by time window: 0, "
				   "files: 0; packets and bytes as exported (not scaled)\n") != NULL, "%s", c.errbuf);
	free_child(&c);
}

Test(reader, filter_from_the_arguments_or_dash_f)
{
	struct frx_ffile_writer *w = ff_writer(dir_path("d"), 0);
	struct child c;

	ff_append_tags(w, FF_T0, FF_T0 + 100, 1, 10);
	free(ff_close(w));
	/* nfdump style: the rest of the command line, in pieces */
	cr_assert_eq(run(&c, "-R", dir_path("d"), "-o", "csv", "src", "port", "<", "4", "or", "src port 9", NULL), 0);
	cr_expect_str_eq(csv_column(c.outbuf, CSV_SRC_PORT), "1 2 3 9");
	cr_expect(strstr(c.errbuf, "Summary: 4 records,") == c.errbuf, "%s", c.errbuf);
	cr_expect(strstr(c.errbuf, "Records skipped: 6 (filter 6, time window 0)") != NULL, "%s", c.errbuf);
	free_child(&c);
	cr_assert_eq(run(&c, "-R", dir_path("d"), "-o", "csv", "-q", "-F", "not src port in [1 2 3 4 5 6]", NULL), 0);
	cr_expect_str_eq(csv_column(c.outbuf, CSV_SRC_PORT), "7 8 9 10");
	cr_expect_str_eq(c.errbuf, "");
	free_child(&c);
}

Test(reader, filter_syntax_error_points_at_the_column)
{
	struct frx_ffile_writer *w = ff_writer(dir_path("d"), 0);
	struct child c;

	ff_append_tags(w, FF_T0, FF_T0 + 100, 1, 1);
	free(ff_close(w));
	cr_assert_eq(run(&c, "-R", dir_path("d"), "proto", "tcp", "and", "port", "http", NULL), 1);
	cr_expect_str_eq(c.outbuf, "");
	cr_expect_str_eq(c.errbuf, "flowrx-read: filter: column 20: expected a port number after 'port', found 'http'\n"
				   "  proto tcp and port http\n"
				   "                     ^\n");
	free_child(&c);
}

Test(reader, a_directory_where_the_filter_goes_gets_a_hint)
{
	struct child c;

	cr_assert_eq(run(&c, tmpdir, NULL), 1);
	cr_expect(strstr(c.errbuf, "is a directory: read it with -R") != NULL, "%s", c.errbuf);
	free_child(&c);
}

Test(reader, time_window_selects_records_blocks_and_files)
{
	struct frx_ffile_writer *w = ff_writer(dir_path("d"), 0);
	struct child c;
	char window[64];

	/* file 1: all before the window, so not even opened */
	ff_append_tags(w, FF_T0 - 60000, FF_T0 - 50000, 1, 2);
	free(ff_close(w));
	w = ff_writer(dir_path("d"), 0);
	ff_append_tags(w, FF_T0 + 1000, FF_T0 + 2000, 10, 2);  /* in */
	ff_append_tags(w, FF_T0 + 9000, FF_T0 + 12000, 20, 2); /* ends after the window */
	{
		struct frx_flowrec mix[3] = { ff_rec(FF_T0 - 5, FF_T0 + 5, 30), ff_rec(FF_T0 + 5, FF_T0 + 10, 31),
					      ff_rec(FF_T0 + 10000, FF_T0 + 10000, 32) };

		ff_append(w, mix, 3); /* one starts before, one in, one at the very end */
	}
	ff_append_tags(w, FF_T0 + 20000, FF_T0 + 21000, 40, 2); /* after */
	free(ff_close(w));
	snprintf(window, sizeof(window), "%llu-%llu", FF_T0 / 1000, FF_T0 / 1000 + 10);
	cr_assert_eq(run(&c, "-R", dir_path("d"), "-o", "csv", "-t", window, NULL), 0);
	cr_expect_str_eq(csv_column(c.outbuf, CSV_SRC_PORT), "10 11 31 32");
	/* skipped: the block that ends after the window, the record that starts
	 * before it; the block after it, unread; the first file, unread */
	cr_expect(strstr(c.errbuf, "Records skipped: 5 (filter 0, time window 5), blocks skipped by time window: 1, "
				   "files: 1;") != NULL, "%s", c.errbuf);
	free_child(&c);
	/* the same window as dates, nfdump's and ours */
	cr_assert_eq(run(&c, "-R", dir_path("d"), "-o", "csv", "-q", "-t", "2023/11/14.22:13:20-2023/11/14.22:13:30",
			 NULL), 0);
	cr_expect_str_eq(csv_column(c.outbuf, CSV_SRC_PORT), "10 11 31 32");
	free_child(&c);
	cr_assert_eq(run(&c, "-R", dir_path("d"), "-o", "csv", "-q", "-t", "2023-11-14 22:13:20 - 2023-11-14 22:13:30",
			 NULL), 0);
	cr_expect_str_eq(csv_column(c.outbuf, CSV_SRC_PORT), "10 11 31 32");
	free_child(&c);
	cr_assert_eq(run(&c, "-R", dir_path("d"), "-t", "tomorrow", NULL), 1);
	cr_expect(strstr(c.errbuf, "flowrx-read: -t 'tomorrow': expected a start time") == c.errbuf, "%s", c.errbuf);
	free_child(&c);
}

Test(reader, scale_multiplies_by_the_sampling_interval_and_says_so)
{
	struct frx_ffile_writer *w = ff_writer(dir_path("d"), 0);
	struct frx_flowrec recs[2] = { ff_rec(FF_T0, FF_T0 + 1000, 1), ff_rec(FF_T0, FF_T0 + 1000, 2) };
	struct child c;

	recs[0].sampling_interval = 100;
	ff_append(w, recs, 2);
	free(ff_close(w));
	cr_assert_eq(run(&c, "-R", dir_path("d"), "-o", "csv", "--scale", NULL), 0);
	cr_expect_str_eq(csv_column(c.outbuf, CSV_PACKETS), "1000 10");
	cr_expect_str_eq(csv_column(c.outbuf, CSV_BYTES), "100000 1000");
	cr_expect(strstr(c.errbuf, "packets and bytes scaled by the sampling interval (1 sampled records)") != NULL,
		  "%s", c.errbuf);
	free_child(&c);
	/* filters see the scaled numbers */
	cr_assert_eq(run(&c, "-R", dir_path("d"), "-o", "csv", "-q", "--scale", "packets > 500", NULL), 0);
	cr_expect_str_eq(csv_column(c.outbuf, CSV_SRC_PORT), "1");
	free_child(&c);
	cr_assert_eq(run(&c, "-R", dir_path("d"), "-o", "csv", "packets > 500", NULL), 0);
	cr_expect_str_eq(csv_column(c.outbuf, CSV_SRC_PORT), "");
	cr_expect(strstr(c.errbuf, "not scaled") != NULL, "%s", c.errbuf);
	free_child(&c);
}

Test(reader, top_n_and_aggregation_tables)
{
	struct frx_ffile_writer *w = ff_writer(dir_path("d"), 0);
	struct frx_flowrec recs[4] = { ff_rec(FF_T0, FF_T0 + 1000, 1), ff_rec(FF_T0, FF_T0 + 1000, 2),
				       ff_rec(FF_T0, FF_T0 + 1000, 3), ff_rec(FF_T0, FF_T0 + 1000, 4) };
	struct child c;

	recs[1].bytes = 5000; /* tag 2 is the biggest, tag 3 next */
	recs[2].bytes = 3000;
	recs[3].dst_port = 53;
	ff_append(w, recs, 4);
	free(ff_close(w));
	cr_assert_eq(run(&c, "-R", dir_path("d"), "-o", "csv", "-q", "-s", "srcip/bytes", "-n", "2", NULL), 0);
	cr_expect_str_eq(c.outbuf,
			 "stat,rank,src_addr,first,last,duration,flows,packets,bytes,pps,bps,bpp,flows_pct,packets_pct,"
			 "bytes_pct\n"
			 "srcip/bytes,1,10.0.0.2,1700000000000,1700000001000,1000,1,10,5000,10,40000,500,25.00,25.00,50.00\n"
			 "srcip/bytes,2,10.0.0.3,1700000000000,1700000001000,1000,1,10,3000,10,24000,300,25.00,25.00,30.00\n");
	free_child(&c);
	cr_assert_eq(run(&c, "-R", dir_path("d"), "-o", "json", "-q", "-A", "dstport,proto", "-O", "flows", NULL), 0);
	cr_expect_str_eq(c.outbuf,
			 "{\"dst_port\":443,\"proto\":6,\"first\":1700000000000,\"last\":1700000001000,\"duration\":1000,"
			 "\"flows\":3,\"packets\":30,\"bytes\":9000,\"pps\":30,\"bps\":72000,\"bpp\":300,\"flows_pct\":75.00,"
			 "\"packets_pct\":75.00,\"bytes_pct\":90.00}\n"
			 "{\"dst_port\":53,\"proto\":6,\"first\":1700000000000,\"last\":1700000001000,\"duration\":1000,"
			 "\"flows\":1,\"packets\":10,\"bytes\":1000,\"pps\":10,\"bps\":8000,\"bpp\":100,\"flows_pct\":25.00,"
			 "\"packets_pct\":25.00,\"bytes_pct\":10.00}\n");
	free_child(&c);
	/* a filter applies before the table; text has a title */
	cr_assert_eq(run(&c, "-R", dir_path("d"), "-q", "-s", "dstport", "dst port 53", NULL), 0);
	cr_expect(strncmp(c.outbuf, "Top 10 Dst Port ordered by flows:\n", 34) == 0, "%s", c.outbuf);
	cr_expect_eq(lines(c.outbuf), 3);
	free_child(&c);
	cr_assert_eq(run(&c, "-R", dir_path("d"), "-s", "srcip/volume", NULL), 1);
	cr_expect(strstr(c.errbuf, "unknown order 'volume'") != NULL, "%s", c.errbuf);
	free_child(&c);
	cr_assert_eq(run(&c, "-R", dir_path("d"), "-A", "srcip,bogus", NULL), 1);
	cr_expect(strstr(c.errbuf, "-A srcip,bogus: unknown key 'bogus'") != NULL, "%s", c.errbuf);
	free_child(&c);
	cr_assert_eq(run(&c, "-R", dir_path("d"), "--stats", "-s", "srcip", NULL), 1);
	free_child(&c);
}

/* Two collectors' directories: blocks interleave by their earliest flow start. */
Test(reader, several_directories_merge_in_time_order)
{
	struct frx_ffile_writer *a = ff_writer(dir_path("a"), 0), *b = ff_writer(dir_path("b"), 0);
	struct child c;

	ff_append_tags(a, FF_T0 + 0, FF_T0 + 10, 100, 2);
	ff_append_tags(b, FF_T0 + 5, FF_T0 + 10, 200, 2);
	ff_append_tags(a, FF_T0 + 20, FF_T0 + 30, 110, 2);
	ff_append_tags(b, FF_T0 + 15, FF_T0 + 30, 210, 2);
	ff_append_tags(b, FF_T0 + 40, FF_T0 + 50, 220, 2);
	free(ff_close(a));
	free(ff_close(b));
	cr_assert_eq(run(&c, "-R", dir_path("a"), "-R", dir_path("b"), "-o", "csv", "-q", NULL), 0);
	cr_expect_str_eq(csv_column(c.outbuf, CSV_SRC_PORT), "100 101 200 201 210 211 110 111 220 221");
	free_child(&c);
	cr_assert_eq(run(&c, "-R", dir_path("a"), "-R", dir_path("b"), "-o", "csv", "-q", "--no-merge", NULL), 0);
	cr_expect_str_eq(csv_column(c.outbuf, CSV_SRC_PORT), "100 101 110 111 200 201 210 211 220 221");
	free_child(&c);
}

/* ------------------------------------------------------------ follow */

static void
stop(struct child *c)
{
	cr_assert_eq(kill(c->pid, SIGTERM), 0);
	cr_expect_eq(finish(c), 0, "stderr: %s", c->errbuf);
}

Test(reader, follow_goes_through_rotations_with_a_filter)
{
	struct frx_ffile_writer *w = ff_writer(dir_path("live"), 1);
	char *argv[] = { "flowrx-read", "-R", dir_path("live"), "-f", "-o", "csv", "not src port in [2 12 22]", NULL };
	uint64_t t = now_ns();
	struct child c;

	ff_append_tags(w, FF_T0, FF_T0 + 10, 1, 3);
	spawn(&c, argv);
	wait_lines(&c, 1 + 2);
	/* rotate: the follower must go on into the new file */
	cr_assert_eq(frx_ffile_writer_tick(w, t + 5000000000ull), 0);
	ff_append_tags(w, FF_T0 + 100, FF_T0 + 110, 11, 3);
	wait_lines(&c, 1 + 4);
	cr_assert_eq(frx_ffile_writer_tick(w, t + 10000000000ull), 0);
	ff_append_tags(w, FF_T0 + 200, FF_T0 + 210, 21, 3);
	free(ff_close(w));
	wait_lines(&c, 1 + 6);
	stop(&c);
	cr_expect_str_eq(csv_column(c.outbuf, CSV_SRC_PORT), "1 3 11 13 21 23");
	cr_expect(strstr(c.errbuf, "Summary: 6 records, ") == c.errbuf, "%s", c.errbuf);
	cr_expect(strstr(c.errbuf, "files: 0;") != NULL && strstr(c.errbuf, "(filter 3, time window 0)") != NULL, "%s",
		  c.errbuf);
	free_child(&c);
}

Test(reader, follow_several_directories_at_once)
{
	struct frx_ffile_writer *a = ff_writer(dir_path("a"), 1), *b = ff_writer(dir_path("b"), 1);
	char *argv[] = { "flowrx-read", "-R", dir_path("a"), "-R", dir_path("b"), "-f", "-o", "csv", "-q", NULL };
	uint64_t t = now_ns();
	struct child c;
	char *ports;

	ff_append_tags(a, FF_T0, FF_T0 + 10, 100, 1);
	spawn(&c, argv);
	wait_lines(&c, 1 + 1);
	ff_append_tags(b, FF_T0, FF_T0 + 10, 200, 1);
	wait_lines(&c, 1 + 2);
	cr_assert_eq(frx_ffile_writer_tick(a, t + 5000000000ull), 0);
	cr_assert_eq(frx_ffile_writer_tick(b, t + 5000000000ull), 0);
	ff_append_tags(b, FF_T0 + 100, FF_T0 + 110, 210, 1);
	ff_append_tags(a, FF_T0 + 100, FF_T0 + 110, 110, 1);
	wait_lines(&c, 1 + 4);
	stop(&c);
	ports = csv_column(c.outbuf, CSV_SRC_PORT);
	cr_expect(strncmp(ports, "100 200 ", 8) == 0, "%s", ports);
	cr_expect(strstr(ports, "110") != NULL && strstr(ports, "210") != NULL, "%s", ports);
	free(ff_close(a));
	free(ff_close(b));
	free_child(&c);
}

Test(reader, follow_with_a_table_prints_it_when_stopped)
{
	struct frx_ffile_writer *w = ff_writer(dir_path("live"), 1);
	char *argv[] = { "flowrx-read", "-R", dir_path("live"), "-f", "-o", "csv", "-q", "-A", "dstport", NULL };
	struct child c;

	struct stat st;

	ff_append_tags(w, FF_T0, FF_T0 + 10, 1, 3);
	cr_assert_eq(stat(frx_ffile_writer_path(w), &st), 0);
	spawn(&c, argv);
	/* nothing to see until stopped: wait until it has read the file */
	wait_read(&c, (uint64_t)st.st_size);
	for (int i = 0; i < 20; i++)
		pump(&c, 10);
	cr_expect_str_eq(c.outbuf, "");
	stop(&c);
	cr_expect_str_eq(c.outbuf,
			 "dst_port,first,last,duration,flows,packets,bytes,pps,bps,bpp,flows_pct,packets_pct,bytes_pct\n"
			 "443,1700000000000,1700000000010,10,3,30,3000,3000,2400000,100,100.00,100.00,100.00\n");
	free(ff_close(w));
	free_child(&c);
}
