// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite beaver_stamp: the stamp on real sk_buffs (netfilter/stamp.c,
 * compiled from the module's own source file into this test module).
 *
 * Every case builds an IPv4 + UDP packet with valid header and UDP
 * checksums, runs bv_skb_stamp_insert/find/strip on it and checks the
 * bytes, the IPv4 header fields and both checksums after each step.
 */
#include <kunit/test.h>
#include <kunit/resource.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/mm.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/net_namespace.h>
#include <net/tcp.h>

#include "stamp.h"

#define BV_T_SADDR	0x0a000001	/* 10.0.0.1 */
#define BV_T_DADDR	0x0a000002	/* 10.0.0.2 */
#define BV_T_MAXPKT	2048

/* a Record Route option with one empty slot, plus a NOOP: 8 bytes */
static const u8 bv_t_rr_noop[8] = { 7, 7, 4, 0, 0, 0, 0, IPOPT_NOOP };

/* ---- helpers ---- */

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

/*
 * Write an IPv4 + UDP packet with the options @opts (@optlen a multiple of
 * 4) and @payload bytes of payload into @buf. Returns its length.
 */
static unsigned int bv_t_build(u8 *buf, const u8 *opts, unsigned int optlen,
			       unsigned int payload)
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
	iph->tos = 0x10;
	iph->tot_len = htons(hlen + ulen);
	iph->id = htons(0x1234);
	iph->frag_off = htons(IP_DF);
	iph->ttl = 64;
	iph->protocol = IPPROTO_UDP;
	iph->saddr = htonl(BV_T_SADDR);
	iph->daddr = htonl(BV_T_DADDR);
	if (optlen)
		memcpy(buf + sizeof(*iph), opts, optlen);
	ip_send_check(iph);

	uh->source = htons(40000);
	uh->dest = htons(7777);
	uh->len = htons(ulen);
	uh->check = 0;
	for (i = 0; i < payload; i++)
		buf[hlen + sizeof(*uh) + i] = (u8)(i * 7 + 3);
	sum = csum_partial(uh, ulen, 0);
	uh->check = csum_tcpudp_magic(iph->saddr, iph->daddr, ulen,
				      IPPROTO_UDP, sum);
	if (!uh->check)
		uh->check = CSUM_MANGLED_0;
	return hlen + ulen;
}

/* a linear skb holding @pkt, with exactly @headroom bytes of headroom */
static struct sk_buff *bv_t_skb(struct kunit *test, const u8 *pkt,
				unsigned int len, unsigned int headroom)
{
	struct sk_buff *skb = bv_t_track(test, alloc_skb(headroom + len,
							 GFP_KERNEL));

	skb_reserve(skb, headroom);
	skb_put_data(skb, pkt, len);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, (pkt[0] & 0x0f) * 4);
	skb->protocol = htons(ETH_P_IP);
	return skb;
}

/* the bytes of @skb, linear or not */
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
 * transport header right after it, valid UDP checksum.
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
	KUNIT_EXPECT_EQ(test, (int)iph->version, 4);
	KUNIT_EXPECT_EQ(test, iph->ihl * 4, hlen);
	KUNIT_EXPECT_EQ(test, ntohs(iph->tot_len), skb->len);
	KUNIT_EXPECT_EQ(test, (__force u16)ip_fast_csum(iph, iph->ihl), 0);
	KUNIT_EXPECT_EQ(test, skb_transport_offset(skb), (int)hlen);

	ulen = skb->len - hlen;
	sum = skb_checksum(skb, hlen, ulen, 0);
	KUNIT_EXPECT_EQ(test,
			(__force u16)csum_tcpudp_magic(iph->saddr, iph->daddr,
						       ulen, IPPROTO_UDP, sum),
			0);
}

static u8 *bv_t_buf(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, BV_T_MAXPKT, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	return buf;
}

/*
 * Insert a stamp into the packet @orig (@len bytes, @hlen of header), then
 * check that the result is @orig with the stamp right after the fixed
 * header, that find sees it, and that strip gives back @orig exactly.
 */
static void bv_t_roundtrip(struct kunit *test, struct sk_buff *skb,
			   const u8 *orig, unsigned int len, unsigned int hlen,
			   u8 group, u32 epoch)
{
	struct bv_stamp st = {};
	u8 opt[BEAVER_OPT_LEN];
	const u8 *got;

	KUNIT_ASSERT_EQ(test, bv_skb_stamp_insert(skb, group, epoch), 0);
	bv_t_expect_sane(test, skb, hlen + BEAVER_OPT_LEN);
	KUNIT_ASSERT_EQ(test, skb->len, len + BEAVER_OPT_LEN);
	got = bv_t_bytes(test, skb);
	/* fixed header: only ihl, tot_len and checksum changed */
	KUNIT_EXPECT_EQ(test, got[0], 0x40 | ((hlen + BEAVER_OPT_LEN) / 4));
	KUNIT_EXPECT_EQ(test, got[1], orig[1]);
	KUNIT_EXPECT_EQ(test, memcmp(got + 4, orig + 4, 6), 0);
	KUNIT_EXPECT_EQ(test, memcmp(got + 12, orig + 12, 8), 0);
	/* the stamp, then the old options and the payload, untouched */
	bv_stamp_encode(opt, group, epoch);
	KUNIT_EXPECT_EQ(test, memcmp(got + 20, opt, BEAVER_OPT_LEN), 0);
	KUNIT_EXPECT_EQ(test, memcmp(got + 28, orig + 20, len - 20), 0);

	KUNIT_EXPECT_EQ(test, bv_skb_stamp_find(skb, group, &st), 20);
	KUNIT_EXPECT_EQ(test, st.group, group);
	KUNIT_EXPECT_EQ(test, st.epoch, epoch);
	KUNIT_EXPECT_EQ(test, st.flags, 0);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_find(skb, 0, &st), 20);

	KUNIT_ASSERT_EQ(test, bv_skb_stamp_strip(skb, 20), 0);
	bv_t_expect_sane(test, skb, hlen);
	bv_t_expect_bytes(test, skb, orig, len);
}

