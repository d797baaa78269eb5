/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Filter expressions: tokenizer, recursive-descent parser, code generator
 * and the evaluation loop.
 *
 * The parser builds a small tree (and/or nodes with any number of children,
 * not nodes, primitive tests) in arrays that live only during compilation.
 * The code generator then emits one instruction per primitive, last child
 * first, so that each instruction's "true" and "false" targets are already
 * known: and(a, b) with targets (T, F) is a with (entry of b, F); or(a, b)
 * is a with (T, entry of b); not(a) is a with (F, T). What remains at run
 * time is `i = test(i) ? jt : jf` until i is ACCEPT or REJECT.
 */
#include "filter.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ACCEPT (-1)
#define REJECT (-2)

/* ------------------------------------------------------------ fields */

enum field {
	F_SRC_PORT, F_DST_PORT, F_PROTO, F_TOS, F_SRC_AS, F_DST_AS, F_IN_IF, F_OUT_IF,
	F_PACKETS, F_BYTES, F_FLOWS, F_DURATION, F_BPS, F_PPS, F_BPP,
	F_ENGINE_TYPE, F_ENGINE_ID, F_DOMAIN, F_CLASS, F_VERSION, F_SRC_VLAN, F_DST_VLAN,
	F_SRC_MASK, F_DST_MASK, F_DIRECTION, F_SAMPLING, F_ICMP_TYPE, F_ICMP_CODE, F_EXPORTER_PORT,
	/* addresses */
	F_SRC_ADDR, F_DST_ADDR, F_NEXT_HOP, F_EXPORTER,
	F_NONE = 0xff,
};

enum op {
	OP_CMP,         /* field <cmp> value */
	OP_IN_LIST,     /* field in a sorted list of values */
	OP_PREFIX,      /* address field in a prefix */
	OP_PREFIX_LIST, /* address field in any of a list of prefixes */
	OP_FLAGS,       /* every TCP flag of value set */
	OP_IPV6,        /* the flow's addresses are IPv6 */
};

enum cmp { CMP_EQ, CMP_NE, CMP_LT, CMP_GT, CMP_LE, CMP_GE };

struct insn {
	uint8_t op;
	uint8_t field;
	uint8_t field2;   /* F_NONE, or the second field of a src/dst pair */
	uint8_t both;     /* with field2: 1 both must match ("src and dst"), 0 either */
	uint8_t cmp;
	int32_t jt, jf;   /* next instruction, or ACCEPT/REJECT */
	uint32_t list_off, list_len; /* OP_*_LIST: in the pool (prefixes take 4 words) */
	uint64_t value;
	uint64_t prefix[4]; /* OP_PREFIX: address words 0, 1; mask words 0, 1 */
};

struct frx_filter {
	int32_t entry;    /* first instruction, or ACCEPT/REJECT */
	uint32_t nb_insns;
	struct insn *insns;
	uint64_t *pool;   /* values of lists */
};

static inline uint64_t
field_value(const struct frx_flowrec *r, unsigned int field)
{
	switch (field) {
	case F_SRC_PORT: return r->src_port;
	case F_DST_PORT: return r->dst_port;
	case F_PROTO: return r->proto;
	case F_TOS: return r->tos;
	case F_SRC_AS: return r->src_as;
	case F_DST_AS: return r->dst_as;
	case F_IN_IF: return r->in_if;
	case F_OUT_IF: return r->out_if;
	case F_PACKETS: return r->packets;
	case F_BYTES: return r->bytes;
	case F_FLOWS: return r->flows;
	case F_DURATION: return frx_rec_duration_ms(r);
	case F_BPS: return frx_rec_bps(r);
	case F_PPS: return frx_rec_pps(r);
	case F_BPP: return frx_rec_bpp(r);
	case F_ENGINE_TYPE: return r->engine_type;
	case F_ENGINE_ID: return r->engine_id;
	case F_DOMAIN: return r->domain;
	case F_CLASS: return r->class_id;
	case F_VERSION: return r->version;
	case F_SRC_VLAN: return r->src_vlan;
	case F_DST_VLAN: return r->dst_vlan;
	case F_SRC_MASK: return r->src_mask;
	case F_DST_MASK: return r->dst_mask;
	case F_DIRECTION: return r->direction;
	case F_SAMPLING: return r->sampling_interval;
	/* ICMP type and code travel in the destination port (docs/reader.md) */
	case F_ICMP_TYPE: return r->dst_port >> 8;
	case F_ICMP_CODE: return r->dst_port & 0xff;
	case F_EXPORTER_PORT: return r->exporter_port;
	default: return 0;
	}
}

static inline const uint8_t *
field_addr(const struct frx_flowrec *r, unsigned int field)
{
	switch (field) {
	case F_SRC_ADDR: return r->src_addr;
	case F_DST_ADDR: return r->dst_addr;
	case F_NEXT_HOP: return r->next_hop;
	default: return r->exporter_addr;
	}
}

static inline bool
compare(unsigned int cmp, uint64_t a, uint64_t b)
{
	switch (cmp) {
	case CMP_EQ: return a == b;
	case CMP_NE: return a != b;
	case CMP_LT: return a < b;
	case CMP_GT: return a > b;
	case CMP_LE: return a <= b;
	default: return a >= b;
	}
}

static inline bool
in_sorted(const uint64_t *v, uint32_t n, uint64_t x)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (v[mid] == x)
			return true;
		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Addresses are compared as two 64-bit words loaded the same way as the
 * prefix, so byte order does not matter. */
static inline bool
prefix_match(const uint8_t addr[16], const uint64_t p[4])
{
	uint64_t w0, w1;

	memcpy(&w0, addr, 8);
	memcpy(&w1, addr + 8, 8);
	return (w0 & p[2]) == p[0] && (w1 & p[3]) == p[1];
}

