// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state: creation, configuration helpers, teardown.
 */
#include <linux/memcontrol.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/timekeeping.h>
#include <net/netns/generic.h>
#include "netns.h"
#include "epochs.h"
#include "tables.h"
#include "hooks.h"
#include "trust.h"

static unsigned int bv_net_id __read_mostly;

struct beaver_net *beaver_pernet(struct net *net)
{
	return net_generic(net, bv_net_id);
}

struct bv_config *bv_config_default(void)
{
	struct bv_config *cfg = kzalloc(sizeof(*cfg), GFP_KERNEL);

	if (!cfg)
		return NULL;
	cfg->role = BEAVER_ROLE_NONE;
	cfg->settle_ms = 100;
	cfg->max_flows = BV_DEF_MAX_FLOWS;
	cfg->max_history = BV_DEF_MAX_HISTORY;
	cfg->max_records = BV_DEF_MAX_RECORDS;
	cfg->max_captures = BV_DEF_MAX_CAPTURES;
	cfg->capture_bytes = 64;
	cfg->max_ahead = 1024;
	cfg->flow_idle_ms = 30000;
	return cfg;
}

void bv_config_free(struct bv_config *cfg)
{
	if (!cfg)
		return;
	kfree(cfg->members);
	kfree(cfg->vips);
	kfree(cfg->gateways);
	kfree(cfg->allow);
	kfree(cfg->allow_idx);
	mem_cgroup_put(cfg->memcg);
	kfree(cfg);
}

int bv_addr_sort_cmp(const void *a, const void *b)
{
	return bv_addr_cmp(a, b);
}

static void bv_prefix_range(const struct bv_prefix *p, struct bv_range *r)
{
	unsigned int i, bits;
	u32 mask;

	for (i = 0; i < 4; i++) {
		bits = p->len > 32 * i ? min_t(unsigned int, p->len - 32 * i, 32)
				       : 0;
		mask = bits ? ~0U << (32 - bits) : 0;
		r->lo.s6_addr32[i] = p->addr.s6_addr32[i] & htonl(mask);
		r->hi.s6_addr32[i] = p->addr.s6_addr32[i] | htonl(~mask);
	}
}

static int bv_range_cmp(const void *a, const void *b)
{
	return bv_addr_cmp(&((const struct bv_range *)a)->lo,
			   &((const struct bv_range *)b)->lo);
}

/* sort @n ranges and merge those that overlap; returns how many remain */
static u32 bv_ranges_merge(struct bv_range *r, u32 n)
{
	u32 i, k = 0;

	sort(r, n, sizeof(*r), bv_range_cmp, NULL);
	for (i = 0; i < n; i++) {
		/* prefixes nest or are disjoint: overlapping is containing */
		if (k && bv_addr_cmp(&r[i].lo, &r[k - 1].hi) <= 0) {
			if (bv_addr_cmp(&r[i].hi, &r[k - 1].hi) > 0)
				r[k - 1].hi = r[i].hi;
			continue;
		}
		r[k++] = r[i];
	}
	return k;
}

static u64 bv_addr_bits(const struct in6_addr *set, u32 n)
{
	u64 bits = 0;
	u32 i;

	for (i = 0; i < n; i++)
		bits |= bv_addr_bit(&set[i]);
	return bits;
}

