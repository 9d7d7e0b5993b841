// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite beaver_stamp_id: the stamp in the IPv4 ID
 * (netfilter/stamp_id.c, compiled from the module's own source file), on
 * real sk_buffs and through the kernel's own GRO: which packets carry it,
 * the header after writing it, and that GRO merges stamped segments of
 * one epoch but never segments of two, even when the first two segments
 * GRO sees are of consecutive epochs (the reason the encoding is odd and
 * shifted: docs/decisions.md, "The stamp in the IPv4 ID").
 */
#include <kunit/test.h>
#include <kunit/resource.h>
#include <linux/etherdevice.h>
#include <linux/ip.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/checksum.h>
#include <net/gro.h>
#include <net/ip.h>
#include "stamp_id.h"
#include "gro_harness.h"

#define BV_ID_T_PAYLOAD	100
#define BV_ID_T_LEN	(sizeof(struct iphdr) + sizeof(struct tcphdr) + \
			 BV_ID_T_PAYLOAD)

/*
 * The @n-th 100-byte segment of one IPv4 TCP flow (ACK set), with the ID
 * @id and @frag_off, header checksum valid, at @pkt
 */
static void bv_id_t_build(u8 *pkt, unsigned int n, u16 id, u16 frag_off,
			  bool psh)
{
	struct iphdr *iph = (struct iphdr *)pkt;
	struct tcphdr *th = (struct tcphdr *)(pkt + sizeof(*iph));
	unsigned int tlen = sizeof(*th) + BV_ID_T_PAYLOAD;

	memset(pkt, 0, BV_ID_T_LEN);
	iph->version = 4;
	iph->ihl = 5;
	iph->tot_len = htons(BV_ID_T_LEN);
	iph->id = htons(id);
	iph->frag_off = htons(frag_off);
	iph->ttl = 64;
	iph->protocol = IPPROTO_TCP;
	iph->saddr = htonl(0x0a000002);
	iph->daddr = htonl(0x0a000001);
	ip_send_check(iph);
	th->source = htons(40000);
	th->dest = htons(80);
	th->seq = htonl(1000 + BV_ID_T_PAYLOAD * n);
	th->ack_seq = htonl(1);
	th->doff = 5;
	th->ack = 1;
	th->psh = psh;
	th->window = htons(1024);
	th->check = csum_tcpudp_magic(iph->saddr, iph->daddr, tlen,
				      IPPROTO_TCP, csum_partial(th, tlen, 0));
}

static struct sk_buff *bv_id_t_skb(struct kunit *test, const u8 *pkt)
{
	struct sk_buff *skb = alloc_skb(64 + BV_ID_T_LEN, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, 64);
	skb_put_data(skb, pkt, BV_ID_T_LEN);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, sizeof(struct iphdr));
	skb->protocol = htons(ETH_P_IP);
	return skb;
}

/* which packets carry it; what writing it leaves */
static void bv_id_fits_and_set(struct kunit *test)
{
	u8 pkt[BV_ID_T_LEN];
	struct sk_buff *skb;

	bv_id_t_build(pkt, 0, 0x1234, IP_DF, false);
	skb = bv_id_t_skb(test, pkt);
	KUNIT_EXPECT_TRUE(test, bv_skb_id_fits(skb, NULL));
	KUNIT_EXPECT_EQ(test, bv_skb_id_set(skb, bv_id_encode(77)), 0);
	KUNIT_EXPECT_EQ(test, ntohs(ip_hdr(skb)->id), bv_id_encode(77));
	KUNIT_EXPECT_EQ(test, (__force u16)ip_fast_csum(ip_hdr(skb), 5), 0);
	KUNIT_EXPECT_EQ(test, bv_skb_id_get(skb), bv_id_encode(77));
	kfree_skb(skb);

	/* not atomic: DF clear, or a fragment */
	bv_id_t_build(pkt, 0, 0x1234, 0, false);
	skb = bv_id_t_skb(test, pkt);
	KUNIT_EXPECT_FALSE(test, bv_skb_id_fits(skb, NULL));
	KUNIT_EXPECT_EQ(test, bv_skb_id_get(skb), -ENOENT);
	kfree_skb(skb);
	bv_id_t_build(pkt, 0, 0x1234, IP_DF | IP_MF, false);
	skb = bv_id_t_skb(test, pkt);
	KUNIT_EXPECT_FALSE(test, bv_skb_id_fits(skb, NULL));
	kfree_skb(skb);

	/* no data, or a SYN: the option, which tells the whole epoch */
	bv_id_t_build(pkt, 0, 0x1234, IP_DF, false);
	((struct tcphdr *)(pkt + sizeof(struct iphdr)))->syn = 1;
	skb = bv_id_t_skb(test, pkt);
	KUNIT_EXPECT_FALSE(test, bv_skb_id_fits(skb, NULL));
	kfree_skb(skb);
	bv_id_t_build(pkt, 0, 0x1234, IP_DF, false);
	skb = bv_id_t_skb(test, pkt);
	skb_trim(skb, sizeof(struct iphdr) + sizeof(struct tcphdr));
	KUNIT_EXPECT_FALSE(test, bv_skb_id_fits(skb, NULL));
	kfree_skb(skb);

	/* TCP GSO: fixed-ID from now on, so every segment carries it */
	bv_id_t_build(pkt, 0, 0x1234, IP_DF, false);
	skb = bv_id_t_skb(test, pkt);
	skb_shinfo(skb)->gso_size = 50;
	skb_shinfo(skb)->gso_segs = 2;
	skb_shinfo(skb)->gso_type = SKB_GSO_TCPV4;
	KUNIT_EXPECT_FALSE(test, bv_skb_id_fits(skb, NULL));	/* no device */
	skb_shinfo(skb)->gso_type = SKB_GSO_UDP_L4;
	KUNIT_EXPECT_FALSE(test, bv_skb_id_fits(skb, NULL));
	skb_shinfo(skb)->gso_type = SKB_GSO_TCPV4;
	KUNIT_EXPECT_EQ(test, bv_skb_id_set(skb, bv_id_encode(9)), 0);
	KUNIT_EXPECT_TRUE(test, skb_shinfo(skb)->gso_type &
			  SKB_GSO_TCP_FIXEDID);
	kfree_skb(skb);
}

