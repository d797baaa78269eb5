/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writes the committed fuzz seed corpus:  mkseeds tests/fuzz/corpus
 *   corpus/pkt/     frames: IPv4/IPv6, VLAN, QinQ, fragments, bad checksums
 *   corpus/decode/  PDUs: v1/v5/v6/v7, good, short, lying counts;
 *                   v8: one per aggregation scheme, one unknown scheme
 *   corpus/ffile/   flow files: complete, without END, torn
 * Regenerate after a format change; add crash inputs by hand next to these.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ffile.h"
#include "ipfixbuild.h"
#include "nfbuild.h"

static const char *root;

static void
put(const char *sub, const char *name, const void *data, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, sub);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", root, sub, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static size_t
pdu(uint8_t *buf, unsigned int version, unsigned int n, uint16_t count)
{
	struct tb_flow flows[32];
	struct tb_hdr h = { .version = (uint16_t)version, .count = count, .sys_uptime = 100000,
			    .unix_secs = 1763900000, .sequence = 42, .engine_id = 1,
			    .sampling = 0x4010 };

	for (unsigned int i = 0; i < n; i++)
		flows[i] = (struct tb_flow){ .src = 0x0a000001 + i, .dst = 0x0a000101, .packets = i + 1,
					     .bytes = 100 * (i + 1), .first_uptime = 90000,
					     .last_uptime = 99000, .src_port = 1000, .dst_port = 53,
					     .proto = 17 };
	return tb_build_nf(buf, 65536, &h, flows, n);
}

static void
seeds_decode_and_pkt(void)
{
	static uint8_t buf[65536], frame[70000];
	static const unsigned int versions[] = { 1, 5, 6, 7 };
	struct tb_l3 l3;
	char name[64];
	size_t len, flen;

	for (unsigned int i = 0; i < 4; i++) {
		unsigned int v = versions[i];

		len = pdu(buf, v, 3, 0);
		snprintf(name, sizeof(name), "v%u-3", v);
		put("decode", name, buf, len);
		snprintf(name, sizeof(name), "v%u-short", v);
		put("decode", name, buf, len - 7);
		len = pdu(buf, v, 2, 9);
		snprintf(name, sizeof(name), "v%u-count-lies", v);
		put("decode", name, buf, len);
	}
	len = pdu(buf, 1, 29, 0);
	put("decode", "v1-29", buf, len);

	len = pdu(buf, 5, 2, 0);
	tb_l3_v4(&l3, "192.0.2.1", "192.0.2.2", 4000, 2055);
	flen = tb_build_frame(frame, sizeof(frame), &l3, buf, len);
	put("pkt", "ipv4", frame, flen);
	l3.vlans[0] = 10;
	flen = tb_build_frame(frame, sizeof(frame), &l3, buf, len);
	put("pkt", "vlan", frame, flen);
	l3.vlans[1] = 20;
	flen = tb_build_frame(frame, sizeof(frame), &l3, buf, len);
	put("pkt", "qinq", frame, flen);
	l3.vlans[0] = l3.vlans[1] = 0;
	l3.fragment = 1;
	flen = tb_build_frame(frame, sizeof(frame), &l3, buf, len);
	put("pkt", "fragment", frame, flen);
	l3.fragment = 0;
	l3.bad_udp_checksum = 1;
	flen = tb_build_frame(frame, sizeof(frame), &l3, buf, len);
	put("pkt", "bad-udp-csum", frame, flen);
	tb_l3_v6(&l3, "2001:db8::1", "2001:db8::2", 4000, 4739);
	flen = tb_build_frame(frame, sizeof(frame), &l3, buf, len);
	put("pkt", "ipv6", frame, flen);
}

