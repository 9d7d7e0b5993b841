// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Records from netlink with both address families (lib/records_nl.c,
 * lib/bvattr.c, lib/bvip.h): IPv4 arrives as NLA_BE32 in the attributes
 * it always used, IPv6 as 16 bytes in the ...6 ones (kmod/uapi/beaver.h,
 * "Addresses"); exactly one of the two, never an IPv4-mapped IPv6 one.
 * The messages are built here as the kernel builds them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "beaver.h"
#include "bvip.h"
#include "../../lib/records_nl.h"

/* one message at a time: every case parses it before building the next */
static char buf[8192];

/* one GET_RECORDS reply message, epoch 7: the caller adds one nest */
static struct nlmsghdr *msg_start(void)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = 0x20;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = BEAVER_CMD_GET_RECORDS;
	g->version = BEAVER_GENL_VERSION;
	mnl_attr_put_u32(nlh, BEAVER_A_EPOCH, 7);
	return nlh;
}

static void put_ip(struct nlmsghdr *nlh, uint16_t type4, uint16_t type6,
		   const char *text)
{
	struct bv_ip ip;

	switch (bv_ip_pton(text, &ip)) {
	case AF_INET:
		mnl_attr_put(nlh, type4, 4, &ip.a.s6_addr[12]);
		break;
	case AF_INET6:
		/* as written, mapped or not: the parser must judge */
		mnl_attr_put(nlh, type6, sizeof(ip.a), &ip.a);
		break;
	default:
		fail_msg("bad address text %s", text);
	}
}

/* a flow nest; NULL leaves an address out */
static struct nlmsghdr *flow_msg(const char *la, const char *ra)
{
	struct nlmsghdr *nlh = msg_start();
	struct nlattr *nest = mnl_attr_nest_start(nlh, BEAVER_A_FLOW);

