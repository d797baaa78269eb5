/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NetFlow v8: router-based aggregation, fourteen fixed record layouts.
 *
 * One table describes each scheme as its record size, Cisco's per-PDU limit
 * and the offset of every field it carries; one loop decodes all fourteen by
 * reading the fields the table names, so a scheme is a row of data, not a
 * function. Layouts follow Cisco's aggregation export formats as flow-tools
 * (lib/ftlib.h) and pmacct (nfacctd.h) encode them, checked against
 * Wireshark's packet-netflow.c; docs/netflow-v8.md lists the differences.
 *
 * Lengths and limits are treated as in lib/nf5.c: the datagram must hold
 * exactly the header and `count` records, and a count above the scheme's
 * limit is kept and flagged.
 */
#include "nf8.h"

#include "wire.h"

#include <endian.h>
#include <string.h>

#include "uptime.h"

/* Every field any scheme carries; each has one wire width. */
enum nf8_field {
	F_FLOWS,      /* u32 dFlows: main-cache flows in the aggregate */
	F_PKTS,       /* u32 dPkts */
	F_OCTETS,     /* u32 dOctets */
	F_FIRST,      /* u32 sysUptime of the first packet */
	F_LAST,       /* u32 sysUptime of the last packet */
	F_SRCADDR,    /* IPv4 source address or prefix */
	F_DSTADDR,    /* IPv4 destination address or prefix */
	F_ROUTER_SC,  /* IPv4 router shortcut (Catalyst schemes) */
	F_SRCPORT,    /* u16 */
	F_DSTPORT,    /* u16 */
	F_SRC_AS,     /* u16 */
	F_DST_AS,     /* u16 */
	F_INPUT,      /* u16 ifIndex */
	F_OUTPUT,     /* u16 ifIndex */
	F_SRC_MASK,   /* u8 */
	F_DST_MASK,   /* u8 */
	F_PROT,       /* u8 */
	F_TOS,        /* u8 */
	F_COUNT
};

struct nf8_layout {
	uint8_t record_len;
	uint8_t spec_max_count;
	/* offset + 1 of each field in the record; 0: the scheme lacks it */
	uint8_t at[F_COUNT];
};

#define AT(offset) ((uint8_t)((offset) + 1))

/* The counters and times every non-Catalyst scheme starts with. */
#define AGG_HEAD \
	[F_FLOWS] = AT(0), [F_PKTS] = AT(4), [F_OCTETS] = AT(8), [F_FIRST] = AT(12), [F_LAST] = AT(16)

