/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stamp on real sk_buffs: find, insert and strip the 8-byte IPv4 option
 * described in beaver_stamp.h. Every function expects skb->data and the
 * network header to point at the IPv4 header (true at PRE_ROUTING and
 * POST_ROUTING) and keeps the IPv4 header checksum valid.
 */
#ifndef _BEAVER_NF_STAMP_H
#define _BEAVER_NF_STAMP_H

#include <linux/skbuff.h>
#include "beaver_stamp.h"

/*
 * Look for the stamp of @group (0: any group) in the options of the IPv4
 * packet. Returns the option's offset from the start of the IPv4 header,
 * -ENOENT if there is none, -EINVAL if the options area is malformed.
 */
int bv_skb_stamp_find(struct sk_buff *skb, u8 group, struct bv_stamp *st);
/* the same; *foreign receives the number of 0x9e options that are not it */
int bv_skb_stamp_find_foreign(struct sk_buff *skb, u8 group,
			      struct bv_stamp *st, unsigned int *foreign);

/*
 * Where a packet's stamp goes: the IPv4 header the receiving member's
 * stack delivers. For an IPIP packet (IPVS tunnelling, RFC 2003) that is
 * the inner one, behind the carrier's header, which decapsulation drops.
 * Returns the offset of that header from skb->data (0 unless IPIP), -ENOSPC
 * for an IPIP fragment (its inner header cannot grow: every later
 * fragment's offset would be wrong), -EINVAL if a header is malformed.
 */
int bv_skb_inner_off(struct sk_buff *skb);

/*
 * Look for the stamp where bv_skb_stamp_insert() puts it: in the inner
 * header of an IPIP packet (also in a first fragment's), else in the
 * packet's own. *@nhoff receives that header's offset from skb->data; the
 * result is the option's offset from it, as for bv_skb_stamp_find(), or
 * -ENOENT (also for a later IPIP fragment: it holds no inner header).
 */
int bv_skb_stamp_find_inner(struct sk_buff *skb, u8 group,
			    struct bv_stamp *st, int *nhoff);

/*
 * Insert a stamp right after the fixed IPv4 header (the inner one of an
 * IPIP packet, see bv_skb_inner_off(): the carrier's length and checksum,
 * and the skb's transport and inner header offsets, follow). Returns 0,
 * -ENOSPC if the options area cannot take 8 more bytes (or the packet is
 * an IPIP fragment), -EMSGSIZE if the total length would pass 65535 (a
 * GRO/GSO packet of 64 KB: see bv_stamp_output), -ENOMEM if no headroom
 * could be had, -EINVAL if the packet is not a sane IPv4 packet.
 */
int bv_skb_stamp_insert(struct sk_buff *skb, u8 group, u32 epoch);

/*
 * Make @skb's head writable with room for @len bytes of stamp and the
 * link-layer header its route still adds, and a TCP GSO packet's shared
 * info its own (gso_size is about to change). 0 or -ENOMEM. Either
 * family's insertion starts with it.
 */
int bv_skb_stamp_room(struct sk_buff *skb, unsigned int len);

struct nf_hook_state;

/*
 * A GSO packet too large to take the stamp whole, in a POST_ROUTING hook:
 * segmented in software, each segment stamped by @insert (either family's)
 * and handed to @cont, which takes it through the hooks after ours, then
 * out (bv_hook_continue() for IPv4; never the hook's okfn, which would
 * skip them). Returns NF_STOLEN, or NF_ACCEPT if it could not be
 * segmented (the packet leaves unstamped, and counted); *err receives
 * the last insertion error (0 if none).
 */
unsigned int bv_stamp_gso_segments(struct sk_buff *skb,
				   const struct nf_hook_state *state,
				   u8 group, u32 epoch,
				   int (*insert)(struct sk_buff *skb, u8 group,
						 u32 epoch),
				   void (*cont)(struct sk_buff *skb,
						const struct nf_hook_state *state),
				   int *err);

/*
 * Stamp a packet leaving through POST_ROUTING. A GSO packet too large to
 * take the option whole is segmented here, each segment stamped and sent
 * on through the hooks after ours (bv_hook_continue()): nothing leaves
 * unstamped for want of 8 bytes, and nothing skips a later hook.
 * Returns the verdict for the hook (NF_ACCEPT, or NF_STOLEN when the
 * segments went out instead); *err receives the insertion result
 * (0 or a negative errno) for the counters.
 */
unsigned int bv_stamp_output(struct sk_buff *skb,
			     const struct nf_hook_state *state, u8 group,
			     u32 epoch, int *err, bool *split);

/*
 * Remove the 8-byte option at @off (as returned by bv_skb_stamp_find) so
 * that the layers above see the packet as it was sent. Keeps
 * CHECKSUM_COMPLETE valid. Returns 0 or a negative errno.
 */
int bv_skb_stamp_strip(struct sk_buff *skb, int off);
/* the same in the header @nhoff bytes in (an IPIP packet's inner one) */
int bv_skb_stamp_strip_at(struct sk_buff *skb, int nhoff, int off);

#endif /* _BEAVER_NF_STAMP_H */
