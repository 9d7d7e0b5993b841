/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _BEAVER_NETLINK_H
#define _BEAVER_NETLINK_H

#include "netns.h"

int bv_genl_init(void);
void bv_genl_exit(void);

/* multicast a cut or completion event (BEAVER_CMD_EVENT_*) */
void bv_nl_notify_cut(struct beaver_net *bn, const struct bv_cut *c,
		      u8 cmd);

#endif /* _BEAVER_NETLINK_H */
