/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per network namespace state. One namespace is one Beaver host: a gateway,
 * a member, or neither. Everything the packet path reads is either an
 * atomic (the epochs), RCU-protected (the configuration, the cut records)
 * or owned by the current CPU (flow and channel accounting).
 */
#ifndef _BEAVER_NETNS_H
#define _BEAVER_NETNS_H

#include <linux/atomic.h>
#include <linux/hash.h>
#include <linux/list.h>
#include <linux/netfilter.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/siphash.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include "uapi/beaver.h"
#include "addr.h"
#include "records.h"
#include "fastpath.h"

#define BV_MAX_ADDRS		4096	/* members, VIPs */
#define BV_MAX_ALLOW		256	/* allow-list prefixes */
#define BV_CHAN_BUCKETS		32	/* per CPU; channels are per peer */

/*
 * Defaults; also the most a namespace may ask for unless an administrator
 * of the initial user namespace configures it
 */
#define BV_DEF_MAX_FLOWS	65536
#define BV_DEF_MAX_HISTORY	262144
#define BV_DEF_MAX_RECORDS	1024
#define BV_DEF_MAX_CAPTURES	1024

/* the configuration in force; replaced whole, freed after a grace period */
struct bv_config {
	struct rcu_head rcu;
	u32 role;
	u8 group;
	u32 flags;
	u32 settle_ms;
	u32 max_flows;
	u32 max_history;
	u32 max_records;
	u32 max_captures;
	u32 capture_bytes;
	u32 max_ahead;		/* epochs past the last commanded one */
	u32 flow_idle_ms;	/* retire flows idle this long; 0: never */
	u32 app_mark;		/* skb->mark bits for the epoch; 0: off */
	/* who configured it: what its traffic allocates is charged there */
	struct mem_cgroup *memcg;
	u32 n_members, n_vips, n_allow, n_gateways;
	/* addr.h: IPv4 mapped; sorted by bv_addr_cmp(), for bv_addr_in() */
	struct in6_addr *members;
	struct in6_addr *vips;
	/*
	 * A bit per address of each set (bv_addr_bit()): an address whose
	 * bit is clear is not in it, told without a search, and most
	 * packets have a client's address (bv_is_member(), bv_is_vip();
	 * set by bv_config_index())
	 */
	u64 members_bits, vips_bits;
	struct in6_addr *gateways;
	struct bv_prefix *allow;
	/*
	 * The allow-list as an index that does not grow per packet with it
	 * (bv_allowed()): each family's prefixes as address ranges, sorted,
	 * nested ones merged; IPv4 ones first, n_allow4 of them
	 */
	struct bv_range *allow_idx;
	u32 n_allow_idx, n_allow4;
};

/*
 * Addresses as addr.h keeps them. Hashed and compared field by field up
 * to @proto (tables.c), so the padding after it never counts.
 */
struct bv_flow_key {
	struct in6_addr laddr;
	struct in6_addr raddr;
	__be16 lport;
	__be16 rport;
	u8 proto;
};

/* TCP closing seen on a flow: it may retire without waiting idle */
#define BV_FLOW_FIN_TX	0x1
#define BV_FLOW_FIN_RX	0x2
#define BV_FLOW_RST	0x4

struct bv_flow {
	struct list_head node;
	struct bv_flow_key key;
	u8 closed;		/* BV_FLOW_* */
	/*
	 * An at-cut value could not be saved: its packets go to the
	 * aggregate from then on, and it retires at the next release that
	 * frees its epoch (tables.c)
	 */
	u8 diverted;
	unsigned long seen;	/* jiffies of its newest packet */
	struct bv_acct acct;
};

/* in-flight packets that carried one stamp and arrived at one epoch */
struct bv_inflight {
	struct bv_inflight *next;
	u32 first;		/* stamp + 1: first snapshot it is in flight for */
	u32 last;		/* member epoch when it arrived */
	u64 pkts;
	u64 bytes;
};

