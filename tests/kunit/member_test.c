// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite beaver_member: the member's cut on real sk_buffs. Ingress and
 * egress (netfilter/member.c), the cut and the classification of in-flight
 * packets (kmod/epochs.c), the per-CPU accounting they feed (kmod/tables.c,
 * kmod/records.c) and the completion pipeline, all compiled from the
 * module's own source files into this test module.
 *
 * The reference is DESIGN §3 and §5: a member cuts before it delivers the
 * first packet whose stamp carries a newer epoch, so that packet belongs to
 * the new epoch and is not in the value at the cut; a packet whose stamp is
 * older than the member's epoch is in flight for (stamp, epoch] on its
 * sender's channel, or late on a snapshot that is already complete. Every
 * case feeds packets through bv_member_in() and bv_member_out() as the
 * netfilter hooks do, then reads what the netlink dump reads: the cut
 * records, the per-CPU flow and channel entries, the counters.
 *
 * Each case gets its own struct beaver_net, set up as kmod/netns.c sets up
 * a namespace but without a struct net, which nothing here needs. Some
 * functions of beaver.ko are stubbed below because their files would drag
 * in the rest of the module: bv_nl_notify_cut() (kmod/netlink.c), which
 * here records the cut and complete events for the cases to check;
 * bv_hooks_set() (netfilter/hooks.c), bv_fp_exit() (netfilter/fastpath.c)
 * and the neighbour refresh of netfilter/trust.c, which kmod/netns.c
 * refers to and no case calls; and
 * bv_from_trusted() and bv_from_tunnel() (netfilter/trust.c), whose
 * answers need neighbour tables and devices: here a case says which
 * source is not trusted and whether a packet came out of a tunnel, and
 * the VM bench's trust and tunnel scenarios test the real ones.
 */
#include <kunit/test.h>
#include <kunit/resource.h>
#include <linux/delay.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_ether.h>
#include <linux/inet.h>
#include <linux/ip.h>
#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>

#include "netns.h"
#include "epochs.h"
#include "tables.h"
#include "netlink.h"
#include "hooks.h"
#include "stamp.h"
#include "stamp6.h"
#include "packet.h"
#include "l3.h"
#include "trust.h"
#include "app_mark.h"

#define BV_T_GROUP	7
#define BV_T_SELF	0x0a000001	/* 10.0.0.1: the member under test */
#define BV_T_PEER_A	0x0a000002	/* 10.0.0.2: another member */
#define BV_T_PEER_B	0x0a000003	/* 10.0.0.3: another member */
#define BV_T_VIP	0x0a006401	/* 10.0.100.1: a group VIP */
#define BV_T_CLIENT	0xc000020a	/* 192.0.2.10: out-group, via a gateway */
#define BV_T_STRAY	0xc6336407	/* 198.51.100.7: out-group, no gateway */
#define BV_T_MGMT	0xac100505	/* 172.16.5.5: allow-listed */
#define BV_T_ALLOW	0xac100000	/* 172.16.0.0/12 */
#define BV_T_ALLOW_MASK	0xfff00000
#define BV_T_SPORT	40000
#define BV_T_DPORT	7777
#define BV_T_HDRS	(sizeof(struct iphdr) + sizeof(struct udphdr))
#define BV_T_MAXPKT	512
#define BV_T_SETTLE_NEVER 600000	/* ms: longer than any case runs */
#define BV_T_SETTLE_MS	300
#define BV_T_WAIT_MS	10000	/* for the completion work to finish */

/* a Record Route option with one empty slot, plus a NOOP: 8 bytes */
static const u8 bv_t_rr_noop[8] = { 7, 7, 4, 0, 0, 0, 0, IPOPT_NOOP };

/* what bv_nl_notify_cut() was told, per event */
enum { BV_T_EV_CUT, BV_T_EV_COMPLETE, BV_T_EV_MAX };

struct bv_t_event {
	unsigned int count;
	u32 first;		/* the cut announced last */
	u32 last;
	int state;		/* its state when it was announced */
};

/* per-case state: one member namespace's worth of beaver.ko */
struct bv_t_ctx {
	struct beaver_net bn;
	struct bv_config *cfg;
	spinlock_t ev_lock;	/* the completion work vs. the case */
	struct bv_t_event ev[BV_T_EV_MAX];
};

/* ---- stubs for the parts of beaver.ko this suite does not link ---- */

/* kmod/netlink.c: record the event instead of multicasting it */
void bv_nl_notify_cut(struct beaver_net *bn, const struct bv_cut *c, u8 cmd)
{
	struct bv_t_ctx *ctx = container_of(bn, struct bv_t_ctx, bn);
	struct bv_t_event *ev;

	if (cmd == BEAVER_CMD_EVENT_CUT)
		ev = &ctx->ev[BV_T_EV_CUT];
	else if (cmd == BEAVER_CMD_EVENT_COMPLETE)
		ev = &ctx->ev[BV_T_EV_COMPLETE];
	else
		return;
	spin_lock_bh(&ctx->ev_lock);
	ev->count++;
	ev->first = c->first;
	ev->last = c->last;
	ev->state = READ_ONCE(c->state);
	spin_unlock_bh(&ctx->ev_lock);
}

/* netfilter/fastpath.c: kmod/netns.c refers to it; no case holds keys */
void bv_fp_exit(struct beaver_net *bn)
{
}

/* netfilter/hooks.c: kmod/netns.c refers to it; no case registers hooks */
int bv_hooks_set(struct beaver_net *bn, u32 role)
{
	return role ? -EOPNOTSUPP : 0;
}

/*
 * netfilter/hooks.c: output.c sends the segments of a 64 KiB GSO packet on
 * through it; no case has hooks after ours, so it is the hook's okfn
 */
void bv_hook_continue(struct sk_buff *skb, const struct nf_hook_state *state)
{
	state->okfn(state->net, state->sk, skb);
}

/* an IPv4 address (host order) as kmod/addr.h keeps it */
static struct in6_addr bv_t_addr(u32 v4)
{
	struct in6_addr a;

	bv_addr_set4(&a, htonl(v4));
	return a;
}

static bool bv_t_addr_is(const struct in6_addr *a, u32 v4)
{
	struct in6_addr b = bv_t_addr(v4);

	return ipv6_addr_equal(a, &b);
}

/* a channel's peer: 0 stands for the aggregate kinds' :: */
static bool bv_t_peer_is(const struct in6_addr *a, u32 v4)
{
	return v4 ? bv_t_addr_is(a, v4) : ipv6_addr_any(a);
}

/* netfilter/trust.c: the source a case distrusts (0: none) */
static u32 bv_t_untrusted;

bool bv_from_trusted(const struct bv_config *cfg, struct sk_buff *skb,
		     const struct in6_addr *saddr, bool gateways)
{
	return !bv_t_addr_is(saddr, bv_t_untrusted);
}

/* netfilter/trust.c: whether a case's packet came out of an IPIP tunnel */
static bool bv_t_tunnel;

bool bv_from_tunnel(const struct sk_buff *skb)
{
	return bv_t_tunnel;
}

void bv_trust_init(struct beaver_net *bn)
{
}

void bv_trust_kick(struct beaver_net *bn)
{
}

void bv_trust_exit(struct beaver_net *bn)
{
}

/* ---- set-up, as bv_net_init() and bv_net_exit() do ---- */

static int bv_t_config(struct bv_config *cfg)
{
	static const u32 members[] = { BV_T_PEER_B, BV_T_SELF, BV_T_PEER_A };
	unsigned int i;

	cfg->role = BEAVER_ROLE_MEMBER;
	cfg->group = BV_T_GROUP;
	cfg->settle_ms = BV_T_SETTLE_NEVER;
	cfg->members = kcalloc(ARRAY_SIZE(members), sizeof(*cfg->members),
			       GFP_KERNEL);
	cfg->vips = kcalloc(1, sizeof(*cfg->vips), GFP_KERNEL);
	cfg->allow = kcalloc(1, sizeof(*cfg->allow), GFP_KERNEL);
	if (!cfg->members || !cfg->vips || !cfg->allow)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(members); i++)
		cfg->members[i] = bv_t_addr(members[i]);
	cfg->n_members = ARRAY_SIZE(members);
	/* sorted as the netlink configuration sorts them, for bv_addr_in() */
	sort(cfg->members, cfg->n_members, sizeof(*cfg->members),
	     bv_addr_sort_cmp, NULL);
	cfg->vips[0] = bv_t_addr(BV_T_VIP);
	cfg->n_vips = 1;
	/* an IPv4 /n is kept as the mapped /96+n (addr.h) */
	cfg->allow[0].addr = bv_t_addr(BV_T_ALLOW);
	cfg->allow[0].len = 96 + hweight32(BV_T_ALLOW_MASK);
	cfg->allow[0].v4 = true;
	cfg->n_allow = 1;
	/*
	 * The cases test the option (stamp.h); those of the IPv4 ID encoding
	 * (stamp_id.h, "the stamp in the IPv4 ID" below) turn it back on
	 */
	cfg->flags |= BEAVER_CFG_F_IPV4_OPTION;
	return bv_config_index(cfg);
}

static int bv_t_init(struct kunit *test)
{
	struct bv_t_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	struct beaver_net *bn;
	struct bv_config *cfg;
	int err = -ENOMEM;

	test->priv = NULL;
	bv_t_untrusted = 0;
	bv_t_tunnel = false;
	if (!ctx)
		return -ENOMEM;
	bn = &ctx->bn;
	spin_lock_init(&ctx->ev_lock);
	mutex_init(&bn->cfg_mutex);
	bv_epochs_init(bn);
	cfg = bv_config_default();
	if (!cfg)
		return -ENOMEM;
	err = bv_t_config(cfg);
	if (err)
		goto err_cfg;
	RCU_INIT_POINTER(bn->cfg, cfg);
	err = -ENOMEM;
	bn->stats = alloc_percpu(struct bv_stats);
	if (!bn->stats)
		goto err_cfg;
	err = bv_tables_init();
	if (err)
		goto err_stats;
	err = bv_tables_alloc(bn);
	if (err)
		goto err_caches;
	mutex_lock(&bn->cfg_mutex);
	err = bv_tables_resize(bn, bv_tables_buckets(cfg->max_flows));
	mutex_unlock(&bn->cfg_mutex);
	if (err)
		goto err_tables;
	atomic_set(&bn->hist_budget.used, 0);
	bn->hist_budget.max = cfg->max_history;
	bn->hist_budget.limit_hits = &bn->hist_limit_hits;
	bn->hist_budget.nomem = &bn->nomem;
	ctx->cfg = cfg;
	test->priv = ctx;
	return 0;

err_tables:
	bv_tables_free(bn);
err_caches:
	bv_tables_exit();
err_stats:
	free_percpu(bn->stats);
err_cfg:
	bv_config_free(cfg);
	return err;
}

static void bv_t_exit(struct kunit *test)
{
	struct bv_t_ctx *ctx = test->priv;

	/* also called when bv_t_init failed */
	if (!ctx)
		return;
	/* stops the completion work and frees the cut records */
	bv_epochs_exit(&ctx->bn);
	bv_tables_free(&ctx->bn);
	bv_tables_exit();
	free_percpu(ctx->bn.stats);
	bv_config_free(ctx->cfg);
}

/* ---- packets ---- */

static int bv_t_skb_init(struct kunit_resource *res, void *context)
{
	res->data = context;
	return 0;
}

static void bv_t_skb_free(struct kunit_resource *res)
{
	kfree_skb(res->data);
}

/* free @skb when the test case ends, however it ends */
static struct sk_buff *bv_t_track(struct kunit *test, struct sk_buff *skb)
{
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, bv_t_skb_init,
							 bv_t_skb_free,
							 GFP_KERNEL, skb));
	return skb;
}

static u8 *bv_t_buf(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, BV_T_MAXPKT, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	return buf;
}

/*
 * Write an IPv4 + UDP packet from @saddr to @daddr (host order) with the
 * options @opts (@optlen a multiple of 4) and @payload bytes of payload
 * into @buf, with valid header and UDP checksums. Returns its length.
 */
static unsigned int bv_t_build(u8 *buf, u32 saddr, u32 daddr, const u8 *opts,
			       unsigned int optlen, unsigned int payload)
{
	unsigned int hlen = sizeof(struct iphdr) + optlen;
	unsigned int ulen = sizeof(struct udphdr) + payload;
	struct iphdr *iph = (struct iphdr *)buf;
	struct udphdr *uh = (struct udphdr *)(buf + hlen);
	unsigned int i;
	__wsum sum;

	memset(iph, 0, sizeof(*iph));
	iph->version = 4;
	iph->ihl = hlen / 4;
	iph->tot_len = htons(hlen + ulen);
	iph->id = htons(0x4242);
	iph->frag_off = htons(IP_DF);
	iph->ttl = 64;
	iph->protocol = IPPROTO_UDP;
	iph->saddr = htonl(saddr);
	iph->daddr = htonl(daddr);
	if (optlen)
		memcpy(buf + sizeof(*iph), opts, optlen);
	ip_send_check(iph);

	uh->source = htons(BV_T_SPORT);
	uh->dest = htons(BV_T_DPORT);
	uh->len = htons(ulen);
	uh->check = 0;
	for (i = 0; i < payload; i++)
		buf[hlen + sizeof(*uh) + i] = (u8)(i * 13 + 5);
	sum = csum_partial(uh, ulen, 0);
	uh->check = csum_tcpudp_magic(iph->saddr, iph->daddr, ulen,
				      IPPROTO_UDP, sum);
	if (!uh->check)
		uh->check = CSUM_MANGLED_0;
	return hlen + ulen;
}

/* a linear skb holding @pkt, as the stack hands it to PRE/POST_ROUTING */
static struct sk_buff *bv_t_skb(struct kunit *test, const u8 *pkt,
				unsigned int len)
{
	struct sk_buff *skb = bv_t_track(test, alloc_skb(64 + len,
							 GFP_KERNEL));

	skb_reserve(skb, 64);
	skb_put_data(skb, pkt, len);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, (pkt[0] & 0x0f) * 4);
	skb->protocol = htons(ETH_P_IP);
	return skb;
}

/* the bytes of @skb */
static u8 *bv_t_bytes(struct kunit *test, struct sk_buff *skb)
{
	u8 *buf = kunit_kmalloc(test, skb->len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, skb_copy_bits(skb, 0, buf, skb->len), 0);
	return buf;
}

static void bv_t_expect_bytes(struct kunit *test, struct sk_buff *skb,
			      const u8 *want, unsigned int len)
{
	const u8 *got;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, skb->len, len);
	got = bv_t_bytes(test, skb);
	for (i = 0; i < len; i++)
		if (got[i] != want[i])
			break;
	KUNIT_EXPECT_EQ_MSG(test, i, len,
			    "first difference at byte %u: %02x, want %02x",
			    i, i < len ? got[i] : 0, i < len ? want[i] : 0);
}

/*
 * @skb is a well-formed IPv4/UDP packet with an @hlen-byte header: network
 * header at skb->data, consistent ihl and tot_len, valid header checksum,
 * valid UDP checksum.
 */
static void bv_t_expect_sane(struct kunit *test, struct sk_buff *skb,
			     unsigned int hlen)
{
	const struct iphdr *iph;
	unsigned int ulen;
	__wsum sum;

	KUNIT_ASSERT_TRUE(test, pskb_may_pull(skb, hlen));
	iph = ip_hdr(skb);
	KUNIT_EXPECT_EQ(test, skb_network_offset(skb), 0);
	KUNIT_EXPECT_EQ(test, iph->ihl * 4, hlen);
	KUNIT_EXPECT_EQ(test, ntohs(iph->tot_len), skb->len);
	KUNIT_EXPECT_EQ(test, (__force u16)ip_fast_csum(iph, iph->ihl), 0);
	ulen = skb->len - hlen;
	sum = skb_checksum(skb, hlen, ulen, 0);
	KUNIT_EXPECT_EQ(test,
			(__force u16)csum_tcpudp_magic(iph->saddr, iph->daddr,
						       ulen, IPPROTO_UDP, sum),
			0);
}

/*
 * A packet from @saddr to this member, with the options @opts, through
 * the member's PRE_ROUTING hook. *verdict receives the hook's verdict.
 */
static struct sk_buff *bv_t_rx(struct kunit *test, u32 saddr, const u8 *opts,
			       unsigned int optlen, unsigned int payload,
			       unsigned int *verdict)
{
	struct bv_t_ctx *ctx = test->priv;
	u8 *pkt = bv_t_buf(test);
	struct sk_buff *skb;
	unsigned int len;

	len = bv_t_build(pkt, saddr, BV_T_SELF, opts, optlen, payload);
	skb = bv_t_skb(test, pkt, len);
	/* netfilter runs its hooks inside an RCU read-side section */
	rcu_read_lock();
	*verdict = bv_member_in(&ctx->bn, ctx->cfg, skb);
	rcu_read_unlock();
	return skb;
}

/* ... that carries this group's stamp of @epoch */
static struct sk_buff *bv_t_in(struct kunit *test, u32 saddr, u32 epoch,
			       unsigned int payload)
{
	u8 opt[BEAVER_OPT_LEN];
	struct sk_buff *skb;
	unsigned int v;

	bv_stamp_encode(opt, BV_T_GROUP, epoch);
	skb = bv_t_rx(test, saddr, opt, sizeof(opt), payload, &v);
	KUNIT_EXPECT_EQ(test, v, NF_ACCEPT);
	return skb;
}

/* ... that carries no stamp */
static struct sk_buff *bv_t_in_plain(struct kunit *test, u32 saddr,
				     unsigned int payload)
{
	struct sk_buff *skb;
	unsigned int v;

	skb = bv_t_rx(test, saddr, NULL, 0, payload, &v);
	KUNIT_EXPECT_EQ(test, v, NF_ACCEPT);
	return skb;
}

/* @skb through the member's POST_ROUTING hook; returns the verdict */
static unsigned int bv_t_out_skb(struct kunit *test, struct sk_buff *skb)
{
	struct bv_t_ctx *ctx = test->priv;
	struct nf_hook_state state = {};
	unsigned int verdict;

	rcu_read_lock();
	verdict = bv_member_out(&ctx->bn, ctx->cfg, skb, &state);
	rcu_read_unlock();
	return verdict;
}

/*
 * A packet of this member to @daddr through its POST_ROUTING hook: locally
 * generated (no input interface), no route attached. Writes the packet as
 * it was before the hook into @pkt and returns the skb after it.
 */
static struct sk_buff *bv_t_out(struct kunit *test, u32 daddr,
				unsigned int payload, u8 *pkt,
				unsigned int *len)
{
	struct sk_buff *skb;

	*len = bv_t_build(pkt, BV_T_SELF, daddr, NULL, 0, payload);
	skb = bv_t_skb(test, pkt, *len);
	KUNIT_EXPECT_EQ(test, bv_t_out_skb(test, skb), NF_ACCEPT);
	return skb;
}

/* ---- what the member recorded ---- */

static struct beaver_net *bv_t_bn(struct kunit *test)
{
	return &((struct bv_t_ctx *)test->priv)->bn;
}

static struct bv_config *bv_t_cfg(struct kunit *test)
{
	return ((struct bv_t_ctx *)test->priv)->cfg;
}

static u32 bv_t_epoch(struct kunit *test)
{
	return atomic_read(&bv_t_bn(test)->m_epoch);
}

static u64 bv_t_stat(struct kunit *test, int stat)
{
	return bv_stat_read(bv_t_bn(test), stat);
}

