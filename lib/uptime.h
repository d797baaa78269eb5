/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * sysUptime-relative timestamps to absolute epoch milliseconds.
 *
 * NetFlow v1-v9 stamp flows with the exporter's sysUptime (milliseconds
 * since boot, 32 bits, wrapping every 49.7 days) and the header carries the
 * sysUptime and wall clock at export. A flow time is converted through the
 * difference between the two uptimes taken modulo 2^32 and read as signed:
 * flows end at most minutes (active timeout) before the export, never 24.8
 * days, so the signed reading is right across the wrap and also keeps the
 * small negative offsets some exporters produce (a flow "ending" a few ms
 * after the header time).
 */
#ifndef FRX_UPTIME_H
#define FRX_UPTIME_H

#include <stdint.h>

/**
 * @param export_ms      wall clock of the export, epoch ms (header)
 * @param sys_uptime_ms  sysUptime at export (header)
 * @param flow_uptime_ms sysUptime of the event (record First/Last)
 * @return the event's epoch milliseconds
 */
static inline uint64_t
frx_uptime_to_epoch_ms(uint64_t export_ms, uint32_t sys_uptime_ms, uint32_t flow_uptime_ms)
{
	int32_t age_ms = (int32_t)(sys_uptime_ms - flow_uptime_ms);

	return (uint64_t)((int64_t)export_ms - age_ms);
}

/**
 * The same for exporters whose sysUptime and flow stamps count seconds
 * (a per-exporter quirk the operator sets).
 */
static inline uint64_t
frx_uptime_s_to_epoch_ms(uint64_t export_ms, uint32_t sys_uptime_s, uint32_t flow_uptime_s)
{
	int32_t age_s = (int32_t)(sys_uptime_s - flow_uptime_s);

	return (uint64_t)((int64_t)export_ms - (int64_t)age_s * 1000);
}

#endif
