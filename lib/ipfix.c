/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NetFlow v9 and IPFIX: message header, set walk, template and options
 * template sets, data sets run through the compiled templates of lib/tmpl.c.
 *
 * Every read is bounded by the set it belongs to: a length read from the
 * wire is checked against what is left before anything is taken from it.
 */
#include "ipfix.h"

#include "wire.h"

#include <endian.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "flowrec.h"
#include "uptime.h"

#define V9_HEADER_LEN 20
#define IPFIX_HEADER_LEN 16
#define SET_HEADER_LEN 4
#define NTP_UNIX_OFFSET 2208988800ull /* seconds from 1900 to 1970 */

/* Set ids. */
#define V9_TEMPLATE_SET 0
#define V9_OPTIONS_SET 1
#define IPFIX_TEMPLATE_SET 2
#define IPFIX_OPTIONS_SET 3
#define FIRST_DATA_SET 256

/* v9 options scope types (RFC 3954 §6.1); the scope field itself is skipped. */

/* Unsigned big-endian integer of 1-8 bytes (reduced-size encoding). */
static inline uint64_t
rd_uint(const uint8_t *p, uint16_t len)
{
	uint64_t v = 0;

	switch (len) {
	case 1:
		return p[0];
	case 2:
		return frx_rd16(p);
	case 4:
		return frx_rd32(p);
	case 8:
		return frx_rd64(p);
	default:
		for (uint16_t i = 0; i < len; i++)
			v = v << 8 | p[i];
		return v;
	}
}

/* Context of one message, passed down to set decoders. */
struct msg_ctx {
	struct frx_tmpl_cache *cache;
	const struct frx_exporter *exp;
	struct frx_recbuf *out;
	struct frx_pdu_info *info;
	uint32_t session;
	uint64_t now_ms;
	uint64_t export_ms;
	uint32_t sys_uptime_ms; /* v9 only */
	uint16_t version;
};

/* ------------------------------------------------------------- templates */

/*
 * Parse field specifiers. IPFIX: the enterprise bit adds a 4-byte PEN; v9
 * has none (types above 32767 are vendor types, kept as plain numbers).
 * @return bytes consumed, 0 if the record does not fit.
 */
static uint32_t
parse_fields(const uint8_t *p, uint32_t left, uint16_t count, int ipfix, struct frx_tmpl_field *fields)
{
	uint32_t off = 0;

	for (uint16_t i = 0; i < count; i++) {
		uint16_t ie;

		if (left - off < 4)
			return 0;
		ie = frx_rd16(p + off);
		fields[i].len = frx_rd16(p + off + 2);
		fields[i].pen = 0;
		off += 4;
		if (ipfix && (ie & 0x8000)) {
			if (left - off < 4)
				return 0;
			fields[i].pen = frx_rd32(p + off);
			off += 4;
			ie &= 0x7fff;
		}
		fields[i].ie = ie;
		/* varlen only exists in IPFIX; in v9 0xffff is just a huge length */
		if (!ipfix && fields[i].len == FRX_TMPL_VARLEN)
			return 0;
	}
	return off;
}

static void decode_backlog(struct msg_ctx *m, const struct frx_tmpl *t);

static void
learn_template(struct msg_ctx *m, uint16_t id, const struct frx_tmpl_field *fields, uint16_t nb_fields,
	       uint16_t nb_scope, int options)
{
	const struct frx_tmpl *t = frx_tmpl_insert(m->cache, m->session, id, fields, nb_fields, nb_scope,
						   options, m->now_ms);

	if (t != NULL)
		decode_backlog(m, t);
}

/* v9 template flowset or IPFIX template set: template records back to back. */
static void
template_set(struct msg_ctx *m, const uint8_t *p, uint32_t len, int ipfix)
{
	static __thread struct frx_tmpl_field fields[FRX_TMPL_MAX_FIELDS];
	uint32_t off = 0;

	while (len - off >= 4) {
		uint16_t id = frx_rd16(p + off), count = frx_rd16(p + off + 2), used;

		off += 4;
		if (ipfix && count == 0) {
			/* RFC 7011 §8.1: withdrawal; id 2 withdraws all templates */
			if (id == IPFIX_TEMPLATE_SET)
				frx_tmpl_withdraw(m->cache, m->session, -1, 0);
			else
				frx_tmpl_withdraw(m->cache, m->session, id, 0);
			continue;
		}
		if (count == 0 || count > FRX_TMPL_MAX_FIELDS) {
			m->cache->c.templates_rejected_invalid++;
			return; /* cannot find the next record without the count */
		}
		used = (uint16_t)parse_fields(p + off, len - off, count, ipfix, fields);
		if (used == 0) {
			m->cache->c.templates_rejected_invalid++;
			return;
		}
		off += used;
		learn_template(m, id, fields, count, 0, 0);
	}
}

/* RFC 3954 §6.1: id, scope length, option length (bytes), scope fields, option fields. */
static void
v9_options_set(struct msg_ctx *m, const uint8_t *p, uint32_t len)
{
	static __thread struct frx_tmpl_field fields[FRX_TMPL_MAX_FIELDS];
	uint32_t off = 0;

	while (len - off >= 6) {
		uint16_t id = frx_rd16(p + off), scope_len = frx_rd16(p + off + 2), opt_len = frx_rd16(p + off + 4);
		uint32_t nb_scope = scope_len / 4, nb = nb_scope + opt_len / 4;

		off += 6;
		if (id < FIRST_DATA_SET)
			return; /* padding, or garbage: nothing more to learn here */
		if ((scope_len | opt_len) % 4 || nb == 0 || nb > FRX_TMPL_MAX_FIELDS ||
		    (uint32_t)scope_len + opt_len > len - off) {
			m->cache->c.templates_rejected_invalid++;
			return;
		}
		if (parse_fields(p + off, len - off, (uint16_t)nb, 0, fields) == 0) {
			m->cache->c.templates_rejected_invalid++;
			return;
		}
		off += (uint32_t)scope_len + opt_len;
		learn_template(m, id, fields, (uint16_t)nb, (uint16_t)nb_scope, 1);
	}
}

