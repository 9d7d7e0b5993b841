/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Which coordinator is active: with [coordinator] active_address set (the
 * address keepalived's VRRP moves between directors), the coordinator
 * that holds it takes snapshots and the others stand by
 * (docs/failover.md). Asked at every snapshot request, so a fail-over
 * needs no signal to beaverd.
 */
#ifndef BEAVERD_ACTIVE_H
#define BEAVERD_ACTIVE_H

#include <stdbool.h>
#include <netinet/in.h>

/*
 * Is a configured on one of this network namespace's interfaces? An
 * unset address (0.0.0.0) is always held. On error (getifaddrs failed)
 * false, with errno set.
 */
bool bvd_holds_address(struct in_addr a);

#endif /* BEAVERD_ACTIVE_H */
