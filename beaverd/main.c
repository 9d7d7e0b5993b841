// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * beaverd: start-up, the glue between the modules, and the beaverctl
 * command handlers. See docs/beaverd-architecture.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/signalfd.h>
#include <systemd/sd-daemon.h>

#include "active.h"
#include "agent.h"
#include "apps.h"
#include "beaver.h"
#include "bvnames.h"
#include "calib.h"
#include "config.h"
#include "coord.h"
#include "ctl.h"
#include "escapes.h"
#include "fastpath.h"
#include "httpd.h"
#include "json.h"
#include "kmod.h"
#include "log.h"
#include "loop.h"
#include "metrics.h"
#include "peer.h"
#include "probe.h"
#include "store.h"

#define BEAVERD_VERSION "0.1.0"
#define DEFAULT_CONFIG "/etc/beaver/beaverd.conf"

/* a peer a reload took out of the configuration (beaverctl members) */
struct removed_peer {
	char name[BVD_NAME_MAX];
	bool gateway;
	struct sockaddr_in control;
	uint64_t at_ns;			/* CLOCK_REALTIME of the reload */
};

static struct {
	char *config_path;
	struct bvd_config cfg;
	/* a valid reload waiting for the snapshots in progress to end */
	struct bvd_config pending;
	bool has_pending;
	long pending_timer;
	uint64_t reloads_applied, reloads_invalid, reloads_refused;
	uint64_t config_ns;		/* when the running one was read */
	struct removed_peer removed[BVD_MAX_PEERS];
	size_t n_removed;
	/* the metrics endpoint, and t1 - t0 folded from bvo_stats' ring */
	struct bvh *httpd;
	struct bvm_hist bound_hist;
	uint64_t bound_folded;
	struct bvw_keypair keys[BVD_OWN_KEYS];
	size_t n_keys;
	struct bvs *store;
	struct bvd_kmod kmod;
	bool has_kmod;
	struct bvd_peer_io io;
	struct bvd_agent agent;
	struct bvd_probe probe;	/* PING answers, the data-plane probe */
	struct bvd_coord *coord;
	struct bvc_server *ctl;
	struct bva_server *apps;
	uint64_t watchdog_usec;
	int exit_code;
} d;

/* ---- control plane dispatch ------------------------------------------- */

/* authenticated, not a replay, and (requests) from a coordinator: peer.c */
static void on_peer_msg(struct bvd_peer_io *io, const struct bvw_msg *m,
			const struct bvd_peer *from, void *data)
{
	(void)io;
	(void)data;
	(void)from;
	switch (m->type) {
	case BVW_ADVANCE:
	case BVW_COLLECT:
	case BVW_RELEASE:
	case BVW_ANNOUNCE:
		bvd_agent_msg(&d.agent, m);
		break;
	case BVW_PING:
		bvd_probe_ping(&d.probe, m);
		break;
	default:
		if (d.coord)
			bvd_coord_msg(d.coord, m);
		break;
	}
}

/* the replay state, saved once a second when it changed */
static void persist_tick(void *data)
{
	(void)data;
	bvd_peer_persist(&d.io);
	bvl_timer(1000000000ull, persist_tick, NULL);
}

/* ---- the module's events ---------------------------------------------- */

/* apps.c's tcp_cut: this member's record of an epoch, shares merged */
static int app_records(void *ctx, uint32_t epoch, struct bvr_records *r,
		       char *why, size_t len)
{
	(void)ctx;
	return bvd_kmod_records(&d.kmod, epoch, r, why, len);
}

static void on_kmod_event(uint8_t cmd, const struct bvr_cut *cut, void *data)
{
	(void)data;
	bvd_debug("%s: epochs %u..%u",
		  cmd == BEAVER_CMD_EVENT_CUT ? "cut" : "complete", cut->first,
		  cut->last);
	if (cmd == BEAVER_CMD_EVENT_CUT && d.apps)
		bva_announce(d.apps, cut->first, cut->last, cut->ns);
	if (cmd == BEAVER_CMD_EVENT_COMPLETE)
		bvd_agent_completed(&d.agent, cut->last, true);
}

static void kmod_readable(int fd, short revents, void *data)
{
	(void)fd;
	(void)revents;
	(void)data;
	if (bvd_kmod_events(&d.kmod, on_kmod_event, NULL) == -ENOBUFS) {
		bvd_warn("some module events were lost");
		/* completion is asked of the module again */
		bvd_agent_completed(&d.agent, 0, false);
	}
}

/* ---- beaverctl handlers ----------------------------------------------- */

static json_t *roles_json(unsigned int roles)
{
	json_t *a = json_array();

	if (roles & BVD_ROLE_GATEWAY)
		json_array_append_new(a, json_string("gateway"));
	if (roles & BVD_ROLE_MEMBER)
		json_array_append_new(a, json_string("member"));
	if (roles & BVD_ROLE_COORDINATOR)
		json_array_append_new(a, json_string("coordinator"));
	return a;
}