/* ---- cases ---- */

static void bv_skb_stamp_insert_find_strip(struct kunit *test)
{
	static const u32 epochs[] = { 0, 1, 2, 0x01020304, 0x7fffffff,
				      0x80000000, 0xfffffffe, 0xffffffff };
	u8 *pkt = bv_t_buf(test);
	struct bv_stamp st;
	struct sk_buff *skb;
	unsigned int len, i;

	for (i = 0; i < ARRAY_SIZE(epochs); i++) {
		len = bv_t_build(pkt, NULL, 0, 100 + i);
		skb = bv_t_skb(test, pkt, len, 64);
		bv_t_expect_sane(test, skb, 20);
		KUNIT_EXPECT_EQ(test, bv_skb_stamp_find(skb, 0, &st), -ENOENT);
		bv_t_roundtrip(test, skb, pkt, len, 20, (u8)(i * 37 + 1),
			       epochs[i]);
		KUNIT_EXPECT_EQ(test, bv_skb_stamp_find(skb, 0, &st), -ENOENT);
	}
	/* an empty UDP datagram, and a large one */
	len = bv_t_build(pkt, NULL, 0, 0);
	bv_t_roundtrip(test, bv_t_skb(test, pkt, len, 64), pkt, len, 20, 9, 5);
	len = bv_t_build(pkt, NULL, 0, 1472);
	bv_t_roundtrip(test, bv_t_skb(test, pkt, len, 64), pkt, len, 20, 9, 5);
}

static void bv_skb_stamp_insert_keeps_options(struct kunit *test)
{
	static const u8 noops[4] = { IPOPT_NOOP, IPOPT_NOOP, IPOPT_NOOP,
				     IPOPT_NOOP };
	static const u8 other_end[4] = { 0x83, 2, IPOPT_END, 0 };
	u8 *pkt = bv_t_buf(test);
	u8 opts[32];
	unsigned int len;

	len = bv_t_build(pkt, noops, sizeof(noops), 60);
	bv_t_roundtrip(test, bv_t_skb(test, pkt, len, 64), pkt, len, 24, 3, 7);

	len = bv_t_build(pkt, bv_t_rr_noop, sizeof(bv_t_rr_noop), 60);
	bv_t_roundtrip(test, bv_t_skb(test, pkt, len, 64), pkt, len, 28, 3, 7);

	len = bv_t_build(pkt, other_end, sizeof(other_end), 61);
	bv_t_roundtrip(test, bv_t_skb(test, pkt, len, 64), pkt, len, 24, 3, 7);

	/* 32 bytes of options: the stamp fills the area to exactly 40 */
	memset(opts, IPOPT_NOOP, sizeof(opts));
	memcpy(opts, bv_t_rr_noop, sizeof(bv_t_rr_noop));
	len = bv_t_build(pkt, opts, sizeof(opts), 10);
	bv_t_roundtrip(test, bv_t_skb(test, pkt, len, 64), pkt, len, 52, 3, 7);

	/* another group's stamp stays, ours goes in front of it */
	bv_stamp_encode(opts, 200, 99);
	len = bv_t_build(pkt, opts, BEAVER_OPT_LEN, 10);
	bv_t_roundtrip(test, bv_t_skb(test, pkt, len, 64), pkt, len, 28, 3, 7);
}

static void bv_skb_stamp_find_not_first(struct kunit *test)
{
	u8 *pkt = bv_t_buf(test), *want = bv_t_buf(test);
	struct sk_buff *skb;
	struct bv_stamp st;
	unsigned int len, wlen;
	u8 opts[16];

	/* [RR NOOP][stamp]: found at 28, stripped to [RR NOOP] */
	memcpy(opts, bv_t_rr_noop, 8);
	bv_stamp_encode(opts + 8, 4, 0xdeadbeef);
	len = bv_t_build(pkt, opts, 16, 33);
	wlen = bv_t_build(want, opts, 8, 33);
	skb = bv_t_skb(test, pkt, len, 32);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_find(skb, 4, &st), 28);
	KUNIT_EXPECT_EQ(test, st.epoch, 0xdeadbeef);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_find(skb, 5, &st), -ENOENT);
	KUNIT_ASSERT_EQ(test, bv_skb_stamp_strip(skb, 28), 0);
	bv_t_expect_sane(test, skb, 28);
	bv_t_expect_bytes(test, skb, want, wlen);

	/* two groups' stamps: each found by its group, either removable */
	bv_stamp_encode(opts, 3, 30);
	bv_stamp_encode(opts + 8, 5, 50);
	len = bv_t_build(pkt, opts, 16, 40);
	skb = bv_t_skb(test, pkt, len, 32);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_find(skb, 5, &st), 28);
	KUNIT_EXPECT_EQ(test, st.epoch, 50);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_find(skb, 3, &st), 20);
	KUNIT_EXPECT_EQ(test, st.epoch, 30);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_find(skb, 0, &st), 20);
	KUNIT_ASSERT_EQ(test, bv_skb_stamp_strip(skb, 28), 0);
	wlen = bv_t_build(want, opts, 8, 40);
	bv_t_expect_sane(test, skb, 28);
	bv_t_expect_bytes(test, skb, want, wlen);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_find(skb, 5, &st), -ENOENT);
	KUNIT_ASSERT_EQ(test, bv_skb_stamp_strip(skb, 20), 0);
	wlen = bv_t_build(want, NULL, 0, 40);
	bv_t_expect_sane(test, skb, 20);
	bv_t_expect_bytes(test, skb, want, wlen);
}

