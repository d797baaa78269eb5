/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-worker exporter and engine tables: open addressing, never shrinking. */
#include "exptab.h"

#include "wire.h"

#include <stdlib.h>
#include <string.h>

void
frx_exptab_conf_defaults(struct frx_exptab_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->max_exporters = 4096;
	conf->max_engines = 8192;
	conf->max_denied = 256;
	frx_seq_conf_defaults(&conf->seq);
	conf->log_interval_s = 10;
}

struct frx_exptab *
frx_exptab_create(const struct frx_exptab_conf *conf)
{
	struct frx_exptab *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->conf = *conf;
	/* twice the entries in slots: probe chains stay short when full */
	t->exporter_mask = frx_pow2_at_least(conf->max_exporters * 2, 16) - 1;
	t->engine_mask = frx_pow2_at_least(conf->max_engines * 2, 16) - 1;
	t->denied_mask = frx_pow2_at_least(conf->max_denied * 2, 16) - 1;
	t->exporters = calloc(t->exporter_mask + 1, sizeof(*t->exporters));
	t->engines = calloc(t->engine_mask + 1, sizeof(*t->engines));
	t->denied = calloc(t->denied_mask + 1, sizeof(*t->denied));
	if (!t->exporters || !t->engines || !t->denied) {
		frx_exptab_free(t);
		return NULL;
	}
	return t;
}

void
frx_exptab_free(struct frx_exptab *t)
{
	if (t == NULL)
		return;
	free(t->exporters);
	free(t->engines);
	free(t->denied);
	free(t);
}

static void
publish(uint32_t *used)
{
	__atomic_store_n(used, 1, __ATOMIC_RELEASE);
}

static int
is_used(const uint32_t *used)
{
	return __atomic_load_n(used, __ATOMIC_ACQUIRE) != 0;
}

static void
learn_pins(const struct frx_exptab *t, struct frx_exporter_entry *ex)
{
	for (unsigned int i = 0; i < t->conf.nb_pins; i++) {
		const struct frx_engine_pin *p = &t->conf.pins[i];

		if (memcmp(p->addr, ex->s.exporter_addr, 16) != 0)
			continue;
		ex->pinned = 1;
		for (unsigned int k = 0; k < p->nb_engines && ex->nb_known < FRX_MAX_KNOWN_ENGINES; k++)
			ex->known[ex->nb_known++] = p->engines[k];
	}
}

struct frx_exporter_entry *
frx_exptab_exporter(struct frx_exptab *t, const uint8_t addr[16], uint64_t now_ms)
{
	uint32_t pos = frx_hash(addr, 16, FRX_HASH_SEED) & t->exporter_mask;

	for (uint32_t k = 0; k <= t->exporter_mask; k++, pos = (pos + 1) & t->exporter_mask) {
		struct frx_exporter_entry *ex = &t->exporters[pos];

		if (ex->used) {
			if (memcmp(ex->s.exporter_addr, addr, 16) == 0)
				return ex;
			continue;
		}
		if (t->nb_exporters >= t->conf.max_exporters)
			break;
		memcpy(ex->s.exporter_addr, addr, 16);
		ex->s.first_seen_ms = now_ms;
		ex->s.last_seen_ms = now_ms;
		ex->tokens_milli = (uint64_t)t->conf.rate_burst * 1000;
		ex->last_refill_ms = now_ms;
		learn_pins(t, ex);
		t->nb_exporters++;
		publish(&ex->used);
		return ex;
	}
	t->exporters_full++;
	return NULL;
}

int
frx_exptab_rate_ok(struct frx_exptab *t, struct frx_exporter_entry *ex, uint64_t now_ms)
{
	uint64_t cap = (uint64_t)t->conf.rate_burst * 1000;

	if (t->conf.rate_pps == 0)
		return 1;
	if (now_ms > ex->last_refill_ms) {
		/* rate_pps datagrams a second = rate_pps thousandths a millisecond */
		uint64_t add = (now_ms - ex->last_refill_ms) * t->conf.rate_pps;

		ex->tokens_milli = ex->tokens_milli + add > cap ? cap : ex->tokens_milli + add;
		ex->last_refill_ms = now_ms;
	}
	if (ex->tokens_milli >= 1000) {
		ex->tokens_milli -= 1000;
		return 1;
	}
	__atomic_store_n(&ex->s.rate_limited, ex->s.rate_limited + 1, __ATOMIC_RELAXED);
	return 0;
}

void
frx_exptab_denied(struct frx_exptab *t, const uint8_t addr[16], uint64_t now_ms)
{
	uint32_t pos = frx_hash(addr, 16, FRX_HASH_SEED) & t->denied_mask;

	for (uint32_t k = 0; k <= t->denied_mask; k++, pos = (pos + 1) & t->denied_mask) {
		struct frx_denied_entry *d = &t->denied[pos];

		if (d->used && memcmp(d->s.addr, addr, 16) != 0)
			continue;
		if (!d->used) {
			if (t->nb_denied >= t->conf.max_denied)
				break;
			memcpy(d->s.addr, addr, 16);
			t->nb_denied++;
			publish(&d->used);
		}
		__atomic_store_n(&d->s.datagrams, d->s.datagrams + 1, __ATOMIC_RELAXED);
		d->s.last_seen_ms = now_ms;
		return;
	}
	t->denied_full++; /* still counted as acl_denied by the worker */
}

uint32_t
frx_exptab_engine_word(const struct frx_pdu_info *hdr)
{
	if (hdr->version == 9 || hdr->version == 10)
		return hdr->domain;
	return (uint32_t)hdr->engine_type << 8 | hdr->engine_id;
}

