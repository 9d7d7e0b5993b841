/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Epochs for applications (uapi beaver.h, "Epochs for applications"): a
 * member writes the epoch it attributed a delivered packet to into the
 * bits of skb->mark that BEAVER_A_CFG_APP_MARK names, so that a receiving
 * application can read it per datagram (SO_RCVMARK) and tell which side of
 * its cut a message falls on without guessing. The field is
 * (epoch mod 2^(w-1)) << 1 | 1 for a mask w bits wide: odd, so that an
 * unmarked packet (field 0, or another user's even value) never reads as
 * an epoch. Pure functions on integers, shared with user space like
 * beaver_stamp.h (beaverd's configuration checks masks with the same
 * rule), so KUnit and cmocka test them directly.
 */
#ifndef _BEAVER_NF_APP_MARK_H
#define _BEAVER_NF_APP_MARK_H

#include "beaver_stamp.h"	/* bv_u32, in the kernel and in user space */

/* 0 (off), or one run of at least 2 contiguous bits */
static inline bool bv_app_mark_valid(bv_u32 mask)
{
	/* the mask shifted down to bit 0: its lowest set bit is mask & -mask */
	bv_u32 low = mask ? mask / (mask & -mask) : 0;

	/* contiguous: low is 2^w - 1; w >= 2: the flag bit and an epoch bit */
	return !mask || (!(low & (low + 1)) && low >= 3);
}

/* @mark with the field of @mask (valid, nonzero) set to @epoch */
static inline bv_u32 bv_app_mark_set(bv_u32 mask, bv_u32 mark, bv_u32 epoch)
{
	bv_u32 field = (epoch << 1 | 1) * (mask & -mask);

	return (mark & ~mask) | (field & mask);
}

#endif /* _BEAVER_NF_APP_MARK_H */
