/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The netfilter hooks. They are registered in a namespace only while it has
 * a role, so namespaces that do not take part pay nothing.
 */
#ifndef _BEAVER_HOOKS_H
#define _BEAVER_HOOKS_H

#include <linux/skbuff.h>
#include "netns.h"

/* register (on) or unregister the hooks of @bn; caller holds cfg_mutex */
int bv_hooks_set(struct beaver_net *bn, bool on);

/* gateway.c: 0 disables marking (the control experiment of DESIGN §7) */
extern bool bv_gateway_marking;

unsigned int bv_gateway_out(struct beaver_net *bn,
			    const struct bv_config *cfg, struct sk_buff *skb);
unsigned int bv_member_in(struct beaver_net *bn, const struct bv_config *cfg,
			  struct sk_buff *skb);
unsigned int bv_member_out(struct beaver_net *bn,
			   const struct bv_config *cfg, struct sk_buff *skb);

/* mss.c: lower the MSS option of a TCP SYN by @delta; true if changed */
bool bv_mss_clamp(struct sk_buff *skb, unsigned int delta);

#endif /* _BEAVER_HOOKS_H */
