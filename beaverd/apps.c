// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Application subscriptions to cuts. See apps.h.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "apps.h"
#include "beaver.h"
#include "bvip.h"
#include "ctl.h"
#include "records.h"
#include "log.h"
#include "loop.h"

struct cut_slot {
	uint32_t first, last;
	json_t *states;		/* array of {"app","state"} */
	uint64_t announced_ns;	/* CLOCK_MONOTONIC */
	uint32_t pending;	/* bit i: apps[i] was told and has not answered */
};

struct app {
	int fd;
	char name[64];
};

struct bva_server {
	int fd;
	char path[256];
	struct app apps[BVA_MAX_APPS];
	struct cut_slot cuts[BVA_KEEP];
	size_t next;
	uint64_t dropped;
	uint32_t mark;		/* [module] app_mark */
	uint32_t epoch;		/* the newest epoch announced or set */
	bva_records_fn records;	/* the module's records, for tcp_cut */
	void *records_ctx;
};

void bva_set_records(struct bva_server *s, bva_records_fn fn, void *ctx)
{
	s->records = fn;
	s->records_ctx = ctx;
}

static void app_close(struct bva_server *s, struct app *a)
{
	uint32_t bit = 1u << (a - s->apps);

	/* nobody waits for an application that left */
	for (size_t i = 0; i < BVA_KEEP; i++)
		s->cuts[i].pending &= ~bit;
	bvl_unwatch(a->fd);
	close(a->fd);
	a->fd = -1;
	a->name[0] = '\0';
}

/*
 * The cut whose epochs first..last cover @epoch, in serial arithmetic:
 * epochs wrap, and a member's first cut covers everything before it
 * (first = last - 2^31 + 1)
 */
static struct cut_slot *find_cut(struct bva_server *s, uint32_t epoch)
{
	for (size_t i = 0; i < BVA_KEEP; i++)
		if (s->cuts[i].states &&
		    epoch - s->cuts[i].first <=
		    s->cuts[i].last - s->cuts[i].first)
			return &s->cuts[i];
	return NULL;
}

/* has app answered this cut already? (once per cut: bounded records) */
static bool answered(const struct cut_slot *c, const char *app)
{
	const json_t *e;
	size_t i;

	json_array_foreach(c->states, i, e)
		if (!strcmp(json_string_value(json_object_get(e, "app")), app))
			return true;
	return false;
}

/* {"event":"hello",...} to one subscriber */
static void send_hello(struct bva_server *s, struct app *a)
{
	json_t *ev = json_pack("{s:s, s:I, s:I}", "event", "hello", "app_mark",
			       (json_int_t)s->mark, "epoch",
			       (json_int_t)s->epoch);
	char *text = ev ? json_dumps(ev, JSON_COMPACT) : NULL;

	json_decref(ev);
	if (text)
		send(a->fd, text, strlen(text), MSG_DONTWAIT | MSG_NOSIGNAL);
	free(text);
}

/*
 * recv(2) of one message, and the first descriptor passed with it in
 * *sock (-1 if none); any other descriptor is closed at once
 */
static ssize_t recv_fd(int fd, char *buf, size_t len, int *sock)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(4 * sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl.b,
			    .msg_controllen = sizeof(ctl.b) };
	struct cmsghdr *c;
	ssize_t n;

	*sock = -1;
	n = recvmsg(fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return n;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		size_t k;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (k = 0; k < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		     k++) {
			int x;

			memcpy(&x, CMSG_DATA(c) + k * sizeof(int), sizeof(x));
			if (*sock < 0)
				*sock = x;
			else
				close(x);
		}
	}
	return n;
}

/* the flow of the TCP socket @sock, as its owner passed it: 0 or -errno */
static int sock_flow(int sock, struct bv_ip *laddr, int *lport,
		     struct bv_ip *raddr, int *rport)
{
	struct sockaddr_storage ss[2];
	socklen_t len[2] = { sizeof(ss[0]), sizeof(ss[1]) };
	socklen_t pl = sizeof(int);
	int proto = 0;