static int h_status(void *ctx, struct bvc_req *req, json_t *args,
		    json_t **result, char *err, size_t errlen)
{
	char listen[INET_ADDRSTRLEN + 8], a[INET_ADDRSTRLEN];
	char key_hex[2 * BVW_PUBLIC_LEN + 1];
	json_t *r, *counters = json_object();

	(void)ctx;
	(void)req;
	(void)args;
	sodium_bin2hex(key_hex, sizeof(key_hex), d.keys[0].pub, BVW_PUBLIC_LEN);
	inet_ntop(AF_INET, &d.cfg.listen.sin_addr, a, sizeof(a));
	snprintf(listen, sizeof(listen), "%s:%u", a,
		 ntohs(d.cfg.listen.sin_port));
	r = json_pack("{s:s, s:o, s:i, s:{s:s, s:s, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:I, s:I, s:I}}",
		      "node", d.cfg.node, "roles", roles_json(d.cfg.roles),
		      "group", d.cfg.group,
		      "control", "listen", listen, "key", key_hex, "drops",
		      "truncated", (json_int_t)d.io.drops.truncated,
		      "malformed", (json_int_t)d.io.drops.malformed,
		      "version", (json_int_t)d.io.drops.version,
		      "group", (json_int_t)d.io.drops.group,
		      "unknown", (json_int_t)d.io.unknown,
		      "mac", (json_int_t)d.io.drops.mac,
		      "denied", (json_int_t)d.io.denied,
		      "replay", (json_int_t)d.io.drops.replay,
		      "received", (json_int_t)d.io.received,
		      "sent", (json_int_t)d.io.sent,
		      "busy_turns", (json_int_t)d.io.capped);
	if (!r) {
		json_decref(counters);
		snprintf(err, errlen, "out of memory");
		return BVC_E_INTERNAL;
	}
	if (d.has_kmod) {
		struct bvd_kmod_status st;
		char why[256];

		if (bvd_kmod_status(&d.kmod, &st, why, sizeof(why))) {
			json_decref(r);
			json_decref(counters);
			snprintf(err, errlen, "%s", why);
			return BVC_E_INTERNAL;
		}
		json_object_set_new(r, "epoch", json_pack("{s:I, s:I, s:I}",
				    "gateway", (json_int_t)st.gw_epoch,
				    "member", (json_int_t)st.member_epoch,
				    "complete", (json_int_t)st.complete_epoch));
		json_object_set_new(r, "module", json_pack("{s:s, s:I}",
				    "version", d.kmod.version,
				    "caps", (json_int_t)d.kmod.caps));
		for (unsigned int i = 1; i < st.n_stats; i++) {
			const char *name = bv_stat_name(i);

			if (name)
				json_object_set_new(counters, name,
						    bvj_u64(st.stats[i]));
		}
		for (unsigned int i = 1; i < st.n_objs; i++) {
			char name[64];

			if (!bv_obj_name(i))
				continue;
			snprintf(name, sizeof(name), "objects_%s",
				 bv_obj_name(i));
			json_object_set_new(counters, name,
					    bvj_u64(st.objs[i]));
		}
	}
	json_object_set_new(r, "counters", counters);
	{
		char m[INET6_ADDRSTRLEN + 8];

		json_object_set_new(r, "config", json_pack(
			"{s:s, s:I, s:{s:I, s:I, s:I}, s:b, s:s}",
			"file", d.config_path,
			"loaded_ns", (json_int_t)d.config_ns,
			"reloads", "applied", (json_int_t)d.reloads_applied,
			"invalid", (json_int_t)d.reloads_invalid,
			"refused", (json_int_t)d.reloads_refused,
			"reload_pending", d.has_pending,
			"metrics", bvd_config_metrics_str(&d.cfg, m,
							  sizeof(m))));
	}
	if (d.cfg.roles & (BVD_ROLE_GATEWAY | BVD_ROLE_MEMBER)) {
		struct bve_scan esc;
		json_t *e;
		char why[256];

		/* receivers the hooks never see (escapes.h) */
		e = bve_scan(&esc, why, sizeof(why)) ?
		    json_pack("{s:s}", "error", why) : bve_json(&esc);
		if (e)
			json_object_set_new(r, "escapes", e);
	}
	if (d.coord) {
		const struct bvo_stats *s = bvd_coord_stats(d.coord);

		json_object_set_new(r, "coordinator", json_pack(
			"{s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			"active", bvd_holds_address(d.cfg.active_address),
			"outstanding", (json_int_t)bvd_coord_outstanding(d.coord),
			"tau_min_ns", (json_int_t)d.cfg.tau_min_ns,
			"accepted_attempts", (json_int_t)s->accepted,
			"rejected_attempts", (json_int_t)s->rejected_bound,
			"timeout_attempts", (json_int_t)s->rejected_timeout,
			"refused_attempts", (json_int_t)s->refused,
			"bound_median_ns", (json_int_t)bvo_stats_quantile(s, 0.5),
			"bound_p99_ns", (json_int_t)bvo_stats_quantile(s, 0.99)));
	}
	*result = r;
	return BVC_OK;
}

static int need_coord(char *err, size_t errlen)
{
	if (d.coord)
		return 0;
	snprintf(err, errlen, "this beaverd (%s) is not the coordinator",
		 d.cfg.node);
	return BVC_E_USAGE;
}

/*
 * Did the verification of an accepted snapshot find nothing wrong: OGM's
 * bound, every member's record present and complete, every channel
 * balanced, no member's cut after stamps it could not read
 * (rx_id_unread: that cut may come after packets of its own epoch)? (Bypass is cumulative in the members' records, so it is left
 * to the report.) Absent report: no. Late packets are no fault of the
 * snapshot: a channel balances with its late packets counted (sent ==
 * received + inflight + late), so they are judged through "balanced".
 * Until they are reported (with a later record: the report is amended
 * then) the channel does not balance, and the answer is no.
 */
static bool report_clean(int64_t id)
{
	char *text = bvs_report_get(d.store, id);
	json_t *r = text ? json_loads(text, 0, NULL) : NULL;
	bool ok;

	free(text);
	ok = json_is_true(json_object_get(r, "bound_ok")) &&
	     json_is_true(json_object_get(r, "balanced")) &&
	     json_integer_value(json_object_get(r, "missing_members")) == 0 &&
	     json_integer_value(json_object_get(r, "incomplete_members")) == 0 &&
	     json_integer_value(json_object_get(r, "members_rx_id_unread")) == 0;
	json_decref(r);
	return ok;
}

static json_t *snapshot_json(int64_t id)
{
	struct bvs_snapshot s;
	json_t *j;

	if (bvs_snapshot_get(d.store, id, &s))
		return NULL;
	j = bvj_snapshot_to_json(&s);
	/* what snapshot --wait tells apart from a clean acceptance */
	if (j && s.state == BVS_ACCEPTED)
		json_object_set_new(j, "verified", json_boolean(report_clean(id)));
	return j;
}

static void apply_config(struct bvd_config *n);
static void notify_status(void);

/* a deferred `snapshot --wait` */
struct waiter {
	struct bvc_req *req;
	long timer;
	int64_t id;
};

static void waiter_done(void *data, int64_t id)
{
	struct waiter *w = data;
	json_t *r = snapshot_json(id);

	if (w->timer > 0)
		bvl_cancel(w->timer);
	if (r)
		bvc_reply(w->req, r);
	else
		bvc_reply_error(w->req, BVC_E_INTERNAL,
				"snapshot %lld vanished", (long long)id);
	free(w);
}

static void waiter_timeout(void *data)
{
	struct waiter *w = data;
	json_t *r = snapshot_json(w->id);

	/* answer with the state it has now; the snapshot goes on */
	w->timer = 0;
	bvd_coord_forget_waiter(d.coord, w);
	if (r)
		bvc_reply(w->req, r);
	else
		bvc_reply_error(w->req, BVC_E_INTERNAL, "no snapshot %lld",
				(long long)w->id);
	free(w);
}

static void waiter_cancel(void *arg, struct bvc_req *req)
{
	struct waiter *w = arg;

	(void)req;
	if (w->timer > 0)
		bvl_cancel(w->timer);
	bvd_coord_forget_waiter(d.coord, w);
	free(w);
}

