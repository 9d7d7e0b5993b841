// SPDX-License-Identifier: GPL-2.0
/*
 * Member hooks: the cut, in-flight recording, stamp removal and bypass
 * detection on ingress; stamping, MSS clamping and accounting on egress.
 */
#include <linux/ip.h>
#include <linux/netdevice.h>
#include <linux/tcp.h>
#include <net/dst.h>
#include <net/ip.h>
#include "hooks.h"
#include "l3.h"
#include "stamp.h"
#include "packet.h"
#include "epochs.h"
#include "tables.h"
#include "trust.h"
#include "stamp_id.h"
#include "app_mark.h"

/*
 * A trusted stamp of @epoch counts unless it is more than max_ahead epochs
 * past the newest one the coordinator named; counted either way.
 */
static bool bv_stamp_in_window(struct beaver_net *bn,
			       const struct bv_config *cfg, u32 epoch)
{
	u32 ref = READ_ONCE(bn->m_commanded);

	if (ref && bv_epoch_after(epoch, ref) && epoch - ref > cfg->max_ahead) {
		bv_stat_inc(bn, BEAVER_STAT_RX_AHEAD);
		return false;
	}
	bv_stat_inc(bn, BEAVER_STAT_RX_STAMPED);
	return true;
}

/*
 * Does a stamp of our group count? Only from a trusted neighbour, and
 * within the window above; anything else is removed like any stamp,
 * counted, and the packet handled as unstamped: it cannot move this
 * member's epoch.
 */
static bool bv_stamp_counts(struct beaver_net *bn, const struct bv_config *cfg,
			    struct sk_buff *skb, const struct in6_addr *saddr,
			    const struct bv_stamp *st)
{
	if (!bv_from_trusted(cfg, skb, saddr, true) &&
	    !bv_from_tunnel(skb)) {
		bv_stat_inc(bn, BEAVER_STAT_RX_UNTRUSTED);
		return false;
	}
	return bv_stamp_in_window(bn, cfg, st->epoch);
}

/*
 * An IPv4 packet without this group's option may carry its stamp in the
 * ID (stamp_id.h): only an atomic one to a member or VIP address, from a
 * trusted neighbour, since those are exactly the packets gateways and
 * members stamp there. True, with the epoch in @st, if it does and the
 * stamp counts (as bv_stamp_counts()). Anything else is no stamp, and
 * the packet is handled as unstamped; from a trusted neighbour, an ID
 * that cannot be read (even but not 0, or no epoch to read it next to) is
 * counted as well.
 */
static bool bv_id_stamp(struct beaver_net *bn, const struct bv_config *cfg,
			struct sk_buff *skb, const struct bv_l3 *l3,
			struct bv_stamp *st)
{
	u32 ref;
	int id;