/* ---- GRO (gro_harness.h) ---- */

/* the @n-th segment with the ID @id, as a NIC hands it over */
static void bv_id_t_gro_feed(struct kunit *test, struct bv_t_gro *g,
			     unsigned int n, u16 id)
{
	u8 pkt[BV_ID_T_LEN];

	bv_id_t_build(pkt, n, id, IP_DF, false);
	bv_t_gro_feed_pkt(test, g, pkt, BV_ID_T_LEN);
}

/*
 * Feed @n segments with the IDs @ids, flush, and return how many packets
 * GRO handed up; their segment counts and IDs in @segs and @out
 */
static unsigned int bv_id_t_gro_run(struct kunit *test, const u16 *ids,
				    unsigned int n, unsigned int *segs,
				    u16 *out)
{
	struct bv_t_gro *g = bv_t_gro_new(test);
	struct sk_buff *skb;
	unsigned int i, k = 0;

	for (i = 0; i < n; i++)
		bv_id_t_gro_feed(test, g, i, ids[i]);
	bv_t_gro_flush(g);
	list_for_each_entry(skb, &g->napi.rx_list, list) {
		KUNIT_ASSERT_LT(test, k, n);
		segs[k] = skb_is_gso(skb) ? skb_shinfo(skb)->gso_segs : 1;
		out[k] = ntohs(ip_hdr(skb)->id);
		k++;
	}
	return k;
}

/* one epoch: merged into one packet, which still carries the stamp */
static void bv_id_gro_same_epoch(struct kunit *test)
{
	u16 ids[4], out[4];
	unsigned int segs[4], i;

	for (i = 0; i < 4; i++)
		ids[i] = bv_id_encode(5);
	KUNIT_ASSERT_EQ(test, bv_id_t_gro_run(test, ids, 4, segs, out), 1);
	KUNIT_EXPECT_EQ(test, segs[0], 4);
	KUNIT_EXPECT_EQ(test, out[0], bv_id_encode(5));
}

/*
 * Two epochs: never in one packet. The first two segments of consecutive
 * epochs are the hard case: were the ID the epoch itself, they would
 * differ by 1, and GRO would merge them as an incrementing run (shown
 * below, as the control that makes this case able to fail).
 */
static void bv_id_gro_epoch_change(struct kunit *test)
{
	u16 ids[5], out[5];
	unsigned int segs[5], i, n;

	for (i = 0; i < 5; i++)
		ids[i] = bv_id_encode(i < 3 ? 5 : 6);
	n = bv_id_t_gro_run(test, ids, 5, segs, out);
	KUNIT_ASSERT_EQ(test, n, 2);
	KUNIT_EXPECT_EQ(test, segs[0], 3);
	KUNIT_EXPECT_EQ(test, out[0], bv_id_encode(5));
	KUNIT_EXPECT_EQ(test, segs[1], 2);
	KUNIT_EXPECT_EQ(test, out[1], bv_id_encode(6));

	/* epochs 5, 6, 6, 6: the first alone */
	for (i = 0; i < 4; i++)
		ids[i] = bv_id_encode(i ? 6 : 5);
	n = bv_id_t_gro_run(test, ids, 4, segs, out);
	KUNIT_ASSERT_EQ(test, n, 2);
	KUNIT_EXPECT_EQ(test, segs[0], 1);
	KUNIT_EXPECT_EQ(test, segs[1], 3);

	/* the control: IDs 5 then 6 (the epochs themselves) merge */
	ids[0] = 5;
	ids[1] = 6;
	n = bv_id_t_gro_run(test, ids, 2, segs, out);
	KUNIT_ASSERT_EQ(test, n, 1);
	KUNIT_EXPECT_EQ(test, segs[0], 2);
}

static struct kunit_case beaver_stamp_id_cases[] = {
	KUNIT_CASE(bv_id_fits_and_set),
	KUNIT_CASE(bv_id_gro_same_epoch),
	KUNIT_CASE(bv_id_gro_epoch_change),
	{}
};

static struct kunit_suite beaver_stamp_id_suite = {
	.name = "beaver_stamp_id",
	.test_cases = beaver_stamp_id_cases,
};

kunit_test_suite(beaver_stamp_id_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for Beaver's stamp in the IPv4 ID");
