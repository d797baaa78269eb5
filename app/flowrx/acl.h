/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Exporter ACL: the source prefixes allowed to export, in DPDK's LPM tables
 * (rte_lpm for IPv4, rte_lpm6 for IPv6), looked up a burst at a time on the
 * workers. Built before launch, read-only afterwards, shared by all workers.
 */
#ifndef FRX_APP_ACL_H
#define FRX_APP_ACL_H

#include <stdint.h>

#define FRX_ACL_MAX_PREFIXES 4096

struct frx_acl_prefix {
	uint8_t addr[16];     /**< IPv4-mapped or IPv6 */
	uint8_t depth;        /**< prefix length within its family */
	uint8_t is_v6;
};

struct frx_acl;

/** Parse "192.0.2.0/24", "2001:db8::/32" or a plain address. @return 0 or -EINVAL. */
int frx_acl_parse_prefix(const char *text, struct frx_acl_prefix *p);

/** Build the tables (EAL must be up). @return NULL with a message printed. */
struct frx_acl *frx_acl_create(const struct frx_acl_prefix *prefixes, unsigned int n, int socket);
void frx_acl_free(struct frx_acl *acl);

/**
 * Check n exporter addresses (16-byte form); allowed[i] set to 1 or 0.
 * IPv4 and IPv6 addresses are each looked up in one bulk call.
 */
void frx_acl_check_burst(const struct frx_acl *acl, const uint8_t (*const *addrs), unsigned int n,
			 uint8_t *allowed);

#endif
