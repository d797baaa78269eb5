/* SPDX-License-Identifier: BSD-3-Clause */
/* Template cache: compiled programs, snapshots, and the state file that
 * carries learned templates across a restart. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flowrec.h"
#include "tmpl.h"

#define NOW 1763900000000ull

static struct frx_tmpl_cache *cache;
static struct frx_tmpl_conf conf;
static char dir[64];
static char path[128];

static void
setup(void)
{
	frx_tmpl_conf_defaults(&conf);
	cache = frx_tmpl_cache_create(&conf);
	cr_assert_not_null(cache);
	strcpy(dir, "/tmp/frx-tmpl.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/templates.txt", dir);
}

static void
teardown(void)
{
	frx_tmpl_cache_free(cache);
	unlink(path);
	rmdir(dir);
}

TestSuite(tmpl, .init = setup, .fini = teardown);

static struct frx_tmpl_session_key
key_of(const char *addr4, uint16_t port, uint32_t domain)
{
	struct frx_tmpl_session_key k;

	memset(&k, 0, sizeof(k));
	frx_addr_parse(addr4, k.addr);
	k.port = port;
	k.version = 10;
	k.domain = domain;
	return k;
}

static const struct frx_tmpl_field fields[] = {
	{ 8, 4, 0 }, { 12, 4, 0 }, { 999, 3, 0 }, { 998, 5, 0 }, { 82, 0xffff, 0 }, { 5, 2, 4242 }, { 2, 8, 0 },
};

Test(tmpl, unmapped_fields_merge_into_one_skip)
{
	struct frx_tmpl_session_key k = key_of("192.0.2.1", 4000, 1);
	uint32_t s = frx_tmpl_session_get(cache, &k, NOW);
	const struct frx_tmpl *t = frx_tmpl_insert(cache, s, 300, fields, 7, 0, 0, NOW);

	cr_assert_not_null(t);
	/* src, dst, skip(3+5), varlen skip, skip(enterprise 2), packets */
	cr_assert_eq(t->nb_ops, 6);
	cr_assert_eq(t->ops[2].target, FRX_T_SKIP);
	cr_assert_eq(t->ops[2].len, 8);
	cr_assert(t->ops[3].varlen);
	cr_assert_eq(t->ops[4].len, 2, "enterprise IE 5 is not ipClassOfService");
	cr_assert_eq(t->ops[4].target, FRX_T_SKIP);
	cr_assert_eq(t->ops[5].target, FRX_T_PACKETS);
	cr_assert_eq(t->min_len, 4 + 4 + 3 + 5 + 1 + 2 + 8);
}

struct seen {
	unsigned int n;
	uint16_t ids[16];
};

static void
collect(const struct frx_tmpl_session_key *key, const struct frx_tmpl *t, void *arg)
{
	struct seen *s = arg;

	(void)key;
	s->ids[s->n++] = t->id;
}

Test(tmpl, snapshot_sees_live_templates_only)
{
	struct frx_tmpl_session_key k = key_of("192.0.2.1", 4000, 1);
	uint32_t s = frx_tmpl_session_get(cache, &k, NOW);
	struct seen seen = { 0 };
	uint64_t gen0 = frx_tmpl_generation(cache);

	frx_tmpl_insert(cache, s, 300, fields, 2, 0, 0, NOW);
	frx_tmpl_insert(cache, s, 301, fields, 3, 0, 0, NOW);
	frx_tmpl_withdraw(cache, s, 300, 0);
	cr_assert_gt(frx_tmpl_generation(cache), gen0);
	cr_assert_eq(frx_tmpl_snapshot(cache, collect, &seen), 1);
	cr_assert_eq(seen.ids[0], 301);
}

struct loaded {
	unsigned int n;
	struct frx_tmpl_session_key key[8];
	uint16_t id[8], nb_fields[8], nb_scope[8];
	int options[8];
	uint64_t last_seen[8];
	struct frx_tmpl_field fields[8][8];
};

static void
on_load(const struct frx_tmpl_session_key *key, uint16_t id, const struct frx_tmpl_field *f, uint16_t nb_fields,
	uint16_t nb_scope, int options, uint64_t last_seen_ms, void *arg)
{
	struct loaded *l = arg;

	l->key[l->n] = *key;
	l->id[l->n] = id;
	l->nb_fields[l->n] = nb_fields;
	l->nb_scope[l->n] = nb_scope;
	l->options[l->n] = options;
	l->last_seen[l->n] = last_seen_ms;
	memcpy(l->fields[l->n], f, nb_fields * sizeof(*f));
	l->n++;
}

static void
save_snapshot(const struct frx_tmpl_session_key *key, const struct frx_tmpl *t, void *arg)
{
	cr_assert_eq(frx_tmpl_state_add(arg, key, t), 0);
}

