// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Prometheus text exposition of beaverd's figures. See metrics.h and
 * docs/metrics.md.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

#define US 1000ull
#define MS 1000000ull

const uint64_t bvm_bucket_ns[BVM_BUCKETS] = {
	10 * US, 25 * US, 50 * US, 100 * US, 250 * US, 500 * US,
	1 * MS, 2500 * US, 5 * MS, 10 * MS, 25 * MS, 50 * MS, 100 * MS,
	250 * MS, 500 * MS, 1000 * MS, 2500 * MS,
};

void bvm_buf_free(struct bvm_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static void put(struct bvm_buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void puts_(struct bvm_buf *b, const char *s)
{
	put(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3)))
static void putf(struct bvm_buf *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* HELP text: \ and newline escaped; label values: " as well */
static void put_escaped(struct bvm_buf *b, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			puts_(b, "\\\\");
		else if (*s == '\n')
			puts_(b, "\\n");
		else if (quote && *s == '"')
			puts_(b, "\\\"");
		else
			put(b, s, 1);
	}
}

void bvm_family(struct bvm_buf *b, const char *name, const char *type,
		const char *help)
{
	puts_(b, "# HELP ");
	puts_(b, name);
	puts_(b, " ");
	put_escaped(b, help, false);
	puts_(b, "\n# TYPE ");
	puts_(b, name);
	puts_(b, " ");
	puts_(b, type);
	puts_(b, "\n");
}

static void put_name(struct bvm_buf *b, const char *name,
		     const char *const *labels, const char *le)
{
	bool first = true;

	puts_(b, name);
	for (size_t i = 0; labels && labels[i] && labels[i + 1]; i += 2) {
		puts_(b, first ? "{" : ",");
		first = false;
		puts_(b, labels[i]);
		puts_(b, "=\"");
		put_escaped(b, labels[i + 1], true);
		puts_(b, "\"");
	}
	if (le) {
		puts_(b, first ? "{" : ",");
		first = false;
		puts_(b, "le=\"");
		puts_(b, le);
		puts_(b, "\"");
	}
	if (!first)
		puts_(b, "}");
}

void bvm_sample(struct bvm_buf *b, const char *name,
		const char *const *labels, uint64_t value)
{
	put_name(b, name, labels, NULL);
	putf(b, " %" PRIu64 "\n", value);
}

static void put_seconds(struct bvm_buf *b, uint64_t ns)
{
	putf(b, "%" PRIu64 ".%09" PRIu64, ns / 1000000000u, ns % 1000000000u);
}

void bvm_sample_ns(struct bvm_buf *b, const char *name,
		   const char *const *labels, uint64_t ns)
{
	put_name(b, name, labels, NULL);
	puts_(b, " ");
	put_seconds(b, ns);
	puts_(b, "\n");
}

void bvm_hist_add(struct bvm_hist *h, uint64_t ns)
{
	size_t i = 0;

	while (i < BVM_BUCKETS && ns > bvm_bucket_ns[i])
		i++;
	h->count[i]++;
	h->sum_ns += ns;
	h->n++;
}

/* a bucket bound as Prometheus clients write it: shortest decimal */
static void le_text(uint64_t ns, char *buf, size_t size)
{
	char tmp[32];
	size_t n;

	snprintf(tmp, sizeof(tmp), "%" PRIu64 ".%09" PRIu64, ns / 1000000000u,
		 ns % 1000000000u);
	n = strlen(tmp);
	while (n > 0 && tmp[n - 1] == '0')
		tmp[--n] = '\0';
	if (n > 0 && tmp[n - 1] == '.')
		tmp[--n] = '\0';
	snprintf(buf, size, "%s", tmp);
}

void bvm_histogram(struct bvm_buf *b, const char *name, const char *help,
		   const struct bvm_hist *h)
{
	char n[128], le[32];
	uint64_t cum = 0;

	bvm_family(b, name, "histogram", help);
	snprintf(n, sizeof(n), "%s_bucket", name);
	for (size_t i = 0; i < BVM_BUCKETS; i++) {
		cum += h->count[i];
		le_text(bvm_bucket_ns[i], le, sizeof(le));
		put_name(b, n, NULL, le);
		putf(b, " %" PRIu64 "\n", cum);
	}
	cum += h->count[BVM_BUCKETS];
	put_name(b, n, NULL, "+Inf");
	putf(b, " %" PRIu64 "\n", cum);
	snprintf(n, sizeof(n), "%s_sum", name);
	bvm_sample_ns(b, n, NULL, h->sum_ns);
	snprintf(n, sizeof(n), "%s_count", name);
	bvm_sample(b, n, NULL, h->n);
}

static void one(struct bvm_buf *b, const char *name, const char *type,
		const char *help, uint64_t v)
{
	bvm_family(b, name, type, help);
	bvm_sample(b, name, NULL, v);
}

/* a metric name from a module counter's: [a-z0-9_] kept, the rest '_' */
static void metric_name(char *buf, size_t size, const char *prefix,
			const char *name, const char *suffix)
{
	size_t n;

	snprintf(buf, size, "%s%s%s", prefix, name, suffix);
	n = strlen(prefix);
	for (char *p = buf + n; *p && (size_t)(p - buf) < n + strlen(name); p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '_'))
			*p = '_';
}