static bool arg_int(json_t *args, const char *key, json_int_t *v,
		    json_int_t min, json_int_t max)
{
	json_t *j = json_object_get(args, key);

	if (!j)
		return true;
	if (!json_is_integer(j) || json_integer_value(j) < min ||
	    json_integer_value(j) > max)
		return false;
	*v = json_integer_value(j);
	return true;
}

static int h_snapshot(void *ctx, struct bvc_req *req, json_t *args,
		      json_t **result, char *err, size_t errlen)
{
	json_int_t timeout_ms = 60000;
	bool wait = json_is_true(json_object_get(args, "wait"));
	struct waiter *w = NULL;
	int64_t id;
	int rc;

	(void)ctx;
	if ((rc = need_coord(err, errlen)))
		return rc;
	if (!bvd_holds_address(d.cfg.active_address)) {
		char a[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &d.cfg.active_address, a, sizeof(a));
		snprintf(err, errlen, "standby: %s does not hold active_address "
			 "%s; the coordinator that holds it takes the snapshots",
			 d.cfg.node, a);
		return BVC_E_STANDBY;
	}
	if (!arg_int(args, "timeout_ms", &timeout_ms, 1, 86400000)) {
		snprintf(err, errlen, "timeout_ms: an integer of 1..86400000");
		return BVC_E_USAGE;
	}
	if (d.has_pending && bvd_coord_idle(d.coord)) {
		/* the last snapshot just ended: the new peers first */
		d.has_pending = false;
		apply_config(&d.pending);
		notify_status();
	}
	if (d.has_pending) {
		snprintf(err, errlen, "a configuration reload waits for the "
			 "snapshots (%zu) or calibration in progress to end; "
			 "try again shortly", bvd_coord_outstanding(d.coord));
		return BVC_E_BUSY;
	}
	if (wait) {
		w = calloc(1, sizeof(*w));
		if (!w)
			return BVC_E_INTERNAL;
		w->req = req;
	}
	rc = bvd_coord_snapshot(d.coord, w ? waiter_done : NULL, w, &id, err,
				errlen);
	if (rc) {
		free(w);
		return rc == -EBUSY ? BVC_E_BUSY : BVC_E_FAILED;
	}
	if (!w) {
		*result = snapshot_json(id);
		return *result ? BVC_OK : BVC_E_INTERNAL;
	}
	/* the snapshot may already be over (e.g. no gateway could be asked) */
	if (!bvc_req_connected(req))
		return BVC_DEFER;
	w->id = id;
	w->timer = bvl_timer((uint64_t)timeout_ms * 1000000u, waiter_timeout,
			     w);
	bvc_req_set_cancel(req, waiter_cancel, w);
	return BVC_DEFER;
}

static int h_list(void *ctx, struct bvc_req *req, json_t *args,
		  json_t **result, char *err, size_t errlen)
{
	json_int_t limit = 20, before = 0;
	struct bvs_snapshot *v;
	json_t *arr;
	int n, rc;

	(void)ctx;
	(void)req;
	if ((rc = need_coord(err, errlen)))
		return rc;
	if (!arg_int(args, "limit", &limit, 1, 10000) ||
	    !arg_int(args, "before", &before, 0, INT64_MAX)) {
		snprintf(err, errlen, "limit: 1..10000, before: a snapshot id");
		return BVC_E_USAGE;
	}
	v = calloc((size_t)limit, sizeof(*v));
	if (!v)
		return BVC_E_INTERNAL;
	n = bvs_snapshot_list(d.store, v, (size_t)limit, before);
	if (n < 0) {
		free(v);
		snprintf(err, errlen, "storage: %s", strerror(-n));
		return BVC_E_INTERNAL;
	}
	arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, bvj_snapshot_to_json(&v[i]));
	free(v);
	*result = json_pack("{s:o}", "snapshots", arr);
	return BVC_OK;
}

static int get_id(json_t *args, int64_t *id, char *err, size_t errlen)
{
	json_int_t v = 0;

	if (!json_object_get(args, "id") ||
	    !arg_int(args, "id", &v, 1, INT64_MAX)) {
		snprintf(err, errlen, "a snapshot id (a positive integer) is needed");
		return BVC_E_USAGE;
	}
	*id = v;
	return 0;
}

/* every attempt of a snapshot: the first and every retry */
#define MAX_ATTEMPTS (BVD_MAX_RETRIES + 1)

static int h_show(void *ctx, struct bvc_req *req, json_t *args,
		  json_t **result, char *err, size_t errlen)
{
	struct bvs_attempt at[MAX_ATTEMPTS];
	struct bvs_snapshot s;
	json_t *attempts, *report = json_null();
	char *text;
	int64_t id;
	int n, rc;

	(void)ctx;
	(void)req;
	if ((rc = need_coord(err, errlen)) || (rc = get_id(args, &id, err, errlen)))
		return rc;
	if (bvs_snapshot_get(d.store, id, &s)) {
		snprintf(err, errlen, "no snapshot %lld", (long long)id);
		return BVC_E_NOTFOUND;
	}
	n = bvs_attempts_get(d.store, id, at, MAX_ATTEMPTS);
	attempts = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(attempts, bvj_attempt_to_json(&at[i]));
	if (n > 0)
		bvs_attempts_free(at, (size_t)n);
	text = bvs_report_get(d.store, id);
	if (text) {
		json_t *j = json_loads(text, 0, NULL);

		if (j)
			report = j;
		free(text);
	}
	*result = json_pack("{s:o, s:o, s:o}", "snapshot",
			    bvj_snapshot_to_json(&s), "attempts", attempts,
			    "report", report);
	return BVC_OK;
}

static int h_export(void *ctx, struct bvc_req *req, json_t *args,
		    json_t **result, char *err, size_t errlen)
{
	struct bvs_attempt at[MAX_ATTEMPTS];
	struct bvs_snapshot s;
	char **nodes = NULL, **records = NULL, *report;
	size_t n_nodes = 0;
	int64_t id;
	int n, rc;

	(void)ctx;
	(void)req;
	if ((rc = need_coord(err, errlen)) || (rc = get_id(args, &id, err, errlen)))
		return rc;
	if (bvs_snapshot_get(d.store, id, &s)) {
		snprintf(err, errlen, "no snapshot %lld", (long long)id);
		return BVC_E_NOTFOUND;
	}
	n = bvs_attempts_get(d.store, id, at, MAX_ATTEMPTS);
	if (n < 0)
		n = 0;
	if (bvs_member_nodes(d.store, id, &nodes, &n_nodes))
		n_nodes = 0;
	records = calloc(n_nodes + 1, sizeof(*records));
	for (size_t i = 0; records && i < n_nodes; i++)
		records[i] = bvs_member_record_get(d.store, id, nodes[i]);
	report = bvs_report_get(d.store, id);
	*result = records ? bvj_export_build(&s, at, (size_t)n, report, n_nodes,
					     (const char *const *)nodes,
					     (const char *const *)records,
					     err, errlen) : NULL;
	for (size_t i = 0; i < n_nodes; i++) {
		free(nodes[i]);
		if (records)
			free(records[i]);
	}
	free(nodes);
	free(records);
	free(report);
	bvs_attempts_free(at, (size_t)n);
	return *result ? BVC_OK : BVC_E_INTERNAL;
}

