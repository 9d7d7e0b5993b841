/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Per-interval counts of a snapshot's report: what happened on a member
 * since the previous accepted snapshot of the group, beside the
 * cumulative counts its record carries (docs/decisions.md, "Per-interval
 * counts"; docs/json-schema.md, report "interval").
 *
 * A member's record carries the bypass channel's counters as the module
 * keeps them: cumulative since the channel was created (the namespace
 * configured). The interval's count is this snapshot's minus the
 * previous accepted snapshot's (its baseline, beaverd/store.h). Pure
 * arithmetic, no I/O: unit-tested in tests/unit/test_interval.c.
 */
#ifndef BEAVERD_INTERVAL_H
#define BEAVERD_INTERVAL_H

#include <stdbool.h>
#include <stdint.h>

#include "records.h"

/* where a member's interval starts */
enum bvi_since {
	/* the previous accepted snapshot had its record: exact difference */
	BVI_PREVIOUS,
	/* no snapshot of the group was accepted before: since the member was
	 * configured (the counters' start); the count is the cumulative one */
	BVI_CONFIGURED,
	/* the counters restarted (module reloaded, namespace reconfigured:
	 * a counter went backwards, or the record's counters_since differs,
	 * base.restarted): counted from zero, i.e. since the reset, which is
	 * inside the interval; a lower bound of the interval's count */
	BVI_RESET,
	/* the previous accepted snapshot had no record of this member (it was
	 * down, or not configured then): the interval's count is unknown */
	BVI_ABSENT,
	/* a snapshot with a later epoch was accepted before this one (two
	 * ran at once, the later finished first): the baseline is after this
	 * cut, the previous one is gone; the interval's counts are unknown */
	BVI_OVERTAKEN,
};

/* the previous accepted snapshot's view of one member */
struct bvi_base {
	bool present;			/* it had a record of the member */
	bool has_pkts, has_bytes;	/* the counter was in its report */
	uint64_t pkts, bytes;		/* cumulative, at that cut */
	/* the unstamped packets (sent, received) of its record's cut */
	bool has_unstamped;
	uint64_t tx_unstamped, rx_unstamped;
	/* when its counters had last started (BEAVER_A_CUT_COUNTERS_SINCE) */
	bool has_since;
	uint64_t since_ns;
	/*
	 * set by the caller: the member's counters restarted since (its
	 * record's counters_since differs): BVI_RESET even when a counter
	 * grew back past its baseline
	 */
	bool restarted;
	/*
	 * that snapshot's record of it was flagged incomplete, tx_unstamped
	 * or rx_id_unread: its channels may be off by what it says, so the
	 * next snapshot may balance them over the interval (assemble.h)
	 */
	bool flagged;
};

/* one counter over the interval */
struct bvi_count {
	enum bvi_since since;
	bool pkts_known, bytes_known;	/* false: null in the report */
	uint64_t pkts, bytes;
};

/*
 * The interval's count of a cumulative counter now at (pkts, bytes).
 * first: no snapshot of the group was accepted before this one (base is
 * then ignored). base NULL or !present: BVI_ABSENT. A counter below its
 * baseline, or base->restarted: BVI_RESET, counted from zero (never
 * negative, never wrapped).
 * A baseline without the counter (a report before it): unknown.
 */
struct bvi_count bvi_count(bool first, const struct bvi_base *base,
			   uint64_t pkts, uint64_t bytes);

/*
 * Late packets that reached the member during the interval, as its
 * record lists them: the late entries (of every channel kind) that
 * arrived in an epoch after prev_epoch (0: no previous snapshot, every
 * entry) and not after epoch, in serial order. Saturates at UINT64_MAX.
 */
void bvi_late_arrived(const struct bvr_records *r, uint32_t prev_epoch,
		      uint32_t epoch, uint64_t *pkts, uint64_t *bytes);

/* "previous", "configured", "reset", "absent", "overtaken" */
const char *bvi_since_name(enum bvi_since s);

#endif /* BEAVERD_INTERVAL_H */
