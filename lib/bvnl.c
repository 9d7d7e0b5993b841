// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libmnl client of the "beaver" generic netlink family (see bvnl.h).
 *
 * Replies are walked by hand instead of with mnl_cb_run(): libmnl turns an
 * NLMSG_ERROR into errno and drops the extended ack, and it does not report
 * NLM_F_DUMP_INTR, and those two are what a test of the kernel API is about.
 */
#include "bvnl.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "beaver.h"
#include "bvnetns.h"

/*
 * Big enough for any dump part: the kernel sizes dump skbs after the
 * largest buffer user space has read with, up to 32 KiB and more.
 */
#define RBUF_LEN	((size_t)64 * 1024)
#define REQ_LEN		((size_t)64 * 1024)
/* events come in bursts (a cut per member advance): don't lose them */
#define EVENTS_RCVBUF	(1024 * 1024)

static void set_rcvtimeo(struct bvnl *b)
{
	struct timeval tv = {
		.tv_sec = b->timeout_ms / 1000,
		.tv_usec = (suseconds_t)(b->timeout_ms % 1000) * 1000,
	};

	setsockopt(mnl_socket_get_fd(b->nl), SOL_SOCKET, SO_RCVTIMEO, &tv,
		   sizeof(tv));
}

void bvnl_set_timeout(struct bvnl *b, int timeout_ms)
{
	b->timeout_ms = timeout_ms > 0 ? timeout_ms : BVNL_TIMEOUT_MS;
	set_rcvtimeo(b);
}

struct bvnl *bvnl_socket(const char *netns)
{
	struct bvnl *b;
	int one = 1, saved, err;

	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->req_len = REQ_LEN;
	b->rbuf_len = RBUF_LEN;
	b->req = malloc(b->req_len);
	b->rbuf = malloc(b->rbuf_len);
	if (!b->req || !b->rbuf) {
		err = -ENOMEM;
		goto fail;
	}
	err = bv_netns_enter(netns, &saved);
	if (err)
		goto fail;
	b->nl = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	err = b->nl ? 0 : -errno;
	bv_netns_leave(saved);
	if (err)
		goto fail;
	if (mnl_socket_bind(b->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto fail;
	}
	b->portid = mnl_socket_get_portid(b->nl);
	/* extended acks (the kernel's reason) without the echoed request */
	if (mnl_socket_setsockopt(b->nl, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    mnl_socket_setsockopt(b->nl, NETLINK_CAP_ACK, &one, sizeof(one))) {
		err = -errno;
		goto fail;
	}
	b->seq = (uint32_t)time(NULL);
	bvnl_set_timeout(b, BVNL_TIMEOUT_MS);
	return b;
fail:
	bvnl_close(b);
	errno = -err;
	return NULL;
}

void bvnl_close(struct bvnl *b)
{
	if (!b)
		return;
	if (b->nl)
		mnl_socket_close(b->nl);
	free(b->req);
	free(b->rbuf);
	free(b);
}

struct nlmsghdr *bvnl_msg(struct bvnl *b, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(b->req);
	struct genlmsghdr *g;

	nlh->nlmsg_type = b->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = BEAVER_GENL_VERSION;
	return nlh;
}

size_t bvnl_room(const struct bvnl *b)
{
	return b->req_len;
}

const char *bvnl_ext_msg(const struct bvnl *b)
{
	return b->ext_msg;
}

const char *bvnl_ext_describe(const struct bvnl *b, char *buf, size_t len)
{
	if (b->ext_msg[0])
		snprintf(buf, len, "%s", b->ext_msg);
	else if (b->has_miss_type)
		snprintf(buf, len, "missing attribute %u", b->miss_type);
	else if (len)
		buf[0] = '\0';
	return buf;
}

static void ext_clear(struct bvnl *b)
{
	b->ext_msg[0] = '\0';
	b->has_ext_offs = false;
	b->has_miss_type = false;
}

static int ext_cb(const struct nlattr *a, void *data)
{
	struct bvnl *b = data;
	size_t n;

	switch (mnl_attr_get_type(a)) {
	case NLMSGERR_ATTR_MSG:
		/* a string, but don't trust its terminator */
		n = strnlen(mnl_attr_get_payload(a),
			    mnl_attr_get_payload_len(a));
		if (n >= sizeof(b->ext_msg))
			n = sizeof(b->ext_msg) - 1;
		memcpy(b->ext_msg, mnl_attr_get_payload(a), n);
		b->ext_msg[n] = '\0';
		break;
	case NLMSGERR_ATTR_OFFS:
		if (mnl_attr_get_payload_len(a) == 4) {
			b->ext_offs = mnl_attr_get_u32(a);
			b->has_ext_offs = true;
		}
		break;
	case NLMSGERR_ATTR_MISS_TYPE:
		if (mnl_attr_get_payload_len(a) == 4) {
			b->miss_type = mnl_attr_get_u32(a);
			b->has_miss_type = true;
		}
		break;
	}
	return MNL_CB_OK;
}

/* NLMSG_ERROR: an ACK (error 0) or a rejection, maybe with extack TLVs */
static int handle_error(struct bvnl *b, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
		return -EBADMSG;
	/* without NLM_F_CAPPED the whole request is echoed before the TLVs */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    off <= mnl_nlmsg_get_payload_len(nlh))
		mnl_attr_parse(nlh, (unsigned int)off, ext_cb, b);
	return e->error > 0 ? -e->error : e->error;
}

/* NLMSG_DONE: ends a dump; carries an error if the dump itself failed */
static int handle_done(struct bvnl *b, const struct nlmsghdr *nlh)
{
	int err;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(int))
		return 0;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		mnl_attr_parse(nlh, sizeof(int), ext_cb, b);
	return err > 0 ? -err : err;
}