/* members and calibrate: both ping every peer, then answer */
struct pinger {
	struct bvc_req *req;
	bool calibrate;
	unsigned int count;
};

static json_t *us_or_null(unsigned int answered, uint64_t ns)
{
	return answered ? json_integer((json_int_t)(ns / 1000)) : json_null();
}

static void control_str(const struct sockaddr_in *sa, char *buf, size_t size)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &sa->sin_addr, a, sizeof(a));
	snprintf(buf, size, "%s:%u", a, ntohs(sa->sin_port));
}

/* calibrate's per-peer figures (beaver-calibrate/2 peers[], probe_us
 * added there) */
static json_t *rtt_peer_json(const struct bvd_rtt *r,
			     const struct bvd_peer_conf *p)
{
	char addr[INET_ADDRSTRLEN + 8];

	control_str(&p->control, addr, sizeof(addr));
	/* no answer: null, not a made-up 0 */
	return json_pack("{s:s, s:s, s:s, s:b, s:I, s:o, s:o, s:o}",
			 "name", r->name,
			 "role", r->gateway ? "gateway" : "member",
			 "address", addr, "reachable", r->answered > 0,
			 "answered", (json_int_t)r->answered,
			 "min_us", us_or_null(r->answered, r->min_ns),
			 "median_us", us_or_null(r->answered, r->median_ns),
			 "max_us", us_or_null(r->answered, r->max_ns));
}

/*
 * beaver-members/2: the configured members and gateways in two lists,
 * each with its state: up (it answered the ping), down (it did not), or
 * removed (a reload took it out of the configuration: no longer asked to
 * snapshot, kept in the list until the next start).
 */
static json_t *members_json(void)
{
	struct bvd_rtt r[BVD_MAX_PEERS];
	size_t n = bvd_coord_rtt(d.coord, r, BVD_MAX_PEERS);
	json_t *members = json_array(), *gateways = json_array();

	for (size_t i = 0; i < n; i++) {
		const struct bvd_peer_conf *p = &d.cfg.peers[i];
		json_t *e = rtt_peer_json(&r[i], p);

		json_object_del(e, "role");
		json_object_set_new(e, "state",
				    json_string(r[i].answered ? "up" : "down"));
		json_object_set_new(e, "in_snapshots", json_true());
		if (!p->gateway) {
			json_t *data = json_array();

			for (size_t k = 0; k < p->n_data; k++) {
				char a[BV_IP_STRLEN];

				bv_ip_ntop(&p->data[k], a);
				json_array_append_new(data, json_string(a));
			}
			json_object_set_new(e, "data", data);
		}
		json_array_append_new(p->gateway ? gateways : members, e);
	}
	for (size_t i = 0; i < d.n_removed; i++) {
		const struct removed_peer *p = &d.removed[i];
		char addr[INET_ADDRSTRLEN + 8];

		control_str(&p->control, addr, sizeof(addr));
		json_array_append_new(p->gateway ? gateways : members, json_pack(
			"{s:s, s:s, s:s, s:b, s:b, s:i, s:n, s:n, s:n, s:I}",
			"name", p->name, "address", addr, "state", "removed",
			"in_snapshots", 0, "reachable", 0, "answered", 0,
			"min_us", "median_us", "max_us",
			"removed_ns", (json_int_t)p->at_ns));
	}
	return json_pack("{s:o, s:o}", "members", members, "gateways",
			 gateways);
}

/*
 * beaver-calibrate/2: the bound tau_min must not exceed, measured on the
 * data plane by the gateways' and members' own probes (probe.h), how it
 * was measured, and the verdict (calib.h); the coordinator's own
 * control-plane round trips per peer, as information.
 */
static json_t *rtt_json(bool calibrate, unsigned int count)
{
	struct bvd_rtt r[BVD_MAX_PEERS];
	struct bvd_calib v;
	size_t n;
	json_t *peers, *ok;

	if (!calibrate)
		return members_json();
	n = bvd_coord_rtt(d.coord, r, BVD_MAX_PEERS);
	bvd_calib_judge(r, n, d.cfg.tau_min_ns, &v);
	peers = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *e = rtt_peer_json(&r[i], &d.cfg.peers[i]);

		json_object_set_new(e, "probe_us",
				    us_or_null(r[i].probe_ns != 0,
					       r[i].probe_ns));
		json_array_append_new(peers, e);
	}
	ok = v.verdict == BVD_CALIB_UNKNOWN ? json_null() :
	     json_boolean(v.verdict == BVD_CALIB_OK);
	return json_pack("{s:I, s:o, s:o, s:o, s:I, s:o, s:s, s:o, s:o}",
			 "samples", (json_int_t)count,
			 "lower_bound_us", us_or_null(v.bound_ns != 0,
						      v.bound_ns),
			 "lower_bound_method", v.bound_ns ?
				json_string(BVD_CALIB_METHOD) : json_null(),
			 "lower_bound_peer", v.bound_ns ?
				json_string(r[v.bound_peer].name) : json_null(),
			 "tau_min_us", (json_int_t)(d.cfg.tau_min_ns / 1000),
			 "bound_ok", ok, "bound_note", v.note,
			 "control_min_us", us_or_null(v.control_ns != 0,
						      v.control_ns),
			 "peers", peers);
}

static void pinger_done(void *data, int64_t unused)
{
	struct pinger *p = data;

	(void)unused;
	bvc_reply(p->req, rtt_json(p->calibrate, p->count));
	free(p);
}

static void pinger_cancel(void *arg, struct bvc_req *req)
{
	(void)req;
	bvd_coord_forget_waiter(d.coord, arg);
	free(arg);
}

