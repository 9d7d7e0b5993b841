// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * beaverctl end to end, in one process: its real main() (included below
 * under another name) against a fake beaverd made of the real
 * beaverd/ctl.c in a thread. Exit codes, text tables, --json output being
 * the daemon's result object (unknown fields kept), a multi-part export,
 * snapshot --wait verdicts and series, "latest", genkey, usage errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../beaverd/ctl.h"

#define main beaverctl_main
#include "../../beaverctl/main.c"
#undef main

/* --- the fake daemon ------------------------------------------------------------ */

static const char *verdicts[8];		/* states of the next --wait snapshots */
static atomic_int n_snapshots;
static atomic_int busy;
static json_t *last_args;		/* of the last snapshot request */
static struct bvc_req *waiting[16];
static long long waiting_due[16];
static char *waiting_state[16];

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "unverified" and "verified": accepted, with the verification's verdict */
static json_t *snap(int id, const char *state)
{
	bool unv = !strcmp(state, "unverified"), ver = !strcmp(state, "verified");
	json_t *j;

	if (unv || ver) {
		j = snap(id, "accepted");
		json_object_set_new(j, "verified", json_boolean(ver));
		return j;
	}
	return json_pack("{s:i, s:s, s:s?, s:i, s:I, s:I, s:I, s:I, s:i}",
			 "id", id, "state", state, "reason",
			 !strcmp(state, "rejected") ?
			 "bound 51.2us >= tau_min 33.0us" : NULL,
			 "epoch", !strcmp(state, "accepted") ? 20 + id : 0,
			 "created_ns", (json_int_t)1700000000000000000ll,
			 "finished_ns", (json_int_t)1700000001000000000ll,
			 "tau_min_ns", (json_int_t)33000,
			 "bound_ns", (json_int_t)12345, "attempts", 1);
}

static int h_status(void *ctx, struct bvc_req *req, json_t *args,
		    json_t **result, char *err, size_t errlen)
{
	(void)ctx; (void)req; (void)args; (void)err; (void)errlen;
	*result = json_loads(
		"{\"node\":\"coord\",\"roles\":[\"coordinator\",\"gateway\"],"
		"\"group\":7,\"epoch\":{\"gateway\":12,\"member\":0,"
		"\"complete\":11},\"module\":{\"version\":\"0.1.0\","
		"\"caps\":63},\"coordinator\":{\"active\":true,\"outstanding\":0,"
		"\"tau_min_ns\":33000,\"accepted_attempts\":4,"
		"\"rejected_attempts\":1,\"timeout_attempts\":0,"
		"\"refused_attempts\":0,\"bound_median_ns\":12000,"
		"\"bound_p99_ns\":20000},\"control\":{\"listen\":"
		"\"10.0.1.1:5150\",\"key\":\"ab01\","
		"\"drops\":{\"mac\":2,\"replay\":0},"
		"\"received\":100,\"sent\":120,\"busy_turns\":3},"
		"\"counters\":{\"gw_stamped\":1234,\"cuts\":5},"
		"\"future_field\":{\"x\":[1,2]}}", 0, NULL);
	return BVC_OK;
}

static int h_snapshot(void *ctx, struct bvc_req *req, json_t *args,
		      json_t **result, char *err, size_t errlen)
{
	int id;

	(void)ctx;
	if (atomic_load(&busy)) {
		snprintf(err, errlen, "4 snapshots outstanding");
		return BVC_E_BUSY;
	}
	json_decref(last_args);
	last_args = json_deep_copy(args);
	id = atomic_fetch_add(&n_snapshots, 1) + 1;
	if (!json_is_true(json_object_get(args, "wait"))) {
		*result = snap(id, "pending");
		return BVC_OK;
	}
	for (int i = 0; i < 16; i++) {
		if (!waiting[i]) {
			const char *st = verdicts[(id - 1) % 8];

			waiting[i] = req;
			waiting_due[i] = now_ms() + 20;
			waiting_state[i] = strdup(st ? st : "accepted");
			return BVC_DEFER;
		}
	}
	return BVC_E_INTERNAL;
}

static void run_due(void)
{
	for (int i = 0; i < 16; i++) {
		if (waiting[i] && waiting_due[i] <= now_ms()) {
			bvc_reply(waiting[i], snap(atomic_load(&n_snapshots),
						   waiting_state[i]));
			free(waiting_state[i]);
			waiting[i] = NULL;
		}
	}
}

static int h_list(void *ctx, struct bvc_req *req, json_t *args,
		  json_t **result, char *err, size_t errlen)
{
	json_int_t limit = json_integer_value(json_object_get(args, "limit"));
	json_t *a = json_array();

	(void)ctx; (void)req; (void)err; (void)errlen;
	json_array_append_new(a, snap(5, "accepted"));
	if (limit != 1) {
		json_array_append_new(a, snap(4, "rejected"));
		json_array_append_new(a, snap(3, "failed"));
	}
	*result = json_pack("{s:o}", "snapshots", a);
	return BVC_OK;
}

