/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A small libmnl client for the "beaver" generic netlink family
 * (kmod/uapi/beaver.h), shared by the test tools and beaverd.
 *
 * One struct bvnl is one netlink socket bound to one network namespace:
 * the kernel acts on the namespace the socket was created in, so a process
 * that opens sockets in several namespaces talks to several "hosts".
 * Every request asks for extended acks, so a rejection comes back as
 * -errno plus the kernel's message (bvnl_ext_msg()).
 *
 * Not thread-safe: use one struct bvnl per thread.
 */
#ifndef BEAVER_LIB_BVNL_H
#define BEAVER_LIB_BVNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

struct mnl_socket;

#define BVNL_EXT_MSG_MAX	256
#define BVNL_TIMEOUT_MS		5000	/* default wait for a reply */
#define BVNL_DUMP_TRIES		5	/* attempts of an interrupted dump */

struct bvnl {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	uint16_t family;	/* generic netlink family id, 0 if unresolved */
	uint32_t family_version;
	uint32_t events_group;	/* multicast group id, 0 if not offered */
	int timeout_ms;		/* for each reply; change with bvnl_set_timeout */
	char *req;		/* request being built (bvnl_msg) */
	size_t req_len;
	char *rbuf;		/* receive buffer */
	size_t rbuf_len;
	/* details of the last answer from the kernel */
	char ext_msg[BVNL_EXT_MSG_MAX];	/* NLMSGERR_ATTR_MSG, "" if none */
	bool has_ext_offs;
	uint32_t ext_offs;	/* NLMSGERR_ATTR_OFFS: offending attribute */
	bool has_miss_type;
	uint32_t miss_type;	/* NLMSGERR_ATTR_MISS_TYPE: missing attribute */
	bool dump_intr;		/* the last dump carried NLM_F_DUMP_INTR */
};

/*
 * Per-message callback for replies, dump parts and events. Return 0 to go
 * on or a negative errno to fail the call (a dump is still drained, so the
 * socket stays usable).
 */
typedef int (*bvnl_cb_t)(const struct nlmsghdr *nlh, void *data);

/*
 * Create a socket in network namespace netns: NULL or "" for the calling
 * thread's own, a name in /run/netns (as `ip netns` makes), or an
 * absolute path to a namespace file (/proc/PID/ns/net). The calling thread
 * enters the namespace only while the socket is created and then returns.
 * Returns NULL with errno set.
 */
struct bvnl *bvnl_socket(const char *netns);

/*
 * Resolve the "beaver" family id and its "events" group (CTRL_CMD_GETFAMILY).
 * Returns 0, -ENOENT if the family does not exist (beaver.ko not loaded in
 * this kernel), or another -errno.
 */
int bvnl_resolve(struct bvnl *b);

/* bvnl_socket + bvnl_resolve; NULL with errno set (ENOENT: no family) */
struct bvnl *bvnl_open(const char *netns);

void bvnl_close(struct bvnl *b);

void bvnl_set_timeout(struct bvnl *b, int timeout_ms);

/*
 * Start a request of command cmd in b's request buffer: netlink and genl
 * headers, flags | NLM_F_REQUEST. Add attributes with mnl_attr_put*_check()
 * and bvnl_room() as the buffer length.
 */
struct nlmsghdr *bvnl_msg(struct bvnl *b, uint8_t cmd, uint16_t flags);
size_t bvnl_room(const struct bvnl *b);

/*
 * Send a request built by bvnl_msg (NLM_F_ACK is added) and feed every reply
 * message to cb (may be NULL) until the kernel's ACK, or NLMSG_DONE if the
 * request was a dump. Returns 0 or -errno (the kernel's, -ETIMEDOUT if no
 * answer came in time, or cb's). The extack message, if any, is in
 * bvnl_ext_msg() afterwards, on success too (a warning).
 */
int bvnl_request(struct bvnl *b, struct nlmsghdr *nlh, bvnl_cb_t cb,
		 void *data);

/*
 * Run a dump (NLM_F_DUMP is added). Returns as bvnl_request, or -EINTR if
 * any part carried NLM_F_DUMP_INTR: the records changed under the dump and
 * what cb saw may be inconsistent.
 */
int bvnl_dump(struct bvnl *b, struct nlmsghdr *nlh, bvnl_cb_t cb, void *data);

/*
 * bvnl_dump, retried up to tries times while interrupted; reset(data) runs
 * before every attempt so that cb's collector can start afresh. The request
 * may be sent several times, so it must not be modified by the caller
 * between attempts (it is not).
 */
int bvnl_dump_retry(struct bvnl *b, struct nlmsghdr *nlh, bvnl_cb_t cb,
		    void (*reset)(void *data), void *data, int tries);

/* join the family's "events" multicast group; -ENOENT if there is none */
int bvnl_subscribe_events(struct bvnl *b);

/*
 * Wait up to timeout_ms (0: do not wait, -1: forever) for multicast
 * messages of the family and feed each to cb. Returns the number of
 * messages delivered (0 on timeout), -ENOBUFS if the kernel dropped some
 * (the caller must resynchronise, e.g. by a dump), or another -errno.
 */
int bvnl_recv_events(struct bvnl *b, int timeout_ms, bvnl_cb_t cb,
		     void *data);

/* the extack message of the last answer, "" if none */
const char *bvnl_ext_msg(const struct bvnl *b);

/*
 * A human-readable explanation of the last answer: the extack message, or
 * when the kernel only named a missing attribute, "missing attribute N".
 * Written to buf, which is returned; "" if the kernel said nothing.
 */
const char *bvnl_ext_describe(const struct bvnl *b, char *buf, size_t len);

#endif /* BEAVER_LIB_BVNL_H */
