// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of the beaverctl socket: beaverd/ctl.c (the daemon side) in a
 * server thread on a socket in a temporary directory, beaverctl/client.c
 * (the client side) in the test thread. Request and reply, a reply in
 * BVC_PART datagrams reassembled by the client (larger than the socket
 * buffer, so the server's POLLOUT path runs), deferred replies (in order,
 * early, client gone with and without a cancel callback), malformed
 * requests answered with an error (never a crash), client-side reassembly
 * errors on a socketpair, timeouts, unreachable daemons, the socket file
 * (mode, stale file, a second daemon), the connection limit, and the fd
 * watcher hooks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "../../beaverd/ctl.h"
#include "../../beaverctl/client.h"

/* --- the server thread -------------------------------------------------------- */

#define MAX_PENDING 8

struct pending {
	struct bvc_req *req;
	long long due_ms;
	bool fail;
};

struct harness {
	struct bvc_server *s;
	char dir[64];
	char path[128];
	int stop[2];
	pthread_t th;
	/* owned by the server thread */
	struct pending pend[MAX_PENDING];
	struct bvc_req *slow;		/* deferred forever, no cancel */
	/* read by the test thread */
	atomic_int cancelled;
	atomic_int slow_reply_rc;
	atomic_int warnings;
	atomic_int thread_errors;	/* checks that failed on its thread */
	char last_warning[512];
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int h_status(void *ctx, struct bvc_req *req, json_t *args,
		    json_t **result, char *err, size_t errlen)
{
	(void)ctx; (void)req; (void)args; (void)err; (void)errlen;
	*result = json_pack("{s:s, s:[s], s:i}", "node", "coord",
			    "roles", "coordinator", "group", 7);
	return BVC_OK;
}

static int h_echo(void *ctx, struct bvc_req *req, json_t *args,
		  json_t **result, char *err, size_t errlen)
{
	(void)ctx; (void)req; (void)err; (void)errlen;
	*result = json_pack("{s:O, s:s}", "args", args, "cmd",
			    bvc_req_cmd(req));
	return BVC_OK;
}

/* the text every big reply carries: escapes, quotes, non-ASCII */
static char *big_text(size_t n)
{
	static const char pat[] = "a\"b\\c/\u00e9\u2603\n\t{}[]";
	char *s = malloc(n + 1);
	size_t i = 0;

	if (!s)
		abort();
	while (i + sizeof(pat) - 1 <= n) {
		memcpy(s + i, pat, sizeof(pat) - 1);
		i += sizeof(pat) - 1;
	}
	while (i < n)
		s[i++] = 'z';
	s[n] = '\0';
	return s;
}

static int h_big(void *ctx, struct bvc_req *req, json_t *args,
		 json_t **result, char *err, size_t errlen)
{
	json_int_t n = json_integer_value(json_object_get(args, "size"));
	char *s = big_text((size_t)n);

	(void)ctx; (void)req; (void)err; (void)errlen;
	*result = json_pack("{s:s}", "blob", s);
	free(s);
	return BVC_OK;
}

static int h_notfound(void *ctx, struct bvc_req *req, json_t *args,
		      json_t **result, char *err, size_t errlen)
{
	(void)ctx; (void)req; (void)args; (void)result;
	snprintf(err, errlen, "no snapshot %d", 99);
	return BVC_E_NOTFOUND;
}

static int h_silent_error(void *ctx, struct bvc_req *req, json_t *args,
			  json_t **result, char *err, size_t errlen)
{
	(void)ctx; (void)req; (void)args; (void)result; (void)err;
	(void)errlen;
	return BVC_E_BUSY;	/* no message: ctl.c makes one */
}

/* deferred: answered by the loop after args.delay_ms */
static int h_wait(void *ctx, struct bvc_req *req, json_t *args,
		  json_t **result, char *err, size_t errlen)
{
	struct harness *h = ctx;

	(void)result;
	for (int i = 0; i < MAX_PENDING; i++) {
		if (!h->pend[i].req) {
			h->pend[i].req = req;
			h->pend[i].due_ms = now_ms() + json_integer_value(
				json_object_get(args, "delay_ms"));
			h->pend[i].fail = json_is_true(json_object_get(args,
								       "fail"));
			return BVC_DEFER;
		}
	}
	snprintf(err, errlen, "too many waiting");
	return BVC_E_BUSY;
}

/* replies inside the handler, then says it defers */
static int h_early(void *ctx, struct bvc_req *req, json_t *args,
		   json_t **result, char *err, size_t errlen)
{
	struct harness *h = ctx;

	(void)args; (void)result; (void)err; (void)errlen;
	/* no cmocka asserts on the server thread: count, check later */
	if (!bvc_req_connected(req) ||
	    bvc_reply(req, json_pack("{s:b}", "early", 1)))
		atomic_fetch_add(&h->thread_errors, 1);
	/* answered: the handler must not keep it any more */
	if (bvc_req_connected(req))
		atomic_fetch_add(&h->thread_errors, 1);
	return BVC_DEFER;
}

static void on_cancel(void *arg, struct bvc_req *req)
{
	struct harness *h = arg;

	if (bvc_req_connected(req))
		atomic_fetch_add(&h->thread_errors, 1);
	for (int i = 0; i < MAX_PENDING; i++)
		if (h->pend[i].req == req)
			h->pend[i].req = NULL;
	atomic_fetch_add(&h->cancelled, 1);
}

static int h_cancelme(void *ctx, struct bvc_req *req, json_t *args,
		      json_t **result, char *err, size_t errlen)
{
	struct harness *h = ctx;
	int rc = h_wait(ctx, req, args, result, err, errlen);

	bvc_req_set_cancel(req, on_cancel, h);
	return rc;
}

static int h_slow(void *ctx, struct bvc_req *req, json_t *args,
		  json_t **result, char *err, size_t errlen)
{
	struct harness *h = ctx;

	(void)args; (void)result; (void)err; (void)errlen;
	if (h->slow) {
		snprintf(err, errlen, "one slow request at a time");
		return BVC_E_BUSY;
	}
	h->slow = req;
	return BVC_DEFER;
}

/* answers the slow request (its client is long gone) */
static int h_finish_slow(void *ctx, struct bvc_req *req, json_t *args,
			 json_t **result, char *err, size_t errlen)
{
	struct harness *h = ctx;

	(void)req; (void)args; (void)err; (void)errlen;
	if (h->slow) {
		atomic_store(&h->slow_reply_rc, bvc_reply(h->slow, NULL));
		h->slow = NULL;
	}
	*result = json_object();
	return BVC_OK;
}

static const struct bvc_command commands[] = {
	{ "status", "beaver-status/1", h_status },
	{ "echo", "beaver-echo/1", h_echo },
	{ "big", "beaver-big/1", h_big },
	{ "notfound", NULL, h_notfound },
	{ "silent", NULL, h_silent_error },
	{ "wait", "beaver-summary/1", h_wait },
	{ "early", NULL, h_early },
	{ "cancelme", NULL, h_cancelme },
	{ "slow", NULL, h_slow },
	{ "finish_slow", NULL, h_finish_slow },
};

static void log_cb(void *ctx, int prio, const char *msg)
{
	struct harness *h = ctx;

	if (prio <= LOG_WARNING) {
		snprintf(h->last_warning, sizeof(h->last_warning), "%s", msg);
		atomic_fetch_add(&h->warnings, 1);
	}
}

static void run_due(struct harness *h)
{
	long long now = now_ms();

	for (int i = 0; i < MAX_PENDING; i++) {
		struct pending *p = &h->pend[i];

		if (!p->req || p->due_ms > now)
			continue;
		if (p->fail)
			bvc_reply_error(p->req, BVC_E_FAILED, "gateway %s "
					"did not answer", "gw2");
		else
			bvc_reply(p->req, json_pack("{s:s, s:I}", "state",
						    "accepted", "delay",
						    (json_int_t)(now - p->due_ms)));
		p->req = NULL;
	}
}

static void *server_main(void *arg)
{
	struct harness *h = arg;

	for (;;) {
		struct pollfd p[BVC_MAX_CONNS + 2];
		size_t n = bvc_poll_fds(h->s, p, BVC_MAX_CONNS + 1);

		p[n] = (struct pollfd){ .fd = h->stop[0], .events = POLLIN };
		if (poll(p, n + 1, 5) < 0 && errno != EINTR)
			break;
		if (p[n].revents)
			break;
		bvc_dispatch(h->s, p, n);
		run_due(h);
	}
	return NULL;
}

static struct harness *harness_new(const char *group, unsigned int max_conns)
{
	struct harness *h = calloc(1, sizeof(*h));
	struct bvc_config cfg = {
		.group = group, .max_conns = max_conns,
		.cmds = commands,
		.n_cmds = sizeof(commands) / sizeof(commands[0]),
		.log = log_cb,
	};
	char why[256] = "";

