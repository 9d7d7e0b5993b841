/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * An IPv4 or IPv6 address, as user space keeps the addresses of records
 * and configuration: the model of kmod/addr.h. One struct in6_addr, IPv4
 * kept IPv4-mapped (::ffff:a.b.c.d, RFC 4291 2.5.5.2), so that equality
 * and order are a memcmp, IPv4 addresses keep the numeric order they always
 * sorted in, and no IPv4 address equals an IPv6 one.
 *
 * The API (kmod/uapi/beaver.h) never sends an IPv4-mapped IPv6 address:
 * an IPv4 one arrives as NLA_BE32 and goes through bv_ip_set4(). A zeroed
 * struct bv_ip is ::, not 0.0.0.0 (bv_ip4(0)).
 */
#ifndef BEAVER_LIB_BVIP_H
#define BEAVER_LIB_BVIP_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct bv_ip {
	struct in6_addr a;
};

/* room for the text of either family, with its NUL */
#define BV_IP_STRLEN INET6_ADDRSTRLEN

/* @v4 in network byte order */
static inline void bv_ip_set4(struct bv_ip *ip, uint32_t v4)
{
	memset(&ip->a, 0, sizeof(ip->a));
	ip->a.s6_addr[10] = 0xff;
	ip->a.s6_addr[11] = 0xff;
	memcpy(&ip->a.s6_addr[12], &v4, sizeof(v4));
}

static inline struct bv_ip bv_ip4(uint32_t v4)
{
	struct bv_ip ip;

	bv_ip_set4(&ip, v4);
	return ip;
}

static inline bool bv_ip_is4(const struct bv_ip *ip)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	return !memcmp(ip->a.s6_addr, mapped, sizeof(mapped));
}

/* the IPv4 address, network byte order; only meaningful if bv_ip_is4() */
static inline uint32_t bv_ip_get4(const struct bv_ip *ip)
{
	uint32_t v4;

	memcpy(&v4, &ip->a.s6_addr[12], sizeof(v4));
	return v4;
}

static inline int bv_ip_cmp(const struct bv_ip *x, const struct bv_ip *y)
{
	return memcmp(x->a.s6_addr, y->a.s6_addr, sizeof(x->a.s6_addr));
}

static inline bool bv_ip_eq(const struct bv_ip *x, const struct bv_ip *y)
{
	return !bv_ip_cmp(x, y);
}

/* text: dotted quad for IPv4, RFC 5952 for IPv6; buf holds BV_IP_STRLEN */
static inline const char *bv_ip_ntop(const struct bv_ip *ip, char *buf)
{
	if (bv_ip_is4(ip))
		return inet_ntop(AF_INET, &ip->a.s6_addr[12], buf, BV_IP_STRLEN);
	return inet_ntop(AF_INET6, &ip->a, buf, BV_IP_STRLEN);
}

/*
 * Parse either family. Returns AF_INET or AF_INET6, or 0 if @s is neither.
 * An IPv4-mapped IPv6 text (::ffff:10.0.0.1) is IPv6 text of an IPv4
 * address: AF_INET6 is returned, and bv_ip_is4() is true.
 */
static inline int bv_ip_pton(const char *s, struct bv_ip *ip)
{
	struct in_addr v4;

	if (inet_pton(AF_INET, s, &v4) == 1) {
		bv_ip_set4(ip, v4.s_addr);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, s, &ip->a) == 1)
		return AF_INET6;
	return 0;
}

#endif /* BEAVER_LIB_BVIP_H */
