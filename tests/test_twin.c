/* SPDX-License-Identifier: BSD-3-Clause */
/* Time windows: every time format, ranges, and which records, blocks and files a window selects. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "twin.h"

/* 2023-11-14 22:13:20 UTC */
#define T0_S 1700000000ull
#define T0 (T0_S * 1000)

static uint64_t
time_of(const char *text)
{
	uint64_t ms = 0;
	int n = frx_twin_parse_time(text, &ms);

	cr_assert_eq(n, (int)strlen(text), "'%s': used %d characters", text, n);
	return ms;
}

static struct frx_twin
window(const char *spec)
{
	struct frx_twin tw;
	char err[FRX_TWIN_ERR_MAX];

	cr_assert_eq(frx_twin_parse(spec, &tw, err, sizeof(err)), 0, "'%s': %s", spec, err);
	return tw;
}

static void
bad_window(const char *spec, const char *message)
{
	struct frx_twin tw = { 7, 8 };
	char err[FRX_TWIN_ERR_MAX];

	cr_assert_eq(frx_twin_parse(spec, &tw, err, sizeof(err)), -EINVAL, "'%s' parsed", spec);
	cr_expect_str_eq(err, message);
	cr_expect_eq(tw.start_ms, 7, "window changed on error");
}

static struct frx_flowrec
rec(uint64_t first_ms, uint64_t last_ms)
{
	struct frx_flowrec r;

	memset(&r, 0, sizeof(r));
	r.first_ms = first_ms;
	r.last_ms = last_ms;
	return r;
}

Test(twin, iso_like_times_in_utc)
{
	cr_expect_eq(time_of("2023-11-14 22:13:20"), T0);
	cr_expect_eq(time_of("2023-11-14T22:13:20"), T0);
	cr_expect_eq(time_of("2023-11-14T22:13:20Z"), T0);
	cr_expect_eq(time_of("2023-11-14 22:13"), T0 - 20000);
	cr_expect_eq(time_of("2023-11-14 22:13:20.123"), T0 + 123);
	cr_expect_eq(time_of("2023-11-14"), T0 - (22 * 3600 + 13 * 60 + 20) * 1000ull);
}

Test(twin, nfdump_times)
{
	cr_expect_eq(time_of("2023/11/14.22:13:20"), T0);
	cr_expect_eq(time_of("2023/11/14.22:13"), T0 - 20000);
	cr_expect_eq(time_of("2023/11/14.22"), T0 - (13 * 60 + 20) * 1000ull);
	cr_expect_eq(time_of("2023/11/14"), time_of("2023-11-14"));
}

Test(twin, epoch_seconds)
{
	cr_expect_eq(time_of("1700000000"), T0);
	cr_expect_eq(time_of("0"), 0);
}

Test(twin, leap_days_and_month_ends)
{
	cr_expect_eq(time_of("2024-02-29") + 86400000ull, time_of("2024-03-01"));
	cr_expect_eq(time_of("2023-12-31 23:59:59") + 1000, time_of("2024-01-01"));
}

Test(twin, malformed_times_are_refused)
{
	static const char *const bad[] = { "2023-02-29", "2023-13-01", "2023-11-31", "2023-11-14 24:00",
					   "2023-11-14 22:60", "2023-11-14 22:13:61", "2023-11-14 22", "2023-11-14 2:13",
					   "2023/11/14.22:5", "1969-12-31", "abc", "", "17000000x",
					   "99999999999999999999" };
	uint64_t ms;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int n = frx_twin_parse_time(bad[i], &ms);

		/* refused, or stops before the bad part (then the window parser complains) */
		cr_expect(n < 0 || n < (int)strlen(bad[i]), "'%s' accepted whole", bad[i]);
	}
}

Test(twin, windows_with_and_without_end)
{
	struct frx_twin tw = window("2023-11-14 22:13:20-2023-11-14 22:18:20");

	cr_expect_eq(tw.start_ms, T0);
	cr_expect_eq(tw.end_ms, T0 + 300000);
	tw = window("2023/11/14.22:13:20-2023/11/14.22:18:20");
	cr_expect_eq(tw.start_ms, T0);
	cr_expect_eq(tw.end_ms, T0 + 300000);
	tw = window("1700000000 - 1700000300");
	cr_expect_eq(tw.start_ms, T0);
	cr_expect_eq(tw.end_ms, T0 + 300000);
	tw = window("2023-11-14 22:13:20");
	cr_expect_eq(tw.start_ms, T0);
	cr_expect_eq(tw.end_ms, UINT64_MAX);
	tw = window("2023-11-14-2023-11-15");
	cr_expect_eq(tw.end_ms - tw.start_ms, 86400000ull);
	tw = window("1700000000-1700000000");
	cr_expect_eq(tw.start_ms, tw.end_ms);
}

