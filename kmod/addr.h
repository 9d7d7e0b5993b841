/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One address type for both families. Every address the module keeps
 * (configured members, VIPs, gateways and allow-list prefixes, flow keys,
 * channel peers) is a struct in6_addr, and an IPv4 address is kept
 * IPv4-mapped (::ffff:a.b.c.d, RFC 4291 2.5.5.2). Tables, hashes and
 * comparisons then need no family field, and an IPv4 address can never
 * equal a native IPv6 address, whatever its low 32 bits.
 *
 * The mapped prefix is what tells the families apart, so an IPv6 packet
 * whose source or destination is itself IPv4-mapped (the 6.1 stack does
 * not drop them on receipt) must never be keyed by that address: it would
 * alias the IPv4 host. The configuration refuses such addresses for the
 * same reason.
 *
 * Aggregate channels (gateway, outside, bypass) have no peer: their peer
 * is the all-zero address (::), shared by both families and reported as
 * 0.0.0.0, as it was when every address was IPv4.
 */
#ifndef _BEAVER_ADDR_H
#define _BEAVER_ADDR_H

#include <linux/in6.h>
#include <net/ipv6.h>
#include <asm/unaligned.h>

static inline void bv_addr_set4(struct in6_addr *a, __be32 v4)
{
	ipv6_addr_set_v4mapped(v4, a);
}

static inline bool bv_addr_is4(const struct in6_addr *a)
{
	return ipv6_addr_v4mapped(a);
}

/* the IPv4 address of a mapped @a (0.0.0.0 for ::) */
static inline __be32 bv_addr_get4(const struct in6_addr *a)
{
	return a->s6_addr32[3];
}

/*
 * The address folded into 32 bits: for the per-packet indexes of
 * configured addresses (bv_addr_bit(), the channels' buckets), which
 * need a spread, not a secret (nobody chooses the configuration)
 */
static inline u32 bv_addr_fold(const struct in6_addr *a)
{
	return (__force u32)(a->s6_addr32[0] ^ a->s6_addr32[1] ^
			     a->s6_addr32[2] ^ a->s6_addr32[3]);
}

/*
 * A total order, memcmp()'s (IPv4 addresses keep their numeric order),
 * computed on two big-endian halves: it runs several times for every
 * packet (bv_addr_in(), bv_allowed()), where the out-of-line memcmp()
 * went byte by byte through the mapped prefix's last bytes
 */
static inline int bv_addr_cmp(const struct in6_addr *a,
			      const struct in6_addr *b)
{
	u64 x = get_unaligned_be64(&a->s6_addr[0]);
	u64 y = get_unaligned_be64(&b->s6_addr[0]);

	if (x == y) {
		x = get_unaligned_be64(&a->s6_addr[8]);
		y = get_unaligned_be64(&b->s6_addr[8]);
	}
	return x < y ? -1 : x > y;
}

/*
 * An allow-list prefix. An IPv4 prefix /n is kept as the mapped /96+n,
 * and @v4 says which family it is, so that a prefix never matches an
 * address of the other family: ::/0 allows every IPv6 host and no IPv4
 * one, as 0.0.0.0/0 allows every IPv4 host and no IPv6 one.
 */
struct bv_prefix {
	struct in6_addr addr;
	u8 len;			/* bits of @addr that count: 0..128 */
	bool v4;
};

/* the addresses a prefix covers, first and last (addr.h's form) */
struct bv_range {
	struct in6_addr lo;
	struct in6_addr hi;
};

static inline bool bv_prefix_match(const struct bv_prefix *p,
				   const struct in6_addr *a)
{
	return bv_addr_is4(a) == p->v4 && ipv6_prefix_equal(a, &p->addr, p->len);
}

/* the prefix length as the user wrote it: 0..32 for IPv4 */
static inline u8 bv_prefix_len(const struct bv_prefix *p)
{
	return p->v4 ? p->len - 96 : p->len;
}

#endif /* _BEAVER_ADDR_H */
