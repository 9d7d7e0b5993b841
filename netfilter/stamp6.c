// SPDX-License-Identifier: GPL-2.0
/*
 * The IPv6 stamp on real sk_buffs. The codec itself (beaver_stamp.h) is
 * shared with user space and decides where the stamp is or goes; this file
 * pulls headers into the linear part and moves bytes.
 *
 * Only the IPv6 header and the extension headers before the stamp move, 16
 * bytes towards the head on insertion and back on removal: the upper-layer
 * header and the payload stay where they are, so csum_start, the transport
 * header (once past the stamp) and the frags are untouched. The transport
 * checksum needs no change: the IPv6 pseudo-header holds the addresses,
 * the upper-layer length (the payload length less the extension headers:
 * both grow by 16) and the upper-layer protocol, none of which a
 * Destination Options header changes.
 */
#include <linux/icmpv6.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/checksum.h>
#include <net/dst.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#include "stamp.h"
#include "stamp6.h"

/*
 * The codec's walk, pulling into the linear part what it asks for: the
 * headers up to where the stamp is or goes, never the payload. Each
 * -EAGAIN asks for more bytes than the last (at most two per header), and
 * never for more than the packet has.
 */
static int bv_skb_walk6(struct sk_buff *skb, u8 group, unsigned int want,
			struct bv_stamp6_chain *c)
{
	int ret;

	c->foreign = 0;
	if (skb_network_offset(skb) != 0)
		return -EINVAL;
	for (;;) {
		ret = bv_stamp6_walk(skb->data, skb_headlen(skb), skb->len,
				     group, want, c);
		if (ret != -EAGAIN)
			return ret;
		if (!pskb_may_pull(skb, c->need))
			return -ENOMEM;
	}
}

int bv_skb_stamp6_find(struct sk_buff *skb, u8 group, struct bv_stamp *st,
		       unsigned int *foreign)
{
	struct bv_stamp6_chain c;
	int ret = bv_skb_walk6(skb, group, 0, &c);

	if (foreign)
		*foreign = c.foreign;
	if (ret == -ENOMEM)
		ret = -EINVAL;	/* as bv_skb_stamp_find: not parseable */
	else if (ret >= 0)
		*st = c.st;
	return ret;
}

/*
 * Every segment of a TCP GSO packet gets the stamp (IPv6 GSO copies the
 * extension headers into each: ipv6_gso_segment()), so each carries 16
 * bytes less payload when the segments would otherwise pass the route's
 * MTU. Other GSO packets (UDP: each segment a datagram) keep their size;
 * whoever stamps them checks that they still fit.
 */
static void bv_gso6_shrink(struct sk_buff *skb)
{
	struct skb_shared_info *sh = skb_shinfo(skb);
	unsigned int hdr, payload;

	if (!skb_is_gso(skb) || !skb_is_gso_tcp(skb) ||
	    sh->gso_size <= BEAVER6_HDR_LEN)
		return;
	/* segments that still fit (the MSS clamp left room): as they are */
	if (skb_dst(skb) &&
	    skb_gso_validate_network_len(skb, dst_mtu(skb_dst(skb))))
		return;
	skb_decrease_gso_size(sh, BEAVER6_HDR_LEN);
	hdr = skb_transport_offset(skb) + tcp_hdrlen(skb);
	payload = skb->len > hdr ? skb->len - hdr : 0;
	sh->gso_segs = DIV_ROUND_UP(payload, sh->gso_size);
}

