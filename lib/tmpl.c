/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Template cache: sessions, templates compiled into operation lists, the
 * backlog of early data sets, expiry, and a seqlock snapshot for the thread
 * that persists templates.
 */
#include "tmpl.h"

#include "flowrec.h"
#include "wire.h"

#include <errno.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

#define NO_SLOT UINT32_MAX

/* ------------------------------------------------------------ IE mapping */

struct ie_map {
	uint8_t target;
	uint8_t rank;      /* several IEs may feed one target: the highest rank present wins */
	uint8_t kind;      /* how the field must look to be used */
};

enum { K_UINT = 1, K_ADDR4, K_ADDR6, K_STRING };

/* IANA IPFIX information elements (v9 field types 1-127 are the same numbers). */
static const struct ie_map ie_table[] = {
	[1] = { FRX_T_BYTES, 4, K_UINT },            /* octetDeltaCount / IN_BYTES */
	[2] = { FRX_T_PACKETS, 4, K_UINT },          /* packetDeltaCount / IN_PKTS */
	[4] = { FRX_T_PROTO, 1, K_UINT },            /* protocolIdentifier */
	[5] = { FRX_T_TOS, 1, K_UINT },              /* ipClassOfService / SRC_TOS */
	[6] = { FRX_T_TCP_FLAGS, 1, K_UINT },        /* tcpControlBits (1 or 2 bytes) */
	[7] = { FRX_T_SRC_PORT, 2, K_UINT },         /* sourceTransportPort */
	[8] = { FRX_T_SRC_ADDR4, 1, K_ADDR4 },       /* sourceIPv4Address */
	[9] = { FRX_T_SRC_MASK, 1, K_UINT },         /* sourceIPv4PrefixLength */
	[10] = { FRX_T_IN_IF, 1, K_UINT },           /* ingressInterface / INPUT_SNMP */
	[11] = { FRX_T_DST_PORT, 2, K_UINT },        /* destinationTransportPort */
	[12] = { FRX_T_DST_ADDR4, 1, K_ADDR4 },      /* destinationIPv4Address */
	[13] = { FRX_T_DST_MASK, 1, K_UINT },        /* destinationIPv4PrefixLength */
	[14] = { FRX_T_OUT_IF, 1, K_UINT },          /* egressInterface / OUTPUT_SNMP */
	[15] = { FRX_T_NEXT_HOP4, 2, K_ADDR4 },      /* ipNextHopIPv4Address */
	[16] = { FRX_T_SRC_AS, 1, K_UINT },          /* bgpSourceAsNumber (2 or 4 bytes) */
	[17] = { FRX_T_DST_AS, 1, K_UINT },          /* bgpDestinationAsNumber */
	[18] = { FRX_T_NEXT_HOP4, 1, K_ADDR4 },      /* bgpNextHopIPv4Address */
	[21] = { FRX_T_LAST_UPTIME, 1, K_UINT },     /* flowEndSysUpTime / LAST_SWITCHED */
	[22] = { FRX_T_FIRST_UPTIME, 1, K_UINT },    /* flowStartSysUpTime / FIRST_SWITCHED */
	[23] = { FRX_T_BYTES, 2, K_UINT },           /* postOctetDeltaCount / OUT_BYTES */
	[24] = { FRX_T_PACKETS, 2, K_UINT },         /* postPacketDeltaCount / OUT_PKTS */
	[27] = { FRX_T_SRC_ADDR6, 1, K_ADDR6 },      /* sourceIPv6Address */
	[28] = { FRX_T_DST_ADDR6, 1, K_ADDR6 },      /* destinationIPv6Address */
	[29] = { FRX_T_SRC_MASK, 1, K_UINT },        /* sourceIPv6PrefixLength */
	[30] = { FRX_T_DST_MASK, 1, K_UINT },        /* destinationIPv6PrefixLength */
	[32] = { FRX_T_ICMP_TYPE_CODE, 2, K_UINT },  /* icmpTypeCodeIPv4 */
	[34] = { FRX_T_SAMPLING_INTERVAL, 1, K_UINT },  /* samplingInterval / SAMPLING_INTERVAL */
	[35] = { FRX_T_SAMPLING_ALGORITHM, 1, K_UINT }, /* samplingAlgorithm */
	[38] = { FRX_T_ENGINE_TYPE, 1, K_UINT },     /* engineType */
	[39] = { FRX_T_ENGINE_ID, 1, K_UINT },       /* engineId */
	[48] = { FRX_T_SAMPLER_ID, 1, K_UINT },      /* samplerId / FLOW_SAMPLER_ID */
	[49] = { FRX_T_SAMPLER_MODE, 1, K_UINT },    /* samplerMode */
	[50] = { FRX_T_SAMPLER_RANDOM_INTERVAL, 1, K_UINT }, /* samplerRandomInterval */
	[58] = { FRX_T_SRC_VLAN, 2, K_UINT },        /* vlanId / SRC_VLAN */
	[59] = { FRX_T_DST_VLAN, 1, K_UINT },        /* postVlanId / DST_VLAN */
	[61] = { FRX_T_DIRECTION, 1, K_UINT },       /* flowDirection / DIRECTION */
	[62] = { FRX_T_NEXT_HOP6, 2, K_ADDR6 },      /* ipNextHopIPv6Address */
	[63] = { FRX_T_NEXT_HOP6, 1, K_ADDR6 },      /* bgpNextHopIPv6Address */
	[82] = { FRX_T_IF_NAME, 1, K_STRING },       /* interfaceName */
	[83] = { FRX_T_IF_DESCR, 1, K_STRING },      /* interfaceDescription */
	[85] = { FRX_T_BYTES, 3, K_UINT },           /* octetTotalCount */
	[86] = { FRX_T_PACKETS, 3, K_UINT },         /* packetTotalCount */
	[89] = { FRX_T_FWD_STATUS, 1, K_UINT },      /* forwardingStatus */
	[94] = { FRX_T_APP_DESCR, 1, K_STRING },     /* applicationDescription */
	[96] = { FRX_T_APP_NAME, 1, K_STRING },      /* applicationName */
	[139] = { FRX_T_ICMP_TYPE_CODE, 1, K_UINT }, /* icmpTypeCodeIPv6 */
	[150] = { FRX_T_FIRST_SEC, 1, K_UINT },      /* flowStartSeconds */
	[151] = { FRX_T_LAST_SEC, 1, K_UINT },       /* flowEndSeconds */
	[152] = { FRX_T_FIRST_MS, 1, K_UINT },       /* flowStartMilliseconds */
	[153] = { FRX_T_LAST_MS, 1, K_UINT },        /* flowEndMilliseconds */
	[154] = { FRX_T_FIRST_NTP, 1, K_UINT },      /* flowStartMicroseconds (NTP format) */
	[155] = { FRX_T_LAST_NTP, 1, K_UINT },       /* flowEndMicroseconds */
	[156] = { FRX_T_FIRST_NTP, 2, K_UINT },      /* flowStartNanoseconds (NTP format) */
	[157] = { FRX_T_LAST_NTP, 2, K_UINT },       /* flowEndNanoseconds */
	[158] = { FRX_T_FIRST_DELTA_US, 1, K_UINT }, /* flowStartDeltaMicroseconds */
	[159] = { FRX_T_LAST_DELTA_US, 1, K_UINT },  /* flowEndDeltaMicroseconds */
	[160] = { FRX_T_SYSINIT_MS, 1, K_UINT },     /* systemInitTimeMilliseconds */
	[161] = { FRX_T_DURATION_MS, 1, K_UINT },    /* flowDurationMilliseconds */
	[162] = { FRX_T_DURATION_US, 1, K_UINT },    /* flowDurationMicroseconds */
	[180] = { FRX_T_SRC_PORT, 1, K_UINT },       /* udpSourcePort */
	[181] = { FRX_T_DST_PORT, 1, K_UINT },       /* udpDestinationPort */
	[182] = { FRX_T_SRC_PORT, 1, K_UINT },       /* tcpSourcePort */
	[183] = { FRX_T_DST_PORT, 1, K_UINT },       /* tcpDestinationPort */
	[243] = { FRX_T_SRC_VLAN, 1, K_UINT },       /* dot1qVlanId */
	[302] = { FRX_T_SELECTOR_ID, 1, K_UINT },    /* selectorId */
	[305] = { FRX_T_PACKET_INTERVAL, 1, K_UINT },   /* samplingPacketInterval */
	[306] = { FRX_T_PACKET_SPACE, 1, K_UINT },      /* samplingPacketSpace */
	[309] = { FRX_T_SAMPLING_SIZE, 1, K_UINT },     /* samplingSize */
	[310] = { FRX_T_SAMPLING_POPULATION, 1, K_UINT }, /* samplingPopulation */
};

