/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The network layer by family: what gateway.c, member.c, packet.c, mss.c
 * and icmp.c need to know of a packet, the same way for IPv4 and IPv6, so
 * that each decision is written once. Every function expects skb->data
 * and the network header to point at the IP header (true at PRE_ROUTING
 * and POST_ROUTING).
 */
#ifndef _BEAVER_NF_L3_H
#define _BEAVER_NF_L3_H

#include <linux/skbuff.h>
#include <net/ip.h>
#include "addr.h"
#include "beaver_stamp.h"
#include "netns.h"

struct nf_hook_state;

/* what the layers above the network header are, for either family */
struct bv_l3 {
	struct in6_addr saddr;	/* addr.h: IPv4 kept mapped */
	struct in6_addr daddr;
	unsigned int thoff;	/* upper-layer header, from skb->data */
	u8 proto;		/* upper-layer protocol (after ext. headers) */
	bool v6;
	bool frag;		/* a fragment: counted without ports */
	bool nd;		/* IPv6 neighbour/router discovery, see below */
};

/* the IP version of the packet at skb->data (4 or 6) */
static inline bool bv_l3_is6(const struct sk_buff *skb)
{
	return skb_headlen(skb) && (skb->data[0] >> 4) == 6;
}

/*
 * Fill @l3 from the packet. IPv6 extension headers (the stamp, when it is
 * still there, among them) are skipped with ipv6_skip_exthdr(); a
 * non-first IPv6 fragment has no upper-layer header. -EINVAL if the
 * packet cannot be parsed (@l3 then holds the addresses, if they could
 * be read, and proto 0).
 */
int bv_l3_parse6(struct sk_buff *skb, struct bv_l3 *l3);

/*
 * An IPv4 header at skb->data without options: no stamp in it, told
 * without bv_stamp_find_at()'s walk (nearly every packet)
 */
static inline bool bv_ip4_no_options(const struct sk_buff *skb)
{
	return !skb_network_offset(skb) && ip_hdr(skb)->ihl == 5;
}

/* inline: every hook pass starts with it, and IPv4 takes a few loads */
static inline int bv_l3_parse(struct sk_buff *skb, struct bv_l3 *l3)
{
	const struct iphdr *iph;

	memset(l3, 0, sizeof(*l3));
	if (bv_l3_is6(skb)) {
		l3->v6 = true;
		return bv_l3_parse6(skb, l3);
	}
	iph = ip_hdr(skb);
	bv_addr_set4(&l3->saddr, iph->saddr);
	bv_addr_set4(&l3->daddr, iph->daddr);
	l3->thoff = skb_network_offset(skb) + iph->ihl * 4;
	l3->proto = iph->protocol;
	/*
	 * Every fragment, as before IPv6: a member reassembles, and a first
	 * fragment counted without ports keeps the flow key of the others
	 */
	l3->frag = ip_is_fragment(iph);
	return 0;
}

/* the bytes a stamp adds to a packet of @l3's family */
static inline unsigned int bv_l3_stamp_len(const struct bv_l3 *l3)
{
	return l3->v6 ? BEAVER6_HDR_LEN : BEAVER_OPT_LEN;
}

/*
 * IPv6 link-scope traffic (neighbour discovery, router discovery, MLD,
 * DAD probes from ::): from a link-local or unspecified source, to a
 * multicast group, or a neighbour or router discovery message (RS, RA, NS,
 * NA, Redirect) with hop limit 255, which no router can have forwarded
 * (RFC 4861 7.1: receivers drop any other) even when its addresses are
 * global (NUD probes, solicited advertisements). It never crosses a
 * gateway by definition, so it is neither stamped nor bypass, nor counted
 * (docs/ipv6.md).
 */
bool bv_l3_link_scope(const struct bv_l3 *l3);

/*
 * An IPv6 packet with an IPv4-mapped source or destination: keyed by that
 * address, it would be counted as the IPv4 host's (addr.h). Never
 * accounted: the member drops it.
 */
static inline bool bv_l3_v4mapped(const struct bv_l3 *l3)
{
	return l3->v6 && (ipv6_addr_v4mapped(&l3->saddr) ||
			  ipv6_addr_v4mapped(&l3->daddr));
}

/*
 * A tunnel's carrier: IPIP (IPVS tunnelling over IPv4) or, over IPv6,
 * ip6ip6/ipip6, whose handling is a known gap (docs/ipv6.md)
 */
static inline bool bv_l3_carrier(const struct bv_l3 *l3)
{
	return l3->proto == IPPROTO_IPIP || (l3->v6 && l3->proto == IPPROTO_IPV6);
}

/*
 * The stamp by family: find (of @group, 0 any; *foreign counts the
 * options of our type that are not it), strip, and stamp on the way out
 * within the route's MTU (bv_stamp_output() or bv_stamp6_output(), with
 * bv_hook_continue() for the segments). Same returns as those.
 */
int bv_l3_stamp_find(struct sk_buff *skb, const struct bv_l3 *l3, u8 group,
		     struct bv_stamp *st, unsigned int *foreign);
int bv_l3_stamp_strip(struct sk_buff *skb, const struct bv_l3 *l3, int off);

/* how bv_l3_stamp_output() went, for the counters */
struct bv_l3_out {
	int err;		/* 0 or the insertion's errno (-E2BIG: refused) */
	bool split;		/* a TCP segment split to take the stamp */
	bool id;		/* stamped in the IPv4 ID (stamp_id.h) */
};

/* the device a packet at POST_ROUTING leaves through, if known */
struct net_device *bv_l3_out_dev(const struct sk_buff *skb,
				 const struct nf_hook_state *state);

/*
 * Stamp @epoch on a packet leaving: in the IPv4 ID where @cfg and @id_ok
 * allow and the packet can carry it (stamp_id.h; NF_DROP if the ID could
 * not be written), else as the option or the IPv6 header, as
 * bv_stamp_output() and bv_stamp6_output() do.
 */
unsigned int bv_l3_stamp_output(struct sk_buff *skb, const struct bv_l3 *l3,
				const struct nf_hook_state *state,
				const struct bv_config *cfg, u32 epoch,
				bool id_ok, struct bv_l3_out *o);

#endif /* _BEAVER_NF_L3_H */
