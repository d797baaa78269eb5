/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * A worker's exporters and engines: statistics, sequence accounting,
 * packet-rate limits and engine pinning, for the exporters RX steering
 * gives that worker (so nothing here is locked).
 *
 * Tables are fixed at creation; a flood of new sources cannot grow them
 * (counted in exporters_full / engines_full, and the datagram is still
 * decoded, just not accounted per exporter). Other threads (stats lcore,
 * telemetry) read entries while the worker writes them: an entry is
 * published with release order once its key is set, and counters are read
 * one by one (each is exact, the set may be a few datagrams apart).
 */
#ifndef FRX_EXPTAB_H
#define FRX_EXPTAB_H

#include <stdint.h>

#include "expstats.h"
#include "pdu.h"
#include "seq.h"

#define FRX_MAX_KNOWN_ENGINES 16
#define FRX_MAX_PINNED 64

/** Operator's list of the engines one exporter may use. */
struct frx_engine_pin {
	uint8_t addr[16];
	uint32_t engines[FRX_MAX_KNOWN_ENGINES]; /**< frx_exptab_engine_word() values */
	uint8_t nb_engines;
};

struct frx_exptab_conf {
	uint32_t max_exporters;
	uint32_t max_engines;
	uint32_t max_denied;
	struct frx_seq_conf seq;
	uint32_t rate_pps;           /**< per-exporter datagram rate limit; 0 = none */
	uint32_t rate_burst;         /**< bucket depth in datagrams */
	uint32_t learn_engines_s;    /**< learn each exporter's engines this long after its first datagram; 0 = no learning */
	uint8_t reject_new_engines;  /**< drop PDUs of engines neither pinned nor learned */
	uint32_t log_interval_s;     /**< at most one log event per engine per interval */
	const struct frx_engine_pin *pins;
	unsigned int nb_pins;
};

void frx_exptab_conf_defaults(struct frx_exptab_conf *conf);

struct frx_exporter_entry {
	uint32_t used;               /**< published with release once the key is set */
	uint8_t pinned;              /**< its engines come from the operator's list */
	uint8_t nb_known;
	uint16_t reserved;
	uint32_t known[FRX_MAX_KNOWN_ENGINES];
	uint64_t tokens_milli;       /**< token bucket, in thousandths of a datagram */
	uint64_t last_refill_ms;
	struct frx_exporter_stats s;
};

struct frx_engine_entry {
	uint32_t used;
	uint32_t exporter;           /**< index of its exporter entry */
	uint64_t last_log_ms;
	uint32_t suppressed;         /**< log events not sent since last_log_ms */
	uint32_t reserved;
	struct frx_seq_state seq;
	struct frx_engine_stats s;
};

struct frx_denied_entry {
	uint32_t used;
	uint32_t reserved;
	struct frx_denied_stats s;
};

struct frx_exptab {
	struct frx_exptab_conf conf;
	struct frx_exporter_entry *exporters;
	struct frx_engine_entry *engines;
	struct frx_denied_entry *denied;
	uint32_t exporter_mask, engine_mask, denied_mask;
	uint32_t nb_exporters, nb_engines, nb_denied;
	uint64_t exporters_full;
	uint64_t engines_full;
	uint64_t denied_full;
};

/** @return NULL on allocation failure. */
struct frx_exptab *frx_exptab_create(const struct frx_exptab_conf *conf);
void frx_exptab_free(struct frx_exptab *tab);

/** The exporter of an address, created on first use; NULL when the table is full. */
struct frx_exporter_entry *frx_exptab_exporter(struct frx_exptab *tab, const uint8_t addr[16], uint64_t now_ms);

/** Token bucket: may this exporter send one more datagram now? (counts the refusal) */
int frx_exptab_rate_ok(struct frx_exptab *tab, struct frx_exporter_entry *ex, uint64_t now_ms);

/** Count a datagram from a source the ACL refused. */
void frx_exptab_denied(struct frx_exptab *tab, const uint8_t addr[16], uint64_t now_ms);

/**
 * The engine of a PDU (key from its header, RFC 7011 §8.4 for v9/IPFIX),
 * created on first use with accounting in the version's unit; NULL when
 * the table is full.
 */
struct frx_engine_entry *frx_exptab_engine(struct frx_exptab *tab, struct frx_exporter_entry *ex,
					   uint32_t exporter_index, const struct frx_pdu_info *hdr,
					   uint16_t exporter_port, uint64_t now_ms);

/** Index of an exporter entry (for frx_exptab_engine). */
static inline uint32_t
frx_exptab_exporter_index(const struct frx_exptab *tab, const struct frx_exporter_entry *ex)
{
	return (uint32_t)(ex - tab->exporters);
}

/** The value engine pinning compares: type/id for v5-v8, the domain for v9/IPFIX. */
uint32_t frx_exptab_engine_word(const struct frx_pdu_info *hdr);

/**
 * Is this engine one the exporter uses? Learns it while the exporter is
 * in its learning period (or when no pinning/learning is configured).
 * @return 1 known, 0 new (the caller logs and maybe rejects).
 */
int frx_exptab_engine_known(struct frx_exptab *tab, struct frx_exporter_entry *ex,
			    const struct frx_pdu_info *hdr, uint64_t now_ms);

/** May the worker log about this engine now? (rate limit; counts what it suppresses) */
int frx_exptab_may_log(struct frx_exptab *tab, struct frx_engine_entry *en, uint64_t now_ms,
		       uint32_t *suppressed);

/** Copy counters out (for another thread): @return entries passed. */
unsigned int frx_exptab_each_exporter(const struct frx_exptab *tab,
				      void (*fn)(const struct frx_exporter_stats *s, void *arg), void *arg);
unsigned int frx_exptab_each_engine(const struct frx_exptab *tab,
				    void (*fn)(const struct frx_engine_stats *s, void *arg), void *arg);
unsigned int frx_exptab_each_denied(const struct frx_exptab *tab,
				    void (*fn)(const struct frx_denied_stats *s, void *arg), void *arg);

#endif
