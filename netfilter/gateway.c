// SPDX-License-Identifier: GPL-2.0
/*
 * Gateway hooks: a stamp of this group that arrives from anywhere but a
 * member is removed on ingress (trust.h); every packet leaving towards a
 * member or a group VIP is stamped with the gateway's epoch, unless it
 * still carries this group's stamp (a member's, kept: member-to-member
 * traffic through the director keeps its sender's epoch).
 */
#include <linux/ip.h>
#include <linux/moduleparam.h>
#include <linux/netdevice.h>
#include <net/ip6_route.h>
#include <net/route.h>
#include "hooks.h"
#include "l3.h"
#include "stamp.h"
#include "trust.h"
#include "stamp_id.h"

bool bv_gateway_marking = true;
module_param_named(gateway_marking, bv_gateway_marking, bool, 0644);
MODULE_PARM_DESC(gateway_marking,
		 "Stamp traffic entering the group (default Y). N exists only for the control experiment that shows snapshots breaking without it.");

unsigned int bv_gateway_in(struct beaver_net *bn, const struct bv_config *cfg,
			   struct sk_buff *skb)
{
	struct bv_stamp st;
	struct bv_l3 l3;
	int off;

	/*
	 * IPv4 without options, nearly every packet: no stamp to remove,
	 * and nothing else to look at unless it is an ICMP error (on its
	 * way to a client whose packets we stamped); told by the header
	 * alone, without the parse
	 */
	if (!bv_l3_is6(skb) && ip_hdr(skb)->ihl <= 5) {
		if (ip_hdr(skb)->protocol == IPPROTO_ICMP)
			bv_icmp4_frag_needed(bn, cfg, skb);
		return NF_ACCEPT;
	}
	if (bv_l3_parse(skb, &l3))
		return NF_ACCEPT;	/* not ours to judge: the stack's */
	bv_icmp_mtu(bn, cfg, skb, &l3);
	if (skb->dev && (skb->dev->flags & IFF_LOOPBACK))
		return NF_ACCEPT;
	off = bv_l3_stamp_find(skb, &l3, cfg->group, &st, NULL);
	if (off < 0 || bv_from_trusted(cfg, skb, &l3.saddr, false))
		return NF_ACCEPT;
	/* forged, or stale: this gateway's egress puts its own epoch on */
	if (bv_l3_stamp_strip(skb, &l3, off)) {
		/* never forward a stamp nobody can vouch for */
		bv_stat_inc(bn, BEAVER_STAT_RX_STRIP_ERR);
		return NF_DROP;
	}
	bv_stat_inc(bn, BEAVER_STAT_GW_REPLACED);
	return NF_ACCEPT;
}

/* the next hop of @dst's route towards @daddr (IPVS direct routing) */
static bool bv_nexthop(struct sk_buff *skb, const struct bv_l3 *l3,
		       struct in6_addr *nh)
{
	struct dst_entry *dst = skb_dst(skb);

	if (!dst)
		return false;
	if (!l3->v6) {
		bv_addr_set4(nh, rt_nexthop(skb_rtable(skb),
					    bv_addr_get4(&l3->daddr)));
		return true;
	}
#if IS_ENABLED(CONFIG_IPV6)
	*nh = *rt6_nexthop(container_of(dst, struct rt6_info, dst),
			   &l3->daddr);
	return true;
#else
	return false;
#endif
}

static bool bv_group_bound(const struct bv_config *cfg, struct sk_buff *skb,
			   const struct bv_l3 *l3)
{
	struct in6_addr nh;

	if (bv_is_member(cfg, &l3->daddr) ||
	    bv_is_vip(cfg, &l3->daddr))
		return true;
	/* IPVS direct routing: the destination is still the VIP */
	return bv_nexthop(skb, l3, &nh) &&
	       bv_is_member(cfg, &nh);
}

/*
 * An IPv4 packet that can carry its stamp in the ID (stamp_id.h): kept as
 * it is when a member sent it here with its own stamp there (the same
 * rule as for the option, which gateway_in() removes from anyone else's
 * packets; here nothing can be removed, so the ID of every other packet
 * is overwritten). The member's stamp is an odd ID; an even one is no
 * stamp, and the gateway stamps the packet as if it came from outside.
 */