static int start_pings(struct bvc_req *req, bool calibrate,
		       unsigned int count, char *err, size_t errlen)
{
	struct pinger *p = calloc(1, sizeof(*p));
	int rc;

	if (!p)
		return BVC_E_INTERNAL;
	p->req = req;
	p->calibrate = calibrate;
	p->count = count;
	rc = bvd_coord_calibrate(d.coord, count, pinger_done, p);
	if (rc) {
		free(p);
		snprintf(err, errlen, rc == -EBUSY ?
			 "a calibration is already running" : "%s",
			 strerror(-rc));
		return rc == -EBUSY ? BVC_E_BUSY : BVC_E_USAGE;
	}
	bvc_req_set_cancel(req, pinger_cancel, p);
	return BVC_DEFER;
}

static int h_members(void *ctx, struct bvc_req *req, json_t *args,
		     json_t **result, char *err, size_t errlen)
{
	int rc;

	(void)ctx;
	(void)args;
	(void)result;
	if ((rc = need_coord(err, errlen)))
		return rc;
	return start_pings(req, false, 1, err, errlen);
}

static int h_calibrate(void *ctx, struct bvc_req *req, json_t *args,
		       json_t **result, char *err, size_t errlen)
{
	json_int_t count = 20;
	int rc;

	(void)ctx;
	(void)result;
	if ((rc = need_coord(err, errlen)))
		return rc;
	if (!arg_int(args, "count", &count, 1, 1000)) {
		snprintf(err, errlen, "count: 1..1000");
		return BVC_E_USAGE;
	}
	return start_pings(req, true, (unsigned int)count, err, errlen);
}

/* retention now: with the configured limits, or the request's */
static int h_prune(void *ctx, struct bvc_req *req, json_t *args,
		   json_t **result, char *err, size_t errlen)
{
	json_int_t keep = d.cfg.keep_snapshots, days = d.cfg.keep_days;
	uint64_t deleted = 0;
	int rc;

	(void)ctx;
	(void)req;
	if ((rc = need_coord(err, errlen)))
		return rc;
	if (!arg_int(args, "keep", &keep, 0, INT32_MAX) ||
	    !arg_int(args, "days", &days, 0, 36500)) {
		snprintf(err, errlen, "keep: 0..2147483647, days: 0..36500");
		return BVC_E_USAGE;
	}
	if (bvd_coord_prune(d.coord, (uint64_t)keep, (uint32_t)days,
			    &deleted)) {
		snprintf(err, errlen, "prune: %s", bvs_errmsg(d.store));
		return BVC_E_INTERNAL;
	}
	*result = json_pack("{s:I, s:I, s:I}", "deleted", (json_int_t)deleted,
			    "keep_snapshots", keep, "keep_days", days);
	return *result ? BVC_OK : BVC_E_INTERNAL;
}

static const struct bvc_command commands[] = {
	{ "status", "beaver-status/1", h_status },
	{ "snapshot", "beaver-summary/1", h_snapshot },
	{ "list", "beaver-list/1", h_list },
	{ "show", "beaver-show/1", h_show },
	{ "export", "beaver-snapshot/1", h_export },
	{ "members", "beaver-members/2", h_members },
	{ "calibrate", "beaver-calibrate/2", h_calibrate },
	{ "prune", "beaver-prune/1", h_prune },
};

static void ctl_fd(int fd, short revents, void *s)
{
	bvc_handle(s, fd, revents);
}

static void ctl_watch(void *ctx, struct bvc_server *s, int fd, short events)
{
	(void)ctx;
	bvl_unwatch(fd);
	bvl_watch(fd, events, ctl_fd, s);
}

static void ctl_unwatch(void *ctx, int fd)
{
	(void)ctx;
	bvl_unwatch(fd);
}

static void ctl_log(void *ctx, int prio, const char *msg)
{
	(void)ctx;
	bvd_log(prio, "%s", msg);
}

/* ---- reload (SIGHUP) ---------------------------------------------------- */

static bool ips_differ(const struct bv_ip *a, size_t na, const struct bv_ip *b,
		       size_t nb)
{
	if (na != nb)
		return true;
	for (size_t i = 0; i < na; i++)
		if (!bv_ip_eq(&a[i], &b[i]))
			return true;
	return false;
}

/* does beaver.ko need the new configuration (kmod.c pushes these)? */
static bool module_differs(const struct bvd_config *o,
			   const struct bvd_config *n)
{
	if (o->settle_ms != n->settle_ms || o->max_flows != n->max_flows ||
	    o->max_history != n->max_history ||
	    o->max_records != n->max_records ||
	    o->max_captures != n->max_captures ||
	    o->capture_bytes != n->capture_bytes ||
	    o->max_ahead != n->max_ahead || o->flow_idle_ms != n->flow_idle_ms ||
	    o->mss_clamp != n->mss_clamp ||
	    o->ipv4_id_stamp != n->ipv4_id_stamp ||
	    o->app_mark != n->app_mark ||
	    ips_differ(o->members, o->n_members, n->members, n->n_members) ||
	    ips_differ(o->vips, o->n_vips, n->vips, n->n_vips) ||
	    ips_differ(o->gateways, o->n_gateways, n->gateways,
		       n->n_gateways) ||
	    o->n_allow != n->n_allow)
		return true;
	for (size_t i = 0; i < o->n_allow; i++)
		if (o->allow[i].len != n->allow[i].len ||
		    !bv_ip_eq(&o->allow[i].addr, &n->allow[i].addr))
			return true;
	return false;
}

static const struct bvd_peer_conf *peer_named(const struct bvd_config *cfg,
					      const char *name)
{
	for (size_t i = 0; i < cfg->n_peers; i++)
		if (!strcmp(cfg->peers[i].name, name))
			return &cfg->peers[i];
	return NULL;
}

/* remember the peers the new configuration drops; forget the re-added */
static void note_removed(const struct bvd_config *o, const struct bvd_config *n,
			 char *names, size_t size)
{
	size_t k = 0, used = 0;

	names[0] = '\0';
	for (size_t i = 0; i < d.n_removed; i++)
		if (!peer_named(n, d.removed[i].name))
			d.removed[k++] = d.removed[i];
	d.n_removed = k;
	for (size_t i = 0; i < o->n_peers; i++) {
		const struct bvd_peer_conf *p = &o->peers[i];
		struct removed_peer *r;

		if (peer_named(n, p->name) || d.n_removed == BVD_MAX_PEERS)
			continue;
		r = &d.removed[d.n_removed++];
		memset(r, 0, sizeof(*r));
		snprintf(r->name, sizeof(r->name), "%s", p->name);
		r->gateway = p->gateway;
		r->control = p->control;
		r->at_ns = bvl_realtime();
		if (used + strlen(p->name) + 3 < size)
			used += (size_t)snprintf(names + used, size - used,
						 "%s%s", used ? ", " : "",
						 p->name);
	}
}

