// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The coordinator. See coord.h for the steps of a snapshot.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "assemble.h"
#include "beaver.h"
#include "beaver_stamp.h"
#include "coord.h"
#include "json.h"
#include "log.h"
#include "loop.h"
#include "window.h"

#define MS (1000000ull)
#define COLLECT_POLL_NS (20 * MS)	/* ask again for a record this often */
#define MEMBER_RESEND_NS (100 * MS)	/* retransmit member advances */
#define RESEND_MAX_NS (800 * MS)	/* a silent member's longest backoff */
#define PING_TIMEOUT_NS (2000 * MS)
#define MAX_HOLDS 64			/* accepted epochs held for late packets */

/*
 * PH_ANNOUNCE: the attempt's epoch is being named to members that may
 * know none (announce()), before any gateway hears of it.
 * PH_DECIDING: every acknowledgement is in (or the wait gave up), the
 * verdict waits for the store (window.h); PH_DONE: the end waits for it.
 */
enum phase {
	PH_ANNOUNCE, PH_GATEWAYS, PH_DECIDING, PH_MEMBERS, PH_COLLECT, PH_DONE
};

struct collect {
	char *buf;
	uint32_t total, got;
	bool done, have_total;
	/* the member's retransmission (advance, then collect): see due() */
	uint64_t next, backoff;
};

struct snap {
	struct snap *next;
	struct bvd_coord *c;
	int64_t id;
	unsigned int attempt;
	uint32_t epoch;
	enum phase phase;
	uint64_t t0, t1, bound, started;
	bool *acked;		/* per peer: gateway acked / member acked */
	bool *refused;
	struct bvj_ack *acks;	/* per peer: a gateway's ack of this attempt */
	size_t n_acked, n_refused;
	size_t n_announcing;	/* PH_ANNOUNCE: members yet to answer */
	struct collect *col;	/* per peer (members only) */
	size_t n_collected;
	long timer;
	uint64_t deadline;
	bool window;		/* this attempt's window is open */
	enum bvo_verdict last_verdict;
	char last_reason[128];
	enum bvs_state end_state;	/* PH_DONE: how it ends */
	char end_reason[300];
	bvd_snap_done done;
	void *waiter;
};

struct bvd_coord {
	const struct bvd_config *cfg;
	struct bvs *store;
	struct bvd_peer_io *io;
	struct bvd_peer_batch batch;	/* requests prepared, then sent at once */
	size_t n_gw, n_members;
	uint32_t *peer_id;	/* node id of each configured peer */
	uint32_t *by_id;	/* peer indices sorted by node id (peer_of) */
	/*
	 * per peer: this member was told an epoch since this coordinator
	 * started (an ANNOUNCE answered or timed out, or an advance it took);
	 * until then every attempt announces its epoch to it before t0
	 */
	bool *announced;
	struct snap *snaps;
	size_t outstanding;
	uint32_t newest;	/* the newest epoch any attempt was given */
	uint32_t released;	/* members were told to release up to this */
	/* accepted epochs members keep until `until` (late_hold_ms), oldest first */
	struct {
		uint32_t epoch;
		uint64_t until;
	} holds[MAX_HOLDS];
	size_t n_holds;
	long hold_timer;
	struct bvo_stats stats;
	struct bvd_coord_totals totals;
	/* calibration */
	struct {
		uint64_t nonce_base;
		unsigned int count;
		uint64_t *sent_ns;	/* [peer][i] */
		uint64_t *rtt;		/* [peer][i], 0 = no answer */
		uint64_t *probe;	/* [peer]: its data-plane probe, 0 = none */
		size_t n_rtt, n_probed;	/* slots answered, peers with a probe */
		long timer;
		bvd_snap_done done;
		void *waiter;
		bool running;
	} cal;
};

static const struct bvd_peer_conf *peer(const struct bvd_coord *c, size_t i)
{
	return &c->cfg->peers[i];
}

static const struct bvd_coord *sorting;	/* for cmp_id */

static int cmp_id(const void *a, const void *b)
{
	uint32_t x = sorting->peer_id[*(const uint32_t *)a];
	uint32_t y = sorting->peer_id[*(const uint32_t *)b];

	return x < y ? -1 : x > y;
}

/*
 * The node ids and counts of cfg's peers, their index sorted by node id
 * (peer_of) and a send batch with room for all of them: at start and on a
 * reload (when no snapshot is running, bvd_coord_reconfigure()). On
 * failure nothing changed.
 */
static int take_peers(struct bvd_coord *c)
{
	const struct bvd_config *cfg = c->cfg;
	size_t n = cfg->n_peers ? cfg->n_peers : 1;
	uint32_t *ids = calloc(n, sizeof(*ids));
	uint32_t *by_id = calloc(n, sizeof(*by_id));
	bool *announced = calloc(n, sizeof(*announced));
	struct bvd_peer_batch batch;

	if (!ids || !by_id || !announced ||
	    bvd_peer_batch_init(&batch, cfg->n_peers)) {
		free(ids);
		free(by_id);
		free(announced);
		return -ENOMEM;
	}
	free(c->peer_id);
	free(c->by_id);
	free(c->announced);
	bvd_peer_batch_free(&c->batch);
	c->peer_id = ids;
	c->by_id = by_id;
	c->announced = announced;
	c->batch = batch;
	c->n_gw = c->n_members = 0;
	for (size_t i = 0; i < cfg->n_peers; i++) {
		c->peer_id[i] = bvw_node_id(cfg->peers[i].name);
		c->by_id[i] = (uint32_t)i;
		if (cfg->peers[i].gateway)
			c->n_gw++;
		else
			c->n_members++;
	}
	sorting = c;
	qsort(c->by_id, cfg->n_peers, sizeof(*c->by_id), cmp_id);
	sorting = NULL;
	return 0;
}

struct bvd_coord *bvd_coord_new(const struct bvd_config *cfg,
				struct bvs *store, struct bvd_peer_io *io)
{
	struct bvd_coord *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->cfg = cfg;
	c->store = store;
	c->io = io;
	if (take_peers(c)) {
		free(c);
		return NULL;
	}
	return c;
}

static void snap_free(struct snap *s)
{
	bvd_window_forget(s);
	if (s->window)
		bvd_window_close();
	if (s->timer > 0)
		bvl_cancel(s->timer);
	if (s->col)
		for (size_t i = 0; i < s->c->cfg->n_peers; i++)
			free(s->col[i].buf);
	free(s->col);
	free(s->acked);
	free(s->refused);
	free(s->acks);
	free(s);
}

