/* SPDX-License-Identifier: BSD-3-Clause */
/* Sequence accounting: gaps, reordering, duplicates, wrap, restarts, and
 * softflowd's IPFIX convention, each with exact counts. */
#include <criterion/criterion.h>

#include "seq.h"

static struct frx_seq_conf conf;
static struct frx_seq_state st;

static void
setup(void)
{
	frx_seq_conf_defaults(&conf);
}

TestSuite(seq, .init = setup);

/* One v5 PDU of 30 flows; returns the verdict. */
static enum frx_seq_verdict
pdu(uint32_t seq, uint32_t units, uint32_t uptime)
{
	int switched;

	return frx_seq_update(&st, &conf, seq, units, uptime, &switched);
}

static const struct frx_seq_track *
rep(void)
{
	return frx_seq_reported(&st);
}

Test(seq, in_order_flows_lose_nothing)
{
	frx_seq_init(&st, FRX_SEQ_UNIT_FLOWS, 1);
	cr_assert_eq(pdu(1000, 30, 100), FRX_SEQ_FIRST);
	for (uint32_t i = 1; i < 10; i++)
		cr_assert_eq(pdu(1000 + 30 * i, 30, 100 + i), FRX_SEQ_IN_ORDER);
	cr_assert_eq(rep()->lost, 0);
	cr_assert_eq(rep()->irregular, 0);
}

Test(seq, gap_counts_lost_flows)
{
	frx_seq_init(&st, FRX_SEQ_UNIT_FLOWS, 1);
	pdu(0, 30, 100);
	cr_assert_eq(pdu(90, 30, 101), FRX_SEQ_GAP); /* 30..89: two PDUs missing */
	cr_assert_eq(rep()->lost, 60);
	cr_assert_eq(pdu(120, 30, 102), FRX_SEQ_IN_ORDER);
}

Test(seq, late_pdu_inside_the_window_fills_its_gap)
{
	frx_seq_init(&st, FRX_SEQ_UNIT_FLOWS, 1);
	pdu(0, 30, 100);
	pdu(60, 30, 102);                              /* 30..59 missing */
	cr_assert_eq(rep()->lost, 30);
	cr_assert_eq(pdu(30, 30, 101), FRX_SEQ_LATE);  /* arrives late */
	cr_assert_eq(rep()->lost, 0, "a late packet is not loss");
	cr_assert_eq(rep()->out_of_order, 1);
	cr_assert_eq(rep()->resets, 0, "nor a restart");
	cr_assert_eq(pdu(90, 30, 103), FRX_SEQ_IN_ORDER);
}

Test(seq, late_pdu_in_the_middle_of_a_gap_splits_it)
{
	frx_seq_init(&st, FRX_SEQ_UNIT_FLOWS, 1);
	pdu(0, 30, 100);
	pdu(120, 30, 104);           /* 30..119 missing: 90 */
	cr_assert_eq(pdu(60, 30, 102), FRX_SEQ_LATE);
	cr_assert_eq(rep()->lost, 60);
	cr_assert_eq(pdu(30, 30, 101), FRX_SEQ_LATE);
	cr_assert_eq(pdu(90, 30, 103), FRX_SEQ_LATE);
	cr_assert_eq(rep()->lost, 0);
	cr_assert_eq(pdu(90, 30, 103), FRX_SEQ_DUPLICATE, "the same PDU twice");
	cr_assert_eq(rep()->lost, 0);
}

Test(seq, duplicate_is_recognised_and_not_counted_twice)
{
	frx_seq_init(&st, FRX_SEQ_UNIT_FLOWS, 1);
	pdu(0, 30, 100);
	pdu(30, 30, 101);
	cr_assert_eq(pdu(30, 30, 101), FRX_SEQ_DUPLICATE);
	cr_assert_eq(rep()->duplicates, 1);
	cr_assert_eq(rep()->lost, 0);
	cr_assert_eq(pdu(60, 30, 102), FRX_SEQ_IN_ORDER);
}

