/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Record output formats: aligned text, CSV, JSON lines.
 *
 * Each record is built in a stack buffer and written with one fwrite(): no
 * per-field stdio calls. CSV and JSON are assembled by hand (no format
 * string parsing); so is text, with the date cached per second. CSV and JSON share one column list and order
 * (docs/reader.md); tests/test_fmt.c checks that they agree.
 */
#include "fmt.h"

#include "tmpl.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

/* Text columns. The header is printed with the same widths as the records,
 * so for IPv4 every column starts at the same place on every line. */
#define TEXT_DATE_W 25   /* "Date first seen (UTC, ms)"; dates are 23 wide */
#define TEXT_DUR_W 9     /* seconds with milliseconds */
#define TEXT_PROTO_W 5   /* "ICMP6" */
#define TEXT_ADDR_W 15   /* dotted quad; IPv6 is "[addr]" and sticks out */
#define TEXT_PORT_W 5
#define TEXT_FLAGS_W 8   /* "CEUAPRSF" */
#define TEXT_TOS_W 3
#define TEXT_COUNT_W 8   /* "1000.0 K" */

#define CSV_COLUMNS                                                                              \
	"exporter,version,engine_type,engine_id,domain,src_addr,dst_addr,next_hop,src_port,"     \
	"dst_port,proto,tos,tcp_flags,in_if,out_if,packets,bytes,first,last,src_as,dst_as,"      \
	"src_mask,dst_mask,sampling_interval,exporter_port,class,flows,direction,src_vlan,"      \
	"dst_vlan,forwarding_status,in_if_name,out_if_name"

static const char *const fmt_names[] = {
	[FRX_FMT_TEXT] = "text",
	[FRX_FMT_CSV] = "csv",
	[FRX_FMT_JSON] = "json",
};

