/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whose stamps count (uapi/beaver.h, "Whose stamps count"): a stamp is
 * evidence only when the packet came, at layer 2, from a configured
 * gateway or from the member its IPv4 source names. DR and NAT directors
 * are on the members' LAN by construction, and a host outside the group
 * that sets our option on its packets arrives from its own or a router's
 * Ethernet address.
 */
#ifndef _BEAVER_NF_TRUST_H
#define _BEAVER_NF_TRUST_H

#include <linux/skbuff.h>
#include "netns.h"

/*
 * true if @skb (at PRE_ROUTING) came from the neighbour @saddr (addr.h)
 * resolves to on its device, when @saddr is a member; or, with @gateways,
 * from the neighbour of a configured gateway of @saddr's family. Needs BH
 * disabled (softirq).
 */
bool bv_from_trusted(const struct bv_config *cfg, struct sk_buff *skb,
		     const struct in6_addr *saddr, bool gateways);

/*
 * true if @skb, forwarded (at POST_ROUTING, RCU held), came in from the
 * member its source @saddr names: a gateway keeps that member's stamp in
 * the IPv4 ID (stamp_id.h), which nothing else tells apart from an ID
 * the gateway must overwrite.
 */
bool bv_forwarded_from_member(const struct bv_config *cfg, struct net *net,
			      struct sk_buff *skb,
			      const struct in6_addr *saddr);

/*
 * true if @skb (at PRE_ROUTING) was decapsulated by an IPIP tunnel device
 * of this namespace: its carrier passed bv_member_in() first, which
 * removed the inner packet's stamp unless the carrier came from a trusted
 * neighbour (bv_from_trusted()).
 */
bool bv_from_tunnel(const struct sk_buff *skb);

/*
 * A member keeps its gateways' neighbour entries resolved and in use, so
 * that their addresses are known before the first stamp arrives and are
 * never collected: at once when the configuration changes (kick), and
 * every few seconds while it is a member with gateways. No reference is
 * held: a device may go away at any time.
 */
void bv_trust_init(struct beaver_net *bn);
void bv_trust_kick(struct beaver_net *bn);
void bv_trust_exit(struct beaver_net *bn);

#endif /* _BEAVER_NF_TRUST_H */