static json_t *report(void)
{
	return json_loads(
		"{\"schema\":\"beaver-report/1\",\"epoch\":25,"
		"\"tau_min_ns\":33000,\"bound_ns\":12345,\"bound_ok\":true,"
		"\"balanced\":false,\"missing_members\":0,"
		"\"incomplete_members\":0,\"unbalanced_channels\":1,"
		"\"late\":0,\"bypass\":0,\"members\":[{\"node\":\"m1\","
		"\"address\":\"10.0.1.11\",\"present\":true,"
		"\"cut_ns\":5000000123,\"first\":25,\"last\":25,\"state\":2,"
		"\"complete\":true,\"incomplete\":false,"
		"\"capture_truncated\":false,\"late\":0,\"bypass\":7,"
		"\"bypass_bytes\":700,\"interval\":{\"since\":\"previous\","
		"\"bypass\":0,\"bypass_bytes\":0,\"late_arrived\":0,"
		"\"late_arrived_bytes\":0,\"tx_unstamped\":false},"
		"\"settle_ms\":100,\"flows\":4,\"channels\":3}],"
		"\"interval\":{\"since\":\"previous\",\"since_id\":4,"
		"\"since_epoch\":23,\"bypass\":0,\"bypass_bytes\":0,"
		"\"late_arrived\":0,\"late_arrived_bytes\":0,"
		"\"members_unknown\":0,\"members_reset\":0,"
		"\"members_tx_unstamped\":0},"
		"\"channels\":[{\"from\":\"m1\",\"to\":\"m2\",\"sent\":10,"
		"\"received\":8,\"inflight\":1,\"late\":0,"
		"\"sent_bytes\":1000,\"received_bytes\":800,"
		"\"inflight_bytes\":100,\"late_bytes\":0,"
		"\"balanced\":false}]}", 0, NULL);
}

/*
 * snapshot 6: a dual-stack member (two addresses), an IPv6-only one with
 * a long address, and the pair's IPv4 and IPv6 channels
 */
static json_t *report6(void)
{
	return json_loads(
		"{\"schema\":\"beaver-report/1\",\"epoch\":26,"
		"\"tau_min_ns\":33000,\"bound_ns\":12345,\"bound_ok\":true,"
		"\"balanced\":true,\"missing_members\":0,"
		"\"incomplete_members\":0,\"unbalanced_channels\":0,"
		"\"late\":0,\"bypass\":0,\"members\":[{\"node\":\"m1\","
		"\"address\":\"10.0.1.11\",\"addresses\":[\"10.0.1.11\","
		"\"2001:db8::b\"],\"present\":false},{\"node\":\"m2\","
		"\"address\":\"2001:db8:ffff:1234:5678:9abc:def0:1\","
		"\"present\":false}],"
		"\"channels\":[{\"from\":\"m1\",\"to\":\"m2\",\"sent\":10,"
		"\"received\":10,\"inflight\":0,\"late\":0,"
		"\"balanced\":true},{\"from\":\"m1\",\"to\":\"m2\","
		"\"family\":\"ipv6\",\"sent\":5,\"received\":4,"
		"\"inflight\":1,\"late\":0,\"balanced\":true}]}", 0, NULL);
}

/*
 * snapshot 7: m2 restarted since the previous accepted snapshot: the
 * pair's channels could not be checked (balanced null, check "reset"),
 * another pair balances by an offset a restart set before
 */
static json_t *report7(void)
{
	return json_loads(
		"{\"schema\":\"beaver-report/1\",\"epoch\":27,"
		"\"tau_min_ns\":33000,\"bound_ns\":12345,\"bound_ok\":true,"
		"\"balanced\":false,\"missing_members\":0,"
		"\"incomplete_members\":0,\"unbalanced_channels\":0,"
		"\"unverifiable_channels\":1,\"members_rx_id_unread\":1,"
		"\"late\":0,\"bypass\":0,\"members\":[],"
		"\"channels\":[{\"from\":\"m1\",\"to\":\"m2\",\"sent\":90,"
		"\"received\":12,\"inflight\":0,\"late\":0,\"imbalance\":78,"
		"\"offset\":null,\"previous_imbalance\":null,"
		"\"balanced\":null,\"check\":\"reset\"},{\"from\":\"m1\","
		"\"to\":\"m3\",\"sent\":50,\"received\":20,\"inflight\":0,"
		"\"late\":0,\"imbalance\":30,\"offset\":30,"
		"\"previous_imbalance\":30,\"balanced\":true,"
		"\"check\":\"offset\"}]}", 0, NULL);
}

static int h_show(void *ctx, struct bvc_req *req, json_t *args,
		  json_t **result, char *err, size_t errlen)
{
	json_int_t id = json_integer_value(json_object_get(args, "id"));

	(void)ctx; (void)req;
	if (id == 6 || id == 7) {
		*result = json_pack("{s:o, s:[], s:o}", "snapshot",
				    snap((int)id, "accepted"), "attempts",
				    "report", id == 6 ? report6() : report7());
		return BVC_OK;
	}
	if (id != 5) {
		snprintf(err, errlen, "no snapshot %lld", (long long)id);
		return BVC_E_NOTFOUND;
	}
	*result = json_pack("{s:o, s:[{s:i,s:i,s:I,s:I,s:I,s:s,s:s},"
			    "{s:i,s:i,s:I,s:I,s:I,s:s,s:n}], s:o}",
			    "snapshot", snap(5, "accepted"), "attempts",
			    "n", 1, "epoch", 24, "t0_ns", (json_int_t)1000,
			    "t1_ns", (json_int_t)61000, "bound_ns",
			    (json_int_t)60000, "verdict", "rejected", "reason",
			    "bound above tau_min",
			    "n", 2, "epoch", 25, "t0_ns", (json_int_t)2000,
			    "t1_ns", (json_int_t)14345, "bound_ns",
			    (json_int_t)12345, "verdict", "accepted", "reason",
			    "report", report());
	return BVC_OK;
}

