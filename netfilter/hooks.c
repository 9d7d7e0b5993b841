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
#include <linux/netfilter_ipv4.h>
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
};

int bv_hooks_set(struct beaver_net *bn, bool on)
{
	struct nf_hook_ops *ops = bn->hook_ops;
	int i, err;

	BUILD_BUG_ON(sizeof(bn->hook_ops) != sizeof(bv_hook_ops));
	lockdep_assert_held(&bn->cfg_mutex);
	if (on == bn->hooks_on)
		return 0;
	if (on) {
		/* netfilter knows hooks by the address of their ops */
		memcpy(ops, bv_hook_ops, sizeof(bv_hook_ops));
		for (i = 0; i < ARRAY_SIZE(bv_hook_ops); i++)
			ops[i].priv = bn;
		err = nf_register_net_hooks(bn->net, ops, ARRAY_SIZE(bv_hook_ops));
		if (err)
			return err;
	} else {
		/* waits for every packet inside our hooks to leave */
		nf_unregister_net_hooks(bn->net, ops, ARRAY_SIZE(bv_hook_ops));
	}
	bn->hooks_on = on;
	return 0;
}