/* the mask and the member's epoch that applications' hellos carry */
static void app_mark_set(void)
{
	struct bvd_kmod_status st = { 0 };
	char why[256];

	if (!d.apps)
		return;
	if (d.has_kmod && bvd_kmod_status(&d.kmod, &st, why, sizeof(why)))
		bvd_warn("application socket: the member's epoch: %s", why);
	bva_set_mark(d.apps, d.cfg.app_mark, st.member_epoch);
}

/* the gateway's fast path (fastpath.h): its keys to beaver.ko, or none */
static void fast_path(bool on)
{
	char why[512];
	int n = bvd_fastpath_sync(&d.io, &d.kmod, &d.cfg, d.store, on, why,
				  sizeof(why));

	if (n < 0)
		bvd_warn("fast path: %s; ADVANCE is answered here", why);
	else if (n > 0)
		bvd_info("fast path: beaver.ko answers ADVANCE (%d key pair(s))",
			 n);
}

/* n is valid; take it, or keep the running one (and say why) */
static void apply_config(struct bvd_config *n)
{
	bool push = d.has_kmod && module_differs(&d.cfg, n);
	char why[512], removed[256];
	struct bvd_config old;
	size_t ngw = 0;

	if (bvd_peer_rebuild(&d.io, n, why, sizeof(why))) {
		bvd_err("reload: %s; the running configuration is kept", why);
		d.reloads_invalid++;
		bvd_config_free(n);
		return;
	}
	if (push && bvd_kmod_configure(&d.kmod, n, why, sizeof(why))) {
		bvd_err("reload: beaver.ko refused the new configuration: %s; "
			"the running configuration is kept", why);
		if (bvd_peer_rebuild(&d.io, &d.cfg, why, sizeof(why)))
			bvd_err("reload: the peer table could not be restored: %s",
				why);
		d.reloads_invalid++;
		bvd_config_free(n);
		return;
	}
	note_removed(&d.cfg, n, removed, sizeof(removed));
	old = d.cfg;
	d.cfg = *n;
	memset(n, 0, sizeof(*n));
	bvd_config_free(&old);
	if (d.coord && bvd_coord_reconfigure(d.coord))
		bvd_err("reload: out of memory in the coordinator");
	if (push)
		app_mark_set();
	for (size_t i = 0; i < d.cfg.n_peers; i++)
		ngw += d.cfg.peers[i].gateway;
	if (d.has_kmod)
		fast_path(true);	/* the coordinators' keys may have changed */
	d.reloads_applied++;
	d.config_ns = bvl_realtime();
	bvd_info("reload: %s applied: %zu gateway(s), %zu member(s)%s%s, "
		 "tau_min %llu us, module configuration %s",
		 d.config_path, ngw, d.cfg.n_peers - ngw,
		 removed[0] ? ", removed: " : "", removed,
		 (unsigned long long)(d.cfg.tau_min_ns / 1000),
		 push ? "pushed again" : "unchanged");
}

static void pending_check(void *data)
{
	(void)data;
	d.pending_timer = 0;
	if (!d.has_pending)
		return;
	if (!bvd_coord_idle(d.coord)) {
		d.pending_timer = bvl_timer(20000000u, pending_check, NULL);
		return;
	}
	d.has_pending = false;
	apply_config(&d.pending);
	notify_status();
}

/*
 * SIGHUP: read and validate the whole file first; an invalid one changes
 * nothing (its errors logged as FILE:LINE: message). A change of a key
 * that needs a restart refuses the reload whole. A coordinator applies
 * the new peers only between snapshots: while some are in progress the
 * reload waits for them (new snapshots are refused meanwhile), so no
 * snapshot runs with two lists of peers.
 */
static void reload_now(void)
{
	struct bvd_config n;
	char *errs = NULL, why[512];
	size_t errs_len = 0;
	FILE *f = open_memstream(&errs, &errs_len);
	int rc;

	bvd_info("reload: reading %s", d.config_path);
	rc = bvd_config_load(d.config_path, &n, f);
	if (f)
		fclose(f);
	if (rc) {
		for (char *line = errs, *nl; line && *line; line = nl) {
			nl = strchr(line, '\n');
			if (nl)
				*nl++ = '\0';
			else
				nl = line + strlen(line);
			bvd_err("reload: %s", line);
		}
		bvd_err("reload: %s is not valid; the running configuration "
			"is kept", d.config_path);
		free(errs);
		d.reloads_invalid++;
		return;
	}
	free(errs);
	if (bvd_config_needs_restart(&d.cfg, &n, why, sizeof(why))) {
		bvd_err("reload: %s changed, which needs a restart "
			"(beaverd.conf(5), RELOADING); the running configuration "
			"is kept", why);
		bvd_config_free(&n);
		d.reloads_refused++;
		return;
	}
	if (d.coord && !bvd_coord_idle(d.coord)) {
		if (d.has_pending)
			bvd_config_free(&d.pending);
		d.pending = n;
		d.has_pending = true;
		if (bvd_coord_outstanding(d.coord))
			bvd_info("reload: %s is valid; applied once the %zu "
				 "snapshot(s) in progress end", d.config_path,
				 bvd_coord_outstanding(d.coord));
		else
			bvd_info("reload: %s is valid; applied once the "
				 "calibration in progress ends", d.config_path);
		if (d.pending_timer <= 0)
			d.pending_timer = bvl_timer(20000000u, pending_check,
						    NULL);
		return;
	}
	apply_config(&n);
}

/* systemctl status shows how the last reload went */
static void notify_status(void)
{
	sd_notifyf(0, "READY=1\nSTATUS=group %u, node %s; reloads: %llu "
		   "applied, %llu invalid, %llu refused%s", d.cfg.group,
		   d.cfg.node, (unsigned long long)d.reloads_applied,
		   (unsigned long long)d.reloads_invalid,
		   (unsigned long long)d.reloads_refused,
		   d.has_pending ? "; one waits for the snapshots in progress" :
				   "");
}

static void reload(void)
{
	sd_notify(0, "RELOADING=1");
	reload_now();
	notify_status();
}

/* ---- metrics ------------------------------------------------------------ */

/* t1 - t0 of the attempts bvo_stats' ring got since the last look */
static void fold_bounds(void)
{
	const struct bvo_stats *s;
	uint64_t total, k;

	if (!d.coord)
		return;
	s = bvd_coord_stats(d.coord);
	total = s->accepted + s->rejected_bound;	/* the ring's adds */
	k = total - d.bound_folded;
	if (k > BVO_RING) {
		bvd_warn("metrics: %llu bound(s) t1 - t0 not counted in the "
			 "histogram (more than %u attempts in a second)",
			 (unsigned long long)(k - BVO_RING), BVO_RING);
		k = BVO_RING;
	}
	for (uint64_t i = k; i > 0; i--)
		bvm_hist_add(&d.bound_hist,
			     s->ring[(s->next + BVO_RING - i) % BVO_RING]);
	d.bound_folded = total;
}

