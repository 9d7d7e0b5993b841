/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU flow and channel tables. The packet path calls bv_account() with
 * bottom halves disabled, on the CPU that owns the entries it touches;
 * control operations walk every CPU's table under that CPU's lock.
 */
#ifndef _BEAVER_TABLES_H
#define _BEAVER_TABLES_H

#include <linux/skbuff.h>
#include "netns.h"

struct bv_inflight_info {
	u32 first;		/* first snapshot it is in flight for; 0: none */
	u32 stamp;
	const struct sk_buff *skb;	/* for capture, stamp already removed */
};

void bv_account(struct beaver_net *bn, const struct bv_config *cfg,
		const struct bv_flow_key *key, u8 kind, __be32 peer,
		u32 epoch, const struct bv_pkt *p,
		const struct bv_inflight_info *inf);

/* drop accounting that only serves snapshots up to @upto */
void bv_tables_release(struct beaver_net *bn, u32 upto);
/* drop all accounting */
void bv_tables_flush(struct beaver_net *bn);

int bv_tables_alloc(struct beaver_net *bn);
void bv_tables_free(struct beaver_net *bn);

#endif /* _BEAVER_TABLES_H */
