// SPDX-License-Identifier: GPL-2.0
/*
 * Epochs, cuts and their completion. See epochs.h.
 */
#include <linux/log2.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include "epochs.h"
#include "netlink.h"
#include "beaver_stamp.h"

bool bv_gw_advance(struct beaver_net *bn, u32 e, u32 *prev, u32 *now,
		   u64 *switch_ns)
{
	bool moved = false;

	/*
	 * The stamping CPUs read gw_epoch with one atomic load, so they see
	 * either the old or the new epoch, never a mix; the lock only keeps
	 * the switch instant paired with the epoch for the reply.
	 */
	spin_lock_bh(&bn->gw_lock);
	*prev = atomic_read(&bn->gw_epoch);
	if (bv_epoch_after(e, *prev)) {
		atomic_set_release(&bn->gw_epoch, e);
		bn->gw_switch_ns = ktime_get_ns();
		moved = true;
	}
	*now = atomic_read(&bn->gw_epoch);
	*switch_ns = bn->gw_switch_ns;
	spin_unlock_bh(&bn->gw_lock);
	return moved;
}

/*
 * The coordinator named epoch @s (an advance, or the announcement before
 * its gateways advance): stamps may run that far, and on; and a member
 * without an epoch of its own reads ID stamps next to it
 */
void bv_member_commanded(struct beaver_net *bn, u32 s)
{
	spin_lock_bh(&bn->cut_lock);
	if (!bn->m_commanded || bv_epoch_after(s, bn->m_commanded))
		WRITE_ONCE(bn->m_commanded, s);
	spin_unlock_bh(&bn->cut_lock);
}

u32 bv_member_advance(struct beaver_net *bn, const struct bv_config *cfg,
		      u32 s, bool by_command, bool *advanced)
{
	struct bv_cut *cut = NULL;
	u32 cur = atomic_read_acquire(&bn->m_epoch);
	u64 now;

	*advanced = false;
	if (by_command)
		bv_member_commanded(bn, s);
	if (!bv_epoch_after(s, cur))
		return cur;

	spin_lock_bh(&bn->cut_lock);
	cur = atomic_read(&bn->m_epoch);
	if (!bv_epoch_after(s, cur))
		goto out;

	if (bn->n_cuts < cfg->max_records)
		cut = kzalloc(sizeof(*cut), GFP_ATOMIC);
	now = ktime_get_ns();
	if (cut) {
		cut->first = bv_epoch_range_first(cur, s);
		cut->last = s;
		cut->cut_ns = now;
		cut->settle_ms = cfg->settle_ms;
		cut->state = BEAVER_STATE_CUT;
		if (by_command)
			set_bit(ilog2(BEAVER_CUT_F_BY_COMMAND), &cut->flags);
		/*
		 * a packet since the last cut was counted in no channel: this
		 * record lacks it. Later ones lack it as well, but as a
		 * constant that the report's channel offsets take up after
		 * one snapshot (beaverd/assemble.h), so only this one says
		 * so, and the member needs no flush to be whole again
		 */
		if (bn->flows_lost && bv_epoch_after(s, bn->lost_after)) {
			set_bit(ilog2(BEAVER_CUT_F_INCOMPLETE), &cut->flags);
			WRITE_ONCE(bn->flows_lost, false);
		}
		/* packets since the last cut went to the retired aggregate */
		if (READ_ONCE(bn->untracked)) {
			set_bit(ilog2(BEAVER_CUT_F_UNTRACKED), &cut->flags);
			WRITE_ONCE(bn->untracked, false);
		}
		/* late packets since the last cut went unrecorded */
		if (READ_ONCE(bn->late_lost)) {
			set_bit(ilog2(BEAVER_CUT_F_LATE_LOST), &cut->flags);
			WRITE_ONCE(bn->late_lost, false);
		}
		/* the unstamped packets so far, for the per-interval counts */
		cut->tx_unstamped = atomic64_read(&bn->tx_unstamped_pkts);
		cut->rx_unstamped = bv_stat_read(bn,
						 BEAVER_STAT_UNSTAMPED_MEMBER);
		cut->counters_since_ns = READ_ONCE(bn->counters_since_ns);
		/* group-bound packets since the last cut left unstamped */
		if (READ_ONCE(bn->tx_unstamped)) {
			set_bit(ilog2(BEAVER_CUT_F_TX_UNSTAMPED), &cut->flags);
			WRITE_ONCE(bn->tx_unstamped, false);
		}
		/* stamps this member could not read came before this cut */
		if (READ_ONCE(bn->id_unread)) {
			set_bit(ilog2(BEAVER_CUT_F_RX_ID_UNREAD), &cut->flags);
			WRITE_ONCE(bn->id_unread, false);
		}
		list_add_tail_rcu(&cut->list, &bn->cuts);
		bn->n_cuts++;
	} else {
		bv_stat_inc(bn, bn->n_cuts < cfg->max_records ?
			    BEAVER_STAT_NOMEM : BEAVER_STAT_RECORD_LIMIT);
	}
	/* the cut: from here on this host is in snapshot s */
	atomic_set_release(&bn->m_epoch, s);
	bn->m_switch_ns = now;
	cur = s;
	*advanced = true;
	bv_stat_inc(bn, BEAVER_STAT_CUTS);
out:
	spin_unlock_bh(&bn->cut_lock);
	if (*advanced && !READ_ONCE(bn->dying))
		mod_delayed_work(system_wq, &bn->complete_work, 0);
	return cur;
}

