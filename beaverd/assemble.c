// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Global snapshot assembly and verification. See assemble.h.
 */
#include <arpa/inet.h>
#include <errno.h>
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

static uint64_t kind_rx(const struct bvr_records *r, uint8_t kind)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < r->n_chans; i++)
		if (r->chans[i].kind == kind)
			sum += r->chans[i].tot.rx_pkts;
	return sum;
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
			   struct bvx_summary *sum)
{
	const struct bvr_records *r = m->rec;
	char addr[BV_IP_STRLEN] = "";
	const char *state;
	bool incomplete;
	uint64_t bypass;
	json_t *o;

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
	bypass = kind_rx(r, BEAVER_CHAN_BYPASS);
	sum->incomplete += incomplete;
	sum->late += r->cut.late;
	sum->bypass += bypass;
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

/*
 * A -> B over one family: A's tx towards B against B's rx from A plus in
 * flight. *oom is set if out of memory; NULL alone: they never talked.
 */
static json_t *channel_json(const struct bvx_member *a,
			    const struct bvx_member *b, bool v4,
			    struct bvx_summary *sum, bool *oom)
{
	struct chan_sum tx = find_chan(a->rec, b, v4);
	struct chan_sum rx = find_chan(b->rec, a, v4);
	uint64_t sent = tx.tx_pkts;
	uint64_t recv = rx.rx_pkts;
	uint64_t infl = rx.inflight_pkts;
	bool balanced = sent == recv + infl;
	json_t *c;

	if (!tx.found && !rx.found)
		return NULL;	/* these two never talked */
	sum->channels++;
	sum->unbalanced += !balanced;
	/* late 0: this channel's late packets come with later records
	 * (bvx_amend adds them) */
	c = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
		      " s:b}",
		      "from", a->node, "to", b->node,
		      "sent", (json_int_t)sent,
		      "received", (json_int_t)recv,
		      "inflight", (json_int_t)infl,
		      "late", (json_int_t)0,
		      "sent_bytes", (json_int_t)tx.tx_bytes,
		      "received_bytes", (json_int_t)rx.rx_bytes,
		      "inflight_bytes", (json_int_t)rx.inflight_bytes,
		      "late_bytes", (json_int_t)0,
		      "balanced", balanced);
	c = set_family(c, v4);
	*oom = !c;
	return c;
}

json_t *bvx_report(uint32_t epoch, uint64_t tau_min_ns, uint64_t bound_ns,
		   const struct bvx_member *m, size_t n,
		   struct bvx_summary *sum)
{
	json_t *members = json_array(), *chans = json_array(), *rep;

	memset(sum, 0, sizeof(*sum));
	if (!members || !chans)
		goto oom;
	for (size_t i = 0; i < n; i++)
		if (json_array_append_new(members, member_json(&m[i], sum)))
			goto oom;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++) {
			for (int f = 0; f < 2; f++) {
				bool nomem = false;
				json_t *c;

				if (i == j || !m[i].rec || !m[j].rec)
					continue;
				c = channel_json(&m[i], &m[j], f == 0, sum,
						 &nomem);
				if (nomem ||
				    (c && json_array_append_new(chans, c)))
					goto oom;
			}
		}
	}
	rep = json_pack("{s:s, s:I, s:I, s:I, s:b, s:o, s:o, s:I, s:I, s:I,"
			" s:I, s:I, s:I, s:b}",
			"schema", "beaver-report/1",
			"epoch", (json_int_t)epoch,
			"tau_min_ns", (json_int_t)tau_min_ns,
			"bound_ns", (json_int_t)bound_ns,
			"bound_ok", bound_ns < tau_min_ns,
			"members", members, "channels", chans,
			"missing_members", (json_int_t)sum->missing,
			"incomplete_members", (json_int_t)sum->incomplete,
			"unbalanced_channels", (json_int_t)sum->unbalanced,
			"late", (json_int_t)sum->late,
			"bypass", (json_int_t)sum->bypass,
			"members_with_escapes", (json_int_t)sum->escapes,
			"balanced", sum->unbalanced == 0);
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

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
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

/* the channel's balance with its late packets */
static int rebalance(json_t *c)
{
	uint64_t rhs = sat_add(sat_add(num(c, "received"), num(c, "inflight")),
			       num(c, "late"));

	return json_object_set_new(c, "balanced",
				   json_boolean(num(c, "sent") == rhs));
}

int bvx_amend(json_t *rep, const char *node, const char *from,
	      const struct bvr_late *l)
{
	json_t *members = json_object_get(rep, "members");
	json_t *chans = json_object_get(rep, "channels");
	json_t *m, *c, *e;
	uint64_t late = 0, unbalanced = 0;
	size_t i;

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
		unbalanced += !json_is_true(json_object_get(e, "balanced"));
	if (set_sum(rep, "late", late, 0) ||
	    set_sum(rep, "unbalanced_channels", unbalanced, 0) ||
	    json_object_set_new(rep, "balanced",
				json_boolean(unbalanced == 0)))
		return -ENOMEM;
	return 0;
}