/* an export larger than one datagram */
static json_t *export_doc(void)
{
	json_t *doc = snap(5, "accepted"), *members = json_array();

	json_object_set_new(doc, "schema", json_string("beaver-snapshot/1"));
	json_object_set_new(doc, "attempts", json_array());
	json_object_set_new(doc, "report", report());
	for (int i = 0; i < 1000; i++) {
		char node[16];

		snprintf(node, sizeof(node), "m%d", i);
		json_array_append_new(members, json_pack(
			"{s:s, s:{s:i, s:n, s:[{s:i, s:s, s:i, s:s, s:i, "
			"s:I, s:I, s:I, s:I}], s:[], s:[]}}", "node", node,
			"record", "epoch", 25, "cut", "flows", "proto", 6,
			"laddr", "10.0.1.11", "lport", 80, "raddr",
			"192.168.1.1", "rport", 40000 + i, "tx_pkts",
			(json_int_t)i, "tx_bytes", (json_int_t)i * 100,
			"rx_pkts", (json_int_t)i, "rx_bytes",
			(json_int_t)i * 50, "channels", "captures"));
	}
	json_object_set_new(doc, "members", members);
	return doc;
}

static int h_export(void *ctx, struct bvc_req *req, json_t *args,
		    json_t **result, char *err, size_t errlen)
{
	json_int_t id = json_integer_value(json_object_get(args, "id"));

	(void)ctx; (void)req;
	if (id != 5) {
		snprintf(err, errlen, "no snapshot %lld", (long long)id);
		return BVC_E_NOTFOUND;
	}
	*result = export_doc();
	return BVC_OK;
}

static int h_members(void *ctx, struct bvc_req *req, json_t *args,
		     json_t **result, char *err, size_t errlen)
{
	(void)ctx; (void)req; (void)args; (void)err; (void)errlen;
	*result = json_loads(
		"{\"members\":[{\"name\":\"m1\","
		"\"address\":\"10.0.1.11:5150\",\"data\":[\"10.0.1.11\"],"
		"\"state\":\"down\",\"in_snapshots\":true,"
		"\"reachable\":false,\"answered\":0,\"min_us\":null,"
		"\"median_us\":null,\"max_us\":null},{\"name\":\"m4\","
		"\"address\":\"10.0.1.14:5150\",\"state\":\"removed\","
		"\"in_snapshots\":false,\"reachable\":false,\"answered\":0,"
		"\"min_us\":null,\"median_us\":null,\"max_us\":null,"
		"\"removed_ns\":1}],"
		"\"gateways\":[{\"name\":\"gw1\","
		"\"address\":\"10.0.1.1:5150\",\"state\":\"up\","
		"\"in_snapshots\":true,\"reachable\":true,"
		"\"answered\":1,\"min_us\":52,\"median_us\":52,"
		"\"max_us\":52}]}",
		0, NULL);
	return BVC_OK;
}

/* beaver-calibrate/2: a data-plane bound from gw1's probe */
static int h_calibrate(void *ctx, struct bvc_req *req, json_t *args,
		       json_t **result, char *err, size_t errlen)
{
	(void)ctx; (void)req; (void)err; (void)errlen;
	*result = json_pack("{s:O?, s:i, s:s, s:s, s:i, s:b, s:s, s:i, "
			    "s:[{s:s, s:s, s:s, s:b, s:i, s:i, s:i, s:i, "
			    "s:i}]}",
			    "samples", json_object_get(args, "count"),
			    "lower_bound_us", 40,
			    "lower_bound_method", "data plane: ICMP echo",
			    "lower_bound_peer", "gw1", "tau_min_us", 33,
			    "bound_ok", 1, "bound_note",
			    "tau_min is at most the data-plane bound",
			    "control_min_us", 52, "peers",
			    "name", "gw1", "role", "gateway", "address",
			    "10.0.1.1:5150", "reachable", 1, "answered", 10,
			    "min_us", 52, "median_us", 60, "max_us", 95,
			    "probe_us", 40);
	return BVC_OK;
}

static const struct bvc_command fake_cmds[] = {
	{ "status", "beaver-status/1", h_status },
	{ "snapshot", "beaver-summary/1", h_snapshot },
	{ "list", "beaver-list/1", h_list },
	{ "show", "beaver-show/1", h_show },
	{ "export", NULL, h_export },
	{ "members", "beaver-members/2", h_members },
	{ "calibrate", "beaver-calibrate/2", h_calibrate },
};

static struct bvc_server *srv;
static char dir[64], sock[128];
static int stop_pipe[2];
static pthread_t th;

static void *server_main(void *arg)
{
	(void)arg;
	for (;;) {
		struct pollfd p[BVC_MAX_CONNS + 2];
		size_t n = bvc_poll_fds(srv, p, BVC_MAX_CONNS + 1);

		p[n] = (struct pollfd){ .fd = stop_pipe[0], .events = POLLIN };
		if (poll(p, n + 1, 5) < 0 && errno != EINTR)
			break;
		if (p[n].revents)
			break;
		bvc_dispatch(srv, p, n);
		run_due();
	}
	return NULL;
}