	assert_non_null(h);
	snprintf(h->dir, sizeof(h->dir), "/tmp/bvctl-test.XXXXXX");
	assert_non_null(mkdtemp(h->dir));
	snprintf(h->path, sizeof(h->path), "%s/%s", h->dir, BVC_SOCKET_NAME);
	cfg.run_dir = h->dir;
	cfg.ctx = h;
	if (bvc_open(&cfg, &h->s, why, sizeof(why)))
		fail_msg("bvc_open: %s", why);
	assert_int_equal(pipe(h->stop), 0);
	assert_int_equal(pthread_create(&h->th, NULL, server_main, h), 0);
	return h;
}

static void harness_free(struct harness *h)
{
	assert_int_equal(write(h->stop[1], "x", 1), 1);
	pthread_join(h->th, NULL);
	assert_int_equal(atomic_load(&h->thread_errors), 0);
	if (h->slow)
		bvc_reply(h->slow, NULL);
	bvc_close(h->s);
	/* deferred requests still in the harness are detached: finish them */
	for (int i = 0; i < MAX_PENDING; i++)
		if (h->pend[i].req)
			assert_int_equal(bvc_reply(h->pend[i].req, NULL),
					 -ENOTCONN);
	close(h->stop[0]);
	close(h->stop[1]);
	assert_int_equal(rmdir(h->dir), 0);	/* the socket is gone */
	free(h);
}

static int setup(void **state)
{
	*state = harness_new("", 0);
	return 0;
}

static int teardown(void **state)
{
	harness_free(*state);
	return 0;
}

/* --- helpers --------------------------------------------------------------------- */

static int call(struct harness *h, const char *cmd, json_t *args,
		int timeout_ms, json_t **result, struct bvcl_error *e)
{
	int rc = bvcl_call(h->path, cmd, args, timeout_ms, result, e);

	json_decref(args);
	return rc;
}

/* bvcl_send() borrows args: this one takes them over */
static int send_own(int fd, const char *cmd, json_t *args)
{
	struct bvcl_error e;
	int rc = bvcl_send(fd, cmd, args, &e);

	json_decref(args);
	return rc;
}

static int raw_connect(struct harness *h)
{
	struct bvcl_error e;
	int fd = bvcl_connect(h->path, &e);

	if (fd < 0)
		fail_msg("connect: %s", e.msg);
	return fd;
}

/* send raw bytes, receive the reply envelope */
static json_t *raw_request(int fd, const void *buf, size_t len)
{
	struct bvcl_error e;
	json_t *reply = NULL;

	assert_int_equal(send(fd, buf, len, MSG_NOSIGNAL), (ssize_t)len);
	if (bvcl_recv(fd, 5000, &reply, &e))
		fail_msg("no reply: %s", e.msg);
	return reply;
}

static void assert_error_reply(json_t *reply, const char *code,
			       const char *msg_part)
{
	const char *msg = json_string_value(json_object_get(reply, "error"));

	assert_true(json_is_false(json_object_get(reply, "ok")));
	assert_string_equal(json_string_value(json_object_get(reply, "code")),
			    code);
	assert_non_null(msg);
	if (!strstr(msg, msg_part))
		fail_msg("error '%s' lacks '%s'", msg, msg_part);
	json_decref(reply);
}

/* --- request and reply -------------------------------------------------------- */

static void test_request_reply(void **state)
{
	struct harness *h = *state;
	struct bvcl_error e;
	json_t *r;

	assert_int_equal(call(h, "status", NULL, 5000, &r, &e), BVX_OK);
	/* the command's schema is added to the result */
	assert_string_equal(json_string_value(json_object_get(r, "schema")),
			    "beaver-status/1");
	assert_string_equal(json_string_value(json_object_get(r, "node")),
			    "coord");
	assert_int_equal(json_integer_value(json_object_get(r, "group")), 7);
	json_decref(r);
}

static void test_args(void **state)
{
	struct harness *h = *state;
	struct bvcl_error e;
	json_t *r;

	assert_int_equal(call(h, "echo", json_pack("{s:b, s:i}", "wait", 1,
						   "timeout_ms", 1500),
			      5000, &r, &e), BVX_OK);
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(r, "args"), "timeout_ms")), 1500);
	assert_string_equal(json_string_value(json_object_get(r, "cmd")),
			    "echo");
	json_decref(r);
	/* no args: the handler gets an empty object */
	assert_int_equal(call(h, "echo", NULL, 5000, &r, &e), BVX_OK);
	assert_true(json_is_object(json_object_get(r, "args")));
	assert_int_equal(json_object_size(json_object_get(r, "args")), 0);
	json_decref(r);
}