	memset(ss, 0, sizeof(ss));
	if (getsockopt(sock, SOL_SOCKET, SO_PROTOCOL, &proto, &pl) ||
	    getsockname(sock, (struct sockaddr *)&ss[0], &len[0]) ||
	    getpeername(sock, (struct sockaddr *)&ss[1], &len[1]))
		return -errno;
	if (proto != IPPROTO_TCP)
		return -EPROTOTYPE;
	for (int i = 0; i < 2; i++) {
		struct bv_ip *ip = i ? raddr : laddr;
		int *port = i ? rport : lport;

		if (ss[i].ss_family == AF_INET) {
			const struct sockaddr_in *in = (const void *)&ss[i];

			bv_ip_set4(ip, in->sin_addr.s_addr);
			*port = ntohs(in->sin_port);
		} else if (ss[i].ss_family == AF_INET6) {
			const struct sockaddr_in6 *in6 = (const void *)&ss[i];

			/* IPv4-mapped: the IPv4 flow, as bvip.h keeps it */
			ip->a = in6->sin6_addr;
			*port = ntohs(in6->sin6_port);
		} else {
			return -EAFNOSUPPORT;
		}
	}
	return 0;
}

static void send_json(struct app *a, json_t *ev)
{
	char *text = ev ? json_dumps(ev, JSON_COMPACT) : NULL;

	json_decref(ev);
	if (text)
		send(a->fd, text, strlen(text), MSG_DONTWAIT | MSG_NOSIGNAL);
	free(text);
}

/* one direction of a known flow: {"isn","seq","fin"}, or {} if none */
static json_t *tcp_dir(bool isn_valid, uint32_t isn, bool seq_valid,
		       uint32_t seq, bool fin)
{
	json_t *o = json_object();

	if (isn_valid && seq_valid) {
		json_object_set_new(o, "isn", json_integer(isn));
		json_object_set_new(o, "seq", json_integer(seq));
		json_object_set_new(o, "fin", json_boolean(fin));
	}
	return o;
}

/*
 * {"op":"tcp_cut",...} (apps.h): where this member's cut of the epoch
 * falls in one TCP flow's streams, from the module's record of it
 */
static void tcp_cut(struct bva_server *s, struct app *a, json_t *j,
		    int sock)
{
	const char *why = NULL;
	json_int_t id, epoch;
	struct bv_ip laddr, raddr;
	int lport = 0, rport = 0;
	const struct bvr_flow *f = NULL;
	struct bvr_records r;
	char err[128];
	json_t *ev;

	if (json_unpack(j, "{s:I, s:I}", "id", &id, "epoch", &epoch) ||
	    epoch < 0 || epoch > UINT32_MAX) {
		s->dropped++;
		return;
	}
	/*
	 * The flow is the one of the socket the application passed: only
	 * the holder of a connection learns where its streams start
	 */
	if (sock < 0 || sock_flow(sock, &laddr, &lport, &raddr, &rport)) {
		send_json(a, json_pack("{s:s, s:I, s:b, s:s}", "event",
				       "tcp_cut", "id", id, "known", 0, "why",
				       "no connected TCP socket passed"));
		return;
	}
	bvr_init(&r);
	if (!s->records) {
		why = "no module";
	} else if (s->records(s->records_ctx, (uint32_t)epoch, &r, err,
			      sizeof(err))) {
		why = err;
	} else if (!r.has_cut) {
		why = "no cut in the record";
	} else if (r.cut.flags & BEAVER_CUT_F_INCOMPLETE) {
		why = "the record is incomplete";
	} else {
		for (size_t i = 0; i < r.n_flows && !f; i++)
			if (r.flows[i].proto == IPPROTO_TCP &&
			    r.flows[i].lport == lport &&
			    r.flows[i].rport == rport &&
			    bv_ip_eq(&r.flows[i].laddr, &laddr) &&
			    bv_ip_eq(&r.flows[i].raddr, &raddr))
				f = &r.flows[i];
		if (!f)
			why = "no such flow in the record";
		else if (!bvr_tcp_known(&f->tot))
			why = "the record does not know the flow from its SYN";
	}
	if (why) {
		ev = json_pack("{s:s, s:I, s:b, s:s}", "event", "tcp_cut",
			       "id", id, "known", 0, "why", why);
	} else {
		const struct bvr_tot *t = &f->tot;

		ev = json_pack("{s:s, s:I, s:b, s:o, s:o}", "event", "tcp_cut",
			       "id", id, "known", 1,
			       "tx", tcp_dir(t->tx_isn_valid, t->tx_isn,
					     t->tx_seq_valid, t->tx_seq,
					     t->tcp_flags & BEAVER_TOT_F_TX_FIN),
			       "rx", tcp_dir(t->rx_isn_valid, t->rx_isn,
					     t->rx_seq_valid, t->rx_seq,
					     t->tcp_flags & BEAVER_TOT_F_RX_FIN));
	}
	bvr_free(&r);
	send_json(a, ev);
}