	if (l3->v6 || !bv_id_on(cfg))
		return false;
	id = bv_skb_id_get(skb);
	if (id < 0 || id == BEAVER_ID_NONE)
		return false;
	if (!bv_is_member(cfg, &l3->daddr) &&
	    !bv_is_vip(cfg, &l3->daddr))
		return false;
	/*
	 * (never an inner packet out of a tunnel: gateways and members stamp
	 * those with the option, stamp.h)
	 */
	if (!bv_from_trusted(cfg, skb, &l3->saddr, true))
		return false;
	st->group = cfg->group;
	st->flags = 0;
	st->epoch = 0;
	/*
	 * Epoch 0, the sender's "no snapshot yet", is read without an epoch
	 * of one's own. For any other, the other 17 bits come from this
	 * member's own epoch, or, before its first cut, the one the
	 * coordinator last named. With neither, nothing tells which epoch it
	 * is: handled as unstamped (bypass, in the report), never guessed.
	 */
	if (id != BEAVER_ID_EPOCH0) {
		ref = atomic_read(&bn->m_epoch) ?: READ_ONCE(bn->m_commanded);
		if (ref)
			st->epoch = bv_id_decode(id, ref);
		/*
		 * Nor one more than max_ahead behind: no packet stays in flight
		 * that long, and an ID that reads so is a host's own (one on a
		 * member address whose module is not loaded yet): read, it
		 * would book a packet into thousands of closed snapshots. So
		 * only a window of 2 * max_ahead of the 2^15 IDs reads as a
		 * stamp, not all of them.
		 */
		if (st->epoch && bv_epoch_before(st->epoch, ref) &&
		    ref - st->epoch > cfg->max_ahead)
			st->epoch = 0;
		if (!st->epoch) {
			bv_stat_inc(bn, BEAVER_STAT_RX_ID_INVALID);
			/*
			 * a stamp, unread for want of an epoch: it may be of
			 * the epoch this member cuts at next, after
			 * delivering it; that cut says so
			 */
			if (!ref && bv_id_is_stamp(id) &&
			    !READ_ONCE(bn->id_unread))
				WRITE_ONCE(bn->id_unread, true);
			return false;
		}
	}
	if (!bv_stamp_in_window(bn, cfg, st->epoch))
		return false;
	bv_stat_inc(bn, BEAVER_STAT_RX_ID);
	return true;
}

/* who is at the other end of a received packet */
static u8 bv_rx_kind(struct beaver_net *bn, const struct bv_config *cfg,
		     const struct in6_addr *saddr, bool stamped,
		     struct in6_addr *peer)
{
	memset(peer, 0, sizeof(*peer));	/* aggregate kinds: :: (addr.h) */
	if (bv_is_member(cfg, saddr)) {
		*peer = *saddr;
		if (!stamped)
			bv_stat_inc(bn, BEAVER_STAT_UNSTAMPED_MEMBER);
		return BEAVER_CHAN_MEMBER;
	}
	if (stamped)
		return BEAVER_CHAN_GATEWAY;
	if (bv_allowed(cfg, saddr))
		return BEAVER_CHAN_OUTSIDE;
	/* came in without crossing a gateway: the precondition is broken */
	bv_stat_inc(bn, BEAVER_STAT_BYPASS);
	return BEAVER_CHAN_BYPASS;
}

/*
 * An IPIP packet (IPVS tunnelling, RFC 2003) only carries the packet this
 * member delivers: decapsulated, that one comes through PRE_ROUTING again
 * from the tunnel device, and is judged and counted there like any other.
 * The carrier is neither counted nor bypass. Where it came from is
 * checked here, because nothing tells after decapsulation (the tunnel
 * device has no link-layer source; the inner source is the client's): the
 * inner packet's stamp counts only if its carrier came from a gateway or a
 * member (bv_from_tunnel()), so from anywhere else the stamp is removed
 * now, as it would be from a packet sent here directly.
 */
static unsigned int bv_member_carrier_in(struct beaver_net *bn,
					 const struct bv_config *cfg,
					 struct sk_buff *skb)
{
	unsigned int foreign;
	struct in6_addr saddr;
	struct bv_stamp st;
	int off, nhoff;

	off = bv_skb_stamp_find_foreign(skb, cfg->group, &st, &foreign);
	if (off == -EINVAL) {
		bv_stat_inc(bn, BEAVER_STAT_RX_MALFORMED);
		return NF_DROP;
	}
	if (foreign)
		bv_stat_inc(bn, BEAVER_STAT_RX_FOREIGN);
	/*
	 * A stamp on the carrier is never evidence, whoever put it there:
	 * the header it is on is not delivered (gateways and members stamp
	 * the inner packet). Removed, so that no later reader sees it.
	 */
	if (off >= 0) {
		bv_stat_inc(bn, BEAVER_STAT_RX_UNTRUSTED);
		if (bv_skb_stamp_strip(skb, off)) {
			bv_stat_inc(bn, BEAVER_STAT_RX_STRIP_ERR);
			return NF_DROP;
		}
	}
	bv_addr_set4(&saddr, ip_hdr(skb)->saddr);
	if (bv_from_trusted(cfg, skb, &saddr, true))
		return NF_ACCEPT;

