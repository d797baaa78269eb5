/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rules file parser and compiler (libinih for the INI syntax, hyperscan for
 * the string conditions) and the reference matcher.
 *
 * libinih does not tell a handler which line it is on, so the file is fed
 * to it through our own line reader (ini_parse_stream), which counts lines,
 * notes where each [section] starts and refuses lines longer than libinih's
 * buffer instead of letting them be split silently.
 */
#include "rules.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hs/hs.h>
#include <ini.h>

#define RULES_FILE_MAX (64u << 20)

static const char *const str_field_names[FRX_STR_MAX] = {
	[FRX_STR_APPLICATION] = "application",
	[FRX_STR_APP_DESCR] = "application_description",
	[FRX_STR_IN_IF_NAME] = "in_if_name",
	[FRX_STR_OUT_IF_NAME] = "out_if_name",
};

const char *
frx_str_field_name(unsigned int field)
{
	return field < FRX_STR_MAX ? str_field_names[field] : "?";
}

const char *
frx_rule_action_name(unsigned int action)
{
	switch (action) {
	case FRX_RULE_DROP:
		return "drop";
	case FRX_RULE_KEEP:
		return "keep";
	case FRX_RULE_CLASS:
		return "class";
	}
	return "?";
}

/* ------------------------------------------------------------ parse state */

/* Bits of keys that may appear once per rule. */
enum {
	SEEN_PRIORITY = 1u << 0, SEEN_ACTION = 1u << 1, SEEN_SRC_PORT = 1u << 2, SEEN_DST_PORT = 1u << 3,
	SEEN_PROTO = 1u << 4, SEEN_TOS = 1u << 5, SEEN_TCP_FLAGS = 1u << 6, SEEN_IN_IF = 1u << 7,
	SEEN_OUT_IF = 1u << 8, SEEN_SRC_AS = 1u << 9, SEEN_DST_AS = 1u << 10,
};

struct section_mark {
	uint32_t line;
	char name[FRX_RULE_NAME_MAX + 8];
};

struct parse {
	const char *name;          /* file name for messages */
	const char *text, *end;    /* what the reader has not handed out yet */
	uint32_t line;             /* line last handed to libinih */
	int failed;
	char *err;
	size_t err_len;
	int err_code;
	struct frx_ruleset *rs;
	uint32_t rules_cap, patterns_cap;
	uint32_t *seen;            /* per rule: SEEN_* */
	uint32_t rule_sections;     /* sections that started a rule so far */
	struct section_mark *sections;
	uint32_t nb_sections, sections_cap;
};

static void __attribute__((format(printf, 3, 4)))
fail_at(struct parse *ps, uint32_t line, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (ps->failed)
		return; /* the first error is the one to fix */
	ps->failed = 1;
	ps->err_code = -EINVAL;
	if (ps->err == NULL || ps->err_len == 0)
		return;
	if (line)
		n = (size_t)snprintf(ps->err, ps->err_len, "%s:%" PRIu32 ": ", ps->name, line);
	else
		n = (size_t)snprintf(ps->err, ps->err_len, "%s: ", ps->name);
	if (n >= ps->err_len)
		return;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->err_len - n, fmt, ap);
	va_end(ap);
}

static void
fail_nomem(struct parse *ps)
{
	fail_at(ps, 0, "out of memory");
	ps->err_code = -ENOMEM;
}

/* libinih's reader: one line at a time, counted. */
static char *
read_line(char *buf, int size, void *stream)
{
	struct parse *ps = stream;
	const char *nl;
	size_t len, take;
	const char *p;

	if (ps->failed || ps->text >= ps->end)
		return NULL;
	nl = memchr(ps->text, '\n', (size_t)(ps->end - ps->text));
	len = nl ? (size_t)(nl - ps->text) + 1 : (size_t)(ps->end - ps->text);
	ps->line++;
	take = len - (nl != NULL);
	if (take && ps->text[take - 1] == '\r')
		take--;
	if (take > FRX_RULES_LINE_MAX || take + 2 > (size_t)size) {
		fail_at(ps, ps->line, "line longer than %d characters", FRX_RULES_LINE_MAX);
		return NULL;
	}
	memcpy(buf, ps->text, take);
	buf[take] = '\n';
	buf[take + 1] = '\0';
	/* a NUL inside the line would hide the rest of it from libinih */
	if (memchr(ps->text, '\0', take) != NULL) {
		fail_at(ps, ps->line, "NUL byte in the line");
		return NULL;
	}
	/* remember where sections start: libinih does not say */
	p = buf;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '[') {
		const char *close = strchr(p, ']');

		if (ps->nb_sections == ps->sections_cap) {
			uint32_t cap = ps->sections_cap ? ps->sections_cap * 2 : 64;
			struct section_mark *n = realloc(ps->sections, cap * sizeof(*n));

			if (n == NULL) {
				fail_nomem(ps);
				return NULL;
			}
			ps->sections = n;
			ps->sections_cap = cap;
		}
		ps->sections[ps->nb_sections].line = ps->line;
		if (close) {
			/* as libinih trims it */
			const char *s = p + 1, *e = close;

			while (s < e && isspace((unsigned char)*s))
				s++;
			while (e > s && isspace((unsigned char)e[-1]))
				e--;
			snprintf(ps->sections[ps->nb_sections].name, sizeof(ps->sections[0].name), "%.*s",
				 (int)(e - s), s);
		} else {
			ps->sections[ps->nb_sections].name[0] = '\0';
		}
		ps->nb_sections++;
	}
	ps->text += len;
	return buf;
}

