/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The coordinator's OGM timing windows, and the work that waits until
 * none is open.
 *
 * An attempt's bound is t1 - t0 as the coordinator measures it
 * (ogm.h); the daemon is single-threaded, so anything it does between t0
 * and the moment it reads the last acknowledgement lengthens the bound,
 * and a long enough bound rejects the snapshot. While at least one
 * attempt's window is open:
 *  - work that can wait does (bvd_window_defer): store writes (the epoch
 *    counter's fsync, every commit), other snapshots' steps (assembling
 *    and storing a snapshot, advancing or polling every member, releases,
 *    starting another attempt);
 *  - the event loop serves only the control socket, where the
 *    acknowledgements arrive, and the timers (bvl_focus): requests of
 *    beaverctl, the module's events and applications wait.
 * When the last window closes, the deferred work runs in the order it was
 * deferred, from a zero-delay timer (never inside the call that closed
 * the window: its caller's state must not change under it), and stops as
 * soon as a piece of it opens a window again (an attempt starting); the
 * rest waits for that window to close.
 *
 * One set of windows per process (there is one coordinator per daemon).
 */
#ifndef BEAVERD_WINDOW_H
#define BEAVERD_WINDOW_H

#include <stdbool.h>
#include <stddef.h>

typedef void (*bvd_window_fn)(void *arg);

/* a window opens (just before t0) / closes (at t1, or when it gives up);
 * while any is open the loop serves only fd */
void bvd_window_open(int fd);
void bvd_window_close(void);
bool bvd_window_is_open(void);

/*
 * Run fn(arg) now if no window is open and nothing deferred is waiting
 * (order is kept), else later, when none is open. Returns 0, or -ENOMEM
 * (then fn(arg) ran now: late work beats lost work).
 */
int bvd_window_defer(bvd_window_fn fn, void *arg);

/* drop every deferred call with this arg (an object about to be freed) */
void bvd_window_forget(void *arg);

/* run deferred calls while no window is open (the timer's callback) */
void bvd_window_run(void);

/* deferred calls waiting; and how many calls were ever deferred */
size_t bvd_window_pending(void);
unsigned long long bvd_window_deferred(void);

/* forget everything (tests; the daemon's exit) */
void bvd_window_reset(void);

#endif /* BEAVERD_WINDOW_H */
