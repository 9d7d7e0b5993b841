// SPDX-License-Identifier: GPL-2.0
/*
 * MSS clamping: a stamp adds 8 bytes (IPv4) or 16 (IPv6) to segments
 * between gateway and member and between members. IPVS checks the MTU before the option is
 * added, and member-to-member TCP would black-hole (the frag-needed ICMP
 * goes back to the sender itself), so the MSS advertised in SYN and SYN-ACK
 * segments is lowered by the stamp's size instead. Either family: the TCP
 * header is found past the IPv4 options or the IPv6 extension headers.
 */
#include <linux/ip.h>
#include <linux/tcp.h>
#include <asm/unaligned.h>
#include <net/ip.h>
#include <net/tcp.h>
#include "hooks.h"
#include "l3.h"

/* never advertise less than this: below it clamping would do harm */
#define BV_MSS_FLOOR 88

bool bv_mss_clamp(struct sk_buff *skb, const struct bv_l3 *l3,
		  unsigned int delta)
{
	unsigned int thoff = l3->thoff;
	unsigned int i, optlen, tcplen;
	struct tcphdr _th, *th;
	u16 oldmss, newmss;
	u8 *opt;

	if (l3->proto != IPPROTO_TCP || l3->frag)
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
