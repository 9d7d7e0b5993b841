// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * poll() loop with a small timer list. The daemon watches a handful of
 * sockets and keeps few timers, so arrays beat anything cleverer.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "loop.h"

struct watcher {
	int fd;
	short events;
	bvl_fd_cb cb;
	void *data;
};

struct timer {
	long id;
	uint64_t when;
	bvl_timer_cb cb;
	void *data;
};

static struct watcher *watchers;
static size_t n_watchers, cap_watchers;
static struct timer *timers;
static size_t n_timers, cap_timers;
static long next_id = 1;
static volatile int stopping;
static int focus = -1;		/* >= 0: serve only this fd (bvl_focus) */

uint64_t bvl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*v, (*cap ? *cap * 2 : 16) * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = *cap ? *cap * 2 : 16;
	return 0;
}

int bvl_watch(int fd, short events, bvl_fd_cb cb, void *data)
{
	if (grow((void **)&watchers, &cap_watchers, n_watchers,
		 sizeof(*watchers)))
		return -ENOMEM;
	watchers[n_watchers++] = (struct watcher){ fd, events, cb, data };
	return 0;
}

void bvl_unwatch(int fd)
{
	for (size_t i = 0; i < n_watchers; i++) {
		if (watchers[i].fd == fd) {
			/* keep the slot order stable for the running loop */
			watchers[i].fd = -1;
			watchers[i].cb = NULL;
		}
	}
}

long bvl_timer(uint64_t delay_ns, bvl_timer_cb cb, void *data)
{
	if (grow((void **)&timers, &cap_timers, n_timers, sizeof(*timers)))
		return -ENOMEM;
	timers[n_timers] = (struct timer){ next_id, bvl_now() + delay_ns,
					   cb, data };
	n_timers++;
	return next_id++;
}

void bvl_cancel(long id)
{
	for (size_t i = 0; i < n_timers; i++) {
		if (timers[i].id == id) {
			timers[i] = timers[--n_timers];
			return;
		}
	}
}

void bvl_focus(int fd)
{
	focus = fd;
}

void bvl_unfocus(void)
{
	focus = -1;
}

/* is watcher w served now? */
static bool served(const struct watcher *w)
{
	return w->fd >= 0 && (focus < 0 || w->fd == focus);
}

void bvl_stop(void)
{
	stopping = 1;
}

static int next_timeout_ms(void)
{
	uint64_t now = bvl_now(), first = UINT64_MAX;

	for (size_t i = 0; i < n_timers; i++)
		if (timers[i].when < first)
			first = timers[i].when;
	if (first == UINT64_MAX)
		return 1000;
	if (first <= now)
		return 0;
	/* round up: waking early would spin */
	return (int)((first - now + 999999) / 1000000);
}

static void run_timers(void)
{
	uint64_t now = bvl_now();

	for (;;) {
		size_t i, due = n_timers;

		for (i = 0; i < n_timers; i++)
			if (timers[i].when <= now &&
			    (due == n_timers || timers[i].when < timers[due].when))
				due = i;
		if (due == n_timers)
			return;
		struct timer t = timers[due];

		timers[due] = timers[--n_timers];
		t.cb(t.data);
	}
}

static void compact(void)
{
	size_t j = 0;

	for (size_t i = 0; i < n_watchers; i++)
		if (watchers[i].fd >= 0)
			watchers[j++] = watchers[i];
	n_watchers = j;
}

int bvl_run(void)
{
	struct pollfd *pfd = NULL;
	size_t cap = 0;

	while (!stopping) {
		size_t n;

		compact();
		n = n_watchers ? n_watchers : 1;
		if (n > cap) {
			struct pollfd *p = realloc(pfd, n * sizeof(*pfd));

			if (!p) {
				free(pfd);
				return -ENOMEM;
			}
			pfd = p;
			cap = n;
		}
		n = 0;
		for (size_t i = 0; i < n_watchers; i++)
			if (served(&watchers[i]))
				pfd[n++] = (struct pollfd){
					watchers[i].fd, watchers[i].events, 0
				};
		if (poll(pfd, n, next_timeout_ms()) < 0 && errno != EINTR) {
			free(pfd);
			return -errno;
		}
		/*
		 * The watchers are found again by fd: a callback may have
		 * unwatched one, or focused the loop (then the others wait).
		 */
		for (size_t i = 0; i < n && !stopping; i++) {
			struct watcher *w = NULL;

			if (!pfd[i].revents)
				continue;
			for (size_t k = 0; k < n_watchers && !w; k++)
				if (watchers[k].fd == pfd[i].fd &&
				    watchers[k].cb && served(&watchers[k]))
					w = &watchers[k];
			if (w)
				w->cb(pfd[i].fd, pfd[i].revents, w->data);
		}
		run_timers();
	}
	free(pfd);
	return 0;
}
