/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What the module's netfilter hooks cannot see on this host (issue #11).
 *
 * Two kinds of receivers get packets before PRE_ROUTING, where a member
 * cuts and removes the stamp:
 *  - an XDP program on an interface: what it redirects (AF_XDP, another
 *    interface) or sends back (XDP_TX) never reaches the hooks, so it is in
 *    no snapshot's accounting at all;
 *  - a packet socket (AF_PACKET: tcpdump, DHCP clients, user-space
 *    stacks): it receives a copy, stamp and all, and whatever the
 *    application behind it does with that copy is outside the cut.
 * The kernel gives a module no exported way to list either (the global
 * packet handler list is not exported), but every process can: rtnetlink
 * says which links have an XDP program (IFLA_XDP_ATTACHED), and
 * /proc/net/packet lists the packet sockets of the caller's namespace.
 * beaverd runs in its host's namespace, so it looks when asked for its
 * status and reports both (`beaverctl status`: "escapes").
 */
#ifndef BEAVERD_ESCAPES_H
#define BEAVERD_ESCAPES_H

#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <jansson.h>

#define BVE_MAX 32	/* entries of each kind reported (the rest counted) */

struct bve_xdp {
	char dev[IF_NAMESIZE];
	uint8_t mode;		/* XDP_ATTACHED_DRV, _SKB, _HW, _MULTI */
};

struct bve_packet {
	int ifindex;		/* 0: every interface */
	uint16_t proto;		/* ETH_P_*, host order; 3 is ETH_P_ALL */
	unsigned int count;	/* sockets with this interface and protocol */
};

struct bve_scan {
	struct bve_xdp xdp[BVE_MAX];
	size_t n_xdp;
	struct bve_packet packet[BVE_MAX];
	size_t n_packet;
	size_t more;		/* entries beyond BVE_MAX, not listed */
};

/*
 * Parse the text of /proc/net/packet into s->packet (sockets of equal
 * interface and protocol counted together). Returns 0, or -EINVAL if the
 * text is not that file's format (the header is checked).
 */
int bve_parse_packet(const char *text, struct bve_scan *s);

/*
 * Look: rtnetlink for XDP programs, /proc/net/packet for packet sockets,
 * both in the calling thread's network namespace. Returns 0, or -errno
 * with a reason in @why.
 */
int bve_scan(struct bve_scan *s, char *why, size_t whylen);

/* {"xdp": [{"dev", "mode"}], "packet_sockets": [{"dev", "proto", "count"}]} */
json_t *bve_json(const struct bve_scan *s);

#endif /* BEAVERD_ESCAPES_H */
