/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Enter a network namespace on the calling thread for a moment and come
 * back: sockets keep the namespace they were created in, so one process can
 * hold sockets in many namespaces (one test VM runs many "hosts").
 */
#ifndef BEAVER_LIB_BVNETNS_H
#define BEAVER_LIB_BVNETNS_H

/*
 * Switch the calling thread to netns: a name under /run/netns or
 * /var/run/netns (what `ip netns add` creates) or an absolute path
 * (/proc/PID/ns/net). NULL or ""
 * does nothing. On success *saved holds the thread's previous namespace
 * (-1 if nothing was done) for bv_netns_leave. Returns 0 or -errno
 * (-EINVAL for a name with '/' that is not an absolute path).
 */
int bv_netns_enter(const char *netns, int *saved);

/*
 * Return to the namespace saved by bv_netns_enter. Failing to get back
 * would leave the thread silently in the wrong host, so it aborts instead.
 */
void bv_netns_leave(int saved);

#endif /* BEAVER_LIB_BVNETNS_H */
