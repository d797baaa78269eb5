/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Settings of flowrx: defaults, then the config file (--config, INI read by
 * libinih), then command-line flags. All defaults live in
 * frx_config_defaults(); every file key maps to a command-line option and is
 * checked by the same code, before DPDK starts; a bad one is named
 * (FILE:LINE: [section] key, or --option) with the reason.
 */
#include "config.h"

#include "flowrec.h"

#include <errno.h>
#include <getopt.h>
#include <ini.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

void
frx_config_defaults(struct frx_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->out_dir = "./flows";
	cfg->rotate_seconds = 300;
	cfg->flush_ms = 1000;
	cfg->pkt.listen_ports[0] = 2055;
	cfg->pkt.listen_ports[1] = 9995;
	cfg->pkt.listen_ports[2] = 9996;
	cfg->pkt.listen_ports[3] = 4739; /* IANA IPFIX */
	cfg->pkt.nb_listen_ports = 4;
	frx_decoder_conf_defaults(&cfg->decoder);
	frx_exptab_conf_defaults(&cfg->exptab);
	cfg->syslog_facility = LOG_DAEMON;
	cfg->stats_block_interval_s = 60;
	cfg->repeat = 1;
	cfg->nb_blocks = 128;
	cfg->ring_size = 4096;
	cfg->nb_rxd = 1024;
	cfg->stats_lcore = -1;
	cfg->idle_sleep_us = 0;
	cfg->stats_interval_s = 0;
	cfg->compression = "none";
	cfg->prometheus_interval_s = 10;
}

void
frx_config_usage(const char *prog)
{
	printf("Usage: %s [EAL options --] [options]\n"
	       "\n"
	       "Collects NetFlow v1/v5/v6/v7/v8/v9 and IPFIX exports from DPDK ports and writes flow files.\n"
	       "Without EAL options, --pcap and --iface set up their port and run without\n"
	       "hugepages or PCI devices (-l 0 --no-huge -m 512 --no-pci --no-shconf).\n"
	       "\n"
	       "Every option is also a key of the config file; flags override the file:\n"
	       "  -c, --config FILE      read settings (INI, docs/configuration.md), EAL ones in [eal]\n"
	       "  --print-config         print the effective settings as a config file and exit\n"
	       "Input (default: every DPDK port the EAL probed):\n"
	       "  --pcap FILE            decode a capture of exports and exit when done\n"
	       "  --repeat N             with --pcap: replay it N times through the whole data path and\n"
	       "                         print packets/s and records/s (benchmarks; records stored N times)\n"
	       "  --iface NAME           collect live from a kernel interface (net_pcap, incoming only), e.g. lo\n"
	       "  -p, --port N[,N...]    UDP listen ports (default 2055,9995,9996,4739; 0 = any)\n"
	       "  --verify-udp-checksum  check UDP checksums in software (off: trust NIC offload flags)\n"
	       "  --rss ip|ip-udp        RSS hash with several RX queues: ip (default) or ip-udp for NICs\n"
	       "                         whose IP hash leaves UDP out (i40e, ice; drivers-cfg/)\n"
	       "Exporters (docs/exporters.md):\n"
	       "  --allow PREFIX         accept exports only from these sources (repeatable, IPv4/IPv6 CIDR)\n"
	       "  --rate-limit PPS[/BURST]  per-exporter datagram rate limit (default: none)\n"
	       "  --reorder-window N     sequence units a late datagram may be behind (default 4096)\n"
	       "  --seq-max-jump N       a sequence jump larger than this is an exporter restart (default 100000000)\n"
	       "  --reject-out-of-sequence N  refuse duplicates and datagrams more than N units off (default: store)\n"
	       "  --engine ADDR=E[,E...] engines ADDR may use: TYPE/ID (v5-v8) or domain:N (v9/IPFIX)\n"
	       "  --learn-engines S      learn each exporter's engines during its first S seconds\n"
	       "  --reject-new-engines   drop datagrams of engines neither pinned nor learned (default: log only)\n"
	       "  --syslog-facility F    daemon (default), local0 ... local7, user\n"
	       "  --log-stderr           also print sequence and engine events on stderr\n"
	       "  --stats-blocks S       write exporter statistics into the flow file every S s (default 60)\n"
	       "Flow rules (docs/rules.md):\n"
	       "  --rules FILE           drop, keep or tag (class N) records by rules in FILE (INI); reloaded on\n"
	       "                         SIGHUP or /flowrx/rules_reload; a bad file keeps the running rules\n"
	       "NetFlow v9 / IPFIX:\n"
	       "  --template-timeout S   forget templates not refreshed for S seconds (default 3600; 0 never)\n"
	       "  --backlog-timeout S    keep data sets that came before their template S seconds (default 60)\n"
	       "  --max-sessions N       exporter sessions per worker (default 1024)\n"
	       "  --max-templates N      templates per worker (default 4096; 256 per session)\n"
	       "  --state-dir DIR        where learned templates persist across restarts (default: -w DIR)\n"
	       "  --exporter ADDR[,sampling=N][,uptime=seconds]\n"
	       "                         per-exporter settings (repeatable): a sampling interval for devices\n"
	       "                         that do not export one; sysUptime-relative times in seconds (quirk)\n"
	       "Output:\n"
	       "  -w, --dir DIR          flow file directory (default ./flows)\n"
	       "  --rotate SECONDS       start a new file every SECONDS, aligned to the clock (default 300; 0 never)\n"
	       "  --flush-ms MS          hand partly filled blocks to the writer after MS (default 1000)\n"
	       "  --fsync-blocks N       fdatasync every N blocks (default 0: leave it to the kernel)\n"
	       "  --full-records         write 160-byte records (file format 1) instead of packing them\n"
	       "                         (format 3, about 50-65 bytes a record; docs/file-format.md)\n"
	       "  --collector-id N       id stored in file headers (default 0)\n"
	       "Lcores (default: chosen from the EAL lcore list, printed at start):\n"
	       "  --rx-lcores LIST       lcores polling RX queues, e.g. 1 or 1,2\n"
	       "  --worker-lcores LIST   lcores decoding\n"
	       "  --stats-lcore N        lcore writing files and summing counters\n"
	       "Resources and behaviour:\n"
	       "  --blocks N             file blocks in the pool (default 128, %u records each)\n"
	       "  --ring-size N          RX->worker ring entries (default 4096)\n"
	       "  --rxd N                RX descriptors per queue (default 1024)\n"
	       "  --mbufs N              mbufs in the pool (default: computed)\n"
	       "  --idle-sleep-us US     sleep when idle instead of busy polling (default 0; 100 with --pcap/--iface)\n"
	       "Telemetry (docs/operations.md):\n"
	       "  --stats-interval S     print a counter line every S seconds (default 0: off)\n"
	       "  --prometheus-file PATH write counters for node_exporter's textfile collector (default: none)\n"
	       "  --prometheus-interval S  rewrite it every S seconds (default 10)\n"
	       "  -h, --help             this text\n"
	       "\n"
	       "Stop with SIGINT or SIGTERM: rings and blocks are drained and files closed.\n"
	       "Read the files with flowrx-read -R DIR. Manual: man flowrx.\n",
	       prog, 1400u);
}