	off = bv_skb_stamp_find_inner(skb, cfg->group, &st, &nhoff);
	if (off == -ENOENT)
		return NF_ACCEPT;
	if (off == -EINVAL) {
		/*
		 * Malformed, or a first fragment too short to show the whole
		 * inner header: nobody can tell what it carries
		 */
		bv_stat_inc(bn, BEAVER_STAT_RX_MALFORMED);
		return NF_DROP;
	}
	bv_stat_inc(bn, BEAVER_STAT_RX_UNTRUSTED);
	/*
	 * Removed as from any untrusted packet; but a fragment cannot lose
	 * 8 bytes (the later fragments' offsets would be wrong): dropped
	 */
	if (ip_is_fragment(ip_hdr(skb)) ||
	    bv_skb_stamp_strip_at(skb, nhoff, off)) {
		bv_stat_inc(bn, BEAVER_STAT_RX_STRIP_ERR);
		return NF_DROP;
	}
	return NF_ACCEPT;
}

/*
 * An IPv6 tunnel's carrier (ip6ip6, ipip6: IPVS tunnelling over IPv6, a
 * known gap, docs/ipv6.md). Gateways do not stamp it; a stamp on it is
 * evidence of nothing (the header it is on is not delivered) and is
 * removed. The carrier is not counted: the packet the tunnel device
 * delivers comes through PRE_ROUTING again and, unstamped from outside,
 * is counted there once, as bypass.
 */
static unsigned int bv_member_carrier6_in(struct beaver_net *bn,
					  const struct bv_config *cfg,
					  struct sk_buff *skb,
					  const struct bv_l3 *l3)
{
	struct bv_stamp st;
	int off;

	off = bv_l3_stamp_find(skb, l3, cfg->group, &st, NULL);
	if (off == -EINVAL) {
		bv_stat_inc(bn, BEAVER_STAT_RX_MALFORMED);
		return NF_DROP;
	}
	if (off >= 0) {
		bv_stat_inc(bn, BEAVER_STAT_RX_UNTRUSTED);
		if (bv_l3_stamp_strip(skb, l3, off)) {
			bv_stat_inc(bn, BEAVER_STAT_RX_STRIP_ERR);
			return NF_DROP;
		}
	}
	return NF_ACCEPT;
}

unsigned int bv_member_in(struct beaver_net *bn, const struct bv_config *cfg,
			  struct sk_buff *skb)
{
	struct bv_inflight_info inf = {};
	struct bv_flow_key key;
	struct bv_stamp st;
	struct bv_pkt p;
	bool stamped = false, cut;
	unsigned int foreign;
	struct in6_addr peer;
	struct bv_l3 l3;
	u32 epoch;
	int off;
	u8 kind;

	if (bv_l3_parse(skb, &l3)) {
		/* the stack would refuse this one as well */
		bv_stat_inc(bn, BEAVER_STAT_RX_MALFORMED);
		return NF_DROP;
	}
	/* before the loopback exemption: no stamp gets in by lo either */
	if (!l3.v6 && l3.proto == IPPROTO_IPIP)
		return bv_member_carrier_in(bn, cfg, skb);
	if (bv_l3_carrier(&l3))
		return bv_member_carrier6_in(bn, cfg, skb, &l3);
	if (skb->dev && (skb->dev->flags & IFF_LOOPBACK))
		return NF_ACCEPT;
	/*
	 * ::ffff:a.b.c.d would be counted as the IPv4 host a.b.c.d (addr.h);
	 * the 6.1 stack delivers such packets (ip6_rcv_core() does not
	 * refuse them), so they are dropped here, counted as malformed
	 */
	if (bv_l3_v4mapped(&l3)) {
		bv_stat_inc(bn, BEAVER_STAT_RX_MALFORMED);
		return NF_DROP;
	}

