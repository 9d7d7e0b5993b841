/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The netfilter hooks. They are registered in a namespace only while it has
 * a role, so namespaces that do not take part pay nothing.
 */
#ifndef _BEAVER_HOOKS_H
#define _BEAVER_HOOKS_H

#include <linux/skbuff.h>
#include "netns.h"
#include "l3.h"

/*
 * Register the hooks of @bn for @role, or unregister them (@role 0), for
 * IPv4 and (unless IPv6 is disabled) IPv6, with reassembly of both for a
 * member; caller holds cfg_mutex
 */
int bv_hooks_set(struct beaver_net *bn, u32 role);

/* gateway.c: 0 disables marking (the control experiment of DESIGN §7) */
extern bool bv_gateway_marking;

struct nf_hook_state;

/* send a packet made in our POST_ROUTING hook through the hooks after it */
void bv_hook_continue(struct sk_buff *skb, const struct nf_hook_state *state);

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

/*
 * icmp.c: an ICMP "fragmentation needed" or ICMPv6 "Packet Too Big"
 * quoting a stamped packet of the group advertises the stamp's size less
 * (8 or 16 bytes: what fits its source's packets). @l3: bv_l3_parse() of
 * the packet, before or after its stamp was removed.
 */
void bv_icmp4_frag_needed(struct beaver_net *bn, const struct bv_config *cfg,
			  struct sk_buff *skb);
void bv_icmp6_pkt_too_big(struct beaver_net *bn, const struct bv_config *cfg,
			  struct sk_buff *skb);

static inline void bv_icmp_mtu(struct beaver_net *bn,
			       const struct bv_config *cfg,
			       struct sk_buff *skb, const struct bv_l3 *l3)
{
	/*
	 * Nearly every packet is none, told by what the hook parsed
	 * already (a stamp removed since changes neither the protocol nor
	 * the fragment bits): inline, so that the test costs no call
	 */
	if (l3->frag)
		return;
	if (l3->v6 && l3->proto == IPPROTO_ICMPV6)
		bv_icmp6_pkt_too_big(bn, cfg, skb);
	else if (!l3->v6 && l3->proto == IPPROTO_ICMP)
		bv_icmp4_frag_needed(bn, cfg, skb);
}

/*
 * mss.c: lower the MSS option of a TCP SYN (@l3: bv_l3_parse()) by
 * @delta; true if changed
 */
bool bv_mss_clamp(struct sk_buff *skb, const struct bv_l3 *l3,
		  unsigned int delta);

#endif /* _BEAVER_HOOKS_H */