static void bv_skb_stamp_insert_full(struct kunit *test)
{
	static const unsigned int full[] = { 40, 36, 36 };
	u8 *pkt = bv_t_buf(test), *before;
	struct sk_buff *skb;
	struct bv_stamp st;
	unsigned int len, i, g;
	u8 opts[40];

	/* no room for 8 more bytes: refused, packet untouched */
	for (i = 0; i < ARRAY_SIZE(full); i++) {
		memset(opts, IPOPT_NOOP, sizeof(opts));
		if (i == 2)
			bv_stamp_encode(opts + 28, 1, 1);
		len = bv_t_build(pkt, opts, full[i], 50);
		skb = bv_t_skb(test, pkt, len, 64);
		KUNIT_EXPECT_EQ(test, bv_skb_stamp_insert(skb, 2, 3), -ENOSPC);
		bv_t_expect_bytes(test, skb, pkt, len);
	}

	/* five stamps fill the 40 bytes; the sixth does not fit */
	len = bv_t_build(pkt, NULL, 0, 50);
	skb = bv_t_skb(test, pkt, len, 0);
	for (g = 1; g <= 5; g++) {
		KUNIT_ASSERT_EQ(test, bv_skb_stamp_insert(skb, g, 100 + g), 0);
		bv_t_expect_sane(test, skb, 20 + 8 * g);
	}
	before = bv_t_bytes(test, skb);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_insert(skb, 6, 106), -ENOSPC);
	bv_t_expect_bytes(test, skb, before, len + 40);
	for (g = 1; g <= 5; g++) {
		KUNIT_EXPECT_EQ(test, bv_skb_stamp_find(skb, g, &st),
				(int)(20 + 8 * (5 - g)));
		KUNIT_EXPECT_EQ(test, st.epoch, 100 + g);
	}
	/* strip them all, newest first: the original comes back */
	for (g = 5; g >= 1; g--)
		KUNIT_ASSERT_EQ(test, bv_skb_stamp_strip(skb, 20), 0);
	bv_t_expect_sane(test, skb, 20);
	bv_t_expect_bytes(test, skb, pkt, len);
}