int bv_skb_stamp6_insert(struct sk_buff *skb, u8 group, u32 epoch)
{
	struct bv_stamp6_chain c;
	bool move_transport;
	int ret;

	ret = bv_skb_walk6(skb, 0, 0, &c);
	if (ret < 0 && ret != -ENOENT)
		return ret;
	/* one more header than a receiver walks: it would drop the packet */
	if (c.hdrs >= BV6_EXTHDRS_MAX)
		return -ENOSPC;
	/* payload_len is 16 bits: a 64 KB GRO/GSO packet has no room left */
	if (ntohs(ipv6_hdr(skb)->payload_len) >
	    BV6_PAYLOAD_MAX - BEAVER6_HDR_LEN)
		return -EMSGSIZE;
	/* a checksum to compute over headers that move: not TCP's or UDP's */
	if (skb->ip_summed == CHECKSUM_PARTIAL &&
	    skb_checksum_start_offset(skb) < (int)c.at)
		return -EINVAL;
	if (bv_skb_stamp_room(skb, BEAVER6_HDR_LEN))
		return -ENOMEM;

	/*
	 * A transport header that points into the headers that move (a
	 * forwarded packet's, set right after the fixed header) moves with
	 * them; one at the upper-layer header stays.
	 */
	move_transport = skb_transport_header_was_set(skb) &&
			 skb_transport_offset(skb) < (int)c.at;
	skb_push(skb, BEAVER6_HDR_LEN);
	memmove(skb->data, skb->data + BEAVER6_HDR_LEN, c.at);
	skb_reset_network_header(skb);
	if (move_transport)
		skb->transport_header -= BEAVER6_HDR_LEN;
	bv_stamp6_link(skb->data, &c, group, epoch);
	bv_gso6_shrink(skb);
	return 0;
}

int bv_skb_stamp6_strip(struct sk_buff *skb, int off)
{
	struct bv_stamp6_chain c;
	bool move_transport;
	unsigned int end;
	u8 *nh;
	int ret;

	if (off < BV6_HDR_LEN)
		return -EINVAL;
	/* a stamp, and the byte that names it: walked again, never trusted */
	ret = bv_skb_walk6(skb, 0, off, &c);
	if (ret != off)
		return ret == -ENOMEM ? ret : -EINVAL;
	end = off + BEAVER6_HDR_LEN;
	if (skb->ip_summed == CHECKSUM_PARTIAL &&
	    skb_checksum_start_offset(skb) < (int)end)
		return -EINVAL;
	if (skb_ensure_writable(skb, end))
		return -ENOMEM;
	nh = skb->data;

	/* CHECKSUM_COMPLETE covers the headers: take the old ones out ... */
	if (skb->ip_summed == CHECKSUM_COMPLETE)
		skb->csum = csum_sub(skb->csum, csum_partial(nh, end, 0));

	/* everything before the stamp moves 16 bytes up over it */
	bv_stamp6_unlink(nh, &c);
	memmove(nh + BEAVER6_HDR_LEN, nh, off);
	/* at PRE_ROUTING the transport header is right after the fixed one */
	move_transport = skb_transport_header_was_set(skb) &&
			 skb_transport_offset(skb) < (int)end;
	__skb_pull(skb, BEAVER6_HDR_LEN);
	skb_reset_network_header(skb);
	if (move_transport)
		skb->transport_header += BEAVER6_HDR_LEN;
	if (skb_mac_header_was_set(skb)) {
		/* keep the link-layer header adjacent for later readers */
		memmove(skb_mac_header(skb) + BEAVER6_HDR_LEN,
			skb_mac_header(skb), skb->mac_len);
		skb->mac_header += BEAVER6_HDR_LEN;
	}

	/* ... and the new ones in */
	if (skb->ip_summed == CHECKSUM_COMPLETE)
		skb->csum = csum_add(skb->csum,
				     csum_partial(skb->data, off, 0));
	return 0;
}

/*
 * ---- POST_ROUTING: the MTU (docs/ipv6.md, "Path MTU") ----
 */

/*
 * Will the packet (each segment of a GSO packet) still fit @mtu once
 * stamped? A TCP GSO packet's segments will (the insertion takes the 16
 * bytes off their payload).
 */
static bool bv_stamp6_fits(struct sk_buff *skb, unsigned int mtu)
{
	if (!mtu)
		return true;
	if (skb_is_gso(skb))
		return skb_is_gso_tcp(skb) ||
		       skb_gso_validate_network_len(skb,
						    mtu - BEAVER6_HDR_LEN);
	return skb->len + BEAVER6_HDR_LEN <= mtu;
}

/*
 * A TCP segment that the stamp would push past the MTU becomes a GSO
 * packet whose segments take the stamp and fit, as bv_tcp_split() does
 * for IPv4: any router may cut a TCP segment in two, no sender needs to
 * learn a smaller MTU. Not under AH (the parts would fail it) nor with a
 * Routing header (the pseudo-header's destination is not the header's),
 * nor a fragment. False if it is not such a segment or cannot be made one.
 */
