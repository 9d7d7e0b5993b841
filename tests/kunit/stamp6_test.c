// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite beaver_stamp6: the IPv6 stamp on real sk_buffs
 * (netfilter/stamp6.c, compiled from the module's own source file into
 * this test module).
 *
 * Every case builds an IPv6 packet with extension headers and a UDP or TCP
 * header with a valid checksum, runs bv_skb_stamp6_insert/find/strip on
 * it and checks the bytes (against the codec's flat-buffer insertion),
 * the header fields, the header offsets and the transport checksum after
 * each step.
 */
#include <kunit/test.h>
#include <kunit/resource.h>
#include <linux/etherdevice.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <linux/mm.h>
#include <linux/netfilter.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/gro.h>
#include "gro_harness.h"
#include <net/ip6_checksum.h>

#include "stamp6.h"

#define BV6_T_MAXPKT	4096
#define BV6_T_HDR	BEAVER6_HDR_LEN

/* one extension header: type, total length (0: 8), body from byte 2 */
struct bv6_t_eh {
	u8 type;
	unsigned int len;
	const u8 *body;
};

static const struct bv6_t_eh bv6_t_hop = { NEXTHDR_HOP, 8, NULL };

/* ---- helpers ---- */

static int bv6_t_skb_init(struct kunit_resource *res, void *context)
{
	res->data = context;
	return 0;
}

static void bv6_t_skb_free(struct kunit_resource *res)
{
	kfree_skb(res->data);
}

/* free @skb when the test case ends, however it ends */
static struct sk_buff *bv6_t_track(struct kunit *test, struct sk_buff *skb)
{
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, bv6_t_skb_init,
							 bv6_t_skb_free,
							 GFP_KERNEL, skb));
	return skb;
}

static u8 *bv6_t_buf(struct kunit *test, unsigned int size)
{
	u8 *buf = kunit_kzalloc(test, size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	return buf;
}

/*
 * Write an IPv6 packet into @buf: the extension headers hs[0..n), then a
 * UDP header and @payload bytes (or, with @proto IPPROTO_TCP, a 20-byte
 * TCP header and the payload), with a valid checksum. Returns its length;
 * *uoff receives the upper-layer header's offset.
 */
static unsigned int bv6_t_build(u8 *buf, const struct bv6_t_eh *hs,
				unsigned int n, u8 proto, unsigned int payload,
				unsigned int *uoff)
{
	struct ipv6hdr *ip6 = (struct ipv6hdr *)buf;
	unsigned int off = sizeof(*ip6), i, len, ulen;
	u8 *prev = &ip6->nexthdr;
	__sum16 *check;

	memset(ip6, 0, sizeof(*ip6));
	ip6->version = 6;
	ip6->flow_lbl[0] = 0x0b;
	ip6->flow_lbl[2] = 0xcd;
	ip6->hop_limit = 64;
	for (i = 0; i < 16; i++) {
		ip6->saddr.s6_addr[i] = 0x20 + i;
		ip6->daddr.s6_addr[i] = 0x40 + i;
	}
	for (i = 0; i < n; i++) {
		len = hs[i].len ? hs[i].len : 8;
		*prev = hs[i].type;
		memset(buf + off, 0, len);
		buf[off + 1] = hs[i].type == NEXTHDR_FRAGMENT ? 0 : len / 8 - 1;
		if (hs[i].body) {
			memcpy(buf + off + 2, hs[i].body, len - 2);
		} else if (hs[i].type == NEXTHDR_HOP ||
			   hs[i].type == NEXTHDR_DEST) {
			buf[off + 2] = IPV6_TLV_PADN;
			buf[off + 3] = len - 4;
		} else {
			memset(buf + off + 2, 0x11 * (i + 1), len - 2);
		}
		prev = buf + off;
		off += len;
	}
	*prev = proto;
	*uoff = off;
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = (struct tcphdr *)(buf + off);

		memset(th, 0, sizeof(*th));
		th->source = htons(40000);
		th->dest = htons(7777);
		th->seq = htonl(1000);
		th->doff = 5;
		th->ack = 1;
		check = &th->check;
		ulen = sizeof(*th) + payload;
	} else {
		struct udphdr *uh = (struct udphdr *)(buf + off);

		uh->source = htons(40000);
		uh->dest = htons(7777);
		ulen = sizeof(*uh) + payload;
		uh->len = htons(ulen);
		uh->check = 0;
		check = &uh->check;
	}
	for (i = ulen - payload; i < ulen; i++)
		buf[off + i] = (u8)(i * 7 + 3);
	*check = csum_ipv6_magic(&ip6->saddr, &ip6->daddr, ulen, proto,
				 csum_partial(buf + off, ulen, 0));
	if (proto == IPPROTO_UDP && !*check)
		*check = CSUM_MANGLED_0;
	ip6->payload_len = htons(off + ulen - sizeof(*ip6));
	return off + ulen;
}

/* a linear skb holding @pkt, with exactly @headroom bytes of headroom */
static struct sk_buff *bv6_t_skb(struct kunit *test, const u8 *pkt,
				 unsigned int len, unsigned int headroom,
				 unsigned int uoff)
{
	struct sk_buff *skb = bv6_t_track(test, alloc_skb(headroom + len,
							  GFP_KERNEL));

	skb_reserve(skb, headroom);
	skb_put_data(skb, pkt, len);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, uoff);
	skb->protocol = htons(ETH_P_IPV6);
	return skb;
}

/* the bytes of @skb, linear or not */
static u8 *bv6_t_bytes(struct kunit *test, struct sk_buff *skb)
{
	u8 *buf = bv6_t_buf(test, skb->len);

	KUNIT_ASSERT_EQ(test, skb_copy_bits(skb, 0, buf, skb->len), 0);
	return buf;
}

static void bv6_t_expect_bytes(struct kunit *test, struct sk_buff *skb,
			       const u8 *want, unsigned int len)
{
	const u8 *got;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, skb->len, len);
	got = bv6_t_bytes(test, skb);
	for (i = 0; i < len; i++)
		if (got[i] != want[i])
			break;
	KUNIT_EXPECT_EQ_MSG(test, i, len,
			    "first difference at byte %u: %02x, want %02x",
			    i, i < len ? got[i] : 0, i < len ? want[i] : 0);
}

/*
 * @skb is a well-formed IPv6 packet whose upper-layer header (@proto) is
 * at @uoff: network header at skb->data, payload length consistent, and
 * the transport checksum valid.
 */
static void bv6_t_expect_sane(struct kunit *test, struct sk_buff *skb,
			      unsigned int uoff, u8 proto)
{
	struct ipv6hdr ip6;
	unsigned int ulen;
	__wsum sum;

	KUNIT_ASSERT_EQ(test, skb_copy_bits(skb, 0, &ip6, sizeof(ip6)), 0);
	KUNIT_EXPECT_EQ(test, skb_network_offset(skb), 0);
	KUNIT_EXPECT_EQ(test, (int)ip6.version, 6);
	KUNIT_EXPECT_EQ(test, ntohs(ip6.payload_len) + sizeof(ip6), skb->len);
	KUNIT_ASSERT_LE(test, uoff, skb->len);
	ulen = skb->len - uoff;
	sum = skb_checksum(skb, uoff, ulen, 0);
	KUNIT_EXPECT_EQ(test,
			(__force u16)csum_ipv6_magic(&ip6.saddr, &ip6.daddr,
						     ulen, proto, sum),
			0);
}

