/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rules engine: rte_acl for the numeric conditions, hyperscan (through
 * lib/rules.c) for the string ones. The one idea: records are turned into
 * small keys in network order, laid out in 4-byte groups as rte_acl reads
 * them, and classified a batch at a time.
 */
#include "rules_acl.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_acl.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#define BATCH 64

/*
 * Key layouts. rte_acl takes the first byte alone, then groups of 4 bytes
 * (one input_index each); fields of one group share its 4 bytes.
 * Every group must be filled by its fields: the classifier consumes 4
 * bytes per group, so a group of fewer field bytes would shift the rest
 * (hence the 2-byte wildcard after tos and tcp_flags).
 *   v4: 0 proto | 4 tos, 5 tcp_flags, 6 pad | 8 src | 12 dst | 16 src_port, 18 dst_port |
 *       20 in_if | 24 out_if | 28 src_as | 32 dst_as | 36-51 exporter (4 words)
 *   v6: 0 proto | 4 tos, 5 tcp_flags, 6 pad | 8-23 src | 24-39 dst | 40 src_port, 42 dst_port |
 *       44 in_if | 48 out_if | 52 src_as | 56 dst_as | 60-75 exporter
 */

#define KEY4_LEN 52
#define KEY6_LEN 76
#define NF4 16
#define NF6 22

RTE_ACL_RULE_DEF(acl4_rule, NF4);
RTE_ACL_RULE_DEF(acl6_rule, NF6);

struct key4 {
	uint8_t b[KEY4_LEN];
} __rte_aligned(4);
struct key6 {
	uint8_t b[KEY6_LEN];
} __rte_aligned(4);

/* Field definitions of a layout with addr_words words per flow address. */
static unsigned int
layout(struct rte_acl_field_def *d, unsigned int addr_words)
{
	unsigned int n = 0, in = 0, off;

	d[n++] = (struct rte_acl_field_def){ RTE_ACL_FIELD_TYPE_BITMASK, 1, 0, in++, 0 };
	d[n] = (struct rte_acl_field_def){ RTE_ACL_FIELD_TYPE_BITMASK, 1, (uint8_t)n, in, 4 };
	n++;
	d[n] = (struct rte_acl_field_def){ RTE_ACL_FIELD_TYPE_BITMASK, 1, (uint8_t)n, in, 5 };
	n++;
	d[n] = (struct rte_acl_field_def){ RTE_ACL_FIELD_TYPE_BITMASK, 2, (uint8_t)n, in++, 6 }; /* pad */
	n++;
	off = 8;
	for (unsigned int a = 0; a < 2 * addr_words; a++, off += 4) {
		d[n] = (struct rte_acl_field_def){ RTE_ACL_FIELD_TYPE_MASK, 4, (uint8_t)n, (uint8_t)in++, off };
		n++;
	}
	d[n] = (struct rte_acl_field_def){ RTE_ACL_FIELD_TYPE_RANGE, 2, (uint8_t)n, (uint8_t)in, off };
	n++;
	d[n] = (struct rte_acl_field_def){ RTE_ACL_FIELD_TYPE_RANGE, 2, (uint8_t)n, (uint8_t)in++, off + 2 };
	n++;
	off += 4;
	for (unsigned int k = 0; k < 4; k++, off += 4) { /* in_if, out_if, src_as, dst_as */
		d[n] = (struct rte_acl_field_def){ RTE_ACL_FIELD_TYPE_RANGE, 4, (uint8_t)n, (uint8_t)in++, off };
		n++;
	}
	for (unsigned int k = 0; k < 4; k++, off += 4) { /* exporter */
		d[n] = (struct rte_acl_field_def){ RTE_ACL_FIELD_TYPE_MASK, 4, (uint8_t)n, (uint8_t)in++, off };
		n++;
	}
	return n;
}

/* ------------------------------------------------------------ building */

static uint32_t
word_at(const uint8_t *a, unsigned int w)
{
	return (uint32_t)a[4 * w] << 24 | (uint32_t)a[4 * w + 1] << 16 | (uint32_t)a[4 * w + 2] << 8 | a[4 * w + 3];
}

/* A prefix (16-byte form) as masked words: words 'first'..'first+nw-1'. */
static void
set_prefix(struct rte_acl_field *f, const struct frx_rule_prefix *p, unsigned int first, unsigned int nw)
{
	for (unsigned int w = 0; w < nw; w++) {
		int bits = p ? (int)p->len - 32 * (int)(first + w) : 0;

		bits = bits < 0 ? 0 : bits > 32 ? 32 : bits;
		f[w].value.u32 = p && bits ? word_at(p->addr, first + w) : 0;
		f[w].mask_range.u32 = (uint32_t)bits;
	}
}