static const struct nf8_layout layouts[] = {
	[FRX_NF8_AS] = { 28, 51, { AGG_HEAD,
		[F_SRC_AS] = AT(20), [F_DST_AS] = AT(22), [F_INPUT] = AT(24), [F_OUTPUT] = AT(26) } },
	[FRX_NF8_PROTO_PORT] = { 28, 51, { AGG_HEAD,
		[F_PROT] = AT(20), /* pad 21, reserved 22-23 */
		[F_SRCPORT] = AT(24), [F_DSTPORT] = AT(26) } },
	[FRX_NF8_SRC_PREFIX] = { 32, 44, { AGG_HEAD,
		[F_SRCADDR] = AT(20), [F_SRC_MASK] = AT(24), /* pad 25 */
		[F_SRC_AS] = AT(26), [F_INPUT] = AT(28) /* reserved 30-31 */ } },
	[FRX_NF8_DST_PREFIX] = { 32, 44, { AGG_HEAD,
		[F_DSTADDR] = AT(20), [F_DST_MASK] = AT(24), /* pad 25 */
		[F_DST_AS] = AT(26), [F_OUTPUT] = AT(28) /* reserved 30-31 */ } },
	/*
	 * Destination mask before source mask in all three prefix-pair schemes
	 * (flow-tools, pmacct); Wireshark reads them the other way round.
	 */
	[FRX_NF8_PREFIX] = { 40, 35, { AGG_HEAD,
		[F_SRCADDR] = AT(20), [F_DSTADDR] = AT(24), [F_DST_MASK] = AT(28),
		[F_SRC_MASK] = AT(29), /* reserved 30-31 */
		[F_SRC_AS] = AT(32), [F_DST_AS] = AT(34), [F_INPUT] = AT(36), [F_OUTPUT] = AT(38) } },
	/*
	 * The Catalyst flow-mask schemes have no flow count and lead with the
	 * addresses; marked_tos and extra_pkts (traffic over a policing
	 * contract) have no place in the record and are skipped.
	 */
	[FRX_NF8_DESTONLY] = { 32, 44, {
		[F_DSTADDR] = AT(0), [F_PKTS] = AT(4), [F_OCTETS] = AT(8), [F_FIRST] = AT(12),
		[F_LAST] = AT(16), [F_OUTPUT] = AT(20), [F_TOS] = AT(22), /* marked_tos 23 */
		/* extra_pkts 24-27 */ [F_ROUTER_SC] = AT(28) } },
	[FRX_NF8_SRC_DST] = { 40, 35, {
		[F_DSTADDR] = AT(0), [F_SRCADDR] = AT(4), [F_PKTS] = AT(8), [F_OCTETS] = AT(12),
		[F_FIRST] = AT(16), [F_LAST] = AT(20), [F_OUTPUT] = AT(24), [F_INPUT] = AT(26),
		[F_TOS] = AT(28), /* marked_tos 29, reserved 30-31, extra_pkts 32-35 */
		[F_ROUTER_SC] = AT(36) } },
	[FRX_NF8_FULL_FLOW] = { 44, 32, {
		[F_DSTADDR] = AT(0), [F_SRCADDR] = AT(4), [F_DSTPORT] = AT(8), [F_SRCPORT] = AT(10),
		[F_PKTS] = AT(12), [F_OCTETS] = AT(16), [F_FIRST] = AT(20), [F_LAST] = AT(24),
		[F_OUTPUT] = AT(28), [F_INPUT] = AT(30), [F_TOS] = AT(32), [F_PROT] = AT(33),
		/* marked_tos 34, reserved 35, extra_pkts 36-39 */ [F_ROUTER_SC] = AT(40) } },
	/* Interfaces before ToS, per Cisco's AS-ToS figure (Wireshark differs). */
	[FRX_NF8_AS_TOS] = { 32, 44, { AGG_HEAD,
		[F_SRC_AS] = AT(20), [F_DST_AS] = AT(22), [F_INPUT] = AT(24), [F_OUTPUT] = AT(26),
		[F_TOS] = AT(28) /* pad 29, reserved 30-31 */ } },
	[FRX_NF8_PROTO_PORT_TOS] = { 32, 44, { AGG_HEAD,
		[F_PROT] = AT(20), [F_TOS] = AT(21), /* reserved 22-23 */
		[F_SRCPORT] = AT(24), [F_DSTPORT] = AT(26), [F_INPUT] = AT(28), [F_OUTPUT] = AT(30) } },
	[FRX_NF8_SRC_PREFIX_TOS] = { 32, 44, { AGG_HEAD,
		[F_SRCADDR] = AT(20), [F_SRC_MASK] = AT(24), [F_TOS] = AT(25),
		[F_SRC_AS] = AT(26), [F_INPUT] = AT(28) /* reserved 30-31 */ } },
	[FRX_NF8_DST_PREFIX_TOS] = { 32, 44, { AGG_HEAD,
		[F_DSTADDR] = AT(20), [F_DST_MASK] = AT(24), [F_TOS] = AT(25),
		[F_DST_AS] = AT(26), [F_OUTPUT] = AT(28) /* reserved 30-31 */ } },
	[FRX_NF8_PREFIX_TOS] = { 40, 35, { AGG_HEAD,
		[F_SRCADDR] = AT(20), [F_DSTADDR] = AT(24), [F_DST_MASK] = AT(28),
		[F_SRC_MASK] = AT(29), [F_TOS] = AT(30), /* pad 31 */
		[F_SRC_AS] = AT(32), [F_DST_AS] = AT(34), [F_INPUT] = AT(36), [F_OUTPUT] = AT(38) } },
	[FRX_NF8_PREFIX_PORT] = { 40, 35, { AGG_HEAD,
		[F_SRCADDR] = AT(20), [F_DSTADDR] = AT(24), [F_DST_MASK] = AT(28),
		[F_SRC_MASK] = AT(29), [F_TOS] = AT(30), [F_PROT] = AT(31),
		[F_SRCPORT] = AT(32), [F_DSTPORT] = AT(34), [F_INPUT] = AT(36), [F_OUTPUT] = AT(38) } },
};