static void app_readable(int fd, short revents, void *data)
{
	struct bva_server *s = data;
	struct app *a = NULL;
	char buf[BVA_STATE_MAX + 512];
	const char *name, *state;
	int sock;
	struct cut_slot *c;
	json_int_t epoch;
	json_t *j;
	ssize_t n;

	for (size_t i = 0; i < BVA_MAX_APPS; i++)
		if (s->apps[i].fd == fd)
			a = &s->apps[i];
	if (!a)
		return;
	n = recv_fd(fd, buf, sizeof(buf) - 1, &sock);
	if (n <= 0 || (revents & (POLLHUP | POLLERR))) {
		if (sock >= 0)
			close(sock);
		if (n < 0 && errno == EAGAIN)
			return;
		app_close(s, a);
		return;
	}
	buf[n] = '\0';
	j = json_loads(buf, 0, NULL);
	if (!j) {
		if (sock >= 0)
			close(sock);
		s->dropped++;
		return;
	}
	if (!json_unpack(j, "{s:s}", "subscribe", &name)) {
		snprintf(a->name, sizeof(a->name), "%s", name);
		bvd_info("application '%s' subscribed to cuts", a->name);
		send_hello(s, a);
	} else if (a->name[0] && json_is_string(json_object_get(j, "op")) &&
		   !strcmp(json_string_value(json_object_get(j, "op")),
			   "tcp_cut")) {
		tcp_cut(s, a, j, sock);
	} else if (a->name[0] &&
		   !json_unpack(j, "{s:I, s:s}", "epoch", &epoch, "state",
				&state) &&
		   strlen(state) <= BVA_STATE_MAX &&
		   (c = find_cut(s, (uint32_t)epoch)) &&
		   !answered(c, a->name)) {
		json_array_append_new(c->states, json_pack("{s:s, s:s}", "app",
							   a->name, "state",
							   state));
		c->pending &= ~(1u << (a - s->apps));
	} else {
		s->dropped++;
	}
	if (sock >= 0)
		close(sock);
	json_decref(j);
}

