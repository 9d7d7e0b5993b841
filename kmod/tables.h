/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU flow and channel tables. The packet path calls bv_account() with
 * bottom halves disabled, on the CPU that owns the entries it touches;
 * control operations walk every CPU's table under that CPU's lock, a batch
 * of buckets at a time, so that the packet path never waits for a whole
 * table.
 *
 * Only a namespace with a role has flow buckets: their number follows
 * max_flows (bv_tables_buckets()), and flows are placed by SipHash under a
 * key drawn when the namespace is created, so that nobody can choose
 * 5-tuples that share a bucket.
 */
#ifndef _BEAVER_TABLES_H
#define _BEAVER_TABLES_H

#include <linux/skbuff.h>
#include "netns.h"

struct bv_inflight_info {
	u32 first;		/* first snapshot it is in flight for; 0: none */
	u32 late_last;		/* late for (stamp, late_last]; 0: none */
	u32 stamp;
	const struct sk_buff *skb;	/* for capture, stamp already removed */
};

/*
 * Count packet @p of flow @key on channel (@kind, @peer): @peer as addr.h
 * keeps addresses, :: for the aggregate kinds.
 */
void bv_account(struct beaver_net *bn, const struct bv_config *cfg,
		const struct bv_flow_key *key, u8 kind,
		const struct in6_addr *peer, u32 epoch, const struct bv_pkt *p,
		const struct bv_inflight_info *inf);

/* drop accounting that only serves snapshots up to @upto */
void bv_tables_release(struct beaver_net *bn, u32 upto);
/* drop all accounting */
void bv_tables_flush(struct beaver_net *bn);

/* flow buckets per CPU for a limit of @max_flows (0: no role, none) */
u32 bv_tables_buckets(u32 max_flows);
/*
 * Give every CPU @buckets flow buckets (0: none), moving the flows there.
 * Sleeps; under cfg_mutex. Dumps under way see NLM_F_DUMP_INTR.
 */
int bv_tables_resize(struct beaver_net *bn, u32 buckets);

int bv_tables_alloc(struct beaver_net *bn);
void bv_tables_free(struct beaver_net *bn);

/* the slab caches, shared by every namespace */
int bv_tables_init(void);
void bv_tables_exit(void);
extern struct kmem_cache *bv_hist_cache;

#endif /* _BEAVER_TABLES_H */