#define NB_LAYOUTS (sizeof(layouts) / sizeof(layouts[0]))

/* Header offsets (Cisco "Version 8 Header Format"). */
enum {
	H_VERSION = 0, H_COUNT = 2, H_UPTIME = 4, H_SECS = 8, H_NSECS = 12, H_SEQUENCE = 16,
	H_ENGINE_TYPE = 20, H_ENGINE_ID = 21, H_AGGREGATION = 22, H_AGG_VERSION = 23,
	/* reserved 24-27 */
};

static inline int
has(const struct nf8_layout *l, enum nf8_field f)
{
	return l->at[f] != 0;
}

/* Only for fields the scheme has. */
static inline const uint8_t *
field(const uint8_t *r, const struct nf8_layout *l, enum nf8_field f)
{
	return r + l->at[f] - 1;
}

/* An address field; absent ones are 0.0.0.0, the record being an IPv4 one. */
static inline const uint8_t *
v4_or_zero(const uint8_t *r, const struct nf8_layout *l, enum nf8_field f)
{
	static const uint8_t zero[4];

	return has(l, f) ? field(r, l, f) : zero;
}

/* A sysUptime stamp as epoch ms; some exporters count seconds (operator's quirk, as in nf5). */
static inline uint64_t
stamp_ms(const struct frx_pdu_info *hdr, const struct frx_exporter *exp, uint32_t stamp)
{
	if (exp->uptime_in_seconds)
		return frx_uptime_s_to_epoch_ms(hdr->export_ms, hdr->sys_uptime_ms, stamp);
	return frx_uptime_to_epoch_ms(hdr->export_ms, hdr->sys_uptime_ms, stamp);
}

static const struct nf8_layout *
layout_of(unsigned int aggregation)
{
	if (aggregation >= NB_LAYOUTS || layouts[aggregation].record_len == 0)
		return NULL;
	return &layouts[aggregation];
}

unsigned int
frx_nf8_record_len(unsigned int aggregation)
{
	const struct nf8_layout *l = layout_of(aggregation);

	return l != NULL ? l->record_len : 0;
}

unsigned int
frx_nf8_spec_max_count(unsigned int aggregation)
{
	const struct nf8_layout *l = layout_of(aggregation);

	return l != NULL ? l->spec_max_count : 0;
}

static enum frx_status
parse_header(const uint8_t *pdu, uint32_t len, struct frx_pdu_info *hdr,
	     const struct nf8_layout **lp)
{
	const struct nf8_layout *l;
	uint32_t unix_secs, unix_nsecs;

	memset(hdr, 0, sizeof(*hdr));
	if (len < 4)
		return FRX_ETRUNCATED;
	hdr->version = frx_rd16(pdu + H_VERSION);
	hdr->count = frx_rd16(pdu + H_COUNT);
	if (hdr->version != 8)
		return FRX_EBAD_VERSION;
	if (len < FRX_NF8_HEADER_LEN)
		return FRX_ETRUNCATED;
	hdr->sys_uptime_ms = frx_rd32(pdu + H_UPTIME);
	unix_secs = frx_rd32(pdu + H_SECS);
	unix_nsecs = frx_rd32(pdu + H_NSECS);
	hdr->export_ms = (uint64_t)unix_secs * 1000 + unix_nsecs / 1000000;
	hdr->sequence = frx_rd32(pdu + H_SEQUENCE);
	hdr->engine_type = pdu[H_ENGINE_TYPE];
	hdr->engine_id = pdu[H_ENGINE_ID];
	hdr->v8_aggregation = pdu[H_AGGREGATION];
	/*
	 * The layout is unknown for another scheme or aggregation version, so
	 * neither count nor length can be judged: checked first.
	 */
	l = layout_of(hdr->v8_aggregation);
	if (l == NULL || pdu[H_AGG_VERSION] != FRX_NF8_AGG_VERSION)
		return FRX_EV8_BAD_AGGREGATION;
	if (hdr->count == 0)
		return FRX_EZERO_COUNT;
	if (len != FRX_NF8_HEADER_LEN + (uint32_t)hdr->count * l->record_len)
		return FRX_EBAD_COUNT;
	hdr->count_above_spec = hdr->count > l->spec_max_count;
	*lp = l;
	return FRX_OK;
}

