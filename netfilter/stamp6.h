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

struct nf_hook_state;

/*
 * Takes a packet our POST_ROUTING hook made (a segment) through the hooks
 * after ours, then out: the IPv6 twin of bv_hook_continue().
 */
typedef void (*bv_stamp6_cont_t)(struct sk_buff *skb,
				 const struct nf_hook_state *state);

/* how bv_stamp6_output() stamped a packet that passed */
enum bv_stamp6_how {
	BV_STAMP6_WHOLE,	/* as it was */
	BV_STAMP6_SPLIT,	/* a TCP segment, now a GSO packet of two */
	BV_STAMP6_FRAG,		/* to be fragmented: the 1280 floor */
};

/*
 * Stamp a packet leaving through POST_ROUTING, within its route's MTU
 * (docs/ipv6.md, "Path MTU"): a TCP segment too big once stamped is
 * split; below the 1280 floor the packet is stamped and left to
 * ip6_fragment(); any other packet too big is refused, from elsewhere
 * with ICMPv6 Packet Too Big advertising the MTU less the stamp, from this
 * host with EMSGSIZE unless its socket allows fragmentation; a GSO packet
 * too large for the payload length is segmented here, each segment
 * stamped and handed to @cont. Returns the verdict (NF_ACCEPT,
 * NF_STOLEN, or a drop); *err receives the insertion result (0 or a
 * negative errno: -E2BIG when refused) for the counters, *how how it went.
 */
unsigned int bv_stamp6_output(struct sk_buff *skb,
			      const struct nf_hook_state *state, u8 group,
			      u32 epoch, bv_stamp6_cont_t cont, int *err,
			      enum bv_stamp6_how *how);
/* the same with the MTU given (0: none), for tests */
unsigned int __bv_stamp6_output(struct sk_buff *skb,
				const struct nf_hook_state *state,
				unsigned int mtu, u8 group, u32 epoch,
				bv_stamp6_cont_t cont, int *err,
				enum bv_stamp6_how *how);

#endif /* _BEAVER_NF_STAMP6_H */