/*
 * Insert a stamp into @skb (a copy of @orig: @len bytes, upper layer
 * @proto at @uoff), expecting it at @at; the result must be what the
 * codec's flat insertion makes of @orig, find must see it, and strip must
 * give back @orig byte for byte.
 */
static void bv6_t_roundtrip(struct kunit *test, struct sk_buff *skb,
			    const u8 *orig, unsigned int len, unsigned int uoff,
			    u8 proto, unsigned int at, u8 group, u32 epoch)
{
	u8 *want = bv6_t_buf(test, len + BV6_T_HDR);
	unsigned int wlen = len, foreign;
	struct bv_stamp st = {};

	memcpy(want, orig, len);
	KUNIT_ASSERT_EQ(test, bv_stamp6_insert_buf(want, &wlen,
						   len + BV6_T_HDR, group,
						   epoch), 0);

	KUNIT_ASSERT_EQ(test, bv_skb_stamp6_insert(skb, group, epoch), 0);
	bv6_t_expect_bytes(test, skb, want, wlen);
	bv6_t_expect_sane(test, skb, uoff + BV6_T_HDR, proto);
	/* the transport header still points at the upper layer */
	KUNIT_EXPECT_EQ(test, skb_transport_offset(skb),
			(int)(uoff + BV6_T_HDR));

	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_find(skb, group, &st, &foreign),
			(int)at);
	KUNIT_EXPECT_EQ(test, st.group, group);
	KUNIT_EXPECT_EQ(test, st.epoch, epoch);
	KUNIT_EXPECT_EQ(test, st.flags, 0);

	KUNIT_ASSERT_EQ(test, bv_skb_stamp6_strip(skb, at), 0);
	bv6_t_expect_bytes(test, skb, orig, len);
	bv6_t_expect_sane(test, skb, uoff, proto);
	KUNIT_EXPECT_EQ(test, skb_transport_offset(skb), (int)uoff);
}

/* ---- cases ---- */

static void bv_skb_stamp6_insert_find_strip(struct kunit *test)
{
	static const u32 epochs[] = { 0, 1, 0x01020304, 0x7fffffff,
				      0x80000000, 0xffffffff };
	static const unsigned int payloads[] = { 0, 1, 100, 1452 };
	u8 *pkt = bv6_t_buf(test, BV6_T_MAXPKT);
	struct sk_buff *skb;
	unsigned int len, uoff, i, foreign;
	struct bv_stamp st;

	for (i = 0; i < ARRAY_SIZE(epochs) * ARRAY_SIZE(payloads); i++) {
		u8 proto = i % 2 ? IPPROTO_TCP : IPPROTO_UDP;

		len = bv6_t_build(pkt, NULL, 0, proto,
				  payloads[i % ARRAY_SIZE(payloads)], &uoff);
		skb = bv6_t_skb(test, pkt, len, 64, uoff);
		bv6_t_expect_sane(test, skb, uoff, proto);
		KUNIT_EXPECT_EQ(test, bv_skb_stamp6_find(skb, 0, &st, &foreign),
				-ENOENT);
		KUNIT_EXPECT_EQ(test, foreign, 0);
		bv6_t_roundtrip(test, skb, pkt, len, uoff, proto, 40,
				(u8)(i * 37 + 1),
				epochs[i / ARRAY_SIZE(payloads)]);
		KUNIT_EXPECT_EQ(test, bv_skb_stamp6_find(skb, 0, &st, NULL),
				-ENOENT);
	}
}

/*
 * After Hop-by-Hop, a first Destination Options and a Routing header; a
 * sender's own final Destination Options header stays as it was, ours
 * goes after it.
 */
static void bv_skb_stamp6_after_headers(struct kunit *test)
{
	static const u8 sender_opts[14] = { 0xc9, 4, 1, 2, 3, 4, 0x1e, 0 };
	const struct bv6_t_eh chain[] = {
		{ NEXTHDR_HOP, 8, NULL },
		{ NEXTHDR_DEST, 16, NULL },
		{ NEXTHDR_ROUTING, 24, NULL },
		{ NEXTHDR_DEST, 16, sender_opts },
	};
	static const unsigned int ends[] = { 40, 48, 64, 88, 104 };
	u8 *pkt = bv6_t_buf(test, BV6_T_MAXPKT);
	unsigned int len, uoff, n, foreign;
	struct sk_buff *skb;
	struct bv_stamp st;

	for (n = 1; n <= ARRAY_SIZE(chain); n++) {
		len = bv6_t_build(pkt, chain, n, IPPROTO_UDP, 200, &uoff);
		KUNIT_ASSERT_EQ(test, uoff, ends[n]);
		skb = bv6_t_skb(test, pkt, len, 64, uoff);
		bv6_t_roundtrip(test, skb, pkt, len, uoff, IPPROTO_UDP,
				ends[n], 7, 77);
	}
	/* the sender's 0x1e option is another experiment's: counted */
	skb = bv6_t_skb(test, pkt, len, 64, uoff);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_find(skb, 7, &st, &foreign),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, foreign, 1);
	KUNIT_ASSERT_EQ(test, bv_skb_stamp6_insert(skb, 7, 78), 0);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_find(skb, 7, &st, &foreign), 104);
	KUNIT_EXPECT_EQ(test, foreign, 1);
	KUNIT_EXPECT_EQ(test, st.epoch, 78);
}

/*
 * A fragment: the stamp goes before the Fragment header, so that the
 * fragmentable part (and every later fragment's offset) stays as it was.
 */
static void bv_skb_stamp6_fragment(struct kunit *test)
{
	static const u8 frag[6] = { 0x05, 0x28, 0, 0, 0x12, 0x34 };
	const struct bv6_t_eh chain[] = {
		{ NEXTHDR_HOP, 8, NULL },
		{ NEXTHDR_FRAGMENT, 8, frag },
	};
	u8 *pkt = bv6_t_buf(test, BV6_T_MAXPKT), *stamped;
	unsigned int len, uoff;
	struct sk_buff *skb;
	struct bv_stamp st;

	/* a later fragment: what follows the Fragment header is data */
	len = bv6_t_build(pkt, chain, 2, IPPROTO_UDP, 300, &uoff);
	skb = bv6_t_skb(test, pkt, len, 64, 48);
	KUNIT_ASSERT_EQ(test, bv_skb_stamp6_insert(skb, 4, 44), 0);
	stamped = bv6_t_bytes(test, skb);
	KUNIT_EXPECT_EQ(test, stamped[40], NEXTHDR_DEST);	/* HBH names us */
	KUNIT_EXPECT_EQ(test, stamped[48], NEXTHDR_FRAGMENT);	/* we name it */
	KUNIT_EXPECT_EQ(test, memcmp(stamped + 64, pkt + 48, len - 48), 0);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_find(skb, 4, &st, NULL), 48);
	KUNIT_ASSERT_EQ(test, bv_skb_stamp6_strip(skb, 48), 0);
	bv6_t_expect_bytes(test, skb, pkt, len);
	/* the Fragment header is where the transport header pointed */
	KUNIT_EXPECT_EQ(test, skb_transport_offset(skb), 48);

	/* a stamp after a Fragment header is never taken (nor seen) */
	skb = bv6_t_skb(test, pkt, len, 64, 48);
	KUNIT_ASSERT_EQ(test, bv_skb_stamp6_insert(skb, 4, 44), 0);
	stamped = bv6_t_bytes(test, skb);
	/* HBH -> FRAG -> stamp: rewrite the chain so */
	stamped[40] = NEXTHDR_FRAGMENT;
	stamped[48] = NEXTHDR_DEST;
	memcpy(stamped + 49, pkt + 49, 7);
	bv_stamp6_encode(stamped + 56, IPPROTO_UDP, 4, 44);
	skb = bv6_t_skb(test, stamped, len + BV6_T_HDR, 64, 48);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_find(skb, 4, &st, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_strip(skb, 56), -EINVAL);
	bv6_t_expect_bytes(test, skb, stamped, len + BV6_T_HDR);
}

