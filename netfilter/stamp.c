// SPDX-License-Identifier: GPL-2.0
/*
 * The stamp on real sk_buffs. The codec itself (beaver_stamp.h) is shared
 * with user space; this file only moves header bytes around.
 */
#include <linux/ip.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/dst.h>
#include <net/ip.h>
#include <net/checksum.h>
#include "stamp.h"

/* the length of the IPv4 header @nhoff bytes into the packet, now linear */
static int bv_ip_hdrlen_at(struct sk_buff *skb, unsigned int nhoff)
{
	const struct iphdr *iph;
	unsigned int hlen;

	if (!pskb_may_pull(skb, nhoff + sizeof(struct iphdr)))
		return -EINVAL;
	iph = (const struct iphdr *)(skb->data + nhoff);
	hlen = iph->ihl * 4;
	if (iph->version != 4 || hlen < sizeof(struct iphdr))
		return -EINVAL;
	if (!pskb_may_pull(skb, nhoff + hlen))
		return -EINVAL;
	return hlen;
}

static int bv_ip_hdrlen(struct sk_buff *skb)
{
	return bv_ip_hdrlen_at(skb, 0);
}

int bv_skb_inner_off(struct sk_buff *skb)
{
	const struct iphdr *iph, *inner;
	int hlen = bv_ip_hdrlen(skb), ilen;

	if (hlen < 0)
		return hlen;
	if (skb_network_offset(skb) != 0)
		return -EINVAL;
	iph = ip_hdr(skb);
	if (iph->protocol != IPPROTO_IPIP)
		return 0;
	/* a fragment's inner header cannot grow: later offsets would move */
	if (ip_is_fragment(iph))
		return -ENOSPC;
	ilen = bv_ip_hdrlen_at(skb, hlen);
	if (ilen < 0)
		return ilen;
	iph = ip_hdr(skb);
	inner = (const struct iphdr *)(skb->data + hlen);
	if (ntohs(inner->tot_len) < ilen ||
	    ntohs(inner->tot_len) > ntohs(iph->tot_len) - hlen)
		return -EINVAL;
	return hlen;
}

/* the stamp in the options of the IPv4 header @nhoff bytes in */
static int bv_stamp_find_at(struct sk_buff *skb, unsigned int nhoff,
			    u8 group, struct bv_stamp *st,
			    unsigned int *foreign)
{
	int hlen = bv_ip_hdrlen_at(skb, nhoff);
	int off;

	if (foreign)
		*foreign = 0;
	if (hlen < 0)
		return hlen;
	if (skb_network_offset(skb) != 0)
		return -EINVAL;
	if (hlen == sizeof(struct iphdr))
		return -ENOENT;
	off = bv_opts_find_foreign(skb->data + nhoff + sizeof(struct iphdr),
				   hlen - sizeof(struct iphdr), group, st,
				   foreign);
	if (off < 0)
		return off;
	return off + sizeof(struct iphdr);
}

int bv_skb_stamp_find_foreign(struct sk_buff *skb, u8 group,
			      struct bv_stamp *st, unsigned int *foreign)
{
	return bv_stamp_find_at(skb, 0, group, st, foreign);
}

int bv_skb_stamp_find(struct sk_buff *skb, u8 group, struct bv_stamp *st)
{
	return bv_stamp_find_at(skb, 0, group, st, NULL);
}

int bv_skb_stamp_find_inner(struct sk_buff *skb, u8 group,
			    struct bv_stamp *st, int *nhoff)
{
	const struct iphdr *iph;
	int hlen = bv_ip_hdrlen(skb);

	*nhoff = 0;
	if (hlen < 0)
		return hlen;
	iph = ip_hdr(skb);
	if (iph->protocol != IPPROTO_IPIP)
		return bv_stamp_find_at(skb, 0, group, st, NULL);
	/* only a first fragment starts with the inner header */
	if (iph->frag_off & htons(IP_OFFSET))
		return -ENOENT;
	*nhoff = hlen;
	return bv_stamp_find_at(skb, hlen, group, st, NULL);
}

/*
 * Every segment of a TCP GSO packet gets the stamp: 8 bytes more header
 * each, so 8 bytes less payload each when the segments would otherwise
 * pass the route's MTU (no MSS clamp left them room). The stack segments it
 * later, through every hook, as any GSO packet. Other GSO packets (UDP:
 * each segment is a datagram) keep their size: bv_stamp_output() checks
 * that they still fit.
 */