static int group_setup(void **state)
{
	struct bvc_config cfg = { .group = "", .cmds = fake_cmds,
				  .n_cmds = sizeof(fake_cmds) /
					    sizeof(fake_cmds[0]) };
	char why[256];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/beaverctl-test.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(sock, sizeof(sock), "%s/%s", dir, BVC_SOCKET_NAME);
	cfg.run_dir = dir;
	if (bvc_open(&cfg, &srv, why, sizeof(why))) {
		fprintf(stderr, "bvc_open: %s\n", why);
		return -1;
	}
	if (pipe(stop_pipe) || pthread_create(&th, NULL, server_main, NULL))
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (write(stop_pipe[1], "x", 1) != 1)
		return -1;
	pthread_join(th, NULL);
	bvc_close(srv);
	for (int i = 0; i < 16; i++) {
		if (waiting[i]) {
			bvc_reply(waiting[i], NULL);
			free(waiting_state[i]);
		}
	}
	json_decref(last_args);
	close(stop_pipe[0]);
	close(stop_pipe[1]);
	return rmdir(dir);
}

/* --- running beaverctl ------------------------------------------------------------ */

struct run {
	int rc;
	char *out, *err;
};

static char *slurp(FILE *f)
{
	long n;
	char *s;

	fflush(f);
	n = ftell(f);
	s = calloc(1, (size_t)n + 1);
	rewind(f);
	if (n && fread(s, 1, (size_t)n, f) != (size_t)n)
		abort();
	fclose(f);
	return s;
}

/* beaverctl --socket SOCK args... (NULL-terminated) */
static struct run run_v(const char *first, va_list ap)
{
	char *argv[32];
	int argc = 0, so, se;
	FILE *fo = tmpfile(), *fe = tmpfile();
	struct run r;

	argv[argc++] = (char *)"beaverctl";
	argv[argc++] = (char *)"--socket";
	argv[argc++] = sock;
	for (const char *a = first; a && argc < 31; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	argv[argc] = NULL;
	fflush(stdout);
	fflush(stderr);
	so = dup(1);
	se = dup(2);
	dup2(fileno(fo), 1);
	dup2(fileno(fe), 2);
	r.rc = beaverctl_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	r.out = slurp(fo);
	r.err = slurp(fe);
	return r;
}

static struct run run(const char *first, ...)
{
	struct run r;
	va_list ap;

