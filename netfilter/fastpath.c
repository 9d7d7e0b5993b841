// SPDX-License-Identifier: GPL-2.0
/*
 * The gateway's fast path for ADVANCE: see fastpath.h.
 *
 * A LOCAL_IN hook, registered in a namespace only while it holds keys,
 * looks at UDP datagrams to the control port. One it consumes must be,
 * in this order: a whole datagram to a local address whose header parses
 * as an ADVANCE of our group with no flags (fastpath_wire.c, the checks of
 * beaverd/wire.c), from a configured coordinator with the key ids we
 * hold, with the right MAC and a valid body, for the gateway role while
 * this namespace is a gateway, and fresh (the replay window). Anything
 * else is left alone (NF_ACCEPT) for beaverd to handle and count, except
 * a replay: beaverd never saw the original, so it would take the copy;
 * the module drops it and counts it.
 *
 * The gateway epoch moves with bv_gw_advance(), as for
 * BEAVER_CMD_GW_ADVANCE, and the ADVANCE_ACK (flag BVW_F_MODULE, the
 * module's own seq) goes to the coordinator's configured address from a
 * new packet, routed and sent with ip_local_out(), as the reject targets
 * answer a packet from inside a hook.
 */
#include <linux/crypto.h>
#include <linux/ip.h>
#include <linux/netfilter_ipv4.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/udp.h>
#include <crypto/hash.h>
#include <net/genetlink.h>
#include <net/ip.h>
#include <net/netlink.h>
#include <net/route.h>
#include "netns.h"
#include "epochs.h"
#include "fastpath.h"
#include "netlink.h"

