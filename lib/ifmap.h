/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Interface names for readers: built from the IFNAMES blocks of flow files
 * (exporter, domain, ifIndex -> name), looked up for each record printed.
 * Grows as needed; meant for readers, not for the data path.
 */
#ifndef FRX_IFMAP_H
#define FRX_IFMAP_H

#include <stdint.h>

#include "flowrec.h"
#include "tmpl.h"

struct frx_ifmap;

/** @return NULL on allocation failure. */
struct frx_ifmap *frx_ifmap_create(void);
void frx_ifmap_free(struct frx_ifmap *map);

/** Add or replace the entries of an IFNAMES block payload. @return 0 or -ENOMEM. */
int frx_ifmap_add_block(struct frx_ifmap *map, const struct frx_ifname *entries, uint32_t count);

/** Name of an exporter's interface, NUL-terminated, or NULL if unknown. */
const char *frx_ifmap_lookup(const struct frx_ifmap *map, const uint8_t exporter_addr[16], uint32_t domain,
			     uint32_t ifindex);

/** Entries held. */
uint32_t frx_ifmap_size(const struct frx_ifmap *map);

#endif