	va_start(ap, first);
	r = run_v(first, ap);
	va_end(ap);
	return r;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("output lacks '%s':\n%s", needle, hay);
}

static json_t *out_json(const struct run *r)
{
	json_error_t e;
	json_t *j = json_loads(r->out, 0, &e);

	if (!j)
		fail_msg("not JSON (%s):\n%s", e.text, r->out);
	return j;
}

/* --json prints the daemon's object, field for field */
static void assert_json_is(const char *cmd, const char *arg, json_t *want)
{
	struct run r = arg ? run("--json", cmd, arg, NULL)
			   : run("--json", cmd, NULL);
	json_t *got;

	assert_int_equal(r.rc, 0);
	got = out_json(&r);
	if (!json_equal(got, want)) {
		char *a = json_dumps(got, JSON_SORT_KEYS);
		char *b = json_dumps(want, JSON_SORT_KEYS);

		fail_msg("%s --json:\n got %s\nwant %s", cmd, a, b);
	}
	json_decref(got);
	json_decref(want);
	run_free(&r);
}

static json_t *with_schema(json_t *j, const char *schema)
{
	json_object_set_new(j, "schema", json_string(schema));
	return j;
}

/* --- tests --------------------------------------------------------------------------- */

static void test_status(void **state)
{
	struct run r = run("status", NULL);
	json_t *want;

	(void)state;
	assert_int_equal(r.rc, 0);
	assert_contains(r.out, "node:  coord\nroles: coordinator, gateway\n"
			"group: 7\n");
	assert_contains(r.out, "epoch:\n  gateway:  12\n  member:   -\n"
			"  complete: 11\n");
	assert_contains(r.out, "  caps:    0x3f\n");
	assert_contains(r.out, "coordinator:\n  active:             yes\n"
			"  outstanding:        0\n"
			"  tau_min:            33.0us\n"
			"  bound median:       12.0us\n");
	assert_contains(r.out, "control plane:\n  listen:     10.0.1.1:5150\n"
			"  public key: ab01\n"
			"  received:   100\n  sent:       120\n"
			"  busy turns: 3\n"
			"  dropped:\n    mac:    2\n    replay: 0\n");
	assert_contains(r.out, "counters:\n  gw_stamped: 1234\n"
			"  cuts:       5\n");
	assert_null(strstr(r.out, "\033["));	/* no colour into a file */
	assert_null(strstr(r.out, "future"));	/* JSON only */
	run_free(&r);
	/* no command is status */
	r = run(NULL);
	assert_int_equal(r.rc, 0);
	assert_contains(r.out, "node:  coord\n");
	run_free(&r);
	/* JSON: the daemon's object, unknown fields kept */
	h_status(NULL, NULL, NULL, &want, NULL, 0);
	assert_json_is("status", NULL, with_schema(want, "beaver-status/1"));
	/* --json after the command works too */
	r = run("status", "--json", NULL);
	assert_int_equal(r.rc, 0);
	json_decref(out_json(&r));
	run_free(&r);
}

static void test_list_and_show(void **state)
{
	struct run r = run("list", NULL);
	json_t *want;

	(void)state;
	assert_int_equal(r.rc, 0);
	/* aligned: every row's STATE starts in the header's column */
	assert_contains(r.out, "ID  STATE     EPOCH   BOUND  TAU_MIN  "
			"ATTEMPTS  CREATED              REASON\n");
	assert_contains(r.out, " 5  accepted     25  12.3us   33.0us         1"
			"  ");
	assert_contains(r.out, " 4  rejected      -  12.3us   33.0us         1"
			"  ");
	assert_contains(r.out, "bound 51.2us >= tau_min 33.0us\n");
	run_free(&r);
	{
		json_t *args = json_object();

		h_list(NULL, NULL, args, &want, NULL, 0);
		json_decref(args);
	}
	assert_json_is("list", NULL, with_schema(want, "beaver-list/1"));

	r = run("show", "5", NULL);
	assert_int_equal(r.rc, 0);
	assert_contains(r.out, "id:       5\nstate:    accepted\n"
			"epoch:    25\nbound:    12.3us\n");
	assert_contains(r.out, "attempts:\n  N  EPOCH   BOUND  VERDICT   "
			"REASON\n  1     24  60.0us  rejected  bound above "
			"tau_min\n  2     25  12.3us  accepted  -\n");
	assert_contains(r.out, "report:\n  bound ok:            yes\n"
			"  balanced:            no\n");
	assert_contains(r.out, "  unbalanced channels: 1\n");
	/* the interval's counts beside the cumulative ones */
	assert_contains(r.out, "  since the previous accepted snapshot:\n"
			"    since:                previous\n"
			"    snapshot:             4\n"
			"    epoch:                23\n"
			"    bypass:               0\n");
	assert_contains(r.out, "  members:\n    NODE  ADDRESS         CUT  "
			"FIRST  LAST  COMPLETE  INCOMPLETE  LATE  BYPASS  "
			"NEW_BYPASS  SINCE     FLOWS  CHANNELS\n"
			"    m1    10.0.1.11  5.000000     25"
			"    25  yes       no             0       7           0"
			"  previous      4         3\n");
	assert_contains(r.out, "  channels:\n    FROM  TO  SENT  RECEIVED  "
			"INFLIGHT  LATE  BALANCED\n    m1    m2    10         8  "
			"       1     0  no\n");
	assert_contains(r.out, "5.000000");	/* cut instant, seconds */
	run_free(&r);
	{
		json_t *args = json_pack("{s:i}", "id", 5);

		h_show(NULL, NULL, args, &want, NULL, 0);
		json_decref(args);
	}
	assert_json_is("show", "5", with_schema(want, "beaver-show/1"));
	/* latest = the newest in list */
	r = run("show", "latest", NULL);
	assert_int_equal(r.rc, 0);
	assert_contains(r.out, "id:       5\n");
	run_free(&r);
}

/*
 * IPv6 in show: a dual-stack member's addresses in its column, columns as
 * wide as the longest IPv6 address, a family column beside an IPv6
 * channel; --json is the daemon's report (family, addresses) unchanged
 */
static void test_show_ipv6(void **state)
{
	struct run r = run("show", "6", NULL);
	json_t *want, *args;

	(void)state;
	assert_int_equal(r.rc, 0);
	assert_contains(r.out, "  members:\n    NODE  ADDRESS"
			"                              CUT  FIRST");
	assert_contains(r.out, "\n    m1    10.0.1.11,2001:db8::b"
			"                  -      -     -  ");
	assert_contains(r.out, "\n    m2    2001:db8:ffff:1234:5678:9abc:def0:1"
			"    -      -     -  ");
	/* a report before per-interval counts: no such columns */
	assert_null(strstr(r.out, "NEW_BYPASS"));
	assert_null(strstr(r.out, "since the previous"));
	assert_contains(r.out, "  channels:\n    FROM  TO  FAMILY  SENT  "
			"RECEIVED  INFLIGHT  LATE  BALANCED\n"
			"    m1    m2  ipv4      10        10         0     0  yes\n"
			"    m1    m2  ipv6       5         4         1     0  yes\n");
	run_free(&r);
	args = json_pack("{s:i}", "id", 6);
	h_show(NULL, NULL, args, &want, NULL, 0);
	json_decref(args);
	assert_json_is("show", "6", with_schema(want, "beaver-show/1"));
}

/*
 * A report with offsets: the offset and check columns, a channel that
 * could not be checked shown as such (not as "no"), and the count of
 * unchecked channels; a report before offsets has neither (test_show_ipv6)
 */
static void test_show_offsets(void **state)
{
	struct run r = run("show", "7", NULL);

	(void)state;
	assert_int_equal(r.rc, 0);
	assert_contains(r.out, "  unchecked channels:  1\n");
	assert_contains(r.out, "  id unread:           1\n");
	assert_contains(r.out, "  channels:\n    FROM  TO  SENT  RECEIVED  "
			"INFLIGHT  LATE  OFFSET  BALANCED  CHECK\n"
			"    m1    m2    90        12         0     0       -  "
			"-         reset\n"
			"    m1    m3    50        20         0     0      30  "
			"yes       offset\n");
	run_free(&r);
	r = run("show", "6", NULL);
	assert_null(strstr(r.out, "CHECK"));
	assert_null(strstr(r.out, "unchecked"));
	run_free(&r);
}

static void test_not_found(void **state)
{
	struct run r = run("show", "99", NULL);

	(void)state;
	assert_int_equal(r.rc, 4);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "beaverctl: no snapshot 99\n");
	run_free(&r);
	r = run("--json", "export", "99", NULL);
	assert_int_equal(r.rc, 4);
	{
		json_t *j = out_json(&r);

		assert_string_equal(json_string_value(json_object_get(j,
								      "schema")),
				    "beaver-error/1");
		assert_string_equal(json_string_value(json_object_get(j,
								      "code")),
				    "notfound");
		assert_int_equal(json_integer_value(json_object_get(j, "exit")),
				 4);
		json_decref(j);
	}
	run_free(&r);
}

