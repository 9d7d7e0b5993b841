// SPDX-License-Identifier: GPL-2.0
/*
 * beaver-nl config: one BEAVER_CMD_SET_CONFIG carrying only the settings
 * named on the command line (absent attributes keep their value in the
 * kernel). Values are range-checked only as far as the attribute type
 * needs, so that the kernel's own policy can be tested with bad values.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>

#include "beaver.h"
#include "bvattr.h"
#include "bnl.h"
#include "bvip.h"
#include "bvnames.h"

/* "none" sends an empty nest: the list is replaced by nothing */
static bool is_none(const char *s)
{
	return !strcmp(s, "none");
}

static void overflow(struct bnl *c)
{
	bnl_usage(c, "too many list elements for one request");
}

/*
 * An address of either family, put as @type4 (NLA_BE32) if written as
 * IPv4, else as @type6 (16 bytes): IPv6 text of an IPv4-mapped address
 * goes as IPv6, so that the kernel's refusal of it can be tested
 */
static void put_addr(struct bnl *c, struct bvnl *b, struct nlmsghdr *nlh,
		     uint16_t type4, uint16_t type6, const char *what,
		     const char *s)
{
	struct bv_ip ip;
	bool ok;

	switch (bv_ip_pton(s, &ip)) {
	case AF_INET:
		ok = mnl_attr_put_u32_check(nlh, bvnl_room(b), type4,
					    bv_ip_get4(&ip));
		break;
	case AF_INET6:
		ok = mnl_attr_put_check(nlh, bvnl_room(b), type6,
					sizeof(ip.a), &ip.a);
		break;
	default:
		bnl_usage(c, "bad %s address '%s'", what, s);
	}
	if (!ok)
		overflow(c);
}

/* members/vips/gateways: nest of BEAVER_A_LIST_ITEM(6) addresses */
static void put_addr_list(struct bnl *c, struct bvnl *b, struct nlmsghdr *nlh,
			  uint16_t type, const char *what, const char *list)
{
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, bvnl_room(b), type);
	char *dup, *tok, *save = NULL;

	if (!nest)
		overflow(c);
	if (!is_none(list)) {
		dup = strdup(list);
		if (!dup)
			bnl_die(c, BNL_EXIT_FAIL, "out of memory");
		for (tok = strtok_r(dup, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save))
			put_addr(c, b, nlh, BEAVER_A_LIST_ITEM,
				 BEAVER_A_LIST_ITEM6, what, tok);
		free(dup);
	}
	mnl_attr_nest_end(nlh, nest);
}

/* allow: nest of BEAVER_A_LIST_ITEM nests {PREFIX_ADDR(6), PREFIX_LEN} */
static void put_prefix_list(struct bnl *c, struct bvnl *b,
			    struct nlmsghdr *nlh, const char *list)
{
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, bvnl_room(b),
							BEAVER_A_CFG_ALLOW);
	char *dup, *tok, *save = NULL;

	if (!nest)
		overflow(c);
	if (!is_none(list)) {
		dup = strdup(list);
		if (!dup)
			bnl_die(c, BNL_EXIT_FAIL, "out of memory");
		for (tok = strtok_r(dup, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			char *slash = strchr(tok, '/');
			struct nlattr *item;
			uint8_t len;

			if (!slash)
				bnl_usage(c, "allow prefix '%s' needs /LEN", tok);
			*slash = '\0';
			/* u8 on the wire; the kernel checks 0..32 or 0..128 */
			len = (uint8_t)bnl_arg_u64(c, "prefix length", slash + 1,
						   UINT8_MAX);
			item = mnl_attr_nest_start_check(nlh, bvnl_room(b),
							 BEAVER_A_LIST_ITEM);
			if (!item)
				overflow(c);
			put_addr(c, b, nlh, BEAVER_A_PREFIX_ADDR,
				 BEAVER_A_PREFIX_ADDR6, "allow", tok);
			if (!mnl_attr_put_u8_check(nlh, bvnl_room(b),
						   BEAVER_A_PREFIX_LEN, len))
				overflow(c);
			mnl_attr_nest_end(nlh, item);
		}
		free(dup);
	}
	mnl_attr_nest_end(nlh, nest);
}

/* keyword -> NLA_U32 attribute */
static const struct {
	const char *key;
	uint16_t type;
} u32_keys[] = {
	{ "settle", BEAVER_A_CFG_SETTLE_MS },
	{ "max-flows", BEAVER_A_CFG_MAX_FLOWS },
	{ "max-history", BEAVER_A_CFG_MAX_HISTORY },
	{ "max-records", BEAVER_A_CFG_MAX_RECORDS },
	{ "max-captures", BEAVER_A_CFG_MAX_CAPTURES },
	{ "capture-bytes", BEAVER_A_CFG_CAPTURE_BYTES },
	{ "max-ahead", BEAVER_A_CFG_MAX_AHEAD },
	{ "flow-idle", BEAVER_A_CFG_FLOW_IDLE_MS },
	{ "app-mark", BEAVER_A_CFG_APP_MARK },
};

