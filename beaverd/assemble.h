/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Assembly of a global snapshot from the members' local records, and its
 * verification report (schema "beaver-report/1", docs/json-schema.md).
 * Pure: records in, JSON out.
 *
 * The per-channel balance check: for every ordered pair of members (A, B),
 * what A sent to B before A's cut equals what B received from A before
 * B's cut plus what was in flight on that channel (stamped before A's cut,
 * arrived after B's). Packets that arrived after B's record was complete
 * are late: B reports them in later records as late entries naming the
 * snapshots they were late for, and the coordinator amends those
 * snapshots' reports (bvx_amend). Packets lost on the wire are missing.
 * A channel balances when sent = received + in flight + late exactly; a
 * report is made with late 0 on every channel.
 *
 * A member may have data addresses of both families. The module keeps a
 * channel per peer address, so A -> B over IPv4 and A -> B over IPv6 are
 * two channels, each balanced by itself: A's channels towards B's
 * addresses of one family against B's channels from A's addresses of that
 * family. An IPv6 channel carries "family": "ipv6" in the report; an IPv4
 * one has no such key (reports as they always were).
 *
 * Counters restart (a member's module reloaded, its namespace flushed or
 * given a new role or group) while its peers' go on: after B restarts,
 * A's sent towards B still counts what B's received no longer does, and
 * the cumulative sums never meet again. So a channel balances against
 * an offset, its imbalance at its origin (sent - received - inflight -
 * late, "imbalance" in the report): 0 from the configuration on; after a
 * restart of either end, that snapshot's imbalance. The snapshot in which
 * a restart shows cannot check the channel ("balanced": null, "check":
 * "reset"; "absent" when the previous accepted snapshot had no record of
 * an end); the next one checks it against the offset it set. A channel
 * whose imbalance equals the previous accepted snapshot's balances over
 * the interval ("check": "interval") and its offset moves there, but
 * only while the offset is not confirmed (no snapshot balanced by it
 * yet: one set by a restart) or when the previous snapshot's record of
 * an end was flagged incomplete, tx_unstamped or rx_id_unread (packets
 * it says went uncounted or unread): an offset taken from an
 * inconsistent snapshot, or a packet lost to no memory, costs one
 * unbalanced snapshot, never every later one; a constant error nothing
 * explains stays unbalanced in every snapshot (docs/decisions.md,
 * "Channels across a restart").
 */
#ifndef BEAVERD_ASSEMBLE_H
#define BEAVERD_ASSEMBLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <jansson.h>

#include "interval.h"
#include "records.h"

struct bvx_member {
	const char *node;
	const struct bv_ip *data;	/* data-plane addresses, one or more */
	size_t n_data;
	const struct bvr_records *rec;	/* merged; NULL if not collected */
	/*
	 * the previous accepted snapshot's view of it (interval.h); NULL:
	 * that snapshot had no record of it
	 */
	const struct bvi_base *base;
};

/*
 * the previous accepted snapshot of the group: id 0 if there is none;
 * overtaken: the newest accepted one has a later epoch than this
 * snapshot (it finished first), so this one's interval is unknown
 */
struct bvx_prev {
	int64_t id;
	uint32_t epoch;
	bool overtaken;
	/* its channels, sorted by bvx_chan_base_cmp; NULL when none */
	const struct bvx_chan_base *chans;
	size_t n_chans;
};

/* a channel of the previous accepted snapshot's report */
struct bvx_chan_base {
	const char *from, *to;
	bool v4;
	uint64_t sent, received;	/* cumulative at its cuts */
	/* sent - received - inflight - late, with the late packets known */
	int64_t imbalance;
	bool has_offset;		/* false: it could not be checked */
	int64_t offset;
	bool confirmed;			/* "offset_confirmed" */
	bool has_prev_imbalance;
	int64_t prev_imbalance;		/* the one before it */
	bool prev_flagged;		/* "previous_flagged" */
};

/* order of bvx_prev.chans: from, to, IPv4 first (bytewise names) */
int bvx_chan_base_cmp(const void *x, const void *y);

/*
 * The offset the next snapshot checks channel b against, and whether it
 * is confirmed: its offset if it balanced by it (confirmed) or was
 * unbalanced (as confirmed as it was), its imbalance if it balanced over
 * the interval (confirmed: two snapshots agree) or could not be checked
 * (not confirmed: the origin is set there).
 */
int64_t bvx_chan_next_offset(const struct bvx_chan_base *b, bool *confirmed);

struct bvx_summary {
	size_t missing;		/* members without a record */
	size_t incomplete;	/* records flagged incomplete */
	size_t channels;	/* directed member channels checked */
	size_t unbalanced;
	size_t unverifiable;	/* channels that could not be checked */
	uint64_t late;		/* late packets, all members */
	uint64_t bypass;	/* bypass packets before the cuts, all members */
	uint64_t bypass_bytes;
	size_t escapes;		/* members with an XDP program or packet socket */
	size_t rx_id_unread;	/* records whose cut is flagged rx_id_unread */
	/* since the previous accepted snapshot (report "interval") */
	uint64_t iv_bypass, iv_bypass_bytes;	/* members whose count is known */
	uint64_t iv_late, iv_late_bytes;	/* late packets that arrived */
	size_t iv_unknown;	/* present members whose bypass is unknown */
	size_t iv_reset;	/* present members whose counters went back */
	size_t iv_unstamped;	/* records flagged tx_unstamped */
	/* unstamped packets sent and received in the interval, summed over
	 * the members whose counts are known; iv_unstamped_unknown: not */
	uint64_t iv_tx_unstamped, iv_rx_unstamped;
	size_t iv_unstamped_unknown;
};

/*
 * Build the report. Never fails for bad data (it reports it); NULL only
 * when out of memory.
 */
json_t *bvx_report(uint32_t epoch, uint64_t tau_min_ns, uint64_t bound_ns,
		   const struct bvx_member *m, size_t n,
		   struct bvx_summary *sum);
/*
 * The same, with the per-interval counts since prev (NULL or id 0: no
 * snapshot of the group was accepted before; bvx_report is this with
 * NULL) taken against each member's base.
 */
json_t *bvx_report_since(uint32_t epoch, uint64_t tau_min_ns,
			 uint64_t bound_ns, const struct bvx_prev *prev,
			 const struct bvx_member *m, size_t n,
			 struct bvx_summary *sum);

/*
 * Amend a stored report (bvx_report's, possibly amended before) with one
 * late entry of node's record: node's "late" grows by l->pkts; for a
 * member channel (from: the node whose data address is l->peer, NULL if
 * none is known) the channel from -> node of l->peer's family gets
 * late/late_bytes added and
 * its balance recomputed (sent == received + inflight + late), created
 * if the report has no such channel; then the summary ("late",
 * "unbalanced_channels", "balanced") is recomputed. The caller applies
 * each entry once per report (dedup is its business). Counters saturate
 * at INT64_MAX. Returns 0, -EINVAL (not a report), -ENOENT (node is not
 * one of its members: nothing changed), -ENOMEM.
 */
int bvx_amend(json_t *rep, const char *node, const char *from,
	      const struct bvr_late *l);

#endif /* BEAVERD_ASSEMBLE_H */