static void test_export(void **state)
{
	struct run r;
	json_t *got, *want = export_doc();
	char *text = json_dumps(want, JSON_COMPACT);

	(void)state;
	assert_true(strlen(text) > 2 * BVC_MAX_MSG);	/* parts */
	free(text);
	/* JSON with or without --json */
	for (int json = 0; json < 2; json++) {
		r = json ? run("--json", "export", "5", NULL)
			 : run("export", "latest", NULL);
		assert_int_equal(r.rc, 0);
		got = out_json(&r);
		assert_true(json_equal(got, want));
		json_decref(got);
		run_free(&r);
	}
	/*
	 * several IDs: the documents one after another, then the first that
	 * fails ends it with its status, what came before left whole
	 */
	r = run("export", "5", "latest", "99", "5", NULL);
	assert_int_equal(r.rc, 4);
	{
		json_error_t e;
		const char *p = r.out;
		int n = 0;

		for (;;) {
			while (*p == '\n' || *p == ' ')
				p++;
			if (!*p)
				break;
			got = json_loads(p, JSON_DISABLE_EOF_CHECK, &e);
			assert_non_null(got);
			assert_true(json_equal(got, want));
			json_decref(got);
			p += e.position;
			n++;
		}
		assert_int_equal(n, 2);
	}
	assert_string_equal(r.err, "beaverctl: no snapshot 99\n");
	run_free(&r);
	json_decref(want);
}

/* show --svg: the export drawn (svg.c; test_svg checks the picture) */
static void test_show_svg(void **state)
{
	char path[300], tmp[310];
	struct stat st;
	struct run r;
	FILE *f;
	char head[6] = "";

	(void)state;
	snprintf(path, sizeof(path), "%s/five.svg", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	r = run("show", "--svg", path, "5", NULL);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "");
	run_free(&r);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fread(head, 1, 5, f), 5);
	fclose(f);
	assert_string_equal(head, "<?xml");
	assert_int_equal(stat(tmp, &st), -1);
	unlink(path);
	/* to stdout, the ID first; the lanes are the report's members */
	r = run("show", "latest", "--svg", "-", NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(strncmp(r.out, "<?xml", 5), 0);
	assert_contains(r.out, ">m1</text>");
	assert_contains(r.out, "</svg>\n");
	run_free(&r);
	/* unknown snapshot: its exit status, no file */
	r = run("show", "--svg", path, "99", NULL);
	assert_int_equal(r.rc, 4);
	assert_int_equal(stat(path, &st), -1);
	run_free(&r);
	/* a file that cannot be written: I/O error, nothing left behind */
	r = run("show", "--svg", "/nonexistent/dir/x.svg", "5", NULL);
	assert_int_equal(r.rc, 5);
	assert_contains(r.err, "beaverctl: /nonexistent/dir/x.svg.tmp: ");
	run_free(&r);
}

static void test_snapshot_wait(void **state)
{
	static const struct {
		const char *verdict;
		int rc;
	} cases[] = {
		{ "accepted", 0 }, { "rejected", 1 }, { "failed", 1 },
		{ "collecting", 1 },	/* still running when the wait ended */
		/* accepted, but the report found something: its own code */
		{ "unverified", 6 }, { "verified", 0 },
	};
	struct run r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *j;

		atomic_store(&n_snapshots, 0);
		verdicts[0] = cases[i].verdict;
		r = run("--json", "snapshot", "--wait", "--timeout", "2.5",
			NULL);
		assert_int_equal(r.rc, cases[i].rc);
		j = out_json(&r);
		assert_string_equal(json_string_value(json_object_get(j,
								      "state")),
				    cases[i].rc == 6 || !strcmp(cases[i].verdict,
				    "verified") ? "accepted" : cases[i].verdict);
		assert_string_equal(json_string_value(json_object_get(j,
								      "schema")),
				    "beaver-summary/1");
		json_decref(j);
		run_free(&r);
		assert_true(json_is_true(json_object_get(last_args, "wait")));
		assert_int_equal(json_integer_value(json_object_get(
			last_args, "timeout_ms")), 2500);
	}
	verdicts[0] = NULL;
	/* text */
	r = run("snapshot", "--wait", NULL);
	assert_int_equal(r.rc, 0);
	assert_contains(r.out, "state:    accepted\n");
	assert_contains(r.out, "bound:    12.3us\n");
	run_free(&r);
	assert_int_equal(json_integer_value(json_object_get(last_args,
							    "timeout_ms")),
			 30000);
	/* without --wait: pending is success */
	r = run("snapshot", NULL);
	assert_int_equal(r.rc, 0);
	assert_contains(r.out, "state:    pending\n");
	assert_true(json_is_false(json_object_get(last_args, "wait")));
	assert_null(json_object_get(last_args, "timeout_ms"));
	run_free(&r);
}

