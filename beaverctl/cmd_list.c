// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * beaverctl list (beaver-list/1) and show (beaver-show/1), and what the
 * snapshot commands share: a snapshot object's fields, and "latest".
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "beaverctl.h"
#include "print.h"
#include "svg.h"

void print_snapshot_fields(const json_t *s, bool detail)
{
	pr_field(s, "id", "id", PR_PLAIN);
	pr_field(s, "state", "state", PR_STATE);
	pr_field(s, "epoch", "epoch", PR_EPOCH);
	pr_field(s, "bound_ns", "bound", PR_NS);
	pr_field(s, "tau_min_ns", "tau_min", PR_NS);
	pr_field(s, "attempts", "attempts", PR_PLAIN);
	pr_field(s, "created_ns", "created", PR_TIME);
	pr_field(s, "finished_ns", detail ? "finished" : NULL, PR_TIME);
	pr_field(s, "reason", "reason", PR_PLAIN);
}

int ctl_snapshot_id(struct ctl *c, const char *s, int64_t *id)
{
	json_t *args, *r;
	const json_t *first;
	uint64_t v;
	int rc;

	if (strcmp(s, "latest") != 0 && strcmp(s, "last") != 0) {
		if (!ctl_parse_u64(s, INT64_MAX, &v) || !v)
			return ctl_usage(c, "'%s' is not a snapshot id "
					 "(a number, or 'latest')", s);
		*id = (int64_t)v;
		return BVX_OK;
	}
	args = json_pack("{s:i}", "limit", 1);
	rc = ctl_call(c, "list", args, BVCL_TIMEOUT_MS, &r);
	json_decref(args);
	if (rc)
		return rc;
	first = json_array_get(json_object_get(r, "snapshots"), 0);
	if (!json_is_integer(json_object_get(first, "id"))) {
		json_decref(r);
		return ctl_fail(c, BVX_NOTFOUND, "notfound",
				"no snapshot has been taken yet");
	}
	*id = json_integer_value(json_object_get(first, "id"));
	json_decref(r);
	return BVX_OK;
}

static const struct ctl_opt list_opts[] = {
	{ "limit", true, 'n' },
	{ "before", true, 'b' },
	{ 0 },
};

int cmd_list(struct ctl *c, int argc, char **argv)
{
	json_t *args = json_object(), *r;
	const json_t *e;
	uint64_t v;
	char *arg;
	int rc, opt;
	size_t i;

	while ((opt = ctl_getopt(c, argc, argv, list_opts, &arg, &rc)) != -1) {
		if (opt == -2)
			goto out;
		if (!ctl_parse_u64(arg, opt == 'n' ? 1000000 : INT64_MAX, &v) ||
		    !v) {
			rc = ctl_usage(c, "%s needs a positive number, not '%s'",
				       opt == 'n' ? "--limit" : "--before",
				       arg);
			goto out;
		}
		json_object_set_new(args, opt == 'n' ? "limit" : "before",
				    json_integer((json_int_t)v));
	}
	if (ctl_optind() < argc) {
		rc = ctl_usage(c, "unexpected argument '%s'",
			       argv[ctl_optind()]);
		goto out;
	}
	rc = ctl_call(c, "list", args, BVCL_TIMEOUT_MS, &r);
	if (rc)
		goto out;
	pr_begin(r);
	pr_open_array("snapshots", "");
	json_array_foreach(json_object_get(r, "snapshots"), i, e) {
		pr_open(NULL, NULL, e);
		print_snapshot_fields(e, false);
		pr_close();
	}
	pr_close_array();
	rc = pr_end() ? BVX_ERROR : BVX_OK;
	json_decref(r);
out:
	json_decref(args);
	return rc;
}

/*
 * A member's data addresses, text only: "addresses" joined by ',' for a
 * member with several (IPv4 and IPv6), else "address"
 */
static void print_addresses(const json_t *e)
{
	const json_t *all = json_object_get(e, "addresses"), *a;
	char buf[512] = "";
	size_t i, n = 0;

	if (pr_is_json() || !json_is_array(all)) {
		pr_field(e, "address", "address", PR_PLAIN);
		return;
	}
	json_array_foreach(all, i, a) {
		int w = snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? "," : "",
				 json_string_value(a) ? json_string_value(a) :
				 "?");

		if (w < 0 || (size_t)w >= sizeof(buf) - n)
			break;
		n += (size_t)w;
	}
	pr_str("address", "address", buf, PR_PLAIN);
}

/* does the report have an IPv6 channel ("family": "ipv6")? */
/* a channel of chans has key */
static bool any_has(const json_t *chans, const char *key)
{
	const json_t *e;
	size_t i;

	json_array_foreach(chans, i, e)
		if (json_object_get(e, key))
			return true;
	return false;
}