static void fold_tick(void *data)
{
	(void)data;
	fold_bounds();
	bvl_timer(1000000000ull, fold_tick, NULL);
}

static char *metrics_render(void *data, size_t *len)
{
	struct bvm_values v = { 0 };
	struct bvm_kv stats[BEAVER_STAT_MAX + 1], objs[BEAVER_OBJ_MAX + 1];
	struct bvd_kmod_status st;
	struct bvm_buf b = { 0 };
	char roles[64], why[256];

	(void)data;
	snprintf(roles, sizeof(roles), "%s%s%s",
		 d.cfg.roles & BVD_ROLE_GATEWAY ? "gateway," : "",
		 d.cfg.roles & BVD_ROLE_MEMBER ? "member," : "",
		 d.cfg.roles & BVD_ROLE_COORDINATOR ? "coordinator," : "");
	roles[strlen(roles) ? strlen(roles) - 1 : 0] = '\0';
	v.node = d.cfg.node;
	v.version = BEAVERD_VERSION;
	v.roles = roles;
	v.group = d.cfg.group;
	v.received = d.io.received;
	v.sent = d.io.sent;
	v.busy_turns = d.io.capped;
	{
		const struct bvm_kv drops[] = {
			{ "truncated", d.io.drops.truncated },
			{ "malformed", d.io.drops.malformed },
			{ "version", d.io.drops.version },
			{ "group", d.io.drops.group },
			{ "unknown", d.io.unknown },
			{ "mac", d.io.drops.mac },
			{ "denied", d.io.denied },
			{ "replay", d.io.drops.replay },
		};

		memcpy(v.drops, drops, sizeof(drops));
		v.n_drops = sizeof(drops) / sizeof(drops[0]);
	}
	v.reloads_applied = d.reloads_applied;
	v.reloads_invalid = d.reloads_invalid;
	v.reloads_refused = d.reloads_refused;
	v.reload_ns = d.config_ns;
	v.reload_pending = d.has_pending;
	if (d.has_kmod && !bvd_kmod_status(&d.kmod, &st, why, sizeof(why))) {
		v.module = true;
		v.gw_epoch = st.gw_epoch;
		v.member_epoch = st.member_epoch;
		v.complete_epoch = st.complete_epoch;
		for (unsigned int i = 1; i < st.n_stats && i <= BEAVER_STAT_MAX;
		     i++)
			if (bv_stat_name(i))
				stats[v.n_stats++] = (struct bvm_kv){
					bv_stat_name(i), st.stats[i] };
		for (unsigned int i = 1; i < st.n_objs && i <= BEAVER_OBJ_MAX;
		     i++)
			if (bv_obj_name(i))
				objs[v.n_objs++] = (struct bvm_kv){
					bv_obj_name(i), st.objs[i] };
		v.stats = stats;
		v.objs = objs;
	} else if (d.has_kmod) {
		bvd_debug("metrics: module status: %s", why);
	}
	if (d.coord) {
		const struct bvo_stats *s = bvd_coord_stats(d.coord);
		const struct bvd_coord_totals *t = bvd_coord_totals(d.coord);

		fold_bounds();
		v.coordinator = true;
		v.active = bvd_holds_address(d.cfg.active_address);
		v.tau_min_ns = d.cfg.tau_min_ns;
		v.outstanding = bvd_coord_outstanding(d.coord);
		v.att_accepted = s->accepted;
		v.att_rejected = s->rejected_bound;
		v.att_timeout = s->rejected_timeout;
		v.att_refused = s->refused;
		v.att_stale = s->stale;
		v.snap_accepted = t->accepted;
		v.snap_rejected = t->rejected;
		v.snap_failed = t->failed;
		v.bound = &d.bound_hist;
		v.collect_sum_ns = t->collect_sum_ns;
		v.collect_n = t->collected;
		for (size_t i = 0; i < d.cfg.n_peers; i++)
			v.peers_gateways += d.cfg.peers[i].gateway;
		v.peers_members = d.cfg.n_peers - v.peers_gateways;
		v.peers_removed = d.n_removed;
	}
	if (bvm_render(&v, &b)) {
		bvm_buf_free(&b);
		return NULL;
	}
	*len = b.len;
	return b.p;
}

/* ---- signals, watchdog ------------------------------------------------ */

static void signal_readable(int fd, short revents, void *data)
{
	struct signalfd_siginfo si;

	(void)revents;
	(void)data;
	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			reload();
			continue;
		}
		bvd_info("signal %u: stopping", si.ssi_signo);
		sd_notify(0, "STOPPING=1");
		bvl_stop();
	}
}

static void watchdog_tick(void *data)
{
	(void)data;
	sd_notify(0, "WATCHDOG=1");
	bvl_timer(d.watchdog_usec * 1000 / 2, watchdog_tick, NULL);
}

/* ---- start-up --------------------------------------------------------- */

static int enter_netns(const char *name)
{
	char path[512];
	int fd, err = 0;

	if (!name[0])
		return 0;
	if (name[0] == '/')
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		err = -errno;
	if (fd >= 0)
		close(fd);
	if (err)
		bvd_err("network namespace %s: %s", path, strerror(-err));
	return err;
}

