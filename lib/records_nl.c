// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * GET_RECORDS dump messages and events -> struct bvr_* (see records_nl.h).
 */
#include "records_nl.h"

#include <errno.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "beaver.h"
#include "bvattr.h"

/* optional unsigned attribute: absent leaves *v alone */
static int opt_u64(const struct nlattr *a, uint64_t *v)
{
	return a ? bva_get_uint(a, v) : 0;
}

static int opt_u32(const struct nlattr *a, uint32_t *v)
{
	return a ? bva_get_u32(a, v) : 0;
}

/* a channel's peer: absent is 0.0.0.0, as the aggregate kinds' */
static int opt_peer(const struct nlattr *a4, const struct nlattr *a6,
		    struct bv_ip *ip)
{
	if (!a4 && !a6) {
		bv_ip_set4(ip, 0);
		return 0;
	}
	return bva_get_ip(a4, a6, ip);
}

int bvr_nl_parse_cut(const struct nlattr *nest, struct bvr_cut *cut)
{
	const struct nlattr *tb[BEAVER_A_CUT_MAX + 1];
	uint32_t epoch = cut->epoch;	/* comes from the enclosing message */

	if (bva_parse_nested(nest, tb, BEAVER_A_CUT_MAX))
		return -EINVAL;
	memset(cut, 0, sizeof(*cut));
	cut->epoch = epoch;
	if (opt_u32(tb[BEAVER_A_CUT_FIRST], &cut->first) ||
	    opt_u32(tb[BEAVER_A_CUT_LAST], &cut->last) ||
	    opt_u64(tb[BEAVER_A_CUT_NS], &cut->ns) ||
	    opt_u32(tb[BEAVER_A_CUT_STATE], &cut->state) ||
	    opt_u32(tb[BEAVER_A_CUT_FLAGS], &cut->flags) ||
	    opt_u64(tb[BEAVER_A_CUT_LATE], &cut->late) ||
	    opt_u64(tb[BEAVER_A_CUT_LATE_BYTES], &cut->late_bytes) ||
	    opt_u32(tb[BEAVER_A_CUT_SETTLE_MS], &cut->settle_ms) ||
	    opt_u64(tb[BEAVER_A_CUT_COMPLETE_NS], &cut->complete_ns) ||
	    opt_u64(tb[BEAVER_A_CUT_TX_UNSTAMPED], &cut->tx_unstamped) ||
	    opt_u64(tb[BEAVER_A_CUT_RX_UNSTAMPED], &cut->rx_unstamped) ||
	    opt_u64(tb[BEAVER_A_CUT_COUNTERS_SINCE], &cut->since_ns))
		return -EINVAL;
	cut->has_since = tb[BEAVER_A_CUT_COUNTERS_SINCE];
	cut->has_unstamped = tb[BEAVER_A_CUT_TX_UNSTAMPED] &&
			     tb[BEAVER_A_CUT_RX_UNSTAMPED];
	return 0;
}

static int parse_tot(const struct nlattr *nest, struct bvr_tot *t)
{
	const struct nlattr *tb[BEAVER_TOT_MAX + 1];

	memset(t, 0, sizeof(*t));
	if (!nest)
		return 0;
	if (bva_parse_nested(nest, tb, BEAVER_TOT_MAX))
		return -EINVAL;
	if (opt_u64(tb[BEAVER_TOT_TX_PKTS], &t->tx_pkts) ||
	    opt_u64(tb[BEAVER_TOT_TX_BYTES], &t->tx_bytes) ||
	    opt_u64(tb[BEAVER_TOT_RX_PKTS], &t->rx_pkts) ||
	    opt_u64(tb[BEAVER_TOT_RX_BYTES], &t->rx_bytes) ||
	    opt_u32(tb[BEAVER_TOT_TX_SEQ], &t->tx_seq) ||
	    opt_u32(tb[BEAVER_TOT_RX_SEQ], &t->rx_seq) ||
	    opt_u32(tb[BEAVER_TOT_TX_ISN], &t->tx_isn) ||
	    opt_u32(tb[BEAVER_TOT_RX_ISN], &t->rx_isn) ||
	    opt_u32(tb[BEAVER_TOT_TCP_GEN], &t->gen) ||
	    opt_u32(tb[BEAVER_TOT_TCP_FLAGS], &t->tcp_flags))
		return -EINVAL;
	t->tx_isn_valid = tb[BEAVER_TOT_TX_ISN] != NULL;
	t->rx_isn_valid = tb[BEAVER_TOT_RX_ISN] != NULL;
	t->has_gen = tb[BEAVER_TOT_TCP_GEN] != NULL;
	/* a share that counted its connection's SYN: the SYN's value */
	t->has_syn_gen = t->has_gen && (t->tcp_flags & BEAVER_TOT_F_SYN);
	t->syn_gen = t->has_syn_gen ? t->gen : 0;
	/* a sequence number is valid exactly when the kernel sent it */
	t->tx_seq_valid = tb[BEAVER_TOT_TX_SEQ] != NULL;
	t->rx_seq_valid = tb[BEAVER_TOT_RX_SEQ] != NULL;
	return 0;
}

