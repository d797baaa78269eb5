/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * CRC32C (Castagnoli), the checksum of flow-file blocks.
 *
 * Uses the SSE4.2 crc32 instruction when the CPU has it (checked once at
 * run time, so one binary runs everywhere) and a table otherwise. Kept in
 * lib/ rather than taken from DPDK's rte_hash_crc so the reader needs no
 * DPDK at all.
 */
#ifndef FRX_CRC32C_H
#define FRX_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/**
 * Continue a CRC32C over @p len bytes. Start with crc = 0; the value
 * returned is final (pre/post inversion is done inside), and chaining calls
 * over consecutive buffers gives the CRC of their concatenation.
 */
uint32_t frx_crc32c(uint32_t crc, const void *data, size_t len);

#endif