int
frx_fmt_parse(const char *name, enum frx_fmt *fmt)
{
	for (unsigned int i = 0; i < sizeof(fmt_names) / sizeof(fmt_names[0]); i++) {
		if (strcmp(name, fmt_names[i]) == 0) {
			*fmt = (enum frx_fmt)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *
frx_fmt_name(enum frx_fmt fmt)
{
	if ((unsigned int)fmt >= sizeof(fmt_names) / sizeof(fmt_names[0]))
		return "?";
	return fmt_names[fmt];
}

char *
frx_fmt_human(uint64_t v, char *buf, size_t size)
{
	static const char units[] = "KMGTPE";
	unsigned int unit = 0;
	double d;

	if (v < 1000) {
		snprintf(buf, size, "%" PRIu64, v);
		return buf;
	}
	d = (double)v / 1000.0;
	/* 999.95 would print as "1000.0": move up a unit instead. */
	while (d >= 999.95 && unit + 1 < sizeof(units) - 1) {
		d /= 1000.0;
		unit++;
	}
	snprintf(buf, size, "%.1f %c", d, units[unit]);
	return buf;
}

const char *
frx_fmt_proto(uint8_t proto, char *buf, size_t size)
{
	switch (proto) {
	case 1:
		return "ICMP";
	case 6:
		return "TCP";
	case 17:
		return "UDP";
	case 47:
		return "GRE";
	case 50:
		return "ESP";
	case 58:
		return "ICMP6";
	default:
		snprintf(buf, size, "%u", proto);
		return buf;
	}
}

/* TCP flags as nfdump shows them: CWR ECE URG ACK PSH RST SYN FIN, '.' if clear. */
static void
tcp_flags_text(uint8_t flags, char out[9])
{
	static const char letters[8] = { 'C', 'E', 'U', 'A', 'P', 'R', 'S', 'F' };

	for (int i = 0; i < 8; i++)
		out[i] = (flags & (0x80 >> i)) ? letters[i] : '.';
	out[8] = '\0';
}

/* "YYYY-MM-DD HH:MM:SS.mmm" in UTC; the raw milliseconds if out of range. */
static void
date_text(uint64_t ms, char *buf, size_t size)
{
	time_t sec = (time_t)(ms / 1000);
	struct tm tm;

	if (gmtime_r(&sec, &tm) == NULL || tm.tm_year + 1900 > 9999) {
		snprintf(buf, size, "%" PRIu64, ms);
		return;
	}
	snprintf(buf, size, "%04d-%02d-%02d %02d:%02d:%02d.%03u", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned int)(ms % 1000));
}

int
frx_fmt_header_str(enum frx_fmt fmt, char *buf, size_t size)
{
	switch (fmt) {
	case FRX_FMT_TEXT:
		return snprintf(buf, size, "%-*s %*s %-*s %*s:%-*s    %*s:%-*s %-*s %*s %*s %*s %s\n",
				TEXT_DATE_W, "Date first seen (UTC, ms)", TEXT_DUR_W, "Duration",
				TEXT_PROTO_W, "Proto", TEXT_ADDR_W, "Src IP Addr", TEXT_PORT_W, "Port",
				TEXT_ADDR_W, "Dst IP Addr", TEXT_PORT_W, "Port", TEXT_FLAGS_W, "Flags",
				TEXT_TOS_W, "Tos", TEXT_COUNT_W, "Packets", TEXT_COUNT_W, "Bytes",
				"Exporter");
	case FRX_FMT_CSV:
		return snprintf(buf, size, "%s\n", CSV_COLUMNS);
	case FRX_FMT_JSON:
	default:
		if (size > 0)
			buf[0] = '\0';
		return 0;
	}
}

void
frx_fmt_header(enum frx_fmt fmt, FILE *out)
{
	char buf[512];
	int len = frx_fmt_header_str(fmt, buf, sizeof(buf));

	if (len > 0)
		fwrite(buf, 1, (size_t)len < sizeof(buf) ? (size_t)len : sizeof(buf) - 1, out);
}

/*
 * CSV and JSON are written field by field into the output buffer with the
 * small appenders below instead of one snprintf(): printing every record is
 * what the reader does most, and snprintf's format parsing was 95 % of it.
 * The caller's buffer may be small (the snprintf contract holds: the return
 * value is the length needed), so records are built in a stack buffer of
 * FRX_FMT_RECORD_MAX bytes, which no record can exceed, when the caller's
 * is smaller.
 */
struct out {
	char *p;
};

static inline void
put_mem(struct out *o, const char *s, size_t n)
{
	memcpy(o->p, s, n);
	o->p += n;
}

#define PUT_LIT(o, lit) put_mem((o), (lit), sizeof(lit) - 1)

static inline void
put_char(struct out *o, char c)
{
	*o->p++ = c;
}

/* Two digits at a time, as itoa implementations do: half the divisions. */
static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

static inline void
put_u64(struct out *o, uint64_t v)
{
	char tmp[20];
	char *t = tmp + sizeof(tmp);

	while (v >= 100) {
		unsigned int pair = (unsigned int)(v % 100);

		v /= 100;
		t -= 2;
		memcpy(t, digit_pairs + 2 * pair, 2);
	}
	if (v >= 10) {
		t -= 2;
		memcpy(t, digit_pairs + 2 * v, 2);
	} else {
		*--t = (char)('0' + v);
	}
	put_mem(o, t, (size_t)(tmp + sizeof(tmp) - t));
}

/* 32-bit fields: the 64-bit digit loop (a separate 32-bit copy made no
 * measurable difference to printing every record as CSV). */
static inline void
put_u32(struct out *o, uint32_t v)
{
	put_u64(o, v);
}

/* Dotted quad for IPv4-mapped addresses (by hand: inet_ntop is slow),
 * RFC 5952 text otherwise. Never needs escaping in CSV or JSON. */
static inline void
put_addr(struct out *o, const uint8_t addr[16])
{
	if (frx_addr_is_v4(addr)) {
		for (int i = 12; i < 16; i++) {
			if (i > 12)
				put_char(o, '.');
			put_u32(o, addr[i]);
		}
	} else {
		char a[FRX_ADDR_STRLEN];

		frx_addr_format(addr, a, sizeof(a));
		put_mem(o, a, strlen(a));
	}
}

/* A name from the wire as a JSON string body: quotes, backslashes, control
 * and non-ASCII bytes escaped (names are not promised to be UTF-8). */
static void
put_json_escaped(struct out *o, const char *in)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; in && in[i] && i < FRX_IFNAME_LEN; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '"' || c == '\\') {
			put_char(o, '\\');
			put_char(o, (char)c);
		} else if (c < 0x20 || c >= 0x7f) {
			PUT_LIT(o, "\\u00");
			put_char(o, hex[c >> 4]);
			put_char(o, hex[c & 15]);
		} else {
			put_char(o, (char)c);
		}
	}
}

