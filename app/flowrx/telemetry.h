/* SPDX-License-Identifier: BSD-3-Clause */
/* DPDK telemetry commands of flowrx (/flowrx/...). */
#ifndef FRX_APP_TELEMETRY_H
#define FRX_APP_TELEMETRY_H

struct frx_stats_ctx;

/** Register the /flowrx/ commands. @return 0 or a negative errno (a warning is printed). */
int frx_telemetry_register(const struct frx_stats_ctx *stats);

#endif
