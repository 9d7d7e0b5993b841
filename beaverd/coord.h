/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The coordinator: runs snapshots (DESIGN §3).
 *
 * One snapshot, step by step:
 *  1. attempt: allocate a fresh epoch E (durably, before use); encode and
 *     MAC advance(E) for every gateway; t0 = now; send them all with one
 *     sendmmsg. While an attempt's window [t0, t1] is open, no other
 *     attempt starts and nothing else that can wait runs: store writes
 *     and other snapshots' steps are deferred (window.h);
 *  2. when the last gateway acknowledges: t1 = now; OGM decides
 *     (t1 - t0 < tau_min). A missing acknowledgement after ack_timeout or
 *     a gateway's error rejects too. A rejected attempt is retried with a
 *     fresh epoch, up to `retries` times; then the snapshot is rejected
 *     (bound) or failed (timeouts, errors);
 *  3. accepted: advance every member to E directly (quiet members cut
 *     too), retransmitting until each acknowledges;
 *  4. collect every member's record of E (chunked, repeated while a member
 *     answers "not complete yet"), within complete_timeout + collect_timeout;
 *  5. assemble the global snapshot and its report, store it with every
 *     record in one transaction (state accepted), release E on members.
 * Several snapshots may run at once, at most max_outstanding.
 */
#ifndef BEAVERD_COORD_H
#define BEAVERD_COORD_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "ogm.h"
#include "peer.h"
#include "store.h"

struct bvd_coord;

/* called once when a snapshot reaches a final state */
typedef void (*bvd_snap_done)(void *waiter, int64_t id);

struct bvd_coord *bvd_coord_new(const struct bvd_config *cfg,
				struct bvs *store, struct bvd_peer_io *io);
void bvd_coord_free(struct bvd_coord *c);

/*
 * Start a snapshot. Returns 0 and its id, -EBUSY if max_outstanding are
 * running, or another -errno (why says what). done(waiter, id) runs when
 * it ends (waiter may be NULL).
 */
int bvd_coord_snapshot(struct bvd_coord *c, bvd_snap_done done, void *waiter,
		       int64_t *id, char *why, size_t why_len);

/*
 * Retention: delete finished snapshots beyond the newest keep (0: no
 * limit) and older than days (0: no limit); bvd_coord calls it with the
 * [store] settings whenever a snapshot ends. Returns 0 or -errno.
 */
int bvd_coord_prune(struct bvd_coord *c, uint64_t keep, uint32_t days,
		    uint64_t *deleted);

/* forget a waiter (its client went away) */
void bvd_coord_forget_waiter(struct bvd_coord *c, void *waiter);

/* a reply from a gateway or member (authenticated with its own key) */
void bvd_coord_msg(struct bvd_coord *c, const struct bvw_msg *m);

/* figures for status */
size_t bvd_coord_outstanding(const struct bvd_coord *c);
const struct bvo_stats *bvd_coord_stats(const struct bvd_coord *c);

/* snapshots ended since start, by final state, and collection times */
struct bvd_coord_totals {
	uint64_t accepted, rejected, failed;
	uint64_t collect_sum_ns, collected;	/* accepted: t1 to stored */
};
const struct bvd_coord_totals *bvd_coord_totals(const struct bvd_coord *c);

/*
 * Reload (main.c): no snapshot and no calibration is running, so the
 * peers may change under the coordinator; then bvd_coord_reconfigure()
 * re-reads them from the configuration it was given (the same struct,
 * its contents replaced). Statistics, epochs and held epochs stay.
 */
bool bvd_coord_idle(const struct bvd_coord *c);
int bvd_coord_reconfigure(struct bvd_coord *c);

/*
 * Calibration: ping every peer count times; done(waiter, 0) runs when
 * every ping is answered and every peer reported its probe, or when the
 * timeout passed; results via bvd_coord_rtt. The control-plane round
 * trips are the coordinator's; probe_ns is the smallest data-plane round
 * trip a peer's own probe reported in a PONG (probe.h), 0 if none.
 */
int bvd_coord_calibrate(struct bvd_coord *c, unsigned int count,
			bvd_snap_done done, void *waiter);
struct bvd_rtt {
	const char *name;
	bool gateway;
	unsigned int answered;
	uint64_t min_ns, median_ns, max_ns;
	uint64_t probe_ns;
};
/* per-peer round-trip figures of the last calibration; returns the count */
size_t bvd_coord_rtt(const struct bvd_coord *c, struct bvd_rtt *out,
		     size_t max);

#endif /* BEAVERD_COORD_H */