/* A name as a CSV field: quoted when it holds a comma or quote (quotes
 * doubled); control bytes become spaces so one record stays one line. */
static void
put_csv_escaped(struct out *o, const char *in)
{
	size_t n = in ? strnlen(in, FRX_IFNAME_LEN) : 0;
	int quote = memchr(in ? in : "", ',', n) != NULL || memchr(in ? in : "", '"', n) != NULL;

	if (quote)
		put_char(o, '"');
	for (size_t i = 0; i < n; i++) {
		char c = (unsigned char)in[i] < 0x20 ? ' ' : in[i];

		if (c == '"')
			put_char(o, '"');
		put_char(o, c);
	}
	if (quote)
		put_char(o, '"');
}

/* Longest record: 4 addresses, 4 u64, the rest small numbers, and two
 * escaped names: far below this. */
_Static_assert(FRX_FMT_RECORD_MAX >= 4 * FRX_ADDR_STRLEN + 4 * 20 + 30 * 10 + 2 * 6 * FRX_IFNAME_LEN + 600,
	       "FRX_FMT_RECORD_MAX too small for a JSON record");

static size_t
record_csv(const struct frx_flowrec *rec, const char *in_name, const char *out_name, char *buf)
{
	struct out o = { buf };

	put_addr(&o, rec->exporter_addr);
	put_char(&o, ',');
	put_u32(&o, rec->version);
	put_char(&o, ',');
	put_u32(&o, rec->engine_type);
	put_char(&o, ',');
	put_u32(&o, rec->engine_id);
	put_char(&o, ',');
	put_u32(&o, rec->domain);
	put_char(&o, ',');
	put_addr(&o, rec->src_addr);
	put_char(&o, ',');
	put_addr(&o, rec->dst_addr);
	put_char(&o, ',');
	put_addr(&o, rec->next_hop);
	put_char(&o, ',');
	put_u32(&o, rec->src_port);
	put_char(&o, ',');
	put_u32(&o, rec->dst_port);
	put_char(&o, ',');
	put_u32(&o, rec->proto);
	put_char(&o, ',');
	put_u32(&o, rec->tos);
	put_char(&o, ',');
	put_u32(&o, rec->tcp_flags);
	put_char(&o, ',');
	put_u32(&o, rec->in_if);
	put_char(&o, ',');
	put_u32(&o, rec->out_if);
	put_char(&o, ',');
	put_u64(&o, rec->packets);
	put_char(&o, ',');
	put_u64(&o, rec->bytes);
	put_char(&o, ',');
	put_u64(&o, rec->first_ms);
	put_char(&o, ',');
	put_u64(&o, rec->last_ms);
	put_char(&o, ',');
	put_u32(&o, rec->src_as);
	put_char(&o, ',');
	put_u32(&o, rec->dst_as);
	put_char(&o, ',');
	put_u32(&o, rec->src_mask);
	put_char(&o, ',');
	put_u32(&o, rec->dst_mask);
	put_char(&o, ',');
	put_u32(&o, rec->sampling_interval);
	put_char(&o, ',');
	put_u32(&o, rec->exporter_port);
	put_char(&o, ',');
	put_u32(&o, rec->class_id);
	put_char(&o, ',');
	put_u32(&o, rec->flows);
	put_char(&o, ',');
	put_u32(&o, rec->direction);
	put_char(&o, ',');
	put_u32(&o, rec->src_vlan);
	put_char(&o, ',');
	put_u32(&o, rec->dst_vlan);
	put_char(&o, ',');
	put_u32(&o, rec->forwarding_status);
	put_char(&o, ',');
	put_csv_escaped(&o, in_name);
	put_char(&o, ',');
	put_csv_escaped(&o, out_name);
	put_char(&o, '\n');
	return (size_t)(o.p - buf);
}

