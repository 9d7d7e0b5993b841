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

/* the packet's Ethernet source is what @addr resolves to on its device */
static bool bv_l2_from(struct sk_buff *skb, const u8 *src,
		       const struct in6_addr *addr)
{
	struct neighbour *n;
	u8 ha[ETH_ALEN];

	n = bv_neigh_find(skb->dev, addr);
	if (!n) {
		/*
		 * Not known yet (an address of the configuration, never an
		 * arbitrary one): resolve it, so that the next packet from
		 * there can be told apart; this one cannot
		 */
		bv_neigh_probe(skb->dev, addr);
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
		     const struct in6_addr *saddr, bool gateways)
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
		/*
		 * a gateway vouches for packets of the family it was
		 * configured with: an IPv6 one matches no IPv4 packet
		 */
		if (bv_addr_is4(&cfg->gateways[i]) != bv_addr_is4(saddr))
			continue;
		if (bv_l2_from(skb, src, &cfg->gateways[i]))
			return true;
	}
	return false;
}

#define BV_TRUST_REFRESH	(5 * HZ)

/* an IPv6 gateway: its route through ipv6_stub (see bv_nd_tbl()) */
static void bv_trust_resolve6(struct net *net, const struct in6_addr *gw)
{
	struct flowi6 fl6 = { .daddr = *gw };
	struct dst_entry *dst;

	/* the stub fails while IPv6 is absent */
	dst = READ_ONCE(ipv6_stub)->ipv6_dst_lookup_flow(net, NULL, &fl6, NULL);
	if (IS_ERR(dst))
		return;
	bv_neigh_probe(dst->dev, rt6_nexthop((struct rt6_info *)dst, gw));
	dst_release(dst);
}

/* resolve (or refresh) the neighbour a gateway is reached through */
static void bv_trust_resolve(struct net *net, const struct in6_addr *gw)
{
	struct in6_addr nh;
	struct rtable *rt;

	if (!bv_addr_is4(gw)) {
		bv_trust_resolve6(net, gw);
		return;
	}
	rt = ip_route_output(net, bv_addr_get4(gw), 0, 0, 0);
	if (IS_ERR(rt))
		return;
	/* a gateway behind a router is trusted through that router */
	bv_addr_set4(&nh, rt_nexthop(rt, bv_addr_get4(gw)));
	bv_neigh_probe(rt->dst.dev, &nh);
	ip_rt_put(rt);
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
