/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packed flow records (format: docs/file-format.md, "FLOWS_PACKED").
 *
 * One kind byte per record says which optional forms follow; the fields
 * are then written in a fixed order with memcpy (little-endian hosts only,
 * as lib/flowrec.h requires). Packing is a few compares and stores per
 * record; the unpacker checks every length against the payload and refuses
 * anything but exactly count records.
 */
#include "recpack.h"

#include <errno.h>
#include <string.h>

#define K_V4 0x01        /* src, dst, next hop are IPv4-mapped: 4 bytes each */
#define K_LAST32 0x02    /* last_ms as a 32-bit duration after first_ms */
#define K_WIDE 0x04      /* packets and bytes as 64 bits (else 32) */
#define K_SAME_CTX 0x08  /* exporter context as in the previous record */
#define K_EXP_V4 0x10    /* exporter address IPv4-mapped: 4 bytes */
#define K_EXTRA 0x20     /* class, direction, forwarding status, VLANs, flows, reserved follow */
#define K_EXTRA8 0x40    /* class, direction, forwarding status, VLANs follow (flows 1, reserved 0) */
#define K_MORE 0x80      /* a second kind byte follows (M_*), not 0 */
#define K_ALL 0xff

#define M_NARROW 0x01    /* src_as, dst_as, in_if, out_if: 2 bytes each (else 4) */
#define M_FIRST_REL 0x02 /* first_ms: 4-byte signed difference from the previous record's */
#define M_ALL 0x03

/*
 * The tests below run for every record the collector stores, so they are
 * word compares rather than memcmp() calls (pack_one() was a quarter of a
 * worker's time with them).
 */