static size_t
record_json(const struct frx_flowrec *rec, const char *in_name, const char *out_name, char *buf)
{
	struct out o = { buf };

	PUT_LIT(&o, "{\"exporter\":\"");
	put_addr(&o, rec->exporter_addr);
	PUT_LIT(&o, "\",\"version\":");
	put_u32(&o, rec->version);
	PUT_LIT(&o, ",\"engine_type\":");
	put_u32(&o, rec->engine_type);
	PUT_LIT(&o, ",\"engine_id\":");
	put_u32(&o, rec->engine_id);
	PUT_LIT(&o, ",\"domain\":");
	put_u32(&o, rec->domain);
	PUT_LIT(&o, ",\"src_addr\":\"");
	put_addr(&o, rec->src_addr);
	PUT_LIT(&o, "\",\"dst_addr\":\"");
	put_addr(&o, rec->dst_addr);
	PUT_LIT(&o, "\",\"next_hop\":\"");
	put_addr(&o, rec->next_hop);
	PUT_LIT(&o, "\",\"src_port\":");
	put_u32(&o, rec->src_port);
	PUT_LIT(&o, ",\"dst_port\":");
	put_u32(&o, rec->dst_port);
	PUT_LIT(&o, ",\"proto\":");
	put_u32(&o, rec->proto);
	PUT_LIT(&o, ",\"tos\":");
	put_u32(&o, rec->tos);
	PUT_LIT(&o, ",\"tcp_flags\":");
	put_u32(&o, rec->tcp_flags);
	PUT_LIT(&o, ",\"in_if\":");
	put_u32(&o, rec->in_if);
	PUT_LIT(&o, ",\"out_if\":");
	put_u32(&o, rec->out_if);
	PUT_LIT(&o, ",\"packets\":");
	put_u64(&o, rec->packets);
	PUT_LIT(&o, ",\"bytes\":");
	put_u64(&o, rec->bytes);
	PUT_LIT(&o, ",\"first\":");
	put_u64(&o, rec->first_ms);
	PUT_LIT(&o, ",\"last\":");
	put_u64(&o, rec->last_ms);
	PUT_LIT(&o, ",\"src_as\":");
	put_u32(&o, rec->src_as);
	PUT_LIT(&o, ",\"dst_as\":");
	put_u32(&o, rec->dst_as);
	PUT_LIT(&o, ",\"src_mask\":");
	put_u32(&o, rec->src_mask);
	PUT_LIT(&o, ",\"dst_mask\":");
	put_u32(&o, rec->dst_mask);
	PUT_LIT(&o, ",\"sampling_interval\":");
	put_u32(&o, rec->sampling_interval);
	PUT_LIT(&o, ",\"exporter_port\":");
	put_u32(&o, rec->exporter_port);
	PUT_LIT(&o, ",\"class\":");
	put_u32(&o, rec->class_id);
	PUT_LIT(&o, ",\"flows\":");
	put_u32(&o, rec->flows);
	PUT_LIT(&o, ",\"direction\":");
	put_u32(&o, rec->direction);
	PUT_LIT(&o, ",\"src_vlan\":");
	put_u32(&o, rec->src_vlan);
	PUT_LIT(&o, ",\"dst_vlan\":");
	put_u32(&o, rec->dst_vlan);
	PUT_LIT(&o, ",\"forwarding_status\":");
	put_u32(&o, rec->forwarding_status);
	PUT_LIT(&o, ",\"in_if_name\":\"");
	put_json_escaped(&o, in_name);
	PUT_LIT(&o, "\",\"out_if_name\":\"");
	put_json_escaped(&o, out_name);
	PUT_LIT(&o, "\"}\n");
	return (size_t)(o.p - buf);
}

