/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test-side builder of NetFlow v9 and IPFIX messages: header, sets,
 * template records, options templates, withdrawals, and data records
 * appended field by field. Written from RFC 3954 and RFC 7011, not from
 * lib/ipfix.c.
 */
#ifndef FRX_TEST_IPFIXBUILD_H
#define FRX_TEST_IPFIXBUILD_H

#include <stddef.h>
#include <stdint.h>

struct ib_field {
	uint16_t ie;
	uint16_t len;   /* 0xffff: variable length (IPFIX) */
	uint32_t pen;   /* enterprise number: sets the enterprise bit (IPFIX) */
};

struct ib_msg {
	uint8_t buf[65536];
	size_t len;
	int version;          /* 9 or 10 */
	size_t set_start;     /* offset of the open set, 0 if none */
	uint16_t records;     /* v9 header count: records (template and data) written */
	int count_override;   /* >= 0: write this in the v9 count instead */
};

/** Start a message. v9: sys_uptime and unix_secs; IPFIX: export time = unix_secs. */
void ib_begin(struct ib_msg *m, int version, uint32_t sys_uptime, uint32_t unix_secs, uint32_t sequence,
	      uint32_t domain);
/** Open a set (template: 0/2, options: 1/3, data: template id). */
void ib_set(struct ib_msg *m, uint16_t set_id);
/** Close the open set, padding it to a multiple of 4 with pad zero bytes (0-3). */
void ib_set_end(struct ib_msg *m, unsigned int pad);
/** A template record in an open template set. */
void ib_template(struct ib_msg *m, uint16_t id, const struct ib_field *fields, unsigned int n);
/** An options template record in an open options set (v9 or IPFIX layout). */
void ib_options_template(struct ib_msg *m, uint16_t id, const struct ib_field *fields, unsigned int n,
			 unsigned int n_scope);
/** IPFIX withdrawal record (field count 0) in an open template/options set. */
void ib_withdraw(struct ib_msg *m, uint16_t id);
/** Data record field values, big-endian, of the given length. */
void ib_uint(struct ib_msg *m, uint64_t v, unsigned int len);
void ib_bytes(struct ib_msg *m, const void *p, size_t len);
void ib_ip4(struct ib_msg *m, const char *text);
void ib_ip6(struct ib_msg *m, const char *text);
/** A variable-length field: 1-byte length, or 255 + 2-byte length when long3 or len >= 255. */
void ib_varlen(struct ib_msg *m, const void *p, size_t len, int long3);
/** Count one data record in the v9 header count (call after each record). */
void ib_record_done(struct ib_msg *m);
/** Finish: closes an open set, writes the header length (IPFIX) or count (v9). */
size_t ib_end(struct ib_msg *m);

#endif