static inline bool
test_field(const struct frx_filter *f, const struct insn *in, unsigned int field, const struct frx_flowrec *r)
{
	switch (in->op) {
	case OP_CMP:
		return compare(in->cmp, field_value(r, field), in->value);
	case OP_IN_LIST:
		return in_sorted(f->pool + in->list_off, in->list_len, field_value(r, field));
	case OP_PREFIX:
		return prefix_match(field_addr(r, field), in->prefix);
	case OP_PREFIX_LIST: {
		const uint8_t *a = field_addr(r, field);

		for (uint32_t k = 0; k < in->list_len; k++)
			if (prefix_match(a, f->pool + in->list_off + 4 * k))
				return true;
		return false;
	}
	case OP_FLAGS:
		return (r->tcp_flags & in->value) == in->value;
	default:
		return (r->flags & FRX_REC_F_IPV6) != 0;
	}
}

bool
frx_filter_match(const struct frx_filter *f, const struct frx_flowrec *r)
{
	int32_t i = f->entry;

	while (i >= 0) {
		const struct insn *in = &f->insns[i];
		bool m = test_field(f, in, in->field, r);

		if (in->field2 != F_NONE) {
			if (in->both)
				m = m && test_field(f, in, in->field2, r);
			else
				m = m || test_field(f, in, in->field2, r);
		}
		i = m ? in->jt : in->jf;
	}
	return i == ACCEPT;
}

unsigned int
frx_filter_size(const struct frx_filter *f)
{
	return f->nb_insns;
}

void
frx_filter_free(struct frx_filter *f)
{
	if (f == NULL)
		return;
	free(f->insns);
	free(f->pool);
	free(f);
}

/* ------------------------------------------------------------ tokens */

enum tok_type { T_END, T_WORD, T_LPAREN, T_RPAREN, T_LBRACKET, T_RBRACKET, T_COMMA, T_NOT, T_AND, T_OR, T_CMP };

struct token {
	uint8_t type;
	uint8_t cmp;      /* T_CMP */
	uint32_t pos;     /* byte offset in the expression */
	uint32_t len;
};

static bool
is_word_char(char c)
{
	return isalnum((unsigned char)c) || c == '.' || c == ':' || c == '/' || c == '_' || c == '-';
}

/* Split the expression into tokens; the last one is T_END. Never fails on
 * input: an unknown character becomes a one-character word that the
 * parser reports. */
static int
tokenize(const char *s, struct token **out, uint32_t *count)
{
	size_t len = strlen(s), n = 0;
	struct token *t;

	if (len > UINT32_MAX / 2)
		return -ENOMEM;
	t = calloc(len + 1, sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < len;) {
		struct token *k = &t[n];

		if (isspace((unsigned char)s[i])) {
			i++;
			continue;
		}
		k->pos = (uint32_t)i;
		k->len = 1;
		switch (s[i]) {
		case '(': k->type = T_LPAREN; break;
		case ')': k->type = T_RPAREN; break;
		case '[': k->type = T_LBRACKET; break;
		case ']': k->type = T_RBRACKET; break;
		case ',': k->type = T_COMMA; break;
		case '!':
			if (s[i + 1] == '=') {
				k->type = T_CMP;
				k->cmp = CMP_NE;
				k->len = 2;
			} else {
				k->type = T_NOT;
			}
			break;
		case '&':
		case '|':
			if (s[i + 1] == s[i]) {
				k->type = s[i] == '&' ? T_AND : T_OR;
				k->len = 2;
			} else {
				k->type = T_WORD; /* a lone & or |: reported by the parser */
			}
			break;
		case '=':
			k->type = T_CMP;
			k->cmp = CMP_EQ;
			if (s[i + 1] == '=')
				k->len = 2;
			break;
		case '<':
		case '>':
			k->type = T_CMP;
			if (s[i + 1] == '=') {
				k->cmp = s[i] == '<' ? CMP_LE : CMP_GE;
				k->len = 2;
			} else {
				k->cmp = s[i] == '<' ? CMP_LT : CMP_GT;
			}
			break;
		default:
			k->type = T_WORD;
			if (is_word_char(s[i])) {
				size_t j = i;

				while (j < len && is_word_char(s[j]))
					j++;
				k->len = (uint32_t)(j - i);
			}
			if (k->len == 3 && strncasecmp(s + i, "and", 3) == 0)
				k->type = T_AND;
			else if (k->len == 2 && strncasecmp(s + i, "or", 2) == 0)
				k->type = T_OR;
			else if (k->len == 3 && strncasecmp(s + i, "not", 3) == 0)
				k->type = T_NOT;
			break;
		}
		i += k->len;
		n++;
	}
	t[n].type = T_END;
	t[n].pos = (uint32_t)len;
	*out = t;
	*count = (uint32_t)n + 1;
	return 0;
}

/* ------------------------------------------------------------ parser */

enum node_type { N_LEAF, N_AND, N_OR, N_NOT, N_TRUE };

struct node {
	uint8_t type;
	int32_t child;    /* N_AND/N_OR: last child (children linked backwards); N_NOT: the child */
	int32_t prev;     /* previous sibling, -1 */
	struct insn leaf; /* N_LEAF */
};

struct parser {
	const char *s;
	struct token *toks;
	uint32_t ntoks, cur;
	unsigned int depth;
	struct node *nodes;
	uint32_t nb_nodes, cap_nodes;
	uint64_t *pool;
	uint32_t pool_len, pool_cap;
	struct frx_filter_error *err;
	bool failed;
	bool nomem;
};