/*
 * Late packets: in flight for the snapshots [first, last], whose records
 * had closed when they arrived in member epoch @arrived. Reported by every
 * record of an epoch after @arrived; never changed once one could be.
 */
struct bv_late {
	struct list_head list;	/* appended: a dump's resume index holds */
	u32 first;
	u32 last;
	u32 arrived;
	u64 pkts;
	u64 bytes;
};

struct bv_chan {
	struct list_head node;
	u8 kind;		/* BEAVER_CHAN_* */
	struct in6_addr peer;	/* addr.h; :: for the aggregate kinds */
	struct bv_acct acct;
	struct bv_inflight *inflight;
	struct list_head late;	/* struct bv_late, oldest first */
};

struct bv_capture {
	struct list_head list;
	u32 stamp;
	u32 epoch;
	u64 ns;
	u32 len;
	u32 caplen;
	u8 data[];
};

/*
 * One CPU's accounting. Only the owning CPU changes it on the packet path;
 * @lock is taken there too, but it is only ever contended by control
 * operations (dump, release, flush), never by another CPU's packets.
 */
struct bv_pcpu {
	spinlock_t lock;	/* owner CPU vs. control operations only */
	/*
	 * flow_mask + 1 buckets (none without a role). Entries are appended,
	 * so a dump's resume index stays valid.
	 */
	struct list_head *flows;
	u32 flow_mask;
	struct list_head chans[BV_CHAN_BUCKETS];
	struct list_head captures;
	/* retired flows, and packets of flows that could not be tracked */
	struct bv_acct retired;
};

/* the local snapshot taken at one cut, covering epochs [first, last] */
struct bv_cut {
	struct list_head list;	/* ns->cuts, oldest first */
	struct rcu_head rcu;
	u32 first;
	u32 last;
	u64 cut_ns;
	u64 settle_deadline_ns;
	u64 complete_ns;
	u32 settle_ms;
	u64 tx_unstamped;	/* beaver_net's count at the cut */
	u64 rx_unstamped;	/* BEAVER_STAT_UNSTAMPED_MEMBER at the cut */
	u64 counters_since_ns;	/* beaver_net's, when the cut was taken */
	unsigned long flags;	/* BEAVER_CUT_F_*, set with set_bit() */
	int state;		/* BEAVER_STATE_*, read locklessly */
	bool closed;		/* in-flight arrivals now count late */
	bool gp_started;	/* first grace period under way */
	bool announced;		/* cut event sent */
};

struct bv_stats {
	u64 v[BEAVER_STAT_MAX + 1];
};

struct beaver_net {
	struct net *net;
	struct bv_config __rcu *cfg;
	struct mutex cfg_mutex;	/* serialises control operations */
	bool hooks_on;		/* netfilter hooks registered here */
	bool hooks6_on;		/* and the IPv6 ones (IPv6 not disabled) */
	bool defrag_on;		/* nf_defrag_ipv4 enabled here (members) */
	bool defrag6_on;	/* nf_defrag_ipv6 as well */
	struct nf_hook_ops hook_ops[4];	/* registered by address */

	/* gateway */
	spinlock_t gw_lock;	/* pairs gw_epoch with gw_switch_ns */
	atomic_t gw_epoch;
	u64 gw_switch_ns;

	/* gateway: the ADVANCE fast path (netfilter/fastpath.h) */
	struct bv_fp_state fp;

	/* member */
	atomic_t m_epoch;
	u64 m_switch_ns;
	/*
	 * the newest epoch a MEMBER_ADVANCE named (0: none yet): stamps
	 * count up to max_ahead past it
	 */
	u32 m_commanded;
	spinlock_t cut_lock;	/* taken once per cut, never per packet */
	struct list_head cuts;	/* RCU list of struct bv_cut */
	u32 n_cuts;
	atomic_t complete_epoch; /* epochs up to this one are complete */
	u32 generation;		/* bumped when records change structure */
	/*
	 * CLOCK_REALTIME when the counters last started (init, flush): a
	 * record carries it so that user space tells a restart apart from
	 * counters that merely grew back past where they were
	 */
	u64 counters_since_ns;
	struct delayed_work complete_work;
	struct delayed_work trust_work;	/* netfilter/trust.h */
	bool dying;

