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
 */
#include <linux/icmp.h>
#include <linux/ip.h>
#include <net/checksum.h>
#include <net/ip.h>
#include "hooks.h"
#include "stamp.h"

void bv_icmp_frag_needed(struct beaver_net *bn, const struct bv_config *cfg,
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
	if (!q || q->version != 4 || q->ihl <= 5)
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
