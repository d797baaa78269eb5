/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ClickHouse over HTTP with libcurl: one keep-alive connection, queries in
 * the POST body, inserts as "INSERT ... FORMAT RowBinary" in the URL and
 * the rows in the body. Every call says whether the server answered 200
 * and keeps its error text for the caller's message.
 */
#ifndef FRX_SHIP_CHHTTP_H
#define FRX_SHIP_CHHTTP_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

struct chhttp;

/**
 * A client; a request in progress is abandoned as soon as *abort_flag is
 * set (a signal handler's flag). curl_global_init() must have been called.
 * @return NULL if libcurl cannot be set up.
 */
struct chhttp *chhttp_create(const char *base_url, long timeout_ms, volatile sig_atomic_t *abort_flag);
void chhttp_free(struct chhttp *c);

/**
 * Run a query; its output (trailing newline removed) is in chhttp_body().
 * @return 0 on HTTP 200; -1 otherwise (chhttp_error() tells why).
 */
int chhttp_query(struct chhttp *c, const char *sql);

/** Run a query whose answer is one unsigned number. @return 0 or -1. */
int chhttp_query_u64(struct chhttp *c, const char *sql, uint64_t *value);

/**
 * INSERT INTO table (columns) FORMAT RowBinary with @p len bytes of rows,
 * as query @p query_id (ClickHouse refuses a second query with the id of
 * one still running).
 * @return 0 when ClickHouse acknowledged (HTTP 200); -1 otherwise: the rows
 *         may or may not be in the table (chhttp_error() tells why).
 */
int chhttp_insert(struct chhttp *c, const char *table, const char *columns, const char *query_id,
		  const void *rows, size_t len);

/** The last response body (NUL-terminated). */
const char *chhttp_body(const struct chhttp *c);

/** One line saying why the last call failed. */
const char *chhttp_error(const struct chhttp *c);

#endif
