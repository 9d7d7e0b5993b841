// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The beaverd socket from beaverctl's side. See client.h.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "../beaverd/ctl.h"

static int err(struct bvcl_error *e, int code, const char *kind,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int err(struct bvcl_error *e, int code, const char *kind,
	       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	snprintf(e->code, sizeof(e->code), "%s", kind);
	return code;
}

int bvcl_exit_for(const char *code)
{
	if (!strcmp(code, "rejected") || !strcmp(code, "failed"))
		return BVX_NOTOK;
	if (!strcmp(code, "usage"))
		return BVX_USAGE;
	if (!strcmp(code, "notfound"))
		return BVX_NOTFOUND;
	if (!strcmp(code, "unreachable"))
		return BVX_UNREACHABLE;
	if (!strcmp(code, "standby"))
		return BVX_STANDBY;
	return BVX_ERROR;
}

int bvcl_connect(const char *path, struct bvcl_error *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		err(e, BVX_USAGE, "usage", "socket path too long: %s", path);
		return -BVX_USAGE;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err(e, BVX_ERROR, "internal", "socket: %s", strerror(errno));
		return -BVX_ERROR;
	}
	do {
		r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	} while (r && errno == EINTR);
	if (!r)
		return fd;
	r = errno;
	close(fd);
	switch (r) {
	case ENOENT:
		err(e, BVX_UNREACHABLE, "unreachable",
		    "cannot reach beaverd: %s does not exist "
		    "(is beaverd running?)", path);
		break;
	case ECONNREFUSED:
		if (!lstat(path, &st) && !S_ISSOCK(st.st_mode))
			err(e, BVX_UNREACHABLE, "unreachable",
			    "cannot reach beaverd: %s is not a socket", path);
		else
			err(e, BVX_UNREACHABLE, "unreachable",
			    "cannot reach beaverd: %s refuses connections "
			    "(beaverd is not running; the socket is stale)",
			    path);
		break;
	case EACCES:
	case EPERM:
		err(e, BVX_UNREACHABLE, "unreachable",
		    "cannot reach beaverd: permission denied on %s "
		    "(run as root or as a member of the socket's group, "
		    "'beaver' by default)", path);
		break;
	case EAGAIN:
		err(e, BVX_ERROR, "busy",
		    "beaverd is busy: %s has too many pending connections",
		    path);
		return -BVX_ERROR;
	default:
		err(e, BVX_UNREACHABLE, "unreachable",
		    "cannot reach beaverd: %s: %s", path, strerror(r));
		break;
	}
	return -BVX_UNREACHABLE;
}

int bvcl_send(int fd, const char *cmd, const json_t *args,
	      struct bvcl_error *e)
{
	json_t *req;
	char *text;
	ssize_t n;

