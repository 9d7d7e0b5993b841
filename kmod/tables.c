// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU flow and channel tables: see tables.h.
 */
#include <linux/jhash.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include "tables.h"
#include "epochs.h"
#include "beaver_stamp.h"

static u32 bv_flow_hash(const struct bv_flow_key *k)
{
	return jhash_3words((__force u32)k->laddr, (__force u32)k->raddr,
			    ((__force u32)k->lport << 16 |
			     (__force u32)k->rport) ^ k->proto, 0);
}

static bool bv_flow_key_eq(const struct bv_flow_key *a,
			   const struct bv_flow_key *b)
{
	return a->laddr == b->laddr && a->raddr == b->raddr &&
	       a->lport == b->lport && a->rport == b->rport &&
	       a->proto == b->proto;
}

static struct bv_flow *bv_flow_get(struct beaver_net *bn,
				   const struct bv_config *cfg,
				   struct bv_pcpu *pc,
				   const struct bv_flow_key *key, u32 epoch)
{
	struct list_head *head = &pc->flows[bv_flow_hash(key) %
					     BV_FLOW_BUCKETS];
	struct bv_flow *f;

	list_for_each_entry(f, head, node) {
		if (bv_flow_key_eq(&f->key, key)) {
			f->seen = jiffies;
			return f;
		}
	}
	if (atomic_inc_return(&bn->n_flows) > cfg->max_flows) {
		atomic_dec(&bn->n_flows);
		bv_stat_inc(bn, BEAVER_STAT_FLOW_LIMIT);
		return NULL;
	}
	f = kmalloc(sizeof(*f), GFP_ATOMIC);
	if (!f) {
		atomic_dec(&bn->n_flows);
		atomic64_inc(&bn->nomem);
		return NULL;
	}
	f->key = *key;
	f->seen = jiffies;
	bv_acct_init(&f->acct, epoch);
	list_add_tail(&f->node, head);
	return f;
}

static struct bv_chan *bv_chan_get(struct beaver_net *bn,
				   const struct bv_config *cfg,
				   struct bv_pcpu *pc, u8 kind, __be32 peer,
				   u32 epoch)
{
	struct list_head *head = &pc->chans[jhash_1word((__force u32)peer,
							 kind) %
					     BV_CHAN_BUCKETS];
	struct bv_chan *ch;

	list_for_each_entry(ch, head, node) {
		if (ch->kind == kind && ch->peer == peer)
			return ch;
	}
	if (atomic_inc_return(&bn->n_chans) > cfg->max_flows) {
		atomic_dec(&bn->n_chans);
		bv_stat_inc(bn, BEAVER_STAT_FLOW_LIMIT);
		return NULL;
	}
	ch = kzalloc(sizeof(*ch), GFP_ATOMIC);
	if (!ch) {
		atomic_dec(&bn->n_chans);
		atomic64_inc(&bn->nomem);
		return NULL;
	}
	ch->kind = kind;
	ch->peer = peer;
	bv_acct_init(&ch->acct, epoch);
	list_add_tail(&ch->node, head);
	return ch;
}

static void bv_acct_count(struct beaver_net *bn, struct bv_acct *a,
			  u32 epoch, const struct bv_pkt *p)
{
	u32 lost_first = 0, lost_last = 0;

	switch (bv_acct_add(a, epoch, p, &bn->hist_budget, &lost_first,
			    &lost_last)) {
	case BV_ADD_OK:
		break;
	case BV_ADD_MISORDER:
		bv_stat_inc(bn, BEAVER_STAT_MISORDER);
		fallthrough;
	case BV_ADD_LOST:
		bv_cuts_mark_lost(bn, lost_first, lost_last);
		break;
	}
}

