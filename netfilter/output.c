// SPDX-License-Identifier: GPL-2.0
/*
 * Stamping at POST_ROUTING, including GSO packets too large for the
 * option: see bv_stamp_output() in stamp.h.
 */
#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/dst.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/tcp.h>
#include "hooks.h"
#include "stamp.h"

/*
 * Will the packet (each segment of a GSO packet) still fit its route's MTU
 * once stamped? A TCP GSO packet's segments will (bv_skb_stamp_insert()
 * takes the 8 bytes off their payload).
 */
static bool bv_stamp_fits(struct sk_buff *skb, unsigned int *mtu)
{
	struct dst_entry *dst = skb_dst(skb);

	if (!dst)
		return true;
	*mtu = dst_mtu(dst);
	if (*mtu <= BEAVER_OPT_LEN)
		return true;
	if (skb_is_gso(skb))
		return skb_is_gso_tcp(skb) ||
		       skb_gso_validate_network_len(skb,
						    *mtu - BEAVER_OPT_LEN);
	return skb->len + BEAVER_OPT_LEN <= *mtu;
}

/*
 * A TCP segment that the stamp would push past the MTU: no need to make its
 * sender find a smaller MTU, any router may cut a TCP segment in two. It
 * becomes a GSO packet whose segments take the stamp and fit (the stack
 * segments it, or the device does), its checksum left to that segmentation.
 * False if it is not such a segment or cannot be made one.
 */
static bool bv_tcp_split(struct sk_buff *skb, unsigned int mtu)
{
	unsigned int ihl, hdr, payload;
	struct skb_shared_info *sh;
	struct iphdr *iph;
	struct tcphdr *th;

	iph = ip_hdr(skb);
	ihl = iph->ihl * 4;
	if (iph->protocol != IPPROTO_TCP || skb_is_gso(skb) ||
	    ip_is_fragment(iph) ||
	    !pskb_may_pull(skb, ihl + sizeof(struct tcphdr)))
		return false;
	hdr = ihl + tcp_hdr(skb)->doff * 4;
	if (tcp_hdr(skb)->doff < 5 || hdr + BEAVER_OPT_LEN + 8 > mtu ||
	    skb->len <= hdr || !pskb_may_pull(skb, hdr))
		return false;
	/*
	 * Its parts get fresh checksums: only from data whose checksum was
	 * checked (or is still to be computed: ours), never laundering a
	 * corrupted segment into two valid ones
	 */
	if (skb->ip_summed != CHECKSUM_PARTIAL &&
	    skb->ip_summed != CHECKSUM_UNNECESSARY)
		return false;
	/* shared with a clone (TCP's own copy, a tap): ours alone from now */
	if (skb_cloned(skb) && pskb_expand_head(skb, 0, 0, GFP_ATOMIC))
		return false;
	if (skb_ensure_writable(skb, hdr))
		return false;
	iph = ip_hdr(skb);
	skb_set_transport_header(skb, ihl);
	th = tcp_hdr(skb);
	payload = skb->len - hdr;
	/* the stamp comes off gso_size in bv_skb_stamp_insert() */
	sh = skb_shinfo(skb);
	sh->gso_type = SKB_GSO_TCPV4;
	sh->gso_size = mtu - hdr;
	sh->gso_segs = DIV_ROUND_UP(payload, sh->gso_size);
	/* each part needs its own checksum: the pseudo-header sum, partial */
	th->check = ~tcp_v4_check(skb->len - ihl, iph->saddr, iph->daddr, 0);
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_transport_header(skb) - skb->head;
	skb->csum_offset = offsetof(struct tcphdr, check);
	return true;
}

/*
 * ICMP "fragmentation needed" to the sender of a packet too big for the
 * stamp: for an IPIP packet (IPVS tunnelling) the sender is the inner
 * packet's source (the carrier's is this host), and what fits it is the
 * MTU less the carrier's header too, as IPVS itself tells it
 */
static void bv_frag_needed(struct sk_buff *skb, unsigned int mtu)
{
	int nhoff = bv_skb_inner_off(skb);

	if (nhoff < 0 || mtu <= nhoff + BEAVER_OPT_LEN + 68)
		return;
	skb_set_network_header(skb, nhoff);
	icmp_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
		  htonl(mtu - nhoff - BEAVER_OPT_LEN));
	skb_reset_network_header(skb);
}

unsigned int bv_stamp_output(struct sk_buff *skb,
			     const struct nf_hook_state *state, u8 group,
			     u32 epoch, int *err, bool *split)
{
	unsigned int mtu;

	*split = false;
	/*
	 * Too big for the route once stamped? A TCP segment is split (no
	 * router would do less). Any other packet that may be fragmented is
	 * (as it would be on a path with a smaller MTU). One that may not,
	 * from elsewhere: what its sender's path MTU discovery needs is the
	 * truth, the MTU less the stamp, as a router with that MTU would
	 * tell it (IPVS sets ignore_df: the stack would fragment it silently
	 * otherwise).
	 */
	if (!bv_stamp_fits(skb, &mtu) && mtu > BEAVER_OPT_LEN + 68)
		*split = bv_tcp_split(skb, mtu);
	else
		mtu = 0;
	if (mtu && !*split && (ip_hdr(skb)->frag_off & htons(IP_DF))) {
		/*
		 * This host's own packet fails to send, as ip_fragment()
		 * would fail it: the application hears it at once. (Its route
		 * keeps its MTU: lowered by the stamp's size, the stack would
		 * refuse the stamped packet after this hook.)
		 */
		if (skb->skb_iif)
			bv_frag_needed(skb, mtu);
		*err = -E2BIG;
		return NF_DROP_ERR(-EMSGSIZE);
	}
	*err = bv_skb_stamp_insert(skb, group, epoch);
	if (*err == -EMSGSIZE && skb_is_gso(skb))
		return bv_stamp_gso_segments(skb, state, group, epoch,
					     bv_skb_stamp_insert,
					     bv_hook_continue, err);
	return NF_ACCEPT;
}