/* Text: the same appenders, padded to the header's columns. */
static inline void
put_spaces(struct out *o, size_t n)
{
	memset(o->p, ' ', n);
	o->p += n;
}

static inline void
put_left(struct out *o, const char *str, size_t len, size_t width)
{
	put_mem(o, str, len);
	if (len < width)
		put_spaces(o, width - len);
}

static inline void
put_right(struct out *o, const char *str, size_t len, size_t width)
{
	if (len < width)
		put_spaces(o, width - len);
	put_mem(o, str, len);
}

static inline size_t
u32_text(uint32_t v, char tmp[10])
{
	struct out t = { tmp };

	put_u32(&t, v);
	return (size_t)(t.p - tmp);
}

/* "YYYY-MM-DD HH:MM:SS" of the last second seen: records come in time
 * order, so gmtime_r() runs about once per second of flows, not per record. */
static __thread uint64_t date_cache_sec = UINT64_MAX;
static __thread char date_cache[20];

static void
put_date(struct out *o, uint64_t ms)
{
	uint64_t sec = ms / 1000;
	unsigned int milli = (unsigned int)(ms % 1000);

	if (sec != date_cache_sec) {
		char buf[80];

		date_text(ms, buf, sizeof(buf));
		if (strlen(buf) != 23) { /* out of range: raw milliseconds */
			put_left(o, buf, strlen(buf), TEXT_DATE_W);
			return;
		}
		memcpy(date_cache, buf, 19);
		date_cache_sec = sec;
	}
	put_mem(o, date_cache, 19);
	put_char(o, '.');
	put_char(o, (char)('0' + milli / 100));
	memcpy(o->p, digit_pairs + 2 * (milli % 100), 2);
	o->p += 2;
	put_spaces(o, TEXT_DATE_W - 23);
}

/* Seconds with milliseconds, right-aligned, as "%9.3f" of ms / 1000.0 prints
 * it: exact, since any |ms| below 2^53 divides to the nearest double. */
static void
put_duration(struct out *o, int64_t duration_ms)
{
	char tmp[32];
	struct out t = { tmp };
	uint64_t mag;

	if (duration_ms <= -(INT64_C(1) << 53) || duration_ms >= (INT64_C(1) << 53)) {
		int n = snprintf(tmp, sizeof(tmp), "%.3f", (double)duration_ms / 1000.0);

		put_right(o, tmp, (size_t)n, TEXT_DUR_W);
		return;
	}
	if (duration_ms < 0)
		put_char(&t, '-');
	mag = duration_ms < 0 ? (uint64_t)-duration_ms : (uint64_t)duration_ms;
	put_u64(&t, mag / 1000);
	put_char(&t, '.');
	put_char(&t, (char)('0' + (mag % 1000) / 100));
	memcpy(t.p, digit_pairs + 2 * (mag % 100), 2);
	t.p += 2;
	put_right(o, tmp, (size_t)(t.p - tmp), TEXT_DUR_W);
}

/* Address right-aligned in its column, IPv6 in brackets so ":port" reads right. */
static void
put_text_addr(struct out *o, const uint8_t addr[16])
{
	char tmp[FRX_ADDR_STRLEN + 2];
	struct out t = { tmp };

	if (frx_addr_is_v4(addr)) {
		put_addr(&t, addr);
	} else {
		put_char(&t, '[');
		put_addr(&t, addr);
		put_char(&t, ']');
	}
	put_right(o, tmp, (size_t)(t.p - tmp), TEXT_ADDR_W);
}

static void
put_text_port(struct out *o, uint16_t port)
{
	char tmp[10];

	put_left(o, tmp, u32_text(port, tmp), TEXT_PORT_W);
}

static void
put_text_count(struct out *o, uint64_t v)
{
	char tmp[FRX_FMT_HUMAN_MAX];

	if (v < 1000) {
		put_right(o, tmp, u32_text((uint32_t)v, tmp), TEXT_COUNT_W);
		return;
	}
	frx_fmt_human(v, tmp, sizeof(tmp));
	put_right(o, tmp, strlen(tmp), TEXT_COUNT_W);
}

