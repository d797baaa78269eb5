/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer harness: L2-L4 decapsulation of arbitrary frames. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frx_pkt_conf conf = { .listen_ports = { 2055, 4739 }, .nb_listen_ports = 2 };
	struct frx_pkt_info info;
	uint8_t *copy;

	if (size > 70000)
		return 0;
	/* An exact-size heap copy, so ASan catches any read past the frame. */
	copy = __builtin_malloc(size ? size : 1);
	memcpy(copy, data, size);
	for (int verify = 0; verify < 2; verify++) {
		conf.verify_udp_checksum = (uint8_t)verify;
		if (frx_pkt_decap(copy, (uint32_t)size, &conf, &info) == FRX_OK) {
			/* the payload must lie inside the frame */
			if (info.payload < copy || info.payload + info.payload_len > copy + size)
				__builtin_trap();
		}
	}
	(void)frx_pkt_exporter_hash(copy, (uint32_t)size);
	__builtin_free(copy);
	return 0;
}