static inline uint64_t
ld64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static inline uint32_t
ld32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static inline uint16_t
ld16(const void *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

#define V4_MID 0xffff0000u /* bytes 8-11 of an IPv4-mapped address: 0 0 ff ff */

static inline int
is_v4(const uint8_t a[16])
{
	return ld64(a) == 0 && ld32(a + 8) == V4_MID;
}

static inline int
all_v4(const struct frx_flowrec *r)
{
	return (ld64(r->src_addr) | ld64(r->dst_addr) | ld64(r->next_hop)) == 0 &&
	       ((ld32(r->src_addr + 8) ^ V4_MID) | (ld32(r->dst_addr + 8) ^ V4_MID) | (ld32(r->next_hop + 8) ^ V4_MID)) == 0;
}

/* The exporter context: what every record of one datagram shares. */
static inline int
same_ctx(const struct frx_flowrec *a, const struct frx_flowrec *b)
{
	_Static_assert(offsetof(struct frx_flowrec, sampling_interval) == offsetof(struct frx_flowrec, domain) + 4,
		       "domain and sampling_interval compared as one word");
	_Static_assert(offsetof(struct frx_flowrec, engine_type) == offsetof(struct frx_flowrec, version) + 1 &&
			       offsetof(struct frx_flowrec, engine_id) == offsetof(struct frx_flowrec, version) + 2 &&
			       offsetof(struct frx_flowrec, sampling_mode) == offsetof(struct frx_flowrec, version) + 3,
		       "version, engine type and id, sampling mode compared as one word");
	return ((ld64(a->exporter_addr) ^ ld64(b->exporter_addr)) | (ld64(a->exporter_addr + 8) ^ ld64(b->exporter_addr + 8)) |
		(ld64(&a->domain) ^ ld64(&b->domain)) | (uint64_t)(ld32(&a->version) ^ ld32(&b->version)) |
		(uint64_t)(a->exporter_port ^ b->exporter_port)) == 0;
}

/* The short extra group (K_EXTRA8) is enough: flows 1, nothing reserved. */
static inline int
extra_is_short(const struct frx_flowrec *r)
{
	return r->flows == 1 && (ld32(r->reserved) | ld64(r->reserved + 4)) == 0;
}

static inline int
has_extra(const struct frx_flowrec *r)
{
	_Static_assert(offsetof(struct frx_flowrec, forwarding_status) == offsetof(struct frx_flowrec, direction) + 1 &&
			       offsetof(struct frx_flowrec, dst_vlan) == offsetof(struct frx_flowrec, src_vlan) + 2 &&
			       sizeof(r->reserved) == 12,
		       "extras compared as words");
	return (r->class_id | ld16(&r->direction) | ld32(&r->src_vlan) | ld32(r->reserved) | (r->flows ^ 1u)) != 0 ||
	       ld64(r->reserved + 4) != 0;
}

#define PUT(p, v)                                   \
	do {                                        \
		memcpy((p), &(v), sizeof(v));       \
		(p) += sizeof(v);                   \
	} while (0)

_Static_assert(offsetof(struct frx_flowrec, dst_as) == offsetof(struct frx_flowrec, src_as) + 4 &&
		       offsetof(struct frx_flowrec, in_if) == offsetof(struct frx_flowrec, src_as) + 8 &&
		       offsetof(struct frx_flowrec, out_if) == offsetof(struct frx_flowrec, src_as) + 12 &&
		       offsetof(struct frx_flowrec, dst_port) == offsetof(struct frx_flowrec, src_port) + 2 &&
		       offsetof(struct frx_flowrec, tos) == offsetof(struct frx_flowrec, proto) + 1 &&
		       offsetof(struct frx_flowrec, tcp_flags) == offsetof(struct frx_flowrec, proto) + 2 &&
		       offsetof(struct frx_flowrec, src_mask) == offsetof(struct frx_flowrec, proto) + 3 &&
		       offsetof(struct frx_flowrec, dst_mask) == offsetof(struct frx_flowrec, proto) + 4,
	       "fields packed as runs of the record");

/* LAST32: the end fits 32 bits after the start. */
static inline int
last32_fits(uint64_t first_ms, uint64_t last_ms)
{
	return last_ms >= first_ms && last_ms - first_ms <= UINT32_MAX;
}

/* FIRST_REL: the start is within a signed 32-bit difference of the previous one. */
static inline int
first_rel_fits(uint64_t first_ms, uint64_t prev_first_ms)
{
	return first_ms - prev_first_ms + 0x80000000ull <= UINT32_MAX;
}

/* first_ms (whole or FIRST_REL) and last_ms (whole or LAST32), as the kind bytes say. */
static inline uint8_t *
put_times(uint8_t *p, uint64_t first_ms, uint64_t last_ms, uint64_t prev_first_ms, uint8_t kind, uint8_t more)
{
	if (more & M_FIRST_REL) {
		int32_t d = (int32_t)(first_ms - prev_first_ms);

		PUT(p, d);
	} else {
		PUT(p, first_ms);
	}
	if (kind & K_LAST32) {
		uint32_t d = (uint32_t)(last_ms - first_ms);

		PUT(p, d);
	} else {
		PUT(p, last_ms);
	}
	return p;
}

/* The exporter context of record r (kind: its EXP_V4 bit). */
static inline uint8_t *
put_ctx(uint8_t *p, const struct frx_flowrec *r, uint8_t kind)
{
	if (kind & K_EXP_V4) {
		memcpy(p, r->exporter_addr + 12, 4);
		p += 4;
	} else {
		memcpy(p, r->exporter_addr, 16);
		p += 16;
	}
	PUT(p, r->exporter_port);
	PUT(p, r->domain);
	PUT(p, r->sampling_interval);
	*p++ = r->version;
	*p++ = r->engine_type;
	*p++ = r->engine_id;
	*p++ = r->sampling_mode;
	return p;
}

/* One record at p; prev: the record packed before it in the block, or NULL. */
static inline uint8_t *
pack_one(const struct frx_flowrec *r, const struct frx_flowrec *prev, uint8_t *p)
{
	uint8_t kind = 0, more = 0;

	if (all_v4(r))
		kind |= K_V4;
	if (last32_fits(r->first_ms, r->last_ms))
		kind |= K_LAST32;
	if (r->packets > UINT32_MAX || r->bytes > UINT32_MAX)
		kind |= K_WIDE;
	if (prev != NULL && same_ctx(r, prev))
		kind |= K_SAME_CTX;
	else if (is_v4(r->exporter_addr))
		kind |= K_EXP_V4;
	if (has_extra(r))
		kind |= extra_is_short(r) ? K_EXTRA8 : K_EXTRA;
	if (((r->src_as | r->dst_as | r->in_if | r->out_if) >> 16) == 0)
		more |= M_NARROW; /* v5-v8 and most v9 exporters: 16-bit AS numbers and ifIndexes */
	if (prev != NULL && first_rel_fits(r->first_ms, prev->first_ms))
		more |= M_FIRST_REL; /* the flows of a datagram start close together */
	if (more)
		kind |= K_MORE;

	*p++ = kind;
	if (more)
		*p++ = more;
	p = put_times(p, r->first_ms, r->last_ms, prev ? prev->first_ms : 0, kind, more);
	if (kind & K_WIDE) {
		PUT(p, r->packets);
		PUT(p, r->bytes);
	} else {
		uint32_t pk = (uint32_t)r->packets, by = (uint32_t)r->bytes;

		PUT(p, pk);
		PUT(p, by);
	}
	if (kind & K_V4) {
		memcpy(p, r->src_addr + 12, 4);
		memcpy(p + 4, r->dst_addr + 12, 4);
		memcpy(p + 8, r->next_hop + 12, 4);
		p += 12;
	} else {
		memcpy(p, r->src_addr, 16);
		memcpy(p + 16, r->dst_addr, 16);
		memcpy(p + 32, r->next_hop, 16);
		p += 48;
	}
	/* src_as, dst_as, in_if, out_if (narrow or not); the ports; proto,
	 * tos, tcp_flags, the masks: runs of the record as they are (asserted
	 * above) */
	if (more & M_NARROW) {
		uint16_t n[4] = { (uint16_t)r->src_as, (uint16_t)r->dst_as, (uint16_t)r->in_if, (uint16_t)r->out_if };

		memcpy(p, n, 8);
		p += 8;
	} else {
		memcpy(p, &r->src_as, 16);
		p += 16;
	}
	memcpy(p, &r->src_port, 4);
	memcpy(p + 4, &r->proto, 5);
	p[9] = r->flags;
	p += 10;
	if (!(kind & K_SAME_CTX))
		p = put_ctx(p, r, kind);
	if (kind & (K_EXTRA | K_EXTRA8)) {
		PUT(p, r->class_id);
		*p++ = r->direction;
		*p++ = r->forwarding_status;
		PUT(p, r->src_vlan);
		PUT(p, r->dst_vlan);
		if (kind & K_EXTRA) {
			PUT(p, r->flows);
			memcpy(p, r->reserved, sizeof(r->reserved));
			p += sizeof(r->reserved);
		}
	}
	return p;
}

size_t
frx_recpack_pack(const struct frx_flowrec *recs, uint32_t count, uint8_t *out)
{
	uint8_t *p = out;

	for (uint32_t i = 0; i < count; i++)
		p = pack_one(&recs[i], i > 0 ? &recs[i - 1] : NULL, p);
	return (size_t)(p - out);
}

void
frx_recpack_stream_init(struct frx_recpack_stream *s, uint8_t *out, uint32_t cap, uint32_t max_records, int full)
{
	s->out = out;
	s->cap = cap;
	s->len = 0;
	s->count = 0;
	s->max_records = max_records;
	s->full = full != 0;
	s->min_first_ms = UINT64_MAX;
	s->max_last_ms = 0;
}

uint32_t
frx_recpack_stream_add(struct frx_recpack_stream *s, const struct frx_flowrec *recs, uint32_t n)
{
	uint32_t i;
	uint64_t min_first = s->min_first_ms, max_last = s->max_last_ms;

	for (i = 0; i < n && s->count < s->max_records; i++) {
		const struct frx_flowrec *r = &recs[i];

		if (s->full) {
			if (s->cap - s->len < sizeof(*r))
				break;
			memcpy(s->out + s->len, r, sizeof(*r));
			s->len += (uint32_t)sizeof(*r);
		} else {
			if (s->cap - s->len < FRX_RECPACK_MAX)
				break;
			/* the context compares with the block's previous record,
			 * which an earlier call may have packed */
			const struct frx_flowrec *prev = i > 0 ? r - 1 : s->count ? &s->prev : NULL;

			s->len = (uint32_t)(pack_one(r, prev, s->out + s->len) - s->out);
		}
		s->count++;
		if (r->first_ms < min_first)
			min_first = r->first_ms;
		if (r->last_ms > max_last)
			max_last = r->last_ms;
	}
	if (i > 0 && !s->full)
		s->prev = recs[i - 1];
	s->min_first_ms = min_first;
	s->max_last_ms = max_last;
	return i;
}

int
frx_recpack_stream_add_v4flow(struct frx_recpack_stream *s, const struct frx_flowrec *ctx,
			      const struct frx_recpack_v4flow *f)
{
	uint8_t kind = K_V4, more = M_NARROW, *p;

	if (s->count >= s->max_records || s->cap - s->len < FRX_RECPACK_MAX)
		return 0;
	p = s->out + s->len;
	/* the choices pack_one() makes, for this shape of record */
	if (last32_fits(f->first_ms, f->last_ms))
		kind |= K_LAST32;
	if (s->count > 0 && same_ctx(ctx, &s->prev))
		kind |= K_SAME_CTX;
	else if (is_v4(ctx->exporter_addr))
		kind |= K_EXP_V4;
	if (s->count > 0 && first_rel_fits(f->first_ms, s->prev.first_ms))
		more |= M_FIRST_REL;
	*p++ = kind | K_MORE;
	*p++ = more;
	p = put_times(p, f->first_ms, f->last_ms, s->prev.first_ms, kind, more);
	PUT(p, f->packets);
	PUT(p, f->bytes);
	memcpy(p, f->src, 4);
	memcpy(p + 4, f->dst, 4);
	memcpy(p + 8, f->next_hop, 4);
	memcpy(p + 12, &f->src_as, 8);     /* src_as, dst_as, in_if, out_if */
	memcpy(p + 20, &f->src_port, 4);   /* src_port, dst_port */
	memcpy(p + 24, &f->proto, 5);      /* proto, tos, tcp_flags, the masks */
	p[29] = ctx->flags;
	p += 30;
	if (!(kind & K_SAME_CTX)) {
		p = put_ctx(p, ctx, kind);
		s->prev = *ctx; /* the context the next records compare with */
	}
	s->prev.first_ms = f->first_ms;
	s->len = (uint32_t)(p - s->out);
	s->count++;
	if (f->first_ms < s->min_first_ms)
		s->min_first_ms = f->first_ms;
	if (f->last_ms > s->max_last_ms)
		s->max_last_ms = f->last_ms;
	return 1;
}

_Static_assert(offsetof(struct frx_recpack_v4flow, dst_as) == offsetof(struct frx_recpack_v4flow, src_as) + 2 &&
		       offsetof(struct frx_recpack_v4flow, out_if) == offsetof(struct frx_recpack_v4flow, src_as) + 6 &&
		       offsetof(struct frx_recpack_v4flow, dst_port) == offsetof(struct frx_recpack_v4flow, src_port) + 2 &&
		       offsetof(struct frx_recpack_v4flow, dst_mask) == offsetof(struct frx_recpack_v4flow, proto) + 4,
	       "v4flow fields copied as runs");

/* Size of one packed record with these kind bytes (more: 0 without K_MORE). */
static size_t
packed_size(uint8_t kind, uint8_t more)
{
	size_t n = 1 + 8 + 4 + 8 + 16 + 4 + 5 + 1;

	if (kind & K_MORE)
		n += 1;
	if (more & M_FIRST_REL)
		n -= 4;
	if (more & M_NARROW)
		n -= 8;

	if (!(kind & K_LAST32))
		n += 4;
	if (kind & K_WIDE)
		n += 8;
	n += (kind & K_V4) ? 12 : 48;
	if (!(kind & K_SAME_CTX))
		n += ((kind & K_EXP_V4) ? 4 : 16) + 2 + 4 + 4 + 4;
	if (kind & K_EXTRA)
		n += 2 + 1 + 1 + 2 + 2 + 4 + 12;
	else if (kind & K_EXTRA8)
		n += 2 + 1 + 1 + 2 + 2;
	return n;
}

_Static_assert(FRX_RECPACK_MIN == 2 + 4 + 4 + 8 + 12 + 8 + 4 + 5 + 1, "smallest packed record");
_Static_assert(FRX_RECPACK_MAX >= 2 + 8 + 8 + 16 + 48 + 16 + 4 + 5 + 1 + 16 + 14 + 24, "largest packed record");

#define GET(p, v)                                   \
	do {                                        \
		memcpy(&(v), (p), sizeof(v));       \
		(p) += sizeof(v);                   \
	} while (0)

int
frx_recpack_unpack(const uint8_t *in, size_t len, uint32_t count, struct frx_flowrec *out)
{
	const uint8_t *p = in, *end = in + len;
	const struct frx_flowrec *ctx = NULL;

	for (uint32_t i = 0; i < count; i++) {
		struct frx_flowrec *r = &out[i];
		uint8_t kind, more;

		if (p >= end)
			return -EINVAL;
		kind = *p;
		more = 0;
		if (kind & K_MORE) {
			if (end - p < 2)
				return -EINVAL;
			more = p[1];
			if (more == 0 || (more & ~M_ALL))
				return -EINVAL;
		}
		if ((kind & ~K_ALL) || ((kind & K_SAME_CTX) && (ctx == NULL || (kind & K_EXP_V4))) ||
		    (kind & (K_EXTRA | K_EXTRA8)) == (K_EXTRA | K_EXTRA8) || ((more & M_FIRST_REL) && ctx == NULL) ||
		    (size_t)(end - p) < packed_size(kind, more))
			return -EINVAL;
		p += (kind & K_MORE) ? 2 : 1;
		if (more & M_FIRST_REL) {
			int32_t d;

			GET(p, d);
			r->first_ms = ctx->first_ms + (uint64_t)(int64_t)d;
		} else {
			GET(p, r->first_ms);
		}
		if (kind & K_LAST32) {
			uint32_t d;

			GET(p, d);
			r->last_ms = r->first_ms + d;
		} else {
			GET(p, r->last_ms);
		}
		if (kind & K_WIDE) {
			GET(p, r->packets);
			GET(p, r->bytes);
		} else {
			uint32_t pk, by;

			GET(p, pk);
			GET(p, by);
			r->packets = pk;
			r->bytes = by;
		}
		if (kind & K_V4) {
			frx_addr_set_v4(r->src_addr, p);
			frx_addr_set_v4(r->dst_addr, p + 4);
			frx_addr_set_v4(r->next_hop, p + 8);
			p += 12;
		} else {
			memcpy(r->src_addr, p, 16);
			memcpy(r->dst_addr, p + 16, 16);
			memcpy(r->next_hop, p + 32, 16);
			p += 48;
		}
		if (more & M_NARROW) {
			uint16_t n[4];

			memcpy(n, p, 8);
			p += 8;
			r->src_as = n[0];
			r->dst_as = n[1];
			r->in_if = n[2];
			r->out_if = n[3];
		} else {
			GET(p, r->src_as);
			GET(p, r->dst_as);
			GET(p, r->in_if);
			GET(p, r->out_if);
		}
		GET(p, r->src_port);
		GET(p, r->dst_port);
		r->proto = *p++;
		r->tos = *p++;
		r->tcp_flags = *p++;
		r->src_mask = *p++;
		r->dst_mask = *p++;
		r->flags = *p++;
		if (kind & K_SAME_CTX) {
			memcpy(r->exporter_addr, ctx->exporter_addr, 16);
			r->exporter_port = ctx->exporter_port;
			r->domain = ctx->domain;
			r->sampling_interval = ctx->sampling_interval;
			r->version = ctx->version;
			r->engine_type = ctx->engine_type;
			r->engine_id = ctx->engine_id;
			r->sampling_mode = ctx->sampling_mode;
		} else {
			if (kind & K_EXP_V4) {
				frx_addr_set_v4(r->exporter_addr, p);
				p += 4;
			} else {
				memcpy(r->exporter_addr, p, 16);
				p += 16;
			}
			GET(p, r->exporter_port);
			GET(p, r->domain);
			GET(p, r->sampling_interval);
			r->version = *p++;
			r->engine_type = *p++;
			r->engine_id = *p++;
			r->sampling_mode = *p++;
		}
		if (kind & (K_EXTRA | K_EXTRA8)) {
			GET(p, r->class_id);
			r->direction = *p++;
			r->forwarding_status = *p++;
			GET(p, r->src_vlan);
			GET(p, r->dst_vlan);
			if (kind & K_EXTRA) {
				GET(p, r->flows);
				memcpy(r->reserved, p, sizeof(r->reserved));
				p += sizeof(r->reserved);
			} else {
				r->flows = 1;
				memset(r->reserved, 0, sizeof(r->reserved));
			}
		} else {
			r->class_id = 0;
			r->direction = 0;
			r->forwarding_status = 0;
			r->src_vlan = 0;
			r->dst_vlan = 0;
			r->flows = 1;
			memset(r->reserved, 0, sizeof(r->reserved));
		}
		ctx = r;
	}
	return p == end ? 0 : -EINVAL;
}