/* One v8 PDU per aggregation scheme, each field set, and an unknown scheme. */
static void
seeds_v8(void)
{
	static uint8_t buf[65536];
	struct tb_v8_rec r[3];
	struct tb_v8_hdr h = { .sys_uptime = 100000, .unix_secs = 1763900000, .sequence = 42,
			       .engine_type = 0, .engine_id = 1, .agg_version = TB_V8_AGG_VERSION };
	char name[64];
	size_t len;

	for (unsigned int i = 0; i < 3; i++)
		r[i] = (struct tb_v8_rec){ .flows = 2 + i, .packets = 10 * (i + 1), .bytes = 1000 * (i + 1),
					   .first_uptime = 90000, .last_uptime = 99000,
					   .src = 0x0a010000, .dst = 0x0a020000 + (i << 8), .src_mask = 16,
					   .dst_mask = 24, .src_port = 1000, .dst_port = 53, .proto = 17,
					   .tos = 0x10, .src_as = 64500, .dst_as = 64501, .in_if = 1,
					   .out_if = 2, .router_sc = 0x0a0000fe };
	for (unsigned int a = 1; a <= 14; a++) {
		h.aggregation = (uint8_t)a;
		len = tb_build_v8(buf, sizeof(buf), &h, r, 3);
		snprintf(name, sizeof(name), "v8-agg%u-3", a);
		put("decode", name, buf, len);
	}
	/* an AS PDU relabelled as scheme 15, which does not exist */
	h.aggregation = 1;
	len = tb_build_v8(buf, sizeof(buf), &h, r, 1);
	buf[22] = 15;
	put("decode", "v8-agg15-unknown", buf, len);
}

static void
seeds_ffile(void)
{
	static struct frx_block blk;
	struct frx_ffile_writer_conf conf = { .rotate_seconds = 0 };
	struct frx_ffile_writer *w;
	char dir[] = "/tmp/frx-seeds.XXXXXX", **paths;
	uint8_t *data;
	long size;
	FILE *f;
	int n;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	conf.dir = dir;
	w = frx_ffile_writer_open(&conf);
	if (w == NULL) {
		perror("writer");
		exit(1);
	}
	for (unsigned int b = 0; b < 2; b++) {
		memset(&blk, 0, sizeof(blk));
		blk.hdr.record_count = 2;
		for (unsigned int i = 0; i < 2; i++) {
			blk.recs[i].first_ms = 1763900000000ull + i;
			blk.recs[i].last_ms = 1763900001000ull + i;
			blk.recs[i].packets = 1 + b;
			blk.recs[i].version = 5;
		}
		frx_block_seal(&blk);
		frx_ffile_writer_append(w, &blk);
	}
	frx_ffile_writer_close(w);
	n = frx_ffile_list_dir(dir, &paths);
	if (n != 1) {
		fprintf(stderr, "mkseeds: expected one file in %s\n", dir);
		exit(1);
	}
	f = fopen(paths[0], "rb");
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	data = malloc((size_t)size);
	if (fread(data, 1, (size_t)size, f) != (size_t)size)
		exit(1);
	fclose(f);
	put("ffile", "complete", data, (size_t)size);
	/* without the END block: header + 2 blocks of 2 records */
	put("ffile", "no-end", data, FRX_FILE_HEADER_SIZE + 2 * (FRX_BLOCK_HEADER_SIZE + 2 * sizeof(struct frx_flowrec)));
	put("ffile", "torn", data, (size_t)size - 100);
	unlink(paths[0]);
	rmdir(dir);
	frx_ffile_list_free(paths, n);
	free(data);
}


/* v9 and IPFIX messages: templates with data, options, varlen, withdrawal.
 * The decode harness keeps template state across inputs, so data-only
 * seeds after template seeds reach the record decoder too. */
