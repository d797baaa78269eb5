/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ClickHouse HTTP client (chhttp.h) on libcurl's easy interface: the handle
 * is reused, so the connection stays open between batches.
 */
#include "chhttp.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BODY_MAX (64u << 10) /* keep this much of a response: errors and small results */

struct chhttp {
	CURL *curl;
	char *base_url;
	char *url;          /* base_url + query string, rebuilt per call */
	size_t url_size;
	char body[BODY_MAX + 1];
	size_t body_len;
	char error[CURL_ERROR_SIZE + 256];
	char curl_error[CURL_ERROR_SIZE];
	volatile sig_atomic_t *abort_flag;
};

/* libcurl's progress callback: non-zero aborts the transfer. */
static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	const struct chhttp *c = arg;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return c->abort_flag != NULL && *c->abort_flag;
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct chhttp *c = arg;
	size_t len = size * nmemb, room = BODY_MAX - c->body_len;

	memcpy(c->body + c->body_len, data, len < room ? len : room);
	c->body_len += len < room ? len : room;
	c->body[c->body_len] = '\0';
	return len;
}

struct chhttp *
chhttp_create(const char *base_url, long timeout_ms, volatile sig_atomic_t *abort_flag)
{
	struct chhttp *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->abort_flag = abort_flag;
	if ((c->curl = curl_easy_init()) == NULL) {
		free(c);
		return NULL;
	}
	c->base_url = strdup(base_url);
	if (c->base_url == NULL) {
		chhttp_free(c);
		return NULL;
	}
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->curl_error);
	curl_easy_setopt(c->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(c->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c->curl, CURLOPT_XFERINFODATA, c);
	curl_easy_setopt(c->curl, CURLOPT_NOPROGRESS, 0L);
	/* no "Expect: 100-continue" round trip before each batch */
	c->curl_error[0] = '\0';
	return c;
}

void
chhttp_free(struct chhttp *c)
{
	if (c == NULL)
		return;
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	free(c->base_url);
	free(c->url);
	free(c);
}

/* base_url with "?" or "&" and the parameters appended. */
static int
set_url(struct chhttp *c, const char *params)
{
	size_t need = strlen(c->base_url) + strlen(params) + 2;
	char *url;

	if (need > c->url_size) {
		url = realloc(c->url, need);
		if (url == NULL)
			return -1;
		c->url = url;
		c->url_size = need;
	}
	snprintf(c->url, c->url_size, "%s%s%s", c->base_url,
		 params[0] == '\0' ? "" : strchr(c->base_url, '?') != NULL ? "&" : "?", params);
	return 0;
}

static int
post(struct chhttp *c, const void *data, size_t len)
{
	struct curl_slist *headers = curl_slist_append(NULL, "Expect:");
	long code = 0;
	CURLcode rc;

	c->body_len = 0;
	c->body[0] = '\0';
	c->curl_error[0] = '\0';
	curl_easy_setopt(c->curl, CURLOPT_URL, c->url);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, data);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	rc = curl_easy_perform(c->curl);
	curl_slist_free_all(headers);
	if (rc != CURLE_OK) {
		snprintf(c->error, sizeof(c->error), "%s",
			 c->curl_error[0] ? c->curl_error : curl_easy_strerror(rc));
		return -1;
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &code);
	while (c->body_len > 0 && (c->body[c->body_len - 1] == '\n' || c->body[c->body_len - 1] == '\r'))
		c->body[--c->body_len] = '\0';
	if (code != 200) {
		snprintf(c->error, sizeof(c->error), "HTTP %ld: %.*s", code, 300, c->body);
		return -1;
	}
	return 0;
}

int
chhttp_query(struct chhttp *c, const char *sql)
{
	if (set_url(c, "") != 0) {
		snprintf(c->error, sizeof(c->error), "out of memory");
		return -1;
	}
	return post(c, sql, strlen(sql));
}

int
chhttp_query_u64(struct chhttp *c, const char *sql, uint64_t *value)
{
	char *end;

	if (chhttp_query(c, sql) != 0)
		return -1;
	*value = strtoull(c->body, &end, 10);
	if (end == c->body || *end != '\0') {
		snprintf(c->error, sizeof(c->error), "unexpected answer to \"%s\": %.*s", sql, 200, c->body);
		return -1;
	}
	return 0;
}

int
chhttp_insert(struct chhttp *c, const char *table, const char *columns, const char *query_id,
	      const void *rows, size_t len)
{
	char sql[2048], *esc, params[4096];
	int rc;

	snprintf(sql, sizeof(sql), "INSERT INTO %s (%s) FORMAT RowBinary", table, columns);
	esc = curl_easy_escape(c->curl, sql, 0);
	if (esc == NULL) {
		snprintf(c->error, sizeof(c->error), "out of memory");
		return -1;
	}
	/* One batch is at most FRX_SHIP_BATCH_MAX rows, below this block size: ClickHouse
	 * then parses it into one block, which a MergeTree writes as one part per
	 * partition (docs/scale-out.md, "Exactly once"). */
	snprintf(params, sizeof(params),
		 "query=%s&query_id=%s&max_insert_block_size=1048576&insert_distributed_sync=1", esc, query_id);
	curl_free(esc);
	if (set_url(c, params) != 0) {
		snprintf(c->error, sizeof(c->error), "out of memory");
		return -1;
	}
	rc = post(c, rows, len);
	return rc;
}

const char *
chhttp_body(const struct chhttp *c)
{
	return c->body;
}

const char *
chhttp_error(const struct chhttp *c)
{
	return c->error;
}