static bool bv_tcp6_split(struct sk_buff *skb, unsigned int mtu)
{
	struct skb_shared_info *sh;
	struct bv_stamp6_chain c;
	unsigned int hdr, payload;
	struct ipv6hdr *ip6;
	struct tcphdr *th;
	int ret;

	if (skb_is_gso(skb))
		return false;
	ret = bv_skb_walk6(skb, 0, 0, &c);
	if ((ret < 0 && ret != -ENOENT) || c.proto != IPPROTO_TCP ||
	    (c.seen & (BV6_SEEN_ROUTING | BV6_SEEN_AUTH)) ||
	    !pskb_may_pull(skb, c.at + sizeof(struct tcphdr)))
		return false;
	th = (struct tcphdr *)(skb->data + c.at);
	hdr = c.at + th->doff * 4;
	if (th->doff < 5 || hdr + BEAVER6_HDR_LEN + 8 > mtu ||
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
	ip6 = ipv6_hdr(skb);
	skb_set_transport_header(skb, c.at);
	th = tcp_hdr(skb);
	payload = skb->len - hdr;
	/* the stamp comes off gso_size in bv_skb_stamp6_insert() */
	sh = skb_shinfo(skb);
	sh->gso_type = SKB_GSO_TCPV6;
	sh->gso_size = mtu - hdr;
	sh->gso_segs = DIV_ROUND_UP(payload, sh->gso_size);
	/*
	 * Each part needs its own checksum: the pseudo-header sum, partial.
	 * Its length is the upper layer's, extension headers not counted.
	 */
	th->check = ~tcp_v6_check(skb->len - c.at, &ip6->saddr, &ip6->daddr,
				  0);
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_transport_header(skb) - skb->head;
	skb->csum_offset = offsetof(struct tcphdr, check);
	return true;
}

unsigned int __bv_stamp6_output(struct sk_buff *skb,
				const struct nf_hook_state *state,
				unsigned int mtu, u8 group, u32 epoch,
				bv_stamp6_cont_t cont, int *err,
				enum bv_stamp6_how *how)
{
	*how = BV_STAMP6_WHOLE;
	*err = 0;
	if (!bv_stamp6_fits(skb, mtu)) {
		if (bv_tcp6_split(skb, mtu)) {
			*how = BV_STAMP6_SPLIT;
		} else if (mtu < IPV6_MIN_MTU + BEAVER6_HDR_LEN) {
			/*
			 * No sender can go below 1280 (RFC 8201): it could
			 * never make this packet fit. Stamped and cut here,
			 * as a tunnel entry point cuts what it encapsulates;
			 * ip6_fragment() keeps the stamp in every fragment.
			 */
			skb->ignore_df = 1;
			*how = BV_STAMP6_FRAG;
		} else if (skb->skb_iif) {
			/*
			 * From elsewhere: what the sender's path MTU
			 * discovery needs is the truth, the MTU less the
			 * stamp, as a router with that MTU would tell it
			 * (quoting the packet as it was sent)
			 */
			icmpv6_send(skb, ICMPV6_PKT_TOOBIG, 0,
				    mtu - BEAVER6_HDR_LEN);
			*err = -E2BIG;
			return NF_DROP_ERR(-EMSGSIZE);
		} else if (!skb->ignore_df) {
			/*
			 * This host's own, from a socket that forbids
			 * fragmentation: it fails to send, as ip6_fragment()
			 * would fail it, and the application hears it at once
			 */
			*err = -E2BIG;
			return NF_DROP_ERR(-EMSGSIZE);
		}
		/* else this host's own, fragmentable: ip6_fragment() cuts it */
	}
	*err = bv_skb_stamp6_insert(skb, group, epoch);
	if (*err == -EMSGSIZE && skb_is_gso(skb))
		return bv_stamp_gso_segments(skb, state, group, epoch,
					     bv_skb_stamp6_insert, cont, err);
	return NF_ACCEPT;
}

unsigned int bv_stamp6_output(struct sk_buff *skb,
			      const struct nf_hook_state *state, u8 group,
			      u32 epoch, bv_stamp6_cont_t cont, int *err,
			      enum bv_stamp6_how *how)
{
	struct dst_entry *dst = skb_dst(skb);

	return __bv_stamp6_output(skb, state, dst ? dst_mtu(dst) : 0, group,
				  epoch, cont, err, how);
}
