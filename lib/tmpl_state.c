/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Learned templates on disk, so that a restarted collector decodes data at
 * once instead of waiting for each exporter's next template refresh (which
 * routers may send only every 30 minutes). Plain text, one template a line
 * (docs/templates.md), written atomically: temp file, fsync, rename.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flowrec.h"
#include "tmpl.h"

#define STATE_MAGIC "# flowrx templates 1"

struct frx_tmpl_state {
	FILE *f;
	char path[PATH_MAX];
	char tmp[PATH_MAX];
	int error;
};

struct frx_tmpl_state *
frx_tmpl_state_open(const char *path)
{
	struct frx_tmpl_state *st = calloc(1, sizeof(*st));

	if (st == NULL)
		return NULL;
	if ((size_t)snprintf(st->path, sizeof(st->path), "%s", path) >= sizeof(st->path) ||
	    (size_t)snprintf(st->tmp, sizeof(st->tmp), "%s.tmp", path) >= sizeof(st->tmp)) {
		free(st);
		errno = ENAMETOOLONG;
		return NULL;
	}
	st->f = fopen(st->tmp, "we");
	if (st->f == NULL) {
		free(st);
		return NULL;
	}
	fprintf(st->f, "%s\n# template ADDR PORT VERSION DOMAIN ID OPTIONS SCOPE LAST_SEEN_MS IE:LEN[:PEN]...\n",
		STATE_MAGIC);
	return st;
}

int
frx_tmpl_state_add(struct frx_tmpl_state *st, const struct frx_tmpl_session_key *key, const struct frx_tmpl *t)
{
	char addr[FRX_ADDR_STRLEN];

	frx_addr_format(key->addr, addr, sizeof(addr));
	fprintf(st->f, "template %s %u %u %" PRIu32 " %u %u %u %" PRIu64, addr, key->port, key->version,
		key->domain, t->id, t->options, t->nb_scope, t->last_seen_ms);
	for (uint16_t i = 0; i < t->nb_fields; i++) {
		if (t->fields[i].pen)
			fprintf(st->f, " %u:%u:%" PRIu32, t->fields[i].ie, t->fields[i].len, t->fields[i].pen);
		else
			fprintf(st->f, " %u:%u", t->fields[i].ie, t->fields[i].len);
	}
	if (fputc('\n', st->f) == EOF)
		st->error = errno ? errno : EIO;
	return st->error ? -st->error : 0;
}

int
frx_tmpl_state_commit(struct frx_tmpl_state *st)
{
	int rc = st->error ? -st->error : 0;

	if (fflush(st->f) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && fsync(fileno(st->f)) != 0)
		rc = -errno;
	if (fclose(st->f) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(st->tmp, st->path) != 0)
		rc = -errno;
	if (rc != 0)
		unlink(st->tmp);
	free(st);
	return rc;
}

/* One line into its parts; 0 on success. */
static int
parse_line(char *line, struct frx_tmpl_session_key *key, uint16_t *id, int *options, uint16_t *nb_scope,
	   uint64_t *last_seen, struct frx_tmpl_field *fields, uint16_t *nb_fields)
{
	char *save = NULL, *tok[8];
	unsigned long long v[8];
	uint16_t n = 0;

	if (strtok_r(line, " \n", &save) == NULL)
		return -1;
	for (int i = 0; i < 8; i++) {
		tok[i] = strtok_r(NULL, " \n", &save);
		if (tok[i] == NULL)
			return -1;
	}
	if (frx_addr_parse(tok[0], key->addr) < 0)
		return -1;
	for (int i = 1; i < 8; i++) {
		char *end;

		errno = 0;
		v[i] = strtoull(tok[i], &end, 10);
		if (errno || *end)
			return -1;
	}
	if (v[1] > 65535 || (v[2] != 9 && v[2] != 10) || v[3] > UINT32_MAX || v[4] < 256 || v[4] > 65535 ||
	    v[5] > 1 || v[6] > FRX_TMPL_MAX_FIELDS)
		return -1;
	key->port = (uint16_t)v[1];
	key->version = (uint16_t)v[2];
	key->domain = (uint32_t)v[3];
	*id = (uint16_t)v[4];
	*options = (int)v[5];
	*nb_scope = (uint16_t)v[6];
	*last_seen = v[7];
	for (char *f = strtok_r(NULL, " \n", &save); f; f = strtok_r(NULL, " \n", &save)) {
		unsigned long ie, len, pen = 0;
		char *end;

		if (n == FRX_TMPL_MAX_FIELDS)
			return -1;
		ie = strtoul(f, &end, 10);
		if (*end != ':')
			return -1;
		len = strtoul(end + 1, &end, 10);
		if (*end == ':')
			pen = strtoul(end + 1, &end, 10);
		if (*end || ie > 0x7fff || len > 0xffff || pen > UINT32_MAX)
			return -1;
		fields[n].ie = (uint16_t)ie;
		fields[n].len = (uint16_t)len;
		fields[n].pen = (uint32_t)pen;
		n++;
	}
	if (n == 0 || *nb_scope > n)
		return -1;
	*nb_fields = n;
	return 0;
}

int
frx_tmpl_state_load(const char *path, uint64_t now_ms, uint64_t max_age_ms,
		    void (*fn)(const struct frx_tmpl_session_key *key, uint16_t id,
			       const struct frx_tmpl_field *fields, uint16_t nb_fields, uint16_t nb_scope,
			       int options, uint64_t last_seen_ms, void *arg),
		    void *arg)
{
	static struct frx_tmpl_field fields[FRX_TMPL_MAX_FIELDS];
	char line[8192];
	FILE *f = fopen(path, "re");
	int n = 0;

	if (f == NULL)
		return -errno;
	if (fgets(line, sizeof(line), f) == NULL || strncmp(line, STATE_MAGIC, strlen(STATE_MAGIC)) != 0) {
		fclose(f);
		return -EINVAL;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		struct frx_tmpl_session_key key;
		uint16_t id, nb_scope, nb_fields;
		uint64_t last_seen;
		int options;

		if (strncmp(line, "template ", 9) != 0)
			continue;
		memset(&key, 0, sizeof(key));
		if (parse_line(line, &key, &id, &options, &nb_scope, &last_seen, fields, &nb_fields) != 0)
			continue;
		if (max_age_ms && last_seen + max_age_ms < now_ms)
			continue;
		fn(&key, id, fields, nb_fields, nb_scope, options, last_seen, arg);
		n++;
	}
	fclose(f);
	return n;
}
