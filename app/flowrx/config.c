/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Command-line settings of flowrx. All defaults live in frx_config_defaults();
 * every option is checked here, before DPDK starts, and a bad one is named.
 */
#include "config.h"

#include "flowrec.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	       "Input (default: every DPDK port the EAL probed):\n"
	       "  --pcap FILE            decode a capture of exports and exit when done\n"
	       "  --repeat N             with --pcap: replay it N times through the whole data path and\n"
	       "                         print packets/s and records/s (benchmarks; records stored N times)\n"
	       "  --iface NAME           collect live from a kernel interface (net_pcap, incoming only), e.g. lo\n"
	       "  -p, --port N[,N...]    UDP listen ports (default 2055,9995,9996,4739; 0 = any)\n"
	       "  --verify-udp-checksum  check UDP checksums in software (off: trust NIC offload flags)\n"
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
	       "  --stats-interval S     print a counter line every S seconds (default 0: off)\n"
	       "  --print-config         print the effective settings and exit\n"
	       "  -h, --help             this text\n"
	       "\n"
	       "Stop with SIGINT or SIGTERM: rings and blocks are drained and files closed.\n"
	       "Read the files with flowrx-read -R DIR.\n",
	       prog, 1400u);
}

static int
parse_u64(const char *opt, const char *arg, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 0);
	if (errno || end == arg || *end != '\0' || arg[0] == '-' || v < min || v > max) {
		fprintf(stderr, "flowrx: %s: '%s' is not a number in [%llu, %llu]\n", opt, arg,
			(unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

static int
parse_u32(const char *opt, const char *arg, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (parse_u64(opt, arg, min, max, &v) < 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* "1,3-5" -> list of numbers. */
static int
parse_list(const char *opt, const char *arg, unsigned int *out, unsigned int max_n,
	   unsigned int max_value, unsigned int *n_out)
{
	char buf[256], *save = NULL, *tok;
	unsigned int n = 0;

	if (strlen(arg) >= sizeof(buf)) {
		fprintf(stderr, "flowrx: %s: list too long\n", opt);
		return -1;
	}
	strcpy(buf, arg);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(tok, '-');
		uint64_t lo, hi;

		if (dash) {
			*dash = '\0';
			if (parse_u64(opt, tok, 0, max_value, &lo) < 0 ||
			    parse_u64(opt, dash + 1, lo, max_value, &hi) < 0)
				return -1;
		} else {
			if (parse_u64(opt, tok, 0, max_value, &lo) < 0)
				return -1;
			hi = lo;
		}
		for (uint64_t v = lo; v <= hi; v++) {
			if (n == max_n) {
				fprintf(stderr, "flowrx: %s: more than %u entries\n", opt, max_n);
				return -1;
			}
			out[n++] = (unsigned int)v;
		}
	}
	if (n == 0) {
		fprintf(stderr, "flowrx: %s: empty list\n", opt);
		return -1;
	}
	*n_out = n;
	return 0;
}

/* "ADDR[,sampling=N][,uptime=seconds|ms]" */
static int
parse_exporter(struct frx_config *cfg, const char *arg)
{
	struct frx_decoder_conf *d = &cfg->decoder;
	struct frx_exporter_override *o;
	char buf[256], *save = NULL, *tok;

	if (d->nb_overrides == FRX_MAX_OVERRIDES) {
		fprintf(stderr, "flowrx: --exporter: more than %d exporters\n", FRX_MAX_OVERRIDES);
		return -1;
	}
	if (strlen(arg) >= sizeof(buf)) {
		fprintf(stderr, "flowrx: --exporter: too long\n");
		return -1;
	}
	strcpy(buf, arg);
	o = &d->overrides[d->nb_overrides];
	memset(o, 0, sizeof(*o));
	tok = strtok_r(buf, ",", &save);
	if (tok == NULL || frx_addr_parse(tok, o->addr) < 0) {
		fprintf(stderr, "flowrx: --exporter %s: '%s' is not an IPv4 or IPv6 address\n", arg,
			tok ? tok : "");
		return -1;
	}
	while ((tok = strtok_r(NULL, ",", &save)) != NULL) {
		if (strncmp(tok, "sampling=", 9) == 0) {
			if (parse_u32("--exporter sampling", tok + 9, 1, UINT32_MAX, &o->sampling_interval) < 0)
				return -1;
		} else if (strcmp(tok, "uptime=seconds") == 0) {
			o->uptime_in_seconds = 1;
		} else if (strcmp(tok, "uptime=ms") == 0) {
			o->uptime_in_seconds = 0;
		} else {
			fprintf(stderr, "flowrx: --exporter %s: unknown setting '%s' (sampling=N, uptime=seconds)\n",
				arg, tok);
			return -1;
		}
	}
	d->nb_overrides++;
	return 0;
}

/* "ADDR=1/2,1/3" or "ADDR=domain:5,domain:6" */
static int
parse_engine(struct frx_config *cfg, const char *arg)
{
	struct frx_engine_pin *p;
	char buf[512], *eq, *save = NULL, *tok;

	if (cfg->nb_pins == FRX_MAX_PINNED || strlen(arg) >= sizeof(buf)) {
		fprintf(stderr, "flowrx: --engine: too many or too long\n");
		return -1;
	}
	strcpy(buf, arg);
	eq = strchr(buf, '=');
	p = &cfg->pins[cfg->nb_pins];
	memset(p, 0, sizeof(*p));
	if (eq == NULL || (*eq = '\0', frx_addr_parse(buf, p->addr) < 0)) {
		fprintf(stderr, "flowrx: --engine %s: expected ADDR=TYPE/ID[,...] or ADDR=domain:N[,...]\n", arg);
		return -1;
	}
	for (tok = strtok_r(eq + 1, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned int a, b;
		char extra;

		if (p->nb_engines == FRX_MAX_KNOWN_ENGINES) {
			fprintf(stderr, "flowrx: --engine %s: more than %d engines\n", arg, FRX_MAX_KNOWN_ENGINES);
			return -1;
		}
		if (sscanf(tok, "domain:%u%c", &a, &extra) == 1) {
			p->engines[p->nb_engines++] = a;
		} else if (sscanf(tok, "%u/%u%c", &a, &b, &extra) == 2 && a < 256 && b < 256) {
			p->engines[p->nb_engines++] = a << 8 | b;
		} else {
			fprintf(stderr, "flowrx: --engine %s: '%s' is neither TYPE/ID nor domain:N\n", arg, tok);
			return -1;
		}
	}
	if (p->nb_engines == 0) {
		fprintf(stderr, "flowrx: --engine %s: no engine listed\n", arg);
		return -1;
	}
	cfg->nb_pins++;
	cfg->exptab.pins = cfg->pins;
	cfg->exptab.nb_pins = cfg->nb_pins;
	return 0;
}

static int
parse_facility(const char *name, int *facility)
{
	static const struct {
		const char *name;
		int value;
	} names[] = {
		{ "daemon", LOG_DAEMON }, { "user", LOG_USER }, { "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
		{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 },
		{ "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
	};

	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i].name) == 0) {
			*facility = names[i].value;
			return 0;
		}
	fprintf(stderr, "flowrx: --syslog-facility %s: use daemon, user or local0..local7\n", name);
	return -1;
}

enum {
	OPT_PCAP = 256, OPT_IFACE, OPT_VERIFY_UDP, OPT_ROTATE, OPT_FLUSH_MS, OPT_FSYNC,
	OPT_COLLECTOR_ID, OPT_RX_LCORES, OPT_WORKER_LCORES, OPT_STATS_LCORE, OPT_BLOCKS,
	OPT_RING_SIZE, OPT_RXD, OPT_MBUFS, OPT_IDLE_SLEEP, OPT_STATS_INTERVAL, OPT_PRINT_CONFIG,
	OPT_TEMPLATE_TIMEOUT, OPT_BACKLOG_TIMEOUT, OPT_MAX_SESSIONS, OPT_MAX_TEMPLATES, OPT_STATE_DIR,
	OPT_EXPORTER, OPT_ALLOW, OPT_RATE_LIMIT, OPT_REORDER_WINDOW, OPT_SEQ_MAX_JUMP, OPT_REJECT_SEQ,
	OPT_ENGINE, OPT_LEARN_ENGINES, OPT_REJECT_NEW_ENGINES, OPT_SYSLOG_FACILITY, OPT_LOG_STDERR,
	OPT_STATS_BLOCKS, OPT_REPEAT, OPT_RULES,
};

static const struct option long_opts[] = {
	{ "pcap", required_argument, NULL, OPT_PCAP },
	{ "iface", required_argument, NULL, OPT_IFACE },
	{ "port", required_argument, NULL, 'p' },
	{ "verify-udp-checksum", no_argument, NULL, OPT_VERIFY_UDP },
	{ "dir", required_argument, NULL, 'w' },
	{ "rotate", required_argument, NULL, OPT_ROTATE },
	{ "flush-ms", required_argument, NULL, OPT_FLUSH_MS },
	{ "fsync-blocks", required_argument, NULL, OPT_FSYNC },
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
	{ "repeat", required_argument, NULL, OPT_REPEAT },
	{ "rules", required_argument, NULL, OPT_RULES },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
frx_config_parse(struct frx_config *cfg, int argc, char **argv)
{
	unsigned int list[FRX_PKT_MAX_PORTS], n;
	uint32_t v;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "p:w:h", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_PCAP:
			cfg->pcap_path = optarg;
			break;
		case OPT_IFACE:
			cfg->iface = optarg;
			break;
		case 'p':
			if (parse_list("--port", optarg, list, FRX_PKT_MAX_PORTS, 65535, &n) < 0)
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
			cfg->pkt.verify_udp_checksum = 1;
			break;
		case 'w':
			cfg->out_dir = optarg;
			break;
		case OPT_ROTATE:
			if (parse_u32("--rotate", optarg, 0, 86400, &cfg->rotate_seconds) < 0)
				return -1;
			break;
		case OPT_FLUSH_MS:
			if (parse_u32("--flush-ms", optarg, 1, 3600000, &cfg->flush_ms) < 0)
				return -1;
			break;
		case OPT_FSYNC:
			if (parse_u32("--fsync-blocks", optarg, 0, UINT32_MAX, &cfg->fsync_every_blocks) < 0)
				return -1;
			break;
		case OPT_COLLECTOR_ID:
			if (parse_u32("--collector-id", optarg, 0, UINT32_MAX, &cfg->collector_id) < 0)
				return -1;
			break;
		case OPT_RX_LCORES:
			if (parse_list("--rx-lcores", optarg, cfg->rx_lcores, FRX_MAX_RX,
				       FRX_MAX_LCORES - 1, &cfg->nb_rx_lcores) < 0)
				return -1;
			break;
		case OPT_WORKER_LCORES:
			if (parse_list("--worker-lcores", optarg, cfg->worker_lcores, FRX_MAX_WORKERS,
				       FRX_MAX_LCORES - 1, &cfg->nb_worker_lcores) < 0)
				return -1;
			break;
		case OPT_STATS_LCORE:
			if (parse_u32("--stats-lcore", optarg, 0, FRX_MAX_LCORES - 1, &v) < 0)
				return -1;
			cfg->stats_lcore = (int)v;
			break;
		case OPT_BLOCKS:
			if (parse_u32("--blocks", optarg, 4, 1u << 20, &cfg->nb_blocks) < 0)
				return -1;
			break;
		case OPT_RING_SIZE:
			if (parse_u32("--ring-size", optarg, 64, 1u << 20, &cfg->ring_size) < 0)
				return -1;
			break;
		case OPT_RXD:
			if (parse_u32("--rxd", optarg, 32, 32768, &v) < 0)
				return -1;
			cfg->nb_rxd = (uint16_t)v;
			break;
		case OPT_MBUFS:
			if (parse_u32("--mbufs", optarg, 1024, 1u << 26, &cfg->nb_mbufs) < 0)
				return -1;
			break;
		case OPT_IDLE_SLEEP:
			if (parse_u32("--idle-sleep-us", optarg, 0, 1000000, &cfg->idle_sleep_us) < 0)
				return -1;
			cfg->idle_sleep_set = 1;
			break;
		case OPT_STATS_INTERVAL:
			if (parse_u32("--stats-interval", optarg, 0, 86400, &cfg->stats_interval_s) < 0)
				return -1;
			break;
		case OPT_PRINT_CONFIG:
			cfg->print_config = 1;
			break;
		case OPT_TEMPLATE_TIMEOUT:
			if (parse_u32("--template-timeout", optarg, 0, 7 * 86400,
				      &cfg->decoder.tmpl.template_timeout_s) < 0)
				return -1;
			break;
		case OPT_BACKLOG_TIMEOUT:
			if (parse_u32("--backlog-timeout", optarg, 1, 3600, &cfg->decoder.tmpl.backlog_timeout_s) < 0)
				return -1;
			break;
		case OPT_MAX_SESSIONS:
			if (parse_u32("--max-sessions", optarg, 1, 1u << 20, &cfg->decoder.tmpl.max_sessions) < 0)
				return -1;
			break;
		case OPT_MAX_TEMPLATES:
			if (parse_u32("--max-templates", optarg, 1, 1u << 20, &cfg->decoder.tmpl.max_templates) < 0)
				return -1;
			break;
		case OPT_STATE_DIR:
			cfg->state_dir = optarg;
			break;
		case OPT_EXPORTER:
			if (parse_exporter(cfg, optarg) < 0)
				return -1;
			break;
		case OPT_ALLOW: {
			static struct frx_acl_prefix allow[FRX_ACL_MAX_PREFIXES];

			if (cfg->nb_allow == FRX_ACL_MAX_PREFIXES) {
				fprintf(stderr, "flowrx: --allow: more than %d prefixes\n", FRX_ACL_MAX_PREFIXES);
				return -1;
			}
			if (frx_acl_parse_prefix(optarg, &allow[cfg->nb_allow]) < 0) {
				fprintf(stderr, "flowrx: --allow %s: not an IPv4/IPv6 prefix (e.g. 192.0.2.0/24)\n", optarg);
				return -1;
			}
			cfg->allow = allow;
			cfg->nb_allow++;
			break;
		}
		case OPT_RATE_LIMIT: {
			char buf[64], *slash;

			snprintf(buf, sizeof(buf), "%s", optarg);
			slash = strchr(buf, '/');
			if (slash)
				*slash = '\0';
			if (parse_u32("--rate-limit", buf, 1, 100000000, &cfg->exptab.rate_pps) < 0)
				return -1;
			cfg->exptab.rate_burst = cfg->exptab.rate_pps / 10 > 10 ? cfg->exptab.rate_pps / 10 : 10;
			if (slash && parse_u32("--rate-limit burst", slash + 1, 1, 100000000, &cfg->exptab.rate_burst) < 0)
				return -1;
			break;
		}
		case OPT_REORDER_WINDOW:
			if (parse_u32("--reorder-window", optarg, 0, 1u << 30, &cfg->exptab.seq.reorder_window) < 0)
				return -1;
			break;
		case OPT_SEQ_MAX_JUMP:
			if (parse_u32("--seq-max-jump", optarg, 1, 1u << 31, &cfg->exptab.seq.max_jump) < 0)
				return -1;
			break;
		case OPT_REJECT_SEQ:
			if (parse_u32("--reject-out-of-sequence", optarg, 1, 1u << 31, &cfg->exptab.seq.reject_distance) < 0)
				return -1;
			break;
		case OPT_ENGINE:
			if (parse_engine(cfg, optarg) < 0)
				return -1;
			break;
		case OPT_LEARN_ENGINES:
			if (parse_u32("--learn-engines", optarg, 1, 30 * 86400, &cfg->exptab.learn_engines_s) < 0)
				return -1;
			break;
		case OPT_REJECT_NEW_ENGINES:
			cfg->exptab.reject_new_engines = 1;
			break;
		case OPT_SYSLOG_FACILITY:
			if (parse_facility(optarg, &cfg->syslog_facility) < 0)
				return -1;
			break;
		case OPT_LOG_STDERR:
			cfg->log_stderr = 1;
			break;
		case OPT_REPEAT:
			if (parse_u32("--repeat", optarg, 1, 1000000000, &cfg->repeat) < 0)
				return -1;
			break;
		case OPT_RULES:
			cfg->rules_path = optarg;
			break;
		case OPT_STATS_BLOCKS:
			if (parse_u32("--stats-blocks", optarg, 0, 86400, &cfg->stats_block_interval_s) < 0)
				return -1;
			break;
		case 'h':
			frx_config_usage(argv[0]);
			return 1;
		default:
			fprintf(stderr, "flowrx: unknown or incomplete option '%s' (see --help)\n",
				argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "flowrx: unexpected argument '%s' (see --help)\n", argv[optind]);
		return -1;
	}
	if (cfg->pcap_path && cfg->iface) {
		fprintf(stderr, "flowrx: --pcap and --iface: choose one input\n");
		return -1;
	}
	if (cfg->repeat > 1 && cfg->pcap_path == NULL) {
		fprintf(stderr, "flowrx: --repeat needs --pcap\n");
		return -1;
	}
	if ((cfg->pcap_path || cfg->iface) && !cfg->idle_sleep_set)
		cfg->idle_sleep_us = 100;
	return 0;
}

void
frx_config_print(const struct frx_config *cfg)
{
	printf("pcap = %s\n", cfg->pcap_path ? cfg->pcap_path : "");
	printf("iface = %s\n", cfg->iface ? cfg->iface : "");
	printf("ports = ");
	if (cfg->pkt.nb_listen_ports == 0)
		printf("any");
	for (unsigned int i = 0; i < cfg->pkt.nb_listen_ports; i++)
		printf("%s%u", i ? "," : "", cfg->pkt.listen_ports[i]);
	printf("\nverify_udp_checksum = %u\n", cfg->pkt.verify_udp_checksum);
	printf("dir = %s\n", cfg->out_dir);
	printf("rotate = %u\n", cfg->rotate_seconds);
	printf("flush_ms = %u\n", cfg->flush_ms);
	printf("fsync_blocks = %u\n", cfg->fsync_every_blocks);
	printf("collector_id = %u\n", cfg->collector_id);
	printf("blocks = %u\n", cfg->nb_blocks);
	printf("ring_size = %u\n", cfg->ring_size);
	printf("rxd = %u\n", cfg->nb_rxd);
	printf("mbufs = %u\n", cfg->nb_mbufs);
	printf("idle_sleep_us = %u\n", cfg->idle_sleep_us);
	printf("stats_interval = %u\n", cfg->stats_interval_s);
	printf("allow = ");
	if (cfg->nb_allow == 0)
		printf("any");
	for (unsigned int i = 0; i < cfg->nb_allow; i++) {
		char addr[FRX_ADDR_STRLEN];

		printf("%s%s/%u", i ? "," : "", frx_addr_format(cfg->allow[i].addr, addr, sizeof(addr)),
		       cfg->allow[i].depth);
	}
	printf("\nrate_limit = %u/%u\n", cfg->exptab.rate_pps, cfg->exptab.rate_burst);
	printf("reorder_window = %u\n", cfg->exptab.seq.reorder_window);
	printf("seq_max_jump = %u\n", cfg->exptab.seq.max_jump);
	printf("reject_out_of_sequence = %u\n", cfg->exptab.seq.reject_distance);
	printf("learn_engines = %u\n", cfg->exptab.learn_engines_s);
	printf("reject_new_engines = %u\n", cfg->exptab.reject_new_engines);
	printf("pinned_exporters = %u\n", cfg->nb_pins);
	printf("stats_blocks = %u\n", cfg->stats_block_interval_s);
	printf("rules = %s\n", cfg->rules_path ? cfg->rules_path : "none");
	printf("template_timeout = %u\n", cfg->decoder.tmpl.template_timeout_s);
	printf("backlog_timeout = %u\n", cfg->decoder.tmpl.backlog_timeout_s);
	printf("max_sessions = %u\n", cfg->decoder.tmpl.max_sessions);
	printf("max_templates = %u\n", cfg->decoder.tmpl.max_templates);
	printf("state_dir = %s\n", cfg->state_dir ? cfg->state_dir : cfg->out_dir);
	for (unsigned int i = 0; i < cfg->decoder.nb_overrides; i++) {
		const struct frx_exporter_override *o = &cfg->decoder.overrides[i];
		char addr[FRX_ADDR_STRLEN];

		printf("exporter = %s,sampling=%u,uptime=%s\n", frx_addr_format(o->addr, addr, sizeof(addr)),
		       o->sampling_interval, o->uptime_in_seconds ? "seconds" : "ms");
	}
}