static void test_snapshot_series(void **state)
{
	struct run r;
	json_t *j;

	(void)state;
	atomic_store(&n_snapshots, 0);
	verdicts[0] = "accepted";
	verdicts[1] = "rejected";
	verdicts[2] = "accepted";
	r = run("snapshot", "--wait", "--count", "3", "--interval", "0.05",
		NULL);
	assert_int_equal(r.rc, 1);	/* one was rejected */
	assert_contains(r.out, "ID  STATE       EPOCH    BOUND  TAU_MIN  "
			"ATTEMPTS  CREATED              REASON\n");
	assert_contains(r.out, " 2  rejected        -");
	/* header once, three rows */
	assert_int_equal(strstr(strstr(r.out, "\n") + 1, "STATE") == NULL, 1);
	run_free(&r);

	/* unverified below rejected; alone, it makes the series exit 6 */
	atomic_store(&n_snapshots, 0);
	verdicts[0] = "unverified";
	r = run("snapshot", "--wait", "--count", "3", "--interval", "0", NULL);
	assert_int_equal(r.rc, 1);
	run_free(&r);
	atomic_store(&n_snapshots, 0);
	verdicts[1] = "accepted";
	r = run("snapshot", "--wait", "--count", "3", "--interval", "0", NULL);
	assert_int_equal(r.rc, 6);
	run_free(&r);
	verdicts[0] = "accepted";

	atomic_store(&n_snapshots, 0);
	verdicts[1] = "accepted";
	r = run("--json", "snapshot", "--wait", "--count", "3", NULL);
	assert_int_equal(r.rc, 0);
	j = out_json(&r);
	assert_string_equal(json_string_value(json_object_get(j, "schema")),
			    "beaver-list/1");
	assert_int_equal(json_array_size(json_object_get(j, "snapshots")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
		json_object_get(j, "snapshots"), 2), "id")), 3);
	json_decref(j);
	run_free(&r);
	memset(verdicts, 0, sizeof(verdicts));
}

static void test_daemon_busy(void **state)
{
	struct run r;

	(void)state;
	atomic_store(&busy, 1);
	r = run("snapshot", NULL);
	assert_int_equal(r.rc, 5);
	assert_string_equal(r.err, "beaverctl: 4 snapshots outstanding\n");
	run_free(&r);
	r = run("snapshot", "--count", "2", "--interval", "0", NULL);
	assert_int_equal(r.rc, 5);
	run_free(&r);
	atomic_store(&busy, 0);
}

static void test_members_calibrate(void **state)
{
	struct run r = run("members", NULL);
	json_t *want, *args;

	(void)state;
	assert_int_equal(r.rc, 0);
	assert_contains(r.out, "members:\n  NAME  ADDRESS         DATA       "
			"STATE    RTT_MIN  RTT_MEDIAN\n"
			"  m1    10.0.1.11:5150  10.0.1.11  down           -"
			"           -\n"
			"  m4    10.0.1.14:5150  -          removed        -"
			"           -\n");
	assert_contains(r.out, "gateways:\n  NAME  ADDRESS        STATE  "
			"RTT_MIN  RTT_MEDIAN\n"
			"  gw1   10.0.1.1:5150  up      52.0us      52.0us\n");
	run_free(&r);
	h_members(NULL, NULL, NULL, &want, NULL, 0);
	assert_json_is("members", NULL, with_schema(want, "beaver-members/2"));

	r = run("calibrate", "--count", "10", NULL);
	assert_int_equal(r.rc, 0);
	assert_contains(r.out, "samples:         10\n"
			"lower bound:     40.0us\n"
			"measured on:     data plane: ICMP echo\n"
			"measured by:     gw1\n"
			"tau_min:         33.0us\n"
			"tau_min ok:      yes\n"
			"note:            tau_min is at most the data-plane "
			"bound\n"
			"control rtt min: 52.0us\n");
	assert_contains(r.out, "peers:\n  NAME  ROLE     ANSWERED     MIN  "
			"MEDIAN     MAX  DATA_PLANE\n  gw1   gateway        10  "
			"52.0us  60.0us  95.0us      40.0us\n");
	run_free(&r);
	args = json_pack("{s:i}", "count", 10);
	h_calibrate(NULL, NULL, args, &want, NULL, 0);
	json_decref(args);
	assert_json_is("calibrate", "--count=10",
		       with_schema(want, "beaver-calibrate/2"));
}

