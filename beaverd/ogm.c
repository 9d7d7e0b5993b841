// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ogm.h"

enum bvo_verdict bvo_decide(uint64_t t0, uint64_t t1, uint64_t tau_min,
			    size_t acked, size_t refused, size_t stale,
			    size_t n_gateways, char *reason, size_t len)
{
	uint64_t bound = t1 >= t0 ? t1 - t0 : 0;

	if (refused) {
		snprintf(reason, len, "%zu of %zu gateways refused the advance",
			 refused, n_gateways);
		return BVO_REJECT_REFUSED;
	}
	if (acked < n_gateways) {
		snprintf(reason, len,
			 "%zu of %zu gateways did not acknowledge in time",
			 n_gateways - acked, n_gateways);
		return BVO_REJECT_TIMEOUT;
	}
	/* Theorem 2 needs every switch inside the window: not shown */
	if (stale) {
		snprintf(reason, len, "%zu of %zu gateways were already at or "
			 "past the epoch (another coordinator, or an older "
			 "database)", stale, n_gateways);
		return BVO_REJECT_STALE;
	}
	/* strict: a chain exactly tau_min long could fit */
	if (bound >= tau_min) {
		snprintf(reason, len,
			 "t1 - t0 = %llu ns is not below tau_min = %llu ns",
			 (unsigned long long)bound,
			 (unsigned long long)tau_min);
		return BVO_REJECT_BOUND;
	}
	snprintf(reason, len, "t1 - t0 = %llu ns < tau_min = %llu ns",
		 (unsigned long long)bound, (unsigned long long)tau_min);
	return BVO_ACCEPT;
}

const char *bvo_verdict_name(enum bvo_verdict v)
{
	switch (v) {
	case BVO_ACCEPT:		return "accepted";
	case BVO_REJECT_BOUND:		return "rejected";
	case BVO_REJECT_TIMEOUT:	return "timeout";
	case BVO_REJECT_REFUSED:	return "refused";
	case BVO_REJECT_STALE:		return "stale";
	}
	return "unknown";
}

void bvo_stats_add(struct bvo_stats *s, enum bvo_verdict v, uint64_t bound)
{
	switch (v) {
	case BVO_ACCEPT:
		s->accepted++;
		break;
	case BVO_REJECT_BOUND:
		s->rejected_bound++;
		break;
	case BVO_REJECT_TIMEOUT:
		s->rejected_timeout++;
		return;		/* no bound was measured */
	case BVO_REJECT_REFUSED:
		s->refused++;
		return;
	case BVO_REJECT_STALE:
		s->stale++;
		return;
	}
	s->ring[s->next] = bound;
	s->next = (s->next + 1) % BVO_RING;
	if (s->n < BVO_RING)
		s->n++;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void bvo_sort(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(v[0]), cmp_u64);
}

uint64_t bvo_stats_quantile(const struct bvo_stats *s, double q)
{
	uint64_t v[BVO_RING];
	size_t i;

	if (!s->n)
		return 0;
	memcpy(v, s->ring, s->n * sizeof(v[0]));
	bvo_sort(v, s->n);
	i = (size_t)(q * (double)(s->n - 1) + 0.5);
	return v[i < s->n ? i : s->n - 1];
}
