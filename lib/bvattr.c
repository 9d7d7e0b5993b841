// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "bvattr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

struct tb_ctx {
	const struct nlattr **tb;
	unsigned int max;
};

static int tb_cb(const struct nlattr *a, void *data)
{
	struct tb_ctx *c = data;
	unsigned int type = mnl_attr_get_type(a);

	if (type <= c->max)
		c->tb[type] = a;
	return MNL_CB_OK;
}

static void tb_clear(const struct nlattr **tb, unsigned int max)
{
	for (unsigned int i = 0; i <= max; i++)
		tb[i] = NULL;
}

int bva_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
		     unsigned int max)
{
	struct tb_ctx c = { tb, max };

	tb_clear(tb, max);
	/* (libmnl stops quietly at a truncated attribute: the kernel sends none) */
	if (mnl_attr_parse_nested(nest, tb_cb, &c) < 0)
		return -EINVAL;
	return 0;
}

int bva_parse_genl(const struct nlmsghdr *nlh, const struct nlattr **tb,
		   unsigned int max)
{
	struct tb_ctx c = { tb, max };

	tb_clear(tb, max);
	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return -EINVAL;
	if (mnl_attr_parse(nlh, GENL_HDRLEN, tb_cb, &c) < 0)
		return -EINVAL;
	return 0;
}

int bva_get_uint(const struct nlattr *a, uint64_t *v)
{
	const void *p = mnl_attr_get_payload(a);

	switch (mnl_attr_get_payload_len(a)) {
	case 1:
		*v = *(const uint8_t *)p;
		return 0;
	case 2: {
		uint16_t x;

		memcpy(&x, p, 2);
		*v = x;
		return 0;
	}
	case 4: {
		uint32_t x;

		memcpy(&x, p, 4);
		*v = x;
		return 0;
	}
	case 8: {
		uint64_t x;

		/* u64 attributes may sit 4-byte aligned: copy, never cast */
		memcpy(&x, p, 8);
		*v = x;
		return 0;
	}
	}
	return -EINVAL;
}

int bva_get_u32(const struct nlattr *a, uint32_t *v)
{
	uint64_t x;

	if (bva_get_uint(a, &x) || x > UINT32_MAX)
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

int bva_get_be32(const struct nlattr *a, uint32_t *v)
{
	if (mnl_attr_get_payload_len(a) != 4)
		return -EINVAL;
	memcpy(v, mnl_attr_get_payload(a), 4);
	return 0;
}

int bva_get_ip(const struct nlattr *a4, const struct nlattr *a6,
	       struct bv_ip *ip)
{
	uint32_t v4;

	if (!a4 == !a6)
		return -EINVAL;
	if (a4) {
		if (bva_get_be32(a4, &v4))
			return -EINVAL;
		bv_ip_set4(ip, v4);
		return 0;
	}
	if (mnl_attr_get_payload_len(a6) != sizeof(ip->a))
		return -EINVAL;
	memcpy(&ip->a, mnl_attr_get_payload(a6), sizeof(ip->a));
	return bv_ip_is4(ip) ? -EINVAL : 0;
}

int bva_get_be16(const struct nlattr *a, uint16_t *v)
{
	uint16_t x;

	if (mnl_attr_get_payload_len(a) != 2)
		return -EINVAL;
	memcpy(&x, mnl_attr_get_payload(a), 2);
	*v = ntohs(x);
	return 0;
}