void bvd_coord_free(struct bvd_coord *c)
{
	if (!c)
		return;
	while (c->snaps) {
		struct snap *s = c->snaps;

		c->snaps = s->next;
		snap_free(s);
	}
	if (c->cal.timer > 0)
		bvl_cancel(c->cal.timer);
	if (c->hold_timer > 0)
		bvl_cancel(c->hold_timer);
	bvd_window_forget(c);
	bvd_peer_batch_free(&c->batch);
	free(c->cal.sent_ns);
	free(c->cal.rtt);
	free(c->cal.probe);
	free(c->peer_id);
	free(c->by_id);
	free(c->announced);
	free(c);
}

static void set_timer(struct snap *s, uint64_t delay, bvl_timer_cb cb)
{
	if (s->timer > 0)
		bvl_cancel(s->timer);
	s->timer = bvl_timer(delay, cb, s);
}

/* queue one request to peer i in the batch; a failure is only logged
 * (the requests that need an answer are retransmitted) */
static void prepare(struct bvd_coord *c, size_t i, struct bvw_msg *m)
{
	m->recipient = c->peer_id[i];
	if (bvd_peer_prepare(c->io, &c->batch, m))
		bvd_debug("%s to %s: cannot prepare it",
			  m->type == BVW_ADVANCE ? "advance" : "request",
			  peer(c, i)->name);
}

static void flush(struct bvd_coord *c)
{
	if (c->batch.n && bvd_peer_flush(c->io, &c->batch) < 0)
		bvd_debug("a batch of %zu requests: send failed", c->batch.n);
}

static void release_unneeded(struct bvd_coord *c);

static void release_later(void *data)
{
	release_unneeded(data);
}

static void hold_expired(void *data)
{
	struct bvd_coord *c = data;

	c->hold_timer = 0;
	bvd_window_defer(release_later, c);
}

/*
 * Members may drop their records up to the epoch just before the oldest
 * one a running snapshot may still collect: releasing an accepted
 * snapshot's epoch alone would free what an older one, still collecting,
 * needs (the records of every epoch up to E go at once). Nor an accepted
 * epoch held by late_hold_ms (not needed for late packets: a member counts
 * a straggler late for an epoch it released too); when the hold ends, a
 * timer releases what it kept. Called whenever a snapshot ends, in any
 * state: rejected and failed attempts leave records too. The datagram
 * may be lost; the next release covers it.
 */
static void release_unneeded(struct bvd_coord *c)
{
	uint32_t upto = c->newest;
	uint64_t now = bvl_now(), next = 0;
	size_t k = 0;

	for (const struct snap *o = c->snaps; o; o = o->next)
		if (o->epoch && !bv_epoch_after(o->epoch, upto))
			upto = bv_epoch_prev(o->epoch);
	for (size_t i = 0; i < c->n_holds; i++) {
		if (c->holds[i].until <= now)
			continue;	/* over: forget it */
		c->holds[k++] = c->holds[i];
		if (!bv_epoch_after(c->holds[i].epoch, upto))
			upto = bv_epoch_prev(c->holds[i].epoch);
		if (!next || c->holds[i].until < next)
			next = c->holds[i].until;
	}
	c->n_holds = k;
	if (c->hold_timer > 0)
		bvl_cancel(c->hold_timer);
	c->hold_timer = next ? bvl_timer(next - now, hold_expired, c) : 0;
	if (!upto || !bv_epoch_after(upto, c->released))
		return;
	c->released = upto;
	for (size_t i = 0; i < c->cfg->n_peers; i++) {
		struct bvw_msg m = { .type = BVW_RELEASE, .epoch = upto };

		if (!peer(c, i)->gateway)
			prepare(c, i, &m);
	}
	flush(c);
}

/* an accepted epoch members keep late_hold_ms after its snapshot ended */
static void hold_epoch(struct bvd_coord *c, uint32_t epoch)
{
	if (!c->cfg->late_hold_ms)
		return;
	if (c->n_holds == MAX_HOLDS) {
		/* the oldest hold ends early: a bound on what is kept */
		memmove(&c->holds[0], &c->holds[1],
			(MAX_HOLDS - 1) * sizeof(c->holds[0]));
		c->n_holds--;
	}
	c->holds[c->n_holds].epoch = epoch;
	c->holds[c->n_holds].until = bvl_now() +
				     (uint64_t)c->cfg->late_hold_ms * MS;
	c->n_holds++;
}

int bvd_coord_prune(struct bvd_coord *c, uint64_t keep, uint32_t days,
		    uint64_t *deleted)
{
	uint64_t before = 0, now = bvl_realtime();

	if (days && now > (uint64_t)days * 86400u * 1000000000u)
		before = now - (uint64_t)days * 86400u * 1000000000u;
	return bvs_prune(c->store, keep, before, deleted);
}

/* the snapshot reached a final state: store it, unlink, tell the waiter,
 * free (deferred: snap_end) */
