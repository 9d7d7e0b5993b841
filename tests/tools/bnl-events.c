// SPDX-License-Identifier: GPL-2.0
/*
 * beaver-nl wait-complete and events: the "events" multicast group.
 *
 * wait-complete subscribes first and only then looks at the record by a
 * dump: the other order could miss a completion that happens in between.
 * It also re-checks by a dump every second and after the kernel dropped
 * events (ENOBUFS), so a lost event costs at most a second, never a hang.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>

#include "beaver.h"
#include "beaver_stamp.h"
#include "bnl.h"
#include "bvattr.h"
#include "records_nl.h"

#define DEFAULT_TIMEOUT_MS	10000
#define RECHECK_MS		1000

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* an events socket of c's namespace, subscribed */
static struct bvnl *open_events(struct bnl *c)
{
	struct bvnl *ev = bnl_open(c, c->netns);
	int err;

	bnl_resolve(c, ev);
	err = bvnl_subscribe_events(ev);
	if (err == -ENOENT)
		bnl_die(c, BNL_EXIT_FAIL, "the beaver family has no \"%s\" group",
			BEAVER_MCGRP_EVENTS);
	if (err)
		bnl_die(c, BNL_EXIT_FAIL, "subscribing to events: %s",
			strerror(-err));
	return ev;
}

/* --- wait-complete ------------------------------------------------------ */

struct waiter {
	uint32_t epoch;
	bool done;
};

static bool covers(const struct bvr_cut *cut, uint32_t e)
{
	return cut->epoch == e || bv_epoch_in(e, cut->first, cut->last);
}

/* dump callback: look at the cut record only */
static int dump_cut_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[BEAVER_A_MAX + 1];
	struct waiter *w = data;
	struct bvr_cut cut = { .epoch = w->epoch };

	if (bva_parse_genl(nlh, tb, BEAVER_A_MAX))
		return -EBADMSG;
	if (!tb[BEAVER_A_CUT])
		return 0;
	if (bvr_nl_parse_cut(tb[BEAVER_A_CUT], &cut))
		return -EBADMSG;
	if (cut.state == BEAVER_STATE_COMPLETE)
		w->done = true;
	return 0;
}

static void check_by_dump(struct bnl *c, struct bvnl *b, struct waiter *w)
{
	struct nlmsghdr *nlh = bvnl_msg(b, BEAVER_CMD_GET_RECORDS, 0);
	int err;

	mnl_attr_put_u32(nlh, BEAVER_A_EPOCH, w->epoch);
	err = bvnl_dump_retry(b, nlh, dump_cut_cb, NULL, w, BVNL_DUMP_TRIES);
	/* no record yet: the member has not cut; an interrupted dump: later */
	if (err && err != -ENOENT && err != -EINTR)
		bnl_fail(c, b, err);
}

static int wait_event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct waiter *w = data;
	struct bvr_cut cut;
	uint8_t cmd;

	if (bvr_nl_parse_event(nlh, &cmd, &cut))
		return -EBADMSG;
	if (cmd == BEAVER_CMD_EVENT_COMPLETE && covers(&cut, w->epoch))
		w->done = true;
	return 0;
}

int bnl_cmd_wait_complete(struct bnl *c, int argc, char **argv)
{
	struct waiter w = { 0 };
	int64_t timeout = DEFAULT_TIMEOUT_MS, deadline, next_check;
	struct bvnl *ev, *b;

	if (argc < 2 || argc > 3)
		bnl_usage(c, "needs EPOCH [TIMEOUT_MS]");
	w.epoch = (uint32_t)bnl_arg_u64(c, "epoch", argv[1], UINT32_MAX);
	if (argc == 3)
		timeout = (int64_t)bnl_arg_u64(c, "timeout", argv[2], INT32_MAX);
	if (c->dry_run)
		bnl_usage(c, "has no dry-run mode");
	ev = open_events(c);
	b = bnl_open(c, c->netns);
	bnl_resolve(c, b);
	deadline = now_ms() + timeout;
	next_check = 0;	/* at once: it may be complete already */
	while (!w.done) {
		int64_t now = now_ms(), until;
		int n;

		if (now >= next_check) {
			check_by_dump(c, b, &w);
			if (w.done)
				break;
			next_check = now + RECHECK_MS;
		}
		if (now >= deadline) {
			bvnl_close(ev);
			bvnl_close(b);
			bnl_die(c, BNL_EXIT_TIMEOUT,
				"epoch %u not complete after %lld ms", w.epoch,
				(long long)timeout);
		}
		until = next_check < deadline ? next_check : deadline;
		n = bvnl_recv_events(ev, (int)(until - now), wait_event_cb, &w);
		if (n == -ENOBUFS)
			next_check = 0;	/* events lost: look at the record */
		else if (n < 0)
			bnl_die(c, BNL_EXIT_FAIL, "receiving events: %s",
				strerror(-n));
	}
	printf("complete epoch %u\n", w.epoch);
	bvnl_close(ev);
	bvnl_close(b);
	return BNL_EXIT_OK;
}

/* --- events ------------------------------------------------------------- */

struct printer {
	uint64_t count;	/* 0: no limit */
	uint64_t seen;
};

static int print_event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct printer *p = data;
	struct bvr_cut cut;
	uint8_t cmd;

	/* one datagram may hold more events than were asked for */
	if (p->count && p->seen >= p->count)
		return 0;
	if (bvr_nl_parse_event(nlh, &cmd, &cut))
		return -EBADMSG;
	if (cmd == BEAVER_CMD_EVENT_CUT)
		bnl_print_cut("cut", &cut);
	else if (cmd == BEAVER_CMD_EVENT_COMPLETE)
		bnl_print_cut("complete", &cut);
	else
		return 0;	/* an event of a newer module: not ours */
	p->seen++;
	return 0;
}

int bnl_cmd_events(struct bnl *c, int argc, char **argv)
{
	uint64_t count = 0;
	int64_t timeout = DEFAULT_TIMEOUT_MS, deadline;
	struct printer p = { 0 };
	struct bvnl *ev;

	if (argc > 3)
		bnl_usage(c, "takes [COUNT] [TIMEOUT_MS]");
	if (argc >= 2)
		count = bnl_arg_u64(c, "count", argv[1], UINT32_MAX);
	if (argc == 3)
		timeout = (int64_t)bnl_arg_u64(c, "timeout", argv[2], INT32_MAX);
	if (c->dry_run)
		bnl_usage(c, "has no dry-run mode");
	p.count = count;
	ev = open_events(c);
	deadline = now_ms() + timeout;
	while (!count || p.seen < count) {
		int64_t now = now_ms();
		int n;

		if (now >= deadline)
			break;
		n = bvnl_recv_events(ev, (int)(deadline - now), print_event_cb,
				     &p);
		if (n == -ENOBUFS)
			fprintf(stderr, "beaver-nl: events: the kernel dropped events (socket buffer full)\n");
		else if (n < 0)
			bnl_die(c, BNL_EXIT_FAIL, "receiving events: %s",
				strerror(-n));
	}
	bvnl_close(ev);
	if (count && p.seen < count) {
		fprintf(stderr, "beaver-nl: events: %llu of %llu events before the timeout\n",
			(unsigned long long)p.seen, (unsigned long long)count);
		return BNL_EXIT_TIMEOUT;
	}
	return BNL_EXIT_OK;
}
