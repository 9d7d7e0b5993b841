// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "beaver": see uapi/beaver.h for the API.
 *
 * Every rejection carries an extended-ack message, permission failures
 * included (the core's own GENL_ADMIN_PERM check has none, so the
 * permission check is done here).
 */
#include <linux/capability.h>
#include <linux/memcontrol.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>
#include "netlink.h"
#include "epochs.h"
#include "tables.h"
#include "hooks.h"
#include "trust.h"
#include "fastpath.h"
#include "beaver_stamp.h"
#include "app_mark.h"

#define BEAVER_MODULE_VERSION "0.1.0"

/* What GET_INFO advertises: everything, IPv6 packets included */
#define BV_CAPS BEAVER_CAP_ALL

/* genl_ops.internal_flags */
#define BV_NL_ADMIN 1

static struct genl_family bv_family;

static const struct nla_policy bv_addr_list_policy[BEAVER_A_LIST_ITEM6 + 1] = {
	[BEAVER_A_LIST_ITEM] = { .type = NLA_BE32 },
	[BEAVER_A_LIST_ITEM6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
};

/* an IPv4 prefix's 0..32 is checked once the family is known */
static const struct nla_policy bv_prefix_policy[BEAVER_A_PREFIX_MAX + 1] = {
	[BEAVER_A_PREFIX_ADDR] = { .type = NLA_BE32 },
	[BEAVER_A_PREFIX_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[BEAVER_A_PREFIX_ADDR6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
};

static const struct nla_policy bv_allow_list_policy[BEAVER_A_LIST_ITEM + 1] = {
	[BEAVER_A_LIST_ITEM] = NLA_POLICY_NESTED(bv_prefix_policy),
};

/* the policy's inline bounds are 16 bits wide: larger ones live here */
static struct netlink_range_validation bv_range_settle = {
	.min = 0, .max = 60000,
};

static struct netlink_range_validation bv_range_flows = {
	.min = 1, .max = 1 << 24,
};

static struct netlink_range_validation bv_range_history = {
	.min = 1, .max = 1 << 26,
};

static struct netlink_range_validation bv_range_records = {
	.min = 1, .max = 65536,
};

static struct netlink_range_validation bv_range_captures = {
	.min = 0, .max = 1 << 20,
};

static struct netlink_range_validation bv_range_ahead = {
	.min = 1, .max = 1 << 30,
};

static struct netlink_range_validation bv_range_idle = {
	.min = 0, .max = 86400000,	/* a day */
};

static const struct nla_policy bv_config_policy[BEAVER_A_MAX + 1] = {
	[BEAVER_A_CFG_ROLE] = NLA_POLICY_MASK(NLA_U32, BEAVER_ROLE_ALL),
	[BEAVER_A_CFG_GROUP] = NLA_POLICY_MIN(NLA_U8, 1),
	[BEAVER_A_CFG_MEMBERS] = NLA_POLICY_NESTED(bv_addr_list_policy),
	[BEAVER_A_CFG_VIPS] = NLA_POLICY_NESTED(bv_addr_list_policy),
	[BEAVER_A_CFG_ALLOW] = NLA_POLICY_NESTED(bv_allow_list_policy),
	[BEAVER_A_CFG_SETTLE_MS] = NLA_POLICY_FULL_RANGE(NLA_U32,
							 &bv_range_settle),
	[BEAVER_A_CFG_MAX_FLOWS] = NLA_POLICY_FULL_RANGE(NLA_U32,
							 &bv_range_flows),
	[BEAVER_A_CFG_MAX_HISTORY] = NLA_POLICY_FULL_RANGE(NLA_U32,
							   &bv_range_history),
	[BEAVER_A_CFG_MAX_RECORDS] = NLA_POLICY_FULL_RANGE(NLA_U32,
							   &bv_range_records),
	[BEAVER_A_CFG_MAX_CAPTURES] = NLA_POLICY_FULL_RANGE(NLA_U32,
							    &bv_range_captures),
	[BEAVER_A_CFG_CAPTURE_BYTES] = NLA_POLICY_MAX(NLA_U32, 1024),
	[BEAVER_A_CFG_FLAGS] = NLA_POLICY_MASK(NLA_U32, BEAVER_CFG_F_ALL),
	[BEAVER_A_CFG_GATEWAYS] = NLA_POLICY_NESTED(bv_addr_list_policy),
	[BEAVER_A_CFG_MAX_AHEAD] = NLA_POLICY_FULL_RANGE(NLA_U32,
							 &bv_range_ahead),
	[BEAVER_A_CFG_FLOW_IDLE_MS] = NLA_POLICY_FULL_RANGE(NLA_U32,
							    &bv_range_idle),
	[BEAVER_A_CFG_APP_MARK] = { .type = NLA_U32 },
};

static const struct nla_policy bv_epoch_policy[BEAVER_A_MAX + 1] = {
	[BEAVER_A_EPOCH] = NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy bv_advance_policy[BEAVER_A_MAX + 1] = {
	[BEAVER_A_EPOCH] = NLA_POLICY_MIN(NLA_U32, 1),
	[BEAVER_A_ANNOUNCE] = { .type = NLA_FLAG },
};

static int bv_check_admin(const struct sk_buff *skb, struct net *net,
			  struct netlink_ext_ack *extack)
{
	if (netlink_ns_capable(skb, net->user_ns, CAP_NET_ADMIN))
		return 0;
	NL_SET_ERR_MSG_MOD(extack,
			   "CAP_NET_ADMIN in the namespace is needed for this");
	return -EPERM;
}

static int bv_pre_doit(const struct genl_ops *ops, struct sk_buff *skb,
		       struct genl_info *info)
{
	if (ops->internal_flags & BV_NL_ADMIN)
		return bv_check_admin(skb, genl_info_net(info), info->extack);
	return 0;
}

static int bv_need_epoch(struct genl_info *info, u32 *epoch)
{
	if (!info->attrs[BEAVER_A_EPOCH]) {
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, BEAVER_A_EPOCH);
		NL_SET_ERR_MSG_MOD(info->extack, "an epoch is required");
		return -EINVAL;
	}
	*epoch = nla_get_u32(info->attrs[BEAVER_A_EPOCH]);
	return 0;
}

static struct sk_buff *bv_reply_new(struct genl_info *info, void **hdr)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);

	if (!msg)
		return NULL;
	*hdr = genlmsg_put_reply(msg, info, &bv_family, 0, info->genlhdr->cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

struct sk_buff *bv_nl_reply_new(struct genl_info *info, void **hdr)
{
	return bv_reply_new(info, hdr);
}

static int bv_reply_send(struct sk_buff *msg, void *hdr,
			 struct genl_info *info)
{
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* ---- GET_INFO ---------------------------------------------------------- */

static int bv_nl_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = bv_reply_new(info, &hdr);
	if (!msg)
		return -ENOMEM;
	if (nla_put_string(msg, BEAVER_A_INFO_VERSION, BEAVER_MODULE_VERSION) ||
	    nla_put_u64_64bit(msg, BEAVER_A_INFO_CAPS, BV_CAPS, BEAVER_A_PAD) ||
	    nla_put_u32(msg, BEAVER_A_INFO_STAMP_LEN, BEAVER_OPT_LEN)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return bv_reply_send(msg, hdr, info);
}

/* ---- SET_CONFIG -------------------------------------------------------- */

/*
 * An IPv6 address of the configuration: neither IPv4-mapped (addr.h keeps
 * IPv4 that way: it would stand for an IPv4 host) nor :: (the aggregate
 * channels' peer, and nobody's address)
 */
static int bv_check_addr6(const struct nlattr *a, const struct in6_addr *addr,
			  struct netlink_ext_ack *extack)
{
	if (bv_addr_is4(addr)) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "an IPv4-mapped address goes as IPv4, not as IPv6");
		return -EINVAL;
	}
	if (ipv6_addr_any(addr)) {
		NL_SET_ERR_MSG_ATTR(extack, a, "the unspecified address :: is nobody's");
		return -EINVAL;
	}
	return 0;
}

/* one element of a list of addresses, either family (addr.h) */
static int bv_parse_addr(const struct nlattr *a, struct in6_addr *addr,
			 struct netlink_ext_ack *extack)
{
	switch (nla_type(a)) {
	case BEAVER_A_LIST_ITEM:
		bv_addr_set4(addr, nla_get_be32(a));
		return 0;
	case BEAVER_A_LIST_ITEM6:
		*addr = nla_get_in6_addr(a);
		return bv_check_addr6(a, addr, extack);
	}
	NL_SET_ERR_MSG_ATTR(extack, a, "unknown list element type");
	return -EINVAL;
}

/* parse a list of addresses into a sorted array without duplicates */
static int bv_parse_addrs(const struct nlattr *nest, struct in6_addr **out,
			  u32 *n, struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	struct in6_addr *set;
	u32 i, cnt = 0;
	int rem, err;

	nla_for_each_nested(a, nest, rem)
		cnt++;
	if (cnt > BV_MAX_ADDRS) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "too many addresses");
		return -E2BIG;
	}
	set = kcalloc(max_t(u32, cnt, 1), sizeof(*set), GFP_KERNEL);
	if (!set)
		return -ENOMEM;
	cnt = 0;
	nla_for_each_nested(a, nest, rem) {
		err = bv_parse_addr(a, &set[cnt++], extack);
		if (err) {
			kfree(set);
			return err;
		}
	}
	sort(set, cnt, sizeof(*set), bv_addr_sort_cmp, NULL);
	for (i = 1, *n = cnt ? 1 : 0; i < cnt; i++) {
		if (!ipv6_addr_equal(&set[i], &set[*n - 1]))
			set[(*n)++] = set[i];
	}
	kfree(*out);
	*out = set;
	return 0;
}

