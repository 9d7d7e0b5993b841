/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the accounting needs from a packet: its flow key and what it adds.
 */
#ifndef _BEAVER_PACKET_H
#define _BEAVER_PACKET_H

#include <linux/skbuff.h>
#include "netns.h"

struct bv_l3;

/*
 * Fill @key (from this host's point of view) and @p from the IPv4 or IPv6
 * packet at skb->data. Fragments are counted without ports: only the first
 * carries them, and the module may see fragments one by one when conntrack
 * is off. @l3: bv_l3_parse() of the packet as it is now, which the hooks
 * have already (it runs for every packet), or NULL to parse it here.
 */
void bv_pkt_parse(struct sk_buff *skb, const struct bv_l3 *l3, bool tx,
		  struct bv_flow_key *key, struct bv_pkt *p);

/*
 * The same for a packet that now carries the stamp, counted as if it did
 * not (lengths never include it), with the segmentation it will have on
 * the wire (the stamp may have changed it: see bv_stamp_output()).
 */
void bv_pkt_parse_stamped(struct sk_buff *skb, struct bv_flow_key *key,
			  struct bv_pkt *p);

#endif /* _BEAVER_PACKET_H */
