// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Epoch serial-number arithmetic of beaver_stamp.h (RFC 1982, DESIGN §3):
 * every boundary — epoch 0, the 0xffffffff -> 1 successor, the 2^31
 * distance — and the mirror/antisymmetry/max laws on a grid of epochs and
 * against a 64-bit reference model on pseudo-random pairs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "beaver_stamp.h"

#define HALF 0x80000000u	/* 2^31: the one distance with no order */

/* epochs at and around every interesting boundary */
static const uint32_t grid[] = {
	0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x100,
	0x7ffffffe, 0x7fffffff, 0x80000000, 0x80000001, 0x80000002,
	0xc0000000, 0xfffffffd, 0xfffffffe, 0xffffffff,
	0x12345678, 0x9abcdef0,
};

#define GRID_N (sizeof(grid) / sizeof(grid[0]))

/*
 * Reference model: a after b iff a != 0 and (b == 0 or the forward distance
 * from b to a, modulo 2^32, is in [1, 2^31 - 1]).
 */
static int ref_after(uint32_t a, uint32_t b)
{
	uint64_t d;

	if (a == 0)
		return 0;
	if (b == 0)
		return 1;
	d = ((uint64_t)a - b) & 0xffffffffu;
	return d >= 1 && d <= 0x7fffffffu;
}

static uint32_t rnd_state = 0x2545f491u;

