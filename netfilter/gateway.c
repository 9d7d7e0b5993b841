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
#include <net/route.h>
#include "hooks.h"
#include "stamp.h"
#include "trust.h"

bool bv_gateway_marking = true;
module_param_named(gateway_marking, bv_gateway_marking, bool, 0644);
MODULE_PARM_DESC(gateway_marking,
		 "Stamp traffic entering the group (default Y). N exists only for the control experiment that shows snapshots breaking without it.");

unsigned int bv_gateway_in(struct beaver_net *bn, const struct bv_config *cfg,
			   struct sk_buff *skb)
{
	struct in6_addr saddr;
	struct bv_stamp st;
	int off;

	/* errors on their way to a client whose packets we stamped */
	bv_icmp_frag_needed(bn, cfg, skb);
	if (ip_hdr(skb)->ihl <= 5 ||
	    (skb->dev && (skb->dev->flags & IFF_LOOPBACK)))
		return NF_ACCEPT;
	off = bv_skb_stamp_find(skb, cfg->group, &st);
	bv_addr_set4(&saddr, ip_hdr(skb)->saddr);
	if (off < 0 || bv_from_trusted(cfg, skb, &saddr, false))
		return NF_ACCEPT;
	/* forged, or stale: this gateway's egress puts its own epoch on */
	if (bv_skb_stamp_strip(skb, off)) {
		/* never forward a stamp nobody can vouch for */
		bv_stat_inc(bn, BEAVER_STAT_RX_STRIP_ERR);
		return NF_DROP;
	}
	bv_stat_inc(bn, BEAVER_STAT_GW_REPLACED);
	return NF_ACCEPT;
}

static bool bv_group_bound(const struct bv_config *cfg, struct sk_buff *skb,
			   __be32 daddr)
{
	struct rtable *rt = skb_rtable(skb);
	struct in6_addr a;

	bv_addr_set4(&a, daddr);
	if (bv_addr_in(cfg->members, cfg->n_members, &a) ||
	    bv_addr_in(cfg->vips, cfg->n_vips, &a))
		return true;
	/* IPVS direct routing: the destination is still the VIP */
	if (!rt)
		return false;
	bv_addr_set4(&a, rt_nexthop(rt, daddr));
	return bv_addr_in(cfg->members, cfg->n_members, &a);
}

unsigned int bv_gateway_out(struct beaver_net *bn,
			    const struct bv_config *cfg, struct sk_buff *skb,
			    const struct nf_hook_state *state)
{
	struct dst_entry *dst = skb_dst(skb);
	struct bv_stamp st;
	unsigned int verdict;
	bool split;
	int err, nhoff;

	if (!READ_ONCE(bv_gateway_marking))
		return NF_ACCEPT;
	if (dst && dst->dev && (dst->dev->flags & IFF_LOOPBACK))
		return NF_ACCEPT;
	if (!bv_group_bound(cfg, skb, ip_hdr(skb)->daddr))
		return NF_ACCEPT;

	/*
	 * IPVS tunnelling (IPIP): the member's stack drops the carrier's
	 * header and delivers the inner packet, so the stamp belongs there
	 * (bv_skb_stamp_insert() puts it there); a member's stamp kept is
	 * found there too
	 */
	err = bv_skb_stamp_find_inner(skb, cfg->group, &st, &nhoff);
	if (err >= 0) {
		bv_stat_inc(bn, BEAVER_STAT_GW_KEPT);
		return NF_ACCEPT;
	}
	if (err == -EINVAL)
		return NF_ACCEPT;	/* not ours to judge: forward as is */

	verdict = bv_stamp_output(skb, state, cfg->group,
				  atomic_read_acquire(&bn->gw_epoch), &err, &split);
	bv_stat_inc(bn, err ? bv_stamp_err_stat(err) : BEAVER_STAT_GW_STAMPED);
	if (split)
		bv_stat_inc(bn, BEAVER_STAT_STAMP_SPLIT);
	if (verdict == NF_STOLEN)
		bv_stat_inc(bn, BEAVER_STAT_STAMP_SEGMENTED);
	return verdict;
}
