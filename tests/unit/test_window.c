// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * OGM timing windows and deferred work (beaverd/window.c), with a fake
 * loop.c: deferred work runs at once when no window is open, waits while
 * one is, runs in order from a zero-delay timer once the last one closes
 * (never inside the close), stops when a piece of it opens a window
 * again, and is dropped for a freed object; the loop is focused on the
 * control socket exactly while a window is open.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "loop.h"
#include "window.h"

/* ---- fake loop.c ------------------------------------------------------- */

static int focused = -1;
static bvl_timer_cb timer_cb;
static long timer_id;
static unsigned int n_timers;

void bvl_focus(int fd)
{
	focused = fd;
}

void bvl_unfocus(void)
{
	focused = -1;
}

long bvl_timer(uint64_t delay_ns, bvl_timer_cb cb, void *data)
{
	assert_true(delay_ns == 0);
	assert_null(data);
	assert_null(timer_cb);		/* one drain timer at a time */
	timer_cb = cb;
	n_timers++;
	return ++timer_id;
}

void bvl_cancel(long id)
{
	assert_true(id == timer_id);
	timer_cb = NULL;
}

/* the loop's turn: the pending timer fires */
static void fire(void)
{
	bvl_timer_cb cb = timer_cb;

	timer_cb = NULL;
	if (cb)
		cb(NULL);
}

/* ---- what deferred calls do -------------------------------------------- */

static char trace[64];
static size_t n_trace;

static void note(void *arg)
{
	trace[n_trace++] = *(const char *)arg;
	trace[n_trace] = '\0';
}

/* a deferred call that opens a window (an attempt starting) */
static void opener(void *arg)
{
	note(arg);
	bvd_window_open(7);
}

static int setup(void **state)
{
	(void)state;
	bvd_window_reset();
	focused = -1;
	timer_cb = NULL;
	n_timers = 0;
	n_trace = 0;
	trace[0] = '\0';
	return 0;
}

static const char A = 'a', B = 'b', C = 'c', D = 'd';

/* no window: at once, no timer */
static void test_now_when_closed(void **state)
{
	(void)state;
	assert_false(bvd_window_is_open());
	assert_int_equal(bvd_window_defer(note, (void *)&A), 0);
	assert_string_equal(trace, "a");
	assert_int_equal(n_timers, 0);
	assert_int_equal(bvd_window_deferred(), 0);
}

/*
 * Inside a window: nothing runs, the loop serves only the control
 * socket; at the close nothing runs either (the closer's state must not
 * change under it), then the timer runs everything in order.
 */
static void test_waits_for_the_close(void **state)
{
	(void)state;
	bvd_window_open(7);
	assert_int_equal(focused, 7);
	bvd_window_defer(note, (void *)&A);
	bvd_window_defer(note, (void *)&B);
	assert_string_equal(trace, "");
	assert_int_equal(bvd_window_pending(), 2);
	assert_null(timer_cb);
	bvd_window_close();
	assert_int_equal(focused, -1);
	assert_string_equal(trace, "");
	assert_non_null(timer_cb);
	/* a call deferred before the timer fires keeps its place: last */
	bvd_window_defer(note, (void *)&C);
	assert_string_equal(trace, "");
	fire();
	assert_string_equal(trace, "abc");
	assert_int_equal(bvd_window_pending(), 0);
	assert_int_equal(bvd_window_deferred(), 3);
}

/* two windows: the work waits for the last one */
static void test_nested(void **state)
{
	(void)state;
	bvd_window_open(7);
	bvd_window_open(7);
	bvd_window_defer(note, (void *)&A);
	bvd_window_close();
	assert_true(bvd_window_is_open());
	assert_int_equal(focused, 7);
	assert_null(timer_cb);
	bvd_window_close();
	assert_false(bvd_window_is_open());
	bvd_window_close();		/* one too many: harmless */
	fire();
	assert_string_equal(trace, "a");
}

/* a deferred call that opens a window stops the rest until it closes */
static void test_stops_at_a_new_window(void **state)
{
	(void)state;
	bvd_window_open(7);
	bvd_window_defer(note, (void *)&A);
	bvd_window_defer(opener, (void *)&B);
	bvd_window_defer(note, (void *)&C);
	bvd_window_close();
	fire();
	assert_string_equal(trace, "ab");
	assert_true(bvd_window_is_open());
	assert_int_equal(bvd_window_pending(), 1);
	/* deferred now: behind C */
	bvd_window_defer(note, (void *)&D);
	bvd_window_close();
	fire();
	assert_string_equal(trace, "abcd");
}

/* forget: a freed object's calls never run */
static void test_forget(void **state)
{
	(void)state;
	bvd_window_open(7);
	bvd_window_defer(note, (void *)&A);
	bvd_window_defer(note, (void *)&B);
	bvd_window_defer(note, (void *)&A);
	bvd_window_forget((void *)&A);
	assert_int_equal(bvd_window_pending(), 1);
	bvd_window_close();
	fire();
	assert_string_equal(trace, "b");
}

/* many: the queue grows and keeps its order */
static void test_many(void **state)
{
	static const char digits[] = "0123456789";

	(void)state;
	bvd_window_open(7);
	for (int i = 0; i < 50; i++)
		bvd_window_defer(note, (void *)&digits[i % 10]);
	bvd_window_close();
	fire();
	assert_int_equal(n_trace, 50);
	for (int i = 0; i < 50; i++)
		assert_int_equal(trace[i], digits[i % 10]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_now_when_closed, setup),
		cmocka_unit_test_setup(test_waits_for_the_close, setup),
		cmocka_unit_test_setup(test_nested, setup),
		cmocka_unit_test_setup(test_stops_at_a_new_window, setup),
		cmocka_unit_test_setup(test_forget, setup),
		cmocka_unit_test_setup(test_many, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
