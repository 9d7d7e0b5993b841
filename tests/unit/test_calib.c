// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Calibration on the data plane: the verdict on tau_min
 * (beaverd/calib.c) and the pure parts of the PING answer and its probe
 * (beaverd/probe.c, with loop.c, peer.c and log.c faked).
 *
 *   verdict  ok only with a data-plane bound from every gateway and
 *            tau_min <= it; unsafe as soon as tau_min exceeds a bound;
 *            otherwise unknown (bound_ok null), never ok from the
 *            coordinator's control-plane round trips;
 *   probe    who probes what (gateways their members, members their
 *            gateways), the echo and its answer (another round's is
 *            refused), a PING answered at once with a fresh result and
 *            without a round, and at once with 0 where there is nothing
 *            to probe.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "calib.h"
#include "log.h"
#include "loop.h"
#include "peer.h"
#include "probe.h"

#define US 1000ull
#define MS 1000000ull

/* ---- fakes ------------------------------------------------------------- */

static uint64_t now_ns = 1000 * MS;
static unsigned int n_timers, n_watch;
static struct bvw_msg replies[8];
static size_t n_replies;

uint64_t bvl_now(void)
{
	return now_ns;
}

int bvl_watch(int fd, short events, bvl_fd_cb cb, void *data)
{
	(void)fd, (void)events, (void)cb, (void)data;
	n_watch++;
	return 0;
}

void bvl_unwatch(int fd)
{
	(void)fd;
}

long bvl_timer(uint64_t delay_ns, bvl_timer_cb cb, void *data)
{
	(void)delay_ns, (void)cb, (void)data;
	return ++n_timers;
}

void bvl_cancel(long id)
{
	(void)id;
}

int bvd_peer_reply(struct bvd_peer_io *io, const struct bvw_msg *req,
		   struct bvw_msg *m)
{
	(void)io;
	m->req_id = req->seq;
	m->recipient = req->sender;
	if (n_replies < 8)
		replies[n_replies] = *m;
	n_replies++;
	return 0;
}

void bvd_log(int priority, const char *fmt, ...)
{
	(void)priority, (void)fmt;
}

static int setup(void **state)
{
	(void)state;
	n_timers = n_watch = 0;
	n_replies = 0;
	memset(replies, 0, sizeof(replies));
	return 0;
}

/* ---- the verdict -------------------------------------------------------- */

/* g1, g2 gateways, m1, m2 members; control round trips 100..400 us */
static void peers(struct bvd_rtt r[4], uint64_t g1, uint64_t g2,
		  uint64_t m1, uint64_t m2)
{
	static const char *names[4] = { "g1", "g2", "m1", "m2" };
	uint64_t probe[4] = { g1, g2, m1, m2 };

	for (size_t i = 0; i < 4; i++)
		r[i] = (struct bvd_rtt){ .name = names[i], .gateway = i < 2,
					 .answered = 3,
					 .min_ns = (i + 1) * 100 * US,
					 .median_ns = (i + 1) * 100 * US,
					 .max_ns = (i + 1) * 100 * US,
					 .probe_ns = probe[i] };
}

static void test_verdict_ok(void **state)
{
	struct bvd_rtt r[4];
	struct bvd_calib v;

	(void)state;
	peers(r, 60 * US, 50 * US, 70 * US, 0);
	bvd_calib_judge(r, 4, 50 * US, &v);
	assert_int_equal(v.verdict, BVD_CALIB_OK);	/* tau_min == bound */
	assert_true(v.bound_ns == 50 * US);
	assert_int_equal(v.bound_peer, 1);
	assert_int_equal(v.gateways, 2);
	assert_int_equal(v.gateways_probed, 2);
	assert_true(v.control_ns == 100 * US);
	/* a member's probe, smaller, is the bound */
	peers(r, 60 * US, 50 * US, 70 * US, 40 * US);
	bvd_calib_judge(r, 4, 33 * US, &v);
	assert_int_equal(v.verdict, BVD_CALIB_OK);
	assert_true(v.bound_ns == 40 * US);
	assert_int_equal(v.bound_peer, 3);
}

