/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * CRC32C (Castagnoli), the checksum of flow-file blocks.
 *
 * Computed by Intel's ISA-L (Debian's libisal), not DPDK's rte_hash_crc,
 * so that the reader needs no DPDK and the writer gets its fastest code.
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
