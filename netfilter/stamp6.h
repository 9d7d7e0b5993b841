/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IPv6 stamp on real sk_buffs: find, insert and strip the 16-byte
 * Destination Options header described in beaver_stamp.h and
 * docs/ipv6.md. Every function expects skb->data and the network header
 * to point at the IPv6 header (true at PRE_ROUTING and POST_ROUTING).
 * Offsets are from the start of the IPv6 header.
 */
#ifndef _BEAVER_NF_STAMP6_H
#define _BEAVER_NF_STAMP6_H

#include <linux/skbuff.h>
#include "beaver_stamp.h"

/*
 * Look for the stamp of @group (0: any group) in the packet's extension
 * headers. Returns its offset, -ENOENT if there is none, -EINVAL if the
 * chain is malformed (see bv_stamp6_walk()) or cannot be pulled,
 * -EMSGSIZE for a jumbogram (not parsed). *foreign, if not NULL,
 * receives the number of 0x1e options seen that are not it.
 */
int bv_skb_stamp6_find(struct sk_buff *skb, u8 group, struct bv_stamp *st,
		       unsigned int *foreign);

/*
 * Insert a stamp before the upper-layer header (or before a Fragment
 * header). Returns 0, -EMSGSIZE if the payload length would pass 65535
 * (or the packet is a jumbogram), -ENOSPC if the chain is already as long
 * as a receiver walks, -ENOMEM if no headroom could be had, -EINVAL if the
 * packet is not a sane IPv6 packet. A TCP GSO packet's segments lose 16
 * bytes of payload each when they would otherwise pass the route's MTU.
 */
int bv_skb_stamp6_insert(struct sk_buff *skb, u8 group, u32 epoch);

/*
 * Remove the stamp at @off (as returned by bv_skb_stamp6_find) so that
 * the layers above see the packet as it was sent. Keeps CHECKSUM_COMPLETE
 * valid. Returns 0, -EINVAL if there is no stamp at @off, -ENOMEM if the
 * header could not be made writable.
 */
int bv_skb_stamp6_strip(struct sk_buff *skb, int off);

#endif /* _BEAVER_NF_STAMP6_H */