/* Line of the section header libinih is in (the last one seen). */
static uint32_t
section_line(const struct parse *ps)
{
	return ps->nb_sections ? ps->sections[ps->nb_sections - 1].line : ps->line;
}

/* ------------------------------------------------------------ value parsers */

static const char *
skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Unsigned number, decimal or 0x hex, up to max. @return 0 or -1. */
static int
parse_u32(const char *s, const char **end, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *e;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &e, 0);
	if (errno || e == s || v > max)
		return -1;
	*out = (uint32_t)v;
	*end = e;
	return 0;
}

/* "N" or "N-M" over the whole value. */
static int
parse_range(const char *value, uint32_t max, struct frx_rule_range *r)
{
	const char *p = skip_ws(value), *e;
	uint32_t lo, hi;

	if (parse_u32(p, &e, max, &lo) < 0)
		return -1;
	p = skip_ws(e);
	hi = lo;
	if (*p == '-') {
		p = skip_ws(p + 1);
		if (parse_u32(p, &e, max, &hi) < 0)
			return -1;
		p = skip_ws(e);
	}
	if (*p != '\0' || hi < lo)
		return -1;
	r->lo = lo;
	r->hi = hi;
	return 0;
}

/* "V" or "V/MASK" (numbers). Without a mask the value must match exactly. */
static int
parse_byte_mask(const char *value, uint8_t *v, uint8_t *mask)
{
	const char *p = skip_ws(value), *e;
	uint32_t val, m = 0xff;

	if (parse_u32(p, &e, 255, &val) < 0)
		return -1;
	p = skip_ws(e);
	if (*p == '/') {
		p = skip_ws(p + 1);
		if (parse_u32(p, &e, 255, &m) < 0)
			return -1;
		p = skip_ws(e);
	}
	if (*p != '\0' || (val & ~m) != 0)
		return -1;
	*v = (uint8_t)val;
	*mask = (uint8_t)m;
	return 0;
}

/* TCP flags as letters (nfdump's: F S R P A U E C) or a number. */
static int
parse_flags_word(const char *s, const char **end, uint32_t *out)
{
	static const char letters[] = "FSRPAUEC";
	uint32_t v = 0;

	if (isdigit((unsigned char)*s))
		return parse_u32(s, end, 255, out);
	if (!isalpha((unsigned char)*s))
		return -1;
	while (isalpha((unsigned char)*s)) {
		const char *l = strchr(letters, toupper((unsigned char)*s));

		if (l == NULL)
			return -1;
		v |= 1u << (l - letters);
		s++;
	}
	*out = v;
	*end = s;
	return 0;
}

/* "VALUE/MASK" or "VALUE" (then mask = value: these flags set, others any). */
static int
parse_tcp_flags(const char *value, uint8_t *v, uint8_t *mask)
{
	const char *p = skip_ws(value), *e;
	uint32_t val, m;

	if (parse_flags_word(p, &e, &val) < 0)
		return -1;
	p = skip_ws(e);
	m = val;
	if (*p == '/') {
		p = skip_ws(p + 1);
		if (parse_flags_word(p, &e, &m) < 0)
			return -1;
		p = skip_ws(e);
	}
	if (*p != '\0' || (val & ~m) != 0)
		return -1;
	*v = (uint8_t)val;
	*mask = (uint8_t)m;
	return 0;
}

static int
parse_proto(const char *value, uint8_t *proto)
{
	static const struct {
		const char *name;
		uint8_t number;
	} names[] = { { "icmp", 1 }, { "igmp", 2 }, { "tcp", 6 }, { "udp", 17 }, { "gre", 47 }, { "esp", 50 },
		      { "ah", 51 }, { "icmp6", 58 }, { "ipv6-icmp", 58 }, { "ospf", 89 }, { "sctp", 132 } };
	struct frx_rule_range r;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(value, names[i].name) == 0) {
			*proto = names[i].number;
			return 0;
		}
	if (parse_range(value, 255, &r) < 0 || r.lo != r.hi)
		return -1;
	*proto = (uint8_t)r.lo;
	return 0;
}

/* One prefix "ADDR[/LEN]". @return NULL, or a static reason. */
static const char *
parse_prefix(const char *text, struct frx_rule_prefix *p)
{
	char buf[64];
	char *slash, *e;
	long len;
	int v4;

	if (strlen(text) >= sizeof(buf))
		return "not an address prefix";
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	v4 = strchr(buf, ':') == NULL;
	if (frx_addr_parse(buf, p->addr) < 0)
		return "not an IPv4/IPv6 address";
	len = v4 ? 32 : 128;
	if (slash) {
		errno = 0;
		len = strtol(slash + 1, &e, 10);
		if (errno || e == slash + 1 || *e != '\0' || len < 0 || len > (v4 ? 32 : 128))
			return v4 ? "prefix length must be 0-32" : "prefix length must be 0-128";
	}
	p->is_v4 = (uint8_t)v4;
	p->len = (uint8_t)(v4 ? len + 96 : len);
	for (unsigned int bit = p->len; bit < 128; bit++)
		if (p->addr[bit / 8] & (0x80 >> (bit % 8)))
			return "host bits set after the prefix length";
	return NULL;
}