static bool bv_gateway_id_kept(const struct bv_config *cfg,
			       struct sk_buff *skb, const struct bv_l3 *l3,
			       const struct nf_hook_state *state)
{
	return bv_id_is_stamp(ntohs(ip_hdr(skb)->id)) &&
	       bv_forwarded_from_member(cfg, state->net, skb, &l3->saddr);
}

/*
 * Marking off (the control experiment): nothing is stamped. Where a
 * packet would carry the stamp in its ID, the ID becomes 0, "not
 * stamped", so that members do not read the client's ID as an epoch.
 */
static unsigned int bv_gateway_unmarked(const struct bv_config *cfg,
					struct sk_buff *skb,
					const struct bv_l3 *l3,
					const struct nf_hook_state *state)
{
	if (!l3->v6 && bv_id_on(cfg) &&
	    bv_skb_id_fits(skb, bv_l3_out_dev(skb, state)) &&
	    !bv_gateway_id_kept(cfg, skb, l3, state) &&
	    bv_skb_id_set(skb, BEAVER_ID_NONE))
		return NF_DROP;
	return NF_ACCEPT;
}

unsigned int bv_gateway_out(struct beaver_net *bn,
			    const struct bv_config *cfg, struct sk_buff *skb,
			    const struct nf_hook_state *state)
{
	struct dst_entry *dst = skb_dst(skb);
	struct bv_l3_out o = {};
	struct bv_stamp st;
	unsigned int verdict;
	struct bv_l3 l3;
	int err, nhoff;

	if (dst && dst->dev && (dst->dev->flags & IFF_LOOPBACK))
		return NF_ACCEPT;
	if (bv_l3_parse(skb, &l3) || !bv_group_bound(cfg, skb, &l3))
		return NF_ACCEPT;

	if (l3.v6) {
		/*
		 * IPVS tunnelling over IPv6 (ip6ip6, ipip6) is a known gap
		 * (docs/ipv6.md): the stamp would sit on the carrier, which
		 * the member's stack drops. Not stamped; the member counts
		 * what it decapsulates as bypass.
		 */
		if (bv_l3_carrier(&l3) || bv_l3_link_scope(&l3))
			return NF_ACCEPT;
		err = bv_l3_stamp_find(skb, &l3, cfg->group, &st, NULL);
	} else {
		/*
		 * IPVS tunnelling (IPIP): the member's stack drops the
		 * carrier's header and delivers the inner packet, so the
		 * stamp belongs there (bv_skb_stamp_insert() puts it
		 * there); a member's stamp kept is found there too
		 */
		err = bv_ip4_no_options(skb) && l3.proto != IPPROTO_IPIP ?
		      -ENOENT :	/* no tunnel: no inner header either */
		      bv_skb_stamp_find_inner(skb, cfg->group, &st, &nhoff);
	}
	if (err >= 0) {
		bv_stat_inc(bn, BEAVER_STAT_GW_KEPT);
		return NF_ACCEPT;
	}
	if (err == -EINVAL)
		return NF_ACCEPT;	/* not ours to judge: forward as is */
	if (!READ_ONCE(bv_gateway_marking))
		return bv_gateway_unmarked(cfg, skb, &l3, state);
	/* (the cheap tests first: most packets are no member's) */
	if (!l3.v6 && bv_id_on(cfg) &&
	    bv_gateway_id_kept(cfg, skb, &l3, state) &&
	    bv_skb_id_fits(skb, bv_l3_out_dev(skb, state))) {
		bv_stat_inc(bn, BEAVER_STAT_GW_KEPT);
		return NF_ACCEPT;
	}

	verdict = bv_l3_stamp_output(skb, &l3, state, cfg,
				     atomic_read_acquire(&bn->gw_epoch), true, &o);
	bv_stat_inc(bn, o.err ? bv_stamp_err_stat(o.err) :
				BEAVER_STAT_GW_STAMPED);
	if (o.id)
		bv_stat_inc(bn, BEAVER_STAT_STAMP_ID);
	if (o.split)
		bv_stat_inc(bn, BEAVER_STAT_STAMP_SPLIT);
	if (verdict == NF_STOLEN)
		bv_stat_inc(bn, BEAVER_STAT_STAMP_SEGMENTED);
	return verdict;
}
