/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Epochs and cuts: the gateway's and the member's epoch, the cut records a
 * member keeps per local snapshot, and their completion (an RCU grace
 * period, then the settle interval for in-flight packets, then another
 * grace period so that every in-flight packet is either in the record or
 * counted late).
 */
#ifndef _BEAVER_EPOCHS_H
#define _BEAVER_EPOCHS_H

#include "netns.h"

/*
 * Gateway: install epoch @e if it is newer. Returns true if it moved;
 * *prev and *now receive the epochs before and after, *switch_ns the
 * instant the epoch now in force was installed.
 */
bool bv_gw_advance(struct beaver_net *bn, u32 e, u32 *prev, u32 *now,
		   u64 *switch_ns);

/*
 * Member: cut for every epoch in (m_epoch, s] if @s is newer, before the
 * caller lets the packet that carried @s go on. Callable from the packet
 * path. Returns the member epoch the caller must attribute to (>= s).
 */
u32 bv_member_advance(struct beaver_net *bn, const struct bv_config *cfg,
		      u32 s, bool by_command, bool *advanced);

/* Member: the coordinator named @s (no cut); m_commanded moves up to it */
void bv_member_commanded(struct beaver_net *bn, u32 s);

/* the cut record covering epoch @e, or NULL; caller holds rcu_read_lock */
struct bv_cut *bv_cut_find(struct beaver_net *bn, u32 e);

/* flag every cut that overlaps [first, last] incomplete */
void bv_cuts_mark_lost(struct beaver_net *bn, u32 first, u32 last);

/* a packet could not be counted in its channel: later snapshots lack it */
void bv_flows_lost(struct beaver_net *bn, u32 epoch);

/*
 * In-flight packet that carried @stamp and arrived at member epoch @epoch:
 * returns the first epoch it is still in flight for (its record still
 * open), or 0 if none; *late_last receives the last snapshot it is late
 * for (its record closed, so it is late for (stamp, *late_last]), or 0.
 */
u32 bv_inflight_classify(struct beaver_net *bn, u32 stamp, u32 epoch,
			 u32 *late_last);

/* flag the cuts of [first, last] as having uncaptured in-flight packets */
void bv_cuts_mark_trunc(struct beaver_net *bn, u32 first, u32 last);

/* release cut records up to @upto; -EBUSY if one is not complete */
int bv_cuts_release(struct beaver_net *bn, u32 upto,
		    struct netlink_ext_ack *extack);

void bv_cuts_flush(struct beaver_net *bn);
void bv_epochs_init(struct beaver_net *bn);
void bv_epochs_exit(struct beaver_net *bn);

#endif /* _BEAVER_EPOCHS_H */