/* Comma/space separated prefixes appended to *list. */
static void
add_prefixes(struct parse *ps, const char *key, const char *value, struct frx_rule_prefix **list, uint16_t *nb,
	     uint8_t *has_v4, uint8_t *has_v6)
{
	char item[64];
	const char *p = value;

	for (;;) {
		size_t n;
		const char *why;
		struct frx_rule_prefix pfx;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		n = strcspn(p, " \t,");
		if (n >= sizeof(item)) {
			fail_at(ps, ps->line, "%s: '%.*s...' is not an address prefix", key, 20, p);
			return;
		}
		memcpy(item, p, n);
		item[n] = '\0';
		p += n;
		why = parse_prefix(item, &pfx);
		if (why) {
			fail_at(ps, ps->line, "%s: '%s': %s", key, item, why);
			return;
		}
		if (*nb >= FRX_RULE_MAX_PREFIXES) {
			fail_at(ps, ps->line, "%s: more than %d prefixes in one rule", key, FRX_RULE_MAX_PREFIXES);
			return;
		}
		if ((*nb & (*nb - 1)) == 0 || *nb == 0) { /* grow at powers of two */
			struct frx_rule_prefix *g = realloc(*list, (size_t)(*nb ? *nb * 2 : 4) * sizeof(**list));

			if (g == NULL) {
				fail_nomem(ps);
				return;
			}
			*list = g;
		}
		(*list)[(*nb)++] = pfx;
		if (pfx.is_v4)
			*has_v4 = 1;
		else
			*has_v6 = 1;
	}
	if (*nb == 0)
		fail_at(ps, ps->line, "%s: no prefix given", key);
}

/* "~ /regex/" or "~ /regex/i", or a literal: "text" or bare text. */
static void
add_pattern(struct parse *ps, uint32_t rule, unsigned int field, const char *value)
{
	struct frx_ruleset *rs = ps->rs;
	struct frx_rule_pattern pat;
	struct frx_rule *r = &rs->rules[rule];
	const char *p = value;
	size_t len;

	memset(&pat, 0, sizeof(pat));
	pat.rule = rule;
	pat.field = (uint8_t)field;
	if (*p == '~') {
		const char *last;

		p = skip_ws(p + 1);
		len = strlen(p);
		last = len ? strrchr(p, '/') : NULL;
		if (*p != '/' || last == NULL || last == p) {
			fail_at(ps, ps->line, "%s: a regular expression is written ~ /REGEX/ (or /REGEX/i)",
				frx_str_field_name(field));
			return;
		}
		if (strcmp(last + 1, "i") == 0) {
			pat.caseless = 1;
		} else if (last[1] != '\0') {
			fail_at(ps, ps->line, "%s: unknown regex flag '%s' after /REGEX/ (only i)",
				frx_str_field_name(field), last + 1);
			return;
		}
		pat.is_regex = 1;
		len = (size_t)(last - (p + 1));
		if (len == 0) {
			fail_at(ps, ps->line, "%s: empty regular expression", frx_str_field_name(field));
			return;
		}
		pat.text = strndup(p + 1, len);
	} else {
		len = strlen(p);
		if (len >= 2 && p[0] == '"' && p[len - 1] == '"') {
			p++;
			len -= 2;
		}
		pat.text = strndup(p, len);
	}
	if (pat.text == NULL) {
		fail_nomem(ps);
		return;
	}
	if (r->nb_patterns >= FRX_RULE_MAX_PATTERNS) {
		free(pat.text);
		fail_at(ps, ps->line, "more than %d string conditions in one rule", FRX_RULE_MAX_PATTERNS);
		return;
	}
	if (rs->nb_patterns == ps->patterns_cap) {
		uint32_t cap = ps->patterns_cap ? ps->patterns_cap * 2 : 16;
		struct frx_rule_pattern *g = realloc(rs->patterns, cap * sizeof(*g));

		if (g == NULL) {
			free(pat.text);
			fail_nomem(ps);
			return;
		}
		rs->patterns = g;
		ps->patterns_cap = cap;
	}
	rs->patterns[rs->nb_patterns] = pat;
	rs->patterns[rs->nb_patterns].field = (uint8_t)field;
	rs->nb_patterns++;
	r->nb_patterns++;
	r->str_fields |= (uint8_t)(1u << field);
}

static int
valid_name(const char *name)
{
	if (*name == '\0' || strlen(name) > FRX_RULE_NAME_MAX)
		return 0;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_-.:/@+", *p))
			return 0;
	return 1;
}