#define IE_TABLE_SIZE (sizeof(ie_table) / sizeof(ie_table[0]))

static int
field_usable(const struct ie_map *m, uint16_t len)
{
	switch (m->kind) {
	case K_UINT:
		return len >= 1 && len <= 8; /* RFC 7011 §6.2 reduced-size encoding */
	case K_ADDR4:
		return len == 4;
	case K_ADDR6:
		return len == 16;
	case K_STRING:
		return 1;
	}
	return 0;
}

/* RFC 5103 reverse elements (enterprise 29305, forward IE numbers). */
static const struct ie_map rev_table[] = {
	[1] = { FRX_T_REV_BYTES, 4, K_UINT },
	[2] = { FRX_T_REV_PACKETS, 4, K_UINT },
	[5] = { FRX_T_REV_TOS, 1, K_UINT },
	[6] = { FRX_T_REV_TCP_FLAGS, 1, K_UINT },
	[85] = { FRX_T_REV_BYTES, 3, K_UINT },
	[86] = { FRX_T_REV_PACKETS, 3, K_UINT },
};

static const struct ie_map *
field_map(const struct frx_tmpl_field *f)
{
	if (f->pen == FRX_PEN_REVERSE) {
		if (f->ie >= sizeof(rev_table) / sizeof(rev_table[0]) || rev_table[f->ie].target == FRX_T_SKIP ||
		    !field_usable(&rev_table[f->ie], f->len))
			return NULL;
		return &rev_table[f->ie];
	}
	if (f->pen != 0 || f->ie >= IE_TABLE_SIZE || ie_table[f->ie].target == FRX_T_SKIP)
		return NULL;
	if (!field_usable(&ie_table[f->ie], f->len))
		return NULL;
	return &ie_table[f->ie];
}

static int
is_time_target(unsigned int target)
{
	return target >= FRX_T_FIRST_UPTIME && target <= FRX_T_DURATION_US;
}

/*
 * Compile: one op per field, mapped fields keep their target only if they
 * are the best-ranked source of it; consecutive fixed-length skips merge.
 */
/*
 * Options scope fields say which thing a row describes. v9 scope types are
 * their own numbering (RFC 3954 §6.1: 1 system, 2 interface, 3 line card,
 * 4 cache, 5 template); IPFIX scopes are elements (10/14: an interface).
 */
static const struct ie_map scope_interface = { FRX_T_IF_INDEX_SCOPE, 1, K_UINT };

static const struct ie_map *
scope_map(const struct frx_tmpl_field *f, unsigned int version)
{
	int is_interface = version == 9 ? f->ie == 2 : f->pen == 0 && (f->ie == 10 || f->ie == 14);

	return is_interface && f->len >= 1 && f->len <= 8 ? &scope_interface : NULL;
}

static const struct ie_map *
field_map_at(const struct frx_tmpl *t, uint16_t i, unsigned int version)
{
	if (t->options && i < t->nb_scope)
		return scope_map(&t->fields[i], version);
	return field_map(&t->fields[i]);
}

/* Where a target lands in the record, for the stores that need no more
 * than a byte swap; 0 size: not a plain field. */
