// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * beaverctl prune (beaver-prune/1): apply the coordinator's retention now,
 * with its [store] limits or the ones given: --keep N (the newest N
 * snapshots stay; 0: no count limit), --older-than DAYS (0: no age limit).
 * Running snapshots always stay.
 */
#include "beaverctl.h"
#include "print.h"

static const struct ctl_opt prune_opts[] = {
	{ "keep", true, 'k' },
	{ "older-than", true, 'o' },
	{ 0 },
};

int cmd_prune(struct ctl *c, int argc, char **argv)
{
	json_t *args = json_object(), *r;
	uint64_t v;
	char *arg;
	int rc, opt;

	while ((opt = ctl_getopt(c, argc, argv, prune_opts, &arg, &rc)) != -1) {
		if (opt == -2)
			goto out;
		if (!ctl_parse_u64(arg, opt == 'k' ? 2147483647 : 36500, &v)) {
			rc = ctl_usage(c, "--%s needs a number from 0 to %s, "
				       "not '%s'", opt == 'k' ? "keep" :
				       "older-than", opt == 'k' ?
				       "2147483647" : "36500", arg);
			goto out;
		}
		json_object_set_new(args, opt == 'k' ? "keep" : "days",
				    json_integer((json_int_t)v));
	}
	if (ctl_optind() < argc) {
		rc = ctl_usage(c, "unexpected argument '%s'",
			       argv[ctl_optind()]);
		goto out;
	}
	rc = ctl_call(c, "prune", args, BVCL_TIMEOUT_MS, &r);
	if (rc)
		goto out;
	pr_begin(r);
	pr_field(r, "deleted", "deleted", PR_PLAIN);
	pr_field(r, "keep_snapshots", "keep snapshots", PR_PLAIN);
	pr_field(r, "keep_days", "keep days", PR_PLAIN);
	rc = pr_end() ? BVX_ERROR : BVX_OK;
	json_decref(r);
out:
	json_decref(args);
	return rc;
}
