// SPDX-License-Identifier: GPL-2.0
/*
 * Whose stamps count. See trust.h.
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/slab.h>
#include <net/arp.h>
#include <net/neighbour.h>
#include <net/rtnetlink.h>
#include <net/route.h>
#include "trust.h"

/*
 * The address whose neighbour entry stands for @addr on @dev: @addr itself
 * on its own link, or the router @dev reaches it through (a gateway or a
 * member behind a router is trusted through that router: what arrives
 * from it carries the router's Ethernet source). 0 if @addr is not
 * reached through @dev.
 */
static __be32 bv_l2_addr(struct net_device *dev, __be32 addr)
{
	struct rtable *rt;
	__be32 nh = 0;

	rt = ip_route_output(dev_net(dev), addr, 0, 0, 0);
	if (IS_ERR(rt))
		return 0;
	if (rt->dst.dev == dev)
		nh = rt_nexthop(rt, addr);
	ip_rt_put(rt);
	return nh;
}

/* the packet's Ethernet source is what @addr resolves to on its device */
static bool bv_l2_from(struct sk_buff *skb, const u8 *src, __be32 addr)
{
	struct neighbour *n;
	u8 ha[ETH_ALEN];

	n = __ipv4_neigh_lookup_noref(skb->dev, (__force u32)addr);
	if (!n) {
		/*
		 * Not a neighbour (yet): the one it is reached through, a
		 * router or itself. Only addresses of the configuration
		 * come here, never arbitrary ones.
		 */
		addr = bv_l2_addr(skb->dev, addr);
		if (!addr)
			return false;
		n = __ipv4_neigh_lookup_noref(skb->dev, (__force u32)addr);
	}
	if (!n) {
		/*
		 * Not known yet: resolve it, so that the next packet from
		 * there can be told apart; this one cannot
		 */
		n = __neigh_lookup(&arp_tbl, &addr, skb->dev, 1);
		if (!IS_ERR_OR_NULL(n)) {
			neigh_event_send(n, NULL);
			neigh_release(n);
		}
		return false;
	}
	if (!(READ_ONCE(n->nud_state) & NUD_VALID)) {
		/* known but not (or no longer) resolved: ask again */
		neigh_event_send(n, NULL);
		return false;
	}
	neigh_ha_snapshot(ha, n, skb->dev);
	return ether_addr_equal(ha, src);
}

bool bv_from_trusted(const struct bv_config *cfg, struct sk_buff *skb,
		     __be32 saddr, bool gateways)
{
	const u8 *src;
	u32 i;

	/* no Ethernet header: nothing tells who sent it */
	if (!skb->dev || skb->dev->type != ARPHRD_ETHER ||
	    !skb_mac_header_was_set(skb) || skb_mac_header_len(skb) < ETH_HLEN)
		return false;
	src = eth_hdr(skb)->h_source;
	if (bv_addr_in(cfg->members, cfg->n_members, saddr) &&
	    bv_l2_from(skb, src, saddr))
		return true;
	if (!gateways)
		return false;
	for (i = 0; i < cfg->n_gateways; i++) {
		if (bv_l2_from(skb, src, cfg->gateways[i]))
			return true;
	}
	return false;
}

bool bv_from_tunnel(const struct sk_buff *skb)
{
	const struct net_device *dev = skb->dev;
	const struct rtnl_link_ops *ops;

	/*
	 * What an IPIP device of this namespace decapsulated: its carrier
	 * came through bv_member_in() here first, which removed the inner
	 * stamp unless the carrier came from a trusted neighbour. A tunnel
	 * whose carriers arrive in another namespace (link-netns) vouches
	 * for nothing; nor would one fed from UDP by FOU/GUE, whose carriers
	 * bv_member_in() cannot tell apart (decisions.md: a member must not
	 * be configured so).
	 */
	if (!dev || dev->type != ARPHRD_TUNNEL)
		return false;
	ops = dev->rtnl_link_ops;
	if (!ops || strcmp(ops->kind, "ipip") || !ops->get_link_net)
		return false;
	return net_eq(ops->get_link_net(dev), dev_net(dev));
}

#define BV_TRUST_REFRESH	(5 * HZ)

/* resolve (or refresh) the neighbour a gateway is reached through */
static void bv_trust_resolve(struct net *net, __be32 gw)
{
	struct neighbour *n;
	struct rtable *rt;
	__be32 nh;

	rt = ip_route_output(net, gw, 0, 0, 0);
	if (IS_ERR(rt))
		return;
	/* a gateway behind a router is trusted through that router */
	nh = rt_nexthop(rt, gw);
	n = __neigh_lookup(&arp_tbl, &nh, rt->dst.dev, 1);
	ip_rt_put(rt);
	if (IS_ERR_OR_NULL(n))
		return;
	/* marks it used, and probes it again once it went stale */
	neigh_event_send(n, NULL);
	neigh_release(n);
}

static void bv_trust_work(struct work_struct *work)
{
	struct beaver_net *bn = container_of(to_delayed_work(work),
					     struct beaver_net, trust_work);
	const struct bv_config *cfg;
	bool again;
	u32 i;

	rcu_read_lock();
	cfg = rcu_dereference(bn->cfg);
	again = (cfg->role & BEAVER_ROLE_MEMBER) && cfg->n_gateways;
	for (i = 0; again && i < cfg->n_gateways; i++)
		bv_trust_resolve(bn->net, cfg->gateways[i]);
	rcu_read_unlock();
	if (again && !READ_ONCE(bn->dying))
		queue_delayed_work(system_wq, &bn->trust_work, BV_TRUST_REFRESH);
}

void bv_trust_init(struct beaver_net *bn)
{
	INIT_DELAYED_WORK(&bn->trust_work, bv_trust_work);
}

void bv_trust_kick(struct beaver_net *bn)
{
	if (!READ_ONCE(bn->dying))
		mod_delayed_work(system_wq, &bn->trust_work, 0);
}

void bv_trust_exit(struct beaver_net *bn)
{
	/* bn->dying is set: the work does not queue itself again */
	cancel_delayed_work_sync(&bn->trust_work);
}