/* RFC 7011 §3.4.2.2: id, field count, scope field count, fields. */
static void
ipfix_options_set(struct msg_ctx *m, const uint8_t *p, uint32_t len)
{
	static __thread struct frx_tmpl_field fields[FRX_TMPL_MAX_FIELDS];
	uint32_t off = 0;

	while (len - off >= 4) {
		uint16_t id = frx_rd16(p + off), count = frx_rd16(p + off + 2), scope, used;

		if (count == 0) {
			/* withdrawal: 4-byte record; id 3 withdraws all options templates */
			off += 4;
			if (id == IPFIX_OPTIONS_SET)
				frx_tmpl_withdraw(m->cache, m->session, -1, 1);
			else
				frx_tmpl_withdraw(m->cache, m->session, id, 1);
			continue;
		}
		if (len - off < 6)
			return; /* padding */
		scope = frx_rd16(p + off + 4);
		off += 6;
		if (count > FRX_TMPL_MAX_FIELDS || scope == 0 || scope > count) {
			m->cache->c.templates_rejected_invalid++;
			return;
		}
		used = (uint16_t)parse_fields(p + off, len - off, count, 1, fields);
		if (used == 0) {
			m->cache->c.templates_rejected_invalid++;
			return;
		}
		off += used;
		learn_template(m, id, fields, count, scope, 1);
	}
}

/* ------------------------------------------------------------ data sets */

/* Values a record carries that need more than a copy. */
struct rec_extra {
	uint64_t seen;       /* bit per enum frx_tmpl_target */
	uint64_t v[FRX_T_MAX];
};

static inline void
set_extra(struct rec_extra *x, unsigned int target, uint64_t value)
{
	x->seen |= 1ull << target;
	x->v[target] = value;
}

static inline int
has(const struct rec_extra *x, unsigned int target)
{
	return (x->seen >> target) & 1;
}

static uint64_t
ntp_to_ms(uint64_t ntp)
{
	uint64_t secs = ntp >> 32, frac_ms = ((ntp & 0xffffffffull) * 1000) >> 32;

	return secs >= NTP_UNIX_OFFSET ? (secs - NTP_UNIX_OFFSET) * 1000 + frac_ms : 0;
}

/* Epoch ms of one end of the flow, from the form the template gives it in
 * (src: the FRX_T_FIRST_* or FRX_T_LAST_* target lib/tmpl.c chose, 0: none). */
static uint64_t record_time_slow(const struct msg_ctx *m, const struct frx_tmpl_session *s,
				 const struct rec_extra *x, unsigned int src);

static inline __attribute__((always_inline)) uint64_t
record_time(const struct msg_ctx *m, const struct frx_tmpl_session *s, const struct rec_extra *x,
	    unsigned int src)
{
	/* epoch milliseconds (most IPFIX exporters) need no conversion,
	 * v9's uptime stamps a subtraction */
	if (src == FRX_T_FIRST_MS || src == FRX_T_LAST_MS)
		return x->v[src];
	if ((src == FRX_T_FIRST_UPTIME || src == FRX_T_LAST_UPTIME) && m->version == 9 && !m->exp->uptime_in_seconds)
		return frx_uptime_to_epoch_ms(m->export_ms, m->sys_uptime_ms, (uint32_t)x->v[src]);
	return record_time_slow(m, s, x, src);
}

static uint64_t
record_time_slow(const struct msg_ctx *m, const struct frx_tmpl_session *s, const struct rec_extra *x,
		 unsigned int src)
{
	switch (src) {
	case FRX_T_FIRST_MS:
	case FRX_T_LAST_MS:
		return x->v[src];
	case FRX_T_FIRST_NTP:
	case FRX_T_LAST_NTP:
		return ntp_to_ms(x->v[src]);
	case FRX_T_FIRST_SEC:
	case FRX_T_LAST_SEC:
		return x->v[src] * 1000;
	case FRX_T_FIRST_UPTIME:
	case FRX_T_LAST_UPTIME: {
		uint32_t stamp = (uint32_t)x->v[src];
		uint64_t base, t;

		if (m->version == 9) {
			/* Exporters that count sysUptime in seconds (operator quirk) */
			if (m->exp->uptime_in_seconds)
				return frx_uptime_s_to_epoch_ms(m->export_ms, m->sys_uptime_ms, stamp);
			return frx_uptime_to_epoch_ms(m->export_ms, m->sys_uptime_ms, stamp);
		}
		/* IPFIX flow*SysUpTime: relative to systemInitTimeMilliseconds */
		base = has(x, FRX_T_SYSINIT_MS) ? x->v[FRX_T_SYSINIT_MS] : s->sysinit_ms;
		if (base == 0)
			return 0;
		t = base + stamp;
		/* A flow older than the reference (softflowd replaying a capture
		 * stamps them so) wrapped the unsigned offset: read it as signed,
		 * as v9 does, rather than placing the flow weeks in the future. */
		if (t > m->export_ms + 0x80000000ull && t >= 0x100000000ull)
			t -= 0x100000000ull;
		return t;
	}
	case FRX_T_FIRST_DELTA_US:
	case FRX_T_LAST_DELTA_US:
		return m->export_ms - x->v[src] / 1000;
	default:
		return 0;
	}
}