/* the member's own cut for @e, as beaverctl or the coordinator asks it */
static u32 bv_t_advance(struct kunit *test, u32 e)
{
	struct bv_t_ctx *ctx = test->priv;
	bool advanced;

	return bv_member_advance(&ctx->bn, ctx->cfg, e, true, &advanced);
}

/* the cut record covering epoch @e, or NULL */
static struct bv_cut *bv_t_cut(struct kunit *test, u32 e)
{
	struct bv_cut *c;

	/* records are freed only in bv_t_exit: the pointer stays valid */
	rcu_read_lock();
	c = bv_cut_find(bv_t_bn(test), e);
	rcu_read_unlock();
	return c;
}

static bool bv_t_cut_flag(const struct bv_cut *c, u32 flag)
{
	return test_bit(ilog2(flag), &c->flags);
}

static struct bv_t_event bv_t_event(struct kunit *test, int which)
{
	struct bv_t_ctx *ctx = test->priv;
	struct bv_t_event ev;

	spin_lock_bh(&ctx->ev_lock);
	ev = ctx->ev[which];
	spin_unlock_bh(&ctx->ev_lock);
	return ev;
}

/* run the completion work until the cut covering @e is complete */
static struct bv_cut *bv_t_complete(struct kunit *test, u32 e)
{
	unsigned long timeout = jiffies + msecs_to_jiffies(BV_T_WAIT_MS);
	struct bv_cut *c = bv_t_cut(test, e);

	KUNIT_ASSERT_NOT_NULL(test, c);
	for (;;) {
		flush_delayed_work(&bv_t_bn(test)->complete_work);
		if (READ_ONCE(c->state) == BEAVER_STATE_COMPLETE) {
			/* a run the timer started may still be finishing */
			flush_delayed_work(&bv_t_bn(test)->complete_work);
			return c;
		}
		KUNIT_ASSERT_TRUE_MSG(test, time_before(jiffies, timeout),
				      "cut of %u not complete after %u ms", e,
				      BV_T_WAIT_MS);
		msleep(20);
	}
}

/* one flow's or one channel's accounting, summed over the CPUs */
struct bv_t_acct {
	unsigned int entries;		/* CPUs with an entry */
	unsigned int with_cut;		/* of those, with a value at the cut */
	u32 epoch;			/* newest epoch counted */
	struct bv_totals cur;		/* everything counted */
	struct bv_totals cut;		/* the value at the cut asked for */
	unsigned int n_inflight;	/* channels: in-flight entries */
	u64 inflight_pkts;		/* channels: in flight for the range */
	u64 inflight_bytes;		/* asked for, exactly */
};

static void bv_t_totals_add(struct bv_totals *sum, const struct bv_totals *t)
{
	sum->tx_pkts += t->tx_pkts;
	sum->tx_bytes += t->tx_bytes;
	sum->rx_pkts += t->rx_pkts;
	sum->rx_bytes += t->rx_bytes;
}

static void bv_t_acct_add(struct bv_t_acct *s, const struct bv_acct *a,
			  u32 e)
{
	struct bv_totals t;

	if (!s->entries || bv_epoch_after(a->epoch, s->epoch))
		s->epoch = a->epoch;
	s->entries++;
	bv_t_totals_add(&s->cur, &a->cur);
	if (bv_acct_at_cut(a, e, &t)) {
		s->with_cut++;
		bv_t_totals_add(&s->cut, &t);
	}
}

/* the UDP flow of bv_t_build between @laddr and @raddr (addr.h) */
static void bv_t_flow6(struct kunit *test, const struct in6_addr *laddr,
		       const struct in6_addr *raddr, bool tx, u32 e,
		       struct bv_t_acct *s)
{
	struct beaver_net *bn = bv_t_bn(test);
	__be16 lport = htons(tx ? BV_T_SPORT : BV_T_DPORT);
	__be16 rport = htons(tx ? BV_T_DPORT : BV_T_SPORT);
	int cpu, i;

	memset(s, 0, sizeof(*s));
	for_each_possible_cpu(cpu) {
		struct bv_pcpu *pc = per_cpu_ptr(bn->pcpu, cpu);
		struct bv_flow *f;

		spin_lock_bh(&pc->lock);
		for (i = 0; pc->flows && i <= pc->flow_mask; i++) {
			list_for_each_entry(f, &pc->flows[i], node) {
				if (!ipv6_addr_equal(&f->key.laddr, laddr) ||
				    !ipv6_addr_equal(&f->key.raddr, raddr) ||
				    f->key.lport != lport ||
				    f->key.rport != rport ||
				    f->key.proto != IPPROTO_UDP)
					continue;
				bv_t_acct_add(s, &f->acct, e);
			}
		}
		spin_unlock_bh(&pc->lock);
	}
}

/* the UDP flow of bv_t_build between this member and IPv4 @raddr */
static void bv_t_flow(struct kunit *test, u32 raddr, bool tx, u32 e,
		      struct bv_t_acct *s)
{
	struct in6_addr l = bv_t_addr(BV_T_SELF), r = bv_t_addr(raddr);

	bv_t_flow6(test, &l, &r, tx, e, s);
}

/*
 * the channel (@kind, @peer: addr.h); in-flight packets for exactly
 * [first, last]
 */
static void bv_t_chan6(struct kunit *test, u8 kind,
		       const struct in6_addr *peer, u32 e, u32 first, u32 last,
		       struct bv_t_acct *s)
{
	struct beaver_net *bn = bv_t_bn(test);
	int cpu, i;

	memset(s, 0, sizeof(*s));
	for_each_possible_cpu(cpu) {
		struct bv_pcpu *pc = per_cpu_ptr(bn->pcpu, cpu);
		const struct bv_inflight *in;
		struct bv_chan *ch;

		spin_lock_bh(&pc->lock);
		for (i = 0; i < BV_CHAN_BUCKETS; i++) {
			list_for_each_entry(ch, &pc->chans[i], node) {
				if (ch->kind != kind ||
				    !ipv6_addr_equal(&ch->peer, peer))
					continue;
				bv_t_acct_add(s, &ch->acct, e);
				for (in = ch->inflight; in; in = in->next) {
					s->n_inflight++;
					if (in->first != first ||
					    in->last != last)
						continue;
					s->inflight_pkts += in->pkts;
					s->inflight_bytes += in->bytes;
				}
			}
		}
		spin_unlock_bh(&pc->lock);
	}
}

/* the channel (@kind, IPv4 @peer; 0: the aggregate kinds' ::) */
static void bv_t_chan(struct kunit *test, u8 kind, u32 peer, u32 e,
		      u32 first, u32 last, struct bv_t_acct *s)
{
	struct in6_addr p = {};

	if (peer)
		p = bv_t_addr(peer);
	bv_t_chan6(test, kind, &p, e, first, last, s);
}

/* expect @t to hold exactly these totals */
static void bv_t_expect_totals(struct kunit *test, const char *what,
			       const struct bv_totals *t, u64 rx_pkts,
			       u64 rx_bytes, u64 tx_pkts, u64 tx_bytes)
{
	KUNIT_EXPECT_EQ_MSG(test, t->rx_pkts, rx_pkts, "%s: rx_pkts", what);
	KUNIT_EXPECT_EQ_MSG(test, t->rx_bytes, rx_bytes, "%s: rx_bytes", what);
	KUNIT_EXPECT_EQ_MSG(test, t->tx_pkts, tx_pkts, "%s: tx_pkts", what);
	KUNIT_EXPECT_EQ_MSG(test, t->tx_bytes, tx_bytes, "%s: tx_bytes", what);
}

/* ---- cases ---- */

/*
 * The first packet of a newer epoch: the member cuts before it counts the
 * packet, so the packet belongs to the new epoch and is not in the value
 * at the cut. If this fails, the cut is taken after delivery (or the packet
 * is attributed to the old epoch): the snapshot records the receipt of a
 * packet that its sender sent after its own cut, exactly the inconsistency
 * the stamp exists to prevent.
 */
static void bv_member_in_cut_before_delivery(struct kunit *test)
{
	unsigned int len = BV_T_HDRS + 100;
	struct bv_t_acct s;
	struct bv_cut *c;

	/* in epoch 3: two packets from member A */
	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 3), 3);
	bv_t_in(test, BV_T_PEER_A, 3, 100);
	bv_t_in(test, BV_T_PEER_A, 3, 100);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 3);
	KUNIT_EXPECT_EQ(test, bv_t_bn(test)->n_cuts, 1);
	KUNIT_EXPECT_NULL(test, bv_t_cut(test, 4));

	/* A has cut for 4 and says so: this member cuts first */
	bv_t_in(test, BV_T_PEER_A, 4, 100);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 4);
	KUNIT_EXPECT_EQ(test, bv_t_bn(test)->n_cuts, 2);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_CUTS), 2);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_STAMPED), 3);
	c = bv_t_cut(test, 4);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_EQ(test, c->first, 4);
	KUNIT_EXPECT_EQ(test, c->last, 4);
	KUNIT_EXPECT_FALSE(test, bv_t_cut_flag(c, BEAVER_CUT_F_BY_COMMAND));
	KUNIT_EXPECT_NOT_NULL(test, bv_t_cut(test, 3));
	KUNIT_EXPECT_PTR_NE(test, bv_t_cut(test, 3), c);

	/* at the cut of 4: the two packets of epoch 3, not the third */
	bv_t_flow(test, BV_T_PEER_A, false, 4, &s);
	KUNIT_EXPECT_EQ(test, s.entries, s.with_cut);
	KUNIT_EXPECT_EQ(test, s.epoch, 4);
	bv_t_expect_totals(test, "flow at cut 4", &s.cut, 2, 2 * len, 0, 0);
	bv_t_expect_totals(test, "flow now", &s.cur, 3, 3 * len, 0, 0);
	bv_t_chan(test, BEAVER_CHAN_MEMBER, BV_T_PEER_A, 4, 0, 0, &s);
	KUNIT_EXPECT_EQ(test, s.entries, s.with_cut);
	KUNIT_EXPECT_EQ(test, s.epoch, 4);
	bv_t_expect_totals(test, "channel at cut 4", &s.cut, 2, 2 * len, 0,
			   0);
	bv_t_expect_totals(test, "channel now", &s.cur, 3, 3 * len, 0, 0);
	/* newer, not older: nothing in flight */
	KUNIT_EXPECT_EQ(test, s.n_inflight, 0);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_INFLIGHT), 0);

	/* the packet is part of the next snapshot */
	bv_t_flow(test, BV_T_PEER_A, false, 5, &s);
	bv_t_expect_totals(test, "flow at cut 5", &s.cut, 3, 3 * len, 0, 0);
}

/*
 * A packet stamped with an older epoch, arriving after the cut: it is in
 * flight for exactly (stamp, member epoch] on its sender's channel, and not
 * received before the cut. If this fails, a snapshot loses messages that
 * were sent before the sender's cut and received after the receiver's
 * (the channel state of Chandy-Lamport), or books them on the wrong
 * channel or the wrong snapshots.
 */
static void bv_member_in_inflight(struct kunit *test)
{
	unsigned int l50 = BV_T_HDRS + 50, l60 = BV_T_HDRS + 60;
	unsigned int l70 = BV_T_HDRS + 70, l80 = BV_T_HDRS + 80;
	struct beaver_net *bn = bv_t_bn(test);
	struct {
		u32 stamp, epoch, len, caplen;
		u8 byte0;
	} caps[3] = {};
	unsigned int n_caps = 0, i;
	struct bv_capture *cap;
	struct bv_t_acct s;
	int cpu;

	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 3), 3);
	bv_t_in(test, BV_T_PEER_B, 3, 50);
	/* A is in 5 already: one cut for 4 and 5 */
	bv_t_in(test, BV_T_PEER_A, 5, 10);
	KUNIT_ASSERT_EQ(test, bv_t_epoch(test), 5);
	KUNIT_ASSERT_NOT_NULL(test, bv_t_cut(test, 4));

	/* B sent this one in 3: in flight for 4 and 5 */
	bv_t_in(test, BV_T_PEER_B, 3, 60);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 5);
	KUNIT_EXPECT_EQ(test, bn->n_cuts, 2);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_INFLIGHT), 1);
	bv_t_chan(test, BEAVER_CHAN_MEMBER, BV_T_PEER_B, 4, 4, 5, &s);
	KUNIT_EXPECT_EQ(test, s.n_inflight, 1);
	KUNIT_EXPECT_EQ(test, s.inflight_pkts, 1);
	KUNIT_EXPECT_EQ(test, s.inflight_bytes, l60);
	/* ... and not received before the cut of 4 or of 5 */
	bv_t_expect_totals(test, "B at cut 4", &s.cut, 1, l50, 0, 0);
	bv_t_chan(test, BEAVER_CHAN_MEMBER, BV_T_PEER_B, 5, 4, 5, &s);
	bv_t_expect_totals(test, "B at cut 5", &s.cut, 1, l50, 0, 0);
	bv_t_expect_totals(test, "B now", &s.cur, 2, l50 + l60, 0, 0);
	bv_t_flow(test, BV_T_PEER_B, false, 5, &s);
	bv_t_expect_totals(test, "B's flow at cut 5", &s.cut, 1, l50, 0, 0);
	/* nothing on the channel it did not come from */
	bv_t_chan(test, BEAVER_CHAN_MEMBER, BV_T_PEER_A, 5, 4, 5, &s);
	KUNIT_EXPECT_EQ(test, s.n_inflight, 0);

	/* same stamp, same epoch: same entry; stamp 4: in flight for 5 */
	bv_t_in(test, BV_T_PEER_B, 3, 70);
	bv_t_in(test, BV_T_PEER_B, 4, 80);
	bv_t_chan(test, BEAVER_CHAN_MEMBER, BV_T_PEER_B, 5, 4, 5, &s);
	KUNIT_EXPECT_EQ(test, s.n_inflight, 2);
	KUNIT_EXPECT_EQ(test, s.inflight_pkts, 2);
	KUNIT_EXPECT_EQ(test, s.inflight_bytes, l60 + l70);
	bv_t_chan(test, BEAVER_CHAN_MEMBER, BV_T_PEER_B, 5, 5, 5, &s);
	KUNIT_EXPECT_EQ(test, s.inflight_pkts, 1);
	KUNIT_EXPECT_EQ(test, s.inflight_bytes, l80);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_INFLIGHT), 3);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_LATE), 0);

	/* captured as delivered (stamp gone), with their stamp and epoch */
	for_each_possible_cpu(cpu) {
		struct bv_pcpu *pc = per_cpu_ptr(bn->pcpu, cpu);

		spin_lock_bh(&pc->lock);
		list_for_each_entry(cap, &pc->captures, list) {
			/* copied out: no KUNIT_EXPECT under a spinlock */
			if (n_caps < ARRAY_SIZE(caps)) {
				caps[n_caps].stamp = cap->stamp;
				caps[n_caps].epoch = cap->epoch;
				caps[n_caps].len = cap->len;
				caps[n_caps].caplen = cap->caplen;
				caps[n_caps].byte0 = cap->caplen ? cap->data[0]
								 : 0;
			}
			n_caps++;
		}
		spin_unlock_bh(&pc->lock);
	}
	KUNIT_ASSERT_EQ(test, n_caps, 3);
	for (i = 0; i < n_caps; i++) {
		KUNIT_EXPECT_EQ(test, caps[i].stamp, i < 2 ? 3 : 4);
		KUNIT_EXPECT_EQ(test, caps[i].epoch, 5);
		KUNIT_EXPECT_EQ(test, caps[i].len, l60 + 10 * i);
		KUNIT_EXPECT_EQ(test, caps[i].caplen,
				min(caps[i].len, bv_t_cfg(test)->capture_bytes));
		KUNIT_EXPECT_EQ(test, caps[i].byte0, 0x45);
	}
}

/*
 * A stamp equal to the member's epoch: no cut, nothing in flight, the
 * packet counted in that epoch. If this fails, every packet of an epoch
 * would cut again (records piling up, snapshots closing early) or be
 * recorded as channel state it is not.
 */
static void bv_member_in_same_epoch(struct kunit *test)
{
	unsigned int len = BV_T_HDRS + 20;
	struct bv_t_acct s;

	/* epoch 0, before any snapshot: stamps of 0 cut nothing either */
	bv_t_in(test, BV_T_PEER_A, 0, 20);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 0);
	KUNIT_EXPECT_EQ(test, bv_t_bn(test)->n_cuts, 0);

	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 3), 3);
	bv_t_in(test, BV_T_PEER_A, 3, 20);
	bv_t_in(test, BV_T_PEER_A, 3, 20);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 3);
	KUNIT_EXPECT_EQ(test, bv_t_bn(test)->n_cuts, 1);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_CUTS), 1);
	KUNIT_EXPECT_NULL(test, bv_t_cut(test, 4));
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_INFLIGHT), 0);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_LATE), 0);
	bv_t_chan(test, BEAVER_CHAN_MEMBER, BV_T_PEER_A, 4, 0, 0, &s);
	KUNIT_EXPECT_EQ(test, s.n_inflight, 0);
	KUNIT_EXPECT_EQ(test, s.epoch, 3);
	bv_t_expect_totals(test, "channel now", &s.cur, 3, 3 * len, 0, 0);
	/* all three are in the cut of 4, only the one of epoch 0 in 3's */
	bv_t_expect_totals(test, "channel at cut 4", &s.cut, 3, 3 * len, 0,
			   0);
	bv_t_flow(test, BV_T_PEER_A, false, 3, &s);
	bv_t_expect_totals(test, "flow at cut 3", &s.cut, 1, len, 0, 0);
}

/*
 * A stamp several epochs ahead: one cut record covers the whole range, and
 * the at-cut values of every snapshot in it are the same. If this fails,
 * the snapshots the member jumped over have no record (a coordinator
 * would wait for them for ever) or get different values for one instant.
 */
static void bv_member_in_skipped_epochs(struct kunit *test)
{
	unsigned int len = BV_T_HDRS + 30;
	struct bv_t_acct s;
	struct bv_cut *c;
	u32 e;

	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 2), 2);
	bv_t_in(test, BV_T_PEER_A, 2, 30);
	bv_t_in(test, BV_T_PEER_A, 7, 30);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 7);
	KUNIT_EXPECT_EQ(test, bv_t_bn(test)->n_cuts, 2);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_CUTS), 2);
	c = bv_t_cut(test, 7);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_EQ(test, c->first, 3);
	KUNIT_EXPECT_EQ(test, c->last, 7);
	for (e = 3; e <= 7; e++) {
		KUNIT_EXPECT_PTR_EQ(test, bv_t_cut(test, e), c);
		bv_t_flow(test, BV_T_PEER_A, false, e, &s);
		bv_t_expect_totals(test, "flow at a skipped cut", &s.cut, 1,
				   len, 0, 0);
	}
	KUNIT_EXPECT_PTR_NE(test, bv_t_cut(test, 2), c);
	KUNIT_EXPECT_NULL(test, bv_t_cut(test, 8));
	bv_t_flow(test, BV_T_PEER_A, false, 8, &s);
	bv_t_expect_totals(test, "flow at cut 8", &s.cut, 2, 2 * len, 0, 0);
	/* the packet was not in flight: it came from ahead */
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_INFLIGHT), 0);
}

/*
 * The same across the wrap of the epoch counter, where 0 is skipped. If
 * this fails, a long-running group loses its snapshots when the
 * coordinator's counter wraps.
 */