	struct bv_pcpu __percpu *pcpu;
	siphash_key_t flow_key;	/* random: nobody can aim at one bucket */
	u32 flow_buckets;	/* per CPU, under cfg_mutex */
	struct bv_budget hist_budget;
	atomic_t n_flows;
	atomic_t n_chans;
	atomic_t n_captures;
	atomic_t n_inflight;

	/*
	 * a packet was counted in no channel: the next cut after lost_after
	 * is flagged INCOMPLETE (and takes the flag off)
	 */
	u32 lost_after;
	bool flows_lost;
	/* a packet went to the retired aggregate: the next cut says so */
	bool untracked;
	/* a late packet could not be recorded: the next cut says so */
	bool late_lost;
	/* an ID stamp went unread for want of an epoch: likewise */
	bool id_unread;
	/* a packet to the group left without its stamp: likewise */
	bool tx_unstamped;
	/* and how many did since the configuration (each cut records it) */
	atomic64_t tx_unstamped_pkts;
	/*
	 * drawn by every TCP SYN without ACK a member counts: a flow entry
	 * of a connection holds a value at least that of its first SYN
	 * (records.h, BEAVER_TOT_TCP_GEN)
	 */
	atomic_t syn_gen;
	/* records dumps under way: no flow retires meanwhile */
	atomic_t dumps;

	/* per-CPU event counters; the budget's two are rare, so atomic */
	struct bv_stats __percpu *stats;
	atomic64_t hist_limit_hits;
	atomic64_t nomem;
};

struct beaver_net *beaver_pernet(struct net *net);

static inline void bv_stat_inc(struct beaver_net *bn, int stat)
{
	this_cpu_inc(bn->stats->v[stat]);
}

/* sum of a counter over all CPUs */
u64 bv_stat_read(struct beaver_net *bn, int stat);

struct bv_config *bv_config_default(void);
void bv_config_free(struct bv_config *cfg);
/* sort() order of struct in6_addr arrays (addr.h), as bv_addr_in() expects */
int bv_addr_sort_cmp(const void *a, const void *b);

/*
 * Is @addr in the sorted @set? Binary search, inline: it runs several
 * times for every packet, where bsearch()'s comparison through a function
 * pointer cost more than the search itself.
 */
static inline bool bv_addr_in(const struct in6_addr *set, u32 n,
			      const struct in6_addr *addr)
{
	u32 lo = 0, hi = n;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		int c = bv_addr_cmp(addr, &set[mid]);

		if (!c)
			return true;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

/* the bit of @a in a set's bits (struct bv_config) */
static inline u64 bv_addr_bit(const struct in6_addr *a)
{
	return 1ULL << hash_32(bv_addr_fold(a), 6);
}

static inline bool bv_is_member(const struct bv_config *cfg,
				const struct in6_addr *a)
{
	return (cfg->members_bits & bv_addr_bit(a)) &&
	       bv_addr_in(cfg->members, cfg->n_members, a);
}

static inline bool bv_is_vip(const struct bv_config *cfg,
			     const struct in6_addr *a)
{
	return (cfg->vips_bits & bv_addr_bit(a)) &&
	       bv_addr_in(cfg->vips, cfg->n_vips, a);
}

bool bv_allowed(const struct bv_config *cfg, const struct in6_addr *addr);
/*
 * (Re)build what the packets look up in, once the sets are final:
 * cfg->allow_idx from cfg->allow, the members' and VIPs' bits. 0 or
 * -ENOMEM.
 */
int bv_config_index(struct bv_config *cfg);

/* discard all accounting and records (configuration stays) */
void bv_netns_flush(struct beaver_net *bn);

int bv_netns_init(void);
void bv_netns_exit(void);

#endif /* _BEAVER_NETNS_H */
