// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * beaverctl status: this host's beaverd (schema beaver-status/1).
 */
#include "beaverctl.h"
#include "print.h"

/* a nested object of the result, if the daemon sent it */
static bool section(const json_t *r, const char *key, const char *label,
		    const json_t **obj)
{
	*obj = json_object_get(r, key);
	if (!json_is_object(*obj))
		return false;
	pr_open(key, label, *obj);
	return true;
}

int cmd_status(struct ctl *c, int argc, char **argv)
{
	const json_t *o, *d;
	json_t *r;
	char *arg;
	int rc, opt;

	while ((opt = ctl_getopt(c, argc, argv, NULL, &arg, &rc)) != -1)
		if (opt == -2)
			return rc;
	if (ctl_optind() < argc)
		return ctl_usage(c, "unexpected argument '%s'",
				 argv[ctl_optind()]);
	rc = ctl_call(c, "status", NULL, BVCL_TIMEOUT_MS, &r);
	if (rc)
		return rc;

	pr_begin(r);
	pr_field(r, "node", "node", PR_PLAIN);
	pr_field(r, "roles", "roles", PR_PLAIN);
	pr_field(r, "group", "group", PR_PLAIN);
	if (section(r, "epoch", "epoch", &o)) {
		pr_field(o, "gateway", "gateway", PR_EPOCH);
		pr_field(o, "member", "member", PR_EPOCH);
		pr_field(o, "complete", "complete", PR_EPOCH);
		pr_close();
	}
	if (section(r, "module", "module", &o)) {
		pr_field(o, "version", "version", PR_PLAIN);
		pr_field(o, "caps", "caps", PR_HEX);
		pr_close();
	}
	if (section(r, "coordinator", "coordinator", &o)) {
		pr_field(o, "active", "active", PR_PLAIN);
		pr_field(o, "outstanding", "outstanding", PR_PLAIN);
		pr_field(o, "tau_min_ns", "tau_min", PR_NS);
		pr_field(o, "bound_median_ns", "bound median", PR_NS_OPT);
		pr_field(o, "bound_p99_ns", "bound p99", PR_NS_OPT);
		pr_field(o, "accepted_attempts", "accepted attempts", PR_PLAIN);
		pr_field(o, "rejected_attempts", "rejected attempts", PR_PLAIN);
		pr_field(o, "timeout_attempts", "timed out attempts", PR_PLAIN);
		pr_field(o, "refused_attempts", "refused attempts", PR_PLAIN);
		pr_close();
	}
	if (section(r, "control", "control plane", &o)) {
		pr_field(o, "listen", "listen", PR_PLAIN);
		pr_field(o, "key", "public key", PR_PLAIN);
		pr_field(o, "received", "received", PR_PLAIN);
		pr_field(o, "sent", "sent", PR_PLAIN);
		pr_field(o, "busy_turns", "busy turns", PR_PLAIN);
		if (section(o, "drops", "dropped", &d)) {
			pr_fields(d, PR_BAD);
			pr_close();
		}
		pr_close();
	}
	if (section(r, "escapes", "not seen by the hooks", &o)) {
		const json_t *e;
		size_t i;

		if (json_object_get(o, "error"))
			pr_field(o, "error", "error", PR_BAD);
		/* an XDP program or a packet socket here: outside the cut */
		pr_open_array("xdp", "xdp programs");
		json_array_foreach(json_object_get(o, "xdp"), i, e) {
			pr_open(NULL, NULL, e);
			pr_field(e, "dev", "dev", PR_PLAIN);
			pr_field(e, "mode", "mode", PR_PLAIN);
			pr_close();
		}
		pr_close_array();
		pr_open_array("packet_sockets", "packet sockets");
		json_array_foreach(json_object_get(o, "packet_sockets"), i, e) {
			pr_open(NULL, NULL, e);
			pr_field(e, "dev", "dev", PR_PLAIN);
			pr_field(e, "proto", "proto", PR_PLAIN);
			pr_field(e, "count", "count", PR_PLAIN);
			pr_close();
		}
		pr_close_array();
		pr_field(o, "not_listed", "not listed", PR_BAD);
		pr_close();
	}
	if (section(r, "counters", "counters", &o)) {
		pr_fields(o, PR_PLAIN);
		pr_close();
	}
	rc = pr_end() ? BVX_ERROR : BVX_OK;
	json_decref(r);
	return rc;
}
