// SPDX-License-Identifier: GPL-2.0
/*
 * Whose stamps count. See trust.h.
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/slab.h>
#include <net/arp.h>
#include <net/ip6_route.h>
#include <net/ipv6_stubs.h>
#include <net/ndisc.h>
#include <net/neighbour.h>
#include <net/rtnetlink.h>
#include <net/route.h>
#include "trust.h"

/*
 * The IPv6 neighbour discovery table, or NULL while IPv6 is absent (not
 * loaded, or booted with ipv6.disable=1). Reached through ipv6_stub, as
 * the tunnel drivers do, so that beaver.ko never depends on ipv6.ko
 * where IPv6 is a module.
 */
static struct neigh_table *bv_nd_tbl(void)
{
	return IS_ENABLED(CONFIG_IPV6) ? READ_ONCE(ipv6_stub)->nd_tbl : NULL;
}

/* the neighbour entry of @addr on @dev, no reference taken (BH off) */
static struct neighbour *bv_neigh_find(struct net_device *dev,
				       const struct in6_addr *addr)
{
	struct neigh_table *tbl;

	if (bv_addr_is4(addr))
		return __ipv4_neigh_lookup_noref(dev,
						 (__force u32)bv_addr_get4(addr));
	tbl = bv_nd_tbl();
	if (!tbl)
		return NULL;
	return ___neigh_lookup_noref(tbl, neigh_key_eq128, ndisc_hashfn, addr,
				     dev);
}

/* have @addr resolved on @dev (created if unknown), or refreshed */
static void bv_neigh_probe(struct net_device *dev, const struct in6_addr *addr)
{
	__be32 v4 = bv_addr_get4(addr);
	struct neigh_table *tbl;
	struct neighbour *n;

	tbl = bv_addr_is4(addr) ? &arp_tbl : bv_nd_tbl();
	if (!tbl)
		return;
	n = __neigh_lookup(tbl, tbl == &arp_tbl ? (void *)&v4 : addr, dev, 1);
	if (IS_ERR_OR_NULL(n))
		return;
	/* marks it used, and probes it again once it went stale */
	neigh_event_send(n, NULL);
	neigh_release(n);
}

/*
 * The route towards @addr and, in *@nh, its next hop: @addr itself on its
 * own link, or the router it is reached through (a gateway or a member
 * behind a router is trusted through that router: what arrives from it
 * carries the router's Ethernet source). NULL if there is none; else the
 * caller releases it (dst_release()).
 */
static struct dst_entry *bv_route(struct net *net, const struct in6_addr *addr,
				  struct in6_addr *nh)
{
	struct flowi6 fl6 = { .daddr = *addr };
	struct dst_entry *dst;
	struct rtable *rt;

	if (bv_addr_is4(addr)) {
		rt = ip_route_output(net, bv_addr_get4(addr), 0, 0, 0);
		if (IS_ERR(rt))
			return NULL;
		bv_addr_set4(nh, rt_nexthop(rt, bv_addr_get4(addr)));
		return &rt->dst;
	}
	/* through ipv6_stub (see bv_nd_tbl()): it fails while IPv6 is absent */
	dst = READ_ONCE(ipv6_stub)->ipv6_dst_lookup_flow(net, NULL, &fl6, NULL);
	if (IS_ERR(dst))
		return NULL;
	*nh = *rt6_nexthop((struct rt6_info *)dst, addr);
	return dst;
}

/*
 * The address whose neighbour entry stands for @addr on @dev, in *@nh:
 * see bv_route(). False if @addr is not reached through @dev.
 */
static bool bv_l2_addr(struct net_device *dev, const struct in6_addr *addr,
		       struct in6_addr *nh)
{
	struct dst_entry *dst = bv_route(dev_net(dev), addr, nh);
	bool ok = dst && dst->dev == dev;

	dst_release(dst);
	return ok;
}

/* @src, an Ethernet source seen on @dev, is what @addr resolves to there */
static bool bv_l2_from(struct net_device *dev, const u8 *src,
		       const struct in6_addr *addr)
{
	struct neighbour *n;
	struct in6_addr nh;
	u8 ha[ETH_ALEN];

	n = bv_neigh_find(dev, addr);
	if (!n) {
		/*
		 * Not a neighbour (yet): the one it is reached through, a
		 * router or itself. Only addresses of the configuration
		 * come here, never arbitrary ones.
		 */
		if (!bv_l2_addr(dev, addr, &nh))
			return false;
		addr = &nh;
		n = bv_neigh_find(dev, addr);
	}
	if (!n) {
		/*
		 * Not known yet: resolve it, so that the next packet from
		 * there can be told apart; this one cannot
		 */
		bv_neigh_probe(dev, addr);
		return false;
	}
	if (!(READ_ONCE(n->nud_state) & NUD_VALID)) {
		/* known but not (or no longer) resolved: ask again */
		neigh_event_send(n, NULL);
		return false;
	}
	neigh_ha_snapshot(ha, n, dev);
	return ether_addr_equal(ha, src);
}

/* bv_from_trusted(), for a packet that arrived through @dev */
static bool bv_trusted_on(const struct bv_config *cfg, struct sk_buff *skb,
			  struct net_device *dev, const struct in6_addr *saddr,
			  bool gateways)
{
	const u8 *src;
	u32 i;

	/* no Ethernet header: nothing tells who sent it */
	if (!dev || dev->type != ARPHRD_ETHER ||
	    !skb_mac_header_was_set(skb) || skb_mac_header_len(skb) < ETH_HLEN)
		return false;
	src = eth_hdr(skb)->h_source;
	if (bv_is_member(cfg, saddr) &&
	    bv_l2_from(dev, src, saddr))
		return true;
	if (!gateways)
		return false;
	for (i = 0; i < cfg->n_gateways; i++) {
		/*
		 * a gateway vouches for packets of the family it was
		 * configured with: an IPv6 one matches no IPv4 packet
		 */
		if (bv_addr_is4(&cfg->gateways[i]) != bv_addr_is4(saddr))
			continue;
		if (bv_l2_from(dev, src, &cfg->gateways[i]))
			return true;
	}
	return false;
}

bool bv_from_trusted(const struct bv_config *cfg, struct sk_buff *skb,
		     const struct in6_addr *saddr, bool gateways)
{
	return bv_trusted_on(cfg, skb, skb->dev, saddr, gateways);
}

bool bv_forwarded_from_member(const struct bv_config *cfg, struct net *net,
			      struct sk_buff *skb,
			      const struct in6_addr *saddr)
{
	/*
	 * At POST_ROUTING the Ethernet header the packet arrived with is
	 * still in front of it (the new one is written after the hooks),
	 * and skb->dev is already the way out: the way in is skb_iif
	 */
	if (!skb->skb_iif || !bv_is_member(cfg, saddr))
		return false;
	return bv_trusted_on(cfg, skb, dev_get_by_index_rcu(net, skb->skb_iif),
			     saddr, false);
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
static void bv_trust_resolve(struct net *net, const struct in6_addr *gw)
{
	struct dst_entry *dst;
	struct in6_addr nh;

	dst = bv_route(net, gw, &nh);
	if (!dst)
		return;
	bv_neigh_probe(dst->dev, &nh);
	dst_release(dst);
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
		bv_trust_resolve(bn->net, &cfg->gateways[i]);
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