static void bv_gso_shrink(struct sk_buff *skb, unsigned int nhoff)
{
	struct skb_shared_info *sh = skb_shinfo(skb);
	unsigned int thoff, hdr, payload;
	struct tcphdr _th;
	const struct tcphdr *th;

	if (!skb_is_gso(skb) || !skb_is_gso_tcp(skb) ||
	    sh->gso_size <= BEAVER_OPT_LEN)
		return;
	/* segments that still fit (the MSS clamp left room): as they are */
	if (skb_dst(skb) &&
	    skb_gso_validate_network_len(skb, dst_mtu(skb_dst(skb))))
		return;
	skb_decrease_gso_size(sh, BEAVER_OPT_LEN);
	/* the TCP header follows the header that took the stamp */
	thoff = nhoff + ((struct iphdr *)(skb->data + nhoff))->ihl * 4;
	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	hdr = thoff + (th ? th->doff * 4 : sizeof(_th));
	payload = skb->len > hdr ? skb->len - hdr : 0;
	sh->gso_segs = DIV_ROUND_UP(payload, sh->gso_size);
}

/*
 * After the @moved bytes at @start (from skb->head) went 8 bytes towards
 * the head (@by -8) or the tail (@by 8), a header offset that pointed into
 * them follows them.
 */
static void bv_follow(u16 *hdr, unsigned int start, unsigned int moved,
		      int by)
{
	if (*hdr >= start && *hdr < start + moved)
		*hdr += by;
}

int bv_skb_stamp_room(struct sk_buff *skb, unsigned int len)
{
	struct dst_entry *dst = skb_dst(skb);
	unsigned int headroom = len;

	/* room for the stamp and for the link-layer header still to come */
	if (dst && dst->dev)
		headroom += LL_RESERVED_SPACE(dst->dev);
	if (skb_cow_head(skb, headroom))
		return -ENOMEM;
	/* gso_size changes later: not in a clone's shared info (TCP's copy) */
	if (skb_is_gso(skb) && skb_is_gso_tcp(skb) && skb_cloned(skb) &&
	    pskb_expand_head(skb, 0, 0, GFP_ATOMIC))
		return -ENOMEM;
	return 0;
}

int bv_skb_stamp_insert(struct sk_buff *skb, u8 group, u32 epoch)
{
	unsigned int moved, start;
	struct iphdr *iph;
	int nhoff = bv_skb_inner_off(skb);
	int hlen;

	if (nhoff < 0)
		return nhoff;
	hlen = bv_ip_hdrlen_at(skb, nhoff);
	if (hlen < 0)
		return hlen;
	iph = (struct iphdr *)(skb->data + nhoff);
	if (ntohs(iph->tot_len) < hlen)
		return -EINVAL;
	if (hlen + BEAVER_OPT_LEN > sizeof(struct iphdr) + BEAVER_IP_OPTS_MAX)
		return -ENOSPC;
	/* tot_len is 16 bits: a 64 KB GRO/GSO packet has no room left */
	if (ntohs(ip_hdr(skb)->tot_len) > IP_MAX_MTU - BEAVER_OPT_LEN)
		return -EMSGSIZE;
	if (bv_skb_stamp_room(skb, BEAVER_OPT_LEN))
		return -ENOMEM;

	/*
	 * Everything up to the end of the fixed header that takes the stamp
	 * (an IPIP packet's outer header too) moves 8 bytes up; options and
	 * payload stay put
	 */
	moved = nhoff + sizeof(struct iphdr);
	start = skb->data - skb->head;
	skb_push(skb, BEAVER_OPT_LEN);
	memmove(skb->data, skb->data + BEAVER_OPT_LEN, moved);
	skb_reset_network_header(skb);
	if (nhoff) {
		/*
		 * IPVS points the transport header and the inner headers at
		 * the inner IPv4 header: GSO finds the inner packet by them
		 */
		bv_follow(&skb->transport_header, start, moved, -BEAVER_OPT_LEN);
		bv_follow(&skb->inner_network_header, start, moved,
			  -BEAVER_OPT_LEN);
		bv_follow(&skb->inner_mac_header, start, moved,
			  -BEAVER_OPT_LEN);
		iph = ip_hdr(skb);
		iph->tot_len = htons(ntohs(iph->tot_len) + BEAVER_OPT_LEN);
		ip_send_check(iph);
	}
	iph = (struct iphdr *)(skb->data + nhoff);
	bv_stamp_encode((u8 *)iph + sizeof(struct iphdr), group, epoch);
	iph->ihl += BEAVER_OPT_LEN / 4;
	iph->tot_len = htons(ntohs(iph->tot_len) + BEAVER_OPT_LEN);
	ip_send_check(iph);
	bv_gso_shrink(skb, nhoff);
	return 0;
}

