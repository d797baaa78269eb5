/* SPDX-License-Identifier: BSD-3-Clause */
/* The drop-reason catalog: unique names, explanations, documented in docs/. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "tmpl.h"

Test(status, every_reason_has_a_unique_name_and_help)
{
	for (unsigned int i = 0; i < FRX_STATUS_MAX; i++) {
		cr_assert_neq(strcmp(frx_status_name(i), "?"), 0);
		cr_assert_gt(strlen(frx_status_help(i)), 10, "help for %s", frx_status_name(i));
		for (unsigned int j = 0; j < i; j++)
			cr_assert_neq(strcmp(frx_status_name(i), frx_status_name(j)), 0);
	}
	cr_assert_str_eq(frx_status_name(FRX_STATUS_MAX), "?");
}

Test(status, every_reason_is_in_docs_drop_reasons_md)
{
	FILE *f = fopen(FRX_SOURCE_ROOT "/docs/drop-reasons.md", "r");
	static char doc[65536];
	size_t n;

	cr_assert_not_null(f, "docs/drop-reasons.md missing");
	n = fread(doc, 1, sizeof(doc) - 1, f);
	doc[n] = '\0';
	fclose(f);
	for (unsigned int i = 1; i < FRX_STATUS_MAX; i++) {
		char cell[64];

		snprintf(cell, sizeof(cell), "| `%s` |", frx_status_name(i));
		cr_assert_not_null(strstr(doc, cell), "docs/drop-reasons.md lacks %s", frx_status_name(i));
	}
}

Test(status, every_template_counter_is_in_docs_drop_reasons_md)
{
	FILE *f = fopen(FRX_SOURCE_ROOT "/docs/drop-reasons.md", "r");
	static char doc[65536];
	size_t n;

	cr_assert_not_null(f);
	n = fread(doc, 1, sizeof(doc) - 1, f);
	doc[n] = '\0';
	fclose(f);
	cr_assert_gt(FRX_TMPL_NB_COUNTERS, 10);
	for (unsigned int i = 0; i < FRX_TMPL_NB_COUNTERS; i++) {
		char cell[64];

		snprintf(cell, sizeof(cell), "| `%s` |", frx_tmpl_counter_name(i));
		cr_assert_not_null(strstr(doc, cell), "docs/drop-reasons.md lacks %s", frx_tmpl_counter_name(i));
		cr_assert_gt(strlen(frx_tmpl_counter_help(i)), 10);
	}
}
