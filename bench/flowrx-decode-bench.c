/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flowrx-decode-bench: how fast lib/ decodes, on one core, without DPDK.
 *
 *   flowrx-decode-bench [-p] [-s SECONDS] [-w WINDOW] FILE.pcap...
 *
 * Loads the export datagrams of each capture into memory (frx_pkt_decap,
 * any UDP port), decodes them once to learn the templates, then decodes
 * them again and again with frx_decode() for about SECONDS (default 2)
 * into a record array, and prints records/s, ns/record and ns/datagram.
 *
 * The array is a struct frx_recbuf of WINDOW records, started again from
 * its first slot when full. -w 0 (default): at least a pass and at least
 * 2^20 records (160 MiB), far larger than any cache, so every record lands
 * in memory that is not cached. -w 256 (flowrx's worker window) keeps the
 * records in cache and measures the decoder's own work.
 *
 * -p does what flowrx's worker does: v1-v7 records packed straight from the
 * wire into a file block, others into a 256-record window (unless -w) that
 * is packed into the block at the end of every burst of 32 datagrams and
 * when full, the block sealed (times, CRC32C) when it fills, the next
 * one of a pool of 128 (flowrx's default --blocks, 28 MiB) taken then.
 *
 * The decap cost is measured apart (first line per file) so decode is
 * not charged for it. One line per file, then a key=value line for
 * bench/run.sh.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decode.h"
#include "ffile.h"
#include "ipfix.h"
#include "pkt.h"
#include "recpack.h"

#define FRX_BENCH_BURST 32   /* datagrams a worker burst packs at its end (app/flowrx/ctx.h FRX_BURST) */
#define FRX_BENCH_WINDOW 256 /* the worker's window (FRX_STAGE_RECORDS) */
#define FRX_BENCH_BLOCKS 128 /* flowrx's block pool (--blocks): larger than the cache, as there */

struct dgram {
	const uint8_t *data;
	uint32_t len;
	struct frx_exporter exp;
};

struct frames {
	uint8_t **data;
	uint32_t *len;
	size_t n;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void *
grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 1024;
	p = realloc(p, *cap * size);
	if (p == NULL) {
		perror("flowrx-decode-bench");
		exit(1);
	}
	return p;
}

/* Every frame of the capture, copied. */
static int
load_frames(const char *path, struct frames *f)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	size_t cap_d = 0, cap_l = 0;
	pcap_t *p = pcap_open_offline(path, errbuf);

	memset(f, 0, sizeof(*f));
	if (p == NULL) {
		fprintf(stderr, "flowrx-decode-bench: %s: %s\n", path, errbuf);
		return -1;
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		fprintf(stderr, "flowrx-decode-bench: %s: not an Ethernet capture\n", path);
		pcap_close(p);
		return -1;
	}
	while (pcap_next_ex(p, &h, &data) == 1) {
		f->data = grow(f->data, &cap_d, f->n, sizeof(*f->data));
		f->len = grow(f->len, &cap_l, f->n, sizeof(*f->len));
		f->data[f->n] = malloc(h->caplen ? h->caplen : 1);
		if (f->data[f->n] == NULL) {
			perror("flowrx-decode-bench");
			exit(1);
		}
		memcpy(f->data[f->n], data, h->caplen);
		f->len[f->n] = h->caplen;
		f->n++;
	}
	pcap_close(p);
	return 0;
}

static void
free_frames(struct frames *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->data[i]);
	free(f->data);
	free(f->len);
}

/* Decapsulate every frame; returns the datagrams (payloads point into the frames). */
static struct dgram *
decap_all(const struct frames *f, size_t *n_out, size_t *skipped)
{
	static const struct frx_pkt_conf any_port = { .nb_listen_ports = 0 };
	struct dgram *d = calloc(f->n ? f->n : 1, sizeof(*d));
	size_t n = 0;

	if (d == NULL) {
		perror("flowrx-decode-bench");
		exit(1);
	}
	*skipped = 0;
	for (size_t i = 0; i < f->n; i++) {
		struct frx_pkt_info info;

		if (frx_pkt_decap(f->data[i], f->len[i], &any_port, &info) != FRX_OK) {
			(*skipped)++;
			continue;
		}
		d[n].data = info.payload;
		d[n].len = info.payload_len;
		memset(&d[n].exp, 0, sizeof(d[n].exp));
		memcpy(d[n].exp.addr, info.exporter_addr, 16);
		d[n].exp.port = info.exporter_port;
		d[n].exp.is_v6 = info.exporter_is_v6;
		n++;
	}
	*n_out = n;
	return d;
}

/* A full window: start it again (the records are not kept). */
static int
window_reuse(struct frx_recbuf *rb)
{
	rb->count = 0;
	return 0;
}

/*
 * -p: what flowrx's worker does with the window (app/flowrx/worker.c):
 * pack its records into the file block being filled, and seal the block
 * (times, CRC32C) when it is full; the sealed block is then dropped.
 */
