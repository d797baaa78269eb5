/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer harness: the flow-file reader on arbitrary bytes (a damaged,
 * truncated or hostile file must never crash it or make it loop). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ffile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	char path[64];
	struct frx_ffile_reader *r;
	const struct frx_block_hdr *hdr;
	const void *payload;

	if (fd < 0)
		fd = memfd_create("fuzz_ffile", 0);
	if (fd < 0 || ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	r = frx_ffile_open(path);
	if (r == NULL)
		return 0;
	/* Every call must advance or stop: bound the loop by the input size. */
	for (size_t i = 0; i <= size; i++) {
		enum frx_read_status st = frx_ffile_next(r, &hdr, &payload);

		if (st != FRX_READ_BLOCK)
			break;
		if (hdr->payload_len > FRX_BLOCK_MAX_PAYLOAD)
			__builtin_trap();
		if (i == size)
			__builtin_trap(); /* more blocks than bytes: the reader loops */
	}
	frx_ffile_close(r);
	return 0;
}
