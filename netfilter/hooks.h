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

struct nf_hook_state;

unsigned int bv_gateway_in(struct beaver_net *bn, const struct bv_config *cfg,
			   struct sk_buff *skb);
unsigned int bv_gateway_out(struct beaver_net *bn,
			    const struct bv_config *cfg, struct sk_buff *skb,
			    const struct nf_hook_state *state);
unsigned int bv_member_in(struct beaver_net *bn, const struct bv_config *cfg,
			  struct sk_buff *skb);
unsigned int bv_member_out(struct beaver_net *bn,
			   const struct bv_config *cfg, struct sk_buff *skb,
			   const struct nf_hook_state *state);

/* the counter for a stamp that could not be inserted */
static inline int bv_stamp_err_stat(int err)
{
	if (err == -E2BIG)
		return BEAVER_STAT_STAMP_TOOBIG;
	return err == -ENOSPC ? BEAVER_STAT_STAMP_NOROOM :
				BEAVER_STAT_STAMP_NOMEM;
}

/* mss.c: lower the MSS option of a TCP SYN by @delta; true if changed */
bool bv_mss_clamp(struct sk_buff *skb, unsigned int delta);

#endif /* _BEAVER_HOOKS_H */