Test(seq, wrap_of_the_32_bit_counter_is_not_a_loss)
{
	frx_seq_init(&st, FRX_SEQ_UNIT_FLOWS, 1);
	pdu(0xffffffc4u, 30, 100);         /* ...-60 */
	cr_assert_eq(pdu(0xffffffe2u, 30, 101), FRX_SEQ_IN_ORDER);
	cr_assert_eq(pdu(0, 30, 102), FRX_SEQ_IN_ORDER);
	cr_assert_eq(pdu(60, 30, 103), FRX_SEQ_GAP);
	cr_assert_eq(rep()->lost, 30);
	cr_assert_eq(rep()->resets, 0);
}

Test(seq, sysuptime_going_back_is_a_restart_not_a_loss)
{
	frx_seq_init(&st, FRX_SEQ_UNIT_FLOWS, 1);
	pdu(5000000, 30, 90000000);
	cr_assert_eq(pdu(0, 30, 2000), FRX_SEQ_RESTART);
	cr_assert_eq(rep()->resets, 1);
	cr_assert_eq(rep()->lost, 0);
	cr_assert_eq(pdu(30, 30, 3000), FRX_SEQ_IN_ORDER);
	cr_assert_eq(rep()->irregular, 1);
}

Test(seq, uptime_a_little_back_is_reordering_not_a_restart)
{
	frx_seq_init(&st, FRX_SEQ_UNIT_FLOWS, 1);
	pdu(0, 30, 100000);
	pdu(60, 30, 100200);
	cr_assert_eq(pdu(30, 30, 100100), FRX_SEQ_LATE);
	cr_assert_eq(rep()->resets, 0);
}

Test(seq, huge_jump_is_a_restart)
{
	frx_seq_init(&st, FRX_SEQ_UNIT_FLOWS, 0);
	pdu(100, 30, 0);
	cr_assert_eq(pdu(100 + 200000000u, 30, 0), FRX_SEQ_RESTART);
	cr_assert_eq(rep()->lost, 0, "not two hundred million lost flows");
	cr_assert_eq(rep()->resets, 1);
}

Test(seq, restart_without_uptime_is_confirmed_by_the_next_pdu)
{
	/* IPFIX has no sysUptime: sequence back to 0 is stale once, then confirmed */
	frx_seq_init(&st, FRX_SEQ_UNIT_PACKETS, 0);
	for (uint32_t i = 0; i < 10000; i++)
		pdu(i, 1, 0);
	cr_assert_eq(pdu(0, 1, 0), FRX_SEQ_STALE);
	cr_assert_eq(pdu(1, 1, 0), FRX_SEQ_RESTART);
	cr_assert_eq(pdu(2, 1, 0), FRX_SEQ_IN_ORDER);
	cr_assert_eq(rep()->resets, 1);
	cr_assert_eq(rep()->out_of_order, 0, "the first PDU after the restart is not counted as late");
	cr_assert_eq(rep()->lost, 0);
}

Test(seq, v9_counts_packets)
{
	frx_seq_init(&st, FRX_SEQ_UNIT_PACKETS, 1);
	pdu(1, 1, 100);
	pdu(2, 1, 101);
	cr_assert_eq(pdu(5, 1, 102), FRX_SEQ_GAP);
	cr_assert_eq(rep()->lost, 2, "packets 3 and 4");
}

Test(seq, v1_has_nothing_to_account)
{
	frx_seq_init(&st, FRX_SEQ_UNIT_NONE, 1);
	cr_assert_eq(pdu(0, 30, 0), FRX_SEQ_NONE);
	cr_assert_eq(pdu(0, 30, 0), FRX_SEQ_NONE);
	cr_assert_eq(rep()->duplicates, 0);
}