/* tot_len cannot grow past 65535: the stamp must be refused */
static void bv_skb_stamp_insert_max_size(struct kunit *test)
{
	unsigned int len = IP_MAX_MTU - BEAVER_OPT_LEN + 1;
	struct sk_buff *skb;
	u8 *pkt;

	pkt = kunit_kzalloc(test, IP_MAX_MTU, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	len = bv_t_build(pkt, NULL, 0, len - 28);
	skb = bv_t_skb(test, pkt, len, 64);
	KUNIT_EXPECT_LT(test, bv_skb_stamp_insert(skb, 1, 1), 0);
	bv_t_expect_sane(test, skb, 20);
	bv_t_expect_bytes(test, skb, pkt, len);

	/* the largest packet that can take one */
	len = bv_t_build(pkt, NULL, 0, IP_MAX_MTU - BEAVER_OPT_LEN - 28);
	bv_t_roundtrip(test, bv_t_skb(test, pkt, len, 64), pkt, len, 20, 1, 1);
}

/*
 * A TCP GSO packet: every segment takes the stamp, so every segment
 * carries 8 bytes less payload (gso_size), and the segment count follows;
 * a UDP GSO packet (each segment a datagram) keeps its gso_size. If this
 * fails, every segment of a stamped TCP super-packet is 8 bytes over the
 * path MTU it was sized for (fragmented, or black-holed with DF), or UDP
 * datagrams are cut at other boundaries than the sender's.
 */
static void bv_skb_stamp_insert_gso(struct kunit *test)
{
	unsigned int payload = 3000, len = 20 + 20 + payload;
	struct skb_shared_info *sh;
	struct sk_buff *skb;
	struct tcphdr *th;
	u8 *pkt;

	pkt = kunit_kzalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	len = bv_t_build(pkt, NULL, 0, payload + 12);	/* UDP header + 12 */
	((struct iphdr *)pkt)->protocol = IPPROTO_TCP;
	ip_send_check((struct iphdr *)pkt);
	th = (struct tcphdr *)(pkt + 20);
	memset(th, 0, sizeof(*th));
	th->doff = 5;
	skb = bv_t_skb(test, pkt, len, 64);
	sh = skb_shinfo(skb);
	sh->gso_type = SKB_GSO_TCPV4;
	sh->gso_size = 1000;
	sh->gso_segs = 3;
	KUNIT_ASSERT_EQ(test, bv_skb_stamp_insert(skb, 1, 1), 0);
	KUNIT_EXPECT_EQ(test, sh->gso_size, 992);
	KUNIT_EXPECT_EQ(test, sh->gso_segs, DIV_ROUND_UP(payload, 992));
	/* each segment: the same size on the wire as before */
	KUNIT_EXPECT_EQ(test, skb_transport_offset(skb) + tcp_hdrlen(skb) +
			sh->gso_size, 20 + 20 + 1000);

	/* UDP GSO: datagram boundaries are the sender's */
	len = bv_t_build(pkt, NULL, 0, payload);
	skb = bv_t_skb(test, pkt, len, 64);
	sh = skb_shinfo(skb);
	sh->gso_type = SKB_GSO_UDP_L4;
	sh->gso_size = 1000;
	sh->gso_segs = 3;
	KUNIT_ASSERT_EQ(test, bv_skb_stamp_insert(skb, 1, 1), 0);
	KUNIT_EXPECT_EQ(test, sh->gso_size, 1000);
	KUNIT_EXPECT_EQ(test, sh->gso_segs, 3);
}

static void bv_skb_stamp_strip_checksum_complete(struct kunit *test)
{
	static const unsigned int payloads[] = { 0, 1, 101, 1000 };
	u8 *pkt = bv_t_buf(test), *want = bv_t_buf(test);
	struct sk_buff *skb;
	unsigned int len, wlen, i;
	u8 opts[16];

	for (i = 0; i < ARRAY_SIZE(payloads) * 2; i++) {
		unsigned int p = payloads[i / 2];
		unsigned int off = (i & 1) ? 28 : 20;

		/* the stamp first, or after [RR NOOP] */
		if (i & 1) {
			memcpy(opts, bv_t_rr_noop, 8);
			bv_stamp_encode(opts + 8, 1, 77);
		} else {
			bv_stamp_encode(opts, 1, 77);
			memcpy(opts + 8, bv_t_rr_noop, 8);
		}
		len = bv_t_build(pkt, opts, 16, p);
		wlen = bv_t_build(want, (i & 1) ? opts : opts + 8, 8, p);
		skb = bv_t_skb(test, pkt, len, 64);
		skb->ip_summed = CHECKSUM_COMPLETE;
		skb->csum = skb_checksum(skb, 0, skb->len, 0);

		KUNIT_ASSERT_EQ(test, bv_skb_stamp_strip(skb, off), 0);
		bv_t_expect_bytes(test, skb, want, wlen);
		KUNIT_EXPECT_EQ(test, (int)skb->ip_summed, CHECKSUM_COMPLETE);
		KUNIT_EXPECT_EQ(test, (__force u16)csum_fold(skb->csum),
				(__force u16)csum_fold(skb_checksum(skb, 0,
								    skb->len,
								    0)));
	}

	/* the sum stays right even if the old header sum did not add up */
	bv_stamp_encode(opts, 1, 77);
	len = bv_t_build(pkt, opts, 8, 31);
	pkt[10] ^= 0x5a;
	skb = bv_t_skb(test, pkt, len, 64);
	skb->ip_summed = CHECKSUM_COMPLETE;
	skb->csum = skb_checksum(skb, 0, skb->len, 0);
	KUNIT_ASSERT_EQ(test, bv_skb_stamp_strip(skb, 20), 0);
	KUNIT_EXPECT_EQ(test, (__force u16)csum_fold(skb->csum),
			(__force u16)csum_fold(skb_checksum(skb, 0, skb->len,
							    0)));
}

static void bv_skb_stamp_strip_keeps_mac_header(struct kunit *test)
{
	static const u8 eth[ETH_HLEN] = {
		0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00
	};
	u8 *pkt = bv_t_buf(test), *want = bv_t_buf(test);
	struct sk_buff *skb;
	unsigned int len, wlen;
	u8 opts[8];

	bv_stamp_encode(opts, 1, 2);
	len = bv_t_build(pkt, opts, 8, 20);
	wlen = bv_t_build(want, NULL, 0, 20);

	/* as at PRE_ROUTING: the Ethernet header right before skb->data */
	skb = bv_t_track(test, alloc_skb(32 + ETH_HLEN + len, GFP_KERNEL));
	skb_reserve(skb, 32);
	skb_put_data(skb, eth, ETH_HLEN);
	skb_put_data(skb, pkt, len);
	skb_reset_mac_header(skb);
	__skb_pull(skb, ETH_HLEN);
	skb_reset_network_header(skb);
	skb_reset_mac_len(skb);
	skb_set_transport_header(skb, 28);
	skb->protocol = htons(ETH_P_IP);

	KUNIT_ASSERT_EQ(test, bv_skb_stamp_strip(skb, 20), 0);
	bv_t_expect_sane(test, skb, 20);
	bv_t_expect_bytes(test, skb, want, wlen);
	KUNIT_EXPECT_EQ(test, skb->mac_len, ETH_HLEN);
	KUNIT_EXPECT_PTR_EQ(test, skb_mac_header(skb) + ETH_HLEN,
			    skb_network_header(skb));
	KUNIT_EXPECT_EQ(test, memcmp(skb_mac_header(skb), eth, ETH_HLEN), 0);
}

static void bv_skb_stamp_malformed(struct kunit *test)
{
	u8 *pkt = bv_t_buf(test);
	struct sk_buff *skb;
	struct bv_stamp st;
	unsigned int len;
	u8 opts[8];

	/* options area: length byte 0, length overrunning the area */
	memset(opts, IPOPT_NOOP, sizeof(opts));
	opts[0] = 0x83;
	opts[1] = 0;
	len = bv_t_build(pkt, opts, 8, 10);
	skb = bv_t_skb(test, pkt, len, 64);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_find(skb, 0, &st), -EINVAL);
	opts[1] = 9;
	len = bv_t_build(pkt, opts, 8, 10);
	skb = bv_t_skb(test, pkt, len, 64);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_find(skb, 0, &st), -EINVAL);
	bv_t_expect_bytes(test, skb, pkt, len);

	/*
	 * 0x9e with another version, flags or no group: another
	 * experiment's option (RFC 4727 shares the codepoint), not ours
	 */
	bv_stamp_encode(opts, 1, 1);
	opts[2] = 0x20;
	len = bv_t_build(pkt, opts, 8, 10);
	skb = bv_t_skb(test, pkt, len, 64);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_find(skb, 1, &st), -ENOENT);
	opts[2] = 0x11;
	len = bv_t_build(pkt, opts, 8, 10);
	skb = bv_t_skb(test, pkt, len, 64);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_find(skb, 1, &st), -ENOENT);
	opts[2] = 0x10;
	opts[3] = 0;
	len = bv_t_build(pkt, opts, 8, 10);
	skb = bv_t_skb(test, pkt, len, 64);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_find(skb, 0, &st), -ENOENT);
	bv_t_expect_bytes(test, skb, pkt, len);

	/* not IPv4, ihl < 5, header longer than the packet, runt */
	len = bv_t_build(pkt, NULL, 0, 10);
	pkt[0] = 0x65;
	skb = bv_t_skb(test, pkt, len, 64);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_insert(skb, 1, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_find(skb, 0, &st), -EINVAL);
	bv_t_expect_bytes(test, skb, pkt, len);
	pkt[0] = 0x44;
	skb = bv_t_skb(test, pkt, len, 64);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_insert(skb, 1, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_find(skb, 0, &st), -EINVAL);
	pkt[0] = 0x4f;
	skb = bv_t_skb(test, pkt, 40, 64);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_insert(skb, 1, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_find(skb, 0, &st), -EINVAL);
	pkt[0] = 0x45;
	skb = bv_t_skb(test, pkt, 12, 64);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_insert(skb, 1, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_find(skb, 0, &st), -EINVAL);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_strip(skb, 20), -EINVAL);

	/* strip: offsets that are not a whole option inside the header */
	bv_stamp_encode(opts, 1, 1);
	len = bv_t_build(pkt, opts, 8, 10);
	skb = bv_t_skb(test, pkt, len, 64);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_strip(skb, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_strip(skb, 12), -EINVAL);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_strip(skb, 19), -EINVAL);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_strip(skb, 21), -EINVAL);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_strip(skb, 28), -EINVAL);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_strip(skb, -8), -EINVAL);
	bv_t_expect_bytes(test, skb, pkt, len);
	/* tot_len shorter than the header */
	pkt[2] = 0;
	pkt[3] = 24;
	skb = bv_t_skb(test, pkt, len, 64);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_strip(skb, 20), -EINVAL);
	bv_t_expect_bytes(test, skb, pkt, len);
}

