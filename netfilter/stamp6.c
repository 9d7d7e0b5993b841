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
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/checksum.h>
#include <net/dst.h>
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
	unsigned int headroom = BEAVER6_HDR_LEN;
	struct dst_entry *dst = skb_dst(skb);
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
	/* room for the stamp and for the link-layer header still to come */
	if (dst && dst->dev)
		headroom += LL_RESERVED_SPACE(dst->dev);
	if (skb_cow_head(skb, headroom))
		return -ENOMEM;
	/* gso_size changes below: not in a clone's shared info (TCP's copy) */
	if (skb_is_gso(skb) && skb_is_gso_tcp(skb) && skb_cloned(skb) &&
	    pskb_expand_head(skb, 0, 0, GFP_ATOMIC))
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