/* one allow-list prefix, either family: see struct bv_prefix (addr.h) */
static int bv_parse_prefix(const struct nlattr *a, struct nlattr **tb,
			   struct bv_prefix *p, struct netlink_ext_ack *extack)
{
	struct in6_addr net;
	int err;

	if ((!tb[BEAVER_A_PREFIX_ADDR] == !tb[BEAVER_A_PREFIX_ADDR6]) ||
	    !tb[BEAVER_A_PREFIX_LEN]) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "a prefix needs an address and a length");
		return -EINVAL;
	}
	p->len = nla_get_u8(tb[BEAVER_A_PREFIX_LEN]);
	p->v4 = !!tb[BEAVER_A_PREFIX_ADDR];
	if (p->v4) {
		/* the policy allows 128, for IPv6: ERANGE as its own would */
		if (p->len > 32) {
			NL_SET_ERR_MSG_ATTR(extack, tb[BEAVER_A_PREFIX_LEN],
					    "an IPv4 prefix length is 0..32");
			return -ERANGE;
		}
		bv_addr_set4(&p->addr, nla_get_be32(tb[BEAVER_A_PREFIX_ADDR]));
		p->len += 96;
	} else {
		p->addr = nla_get_in6_addr(tb[BEAVER_A_PREFIX_ADDR6]);
		/* :: is fine here: ::/0 allows every IPv6 host */
		if (bv_addr_is4(&p->addr)) {
			err = bv_check_addr6(tb[BEAVER_A_PREFIX_ADDR6],
					     &p->addr, extack);
			if (err)
				return err;
		}
	}
	ipv6_addr_prefix(&net, &p->addr, p->len);
	if (!ipv6_addr_equal(&net, &p->addr)) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "invalid prefix for given prefix length");
		return -EINVAL;
	}
	return 0;
}

static int bv_parse_allow(const struct nlattr *nest, struct bv_config *cfg,
			  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[BEAVER_A_PREFIX_MAX + 1];
	const struct nlattr *a;
	struct bv_prefix *allow;
	u32 cnt = 0;
	int rem, err;

	nla_for_each_nested(a, nest, rem)
		cnt++;
	if (cnt > BV_MAX_ALLOW) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "too many allow-list prefixes");
		return -E2BIG;
	}
	allow = kcalloc(max_t(u32, cnt, 1), sizeof(*allow), GFP_KERNEL);
	if (!allow)
		return -ENOMEM;
	cnt = 0;
	nla_for_each_nested(a, nest, rem) {
		err = nla_parse_nested(tb, BEAVER_A_PREFIX_MAX, a,
				       bv_prefix_policy, extack);
		if (!err)
			err = bv_parse_prefix(a, tb, &allow[cnt++], extack);
		if (err)
			goto err;
	}
	kfree(cfg->allow);
	cfg->allow = allow;
	cfg->n_allow = cnt;
	return 0;
err:
	kfree(allow);
	return err;
}

static struct bv_config *bv_config_dup(const struct bv_config *old)
{
	struct bv_config *cfg = kmemdup(old, sizeof(*old), GFP_KERNEL);

	if (!cfg)
		return NULL;
	cfg->memcg = NULL;	/* bv_nl_set_config() takes its own */
	cfg->allow_idx = NULL;	/* bv_config_apply() builds its own */
	cfg->members = kmemdup(old->members ?: (void *)cfg,
			       max_t(u32, old->n_members, 1) *
			       sizeof(struct in6_addr),
			       GFP_KERNEL);
	cfg->vips = kmemdup(old->vips ?: (void *)cfg,
			    max_t(u32, old->n_vips, 1) *
			    sizeof(struct in6_addr),
			    GFP_KERNEL);
	cfg->gateways = kmemdup(old->gateways ?: (void *)cfg,
				max_t(u32, old->n_gateways, 1) *
				sizeof(struct in6_addr),
				GFP_KERNEL);
	cfg->allow = kmemdup(old->allow ?: (void *)cfg,
			     max_t(u32, old->n_allow, 1) *
			     sizeof(struct bv_prefix), GFP_KERNEL);
	if (!cfg->members || !cfg->vips || !cfg->gateways || !cfg->allow) {
		bv_config_free(cfg);
		return NULL;
	}
	return cfg;
}

