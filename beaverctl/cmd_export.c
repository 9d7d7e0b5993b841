// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * beaverctl export: one snapshot with every member's record, as the JSON
 * document "beaver-snapshot/1" (beaverd/json.h, docs/json-schema.md);
 * JSON with or without --json. Large: beaverd sends it in parts.
 */
#include "beaverctl.h"
#include "print.h"

/* a large snapshot takes a while to read from the store and send */
#define EXPORT_TIMEOUT_MS 60000

int cmd_export(struct ctl *c, int argc, char **argv)
{
	json_t *args, *r;
	int64_t id = 0;
	char *arg;
	int rc, opt;

	while ((opt = ctl_getopt(c, argc, argv, NULL, &arg, &rc)) != -1)
		if (opt == -2)
			return rc;
	if (ctl_optind() + 1 != argc)
		return ctl_usage(c, ctl_optind() >= argc ? "needs a snapshot ID"
				 : "too many arguments");
	rc = ctl_snapshot_id(c, argv[ctl_optind()], &id);
	if (rc)
		return rc;
	args = json_pack("{s:I}", "id", (json_int_t)id);
	rc = ctl_call(c, "export", args, EXPORT_TIMEOUT_MS, &r);
	json_decref(args);
	if (rc)
		return rc;
	rc = pr_document(r) ? BVX_ERROR : BVX_OK;
	json_decref(r);
	return rc;
}
