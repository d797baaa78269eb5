/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rules control: load at start, reload on SIGHUP or telemetry request on a
 * control thread, publish by pointer swap, free after an RCU grace period;
 * counters out through telemetry, RULES blocks and the exit summary.
 */
#include "rules_ctl.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <rte_telemetry.h>

#include "ffile.h"
#include "rules_acl.h"
#include "rulestats.h"

#define RETIRED_MAX 16

struct rules_ctl {
	char path[4096];
	unsigned int nb_workers;
	int socket;
	struct frx_rules_engine *engine;  /* published: workers load it with acquire */
	struct rte_rcu_qsbr *qs;
	pthread_t thread;
	int thread_started;
	sem_t wake;                       /* posted by SIGHUP (async-signal-safe) and telemetry */
	volatile int stop;
	pthread_mutex_t lock;             /* engine swap and free; the fields below */
	pthread_cond_t done;
	uint64_t requested, completed;    /* telemetry requests */
	uint64_t generation;
	uint64_t reloads, reload_failures;
	int last_ok;
	char last_error[1024];
	uint8_t *block;                   /* RULES block being written */
	size_t block_size;
	/* engines replaced by a reload: their final counters still go to the
	 * flow file (stats lcore), then they are freed */
	struct frx_rules_engine *retired[RETIRED_MAX];
	unsigned int nb_retired;          /* read without the lock by the stats lcore */
	uint64_t retired_unwritten;
};

static struct rules_ctl ctl = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.done = PTHREAD_COND_INITIALIZER,
};

static uint64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Parse and compile (no lock held: this is the slow part). */
static struct frx_rules_engine *
compile(uint64_t generation, char *err, size_t err_len)
{
	struct frx_ruleset *rs;
	struct frx_rules_engine *e;

	if (frx_rules_load(ctl.path, &rs, err, err_len) < 0)
		return NULL;
	e = frx_rules_engine_create(rs, ctl.nb_workers, ctl.socket, generation, err, err_len);
	if (e == NULL) {
		frx_rules_free(rs);
		return NULL;
	}
	e->loaded_ms = wall_ms();
	return e;
}

static void
describe(const struct frx_rules_engine *e, const char *what, double ms)
{
	char line[4608];

	snprintf(line, sizeof(line),
		 "rules: %s %s: %" PRIu32 " rules (%" PRIu32 " with strings), %" PRIu32 " IPv4 and %" PRIu32
		 " IPv6 ACL entries, %" PRIu32 " string patterns, generation %" PRIu64 ", %.1f ms",
		 what, ctl.path, e->rs->nb_rules, e->rs->nb_string_rules, e->acl4_entries, e->acl6_entries,
		 e->rs->nb_patterns, e->generation, ms);
	printf("flowrx: %s\n", line);
	fflush(stdout);
	syslog(LOG_INFO, "%s", line);
}