static void test_verdict_unsafe(void **state)
{
	struct bvd_rtt r[4];
	struct bvd_calib v;

	(void)state;
	peers(r, 60 * US, 50 * US, 0, 0);
	bvd_calib_judge(r, 4, 51 * US, &v);
	assert_int_equal(v.verdict, BVD_CALIB_UNSAFE);
	assert_non_null(strstr(v.note, "unsafe"));
	/* above a bound, even if a gateway is silent: unsafe, not unknown */
	peers(r, 0, 50 * US, 0, 0);
	bvd_calib_judge(r, 4, 1000 * MS, &v);
	assert_int_equal(v.verdict, BVD_CALIB_UNSAFE);
	/* below the control round trips, above the data plane's: unsafe */
	peers(r, 60 * US, 50 * US, 0, 0);
	bvd_calib_judge(r, 4, 90 * US, &v);
	assert_int_equal(v.verdict, BVD_CALIB_UNSAFE);
}

static void test_verdict_unknown(void **state)
{
	struct bvd_rtt r[4];
	struct bvd_calib v;

	(void)state;
	/* nothing measured the data plane: the control round trips (100 us
	 * and up) say nothing, tau_min 1 us included */
	peers(r, 0, 0, 0, 0);
	bvd_calib_judge(r, 4, 1 * US, &v);
	assert_int_equal(v.verdict, BVD_CALIB_UNKNOWN);
	assert_true(v.bound_ns == 0);
	assert_true(v.control_ns == 100 * US);
	assert_string_equal(v.note, "no data-plane measurement: cannot say "
			    "whether tau_min is safe");
	/* g2 silent: tau_min below g1's and the members' bound, unknown */
	peers(r, 60 * US, 0, 70 * US, 80 * US);
	bvd_calib_judge(r, 4, 10 * US, &v);
	assert_int_equal(v.verdict, BVD_CALIB_UNKNOWN);
	assert_int_equal(v.silent_gateway, 1);
	assert_non_null(strstr(v.note, "gateway g2"));
	/* nobody answered at all */
	peers(r, 0, 0, 0, 0);
	for (size_t i = 0; i < 4; i++)
		r[i].answered = 0;
	bvd_calib_judge(r, 4, 10 * US, &v);
	assert_int_equal(v.verdict, BVD_CALIB_UNKNOWN);
	assert_true(v.control_ns == 0);
}

/* ---- the probe ---------------------------------------------------------- */

static void test_targets(void **state)
{
	struct bv_ip members[2], gateways[1];
	struct bvd_config cfg = { .members = members, .n_members = 2,
				  .gateways = gateways, .n_gateways = 1 };
	const struct bv_ip *t;

	(void)state;
	cfg.roles = BVD_ROLE_GATEWAY;
	assert_int_equal(bvd_probe_targets(&cfg, &t), 2);
	assert_ptr_equal(t, members);
	cfg.roles = BVD_ROLE_GATEWAY | BVD_ROLE_COORDINATOR;
	assert_int_equal(bvd_probe_targets(&cfg, &t), 2);
	cfg.roles = BVD_ROLE_MEMBER;
	assert_int_equal(bvd_probe_targets(&cfg, &t), 1);
	assert_ptr_equal(t, gateways);
	cfg.roles = BVD_ROLE_COORDINATOR;
	assert_int_equal(bvd_probe_targets(&cfg, &t), 0);
}