enum frx_status
frx_nf8_decode(const uint8_t *pdu, uint32_t len, const struct frx_exporter *exp,
	       struct frx_recbuf *out, struct frx_pdu_info *hdr)
{
	const struct nf8_layout *l = NULL;
	enum frx_status st;
	const uint8_t *r;
	uint8_t flags;

	st = parse_header(pdu, len, hdr, &l);
	if (st != FRX_OK)
		return st;

	flags = (exp->is_v6 ? FRX_REC_F_EXPORTER_IPV6 : 0) |
		(hdr->count_above_spec ? FRX_REC_F_COUNT_ABOVE_SPEC : 0);
	r = pdu + FRX_NF8_HEADER_LEN;
	for (uint32_t i = 0; i < hdr->count; i++, r += l->record_len) {
		struct frx_flowrec *rec = frx_recbuf_next(out);

		if (rec == NULL) {
			hdr->records_dropped = hdr->count - i;
			return FRX_ENO_BLOCK;
		}
		hdr->records_written++;

		/* Every scheme counts packets and bytes between two uptimes. */
		rec->packets = frx_rd32(field(r, l, F_PKTS));
		rec->bytes = frx_rd32(field(r, l, F_OCTETS));
		rec->first_ms = stamp_ms(hdr, exp, frx_rd32(field(r, l, F_FIRST)));
		rec->last_ms = stamp_ms(hdr, exp, frx_rd32(field(r, l, F_LAST)));
		/* A Catalyst record is one flow-cache entry: it stands for one flow. */
		rec->flows = has(l, F_FLOWS) ? frx_rd32(field(r, l, F_FLOWS)) : 1;

		frx_addr_set_v4(rec->src_addr, v4_or_zero(r, l, F_SRCADDR));
		frx_addr_set_v4(rec->dst_addr, v4_or_zero(r, l, F_DSTADDR));
		frx_addr_set_v4(rec->next_hop, v4_or_zero(r, l, F_ROUTER_SC));
		if (has(l, F_SRC_MASK))
			rec->src_mask = *field(r, l, F_SRC_MASK);
		if (has(l, F_DST_MASK))
			rec->dst_mask = *field(r, l, F_DST_MASK);
		if (has(l, F_SRCPORT))
			rec->src_port = frx_rd16(field(r, l, F_SRCPORT));
		if (has(l, F_DSTPORT))
			rec->dst_port = frx_rd16(field(r, l, F_DSTPORT));
		if (has(l, F_PROT))
			rec->proto = *field(r, l, F_PROT);
		if (has(l, F_TOS))
			rec->tos = *field(r, l, F_TOS);
		if (has(l, F_SRC_AS))
			rec->src_as = frx_rd16(field(r, l, F_SRC_AS));
		if (has(l, F_DST_AS))
			rec->dst_as = frx_rd16(field(r, l, F_DST_AS));
		if (has(l, F_INPUT))
			rec->in_if = frx_rd16(field(r, l, F_INPUT));
		if (has(l, F_OUTPUT))
			rec->out_if = frx_rd16(field(r, l, F_OUTPUT));

		memcpy(rec->exporter_addr, exp->addr, 16);
		rec->exporter_port = exp->port;
		rec->version = 8;
		rec->engine_type = hdr->engine_type;
		rec->engine_id = hdr->engine_id;
		/* The v8 header carries no sampling; only the operator can tell. */
		rec->sampling_interval = exp->sampling_override;
		rec->flags = flags;
	}
	return FRX_OK;
}
