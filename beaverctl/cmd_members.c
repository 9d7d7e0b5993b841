// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * beaverctl members (beaver-members/2) and calibrate (beaver-calibrate/2):
 * the peers the coordinator knows, and the round trips to them (both ping
 * every peer: members once, calibrate --count times). members lists the
 * members and the gateways apart, each with its state (up, down, or
 * removed by a reload). calibrate prints the bound tau_min must not
 * exceed, how it was measured (the peers' own data-plane probes), and
 * whether tau_min is below it: yes, no, or "-" with the reason when
 * nothing measured the data plane.
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
	for (int g = 0; g < 2; g++) {
		const char *key = g ? "gateways" : "members";

		pr_open_array(key, key);
		json_array_foreach(json_object_get(r, key), i, e) {
			pr_open(NULL, NULL, e);
			pr_field(e, "name", "name", PR_PLAIN);
			pr_field(e, "address", "address", PR_PLAIN);
			if (!g)
				pr_field(e, "data", "data", PR_PLAIN);
			pr_field(e, "state", "state", PR_PLAIN);
			pr_field(e, "in_snapshots", NULL, PR_PLAIN);
			pr_field(e, "reachable", NULL, PR_GOOD);
			/* null: it did not answer */
			pr_field(e, "min_us", "rtt min", PR_US_OPT);
			pr_field(e, "median_us", "rtt median", PR_US_OPT);
			pr_field(e, "answered", NULL, PR_PLAIN);
			pr_field(e, "max_us", NULL, PR_US_OPT);
			pr_field(e, "removed_ns", NULL, PR_PLAIN);
			pr_close();
		}
		pr_close_array();
	}
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
	pr_field(r, "lower_bound_method", "measured on", PR_PLAIN);
	pr_field(r, "lower_bound_peer", "measured by", PR_PLAIN);
	pr_field(r, "tau_min_us", "tau_min", PR_US);
	/* null: nothing measured the data plane; the note says so */
	pr_field(r, "bound_ok", "tau_min ok", PR_GOOD);
	pr_field(r, "bound_note", "note", PR_PLAIN);
	pr_field(r, "control_min_us", "control rtt min", PR_US_OPT);
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
		pr_field(e, "probe_us", "data plane", PR_US_OPT);
		pr_close();
	}
	pr_close_array();
	rc = pr_end() ? BVX_ERROR : BVX_OK;
	json_decref(r);
out:
	json_decref(args);
	return rc;
}
