// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * beaverctl snapshot: take one snapshot (beaver-summary/1), or a series of
 * --count N (beaver-list/1, rows printed as each snapshot returns).
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "beaverctl.h"
#include "print.h"

#define DEFAULT_WAIT_MS		30000
#define DEFAULT_INTERVAL_MS	1000
/* beyond the daemon's own timeout: time for its reply to arrive */
#define REPLY_GRACE_MS		5000

static const struct ctl_opt opts[] = {
	{ "wait", false, 'w' },
	{ "timeout", true, 't' },
	{ "count", true, 'c' },
	{ "interval", true, 'i' },
	{ 0 },
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sleep_ms(uint64_t ms)
{
	struct timespec ts = { .tv_sec = (time_t)(ms / 1000),
			       .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* with --wait, anything but accepted is exit 1 */
static bool accepted(const json_t *s)
{
	const char *st = json_string_value(json_object_get(s, "state"));

	return st && !strcmp(st, "accepted");
}

/*
 * accepted, but the verification found something (an unbalanced channel,
 * a missing or incomplete record, a cut after unread stamps): exit 6, not 0 (a beaverd
 * that does not say is taken at its word)
 */
static bool unverified(const json_t *s)
{
	return accepted(s) && json_is_false(json_object_get(s, "verified"));
}

/* the exit status of one waited-for snapshot */
static int wait_status(const json_t *s)
{
	if (!accepted(s))
		return BVX_NOTOK;
	return unverified(s) ? BVX_UNVERIFIED : BVX_OK;
}

int cmd_snapshot(struct ctl *c, int argc, char **argv)
{
	uint64_t timeout_ms = DEFAULT_WAIT_MS, interval_ms = DEFAULT_INTERVAL_MS;
	uint64_t count = 1;
	bool wait = false, have_timeout = false, have_interval = false;
	int worst = BVX_OK;	/* of a series: rejected/failed before unverified */
	struct bvcl_error e = { "", "" };
	json_t *args, *r;
	int rc = BVX_OK, opt, reply_ms;
	char *arg;

	while ((opt = ctl_getopt(c, argc, argv, opts, &arg, &rc)) != -1) {
		switch (opt) {
		case -2:
			return rc;
		case 'w':
			wait = true;
			break;
		case 't':
			if (!ctl_parse_secs(arg, 24ull * 3600 * 1000,
					    &timeout_ms) || !timeout_ms)
				return ctl_usage(c, "--timeout needs seconds "
						 "(> 0, at most a day), not "
						 "'%s'", arg);
			have_timeout = true;
			break;
		case 'c':
			if (!ctl_parse_u64(arg, 1000000, &count) || !count)
				return ctl_usage(c, "--count needs a number "
						 "from 1 to 1000000, not '%s'",
						 arg);
			break;
		case 'i':
			if (!ctl_parse_secs(arg, 24ull * 3600 * 1000,
					    &interval_ms))
				return ctl_usage(c, "--interval needs seconds "
						 "(at most a day), not '%s'",
						 arg);
			have_interval = true;
			break;
		}
	}
	if (ctl_optind() < argc)
		return ctl_usage(c, "unexpected argument '%s'",
				 argv[ctl_optind()]);
	if (have_timeout && !wait)
		return ctl_usage(c, "--timeout needs --wait");
	if (have_interval && count < 2)
		return ctl_usage(c, "--interval needs --count N (N > 1)");

	args = json_pack("{s:b}", "wait", wait);
	if (wait)
		json_object_set_new(args, "timeout_ms",
				    json_integer((json_int_t)timeout_ms));
	reply_ms = wait ? (int)(timeout_ms + REPLY_GRACE_MS) : BVCL_TIMEOUT_MS;

	if (count == 1) {
		rc = ctl_call(c, "snapshot", args, reply_ms, &r);
		json_decref(args);
		if (rc)
			return rc;
		pr_begin(r);
		print_snapshot_fields(r, true);
		rc = pr_end() ? BVX_ERROR : BVX_OK;
		if (!rc && wait)
			rc = wait_status(r);
		json_decref(r);
		return rc;
	}

	/* a series: one document, rows as they come */
	pr_begin(NULL);
	pr_str("schema", NULL, "beaver-list/1", PR_PLAIN);
	pr_open_stream("snapshots", "");
	for (uint64_t i = 0; i < count; i++) {
		uint64_t start = now_ms(), took;

		rc = bvcl_call(c->socket, "snapshot", args, reply_ms, &r, &e);
		if (rc)
			break;
		pr_open(NULL, NULL, r);
		print_snapshot_fields(r, false);
		pr_close();
		if (wait && wait_status(r) != BVX_OK)
			worst = worst == BVX_NOTOK ? worst : wait_status(r);
		json_decref(r);
		took = now_ms() - start;
		if (i + 1 < count && took < interval_ms)
			sleep_ms(interval_ms - took);
	}
	pr_close_array();
	json_decref(args);
	if (pr_end() && !rc)
		rc = BVX_ERROR;
	if (rc)
		return ctl_fail(c, rc, e.code, "%s", e.msg);
	return worst;
}