int bv_skb_stamp_strip_at(struct sk_buff *skb, int nhoff, int off)
{
	struct iphdr *iph;
	int hlen, total;

	if (nhoff < 0)
		return -EINVAL;
	hlen = bv_ip_hdrlen_at(skb, nhoff);
	if (hlen < 0)
		return hlen;
	total = nhoff + hlen;
	if (off < (int)sizeof(struct iphdr) ||
	    off + BEAVER_OPT_LEN > hlen || skb_network_offset(skb) != 0 ||
	    ntohs(ip_hdr(skb)->tot_len) < total ||
	    ntohs(((struct iphdr *)(skb->data + nhoff))->tot_len) < hlen)
		return -EINVAL;
	if (skb_ensure_writable(skb, total))
		return -ENOMEM;
	iph = ip_hdr(skb);

	/* CHECKSUM_COMPLETE covers the headers: take the old ones out ... */
	if (skb->ip_summed == CHECKSUM_COMPLETE)
		skb->csum = csum_sub(skb->csum, csum_partial(iph, total, 0));

	/* everything before the option moves 8 bytes down over it */
	memmove((u8 *)iph + BEAVER_OPT_LEN, iph, nhoff + off);
	if (nhoff)
		/* IPv4 input set it to the inner header: it goes along */
		bv_follow(&skb->transport_header, skb->data - skb->head,
			  nhoff + off, BEAVER_OPT_LEN);
	__skb_pull(skb, BEAVER_OPT_LEN);
	skb_reset_network_header(skb);
	if (skb_mac_header_was_set(skb)) {
		/* keep the link-layer header adjacent for later readers */
		memmove(skb_mac_header(skb) + BEAVER_OPT_LEN,
			skb_mac_header(skb), skb->mac_len);
		skb->mac_header += BEAVER_OPT_LEN;
	}
	iph = ip_hdr(skb);
	if (nhoff) {
		/* the carrier of an IPIP packet is 8 bytes shorter too */
		iph->tot_len = htons(ntohs(iph->tot_len) - BEAVER_OPT_LEN);
		ip_send_check(iph);
		iph = (struct iphdr *)(skb->data + nhoff);
	}
	iph->ihl -= BEAVER_OPT_LEN / 4;
	iph->tot_len = htons(ntohs(iph->tot_len) - BEAVER_OPT_LEN);
	ip_send_check(iph);

	/* ... and the new ones in */
	if (skb->ip_summed == CHECKSUM_COMPLETE)
		skb->csum = csum_add(skb->csum,
				     csum_partial(ip_hdr(skb),
						  total - BEAVER_OPT_LEN, 0));
	return 0;
}

int bv_skb_stamp_strip(struct sk_buff *skb, int off)
{
	return bv_skb_stamp_strip_at(skb, 0, off);
}

unsigned int bv_stamp_gso_segments(struct sk_buff *skb,
				   const struct nf_hook_state *state,
				   u8 group, u32 epoch,
				   int (*insert)(struct sk_buff *skb, u8 group,
						 u32 epoch),
				   void (*cont)(struct sk_buff *skb,
						const struct nf_hook_state *state),
				   int *err)
{
	struct sk_buff *segs, *seg, *next;

	/* no device features: segment and checksum in software */
	segs = skb_gso_segment(skb, 0);
	if (IS_ERR_OR_NULL(segs)) {
		*err = segs ? PTR_ERR(segs) : -EINVAL;
		return NF_ACCEPT;	/* leaves unstamped, and counted */
	}
	consume_skb(skb);
	*err = 0;
	skb_list_walk_safe(segs, seg, next) {
		int e;

		skb_mark_not_on_list(seg);
		e = insert(seg, group, epoch);
		if (e)
			*err = e;
		cont(seg, state);
	}
	return NF_STOLEN;
}
