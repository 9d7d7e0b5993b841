// SPDX-License-Identifier: GPL-2.0
/*
 * The stamp in the IPv4 ID. See stamp_id.h; why, and what it costs, in
 * docs/decisions.md ("The stamp in the IPv4 ID").
 */
#include <linux/if_bridge.h>
#include <linux/ip.h>
#include <linux/netdevice.h>
#include <linux/tcp.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/rtnetlink.h>
#include "stamp_id.h"

/*
 * Which IPv4 packets carry the stamp in the ID: atomic ones (DF and
 * nothing else: neither a fragment nor fragmentable, RFC 6864) that are
 * UDP datagrams, or TCP segments with data and none of SYN, FIN or RST:
 * what GRO merges (UDP: for a socket with UDP_GRO, a QUIC server's), and
 * what grows by the option (a DF datagram at the path MTU cannot take
 * it). Everything else keeps the option, which costs GRO nothing there,
 * and tells a member its full epoch: a connection's handshake and any
 * ACK carry it. A member with no epoch of its own reads the ID next to
 * the one the coordinator announced before its gateways advanced
 * (bv_id_decode() needs one).
 */
static bool bv_id_carrier(const struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	unsigned int ihl = iph->ihl * 4;
	struct tcphdr _th;
	const struct tcphdr *th;

	if (iph->version != 4 || iph->frag_off != htons(IP_DF))
		return false;
	if (iph->protocol == IPPROTO_UDP)
		return true;
	if (iph->protocol != IPPROTO_TCP)
		return false;
	th = skb_header_pointer(skb, skb_network_offset(skb) + ihl,
				sizeof(_th), &_th);
	if (!th || th->doff < 5 || th->syn || th->fin || th->rst)
		return false;
	return skb->len > skb_network_offset(skb) + ihl + th->doff * 4;
}

/*
 * May @dev hand a fixed-ID TCP GSO packet to hardware that increments the
 * ID per segment anyway? Only with NETIF_F_TSO_MANGLEID, which hardware
 * devices offer but never enable by themselves (netdev_register()). A
 * veth or a bridge has it as part of the software GSO features, but
 * segments nothing: the device it hands the packet to decides, in
 * validate_xmit_skb(), where a device without the feature segments in
 * software and keeps the ID fixed.
 */
static bool bv_dev_may_mangle_id(const struct net_device *dev)
{
	const struct rtnl_link_ops *ops = dev->rtnl_link_ops;

	if (!(dev->features & NETIF_F_TSO_MANGLEID))
		return false;
	if (netif_is_bridge_master(dev))
		return false;
	return !(ops && ops->kind && !strcmp(ops->kind, "veth"));
}

bool bv_skb_id_fits(const struct sk_buff *skb, const struct net_device *out)
{
	unsigned int gso_ok = SKB_GSO_TCPV4 | SKB_GSO_TCP_FIXEDID |
			      SKB_GSO_TCP_ECN | SKB_GSO_DODGY;

	if (skb_headlen(skb) < sizeof(struct iphdr))
		return false;
	if (!bv_id_carrier(skb))
		return false;
	if (!skb_is_gso(skb))
		return true;
	/*
	 * UDP GSO and tunnels increment the ID per segment whatever the
	 * flags say (inet_gso_segment()): the option is copied instead (a
	 * GRO'd UDP packet on its way in, also UDP_L4, goes by the option
	 * too if it is forwarded: the ID of its first datagram is not all)
	 */
	if (skb->encapsulation ||
	    (skb_shinfo(skb)->gso_type & ~gso_ok) ||
	    !(skb_shinfo(skb)->gso_type & SKB_GSO_TCPV4))
		return false;
	return out && !bv_dev_may_mangle_id(out);
}

int bv_skb_id_set(struct sk_buff *skb, u16 id)
{
	struct iphdr *iph;
	__be16 old;

	if (skb_ensure_writable(skb, sizeof(*iph)))
		return -ENOMEM;
	/*
	 * gso_type lives in the shared info, which a clone (TCP's own copy
	 * of what it sent) shares: made this packet's own first
	 */
	if (skb_is_gso(skb) && skb_cloned(skb) &&
	    pskb_expand_head(skb, 0, 0, GFP_ATOMIC))
		return -ENOMEM;
	iph = ip_hdr(skb);
	old = iph->id;
	iph->id = htons(id);
	csum_replace2(&iph->check, old, iph->id);
	if (skb_is_gso(skb))
		skb_shinfo(skb)->gso_type |= SKB_GSO_TCP_FIXEDID;
	return 0;
}

int bv_skb_id_get(const struct sk_buff *skb)
{
	if (skb_headlen(skb) < sizeof(struct iphdr) || !bv_id_carrier(skb))
		return -ENOENT;
	return ntohs(ip_hdr(skb)->id);
}
