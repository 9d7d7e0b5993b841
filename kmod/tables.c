// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU flow and channel tables: see tables.h.
 */
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include "tables.h"
#include "epochs.h"
#include "beaver_stamp.h"

#define BV_FLOW_BUCKETS_MIN	64
#define BV_FLOW_BUCKETS_MAX	65536
/* flows per bucket at max_flows, should one CPU hold them all */
#define BV_FLOWS_PER_BUCKET	8
/* flow buckets a control operation walks per hold of a CPU's lock */
#define BV_WALK_BATCH		64
/* entries freed between two chances to reschedule */
#define BV_FREE_BATCH		256

static struct kmem_cache *bv_flow_cache, *bv_chan_cache;
struct kmem_cache *bv_hist_cache;

u32 bv_tables_buckets(u32 max_flows)
{
	if (!max_flows)
		return 0;
	return clamp_t(u32, roundup_pow_of_two(DIV_ROUND_UP(max_flows,
							    BV_FLOWS_PER_BUCKET)),
		       BV_FLOW_BUCKETS_MIN, BV_FLOW_BUCKETS_MAX);
}

/*
 * The key's fields up to @proto are contiguous (no padding before it), so
 * hashing that prefix of the struct hashes exactly the 5-tuple: whatever
 * the padding after it holds never moves a flow.
 */
#define BV_FLOW_KEY_LEN	offsetofend(struct bv_flow_key, proto)

static u32 bv_flow_hash(const struct beaver_net *bn,
			const struct bv_flow_key *k)
{
	BUILD_BUG_ON(offsetof(struct bv_flow_key, proto) !=
		     2 * sizeof(struct in6_addr) + 2 * sizeof(__be16));
	/*
	 * IPv4: only 13 of the 37 bytes vary (addr.h's mapped prefix is
	 * the same in every key), hashed in two blocks instead of five,
	 * for every packet. SipHash-2-4, not the kernel's HalfSipHash: a
	 * records dump walks the buckets in order, so their positions do
	 * leave the kernel (docs/decisions.md). Keys still compare whole
	 * (bv_flow_key_eq()): a short hash equal to a long one is a
	 * collision like any other.
	 */
	if (bv_addr_is4(&k->laddr) && bv_addr_is4(&k->raddr))
		return siphash_4u32((__force u32)bv_addr_get4(&k->laddr),
				    (__force u32)bv_addr_get4(&k->raddr),
				    (__force u32)k->lport << 16 |
				    (__force u32)k->rport, k->proto,
				    &bn->flow_key);
	return siphash(k, BV_FLOW_KEY_LEN, &bn->flow_key);
}

static bool bv_flow_key_eq(const struct bv_flow_key *a,
			   const struct bv_flow_key *b)
{
	return ipv6_addr_equal(&a->laddr, &b->laddr) &&
	       ipv6_addr_equal(&a->raddr, &b->raddr) &&
	       a->lport == b->lport && a->rport == b->rport &&
	       a->proto == b->proto;
}

/* a packet of @f: when it was seen, and whether TCP is closing */
static void bv_flow_note(struct bv_flow *f, const struct bv_pkt *p)
{
	f->seen = jiffies;
	if (!p->tcp)
		return;
	/* a new connection on the same 5-tuple is not closing */
	if (p->tcp & BV_PKT_SYN)
		f->closed = 0;
	if (p->tcp & BV_PKT_RST)
		f->closed |= BV_FLOW_RST;
	if (p->tcp & BV_PKT_FIN)
		f->closed |= p->tx ? BV_FLOW_FIN_TX : BV_FLOW_FIN_RX;
}