static const struct nla_policy bv_fp_peer_policy[BEAVER_A_FPP_MAX + 1] = {
	[BEAVER_A_FPP_NODE] = { .type = NLA_U32 },
	[BEAVER_A_FPP_SENDER_KEY] = { .type = NLA_U32 },
	[BEAVER_A_FPP_RECIPIENT_KEY] = { .type = NLA_U32 },
	[BEAVER_A_FPP_KEY] = NLA_POLICY_EXACT_LEN(32),	/* BV_FP_KEY_LEN */
	[BEAVER_A_FPP_ADDR] = { .type = NLA_BE32 },
	[BEAVER_A_FPP_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[BEAVER_A_FPP_REPLAY_TOP] = { .type = NLA_U64 },
};

static const struct nla_policy bv_fp_list_policy[BEAVER_A_LIST_ITEM + 1] = {
	[BEAVER_A_LIST_ITEM] = NLA_POLICY_NESTED(bv_fp_peer_policy),
};

const struct nla_policy bv_fastpath_policy[BEAVER_A_MAX + 1] = {
	[BEAVER_A_CFG_GROUP] = NLA_POLICY_MIN(NLA_U8, 1),
	[BEAVER_A_FP_NODE] = { .type = NLA_U32 },
	[BEAVER_A_FP_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[BEAVER_A_FP_SEQ_FLOOR] = { .type = NLA_U64 },
	[BEAVER_A_FP_PEERS] = NLA_POLICY_NESTED(bv_fp_list_policy),
};

/* keys are zeroised: the tfm's context when it is freed, the rest here */
static void bv_fp_free(struct bv_fp *fp)
{
	u32 i;

	if (!fp)
		return;
	for (i = 0; i < fp->n; i++)
		crypto_free_shash(fp->peer[i].tfm);
	kfree_sensitive(fp);
}

/* fold the window @s into @d (both of one sender) */
static void bv_fp_win_merge(struct bv_fpw_window *d,
			    const struct bv_fpw_window *s)
{
	u64 sh;

	if (!s->top && !s->bitmap)
		return;
	if (!d->top && !d->bitmap) {
		*d = *s;
		return;
	}
	if (s->top > d->top) {
		sh = s->top - d->top;
		d->bitmap = sh >= BV_FPW_WINDOW ? 0 : d->bitmap << sh;
		d->top = s->top;
		d->bitmap |= s->bitmap;
	} else {
		sh = d->top - s->top;
		d->bitmap |= sh >= BV_FPW_WINDOW ? 0 : s->bitmap << sh;
	}
}

/* what the old set accepted stays seen in the new one, per node */
static void bv_fp_carry(struct bv_fp *to, struct bv_fp *from)
{
	struct bv_fpw_window w;
	u32 i, j;

	if (!to || !from)
		return;
	for (i = 0; i < to->n; i++)
		for (j = 0; j < from->n; j++) {
			if (from->peer[j].node != to->peer[i].node)
				continue;
			spin_lock_bh(&from->peer[j].lock);
			w = from->peer[j].win;
			spin_unlock_bh(&from->peer[j].lock);
			spin_lock_bh(&to->peer[i].lock);
			bv_fp_win_merge(&to->peer[i].win, &w);
			spin_unlock_bh(&to->peer[i].lock);
		}
}

static int bv_fp_parse_peer(struct bv_fp *fp, const struct nlattr *item,
			    struct netlink_ext_ack *extack)
{
	static const int need[] = {
		BEAVER_A_FPP_NODE, BEAVER_A_FPP_SENDER_KEY,
		BEAVER_A_FPP_RECIPIENT_KEY, BEAVER_A_FPP_KEY,
		BEAVER_A_FPP_ADDR, BEAVER_A_FPP_PORT,
		BEAVER_A_FPP_REPLAY_TOP,
	};
	struct nlattr *tb[BEAVER_A_FPP_MAX + 1];
	struct bv_fp_peer *p = &fp->peer[fp->n];
	struct nlattr *key;
	u32 i;
	int err;

	err = nla_parse_nested(tb, BEAVER_A_FPP_MAX, item, bv_fp_peer_policy,
			       extack);
	if (err)
		return err;
	for (i = 0; i < ARRAY_SIZE(need); i++)
		if (!tb[need[i]]) {
			NL_SET_ERR_ATTR_MISS(extack, item, need[i]);
			NL_SET_ERR_MSG_MOD(extack,
					   "a fast-path peer needs node, key ids, key, address, port and replay top");
			return -EINVAL;
		}
	p->node = nla_get_u32(tb[BEAVER_A_FPP_NODE]);
	p->sender_key = nla_get_u32(tb[BEAVER_A_FPP_SENDER_KEY]);
	p->recipient_key = nla_get_u32(tb[BEAVER_A_FPP_RECIPIENT_KEY]);
	p->addr = nla_get_in_addr(tb[BEAVER_A_FPP_ADDR]);
	p->port = htons(nla_get_u16(tb[BEAVER_A_FPP_PORT]));
	if (ipv4_is_zeronet(p->addr) || ipv4_is_multicast(p->addr) ||
	    ipv4_is_lbcast(p->addr)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[BEAVER_A_FPP_ADDR],
				    "a fast-path peer's address must be one host's");
		return -EINVAL;
	}
	for (i = 0; i < fp->n; i++)
		if (fp->peer[i].node == p->node &&
		    fp->peer[i].sender_key == p->sender_key &&
		    fp->peer[i].recipient_key == p->recipient_key) {
			NL_SET_ERR_MSG_ATTR(extack, item,
					    "the same node and key ids twice");
			return -EINVAL;
		}
	spin_lock_init(&p->lock);
	bv_fpw_seed(&p->win, nla_get_u64(tb[BEAVER_A_FPP_REPLAY_TOP]));
	p->tfm = crypto_alloc_shash("hmac(sha256)", 0, 0);
	if (IS_ERR(p->tfm)) {
		err = PTR_ERR(p->tfm);
		p->tfm = NULL;
		NL_SET_ERR_MSG_MOD(extack, "no hmac(sha256) in the crypto API");
		return err;
	}
	fp->n++;	/* bv_fp_free() frees its tfm from here on */
	key = tb[BEAVER_A_FPP_KEY];
	err = crypto_shash_setkey(p->tfm, nla_data(key), BV_FP_KEY_LEN);
	/* the request's copy of the key is gone as soon as it is used */
	memzero_explicit(nla_data(key), BV_FP_KEY_LEN);
	if (err)
		NL_SET_ERR_MSG_ATTR(extack, key, "the pair key was refused");
	return err;
}

static struct bv_fp *bv_fp_parse(struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **attrs = info->attrs;
	static const int need[] = {
		BEAVER_A_CFG_GROUP, BEAVER_A_FP_NODE, BEAVER_A_FP_PORT,
	};
	const struct nlattr *item;
	struct bv_fp *fp;
	int rem, err = 0;
	u32 i, n = 0;

	if (!attrs[BEAVER_A_FP_PEERS])
		return NULL;
	nla_for_each_nested(item, attrs[BEAVER_A_FP_PEERS], rem)
		n++;
	if (!n)
		return NULL;
	if (n > BV_FP_MAX_PEERS) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[BEAVER_A_FP_PEERS],
				    "too many fast-path peers (at most 16)");
		return ERR_PTR(-E2BIG);
	}
	for (i = 0; i < ARRAY_SIZE(need); i++)
		if (!attrs[need[i]]) {
			NL_SET_ERR_ATTR_MISS(extack, NULL, need[i]);
			NL_SET_ERR_MSG_MOD(extack,
					   "a fast path needs the group, the node id and the port");
			return ERR_PTR(-EINVAL);
		}
	fp = kzalloc(struct_size(fp, peer, n), GFP_KERNEL_ACCOUNT);
	if (!fp) {
		NL_SET_ERR_MSG_MOD(extack, "no memory for the fast path's keys");
		return ERR_PTR(-ENOMEM);
	}
	fp->group = nla_get_u8(attrs[BEAVER_A_CFG_GROUP]);
	fp->node = nla_get_u32(attrs[BEAVER_A_FP_NODE]);
	fp->port = htons(nla_get_u16(attrs[BEAVER_A_FP_PORT]));
	nla_for_each_nested(item, attrs[BEAVER_A_FP_PEERS], rem) {
		if (nla_type(item) != BEAVER_A_LIST_ITEM) {
			NL_SET_ERR_MSG_ATTR(extack, item,
					    "a list element must be BEAVER_A_LIST_ITEM");
			err = -EINVAL;
			break;
		}
		err = bv_fp_parse_peer(fp, item, extack);
		if (err)
			break;
	}
	if (err) {
		bv_fp_free(fp);
		return ERR_PTR(err);
	}
	return fp;
}

