/* SPDX-License-Identifier: BSD-3-Clause */
/* Reader-side map of interface names; open addressing, doubled when half full. */
#include "ifmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct ifmap_entry {
	uint8_t addr[16];
	uint32_t domain;
	uint32_t ifindex;
	uint8_t used;
	char name[FRX_IFNAME_LEN + 1];
};

struct frx_ifmap {
	struct ifmap_entry *slots;
	uint32_t mask;
	uint32_t n;
};

static uint32_t
key_hash(const uint8_t addr[16], uint32_t domain, uint32_t ifindex)
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < 16; i++)
		h = (h ^ addr[i]) * 16777619u;
	h = (h ^ domain) * 16777619u;
	h = (h ^ ifindex) * 16777619u;
	return h ^ (h >> 15);
}

struct frx_ifmap *
frx_ifmap_create(void)
{
	struct frx_ifmap *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->mask = 63;
	m->slots = calloc(m->mask + 1, sizeof(*m->slots));
	if (m->slots == NULL) {
		free(m);
		return NULL;
	}
	return m;
}

void
frx_ifmap_free(struct frx_ifmap *m)
{
	if (m == NULL)
		return;
	free(m->slots);
	free(m);
}

static struct ifmap_entry *
find(const struct frx_ifmap *m, const uint8_t addr[16], uint32_t domain, uint32_t ifindex)
{
	uint32_t pos = key_hash(addr, domain, ifindex) & m->mask;

	for (;;) {
		struct ifmap_entry *e = &m->slots[pos];

		if (!e->used ||
		    (e->ifindex == ifindex && e->domain == domain && memcmp(e->addr, addr, 16) == 0))
			return e;
		pos = (pos + 1) & m->mask;
	}
}

static int
grow(struct frx_ifmap *m)
{
	struct frx_ifmap bigger = { .mask = m->mask * 2 + 1, .n = m->n };

	bigger.slots = calloc(bigger.mask + 1, sizeof(*bigger.slots));
	if (bigger.slots == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i <= m->mask; i++)
		if (m->slots[i].used)
			*find(&bigger, m->slots[i].addr, m->slots[i].domain, m->slots[i].ifindex) = m->slots[i];
	free(m->slots);
	*m = bigger;
	return 0;
}

int
frx_ifmap_add_block(struct frx_ifmap *m, const struct frx_ifname *entries, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		const struct frx_ifname *in = &entries[i];
		struct ifmap_entry *e;
		size_t len = in->name_len <= FRX_IFNAME_LEN ? in->name_len : FRX_IFNAME_LEN;

		if ((m->n + 1) * 2 > m->mask + 1 && grow(m) < 0)
			return -ENOMEM;
		e = find(m, in->exporter_addr, in->domain, in->ifindex);
		if (!e->used) {
			memcpy(e->addr, in->exporter_addr, 16);
			e->domain = in->domain;
			e->ifindex = in->ifindex;
			e->used = 1;
			m->n++;
		}
		memcpy(e->name, in->name, len);
		e->name[len] = '\0';
	}
	return 0;
}

const char *
frx_ifmap_lookup(const struct frx_ifmap *m, const uint8_t exporter_addr[16], uint32_t domain, uint32_t ifindex)
{
	const struct ifmap_entry *e;

	if (m == NULL || m->n == 0)
		return NULL;
	e = find(m, exporter_addr, domain, ifindex);
	return e->used ? e->name : NULL;
}

uint32_t
frx_ifmap_size(const struct frx_ifmap *m)
{
	return m->n;
}