	/* "o" takes the reference over: ours, or the caller's incremented */
	req = json_pack("{s:s, s:o}", "cmd", cmd, "args",
			args ? json_incref((json_t *)args) : json_object());
	if (!req)
		return err(e, BVX_ERROR, "internal", "out of memory");
	text = json_dumps(req, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(req);
	if (!text)
		return err(e, BVX_ERROR, "internal", "out of memory");
	if (strlen(text) > BVC_MAX_MSG) {
		free(text);
		return err(e, BVX_USAGE, "usage", "request too large");
	}
	do {
		n = send(fd, text, strlen(text), MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	free(text);
	if (n < 0)
		return err(e, BVX_ERROR, "protocol",
			   "sending to beaverd: %s", strerror(errno));
	return BVX_OK;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* one datagram within the deadline; returns its length or -exit code */
static ssize_t recv_dgram(int fd, char *buf, long long deadline,
			  int timeout_ms, struct bvcl_error *e)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int wait = -1, r;
		ssize_t n;

		if (deadline >= 0) {
			long long left = deadline - now_ms();

			wait = left > 0 ? (int)(left > 1000000 ? 1000000 : left)
					: 0;
		}
		r = poll(&p, 1, wait);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -err(e, BVX_ERROR, "internal", "poll: %s",
				    strerror(errno));
		if (r == 0) {
			if (deadline >= 0 && now_ms() >= deadline)
				return -err(e, BVX_ERROR, "timeout",
					    "no reply from beaverd within "
					    "%d.%03d s", timeout_ms / 1000,
					    timeout_ms % 1000);
			continue;
		}
		n = recv(fd, buf, BVC_MAX_MSG + 1, MSG_TRUNC | MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -err(e, BVX_ERROR, "protocol",
				    "receiving from beaverd: %s",
				    strerror(errno));
		if (n == 0)
			return -err(e, BVX_ERROR, "protocol",
				    "beaverd closed the connection without a "
				    "reply");
		if (n > BVC_MAX_MSG)
			return -err(e, BVX_ERROR, "protocol",
				    "beaverd sent an oversized datagram "
				    "(%zd bytes)", n);
		return n;
	}
}

static int part_field(const json_t *o, const char *key, json_int_t max,
		      json_int_t *v)
{
	const json_t *j = json_object_get(o, key);

	if (!json_is_integer(j))
		return -1;
	*v = json_integer_value(j);
	return *v < 0 || *v > max ? -1 : 0;
}

int bvcl_recv(int fd, int timeout_ms, json_t **reply, struct bvcl_error *e)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	const json_int_t max_parts = BVC_MAX_REPLY / BVC_PART_SLICE + 1;
	size_t len = 0, cap = (size_t)2 * BVC_MAX_MSG;
	char *buf = malloc(BVC_MAX_MSG + 1), *text = malloc(cap);
	json_int_t parts = 0, next = 0;
	int rc = BVX_ERROR;

	*reply = NULL;
	if (!buf || !text) {
		free(buf);
		free(text);
		return err(e, BVX_ERROR, "internal", "out of memory");
	}
	for (;;) {
		json_int_t part, n;
		json_error_t jerr;
		const json_t *data;
		ssize_t got;
		json_t *j;
		char *t;

		got = recv_dgram(fd, buf, deadline, timeout_ms, e);
		if (got < 0) {
			rc = (int)-got;
			goto out;
		}
		j = json_loadb(buf, (size_t)got, 0, &jerr);
		if (!json_is_object(j)) {
			json_decref(j);
			rc = err(e, BVX_ERROR, "protocol",
				 "beaverd sent a malformed reply: %s",
				 j ? "not an object" : jerr.text);
			goto out;
		}
		if (!json_object_get(j, "part")) {
			if (parts) {
				json_decref(j);
				rc = err(e, BVX_ERROR, "protocol",
					 "beaverd's reply ended after part "
					 "%lld of %lld", (long long)next,
					 (long long)parts);
				goto out;
			}
			*reply = j;
			rc = BVX_OK;
			goto out;
		}
		data = json_object_get(j, "data");
		if (part_field(j, "part", max_parts, &part) ||
		    part_field(j, "parts", max_parts, &n) || n < 2 ||
		    part != next || (parts && n != parts) ||
		    !json_is_string(data) ||
		    json_string_length(data) > BVC_MAX_MSG ||
		    len + json_string_length(data) > BVC_MAX_REPLY) {
			json_decref(j);
			rc = err(e, BVX_ERROR, "protocol",
				 "beaverd sent a malformed reply part "
				 "(expected part %lld)", (long long)next);
			goto out;
		}
		parts = n;
		if (len + json_string_length(data) + 1 > cap) {
			/* geometric: a large export is hundreds of parts */
			cap = (len + json_string_length(data) + 1) * 2;
			t = realloc(text, cap);
			if (!t) {
				json_decref(j);
				rc = err(e, BVX_ERROR, "internal",
					 "out of memory");
				goto out;
			}
			text = t;
		}
		memcpy(text + len, json_string_value(data),
		       json_string_length(data));
		len += json_string_length(data);
		json_decref(j);
		if (++next < parts)
			continue;
		j = json_loadb(text, len, 0, &jerr);
		if (!json_is_object(j)) {
			json_decref(j);
			rc = err(e, BVX_ERROR, "protocol",
				 "beaverd sent a malformed reply (%lld "
				 "parts): %s", (long long)parts,
				 j ? "not an object" : jerr.text);
			goto out;
		}
		*reply = j;
		rc = BVX_OK;
		goto out;
	}
out:
	free(buf);
	free(text);
	return rc;
}

int bvcl_result(const json_t *reply, json_t **result, struct bvcl_error *e)
{
	const json_t *ok = json_object_get(reply, "ok");
	const json_t *res = json_object_get(reply, "result");
	const char *msg, *code;

	*result = NULL;
	if (json_is_true(ok)) {
		if (!json_is_object(res))
			return err(e, BVX_ERROR, "protocol",
				   "beaverd's reply has no result object");
		*result = json_incref((json_t *)res);
		return BVX_OK;
	}
	if (!json_is_false(ok))
		return err(e, BVX_ERROR, "protocol",
			   "beaverd's reply has no \"ok\"");
	msg = json_string_value(json_object_get(reply, "error"));
	code = json_string_value(json_object_get(reply, "code"));
	if (!code)
		code = "internal";
	return err(e, bvcl_exit_for(code), code, "%s",
		   msg ? msg : "beaverd reported an error without a message");
}

int bvcl_call(const char *path, const char *cmd, const json_t *args,
	      int timeout_ms, json_t **result, struct bvcl_error *e)
{
	json_t *reply = NULL;
	int fd, rc;

	*result = NULL;
	fd = bvcl_connect(path, e);
	if (fd < 0)
		return -fd;
	rc = bvcl_send(fd, cmd, args, e);
	if (!rc)
		rc = bvcl_recv(fd, timeout_ms, &reply, e);
	close(fd);
	if (!rc)
		rc = bvcl_result(reply, result, e);
	json_decref(reply);
	return rc;
}