static int parse_flow(const struct nlattr *nest, struct bvr_records *r)
{
	const struct nlattr *tb[BEAVER_A_FLOW_MAX + 1];
	struct bvr_flow f;
	uint64_t proto = 0;

	memset(&f, 0, sizeof(f));
	if (bva_parse_nested(nest, tb, BEAVER_A_FLOW_MAX))
		return -EINVAL;
	if (!tb[BEAVER_A_FLOW_PROTO])
		return -EINVAL;
	if (bva_get_uint(tb[BEAVER_A_FLOW_PROTO], &proto) || proto > 255 ||
	    bva_get_ip(tb[BEAVER_A_FLOW_LADDR], tb[BEAVER_A_FLOW_LADDR6],
		       &f.laddr) ||
	    bva_get_ip(tb[BEAVER_A_FLOW_RADDR], tb[BEAVER_A_FLOW_RADDR6],
		       &f.raddr) ||
	    (tb[BEAVER_A_FLOW_LPORT] &&
	     bva_get_be16(tb[BEAVER_A_FLOW_LPORT], &f.lport)) ||
	    (tb[BEAVER_A_FLOW_RPORT] &&
	     bva_get_be16(tb[BEAVER_A_FLOW_RPORT], &f.rport)) ||
	    opt_u32(tb[BEAVER_A_FLOW_CPU], &f.cpu) ||
	    parse_tot(tb[BEAVER_A_FLOW_TOTALS], &f.tot))
		return -EINVAL;
	f.proto = (uint8_t)proto;
	return bvr_add_flow(r, &f);
}

static int parse_chan(const struct nlattr *nest, struct bvr_records *r)
{
	const struct nlattr *tb[BEAVER_A_CHAN_MAX + 1];
	struct bvr_chan c;
	uint64_t kind = 0;

	memset(&c, 0, sizeof(c));
	if (bva_parse_nested(nest, tb, BEAVER_A_CHAN_MAX))
		return -EINVAL;
	if (!tb[BEAVER_A_CHAN_KIND])
		return -EINVAL;
	if (bva_get_uint(tb[BEAVER_A_CHAN_KIND], &kind) || kind > 255 ||
	    opt_peer(tb[BEAVER_A_CHAN_PEER], tb[BEAVER_A_CHAN_PEER6],
		     &c.peer) ||
	    opt_u32(tb[BEAVER_A_CHAN_CPU], &c.cpu) ||
	    parse_tot(tb[BEAVER_A_CHAN_TOTALS], &c.tot) ||
	    opt_u64(tb[BEAVER_A_CHAN_INFLIGHT_PKTS], &c.inflight_pkts) ||
	    opt_u64(tb[BEAVER_A_CHAN_INFLIGHT_BYTES], &c.inflight_bytes))
		return -EINVAL;
	c.kind = (uint8_t)kind;
	return bvr_add_chan(r, &c);
}

static int parse_late(const struct nlattr *nest, struct bvr_records *r)
{
	const struct nlattr *tb[BEAVER_A_LATE_MAX + 1];
	struct bvr_late l;
	uint64_t kind = 0;

	memset(&l, 0, sizeof(l));
	if (bva_parse_nested(nest, tb, BEAVER_A_LATE_MAX))
		return -EINVAL;
	if (!tb[BEAVER_A_LATE_KIND] || !tb[BEAVER_A_LATE_FIRST] ||
	    !tb[BEAVER_A_LATE_LAST] || !tb[BEAVER_A_LATE_ARRIVED])
		return -EINVAL;
	if (bva_get_uint(tb[BEAVER_A_LATE_KIND], &kind) || kind > 255 ||
	    opt_peer(tb[BEAVER_A_LATE_PEER], tb[BEAVER_A_LATE_PEER6],
		     &l.peer) ||
	    opt_u32(tb[BEAVER_A_LATE_CPU], &l.cpu) ||
	    bva_get_u32(tb[BEAVER_A_LATE_FIRST], &l.first) ||
	    bva_get_u32(tb[BEAVER_A_LATE_LAST], &l.last) ||
	    bva_get_u32(tb[BEAVER_A_LATE_ARRIVED], &l.arrived) ||
	    opt_u64(tb[BEAVER_A_LATE_PKTS], &l.pkts) ||
	    opt_u64(tb[BEAVER_A_LATE_BYTES], &l.bytes))
		return -EINVAL;
	l.kind = (uint8_t)kind;
	return bvr_add_late(r, &l);
}

