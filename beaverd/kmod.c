// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * beaverd <-> beaver.ko. See kmod.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>

#include "beaver.h"
#include "bvattr.h"
#include "bvnl.h"
#include "kmod.h"
#include "records_nl.h"

static int fail(struct bvnl *b, int err, const char *what, char *why,
		size_t len)
{
	char ext[BVNL_EXT_MSG_MAX];

	bvnl_ext_describe(b, ext, sizeof(ext));
	snprintf(why, len, "%s: %s%s%s", what, strerror(-err),
		 ext[0] ? ": " : "", ext);
	return err;
}

static int info_cb(const struct nlmsghdr *nlh, void *data)
{
	struct bvd_kmod *k = data;
	const struct nlattr *tb[BEAVER_A_MAX + 1];
	uint64_t caps;

	if (bva_parse_genl(nlh, tb, BEAVER_A_MAX))
		return -EBADMSG;
	if (tb[BEAVER_A_INFO_VERSION])
		snprintf(k->version, sizeof(k->version), "%s",
			 mnl_attr_get_str(tb[BEAVER_A_INFO_VERSION]));
	if (!tb[BEAVER_A_INFO_CAPS] ||
	    bva_get_uint(tb[BEAVER_A_INFO_CAPS], &caps))
		return -EBADMSG;
	k->caps = caps;
	return 0;
}

int bvd_kmod_open(struct bvd_kmod *k, const char *netns, unsigned int roles,
		  char *why, size_t why_len)
{
	uint64_t need = BEAVER_CAP_STAMP_IPOPT;
	int err;

	memset(k, 0, sizeof(*k));
	k->nl = bvnl_open(netns);
	if (!k->nl) {
		err = -errno;
		snprintf(why, why_len, err == -ENOENT ?
			 "beaver.ko is not loaded (no 'beaver' netlink family)" :
			 "netlink: %s", strerror(-err));
		return err;
	}
	err = bvnl_request(k->nl, bvnl_msg(k->nl, BEAVER_CMD_GET_INFO, 0),
			   info_cb, k);
	if (err)
		return fail(k->nl, err, "GET_INFO", why, why_len);
	if (roles & BVD_ROLE_GATEWAY)
		need |= BEAVER_CAP_GATEWAY;
	if (roles & BVD_ROLE_MEMBER)
		need |= BEAVER_CAP_MEMBER | BEAVER_CAP_MSS_CLAMP |
			/* a module that honours any stamp is not safe */
			BEAVER_CAP_TRUST;
	if ((k->caps & need) != need) {
		snprintf(why, why_len,
			 "beaver.ko %s lacks capabilities 0x%llx this host's roles need (it offers 0x%llx)",
			 k->version, (unsigned long long)(need & ~k->caps),
			 (unsigned long long)k->caps);
		return -EPROTONOSUPPORT;
	}
	k->ev = bvnl_open(netns);
	if (!k->ev || bvnl_subscribe_events(k->ev)) {
		snprintf(why, why_len, "cannot join the events group: %s",
			 strerror(errno));
		return -EIO;
	}
	return 0;
}

void bvd_kmod_close(struct bvd_kmod *k)
{
	if (k->nl)
		bvnl_close(k->nl);
	if (k->ev)
		bvnl_close(k->ev);
	memset(k, 0, sizeof(*k));
}

/*
 * One address as the API takes it (kmod/uapi/beaver.h, "Addresses"): IPv4
 * as NLA_BE32 in @type4, IPv6 as 16 bytes in @type6
 */
static bool put_ip(struct bvnl *b, struct nlmsghdr *nlh, uint16_t type4,
		   uint16_t type6, const struct bv_ip *ip)
{
	if (bv_ip_is4(ip))
		return mnl_attr_put_u32_check(nlh, bvnl_room(b), type4,
					      bv_ip_get4(ip));
	return mnl_attr_put_check(nlh, bvnl_room(b), type6, sizeof(ip->a),
				  &ip->a);
}

