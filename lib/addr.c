/* SPDX-License-Identifier: BSD-3-Clause */
/* Text forms of the 16-byte record addresses. */
#include <arpa/inet.h>
#include <errno.h>

#include "flowrec.h"

char *
frx_addr_format(const uint8_t addr[16], char *buf, size_t size)
{
	const char *ok;

	if (frx_addr_is_v4(addr))
		ok = inet_ntop(AF_INET, addr + 12, buf, size);
	else
		ok = inet_ntop(AF_INET6, addr, buf, size);
	if (ok == NULL && size > 0)
		buf[0] = '\0';
	return buf;
}

int
frx_addr_parse(const char *text, uint8_t addr[16])
{
	uint8_t v4[4];

	if (inet_pton(AF_INET, text, v4) == 1) {
		frx_addr_set_v4(addr, v4);
		return 0;
	}
	if (inet_pton(AF_INET6, text, addr) == 1)
		return 0;
	return -EINVAL;
}
