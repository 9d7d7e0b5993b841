// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state: creation, configuration helpers, teardown.
 */
#include <linux/bsearch.h>
#include <linux/memcontrol.h>
#include <linux/slab.h>
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
	mem_cgroup_put(cfg->memcg);
	kfree(cfg);
}

int bv_addr_sort_cmp(const void *a, const void *b)
{
	return bv_addr_cmp(a, b);
}

bool bv_addr_in(const struct in6_addr *set, u32 n,
		const struct in6_addr *addr)
{
	return n && bsearch(addr, set, n, sizeof(*set), bv_addr_sort_cmp);
}

bool bv_allowed(const struct bv_config *cfg, const struct in6_addr *addr)
{
	u32 i;

	for (i = 0; i < cfg->n_allow; i++) {
		if (bv_prefix_match(&cfg->allow[i], addr))
			return true;
	}
	return false;
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
}

static int __net_init bv_net_init(struct net *net)
{
	struct beaver_net *bn = beaver_pernet(net);
	struct bv_config *cfg;
	int err = -ENOMEM;

	bn->net = net;
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