static void bv_skb_stamp_no_headroom(struct kunit *test)
{
	u8 *pkt = bv_t_buf(test);
	struct sk_buff *skb;
	unsigned int len;
	u8 *head;

	len = bv_t_build(pkt, bv_t_rr_noop, 8, 200);
	skb = bv_t_skb(test, pkt, len, 0);
	KUNIT_ASSERT_EQ(test, skb_headroom(skb), 0);
	head = skb->head;
	bv_t_roundtrip(test, skb, pkt, len, 28, 42, 4242);
	/* skb_cow_head had to reallocate */
	KUNIT_EXPECT_PTR_NE(test, skb->head, head);

	/* 7 bytes of headroom are not enough either */
	skb = bv_t_skb(test, pkt, len, BEAVER_OPT_LEN - 1);
	bv_t_roundtrip(test, skb, pkt, len, 28, 42, 4242);
}

static void bv_skb_stamp_cloned(struct kunit *test)
{
	u8 *pkt = bv_t_buf(test), *stamped;
	struct sk_buff *skb, *clone;
	struct bv_stamp st;
	unsigned int len;

	/* insert into a clone: the original's bytes stay as they were */
	len = bv_t_build(pkt, NULL, 0, 64);
	skb = bv_t_skb(test, pkt, len, 64);
	clone = bv_t_track(test, skb_clone(skb, GFP_KERNEL));
	KUNIT_ASSERT_TRUE(test, skb_cloned(clone));
	bv_t_roundtrip(test, clone, pkt, len, 20, 8, 88);
	bv_t_expect_sane(test, skb, 20);
	bv_t_expect_bytes(test, skb, pkt, len);

	/* strip from a clone: the original keeps its stamp */
	skb = bv_t_skb(test, pkt, len, 64);
	KUNIT_ASSERT_EQ(test, bv_skb_stamp_insert(skb, 8, 88), 0);
	stamped = bv_t_bytes(test, skb);
	clone = bv_t_track(test, skb_clone(skb, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_find(clone, 8, &st), 20);
	KUNIT_ASSERT_EQ(test, bv_skb_stamp_strip(clone, 20), 0);
	bv_t_expect_sane(test, clone, 20);
	bv_t_expect_bytes(test, clone, pkt, len);
	bv_t_expect_sane(test, skb, 28);
	bv_t_expect_bytes(test, skb, stamped, len + BEAVER_OPT_LEN);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_find(skb, 8, &st), 20);
}