static unsigned int bv_fp_in(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state);

static int bv_fp_hook(struct beaver_net *bn, bool on)
{
	int err;

	if (on == bn->fp.hook_on)
		return 0;
	if (on) {
		bn->fp.ops = (struct nf_hook_ops) {
			.hook = bv_fp_in,
			.pf = NFPROTO_IPV4,
			.hooknum = NF_INET_LOCAL_IN,
			/* after every filter: what the firewall lets through */
			.priority = NF_IP_PRI_CONNTRACK_CONFIRM - 1,
			.priv = bn,
		};
		err = nf_register_net_hook(bn->net, &bn->fp.ops);
		if (err)
			return err;
	} else {
		/* waits for every packet inside the hook to leave */
		nf_unregister_net_hook(bn->net, &bn->fp.ops);
	}
	bn->fp.hook_on = on;
	return 0;
}

/* the reply: the module's seq, the replaced set's replay tops */
static int bv_fp_reply(struct genl_info *info, struct beaver_net *bn,
		       struct bv_fp *old)
{
	struct nlattr *list, *nest;
	struct sk_buff *msg;
	void *hdr;
	u32 i;

	msg = bv_nl_reply_new(info, &hdr);
	if (!msg)
		return -ENOMEM;
	if (nla_put_u64_64bit(msg, BEAVER_A_FP_SEQ, atomic64_read(&bn->fp.seq),
			      BEAVER_A_PAD))
		goto nospace;
	list = nla_nest_start(msg, BEAVER_A_FP_PEERS);
	if (!list)
		goto nospace;
	for (i = 0; old && i < old->n; i++) {
		nest = nla_nest_start(msg, BEAVER_A_LIST_ITEM);
		if (!nest ||
		    nla_put_u32(msg, BEAVER_A_FPP_NODE, old->peer[i].node) ||
		    nla_put_u64_64bit(msg, BEAVER_A_FPP_REPLAY_TOP,
				      old->peer[i].win.top, BEAVER_A_FPP_PAD))
			goto nospace;
		nla_nest_end(msg, nest);
	}
	nla_nest_end(msg, list);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

int bv_nl_set_fastpath(struct sk_buff *skb, struct genl_info *info)
{
	struct beaver_net *bn = beaver_pernet(genl_info_net(info));
	struct bv_fp *fp, *old;
	u64 start, floor = 0;
	s64 last;
	int err;

	fp = bv_fp_parse(info);
	if (IS_ERR(fp))
		return PTR_ERR(fp);
	if (info->attrs[BEAVER_A_FP_SEQ_FLOOR])
		floor = nla_get_u64(info->attrs[BEAVER_A_FP_SEQ_FLOOR]);

	mutex_lock(&bn->cfg_mutex);
	old = rcu_dereference_protected(bn->fp.set,
					lockdep_is_held(&bn->cfg_mutex));
	if (fp) {
		err = bv_fp_hook(bn, true);
		if (err) {
			mutex_unlock(&bn->cfg_mutex);
			bv_fp_free(fp);
			NL_SET_ERR_MSG_MOD(info->extack,
					   "cannot register the fast path's hook");
			return err;
		}
		/*
		 * Strictly increasing across sets, never below the floor:
		 * raised only, and not past an ack the old set sends meanwhile
		 */
		start = max(floor, (u64)ktime_get_real_ns());
		last = atomic64_read(&bn->fp.seq);
		while (start && (s64)(start - 1) > last &&
		       !atomic64_try_cmpxchg(&bn->fp.seq, &last, start - 1))
			;
		bv_fp_carry(fp, old);
	}
	rcu_assign_pointer(bn->fp.set, fp);
	if (!fp)
		bv_fp_hook(bn, false);	/* synchronises */
	else
		synchronize_net();
	/* the old set is quiet now: whatever it accepted last carries over */
	bv_fp_carry(fp, old);
	err = bv_fp_reply(info, bn, old);
	mutex_unlock(&bn->cfg_mutex);
	bv_fp_free(old);
	return err;
}

void bv_fp_exit(struct beaver_net *bn)
{
	lockdep_assert_held(&bn->cfg_mutex);
	bv_fp_hook(bn, false);
	bv_fp_free(rcu_dereference_protected(bn->fp.set, true));
	RCU_INIT_POINTER(bn->fp.set, NULL);
}

/* ---- the hook ---------------------------------------------------------- */

static struct bv_fp_peer *bv_fp_find(struct bv_fp *fp,
				     const struct bv_fpw_hdr *h)
{
	u32 i;

	for (i = 0; i < fp->n; i++)
		if (fp->peer[i].node == h->sender &&
		    fp->peer[i].sender_key == h->sender_key &&
		    fp->peer[i].recipient_key == h->recipient_key)
			return &fp->peer[i];
	return NULL;
}

/* the ack to @p's configured address, from @saddr (where the ADVANCE went) */
static int bv_fp_send(struct net *net, const struct bv_fp *fp,
		      const struct bv_fp_peer *p, __be32 saddr,
		      const u8 payload[BV_FPW_ACK_LEN])
{
	unsigned int ulen = sizeof(struct udphdr) + BV_FPW_ACK_LEN;
	struct sk_buff *nskb;
	struct flowi4 fl4;
	struct rtable *rt;
	struct udphdr *uh;
	struct iphdr *iph;
	int hroom, err;

	memset(&fl4, 0, sizeof(fl4));
	fl4.daddr = p->addr;
	fl4.saddr = saddr;
	fl4.flowi4_proto = IPPROTO_UDP;
	fl4.fl4_sport = fp->port;
	fl4.fl4_dport = p->port;
	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt))
		return PTR_ERR(rt);
	hroom = LL_RESERVED_SPACE(rt->dst.dev) + sizeof(*iph);
	nskb = alloc_skb(hroom + ulen + rt->dst.dev->needed_tailroom,
			 GFP_ATOMIC);
	if (!nskb) {
		ip_rt_put(rt);
		return -ENOMEM;
	}
	skb_reserve(nskb, hroom + sizeof(*uh));
	skb_put_data(nskb, payload, BV_FPW_ACK_LEN);

	uh = skb_push(nskb, sizeof(*uh));
	skb_reset_transport_header(nskb);
	uh->source = fp->port;
	uh->dest = p->port;
	uh->len = htons(ulen);
	uh->check = 0;
	uh->check = csum_tcpudp_magic(fl4.saddr, fl4.daddr, ulen, IPPROTO_UDP,
				      csum_partial(uh, ulen, 0));
	if (!uh->check)
		uh->check = CSUM_MANGLED_0;

	iph = skb_push(nskb, sizeof(*iph));
	skb_reset_network_header(nskb);
	iph->version = 4;
	iph->ihl = sizeof(*iph) / 4;
	iph->tos = 0;
	iph->tot_len = htons(nskb->len);
	iph->id = 0;		/* atomic (DF): RFC 6864 */
	iph->frag_off = htons(IP_DF);
	iph->ttl = ip4_dst_hoplimit(&rt->dst);
	iph->protocol = IPPROTO_UDP;
	iph->saddr = fl4.saddr;
	iph->daddr = fl4.daddr;

	nskb->protocol = htons(ETH_P_IP);
	nskb->ip_summed = CHECKSUM_NONE;
	skb_dst_set(nskb, &rt->dst);
	/* ip_local_out() completes the header (checksum) and sends */
	err = ip_local_out(net, NULL, nskb);
	return net_xmit_eval(err);
}

