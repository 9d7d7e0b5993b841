// SPDX-License-Identifier: GPL-2.0
/*
 * beaver-nl status: BEAVER_CMD_GET_STATUS as `key value` lines, then
 * stat.NAME and obj.NAME counters. A scalar the kernel did not send is not
 * printed (a made-up 0 would hide a kernel bug); an absent list prints
 * `none`, as it would if sent empty.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <libmnl/libmnl.h>

#include "beaver.h"
#include "bnl.h"
#include "bvattr.h"
#include "bvnames.h"

static const struct {
	const char *key;
	uint16_t type;
} scalars[] = {
	{ "group", BEAVER_A_CFG_GROUP },
	{ "gw_epoch", BEAVER_A_GW_EPOCH },
	{ "member_epoch", BEAVER_A_MEMBER_EPOCH },
	{ "complete_epoch", BEAVER_A_COMPLETE_EPOCH },
	{ "generation", BEAVER_A_GENERATION },
	{ "switch_ns", BEAVER_A_SWITCH_NS },
	{ "settle_ms", BEAVER_A_CFG_SETTLE_MS },
	{ "max_flows", BEAVER_A_CFG_MAX_FLOWS },
	{ "max_history", BEAVER_A_CFG_MAX_HISTORY },
	{ "max_records", BEAVER_A_CFG_MAX_RECORDS },
	{ "max_captures", BEAVER_A_CFG_MAX_CAPTURES },
	{ "capture_bytes", BEAVER_A_CFG_CAPTURE_BYTES },
	{ "flags", BEAVER_A_CFG_FLAGS },
	{ "max_ahead", BEAVER_A_CFG_MAX_AHEAD },
	{ "flow_idle_ms", BEAVER_A_CFG_FLOW_IDLE_MS },
	{ "app_mark", BEAVER_A_CFG_APP_MARK },
};

/* BEAVER_A_LIST_ITEM (IPv4) and BEAVER_A_LIST_ITEM6 (IPv6), in order */
static int print_addr_list(const char *key, const struct nlattr *nest)
{
	const struct nlattr *a;
	char buf[BV_IP_STRLEN];
	int n = 0;

	printf("%s ", key);
	if (nest) {
		mnl_attr_for_each_nested(a, nest) {
			uint16_t type = mnl_attr_get_type(a);
			struct bv_ip addr;

			if (bva_get_ip(type == BEAVER_A_LIST_ITEM ? a : NULL,
				       type == BEAVER_A_LIST_ITEM6 ? a : NULL,
				       &addr))
				return -EBADMSG;
			printf("%s%s", n++ ? "," : "", bv_ip_ntop(&addr, buf));
		}
	}
	printf("%s\n", n ? "" : "none");
	return 0;
}

static int print_prefix_list(const struct nlattr *nest)
{
	const struct nlattr *item, *tb[BEAVER_A_PREFIX_MAX + 1];
	char buf[BV_IP_STRLEN];
	int n = 0;

	printf("allow ");
	if (nest) {
		mnl_attr_for_each_nested(item, nest) {
			struct bv_ip addr;
			uint64_t len;

			if (bva_parse_nested(item, tb, BEAVER_A_PREFIX_MAX) ||
			    !tb[BEAVER_A_PREFIX_LEN] ||
			    bva_get_ip(tb[BEAVER_A_PREFIX_ADDR],
				       tb[BEAVER_A_PREFIX_ADDR6], &addr) ||
			    bva_get_uint(tb[BEAVER_A_PREFIX_LEN], &len))
				return -EBADMSG;
			printf("%s%s/%" PRIu64, n++ ? "," : "",
			       bv_ip_ntop(&addr, buf), len);
		}
	}
	printf("%s\n", n ? "" : "none");
	return 0;
}

/* stat.NAME / obj.NAME lines; unknown ids as PREFIX.id<N> */
static int print_counters(const char *prefix, const struct nlattr *nest,
			  const char *(*name)(unsigned int))
{
	const struct nlattr *a;

	if (!nest)
		return 0;
	mnl_attr_for_each_nested(a, nest) {
		unsigned int id = mnl_attr_get_type(a);
		const char *n = name(id);
		uint64_t v;

		if (bva_get_uint(a, &v))
			return -EBADMSG;
		if (n)
			printf("%s.%s %" PRIu64 "\n", prefix, n, v);
		else
			printf("%s.id%u %" PRIu64 "\n", prefix, id, v);
	}
	return 0;
}

static int status_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[BEAVER_A_MAX + 1];
	char role[32];

	(void)data;
	if (bva_parse_genl(nlh, tb, BEAVER_A_MAX))
		return -EBADMSG;
	if (tb[BEAVER_A_CFG_ROLE]) {
		uint32_t r;

		if (bva_get_u32(tb[BEAVER_A_CFG_ROLE], &r))
			return -EBADMSG;
		printf("role %s\n", bv_role_str(r, role, sizeof(role)));
	}
	for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++) {
		uint64_t v;

		if (!tb[scalars[i].type])
			continue;
		if (bva_get_uint(tb[scalars[i].type], &v))
			return -EBADMSG;
		printf("%s %" PRIu64 "\n", scalars[i].key, v);
	}
	if (tb[BEAVER_A_CFG_FLAGS]) {
		uint64_t f = 0;

		bva_get_uint(tb[BEAVER_A_CFG_FLAGS], &f);
		printf("mss_clamp %s\n",
		       f & BEAVER_CFG_F_NO_MSS_CLAMP ? "off" : "on");
		printf("ipv4_stamp %s\n",
		       f & BEAVER_CFG_F_IPV4_OPTION ? "option" : "id");
	}
	if (print_addr_list("members", tb[BEAVER_A_CFG_MEMBERS]) ||
	    print_addr_list("vips", tb[BEAVER_A_CFG_VIPS]) ||
	    print_addr_list("gateways", tb[BEAVER_A_CFG_GATEWAYS]) ||
	    print_prefix_list(tb[BEAVER_A_CFG_ALLOW]) ||
	    print_counters("stat", tb[BEAVER_A_STATS], bv_stat_name) ||
	    print_counters("obj", tb[BEAVER_A_OBJECTS], bv_obj_name))
		return -EBADMSG;
	return 0;
}

int bnl_cmd_status(struct bnl *c, int argc, char **argv)
{
	struct bvnl *b;

	(void)argv;
	if (argc != 1)
		bnl_usage(c, "takes no arguments");
	b = bnl_open(c, c->netns);
	bnl_request(c, b, bvnl_msg(b, BEAVER_CMD_GET_STATUS, 0), status_cb,
		    NULL);
	bvnl_close(b);
	return BNL_EXIT_OK;
}