static uint32_t
sampler_interval(const struct frx_tmpl_session *s, uint32_t id, uint8_t is_interface)
{
	if (s->nb_samplers == 0)
		return 0; /* most sessions: no per-record scan */
	for (unsigned int i = 0; i < FRX_TMPL_MAX_SAMPLERS; i++)
		if (s->samplers[i].used && s->samplers[i].id == id && s->samplers[i].is_interface == is_interface)
			return s->samplers[i].interval;
	return 0;
}

static const uint8_t zero_addr[16];

#define SAMPLING_TARGETS                                                                             \
	(1ull << FRX_T_SELECTOR_ID | 1ull << FRX_T_SAMPLER_ID | 1ull << FRX_T_SAMPLING_INTERVAL |    \
	 1ull << FRX_T_SAMPLER_RANDOM_INTERVAL)

static void
finish_record(const struct msg_ctx *m, const struct frx_tmpl_session *s, const struct frx_tmpl *t,
	      struct frx_flowrec *rec, const struct rec_extra *x, int sampling_known)
{
	uint32_t sampling = 0;

	/* An IPv4 flow whose IPv6 next-hop field is :: has no next hop: 0.0.0.0 */
	if (__builtin_expect(t->v4_nh6, 0) && memcmp(rec->next_hop, zero_addr, 16) == 0)
		frx_addr_set_v4(rec->next_hop, zero_addr);
	rec->first_ms = record_time(m, s, x, t->time_first);
	rec->last_ms = record_time(m, s, x, t->time_last);
	if (rec->last_ms == 0 && rec->first_ms && (has(x, FRX_T_DURATION_MS) || has(x, FRX_T_DURATION_US)))
		rec->last_ms = rec->first_ms + (has(x, FRX_T_DURATION_MS) ? x->v[FRX_T_DURATION_MS]
									  : x->v[FRX_T_DURATION_US] / 1000);
	if (rec->first_ms == 0 && rec->last_ms)
		rec->first_ms = rec->last_ms;
	else if (rec->last_ms == 0 && rec->first_ms)
		rec->last_ms = rec->first_ms;

	/* nfdump's convention: ICMP type/code in the destination port */
	if (has(x, FRX_T_ICMP_TYPE_CODE) && rec->dst_port == 0)
		rec->dst_port = (uint16_t)x->v[FRX_T_ICMP_TYPE_CODE];

	if (sampling_known)
		return; /* the same for the whole set: data_set() put it in the base record */
	if (m->exp->sampling_override)
		sampling = m->exp->sampling_override;
	else if (has(x, FRX_T_SELECTOR_ID))
		sampling = sampler_interval(s, (uint32_t)x->v[FRX_T_SELECTOR_ID], 0);
	else if (has(x, FRX_T_SAMPLER_ID))
		sampling = sampler_interval(s, (uint32_t)x->v[FRX_T_SAMPLER_ID], 0);
	if (sampling == 0 && !m->exp->sampling_override) {
		if (has(x, FRX_T_SAMPLING_INTERVAL))
			sampling = (uint32_t)x->v[FRX_T_SAMPLING_INTERVAL];
		else if (has(x, FRX_T_SAMPLER_RANDOM_INTERVAL))
			sampling = (uint32_t)x->v[FRX_T_SAMPLER_RANDOM_INTERVAL];
		else if ((sampling = sampler_interval(s, rec->in_if, 1)) == 0)
			sampling = s->sampling_interval; /* no row for its input interface */
	}
	rec->sampling_interval = sampling;
}

/* Strings of the record being decoded: options rows keep interface names
 * (strings), data records hand theirs to the rules stage (strtab). */
struct rec_strings {
	const uint8_t **strings;
	uint16_t *string_lens;
	struct frx_strtab *strtab;
};

static void
store_string(const struct frx_tmpl_op *op, const uint8_t *f, uint32_t len, struct frx_flowrec *rec,
	     const struct rec_strings *str)
{
	switch (op->target) {
	case FRX_T_IF_NAME:
	case FRX_T_IF_DESCR:
		if (str->strings) {
			str->strings[op->target == FRX_T_IF_NAME ? 0 : 1] = f;
			str->string_lens[op->target == FRX_T_IF_NAME ? 0 : 1] = (uint16_t)len;
		} else if (str->strtab && op->target == FRX_T_IF_NAME) {
			frx_strtab_push(str->strtab, rec, FRX_STR_IN_IF_NAME, f, len);
		}
		break;
	case FRX_T_APP_NAME:
	case FRX_T_APP_DESCR:
		/* strings only the rules stage reads; kept only when it asks */
		if (str->strtab)
			frx_strtab_push(str->strtab, rec,
					op->target == FRX_T_APP_NAME ? FRX_STR_APPLICATION : FRX_STR_APP_DESCR, f, len);
		break;
	}
}

/*
 * One field into the record: the store the template compiler chose
 * (lib/tmpl.c op_kind()). Integer stores write the record field through
 * its offset; the record is little-endian (lib/flowrec.h), so the low bytes
 * of a wider value are its first bytes.
 */
static inline __attribute__((always_inline)) void
store_field(const struct frx_tmpl_op *op, const uint8_t *f, uint32_t len, struct frx_flowrec *rec,
	    struct rec_extra *x, const struct rec_strings *str)
{
	uint8_t *dst = (uint8_t *)rec + op->rec_off;

