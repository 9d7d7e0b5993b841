// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * beaverctl export: snapshots with every member's record, each as the JSON
 * document "beaver-snapshot/1" (beaverd/json.h, docs/json-schema.md);
 * JSON with or without --json. Large: beaverd sends each in parts.
 *
 * Several IDs print their documents one after another, in the order given
 * (a stream that `jq` and the test oracle read as it is; `jq -s` makes it
 * an array): one process for a whole series instead of one per snapshot.
 * The first ID that fails ends the command with its exit status; the
 * documents already printed are complete.
 */
#include "beaverctl.h"
#include "print.h"

int cmd_export(struct ctl *c, int argc, char **argv)
{
	json_t *r;
	char *arg;
	int rc, opt;

	while ((opt = ctl_getopt(c, argc, argv, NULL, &arg, &rc)) != -1)
		if (opt == -2)
			return rc;	/* --help, or a bad option */
	if (ctl_optind() >= argc)
		return ctl_usage(c, "needs a snapshot ID");
	for (int i = ctl_optind(); i < argc; i++) {
		rc = ctl_call_snapshot_id(c, argv[i], "export",
					  EXPORT_TIMEOUT_MS, &r);
		if (rc || !r)
			return rc;
		rc = pr_document(r) ? BVX_ERROR : BVX_OK;
		json_decref(r);
		if (rc)
			return rc;
	}
	return BVX_OK;
}