/*
 * The report's per-interval counts (since the previous accepted snapshot;
 * absent in reports before them: nothing shown)
 */
static void print_interval(const json_t *iv)
{
	if (!json_is_object(iv))
		return;
	pr_open("interval", "since the previous accepted snapshot", iv);
	pr_field(iv, "since", "since", PR_PLAIN);
	pr_field(iv, "since_id", "snapshot", PR_PLAIN);
	pr_field(iv, "since_epoch", "epoch", PR_EPOCH);
	pr_field(iv, "bypass", "bypass", PR_BAD);
	pr_field(iv, "bypass_bytes", "bypass bytes", PR_BAD);
	pr_field(iv, "late_arrived", "late arrived", PR_PLAIN);
	pr_field(iv, "late_arrived_bytes", "late arrived bytes", PR_PLAIN);
	pr_field(iv, "members_unknown", "members unknown", PR_BAD);
	pr_field(iv, "members_reset", "members reset", PR_BAD);
	pr_field(iv, "members_tx_unstamped", "members tx unstamped", PR_BAD);
	pr_close();
}

/*
 * A member row's interval columns, text only (JSON keeps the member's
 * "interval" object as the daemon sent it): its bypass since the previous
 * accepted snapshot ("-": unknown) and where that interval starts
 */
static void print_member_interval(const json_t *e, bool columns)
{
	const json_t *iv = json_object_get(e, "interval");

	/* reports before per-interval counts: no such columns */
	if (pr_is_json() || !columns)
		return;
	pr_value("interval_bypass", "new bypass",
		 json_object_get(iv, "bypass"), PR_BAD);
	pr_value("interval_since", "since", json_object_get(iv, "since"),
		 PR_PLAIN);
}

static void print_report(const json_t *rep)
{
	const json_t *e;
	size_t i;
	bool family = any_has(json_object_get(rep, "channels"), "family");
	/* offsets: reports before them have neither column */
	bool offsets = any_has(json_object_get(rep, "channels"), "check");
	bool interval = json_is_object(json_object_get(rep, "interval"));

	pr_open("report", "report", rep);
	pr_field(rep, "bound_ok", "bound ok", PR_GOOD);
	pr_field(rep, "balanced", "balanced", PR_GOOD);
	pr_field(rep, "missing_members", "missing members", PR_BAD);
	pr_field(rep, "incomplete_members", "incomplete members", PR_BAD);
	pr_field(rep, "unbalanced_channels", "unbalanced channels", PR_BAD);
	if (json_object_get(rep, "unverifiable_channels"))
		pr_field(rep, "unverifiable_channels", "unchecked channels",
			 PR_BAD);
	pr_field(rep, "late", "late", PR_PLAIN);
	pr_field(rep, "bypass", "bypass", PR_BAD);
	/* XDP programs or packet sockets: traffic outside the snapshot */
	pr_field(rep, "members_with_escapes", "escapes", PR_BAD);
	/* members that could not read stamps before their cut (Known gap) */
	if (json_object_get(rep, "members_rx_id_unread"))
		pr_field(rep, "members_rx_id_unread", "id unread", PR_BAD);
	print_interval(json_object_get(rep, "interval"));

	pr_open_array("members", "members");
	json_array_foreach(json_object_get(rep, "members"), i, e) {
		pr_open(NULL, NULL, e);
		pr_field(e, "node", "node", PR_PLAIN);
		print_addresses(e);
		/* a missing member shows "-" for its cut; "present" is JSON only */
		pr_field(e, "present", NULL, PR_GOOD);
		pr_field(e, "cut_ns", "cut", PR_MONO);
		pr_field(e, "first", "first", PR_EPOCH);
		pr_field(e, "last", "last", PR_EPOCH);
		pr_field(e, "complete", "complete", PR_GOOD);
		pr_field(e, "incomplete", "incomplete", PR_BAD);
		pr_field(e, "late", "late", PR_PLAIN);
		pr_field(e, "bypass", "bypass", PR_BAD);
		print_member_interval(e, interval);
		pr_field(e, "flows", "flows", PR_PLAIN);
		pr_field(e, "channels", "channels", PR_PLAIN);
		pr_close();
	}
	pr_close_array();

	pr_open_array("channels", "channels");
	json_array_foreach(json_object_get(rep, "channels"), i, e) {
		pr_open(NULL, NULL, e);
		pr_field(e, "from", "from", PR_PLAIN);
		pr_field(e, "to", "to", PR_PLAIN);
		/* a family column only beside IPv6 channels (no key: IPv4) */
		if (family && !pr_is_json()) {
			const char *f = json_string_value(
				json_object_get(e, "family"));

			pr_str("family", "family", f ? f : "ipv4", PR_PLAIN);
		}
		pr_field(e, "sent", "sent", PR_PLAIN);
		pr_field(e, "received", "received", PR_PLAIN);
		pr_field(e, "inflight", "inflight", PR_PLAIN);
		pr_field(e, "late", "late", PR_PLAIN);
		if (offsets)
			pr_field(e, "offset", "offset", PR_PLAIN);
		pr_field(e, "balanced", "balanced", PR_GOOD);
		/* what it was checked by: offset, interval, reset, absent */
		if (offsets)
			pr_field(e, "check", "check", PR_PLAIN);
		pr_close();
	}
	pr_close_array();
	pr_close();
}