	switch ((enum frx_tmpl_op_kind)op->kind) {
	case FRX_OP_SKIP:
		break;
	case FRX_OP_U8:
		*dst = f[0];
		break;
	case FRX_OP_BE16: {
		uint16_t v = frx_rd16(f);

		memcpy(dst, &v, 2);
		break;
	}
	case FRX_OP_BE32: {
		uint32_t v = frx_rd32(f);

		memcpy(dst, &v, 4);
		break;
	}
	case FRX_OP_BE32_64: {
		uint64_t v = frx_rd32(f);

		memcpy(dst, &v, 8);
		break;
	}
	case FRX_OP_BE64: {
		uint64_t v = frx_rd64(f);

		memcpy(dst, &v, 8);
		break;
	}
	case FRX_OP_UINT: {
		uint64_t v = rd_uint(f, (uint16_t)len);

		/* the low bytes: tcpControlBits 2 -> 1, interfaces 2 -> 4, ... */
		switch (op->size) {
		case 1:
			*dst = (uint8_t)v;
			break;
		case 2:
			memcpy(dst, &v, 2);
			break;
		case 4:
			memcpy(dst, &v, 4);
			break;
		default:
			memcpy(dst, &v, 8);
			break;
		}
		break;
	}
	case FRX_OP_ADDR4:
		frx_addr_set_v4(dst, f);
		break;
	case FRX_OP_ADDR6:
		memcpy(dst, f, 16);
		break;
	case FRX_OP_DIRECTION: {
		/* IPFIX flowDirection: 0 ingress, 1 egress */
		uint64_t v = rd_uint(f, (uint16_t)len);

		rec->direction = v == 0 ? FRX_DIR_INGRESS : v == 1 ? FRX_DIR_EGRESS : FRX_DIR_UNKNOWN;
		break;
	}
	case FRX_OP_EXTRA:
		set_extra(x, op->target, rd_uint(f, (uint16_t)len));
		break;
	case FRX_OP_STRING:
		store_string(op, f, len, rec, str);
		break;
	case FRX_OP_MAX:
		break;
	}
}

/* The plan's flowDirection stores (n of them from mv): 0 ingress, 1 egress. */
static inline void
plan_dir8(const struct frx_tmpl_mv *mv, unsigned int n, const uint8_t *p, uint8_t *r)
{
	for (; n; n--, mv++) {
		uint8_t v = p[mv->data_off];

		r[mv->dst] = v == 0 ? FRX_DIR_INGRESS : v == 1 ? FRX_DIR_EGRESS : FRX_DIR_UNKNOWN;
	}
}

/* The plan's other stores (n of them from mv), through the general store, in order. */
static inline void
plan_other(const struct frx_tmpl *t, const struct frx_tmpl_mv *mv, unsigned int n, const uint8_t *p,
	   struct frx_flowrec *rec, struct rec_extra *x, const struct rec_strings *str)
{
	for (; n; n--, mv++) {
		const struct frx_tmpl_op *op = &t->ops[mv->dst];

		store_field(op, p + mv->data_off, op->len, rec, x, str);
	}
}

/*
 * A fixed-layout template's grouped plan (lib/tmpl.c plan_compile()): one
 * loop per store kind over (data offset, destination) pairs. Loop counts
 * repeat record after record, so the branches predict; no indirect jump.
 */
static inline __attribute__((always_inline)) void
run_plan(const struct frx_tmpl *t, const uint8_t *p, struct frx_flowrec *rec, struct rec_extra *x,
	 const struct rec_strings *str)
{
	const struct frx_tmpl_plan *pl = &t->plan;
	const struct frx_tmpl_mv *mv = pl->mv;
	uint8_t *r = (uint8_t *)rec;
	unsigned int n;

	for (n = pl->n[FRX_G_U8]; n; n--, mv++)
		r[mv->dst] = p[mv->data_off];
	for (n = pl->n[FRX_G_BE16]; n; n--, mv++) {
		uint16_t v = frx_rd16(p + mv->data_off);

		memcpy(r + mv->dst, &v, 2);
	}
	for (n = pl->n[FRX_G_BE32]; n; n--, mv++) {
		uint32_t v = frx_rd32(p + mv->data_off);

		memcpy(r + mv->dst, &v, 4);
	}
	for (n = pl->n[FRX_G_BE32_64]; n; n--, mv++) {
		uint64_t v = frx_rd32(p + mv->data_off);

		memcpy(r + mv->dst, &v, 8);
	}
	for (n = pl->n[FRX_G_BE64]; n; n--, mv++) {
		uint64_t v = frx_rd64(p + mv->data_off);

		memcpy(r + mv->dst, &v, 8);
	}
	for (n = pl->n[FRX_G_ADDR4]; n; n--, mv++)
		frx_addr_set_v4(r + mv->dst, p + mv->data_off);
	for (n = pl->n[FRX_G_ADDR6]; n; n--, mv++)
		memcpy(r + mv->dst, p + mv->data_off, 16);
	for (n = pl->n[FRX_G_BE16_32]; n; n--, mv++) {
		uint32_t v = frx_rd16(p + mv->data_off);

		memcpy(r + mv->dst, &v, 4);
	}
	for (n = pl->n[FRX_G_BE16_8]; n; n--, mv++)
		r[mv->dst] = p[mv->data_off + 1];
	plan_dir8(mv, pl->n[FRX_G_DIR8], p, r);
	mv += pl->n[FRX_G_DIR8];
	x->seen |= pl->x_seen;
	for (n = pl->n[FRX_G_X8]; n; n--, mv++)
		x->v[mv->dst] = p[mv->data_off];
	for (n = pl->n[FRX_G_X16]; n; n--, mv++)
		x->v[mv->dst] = frx_rd16(p + mv->data_off);
	for (n = pl->n[FRX_G_X32]; n; n--, mv++)
		x->v[mv->dst] = frx_rd32(p + mv->data_off);
	for (n = pl->n[FRX_G_X64]; n; n--, mv++)
		x->v[mv->dst] = frx_rd64(p + mv->data_off);
	plan_other(t, mv, pl->n[FRX_G_OTHER], p, rec, x, str);
}

