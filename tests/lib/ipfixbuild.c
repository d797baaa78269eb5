/* SPDX-License-Identifier: BSD-3-Clause */
/* v9/IPFIX message builder for tests; see ipfixbuild.h. */
#include "ipfixbuild.h"

#include <arpa/inet.h>
#include <string.h>

static void
put(struct ib_msg *m, uint64_t v, unsigned int len)
{
	for (unsigned int i = 0; i < len; i++)
		m->buf[m->len + i] = (uint8_t)(v >> (8 * (len - 1 - i)));
	m->len += len;
}

static void
put_at(struct ib_msg *m, size_t off, uint64_t v, unsigned int len)
{
	for (unsigned int i = 0; i < len; i++)
		m->buf[off + i] = (uint8_t)(v >> (8 * (len - 1 - i)));
}

void
ib_begin(struct ib_msg *m, int version, uint32_t sys_uptime, uint32_t unix_secs, uint32_t sequence,
	 uint32_t domain)
{
	memset(m, 0, sizeof(*m));
	m->version = version;
	m->count_override = -1;
	put(m, (uint64_t)version, 2);
	put(m, 0, 2); /* count (v9) / length (IPFIX), filled by ib_end */
	if (version == 9) {
		put(m, sys_uptime, 4);
		put(m, unix_secs, 4);
	} else {
		put(m, unix_secs, 4);
	}
	put(m, sequence, 4);
	put(m, domain, 4);
}

void
ib_set(struct ib_msg *m, uint16_t set_id)
{
	if (m->set_start)
		ib_set_end(m, 0);
	m->set_start = m->len;
	put(m, set_id, 2);
	put(m, 0, 2);
}

void
ib_set_end(struct ib_msg *m, unsigned int pad)
{
	if (!m->set_start)
		return;
	for (unsigned int i = 0; i < pad; i++)
		m->buf[m->len++] = 0;
	put_at(m, m->set_start + 2, m->len - m->set_start, 2);
	m->set_start = 0;
}

static void
put_fields(struct ib_msg *m, const struct ib_field *fields, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		put(m, fields[i].ie | (fields[i].pen ? 0x8000 : 0), 2);
		put(m, fields[i].len, 2);
		if (fields[i].pen)
			put(m, fields[i].pen, 4);
	}
}

void
ib_template(struct ib_msg *m, uint16_t id, const struct ib_field *fields, unsigned int n)
{
	put(m, id, 2);
	put(m, n, 2);
	put_fields(m, fields, n);
	m->records++;
}

void
ib_options_template(struct ib_msg *m, uint16_t id, const struct ib_field *fields, unsigned int n,
		    unsigned int n_scope)
{
	put(m, id, 2);
	if (m->version == 9) {
		/* RFC 3954 §6.1: scope and option lengths in bytes */
		put(m, n_scope * 4, 2);
		put(m, (n - n_scope) * 4, 2);
	} else {
		put(m, n, 2);
		put(m, n_scope, 2);
	}
	put_fields(m, fields, n);
	m->records++;
}

void
ib_withdraw(struct ib_msg *m, uint16_t id)
{
	put(m, id, 2);
	put(m, 0, 2);
}

void
ib_uint(struct ib_msg *m, uint64_t v, unsigned int len)
{
	put(m, v, len);
}

void
ib_bytes(struct ib_msg *m, const void *p, size_t len)
{
	memcpy(m->buf + m->len, p, len);
	m->len += len;
}

void
ib_ip4(struct ib_msg *m, const char *text)
{
	uint8_t a[4];

	inet_pton(AF_INET, text, a);
	ib_bytes(m, a, 4);
}

void
ib_ip6(struct ib_msg *m, const char *text)
{
	uint8_t a[16];

	inet_pton(AF_INET6, text, a);
	ib_bytes(m, a, 16);
}

void
ib_varlen(struct ib_msg *m, const void *p, size_t len, int long3)
{
	if (long3 || len >= 255) {
		put(m, 255, 1);
		put(m, len, 2);
	} else {
		put(m, len, 1);
	}
	ib_bytes(m, p, len);
}

void
ib_record_done(struct ib_msg *m)
{
	m->records++;
}

size_t
ib_end(struct ib_msg *m)
{
	if (m->set_start)
		ib_set_end(m, 0);
	if (m->version == 9)
		put_at(m, 2, m->count_override >= 0 ? (uint64_t)m->count_override : m->records, 2);
	else
		put_at(m, 2, m->len, 2);
	return m->len;
}