static void bv_member_in_skipped_epochs_wrap(struct kunit *test)
{
	struct bv_t_acct s;
	struct bv_cut *c;

	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 0xfffffffe), 0xfffffffe);
	bv_t_in(test, BV_T_PEER_B, 0xfffffffe, 1);
	bv_t_in(test, BV_T_PEER_A, 2, 1);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 2);
	c = bv_t_cut(test, 2);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_EQ(test, c->first, 0xffffffff);
	KUNIT_EXPECT_EQ(test, c->last, 2);
	KUNIT_EXPECT_PTR_EQ(test, bv_t_cut(test, 0xffffffff), c);
	KUNIT_EXPECT_PTR_EQ(test, bv_t_cut(test, 1), c);
	KUNIT_EXPECT_NULL(test, bv_t_cut(test, 0));
	KUNIT_EXPECT_NULL(test, bv_t_cut(test, 3));

	/* B's packet of 0xfffffffe, arriving now, is in flight for all */
	bv_t_in(test, BV_T_PEER_B, 0xfffffffe, 1);
	bv_t_chan(test, BEAVER_CHAN_MEMBER, BV_T_PEER_B, 1, 0xffffffff, 2,
		  &s);
	KUNIT_EXPECT_EQ(test, s.n_inflight, 1);
	KUNIT_EXPECT_EQ(test, s.inflight_pkts, 1);
	bv_t_expect_totals(test, "B at cut 1", &s.cut, 1, BV_T_HDRS + 1, 0,
			   0);
}

/*
 * The stamp is removed before delivery, wherever it sits among the
 * options: the packet is then byte for byte what its sender sent, with a
 * consistent header and valid checksums. If this fails, applications and
 * the rest of the stack see Beaver's option (DESIGN §3: they never do), or
 * the packet is corrupted or dropped.
 */
static void bv_member_in_strips_stamp(struct kunit *test)
{
	u8 *want = bv_t_buf(test);
	struct bv_t_acct s;
	struct sk_buff *skb;
	unsigned int v, wlen, i;
	u64 bytes = 0;
	u8 opts[16];

	for (i = 0; i < 3; i++) {
		/* [stamp], [RR NOOP][stamp], [stamp][RR NOOP] */
		unsigned int payload = 200 + i;

		if (i == 1) {
			memcpy(opts, bv_t_rr_noop, 8);
			bv_stamp_encode(opts + 8, BV_T_GROUP, 1);
		} else {
			bv_stamp_encode(opts, BV_T_GROUP, 1);
			memcpy(opts + 8, bv_t_rr_noop, 8);
		}
		skb = bv_t_rx(test, BV_T_CLIENT, opts, i ? 16 : 8, payload,
			      &v);
		KUNIT_EXPECT_EQ(test, v, NF_ACCEPT);
		wlen = bv_t_build(want, BV_T_CLIENT, BV_T_SELF,
				  i == 1 ? opts : opts + 8, i ? 8 : 0,
				  payload);
		bv_t_expect_sane(test, skb, i ? 28 : 20);
		bv_t_expect_bytes(test, skb, want, wlen);
		bytes += wlen;
	}
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_STAMPED), 3);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_STRIP_ERR), 0);
	/* counted as delivered: without the stamp's 8 bytes */
	bv_t_chan(test, BEAVER_CHAN_GATEWAY, 0, 2, 0, 0, &s);
	bv_t_expect_totals(test, "gateway channel", &s.cur, 3, bytes, 0, 0);
}

/*
 * Unstamped packets: from a member they count as unstamped_member on the
 * member's channel; from outside the group they bypassed the gateways
 * (counted), unless allow-listed. None of them cuts, all belong to the
 * member's epoch. Stamped traffic from outside the group came through a
 * gateway. If this fails, a broken precondition goes unreported with the
 * snapshot, or allow-listed traffic raises false alarms.
 */
static void bv_member_in_unstamped(struct kunit *test)
{
	unsigned int len = BV_T_HDRS + 40;
	struct bv_t_acct s;

	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 3), 3);

	bv_t_in_plain(test, BV_T_PEER_A, 40);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_UNSTAMPED_MEMBER), 1);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_BYPASS), 0);
	bv_t_chan(test, BEAVER_CHAN_MEMBER, BV_T_PEER_A, 4, 0, 0, &s);
	KUNIT_EXPECT_EQ(test, s.epoch, 3);
	bv_t_expect_totals(test, "member A", &s.cur, 1, len, 0, 0);

	bv_t_in_plain(test, BV_T_STRAY, 40);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_BYPASS), 1);
	bv_t_chan(test, BEAVER_CHAN_BYPASS, 0, 4, 0, 0, &s);
	KUNIT_EXPECT_EQ(test, s.epoch, 3);
	bv_t_expect_totals(test, "bypass", &s.cur, 1, len, 0, 0);
	bv_t_flow(test, BV_T_STRAY, false, 4, &s);
	bv_t_expect_totals(test, "bypass flow", &s.cur, 1, len, 0, 0);

	bv_t_in_plain(test, BV_T_MGMT, 40);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_BYPASS), 1);
	bv_t_chan(test, BEAVER_CHAN_OUTSIDE, 0, 4, 0, 0, &s);
	bv_t_expect_totals(test, "allow-listed", &s.cur, 1, len, 0, 0);

	bv_t_in(test, BV_T_CLIENT, 3, 40);
	bv_t_chan(test, BEAVER_CHAN_GATEWAY, 0, 4, 0, 0, &s);
	bv_t_expect_totals(test, "via a gateway", &s.cur, 1, len, 0, 0);

	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_UNSTAMPED_MEMBER), 1);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_BYPASS), 1);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_STAMPED), 1);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 3);
	KUNIT_EXPECT_EQ(test, bv_t_bn(test)->n_cuts, 1);
	/* channels are per peer for members, aggregate for the others */
	bv_t_chan(test, BEAVER_CHAN_MEMBER, 0, 4, 0, 0, &s);
	KUNIT_EXPECT_EQ(test, s.entries, 0);
	bv_t_chan(test, BEAVER_CHAN_BYPASS, BV_T_STRAY, 4, 0, 0, &s);
	KUNIT_EXPECT_EQ(test, s.entries, 0);

	/*
	 * the next cut records the unstamped packets so far (the report's
	 * per-interval counts subtract two cuts')
	 */
	KUNIT_EXPECT_EQ(test, bv_t_cut(test, 3)->rx_unstamped, 0);
	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 4), 4);
	KUNIT_ASSERT_NOT_NULL(test, bv_t_cut(test, 4));
	KUNIT_EXPECT_EQ(test, bv_t_cut(test, 4)->rx_unstamped, 1);
	KUNIT_EXPECT_EQ(test, bv_t_cut(test, 4)->tx_unstamped, 0);
	bv_t_in_plain(test, BV_T_PEER_A, 40);
	bv_t_in_plain(test, BV_T_PEER_A, 40);
	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 5), 5);
	KUNIT_EXPECT_EQ(test, bv_t_cut(test, 5)->rx_unstamped, 3);
}

/* ---- epochs for applications in skb->mark (netfilter/app_mark.h) ---- */

/* the mask's rule: 0, or one run of at least 2 contiguous bits */
static void bv_member_app_mark_valid(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, bv_app_mark_valid(0));
	KUNIT_EXPECT_TRUE(test, bv_app_mark_valid(0x3));
	KUNIT_EXPECT_TRUE(test, bv_app_mark_valid(0x00ff0000));
	KUNIT_EXPECT_TRUE(test, bv_app_mark_valid(0xc0000000));
	KUNIT_EXPECT_TRUE(test, bv_app_mark_valid(0xffffffff));
	KUNIT_EXPECT_FALSE(test, bv_app_mark_valid(0x1));
	KUNIT_EXPECT_FALSE(test, bv_app_mark_valid(0x80000000));
	KUNIT_EXPECT_FALSE(test, bv_app_mark_valid(0x5));
	KUNIT_EXPECT_FALSE(test, bv_app_mark_valid(0x00ff00ff));
}

/*
 * A packet from @saddr, stamped with @epoch (0: unstamped), whose mark is
 * 0xa5000001 before the hook: the mark after it
 */
static u32 bv_t_rx_mark(struct kunit *test, u32 saddr, u32 epoch)
{
	struct bv_t_ctx *ctx = test->priv;
	u8 opt[BEAVER_OPT_LEN];
	u8 *pkt = bv_t_buf(test);
	struct sk_buff *skb;
	unsigned int len;

	bv_stamp_encode(opt, BV_T_GROUP, epoch);
	len = bv_t_build(pkt, saddr, BV_T_SELF, opt, epoch ? sizeof(opt) : 0,
			 40);
	skb = bv_t_skb(test, pkt, len);
	skb->mark = 0xa5000001;
	rcu_read_lock();
	KUNIT_EXPECT_EQ(test, bv_member_in(&ctx->bn, ctx->cfg, skb), NF_ACCEPT);
	rcu_read_unlock();
	return skb->mark;
}

/*
 * Every delivered packet carries, in the configured bits of its mark, the
 * epoch the member attributed it to: the new epoch from the packet that
 * cut on, an in-flight packet's too (it arrived after the cut), unstamped
 * and bypass packets the current one; the other bits of the mark stay.
 * If this fails, an application reading SO_RCVMARK puts messages on the
 * wrong side of its cut, and its state disagrees with the channels.
 */
static void bv_member_app_mark(struct kunit *test)
{
	const u32 mask = 0x00ff0000, keep = 0xa5000001;

	/* off: the mark is the application's and the operator's */
	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 3), 3);
	KUNIT_EXPECT_EQ(test, bv_t_rx_mark(test, BV_T_PEER_A, 3), keep);

	bv_t_cfg(test)->app_mark = mask;
	KUNIT_EXPECT_EQ(test, bv_t_rx_mark(test, BV_T_PEER_A, 3),
			keep | (3 << 1 | 1) << 16);
	/* the packet that cuts for 4 is after the cut */
	KUNIT_EXPECT_EQ(test, bv_t_rx_mark(test, BV_T_CLIENT, 4),
			keep | (4 << 1 | 1) << 16);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 4);
	/* in flight: sent in 3, received after the cut of 4 */
	KUNIT_EXPECT_EQ(test, bv_t_rx_mark(test, BV_T_PEER_A, 3),
			keep | (4 << 1 | 1) << 16);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_INFLIGHT), 1);
	/* unstamped, from a member and from a stray host */
	KUNIT_EXPECT_EQ(test, bv_t_rx_mark(test, BV_T_PEER_A, 0),
			keep | (4 << 1 | 1) << 16);
	KUNIT_EXPECT_EQ(test, bv_t_rx_mark(test, BV_T_STRAY, 0),
			keep | (4 << 1 | 1) << 16);
	/* the epoch wraps in the field: 300 mod 2^7 */
	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 300), 300);
	KUNIT_EXPECT_EQ(test, bv_t_rx_mark(test, BV_T_CLIENT, 300),
			keep | ((300 % 128) << 1 | 1) << 16);
	/* the lowest bits of the mark */
	bv_t_cfg(test)->app_mark = 0x3;
	KUNIT_EXPECT_EQ(test, bv_t_rx_mark(test, BV_T_CLIENT, 300) & 0x3, 0x1);
	KUNIT_EXPECT_EQ(test, bv_t_rx_mark(test, BV_T_CLIENT, 301) & 0x3, 0x3);
}

/*
 * 0x9e is every experiment's codepoint (RFC 4727): another group's stamp,
 * another version of ours or another experiment's option is left in place,
 * counted as foreign, and never cuts this group; our stamp next to one is
 * still ours. An options area the IPv4 stack would refuse is dropped
 * before anything counts it, and so is a stamp that cannot be stripped.
 * If this fails, groups or experiments sharing a network break each
 * other's traffic or snapshots, a corrupted option moves this member's
 * epoch, or the application receives our option.
 */
static void bv_member_in_foreign_and_malformed(struct kunit *test)
{
	struct bv_t_ctx *ctx = test->priv;
	u8 *pkt = bv_t_buf(test), *want = bv_t_buf(test);
	u8 opt[BEAVER_OPT_LEN], two[12];
	struct sk_buff *skb;
	unsigned int v, len;
	struct bv_t_acct s;

	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 3), 3);

	bv_stamp_encode(opt, BV_T_GROUP + 1, 9);
	skb = bv_t_rx(test, BV_T_STRAY, opt, sizeof(opt), 10, &v);
	KUNIT_EXPECT_EQ(test, v, NF_ACCEPT);
	len = bv_t_build(want, BV_T_STRAY, BV_T_SELF, opt, sizeof(opt), 10);
	bv_t_expect_bytes(test, skb, want, len);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_FOREIGN), 1);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_STAMPED), 0);
	/* not stamped for this group: it bypassed this group's gateways */
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_BYPASS), 1);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 3);

	/* our option type, an unknown version: not ours, delivered as is */
	bv_stamp_encode(opt, BV_T_GROUP, 9);
	opt[2] = 0x20;
	skb = bv_t_rx(test, BV_T_PEER_A, opt, sizeof(opt), 10, &v);
	KUNIT_EXPECT_EQ(test, v, NF_ACCEPT);
	len = bv_t_build(want, BV_T_PEER_A, BV_T_SELF, opt, sizeof(opt), 10);
	bv_t_expect_bytes(test, skb, want, len);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_FOREIGN), 2);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_MALFORMED), 0);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_UNSTAMPED_MEMBER), 1);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 3);

	/* another experiment's 0x9e (4 bytes) before our stamp of 4 */
	two[0] = BEAVER_OPT_TYPE;
	two[1] = 4;
	two[2] = 0xca;
	two[3] = 0xfe;
	bv_stamp_encode(two + 4, BV_T_GROUP, 4);
	skb = bv_t_rx(test, BV_T_PEER_A, two, sizeof(two), 10, &v);
	KUNIT_EXPECT_EQ(test, v, NF_ACCEPT);
	len = bv_t_build(want, BV_T_PEER_A, BV_T_SELF, two, 4, 10);
	bv_t_expect_bytes(test, skb, want, len);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_FOREIGN), 3);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_STAMPED), 1);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 4);

	/* an option whose length byte is 1: the stack refuses it too */
	two[1] = 1;
	bv_t_rx(test, BV_T_PEER_A, two, sizeof(two), 10, &v);
	KUNIT_EXPECT_EQ(test, v, NF_DROP);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_MALFORMED), 1);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 4);

	/* a stamp that cannot be stripped (total length below the header) */
	bv_stamp_encode(opt, BV_T_GROUP, 5);
	len = bv_t_build(pkt, BV_T_PEER_A, BV_T_SELF, opt, sizeof(opt), 10);
	((struct iphdr *)pkt)->tot_len = htons(20);
	ip_send_check((struct iphdr *)pkt);
	skb = bv_t_skb(test, pkt, len);
	rcu_read_lock();
	v = bv_member_in(&ctx->bn, ctx->cfg, skb);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, v, NF_DROP);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_STRIP_ERR), 1);
	/* dropped before the cut and before anything counted it */
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 4);
	KUNIT_EXPECT_EQ(test, bv_t_bn(test)->n_cuts, 2);
	bv_t_chan(test, BEAVER_CHAN_MEMBER, BV_T_PEER_A, 5, 0, 0, &s);
	KUNIT_EXPECT_EQ(test, s.cur.rx_pkts, 2);
}

/* late entries of channel (@kind, @peer): exactly [first, last] @arrived */
static void bv_t_late(struct kunit *test, u8 kind, u32 peer, u32 first,
		      u32 last, u32 arrived, u32 *n, u64 *pkts, u64 *bytes)
{
	struct beaver_net *bn = bv_t_bn(test);
	int cpu, i;

	*n = 0;
	*pkts = 0;
	*bytes = 0;
	for_each_possible_cpu(cpu) {
		struct bv_pcpu *pc = per_cpu_ptr(bn->pcpu, cpu);
		const struct bv_late *l;
		struct bv_chan *ch;

		spin_lock_bh(&pc->lock);
		for (i = 0; i < BV_CHAN_BUCKETS; i++) {
			list_for_each_entry(ch, &pc->chans[i], node) {
				if (ch->kind != kind ||
				    !bv_t_peer_is(&ch->peer, peer))
					continue;
				list_for_each_entry(l, &ch->late, list) {
					(*n)++;
					if (l->first != first || l->last != last ||
					    l->arrived != arrived)
						continue;
					*pkts += l->pkts;
					*bytes += l->bytes;
				}
			}
		}
		spin_unlock_bh(&pc->lock);
	}
}

/*
 * An in-flight packet arriving after its snapshot's record closed: late
 * for that snapshot, kept as a late entry of its channel (reported by the
 * records after its arrival) and never added to the closed record, which
 * does not change at all; still in flight for the snapshots that are open.
 * If this fails, a snapshot changes after it was reported complete (the
 * coordinator may already have assembled it), or the packet vanishes
 * without a trace and the channel's balance cannot be explained (DESIGN
 * §3).
 */
static void bv_member_in_late(struct kunit *test)
{
	unsigned int l10 = BV_T_HDRS + 10, l20 = BV_T_HDRS + 20;
	unsigned int l30 = BV_T_HDRS + 30;
	struct bv_cut *c4, *c5, before;
	struct bv_t_acct s;
	u64 pkts, bytes;
	u32 n;

	/* snapshots 3 and 4 complete at once */
	bv_t_cfg(test)->settle_ms = 0;
	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 3), 3);
	bv_t_in(test, BV_T_PEER_B, 3, 10);
	bv_t_in(test, BV_T_PEER_A, 4, 10);
	c4 = bv_t_complete(test, 4);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(c4->closed));
	before = *c4;

	/* B's packet of 3: late for 4 (arrived in 4), in flight for nothing */
	bv_t_in(test, BV_T_PEER_B, 3, 20);
	bv_t_late(test, BEAVER_CHAN_MEMBER, BV_T_PEER_B, 4, 4, 4, &n, &pkts,
		  &bytes);
	KUNIT_EXPECT_EQ(test, n, 1);
	KUNIT_EXPECT_EQ(test, pkts, 1);
	KUNIT_EXPECT_EQ(test, bytes, l20);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_LATE), 1);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_INFLIGHT), 0);
	bv_t_chan(test, BEAVER_CHAN_MEMBER, BV_T_PEER_B, 4, 0, 0, &s);
	KUNIT_EXPECT_EQ(test, s.n_inflight, 0);
	bv_t_expect_totals(test, "B at closed cut 4", &s.cut, 1, l10, 0, 0);
	/* received all the same: in the next snapshot */
	bv_t_expect_totals(test, "B now", &s.cur, 2, l10 + l20, 0, 0);

	/* snapshot 5 open: late for 4, in flight for 5 only */
	bv_t_cfg(test)->settle_ms = BV_T_SETTLE_NEVER;
	bv_t_in(test, BV_T_PEER_A, 5, 10);
	c5 = bv_t_cut(test, 5);
	KUNIT_ASSERT_NOT_NULL(test, c5);
	bv_t_in(test, BV_T_PEER_B, 3, 30);
	bv_t_in(test, BV_T_PEER_B, 3, 30);
	bv_t_late(test, BEAVER_CHAN_MEMBER, BV_T_PEER_B, 4, 4, 5, &n, &pkts,
		  &bytes);
	KUNIT_EXPECT_EQ(test, n, 2);	/* one entry per arrival epoch */
	KUNIT_EXPECT_EQ(test, pkts, 2);
	KUNIT_EXPECT_EQ(test, bytes, 2 * l30);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_LATE), 3);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_INFLIGHT), 2);
	bv_t_chan(test, BEAVER_CHAN_MEMBER, BV_T_PEER_B, 4, 5, 5, &s);
	KUNIT_EXPECT_EQ(test, s.n_inflight, 1);
	KUNIT_EXPECT_EQ(test, s.inflight_pkts, 2);
	KUNIT_EXPECT_EQ(test, s.inflight_bytes, 2 * l30);
	bv_t_expect_totals(test, "B at closed cut 4", &s.cut, 1, l10, 0, 0);

	/* B's packet of 4 was never in flight for 4: not late */
	bv_t_in(test, BV_T_PEER_B, 4, 30);
	bv_t_late(test, BEAVER_CHAN_MEMBER, BV_T_PEER_B, 4, 4, 5, &n, &pkts,
		  &bytes);
	KUNIT_EXPECT_EQ(test, n, 2);
	KUNIT_EXPECT_EQ(test, pkts, 2);
	bv_t_chan(test, BEAVER_CHAN_MEMBER, BV_T_PEER_B, 4, 5, 5, &s);
	KUNIT_EXPECT_EQ(test, s.inflight_pkts, 3);
	KUNIT_EXPECT_EQ(test, READ_ONCE(c4->state), BEAVER_STATE_COMPLETE);

	/* the complete record is exactly what it was */
	KUNIT_EXPECT_EQ(test, READ_ONCE(c4->flags), before.flags);
	KUNIT_EXPECT_EQ(test, c4->first, before.first);
	KUNIT_EXPECT_EQ(test, c4->last, before.last);
	KUNIT_EXPECT_EQ(test, READ_ONCE(c4->complete_ns), before.complete_ns);

	/* released with the first record after their arrival (5), not before */
	bv_tables_release(bv_t_bn(test), 4);
	bv_t_late(test, BEAVER_CHAN_MEMBER, BV_T_PEER_B, 4, 4, 4, &n, &pkts,
		  &bytes);
	KUNIT_EXPECT_EQ(test, n, 2);
	KUNIT_EXPECT_EQ(test, pkts, 1);
	bv_tables_release(bv_t_bn(test), 5);
	bv_t_late(test, BEAVER_CHAN_MEMBER, BV_T_PEER_B, 4, 4, 5, &n, &pkts,
		  &bytes);
	KUNIT_EXPECT_EQ(test, n, 1);
	KUNIT_EXPECT_EQ(test, pkts, 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&bv_t_bn(test)->n_inflight), 1);
}