static void snap_end_now(void *data)
{
	struct snap *s = data;
	struct bvd_coord *c = s->c;
	enum bvs_state st = s->end_state;
	const char *reason = s->end_reason;
	struct snap **pp;

	if (st != BVS_ACCEPTED &&
	    bvs_snapshot_set_state(c->store, s->id, st, reason))
		bvd_err("snapshot %lld: cannot store its state",
			(long long)s->id);
	if (st == BVS_ACCEPTED)
		bvd_info("snapshot %lld accepted: epoch %u, t1 - t0 = %llu ns",
			 (long long)s->id, s->epoch,
			 (unsigned long long)s->bound);
	else
		bvd_warn("snapshot %lld %s: %s", (long long)s->id,
			 bvs_state_name(st), reason);
	for (pp = &c->snaps; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	c->outstanding--;
	if (st == BVS_ACCEPTED) {
		c->totals.accepted++;
		c->totals.collect_sum_ns += bvl_now() - s->t1;
		c->totals.collected++;
	} else if (st == BVS_REJECTED) {
		c->totals.rejected++;
	} else {
		c->totals.failed++;
	}
	if (st == BVS_ACCEPTED)
		hold_epoch(c, s->epoch);
	release_unneeded(c);
	/* retention ([store]): what is past it goes with every snapshot's end */
	{
		uint64_t n = 0;

		if (bvd_coord_prune(c, c->cfg->keep_snapshots,
				    c->cfg->keep_days, &n))
			bvd_warn("retention: %s", bvs_errmsg(c->store));
		else if (n)
			bvd_debug("retention: %llu snapshot(s) pruned",
				  (unsigned long long)n);
	}
	if (s->done)
		s->done(s->waiter, s->id);
	snap_free(s);
}

/*
 * The snapshot ends in state st: from now on nothing it receives counts;
 * storing the end, the releases and retention wait until no OGM window is
 * open (window.h).
 */
static void snap_end(struct snap *s, enum bvs_state st, const char *reason)
{
	if (s->timer > 0)
		bvl_cancel(s->timer);
	s->timer = 0;
	if (s->window) {
		s->window = false;
		bvd_window_close();
	}
	s->phase = PH_DONE;
	s->end_state = st;
	snprintf(s->end_reason, sizeof(s->end_reason), "%s",
		 reason ? reason : "");
	bvd_window_defer(snap_end_now, s);
}

static void prepare_advance(struct snap *s, size_t i)
{
	struct bvw_msg m = {
		.type = BVW_ADVANCE, .epoch = s->epoch,
		.role = peer(s->c, i)->gateway ? BVW_ROLE_GATEWAY :
						 BVW_ROLE_MEMBER,
	};

	prepare(s->c, i, &m);
}

static void gw_timeout(void *data);
static void advance_gateways_now(void *data);

/*
 * The members that may know no epoch (none told one since this
 * coordinator started) hear this attempt's epoch first, without cutting:
 * a member's module reads a stamp in the IPv4 ID only next to an epoch it
 * knows, and one that reads none delivers the gateways' first stamps of
 * the epoch before its cut (docs/decisions.md, "A member's first
 * snapshot"). One round trip, before t0, once per member; an answer that
 * does not come within ack_timeout_ms is not waited for again (that
 * member's cut is flagged rx_id_unread if it mattered, and the snapshot
 * unverified).
 */
static size_t announce(struct snap *s)
{
	struct bvd_coord *c = s->c;
	size_t n = 0;

	for (size_t i = 0; i < c->cfg->n_peers; i++) {
		struct bvw_msg m = { .type = BVW_ANNOUNCE, .epoch = s->epoch };

		/* (acked: nothing to wait for, nor to count, from this one) */
		if (peer(c, i)->gateway || c->announced[i]) {
			s->acked[i] = true;
			continue;
		}
		prepare(c, i, &m);
		n++;
	}
	flush(c);
	return n;
}

static void announce_timeout(void *data)
{
	struct snap *s = data;
	struct bvd_coord *c = s->c;

	s->timer = 0;
	if (s->phase != PH_ANNOUNCE)
		return;
	for (size_t i = 0; i < c->cfg->n_peers; i++)
		if (!s->acked[i]) {
			bvd_warn("member %s did not answer the announcement of epoch %u: its first cut may be flagged rx_id_unread",
				 peer(c, i)->name, s->epoch);
			c->announced[i] = true;
		}
	bvd_window_defer(advance_gateways_now, s);
}

static void on_announce_ack(struct bvd_coord *c, struct snap *s, size_t i,
			    const struct bvw_msg *m)
{
	if (s->phase != PH_ANNOUNCE || s->acked[i])
		return;		/* not asked, a duplicate, or too late */
	if (m->err)
		bvd_warn("member %s refused the announcement of epoch %u (%s): its first cut may be flagged rx_id_unread",
			 peer(c, i)->name, s->epoch, strerror(-m->err));
	s->acked[i] = true;
	c->announced[i] = true;
	if (--s->n_announcing == 0) {
		if (s->timer > 0)
			bvl_cancel(s->timer);
		s->timer = 0;
		bvd_window_defer(advance_gateways_now, s);
	}
}

/*
 * An attempt: a fresh epoch (durably: an fsync), announced to members
 * that may know none (above), then every gateway's advance encoded and
 * MACed, and only then t0, and the advances leave together in one
 * sendmmsg. That part runs when no other window is open (deferred), so
 * attempts' windows never overlap: each one's bound holds its own round
 * trip, not another attempt's sends and acknowledgements.
 */
/* a fresh epoch for the attempt (durably), or the snapshot fails */
static bool take_epoch(struct snap *s)
{
	struct bvd_coord *c = s->c;
	char why[128];
	int err;

	err = bvs_next_epoch(c->store, c->cfg->first_epoch, &s->epoch);
	if (err) {
		snprintf(why, sizeof(why), "cannot allocate an epoch: %s",
			 strerror(-err));
		snap_end(s, BVS_FAILED, why);
		return false;
	}
	c->newest = s->epoch;
	return true;
}

static void start_attempt_now(void *data)
{
	struct snap *s = data;
	struct bvd_coord *c = s->c;

	if (s->phase == PH_DONE)
		return;

	s->attempt++;
	if (!take_epoch(s))
		return;
	s->phase = PH_ANNOUNCE;
	memset(s->acked, 0, c->cfg->n_peers * sizeof(bool));
	s->n_announcing = announce(s);
	if (s->n_announcing) {
		set_timer(s, (uint64_t)c->cfg->ack_timeout_ms * MS,
			  announce_timeout);
		return;
	}
	advance_gateways_now(s);
}

static void advance_gateways_now(void *data)
{
	struct snap *s = data;
	struct bvd_coord *c = s->c;

	if (s->phase != PH_ANNOUNCE)
		return;
	/*
	 * Another attempt took a newer epoch while this one's announcements
	 * were out: a fresh one, so that this attempt's epoch is again the
	 * newest given out at its t0 (ack_proves_switch() counts a gateway
	 * past E as proof only for epochs given out after t0). The members
	 * read IDs next to the announced one, a few epochs back: enough.
	 */
	if (s->epoch != c->newest && !take_epoch(s))
		return;
	s->phase = PH_GATEWAYS;
	memset(s->acked, 0, c->cfg->n_peers * sizeof(bool));
	memset(s->refused, 0, c->cfg->n_peers * sizeof(bool));
	memset(s->acks, 0, c->cfg->n_peers * sizeof(*s->acks));
	s->n_acked = 0;
	s->n_refused = 0;
	set_timer(s, (uint64_t)c->cfg->ack_timeout_ms * MS, gw_timeout);
	for (size_t i = 0; i < c->cfg->n_peers; i++)
		if (peer(c, i)->gateway)
			prepare_advance(s, i);
	s->window = true;
	bvd_window_open(c->io->fd);
	/* t0: just before the advances leave */
	s->t0 = bvl_now();
	flush(c);
}

static void start_attempt(struct snap *s)
{
	bvd_window_defer(start_attempt_now, s);
}

static void members_resend_now(void *data);
static void retry_reset_all(struct snap *s);

/*
 * Does gateway i's acknowledgement prove that it began marking this
 * attempt's epoch E (or a later one) inside [t0, t1]? Yes if it moved from
 * an older epoch to E; or if it was already at an epoch N past E that this
 * coordinator gave out, since every such N was given out after t0 (an
 * advance that overtook this one; attempts' windows no longer overlap
 * (window.h), so only a datagram held up on the way past its attempt's
 * end gets there, but the rule holds whatever the order). A gateway at E
 * without moving, or past every epoch given out here, got there by another
 * coordinator or an older database: its switch may precede t0.
 */
static bool ack_proves_switch(const struct snap *s, size_t i)
{
	const struct bvj_ack *k = &s->acks[i];

	if (k->err)
		return true;	/* a refusal, counted as such */
	if (k->advanced)
		return k->now == s->epoch && bv_epoch_before(k->prev, s->epoch);
	return bv_epoch_after(k->now, s->epoch) &&
	       !bv_epoch_after(k->now, s->c->newest);
}

/* a sysadmin needs to know which gateway: name the first one concerned */
static void name_gateway(struct snap *s, enum bvo_verdict v, char *reason,
			 size_t len)
{
	char tmp[BVD_NAME_MAX + 256], what[64];

	for (size_t i = 0; i < s->c->cfg->n_peers; i++) {
		if (!peer(s->c, i)->gateway)
			continue;
		if (v == BVO_REJECT_TIMEOUT && !s->acked[i])
			snprintf(what, sizeof(what), "did not acknowledge");
		else if (v == BVO_REJECT_REFUSED && s->refused[i])
			snprintf(what, sizeof(what), "refused");
		else if (v == BVO_REJECT_STALE && s->acked[i] &&
			 !ack_proves_switch(s, i))
			snprintf(what, sizeof(what), "was already at epoch %u at",
				 s->acks[i].now);
		else
			continue;
		snprintf(tmp, sizeof(tmp), "gateway %s %s advance %u (%.100s)",
			 peer(s->c, i)->name, what, s->epoch, reason);
		/* the reason column is bounded; keep its head */
		snprintf(reason, len, "%.*s", (int)(len - 1), tmp);
		return;
	}
}

/*
 * What every gateway answered in this attempt, in configuration order:
 * the evidence behind the verdict, kept with it (NULL if out of memory:
 * the attempt is stored without it, as "not recorded").
 */
static char *acks_text(const struct snap *s)
{
	const struct bvd_coord *c = s->c;
	struct bvj_ack *v = calloc(c->n_gw + 1, sizeof(*v));
	size_t n = 0;
	char *text;

	if (!v)
		return NULL;
	for (size_t i = 0; i < c->cfg->n_peers; i++)
		if (peer(c, i)->gateway && s->acked[i])
			v[n++] = s->acks[i];
	text = bvj_acks_dumps(v, n);
	free(v);
	return text;
}

/*
 * The verdict and what follows it; the attempt's window is closed, and
 * storing waits until no other one is open (decide defers this).
 */
static void decide_now(void *data)
{
	struct snap *s = data;
	struct bvd_coord *c = s->c;
	struct bvs_attempt a = { .n = s->attempt, .epoch = s->epoch,
				 .t0_ns = s->t0 };
	bool all_acked = s->n_acked == c->n_gw;
	uint64_t t1 = s->t1;
	uint32_t past = 0;
	size_t n_stale = 0;
	enum bvo_verdict v;

	if (s->phase != PH_DECIDING)
		return;

	for (size_t i = 0; i < c->cfg->n_peers; i++) {
		if (!peer(c, i)->gateway || !s->acked[i] ||
		    ack_proves_switch(s, i))
			continue;
		n_stale++;
		if (!past || bv_epoch_after(s->acks[i].now, past))
			past = s->acks[i].now;
	}
	/* the next attempt's epoch comes after whatever a gateway holds */
	if (past && bvs_epoch_raise(c->store, past))
		bvd_err("snapshot %lld: cannot move the epoch counter past %u: %s",
			(long long)s->id, past, bvs_errmsg(c->store));

	/* an attempt's t1 is 0 when an acknowledgement is missing: no bound
	 * was measured (docs/json-schema.md: bound_ns null) */
	a.t1_ns = all_acked ? t1 : 0;
	a.acks = acks_text(s);
	s->bound = t1 - s->t0;
	v = bvo_decide(s->t0, t1, c->cfg->tau_min_ns, s->n_acked,
		       s->n_refused, n_stale, c->n_gw, a.reason,
		       sizeof(a.reason));
	if (v == BVO_REJECT_TIMEOUT || v == BVO_REJECT_REFUSED ||
	    v == BVO_REJECT_STALE)
		name_gateway(s, v, a.reason, sizeof(a.reason));
	snprintf(a.verdict, sizeof(a.verdict), "%s", bvo_verdict_name(v));
	bvo_stats_add(&c->stats, v, s->bound);
	if (bvs_attempt_add(c->store, s->id, &a))
		bvd_err("snapshot %lld: cannot store attempt %u",
			(long long)s->id, s->attempt);
	free(a.acks);
	s->last_verdict = v;
	snprintf(s->last_reason, sizeof(s->last_reason), "%s", a.reason);

	if (v != BVO_ACCEPT) {
		bvd_info("snapshot %lld attempt %u (epoch %u) %s: %s",
			 (long long)s->id, s->attempt, s->epoch,
			 bvo_verdict_name(v), a.reason);
		if (s->attempt <= c->cfg->retries) {
			start_attempt(s);
			return;
		}
		snap_end(s, v == BVO_REJECT_BOUND ? BVS_REJECTED : BVS_FAILED,
			 a.reason);
		return;
	}
	/* accepted: every gateway marks E; now every member cuts for E */
	s->phase = PH_MEMBERS;
	retry_reset_all(s);
	memset(s->acked, 0, c->cfg->n_peers * sizeof(bool));
	s->n_acked = 0;
	s->deadline = bvl_now() + (uint64_t)(c->cfg->complete_timeout_ms +
					     c->cfg->collect_timeout_ms) * MS;
	if (bvs_snapshot_set_state(c->store, s->id, BVS_COLLECTING, NULL))
		bvd_err("snapshot %lld: cannot store its state",
			(long long)s->id);
	members_resend_now(s);
}

/* the attempt's window closes: t1 is in (or the wait gave up) */
static void decide(struct snap *s)
{
	if (s->n_acked != s->c->n_gw)
		s->t1 = bvl_now();
	if (s->timer > 0)
		bvl_cancel(s->timer);
	s->timer = 0;
	s->phase = PH_DECIDING;
	if (s->window) {
		s->window = false;
		bvd_window_close();
	}
	bvd_window_defer(decide_now, s);
}

static void gw_timeout(void *data)
{
	struct snap *s = data;

	s->timer = 0;
	decide(s);
}

static const char *first_missing(struct snap *s, bool collect)
{
	for (size_t i = 0; i < s->c->cfg->n_peers; i++) {
		if (peer(s->c, i)->gateway)
			continue;
		if (collect ? !s->col[i].done : !s->acked[i])
			return peer(s->c, i)->name;
	}
	return "?";
}

static void collect_poll(void *data);

static void members_resend(void *data)
{
	struct snap *s = data;

	s->timer = 0;
	bvd_window_defer(members_resend_now, s);
}

/*
 * Is a request to this member due? Once asked, a member is asked again
 * only after `backoff` without an answer, and the backoff doubles up to
 * RESEND_MAX_NS; an answer resets it (retry_reset). Without it, a fleet
 * slower to answer than the poll interval (a thousand members) is asked
 * everything again at every poll: the datagrams, and the coordinator's
 * work, grow with members times collection time, quadratic in the
 * members.
 */
static bool due(struct collect *col, uint64_t now, uint64_t first)
{
	if (now < col->next)
		return false;
	col->backoff = col->backoff ? col->backoff * 2 : first;
	if (col->backoff > RESEND_MAX_NS)
		col->backoff = RESEND_MAX_NS;
	col->next = now + col->backoff;
	return true;
}

/* it answered: the next request is due at the next poll */
static void retry_reset(struct collect *col)
{
	col->next = 0;
	col->backoff = 0;
}

static void retry_reset_all(struct snap *s)
{
	for (size_t i = 0; i < s->c->cfg->n_peers; i++)
		retry_reset(&s->col[i]);
}

/* advance every member that has not acknowledged, again until it does */
static void members_resend_now(void *data)
{
	struct snap *s = data;
	char why[160];

	if (s->phase != PH_MEMBERS)
		return;		/* it ended meanwhile */
	if (bvl_now() > s->deadline) {
		snprintf(why, sizeof(why), "member %s did not acknowledge advance %u",
			 first_missing(s, false), s->epoch);
		snap_end(s, BVS_FAILED, why);
		return;
	}
	for (size_t i = 0; i < s->c->cfg->n_peers; i++)
		if (!peer(s->c, i)->gateway && !s->acked[i] &&
		    due(&s->col[i], bvl_now(), MEMBER_RESEND_NS))
			prepare_advance(s, i);
	flush(s->c);
	set_timer(s, MEMBER_RESEND_NS, members_resend);
}

/* the member one of whose data-plane addresses is addr, or NULL */
static const char *member_at(const struct bvd_coord *c,
			     const struct bv_ip *addr)
{
	for (size_t i = 0; i < c->cfg->n_peers; i++) {
		const struct bvd_peer_conf *p = peer(c, i);

		for (size_t d = 0; !p->gateway && d < p->n_data; d++)
			if (bv_ip_eq(&p->data[d], addr))
				return p->name;
	}
	return NULL;
}

/* bvs_amend_fn: one late entry into one stored report (assemble.c) */
static int amend_report(char **report, const struct bvs_late *l, void *data)
{
	const struct bvd_coord *c = data;
	struct bvr_late e = { .kind = l->kind, .peer = l->peer,
			      .first = l->first, .last = l->last,
			      .arrived = l->arrived, .pkts = l->pkts,
			      .bytes = l->bytes };
	const char *from = member_at(c, &l->peer);
	json_t *rep = json_loads(*report, 0, NULL);
	char *text;
	int err;

	if (!rep)
		return -EBADMSG;	/* not ours to repair: left as it is */
	err = bvx_amend(rep, l->node, from, &e);
	if (err == -ENOENT)
		bvd_warn("late packets from %s's record: %s is not a member of "
			 "snapshot epoch %u's report", l->node, l->node,
			 (unsigned int)json_integer_value(
				 json_object_get(rep, "epoch")));
	text = err ? NULL : json_dumps(rep, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(rep);
	if (err)
		return err;
	if (!text)
		return -ENOMEM;
	free(*report);
	*report = text;
	return 0;
}

/*
 * The late entries of the collected records, for the store; node names
 * point into the configuration. A member's entry of another kind than
 * member, or from an address no member has, counts on the member only.
 */
static struct bvs_late *lates_of(const struct bvx_member *mem, size_t n,
				 size_t *count)
{
	struct bvs_late *v;
	size_t k = 0, total = 0;

	for (size_t i = 0; i < n; i++)
		total += mem[i].rec->n_lates;
	v = calloc(total + 1, sizeof(*v));
	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < mem[i].rec->n_lates; j++) {
			const struct bvr_late *l = &mem[i].rec->lates[j];

			v[k++] = (struct bvs_late){
				.node = mem[i].node, .kind = l->kind,
				.peer = l->peer, .first = l->first,
				.last = l->last, .arrived = l->arrived,
				.pkts = l->pkts, .bytes = l->bytes,
			};
		}
	}
	*count = k;
	return v;
}