/* ------------------------------------------------- AVX-512 VBMI permutation */

static int simd_disabled; /* frx_ipfix_set_simd(0): tests compare both paths */
static int plan_disabled; /* frx_ipfix_set_plan(0): and the ops run in order */

int
frx_ipfix_set_plan(int enable)
{
	int was = !plan_disabled;

	plan_disabled = !enable;
	return was;
}

int
frx_ipfix_set_simd(int enable)
{
	int was = !simd_disabled;

	simd_disabled = !enable;
	return was;
}

int
frx_ipfix_simd_active(void)
{
#if defined(__x86_64__)
	return !simd_disabled && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
	       __builtin_cpu_supports("avx512vbmi");
#else
	return 0;
#endif
}

#if defined(__x86_64__)
#define FRX_PERM_TARGET __attribute__((target("avx512f,avx512bw,avx512vbmi")))

/* The set's base record with the template's constant bytes (struct frx_tmpl_perm). */
static FRX_PERM_TARGET void
perm_base(const struct frx_tmpl_perm *pm, const struct frx_flowrec *base, uint8_t out[192])
{
	const uint8_t *b = (const uint8_t *)base;

	for (unsigned int k = 0; k < 3; k++) {
		__m512i v = k < 2 ? _mm512_loadu_si512(b + 64 * k) : _mm512_maskz_loadu_epi8(0xffffffffull, b + 128);

		v = _mm512_mask_blend_epi8(pm->rec_const[k], v, _mm512_loadu_si512(pm->konst + 64 * k));
		_mm512_storeu_si512(out + 64 * k, v);
	}
}

/*
 * One data record at p into rec: three byte permutations of its (at most
 * 128) bytes blended over the base, one more for the values of x. The
 * masked loads read exactly the record's bytes.
 */
static FRX_PERM_TARGET void
perm_record(const struct frx_tmpl_perm *pm, const uint8_t *p, const uint8_t base[192], struct frx_flowrec *rec,
	    struct rec_extra *x)
{
	__m512i s0 = _mm512_maskz_loadu_epi8(pm->load_mask[0], p);
	__m512i s1 = _mm512_maskz_loadu_epi8(pm->load_mask[1], p + 64);
	uint8_t *r = (uint8_t *)rec;

	__m512i v0 = _mm512_permutex2var_epi8(s0, _mm512_loadu_si512(pm->rec_idx), s1);
	__m512i v1 = _mm512_permutex2var_epi8(s0, _mm512_loadu_si512(pm->rec_idx + 64), s1);
	__m512i v2 = _mm512_permutex2var_epi8(s0, _mm512_loadu_si512(pm->rec_idx + 128), s1);

	v0 = _mm512_mask_blend_epi8(pm->rec_from_data[0], _mm512_loadu_si512(base), v0);
	v1 = _mm512_mask_blend_epi8(pm->rec_from_data[1], _mm512_loadu_si512(base + 64), v1);
	v2 = _mm512_mask_blend_epi8(pm->rec_from_data[2], _mm512_loadu_si512(base + 128), v2);
	if (pm->dir_lanes) {
		/* flowDirection 0 ingress, 1 egress, else unknown: FRX_DIR_* = v + 1 or 0
		 * (direction is in the last 32 bytes of the record) */
		__mmask64 small = _mm512_cmplt_epu8_mask(v2, _mm512_set1_epi8(2)) & pm->dir_lanes;

		v2 = _mm512_mask_add_epi8(v2, small, v2, _mm512_set1_epi8(1));
		v2 = _mm512_mask_mov_epi8(v2, pm->dir_lanes & ~small, _mm512_setzero_si512());
	}
	_mm512_storeu_si512(r, v0);
	_mm512_storeu_si512(r + 64, v1);
	_mm512_mask_storeu_epi8(r + 128, 0xffffffffull, v2);
	if (pm->nb_slots) {
		uint64_t slots[FRX_PERM_MAX_SLOTS];

		_mm512_storeu_si512(slots, _mm512_maskz_permutex2var_epi8(pm->x_from_data, s0,
									   _mm512_loadu_si512(pm->x_idx), s1));
		for (unsigned int k = 0; k < pm->nb_slots; k++)
			x->v[pm->slot_target[k]] = slots[k];
	}
}

#else
/* Other architectures: never called (frx_ipfix_simd_active() is 0). */
static void
perm_base(const struct frx_tmpl_perm *pm, const struct frx_flowrec *base, uint8_t out[192])
{
	(void)pm, (void)base, (void)out;
}

static void
perm_record(const struct frx_tmpl_perm *pm, const uint8_t *p, const uint8_t base[192], struct frx_flowrec *rec,
	    struct rec_extra *x)
{
	(void)pm, (void)p, (void)base, (void)rec, (void)x;
}
#endif

/* What the permutation leaves to loops: flowDirection (unless mapped in it) and the general stores. */
static inline void
perm_rest(const struct frx_tmpl *t, const uint8_t *p, struct frx_flowrec *rec, struct rec_extra *x,
	  const struct rec_strings *str)
{
	const struct frx_tmpl_plan *pl = &t->plan;

	x->seen |= pl->x_seen;
	if (!t->perm.dir_lanes)
		plan_dir8(&pl->mv[t->perm.dir_at], pl->n[FRX_G_DIR8], p, (uint8_t *)rec);
	plan_other(t, &pl->mv[t->perm.other_at], pl->n[FRX_G_OTHER], p, rec, x, str);
}

