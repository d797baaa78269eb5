/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Template cache for NetFlow v9 and IPFIX, one per worker.
 *
 * Templates are kept per transport session and domain, the identity RFC
 * 7011 §8.4 gives an exporter: {exporter address, exporter UDP port,
 * version, source id / observation domain}, then template id. Each
 * template is compiled when it arrives into a flat list of operations
 * (copy this many bytes into that record field, skip that many), so a data
 * record is decoded by a tiny loop, not by looking fields up.
 *
 * Memory is fixed at creation: a session table and a template table of
 * configured sizes, a per-session template limit, and a backlog of data sets
 * that arrived before their template. Nothing is allocated per packet; a
 * flood of bogus templates fills the tables, is counted, and expires.
 *
 * The cache is owned by one worker lcore (no locks). The stats lcore may
 * read templates concurrently through frx_tmpl_snapshot(), which uses a
 * per-slot sequence counter, to persist them.
 */
#ifndef FRX_TMPL_H
#define FRX_TMPL_H

#include <stdint.h>

#include "pdu.h"

#define FRX_TMPL_MAX_FIELDS 128
#define FRX_TMPL_VARLEN 0xffff
#define FRX_TMPL_MAX_SAMPLERS 16
#define FRX_BACKLOG_SET_MAX 1472 /* a data set of a 1500-byte MTU datagram */

/* Operations a compiled template runs per data record. */
enum frx_tmpl_target {
	FRX_T_SKIP = 0,
	FRX_T_SRC_ADDR4, FRX_T_DST_ADDR4, FRX_T_NEXT_HOP4, FRX_T_BGP_NEXT_HOP4,
	FRX_T_SRC_ADDR6, FRX_T_DST_ADDR6, FRX_T_NEXT_HOP6, FRX_T_BGP_NEXT_HOP6,
	FRX_T_SRC_PORT, FRX_T_DST_PORT, FRX_T_ICMP_TYPE_CODE, FRX_T_PROTO, FRX_T_TOS,
	FRX_T_TCP_FLAGS, FRX_T_SRC_MASK, FRX_T_DST_MASK, FRX_T_IN_IF, FRX_T_OUT_IF,
	FRX_T_PACKETS, FRX_T_BYTES, FRX_T_SRC_AS, FRX_T_DST_AS, FRX_T_DIRECTION,
	FRX_T_SRC_VLAN, FRX_T_DST_VLAN, FRX_T_FWD_STATUS,
	FRX_T_FIRST_UPTIME, FRX_T_LAST_UPTIME,       /* ms since exporter boot */
	FRX_T_FIRST_SEC, FRX_T_LAST_SEC,             /* epoch seconds */
	FRX_T_FIRST_MS, FRX_T_LAST_MS,               /* epoch ms */
	FRX_T_FIRST_NTP, FRX_T_LAST_NTP,             /* NTP 64-bit (micro/nanoseconds IEs) */
	FRX_T_FIRST_DELTA_US, FRX_T_LAST_DELTA_US,   /* µs before the export time */
	FRX_T_DURATION_MS, FRX_T_DURATION_US,
	FRX_T_SYSINIT_MS,                            /* systemInitTimeMilliseconds */
	FRX_T_SAMPLING_INTERVAL, FRX_T_SAMPLING_ALGORITHM,
	FRX_T_SAMPLER_ID, FRX_T_SAMPLER_MODE, FRX_T_SAMPLER_RANDOM_INTERVAL,
	FRX_T_SELECTOR_ID, FRX_T_PACKET_INTERVAL, FRX_T_PACKET_SPACE,
	FRX_T_SAMPLING_SIZE, FRX_T_SAMPLING_POPULATION,
	FRX_T_IF_NAME, FRX_T_IF_DESCR, FRX_T_ENGINE_TYPE, FRX_T_ENGINE_ID,
	FRX_T_IF_INDEX_SCOPE,                        /* options scope: the interface a row describes */
	FRX_T_REV_BYTES, FRX_T_REV_PACKETS,          /* RFC 5103 biflow reverse direction */
	FRX_T_REV_TOS, FRX_T_REV_TCP_FLAGS,
	FRX_T_APP_NAME, FRX_T_APP_DESCR,             /* strings kept for the rules stage only */
	FRX_T_MAX
};

/* Data records keep a bit per target (lib/ipfix.c). */
_Static_assert(FRX_T_MAX <= 64, "targets must fit a 64-bit mask");

/** RFC 5103: reverse-direction elements carry this private enterprise number. */
#define FRX_PEN_REVERSE 29305