static const struct {
	uint16_t off;
	uint8_t size;
} rec_field[FRX_T_MAX] = {
#define F(target, field) [target] = { offsetof(struct frx_flowrec, field), sizeof(((struct frx_flowrec *)0)->field) }
	F(FRX_T_SRC_PORT, src_port),
	F(FRX_T_DST_PORT, dst_port),
	F(FRX_T_PROTO, proto),
	F(FRX_T_TOS, tos),
	F(FRX_T_TCP_FLAGS, tcp_flags),
	F(FRX_T_SRC_MASK, src_mask),
	F(FRX_T_DST_MASK, dst_mask),
	F(FRX_T_IN_IF, in_if),
	F(FRX_T_OUT_IF, out_if),
	F(FRX_T_PACKETS, packets),
	F(FRX_T_BYTES, bytes),
	F(FRX_T_SRC_AS, src_as),
	F(FRX_T_DST_AS, dst_as),
	F(FRX_T_SRC_VLAN, src_vlan),
	F(FRX_T_DST_VLAN, dst_vlan),
	F(FRX_T_FWD_STATUS, forwarding_status),
	F(FRX_T_ENGINE_TYPE, engine_type),
	F(FRX_T_ENGINE_ID, engine_id),
	F(FRX_T_SRC_ADDR4, src_addr),
	F(FRX_T_DST_ADDR4, dst_addr),
	F(FRX_T_NEXT_HOP4, next_hop),
	F(FRX_T_SRC_ADDR6, src_addr),
	F(FRX_T_DST_ADDR6, dst_addr),
	F(FRX_T_NEXT_HOP6, next_hop),
#undef F
};

/* The store an op does: the target says where, the length how. */
static void
op_kind(struct frx_tmpl_op *op)
{
	unsigned int target = op->target;

	op->size = rec_field[target].size;
	op->rec_off = rec_field[target].off;
	switch (target) {
	case FRX_T_SKIP:
		op->kind = FRX_OP_SKIP;
		return;
	case FRX_T_SRC_ADDR4:
	case FRX_T_DST_ADDR4:
	case FRX_T_NEXT_HOP4:
		op->kind = FRX_OP_ADDR4;
		return;
	case FRX_T_SRC_ADDR6:
	case FRX_T_DST_ADDR6:
	case FRX_T_NEXT_HOP6:
		op->kind = FRX_OP_ADDR6;
		return;
	case FRX_T_DIRECTION:
		op->kind = FRX_OP_DIRECTION;
		return;
	case FRX_T_IF_NAME:
	case FRX_T_IF_DESCR:
	case FRX_T_APP_NAME:
	case FRX_T_APP_DESCR:
		op->kind = FRX_OP_STRING;
		return;
	}
	if (op->size == 0) {
		op->kind = FRX_OP_EXTRA;
		return;
	}
	if (op->varlen)
		op->kind = FRX_OP_UINT; /* its length comes with the data */
	else if (op->len == 1 && op->size == 1)
		op->kind = FRX_OP_U8;
	else if (op->len == 2 && op->size == 2)
		op->kind = FRX_OP_BE16;
	else if (op->len == 4 && op->size == 4)
		op->kind = FRX_OP_BE32;
	else if (op->len == 4 && op->size == 8)
		op->kind = FRX_OP_BE32_64;
	else if (op->len == 8 && op->size == 8)
		op->kind = FRX_OP_BE64;
	else
		op->kind = FRX_OP_UINT; /* e.g. 2-byte interfaces, 8-byte counters into 4 bytes */
}

/* Record bytes an op writes: [*off, *off + return), 0: none. */
static unsigned int
op_rec_bytes(const struct frx_tmpl_op *op, unsigned int *off)
{
	*off = op->rec_off;
	switch ((enum frx_tmpl_op_kind)op->kind) {
	case FRX_OP_U8:
		return 1;
	case FRX_OP_BE16:
		return 2;
	case FRX_OP_BE32:
		return 4;
	case FRX_OP_BE32_64:
	case FRX_OP_BE64:
		return 8;
	case FRX_OP_UINT:
		return op->size;
	case FRX_OP_ADDR4:
	case FRX_OP_ADDR6:
		return 16;
	case FRX_OP_DIRECTION:
		*off = (unsigned int)offsetof(struct frx_flowrec, direction);
		return 1;
	default:
		return 0; /* skips, strings, values outside the record */
	}
}

static int
op_group(const struct frx_tmpl_op *op)
{
	switch ((enum frx_tmpl_op_kind)op->kind) {
	case FRX_OP_SKIP:
		return -1;
	case FRX_OP_U8:
		return FRX_G_U8;
	case FRX_OP_BE16:
		return FRX_G_BE16;
	case FRX_OP_BE32:
		return FRX_G_BE32;
	case FRX_OP_BE32_64:
		return FRX_G_BE32_64;
	case FRX_OP_BE64:
		return FRX_G_BE64;
	case FRX_OP_ADDR4:
		return FRX_G_ADDR4;
	case FRX_OP_ADDR6:
		return FRX_G_ADDR6;
	case FRX_OP_UINT:
		if (op->len == 2 && op->size == 4)
			return FRX_G_BE16_32;
		if (op->len == 2 && op->size == 1)
			return FRX_G_BE16_8;
		return FRX_G_OTHER;
	case FRX_OP_DIRECTION:
		return op->len == 1 ? FRX_G_DIR8 : FRX_G_OTHER;
	case FRX_OP_EXTRA:
		return op->len == 1 ? FRX_G_X8 : op->len == 2 ? FRX_G_X16 : op->len == 4 ? FRX_G_X32
		     : op->len == 8 ? FRX_G_X64 : FRX_G_OTHER;
	default:
		return FRX_G_OTHER;
	}
}

/*
 * Group a fixed-layout template's stores by kind (struct frx_tmpl_plan):
 * decoding a record is then a few tight loops, with no indirect jump per
 * field. Only when no two stores overlap in the record, so that running
 * them grouped gives the same record as running them in order.
 */