static int start(void)
{
	char why[512];
	sigset_t mask;
	int err, sfd, rc;

	if (enter_netns(d.cfg.netns))
		return 1;
	err = bvw_keypair_load(d.cfg.key_file, &d.keys[0], why, sizeof(why));
	if (err) {
		bvd_err("private key %s: %s", d.cfg.key_file, why);
		return 1;
	}
	d.n_keys = 1;
	if (d.cfg.previous_key_file[0]) {
		err = bvw_keypair_load(d.cfg.previous_key_file, &d.keys[1], why,
				       sizeof(why));
		if (err) {
			bvd_err("previous private key %s: %s",
				d.cfg.previous_key_file, why);
			return 1;
		}
		d.n_keys = 2;
	}
	err = bvs_open(d.cfg.state_dir, d.cfg.roles & BVD_ROLE_COORDINATOR,
		       &d.store, why, sizeof(why));
	if (err) {
		bvd_err("storage in %s: %s", d.cfg.state_dir, why);
		return 1;
	}
	if (d.cfg.roles & BVD_ROLE_COORDINATOR) {
		int n = bvs_recover(d.store);

		if (n > 0)
			bvd_warn("%d snapshot(s) in progress at the last stop marked failed",
				 n);
	}
	if (d.cfg.roles & (BVD_ROLE_GATEWAY | BVD_ROLE_MEMBER)) {
		err = bvd_kmod_open(&d.kmod, NULL, d.cfg.roles, why,
				    sizeof(why));
		if (!err)
			err = bvd_kmod_configure(&d.kmod, &d.cfg, why,
						 sizeof(why));
		if (err) {
			bvd_err("%s", why);
			return 1;
		}
		d.has_kmod = true;
		bvd_info("beaver.ko %s, caps 0x%llx", d.kmod.version,
			 (unsigned long long)d.kmod.caps);
		bvl_watch(bvd_kmod_events_fd(&d.kmod), POLLIN, kmod_readable,
			  NULL);
	}
	err = bvd_peer_open(&d.io, &d.cfg, d.keys, d.n_keys, d.store,
			    on_peer_msg, NULL, why, sizeof(why));
	if (err) {
		bvd_err("%s", why);
		return 1;
	}
	bvl_watch(d.io.fd, POLLIN, bvd_peer_readable, &d.io);
	if (d.has_kmod)
		fast_path(true);
	persist_tick(NULL);
	bvd_agent_init(&d.agent, &d.cfg, &d.kmod, d.store, &d.io);
	bvd_probe_init(&d.probe, &d.cfg, &d.io);
	if (d.cfg.roles & BVD_ROLE_COORDINATOR) {
		d.coord = bvd_coord_new(&d.cfg, d.store, &d.io);
		if (!d.coord) {
			bvd_err("out of memory");
			return 1;
		}
	}
	{
		struct bvc_config cc = {
			.run_dir = d.cfg.run_dir, .group = d.cfg.socket_group,
			.cmds = commands,
			.n_cmds = sizeof(commands) / sizeof(commands[0]),
			.log = ctl_log, .watch = ctl_watch,
			.unwatch = ctl_unwatch,
		};

		err = bvc_open(&cc, &d.ctl, why, sizeof(why));
		if (err) {
			bvd_err("control socket: %s", why);
			return 1;
		}
	}
	/* after bvc_open, which creates run_dir when it is missing */
	if (d.cfg.roles & BVD_ROLE_MEMBER) {
		/* the same group as beaverctl's socket (default "beaver") */
		err = bva_open(d.cfg.run_dir, d.cfg.socket_group, &d.apps, why,
			       sizeof(why));
		if (err) {
			bvd_err("application socket: %s", why);
			return 1;
		}
		d.agent.apps = d.apps;
		if (d.has_kmod)
			bva_set_records(d.apps, app_records, NULL);
		app_mark_set();
	}
	if (d.cfg.metrics.ss_family) {
		char m[INET6_ADDRSTRLEN + 8];

		bvd_config_metrics_str(&d.cfg, m, sizeof(m));
		d.httpd = bvh_open(&d.cfg.metrics, metrics_render, NULL, why,
				   sizeof(why));
		if (!d.httpd) {
			bvd_err("metrics %s: %s", m, why);
			return 1;
		}
		bvd_info("metrics: http://%s/metrics", m);
		if (d.coord)
			fold_tick(NULL);
	}
	d.config_ns = bvl_realtime();
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd >= 0)
		bvl_watch(sfd, POLLIN, signal_readable, NULL);
	if (sd_watchdog_enabled(0, &d.watchdog_usec) > 0)
		watchdog_tick(NULL);
	bvd_info("%s ready: group %u, roles%s%s%s, control %s", d.cfg.node,
		 d.cfg.group,
		 d.cfg.roles & BVD_ROLE_GATEWAY ? " gateway" : "",
		 d.cfg.roles & BVD_ROLE_MEMBER ? " member" : "",
		 d.cfg.roles & BVD_ROLE_COORDINATOR ? " coordinator" : "",
		 bvc_path(d.ctl));
	sd_notifyf(0, "READY=1\nSTATUS=group %u, node %s", d.cfg.group,
		   d.cfg.node);
	rc = bvl_run();
	if (rc) {
		/* a non-zero exit: systemd's Restart=on-failure starts us again */
		bvd_err("event loop: %s", strerror(-rc));
		return 1;
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: beaverd [--config FILE] [--stderr] [--debug]\n"
		"       beaverd --check-config [--config FILE]\n"
		"       beaverd --version\n"
		"\n"
		"  -c, --config FILE   configuration (default " DEFAULT_CONFIG ")\n"
		"      --check-config  validate the configuration, explain every error, exit\n"
		"      --stderr        log to stderr instead of the journal\n"
		"  -d, --debug         log debug messages too\n"
		"\n"
		"See beaverd(8) and beaverd.conf(5).\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "stderr", no_argument, NULL, 'e' },
		{ "debug", no_argument, NULL, 'd' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = DEFAULT_CONFIG;
	bool check = false, to_stderr = false, debug = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, "c:dh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 'C': check = true; break;
		case 'e': to_stderr = true; break;
		case 'd': debug = true; break;
		case 'V': puts("beaverd " BEAVERD_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (bvd_config_load(path, &d.cfg, stderr)) {
		if (check)
			fprintf(stderr, "%s: configuration is not valid\n", path);
		return 1;
	}
	if (check) {
		printf("%s: ok\n", path);
		bvd_config_free(&d.cfg);
		return 0;
	}
	/* under systemd, log to the journal unless told otherwise */
	bvd_log_init(to_stderr || d.cfg.log_stderr || !getenv("JOURNAL_STREAM"),
		     debug ? LOG_DEBUG : LOG_INFO);
	/* SIGHUP reads it again: by its absolute path */
	d.config_path = realpath(path, NULL);
	if (!d.config_path)
		d.config_path = strdup(path);
	rc = start();
	bvh_close(d.httpd);
	if (d.has_pending)
		bvd_config_free(&d.pending);
	if (d.ctl)
		bvc_close(d.ctl);
	bva_close(d.apps);
	bvd_coord_free(d.coord);
	bvd_agent_free(&d.agent);
	if (d.has_kmod && d.io.replay.slots)
		fast_path(false);
	bvd_probe_free(&d.probe);
	if (d.io.fd >= 0 && d.io.replay.slots)
		bvd_peer_close(&d.io);
	sodium_memzero(d.keys, sizeof(d.keys));
	if (d.has_kmod)
		bvd_kmod_close(&d.kmod);
	if (d.store)
		bvs_close(d.store);
	bvd_config_free(&d.cfg);
	free(d.config_path);
	return rc;
}
