// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The OGM decision (beaverd/ogm.c): accept iff every gateway acknowledged,
 * none refused, and t1 - t0 < tau_min, strictly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ogm.h"

static void accept_below_bound(void **state)
{
	char why[128];

	(void)state;
	assert_int_equal(bvo_decide(1000, 1032, 33, 3, 0, 0, 3, why, sizeof(why)),
			 BVO_ACCEPT);
	assert_non_null(strstr(why, "32 ns"));
}

static void reject_at_and_above_bound(void **state)
{
	char why[128];

	(void)state;
	/* a chain exactly tau_min long fits: equality rejects */
	assert_int_equal(bvo_decide(1000, 1033, 33, 3, 0, 0, 3, why, sizeof(why)),
			 BVO_REJECT_BOUND);
	assert_int_equal(bvo_decide(1000, 900000, 33, 3, 0, 0, 3, why,
				    sizeof(why)), BVO_REJECT_BOUND);
	assert_non_null(strstr(why, "not below"));
}

static void reject_missing_ack(void **state)
{
	char why[128];

	(void)state;
	/* even with a tiny bound: a silent gateway may not have switched */
	assert_int_equal(bvo_decide(1000, 1001, 33, 2, 0, 0, 3, why, sizeof(why)),
			 BVO_REJECT_TIMEOUT);
	assert_non_null(strstr(why, "1 of 3"));
}

static void reject_refused(void **state)
{
	char why[128];

	(void)state;
	assert_int_equal(bvo_decide(1000, 1001, 33, 3, 1, 0, 3, why, sizeof(why)),
			 BVO_REJECT_REFUSED);
}

/*
 * A gateway whose acknowledgement shows no switch inside [t0, t1] rejects
 * the attempt, before the bound is even looked at; a refusal or a missing
 * acknowledgement still says more. Fails if a stale switch counts.
 */
static void reject_stale(void **state)
{
	char why[128];

	(void)state;
	assert_int_equal(bvo_decide(1000, 1001, 33, 3, 0, 1, 3, why, sizeof(why)),
			 BVO_REJECT_STALE);
	assert_non_null(strstr(why, "already at or past"));
	assert_string_equal(bvo_verdict_name(BVO_REJECT_STALE), "stale");
	assert_int_equal(bvo_decide(1000, 1001, 33, 3, 1, 1, 3, why, sizeof(why)),
			 BVO_REJECT_REFUSED);
	assert_int_equal(bvo_decide(1000, 1001, 33, 2, 0, 1, 3, why, sizeof(why)),
			 BVO_REJECT_TIMEOUT);
	assert_int_equal(bvo_decide(1000, 9000, 33, 3, 0, 1, 3, why, sizeof(why)),
			 BVO_REJECT_STALE);
}

static void clock_never_backwards(void **state)
{
	char why[128];

	(void)state;
	/* t1 < t0 cannot happen on CLOCK_MONOTONIC; treat as 0, not huge */
	assert_int_equal(bvo_decide(2000, 1000, 33, 1, 0, 0, 1, why, sizeof(why)),
			 BVO_ACCEPT);
}

static void stats_quantiles(void **state)
{
	static struct bvo_stats s;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(bvo_stats_quantile(&s, 0.5), 0);
	for (uint64_t i = 1; i <= 100; i++)
		bvo_stats_add(&s, i <= 90 ? BVO_ACCEPT : BVO_REJECT_BOUND, i);
	bvo_stats_add(&s, BVO_REJECT_TIMEOUT, 999999);	/* no bound: ignored */
	assert_int_equal(s.accepted, 90);
	assert_int_equal(s.rejected_bound, 10);
	assert_int_equal(s.rejected_timeout, 1);
	assert_int_equal(bvo_stats_quantile(&s, 0.0), 1);
	assert_int_equal(bvo_stats_quantile(&s, 0.5), 51);
	assert_int_equal(bvo_stats_quantile(&s, 0.99), 99);
	assert_int_equal(bvo_stats_quantile(&s, 1.0), 100);
	/* the ring keeps the newest BVO_RING bounds */
	for (uint64_t i = 0; i < BVO_RING; i++)
		bvo_stats_add(&s, BVO_ACCEPT, 7);
	assert_int_equal(bvo_stats_quantile(&s, 1.0), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accept_below_bound),
		cmocka_unit_test(reject_at_and_above_bound),
		cmocka_unit_test(reject_missing_ack),
		cmocka_unit_test(reject_refused),
		cmocka_unit_test(reject_stale),
		cmocka_unit_test(clock_never_backwards),
		cmocka_unit_test(stats_quantiles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