/*
 * A straggler for snapshots whose records were already released (the
 * coordinator collected them): late for them all the same. If this fails,
 * packets that arrive after the coordinator released their snapshot are
 * counted nowhere, and that snapshot's report can never balance.
 */
static void bv_member_in_late_released(struct kunit *test)
{
	struct beaver_net *bn = bv_t_bn(test);
	u64 pkts, bytes;
	u32 n;
	int err;

	bv_t_cfg(test)->settle_ms = 0;
	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 3), 3);
	bv_t_in(test, BV_T_PEER_B, 3, 10);
	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 4), 4);
	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 5), 5);
	bv_t_complete(test, 5);
	mutex_lock(&bn->cfg_mutex);
	err = bv_cuts_release(bn, 4, NULL);
	mutex_unlock(&bn->cfg_mutex);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_NULL(test, bv_t_cut(test, 4));
	KUNIT_ASSERT_NOT_NULL(test, bv_t_cut(test, 5));

	/* stamped 3 at epoch 5: late for 4 (released) and 5 (closed) */
	bv_t_in(test, BV_T_PEER_B, 3, 10);
	bv_t_late(test, BEAVER_CHAN_MEMBER, BV_T_PEER_B, 4, 5, 5, &n, &pkts,
		  &bytes);
	KUNIT_EXPECT_EQ(test, n, 1);
	KUNIT_EXPECT_EQ(test, pkts, 1);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_INFLIGHT), 0);

	/* everything released: late for every epoch up to the member's */
	mutex_lock(&bn->cfg_mutex);
	err = bv_cuts_release(bn, 5, NULL);
	mutex_unlock(&bn->cfg_mutex);
	KUNIT_ASSERT_EQ(test, err, 0);
	bv_t_in(test, BV_T_PEER_B, 2, 10);
	bv_t_late(test, BEAVER_CHAN_MEMBER, BV_T_PEER_B, 3, 5, 5, &n, &pkts,
		  &bytes);
	KUNIT_EXPECT_EQ(test, n, 2);
	KUNIT_EXPECT_EQ(test, pkts, 1);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_LATE), 2);
}

/*
 * Egress: a packet to a member or a group VIP leaves stamped with the
 * member's epoch and is accounted to that epoch; a packet leaving the group
 * is accounted but not stamped; forwarded traffic is not this host's. If
 * this fails, the receiver cannot tell which side of this member's cut a
 * packet was sent on, out-group hosts receive Beaver's option, or the
 * sender's and the receiver's records disagree.
 */
static void bv_member_out_stamps(struct kunit *test)
{
	u8 *pkt = bv_t_buf(test), *want = bv_t_buf(test);
	u8 opt[BEAVER_OPT_LEN], full[36];
	unsigned int len, wlen;
	struct sk_buff *skb;
	struct bv_t_acct s;
	struct bv_stamp st;

	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 3), 3);
	skb = bv_t_out(test, BV_T_PEER_A, 100, pkt, &len);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_find(skb, BV_T_GROUP, &st), 20);
	KUNIT_EXPECT_EQ(test, st.epoch, 3);
	bv_t_expect_sane(test, skb, 28);
	/* the packet as built, with the stamp right after the fixed header */
	bv_stamp_encode(opt, BV_T_GROUP, 3);
	wlen = bv_t_build(want, BV_T_SELF, BV_T_PEER_A, opt, sizeof(opt),
			  100);
	bv_t_expect_bytes(test, skb, want, wlen);

	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 4), 4);
	skb = bv_t_out(test, BV_T_PEER_A, 100, pkt, &len);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_find(skb, BV_T_GROUP, &st), 20);
	KUNIT_EXPECT_EQ(test, st.epoch, 4);
	/* accounted to 4 (not in 4's cut), as sent: without the stamp */
	bv_t_flow(test, BV_T_PEER_A, true, 4, &s);
	KUNIT_EXPECT_EQ(test, s.epoch, 4);
	bv_t_expect_totals(test, "flow at cut 4", &s.cut, 0, 0, 1, len);
	bv_t_expect_totals(test, "flow now", &s.cur, 0, 0, 2, 2 * len);
	bv_t_chan(test, BEAVER_CHAN_MEMBER, BV_T_PEER_A, 4, 0, 0, &s);
	bv_t_expect_totals(test, "channel at cut 4", &s.cut, 0, 0, 1, len);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_TX_STAMPED), 2);

	/* a group VIP: stamped, on the VIP's channel */
	skb = bv_t_out(test, BV_T_VIP, 10, pkt, &len);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_find(skb, BV_T_GROUP, &st), 20);
	KUNIT_EXPECT_EQ(test, st.epoch, 4);
	bv_t_chan(test, BEAVER_CHAN_VIP, BV_T_VIP, 5, 0, 0, &s);
	bv_t_expect_totals(test, "VIP channel", &s.cur, 0, 0, 1, len);

	/* out of the group: accounted, not stamped */
	skb = bv_t_out(test, BV_T_STRAY, 10, pkt, &len);
	bv_t_expect_bytes(test, skb, pkt, len);
	bv_t_chan(test, BEAVER_CHAN_OUTSIDE, 0, 5, 0, 0, &s);
	KUNIT_EXPECT_EQ(test, s.epoch, 4);
	bv_t_expect_totals(test, "outside channel", &s.cur, 0, 0, 1, len);
	bv_t_flow(test, BV_T_STRAY, true, 5, &s);
	bv_t_expect_totals(test, "outside flow", &s.cur, 0, 0, 1, len);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_TX_STAMPED), 3);

	/* forwarded (it came in on an interface): left alone */
	len = bv_t_build(pkt, BV_T_SELF, BV_T_PEER_B, NULL, 0, 10);
	skb = bv_t_skb(test, pkt, len);
	skb->skb_iif = 1;
	KUNIT_EXPECT_EQ(test, bv_t_out_skb(test, skb), NF_ACCEPT);
	bv_t_expect_bytes(test, skb, pkt, len);
	bv_t_chan(test, BEAVER_CHAN_MEMBER, BV_T_PEER_B, 5, 0, 0, &s);
	KUNIT_EXPECT_EQ(test, s.entries, 0);

	/* egress never cuts */
	KUNIT_EXPECT_EQ(test, bv_t_bn(test)->n_cuts, 2);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 4);

	/*
	 * No room for the stamp (36 bytes of options already): it leaves
	 * unstamped, counted as sent in 4, and the next cut says so
	 */
	memset(full, IPOPT_NOOP, sizeof(full));
	len = bv_t_build(pkt, BV_T_SELF, BV_T_PEER_A, full, sizeof(full), 10);
	skb = bv_t_skb(test, pkt, len);
	KUNIT_EXPECT_EQ(test, bv_t_out_skb(test, skb), NF_ACCEPT);
	bv_t_expect_bytes(test, skb, pkt, len);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_STAMP_NOROOM), 1);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(bv_t_bn(test)->tx_unstamped));
	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 5), 5);
	KUNIT_EXPECT_TRUE(test, bv_t_cut_flag(bv_t_cut(test, 5),
					      BEAVER_CUT_F_TX_UNSTAMPED));
	KUNIT_EXPECT_FALSE(test, bv_t_cut_flag(bv_t_cut(test, 4),
					       BEAVER_CUT_F_TX_UNSTAMPED));
	KUNIT_EXPECT_FALSE(test, READ_ONCE(bv_t_bn(test)->tx_unstamped));
	/* and how many: the count so far, cumulative */
	KUNIT_EXPECT_EQ(test, bv_t_cut(test, 4)->tx_unstamped, 0);
	KUNIT_EXPECT_EQ(test, bv_t_cut(test, 5)->tx_unstamped, 1);
	skb = bv_t_skb(test, pkt, len);
	KUNIT_EXPECT_EQ(test, bv_t_out_skb(test, skb), NF_ACCEPT);
	skb = bv_t_skb(test, pkt, len);
	KUNIT_EXPECT_EQ(test, bv_t_out_skb(test, skb), NF_ACCEPT);
	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 6), 6);
	KUNIT_EXPECT_EQ(test, bv_t_cut(test, 6)->tx_unstamped, 3);
}

/*
 * The completion pipeline: after a cut, the completion work announces it,
 * waits a grace period and the settle interval, closes it, announces it
 * complete and moves complete_epoch, which never passes a cut still open.
 * If this fails, snapshots never complete (the coordinator waits for ever),
 * complete before in-flight packets had their chance (DESIGN §3), or are
 * reported complete while an older one is not.
 */
static void bv_member_completion(struct kunit *test)
{
	struct beaver_net *bn = bv_t_bn(test);
	struct bv_cut *c3, *c5, *c6, *c8;
	struct bv_t_event ev;

	bv_t_cfg(test)->settle_ms = BV_T_SETTLE_MS;
	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 3), 3);
	bv_t_in(test, BV_T_PEER_A, 5, 10);
	c3 = bv_t_cut(test, 3);
	c5 = bv_t_cut(test, 5);
	KUNIT_ASSERT_NOT_NULL(test, c3);
	KUNIT_ASSERT_NOT_NULL(test, c5);
	KUNIT_EXPECT_EQ(test, c5->first, 4);
	KUNIT_EXPECT_EQ(test, c5->settle_ms, BV_T_SETTLE_MS);
	KUNIT_EXPECT_TRUE(test, bv_t_cut_flag(c3, BEAVER_CUT_F_BY_COMMAND));

	/* one run: both announced, their grace period over, settling */
	flush_delayed_work(&bn->complete_work);
	ev = bv_t_event(test, BV_T_EV_CUT);
	KUNIT_EXPECT_EQ(test, ev.count, 2);
	KUNIT_EXPECT_EQ(test, ev.last, 5);
	KUNIT_EXPECT_EQ(test, ev.first, 4);
	KUNIT_EXPECT_NE(test, READ_ONCE(c5->state), BEAVER_STATE_CUT);
	KUNIT_EXPECT_GE(test, c5->settle_deadline_ns,
			c5->cut_ns + BV_T_SETTLE_MS * NSEC_PER_MSEC);
	if (ktime_get_ns() < c5->settle_deadline_ns) {
		KUNIT_EXPECT_EQ(test, READ_ONCE(c5->state),
				BEAVER_STATE_SETTLING);
		KUNIT_EXPECT_FALSE(test, READ_ONCE(c5->closed));
		KUNIT_EXPECT_EQ(test, atomic_read(&bn->complete_epoch), 0);
	}

	/* after the settle interval: complete, announced, watermark at 5 */
	bv_t_complete(test, 5);
	KUNIT_EXPECT_EQ(test, READ_ONCE(c3->state), BEAVER_STATE_COMPLETE);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(c5->closed));
	KUNIT_EXPECT_GE(test, c5->complete_ns, c5->settle_deadline_ns);
	ev = bv_t_event(test, BV_T_EV_COMPLETE);
	KUNIT_EXPECT_EQ(test, ev.count, 2);
	KUNIT_EXPECT_EQ(test, ev.first, 4);
	KUNIT_EXPECT_EQ(test, ev.last, 5);
	KUNIT_EXPECT_EQ(test, ev.state, BEAVER_STATE_COMPLETE);
	KUNIT_EXPECT_EQ(test, atomic_read(&bn->complete_epoch), 5);
	KUNIT_EXPECT_EQ(test, bv_t_event(test, BV_T_EV_CUT).count, 2);

	/* 6 stays open, 7-8 completes at once: the watermark waits for 6 */
	bv_t_cfg(test)->settle_ms = BV_T_SETTLE_NEVER;
	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 6), 6);
	bv_t_cfg(test)->settle_ms = 0;
	bv_t_in(test, BV_T_PEER_A, 8, 10);
	c6 = bv_t_cut(test, 6);
	KUNIT_ASSERT_NOT_NULL(test, c6);
	c8 = bv_t_complete(test, 8);
	KUNIT_EXPECT_EQ(test, c8->first, 7);
	KUNIT_EXPECT_EQ(test, READ_ONCE(c6->state), BEAVER_STATE_SETTLING);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(c6->closed));
	KUNIT_EXPECT_EQ(test, atomic_read(&bn->complete_epoch), 5);
	ev = bv_t_event(test, BV_T_EV_COMPLETE);
	KUNIT_EXPECT_EQ(test, ev.count, 3);
	KUNIT_EXPECT_EQ(test, ev.last, 8);
	KUNIT_EXPECT_EQ(test, bv_t_event(test, BV_T_EV_CUT).count, 4);
}

/*
 * IPVS tunnelling (IPIP). The carrier is neither counted nor bypass: its
 * inner packet comes back decapsulated, from the tunnel device, and is
 * judged there. A carrier from a trusted neighbour keeps the inner stamp
 * for that; from anywhere else the inner stamp is removed at once (after
 * decapsulation nothing tells where it came from). A stamp on the carrier
 * itself is never evidence. A member's own carriers are not counted twice.
 */
#define BV_T_DIRECTOR	0x0a000009	/* 10.0.0.9: a gateway, tunnelling */

static unsigned int bv_t_wrap(u8 *buf, const u8 *inner, unsigned int len,
			      u32 saddr, const u8 *opts, unsigned int optlen)
{
	unsigned int hlen = sizeof(struct iphdr) + optlen;
	struct iphdr *iph = (struct iphdr *)buf;

	memmove(buf + hlen, inner, len);
	memset(iph, 0, sizeof(*iph));
	iph->version = 4;
	iph->ihl = hlen / 4;
	iph->tot_len = htons(hlen + len);
	iph->ttl = 64;
	iph->protocol = IPPROTO_IPIP;
	iph->saddr = htonl(saddr);
	iph->daddr = htonl(BV_T_SELF);
	if (optlen)
		memcpy(buf + sizeof(*iph), opts, optlen);
	ip_send_check(iph);
	return hlen + len;
}

static unsigned int bv_t_carrier_in(struct kunit *test, const u8 *pkt,
				    unsigned int len, struct sk_buff **skb)
{
	struct bv_t_ctx *ctx = test->priv;
	unsigned int v;

	*skb = bv_t_skb(test, pkt, len);
	rcu_read_lock();
	v = bv_member_in(&ctx->bn, ctx->cfg, *skb);
	rcu_read_unlock();
	return v;
}

static void bv_member_in_ipip(struct kunit *test)
{
	u8 *pkt = bv_t_buf(test), *want = bv_t_buf(test);
	u8 opt[BEAVER_OPT_LEN];
	unsigned int len, wlen, ilen;
	struct sk_buff *skb;
	struct bv_t_acct s;

	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 3), 3);
	bv_stamp_encode(opt, BV_T_GROUP, 5);

	/* from the director: through untouched, nothing counted, no cut */
	ilen = bv_t_build(pkt, BV_T_CLIENT, BV_T_VIP, opt, sizeof(opt), 40);
	len = bv_t_wrap(pkt, pkt, ilen, BV_T_DIRECTOR, NULL, 0);
	memcpy(want, pkt, len);
	KUNIT_EXPECT_EQ(test, bv_t_carrier_in(test, pkt, len, &skb), NF_ACCEPT);
	bv_t_expect_bytes(test, skb, want, len);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 3);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_STAMPED), 0);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_UNTRUSTED), 0);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_BYPASS), 0);
	bv_t_chan(test, BEAVER_CHAN_GATEWAY, 0, 4, 0, 0, &s);
	KUNIT_EXPECT_EQ(test, s.entries, 0);
	bv_t_chan(test, BEAVER_CHAN_BYPASS, 0, 4, 0, 0, &s);
	KUNIT_EXPECT_EQ(test, s.entries, 0);

	/* decapsulated, from the tunnel device: a gateway's stamp, it cuts */
	bv_t_untrusted = BV_T_CLIENT;	/* no link-layer source to check */
	bv_t_tunnel = true;
	bv_t_in(test, BV_T_CLIENT, 5, 40);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 5);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_STAMPED), 1);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_BYPASS), 0);
	bv_t_chan(test, BEAVER_CHAN_GATEWAY, 0, 6, 0, 0, &s);
	KUNIT_EXPECT_EQ(test, s.cur.rx_pkts, 1);
	/* ... but not from any other device */
	bv_t_tunnel = false;
	bv_t_in(test, BV_T_CLIENT, 6, 40);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 5);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_UNTRUSTED), 1);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_BYPASS), 1);

	/* from a stray host: the inner stamp is removed before decapsulation */
	bv_t_untrusted = BV_T_STRAY;
	ilen = bv_t_build(pkt, BV_T_STRAY, BV_T_VIP, opt, sizeof(opt), 40);
	len = bv_t_wrap(pkt, pkt, ilen, BV_T_STRAY, NULL, 0);
	wlen = bv_t_build(want, BV_T_STRAY, BV_T_VIP, NULL, 0, 40);
	wlen = bv_t_wrap(want, want, wlen, BV_T_STRAY, NULL, 0);
	KUNIT_EXPECT_EQ(test, bv_t_carrier_in(test, pkt, len, &skb), NF_ACCEPT);
	bv_t_expect_bytes(test, skb, want, wlen);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_UNTRUSTED), 2);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_BYPASS), 1);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 5);
	/* ... and a fragment of it, which cannot lose 8 bytes, is dropped */
	((struct iphdr *)pkt)->frag_off = htons(IP_MF);
	ip_send_check((struct iphdr *)pkt);
	KUNIT_EXPECT_EQ(test, bv_t_carrier_in(test, pkt, len, &skb), NF_DROP);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_UNTRUSTED), 3);

	/* a stamp on the carrier: removed, never evidence */
	bv_t_untrusted = 0;
	ilen = bv_t_build(pkt, BV_T_CLIENT, BV_T_VIP, NULL, 0, 40);
	bv_stamp_encode(opt, BV_T_GROUP, 9);
	len = bv_t_wrap(pkt, pkt, ilen, BV_T_DIRECTOR, opt, sizeof(opt));
	wlen = bv_t_build(want, BV_T_CLIENT, BV_T_VIP, NULL, 0, 40);
	wlen = bv_t_wrap(want, want, wlen, BV_T_DIRECTOR, NULL, 0);
	KUNIT_EXPECT_EQ(test, bv_t_carrier_in(test, pkt, len, &skb), NF_ACCEPT);
	bv_t_expect_bytes(test, skb, want, wlen);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_UNTRUSTED), 4);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 5);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_STAMPED), 1);

	/* this member's own carrier: its inner packet was counted already */
	ilen = bv_t_build(pkt, BV_T_SELF, BV_T_PEER_A, NULL, 0, 40);
	len = bv_t_wrap(pkt, pkt, ilen, BV_T_SELF, NULL, 0);
	((struct iphdr *)pkt)->daddr = htonl(BV_T_PEER_A);
	ip_send_check((struct iphdr *)pkt);
	skb = bv_t_skb(test, pkt, len);
	KUNIT_EXPECT_EQ(test, bv_t_out_skb(test, skb), NF_ACCEPT);
	bv_t_expect_bytes(test, skb, pkt, len);
	bv_t_chan(test, BEAVER_CHAN_MEMBER, BV_T_PEER_A, 6, 0, 0, &s);
	KUNIT_EXPECT_EQ(test, s.entries, 0);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_TX_STAMPED), 0);
}