/* 0x1e options that are not exactly our header stay, counted */
static void bv_skb_stamp6_foreign(struct kunit *test)
{
	u8 body[14];
	const struct bv6_t_eh chain[] = { { NEXTHDR_DEST, 16, body } };
	u8 *pkt = bv6_t_buf(test, BV6_T_MAXPKT), hdr[BV6_T_HDR];
	unsigned int len, uoff, foreign;
	struct sk_buff *skb;
	struct bv_stamp st;

	/* a later version of ours, and another group's stamp */
	bv_stamp6_encode(hdr, IPPROTO_UDP, 3, 30);
	hdr[6] = 0x20;
	memcpy(body, hdr + 2, sizeof(body));
	len = bv6_t_build(pkt, chain, 1, IPPROTO_UDP, 64, &uoff);
	skb = bv6_t_skb(test, pkt, len, 64, uoff);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_find(skb, 0, &st, &foreign),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, foreign, 1);
	bv6_t_roundtrip(test, skb, pkt, len, uoff, IPPROTO_UDP, 56, 3, 31);

	bv_stamp6_encode(hdr, IPPROTO_UDP, 200, 30);
	memcpy(body, hdr + 2, sizeof(body));
	len = bv6_t_build(pkt, chain, 1, IPPROTO_UDP, 64, &uoff);
	skb = bv6_t_skb(test, pkt, len, 64, uoff);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_find(skb, 3, &st, &foreign),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, foreign, 1);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_find(skb, 200, &st, &foreign),
			40);
	KUNIT_EXPECT_EQ(test, foreign, 0);
	/* ours goes in beside it; each found by its group */
	bv6_t_roundtrip(test, skb, pkt, len, uoff, IPPROTO_UDP, 56, 3, 31);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_find(skb, 200, &st, NULL), 40);
	KUNIT_EXPECT_EQ(test, st.epoch, 30);
}

static void bv_skb_stamp6_malformed(struct kunit *test)
{
	static const u8 bad_opt[6] = { 0x1e, 5 };
	const struct bv6_t_eh bad[] = { { NEXTHDR_DEST, 8, bad_opt } };
	const struct bv6_t_eh hop2[] = {
		{ NEXTHDR_DEST, 8, NULL }, { NEXTHDR_HOP, 8, NULL },
	};
	const struct bv6_t_eh two[] = {
		{ NEXTHDR_HOP, 8, NULL }, { NEXTHDR_DEST, 8, NULL },
	};
	u8 *pkt = bv6_t_buf(test, BV6_T_MAXPKT);
	unsigned int len, uoff, foreign;
	struct sk_buff *skb;
	struct bv_stamp st;

	/* an option past the end of its header; HBH not first */
	len = bv6_t_build(pkt, bad, 1, IPPROTO_UDP, 40, &uoff);
	skb = bv6_t_skb(test, pkt, len, 64, uoff);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_find(skb, 0, &st, &foreign),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_insert(skb, 1, 1), -EINVAL);
	bv6_t_expect_bytes(test, skb, pkt, len);
	len = bv6_t_build(pkt, hop2, 2, IPPROTO_UDP, 40, &uoff);
	skb = bv6_t_skb(test, pkt, len, 64, uoff);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_insert(skb, 1, 1), -EINVAL);
	bv6_t_expect_bytes(test, skb, pkt, len);

	/* hdr ext len past the end of the packet */
	len = bv6_t_build(pkt, two, 2, IPPROTO_UDP, 0, &uoff);
	pkt[49] = 2;
	skb = bv6_t_skb(test, pkt, len, 64, uoff);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_find(skb, 0, &st, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_insert(skb, 1, 1), -EINVAL);
	bv6_t_expect_bytes(test, skb, pkt, len);

	/* payload length past the end, not IPv6, runt, jumbogram */
	len = bv6_t_build(pkt, NULL, 0, IPPROTO_UDP, 10, &uoff);
	skb = bv6_t_skb(test, pkt, len - 1, 64, uoff);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_find(skb, 0, &st, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_insert(skb, 1, 1), -EINVAL);
	pkt[0] = 0x45;
	skb = bv6_t_skb(test, pkt, len, 64, uoff);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_find(skb, 0, &st, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_insert(skb, 1, 1), -EINVAL);
	pkt[0] = 0x60;
	skb = bv6_t_skb(test, pkt, 39, 64, 0);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_find(skb, 0, &st, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_insert(skb, 1, 1), -EINVAL);
	len = bv6_t_build(pkt, two, 2, IPPROTO_UDP, 10, &uoff);
	pkt[4] = 0;
	pkt[5] = 0;
	skb = bv6_t_skb(test, pkt, len, 64, uoff);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_find(skb, 0, &st, NULL), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_insert(skb, 1, 1), -EMSGSIZE);
	bv6_t_expect_bytes(test, skb, pkt, len);
}

/* 16 extension headers are walked, 17 refused; a stamp cannot be the 17th */
static void bv_skb_stamp6_chain_limit(struct kunit *test)
{
	struct bv6_t_eh chain[BV6_EXTHDRS_MAX + 1];
	u8 *pkt = bv6_t_buf(test, BV6_T_MAXPKT);
	unsigned int len, uoff, i;
	struct sk_buff *skb;
	struct bv_stamp st;

	for (i = 0; i <= BV6_EXTHDRS_MAX; i++) {
		chain[i].type = i % 2 ? NEXTHDR_ROUTING : NEXTHDR_DEST;
		chain[i].len = 8;
		chain[i].body = NULL;
	}
	len = bv6_t_build(pkt, chain, BV6_EXTHDRS_MAX, IPPROTO_UDP, 8, &uoff);
	skb = bv6_t_skb(test, pkt, len, 64, uoff);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_find(skb, 0, &st, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_insert(skb, 1, 1), -ENOSPC);
	bv6_t_expect_bytes(test, skb, pkt, len);
	len = bv6_t_build(pkt, chain, BV6_EXTHDRS_MAX + 1, IPPROTO_UDP, 8,
			  &uoff);
	skb = bv6_t_skb(test, pkt, len, 64, uoff);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_find(skb, 0, &st, NULL), -EINVAL);
	len = bv6_t_build(pkt, chain, BV6_EXTHDRS_MAX - 1, IPPROTO_UDP, 8,
			  &uoff);
	skb = bv6_t_skb(test, pkt, len, 64, uoff);
	bv6_t_roundtrip(test, skb, pkt, len, uoff, IPPROTO_UDP, uoff, 1, 1);
}

