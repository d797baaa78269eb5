/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flowrx: EAL start-up, configuration checks, lcore role plan, launch and
 * orderly shutdown. Everything is validated before any lcore is launched;
 * the signal handler only sets frx_force_quit, and the roles drain in order
 * (RX stops, workers empty their rings and blocks, the writer closes files).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memory.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "config.h"
#include "ctx.h"
#include "ffile.h"
#include "ipfix.h"
#include "pkt.h"
#include "prom.h"
#include "rules_ctl.h"
#include "telemetry.h"
#include "tmpl.h"

#define MBUF_CACHE 256
#define IDLE_LOOPS_BEFORE_SLEEP 16
#define MAX_EAL_ARGS 256

volatile int frx_force_quit;

/* Which roles each lcore runs. */
struct lcore_plan {
	struct frx_rx_ctx *rx;
	struct frx_worker_ctx *worker;
	struct frx_stats_ctx *stats;
};

struct app {
	struct frx_config cfg;
	struct lcore_plan plan[RTE_MAX_LCORE];
	struct frx_rx_ctx *rx[FRX_MAX_RX];
	unsigned int nb_rx;
	struct frx_worker_ctx *workers[FRX_MAX_WORKERS];
	unsigned int nb_workers;
	struct frx_stats_ctx *stats;
	struct rte_mempool *mbuf_pool;
	struct rte_mempool *block_pool;
	struct frx_acl *acl;
	uint16_t ports[RTE_MAX_ETHPORTS];
	unsigned int nb_ports;
};

static void
on_signal(int sig)
{
	(void)sig;
	frx_force_quit = 1;
}

static int
lcore_main(void *arg)
{
	struct app *app = arg;
	const struct lcore_plan *p = &app->plan[rte_lcore_id()];
	const uint32_t idle_sleep_us = app->cfg.idle_sleep_us;
	unsigned int idle = 0;

	for (;;) {
		int busy = 0, live = 0;

		if (p->rx && !p->rx->done) {
			busy += frx_rx_poll(p->rx);
			live = 1;
		}
		if (p->worker && !p->worker->done) {
			busy += frx_worker_poll(p->worker);
			live = 1;
		}
		if (p->stats && !p->stats->done) {
			busy += frx_stats_poll(p->stats);
			live = 1;
		}
		if (!live)
			break;
		if (busy) {
			idle = 0;
		} else if (idle_sleep_us && ++idle > IDLE_LOOPS_BEFORE_SLEEP) {
			rte_delay_us_sleep(idle_sleep_us);
		}
	}
	return 0;
}

/* ------------------------------------------------------------ start-up */

static int
count_pcap_frames(struct frx_config *cfg)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;
	int rc;

	p = pcap_open_offline(cfg->pcap_path, errbuf);
	if (p == NULL) {
		fprintf(stderr, "flowrx: --pcap %s: %s\n", cfg->pcap_path, errbuf);
		return -1;
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		fprintf(stderr, "flowrx: --pcap %s: link type %s, need Ethernet (EN10MB)\n",
			cfg->pcap_path, pcap_datalink_val_to_name(pcap_datalink(p)));
		pcap_close(p);
		return -1;
	}
	cfg->pcap_frames = 0;
	while ((rc = pcap_next_ex(p, &h, &data)) == 1)
		cfg->pcap_frames++;
	pcap_close(p);
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "flowrx: --pcap %s: damaged capture\n", cfg->pcap_path);
		return -1;
	}
	return 0;
}

/* EAL argv: the user's EAL arguments, plus what --pcap/--iface need. */
static int
build_eal_args(const struct frx_config *cfg, int user_argc, char **user_argv, char **eal_argv,
	       char *vdev_buf, size_t vdev_size)
{
	int n = 0, k;

	/* program name, the config file's [eal] settings, then the command
	 * line's EAL arguments (which win where the EAL keeps the last) */
	eal_argv[n++] = user_argv[0];
	k = frx_config_eal_args(cfg, eal_argv + n, MAX_EAL_ARGS / 2);
	if (k < 0)
		return -1;
	n += k;
	for (int i = 1; i < user_argc && n < MAX_EAL_ARGS - 16; i++)
		eal_argv[n++] = user_argv[i];
	if (!cfg->eal_args_given && (cfg->pcap_path || cfg->iface)) {
		/* --in-memory would be ideal but DPDK 22.11 refuses it with
		 * --no-huge; a private prefix keeps concurrent runs apart. */
		static char *defaults[] = { "-l", "0", "--no-huge", "-m", "512", "--no-pci",
					    "--no-shconf", "--log-level", "lib.eal:warning",
					    "--log-level", "lib.telemetry:warning" };
		static char prefix[32];

		for (unsigned int i = 0; i < RTE_DIM(defaults); i++)
			eal_argv[n++] = defaults[i];
		snprintf(prefix, sizeof(prefix), "flowrx-%d", (int)getpid());
		eal_argv[n++] = "--file-prefix";
		eal_argv[n++] = prefix;
	}
	if (cfg->pcap_path) {
		/* --repeat: the PMD keeps the capture in memory and loops over it */
		if ((size_t)snprintf(vdev_buf, vdev_size, "net_pcap_flowrx0,rx_pcap=%s%s", cfg->pcap_path,
				     cfg->repeat > 1 ? ",infinite_rx=1" : "") >= vdev_size)
			return -1;
	} else if (cfg->iface) {
		/* net_pcap rather than net_af_packet: on lo a packet socket sees
		 * every datagram twice (outgoing and incoming); libpcap's
		 * incoming-only direction gives each one exactly once. */
		if ((size_t)snprintf(vdev_buf, vdev_size, "net_pcap_flowrx0,rx_iface_in=%s,tx_pcap=/dev/null",
				     cfg->iface) >= vdev_size)
			return -1;
	}
	if (cfg->pcap_path || cfg->iface) {
		eal_argv[n++] = "--vdev";
		eal_argv[n++] = vdev_buf;
	}
	eal_argv[n] = NULL;
	return n;
}

