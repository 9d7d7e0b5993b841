// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP "fragmentation needed" errors that quote a stamped packet.
 *
 * A router past a gateway (or past a member's first hop) whose next link
 * has a smaller MTU M drops a stamped Don't-Fragment packet longer than M
 * and tells the packet's source that M fits. The source never sent the
 * stamp: its packets of M bytes leave the gateway with M + 8, and are
 * dropped again, for ever (TCP stalls: a black hole). What fits the
 * source's packets is M - 8, so that is what it must hear: the gateway
 * forwarding the error to it, or the member receiving it, lowers the MTU
 * the error advertises by the stamp's size, as IPVS does for its tunnels'
 * overhead. Errors that quote no stamp of the group are left alone.
 *
 * IPv6 the same way: an ICMPv6 Packet Too Big quoting a packet that
 * carries the group's 16-byte stamp advertises 16 less. IPv6 routers never
 * fragment, so this is the only way the source learns what fits.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include "hooks.h"
#include "l3.h"
#include "stamp.h"

void bv_icmp4_frag_needed(struct beaver_net *bn, const struct bv_config *cfg,
			  struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	unsigned int thoff = skb_network_offset(skb) + iph->ihl * 4;
	unsigned int qoff = thoff + sizeof(struct icmphdr);
	u8 _opts[BEAVER_IP_OPTS_MAX];
	struct icmphdr _ih, *ih;
	struct iphdr _q;
	const struct iphdr *q;
	const u8 *opts;
	struct bv_stamp st;
	unsigned int optlen;
	u16 mtu;

	if (iph->protocol != IPPROTO_ICMP || ip_is_fragment(iph))
		return;
	ih = skb_header_pointer(skb, thoff, sizeof(_ih), &_ih);
	if (!ih || ih->type != ICMP_DEST_UNREACH ||
	    ih->code != ICMP_FRAG_NEEDED)
		return;
	/* the quoted packet: its header, options included, follows */
	q = skb_header_pointer(skb, qoff, sizeof(_q), &_q);
	if (!q || q->version != 4)
		return;
	/*
	 * An IPIP carrier (IPVS tunnelling) has the stamp on the packet it
	 * carries: there if the router quoted that far (Linux quotes up to
	 * 576 bytes; RFC 792's 8 bytes past the header would not do). The
	 * error goes to the director, and IPVS passes it on to the client
	 * less its own 20 bytes.
	 */
	if (q->protocol == IPPROTO_IPIP && !(q->frag_off & htons(IP_OFFSET))) {
		qoff += q->ihl * 4;
		q = skb_header_pointer(skb, qoff, sizeof(_q), &_q);
		if (!q || q->version != 4)
			return;
	}
	if (q->ihl <= 5)
		return;
	optlen = q->ihl * 4 - sizeof(struct iphdr);
	opts = skb_header_pointer(skb, qoff + sizeof(struct iphdr), optlen,
				  _opts);
	if (!opts || bv_opts_find(opts, optlen, cfg->group, &st) < 0)
		return;
	/* 0: a router from before RFC 1191 says nothing to lower */
	mtu = ntohs(ih->un.frag.mtu);
	if (mtu < 68 + BEAVER_OPT_LEN)
		return;
	if (skb_ensure_writable(skb, thoff + sizeof(struct icmphdr)))
		return;
	ih = (struct icmphdr *)(skb->data + thoff);
	/*
	 * The checksum moves against the field: the one's complement sum of
	 * the message stays, and with it a CHECKSUM_COMPLETE skb->csum
	 */
	csum_replace2(&ih->checksum, htons(mtu), htons(mtu - BEAVER_OPT_LEN));
	ih->un.frag.mtu = htons(mtu - BEAVER_OPT_LEN);
	bv_stat_inc(bn, BEAVER_STAT_ICMP_MTU_LOWERED);
}

/*
 * How much of a quoted IPv6 packet is walked for the stamp: the fixed
 * header and the extension headers before it. Linux quotes up to 1280
 * bytes; a stamp further in than this sits behind more headers than any
 * gateway or member of ours puts before it, and is not looked for.
 */
#define BV_ICMP6_QUOTE_WALK	256

/*
 * The MTU a Packet Too Big about a stamped packet should advertise: @mtu
 * less the stamp, or 0 to leave it alone (the source could not go below
 * 1280 anyway, RFC 8201: such a far link breaks the requirement of an MTU
 * of at least 1296 on stamped paths, docs/ipv6.md)
 */
static u32 bv_icmp6_lowered(u32 mtu)
{
	if (mtu < IPV6_MIN_MTU + BEAVER6_HDR_LEN)
		return 0;
	return mtu - BEAVER6_HDR_LEN;
}

void bv_icmp6_pkt_too_big(struct beaver_net *bn, const struct bv_config *cfg,
			  struct sk_buff *skb)
{
	u8 _q[BV_ICMP6_QUOTE_WALK];
	struct bv_stamp6_chain c;
	struct icmp6hdr _ih, *ih;
	unsigned int qoff, qlen;
	const u8 *q;
	struct bv_l3 l3;
	u32 mtu, lowered;
	int ret;

	if (bv_l3_parse(skb, &l3) || l3.proto != IPPROTO_ICMPV6 || l3.frag)
		return;
	ih = skb_header_pointer(skb, l3.thoff, sizeof(_ih), &_ih);
	if (!ih || ih->icmp6_type != ICMPV6_PKT_TOOBIG || ih->icmp6_code)
		return;
	/* the quoted packet, as much of it as the router sent */
	qoff = l3.thoff + sizeof(struct icmp6hdr);
	if (skb->len < qoff + BV6_HDR_LEN)
		return;
	qlen = min_t(unsigned int, skb->len - qoff, sizeof(_q));
	q = skb_header_pointer(skb, qoff, qlen, _q);
	if (!q || (q[0] >> 4) != 6)
		return;
	/*
	 * The quote is truncated: its own payload length says how long the
	 * packet was. -EAGAIN: the headers run past what we have, no stamp
	 * seen; anything but the offset of our group's stamp leaves it be.
	 */
	ret = bv_stamp6_walk(q, qlen, BV6_HDR_LEN + ((q[4] << 8) | q[5]),
			     cfg->group, 0, &c);
	if (ret < 0)
		return;
	mtu = ntohl(ih->icmp6_mtu);
	lowered = bv_icmp6_lowered(mtu);
	if (!lowered)
		return;
	if (skb_ensure_writable(skb, l3.thoff + sizeof(struct icmp6hdr)))
		return;
	ih = (struct icmp6hdr *)(skb->data + l3.thoff);
	/* as for IPv4: the checksum moves against the field */
	csum_replace4(&ih->icmp6_cksum, htonl(mtu), htonl(lowered));
	ih->icmp6_mtu = htonl(lowered);
	bv_stat_inc(bn, BEAVER_STAT_ICMP_MTU_LOWERED);
}