/*
 * A stamp of our group from a source that is not a trusted neighbour (a
 * host outside the group setting our option, or an address it spoofed):
 * removed, counted, and the packet handled as unstamped; the member's
 * epoch does not move, no cut is taken. If this fails, any host that can
 * set an IP option moves a member's cut wherever it likes (issue: forged
 * stamps, docs/security.md).
 */
static void bv_member_in_untrusted_stamp(struct kunit *test)
{
	u8 *want = bv_t_buf(test);
	struct sk_buff *skb;
	unsigned int len;

	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 3), 3);
	bv_t_untrusted = BV_T_STRAY;
	skb = bv_t_in(test, BV_T_STRAY, 1000, 30);
	len = bv_t_build(want, BV_T_STRAY, BV_T_SELF, NULL, 0, 30);
	bv_t_expect_bytes(test, skb, want, len);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_UNTRUSTED), 1);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_STAMPED), 0);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_BYPASS), 1);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 3);
	KUNIT_EXPECT_EQ(test, bv_t_bn(test)->n_cuts, 1);

	/* a member's address, spoofed (wrong neighbour): unstamped member */
	bv_t_untrusted = BV_T_PEER_A;
	bv_t_in(test, BV_T_PEER_A, 2000, 30);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_UNTRUSTED), 2);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_UNSTAMPED_MEMBER), 1);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 3);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_INFLIGHT), 0);

	/* the same address, trusted again: it cuts */
	bv_t_untrusted = 0;
	bv_t_in(test, BV_T_PEER_A, 4, 30);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 4);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_STAMPED), 1);
}

/*
 * Even a trusted neighbour's stamp counts only up to max_ahead epochs past
 * the newest one the coordinator named (MEMBER_ADVANCE): one stamp 2^31 - 1
 * ahead would otherwise make every real epoch compare older and no cut
 * ever happen again. Before any advance there is nothing to measure from.
 * If this fails, one bad stamp freezes a member for good.
 */
/*
 * A packet counted in no channel (no memory: bv_flows_lost()) flags the
 * next cut INCOMPLETE, and only that one: later records lack it as a
 * constant the report's channel offsets take up, and the member needs
 * no flush to be whole again. Fails if the flag sticks to every later
 * cut (the permanent flag it was) or is never set.
 */
static void bv_member_lost_flags_next_cut(struct kunit *test)
{
	struct beaver_net *bn = bv_t_bn(test);

	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 1), 1);
	bv_flows_lost(bn, 1);
	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 2), 2);
	KUNIT_ASSERT_NOT_NULL(test, bv_t_cut(test, 2));
	KUNIT_EXPECT_TRUE(test, bv_t_cut_flag(bv_t_cut(test, 2),
					      BEAVER_CUT_F_INCOMPLETE));
	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 3), 3);
	KUNIT_ASSERT_NOT_NULL(test, bv_t_cut(test, 3));
	KUNIT_EXPECT_FALSE(test, bv_t_cut_flag(bv_t_cut(test, 3),
					       BEAVER_CUT_F_INCOMPLETE));
	/* a loss again: flagged again */
	bv_flows_lost(bn, 3);
	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 4), 4);
	KUNIT_EXPECT_TRUE(test, bv_t_cut_flag(bv_t_cut(test, 4),
					      BEAVER_CUT_F_INCOMPLETE));
}

static void bv_member_in_stamp_window(struct kunit *test)
{
	u32 ahead = bv_t_cfg(test)->max_ahead;

	/* no advance yet: a stamp is taken as it comes */
	bv_t_in(test, BV_T_PEER_A, 5, 10);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 5);
	KUNIT_EXPECT_EQ(test, bv_t_bn(test)->m_commanded, 0);

	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 6), 6);
	KUNIT_EXPECT_EQ(test, bv_t_bn(test)->m_commanded, 6);
	bv_t_in(test, BV_T_PEER_A, 6U + 0x7fffffff, 10);
	bv_t_in(test, BV_T_PEER_A, 6 + ahead + 1, 10);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_AHEAD), 2);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 6);
	/* handled as unstamped traffic of that member */
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_UNSTAMPED_MEMBER), 2);

	/* the edge of the window still cuts, and a real epoch after it */
	bv_t_in(test, BV_T_PEER_A, 6 + ahead, 10);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 6 + ahead);
	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 7 + ahead), 7 + ahead);
	bv_t_in(test, BV_T_PEER_A, 8 + ahead, 10);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 8 + ahead);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_AHEAD), 2);
}

/*
 * The allow-list index (kmod/netns.c) answers as the prefixes themselves
 * do: nested, adjacent and disjoint prefixes of both families, addresses
 * inside, at the edges of and around each.
 */
static void bv_allow_index_matches(struct kunit *test)
{
	static const char *const prefixes[] = {
		"10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.255.255.255/32",
		"11.0.0.0/8", "192.168.1.0/24", "0.0.0.0/32", "172.16.0.1/32",
		"2001:db8::/32", "2001:db8:1::/48", "fd00::/8", "::/128",
		"2001:db9::1/128", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
	};
	struct bv_config *cfg = bv_t_cfg(test);
	struct bv_prefix *p;
	unsigned int i, j, n = ARRAY_SIZE(prefixes), tried = 0;

	p = kunit_kcalloc(test, n, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < n; i++) {
		const char *s = prefixes[i], *slash = strchr(s, '/');
		unsigned int len;
		u8 a4[4];

		KUNIT_ASSERT_EQ(test, kstrtouint(slash + 1, 10, &len), 0);
		if (in4_pton(s, slash - s, a4, -1, NULL)) {
			bv_addr_set4(&p[i].addr, *(__be32 *)a4);
			p[i].len = 96 + len;
			p[i].v4 = true;
		} else {
			KUNIT_ASSERT_TRUE(test, in6_pton(s, slash - s,
							 p[i].addr.s6_addr, -1,
							 NULL));
			p[i].len = len;
		}
	}
	kfree(cfg->allow);
	cfg->allow = kmemdup(p, n * sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cfg->allow);
	cfg->n_allow = n;
	KUNIT_ASSERT_EQ(test, bv_config_index(cfg), 0);
	/* nested ones merged: 10/8 holds three others */
	KUNIT_EXPECT_LT(test, cfg->n_allow_idx, n);

	for (i = 0; i < n; i++) {
		struct bv_range r;
		struct in6_addr probes[6];

		/* each prefix's first and last address, and their neighbours */
		r.lo = p[i].addr;
		r.hi = p[i].addr;
		for (j = 0; j < 4; j++) {
			unsigned int bits = p[i].len > 32 * j ?
				min_t(unsigned int, p[i].len - 32 * j, 32) : 0;
			u32 m = bits ? ~0U << (32 - bits) : 0;

			r.lo.s6_addr32[j] &= htonl(m);
			r.hi.s6_addr32[j] |= htonl(~m);
		}
		probes[0] = r.lo;
		probes[1] = r.hi;
		probes[2] = r.lo;
		probes[2].s6_addr32[3] = htonl(ntohl(r.lo.s6_addr32[3]) - 1);
		probes[3] = r.hi;
		probes[3].s6_addr32[3] = htonl(ntohl(r.hi.s6_addr32[3]) + 1);
		probes[4] = p[i].addr;
		probes[5] = p[i].addr;
		probes[5].s6_addr32[3] ^= htonl(0x00010001);
		for (j = 0; j < ARRAY_SIZE(probes); j++) {
			bool want = false;
			unsigned int k;

			/* an address of the other family is never allowed */
			for (k = 0; k < n; k++)
				want |= bv_prefix_match(&p[k], &probes[j]);
			KUNIT_EXPECT_EQ_MSG(test, bv_allowed(cfg, &probes[j]), want,
					    "prefix %s, probe %u: %pI6", prefixes[i],
					    j, &probes[j]);
			tried++;
		}
	}
	KUNIT_EXPECT_EQ(test, tried, n * 6);
}

/* ---- the stamp in the IPv4 ID (netfilter/stamp_id.c) ---- */

static void bv_t_id_on(struct kunit *test)
{
	bv_t_cfg(test)->flags &= ~BEAVER_CFG_F_IPV4_OPTION;
}

/*
 * An IPv4/TCP segment with @payload bytes of data (ACK set, ID 0x4242, DF),
 * both checksums valid: what can carry a stamp in its ID. Returns its
 * length.
 */
static unsigned int bv_t_build_tcp(u8 *buf, u32 saddr, u32 daddr,
				   unsigned int payload)
{
	unsigned int hlen = sizeof(struct iphdr), tlen;
	struct iphdr *iph = (struct iphdr *)buf;
	struct tcphdr *th = (struct tcphdr *)(buf + hlen);
	unsigned int i;

	tlen = sizeof(*th) + payload;
	memset(buf, 0, hlen + sizeof(*th));
	iph->version = 4;
	iph->ihl = 5;
	iph->tot_len = htons(hlen + tlen);
	iph->id = htons(0x4242);
	iph->frag_off = htons(IP_DF);
	iph->ttl = 64;
	iph->protocol = IPPROTO_TCP;
	iph->saddr = htonl(saddr);
	iph->daddr = htonl(daddr);
	ip_send_check(iph);
	th->source = htons(BV_T_SPORT);
	th->dest = htons(BV_T_DPORT);
	th->seq = htonl(1000);
	th->ack_seq = htonl(2000);
	th->doff = 5;
	th->ack = 1;
	th->window = htons(1024);
	for (i = 0; i < payload; i++)
		buf[hlen + sizeof(*th) + i] = (u8)(i * 7 + 3);
	th->check = csum_tcpudp_magic(iph->saddr, iph->daddr, tlen,
				      IPPROTO_TCP, csum_partial(th, tlen, 0));
	return hlen + tlen;
}

/* rewrite the IPv4 header at @pkt: its ID and frag_off, checksum after */
static void bv_t_set_id(u8 *pkt, u16 id, u16 frag_off)
{
	struct iphdr *iph = (struct iphdr *)pkt;

	iph->id = htons(id);
	iph->frag_off = htons(frag_off);
	ip_send_check(iph);
}

/* a plain packet from @saddr with the ID @id and @frag_off, received */
static void bv_t_in_id(struct kunit *test, u32 saddr, u16 id, u16 frag_off)
{
	struct bv_t_ctx *ctx = test->priv;
	u8 *pkt = bv_t_buf(test);
	struct sk_buff *skb;
	unsigned int len;

	len = bv_t_build_tcp(pkt, saddr, BV_T_SELF, 10);
	bv_t_set_id(pkt, id, frag_off);
	skb = bv_t_skb(test, pkt, len);
	rcu_read_lock();
	KUNIT_EXPECT_EQ(test, bv_member_in(&ctx->bn, ctx->cfg, skb), NF_ACCEPT);
	rcu_read_unlock();
	/* nothing to strip: the packet goes up as it came */
	bv_t_expect_bytes(test, skb, pkt, len);
}

static void bv_stamp_id_codec(struct kunit *test)
{
	u32 e;

	/* odd, never 1 apart, and read back next to any nearby epoch */
	KUNIT_EXPECT_EQ(test, bv_id_encode(0), BEAVER_ID_EPOCH0);
	KUNIT_EXPECT_TRUE(test, bv_id_can_carry(0));
	KUNIT_EXPECT_FALSE(test, bv_id_can_carry(0x8000));
	KUNIT_EXPECT_TRUE(test, bv_id_can_carry(0x8001));
	KUNIT_EXPECT_EQ(test, bv_id_encode(5) - bv_id_encode(4), 2);
	for (e = 1; e < 70000; e += 997) {
		KUNIT_EXPECT_EQ(test, bv_id_decode(bv_id_encode(e), e), e);
		if (e > BEAVER_ID_HALF)
			KUNIT_EXPECT_EQ(test,
					bv_id_decode(bv_id_encode(e),
						     e + BEAVER_ID_HALF), e);
		KUNIT_EXPECT_EQ(test, bv_id_decode(bv_id_encode(e),
						   e - BEAVER_ID_HALF + 1), e);
	}
	/* across the wrap of 32 bits */
	KUNIT_EXPECT_EQ(test, bv_id_decode(bv_id_encode(2), 0xfffffffeU), 2);
	KUNIT_EXPECT_EQ(test, bv_id_decode(bv_id_encode(0xffffffffU), 3),
			0xffffffffU);
	/* even: no stamp */
	KUNIT_EXPECT_EQ(test, bv_id_decode(0, 100), 0);
	KUNIT_EXPECT_EQ(test, bv_id_decode(0x4242, 100), 0);
}

static void bv_member_out_stamps_id(struct kunit *test)
{
	u8 *pkt = bv_t_buf(test), *want = bv_t_buf(test);
	const struct iphdr *iph;
	struct sk_buff *skb;
	unsigned int len;

	bv_t_id_on(test);
	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 40001), 40001);
	/* atomic: the epoch goes into the ID, the size stays */
	len = bv_t_build_tcp(pkt, BV_T_SELF, BV_T_PEER_A, 10);
	memcpy(want, pkt, len);
	bv_t_set_id(want, bv_id_encode(40001), IP_DF);
	skb = bv_t_skb(test, pkt, len);
	KUNIT_EXPECT_EQ(test, bv_t_out_skb(test, skb), NF_ACCEPT);
	bv_t_expect_bytes(test, skb, want, len);
	KUNIT_EXPECT_EQ(test, (__force u16)ip_fast_csum(ip_hdr(skb), 5), 0);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_TX_STAMPED), 1);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_STAMP_ID), 1);

	/* not atomic (DF clear): the option, as before */
	len = bv_t_build_tcp(pkt, BV_T_SELF, BV_T_PEER_A, 10);
	bv_t_set_id(pkt, 0x4242, 0);
	skb = bv_t_skb(test, pkt, len);
	KUNIT_EXPECT_EQ(test, bv_t_out_skb(test, skb), NF_ACCEPT);
	KUNIT_EXPECT_EQ(test, skb->len, len + BEAVER_OPT_LEN);
	iph = ip_hdr(skb);
	KUNIT_EXPECT_EQ(test, ntohs(iph->id), 0x4242);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_TX_STAMPED), 2);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_STAMP_ID), 1);

	/* no data (a pure ACK): the option, which tells the full epoch */
	len = bv_t_build_tcp(pkt, BV_T_SELF, BV_T_PEER_A, 0);
	skb = bv_t_skb(test, pkt, len);
	KUNIT_EXPECT_EQ(test, bv_t_out_skb(test, skb), NF_ACCEPT);
	KUNIT_EXPECT_EQ(test, skb->len, len + BEAVER_OPT_LEN);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_STAMP_ID), 1);

	/*
	 * an atomic UDP datagram: the ID, nothing grows (a DF one at the
	 * path MTU could not take the option); without DF, the option
	 */
	len = bv_t_build(pkt, BV_T_SELF, BV_T_PEER_A, NULL, 0, 10);
	memcpy(want, pkt, len);
	bv_t_set_id(want, bv_id_encode(40001), IP_DF);
	skb = bv_t_skb(test, pkt, len);
	KUNIT_EXPECT_EQ(test, bv_t_out_skb(test, skb), NF_ACCEPT);
	bv_t_expect_bytes(test, skb, want, len);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_STAMP_ID), 2);
	len = bv_t_build(pkt, BV_T_SELF, BV_T_PEER_A, NULL, 0, 10);
	bv_t_set_id(pkt, 0x4242, 0);
	skb = bv_t_skb(test, pkt, len);
	KUNIT_EXPECT_EQ(test, bv_t_out_skb(test, skb), NF_ACCEPT);
	KUNIT_EXPECT_EQ(test, skb->len, len + BEAVER_OPT_LEN);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_STAMP_ID), 2);

	/*
	 * to a VIP, TCP data or UDP: the option (a gateway may tunnel it,
	 * and no member reads an ID out of a tunnel)
	 */
	len = bv_t_build_tcp(pkt, BV_T_SELF, BV_T_VIP, 10);
	skb = bv_t_skb(test, pkt, len);
	KUNIT_EXPECT_EQ(test, bv_t_out_skb(test, skb), NF_ACCEPT);
	KUNIT_EXPECT_EQ(test, skb->len, len + BEAVER_OPT_LEN);
	len = bv_t_build(pkt, BV_T_SELF, BV_T_VIP, NULL, 0, 10);
	skb = bv_t_skb(test, pkt, len);
	KUNIT_EXPECT_EQ(test, bv_t_out_skb(test, skb), NF_ACCEPT);
	KUNIT_EXPECT_EQ(test, skb->len, len + BEAVER_OPT_LEN);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_STAMP_ID), 2);

	/* configured for the option: the ID is left alone */
	bv_t_cfg(test)->flags |= BEAVER_CFG_F_IPV4_OPTION;
	len = bv_t_build_tcp(pkt, BV_T_SELF, BV_T_PEER_A, 10);
	skb = bv_t_skb(test, pkt, len);
	KUNIT_EXPECT_EQ(test, bv_t_out_skb(test, skb), NF_ACCEPT);
	KUNIT_EXPECT_EQ(test, skb->len, len + BEAVER_OPT_LEN);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_STAMP_ID), 2);
}

