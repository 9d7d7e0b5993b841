// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Is this the active coordinator? See active.h.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <stddef.h>

#include "active.h"

bool bvd_holds_address(struct in_addr a)
{
	struct ifaddrs *all, *i;
	bool held = false;

	if (!a.s_addr)
		return true;
	/* netlink underneath: the namespace beaverd entered at start */
	if (getifaddrs(&all))
		return false;
	for (i = all; i && !held; i = i->ifa_next)
		held = i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
		       ((const struct sockaddr_in *)(const void *)i->ifa_addr)
				       ->sin_addr.s_addr == a.s_addr;
	freeifaddrs(all);
	return held;
}