/*
 * Run a template over one data record at p (at most left bytes).
 * @return bytes consumed, 0 if a variable-length field runs past the set.
 */
static uint32_t
run_template(const struct frx_tmpl *t, const uint8_t *p, uint32_t left, struct frx_flowrec *rec,
	     struct rec_extra *x, const struct rec_strings *str)
{
	uint32_t off = 0;

	if (t->plan.ok && !plan_disabled) {
		run_plan(t, p, rec, x, str);
		return t->min_len;
	}
	for (uint16_t i = 0; i < t->nb_ops; i++) {
		const struct frx_tmpl_op *op = &t->ops[i];
		uint32_t len = op->len;
		const uint8_t *f;

		if (op->varlen) {
			/* RFC 7011 §7: 1-byte length, or 255 then a 2-byte length */
			if (left - off < 1)
				return 0;
			len = p[off++];
			if (len == 255) {
				if (left - off < 2)
					return 0;
				len = frx_rd16(p + off);
				off += 2;
			}
		}
		if (left - off < len)
			return 0;
		f = p + off;
		off += len;
		store_field(op, f, len, rec, x, str);
	}
	return off;
}

/* An options data record: sampling parameters, system init time, interface names. */
static void
apply_options(struct msg_ctx *m, const struct rec_extra *x, const uint8_t *const *strings,
	      const uint16_t *string_lens)
{
	struct frx_tmpl_session *s = &m->cache->sessions[m->session];
	uint32_t interval = 0, id;

	m->cache->c.options_records++;
	if (has(x, FRX_T_IF_INDEX_SCOPE) && (strings[0] || strings[1])) {
		/* the name, else the description (either may be absent or empty) */
		int k = strings[0] && (string_lens[0] || !strings[1]) ? 0 : 1;
		uint16_t len = string_lens[k];

		while (len && strings[k][len - 1] == '\0') /* fixed-length fields are NUL padded */
			len--;
		frx_tmpl_ifname_set(m->cache, m->session, (uint32_t)x->v[FRX_T_IF_INDEX_SCOPE], strings[k], len);
	}
	if (has(x, FRX_T_SYSINIT_MS))
		s->sysinit_ms = x->v[FRX_T_SYSINIT_MS];
	if (has(x, FRX_T_SAMPLING_INTERVAL))
		interval = (uint32_t)x->v[FRX_T_SAMPLING_INTERVAL];
	else if (has(x, FRX_T_SAMPLER_RANDOM_INTERVAL))
		interval = (uint32_t)x->v[FRX_T_SAMPLER_RANDOM_INTERVAL];
	else if (has(x, FRX_T_PACKET_INTERVAL) && x->v[FRX_T_PACKET_INTERVAL])
		/* RFC 5477 systematic count-based: 1 in (interval + space) / interval
		 * (a row without the space reads it as 0: no value of x is read
		 * unless the row had it — the differential fuzzer found the
		 * uninitialised read) */
		interval = (uint32_t)((x->v[FRX_T_PACKET_INTERVAL] +
				       (has(x, FRX_T_PACKET_SPACE) ? x->v[FRX_T_PACKET_SPACE] : 0)) /
				      x->v[FRX_T_PACKET_INTERVAL]);
	else if (has(x, FRX_T_SAMPLING_SIZE) && x->v[FRX_T_SAMPLING_SIZE] && has(x, FRX_T_SAMPLING_POPULATION))
		/* RFC 5477 random n-out-of-N */
		interval = (uint32_t)(x->v[FRX_T_SAMPLING_POPULATION] / x->v[FRX_T_SAMPLING_SIZE]);
	if (interval == 0)
		return;
	if (has(x, FRX_T_SELECTOR_ID) || has(x, FRX_T_SAMPLER_ID) || has(x, FRX_T_IF_INDEX_SCOPE)) {
		unsigned int free_slot = FRX_TMPL_MAX_SAMPLERS;
		uint8_t is_interface = !has(x, FRX_T_SELECTOR_ID) && !has(x, FRX_T_SAMPLER_ID);

		/* a row for a sampler, or one scoped to an interface (v9 scope 2,
		 * IPFIX ingressInterface): per-interface sampling */
		id = (uint32_t)(has(x, FRX_T_SELECTOR_ID) ? x->v[FRX_T_SELECTOR_ID]
			      : has(x, FRX_T_SAMPLER_ID) ? x->v[FRX_T_SAMPLER_ID]
							  : x->v[FRX_T_IF_INDEX_SCOPE]);
		for (unsigned int i = 0; i < FRX_TMPL_MAX_SAMPLERS; i++) {
			if (s->samplers[i].used && s->samplers[i].id == id &&
			    s->samplers[i].is_interface == is_interface) {
				s->samplers[i].interval = interval;
				return;
			}
			if (!s->samplers[i].used && free_slot == FRX_TMPL_MAX_SAMPLERS)
				free_slot = i;
		}
		if (free_slot < FRX_TMPL_MAX_SAMPLERS) {
			s->samplers[free_slot].used = 1;
			s->nb_samplers++;
			s->samplers[free_slot].id = id;
			s->samplers[free_slot].interval = interval;
			s->samplers[free_slot].is_interface = is_interface;
		}
		/* A sampler table row is also the best exporter-wide guess for
		 * records that name no sampler. */
		if (s->sampling_interval == 0)
			s->sampling_interval = interval;
		return;
	}
	s->sampling_interval = interval;
}