/* The private EAL runtime directory of a --pcap/--iface run (telemetry
 * socket, config) is ours alone: remove it so runs leave nothing behind. */
static void
remove_dir_files(const char *dir)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	char path[PATH_MAX];

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < sizeof(path))
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/*
 * With --iface the kernel sees the exports too, and with no socket on the
 * port it answers each with ICMP port unreachable, which exporters using a
 * connected socket (softflowd) report as send errors. Bind a socket that is
 * never read on every listen port: the kernel then discards quietly.
 */
static void
bind_sink_sockets(const struct frx_config *cfg)
{
	for (unsigned int i = 0; i < cfg->pkt.nb_listen_ports; i++) {
		int families[2] = { AF_INET6, AF_INET }, bound = 0;

		for (int f = 0; f < 2 && !bound; f++) {
			struct sockaddr_storage ss;
			socklen_t len;
			int fd = socket(families[f], SOCK_DGRAM | SOCK_CLOEXEC, 0), zero = 0, small = 1;

			if (fd < 0)
				continue;
			memset(&ss, 0, sizeof(ss));
			if (families[f] == AF_INET6) {
				struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

				a->sin6_family = AF_INET6;
				a->sin6_port = htons(cfg->pkt.listen_ports[i]);
				setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
				len = sizeof(*a);
			} else {
				struct sockaddr_in *a = (struct sockaddr_in *)&ss;

				a->sin_family = AF_INET;
				a->sin_port = htons(cfg->pkt.listen_ports[i]);
				len = sizeof(*a);
			}
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
			if (bind(fd, (struct sockaddr *)&ss, len) == 0)
				bound = 1; /* kept open until exit */
			else
				close(fd);
		}
		if (!bound)
			printf("flowrx: note: UDP port %u is in use by another program; exporters may get "
			       "ICMP port unreachable from it or not\n", cfg->pkt.listen_ports[i]);
	}
}

static int
lcore_enabled(unsigned int lcore)
{
	return lcore < RTE_MAX_LCORE && rte_lcore_is_enabled(lcore);
}