/*
 * Receive until the answer to request seq is complete (ACK, error or
 * NLMSG_DONE). Messages of other sequence numbers (a late answer to an
 * earlier request that timed out) are skipped.
 */
static int transact(struct bvnl *b, uint32_t seq, bvnl_cb_t cb, void *data)
{
	int cb_err = 0;

	for (;;) {
		ssize_t got = mnl_socket_recvfrom(b->nl, b->rbuf, b->rbuf_len);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)b->rbuf;
		int len = (int)got;

		if (got < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return -ETIMEDOUT;
			return -errno;
		}
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			int err;

			if (nlh->nlmsg_seq != seq ||
			    (nlh->nlmsg_pid && nlh->nlmsg_pid != b->portid))
				continue;
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				b->dump_intr = true;
			switch (nlh->nlmsg_type) {
			case NLMSG_NOOP:
				continue;
			case NLMSG_OVERRUN:
				return -EOVERFLOW;
			case NLMSG_ERROR:
				err = handle_error(b, nlh);
				return cb_err ? cb_err : err;
			case NLMSG_DONE:
				err = handle_done(b, nlh);
				return cb_err ? cb_err : err;
			}
			/* after a callback failure keep draining, quietly */
			if (cb && !cb_err) {
				int r = cb(nlh, data);

				cb_err = r < 0 ? r : 0;
			}
		}
	}
}