static void test_usage_errors(void **state)
{
	static const char *const cases[][4] = {
		{ "frobnicate" },
		{ "--bogus" },
		{ "list", "--limit", "0" },
		{ "list", "--limit", "x" },
		{ "list", "extra" },
		{ "show" },
		{ "show", "1", "2" },
		{ "show", "-5" },
		{ "show", "5", "--svg" },
		{ "export", "abc" },
		{ "export" },
		{ "snapshot", "--timeout", "5" },
		{ "snapshot", "--wait", "--timeout", "-1" },
		{ "snapshot", "--count", "0" },
		{ "snapshot", "--interval", "1" },
		{ "calibrate", "--count" },
		{ "genkey", "a", "b" },
		{ "help", "nope" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run r = run(cases[i][0], cases[i][1], cases[i][2],
				   cases[i][3], NULL);

		if (r.rc != 2)
			fail_msg("case %zu (%s %s): exit %d, stderr %s", i,
				 cases[i][0], cases[i][1] ? cases[i][1] : "",
				 r.rc, r.err);
		assert_string_equal(r.out, "");
		assert_true(strncmp(r.err, "beaverctl: ", 11) == 0);
		run_free(&r);
	}
}

static void test_help_version(void **state)
{
	struct run r = run("--help", NULL);

	(void)state;
	assert_int_equal(r.rc, 0);
	assert_contains(r.out, "Exit status:\n  0  success\n");
	assert_contains(r.out, "  3  beaverd unreachable");
	run_free(&r);
	r = run("show", "--help", NULL);
	assert_int_equal(r.rc, 0);
	assert_contains(r.out, "Usage: beaverctl [--json] show [--svg FILE] "
			"ID|latest\n");
	run_free(&r);
	r = run("help", "snapshot", NULL);
	assert_int_equal(r.rc, 0);
	assert_contains(r.out, "snapshot [--wait");
	run_free(&r);
	r = run("--json", "--version", NULL);
	assert_int_equal(r.rc, 0);
	assert_contains(r.out, "\"schema\": \"beaver-version/1\"");
	run_free(&r);
}

static void test_unreachable(void **state)
{
	char *argv[] = { (char *)"beaverctl", (char *)"-s",
			 (char *)"/nonexistent/beaverd.sock", NULL };
	int so = dup(2), devnull = open("/dev/null", O_WRONLY);
	int rc;

	(void)state;
	fflush(stderr);
	dup2(devnull, 2);
	rc = beaverctl_main(3, argv);
	fflush(stderr);
	dup2(so, 2);
	close(so);
	close(devnull);
	assert_int_equal(rc, 3);
}

static void test_genkey(void **state)
{
	char path[128];
	struct run r;
	struct stat st;
	char buf[80] = "", buf2[80] = "";
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/group.key", dir);
	r = run("genkey", path, NULL);
	assert_int_equal(r.rc, 0);
	run_free(&r);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, 65);
	fd = open(path, O_RDONLY);
	assert_int_equal(read(fd, buf, sizeof(buf) - 1), 65);
	close(fd);
	assert_int_equal(strspn(buf, "0123456789abcdef"), 64);
	/* never overwritten */
	r = run("genkey", path, NULL);
	assert_int_equal(r.rc, 5);
	assert_contains(r.err, "refusing to overwrite");
	run_free(&r);
	fd = open(path, O_RDONLY);
	assert_int_equal(read(fd, buf2, sizeof(buf2) - 1), 65);
	close(fd);
	assert_string_equal(buf, buf2);
	unlink(path);
	/* stdout: 64 hex digits, a fresh key each time */
	r = run("genkey", NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(strlen(r.out), 65);
	assert_int_equal(strspn(r.out, "0123456789abcdef"), 64);
	assert_string_not_equal(r.out, buf);
	run_free(&r);
	r = run("--json", "genkey", NULL);
	assert_int_equal(r.rc, 0);
	{
		json_t *j = out_json(&r);

		assert_int_equal(strlen(json_string_value(json_object_get(j,
									  "key"))),
				 64);
		json_decref(j);
	}
	run_free(&r);
}

/* pubkey: a key's public half, from a file or stdin, as wg pubkey */
static void test_pubkey(void **state)
{
	/* RFC 7748 6.1: Alice's private key and public key */
	static const char priv[] = "77076d0a7318a57d3c16c17251b26645"
				   "df4c2f87ebc0992ab177fba51db92c2a\n";
	static const char pub[] = "8520f0098930a754748b7ddcb43ef75a"
				  "0dbf3a0d26381af4eba4a98eaa9b4e6a\n";
	char path[128];
	struct run r;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/alice.key", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, priv, strlen(priv)), (ssize_t)strlen(priv));
	close(fd);
	r = run("pubkey", path, NULL);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out, pub);
	run_free(&r);
	r = run("--json", "pubkey", path, NULL);
	assert_int_equal(r.rc, 0);
	{
		json_t *j = out_json(&r);

		assert_string_equal(json_string_value(json_object_get(j,
				    "schema")), "beaver-pubkey/1");
		assert_int_equal(strlen(json_string_value(json_object_get(j,
				 "key_id"))), 8);
		json_decref(j);
	}
	run_free(&r);
	/* a private key others may read is refused, as beaverd refuses it */
	assert_int_equal(chmod(path, 0644), 0);
	r = run("pubkey", path, NULL);
	assert_int_equal(r.rc, 5);
	assert_contains(r.err, "mode 0644");
	run_free(&r);
	unlink(path);
	r = run("pubkey", path, NULL);
	assert_int_equal(r.rc, 5);
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_list_and_show),
		cmocka_unit_test(test_show_ipv6),
		cmocka_unit_test(test_show_offsets),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_export),
		cmocka_unit_test(test_show_svg),
		cmocka_unit_test(test_snapshot_wait),
		cmocka_unit_test(test_snapshot_series),
		cmocka_unit_test(test_daemon_busy),
		cmocka_unit_test(test_members_calibrate),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_genkey),
		cmocka_unit_test(test_pubkey),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
