// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * beaverctl members (beaver-members/1) and calibrate (beaver-calibrate/1):
 * the peers the coordinator knows, and the round trips to them (both ping
 * every peer: members once, calibrate --count times).
 */
#include "beaverctl.h"
#include "print.h"

/* every ping of every peer, count times, with the daemon's own timeouts */
#define CALIBRATE_TIMEOUT_MS 60000

int cmd_members(struct ctl *c, int argc, char **argv)
{
	const json_t *e;
	json_t *r;
	char *arg;
	int rc, opt;
	size_t i;

	while ((opt = ctl_getopt(c, argc, argv, NULL, &arg, &rc)) != -1)
		if (opt == -2)
			return rc;
	if (ctl_optind() < argc)
		return ctl_usage(c, "unexpected argument '%s'",
				 argv[ctl_optind()]);
	rc = ctl_call(c, "members", NULL, BVCL_TIMEOUT_MS, &r);
	if (rc)
		return rc;
	pr_begin(r);
	pr_open_array("members", "");
	json_array_foreach(json_object_get(r, "members"), i, e) {
		pr_open(NULL, NULL, e);
		pr_field(e, "name", "name", PR_PLAIN);
		pr_field(e, "role", "role", PR_PLAIN);
		pr_field(e, "address", "address", PR_PLAIN);
		pr_field(e, "reachable", "reachable", PR_GOOD);
		/* 0: it did not answer */
		pr_field(e, "min_us", "rtt min", PR_US_OPT);
		pr_field(e, "median_us", "rtt median", PR_US_OPT);
		pr_field(e, "answered", NULL, PR_PLAIN);
		pr_field(e, "max_us", NULL, PR_US_OPT);
		pr_close();
	}
	pr_close_array();
	rc = pr_end() ? BVX_ERROR : BVX_OK;
	json_decref(r);
	return rc;
}

static const struct ctl_opt calibrate_opts[] = {
	{ "count", true, 'c' },
	{ 0 },
};

int cmd_calibrate(struct ctl *c, int argc, char **argv)
{
	const json_t *e;
	json_t *args = json_object(), *r;
	uint64_t count;
	char *arg;
	int rc, opt;
	size_t i;

	while ((opt = ctl_getopt(c, argc, argv, calibrate_opts, &arg,
				 &rc)) != -1) {
		if (opt == -2)
			goto out;
		if (!ctl_parse_u64(arg, 1000, &count) || !count) {
			rc = ctl_usage(c, "--count needs a number from 1 to "
				       "1000, not '%s'", arg);
			goto out;
		}
		json_object_set_new(args, "count", json_integer((json_int_t)count));
	}
	if (ctl_optind() < argc) {
		rc = ctl_usage(c, "unexpected argument '%s'",
			       argv[ctl_optind()]);
		goto out;
	}
	rc = ctl_call(c, "calibrate", args, CALIBRATE_TIMEOUT_MS, &r);
	if (rc)
		goto out;
	pr_begin(r);
	pr_field(r, "samples", "samples", PR_PLAIN);
	pr_field(r, "lower_bound_us", "lower bound", PR_US_OPT);
	pr_field(r, "tau_min_us", "tau_min", PR_US);
	pr_field(r, "bound_ok", "tau_min ok", PR_GOOD);
	pr_open_array("peers", "peers");
	json_array_foreach(json_object_get(r, "peers"), i, e) {
		pr_open(NULL, NULL, e);
		pr_field(e, "name", "name", PR_PLAIN);
		pr_field(e, "role", "role", PR_PLAIN);
		pr_field(e, "address", NULL, PR_PLAIN);
		pr_field(e, "reachable", NULL, PR_GOOD);
		pr_field(e, "answered", "answered", PR_PLAIN);
		pr_field(e, "min_us", "min", PR_US_OPT);
		pr_field(e, "median_us", "median", PR_US_OPT);
		pr_field(e, "max_us", "max", PR_US_OPT);
		pr_close();
	}
	pr_close_array();
	rc = pr_end() ? BVX_ERROR : BVX_OK;
	json_decref(r);
out:
	json_decref(args);
	return rc;
}
