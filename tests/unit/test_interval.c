// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Per-interval counts of a report (beaverd/interval.c): the difference
 * against the previous accepted snapshot, and its edge cases.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "interval.h"

/* the ordinary case: this cut's counter less the previous one's */
static void difference_since_previous(void **state)
{
	struct bvi_base b = { .present = true, .has_pkts = true,
			      .has_bytes = true, .pkts = 5, .bytes = 500 };
	struct bvi_count c = bvi_count(false, &b, 12, 1200);

	(void)state;
	assert_int_equal(c.since, BVI_PREVIOUS);
	assert_true(c.pkts_known && c.bytes_known);
	assert_int_equal(c.pkts, 7);
	assert_int_equal(c.bytes, 700);
	/* no bypass since: 0, although the cumulative count is not */
	c = bvi_count(false, &b, 5, 500);
	assert_int_equal(c.since, BVI_PREVIOUS);
	assert_true(c.pkts_known);
	assert_int_equal(c.pkts, 0);
	assert_int_equal(c.bytes, 0);
	assert_string_equal(bvi_since_name(c.since), "previous");
}

/* the group's first accepted snapshot: since the member was configured */
static void first_snapshot_counts_all(void **state)
{
	struct bvi_base b = { .present = true, .has_pkts = true,
			      .pkts = 99 };
	struct bvi_count c;

	(void)state;
	/* the base is ignored: there is no previous snapshot */
	c = bvi_count(true, &b, 3, 300);
	assert_int_equal(c.since, BVI_CONFIGURED);
	assert_true(c.pkts_known && c.bytes_known);
	assert_int_equal(c.pkts, 3);
	assert_int_equal(c.bytes, 300);
	c = bvi_count(true, NULL, 0, 0);
	assert_int_equal(c.since, BVI_CONFIGURED);
	assert_int_equal(c.pkts, 0);
	assert_string_equal(bvi_since_name(c.since), "configured");
}

/*
 * A counter that went backwards (module reloaded, namespace
 * reconfigured): counted from zero, flagged, never negative or wrapped.
 * Fails if the difference is taken as unsigned (2^64 - 6).
 */
static void reset_counts_from_zero(void **state)
{
	struct bvi_base b = { .present = true, .has_pkts = true,
			      .has_bytes = true, .pkts = 10, .bytes = 1000 };
	struct bvi_count c;

	(void)state;
	c = bvi_count(false, &b, 4, 400);
	assert_int_equal(c.since, BVI_RESET);
	assert_true(c.pkts_known && c.bytes_known);
	assert_int_equal(c.pkts, 4);
	assert_int_equal(c.bytes, 400);
	/* bytes alone going back is a reset of both */
	c = bvi_count(false, &b, 11, 100);
	assert_int_equal(c.since, BVI_RESET);
	assert_int_equal(c.pkts, 11);
	assert_int_equal(c.bytes, 100);
	/* to zero */
	c = bvi_count(false, &b, 0, 0);
	assert_int_equal(c.since, BVI_RESET);
	assert_int_equal(c.pkts, 0);
	assert_string_equal(bvi_since_name(c.since), "reset");
}

/* a member the previous snapshot had no record of: unknown, not guessed */
static void absent_member_unknown(void **state)
{
	struct bvi_base gone = { .present = false, .has_pkts = true };
	struct bvi_count c;

	(void)state;
	c = bvi_count(false, NULL, 7, 700);
	assert_int_equal(c.since, BVI_ABSENT);
	assert_false(c.pkts_known || c.bytes_known);
	c = bvi_count(false, &gone, 7, 700);
	assert_int_equal(c.since, BVI_ABSENT);
	assert_false(c.pkts_known);
	assert_string_equal(bvi_since_name(c.since), "absent");
}

/* a baseline from a report before bypass_bytes: packets known, bytes not */
static void old_baseline_without_bytes(void **state)
{
	struct bvi_base b = { .present = true, .has_pkts = true, .pkts = 2 };
	struct bvi_count c = bvi_count(false, &b, 5, 900);

	(void)state;
	assert_int_equal(c.since, BVI_PREVIOUS);
	assert_true(c.pkts_known);
	assert_int_equal(c.pkts, 3);
	assert_false(c.bytes_known);
}

static void add_late(struct bvr_records *r, uint32_t first, uint32_t last,
		     uint32_t arrived, uint64_t pkts)
{
	struct bvr_late l = { .kind = 1, .peer = bv_ip4(0), .first = first,
			      .last = last, .arrived = arrived, .pkts = pkts,
			      .bytes = 100 * pkts };

	assert_int_equal(bvr_add_late(r, &l), 0);
}

/*
 * Late packets that arrived in the interval: entries with arrived in
 * (previous epoch, this epoch], serial order, across the wrap
 */
static void late_arrived_in_interval(void **state)
{
	struct bvr_records r;
	uint64_t p, b;

	(void)state;
	bvr_init(&r);
	add_late(&r, 3, 3, 4, 1);	/* before the previous snapshot (5) */
	add_late(&r, 4, 5, 5, 2);	/* at it: the previous interval's */
	add_late(&r, 5, 5, 6, 4);	/* in this one */
	add_late(&r, 5, 6, 8, 8);	/* at this snapshot's epoch */
	add_late(&r, 8, 8, 9, 16);	/* after it (not possible; excluded) */
	bvi_late_arrived(&r, 5, 8, &p, &b);
	assert_int_equal(p, 12);
	assert_int_equal(b, 1200);
	/* no previous snapshot: everything up to this epoch */
	bvi_late_arrived(&r, 0, 8, &p, &b);
	assert_int_equal(p, 15);
	bvr_free(&r);

	/* across the wrap: previous UINT32_MAX - 1, this one 2 */
	bvr_init(&r);
	add_late(&r, UINT32_MAX - 2, UINT32_MAX - 1, UINT32_MAX - 1, 1);
	add_late(&r, UINT32_MAX - 1, UINT32_MAX - 1, UINT32_MAX, 2);
	add_late(&r, UINT32_MAX, 1, 1, 4);
	add_late(&r, 1, 1, 3, 8);
	bvi_late_arrived(&r, UINT32_MAX - 1, 2, &p, &b);
	assert_int_equal(p, 6);
	bvr_free(&r);
	bvi_late_arrived(NULL, 1, 2, &p, &b);
	assert_int_equal(p, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(difference_since_previous),
		cmocka_unit_test(first_snapshot_counts_all),
		cmocka_unit_test(reset_counts_from_zero),
		cmocka_unit_test(absent_member_unknown),
		cmocka_unit_test(old_baseline_without_bytes),
		cmocka_unit_test(late_arrived_in_interval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