static int parse_capture(const struct nlattr *nest, struct bvr_records *r)
{
	const struct nlattr *tb[BEAVER_A_CAP_MAX + 1];
	struct bvr_capture c;

	memset(&c, 0, sizeof(c));
	if (bva_parse_nested(nest, tb, BEAVER_A_CAP_MAX))
		return -EINVAL;
	if (opt_u32(tb[BEAVER_A_CAP_STAMP], &c.stamp) ||
	    opt_u32(tb[BEAVER_A_CAP_EPOCH], &c.epoch) ||
	    opt_u64(tb[BEAVER_A_CAP_NS], &c.ns) ||
	    opt_u32(tb[BEAVER_A_CAP_LEN], &c.len))
		return -EINVAL;
	if (tb[BEAVER_A_CAP_DATA]) {
		/* bvr_add_capture copies; the cast only drops const */
		c.data = (uint8_t *)mnl_attr_get_payload(tb[BEAVER_A_CAP_DATA]);
		c.data_len = mnl_attr_get_payload_len(tb[BEAVER_A_CAP_DATA]);
	}
	return bvr_add_capture(r, &c);
}

/* one CPU's retired aggregate: summed into r->retired */
static int parse_retired(const struct nlattr *nest, struct bvr_records *r)
{
	const struct nlattr *tb[BEAVER_A_FLOW_MAX + 1];
	struct bvr_tot t;

	memset(&t, 0, sizeof(t));
	if (bva_parse_nested(nest, tb, BEAVER_A_FLOW_MAX) ||
	    parse_tot(tb[BEAVER_A_FLOW_TOTALS], &t))
		return -EINVAL;
	/* an aggregate of many flows has no sequence number */
	t.tx_seq_valid = false;
	t.rx_seq_valid = false;
	t.tx_isn_valid = false;
	t.rx_isn_valid = false;
	t.has_gen = false;
	t.has_syn_gen = false;
	t.tcp_flags = 0;
	bvr_tot_add(&r->retired, &t);
	r->has_retired = true;
	return 0;
}

int bvr_nl_parse_msg(const struct nlmsghdr *nlh, struct bvr_records *r)
{
	const struct nlattr *tb[BEAVER_A_MAX + 1];
	uint32_t epoch = 0;
	int ret = 0;

	if (bva_parse_genl(nlh, tb, BEAVER_A_MAX) ||
	    opt_u32(tb[BEAVER_A_EPOCH], &epoch))
		return -EINVAL;
	if (tb[BEAVER_A_CUT]) {
		r->cut.epoch = epoch;
		ret = bvr_nl_parse_cut(tb[BEAVER_A_CUT], &r->cut);
		if (!ret)
			r->has_cut = true;
	}
	if (!ret && tb[BEAVER_A_FLOW])
		ret = parse_flow(tb[BEAVER_A_FLOW], r);
	if (!ret && tb[BEAVER_A_CHANNEL])
		ret = parse_chan(tb[BEAVER_A_CHANNEL], r);
	if (!ret && tb[BEAVER_A_CAPTURE])
		ret = parse_capture(tb[BEAVER_A_CAPTURE], r);
	if (!ret && tb[BEAVER_A_RETIRED])
		ret = parse_retired(tb[BEAVER_A_RETIRED], r);
	if (!ret && tb[BEAVER_A_LATE])
		ret = parse_late(tb[BEAVER_A_LATE], r);
	return ret;
}

int bvr_nl_parse_event(const struct nlmsghdr *nlh, uint8_t *cmd,
		       struct bvr_cut *cut)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[BEAVER_A_MAX + 1];
	uint32_t epoch = 0;

	if (bva_parse_genl(nlh, tb, BEAVER_A_MAX) ||
	    opt_u32(tb[BEAVER_A_EPOCH], &epoch))
		return -EINVAL;
	*cmd = g->cmd;
	memset(cut, 0, sizeof(*cut));
	cut->epoch = epoch;
	if (tb[BEAVER_A_CUT])
		return bvr_nl_parse_cut(tb[BEAVER_A_CUT], cut);
	return 0;
}
