/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flowrx-udpsend: replay the export datagrams of a pcap to a UDP collector
 * through the kernel (sendmmsg), e.g. to feed nfcapd, or flowrx --iface lo.
 *
 *   flowrx-udpsend [-r REPEAT] [-R PPS] [-b BATCH] [-c CPU] FILE.pcap HOST PORT
 *
 * Every UDP datagram in the capture (any port, IPv4 or IPv6, VLAN tags) is
 * sent with its payload unchanged; frames that are not UDP are skipped and
 * counted. -R paces to PPS datagrams per second (0: as fast as possible),
 * -c pins the sender to a CPU. Prints datagrams, bytes and the rate achieved.
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <pcap/pcap.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pkt.h"

#define MAX_BATCH 256

struct dgram {
	uint8_t *data;
	uint32_t len;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
load(const char *path, struct dgram **out, size_t *n_out, size_t *skipped)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct frx_pkt_conf any_port = { .nb_listen_ports = 0 };
	struct pcap_pkthdr *h;
	const u_char *data;
	struct dgram *d = NULL;
	size_t n = 0, cap = 0;
	pcap_t *p = pcap_open_offline(path, errbuf);

	if (p == NULL) {
		fprintf(stderr, "flowrx-udpsend: %s: %s\n", path, errbuf);
		return -1;
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		fprintf(stderr, "flowrx-udpsend: %s: not an Ethernet capture\n", path);
		pcap_close(p);
		return -1;
	}
	*skipped = 0;
	while (pcap_next_ex(p, &h, &data) == 1) {
		struct frx_pkt_info info;

		if (frx_pkt_decap(data, h->caplen, &any_port, &info) != FRX_OK) {
			(*skipped)++;
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			d = realloc(d, cap * sizeof(*d));
			if (d == NULL)
				return -1;
		}
		d[n].data = malloc(info.payload_len ? info.payload_len : 1);
		if (d[n].data == NULL)
			return -1;
		memcpy(d[n].data, info.payload, info.payload_len);
		d[n].len = info.payload_len;
		n++;
	}
	pcap_close(p);
	*out = d;
	*n_out = n;
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned long repeat = 1, pps = 0, batch = 64;
	int cpu = -1, c, fd, rc;
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *ai;
	struct mmsghdr msgs[MAX_BATCH];
	struct iovec iov[MAX_BATCH];
	struct dgram *d;
	size_t n, skipped, idx = 0;
	uint64_t sent = 0, bytes = 0, total;
	double start, elapsed;

	while ((c = getopt(argc, argv, "r:R:b:c:h")) != -1) {
		switch (c) {
		case 'r':
			repeat = strtoul(optarg, NULL, 0);
			break;
		case 'R':
			pps = strtoul(optarg, NULL, 0);
			break;
		case 'b':
			batch = strtoul(optarg, NULL, 0);
			if (batch < 1 || batch > MAX_BATCH)
				batch = 64;
			break;
		case 'c':
			cpu = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-r REPEAT] [-R PPS] [-b BATCH] [-c CPU] FILE.pcap HOST PORT\n",
				argv[0]);
			return 2;
		}
	}
	if (argc - optind != 3) {
		fprintf(stderr, "usage: %s [-r REPEAT] [-R PPS] [-b BATCH] [-c CPU] FILE.pcap HOST PORT\n", argv[0]);
		return 2;
	}
	if (load(argv[optind], &d, &n, &skipped) < 0)
		return 1;
	if (n == 0) {
		fprintf(stderr, "flowrx-udpsend: no UDP datagram in %s\n", argv[optind]);
		return 1;
	}
	rc = getaddrinfo(argv[optind + 1], argv[optind + 2], &hints, &ai);
	if (rc != 0) {
		fprintf(stderr, "flowrx-udpsend: %s: %s\n", argv[optind + 1], gai_strerror(rc));
		return 1;
	}
	fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	/* Not connected: a connected socket would report the ICMP port
	 * unreachable that a kernel-bypass collector causes as ECONNREFUSED. */
	if (fd < 0) {
		perror("flowrx-udpsend: socket");
		return 1;
	}
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) != 0)
			perror("flowrx-udpsend: pinning");
	}
	total = (uint64_t)n * repeat;
	memset(msgs, 0, sizeof(msgs));
	start = now_s();
	while (sent < total) {
		unsigned int k = 0;
		int done;

		while (k < batch && sent + k < total) {
			iov[k].iov_base = d[idx].data;
			iov[k].iov_len = d[idx].len;
			msgs[k].msg_hdr.msg_iov = &iov[k];
			msgs[k].msg_hdr.msg_iovlen = 1;
			msgs[k].msg_hdr.msg_name = ai->ai_addr;
			msgs[k].msg_hdr.msg_namelen = ai->ai_addrlen;
			idx = idx + 1 == n ? 0 : idx + 1;
			k++;
		}
		done = sendmmsg(fd, msgs, k, 0);
		if (done < 0) {
			if (errno == EINTR || errno == ENOBUFS)
				continue; /* datagrams of this batch are retried */
			perror("flowrx-udpsend: sendmmsg");
			return 1;
		}
		for (int i = 0; i < done; i++)
			bytes += iov[i].iov_len;
		/* a partial send: step idx back over the unsent ones */
		for (int i = done; i < (int)k; i++)
			idx = idx == 0 ? n - 1 : idx - 1;
		sent += (uint64_t)done;
		if (pps) {
			double ahead = (double)sent / (double)pps - (now_s() - start);

			if (ahead > 0.0005) {
				struct timespec ts = { .tv_sec = (time_t)ahead,
						       .tv_nsec = (long)((ahead - (double)(time_t)ahead) * 1e9) };

				nanosleep(&ts, NULL);
			}
		}
	}
	elapsed = now_s() - start;
	printf("sent %llu datagrams, %llu bytes in %.3f s: %.0f datagrams/s (%zu frames skipped)\n",
	       (unsigned long long)sent, (unsigned long long)bytes, elapsed,
	       elapsed > 0 ? (double)sent / elapsed : 0.0, skipped);
	freeaddrinfo(ai);
	close(fd);
	for (size_t i = 0; i < n; i++)
		free(d[i].data);
	free(d);
	return 0;
}
