/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stamp in the IPv4 ID (beaver_stamp.h, "The IPv4 ID encoding") on
 * real sk_buffs: which packets can carry it, writing it, reading it. Only
 * atomic packets (DF set, not a fragment) carry it: UDP datagrams and TCP
 * segments with data, what GRO merges and what the option would make too
 * big for the path. The option (stamp.h) stays for every other IPv4
 * packet, for a GSO packet that a device could cut into segments with
 * changing IDs (UDP GSO among them), and for the multiples of 2^15 other
 * than 0 (bv_id_can_carry()).
 */
#ifndef _BEAVER_NF_STAMP_ID_H
#define _BEAVER_NF_STAMP_ID_H

#include <linux/skbuff.h>
#include "beaver_stamp.h"
#include "netns.h"

/* does the namespace's configuration stamp IPv4 in the ID? */
static inline bool bv_id_on(const struct bv_config *cfg)
{
	return !(cfg->flags & BEAVER_CFG_F_IPV4_OPTION);
}

/*
 * true if the IPv4 packet at skb->data (POST_ROUTING), leaving through
 * @out, can carry its stamp in the ID: an atomic (DF alone, RFC 6864) UDP
 * datagram or TCP segment with data (no SYN, FIN or RST), and, if GSO, a
 * plain TCP one that @out will not segment with changing IDs.
 */
bool bv_skb_id_fits(const struct sk_buff *skb, const struct net_device *out);

/*
 * Write @id (host order) into the packet's ID, keeping the header checksum
 * valid; a GSO packet becomes fixed-ID, so that every segment carries it.
 * 0, or -ENOMEM if the header could not be made writable.
 */
int bv_skb_id_set(struct sk_buff *skb, u16 id);

/*
 * The ID of the IPv4 packet at skb->data (PRE_ROUTING), if it is one that
 * carries its stamp there (as bv_skb_id_fits()); -ENOENT if not.
 */
int bv_skb_id_get(const struct sk_buff *skb);

#endif /* _BEAVER_NF_STAMP_ID_H */