static void bv_skb_stamp_nonlinear(struct kunit *test)
{
	u8 *pkt = bv_t_buf(test), *want = bv_t_buf(test);
	unsigned int len, wlen, rest;
	struct sk_buff *skb;
	struct bv_stamp st;
	struct page *page;
	u8 opts[16];

	/* only the fixed header is linear; options and payload in a page */
	memcpy(opts, bv_t_rr_noop, 8);
	bv_stamp_encode(opts + 8, 6, 600);
	len = bv_t_build(pkt, opts, 16, 300);
	wlen = bv_t_build(want, opts, 8, 300);
	rest = len - sizeof(struct iphdr);
	skb = bv_t_track(test, alloc_skb(64 + sizeof(struct iphdr),
					 GFP_KERNEL));
	skb_reserve(skb, 64);
	skb_put_data(skb, pkt, sizeof(struct iphdr));
	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	memcpy(page_address(page), pkt + sizeof(struct iphdr), rest);
	skb_add_rx_frag(skb, 0, page, 0, rest, PAGE_SIZE);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, 36);
	skb->protocol = htons(ETH_P_IP);
	KUNIT_ASSERT_TRUE(test, skb_is_nonlinear(skb));
	KUNIT_ASSERT_EQ(test, skb_headlen(skb), sizeof(struct iphdr));

	KUNIT_EXPECT_EQ(test, bv_skb_stamp_find(skb, 6, &st), 28);
	KUNIT_EXPECT_EQ(test, st.epoch, 600);
	KUNIT_ASSERT_EQ(test, bv_skb_stamp_strip(skb, 28), 0);
	bv_t_expect_sane(test, skb, 28);
	bv_t_expect_bytes(test, skb, want, wlen);
	bv_t_roundtrip(test, skb, want, wlen, 28, 6, 601);
}

/* ---- IPIP (IPVS tunnelling): the stamp goes into the inner header ---- */

#define BV_T_OUTER_SADDR	0x0a000009	/* 10.0.0.9: the director */

/*
 * Put the IPv4 packet @inner (@len bytes) behind a 20-byte IPIP header
 * into @buf, as IPVS's tunnel transmission does. Returns the length.
 */
static unsigned int bv_t_ipip(u8 *buf, const u8 *inner, unsigned int len)
{
	struct iphdr *iph = (struct iphdr *)buf;

	memmove(buf + sizeof(*iph), inner, len);
	memset(iph, 0, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->tot_len = htons(sizeof(*iph) + len);
	iph->id = htons(0x4321);
	iph->frag_off = htons(IP_DF);
	iph->ttl = 64;
	iph->protocol = IPPROTO_IPIP;
	iph->saddr = htonl(BV_T_OUTER_SADDR);
	iph->daddr = htonl(BV_T_DADDR);
	ip_send_check(iph);
	return sizeof(*iph) + len;
}

/* the header offsets IPVS leaves on a tunnelled skb at POST_ROUTING */
static void bv_t_ipvs_offsets(struct sk_buff *skb, unsigned int ihl)
{
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, 20);
	skb_set_inner_network_header(skb, 20);
	skb_set_inner_mac_header(skb, 20);
	skb_set_inner_transport_header(skb, 20 + ihl);
	skb_set_inner_ipproto(skb, IPPROTO_IPIP);
}

/* a valid IPv4 header @off bytes into @skb, @hlen long, @tot_len total */
static void bv_t_expect_hdr(struct kunit *test, struct sk_buff *skb,
			    unsigned int off, unsigned int hlen,
			    unsigned int tot_len)
{
	const struct iphdr *iph = (const struct iphdr *)(skb->data + off);

	KUNIT_EXPECT_EQ(test, iph->ihl * 4, hlen);
	KUNIT_EXPECT_EQ(test, ntohs(iph->tot_len), tot_len);
	KUNIT_EXPECT_EQ(test, (__force u16)ip_fast_csum(iph, iph->ihl), 0);
}

