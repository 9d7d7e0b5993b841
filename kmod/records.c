// SPDX-License-Identifier: GPL-2.0
/*
 * Exact attribution of packet accounting to epochs: see records.h.
 */
#include <linux/slab.h>
#include "records.h"
#include "uapi/beaver.h"
#include "beaver_stamp.h"

static void bv_seq_max(u32 *seq, u8 *valid, u32 end_seq)
{
	/* TCP sequence numbers wrap: keep the serial-newest one */
	if (!*valid || (s32)(end_seq - *seq) > 0) {
		*seq = end_seq;
		*valid = 1;
	}
}

/*
 * Where the streams of a TCP flow entry start (records.h): called before
 * @p's sequence number is counted, so that *_seq_valid still says whether
 * anything came before it in its direction.
 */
static void bv_totals_tcp(struct bv_totals *t, const struct bv_pkt *p)
{
	u8 seen = p->tx ? t->tx_seq_valid : t->rx_seq_valid;
	u8 *valid = p->tx ? &t->tx_isn_valid : &t->rx_isn_valid;
	u32 *isn = p->tx ? &t->tx_isn : &t->rx_isn;

	if (p->tcp & BV_PKT_SYN) {
		if (!seen && !(t->tcp & (p->tx ? BEAVER_TOT_F_TX_ISN_BAD :
					      BEAVER_TOT_F_RX_ISN_BAD))) {
			*isn = p->seq;
			*valid = 1;
		} else if (!*valid || *isn != p->seq) {
			/* a new connection, or seen mid-stream: no start */
			*valid = 0;
			t->tcp |= p->tx ? BEAVER_TOT_F_TX_ISN_BAD :
					  BEAVER_TOT_F_RX_ISN_BAD;
		}
		if (!(p->tcp & BV_PKT_ACK)) {
			t->gen = p->syn_gen;
			t->tcp |= BEAVER_TOT_F_SYN;
		}
	}
	if (p->tcp & BV_PKT_FIN)
		t->tcp |= p->tx ? BEAVER_TOT_F_TX_FIN : BEAVER_TOT_F_RX_FIN;
}

void bv_totals_add(struct bv_totals *t, const struct bv_pkt *p)
{
	u32 n = p->segs ? p->segs : 1;

	if (t->has_gen && p->has_seq)
		bv_totals_tcp(t, p);

	if (p->tx) {
		t->tx_pkts += n;
		t->tx_bytes += p->len;
		if (p->has_seq)
			bv_seq_max(&t->tx_seq, &t->tx_seq_valid, p->end_seq);
	} else {
		t->rx_pkts += n;
		t->rx_bytes += p->len;
		if (p->has_seq)
			bv_seq_max(&t->rx_seq, &t->rx_seq_valid, p->end_seq);
	}
}

void bv_acct_init(struct bv_acct *a, u32 epoch)
{
	memset(a, 0, sizeof(*a));
	a->born = epoch;
	a->epoch = epoch;
}

static struct bv_hist *bv_hist_alloc(struct bv_budget *b, bool exempt)
{
	struct bv_hist *h;

	/* exempt entries are counted too, so flows get what is left */
	if (atomic_inc_return(&b->used) > b->max && !exempt) {
		atomic_dec(&b->used);
		if (b->limit_hits)
			atomic64_inc(b->limit_hits);
		return NULL;
	}
	h = b->cache ? kmem_cache_alloc(b->cache, GFP_ATOMIC) :
		       kmalloc(sizeof(*h), GFP_ATOMIC | __GFP_ACCOUNT);
	if (!h) {
		atomic_dec(&b->used);
		if (b->nomem)
			atomic64_inc(b->nomem);
	}
	return h;
}

static void bv_hist_free(struct bv_hist *h, struct bv_budget *b)
{
	if (b->cache)
		kmem_cache_free(b->cache, h);
	else
		kfree(h);
	atomic_dec(&b->used);
}

enum bv_add_result bv_acct_add(struct bv_acct *a, u32 epoch,
			       const struct bv_pkt *p, struct bv_budget *b,
			       bool exempt, u32 *lost_first, u32 *lost_last)
{
	enum bv_add_result ret = BV_ADD_OK;

	if (bv_epoch_after(epoch, a->epoch)) {
		/*
		 * First packet of a newer epoch: everything counted so far is
		 * the value at the cut of each snapshot in (a->epoch, epoch].
		 */
		struct bv_hist *h = bv_hist_alloc(b, exempt);

		if (!h) {
			/*
			 * Those snapshots may be complete already: leave the
			 * entry alone, so that they keep reading a->cur
			 */
			*lost_first = bv_epoch_range_first(a->epoch, epoch);
			*lost_last = epoch;
			return BV_ADD_LOST;
		}
		h->first = bv_epoch_range_first(a->epoch, epoch);
		h->last = epoch;
		h->at_cut = a->cur;
		h->next = a->hist;
		a->hist = h;
		a->epoch = epoch;
	} else if (bv_epoch_before(epoch, a->epoch)) {
		/*
		 * Cannot happen for a per-CPU entry whose packets are
		 * attributed with bottom halves disabled (epochs only grow on
		 * one CPU). Count it and let the caller flag the snapshots.
		 */
		*lost_first = bv_epoch_range_first(epoch, a->epoch);
		*lost_last = a->epoch;
		ret = BV_ADD_MISORDER;
	}
	bv_totals_add(&a->cur, p);
	return ret;
}

bool bv_acct_at_cut(const struct bv_acct *a, u32 e, struct bv_totals *out)
{
	const struct bv_hist *h;

	/* nothing of this entry happened before the cut of e */
	if (!bv_epoch_after(e, a->born))
		return false;
	/* untouched since before the cut: the current value is the value */
	if (bv_epoch_after(e, a->epoch)) {
		*out = a->cur;
		return true;
	}
	for (h = a->hist; h; h = h->next) {
		if (bv_epoch_in(e, h->first, h->last)) {
			*out = h->at_cut;
			return true;
		}
		if (bv_epoch_after(e, h->last))
			break;	/* entries are newest first */
	}
	return false;
}

static void bv_totals_fold(struct bv_totals *into, const struct bv_totals *t)
{
	into->tx_pkts += t->tx_pkts;
	into->tx_bytes += t->tx_bytes;
	into->rx_pkts += t->rx_pkts;
	into->rx_bytes += t->rx_bytes;
}

void bv_acct_fold(struct bv_acct *into, const struct bv_totals *t)
{
	struct bv_hist *h;

	bv_totals_fold(&into->cur, t);
	for (h = into->hist; h; h = h->next)
		bv_totals_fold(&h->at_cut, t);
}

void bv_acct_release(struct bv_acct *a, u32 upto, struct bv_budget *b)
{
	struct bv_hist **pp = &a->hist, *h;

	while ((h = *pp)) {
		if (!bv_epoch_after(h->last, upto)) {
			*pp = h->next;
			bv_hist_free(h, b);
		} else {
			pp = &h->next;
		}
	}
}

void bv_acct_destroy(struct bv_acct *a, struct bv_budget *b)
{
	struct bv_hist *h;

	while ((h = a->hist)) {
		a->hist = h->next;
		bv_hist_free(h, b);
	}
}
