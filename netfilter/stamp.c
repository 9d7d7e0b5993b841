// SPDX-License-Identifier: GPL-2.0
/*
 * The stamp on real sk_buffs. The codec itself (beaver_stamp.h) is shared
 * with user space; this file only moves header bytes around.
 */
#include <linux/ip.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/dst.h>
#include <net/ip.h>
#include <net/checksum.h>
#include "stamp.h"

static int bv_ip_hdrlen(struct sk_buff *skb)
{
	const struct iphdr *iph;
	unsigned int hlen;

	if (!pskb_may_pull(skb, sizeof(struct iphdr)))
		return -EINVAL;
	iph = ip_hdr(skb);
	hlen = iph->ihl * 4;
	if (iph->version != 4 || hlen < sizeof(struct iphdr))
		return -EINVAL;
	if (!pskb_may_pull(skb, hlen))
		return -EINVAL;
	return hlen;
}

int bv_skb_stamp_find_foreign(struct sk_buff *skb, u8 group,
			      struct bv_stamp *st, unsigned int *foreign)
{
	int hlen = bv_ip_hdrlen(skb);
	int off;

	if (foreign)
		*foreign = 0;
	if (hlen < 0)
		return hlen;
	if (skb_network_offset(skb) != 0)
		return -EINVAL;
	if (hlen == sizeof(struct iphdr))
		return -ENOENT;
	off = bv_opts_find_foreign(skb_network_header(skb) +
				   sizeof(struct iphdr),
				   hlen - sizeof(struct iphdr), group, st,
				   foreign);
	if (off < 0)
		return off;
	return off + sizeof(struct iphdr);
}

int bv_skb_stamp_find(struct sk_buff *skb, u8 group, struct bv_stamp *st)
{
	return bv_skb_stamp_find_foreign(skb, group, st, NULL);
}

/*
 * Every segment of a TCP GSO packet gets the stamp: 8 bytes more header
 * each, so 8 bytes less payload each when the segments would otherwise
 * pass the route's MTU (no MSS clamp left them room). The stack segments it
 * later, through every hook, as any GSO packet. Other GSO packets (UDP:
 * each segment is a datagram) keep their size: bv_stamp_output() checks
 * that they still fit.
 */
static void bv_gso_shrink(struct sk_buff *skb)
{
	struct skb_shared_info *sh = skb_shinfo(skb);
	unsigned int hdr, payload;

	if (!skb_is_gso(skb) || !skb_is_gso_tcp(skb) ||
	    sh->gso_size <= BEAVER_OPT_LEN)
		return;
	/* segments that still fit (the MSS clamp left room): as they are */
	if (skb_dst(skb) &&
	    skb_gso_validate_network_len(skb, dst_mtu(skb_dst(skb))))
		return;
	skb_decrease_gso_size(sh, BEAVER_OPT_LEN);
	hdr = skb_transport_offset(skb) + tcp_hdrlen(skb);
	payload = skb->len > hdr ? skb->len - hdr : 0;
	sh->gso_segs = DIV_ROUND_UP(payload, sh->gso_size);
}

int bv_skb_stamp_insert(struct sk_buff *skb, u8 group, u32 epoch)
{
	unsigned int headroom = BEAVER_OPT_LEN;
	struct dst_entry *dst = skb_dst(skb);
	struct iphdr *iph;
	int hlen = bv_ip_hdrlen(skb);

	if (hlen < 0)
		return hlen;
	if (skb_network_offset(skb) != 0 ||
	    ntohs(ip_hdr(skb)->tot_len) < hlen)
		return -EINVAL;
	if (hlen + BEAVER_OPT_LEN > sizeof(struct iphdr) + BEAVER_IP_OPTS_MAX)
		return -ENOSPC;
	/* tot_len is 16 bits: a 64 KB GRO/GSO packet has no room left */
	if (ntohs(ip_hdr(skb)->tot_len) > IP_MAX_MTU - BEAVER_OPT_LEN)
		return -EMSGSIZE;
	/* room for the option and for the link-layer header still to come */
	if (dst && dst->dev)
		headroom += LL_RESERVED_SPACE(dst->dev);
	if (skb_cow_head(skb, headroom))
		return -ENOMEM;
	/* gso_size changes below: not in a clone's shared info (TCP's copy) */
	if (skb_is_gso(skb) && skb_is_gso_tcp(skb) && skb_cloned(skb) &&
	    pskb_expand_head(skb, 0, 0, GFP_ATOMIC))
		return -ENOMEM;

	/* the fixed header moves 8 bytes up; options and payload stay put */
	skb_push(skb, BEAVER_OPT_LEN);
	memmove(skb->data, skb->data + BEAVER_OPT_LEN, sizeof(struct iphdr));
	skb_reset_network_header(skb);
	iph = ip_hdr(skb);
	bv_stamp_encode((u8 *)iph + sizeof(struct iphdr), group, epoch);
	iph->ihl += BEAVER_OPT_LEN / 4;
	iph->tot_len = htons(ntohs(iph->tot_len) + BEAVER_OPT_LEN);
	ip_send_check(iph);
	bv_gso_shrink(skb);
	return 0;
}

int bv_skb_stamp_strip(struct sk_buff *skb, int off)
{
	struct iphdr *iph;
	int hlen = bv_ip_hdrlen(skb);

	if (hlen < 0)
		return hlen;
	if (off < (int)sizeof(struct iphdr) || off + BEAVER_OPT_LEN > hlen ||
	    skb_network_offset(skb) != 0 ||
	    ntohs(ip_hdr(skb)->tot_len) < hlen)
		return -EINVAL;
	if (skb_ensure_writable(skb, hlen))
		return -ENOMEM;
	iph = ip_hdr(skb);

	/* CHECKSUM_COMPLETE covers the header: take the old one out ... */
	if (skb->ip_summed == CHECKSUM_COMPLETE)
		skb->csum = csum_sub(skb->csum, csum_partial(iph, hlen, 0));

	/* everything before the option moves 8 bytes down over it */
	memmove((u8 *)iph + BEAVER_OPT_LEN, iph, off);
	__skb_pull(skb, BEAVER_OPT_LEN);
	skb_reset_network_header(skb);
	if (skb_mac_header_was_set(skb)) {
		/* keep the link-layer header adjacent for later readers */
		memmove(skb_mac_header(skb) + BEAVER_OPT_LEN,
			skb_mac_header(skb), skb->mac_len);
		skb->mac_header += BEAVER_OPT_LEN;
	}
	iph = ip_hdr(skb);
	iph->ihl -= BEAVER_OPT_LEN / 4;
	iph->tot_len = htons(ntohs(iph->tot_len) - BEAVER_OPT_LEN);
	ip_send_check(iph);

	/* ... and the new one in */
	if (skb->ip_summed == CHECKSUM_COMPLETE)
		skb->csum = csum_add(skb->csum,
				     csum_partial(iph, hlen - BEAVER_OPT_LEN, 0));
	return 0;
}
