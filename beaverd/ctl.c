// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The beaverctl socket, daemon side. See ctl.h for the protocol and the
 * handler API.
 *
 * Each connection is in one of three states: reading (waits for POLLIN),
 * deferred (a handler owns its request; waits for nothing but hang-up) or
 * writing (a reply did not fit the socket buffer; waits for POLLOUT). A
 * reply is kept as one JSON text and cut into BVC_PART datagrams lazily,
 * one at a time, so a large export costs one copy of its text.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "ctl.h"

struct conn {
	int fd;
	short events;		/* what the watcher waits for */
	pid_t pid;
	uid_t uid;
	struct bvc_req *req;	/* deferred request, if any */
	char *out;		/* reply text being sent */
	size_t out_len;
	size_t part, parts;	/* next part to send, total */
	char *dgram;		/* the datagram of `part`, once built */
	size_t dgram_len;
};

struct bvc_req {
	struct bvc_server *srv;
	struct conn *conn;	/* NULL once the client is gone */
	const struct bvc_command *cmd;
	pid_t pid;
	uid_t uid;
	bool in_handler;	/* the handler has not returned yet */
	char *early;		/* reply text given during the handler */
	void (*cancel)(void *arg, struct bvc_req *req);
	void *cancel_arg;
	struct bvc_req *next;	/* the server's list of deferred requests */
};

struct bvc_server {
	struct bvc_config cfg;
	int lfd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct conn *conns[BVC_MAX_CONNS];
	unsigned int max_conns;
	struct bvc_req *deferred;
	char *buf;		/* BVC_MAX_MSG + 1 */
};

static const char *const status_codes[] = {
	[BVC_OK]		= "ok",
	[BVC_DEFER]		= "deferred",
	[BVC_E_USAGE]		= "usage",
	[BVC_E_NOTFOUND]	= "notfound",
	[BVC_E_REJECTED]	= "rejected",
	[BVC_E_FAILED]		= "failed",
	[BVC_E_BUSY]		= "busy",
	[BVC_E_INTERNAL]	= "internal",
	[BVC_E_STANDBY]		= "standby",
};

const char *bvc_status_code(enum bvc_status st)
{
	if ((unsigned int)st < sizeof(status_codes) / sizeof(status_codes[0]))
		return status_codes[st];
	return "internal";
}

static void logf_(struct bvc_server *s, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void logf_(struct bvc_server *s, int prio, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s->cfg.log)
		s->cfg.log(s->cfg.ctx, prio, msg);
	else if (prio <= LOG_WARNING)
		fprintf(stderr, "beaverd: ctl: %s\n", msg);
}

/* --- watcher bookkeeping ------------------------------------------------ */

static short conn_wanted(const struct conn *c)
{
	if (c->out)
		return POLLOUT;
	if (c->req)
		return 0;	/* poll() reports POLLHUP regardless */
	return POLLIN;
}

static void conn_update(struct bvc_server *s, struct conn *c)
{
	short ev = conn_wanted(c);

	if (ev == c->events)
		return;
	c->events = ev;
	if (s->cfg.watch)
		s->cfg.watch(s->cfg.ctx, s, c->fd, ev);
}

static void req_free(struct bvc_req *r)
{
	struct bvc_server *s = r->srv;

	if (s) {
		for (struct bvc_req **p = &s->deferred; *p; p = &(*p)->next) {
			if (*p == r) {
				*p = r->next;
				break;
			}
		}
	}
	free(r->early);
	free(r);
}

/*
 * The client of a deferred request is gone (or the server closes): run the
 * cancel callback and free the request, or leave it detached for
 * bvc_reply() to free.
 */
static void req_orphan(struct bvc_req *r)
{
	r->conn = NULL;
	if (r->cancel) {
		r->cancel(r->cancel_arg, r);
		req_free(r);
	}
}

static void conn_close(struct bvc_server *s, struct conn *c)
{
	for (unsigned int i = 0; i < s->max_conns; i++) {
		if (s->conns[i] == c) {
			s->conns[i] = NULL;
			break;
		}
	}
	if (s->cfg.unwatch)
		s->cfg.unwatch(s->cfg.ctx, c->fd);
	close(c->fd);
	if (c->req)
		req_orphan(c->req);
	if (c->dgram != c->out)
		free(c->dgram);
	free(c->out);
	free(c);
}

static struct conn *conn_find(struct bvc_server *s, int fd)
{
	for (unsigned int i = 0; i < s->max_conns; i++)
		if (s->conns[i] && s->conns[i]->fd == fd)
			return s->conns[i];
	return NULL;
}