static void
plan_compile(struct frx_tmpl *t)
{
	struct frx_tmpl_plan *pl = &t->plan;
	uint8_t written[sizeof(struct frx_flowrec)];
	uint16_t at[FRX_G_MAX];

	memset(pl->n, 0, sizeof(pl->n));
	pl->ok = 0;
	pl->x_seen = 0;
	pl->extra_targets = 0;
	if (t->has_varlen)
		return;
	memset(written, 0, sizeof(written));
	for (uint16_t i = 0; i < t->nb_ops; i++) {
		const struct frx_tmpl_op *op = &t->ops[i];
		unsigned int off, len = op_rec_bytes(op, &off);
		int g = op_group(op);

		for (unsigned int b = off; b < off + len; b++) {
			if (b >= sizeof(written) || written[b])
				return;
			written[b] = 1;
		}
		if (g >= 0)
			pl->n[g]++;
		if (op->kind == FRX_OP_EXTRA)
			pl->extra_targets |= 1ull << op->target;
	}
	at[0] = 0;
	for (unsigned int g = 1; g < FRX_G_MAX; g++)
		at[g] = (uint16_t)(at[g - 1] + pl->n[g - 1]);
	for (uint16_t i = 0; i < t->nb_ops; i++) {
		const struct frx_tmpl_op *op = &t->ops[i];
		int g = op_group(op);
		struct frx_tmpl_mv *mv;

		if (g < 0)
			continue;
		mv = &pl->mv[at[g]++];
		mv->data_off = op->data_off;
		if (g == FRX_G_OTHER)
			mv->dst = i;
		else if (g >= FRX_G_X8) {
			mv->dst = op->target;
			pl->x_seen |= 1ull << op->target;
		} else if (g == FRX_G_DIR8) {
			mv->dst = (uint16_t)offsetof(struct frx_flowrec, direction);
		} else {
			mv->dst = op->rec_off;
		}
	}
	pl->ok = 1;
}

/* Record byte i comes from data byte src. */
static void
perm_data(struct frx_tmpl_perm *pm, unsigned int i, unsigned int src)
{
	pm->rec_idx[i] = (uint8_t)src;
	pm->rec_from_data[i / 64] |= 1ull << (i % 64);
}

/* Record byte i is the constant v. */
static void
perm_const(struct frx_tmpl_perm *pm, unsigned int i, uint8_t v)
{
	pm->konst[i] = v;
	pm->rec_const[i / 64] |= 1ull << (i % 64);
}

/*
 * Record bytes r .. r+width-1 are the len-byte big-endian value at data
 * offset d, little-endian, its high bytes (width > len) zero.
 */
static void
perm_be(struct frx_tmpl_perm *pm, unsigned int r, unsigned int d, unsigned int len, unsigned int width)
{
	for (unsigned int j = 0; j < len; j++)
		perm_data(pm, r + j, d + len - 1 - j);
	for (unsigned int j = len; j < width; j++)
		perm_const(pm, r + j, 0);
}

/* The stores that are a byte swap and a widening: data bytes, record (or slot) bytes. */
static const struct {
	uint8_t len;
	uint8_t width;
} be_shape[FRX_G_MAX] = {
	[FRX_G_U8] = { 1, 1 },      [FRX_G_BE16] = { 2, 2 },    [FRX_G_BE32] = { 4, 4 },
	[FRX_G_BE32_64] = { 4, 8 }, [FRX_G_BE64] = { 8, 8 },    [FRX_G_BE16_32] = { 2, 4 },
	[FRX_G_X8] = { 1, 8 },      [FRX_G_X16] = { 2, 8 },     [FRX_G_X32] = { 4, 8 },
	[FRX_G_X64] = { 8, 8 },
};

/*
 * The grouped plan as one byte permutation (struct frx_tmpl_perm): every
 * group but FRX_G_DIR8 and FRX_G_OTHER (which still run as loops after
 * it) becomes "record byte i = data byte j" or a constant. Big-endian
 * values land little-endian, so byte k of an n-byte value is data byte
 * n-1-k of the field.
 */
static void
perm_compile(struct frx_tmpl *t)
{
	struct frx_tmpl_plan *pl = &t->plan;
	struct frx_tmpl_perm *pm = &t->perm;
	const struct frx_tmpl_mv *mv = pl->mv;
	unsigned int nx = pl->n[FRX_G_X8] + pl->n[FRX_G_X16] + pl->n[FRX_G_X32] + pl->n[FRX_G_X64];

	pl->perm_ok = 0;
	if (!pl->ok || t->min_len > FRX_PERM_MAX_DATA || nx > FRX_PERM_MAX_SLOTS)
		return;
	memset(pm, 0, sizeof(*pm));
	for (unsigned int g = 0; g < FRX_G_MAX; g++) {
		for (unsigned int k = 0; k < pl->n[g]; k++, mv++) {
			unsigned int d = mv->data_off, r = mv->dst, j;

			switch (g) {
			case FRX_G_U8:
			case FRX_G_BE16:
			case FRX_G_BE32:
			case FRX_G_BE32_64:
			case FRX_G_BE64:
			case FRX_G_BE16_32:
				perm_be(pm, r, d, be_shape[g].len, be_shape[g].width);
				break;
			case FRX_G_ADDR4:
				for (j = 0; j < 12; j++)
					perm_const(pm, r + j, j < 10 ? 0 : 0xff);
				for (j = 0; j < 4; j++)
					perm_data(pm, r + 12 + j, d + j);
				break;
			case FRX_G_ADDR6:
				for (j = 0; j < 16; j++)
					perm_data(pm, r + j, d + j);
				break;
			case FRX_G_BE16_8:
				perm_data(pm, r, d + 1);
				break;
			case FRX_G_X8:
			case FRX_G_X16:
			case FRX_G_X32:
			case FRX_G_X64: {
				unsigned int len = be_shape[g].len, slot = pm->nb_slots++;

				pm->slot_target[slot] = (uint8_t)r;
				for (j = 0; j < len; j++) {
					pm->x_idx[slot * 8 + j] = (uint8_t)(d + len - 1 - j);
					pm->x_from_data |= 1ull << (slot * 8 + j);
				}
				break;
			}
			case FRX_G_DIR8:
				/* one flowDirection byte: permuted, then mapped (lib/ipfix.c) */
				if (pl->n[FRX_G_DIR8] == 1 && r >= 128) {
					perm_data(pm, r, d);
					pm->dir_lanes = 1ull << (r - 128);
				}
				break;
			default:
				break; /* FRX_G_OTHER: loops */
			}
		}
	}
	pm->dir_at = pm->other_at = 0;
	for (unsigned int g = 0; g < FRX_G_OTHER; g++) {
		if (g < FRX_G_DIR8)
			pm->dir_at = (uint16_t)(pm->dir_at + pl->n[g]);
		pm->other_at = (uint16_t)(pm->other_at + pl->n[g]);
	}
	pm->load_mask[0] = t->min_len >= 64 ? UINT64_MAX : (1ull << t->min_len) - 1;
	pm->load_mask[1] = t->min_len >= 128 ? UINT64_MAX : t->min_len > 64 ? (1ull << (t->min_len - 64)) - 1 : 0;
	pl->perm_ok = 1;
}