/* strip refuses anything but one of our headers, and leaves the bytes */
static void bv_skb_stamp6_strip_refused(struct kunit *test)
{
	static const int offs[] = { -16, 0, 6, 39, 41, 48, 64, 72, 80, 4000 };
	const struct bv6_t_eh chain[] = { { NEXTHDR_DEST, 16, NULL } };
	u8 *pkt = bv6_t_buf(test, BV6_T_MAXPKT), *stamped;
	unsigned int len, uoff, i;
	struct sk_buff *skb;

	/* [DEST (not ours) at 40][stamp at 56][UDP at 72] */
	len = bv6_t_build(pkt, chain, 1, IPPROTO_UDP, 30, &uoff);
	skb = bv6_t_skb(test, pkt, len, 64, uoff);
	KUNIT_ASSERT_EQ(test, bv_skb_stamp6_insert(skb, 1, 1), 0);
	stamped = bv6_t_bytes(test, skb);
	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		KUNIT_EXPECT_EQ(test, bv_skb_stamp6_strip(skb, offs[i]), -EINVAL);
		bv6_t_expect_bytes(test, skb, stamped, len + BV6_T_HDR);
	}
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_strip(skb, 40), -EINVAL);
	/* a checksum that would start inside the headers that move */
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_headroom(skb) + 48;
	skb->csum_offset = 6;
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_strip(skb, 56), -EINVAL);
	bv6_t_expect_bytes(test, skb, stamped, len + BV6_T_HDR);
	skb->ip_summed = CHECKSUM_NONE;
	KUNIT_ASSERT_EQ(test, bv_skb_stamp6_strip(skb, 56), 0);
	bv6_t_expect_bytes(test, skb, pkt, len);
	/* and once it is gone, a second strip finds nothing */
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_strip(skb, 56), -EINVAL);
}

/*
 * A TCP GSO packet: 16 bytes less payload per segment; and the segments
 * the stack cuts from it each carry the stamp, with a valid checksum (the
 * pseudo-header does not count extension headers). A UDP GSO packet keeps
 * its gso_size. If this fails, stamped TCP super-packets leave as segments
 * 16 bytes over the MTU they were sized for, or unstamped.
 */
static void bv_skb_stamp6_gso(struct kunit *test)
{
	unsigned int payload = 3000, len, uoff, tcplen, n = 0;
	struct sk_buff *skb, *segs, *seg, *next;
	struct skb_shared_info *sh;
	struct ipv6hdr *ip6;
	struct bv_stamp st;
	struct tcphdr *th;
	u8 *pkt;

	pkt = bv6_t_buf(test, 48 + 20 + payload);
	len = bv6_t_build(pkt, &bv6_t_hop, 1, IPPROTO_TCP, payload, &uoff);
	skb = bv6_t_skb(test, pkt, len, 64, uoff);
	sh = skb_shinfo(skb);
	sh->gso_type = SKB_GSO_TCPV6;
	sh->gso_size = 1000;
	sh->gso_segs = 3;
	/* as TCP hands it down: the checksum left to segmentation */
	ip6 = ipv6_hdr(skb);
	th = tcp_hdr(skb);
	tcplen = len - uoff;
	th->check = ~csum_ipv6_magic(&ip6->saddr, &ip6->daddr, tcplen,
				     IPPROTO_TCP, 0);
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_transport_header(skb) - skb->head;
	skb->csum_offset = offsetof(struct tcphdr, check);

	KUNIT_ASSERT_EQ(test, bv_skb_stamp6_insert(skb, 9, 99), 0);
	ip6 = ipv6_hdr(skb);
	KUNIT_EXPECT_EQ(test, sh->gso_size, 984);
	KUNIT_EXPECT_EQ(test, sh->gso_segs, DIV_ROUND_UP(payload, 984));
	/* each segment: the same size on the wire as before */
	KUNIT_EXPECT_EQ(test, skb_transport_offset(skb) + tcp_hdrlen(skb) +
			sh->gso_size, 48 + 20 + 1000);
	/* the partial checksum's start and seed did not change */
	KUNIT_EXPECT_EQ(test, skb_checksum_start_offset(skb), (int)uoff + 16);
	KUNIT_EXPECT_EQ(test, (__force u16)tcp_hdr(skb)->check,
			(__force u16)~csum_ipv6_magic(&ip6->saddr, &ip6->daddr,
						      tcplen, IPPROTO_TCP, 0));

	/* software segmentation, no offloads */
	segs = skb_gso_segment(skb, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(segs));
	skb_list_walk_safe(segs, seg, next) {
		skb_mark_not_on_list(seg);
		bv6_t_track(test, seg);
		n++;
		KUNIT_EXPECT_LE(test, seg->len, 48u + 20 + 1000);
		KUNIT_EXPECT_EQ(test, bv_skb_stamp6_find(seg, 9, &st, NULL),
				48);
		KUNIT_EXPECT_EQ(test, st.epoch, 99);
		if (seg->ip_summed == CHECKSUM_PARTIAL)
			KUNIT_ASSERT_EQ(test, skb_checksum_help(seg), 0);
		bv6_t_expect_sane(test, seg, 64, IPPROTO_TCP);
		/* and with the stamp gone, a plain segment */
		KUNIT_ASSERT_EQ(test, bv_skb_stamp6_strip(seg, 48), 0);
		bv6_t_expect_sane(test, seg, 48, IPPROTO_TCP);
	}
	KUNIT_EXPECT_EQ(test, n, DIV_ROUND_UP(payload, 984));

	/* UDP GSO: datagram boundaries are the sender's */
	len = bv6_t_build(pkt, NULL, 0, IPPROTO_UDP, payload, &uoff);
	skb = bv6_t_skb(test, pkt, len, 64, uoff);
	sh = skb_shinfo(skb);
	sh->gso_type = SKB_GSO_UDP_L4;
	sh->gso_size = 1000;
	sh->gso_segs = 3;
	KUNIT_ASSERT_EQ(test, bv_skb_stamp6_insert(skb, 1, 1), 0);
	KUNIT_EXPECT_EQ(test, sh->gso_size, 1000);
	KUNIT_EXPECT_EQ(test, sh->gso_segs, 3);
}

/* payload_len is 16 bits: the stamp must be refused near 64 KiB */
static void bv_skb_stamp6_max_size(struct kunit *test)
{
	unsigned int len, uoff, payload = 65535 - 8 - BV6_T_HDR + 1;
	struct sk_buff *skb;
	u8 *pkt;

	pkt = bv6_t_buf(test, 40 + 65535);
	len = bv6_t_build(pkt, NULL, 0, IPPROTO_UDP, payload, &uoff);
	skb = bv6_t_skb(test, pkt, len, 64, uoff);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_insert(skb, 1, 1), -EMSGSIZE);
	bv6_t_expect_bytes(test, skb, pkt, len);

	len = bv6_t_build(pkt, NULL, 0, IPPROTO_UDP, payload - 1, &uoff);
	skb = bv6_t_skb(test, pkt, len, 64, uoff);
	bv6_t_roundtrip(test, skb, pkt, len, uoff, IPPROTO_UDP, 40, 1, 1);
}

static void bv_skb_stamp6_strip_checksum_complete(struct kunit *test)
{
	static const unsigned int payloads[] = { 0, 1, 101, 1000 };
	u8 *pkt = bv6_t_buf(test, BV6_T_MAXPKT);
	unsigned int len, uoff, i, at;
	struct sk_buff *skb;

	for (i = 0; i < ARRAY_SIZE(payloads) * 2; i++) {
		len = bv6_t_build(pkt, &bv6_t_hop, i & 1, IPPROTO_UDP,
				  payloads[i / 2], &uoff);
		at = uoff;
		skb = bv6_t_skb(test, pkt, len, 64, uoff);
		KUNIT_ASSERT_EQ(test, bv_skb_stamp6_insert(skb, 2, 20 + i), 0);
		/* as a NIC hands it up: the sum of everything from the IPv6 header */
		skb->ip_summed = CHECKSUM_COMPLETE;
		skb->csum = skb_checksum(skb, 0, skb->len, 0);

		KUNIT_ASSERT_EQ(test, bv_skb_stamp6_strip(skb, at), 0);
		bv6_t_expect_bytes(test, skb, pkt, len);
		KUNIT_EXPECT_EQ(test, (int)skb->ip_summed, CHECKSUM_COMPLETE);
		KUNIT_EXPECT_EQ(test, (__force u16)csum_fold(skb->csum),
				(__force u16)csum_fold(skb_checksum(skb, 0,
								    skb->len,
								    0)));
	}
}