/* A new [rule NAME] section: start a rule. @return 0 or -1. */
static int
begin_rule(struct parse *ps, const char *section)
{
	struct frx_ruleset *rs = ps->rs;
	struct frx_rule *r;
	const char *name;
	uint32_t line = section_line(ps);

	ps->rule_sections = ps->nb_sections;
	if (strncmp(section, "rule", 4) != 0 || (section[4] != ' ' && section[4] != '\t')) {
		fail_at(ps, line, "unknown section [%s] (a rule is [rule NAME])", section);
		return -1;
	}
	name = skip_ws(section + 4);
	if (!valid_name(name)) {
		fail_at(ps, line, "bad rule name '%s' (1-%d characters: letters, digits, _-.:/@+)", name,
			FRX_RULE_NAME_MAX);
		return -1;
	}
	for (uint32_t i = 0; i < rs->nb_rules; i++)
		if (strcmp(rs->rules[i].name, name) == 0) {
			fail_at(ps, line, "rule '%s' defined twice (first at line %" PRIu32 ")", name,
				rs->rules[i].line);
			return -1;
		}
	if (rs->nb_rules >= FRX_RULES_MAX) {
		fail_at(ps, line, "more than %d rules", FRX_RULES_MAX);
		return -1;
	}
	if (rs->nb_rules == ps->rules_cap) {
		uint32_t cap = ps->rules_cap ? ps->rules_cap * 2 : 16;
		struct frx_rule *g = realloc(rs->rules, cap * sizeof(*g));
		uint32_t *s;

		if (g == NULL) {
			fail_nomem(ps);
			return -1;
		}
		rs->rules = g;
		s = realloc(ps->seen, cap * sizeof(*s));
		if (s == NULL) {
			fail_nomem(ps);
			return -1;
		}
		ps->seen = s;
		ps->rules_cap = cap;
	}
	r = &rs->rules[rs->nb_rules];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->line = line;
	r->order = rs->nb_rules;
	r->src_port.hi = r->dst_port.hi = 0xffff;
	r->in_if.hi = r->out_if.hi = r->src_as.hi = r->dst_as.hi = UINT32_MAX;
	ps->seen[rs->nb_rules] = 0;
	rs->nb_rules++;
	return 0;
}

static int
once(struct parse *ps, uint32_t bit, const char *key)
{
	uint32_t *seen = &ps->seen[ps->rs->nb_rules - 1];

	if (*seen & bit) {
		fail_at(ps, ps->line, "'%s' given twice in rule '%s'", key, ps->rs->rules[ps->rs->nb_rules - 1].name);
		return -1;
	}
	*seen |= bit;
	return 0;
}

/*
 * Sections of flowrx's configuration file (docs/configuration.md): rules
 * may live in that file too, so the rules parser passes over its other
 * sections, as the configuration parser passes over [rule NAME] ones.
 */
static int
is_config_section(const char *section)
{
	static const char *const names[] = { "eal", "input", "lcores", "output", "exporters", "netflow",
					     "syslog", "telemetry", "resources", "rules" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(section, names[i]) == 0)
			return 1;
	return strncmp(section, "exporter", 8) == 0 && (section[8] == ' ' || section[8] == '\t');
}