static struct bv_flow *bv_flow_get(struct beaver_net *bn,
				   const struct bv_config *cfg,
				   struct bv_pcpu *pc,
				   const struct bv_flow_key *key, u32 epoch,
				   const struct bv_pkt *p)
{
	struct list_head *head;
	struct bv_flow *f;

	/* no table: a namespace without a role, or sized out of memory */
	if (!pc->flows)
		return NULL;
	head = &pc->flows[bv_flow_hash(bn, key) & pc->flow_mask];
	list_for_each_entry(f, head, node) {
		if (bv_flow_key_eq(&f->key, key)) {
			bv_flow_note(f, p);
			return f;
		}
	}
	if (atomic_inc_return(&bn->n_flows) > cfg->max_flows) {
		atomic_dec(&bn->n_flows);
		bv_stat_inc(bn, BEAVER_STAT_FLOW_LIMIT);
		return NULL;
	}
	f = kmem_cache_alloc(bv_flow_cache, GFP_ATOMIC);
	if (!f) {
		atomic_dec(&bn->n_flows);
		atomic64_inc(&bn->nomem);
		return NULL;
	}
	f->key = *key;
	f->closed = 0;
	f->diverted = 0;
	bv_flow_note(f, p);
	bv_acct_init(&f->acct, epoch);
	if (key->proto == IPPROTO_TCP) {
		/* not before a SYN this entry was created after */
		f->acct.cur.has_gen = 1;
		f->acct.cur.gen = atomic_read(&bn->syn_gen);
	}
	list_add_tail(&f->node, head);
	return f;
}

/*
 * A channel's bucket. Peers are configured addresses (members, VIPs) or
 * :: (the aggregates): nobody can aim at a bucket, so the address folded
 * (addr.h) and a multiplicative hash do, for every packet, what jhash
 * did for five times the instructions
 */
static u32 bv_chan_bucket(const struct in6_addr *peer, u8 kind)
{
	BUILD_BUG_ON_NOT_POWER_OF_2(BV_CHAN_BUCKETS);
	return hash_32(bv_addr_fold(peer) ^ kind, ilog2(BV_CHAN_BUCKETS));
}

static struct bv_chan *bv_chan_get(struct beaver_net *bn,
				   const struct bv_config *cfg,
				   struct bv_pcpu *pc, u8 kind,
				   const struct in6_addr *peer, u32 epoch)
{
	struct list_head *head = &pc->chans[bv_chan_bucket(peer, kind)];
	struct bv_chan *ch;
	u32 limit;

	list_for_each_entry(ch, head, node) {
		if (ch->kind == kind && ipv6_addr_equal(&ch->peer, peer))
			return ch;
	}
	/*
	 * Peers are members and VIPs (the rest share address 0), so traffic
	 * cannot exhaust channels: every CPU may have one per peer and kind
	 * whatever max_flows is, and max_flows in total when membership
	 * changed (channels do not retire).
	 */
	limit = max_t(u32, cfg->max_flows,
		      nr_cpu_ids * (cfg->n_members + cfg->n_vips + 3));
	if (atomic_inc_return(&bn->n_chans) > limit) {
		atomic_dec(&bn->n_chans);
		bv_stat_inc(bn, BEAVER_STAT_FLOW_LIMIT);
		return NULL;
	}
	ch = kmem_cache_zalloc(bv_chan_cache, GFP_ATOMIC);
	if (!ch) {
		atomic_dec(&bn->n_chans);
		atomic64_inc(&bn->nomem);
		return NULL;
	}
	ch->kind = kind;
	ch->peer = *peer;
	INIT_LIST_HEAD(&ch->late);
	bv_acct_init(&ch->acct, epoch);
	list_add_tail(&ch->node, head);
	return ch;
}

/*
 * Count @p in @a. False if it could not be (@a is unchanged then, so that
 * records that may be complete still read what they read). Channels and
 * aggregates are @exempt from max_history: one entry per CPU and peer, one
 * at-cut value per record at most, so max_records bounds them.
 */
static bool bv_acct_count_slow(struct beaver_net *bn, struct bv_acct *a,
			       u32 epoch, const struct bv_pkt *p, bool exempt)
{
	u32 lost_first = 0, lost_last = 0;

	switch (bv_acct_add(a, epoch, p, &bn->hist_budget, exempt,
			    &lost_first, &lost_last)) {
	case BV_ADD_OK:
		return true;
	case BV_ADD_MISORDER:
		bv_stat_inc(bn, BEAVER_STAT_MISORDER);
		bv_cuts_mark_lost(bn, lost_first, lost_last);
		return true;
	case BV_ADD_LOST:
		break;
	}
	return false;
}

static inline bool bv_acct_count(struct beaver_net *bn, struct bv_acct *a,
				 u32 epoch, const struct bv_pkt *p,
				 bool exempt)
{
	/*
	 * Nearly every packet: one of the epoch the entry is at already,
	 * which bv_acct_add() would only add up (neither after nor before
	 * it), told without its call
	 */
	if (likely(epoch == a->epoch)) {
		bv_totals_add(&a->cur, p);
		return true;
	}
	return bv_acct_count_slow(bn, a, epoch, p, exempt);
}

