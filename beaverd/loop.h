/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The daemon's single-threaded event loop: file descriptors watched with
 * poll(), timers on CLOCK_MONOTONIC. Callbacks may add and remove watchers
 * and timers, including their own.
 */
#ifndef BEAVERD_LOOP_H
#define BEAVERD_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

typedef void (*bvl_fd_cb)(int fd, short revents, void *data);
typedef void (*bvl_timer_cb)(void *data);

/* nanoseconds of CLOCK_MONOTONIC */
uint64_t bvl_now(void);

/*
 * nanoseconds of CLOCK_REALTIME: times that are stored or leave the host
 * (a header function, so that tests faking the loop need no copy)
 */
static inline uint64_t bvl_realtime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int bvl_watch(int fd, short events, bvl_fd_cb cb, void *data);
void bvl_unwatch(int fd);

/* one-shot timer; returns an id > 0 (for bvl_cancel) or -ENOMEM */
long bvl_timer(uint64_t delay_ns, bvl_timer_cb cb, void *data);
void bvl_cancel(long id);

/*
 * Focus: until bvl_unfocus(), serve only fd (and the timers); the other
 * watchers' events wait. The coordinator focuses on its control socket
 * while an OGM timing window is open (window.h), so that no request of
 * beaverctl, no module event and no application runs between t0 and t1.
 */
void bvl_focus(int fd);
void bvl_unfocus(void);

/* run until bvl_stop(); returns 0 */
int bvl_run(void);
void bvl_stop(void);

#endif /* BEAVERD_LOOP_H */