static void listen_readable(int fd, short revents, void *data)
{
	struct bva_server *s = data;
	int c;

	(void)revents;
	while ((c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		size_t i;

		for (i = 0; i < BVA_MAX_APPS && s->apps[i].fd >= 0; i++)
			;
		if (i == BVA_MAX_APPS) {
			close(c);	/* bounded: refuse the 17th */
			continue;
		}
		s->apps[i].fd = c;
		s->apps[i].name[0] = '\0';
		bvl_watch(c, POLLIN, app_readable, s);
	}
}

int bva_open(const char *run_dir, const char *group, struct bva_server **out,
	     char *why, size_t why_len)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct bva_server *s = calloc(1, sizeof(*s));
	mode_t old;

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < BVA_MAX_APPS; i++)
		s->apps[i].fd = -1;
	if (strlen(run_dir) + sizeof("/apps.sock") > sizeof(sun.sun_path)) {
		snprintf(why, why_len, "run_dir %s: path too long", run_dir);
		free(s);
		return -ENAMETOOLONG;
	}
	snprintf(s->path, sizeof(s->path), "%s/apps.sock", run_dir);
	memcpy(sun.sun_path, s->path, strlen(s->path) + 1);
	unlink(s->path);
	s->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0);
	old = umask(0117);	/* 0660 from the start */
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    listen(s->fd, 16)) {
		int err = -errno;

		umask(old);
		snprintf(why, why_len, "%s: %s", s->path, strerror(-err));
		if (s->fd >= 0)
			close(s->fd);
		free(s);
		return err;
	}
	umask(old);
	/* applications run as their own users, in the socket group */
	if (group) {
		char msg[512];

		if (bvc_chgrp(s->path, group, msg, sizeof(msg)))
			bvd_warn("%s (only root and that group's applications "
				 "may subscribe)", msg);
	}
	bvl_watch(s->fd, POLLIN, listen_readable, s);
	*out = s;
	return 0;
}

void bva_close(struct bva_server *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < BVA_MAX_APPS; i++)
		if (s->apps[i].fd >= 0)
			app_close(s, &s->apps[i]);
	for (size_t i = 0; i < BVA_KEEP; i++)
		json_decref(s->cuts[i].states);
	bvl_unwatch(s->fd);
	close(s->fd);
	unlink(s->path);
	free(s);
}

void bva_set_mark(struct bva_server *s, uint32_t mask, uint32_t epoch)
{
	bool changed = s->mark != mask;

	s->mark = mask;
	if (epoch)
		s->epoch = epoch;
	if (!changed)
		return;
	for (size_t i = 0; i < BVA_MAX_APPS; i++)
		if (s->apps[i].fd >= 0 && s->apps[i].name[0])
			send_hello(s, &s->apps[i]);
}

void bva_announce(struct bva_server *s, uint32_t first, uint32_t last,
		  uint64_t cut_ns)
{
	struct cut_slot *c = &s->cuts[s->next];
	json_t *ev;
	char *text;

	s->epoch = last;
	s->next = (s->next + 1) % BVA_KEEP;
	json_decref(c->states);
	c->first = first;
	c->last = last;
	c->states = json_array();
	c->announced_ns = bvl_now();
	c->pending = 0;
	ev = json_pack("{s:s, s:I, s:I, s:I, s:I}", "event", "cut",
		       "epoch", (json_int_t)last, "first", (json_int_t)first,
		       "last", (json_int_t)last, "cut_ns", (json_int_t)cut_ns);
	text = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
	json_decref(ev);	/* one leaked per cut before */
	if (!text)
		return;
	for (size_t i = 0; i < BVA_MAX_APPS; i++)
		if (s->apps[i].fd >= 0 && s->apps[i].name[0] &&
		    send(s->apps[i].fd, text, strlen(text),
			 MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
			c->pending |= 1u << i;
	free(text);
}

bool bva_waiting(const struct bva_server *s, uint32_t epoch)
{
	const struct cut_slot *c = s ? find_cut((struct bva_server *)s, epoch) :
			     NULL;

	return c && c->pending &&
	       bvl_now() - c->announced_ns < BVA_WAIT_MS * 1000000ull;
}

json_t *bva_states(struct bva_server *s, uint32_t epoch)
{
	struct cut_slot *c = s ? find_cut(s, epoch) : NULL;

	return c ? json_copy(c->states) : json_array();
}

uint64_t bva_dropped(const struct bva_server *s)
{
	return s ? s->dropped : 0;
}
