/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libbeaver-app: an application's own state in Beaver's snapshots,
 * exactly as of this member's cut (libbeaver-app(3), docs/applications.md).
 *
 *   struct beaver_app *app;
 *   beaver_app_open(NULL, "bank", &app);     // subscribe to the cuts
 *   beaver_app_socket_enable(udp_fd);        // epochs with each datagram
 *   ...
 *   n = beaver_app_recvfrom(app, udp_fd, buf, sizeof(buf), 0, NULL, NULL,
 *                           &epoch);          // epoch: -1 if not marked
 *   ...
 *   if (beaver_app_next_cut(app, &cut, 0) == 1)
 *           beaver_app_submit(app, cut.epoch, state_before(cut.epoch));
 *
 * A datagram whose epoch is below E was delivered before this member's
 * cut for snapshot E, one at or above E after it: the application's state
 * as of the cut is its state after exactly the datagrams below E. The
 * member's beaverd must have `app_mark` set (beaverd.conf(5)); without it
 * every datagram reads as not marked (-1).
 *
 * Not thread-safe: one struct beaver_app per thread, or a lock around it.
 * Nothing here blocks unless asked to (timeouts of 0 poll).
 */
#ifndef BEAVER_APP_H
#define BEAVER_APP_H

#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BEAVER_APP_SOCKET	"/run/beaver/apps.sock"
#define BEAVER_APP_STATE_MAX	4096	/* bytes of state per cut */
#define BEAVER_APP_NAME_MAX	63

struct beaver_app;

/* one cut of this member, as beaverd announces it */
struct beaver_app_cut {
	uint32_t epoch;		/* the snapshot's epoch: submit state for it */
	uint32_t first, last;	/* a member that skipped snapshots cuts for
				 * first..last at once (epoch = last) */
	uint64_t cut_ns;	/* the kernel's CLOCK_MONOTONIC at the cut */
};

/*
 * Connect to beaverd's application socket (@path; NULL: BEAVER_APP_SOCKET)
 * and subscribe as @name (1..BEAVER_APP_NAME_MAX bytes, no control
 * characters); waits up to 5 s for beaverd's hello. 0, or -errno:
 * -EINVAL a bad name, -ENOENT/-ECONNREFUSED no beaverd (or not a member),
 * -EACCES not in beaverd's socket group, -ETIMEDOUT no hello, -EPROTO a
 * hello that is not one.
 */
int beaver_app_open(const char *path, const char *name,
		    struct beaver_app **out);
void beaver_app_close(struct beaver_app *app);

/* the socket to poll (POLLIN) for cut announcements */
int beaver_app_fd(const struct beaver_app *app);

/* the member's app_mark mask (0: beaverd marks nothing) */
uint32_t beaver_app_mark_mask(const struct beaver_app *app);

/* the newest epoch the library knows: the reference for reading marks */
uint32_t beaver_app_epoch(const struct beaver_app *app);

/*
 * The next cut announcement, waiting up to @timeout_ms (0: only what is
 * queued; -1: forever). 1 with *cut filled, 0 none yet, -EPIPE beaverd
 * went away, other -errno on errors. A hello that a reload sends (a new
 * mask) is absorbed here.
 */
int beaver_app_next_cut(struct beaver_app *app, struct beaver_app_cut *cut,
			int timeout_ms);

/*
 * Attach @state (text, at most BEAVER_APP_STATE_MAX bytes) to this
 * member's record of @epoch's snapshot. Once per cut; beaverd drops an
 * answer that arrives after the record was collected. 0 or -errno
 * (-EMSGSIZE: too long).
 */
int beaver_app_submit(struct beaver_app *app, uint32_t epoch,
		      const char *state);

/* turn on SO_RCVMARK on a datagram socket: 0 or -errno */
int beaver_app_socket_enable(int fd);

/*
 * The epoch in a packet mark: 1 with *epoch set (the epoch nearest
 * beaver_app_epoch() with the mark's bits), 0 if the member did not mark
 * it (loopback, app_mark off, no mask known).
 */
int beaver_app_epoch_of_mark(struct beaver_app *app, uint32_t mark,
			     uint32_t *epoch);

/*
 * recvfrom(2) on a socket beaver_app_socket_enable() prepared, plus the
 * datagram's epoch: *epoch = the epoch it was delivered in, or -1 if not
 * marked. Returns what recvfrom returns (-1 and errno on errors).
 */
ssize_t beaver_app_recvfrom(struct beaver_app *app, int fd, void *buf,
			    size_t len, int flags, struct sockaddr *src,
			    socklen_t *srclen, int64_t *epoch);

/*
 * Where this member's cut for snapshot @epoch falls in the two byte streams
 * of the connected TCP socket @fd: *rx_before = bytes of the peer's stream
 * delivered before the cut, *tx_before = bytes of our stream that left the
 * member before the cut (both counted from the first payload byte).
 * 1 on success; 0 if the member's record does not know this flow exactly
 * (not seen from its SYN, retired, the record no longer held, ...);
 * -errno on errors. Call it after beaver_app_next_cut() announced @epoch.
 *
 * The application's state as of the cut is its state after consuming
 * exactly rx_before bytes of the stream (and having sent tx_before): a
 * byte below rx_before is before the cut even if the application reads it
 * later (a segment that arrived out of order, a hole filled after the
 * cut), so keep reading up to rx_before before reporting that state.
 * Asks beaverd and waits up to 5 s for its answer (-ETIMEDOUT);
 * announcements that arrive meanwhile are kept for beaver_app_next_cut().
 * Exact for streams of any length as long as it is called before 2 GiB
 * more of either stream has passed since the cut. -EPROTOTYPE: not TCP;
 * -ENOTCONN: not connected. Since LIBBEAVER_APP_0.2.
 */
int beaver_app_tcp_cut(struct beaver_app *app, int fd, uint32_t epoch,
		       uint64_t *rx_before, uint64_t *tx_before);

#ifdef __cplusplus
}
#endif

#endif /* BEAVER_APP_H */
