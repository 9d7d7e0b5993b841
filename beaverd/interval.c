// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Per-interval counts of a report. See interval.h.
 */
#include "interval.h"
#include "beaver_stamp.h"

struct bvi_count bvi_count(bool first, const struct bvi_base *base,
			   uint64_t pkts, uint64_t bytes)
{
	struct bvi_count c = { .since = BVI_PREVIOUS };

	if (first) {
		/* the counters start when the member is configured */
		c.since = BVI_CONFIGURED;
		c.pkts_known = c.bytes_known = true;
		c.pkts = pkts;
		c.bytes = bytes;
		return c;
	}
	if (!base || !base->present) {
		c.since = BVI_ABSENT;
		return c;
	}
	/*
	 * A counter that went backwards was reset between the two cuts: all
	 * it counts now happened after the reset, so inside the interval;
	 * what came between the previous cut and the reset is lost. Either
	 * counter going back means both restarted (they live together). A
	 * restart the record names (restarted) is one even when the counter
	 * has since grown past its baseline.
	 */
	if (base->restarted || (base->has_pkts && pkts < base->pkts) ||
	    (base->has_bytes && bytes < base->bytes)) {
		c.since = BVI_RESET;
		c.pkts_known = c.bytes_known = true;
		c.pkts = pkts;
		c.bytes = bytes;
		return c;
	}
	c.pkts_known = base->has_pkts;
	c.pkts = base->has_pkts ? pkts - base->pkts : 0;
	c.bytes_known = base->has_bytes;
	c.bytes = base->has_bytes ? bytes - base->bytes : 0;
	return c;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

void bvi_late_arrived(const struct bvr_records *r, uint32_t prev_epoch,
		      uint32_t epoch, uint64_t *pkts, uint64_t *bytes)
{
	*pkts = *bytes = 0;
	for (size_t i = 0; r && i < r->n_lates; i++) {
		const struct bvr_late *l = &r->lates[i];

		/* bv_epoch_after(x, 0) holds for every x but 0 */
		if (!bv_epoch_after(l->arrived, prev_epoch) ||
		    bv_epoch_after(l->arrived, epoch))
			continue;
		*pkts = sat_add(*pkts, l->pkts);
		*bytes = sat_add(*bytes, l->bytes);
	}
}

const char *bvi_since_name(enum bvi_since s)
{
	switch (s) {
	case BVI_PREVIOUS:
		return "previous";
	case BVI_CONFIGURED:
		return "configured";
	case BVI_RESET:
		return "reset";
	case BVI_ABSENT:
		return "absent";
	case BVI_OVERTAKEN:
		return "overtaken";
	}
	return "unknown";
}
