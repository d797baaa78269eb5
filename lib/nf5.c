/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NetFlow v1, v5, v6, v7: fixed-size IPv4 flow records after a header.
 *
 * One table gives each version's header size, record size and spec limit;
 * the record fields the versions share sit at the same offsets (Cisco
 * "NetFlow Export Datagram Format"), so one loop decodes all four and only
 * the few bytes that differ are read per version.
 *
 * Strict about lengths, lenient about limits: the datagram must hold exactly
 * the header and `count` records (trailing bytes are refused, since an
 * exporter that pads or lies about count cannot be trusted for the rest),
 * but a count above the spec's maximum is stored and flagged, because real
 * exporters (softflowd -v 1 sends 29 v1 records) exceed it.
 */
#include "nf5.h"

#include "wire.h"

#include <endian.h>
#include <string.h>

#include "recpack.h"
#include "uptime.h"

struct nf5_layout {
	uint16_t header_len;
	uint16_t record_len;
	uint16_t spec_max_count;
};

static const struct nf5_layout layouts[8] = {
	[1] = { .header_len = 16, .record_len = 48, .spec_max_count = 24 },
	[5] = { .header_len = 24, .record_len = 48, .spec_max_count = 30 },
	[6] = { .header_len = 24, .record_len = 52, .spec_max_count = 27 },
	[7] = { .header_len = 24, .record_len = 52, .spec_max_count = 27 },
};

/* Offsets in a record common to all four versions. */
enum {
	R_SRCADDR = 0, R_DSTADDR = 4, R_NEXTHOP = 8, R_INPUT = 12, R_OUTPUT = 14,
	R_PKTS = 16, R_OCTETS = 20, R_FIRST = 24, R_LAST = 28, R_SRCPORT = 32, R_DSTPORT = 34,
};

/* v5/v6/v7 tail of the record (v1 differs: prot, tos, flags at 38..40, no AS/masks). */
enum {
	R5_TCP_FLAGS = 37, R5_PROT = 38, R5_TOS = 39, R5_SRC_AS = 40, R5_DST_AS = 42,
	R5_SRC_MASK = 44, R5_DST_MASK = 45,
	R1_PROT = 38, R1_TOS = 39, R1_TCP_FLAGS = 40,
};

unsigned int
frx_nf5_spec_max_count(unsigned int version)
{
	return version < 8 ? layouts[version].spec_max_count : 0;
}

static enum frx_status
parse_header(const uint8_t *pdu, uint32_t len, struct frx_pdu_info *hdr, const struct nf5_layout **lp)
{
	const struct nf5_layout *l;
	uint32_t unix_secs, unix_nsecs;

	memset(hdr, 0, sizeof(*hdr));
	if (len < 4)
		return FRX_ETRUNCATED;
	hdr->version = frx_rd16(pdu);
	hdr->count = frx_rd16(pdu + 2);
	if (hdr->version >= 8 || layouts[hdr->version].header_len == 0)
		return FRX_EBAD_VERSION;
	l = &layouts[hdr->version];
	if (len < l->header_len)
		return FRX_ETRUNCATED;
	hdr->sys_uptime_ms = frx_rd32(pdu + 4);
	unix_secs = frx_rd32(pdu + 8);
	unix_nsecs = frx_rd32(pdu + 12);
	hdr->export_ms = (uint64_t)unix_secs * 1000 + unix_nsecs / 1000000;
	if (hdr->version != 1)
		hdr->sequence = frx_rd32(pdu + 16);
	if (hdr->version == 5 || hdr->version == 6) {
		uint16_t sampling = frx_rd16(pdu + 22);

		hdr->engine_type = pdu[20];
		hdr->engine_id = pdu[21];
		/* Two top bits: mode; 14 bits: interval (Cisco v5 header). */
		hdr->sampling_mode = sampling >> 14;
		hdr->sampling_interval = sampling & 0x3fff;
	}
	*lp = l;
	if (hdr->count == 0)
		return FRX_EZERO_COUNT;
	if (len != l->header_len + (uint32_t)hdr->count * l->record_len)
		return FRX_EBAD_COUNT;
	hdr->count_above_spec = hdr->count > l->spec_max_count;
	return FRX_OK;
}

/* One v1-v7 record's fields, as the wire has them (addresses in network order). */
static inline __attribute__((always_inline)) void
read_flow(const uint8_t *r, const struct frx_pdu_info *hdr, int likely_ms, struct frx_recpack_v4flow *f)
{
	memcpy(f->src, r + R_SRCADDR, 4);
	memcpy(f->dst, r + R_DSTADDR, 4);
	memcpy(f->next_hop, r + R_NEXTHOP, 4);
	f->in_if = frx_rd16(r + R_INPUT);
	f->out_if = frx_rd16(r + R_OUTPUT);
	f->packets = frx_rd32(r + R_PKTS);
	f->bytes = frx_rd32(r + R_OCTETS);
	if (likely_ms) {
		f->first_ms = frx_uptime_to_epoch_ms(hdr->export_ms, hdr->sys_uptime_ms, frx_rd32(r + R_FIRST));
		f->last_ms = frx_uptime_to_epoch_ms(hdr->export_ms, hdr->sys_uptime_ms, frx_rd32(r + R_LAST));
	} else {
		f->first_ms = frx_uptime_s_to_epoch_ms(hdr->export_ms, hdr->sys_uptime_ms, frx_rd32(r + R_FIRST));
		f->last_ms = frx_uptime_s_to_epoch_ms(hdr->export_ms, hdr->sys_uptime_ms, frx_rd32(r + R_LAST));
	}
	f->src_port = frx_rd16(r + R_SRCPORT);
	f->dst_port = frx_rd16(r + R_DSTPORT);
	if (hdr->version == 1) {
		f->proto = r[R1_PROT];
		f->tos = r[R1_TOS];
		f->tcp_flags = r[R1_TCP_FLAGS];
		f->src_as = f->dst_as = 0;
		f->src_mask = f->dst_mask = 0;
	} else {
		f->tcp_flags = r[R5_TCP_FLAGS];
		f->proto = r[R5_PROT];
		f->tos = r[R5_TOS];
		f->src_as = frx_rd16(r + R5_SRC_AS);
		f->dst_as = frx_rd16(r + R5_DST_AS);
		f->src_mask = r[R5_SRC_MASK];
		f->dst_mask = r[R5_DST_MASK];
	}
}