static int
on_key(void *user, const char *section, const char *key, const char *value)
{
	struct parse *ps = user;
	struct frx_rule *r;
	uint32_t idx;

	if (ps->failed)
		return 0;
	if (is_config_section(section))
		return 1;
	/* a section header was read since the last key: a new rule, even if
	 * it repeats the name of the one before (then begin_rule() refuses it) */
	if (ps->rule_sections != ps->nb_sections) {
		if (*section == '\0') {
			fail_at(ps, ps->line, "'%s' outside a [rule NAME] section", key);
			return 0;
		}
		if (begin_rule(ps, section) < 0)
			return 0;
	} else if (ps->nb_sections == 0) {
		fail_at(ps, ps->line, "'%s' outside a [rule NAME] section", key);
		return 0;
	}
	idx = ps->rs->nb_rules - 1;
	r = &ps->rs->rules[idx];
	if (value == NULL)
		value = "";

	if (strcmp(key, "priority") == 0) {
		char *e;
		long v;

		if (once(ps, SEEN_PRIORITY, key) < 0)
			return 0;
		errno = 0;
		v = strtol(value, &e, 10);
		if (errno || e == value || *skip_ws(e) != '\0' || v < -1000000000L || v > 1000000000L) {
			fail_at(ps, ps->line, "priority: '%s' is not an integer in -1000000000..1000000000", value);
			return 0;
		}
		r->priority = (int32_t)v;
	} else if (strcmp(key, "action") == 0) {
		if (once(ps, SEEN_ACTION, key) < 0)
			return 0;
		if (strcmp(value, "drop") == 0) {
			r->action = FRX_RULE_DROP;
		} else if (strcmp(value, "keep") == 0) {
			r->action = FRX_RULE_KEEP;
		} else if (strncmp(value, "class", 5) == 0 && (value[5] == ' ' || value[5] == '\t')) {
			struct frx_rule_range c;

			if (parse_range(value + 5, 65535, &c) < 0 || c.lo != c.hi || c.lo == 0) {
				fail_at(ps, ps->line, "action: class wants a number 1-65535, not '%s'", skip_ws(value + 5));
				return 0;
			}
			r->action = FRX_RULE_CLASS;
			r->class_id = (uint16_t)c.lo;
		} else {
			fail_at(ps, ps->line, "action: '%s' is not drop, keep or class N", value);
			return 0;
		}
	} else if (strcmp(key, "exporter") == 0) {
		uint8_t v4 = 0, v6 = 0;

		add_prefixes(ps, key, value, &r->exporter, &r->nb_exporter, &v4, &v6);
	} else if (strcmp(key, "src") == 0) {
		add_prefixes(ps, key, value, &r->src, &r->nb_src, &r->src_v4, &r->src_v6);
	} else if (strcmp(key, "dst") == 0) {
		add_prefixes(ps, key, value, &r->dst, &r->nb_dst, &r->dst_v4, &r->dst_v6);
	} else if (strcmp(key, "src_port") == 0 || strcmp(key, "dst_port") == 0) {
		int src = key[0] == 's';

		if (once(ps, src ? SEEN_SRC_PORT : SEEN_DST_PORT, key) < 0)
			return 0;
		if (parse_range(value, 65535, src ? &r->src_port : &r->dst_port) < 0) {
			fail_at(ps, ps->line, "%s: '%s' is not a port or a range LOW-HIGH of 0-65535", key, value);
			return 0;
		}
	} else if (strcmp(key, "proto") == 0) {
		if (once(ps, SEEN_PROTO, key) < 0)
			return 0;
		if (parse_proto(value, &r->proto) < 0) {
			fail_at(ps, ps->line, "proto: '%s' is not a protocol number 0-255 or name (tcp, udp, icmp, ...)",
				value);
			return 0;
		}
		r->proto_mask = 0xff;
	} else if (strcmp(key, "tos") == 0) {
		if (once(ps, SEEN_TOS, key) < 0)
			return 0;
		if (parse_byte_mask(value, &r->tos, &r->tos_mask) < 0) {
			fail_at(ps, ps->line, "tos: '%s' is not VALUE or VALUE/MASK (0-255, value within mask)", value);
			return 0;
		}
	} else if (strcmp(key, "tcp_flags") == 0) {
		if (once(ps, SEEN_TCP_FLAGS, key) < 0)
			return 0;
		if (parse_tcp_flags(value, &r->tcp_flags, &r->tcp_flags_mask) < 0) {
			fail_at(ps, ps->line,
				"tcp_flags: '%s' is not FLAGS or FLAGS/MASK (numbers, or letters of FSRPAUEC; value within mask)",
				value);
			return 0;
		}
	} else if (strcmp(key, "in_if") == 0 || strcmp(key, "out_if") == 0 || strcmp(key, "src_as") == 0 ||
		   strcmp(key, "dst_as") == 0) {
		struct frx_rule_range *range;
		uint32_t bit;

		if (strcmp(key, "in_if") == 0) {
			range = &r->in_if;
			bit = SEEN_IN_IF;
		} else if (strcmp(key, "out_if") == 0) {
			range = &r->out_if;
			bit = SEEN_OUT_IF;
		} else if (strcmp(key, "src_as") == 0) {
			range = &r->src_as;
			bit = SEEN_SRC_AS;
		} else {
			range = &r->dst_as;
			bit = SEEN_DST_AS;
		}
		if (once(ps, bit, key) < 0)
			return 0;
		if (parse_range(value, UINT32_MAX, range) < 0) {
			fail_at(ps, ps->line, "%s: '%s' is not a number or a range LOW-HIGH of 0-4294967295", key, value);
			return 0;
		}
	} else {
		for (unsigned int f = 0; f < FRX_STR_MAX; f++)
			if (strcmp(key, str_field_names[f]) == 0) {
				add_pattern(ps, idx, f, value);
				return !ps->failed;
			}
		fail_at(ps, ps->line, "unknown key '%s' (see docs/rules.md)", key);
		return 0;
	}
	return !ps->failed;
}

/* ----------------------------------------------------------- compilation */

