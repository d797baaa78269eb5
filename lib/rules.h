/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Flow rules: the rules file (INI, docs/rules.md), its compiler and a
 * reference matcher.
 *
 * A rules file is parsed and validated into a rule set: rules sorted in the
 * order they are evaluated (priority, then file order), each with numeric
 * conditions (prefixes, ranges, value/mask bytes) and string conditions
 * (regex or literal on the strings a record carries). The string conditions
 * of the whole set are compiled into one hyperscan database here; the
 * numeric conditions are compiled into rte_acl contexts by the collector
 * (app/flowrx/rules_acl.c), which uses this module for the string part.
 *
 * frx_rules_classify() is the plain-C reference: every rule in order,
 * first match wins. The collector's engine must give the same answer
 * (bench/rules-bench checks that on every record it classifies).
 *
 * DPDK-free. A rule set is immutable once built: any number of threads may
 * read it, each with its own scratch (frx_rules_scratch_alloc()).
 */
#ifndef FRX_RULES_H
#define FRX_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "flowrec.h"
#include "recbuf.h"

#define FRX_RULES_MAX 100000           /**< rules in one file */
#define FRX_RULE_NAME_MAX 63           /**< characters of a rule name */
#define FRX_RULE_MAX_PREFIXES 1024     /**< exporter/src/dst prefixes of one rule, each */
#define FRX_RULE_MAX_EXPANSION 65536   /**< numeric alternatives of one rule (exporter x src x dst) */
#define FRX_RULE_MAX_PATTERNS 64       /**< string conditions of one rule */
#define FRX_RULES_LINE_MAX 196         /**< characters of one line (libinih's line buffer) */

enum frx_rule_action {
	FRX_RULE_DROP = 1,   /**< remove the record before it is stored */
	FRX_RULE_KEEP = 2,   /**< store it unchanged, evaluate no further rule */
	FRX_RULE_CLASS = 3,  /**< store it with class_id set */
};

/** An address prefix in the 16-byte form of lib/flowrec.h (IPv4 mapped, length + 96). */
struct frx_rule_prefix {
	uint8_t addr[16];  /**< host bits cleared */
	uint8_t len;       /**< 0-128 over the 16 bytes */
	uint8_t is_v4;     /**< written as an IPv4 prefix */
};

struct frx_rule_range {
	uint32_t lo, hi;   /**< inclusive */
};

/** One string condition: a field and a regex or a literal. */
struct frx_rule_pattern {
	uint32_t rule;     /**< index of its rule in frx_ruleset.rules */
	uint8_t field;     /**< enum frx_str_field */
	uint8_t is_regex;  /**< 0: the whole string equals the literal */
	uint8_t caseless;  /**< /.../i */
	char *text;        /**< regex or literal as written (unescaped) */
};

struct frx_rule {
	char name[FRX_RULE_NAME_MAX + 1];
	int32_t priority;          /**< higher first */
	uint32_t line;             /**< line of its [rule NAME] header */
	uint32_t order;            /**< position in the file */
	uint8_t action;            /**< enum frx_rule_action */
	uint16_t class_id;         /**< FRX_RULE_CLASS: 1-65535 */
	/* numeric conditions; a list with no entry matches anything */
	struct frx_rule_prefix *exporter, *src, *dst;
	uint16_t nb_exporter, nb_src, nb_dst;
	uint8_t src_v4, src_v6, dst_v4, dst_v6; /**< families among src / dst prefixes */
	struct frx_rule_range src_port, dst_port, in_if, out_if, src_as, dst_as;
	uint8_t proto, proto_mask; /**< (rec.proto & mask) == value */
	uint8_t tos, tos_mask;
	uint8_t tcp_flags, tcp_flags_mask;
	/* string conditions: patterns[first_pattern, + nb_patterns) */
	uint32_t first_pattern;
	uint32_t nb_patterns;
	uint8_t str_fields;        /**< bit per enum frx_str_field it tests */
};

struct frx_ruleset {
	struct frx_rule *rules;    /**< in evaluation order */
	uint32_t nb_rules;
	struct frx_rule_pattern *patterns;
	uint32_t nb_patterns;
	uint32_t nb_string_rules;  /**< rules with at least one string condition */
	uint8_t str_fields;        /**< bit per enum frx_str_field any rule tests */
	void *hs_db;               /**< hs_database_t of every pattern (id = pattern index), NULL if none */
	char source[256];          /**< file it came from */
};

/** The strings of one record: ptr[field] NULL when it has none. */
struct frx_rec_strings {
	const uint8_t *ptr[FRX_STR_MAX];
	uint16_t len[FRX_STR_MAX];
};

/** Per-thread matching state for one rule set. */
struct frx_rules_scratch;

/**
 * Parse and compile a rules file.
 * @param err receives "FILE:LINE: reason" (or "FILE: reason") on failure
 * @return 0 and *out, or -EINVAL (bad rules), -ENOENT/-EACCES/... (file), -ENOMEM.
 */
int frx_rules_load(const char *path, struct frx_ruleset **out, char *err, size_t err_len);

/** As frx_rules_load() from text in memory; @p name stands for the file in messages. */
int frx_rules_parse_string(const char *text, size_t len, const char *name, struct frx_ruleset **out, char *err,
			   size_t err_len);

/** Free a rule set; NULL is a no-op. */
void frx_rules_free(struct frx_ruleset *rs);

/** @return scratch for one thread, or NULL (ENOMEM). */
struct frx_rules_scratch *frx_rules_scratch_alloc(const struct frx_ruleset *rs);
void frx_rules_scratch_free(struct frx_rules_scratch *s);

/** Do the numeric conditions of @p r hold for @p rec? */
int frx_rule_match_numeric(const struct frx_rule *r, const struct frx_flowrec *rec);

/**
 * Run the string conditions of the set over one record's strings (one
 * hyperscan scan per string present). Then frx_rule_match_strings() answers
 * per rule, until the next scan with the same scratch.
 */
void frx_rules_scan(const struct frx_ruleset *rs, struct frx_rules_scratch *s, const struct frx_rec_strings *str);

/**
 * Patterns that matched in the last scan (indexes into rs->patterns, each
 * once): only their rules can match the record by its strings.
 * @return how many; *hits valid until the next scan.
 */
uint32_t frx_rules_scan_hits(const struct frx_rules_scratch *s, const uint32_t **hits);

/** Do the string conditions of @p r hold for the last scanned record? (1 if it has none) */
int frx_rule_match_strings(const struct frx_ruleset *rs, const struct frx_rules_scratch *s, const struct frx_rule *r);

/**
 * Reference classification: the first rule (in evaluation order) whose
 * conditions all hold. @p str may be NULL (no strings).
 * @return the rule's index, or -1 if none matches.
 */
int frx_rules_classify(const struct frx_ruleset *rs, struct frx_rules_scratch *s, const struct frx_flowrec *rec,
		       const struct frx_rec_strings *str);

/** "drop", "keep" or "class". */
const char *frx_rule_action_name(unsigned int action);

/** Key name of a string field ("application", "in_if_name", ...). */
const char *frx_str_field_name(unsigned int field);

#endif
