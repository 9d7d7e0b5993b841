// SPDX-License-Identifier: GPL-2.0
/*
 * MSS clamping: a stamp adds 8 bytes to segments between gateway and
 * member and between members. IPVS checks the MTU before the option is
 * added, and member-to-member TCP would black-hole (the frag-needed ICMP
 * goes back to the sender itself), so the MSS advertised in SYN and SYN-ACK
 * segments is lowered by 8 instead.
 */
#include <linux/ip.h>
#include <linux/tcp.h>
#include <asm/unaligned.h>
#include <net/ip.h>
#include <net/tcp.h>
#include "hooks.h"

/* never advertise less than this: below it clamping would do harm */
#define BV_MSS_FLOOR 88

bool bv_mss_clamp(struct sk_buff *skb, unsigned int delta)
{
	const struct iphdr *iph = ip_hdr(skb);
	unsigned int thoff = skb_network_offset(skb) + iph->ihl * 4;
	unsigned int i, optlen, tcplen;
	struct tcphdr _th, *th;
	u16 oldmss, newmss;
	u8 *opt;

	if (iph->protocol != IPPROTO_TCP || ip_is_fragment(iph))
		return false;
	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (!th || !th->syn || th->doff * 4 <= sizeof(struct tcphdr))
		return false;
	tcplen = th->doff * 4;
	if (skb_ensure_writable(skb, thoff + tcplen))
		return false;

	th = (struct tcphdr *)(skb->data + thoff);
	opt = (u8 *)th;
	for (i = sizeof(struct tcphdr); i < tcplen; i += optlen) {
		if (opt[i] == TCPOPT_EOL)
			break;
		if (opt[i] == TCPOPT_NOP) {
			optlen = 1;
			continue;
		}
		if (i + 1 >= tcplen || opt[i + 1] < 2)
			break;
		optlen = opt[i + 1];
		if (opt[i] != TCPOPT_MSS || optlen != TCPOLEN_MSS ||
		    i + TCPOLEN_MSS > tcplen)
			continue;
		oldmss = get_unaligned_be16(opt + i + 2);
		if (oldmss < BV_MSS_FLOOR + delta)
			return false;
		newmss = oldmss - delta;
		put_unaligned_be16(newmss, opt + i + 2);
		inet_proto_csum_replace2(&th->check, skb, htons(oldmss),
					 htons(newmss), false);
		return true;
	}
	return false;
}