int
frx_rules_ctl_init(const char *path, unsigned int nb_workers, int socket)
{
	char err[1024];
	size_t qs_size;
	struct timespec t0, t1;

	snprintf(ctl.path, sizeof(ctl.path), "%s", path);
	ctl.nb_workers = nb_workers;
	ctl.socket = socket;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ctl.engine = compile(1, err, sizeof(err));
	if (ctl.engine == NULL) {
		fprintf(stderr, "flowrx: --rules: %s\n", err);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ctl.generation = 1;
	ctl.last_ok = 1;
	describe(ctl.engine, "loaded", (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	qs_size = rte_rcu_qsbr_get_memsize(nb_workers);
	ctl.qs = rte_zmalloc_socket("frx_rules_qsbr", qs_size, RTE_CACHE_LINE_SIZE, socket);
	if (ctl.qs == NULL || rte_rcu_qsbr_init(ctl.qs, nb_workers) != 0) {
		fprintf(stderr, "flowrx: --rules: cannot set up RCU for %u workers\n", nb_workers);
		return -1;
	}
	for (unsigned int w = 0; w < nb_workers; w++) {
		rte_rcu_qsbr_thread_register(ctl.qs, w);
		rte_rcu_qsbr_thread_online(ctl.qs, w);
	}
	if (sem_init(&ctl.wake, 0, 0) != 0) {
		fprintf(stderr, "flowrx: --rules: sem_init: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

struct frx_rules_engine **
frx_rules_ctl_engine_slot(void)
{
	return &ctl.engine;
}

struct rte_rcu_qsbr *
frx_rules_ctl_qsbr(void)
{
	return ctl.qs;
}

/* One reload: compile, swap, wait for the workers, free the old engine. */
static void
reload(void)
{
	char err[1024];
	struct frx_rules_engine *fresh, *old;
	struct timespec t0, t1;
	uint64_t generation;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pthread_mutex_lock(&ctl.lock);
	generation = ctl.generation + 1;
	pthread_mutex_unlock(&ctl.lock);
	fresh = compile(generation, err, sizeof(err));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pthread_mutex_lock(&ctl.lock);
	if (fresh == NULL) {
		ctl.reload_failures++;
		ctl.last_ok = 0;
		snprintf(ctl.last_error, sizeof(ctl.last_error), "%s", err);
		pthread_mutex_unlock(&ctl.lock);
		fprintf(stderr, "flowrx: rules: reload failed, the rules of generation %" PRIu64 " stay: %s\n",
			generation - 1, err);
		syslog(LOG_ERR, "rules: reload failed, the rules of generation %" PRIu64 " stay: %s", generation - 1,
		       err);
		return;
	}
	old = ctl.engine;
	__atomic_store_n(&ctl.engine, fresh, __ATOMIC_RELEASE);
	/* every online worker passes a quiescent state after it last read the old pointer */
	rte_rcu_qsbr_synchronize(ctl.qs, RTE_QSBR_THRID_INVALID);
	/* its counters are final now: the stats lcore writes them, then frees it */
	if (ctl.nb_retired < RETIRED_MAX) {
		ctl.retired[ctl.nb_retired] = old;
		__atomic_store_n(&ctl.nb_retired, ctl.nb_retired + 1, __ATOMIC_RELEASE);
	} else {
		ctl.retired_unwritten++;
		frx_rules_engine_free(old);
	}
	ctl.generation = generation;
	ctl.reloads++;
	ctl.last_ok = 1;
	ctl.last_error[0] = '\0';
	pthread_mutex_unlock(&ctl.lock);
	describe(fresh, "reloaded", (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
}

static void *
reload_thread(void *arg)
{
	(void)arg;
	for (;;) {
		uint64_t snap;

		while (sem_wait(&ctl.wake) != 0 && errno == EINTR)
			;
		if (ctl.stop)
			break;
		pthread_mutex_lock(&ctl.lock);
		snap = ctl.requested;
		pthread_mutex_unlock(&ctl.lock);
		reload();
		pthread_mutex_lock(&ctl.lock);
		if (snap > ctl.completed)
			ctl.completed = snap;
		pthread_cond_broadcast(&ctl.done);
		pthread_mutex_unlock(&ctl.lock);
	}
	return NULL;
}

static void
on_sighup(int sig)
{
	(void)sig;
	sem_post(&ctl.wake); /* async-signal-safe */
}

/* ------------------------------------------------------------ telemetry */

static int
tel_rules(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct frx_rule_counter c;
	const struct frx_rules_engine *e;
	struct rte_tel_data *names, *records, *bytes;
	uint32_t shown = 0;

	(void)cmd;
	pthread_mutex_lock(&ctl.lock);
	e = ctl.engine;
	if (e == NULL) {
		pthread_mutex_unlock(&ctl.lock);
		return -EINVAL;
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "file", ctl.path);
	rte_tel_data_add_dict_u64(d, "generation", e->generation);
	rte_tel_data_add_dict_u64(d, "loaded_ms", e->loaded_ms);
	rte_tel_data_add_dict_u64(d, "reloads", ctl.reloads);
	rte_tel_data_add_dict_u64(d, "reload_failures", ctl.reload_failures);
	rte_tel_data_add_dict_string(d, "last_reload_error", ctl.last_error);
	rte_tel_data_add_dict_u64(d, "rules", e->rs->nb_rules);
	rte_tel_data_add_dict_u64(d, "string_rules", e->rs->nb_string_rules);
	rte_tel_data_add_dict_u64(d, "acl4_entries", e->acl4_entries);
	rte_tel_data_add_dict_u64(d, "acl6_entries", e->acl6_entries);
	frx_rules_engine_counter(e, e->rs->nb_rules, &c);
	rte_tel_data_add_dict_u64(d, "unmatched_records", c.records);
	rte_tel_data_add_dict_u64(d, "unmatched_bytes", c.bytes);
	names = rte_tel_data_alloc();
	records = rte_tel_data_alloc();
	bytes = rte_tel_data_alloc();
	if (names && records && bytes) {
		/* parallel arrays in evaluation order: telemetry keys may not
		 * hold every character a rule name may */
		rte_tel_data_start_array(names, RTE_TEL_STRING_VAL);
		rte_tel_data_start_array(records, RTE_TEL_U64_VAL);
		rte_tel_data_start_array(bytes, RTE_TEL_U64_VAL);
		for (uint32_t i = 0; i < e->rs->nb_rules && shown < RTE_TEL_MAX_DICT_ENTRIES; i++) {
			if (params && *params && strcmp(params, e->rs->rules[i].name) != 0)
				continue;
			frx_rules_engine_counter(e, i, &c);
			rte_tel_data_add_array_string(names, e->rs->rules[i].name);
			rte_tel_data_add_array_u64(records, c.records);
			rte_tel_data_add_array_u64(bytes, c.bytes);
			shown++;
		}
		rte_tel_data_add_dict_container(d, "rule_names", names, 0);
		rte_tel_data_add_dict_container(d, "rule_records", records, 0);
		rte_tel_data_add_dict_container(d, "rule_bytes", bytes, 0);
		rte_tel_data_add_dict_u64(d, "rules_shown", shown);
	} else {
		rte_tel_data_free(names);
		rte_tel_data_free(records);
		rte_tel_data_free(bytes);
	}
	pthread_mutex_unlock(&ctl.lock);
	return 0;
}

static int
tel_reload(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint64_t mine;
	struct timespec deadline;
	int timed_out = 0;

	(void)cmd;
	(void)params;
	pthread_mutex_lock(&ctl.lock);
	mine = ++ctl.requested;
	pthread_mutex_unlock(&ctl.lock);
	sem_post(&ctl.wake);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 60;
	pthread_mutex_lock(&ctl.lock);
	while (ctl.completed < mine && !timed_out)
		timed_out = pthread_cond_timedwait(&ctl.done, &ctl.lock, &deadline) == ETIMEDOUT;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "status", timed_out ? "pending" : ctl.last_ok ? "ok" : "failed");
	rte_tel_data_add_dict_string(d, "error", ctl.last_error);
	rte_tel_data_add_dict_u64(d, "generation", ctl.generation);
	pthread_mutex_unlock(&ctl.lock);
	return 0;
}

int
frx_rules_ctl_start(void)
{
	struct sigaction sa;
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sighup;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	rc = rte_ctrl_thread_create(&ctl.thread, "frx-rules", NULL, reload_thread, NULL);
	if (rc != 0) {
		fprintf(stderr, "flowrx: --rules: cannot start the reload thread: %s\n", strerror(rc));
		return -1;
	}
	ctl.thread_started = 1;
	if (sigaction(SIGHUP, &sa, NULL) != 0) {
		fprintf(stderr, "flowrx: --rules: cannot handle SIGHUP: %s\n", strerror(errno));
		return -1;
	}
	rc = rte_telemetry_register_cmd("/flowrx/rules", tel_rules,
					"Rule set and per-rule counters (records, bytes). Parameters: rule name (optional)");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/flowrx/rules_reload", tel_reload,
						"Reload the rules file; the old rules stay if it does not load. No parameters");
	if (rc != 0)
		fprintf(stderr, "flowrx: warning: rules telemetry commands not registered: %s\n", strerror(-rc));
	return 0;
}

void
frx_rules_ctl_stop(void)
{
	if (!ctl.thread_started)
		return;
	signal(SIGHUP, SIG_IGN);
	ctl.stop = 1;
	sem_post(&ctl.wake);
	pthread_join(ctl.thread, NULL);
	ctl.thread_started = 0;
}

void
frx_rules_ctl_free(void)
{
	pthread_mutex_lock(&ctl.lock);
	frx_rules_engine_free(ctl.engine);
	ctl.engine = NULL;
	for (unsigned int i = 0; i < ctl.nb_retired; i++)
		frx_rules_engine_free(ctl.retired[i]);
	ctl.nb_retired = 0;
	free(ctl.block);
	ctl.block = NULL;
	pthread_mutex_unlock(&ctl.lock);
	rte_free(ctl.qs);
	ctl.qs = NULL;
}

/* ------------------------------------------------------------ RULES blocks */

/* RULES blocks of one engine's counters; lock held. */
static int
write_engine(struct frx_ffile_writer *w, const struct frx_rules_engine *e, uint64_t started_ms,
	     uint32_t collector_id)
{
	struct frx_rule_counter c;
	uint64_t now = wall_ms();
	uint32_t nb = e->rs->nb_rules;
	int rc = 0;

	if (ctl.block == NULL) {
		ctl.block_size = sizeof(struct frx_block_hdr) + sizeof(struct frx_rulestats_header) +
				 FRX_RULESTATS_PER_BLOCK * sizeof(struct frx_rulestats_entry);
		ctl.block = malloc(ctl.block_size);
		if (ctl.block == NULL)
			return -ENOMEM;
	}
	frx_rules_engine_counter(e, nb, &c);
	for (uint32_t first = 0; first < nb || (nb == 0 && first == 0); first += FRX_RULESTATS_PER_BLOCK) {
		struct frx_block_hdr *hdr = (struct frx_block_hdr *)ctl.block;
		struct frx_rulestats_header *h = (struct frx_rulestats_header *)(hdr + 1);
		struct frx_rulestats_entry *ent = (struct frx_rulestats_entry *)(h + 1);
		uint32_t n = nb - first < FRX_RULESTATS_PER_BLOCK ? nb - first : (uint32_t)FRX_RULESTATS_PER_BLOCK;
		size_t payload = sizeof(*h) + (size_t)n * sizeof(*ent);

		memset(h, 0, sizeof(*h));
		h->snapshot_ms = now;
		h->started_ms = started_ms;
		h->loaded_ms = e->loaded_ms;
		h->generation = e->generation;
		h->unmatched_records = c.records;
		h->unmatched_bytes = c.bytes;
		h->collector_id = collector_id;
		h->pid = (uint32_t)getpid();
		h->nb_rules = nb;
		h->first_index = first;
		h->nb_entries = n;
		for (uint32_t i = 0; i < n; i++) {
			const struct frx_rule *r = &e->rs->rules[first + i];
			struct frx_rule_counter rc_;

			memset(&ent[i], 0, sizeof(ent[i]));
			snprintf(ent[i].name, sizeof(ent[i].name), "%s", r->name);
			frx_rules_engine_counter(e, first + i, &rc_);
			ent[i].records = rc_.records;
			ent[i].bytes = rc_.bytes;
			ent[i].priority = r->priority;
			ent[i].class_id = r->class_id;
			ent[i].action = r->action;
		}
		frx_block_seal_raw(hdr, FRX_BLOCK_RULES, n, (uint32_t)payload);
		rc = frx_ffile_writer_append_raw(w, hdr);
		if (rc < 0 || nb == 0)
			break;
	}
	return rc;
}

/* Final counters of replaced engines, then free them; lock held. */
static int
write_retired(struct frx_ffile_writer *w, uint64_t started_ms, uint32_t collector_id)
{
	int rc = 0;

	for (unsigned int i = 0; i < ctl.nb_retired; i++) {
		int r = write_engine(w, ctl.retired[i], started_ms, collector_id);

		if (r < 0 && rc == 0)
			rc = r;
		frx_rules_engine_free(ctl.retired[i]);
	}
	__atomic_store_n(&ctl.nb_retired, 0, __ATOMIC_RELEASE);
	return rc;
}

int
frx_rules_ctl_write_retired(struct frx_ffile_writer *w, uint64_t started_ms, uint32_t collector_id)
{
	int rc;

	if (__atomic_load_n(&ctl.nb_retired, __ATOMIC_ACQUIRE) == 0 || pthread_mutex_trylock(&ctl.lock) != 0)
		return 0;
	rc = write_retired(w, started_ms, collector_id);
	pthread_mutex_unlock(&ctl.lock);
	return rc;
}

int
frx_rules_ctl_write_blocks(struct frx_ffile_writer *w, uint64_t started_ms, uint32_t collector_id)
{
	int rc, rc2;

	if (ctl.engine == NULL || pthread_mutex_trylock(&ctl.lock) != 0)
		return 0; /* no rules, or a reload is swapping: next snapshot */
	rc = write_retired(w, started_ms, collector_id);
	rc2 = write_engine(w, ctl.engine, started_ms, collector_id);
	pthread_mutex_unlock(&ctl.lock);
	return rc < 0 ? rc : rc2;
}

void
frx_rules_ctl_print_summary(FILE *out)
{
	const struct frx_rules_engine *e;
	struct frx_rule_counter c;

	pthread_mutex_lock(&ctl.lock);
	e = ctl.engine;
	if (e != NULL) {
		fprintf(out, "rules_generation: %" PRIu64 "\nrules_reloads: %" PRIu64 "\nrules_reload_failures: %" PRIu64 "\n",
			e->generation, ctl.reloads, ctl.reload_failures);
		for (uint32_t i = 0; i < e->rs->nb_rules; i++) {
			const struct frx_rule *r = &e->rs->rules[i];

			frx_rules_engine_counter(e, i, &c);
			fprintf(out, "rule %s: %s", r->name, frx_rule_action_name(r->action));
			if (r->action == FRX_RULE_CLASS)
				fprintf(out, " %u", r->class_id);
			fprintf(out, ", %" PRIu64 " records, %" PRIu64 " bytes\n", c.records, c.bytes);
		}
		frx_rules_engine_counter(e, e->rs->nb_rules, &c);
		fprintf(out, "rules_unmatched: %" PRIu64 " records, %" PRIu64 " bytes\n", c.records, c.bytes);
	}
	pthread_mutex_unlock(&ctl.lock);
}
