/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Aggregation: packed keys, one open-addressing table, bounded-heap top-N,
 * and the three output formats of a table.
 */
#include "aggr.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "filter.h"
#include "twin.h"

enum kind { KIND_ADDR, KIND_NET, KIND_U8, KIND_U16, KIND_U32, KIND_PROTO, KIND_ENGINE };

struct field_desc {
	const char *name;   /* as given to -A / -s (nfdump's) */
	const char *alias;  /* also accepted, or NULL */
	const char *title;  /* text column */
	const char *col;    /* CSV/JSON key; engine has two: engine_type, engine_id */
	uint8_t kind;
	bool either;        /* source or destination: a record counts for both */
	bool prefix_ok;     /* ip4/N, ip6/N forms */
};

static const struct field_desc fields[FRX_AGGR_FIELD_MAX] = {
	[FRX_AGGR_SRCIP] = { "srcip", "src_addr", "Src IP Addr", "src_addr", KIND_ADDR, false, true },
	[FRX_AGGR_DSTIP] = { "dstip", "dst_addr", "Dst IP Addr", "dst_addr", KIND_ADDR, false, true },
	[FRX_AGGR_IP] = { "ip", "addr", "IP Addr", "ip_addr", KIND_ADDR, true, true },
	[FRX_AGGR_SRCNET] = { "srcnet", "src_net", "Src Net", "src_net", KIND_NET, false, false },
	[FRX_AGGR_DSTNET] = { "dstnet", "dst_net", "Dst Net", "dst_net", KIND_NET, false, false },
	[FRX_AGGR_NEXTHOP] = { "nexthop", "nhip", "Next Hop", "next_hop", KIND_ADDR, false, false },
	[FRX_AGGR_EXPORTER] = { "exporter", "router", "Exporter", "exporter", KIND_ADDR, false, false },
	[FRX_AGGR_SRCPORT] = { "srcport", "src_port", "Src Port", "src_port", KIND_U16, false, false },
	[FRX_AGGR_DSTPORT] = { "dstport", "dst_port", "Dst Port", "dst_port", KIND_U16, false, false },
	[FRX_AGGR_PORT] = { "port", NULL, "Port", "port", KIND_U16, true, false },
	[FRX_AGGR_PROTO] = { "proto", NULL, "Proto", "proto", KIND_PROTO, false, false },
	[FRX_AGGR_TOS] = { "tos", NULL, "ToS", "tos", KIND_U8, false, false },
	[FRX_AGGR_SRCAS] = { "srcas", "src_as", "Src AS", "src_as", KIND_U32, false, false },
	[FRX_AGGR_DSTAS] = { "dstas", "dst_as", "Dst AS", "dst_as", KIND_U32, false, false },
	[FRX_AGGR_AS] = { "as", NULL, "AS", "as", KIND_U32, true, false },
	[FRX_AGGR_INIF] = { "inif", "in_if", "In If", "in_if", KIND_U32, false, false },
	[FRX_AGGR_OUTIF] = { "outif", "out_if", "Out If", "out_if", KIND_U32, false, false },
	[FRX_AGGR_IF] = { "if", NULL, "If", "if", KIND_U32, true, false },
	[FRX_AGGR_ENGINE] = { "engine", NULL, "Engine", "engine", KIND_ENGINE, false, false },
	[FRX_AGGR_DOMAIN] = { "domain", NULL, "Domain", "domain", KIND_U32, false, false },
	[FRX_AGGR_CLASS] = { "class", NULL, "Class", "class", KIND_U16, false, false },
	[FRX_AGGR_VERSION] = { "version", NULL, "Version", "version", KIND_U8, false, false },
	[FRX_AGGR_SRCVLAN] = { "srcvlan", "src_vlan", "Src VLAN", "src_vlan", KIND_U16, false, false },
	[FRX_AGGR_DSTVLAN] = { "dstvlan", "dst_vlan", "Dst VLAN", "dst_vlan", KIND_U16, false, false },
	[FRX_AGGR_VLAN] = { "vlan", NULL, "VLAN", "vlan", KIND_U16, true, false },
};

static const char *const order_names[FRX_AGGR_ORDER_MAX] = {
	[FRX_AGGR_ORDER_FLOWS] = "flows", [FRX_AGGR_ORDER_PACKETS] = "packets",
	[FRX_AGGR_ORDER_BYTES] = "bytes", [FRX_AGGR_ORDER_PPS] = "pps",
	[FRX_AGGR_ORDER_BPS] = "bps",     [FRX_AGGR_ORDER_BPP] = "bpp",
	[FRX_AGGR_ORDER_TSTART] = "tstart", [FRX_AGGR_ORDER_TEND] = "tend",
};