static uint32_t rnd(void)
{
	/* xorshift32: deterministic, so a failure reproduces */
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static void test_after_zero_is_oldest(void **state)
{
	(void)state;
	assert_false(bv_epoch_after(0, 0));
	assert_false(bv_epoch_before(0, 0));
	for (size_t i = 0; i < GRID_N; i++) {
		uint32_t e = grid[i];

		/* nothing is older than 0, and 0 is newer than nothing */
		assert_false(bv_epoch_after(0, e));
		assert_false(bv_epoch_before(e, 0));
		if (e == 0)
			continue;
		/* every other epoch is newer than 0, whatever its sign bit */
		assert_true(bv_epoch_after(e, 0));
		assert_true(bv_epoch_before(0, e));
	}
}

static void test_after_simple(void **state)
{
	(void)state;
	assert_true(bv_epoch_after(2, 1));
	assert_false(bv_epoch_after(1, 2));
	assert_true(bv_epoch_before(1, 2));
	assert_false(bv_epoch_before(2, 1));
	assert_true(bv_epoch_after(1000, 999));
	assert_true(bv_epoch_after(0x80000000, 0x7fffffff));
	assert_true(bv_epoch_after(0xffffffff, 0xfffffffe));
}

static void test_after_irreflexive(void **state)
{
	(void)state;
	for (size_t i = 0; i < GRID_N; i++) {
		assert_false(bv_epoch_after(grid[i], grid[i]));
		assert_false(bv_epoch_before(grid[i], grid[i]));
	}
}

static void test_after_wraparound(void **state)
{
	(void)state;
	/* 0xffffffff is followed by 1 (0 is skipped), and 1 is the newer */
	assert_true(bv_epoch_after(1, 0xffffffff));
	assert_false(bv_epoch_after(0xffffffff, 1));
	assert_true(bv_epoch_before(0xffffffff, 1));
	assert_true(bv_epoch_after(2, 0xfffffffe));
	assert_true(bv_epoch_after(0x10, 0xfffffff0));
	assert_false(bv_epoch_after(0xfffffff0, 0x10));
	/* largest distance that still orders across the wrap */
	assert_true(bv_epoch_after(0x7ffffffe, 0xffffffff));
	assert_false(bv_epoch_after(0xffffffff, 0x7ffffffe));
}

static void test_after_half_range(void **state)
{
	static const uint32_t bases[] = {
		1, 2, 0x12345678, 0x7fffffff, 0x80000000, 0x80000001,
		0xfffffffe, 0xffffffff,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		uint32_t b = bases[i];
		uint32_t near = b + 0x7fffffffu;	/* 2^31 - 1 ahead */
		uint32_t half = b + HALF;		/* 2^31 ahead */
		uint32_t past = b + HALF + 1;		/* 2^31 + 1 ahead */

		if (near) {
			assert_true(bv_epoch_after(near, b));
			assert_false(bv_epoch_after(b, near));
			assert_true(bv_epoch_before(b, near));
		}
		if (half) {
			/* undefined in RFC 1982: neither is newer */
			assert_false(bv_epoch_after(half, b));
			assert_false(bv_epoch_after(b, half));
			assert_false(bv_epoch_before(half, b));
			assert_false(bv_epoch_before(b, half));
		}
		if (past) {
			/* 2^31 + 1 ahead is 2^31 - 1 behind */
			assert_true(bv_epoch_after(b, past));
			assert_false(bv_epoch_after(past, b));
		}
	}
	assert_false(bv_epoch_after(0x80000001, 1));
	assert_false(bv_epoch_after(1, 0x80000001));
	assert_true(bv_epoch_after(0x80000000, 1));
	assert_true(bv_epoch_after(1, 0x80000002));
}

static void test_before_mirrors_after(void **state)
{
	(void)state;
	for (size_t i = 0; i < GRID_N; i++) {
		for (size_t j = 0; j < GRID_N; j++) {
			uint32_t a = grid[i], b = grid[j];

			assert_int_equal(bv_epoch_before(a, b),
					 bv_epoch_after(b, a));
			/* antisymmetric */
			assert_false(bv_epoch_after(a, b) &&
				     bv_epoch_after(b, a));
			/* total except at the 2^31 distance */
			if (a != b && (a == 0 || b == 0 || a - b != HALF))
				assert_true(bv_epoch_after(a, b) ||
					    bv_epoch_after(b, a));
		}
	}
}

static void test_after_matches_reference(void **state)
{
	(void)state;
	for (size_t i = 0; i < GRID_N; i++)
		for (size_t j = 0; j < GRID_N; j++)
			assert_int_equal(bv_epoch_after(grid[i], grid[j]),
					 ref_after(grid[i], grid[j]));
	for (int n = 0; n < 200000; n++) {
		uint32_t a = rnd(), b;

		/* half the pairs close together, where mistakes hide */
		b = (n & 1) ? rnd() : a + (rnd() % 64) - 32;
		if (n % 1000 == 0)
			a = 0;
		assert_int_equal(bv_epoch_after(a, b), ref_after(a, b));
		assert_int_equal(bv_epoch_before(a, b), ref_after(b, a));
	}
}

static void test_next(void **state)
{
	(void)state;
	assert_int_equal(bv_epoch_next(0), 1);
	assert_int_equal(bv_epoch_next(1), 2);
	assert_int_equal(bv_epoch_next(0x7fffffff), 0x80000000u);
	assert_int_equal(bv_epoch_next(0xfffffffe), 0xffffffffu);
	assert_int_equal(bv_epoch_next(0xffffffff), 1);
	for (size_t i = 0; i < GRID_N; i++) {
		uint32_t n = bv_epoch_next(grid[i]);

		assert_int_not_equal(n, 0);
		assert_true(bv_epoch_after(n, grid[i]));
		assert_true(bv_epoch_before(grid[i], n));
	}
}

/* the range (e, s] starts after e, and from 0 holds s wherever s is */
static void test_range_first(void **state)
{
	(void)state;
	assert_int_equal(bv_epoch_range_first(5, 9), 6);
	assert_int_equal(bv_epoch_range_first(0xffffffff, 3), 1);
	assert_int_equal(bv_epoch_range_first(0, 0x7fffffff), 1);
	assert_int_equal(bv_epoch_range_first(0, 0xffffffd8), 0x7fffffd9u);
	assert_int_equal(bv_epoch_range_first(0, 5), 0x80000006u);
	for (size_t i = 0; i < GRID_N; i++) {
		uint32_t s = grid[i], f, prev;

		if (!s)
			continue;
		f = bv_epoch_range_first(0, s);
		prev = s == 1 ? 0xffffffffu : s - 1;
		assert_int_not_equal(f, 0);
		assert_true(bv_epoch_in(s, f, s));
		assert_true(bv_epoch_in(f, f, s));
		/* the snapshots just before s are covered too */
		assert_true(bv_epoch_in(prev, f, s));
		assert_int_equal(bv_epoch_range_first(s, 12345), bv_epoch_next(s));
	}
}

static void test_next_walk_across_wrap(void **state)
{
	uint32_t e = 0xffffff00u;

	(void)state;
	/* 512 successive epochs across the wrap: each newer than all before */
	for (int n = 0; n < 512; n++) {
		uint32_t next = bv_epoch_next(e);

		assert_int_not_equal(next, 0);
		assert_true(bv_epoch_after(next, e));
		assert_true(bv_epoch_after(next, 0xffffff00u));
		assert_false(bv_epoch_after(0xffffff00u, next));
		e = next;
	}
	assert_int_equal(e, 0xffffff00u + 512 + 1);	/* 0 was skipped */
}

static void test_in(void **state)
{
	(void)state;
	assert_true(bv_epoch_in(5, 1, 10));
	assert_true(bv_epoch_in(1, 1, 10));
	assert_true(bv_epoch_in(10, 1, 10));
	assert_false(bv_epoch_in(11, 1, 10));
	assert_false(bv_epoch_in(0, 1, 10));
	assert_true(bv_epoch_in(7, 7, 7));
	assert_false(bv_epoch_in(6, 7, 7));
	assert_false(bv_epoch_in(8, 7, 7));
	/* a range across the wrap */
	assert_true(bv_epoch_in(0xfffffff0, 0xfffffff0, 5));
	assert_true(bv_epoch_in(0xffffffff, 0xfffffff0, 5));
	assert_true(bv_epoch_in(1, 0xfffffff0, 5));
	assert_true(bv_epoch_in(5, 0xfffffff0, 5));
	assert_false(bv_epoch_in(6, 0xfffffff0, 5));
	assert_false(bv_epoch_in(0xffffffef, 0xfffffff0, 5));
	assert_false(bv_epoch_in(0, 0xfffffff0, 5));
	/* 0 as the lower bound: "since the beginning" */
	assert_true(bv_epoch_in(0, 0, 5));
	assert_true(bv_epoch_in(3, 0, 5));
	assert_false(bv_epoch_in(6, 0, 5));
	assert_true(bv_epoch_in(0, 0, 0));
	assert_false(bv_epoch_in(1, 0, 0));
	/* an empty range (lo newer than hi) holds nothing */
	for (uint32_t e = 0; e <= 12; e++)
		assert_false(bv_epoch_in(e, 10, 5));
}

static void test_in_matches_definition(void **state)
{
	(void)state;
	for (size_t i = 0; i < GRID_N; i++)
		for (size_t j = 0; j < GRID_N; j++)
			for (size_t k = 0; k < GRID_N; k++) {
				uint32_t e = grid[i], lo = grid[j], hi = grid[k];

				assert_int_equal(bv_epoch_in(e, lo, hi),
						 !ref_after(lo, e) &&
						 !ref_after(e, hi));
			}
	for (size_t i = 1; i < GRID_N; i++)
		assert_true(bv_epoch_in(grid[i], grid[i], grid[i]));
}

static void test_max(void **state)
{
	(void)state;
	assert_int_equal(bv_epoch_max(0, 0), 0);
	assert_int_equal(bv_epoch_max(0, 7), 7);
	assert_int_equal(bv_epoch_max(7, 0), 7);
	assert_int_equal(bv_epoch_max(0, 0xffffffff), 0xffffffffu);
	assert_int_equal(bv_epoch_max(0x80000000, 0), 0x80000000u);
	assert_int_equal(bv_epoch_max(3, 9), 9);
	assert_int_equal(bv_epoch_max(9, 3), 9);
	assert_int_equal(bv_epoch_max(0xffffffff, 1), 1);
	assert_int_equal(bv_epoch_max(1, 0xffffffff), 1);
	assert_int_equal(bv_epoch_max(0xfffffff0, 0x10), 0x10);
}

static void test_max_symmetric(void **state)
{
	(void)state;
	for (size_t i = 0; i < GRID_N; i++) {
		for (size_t j = 0; j < GRID_N; j++) {
			uint32_t a = grid[i], b = grid[j];
			uint32_t m = bv_epoch_max(a, b);

			assert_true(m == a || m == b);
			assert_false(bv_epoch_after(a, m));
			assert_false(bv_epoch_after(b, m));
			/* at exactly 2^31 apart the order is undefined */
			if (a != 0 && b != 0 && a - b == HALF)
				continue;
			assert_int_equal(m, bv_epoch_max(b, a));
		}
		assert_int_equal(bv_epoch_max(grid[i], grid[i]), grid[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_after_zero_is_oldest),
		cmocka_unit_test(test_after_simple),
		cmocka_unit_test(test_after_irreflexive),
		cmocka_unit_test(test_after_wraparound),
		cmocka_unit_test(test_after_half_range),
		cmocka_unit_test(test_before_mirrors_after),
		cmocka_unit_test(test_after_matches_reference),
		cmocka_unit_test(test_next),
		cmocka_unit_test(test_range_first),
		cmocka_unit_test(test_next_walk_across_wrap),
		cmocka_unit_test(test_in),
		cmocka_unit_test(test_in_matches_definition),
		cmocka_unit_test(test_max),
		cmocka_unit_test(test_max_symmetric),
	};

	return cmocka_run_group_tests_name("epoch", tests, NULL, NULL);
}