struct bv_cut *bv_cut_find(struct beaver_net *bn, u32 e)
{
	struct bv_cut *c;

	list_for_each_entry_rcu(c, &bn->cuts, list) {
		if (bv_epoch_in(e, c->first, c->last))
			return c;
	}
	return NULL;
}

static void bv_cuts_set_flag(struct beaver_net *bn, u32 first, u32 last,
			     u32 flag)
{
	struct bv_cut *c;

	rcu_read_lock();
	list_for_each_entry_rcu(c, &bn->cuts, list) {
		if (bv_epoch_before(c->last, first))
			continue;
		if (bv_epoch_after(c->first, last))
			break;
		set_bit(ilog2(flag), &c->flags);
	}
	rcu_read_unlock();
}

void bv_cuts_mark_lost(struct beaver_net *bn, u32 first, u32 last)
{
	bv_cuts_set_flag(bn, first, last, BEAVER_CUT_F_INCOMPLETE);
}

void bv_cuts_mark_trunc(struct beaver_net *bn, u32 first, u32 last)
{
	bv_cuts_set_flag(bn, first, last, BEAVER_CUT_F_CAPTURE_TRUNC);
}

void bv_flows_lost(struct beaver_net *bn, u32 epoch)
{
	u32 cur;

	/* every packet of an untracked flow comes here: leave early */
	if (READ_ONCE(bn->flows_lost) &&
	    !bv_epoch_before(epoch, READ_ONCE(bn->lost_after)))
		return;
	/* rare: no memory. The next cut is flagged when taken. */
	spin_lock_bh(&bn->cut_lock);
	if (!bn->flows_lost || bv_epoch_before(epoch, bn->lost_after))
		WRITE_ONCE(bn->lost_after, epoch);
	WRITE_ONCE(bn->flows_lost, true);
	spin_unlock_bh(&bn->cut_lock);
	cur = atomic_read(&bn->m_epoch);
	bv_cuts_mark_lost(bn, bv_epoch_range_first(epoch, cur), cur);
}

u32 bv_inflight_classify(struct beaver_net *bn, u32 stamp, u32 epoch,
			 u32 *late_last)
{
	u32 first = bv_epoch_range_first(stamp, epoch);
	struct bv_cut *c;

	*late_last = 0;
	/*
	 * Epochs older than every record held were released: complete and
	 * collected (cuts cover every epoch, one range after the other), so
	 * for them it is late too
	 */
	c = list_first_or_null_rcu(&bn->cuts, struct bv_cut, list);
	if (!c || (bv_epoch_before(first, c->first) &&
		   !bv_epoch_after(first, c->last))) {
		u32 released = c ? bv_epoch_prev(c->first) : epoch;

		if (!c || bv_epoch_after(released, epoch))
			released = epoch;
		*late_last = released;
		first = bv_epoch_next(released);
	}
	list_for_each_entry_rcu(c, &bn->cuts, list) {
		if (bv_epoch_before(c->last, first))
			continue;
		if (bv_epoch_after(c->first, epoch))
			break;
		if (!READ_ONCE(c->closed))
			continue;
		/* that record is final: it is late there, never added */
		*late_last = bv_epoch_after(c->last, epoch) ? epoch : c->last;
		if (!bv_epoch_before(c->last, first))
			first = bv_epoch_next(c->last);
	}
	if (*late_last)
		bv_stat_inc(bn, BEAVER_STAT_LATE);
	if (bv_epoch_after(first, epoch))
		return 0;
	bv_stat_inc(bn, BEAVER_STAT_INFLIGHT);
	return first;
}

/*
 * The completion pipeline. Holding cfg_mutex keeps release and flush away,
 * so the list can be walked while sleeping: the packet path only appends.
 */