static void
tmpl_compile(struct frx_tmpl *t, unsigned int version)
{
	uint8_t best_rank[FRX_T_MAX];
	uint16_t n = 0, min_len = 0;

	memset(best_rank, 0, sizeof(best_rank));
	for (uint16_t i = 0; i < t->nb_fields; i++) {
		const struct ie_map *m = field_map_at(t, i, version);

		if (m && m->rank > best_rank[m->target])
			best_rank[m->target] = m->rank;
	}
	t->has_varlen = 0;
	t->has_record_time = 0;
	t->has_reverse = !t->options && (best_rank[FRX_T_REV_BYTES] || best_rank[FRX_T_REV_PACKETS]);
	for (uint16_t i = 0; i < t->nb_fields; i++) {
		const struct frx_tmpl_field *f = &t->fields[i];
		const struct ie_map *m = field_map_at(t, i, version);
		uint8_t target = FRX_T_SKIP;
		int varlen = f->len == FRX_TMPL_VARLEN;

		if (m && m->rank == best_rank[m->target]) {
			target = m->target;
			best_rank[m->target] = 0xff; /* first field of the best rank wins */
		}
		if (varlen)
			t->has_varlen = 1;
		if (is_time_target(target))
			t->has_record_time = 1;
		min_len = (uint16_t)(min_len + (varlen ? 1 : f->len));
		if (target == FRX_T_SKIP && !varlen && n > 0 && t->ops[n - 1].target == FRX_T_SKIP &&
		    !t->ops[n - 1].varlen && (uint32_t)t->ops[n - 1].len + f->len <= 0xffff) {
			t->ops[n - 1].len = (uint16_t)(t->ops[n - 1].len + f->len);
			continue;
		}
		t->ops[n].target = target;
		t->ops[n].varlen = (uint8_t)varlen;
		t->ops[n].len = varlen ? 0 : f->len;
		n++;
	}
	t->nb_ops = n;
	t->min_len = min_len;
	t->rec_v6 = 0;
	t->v4_nh6 = 0;
	for (uint16_t i = 0, off = 0; i < n; i++) {
		struct frx_tmpl_op *op = &t->ops[i];

		op_kind(op);
		op->data_off = off; /* meaningful up to the first varlen field */
		off = (uint16_t)(off + op->len);
		if (op->target == FRX_T_SRC_ADDR6 || op->target == FRX_T_DST_ADDR6)
			t->rec_v6 = 1;
		if (op->target == FRX_T_NEXT_HOP6)
			t->v4_nh6 = 1;
	}
	t->v4_nh6 &= (uint8_t)!t->rec_v6;
	/* Which of the time forms a record gives is the template's choice:
	 * decide it here, in the order lib/ipfix.c prefers them. */
	t->time_first = t->time_last = 0;
	{
		static const uint8_t first[] = { FRX_T_FIRST_MS, FRX_T_FIRST_NTP, FRX_T_FIRST_SEC,
						 FRX_T_FIRST_UPTIME, FRX_T_FIRST_DELTA_US };
		static const uint8_t last[] = { FRX_T_LAST_MS, FRX_T_LAST_NTP, FRX_T_LAST_SEC,
						FRX_T_LAST_UPTIME, FRX_T_LAST_DELTA_US };
		uint64_t present = 0;

		for (uint16_t i = 0; i < n; i++)
			if (t->ops[i].target != FRX_T_SKIP)
				present |= 1ull << t->ops[i].target;
		for (unsigned int k = sizeof(first); k-- > 0;) {
			if (present >> first[k] & 1)
				t->time_first = first[k];
			if (present >> last[k] & 1)
				t->time_last = last[k];
		}
	}
	plan_compile(t);
	perm_compile(t);
}

/* ------------------------------------------------------------- counters */

static const char *const counter_names[] = {
#define FRX_TMPL_COUNTER_NAME(name, help) #name,
	FRX_TMPL_COUNTER_LIST(FRX_TMPL_COUNTER_NAME)
#undef FRX_TMPL_COUNTER_NAME
};

static const char *const counter_help[] = {
#define FRX_TMPL_COUNTER_HELP(name, help) help,
	FRX_TMPL_COUNTER_LIST(FRX_TMPL_COUNTER_HELP)
#undef FRX_TMPL_COUNTER_HELP
};

const char *
frx_tmpl_counter_name(unsigned int i)
{
	return i < FRX_TMPL_NB_COUNTERS ? counter_names[i] : "?";
}

const char *
frx_tmpl_counter_help(unsigned int i)
{
	return i < FRX_TMPL_NB_COUNTERS ? counter_help[i] : "?";
}

/* ---------------------------------------------------------------- cache */

void
frx_tmpl_conf_defaults(struct frx_tmpl_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->max_sessions = 1024;
	conf->max_templates = 4096;
	conf->max_templates_per_session = 256;
	conf->max_backlog = 256;
	conf->max_backlog_per_session = 32;
	conf->template_timeout_s = 3600;
	conf->backlog_timeout_s = 60;
	conf->max_ifnames = 4096;
}

struct frx_tmpl_cache *
frx_tmpl_cache_create(const struct frx_tmpl_conf *conf)
{
	struct frx_tmpl_cache *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->conf = *conf;
	if (c->conf.max_sessions == 0 || c->conf.max_templates == 0) {
		free(c);
		errno = EINVAL;
		return NULL;
	}
	c->sessions = calloc(c->conf.max_sessions, sizeof(*c->sessions));
	c->templates = calloc(c->conf.max_templates, sizeof(*c->templates));
	c->backlog = calloc(c->conf.max_backlog ? c->conf.max_backlog : 1, sizeof(*c->backlog));
	c->tmpl_index_mask = frx_pow2_at_least(c->conf.max_templates * 2, 1) - 1;
	c->tmpl_index = calloc(c->tmpl_index_mask + 1, sizeof(*c->tmpl_index));
	c->ifname_mask = frx_pow2_at_least(c->conf.max_ifnames ? c->conf.max_ifnames : 1, 1) - 1;
	c->ifnames = calloc(c->ifname_mask + 1, sizeof(*c->ifnames));
	if (!c->sessions || !c->templates || !c->backlog || !c->tmpl_index || !c->ifnames) {
		frx_tmpl_cache_free(c);
		errno = ENOMEM;
		return NULL;
	}
	for (uint32_t i = 0; i < c->conf.max_templates; i++)
		c->templates[i].session = NO_SLOT;
	for (uint32_t i = 0; i < c->conf.max_backlog; i++)
		c->backlog[i].session = NO_SLOT;
	return c;
}