/*
 * As at PRE_ROUTING: the Ethernet header right before the IPv6 header,
 * the transport header right after the fixed header (ip6_rcv_core() sets
 * it there; ipv6_parse_hopopts() moves it past Hop-by-Hop).
 */
static void bv_skb_stamp6_strip_as_received(struct kunit *test)
{
	static const u8 eth[ETH_HLEN] = {
		0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x86, 0xdd
	};
	u8 *pkt = bv6_t_buf(test, BV6_T_MAXPKT), *stamped;
	unsigned int len, uoff, slen, n;
	struct sk_buff *skb;

	for (n = 0; n <= 1; n++) {
		len = bv6_t_build(pkt, &bv6_t_hop, n, IPPROTO_UDP, 20, &uoff);
		stamped = bv6_t_buf(test, len + BV6_T_HDR);
		memcpy(stamped, pkt, len);
		slen = len;
		KUNIT_ASSERT_EQ(test, bv_stamp6_insert_buf(stamped, &slen,
							   slen + BV6_T_HDR, 1,
							   2), 0);

		skb = bv6_t_track(test, alloc_skb(32 + ETH_HLEN + slen,
						  GFP_KERNEL));
		skb_reserve(skb, 32);
		skb_put_data(skb, eth, ETH_HLEN);
		skb_put_data(skb, stamped, slen);
		skb_reset_mac_header(skb);
		__skb_pull(skb, ETH_HLEN);
		skb_reset_network_header(skb);
		skb_reset_mac_len(skb);
		skb_set_transport_header(skb, 40 + 8 * n);
		skb->protocol = htons(ETH_P_IPV6);

		KUNIT_ASSERT_EQ(test, bv_skb_stamp6_strip(skb, uoff), 0);
		bv6_t_expect_bytes(test, skb, pkt, len);
		bv6_t_expect_sane(test, skb, uoff, IPPROTO_UDP);
		KUNIT_EXPECT_EQ(test, skb->mac_len, ETH_HLEN);
		KUNIT_EXPECT_PTR_EQ(test, skb_mac_header(skb) + ETH_HLEN,
				    skb_network_header(skb));
		KUNIT_EXPECT_EQ(test, memcmp(skb_mac_header(skb), eth,
					     ETH_HLEN), 0);
		/* it pointed at the stamp: now at what followed it */
		KUNIT_EXPECT_EQ(test, skb_transport_offset(skb), (int)uoff);
	}

	/* forwarded, stamped at POST_ROUTING: a pointer at HBH moves with it */
	len = bv6_t_build(pkt, &bv6_t_hop, 1, IPPROTO_UDP, 20, &uoff);
	skb = bv6_t_skb(test, pkt, len, 64, 40);
	KUNIT_ASSERT_EQ(test, bv_skb_stamp6_insert(skb, 1, 2), 0);
	KUNIT_EXPECT_EQ(test, skb_transport_offset(skb), 40);
	KUNIT_EXPECT_EQ(test, skb_transport_header(skb)[0], NEXTHDR_DEST);
}

/*
 * A local UDP datagram with its checksum still to compute
 * (CHECKSUM_PARTIAL): the stamp changes neither where the sum starts nor
 * its pseudo-header seed, and the sum the stack completes is right.
 */
static void bv_skb_stamp6_checksum_partial(struct kunit *test)
{
	u8 *pkt = bv6_t_buf(test, BV6_T_MAXPKT);
	unsigned int len, uoff, start;
	struct ipv6hdr *ip6;
	struct sk_buff *skb;
	struct udphdr *uh;
	__sum16 seed;

	len = bv6_t_build(pkt, NULL, 0, IPPROTO_UDP, 333, &uoff);
	skb = bv6_t_skb(test, pkt, len, 64, uoff);
	ip6 = ipv6_hdr(skb);
	uh = udp_hdr(skb);
	uh->check = ~csum_ipv6_magic(&ip6->saddr, &ip6->daddr, len - uoff,
				     IPPROTO_UDP, 0);
	seed = uh->check;
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_transport_header(skb) - skb->head;
	skb->csum_offset = offsetof(struct udphdr, check);
	start = skb->csum_start;

	KUNIT_ASSERT_EQ(test, bv_skb_stamp6_insert(skb, 5, 55), 0);
	KUNIT_EXPECT_EQ(test, skb->csum_start, start);
	KUNIT_EXPECT_EQ(test, (__force u16)udp_hdr(skb)->check,
			(__force u16)seed);
	KUNIT_ASSERT_EQ(test, skb_checksum_help(skb), 0);
	bv6_t_expect_sane(test, skb, uoff + BV6_T_HDR, IPPROTO_UDP);
	/* and the checksum is the one the packet had without the stamp */
	KUNIT_EXPECT_EQ(test, (__force u16)udp_hdr(skb)->check,
			(__force u16)((struct udphdr *)(pkt + uoff))->check);
}

static void bv_skb_stamp6_no_headroom(struct kunit *test)
{
	u8 *pkt = bv6_t_buf(test, BV6_T_MAXPKT);
	unsigned int len, uoff;
	struct sk_buff *skb;
	u8 *head;

	len = bv6_t_build(pkt, &bv6_t_hop, 1, IPPROTO_UDP, 200, &uoff);
	skb = bv6_t_skb(test, pkt, len, 0, uoff);
	head = skb->head;
	bv6_t_roundtrip(test, skb, pkt, len, uoff, IPPROTO_UDP, 48, 42, 4242);
	/* skb_cow_head had to reallocate */
	KUNIT_EXPECT_PTR_NE(test, skb->head, head);
	skb = bv6_t_skb(test, pkt, len, BV6_T_HDR - 1, uoff);
	bv6_t_roundtrip(test, skb, pkt, len, uoff, IPPROTO_UDP, 48, 42, 4242);
}

static void bv_skb_stamp6_cloned(struct kunit *test)
{
	u8 *pkt = bv6_t_buf(test, BV6_T_MAXPKT), *stamped;
	struct sk_buff *skb, *clone;
	unsigned int len, uoff;
	struct bv_stamp st;

	/* insert into a clone: the original's bytes stay as they were */
	len = bv6_t_build(pkt, &bv6_t_hop, 1, IPPROTO_UDP, 64, &uoff);
	skb = bv6_t_skb(test, pkt, len, 64, uoff);
	clone = bv6_t_track(test, skb_clone(skb, GFP_KERNEL));
	KUNIT_ASSERT_TRUE(test, skb_cloned(clone));
	bv6_t_roundtrip(test, clone, pkt, len, uoff, IPPROTO_UDP, 48, 8, 88);
	bv6_t_expect_bytes(test, skb, pkt, len);

	/* strip from a clone: the original keeps its stamp */
	skb = bv6_t_skb(test, pkt, len, 64, uoff);
	KUNIT_ASSERT_EQ(test, bv_skb_stamp6_insert(skb, 8, 88), 0);
	stamped = bv6_t_bytes(test, skb);
	clone = bv6_t_track(test, skb_clone(skb, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_find(clone, 8, &st, NULL), 48);
	KUNIT_ASSERT_EQ(test, bv_skb_stamp6_strip(clone, 48), 0);
	bv6_t_expect_bytes(test, clone, pkt, len);
	bv6_t_expect_bytes(test, skb, stamped, len + BV6_T_HDR);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_find(skb, 8, &st, NULL), 48);
}

