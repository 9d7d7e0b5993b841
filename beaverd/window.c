// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * OGM timing windows and deferred work. See window.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loop.h"
#include "window.h"

struct call {
	bvd_window_fn fn;
	void *arg;
};

static unsigned int open_windows;
static struct call *queue;	/* FIFO: queue[head..tail) */
static size_t head, tail, cap;
static long drain_timer;
static unsigned long long n_deferred;

static void drain(void *data)
{
	(void)data;
	drain_timer = 0;
	bvd_window_run();
}

void bvd_window_open(int fd)
{
	if (!open_windows++)
		bvl_focus(fd);
}

void bvd_window_close(void)
{
	if (!open_windows)
		return;
	if (--open_windows)
		return;
	bvl_unfocus();
	if (head < tail && drain_timer <= 0)
		drain_timer = bvl_timer(0, drain, NULL);
}

bool bvd_window_is_open(void)
{
	return open_windows > 0;
}

static int push(bvd_window_fn fn, void *arg)
{
	if (tail == cap) {
		size_t n = tail - head;
		struct call *q;

		/* move the live part down before growing */
		if (head) {
			memmove(queue, queue + head, n * sizeof(*queue));
			head = 0;
			tail = n;
		}
		if (tail == cap) {
			q = realloc(queue, (cap ? cap * 2 : 16) * sizeof(*q));
			if (!q)
				return -ENOMEM;
			queue = q;
			cap = cap ? cap * 2 : 16;
		}
	}
	queue[tail++] = (struct call){ fn, arg };
	n_deferred++;
	return 0;
}

int bvd_window_defer(bvd_window_fn fn, void *arg)
{
	if (!open_windows && head == tail) {
		fn(arg);
		return 0;
	}
	if (push(fn, arg)) {
		fn(arg);
		return -ENOMEM;
	}
	if (!open_windows && drain_timer <= 0)
		drain_timer = bvl_timer(0, drain, NULL);
	return 0;
}

void bvd_window_forget(void *arg)
{
	for (size_t i = head; i < tail; i++)
		if (queue[i].arg == arg)
			queue[i].fn = NULL;
}

void bvd_window_run(void)
{
	while (!open_windows && head < tail) {
		struct call c = queue[head++];

		if (c.fn)
			c.fn(c.arg);
	}
	if (head == tail)
		head = tail = 0;
}

size_t bvd_window_pending(void)
{
	size_t n = 0;

	for (size_t i = head; i < tail; i++)
		n += queue[i].fn != NULL;
	return n;
}

unsigned long long bvd_window_deferred(void)
{
	return n_deferred;
}

void bvd_window_reset(void)
{
	if (drain_timer > 0)
		bvl_cancel(drain_timer);
	drain_timer = 0;
	if (open_windows)
		bvl_unfocus();
	open_windows = 0;
	free(queue);
	queue = NULL;
	head = tail = cap = 0;
	n_deferred = 0;
}
