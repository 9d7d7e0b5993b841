/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _BEAVER_NETLINK_H
#define _BEAVER_NETLINK_H

#include "netns.h"

struct genl_info;

int bv_genl_init(void);
void bv_genl_exit(void);

/* multicast a cut or completion event (BEAVER_CMD_EVENT_*) */
void bv_nl_notify_cut(struct beaver_net *bn, const struct bv_cut *c,
		      u8 cmd);

/* a reply to @info's request with room for NLMSG_GOODSIZE, or NULL */
struct sk_buff *bv_nl_reply_new(struct genl_info *info, void **hdr);

#endif /* _BEAVER_NETLINK_H */