/* several requests, one after the other, on one connection */
static void test_one_connection_many_requests(void **state)
{
	struct harness *h = *state;
	int fd = raw_connect(h);

	for (int i = 0; i < 5; i++) {
		struct bvcl_error e;
		json_t *reply, *r;

		assert_int_equal(bvcl_send(fd, "status", NULL, &e), BVX_OK);
		assert_int_equal(bvcl_recv(fd, 5000, &reply, &e), BVX_OK);
		assert_int_equal(bvcl_result(reply, &r, &e), BVX_OK);
		json_decref(r);
		json_decref(reply);
	}
	close(fd);
}

/* --- multi-part replies ------------------------------------------------------------ */

static void check_big(struct harness *h, size_t size)
{
	struct bvcl_error e;
	char *want = big_text(size);
	json_t *r;

	if (call(h, "big", json_pack("{s:I}", "size", (json_int_t)size), 10000,
		 &r, &e))
		fail_msg("big %zu: %s", size, e.msg);
	assert_string_equal(json_string_value(json_object_get(r, "blob")),
			    want);
	assert_string_equal(json_string_value(json_object_get(r, "schema")),
			    "beaver-big/1");
	json_decref(r);
	free(want);
}

static void test_multipart(void **state)
{
	struct harness *h = *state;

	check_big(h, 10);			/* one datagram */
	check_big(h, BVC_MAX_MSG - 200);	/* about the limit */
	check_big(h, BVC_MAX_MSG * 3);		/* parts */
	check_big(h, 1u << 20);			/* beyond the socket buffer */
}