/* an entry for late packets, or false if it cannot be kept */
static bool bv_late_add(struct beaver_net *bn, const struct bv_config *cfg,
			struct bv_chan *ch, u32 first, u32 last, u32 arrived,
			u32 len)
{
	struct bv_late *l;

	/* packets of one stamp arriving in one epoch share an entry */
	if (!list_empty(&ch->late)) {
		l = list_last_entry(&ch->late, struct bv_late, list);
		if (l->first == first && l->last == last &&
		    l->arrived == arrived) {
			l->pkts++;
			l->bytes += len;
			return true;
		}
	}
	if (atomic_inc_return(&bn->n_inflight) > cfg->max_history) {
		atomic_dec(&bn->n_inflight);
		atomic64_inc(&bn->hist_limit_hits);
		return false;
	}
	l = kmalloc(sizeof(*l), GFP_ATOMIC | __GFP_ACCOUNT);
	if (!l) {
		atomic_dec(&bn->n_inflight);
		atomic64_inc(&bn->nomem);
		return false;
	}
	l->first = first;
	l->last = last;
	l->arrived = arrived;
	l->pkts = 1;
	l->bytes = len;
	/* appended: a dump resumes at an index in this list */
	list_add_tail(&l->list, &ch->late);
	return true;
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
	in = kmalloc(sizeof(*in), GFP_ATOMIC | __GFP_ACCOUNT);
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
	cap = kmalloc(struct_size(cap, data, caplen),
		      GFP_ATOMIC | __GFP_ACCOUNT);
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
		const struct bv_flow_key *key, u8 kind,
		const struct in6_addr *peer, u32 epoch, const struct bv_pkt *p,
		const struct bv_inflight_info *inf)
{
	struct bv_pcpu *pc = this_cpu_ptr(bn->pcpu);
	struct mem_cgroup *old_memcg;
	struct bv_flow *f;
	struct bv_chan *ch;
	struct bv_pkt syn;
	bool chan_lost = false;

	if ((p->tcp & (BV_PKT_SYN | BV_PKT_ACK)) == BV_PKT_SYN) {
		/* a connection starts: entries created before it predate it */
		syn = *p;
		syn.syn_gen = atomic_inc_return(&bn->syn_gen);
		p = &syn;
	}
	/* charged to whoever configured the namespace, not to "current" */
	old_memcg = set_active_memcg(cfg->memcg);
	spin_lock(&pc->lock);
	f = bv_flow_get(bn, cfg, pc, key, epoch, p);
	if (f && !f->diverted &&
	    !bv_acct_count(bn, &f->acct, epoch, p, false)) {
		f->diverted = 1;
		/* its totals stop here: no byte count from them any more */
		f->acct.cur.tcp |= BEAVER_TOT_F_TX_ISN_BAD |
				   BEAVER_TOT_F_RX_ISN_BAD;
		f->acct.cur.tx_isn_valid = 0;
		f->acct.cur.rx_isn_valid = 0;
	}
	if (!f || f->diverted) {
		/*
		 * No room for the flow, or for its at-cut value: its packets
		 * still count, in the aggregate, so that flows and channels
		 * keep adding up. A flow that lost one packet this way sends
		 * the rest there too, or it would count less than it saw.
		 */
		if (!bv_acct_count(bn, &pc->retired, epoch, p, true))
			chan_lost = true;
		if (!READ_ONCE(bn->untracked))
			WRITE_ONCE(bn->untracked, true);
	}
	ch = bv_chan_get(bn, cfg, pc, kind, peer, epoch);
	if (ch && bv_acct_count(bn, &ch->acct, epoch, p, true)) {
		if (inf && inf->first)
			bv_inflight_add(bn, cfg, ch, inf->first, epoch, p->len);
		if (inf && inf->late_last &&
		    !bv_late_add(bn, cfg, ch,
				 bv_epoch_range_first(inf->stamp, epoch),
				 inf->late_last, epoch, p->len) &&
		    !READ_ONCE(bn->late_lost))
			WRITE_ONCE(bn->late_lost, true);
	} else {
		chan_lost = true;
	}
	if (inf && inf->first)
		bv_capture(bn, cfg, pc, inf, epoch);
	spin_unlock(&pc->lock);
	set_active_memcg(old_memcg);

	if (chan_lost)
		bv_flows_lost(bn, epoch);
}