static void
seeds_ipfix(void)
{
	static struct ib_msg m;
	static const struct ib_field v9f[] = { { 8, 4 }, { 12, 4 }, { 7, 2 }, { 11, 2 }, { 4, 1 }, { 2, 4 },
					       { 1, 4 }, { 22, 4 }, { 21, 4 }, { 10, 2 }, { 14, 2 } };
	static const struct ib_field v9opt[] = { { 2, 4 }, { 82, 8 }, { 34, 4 }, { 48, 1 }, { 50, 4 } };
	static const struct ib_field ixf[] = { { 27, 16 }, { 28, 16 }, { 7, 2 }, { 11, 2 }, { 4, 1 }, { 6, 2 },
					       { 82, 0xffff }, { 4242, 4, 9 }, { 2, 8 }, { 1, 8 }, { 152, 8 },
					       { 153, 8 }, { 48, 1 }, { 61, 1 } };
	static const struct ib_field ixopt[] = { { 10, 4 }, { 83, 0xffff }, { 302, 4 }, { 305, 4 }, { 306, 4 },
						 { 160, 8 } };
	size_t len;

	ib_begin(&m, 9, 100000, 1763900000, 1, 7);
	ib_set(&m, 0);
	ib_template(&m, 256, v9f, 11);
	ib_set(&m, 1);
	ib_options_template(&m, 257, v9opt, 5, 1);
	ib_set(&m, 257);
	ib_uint(&m, 3, 4); ib_bytes(&m, "Gi0/3\0\0\0", 8); ib_uint(&m, 100, 4); ib_uint(&m, 1, 1);
	ib_uint(&m, 100, 4);
	ib_set(&m, 256);
	for (int i = 0; i < 3; i++) {
		ib_ip4(&m, "10.0.0.1"); ib_ip4(&m, "10.0.0.2"); ib_uint(&m, 1000, 2); ib_uint(&m, 53, 2);
		ib_uint(&m, 17, 1); ib_uint(&m, 1, 4); ib_uint(&m, 100, 4); ib_uint(&m, 90000, 4);
		ib_uint(&m, 99000, 4); ib_uint(&m, 3, 2); ib_uint(&m, 4, 2);
	}
	len = ib_end(&m);
	put("decode", "v9-templates-options-data", m.buf, len);

	ib_begin(&m, 9, 100000, 1763900000, 2, 7);
	ib_set(&m, 256);
	ib_ip4(&m, "10.0.0.1"); ib_ip4(&m, "10.0.0.2"); ib_uint(&m, 1000, 2); ib_uint(&m, 53, 2);
	ib_uint(&m, 17, 1); ib_uint(&m, 1, 4); ib_uint(&m, 100, 4); ib_uint(&m, 90000, 4);
	ib_uint(&m, 99000, 4); ib_uint(&m, 3, 2); ib_uint(&m, 4, 2);
	len = ib_end(&m);
	put("decode", "v9-data-only", m.buf, len);

	ib_begin(&m, 10, 0, 1763900000, 1, 9);
	ib_set(&m, 2);
	ib_template(&m, 300, ixf, 14);
	ib_set(&m, 3);
	ib_options_template(&m, 301, ixopt, 6, 1);
	ib_set(&m, 301);
	ib_uint(&m, 7, 4); ib_varlen(&m, "uplink", 6, 1); ib_uint(&m, 1, 4); ib_uint(&m, 1, 4);
	ib_uint(&m, 99, 4); ib_uint(&m, 1763800000000ull, 8);
	ib_set(&m, 300);
	for (int i = 0; i < 2; i++) {
		ib_ip6(&m, "2001:db8::1"); ib_ip6(&m, "2001:db8::2"); ib_uint(&m, 443, 2); ib_uint(&m, 5000, 2);
		ib_uint(&m, 6, 1); ib_uint(&m, 0x12, 2); ib_varlen(&m, "eth0", 4, i);
		ib_uint(&m, 0, 4); ib_uint(&m, 10, 8); ib_uint(&m, 1000, 8);
		ib_uint(&m, 1763899990000ull, 8); ib_uint(&m, 1763899999000ull, 8); ib_uint(&m, 1, 1);
		ib_uint(&m, 0, 1);
	}
	ib_set_end(&m, 2);
	len = ib_end(&m);
	put("decode", "ipfix-templates-options-data", m.buf, len);

	ib_begin(&m, 10, 0, 1763900000, 2, 9);
	ib_set(&m, 2);
	ib_withdraw(&m, 300);
	ib_withdraw(&m, 2);
	ib_set(&m, 3);
	ib_withdraw(&m, 3);
	len = ib_end(&m);
	put("decode", "ipfix-withdrawals", m.buf, len);
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	root = argv[1];
	if (mkdir(root, 0755) != 0 && errno != EEXIST) {
		perror(root);
		return 1;
	}
	seeds_decode_and_pkt();
	seeds_v8();
	seeds_ipfix();
	seeds_ffile();
	return 0;
}