static void bv_member_in_id(struct kunit *test)
{
	u64 unstamped;

	bv_t_id_on(test);
	/* epoch 0 (ID 1) is read without an epoch of one's own */
	bv_t_in_id(test, BV_T_PEER_A, BEAVER_ID_EPOCH0, IP_DF);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_ID), 1);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 0);
	/*
	 * before any epoch is known another ID cannot be read: no cut; the
	 * next cut says so (it may come after a packet of its own epoch)
	 */
	bv_t_in_id(test, BV_T_PEER_A, bv_id_encode(40001), IP_DF);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 0);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_ID_INVALID), 1);

	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 40000), 40000);
	KUNIT_ASSERT_NOT_NULL(test, bv_t_cut(test, 40000));
	KUNIT_EXPECT_TRUE(test, bv_t_cut_flag(bv_t_cut(test, 40000),
					      BEAVER_CUT_F_RX_ID_UNREAD));
	/* the cut comes before the packet, at the epoch it carries */
	bv_t_in_id(test, BV_T_PEER_A, bv_id_encode(40001), IP_DF);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 40001);
	/* read: that cut says nothing of the kind */
	KUNIT_ASSERT_NOT_NULL(test, bv_t_cut(test, 40001));
	KUNIT_EXPECT_FALSE(test, bv_t_cut_flag(bv_t_cut(test, 40001),
					       BEAVER_CUT_F_RX_ID_UNREAD));
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_ID), 2);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_STAMPED), 2);
	/* an older one is in flight */
	bv_t_in_id(test, BV_T_PEER_A, bv_id_encode(40000), IP_DF);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 40001);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_INFLIGHT), 1);

	/* even: no stamp; 0 is a gateway's "not stamped", not counted */
	bv_t_in_id(test, BV_T_PEER_A, 0x4242, IP_DF);
	bv_t_in_id(test, BV_T_PEER_A, BEAVER_ID_NONE, IP_DF);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_ID_INVALID), 2);
	/* handled as unstamped, like the first one */
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_UNSTAMPED_MEMBER), 3);

	/* not atomic, or not from a trusted neighbour: just an ID */
	bv_t_in_id(test, BV_T_PEER_A, bv_id_encode(40002), 0);
	bv_t_in_id(test, BV_T_PEER_A, bv_id_encode(40002), IP_DF | IP_MF);
	bv_t_untrusted = BV_T_PEER_A;
	bv_t_in_id(test, BV_T_PEER_A, bv_id_encode(40002), IP_DF);
	bv_t_untrusted = 0;
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 40001);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_ID), 3);

	/* past max_ahead: refused as an option stamp would be */
	bv_t_in_id(test, BV_T_PEER_A,
		   bv_id_encode(40000 + bv_t_cfg(test)->max_ahead + 1), IP_DF);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_AHEAD), 1);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 40001);

	/*
	 * more than max_ahead behind: a host's own ID, not a stamp (handled
	 * as unstamped, never booked into old snapshots); at the edge of the
	 * window still one, in flight
	 */
	unstamped = bv_t_stat(test, BEAVER_STAT_UNSTAMPED_MEMBER);
	bv_t_in_id(test, BV_T_PEER_A,
		   bv_id_encode(40001 - bv_t_cfg(test)->max_ahead - 2), IP_DF);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_ID_INVALID), 3);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_INFLIGHT), 1);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_UNSTAMPED_MEMBER),
			unstamped + 1);
	bv_t_in_id(test, BV_T_PEER_A,
		   bv_id_encode(40001 - bv_t_cfg(test)->max_ahead), IP_DF);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_ID_INVALID), 3);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_INFLIGHT), 2);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_UNSTAMPED_MEMBER),
			unstamped + 1);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 40001);

	/* configured for the option: no ID is read */
	bv_t_cfg(test)->flags |= BEAVER_CFG_F_IPV4_OPTION;
	bv_t_in_id(test, BV_T_PEER_A, bv_id_encode(40003), IP_DF);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 40001);
}

/*
 * The coordinator's announcement (MEMBER_ADVANCE with BEAVER_A_ANNOUNCE)
 * before its gateways advance: a member with no epoch of its own reads
 * the ID stamps of the announced epoch, cuts before the first one, and
 * that cut is not flagged; the announcement itself cuts nothing
 */
static void bv_member_in_id_announced(struct kunit *test)
{
	struct beaver_net *bn = bv_t_bn(test);

	bv_t_id_on(test);
	bv_member_commanded(bn, 40000);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 0);
	KUNIT_EXPECT_EQ(test, bn->n_cuts, 0);
	/* never backwards: an older announcement changes nothing */
	bv_member_commanded(bn, 39000);
	KUNIT_EXPECT_EQ(test, READ_ONCE(bn->m_commanded), 40000);

	bv_t_in_id(test, BV_T_PEER_A, bv_id_encode(40000), IP_DF);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 40000);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_ID), 1);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_ID_INVALID), 0);
	KUNIT_ASSERT_NOT_NULL(test, bv_t_cut(test, 40000));
	KUNIT_EXPECT_FALSE(test, bv_t_cut_flag(bv_t_cut(test, 40000),
					       BEAVER_CUT_F_RX_ID_UNREAD));
	/* the next epoch too, up to max_ahead past the announced one */
	bv_t_in_id(test, BV_T_PEER_A, bv_id_encode(40001), IP_DF);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 40001);
}

/* an atomic UDP datagram with the stamp in its ID is read as a TCP one */
static void bv_member_in_id_udp(struct kunit *test)
{
	struct bv_t_ctx *ctx = test->priv;
	u8 *pkt = bv_t_buf(test);
	struct sk_buff *skb;
	unsigned int len;

	bv_t_id_on(test);
	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 40000), 40000);
	len = bv_t_build(pkt, BV_T_PEER_A, BV_T_SELF, NULL, 0, 10);
	bv_t_set_id(pkt, bv_id_encode(40001), IP_DF);
	skb = bv_t_skb(test, pkt, len);
	rcu_read_lock();
	KUNIT_EXPECT_EQ(test, bv_member_in(&ctx->bn, ctx->cfg, skb), NF_ACCEPT);
	rcu_read_unlock();
	bv_t_expect_bytes(test, skb, pkt, len);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 40001);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_ID), 1);
	/* not atomic: just an ID, not a stamp */
	len = bv_t_build(pkt, BV_T_PEER_A, BV_T_SELF, NULL, 0, 10);
	bv_t_set_id(pkt, bv_id_encode(40002), 0);
	skb = bv_t_skb(test, pkt, len);
	rcu_read_lock();
	KUNIT_EXPECT_EQ(test, bv_member_in(&ctx->bn, ctx->cfg, skb), NF_ACCEPT);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 40001);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_ID), 1);
}

/* ---- tables: retirement, resize, flush (kmod/tables.c) ---- */

#define BV_T_LPORT	80

/* one packet of the TCP flow from BV_T_PEER_A's port @rport, at @e */
static void bv_t_tcp(struct kunit *test, u16 rport, u8 tcp, bool tx, u32 e)
{
	struct bv_flow_key key = {
		.laddr = bv_t_addr(BV_T_SELF),
		.raddr = bv_t_addr(BV_T_PEER_A),
		.lport = htons(BV_T_LPORT),
		.rport = htons(rport),
		.proto = IPPROTO_TCP,
	};
	struct bv_pkt p = { .len = 100, .tx = tx, .tcp = tcp };

	local_bh_disable();
	bv_account(bv_t_bn(test), bv_t_cfg(test), &key, BEAVER_CHAN_MEMBER,
		   &key.raddr, e, &p, NULL);
	local_bh_enable();
}

struct bv_t_tables {
	u32 flows;		/* entries, all CPUs */
	u32 with_rport;		/* entries of the port asked for */
	u64 flow_pkts;		/* packets the entries count */
	u64 retired_pkts;	/* packets the aggregates count */
	bool no_buckets;	/* some CPU has no flow table */
};

static void bv_t_tables(struct kunit *test, u16 rport, struct bv_t_tables *t)
{
	struct beaver_net *bn = bv_t_bn(test);
	int cpu;
	u32 i;

	memset(t, 0, sizeof(*t));
	for_each_possible_cpu(cpu) {
		struct bv_pcpu *pc = per_cpu_ptr(bn->pcpu, cpu);
		struct bv_flow *f;

		spin_lock_bh(&pc->lock);
		if (!pc->flows)
			t->no_buckets = true;
		for (i = 0; pc->flows && i <= pc->flow_mask; i++) {
			list_for_each_entry(f, &pc->flows[i], node) {
				t->flows++;
				t->flow_pkts += f->acct.cur.tx_pkts +
						f->acct.cur.rx_pkts;
				if (f->key.rport == htons(rport))
					t->with_rport++;
			}
		}
		t->retired_pkts += pc->retired.cur.tx_pkts +
				   pc->retired.cur.rx_pkts;
		spin_unlock_bh(&pc->lock);
	}
}

static u32 bv_t_rport_count(struct kunit *test, u16 rport)
{
	struct bv_t_tables t;

	bv_t_tables(test, rport, &t);
	return t.with_rport;
}

/* closed TCP flows retire at the next release that frees them */
static void bv_tables_retire_closed(struct kunit *test)
{
	struct beaver_net *bn = bv_t_bn(test);
	struct bv_t_tables t;

	bv_t_cfg(test)->flow_idle_ms = 3600 * 1000;	/* never idle here */
	/* 1000: FIN both ways; 1001: RST; 1002: FIN one way only */
	bv_t_tcp(test, 1000, BV_PKT_SYN, false, 1);
	bv_t_tcp(test, 1000, 0, true, 1);
	bv_t_tcp(test, 1000, BV_PKT_FIN, true, 1);
	bv_t_tcp(test, 1000, BV_PKT_FIN, false, 1);
	bv_t_tcp(test, 1001, BV_PKT_SYN, false, 1);
	bv_t_tcp(test, 1001, BV_PKT_RST, false, 1);
	bv_t_tcp(test, 1002, BV_PKT_SYN, false, 1);
	bv_t_tcp(test, 1002, BV_PKT_FIN, true, 1);
	/* 1003: closed, then the 5-tuple opens a new connection */
	bv_t_tcp(test, 1003, BV_PKT_FIN, true, 1);
	bv_t_tcp(test, 1003, BV_PKT_FIN, false, 1);
	bv_t_tcp(test, 1003, BV_PKT_SYN, false, 1);
	/* 1004: closed, but its last packet is of epoch 2 */
	bv_t_tcp(test, 1004, BV_PKT_RST, true, 2);

	bv_tables_release(bn, 1);
	bv_t_tables(test, 0, &t);
	KUNIT_EXPECT_EQ(test, bv_t_rport_count(test, 1000), 0);
	KUNIT_EXPECT_EQ(test, bv_t_rport_count(test, 1001), 0);
	KUNIT_EXPECT_EQ(test, bv_t_rport_count(test, 1002), 1);
	KUNIT_EXPECT_EQ(test, bv_t_rport_count(test, 1003), 1);
	KUNIT_EXPECT_EQ(test, bv_t_rport_count(test, 1004), 1);
	KUNIT_EXPECT_EQ(test, t.flows, 3);
	KUNIT_EXPECT_EQ(test, atomic_read(&bn->n_flows), 3);
	/* nothing lost: their packets are in the aggregate */
	KUNIT_EXPECT_EQ(test, t.retired_pkts, 6);
	KUNIT_EXPECT_EQ(test, t.flow_pkts + t.retired_pkts, 12);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_FLOW_RETIRED), 2);

	/* while a records dump runs, nothing retires */
	atomic_inc(&bn->dumps);
	bv_tables_release(bn, 2);
	KUNIT_EXPECT_EQ(test, bv_t_rport_count(test, 1004), 1);
	atomic_dec(&bn->dumps);
	bv_tables_release(bn, 2);
	KUNIT_EXPECT_EQ(test, bv_t_rport_count(test, 1004), 0);

	/* flow_idle_ms 0: retirement is off, closed flows too */
	bv_t_tcp(test, 1005, BV_PKT_RST, true, 3);
	bv_t_cfg(test)->flow_idle_ms = 0;
	bv_tables_release(bn, 3);
	KUNIT_EXPECT_EQ(test, bv_t_rport_count(test, 1005), 1);
	bv_t_tables(test, 0, &t);
	KUNIT_EXPECT_EQ(test, t.flow_pkts + t.retired_pkts, 13);
}

/* a resize moves every flow; without buckets packets count in the aggregate */
static void bv_tables_resize_keeps_flows(struct kunit *test)
{
	struct beaver_net *bn = bv_t_bn(test);
	struct bv_t_tables t;
	u32 gen, i, missing = 0;
	int err;

	KUNIT_EXPECT_EQ(test, bv_tables_buckets(0), 0);
	KUNIT_EXPECT_EQ(test, bv_tables_buckets(1), 64);
	KUNIT_EXPECT_EQ(test, bv_tables_buckets(65536), 8192);
	KUNIT_EXPECT_EQ(test, bv_tables_buckets(1 << 24), 65536);
	KUNIT_EXPECT_EQ(test, bn->flow_buckets, 8192);

	for (i = 0; i < 300; i++) {
		bv_t_tcp(test, 2000 + i, 0, false, 1);
		bv_t_tcp(test, 2000 + i, 0, true, 1);
	}
	gen = bn->generation;
	mutex_lock(&bn->cfg_mutex);
	err = bv_tables_resize(bn, 64);
	mutex_unlock(&bn->cfg_mutex);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, bn->flow_buckets, 64);
	/* a dump under way sees NLM_F_DUMP_INTR */
	KUNIT_EXPECT_NE(test, bn->generation, gen);
	for (i = 0; i < 300; i++)
		missing += bv_t_rport_count(test, 2000 + i) != 1;
	KUNIT_EXPECT_EQ(test, missing, 0);
	/* found where the new hash puts them: no second entry */
	bv_t_tcp(test, 2100, 0, false, 1);
	bv_t_tables(test, 0, &t);
	KUNIT_EXPECT_EQ(test, t.flows, 300);
	KUNIT_EXPECT_EQ(test, t.flow_pkts, 601);
	KUNIT_EXPECT_EQ(test, atomic_read(&bn->n_flows), 300);

	/* no role, no buckets: the flows go, later packets are untracked */
	mutex_lock(&bn->cfg_mutex);
	err = bv_tables_resize(bn, 0);
	mutex_unlock(&bn->cfg_mutex);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&bn->n_flows), 0);
	bv_t_tcp(test, 2000, 0, false, 1);
	bv_t_tables(test, 0, &t);
	KUNIT_EXPECT_TRUE(test, t.no_buckets);
	KUNIT_EXPECT_EQ(test, t.flows, 0);
	KUNIT_EXPECT_EQ(test, t.retired_pkts, 1);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(bn->untracked));
}

/* a flush empties the tables, keeps their buckets, restarts the epochs */
static void bv_tables_flush_all(struct kunit *test)
{
	struct beaver_net *bn = bv_t_bn(test);
	struct bv_t_tables t;

	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 4), 4);
	bv_t_tcp(test, 3000, 0, false, 4);
	bv_t_tcp(test, 3001, BV_PKT_RST, false, 4);
	bv_tables_release(bn, 4);
	mutex_lock(&bn->cfg_mutex);
	bv_netns_flush(bn);
	mutex_unlock(&bn->cfg_mutex);
	bv_t_tables(test, 0, &t);
	KUNIT_EXPECT_EQ(test, t.flows, 0);
	KUNIT_EXPECT_EQ(test, t.retired_pkts, 0);
	KUNIT_EXPECT_FALSE(test, t.no_buckets);
	KUNIT_EXPECT_EQ(test, atomic_read(&bn->n_flows), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&bn->n_chans), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&bn->hist_budget.used), 0);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 0);
	/* the new domain counts from scratch, in order */
	bv_t_tcp(test, 3000, 0, false, 0);
	KUNIT_EXPECT_EQ(test, bv_t_rport_count(test, 3000), 1);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_MISORDER), 0);
}

/*
 * A flow whose at-cut value cannot be saved (max_history) while complete
 * records still read it: the flow is left exactly as it was, its packets go
 * to the aggregate (the next cut says UNTRACKED, the totals stay exact),
 * and it retires at the next release even with retirement off. If this
 * fails, a complete record changes after the fact (it turns INCOMPLETE, or
 * its flow's value moves), or the flow keeps costing an untracked flag on
 * every snapshot.
 */
static void bv_tables_divert_keeps_complete(struct kunit *test)
{
	struct beaver_net *bn = bv_t_bn(test);
	struct bv_totals ft, rt, ct, sum;
	struct bv_t_tables t;
	struct bv_t_acct s;
	struct bv_cut *c2, *c3;
	unsigned long flags2;
	int cpu;

	bv_t_cfg(test)->flow_idle_ms = 0;		/* retirement off */
	bv_t_cfg(test)->settle_ms = 0;
	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 1), 1);
	bv_t_tcp(test, 4000, BV_PKT_SYN, false, 1);
	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 2), 2);
	c2 = bv_t_complete(test, 2);
	flags2 = READ_ONCE(c2->flags);

	/* no history left: the flow cannot save its value at cut 2 */
	bn->hist_budget.max = atomic_read(&bn->hist_budget.used);
	bv_t_tcp(test, 4000, 0, false, 2);
	bv_t_tcp(test, 4000, 0, false, 2);
	KUNIT_EXPECT_EQ(test, atomic64_read(&bn->hist_limit_hits), 1);
	KUNIT_EXPECT_EQ(test, READ_ONCE(c2->flags), flags2);
	KUNIT_EXPECT_FALSE(test, bv_t_cut_flag(c2, BEAVER_CUT_F_INCOMPLETE));
	KUNIT_EXPECT_TRUE(test, READ_ONCE(bn->untracked));
	bv_t_tables(test, 4000, &t);
	KUNIT_EXPECT_EQ(test, t.with_rport, 1);
	KUNIT_EXPECT_EQ(test, t.flow_pkts, 1);		/* as cut 2 saw it */
	KUNIT_EXPECT_EQ(test, t.retired_pkts, 2);

	/* the next cut says so; flows + aggregate = channel, exactly */
	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 3), 3);
	c3 = bv_t_cut(test, 3);
	KUNIT_ASSERT_NOT_NULL(test, c3);
	KUNIT_EXPECT_TRUE(test, bv_t_cut_flag(c3, BEAVER_CUT_F_UNTRACKED));
	KUNIT_EXPECT_FALSE(test, bv_t_cut_flag(c3, BEAVER_CUT_F_INCOMPLETE));
	memset(&sum, 0, sizeof(sum));
	for_each_possible_cpu(cpu) {
		struct bv_pcpu *pc = per_cpu_ptr(bn->pcpu, cpu);
		struct bv_flow *f;
		u32 i;

		spin_lock_bh(&pc->lock);
		for (i = 0; i <= pc->flow_mask; i++)
			list_for_each_entry(f, &pc->flows[i], node)
				if (bv_acct_at_cut(&f->acct, 3, &ft))
					sum.rx_pkts += ft.rx_pkts;
		if (bv_acct_at_cut(&pc->retired, 3, &rt))
			sum.rx_pkts += rt.rx_pkts;
		spin_unlock_bh(&pc->lock);
	}
	bv_t_chan(test, BEAVER_CHAN_MEMBER, BV_T_PEER_A, 3, 0, 0, &s);
	ct = s.cut;
	KUNIT_EXPECT_EQ(test, ct.rx_pkts, 3);
	KUNIT_EXPECT_EQ(test, sum.rx_pkts, ct.rx_pkts);

	/* retirement is off, yet the diverted flow goes at the release */
	bv_tables_release(bn, 2);
	bv_t_tables(test, 4000, &t);
	KUNIT_EXPECT_EQ(test, t.with_rport, 0);
	KUNIT_EXPECT_EQ(test, t.retired_pkts, 3);
	/* and the 5-tuple is tracked again from its next packet */
	bn->hist_budget.max = bv_t_cfg(test)->max_history;
	bv_t_tcp(test, 4000, 0, false, 3);
	bv_t_tables(test, 4000, &t);
	KUNIT_EXPECT_EQ(test, t.with_rport, 1);
	KUNIT_EXPECT_EQ(test, t.flow_pkts, 1);
	KUNIT_EXPECT_EQ(test, t.retired_pkts, 3);
}

