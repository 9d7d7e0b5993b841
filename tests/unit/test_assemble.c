// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Global snapshot assembly and the channel balance check
 * (beaverd/assemble.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
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
	struct bvr_chan c = { .kind = kind, .peer = peer ? ip(peer) : 0,
			      .cpu = BVR_CPU_MERGED };

	c.tot.tx_pkts = tx;
	c.tot.rx_pkts = rx;
	c.inflight_pkts = inflight;
	assert_int_equal(bvr_add_chan(r, &c), 0);
}

static void setup_pair(struct bvr_records *a, struct bvr_records *b,
		       struct bvx_member *m)
{
	bvr_init(a);
	bvr_init(b);
	a->has_cut = b->has_cut = true;
	a->cut.state = b->cut.state = BEAVER_STATE_COMPLETE;
	m[0] = (struct bvx_member){ .node = "a", .rec = a };
	m[1] = (struct bvx_member){ .node = "b", .rec = b };
	inet_pton(AF_INET, "10.0.0.1", &m[0].data);
	inet_pton(AF_INET, "10.0.0.2", &m[1].data);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(balanced_with_inflight),
		cmocka_unit_test(unbalanced_is_reported),
		cmocka_unit_test(missing_incomplete_bypass),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