/* one family, one sample per value, told apart by one label */
static void labelled(struct bvm_buf *b, const char *name, const char *type,
		     const char *help, const char *label,
		     const struct bvm_kv *kv, size_t n)
{
	bvm_family(b, name, type, help);
	for (size_t i = 0; i < n; i++) {
		const char *l[] = { label, kv[i].name, NULL };

		bvm_sample(b, name, l, kv[i].value);
	}
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void render_control(const struct bvm_values *v, struct bvm_buf *b)
{
	one(b, "beaver_control_received_datagrams_total", "counter",
	    "Control-plane datagrams received and accepted.", v->received);
	one(b, "beaver_control_sent_datagrams_total", "counter",
	    "Control-plane datagrams sent.", v->sent);
	labelled(b, "beaver_control_dropped_datagrams_total", "counter",
		 "Control-plane datagrams dropped, by reason (status: control.drops).",
		 "reason", v->drops, v->n_drops);
	one(b, "beaver_control_busy_turns_total", "counter",
	    "Event-loop turns that left control datagrams queued (64 read per turn).",
	    v->busy_turns);
}

static void render_config(const struct bvm_values *v, struct bvm_buf *b)
{
	const struct bvm_kv reloads[] = {
		{ "applied", v->reloads_applied },
		{ "invalid", v->reloads_invalid },
		{ "refused", v->reloads_refused },
	};

	labelled(b, "beaver_config_reloads_total", "counter",
		 "Reloads (SIGHUP): applied; invalid (the file has errors, the running configuration kept); refused (a key that needs a restart changed).",
		 "result", reloads, N(reloads));
	bvm_family(b, "beaver_config_last_reload_timestamp_seconds", "gauge",
		   "When the running configuration was read (start or last applied reload), seconds since 1970.");
	bvm_sample_ns(b, "beaver_config_last_reload_timestamp_seconds", NULL,
		      v->reload_ns);
	one(b, "beaver_config_reload_pending", "gauge",
	    "1 while a valid reload waits for the snapshots in progress to end.",
	    v->reload_pending);
}

static void render_module(const struct bvm_values *v, struct bvm_buf *b)
{
	const struct bvm_kv epochs[] = {
		{ "gateway", v->gw_epoch },
		{ "member", v->member_epoch },
		{ "complete", v->complete_epoch },
	};
	char name[128], help[160];

	labelled(b, "beaver_epoch", "gauge",
		 "The module's epochs: the one this gateway marks, this member's, and the newest up to which every record is complete.",
		 "role", epochs, N(epochs));
	for (size_t i = 0; i < v->n_stats; i++) {
		metric_name(name, sizeof(name), "beaver_module_",
			    v->stats[i].name, "_total");
		snprintf(help, sizeof(help),
			 "beaver.ko counter %s (kmod/uapi/beaver.h, status: counters.%s).",
			 v->stats[i].name, v->stats[i].name);
		one(b, name, "counter", help, v->stats[i].value);
	}
	labelled(b, "beaver_module_objects", "gauge",
		 "Live objects of the module by kind (flows in the flow table, records pending release, ...).",
		 "kind", v->objs, v->n_objs);
}

static void render_coord(const struct bvm_values *v, struct bvm_buf *b)
{
	const struct bvm_kv snaps[] = {
		{ "accepted", v->snap_accepted },
		{ "rejected", v->snap_rejected },
		{ "failed", v->snap_failed },
	};
	const struct bvm_kv atts[] = {
		{ "accepted", v->att_accepted },
		{ "rejected", v->att_rejected },
		{ "timeout", v->att_timeout },
		{ "refused", v->att_refused },
		{ "stale", v->att_stale },
	};
	const struct bvm_kv peers[] = {
		{ "gateway", v->peers_gateways },
		{ "member", v->peers_members },
		{ "removed", v->peers_removed },
	};
	struct bvm_hist empty = { 0 };

	one(b, "beaver_coordinator_active", "gauge",
	    "1 if this coordinator takes snapshots (it holds active_address, or none is set).",
	    v->active);
	bvm_family(b, "beaver_tau_min_seconds", "gauge",
		   "The configured tau_min: an attempt is accepted iff t1 - t0 < tau_min.");
	bvm_sample_ns(b, "beaver_tau_min_seconds", NULL, v->tau_min_ns);
	one(b, "beaver_snapshots_in_progress", "gauge",
	    "Snapshots started and not yet accepted, rejected or failed.",
	    v->outstanding);
	labelled(b, "beaver_snapshots_total", "counter",
		 "Snapshots ended since start, by final state.", "state",
		 snaps, N(snaps));
	labelled(b, "beaver_snapshot_attempts_total", "counter",
		 "Attempts decided since start, by OGM verdict (rejected: t1 - t0 >= tau_min; timeout: an acknowledgement missing; refused: a gateway answered with an error; stale: a gateway's switch not proven inside [t0, t1]).",
		 "verdict", atts, N(atts));
	bvm_histogram(b, "beaver_ogm_bound_seconds",
		      "t1 - t0 of attempts whose gateways all acknowledged (accepted and rejected).",
		      v->bound ? v->bound : &empty);
	bvm_family(b, "beaver_snapshot_collect_seconds", "summary",
		   "Accepted snapshots: from the last gateway's acknowledgement (t1) to the snapshot stored with every member's record.");
	bvm_sample_ns(b, "beaver_snapshot_collect_seconds_sum", NULL,
		      v->collect_sum_ns);
	bvm_sample(b, "beaver_snapshot_collect_seconds_count", NULL,
		   v->collect_n);
	labelled(b, "beaver_peers", "gauge",
		 "Peers the coordinator knows: configured gateways and members, and peers removed by a reload since start.",
		 "role", peers, N(peers));
}

int bvm_render(const struct bvm_values *v, struct bvm_buf *b)
{
	char group[8];
	const char *info[] = { "version", v->version ? v->version : "",
			       "node", v->node ? v->node : "",
			       "roles", v->roles ? v->roles : "",
			       "group", group, NULL };

	snprintf(group, sizeof(group), "%u", v->group);
	bvm_family(b, "beaver_build_info", "gauge",
		   "Always 1: beaverd's version, node name, roles and group.");
	bvm_sample(b, "beaver_build_info", info, 1);
	render_config(v, b);
	render_control(v, b);
	if (v->module)
		render_module(v, b);
	if (v->coordinator)
		render_coord(v, b);
	return b->oom ? -ENOMEM : 0;
}
