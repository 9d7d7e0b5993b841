/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the accounting needs from a packet: its flow key and what it adds.
 */
#ifndef _BEAVER_PACKET_H
#define _BEAVER_PACKET_H

#include <linux/skbuff.h>
#include "netns.h"

/*
 * Fill @key (from this host's point of view) and @p from the IPv4 packet at
 * skb->data. Fragments are counted without ports: only the first carries
 * them, and the module may see fragments one by one when conntrack is off.
 */
void bv_pkt_parse(struct sk_buff *skb, bool tx, struct bv_flow_key *key,
		  struct bv_pkt *p);

#endif /* _BEAVER_PACKET_H */
