/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prometheus text exposition of flowrx's counters, written as a file for
 * node_exporter's textfile collector (--prometheus-file): no socket, no
 * thread, nothing on the data path. The stats lcore rewrites it every
 * --prometheus-interval seconds and once more at exit.
 */
#ifndef FRX_APP_PROM_H
#define FRX_APP_PROM_H

struct frx_stats_ctx;

/**
 * Write every counter to path atomically (path.tmp, then rename), so the
 * collector never reads half a file. @return 0 or a negative errno.
 */
int frx_prom_write(const struct frx_stats_ctx *s, const char *path);

#endif
