// SPDX-License-Identifier: GPL-2.0
/*
 * Hook registration and dispatch by role.
 *
 * PRE_ROUTING, just after defragmentation and before conntrack: the member
 * strips the stamp before anything else looks at the packet, and cuts
 * before the packet goes any further; the gateway removes a stamp that no
 * member put there, before IPVS forwards the packet.
 *
 * POST_ROUTING, just after source NAT: IPVS-forwarded packets pass here
 * (IPVS runs LOCAL_OUT then POST_ROUTING), addresses are final, and the
 * route's next hop tells a direct-routing real server.
 */
#include <linux/netfilter.h>
#include <linux/ipv6.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>
#include "hooks.h"

static unsigned int bv_prerouting(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	struct beaver_net *bn = priv;
	const struct bv_config *cfg = rcu_dereference(bn->cfg);

	if (cfg->role & BEAVER_ROLE_MEMBER)
		return bv_member_in(bn, cfg, skb);
	if (cfg->role & BEAVER_ROLE_GATEWAY)
		return bv_gateway_in(bn, cfg, skb);
	return NF_ACCEPT;
}

static unsigned int bv_postrouting(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	struct beaver_net *bn = priv;
	const struct bv_config *cfg = rcu_dereference(bn->cfg);

	if (cfg->role & BEAVER_ROLE_GATEWAY)
		return bv_gateway_out(bn, cfg, skb, state);
	if (cfg->role & BEAVER_ROLE_MEMBER)
		return bv_member_out(bn, cfg, skb, state);
	return NF_ACCEPT;
}

/*
 * A packet our POST_ROUTING hook made out of another (the segments of a GSO
 * packet too big to take the stamp whole) goes on through every hook after
 * ours, as the original would have (conntrack confirmation, helpers, late
 * nftables rules, LSMs), then out: what nf_reinject() does for a queued
 * packet. Called from inside our hook (RCU held), of either family: the
 * hooks after ours are those of the family the packet is in.
 */
void bv_hook_continue(struct sk_buff *skb, const struct nf_hook_state *state)
{
	const struct nf_hook_entries *e = NULL;
	struct nf_hook_state st = *state;
	unsigned int i;

	switch (state->pf) {
	case NFPROTO_IPV4:
		e = rcu_dereference(state->net->nf.hooks_ipv4[state->hook]);
		break;
#if IS_ENABLED(CONFIG_IPV6)
	case NFPROTO_IPV6:
		e = rcu_dereference(state->net->nf.hooks_ipv6[state->hook]);
		break;
#endif
	}
	for (i = 0; e && i < e->num_hook_entries; i++)
		if (e->hooks[i].hook == bv_postrouting)
			break;
	/* ours must be there: we are inside it */
	if (WARN_ON_ONCE(!e || i == e->num_hook_entries)) {
		kfree_skb(skb);
		return;
	}
	if (nf_hook_slow(skb, &st, e, i + 1) == 1)
		state->okfn(state->net, state->sk, skb);
}

/*
 * The same places for both families: IPv6 reassembly is at
 * NF_IP6_PRI_CONNTRACK_DEFRAG and IPv6 source NAT at NF_IP6_PRI_NAT_SRC,
 * as for IPv4. The IPv4 pair comes first: bv_hooks_set() registers the
 * IPv6 pair only where IPv6 is not disabled.
 */
static const struct nf_hook_ops bv_hook_ops[] = {
	{
		.hook		= bv_prerouting,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP_PRI_CONNTRACK_DEFRAG + 1,
	},
	{
		.hook		= bv_postrouting,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= NF_IP_PRI_NAT_SRC + 1,
	},
	{
		.hook		= bv_prerouting,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP6_PRI_CONNTRACK_DEFRAG + 1,
	},
	{
		.hook		= bv_postrouting,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= NF_IP6_PRI_NAT_SRC + 1,
	},
};

#define BV_HOOKS_V4	2	/* the IPv4 pair, then the IPv6 pair */

/*
 * A member counts datagrams, as its peers' senders do (at POST_ROUTING,
 * before the stack fragments them): fragments are reassembled before its
 * PRE_ROUTING hook sees them, as conntrack would have them, so that a
 * datagram is counted once, with its ports, at the epoch of the stamp its
 * first fragment carries (the IPv4 option is copied into every fragment;
 * the IPv6 stamp precedes the Fragment header, docs/ipv6.md). A gateway
 * stamps fragments one by one and needs no reassembly. IPv6 reassembly
 * only where IPv6 is not disabled (ipv6.disable=1 boots have no IPv6
 * packets to reassemble).
 */
static int bv_defrag_set(struct beaver_net *bn, bool on)
{
	bool on6 = on && ipv6_mod_enabled();
	bool was4 = bn->defrag_on;
	int err;

	if (on && !bn->defrag_on) {
		err = nf_defrag_ipv4_enable(bn->net);
		if (err)
			return err;
		bn->defrag_on = true;
	}
	if (on6 && !bn->defrag6_on) {
		err = nf_defrag_ipv6_enable(bn->net);
		if (err) {
			/* as it was: IPv4 off again if this call turned it on */
			if (!was4) {
				nf_defrag_ipv4_disable(bn->net);
				bn->defrag_on = false;
			}
			return err;
		}
		bn->defrag6_on = true;
	}
	if (!on6 && bn->defrag6_on) {
		nf_defrag_ipv6_disable(bn->net);
		bn->defrag6_on = false;
	}
	if (!on && bn->defrag_on) {
		nf_defrag_ipv4_disable(bn->net);
		bn->defrag_on = false;
	}
	return 0;
}

int bv_hooks_set(struct beaver_net *bn, u32 role)
{
	struct nf_hook_ops *ops = bn->hook_ops;
	unsigned int n = ARRAY_SIZE(bv_hook_ops) - BV_HOOKS_V4;
	bool on = role != 0;
	int i, err;

	BUILD_BUG_ON(sizeof(bn->hook_ops) != sizeof(bv_hook_ops));
	lockdep_assert_held(&bn->cfg_mutex);
	/* reassembly first: a member's first packet is already whole */
	err = bv_defrag_set(bn, role & BEAVER_ROLE_MEMBER);
	if (err)
		return err;
	if (on == bn->hooks_on)
		return 0;
	if (on) {
		/* netfilter knows hooks by the address of their ops */
		memcpy(ops, bv_hook_ops, sizeof(bv_hook_ops));
		for (i = 0; i < ARRAY_SIZE(bv_hook_ops); i++)
			ops[i].priv = bn;
		err = nf_register_net_hooks(bn->net, ops, BV_HOOKS_V4);
		if (!err && ipv6_mod_enabled()) {
			err = nf_register_net_hooks(bn->net, ops + BV_HOOKS_V4,
						    n);
			if (err)
				nf_unregister_net_hooks(bn->net, ops,
							BV_HOOKS_V4);
			else
				bn->hooks6_on = true;
		}
		if (err) {
			bv_defrag_set(bn, false);
			return err;
		}
	} else {
		/* waits for every packet inside our hooks to leave */
		if (bn->hooks6_on)
			nf_unregister_net_hooks(bn->net, ops + BV_HOOKS_V4, n);
		bn->hooks6_on = false;
		nf_unregister_net_hooks(bn->net, ops, BV_HOOKS_V4);
	}
	bn->hooks_on = on;
	return 0;
}