int bvnl_request(struct bvnl *b, struct nlmsghdr *nlh, bvnl_cb_t cb,
		 void *data)
{
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++b->seq;
	ext_clear(b);
	b->dump_intr = false;
	if (mnl_socket_sendto(b->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return transact(b, nlh->nlmsg_seq, cb, data);
}

int bvnl_dump(struct bvnl *b, struct nlmsghdr *nlh, bvnl_cb_t cb, void *data)
{
	int err;

	/* dumps are never acked: NLMSG_DONE ends them */
	nlh->nlmsg_flags |= NLM_F_DUMP;
	nlh->nlmsg_flags &= (uint16_t)~NLM_F_ACK;
	nlh->nlmsg_seq = ++b->seq;
	ext_clear(b);
	b->dump_intr = false;
	if (mnl_socket_sendto(b->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	err = transact(b, nlh->nlmsg_seq, cb, data);
	if (!err && b->dump_intr)
		return -EINTR;
	return err;
}

int bvnl_dump_retry(struct bvnl *b, struct nlmsghdr *nlh, bvnl_cb_t cb,
		    void (*reset)(void *data), void *data, int tries)
{
	int err = -EINTR;

	for (int i = 0; i < tries && err == -EINTR; i++) {
		if (reset)
			reset(data);
		err = bvnl_dump(b, nlh, cb, data);
	}
	return err;
}

/* --- family resolution ------------------------------------------------ */

static int grp_cb(const struct nlattr *grp, void *data)
{
	struct bvnl *b = data;
	const struct nlattr *name = NULL, *id = NULL;
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, grp) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME &&
		    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
			name = a;
		else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID &&
			 !mnl_attr_validate(a, MNL_TYPE_U32))
			id = a;
	}
	if (name && id &&
	    !strcmp(mnl_attr_get_str(name), BEAVER_MCGRP_EVENTS))
		b->events_group = mnl_attr_get_u32(id);
	return MNL_CB_OK;
}

static int family_attr_cb(const struct nlattr *a, void *data)
{
	struct bvnl *b = data;

	switch (mnl_attr_get_type(a)) {
	case CTRL_ATTR_FAMILY_ID:
		if (!mnl_attr_validate(a, MNL_TYPE_U16))
			b->family = mnl_attr_get_u16(a);
		break;
	case CTRL_ATTR_VERSION:
		if (!mnl_attr_validate(a, MNL_TYPE_U32))
			b->family_version = mnl_attr_get_u32(a);
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		mnl_attr_parse_nested(a, grp_cb, b);
		break;
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	if (mnl_attr_parse(nlh, GENL_HDRLEN, family_attr_cb, data) < 0)
		return -EBADMSG;
	return 0;
}

int bvnl_resolve(struct bvnl *b)
{
	/* own buffer: a request may be half built in b->req */
	_Alignas(8) char buf[MNL_ALIGN(sizeof(struct nlmsghdr)) + GENL_HDRLEN + 64];
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	int err;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, BEAVER_GENL_NAME);
	b->family = 0;
	b->events_group = 0;
	err = bvnl_request(b, nlh, family_cb, b);
	if (!err && !b->family)
		err = -EBADMSG;
	return err;
}

struct bvnl *bvnl_open(const char *netns)
{
	struct bvnl *b = bvnl_socket(netns);
	int err;

	if (!b)
		return NULL;
	err = bvnl_resolve(b);
	if (err) {
		bvnl_close(b);
		errno = -err;
		return NULL;
	}
	return b;
}

/* --- events ------------------------------------------------------------ */

int bvnl_subscribe_events(struct bvnl *b)
{
	int grp = (int)b->events_group, sz = EVENTS_RCVBUF;
	int fd = mnl_socket_get_fd(b->nl);

	if (!grp)
		return -ENOENT;
	/* FORCE works for root beyond rmem_max; fall back for others */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (mnl_socket_setsockopt(b->nl, NETLINK_ADD_MEMBERSHIP, &grp,
				  sizeof(grp)))
		return -errno;
	return 0;
}

int bvnl_recv_events(struct bvnl *b, int timeout_ms, bvnl_cb_t cb,
		     void *data)
{
	struct pollfd pfd = { .fd = mnl_socket_get_fd(b->nl), .events = POLLIN };
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)b->rbuf;
	ssize_t got;
	int len, n = 0, r;

	r = poll(&pfd, 1, timeout_ms);
	if (r < 0)
		return errno == EINTR ? 0 : -errno;
	if (r == 0)
		return 0;
	got = recv(pfd.fd, b->rbuf, b->rbuf_len, MSG_DONTWAIT);
	if (got < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		return -errno;
	}
	len = (int)got;
	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_type != b->family)
			continue;
		if (cb) {
			int err = cb(nlh, data);

			if (err)
				return err;
		}
		n++;
	}
	return n;
}