	off = bv_l3_stamp_find(skb, &l3, cfg->group, &st, &foreign);
	if (off == -EINVAL) {
		/* the stack would refuse these options as well */
		bv_stat_inc(bn, BEAVER_STAT_RX_MALFORMED);
		return NF_DROP;
	}
	/* another group's, another experiment's: theirs, left in place */
	if (foreign)
		bv_stat_inc(bn, BEAVER_STAT_RX_FOREIGN);
	if (off >= 0) {
		/*
		 * whose stamp it is, before the header moves (trust.h);
		 * link-scope traffic is never group traffic: its stamp
		 * (nobody's) is removed and moves nothing
		 */
		stamped = !bv_l3_link_scope(&l3) &&
			  bv_stamp_counts(bn, cfg, skb, &l3.saddr, &st);
		/*
		 * Never deliver our option to the application, nor count
		 * bytes it never sent: a packet that keeps it is dropped
		 * (like a loss on the wire; counted)
		 */
		if (bv_l3_stamp_strip(skb, &l3, off)) {
			bv_stat_inc(bn, BEAVER_STAT_RX_STRIP_ERR);
			return NF_DROP;
		}
		/* the upper-layer header moved; parsed before, it parses */
		bv_l3_parse(skb, &l3);
	} else if (off == -ENOENT) {
		stamped = bv_id_stamp(bn, cfg, skb, &l3, &st);
	}
	/* an error about a packet this member stamped (icmp.c) */
	bv_icmp_mtu(bn, cfg, skb, &l3);
	/*
	 * IPv6 link-scope traffic (ND, RS/RA, MLD, DAD) never crosses a
	 * gateway by definition: not bypass, and not counted at all
	 */
	if (bv_l3_link_scope(&l3))
		return NF_ACCEPT;
	bv_pkt_parse(skb, &l3, false, &key, &p);
	kind = bv_rx_kind(bn, cfg, &key.raddr, stamped, &peer);

	/* attribution and accounting on one CPU, in one go */
	local_bh_disable();
	if (stamped) {
		/* the cut happens here, before this packet goes any further */
		epoch = bv_member_advance(bn, cfg, st.epoch, false, &cut);
		if (bv_epoch_before(st.epoch, epoch)) {
			inf.stamp = st.epoch;
			inf.skb = skb;
			inf.first = bv_inflight_classify(bn, st.epoch, epoch,
							 &inf.late_last);
		}
	} else {
		epoch = atomic_read_acquire(&bn->m_epoch);
	}
	bv_account(bn, cfg, &key, kind, &peer, epoch, &p,
		   inf.first || inf.late_last ? &inf : NULL);
	local_bh_enable();
	/* the side of the cut, for the application that receives it */
	if (cfg->app_mark)
		skb->mark = bv_app_mark_set(cfg->app_mark, skb->mark, epoch);
	return NF_ACCEPT;
}