static void bv_complete_work(struct work_struct *work)
{
	struct beaver_net *bn = container_of(to_delayed_work(work),
					     struct beaver_net, complete_work);
	u64 now, next = U64_MAX;
	bool gp = false, closing = false, open = false, wm_valid = false;
	u32 wm = 0;
	struct bv_cut *c;

	mutex_lock(&bn->cfg_mutex);
	list_for_each_entry_rcu(c, &bn->cuts, list,
				lockdep_is_held(&bn->cfg_mutex)) {
		if (!c->announced) {
			bv_nl_notify_cut(bn, c, BEAVER_CMD_EVENT_CUT);
			c->announced = true;
		}
		if (c->state == BEAVER_STATE_CUT && !c->gp_started) {
			c->gp_started = true;
			gp = true;
		}
	}
	if (gp) {
		/* every CPU has finished attributing to epochs before these */
		synchronize_rcu();
		now = ktime_get_ns();
		list_for_each_entry_rcu(c, &bn->cuts, list,
					lockdep_is_held(&bn->cfg_mutex)) {
			if (c->state != BEAVER_STATE_CUT || !c->gp_started)
				continue;
			c->settle_deadline_ns = now +
				(u64)c->settle_ms * NSEC_PER_MSEC;
			WRITE_ONCE(c->state, BEAVER_STATE_SETTLING);
		}
	}

	now = ktime_get_ns();
	list_for_each_entry_rcu(c, &bn->cuts, list,
				lockdep_is_held(&bn->cfg_mutex)) {
		if (c->state == BEAVER_STATE_SETTLING && !c->closed &&
		    c->settle_deadline_ns <= now) {
			WRITE_ONCE(c->closed, true);
			closing = true;
		}
	}
	if (closing) {
		/* in-flight packets that saw it open are in the record now */
		synchronize_rcu();
		list_for_each_entry_rcu(c, &bn->cuts, list,
					lockdep_is_held(&bn->cfg_mutex)) {
			if (!c->closed || c->state == BEAVER_STATE_COMPLETE)
				continue;
			c->complete_ns = ktime_get_ns();
			WRITE_ONCE(c->state, BEAVER_STATE_COMPLETE);
			bv_nl_notify_cut(bn, c, BEAVER_CMD_EVENT_COMPLETE);
		}
	}

	now = ktime_get_ns();
	list_for_each_entry_rcu(c, &bn->cuts, list,
				lockdep_is_held(&bn->cfg_mutex)) {
		if (!open && c->state == BEAVER_STATE_COMPLETE) {
			wm = c->last;
			wm_valid = true;
			continue;
		}
		open = true;	/* the watermark stops at the first open cut */
		if (c->state == BEAVER_STATE_CUT)
			next = now;	/* needs its grace period: go again */
		else if (!c->closed)
			next = min(next, c->settle_deadline_ns);
	}
	if (wm_valid && bv_epoch_after(wm, atomic_read(&bn->complete_epoch)))
		atomic_set(&bn->complete_epoch, wm);
	mutex_unlock(&bn->cfg_mutex);

	/*
	 * queue, not mod: if the packet path queued us at once meanwhile,
	 * that earlier run must not be pushed back to the settle deadline.
	 */
	if (next != U64_MAX && !READ_ONCE(bn->dying))
		queue_delayed_work(system_wq, &bn->complete_work,
				   next > now ? nsecs_to_jiffies(next - now) + 1 : 0);
}

int bv_cuts_release(struct beaver_net *bn, u32 upto,
		    struct netlink_ext_ack *extack)
{
	struct bv_cut *c, *tmp;
	LIST_HEAD(dead);

	lockdep_assert_held(&bn->cfg_mutex);
	list_for_each_entry(c, &bn->cuts, list) {
		if (bv_epoch_after(c->first, upto))
			break;
		if (c->state != BEAVER_STATE_COMPLETE) {
			NL_SET_ERR_MSG_MOD(extack,
					   "a snapshot up to that epoch is not complete yet");
			return -EBUSY;
		}
	}
	spin_lock_bh(&bn->cut_lock);
	list_for_each_entry_safe(c, tmp, &bn->cuts, list) {
		if (bv_epoch_after(c->last, upto))
			break;
		list_del_rcu(&c->list);
		bn->n_cuts--;
		kfree_rcu(c, rcu);
	}
	bn->generation++;
	spin_unlock_bh(&bn->cut_lock);
	return 0;
}

void bv_cuts_flush(struct beaver_net *bn)
{
	struct bv_cut *c, *tmp;

	spin_lock_bh(&bn->cut_lock);
	list_for_each_entry_safe(c, tmp, &bn->cuts, list) {
		list_del_rcu(&c->list);
		kfree_rcu(c, rcu);
	}
	bn->n_cuts = 0;
	atomic_set(&bn->m_epoch, 0);
	bn->m_switch_ns = 0;
	WRITE_ONCE(bn->m_commanded, 0);
	atomic_set(&bn->complete_epoch, 0);
	bn->flows_lost = false;
	bn->lost_after = 0;
	WRITE_ONCE(bn->untracked, false);
	WRITE_ONCE(bn->late_lost, false);
	WRITE_ONCE(bn->tx_unstamped, false);
	WRITE_ONCE(bn->id_unread, false);
	atomic64_set(&bn->tx_unstamped_pkts, 0);
	bn->generation++;
	spin_unlock_bh(&bn->cut_lock);

	spin_lock_bh(&bn->gw_lock);
	atomic_set(&bn->gw_epoch, 0);
	bn->gw_switch_ns = 0;
	spin_unlock_bh(&bn->gw_lock);
}

void bv_epochs_init(struct beaver_net *bn)
{
	spin_lock_init(&bn->gw_lock);
	spin_lock_init(&bn->cut_lock);
	INIT_LIST_HEAD(&bn->cuts);
	INIT_DELAYED_WORK(&bn->complete_work, bv_complete_work);
}

void bv_epochs_exit(struct beaver_net *bn)
{
	WRITE_ONCE(bn->dying, true);
	cancel_delayed_work_sync(&bn->complete_work);
	bv_cuts_flush(bn);
}