/* what travels: parts numbered 0..n-1, each a datagram within the limit */
static void test_multipart_on_the_wire(void **state)
{
	struct harness *h = *state;
	int fd = raw_connect(h);
	char *buf = malloc(BVC_MAX_MSG + 1);
	json_int_t parts = 0;

	assert_int_equal(send_own(fd, "big", json_pack("{s:i}", "size",
							 200000)), 0);
	for (json_int_t i = 0; i == 0 || i < parts; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;
		json_t *j;

		assert_int_equal(poll(&p, 1, 5000), 1);
		n = recv(fd, buf, BVC_MAX_MSG + 1, MSG_TRUNC);
		assert_true(n > 0 && n <= BVC_MAX_MSG);
		j = json_loadb(buf, (size_t)n, 0, NULL);
		assert_non_null(j);
		assert_int_equal(json_integer_value(json_object_get(j, "part")),
				 i);
		if (!i)
			parts = json_integer_value(json_object_get(j, "parts"));
		assert_int_equal(json_integer_value(json_object_get(j, "parts")),
				 parts);
		assert_true(json_is_string(json_object_get(j, "data")));
		json_decref(j);
	}
	assert_true(parts >= 2);
	free(buf);
	close(fd);
}

/* a leak check of the json_pack in bvcl_send above: args is borrowed */
static void test_send_args_borrowed(void **state)
{
	struct harness *h = *state;
	json_t *args = json_pack("{s:i}", "size", 3), *reply;
	struct bvcl_error e;
	int fd = raw_connect(h);

	assert_int_equal(bvcl_send(fd, "big", args, &e), 0);
	assert_int_equal(args->refcount, 1);
	assert_int_equal(bvcl_recv(fd, 5000, &reply, &e), 0);
	json_decref(reply);
	json_decref(args);
	close(fd);
}

/* --- errors --------------------------------------------------------------------------- */

static void test_error_codes(void **state)
{
	struct harness *h = *state;
	struct bvcl_error e;
	json_t *r;

	assert_int_equal(call(h, "notfound", NULL, 5000, &r, &e),
			 BVX_NOTFOUND);
	assert_null(r);
	assert_string_equal(e.code, "notfound");
	assert_string_equal(e.msg, "no snapshot 99");

	assert_int_equal(call(h, "no-such-command", NULL, 5000, &r, &e),
			 BVX_USAGE);
	assert_string_equal(e.code, "usage");
	assert_non_null(strstr(e.msg, "unknown command 'no-such-command'"));

	assert_int_equal(call(h, "silent", NULL, 5000, &r, &e), BVX_ERROR);
	assert_string_equal(e.code, "busy");
	assert_non_null(strstr(e.msg, "silent failed (busy)"));

	assert_int_equal(bvcl_exit_for("rejected"), BVX_NOTOK);
	assert_int_equal(bvcl_exit_for("failed"), BVX_NOTOK);
	assert_int_equal(bvcl_exit_for("internal"), BVX_ERROR);
	assert_int_equal(bvcl_exit_for("something-new"), BVX_ERROR);
}

static void test_malformed_requests(void **state)
{
	static const struct {
		const char *req;
		const char *msg;
	} bad[] = {
		{ "not json", "request is not JSON" },
		{ "{\"cmd\":\"status\"", "request is not JSON" },
		{ "[1,2]", "must be an object with a string \"cmd\"" },
		{ "\"status\"", "request is not JSON" },	/* no DECODE_ANY */
		{ "{}", "must be an object with a string \"cmd\"" },
		{ "{\"cmd\":5}", "must be an object with a string \"cmd\"" },
		{ "{\"cmd\":\"echo\",\"args\":[1]}", "\"args\" must be an object" },
		{ "{\"cmd\":\"echo\",\"args\":\"x\"}", "\"args\" must be an object" },
		{ "{\"cmd\":\"echo\",\"cmd\":\"status\"}", "request is not JSON" },
		{ "{\"cmd\":\"st\\u0000atus\"}", "request is not JSON" },
		{ "\xff\xfe{}", "request is not JSON" },
	};
	struct harness *h = *state;
	int fd = raw_connect(h);
	char *huge;
	json_t *reply;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_error_reply(raw_request(fd, bad[i].req,
					       strlen(bad[i].req)),
				   "usage", bad[i].msg);
	/* a long unknown name is quoted short */
	huge = malloc(BVC_MAX_MSG + 100);
	memset(huge, 'x', BVC_MAX_MSG + 100);
	memcpy(huge, "{\"cmd\":\"", 8);
	memcpy(huge + 5000, "\"}", 3);
	reply = raw_request(fd, huge, strlen(huge));
	assert_true(strlen(json_string_value(json_object_get(reply, "error")))
		    < 200);
	assert_error_reply(reply, "usage", "unknown command 'xxxx");
	/* larger than BVC_MAX_MSG */
	assert_error_reply(raw_request(fd, huge, BVC_MAX_MSG + 100), "usage",
			   "exceeds");
	free(huge);
	/* {"args": null} is no args */
	reply = raw_request(fd, "{\"cmd\":\"echo\",\"args\":null}", 26);
	assert_true(json_is_true(json_object_get(reply, "ok")));
	json_decref(reply);
	/* the same connection still serves */
	reply = raw_request(fd, "{\"cmd\":\"status\"}", 16);
	assert_true(json_is_true(json_object_get(reply, "ok")));
	json_decref(reply);
	close(fd);
}