/* only the fixed header linear: the walk pulls what it needs */
static void bv_skb_stamp6_nonlinear(struct kunit *test)
{
	const struct bv6_t_eh chain[] = {
		{ NEXTHDR_HOP, 16, NULL }, { NEXTHDR_ROUTING, 24, NULL },
	};
	u8 *pkt = bv6_t_buf(test, BV6_T_MAXPKT), *stamped;
	unsigned int len, uoff, slen, rest;
	struct sk_buff *skb;
	struct bv_stamp st;
	struct page *page;

	len = bv6_t_build(pkt, chain, 2, IPPROTO_UDP, 700, &uoff);
	stamped = bv6_t_buf(test, len + BV6_T_HDR);
	memcpy(stamped, pkt, len);
	slen = len;
	KUNIT_ASSERT_EQ(test, bv_stamp6_insert_buf(stamped, &slen,
						   len + BV6_T_HDR, 6, 600), 0);
	rest = slen - sizeof(struct ipv6hdr);
	skb = bv6_t_track(test, alloc_skb(64 + sizeof(struct ipv6hdr),
					  GFP_KERNEL));
	skb_reserve(skb, 64);
	skb_put_data(skb, stamped, sizeof(struct ipv6hdr));
	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	memcpy(page_address(page), stamped + sizeof(struct ipv6hdr), rest);
	skb_add_rx_frag(skb, 0, page, 0, rest, PAGE_SIZE);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, uoff + BV6_T_HDR);
	skb->protocol = htons(ETH_P_IPV6);
	KUNIT_ASSERT_EQ(test, skb_headlen(skb), sizeof(struct ipv6hdr));

	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_find(skb, 6, &st, NULL), 80);
	KUNIT_EXPECT_EQ(test, st.epoch, 600);
	/* pulled up to the end of the stamp, not the payload */
	KUNIT_EXPECT_LE(test, skb_headlen(skb), 96u);
	KUNIT_ASSERT_EQ(test, bv_skb_stamp6_strip(skb, 80), 0);
	bv6_t_expect_bytes(test, skb, pkt, len);
	bv6_t_expect_sane(test, skb, uoff, IPPROTO_UDP);
	bv6_t_roundtrip(test, skb, pkt, len, uoff, IPPROTO_UDP, 80, 6, 601);
}

/*
 * ---- POST_ROUTING and the MTU (__bv_stamp6_output) ----
 */

static struct sk_buff_head bv6_t_sent;

/* what bv_stamp6_output() hands on (hooks.c would take it further) */
static void bv6_t_cont(struct sk_buff *skb, const struct nf_hook_state *state)
{
	__skb_queue_tail(&bv6_t_sent, skb);
}

/* POST_ROUTING with a route of MTU @mtu */
static unsigned int bv6_t_out(struct sk_buff *skb, unsigned int mtu,
			      u8 group, u32 epoch, int *err,
			      enum bv_stamp6_how *how)
{
	struct nf_hook_state state = {};

	return __bv_stamp6_output(skb, &state, mtu, group, epoch, bv6_t_cont,
				  err, how);
}

/* a packet with its checksum to compute, as a local socket sends it */
static void bv6_t_partial(struct sk_buff *skb, unsigned int uoff, u8 proto)
{
	struct ipv6hdr *ip6 = ipv6_hdr(skb);
	__sum16 *check;

	check = (__sum16 *)(skb->data + uoff +
			    (proto == IPPROTO_TCP ?
			     offsetof(struct tcphdr, check) :
			     offsetof(struct udphdr, check)));
	*check = ~csum_ipv6_magic(&ip6->saddr, &ip6->daddr, skb->len - uoff,
				  proto, 0);
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_headroom(skb) + uoff;
	skb->csum_offset = check - (__sum16 *)(skb->data + uoff);
	skb->csum_offset *= sizeof(__sum16);
}

/*
 * Segment @skb in software (it becomes the test's); each segment must be
 * at most @mtu bytes, carry the stamp at @at with @epoch and a valid
 * checksum, and the segments' payloads, in order, must be @payload.
 * Returns the number of segments.
 */
static unsigned int bv6_t_segments_ok(struct kunit *test, struct sk_buff *skb,
				      unsigned int mtu, unsigned int at,
				      u32 epoch, const u8 *payload,
				      unsigned int plen)
{
	struct sk_buff *segs, *seg, *next;
	unsigned int n = 0, done = 0, hdr;
	struct bv_stamp st;
	u8 *got;

	segs = skb_gso_segment(skb, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(segs));
	skb_list_walk_safe(segs, seg, next) {
		skb_mark_not_on_list(seg);
		bv6_t_track(test, seg);
		n++;
		KUNIT_EXPECT_LE(test, seg->len, mtu);
		KUNIT_EXPECT_EQ(test, bv_skb_stamp6_find(seg, 0, &st, NULL),
				(int)at);
		KUNIT_EXPECT_EQ(test, st.epoch, epoch);
		if (seg->ip_summed == CHECKSUM_PARTIAL)
			KUNIT_ASSERT_EQ(test, skb_checksum_help(seg), 0);
		bv6_t_expect_sane(test, seg, at + BV6_T_HDR, IPPROTO_TCP);
		hdr = at + BV6_T_HDR + sizeof(struct tcphdr);
		got = bv6_t_bytes(test, seg);
		KUNIT_ASSERT_LE(test, done + seg->len - hdr, plen);
		KUNIT_EXPECT_EQ(test, memcmp(got + hdr, payload + done,
					     seg->len - hdr), 0);
		done += seg->len - hdr;
	}
	KUNIT_EXPECT_EQ(test, done, plen);
	return n;
}

/* what fits goes as it is; no route (no MTU) fits */
static void bv_stamp6_output_fits(struct kunit *test)
{
	struct nf_hook_state state = {};
	u8 *pkt = bv6_t_buf(test, BV6_T_MAXPKT);
	enum bv_stamp6_how how;
	unsigned int len, uoff;
	struct sk_buff *skb;
	struct bv_stamp st;
	int err;

	len = bv6_t_build(pkt, NULL, 0, IPPROTO_UDP, 1500 - 48 - 16, &uoff);
	skb = bv6_t_skb(test, pkt, len, 64, uoff);
	KUNIT_EXPECT_EQ(test, bv6_t_out(skb, 1500, 1, 2, &err, &how),
			NF_ACCEPT);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, (int)how, BV_STAMP6_WHOLE);
	KUNIT_EXPECT_EQ(test, skb->len, 1500);
	KUNIT_EXPECT_EQ(test, bv_skb_stamp6_find(skb, 1, &st, NULL), 40);

	len = bv6_t_build(pkt, NULL, 0, IPPROTO_UDP, 3000, &uoff);
	skb = bv6_t_skb(test, pkt, len, 64, uoff);
	KUNIT_EXPECT_EQ(test, bv_stamp6_output(skb, &state, 1, 2, bv6_t_cont,
					       &err, &how),
			NF_ACCEPT);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, (int)how, BV_STAMP6_WHOLE);
}