/* Fill app->plan from the flags, or choose from the EAL lcore list. */
static int
plan_roles(struct app *app, unsigned int *rx_lc, unsigned int *wk_lc, unsigned int *stats_lc)
{
	struct frx_config *cfg = &app->cfg;
	unsigned int order[RTE_MAX_LCORE], n = 0, lc;

	order[n++] = rte_get_main_lcore();
	RTE_LCORE_FOREACH_WORKER(lc)
		order[n++] = lc;

	if (cfg->nb_rx_lcores || cfg->nb_worker_lcores || cfg->stats_lcore >= 0) {
		app->nb_rx = cfg->nb_rx_lcores ? cfg->nb_rx_lcores : 1;
		app->nb_workers = cfg->nb_worker_lcores ? cfg->nb_worker_lcores : 1;
		for (unsigned int i = 0; i < app->nb_rx; i++)
			rx_lc[i] = cfg->nb_rx_lcores ? cfg->rx_lcores[i] : order[0];
		for (unsigned int i = 0; i < app->nb_workers; i++)
			wk_lc[i] = cfg->nb_worker_lcores ? cfg->worker_lcores[i] : order[0];
		*stats_lc = cfg->stats_lcore >= 0 ? (unsigned int)cfg->stats_lcore : order[0];
	} else if (n == 1) {
		app->nb_rx = app->nb_workers = 1;
		rx_lc[0] = wk_lc[0] = *stats_lc = order[0];
	} else if (n == 2) {
		/* The writer on one lcore, RX and the worker on the other: the
		 * worker packs the blocks, so writing is all that is left to the
		 * writer and it needs its own CPU (docs/performance.md, lcore plans). */
		app->nb_rx = app->nb_workers = 1;
		*stats_lc = order[0];
		rx_lc[0] = wk_lc[0] = order[1];
	} else {
		/* main: stats; then RX lcores (one per 8 lcores), the rest decode */
		app->nb_rx = 1 + (n - 2) / 8;
		if (app->nb_rx > FRX_MAX_RX)
			app->nb_rx = FRX_MAX_RX;
		app->nb_workers = n - 1 - app->nb_rx;
		if (app->nb_workers > FRX_MAX_WORKERS)
			app->nb_workers = FRX_MAX_WORKERS;
		*stats_lc = order[0];
		for (unsigned int i = 0; i < app->nb_rx; i++)
			rx_lc[i] = order[1 + i];
		for (unsigned int i = 0; i < app->nb_workers; i++)
			wk_lc[i] = order[1 + app->nb_rx + i];
	}

	for (unsigned int i = 0; i < app->nb_rx; i++)
		if (!lcore_enabled(rx_lc[i])) {
			fprintf(stderr, "flowrx: --rx-lcores: lcore %u is not in the EAL lcore list\n", rx_lc[i]);
			return -1;
		}
	for (unsigned int i = 0; i < app->nb_workers; i++)
		if (!lcore_enabled(wk_lc[i])) {
			fprintf(stderr, "flowrx: --worker-lcores: lcore %u is not in the EAL lcore list\n",
				wk_lc[i]);
			return -1;
		}
	if (!lcore_enabled(*stats_lc)) {
		fprintf(stderr, "flowrx: --stats-lcore: lcore %u is not in the EAL lcore list\n", *stats_lc);
		return -1;
	}
	for (unsigned int i = 0; i < app->nb_rx; i++)
		for (unsigned int j = 0; j < i; j++)
			if (rx_lc[i] == rx_lc[j]) {
				fprintf(stderr, "flowrx: --rx-lcores: lcore %u listed twice\n", rx_lc[i]);
				return -1;
			}
	for (unsigned int i = 0; i < app->nb_workers; i++)
		for (unsigned int j = 0; j < i; j++)
			if (wk_lc[i] == wk_lc[j]) {
				fprintf(stderr, "flowrx: --worker-lcores: lcore %u listed twice\n", wk_lc[i]);
				return -1;
			}
	return 0;
}

