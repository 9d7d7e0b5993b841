// SPDX-License-Identifier: GPL-2.0
/*
 * The network layer by family. See l3.h.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <linux/netfilter.h>
#include <net/dst.h>
#include <net/ndisc.h>
#include "hooks.h"
#include "l3.h"
#include "stamp.h"
#include "stamp6.h"
#include "stamp_id.h"

int bv_l3_parse6(struct sk_buff *skb, struct bv_l3 *l3)
{
	const struct ipv6hdr *ip6;
	__be16 frag_off = 0;
	u8 nexthdr;
	int off;

	if (!pskb_may_pull(skb, sizeof(*ip6)))
		return -EINVAL;
	ip6 = ipv6_hdr(skb);
	l3->saddr = ip6->saddr;
	l3->daddr = ip6->daddr;
	nexthdr = ip6->nexthdr;
	/*
	 * Hop-by-Hop, Routing, Destination Options (ours too, while it is
	 * there), AH and Fragment headers; -1 for No Next Header or a chain
	 * that runs past the packet
	 */
	off = ipv6_skip_exthdr(skb, sizeof(*ip6), &nexthdr, &frag_off);
	if (off < 0)
		return -EINVAL;
	l3->thoff = off;
	l3->proto = nexthdr;
	/*
	 * Any fragment (offset or More Fragments set), as for IPv4: only
	 * the first holds the ports, and all of them keep one flow key
	 */
	l3->frag = frag_off != 0;
	if (nexthdr == IPPROTO_ICMPV6 && !l3->frag &&
	    ipv6_hdr(skb)->hop_limit == 255) {
		u8 _type;
		const u8 *type = skb_header_pointer(skb, off, 1, &_type);

		l3->nd = type && *type >= NDISC_ROUTER_SOLICITATION &&
			 *type <= NDISC_REDIRECT;
	}
	return 0;
}

bool bv_l3_link_scope(const struct bv_l3 *l3)
{
	int st;

	if (!l3->v6)
		return false;
	if (l3->nd || ipv6_addr_is_multicast(&l3->daddr))
		return true;
	st = ipv6_addr_type(&l3->saddr);
	return st == IPV6_ADDR_ANY || (st & IPV6_ADDR_LINKLOCAL);
}

int bv_l3_stamp_find(struct sk_buff *skb, const struct bv_l3 *l3, u8 group,
		     struct bv_stamp *st, unsigned int *foreign)
{
	int ret;

	if (!l3->v6 && bv_ip4_no_options(skb)) {
		if (foreign)
			*foreign = 0;
		return -ENOENT;
	}
	if (!l3->v6)
		return bv_skb_stamp_find_foreign(skb, group, st, foreign);
	ret = bv_skb_stamp6_find(skb, group, st, foreign);
	/*
	 * A jumbogram is not parsed (docs/ipv6.md): BIG TCP stays off
	 * between gateways and members, so one is nobody's to stamp
	 */
	return ret == -EMSGSIZE ? -ENOENT : ret;
}

int bv_l3_stamp_strip(struct sk_buff *skb, const struct bv_l3 *l3, int off)
{
	return l3->v6 ? bv_skb_stamp6_strip(skb, off) :
			bv_skb_stamp_strip(skb, off);
}

struct net_device *bv_l3_out_dev(const struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	struct dst_entry *dst = skb_dst(skb);

	if (state && state->out)
		return state->out;
	return dst ? dst->dev : NULL;
}

unsigned int bv_l3_stamp_output(struct sk_buff *skb, const struct bv_l3 *l3,
				const struct nf_hook_state *state,
				const struct bv_config *cfg, u32 epoch,
				bool id_ok, struct bv_l3_out *o)
{
	enum bv_stamp6_how how;
	unsigned int verdict;

	/* a multiple of 2^15 shares epoch 0's ID (beaver_stamp.h): option */
	if (!l3->v6 && id_ok && bv_id_can_carry(epoch) && bv_id_on(cfg) &&
	    bv_skb_id_fits(skb, bv_l3_out_dev(skb, state))) {
		o->err = bv_skb_id_set(skb, bv_id_encode(epoch));
		o->id = !o->err;
		/*
		 * an ID that could not be written is still the sender's, which
		 * a member would read as a stamp: dropped, like a loss
		 */
		return o->err ? NF_DROP : NF_ACCEPT;
	}
	if (!l3->v6)
		return bv_stamp_output(skb, state, cfg->group, epoch, &o->err,
				       &o->split);
	verdict = bv_stamp6_output(skb, state, cfg->group, epoch,
				   bv_hook_continue, &o->err, &how);
	/*
	 * BV_STAMP6_FRAG (below the 1280 floor, fragmented after us) has
	 * no counter of its own yet: it is a stamped packet
	 */
	o->split = how == BV_STAMP6_SPLIT;
	return verdict;
}
