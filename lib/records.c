// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Storage and per-CPU merging of snapshot records (see records.h).
 * No netlink here: the unit tests link this file alone.
 */
#include "records.h"
#include "bvgrow.h"
#include "beaver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

void bvr_init(struct bvr_records *r)
{
	memset(r, 0, sizeof(*r));
}

static void free_capture_data(struct bvr_records *r)
{
	for (size_t i = 0; i < r->n_caps; i++) {
		free(r->caps[i].data);
		r->caps[i].data = NULL;
	}
}

void bvr_reset(struct bvr_records *r)
{
	free_capture_data(r);
	r->has_cut = false;
	memset(&r->cut, 0, sizeof(r->cut));
	r->has_retired = false;
	memset(&r->retired, 0, sizeof(r->retired));
	r->has_escapes = false;
	r->esc_xdp = 0;
	r->esc_packet = 0;
	free(r->apps);
	r->apps = NULL;
	r->n_flows = 0;
	r->n_chans = 0;
	r->n_caps = 0;
	r->n_lates = 0;
}

void bvr_free(struct bvr_records *r)
{
	free_capture_data(r);
	free(r->flows);
	free(r->chans);
	free(r->caps);
	free(r->lates);
	free(r->apps);
	bvr_init(r);
}

int bvr_add_flow(struct bvr_records *r, const struct bvr_flow *f)
{
	if (bv_grow((void **)&r->flows, &r->cap_flows, r->n_flows, sizeof(*f)))
		return -ENOMEM;
	r->flows[r->n_flows++] = *f;
	return 0;
}

int bvr_add_chan(struct bvr_records *r, const struct bvr_chan *c)
{
	if (bv_grow((void **)&r->chans, &r->cap_chans, r->n_chans, sizeof(*c)))
		return -ENOMEM;
	r->chans[r->n_chans++] = *c;
	return 0;
}

int bvr_add_late(struct bvr_records *r, const struct bvr_late *l)
{
	if (bv_grow((void **)&r->lates, &r->cap_lates, r->n_lates, sizeof(*l)))
		return -ENOMEM;
	r->lates[r->n_lates++] = *l;
	return 0;
}

int bvr_add_capture(struct bvr_records *r, const struct bvr_capture *c)
{
	struct bvr_capture *dst;

	if (bv_grow((void **)&r->caps, &r->cap_caps, r->n_caps, sizeof(*c)))
		return -ENOMEM;
	dst = &r->caps[r->n_caps];
	*dst = *c;
	dst->data = NULL;
	if (c->data_len) {
		dst->data = malloc(c->data_len);
		if (!dst->data)
			return -ENOMEM;
		memcpy(dst->data, c->data, c->data_len);
	}
	r->n_caps++;
	return 0;
}

bool bvr_seq_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

uint32_t bvr_seq_max(uint32_t a, uint32_t b)
{
	if (bvr_seq_after(a, b))
		return a;
	if (bvr_seq_after(b, a))
		return b;
	return a > b ? a : b;	/* equal, or 2^31 apart: see records.h */
}

static void seq_merge(uint32_t *acc, bool *acc_valid, uint32_t x, bool x_valid)
{
	if (!x_valid)
		return;
	*acc = *acc_valid ? bvr_seq_max(*acc, x) : x;
	*acc_valid = true;
}

static void isn_merge(uint32_t *acc, bool *acc_valid, bool *conflict,
		      uint32_t x, bool x_valid)
{
	if (!x_valid)
		return;
	if (*acc_valid && *acc != x)
		*conflict = true;
	*acc = x;
	*acc_valid = true;
}

void bvr_tot_add(struct bvr_tot *acc, const struct bvr_tot *x)
{
	isn_merge(&acc->tx_isn, &acc->tx_isn_valid, &acc->isn_conflict,
		  x->tx_isn, x->tx_isn_valid);
	isn_merge(&acc->rx_isn, &acc->rx_isn_valid, &acc->isn_conflict,
		  x->rx_isn, x->rx_isn_valid);
	acc->isn_conflict |= x->isn_conflict;
	if (x->has_gen) {
		/* the oldest share: serially lowest */
		if (!acc->has_gen || bvr_seq_after(acc->gen, x->gen))
			acc->gen = x->gen;
		acc->has_gen = true;
	}
	if (x->has_syn_gen) {
		acc->syn_gen = acc->has_syn_gen ?
			       bvr_seq_max(acc->syn_gen, x->syn_gen) :
			       x->syn_gen;
		acc->has_syn_gen = true;
	}
	acc->tcp_flags |= x->tcp_flags;
	acc->tx_pkts += x->tx_pkts;
	acc->tx_bytes += x->tx_bytes;
	acc->rx_pkts += x->rx_pkts;
	acc->rx_bytes += x->rx_bytes;
	seq_merge(&acc->tx_seq, &acc->tx_seq_valid, x->tx_seq, x->tx_seq_valid);
	seq_merge(&acc->rx_seq, &acc->rx_seq_valid, x->rx_seq, x->rx_seq_valid);
}