	mnl_attr_put_u8(nlh, BEAVER_A_FLOW_PROTO, 17);
	if (la)
		put_ip(nlh, BEAVER_A_FLOW_LADDR, BEAVER_A_FLOW_LADDR6, la);
	mnl_attr_put_u16(nlh, BEAVER_A_FLOW_LPORT, htons(7777));
	if (ra)
		put_ip(nlh, BEAVER_A_FLOW_RADDR, BEAVER_A_FLOW_RADDR6, ra);
	mnl_attr_put_u16(nlh, BEAVER_A_FLOW_RPORT, htons(40000));
	mnl_attr_put_u32(nlh, BEAVER_A_FLOW_CPU, 1);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

static int parse_one(const struct nlmsghdr *nlh, struct bvr_records *r)
{
	bvr_init(r);
	return bvr_nl_parse_msg(nlh, r);
}

static void expect_ip(const struct bv_ip *ip, const char *text)
{
	char t[BV_IP_STRLEN];

	assert_string_equal(bv_ip_ntop(ip, t), text);
}

static void test_bv_ip(void **state)
{
	struct bv_ip a, b;
	char t[BV_IP_STRLEN];

	(void)state;
	assert_int_equal(bv_ip_pton("10.0.0.2", &a), AF_INET);
	assert_true(bv_ip_is4(&a));
	assert_int_equal(ntohl(bv_ip_get4(&a)), 0x0a000002);
	assert_string_equal(bv_ip_ntop(&a, t), "10.0.0.2");
	/* the same low 32 bits, another family: never equal */
	assert_int_equal(bv_ip_pton("2001:db8::a00:2", &b), AF_INET6);
	assert_false(bv_ip_is4(&b));
	assert_false(bv_ip_eq(&a, &b));
	assert_int_equal(bv_ip_pton("::a00:2", &b), AF_INET6);
	assert_false(bv_ip_is4(&b));
	assert_false(bv_ip_eq(&a, &b));
	/* IPv6 text of a mapped address is IPv4 once parsed */
	assert_int_equal(bv_ip_pton("::ffff:10.0.0.2", &b), AF_INET6);
	assert_true(bv_ip_eq(&a, &b));
	assert_string_equal(bv_ip_ntop(&b, t), "10.0.0.2");
	/* a zeroed one is ::, not 0.0.0.0 */
	memset(&b, 0, sizeof(b));
	assert_false(bv_ip_is4(&b));
	assert_string_equal(bv_ip_ntop(&b, t), "::");
	b = bv_ip4(0);
	assert_string_equal(bv_ip_ntop(&b, t), "0.0.0.0");
	/* IPv4 keeps its numeric order */
	bv_ip_pton("9.255.255.255", &b);
	assert_true(bv_ip_cmp(&b, &a) < 0);
	bv_ip_pton("10.0.1.0", &b);
	assert_true(bv_ip_cmp(&b, &a) > 0);
	assert_int_equal(bv_ip_pton("10.0.0.256", &b), 0);
	assert_int_equal(bv_ip_pton("2001:db8::g", &b), 0);
}

static void test_flow_families(void **state)
{
	struct bvr_records r;

	(void)state;
	assert_int_equal(parse_one(flow_msg("10.0.0.1", "192.0.2.10"), &r), 0);
	assert_int_equal(r.n_flows, 1);
	assert_true(bv_ip_is4(&r.flows[0].laddr));
	expect_ip(&r.flows[0].laddr, "10.0.0.1");
	expect_ip(&r.flows[0].raddr, "192.0.2.10");
	assert_int_equal(r.flows[0].lport, 7777);
	bvr_free(&r);

	assert_int_equal(parse_one(flow_msg("2001:db8::1", "2001:db8:1::a00:2"),
				   &r), 0);
	assert_int_equal(r.n_flows, 1);
	assert_false(bv_ip_is4(&r.flows[0].laddr));
	expect_ip(&r.flows[0].laddr, "2001:db8::1");
	expect_ip(&r.flows[0].raddr, "2001:db8:1::a00:2");
	bvr_free(&r);
}

static void test_flow_bad_addresses(void **state)
{
	struct nlmsghdr *nlh;
	struct bvr_records r;
	struct nlattr *nest;
	uint8_t fifteen[15] = { 0x20, 0x01 };

	(void)state;
	/* both families for one address */
	nlh = msg_start();
	nest = mnl_attr_nest_start(nlh, BEAVER_A_FLOW);
	mnl_attr_put_u8(nlh, BEAVER_A_FLOW_PROTO, 6);
	put_ip(nlh, BEAVER_A_FLOW_LADDR, BEAVER_A_FLOW_LADDR6, "10.0.0.1");
	put_ip(nlh, BEAVER_A_FLOW_LADDR, BEAVER_A_FLOW_LADDR6, "2001:db8::1");
	put_ip(nlh, BEAVER_A_FLOW_RADDR, BEAVER_A_FLOW_RADDR6, "10.0.0.2");
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(parse_one(nlh, &r), -EINVAL);
	bvr_free(&r);
	/* none */
	assert_int_equal(parse_one(flow_msg("10.0.0.1", NULL), &r), -EINVAL);
	bvr_free(&r);
	assert_int_equal(parse_one(flow_msg(NULL, "2001:db8::1"), &r), -EINVAL);
	bvr_free(&r);
	/* IPv4-mapped: the kernel sends those as IPv4 */
	assert_int_equal(parse_one(flow_msg("2001:db8::1", "::ffff:10.0.0.2"),
				   &r), -EINVAL);
	bvr_free(&r);
	/* 15 bytes */
	nlh = msg_start();
	nest = mnl_attr_nest_start(nlh, BEAVER_A_FLOW);
	mnl_attr_put_u8(nlh, BEAVER_A_FLOW_PROTO, 6);
	put_ip(nlh, BEAVER_A_FLOW_LADDR, BEAVER_A_FLOW_LADDR6, "2001:db8::1");
	mnl_attr_put(nlh, BEAVER_A_FLOW_RADDR6, sizeof(fifteen), fifteen);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(parse_one(nlh, &r), -EINVAL);
	assert_int_equal(r.n_flows, 0);
	bvr_free(&r);
}

static struct nlmsghdr *chan_msg(const char *peer)
{
	struct nlmsghdr *nlh = msg_start();
	struct nlattr *nest = mnl_attr_nest_start(nlh, BEAVER_A_CHANNEL);

