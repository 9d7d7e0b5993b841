/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * beaverd's storage: one SQLite database, WAL mode, under the state
 * directory (STATE_DIR/beaverd.db).
 *
 * The coordinator keeps its epoch counter, the snapshots with their
 * attempts, every member's record and the verification report. A member
 * keeps its local records (as collected from the module) until the
 * coordinator has them and releases them.
 *
 * Crash safety: every state change is one transaction. A snapshot's state
 * becomes 'accepted' only in the transaction that also stores its report
 * and all its member records, so no half-written snapshot can look
 * complete. On open, snapshots still 'pending'/'collecting' are marked
 * 'failed' with reason "coordinator restarted" (bvs_recover).
 *
 * Schema (version 6, in PRAGMA user_version; PRAGMA application_id is
 * 0x42565231, "BVR1"):
 *   meta(key TEXT PRIMARY KEY, value)            -- next_epoch, ...
 *   snapshots(id INTEGER PRIMARY KEY, state TEXT, reason TEXT,
 *             created_ns, finished_ns, epoch INTEGER,  -- the accepted one
 *             tau_min_ns, bound_ns, attempts INTEGER, report TEXT)
 *   attempts(snapshot_id, n, epoch, t0_ns, t1_ns, verdict TEXT, reason TEXT)
 *   member_records(snapshot_id, node TEXT, epoch, record TEXT,  -- JSON
 *                  PRIMARY KEY(snapshot_id, node))
 *   local_records(epoch INTEGER PRIMARY KEY, record TEXT, collected INTEGER)
 *   replay(sender INTEGER PRIMARY KEY, top INTEGER)   -- version 3
 *   late_entries(node TEXT, kind, peer BLOB, first, last, arrived,  -- v4
 *                pkts, bytes, snapshot_id,
 *                PRIMARY KEY(node, kind, peer, first, last, arrived))
 * Version 2 added attempts.acks; version 3 the replay table and the meta
 * key seq_floor; version 4 the late entries applied to reports; version 5
 * made late_entries.peer an address of either family: 16 bytes, as
 * lib/bvip.h keeps it (IPv4 mapped, so IPv4 peers sort as the INTEGER
 * of version 4 did); version 6 the baselines table (node TEXT PRIMARY
 * KEY, snapshot_id, epoch, bypass, bypass_bytes: bvs_baselines_get) with
 * the meta keys last_accepted and last_accepted_epoch, and gave failed
 * snapshots the epoch of the attempt OGM accepted. An older database is
 * upgraded on open, in one transaction.
 */
#ifndef BEAVERD_STORE_H
#define BEAVERD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bvip.h"
#include <stdlib.h>

struct bvs;

enum bvs_state {
	BVS_PENDING,	/* attempts under way */
	BVS_COLLECTING,	/* accepted by OGM, collecting member records */
	BVS_ACCEPTED,	/* complete: report and all records stored */
	BVS_REJECTED,	/* every attempt rejected by OGM (reason says why) */
	BVS_FAILED,	/* could not complete (timeout, peer down, restart) */
};

struct bvs_attempt {
	uint32_t n;		/* 1, 2, ... */
	uint32_t epoch;
	uint64_t t0_ns, t1_ns;	/* CLOCK_MONOTONIC of the coordinator */
	char verdict[16];	/* "accepted", "rejected", "timeout" */
	char reason[128];
	/*
	 * The gateways' acknowledgements of this attempt's advance: a JSON
	 * array (docs/json-schema.md, attempt object), NULL when not recorded
	 * (attempts stored by a beaverd before schema 2). Borrowed by
	 * bvs_attempt_add; allocated by bvs_attempts_get (bvs_attempts_free).
	 */
	char *acks;
};

struct bvs_snapshot {
	int64_t id;
	enum bvs_state state;
	char reason[256];
	uint64_t created_ns, finished_ns;	/* CLOCK_REALTIME */
	/*
	 * of the accepted attempt, 0 if none: set when OGM accepts it
	 * (bvs_attempt_add), so a snapshot that fails later keeps it
	 */
	uint32_t epoch;
	uint64_t tau_min_ns;
	uint64_t bound_ns;	/* t1 - t0 of the accepted (or last) attempt */
	uint32_t n_attempts;
};

/*
 * open (creating) STATE_DIR/beaverd.db (mode 0600; STATE_DIR is created
 * 0700 if missing); durable: synchronous=FULL. One process at a time: a
 * second bvs_open of the same directory fails with -EBUSY. A database of a
 * newer schema is refused (-EPROTONOSUPPORT).
 */