/** One field as the exporter defined it. */
struct frx_tmpl_field {
	uint16_t ie;          /**< information element / v9 field type (enterprise bit cleared) */
	uint16_t len;         /**< bytes, or FRX_TMPL_VARLEN */
	uint32_t pen;         /**< IPFIX private enterprise number, 0 for IANA */
};

/** One compiled operation. */
struct frx_tmpl_op {
	uint8_t target;       /**< enum frx_tmpl_target; FRX_T_SKIP skips len bytes */
	uint8_t varlen;       /**< length prefix in the data (RFC 7011 §7) */
	uint16_t len;
	uint8_t kind;         /**< enum frx_tmpl_op_kind: how lib/ipfix.c stores the field */
	uint8_t size;         /**< FRX_OP_UINT: bytes of the record field it goes to */
	uint16_t rec_off;     /**< byte offset of that field in struct frx_flowrec */
	uint16_t data_off;    /**< offset in the data record (templates without varlen fields) */
};

/**
 * What an op does with its field, decided when the template is compiled so
 * that decoding a record is a run of stores, not a decision per field.
 */
enum frx_tmpl_op_kind {
	FRX_OP_SKIP = 0,
	FRX_OP_U8,        /**< 1 byte into a 1-byte record field */
	FRX_OP_BE16,      /**< 2 bytes into a 2-byte field */
	FRX_OP_BE32,      /**< 4 bytes into a 4-byte field */
	FRX_OP_BE32_64,   /**< 4 bytes into an 8-byte field */
	FRX_OP_BE64,      /**< 8 bytes into an 8-byte field */
	FRX_OP_UINT,      /**< any other length (reduced-size encoding) into a size-byte field */
	FRX_OP_ADDR4,     /**< IPv4 address, stored IPv4-mapped */
	FRX_OP_ADDR6,     /**< IPv6 address */
	FRX_OP_DIRECTION, /**< flowDirection 0/1 to FRX_DIR_* */
	FRX_OP_EXTRA,     /**< a value finish_record() combines (times, sampling, biflow, ...) */
	FRX_OP_STRING,    /**< names: options rows and the rules stage */
	FRX_OP_MAX
};

/**
 * Groups of a template's grouped plan (frx_tmpl.plan): stores of one kind
 * run as one loop over (data offset, destination) pairs, no dispatch per
 * field. The FRX_G_X* groups store into the decoder's per-record values
 * (times, sampling, biflow counters) instead of the record.
 */
enum frx_tmpl_group {
	FRX_G_U8 = 0,
	FRX_G_BE16,
	FRX_G_BE32,
	FRX_G_BE32_64,
	FRX_G_BE64,
	FRX_G_ADDR4,
	FRX_G_ADDR6,
	FRX_G_BE16_32, /**< 2 bytes into a 4-byte field (v9 interfaces and AS numbers) */
	FRX_G_BE16_8,  /**< 2 bytes into a 1-byte field, the low byte (IPFIX tcpControlBits) */
	FRX_G_DIR8,    /**< 1-byte flowDirection */
	FRX_G_X8,     /**< 1-byte value of an FRX_OP_EXTRA target */
	FRX_G_X16,
	FRX_G_X32,
	FRX_G_X64,
	FRX_G_OTHER,  /**< any other op: through the general store, in template order */
	FRX_G_MAX
};

/** One store of a grouped plan. */
struct frx_tmpl_mv {
	uint16_t data_off;    /**< offset in the data record */
	uint16_t dst;         /**< record byte offset; FRX_G_X*: the target; FRX_G_OTHER: the op's index */
};

/**
 * A fixed-layout template as groups of stores of one kind, for
 * lib/ipfix.c; built when no two stores write the same record bytes, so
 * their order does not matter (ok = 0: run the ops in order instead).
 */
struct frx_tmpl_plan {
	uint8_t ok;
	uint8_t n[FRX_G_MAX];   /**< stores in each group, in group order in mv */
	uint8_t perm_ok;        /**< the template's perm is usable (struct frx_tmpl_perm) */
	uint64_t x_seen;        /**< targets the FRX_G_X* groups set */
	uint64_t extra_targets; /**< every FRX_OP_EXTRA target of the template, in any group */
	struct frx_tmpl_mv mv[FRX_TMPL_MAX_FIELDS];        /**< the template's perm is usable (struct frx_tmpl_perm) */
};

/** Most bytes a data record may have for the permutation form. */
#define FRX_PERM_MAX_DATA 128
/** Most FRX_G_X* values it carries. */
#define FRX_PERM_MAX_SLOTS 8

