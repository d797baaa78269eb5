/* SPDX-License-Identifier: BSD-3-Clause */
/* Names and explanations of decoder statuses, from the one list in status.h. */
#include "status.h"

static const char *const status_names[FRX_STATUS_MAX] = {
#define FRX_STATUS_NAME(sym, name, help) [sym] = name,
	FRX_STATUS_LIST(FRX_STATUS_NAME)
#undef FRX_STATUS_NAME
};

static const char *const status_help[FRX_STATUS_MAX] = {
#define FRX_STATUS_HELP(sym, name, help) [sym] = help,
	FRX_STATUS_LIST(FRX_STATUS_HELP)
#undef FRX_STATUS_HELP
};

const char *
frx_status_name(unsigned int status)
{
	return status < FRX_STATUS_MAX ? status_names[status] : "?";
}

const char *
frx_status_help(unsigned int status)
{
	return status < FRX_STATUS_MAX ? status_help[status] : "?";
}