static void bv_inflight_add(struct beaver_net *bn,
			    const struct bv_config *cfg, struct bv_chan *ch,
			    u32 first, u32 last, u32 len)
{
	struct bv_inflight *in = ch->inflight;

	/* packets of one stamp arriving in one epoch share an entry */
	if (in && in->first == first && in->last == last) {
		in->pkts++;
		in->bytes += len;
		return;
	}
	if (atomic_inc_return(&bn->n_inflight) > cfg->max_history) {
		atomic_dec(&bn->n_inflight);
		atomic64_inc(&bn->hist_limit_hits);
		bv_cuts_mark_lost(bn, first, last);
		return;
	}
	in = kmalloc(sizeof(*in), GFP_ATOMIC);
	if (!in) {
		atomic_dec(&bn->n_inflight);
		atomic64_inc(&bn->nomem);
		bv_cuts_mark_lost(bn, first, last);
		return;
	}
	in->first = first;
	in->last = last;
	in->pkts = 1;
	in->bytes = len;
	in->next = ch->inflight;
	ch->inflight = in;
}

static void bv_capture(struct beaver_net *bn, const struct bv_config *cfg,
		       struct bv_pcpu *pc, const struct bv_inflight_info *inf,
		       u32 epoch)
{
	u32 caplen = min_t(u32, cfg->capture_bytes, inf->skb->len);
	struct bv_capture *cap;

	if (!cfg->capture_bytes)
		return;
	if (atomic_inc_return(&bn->n_captures) > cfg->max_captures) {
		atomic_dec(&bn->n_captures);
		goto trunc;
	}
	cap = kmalloc(struct_size(cap, data, caplen), GFP_ATOMIC);
	if (!cap) {
		atomic_dec(&bn->n_captures);
		atomic64_inc(&bn->nomem);
		goto trunc;
	}
	cap->stamp = inf->stamp;
	cap->epoch = epoch;
	cap->ns = ktime_get_ns();
	cap->len = inf->skb->len;
	cap->caplen = caplen;
	if (skb_copy_bits(inf->skb, 0, cap->data, caplen))
		cap->caplen = 0;
	list_add_tail(&cap->list, &pc->captures);
	return;
trunc:
	bv_stat_inc(bn, BEAVER_STAT_CAPTURE_LIMIT);
	bv_cuts_mark_trunc(bn, inf->first, epoch);
}

void bv_account(struct beaver_net *bn, const struct bv_config *cfg,
		const struct bv_flow_key *key, u8 kind, __be32 peer,
		u32 epoch, const struct bv_pkt *p,
		const struct bv_inflight_info *inf)
{
	struct bv_pcpu *pc = this_cpu_ptr(bn->pcpu);
	struct bv_flow *f;
	struct bv_chan *ch;
	bool chan_lost = false;

	spin_lock(&pc->lock);
	f = bv_flow_get(bn, cfg, pc, key, epoch);
	if (f) {
		bv_acct_count(bn, &f->acct, epoch, p);
	} else {
		/*
		 * No room for the flow: its packets still count, in the
		 * aggregate, so that flows and channels keep adding up
		 */
		bv_acct_count(bn, &pc->retired, epoch, p);
		if (!READ_ONCE(bn->untracked))
			WRITE_ONCE(bn->untracked, true);
	}
	ch = bv_chan_get(bn, cfg, pc, kind, peer, epoch);
	if (ch) {
		bv_acct_count(bn, &ch->acct, epoch, p);
		if (inf && inf->first)
			bv_inflight_add(bn, cfg, ch, inf->first, epoch, p->len);
	} else {
		chan_lost = true;
	}
	if (inf && inf->first)
		bv_capture(bn, cfg, pc, inf, epoch);
	spin_unlock(&pc->lock);

	if (chan_lost)
		bv_flows_lost(bn, epoch);
}

/*
 * Can @f go? Idle long enough, and nothing a record still held needs: its
 * newest packet belongs to a released epoch (so every later cut sees its
 * current totals), and no saved at-cut value is left (released too).
 */
static bool bv_flow_retirable(const struct bv_flow *f, u32 upto,
			      unsigned long idle)
{
	return idle && !f->acct.hist &&
	       !bv_epoch_after(f->acct.epoch, upto) &&
	       time_after(jiffies, f->seen + idle);
}