/**
 * A fixed-layout template (at most FRX_PERM_MAX_DATA bytes a record) as
 * one byte permutation from the data record to the flow record: byte i of
 * the record is data byte rec_idx[i] where rec_from_data has bit i, the
 * constant konst[i] where rec_const has it (the IPv4-mapped prefix, the
 * zero high bytes of widened values), else the set's base record. Byte
 * swaps are part of the permutation. The FRX_G_X* values go the same way
 * into 8-byte slots (slot k: target slot_target[k]). Runs with AVX-512
 * VBMI where the CPU has it (lib/ipfix.c); the grouped loops otherwise.
 */
struct frx_tmpl_perm {
	uint8_t rec_idx[192];
	uint8_t konst[192];
	uint64_t rec_from_data[3];
	uint64_t rec_const[3];
	uint8_t x_idx[64];
	uint64_t x_from_data;
	uint8_t nb_slots;
	uint8_t slot_target[FRX_PERM_MAX_SLOTS];
	uint64_t load_mask[2];  /**< bytes 0-63 and 64-127 of a data record */
	uint64_t dir_lanes;     /**< bytes 128-191 holding a flowDirection to map (FRX_G_DIR8), 0: loop */
	uint16_t dir_at;        /**< index in plan.mv of the FRX_G_DIR8 stores */
	uint16_t other_at;      /**< and of the FRX_G_OTHER ones */
};

/** The key of a transport session and domain. */
struct frx_tmpl_session_key {
	uint8_t addr[16];
	uint16_t port;
	uint16_t version;     /**< 9 or 10 */
	uint32_t domain;
};

struct frx_tmpl {
	uint32_t seq;         /**< even: stable; odd: being written (frx_tmpl_snapshot) */
	uint32_t session;     /**< index of its session, UINT32_MAX if the slot is free */
	uint16_t id;
	uint16_t nb_fields;
	uint16_t nb_scope;    /**< options templates: scope fields come first */
	uint16_t nb_ops;
	uint16_t min_len;     /**< bytes of the shortest data record */
	uint8_t options;
	uint8_t has_varlen;
	uint8_t has_record_time;  /**< data records carry their own times */
	uint8_t time_first;       /**< target the flow start is read from (FRX_T_FIRST_*), 0: none */
	uint8_t time_last;        /**< target the flow end is read from (FRX_T_LAST_*), 0: none */
	uint8_t has_reverse;      /**< RFC 5103 biflow: each record becomes two */
	uint8_t rec_v6;           /**< records are IPv6 flows (a source or destination IPv6 field) */
	uint8_t v4_nh6;           /**< IPv4 flows with an IPv6 next-hop field */
	uint64_t last_seen_ms;
	struct frx_tmpl_field fields[FRX_TMPL_MAX_FIELDS];
	struct frx_tmpl_op ops[FRX_TMPL_MAX_FIELDS];
	struct frx_tmpl_plan plan;  /**< the same stores grouped by kind, if possible */
	struct frx_tmpl_perm perm;  /**< valid if plan.perm_ok */
};

struct frx_tmpl_sampler {
	uint32_t id;          /**< sampler id (48) or selector id (302), or an ifIndex */
	uint32_t interval;
	uint8_t used;
	uint8_t is_interface; /**< a row scoped to an input interface (Cisco per-interface sampling) */
};

/** Per-session state besides templates: what options data told us. */
struct frx_tmpl_session {
	struct frx_tmpl_session_key key;
	uint8_t used;
	uint16_t nb_templates;
	uint32_t sampling_interval; /**< exporter-wide, from options data */
	uint64_t sysinit_ms;        /**< IPFIX systemInitTimeMilliseconds, 0 if unknown */
	uint64_t last_seen_ms;
	uint16_t nb_backlog;
	uint16_t nb_samplers;       /**< rows used in samplers[] (0: no lookup per record) */
	struct frx_tmpl_sampler samplers[FRX_TMPL_MAX_SAMPLERS];
};

/** A data set kept until its template arrives. */
struct frx_tmpl_backlog {
	uint32_t session;     /**< UINT32_MAX: free */
	uint16_t template_id;
	uint16_t len;
	uint64_t arrival_ms;
	uint64_t export_ms;
	uint32_t sys_uptime_ms;
	uint32_t sequence;
	uint8_t data[FRX_BACKLOG_SET_MAX];
};