/*
 * A full-size TCP segment: split into two that fit once stamped, each
 * with a valid checksum, the payload intact, whether its checksum was to
 * be computed (local) or verified (forwarded); not from a corrupted or
 * unverified one, nor with a Routing header.
 */
static void bv_stamp6_output_tcp_split(struct kunit *test)
{
	static const struct bv6_t_eh rt[] = { { NEXTHDR_ROUTING, 24, NULL } };
	u8 *pkt = bv6_t_buf(test, BV6_T_MAXPKT);
	unsigned int len, uoff, i;
	enum bv_stamp6_how how;
	struct sk_buff *skb;
	int err;

	for (i = 0; i < 2; i++) {
		len = bv6_t_build(pkt, NULL, 0, IPPROTO_TCP, 1440, &uoff);
		KUNIT_ASSERT_EQ(test, len, 1500);
		skb = bv6_t_skb(test, pkt, len, 64, uoff);
		if (i) {
			skb->skb_iif = 3;
			skb->ip_summed = CHECKSUM_UNNECESSARY;
		} else {
			bv6_t_partial(skb, uoff, IPPROTO_TCP);
		}
		KUNIT_EXPECT_EQ(test, bv6_t_out(skb, 1500, 4, 44, &err, &how),
				NF_ACCEPT);
		KUNIT_EXPECT_EQ(test, err, 0);
		KUNIT_EXPECT_EQ(test, (int)how, BV_STAMP6_SPLIT);
		KUNIT_ASSERT_TRUE(test, skb_is_gso(skb));
		KUNIT_EXPECT_EQ(test, skb_shinfo(skb)->gso_size,
				1500 - 60 - 16);
		KUNIT_EXPECT_EQ(test,
				bv6_t_segments_ok(test, skb, 1500, 40, 44,
						  pkt + 60, 1440), 2);
	}

	/* checksum never verified: refused as too big (forwarded) */
	len = bv6_t_build(pkt, NULL, 0, IPPROTO_TCP, 1440, &uoff);
	skb = bv6_t_skb(test, pkt, len, 64, uoff);
	skb->skb_iif = 3;
	KUNIT_EXPECT_EQ(test, bv6_t_out(skb, 1500, 4, 44, &err, &how),
			NF_DROP_ERR(-EMSGSIZE));
	KUNIT_EXPECT_EQ(test, err, -E2BIG);
	bv6_t_expect_bytes(test, skb, pkt, len);

	/* a Routing header: not split; this host's, not fragmentable */
	len = bv6_t_build(pkt, rt, 1, IPPROTO_TCP, 1440 - 24, &uoff);
	skb = bv6_t_skb(test, pkt, len, 64, uoff);
	bv6_t_partial(skb, uoff, IPPROTO_TCP);
	KUNIT_EXPECT_EQ(test, bv6_t_out(skb, 1500, 4, 44, &err, &how),
			NF_DROP_ERR(-EMSGSIZE));
	KUNIT_EXPECT_EQ(test, err, -E2BIG);
	KUNIT_EXPECT_FALSE(test, skb_is_gso(skb));
}

/*
 * Anything else too big: Packet Too Big (forwarded) or EMSGSIZE (local)
 * and untouched; this host's fragmentable packet is stamped and left to
 * ip6_fragment(); below the 1280 floor every packet is.
 */
static void bv_stamp6_output_too_big(struct kunit *test)
{
	u8 *pkt = bv6_t_buf(test, BV6_T_MAXPKT);
	unsigned int len, uoff, i;
	enum bv_stamp6_how how;
	struct sk_buff *skb;
	struct bv_stamp st;
	int err;

	len = bv6_t_build(pkt, NULL, 0, IPPROTO_UDP, 1500 - 48 - 15, &uoff);
	for (i = 0; i < 2; i++) {
		skb = bv6_t_skb(test, pkt, len, 64, uoff);
		skb->skb_iif = i ? 3 : 0;
		/* IPVS marks what it forwards ignore_df: refused all the same */
		skb->ignore_df = i;
		KUNIT_EXPECT_EQ(test, bv6_t_out(skb, 1500, 1, 2, &err, &how),
				NF_DROP_ERR(-EMSGSIZE));
		KUNIT_EXPECT_EQ(test, err, -E2BIG);
		bv6_t_expect_bytes(test, skb, pkt, len);
	}
	skb = bv6_t_skb(test, pkt, len, 64, uoff);
	skb->ignore_df = 1;
	KUNIT_EXPECT_EQ(test, bv6_t_out(skb, 1500, 1, 2, &err, &how),
			NF_ACCEPT);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, (int)how, BV_STAMP6_WHOLE);
	KUNIT_EXPECT_EQ(test, skb->len, 1501);

	/* a 1290 link: 1274 is no MTU a sender may use */
	len = bv6_t_build(pkt, NULL, 0, IPPROTO_UDP, 1285 - 48, &uoff);
	for (i = 0; i < 2; i++) {
		skb = bv6_t_skb(test, pkt, len, 64, uoff);
		skb->skb_iif = i ? 3 : 0;
		KUNIT_EXPECT_EQ(test, bv6_t_out(skb, 1290, 1, 2, &err, &how),
				NF_ACCEPT);
		KUNIT_EXPECT_EQ(test, err, 0);
		KUNIT_EXPECT_EQ(test, (int)how, BV_STAMP6_FRAG);
		KUNIT_EXPECT_TRUE(test, skb->ignore_df);
		KUNIT_EXPECT_EQ(test, bv_skb_stamp6_find(skb, 1, &st, NULL),
				40);
	}
	/* 1296 is the smallest MTU where a sender can be told */
	skb = bv6_t_skb(test, pkt, len, 64, uoff);
	KUNIT_EXPECT_EQ(test, bv6_t_out(skb, 1296, 1, 2, &err, &how),
			NF_DROP_ERR(-EMSGSIZE));
}

/*
 * A TCP GSO packet whose payload length has no room for 16 more bytes:
 * segmented here, each segment stamped and handed on.
 */
static void bv_stamp6_output_gso_64k(struct kunit *test)
{
	unsigned int len, uoff, n = 0, payload = 65520 - 20;
	enum bv_stamp6_how how;
	struct skb_shared_info *sh;
	struct sk_buff *skb, *seg;
	struct bv_stamp st;
	int err;
	u8 *pkt;

	__skb_queue_head_init(&bv6_t_sent);
	pkt = bv6_t_buf(test, 40 + 20 + payload);
	len = bv6_t_build(pkt, NULL, 0, IPPROTO_TCP, payload, &uoff);
	/* not tracked: bv_stamp6_output consumes it */
	skb = alloc_skb(64 + len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, 64);
	skb_put_data(skb, pkt, len);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, uoff);
	skb->protocol = htons(ETH_P_IPV6);
	bv6_t_partial(skb, uoff, IPPROTO_TCP);
	sh = skb_shinfo(skb);
	sh->gso_type = SKB_GSO_TCPV6;
	sh->gso_size = 1440;
	sh->gso_segs = DIV_ROUND_UP(payload, 1440);

	if (bv6_t_out(skb, 1500, 7, 70, &err, &how) != NF_STOLEN) {
		kfree_skb(skb);
		KUNIT_FAIL(test, "not segmented");
		return;
	}
	KUNIT_EXPECT_EQ(test, err, 0);
	while ((seg = __skb_dequeue(&bv6_t_sent))) {
		bv6_t_track(test, seg);
		n++;
		KUNIT_EXPECT_EQ(test, bv_skb_stamp6_find(seg, 7, &st, NULL),
				40);
		KUNIT_EXPECT_EQ(test, st.epoch, 70);
		KUNIT_EXPECT_LE(test, seg->len, 1500u + 16);
		if (seg->ip_summed == CHECKSUM_PARTIAL)
			KUNIT_ASSERT_EQ(test, skb_checksum_help(seg), 0);
		bv6_t_expect_sane(test, seg, 56, IPPROTO_TCP);
	}
	KUNIT_EXPECT_EQ(test, n, DIV_ROUND_UP(payload, 1440));
}