struct packer {
	struct frx_block *pool;  /* FRX_BENCH_BLOCKS blocks, filled in turn as flowrx's pool is */
	struct frx_block *blk;
	struct frx_recpack_stream ps;
	uint64_t blocks;
};

/* The block is full: seal it, take the next of the pool. */
static void
next_block(struct packer *pk)
{
	frx_block_seal_stream(pk->blk, &pk->ps);
	pk->blocks++;
	pk->blk = &pk->pool[pk->blocks % FRX_BENCH_BLOCKS];
	frx_recpack_stream_init(&pk->ps, pk->blk->payload, sizeof(pk->blk->payload), FRX_BLOCK_RECORDS, 0);
}

/* v1-v7 records are packed straight from the wire (recbuf.pack), as the worker does. */
static int
pack_full(struct frx_recbuf *rb)
{
	next_block(rb->owner);
	return 0;
}

static int
window_pack(struct frx_recbuf *rb)
{
	struct packer *pk = rb->owner;
	uint32_t done = 0;

	while (done < rb->count) {
		done += frx_recpack_stream_add(&pk->ps, &rb->recs[done], rb->count - done);
		if (done < rb->count)
			next_block(pk);
	}
	rb->count = 0;
	return 0;
}

struct pass_result {
	uint64_t records;
	uint64_t failed;                    /* datagrams not FRX_OK */
	enum frx_status first_error;
	unsigned int version;
};

static void
decode_pass(struct frx_decoder *dec, const struct dgram *d, size_t n, struct frx_recbuf *rb,
	    uint64_t now_ms, struct pass_result *r)
{
	struct frx_pdu_info info;

	for (size_t i = 0; i < n; i++) {
		enum frx_status st = frx_decode(dec, d[i].data, d[i].len, &d[i].exp, now_ms, rb, &info);

		/* the worker packs its window at the end of each burst */
		if (rb->refill == window_pack && (i % FRX_BENCH_BURST == FRX_BENCH_BURST - 1 || i + 1 == n))
			window_pack(rb);

		r->records += info.records_written;
		if (st != FRX_OK) {
			if (r->failed++ == 0)
				r->first_error = st;
		}
		if (info.version)
			r->version = info.version;
	}
}