static enum frx_seq_unit
unit_of(uint16_t version)
{
	switch (version) {
	case 5:
	case 6:
	case 7:
	case 8:
		return FRX_SEQ_UNIT_FLOWS;
	case 9:
		return FRX_SEQ_UNIT_PACKETS;
	case 10:
		return FRX_SEQ_UNIT_RECORDS;
	default:
		return FRX_SEQ_UNIT_NONE;
	}
}

struct frx_engine_entry *
frx_exptab_engine(struct frx_exptab *t, struct frx_exporter_entry *ex, uint32_t exporter_index,
		  const struct frx_pdu_info *hdr, uint16_t exporter_port, uint64_t now_ms)
{
	/* RFC 7011 §8.4: v9/IPFIX engines are transport sessions; v1-v8 have none */
	uint16_t port = hdr->version >= 9 ? exporter_port : 0;
	uint8_t type = hdr->version >= 9 ? 0 : hdr->engine_type, id = hdr->version >= 9 ? 0 : hdr->engine_id;
	uint32_t domain = hdr->version >= 9 ? hdr->domain : 0;
	uint8_t version = (uint8_t)hdr->version;
	uint32_t h = frx_hash(ex->s.exporter_addr, 16, FRX_HASH_SEED);
	uint32_t pos;

	h = frx_hash(&port, 2, h);
	h = frx_hash(&version, 1, h);
	h = frx_hash(&type, 1, h);
	h = frx_hash(&id, 1, h);
	h = frx_hash(&domain, 4, h);
	pos = h & t->engine_mask;
	for (uint32_t k = 0; k <= t->engine_mask; k++, pos = (pos + 1) & t->engine_mask) {
		struct frx_engine_entry *en = &t->engines[pos];

		if (en->used) {
			if (en->exporter == exporter_index && en->s.version == version && en->s.exporter_port == port &&
			    en->s.engine_type == type && en->s.engine_id == id && en->s.domain == domain)
				return en;
			continue;
		}
		if (t->nb_engines >= t->conf.max_engines)
			break;
		en->exporter = exporter_index;
		memcpy(en->s.exporter_addr, ex->s.exporter_addr, 16);
		en->s.version = version;
		en->s.exporter_port = port;
		en->s.engine_type = type;
		en->s.engine_id = id;
		en->s.domain = domain;
		en->s.unit = (uint8_t)unit_of(hdr->version);
		en->s.first_seen_ms = now_ms;
		/* v5-v9 headers carry sysUptime: restarts show as it going back */
		frx_seq_init(&en->seq, unit_of(hdr->version), hdr->version <= 9);
		t->nb_engines++;
		publish(&en->used);
		return en;
	}
	t->engines_full++;
	return NULL;
}

int
frx_exptab_engine_known(struct frx_exptab *t, struct frx_exporter_entry *ex, const struct frx_pdu_info *hdr,
			uint64_t now_ms)
{
	uint32_t word = frx_exptab_engine_word(hdr);
	int learning;

	for (unsigned int i = 0; i < ex->nb_known; i++)
		if (ex->known[i] == word)
			return 1;
	/* Without pinning or a learning period every engine is welcome. */
	if (!ex->pinned && t->conf.learn_engines_s == 0)
		learning = 1;
	else
		learning = !ex->pinned && now_ms < ex->s.first_seen_ms + (uint64_t)t->conf.learn_engines_s * 1000;
	if (learning) {
		if (ex->nb_known < FRX_MAX_KNOWN_ENGINES)
			ex->known[ex->nb_known++] = word;
		return 1;
	}
	return 0;
}

int
frx_exptab_may_log(struct frx_exptab *t, struct frx_engine_entry *en, uint64_t now_ms, uint32_t *suppressed)
{
	if (en->last_log_ms && now_ms < en->last_log_ms + (uint64_t)t->conf.log_interval_s * 1000) {
		en->suppressed++;
		return 0;
	}
	*suppressed = en->suppressed;
	en->suppressed = 0;
	en->last_log_ms = now_ms ? now_ms : 1;
	return 1;
}

unsigned int
frx_exptab_each_exporter(const struct frx_exptab *t, void (*fn)(const struct frx_exporter_stats *s, void *arg),
			 void *arg)
{
	unsigned int n = 0;

	for (uint32_t i = 0; i <= t->exporter_mask; i++)
		if (is_used(&t->exporters[i].used)) {
			struct frx_exporter_stats copy = t->exporters[i].s;

			fn(&copy, arg);
			n++;
		}
	return n;
}

unsigned int
frx_exptab_each_engine(const struct frx_exptab *t, void (*fn)(const struct frx_engine_stats *s, void *arg),
		       void *arg)
{
	unsigned int n = 0;

	for (uint32_t i = 0; i <= t->engine_mask; i++)
		if (is_used(&t->engines[i].used)) {
			const struct frx_engine_entry *en = &t->engines[i];
			struct frx_engine_stats copy = en->s;
			const struct frx_seq_track *tr = frx_seq_reported(&en->seq);

			/* sequence counters live in the accounting state */
			copy.lost = tr->lost;
			copy.out_of_order = tr->out_of_order;
			copy.duplicates = tr->duplicates;
			copy.resets = tr->resets;
			copy.last_sequence = en->seq.last_sequence;
			if (en->seq.inclusive)
				copy.flags |= FRX_ENGINE_F_INCLUSIVE;
			fn(&copy, arg);
			n++;
		}
	return n;
}

unsigned int
frx_exptab_each_denied(const struct frx_exptab *t, void (*fn)(const struct frx_denied_stats *s, void *arg),
		       void *arg)
{
	unsigned int n = 0;

	for (uint32_t i = 0; i <= t->denied_mask; i++)
		if (is_used(&t->denied[i].used)) {
			struct frx_denied_stats copy = t->denied[i].s;

			fn(&copy, arg);
			n++;
		}
	return n;
}