/* --- replies ------------------------------------------------------------ */

static char *envelope_ok(const struct bvc_command *cmd, json_t *result)
{
	json_t *env;
	char *text;

	if (!result)
		result = json_object();
	if (!result)
		return NULL;
	if (json_is_object(result) && cmd && cmd->schema &&
	    !json_object_get(result, "schema")) {
		/* schema first: what a reader looks at before anything else */
		json_t *o = json_pack("{s:s}", "schema", cmd->schema);

		if (!o || json_object_update(o, result)) {
			json_decref(o);
			json_decref(result);
			return NULL;
		}
		json_decref(result);
		result = o;
	}
	env = json_pack("{s:b, s:o}", "ok", 1, "result", result);
	if (!env)
		return NULL;
	text = json_dumps(env, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(env);
	return text;
}

static char *envelope_err(enum bvc_status code, const char *msg)
{
	json_t *env;
	char *text;

	if (code == BVC_OK || code == BVC_DEFER)
		code = BVC_E_INTERNAL;
	env = json_pack("{s:b, s:s, s:s}", "ok", 0, "error", msg,
			"code", bvc_status_code(code));
	if (!env)	/* msg was not UTF-8 */
		env = json_pack("{s:b, s:s, s:s}", "ok", 0,
				"error", "(unprintable message)",
				"code", bvc_status_code(code));
	if (!env)
		return NULL;
	text = json_dumps(env, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(env);
	return text;
}

/* build the datagram of c->part; 0 or -ENOMEM */
static int conn_build(struct conn *c)
{
	size_t off = c->part * BVC_PART_SLICE;
	size_t len = c->out_len - off;
	json_t *p;

	if (c->parts == 1) {
		c->dgram = c->out;
		c->dgram_len = c->out_len;
		return 0;
	}
	if (len > BVC_PART_SLICE)
		len = BVC_PART_SLICE;
	p = json_pack("{s:I, s:I, s:s%}", "part", (json_int_t)c->part,
		      "parts", (json_int_t)c->parts, "data", c->out + off, len);
	if (!p)
		return -ENOMEM;
	c->dgram = json_dumps(p, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(p);
	if (!c->dgram)
		return -ENOMEM;
	c->dgram_len = strlen(c->dgram);
	return 0;
}

static void conn_done_part(struct conn *c)
{
	if (c->dgram != c->out)
		free(c->dgram);
	c->dgram = NULL;
	c->part++;
	if (c->part == c->parts) {
		free(c->out);
		c->out = NULL;
		c->part = c->parts = 0;
	}
}

/* send what the socket takes; false if the connection was closed */
static bool conn_flush(struct bvc_server *s, struct conn *c)
{
	while (c->out) {
		ssize_t n;

		if (!c->dgram && conn_build(c)) {
			logf_(s, LOG_ERR, "out of memory sending a reply");
			conn_close(s, c);
			return false;
		}
		n = send(c->fd, c->dgram, c->dgram_len,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0) {
			if (errno != EPIPE && errno != ECONNRESET)
				logf_(s, LOG_WARNING, "send to pid %d: %s",
				      (int)c->pid, strerror(errno));
			conn_close(s, c);
			return false;
		}
		conn_done_part(c);
	}
	conn_update(s, c);
	return true;
}

/* queue a reply text (taken over) and send what fits now */
static bool conn_send(struct bvc_server *s, struct conn *c, char *text)
{
	if (!text) {
		logf_(s, LOG_ERR, "out of memory building a reply");
		conn_close(s, c);
		return false;
	}
	c->out = text;
	c->out_len = strlen(text);
	if (c->out_len > BVC_MAX_REPLY) {
		char *e = envelope_err(BVC_E_INTERNAL, "reply too large");

		logf_(s, LOG_ERR, "reply of %zu bytes exceeds BVC_MAX_REPLY",
		      c->out_len);
		free(text);
		if (!e) {
			c->out = NULL;
			conn_close(s, c);
			return false;
		}
		c->out = e;
		c->out_len = strlen(e);
	}
	c->part = 0;
	c->parts = c->out_len <= BVC_MAX_MSG ? 1 :
		   (c->out_len + BVC_PART_SLICE - 1) / BVC_PART_SLICE;
	c->dgram = NULL;
	return conn_flush(s, c);
}

static bool conn_error(struct bvc_server *s, struct conn *c,
		       enum bvc_status code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static bool conn_error(struct bvc_server *s, struct conn *c,
		       enum bvc_status code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return conn_send(s, c, envelope_err(code, msg));
}

/* deliver a finished request's reply text (taken over) and free it */
static int req_finish(struct bvc_req *r, char *text)
{
	struct conn *c = r->conn;
	struct bvc_server *s = r->srv;

	if (r->in_handler) {
		/*
		 * bvc_reply() from inside the handler: sent when it returns.
		 * The request counts as answered from now on, so that
		 * bvc_req_connected() tells the handler not to keep it.
		 */
		free(r->early);
		r->early = text;
		r->conn = NULL;
		return c ? 0 : -ENOTCONN;
	}
	if (!c || !s) {
		free(text);
		req_free(r);
		return -ENOTCONN;
	}
	c->req = NULL;
	req_free(r);
	conn_send(s, c, text);
	return 0;
}

int bvc_reply(struct bvc_req *req, json_t *result)
{
	return req_finish(req, envelope_ok(req->cmd, result));
}

int bvc_reply_error(struct bvc_req *req, enum bvc_status code,
		    const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return req_finish(req, envelope_err(code, msg));
}

void bvc_req_set_cancel(struct bvc_req *req,
			void (*cb)(void *arg, struct bvc_req *req), void *arg)
{
	req->cancel = cb;
	req->cancel_arg = arg;
}

const char *bvc_req_cmd(const struct bvc_req *req)
{
	return req->cmd ? req->cmd->name : "";
}

bool bvc_req_connected(const struct bvc_req *req)
{
	return req->conn != NULL;
}

pid_t bvc_req_pid(const struct bvc_req *req)
{
	return req->pid;
}

uid_t bvc_req_uid(const struct bvc_req *req)
{
	return req->uid;
}

/* --- requests ----------------------------------------------------------- */

static const struct bvc_command *cmd_find(struct bvc_server *s,
					  const char *name)
{
	for (size_t i = 0; i < s->cfg.n_cmds; i++)
		if (!strcmp(s->cfg.cmds[i].name, name))
			return &s->cfg.cmds[i];
	return NULL;
}

static void conn_request(struct bvc_server *s, struct conn *c,
			 const char *buf, size_t len)
{
	const struct bvc_command *cmd;
	json_t *req, *jcmd, *args, *result = NULL;
	struct bvc_req *r;
	json_error_t jerr;
	char err[512] = "";
	int st;

	req = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!req) {
		conn_error(s, c, BVC_E_USAGE, "request is not JSON: %s",
			   jerr.text);
		return;
	}
	jcmd = json_object_get(req, "cmd");
	args = json_object_get(req, "args");
	if (!json_is_object(req) || !json_is_string(jcmd)) {
		conn_error(s, c, BVC_E_USAGE,
			   "request must be an object with a string \"cmd\"");
		goto out;
	}
	cmd = cmd_find(s, json_string_value(jcmd));
	if (!cmd) {
		/* the name is client data: quote at most a short prefix */
		conn_error(s, c, BVC_E_USAGE, "unknown command '%.64s'",
			   json_string_value(jcmd));
		goto out;
	}
	if (args && json_is_null(args))
		args = NULL;
	if (args && !json_is_object(args)) {
		conn_error(s, c, BVC_E_USAGE, "\"args\" must be an object");
		goto out;
	}
	if (!args) {
		args = json_object();
		if (!args || json_object_set_new(req, "args", args)) {
			conn_error(s, c, BVC_E_INTERNAL, "out of memory");
			goto out;
		}
	}
	logf_(s, LOG_DEBUG, "request '%s' from pid %d uid %d", cmd->name,
	      (int)c->pid, (int)c->uid);

	r = calloc(1, sizeof(*r));
	if (!r) {
		conn_error(s, c, BVC_E_INTERNAL, "out of memory");
		goto out;
	}
	r->srv = s;
	r->conn = c;
	r->cmd = cmd;
	r->pid = c->pid;
	r->uid = c->uid;
	r->in_handler = true;
	c->req = r;
	st = cmd->fn(s->cfg.ctx, r, args, &result, err, sizeof(err));
	r->in_handler = false;

	if (st == BVC_DEFER) {
		if (r->early) {
			/* the handler replied before returning */
			char *text = r->early;

			r->early = NULL;
			c->req = NULL;
			req_free(r);
			conn_send(s, c, text);
		} else {
			r->next = s->deferred;
			s->deferred = r;
			conn_update(s, c);
		}
		goto out;
	}
	c->req = NULL;
	free(r->early);	/* a reply given and then overridden: ours wins */
	r->early = NULL;
	req_free(r);
	if (st == BVC_OK) {
		conn_send(s, c, envelope_ok(cmd, result));
	} else {
		json_decref(result);
		if (!err[0])
			snprintf(err, sizeof(err), "%s failed (%s)", cmd->name,
				 bvc_status_code(st));
		conn_send(s, c, envelope_err(st, err));
	}
out:
	json_decref(req);
}

static void conn_read(struct bvc_server *s, struct conn *c)
{
	ssize_t n;

	n = recv(c->fd, s->buf, BVC_MAX_MSG + 1, MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		      errno == EINTR))
		return;
	if (n <= 0) {
		/* 0: the client closed its end */
		conn_close(s, c);
		return;
	}
	if ((size_t)n > BVC_MAX_MSG) {
		conn_error(s, c, BVC_E_USAGE,
			   "request of %zd bytes exceeds %d", n, BVC_MAX_MSG);
		return;
	}
	conn_request(s, c, s->buf, (size_t)n);
}

static void do_accept(struct bvc_server *s)
{
	for (;;) {
		struct ucred cred;
		socklen_t clen = sizeof(cred);
		struct conn *c;
		unsigned int slot;
		int fd;

		fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				logf_(s, LOG_WARNING, "accept: %s",
				      strerror(errno));
			return;
		}
		for (slot = 0; slot < s->max_conns; slot++)
			if (!s->conns[slot])
				break;
		if (slot == s->max_conns) {
			char *e = envelope_err(BVC_E_BUSY,
					       "too many connections");

			logf_(s, LOG_WARNING, "too many connections (%u)",
			      s->max_conns);
			if (e)
				(void)send(fd, e, strlen(e),
					   MSG_DONTWAIT | MSG_NOSIGNAL);
			free(e);
			close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->pid = -1;
		c->uid = (uid_t)-1;
		if (!getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen)) {
			c->pid = cred.pid;
			c->uid = cred.uid;
		}
		s->conns[slot] = c;
		c->events = POLLIN;
		if (s->cfg.watch)
			s->cfg.watch(s->cfg.ctx, s, fd, POLLIN);
	}
}

void bvc_handle(struct bvc_server *s, int fd, short revents)
{
	struct conn *c;

	if (fd == s->lfd) {
		if (revents & POLLIN)
			do_accept(s);
		return;
	}
	c = conn_find(s, fd);
	if (!c)
		return;
	if ((revents & POLLOUT) && c->out && !conn_flush(s, c))
		return;
	/* read before acting on a hang-up: a request may precede it */
	if ((revents & POLLIN) && !c->out && !c->req) {
		conn_read(s, c);
		return;
	}
	if (revents & (POLLHUP | POLLERR | POLLNVAL))
		conn_close(s, c);
}

size_t bvc_poll_fds(struct bvc_server *s, struct pollfd *fds, size_t max)
{
	size_t n = 0;

	if (max == 0)
		return 0;
	fds[n++] = (struct pollfd){ .fd = s->lfd, .events = POLLIN };
	for (unsigned int i = 0; i < s->max_conns && n < max; i++) {
		struct conn *c = s->conns[i];

		if (c)
			fds[n++] = (struct pollfd){ .fd = c->fd,
						    .events = c->events };
	}
	return n;
}

void bvc_dispatch(struct bvc_server *s, const struct pollfd *fds, size_t n)
{
	short lrev = 0;

	/*
	 * Connections first, the listening socket last: an fd closed here and
	 * reused by accept() in the same round would otherwise receive the
	 * old socket's events.
	 */
	for (size_t i = 0; i < n; i++) {
		if (fds[i].fd == s->lfd)
			lrev = fds[i].revents;
		else if (fds[i].revents)
			bvc_handle(s, fds[i].fd, fds[i].revents);
	}
	if (lrev)
		bvc_handle(s, s->lfd, lrev);
}

/* --- the listening socket ----------------------------------------------- */

/* a socket file at path: stale (nobody listens) or in use? */
static int check_existing(const char *path, char *why, size_t why_len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, err;

	if (lstat(path, &st)) {
		if (errno == ENOENT)
			return 0;
		err = -errno;
		snprintf(why, why_len, "%s: %s", path, strerror(errno));
		return err;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(why, why_len, "%s exists and is not a socket", path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		snprintf(why, why_len, "socket: %s", strerror(errno));
		return err;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		snprintf(why, why_len,
			 "%s: another beaverd is listening on it", path);
		return -EADDRINUSE;
	}
	close(fd);
	/* ECONNREFUSED: a leftover of a daemon that died */
	if (unlink(path) && errno != ENOENT) {
		err = -errno;
		snprintf(why, why_len, "cannot remove stale %s: %s", path,
			 strerror(errno));
		return err;
	}
	return 0;
}

int bvc_chgrp(const char *path, const char *group, char *why,
	      size_t why_len)
{
	struct group gr, *res = NULL;
	char buf[4096];
	int err;

	if (!group[0])
		return 0;
	err = getgrnam_r(group, &gr, buf, sizeof(buf), &res);
	if (err || !res) {
		snprintf(why, why_len, "group '%s' %s: %s stays owned by the "
			 "daemon's group", group,
			 err ? strerror(err) : "does not exist", path);
		return err ? -err : -ENOENT;
	}
	if (chown(path, (uid_t)-1, res->gr_gid)) {
		err = -errno;
		snprintf(why, why_len, "chown %s to group '%s': %s", path,
			 group, strerror(-err));
		return err;
	}
	return 0;
}

static void set_group(struct bvc_server *s, const char *group)
{
	char why[512];

	if (bvc_chgrp(s->path, group, why, sizeof(why)))
		logf_(s, LOG_WARNING, "%s (only root and that group may use "
		      "beaverctl)", why);
}

int bvc_open(const struct bvc_config *cfg, struct bvc_server **out,
	     char *why, size_t why_len)
{
	const char *dir = cfg->run_dir ? cfg->run_dir : BVC_RUN_DIR;
	const char *group = cfg->group ? cfg->group : BVC_GROUP;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct bvc_server *s;
	mode_t old_mask;
	int err, n;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	s->cfg = *cfg;
	s->lfd = -1;
	s->max_conns = cfg->max_conns && cfg->max_conns < BVC_MAX_CONNS ?
		       cfg->max_conns : BVC_MAX_CONNS;
	s->buf = malloc(BVC_MAX_MSG + 1);
	if (!s->buf) {
		snprintf(why, why_len, "out of memory");
		err = -ENOMEM;
		goto fail;
	}
	n = snprintf(s->path, sizeof(s->path), "%s/%s", dir, BVC_SOCKET_NAME);
	if (n < 0 || (size_t)n >= sizeof(s->path)) {
		snprintf(why, why_len, "socket path %s/%s is too long", dir,
			 BVC_SOCKET_NAME);
		err = -ENAMETOOLONG;
		goto fail;
	}
	if (mkdir(dir, 0755) && errno != EEXIST) {
		err = -errno;
		snprintf(why, why_len, "cannot create %s: %s", dir,
			 strerror(errno));
		goto fail;
	}
	err = check_existing(s->path, why, why_len);
	if (err)
		goto fail;

	s->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
			0);
	if (s->lfd < 0) {
		err = -errno;
		snprintf(why, why_len, "socket: %s", strerror(errno));
		goto fail;
	}
	memcpy(sa.sun_path, s->path, strlen(s->path) + 1);
	/* created 0660 from the start: no window with wider permissions */
	old_mask = umask(0117);
	n = bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa));
	err = -errno;
	umask(old_mask);
	if (n) {
		snprintf(why, why_len, "bind %s: %s", s->path, strerror(-err));
		goto fail;
	}
	if (chmod(s->path, 0660)) {
		err = -errno;
		snprintf(why, why_len, "chmod %s: %s", s->path,
			 strerror(errno));
		goto fail_unlink;
	}
	set_group(s, group);
	if (listen(s->lfd, 16)) {
		err = -errno;
		snprintf(why, why_len, "listen %s: %s", s->path,
			 strerror(errno));
		goto fail_unlink;
	}
	if (cfg->watch)
		cfg->watch(cfg->ctx, s, s->lfd, POLLIN);
	*out = s;
	return 0;

fail_unlink:
	unlink(s->path);
fail:
	if (s->lfd >= 0)
		close(s->lfd);
	free(s->buf);
	free(s);
	return err;
}

void bvc_close(struct bvc_server *s)
{
	if (!s)
		return;
	for (unsigned int i = 0; i < s->max_conns; i++)
		if (s->conns[i])
			conn_close(s, s->conns[i]);
	/* detached requests still pending: their owners reply (and free) */
	while (s->deferred) {
		struct bvc_req *r = s->deferred;

		s->deferred = r->next;
		r->srv = NULL;
		r->conn = NULL;
		r->next = NULL;
	}
	if (s->cfg.unwatch)
		s->cfg.unwatch(s->cfg.ctx, s->lfd);
	close(s->lfd);
	unlink(s->path);
	free(s->buf);
	free(s);
}

const char *bvc_path(const struct bvc_server *s)
{
	return s->path;
}