static int
setup_ports(struct app *app)
{
	const struct frx_config *cfg = &app->cfg;
	uint16_t port;

	RTE_ETH_FOREACH_DEV(port) {
		struct rte_eth_conf port_conf;
		struct rte_eth_dev_info info;
		uint16_t nb_rxq, nb_rxd = cfg->nb_rxd, nb_txd = 64;
		int rc;

		memset(&port_conf, 0, sizeof(port_conf));
		rc = rte_eth_dev_info_get(port, &info);
		if (rc != 0) {
			fprintf(stderr, "flowrx: port %u: cannot get device info: %s\n", port, strerror(-rc));
			return -1;
		}
		nb_rxq = (uint16_t)RTE_MIN(app->nb_rx, (unsigned int)info.max_rx_queues);
		if (nb_rxq == 0)
			nb_rxq = 1;
		if (nb_rxq > 1) {
			/* Any spread works (RX lcores re-steer by exporter); hash on
			 * IP addresses so all of one exporter's frames stay in order. */
			port_conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
			port_conf.rx_adv_conf.rss_conf.rss_hf =
				(RTE_ETH_RSS_IP | (cfg->rss == FRX_RSS_IP_UDP ? RTE_ETH_RSS_UDP : 0)) &
				info.flow_type_rss_offloads;
		}
		if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_CHECKSUM)
			port_conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_CHECKSUM;
		rc = rte_eth_dev_configure(port, nb_rxq, 1, &port_conf);
		if (rc != 0) {
			fprintf(stderr, "flowrx: port %u (%s): configure failed: %s\n", port,
				info.driver_name, strerror(-rc));
			return -1;
		}
		rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rxd, &nb_txd);
		if (rc != 0) {
			fprintf(stderr, "flowrx: port %u: descriptor counts refused: %s\n", port, strerror(-rc));
			return -1;
		}
		for (uint16_t q = 0; q < nb_rxq; q++) {
			struct rte_eth_rxconf rxconf = info.default_rxconf;

			rxconf.offloads = port_conf.rxmode.offloads;
			rc = rte_eth_rx_queue_setup(port, q, nb_rxd, rte_eth_dev_socket_id(port), &rxconf,
						    app->mbuf_pool);
			if (rc != 0) {
				fprintf(stderr, "flowrx: port %u: rx queue %u setup failed: %s\n", port, q,
					strerror(-rc));
				return -1;
			}
			/* queue q is polled by RX lcore q */
			struct frx_rx_ctx *rx = app->rx[q];

			if (rx->nb_queues == FRX_MAX_RX_QUEUES) {
				fprintf(stderr, "flowrx: too many queues for rx lcore %u\n", rx->lcore);
				return -1;
			}
			rx->queues[rx->nb_queues].port = port;
			rx->queues[rx->nb_queues].queue = q;
			rx->nb_queues++;
		}
		rc = rte_eth_tx_queue_setup(port, 0, nb_txd, rte_eth_dev_socket_id(port), NULL);
		if (rc != 0) {
			fprintf(stderr, "flowrx: port %u: tx queue setup failed: %s\n", port, strerror(-rc));
			return -1;
		}
		rc = rte_eth_dev_start(port);
		if (rc != 0) {
			fprintf(stderr, "flowrx: port %u: start failed: %s\n", port, strerror(-rc));
			return -1;
		}
		/* Exports arrive for the collector's IP, often via a mirror port
		 * or a MAC the router was told statically: take every frame. */
		rte_eth_promiscuous_enable(port);
		app->ports[app->nb_ports++] = port;
		printf("flowrx: port %u: %s, %u rx queue(s), %u descriptors each\n", port,
		       info.driver_name, nb_rxq, nb_rxd);
	}
	if (app->nb_ports == 0) {
		fprintf(stderr, "flowrx: no DPDK port: bind a NIC (dpdk-devbind.py), or use --vdev, "
				"--pcap FILE or --iface NAME\n");
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ NUMA */

static int
memseg_list_on_socket(const struct rte_memseg_list *msl, void *arg)
{
	return !msl->external && msl->socket_id == *(const int *)arg;
}

/* Can the EAL give memory on this socket? Not with --no-huge (one list, on
 * socket 0), nor on a node without hugepages. */
static int
socket_has_memory(int socket)
{
	return rte_memseg_list_walk(memseg_list_on_socket, &socket) > 0;
}

/* The socket to allocate an lcore's memory on: its own, or SOCKET_ID_ANY if
 * DPDK does not know it or has no memory there. */
static int
lcore_socket(unsigned int lcore)
{
	unsigned int socket = rte_lcore_to_socket_id(lcore);

	return socket < RTE_MAX_NUMA_NODES && socket_has_memory((int)socket) ? (int)socket : SOCKET_ID_ANY;
}

/*
 * The NIC DMAs frames into mbufs: the pool belongs on the NIC's socket (the
 * first port's that reports one). Ports on several sockets would each want
 * their own pool; one pool on the first socket is what we do, with a
 * warning. Virtual ports (net_pcap, af_packet) have no socket: the first RX
 * lcore's is used.
 */
static int
mbuf_pool_socket(const unsigned int *rx_lc)
{
	int socket = SOCKET_ID_ANY;
	uint16_t port;

	RTE_ETH_FOREACH_DEV(port) {
		int s = rte_eth_dev_socket_id(port);

		if (s < 0 || !socket_has_memory(s))
			continue;
		if (socket == SOCKET_ID_ANY)
			socket = s;
		else if (s != socket)
			printf("flowrx: warning: port %u is on NUMA socket %d, the mbuf pool on socket %d: its "
			       "frames cross the interconnect (run one flowrx per socket)\n", port, s, socket);
	}
	return socket == SOCKET_ID_ANY ? lcore_socket(rx_lc[0]) : socket;
}

/* After setup_ports: warn when a port and the lcores handling its frames
 * are on different sockets (every packet would cross the interconnect). */
static void
check_numa(const struct app *app)
{
	for (unsigned int i = 0; i < app->nb_ports; i++) {
		int port_socket = rte_eth_dev_socket_id(app->ports[i]);

		if (port_socket < 0)
			continue;
		for (unsigned int r = 0; r < app->nb_rx; r++) {
			int s = lcore_socket(app->rx[r]->lcore);

			if (s >= 0 && s != port_socket)
				printf("flowrx: warning: port %u is on NUMA socket %d but RX lcore %u is on socket %d: "
				       "pick lcores of socket %d (EAL -l / [eal] lcores, --rx-lcores)\n",
				       app->ports[i], port_socket, app->rx[r]->lcore, s, port_socket);
		}
		for (unsigned int w = 0; w < app->nb_workers; w++) {
			int s = lcore_socket(app->workers[w]->lcore);

			if (s >= 0 && s != port_socket)
				printf("flowrx: warning: port %u is on NUMA socket %d but worker lcore %u is on socket "
				       "%d: pick lcores of socket %d (--worker-lcores)\n",
				       app->ports[i], port_socket, app->workers[w]->lcore, s, port_socket);
		}
	}
}

static struct rte_ring *
make_ring(const char *fmt, unsigned int a, unsigned int b, unsigned int size, unsigned int flags, int socket)
{
	char name[RTE_RING_NAMESIZE];
	struct rte_ring *r;

	snprintf(name, sizeof(name), fmt, a, b);
	r = rte_ring_create(name, size, socket, flags | RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (r == NULL)
		fprintf(stderr, "flowrx: ring %s (%u entries): %s\n", name, size, rte_strerror(rte_errno));
	return r;
}

struct load_ctx {
	struct app *app;
	unsigned int loaded;
};

static void
load_one(const struct frx_tmpl_session_key *key, uint16_t id, const struct frx_tmpl_field *fields,
	 uint16_t nb_fields, uint16_t nb_scope, int options, uint64_t last_seen_ms, void *arg)
{
	struct load_ctx *l = arg;
	/* the worker that RX steering gives this exporter to */
	struct frx_worker_ctx *w = l->app->workers[frx_pkt_addr_hash(key->addr) % l->app->nb_workers];
	uint32_t session = frx_tmpl_session_get(w->dec->tmpl, key, last_seen_ms);

	if (session != UINT32_MAX &&
	    frx_tmpl_insert(w->dec->tmpl, session, id, fields, nb_fields, nb_scope, options, last_seen_ms))
		l->loaded++;
}

/* Templates learned before a restart: data decodes at once, without waiting
 * for each exporter's next refresh. Expired ones are left out. */
static int
load_templates(struct app *app)
{
	const struct frx_config *cfg = &app->cfg;
	const char *dir = cfg->state_dir ? cfg->state_dir : cfg->out_dir;
	struct load_ctx l = { .app = app, .loaded = 0 };
	struct timespec ts;
	uint64_t now_ms, max_age_ms = (uint64_t)cfg->decoder.tmpl.template_timeout_s * 1000;
	int rc;

	if ((size_t)snprintf(app->stats->state_path, sizeof(app->stats->state_path), "%s/%s", dir,
			     FRX_TEMPLATE_STATE_FILE) >= sizeof(app->stats->state_path)) {
		fprintf(stderr, "flowrx: --state-dir %s: path too long\n", dir);
		return -1;
	}
	if (cfg->state_dir && mkdir(cfg->state_dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "flowrx: --state-dir %s: %s\n", cfg->state_dir, strerror(errno));
		return -1;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	now_ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	rc = frx_tmpl_state_load(app->stats->state_path, now_ms, max_age_ms, load_one, &l);
	if (rc == -ENOENT)
		return 0;
	if (rc < 0) {
		fprintf(stderr, "flowrx: warning: %s: %s; starting without saved templates\n",
			app->stats->state_path, strerror(-rc));
		return 0;
	}
	printf("flowrx: %u template(s) restored from %s\n", l.loaded, app->stats->state_path);
	for (unsigned int i = 0; i < app->nb_workers; i++)
		app->stats->tmpl_generation[i] = frx_tmpl_generation(app->workers[i]->dec->tmpl);
	return 0;
}

static int
setup_data_path(struct app *app, const unsigned int *rx_lc, const unsigned int *wk_lc,
		unsigned int stats_lc)
{
	struct frx_config *cfg = &app->cfg;
	unsigned int nb_mbufs = cfg->nb_mbufs;
	struct frx_ffile_writer_conf wconf;
	int mbuf_socket;

	for (unsigned int i = 0; i < app->nb_rx; i++) {
		app->rx[i] = rte_zmalloc_socket("frx_rx", sizeof(struct frx_rx_ctx), RTE_CACHE_LINE_SIZE,
					       lcore_socket(rx_lc[i]));
		if (app->rx[i] == NULL)
			goto nomem;
		app->rx[i]->index = i;
		app->rx[i]->lcore = rx_lc[i];
		app->rx[i]->nb_workers = app->nb_workers;
		app->rx[i]->lossless = cfg->pcap_path != NULL;
		app->plan[rx_lc[i]].rx = app->rx[i];
	}
	/* rules first: a bad rules file stops the start, and workers need the engine slot */
	if (cfg->rules_path && frx_rules_ctl_init(cfg->rules_path, app->nb_workers, (int)rte_socket_id()) < 0)
		return -1;
	for (unsigned int i = 0; i < app->nb_workers; i++) {
		app->workers[i] = rte_zmalloc_socket("frx_worker", sizeof(struct frx_worker_ctx), RTE_CACHE_LINE_SIZE,
						   lcore_socket(wk_lc[i]));
		if (app->workers[i] == NULL)
			goto nomem;
		app->workers[i]->index = i;
		if (cfg->rules_path) {
			app->workers[i]->rules_slot = frx_rules_ctl_engine_slot();
			app->workers[i]->rules_qs = frx_rules_ctl_qsbr();
		}
		app->workers[i]->lcore = wk_lc[i];
		app->workers[i]->lossless = cfg->pcap_path != NULL;
		if (frx_worker_init(app->workers[i], cfg) < 0) {
			fprintf(stderr, "flowrx: worker %u: cannot allocate its template cache: %s "
					"(lower --max-templates/--max-sessions)\n", i, strerror(errno));
			return -1;
		}
		app->plan[wk_lc[i]].worker = app->workers[i];
	}
	app->stats = rte_zmalloc_socket("frx_stats", sizeof(struct frx_stats_ctx), RTE_CACHE_LINE_SIZE,
					lcore_socket(stats_lc));
	if (app->stats == NULL)
		goto nomem;
	app->stats->lcore = stats_lc;
	app->plan[stats_lc].stats = app->stats;

	mbuf_socket = mbuf_pool_socket(rx_lc);
	if (nb_mbufs == 0)
		nb_mbufs = (unsigned int)rte_eth_dev_count_avail() * app->nb_rx * cfg->nb_rxd +
			   app->nb_rx * app->nb_workers * (cfg->ring_size + FRX_BURST) +
			   rte_lcore_count() * (MBUF_CACHE + FRX_BURST) + 1024 +
			   /* --repeat: net_pcap's infinite_rx holds the whole capture in mbufs */
			   (cfg->repeat > 1 ? (unsigned int)cfg->pcap_frames : 0);
	app->mbuf_pool = rte_pktmbuf_pool_create("frx_mbufs", nb_mbufs, MBUF_CACHE, 0,
						 RTE_MBUF_DEFAULT_BUF_SIZE, mbuf_socket);
	if (app->mbuf_pool == NULL) {
		fprintf(stderr, "flowrx: mbuf pool of %u: %s (more memory: -m, hugepages, or --mbufs)\n",
			nb_mbufs, rte_strerror(rte_errno));
		return -1;
	}
	app->block_pool = rte_mempool_create("frx_blocks", cfg->nb_blocks, sizeof(struct frx_block), 0, 0,
					     NULL, NULL, NULL, NULL, lcore_socket(wk_lc[0]), 0);
	if (app->block_pool == NULL) {
		fprintf(stderr, "flowrx: block pool of %u x %zu bytes: %s (more memory: -m, or --blocks)\n",
			cfg->nb_blocks, sizeof(struct frx_block), rte_strerror(rte_errno));
		return -1;
	}

	for (unsigned int r = 0; r < app->nb_rx; r++)
		for (unsigned int w = 0; w < app->nb_workers; w++) {
			/* the worker dequeues and reads the mbufs: its socket */
			struct rte_ring *ring = make_ring("frx_rx%u_w%u", r, w, cfg->ring_size, RING_F_EXACT_SZ,
							  lcore_socket(wk_lc[w]));

			if (ring == NULL)
				return -1;
			app->rx[r]->to_worker[w] = ring;
			app->workers[w]->from_rx[r] = ring;
			app->workers[w]->rx[r] = app->rx[r];
			app->workers[w]->nb_rx = app->nb_rx;
		}
	if (cfg->nb_allow) {
		app->acl = frx_acl_create(cfg->allow, cfg->nb_allow, lcore_socket(wk_lc[0]));
		if (app->acl == NULL)
			return -1;
	}
	for (unsigned int w = 0; w < app->nb_workers; w++) {
		char name[RTE_RING_NAMESIZE];

		snprintf(name, sizeof(name), "frx_log%u", w);
		app->workers[w]->log_ring = rte_ring_create_elem(name, sizeof(struct frx_log_event), FRX_LOG_RING,
								  lcore_socket(wk_lc[w]), RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (app->workers[w]->log_ring == NULL) {
			fprintf(stderr, "flowrx: log ring: %s\n", rte_strerror(rte_errno));
			return -1;
		}
		app->workers[w]->acl = app->acl;
	}
	for (unsigned int w = 0; w < app->nb_workers; w++) {
		/* Room for every block of the pool: enqueue never fails. */
		app->workers[w]->to_stats = make_ring("frx_w%u_stats%u", w, 0, cfg->nb_blocks, RING_F_EXACT_SZ,
						      lcore_socket(stats_lc));
		if (app->workers[w]->to_stats == NULL)
			return -1;
		app->workers[w]->block_pool = app->block_pool;
		app->stats->workers[w] = app->workers[w];
	}
	app->stats->nb_workers = app->nb_workers;
	for (unsigned int r = 0; r < app->nb_rx; r++)
		app->stats->rx[r] = app->rx[r];
	app->stats->nb_rx = app->nb_rx;
	app->stats->block_pool = app->block_pool;
	app->stats->stats_block = rte_zmalloc("frx_statsblk", sizeof(struct frx_block_hdr) + FRX_STATS_BLOCK_MAX, 64);
	if (app->stats->stats_block == NULL)
		goto nomem;
	app->stats->stats_block_interval_tsc = (uint64_t)cfg->stats_block_interval_s * rte_get_tsc_hz();
	app->stats->next_stats_block_tsc = rte_get_tsc_cycles() + app->stats->stats_block_interval_tsc;
	app->stats->collector_id = cfg->collector_id;
	app->stats->log_stderr = cfg->log_stderr;
	{
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		app->stats->started_ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	}
	app->stats->ifname_block = rte_zmalloc("frx_ifnames", sizeof(struct frx_block_hdr) +
					       FRX_MAX_IFNAMES_PER_BLOCK * sizeof(struct frx_ifname), 64);
	if (app->stats->ifname_block == NULL)
		goto nomem;
	app->stats->prom_path = cfg->prometheus_file;
	app->stats->prom_interval_tsc = (uint64_t)cfg->prometheus_interval_s * rte_get_tsc_hz();
	app->stats->next_prom_tsc = rte_get_tsc_cycles(); /* a first file at once */
	app->stats->report_interval_tsc = (uint64_t)cfg->stats_interval_s * rte_get_tsc_hz();
	app->stats->next_report_tsc = rte_get_tsc_cycles() + app->stats->report_interval_tsc;

	if (setup_ports(app) < 0)
		return -1;
	for (unsigned int i = 0; i < app->nb_ports; i++)
		app->stats->ports[i] = app->ports[i];
	app->stats->nb_ports = app->nb_ports;
	check_numa(app);
	for (unsigned int r = 0; r < app->nb_rx; r++)
		app->rx[r]->expect_frames = app->rx[r]->nb_queues ? cfg->pcap_frames * cfg->repeat : 0;

	memset(&wconf, 0, sizeof(wconf));
	wconf.dir = cfg->out_dir;
	wconf.rotate_seconds = cfg->rotate_seconds;
	wconf.collector_id = cfg->collector_id;
	wconf.fsync_every_blocks = cfg->fsync_every_blocks;
	wconf.full_records = cfg->full_records;
	app->stats->writer = frx_ffile_writer_open(&wconf);
	if (app->stats->writer == NULL) {
		fprintf(stderr, "flowrx: -w %s: cannot open a flow file there: %s\n", cfg->out_dir,
			strerror(errno));
		return -1;
	}
	return load_templates(app);
nomem:
	fprintf(stderr, "flowrx: out of DPDK memory for lcore contexts (raise -m)\n");
	return -1;
}

static int
lcore_first_cpu(unsigned int lcore)
{
	rte_cpuset_t set = rte_lcore_cpuset(lcore);

	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &set))
			return cpu;
	return -1;
}

static void
print_plan(const struct app *app)
{
	unsigned int lc;

	RTE_LCORE_FOREACH(lc) {
		const struct lcore_plan *p = &app->plan[lc];
		char roles[256];
		size_t len = 0;

		roles[0] = '\0';
		if (p->rx) {
			len += (size_t)snprintf(roles + len, sizeof(roles) - len, " rx%u(", p->rx->index);
			for (unsigned int q = 0; q < p->rx->nb_queues && len < sizeof(roles); q++)
				len += (size_t)snprintf(roles + len, sizeof(roles) - len, "%sport %u queue %u",
							q ? ", " : "", p->rx->queues[q].port,
							p->rx->queues[q].queue);
			if (len < sizeof(roles))
				len += (size_t)snprintf(roles + len, sizeof(roles) - len, ")");
		}
		if (p->worker && len < sizeof(roles))
			len += (size_t)snprintf(roles + len, sizeof(roles) - len, " worker%u", p->worker->index);
		if (p->stats && len < sizeof(roles))
			snprintf(roles + len, sizeof(roles) - len, " stats+writer");
		printf("flowrx: lcore %u (cpu %d):%s\n", lc, lcore_first_cpu(lc), roles[0] ? roles : " idle");
	}
	printf("flowrx: v9/IPFIX fixed-layout templates decode by %s\n",
	       frx_ipfix_simd_active() ? "AVX-512 VBMI byte permutation"
				       : "grouped stores (this CPU has no AVX-512 VBMI: slower)");
}

int
main(int argc, char **argv)
{
	static struct app app;
	char *eal_argv[MAX_EAL_ARGS], *app_argv[MAX_EAL_ARGS];
	char vdev[4096];
	unsigned int rx_lc[FRX_MAX_RX], wk_lc[FRX_MAX_WORKERS], stats_lc = 0;
	int sep = -1, user_eal_argc, app_argc = 0, eal_argc, rc, remove_runtime_dir;
	uint64_t start_tsc;
	double elapsed_s;
	char runtime_dir[PATH_MAX];

	if (argc >= MAX_EAL_ARGS) {
		fprintf(stderr, "flowrx: too many arguments\n");
		return 1;
	}
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			sep = i;
			break;
		}
	frx_config_defaults(&app.cfg);
	app_argv[app_argc++] = argv[0];
	if (sep >= 0) {
		user_eal_argc = sep;
		for (int i = sep + 1; i < argc; i++)
			app_argv[app_argc++] = argv[i];
		app.cfg.eal_args_given = sep > 1;
	} else {
		user_eal_argc = 1;
		for (int i = 1; i < argc; i++)
			app_argv[app_argc++] = argv[i];
	}
	app_argv[app_argc] = NULL;
	rc = frx_config_parse(&app.cfg, app_argc, app_argv);
	if (rc != 0)
		return rc > 0 ? 0 : 1;
	if (app.cfg.nb_eal)
		app.cfg.eal_args_given = 1;
	app.cfg.cli_eal_argv = argv + 1;
	app.cfg.cli_eal_argc = user_eal_argc - 1;
	if (app.cfg.print_config) {
		frx_config_print(&app.cfg, stdout);
		return 0;
	}
	if (app.cfg.pcap_path && count_pcap_frames(&app.cfg) < 0)
		return 1;

	eal_argc = build_eal_args(&app.cfg, user_eal_argc, argv, eal_argv, vdev, sizeof(vdev));
	if (eal_argc < 0) {
		fprintf(stderr, "flowrx: --pcap/--iface argument or [eal] settings too long\n");
		return 1;
	}
	rc = rte_eal_init(eal_argc, eal_argv);
	if (rc < 0) {
		fprintf(stderr, "flowrx: EAL init failed: %s (check the EAL arguments before --)\n",
			rte_strerror(rte_errno));
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	/* a reload signal (systemctl reload, a log rotation habit) never kills
	 * a collector; with --rules it reloads them (rules_ctl.c) */
	signal(SIGHUP, SIG_IGN);
	openlog("flowrx", LOG_PID | LOG_NDELAY, app.cfg.syslog_facility);

	if (plan_roles(&app, rx_lc, wk_lc, &stats_lc) < 0 ||
	    setup_data_path(&app, rx_lc, wk_lc, stats_lc) < 0) {
		rte_eal_cleanup();
		return 1;
	}
	if (app.cfg.iface)
		bind_sink_sockets(&app.cfg);
	frx_telemetry_register(app.stats); /* a warning if it fails: collecting matters more */
	if (app.cfg.rules_path && frx_rules_ctl_start() < 0) {
		rte_eal_cleanup();
		return 1;
	}
	print_plan(&app);
	printf("flowrx: writing %s (rotate every %u s); %s\n", frx_ffile_writer_path(app.stats->writer),
	       app.cfg.rotate_seconds,
	       app.cfg.pcap_path ? "decoding the capture" : "collecting until SIGINT/SIGTERM");
	if (app.cfg.pcap_path)
		printf("flowrx: %s: %" PRIu64 " frames\n", app.cfg.pcap_path, app.cfg.pcap_frames);
	fflush(stdout);

	start_tsc = rte_get_tsc_cycles();
	rte_eal_mp_remote_launch(lcore_main, &app, CALL_MAIN);
	rte_eal_mp_wait_lcore();
	frx_rules_ctl_stop(); /* no reload from here on; the engine stays for the last counters */
	elapsed_s = (double)(rte_get_tsc_cycles() - start_tsc) / (double)rte_get_tsc_hz();
	if (app.cfg.prometheus_file) {
		/* every lcore has stopped: these are the final counters */
		rc = frx_prom_write(app.stats, app.cfg.prometheus_file);
		if (rc < 0)
			fprintf(stderr, "flowrx: --prometheus-file %s: %s\n", app.cfg.prometheus_file, strerror(-rc));
	}

	for (unsigned int i = 0; i < app.nb_ports; i++) {
		struct rte_eth_stats st;

		if (rte_eth_stats_get(app.ports[i], &st) == 0)
			printf("port%u_imissed: %" PRIu64 "\nport%u_ierrors: %" PRIu64 "\nport%u_rx_nombuf: %" PRIu64 "\n",
			       app.ports[i], st.imissed, app.ports[i], st.ierrors, app.ports[i], st.rx_nombuf);
		rte_eth_dev_stop(app.ports[i]);
		rte_eth_dev_close(app.ports[i]);
	}
	frx_stats_save_templates(app.stats, 0);
	frx_stats_write_ifnames(app.stats);
	frx_stats_drain_logs(app.stats);
	frx_stats_write_snapshot(app.stats); /* the final, exact counters */
	frx_stats_print_summary(app.stats, stdout);
	if (app.cfg.rules_path)
		frx_rules_ctl_print_summary(stdout);
	printf("last_file: %s\n", frx_ffile_writer_path(app.stats->writer));
	if (app.cfg.pcap_path) {
		struct frx_worker_counters sum;
		uint64_t rx_packets, ring_full;

		frx_stats_sum(app.stats, &sum, &rx_packets, &ring_full);
		printf("elapsed_s: %.3f\npackets_per_s: %.0f\nrecords_per_s: %.0f\n", elapsed_s,
		       elapsed_s > 0 ? (double)rx_packets / elapsed_s : 0.0,
		       elapsed_s > 0 ? (double)sum.records / elapsed_s : 0.0);
	}
	rc = frx_ffile_writer_close(app.stats->writer);
	frx_rules_ctl_free();
	if (rc < 0)
		fprintf(stderr, "flowrx: closing the last flow file failed: %s\n", strerror(-rc));
	fflush(stdout);
	remove_runtime_dir = !app.cfg.eal_args_given && (app.cfg.pcap_path || app.cfg.iface);
	snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	if (remove_runtime_dir)
		remove_dir_files(runtime_dir);
	return rc < 0 ? 1 : 0;
}
