/* SPDX-License-Identifier: BSD-3-Clause */
/* CRC32C against published check values (RFC 3720 appendix B.4). */
#include <criterion/criterion.h>
#include <string.h>

#include "crc32c.h"

Test(crc32c, check_value_of_123456789)
{
	cr_assert_eq(frx_crc32c(0, "123456789", 9), 0xe3069283u);
}

Test(crc32c, rfc3720_32_bytes_of_zeros_and_ones)
{
	uint8_t buf[32];

	memset(buf, 0, sizeof(buf));
	cr_assert_eq(frx_crc32c(0, buf, sizeof(buf)), 0x8a9136aau);
	memset(buf, 0xff, sizeof(buf));
	cr_assert_eq(frx_crc32c(0, buf, sizeof(buf)), 0x62a8ab43u);
	for (int i = 0; i < 32; i++)
		buf[i] = (uint8_t)i;
	cr_assert_eq(frx_crc32c(0, buf, sizeof(buf)), 0x46dd794eu);
}

Test(crc32c, chained_calls_equal_one_call)
{
	uint8_t buf[1000];

	for (int i = 0; i < 1000; i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	for (size_t cut = 0; cut <= 1000; cut += 37)
		cr_assert_eq(frx_crc32c(frx_crc32c(0, buf, cut), buf + cut, 1000 - cut),
			     frx_crc32c(0, buf, 1000), "cut %zu", cut);
}

Test(crc32c, empty_input_is_zero)
{
	cr_assert_eq(frx_crc32c(0, "", 0), 0);
}