void
frx_tmpl_cache_free(struct frx_tmpl_cache *c)
{
	if (c == NULL)
		return;
	free(c->sessions);
	free(c->templates);
	free(c->backlog);
	free(c->tmpl_index);
	free(c->ifnames);
	free(c);
}

static int
session_key_eq(const struct frx_tmpl_session_key *a, const struct frx_tmpl_session_key *b)
{
	return a->port == b->port && a->version == b->version && a->domain == b->domain &&
	       memcmp(a->addr, b->addr, 16) == 0;
}

static void template_free_slot(struct frx_tmpl_cache *c, uint32_t slot);

/* A session with no template and no backlog, idle past the template
 * timeout, can be reused. */
static int
session_reclaimable(const struct frx_tmpl_cache *c, const struct frx_tmpl_session *s, uint64_t now_ms)
{
	uint64_t timeout_ms = (uint64_t)(c->conf.template_timeout_s ? c->conf.template_timeout_s : 3600) * 1000;

	return s->nb_templates == 0 && s->nb_backlog == 0 && now_ms > s->last_seen_ms + timeout_ms;
}

uint32_t
frx_tmpl_session_get(struct frx_tmpl_cache *c, const struct frx_tmpl_session_key *key, uint64_t now_ms)
{
	uint32_t n = c->conf.max_sessions;
	uint32_t start = frx_hash(key, sizeof(*key), FRX_HASH_SEED) % n;
	uint32_t free_slot = NO_SLOT, stale_slot = NO_SLOT;

	/* Linear probing over a small table; sessions are never removed from
	 * the middle of a probe chain except by reuse in place. */
	for (uint32_t k = 0; k < n; k++) {
		uint32_t i = (start + k) % n;
		struct frx_tmpl_session *s = &c->sessions[i];

		if (!s->used) {
			free_slot = i;
			break;
		}
		if (session_key_eq(&s->key, key)) {
			s->last_seen_ms = now_ms;
			return i;
		}
		if (stale_slot == NO_SLOT && session_reclaimable(c, s, now_ms))
			stale_slot = i;
	}
	if (free_slot == NO_SLOT)
		free_slot = stale_slot;
	if (free_slot == NO_SLOT) {
		c->c.sessions_rejected_full++;
		return NO_SLOT;
	}
	memset(&c->sessions[free_slot], 0, sizeof(c->sessions[free_slot]));
	c->sessions[free_slot].used = 1;
	c->sessions[free_slot].key = *key;
	c->sessions[free_slot].last_seen_ms = now_ms;
	return free_slot;
}

static uint32_t
tmpl_hash(uint32_t session, uint16_t id)
{
	uint32_t h = session * 2654435761u ^ (uint32_t)id * 40503u;

	return h ^ (h >> 16);
}

/* Index position holding (session, id), or of the empty bucket where it would go. */
static uint32_t
index_find(const struct frx_tmpl_cache *c, uint32_t session, uint16_t id, int *found)
{
	uint32_t pos = tmpl_hash(session, id) & c->tmpl_index_mask;

	for (;;) {
		uint32_t v = c->tmpl_index[pos];

		if (v == 0) {
			*found = 0;
			return pos;
		}
		if (c->templates[v - 1].session == session && c->templates[v - 1].id == id) {
			*found = 1;
			return pos;
		}
		pos = (pos + 1) & c->tmpl_index_mask;
	}
}

/* Remove index entry at pos, re-placing the rest of its cluster. */
static void
index_remove(struct frx_tmpl_cache *c, uint32_t pos)
{
	uint32_t next = (pos + 1) & c->tmpl_index_mask;

	c->tmpl_index[pos] = 0;
	while (c->tmpl_index[next] != 0) {
		uint32_t v = c->tmpl_index[next];
		const struct frx_tmpl *t = &c->templates[v - 1];
		int found;
		uint32_t want;

		c->tmpl_index[next] = 0;
		want = index_find(c, t->session, t->id, &found);
		c->tmpl_index[want] = v;
		next = (next + 1) & c->tmpl_index_mask;
	}
}

static int
tmpl_expired(const struct frx_tmpl_cache *c, const struct frx_tmpl *t, uint64_t now_ms)
{
	return c->conf.template_timeout_s &&
	       now_ms > t->last_seen_ms + (uint64_t)c->conf.template_timeout_s * 1000;
}

struct frx_tmpl *
frx_tmpl_find(struct frx_tmpl_cache *c, uint32_t session, uint16_t id, uint64_t now_ms)
{
	int found;
	uint32_t pos = index_find(c, session, id, &found);
	struct frx_tmpl *t;

	if (!found)
		return NULL;
	t = &c->templates[c->tmpl_index[pos] - 1];
	if (tmpl_expired(c, t, now_ms)) {
		c->c.templates_expired++;
		template_free_slot(c, c->tmpl_index[pos] - 1);
		return NULL;
	}
	return t;
}