/* Fill the fields of one ACL entry of rule r with the given prefixes (NULL = any). */
static void
fill_entry(struct rte_acl_field *f, const struct frx_rule *r, unsigned int addr_words,
	   const struct frx_rule_prefix *exporter, const struct frx_rule_prefix *src,
	   const struct frx_rule_prefix *dst)
{
	unsigned int n = 0;

	f[n].value.u8 = r->proto;
	f[n++].mask_range.u8 = r->proto_mask;
	f[n].value.u8 = r->tos;
	f[n++].mask_range.u8 = r->tos_mask;
	f[n].value.u8 = r->tcp_flags;
	f[n++].mask_range.u8 = r->tcp_flags_mask;
	f[n].value.u16 = 0; /* pad: any */
	f[n++].mask_range.u16 = 0;
	/* IPv4 prefixes in the 16-byte form: the last word is the address */
	set_prefix(&f[n], src, addr_words == 1 ? 3 : 0, addr_words);
	n += addr_words;
	set_prefix(&f[n], dst, addr_words == 1 ? 3 : 0, addr_words);
	n += addr_words;
	f[n].value.u16 = (uint16_t)r->src_port.lo;
	f[n++].mask_range.u16 = (uint16_t)r->src_port.hi;
	f[n].value.u16 = (uint16_t)r->dst_port.lo;
	f[n++].mask_range.u16 = (uint16_t)r->dst_port.hi;
	f[n].value.u32 = r->in_if.lo;
	f[n++].mask_range.u32 = r->in_if.hi;
	f[n].value.u32 = r->out_if.lo;
	f[n++].mask_range.u32 = r->out_if.hi;
	f[n].value.u32 = r->src_as.lo;
	f[n++].mask_range.u32 = r->src_as.hi;
	f[n].value.u32 = r->dst_as.lo;
	f[n++].mask_range.u32 = r->dst_as.hi;
	set_prefix(&f[n], exporter, 0, 4);
}

/* Prefixes of one family from a list; *none_of_family when the list has others only. */
static unsigned int
family_prefixes(const struct frx_rule_prefix *list, uint16_t n, int v4, const struct frx_rule_prefix **out)
{
	unsigned int k = 0;

	for (uint16_t i = 0; i < n; i++)
		if (list[i].is_v4 == v4)
			out[k++] = &list[i];
	return k;
}

