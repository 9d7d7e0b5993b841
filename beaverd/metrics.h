/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The Prometheus text exposition (format 0.0.4) of beaverd's figures:
 * docs/metrics.md lists every metric. Pure: the daemon gathers the values
 * into struct bvm_values on its own thread and this renders them (tested
 * in tests/unit/test_metrics.c); httpd.c serves the text.
 *
 * Conventions: every name starts with beaver_, counters end in _total,
 * durations are in seconds, every family has one # HELP and one # TYPE
 * line before its samples.
 */
#ifndef BEAVERD_METRICS_H
#define BEAVERD_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* a growing text buffer; oom set on the first failed allocation */
struct bvm_buf {
	char *p;
	size_t len, cap;
	bool oom;
};

void bvm_buf_free(struct bvm_buf *b);

/*
 * One family's "# HELP" and "# TYPE" lines (type: counter, gauge,
 * histogram, summary). help is escaped (backslash, newline).
 */
void bvm_family(struct bvm_buf *b, const char *name, const char *type,
		const char *help);

/*
 * One sample: name{k1="v1",...} value. labels: NULL, or pairs of key and
 * value ending with NULL; values are escaped (backslash, quote, newline).
 */
void bvm_sample(struct bvm_buf *b, const char *name,
		const char *const *labels, uint64_t value);
/* the same with nanoseconds written as seconds, exactly (9 decimals) */
void bvm_sample_ns(struct bvm_buf *b, const char *name,
		   const char *const *labels, uint64_t ns);

/* a histogram of durations, bucket bounds in nanoseconds */
#define BVM_BUCKETS 17
struct bvm_hist {
	uint64_t count[BVM_BUCKETS + 1];	/* per bucket; the last: +Inf */
	uint64_t sum_ns, n;
};

/* the upper bounds of the buckets (10 us .. 2.5 s) */
extern const uint64_t bvm_bucket_ns[BVM_BUCKETS];

void bvm_hist_add(struct bvm_hist *h, uint64_t ns);
/* a histogram family: _bucket{le=...} (cumulative), _sum, _count */
void bvm_histogram(struct bvm_buf *b, const char *name, const char *help,
		   const struct bvm_hist *h);

/* a named value (the module's counters and objects) */
struct bvm_kv {
	const char *name;
	uint64_t value;
};

/* what the daemon shows: gathered by main.c from its modules */
struct bvm_values {
	const char *node, *version, *roles;	/* roles: "gateway,coordinator" */
	unsigned int group;
	/* control plane */
	uint64_t received, sent, busy_turns;
	struct bvm_kv drops[8];			/* by reason */
	size_t n_drops;
	/* configuration */
	uint64_t reloads_applied, reloads_invalid, reloads_refused;
	uint64_t reload_ns;			/* CLOCK_REALTIME of the last applied (or start) */
	bool reload_pending;
	/* the module (gateways and members) */
	bool module;
	uint32_t gw_epoch, member_epoch, complete_epoch;
	const struct bvm_kv *stats;		/* counters */
	size_t n_stats;
	const struct bvm_kv *objs;		/* live objects */
	size_t n_objs;
	/* the coordinator */
	bool coordinator, active;
	uint64_t tau_min_ns, outstanding;
	uint64_t att_accepted, att_rejected, att_timeout, att_refused,
		 att_stale;
	uint64_t snap_accepted, snap_rejected, snap_failed;
	const struct bvm_hist *bound;		/* t1 - t0 of attempts */
	uint64_t collect_sum_ns, collect_n;	/* accepted: t1 to stored */
	size_t peers_gateways, peers_members, peers_removed;
};

/* the whole exposition into b; returns 0, or -ENOMEM (b->oom) */
int bvm_render(const struct bvm_values *v, struct bvm_buf *b);

#endif /* BEAVERD_METRICS_H */