/* ------------------------------------------------------------ values */

/* Where a value came from, for error lines: "--rotate" on the command
 * line, "FILE:LINE: [output] rotate" from a config file. */
static int
parse_u64(const char *what, const char *arg, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 0);
	if (errno || end == arg || *end != '\0' || arg[0] == '-' || v < min || v > max) {
		fprintf(stderr, "flowrx: %s: '%s' is not a number in [%llu, %llu]\n", what, arg,
			(unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

static int
parse_u32(const char *what, const char *arg, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (parse_u64(what, arg, min, max, &v) < 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* yes/no for config-file booleans; a command-line flag passes "yes". */
static int
parse_bool(const char *what, const char *arg, uint8_t *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" }, *const no[] = { "no", "false", "off", "0" };

	for (unsigned int i = 0; i < 4; i++) {
		if (strcasecmp(arg, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(arg, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	fprintf(stderr, "flowrx: %s: '%s' is not yes or no\n", what, arg);
	return -1;
}

/* "1,3-5" -> list of numbers. */
static int
parse_list(const char *what, const char *arg, unsigned int *out, unsigned int max_n,
	   unsigned int max_value, unsigned int *n_out)
{
	char buf[256], *save = NULL, *tok;
	unsigned int n = 0;

	if (strlen(arg) >= sizeof(buf)) {
		fprintf(stderr, "flowrx: %s: list too long\n", what);
		return -1;
	}
	strcpy(buf, arg);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(tok, '-');
		uint64_t lo, hi;

		if (dash) {
			*dash = '\0';
			if (parse_u64(what, tok, 0, max_value, &lo) < 0 ||
			    parse_u64(what, dash + 1, lo, max_value, &hi) < 0)
				return -1;
		} else {
			if (parse_u64(what, tok, 0, max_value, &lo) < 0)
				return -1;
			hi = lo;
		}
		for (uint64_t v = lo; v <= hi; v++) {
			if (n == max_n) {
				fprintf(stderr, "flowrx: %s: more than %u entries\n", what, max_n);
				return -1;
			}
			out[n++] = (unsigned int)v;
		}
	}
	if (n == 0) {
		fprintf(stderr, "flowrx: %s: empty list\n", what);
		return -1;
	}
	*n_out = n;
	return 0;
}

/* The override entry of an address: the existing one (a later setting for
 * the same exporter replaces the earlier) or a new one. */
static struct frx_exporter_override *
override_for(struct frx_config *cfg, const uint8_t addr[16], const char *what)
{
	struct frx_decoder_conf *d = &cfg->decoder;
	struct frx_exporter_override *o;

	for (unsigned int i = 0; i < d->nb_overrides; i++)
		if (memcmp(d->overrides[i].addr, addr, 16) == 0)
			return &d->overrides[i];
	if (d->nb_overrides == FRX_MAX_OVERRIDES) {
		fprintf(stderr, "flowrx: %s: more than %d exporters with settings\n", what, FRX_MAX_OVERRIDES);
		return NULL;
	}
	o = &d->overrides[d->nb_overrides++];
	memset(o, 0, sizeof(*o));
	memcpy(o->addr, addr, 16);
	return o;
}

static int
set_sampling(const char *what, const char *arg, struct frx_exporter_override *o)
{
	if (strcmp(arg, "none") == 0 || strcmp(arg, "0") == 0) {
		o->sampling_interval = 0;
		return 0;
	}
	return parse_u32(what, arg, 1, UINT32_MAX, &o->sampling_interval);
}

static int
set_uptime(const char *what, const char *arg, struct frx_exporter_override *o)
{
	if (strcmp(arg, "seconds") == 0)
		o->uptime_in_seconds = 1;
	else if (strcmp(arg, "ms") == 0)
		o->uptime_in_seconds = 0;
	else {
		fprintf(stderr, "flowrx: %s: '%s' is neither seconds nor ms\n", what, arg);
		return -1;
	}
	return 0;
}

/* "ADDR[,sampling=N][,uptime=seconds|ms]" */
static int
parse_exporter(struct frx_config *cfg, const char *what, const char *arg)
{
	struct frx_exporter_override *o;
	char buf[256], *save = NULL, *tok;
	uint8_t addr[16];

	if (strlen(arg) >= sizeof(buf)) {
		fprintf(stderr, "flowrx: %s: too long\n", what);
		return -1;
	}
	strcpy(buf, arg);
	tok = strtok_r(buf, ",", &save);
	if (tok == NULL || frx_addr_parse(tok, addr) < 0) {
		fprintf(stderr, "flowrx: %s: '%s' is not an IPv4 or IPv6 address\n", what, tok ? tok : "");
		return -1;
	}
	o = override_for(cfg, addr, what);
	if (o == NULL)
		return -1;
	o->sampling_interval = 0;
	o->uptime_in_seconds = 0;
	while ((tok = strtok_r(NULL, ",", &save)) != NULL) {
		if (strncmp(tok, "sampling=", 9) == 0) {
			if (set_sampling(what, tok + 9, o) < 0)
				return -1;
		} else if (strncmp(tok, "uptime=", 7) == 0) {
			if (set_uptime(what, tok + 7, o) < 0)
				return -1;
		} else {
			fprintf(stderr, "flowrx: %s: unknown setting '%s' (sampling=N, uptime=seconds)\n", what, tok);
			return -1;
		}
	}
	return 0;
}

/* One exporter's engine list "1/2,1/3" or "domain:5,domain:6"; replaces an
 * earlier list for the same address. */
static int
set_engines(struct frx_config *cfg, const char *what, const uint8_t addr[16], const char *list)
{
	struct frx_engine_pin pin;
	char buf[512], *save = NULL, *tok;
	unsigned int i;

	if (strlen(list) >= sizeof(buf)) {
		fprintf(stderr, "flowrx: %s: too long\n", what);
		return -1;
	}
	strcpy(buf, list);
	memset(&pin, 0, sizeof(pin));
	memcpy(pin.addr, addr, 16);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned int a, b;
		char extra;

		if (pin.nb_engines == FRX_MAX_KNOWN_ENGINES) {
			fprintf(stderr, "flowrx: %s: more than %d engines\n", what, FRX_MAX_KNOWN_ENGINES);
			return -1;
		}
		if (sscanf(tok, "domain:%u%c", &a, &extra) == 1) {
			pin.engines[pin.nb_engines++] = a;
		} else if (sscanf(tok, "%u/%u%c", &a, &b, &extra) == 2 && a < 256 && b < 256) {
			pin.engines[pin.nb_engines++] = a << 8 | b;
		} else {
			fprintf(stderr, "flowrx: %s: '%s' is neither TYPE/ID nor domain:N\n", what, tok);
			return -1;
		}
	}
	if (pin.nb_engines == 0) {
		fprintf(stderr, "flowrx: %s: no engine listed\n", what);
		return -1;
	}
	for (i = 0; i < cfg->nb_pins; i++)
		if (memcmp(cfg->pins[i].addr, addr, 16) == 0)
			break;
	if (i == FRX_MAX_PINNED) {
		fprintf(stderr, "flowrx: %s: more than %d pinned exporters\n", what, FRX_MAX_PINNED);
		return -1;
	}
	cfg->pin_text[i] = strdup(list);
	if (cfg->pin_text[i] == NULL) {
		fprintf(stderr, "flowrx: %s: out of memory\n", what);
		return -1;
	}
	cfg->pins[i] = pin;
	if (i == cfg->nb_pins)
		cfg->nb_pins++;
	cfg->exptab.pins = cfg->pins;
	cfg->exptab.nb_pins = cfg->nb_pins;
	return 0;
}

/* "ADDR=1/2,1/3" or "ADDR=domain:5,domain:6" */
static int
parse_engine(struct frx_config *cfg, const char *what, const char *arg)
{
	char buf[512], *eq;
	uint8_t addr[16];

	if (strlen(arg) >= sizeof(buf)) {
		fprintf(stderr, "flowrx: %s: too long\n", what);
		return -1;
	}
	strcpy(buf, arg);
	eq = strchr(buf, '=');
	if (eq == NULL || (*eq = '\0', frx_addr_parse(buf, addr) < 0)) {
		fprintf(stderr, "flowrx: %s: '%s': expected ADDR=TYPE/ID[,...] or ADDR=domain:N[,...]\n", what, arg);
		return -1;
	}
	return set_engines(cfg, what, addr, eq + 1);
}

static const struct {
	const char *name;
	int value;
} facilities[] = {
	{ "daemon", LOG_DAEMON }, { "user", LOG_USER }, { "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 },
	{ "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

static int
parse_facility(const char *what, const char *name, int *facility)
{
	for (unsigned int i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (strcmp(name, facilities[i].name) == 0) {
			*facility = facilities[i].value;
			return 0;
		}
	fprintf(stderr, "flowrx: %s: '%s': use daemon, user or local0..local7\n", what, name);
	return -1;
}

static const char *
facility_name(int facility)
{
	for (unsigned int i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (facilities[i].value == facility)
			return facilities[i].name;
	return "daemon";
}

static int
add_allow(struct frx_config *cfg, const char *what, const char *prefix)
{
	static struct frx_acl_prefix allow[FRX_ACL_MAX_PREFIXES];

	if (cfg->nb_allow == FRX_ACL_MAX_PREFIXES) {
		fprintf(stderr, "flowrx: %s: more than %d prefixes\n", what, FRX_ACL_MAX_PREFIXES);
		return -1;
	}
	if (frx_acl_parse_prefix(prefix, &allow[cfg->nb_allow]) < 0) {
		fprintf(stderr, "flowrx: %s: '%s' is not an IPv4/IPv6 prefix (e.g. 192.0.2.0/24)\n", what, prefix);
		return -1;
	}
	cfg->allow = allow;
	cfg->nb_allow++;
	return 0;
}

/* ------------------------------------------------------------ settings */

enum {
	OPT_PCAP = 256, OPT_IFACE, OPT_VERIFY_UDP, OPT_ROTATE, OPT_FLUSH_MS, OPT_FSYNC, OPT_FULL_RECORDS,
	OPT_COLLECTOR_ID, OPT_RX_LCORES, OPT_WORKER_LCORES, OPT_STATS_LCORE, OPT_BLOCKS,
	OPT_RING_SIZE, OPT_RXD, OPT_MBUFS, OPT_IDLE_SLEEP, OPT_STATS_INTERVAL, OPT_PRINT_CONFIG,
	OPT_TEMPLATE_TIMEOUT, OPT_BACKLOG_TIMEOUT, OPT_MAX_SESSIONS, OPT_MAX_TEMPLATES, OPT_STATE_DIR,
	OPT_EXPORTER, OPT_ALLOW, OPT_RATE_LIMIT, OPT_REORDER_WINDOW, OPT_SEQ_MAX_JUMP, OPT_REJECT_SEQ,
	OPT_ENGINE, OPT_LEARN_ENGINES, OPT_REJECT_NEW_ENGINES, OPT_SYSLOG_FACILITY, OPT_LOG_STDERR,
	OPT_STATS_BLOCKS, OPT_REPEAT, OPT_CONFIG, OPT_PROM_FILE, OPT_PROM_INTERVAL, OPT_RSS,
	OPT_RULES_FILE,
	/* config file only */
	OPT_COMPRESSION,
};

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "pcap", required_argument, NULL, OPT_PCAP },
	{ "iface", required_argument, NULL, OPT_IFACE },
	{ "port", required_argument, NULL, 'p' },
	{ "verify-udp-checksum", no_argument, NULL, OPT_VERIFY_UDP },
	{ "rss", required_argument, NULL, OPT_RSS },
	{ "dir", required_argument, NULL, 'w' },
	{ "rotate", required_argument, NULL, OPT_ROTATE },
	{ "flush-ms", required_argument, NULL, OPT_FLUSH_MS },
	{ "fsync-blocks", required_argument, NULL, OPT_FSYNC },
	{ "full-records", no_argument, NULL, OPT_FULL_RECORDS },
	{ "collector-id", required_argument, NULL, OPT_COLLECTOR_ID },
	{ "rx-lcores", required_argument, NULL, OPT_RX_LCORES },
	{ "worker-lcores", required_argument, NULL, OPT_WORKER_LCORES },
	{ "stats-lcore", required_argument, NULL, OPT_STATS_LCORE },
	{ "blocks", required_argument, NULL, OPT_BLOCKS },
	{ "ring-size", required_argument, NULL, OPT_RING_SIZE },
	{ "rxd", required_argument, NULL, OPT_RXD },
	{ "mbufs", required_argument, NULL, OPT_MBUFS },
	{ "idle-sleep-us", required_argument, NULL, OPT_IDLE_SLEEP },
	{ "stats-interval", required_argument, NULL, OPT_STATS_INTERVAL },
	{ "print-config", no_argument, NULL, OPT_PRINT_CONFIG },
	{ "template-timeout", required_argument, NULL, OPT_TEMPLATE_TIMEOUT },
	{ "backlog-timeout", required_argument, NULL, OPT_BACKLOG_TIMEOUT },
	{ "max-sessions", required_argument, NULL, OPT_MAX_SESSIONS },
	{ "max-templates", required_argument, NULL, OPT_MAX_TEMPLATES },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "exporter", required_argument, NULL, OPT_EXPORTER },
	{ "allow", required_argument, NULL, OPT_ALLOW },
	{ "rate-limit", required_argument, NULL, OPT_RATE_LIMIT },
	{ "reorder-window", required_argument, NULL, OPT_REORDER_WINDOW },
	{ "seq-max-jump", required_argument, NULL, OPT_SEQ_MAX_JUMP },
	{ "reject-out-of-sequence", required_argument, NULL, OPT_REJECT_SEQ },
	{ "engine", required_argument, NULL, OPT_ENGINE },
	{ "learn-engines", required_argument, NULL, OPT_LEARN_ENGINES },
	{ "reject-new-engines", no_argument, NULL, OPT_REJECT_NEW_ENGINES },
	{ "syslog-facility", required_argument, NULL, OPT_SYSLOG_FACILITY },
	{ "log-stderr", no_argument, NULL, OPT_LOG_STDERR },
	{ "stats-blocks", required_argument, NULL, OPT_STATS_BLOCKS },
	{ "prometheus-file", required_argument, NULL, OPT_PROM_FILE },
	{ "prometheus-interval", required_argument, NULL, OPT_PROM_INTERVAL },
	{ "repeat", required_argument, NULL, OPT_REPEAT },
	{ "rules", required_argument, NULL, OPT_RULES_FILE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Config-file keys: every command-line setting has one, parsed by the
 * same code (apply()), so the two cannot drift apart. */
static const struct cfg_key {
	const char *section;
	const char *key;
	int opt;
} cfg_keys[] = {
	{ "input", "pcap", OPT_PCAP },
	{ "input", "repeat", OPT_REPEAT },
	{ "input", "iface", OPT_IFACE },
	{ "input", "ports", 'p' },
	{ "input", "verify_udp_checksum", OPT_VERIFY_UDP },
	{ "input", "rss", OPT_RSS },
	{ "lcores", "rx", OPT_RX_LCORES },
	{ "lcores", "workers", OPT_WORKER_LCORES },
	{ "lcores", "stats", OPT_STATS_LCORE },
	{ "lcores", "idle_sleep_us", OPT_IDLE_SLEEP },
	{ "output", "dir", 'w' },
	{ "output", "rotate", OPT_ROTATE },
	{ "output", "flush_ms", OPT_FLUSH_MS },
	{ "output", "fsync_blocks", OPT_FSYNC },
	{ "output", "full_records", OPT_FULL_RECORDS },
	{ "output", "collector_id", OPT_COLLECTOR_ID },
	{ "output", "compression", OPT_COMPRESSION },
	{ "exporters", "allow", OPT_ALLOW },
	{ "exporters", "rate_limit", OPT_RATE_LIMIT },
	{ "exporters", "reorder_window", OPT_REORDER_WINDOW },
	{ "exporters", "seq_max_jump", OPT_SEQ_MAX_JUMP },
	{ "exporters", "reject_out_of_sequence", OPT_REJECT_SEQ },
	{ "exporters", "learn_engines", OPT_LEARN_ENGINES },
	{ "exporters", "reject_new_engines", OPT_REJECT_NEW_ENGINES },
	{ "exporters", "stats_blocks", OPT_STATS_BLOCKS },
	{ "netflow", "template_timeout", OPT_TEMPLATE_TIMEOUT },
	{ "netflow", "backlog_timeout", OPT_BACKLOG_TIMEOUT },
	{ "netflow", "max_sessions", OPT_MAX_SESSIONS },
	{ "netflow", "max_templates", OPT_MAX_TEMPLATES },
	{ "netflow", "state_dir", OPT_STATE_DIR },
	{ "syslog", "facility", OPT_SYSLOG_FACILITY },
	{ "syslog", "log_stderr", OPT_LOG_STDERR },
	{ "telemetry", "stats_interval", OPT_STATS_INTERVAL },
	{ "telemetry", "prometheus_file", OPT_PROM_FILE },
	{ "telemetry", "prometheus_interval", OPT_PROM_INTERVAL },
	{ "resources", "blocks", OPT_BLOCKS },
	{ "resources", "ring_size", OPT_RING_SIZE },
	{ "resources", "rxd", OPT_RXD },
	{ "resources", "mbufs", OPT_MBUFS },
	{ "rules", "file", OPT_RULES_FILE },
};

/* [eal] keys and the EAL option each becomes (flag: a yes/no key). */
static const struct eal_key {
	const char *key;
	const char *option;
	uint8_t flag;
	uint8_t repeatable;
} eal_keys[] = {
	{ "lcores", "--lcores", 0, 0 },
	{ "main_lcore", "--main-lcore", 0, 0 },
	{ "allow", "--allow", 0, 1 },
	{ "block", "--block", 0, 1 },
	{ "vdev", "--vdev", 0, 1 },
	{ "memory", "-m", 0, 0 },
	{ "socket_mem", "--socket-mem", 0, 0 },
	{ "socket_limit", "--socket-limit", 0, 0 },
	{ "channels", "-n", 0, 0 },
	{ "huge_dir", "--huge-dir", 0, 0 },
	{ "file_prefix", "--file-prefix", 0, 0 },
	{ "iova_mode", "--iova-mode", 0, 0 },
	{ "log_level", "--log-level", 0, 1 },
	{ "no_huge", "--no-huge", 1, 0 },
	{ "no_pci", "--no-pci", 1, 0 },
	{ "in_memory", "--in-memory", 1, 0 },
	{ "no_shconf", "--no-shconf", 1, 0 },
	{ "no_telemetry", "--no-telemetry", 1, 0 },
	{ "args", NULL, 0, 1 }, /* anything else, split at spaces */
};

/* Strings from a config file outlive its parser's line buffer. */
static const char *
keep(const char *value, int from_file)
{
	const char *copy;

	if (!from_file)
		return value;
	copy = strdup(value);
	if (copy == NULL) {
		fprintf(stderr, "flowrx: out of memory\n");
		exit(1);
	}
	return copy;
}

/* Empty (config file) or "none" means unset for optional paths. */
static const char *
optional_path(const char *value, int from_file)
{
	return value[0] == '\0' ? NULL : keep(value, from_file);
}

static int
apply(struct frx_config *cfg, int opt, const char *what, const char *arg, int from_file)
{
	unsigned int list[FRX_PKT_MAX_PORTS], n;
	uint32_t v;

	switch (opt) {
	case OPT_PCAP:
		cfg->pcap_path = optional_path(arg, from_file);
		break;
	case OPT_IFACE:
		cfg->iface = optional_path(arg, from_file);
		break;
	case 'p':
		if (strcmp(arg, "any") == 0) {
			cfg->pkt.nb_listen_ports = 0;
			break;
		}
		if (parse_list(what, arg, list, FRX_PKT_MAX_PORTS, 65535, &n) < 0)
			return -1;
		cfg->pkt.nb_listen_ports = 0;
		for (unsigned int i = 0; i < n; i++) {
			if (list[i] == 0) { /* 0 = any port */
				cfg->pkt.nb_listen_ports = 0;
				break;
			}
			cfg->pkt.listen_ports[cfg->pkt.nb_listen_ports++] = (uint16_t)list[i];
		}
		break;
	case OPT_VERIFY_UDP:
		return parse_bool(what, arg, &cfg->pkt.verify_udp_checksum);
	case OPT_RSS:
		if (strcmp(arg, "ip") == 0)
			cfg->rss = FRX_RSS_IP;
		else if (strcmp(arg, "ip-udp") == 0)
			cfg->rss = FRX_RSS_IP_UDP;
		else {
			fprintf(stderr, "flowrx: %s: '%s' is neither ip nor ip-udp\n", what, arg);
			return -1;
		}
		break;
	case 'w':
		if (arg[0] == '\0') {
			fprintf(stderr, "flowrx: %s: an output directory is needed\n", what);
			return -1;
		}
		cfg->out_dir = keep(arg, from_file);
		break;
	case OPT_ROTATE:
		return parse_u32(what, arg, 0, 86400, &cfg->rotate_seconds);
	case OPT_FLUSH_MS:
		return parse_u32(what, arg, 1, 3600000, &cfg->flush_ms);
	case OPT_FSYNC:
		return parse_u32(what, arg, 0, UINT32_MAX, &cfg->fsync_every_blocks);
	case OPT_FULL_RECORDS: {
		uint8_t on;

		if (parse_bool(what, arg, &on) < 0)
			return -1;
		cfg->full_records = on;
		break;
	}
	case OPT_COLLECTOR_ID:
		return parse_u32(what, arg, 0, UINT32_MAX, &cfg->collector_id);
	case OPT_COMPRESSION:
		if (strcmp(arg, "none") != 0) {
			fprintf(stderr, "flowrx: %s: '%s': only none is supported so far\n", what, arg);
			return -1;
		}
		cfg->compression = "none";
		break;
	case OPT_RX_LCORES:
		if (strcmp(arg, "auto") == 0) {
			cfg->nb_rx_lcores = 0;
			break;
		}
		return parse_list(what, arg, cfg->rx_lcores, FRX_MAX_RX, FRX_MAX_LCORES - 1, &cfg->nb_rx_lcores);
	case OPT_WORKER_LCORES:
		if (strcmp(arg, "auto") == 0) {
			cfg->nb_worker_lcores = 0;
			break;
		}
		return parse_list(what, arg, cfg->worker_lcores, FRX_MAX_WORKERS, FRX_MAX_LCORES - 1,
				  &cfg->nb_worker_lcores);
	case OPT_STATS_LCORE:
		if (strcmp(arg, "auto") == 0) {
			cfg->stats_lcore = -1;
			break;
		}
		if (parse_u32(what, arg, 0, FRX_MAX_LCORES - 1, &v) < 0)
			return -1;
		cfg->stats_lcore = (int)v;
		break;
	case OPT_BLOCKS:
		return parse_u32(what, arg, 4, 1u << 20, &cfg->nb_blocks);
	case OPT_RING_SIZE:
		return parse_u32(what, arg, 64, 1u << 20, &cfg->ring_size);
	case OPT_RXD:
		if (parse_u32(what, arg, 32, 32768, &v) < 0)
			return -1;
		cfg->nb_rxd = (uint16_t)v;
		break;
	case OPT_MBUFS:
		if (strcmp(arg, "auto") == 0) {
			cfg->nb_mbufs = 0;
			break;
		}
		return parse_u32(what, arg, 1024, 1u << 26, &cfg->nb_mbufs);
	case OPT_IDLE_SLEEP:
		if (parse_u32(what, arg, 0, 1000000, &cfg->idle_sleep_us) < 0)
			return -1;
		cfg->idle_sleep_set = 1;
		break;
	case OPT_STATS_INTERVAL:
		return parse_u32(what, arg, 0, 86400, &cfg->stats_interval_s);
	case OPT_PROM_FILE:
		cfg->prometheus_file = optional_path(arg, from_file);
		break;
	case OPT_PROM_INTERVAL:
		return parse_u32(what, arg, 1, 86400, &cfg->prometheus_interval_s);
	case OPT_TEMPLATE_TIMEOUT:
		return parse_u32(what, arg, 0, 7 * 86400, &cfg->decoder.tmpl.template_timeout_s);
	case OPT_BACKLOG_TIMEOUT:
		return parse_u32(what, arg, 1, 3600, &cfg->decoder.tmpl.backlog_timeout_s);
	case OPT_MAX_SESSIONS:
		return parse_u32(what, arg, 1, 1u << 20, &cfg->decoder.tmpl.max_sessions);
	case OPT_MAX_TEMPLATES:
		return parse_u32(what, arg, 1, 1u << 20, &cfg->decoder.tmpl.max_templates);
	case OPT_STATE_DIR:
		cfg->state_dir = optional_path(arg, from_file);
		break;
	case OPT_EXPORTER:
		return parse_exporter(cfg, what, arg);
	case OPT_ALLOW:
		return add_allow(cfg, what, arg);
	case OPT_RATE_LIMIT: {
		char buf[64], *slash;

		if (strcmp(arg, "off") == 0) {
			cfg->exptab.rate_pps = cfg->exptab.rate_burst = 0;
			break;
		}
		snprintf(buf, sizeof(buf), "%s", arg);
		slash = strchr(buf, '/');
		if (slash)
			*slash = '\0';
		if (parse_u32(what, buf, 1, 100000000, &cfg->exptab.rate_pps) < 0)
			return -1;
		cfg->exptab.rate_burst = cfg->exptab.rate_pps / 10 > 10 ? cfg->exptab.rate_pps / 10 : 10;
		if (slash && parse_u32(what, slash + 1, 1, 100000000, &cfg->exptab.rate_burst) < 0)
			return -1;
		break;
	}
	case OPT_REORDER_WINDOW:
		return parse_u32(what, arg, 0, 1u << 30, &cfg->exptab.seq.reorder_window);
	case OPT_SEQ_MAX_JUMP:
		return parse_u32(what, arg, 1, 1u << 31, &cfg->exptab.seq.max_jump);
	case OPT_REJECT_SEQ:
		/* 0: store out-of-sequence datagrams (the default) */
		return parse_u32(what, arg, 0, 1u << 31, &cfg->exptab.seq.reject_distance);
	case OPT_ENGINE:
		return parse_engine(cfg, what, arg);
	case OPT_LEARN_ENGINES:
		return parse_u32(what, arg, 0, 30 * 86400, &cfg->exptab.learn_engines_s);
	case OPT_REJECT_NEW_ENGINES:
		return parse_bool(what, arg, &cfg->exptab.reject_new_engines);
	case OPT_SYSLOG_FACILITY:
		return parse_facility(what, arg, &cfg->syslog_facility);
	case OPT_LOG_STDERR:
		return parse_bool(what, arg, &cfg->log_stderr);
	case OPT_REPEAT:
		return parse_u32(what, arg, 1, 1000000000, &cfg->repeat);
	case OPT_STATS_BLOCKS:
		return parse_u32(what, arg, 0, 86400, &cfg->stats_block_interval_s);
	case OPT_RULES_FILE:
		cfg->rules_path = optional_path(arg, from_file);
		break;
	default:
		fprintf(stderr, "flowrx: %s: internal error: unhandled setting\n", what);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ config file */

struct file_ctx {
	struct frx_config *cfg;
	const char *path;
	FILE *f;
	int line;          /* lines handed to inih so far = the line being parsed */
	int long_line;     /* first line longer than the parser takes, or 0 */
	int failed;
	int inline_rules; /* [rule NAME] sections seen */
};

/* inih's reader: counts lines (Debian's inih gives handlers no line number)
 * and refuses lines it would otherwise split. */
static char *
file_read_line(char *str, int num, void *stream)
{
	struct file_ctx *fc = stream;
	size_t len;
	int c;

	if (fgets(str, num, fc->f) == NULL)
		return NULL;
	fc->line++;
	len = strlen(str);
	if (len > 0 && str[len - 1] != '\n' && !feof(fc->f)) {
		if (!fc->long_line)
			fc->long_line = fc->line;
		while ((c = fgetc(fc->f)) != EOF && c != '\n')
			;
		str[0] = '\0'; /* an empty line: the error is reported after parsing */
	}
	return str;
}

static int
eal_setting(struct file_ctx *fc, const char *what, const char *key, const char *value)
{
	struct frx_config *cfg = fc->cfg;
	const struct eal_key *k = NULL;

	for (unsigned int i = 0; i < sizeof(eal_keys) / sizeof(eal_keys[0]); i++)
		if (strcmp(eal_keys[i].key, key) == 0)
			k = &eal_keys[i];
	if (k == NULL) {
		fprintf(stderr, "flowrx: %s: unknown key in [eal] (see docs/configuration.md)\n", what);
		return -1;
	}
	if (k->flag) {
		uint8_t on;

		if (parse_bool(what, value, &on) < 0)
			return -1;
	} else if (value[0] == '\0') {
		fprintf(stderr, "flowrx: %s: a value is needed\n", what);
		return -1;
	}
	if (!k->repeatable)
		for (unsigned int i = 0; i < cfg->nb_eal; i++)
			if (strcmp(cfg->eal[i].key, key) == 0) {
				cfg->eal[i].value = keep(value, 1);
				return 0;
			}
	if (cfg->nb_eal == FRX_MAX_EAL_SETTINGS) {
		fprintf(stderr, "flowrx: %s: more than %d [eal] settings\n", what, FRX_MAX_EAL_SETTINGS);
		return -1;
	}
	cfg->eal[cfg->nb_eal].key = k->key;
	cfg->eal[cfg->nb_eal].value = keep(value, 1);
	cfg->nb_eal++;
	return 0;
}

/* [exporter ADDR]: per-exporter settings. */
static int
exporter_setting(struct file_ctx *fc, const char *what, const char *section, const char *key, const char *value)
{
	struct frx_config *cfg = fc->cfg;
	struct frx_exporter_override *o;
	uint8_t addr[16];
	const char *text = section + strlen("exporter");

	while (*text == ' ' || *text == '\t')
		text++;
	if (frx_addr_parse(text, addr) < 0) {
		fprintf(stderr, "flowrx: %s: section [%s]: '%s' is not an IPv4 or IPv6 address\n", what, section,
			text);
		return -1;
	}
	if (strcmp(key, "sampling") == 0 || strcmp(key, "uptime") == 0) {
		o = override_for(cfg, addr, what);
		if (o == NULL)
			return -1;
		return key[0] == 's' ? set_sampling(what, value, o) : set_uptime(what, value, o);
	}
	if (strcmp(key, "engines") == 0)
		return set_engines(cfg, what, addr, value);
	if (strcmp(key, "allow") == 0) {
		uint8_t on;

		if (parse_bool(what, value, &on) < 0)
			return -1;
		return on ? add_allow(cfg, what, text) : 0;
	}
	fprintf(stderr, "flowrx: %s: unknown key in [exporter ADDR] (sampling, uptime, engines, allow)\n", what);
	return -1;
}

static int
file_handler(void *user, const char *section, const char *key, const char *value)
{
	struct file_ctx *fc = user;
	char what[512];

	if (fc->failed)
		return 0; /* one error line is enough */
	snprintf(what, sizeof(what), "%s:%d: [%s] %s", fc->path, fc->line, section, key);
	if (strncmp(section, "rule", 4) == 0 && (section[4] == ' ' || section[4] == '\t')) {
		/* flow rules in this file: the rules parser reads them (lib/rules.c) */
		fc->inline_rules = 1;
		return 1;
	}
	if (strcmp(section, "eal") == 0) {
		if (eal_setting(fc, what, key, value) < 0)
			goto bad;
		return 1;
	}
	if (strncmp(section, "exporter", 8) == 0 && (section[8] == ' ' || section[8] == '\t')) {
		if (exporter_setting(fc, what, section, key, value) < 0)
			goto bad;
		return 1;
	}
	for (unsigned int i = 0; i < sizeof(cfg_keys) / sizeof(cfg_keys[0]); i++)
		if (strcmp(cfg_keys[i].section, section) == 0 && strcmp(cfg_keys[i].key, key) == 0) {
			if (apply(fc->cfg, cfg_keys[i].opt, what, value, 1) < 0)
				goto bad;
			return 1;
		}
	if (section[0] == '\0') {
		fprintf(stderr, "flowrx: %s: a key before any [section]\n", what);
		goto bad;
	}
	for (unsigned int i = 0; i < sizeof(cfg_keys) / sizeof(cfg_keys[0]); i++)
		if (strcmp(cfg_keys[i].section, section) == 0) {
			fprintf(stderr, "flowrx: %s: unknown key (flowrx --print-config lists every key)\n", what);
			goto bad;
		}
	fprintf(stderr, "flowrx: %s: unknown section (eal, input, lcores, output, exporters, exporter ADDR, "
			"netflow, syslog, telemetry, resources, rules)\n", what);
bad:
	fc->failed = 1;
	return 0;
}

int
frx_config_load(struct frx_config *cfg, const char *path)
{
	struct file_ctx fc = { .cfg = cfg, .path = path };
	int rc;

	fc.f = fopen(path, "r");
	if (fc.f == NULL) {
		fprintf(stderr, "flowrx: --config %s: %s\n", path, strerror(errno));
		return -1;
	}
	/* Debian's inih sets these at run time: long lines (vdev arguments)
	 * on the heap, and no continuation lines: an indented line would
	 * otherwise be glued silently onto the value above. */
	ini_use_stack = false;
	ini_max_line = 1024;
	ini_allow_multiline = false;
	ini_stop_on_first_error = true;
	rc = ini_parse_stream(file_read_line, &fc, file_handler, &fc);
	fclose(fc.f);
	if (fc.failed)
		return -1;
	if (fc.long_line) {
		fprintf(stderr, "flowrx: %s:%d: line longer than %d characters\n", path, fc.long_line,
			ini_max_line - 3);
		return -1;
	}
	if (rc != 0) {
		fprintf(stderr, "flowrx: %s:%d: not a [section] or key = value line\n", path, rc > 0 ? rc : 0);
		return -1;
	}
	cfg->config_path = path;
	if (fc.inline_rules) {
		if (cfg->rules_path != NULL) {
			fprintf(stderr, "flowrx: %s: rules both in [rule NAME] sections and in [rules] file %s: "
					"keep them in one place\n", path, cfg->rules_path);
			return -1;
		}
		cfg->rules_path = keep(path, 1);
	}
	return 0;
}

int
frx_config_eal_args(const struct frx_config *cfg, char **argv, int max)
{
	int n = 0;

	for (unsigned int i = 0; i < cfg->nb_eal; i++) {
		const struct frx_eal_setting *s = &cfg->eal[i];
		const struct eal_key *k = NULL;

		for (unsigned int j = 0; j < sizeof(eal_keys) / sizeof(eal_keys[0]); j++)
			if (strcmp(eal_keys[j].key, s->key) == 0)
				k = &eal_keys[j];
		if (k == NULL)
			continue;
		if (k->option == NULL) { /* args: split at spaces */
			char *copy = strdup(s->value), *save = NULL, *tok;

			if (copy == NULL)
				return -1;
			for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
				if (n == max)
					return -1;
				argv[n++] = tok;
			}
			continue;
		}
		if (k->flag) {
			uint8_t on = 0;

			parse_bool(s->key, s->value, &on);
			if (!on)
				continue;
			if (n == max)
				return -1;
			argv[n++] = (char *)(uintptr_t)k->option;
			continue;
		}
		if (n + 2 > max)
			return -1;
		argv[n++] = (char *)(uintptr_t)k->option;
		argv[n++] = (char *)(uintptr_t)s->value;
	}
	return n;
}

/* ------------------------------------------------------------ command line */

/* -c/--config before everything else, so the flags override the file. */
static const char *
find_config_arg(int argc, char **argv)
{
	const char *path = NULL;

	for (int i = 1; i < argc; i++) {
		if ((strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0) && i + 1 < argc)
			path = argv[++i];
		else if (strncmp(argv[i], "--config=", 9) == 0)
			path = argv[i] + 9;
	}
	return path;
}

int
frx_config_parse(struct frx_config *cfg, int argc, char **argv)
{
	const char *path = find_config_arg(argc, argv);
	int c, cli_allow = 0;

	if (path && frx_config_load(cfg, path) < 0)
		return -1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "c:p:w:h", long_opts, NULL)) != -1) {
		char what[64];
		const char *arg = optarg;

		if (c == 'c')
			continue;
		if (c == 'h') {
			frx_config_usage(argv[0]);
			return 1;
		}
		if (c == OPT_PRINT_CONFIG) {
			cfg->print_config = 1;
			continue;
		}
		if (c == '?' || c == ':') {
			fprintf(stderr, "flowrx: unknown or incomplete option '%s' (see --help)\n", argv[optind - 1]);
			return -1;
		}
		for (unsigned int i = 0; long_opts[i].name; i++)
			if (long_opts[i].val == c)
				snprintf(what, sizeof(what), "--%s", long_opts[i].name);
		if (arg == NULL)
			arg = "yes"; /* a flag */
		if (c == OPT_ALLOW && !cli_allow) {
			/* the command line's list replaces the file's */
			cfg->nb_allow = 0;
			cli_allow = 1;
		}
		if (apply(cfg, c, what, arg, 0) < 0)
			return -1;
	}
	if (optind < argc) {
		fprintf(stderr, "flowrx: unexpected argument '%s' (see --help)\n", argv[optind]);
		return -1;
	}
	if (cfg->pcap_path && cfg->iface) {
		fprintf(stderr, "flowrx: --pcap and --iface ([input] pcap and iface): choose one input\n");
		return -1;
	}
	if (cfg->repeat > 1 && cfg->pcap_path == NULL) {
		fprintf(stderr, "flowrx: --repeat ([input] repeat) needs --pcap\n");
		return -1;
	}
	if ((cfg->pcap_path || cfg->iface) && !cfg->idle_sleep_set)
		cfg->idle_sleep_us = 100;
	return 0;
}

/* ------------------------------------------------------------ --print-config */

static void
print_path(FILE *out, const char *key, const char *value)
{
	fprintf(out, "%s =%s%s\n", key, value ? " " : "", value ? value : "");
}

void
frx_config_print(const struct frx_config *cfg, FILE *out)
{
	char addr[FRX_ADDR_STRLEN];

	fprintf(out, "; flowrx %s effective configuration%s%s\n", FRX_VERSION,
		cfg->config_path ? " from " : "", cfg->config_path ? cfg->config_path : "");
	fprintf(out, "; load it with: flowrx --config FILE (docs/configuration.md)\n");

	fprintf(out, "\n[eal]\n");
	if (cfg->nb_eal == 0 && cfg->cli_eal_argc == 0)
		fprintf(out, "; none: the EAL's defaults, or those of --pcap/--iface\n");
	for (unsigned int i = 0; i < cfg->nb_eal; i++)
		fprintf(out, "%s = %s\n", cfg->eal[i].key, cfg->eal[i].value);
	if (cfg->cli_eal_argc > 0) {
		fprintf(out, "; from the command line, before \"--\"\nargs =");
		for (int i = 0; i < cfg->cli_eal_argc; i++)
			fprintf(out, " %s", cfg->cli_eal_argv[i]);
		fprintf(out, "\n");
	}

	fprintf(out, "\n[input]\n");
	print_path(out, "pcap", cfg->pcap_path);
	fprintf(out, "repeat = %u\n", cfg->repeat);
	print_path(out, "iface", cfg->iface);
	fprintf(out, "ports = ");
	if (cfg->pkt.nb_listen_ports == 0)
		fprintf(out, "any");
	for (unsigned int i = 0; i < cfg->pkt.nb_listen_ports; i++)
		fprintf(out, "%s%u", i ? "," : "", cfg->pkt.listen_ports[i]);
	fprintf(out, "\nverify_udp_checksum = %s\n", cfg->pkt.verify_udp_checksum ? "yes" : "no");
	fprintf(out, "rss = %s\n", cfg->rss == FRX_RSS_IP_UDP ? "ip-udp" : "ip");

	fprintf(out, "\n[lcores]\n");
	fprintf(out, "rx = ");
	if (cfg->nb_rx_lcores == 0)
		fprintf(out, "auto");
	for (unsigned int i = 0; i < cfg->nb_rx_lcores; i++)
		fprintf(out, "%s%u", i ? "," : "", cfg->rx_lcores[i]);
	fprintf(out, "\nworkers = ");
	if (cfg->nb_worker_lcores == 0)
		fprintf(out, "auto");
	for (unsigned int i = 0; i < cfg->nb_worker_lcores; i++)
		fprintf(out, "%s%u", i ? "," : "", cfg->worker_lcores[i]);
	if (cfg->stats_lcore < 0)
		fprintf(out, "\nstats = auto\n");
	else
		fprintf(out, "\nstats = %d\n", cfg->stats_lcore);
	fprintf(out, "idle_sleep_us = %u\n", cfg->idle_sleep_us);

	fprintf(out, "\n[output]\n");
	fprintf(out, "dir = %s\n", cfg->out_dir);
	fprintf(out, "rotate = %u\n", cfg->rotate_seconds);
	fprintf(out, "flush_ms = %u\n", cfg->flush_ms);
	fprintf(out, "fsync_blocks = %u\n", cfg->fsync_every_blocks);
	fprintf(out, "full_records = %s\n", cfg->full_records ? "yes" : "no");
	fprintf(out, "collector_id = %u\n", cfg->collector_id);
	fprintf(out, "compression = %s\n", cfg->compression);

	fprintf(out, "\n[exporters]\n");
	if (cfg->nb_allow == 0)
		fprintf(out, "; allow: none listed, every source is accepted\n");
	for (unsigned int i = 0; i < cfg->nb_allow; i++)
		fprintf(out, "allow = %s/%u\n", frx_addr_format(cfg->allow[i].addr, addr, sizeof(addr)),
			cfg->allow[i].depth);
	if (cfg->exptab.rate_pps == 0)
		fprintf(out, "rate_limit = off\n");
	else
		fprintf(out, "rate_limit = %u/%u\n", cfg->exptab.rate_pps, cfg->exptab.rate_burst);
	fprintf(out, "reorder_window = %u\n", cfg->exptab.seq.reorder_window);
	fprintf(out, "seq_max_jump = %u\n", cfg->exptab.seq.max_jump);
	fprintf(out, "reject_out_of_sequence = %u\n", cfg->exptab.seq.reject_distance);
	fprintf(out, "learn_engines = %u\n", cfg->exptab.learn_engines_s);
	fprintf(out, "reject_new_engines = %s\n", cfg->exptab.reject_new_engines ? "yes" : "no");
	fprintf(out, "stats_blocks = %u\n", cfg->stats_block_interval_s);

	fprintf(out, "\n[netflow]\n");
	fprintf(out, "template_timeout = %u\n", cfg->decoder.tmpl.template_timeout_s);
	fprintf(out, "backlog_timeout = %u\n", cfg->decoder.tmpl.backlog_timeout_s);
	fprintf(out, "max_sessions = %u\n", cfg->decoder.tmpl.max_sessions);
	fprintf(out, "max_templates = %u\n", cfg->decoder.tmpl.max_templates);
	fprintf(out, "; state_dir empty: the output dir\n");
	print_path(out, "state_dir", cfg->state_dir);

	fprintf(out, "\n[syslog]\n");
	fprintf(out, "facility = %s\n", facility_name(cfg->syslog_facility));
	fprintf(out, "log_stderr = %s\n", cfg->log_stderr ? "yes" : "no");

	fprintf(out, "\n[telemetry]\n");
	fprintf(out, "stats_interval = %u\n", cfg->stats_interval_s);
	print_path(out, "prometheus_file", cfg->prometheus_file);
	fprintf(out, "prometheus_interval = %u\n", cfg->prometheus_interval_s);

	fprintf(out, "\n[resources]\n");
	fprintf(out, "blocks = %u\n", cfg->nb_blocks);
	fprintf(out, "ring_size = %u\n", cfg->ring_size);
	fprintf(out, "rxd = %u\n", cfg->nb_rxd);
	if (cfg->nb_mbufs)
		fprintf(out, "mbufs = %u\n", cfg->nb_mbufs);
	else
		fprintf(out, "mbufs = auto\n");

	fprintf(out, "\n[rules]\n");
	print_path(out, "file", cfg->rules_path);

	/* per-exporter sections: overrides and engine pins of one address together */
	for (unsigned int i = 0; i < cfg->decoder.nb_overrides; i++) {
		const struct frx_exporter_override *o = &cfg->decoder.overrides[i];

		fprintf(out, "\n[exporter %s]\n", frx_addr_format(o->addr, addr, sizeof(addr)));
		if (o->sampling_interval)
			fprintf(out, "sampling = %u\n", o->sampling_interval);
		else
			fprintf(out, "sampling = none\n");
		fprintf(out, "uptime = %s\n", o->uptime_in_seconds ? "seconds" : "ms");
		for (unsigned int p = 0; p < cfg->nb_pins; p++)
			if (memcmp(cfg->pins[p].addr, o->addr, 16) == 0)
				fprintf(out, "engines = %s\n", cfg->pin_text[p]);
	}
	for (unsigned int p = 0; p < cfg->nb_pins; p++) {
		int shown = 0;

		for (unsigned int i = 0; i < cfg->decoder.nb_overrides; i++)
			if (memcmp(cfg->pins[p].addr, cfg->decoder.overrides[i].addr, 16) == 0)
				shown = 1;
		if (!shown)
			fprintf(out, "\n[exporter %s]\nengines = %s\n",
				frx_addr_format(cfg->pins[p].addr, addr, sizeof(addr)), cfg->pin_text[p]);
	}
}