static void bv_config_free_rcu(struct rcu_head *head)
{
	bv_config_free(container_of(head, struct bv_config, rcu));
}

static u32 *bv_cfg_u32(struct bv_config *cfg, int attr)
{
	switch (attr) {
	case BEAVER_A_CFG_SETTLE_MS:	return &cfg->settle_ms;
	case BEAVER_A_CFG_MAX_FLOWS:	return &cfg->max_flows;
	case BEAVER_A_CFG_MAX_HISTORY:	return &cfg->max_history;
	case BEAVER_A_CFG_MAX_RECORDS:	return &cfg->max_records;
	case BEAVER_A_CFG_MAX_CAPTURES:	return &cfg->max_captures;
	case BEAVER_A_CFG_CAPTURE_BYTES: return &cfg->capture_bytes;
	case BEAVER_A_CFG_FLAGS:	return &cfg->flags;
	case BEAVER_A_CFG_ROLE:		return &cfg->role;
	}
	return NULL;
}

static int bv_config_apply(struct bv_config *cfg, struct nlattr **tb,
			   struct netlink_ext_ack *extack)
{
	int attr, err;

	for (attr = BEAVER_A_CFG_ROLE; attr <= BEAVER_A_CFG_FLAGS; attr++) {
		u32 *field = bv_cfg_u32(cfg, attr);

		if (field && tb[attr])
			*field = nla_get_u32(tb[attr]);
	}
	if (tb[BEAVER_A_CFG_GROUP])
		cfg->group = nla_get_u8(tb[BEAVER_A_CFG_GROUP]);
	if (tb[BEAVER_A_CFG_MEMBERS]) {
		err = bv_parse_addrs(tb[BEAVER_A_CFG_MEMBERS], &cfg->members,
				     &cfg->n_members, extack);
		if (err)
			return err;
	}
	if (tb[BEAVER_A_CFG_VIPS]) {
		err = bv_parse_addrs(tb[BEAVER_A_CFG_VIPS], &cfg->vips,
				     &cfg->n_vips, extack);
		if (err)
			return err;
	}
	if (tb[BEAVER_A_CFG_GATEWAYS]) {
		err = bv_parse_addrs(tb[BEAVER_A_CFG_GATEWAYS], &cfg->gateways,
				     &cfg->n_gateways, extack);
		if (err)
			return err;
	}
	if (tb[BEAVER_A_CFG_MAX_AHEAD])
		cfg->max_ahead = nla_get_u32(tb[BEAVER_A_CFG_MAX_AHEAD]);
	if (tb[BEAVER_A_CFG_FLOW_IDLE_MS])
		cfg->flow_idle_ms = nla_get_u32(tb[BEAVER_A_CFG_FLOW_IDLE_MS]);
	if (tb[BEAVER_A_CFG_APP_MARK]) {
		cfg->app_mark = nla_get_u32(tb[BEAVER_A_CFG_APP_MARK]);
		if (!bv_app_mark_valid(cfg->app_mark)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[BEAVER_A_CFG_APP_MARK],
					    "app mark: one run of at least 2 contiguous bits, or 0");
			return -EINVAL;
		}
	}
	if (tb[BEAVER_A_CFG_ALLOW]) {
		err = bv_parse_allow(tb[BEAVER_A_CFG_ALLOW], cfg, extack);
		if (err)
			return err;
	}
	if (cfg->role == BEAVER_ROLE_ALL) {
		NL_SET_ERR_MSG_ATTR(extack, tb[BEAVER_A_CFG_ROLE],
				    "a namespace is either a gateway or a member, not both");
		return -EINVAL;
	}
	if (cfg->role && !cfg->group) {
		NL_SET_ERR_MSG_MOD(extack, "a role needs a group id (1-255)");
		return -EINVAL;
	}
	return bv_config_index(cfg);
}

/*
 * Limits beyond the defaults pin memory that the namespace's own memory
 * cgroup may not see whole (what softirq allocates for it is charged to
 * the configuring task's cgroup): only an administrator of the initial
 * user namespace may raise them.
 */
static int bv_config_caps(const struct sk_buff *skb,
			  const struct bv_config *cfg,
			  struct netlink_ext_ack *extack)
{
	if (netlink_capable(skb, CAP_NET_ADMIN))
		return 0;
	if (cfg->max_flows <= BV_DEF_MAX_FLOWS &&
	    cfg->max_history <= BV_DEF_MAX_HISTORY &&
	    cfg->max_records <= BV_DEF_MAX_RECORDS &&
	    cfg->max_captures <= BV_DEF_MAX_CAPTURES)
		return 0;
	NL_SET_ERR_MSG_MOD(extack,
			   "limits above the defaults need CAP_NET_ADMIN in the initial user namespace");
	return -EPERM;
}

static int bv_nl_set_config(struct sk_buff *skb, struct genl_info *info)
{
	struct beaver_net *bn = beaver_pernet(genl_info_net(info));
	struct bv_config *old, *cfg;
	bool reset;
	int err;

	mutex_lock(&bn->cfg_mutex);
	old = rcu_dereference_protected(bn->cfg,
					lockdep_is_held(&bn->cfg_mutex));
	cfg = bv_config_dup(old);
	err = -ENOMEM;
	if (!cfg)
		goto out;
	err = bv_config_apply(cfg, info->attrs, info->extack);
	if (!err)
		err = bv_config_caps(skb, cfg, info->extack);
	if (err)
		goto out_free;
	cfg->memcg = get_mem_cgroup_from_mm(current->mm);

	if (cfg->role) {
		/* before the first packet of the role: buckets for max_flows */
		err = bv_tables_resize(bn, bv_tables_buckets(cfg->max_flows));
		if (err) {
			NL_SET_ERR_MSG_MOD(info->extack,
					   "no memory for the flow table of max_flows");
			goto out_free;
		}
		err = bv_hooks_set(bn, cfg->role);
		if (err) {
			NL_SET_ERR_MSG_MOD(info->extack,
					   "could not register netfilter hooks");
			goto out_free;
		}
	}
	/* a new role or group is a different snapshot domain */
	reset = cfg->role != old->role || cfg->group != old->group;
	bn->hist_budget.max = cfg->max_history;
	rcu_assign_pointer(bn->cfg, cfg);
	if (!cfg->role)
		bv_hooks_set(bn, 0);
	if (reset) {
		/* packets still using the old role must be done first */
		synchronize_rcu();
		bv_netns_flush(bn);
	}
	/* no role, no table: only namespaces that take part pay for one */
	if (!cfg->role)
		bv_tables_resize(bn, 0);
	call_rcu(&old->rcu, bv_config_free_rcu);
	/* a member's gateways, resolved before their first stamp */
	bv_trust_kick(bn);
	mutex_unlock(&bn->cfg_mutex);
	return 0;

out_free:
	bv_config_free(cfg);
out:
	mutex_unlock(&bn->cfg_mutex);
	return err;
}