static int put_addrs(struct bvnl *b, struct nlmsghdr *nlh, uint16_t type,
		     const struct bv_ip *v, size_t n)
{
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, bvnl_room(b),
							type);

	if (!nest)
		return -EMSGSIZE;
	for (size_t i = 0; i < n; i++)
		if (!put_ip(b, nlh, BEAVER_A_LIST_ITEM, BEAVER_A_LIST_ITEM6,
			    &v[i]))
			return -EMSGSIZE;
	mnl_attr_nest_end(nlh, nest);
	return 0;
}

int bvd_kmod_configure(struct bvd_kmod *k, const struct bvd_config *cfg,
		       char *why, size_t why_len)
{
	struct nlmsghdr *nlh = bvnl_msg(k->nl, BEAVER_CMD_SET_CONFIG, 0);
	struct nlattr *nest, *item;
	char v6[BV_IP_STRLEN];
	const char *key;
	uint32_t role = 0;
	int err;

	/* a module without IPv6 would refuse the attribute, or misread it */
	key = bvd_config_first_ipv6(cfg, v6);
	if (key && !(k->caps & BEAVER_CAP_IPV6)) {
		snprintf(why, why_len, "[group] %s: %s is an IPv6 address, and "
			 "beaver.ko %s is too old for IPv6 (no BEAVER_CAP_IPV6 "
			 "in its caps 0x%llx): update the module, or remove "
			 "the IPv6 addresses", key, v6, k->version,
			 (unsigned long long)k->caps);
		return -EPROTONOSUPPORT;
	}
	if (cfg->roles & BVD_ROLE_GATEWAY)
		role = BEAVER_ROLE_GATEWAY;
	else if (cfg->roles & BVD_ROLE_MEMBER)
		role = BEAVER_ROLE_MEMBER;
	mnl_attr_put_u8(nlh, BEAVER_A_CFG_GROUP, cfg->group);
	mnl_attr_put_u32(nlh, BEAVER_A_CFG_SETTLE_MS, cfg->settle_ms);
	mnl_attr_put_u32(nlh, BEAVER_A_CFG_MAX_FLOWS, cfg->max_flows);
	mnl_attr_put_u32(nlh, BEAVER_A_CFG_MAX_HISTORY, cfg->max_history);
	mnl_attr_put_u32(nlh, BEAVER_A_CFG_MAX_RECORDS, cfg->max_records);
	mnl_attr_put_u32(nlh, BEAVER_A_CFG_MAX_CAPTURES, cfg->max_captures);
	mnl_attr_put_u32(nlh, BEAVER_A_CFG_CAPTURE_BYTES, cfg->capture_bytes);
	/*
	 * a module without the ID encoding stamps only the option already,
	 * and would refuse the flag
	 */
	mnl_attr_put_u32(nlh, BEAVER_A_CFG_FLAGS,
			 (cfg->mss_clamp ? 0 : BEAVER_CFG_F_NO_MSS_CLAMP) |
			 (!cfg->ipv4_id_stamp && (k->caps & BEAVER_CAP_STAMP_ID) ?
			  BEAVER_CFG_F_IPV4_OPTION : 0));
	if (put_addrs(k->nl, nlh, BEAVER_A_CFG_MEMBERS, cfg->members,
		      cfg->n_members) ||
	    put_addrs(k->nl, nlh, BEAVER_A_CFG_VIPS, cfg->vips, cfg->n_vips))
		goto too_big;
	/* modules before the trust boundary refuse attributes they lack */
	if (k->caps & BEAVER_CAP_TRUST) {
		mnl_attr_put_u32(nlh, BEAVER_A_CFG_MAX_AHEAD, cfg->max_ahead);
		if (put_addrs(k->nl, nlh, BEAVER_A_CFG_GATEWAYS, cfg->gateways,
			      cfg->n_gateways))
			goto too_big;
	}
	if (k->caps & BEAVER_CAP_RETIRE)
		mnl_attr_put_u32(nlh, BEAVER_A_CFG_FLOW_IDLE_MS,
				 cfg->flow_idle_ms);
	if (k->caps & BEAVER_CAP_APP_MARK)
		mnl_attr_put_u32(nlh, BEAVER_A_CFG_APP_MARK, cfg->app_mark);
	else if (cfg->app_mark) {
		snprintf(why, why_len, "[module] app_mark: beaver.ko %s cannot "
			 "mark packets with epochs (no BEAVER_CAP_APP_MARK in "
			 "its caps 0x%llx): update the module, or set "
			 "app_mark = 0", k->version,
			 (unsigned long long)k->caps);
		return -EOPNOTSUPP;
	}
	nest = mnl_attr_nest_start_check(nlh, bvnl_room(k->nl),
					 BEAVER_A_CFG_ALLOW);
	if (!nest)
		goto too_big;
	for (size_t i = 0; i < cfg->n_allow; i++) {
		item = mnl_attr_nest_start_check(nlh, bvnl_room(k->nl),
						 BEAVER_A_LIST_ITEM);
		if (!item ||
		    !put_ip(k->nl, nlh, BEAVER_A_PREFIX_ADDR,
			    BEAVER_A_PREFIX_ADDR6, &cfg->allow[i].addr) ||
		    !mnl_attr_put_u8_check(nlh, bvnl_room(k->nl),
					   BEAVER_A_PREFIX_LEN,
					   cfg->allow[i].len))
			goto too_big;
		mnl_attr_nest_end(nlh, item);
	}
	mnl_attr_nest_end(nlh, nest);
	/* the role last: it needs the group, and takes effect at once */
	if (!mnl_attr_put_u32_check(nlh, bvnl_room(k->nl), BEAVER_A_CFG_ROLE,
				    role))
		goto too_big;
	err = bvnl_request(k->nl, nlh, NULL, NULL);
	if (err)
		return fail(k->nl, err, "SET_CONFIG", why, why_len);
	return 0;
too_big:
	snprintf(why, why_len, "configuration too large for one request");
	return -EMSGSIZE;
}

