/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Decoder for NetFlow v9 (RFC 3954) and IPFIX (RFC 7011): one path for both.
 *
 * The two differ in their message header, set ids, options template layout,
 * enterprise elements and variable-length fields; templates, data records,
 * options (sampling, system init time) and the information elements they
 * share are handled once. Sets are walked by their lengths, never by the v9
 * header's count (RFC 3954 counts all records there, softflowd only data
 * records: a decoder trusting it loses sets).
 */
#ifndef FRX_IPFIX_H
#define FRX_IPFIX_H

#include <stdint.h>

#include "pdu.h"
#include "recbuf.h"
#include "status.h"
#include "tmpl.h"

/**
 * Decode one v9 or IPFIX message.
 *
 * @param cache  the worker's template cache (updated by template sets)
 * @param now_ms collector wall clock, epoch ms (template and backlog ageing)
 * @return FRX_OK (records and templates of every well-formed set taken);
 *         FRX_ETRUNCATED, FRX_EBAD_VERSION, FRX_EBAD_MSG_LENGTH (IPFIX length
 *         field disagrees), FRX_EBAD_SET_LENGTH (a set length runs past the
 *         message: sets before it were decoded, the rest is dropped),
 *         FRX_ENO_SESSION (session table full), FRX_ENO_BLOCK (out filled).
 */
enum frx_status frx_ipfix_decode(struct frx_tmpl_cache *cache, const uint8_t *pdu, uint32_t len,
				 const struct frx_exporter *exp, uint64_t now_ms, struct frx_recbuf *out,
				 struct frx_pdu_info *info);

/**
 * Decode fixed-layout templates of at most 128 bytes a record by AVX-512
 * VBMI byte permutation where the CPU has it (default), or always by the
 * portable grouped stores (0): the records are the same byte for byte.
 * Process-wide, for tests and benchmarks. @return the previous setting.
 */
int frx_ipfix_set_simd(int enable);

/**
 * Run fixed-layout templates as grouped stores (default) or, with 0, every
 * template's ops one by one in template order (neither the grouped stores
 * nor the permutation): the reference the other two must equal. For tests.
 * @return the previous setting.
 */
int frx_ipfix_set_plan(int enable);

/** 1 if the permutation path is enabled and the CPU has AVX-512 VBMI. */
int frx_ipfix_simd_active(void);

#endif