static void bv_pcpu_release(struct beaver_net *bn, struct bv_pcpu *pc,
			    bool all, u32 upto, unsigned long idle)
{
	struct bv_capture *cap, *ctmp;
	struct bv_flow *f, *ftmp;
	struct bv_chan *ch, *chtmp;
	int i;

	/* the aggregate first: a flow folded below must not reach freed cuts */
	if (all) {
		bv_acct_destroy(&pc->retired, &bn->hist_budget);
		bv_acct_init(&pc->retired, 0);
	} else {
		bv_acct_release(&pc->retired, upto, &bn->hist_budget);
	}
	for (i = 0; i < BV_FLOW_BUCKETS; i++) {
		list_for_each_entry_safe(f, ftmp, &pc->flows[i], node) {
			if (!all) {
				bv_acct_release(&f->acct, upto,
						&bn->hist_budget);
				if (!bv_flow_retirable(f, upto, idle))
					continue;
				bv_acct_fold(&pc->retired, &f->acct.cur);
				bv_stat_inc(bn, BEAVER_STAT_FLOW_RETIRED);
			}
			list_del(&f->node);
			bv_acct_destroy(&f->acct, &bn->hist_budget);
			kfree(f);
			atomic_dec(&bn->n_flows);
		}
	}
	for (i = 0; i < BV_CHAN_BUCKETS; i++) {
		list_for_each_entry_safe(ch, chtmp, &pc->chans[i], node) {
			struct bv_inflight **pp = &ch->inflight, *in;

			while ((in = *pp)) {
				if (all || !bv_epoch_after(in->last, upto)) {
					*pp = in->next;
					kfree(in);
					atomic_dec(&bn->n_inflight);
				} else {
					pp = &in->next;
				}
			}
			if (!all) {
				bv_acct_release(&ch->acct, upto,
						&bn->hist_budget);
				continue;
			}
			list_del(&ch->node);
			bv_acct_destroy(&ch->acct, &bn->hist_budget);
			kfree(ch);
			atomic_dec(&bn->n_chans);
		}
	}
	list_for_each_entry_safe(cap, ctmp, &pc->captures, list) {
		if (all || !bv_epoch_after(cap->epoch, upto)) {
			list_del(&cap->list);
			kfree(cap);
			atomic_dec(&bn->n_captures);
		}
	}
}

static void bv_tables_walk(struct beaver_net *bn, bool all, u32 upto)
{
	unsigned long idle = 0;
	int cpu;

	if (!all) {
		rcu_read_lock();
		idle = msecs_to_jiffies(rcu_dereference(bn->cfg)->flow_idle_ms);
		rcu_read_unlock();
	}
	for_each_possible_cpu(cpu) {
		struct bv_pcpu *pc = per_cpu_ptr(bn->pcpu, cpu);

		/* bv_stat_inc needs bottom halves off: the lock does that */
		spin_lock_bh(&pc->lock);
		/*
		 * A dump that walked this CPU's lists resumes at positions a
		 * retirement would shift: none while one runs (netlink.c).
		 * One that walks them later sees the result whole.
		 */
		bv_pcpu_release(bn, pc, all, upto,
				atomic_read(&bn->dumps) ? 0 : idle);
		spin_unlock_bh(&pc->lock);
	}
}

void bv_tables_release(struct beaver_net *bn, u32 upto)
{
	bv_tables_walk(bn, false, upto);
}

void bv_tables_flush(struct beaver_net *bn)
{
	bv_tables_walk(bn, true, 0);
}

int bv_tables_alloc(struct beaver_net *bn)
{
	int cpu, i;

	bn->pcpu = alloc_percpu(struct bv_pcpu);
	if (!bn->pcpu)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct bv_pcpu *pc = per_cpu_ptr(bn->pcpu, cpu);

		spin_lock_init(&pc->lock);
		for (i = 0; i < BV_FLOW_BUCKETS; i++)
			INIT_LIST_HEAD(&pc->flows[i]);
		for (i = 0; i < BV_CHAN_BUCKETS; i++)
			INIT_LIST_HEAD(&pc->chans[i]);
		INIT_LIST_HEAD(&pc->captures);
		bv_acct_init(&pc->retired, 0);
	}
	return 0;
}

void bv_tables_free(struct beaver_net *bn)
{
	bv_tables_flush(bn);
	free_percpu(bn->pcpu);
	bn->pcpu = NULL;
}