static void
seq_begin(struct frx_tmpl *t)
{
	__atomic_store_n(&t->seq, t->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static void
seq_end(struct frx_tmpl *t)
{
	__atomic_store_n(&t->seq, t->seq + 1, __ATOMIC_RELEASE);
}

static void
template_free_slot(struct frx_tmpl_cache *c, uint32_t slot)
{
	struct frx_tmpl *t = &c->templates[slot];
	int found;
	uint32_t pos = index_find(c, t->session, t->id, &found);

	if (found)
		index_remove(c, pos);
	if (t->session < c->conf.max_sessions && c->sessions[t->session].nb_templates)
		c->sessions[t->session].nb_templates--;
	seq_begin(t);
	t->session = NO_SLOT;
	seq_end(t);
	c->nb_templates--;
	__atomic_store_n(&c->generation, c->generation + 1, __ATOMIC_RELEASE);
}

static uint32_t
template_alloc_slot(struct frx_tmpl_cache *c, uint64_t now_ms)
{
	for (uint32_t i = 0; i < c->conf.max_templates; i++)
		if (c->templates[i].session == NO_SLOT)
			return i;
	/* Full: reuse an expired template, if any. */
	for (uint32_t i = 0; i < c->conf.max_templates; i++)
		if (tmpl_expired(c, &c->templates[i], now_ms)) {
			c->c.templates_expired++;
			template_free_slot(c, i);
			return i;
		}
	return NO_SLOT;
}

static int
fields_valid(const struct frx_tmpl_field *fields, uint16_t nb_fields, uint16_t nb_scope)
{
	uint32_t min_len = 0;

	if (nb_fields == 0 || nb_fields > FRX_TMPL_MAX_FIELDS || nb_scope > nb_fields)
		return 0;
	for (uint16_t i = 0; i < nb_fields; i++)
		min_len += fields[i].len == FRX_TMPL_VARLEN ? 1 : fields[i].len;
	/* A record must take at least one byte (or decoding never advances)
	 * and fit in a datagram. */
	return min_len >= 1 && min_len <= 65535 - 20;
}

struct frx_tmpl *
frx_tmpl_insert(struct frx_tmpl_cache *c, uint32_t session, uint16_t id,
		const struct frx_tmpl_field *fields, uint16_t nb_fields, uint16_t nb_scope, int options,
		uint64_t now_ms)
{
	struct frx_tmpl_session *s = &c->sessions[session];
	struct frx_tmpl *t;
	int found;
	uint32_t pos, slot;

	if (id < 256 || session >= c->conf.max_sessions || !fields_valid(fields, nb_fields, nb_scope)) {
		c->c.templates_rejected_invalid++;
		return NULL;
	}
	pos = index_find(c, session, id, &found);
	if (found) {
		t = &c->templates[c->tmpl_index[pos] - 1];
		if (t->nb_fields == nb_fields && t->nb_scope == nb_scope && t->options == !!options &&
		    memcmp(t->fields, fields, nb_fields * sizeof(*fields)) == 0) {
			t->last_seen_ms = now_ms; /* refresh: nothing to recompile */
			c->c.templates_refreshed++;
			return t;
		}
		c->c.templates_redefined++;
	} else {
		if (s->nb_templates >= c->conf.max_templates_per_session) {
			c->c.templates_rejected_full++;
			return NULL;
		}
		slot = template_alloc_slot(c, now_ms);
		if (slot == NO_SLOT) {
			c->c.templates_rejected_full++;
			return NULL;
		}
		/* the reuse above may have moved index entries */
		pos = index_find(c, session, id, &found);
		t = &c->templates[slot];
		c->tmpl_index[pos] = slot + 1;
		s->nb_templates++;
		c->nb_templates++;
		c->c.templates_added++;
	}
	seq_begin(t);
	t->session = session;
	t->id = id;
	t->nb_fields = nb_fields;
	t->nb_scope = nb_scope;
	t->options = (uint8_t)!!options;
	t->last_seen_ms = now_ms;
	memcpy(t->fields, fields, nb_fields * sizeof(*fields));
	tmpl_compile(t, s->key.version);
	seq_end(t);
	__atomic_store_n(&c->generation, c->generation + 1, __ATOMIC_RELEASE);
	return t;
}

void
frx_tmpl_withdraw(struct frx_tmpl_cache *c, uint32_t session, int id, int all_options)
{
	if (id >= 0) {
		int found;
		uint32_t pos = index_find(c, session, (uint16_t)id, &found);

		if (found) {
			template_free_slot(c, c->tmpl_index[pos] - 1);
			c->c.templates_withdrawn++;
		}
		return;
	}
	for (uint32_t i = 0; i < c->conf.max_templates; i++) {
		struct frx_tmpl *t = &c->templates[i];

		if (t->session == session && (all_options < 0 || t->options == all_options)) {
			template_free_slot(c, i);
			c->c.templates_withdrawn++;
		}
	}
}

void
frx_tmpl_expire(struct frx_tmpl_cache *c, uint64_t now_ms)
{
	uint64_t backlog_ms = (uint64_t)c->conf.backlog_timeout_s * 1000;

	/* A full scan at most once a second. */
	if (now_ms < c->last_expiry_ms + 1000)
		return;
	c->last_expiry_ms = now_ms;
	for (uint32_t i = 0; i < c->conf.max_templates; i++) {
		struct frx_tmpl *t = &c->templates[i];

		if (t->session != NO_SLOT && tmpl_expired(c, t, now_ms)) {
			c->c.templates_expired++;
			template_free_slot(c, i);
		}
	}
	for (uint32_t i = 0; i < c->conf.max_backlog; i++) {
		struct frx_tmpl_backlog *b = &c->backlog[i];

		if (b->session != NO_SLOT && now_ms > b->arrival_ms + backlog_ms) {
			c->sessions[b->session].nb_backlog--;
			b->session = NO_SLOT;
			c->backlog_used--;
			c->c.sets_backlog_expired++;
		}
	}
}

/* -------------------------------------------------------------- backlog */

int
frx_tmpl_backlog_add(struct frx_tmpl_cache *c, uint32_t session, uint16_t template_id,
		     const uint8_t *set, uint16_t len, uint64_t export_ms, uint32_t sys_uptime_ms,
		     uint32_t sequence, uint64_t now_ms)
{
	struct frx_tmpl_session *s = &c->sessions[session];

	if (len > FRX_BACKLOG_SET_MAX || c->backlog_used >= c->conf.max_backlog ||
	    s->nb_backlog >= c->conf.max_backlog_per_session) {
		c->c.sets_backlog_dropped++;
		return -1;
	}
	for (uint32_t i = 0; i < c->conf.max_backlog; i++) {
		struct frx_tmpl_backlog *b = &c->backlog[i];

		if (b->session != NO_SLOT)
			continue;
		b->session = session;
		b->template_id = template_id;
		b->len = len;
		b->arrival_ms = now_ms;
		b->export_ms = export_ms;
		b->sys_uptime_ms = sys_uptime_ms;
		b->sequence = sequence;
		memcpy(b->data, set, len);
		s->nb_backlog++;
		c->backlog_used++;
		c->c.sets_backlogged++;
		return 0;
	}
	c->c.sets_backlog_dropped++;
	return -1;
}

const struct frx_tmpl_backlog *
frx_tmpl_backlog_take(struct frx_tmpl_cache *c, uint32_t session, uint16_t template_id)
{
	if (c->sessions[session].nb_backlog == 0)
		return NULL;
	for (uint32_t i = 0; i < c->conf.max_backlog; i++) {
		struct frx_tmpl_backlog *b = &c->backlog[i];

		if (b->session == session && b->template_id == template_id) {
			b->session = NO_SLOT;
			c->sessions[session].nb_backlog--;
			c->backlog_used--;
			return b;
		}
	}
	return NULL;
}

/* ------------------------------------------------------- interface names */

void
frx_tmpl_ifname_set(struct frx_tmpl_cache *c, uint32_t session, uint32_t ifindex, const uint8_t *name,
		    uint16_t len)
{
	const struct frx_tmpl_session_key *key = &c->sessions[session].key;
	uint32_t h = frx_hash(key->addr, 16, FRX_HASH_SEED);
	uint32_t pos;

	h = frx_hash(&key->domain, 4, h);
	h = frx_hash(&ifindex, 4, h);
	if (len > FRX_IFNAME_LEN)
		len = FRX_IFNAME_LEN;
	/* linear probing; entries are never removed, the table only fills */
	for (uint32_t k = 0; k <= c->ifname_mask; k++) {
		struct frx_ifname_slot *s;

		pos = (h + k) & c->ifname_mask;
		s = &c->ifnames[pos];
		if (s->used && (s->e.ifindex != ifindex || s->e.domain != key->domain ||
				memcmp(s->e.exporter_addr, key->addr, 16) != 0))
			continue;
		if (s->used && s->e.name_len == len && memcmp(s->e.name, name, len) == 0)
			return; /* unchanged: the usual case for periodic options */
		if (!s->used && c->nb_ifnames >= c->conf.max_ifnames)
			break;
		__atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_RELEASE);
		if (!s->used) {
			memcpy(s->e.exporter_addr, key->addr, 16);
			s->e.domain = key->domain;
			s->e.ifindex = ifindex;
			s->e.version = (uint8_t)key->version;
			c->nb_ifnames++;
		}
		memset(s->e.name, 0, sizeof(s->e.name));
		memcpy(s->e.name, name, len);
		s->e.name_len = (uint8_t)len;
		s->used = 1;
		__atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELEASE);
		__atomic_store_n(&c->ifname_generation, c->ifname_generation + 1, __ATOMIC_RELEASE);
		c->c.ifnames_learned++;
		return;
	}
	c->c.ifnames_rejected_full++;
}