static void test_echo(void **state)
{
	uint8_t b[BVD_PROBE_ECHO_LEN + 4];
	uint16_t seq = 0;

	(void)state;
	for (int v6 = 0; v6 < 2; v6++) {
		assert_int_equal(bvd_probe_echo(v6, 77, 0x1234, b, sizeof(b)),
				 BVD_PROBE_ECHO_LEN);
		assert_int_equal(b[0], v6 ? 128 : 8);
		assert_int_equal(b[6] << 8 | b[7], 0x1234);
		/* the request itself is not an answer */
		assert_int_equal(bvd_probe_answer(v6, b, BVD_PROBE_ECHO_LEN, 77,
						  &seq), -EBADMSG);
		/* the far end's kernel answers with the type changed */
		b[0] = v6 ? 129 : 0;
		assert_int_equal(bvd_probe_answer(v6, b, BVD_PROBE_ECHO_LEN, 77,
						  &seq), 0);
		assert_int_equal(seq, 0x1234);
		/* another round's answer, a short one, the other family's */
		assert_int_equal(bvd_probe_answer(v6, b, BVD_PROBE_ECHO_LEN, 78,
						  &seq), -EBADMSG);
		assert_int_equal(bvd_probe_answer(v6, b, BVD_PROBE_ECHO_LEN - 1,
						  77, &seq), -EBADMSG);
		assert_int_equal(bvd_probe_answer(!v6, b, BVD_PROBE_ECHO_LEN,
						  77, &seq), -EBADMSG);
	}
	assert_int_equal(bvd_probe_echo(false, 1, 1, b, BVD_PROBE_ECHO_LEN - 1),
			 -EMSGSIZE);
}

static void test_ping_fresh(void **state)
{
	struct bv_ip members[1];
	struct bvd_config cfg = { .roles = BVD_ROLE_GATEWAY,
				  .members = members, .n_members = 1 };
	struct bvd_probe p;
	struct bvw_msg ping = { .type = BVW_PING, .nonce = 42, .seq = 9,
				.sender = 5 };

	(void)state;
	bvd_probe_init(&p, &cfg, NULL);
	p.last_ns = now_ns - BVD_PROBE_FRESH_NS + 1;
	p.last_min_ns = 321 * US;
	assert_true(bvd_probe_fresh(&p, now_ns));
	bvd_probe_ping(&p, &ping);
	assert_int_equal(n_replies, 1);
	assert_int_equal(replies[0].type, BVW_PONG);
	assert_true(replies[0].nonce == 42 && replies[0].req_id == 9);
	assert_true(replies[0].probe_ns == 321 * US);
	assert_false(p.running);
	assert_int_equal(n_timers + n_watch, 0);
	/* stale, or a round that measured nothing: not fresh */
	p.last_ns = now_ns - BVD_PROBE_FRESH_NS;
	assert_false(bvd_probe_fresh(&p, now_ns));
	p.last_ns = now_ns;
	p.last_min_ns = 0;
	assert_false(bvd_probe_fresh(&p, now_ns));
	bvd_probe_free(&p);
}

static void test_ping_nothing_to_probe(void **state)
{
	struct bvd_config cfg = { .roles = BVD_ROLE_COORDINATOR };
	struct bvd_probe p;
	struct bvw_msg ping = { .type = BVW_PING, .nonce = 7, .seq = 3 };

	(void)state;
	bvd_probe_init(&p, &cfg, NULL);
	bvd_probe_ping(&p, &ping);
	assert_int_equal(n_replies, 1);
	assert_true(replies[0].nonce == 7 && replies[0].probe_ns == 0);
	assert_false(p.running);
	assert_int_equal(p.n_waiters, 0);
	bvd_probe_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_verdict_ok, setup),
		cmocka_unit_test_setup(test_verdict_unsafe, setup),
		cmocka_unit_test_setup(test_verdict_unknown, setup),
		cmocka_unit_test_setup(test_targets, setup),
		cmocka_unit_test_setup(test_echo, setup),
		cmocka_unit_test_setup(test_ping_fresh, setup),
		cmocka_unit_test_setup(test_ping_nothing_to_probe, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