int bv_config_index(struct bv_config *cfg)
{
	struct bv_range *r, *r6;
	u32 i, n4 = 0, n6 = 0;

	cfg->members_bits = bv_addr_bits(cfg->members, cfg->n_members);
	cfg->vips_bits = bv_addr_bits(cfg->vips, cfg->n_vips);
	kfree(cfg->allow_idx);
	cfg->allow_idx = NULL;
	cfg->n_allow_idx = 0;
	cfg->n_allow4 = 0;
	if (!cfg->n_allow)
		return 0;
	r = kcalloc(cfg->n_allow, sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	for (i = 0; i < cfg->n_allow; i++)
		if (cfg->allow[i].v4)
			bv_prefix_range(&cfg->allow[i], &r[n4++]);
	for (i = 0; i < cfg->n_allow; i++)
		if (!cfg->allow[i].v4)
			bv_prefix_range(&cfg->allow[i], &r[n4 + n6++]);
	r6 = r + n4;
	n4 = bv_ranges_merge(r, n4);
	n6 = bv_ranges_merge(r6, n6);
	memmove(r + n4, r6, n6 * sizeof(*r));
	cfg->allow_idx = r;
	cfg->n_allow4 = n4;
	cfg->n_allow_idx = n4 + n6;
	return 0;
}

/* is @a in one of the @n disjoint, sorted ranges @r? */
static bool bv_ranges_find(const struct bv_range *r, u32 n,
			   const struct in6_addr *a)
{
	u32 lo = 0, hi = n, mid;

	/* lo: how many ranges start at or before @a */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (bv_addr_cmp(&r[mid].lo, a) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && bv_addr_cmp(a, &r[lo - 1].hi) <= 0;
}

bool bv_allowed(const struct bv_config *cfg, const struct in6_addr *addr)
{
	/* an IPv6 prefix never covers an IPv4 host, nor the reverse */
	if (bv_addr_is4(addr))
		return bv_ranges_find(cfg->allow_idx, cfg->n_allow4, addr);
	return bv_ranges_find(cfg->allow_idx + cfg->n_allow4,
			      cfg->n_allow_idx - cfg->n_allow4, addr);
}

u64 bv_stat_read(struct beaver_net *bn, int stat)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(bn->stats, cpu)->v[stat]);
	if (stat == BEAVER_STAT_HISTORY_LIMIT)
		sum += atomic64_read(&bn->hist_limit_hits);
	else if (stat == BEAVER_STAT_NOMEM)
		sum += atomic64_read(&bn->nomem);
	return sum;
}

void bv_netns_flush(struct beaver_net *bn)
{
	int cpu;

	lockdep_assert_held(&bn->cfg_mutex);
	bv_cuts_flush(bn);
	/*
	 * The epochs are 0 now, but a packet may have read the old one and
	 * not be accounted yet: it would bring back an entry with an epoch
	 * newer than every new one (MISORDER until the next flush). Let
	 * every such packet finish first; the hooks run under RCU.
	 */
	synchronize_net();
	bv_tables_flush(bn);
	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(bn->stats, cpu), 0, sizeof(struct bv_stats));
	atomic64_set(&bn->hist_limit_hits, 0);
	atomic64_set(&bn->nomem, 0);
	WRITE_ONCE(bn->counters_since_ns, ktime_get_real_ns());
}

static int __net_init bv_net_init(struct net *net)
{
	struct beaver_net *bn = beaver_pernet(net);
	struct bv_config *cfg;
	int err = -ENOMEM;

	bn->net = net;
	bn->counters_since_ns = ktime_get_real_ns();
	mutex_init(&bn->cfg_mutex);
	bv_epochs_init(bn);
	bv_trust_init(bn);
	cfg = bv_config_default();
	if (!cfg)
		goto err;
	RCU_INIT_POINTER(bn->cfg, cfg);
	bn->stats = alloc_percpu(struct bv_stats);
	if (!bn->stats)
		goto err_cfg;
	err = bv_tables_alloc(bn);
	if (err)
		goto err_stats;
	atomic_set(&bn->hist_budget.used, 0);
	bn->hist_budget.max = cfg->max_history;
	bn->hist_budget.limit_hits = &bn->hist_limit_hits;
	bn->hist_budget.nomem = &bn->nomem;
	return 0;

err_stats:
	free_percpu(bn->stats);
err_cfg:
	bv_config_free(cfg);
err:
	return err;
}

static void __net_exit bv_net_exit(struct net *net)
{
	struct beaver_net *bn = beaver_pernet(net);

	/* no packet can reach our state once the hooks are gone */
	mutex_lock(&bn->cfg_mutex);
	bv_fp_exit(bn);
	bv_hooks_set(bn, 0);
	mutex_unlock(&bn->cfg_mutex);
	bv_epochs_exit(bn);
	bv_trust_exit(bn);
	bv_tables_free(bn);
	free_percpu(bn->stats);
	bv_config_free(rcu_dereference_protected(bn->cfg, true));
}

static struct pernet_operations bv_net_ops = {
	.init = bv_net_init,
	.exit = bv_net_exit,
	.id = &bv_net_id,
	.size = sizeof(struct beaver_net),
};

int bv_netns_init(void)
{
	return register_pernet_subsys(&bv_net_ops);
}

void bv_netns_exit(void)
{
	unregister_pernet_subsys(&bv_net_ops);
}