bool bvr_tcp_known(const struct bvr_tot *t)
{
	if (!t->has_gen || !t->has_syn_gen || t->isn_conflict ||
	    bvr_seq_after(t->syn_gen, t->gen) ||
	    (t->tcp_flags & (BEAVER_TOT_F_TX_ISN_BAD | BEAVER_TOT_F_RX_ISN_BAD)))
		return false;
	if ((t->tx_seq_valid && !t->tx_isn_valid) ||
	    (t->rx_seq_valid && !t->rx_isn_valid))
		return false;
	return true;
}

#define CMP(a, b) do { if ((a) != (b)) return (a) < (b) ? -1 : 1; } while (0)

/* the sign of bv_ip_cmp(), as -1, 0 or 1 like CMP */
static int ip_cmp(const struct bv_ip *a, const struct bv_ip *b)
{
	int c = bv_ip_cmp(a, b);

	return (c > 0) - (c < 0);
}

int bvr_flow_cmp(const struct bvr_flow *a, const struct bvr_flow *b)
{
	int c;

	CMP(a->proto, b->proto);
	c = ip_cmp(&a->laddr, &b->laddr);
	if (c)
		return c;
	CMP(a->lport, b->lport);
	c = ip_cmp(&a->raddr, &b->raddr);
	if (c)
		return c;
	CMP(a->rport, b->rport);
	return 0;
}

int bvr_chan_cmp(const struct bvr_chan *a, const struct bvr_chan *b)
{
	CMP(a->kind, b->kind);
	return ip_cmp(&a->peer, &b->peer);
}

int bvr_late_cmp(const struct bvr_late *a, const struct bvr_late *b)
{
	int c;

	CMP(a->kind, b->kind);
	c = ip_cmp(&a->peer, &b->peer);
	if (c)
		return c;
	CMP(a->first, b->first);
	CMP(a->last, b->last);
	CMP(a->arrived, b->arrived);
	return 0;
}

static int flow_qcmp(const void *a, const void *b)
{
	return bvr_flow_cmp(a, b);
}

static int chan_qcmp(const void *a, const void *b)
{
	return bvr_chan_cmp(a, b);
}

static int late_qcmp(const void *a, const void *b)
{
	return bvr_late_cmp(a, b);
}

/*
 * Sort, then fold runs of equal keys: O(n log n), which matters because a
 * busy member reports (flows x CPUs) shares.
 */
size_t bvr_merge_flows(struct bvr_flow *v, size_t n)
{
	size_t out = 0;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), flow_qcmp);
	for (size_t i = 0; i < n; i++) {
		if (out && !bvr_flow_cmp(&v[out - 1], &v[i])) {
			bvr_tot_add(&v[out - 1].tot, &v[i].tot);
			continue;
		}
		v[out] = v[i];
		v[out].cpu = BVR_CPU_MERGED;
		out++;
	}
	return out;
}

size_t bvr_merge_chans(struct bvr_chan *v, size_t n)
{
	size_t out = 0;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), chan_qcmp);
	for (size_t i = 0; i < n; i++) {
		if (out && !bvr_chan_cmp(&v[out - 1], &v[i])) {
			bvr_tot_add(&v[out - 1].tot, &v[i].tot);
			v[out - 1].inflight_pkts += v[i].inflight_pkts;
			v[out - 1].inflight_bytes += v[i].inflight_bytes;
			continue;
		}
		v[out] = v[i];
		v[out].cpu = BVR_CPU_MERGED;
		out++;
	}
	return out;
}

size_t bvr_merge_lates(struct bvr_late *v, size_t n)
{
	size_t out = 0;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), late_qcmp);
	for (size_t i = 0; i < n; i++) {
		if (out && !bvr_late_cmp(&v[out - 1], &v[i])) {
			v[out - 1].pkts += v[i].pkts;
			v[out - 1].bytes += v[i].bytes;
			continue;
		}
		v[out] = v[i];
		v[out].cpu = BVR_CPU_MERGED;
		out++;
	}
	return out;
}

void bvr_merge(struct bvr_records *r)
{
	r->n_flows = bvr_merge_flows(r->flows, r->n_flows);
	r->n_chans = bvr_merge_chans(r->chans, r->n_chans);
	r->n_lates = bvr_merge_lates(r->lates, r->n_lates);
}