static const struct token *
peek(const struct parser *p)
{
	return &p->toks[p->cur];
}

static const struct token *
peek2(const struct parser *p)
{
	return p->cur + 1 < p->ntoks ? &p->toks[p->cur + 1] : &p->toks[p->ntoks - 1];
}

static const struct token *
next(struct parser *p)
{
	const struct token *t = &p->toks[p->cur];

	if (t->type != T_END)
		p->cur++;
	return t;
}

static bool
tok_is(const struct parser *p, const struct token *t, const char *word)
{
	size_t n = strlen(word);

	return t->type == T_WORD && t->len == n && strncasecmp(p->s + t->pos, word, n) == 0;
}

/* Token text for messages: 'text' (cut if long), or "end of filter". */
static void
tok_text(const struct parser *p, const struct token *t, char *buf, size_t size)
{
	if (t->type == T_END)
		snprintf(buf, size, "end of filter");
	else if (t->len > 40)
		snprintf(buf, size, "'%.37s...'", p->s + t->pos);
	else
		snprintf(buf, size, "'%.*s'", (int)t->len, p->s + t->pos);
}

/* Record the first error, at token t. Returns -1 for the caller to return. */
__attribute__((format(printf, 3, 4))) static int
fail_at(struct parser *p, const struct token *t, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return -1;
	p->failed = true;
	if (p->err != NULL) {
		p->err->column = t->pos + 1;
		va_start(ap, fmt);
		vsnprintf(p->err->message, sizeof(p->err->message), fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* "expected WHAT after 'PREV', found TOKEN" at the current token. */
static int
expected(struct parser *p, const char *what)
{
	const struct token *t = peek(p);
	char found[64], prev[64];

	tok_text(p, t, found, sizeof(found));
	if (p->cur == 0)
		return fail_at(p, t, "expected %s, found %s", what, found);
	tok_text(p, &p->toks[p->cur - 1], prev, sizeof(prev));
	return fail_at(p, t, "expected %s after %s, found %s", what, prev, found);
}

static int
new_node(struct parser *p, uint8_t type)
{
	struct node *n;

	if (p->nb_nodes == p->cap_nodes) {
		uint32_t cap = p->cap_nodes ? p->cap_nodes * 2 : 32;
		struct node *nn = realloc(p->nodes, cap * sizeof(*nn));

		if (nn == NULL) {
			p->nomem = true;
			p->failed = true;
			return -1;
		}
		p->nodes = nn;
		p->cap_nodes = cap;
	}
	n = &p->nodes[p->nb_nodes];
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->child = -1;
	n->prev = -1;
	n->leaf.field = F_NONE;
	n->leaf.field2 = F_NONE;
	return (int)p->nb_nodes++;
}

static int
new_leaf(struct parser *p, uint8_t op, uint8_t field, uint8_t field2, bool both)
{
	int n = new_node(p, N_LEAF);

	if (n < 0)
		return -1;
	p->nodes[n].leaf.op = op;
	p->nodes[n].leaf.field = field;
	p->nodes[n].leaf.field2 = field2;
	p->nodes[n].leaf.both = both;
	return n;
}

/* Add child to an and/or node (children are linked last first). */
static void
add_child(struct parser *p, int parent, int child)
{
	p->nodes[child].prev = p->nodes[parent].child;
	p->nodes[parent].child = child;
}

static int
combine(struct parser *p, uint8_t type, int a, int b)
{
	int n;

	if (a < 0 || b < 0)
		return -1;
	n = new_node(p, type);
	if (n < 0)
		return -1;
	add_child(p, n, a);
	add_child(p, n, b);
	return n;
}

static int
pool_reserve(struct parser *p, uint32_t words)
{
	if (p->pool_len + words > p->pool_cap) {
		uint32_t cap = p->pool_cap ? p->pool_cap : 64;
		uint64_t *np;

		while (cap < p->pool_len + words)
			cap *= 2;
		np = realloc(p->pool, cap * sizeof(*np));
		if (np == NULL) {
			p->nomem = true;
			p->failed = true;
			return -1;
		}
		p->pool = np;
		p->pool_cap = cap;
	}
	return 0;
}

/* ---- numbers */

/*
 * Parse a decimal (or 0x hex) number, with an optional k/M/G/T multiplier
 * (powers of 1000, as nfdump) when allowed. @return 0 or -1.
 */
static int
parse_number(const char *s, size_t len, bool suffix_ok, uint64_t *out)
{
	uint64_t v = 0, mult = 1;
	unsigned int base = 10;
	size_t i = 0, digits = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	for (; i < len; i++) {
		unsigned int d;
		char c = s[i];

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (base == 16 && isxdigit((unsigned char)c))
			d = (unsigned int)(tolower((unsigned char)c) - 'a' + 10);
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return -1;
		v = v * base + d;
		digits++;
	}
	if (digits == 0)
		return -1;
	if (i < len) {
		if (!suffix_ok || base != 10 || i + 1 != len)
			return -1;
		switch (s[i]) {
		case 'k': case 'K': mult = 1000ull; break;
		case 'm': case 'M': mult = 1000000ull; break;
		case 'g': case 'G': mult = 1000000000ull; break;
		case 't': case 'T': mult = 1000000000000ull; break;
		default: return -1;
		}
		if (v > UINT64_MAX / mult)
			return -1;
		v *= mult;
	}
	*out = v;
	return 0;
}

/* ---- addresses */

/* Dotted IPv4 with 1 to 4 parts ("10", "172.16", "192.0.2.1"). @return parts or -1. */
static int
parse_v4_parts(const char *s, size_t len, uint8_t out[4])
{
	int parts = 0;
	size_t i = 0;

	memset(out, 0, 4);
	while (i < len) {
		unsigned int v = 0, digits = 0;

		if (parts == 4)
			return -1;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			v = v * 10 + (unsigned int)(s[i] - '0');
			if (v > 255 || ++digits > 3)
				return -1;
			i++;
		}
		if (digits == 0)
			return -1;
		out[parts++] = (uint8_t)v;
		if (i < len) {
			if (s[i] != '.' || i + 1 == len)
				return -1;
			i++;
		}
	}
	return parts;
}

/* The four words of a prefix (address and mask, as loaded by prefix_match). */
static void
prefix_words(const uint8_t addr[16], unsigned int bits, uint64_t w[4])
{
	uint8_t mask[16] = { 0 }, masked[16];

	for (unsigned int i = 0; i < 16; i++) {
		unsigned int b = bits > 8 * i ? bits - 8 * i : 0;

		mask[i] = b >= 8 ? 0xff : (uint8_t)(0xff << (8 - b));
		masked[i] = addr[i] & mask[i];
	}
	memcpy(&w[0], masked, 8);
	memcpy(&w[1], masked + 8, 8);
	memcpy(&w[2], mask, 8);
	memcpy(&w[3], mask + 8, 8);
}

/*
 * An address or prefix: "192.0.2.1", "10.0.0.0/8", "10/8" (nfdump's short
 * IPv4 networks, only with a length), "2001:db8::1", "2001:db8::/32".
 * IPv4 is matched as IPv4-mapped IPv6 (/N becomes /96+N). Host bits
 * beyond the length are ignored. @return 0 or -1.
 */
static int
parse_prefix(const char *s, size_t len, uint64_t w[4])
{
	const char *slash = memchr(s, '/', len);
	size_t alen = slash ? (size_t)(slash - s) : len;
	bool v6 = memchr(s, ':', alen) != NULL;
	unsigned int bits, max = v6 ? 128 : 32;
	uint8_t addr[16];
	char text[64];

	if (alen == 0 || alen >= sizeof(text))
		return -1;
	memcpy(text, s, alen);
	text[alen] = '\0';
	if (v6) {
		if (frx_addr_parse(text, addr) != 0)
			return -1;
	} else {
		uint8_t v4[4];
		int parts = parse_v4_parts(text, alen, v4);

		if (parts < 0 || (parts < 4 && slash == NULL))
			return -1;
		frx_addr_set_v4(addr, v4);
	}
	bits = max;
	if (slash != NULL) {
		size_t i = alen + 1;

		if (i == len || len - i > 3)
			return -1;
		bits = 0;
		for (; i < len; i++) {
			if (s[i] < '0' || s[i] > '9')
				return -1;
			bits = bits * 10 + (unsigned int)(s[i] - '0');
		}
		if (bits > max)
			return -1;
	}
	prefix_words(addr, v6 ? bits : 96 + bits, w);
	return 0;
}

/* A dotted IPv4 netmask ("255.255.0.0") as a prefix length, or -1. */
static int
parse_netmask(const char *s, size_t len)
{
	uint8_t m[4];
	uint32_t v;
	int bits = 0;

	if (parse_v4_parts(s, len, m) != 4)
		return -1;
	v = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];
	while (bits < 32 && (v & (0x80000000u >> bits)))
		bits++;
	if (bits < 32 && (v << bits) != 0)
		return -1; /* not contiguous */
	return bits;
}

/* ---- primitives */

enum kw_kind {
	K_NUM,      /* numeric field(s), optional comparator or "in [list]" */
	K_ADDR,     /* address field(s): address, prefix or "in [list]" */
	K_NET,      /* like K_ADDR, also "ADDR NETMASK" */
	K_PROTO,    /* "proto NAME|N" (bare "tcp", "udp", ... are found in the protocol table) */
	K_FLAGS,
	K_ENGINE,   /* "engine TYPE/ID" */
	K_ANY,
	K_IPV4,
	K_IPV6,
	K_FLOWDIR,
	K_ICMP,     /* icmp-type/icmp-code: implies proto icmp or icmp6 */
};

enum dir { DIR_NONE, DIR_SRC, DIR_DST, DIR_BOTH, DIR_EITHER };

struct keyword {
	const char *name;
	uint8_t kind;
	uint8_t field;      /* single field, or the source/input one of a pair */
	uint8_t field_dst;  /* second of a pair (dst / out), F_NONE if single */
	bool suffix_ok;     /* k/M/G multipliers */
	uint64_t max;
	const char *what;   /* for "expected WHAT after ..." */
};

static const struct keyword keywords[] = {
	{ "ip", K_ADDR, F_SRC_ADDR, F_DST_ADDR, false, 0, "an IP address (or network)" },
	{ "host", K_ADDR, F_SRC_ADDR, F_DST_ADDR, false, 0, "an IP address (or network)" },
	{ "net", K_NET, F_SRC_ADDR, F_DST_ADDR, false, 0, "a network (e.g. 10.0.0.0/8, 2001:db8::/32)" },
	{ "port", K_NUM, F_SRC_PORT, F_DST_PORT, false, 65535, "a port number" },
	{ "as", K_NUM, F_SRC_AS, F_DST_AS, false, UINT32_MAX, "an AS number" },
	{ "mask", K_NUM, F_SRC_MASK, F_DST_MASK, false, 128, "a prefix length" },
	{ "vlan", K_NUM, F_SRC_VLAN, F_DST_VLAN, false, 65535, "a VLAN id" },
	{ "if", K_NUM, F_IN_IF, F_OUT_IF, false, UINT32_MAX, "an interface index" },
	{ "exporter", K_NET, F_EXPORTER, F_NONE, false, 0, "an IP address (or network)" },
	{ "router", K_NET, F_EXPORTER, F_NONE, false, 0, "an IP address (or network)" },
	{ "next", K_NET, F_NEXT_HOP, F_NONE, false, 0, "an IP address (or network)" },
	{ "nexthop", K_NET, F_NEXT_HOP, F_NONE, false, 0, "an IP address (or network)" },
	{ "proto", K_PROTO, F_PROTO, F_NONE, false, 255, "a protocol name or number" },
	{ "flags", K_FLAGS, F_NONE, F_NONE, false, 0, "TCP flags (letters of CEUAPRSF, or X)" },
	{ "tos", K_NUM, F_TOS, F_NONE, false, 255, "a ToS value" },
	{ "packets", K_NUM, F_PACKETS, F_NONE, true, UINT64_MAX, "a packet count" },
	{ "bytes", K_NUM, F_BYTES, F_NONE, true, UINT64_MAX, "a byte count" },
	{ "flows", K_NUM, F_FLOWS, F_NONE, true, UINT32_MAX, "a flow count" },
	{ "duration", K_NUM, F_DURATION, F_NONE, false, UINT64_MAX, "a duration in milliseconds" },
	{ "bps", K_NUM, F_BPS, F_NONE, true, UINT64_MAX, "a rate in bits/s" },
	{ "pps", K_NUM, F_PPS, F_NONE, true, UINT64_MAX, "a rate in packets/s" },
	{ "bpp", K_NUM, F_BPP, F_NONE, true, UINT64_MAX, "a number of bytes per packet" },
	{ "engine", K_ENGINE, F_ENGINE_TYPE, F_ENGINE_ID, false, 255, "TYPE/ID (e.g. 1/2)" },
	{ "engine-type", K_NUM, F_ENGINE_TYPE, F_NONE, false, 255, "an engine type" },
	{ "engine-id", K_NUM, F_ENGINE_ID, F_NONE, false, 255, "an engine id" },
	{ "domain", K_NUM, F_DOMAIN, F_NONE, false, UINT32_MAX, "an observation domain id" },
	{ "class", K_NUM, F_CLASS, F_NONE, false, 65535, "a class number" },
	{ "version", K_NUM, F_VERSION, F_NONE, false, 255, "an export version (1, 5, 7, 8, 9, 10)" },
	{ "sampling", K_NUM, F_SAMPLING, F_NONE, false, UINT32_MAX, "a sampling interval" },
	{ "exporter-port", K_NUM, F_EXPORTER_PORT, F_NONE, false, 65535, "a port number" },
	{ "icmp-type", K_ICMP, F_ICMP_TYPE, F_NONE, false, 255, "an ICMP type" },
	{ "icmp-code", K_ICMP, F_ICMP_CODE, F_NONE, false, 255, "an ICMP code" },
	{ "flowdir", K_FLOWDIR, F_DIRECTION, F_NONE, false, 2, "ingress, egress or 0-2" },
	{ "direction", K_FLOWDIR, F_DIRECTION, F_NONE, false, 2, "ingress, egress or 0-2" },
	{ "any", K_ANY, F_NONE, F_NONE, false, 0, NULL },
	{ "ipv4", K_IPV4, F_NONE, F_NONE, false, 0, NULL },
	{ "inet", K_IPV4, F_NONE, F_NONE, false, 0, NULL },
	{ "ipv6", K_IPV6, F_NONE, F_NONE, false, 0, NULL },
	{ "inet6", K_IPV6, F_NONE, F_NONE, false, 0, NULL },
};

static const struct {
	const char *name;
	uint8_t number;
} protocols[] = {
	{ "icmp", 1 }, { "igmp", 2 }, { "ipip", 4 }, { "tcp", 6 }, { "udp", 17 }, { "ipv6", 41 },
	{ "rsvp", 46 }, { "gre", 47 }, { "esp", 50 }, { "ah", 51 }, { "icmp6", 58 }, { "ipv6-icmp", 58 },
	{ "ospf", 89 }, { "pim", 103 }, { "vrrp", 112 }, { "l2tp", 115 }, { "sctp", 132 },
};

#define PRIMITIVES "a filter primitive (ip, net, port, proto, flags, as, if, packets, bytes, ...)"

static const struct keyword *
find_keyword(const struct parser *p, const struct token *t)
{
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (tok_is(p, t, keywords[i].name))
			return &keywords[i];
	return NULL;
}

static int
find_protocol(const struct parser *p, const struct token *t)
{
	for (size_t i = 0; i < sizeof(protocols) / sizeof(protocols[0]); i++)
		if (tok_is(p, t, protocols[i].name))
			return protocols[i].number;
	return -1;
}

/* The fields a direction selects from a keyword's pair. */
static void
dir_fields(const struct keyword *kw, enum dir dir, uint8_t *f1, uint8_t *f2, bool *both)
{
	*both = false;
	*f2 = F_NONE;
	switch (dir) {
	case DIR_SRC:
		*f1 = kw->field;
		break;
	case DIR_DST:
		*f1 = kw->field_dst;
		break;
	case DIR_BOTH:
		*both = true;
		/* fall through */
	default:
		*f1 = kw->field;
		*f2 = kw->field_dst;
		break;
	}
}

/* Optional comparator: = == != < > <= >= or eq ne lt gt le ge. */
static uint8_t
parse_cmp(struct parser *p)
{
	static const char *const words[] = { [CMP_EQ] = "eq", [CMP_NE] = "ne", [CMP_LT] = "lt",
					     [CMP_GT] = "gt", [CMP_LE] = "le", [CMP_GE] = "ge" };
	const struct token *t = peek(p);

	if (t->type == T_CMP) {
		next(p);
		return t->cmp;
	}
	for (uint8_t c = 0; c < sizeof(words) / sizeof(words[0]); c++) {
		if (tok_is(p, t, words[c])) {
			next(p);
			return c;
		}
	}
	return CMP_EQ;
}

/* A number for kw at the current token; the range is named only when a
 * number was given but is out of it. */
static int
parse_value(struct parser *p, const struct keyword *kw, uint64_t *v)
{
	const struct token *t = peek(p);
	char what[160];

	if (t->type == T_WORD && parse_number(p->s + t->pos, t->len, kw->suffix_ok, v) == 0) {
		if (*v <= kw->max) {
			next(p);
			return 0;
		}
		snprintf(what, sizeof(what), "%s (0-%" PRIu64 ")", kw->what, kw->max);
		return expected(p, what);
	}
	return expected(p, kw->what);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* "[ a b, c ]": numbers (sorted, deduplicated) or prefixes, into the pool. */
static int
parse_list(struct parser *p, const struct keyword *kw, bool prefixes, uint32_t *off, uint32_t *len)
{
	const struct token *open;
	uint32_t n = 0;

	if (peek(p)->type != T_LBRACKET)
		return expected(p, "'[' to start a list");
	open = next(p);
	*off = p->pool_len;
	for (;;) {
		const struct token *t = peek(p);

		if (t->type == T_COMMA && n > 0) {
			next(p);
			continue;
		}
		if (t->type == T_RBRACKET && n > 0) {
			next(p);
			break;
		}
		if (pool_reserve(p, 4) < 0)
			return -1;
		if (prefixes) {
			if (t->type != T_WORD || parse_prefix(p->s + t->pos, t->len, p->pool + p->pool_len) != 0)
				return expected(p, n == 0 ? "an IP address or network in the list"
							  : "an IP address, network or ']'");
			p->pool_len += 4;
			next(p);
		} else {
			uint64_t v;

			if (t->type == T_END) {
				char where[64];

				snprintf(where, sizeof(where), "']' to close '[' at column %u", open->pos + 1);
				return expected(p, n == 0 ? kw->what : where);
			}
			if (parse_value(p, kw, &v) < 0)
				return -1;
			p->pool[p->pool_len++] = v;
		}
		n++;
	}
	if (!prefixes) {
		uint32_t k = 0;

		qsort(p->pool + *off, n, sizeof(uint64_t), cmp_u64);
		for (uint32_t i = 0; i < n; i++)
			if (k == 0 || p->pool[*off + i] != p->pool[*off + k - 1])
				p->pool[*off + k++] = p->pool[*off + i];
		n = k;
		p->pool_len = *off + n;
	}
	*len = n;
	return 0;
}

static int
parse_num_primitive(struct parser *p, const struct keyword *kw, enum dir dir)
{
	uint8_t f1, f2;
	bool both;
	int n;

	dir_fields(kw, dir, &f1, &f2, &both);
	if (tok_is(p, peek(p), "in") && peek2(p)->type == T_LBRACKET) {
		uint32_t off, len;

		next(p);
		if (parse_list(p, kw, false, &off, &len) < 0)
			return -1;
		n = new_leaf(p, OP_IN_LIST, f1, f2, both);
		if (n >= 0) {
			p->nodes[n].leaf.list_off = off;
			p->nodes[n].leaf.list_len = len;
		}
		return n;
	}
	n = new_leaf(p, OP_CMP, f1, f2, both);
	if (n < 0)
		return -1;
	p->nodes[n].leaf.cmp = parse_cmp(p);
	if (parse_value(p, kw, &p->nodes[n].leaf.value) < 0)
		return -1;
	return n;
}

static int
parse_addr_primitive(struct parser *p, const struct keyword *kw, enum dir dir)
{
	const struct token *t = peek(p);
	uint8_t f1, f2;
	bool both;
	int n;

	dir_fields(kw, dir, &f1, &f2, &both);
	if (tok_is(p, t, "in") && peek2(p)->type == T_LBRACKET) {
		uint32_t off, len;

		next(p);
		if (parse_list(p, kw, true, &off, &len) < 0)
			return -1;
		n = new_leaf(p, OP_PREFIX_LIST, f1, f2, both);
		if (n >= 0) {
			p->nodes[n].leaf.list_off = off;
			p->nodes[n].leaf.list_len = len;
		}
		return n;
	}
	n = new_leaf(p, OP_PREFIX, f1, f2, both);
	if (n < 0)
		return -1;
	if (t->type != T_WORD || parse_prefix(p->s + t->pos, t->len, p->nodes[n].leaf.prefix) != 0)
		return expected(p, kw->what);
	next(p);
	/* nfdump's "net 10.0.0.0 255.0.0.0" */
	if (kw->kind == K_NET && memchr(p->s + t->pos, '/', t->len) == NULL && peek(p)->type == T_WORD &&
	    memchr(p->s + t->pos, ':', t->len) == NULL) {
		const struct token *m = peek(p);
		int bits = parse_netmask(p->s + m->pos, m->len);

		if (bits >= 0) {
			uint8_t addr[16];

			memcpy(addr, &p->nodes[n].leaf.prefix[0], 8);
			memcpy(addr + 8, &p->nodes[n].leaf.prefix[1], 8);
			prefix_words(addr, 96 + (unsigned int)bits, p->nodes[n].leaf.prefix);
			next(p);
		} else if (parse_v4_parts(p->s + m->pos, m->len, (uint8_t[4]){ 0 }) == 4) {
			return expected(p, "a contiguous netmask");
		}
	}
	return n;
}

/* "S", "AS", "SAF", "X" (all of UAPRSF, as nfdump). */
static int
parse_flags_primitive(struct parser *p)
{
	static const char letters[] = "FSRPAUEC"; /* bit 0 .. bit 7 */
	const struct token *t = peek(p);
	uint64_t mask = 0;
	int n;

	if (t->type != T_WORD)
		return expected(p, "TCP flags (letters of CEUAPRSF, or X)");
	for (uint32_t i = 0; i < t->len; i++) {
		char c = (char)toupper((unsigned char)p->s[t->pos + i]);
		const char *at = strchr(letters, c);

		if (c == 'X')
			mask |= 0x3f;
		else if (at != NULL && c != '\0')
			mask |= 1u << (at - letters);
		else
			return expected(p, "TCP flags (letters of CEUAPRSF, or X)");
	}
	next(p);
	n = new_leaf(p, OP_FLAGS, F_NONE, F_NONE, false);
	if (n >= 0)
		p->nodes[n].leaf.value = mask;
	return n;
}

static int
cmp_leaf(struct parser *p, uint8_t field, uint8_t cmp, uint64_t value)
{
	int n = new_leaf(p, OP_CMP, field, F_NONE, false);

	if (n >= 0) {
		p->nodes[n].leaf.cmp = cmp;
		p->nodes[n].leaf.value = value;
	}
	return n;
}

static int
parse_proto_value(struct parser *p, const struct keyword *kw)
{
	const struct token *t = peek(p);
	int proto = find_protocol(p, t);
	uint8_t cmp;
	uint64_t v;

	if (proto >= 0) {
		next(p);
		return cmp_leaf(p, F_PROTO, CMP_EQ, (uint64_t)proto);
	}
	cmp = parse_cmp(p);
	if (parse_value(p, kw, &v) < 0)
		return -1;
	return cmp_leaf(p, F_PROTO, cmp, v);
}

static int
parse_engine_primitive(struct parser *p)
{
	const struct token *t = peek(p);
	const char *s = p->s + t->pos;
	const char *slash = t->type == T_WORD ? memchr(s, '/', t->len) : NULL;
	uint64_t type, id;

	if (slash == NULL || parse_number(s, (size_t)(slash - s), false, &type) != 0 || type > 255 ||
	    parse_number(slash + 1, t->len - (size_t)(slash - s) - 1, false, &id) != 0 || id > 255)
		return expected(p, "TYPE/ID (e.g. 1/2, each 0-255)");
	next(p);
	return combine(p, N_AND, cmp_leaf(p, F_ENGINE_TYPE, CMP_EQ, type), cmp_leaf(p, F_ENGINE_ID, CMP_EQ, id));
}

static int
parse_flowdir_primitive(struct parser *p, const struct keyword *kw)
{
	const struct token *t = peek(p);
	uint64_t v;

	if (tok_is(p, t, "ingress")) {
		next(p);
		return cmp_leaf(p, F_DIRECTION, CMP_EQ, FRX_DIR_INGRESS);
	}
	if (tok_is(p, t, "egress")) {
		next(p);
		return cmp_leaf(p, F_DIRECTION, CMP_EQ, FRX_DIR_EGRESS);
	}
	if (parse_value(p, kw, &v) < 0)
		return -1;
	return cmp_leaf(p, F_DIRECTION, CMP_EQ, v);
}

static int parse_or(struct parser *p);

/* Keywords that take src/dst (and "src and dst", "src or dst"). */
static bool
takes_src_dst(const struct keyword *kw)
{
	return (kw->kind == K_NUM || kw->kind == K_ADDR || kw->kind == K_NET) && kw->field_dst != F_NONE &&
	       kw->field != F_IN_IF;
}

static int
parse_primitive(struct parser *p)
{
	const struct token *t = peek(p);
	const struct keyword *kw;
	enum dir dir = DIR_NONE;
	int proto, n;

	if (t->type != T_WORD)
		return expected(p, PRIMITIVES);
	if (tok_is(p, t, "src") || tok_is(p, t, "dst")) {
		bool src = tok_is(p, t, "src");

		next(p);
		dir = src ? DIR_SRC : DIR_DST;
		/* nfdump's "src and dst ip X", "src or dst port N" */
		if (src && (peek(p)->type == T_AND || peek(p)->type == T_OR) && tok_is(p, peek2(p), "dst")) {
			dir = next(p)->type == T_AND ? DIR_BOTH : DIR_EITHER;
			next(p);
		}
		kw = find_keyword(p, peek(p));
		if (kw == NULL || !takes_src_dst(kw))
			return expected(p, "ip, host, net, port, as, mask or vlan");
		next(p);
	} else if (tok_is(p, t, "in") || tok_is(p, t, "out")) {
		dir = tok_is(p, t, "in") ? DIR_SRC : DIR_DST;
		next(p);
		if (!tok_is(p, peek(p), "if"))
			return expected(p, "'if'");
		kw = find_keyword(p, next(p));
	} else {
		kw = find_keyword(p, t);
		if (kw == NULL) {
			proto = find_protocol(p, t);
			if (proto < 0)
				return expected(p, PRIMITIVES);
			next(p);
			return cmp_leaf(p, F_PROTO, CMP_EQ, (uint64_t)proto);
		}
		next(p);
	}

	switch (kw->kind) {
	case K_NUM:
		return parse_num_primitive(p, kw, dir);
	case K_ADDR:
	case K_NET:
		/* nfdump's "router ip X", "next ip X" */
		if ((strcmp(kw->name, "router") == 0 || strcmp(kw->name, "next") == 0) && tok_is(p, peek(p), "ip"))
			next(p);
		return parse_addr_primitive(p, kw, dir);
	case K_PROTO:
		return parse_proto_value(p, kw);
	case K_FLAGS:
		return parse_flags_primitive(p);
	case K_ENGINE:
		return parse_engine_primitive(p);
	case K_FLOWDIR:
		return parse_flowdir_primitive(p, kw);
	case K_ICMP:
		n = parse_num_primitive(p, kw, DIR_NONE);
		return combine(p, N_AND,
			       combine(p, N_OR, cmp_leaf(p, F_PROTO, CMP_EQ, 1), cmp_leaf(p, F_PROTO, CMP_EQ, 58)), n);
	case K_ANY:
		return new_node(p, N_TRUE);
	case K_IPV6:
		return new_leaf(p, OP_IPV6, F_NONE, F_NONE, false);
	case K_IPV4:
		n = new_node(p, N_NOT);
		if (n >= 0) {
			int leaf = new_leaf(p, OP_IPV6, F_NONE, F_NONE, false);

			if (leaf < 0)
				return -1;
			p->nodes[n].child = leaf;
		}
		return n;
	default:
		return expected(p, PRIMITIVES);
	}
}

static int
parse_not(struct parser *p)
{
	const struct token *t = peek(p);
	int n, child;

	if (p->failed)
		return -1;
	if (t->type != T_NOT && t->type != T_LPAREN)
		return parse_primitive(p);
	if (++p->depth > FRX_FILTER_MAX_DEPTH)
		return fail_at(p, t, "expression nested deeper than %d levels", FRX_FILTER_MAX_DEPTH);
	next(p);
	if (t->type == T_NOT) {
		child = parse_not(p);
		n = child < 0 ? -1 : new_node(p, N_NOT);
		if (n >= 0)
			p->nodes[n].child = child;
	} else {
		n = parse_or(p);
		if (n >= 0 && peek(p)->type != T_RPAREN) {
			char what[64];

			snprintf(what, sizeof(what), "')' to close '(' at column %u", t->pos + 1);
			return expected(p, what);
		}
		next(p);
	}
	p->depth--;
	return n;
}

/* and/or lists: one node with every operand as a child. */
static int
parse_list_op(struct parser *p, uint8_t tok, uint8_t type, int (*operand)(struct parser *))
{
	int first = operand(p), n;

	if (first < 0 || peek(p)->type != tok)
		return first;
	n = new_node(p, type);
	if (n < 0)
		return -1;
	add_child(p, n, first);
	while (peek(p)->type == tok) {
		int child;

		next(p);
		child = operand(p);
		if (child < 0)
			return -1;
		add_child(p, n, child);
	}
	return n;
}

static int
parse_and(struct parser *p)
{
	return parse_list_op(p, T_AND, N_AND, parse_not);
}

static int
parse_or(struct parser *p)
{
	return parse_list_op(p, T_OR, N_OR, parse_and);
}

/* ------------------------------------------------------------ code */

struct codegen {
	const struct node *nodes;
	struct insn *insns;
	uint32_t n;
};

/* Emit node with targets (t, f); @return its entry (an index, ACCEPT or REJECT). */
static int32_t
gen(struct codegen *g, int node, int32_t t, int32_t f)
{
	const struct node *nd = &g->nodes[node];
	int32_t e;

	switch (nd->type) {
	case N_TRUE:
		return t;
	case N_NOT:
		return gen(g, nd->child, f, t);
	case N_AND:
		/* children are linked last first: the last one jumps to t */
		e = t;
		for (int c = nd->child; c >= 0; c = g->nodes[c].prev)
			e = gen(g, c, e, f);
		return e;
	case N_OR:
		e = f;
		for (int c = nd->child; c >= 0; c = g->nodes[c].prev)
			e = gen(g, c, t, e);
		return e;
	default:
		g->insns[g->n] = nd->leaf;
		g->insns[g->n].jt = t;
		g->insns[g->n].jf = f;
		return (int32_t)g->n++;
	}
}

int
frx_filter_compile(const char *expr, struct frx_filter **filter, struct frx_filter_error *err)
{
	struct parser p;
	struct codegen g;
	struct frx_filter *f = NULL;
	uint32_t leaves = 0;
	int root, rc;

	memset(&p, 0, sizeof(p));
	p.s = expr;
	p.err = err;
	if (err != NULL) {
		err->column = 0;
		err->message[0] = '\0';
	}
	rc = tokenize(expr, &p.toks, &p.ntoks);
	if (rc < 0)
		return rc;
	if (p.toks[0].type == T_END) {
		root = new_node(&p, N_TRUE);
	} else {
		root = parse_or(&p);
		if (root >= 0 && peek(&p)->type != T_END) {
			if (peek(&p)->type == T_RPAREN)
				fail_at(&p, peek(&p), "unbalanced ')': no '(' to close");
			else
				expected(&p, "'and', 'or' or end of filter");
			root = -1;
		}
	}
	if (root < 0 || p.failed) {
		rc = p.nomem ? -ENOMEM : -EINVAL;
		goto out;
	}

	for (uint32_t i = 0; i < p.nb_nodes; i++)
		leaves += p.nodes[i].type == N_LEAF;
	rc = -ENOMEM;
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		goto out;
	f->insns = calloc(leaves ? leaves : 1, sizeof(*f->insns));
	if (f->insns == NULL)
		goto out;
	g.nodes = p.nodes;
	g.insns = f->insns;
	g.n = 0;
	f->entry = gen(&g, root, ACCEPT, REJECT);
	f->nb_insns = g.n;
	f->pool = p.pool;
	p.pool = NULL;
	*filter = f;
	f = NULL;
	rc = 0;
out:
	frx_filter_free(f);
	free(p.pool);
	free(p.nodes);
	free(p.toks);
	return rc;
}
