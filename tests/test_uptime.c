/* SPDX-License-Identifier: BSD-3-Clause */
/* sysUptime-relative times to epoch milliseconds, across the 32-bit wrap. */
#include <criterion/criterion.h>

#include "uptime.h"

#define EXPORT_MS 1700000000000ull

Test(uptime, event_before_export_is_subtracted)
{
	cr_assert_eq(frx_uptime_to_epoch_ms(EXPORT_MS, 100000, 40000), EXPORT_MS - 60000);
}

Test(uptime, event_at_export_time)
{
	cr_assert_eq(frx_uptime_to_epoch_ms(EXPORT_MS, 123, 123), EXPORT_MS);
}

Test(uptime, uptime_wrapped_between_event_and_export)
{
	/* event at uptime 2^32 - 1000, export 500 ms after the wrap */
	cr_assert_eq(frx_uptime_to_epoch_ms(EXPORT_MS, 500, 0xfffffc18u), EXPORT_MS - 1500);
}

Test(uptime, event_slightly_after_header_time_stays_after)
{
	/* Some exporters stamp Last a few ms after the header's uptime. */
	cr_assert_eq(frx_uptime_to_epoch_ms(EXPORT_MS, 1000, 1005), EXPORT_MS + 5);
	cr_assert_eq(frx_uptime_to_epoch_ms(EXPORT_MS, 0xfffffffeu, 3), EXPORT_MS + 5);
}

Test(uptime, long_flows_up_to_24_days_are_in_the_past)
{
	uint32_t twenty_days_ms = 20u * 86400u * 1000u;

	cr_assert_eq(frx_uptime_to_epoch_ms(EXPORT_MS, 5000, 5000 - twenty_days_ms),
		     EXPORT_MS - twenty_days_ms);
}