/* an empty datagram reads as end of file: the server closes, survives */
static void test_empty_datagram(void **state)
{
	struct harness *h = *state;
	struct bvcl_error e;
	int fd = raw_connect(h);
	json_t *reply, *r;

	assert_int_equal(send(fd, "", 0, MSG_NOSIGNAL), 0);
	assert_int_equal(bvcl_recv(fd, 2000, &reply, &e), BVX_ERROR);
	assert_string_equal(e.code, "protocol");
	close(fd);
	assert_int_equal(call(h, "status", NULL, 5000, &r, &e), BVX_OK);
	json_decref(r);
}

/* --- deferred replies ------------------------------------------------------------------ */

static void test_deferred(void **state)
{
	struct harness *h = *state;
	struct bvcl_error e;
	long long t0 = now_ms();
	int a = raw_connect(h), b = raw_connect(h);
	json_t *ra, *rb, *r;

	/* a waits longer than b: b's reply comes first, a's is not lost */
	assert_int_equal(send_own(a, "wait", json_pack("{s:i}", "delay_ms",
							 300)), 0);
	assert_int_equal(send_own(b, "wait", json_pack("{s:i}", "delay_ms",
							 50)), 0);
	assert_int_equal(bvcl_recv(b, 5000, &rb, &e), 0);
	assert_true(now_ms() - t0 >= 50);
	assert_int_equal(bvcl_recv(a, 5000, &ra, &e), 0);
	assert_true(now_ms() - t0 >= 300);
	assert_int_equal(bvcl_result(ra, &r, &e), 0);
	assert_string_equal(json_string_value(json_object_get(r, "state")),
			    "accepted");
	assert_string_equal(json_string_value(json_object_get(r, "schema")),
			    "beaver-summary/1");
	json_decref(r);
	json_decref(ra);
	json_decref(rb);
	/* the connection serves again after its deferred reply */
	assert_int_equal(bvcl_send(a, "status", NULL, &e), 0);
	assert_int_equal(bvcl_recv(a, 5000, &ra, &e), 0);
	json_decref(ra);
	close(a);
	close(b);

	/* a deferred error */
	assert_int_equal(call(h, "wait", json_pack("{s:i, s:b}", "delay_ms", 10,
						   "fail", 1), 5000, &r, &e),
			 BVX_NOTOK);
	assert_string_equal(e.code, "failed");
	assert_string_equal(e.msg, "gateway gw2 did not answer");
}

static void test_deferred_early_reply(void **state)
{
	struct harness *h = *state;
	struct bvcl_error e;
	json_t *r;

	assert_int_equal(call(h, "early", NULL, 5000, &r, &e), BVX_OK);
	assert_true(json_is_true(json_object_get(r, "early")));
	json_decref(r);
}

static void test_deferred_client_gone(void **state)
{
	struct harness *h = *state;
	struct bvcl_error e;
	long long t0;
	int fd;
	json_t *r;

	/* with a cancel callback: it runs, and the request is freed */
	fd = raw_connect(h);
	assert_int_equal(send_own(fd, "cancelme", json_pack("{s:i}",
							      "delay_ms",
							      60000)), 0);
	usleep(50000);
	close(fd);
	for (t0 = now_ms(); !atomic_load(&h->cancelled) &&
	     now_ms() - t0 < 3000;)
		usleep(5000);
	assert_int_equal(atomic_load(&h->cancelled), 1);

	/* without: the request stays until the owner replies (-ENOTCONN) */
	fd = raw_connect(h);
	assert_int_equal(bvcl_send(fd, "slow", NULL, &e), 0);
	usleep(50000);
	close(fd);
	usleep(50000);
	atomic_store(&h->slow_reply_rc, 1);
	assert_int_equal(call(h, "finish_slow", NULL, 5000, &r, &e), BVX_OK);
	json_decref(r);
	assert_int_equal(atomic_load(&h->slow_reply_rc), -ENOTCONN);
}

static void test_client_timeout(void **state)
{
	struct harness *h = *state;
	struct bvcl_error e;
	long long t0 = now_ms();
	json_t *r;

	assert_int_equal(call(h, "slow", NULL, 200, &r, &e), BVX_ERROR);
	assert_string_equal(e.code, "timeout");
	assert_non_null(strstr(e.msg, "no reply from beaverd within 0.200 s"));
	assert_true(now_ms() - t0 >= 200 && now_ms() - t0 < 3000);
	assert_int_equal(call(h, "finish_slow", NULL, 5000, &r, &e), BVX_OK);
	json_decref(r);
}

/* --- the client's reassembly, against a hand-written server ------------------- */