static int advance_cb(const struct nlmsghdr *nlh, void *data)
{
	struct bvd_advance *a = data;
	const struct nlattr *tb[BEAVER_A_MAX + 1];
	uint64_t v;

	if (bva_parse_genl(nlh, tb, BEAVER_A_MAX) ||
	    !tb[BEAVER_A_PREV_EPOCH] || !tb[BEAVER_A_EPOCH] ||
	    !tb[BEAVER_A_SWITCH_NS] || !tb[BEAVER_A_ADVANCED] ||
	    bva_get_u32(tb[BEAVER_A_PREV_EPOCH], &a->prev) ||
	    bva_get_u32(tb[BEAVER_A_EPOCH], &a->now) ||
	    bva_get_uint(tb[BEAVER_A_SWITCH_NS], &a->switch_ns) ||
	    bva_get_uint(tb[BEAVER_A_ADVANCED], &v))
		return -EBADMSG;
	a->advanced = v != 0;
	return 0;
}

int bvd_kmod_advance(struct bvd_kmod *k, bool gateway, uint32_t epoch,
		     struct bvd_advance *out, char *why, size_t why_len)
{
	struct nlmsghdr *nlh = bvnl_msg(k->nl, gateway ?
					BEAVER_CMD_GW_ADVANCE :
					BEAVER_CMD_MEMBER_ADVANCE, 0);
	int err;

	mnl_attr_put_u32(nlh, BEAVER_A_EPOCH, epoch);
	err = bvnl_request(k->nl, nlh, advance_cb, out);
	if (err)
		return fail(k->nl, err, "advance", why, why_len);
	return 0;
}

int bvd_kmod_announce(struct bvd_kmod *k, uint32_t epoch, char *why,
		      size_t why_len)
{
	struct nlmsghdr *nlh = bvnl_msg(k->nl, BEAVER_CMD_MEMBER_ADVANCE, 0);
	struct bvd_advance out;
	int err;

	mnl_attr_put_u32(nlh, BEAVER_A_EPOCH, epoch);
	mnl_attr_put(nlh, BEAVER_A_ANNOUNCE, 0, NULL);
	err = bvnl_request(k->nl, nlh, advance_cb, &out);
	if (err)
		return fail(k->nl, err, "announce", why, why_len);
	return 0;
}