/* ---- advance ----------------------------------------------------------- */

static int bv_advance_reply(struct genl_info *info, u32 prev, u32 now,
			    u64 ns, bool moved)
{
	struct sk_buff *msg;
	void *hdr;

	msg = bv_reply_new(info, &hdr);
	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, BEAVER_A_PREV_EPOCH, prev) ||
	    nla_put_u32(msg, BEAVER_A_EPOCH, now) ||
	    nla_put_u64_64bit(msg, BEAVER_A_SWITCH_NS, ns, BEAVER_A_PAD) ||
	    nla_put_u8(msg, BEAVER_A_ADVANCED, moved)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return bv_reply_send(msg, hdr, info);
}

static bool bv_has_role(struct beaver_net *bn, u32 role,
			struct netlink_ext_ack *extack)
{
	bool ok;

	rcu_read_lock();
	ok = rcu_dereference(bn->cfg)->role & role;
	rcu_read_unlock();
	if (ok)
		return true;
	if (role == BEAVER_ROLE_GATEWAY)
		NL_SET_ERR_MSG_MOD(extack, "this namespace is not a gateway");
	else
		NL_SET_ERR_MSG_MOD(extack, "this namespace is not a member");
	return false;
}

/* GW_ADVANCE and MEMBER_ADVANCE: the same request, the role's epoch */
static int bv_nl_advance(struct genl_info *info, u32 role)
{
	struct beaver_net *bn = beaver_pernet(genl_info_net(info));
	u32 e, prev, now;
	bool moved;
	u64 ns;
	int err;

	err = bv_need_epoch(info, &e);
	if (err)
		return err;
	if (!bv_has_role(bn, role, info->extack))
		return -EOPNOTSUPP;
	if (role == BEAVER_ROLE_GATEWAY) {
		/* (GW_ADVANCE's policy refuses BEAVER_A_ANNOUNCE) */
		moved = bv_gw_advance(bn, e, &prev, &now, &ns);
	} else if (info->attrs[BEAVER_A_ANNOUNCE]) {
		bv_member_commanded(bn, e);
		prev = atomic_read(&bn->m_epoch);
		now = prev;
		ns = READ_ONCE(bn->m_switch_ns);
		moved = false;
	} else {
		rcu_read_lock();
		prev = atomic_read(&bn->m_epoch);
		now = bv_member_advance(bn, rcu_dereference(bn->cfg), e, true,
					&moved);
		ns = READ_ONCE(bn->m_switch_ns);
		rcu_read_unlock();
	}
	return bv_advance_reply(info, prev, now, ns, moved);
}

static int bv_nl_gw_advance(struct sk_buff *skb, struct genl_info *info)
{
	return bv_nl_advance(info, BEAVER_ROLE_GATEWAY);
}

static int bv_nl_member_advance(struct sk_buff *skb, struct genl_info *info)
{
	return bv_nl_advance(info, BEAVER_ROLE_MEMBER);
}

/* ---- GET_STATUS -------------------------------------------------------- */

/*
 * An address as the API carries it: IPv4 (addr.h's mapped form) as @attr4,
 * NLA_BE32, exactly as before IPv6; IPv6 as @attr6, 16 bytes
 */
static int bv_put_addr(struct sk_buff *msg, int attr4, int attr6,
		       const struct in6_addr *a)
{
	if (bv_addr_is4(a))
		return nla_put_be32(msg, attr4, bv_addr_get4(a));
	return nla_put_in6_addr(msg, attr6, a);
}

/* a channel's peer: the aggregates' :: is 0.0.0.0, as it always was */
static int bv_put_peer(struct sk_buff *msg, int attr4, int attr6,
		       const struct in6_addr *a)
{
	if (ipv6_addr_any(a))
		return nla_put_be32(msg, attr4, 0);
	return bv_put_addr(msg, attr4, attr6, a);
}

/* what bv_put_addrs() puts for the elements of @set */
static size_t bv_addrs_size(const struct in6_addr *set, u32 n)
{
	size_t size = 0;
	u32 i;

	for (i = 0; i < n; i++)
		size += nla_total_size(bv_addr_is4(&set[i]) ? sizeof(__be32) :
				       sizeof(struct in6_addr));
	return size;
}

static int bv_put_addrs(struct sk_buff *msg, int attr,
			const struct in6_addr *set, u32 n)
{
	struct nlattr *nest = nla_nest_start(msg, attr);
	u32 i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < n; i++) {
		if (bv_put_addr(msg, BEAVER_A_LIST_ITEM, BEAVER_A_LIST_ITEM6,
				&set[i]))
			return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

static int bv_put_config(struct sk_buff *msg, const struct bv_config *cfg)
{
	struct nlattr *nest, *item;
	u32 i;

	if (nla_put_u32(msg, BEAVER_A_CFG_ROLE, cfg->role) ||
	    (cfg->group && nla_put_u8(msg, BEAVER_A_CFG_GROUP, cfg->group)) ||
	    nla_put_u32(msg, BEAVER_A_CFG_SETTLE_MS, cfg->settle_ms) ||
	    nla_put_u32(msg, BEAVER_A_CFG_MAX_FLOWS, cfg->max_flows) ||
	    nla_put_u32(msg, BEAVER_A_CFG_MAX_HISTORY, cfg->max_history) ||
	    nla_put_u32(msg, BEAVER_A_CFG_MAX_RECORDS, cfg->max_records) ||
	    nla_put_u32(msg, BEAVER_A_CFG_MAX_CAPTURES, cfg->max_captures) ||
	    nla_put_u32(msg, BEAVER_A_CFG_CAPTURE_BYTES, cfg->capture_bytes) ||
	    nla_put_u32(msg, BEAVER_A_CFG_FLAGS, cfg->flags) ||
	    bv_put_addrs(msg, BEAVER_A_CFG_MEMBERS, cfg->members,
			 cfg->n_members) ||
	    bv_put_addrs(msg, BEAVER_A_CFG_VIPS, cfg->vips, cfg->n_vips) ||
	    bv_put_addrs(msg, BEAVER_A_CFG_GATEWAYS, cfg->gateways,
			 cfg->n_gateways) ||
	    nla_put_u32(msg, BEAVER_A_CFG_MAX_AHEAD, cfg->max_ahead) ||
	    nla_put_u32(msg, BEAVER_A_CFG_FLOW_IDLE_MS, cfg->flow_idle_ms) ||
	    nla_put_u32(msg, BEAVER_A_CFG_APP_MARK, cfg->app_mark))
		return -EMSGSIZE;
	nest = nla_nest_start(msg, BEAVER_A_CFG_ALLOW);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < cfg->n_allow; i++) {
		item = nla_nest_start(msg, BEAVER_A_LIST_ITEM);
		if (!item ||
		    bv_put_addr(msg, BEAVER_A_PREFIX_ADDR, BEAVER_A_PREFIX_ADDR6,
				&cfg->allow[i].addr) ||
		    nla_put_u8(msg, BEAVER_A_PREFIX_LEN,
			       bv_prefix_len(&cfg->allow[i])))
			return -EMSGSIZE;
		nla_nest_end(msg, item);
	}
	nla_nest_end(msg, nest);
	return 0;
}