/* X-macro: counter name, help. Documented in docs/drop-reasons.md. */
#define FRX_TMPL_COUNTER_LIST(X)                                                                   \
	X(templates_added, "new templates learned")                                                \
	X(templates_refreshed, "templates re-sent unchanged (refresh)")                           \
	X(templates_redefined, "templates re-sent with a different definition; the new one applies from that packet on") \
	X(templates_withdrawn, "templates withdrawn by the exporter (IPFIX)")                     \
	X(templates_expired, "templates not refreshed within --template-timeout, forgotten")      \
	X(templates_rejected_invalid, "template records that are malformed (zero or too many fields, bad lengths, reserved id)") \
	X(templates_rejected_full, "templates refused: the template table or the exporter's share of it is full") \
	X(sessions_rejected_full, "exporter sessions refused: the session table is full")          \
	X(sets_unknown_template, "data sets whose template is not known (kept in the backlog when there is room)") \
	X(sets_backlogged, "data sets kept until their template arrives")                           \
	X(sets_backlog_decoded, "backlogged data sets decoded once their template arrived")         \
	X(sets_backlog_expired, "backlogged data sets whose template never came (--backlog-timeout)") \
	X(sets_backlog_dropped, "data sets that found no room in the backlog (or are larger than a backlog slot)") \
	X(sets_reserved_id, "sets with a reserved set id (4-255 in IPFIX, 2-255 in v9): skipped")   \
	X(records_bad_varlen, "data records whose variable-length field runs past the set: rest of the set skipped") \
	X(options_records, "options data records (sampling, interface names, system init time) applied") \
	X(ifnames_learned, "interface names learned or changed from options data (interfaceName/Description)") \
	X(ifnames_rejected_full, "interface names refused: the interface name table is full")

struct frx_tmpl_counters {
#define FRX_TMPL_COUNTER_FIELD(name, help) uint64_t name;
	FRX_TMPL_COUNTER_LIST(FRX_TMPL_COUNTER_FIELD)
#undef FRX_TMPL_COUNTER_FIELD
};

/** Number of counters and their names, in struct order (for summing and printing). */
#define FRX_TMPL_NB_COUNTERS (sizeof(struct frx_tmpl_counters) / sizeof(uint64_t))
const char *frx_tmpl_counter_name(unsigned int i);
const char *frx_tmpl_counter_help(unsigned int i);

struct frx_tmpl_conf {
	uint32_t max_sessions;           /**< per worker */
	uint32_t max_templates;          /**< per worker */
	uint32_t max_templates_per_session;
	uint32_t max_backlog;            /**< backlog slots per worker */
	uint32_t max_backlog_per_session;
	uint32_t template_timeout_s;     /**< 0: templates never expire */
	uint32_t backlog_timeout_s;
	uint32_t max_ifnames;            /**< interface names per worker */
};

void frx_tmpl_conf_defaults(struct frx_tmpl_conf *conf);

/** Interface name of one exporter's ifIndex, as options data gave it. Also
 * the on-disk entry of IFNAMES blocks (docs/file-format.md), 96 bytes. */
#define FRX_IFNAME_LEN 64
struct frx_ifname {
	uint8_t exporter_addr[16];
	uint32_t domain;
	uint32_t ifindex;
	uint8_t version;
	uint8_t name_len;
	uint8_t reserved[6];
	char name[FRX_IFNAME_LEN];  /**< interfaceName (82), else interfaceDescription (83); not NUL-terminated when full */
};
_Static_assert(sizeof(struct frx_ifname) == 96, "IFNAMES entry size");

struct frx_ifname_slot {
	uint32_t seq;              /**< seqlock, as templates */
	uint32_t used;
	struct frx_ifname e;
};

struct frx_tmpl_cache {
	struct frx_tmpl_conf conf;
	struct frx_tmpl_session *sessions;
	struct frx_tmpl *templates;
	struct frx_tmpl_backlog *backlog;
	uint32_t *tmpl_index;            /**< open addressing: template slot + 1, 0 = empty */
	uint32_t tmpl_index_mask;
	uint32_t nb_templates;
	uint32_t backlog_used;
	uint64_t generation;             /**< bumped on every template change (persistence) */
	struct frx_ifname_slot *ifnames;
	uint32_t ifname_mask;            /**< slots - 1 (power of two) */
	uint32_t nb_ifnames;
	uint64_t ifname_generation;
	uint64_t last_expiry_ms;
	struct frx_tmpl_counters c;
};

/** Allocate a cache (start-up only). @return NULL on allocation failure. */
struct frx_tmpl_cache *frx_tmpl_cache_create(const struct frx_tmpl_conf *conf);
void frx_tmpl_cache_free(struct frx_tmpl_cache *cache);

/**
 * Find or create the session of a PDU. @return its index, or UINT32_MAX
 * when the table is full (counted in sessions_rejected_full).
 */
uint32_t frx_tmpl_session_get(struct frx_tmpl_cache *cache, const struct frx_tmpl_session_key *key,
			      uint64_t now_ms);