static int cmp_base(const void *key, const void *elem)
{
	return strcmp(key, ((const struct bvs_base *)elem)->node);
}

/*
 * node's view in the previous accepted snapshot, into *out; NULL if it
 * had no record there. The baselines are sorted by node (bytewise, as
 * strcmp), so a thousand members cost a thousand binary searches.
 */
static const struct bvi_base *base_of(const struct bvs_baselines *b,
				      const char *node, struct bvi_base *out)
{
	const struct bvs_base *v = b->n ? bsearch(node, b->v, b->n,
						  sizeof(*b->v), cmp_base) :
					  NULL;

	if (!v)
		return NULL;
	*out = (struct bvi_base){
		.present = true,
		.has_pkts = v->has_pkts,
		.has_bytes = v->has_bytes,
		.pkts = v->bypass,
		.bytes = v->bypass_bytes,
		.has_unstamped = v->has_unstamped,
		.tx_unstamped = v->tx_unstamped,
		.rx_unstamped = v->rx_unstamped,
		.has_since = v->has_since,
		.since_ns = v->since_ns,
		.flagged = v->flagged,
	};
	return out;
}

/*
 * The previous accepted snapshot's channels for assemble.h (names point
 * into b), sorted, with the late packets these records bring for it
 * taken off their imbalance: sent before its cuts, never received by
 * them, they are what its report is amended with when this snapshot is
 * stored, after this report is made. NULL when out of memory.
 */