static unsigned int bv_fp_in(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	struct beaver_net *bn = priv;
	struct bv_fp *fp = rcu_dereference(bn->fp.set);
	u8 buf[BV_FPW_ADV_LEN], ack[BV_FPW_ACK_LEN];
	const struct udphdr *uh;
	struct bv_fpw_ack a = {};
	struct bv_fpw_hdr h;
	struct bv_fp_peer *p;
	struct udphdr _uh;
	const u8 *data;
	unsigned int thoff, len;
	u8 role;
	int err;

	if (!fp || ip_hdr(skb)->protocol != IPPROTO_UDP ||
	    ip_is_fragment(ip_hdr(skb)))
		return NF_ACCEPT;
	thoff = ip_hdrlen(skb);
	uh = skb_header_pointer(skb, thoff, sizeof(_uh), &_uh);
	if (!uh || uh->dest != fp->port)
		return NF_ACCEPT;
	/* from here on the datagram is the control plane's: counted */
	len = ntohs(uh->len);
	if (len != sizeof(*uh) + BV_FPW_ADV_LEN || len > skb->len - thoff ||
	    !skb_rtable(skb) || skb_rtable(skb)->rt_type != RTN_LOCAL)
		goto pass;
	len -= sizeof(*uh);
	data = skb_header_pointer(skb, thoff + sizeof(*uh), len, buf);
	if (!data || bv_fpw_peek(data, len, fp->group, &h))
		goto pass;
	p = bv_fp_find(fp, &h);
	if (!p || !(rcu_dereference(bn->cfg)->role & BEAVER_ROLE_GATEWAY))
		goto pass;
	/*
	 * The MAC covers the whole payload; the UDP checksum protects
	 * nothing more the module uses (the ack goes to the configured
	 * address), so it is not verified here.
	 */
	err = bv_fpw_verify(data, len, p->tfm, &a.epoch, &role);
	if (err == -EPERM) {
		bv_stat_inc(bn, BEAVER_STAT_FP_MAC);
		return NF_ACCEPT;
	}
	if (err || role != BV_FPW_ROLE_GATEWAY)
		goto pass;
	spin_lock(&p->lock);
	err = bv_fpw_replay(&p->win, h.seq);
	spin_unlock(&p->lock);
	if (err) {
		bv_stat_inc(bn, BEAVER_STAT_FP_REPLAY);
		return NF_DROP;
	}

	a.advanced = bv_gw_advance(bn, a.epoch, &a.prev, &a.now, &a.switch_ns);
	a.group = fp->group;
	a.sender = fp->node;
	a.sender_key = p->recipient_key;
	a.recipient_key = p->sender_key;
	a.seq = atomic64_inc_return(&bn->fp.seq);
	a.req_id = h.seq;
	if (bv_fpw_ack(&a, p->tfm, ack) ||
	    bv_fp_send(state->net, fp, p, ip_hdr(skb)->daddr, ack))
		bv_stat_inc(bn, BEAVER_STAT_FP_TX_ERR);
	else
		bv_stat_inc(bn, BEAVER_STAT_FP_ADVANCE);
	memzero_explicit(ack, sizeof(ack));
	consume_skb(skb);
	return NF_STOLEN;
pass:
	bv_stat_inc(bn, BEAVER_STAT_FP_PASSED);
	return NF_ACCEPT;
}
