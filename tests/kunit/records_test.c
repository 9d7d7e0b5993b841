// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite beaver_records: exact attribution of packet accounting to
 * epochs and copy-on-first-touch history (kmod/records.c, compiled from the
 * module's own source file into this test module).
 *
 * The reference: the value at the cut of snapshot E is the sum over the
 * packets whose epoch is older than E (records.h).
 */
#include <kunit/test.h>
#include <linux/slab.h>

#include "records.h"
#include "uapi/beaver.h"
#include "beaver_stamp.h"

/* per-case state: one budget and the entries to free at the end */
struct bv_t_ctx {
	struct bv_budget budget;
	atomic64_t limit_hits;
	atomic64_t nomem;
	struct bv_acct acct[4];
};

static int bv_t_init(struct kunit *test)
{
	struct bv_t_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return -ENOMEM;
	atomic_set(&ctx->budget.used, 0);
	ctx->budget.max = 1000;
	ctx->budget.limit_hits = &ctx->limit_hits;
	ctx->budget.nomem = &ctx->nomem;
	test->priv = ctx;
	return 0;
}

static void bv_t_exit(struct kunit *test)
{
	struct bv_t_ctx *ctx = test->priv;
	unsigned int i;

	/* also frees what a failed assertion left behind */
	for (i = 0; i < ARRAY_SIZE(ctx->acct); i++)
		bv_acct_destroy(&ctx->acct[i], &ctx->budget);
}

static struct bv_budget *bv_t_budget(struct kunit *test)
{
	return &((struct bv_t_ctx *)test->priv)->budget;
}

static struct bv_acct *bv_t_acct(struct kunit *test, int i, u32 epoch)
{
	struct bv_acct *a = &((struct bv_t_ctx *)test->priv)->acct[i];

	bv_acct_init(a, epoch);
	return a;
}

static s64 bv_t_limit_hits(struct kunit *test)
{
	return atomic64_read(&((struct bv_t_ctx *)test->priv)->limit_hits);
}

static enum bv_add_result bv_t_add(struct kunit *test, struct bv_acct *a,
				   u32 epoch, bool tx, u32 len)
{
	struct bv_pkt p = { .len = len, .tx = tx };
	u32 lf = 0xdead, ll = 0xbeef;
	enum bv_add_result ret;

	ret = bv_acct_add(a, epoch, &p, bv_t_budget(test), false, &lf, &ll);
	if (ret == BV_ADD_OK) {
		/* the lost range is only written when something was lost */
		KUNIT_EXPECT_EQ(test, lf, 0xdead);
		KUNIT_EXPECT_EQ(test, ll, 0xbeef);
	}
	return ret;
}

/* expect the at-cut value of snapshot @e to be exactly these totals */
static void bv_t_expect_cut(struct kunit *test, const struct bv_acct *a,
			    u32 e, u64 tx_pkts, u64 tx_bytes, u64 rx_pkts,
			    u64 rx_bytes)
{
	struct bv_totals t;

	memset(&t, 0xa5, sizeof(t));
	KUNIT_ASSERT_TRUE_MSG(test, bv_acct_at_cut(a, e, &t),
			      "no value at the cut of %u", e);
	KUNIT_EXPECT_EQ_MSG(test, t.tx_pkts, tx_pkts, "tx_pkts at cut %u", e);
	KUNIT_EXPECT_EQ_MSG(test, t.tx_bytes, tx_bytes, "tx_bytes at cut %u",
			    e);
	KUNIT_EXPECT_EQ_MSG(test, t.rx_pkts, rx_pkts, "rx_pkts at cut %u", e);
	KUNIT_EXPECT_EQ_MSG(test, t.rx_bytes, rx_bytes, "rx_bytes at cut %u",
			    e);
}

static void bv_t_expect_no_cut(struct kunit *test, const struct bv_acct *a,
			       u32 e)
{
	struct bv_totals t;

	KUNIT_EXPECT_FALSE_MSG(test, bv_acct_at_cut(a, e, &t),
			       "unexpected value at the cut of %u", e);
}

static int bv_t_used(struct kunit *test)
{
	return atomic_read(&bv_t_budget(test)->used);
}

/* ---- cases ---- */

/* packets in epochs 1, 1, 2, 5: every cut from 1 to 6 */
static void bv_acct_at_cut_attribution(struct kunit *test)
{
	struct bv_acct *a = bv_t_acct(test, 0, 1);

	KUNIT_EXPECT_EQ(test, bv_t_add(test, a, 1, true, 100), BV_ADD_OK);
	KUNIT_EXPECT_EQ(test, bv_t_add(test, a, 1, false, 200), BV_ADD_OK);
	KUNIT_EXPECT_EQ(test, bv_t_add(test, a, 2, true, 300), BV_ADD_OK);
	KUNIT_EXPECT_EQ(test, bv_t_add(test, a, 5, false, 400), BV_ADD_OK);

	bv_t_expect_no_cut(test, a, 1);		/* nothing older than 1 */
	bv_t_expect_cut(test, a, 2, 1, 100, 1, 200);
	bv_t_expect_cut(test, a, 3, 2, 400, 1, 200);
	bv_t_expect_cut(test, a, 4, 2, 400, 1, 200);
	bv_t_expect_cut(test, a, 5, 2, 400, 1, 200);
	bv_t_expect_cut(test, a, 6, 2, 400, 2, 600);
	bv_t_expect_cut(test, a, 1000, 2, 400, 2, 600);

	KUNIT_EXPECT_EQ(test, a->cur.tx_pkts, 2);
	KUNIT_EXPECT_EQ(test, a->cur.rx_bytes, 600);
	KUNIT_EXPECT_EQ(test, a->born, 1);
	KUNIT_EXPECT_EQ(test, a->epoch, 5);
	/* one history entry per newer epoch touched: 2, then (2, 5] */
	KUNIT_EXPECT_EQ(test, bv_t_used(test), 2);
	bv_acct_destroy(a, bv_t_budget(test));
	KUNIT_EXPECT_EQ(test, bv_t_used(test), 0);
	KUNIT_EXPECT_NULL(test, a->hist);
}

/* an entry nobody touched since the cut answers from its current value */
static void bv_acct_at_cut_untouched(struct kunit *test)
{
	struct bv_acct *a = bv_t_acct(test, 0, 3);
	u32 e;

	bv_t_add(test, a, 3, true, 10);
	bv_t_add(test, a, 3, true, 20);
	bv_t_add(test, a, 3, false, 5);
	KUNIT_EXPECT_EQ(test, bv_t_used(test), 0);	/* no work at a cut */
	for (e = 4; e < 40; e++)
		bv_t_expect_cut(test, a, e, 2, 30, 1, 5);
	bv_t_expect_cut(test, a, 3u + 0x7fffffff, 2, 30, 1, 5);
	bv_t_expect_no_cut(test, a, 3);
	bv_t_expect_no_cut(test, a, 2);
}

/* no value for the cut of a snapshot at or before the entry's birth */
static void bv_acct_at_cut_born_after(struct kunit *test)
{
	struct bv_acct *a = bv_t_acct(test, 0, 5);
	struct bv_acct *z = bv_t_acct(test, 1, 0);
	u32 e;

	bv_t_add(test, a, 5, true, 1);
	bv_t_add(test, a, 7, true, 1);
	for (e = 0; e <= 5; e++)
		bv_t_expect_no_cut(test, a, e);
	bv_t_expect_no_cut(test, a, 0xffffffff);	/* older than 5 */
	bv_t_expect_cut(test, a, 6, 1, 1, 0, 0);
	bv_t_expect_cut(test, a, 7, 1, 1, 0, 0);
	bv_t_expect_cut(test, a, 8, 2, 2, 0, 0);

	/* born before any snapshot (epoch 0): part of every cut */
	bv_t_add(test, z, 0, false, 9);
	bv_t_expect_no_cut(test, z, 0);
	bv_t_expect_cut(test, z, 1, 0, 0, 1, 9);
	bv_t_expect_cut(test, z, 0x80000000, 0, 0, 1, 9);
	bv_t_expect_cut(test, z, 0xffffffff, 0, 0, 1, 9);
}

/* one history entry serves every snapshot its packet jumped over */
static void bv_acct_at_cut_range(struct kunit *test)
{
	struct bv_acct *a = bv_t_acct(test, 0, 1);
	u32 e;

	bv_t_add(test, a, 1, true, 100);
	bv_t_add(test, a, 4, true, 100);
	KUNIT_EXPECT_EQ(test, bv_t_used(test), 1);
	for (e = 2; e <= 4; e++)
		bv_t_expect_cut(test, a, e, 1, 100, 0, 0);
	bv_t_add(test, a, 4, true, 100);
	bv_t_add(test, a, 9, true, 100);
	KUNIT_EXPECT_EQ(test, bv_t_used(test), 2);
	for (e = 2; e <= 4; e++)
		bv_t_expect_cut(test, a, e, 1, 100, 0, 0);
	for (e = 5; e <= 9; e++)
		bv_t_expect_cut(test, a, e, 3, 300, 0, 0);
	bv_t_expect_cut(test, a, 10, 4, 400, 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, a->hist);
	KUNIT_EXPECT_EQ(test, a->hist->first, 5);
	KUNIT_EXPECT_EQ(test, a->hist->last, 9);
}

/* epochs wrap from 0xffffffff to 1, skipping 0 */
static void bv_acct_at_cut_wraparound(struct kunit *test)
{
	struct bv_acct *a = bv_t_acct(test, 0, 0xfffffffe);
	struct bv_acct *b = bv_t_acct(test, 1, 0xfffffffd);
	u32 e;

	bv_t_add(test, a, 0xfffffffe, true, 1);
	bv_t_add(test, a, 0xffffffff, true, 2);
	bv_t_add(test, a, 1, true, 4);
	bv_t_add(test, a, 2, true, 8);
	bv_t_expect_no_cut(test, a, 0xfffffffe);
	bv_t_expect_no_cut(test, a, 0);
	bv_t_expect_cut(test, a, 0xffffffff, 1, 1, 0, 0);
	bv_t_expect_cut(test, a, 1, 2, 3, 0, 0);
	bv_t_expect_cut(test, a, 2, 3, 7, 0, 0);
	bv_t_expect_cut(test, a, 3, 4, 15, 0, 0);

	/* one range across the wrap */
	bv_t_add(test, b, 0xfffffffd, false, 1);
	KUNIT_EXPECT_EQ(test, bv_t_add(test, b, 3, false, 2), BV_ADD_OK);
	KUNIT_ASSERT_NOT_NULL(test, b->hist);
	KUNIT_EXPECT_EQ(test, b->hist->first, 0xfffffffe);
	KUNIT_EXPECT_EQ(test, b->hist->last, 3);
	bv_t_expect_cut(test, b, 0xfffffffe, 0, 0, 1, 1);
	bv_t_expect_cut(test, b, 0xffffffff, 0, 0, 1, 1);
	for (e = 1; e <= 3; e++)
		bv_t_expect_cut(test, b, e, 0, 0, 1, 1);
	bv_t_expect_cut(test, b, 4, 0, 0, 2, 3);
	bv_t_expect_no_cut(test, b, 0xfffffffd);
}

/*
 * An entry born before any snapshot (epoch 0) whose first newer packet
 * comes with an epoch 2^31 or more ahead of 1 (a coordinator whose counter
 * stands high, or has wrapped): the history entry must still serve that
 * epoch and the ones just before it.
 */
static void bv_acct_at_cut_from_zero_high(struct kunit *test)
{
	struct bv_acct *a = bv_t_acct(test, 0, 0);
	u32 e = 0xffffffd8;

	bv_t_add(test, a, 0, true, 100);
	bv_t_add(test, a, 0, true, 100);
	bv_t_add(test, a, e, true, 100);
	KUNIT_ASSERT_NOT_NULL(test, a->hist);
	KUNIT_EXPECT_EQ(test, a->hist->last, e);
	bv_t_expect_cut(test, a, e, 2, 200, 0, 0);
	bv_t_expect_cut(test, a, e - 5, 2, 200, 0, 0);
	bv_t_expect_cut(test, a, e + 1, 3, 300, 0, 0);
}

/* release frees exactly the entries that serve snapshots up to @upto */
static void bv_acct_release_frees(struct kunit *test)
{
	struct bv_acct *a = bv_t_acct(test, 0, 1);
	struct bv_acct *b = bv_t_acct(test, 1, 1);
	u32 e;

	for (e = 1; e <= 5; e++)
		bv_t_add(test, a, e, true, 10);
	KUNIT_EXPECT_EQ(test, bv_t_used(test), 4);	/* [2] [3] [4] [5] */

	bv_acct_release(a, 3, bv_t_budget(test));
	KUNIT_EXPECT_EQ(test, bv_t_used(test), 2);
	bv_t_expect_no_cut(test, a, 2);
	bv_t_expect_no_cut(test, a, 3);
	bv_t_expect_cut(test, a, 4, 3, 30, 0, 0);
	bv_t_expect_cut(test, a, 5, 4, 40, 0, 0);
	bv_t_expect_cut(test, a, 6, 5, 50, 0, 0);

	/* releasing again, or below what is left, frees nothing */
	bv_acct_release(a, 3, bv_t_budget(test));
	bv_acct_release(a, 1, bv_t_budget(test));
	KUNIT_EXPECT_EQ(test, bv_t_used(test), 2);

	/* an entry still serving a snapshot after @upto stays whole */
	bv_t_add(test, b, 1, false, 1);
	bv_t_add(test, b, 7, false, 1);		/* [2, 7] */
	KUNIT_EXPECT_EQ(test, bv_t_used(test), 3);
	bv_acct_release(b, 5, bv_t_budget(test));
	KUNIT_EXPECT_EQ(test, bv_t_used(test), 3);
	bv_t_expect_cut(test, b, 6, 0, 0, 1, 1);
	bv_t_expect_cut(test, b, 7, 0, 0, 1, 1);
	bv_acct_release(b, 7, bv_t_budget(test));
	KUNIT_EXPECT_EQ(test, bv_t_used(test), 2);
	bv_t_expect_no_cut(test, b, 7);
	bv_t_expect_cut(test, b, 8, 0, 0, 2, 2);	/* the current value */

	/* release across the wrap */
	bv_acct_release(a, 0xffffffff, bv_t_budget(test));
	KUNIT_EXPECT_EQ(test, bv_t_used(test), 2);	/* 0xffffffff < 4 */
	bv_acct_release(a, 5, bv_t_budget(test));
	KUNIT_EXPECT_EQ(test, bv_t_used(test), 0);
	KUNIT_EXPECT_NULL(test, a->hist);
	KUNIT_EXPECT_NULL(test, b->hist);
	bv_t_expect_cut(test, a, 6, 5, 50, 0, 0);
}

static void bv_acct_destroy_frees_all(struct kunit *test)
{
	struct bv_acct *a = bv_t_acct(test, 0, 10);
	struct bv_acct *b = bv_t_acct(test, 1, 10);
	u32 e;

	for (e = 10; e < 60; e += 2)
		bv_t_add(test, a, e, e & 4, e);
	for (e = 10; e < 20; e++)
		bv_t_add(test, b, e, false, e);
	KUNIT_EXPECT_EQ(test, bv_t_used(test), 24 + 9);
	bv_acct_destroy(a, bv_t_budget(test));
	KUNIT_EXPECT_EQ(test, bv_t_used(test), 9);
	bv_acct_destroy(b, bv_t_budget(test));
	KUNIT_EXPECT_EQ(test, bv_t_used(test), 0);
	KUNIT_EXPECT_NULL(test, a->hist);
	bv_acct_destroy(a, bv_t_budget(test));	/* idempotent */
	KUNIT_EXPECT_EQ(test, bv_t_used(test), 0);
}

/*
 * Over budget: the at-cut value is not saved, and the entry is left exactly
 * as it was, so that snapshots that may already be complete keep reading
 * what they read (complete records never change); the packet is the
 * caller's to count elsewhere. An exempt entry ignores the limit.
 */
static void bv_acct_add_budget_limit(struct kunit *test)
{
	struct bv_budget *bud = bv_t_budget(test);
	struct bv_acct *a = bv_t_acct(test, 0, 1);
	struct bv_pkt p = { .len = 10, .tx = true };
	u32 lf = 0, ll = 0;

	bud->max = 1;
	bv_t_add(test, a, 1, true, 10);
	KUNIT_EXPECT_EQ(test, bv_t_add(test, a, 2, true, 10), BV_ADD_OK);
	KUNIT_EXPECT_EQ(test, bv_t_used(test), 1);
	KUNIT_EXPECT_EQ(test, bv_t_limit_hits(test), 0);

	KUNIT_EXPECT_EQ(test, bv_acct_add(a, 3, &p, bud, false, &lf, &ll),
			BV_ADD_LOST);
	KUNIT_EXPECT_EQ(test, lf, 3);
	KUNIT_EXPECT_EQ(test, ll, 3);
	KUNIT_EXPECT_EQ(test, bv_t_limit_hits(test), 1);
	KUNIT_EXPECT_EQ(test, bv_t_used(test), 1);
	/* untouched: still at epoch 2, two packets */
	KUNIT_EXPECT_EQ(test, a->epoch, 2);
	KUNIT_EXPECT_EQ(test, a->cur.tx_pkts, 2);

	KUNIT_EXPECT_EQ(test, bv_acct_add(a, 6, &p, bud, false, &lf, &ll),
			BV_ADD_LOST);
	KUNIT_EXPECT_EQ(test, lf, 3);
	KUNIT_EXPECT_EQ(test, ll, 6);
	KUNIT_EXPECT_EQ(test, bv_t_limit_hits(test), 2);
	KUNIT_EXPECT_EQ(test, bv_t_used(test), 1);

	bv_t_expect_cut(test, a, 2, 1, 10, 0, 0);	/* saved in time */
	/* every later snapshot reads what it read before the refusals */
	bv_t_expect_cut(test, a, 3, 2, 20, 0, 0);
	bv_t_expect_cut(test, a, 6, 2, 20, 0, 0);
	bv_t_expect_cut(test, a, 7, 2, 20, 0, 0);

	/* exempt: the limit does not apply, the entry is counted */
	KUNIT_EXPECT_EQ(test, bv_acct_add(a, 6, &p, bud, true, &lf, &ll),
			BV_ADD_OK);
	KUNIT_EXPECT_EQ(test, bv_t_used(test), 2);
	KUNIT_EXPECT_EQ(test, bv_t_limit_hits(test), 2);
	bv_t_expect_cut(test, a, 6, 2, 20, 0, 0);
	bv_t_expect_cut(test, a, 7, 3, 30, 0, 0);

	/* room again after a release: the next cut is saved */
	bv_acct_release(a, 6, bud);
	KUNIT_EXPECT_EQ(test, bv_t_used(test), 0);
	KUNIT_EXPECT_EQ(test, bv_t_add(test, a, 8, true, 10), BV_ADD_OK);
	bv_t_expect_cut(test, a, 7, 3, 30, 0, 0);
	bv_t_expect_cut(test, a, 8, 3, 30, 0, 0);
	bv_t_expect_no_cut(test, a, 6);

	/* a budget of 0 and no counters to bump */
	bud->max = 0;
	bud->limit_hits = NULL;
	bud->nomem = NULL;
	KUNIT_EXPECT_EQ(test, bv_acct_add(a, 9, &p, bud, false, &lf, &ll),
			BV_ADD_LOST);
	KUNIT_EXPECT_EQ(test, lf, 9);
	KUNIT_EXPECT_EQ(test, ll, 9);
	KUNIT_EXPECT_EQ(test, a->cur.tx_pkts, 4);
}

/* a packet older than the entry's epoch: counted, and reported */
static void bv_acct_add_misorder(struct kunit *test)
{
	struct bv_acct *a = bv_t_acct(test, 0, 1);
	struct bv_pkt p = { .len = 7, .tx = false };
	u32 lf = 0, ll = 0;

	bv_t_add(test, a, 1, false, 7);
	bv_t_add(test, a, 5, false, 7);
	KUNIT_EXPECT_EQ(test, bv_acct_add(a, 3, &p, bv_t_budget(test), false,
					  &lf, &ll), BV_ADD_MISORDER);
	/* the snapshots that should have counted it: (3, 5] */
	KUNIT_EXPECT_EQ(test, lf, 4);
	KUNIT_EXPECT_EQ(test, ll, 5);
	KUNIT_EXPECT_EQ(test, a->epoch, 5);	/* never goes back */
	KUNIT_EXPECT_EQ(test, a->cur.rx_pkts, 3);
	bv_t_expect_cut(test, a, 6, 0, 0, 3, 21);

	/* across the wrap */
	bv_acct_destroy(a, bv_t_budget(test));
	bv_acct_init(a, 0xffffffff);
	bv_t_add(test, a, 0xffffffff, false, 1);
	bv_t_add(test, a, 2, false, 1);
	KUNIT_EXPECT_EQ(test, bv_acct_add(a, 0xfffffffe, &p,
					  bv_t_budget(test), false, &lf, &ll),
			BV_ADD_MISORDER);
	KUNIT_EXPECT_EQ(test, lf, 0xffffffff);
	KUNIT_EXPECT_EQ(test, ll, 2);
	KUNIT_EXPECT_EQ(test, a->epoch, 2);
}

/* TCP: the serial-highest end sequence, across the 2^32 wrap */
static void bv_totals_add_seq_wrap(struct kunit *test)
{
	struct bv_acct *a = bv_t_acct(test, 0, 1);
	struct bv_pkt tx = { .len = 100, .tx = true, .has_seq = true };
	struct bv_pkt rx = { .len = 100, .tx = false, .has_seq = true };
	struct bv_pkt plain = { .len = 1, .tx = true };
	struct bv_totals t;
	u32 lf, ll;

	KUNIT_EXPECT_FALSE(test, a->cur.tx_seq_valid);
	tx.end_seq = 0xffffff00;
	bv_acct_add(a, 1, &tx, bv_t_budget(test), false, &lf, &ll);
	KUNIT_EXPECT_TRUE(test, a->cur.tx_seq_valid);
	KUNIT_EXPECT_FALSE(test, a->cur.rx_seq_valid);
	KUNIT_EXPECT_EQ(test, a->cur.tx_seq, 0xffffff00);

	tx.end_seq = 0x20;				/* wrapped: newer */
	bv_acct_add(a, 2, &tx, bv_t_budget(test), false, &lf, &ll);
	KUNIT_EXPECT_EQ(test, a->cur.tx_seq, 0x20);
	tx.end_seq = 0xfffffff0;			/* retransmission */
	bv_acct_add(a, 2, &tx, bv_t_budget(test), false, &lf, &ll);
	KUNIT_EXPECT_EQ(test, a->cur.tx_seq, 0x20);
	bv_acct_add(a, 2, &plain, bv_t_budget(test), false, &lf, &ll);
	KUNIT_EXPECT_EQ(test, a->cur.tx_seq, 0x20);

	/* 0 is an ordinary sequence number */
	rx.end_seq = 0;
	bv_acct_add(a, 2, &rx, bv_t_budget(test), false, &lf, &ll);
	KUNIT_EXPECT_TRUE(test, a->cur.rx_seq_valid);
	KUNIT_EXPECT_EQ(test, a->cur.rx_seq, 0);
	rx.end_seq = 0x7fffffff;
	bv_acct_add(a, 2, &rx, bv_t_budget(test), false, &lf, &ll);
	KUNIT_EXPECT_EQ(test, a->cur.rx_seq, 0x7fffffff);
	rx.end_seq = 0x80000010;
	bv_acct_add(a, 3, &rx, bv_t_budget(test), false, &lf, &ll);
	KUNIT_EXPECT_EQ(test, a->cur.rx_seq, 0x80000010);

	/* each cut keeps the sequence numbers of its instant */
	KUNIT_ASSERT_TRUE(test, bv_acct_at_cut(a, 2, &t));
	KUNIT_EXPECT_TRUE(test, t.tx_seq_valid);
	KUNIT_EXPECT_EQ(test, t.tx_seq, 0xffffff00);
	KUNIT_EXPECT_FALSE(test, t.rx_seq_valid);
	KUNIT_ASSERT_TRUE(test, bv_acct_at_cut(a, 3, &t));
	KUNIT_EXPECT_EQ(test, t.tx_seq, 0x20);
	KUNIT_EXPECT_TRUE(test, t.rx_seq_valid);
	KUNIT_EXPECT_EQ(test, t.rx_seq, 0x7fffffff);
	KUNIT_ASSERT_TRUE(test, bv_acct_at_cut(a, 4, &t));
	KUNIT_EXPECT_EQ(test, t.rx_seq, 0x80000010);
	KUNIT_EXPECT_EQ(test, t.tx_pkts, 4);
	KUNIT_EXPECT_EQ(test, t.tx_bytes, 301);
}

/* a GSO/GRO packet counts as the segments it stands for */
static void bv_totals_add_segs(struct kunit *test)
{
	struct bv_pkt gso = { .len = 4500, .segs = 3, .tx = true };
	struct bv_pkt gro = { .len = 2920, .segs = 2, .tx = false };
	struct bv_pkt one = { .len = 60, .segs = 0, .tx = true };
	struct bv_totals t = {};

	bv_totals_add(&t, &gso);
	bv_totals_add(&t, &gro);
	bv_totals_add(&t, &one);
	KUNIT_EXPECT_EQ(test, t.tx_pkts, 4);
	KUNIT_EXPECT_EQ(test, t.tx_bytes, 4560);
	KUNIT_EXPECT_EQ(test, t.rx_pkts, 2);
	KUNIT_EXPECT_EQ(test, t.rx_bytes, 2920);
	KUNIT_EXPECT_FALSE(test, t.tx_seq_valid);
	KUNIT_EXPECT_FALSE(test, t.rx_seq_valid);
}

/*
 * Retirement: a flow whose packets all belong to released epochs joins the
 * aggregate, and every cut the aggregate still answers for sees it; cuts
 * with or without a saved value, and later ones, alike.
 */
static void bv_acct_fold_retired(struct kunit *test)
{
	struct bv_acct *agg = bv_t_acct(test, 0, 0);
	struct bv_acct *f = bv_t_acct(test, 1, 1);

	/* the aggregate: untracked packets in epochs 2 and 6 */
	KUNIT_EXPECT_EQ(test, bv_t_add(test, agg, 2, true, 10), BV_ADD_OK);
	KUNIT_EXPECT_EQ(test, bv_t_add(test, agg, 6, false, 20), BV_ADD_OK);
	/* the flow: epochs 1 and 3, idle since */
	KUNIT_EXPECT_EQ(test, bv_t_add(test, f, 1, true, 100), BV_ADD_OK);
	KUNIT_EXPECT_EQ(test, bv_t_add(test, f, 3, false, 300), BV_ADD_OK);

	/* epochs up to 4 released: the flow is needed by no cut held */
	bv_acct_release(agg, 4, bv_t_budget(test));
	bv_acct_release(f, 4, bv_t_budget(test));
	KUNIT_EXPECT_NULL(test, f->hist);
	bv_acct_fold(agg, &f->cur);
	bv_acct_destroy(f, bv_t_budget(test));

	/* cuts 5 and 6 (a saved value, (2, 6]) and 7 (the current one) */
	bv_t_expect_cut(test, agg, 5, 2, 110, 1, 300);
	bv_t_expect_cut(test, agg, 6, 2, 110, 1, 300);
	bv_t_expect_cut(test, agg, 7, 2, 110, 2, 320);
	/* a fold keeps no sequence number and saves no value */
	KUNIT_EXPECT_FALSE(test, agg->cur.tx_seq_valid);
	KUNIT_EXPECT_EQ(test, bv_t_used(test), 1);
	/* folding nothing changes nothing */
	memset(&f->cur, 0, sizeof(f->cur));
	bv_acct_fold(agg, &f->cur);
	bv_t_expect_cut(test, agg, 7, 2, 110, 2, 320);
}

/* one TCP segment of a flow entry: [seq, seq + len) plus SYN/FIN */
static void bv_t_seg(struct kunit *test, struct bv_acct *a, u32 epoch,
		     bool tx, u8 tcp, u32 seq, u32 len, u32 syn_gen)
{
	struct bv_pkt p = {
		.len = 40 + len, .tx = tx, .has_seq = true, .seq = seq,
		.end_seq = seq + len + !!(tcp & BV_PKT_SYN) +
			   !!(tcp & BV_PKT_FIN),
		.tcp = tcp, .syn_gen = syn_gen,
	};
	u32 lf, ll;

	KUNIT_EXPECT_EQ(test, bv_acct_add(a, epoch, &p, bv_t_budget(test),
					  false, &lf, &ll), BV_ADD_OK);
}

/* a TCP flow entry created with the member's SYN counter at @gen */
static struct bv_acct *bv_t_tcp(struct kunit *test, int i, u32 epoch,
				u32 gen)
{
	struct bv_acct *a = bv_t_acct(test, i, epoch);

	a->cur.has_gen = 1;
	a->cur.gen = gen;
	return a;
}

/*
 * The start of each stream: a SYN counted as the first packet of its
 * direction gives the ISN; the at-cut values keep what was known at the
 * cut; FINs are flagged; only a SYN without ACK moves the generation.
 */
static void bv_totals_tcp_isn(struct kunit *test)
{
	struct bv_acct *a = bv_t_tcp(test, 0, 1, 7);
	struct bv_totals t;

	/* a server: the client's SYN, then our SYN-ACK */
	bv_t_seg(test, a, 1, false, BV_PKT_SYN, 0xfffffff0, 0, 8);
	KUNIT_EXPECT_TRUE(test, a->cur.rx_isn_valid);
	KUNIT_EXPECT_EQ(test, a->cur.rx_isn, 0xfffffff0);
	KUNIT_EXPECT_EQ(test, a->cur.gen, 8);
	KUNIT_EXPECT_EQ(test, a->cur.tcp, BEAVER_TOT_F_SYN);
	KUNIT_EXPECT_FALSE(test, a->cur.tx_isn_valid);
	bv_t_seg(test, a, 1, true, BV_PKT_SYN | BV_PKT_ACK, 1000, 0, 99);
	KUNIT_EXPECT_TRUE(test, a->cur.tx_isn_valid);
	KUNIT_EXPECT_EQ(test, a->cur.tx_isn, 1000);
	KUNIT_EXPECT_EQ(test, a->cur.gen, 8);	/* SYN-ACK: not a start */
	/* the SYN again (retransmitted): same ISN, still valid */
	bv_t_seg(test, a, 1, false, BV_PKT_SYN, 0xfffffff0, 0, 9);
	KUNIT_EXPECT_TRUE(test, a->cur.rx_isn_valid);
	KUNIT_EXPECT_EQ(test, a->cur.gen, 9);
	/* data across the wrap, then the cut of 2 */
	bv_t_seg(test, a, 1, false, BV_PKT_ACK, 0xfffffff1, 100, 0);
	bv_t_seg(test, a, 2, true, BV_PKT_ACK, 1001, 10, 0);
	KUNIT_ASSERT_TRUE(test, bv_acct_at_cut(a, 2, &t));
	KUNIT_EXPECT_TRUE(test, t.rx_isn_valid && t.tx_isn_valid);
	KUNIT_EXPECT_EQ(test, t.rx_seq - t.rx_isn - 1, 100);
	/* the SYN-ACK only: 1001.. came after */
	KUNIT_EXPECT_EQ(test, t.tx_seq - t.tx_isn - 1, 0);
	KUNIT_EXPECT_EQ(test, t.tcp, BEAVER_TOT_F_SYN);
	/* the peer closes */
	bv_t_seg(test, a, 3, false, BV_PKT_FIN | BV_PKT_ACK, 0x55, 5, 0);
	KUNIT_EXPECT_EQ(test, a->cur.tcp, BEAVER_TOT_F_SYN |
			BEAVER_TOT_F_RX_FIN);
	/* 100 + 5 bytes, and the FIN */
	KUNIT_EXPECT_EQ(test, a->cur.rx_seq - a->cur.rx_isn - 1, 100 + 5 + 1);
	KUNIT_ASSERT_TRUE(test, bv_acct_at_cut(a, 3, &t));
	KUNIT_EXPECT_EQ(test, t.tx_seq - t.tx_isn - 1, 10);
	KUNIT_EXPECT_FALSE(test, t.tcp & BEAVER_TOT_F_RX_FIN);

	/* a new connection on the entry: neither start holds any more */
	bv_t_seg(test, a, 4, false, BV_PKT_SYN, 5000, 0, 20);
	KUNIT_EXPECT_FALSE(test, a->cur.rx_isn_valid);
	KUNIT_EXPECT_TRUE(test, a->cur.tcp & BEAVER_TOT_F_RX_ISN_BAD);
	KUNIT_EXPECT_EQ(test, a->cur.gen, 20);
	bv_t_seg(test, a, 4, true, BV_PKT_SYN | BV_PKT_ACK, 7000, 0, 0);
	KUNIT_EXPECT_FALSE(test, a->cur.tx_isn_valid);
	KUNIT_EXPECT_TRUE(test, a->cur.tcp & BEAVER_TOT_F_TX_ISN_BAD);
	/* and it does not come back with the same SYN again */
	bv_t_seg(test, a, 4, false, BV_PKT_SYN, 5000, 0, 21);
	KUNIT_EXPECT_FALSE(test, a->cur.rx_isn_valid);
	/* the older cut still knows its connection */
	KUNIT_ASSERT_TRUE(test, bv_acct_at_cut(a, 3, &t));
	KUNIT_EXPECT_TRUE(test, t.rx_isn_valid && t.tx_isn_valid);
	KUNIT_EXPECT_EQ(test, t.gen, 9);
}

/* seen mid-stream: no ISN, and a later SYN does not make one */
static void bv_totals_tcp_midstream(struct kunit *test)
{
	struct bv_acct *a = bv_t_tcp(test, 0, 1, 3);
	struct bv_acct *ch = bv_t_acct(test, 1, 1);

	bv_t_seg(test, a, 1, false, BV_PKT_ACK, 100, 10, 0);
	KUNIT_EXPECT_FALSE(test, a->cur.rx_isn_valid);
	KUNIT_EXPECT_EQ(test, a->cur.tcp, 0);
	KUNIT_EXPECT_EQ(test, a->cur.gen, 3);
	bv_t_seg(test, a, 1, false, BV_PKT_SYN, 50, 0, 4);
	KUNIT_EXPECT_FALSE(test, a->cur.rx_isn_valid);
	KUNIT_EXPECT_TRUE(test, a->cur.tcp & BEAVER_TOT_F_RX_ISN_BAD);
	/* the other direction starts properly */
	bv_t_seg(test, a, 1, true, BV_PKT_SYN | BV_PKT_ACK, 9, 0, 0);
	KUNIT_EXPECT_TRUE(test, a->cur.tx_isn_valid);
	KUNIT_EXPECT_EQ(test, a->cur.tx_isn, 9);

	/* channels (no generation) track no start at all */
	bv_t_seg(test, ch, 1, false, BV_PKT_SYN, 50, 0, 4);
	KUNIT_EXPECT_FALSE(test, ch->cur.rx_isn_valid);
	KUNIT_EXPECT_EQ(test, ch->cur.tcp, 0);
	KUNIT_EXPECT_EQ(test, ch->cur.gen, 0);
	KUNIT_EXPECT_TRUE(test, ch->cur.rx_seq_valid);
}

static struct kunit_case beaver_records_cases[] = {
	KUNIT_CASE(bv_acct_at_cut_attribution),
	KUNIT_CASE(bv_acct_at_cut_untouched),
	KUNIT_CASE(bv_acct_at_cut_born_after),
	KUNIT_CASE(bv_acct_at_cut_range),
	KUNIT_CASE(bv_acct_at_cut_wraparound),
	KUNIT_CASE(bv_acct_at_cut_from_zero_high),
	KUNIT_CASE(bv_acct_release_frees),
	KUNIT_CASE(bv_acct_destroy_frees_all),
	KUNIT_CASE(bv_acct_add_budget_limit),
	KUNIT_CASE(bv_acct_add_misorder),
	KUNIT_CASE(bv_totals_add_seq_wrap),
	KUNIT_CASE(bv_totals_add_segs),
	KUNIT_CASE(bv_acct_fold_retired),
	KUNIT_CASE(bv_totals_tcp_isn),
	KUNIT_CASE(bv_totals_tcp_midstream),
	{}
};

static struct kunit_suite beaver_records_suite = {
	.name = "beaver_records",
	.init = bv_t_init,
	.exit = bv_t_exit,
	.test_cases = beaver_records_cases,
};

kunit_test_suite(beaver_records_suite);

MODULE_DESCRIPTION("KUnit tests for Beaver's epoch attribution of records");
MODULE_LICENSE("GPL");
