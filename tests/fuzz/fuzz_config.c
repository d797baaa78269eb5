/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer harness: the configuration file (app/flowrx/config.c, libinih),
 * then what flowrx does with a file it accepted: the EAL arguments built
 * from [eal] and --print-config. A bad file must be refused with a message,
 * never crash or read out of bounds. The parser keeps its strings for the
 * life of the process (a config is loaded once), so leak checking is off
 * around it. */
#include <sanitizer/lsan_interface.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	static struct frx_config cfg;
	char *argv[256];
	FILE *f;

	if (size > 1 << 16)
		return 0;
	if (path[0] == '\0')
		snprintf(path, sizeof(path), "/tmp/frx-fuzz-config-%d.conf", (int)getpid());
	f = fopen(path, "w");
	if (f == NULL)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);

	__lsan_disable();
	frx_config_defaults(&cfg);
	if (frx_config_load(&cfg, path) == 0) {
		FILE *out = fopen("/dev/null", "w");
		int n = frx_config_eal_args(&cfg, argv, (int)(sizeof(argv) / sizeof(argv[0])));

		if (n > (int)(sizeof(argv) / sizeof(argv[0])))
			__builtin_trap();
		if (out != NULL) {
			frx_config_print(&cfg, out);
			fclose(out);
		}
	}
	__lsan_enable();
	return 0;
}