static int
bench_file(const char *path, double seconds, uint32_t window, int pack)
{
	struct packer pk = { NULL };
	struct frx_decoder_conf conf;
	struct frx_decoder *dec;
	struct frames frames;
	struct dgram *d;
	struct frx_flowrec *recs;
	struct frx_recbuf rb;
	struct pass_result warm = { 0 }, run = { 0 };
	size_t n, skipped, bytes = 0;
	uint64_t passes = 0, per_pass, decap_loops = 0, capacity;
	double t0, decap_s, decode_s;
	uint64_t now_ms = wall_ms();

	if (load_frames(path, &frames) < 0)
		return -1;
	d = decap_all(&frames, &n, &skipped);
	if (n == 0) {
		fprintf(stderr, "flowrx-decode-bench: %s: no UDP datagram\n", path);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		bytes += d[i].len;

	frx_decoder_conf_defaults(&conf);
	dec = frx_decoder_create(&conf);
	if (dec == NULL) {
		fprintf(stderr, "flowrx-decode-bench: decoder: %s\n", strerror(errno));
		return -1;
	}

	/* Warm-up pass: learns the templates, sizes the array. */
	{
		struct frx_flowrec *probe = malloc(sizeof(*probe) * 1024);
		struct frx_recbuf prb;

		if (probe == NULL)
			return -1;
		frx_recbuf_init_array(&prb, probe, 1024);
		prb.refill = window_reuse;
		decode_pass(dec, d, n, &prb, now_ms, &warm);
		free(probe);
	}
	per_pass = warm.records;
	capacity = window ? window : per_pass > (1u << 20) ? per_pass : (1u << 20);
	recs = aligned_alloc(64, ((capacity * sizeof(*recs)) + 63) & ~(size_t)63);
	if (recs == NULL) {
		perror("flowrx-decode-bench");
		return -1;
	}
	memset(recs, 0, capacity * sizeof(*recs)); /* fault the pages in before timing */
	frx_recbuf_init_array(&rb, recs, (uint32_t)capacity);
	rb.refill = window_reuse;
	if (pack) {
		pk.pool = aligned_alloc(64, FRX_BENCH_BLOCKS * ((sizeof(*pk.pool) + 63) & ~(size_t)63));
		if (pk.pool == NULL) {
			perror("flowrx-decode-bench");
			return -1;
		}
		memset(pk.pool, 0, FRX_BENCH_BLOCKS * sizeof(*pk.pool)); /* fault the pages in */
		pk.blk = pk.pool;
		frx_recpack_stream_init(&pk.ps, pk.blk->payload, sizeof(pk.blk->payload), FRX_BLOCK_RECORDS, 0);
		rb.refill = window_pack;
		rb.owner = &pk;
		rb.pack = &pk.ps;
		rb.pack_full = pack_full;
	}

	/* Decapsulation alone (what flowrx's worker does before decode). */
	t0 = now_s();
	do {
		static const struct frx_pkt_conf any_port = { .nb_listen_ports = 0 };
		struct frx_pkt_info info;
		volatile uint32_t sink = 0;

		for (size_t i = 0; i < frames.n; i++)
			if (frx_pkt_decap(frames.data[i], frames.len[i], &any_port, &info) == FRX_OK)
				sink += info.payload_len;
		decap_loops++;
	} while (now_s() - t0 < seconds / 4);
	decap_s = now_s() - t0;

	t0 = now_s();
	do {
		decode_pass(dec, d, n, &rb, now_ms, &run);
		passes++;
	} while (now_s() - t0 < seconds);
	decode_s = now_s() - t0;

	if (run.records != per_pass * passes || run.failed)
		fprintf(stderr, "flowrx-decode-bench: %s: %" PRIu64 " records in %" PRIu64 " passes of %" PRIu64
				", %" PRIu64 " datagrams failed (first: %s)\n",
			path, run.records, passes, per_pass, run.failed, frx_status_name(run.first_error));
	if (warm.failed)
		fprintf(stderr, "flowrx-decode-bench: %s: warm-up pass: %" PRIu64 " datagrams failed (first: %s)\n",
			path, warm.failed, frx_status_name(warm.first_error));

	{
		double dgrams = (double)n * (double)passes;
		double recs_s = (double)run.records / decode_s;
		double decap_ns = decap_s * 1e9 / ((double)frames.n * (double)decap_loops);

		printf("%s: v%u, %zu datagrams (%zu skipped), %" PRIu64 " records a pass, %.1f records a datagram; "
		       "%" PRIu64 " passes in %.2f s into a %s of %" PRIu64 " records%s\n",
		       path, run.version, n, skipped, per_pass, (double)per_pass / (double)n, passes, decode_s,
		       window ? "small window" : "large array", capacity,
		       pack ? ", packed into file blocks as the worker does" : "");
		if (pack)
			printf("  %" PRIu64 " blocks sealed, %.1f bytes a record packed\n", pk.blocks,
			       (double)pk.ps.len / (pk.ps.count ? (double)pk.ps.count : 1.0));
		printf("  %s: %.2f M records/s, %.1f ns/record, %.0f ns/datagram, %.2f M datagrams/s, %.2f GB/s of payload\n",
		       pack ? "decode+pack" : "decode", recs_s / 1e6, decode_s * 1e9 / (double)run.records, decode_s * 1e9 / dgrams,
		       dgrams / decode_s / 1e6, (double)bytes * (double)passes / decode_s / 1e9);
		printf("  decap:  %.1f ns/frame\n", decap_ns);
		printf("simd=%d packed_bytes_per_record=%.1f ", frx_ipfix_simd_active(),
		       pack ? (double)pk.ps.len / (pk.ps.count ? (double)pk.ps.count : 1.0) : 0.0);
		printf("mode=%s version=%u records_per_pass=%" PRIu64 " datagrams=%zu records_per_s=%.0f ns_per_record=%.2f "
		       "ns_per_datagram=%.1f decap_ns_per_frame=%.1f failed=%" PRIu64 "\n",
		       pack ? "pack" : window ? "window" : "array", run.version, per_pass, n, recs_s, decode_s * 1e9 / (double)run.records, decode_s * 1e9 / dgrams,
		       decap_ns, run.failed + warm.failed);
	}
	fflush(stdout);
	free(recs);
	free(pk.pool);
	free(d);
	free_frames(&frames);
	frx_decoder_free(dec);
	return run.failed || warm.failed ? -1 : 0;
}

int
main(int argc, char **argv)
{
	double seconds = 2.0;
	unsigned long window = 0;
	int c, rc = 0, pack = 0;

	while ((c = getopt(argc, argv, "ps:w:h")) != -1) {
		switch (c) {
		case 's':
			seconds = strtod(optarg, NULL);
			if (seconds <= 0)
				seconds = 2.0;
			break;
		case 'p':
			pack = 1;
			break;
		case 'w':
			window = strtoul(optarg, NULL, 0);
			if (window > (1u << 26))
				window = 1u << 26;
			break;
		default:
			fprintf(stderr, "usage: %s [-p] [-s SECONDS] [-w WINDOW_RECORDS] FILE.pcap...\n", argv[0]);
			return 2;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "usage: %s [-p] [-s SECONDS] [-w WINDOW_RECORDS] FILE.pcap...\n", argv[0]);
		return 2;
	}
	for (int i = optind; i < argc; i++)
		if (bench_file(argv[i], seconds, pack && window == 0 ? FRX_BENCH_WINDOW : (uint32_t)window, pack) < 0)
			rc = 1;
	return rc;
}