int bvs_open(const char *state_dir, bool durable, struct bvs **out,
	     char *why, size_t why_len);
void bvs_close(struct bvs *s);

/*
 * Every function below returns -errno (or NULL) on failure: -ENOENT (no
 * such snapshot/record), -EINVAL (bad argument, or a change a finished
 * snapshot does not allow), -EEXIST (a duplicate), -EBUSY, -EIO, -ENOSPC,
 * -ENOMEM, -EUCLEAN (a corrupt database). This is the why of the last
 * failure (valid until the next call on s).
 */
const char *bvs_errmsg(const struct bvs *s);

/* mark pending/collecting snapshots failed with reason "coordinator
 * restarted"; returns how many. The coordinator calls it once after
 * bvs_open, before it starts any snapshot. */
int bvs_recover(struct bvs *s);

/*
 * Allocate the next epoch, durably, before it is used: never returns the
 * same epoch twice, even across crashes. Skips 0 on wraparound. first is
 * used only when no epoch was ever allocated.
 */
int bvs_next_epoch(struct bvs *s, uint32_t first, uint32_t *epoch);
/*
 * Make sure the next epoch allocated is newer than @past (serial order;
 * durably): a gateway reported it, so some coordinator gave it out.
 * Does nothing if the counter is already past it.
 */
int bvs_epoch_raise(struct bvs *s, uint32_t past);

/* snapshots */
/*
 * States: PENDING and COLLECTING may change; ACCEPTED, REJECTED and FAILED
 * are final. ACCEPTED is reached only through bvs_snapshot_accept.
 */
int bvs_snapshot_new(struct bvs *s, uint64_t tau_min_ns, int64_t *id);
/* a->n 0 means "the next number"; also sets the snapshot's attempts count
 * and bound_ns (t1 - t0 of this, the last, attempt) */
int bvs_attempt_add(struct bvs *s, int64_t id, const struct bvs_attempt *a);
int bvs_snapshot_set_state(struct bvs *s, int64_t id, enum bvs_state st,
			   const char *reason);
/*
 * Finish an accepted snapshot in one transaction: the member records
 * (node names and JSON texts), the report (JSON), state ACCEPTED.
 */
int bvs_snapshot_accept(struct bvs *s, int64_t id, uint32_t epoch,
			uint64_t bound_ns, size_t n, const char *const *nodes,
			const char *const *records, const char *report);
/*
 * A late entry of a member's record (lib/records.h struct bvr_late) as the
 * coordinator applies it: node is the member whose record reported it.
 */
struct bvs_late {
	const char *node;
	uint8_t kind;
	struct bv_ip peer;
	uint32_t first, last, arrived;
	uint64_t pkts, bytes;
};

/*
 * Amend a report for one late entry: *report is malloc'd text, replaced
 * (freed) by the callback. Returns 0, -ENOMEM (the whole accept is
 * undone), or another -errno: this entry is left out of this report (the
 * callback says why in the log).
 */
typedef int (*bvs_amend_fn)(char **report, const struct bvs_late *l,
			    void *data);

/*
 * bvs_snapshot_accept, and in the same transaction the late entries its
 * records brought: an entry whose key (node, kind, peer, first, last,
 * arrived) is stored already is the same entry reported again and is
 * skipped; a new one is stored and amends the report of every accepted
 * snapshot whose epoch lies in first..last (serial order). Then this
 * snapshot's own report is amended with every stored entry naming its
 * epoch (entries that came before it was accepted). *amended (may be
 * NULL): how many report updates were made.
 */
int bvs_snapshot_accept_late(struct bvs *s, int64_t id, uint32_t epoch,
			     uint64_t bound_ns, size_t n,
			     const char *const *nodes,
			     const char *const *records, const char *report,
			     const struct bvs_late *lates, size_t n_lates,
			     bvs_amend_fn amend, void *data, size_t *amended);
int bvs_snapshot_get(struct bvs *s, int64_t id, struct bvs_snapshot *out);
/* newest first; at most max; returns the count or -errno */
int bvs_snapshot_list(struct bvs *s, struct bvs_snapshot *out, size_t max,
		      int64_t before_id);
int bvs_attempts_get(struct bvs *s, int64_t id, struct bvs_attempt *out,
		     size_t max);