/*
 * RFC 5103 biflow: the reverse direction becomes a record of its own, so
 * every record stays unidirectional: addresses, ports, masks, AS numbers,
 * interfaces and VLANs swapped, the reverse counters, ToS and TCP flags.
 * A reverse side that saw no packet yields no record.
 */
static void
reverse_record(struct msg_ctx *m, const struct frx_flowrec *fwd, const struct rec_extra *x)
{
	struct frx_flowrec copy, *rev;
	uint64_t packets = has(x, FRX_T_REV_PACKETS) ? x->v[FRX_T_REV_PACKETS] : 0;
	uint64_t bytes = has(x, FRX_T_REV_BYTES) ? x->v[FRX_T_REV_BYTES] : 0;

	if (packets == 0 && bytes == 0)
		return;
	/* Taking a slot may hand fwd's block to the writer: copy fwd first. */
	copy = *fwd;
	fwd = &copy;
	rev = frx_recbuf_next(m->out);
	if (rev == NULL) {
		m->info->records_dropped++;
		return;
	}
	*rev = copy;
	memcpy(rev->src_addr, fwd->dst_addr, 16);
	memcpy(rev->dst_addr, fwd->src_addr, 16);
	rev->src_port = fwd->dst_port;
	rev->dst_port = fwd->src_port;
	rev->src_mask = fwd->dst_mask;
	rev->dst_mask = fwd->src_mask;
	rev->src_as = fwd->dst_as;
	rev->dst_as = fwd->src_as;
	rev->in_if = fwd->out_if;
	rev->out_if = fwd->in_if;
	rev->src_vlan = fwd->dst_vlan;
	rev->dst_vlan = fwd->src_vlan;
	rev->packets = packets;
	rev->bytes = bytes;
	rev->tos = has(x, FRX_T_REV_TOS) ? (uint8_t)x->v[FRX_T_REV_TOS] : 0;
	rev->tcp_flags = has(x, FRX_T_REV_TCP_FLAGS) ? (uint8_t)x->v[FRX_T_REV_TCP_FLAGS] : 0;
	if (fwd->direction != FRX_DIR_UNKNOWN)
		rev->direction = fwd->direction == FRX_DIR_INGRESS ? FRX_DIR_EGRESS : FRX_DIR_INGRESS;
	m->info->records_written++;
}

/*
 * Decode the records of one data set with template t. When the record
 * buffer is full the rest of the set is counted in info->records_dropped
 * (at least that many: variable-length records are counted at their
 * minimum size).
 */
static void
data_set(struct msg_ctx *m, const struct frx_tmpl *t, const uint8_t *p, uint32_t len)
{
	struct frx_tmpl_session *s = &m->cache->sessions[m->session];
	struct frx_flowrec base;
	uint8_t perm_base_bytes[192];
	uint32_t off = 0;
	int sampling_known = 0, use_perm = 0;

	/* What every record of the set shares, written once: each record then
	 * starts as a copy (no per-record zeroing) and only its fields are
	 * stored. A template's address fields decide the family of all its
	 * records; addresses it lacks read 0.0.0.0 in IPv4 flows, :: in IPv6. */
	memset(&base, 0, sizeof(base));
	if (!t->rec_v6) {
		frx_addr_set_v4(base.src_addr, zero_addr);
		frx_addr_set_v4(base.dst_addr, zero_addr);
		frx_addr_set_v4(base.next_hop, zero_addr);
	}
	memcpy(base.exporter_addr, m->exp->addr, 16);
	base.exporter_port = m->exp->port;
	base.version = (uint8_t)m->version;
	base.domain = m->info->domain;
	base.flags = (uint8_t)((m->exp->is_v6 ? FRX_REC_F_EXPORTER_IPV6 : 0) | (t->rec_v6 ? FRX_REC_F_IPV6 : 0));
	base.flows = 1;
	/* Records whose template names no sampler nor interval, from a session
	 * without per-interface sampler rows, all have the session's (or the
	 * operator's) sampling interval: once here, not per record. */
	if (t->plan.ok && !(t->plan.extra_targets & SAMPLING_TARGETS) &&
	    (m->exp->sampling_override || s->nb_samplers == 0)) {
		sampling_known = 1;
		base.sampling_interval = m->exp->sampling_override ? m->exp->sampling_override : s->sampling_interval;
	}

	if (!t->options && t->plan.perm_ok && !plan_disabled && frx_ipfix_simd_active()) {
		perm_base(&t->perm, &base, perm_base_bytes);
		use_perm = 1;
	}
	/* Trailing bytes shorter than one record are padding (RFC 7011 §3.3.1). */
	while (len - off >= t->min_len) {
		struct rec_extra x;
		struct frx_flowrec scratch, *rec;
		const uint8_t *strings[2] = { NULL, NULL };
		uint16_t string_lens[2] = { 0, 0 };
		struct rec_strings str = { NULL, string_lens, NULL };
		uint32_t used;

		x.seen = 0;
		if (t->options) {
			memset(&scratch, 0, sizeof(scratch));
			rec = &scratch;
			str.strings = strings;
			used = run_template(t, p + off, len - off, rec, &x, &str);
		} else {
			rec = frx_recbuf_next_raw(m->out);
			if (rec == NULL) {
				m->info->records_dropped += (len - off) / t->min_len;
				m->info->records_uncountable |= t->has_varlen;
				return;
			}
			str.strtab = m->out->strings;
			if (use_perm) {
				perm_record(&t->perm, p + off, perm_base_bytes, rec, &x);
				perm_rest(t, p + off, rec, &x, &str);
				used = t->min_len;
			} else {
				*rec = base;
				used = run_template(t, p + off, len - off, rec, &x, &str);
			}
		}
		if (used == 0) {
			m->cache->c.records_bad_varlen++;
			m->info->records_uncountable = 1;
			if (!t->options) {
				m->out->count--; /* give the slot back */
				if (m->out->strings)
					frx_strtab_unpush(m->out->strings, rec);
			}
			return;
		}
		off += used;
		m->info->data_records++;
		if (t->options) {
			apply_options(m, &x, strings, string_lens);
			continue;
		}
		finish_record(m, s, t, rec, &x, sampling_known);
		m->info->records_written++;
		if (t->has_reverse)
			reverse_record(m, rec, &x);
	}
}