static int
rule_cmp(const void *a, const void *b)
{
	const struct frx_rule *x = a, *y = b;

	if (x->priority != y->priority)
		return x->priority > y->priority ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* A literal as a hyperscan expression matching exactly that string. */
static char *
literal_expr(const char *text)
{
	size_t n = strlen(text);
	char *e = malloc(n * 4 + 3), *o = e;

	if (e == NULL)
		return NULL;
	*o++ = '^';
	for (const char *p = text; *p; p++) {
		if (isalnum((unsigned char)*p))
			*o++ = *p;
		else
			o += sprintf(o, "\\x%02x", (unsigned char)*p);
	}
	*o++ = '$';
	*o = '\0';
	return e;
}

static int
compile_patterns(struct parse *ps, uint32_t *pattern_line)
{
	struct frx_ruleset *rs = ps->rs;
	const char **exprs;
	char **owned;
	unsigned int *flags, *ids;
	hs_database_t *db = NULL;
	hs_compile_error_t *cerr = NULL;
	int rc = 0;

	if (rs->nb_patterns == 0)
		return 0;
	exprs = calloc(rs->nb_patterns, sizeof(*exprs));
	owned = calloc(rs->nb_patterns, sizeof(*owned));
	flags = calloc(rs->nb_patterns, sizeof(*flags));
	ids = calloc(rs->nb_patterns, sizeof(*ids));
	if (!exprs || !owned || !flags || !ids) {
		fail_nomem(ps);
		rc = -1;
		goto out;
	}
	for (uint32_t i = 0; i < rs->nb_patterns; i++) {
		const struct frx_rule_pattern *p = &rs->patterns[i];

		if (p->is_regex) {
			exprs[i] = p->text;
		} else {
			owned[i] = literal_expr(p->text);
			if (owned[i] == NULL) {
				fail_nomem(ps);
				rc = -1;
				goto out;
			}
			exprs[i] = owned[i];
		}
		/* SINGLEMATCH: we only ask whether; ALLOWEMPTY: "" and /x* / are legal */
		flags[i] = HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY | HS_FLAG_DOTALL | (p->caseless ? HS_FLAG_CASELESS : 0);
		ids[i] = i;
	}
	if (hs_compile_multi(exprs, flags, ids, rs->nb_patterns, HS_MODE_BLOCK, NULL, &db, &cerr) != HS_SUCCESS) {
		if (cerr && cerr->expression >= 0 && (uint32_t)cerr->expression < rs->nb_patterns) {
			const struct frx_rule_pattern *p = &rs->patterns[cerr->expression];

			fail_at(ps, pattern_line[cerr->expression], "rule '%s': %s %s '%s': %s", rs->rules[p->rule].name,
				frx_str_field_name(p->field), p->is_regex ? "regex" : "literal", p->text, cerr->message);
		} else {
			fail_at(ps, 0, "compiling the string conditions: %s", cerr ? cerr->message : "hyperscan error");
		}
		hs_free_compile_error(cerr);
		rc = -1;
		goto out;
	}
	rs->hs_db = db;
out:
	if (owned)
		for (uint32_t i = 0; i < rs->nb_patterns; i++)
			free(owned[i]);
	free(exprs);
	free(owned);
	free(flags);
	free(ids);
	return rc;
}

/* Sort rules into evaluation order, patterns by rule, check completeness. */
static int
finish(struct parse *ps, uint32_t *pattern_line)
{
	struct frx_ruleset *rs = ps->rs;
	uint32_t *new_index = NULL, *count = NULL;
	struct frx_rule_pattern *sorted = NULL;
	uint32_t *sorted_line = NULL;
	uint32_t nr = 0;

	/* Sections that never got a key were never seen by the handler. */
	for (uint32_t s = 0; s < ps->nb_sections; s++) {
		int found = 0;
		const char *name = ps->sections[s].name;

		if (is_config_section(name))
			continue;
		if (strncmp(name, "rule", 4) == 0 && (name[4] == ' ' || name[4] == '\t'))
			name = skip_ws(name + 4);
		for (; nr < rs->nb_rules && !found; nr++)
			found = rs->rules[nr].line == ps->sections[s].line;
		if (!found) {
			for (uint32_t i = 0; i < rs->nb_rules; i++)
				if (strcmp(rs->rules[i].name, name) == 0) {
					fail_at(ps, ps->sections[s].line, "rule '%s' defined twice (first at line %" PRIu32 ")",
						name, rs->rules[i].line);
					return -1;
				}
			fail_at(ps, ps->sections[s].line, "section [%s] has no keys (a rule needs at least action =)",
				ps->sections[s].name);
			return -1;
		}
	}
	for (uint32_t i = 0; i < rs->nb_rules; i++)
		if (rs->rules[i].action == 0) {
			fail_at(ps, rs->rules[i].line, "rule '%s' has no action (drop, keep or class N)", rs->rules[i].name);
			return -1;
		}

	if (rs->nb_rules > 1)
		qsort(rs->rules, rs->nb_rules, sizeof(*rs->rules), rule_cmp);
	new_index = calloc(rs->nb_rules ? rs->nb_rules : 1, sizeof(*new_index));
	count = calloc(rs->nb_rules + 1, sizeof(*count));
	sorted = calloc(rs->nb_patterns ? rs->nb_patterns : 1, sizeof(*sorted));
	sorted_line = calloc(rs->nb_patterns ? rs->nb_patterns : 1, sizeof(*sorted_line));
	if (!new_index || !count || !sorted || !sorted_line) {
		free(new_index);
		free(count);
		free(sorted);
		free(sorted_line);
		fail_nomem(ps);
		return -1;
	}
	for (uint32_t i = 0; i < rs->nb_rules; i++)
		new_index[rs->rules[i].order] = i;
	/* counting sort of the patterns by their rule's new index, stable */
	for (uint32_t i = 0; i < rs->nb_patterns; i++)
		count[new_index[rs->patterns[i].rule] + 1]++;
	for (uint32_t i = 0; i < rs->nb_rules; i++) {
		rs->rules[i].first_pattern = count[i];
		count[i + 1] += count[i];
	}
	for (uint32_t i = 0; i < rs->nb_patterns; i++) {
		uint32_t to = count[new_index[rs->patterns[i].rule]]++;

		sorted[to] = rs->patterns[i];
		sorted[to].rule = new_index[rs->patterns[i].rule];
		sorted_line[to] = pattern_line[i];
	}
	if (rs->nb_patterns)
		memcpy(pattern_line, sorted_line, rs->nb_patterns * sizeof(*pattern_line));
	free(rs->patterns);
	rs->patterns = sorted;
	free(new_index);
	free(count);
	free(sorted_line);
	for (uint32_t i = 0; i < rs->nb_rules; i++) {
		if (rs->rules[i].nb_patterns)
			rs->nb_string_rules++;
		rs->str_fields |= rs->rules[i].str_fields;
	}
	return compile_patterns(ps, pattern_line);
}

/* libinih takes the lines; pattern lines are recorded through a wrapper. */
struct parse_with_lines {
	struct parse ps;
	uint32_t *pattern_line;
	uint32_t pattern_line_cap;
};

static int
on_key_recording(void *user, const char *section, const char *key, const char *value)
{
	struct parse_with_lines *pl = user;
	uint32_t before = pl->ps.rs->nb_patterns;
	int ok = on_key(&pl->ps, section, key, value);

	if (ok && pl->ps.rs->nb_patterns != before) {
		if (pl->ps.rs->nb_patterns > pl->pattern_line_cap) {
			uint32_t cap = pl->pattern_line_cap ? pl->pattern_line_cap * 2 : 16;
			uint32_t *g = realloc(pl->pattern_line, cap * sizeof(*g));

			if (g == NULL) {
				fail_nomem(&pl->ps);
				return 0;
			}
			pl->pattern_line = g;
			pl->pattern_line_cap = cap;
		}
		pl->pattern_line[pl->ps.rs->nb_patterns - 1] = pl->ps.line;
	}
	return ok;
}

static char *
reader_entry(char *buf, int size, void *stream)
{
	return read_line(buf, size, &((struct parse_with_lines *)stream)->ps);
}

int
frx_rules_parse_string(const char *text, size_t len, const char *name, struct frx_ruleset **out, char *err,
		       size_t err_len)
{
	struct parse_with_lines pl;
	struct parse *ps = &pl.ps;
	int rc;

	memset(&pl, 0, sizeof(pl));
	if (err && err_len)
		err[0] = '\0';
	ps->name = name;
	ps->text = text;
	ps->end = text + len;
	ps->err = err;
	ps->err_len = err_len;
	ps->rs = calloc(1, sizeof(*ps->rs));
	if (ps->rs == NULL) {
		if (err && err_len)
			snprintf(err, err_len, "%s: out of memory", name);
		return -ENOMEM;
	}
	snprintf(ps->rs->source, sizeof(ps->rs->source), "%s", name);
	rc = ini_parse_stream(reader_entry, &pl, on_key_recording, &pl);
	if (!ps->failed && rc > 0)
		fail_at(ps, (uint32_t)rc, "syntax error (want KEY = VALUE, [rule NAME] or a # comment)");
	else if (!ps->failed && rc < 0)
		fail_nomem(ps);
	if (!ps->failed)
		finish(ps, pl.pattern_line);
	free(pl.pattern_line);
	free(ps->seen);
	free(ps->sections);
	if (ps->failed) {
		frx_rules_free(ps->rs);
		return ps->err_code ? ps->err_code : -EINVAL;
	}
	*out = ps->rs;
	return 0;
}

int
frx_rules_load(const char *path, struct frx_ruleset **out, char *err, size_t err_len)
{
	struct stat st;
	char *text;
	size_t got = 0;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = -errno;
		if (err && err_len)
			snprintf(err, err_len, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > RULES_FILE_MAX) {
		if (err && err_len)
			snprintf(err, err_len, "%s: not a regular file of at most %u MiB", path, RULES_FILE_MAX >> 20);
		close(fd);
		return -EINVAL;
	}
	text = malloc((size_t)st.st_size + 1);
	if (text == NULL) {
		close(fd);
		if (err && err_len)
			snprintf(err, err_len, "%s: out of memory", path);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, text + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	text[got] = '\0';
	rc = frx_rules_parse_string(text, got, path, out, err, err_len);
	free(text);
	return rc;
}

void
frx_rules_free(struct frx_ruleset *rs)
{
	if (rs == NULL)
		return;
	for (uint32_t i = 0; i < rs->nb_rules; i++) {
		free(rs->rules[i].exporter);
		free(rs->rules[i].src);
		free(rs->rules[i].dst);
	}
	for (uint32_t i = 0; i < rs->nb_patterns; i++)
		free(rs->patterns[i].text);
	free(rs->rules);
	free(rs->patterns);
	if (rs->hs_db)
		hs_free_database(rs->hs_db);
	free(rs);
}

/* ------------------------------------------------------------- matching */

struct frx_rules_scratch {
	const struct frx_ruleset *rs;
	hs_scratch_t *hs;
	uint64_t *matched;         /* bit per pattern */
	uint32_t *hits;            /* patterns set in matched, to clear them */
	uint32_t nb_hits;
	unsigned int field;        /* field being scanned */
};

struct frx_rules_scratch *
frx_rules_scratch_alloc(const struct frx_ruleset *rs)
{
	struct frx_rules_scratch *s = calloc(1, sizeof(*s));
	uint32_t words = (rs->nb_patterns + 63) / 64;

	if (s == NULL)
		return NULL;
	s->rs = rs;
	s->matched = calloc(words ? words : 1, sizeof(*s->matched));
	/* each pattern is reported at most once per record (one field each) */
	s->hits = calloc(rs->nb_patterns ? rs->nb_patterns : 1, sizeof(*s->hits));
	if (s->matched == NULL || s->hits == NULL ||
	    (rs->hs_db && hs_alloc_scratch(rs->hs_db, &s->hs) != HS_SUCCESS)) {
		frx_rules_scratch_free(s);
		errno = ENOMEM;
		return NULL;
	}
	return s;
}

void
frx_rules_scratch_free(struct frx_rules_scratch *s)
{
	if (s == NULL)
		return;
	if (s->hs)
		hs_free_scratch(s->hs);
	free(s->matched);
	free(s->hits);
	free(s);
}

static int
on_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags, void *ctx)
{
	struct frx_rules_scratch *s = ctx;

	(void)from;
	(void)to;
	(void)flags;
	/* one database for every field: a pattern counts only on its own field */
	if (s->rs->patterns[id].field == s->field && !(s->matched[id / 64] >> (id % 64) & 1)) {
		s->matched[id / 64] |= 1ull << (id % 64);
		s->hits[s->nb_hits++] = id;
	}
	return 0;
}

void
frx_rules_scan(const struct frx_ruleset *rs, struct frx_rules_scratch *s, const struct frx_rec_strings *str)
{
	for (uint32_t i = 0; i < s->nb_hits; i++)
		s->matched[s->hits[i] / 64] &= ~(1ull << (s->hits[i] % 64));
	s->nb_hits = 0;
	if (rs->hs_db == NULL || str == NULL)
		return;
	for (unsigned int f = 0; f < FRX_STR_MAX; f++) {
		uint16_t len;

		if (str->ptr[f] == NULL || !(rs->str_fields & (1u << f)))
			continue;
		len = str->len[f];
		while (len && str->ptr[f][len - 1] == '\0') /* fixed-length fields are NUL padded */
			len--;
		s->field = f;
		hs_scan(rs->hs_db, (const char *)str->ptr[f], len, 0, s->hs, on_match, s);
	}
}

uint32_t
frx_rules_scan_hits(const struct frx_rules_scratch *s, const uint32_t **hits)
{
	*hits = s->hits;
	return s->nb_hits;
}

int
frx_rule_match_strings(const struct frx_ruleset *rs, const struct frx_rules_scratch *s, const struct frx_rule *r)
{
	uint8_t satisfied = 0;

	if (r->nb_patterns == 0)
		return 1;
	/* several conditions on one field: any of them; on different fields: all */
	for (uint32_t i = r->first_pattern; i < r->first_pattern + r->nb_patterns; i++)
		if (s->matched[i / 64] >> (i % 64) & 1)
			satisfied |= (uint8_t)(1u << rs->patterns[i].field);
	return satisfied == r->str_fields;
}

static int
prefix_contains(const struct frx_rule_prefix *p, const uint8_t addr[16])
{
	unsigned int full = p->len / 8, rest = p->len % 8;

	if (memcmp(p->addr, addr, full) != 0)
		return 0;
	return rest == 0 || ((p->addr[full] ^ addr[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/* Flow addresses: only prefixes of the record's family count. */
static int
flow_prefix_match(const struct frx_rule_prefix *list, uint16_t n, const uint8_t addr[16], int v6)
{
	for (uint16_t i = 0; i < n; i++)
		if (list[i].is_v4 == !v6 && prefix_contains(&list[i], addr))
			return 1;
	return 0;
}

static inline int
in_range(const struct frx_rule_range *r, uint32_t v)
{
	return v >= r->lo && v <= r->hi;
}

int
frx_rule_match_numeric(const struct frx_rule *r, const struct frx_flowrec *rec)
{
	int v6 = (rec->flags & FRX_REC_F_IPV6) != 0;

	if ((rec->proto & r->proto_mask) != r->proto || (rec->tos & r->tos_mask) != r->tos ||
	    (rec->tcp_flags & r->tcp_flags_mask) != r->tcp_flags)
		return 0;
	if (!in_range(&r->src_port, rec->src_port) || !in_range(&r->dst_port, rec->dst_port) ||
	    !in_range(&r->in_if, rec->in_if) || !in_range(&r->out_if, rec->out_if) ||
	    !in_range(&r->src_as, rec->src_as) || !in_range(&r->dst_as, rec->dst_as))
		return 0;
	if (r->nb_src && !flow_prefix_match(r->src, r->nb_src, rec->src_addr, v6))
		return 0;
	if (r->nb_dst && !flow_prefix_match(r->dst, r->nb_dst, rec->dst_addr, v6))
		return 0;
	if (r->nb_exporter) {
		uint16_t i;

		for (i = 0; i < r->nb_exporter; i++)
			if (prefix_contains(&r->exporter[i], rec->exporter_addr))
				break;
		if (i == r->nb_exporter)
			return 0;
	}
	return 1;
}

int
frx_rules_classify(const struct frx_ruleset *rs, struct frx_rules_scratch *s, const struct frx_flowrec *rec,
		   const struct frx_rec_strings *str)
{
	frx_rules_scan(rs, s, str);
	for (uint32_t i = 0; i < rs->nb_rules; i++) {
		const struct frx_rule *r = &rs->rules[i];

		if (frx_rule_match_numeric(r, rec) && frx_rule_match_strings(rs, s, r))
			return (int)i;
	}
	return -1;
}