/* ---- one address model for both families (kmod/addr.h) ---- */

static struct in6_addr bv_t_addr6(const char *text)
{
	struct in6_addr a;

	WARN_ON(in6_pton(text, -1, a.s6_addr, -1, NULL) != 1);
	return a;
}

/*
 * bv_is_member() and bv_is_vip() answer as a search of the sets does, the
 * bits in front of it (kmod/netns.h) filtering nothing in: 300 IPv4
 * members, more than the 64 bits, so that bits are shared; an IPv6 VIP;
 * and 3,000 addresses of neither, some of them sharing a member's bit
 */
static void bv_addr_sets_bits(struct kunit *test)
{
	struct bv_config *cfg = bv_t_cfg(test);
	struct in6_addr *m, a;
	unsigned int i, shared = 0;

	m = kcalloc(300, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	for (i = 0; i < 300; i++)
		bv_addr_set4(&m[i], htonl(0x0a010000 + i * 7));
	sort(m, 300, sizeof(*m), bv_addr_sort_cmp, NULL);
	kfree(cfg->members);
	cfg->members = m;
	cfg->n_members = 300;
	cfg->vips[0] = bv_t_addr6("2001:db8::80");
	KUNIT_ASSERT_EQ(test, bv_config_index(cfg), 0);
	KUNIT_EXPECT_NE(test, cfg->members_bits, 0);

	for (i = 0; i < 300; i++) {
		KUNIT_EXPECT_TRUE(test, bv_is_member(cfg, &m[i]));
		KUNIT_EXPECT_FALSE(test, bv_is_vip(cfg, &m[i]));
	}
	a = bv_t_addr6("2001:db8::80");
	KUNIT_EXPECT_TRUE(test, bv_is_vip(cfg, &a));
	KUNIT_EXPECT_FALSE(test, bv_is_member(cfg, &a));
	for (i = 0; i < 3000; i++) {
		bv_addr_set4(&a, htonl(0x0a010000 + i * 7 + 1 + i % 5));
		shared += !!(cfg->members_bits & bv_addr_bit(&a));
		KUNIT_EXPECT_EQ(test, bv_is_member(cfg, &a),
				bv_addr_in(m, 300, &a));
		KUNIT_EXPECT_FALSE(test, bv_is_vip(cfg, &a));
	}
	/* the search behind the bits was reached, not only the bits */
	KUNIT_EXPECT_GT(test, shared, 0);
}

/*
 * bv_addr_cmp() orders as memcmp() does (the sorted sets and the
 * allow-list index rely on it): every pair of addresses that differ in
 * the first or the second half, in a byte with its high bit set or not,
 * or not at all
 */
static void bv_addr_cmp_is_memcmp(struct kunit *test)
{
	static const char * const a[] = {
		"::", "::1", "::ff", "::100", "::ffff:0.0.0.1",
		"::ffff:127.0.0.1", "::ffff:128.0.0.0", "::ffff:255.255.255.255",
		"::1:ffff:0.0.0.1", "1::", "7fff::", "8000::", "fe80::1",
		"fe80::8000:0:0:0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		"2001:db8::a00:2", "2001:db8:0:0:8000::",
	};
	struct in6_addr x, y;
	unsigned int i, j;
	int c, m;

	for (i = 0; i < ARRAY_SIZE(a); i++) {
		for (j = 0; j < ARRAY_SIZE(a); j++) {
			x = bv_t_addr6(a[i]);
			y = bv_t_addr6(a[j]);
			c = bv_addr_cmp(&x, &y);
			m = memcmp(&x, &y, sizeof(x));
			KUNIT_EXPECT_EQ_MSG(test, c, m < 0 ? -1 : m > 0,
					    "%s vs %s", a[i], a[j]);
		}
	}
}

/*
 * IPv4 is kept mapped: never equal to a native IPv6 address with the same
 * low 32 bits (nor to the deprecated IPv4-compatible ::a.b.c.d), in the
 * order IPv4 addresses always had, and prefixes of one family never match
 * the other
 */
static void bv_addr_families_apart(struct kunit *test)
{
	struct in6_addr v4 = bv_t_addr(BV_T_PEER_A);
	struct in6_addr v6 = bv_t_addr6("2001:db8::a00:2");
	struct in6_addr compat = bv_t_addr6("::a00:2");
	struct in6_addr set[] = {
		bv_t_addr(BV_T_CLIENT), v6, bv_t_addr(BV_T_SELF), compat, v4,
	};
	struct bv_config cfg = {};
	struct bv_prefix pfx[2] = {};

	KUNIT_EXPECT_TRUE(test, bv_addr_is4(&v4));
	KUNIT_EXPECT_FALSE(test, bv_addr_is4(&v6));
	KUNIT_EXPECT_FALSE(test, bv_addr_is4(&compat));
	KUNIT_EXPECT_EQ(test, ntohl(bv_addr_get4(&v4)), BV_T_PEER_A);
	KUNIT_EXPECT_EQ(test, bv_addr_get4(&v6), bv_addr_get4(&v4));
	KUNIT_EXPECT_FALSE(test, ipv6_addr_equal(&v4, &v6));
	KUNIT_EXPECT_FALSE(test, ipv6_addr_equal(&v4, &compat));
	KUNIT_EXPECT_NE(test, bv_addr_cmp(&v4, &v6), 0);

	/*
	 * sorted (memcmp: ::a00:2 < ::ffff:0:0/96 < 2001:db8::), IPv4 in
	 * its numeric order; each found as its own family
	 */
	sort(set, ARRAY_SIZE(set), sizeof(set[0]), bv_addr_sort_cmp, NULL);
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&set[0], &compat));
	KUNIT_EXPECT_TRUE(test, bv_t_addr_is(&set[1], BV_T_SELF));
	KUNIT_EXPECT_TRUE(test, bv_t_addr_is(&set[2], BV_T_PEER_A));
	KUNIT_EXPECT_TRUE(test, bv_t_addr_is(&set[3], BV_T_CLIENT));
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&set[4], &v6));
	KUNIT_EXPECT_TRUE(test, bv_addr_in(set, ARRAY_SIZE(set), &v6));
	KUNIT_EXPECT_TRUE(test, bv_addr_in(set, ARRAY_SIZE(set), &v4));
	KUNIT_EXPECT_TRUE(test, bv_addr_in(set, ARRAY_SIZE(set), &compat));
	KUNIT_EXPECT_FALSE(test, bv_addr_in(set, 2, &v4));
	KUNIT_EXPECT_FALSE(test, bv_addr_in(&set[1], 3, &v6));
	KUNIT_EXPECT_FALSE(test, bv_addr_in(&set[1], 4, &compat));

	/* 0.0.0.0/0 and ::/0: every host of their own family, no other */
	pfx[0].v4 = true;
	bv_addr_set4(&pfx[0].addr, 0);
	pfx[0].len = 96;
	cfg.allow = pfx;
	cfg.n_allow = 1;
	KUNIT_ASSERT_EQ(test, bv_config_index(&cfg), 0);
	KUNIT_EXPECT_TRUE(test, bv_allowed(&cfg, &v4));
	KUNIT_EXPECT_FALSE(test, bv_allowed(&cfg, &v6));
	KUNIT_EXPECT_FALSE(test, bv_allowed(&cfg, &compat));
	KUNIT_EXPECT_EQ(test, bv_prefix_len(&pfx[0]), 0);
	cfg.allow = &pfx[1];
	KUNIT_ASSERT_EQ(test, bv_config_index(&cfg), 0);
	KUNIT_EXPECT_FALSE(test, bv_allowed(&cfg, &v4));
	KUNIT_EXPECT_TRUE(test, bv_allowed(&cfg, &v6));
	KUNIT_EXPECT_TRUE(test, bv_allowed(&cfg, &compat));
	/* 2001:db8::/32 */
	pfx[1].addr = bv_t_addr6("2001:db8::");
	pfx[1].len = 32;
	KUNIT_ASSERT_EQ(test, bv_config_index(&cfg), 0);
	KUNIT_EXPECT_TRUE(test, bv_allowed(&cfg, &v6));
	KUNIT_EXPECT_FALSE(test, bv_allowed(&cfg, &compat));
	KUNIT_EXPECT_EQ(test, bv_prefix_len(&pfx[1]), 32);
	kfree(cfg.allow_idx);
}

/* one UDP packet received on flow (@laddr, @raddr), channel (@kind, @peer) */
static void bv_t_acct_rx(struct kunit *test, const struct in6_addr *laddr,
			 const struct in6_addr *raddr, u8 kind,
			 const struct in6_addr *peer, u32 len)
{
	struct bv_flow_key key = {
		.laddr = *laddr,
		.raddr = *raddr,
		.lport = htons(BV_T_DPORT),
		.rport = htons(BV_T_SPORT),
		.proto = IPPROTO_UDP,
	};
	struct bv_pkt p = { .len = len };

	local_bh_disable();
	bv_account(bv_t_bn(test), bv_t_cfg(test), &key, kind, peer, 1, &p,
		   NULL);
	local_bh_enable();
}

/*
 * Flows and channels keyed by IPv6 addresses are accounted on their own,
 * apart from the IPv4 ones whose addresses have the same low 32 bits;
 * the aggregate kinds' :: is shared by both families
 */
static void bv_tables_ipv6_keys_apart(struct kunit *test)
{
	struct in6_addr self4 = bv_t_addr(BV_T_SELF);
	struct in6_addr peer4 = bv_t_addr(BV_T_PEER_A);
	struct in6_addr self6 = bv_t_addr6("2001:db8::a00:1");
	struct in6_addr peer6 = bv_t_addr6("2001:db8::a00:2");
	struct in6_addr compat = bv_t_addr6("::a00:2");
	struct in6_addr any = {};
	struct bv_t_acct a;

	/* what every flow and channel costs (the soak holds 1,000,000) */
	kunit_info(test, "sizeof: bv_flow %zu, bv_chan %zu, bv_flow_key %zu\n",
		   sizeof(struct bv_flow), sizeof(struct bv_chan),
		   sizeof(struct bv_flow_key));
	bv_t_acct_rx(test, &self4, &peer4, BEAVER_CHAN_MEMBER, &peer4, 100);
	bv_t_acct_rx(test, &self6, &peer6, BEAVER_CHAN_MEMBER, &peer6, 200);
	bv_t_acct_rx(test, &self6, &compat, BEAVER_CHAN_MEMBER, &compat, 400);
	/* a second packet of each finds its own flow again */
	bv_t_acct_rx(test, &self4, &peer4, BEAVER_CHAN_MEMBER, &peer4, 100);
	bv_t_acct_rx(test, &self6, &peer6, BEAVER_CHAN_MEMBER, &peer6, 200);
	bv_t_acct_rx(test, &self6, &compat, BEAVER_CHAN_MEMBER, &compat, 400);
	KUNIT_EXPECT_EQ(test, atomic_read(&bv_t_bn(test)->n_flows), 3);

	/* one entry each (UML has one CPU), its own bytes */
	bv_t_flow6(test, &self4, &peer4, false, 1, &a);
	KUNIT_EXPECT_EQ(test, a.entries, 1);
	KUNIT_EXPECT_EQ(test, a.cur.rx_bytes, 200);
	bv_t_flow6(test, &self6, &peer6, false, 1, &a);
	KUNIT_EXPECT_EQ(test, a.entries, 1);
	KUNIT_EXPECT_EQ(test, a.cur.rx_bytes, 400);
	bv_t_flow6(test, &self6, &compat, false, 1, &a);
	KUNIT_EXPECT_EQ(test, a.entries, 1);
	KUNIT_EXPECT_EQ(test, a.cur.rx_bytes, 800);

	bv_t_chan6(test, BEAVER_CHAN_MEMBER, &peer4, 1, 0, 0, &a);
	KUNIT_EXPECT_EQ(test, a.entries, 1);
	KUNIT_EXPECT_EQ(test, a.cur.rx_bytes, 200);
	bv_t_chan6(test, BEAVER_CHAN_MEMBER, &peer6, 1, 0, 0, &a);
	KUNIT_EXPECT_EQ(test, a.entries, 1);
	KUNIT_EXPECT_EQ(test, a.cur.rx_bytes, 400);
	bv_t_chan6(test, BEAVER_CHAN_MEMBER, &compat, 1, 0, 0, &a);
	KUNIT_EXPECT_EQ(test, a.entries, 1);
	KUNIT_EXPECT_EQ(test, a.cur.rx_bytes, 800);

	/* one aggregate channel for both families, as the API reports it */
	bv_t_acct_rx(test, &self4, &peer4, BEAVER_CHAN_OUTSIDE, &any, 10);
	bv_t_acct_rx(test, &self6, &peer6, BEAVER_CHAN_OUTSIDE, &any, 20);
	bv_t_chan6(test, BEAVER_CHAN_OUTSIDE, &any, 1, 0, 0, &a);
	KUNIT_EXPECT_EQ(test, a.entries, 1);
	KUNIT_EXPECT_EQ(test, a.cur.rx_bytes, 30);
	KUNIT_EXPECT_EQ(test, atomic_read(&bv_t_bn(test)->n_chans), 4);
	KUNIT_EXPECT_EQ(test, atomic_read(&bv_t_bn(test)->n_flows), 3);
}

/* bv_icmp_mtu() as the hooks call it, on the packet they parsed */
static void bv_t_icmp_mtu(struct kunit *test, struct bv_t_ctx *ctx,
			  struct sk_buff *skb)
{
	struct bv_l3 l3;

	KUNIT_ASSERT_EQ(test, bv_l3_parse(skb, &l3), 0);
	rcu_read_lock();
	bv_icmp_mtu(&ctx->bn, ctx->cfg, skb, &l3);
	rcu_read_unlock();
}

/*
 * An ICMP "fragmentation needed" from router @from quoting @quoted (an
 * IPv4 header with its options, and 8 bytes more), advertising @mtu
 */
static struct sk_buff *bv_t_frag_needed(struct kunit *test, u32 from,
					const u8 *quoted, unsigned int qlen,
					u16 mtu)
{
	u8 *pkt = bv_t_buf(test);
	struct iphdr *iph = (struct iphdr *)pkt;
	struct icmphdr *ih = (struct icmphdr *)(pkt + sizeof(*iph));
	unsigned int len = sizeof(*iph) + sizeof(*ih) + qlen;

	memset(pkt, 0, len);
	iph->version = 4;
	iph->ihl = 5;
	iph->tot_len = htons(len);
	iph->ttl = 64;
	iph->protocol = IPPROTO_ICMP;
	iph->saddr = htonl(from);
	iph->daddr = htonl(BV_T_SELF);
	ip_send_check(iph);
	ih->type = ICMP_DEST_UNREACH;
	ih->code = ICMP_FRAG_NEEDED;
	ih->un.frag.mtu = htons(mtu);
	memcpy(ih + 1, quoted, qlen);
	ih->checksum = ip_compute_csum(ih, sizeof(*ih) + qlen);
	return bv_t_skb(test, pkt, len);
}

/*
 * A router past this member (or past a gateway) with a smaller MTU M drops
 * a stamped packet and says M: what fits the sender's own packets is
 * M - 8, the stamp being ours. Errors that quote no stamp of the group,
 * or say no MTU, stay as they are; every one keeps a valid checksum.
 */
struct bv_t_frag_case {
	u8 group;		/* of the quoted stamp; 0: none */
	u16 mtu;		/* what the router says */
	u16 want;		/* what the member passes on */
};

static void bv_icmp_frag_needed_lowers(struct kunit *test)
{
	struct bv_t_ctx *ctx = test->priv;
	u8 *quoted = bv_t_buf(test);
	static const struct bv_t_frag_case fc[] = {
		{ BV_T_GROUP, 1400, 1392 },
		{ 0, 1400, 1400 },
		{ BV_T_GROUP + 1, 1400, 1400 },
		{ BV_T_GROUP, 0, 0 },
		{ BV_T_GROUP, 68, 68 },
	};
	u8 opt[BEAVER_OPT_LEN];
	unsigned int i, qlen, lowered = 0;

	for (i = 0; i < ARRAY_SIZE(fc); i++) {
		struct icmphdr *ih;
		struct sk_buff *skb;

		bv_stamp_encode(opt, fc[i].group ? fc[i].group : 1, 5);
		qlen = bv_t_build(quoted, BV_T_SELF, BV_T_PEER_A, opt,
				  fc[i].group ? sizeof(opt) : 0, 100);
		/* the header and 8 bytes of payload, as routers quote */
		qlen = (quoted[0] & 0x0f) * 4 + 8;
		skb = bv_t_frag_needed(test, BV_T_STRAY, quoted, qlen,
				       fc[i].mtu);
		bv_t_icmp_mtu(test, ctx, skb);
		ih = (struct icmphdr *)(skb->data + sizeof(struct iphdr));
		KUNIT_EXPECT_EQ_MSG(test, ntohs(ih->un.frag.mtu), fc[i].want,
				    "frag case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, ip_compute_csum(ih, skb->len -
							  sizeof(struct iphdr)),
				    0, "frag case %u: checksum", i);
		lowered += fc[i].want != fc[i].mtu;
	}
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_ICMP_MTU_LOWERED),
			lowered);
}

/*
 * IPVS tunnelling: the router quotes the carrier (IPIP, no options), and
 * behind it the packet carried, with the stamp. Lowered as well, when
 * the quote reaches that far; not when it stops at the carrier's header.
 */
static void bv_icmp_frag_needed_ipip(struct kunit *test)
{
	struct bv_t_ctx *ctx = test->priv;
	u8 *quoted = bv_t_buf(test);
	struct iphdr *outer = (struct iphdr *)quoted;
	unsigned int ilen, qlen, i;
	u8 opt[BEAVER_OPT_LEN];

	bv_stamp_encode(opt, BV_T_GROUP, 5);
	ilen = bv_t_build(quoted + sizeof(*outer), BV_T_CLIENT, BV_T_VIP, opt,
			  sizeof(opt), 100);
	memset(outer, 0, sizeof(*outer));
	outer->version = 4;
	outer->ihl = 5;
	outer->tot_len = htons(sizeof(*outer) + ilen);
	outer->ttl = 64;
	outer->protocol = IPPROTO_IPIP;
	outer->saddr = htonl(BV_T_SELF);
	outer->daddr = htonl(BV_T_PEER_A);
	ip_send_check(outer);
	for (i = 0; i < 2; i++) {
		struct icmphdr *ih;
		struct sk_buff *skb;

		/* the carrier, the carried header, 8 bytes; or RFC 792's */
		qlen = i ? sizeof(*outer) + 8 :
			   sizeof(*outer) + sizeof(struct iphdr) + sizeof(opt) + 8;
		skb = bv_t_frag_needed(test, BV_T_STRAY, quoted, qlen, 1400);
		bv_t_icmp_mtu(test, ctx, skb);
		ih = (struct icmphdr *)(skb->data + sizeof(struct iphdr));
		KUNIT_EXPECT_EQ_MSG(test, ntohs(ih->un.frag.mtu),
				    i ? 1400 : 1392, "quote %u", i);
		KUNIT_EXPECT_EQ(test, ip_compute_csum(ih, skb->len -
						      sizeof(struct iphdr)), 0);
	}
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_ICMP_MTU_LOWERED), 1);
}

/* ---- IPv6 ---- */

#define BV_T6_PREFIX	0x20010db8	/* 2001:db8::/32, documentation */

