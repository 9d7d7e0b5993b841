/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The metrics endpoint: libmicrohttpd driven from beaverd's own event
 * loop (docs/decisions.md, "Metrics: libmicrohttpd in the event loop"):
 * no thread, MHD's epoll descriptor watched by loop.c, MHD_run() when it
 * is readable or MHD's timeout is due. GET /metrics renders on the spot
 * from the daemon's counters (a render callback); every socket is
 * non-blocking, so a slow client costs the loop no wait, and at most
 * BVH_MAX_CONNECTIONS connections are open at once.
 */
#ifndef BEAVERD_HTTPD_H
#define BEAVERD_HTTPD_H

#include <stddef.h>
#include <sys/socket.h>

#define BVH_MAX_CONNECTIONS	16
#define BVH_TIMEOUT_S		10	/* an idle connection is closed */

struct bvh;

/* the exposition text (malloc'd, handed to MHD), or NULL: HTTP 500 */
typedef char *(*bvh_render_fn)(void *data, size_t *len);

/* listen on addr (AF_INET or AF_INET6); NULL with why on failure */
struct bvh *bvh_open(const struct sockaddr_storage *addr,
		     bvh_render_fn render, void *data, char *why,
		     size_t why_len);
void bvh_close(struct bvh *h);

/* requests served (any status) */
unsigned long long bvh_requests(const struct bvh *h);

#endif /* BEAVERD_HTTPD_H */