/*
 * Can @f go? Diverted, closed (TCP RST, or FIN both ways) or idle long
 * enough, and nothing a record still held needs: its newest packet
 * belongs to a released epoch (so every later cut sees its current
 * totals), and no saved at-cut value is left (released too). A diverted
 * flow goes even with retirement off: until it does, its packets are
 * untracked.
 */
static bool bv_flow_retirable(const struct bv_flow *f, u32 upto,
			      unsigned long idle)
{
	if (f->acct.hist || bv_epoch_after(f->acct.epoch, upto))
		return false;
	if (f->diverted)
		return true;
	if (!idle)
		return false;
	if ((f->closed & BV_FLOW_RST) ||
	    (f->closed & (BV_FLOW_FIN_TX | BV_FLOW_FIN_RX)) ==
	    (BV_FLOW_FIN_TX | BV_FLOW_FIN_RX))
		return true;
	return time_after(jiffies, f->seen + idle);
}

/* entries taken out of a table under its lock, freed after it */
struct bv_dead {
	struct list_head flows;
	struct list_head chans;
	struct list_head caps;
	struct list_head late;
	struct bv_inflight *inflight;
	struct bv_acct retired;		/* a flushed aggregate */
};

static void bv_dead_init(struct bv_dead *d)
{
	INIT_LIST_HEAD(&d->flows);
	INIT_LIST_HEAD(&d->chans);
	INIT_LIST_HEAD(&d->caps);
	INIT_LIST_HEAD(&d->late);
	d->inflight = NULL;
	bv_acct_init(&d->retired, 0);
}

static void bv_dead_free(struct beaver_net *bn, struct bv_dead *d)
{
	struct bv_capture *cap, *ctmp;
	struct bv_flow *f, *ftmp;
	struct bv_chan *ch, *chtmp;
	struct bv_late *l, *ltmp;
	struct bv_inflight *in;
	unsigned int n = 0;

	list_for_each_entry_safe(f, ftmp, &d->flows, node) {
		bv_acct_destroy(&f->acct, &bn->hist_budget);
		kmem_cache_free(bv_flow_cache, f);
		atomic_dec(&bn->n_flows);
		if (!(++n % BV_FREE_BATCH))
			cond_resched();
	}
	list_for_each_entry_safe(ch, chtmp, &d->chans, node) {
		bv_acct_destroy(&ch->acct, &bn->hist_budget);
		while ((in = ch->inflight)) {
			ch->inflight = in->next;
			in->next = d->inflight;
			d->inflight = in;
		}
		list_splice_tail_init(&ch->late, &d->late);
		kmem_cache_free(bv_chan_cache, ch);
		atomic_dec(&bn->n_chans);
	}
	while ((in = d->inflight)) {
		d->inflight = in->next;
		kfree(in);
		atomic_dec(&bn->n_inflight);
		if (!(++n % BV_FREE_BATCH))
			cond_resched();
	}
	list_for_each_entry_safe(l, ltmp, &d->late, list) {
		kfree(l);
		atomic_dec(&bn->n_inflight);
		if (!(++n % BV_FREE_BATCH))
			cond_resched();
	}
	list_for_each_entry_safe(cap, ctmp, &d->caps, list) {
		kfree(cap);
		atomic_dec(&bn->n_captures);
		if (!(++n % BV_FREE_BATCH))
			cond_resched();
	}
	bv_acct_destroy(&d->retired, &bn->hist_budget);
}

/*
 * Release up to @upto on one CPU: history trimmed, flows that may go
 * folded into the aggregate, in-flight entries and captures that only
 * served released snapshots unlinked. The lock is held for one batch of
 * buckets at a time, and nothing is freed under it.
 */
