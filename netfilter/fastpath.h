/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The gateway's fast path for the control plane's ADVANCE (issue #12):
 * beaverd hands the module the pair keys of its coordinators
 * (BEAVER_CMD_SET_FASTPATH); a LOCAL_IN hook answers an authenticated,
 * fresh ADVANCE for the gateway role itself, without waking beaverd, and
 * leaves everything else to beaverd's socket (the user-space path stays
 * the fallback). See docs/decisions.md and docs/security.md.
 */
#ifndef _BEAVER_FASTPATH_H
#define _BEAVER_FASTPATH_H

#include <linux/netfilter.h>
#include <linux/spinlock.h>
#include "fastpath_wire.h"

#define BV_FP_MAX_PEERS	16	/* coordinator key pairs (uapi/beaver.h) */
#define BV_FP_KEY_LEN	32	/* a pair key */

struct beaver_net;
struct genl_info;
struct sk_buff;

/* one coordinator key pair the module answers */
struct bv_fp_peer {
	u32 node;
	u32 sender_key;		/* the coordinator's key id */
	u32 recipient_key;	/* ours */
	__be32 addr;		/* where its acks go */
	__be16 port;
	struct crypto_shash *tfm;	/* hmac(sha256) keyed with the pair key */
	spinlock_t lock;	/* the window */
	struct bv_fpw_window win;
};

/* the set in force; replaced whole under cfg_mutex, read under RCU */
struct bv_fp {
	u8 group;
	u32 node;		/* ours */
	__be16 port;		/* the control port */
	u32 n;
	struct bv_fp_peer peer[];
};

/* per namespace (struct beaver_net) */
struct bv_fp_state {
	struct bv_fp __rcu *set;
	atomic64_t seq;		/* the last seq the module's acks used */
	bool hook_on;
	struct nf_hook_ops ops;
};

int bv_nl_set_fastpath(struct sk_buff *skb, struct genl_info *info);
extern const struct nla_policy bv_fastpath_policy[];

/* netns teardown: hook off, keys freed; caller holds cfg_mutex */
void bv_fp_exit(struct beaver_net *bn);

#endif /* _BEAVER_FASTPATH_H */