static int flags_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[BEAVER_A_MAX + 1];
	uint64_t v;

	if (bva_parse_genl(nlh, tb, BEAVER_A_MAX))
		return -EBADMSG;
	if (tb[BEAVER_A_CFG_FLAGS]) {
		if (bva_get_uint(tb[BEAVER_A_CFG_FLAGS], &v))
			return -EBADMSG;
		*(uint32_t *)data = (uint32_t)v;
	}
	return 0;
}

/*
 * The flags in force: `mss-clamp` and `ipv4-stamp` change one bit of the
 * one BEAVER_A_CFG_FLAGS attribute, so the others must be sent as they
 * are (`config mss-clamp off` once turned the option encoding off). Not
 * asked in a dry run, which sends nothing.
 */
static uint32_t current_flags(struct bnl *c)
{
	uint32_t flags = 0;
	struct bvnl *b;

	if (c->dry_run)
		return 0;
	b = bnl_open(c, c->netns);
	bnl_request(c, b, bvnl_msg(b, BEAVER_CMD_GET_STATUS, 0), flags_cb,
		    &flags);
	bvnl_close(b);
	return flags;
}

int bnl_cmd_config(struct bnl *c, int argc, char **argv)
{
	bool seen[BEAVER_A_MAX + 1] = { false };
	bool has_flags = false, flags_given = false;
	uint32_t set = 0, clear = 0, flags = 0;
	struct nlmsghdr *nlh;
	struct bvnl *b;

	if ((argc - 1) % 2)
		bnl_usage(c, "settings come as KEY VALUE pairs");
	b = bnl_open(c, c->netns);
	nlh = bvnl_msg(b, BEAVER_CMD_SET_CONFIG, 0);
	for (int i = 1; i < argc; i += 2) {
		const char *key = argv[i], *val = argv[i + 1];
		uint16_t type = 0;

		if (!strcmp(key, "role")) {
			uint32_t role;

			if (bv_role_parse(val, &role))
				bnl_usage(c, "bad role '%s'", val);
			type = BEAVER_A_CFG_ROLE;
			mnl_attr_put_u32(nlh, type, role);
		} else if (!strcmp(key, "group")) {
			type = BEAVER_A_CFG_GROUP;
			mnl_attr_put_u8(nlh, type, (uint8_t)bnl_arg_u64(
					c, "group", val, UINT8_MAX));
		} else if (!strcmp(key, "members")) {
			type = BEAVER_A_CFG_MEMBERS;
			put_addr_list(c, b, nlh, type, "member", val);
		} else if (!strcmp(key, "vips")) {
			type = BEAVER_A_CFG_VIPS;
			put_addr_list(c, b, nlh, type, "vip", val);
		} else if (!strcmp(key, "gateways")) {
			type = BEAVER_A_CFG_GATEWAYS;
			put_addr_list(c, b, nlh, type, "gateway", val);
		} else if (!strcmp(key, "allow")) {
			type = BEAVER_A_CFG_ALLOW;
			put_prefix_list(c, b, nlh, val);
		} else if (!strcmp(key, "mss-clamp") || !strcmp(key, "flags") ||
			   !strcmp(key, "ipv4-stamp")) {
			uint32_t bit = !strcmp(key, "ipv4-stamp") ?
				       BEAVER_CFG_F_IPV4_OPTION :
				       BEAVER_CFG_F_NO_MSS_CLAMP;

			if (!strcmp(key, "flags")) {
				flags = (uint32_t)bnl_arg_u64(c, "flags", val,
							      UINT32_MAX);
				flags_given = true;
			} else if (!strcmp(val, bit == BEAVER_CFG_F_IPV4_OPTION ?
						"option" : "off")) {
				set |= bit;
				clear &= ~bit;
			} else if (!strcmp(val, bit == BEAVER_CFG_F_IPV4_OPTION ?
						"id" : "on")) {
				clear |= bit;
				set &= ~bit;
			} else if (bit == BEAVER_CFG_F_IPV4_OPTION) {
				bnl_usage(c, "ipv4-stamp takes id or option");
			} else {
				bnl_usage(c, "mss-clamp takes on or off");
			}
			has_flags = true;
			continue;	/* one attribute for both, put last */
		} else {
			for (size_t k = 0; k < sizeof(u32_keys) / sizeof(u32_keys[0]); k++) {
				if (strcmp(key, u32_keys[k].key))
					continue;
				type = u32_keys[k].type;
				mnl_attr_put_u32(nlh, type, (uint32_t)bnl_arg_u64(
						c, key, val, UINT32_MAX));
			}
			if (!type)
				bnl_usage(c, "unknown setting '%s'", key);
		}
		if (seen[type])
			bnl_usage(c, "setting '%s' given twice", key);
		seen[type] = true;
	}
	if (has_flags) {
		if (!flags_given)
			flags = current_flags(c);
		mnl_attr_put_u32(nlh, BEAVER_A_CFG_FLAGS,
				 (flags | set) & ~clear);
	}
	bnl_request(c, b, nlh, NULL, NULL);
	bvnl_close(b);
	return BNL_EXIT_OK;
}