static void bv_pcpu_release(struct beaver_net *bn, struct bv_pcpu *pc,
			    u32 upto, unsigned long idle)
{
	struct bv_capture *cap, *ctmp;
	struct bv_flow *f, *ftmp;
	struct bv_chan *ch;
	struct bv_dead dead;
	u32 b, i, n;

	bv_dead_init(&dead);
	/* the aggregate first: a flow folded below must not reach freed cuts */
	spin_lock_bh(&pc->lock);
	bv_acct_release(&pc->retired, upto, &bn->hist_budget);
	n = pc->flows ? pc->flow_mask + 1 : 0;
	spin_unlock_bh(&pc->lock);

	for (b = 0; b < n; b += BV_WALK_BATCH) {
		bool retire;

		spin_lock_bh(&pc->lock);
		/*
		 * A dump resumes at list positions that a retirement would
		 * shift, and would count a retired flow twice: no flow goes
		 * while one runs (netlink.c counts them before they lock).
		 */
		retire = !atomic_read(&bn->dumps);
		for (i = b; i < b + BV_WALK_BATCH && i < n; i++) {
			list_for_each_entry_safe(f, ftmp, &pc->flows[i], node) {
				bv_acct_release(&f->acct, upto,
						&bn->hist_budget);
				if (!retire || !bv_flow_retirable(f, upto, idle))
					continue;
				bv_acct_fold(&pc->retired, &f->acct.cur);
				bv_stat_inc(bn, BEAVER_STAT_FLOW_RETIRED);
				list_move_tail(&f->node, &dead.flows);
			}
		}
		spin_unlock_bh(&pc->lock);
		bv_dead_free(bn, &dead);
		bv_dead_init(&dead);
		cond_resched();
	}

	spin_lock_bh(&pc->lock);
	for (i = 0; i < BV_CHAN_BUCKETS; i++) {
		list_for_each_entry(ch, &pc->chans[i], node) {
			struct bv_inflight **pp = &ch->inflight, *in;
			struct bv_late *l, *ltmp;

			/*
			 * Late entries go with the first record that reported
			 * them (the one after their arrival), and only while
			 * no dump runs: it resumes at an index in the list
			 */
			list_for_each_entry_safe(l, ltmp, &ch->late, list) {
				if (bv_epoch_before(l->arrived, upto) &&
				    !atomic_read(&bn->dumps))
					list_move_tail(&l->list, &dead.late);
			}

			while ((in = *pp)) {
				if (bv_epoch_after(in->last, upto)) {
					pp = &in->next;
					continue;
				}
				*pp = in->next;
				in->next = dead.inflight;
				dead.inflight = in;
			}
			bv_acct_release(&ch->acct, upto, &bn->hist_budget);
		}
	}
	list_for_each_entry_safe(cap, ctmp, &pc->captures, list) {
		if (!bv_epoch_after(cap->epoch, upto))
			list_move_tail(&cap->list, &dead.caps);
	}
	spin_unlock_bh(&pc->lock);
	bv_dead_free(bn, &dead);
}

/* empty one CPU's tables: only splices under the lock */
static void bv_pcpu_flush(struct beaver_net *bn, struct bv_pcpu *pc)
{
	struct bv_dead dead;
	u32 i;

	bv_dead_init(&dead);
	spin_lock_bh(&pc->lock);
	for (i = 0; pc->flows && i <= pc->flow_mask; i++)
		list_splice_tail_init(&pc->flows[i], &dead.flows);
	for (i = 0; i < BV_CHAN_BUCKETS; i++)
		list_splice_tail_init(&pc->chans[i], &dead.chans);
	list_splice_tail_init(&pc->captures, &dead.caps);
	dead.retired = pc->retired;
	bv_acct_init(&pc->retired, 0);
	spin_unlock_bh(&pc->lock);
	bv_dead_free(bn, &dead);
}

void bv_tables_release(struct beaver_net *bn, u32 upto)
{
	unsigned long idle;
	int cpu;

	rcu_read_lock();
	idle = msecs_to_jiffies(rcu_dereference(bn->cfg)->flow_idle_ms);
	rcu_read_unlock();
	for_each_possible_cpu(cpu)
		bv_pcpu_release(bn, per_cpu_ptr(bn->pcpu, cpu), upto, idle);
}

void bv_tables_flush(struct beaver_net *bn)
{
	int cpu;

	for_each_possible_cpu(cpu)
		bv_pcpu_flush(bn, per_cpu_ptr(bn->pcpu, cpu));
}

