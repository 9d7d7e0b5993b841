/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel's GRO makes of segments, for the KUnit suites that ask
 * (beaver_stamp6, beaver_stamp_id): segments fed to napi_gro_receive()
 * on a NAPI context of a device that is never registered (nothing reaches
 * the stack: the test takes what GRO completed from napi->rx_list, kept
 * below gro_normal_batch, and frees it).
 */
#ifndef _BEAVER_KUNIT_GRO_HARNESS_H
#define _BEAVER_KUNIT_GRO_HARNESS_H

#include <kunit/test.h>
#include <kunit/resource.h>
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <net/gro.h>

struct bv_t_gro {
	struct net_device *dev;
	struct napi_struct napi;
};

static int bv_t_gro_poll(struct napi_struct *napi, int budget)
{
	return 0;
}

/* free what GRO handed up so far */
static void bv_t_gro_drain(struct bv_t_gro *g)
{
	struct sk_buff *skb, *next;

	list_for_each_entry_safe(skb, next, &g->napi.rx_list, list) {
		skb_list_del_init(skb);
		kfree_skb(skb);
	}
	g->napi.rx_count = 0;
}

/* complete every packet GRO still holds */
static void bv_t_gro_flush(struct bv_t_gro *g)
{
	local_bh_disable();
	napi_gro_flush(&g->napi, false);
	local_bh_enable();
}

static int bv_t_gro_init(struct kunit_resource *res, void *context)
{
	struct bv_t_gro *g = kzalloc(sizeof(*g), GFP_KERNEL);

	if (!g)
		return -ENOMEM;
	g->dev = alloc_etherdev(0);
	if (!g->dev) {
		kfree(g);
		return -ENOMEM;
	}
	g->dev->features |= NETIF_F_GRO;
	netif_napi_add(g->dev, &g->napi, bv_t_gro_poll);
	res->data = g;
	return 0;
}

static void bv_t_gro_free(struct kunit_resource *res)
{
	struct bv_t_gro *g = res->data;

	bv_t_gro_flush(g);
	bv_t_gro_drain(g);
	netif_napi_del(&g->napi);
	free_netdev(g->dev);
	kfree(g);
}

/* a GRO context for this test case, freed with it */
static struct bv_t_gro *bv_t_gro_new(struct kunit *test)
{
	struct bv_t_gro *g = kunit_alloc_resource(test, bv_t_gro_init,
						  bv_t_gro_free, GFP_KERNEL,
						  NULL);

	KUNIT_ASSERT_NOT_NULL(test, g);
	return g;
}

/*
 * Feed GRO the IP packet @pkt (@len bytes, either family) as a NIC would:
 * behind an Ethernet header, pulled, the checksum verified
 */
static void bv_t_gro_feed_pkt(struct kunit *test, struct bv_t_gro *g,
			      const u8 *pkt, unsigned int len)
{
	u8 eth[ETH_HLEN] = { 0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01 };
	__be16 proto = htons((pkt[0] >> 4) == 6 ? ETH_P_IPV6 : ETH_P_IP);
	struct sk_buff *skb;

	memcpy(eth + 2 * ETH_ALEN, &proto, sizeof(proto));
	skb = alloc_skb(NET_IP_ALIGN + ETH_HLEN + len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, NET_IP_ALIGN);
	skb_put_data(skb, eth, ETH_HLEN);
	skb_put_data(skb, pkt, len);
	skb->dev = g->dev;
	skb->protocol = eth_type_trans(skb, g->dev);
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	local_bh_disable();
	napi_gro_receive(&g->napi, skb);
	local_bh_enable();
}

#endif /* _BEAVER_KUNIT_GRO_HARNESS_H */
