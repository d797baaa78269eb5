/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flowrx settings: one struct, every default in frx_config_defaults().
 */
#ifndef FRX_APP_CONFIG_H
#define FRX_APP_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "acl.h"
#include "decode.h"
#include "exptab.h"
#include "pkt.h"

#define FRX_MAX_LCORES 128
#define FRX_MAX_WORKERS 64
#define FRX_MAX_RX 16
#define FRX_MAX_EAL_SETTINGS 64

/** One [eal] setting of the config file, turned into EAL arguments at start. */
struct frx_eal_setting {
	const char *key;    /**< key in [eal], e.g. "lcores" */
	const char *value;
};

/** What RSS hashes on when a port has several RX queues. */
enum frx_rss {
	FRX_RSS_IP = 0,   /**< IP addresses (NICs that hash UDP on its IP header: ixgbe, mlx5, virtio) */
	FRX_RSS_IP_UDP,   /**< also UDP packet types, with ports (i40e, ice keep UDP apart from "IP") */
};

struct frx_config {
	/* input */
	const char *pcap_path;        /**< --pcap: offline capture via net_pcap */
	const char *iface;            /**< --iface: live kernel interface via net_af_packet */
	uint64_t pcap_frames;         /**< frames in the pcap, counted before start */
	uint32_t repeat;              /**< --repeat: replay the capture this many times (benchmarks) */
	uint8_t rss;                  /**< enum frx_rss */
	/* output */
	const char *out_dir;          /**< -w */
	uint32_t rotate_seconds;
	uint32_t collector_id;
	uint32_t fsync_every_blocks;
	int full_records;             /**< --full-records: format 1, no packing */
	uint32_t flush_ms;            /**< worker hands over a partly filled block after this */
	/* decode */
	struct frx_pkt_conf pkt;
	struct frx_decoder_conf decoder;  /**< template limits and timeouts, exporter overrides */
	const char *state_dir;            /**< learned templates are kept here; default: out_dir */
	/* exporters: ACL, rate limits, sequence accounting, engine pinning */
	struct frx_acl_prefix *allow;     /**< --allow prefixes; none = every source */
	unsigned int nb_allow;
	struct frx_exptab_conf exptab;
	struct frx_engine_pin pins[FRX_MAX_PINNED];
	const char *pin_text[FRX_MAX_PINNED];  /**< each pin's engine list as given, for --print-config */
	unsigned int nb_pins;
	int syslog_facility;
	uint8_t log_stderr;
	uint32_t stats_block_interval_s;  /**< a STATS block every S seconds; 0 = only per file and at exit */
	const char *rules_path;           /**< --rules: flow rules file (docs/rules.md); NULL = none */
	/* resources */
	uint32_t nb_blocks;           /**< file blocks in the pool */
	uint32_t ring_size;           /**< rx -> worker ring entries */
	uint16_t nb_rxd;              /**< RX descriptors per queue */
	uint32_t nb_mbufs;            /**< 0: computed */
	/* lcore roles; -1 / 0 entries mean "choose automatically" */
	int stats_lcore;
	unsigned int rx_lcores[FRX_MAX_RX];
	unsigned int nb_rx_lcores;
	unsigned int worker_lcores[FRX_MAX_WORKERS];
	unsigned int nb_worker_lcores;
	/* behaviour */
	uint32_t idle_sleep_us;       /**< sleep when idle; 0 = busy poll */
	uint32_t stats_interval_s;    /**< print a stats line every N s; 0 = never */
	uint8_t idle_sleep_set;
	uint8_t eal_args_given;       /**< the user passed EAL arguments before "--" */
	uint8_t print_config;
	/* config file (--config) */
	const char *config_path;
	struct frx_eal_setting eal[FRX_MAX_EAL_SETTINGS];  /**< [eal]: given to the EAL before "--" arguments */
	unsigned int nb_eal;
	char **cli_eal_argv;          /**< EAL arguments before "--" (for --print-config) */
	int cli_eal_argc;
	/* [output] compression: only "none" exists so far (reserved) */
	const char *compression;
	/* Prometheus textfile-collector output, rewritten by the stats lcore */
	const char *prometheus_file;
	uint32_t prometheus_interval_s;
};

void frx_config_defaults(struct frx_config *cfg);

/**
 * Parse application arguments (those after "--", or all of them when the
 * user gave no EAL arguments). A --config FILE among them is read first,
 * so flags override the file. Prints one line naming the bad option (or
 * FILE:LINE: [section] key) and returns -1 on error; returns 1 when --help
 * was printed.
 */
int frx_config_parse(struct frx_config *cfg, int argc, char **argv);

/**
 * Read an INI config file into cfg (libinih). @return 0, or -1 after one
 * line naming FILE:LINE, [section] key and the reason.
 */
int frx_config_load(struct frx_config *cfg, const char *path);

/** Print the effective configuration as a config file (INI) that --config reads back. */
void frx_config_print(const struct frx_config *cfg, FILE *out);

/**
 * Append the EAL arguments of the [eal] settings to argv (at most max).
 * @return the number appended, or -1 if they do not fit.
 */
int frx_config_eal_args(const struct frx_config *cfg, char **argv, int max);

void frx_config_usage(const char *prog);

#endif