/* Data that arrived before template t: decode it now, with its own header times. */
static void
decode_backlog(struct msg_ctx *m, const struct frx_tmpl *t)
{
	const struct frx_tmpl_backlog *b;

	while ((b = frx_tmpl_backlog_take(m->cache, m->session, t->id)) != NULL) {
		struct msg_ctx old = *m;
		uint32_t data_records = m->info->data_records;

		old.export_ms = b->export_ms;
		old.sys_uptime_ms = b->sys_uptime_ms;
		m->cache->c.sets_backlog_decoded++;
		data_set(&old, t, b->data, b->len);
		/* they belonged to an earlier message's sequence */
		m->info->data_records = data_records;
	}
}

/* --------------------------------------------------------------- message */

enum frx_status
frx_ipfix_decode(struct frx_tmpl_cache *cache, const uint8_t *pdu, uint32_t len,
		 const struct frx_exporter *exp, uint64_t now_ms, struct frx_recbuf *out,
		 struct frx_pdu_info *info)
{
	struct frx_tmpl_session_key key;
	struct msg_ctx m;
	uint32_t off, hdr_len;
	int ipfix;

	memset(info, 0, sizeof(*info));
	if (len < 2)
		return FRX_ETRUNCATED;
	info->version = frx_rd16(pdu);
	if (info->version != 9 && info->version != 10)
		return FRX_EBAD_VERSION;
	ipfix = info->version == 10;
	hdr_len = ipfix ? IPFIX_HEADER_LEN : V9_HEADER_LEN;
	if (len < hdr_len)
		return FRX_ETRUNCATED;

	memset(&m, 0, sizeof(m));
	if (ipfix) {
		uint16_t msg_len = frx_rd16(pdu + 2);

		if (msg_len < IPFIX_HEADER_LEN || msg_len > len)
			return FRX_EBAD_MSG_LENGTH;
		len = msg_len; /* bytes after the message are not ours */
		m.export_ms = (uint64_t)frx_rd32(pdu + 4) * 1000;
		info->sequence = frx_rd32(pdu + 8);
		info->domain = frx_rd32(pdu + 12);
	} else {
		info->count = frx_rd16(pdu + 2);
		m.sys_uptime_ms = frx_rd32(pdu + 4);
		m.export_ms = (uint64_t)frx_rd32(pdu + 8) * 1000;
		info->sequence = frx_rd32(pdu + 12);
		info->domain = frx_rd32(pdu + 16);
	}
	info->sys_uptime_ms = m.sys_uptime_ms;
	info->export_ms = m.export_ms;

	memcpy(key.addr, exp->addr, 16);
	key.port = exp->port;
	key.version = info->version;
	key.domain = info->domain;
	m.session = frx_tmpl_session_get(cache, &key, now_ms);
	if (m.session == UINT32_MAX)
		return FRX_ENO_SESSION;
	m.cache = cache;
	m.exp = exp;
	m.out = out;
	m.info = info;
	m.now_ms = now_ms;
	m.version = info->version;

	for (off = hdr_len; len - off >= SET_HEADER_LEN;) {
		uint16_t set_id = frx_rd16(pdu + off), set_len = frx_rd16(pdu + off + 2);
		const uint8_t *body = pdu + off + SET_HEADER_LEN;
		uint32_t body_len;

		if (set_len < SET_HEADER_LEN || set_len > len - off)
			return FRX_EBAD_SET_LENGTH; /* records already taken are kept */
		body_len = set_len - SET_HEADER_LEN;
		off += set_len;

		if (set_id >= FIRST_DATA_SET) {
			const struct frx_tmpl *t = frx_tmpl_find(cache, m.session, set_id, now_ms);

			if (t == NULL) {
				cache->c.sets_unknown_template++;
				info->records_uncountable = 1;
				frx_tmpl_backlog_add(cache, m.session, set_id, body, (uint16_t)body_len, m.export_ms,
						     m.sys_uptime_ms, info->sequence, now_ms);
				continue;
			}
			data_set(&m, t, body, body_len);
		} else if (set_id == (ipfix ? IPFIX_TEMPLATE_SET : V9_TEMPLATE_SET)) {
			template_set(&m, body, body_len, ipfix);
		} else if (!ipfix && set_id == V9_OPTIONS_SET) {
			v9_options_set(&m, body, body_len);
		} else if (ipfix && set_id == IPFIX_OPTIONS_SET) {
			ipfix_options_set(&m, body, body_len);
		} else {
			cache->c.sets_reserved_id++;
		}
	}
	/* v9: fewer than 4 bytes left is flowset padding; IPFIX has none outside sets.
	 * Templates were learned even when records found no room. */
	return info->records_dropped ? FRX_ENO_BLOCK : FRX_OK;
}