/** Find a template; NULL if unknown or expired. Marks nothing. */
struct frx_tmpl *frx_tmpl_find(struct frx_tmpl_cache *cache, uint32_t session, uint16_t id,
			       uint64_t now_ms);

/**
 * Insert or replace a template from its field list (compiles it).
 * @return the template, or NULL when refused (invalid or no room; counted).
 */
struct frx_tmpl *frx_tmpl_insert(struct frx_tmpl_cache *cache, uint32_t session, uint16_t id,
				 const struct frx_tmpl_field *fields, uint16_t nb_fields,
				 uint16_t nb_scope, int options, uint64_t now_ms);

/** Withdraw one template (id) or all of a kind (all_options: 0 data, 1 options, -1 both). */
void frx_tmpl_withdraw(struct frx_tmpl_cache *cache, uint32_t session, int id, int all_options);

/** Forget templates and backlog entries past their timeouts. Cheap if run often. */
void frx_tmpl_expire(struct frx_tmpl_cache *cache, uint64_t now_ms);

/**
 * Copy every live template consistently while the owner may be writing
 * (seqlock); @p fn gets each copy with its session key. Safe from another
 * thread. @return number of templates passed to fn.
 */
unsigned int frx_tmpl_snapshot(const struct frx_tmpl_cache *cache,
			       void (*fn)(const struct frx_tmpl_session_key *key, const struct frx_tmpl *t,
					  void *arg),
			       void *arg);

/**
 * Keep a data set whose template is unknown. @return 0, or -1 when there is
 * no room (counted in sets_backlog_dropped).
 */
int frx_tmpl_backlog_add(struct frx_tmpl_cache *cache, uint32_t session, uint16_t template_id,
			 const uint8_t *set, uint16_t len, uint64_t export_ms, uint32_t sys_uptime_ms,
			 uint32_t sequence, uint64_t now_ms);

/**
 * Next backlogged set for (session, template_id), removed from the backlog;
 * the entry stays valid until the next backlog call. NULL when none is left.
 */
const struct frx_tmpl_backlog *frx_tmpl_backlog_take(struct frx_tmpl_cache *cache, uint32_t session,
						     uint16_t template_id);

/**
 * Remember the name of an exporter's interface (from options data).
 * Counted in ifnames_learned when new or changed, ifnames_rejected_full.
 */
void frx_tmpl_ifname_set(struct frx_tmpl_cache *cache, uint32_t session, uint32_t ifindex,
			 const uint8_t *name, uint16_t len);

/**
 * Name of an exporter's interface, for the owner of the cache (no seqlock).
 * @return the name (not NUL-terminated) with its length in *len, or NULL.
 */
const char *frx_tmpl_ifname_find(const struct frx_tmpl_cache *cache, const uint8_t exporter_addr[16],
				 uint32_t domain, uint32_t ifindex, uint16_t *len);

/** Copy every interface name consistently (seqlock); @return count passed to fn. */
unsigned int frx_tmpl_ifname_snapshot(const struct frx_tmpl_cache *cache,
				      void (*fn)(const struct frx_ifname *e, void *arg), void *arg);

/** Interface-name generation, read with acquire order from another thread. */
uint64_t frx_tmpl_ifname_generation(const struct frx_tmpl_cache *cache);

/** Generation counter, read with acquire order from another thread. */
uint64_t frx_tmpl_generation(const struct frx_tmpl_cache *cache);

/* ---------------------------------------------------------- persistence */

/**
 * Write templates (from snapshots) to @p path atomically (temp + rename +
 * fsync), in the text format of docs/templates.md. @return 0 or -errno.
 */
struct frx_tmpl_state;
struct frx_tmpl_state *frx_tmpl_state_open(const char *path);
int frx_tmpl_state_add(struct frx_tmpl_state *st, const struct frx_tmpl_session_key *key,
		       const struct frx_tmpl *t);
int frx_tmpl_state_commit(struct frx_tmpl_state *st);

/**
 * Read a state file and call @p fn for each template whose last_seen is
 * within @p max_age_ms of @p now_ms (0: any age). Bad lines are skipped.
 * @return number of templates passed, or -errno (ENOENT: no file).
 */
int frx_tmpl_state_load(const char *path, uint64_t now_ms, uint64_t max_age_ms,
			void (*fn)(const struct frx_tmpl_session_key *key, uint16_t id,
				   const struct frx_tmpl_field *fields, uint16_t nb_fields, uint16_t nb_scope,
				   int options, uint64_t last_seen_ms, void *arg),
			void *arg);

#endif
