/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Loading and hot reload of the rules (docs/rules.md).
 *
 * The active engine is one pointer the workers read once per poll. A reload
 * (SIGHUP, or the /flowrx/rules_reload telemetry command) parses and
 * compiles the file on a control thread, never on an lcore, publishes the
 * new engine with one atomic store, then waits until every worker has
 * reported a quiescent state (rte_rcu_qsbr) before freeing the old one: a
 * worker classifies each batch of records with one engine, never half of
 * two. A file that does not load leaves the running rules in place.
 */
#ifndef FRX_APP_RULES_CTL_H
#define FRX_APP_RULES_CTL_H

#include <stdint.h>
#include <stdio.h>

struct frx_rules_engine;
struct rte_rcu_qsbr;
struct frx_ffile_writer;

/**
 * Load the rules file (start-up: an error is printed, naming file and
 * line) and prepare RCU for @p nb_workers readers, registered online.
 * @return 0 or -1.
 */
int frx_rules_ctl_init(const char *path, unsigned int nb_workers, int socket);

/** The pointer workers read (acquire), NULL before init. */
struct frx_rules_engine **frx_rules_ctl_engine_slot(void);
struct rte_rcu_qsbr *frx_rules_ctl_qsbr(void);

/** Start the reload thread, install the SIGHUP handler, register telemetry. @return 0 or -1. */
int frx_rules_ctl_start(void);

/** Stop the reload thread (the engine stays for the last snapshot). */
void frx_rules_ctl_stop(void);

/** Free the engine (after every lcore has stopped). */
void frx_rules_ctl_free(void);

/**
 * Append RULES blocks with the current counters, after those of replaced
 * rule sets not written yet (stats lcore). Skipped,
 * not waited for, while a reload is swapping engines. @return 0 or -errno.
 */
int frx_rules_ctl_write_blocks(struct frx_ffile_writer *w, uint64_t started_ms, uint32_t collector_id);

/**
 * Write the final counters of rule sets a reload replaced, then free them
 * (stats lcore, every poll: a no-op unless a reload happened). @return 0 or -errno.
 */
int frx_rules_ctl_write_retired(struct frx_ffile_writer *w, uint64_t started_ms, uint32_t collector_id);

/** Per-rule counters at exit. */
void frx_rules_ctl_print_summary(FILE *out);

#endif
