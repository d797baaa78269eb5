/* SPDX-License-Identifier: BSD-3-Clause */
/* Version dispatch. v8, v9 and IPFIX get their decoders in later modules. */
#include "decode.h"

#include <string.h>

#include "nf5.h"

enum frx_status
frx_decode(const uint8_t *pdu, uint32_t len, const struct frx_exporter *exp,
	   struct frx_recbuf *out, struct frx_pdu_info *info)
{
	uint16_t version;

	if (len < 2) {
		memset(info, 0, sizeof(*info));
		return FRX_ETRUNCATED;
	}
	version = (uint16_t)(pdu[0] << 8 | pdu[1]);
	switch (version) {
	case 1:
	case 5:
	case 6:
	case 7:
		return frx_nf5_decode(pdu, len, exp, out, info);
	default:
		memset(info, 0, sizeof(*info));
		info->version = version;
		return FRX_EBAD_VERSION;
	}
}