static struct rte_acl_ctx *
build_family(struct frx_rules_engine *e, int v4, int socket, uint32_t *entries, char *err, size_t err_len)
{
	const struct frx_ruleset *rs = e->rs;
	unsigned int addr_words = v4 ? 1 : 4, nf = v4 ? NF4 : NF6;
	size_t rule_size = RTE_ACL_RULE_SZ(nf);
	struct rte_acl_config cfg;
	struct rte_acl_param param;
	struct rte_acl_ctx *ctx = NULL;
	char name[RTE_ACL_NAMESIZE];
	const struct frx_rule_prefix **srcs = NULL, **dsts = NULL;
	uint8_t *buf = NULL;
	uint64_t total = 0;
	int rc;

	/* count first: the context is sized once */
	for (uint32_t i = 0; i < rs->nb_rules; i++) {
		const struct frx_rule *r = &rs->rules[i];
		uint64_t ns = 1, nd, ne, combos;

		if (r->nb_patterns)
			continue;
		if (r->nb_src) {
			ns = 0;
			for (uint16_t k = 0; k < r->nb_src; k++)
				ns += r->src[k].is_v4 == v4;
		}
		nd = 1;
		if (r->nb_dst) {
			nd = 0;
			for (uint16_t k = 0; k < r->nb_dst; k++)
				nd += r->dst[k].is_v4 == v4;
		}
		ne = r->nb_exporter ? r->nb_exporter : 1;
		combos = ns * nd * ne;
		if (combos > FRX_RULE_MAX_EXPANSION) {
			snprintf(err, err_len, "%s:%" PRIu32 ": rule '%s': exporter x src x dst makes %" PRIu64
				 " ACL entries (at most %d)", rs->source, r->line, r->name, combos, FRX_RULE_MAX_EXPANSION);
			return NULL;
		}
		total += combos;
	}
	*entries = (uint32_t)total;
	if (total == 0)
		return NULL;
	if (total > 4u * FRX_RULE_MAX_EXPANSION * 4) {
		snprintf(err, err_len, "%s: the rules expand to %" PRIu64 " IPv%d ACL entries (at most %u)", rs->source,
			 total, v4 ? 4 : 6, 4u * FRX_RULE_MAX_EXPANSION * 4);
		*entries = UINT32_MAX;
		return NULL;
	}
	snprintf(name, sizeof(name), "frx_rules%d_%" PRIu64, v4 ? 4 : 6, e->generation);
	param.name = name;
	param.socket_id = socket;
	param.rule_size = (uint32_t)rule_size;
	param.max_rule_num = (uint32_t)total;
	ctx = rte_acl_create(&param);
	srcs = malloc(FRX_RULE_MAX_PREFIXES * sizeof(*srcs));
	dsts = malloc(FRX_RULE_MAX_PREFIXES * sizeof(*dsts));
	buf = calloc(256, rule_size);
	if (ctx == NULL || srcs == NULL || dsts == NULL || buf == NULL) {
		snprintf(err, err_len, "%s: cannot create the IPv%d ACL context: %s", rs->source, v4 ? 4 : 6,
			 ctx == NULL ? rte_strerror(rte_errno) : "out of memory");
		goto fail;
	}
	unsigned int pending = 0;
	for (uint32_t i = 0; i < rs->nb_rules; i++) {
		const struct frx_rule *r = &rs->rules[i];
		unsigned int ns = 1, nd = 1, ne = r->nb_exporter ? r->nb_exporter : 1;

		if (r->nb_patterns)
			continue;
		srcs[0] = dsts[0] = NULL;
		if (r->nb_src)
			ns = family_prefixes(r->src, r->nb_src, v4, srcs);
		if (r->nb_dst)
			nd = family_prefixes(r->dst, r->nb_dst, v4, dsts);
		for (unsigned int a = 0; a < ns; a++)
			for (unsigned int b = 0; b < nd; b++)
				for (unsigned int c = 0; c < ne; c++) {
					struct acl6_rule *ar = (struct acl6_rule *)(buf + pending * rule_size);

					memset(ar, 0, rule_size);
					ar->data.category_mask = 1;
					/* earlier in evaluation order = higher ACL priority */
					ar->data.priority = (int32_t)(FRX_RULES_MAX + 1 - i);
					ar->data.userdata = i + 1; /* 0 means no match */
					fill_entry(ar->field, r, addr_words, r->nb_exporter ? &r->exporter[c] : NULL,
						   srcs[a], dsts[b]);
					if (++pending == 256) {
						rc = rte_acl_add_rules(ctx, (const struct rte_acl_rule *)buf, pending);
						if (rc < 0)
							goto add_failed;
						pending = 0;
					}
				}
	}
	if (pending && (rc = rte_acl_add_rules(ctx, (const struct rte_acl_rule *)buf, pending)) < 0)
		goto add_failed;
	memset(&cfg, 0, sizeof(cfg));
	cfg.num_categories = 1;
	cfg.num_fields = layout(cfg.defs, addr_words);
	rc = rte_acl_build(ctx, &cfg);
	if (rc != 0) {
		snprintf(err, err_len, "%s: building the IPv%d ACL (%" PRIu64 " entries) failed: %s", rs->source,
			 v4 ? 4 : 6, total, strerror(-rc));
		goto fail;
	}
	free(srcs);
	free(dsts);
	free(buf);
	return ctx;
add_failed:
	snprintf(err, err_len, "%s: adding IPv%d ACL entries failed: %s", rs->source, v4 ? 4 : 6, strerror(-rc));
fail:
	rte_acl_free(ctx);
	free(srcs);
	free(dsts);
	free(buf);
	*entries = UINT32_MAX;
	return NULL;
}

