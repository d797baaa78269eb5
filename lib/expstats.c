/* SPDX-License-Identifier: BSD-3-Clause */
/* STATS block payloads: checking and naming. */
#include "expstats.h"

#include <errno.h>

#include "seq.h"

int
frx_stats_parse(const void *payload, size_t len, const struct frx_stats_header **hdr,
		const struct frx_exporter_stats **exporters, const struct frx_engine_stats **engines,
		const struct frx_denied_stats **denied)
{
	const struct frx_stats_header *h = payload;
	const uint8_t *p = payload;

	if (len < sizeof(*h))
		return -EINVAL;
	/* counts are bounded by what fits, so the products cannot overflow */
	if (h->nb_exporters > len / sizeof(struct frx_exporter_stats) ||
	    h->nb_engines > len / sizeof(struct frx_engine_stats) ||
	    h->nb_denied > len / sizeof(struct frx_denied_stats) ||
	    frx_stats_payload_len(h->nb_exporters, h->nb_engines, h->nb_denied) != len)
		return -EINVAL;
	*hdr = h;
	p += sizeof(*h);
	*exporters = (const struct frx_exporter_stats *)p;
	p += (size_t)h->nb_exporters * sizeof(struct frx_exporter_stats);
	*engines = (const struct frx_engine_stats *)p;
	p += (size_t)h->nb_engines * sizeof(struct frx_engine_stats);
	*denied = (const struct frx_denied_stats *)p;
	return 0;
}

const char *
frx_stats_unit_name(uint8_t unit)
{
	switch (unit) {
	case FRX_SEQ_UNIT_FLOWS:
		return "flows";
	case FRX_SEQ_UNIT_PACKETS:
		return "packets";
	case FRX_SEQ_UNIT_RECORDS:
		return "records";
	default:
		return "-";
	}
}