int ctl_call_snapshot_id(struct ctl *c, const char *s, const char *cmd,
			 int timeout_ms, json_t **r)
{
	json_t *args;
	int64_t id = 0;
	int rc;

	*r = NULL;
	rc = ctl_snapshot_id(c, s, &id);
	if (rc)
		return rc;
	args = json_pack("{s:I}", "id", (json_int_t)id);
	rc = ctl_call(c, cmd, args, timeout_ms, r);
	json_decref(args);
	return rc;
}

/*
 * show --svg FILE: the export document (what `export ID` prints, the same
 * call) drawn by svg.c, to FILE or stdout ("-"). Written to FILE.tmp and
 * renamed, so a failed write never leaves half a picture under FILE.
 */
static int show_svg(struct ctl *c, const char *id, const char *file)
{
	char tmp[4096];
	json_t *doc;
	FILE *f;
	int rc;

	rc = ctl_call_snapshot_id(c, id, "export", EXPORT_TIMEOUT_MS, &doc);
	if (rc || !doc)
		return rc;
	if (!strcmp(file, "-")) {
		rc = svg_snapshot(stdout, doc) ? ctl_fail(c, BVX_ERROR, "io",
				"cannot write the picture to stdout: %s",
				strerror(errno)) : BVX_OK;
		json_decref(doc);
		return rc;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", file) >= sizeof(tmp)) {
		json_decref(doc);
		return ctl_usage(c, "file name too long");
	}
	f = fopen(tmp, "w");
	if (!f) {
		rc = ctl_fail(c, BVX_ERROR, "io", "%s: %s", tmp,
			      strerror(errno));
	} else if (svg_snapshot(f, doc) | fclose(f)) {
		rc = ctl_fail(c, BVX_ERROR, "io", "%s: %s", tmp,
			      strerror(errno));
		unlink(tmp);
	} else if (rename(tmp, file)) {
		rc = ctl_fail(c, BVX_ERROR, "io", "%s: %s", file,
			      strerror(errno));
		unlink(tmp);
	} else {
		rc = BVX_OK;
	}
	json_decref(doc);
	return rc;
}

static const struct ctl_opt show_opts[] = {
	{ "svg", true, 'S' },
	{ 0 },
};

int cmd_show(struct ctl *c, int argc, char **argv)
{
	const json_t *snap, *rep, *e;
	const char *svg = NULL;
	char *arg;
	json_t *r;
	size_t i;
	int rc, opt;

	while ((opt = ctl_getopt(c, argc, argv, show_opts, &arg, &rc)) != -1) {
		if (opt == -2)
			return rc;	/* --help, or a bad option: no call */
		svg = arg;
	}
	if (ctl_optind() + 1 != argc)
		return ctl_usage(c, ctl_optind() >= argc ? "needs a snapshot ID"
				 : "too many arguments");
	if (svg)
		return show_svg(c, argv[ctl_optind()], svg);
	rc = ctl_call_snapshot_id(c, argv[ctl_optind()], "show",
				  BVCL_TIMEOUT_MS, &r);
	if (rc || !r)
		return rc;

	pr_begin(r);
	snap = json_object_get(r, "snapshot");
	pr_open("snapshot", "", snap);
	print_snapshot_fields(snap, true);
	pr_close();

	pr_open_array("attempts", "attempts");
	json_array_foreach(json_object_get(r, "attempts"), i, e) {
		pr_open(NULL, NULL, e);
		pr_field(e, "n", "n", PR_PLAIN);
		pr_field(e, "epoch", "epoch", PR_EPOCH);
		pr_field(e, "bound_ns", "bound", PR_NS);
		pr_field(e, "verdict", "verdict", PR_STATE);
		pr_field(e, "reason", "reason", PR_PLAIN);
		pr_close();
	}
	pr_close_array();

	rep = json_object_get(r, "report");
	if (json_is_object(rep))
		print_report(rep);
	else
		pr_value("report", "report", rep, PR_PLAIN);
	rc = pr_end() ? BVX_ERROR : BVX_OK;
	json_decref(r);
	return rc;
}