int bv_tables_resize(struct beaver_net *bn, u32 buckets)
{
	struct list_head **arrays;
	int cpu, err = -ENOMEM;
	u32 i;

	lockdep_assert_held(&bn->cfg_mutex);
	if (buckets == bn->flow_buckets)
		return 0;
	arrays = kcalloc(nr_cpu_ids, sizeof(*arrays), GFP_KERNEL);
	if (!arrays)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		if (!buckets)
			break;
		/* charged to the configuring task's memory cgroup */
		arrays[cpu] = kvmalloc_array(buckets, sizeof(**arrays),
					     GFP_KERNEL_ACCOUNT);
		if (!arrays[cpu])
			goto out;
		for (i = 0; i < buckets; i++)
			INIT_LIST_HEAD(&arrays[cpu][i]);
	}
	for_each_possible_cpu(cpu) {
		struct bv_pcpu *pc = per_cpu_ptr(bn->pcpu, cpu);
		struct bv_flow *f, *ftmp;
		struct list_head *old;
		struct bv_dead dead;
		u32 n;

		bv_dead_init(&dead);
		/*
		 * Moving every flow is the one walk done in a single hold of
		 * the lock: it happens when max_flows changes, not per
		 * snapshot. Without buckets (no role) flows are dropped.
		 */
		spin_lock_bh(&pc->lock);
		old = pc->flows;
		n = old ? pc->flow_mask + 1 : 0;
		for (i = 0; i < n; i++) {
			list_for_each_entry_safe(f, ftmp, &old[i], node) {
				if (!buckets) {
					list_move_tail(&f->node, &dead.flows);
					continue;
				}
				list_move_tail(&f->node,
					       &arrays[cpu][bv_flow_hash(bn, &f->key) &
							    (buckets - 1)]);
			}
		}
		pc->flows = arrays[cpu];
		pc->flow_mask = buckets ? buckets - 1 : 0;
		spin_unlock_bh(&pc->lock);
		arrays[cpu] = NULL;
		kvfree(old);
		bv_dead_free(bn, &dead);
	}
	bn->flow_buckets = buckets;
	/* list positions changed: a dump under way says so */
	spin_lock_bh(&bn->cut_lock);
	bn->generation++;
	spin_unlock_bh(&bn->cut_lock);
	err = 0;
out:
	for_each_possible_cpu(cpu)
		kvfree(arrays[cpu]);
	kfree(arrays);
	return err;
}

int bv_tables_alloc(struct beaver_net *bn)
{
	int cpu, i;

	bn->pcpu = alloc_percpu_gfp(struct bv_pcpu, GFP_KERNEL_ACCOUNT);
	if (!bn->pcpu)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct bv_pcpu *pc = per_cpu_ptr(bn->pcpu, cpu);

		spin_lock_init(&pc->lock);
		pc->flows = NULL;	/* bv_tables_resize() gives them */
		pc->flow_mask = 0;
		for (i = 0; i < BV_CHAN_BUCKETS; i++)
			INIT_LIST_HEAD(&pc->chans[i]);
		INIT_LIST_HEAD(&pc->captures);
		bv_acct_init(&pc->retired, 0);
	}
	bn->flow_buckets = 0;
	get_random_bytes(&bn->flow_key, sizeof(bn->flow_key));
	bn->hist_budget.cache = bv_hist_cache;
	return 0;
}

void bv_tables_free(struct beaver_net *bn)
{
	int cpu;

	bv_tables_flush(bn);
	for_each_possible_cpu(cpu)
		kvfree(per_cpu_ptr(bn->pcpu, cpu)->flows);
	free_percpu(bn->pcpu);
	bn->pcpu = NULL;
}

int bv_tables_init(void)
{
	/* accounted to the memory cgroup in force when they are allocated */
	bv_flow_cache = kmem_cache_create("beaver_flow", sizeof(struct bv_flow),
					  0, SLAB_ACCOUNT, NULL);
	bv_chan_cache = kmem_cache_create("beaver_chan", sizeof(struct bv_chan),
					  0, SLAB_ACCOUNT, NULL);
	bv_hist_cache = kmem_cache_create("beaver_hist", sizeof(struct bv_hist),
					  0, SLAB_ACCOUNT, NULL);
	if (bv_flow_cache && bv_chan_cache && bv_hist_cache)
		return 0;
	bv_tables_exit();
	return -ENOMEM;
}

void bv_tables_exit(void)
{
	kmem_cache_destroy(bv_hist_cache);
	kmem_cache_destroy(bv_chan_cache);
	kmem_cache_destroy(bv_flow_cache);
	bv_hist_cache = NULL;
	bv_chan_cache = NULL;
	bv_flow_cache = NULL;
}
