// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Global snapshot assembly and the channel balance check
 * (beaverd/assemble.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "assemble.h"
#include "beaver.h"

static uint32_t ip(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

static void add_chan(struct bvr_records *r, uint8_t kind, const char *peer,
		     uint64_t tx, uint64_t rx, uint64_t inflight)
{
	struct bvr_chan c = { .kind = kind, .peer = bv_ip4(0),
			      .cpu = BVR_CPU_MERGED };

	if (peer)
		assert_int_not_equal(bv_ip_pton(peer, &c.peer), 0);

	c.tot.tx_pkts = tx;
	c.tot.rx_pkts = rx;
	c.inflight_pkts = inflight;
	assert_int_equal(bvr_add_chan(r, &c), 0);
}

/* the members' data addresses (bvx_member points at them) */
static struct bv_ip a_data[2], b_data[2];

static void setup_pair(struct bvr_records *a, struct bvr_records *b,
		       struct bvx_member *m)
{
	bvr_init(a);
	bvr_init(b);
	a->has_cut = b->has_cut = true;
	a->cut.state = b->cut.state = BEAVER_STATE_COMPLETE;
	m[0] = (struct bvx_member){ .node = "a", .rec = a, .data = a_data,
				    .n_data = 1 };
	m[1] = (struct bvx_member){ .node = "b", .rec = b, .data = b_data,
				    .n_data = 1 };
	a_data[0] = bv_ip4(ip("10.0.0.1"));
	b_data[0] = bv_ip4(ip("10.0.0.2"));
}

/* a dual-stack pair: the IPv6 address of each as its second */
static void setup_dual(struct bvr_records *a, struct bvr_records *b,
		       struct bvx_member *m)
{
	setup_pair(a, b, m);
	assert_int_equal(bv_ip_pton("2001:db8::1", &a_data[1]), AF_INET6);
	assert_int_equal(bv_ip_pton("2001:db8::2", &b_data[1]), AF_INET6);
	m[0].n_data = m[1].n_data = 2;
}

static bool chan_balanced(json_t *rep, const char *from)
{
	size_t i;
	json_t *c;

	json_array_foreach(json_object_get(rep, "channels"), i, c)
		if (!strcmp(json_string_value(json_object_get(c, "from")),
			    from))
			return json_is_true(json_object_get(c, "balanced"));
	fail_msg("no channel from %s", from);
	return false;
}

static void balanced_with_inflight(void **state)
{
	struct bvr_records a, b;
	struct bvx_member m[2];
	struct bvx_summary sum;
	json_t *rep;

	(void)state;
	setup_pair(&a, &b, m);
	/* a sent 10 to b before its cut; b got 7 before its own, 3 in flight */
	add_chan(&a, BEAVER_CHAN_MEMBER, "10.0.0.2", 10, 4, 0);
	add_chan(&b, BEAVER_CHAN_MEMBER, "10.0.0.1", 4, 7, 3);
	rep = bvx_report(5, 1000, 10, m, 2, &sum);
	assert_non_null(rep);
	assert_int_equal(sum.channels, 2);
	assert_int_equal(sum.unbalanced, 0);
	assert_true(chan_balanced(rep, "a"));
	assert_true(chan_balanced(rep, "b"));
	assert_true(json_is_true(json_object_get(rep, "balanced")));
	assert_true(json_is_true(json_object_get(rep, "bound_ok")));
	json_decref(rep);
	bvr_free(&a);
	bvr_free(&b);
}

static void unbalanced_is_reported(void **state)
{
	struct bvr_records a, b;
	struct bvx_member m[2];
	struct bvx_summary sum;
	json_t *rep;

	(void)state;
	setup_pair(&a, &b, m);
	/* b claims one more than a sent: a message from a's future */
	add_chan(&a, BEAVER_CHAN_MEMBER, "10.0.0.2", 10, 0, 0);
	add_chan(&b, BEAVER_CHAN_MEMBER, "10.0.0.1", 0, 11, 0);
	rep = bvx_report(5, 1000, 2000, m, 2, &sum);
	assert_int_equal(sum.unbalanced, 1);
	assert_false(chan_balanced(rep, "a"));
	assert_false(json_is_true(json_object_get(rep, "balanced")));
	assert_false(json_is_true(json_object_get(rep, "bound_ok")));
	json_decref(rep);
	bvr_free(&a);
	bvr_free(&b);
}

static void missing_incomplete_bypass(void **state)
{
	struct bvr_records a, b;
	struct bvx_member m[3];
	struct bvx_summary sum;
	json_t *rep;

	(void)state;
	setup_pair(&a, &b, m);
	m[2] = (struct bvx_member){ .node = "c", .rec = NULL };
	a.cut.flags = BEAVER_CUT_F_INCOMPLETE;
	b.cut.late = 4;
	add_chan(&b, BEAVER_CHAN_BYPASS, NULL, 0, 6, 0);
	rep = bvx_report(5, 1000, 10, m, 3, &sum);
	assert_int_equal(sum.missing, 1);
	assert_int_equal(sum.incomplete, 1);
	assert_int_equal(sum.late, 4);
	assert_int_equal(sum.bypass, 6);
	/* members that never talked have no channel */
	assert_int_equal(sum.channels, 0);
	assert_int_equal(json_integer_value(json_object_get(rep, "bypass")), 6);
	json_decref(rep);
	bvr_free(&a);
	bvr_free(&b);
}

static json_t *chan_of(json_t *rep, const char *from, const char *to)
{
	size_t i;
	json_t *c;

	json_array_foreach(json_object_get(rep, "channels"), i, c)
		if (!strcmp(json_string_value(json_object_get(c, "from")),
			    from) &&
		    !strcmp(json_string_value(json_object_get(c, "to")), to))
			return c;
	return NULL;
}

static json_int_t geti(const json_t *o, const char *key)
{
	assert_true(json_is_integer(json_object_get(o, key)));
	return json_integer_value(json_object_get(o, key));
}

static json_t *member_of(json_t *rep, const char *node)
{
	size_t i;
	json_t *e;

	json_array_foreach(json_object_get(rep, "members"), i, e)
		if (!strcmp(json_string_value(json_object_get(e, "node")), node))
			return e;
	fail_msg("no member %s", node);
	return NULL;
}

/* the channel from -> to of one family (IPv6: "family": "ipv6") */
static json_t *chan_fam(json_t *rep, const char *from, const char *to,
			bool v6)
{
	size_t i;
	json_t *c;

	json_array_foreach(json_object_get(rep, "channels"), i, c) {
		const char *f = json_string_value(json_object_get(c, "family"));

		if (!strcmp(json_string_value(json_object_get(c, "from")),
			    from) &&
		    !strcmp(json_string_value(json_object_get(c, "to")), to) &&
		    (v6 ? f && !strcmp(f, "ipv6") : !f))
			return c;
	}
	fail_msg("no %s channel %s -> %s", v6 ? "IPv6" : "IPv4", from, to);
	return NULL;
}

/*
 * A dual-stack pair: a's channels to b's IPv4 and IPv6 addresses are two
 * channels, each balanced by itself. IPv4 balances (10 = 10); IPv6 is one
 * short (5 sent, 4 received) until a late entry from a's IPv6 address
 * comes. Fails if the families are summed into one channel (15 = 14 + 0
 * is unbalanced, the IPv4 one would not be reported balanced), if a peer
 * is matched by the first data address only (no IPv6 channel), or if the
 * late entry lands on the IPv4 channel.
 */
static void dual_stack_channels_apart(void **state)
{
	struct bvr_records a, b;
	struct bvx_member m[2];
	struct bvx_summary sum;
	struct bvr_late l = { .kind = BEAVER_CHAN_MEMBER, .first = 5,
			      .last = 5, .arrived = 6, .pkts = 1,
			      .bytes = 100 };
	json_t *rep, *c4, *c6, *addrs;

	(void)state;
	setup_dual(&a, &b, m);
	add_chan(&a, BEAVER_CHAN_MEMBER, "10.0.0.2", 10, 0, 0);
	add_chan(&a, BEAVER_CHAN_MEMBER, "2001:db8::2", 5, 0, 0);
	add_chan(&b, BEAVER_CHAN_MEMBER, "10.0.0.1", 0, 10, 0);
	add_chan(&b, BEAVER_CHAN_MEMBER, "2001:db8::1", 0, 4, 0);
	rep = bvx_report(5, 1000, 10, m, 2, &sum);
	assert_non_null(rep);
	/* both directions of both families (b -> a sent nothing) */
	assert_int_equal(sum.channels, 4);
	assert_int_equal(sum.unbalanced, 1);
	c4 = chan_fam(rep, "a", "b", false);
	c6 = chan_fam(rep, "a", "b", true);
	assert_int_equal(geti(c4, "sent"), 10);
	assert_int_equal(geti(c4, "received"), 10);
	assert_true(json_is_true(json_object_get(c4, "balanced")));
	assert_int_equal(geti(c6, "sent"), 5);
	assert_int_equal(geti(c6, "received"), 4);
	assert_false(json_is_true(json_object_get(c6, "balanced")));
	/* "address" is the first; "addresses" all of them */
	assert_string_equal(json_string_value(json_object_get(
		member_of(rep, "a"), "address")), "10.0.0.1");
	addrs = json_object_get(member_of(rep, "a"), "addresses");
	assert_int_equal(json_array_size(addrs), 2);
	assert_string_equal(json_string_value(json_array_get(addrs, 1)),
			    "2001:db8::1");

	assert_int_equal(bv_ip_pton("2001:db8::1", &l.peer), AF_INET6);
	assert_int_equal(bvx_amend(rep, "b", "a", &l), 0);
	c4 = chan_fam(rep, "a", "b", false);
	c6 = chan_fam(rep, "a", "b", true);
	assert_int_equal(geti(c4, "late"), 0);
	assert_int_equal(geti(c6, "late"), 1);
	assert_true(json_is_true(json_object_get(c6, "balanced")));
	assert_true(json_is_true(json_object_get(rep, "balanced")));

	/* late IPv6 packets at a from b: on b -> a over IPv6 only */
	l.arrived = 7;
	assert_int_equal(bv_ip_pton("2001:db8::2", &l.peer), AF_INET6);
	assert_int_equal(bvx_amend(rep, "a", "b", &l), 0);
	c6 = chan_fam(rep, "b", "a", true);
	assert_int_equal(geti(c6, "late"), 1);
	assert_false(json_is_true(json_object_get(c6, "balanced")));
	assert_int_equal(geti(chan_fam(rep, "b", "a", false), "late"), 0);
	json_decref(rep);
	bvr_free(&a);
	bvr_free(&b);
}

/* a single-stack IPv4 pair's report has no "family" and no "addresses" */
static void ipv4_report_unchanged(void **state)
{
	struct bvr_records a, b;
	struct bvx_member m[2];
	struct bvx_summary sum;
	json_t *rep;
	size_t i;
	json_t *e;

	(void)state;
	setup_pair(&a, &b, m);
	add_chan(&a, BEAVER_CHAN_MEMBER, "10.0.0.2", 3, 0, 0);
	add_chan(&b, BEAVER_CHAN_MEMBER, "10.0.0.1", 0, 3, 0);
	rep = bvx_report(5, 1000, 10, m, 2, &sum);
	json_array_foreach(json_object_get(rep, "channels"), i, e)
		assert_null(json_object_get(e, "family"));
	json_array_foreach(json_object_get(rep, "members"), i, e)
		assert_null(json_object_get(e, "addresses"));
	json_decref(rep);
	bvr_free(&a);
	bvr_free(&b);
}

/*
 * A report is made with late 0 on every channel; late entries amend it:
 * a member channel's late packets join its balance (sent == received +
 * inflight + late), the member's and the summary's late grow, the
 * summary's unbalanced count and verdict follow. Fails if late is left
 * out of the balance, added to the wrong direction, or the summary is
 * not recomputed.
 */
static void amend_balances_with_late(void **state)
{
	struct bvr_records a, b;
	struct bvx_member m[2];
	struct bvx_summary sum;
	struct bvr_late l = { .kind = BEAVER_CHAN_MEMBER, .first = 5,
			      .last = 5, .arrived = 6, .pkts = 2,
			      .bytes = 200 };
	json_t *rep, *c;

	(void)state;
	setup_pair(&a, &b, m);
	/* a sent 10 to b; b got 7, 1 in flight: 2 were late */
	add_chan(&a, BEAVER_CHAN_MEMBER, "10.0.0.2", 10, 4, 0);
	add_chan(&b, BEAVER_CHAN_MEMBER, "10.0.0.1", 4, 7, 1);
	rep = bvx_report(5, 1000, 10, m, 2, &sum);
	c = chan_of(rep, "a", "b");
	assert_non_null(c);
	assert_int_equal(geti(c, "late"), 0);
	assert_int_equal(geti(c, "late_bytes"), 0);
	assert_false(json_is_true(json_object_get(c, "balanced")));
	assert_int_equal(geti(rep, "unbalanced_channels"), 1);
	assert_int_equal(geti(rep, "late"), 0);

	/* one late packet: still one short */
	l.pkts = 1;
	l.peer = bv_ip4(ip("10.0.0.1"));
	assert_int_equal(bvx_amend(rep, "b", "a", &l), 0);
	c = chan_of(rep, "a", "b");
	assert_int_equal(geti(c, "late"), 1);
	assert_int_equal(geti(c, "late_bytes"), 200);
	assert_false(json_is_true(json_object_get(c, "balanced")));
	assert_false(json_is_true(json_object_get(rep, "balanced")));
	/* another entry (another arrival epoch): now it balances */
	l.arrived = 7;
	l.bytes = 100;
	assert_int_equal(bvx_amend(rep, "b", "a", &l), 0);
	c = chan_of(rep, "a", "b");
	assert_int_equal(geti(c, "late"), 2);
	assert_int_equal(geti(c, "late_bytes"), 300);
	assert_true(json_is_true(json_object_get(c, "balanced")));
	assert_int_equal(geti(member_of(rep, "b"), "late"), 2);
	assert_int_equal(geti(member_of(rep, "a"), "late"), 0);
	assert_int_equal(geti(rep, "late"), 2);
	assert_int_equal(geti(rep, "unbalanced_channels"), 0);
	assert_true(json_is_true(json_object_get(rep, "balanced")));
	/* the other direction was untouched */
	assert_int_equal(geti(chan_of(rep, "b", "a"), "late"), 0);
	/* one too many: unbalanced again (late is not a free pass) */
	l.arrived = 8;
	l.pkts = 1;
	assert_int_equal(bvx_amend(rep, "b", "a", &l), 0);
	assert_false(json_is_true(json_object_get(chan_of(rep, "a", "b"),
						  "balanced")));
	assert_int_equal(geti(rep, "unbalanced_channels"), 1);
	json_decref(rep);
	bvr_free(&a);
	bvr_free(&b);
}

/*
 * Entries of other kinds, or from an address that is no member, count on
 * the member only; a member channel the report lacks is added (and shows
 * unbalanced); a node that is not a member changes nothing; counters
 * saturate instead of wrapping.
 */
static void amend_other_kinds(void **state)
{
	struct bvr_records a, b;
	struct bvx_member m[2];
	struct bvx_summary sum;
	struct bvr_late l = { .kind = BEAVER_CHAN_GATEWAY, .first = 5,
			      .last = 5, .arrived = 6, .pkts = 3 };
	json_t *rep, *c;

	(void)state;
	setup_pair(&a, &b, m);
	add_chan(&a, BEAVER_CHAN_MEMBER, "10.0.0.2", 10, 0, 0);
	add_chan(&b, BEAVER_CHAN_MEMBER, "10.0.0.1", 0, 10, 0);
	rep = bvx_report(5, 1000, 10, m, 2, &sum);
	assert_true(json_is_true(json_object_get(rep, "balanced")));
	/* IPv4 entries: the peer's family picks the channel */
	l.peer = bv_ip4(ip("10.0.0.2"));

	assert_int_equal(bvx_amend(rep, "b", NULL, &l), 0);
	assert_int_equal(geti(member_of(rep, "b"), "late"), 3);
	assert_int_equal(geti(rep, "late"), 3);
	assert_int_equal(geti(chan_of(rep, "a", "b"), "late"), 0);
	assert_true(json_is_true(json_object_get(rep, "balanced")));
	/* a member channel from an unknown address: the member only */
	l.kind = BEAVER_CHAN_MEMBER;
	assert_int_equal(bvx_amend(rep, "b", NULL, &l), 0);
	assert_int_equal(geti(member_of(rep, "b"), "late"), 6);
	assert_true(json_is_true(json_object_get(rep, "balanced")));
	/* a channel b -> a the cut saw nothing of */
	assert_int_equal(bvx_amend(rep, "a", "b", &l), 0);
	c = chan_of(rep, "b", "a");
	assert_non_null(c);
	assert_int_equal(geti(c, "sent"), 0);
	assert_int_equal(geti(c, "late"), 3);
	assert_false(json_is_true(json_object_get(c, "balanced")));
	assert_int_equal(geti(rep, "unbalanced_channels"), 1);
	assert_int_equal(geti(rep, "late"), 9);
	/* not a member of this snapshot */
	assert_int_equal(bvx_amend(rep, "z", "a", &l), -ENOENT);
	assert_int_equal(geti(rep, "late"), 9);
	/* saturation at INT64_MAX */
	l.pkts = UINT64_MAX;
	assert_int_equal(bvx_amend(rep, "a", "b", &l), 0);
	assert_true(geti(chan_of(rep, "b", "a"), "late") == INT64_MAX);
	assert_true(geti(rep, "late") == INT64_MAX);
	json_decref(rep);
	rep = json_array();
	assert_int_equal(bvx_amend(rep, "a", "b", &l), -EINVAL);
	json_decref(rep);
	bvr_free(&a);
	bvr_free(&b);
}

/*
 * Four members: d -> a (only a's entry, rx), b -> c (only b's, tx), a <->
 * b (both), an entry for an address no member has, and c with no entry
 * at all. The report lists exactly the pairs either record names, in
 * members' order (from, then to), as the pairwise walk it replaces did.
 * Fails if a channel named by only one side is lost, if a pair nobody
 * named appears, or if the order changes (exports are compared).
 */
static void channels_from_entries_in_order(void **state)
{
	static struct bv_ip data[4];
	static const char *const names[] = { "a", "b", "c", "d" };
	static const char *const addrs[] = { "10.0.0.1", "10.0.0.2",
					     "10.0.0.3", "10.0.0.4" };
	static const char *const want[][2] = {
		{ "a", "b" }, { "a", "d" }, { "b", "a" }, { "b", "c" },
		{ "c", "b" }, { "d", "a" },
	};
	struct bvr_records r[4];
	struct bvx_member m[4];
	struct bvx_summary sum;
	json_t *rep, *chans, *c;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		bvr_init(&r[i]);
		r[i].has_cut = true;
		r[i].cut.state = BEAVER_STATE_COMPLETE;
		data[i] = bv_ip4(ip(addrs[i]));
		m[i] = (struct bvx_member){ .node = names[i], .rec = &r[i],
					    .data = &data[i], .n_data = 1 };
	}
	add_chan(&r[0], BEAVER_CHAN_MEMBER, "10.0.0.4", 0, 5, 0);
	add_chan(&r[0], BEAVER_CHAN_MEMBER, "10.0.0.2", 3, 2, 0);
	add_chan(&r[0], BEAVER_CHAN_MEMBER, "10.0.0.99", 1, 1, 0);
	add_chan(&r[1], BEAVER_CHAN_MEMBER, "10.0.0.1", 2, 3, 0);
	add_chan(&r[1], BEAVER_CHAN_MEMBER, "10.0.0.3", 7, 0, 0);
	rep = bvx_report(9, 1000, 10, m, 4, &sum);
	assert_non_null(rep);
	chans = json_object_get(rep, "channels");
	assert_int_equal(json_array_size(chans), 6);
	json_array_foreach(chans, i, c) {
		assert_string_equal(json_string_value(json_object_get(c, "from")),
				    want[i][0]);
		assert_string_equal(json_string_value(json_object_get(c, "to")),
				    want[i][1]);
	}
	/* d -> a: d sent nothing it knows of, a received 5: unbalanced */
	assert_false(chan_balanced(rep, "d"));
	json_decref(rep);
	for (i = 0; i < 4; i++)
		bvr_free(&r[i]);
}

/*
 * The report's per-interval counts (interval.h): a's bypass all came
 * before the previous snapshot (cumulative 6, interval 0); b's counters
 * went back (reset: counted from zero); c was not in the previous
 * snapshot (null, counted as unknown); d has no record now. The first
 * snapshot of a group counts since the members were configured.
 */
/* c's "check" */
static const char *check_of(json_t *c)
{
	return json_string_value(json_object_get(c, "check"));
}

/*
 * Channels across a restart (assemble.h): b's module was reloaded since
 * the previous accepted snapshot, so a's sent towards b still counts 100
 * packets b's received never will. The snapshot that shows the restart
 * cannot check the pair (null, "reset"), the report is not balanced and
 * says how many it could not check; the next one balances against the
 * offset it set, and an unbalanced one after it is still caught. Fails
 * if a restart is judged against the old origin (unbalanced), passed
 * as balanced, or the offset is not carried to the next snapshot.
 */
static void channel_reset_then_offset(void **state)
{
	struct bvr_records a, b;
	struct bvx_member m[2];
	struct bvx_summary sum;
	struct bvi_base ba = { .present = true, .has_since = true,
			       .since_ns = 111 };
	struct bvi_base bb = { .present = true, .has_since = true,
			       .since_ns = 222 };
	struct bvx_chan_base rows[2] = {
		{ .from = "a", .to = "b", .v4 = true, .sent = 100,
		  .received = 0, .imbalance = 0, .has_offset = true },
		{ .from = "b", .to = "a", .v4 = true, .sent = 0,
		  .received = 0, .imbalance = 0, .has_offset = true },
	};
	struct bvx_prev prev = { .id = 7, .epoch = 4, .chans = rows,
				 .n_chans = 2 };
	struct bvx_chan_base next;
	json_t *rep, *c;

	(void)state;
	setup_pair(&a, &b, m);
	m[0].base = &ba;
	m[1].base = &bb;
	/* b restarted: its received (150) even grew past its baseline */
	add_chan(&a, BEAVER_CHAN_MEMBER, "10.0.0.2", 250, 0, 0);
	add_chan(&b, BEAVER_CHAN_MEMBER, "10.0.0.1", 0, 150, 0);
	a.cut.has_since = b.cut.has_since = true;
	a.cut.since_ns = 111;
	b.cut.since_ns = 333;
	/* freshly loaded, it could not read some stamps: the report says so */
	b.cut.flags = BEAVER_CUT_F_RX_ID_UNREAD;
	rows[0].received = 140;
	rep = bvx_report_since(5, 1000, 10, &prev, m, 2, &sum);
	c = chan_of(rep, "a", "b");
	assert_true(json_is_null(json_object_get(c, "balanced")));
	assert_string_equal(check_of(c), "reset");
	assert_true(json_is_null(json_object_get(c, "offset")));
	assert_int_equal(geti(c, "imbalance"), 100);
	/* both directions: b's counters restarted */
	assert_int_equal(geti(rep, "unverifiable_channels"), 2);
	assert_int_equal(geti(rep, "unbalanced_channels"), 0);
	assert_false(json_is_true(json_object_get(rep, "balanced")));
	/* b's bypass interval says reset too, though nothing went back */
	assert_string_equal(json_string_value(json_object_get(json_object_get(
		member_of(rep, "b"), "interval"), "since")), "reset");
	assert_int_equal(geti(member_of(rep, "b"), "counters_since_ns"), 333);
	assert_true(json_is_true(json_object_get(member_of(rep, "b"),
						 "rx_id_unread")));
	assert_true(json_is_false(json_object_get(member_of(rep, "a"),
						  "rx_id_unread")));
	assert_int_equal(geti(rep, "members_rx_id_unread"), 1);
	/* late packets do not make it checkable */
	{
		struct bvr_late l = { .kind = BEAVER_CHAN_MEMBER,
				      .peer = bv_ip4(ip("10.0.0.1")),
				      .first = 5, .last = 5, .arrived = 6,
				      .pkts = 1, .bytes = 1 };

		assert_int_equal(bvx_amend(rep, "b", "a", &l), 0);
		c = chan_of(rep, "a", "b");
		assert_true(json_is_null(json_object_get(c, "balanced")));
		assert_int_equal(geti(c, "imbalance"), 99);
		assert_int_equal(geti(rep, "unverifiable_channels"), 2);
		assert_false(json_is_true(json_object_get(rep, "balanced")));
	}
	json_decref(rep);

	/* the next snapshot: both counted on, the origin is 99 now */
	next = (struct bvx_chan_base){ .from = "a", .to = "b", .v4 = true,
				       .sent = 250, .received = 150,
				       .imbalance = 99 };
	{
		bool conf = true;

		/* set by the restart: not confirmed until one balances by it */
		assert_int_equal(bvx_chan_next_offset(&next, &conf), 99);
		assert_false(conf);
	}
	rows[0] = next;
	bb.since_ns = 333;
	a.chans[0].tot.tx_pkts = 300;
	b.chans[0].tot.rx_pkts = 199;
	b.chans[0].inflight_pkts = 2;
	rep = bvx_report_since(6, 1000, 10, &prev, m, 2, &sum);
	c = chan_of(rep, "a", "b");
	assert_true(json_is_true(json_object_get(c, "balanced")));
	assert_string_equal(check_of(c), "offset");
	assert_int_equal(geti(c, "offset"), 99);
	assert_true(json_is_false(json_object_get(c, "offset_confirmed")));
	assert_int_equal(geti(rep, "unverifiable_channels"), 0);
	assert_true(json_is_true(json_object_get(rep, "balanced")));
	json_decref(rep);

	/* one packet received that a never sent before its cut: caught */
	b.chans[0].tot.rx_pkts = 200;
	rep = bvx_report_since(6, 1000, 10, &prev, m, 2, &sum);
	c = chan_of(rep, "a", "b");
	assert_true(json_is_false(json_object_get(c, "balanced")));
	assert_int_equal(geti(rep, "unbalanced_channels"), 1);
	json_decref(rep);
	bvr_free(&a);
	bvr_free(&b);
}

/*
 * What moves an offset and what does not. A channel that balances over
 * the interval (its imbalance equals the previous one's) but not by its
 * offset moves it there only while the offset is unconfirmed (set by a
 * restart, no snapshot balanced by it yet) or when the previous
 * snapshot's record of an end was flagged (packets it says went
 * uncounted or unread); a constant error nothing explains stays
 * unbalanced in every snapshot. Counters that went back are a restart
 * even without counters_since; an end the previous snapshot had no
 * record of cannot be checked. Fails if a steady error is forgiven after
 * one snapshot (the check could no longer fail), or if an explained one
 * leaves the channel unbalanced for good.
 */
static void channel_offset_moves(void **state)
{
	struct bvr_records a, b;
	struct bvx_member m[2];
	struct bvx_summary sum;
	struct bvi_base ba = { .present = true }, bb = { .present = true };
	struct bvx_chan_base row = { .from = "a", .to = "b", .v4 = true,
				     .sent = 10, .received = 10,
				     .imbalance = 5, .has_offset = true,
				     .offset = 0, .confirmed = true };
	struct bvx_prev prev = { .id = 7, .epoch = 4, .chans = &row,
				 .n_chans = 1 };
	bool conf;
	json_t *rep, *c;

	(void)state;
	/* unbalanced by its confirmed offset, no interval to go by: kept */
	assert_int_equal(bvx_chan_next_offset(&row, &conf), 0);
	assert_true(conf);
	/* as before it, with nothing to explain it: kept */
	row.has_prev_imbalance = true;
	row.prev_imbalance = 5;
	assert_int_equal(bvx_chan_next_offset(&row, &conf), 0);
	assert_true(conf);
	/* a flagged record explains it: moves, confirmed by the two */
	row.prev_flagged = true;
	assert_int_equal(bvx_chan_next_offset(&row, &conf), 5);
	assert_true(conf);
	/* an unconfirmed offset moves without a flag */
	row.prev_flagged = false;
	row.confirmed = false;
	assert_int_equal(bvx_chan_next_offset(&row, &conf), 5);
	assert_true(conf);
	/* unbalanced both ways: kept, as unconfirmed as it was */
	row.prev_imbalance = 3;
	assert_int_equal(bvx_chan_next_offset(&row, &conf), 0);
	assert_false(conf);
	/* could not be checked: its imbalance is the origin, unconfirmed */
	row.has_offset = false;
	assert_int_equal(bvx_chan_next_offset(&row, &conf), 5);
	assert_false(conf);

	/* imbalance 5 twice in a row against a confirmed 0 */
	row = (struct bvx_chan_base){ .from = "a", .to = "b", .v4 = true,
				      .sent = 10, .received = 5,
				      .imbalance = 5, .has_offset = true,
				      .confirmed = true };
	setup_pair(&a, &b, m);
	m[0].base = &ba;
	m[1].base = &bb;
	add_chan(&a, BEAVER_CHAN_MEMBER, "10.0.0.2", 20, 0, 0);
	add_chan(&b, BEAVER_CHAN_MEMBER, "10.0.0.1", 0, 15, 0);
	rep = bvx_report_since(5, 1000, 10, &prev, m, 2, &sum);
	c = chan_of(rep, "a", "b");
	/* a steady error: still unbalanced */
	assert_true(json_is_false(json_object_get(c, "balanced")));
	assert_string_equal(check_of(c), "offset");
	assert_int_equal(geti(c, "offset"), 0);
	assert_int_equal(geti(c, "previous_imbalance"), 5);
	assert_int_equal(geti(rep, "unbalanced_channels"), 1);
	json_decref(rep);
	/* b's record there was flagged (a packet lost to no memory): moves */
	bb.flagged = true;
	rep = bvx_report_since(5, 1000, 10, &prev, m, 2, &sum);
	c = chan_of(rep, "a", "b");
	assert_true(json_is_true(json_object_get(c, "balanced")));
	assert_string_equal(check_of(c), "interval");
	assert_true(json_is_true(json_object_get(c, "previous_flagged")));
	json_decref(rep);
	bb.flagged = false;
	/* an offset a restart set and nothing balanced by yet: moves */
	row.confirmed = false;
	rep = bvx_report_since(5, 1000, 10, &prev, m, 2, &sum);
	c = chan_of(rep, "a", "b");
	assert_true(json_is_true(json_object_get(c, "balanced")));
	assert_string_equal(check_of(c), "interval");
	assert_true(json_is_false(json_object_get(c, "offset_confirmed")));
	json_decref(rep);

	/* counters that went back: a restart */
	b.chans[0].tot.rx_pkts = 4;
	rep = bvx_report_since(5, 1000, 10, &prev, m, 2, &sum);
	c = chan_of(rep, "a", "b");
	assert_true(json_is_null(json_object_get(c, "balanced")));
	assert_string_equal(check_of(c), "reset");
	json_decref(rep);
	/* not against a snapshot that overtook this one (after its cut) */
	prev.overtaken = true;
	rep = bvx_report_since(5, 1000, 10, &prev, m, 2, &sum);
	assert_false(json_is_null(json_object_get(chan_of(rep, "a", "b"),
						  "balanced")));
	json_decref(rep);
	prev.overtaken = false;

	/* b had no record in the previous snapshot */
	b.chans[0].tot.rx_pkts = 15;
	m[1].base = NULL;
	rep = bvx_report_since(5, 1000, 10, &prev, m, 2, &sum);
	c = chan_of(rep, "a", "b");
	assert_true(json_is_null(json_object_get(c, "balanced")));
	assert_string_equal(check_of(c), "absent");
	assert_int_equal(geti(rep, "unverifiable_channels"), 2);
	json_decref(rep);

	/* the group's first snapshot: every origin is 0 */
	rep = bvx_report_since(5, 1000, 10, NULL, m, 2, &sum);
	c = chan_of(rep, "a", "b");
	assert_true(json_is_false(json_object_get(c, "balanced")));
	assert_int_equal(geti(c, "offset"), 0);
	assert_true(json_is_null(json_object_get(c, "previous_imbalance")));
	json_decref(rep);
	bvr_free(&a);
	bvr_free(&b);
}

static void interval_counts(void **state)
{
	struct bvr_records a, b, c;
	struct bvx_member m[4];
	struct bvx_summary sum;
	struct bvx_prev prev = { .id = 41, .epoch = 4 };
	struct bvi_base ba = { .present = true, .has_pkts = true,
			       .has_bytes = true, .pkts = 6, .bytes = 0,
			       .has_unstamped = true, .tx_unstamped = 10,
			       .rx_unstamped = 20 };
	struct bvi_base bb = { .present = true, .has_pkts = true,
			       .has_bytes = true, .pkts = 9, .bytes = 0 };
	struct bvr_late l = { .kind = BEAVER_CHAN_MEMBER, .peer = bv_ip4(0),
			      .first = 4, .last = 4, .arrived = 5, .pkts = 2,
			      .bytes = 200 };
	json_t *rep, *iv, *o;

	(void)state;
	setup_pair(&a, &b, m);
	bvr_init(&c);
	c.has_cut = true;
	c.epoch = a.epoch = b.epoch = 5;
	m[2] = (struct bvx_member){ .node = "c", .rec = &c };
	m[3] = (struct bvx_member){ .node = "d", .rec = NULL };
	m[0].base = &ba;
	m[1].base = &bb;
	add_chan(&a, BEAVER_CHAN_BYPASS, NULL, 0, 6, 0);
	add_chan(&b, BEAVER_CHAN_BYPASS, NULL, 0, 2, 0);
	add_chan(&c, BEAVER_CHAN_BYPASS, NULL, 0, 1, 0);
	b.cut.flags = BEAVER_CUT_F_TX_UNSTAMPED;
	/* a: 3 more sent and 1 more received unstamped since its baseline;
	 * b: counted by a module but its baseline is not (null); c: a record
	 * of a module before the counts */
	a.cut.has_unstamped = true;
	a.cut.tx_unstamped = 13;
	a.cut.rx_unstamped = 21;
	b.cut.has_unstamped = true;
	b.cut.tx_unstamped = 4;
	b.cut.rx_unstamped = 0;
	assert_int_equal(bvr_add_late(&b, &l), 0);
	l.arrived = 4;		/* the previous interval's: not counted */
	assert_int_equal(bvr_add_late(&b, &l), 0);

	rep = bvx_report_since(5, 1000, 10, &prev, m, 4, &sum);
	assert_non_null(rep);
	assert_int_equal(geti(rep, "bypass"), 9);	/* cumulative */
	iv = json_object_get(rep, "interval");
	assert_string_equal(json_string_value(json_object_get(iv, "since")),
			    "previous");
	assert_int_equal(geti(iv, "since_id"), 41);
	assert_int_equal(geti(iv, "since_epoch"), 4);
	assert_int_equal(geti(iv, "bypass"), 2);	/* b's, from zero */
	assert_int_equal(geti(iv, "members_unknown"), 1);	/* c */
	assert_int_equal(geti(iv, "members_reset"), 1);	/* b */
	assert_int_equal(geti(iv, "late_arrived"), 2);
	assert_int_equal(geti(iv, "late_arrived_bytes"), 200);
	assert_int_equal(geti(iv, "members_tx_unstamped"), 1);
	assert_int_equal(geti(iv, "unstamped_sent"), 3);	/* a's only */
	assert_int_equal(geti(iv, "unstamped_received"), 1);
	assert_int_equal(geti(iv, "members_unstamped_unknown"), 2); /* b, c */

	o = member_of(rep, "a");
	assert_int_equal(geti(o, "bypass"), 6);
	assert_int_equal(geti(o, "tx_unstamped"), 13);		/* cumulative */
	assert_int_equal(geti(o, "rx_unstamped"), 21);
	assert_null(json_object_get(member_of(rep, "c"), "tx_unstamped"));
	iv = json_object_get(o, "interval");
	assert_int_equal(geti(iv, "unstamped_sent"), 3);
	assert_int_equal(geti(iv, "unstamped_received"), 1);
	assert_string_equal(json_string_value(json_object_get(iv, "since")),
			    "previous");
	assert_int_equal(geti(iv, "bypass"), 0);
	assert_false(json_is_true(json_object_get(iv, "tx_unstamped")));
	iv = json_object_get(member_of(rep, "b"), "interval");
	assert_string_equal(json_string_value(json_object_get(iv, "since")),
			    "reset");
	assert_int_equal(geti(iv, "bypass"), 2);
	assert_true(json_is_true(json_object_get(iv, "tx_unstamped")));
	/* reset says bypass went back; b's unstamped baseline is unknown */
	assert_true(json_is_null(json_object_get(iv, "unstamped_sent")));
	iv = json_object_get(member_of(rep, "c"), "interval");
	assert_string_equal(json_string_value(json_object_get(iv, "since")),
			    "absent");
	assert_true(json_is_null(json_object_get(iv, "bypass")));
	assert_null(json_object_get(member_of(rep, "d"), "interval"));
	json_decref(rep);

	/* a later snapshot was accepted first: the interval is unknown */
	prev.overtaken = true;
	rep = bvx_report_since(3, 1000, 10, &prev, m, 4, &sum);
	iv = json_object_get(rep, "interval");
	assert_string_equal(json_string_value(json_object_get(iv, "since")),
			    "overtaken");
	assert_true(json_is_null(json_object_get(iv, "since_id")));
	assert_int_equal(geti(iv, "members_unknown"), 3);
	assert_int_equal(geti(iv, "bypass"), 0);
	iv = json_object_get(member_of(rep, "a"), "interval");
	assert_string_equal(json_string_value(json_object_get(iv, "since")),
			    "overtaken");
	assert_true(json_is_null(json_object_get(iv, "bypass")));
	assert_true(json_is_null(json_object_get(iv, "late_arrived")));
	json_decref(rep);

	/* the first snapshot: no previous one, everything since configured */
	rep = bvx_report(5, 1000, 10, m, 4, &sum);
	iv = json_object_get(rep, "interval");
	assert_string_equal(json_string_value(json_object_get(iv, "since")),
			    "configured");
	assert_true(json_is_null(json_object_get(iv, "since_id")));
	assert_int_equal(geti(iv, "bypass"), 9);
	assert_int_equal(geti(iv, "late_arrived"), 4);
	assert_int_equal(geti(iv, "members_unknown"), 0);
	json_decref(rep);
	bvr_free(&a);
	bvr_free(&b);
	bvr_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(balanced_with_inflight),
		cmocka_unit_test(unbalanced_is_reported),
		cmocka_unit_test(missing_incomplete_bypass),
		cmocka_unit_test(amend_balances_with_late),
		cmocka_unit_test(amend_other_kinds),
		cmocka_unit_test(dual_stack_channels_apart),
		cmocka_unit_test(ipv4_report_unchanged),
		cmocka_unit_test(channels_from_entries_in_order),
		cmocka_unit_test(interval_counts),
		cmocka_unit_test(channel_reset_then_offset),
		cmocka_unit_test(channel_offset_moves),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