static int client_over(const char *const *dgrams, size_t n, json_t **reply,
		       struct bvcl_error *e)
{
	int sv[2], rc;

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(send(sv[1], dgrams[i], strlen(dgrams[i]), 0),
				 (ssize_t)strlen(dgrams[i]));
	close(sv[1]);
	rc = bvcl_recv(sv[0], 2000, reply, e);
	close(sv[0]);
	return rc;
}

static void test_client_reassembly(void **state)
{
	static const char *const good[] = {
		"{\"part\":0,\"parts\":3,\"data\":\"{\\\"ok\\\":tr\"}",
		"{\"part\":1,\"parts\":3,\"data\":\"ue,\\\"result\\\":{\\\"x\\\"\"}",
		"{\"part\":2,\"parts\":3,\"data\":\":1}}\"}",
	};
	static const struct {
		const char *d[3];
		size_t n;
		const char *msg;
	} bad[] = {
		{ { "{\"part\":1,\"parts\":2,\"data\":\"x\"}" }, 1,
		  "malformed reply part (expected part 0)" },
		{ { "{\"part\":0,\"parts\":1,\"data\":\"{}\"}" }, 1,
		  "malformed reply part" },
		{ { "{\"part\":0,\"parts\":2,\"data\":\"{\"}",
		    "{\"part\":1,\"parts\":3,\"data\":\"}\"}" }, 2,
		  "malformed reply part (expected part 1)" },
		{ { "{\"part\":0,\"parts\":2,\"data\":5}" }, 1,
		  "malformed reply part" },
		{ { "{\"part\":0,\"parts\":2,\"data\":\"{\"}",
		    "{\"ok\":true,\"result\":{}}" }, 2,
		  "ended after part 1 of 2" },
		{ { "{\"part\":0,\"parts\":2,\"data\":\"[1,\"}",
		    "{\"part\":1,\"parts\":2,\"data\":\"2]\"}" }, 2,
		  "malformed reply (2 parts): not an object" },
		{ { "{\"part\":0,\"parts\":2,\"data\":\"{\"}" }, 1,
		  "closed the connection" },
		{ { "garbage" }, 1, "malformed reply" },
		{ { "[]" }, 1, "malformed reply: not an object" },
		{ { NULL }, 0, "closed the connection" },
	};
	struct bvcl_error e;
	json_t *reply, *r;

	(void)state;
	assert_int_equal(client_over(good, 3, &reply, &e), BVX_OK);
	assert_int_equal(bvcl_result(reply, &r, &e), BVX_OK);
	assert_int_equal(json_integer_value(json_object_get(r, "x")), 1);
	json_decref(r);
	json_decref(reply);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		reply = NULL;
		assert_int_equal(client_over(bad[i].d, bad[i].n, &reply, &e),
				 BVX_ERROR);
		assert_null(reply);
		if (!strstr(e.msg, bad[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, e.msg,
				 bad[i].msg);
	}
}

static void test_client_envelope(void **state)
{
	struct bvcl_error e;
	json_t *r, *env;

	(void)state;
	env = json_loads("{\"ok\":true}", 0, NULL);
	assert_int_equal(bvcl_result(env, &r, &e), BVX_ERROR);
	assert_non_null(strstr(e.msg, "no result object"));
	json_decref(env);
	env = json_loads("{\"result\":{}}", 0, NULL);
	assert_int_equal(bvcl_result(env, &r, &e), BVX_ERROR);
	json_decref(env);
	env = json_loads("{\"ok\":false,\"code\":\"rejected\","
			 "\"error\":\"bound 51us >= tau_min 33us\"}", 0, NULL);
	assert_int_equal(bvcl_result(env, &r, &e), BVX_NOTOK);
	assert_string_equal(e.msg, "bound 51us >= tau_min 33us");
	json_decref(env);
	env = json_loads("{\"ok\":false}", 0, NULL);
	assert_int_equal(bvcl_result(env, &r, &e), BVX_ERROR);
	assert_string_equal(e.code, "internal");
	json_decref(env);
}

/* --- reaching the daemon ------------------------------------------------------------- */

static void test_unreachable(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[] = "/tmp/bvctl-unreach.XXXXXX", path[128];
	struct bvcl_error e;
	json_t *r;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/beaverd.sock", dir);
	assert_int_equal(bvcl_call(path, "status", NULL, 1000, &r, &e),
			 BVX_UNREACHABLE);
	assert_string_equal(e.code, "unreachable");
	assert_non_null(strstr(e.msg, "does not exist"));

	/* a socket file nobody listens on */
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	assert_int_equal(bvcl_call(path, "status", NULL, 1000, &r, &e),
			 BVX_UNREACHABLE);
	assert_non_null(strstr(e.msg, "refuses connections"));
	unlink(path);

	/* not a socket */
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	assert_int_equal(bvcl_call(path, "status", NULL, 1000, &r, &e),
			 BVX_UNREACHABLE);
	assert_non_null(strstr(e.msg, "is not a socket"));
	unlink(path);
	rmdir(dir);
}

/*
 * Permission denied needs someone the mode keeps out, and root passes any
 * mode: as root (CI), the call is made with the effective ids of nobody
 * (process-wide: glibc changes every thread's), then root's are taken
 * back from the saved ones. The directory is opened to others meanwhile,
 * so that it is the socket's own mode that refuses.
 */
#define NOBODY 65534

static void test_permission_denied(void **state)
{
	struct harness *h = *state;
	struct bvcl_error e;
	bool root = geteuid() == 0;
	json_t *r;
	int rc;

	assert_int_equal(chmod(h->path, 0), 0);
	if (root) {
		assert_int_equal(chmod(h->dir, 0711), 0);
		assert_int_equal(setresgid(-1, NOBODY, -1), 0);
		assert_int_equal(setresuid(-1, NOBODY, -1), 0);
	}
	rc = bvcl_call(h->path, "status", NULL, 1000, &r, &e);
	if (root) {
		assert_int_equal(setresuid(-1, 0, -1), 0);
		assert_int_equal(setresgid(-1, 0, -1), 0);
		assert_int_equal(chmod(h->dir, 0700), 0);
	}
	assert_int_equal(rc, BVX_UNREACHABLE);
	assert_non_null(strstr(e.msg, "permission denied"));
	chmod(h->path, 0660);
}

/* --- the socket file ------------------------------------------------------------------ */

static void test_socket_file(void **state)
{
	struct harness *h = *state;
	struct bvc_config cfg = { .run_dir = h->dir, .group = "",
				  .cmds = commands, .n_cmds = 1 };
	struct bvc_server *s2 = NULL;
	char why[256];
	struct stat st;

	assert_int_equal(lstat(h->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0660);
	assert_string_equal(bvc_path(h->s), h->path);
	/* a second daemon on the same socket is refused */
	assert_int_equal(bvc_open(&cfg, &s2, why, sizeof(why)), -EADDRINUSE);
	assert_null(s2);
	assert_non_null(strstr(why, "another beaverd is listening"));
}

static void test_socket_stale_and_squatted(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[] = "/tmp/bvctl-stale.XXXXXX", path[128], why[256];
	struct bvc_config cfg = { .group = "", .cmds = commands, .n_cmds = 1 };
	struct bvc_server *s = NULL;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	cfg.run_dir = dir;
	snprintf(path, sizeof(path), "%s/%s", dir, BVC_SOCKET_NAME);
	/* the leftover of a daemon killed with -9 */
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	assert_int_equal(bvc_open(&cfg, &s, why, sizeof(why)), 0);
	bvc_close(s);
	assert_int_equal(access(path, F_OK), -1);	/* unlinked */
	/* a regular file is not ours to remove */
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	assert_int_equal(bvc_open(&cfg, &s, why, sizeof(why)), -EEXIST);
	assert_non_null(strstr(why, "is not a socket"));
	unlink(path);
	/* run_dir created when missing; a path too long is refused */
	rmdir(dir);
	assert_int_equal(bvc_open(&cfg, &s, why, sizeof(why)), 0);
	bvc_close(s);
	assert_int_equal(rmdir(dir), 0);
	cfg.run_dir = "/tmp/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	assert_int_equal(bvc_open(&cfg, &s, why, sizeof(why)), -ENAMETOOLONG);
}

static void test_socket_group(void **state)
{
	struct harness *h;
	struct group *gr;
	struct stat st;

	(void)state;
	/* a group that does not exist: a warning, and the socket works */
	h = harness_new("no-such-group-beaver-test", 0);
	assert_int_equal(atomic_load(&h->warnings), 1);
	assert_non_null(strstr(h->last_warning,
			       "group 'no-such-group-beaver-test' does not "
			       "exist"));
	{
		struct bvcl_error e;
		json_t *r;

		assert_int_equal(call(h, "status", NULL, 5000, &r, &e), 0);
		json_decref(r);
	}
	harness_free(h);

	/* an existing group: chowned (root can give it to any group) */
	gr = getgrnam("daemon");
	if (!gr || geteuid() != 0)
		return;
	h = harness_new("daemon", 0);
	assert_int_equal(atomic_load(&h->warnings), 0);
	assert_int_equal(stat(h->path, &st), 0);
	assert_int_equal(st.st_gid, gr->gr_gid);
	harness_free(h);
}

static void test_connection_limit(void **state)
{
	struct harness *h = harness_new("", 2);
	struct bvcl_error e;
	int a, b, c;
	json_t *reply;

	(void)state;
	a = raw_connect(h);
	b = raw_connect(h);
	usleep(50000);	/* both accepted */
	c = raw_connect(h);
	assert_int_equal(bvcl_recv(c, 5000, &reply, &e), 0);
	assert_error_reply(reply, "busy", "too many connections");
	close(c);
	/* the two still work; once one closes, a new one is served */
	assert_int_equal(bvcl_send(a, "status", NULL, &e), 0);
	assert_int_equal(bvcl_recv(a, 5000, &reply, &e), 0);
	assert_true(json_is_true(json_object_get(reply, "ok")));
	json_decref(reply);
	close(b);
	usleep(50000);
	assert_int_equal(call(h, "status", NULL, 5000, &reply, &e), 0);
	json_decref(reply);
	close(a);
	harness_free(h);
}

/* --- fd watcher hooks (beaverd/loop.h style) ---------------------------------- */

struct watched {
	int fd;
	short events;
	struct bvc_server *s;
};

static struct watched wset[BVC_MAX_CONNS + 1];
static int n_unwatch;

static void w_watch(void *ctx, struct bvc_server *s, int fd, short ev)
{
	(void)ctx;
	for (size_t i = 0; i < sizeof(wset) / sizeof(wset[0]); i++) {
		if (wset[i].s && wset[i].fd == fd) {
			wset[i].events = ev;
			return;
		}
	}
	for (size_t i = 0; i < sizeof(wset) / sizeof(wset[0]); i++) {
		if (!wset[i].s) {
			wset[i] = (struct watched){ fd, ev, s };
			return;
		}
	}
	abort();	/* the watch set is full */
}

static void w_unwatch(void *ctx, int fd)
{
	(void)ctx;
	for (size_t i = 0; i < sizeof(wset) / sizeof(wset[0]); i++)
		if (wset[i].s && wset[i].fd == fd)
			wset[i].s = NULL;
	n_unwatch++;
}

static void *watch_loop(void *arg)
{
	int stopfd = *(int *)arg;

	for (;;) {
		struct pollfd p[BVC_MAX_CONNS + 2];
		struct bvc_server *srv[BVC_MAX_CONNS + 2];
		size_t n = 0;

		for (size_t i = 0; i < sizeof(wset) / sizeof(wset[0]); i++) {
			if (wset[i].s) {
				srv[n] = wset[i].s;
				p[n++] = (struct pollfd){ wset[i].fd,
							  wset[i].events, 0 };
			}
		}
		p[n] = (struct pollfd){ .fd = stopfd, .events = POLLIN };
		if (poll(p, n + 1, 50) < 0)
			break;
		if (p[n].revents)
			break;
		for (size_t i = 0; i < n; i++)
			if (p[i].revents)
				bvc_handle(srv[i], p[i].fd, p[i].revents);
	}
	return NULL;
}

static void test_watch_hooks(void **state)
{
	char dir[] = "/tmp/bvctl-watch.XXXXXX", path[128], why[256];
	struct bvc_config cfg = { .group = "", .cmds = commands,
				  .n_cmds = sizeof(commands) /
					    sizeof(commands[0]),
				  .watch = w_watch, .unwatch = w_unwatch };
	struct bvc_server *s;
	struct bvcl_error e;
	int stop[2], watched = 0;
	pthread_t th;
	json_t *r, *args;

	(void)state;
	memset(wset, 0, sizeof(wset));
	n_unwatch = 0;
	assert_non_null(mkdtemp(dir));
	cfg.run_dir = dir;
	snprintf(path, sizeof(path), "%s/%s", dir, BVC_SOCKET_NAME);
	assert_int_equal(bvc_open(&cfg, &s, why, sizeof(why)), 0);
	for (size_t i = 0; i < sizeof(wset) / sizeof(wset[0]); i++)
		watched += wset[i].s != NULL;
	assert_int_equal(watched, 1);	/* the listening socket */
	assert_int_equal(pipe(stop), 0);
	assert_int_equal(pthread_create(&th, NULL, watch_loop, &stop[0]), 0);
	assert_int_equal(bvcl_call(path, "status", NULL, 5000, &r, &e), 0);
	json_decref(r);
	/* the big one needs POLLOUT: the watcher must have been told */
	args = json_pack("{s:i}", "size", 1 << 20);
	assert_int_equal(bvcl_call(path, "big", args, 10000, &r, &e), 0);
	json_decref(args);
	assert_int_equal(strlen(json_string_value(json_object_get(r, "blob"))),
			 1 << 20);
	json_decref(r);
	usleep(100000);
	assert_int_equal(write(stop[1], "x", 1), 1);
	pthread_join(th, NULL);
	assert_true(n_unwatch >= 2);	/* both connections closed */
	bvc_close(s);
	watched = 0;
	for (size_t i = 0; i < sizeof(wset) / sizeof(wset[0]); i++)
		watched += wset[i].s != NULL;
	assert_int_equal(watched, 0);
	close(stop[0]);
	close(stop[1]);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_request_reply, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_args, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_one_connection_many_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multipart, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_multipart_on_the_wire,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_args_borrowed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_error_codes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_malformed_requests, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_empty_datagram, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_deferred, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deferred_early_reply,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_deferred_client_gone,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_timeout, setup,
						teardown),
		cmocka_unit_test(test_client_reassembly),
		cmocka_unit_test(test_client_envelope),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test_setup_teardown(test_permission_denied, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_socket_file, setup,
						teardown),
		cmocka_unit_test(test_socket_stale_and_squatted),
		cmocka_unit_test(test_socket_group),
		cmocka_unit_test(test_connection_limit),
		cmocka_unit_test(test_watch_hooks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