/*
 * The records of a v1-v7 PDU packed straight into the block (out->pack):
 * the same bytes as decoding into the window and packing it, without the
 * 160-byte record in between (half of a v5 worker's time went there).
 */
static enum frx_status
pack_direct(const uint8_t *r, const struct nf5_layout *l, struct frx_pdu_info *hdr, const struct frx_flowrec *base,
	    int likely_ms, struct frx_recbuf *out)
{
	/* records already in the window go first: the block keeps arrival order */
	if (out->count > 0 && (out->refill == NULL || out->refill(out) != 0)) {
		hdr->records_dropped = hdr->count;
		return FRX_ENO_BLOCK;
	}
	for (uint32_t i = 0; i < hdr->count; i++, r += l->record_len) {
		struct frx_recpack_v4flow f;

		read_flow(r, hdr, likely_ms, &f);
		if (!frx_recpack_stream_add_v4flow(out->pack, base, &f) &&
		    (out->pack_full == NULL || out->pack_full(out) != 0 ||
		     !frx_recpack_stream_add_v4flow(out->pack, base, &f))) {
			hdr->records_dropped = hdr->count - i;
			return FRX_ENO_BLOCK;
		}
		hdr->records_written++;
	}
	return FRX_OK;
}

enum frx_status
frx_nf5_decode(const uint8_t *pdu, uint32_t len, const struct frx_exporter *exp,
	       struct frx_recbuf *out, struct frx_pdu_info *hdr)
{
	const struct nf5_layout *l = NULL;
	enum frx_status st;
	static const uint8_t zero4[4];
	struct frx_flowrec base;
	const uint8_t *r;
	uint8_t flags;
	const int likely_ms = !exp->uptime_in_seconds;

	st = parse_header(pdu, len, hdr, &l);
	if (st != FRX_OK)
		return st;

	flags = (exp->is_v6 ? FRX_REC_F_EXPORTER_IPV6 : 0) |
		(hdr->count_above_spec ? FRX_REC_F_COUNT_ABOVE_SPEC : 0);

	/* What every record of the PDU shares, written once: each record then
	 * starts as a copy (no per-record zeroing, no per-record prefix of
	 * the IPv4-mapped addresses) and only its own fields are stored. */
	memset(&base, 0, sizeof(base));
	frx_addr_set_v4(base.src_addr, zero4);
	frx_addr_set_v4(base.dst_addr, zero4);
	frx_addr_set_v4(base.next_hop, zero4);
	memcpy(base.exporter_addr, exp->addr, 16);
	base.exporter_port = exp->port;
	base.version = (uint8_t)hdr->version;
	base.engine_type = hdr->engine_type;
	base.engine_id = hdr->engine_id;
	base.sampling_mode = hdr->sampling_mode;
	base.sampling_interval = exp->sampling_override ? exp->sampling_override : hdr->sampling_interval;
	base.flags = flags;
	base.flows = 1;

	r = pdu + l->header_len;
	if (out->pack != NULL)
		return pack_direct(r, l, hdr, &base, likely_ms, out);
	for (uint32_t i = 0; i < hdr->count; i++, r += l->record_len) {
		struct frx_flowrec *rec = frx_recbuf_next_raw(out);
		struct frx_recpack_v4flow f;

		if (rec == NULL) {
			hdr->records_dropped = hdr->count - i;
			return FRX_ENO_BLOCK;
		}
		hdr->records_written++;

		read_flow(r, hdr, likely_ms, &f);
		*rec = base;
		memcpy(rec->src_addr + 12, f.src, 4);
		memcpy(rec->dst_addr + 12, f.dst, 4);
		memcpy(rec->next_hop + 12, f.next_hop, 4);
		rec->in_if = f.in_if;
		rec->out_if = f.out_if;
		rec->packets = f.packets;
		rec->bytes = f.bytes;
		rec->first_ms = f.first_ms;
		rec->last_ms = f.last_ms;
		rec->src_port = f.src_port;
		rec->dst_port = f.dst_port;
		rec->proto = f.proto;
		rec->tos = f.tos;
		rec->tcp_flags = f.tcp_flags;
		rec->src_as = f.src_as;
		rec->dst_as = f.dst_as;
		rec->src_mask = f.src_mask;
		rec->dst_mask = f.dst_mask;
	}
	return FRX_OK;
}
