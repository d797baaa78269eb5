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

#define FRX_HASH_SEED 2166136261u

/**
 * Hash of len bytes for the lookup tables, continuing from h (start with
 * FRX_HASH_SEED): 8 bytes per multiply, so a 24-byte session key is three
 * rounds instead of FNV-1a's 24 dependent multiplies (about 100 ns of
 * every datagram went to byte-wise hashing of its keys).
 */
static inline uint32_t
frx_hash(const void *data, size_t len, uint32_t h)
{
	const uint64_t k = 0x9e3779b97f4a7c15ull;
	const uint8_t *p = data;
	uint64_t x = ((uint64_t)h << 32 | h) ^ (len * k);

	for (; len >= 8; p += 8, len -= 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		x = (x ^ v) * k;
		x ^= x >> 29;
	}
	if (len >= 4) {
		uint32_t v;

		memcpy(&v, p, 4);
		x = (x ^ v) * k;
		x ^= x >> 29;
		p += 4;
		len -= 4;
	}
	for (; len > 0; p++, len--)
		x = (x ^ *p) * k;
	x ^= x >> 32;
	x *= 0xd6e8feb86659fd93ull;
	x ^= x >> 32;
	return (uint32_t)x;
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
