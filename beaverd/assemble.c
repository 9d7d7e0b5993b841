// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Global snapshot assembly and verification. See assemble.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "assemble.h"
#include "beaver.h"
#include "bvnames.h"

/* one direction of a member channel, summed over the peer's addresses */
struct chan_sum {
	bool found;
	uint64_t tx_pkts, tx_bytes, rx_pkts, rx_bytes;
	uint64_t inflight_pkts, inflight_bytes;
};

/* r's member channels with any of peer's data addresses of one family */
static struct chan_sum find_chan(const struct bvr_records *r,
				 const struct bvx_member *peer, bool v4)
{
	struct chan_sum s;

	memset(&s, 0, sizeof(s));
	for (size_t i = 0; i < r->n_chans; i++) {
		const struct bvr_chan *c = &r->chans[i];

		if (c->kind != BEAVER_CHAN_MEMBER || bv_ip_is4(&c->peer) != v4)
			continue;
		for (size_t d = 0; d < peer->n_data; d++) {
			if (!bv_ip_eq(&c->peer, &peer->data[d]))
				continue;
			s.found = true;
			s.tx_pkts += c->tot.tx_pkts;
			s.tx_bytes += c->tot.tx_bytes;
			s.rx_pkts += c->tot.rx_pkts;
			s.rx_bytes += c->tot.rx_bytes;
			s.inflight_pkts += c->inflight_pkts;
			s.inflight_bytes += c->inflight_bytes;
			break;
		}
	}
	return s;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* a counter as a JSON integer holds it: saturated at INT64_MAX */
static json_int_t jint(uint64_t v)
{
	return v > INT64_MAX ? INT64_MAX : (json_int_t)v;
}

/* what r received on the channels of one kind: packets, bytes */
static uint64_t kind_rx(const struct bvr_records *r, uint8_t kind,
			uint64_t *bytes)
{
	uint64_t sum = 0;

	*bytes = 0;
	for (size_t i = 0; i < r->n_chans; i++) {
		if (r->chans[i].kind == kind) {
			sum += r->chans[i].tot.rx_pkts;
			*bytes += r->chans[i].tot.rx_bytes;
		}
	}
	return sum;
}

/* sent - rhs as a signed count; both are at most INT64_MAX apart */
static int64_t imbalance_of(uint64_t sent, uint64_t rhs)
{
	if (sent >= rhs)
		return sent - rhs > INT64_MAX ? INT64_MAX : (int64_t)(sent - rhs);
	return rhs - sent > INT64_MAX ? -INT64_MAX : -(int64_t)(rhs - sent);
}

/* the previous accepted snapshot had a record of m */
static bool was_present(const struct bvx_member *m)
{
	return m->base && m->base->present;
}

/*
 * m's counters restarted since the previous accepted snapshot: its
 * record's counters_since differs from that snapshot's (a module or a
 * report before the field: not known, counters going back still tell)
 */
static bool restarted(const struct bvx_member *m)
{
	return was_present(m) && m->base->has_since &&
	       m->rec->cut.has_since && m->base->since_ns != m->rec->cut.since_ns;
}

/* a count of the interval: null when unknown (takes nothing) */
static json_t *count_or_null(bool known, uint64_t v)
{
	return known ? json_integer(jint(v)) : json_null();
}

/*
 * The member's "interval" (interval.h): its bypass since the previous
 * accepted snapshot, the late packets that reached it meanwhile, and
 * whether its record says packets left unstamped; added to sum
 */
static json_t *member_interval(const struct bvx_member *m,
			       const struct bvx_prev *prev, uint64_t bypass,
			       uint64_t bypass_bytes, struct bvx_summary *sum)
{
	const struct bvr_records *r = m->rec;
	bool first = !prev || !prev->id;
	bool over = prev && prev->id && prev->overtaken;
	struct bvi_base mb = m->base ? *m->base : (struct bvi_base){ 0 };
	struct bvi_count c;
	bool unstamped = r->cut.flags & BEAVER_CUT_F_TX_UNSTAMPED;
	uint64_t late = 0, late_bytes = 0;
	struct bvi_base ub = { 0 };
	struct bvi_count u;
	json_t *o;

	mb.restarted = restarted(m);
	c = bvi_count(first, m->base ? &mb : NULL, bypass, bypass_bytes);

	/*
	 * the unstamped packets, sent and received, as a pair of counters
	 * with the same rules (a flush restarts both)
	 */
	if (m->base)
		ub = (struct bvi_base){
			.present = m->base->present,
			.has_pkts = m->base->has_unstamped,
			.has_bytes = m->base->has_unstamped,
			.pkts = m->base->tx_unstamped,
			.bytes = m->base->rx_unstamped,
			.restarted = mb.restarted,
		};
	u = bvi_count(first, m->base ? &ub : NULL, r->cut.tx_unstamped,
		      r->cut.rx_unstamped);
	if (!r->cut.has_unstamped || over)
		u.pkts_known = u.bytes_known = false;
	if (u.pkts_known && u.bytes_known) {
		sum->iv_tx_unstamped = sat_add(sum->iv_tx_unstamped, u.pkts);
		sum->iv_rx_unstamped = sat_add(sum->iv_rx_unstamped, u.bytes);
	} else {
		sum->iv_unstamped_unknown++;
	}

	if (over)
		c = (struct bvi_count){ .since = BVI_OVERTAKEN };
	else
		bvi_late_arrived(r, first ? 0 : prev->epoch, r->epoch, &late,
				 &late_bytes);
	if (c.pkts_known)
		sum->iv_bypass = sat_add(sum->iv_bypass, c.pkts);
	else
		sum->iv_unknown++;
	if (c.bytes_known)
		sum->iv_bypass_bytes = sat_add(sum->iv_bypass_bytes, c.bytes);
	sum->iv_reset += c.since == BVI_RESET;
	sum->iv_late = sat_add(sum->iv_late, late);
	sum->iv_late_bytes = sat_add(sum->iv_late_bytes, late_bytes);
	sum->iv_unstamped += unstamped;
	o = json_pack("{s:s, s:o, s:o, s:o, s:o, s:b}",
		      "since", bvi_since_name(c.since),
		      "bypass", count_or_null(c.pkts_known, c.pkts),
		      "bypass_bytes", count_or_null(c.bytes_known, c.bytes),
		      "late_arrived", count_or_null(!over, late),
		      "late_arrived_bytes", count_or_null(!over, late_bytes),
		      "tx_unstamped", unstamped);
	if (o && (json_object_set_new(o, "unstamped_sent",
				      count_or_null(u.pkts_known, u.pkts)) ||
		  json_object_set_new(o, "unstamped_received",
				      count_or_null(u.bytes_known, u.bytes)))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/*
 * "addresses": every data address, only for a member with more than one
 * ("address" is the first); takes o, which may be NULL
 */
static json_t *add_addresses(json_t *o, const struct bvx_member *m)
{
	json_t *a;

	if (!o || m->n_data < 2)
		return o;
	a = json_array();
	for (size_t i = 0; a && i < m->n_data; i++) {
		char buf[BV_IP_STRLEN];

		if (json_array_append_new(a, json_string(bv_ip_ntop(&m->data[i],
								   buf)))) {
			json_decref(a);
			a = NULL;
		}
	}
	if (!a || json_object_set_new(o, "addresses", a)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *member_json(const struct bvx_member *m,
			   const struct bvx_prev *prev,
			   struct bvx_summary *sum)
{
	const struct bvr_records *r = m->rec;
	char addr[BV_IP_STRLEN] = "";
	const char *state;
	bool incomplete;
	uint64_t bypass, bypass_bytes;
	json_t *o, *iv;

	if (m->n_data)
		bv_ip_ntop(&m->data[0], addr);
	if (!r) {
		sum->missing++;
		o = json_pack("{s:s, s:s, s:b}", "node", m->node,
			      "address", addr, "present", 0);
		return add_addresses(o, m);
	}
	state = bv_state_name(r->cut.state);
	incomplete = r->cut.flags & BEAVER_CUT_F_INCOMPLETE;
	bypass = kind_rx(r, BEAVER_CHAN_BYPASS, &bypass_bytes);
	sum->incomplete += incomplete;
	sum->late += r->cut.late;
	sum->bypass += bypass;
	sum->bypass_bytes += bypass_bytes;
	if (r->has_escapes && (r->esc_xdp || r->esc_packet))
		sum->escapes++;
	o = json_pack("{s:s, s:s, s:b, s:I, s:I, s:I, s:s, s:b, s:b, s:b,"
			 " s:I, s:I, s:I, s:I, s:I}",
			 "node", m->node, "address", addr, "present", 1,
			 "cut_ns", (json_int_t)r->cut.ns,
			 "first", (json_int_t)r->cut.first,
			 "last", (json_int_t)r->cut.last,
			 "state", state ? state : "unknown",
			 "complete", r->cut.state == BEAVER_STATE_COMPLETE,
			 "incomplete", incomplete,
			 "capture_truncated",
			 (r->cut.flags & BEAVER_CUT_F_CAPTURE_TRUNC) != 0,
			 "late", (json_int_t)r->cut.late,
			 "bypass", (json_int_t)bypass,
			 "settle_ms", (json_int_t)r->cut.settle_ms,
			 "flows", (json_int_t)r->n_flows,
			 "channels", (json_int_t)r->n_chans);
	/*
	 * it delivered stamps it could not read before this cut (freshly
	 * loaded): the cut may follow packets of its own epoch
	 * (docs/decisions.md, "Known gap"). Reported, not judged yet.
	 */
	sum->rx_id_unread += (r->cut.flags & BEAVER_CUT_F_RX_ID_UNREAD) != 0;
	if (o && json_object_set_new(o, "rx_id_unread", json_boolean(
			r->cut.flags & BEAVER_CUT_F_RX_ID_UNREAD))) {
		json_decref(o);
		return NULL;
	}
	/* cumulative bypass bytes: the baseline of the next interval's */
	if (o && json_object_set_new(o, "bypass_bytes",
				     json_integer(jint(bypass_bytes)))) {
		json_decref(o);
		return NULL;
	}
	/* cumulative unstamped packets, likewise (a module that counts them) */
	if (o && r->cut.has_unstamped &&
	    (json_object_set_new(o, "tx_unstamped",
				 json_integer(jint(r->cut.tx_unstamped))) ||
	     json_object_set_new(o, "rx_unstamped",
				 json_integer(jint(r->cut.rx_unstamped))))) {
		json_decref(o);
		return NULL;
	}
	/* when its counters started: a restart shows against the next */
	if (o && r->cut.has_since &&
	    json_object_set_new(o, "counters_since_ns",
				json_integer(jint(r->cut.since_ns)))) {
		json_decref(o);
		return NULL;
	}
	iv = o ? member_interval(m, prev, bypass, bypass_bytes, sum) : NULL;
	if (o && (!iv || json_object_set_new(o, "interval", iv))) {
		json_decref(o);
		return NULL;
	}
	/* what its hooks could not see: in no snapshot (escapes.h) */
	if (o && r->has_escapes)
		json_object_set_new(o, "escapes", json_pack("{s:I, s:I}",
				    "xdp_programs", (json_int_t)r->esc_xdp,
				    "packet_sockets",
				    (json_int_t)r->esc_packet));
	return add_addresses(o, m);
}

/*
 * An IPv6 channel says so; an IPv4 one has no "family" (takes c, which
 * may be NULL)
 */
static json_t *set_family(json_t *c, bool v4)
{
	if (c && !v4 &&
	    json_object_set_new(c, "family", json_string("ipv6"))) {
		json_decref(c);
		return NULL;
	}
	return c;
}

int bvx_chan_base_cmp(const void *x, const void *y)
{
	const struct bvx_chan_base *p = x, *q = y;
	int c = strcmp(p->from, q->from);

	if (!c)
		c = strcmp(p->to, q->to);
	if (!c && p->v4 != q->v4)
		c = p->v4 ? -1 : 1;
	return c;
}

/* the previous accepted snapshot's channel a -> b of one family, or NULL */
static const struct bvx_chan_base *chan_base(const struct bvx_prev *prev,
					     const char *a, const char *b,
					     bool v4)
{
	struct bvx_chan_base key = { .from = a, .to = b, .v4 = v4 };

	if (!prev || !prev->n_chans)
		return NULL;
	return bsearch(&key, prev->chans, prev->n_chans, sizeof(key),
		       bvx_chan_base_cmp);
}

/* what a channel is checked against (assemble.h) */
struct origin {
	const char *check;	/* "offset", "reset" or "absent" */
	bool has_offset;	/* false: it cannot be checked */
	int64_t offset;
	bool confirmed;		/* a snapshot balanced by it */
	bool has_prev;
	int64_t prev_imbalance;
	bool prev_flagged;	/* an end's record was flagged there */
};

enum verdict { V_UNCHECKED, V_OFFSET, V_INTERVAL, V_UNBALANCED };

/*
 * A channel with imbalance imb against its origin: by its offset; else
 * over the interval (imbalance as the previous snapshot's), but only
 * when the offset is not confirmed yet or the previous snapshot's
 * record of an end says why it may have been off (a constant error
 * without either stays unbalanced in every snapshot, as it should)
 */
static enum verdict verdict_of(int64_t imb, const struct origin *o)
{
	if (!o->has_offset)
		return V_UNCHECKED;
	if (imb == o->offset)
		return V_OFFSET;
	if (o->has_prev && imb == o->prev_imbalance &&
	    (!o->confirmed || o->prev_flagged))
		return V_INTERVAL;
	return V_UNBALANCED;
}

/* the origin row (the previous snapshot's channel) gave it */
static struct origin origin_of_row(const struct bvx_chan_base *b)
{
	return (struct origin){
		.check = "offset", .has_offset = b->has_offset,
		.offset = b->offset, .confirmed = b->confirmed,
		.has_prev = b->has_prev_imbalance,
		.prev_imbalance = b->prev_imbalance,
		.prev_flagged = b->prev_flagged,
	};
}

int64_t bvx_chan_next_offset(const struct bvx_chan_base *b, bool *confirmed)
{
	struct origin o = origin_of_row(b);

	switch (verdict_of(b->imbalance, &o)) {
	case V_UNCHECKED:
		*confirmed = false;	/* the origin is set here */
		return b->imbalance;
	case V_OFFSET:
		*confirmed = true;
		return b->offset;
	case V_INTERVAL:
		*confirmed = true;	/* two snapshots agree on it */
		return b->imbalance;
	case V_UNBALANCED:
		break;
	}
	*confirmed = b->confirmed;
	return b->offset;
}

/* the previous accepted snapshot's record of m was flagged (interval.h) */
static bool was_flagged(const struct bvx_member *m)
{
	return was_present(m) && m->base->flagged;
}

static struct origin origin_of(const struct bvx_member *a,
			       const struct bvx_member *b, bool v4,
			       const struct bvx_prev *prev,
			       const struct chan_sum *tx,
			       const struct chan_sum *rx)
{
	bool first = !prev || !prev->id;
	const struct bvx_chan_base *row;
	struct origin o = { "offset", true, 0, true, false, 0, false };

	/* the group's first snapshot: every counter since configured */
	if (first)
		return o;
	if (!was_present(a) || !was_present(b))
		return (struct origin){ .check = "absent" };
	row = chan_base(prev, a->node, b->node, v4);
	/*
	 * counters that went back restarted too; not against an overtaking
	 * snapshot's, which are after this cut
	 */
	if (restarted(a) || restarted(b) ||
	    (row && !prev->overtaken &&
	     (tx->tx_pkts < row->sent || rx->rx_pkts < row->received)))
		return (struct origin){ .check = "reset" };
	/* they never talked before: both count from 0 */
	if (!row)
		return o;
	o.offset = bvx_chan_next_offset(row, &o.confirmed);
	o.has_prev = true;
	o.prev_imbalance = row->imbalance;
	o.prev_flagged = was_flagged(a) || was_flagged(b);
	return o;
}

/* set c's "balanced", "check" and "imbalance" */
static int judge(json_t *c, int64_t imb, const struct origin *o)
{
	static const char *const check[] = {
		[V_OFFSET] = "offset", [V_INTERVAL] = "interval",
		[V_UNBALANCED] = "offset",
	};
	enum verdict v = verdict_of(imb, o);

	return json_object_set_new(c, "balanced",
				   v == V_UNCHECKED ? json_null() :
				   json_boolean(v != V_UNBALANCED)) ||
	       json_object_set_new(c, "check", json_string(
				   v == V_UNCHECKED ? o->check : check[v])) ||
	       json_object_set_new(c, "imbalance", json_integer(imb));
}

/*
 * One channel's "balanced" into the report's counts: null is a channel
 * that could not be checked; false, and a missing key (a report stored
 * before the channels carried it), one that does not balance
 */
static void tally(const json_t *bal, size_t *unbalanced, size_t *unverifiable)
{
	*unverifiable += json_is_null(bal);
	*unbalanced += !json_is_true(bal) && !json_is_null(bal);
}

/*
 * A -> B over one family: A's tx towards B against B's rx from A plus in
 * flight, by the offset (assemble.h). *oom is set if out of memory; NULL
 * alone: they never talked.
 */
static json_t *channel_json(const struct bvx_member *a,
			    const struct bvx_member *b, bool v4,
			    const struct bvx_prev *prev,
			    struct bvx_summary *sum, bool *oom)
{
	struct chan_sum tx = find_chan(a->rec, b, v4);
	struct chan_sum rx = find_chan(b->rec, a, v4);
	uint64_t sent = tx.tx_pkts;
	uint64_t recv = rx.rx_pkts;
	uint64_t infl = rx.inflight_pkts;
	int64_t imb = imbalance_of(sent, sat_add(recv, infl));
	struct origin o;
	json_t *c;

	if (!tx.found && !rx.found)
		return NULL;	/* these two never talked */
	o = origin_of(a, b, v4, prev, &tx, &rx);
	/* late 0: this channel's late packets come with later records
	 * (bvx_amend adds them) */
	c = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
		      " s:o, s:o}",
		      "from", a->node, "to", b->node,
		      "sent", jint(sent),
		      "received", jint(recv),
		      "inflight", jint(infl),
		      "late", (json_int_t)0,
		      "sent_bytes", jint(tx.tx_bytes),
		      "received_bytes", jint(rx.rx_bytes),
		      "inflight_bytes", jint(rx.inflight_bytes),
		      "late_bytes", (json_int_t)0,
		      "offset", o.has_offset ? json_integer(o.offset) :
					       json_null(),
		      "previous_imbalance",
		      o.has_prev ? json_integer(o.prev_imbalance) :
				   json_null());
	if (c && (json_object_set_new(c, "offset_confirmed", o.has_offset ?
				      json_boolean(o.confirmed) : json_null()) ||
		  json_object_set_new(c, "previous_flagged",
				      json_boolean(o.prev_flagged)))) {
		json_decref(c);
		c = NULL;
	}
	if (c && judge(c, imb, &o)) {
		json_decref(c);
		c = NULL;
	}
	c = set_family(c, v4);
	*oom = !c;
	if (c) {
		sum->channels++;
		tally(json_object_get(c, "balanced"), &sum->unbalanced,
		      &sum->unverifiable);
	}
	return c;
}

/*
 * Which member channels can exist: a channel A -> B over one family is
 * reported when A's record has an entry for one of B's addresses or B's
 * for one of A's. Looking at every pair would be quadratic in the
 * members (a thousand members: a million pairs, each scanning two
 * records); instead every member channel entry of every record names its
 * pair, found by its address in a sorted table of all the members' data
 * addresses, and the pairs are sorted in the order the report lists them
 * (A's index, B's index, IPv4 first). O(E log E) in the entries.
 */
struct addr_of {
	struct bv_ip ip;
	size_t member;
};

struct pair {
	size_t a, b;
	int f;		/* 0: IPv4, 1: IPv6 */
};

static int cmp_addr(const void *x, const void *y)
{
	const struct addr_of *p = x, *q = y;
	int c = bv_ip_cmp(&p->ip, &q->ip);

	if (c)
		return c;
	return p->member < q->member ? -1 : p->member > q->member;
}

static int cmp_pair(const void *x, const void *y)
{
	const struct pair *p = x, *q = y;

	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	if (p->b != q->b)
		return p->b < q->b ? -1 : 1;
	return p->f - q->f;
}

/* the member with data address ip, or -1 (first in configuration order) */
static ssize_t member_at(const struct addr_of *t, size_t n,
			 const struct bv_ip *ip)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = bv_ip_cmp(&t[mid].ip, ip);

		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n && bv_ip_eq(&t[lo].ip, ip))
		return (ssize_t)t[lo].member;
	return -1;
}

/* the candidate pairs, sorted and unique; NULL and *np 0 when none, NULL
 * and *oom when out of memory */
static struct pair *candidate_pairs(const struct bvx_member *m, size_t n,
				    size_t *np, bool *oom)
{
	struct addr_of *t;
	struct pair *v = NULL;
	size_t na = 0, ne = 0, k = 0;

	*np = 0;
	*oom = false;
	for (size_t i = 0; i < n; i++) {
		na += m[i].n_data;
		for (size_t c = 0; m[i].rec && c < m[i].rec->n_chans; c++)
			ne += m[i].rec->chans[c].kind == BEAVER_CHAN_MEMBER;
	}
	if (!ne)
		return NULL;
	t = calloc(na + 1, sizeof(*t));
	v = calloc(2 * ne, sizeof(*v));
	if (!t || !v) {
		free(t);
		free(v);
		*oom = true;
		return NULL;
	}
	na = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t d = 0; d < m[i].n_data; d++)
			t[na++] = (struct addr_of){ m[i].data[d], i };
	/* an address two members list: the first one's (member_at) */
	qsort(t, na, sizeof(*t), cmp_addr);
	for (size_t i = 0; i < n; i++) {
		for (size_t c = 0; m[i].rec && c < m[i].rec->n_chans; c++) {
			const struct bvr_chan *ch = &m[i].rec->chans[c];
			ssize_t j;
			int f = bv_ip_is4(&ch->peer) ? 0 : 1;

			if (ch->kind != BEAVER_CHAN_MEMBER)
				continue;
			j = member_at(t, na, &ch->peer);
			if (j < 0 || (size_t)j == i || !m[j].rec)
				continue;
			v[k++] = (struct pair){ i, (size_t)j, f };
			v[k++] = (struct pair){ (size_t)j, i, f };
		}
	}
	free(t);
	qsort(v, k, sizeof(*v), cmp_pair);
	for (size_t i = 0; i < k; i++)
		if (!*np || cmp_pair(&v[*np - 1], &v[i]))
			v[(*np)++] = v[i];
	return v;
}

json_t *bvx_report(uint32_t epoch, uint64_t tau_min_ns, uint64_t bound_ns,
		   const struct bvx_member *m, size_t n,
		   struct bvx_summary *sum)
{
	return bvx_report_since(epoch, tau_min_ns, bound_ns, NULL, m, n, sum);
}

/* the report's "interval": the members' summed (takes nothing) */
static json_t *report_interval(const struct bvx_prev *prev,
			       const struct bvx_summary *sum)
{
	bool first = !prev || !prev->id;
	bool over = !first && prev->overtaken;

	return json_pack("{s:s, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			 "since", first ? "configured" :
				  over ? "overtaken" : "previous",
			 "since_id", first || over ? json_null() :
					     json_integer(prev->id),
			 "since_epoch",
			 (json_int_t)(first || over ? 0 : prev->epoch),
			 "bypass", jint(sum->iv_bypass),
			 "bypass_bytes", jint(sum->iv_bypass_bytes),
			 "late_arrived", jint(sum->iv_late),
			 "late_arrived_bytes", jint(sum->iv_late_bytes),
			 "members_unknown", (json_int_t)sum->iv_unknown,
			 "members_reset", (json_int_t)sum->iv_reset,
			 "members_tx_unstamped",
			 (json_int_t)sum->iv_unstamped);
}

/* the report's interval, with the unstamped packets (takes o) */
static json_t *report_interval_unstamped(json_t *o,
					 const struct bvx_summary *sum)
{
	if (o && (json_object_set_new(o, "unstamped_sent",
				      json_integer(jint(sum->iv_tx_unstamped))) ||
		  json_object_set_new(o, "unstamped_received",
				      json_integer(jint(sum->iv_rx_unstamped))) ||
		  json_object_set_new(o, "members_unstamped_unknown",
				      json_integer((json_int_t)
						   sum->iv_unstamped_unknown)))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *bvx_report_since(uint32_t epoch, uint64_t tau_min_ns,
			 uint64_t bound_ns, const struct bvx_prev *prev,
			 const struct bvx_member *m, size_t n,
			 struct bvx_summary *sum)
{
	struct pair *pairs;
	size_t np;
	bool nomem;
	json_t *members = json_array(), *chans = json_array(), *rep, *iv;

	memset(sum, 0, sizeof(*sum));
	if (!members || !chans)
		goto oom;
	for (size_t i = 0; i < n; i++)
		if (json_array_append_new(members,
					  member_json(&m[i], prev, sum)))
			goto oom;
	pairs = candidate_pairs(m, n, &np, &nomem);
	if (nomem)
		goto oom;
	for (size_t k = 0; k < np; k++) {
		const struct pair *p = &pairs[k];
		json_t *c;

		c = channel_json(&m[p->a], &m[p->b], p->f == 0, prev, sum,
				 &nomem);
		if (nomem || (c && json_array_append_new(chans, c))) {
			free(pairs);
			goto oom;
		}
	}
	free(pairs);
	rep = json_pack("{s:s, s:I, s:I, s:I, s:b, s:o, s:o, s:I, s:I, s:I,"
			" s:I, s:I, s:I, s:I, s:b}",
			"schema", "beaver-report/1",
			"epoch", (json_int_t)epoch,
			"tau_min_ns", (json_int_t)tau_min_ns,
			"bound_ns", (json_int_t)bound_ns,
			"bound_ok", bound_ns < tau_min_ns,
			"members", members, "channels", chans,
			"missing_members", (json_int_t)sum->missing,
			"incomplete_members", (json_int_t)sum->incomplete,
			"unbalanced_channels", (json_int_t)sum->unbalanced,
			"unverifiable_channels", (json_int_t)sum->unverifiable,
			"late", (json_int_t)sum->late,
			"bypass", (json_int_t)sum->bypass,
			"members_with_escapes", (json_int_t)sum->escapes,
			"balanced", !sum->unbalanced && !sum->unverifiable);
	iv = rep ? report_interval_unstamped(report_interval(prev, sum), sum) :
		   NULL;
	if (rep && (json_object_set_new(rep, "bypass_bytes",
				json_integer(jint(sum->bypass_bytes))) ||
		    json_object_set_new(rep, "members_rx_id_unread",
				json_integer((json_int_t)sum->rx_id_unread)) ||
		    !iv || json_object_set_new(rep, "interval", iv))) {
		json_decref(rep);
		return NULL;
	}
	return rep;
oom:
	json_decref(members);
	json_decref(chans);
	return NULL;
}

/* --- amendment by late entries ------------------------------------------- */

/* a counter of a stored report: absent (an older report) or odd is 0 */
static uint64_t num(const json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));

	return v > 0 ? (uint64_t)v : 0;
}

/* set o.key to a + b, saturated at what a JSON integer holds */
static int set_sum(json_t *o, const char *key, uint64_t a, uint64_t b)
{
	uint64_t v = sat_add(a, b);

	return json_object_set_new(o, key, json_integer(
		(json_int_t)(v > INT64_MAX ? INT64_MAX : v)));
}

static json_t *find_by(json_t *arr, const char *k1, const char *v1,
		       const char *k2, const char *v2)
{
	size_t i;
	json_t *e;

	json_array_foreach(arr, i, e) {
		const char *a = json_string_value(json_object_get(e, k1));
		const char *b = k2 ? json_string_value(json_object_get(e, k2))
				   : NULL;

		if (a && !strcmp(a, v1) && (!k2 || (b && !strcmp(b, v2))))
			return e;
	}
	return NULL;
}

/* the channel from -> to of one family (no "family": IPv4) */
static json_t *find_chan_json(json_t *arr, const char *from, const char *to,
			      bool v4)
{
	size_t i;
	json_t *e;

	json_array_foreach(arr, i, e) {
		const char *a = json_string_value(json_object_get(e, "from"));
		const char *b = json_string_value(json_object_get(e, "to"));
		const char *f = json_string_value(json_object_get(e, "family"));

		if (a && b && !strcmp(a, from) && !strcmp(b, to) &&
		    v4 == !(f && !strcmp(f, "ipv6")))
			return e;
	}
	return NULL;
}

/*
 * the channel's balance with its late packets, by the origin its report
 * gave it (a report before offsets: 0; null: it could not be checked)
 */
static int rebalance(json_t *c)
{
	uint64_t rhs = sat_add(sat_add(num(c, "received"), num(c, "inflight")),
			       num(c, "late"));
	const json_t *off = json_object_get(c, "offset");
	const json_t *pi = json_object_get(c, "previous_imbalance");
	const char *check = json_string_value(json_object_get(c, "check"));
	struct origin o = {
		.check = off && !json_is_integer(off) && check ? check :
			 "offset",
		.has_offset = !off || json_is_integer(off),
		.offset = json_integer_value(off),
		/* a report before it: its offset was the configuration's */
		.confirmed = !json_is_false(json_object_get(c,
							    "offset_confirmed")),
		.has_prev = json_is_integer(pi),
		.prev_imbalance = json_integer_value(pi),
		.prev_flagged = json_is_true(json_object_get(c,
							     "previous_flagged")),
	};

	return judge(c, imbalance_of(num(c, "sent"), rhs), &o);
}

int bvx_amend(json_t *rep, const char *node, const char *from,
	      const struct bvr_late *l)
{
	json_t *members = json_object_get(rep, "members");
	json_t *chans = json_object_get(rep, "channels");
	json_t *m, *c, *e;
	size_t i, unbalanced = 0, unverifiable = 0;
	uint64_t late = 0;

	if (!json_is_object(rep) || !json_is_array(members) ||
	    !json_is_array(chans))
		return -EINVAL;
	m = find_by(members, "node", node, NULL, NULL);
	if (!m)
		return -ENOENT;	/* not a member of this snapshot */
	if (set_sum(m, "late", num(m, "late"), l->pkts))
		return -ENOMEM;
	if (l->kind == BEAVER_CHAN_MEMBER && from) {
		bool v4 = bv_ip_is4(&l->peer);

		c = find_chan_json(chans, from, node, v4);
		if (!c) {
			/*
			 * late packets on a channel the cut saw nothing of
			 * (nothing sent, nothing received): the report shows
			 * it, unbalanced, rather than hide them
			 */
			c = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I,"
				      " s:I, s:I, s:I}",
				      "from", from, "to", node,
				      "sent", (json_int_t)0,
				      "received", (json_int_t)0,
				      "inflight", (json_int_t)0,
				      "late", (json_int_t)0,
				      "sent_bytes", (json_int_t)0,
				      "received_bytes", (json_int_t)0,
				      "inflight_bytes", (json_int_t)0,
				      "late_bytes", (json_int_t)0);
			c = set_family(c, v4);
			if (!c || json_array_append_new(chans, c))
				return -ENOMEM;
		}
		if (set_sum(c, "late", num(c, "late"), l->pkts) ||
		    set_sum(c, "late_bytes", num(c, "late_bytes"), l->bytes) ||
		    rebalance(c))
			return -ENOMEM;
	}
	/* the summary follows its members and channels */
	json_array_foreach(members, i, e)
		late = sat_add(late, num(e, "late"));
	json_array_foreach(chans, i, e)
		tally(json_object_get(e, "balanced"), &unbalanced,
		      &unverifiable);
	if (set_sum(rep, "late", late, 0) ||
	    set_sum(rep, "unbalanced_channels", unbalanced, 0) ||
	    set_sum(rep, "unverifiable_channels", unverifiable, 0) ||
	    json_object_set_new(rep, "balanced",
				json_boolean(!unbalanced && !unverifiable)))
		return -ENOMEM;
	return 0;
}