struct frx_rules_engine *
frx_rules_engine_create(struct frx_ruleset *rs, unsigned int nb_workers, int socket, uint64_t generation,
			char *err, size_t err_len)
{
	struct frx_rules_engine *e = calloc(1, sizeof(*e));
	uint32_t k = 0;

	if (e == NULL) {
		snprintf(err, err_len, "%s: out of memory", rs->source);
		return NULL;
	}
	e->rs = rs;
	e->generation = generation;
	e->nb_workers = nb_workers ? nb_workers : 1;
	e->acl4 = build_family(e, 1, socket, &e->acl4_entries, err, err_len);
	if (e->acl4 == NULL && e->acl4_entries)
		goto fail;
	e->acl6 = build_family(e, 0, socket, &e->acl6_entries, err, err_len);
	if (e->acl6 == NULL && e->acl6_entries)
		goto fail;
	e->string_rules = calloc(rs->nb_string_rules + 1, sizeof(*e->string_rules));
	e->scratch = calloc(e->nb_workers, sizeof(*e->scratch));
	/* one row per worker, each starting on its own cache line */
	e->stride = (uint32_t)RTE_ALIGN_CEIL((rs->nb_rules + 1) * sizeof(struct frx_rule_counter), RTE_CACHE_LINE_SIZE) /
		    sizeof(struct frx_rule_counter);
	e->counters = rte_zmalloc_socket("frx_rule_counters",
					 (size_t)e->stride * e->nb_workers * sizeof(struct frx_rule_counter),
					 RTE_CACHE_LINE_SIZE, socket);
	if (e->string_rules == NULL || e->scratch == NULL || e->counters == NULL) {
		snprintf(err, err_len, "%s: out of memory", rs->source);
		goto fail;
	}
	for (uint32_t i = 0; i < rs->nb_rules; i++)
		if (rs->rules[i].nb_patterns)
			e->string_rules[k++] = i;
	for (unsigned int w = 0; w < e->nb_workers; w++) {
		e->scratch[w] = frx_rules_scratch_alloc(rs);
		if (e->scratch[w] == NULL) {
			snprintf(err, err_len, "%s: out of memory for the hyperscan scratch", rs->source);
			goto fail;
		}
	}
	return e;
fail:
	e->rs = NULL; /* the caller keeps it */
	frx_rules_engine_free(e);
	return NULL;
}

void
frx_rules_engine_free(struct frx_rules_engine *e)
{
	if (e == NULL)
		return;
	rte_acl_free(e->acl4);
	rte_acl_free(e->acl6);
	if (e->scratch)
		for (unsigned int w = 0; w < e->nb_workers; w++)
			frx_rules_scratch_free(e->scratch[w]);
	free(e->scratch);
	free(e->string_rules);
	rte_free(e->counters);
	frx_rules_free(e->rs);
	free(e);
}

/* ------------------------------------------------------------- running */

static inline void
put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* The fields after the addresses, from offset off. */
static inline void
key_tail(uint8_t *k, unsigned int off, const struct frx_flowrec *r)
{
	k[0] = r->proto;
	k[1] = k[2] = k[3] = 0;
	k[4] = r->tos;
	k[5] = r->tcp_flags;
	k[6] = k[7] = 0;
	put_be16(k + off, r->src_port);
	put_be16(k + off + 2, r->dst_port);
	put_be32(k + off + 4, r->in_if);
	put_be32(k + off + 8, r->out_if);
	put_be32(k + off + 12, r->src_as);
	put_be32(k + off + 16, r->dst_as);
	memcpy(k + off + 20, r->exporter_addr, 16);
}

/* Strings of record rec from the side table (cursor *c advances) and the ifname map. */
static int
gather_strings(const struct frx_ruleset *rs, const struct frx_strtab *st, uint32_t *c, const struct frx_flowrec *rec,
	       const struct frx_tmpl_cache *ifnames, struct frx_rec_strings *s)
{
	int any = 0;

	memset(s, 0, sizeof(*s));
	if (st) {
		while (*c < st->count && st->e[*c].rec < rec)
			(*c)++;
		for (; *c < st->count && st->e[*c].rec == rec; (*c)++) {
			const struct frx_recstr *e = &st->e[*c];

			s->ptr[e->field] = e->ptr;
			s->len[e->field] = e->len;
			any = 1;
		}
	}
	if (ifnames && (rs->str_fields & (1u << FRX_STR_IN_IF_NAME)) && s->ptr[FRX_STR_IN_IF_NAME] == NULL) {
		uint16_t len;
		const char *name = frx_tmpl_ifname_find(ifnames, rec->exporter_addr, rec->domain, rec->in_if, &len);

		if (name) {
			s->ptr[FRX_STR_IN_IF_NAME] = (const uint8_t *)name;
			s->len[FRX_STR_IN_IF_NAME] = len;
			any = 1;
		}
	}
	if (ifnames && (rs->str_fields & (1u << FRX_STR_OUT_IF_NAME))) {
		uint16_t len;
		const char *name = frx_tmpl_ifname_find(ifnames, rec->exporter_addr, rec->domain, rec->out_if, &len);

		if (name) {
			s->ptr[FRX_STR_OUT_IF_NAME] = (const uint8_t *)name;
			s->len[FRX_STR_OUT_IF_NAME] = len;
			any = 1;
		}
	}
	return any;
}