static void bv_skb_stamp_ipip(struct kunit *test)
{
	u8 *pkt = bv_t_buf(test), opt[BEAVER_OPT_LEN];
	struct bv_stamp st = {};
	unsigned int len, ilen;
	struct sk_buff *skb;
	const u8 *got;
	__wsum sum;
	int nhoff;

	ilen = bv_t_build(pkt, NULL, 0, 200);
	len = bv_t_ipip(pkt, pkt, ilen);
	skb = bv_t_skb(test, pkt, len, 64);
	bv_t_ipvs_offsets(skb, 20);
	KUNIT_EXPECT_EQ(test, bv_skb_inner_off(skb), 20);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_find_inner(skb, 0, &st, &nhoff),
			-ENOENT);

	KUNIT_ASSERT_EQ(test, bv_skb_stamp_insert(skb, 5, 0x01020304), 0);
	KUNIT_ASSERT_EQ(test, skb->len, len + BEAVER_OPT_LEN);
	/* the carrier: 8 bytes longer, no option of its own */
	bv_t_expect_hdr(test, skb, 0, 20, skb->len);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_find(skb, 0, &st), -ENOENT);
	/* the inner header took the stamp */
	bv_t_expect_hdr(test, skb, 20, 28, ilen + BEAVER_OPT_LEN);
	got = bv_t_bytes(test, skb);
	bv_stamp_encode(opt, 5, 0x01020304);
	KUNIT_EXPECT_EQ(test, memcmp(got + 40, opt, BEAVER_OPT_LEN), 0);
	KUNIT_EXPECT_EQ(test, memcmp(got + 12, pkt + 12, 8), 0);
	KUNIT_EXPECT_EQ(test, memcmp(got + 32, pkt + 32, 8), 0);
	KUNIT_EXPECT_EQ(test, memcmp(got + 48, pkt + 40, len - 40), 0);
	/* its UDP checksum still holds (the pseudo-header did not change) */
	sum = skb_checksum(skb, 48, len - 40, 0);
	KUNIT_EXPECT_EQ(test,
			(__force u16)csum_tcpudp_magic(htonl(BV_T_SADDR),
						       htonl(BV_T_DADDR),
						       len - 40, IPPROTO_UDP,
						       sum), 0);
	/* what GSO and the stack find the inner packet by */
	KUNIT_EXPECT_EQ(test, skb_network_offset(skb), 0);
	KUNIT_EXPECT_EQ(test, skb_transport_offset(skb), 20);
	KUNIT_EXPECT_EQ(test, skb_inner_network_offset(skb), 20);
	KUNIT_EXPECT_EQ(test, skb_inner_mac_header(skb) - skb->data, 20);
	KUNIT_EXPECT_EQ(test, skb_inner_transport_offset(skb), 48);

	KUNIT_EXPECT_EQ(test, bv_skb_stamp_find_inner(skb, 5, &st, &nhoff), 20);
	KUNIT_EXPECT_EQ(test, nhoff, 20);
	KUNIT_EXPECT_EQ(test, st.group, 5);
	KUNIT_EXPECT_EQ(test, st.epoch, 0x01020304);

	/* a member strips it as it arrives (transport header: inner) */
	KUNIT_ASSERT_EQ(test, bv_skb_stamp_strip_at(skb, 20, 20), 0);
	bv_t_expect_bytes(test, skb, pkt, len);
	KUNIT_EXPECT_EQ(test, skb_transport_offset(skb), 20);

	/* a fragment's inner header cannot grow; a later one has none */
	((struct iphdr *)pkt)->frag_off = htons(IP_MF);
	ip_send_check((struct iphdr *)pkt);
	skb = bv_t_skb(test, pkt, len, 64);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_insert(skb, 5, 1), -ENOSPC);
	bv_t_expect_bytes(test, skb, pkt, len);
	((struct iphdr *)pkt)->frag_off = htons(100);
	ip_send_check((struct iphdr *)pkt);
	skb = bv_t_skb(test, pkt, len, 64);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_find_inner(skb, 5, &st, &nhoff),
			-ENOENT);

	/* an inner header longer than its carrier says: refused */
	ilen = bv_t_build(pkt, NULL, 0, 200);
	len = bv_t_ipip(pkt, pkt, ilen);
	((struct iphdr *)pkt)->tot_len = htons(len - 4);
	ip_send_check((struct iphdr *)pkt);
	skb = bv_t_skb(test, pkt, len - 4, 64);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp_insert(skb, 5, 1), -EINVAL);
}

/*
 * A TCP GSO packet that IPVS tunnelled (SKB_GSO_IPXIP4): the stamp goes
 * into the inner header once, and software segmentation (the ipip GSO
 * handler, as a device without IPIP offload gets it) copies it into every
 * segment, with the inner and outer lengths and checksums of each.
 */
