// SPDX-License-Identifier: GPL-2.0
/*
 * The oracle's epoch order (tests/tools/serial.h) against the module's
 * (netfilter/beaver_stamp.h): two pieces of code written apart must give
 * the same answer wherever the module can produce a range, or one of them
 * is wrong. Corners (0, the wrap at 2^32, half the circle) exhaustively,
 * then a million pseudo-random cases near and far.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "beaver_stamp.h"
#include "serial.h"

static const uint32_t corners[] = {
	0, 1, 2, 3, 100, 0x7ffffffeu, 0x7fffffffu, 0x80000000u, 0x80000001u,
	0x80000002u, 0xfffffff0u, 0xfffffffdu, 0xfffffffeu, 0xffffffffu,
};

#define N_CORNERS (sizeof(corners) / sizeof(corners[0]))

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	/* xorshift64*: deterministic, so a failure can be replayed */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32);
}

/* a range the module can make: lo and hi not 0, hi at most 2^31-1 ahead */
static bool module_range(uint32_t lo, uint32_t hi)
{
	return lo && hi && (uint32_t)(hi - lo) < 0x80000000u;
}

/*
 * Both must agree wherever an order exists. An epoch exactly half the
 * circle from lo or hi has none (RFC 1982 leaves it undefined): the
 * module then calls it neither before nor after, so "in"; the oracle says
 * "not in", which can only make it refuse evidence, never accept it.
 */
static void same_in(uint32_t e, uint32_t lo, uint32_t hi)
{
	if (!e || !module_range(lo, hi) || e - lo == 0x80000000u ||
	    e - hi == 0x80000000u)
		return;
	if (sn_in(e, lo, hi) != bv_epoch_in(e, lo, hi))
		fail_msg("e %u lo %u hi %u: oracle %d module %d", e, lo, hi,
			 sn_in(e, lo, hi), bv_epoch_in(e, lo, hi));
}

static void same_before(uint32_t a, uint32_t b)
{
	if (sn_before(a, b) != bv_epoch_before(a, b))
		fail_msg("a %u b %u: oracle %d module %d", a, b,
			 sn_before(a, b), bv_epoch_before(a, b));
}

static void test_corners(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_CORNERS; i++)
		for (size_t j = 0; j < N_CORNERS; j++) {
			same_before(corners[i], corners[j]);
			for (size_t k = 0; k < N_CORNERS; k++)
				same_in(corners[i], corners[j], corners[k]);
		}
}

static void test_random(void **state)
{
	(void)state;
	for (int i = 0; i < 1000000; i++) {
		uint32_t lo = rnd(), e, hi;

		/* near: a short range and an epoch around it */
		hi = lo + (rnd() & 0xff);
		e = lo + (rnd() & 0x1ff) - 0x80;
		same_in(e, lo, hi);
		same_before(e, lo);
		/* far: anywhere on the circle */
		same_in(rnd(), lo, lo + (rnd() & 0x7fffffffu));
		same_before(rnd(), rnd());
	}
}

/* what the oracle relies on, said directly */
static void test_meaning(void **state)
{
	(void)state;
	assert_true(sn_before(0, 1));
	assert_false(sn_before(1, 0));
	assert_false(sn_before(0, 0));
	assert_true(sn_before(0xffffffffu, 1));		/* across the wrap */
	assert_false(sn_before(1, 0x80000001u));	/* half: no order */
	assert_true(sn_in(2, 0xfffffff0u, 5));		/* a range over the wrap */
	assert_false(sn_in(6, 0xfffffff0u, 5));
	assert_false(sn_in(0, 0xfffffff0u, 5));		/* 0 is in no range */
	assert_false(sn_in(5, 5, 5 + 0x80000000u));	/* too long to order */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corners),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_meaning),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
