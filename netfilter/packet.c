// SPDX-License-Identifier: GPL-2.0
/*
 * Flow keys and packet sizes for the accounting.
 */
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/ip.h>
#include "packet.h"
#include "l3.h"
#include "beaver_stamp.h"

static void bv_pkt_parse_opt(struct sk_buff *skb, const struct bv_l3 *parsed,
			     bool tx, struct bv_flow_key *key,
			     struct bv_pkt *p, unsigned int stamp)
{
	const struct bv_l3 *l3 = parsed;
	unsigned int l4hdr = 0, thoff;
	__be16 sport = 0, dport = 0;
	struct bv_l3 own;
	int err = 0;

	memset(key, 0, sizeof(*key));
	memset(p, 0, sizeof(*p));
	/*
	 * Either family; IPv6 through its extension headers (the stamp
	 * among them, when it is there: its 16 bytes are @stamp). One that
	 * cannot be parsed is counted by its addresses, without ports.
	 */
	if (!l3) {
		err = bv_l3_parse(skb, &own);
		l3 = &own;
	}
	thoff = l3->thoff;
	key->proto = l3->proto;
	key->laddr = tx ? l3->saddr : l3->daddr;
	key->raddr = tx ? l3->daddr : l3->saddr;
	p->tx = tx;
	p->len = skb->len - stamp;

	if (!err && !l3->frag) {
		switch (l3->proto) {
		case IPPROTO_TCP: {
			struct tcphdr _th;
			const struct tcphdr *th;
			u32 payload;

			th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
			if (!th || th->doff < 5)
				break;
			sport = th->source;
			dport = th->dest;
			l4hdr = th->doff * 4;
			if (skb->len < thoff + l4hdr)
				break;
			payload = skb->len - thoff - l4hdr;
			p->has_seq = true;
			p->seq = ntohl(th->seq);
			p->end_seq = ntohl(th->seq) + payload + th->syn +
				     th->fin;
			p->tcp = (th->syn ? BV_PKT_SYN : 0) |
				 (th->fin ? BV_PKT_FIN : 0) |
				 (th->rst ? BV_PKT_RST : 0) |
				 (th->ack ? BV_PKT_ACK : 0);
			break;
		}
		case IPPROTO_UDP:
		case IPPROTO_UDPLITE: {
			struct udphdr _uh;
			const struct udphdr *uh;

			uh = skb_header_pointer(skb, thoff, sizeof(_uh), &_uh);
			if (!uh)
				break;
			sport = uh->source;
			dport = uh->dest;
			l4hdr = sizeof(*uh);
			break;
		}
		}
	}
	key->lport = tx ? sport : dport;
	key->rport = tx ? dport : sport;

	/*
	 * A GSO (sending) or GRO (receiving) packet stands for gso_segs
	 * packets on the wire, each with its own copy of the headers (IPv6:
	 * the extension headers too, ipv6_gso_segment()): count them as the
	 * other end will see them, less the stamp.
	 */
	if (!err && skb_is_gso(skb) && skb_shinfo(skb)->gso_segs > 1) {
		u32 segs = skb_shinfo(skb)->gso_segs;

		p->segs = segs;
		p->len += (segs - 1) * (thoff - skb_network_offset(skb) -
					stamp + l4hdr);
	}
}

void bv_pkt_parse(struct sk_buff *skb, const struct bv_l3 *l3, bool tx,
		  struct bv_flow_key *key, struct bv_pkt *p)
{
	bv_pkt_parse_opt(skb, l3, tx, key, p, 0);
}

void bv_pkt_parse_stamped(struct sk_buff *skb, struct bv_flow_key *key,
			  struct bv_pkt *p)
{
	bv_pkt_parse_opt(skb, NULL, true, key, p,
			 bv_l3_is6(skb) ? BEAVER6_HDR_LEN : BEAVER_OPT_LEN);
}