static unsigned int
kind_size(uint8_t kind)
{
	switch (kind) {
	case KIND_ADDR: return 16;
	case KIND_NET: return 17; /* address and prefix length */
	case KIND_U8:
	case KIND_PROTO: return 1;
	case KIND_U16:
	case KIND_ENGINE: return 2;
	default: return 4;
	}
}

struct slot {
	uint32_t hash;
	uint32_t idx;       /* entry index + 1; 0: empty */
};

struct frx_aggr {
	struct frx_aggr_spec spec;
	unsigned int offset[FRX_AGGR_MAX_KEYS]; /* of each key in the packed string */
	int either;                     /* index of the either-side key, -1 */
	unsigned int key_words;         /* packed string, in 64-bit words */
	size_t stride;                  /* bytes per entry */
	uint8_t *entries;
	size_t nb_entries, cap_entries;
	struct slot *slots;
	uint32_t slot_mask;
	struct frx_aggr_totals totals;
	const struct frx_aggr_entry **rows; /* last frx_aggr_sort() */
};

/* ------------------------------------------------------------ names */

int
frx_aggr_parse_order(const char *name, enum frx_aggr_order *order)
{
	for (int i = 0; i < FRX_AGGR_ORDER_MAX; i++) {
		if (strcasecmp(name, order_names[i]) == 0) {
			*order = (enum frx_aggr_order)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *
frx_aggr_order_name(enum frx_aggr_order order)
{
	return (unsigned int)order < FRX_AGGR_ORDER_MAX ? order_names[order] : "?";
}

#define KEY_NAMES                                                                                   \
	"srcip, dstip, ip, srcip4/N, srcip6/N, srcnet, dstnet, nexthop, exporter, srcport, dstport, " \
	"port, proto, tos, srcas, dstas, as, inif, outif, if, engine, domain, class, version, srcvlan, " \
	"dstvlan, vlan"

/* One name of a key list into spec. */
static int
parse_key(const char *name, struct frx_aggr_spec *spec, char *err, size_t err_size)
{
	struct frx_aggr_key key = { .v4_bits = 32, .v6_bits = 128 };
	size_t len = strlen(name);
	int field = -1;

	for (int i = 0; i < FRX_AGGR_FIELD_MAX && field < 0; i++) {
		const struct field_desc *d = &fields[i];
		size_t n = strlen(d->name);

		if (strcasecmp(name, d->name) == 0 || (d->alias != NULL && strcasecmp(name, d->alias) == 0)) {
			field = i;
		} else if (d->prefix_ok && len > n + 2 && strncasecmp(name, d->name, n) == 0 &&
			   (name[n] == '4' || name[n] == '6') && name[n + 1] == '/') {
			/* srcip4/24, dstip6/48 */
			unsigned int max = name[n] == '4' ? 32 : 128, bits = 0;
			const char *p = name + n + 2;

			if (*p == '\0' || strlen(p) > 3)
				goto bad_bits;
			for (; *p; p++) {
				if (!isdigit((unsigned char)*p))
					goto bad_bits;
				bits = bits * 10 + (unsigned int)(*p - '0');
			}
			if (bits > max)
				goto bad_bits;
			field = i;
			if (max == 32)
				key.v4_bits = (uint8_t)bits;
			else
				key.v6_bits = (uint8_t)bits;
			continue;
bad_bits:
			snprintf(err, err_size, "'%s': the prefix length must be 0-%u", name, max);
			return -EINVAL;
		}
	}
	if (field < 0) {
		snprintf(err, err_size, "unknown key '%s' (keys: " KEY_NAMES ")", name);
		return -EINVAL;
	}
	key.field = (uint8_t)field;
	for (unsigned int k = 0; k < spec->nb_keys; k++) {
		struct frx_aggr_key *o = &spec->keys[k];

		if (o->field != key.field)
			continue;
		/* srcip4/24,srcip6/48: one key, both lengths */
		if (key.v4_bits < 32 && o->v4_bits == 32) {
			o->v4_bits = key.v4_bits;
			return 0;
		}
		if (key.v6_bits < 128 && o->v6_bits == 128) {
			o->v6_bits = key.v6_bits;
			return 0;
		}
		snprintf(err, err_size, "key '%s' given twice", name);
		return -EINVAL;
	}
	if (fields[field].either) {
		for (unsigned int k = 0; k < spec->nb_keys; k++) {
			if (fields[spec->keys[k].field].either) {
				snprintf(err, err_size,
					 "'%s' and '%s' both count a record for each side: use at most one of ip, "
					 "port, as, if, vlan",
					 fields[spec->keys[k].field].name, fields[field].name);
				return -EINVAL;
			}
		}
	}
	if (spec->nb_keys == FRX_AGGR_MAX_KEYS) {
		snprintf(err, err_size, "more than %d keys", FRX_AGGR_MAX_KEYS);
		return -EINVAL;
	}
	spec->keys[spec->nb_keys++] = key;
	return 0;
}

int
frx_aggr_parse_keys(const char *text, struct frx_aggr_spec *spec, char *err, size_t err_size)
{
	const char *p = text;
	char dummy[1];

	if (err == NULL) {
		err = dummy;
		err_size = sizeof(dummy);
	}
	memset(spec, 0, sizeof(*spec));
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char name[64];

		while (len > 0 && isspace((unsigned char)*p)) {
			p++;
			len--;
		}
		while (len > 0 && isspace((unsigned char)p[len - 1]))
			len--;
		if (len == 0 || len >= sizeof(name)) {
			snprintf(err, err_size, "'%s': %s", text, len == 0 ? "empty key name" : "key name too long");
			return -EINVAL;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		if (parse_key(name, spec, err, err_size) < 0)
			return -EINVAL;
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
}

char *
frx_aggr_spec_text(const struct frx_aggr_spec *spec, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned int k = 0; k < spec->nb_keys && len < size; k++) {
		const struct frx_aggr_key *key = &spec->keys[k];
		const char *name = fields[key->field].name;
		const char *sep = k ? "," : "";

		if (key->v4_bits < 32 && key->v6_bits < 128)
			len += (size_t)snprintf(buf + len, size - len, "%s%s4/%u,%s6/%u", sep, name, key->v4_bits,
						name, key->v6_bits);
		else if (key->v4_bits < 32)
			len += (size_t)snprintf(buf + len, size - len, "%s%s4/%u", sep, name, key->v4_bits);
		else if (key->v6_bits < 128)
			len += (size_t)snprintf(buf + len, size - len, "%s%s6/%u", sep, name, key->v6_bits);
		else
			len += (size_t)snprintf(buf + len, size - len, "%s%s", sep, name);
	}
	return buf;
}

/* ------------------------------------------------------------ table */

struct frx_aggr *
frx_aggr_create(const struct frx_aggr_spec *spec)
{
	struct frx_aggr *a;
	unsigned int off = 0;

	if (spec->nb_keys == 0 || spec->nb_keys > FRX_AGGR_MAX_KEYS) {
		errno = EINVAL;
		return NULL;
	}
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return NULL;
	a->spec = *spec;
	a->either = -1;
	for (unsigned int k = 0; k < spec->nb_keys; k++) {
		if (spec->keys[k].field >= FRX_AGGR_FIELD_MAX) {
			free(a);
			errno = EINVAL;
			return NULL;
		}
		a->offset[k] = off;
		off += kind_size(fields[spec->keys[k].field].kind);
		if (fields[spec->keys[k].field].either)
			a->either = (int)k;
	}
	a->key_words = (off + 7) / 8;
	a->stride = sizeof(struct frx_aggr_entry) + a->key_words * sizeof(uint64_t);
	a->slot_mask = 1024 - 1;
	a->slots = calloc(a->slot_mask + 1, sizeof(*a->slots));
	if (a->slots == NULL) {
		free(a);
		return NULL;
	}
	return a;
}

void
frx_aggr_free(struct frx_aggr *a)
{
	if (a == NULL)
		return;
	free(a->slots);
	free(a->entries);
	free(a->rows);
	free(a);
}

static inline struct frx_aggr_entry *
entry_at(const struct frx_aggr *a, size_t i)
{
	return (struct frx_aggr_entry *)(void *)(a->entries + i * a->stride);
}

/* Keep the leading bits of an address: IPv4-mapped ones by v4_bits, others by v6_bits. */
static void
put_addr(uint8_t *dst, const uint8_t addr[16], unsigned int v4_bits, unsigned int v6_bits)
{
	unsigned int bits = frx_addr_is_v4(addr) ? 96 + v4_bits : v6_bits;

	memcpy(dst, addr, 16);
	if (bits >= 128)
		return;
	dst[bits / 8] &= (uint8_t)(0xff00 >> (bits % 8));
	for (unsigned int i = bits / 8 + 1; i < 16; i++)
		dst[i] = 0;
}

static void
put_net(uint8_t *dst, const uint8_t addr[16], uint8_t mask)
{
	bool v4 = frx_addr_is_v4(addr);
	unsigned int bits = v4 ? (mask > 32 ? 32 : mask) : (mask > 128 ? 128 : mask);

	put_addr(dst, addr, bits, bits);
	dst[16] = (uint8_t)bits;
}

/* Pack the keys of a record; side 1 takes the destination of the either-side key. */
static void
pack(const struct frx_aggr *a, const struct frx_flowrec *r, int side, uint64_t *words)
{
	uint8_t *key = (uint8_t *)words;

	memset(words, 0, a->key_words * sizeof(uint64_t));
	for (unsigned int k = 0; k < a->spec.nb_keys; k++) {
		const struct frx_aggr_key *ks = &a->spec.keys[k];
		uint8_t *dst = key + a->offset[k];
		uint32_t u32;
		uint16_t u16;

		switch (ks->field) {
		case FRX_AGGR_SRCIP: put_addr(dst, r->src_addr, ks->v4_bits, ks->v6_bits); break;
		case FRX_AGGR_DSTIP: put_addr(dst, r->dst_addr, ks->v4_bits, ks->v6_bits); break;
		case FRX_AGGR_IP: put_addr(dst, side ? r->dst_addr : r->src_addr, ks->v4_bits, ks->v6_bits); break;
		case FRX_AGGR_SRCNET: put_net(dst, r->src_addr, r->src_mask); break;
		case FRX_AGGR_DSTNET: put_net(dst, r->dst_addr, r->dst_mask); break;
		case FRX_AGGR_NEXTHOP: memcpy(dst, r->next_hop, 16); break;
		case FRX_AGGR_EXPORTER: memcpy(dst, r->exporter_addr, 16); break;
		case FRX_AGGR_SRCPORT: memcpy(dst, &r->src_port, 2); break;
		case FRX_AGGR_DSTPORT: memcpy(dst, &r->dst_port, 2); break;
		case FRX_AGGR_PORT: memcpy(dst, side ? &r->dst_port : &r->src_port, 2); break;
		case FRX_AGGR_PROTO: *dst = r->proto; break;
		case FRX_AGGR_TOS: *dst = r->tos; break;
		case FRX_AGGR_SRCAS: memcpy(dst, &r->src_as, 4); break;
		case FRX_AGGR_DSTAS: memcpy(dst, &r->dst_as, 4); break;
		case FRX_AGGR_AS: memcpy(dst, side ? &r->dst_as : &r->src_as, 4); break;
		case FRX_AGGR_INIF: memcpy(dst, &r->in_if, 4); break;
		case FRX_AGGR_OUTIF: memcpy(dst, &r->out_if, 4); break;
		case FRX_AGGR_IF: memcpy(dst, side ? &r->out_if : &r->in_if, 4); break;
		case FRX_AGGR_ENGINE: dst[0] = r->engine_type; dst[1] = r->engine_id; break;
		case FRX_AGGR_DOMAIN: u32 = r->domain; memcpy(dst, &u32, 4); break;
		case FRX_AGGR_CLASS: memcpy(dst, &r->class_id, 2); break;
		case FRX_AGGR_VERSION: *dst = r->version; break;
		case FRX_AGGR_SRCVLAN: memcpy(dst, &r->src_vlan, 2); break;
		case FRX_AGGR_DSTVLAN: memcpy(dst, &r->dst_vlan, 2); break;
		case FRX_AGGR_VLAN: u16 = side ? r->dst_vlan : r->src_vlan; memcpy(dst, &u16, 2); break;
		default: break;
		}
	}
}

static inline uint32_t
key_hash(const uint64_t *w, unsigned int n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull;

	for (unsigned int i = 0; i < n; i++) {
		h ^= w[i];
		h *= 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	return (uint32_t)h;
}

static int
grow_slots(struct frx_aggr *a)
{
	uint32_t size = (a->slot_mask + 1) * 2, mask = size - 1;
	struct slot *slots;

	if (size == 0)
		return -ENOMEM;
	slots = calloc(size, sizeof(*slots));
	if (slots == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i <= a->slot_mask; i++) {
		uint32_t j;

		if (a->slots[i].idx == 0)
			continue;
		for (j = a->slots[i].hash & mask; slots[j].idx != 0; j = (j + 1) & mask)
			;
		slots[j] = a->slots[i];
	}
	free(a->slots);
	a->slots = slots;
	a->slot_mask = mask;
	return 0;
}

static inline bool
key_equal(const uint64_t *x, const uint64_t *y, unsigned int words)
{
	uint64_t diff = 0;

	/* a handful of words: cheaper than a call to memcmp */
	for (unsigned int i = 0; i < words; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}

static struct frx_aggr_entry *
lookup(struct frx_aggr *a, const uint64_t *key)
{
	size_t key_bytes = a->key_words * sizeof(uint64_t);
	uint32_t h = key_hash(key, a->key_words), i;
	struct frx_aggr_entry *e;

	for (i = h & a->slot_mask; a->slots[i].idx != 0; i = (i + 1) & a->slot_mask) {
		if (a->slots[i].hash == h) {
			e = entry_at(a, a->slots[i].idx - 1);
			if (key_equal(e->key, key, a->key_words))
				return e;
		}
	}
	/* new aggregate: keep the table at most half full */
	if ((a->nb_entries + 1) * 2 > (size_t)a->slot_mask + 1) {
		if (grow_slots(a) < 0)
			return NULL;
		for (i = h & a->slot_mask; a->slots[i].idx != 0; i = (i + 1) & a->slot_mask)
			;
	}
	if (a->nb_entries == a->cap_entries) {
		size_t cap = a->cap_entries ? a->cap_entries * 2 : 1024;
		uint8_t *ne = realloc(a->entries, cap * a->stride);

		if (ne == NULL)
			return NULL;
		a->entries = ne;
		a->cap_entries = cap;
	}
	if (a->nb_entries >= UINT32_MAX - 1)
		return NULL;
	e = entry_at(a, a->nb_entries);
	memset(e, 0, a->stride);
	memcpy(e->key, key, key_bytes);
	e->first_ms = UINT64_MAX;
	a->slots[i].hash = h;
	a->slots[i].idx = (uint32_t)++a->nb_entries;
	return e;
}

static inline void
account(struct frx_aggr_entry *e, const struct frx_flowrec *r, uint64_t flows)
{
	e->flows += flows;
	e->packets += r->packets;
	e->bytes += r->bytes;
	if (r->first_ms < e->first_ms)
		e->first_ms = r->first_ms;
	if (r->last_ms > e->last_ms)
		e->last_ms = r->last_ms;
}

int
frx_aggr_add(struct frx_aggr *a, const struct frx_flowrec *r)
{
	uint64_t key[2][(FRX_AGGR_MAX_KEYS * 17 + 7) / 8];
	uint64_t flows = r->flows ? r->flows : 1;
	struct frx_aggr_entry *e;

	pack(a, r, 0, key[0]);
	e = lookup(a, key[0]);
	if (e == NULL)
		return -ENOMEM;
	account(e, r, flows);
	if (a->either >= 0) {
		pack(a, r, 1, key[1]);
		if (!key_equal(key[0], key[1], a->key_words)) {
			e = lookup(a, key[1]);
			if (e == NULL)
				return -ENOMEM;
			account(e, r, flows);
		}
	}
	a->totals.records++;
	a->totals.flows += flows;
	a->totals.packets += r->packets;
	a->totals.bytes += r->bytes;
	if (a->rows != NULL) {
		/* the last sort's rows may point into entries that moved */
		free(a->rows);
		a->rows = NULL;
	}
	return 0;
}

size_t
frx_aggr_count(const struct frx_aggr *a)
{
	return a->nb_entries;
}

void
frx_aggr_totals(const struct frx_aggr *a, struct frx_aggr_totals *totals)
{
	*totals = a->totals;
}

/* ------------------------------------------------------------ top-N */

static uint64_t
entry_duration(const struct frx_aggr_entry *e)
{
	return e->last_ms > e->first_ms ? e->last_ms - e->first_ms : 0;
}

static uint64_t
order_value(const struct frx_aggr_entry *e, enum frx_aggr_order order)
{
	switch (order) {
	case FRX_AGGR_ORDER_FLOWS: return e->flows;
	case FRX_AGGR_ORDER_PACKETS: return e->packets;
	case FRX_AGGR_ORDER_BYTES: return e->bytes;
	case FRX_AGGR_ORDER_PPS: return frx_rate(e->packets, 1000, entry_duration(e));
	case FRX_AGGR_ORDER_BPS: return frx_rate(e->bytes, 8000, entry_duration(e));
	case FRX_AGGR_ORDER_BPP: return e->packets ? e->bytes / e->packets : 0;
	case FRX_AGGR_ORDER_TSTART: return e->first_ms;
	default: return e->last_ms;
	}
}

struct sort_ctx {
	enum frx_aggr_order order;
	size_t key_bytes;
};

/* <0 if x comes before y in the table. */
static int
before(const struct frx_aggr_entry *x, const struct frx_aggr_entry *y, const struct sort_ctx *c)
{
	uint64_t vx = order_value(x, c->order), vy = order_value(y, c->order);
	bool ascending = c->order == FRX_AGGR_ORDER_TSTART || c->order == FRX_AGGR_ORDER_TEND;

	if (vx != vy)
		return (vx < vy) == ascending ? -1 : 1;
	return memcmp(x->key, y->key, c->key_bytes);
}

static int
cmp_rows(const void *pa, const void *pb, void *ctx)
{
	return before(*(const struct frx_aggr_entry *const *)pa, *(const struct frx_aggr_entry *const *)pb, ctx);
}

/* Heap with the row that comes last at the root. */
static void
sift_down(const struct frx_aggr_entry **h, size_t n, size_t i, const struct sort_ctx *c)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, worst = i;

		if (l < n && before(h[l], h[worst], c) > 0)
			worst = l;
		if (r < n && before(h[r], h[worst], c) > 0)
			worst = r;
		if (worst == i)
			return;
		const struct frx_aggr_entry *t = h[i];

		h[i] = h[worst];
		h[worst] = t;
		i = worst;
	}
}

static void
sift_up(const struct frx_aggr_entry **h, size_t i, const struct sort_ctx *c)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (before(h[i], h[parent], c) <= 0)
			return;
		const struct frx_aggr_entry *t = h[i];

		h[i] = h[parent];
		h[parent] = t;
		i = parent;
	}
}

int
frx_aggr_sort(struct frx_aggr *a, enum frx_aggr_order order, size_t limit,
	      const struct frx_aggr_entry *const **rows, size_t *nb_rows)
{
	struct sort_ctx c = { .order = order, .key_bytes = a->key_words * sizeof(uint64_t) };
	size_t n = limit == 0 || limit > a->nb_entries ? a->nb_entries : limit, kept = 0;
	const struct frx_aggr_entry **h;

	free(a->rows);
	a->rows = NULL;
	h = malloc((n ? n : 1) * sizeof(*h));
	if (h == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < a->nb_entries && n > 0; i++) {
		const struct frx_aggr_entry *e = entry_at(a, i);

		if (kept < n) {
			h[kept] = e;
			sift_up(h, kept++, &c);
		} else if (before(e, h[0], &c) < 0) {
			h[0] = e;
			sift_down(h, n, 0, &c);
		}
	}
	qsort_r(h, kept, sizeof(*h), cmp_rows, &c);
	a->rows = h;
	*rows = h;
	*nb_rows = kept;
	return 0;
}

/* ------------------------------------------------------------ output */

#define CELL_MAX 64
#define MAX_COLS (FRX_AGGR_MAX_KEYS + 10)

static void
addr_key_text(const uint8_t *addr, unsigned int v4_bits, unsigned int v6_bits, char *buf, size_t size)
{
	char a[FRX_ADDR_STRLEN];
	bool v4 = frx_addr_is_v4(addr);

	frx_addr_format(addr, a, sizeof(a));
	if (v4 && v4_bits < 32)
		snprintf(buf, size, "%s/%u", a, v4_bits);
	else if (!v4 && v6_bits < 128)
		snprintf(buf, size, "%s/%u", a, v6_bits);
	else
		snprintf(buf, size, "%s", a);
}

/* A key as text; proto by name when text is true, else by number. */
static void
key_cell(const struct frx_aggr *a, const struct frx_aggr_entry *e, unsigned int k, bool text, char *buf,
	 size_t size)
{
	const struct frx_aggr_key *ks = &a->spec.keys[k];
	const uint8_t *p = (const uint8_t *)e->key + a->offset[k];
	char proto[8];
	uint32_t u32;
	uint16_t u16;

	switch (fields[ks->field].kind) {
	case KIND_ADDR:
		addr_key_text(p, ks->v4_bits, ks->v6_bits, buf, size);
		break;
	case KIND_NET:
		addr_key_text(p, frx_addr_is_v4(p) ? p[16] : 32, frx_addr_is_v4(p) ? 128 : p[16], buf, size);
		if (strchr(buf, '/') == NULL) /* a full-length net still says so */
			snprintf(buf + strlen(buf), size - strlen(buf), "/%u", frx_addr_is_v4(p) ? 32u : 128u);
		break;
	case KIND_PROTO:
		if (text)
			snprintf(buf, size, "%s", frx_fmt_proto(*p, proto, sizeof(proto)));
		else
			snprintf(buf, size, "%u", *p);
		break;
	case KIND_U8:
		snprintf(buf, size, "%u", *p);
		break;
	case KIND_U16:
		memcpy(&u16, p, 2);
		snprintf(buf, size, "%u", u16);
		break;
	case KIND_ENGINE:
		snprintf(buf, size, "%u/%u", p[0], p[1]);
		break;
	default:
		memcpy(&u32, p, 4);
		snprintf(buf, size, "%" PRIu32, u32);
		break;
	}
}

char *
frx_aggr_key_text(const struct frx_aggr *a, const struct frx_aggr_entry *e, unsigned int k, char *buf, size_t size)
{
	if (k >= a->spec.nb_keys)
		snprintf(buf, size, "?");
	else
		key_cell(a, e, k, true, buf, size);
	return buf;
}

static double
pct(uint64_t v, uint64_t total)
{
	return total ? 100.0 * (double)v / (double)total : 0.0;
}

/* Text columns after the keys. */
enum { TC_FLOWS, TC_PACKETS, TC_BYTES, TC_PPS, TC_BPS, TC_BPP, TC_MAX };

struct text_table {
	int nb_cols;
	bool left[MAX_COLS];
	int width[MAX_COLS];
};

/* The cells of one text row (row NULL: the titles). */
static void
text_cells(const struct frx_aggr *a, const struct frx_aggr_entry *e, bool top, char cells[][CELL_MAX])
{
	static const char *const titles[2][TC_MAX] = {
		{ "Flows", "Packets", "Bytes", "pps", "bps", "bpp" },
		{ "Flows(%)", "Packets(%)", "Bytes(%)", "pps", "bps", "bpp" },
	};
	unsigned int c = 0;
	char h[FRX_FMT_HUMAN_MAX];

	if (e == NULL) {
		snprintf(cells[c++], CELL_MAX, "Date first seen (UTC)");
		snprintf(cells[c++], CELL_MAX, "Duration");
		for (unsigned int k = 0; k < a->spec.nb_keys; k++)
			snprintf(cells[c++], CELL_MAX, "%s", fields[a->spec.keys[k].field].title);
		for (int t = 0; t < TC_MAX; t++)
			snprintf(cells[c++], CELL_MAX, "%s", titles[top][t]);
		return;
	}
	frx_twin_format(e->first_ms, cells[c++], CELL_MAX);
	snprintf(cells[c++], CELL_MAX, "%" PRIu64 ".%03u", entry_duration(e) / 1000,
		 (unsigned int)(entry_duration(e) % 1000));
	for (unsigned int k = 0; k < a->spec.nb_keys; k++)
		key_cell(a, e, k, true, cells[c++], CELL_MAX);
	if (top) {
		snprintf(cells[c++], CELL_MAX, "%s(%4.1f)", frx_fmt_human(e->flows, h, sizeof(h)),
			 pct(e->flows, a->totals.flows));
		snprintf(cells[c++], CELL_MAX, "%s(%4.1f)", frx_fmt_human(e->packets, h, sizeof(h)),
			 pct(e->packets, a->totals.packets));
		snprintf(cells[c++], CELL_MAX, "%s(%4.1f)", frx_fmt_human(e->bytes, h, sizeof(h)),
			 pct(e->bytes, a->totals.bytes));
	} else {
		frx_fmt_human(e->flows, cells[c++], CELL_MAX);
		frx_fmt_human(e->packets, cells[c++], CELL_MAX);
		frx_fmt_human(e->bytes, cells[c++], CELL_MAX);
	}
	frx_fmt_human(order_value(e, FRX_AGGR_ORDER_PPS), cells[c++], CELL_MAX);
	frx_fmt_human(order_value(e, FRX_AGGR_ORDER_BPS), cells[c++], CELL_MAX);
	snprintf(cells[c++], CELL_MAX, "%" PRIu64, order_value(e, FRX_AGGR_ORDER_BPP));
}

static void
write_text(const struct frx_aggr *a, const struct frx_aggr_entry *const *rows, size_t nb_rows,
	   const struct frx_aggr_print *how, FILE *out)
{
	char cells[MAX_COLS][CELL_MAX];
	struct text_table t;

	t.nb_cols = 2 + (int)a->spec.nb_keys + TC_MAX;
	for (int c = 0; c < t.nb_cols; c++) {
		int k = c - 2;

		/* dates and addresses read left to right; numbers align right */
		t.left[c] = c == 0 || (k >= 0 && k < (int)a->spec.nb_keys &&
				       (fields[a->spec.keys[k].field].kind == KIND_ADDR ||
					fields[a->spec.keys[k].field].kind == KIND_NET));
		t.width[c] = 0;
	}
	for (size_t i = 0; i <= nb_rows; i++) {
		text_cells(a, i == 0 ? NULL : rows[i - 1], how->top, cells);
		for (int c = 0; c < t.nb_cols; c++)
			if ((int)strlen(cells[c]) > t.width[c])
				t.width[c] = (int)strlen(cells[c]);
	}
	if (how->top) {
		fprintf(out, "%s %zu ", how->limit ? "Top" : "All", how->limit ? how->limit : nb_rows);
		for (unsigned int k = 0; k < a->spec.nb_keys; k++)
			fprintf(out, "%s%s", k ? ", " : "", fields[a->spec.keys[k].field].title);
		fprintf(out, " ordered by %s:\n", frx_aggr_order_name(how->order));
	}
	for (size_t i = 0; i <= nb_rows; i++) {
		text_cells(a, i == 0 ? NULL : rows[i - 1], how->top, cells);
		for (int c = 0; c < t.nb_cols; c++)
			fprintf(out, t.left[c] ? "%-*s%s" : "%*s%s", t.width[c], cells[c],
				c + 1 < t.nb_cols ? "  " : "\n");
	}
}

static void
write_csv_json(const struct frx_aggr *a, const struct frx_aggr_entry *const *rows, size_t nb_rows,
	       const struct frx_aggr_print *how, FILE *out)
{
	bool json = how->fmt == FRX_FMT_JSON;
	char stat[256], spec[200], cell[CELL_MAX];

	frx_aggr_spec_text(&a->spec, spec, sizeof(spec));
	snprintf(stat, sizeof(stat), "%s/%s", spec, frx_aggr_order_name(how->order));
	if (!json) {
		if (how->top)
			fprintf(out, "stat,rank,");
		for (unsigned int k = 0; k < a->spec.nb_keys; k++) {
			if (a->spec.keys[k].field == FRX_AGGR_ENGINE)
				fprintf(out, "engine_type,engine_id,");
			else
				fprintf(out, "%s,", fields[a->spec.keys[k].field].col);
		}
		fprintf(out, "first,last,duration,flows,packets,bytes,pps,bps,bpp,flows_pct,packets_pct,bytes_pct\n");
	}
	for (size_t i = 0; i < nb_rows; i++) {
		const struct frx_aggr_entry *e = rows[i];

		if (json)
			fputc('{', out);
		if (how->top)
			fprintf(out, json ? "\"stat\":\"%s\",\"rank\":%zu," : "%s,%zu,", stat, i + 1);
		for (unsigned int k = 0; k < a->spec.nb_keys; k++) {
			const struct field_desc *d = &fields[a->spec.keys[k].field];
			const uint8_t *p = (const uint8_t *)e->key + a->offset[k];

			if (d->kind == KIND_ENGINE) {
				fprintf(out, json ? "\"engine_type\":%u,\"engine_id\":%u," : "%u,%u,", p[0], p[1]);
				continue;
			}
			key_cell(a, e, k, false, cell, sizeof(cell));
			if (!json)
				fprintf(out, "%s,", cell);
			else if (d->kind == KIND_ADDR || d->kind == KIND_NET)
				fprintf(out, "\"%s\":\"%s\",", d->col, cell);
			else
				fprintf(out, "\"%s\":%s,", d->col, cell);
		}
		fprintf(out,
			json ? "\"first\":%" PRIu64 ",\"last\":%" PRIu64 ",\"duration\":%" PRIu64 ",\"flows\":%" PRIu64
			       ",\"packets\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"pps\":%" PRIu64 ",\"bps\":%" PRIu64
			       ",\"bpp\":%" PRIu64 ",\"flows_pct\":%.2f,\"packets_pct\":%.2f,\"bytes_pct\":%.2f}\n"
			     : "%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
			       ",%" PRIu64 ",%" PRIu64 ",%.2f,%.2f,%.2f\n",
			e->first_ms, e->last_ms, entry_duration(e), e->flows, e->packets, e->bytes,
			order_value(e, FRX_AGGR_ORDER_PPS), order_value(e, FRX_AGGR_ORDER_BPS),
			order_value(e, FRX_AGGR_ORDER_BPP), pct(e->flows, a->totals.flows),
			pct(e->packets, a->totals.packets), pct(e->bytes, a->totals.bytes));
	}
}

void
frx_aggr_write(const struct frx_aggr *a, const struct frx_aggr_entry *const *rows, size_t nb_rows,
	       const struct frx_aggr_print *how, FILE *out)
{
	if (how->fmt == FRX_FMT_TEXT)
		write_text(a, rows, nb_rows, how, out);
	else
		write_csv_json(a, rows, nb_rows, how, out);
}