static int fp_top_cb(const struct nlattr *a, void *data)
{
	struct bvd_fp_reply *r = data;
	const struct nlattr *tb[BEAVER_A_FPP_MAX + 1];

	if (r->n == BVD_FP_MAX || bva_parse_nested(a, tb, BEAVER_A_FPP_MAX) ||
	    !tb[BEAVER_A_FPP_NODE] || !tb[BEAVER_A_FPP_REPLAY_TOP] ||
	    bva_get_u32(tb[BEAVER_A_FPP_NODE], &r->node[r->n]) ||
	    bva_get_uint(tb[BEAVER_A_FPP_REPLAY_TOP], &r->top[r->n]))
		return -EBADMSG;
	r->n++;
	return 0;
}

static int fastpath_cb(const struct nlmsghdr *nlh, void *data)
{
	struct bvd_fp_reply *r = data;
	const struct nlattr *tb[BEAVER_A_MAX + 1];
	const struct nlattr *a;

	if (bva_parse_genl(nlh, tb, BEAVER_A_MAX) || !tb[BEAVER_A_FP_SEQ] ||
	    bva_get_uint(tb[BEAVER_A_FP_SEQ], &r->seq))
		return -EBADMSG;
	if (tb[BEAVER_A_FP_PEERS])
		mnl_attr_for_each_nested(a, tb[BEAVER_A_FP_PEERS])
			if (fp_top_cb(a, r))
				return -EBADMSG;
	return 0;
}

int bvd_kmod_fastpath(struct bvd_kmod *k, uint8_t group, uint32_t node,
		      uint16_t port, uint64_t seq_floor,
		      const struct bvd_fp_peer *p, size_t n,
		      struct bvd_fp_reply *r, char *why, size_t why_len)
{
	struct nlmsghdr *nlh = bvnl_msg(k->nl, BEAVER_CMD_SET_FASTPATH, 0);
	struct nlattr *list, *nest;
	int err;

	memset(r, 0, sizeof(*r));
	if (!(k->caps & BEAVER_CAP_FASTPATH)) {
		snprintf(why, why_len, "beaver.ko %s has no fast path",
			 k->version);
		return -EOPNOTSUPP;
	}
	mnl_attr_put_u8(nlh, BEAVER_A_CFG_GROUP, group);
	mnl_attr_put_u32(nlh, BEAVER_A_FP_NODE, node);
	mnl_attr_put_u16(nlh, BEAVER_A_FP_PORT, port);
	mnl_attr_put_u64(nlh, BEAVER_A_FP_SEQ_FLOOR, seq_floor);
	list = mnl_attr_nest_start(nlh, BEAVER_A_FP_PEERS);
	for (size_t i = 0; i < n; i++) {
		nest = mnl_attr_nest_start(nlh, BEAVER_A_LIST_ITEM);
		mnl_attr_put_u32(nlh, BEAVER_A_FPP_NODE, p[i].node);
		mnl_attr_put_u32(nlh, BEAVER_A_FPP_SENDER_KEY, p[i].sender_key);
		mnl_attr_put_u32(nlh, BEAVER_A_FPP_RECIPIENT_KEY,
				 p[i].recipient_key);
		mnl_attr_put(nlh, BEAVER_A_FPP_KEY, sizeof(p[i].key), p[i].key);
		mnl_attr_put_u32(nlh, BEAVER_A_FPP_ADDR, p[i].addr);
		mnl_attr_put_u16(nlh, BEAVER_A_FPP_PORT, p[i].port);
		mnl_attr_put_u64(nlh, BEAVER_A_FPP_REPLAY_TOP, p[i].replay_top);
		mnl_attr_nest_end(nlh, nest);
	}
	mnl_attr_nest_end(nlh, list);
	err = bvnl_request(k->nl, nlh, fastpath_cb, r);
	/* the keys do not stay in the request buffer */
	explicit_bzero(nlh, nlh->nlmsg_len);
	if (err)
		return fail(k->nl, err, "SET_FASTPATH", why, why_len);
	return 0;
}

static int records_cb(const struct nlmsghdr *nlh, void *data)
{
	return bvr_nl_parse_msg(nlh, data);
}

static void records_reset(void *data)
{
	bvr_reset(data);
}

int bvd_kmod_records(struct bvd_kmod *k, uint32_t epoch,
		     struct bvr_records *r, char *why, size_t why_len)
{
	struct nlmsghdr *nlh = bvnl_msg(k->nl, BEAVER_CMD_GET_RECORDS, 0);
	int err;