const char *
frx_tmpl_ifname_find(const struct frx_tmpl_cache *c, const uint8_t exporter_addr[16], uint32_t domain,
		     uint32_t ifindex, uint16_t *len)
{
	uint32_t h = frx_hash(exporter_addr, 16, FRX_HASH_SEED);

	if (c->nb_ifnames == 0)
		return NULL;
	h = frx_hash(&domain, 4, h);
	h = frx_hash(&ifindex, 4, h);
	/* the probe sequence of frx_tmpl_ifname_set(); entries are never removed */
	for (uint32_t k = 0; k <= c->ifname_mask; k++) {
		const struct frx_ifname_slot *s = &c->ifnames[(h + k) & c->ifname_mask];

		if (!s->used)
			return NULL;
		if (s->e.ifindex == ifindex && s->e.domain == domain &&
		    memcmp(s->e.exporter_addr, exporter_addr, 16) == 0) {
			*len = s->e.name_len;
			return s->e.name;
		}
	}
	return NULL;
}

uint64_t
frx_tmpl_ifname_generation(const struct frx_tmpl_cache *c)
{
	return __atomic_load_n(&c->ifname_generation, __ATOMIC_ACQUIRE);
}

unsigned int
frx_tmpl_ifname_snapshot(const struct frx_tmpl_cache *c, void (*fn)(const struct frx_ifname *e, void *arg),
			 void *arg)
{
	unsigned int n = 0;

	for (uint32_t i = 0; i <= c->ifname_mask; i++) {
		const struct frx_ifname_slot *s = &c->ifnames[i];
		struct frx_ifname copy;
		uint32_t used = 0;
		int tries;

		for (tries = 0; tries < 100; tries++) {
			uint32_t before = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);

			if (before & 1)
				continue;
			used = s->used;
			memcpy(&copy, &s->e, sizeof(copy));
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			if (__atomic_load_n(&s->seq, __ATOMIC_RELAXED) == before)
				break;
		}
		if (tries == 100 || !used)
			continue;
		fn(&copy, arg);
		n++;
	}
	return n;
}

/* ------------------------------------------------------------- snapshot */

uint64_t
frx_tmpl_generation(const struct frx_tmpl_cache *c)
{
	return __atomic_load_n(&c->generation, __ATOMIC_ACQUIRE);
}

unsigned int
frx_tmpl_snapshot(const struct frx_tmpl_cache *c,
		  void (*fn)(const struct frx_tmpl_session_key *key, const struct frx_tmpl *t, void *arg),
		  void *arg)
{
	static __thread struct frx_tmpl copy;
	unsigned int n = 0;

	for (uint32_t i = 0; i < c->conf.max_templates; i++) {
		const struct frx_tmpl *t = &c->templates[i];
		struct frx_tmpl_session_key key;
		int tries;

		for (tries = 0; tries < 100; tries++) {
			uint32_t before = __atomic_load_n(&t->seq, __ATOMIC_ACQUIRE), after;

			if (before & 1)
				continue;
			memcpy(&copy, t, sizeof(copy));
			if (copy.session != NO_SLOT && copy.session < c->conf.max_sessions)
				memcpy(&key, &c->sessions[copy.session].key, sizeof(key));
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			after = __atomic_load_n(&t->seq, __ATOMIC_RELAXED);
			if (after == before)
				break;
		}
		if (tries == 100 || copy.session == NO_SLOT || copy.session >= c->conf.max_sessions)
			continue;
		fn(&key, &copy, arg);
		n++;
	}
	return n;
}
