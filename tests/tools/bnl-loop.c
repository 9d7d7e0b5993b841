// SPDX-License-Identifier: GPL-2.0
/*
 * beaver-nl advance-loop: drive epochs E, next(E), ... through gateways or
 * members of several namespaces, the way the coordinator will, fast enough
 * for stress tests (one socket per namespace, opened once; one
 * request/ack round trip per advance).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>

#include "beaver.h"
#include "beaver_stamp.h"
#include "bnl.h"
#include "bvattr.h"

#define MAX_NETNS 64

struct loop_stats {
	uint64_t requests;
	uint64_t advances;	/* replies with BEAVER_A_ADVANCED 1 */
};

static int loop_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[BEAVER_A_MAX + 1];
	struct loop_stats *st = data;
	uint64_t adv = 0;

	if (bva_parse_genl(nlh, tb, BEAVER_A_MAX) ||
	    (tb[BEAVER_A_ADVANCED] && bva_get_uint(tb[BEAVER_A_ADVANCED], &adv)))
		return -EBADMSG;
	if (adv)
		st->advances++;
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void print_result(uint32_t last, const struct loop_stats *st,
			 double secs)
{
	printf("last %u\nadvances %" PRIu64 "\nrequests %" PRIu64
	       "\nsecs %.3f\n", last, st->advances, st->requests, secs);
}

/* split "A,B,C" into names; "-" stands for the -N (or current) netns */
static int split_netns(struct bnl *c, char *list, const char **out)
{
	char *save = NULL, *tok;
	int n = 0;

	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (n == MAX_NETNS)
			bnl_usage(c, "at most %d namespaces", MAX_NETNS);
		out[n++] = strcmp(tok, "-") ? tok : c->netns;
	}
	if (!n)
		bnl_usage(c, "--netns needs at least one name");
	return n;
}

int bnl_cmd_advance_loop(struct bnl *c, int argc, char **argv)
{
	const char *names[MAX_NETNS];
	struct bvnl *socks[MAX_NETNS];
	struct loop_stats st = { 0 };
	const char *mode = NULL;
	char *netns = NULL;
	uint64_t from = 0, count = 0, interval_us = 0;
	bool has_from = false, has_count = false;
	uint32_t e = 0, last = 0;
	int n = 1;
	uint8_t cmd;
	double t0;

	names[0] = c->netns;
	for (int i = 1; i < argc; i += 2) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			bnl_usage(c, "%s needs a value", k);
		if (!strcmp(k, "--mode"))
			mode = v;
		else if (!strcmp(k, "--netns"))
			netns = argv[i + 1];
		else if (!strcmp(k, "--from")) {
			from = bnl_arg_u64(c, "--from", v, UINT32_MAX);
			has_from = true;
		} else if (!strcmp(k, "--count")) {
			count = bnl_arg_u64(c, "--count", v, UINT32_MAX);
			has_count = true;
		} else if (!strcmp(k, "--interval-us"))
			interval_us = bnl_arg_u64(c, "--interval-us", v,
						  60ULL * 1000 * 1000);
		else
			bnl_usage(c, "unknown option '%s'", k);
	}
	if (!mode || (strcmp(mode, "gateway") && strcmp(mode, "member")))
		bnl_usage(c, "--mode gateway|member is required");
	if (!has_from || !has_count || !count)
		bnl_usage(c, "--from E and --count N (N >= 1) are required");
	cmd = strcmp(mode, "gateway") ? BEAVER_CMD_MEMBER_ADVANCE
				      : BEAVER_CMD_GW_ADVANCE;
	if (netns)
		n = split_netns(c, netns, names);
	if (c->dry_run)
		bnl_usage(c, "has no dry-run mode");
	for (int k = 0; k < n; k++) {
		socks[k] = bnl_open(c, names[k]);
		bnl_resolve(c, socks[k]);
	}

	t0 = now_s();
	for (uint64_t i = 0; i < count; i++) {
		e = i ? bv_epoch_next(e) : (uint32_t)from;
		if (i && interval_us) {
			struct timespec ts = {
				.tv_sec = (time_t)(interval_us / 1000000),
				.tv_nsec = (long)(interval_us % 1000000) * 1000,
			};

			while (nanosleep(&ts, &ts) && errno == EINTR)
				;
		}
		for (int k = 0; k < n; k++) {
			struct nlmsghdr *nlh = bvnl_msg(socks[k], cmd, 0);
			int err;

			mnl_attr_put_u32(nlh, BEAVER_A_EPOCH, e);
			st.requests++;
			err = bvnl_request(socks[k], nlh, loop_cb, &st);
			if (err) {
				print_result(last, &st, now_s() - t0);
				fprintf(stderr, "beaver-nl: advance-loop: failed at epoch %u in netns %s\n",
					e, names[k] ? names[k] : "(current)");
				bnl_fail(c, socks[k], err);
			}
			bnl_warn_ext(c, socks[k]);
		}
		last = e;
	}
	print_result(last, &st, now_s() - t0);
	for (int k = 0; k < n; k++)
		bvnl_close(socks[k]);
	return BNL_EXIT_OK;
}