unsigned int bv_member_out(struct beaver_net *bn,
			   const struct bv_config *cfg, struct sk_buff *skb,
			   const struct nf_hook_state *state)
{
	struct dst_entry *dst = skb_dst(skb);
	struct in6_addr peer = {};	/* aggregate: :: (addr.h) */
	struct bv_l3_out o = {};
	struct bv_flow_key key;
	bool stamp = true;
	struct bv_pkt p;
	unsigned int verdict;
	struct bv_l3 l3;
	u8 kind;
	u32 epoch;

	/* forwarded traffic is not this host's; loopback never leaves it */
	if (skb->skb_iif || (dst && dst->dev &&
			     (dst->dev->flags & IFF_LOOPBACK)))
		return NF_ACCEPT;
	/*
	 * A tunnel's carrier: the packet inside passed here on its way into
	 * the tunnel device, and was stamped and counted then. IPv6
	 * link-scope traffic is nobody's group traffic: neither stamped nor
	 * counted. An IPv4-mapped IPv6 address would be counted as the IPv4
	 * host's (addr.h): not counted either.
	 */
	if (bv_l3_parse(skb, &l3) || bv_l3_carrier(&l3) ||
	    bv_l3_link_scope(&l3) || bv_l3_v4mapped(&l3))
		return NF_ACCEPT;

	if (bv_is_member(cfg, &l3.daddr)) {
		kind = BEAVER_CHAN_MEMBER;
		peer = l3.daddr;
	} else if (bv_is_vip(cfg, &l3.daddr)) {
		kind = BEAVER_CHAN_VIP;
		peer = l3.daddr;
	} else {
		/* leaving the group: replies to clients, out-group calls */
		kind = BEAVER_CHAN_OUTSIDE;
		stamp = false;
	}

	/*
	 * Every connection of a member gets stamped inbound segments (from a
	 * gateway or a member) except allow-listed peers: advertise the
	 * stamp's size less (8 bytes, 16 for IPv6) so that full-size
	 * segments still fit the path MTU.
	 */
	if (l3.proto == IPPROTO_TCP &&
	    !(cfg->flags & BEAVER_CFG_F_NO_MSS_CLAMP) &&
	    !bv_allowed(cfg, &l3.daddr) &&
	    bv_mss_clamp(skb, &l3, bv_l3_stamp_len(&l3)))
		bv_stat_inc(bn, BEAVER_STAT_MSS_CLAMPED);

	bv_pkt_parse(skb, &l3, true, &key, &p);
	local_bh_disable();
	epoch = atomic_read_acquire(&bn->m_epoch);
	if (!stamp) {
		bv_account(bn, cfg, &key, kind, &peer, epoch, &p, NULL);
		local_bh_enable();
		return NF_ACCEPT;
	}
	/*
	 * Stamped first, counted after: the stamp may change how the packet
	 * is cut into segments (stamp.h), and the receiver counts segments
	 * as the wire carries them. One that is refused never leaves: not
	 * counted. (Segmented here, stolen: counted as parsed above.)
	 */
	/*
	 * To a VIP, never in the ID: the gateway may carry the packet on in
	 * an IPIP tunnel (IPVS -i), and a member reads no ID out of a tunnel
	 * (only the option, whose carrier's origin it checks:
	 * bv_member_carrier_in()); the gateway keeps the option as it is
	 */
	verdict = bv_l3_stamp_output(skb, &l3, state, cfg, epoch,
				     kind != BEAVER_CHAN_VIP, &o);
	/* (a stamp in the ID changes neither size nor segmentation) */
	if (verdict == NF_ACCEPT && !o.err && !o.id)
		bv_pkt_parse_stamped(skb, &key, &p);
	if ((verdict & NF_VERDICT_MASK) != NF_DROP)
		bv_account(bn, cfg, &key, kind, &peer, epoch, &p, NULL);
	local_bh_enable();

	bv_stat_inc(bn, o.err ? bv_stamp_err_stat(o.err) :
				BEAVER_STAT_TX_STAMPED);
	if (o.id)
		bv_stat_inc(bn, BEAVER_STAT_STAMP_ID);
	if (o.split)
		bv_stat_inc(bn, BEAVER_STAT_STAMP_SPLIT);
	if (verdict == NF_STOLEN)
		bv_stat_inc(bn, BEAVER_STAT_STAMP_SEGMENTED);
	/*
	 * Counted as sent in @epoch, but the receiver cannot tell: it may
	 * count it in a later snapshot. The next cut says so.
	 */
	if (o.err && (verdict & NF_VERDICT_MASK) != NF_DROP) {
		atomic64_inc(&bn->tx_unstamped_pkts);
		if (!READ_ONCE(bn->tx_unstamped))
			WRITE_ONCE(bn->tx_unstamped, true);
	}
	return verdict;
}