static int bv_put_counters(struct sk_buff *msg, struct beaver_net *bn)
{
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(msg, BEAVER_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 1; i <= BEAVER_STAT_MAX; i++) {
		if (nla_put_u64_64bit(msg, i, bv_stat_read(bn, i),
				      BEAVER_STAT_UNSPEC))
			return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);

	nest = nla_nest_start(msg, BEAVER_A_OBJECTS);
	if (!nest ||
	    nla_put_u64_64bit(msg, BEAVER_OBJ_FLOWS,
			      atomic_read(&bn->n_flows), BEAVER_OBJ_UNSPEC) ||
	    nla_put_u64_64bit(msg, BEAVER_OBJ_CHANNELS,
			      atomic_read(&bn->n_chans), BEAVER_OBJ_UNSPEC) ||
	    nla_put_u64_64bit(msg, BEAVER_OBJ_HISTORY,
			      atomic_read(&bn->hist_budget.used),
			      BEAVER_OBJ_UNSPEC) ||
	    nla_put_u64_64bit(msg, BEAVER_OBJ_RECORDS, READ_ONCE(bn->n_cuts),
			      BEAVER_OBJ_UNSPEC) ||
	    nla_put_u64_64bit(msg, BEAVER_OBJ_CAPTURES,
			      atomic_read(&bn->n_captures),
			      BEAVER_OBJ_UNSPEC) ||
	    nla_put_u64_64bit(msg, BEAVER_OBJ_INFLIGHT,
			      atomic_read(&bn->n_inflight), BEAVER_OBJ_UNSPEC))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int bv_nl_get_status(struct sk_buff *skb, struct genl_info *info)
{
	struct beaver_net *bn = beaver_pernet(genl_info_net(info));
	const struct bv_config *cfg;
	struct sk_buff *msg;
	void *hdr;
	int err;

	mutex_lock(&bn->cfg_mutex);
	cfg = rcu_dereference_protected(bn->cfg,
					lockdep_is_held(&bn->cfg_mutex));
	/* sized to what this namespace has, not to what it could have */
	msg = genlmsg_new(2 * NLMSG_GOODSIZE +
			  bv_addrs_size(cfg->members, cfg->n_members) +
			  bv_addrs_size(cfg->vips, cfg->n_vips) +
			  bv_addrs_size(cfg->gateways, cfg->n_gateways) +
			  nla_total_size(nla_total_size(sizeof(struct in6_addr)) +
					 nla_total_size(sizeof(u8))) *
			  cfg->n_allow, GFP_KERNEL);
	if (!msg) {
		mutex_unlock(&bn->cfg_mutex);
		return -ENOMEM;
	}
	hdr = genlmsg_put_reply(msg, info, &bv_family, 0, info->genlhdr->cmd);
	if (!hdr) {
		mutex_unlock(&bn->cfg_mutex);
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	err = bv_put_config(msg, cfg);
	if (!err &&
	    (nla_put_u32(msg, BEAVER_A_GW_EPOCH, atomic_read(&bn->gw_epoch)) ||
	     nla_put_u32(msg, BEAVER_A_MEMBER_EPOCH,
			 atomic_read(&bn->m_epoch)) ||
	     nla_put_u64_64bit(msg, BEAVER_A_SWITCH_NS,
			       READ_ONCE(bn->m_switch_ns) ?:
			       READ_ONCE(bn->gw_switch_ns), BEAVER_A_PAD) ||
	     nla_put_u32(msg, BEAVER_A_COMPLETE_EPOCH,
			 atomic_read(&bn->complete_epoch)) ||
	     nla_put_u32(msg, BEAVER_A_GENERATION, bn->generation)))
		err = -EMSGSIZE;
	if (!err)
		err = bv_put_counters(msg, bn);
	mutex_unlock(&bn->cfg_mutex);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return bv_reply_send(msg, hdr, info);
}

/* ---- records: cut record encoding, dump -------------------------------- */

static int bv_put_cut(struct sk_buff *msg, const struct bv_cut *c)
{
	struct nlattr *nest = nla_nest_start(msg, BEAVER_A_CUT);

	if (!nest ||
	    nla_put_u32(msg, BEAVER_A_CUT_FIRST, c->first) ||
	    nla_put_u32(msg, BEAVER_A_CUT_LAST, c->last) ||
	    nla_put_u64_64bit(msg, BEAVER_A_CUT_NS, c->cut_ns,
			      BEAVER_A_CUT_PAD) ||
	    nla_put_u32(msg, BEAVER_A_CUT_STATE, READ_ONCE(c->state)) ||
	    nla_put_u32(msg, BEAVER_A_CUT_FLAGS, READ_ONCE(c->flags)) ||
	    nla_put_u32(msg, BEAVER_A_CUT_SETTLE_MS, c->settle_ms) ||
	    nla_put_u64_64bit(msg, BEAVER_A_CUT_COMPLETE_NS,
			      READ_ONCE(c->complete_ns), BEAVER_A_CUT_PAD) ||
	    nla_put_u64_64bit(msg, BEAVER_A_CUT_TX_UNSTAMPED, c->tx_unstamped,
			      BEAVER_A_CUT_PAD) ||
	    nla_put_u64_64bit(msg, BEAVER_A_CUT_RX_UNSTAMPED, c->rx_unstamped,
			      BEAVER_A_CUT_PAD) ||
	    nla_put_u64_64bit(msg, BEAVER_A_CUT_COUNTERS_SINCE,
			      c->counters_since_ns, BEAVER_A_CUT_PAD))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

void bv_nl_notify_cut(struct beaver_net *bn, const struct bv_cut *c, u8 cmd)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	void *hdr;

	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &bv_family, 0, cmd);
	if (!hdr || nla_put_u32(msg, BEAVER_A_EPOCH, c->last) ||
	    bv_put_cut(msg, c)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&bv_family, bn->net, msg, 0, 0, GFP_KERNEL);
}

static int bv_put_totals(struct sk_buff *msg, int attr,
			 const struct bv_totals *t)
{
	struct nlattr *nest = nla_nest_start(msg, attr);

	if (!nest ||
	    nla_put_u64_64bit(msg, BEAVER_TOT_TX_PKTS, t->tx_pkts,
			      BEAVER_TOT_PAD) ||
	    nla_put_u64_64bit(msg, BEAVER_TOT_TX_BYTES, t->tx_bytes,
			      BEAVER_TOT_PAD) ||
	    nla_put_u64_64bit(msg, BEAVER_TOT_RX_PKTS, t->rx_pkts,
			      BEAVER_TOT_PAD) ||
	    nla_put_u64_64bit(msg, BEAVER_TOT_RX_BYTES, t->rx_bytes,
			      BEAVER_TOT_PAD) ||
	    (t->tx_seq_valid &&
	     nla_put_u32(msg, BEAVER_TOT_TX_SEQ, t->tx_seq)) ||
	    (t->rx_seq_valid &&
	     nla_put_u32(msg, BEAVER_TOT_RX_SEQ, t->rx_seq)) ||
	    (t->has_gen &&
	     nla_put_u32(msg, BEAVER_TOT_TCP_GEN, t->gen)) ||
	    (t->tx_isn_valid &&
	     nla_put_u32(msg, BEAVER_TOT_TX_ISN, t->tx_isn)) ||
	    (t->rx_isn_valid &&
	     nla_put_u32(msg, BEAVER_TOT_RX_ISN, t->rx_isn)) ||
	    (t->tcp &&
	     nla_put_u32(msg, BEAVER_TOT_TCP_FLAGS, t->tcp)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/* where a dump stands; lives in netlink_callback.ctx */
struct bv_dump {
	u32 checked;
	u32 epoch;
	u32 phase;
	u32 cpu;
	u32 bucket;
	u32 idx;
	u32 sub;	/* late entries of the channel at idx done */
};

enum { BV_DUMP_CUT, BV_DUMP_FLOWS, BV_DUMP_RETIRED, BV_DUMP_CHANS,
	BV_DUMP_LATE, BV_DUMP_CAPS, BV_DUMP_DONE };

static void *bv_dump_hdr(struct sk_buff *skb, struct netlink_callback *cb,
			 u32 epoch)
{
	void *hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				cb->nlh->nlmsg_seq, &bv_family, NLM_F_MULTI,
				BEAVER_CMD_GET_RECORDS);

	if (!hdr)
		return NULL;
	genl_dump_check_consistent(cb, hdr);
	if (nla_put_u32(skb, BEAVER_A_EPOCH, epoch)) {
		genlmsg_cancel(skb, hdr);
		return NULL;
	}
	return hdr;
}

static int bv_put_flow(struct sk_buff *msg, const struct bv_flow *f, int cpu,
		       const struct bv_totals *t)
{
	struct nlattr *nest = nla_nest_start(msg, BEAVER_A_FLOW);

	if (!nest ||
	    nla_put_u8(msg, BEAVER_A_FLOW_PROTO, f->key.proto) ||
	    bv_put_addr(msg, BEAVER_A_FLOW_LADDR, BEAVER_A_FLOW_LADDR6,
			&f->key.laddr) ||
	    bv_put_addr(msg, BEAVER_A_FLOW_RADDR, BEAVER_A_FLOW_RADDR6,
			&f->key.raddr) ||
	    nla_put_be16(msg, BEAVER_A_FLOW_LPORT, f->key.lport) ||
	    nla_put_be16(msg, BEAVER_A_FLOW_RPORT, f->key.rport) ||
	    nla_put_u32(msg, BEAVER_A_FLOW_CPU, cpu) ||
	    bv_put_totals(msg, BEAVER_A_FLOW_TOTALS, t))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/* one CPU's retired aggregate at the cut; nothing if it holds nothing */
static int bv_dump_retired(struct sk_buff *skb, struct netlink_callback *cb,
			   struct bv_dump *d, const struct bv_acct *a)
{
	struct bv_totals t;
	struct nlattr *nest;
	void *hdr;

	if (d->idx || !bv_acct_at_cut(a, d->epoch, &t) ||
	    !(t.tx_pkts | t.rx_pkts))
		return 0;
	hdr = bv_dump_hdr(skb, cb, d->epoch);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, BEAVER_A_RETIRED);
	if (!nest || nla_put_u32(skb, BEAVER_A_FLOW_CPU, d->cpu) ||
	    bv_put_totals(skb, BEAVER_A_FLOW_TOTALS, &t)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	d->idx = 1;
	return 0;
}

static void bv_chan_inflight(const struct bv_chan *ch, u32 e, u64 *pkts,
			     u64 *bytes)
{
	const struct bv_inflight *in;

	*pkts = 0;
	*bytes = 0;
	for (in = ch->inflight; in; in = in->next) {
		if (bv_epoch_in(e, in->first, in->last)) {
			*pkts += in->pkts;
			*bytes += in->bytes;
		}
	}
}

static int bv_put_chan(struct sk_buff *msg, const struct bv_chan *ch,
		       int cpu, u32 e, const struct bv_totals *t)
{
	struct nlattr *nest;
	u64 pkts, bytes;

	bv_chan_inflight(ch, e, &pkts, &bytes);
	nest = nla_nest_start(msg, BEAVER_A_CHANNEL);
	if (!nest ||
	    nla_put_u8(msg, BEAVER_A_CHAN_KIND, ch->kind) ||
	    bv_put_peer(msg, BEAVER_A_CHAN_PEER, BEAVER_A_CHAN_PEER6,
			&ch->peer) ||
	    nla_put_u32(msg, BEAVER_A_CHAN_CPU, cpu) ||
	    bv_put_totals(msg, BEAVER_A_CHAN_TOTALS, t) ||
	    nla_put_u64_64bit(msg, BEAVER_A_CHAN_INFLIGHT_PKTS, pkts,
			      BEAVER_A_CHAN_PAD) ||
	    nla_put_u64_64bit(msg, BEAVER_A_CHAN_INFLIGHT_BYTES, bytes,
			      BEAVER_A_CHAN_PAD))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int bv_put_late(struct sk_buff *msg, const struct bv_chan *ch,
		       int cpu, const struct bv_late *l)
{
	struct nlattr *nest = nla_nest_start(msg, BEAVER_A_LATE);

	if (!nest ||
	    nla_put_u8(msg, BEAVER_A_LATE_KIND, ch->kind) ||
	    bv_put_peer(msg, BEAVER_A_LATE_PEER, BEAVER_A_LATE_PEER6,
			&ch->peer) ||
	    nla_put_u32(msg, BEAVER_A_LATE_CPU, cpu) ||
	    nla_put_u32(msg, BEAVER_A_LATE_FIRST, l->first) ||
	    nla_put_u32(msg, BEAVER_A_LATE_LAST, l->last) ||
	    nla_put_u32(msg, BEAVER_A_LATE_ARRIVED, l->arrived) ||
	    nla_put_u64_64bit(msg, BEAVER_A_LATE_PKTS, l->pkts,
			      BEAVER_A_LATE_PAD) ||
	    nla_put_u64_64bit(msg, BEAVER_A_LATE_BYTES, l->bytes,
			      BEAVER_A_LATE_PAD))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/*
 * The late entries of @ch that arrived before the cut of the epoch dumped
 * (its channel totals count them), one message each, from d->sub on.
 */
static int bv_dump_lates(struct sk_buff *skb, struct netlink_callback *cb,
			 struct bv_dump *d, const struct bv_chan *ch)
{
	const struct bv_late *l;
	u32 i = 0;
	void *hdr;

	list_for_each_entry(l, &ch->late, list) {
		if (i++ < d->sub)
			continue;
		if (bv_epoch_before(l->arrived, d->epoch)) {
			hdr = bv_dump_hdr(skb, cb, d->epoch);
			if (!hdr)
				return -EMSGSIZE;
			if (bv_put_late(skb, ch, d->cpu, l)) {
				genlmsg_cancel(skb, hdr);
				return -EMSGSIZE;
			}
			genlmsg_end(skb, hdr);
		}
		d->sub++;
	}
	d->sub = 0;
	return 0;
}

static int bv_put_capture(struct sk_buff *msg, const struct bv_capture *cap)
{
	struct nlattr *nest = nla_nest_start(msg, BEAVER_A_CAPTURE);

	if (!nest ||
	    nla_put_u32(msg, BEAVER_A_CAP_STAMP, cap->stamp) ||
	    nla_put_u32(msg, BEAVER_A_CAP_EPOCH, cap->epoch) ||
	    nla_put_u64_64bit(msg, BEAVER_A_CAP_NS, cap->ns, BEAVER_A_CAP_PAD) ||
	    nla_put_u32(msg, BEAVER_A_CAP_LEN, cap->len) ||
	    nla_put(msg, BEAVER_A_CAP_DATA, cap->caplen, cap->data))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/*
 * Emit one entry of the current CPU's table. Returns 1 if something was
 * put, 0 if the entry has nothing for this epoch, -EMSGSIZE if the skb is
 * full (the dump resumes at this entry).
 */
static int bv_dump_entry(struct sk_buff *skb, struct netlink_callback *cb,
			 struct bv_dump *d, const void *entry)
{
	struct bv_totals t;
	void *hdr;
	int err;

	if (d->phase == BV_DUMP_LATE)
		return bv_dump_lates(skb, cb, d, entry);
	if (d->phase == BV_DUMP_FLOWS &&
	    !bv_acct_at_cut(&((const struct bv_flow *)entry)->acct, d->epoch,
			    &t))
		return 0;
	if (d->phase == BV_DUMP_CHANS &&
	    !bv_acct_at_cut(&((const struct bv_chan *)entry)->acct, d->epoch,
			    &t)) {
		u64 pkts, bytes;

		/* born after the cut, but its first packets may be in flight */
		bv_chan_inflight(entry, d->epoch, &pkts, &bytes);
		if (!pkts)
			return 0;
		memset(&t, 0, sizeof(t));
	}
	if (d->phase == BV_DUMP_CAPS) {
		const struct bv_capture *cap = entry;

		if (!bv_epoch_before(cap->stamp, d->epoch) ||
		    bv_epoch_after(d->epoch, cap->epoch))
			return 0;
	}
	hdr = bv_dump_hdr(skb, cb, d->epoch);
	if (!hdr)
		return -EMSGSIZE;
	if (d->phase == BV_DUMP_FLOWS)
		err = bv_put_flow(skb, entry, d->cpu, &t);
	else if (d->phase == BV_DUMP_CHANS)
		err = bv_put_chan(skb, entry, d->cpu, d->epoch, &t);
	else
		err = bv_put_capture(skb, entry);
	if (err) {
		genlmsg_cancel(skb, hdr);
		return err;
	}
	genlmsg_end(skb, hdr);
	return 1;
}

/* walk one list from the resume index; returns -EMSGSIZE when full */
static int bv_dump_list(struct sk_buff *skb, struct netlink_callback *cb,
			struct bv_dump *d, struct list_head *head,
			size_t node_off)
{
	struct list_head *pos;
	u32 i = 0;
	int err;

	list_for_each(pos, head) {
		if (i++ < d->idx)
			continue;
		err = bv_dump_entry(skb, cb, d, (void *)pos - node_off);
		if (err < 0)
			return err;
		d->idx++;
	}
	return 0;
}

static int bv_dump_tables(struct sk_buff *skb, struct netlink_callback *cb,
			  struct beaver_net *bn, struct bv_dump *d)
{
	for (; d->cpu < nr_cpu_ids;
	     d->cpu++, d->bucket = 0, d->idx = 0, d->sub = 0) {
		struct bv_pcpu *pc;
		int err = 0;

		if (!cpu_possible(d->cpu))
			continue;
		pc = per_cpu_ptr(bn->pcpu, d->cpu);
		spin_lock_bh(&pc->lock);
		/*
		 * A full skb leaves the bucket and the index where the next
		 * call resumes: move on only once a bucket is done
		 */
		if (d->phase == BV_DUMP_FLOWS) {
			/* a resize meanwhile shows as NLM_F_DUMP_INTR */
			while (!err && pc->flows &&
			       d->bucket <= pc->flow_mask) {
				err = bv_dump_list(skb, cb, d,
						   &pc->flows[d->bucket],
						   offsetof(struct bv_flow, node));
				if (!err) {
					d->bucket++;
					d->idx = 0;
				}
			}
		} else if (d->phase == BV_DUMP_RETIRED) {
			err = bv_dump_retired(skb, cb, d, &pc->retired);
		} else if (d->phase == BV_DUMP_CHANS ||
			   d->phase == BV_DUMP_LATE) {
			while (!err && d->bucket < BV_CHAN_BUCKETS) {
				err = bv_dump_list(skb, cb, d,
						   &pc->chans[d->bucket],
						   offsetof(struct bv_chan, node));
				if (!err) {
					d->bucket++;
					d->idx = 0;
				}
			}
		} else {
			err = bv_dump_list(skb, cb, d, &pc->captures,
					   offsetof(struct bv_capture, list));
		}
		spin_unlock_bh(&pc->lock);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Checks of a records dump. They run in the first dumpit call, not in
 * .start: on 6.1 an extended-ack message set in .start never reaches user
 * space, while one set in dumpit arrives with NLMSG_DONE.
 */
static int bv_nl_records_check(struct netlink_callback *cb,
			       struct beaver_net *bn, struct bv_dump *d)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	int err;

	err = bv_check_admin(cb->skb, sock_net(cb->skb->sk), cb->extack);
	if (err)
		return err;
	if (!info->attrs[BEAVER_A_EPOCH]) {
		NL_SET_ERR_ATTR_MISS(cb->extack, NULL, BEAVER_A_EPOCH);
		NL_SET_ERR_MSG_MOD(cb->extack, "an epoch is required");
		return -EINVAL;
	}
	d->epoch = nla_get_u32(info->attrs[BEAVER_A_EPOCH]);
	rcu_read_lock();
	err = bv_cut_find(bn, d->epoch) ? 0 : -ENOENT;
	rcu_read_unlock();
	if (err)
		NL_SET_ERR_MSG_MOD(cb->extack,
				   "no record for that epoch (not cut yet, released, or lost)");
	return err;
}

/*
 * A dump resumes at list positions: no flow may leave a table while one
 * runs (tables.c retires none while this count is not zero).
 */
static int bv_nl_records_start(struct netlink_callback *cb)
{
	atomic_inc(&beaver_pernet(sock_net(cb->skb->sk))->dumps);
	return 0;
}

static int bv_nl_records_done(struct netlink_callback *cb)
{
	atomic_dec(&beaver_pernet(sock_net(cb->skb->sk))->dumps);
	return 0;
}

static int bv_nl_records_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct beaver_net *bn = beaver_pernet(sock_net(cb->skb->sk));
	struct bv_dump *d = (struct bv_dump *)cb->ctx;
	int err = 0;

	BUILD_BUG_ON(sizeof(*d) > sizeof(cb->ctx));
	if (!d->checked) {
		err = bv_nl_records_check(cb, bn, d);
		if (err)
			return err;
		d->checked = 1;
	}
	/* a release or flush since the dump began shows as NLM_F_DUMP_INTR */
	cb->seq = READ_ONCE(bn->generation) + 1;

	if (d->phase == BV_DUMP_CUT) {
		struct bv_cut *c;
		void *hdr;

		rcu_read_lock();
		c = bv_cut_find(bn, d->epoch);
		hdr = c ? bv_dump_hdr(skb, cb, d->epoch) : NULL;
		if (hdr && bv_put_cut(skb, c)) {
			genlmsg_cancel(skb, hdr);
			hdr = NULL;
		}
		rcu_read_unlock();
		if (!c)
			return -ENOENT;	/* released meanwhile */
		if (!hdr)
			return skb->len;
		genlmsg_end(skb, hdr);
		d->phase = BV_DUMP_FLOWS;
	}
	while (d->phase < BV_DUMP_DONE) {
		err = bv_dump_tables(skb, cb, bn, d);
		if (err)
			break;
		d->phase++;
		d->cpu = 0;
		d->bucket = 0;
		d->idx = 0;
		d->sub = 0;
	}
	if (err == -EMSGSIZE)
		return skb->len;
	return err ?: skb->len;
}

/* ---- RELEASE, FLUSH ---------------------------------------------------- */

static int bv_nl_release(struct sk_buff *skb, struct genl_info *info)
{
	struct beaver_net *bn = beaver_pernet(genl_info_net(info));
	u32 e;
	int err;

	err = bv_need_epoch(info, &e);
	if (err)
		return err;
	mutex_lock(&bn->cfg_mutex);
	err = bv_cuts_release(bn, e, info->extack);
	if (!err)
		bv_tables_release(bn, e);
	mutex_unlock(&bn->cfg_mutex);
	return err;
}

static int bv_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct beaver_net *bn = beaver_pernet(genl_info_net(info));

	mutex_lock(&bn->cfg_mutex);
	bv_netns_flush(bn);
	mutex_unlock(&bn->cfg_mutex);
	return 0;
}

static const struct genl_ops bv_ops[] = {
	{
		.cmd = BEAVER_CMD_GET_INFO,
		.doit = bv_nl_get_info,
	},
	{
		.cmd = BEAVER_CMD_SET_CONFIG,
		.doit = bv_nl_set_config,
		.policy = bv_config_policy,
		.maxattr = BEAVER_A_MAX,
		.internal_flags = BV_NL_ADMIN,
	},
	{
		.cmd = BEAVER_CMD_GW_ADVANCE,
		.doit = bv_nl_gw_advance,
		.policy = bv_epoch_policy,
		.maxattr = BEAVER_A_MAX,
		.internal_flags = BV_NL_ADMIN,
	},
	{
		.cmd = BEAVER_CMD_MEMBER_ADVANCE,
		.doit = bv_nl_member_advance,
		.policy = bv_advance_policy,
		.maxattr = BEAVER_A_MAX,
		.internal_flags = BV_NL_ADMIN,
	},
	{
		.cmd = BEAVER_CMD_GET_STATUS,
		.doit = bv_nl_get_status,
	},
	{
		.cmd = BEAVER_CMD_GET_RECORDS,
		.start = bv_nl_records_start,
		.dumpit = bv_nl_records_dump,
		.done = bv_nl_records_done,
		.policy = bv_epoch_policy,
		.maxattr = BEAVER_A_MAX,
	},
	{
		.cmd = BEAVER_CMD_RELEASE,
		.doit = bv_nl_release,
		.policy = bv_epoch_policy,
		.maxattr = BEAVER_A_MAX,
		.internal_flags = BV_NL_ADMIN,
	},
	{
		.cmd = BEAVER_CMD_FLUSH,
		.doit = bv_nl_flush,
		.internal_flags = BV_NL_ADMIN,
	},
	{
		.cmd = BEAVER_CMD_SET_FASTPATH,
		.doit = bv_nl_set_fastpath,
		.policy = bv_fastpath_policy,
		.maxattr = BEAVER_A_MAX,
		.internal_flags = BV_NL_ADMIN,
	},
};

static const struct genl_multicast_group bv_mcgrps[] = {
	{ .name = BEAVER_MCGRP_EVENTS },
};

static struct genl_family bv_family __ro_after_init = {
	.name = BEAVER_GENL_NAME,
	.version = BEAVER_GENL_VERSION,
	.maxattr = BEAVER_A_MAX,
	.netnsok = true,
	.parallel_ops = true,
	.pre_doit = bv_pre_doit,
	.module = THIS_MODULE,
	.ops = bv_ops,
	.n_ops = ARRAY_SIZE(bv_ops),
	.mcgrps = bv_mcgrps,
	.n_mcgrps = ARRAY_SIZE(bv_mcgrps),
};

int __init bv_genl_init(void)
{
	return genl_register_family(&bv_family);
}

void bv_genl_exit(void)
{
	genl_unregister_family(&bv_family);
}
