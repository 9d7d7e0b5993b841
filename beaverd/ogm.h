/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Optimistic Gateway Marking: the coordinator's accept/reject decision
 * (DESIGN §3) and the distribution of the measured bounds. Pure.
 *
 * The coordinator reads CLOCK_MONOTONIC just before sending advance(E) to
 * the first gateway (t0) and when the last acknowledgement arrives (t1).
 * Every gateway switched inside [t0, t1]; if t1 - t0 < tau_min, no external
 * causal chain (gateway -> member -> out-group -> gateway) fits between two
 * gateways' switches, and the snapshot is consistent.
 */
#ifndef BEAVERD_OGM_H
#define BEAVERD_OGM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum bvo_verdict {
	BVO_ACCEPT,
	BVO_REJECT_BOUND,	/* t1 - t0 >= tau_min */
	BVO_REJECT_TIMEOUT,	/* an acknowledgement is missing */
	BVO_REJECT_REFUSED,	/* a gateway answered with an error */
	BVO_REJECT_STALE,	/* a gateway's switch was not this attempt's */
};

/*
 * acked: gateways that acknowledged, of n_gateways. refused: how many of
 * them reported an error. stale: how many acknowledged without proof that
 * they began marking the epoch inside [t0, t1] (coord.c: a gateway
 * already at or past it by another coordinator's or an older database's
 * doing). Decides, and writes a one-line reason.
 */
enum bvo_verdict bvo_decide(uint64_t t0, uint64_t t1, uint64_t tau_min,
			    size_t acked, size_t refused, size_t stale,
			    size_t n_gateways, char *reason, size_t len);

const char *bvo_verdict_name(enum bvo_verdict v);

/* a bounded ring of recent bounds, for medians and percentiles */
#define BVO_RING 1024

struct bvo_stats {
	uint64_t ring[BVO_RING];
	size_t n, next;
	uint64_t accepted, rejected_bound, rejected_timeout, refused, stale;
};

void bvo_stats_add(struct bvo_stats *s, enum bvo_verdict v, uint64_t bound);
/* sort n durations in place, ascending (shared with calibration) */
void bvo_sort(uint64_t *v, size_t n);

/* the q-quantile (0..1) of the recent bounds; 0 if none */
uint64_t bvo_stats_quantile(const struct bvo_stats *s, double q);

#endif /* BEAVERD_OGM_H */