static struct bvx_chan_base *chan_bases(const struct bvd_coord *c,
					const struct bvs_baselines *b,
					const struct bvx_member *mem, size_t n,
					uint32_t prev_epoch)
{
	struct bvx_chan_base *v = calloc(b->n_chans + 1, sizeof(*v));

	if (!v)
		return NULL;
	for (size_t i = 0; i < b->n_chans; i++) {
		const struct bvs_chan_base *e = &b->chans[i];

		v[i] = (struct bvx_chan_base){
			.from = e->from, .to = e->to, .v4 = e->v4,
			.sent = e->sent, .received = e->received,
			.imbalance = e->imbalance,
			.has_offset = e->has_offset, .offset = e->offset,
			.confirmed = e->confirmed,
			.has_prev_imbalance = e->has_prev_imbalance,
			.prev_imbalance = e->prev_imbalance,
			.prev_flagged = e->prev_flagged,
		};
	}
	qsort(v, b->n_chans, sizeof(*v), bvx_chan_base_cmp);
	for (size_t i = 0; prev_epoch && i < n; i++) {
		for (size_t j = 0; j < mem[i].rec->n_lates; j++) {
			const struct bvr_late *l = &mem[i].rec->lates[j];
			struct bvx_chan_base key = {
				.from = member_at(c, &l->peer),
				.to = mem[i].node, .v4 = bv_ip_is4(&l->peer),
			}, *row;

			if (l->kind != BEAVER_CHAN_MEMBER || !key.from ||
			    !bv_epoch_in(prev_epoch, l->first, l->last))
				continue;
			row = bsearch(&key, v, b->n_chans, sizeof(*v),
				      bvx_chan_base_cmp);
			if (row)
				row->imbalance -= l->pkts > INT64_MAX ?
						  INT64_MAX : (int64_t)l->pkts;
		}
	}
	return v;
}