Test(seq, ipfix_rfc_convention_is_kept_when_counts_vary)
{
	/* RFC 7011: the header counts records sent before this message */
	uint32_t counts[] = { 7, 3, 12, 1, 30, 5 }, seq = 100;

	frx_seq_init(&st, FRX_SEQ_UNIT_RECORDS, 0);
	for (unsigned int i = 0; i < 6; i++) {
		pdu(seq, counts[i], 0);
		seq += counts[i];
	}
	cr_assert_eq(st.inclusive, 0);
	cr_assert_eq(rep()->lost, 0);
	cr_assert_eq(rep()->irregular, 0);
}

Test(seq, softflowd_ipfix_convention_is_recognised_and_logged_once)
{
	/* softflowd: the header counts records including this message */
	uint32_t counts[] = { 7, 3, 12, 1, 30, 5, 5, 9 }, total = 0;
	int switched, switches = 0;

	frx_seq_init(&st, FRX_SEQ_UNIT_RECORDS, 0);
	for (unsigned int i = 0; i < 8; i++) {
		total += counts[i];
		frx_seq_update(&st, &conf, total, counts[i], 0, &switched);
		switches += switched;
	}
	cr_assert_eq(st.inclusive, 1);
	cr_assert_eq(switches, 1, "the quirk is reported once");
	cr_assert_eq(rep()->lost, 0, "no false losses");
	cr_assert_eq(rep()->irregular, 0);
}

Test(seq, softflowd_convention_never_hides_a_real_gap)
{
	uint32_t counts[] = { 7, 3, 12, 1, 30, 5 }, total = 0;
	int switched;

	frx_seq_init(&st, FRX_SEQ_UNIT_RECORDS, 0);
	for (unsigned int i = 0; i < 6; i++) {
		total += counts[i];
		frx_seq_update(&st, &conf, total, counts[i], 0, &switched);
	}
	total += 40; /* a message of 40 records is lost */
	total += 8;
	frx_seq_update(&st, &conf, total, 8, 0, &switched);
	cr_assert_eq(st.inclusive, 1);
	cr_assert_eq(rep()->lost, 40);
}

Test(seq, reject_policy)
{
	frx_seq_init(&st, FRX_SEQ_UNIT_FLOWS, 1);
	conf.reject_distance = 1000;
	cr_assert(frx_seq_should_reject(&st, &conf, FRX_SEQ_DUPLICATE, 0));
	cr_assert(frx_seq_should_reject(&st, &conf, FRX_SEQ_GAP, 5000));
	cr_assert_not(frx_seq_should_reject(&st, &conf, FRX_SEQ_GAP, 60));
	cr_assert_not(frx_seq_should_reject(&st, &conf, FRX_SEQ_IN_ORDER, 0));
	cr_assert_not(frx_seq_should_reject(&st, &conf, FRX_SEQ_RESTART, 0));
	conf.reject_distance = 0;
	cr_assert_not(frx_seq_should_reject(&st, &conf, FRX_SEQ_DUPLICATE, 0));
}

Test(seq, ipfix_is_not_rejected_before_its_convention_is_settled)
{
	frx_seq_init(&st, FRX_SEQ_UNIT_RECORDS, 0);
	conf.reject_distance = 1000;
	pdu(7, 7, 0);
	cr_assert_not(frx_seq_should_reject(&st, &conf, FRX_SEQ_DUPLICATE, 0));
	for (uint32_t i = 1; i < FRX_SEQ_SETTLE; i++)
		pdu(7 + 7 * i, 7, 0);
	cr_assert(frx_seq_should_reject(&st, &conf, FRX_SEQ_DUPLICATE, 0));
}

Test(seq, classify_changes_nothing)
{
	uint32_t distance;

	frx_seq_init(&st, FRX_SEQ_UNIT_FLOWS, 1);
	pdu(0, 30, 100);
	cr_assert_eq(frx_seq_classify(&st, &conf, 5030, 101, &distance), FRX_SEQ_GAP);
	cr_assert_eq(distance, 5000);
	cr_assert_eq(frx_seq_classify(&st, &conf, 30, 101, &distance), FRX_SEQ_IN_ORDER);
	cr_assert_eq(rep()->lost, 0);
}
