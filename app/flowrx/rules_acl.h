/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The rules engine of the workers: a rule set (lib/rules.h) compiled into
 * rte_acl contexts, one per address-family layout, plus one hyperscan
 * scratch per worker and per-rule counters per worker.
 *
 * Rules without string conditions go into the ACL contexts: one
 * rte_acl_classify per family per batch of records gives the first of them
 * that matches. Rules with string conditions are checked after that, only
 * for records that carry strings and only those that come before the ACL's
 * answer in evaluation order (one hyperscan scan per string, then a check
 * of the rule's numeric part). The answer is the reference's
 * (frx_rules_classify()).
 *
 * An engine is immutable once built except for its counters, which each
 * worker writes in its own row: built and freed off the data path
 * (app/flowrx/rules_ctl.c), shared by every worker.
 */
#ifndef FRX_APP_RULES_ACL_H
#define FRX_APP_RULES_ACL_H

#include <stddef.h>
#include <stdint.h>

#include "recbuf.h"
#include "rules.h"
#include "tmpl.h"

struct frx_rule_counter {
	uint64_t records;
	uint64_t bytes;
};

struct frx_rules_engine {
	struct frx_ruleset *rs;
	struct rte_acl_ctx *acl4, *acl6;     /**< NULL when no rule of that family lacks strings */
	uint32_t acl4_entries, acl6_entries; /**< ACL rules after expanding prefix lists */
	uint32_t *string_rules;              /**< indexes of rules with string conditions, ascending */
	unsigned int nb_workers;
	struct frx_rules_scratch **scratch;  /**< per worker */
	struct frx_rule_counter *counters;   /**< [worker][rule]; rule nb_rules counts "no rule matched" */
	uint32_t stride;                     /**< counters per worker row (cache-line multiple) */
	uint64_t generation;                 /**< rule sets loaded by this process, from 1 */
	uint64_t loaded_ms;
};

/**
 * Build an engine from a rule set (takes it over on success).
 * @param generation names the ACL contexts (must differ from live engines')
 * @return the engine, or NULL with a reason in @p err (rule set untouched).
 */
struct frx_rules_engine *frx_rules_engine_create(struct frx_ruleset *rs, unsigned int nb_workers, int socket,
						 uint64_t generation, char *err, size_t err_len);

/** Free an engine and its rule set; NULL is a no-op. No worker may still use it. */
void frx_rules_engine_free(struct frx_rules_engine *e);

/**
 * Classify @p n records in place (worker @p worker): set class_id, count
 * each record against its rule, remove dropped records (the ones after them
 * move up). @p strings: the side table of their strings, or NULL;
 * @p ifnames: the worker's template cache for interface names, or NULL.
 * @return the records kept; *dropped += records removed.
 */
uint32_t frx_rules_engine_run(struct frx_rules_engine *e, unsigned int worker, struct frx_flowrec *recs,
			      uint32_t n, const struct frx_strtab *strings, const struct frx_tmpl_cache *ifnames,
			      uint64_t *dropped);

/** Sum of one rule's counters over the workers (rule nb_rules: no rule matched). */
void frx_rules_engine_counter(const struct frx_rules_engine *e, uint32_t rule, struct frx_rule_counter *sum);

#endif