/* frees what bvs_attempts_get (or bvj_attempt_from_json) allocated in
 * the first n attempts (inline: json.c uses it without the store) */
static inline void bvs_attempts_free(struct bvs_attempt *a, size_t n)
{
	for (size_t i = 0; a && i < n; i++) {
		free(a[i].acks);
		a[i].acks = NULL;
	}
}
/* malloc'd JSON text of the report / a member's record; NULL if none */
char *bvs_report_get(struct bvs *s, int64_t id);
char *bvs_member_record_get(struct bvs *s, int64_t id, const char *node);
/* node names of the records stored for a snapshot, sorted: a malloc'd
 * array of malloc'd names (free each, then the array); NULL if none */
int bvs_member_nodes(struct bvs *s, int64_t id, char ***nodes, size_t *n);

/* member side: local records; put replaces a record of the same epoch;
 * release deletes every epoch up to upto (serial-number order, RFC 1982)
 * and returns how many */
int bvs_local_put(struct bvs *s, uint32_t epoch, const char *record);
char *bvs_local_get(struct bvs *s, uint32_t epoch);
int bvs_local_release(struct bvs *s, uint32_t upto);

/*
 * control-plane replay state (peer.c): this node's seq floor (durable when
 * set: a seq below it may have been sent), and the newest seq accepted
 * from each sender (save keeps the larger of the stored and given top)
 */
int bvs_seq_floor_get(struct bvs *s, uint64_t *floor);
int bvs_seq_floor_set(struct bvs *s, uint64_t floor);
/* the same for the seqs of the gateway's module (beaverd/fastpath.h) */
int bvs_module_seq_floor_get(struct bvs *s, uint64_t *floor);
int bvs_module_seq_floor_set(struct bvs *s, uint64_t floor);
int bvs_replay_save(struct bvs *s, const uint32_t *senders,
		    const uint64_t *tops, size_t n);
int bvs_replay_load(struct bvs *s,
		    void (*cb)(uint32_t sender, uint64_t top, void *data),
		    void *data);

/*
 * The baselines of the per-interval counts (docs/decisions.md): what the
 * newest accepted snapshot (prev_id, epoch prev_epoch; 0: none was ever
 * accepted in this database) saw of each member it had a record of, from
 * its report's members[].bypass and .bypass_bytes. Kept apart from the
 * snapshots: retention does not take them. bvs_snapshot_accept replaces
 * them in its transaction.
 */
struct bvs_base {
	char *node;
	int64_t snapshot_id;
	uint32_t epoch;
	bool has_pkts, has_bytes;	/* false: not in that report */
	uint64_t bypass, bypass_bytes;	/* cumulative, at its cut */
	bool has_unstamped;		/* tx_ and rx_unstamped were in it */
	uint64_t tx_unstamped, rx_unstamped;
	bool has_since;			/* counters_since_ns was in it */
	uint64_t since_ns;
	/* its record was flagged incomplete, tx_unstamped or rx_id_unread */
	bool flagged;
};

/*
 * one channel of that snapshot's report, as amended by the time the
 * snapshot was accepted (beaverd/assemble.h): has_offset false when it
 * could not be checked ("offset" null)
 */
struct bvs_chan_base {
	char *from, *to;
	bool v4;
	uint64_t sent, received;
	int64_t imbalance;
	bool has_offset;
	int64_t offset;
	bool confirmed;
	bool has_prev_imbalance;
	int64_t prev_imbalance;
	bool prev_flagged;
};

struct bvs_baselines {
	int64_t prev_id;
	uint32_t prev_epoch;
	struct bvs_base *v;	/* sorted by node */
	size_t n;
	struct bvs_chan_base *chans;	/* in no order */
	size_t n_chans;
};

int bvs_baselines_get(struct bvs *s, struct bvs_baselines *b);
void bvs_baselines_free(struct bvs_baselines *b);

/*
 * Retention: delete finished snapshots (with their attempts, member
 * records and the late entries their records brought) beyond the newest keep (0: no count limit) and those created
 * (CLOCK_REALTIME) before before_ns (0: no age limit); running snapshots
 * stay. *deleted: how many snapshots went. Freed pages are reused, so the
 * database stops growing once retention holds.
 */
int bvs_prune(struct bvs *s, uint64_t keep, uint64_t before_ns,
	      uint64_t *deleted);

const char *bvs_state_name(enum bvs_state st);

#endif /* BEAVERD_STORE_H */