	mnl_attr_put_u32(nlh, BEAVER_A_EPOCH, epoch);
	r->epoch = epoch;
	err = bvnl_dump_retry(k->nl, nlh, records_cb, records_reset, r,
			      BVNL_DUMP_TRIES);
	if (err)
		return fail(k->nl, err, "records", why, why_len);
	if (!r->has_cut) {
		snprintf(why, why_len, "records: no cut record for %u", epoch);
		return -ENOENT;
	}
	bvr_merge(r);
	return 0;
}

int bvd_kmod_release(struct bvd_kmod *k, uint32_t epoch, char *why,
		     size_t why_len)
{
	struct nlmsghdr *nlh = bvnl_msg(k->nl, BEAVER_CMD_RELEASE, 0);
	int err;

	mnl_attr_put_u32(nlh, BEAVER_A_EPOCH, epoch);
	err = bvnl_request(k->nl, nlh, NULL, NULL);
	if (err)
		return fail(k->nl, err, "release", why, why_len);
	return 0;
}

static int put_counters(const struct nlattr *nest, uint64_t *v,
			unsigned int max, unsigned int *n)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest) {
		unsigned int id = mnl_attr_get_type(a);
		uint64_t x;

		if (id >= max)
			continue;	/* a newer module's counter */
		if (bva_get_uint(a, &x))
			return -EBADMSG;
		v[id] = x;
		if (id + 1 > *n)
			*n = id + 1;
	}
	return 0;
}

static int status_cb(const struct nlmsghdr *nlh, void *data)
{
	struct bvd_kmod_status *st = data;
	const struct nlattr *tb[BEAVER_A_MAX + 1];

	if (bva_parse_genl(nlh, tb, BEAVER_A_MAX))
		return -EBADMSG;
	if (tb[BEAVER_A_CFG_ROLE])
		bva_get_u32(tb[BEAVER_A_CFG_ROLE], &st->role);
	if (tb[BEAVER_A_GW_EPOCH])
		bva_get_u32(tb[BEAVER_A_GW_EPOCH], &st->gw_epoch);
	if (tb[BEAVER_A_MEMBER_EPOCH])
		bva_get_u32(tb[BEAVER_A_MEMBER_EPOCH], &st->member_epoch);
	if (tb[BEAVER_A_COMPLETE_EPOCH])
		bva_get_u32(tb[BEAVER_A_COMPLETE_EPOCH], &st->complete_epoch);
	if (tb[BEAVER_A_STATS] &&
	    put_counters(tb[BEAVER_A_STATS], st->stats, 64, &st->n_stats))
		return -EBADMSG;
	if (tb[BEAVER_A_OBJECTS] &&
	    put_counters(tb[BEAVER_A_OBJECTS], st->objs, 16, &st->n_objs))
		return -EBADMSG;
	return 0;
}

int bvd_kmod_status(struct bvd_kmod *k, struct bvd_kmod_status *st,
		    char *why, size_t why_len)
{
	int err;

	memset(st, 0, sizeof(*st));
	err = bvnl_request(k->nl, bvnl_msg(k->nl, BEAVER_CMD_GET_STATUS, 0),
			   status_cb, st);
	if (err)
		return fail(k->nl, err, "status", why, why_len);
	return 0;
}

int bvd_kmod_events_fd(const struct bvd_kmod *k)
{
	return mnl_socket_get_fd(k->ev->nl);
}

struct ev_ctx {
	void (*cb)(uint8_t cmd, const struct bvr_cut *cut, void *data);
	void *data;
};

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ev_ctx *c = data;
	struct bvr_cut cut;
	uint8_t cmd;

	if (bvr_nl_parse_event(nlh, &cmd, &cut))
		return 0;	/* not ours to judge; skip it */
	c->cb(cmd, &cut, c->data);
	return 0;
}

int bvd_kmod_events(struct bvd_kmod *k,
		    void (*cb)(uint8_t cmd, const struct bvr_cut *cut,
			       void *data),
		    void *data)
{
	struct ev_ctx c = { cb, data };

	return bvnl_recv_events(k->ev, 0, event_cb, &c);
}
