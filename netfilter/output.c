// SPDX-License-Identifier: GPL-2.0
/*
 * Stamping at POST_ROUTING, including GSO packets too large for the
 * option: see bv_stamp_output() in stamp.h.
 */
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include "stamp.h"

static unsigned int bv_stamp_segments(struct sk_buff *skb,
				      const struct nf_hook_state *state,
				      u8 group, u32 epoch, int *err)
{
	struct sk_buff *segs, *seg, *next;

	/* no device features: segment and checksum in software */
	segs = skb_gso_segment(skb, 0);
	if (IS_ERR_OR_NULL(segs)) {
		*err = segs ? PTR_ERR(segs) : -EINVAL;
		return NF_ACCEPT;	/* leaves unstamped, and counted */
	}
	consume_skb(skb);
	*err = 0;
	skb_list_walk_safe(segs, seg, next) {
		int e;

		skb_mark_not_on_list(seg);
		e = bv_skb_stamp_insert(seg, group, epoch);
		if (e)
			*err = e;
		state->okfn(state->net, state->sk, seg);
	}
	return NF_STOLEN;
}

unsigned int bv_stamp_output(struct sk_buff *skb,
			     const struct nf_hook_state *state, u8 group,
			     u32 epoch, int *err)
{
	*err = bv_skb_stamp_insert(skb, group, epoch);
	if (*err == -EMSGSIZE && skb_is_gso(skb))
		return bv_stamp_segments(skb, state, group, epoch, err);
	return NF_ACCEPT;
}
