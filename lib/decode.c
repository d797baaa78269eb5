/* SPDX-License-Identifier: BSD-3-Clause */
/* Version dispatch, per-exporter overrides, and the worker's decoding state. */
#include "decode.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ipfix.h"
#include "wire.h"
#include "nf5.h"
#include "nf8.h"

void
frx_decoder_conf_defaults(struct frx_decoder_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	frx_tmpl_conf_defaults(&conf->tmpl);
}

struct frx_decoder *
frx_decoder_create(const struct frx_decoder_conf *conf)
{
	struct frx_decoder *dec = calloc(1, sizeof(*dec));

	if (dec == NULL)
		return NULL;
	dec->tmpl = frx_tmpl_cache_create(&conf->tmpl);
	if (dec->tmpl == NULL) {
		free(dec);
		return NULL;
	}
	if (conf->nb_overrides > FRX_MAX_OVERRIDES) {
		frx_decoder_free(dec);
		errno = EINVAL;
		return NULL;
	}
	memcpy(dec->overrides, conf->overrides, conf->nb_overrides * sizeof(conf->overrides[0]));
	dec->nb_overrides = conf->nb_overrides;
	return dec;
}

void
frx_decoder_free(struct frx_decoder *dec)
{
	if (dec == NULL)
		return;
	frx_tmpl_cache_free(dec->tmpl);
	free(dec);
}

int
frx_decode_peek(const uint8_t *pdu, uint32_t len, struct frx_pdu_info *hdr)
{
	memset(hdr, 0, sizeof(*hdr));
	if (len < 4)
		return -1;
	hdr->version = (uint16_t)(pdu[0] << 8 | pdu[1]);
	hdr->count = (uint16_t)(pdu[2] << 8 | pdu[3]);
	switch (hdr->version) {
	case 1:
		if (len < 16)
			return -1;
		hdr->sys_uptime_ms = frx_rd32(pdu + 4);
		return 0;
	case 5:
	case 6:
	case 7:
	case 8:
		if (len < 24)
			return -1;
		hdr->sys_uptime_ms = frx_rd32(pdu + 4);
		hdr->sequence = frx_rd32(pdu + 16);
		if (hdr->version != 7) { /* v7's bytes 20-23 are reserved */
			hdr->engine_type = pdu[20];
			hdr->engine_id = pdu[21];
		}
		return 0;
	case 9:
		if (len < 20)
			return -1;
		hdr->sys_uptime_ms = frx_rd32(pdu + 4);
		hdr->sequence = frx_rd32(pdu + 12);
		hdr->domain = frx_rd32(pdu + 16);
		return 0;
	case 10:
		if (len < 16)
			return -1;
		hdr->count = 0;
		hdr->sequence = frx_rd32(pdu + 8);
		hdr->domain = frx_rd32(pdu + 12);
		return 0;
	default:
		return -1;
	}
}

void
frx_decoder_tick(struct frx_decoder *dec, uint64_t now_ms)
{
	frx_tmpl_expire(dec->tmpl, now_ms);
}

enum frx_status
frx_decode(struct frx_decoder *dec, const uint8_t *pdu, uint32_t len, const struct frx_exporter *exp,
	   uint64_t now_ms, struct frx_recbuf *out, struct frx_pdu_info *info)
{
	struct frx_exporter with_overrides;
	uint16_t version;

	if (len < 2) {
		memset(info, 0, sizeof(*info));
		return FRX_ETRUNCATED;
	}
	if (dec->nb_overrides) {
		with_overrides = *exp;
		for (unsigned int i = 0; i < dec->nb_overrides; i++)
			if (memcmp(dec->overrides[i].addr, exp->addr, 16) == 0) {
				with_overrides.sampling_override = dec->overrides[i].sampling_interval;
				with_overrides.uptime_in_seconds = dec->overrides[i].uptime_in_seconds;
				break;
			}
		exp = &with_overrides;
	}
	version = (uint16_t)(pdu[0] << 8 | pdu[1]);
	switch (version) {
	case 1:
	case 5:
	case 6:
	case 7:
		return frx_nf5_decode(pdu, len, exp, out, info);
	case 8:
		return frx_nf8_decode(pdu, len, exp, out, info);
	case 9:
	case 10:
		return frx_ipfix_decode(dec->tmpl, pdu, len, exp, now_ms, out, info);
	default:
		memset(info, 0, sizeof(*info));
		info->version = version;
		return FRX_EBAD_VERSION;
	}
}