	mnl_attr_put_u8(nlh, BEAVER_A_CHAN_KIND, BEAVER_CHAN_MEMBER);
	if (peer)
		put_ip(nlh, BEAVER_A_CHAN_PEER, BEAVER_A_CHAN_PEER6, peer);
	mnl_attr_put_u32(nlh, BEAVER_A_CHAN_CPU, 0);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

static struct nlmsghdr *late_msg(const char *peer)
{
	struct nlmsghdr *nlh = msg_start();
	struct nlattr *nest = mnl_attr_nest_start(nlh, BEAVER_A_LATE);

	mnl_attr_put_u8(nlh, BEAVER_A_LATE_KIND, BEAVER_CHAN_MEMBER);
	if (peer)
		put_ip(nlh, BEAVER_A_LATE_PEER, BEAVER_A_LATE_PEER6, peer);
	mnl_attr_put_u32(nlh, BEAVER_A_LATE_FIRST, 5);
	mnl_attr_put_u32(nlh, BEAVER_A_LATE_LAST, 6);
	mnl_attr_put_u32(nlh, BEAVER_A_LATE_ARRIVED, 7);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

static void test_peers(void **state)
{
	struct bvr_records r;

	(void)state;
	/* no peer attribute: 0.0.0.0, as the aggregates have always been */
	assert_int_equal(parse_one(chan_msg(NULL), &r), 0);
	expect_ip(&r.chans[0].peer, "0.0.0.0");
	assert_true(bv_ip_is4(&r.chans[0].peer));
	bvr_free(&r);
	assert_int_equal(parse_one(chan_msg("10.0.1.12"), &r), 0);
	expect_ip(&r.chans[0].peer, "10.0.1.12");
	bvr_free(&r);
	assert_int_equal(parse_one(chan_msg("2001:db8::c"), &r), 0);
	expect_ip(&r.chans[0].peer, "2001:db8::c");
	bvr_free(&r);
	assert_int_equal(parse_one(chan_msg("::ffff:10.0.1.12"), &r), -EINVAL);
	bvr_free(&r);

	assert_int_equal(parse_one(late_msg(NULL), &r), 0);
	expect_ip(&r.lates[0].peer, "0.0.0.0");
	bvr_free(&r);
	assert_int_equal(parse_one(late_msg("2001:db8::c"), &r), 0);
	expect_ip(&r.lates[0].peer, "2001:db8::c");
	assert_int_equal(r.lates[0].arrived, 7);
	bvr_free(&r);
	assert_int_equal(parse_one(late_msg("::ffff:10.0.1.12"), &r), -EINVAL);
	bvr_free(&r);
}

/*
 * Shares of IPv4 and IPv6 keys with the same low 32 bits merge apart;
 * IPv4 first (::ffff:0:0/96 sorts below 2001:db8::/32), in numeric order
 */
static void test_merge_families(void **state)
{
	static const char *const peers[] = {
		"2001:db8::a00:2", "10.0.0.2", "10.0.0.10", "2001:db8::a00:2",
		"10.0.0.2", "9.0.0.2",
	};
	static const char *const want[] = {
		"9.0.0.2", "10.0.0.2", "10.0.0.10", "2001:db8::a00:2",
	};
	struct bvr_records r;

	(void)state;
	bvr_init(&r);
	for (size_t i = 0; i < sizeof(peers) / sizeof(peers[0]); i++) {
		assert_int_equal(bvr_nl_parse_msg(chan_msg(peers[i]), &r), 0);
		assert_int_equal(bvr_nl_parse_msg(flow_msg("10.0.0.1", peers[i]),
						  &r), 0);
		r.chans[r.n_chans - 1].tot.rx_pkts = 1;
		r.flows[r.n_flows - 1].tot.rx_pkts = 1;
	}
	bvr_merge(&r);
	assert_int_equal(r.n_chans, 4);
	assert_int_equal(r.n_flows, 4);
	for (size_t i = 0; i < 4; i++) {
		uint64_t n = i == 1 || i == 3 ? 2 : 1;

		expect_ip(&r.chans[i].peer, want[i]);
		expect_ip(&r.flows[i].raddr, want[i]);
		assert_int_equal(r.chans[i].tot.rx_pkts, n);
		assert_int_equal(r.flows[i].tot.rx_pkts, n);
	}
	bvr_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bv_ip),
		cmocka_unit_test(test_flow_families),
		cmocka_unit_test(test_flow_bad_addresses),
		cmocka_unit_test(test_peers),
		cmocka_unit_test(test_merge_families),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
