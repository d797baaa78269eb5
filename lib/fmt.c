/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Record output formats: aligned text, CSV, JSON lines.
 *
 * One snprintf() per record into a stack buffer and one fwrite(): no
 * per-field stdio calls. CSV and JSON share one column list and order
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

/* Address for the text columns: IPv6 in brackets so the ":port" reads right. */
static void
addr_text(const uint8_t addr[16], char *buf, size_t size)
{
	char a[FRX_ADDR_STRLEN];

	frx_addr_format(addr, a, sizeof(a));
	if (frx_addr_is_v4(addr))
		snprintf(buf, size, "%s", a);
	else
		snprintf(buf, size, "[%s]", a);
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

static int
record_text(const struct frx_flowrec *rec, char *buf, size_t size)
{
	char date[80], src[FRX_ADDR_STRLEN + 2], dst[FRX_ADDR_STRLEN + 2], exporter[FRX_ADDR_STRLEN];
	char proto_buf[4], flags[9], packets[FRX_FMT_HUMAN_MAX], bytes[FRX_FMT_HUMAN_MAX];
	int64_t duration_ms = (int64_t)(rec->last_ms - rec->first_ms);

	date_text(rec->first_ms, date, sizeof(date));
	addr_text(rec->src_addr, src, sizeof(src));
	addr_text(rec->dst_addr, dst, sizeof(dst));
	frx_addr_format(rec->exporter_addr, exporter, sizeof(exporter));
	tcp_flags_text(rec->tcp_flags, flags);
	frx_fmt_human(rec->packets, packets, sizeof(packets));
	frx_fmt_human(rec->bytes, bytes, sizeof(bytes));

	return snprintf(buf, size, "%-*s %*.3f %-*s %*s:%-*u -> %*s:%-*u %-*s %*u %*s %*s %s\n",
			TEXT_DATE_W, date, TEXT_DUR_W, (double)duration_ms / 1000.0, TEXT_PROTO_W,
			frx_fmt_proto(rec->proto, proto_buf, sizeof(proto_buf)), TEXT_ADDR_W, src,
			TEXT_PORT_W, rec->src_port, TEXT_ADDR_W, dst, TEXT_PORT_W, rec->dst_port,
			TEXT_FLAGS_W, flags, TEXT_TOS_W, rec->tos, TEXT_COUNT_W, packets, TEXT_COUNT_W,
			bytes, exporter);
}

static void csv_escape(const char *in, char *out, size_t size);

static int
record_csv(const struct frx_flowrec *rec, const char *in_name, const char *out_name, char *buf,
	   size_t size)
{
	char in_esc[FRX_IFNAME_LEN * 2 + 3], out_esc[FRX_IFNAME_LEN * 2 + 3];
	char exporter[FRX_ADDR_STRLEN], src[FRX_ADDR_STRLEN], dst[FRX_ADDR_STRLEN], nh[FRX_ADDR_STRLEN];

	frx_addr_format(rec->exporter_addr, exporter, sizeof(exporter));
	frx_addr_format(rec->src_addr, src, sizeof(src));
	frx_addr_format(rec->dst_addr, dst, sizeof(dst));
	frx_addr_format(rec->next_hop, nh, sizeof(nh));

	csv_escape(in_name, in_esc, sizeof(in_esc));
	csv_escape(out_name, out_esc, sizeof(out_esc));
	/* Addresses contain no ',' or '"': nothing needs quoting. */
	return snprintf(buf, size,
			"%s,%u,%u,%u,%" PRIu32 ",%s,%s,%s,%u,%u,%u,%u,%u,%" PRIu32 ",%" PRIu32 ",%" PRIu64
			",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu32 ",%" PRIu32 ",%u,%u,%" PRIu32
			",%u,%u,%" PRIu32 ",%u,%u,%u,%u,%s,%s\n",
			exporter, rec->version, rec->engine_type, rec->engine_id, rec->domain, src, dst, nh,
			rec->src_port, rec->dst_port, rec->proto, rec->tos, rec->tcp_flags, rec->in_if,
			rec->out_if, rec->packets, rec->bytes, rec->first_ms, rec->last_ms, rec->src_as,
			rec->dst_as, rec->src_mask, rec->dst_mask, rec->sampling_interval,
			rec->exporter_port, rec->class_id, rec->flows, rec->direction, rec->src_vlan,
			rec->dst_vlan, rec->forwarding_status, in_esc, out_esc);
}

/* A name from the wire as a JSON string body: quotes, backslashes, control
 * and non-ASCII bytes escaped (names are not promised to be UTF-8). */
static void
json_escape(const char *in, char *out, size_t size)
{
	size_t o = 0;

	for (; in && *in && o + 7 < size; in++) {
		unsigned char c = (unsigned char)*in;

		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20 || c >= 0x7f) {
			o += (size_t)snprintf(out + o, size - o, "\\u%04x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
}

/* A name as a CSV field: quoted when it holds a comma or quote (quotes
 * doubled); control bytes become spaces so one record stays one line. */
static void
csv_escape(const char *in, char *out, size_t size)
{
	size_t o = 0;
	int quote = in && strpbrk(in, ",\"") != NULL;

	if (quote)
		out[o++] = '"';
	for (; in && *in && o + 4 < size; in++) {
		char c = (unsigned char)*in < 0x20 ? ' ' : *in;

		if (c == '"')
			out[o++] = '"';
		out[o++] = c;
	}
	if (quote)
		out[o++] = '"';
	out[o] = '\0';
}

#define NAME_ESCAPED_MAX (FRX_IFNAME_LEN * 6 + 3)

static int
record_json(const struct frx_flowrec *rec, const char *in_name, const char *out_name, char *buf,
	    size_t size)
{
	char in_esc[NAME_ESCAPED_MAX], out_esc[NAME_ESCAPED_MAX];
	char exporter[FRX_ADDR_STRLEN], src[FRX_ADDR_STRLEN], dst[FRX_ADDR_STRLEN], nh[FRX_ADDR_STRLEN];

	frx_addr_format(rec->exporter_addr, exporter, sizeof(exporter));
	frx_addr_format(rec->src_addr, src, sizeof(src));
	frx_addr_format(rec->dst_addr, dst, sizeof(dst));
	frx_addr_format(rec->next_hop, nh, sizeof(nh));

	json_escape(in_name, in_esc, sizeof(in_esc));
	json_escape(out_name, out_esc, sizeof(out_esc));
	/* Address text is digits, hex, '.' and ':': no JSON escaping needed. */
	return snprintf(buf, size,
			"{\"exporter\":\"%s\",\"version\":%u,\"engine_type\":%u,\"engine_id\":%u,"
			"\"domain\":%" PRIu32 ",\"src_addr\":\"%s\",\"dst_addr\":\"%s\","
			"\"next_hop\":\"%s\",\"src_port\":%u,\"dst_port\":%u,\"proto\":%u,\"tos\":%u,"
			"\"tcp_flags\":%u,\"in_if\":%" PRIu32 ",\"out_if\":%" PRIu32 ",\"packets\":%" PRIu64
			",\"bytes\":%" PRIu64 ",\"first\":%" PRIu64 ",\"last\":%" PRIu64
			",\"src_as\":%" PRIu32 ",\"dst_as\":%" PRIu32 ",\"src_mask\":%u,\"dst_mask\":%u,"
			"\"sampling_interval\":%" PRIu32 ",\"exporter_port\":%u,\"class\":%u,"
			"\"flows\":%" PRIu32 ",\"direction\":%u,\"src_vlan\":%u,\"dst_vlan\":%u,"
			"\"forwarding_status\":%u,\"in_if_name\":\"%s\",\"out_if_name\":\"%s\"}\n",
			exporter, rec->version, rec->engine_type, rec->engine_id, rec->domain, src, dst, nh,
			rec->src_port, rec->dst_port, rec->proto, rec->tos, rec->tcp_flags, rec->in_if,
			rec->out_if, rec->packets, rec->bytes, rec->first_ms, rec->last_ms, rec->src_as,
			rec->dst_as, rec->src_mask, rec->dst_mask, rec->sampling_interval,
			rec->exporter_port, rec->class_id, rec->flows, rec->direction, rec->src_vlan,
			rec->dst_vlan, rec->forwarding_status, in_esc, out_esc);
}

int
frx_fmt_record_names_str(enum frx_fmt fmt, const struct frx_flowrec *rec, const char *in_if_name,
			 const char *out_if_name, char *buf, size_t size)
{
	switch (fmt) {
	case FRX_FMT_CSV:
		return record_csv(rec, in_if_name, out_if_name, buf, size);
	case FRX_FMT_JSON:
		return record_json(rec, in_if_name, out_if_name, buf, size);
	case FRX_FMT_TEXT:
	default:
		return record_text(rec, buf, size);
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