/*
 * ---- GRO ----
 *
 * What docs/ipv6.md says of IPv6 GRO, on the kernel's own GRO
 * (gro_harness.h).
 */
/*
 * Feed GRO the @n-th 100-byte segment of one TCP flow, stamped with
 * @epoch (0: unstamped), PSH set or not, as a NIC would: Ethernet header
 * pulled, checksum verified.
 */
static void bv6_t_gro_feed(struct kunit *test, struct bv_t_gro *g,
			   unsigned int n, u32 epoch, bool psh)
{
	u8 *pkt = bv6_t_buf(test, 256);
	unsigned int len, uoff;
	struct tcphdr *th;

	len = bv6_t_build(pkt, NULL, 0, IPPROTO_TCP, 100, &uoff);
	th = (struct tcphdr *)(pkt + uoff);
	th->seq = htonl(1000 + 100 * n);
	th->psh = psh;
	if (epoch)
		KUNIT_ASSERT_EQ(test, bv_stamp6_insert_buf(pkt, &len, 256, 1,
							   epoch), 0);
	bv_t_gro_feed_pkt(test, g, pkt, len);
}

/*
 * What GRO handed up so far, in order: for each packet its segment
 * count and its stamp's epoch (0: none), @max of them. Returns how many.
 */
static unsigned int bv6_t_gro_out(struct kunit *test, struct bv_t_gro *g,
				  unsigned int *segs, u32 *epochs,
				  unsigned int max)
{
	struct sk_buff *skb;
	struct bv_stamp st;
	unsigned int n = 0;

	list_for_each_entry(skb, &g->napi.rx_list, list) {
		KUNIT_ASSERT_LT(test, n, max);
		segs[n] = skb_is_gso(skb) ? skb_shinfo(skb)->gso_segs : 1;
		epochs[n] = bv_skb_stamp6_find(skb, 1, &st, NULL) >= 0 ?
			    st.epoch : 0;
		n++;
	}
	return n;
}

/* stamped segments of one epoch coalesce as unstamped ones do */
static void bv_gro6_same_epoch(struct kunit *test)
{
	struct bv_t_gro *g = bv_t_gro_new(test);
	unsigned int segs[4], n, i;
	u32 epochs[4];

	for (i = 0; i < 4; i++)
		bv6_t_gro_feed(test, g, i, 5, false);
	KUNIT_EXPECT_EQ(test, bv6_t_gro_out(test, g, segs, epochs, 4), 0);
	bv_t_gro_flush(g);
	n = bv6_t_gro_out(test, g, segs, epochs, 4);
	KUNIT_ASSERT_EQ(test, n, 1);
	KUNIT_EXPECT_EQ(test, segs[0], 4);
	KUNIT_EXPECT_EQ(test, epochs[0], 5);
}

/*
 * A new epoch is never merged into the old one's packet; in order when
 * the new one waits, but a first new-epoch segment that GRO completes at
 * once (PSH) reaches the stack before the older packet still held. The
 * same segments unstamped: one packet.
 */
static void bv_gro6_epoch_change(struct kunit *test)
{
	struct bv_t_gro *g = bv_t_gro_new(test);
	unsigned int segs[4], n, i;
	u32 epochs[4];

	/* 3 of epoch 5, then 2 of epoch 6: two packets, in order */
	for (i = 0; i < 5; i++)
		bv6_t_gro_feed(test, g, i, i < 3 ? 5 : 6, false);
	bv_t_gro_flush(g);
	n = bv6_t_gro_out(test, g, segs, epochs, 4);
	KUNIT_ASSERT_EQ(test, n, 2);
	KUNIT_EXPECT_EQ(test, segs[0], 3);
	KUNIT_EXPECT_EQ(test, epochs[0], 5);
	KUNIT_EXPECT_EQ(test, segs[1], 2);
	KUNIT_EXPECT_EQ(test, epochs[1], 6);
	bv_t_gro_drain(g);

	/* the second of epoch 6 has PSH: epoch 6 goes up first */
	for (i = 0; i < 5; i++)
		bv6_t_gro_feed(test, g, i, i < 3 ? 5 : 6, i == 4);
	n = bv6_t_gro_out(test, g, segs, epochs, 4);
	KUNIT_ASSERT_EQ(test, n, 1);
	KUNIT_EXPECT_EQ(test, segs[0], 2);
	KUNIT_EXPECT_EQ(test, epochs[0], 6);
	bv_t_gro_flush(g);
	n = bv6_t_gro_out(test, g, segs, epochs, 4);
	KUNIT_ASSERT_EQ(test, n, 2);
	KUNIT_EXPECT_EQ(test, segs[1], 3);
	KUNIT_EXPECT_EQ(test, epochs[1], 5);
	bv_t_gro_drain(g);

	/* the same five unstamped: one packet, completed by the PSH */
	for (i = 0; i < 5; i++)
		bv6_t_gro_feed(test, g, i, 0, i == 4);
	n = bv6_t_gro_out(test, g, segs, epochs, 4);
	KUNIT_ASSERT_EQ(test, n, 1);
	KUNIT_EXPECT_EQ(test, segs[0], 5);
	KUNIT_EXPECT_EQ(test, epochs[0], 0);
}

static struct kunit_case beaver_stamp6_cases[] = {
	KUNIT_CASE(bv_skb_stamp6_insert_find_strip),
	KUNIT_CASE(bv_skb_stamp6_after_headers),
	KUNIT_CASE(bv_skb_stamp6_fragment),
	KUNIT_CASE(bv_skb_stamp6_foreign),
	KUNIT_CASE(bv_skb_stamp6_malformed),
	KUNIT_CASE(bv_skb_stamp6_chain_limit),
	KUNIT_CASE(bv_skb_stamp6_strip_refused),
	KUNIT_CASE(bv_skb_stamp6_gso),
	KUNIT_CASE(bv_skb_stamp6_max_size),
	KUNIT_CASE(bv_skb_stamp6_strip_checksum_complete),
	KUNIT_CASE(bv_skb_stamp6_strip_as_received),
	KUNIT_CASE(bv_skb_stamp6_checksum_partial),
	KUNIT_CASE(bv_skb_stamp6_no_headroom),
	KUNIT_CASE(bv_skb_stamp6_cloned),
	KUNIT_CASE(bv_skb_stamp6_nonlinear),
	KUNIT_CASE(bv_stamp6_output_fits),
	KUNIT_CASE(bv_stamp6_output_tcp_split),
	KUNIT_CASE(bv_stamp6_output_too_big),
	KUNIT_CASE(bv_stamp6_output_gso_64k),
	KUNIT_CASE(bv_gro6_same_epoch),
	KUNIT_CASE(bv_gro6_epoch_change),
	{}
};

static struct kunit_suite beaver_stamp6_suite = {
	.name = "beaver_stamp6",
	.test_cases = beaver_stamp6_cases,
};

kunit_test_suite(beaver_stamp6_suite);

MODULE_DESCRIPTION("KUnit tests for Beaver's IPv6 stamp");
MODULE_LICENSE("GPL");
