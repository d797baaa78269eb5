/* SPDX-License-Identifier: BSD-3-Clause */
/* Exporter ACL on rte_lpm / rte_lpm6. */
#include "acl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_lpm.h>
#include <rte_lpm6.h>
#include <rte_malloc.h>

#include "ctx.h"
#include "flowrec.h"

struct frx_acl {
	struct rte_lpm *v4;
	struct rte_lpm6 *v6;
};

struct frx_acl *
frx_acl_create(const struct frx_acl_prefix *prefixes, unsigned int n, int socket)
{
	struct frx_acl *acl = rte_zmalloc("frx_acl", sizeof(*acl), 0);
	struct rte_lpm_config c4 = { .max_rules = n + 1, .number_tbl8s = 256 };
	struct rte_lpm6_config c6 = { .max_rules = n + 1, .number_tbl8s = 1024 };

	if (acl == NULL)
		return NULL;
	acl->v4 = rte_lpm_create("frx_acl4", socket, &c4);
	acl->v6 = rte_lpm6_create("frx_acl6", socket, &c6);
	if (acl->v4 == NULL || acl->v6 == NULL) {
		fprintf(stderr, "flowrx: --allow: cannot create LPM tables: %s\n", rte_strerror(rte_errno));
		frx_acl_free(acl);
		return NULL;
	}
	for (unsigned int i = 0; i < n; i++) {
		const struct frx_acl_prefix *p = &prefixes[i];
		int rc;

		if (p->is_v6) {
			rc = rte_lpm6_add(acl->v6, p->addr, p->depth ? p->depth : 1, 1);
			if (rc == 0 && p->depth == 0) { /* ::/0: LPM takes depth 1..128 */
				uint8_t upper[16] = { 0x80 };

				rc = rte_lpm6_add(acl->v6, upper, 1, 1);
			}
		} else {
			uint32_t ip;

			memcpy(&ip, p->addr + 12, 4);
			rc = rte_lpm_add(acl->v4, ntohl(ip), p->depth ? p->depth : 1, 1);
			if (rc == 0 && p->depth == 0) /* 0.0.0.0/0: LPM takes depth 1..32 */
				rc = rte_lpm_add(acl->v4, 0x80000000u, 1, 1);
		}
		if (rc < 0) {
			fprintf(stderr, "flowrx: --allow: cannot add prefix %u: %s\n", i, strerror(-rc));
			frx_acl_free(acl);
			return NULL;
		}
	}
	return acl;
}

void
frx_acl_free(struct frx_acl *acl)
{
	if (acl == NULL)
		return;
	rte_lpm_free(acl->v4);
	rte_lpm6_free(acl->v6);
	rte_free(acl);
}

void
frx_acl_check_burst(const struct frx_acl *acl, const uint8_t (*const *addrs), unsigned int n, uint8_t *allowed)
{
	uint32_t ip4[FRX_BURST], hop4[FRX_BURST];
	uint8_t ip6[FRX_BURST][16];
	int32_t hop6[FRX_BURST];
	unsigned int idx4[FRX_BURST], idx6[FRX_BURST], n4 = 0, n6 = 0;

	for (unsigned int i = 0; i < n && i < FRX_BURST; i++) {
		if (frx_addr_is_v4(addrs[i])) {
			uint32_t ip;

			memcpy(&ip, addrs[i] + 12, 4);
			ip4[n4] = ntohl(ip);
			idx4[n4++] = i;
		} else {
			memcpy(ip6[n6], addrs[i], 16);
			idx6[n6++] = i;
		}
	}
	if (n4) {
		rte_lpm_lookup_bulk(acl->v4, ip4, hop4, n4);
		for (unsigned int k = 0; k < n4; k++)
			allowed[idx4[k]] = (hop4[k] & RTE_LPM_LOOKUP_SUCCESS) != 0;
	}
	if (n6) {
		rte_lpm6_lookup_bulk_func(acl->v6, ip6, hop6, n6);
		for (unsigned int k = 0; k < n6; k++)
			allowed[idx6[k]] = hop6[k] >= 0;
	}
}