Test(tmpl, state_file_round_trip_keeps_every_detail)
{
	struct frx_tmpl_session_key k4 = key_of("192.0.2.1", 4000, 7), k6;
	struct frx_tmpl_state *st;
	struct loaded l = { 0 };
	uint32_t s4, s6;

	memset(&k6, 0, sizeof(k6));
	frx_addr_parse("2001:db8::5", k6.addr);
	k6.port = 2055;
	k6.version = 9;
	k6.domain = 0xffffffffu;
	s4 = frx_tmpl_session_get(cache, &k4, NOW);
	s6 = frx_tmpl_session_get(cache, &k6, NOW);
	frx_tmpl_insert(cache, s4, 300, fields, 7, 0, 0, NOW - 5000);
	frx_tmpl_insert(cache, s6, 260, fields, 2, 1, 1, NOW);

	st = frx_tmpl_state_open(path);
	cr_assert_not_null(st);
	frx_tmpl_snapshot(cache, save_snapshot, st);
	cr_assert_eq(frx_tmpl_state_commit(st), 0);

	cr_assert_eq(frx_tmpl_state_load(path, NOW, 0, on_load, &l), 2);
	for (unsigned int i = 0; i < 2; i++) {
		int is4 = l.id[i] == 300;

		cr_assert_arr_eq(&l.key[i], is4 ? &k4 : &k6, sizeof(k4));
		cr_assert_eq(l.nb_fields[i], is4 ? 7 : 2);
		cr_assert_eq(l.nb_scope[i], is4 ? 0 : 1);
		cr_assert_eq(l.options[i], is4 ? 0 : 1);
		cr_assert_eq(l.last_seen[i], is4 ? NOW - 5000 : NOW);
		cr_assert_arr_eq(l.fields[i], fields, l.nb_fields[i] * sizeof(fields[0]));
	}
	/* too old for the template timeout: left out */
	memset(&l, 0, sizeof(l));
	cr_assert_eq(frx_tmpl_state_load(path, NOW + 3000, 6000, on_load, &l), 1);
	cr_assert_eq(l.id[0], 260);
}

Test(tmpl, damaged_state_lines_are_skipped_and_a_foreign_file_refused)
{
	FILE *f = fopen(path, "w");
	struct loaded l = { 0 };

	cr_assert_not_null(f);
	fprintf(f, "# flowrx templates 1\n"
		   "template 192.0.2.1 4000 10 1 300 0 0 1000 8:4 12:4\n"
		   "template 192.0.2.1 4000 10 1 12 0 0 1000 8:4\n"           /* id below 256 */
		   "template 192.0.2.1 4000 11 1 300 0 0 1000 8:4\n"          /* version 11 */
		   "template nonsense 4000 10 1 300 0 0 1000 8:4\n"
		   "template 192.0.2.1 4000 10 1 301 0 5 1000 8:4\n"          /* more scope than fields */
		   "template 192.0.2.1 4000 10 1 302 0 0 1000 8:x\n"
		   "template 192.0.2.1 4000 10 1 303 0 0 1000\n");
	fclose(f);
	cr_assert_eq(frx_tmpl_state_load(path, 0, 0, on_load, &l), 1);
	cr_assert_eq(l.id[0], 300);
	f = fopen(path, "w");
	fprintf(f, "not ours\n");
	fclose(f);
	cr_assert_eq(frx_tmpl_state_load(path, 0, 0, on_load, &l), -EINVAL);
	cr_assert_eq(frx_tmpl_state_load("/nonexistent/x", 0, 0, on_load, &l), -ENOENT);
}

Test(tmpl, idle_sessions_without_templates_are_reused_when_full)
{
	struct frx_tmpl_session_key k;
	uint32_t s;

	frx_tmpl_cache_free(cache);
	conf.max_sessions = 2;
	conf.template_timeout_s = 10;
	cache = frx_tmpl_cache_create(&conf);
	k = key_of("192.0.2.1", 1, 1);
	cr_assert_neq(frx_tmpl_session_get(cache, &k, NOW), UINT32_MAX);
	k = key_of("192.0.2.2", 1, 1);
	s = frx_tmpl_session_get(cache, &k, NOW);
	frx_tmpl_insert(cache, s, 300, fields, 2, 0, 0, NOW + 20000);
	k = key_of("192.0.2.3", 1, 1);
	cr_assert_eq(frx_tmpl_session_get(cache, &k, NOW + 1000), UINT32_MAX, "still fresh: refused");
	cr_assert_neq(frx_tmpl_session_get(cache, &k, NOW + 11000), UINT32_MAX,
		      "the idle session without templates makes room");
}