/* 2001:db8::@n, or fe80::@n with @ll */
static struct in6_addr bv_t_a6(u32 n, bool ll)
{
	struct in6_addr a = {};

	a.s6_addr32[0] = ll ? htonl(0xfe800000) : htonl(BV_T6_PREFIX);
	a.s6_addr32[3] = htonl(n);
	return a;
}

/*
 * Write an IPv6 packet from @saddr to @daddr: the extension headers @ext
 * (@extlen bytes, a chain whose first next-header byte is set here and
 * whose last must name UDP, IPPROTO_UDP written into it by the caller),
 * then UDP with @payload bytes and a valid checksum. Returns its length.
 */
static unsigned int bv_t_build6(u8 *buf, const struct in6_addr *saddr,
				const struct in6_addr *daddr, u8 first,
				const u8 *ext, unsigned int extlen,
				unsigned int payload)
{
	struct ipv6hdr *ip6 = (struct ipv6hdr *)buf;
	unsigned int ulen = sizeof(struct udphdr) + payload;
	struct udphdr *uh;
	unsigned int i;
	__wsum sum;

	memset(ip6, 0, sizeof(*ip6));
	ip6->version = 6;
	ip6->payload_len = htons(extlen + ulen);
	ip6->nexthdr = extlen ? first : IPPROTO_UDP;
	ip6->hop_limit = 64;
	ip6->saddr = *saddr;
	ip6->daddr = *daddr;
	if (extlen)
		memcpy(buf + sizeof(*ip6), ext, extlen);
	uh = (struct udphdr *)(buf + sizeof(*ip6) + extlen);
	uh->source = htons(BV_T_SPORT);
	uh->dest = htons(BV_T_DPORT);
	uh->len = htons(ulen);
	uh->check = 0;
	for (i = 0; i < payload; i++)
		((u8 *)(uh + 1))[i] = (u8)(i * 7 + 3);
	sum = csum_partial(uh, ulen, 0);
	uh->check = csum_ipv6_magic(saddr, daddr, ulen, IPPROTO_UDP, sum);
	if (!uh->check)
		uh->check = CSUM_MANGLED_0;
	return sizeof(*ip6) + extlen + ulen;
}

static struct sk_buff *bv_t_skb6(struct kunit *test, const u8 *pkt,
				 unsigned int len)
{
	struct sk_buff *skb = bv_t_skb(test, pkt, len);

	skb_set_transport_header(skb, sizeof(struct ipv6hdr));
	skb->protocol = htons(ETH_P_IPV6);
	return skb;
}

/* Hop-by-Hop (8 bytes of PadN) then a Destination Options header (same) */
static unsigned int bv_t_ext6(u8 *ext)
{
	static const u8 pad[8] = { 0, 0, BV6_OPT_PADN, 4, 0, 0, 0, 0 };

	memcpy(ext, pad, 8);
	ext[0] = NEXTHDR_DEST;
	memcpy(ext + 8, pad, 8);
	ext[8] = IPPROTO_UDP;
	return 16;
}

/*
 * The accounting's view of an IPv6 packet: ports found past Hop-by-Hop
 * and Destination Options headers; lengths of a stamped packet without
 * the stamp, also per segment of a GSO packet (each segment carries the
 * extension headers, the stamp among them).
 */
static void bv_pkt6_parse_ext(struct kunit *test)
{
	struct in6_addr self = bv_t_a6(1, false), peer = bv_t_a6(2, false);
	u8 *pkt = bv_t_buf(test), ext[16];
	unsigned int len, extlen = bv_t_ext6(ext);
	struct bv_flow_key key;
	struct sk_buff *skb;
	struct bv_pkt p;

	len = bv_t_build6(pkt, &peer, &self, NEXTHDR_HOP, ext, extlen, 100);
	skb = bv_t_skb6(test, pkt, len);
	bv_pkt_parse(skb, NULL, false, &key, &p);
	KUNIT_EXPECT_EQ(test, key.proto, IPPROTO_UDP);
	KUNIT_EXPECT_EQ(test, ntohs(key.lport), BV_T_DPORT);
	KUNIT_EXPECT_EQ(test, ntohs(key.rport), BV_T_SPORT);
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&key.laddr, &self));
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&key.raddr, &peer));
	KUNIT_EXPECT_EQ(test, p.len, len);

	/* sent the other way, stamped: counted as the unstamped packet */
	len = bv_t_build6(pkt, &self, &peer, NEXTHDR_HOP, ext, extlen, 100);
	skb = bv_t_skb6(test, pkt, len);
	KUNIT_ASSERT_EQ(test, bv_skb_stamp6_insert(skb, BV_T_GROUP, 9), 0);
	KUNIT_ASSERT_EQ(test, skb->len, len + BEAVER6_HDR_LEN);
	bv_pkt_parse_stamped(skb, &key, &p);
	KUNIT_EXPECT_EQ(test, key.proto, IPPROTO_UDP);
	KUNIT_EXPECT_EQ(test, ntohs(key.lport), BV_T_SPORT);
	KUNIT_EXPECT_EQ(test, ntohs(key.rport), BV_T_DPORT);
	KUNIT_EXPECT_EQ(test, p.len, len);

	/* a GSO packet of 3: twice more the headers, the stamp not counted */
	skb_shinfo(skb)->gso_type = SKB_GSO_UDP_L4;
	skb_shinfo(skb)->gso_size = 40;
	skb_shinfo(skb)->gso_segs = 3;
	bv_pkt_parse_stamped(skb, &key, &p);
	KUNIT_EXPECT_EQ(test, p.segs, 3);
	KUNIT_EXPECT_EQ(test, p.len, len + 2 * (sizeof(struct ipv6hdr) +
						extlen +
						sizeof(struct udphdr)));
}

/* an IPv6 packet through the member's PRE_ROUTING hook; its verdict */
static unsigned int bv_t_rx6(struct kunit *test, const struct in6_addr *saddr,
			     const struct in6_addr *daddr)
{
	struct bv_t_ctx *ctx = test->priv;
	u8 *pkt = bv_t_buf(test);
	struct sk_buff *skb;
	unsigned int len, v;

	len = bv_t_build6(pkt, saddr, daddr, 0, NULL, 0, 64);
	skb = bv_t_skb6(test, pkt, len);
	rcu_read_lock();
	v = bv_member_in(&ctx->bn, ctx->cfg, skb);
	rcu_read_unlock();
	return v;
}

/*
 * Link-scope IPv6 traffic never crosses a gateway: from a link-local
 * source or to a multicast group it is not bypass (nor counted); from a
 * global source to this member directly it is. An IPv4-mapped address
 * would alias the IPv4 host's flows: dropped, counted as malformed.
 */
static void bv_member_in6_link_scope(struct kunit *test)
{
	struct in6_addr self = bv_t_a6(1, false);
	struct in6_addr stray = bv_t_a6(0x99, false);
	struct in6_addr ll = bv_t_a6(0x99, true);
	struct in6_addr mc = {}, mapped;

	mc.s6_addr32[0] = htonl(0xff020000);
	mc.s6_addr32[3] = htonl(1);
	ipv6_addr_set_v4mapped(htonl(BV_T_STRAY), &mapped);

	KUNIT_EXPECT_EQ(test, bv_t_rx6(test, &ll, &self), NF_ACCEPT);
	KUNIT_EXPECT_EQ(test, bv_t_rx6(test, &stray, &mc), NF_ACCEPT);
	KUNIT_EXPECT_EQ(test, bv_t_rx6(test, &ll, &mc), NF_ACCEPT);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_BYPASS), 0);

	KUNIT_EXPECT_EQ(test, bv_t_rx6(test, &stray, &self), NF_ACCEPT);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_BYPASS), 1);

	KUNIT_EXPECT_EQ(test, bv_t_rx6(test, &mapped, &self), NF_DROP);
	KUNIT_EXPECT_EQ(test, bv_t_rx6(test, &stray, &mapped), NF_DROP);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_MALFORMED), 2);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_BYPASS), 1);
}

/*
 * An ICMPv6 Packet Too Big from a router past the gateway quoting a
 * packet with this group's stamp advertises 16 less; not below 1280 (RFC
 * 8201: the source could not go lower), not for another group's stamp or
 * none. The checksum stays valid.
 */
struct bv_t_ptb_case {
	u8 group;		/* of the quoted stamp; 0: none */
	u32 mtu;		/* what the router says */
	u32 want;		/* what the member passes on */
};

static void bv_icmp6_ptb_lowers(struct kunit *test)
{
	static const struct bv_t_ptb_case pc[] = {
		{ BV_T_GROUP, 1400, 1384 },
		{ 0, 1400, 1400 },
		{ BV_T_GROUP + 1, 1400, 1400 },
		{ BV_T_GROUP, 1296, 1280 },
		{ BV_T_GROUP, 1290, 1290 },
	};
	struct in6_addr self = bv_t_a6(1, false);
	struct in6_addr client = bv_t_a6(0x77, false);
	struct in6_addr router = bv_t_a6(0xfe, false);
	struct bv_t_ctx *ctx = test->priv;
	u8 *pkt = bv_t_buf(test);
	/* the whole 1000-byte datagram is built before it is cut to quote */
	u8 *quoted = kunit_kzalloc(test, 1100, GFP_KERNEL);
	unsigned int i, qlen, len, lowered = 0;
	u8 stamp[BEAVER6_HDR_LEN];

	KUNIT_ASSERT_NOT_NULL(test, quoted);
	for (i = 0; i < ARRAY_SIZE(pc); i++) {
		struct ipv6hdr *ip6 = (struct ipv6hdr *)pkt;
		struct icmp6hdr *ih;
		struct sk_buff *skb;

		/* what the member sent, stamped: a 1000-byte datagram */
		bv_stamp6_encode(stamp, IPPROTO_UDP,
				 pc[i].group ? pc[i].group : 1, 5);
		qlen = bv_t_build6(quoted, &self, &client, NEXTHDR_DEST, stamp,
				   pc[i].group ? sizeof(stamp) : 0, 1000);
		/* quoted as far as the buffer goes (routers quote ~1232) */
		qlen = min_t(unsigned int, qlen,
			     BV_T_MAXPKT - sizeof(*ip6) - sizeof(*ih));
		memset(pkt, 0, BV_T_MAXPKT);
		len = sizeof(*ip6) + sizeof(*ih) + qlen;
		ip6->version = 6;
		ip6->payload_len = htons(len - sizeof(*ip6));
		ip6->nexthdr = IPPROTO_ICMPV6;
		ip6->hop_limit = 64;
		ip6->saddr = router;
		ip6->daddr = self;
		ih = (struct icmp6hdr *)(ip6 + 1);
		ih->icmp6_type = ICMPV6_PKT_TOOBIG;
		ih->icmp6_mtu = htonl(pc[i].mtu);
		memcpy(ih + 1, quoted, qlen);
		ih->icmp6_cksum = csum_ipv6_magic(&router, &self,
						  len - sizeof(*ip6),
						  IPPROTO_ICMPV6,
						  csum_partial(ih, len - sizeof(*ip6), 0));
		skb = bv_t_skb6(test, pkt, len);
		bv_t_icmp_mtu(test, ctx, skb);
		ih = (struct icmp6hdr *)(skb->data + sizeof(*ip6));
		KUNIT_EXPECT_EQ_MSG(test, ntohl(ih->icmp6_mtu), pc[i].want,
				    "PTB case %u", i);
		KUNIT_EXPECT_EQ_MSG(test,
				    csum_ipv6_magic(&router, &self,
						    len - sizeof(*ip6),
						    IPPROTO_ICMPV6,
						    csum_partial(ih, len - sizeof(*ip6), 0)),
				    0, "PTB case %u: checksum", i);
		lowered += pc[i].want != pc[i].mtu;
	}
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_ICMP_MTU_LOWERED),
			lowered);
}

/* add the IPv6 member @a to the configuration (kept sorted) */
static void bv_t_add_member6(struct kunit *test, const struct in6_addr *a)
{
	struct bv_config *cfg = bv_t_cfg(test);
	struct in6_addr *m;

	m = kcalloc(cfg->n_members + 1, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	memcpy(m, cfg->members, cfg->n_members * sizeof(*m));
	m[cfg->n_members] = *a;
	kfree(cfg->members);
	cfg->members = m;
	cfg->n_members++;
	sort(cfg->members, cfg->n_members, sizeof(*m), bv_addr_sort_cmp, NULL);
	KUNIT_ASSERT_EQ(test, bv_config_index(cfg), 0);
}

/*
 * The member's IPv6 data path end to end: a datagram to an IPv6 member
 * leaves with the 16-byte stamp of the member's epoch and is counted
 * without it; one from that member with a newer stamp cuts, loses the
 * stamp and is counted as sent; a link-local one is neither stamped nor
 * counted; an IPv6 tunnel's carrier (a known gap) is not counted and
 * loses any stamp, which moves nothing.
 */
static void bv_member6_stamps_and_counts(struct kunit *test)
{
	struct in6_addr self = bv_t_a6(1, false), peer = bv_t_a6(2, false);
	struct in6_addr ll = bv_t_a6(1, true);
	struct bv_t_ctx *ctx = test->priv;
	u8 *pkt = bv_t_buf(test), stamp[BEAVER6_HDR_LEN];
	struct sk_buff *skb;
	struct bv_t_acct s;
	struct bv_stamp st;
	unsigned int len, v;

	bv_t_add_member6(test, &peer);
	KUNIT_ASSERT_EQ(test, bv_t_advance(test, 3), 3);

	len = bv_t_build6(pkt, &self, &peer, 0, NULL, 0, 100);
	skb = bv_t_skb6(test, pkt, len);
	KUNIT_EXPECT_EQ(test, bv_t_out_skb(test, skb), NF_ACCEPT);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_find(skb, BV_T_GROUP, &st, NULL),
			sizeof(struct ipv6hdr));
	KUNIT_EXPECT_EQ(test, st.epoch, 3);
	KUNIT_EXPECT_EQ(test, skb->len, len + BEAVER6_HDR_LEN);
	bv_t_chan6(test, BEAVER_CHAN_MEMBER, &peer, 4, 0, 0, &s);
	bv_t_expect_totals(test, "channel to the IPv6 member", &s.cur, 0, 0, 1,
			   len);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_TX_STAMPED), 1);

	/* from it, stamped 5: cut before counting, stamp removed */
	bv_stamp6_encode(stamp, IPPROTO_UDP, BV_T_GROUP, 5);
	len = bv_t_build6(pkt, &peer, &self, NEXTHDR_DEST, stamp, sizeof(stamp),
			  100);
	skb = bv_t_skb6(test, pkt, len);
	rcu_read_lock();
	v = bv_member_in(&ctx->bn, ctx->cfg, skb);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, v, NF_ACCEPT);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 5);
	KUNIT_EXPECT_EQ(test, skb->len, len - BEAVER6_HDR_LEN);
	KUNIT_EXPECT_EQ(test, ipv6_hdr(skb)->nexthdr, IPPROTO_UDP);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_find(skb, 0, &st, NULL), -ENOENT);
	bv_t_chan6(test, BEAVER_CHAN_MEMBER, &peer, 6, 0, 0, &s);
	bv_t_expect_totals(test, "channel from the IPv6 member", &s.cur, 1,
			   len - BEAVER6_HDR_LEN, 1, len - BEAVER6_HDR_LEN);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_STAMPED), 1);

	/* link-local to the member: not stamped, not counted */
	len = bv_t_build6(pkt, &ll, &peer, 0, NULL, 0, 100);
	skb = bv_t_skb6(test, pkt, len);
	KUNIT_EXPECT_EQ(test, bv_t_out_skb(test, skb), NF_ACCEPT);
	KUNIT_EXPECT_EQ(test, skb->len, len);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_TX_STAMPED), 1);

	/* an ip6ip6 carrier with a stamp of epoch 9: removed, nothing moves */
	bv_stamp6_encode(stamp, IPPROTO_IPV6, BV_T_GROUP, 9);
	len = bv_t_build6(pkt, &peer, &self, NEXTHDR_DEST, stamp, sizeof(stamp),
			  60);
	skb = bv_t_skb6(test, pkt, len);
	rcu_read_lock();
	v = bv_member_in(&ctx->bn, ctx->cfg, skb);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, v, NF_ACCEPT);
	KUNIT_EXPECT_EQ(test, skb->len, len - BEAVER6_HDR_LEN);
	KUNIT_EXPECT_EQ(test, bv_t_epoch(test), 5);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_RX_UNTRUSTED), 1);
	KUNIT_EXPECT_EQ(test, bv_t_stat(test, BEAVER_STAT_BYPASS), 0);
	bv_t_chan6(test, BEAVER_CHAN_MEMBER, &peer, 6, 0, 0, &s);
	KUNIT_EXPECT_EQ(test, s.cur.rx_pkts, 1);
}

static struct kunit_case beaver_member_cases[] = {
	KUNIT_CASE(bv_member_in_cut_before_delivery),
	KUNIT_CASE(bv_member_in_inflight),
	KUNIT_CASE(bv_member_in_same_epoch),
	KUNIT_CASE(bv_member_in_skipped_epochs),
	KUNIT_CASE(bv_member_in_skipped_epochs_wrap),
	KUNIT_CASE(bv_member_in_strips_stamp),
	KUNIT_CASE(bv_member_in_unstamped),
	KUNIT_CASE(bv_member_app_mark_valid),
	KUNIT_CASE(bv_member_app_mark),
	KUNIT_CASE(bv_member_in_foreign_and_malformed),
	KUNIT_CASE(bv_member_in_late),
	KUNIT_CASE(bv_member_in_late_released),
	KUNIT_CASE(bv_member_out_stamps),
	KUNIT_CASE(bv_member_completion),
	KUNIT_CASE(bv_member_in_untrusted_stamp),
	KUNIT_CASE(bv_member_in_ipip),
	KUNIT_CASE(bv_member_in_stamp_window),
	KUNIT_CASE(bv_member_lost_flags_next_cut),
	KUNIT_CASE(bv_addr_sets_bits),
	KUNIT_CASE(bv_allow_index_matches),
	KUNIT_CASE(bv_stamp_id_codec),
	KUNIT_CASE(bv_member_out_stamps_id),
	KUNIT_CASE(bv_member_in_id),
	KUNIT_CASE(bv_member_in_id_announced),
	KUNIT_CASE(bv_member_in_id_udp),
	KUNIT_CASE(bv_tables_retire_closed),
	KUNIT_CASE(bv_tables_resize_keeps_flows),
	KUNIT_CASE(bv_tables_flush_all),
	KUNIT_CASE(bv_tables_divert_keeps_complete),
	KUNIT_CASE(bv_addr_cmp_is_memcmp),
	KUNIT_CASE(bv_addr_families_apart),
	KUNIT_CASE(bv_tables_ipv6_keys_apart),
	KUNIT_CASE(bv_icmp_frag_needed_lowers),
	KUNIT_CASE(bv_icmp_frag_needed_ipip),
	KUNIT_CASE(bv_pkt6_parse_ext),
	KUNIT_CASE(bv_member_in6_link_scope),
	KUNIT_CASE(bv_icmp6_ptb_lowers),
	KUNIT_CASE(bv_member6_stamps_and_counts),
	{}
};

static struct kunit_suite beaver_member_suite = {
	.name = "beaver_member",
	.init = bv_t_init,
	.exit = bv_t_exit,
	.test_cases = beaver_member_cases,
};

kunit_test_suite(beaver_member_suite);

MODULE_DESCRIPTION("KUnit tests for Beaver's member cut");
MODULE_LICENSE("GPL");