static size_t
record_text(const struct frx_flowrec *rec, const char *in_name, const char *out_name, char *buf)
{
	struct out o = { buf };
	char tmp[16];
	const char *proto;
	char flags[9];

	(void)in_name;
	(void)out_name;
	put_date(&o, rec->first_ms);
	put_char(&o, ' ');
	put_duration(&o, (int64_t)(rec->last_ms - rec->first_ms));
	put_char(&o, ' ');
	proto = frx_fmt_proto(rec->proto, tmp, sizeof(tmp));
	put_left(&o, proto, strlen(proto), TEXT_PROTO_W);
	put_char(&o, ' ');
	put_text_addr(&o, rec->src_addr);
	put_char(&o, ':');
	put_text_port(&o, rec->src_port);
	PUT_LIT(&o, " -> ");
	put_text_addr(&o, rec->dst_addr);
	put_char(&o, ':');
	put_text_port(&o, rec->dst_port);
	put_char(&o, ' ');
	tcp_flags_text(rec->tcp_flags, flags);
	put_left(&o, flags, 8, TEXT_FLAGS_W);
	put_char(&o, ' ');
	put_right(&o, tmp, u32_text(rec->tos, tmp), TEXT_TOS_W);
	put_char(&o, ' ');
	put_text_count(&o, rec->packets);
	put_char(&o, ' ');
	put_text_count(&o, rec->bytes);
	put_char(&o, ' ');
	put_addr(&o, rec->exporter_addr);
	put_char(&o, '\n');
	return (size_t)(o.p - buf);
}

/* Build with @p build into buf, or into a stack buffer when buf is smaller
 * than any record can be, then copy what fits (snprintf's contract). */
static int
record_into(size_t (*build)(const struct frx_flowrec *, const char *, const char *, char *),
	    const struct frx_flowrec *rec, const char *in_name, const char *out_name, char *buf,
	    size_t size)
{
	char tmp[FRX_FMT_RECORD_MAX];
	size_t len;

	if (size >= FRX_FMT_RECORD_MAX) {
		len = build(rec, in_name, out_name, buf);
		buf[len] = '\0';
		return (int)len;
	}
	len = build(rec, in_name, out_name, tmp);
	if (size > 0) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(buf, tmp, n);
		buf[n] = '\0';
	}
	return (int)len;
}

int
frx_fmt_record_names_str(enum frx_fmt fmt, const struct frx_flowrec *rec, const char *in_if_name,
			 const char *out_if_name, char *buf, size_t size)
{
	switch (fmt) {
	case FRX_FMT_CSV:
		return record_into(record_csv, rec, in_if_name, out_if_name, buf, size);
	case FRX_FMT_JSON:
		return record_into(record_json, rec, in_if_name, out_if_name, buf, size);
	case FRX_FMT_TEXT:
	default:
		return record_into(record_text, rec, in_if_name, out_if_name, buf, size);
	}
}

int
frx_fmt_record_str(enum frx_fmt fmt, const struct frx_flowrec *rec, char *buf, size_t size)
{
	return frx_fmt_record_names_str(fmt, rec, NULL, NULL, buf, size);
}

void
frx_fmt_record(enum frx_fmt fmt, const struct frx_flowrec *rec, FILE *out)
{
	frx_fmt_record_names(fmt, rec, NULL, NULL, out);
}

void
frx_fmt_record_names(enum frx_fmt fmt, const struct frx_flowrec *rec, const char *in_if_name,
		     const char *out_if_name, FILE *out)
{
	char buf[FRX_FMT_RECORD_MAX];
	int len = frx_fmt_record_names_str(fmt, rec, in_if_name, out_if_name, buf, sizeof(buf));

	if (len <= 0)
		return;
	if ((size_t)len >= sizeof(buf))
		len = (int)sizeof(buf) - 1; /* cannot happen: FRX_FMT_RECORD_MAX is generous */
	fwrite(buf, 1, (size_t)len, out);
}
