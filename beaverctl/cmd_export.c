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
	json_t *r;
	int rc;

	rc = ctl_call_snapshot(c, argc, argv, "export", EXPORT_TIMEOUT_MS, &r);
	if (rc || !r)
		return rc;
	rc = pr_document(r) ? BVX_ERROR : BVX_OK;
	json_decref(r);
	return rc;
}