/* assemble and store (deferred: see on_collect_data) */
static void finish(void *data)
{
	struct snap *s = data;
	struct bvd_coord *c = s->c;
	size_t n = 0, np = c->cfg->n_peers;
	struct bvx_member *mem = calloc(np, sizeof(*mem));
	struct bvr_records *rec = calloc(np, sizeof(*rec));
	const char **nodes = calloc(np, sizeof(*nodes));
	const char **texts = calloc(np, sizeof(*texts));
	struct bvx_summary sum;
	struct bvs_baselines base = { 0 };
	struct bvi_base *bv = calloc(np, sizeof(*bv));
	struct bvx_prev prev = { 0 };
	struct bvx_chan_base *cb = NULL;
	struct bvs_late *lates = NULL;
	size_t n_lates = 0, amended = 0;
	char *report = NULL, why[300] = "out of memory";
	json_t *rep;
	int err = -ENOMEM;

	if (!mem || !rec || !nodes || !texts || !bv)
		goto out;
	/* the previous accepted snapshot's view: per-interval counts */
	if (bvs_baselines_get(c->store, &base)) {
		snprintf(why, sizeof(why), "cannot read the baselines: %s",
			 bvs_errmsg(c->store));
		err = -EIO;
		goto out;
	}
	prev.id = base.prev_id;
	prev.epoch = base.prev_epoch;
	/* a later snapshot finished first: its baselines are after our cut */
	prev.overtaken = prev.id && !bv_epoch_before(prev.epoch, s->epoch);
	for (size_t i = 0; i < np; i++) {
		if (peer(c, i)->gateway)
			continue;
		bvr_init(&rec[n]);
		if (bvj_records_loads(s->col[i].buf, &rec[n], why,
				      sizeof(why))) {
			char tmp[300];

			snprintf(tmp, sizeof(tmp), "record of %s: %s",
				 peer(c, i)->name, why);
			snprintf(why, sizeof(why), "%s", tmp);
			bvr_free(&rec[n]);
			err = -EBADMSG;
			goto out;
		}
		mem[n].node = peer(c, i)->name;
		mem[n].data = peer(c, i)->data;
		mem[n].n_data = peer(c, i)->n_data;
		mem[n].rec = &rec[n];
		mem[n].base = base_of(&base, peer(c, i)->name, &bv[n]);
		nodes[n] = peer(c, i)->name;
		texts[n] = s->col[i].buf;
		n++;
	}
	cb = chan_bases(c, &base, mem, n, prev.epoch);
	if (!cb)
		goto out;
	prev.chans = cb;
	prev.n_chans = base.n_chans;
	rep = bvx_report_since(s->epoch, c->cfg->tau_min_ns, s->bound, &prev,
			       mem, n, &sum);
	report = rep ? json_dumps(rep, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(rep);
	if (!report)
		goto out;
	lates = lates_of(mem, n, &n_lates);
	if (!lates)
		goto out;
	err = bvs_snapshot_accept_late(c->store, s->id, s->epoch, s->bound, n,
				       nodes, texts, report, lates, n_lates,
				       amend_report, c, &amended);
	if (err)
		snprintf(why, sizeof(why), "cannot store the snapshot: %s",
			 strerror(-err));
	else if (amended)
		bvd_info("snapshot %lld: late packets its records reported "
			 "amended %zu report(s)", (long long)s->id, amended);
out:
	for (size_t i = 0; rec && i < n; i++)
		bvr_free(&rec[i]);
	free(mem);
	free(rec);
	free(nodes);
	free(texts);
	free(report);
	free(lates);
	free(bv);
	free(cb);
	bvs_baselines_free(&base);
	if (err) {
		snap_end(s, BVS_FAILED, why);
		return;
	}
	snap_end(s, BVS_ACCEPTED, NULL);
}

static void collect_poll_now(void *data);

static void collect_poll(void *data)
{
	struct snap *s = data;

	s->timer = 0;
	bvd_window_defer(collect_poll_now, s);
}

/* ask every member whose record is not in yet, again every poll */
static void collect_poll_now(void *data)
{
	struct snap *s = data;
	char why[160];

	if (s->phase != PH_COLLECT)
		return;		/* it ended meanwhile */
	if (bvl_now() > s->deadline) {
		snprintf(why, sizeof(why),
			 "no complete record of epoch %u from member %s in time",
			 s->epoch, first_missing(s, true));
		snap_end(s, BVS_FAILED, why);
		return;
	}
	for (size_t i = 0; i < s->c->cfg->n_peers; i++) {
		struct bvw_msg m = { .type = BVW_COLLECT, .epoch = s->epoch };

		/* a member that answered "not complete" is asked at the
		 * next poll; a silent one after MEMBER_RESEND_NS, doubling */
		if (peer(s->c, i)->gateway || s->col[i].done ||
		    !due(&s->col[i], bvl_now(), MEMBER_RESEND_NS))
			continue;
		m.offset = s->col[i].got;
		prepare(s->c, i, &m);
	}
	flush(s->c);
	set_timer(s, COLLECT_POLL_NS, collect_poll);
}

/* the configured peer with that node id, or -1: a binary search (one
 * per datagram, a thousand members) */
static ssize_t peer_of(const struct bvd_coord *c, uint32_t sender)
{
	size_t lo = 0, hi = c->cfg->n_peers;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t id = c->peer_id[c->by_id[mid]];

		if (id == sender)
			return (ssize_t)c->by_id[mid];
		if (id < sender)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static struct snap *snap_of(struct bvd_coord *c, uint32_t epoch)
{
	for (struct snap *s = c->snaps; s; s = s->next)
		if (s->epoch == epoch)
			return s;
	return NULL;
}

static void on_advance_ack(struct bvd_coord *c, struct snap *s, size_t i,
			   const struct bvw_msg *m)
{
	bool gw = peer(c, i)->gateway;

	if (s->acked[i])
		return;		/* a duplicate answer to a retransmission */
	if (gw && s->phase == PH_GATEWAYS) {
		s->acked[i] = true;
		s->n_acked++;
		s->acks[i] = (struct bvj_ack){
			.node = peer(c, i)->name, .prev = m->prev,
			.now = m->now, .advanced = m->advanced,
			.err = m->err, .switch_ns = m->switch_ns,
			.at_ns = bvl_now(),
		};
		if (m->err) {
			s->refused[i] = true;
			s->n_refused++;
		}
		/* t1: the last acknowledgement is in */
		if (s->n_acked == c->n_gw) {
			s->t1 = bvl_now();
			decide(s);
		}
		return;
	}
	if (!gw && s->phase == PH_MEMBERS) {
		if (m->err) {
			char why[160];

			snprintf(why, sizeof(why), "member %s refused advance %u: %s",
				 peer(c, i)->name, s->epoch, strerror(-m->err));
			snap_end(s, BVS_FAILED, why);
			return;
		}
		s->acked[i] = true;
		c->announced[i] = true;	/* it has an epoch of its own now */
		if (++s->n_acked == c->n_members) {
			s->phase = PH_COLLECT;
			retry_reset_all(s);
			/* members_resend's timer is pending: collect_poll
			 * would only forget it, and it would fire on a
			 * snapshot that may be freed by then */
			if (s->timer > 0)
				bvl_cancel(s->timer);
			s->timer = 0;
			bvd_window_defer(collect_poll_now, s);
		}
	}
}

static void on_collect_data(struct bvd_coord *c, struct snap *s, size_t i,
			    const struct bvw_msg *m)
{
	struct collect *col = &s->col[i];
	char why[160];

	if (s->phase != PH_COLLECT || col->done || m->offset != col->got)
		return;		/* stale or duplicate chunk */
	retry_reset(col);
	if (m->err == -EAGAIN)
		return;		/* not complete yet: the next poll asks again */
	if (m->err == -EFBIG) {
		snprintf(why, sizeof(why), "member %.40s's record of epoch %u "
			 "is over the %u MiB the control plane carries",
			 peer(c, i)->name, s->epoch, BVW_MAX_RECORD >> 20);
		snap_end(s, BVS_FAILED, why);
		return;
	}
	if (m->err) {
		snprintf(why, sizeof(why), "member %s has no record of epoch %u: %s",
			 peer(c, i)->name, s->epoch, strerror(-m->err));
		snap_end(s, BVS_FAILED, why);
		return;
	}
	if (!col->have_total) {
		col->buf = malloc((size_t)m->total + 1);
		if (!col->buf) {
			snap_end(s, BVS_FAILED, "out of memory");
			return;
		}
		col->total = m->total;
		col->have_total = true;
	}
	if (m->total != col->total || m->data_len > col->total - col->got)
		return;
	memcpy(col->buf + col->got, m->data, m->data_len);
	col->got += m->data_len;
	if (col->got < col->total) {
		struct bvw_msg r = { .type = BVW_COLLECT, .epoch = s->epoch,
				     .offset = col->got,
				     .recipient = c->peer_id[i] };

		/* stream the rest without waiting for the next poll */
		bvd_peer_send(c->io, &r);
		(void)due(col, bvl_now(), MEMBER_RESEND_NS);
		return;
	}
	col->buf[col->total] = '\0';
	col->done = true;
	if (++s->n_collected == c->n_members) {
		/* nothing more comes in: PH_DONE until finish has run */
		s->phase = PH_DONE;
		if (s->timer > 0)
			bvl_cancel(s->timer);
		s->timer = 0;
		bvd_window_defer(finish, s);
	}
}

static void cal_end(void *data);

static void on_pong(struct bvd_coord *c, size_t i, const struct bvw_msg *m)
{
	uint64_t k = m->nonce - c->cal.nonce_base;
	size_t slot = i * c->cal.count + k;

	if (!c->cal.running || m->nonce < c->cal.nonce_base ||
	    k >= c->cal.count)
		return;
	/*
	 * The peer's own data-plane probe: in any answer to this
	 * calibration's pings, the second answer a probe round sends when it
	 * ends included (probe.h); the smallest counts
	 */
	if (m->probe_ns && (!c->cal.probe[i] || m->probe_ns < c->cal.probe[i])) {
		c->cal.n_probed += !c->cal.probe[i];
		c->cal.probe[i] = m->probe_ns;
	}
	if (!c->cal.rtt[slot]) {
		c->cal.rtt[slot] = bvl_now() - c->cal.sent_ns[slot];
		c->cal.n_rtt++;
	}
	/*
	 * Everything is in (every ping answered, every peer's probe): no
	 * need to wait for the timeout. A peer's later answer could only
	 * lower its probe, and a probe round answers once.
	 */
	if (c->cal.n_rtt == c->cfg->n_peers * c->cal.count &&
	    c->cal.n_probed == c->cfg->n_peers) {
		bvl_cancel(c->cal.timer);
		cal_end(c);
	}
}

void bvd_coord_msg(struct bvd_coord *c, const struct bvw_msg *m)
{
	ssize_t i = peer_of(c, m->sender);
	struct snap *s;

	if (i < 0)
		return;		/* a node we do not coordinate */
	if (m->type == BVW_PONG) {
		on_pong(c, (size_t)i, m);
		return;
	}
	s = snap_of(c, m->epoch);
	if (!s)
		return;		/* an answer for an epoch no longer running */
	if (m->type == BVW_ADVANCE_ACK)
		on_advance_ack(c, s, (size_t)i, m);
	else if (m->type == BVW_ANNOUNCE_ACK)
		on_announce_ack(c, s, (size_t)i, m);
	else if (m->type == BVW_COLLECT_DATA)
		on_collect_data(c, s, (size_t)i, m);
}

int bvd_coord_snapshot(struct bvd_coord *c, bvd_snap_done done, void *waiter,
		       int64_t *id, char *why, size_t why_len)
{
	size_t np = c->cfg->n_peers ? c->cfg->n_peers : 1;
	struct snap *s;
	int err;

	if (c->outstanding >= c->cfg->max_outstanding) {
		snprintf(why, why_len, "%zu snapshots are already running (max_outstanding)",
			 c->outstanding);
		return -EBUSY;
	}
	s = calloc(1, sizeof(*s));
	if (s) {
		s->acked = calloc(np, sizeof(bool));
		s->refused = calloc(np, sizeof(bool));
		s->acks = calloc(np, sizeof(*s->acks));
		s->col = calloc(np, sizeof(*s->col));
	}
	if (!s || !s->acked || !s->refused || !s->acks || !s->col) {
		if (s) {
			free(s->acked);
			free(s->refused);
			free(s->acks);
			free(s->col);
			free(s);
		}
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	s->c = c;
	err = bvs_snapshot_new(c->store, c->cfg->tau_min_ns, &s->id);
	if (err) {
		snprintf(why, why_len, "cannot store a new snapshot: %s",
			 strerror(-err));
		free(s->acked);
		free(s->refused);
		free(s->acks);
		free(s->col);
		free(s);
		return err;
	}
	s->started = bvl_now();
	s->done = done;
	s->waiter = waiter;
	s->next = c->snaps;
	c->snaps = s;
	c->outstanding++;
	*id = s->id;
	start_attempt(s);
	return 0;
}

void bvd_coord_forget_waiter(struct bvd_coord *c, void *waiter)
{
	for (struct snap *s = c->snaps; s; s = s->next)
		if (s->waiter == waiter)
			s->done = NULL;
	if (c->cal.waiter == waiter)
		c->cal.done = NULL;
}

size_t bvd_coord_outstanding(const struct bvd_coord *c)
{
	return c->outstanding;
}

const struct bvo_stats *bvd_coord_stats(const struct bvd_coord *c)
{
	return &c->stats;
}

const struct bvd_coord_totals *bvd_coord_totals(const struct bvd_coord *c)
{
	return &c->totals;
}

bool bvd_coord_idle(const struct bvd_coord *c)
{
	return !c->snaps && !c->cal.running;
}

int bvd_coord_reconfigure(struct bvd_coord *c)
{
	if (!bvd_coord_idle(c))
		return -EBUSY;
	if (take_peers(c))
		return -ENOMEM;
	/* the last calibration's figures are per peer of the old list */
	free(c->cal.sent_ns);
	free(c->cal.rtt);
	free(c->cal.probe);
	c->cal.sent_ns = c->cal.rtt = c->cal.probe = NULL;
	c->cal.count = 0;
	return 0;
}

static void cal_end(void *data)
{
	struct bvd_coord *c = data;

	c->cal.timer = 0;
	c->cal.running = false;
	if (c->cal.done)
		c->cal.done(c->cal.waiter, 0);
}

int bvd_coord_calibrate(struct bvd_coord *c, unsigned int count,
			bvd_snap_done done, void *waiter)
{
	size_t np = c->cfg->n_peers;
	struct timespec ts;

	if (c->cal.running)
		return -EBUSY;
	if (!count || count > 1000)
		return -EINVAL;
	free(c->cal.sent_ns);
	free(c->cal.rtt);
	free(c->cal.probe);
	c->cal.sent_ns = calloc(np * count + 1, sizeof(uint64_t));
	c->cal.rtt = calloc(np * count + 1, sizeof(uint64_t));
	c->cal.probe = calloc(np + 1, sizeof(uint64_t));
	if (!c->cal.sent_ns || !c->cal.rtt || !c->cal.probe)
		return -ENOMEM;
	clock_gettime(CLOCK_REALTIME, &ts);
	c->cal.nonce_base = (uint64_t)ts.tv_sec << 20;
	c->cal.count = count;
	c->cal.n_rtt = c->cal.n_probed = 0;
	c->cal.done = done;
	c->cal.waiter = waiter;
	c->cal.running = true;
	for (unsigned int k = 0; k < count; k++) {
		for (size_t i = 0; i < np; i++) {
			struct bvw_msg m = { .type = BVW_PING,
					     .nonce = c->cal.nonce_base + k,
					     .recipient = c->peer_id[i] };

			c->cal.sent_ns[i * count + k] = bvl_now();
			bvd_peer_send(c->io, &m);
		}
	}
	c->cal.timer = bvl_timer(PING_TIMEOUT_NS, cal_end, c);
	return 0;
}

size_t bvd_coord_rtt(const struct bvd_coord *c, struct bvd_rtt *out,
		     size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < c->cfg->n_peers && n < max; i++) {
		uint64_t v[1000] = { 0 };
		unsigned int k, got = 0;

		for (k = 0; c->cal.rtt && k < c->cal.count; k++)
			if (c->cal.rtt[i * c->cal.count + k])
				v[got++] = c->cal.rtt[i * c->cal.count + k];
		bvo_sort(v, got);
		out[n] = (struct bvd_rtt){
			.name = peer(c, i)->name,
			.gateway = peer(c, i)->gateway,
			.answered = got,
			.min_ns = got ? v[0] : 0,
			.median_ns = got ? v[got / 2] : 0,
			.max_ns = got ? v[got - 1] : 0,
			.probe_ns = c->cal.probe ? c->cal.probe[i] : 0,
		};
		n++;
	}
	return n;
}
