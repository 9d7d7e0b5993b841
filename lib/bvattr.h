/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Netlink attribute helpers shared by the records parser and the tools:
 * table-based parsing that tolerates attribute types newer than this build
 * (the beaver API only ever appends), and length-checked integer getters.
 */
#ifndef BEAVER_LIB_BVATTR_H
#define BEAVER_LIB_BVATTR_H

#include <stdint.h>
#include <linux/netlink.h>

#include "bvip.h"

/*
 * Fill tb[0..max] (zeroed first) with the attributes of a nest, of a
 * generic netlink message's payload, or of a raw attribute stream. Types
 * above max are skipped; with duplicates the last one wins. Returns 0, or
 * -EINVAL if the stream is malformed.
 */
int bva_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
		     unsigned int max);
int bva_parse_genl(const struct nlmsghdr *nlh, const struct nlattr **tb,
		   unsigned int max);

/* an unsigned integer of 1, 2, 4 or 8 bytes in host order; 0 or -EINVAL */
int bva_get_uint(const struct nlattr *a, uint64_t *v);
/* an unsigned integer that must fit 32 bits; 0 or -EINVAL */
int bva_get_u32(const struct nlattr *a, uint32_t *v);
/* a 4-byte big-endian value, left in network byte order (an IPv4 address) */
int bva_get_be32(const struct nlattr *a, uint32_t *v);
/* a 2-byte big-endian value, converted to host order (a port) */
int bva_get_be16(const struct nlattr *a, uint16_t *v);
/*
 * An address sent in one of two attributes (kmod/uapi/beaver.h,
 * "Addresses"): @a4 NLA_BE32 for IPv4, @a6 16 bytes for IPv6. Exactly one
 * must be there, and an IPv6 one must not be IPv4-mapped (the kernel
 * never sends those). 0 or -EINVAL.
 */
int bva_get_ip(const struct nlattr *a4, const struct nlattr *a6,
	       struct bv_ip *ip);

#endif /* BEAVER_LIB_BVATTR_H */