static void bv_skb_stamp_ipip_gso(struct kunit *test)
{
	unsigned int payload = 3000, ilen = 20 + 20 + payload, len;
	struct sk_buff *skb, *segs, *seg, *next;
	u32 seq = 1000, sent = 0, n = 0;
	struct skb_shared_info *sh;
	u8 *pkt, opt[BEAVER_OPT_LEN];
	struct iphdr *iph;
	struct tcphdr *th;
	unsigned int i;

	pkt = kunit_kzalloc(test, ilen + 20, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	iph = (struct iphdr *)pkt;
	iph->version = 4;
	iph->ihl = 5;
	iph->tot_len = htons(ilen);
	iph->frag_off = htons(IP_DF);
	iph->ttl = 64;
	iph->protocol = IPPROTO_TCP;
	iph->saddr = htonl(BV_T_SADDR);
	iph->daddr = htonl(BV_T_DADDR);
	ip_send_check(iph);
	th = (struct tcphdr *)(pkt + 20);
	th->source = htons(40000);
	th->dest = htons(80);
	th->seq = htonl(seq);
	th->doff = 5;
	th->ack = 1;
	th->window = htons(1000);
	for (i = 0; i < payload; i++)
		pkt[40 + i] = (u8)(i * 11 + 1);
	/* CHECKSUM_PARTIAL: the pseudo-header sum, as TCP leaves it */
	th->check = ~tcp_v4_check(ilen - 20, iph->saddr, iph->daddr, 0);
	len = bv_t_ipip(pkt, pkt, ilen);

	skb = bv_t_skb(test, pkt, len, 64);
	bv_t_ipvs_offsets(skb, 20);
	skb->encapsulation = 1;
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_inner_transport_header(skb) - skb->head;
	skb->csum_offset = offsetof(struct tcphdr, check);
	/* GSO needs a device (its features) for the encapsulated part */
	skb->dev = init_net.loopback_dev;
	sh = skb_shinfo(skb);
	sh->gso_type = SKB_GSO_TCPV4 | SKB_GSO_IPXIP4;
	sh->gso_size = 1000;
	sh->gso_segs = 3;

	KUNIT_ASSERT_EQ(test, bv_skb_stamp_insert(skb, 6, 77), 0);
	/* no route here: the segments make room for the stamp */
	KUNIT_EXPECT_EQ(test, sh->gso_size, 992);
	KUNIT_EXPECT_EQ(test, sh->gso_segs, DIV_ROUND_UP(payload, 992));
	KUNIT_EXPECT_EQ(test, skb_transport_offset(skb), 20);
	KUNIT_EXPECT_EQ(test, skb_inner_network_offset(skb), 20);
	KUNIT_EXPECT_EQ(test, skb_inner_transport_offset(skb), 48);
	/* each segment as big on the wire as before the stamp */
	KUNIT_EXPECT_TRUE(test, skb_gso_validate_network_len(skb, 20 + 20 +
							     20 + 1000));
	KUNIT_EXPECT_FALSE(test, skb_gso_validate_network_len(skb, 20 + 20 +
							      20 + 999));

	segs = skb_gso_segment(skb, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(segs));
	bv_stamp_encode(opt, 6, 77);
	skb_list_walk_safe(segs, seg, next) {
		unsigned int dlen, tlen;
		const u8 *got;
		__wsum sum;

		skb_mark_not_on_list(seg);
		bv_t_track(test, seg);
		n++;
		skb_reset_network_header(seg);
		KUNIT_ASSERT_GT(test, seg->len, 20 + 28 + 20);
		dlen = seg->len - 20 - 28 - 20;
		tlen = seg->len - 48;
		KUNIT_EXPECT_LE(test, dlen, 992);
		bv_t_expect_hdr(test, seg, 0, 20, seg->len);
		KUNIT_EXPECT_EQ(test, seg->data[9], IPPROTO_IPIP);
		bv_t_expect_hdr(test, seg, 20, 28, seg->len - 20);
		got = bv_t_bytes(test, seg);
		KUNIT_EXPECT_EQ(test, memcmp(got + 40, opt, BEAVER_OPT_LEN), 0);
		th = (struct tcphdr *)(got + 48);
		KUNIT_EXPECT_EQ(test, ntohl(th->seq), seq + sent);
		KUNIT_EXPECT_EQ(test, got[48 + 20], (u8)(sent * 11 + 1));
		/* each segment's own TCP checksum, computed in software */
		sum = csum_partial(got + 48, tlen, 0);
		KUNIT_EXPECT_EQ(test,
				(__force u16)csum_tcpudp_magic(htonl(BV_T_SADDR),
							       htonl(BV_T_DADDR),
							       tlen,
							       IPPROTO_TCP,
							       sum), 0);
		sent += dlen;
	}
	KUNIT_EXPECT_EQ(test, sent, payload);
	KUNIT_EXPECT_EQ(test, n, DIV_ROUND_UP(payload, 992));
}

static struct kunit_case beaver_stamp_cases[] = {
	KUNIT_CASE(bv_skb_stamp_insert_find_strip),
	KUNIT_CASE(bv_skb_stamp_insert_keeps_options),
	KUNIT_CASE(bv_skb_stamp_find_not_first),
	KUNIT_CASE(bv_skb_stamp_insert_full),
	KUNIT_CASE(bv_skb_stamp_insert_max_size),
	KUNIT_CASE(bv_skb_stamp_insert_gso),
	KUNIT_CASE(bv_skb_stamp_strip_checksum_complete),
	KUNIT_CASE(bv_skb_stamp_strip_keeps_mac_header),
	KUNIT_CASE(bv_skb_stamp_malformed),
	KUNIT_CASE(bv_skb_stamp_no_headroom),
	KUNIT_CASE(bv_skb_stamp_cloned),
	KUNIT_CASE(bv_skb_stamp_nonlinear),
	KUNIT_CASE(bv_skb_stamp_ipip),
	KUNIT_CASE(bv_skb_stamp_ipip_gso),
	{}
};

static struct kunit_suite beaver_stamp_suite = {
	.name = "beaver_stamp",
	.test_cases = beaver_stamp_cases,
};

kunit_test_suite(beaver_stamp_suite);

MODULE_DESCRIPTION("KUnit tests for Beaver's IPv4-option stamp");
MODULE_LICENSE("GPL");
