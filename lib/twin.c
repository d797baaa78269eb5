/* SPDX-License-Identifier: BSD-3-Clause */
/* Time windows: the text forms of a time and of a window. */
#include "twin.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Exactly n digits at s into *v. */
static bool
digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

static bool
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Seconds since the epoch of a UTC date and time, checked field by field. */
static int
to_epoch(int year, int mon, int day, int hour, int min, int sec, uint64_t *s)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	struct tm tm;
	time_t t;

	if (year < 1970 || year > 9999 || mon < 1 || mon > 12 || day < 1 ||
	    day > mdays[mon - 1] + (mon == 2 && leap(year)) || hour > 23 || min > 59 || sec > 59)
		return -EINVAL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (t < 0)
		return -EINVAL;
	*s = (uint64_t)t;
	return 0;
}

int
frx_twin_parse_time(const char *text, uint64_t *ms)
{
	const char *p = text;
	int year, mon, day, hour = 0, min = 0, sec = 0, msec = 0;
	uint64_t s;

	if (digits(p, 4, &year) && (p[4] == '-' || p[4] == '/') && digits(p + 5, 2, &mon) && p[7] == p[4] &&
	    digits(p + 8, 2, &day)) {
		bool nfdump = p[4] == '/';

		p += 10;
		/* nfdump: ".hh[:mm[:ss]]"; ISO-like: " HH:MM[:SS[.mmm]]" or "THH:MM..." */
		if (nfdump && *p == '.' && digits(p + 1, 2, &hour)) {
			p += 3;
			if (*p == ':' && digits(p + 1, 2, &min)) {
				p += 3;
				if (*p == ':' && digits(p + 1, 2, &sec))
					p += 3;
			}
		} else if (!nfdump && (*p == ' ' || *p == 'T') && digits(p + 1, 2, &hour) && p[3] == ':' &&
			   digits(p + 4, 2, &min)) {
			p += 6;
			if (*p == ':' && digits(p + 1, 2, &sec)) {
				p += 3;
				if (*p == '.' && digits(p + 1, 3, &msec))
					p += 4;
			}
			if (*p == 'Z')
				p++;
		}
		if (isalnum((unsigned char)*p) || *p == ':' || *p == '.' || *p == '/')
			return -EINVAL; /* a malformed rest, e.g. "10:5" */
		if (to_epoch(year, mon, day, hour, min, sec, &s) != 0)
			return -EINVAL;
		*ms = s * 1000u + (uint64_t)msec;
		return (int)(p - text);
	}
	/* epoch seconds */
	s = 0;
	while (isdigit((unsigned char)*p)) {
		if (s > (UINT64_MAX / 1000 - 9) / 10)
			return -EINVAL;
		s = s * 10 + (uint64_t)(*p - '0');
		p++;
	}
	if (p == text || isalnum((unsigned char)*p) || *p == ':' || *p == '.' || *p == '/')
		return -EINVAL;
	*ms = s * 1000u;
	return (int)(p - text);
}

#define TIME_FORMATS "YYYY-MM-DD HH:MM[:SS], YYYY/MM/DD.hh:mm:ss or epoch seconds"

int
frx_twin_parse(const char *spec, struct frx_twin *tw, char *err, size_t err_size)
{
	const char *p = spec;
	uint64_t start, end = UINT64_MAX;
	char dummy[1];
	int n;

	if (err == NULL) {
		err = dummy;
		err_size = sizeof(dummy);
	}
	while (*p == ' ')
		p++;
	n = frx_twin_parse_time(p, &start);
	if (n < 0) {
		snprintf(err, err_size, "'%s': expected a start time (" TIME_FORMATS ")", spec);
		return -EINVAL;
	}
	p += n;
	while (*p == ' ')
		p++;
	if (*p == '-') {
		p++;
		while (*p == ' ')
			p++;
		n = frx_twin_parse_time(p, &end);
		if (n < 0) {
			snprintf(err, err_size, "'%s': expected an end time after '-' (" TIME_FORMATS ")", spec);
			return -EINVAL;
		}
		p += n;
		while (*p == ' ')
			p++;
	}
	if (*p != '\0') {
		snprintf(err, err_size, "'%s': unexpected '%s' (a window is START or START-END)", spec, p);
		return -EINVAL;
	}
	if (end < start) {
		snprintf(err, err_size, "'%s': the end is before the start", spec);
		return -EINVAL;
	}
	tw->start_ms = start;
	tw->end_ms = end;
	return 0;
}

char *
frx_twin_format(uint64_t ms, char *buf, size_t size)
{
	time_t sec = (time_t)(ms / 1000);
	struct tm tm;

	if (ms / 1000 > (uint64_t)253402300799 || gmtime_r(&sec, &tm) == NULL) {
		snprintf(buf, size, "%" PRIu64, ms);
		return buf;
	}
	snprintf(buf, size, "%04d-%02d-%02d %02d:%02d:%02d.%03u", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned int)(ms % 1000));
	return buf;
}