uint32_t
frx_rules_engine_run(struct frx_rules_engine *e, unsigned int worker, struct frx_flowrec *recs, uint32_t n,
		     const struct frx_strtab *strings, const struct frx_tmpl_cache *ifnames, uint64_t *dropped)
{
	const struct frx_ruleset *rs = e->rs;
	struct frx_rule_counter *cnt = &e->counters[(size_t)e->stride * worker];
	struct frx_rules_scratch *scratch = e->scratch[worker];
	const uint32_t none = rs->nb_rules;
	struct key4 k4[BATCH];
	struct key6 k6[BATCH];
	const uint8_t *d4[BATCH], *d6[BATCH];
	uint32_t r4[BATCH], r6[BATCH], winner[BATCH];
	uint8_t fam[BATCH], slot[BATCH];
	uint32_t cursor = 0, out = 0;

	if (rs->nb_rules == 0)
		return n;
	for (uint32_t base = 0; base < n; base += BATCH) {
		uint32_t m = RTE_MIN(n - base, (uint32_t)BATCH), n4 = 0, n6 = 0;

		for (uint32_t i = 0; i < m; i++) {
			const struct frx_flowrec *r = &recs[base + i];

			if (r->flags & FRX_REC_F_IPV6) {
				uint8_t *k = k6[n6].b;

				memcpy(k + 8, r->src_addr, 16);
				memcpy(k + 24, r->dst_addr, 16);
				key_tail(k, 40, r);
				d6[n6] = k;
				fam[i] = 6;
				slot[i] = (uint8_t)n6++;
			} else {
				uint8_t *k = k4[n4].b;

				memcpy(k + 8, r->src_addr + 12, 4);
				memcpy(k + 12, r->dst_addr + 12, 4);
				key_tail(k, 16, r);
				d4[n4] = k;
				fam[i] = 4;
				slot[i] = (uint8_t)n4++;
			}
		}
		if (n4) {
			if (e->acl4)
				rte_acl_classify(e->acl4, d4, r4, n4, 1);
			else
				memset(r4, 0, n4 * sizeof(r4[0]));
		}
		if (n6) {
			if (e->acl6)
				rte_acl_classify(e->acl6, d6, r6, n6, 1);
			else
				memset(r6, 0, n6 * sizeof(r6[0]));
		}
		for (uint32_t i = 0; i < m; i++) {
			uint32_t res = fam[i] == 4 ? r4[slot[i]] : r6[slot[i]];

			winner[i] = res ? res - 1 : none;
		}
		/* string rules before the ACL's answer, for records with strings */
		if (rs->nb_string_rules) {
			for (uint32_t i = 0; i < m; i++) {
				const struct frx_flowrec *r = &recs[base + i];
				struct frx_rec_strings s;

				if (e->string_rules[0] >= winner[i] ||
				    !gather_strings(rs, strings, &cursor, r, ifnames, &s))
					continue;
				frx_rules_scan(rs, scratch, &s);
				/* a string rule can only match through a pattern that
				 * matched: look at those, not at every string rule */
				const uint32_t *hits;
				uint32_t nb_hits = frx_rules_scan_hits(scratch, &hits);

				for (uint32_t k = 0; k < nb_hits; k++) {
					uint32_t ri = rs->patterns[hits[k]].rule;
					const struct frx_rule *rule = &rs->rules[ri];

					if (ri < winner[i] && frx_rule_match_strings(rs, scratch, rule) &&
					    frx_rule_match_numeric(rule, r))
						winner[i] = ri;
				}
			}
		}
		/* apply, count, compact */
		for (uint32_t i = 0; i < m; i++) {
			struct frx_flowrec *r = &recs[base + i];
			uint32_t w = winner[i];

			/* only this worker writes its row; the stats lcore reads it */
			__atomic_store_n(&cnt[w].records, cnt[w].records + 1, __ATOMIC_RELAXED);
			__atomic_store_n(&cnt[w].bytes, cnt[w].bytes + r->bytes, __ATOMIC_RELAXED);
			if (w != none) {
				const struct frx_rule *rule = &rs->rules[w];

				if (rule->action == FRX_RULE_DROP) {
					(*dropped)++;
					continue;
				}
				if (rule->action == FRX_RULE_CLASS)
					r->class_id = rule->class_id;
			}
			if (out != base + i)
				recs[out] = *r;
			out++;
		}
	}
	return out;
}

void
frx_rules_engine_counter(const struct frx_rules_engine *e, uint32_t rule, struct frx_rule_counter *sum)
{
	sum->records = 0;
	sum->bytes = 0;
	for (unsigned int w = 0; w < e->nb_workers; w++) {
		const struct frx_rule_counter *c = &e->counters[(size_t)e->stride * w + rule];

		sum->records += __atomic_load_n(&c->records, __ATOMIC_RELAXED);
		sum->bytes += __atomic_load_n(&c->bytes, __ATOMIC_RELAXED);
	}
}