Test(twin, bad_windows_say_why)
{
	bad_window("yesterday",
		   "'yesterday': expected a start time (YYYY-MM-DD HH:MM[:SS], YYYY/MM/DD.hh:mm:ss or epoch seconds)");
	bad_window("1700000000-",
		   "'1700000000-': expected an end time after '-' (YYYY-MM-DD HH:MM[:SS], YYYY/MM/DD.hh:mm:ss or "
		   "epoch seconds)");
	bad_window("1700000300-1700000000", "'1700000300-1700000000': the end is before the start");
	bad_window("2023-11-14 22 to 23", "'2023-11-14 22 to 23': unexpected '22 to 23' (a window is START or START-END)");
}

Test(twin, record_is_in_when_its_whole_flow_is)
{
	struct frx_twin tw = { T0, T0 + 1000 };
	struct frx_flowrec r;

	r = rec(T0, T0 + 1000);
	cr_expect(frx_twin_record(&tw, &r), "both ends included");
	r = rec(T0 + 10, T0 + 20);
	cr_expect(frx_twin_record(&tw, &r));
	r = rec(T0 - 1, T0 + 20);
	cr_expect(!frx_twin_record(&tw, &r), "starts before");
	r = rec(T0 + 10, T0 + 1001);
	cr_expect(!frx_twin_record(&tw, &r), "ends after");
	r = rec(T0 - 10, T0 + 2000);
	cr_expect(!frx_twin_record(&tw, &r), "spans the window");
	r = rec(T0 + 500, T0 - 500);
	cr_expect(!frx_twin_record(&tw, &r), "last before the window, first in it (broken clock)");
	r = rec(T0 + 2000, T0 + 500);
	cr_expect(!frx_twin_record(&tw, &r), "first after the window, last in it (broken clock)");
}

Test(twin, open_window_takes_everything_after_its_start)
{
	struct frx_twin tw = window("1700000000");
	struct frx_flowrec r = rec(T0 + 5, UINT64_MAX - 1);

	cr_expect(frx_twin_record(&tw, &r));
	r = rec(T0 - 5, T0 + 5);
	cr_expect(!frx_twin_record(&tw, &r));
}

Test(twin, range_check_never_drops_what_records_would_keep)
{
	struct frx_twin tw = { T0, T0 + 1000 };
	/* a block whose records are one of these: the range check must say
	 * "maybe" whenever a record of it is in the window */
	static const int64_t offs[] = { -3000, -1000, -1, 0, 1, 500, 999, 1000, 1001, 2000, 5000 };

	for (size_t a = 0; a < sizeof(offs) / sizeof(offs[0]); a++) {
		for (size_t b = 0; b < sizeof(offs) / sizeof(offs[0]); b++) {
			struct frx_flowrec r = rec(T0 + (uint64_t)offs[a], T0 + (uint64_t)offs[b]);

			if (frx_twin_record(&tw, &r))
				cr_expect(frx_twin_range(&tw, r.first_ms, r.last_ms), "first %+lld last %+lld",
					  (long long)offs[a], (long long)offs[b]);
		}
	}
	cr_expect(!frx_twin_range(&tw, T0 - 5000, T0 - 1), "everything ends before");
	cr_expect(!frx_twin_range(&tw, T0 + 1001, T0 + 5000), "everything starts after");
	cr_expect(frx_twin_range(&tw, T0 - 5000, T0 + 5000), "spans it");
}

Test(twin, format_is_utc_with_milliseconds)
{
	char buf[FRX_TWIN_TIME_MAX];

	cr_expect_str_eq(frx_twin_format(T0 + 7, buf, sizeof(buf)), "2023-11-14 22:13:20.007");
	cr_expect_str_eq(frx_twin_format(UINT64_MAX, buf, sizeof(buf)), "18446744073709551615");
}
