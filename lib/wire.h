/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Small shared helpers: big-endian reads from the wire (unaligned-safe),
 * the FNV-1a hash the tables use, and power-of-two sizing.
 */
#ifndef FRX_WIRE_H
#define FRX_WIRE_H

#include <endian.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/** Big-endian 16/32/64-bit reads at any alignment. */
static inline uint16_t
frx_rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return be16toh(v);
}

static inline uint32_t
frx_rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return be32toh(v);
}

static inline uint64_t
frx_rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return be64toh(v);
}

#define FRX_FNV_SEED 2166136261u

/** FNV-1a over len bytes, continuing from h (start with FRX_FNV_SEED). */
static inline uint32_t
frx_fnv1a(const void *data, size_t len, uint32_t h)
{
	const uint8_t *p = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/** Smallest power of two >= v and >= min. */
static inline uint32_t
frx_pow2_at_least(uint32_t v, uint32_t min)
{
	uint32_t p = min;

	while (p < v)
		p <<= 1;
	return p;
}

#endif
