// SPDX-License-Identifier: GPL-2.0
/*
 * bvadvance: snapshots all the time, in the coordinator's order, without
 * the daemons: for make bench's mode C (bench/vm/datapath.sh).
 *
 *   bvadvance --gateways NS,.. --members NS,.. --from E [--interval-ms I]
 *             [--secs S]
 *
 * Every I ms (default 100; an absolute schedule, so the rate does not
 * drift with the requests' own time): every gateway advances to epoch E,
 * then every member is told E (what the coordinator does once the gateways
 * acknowledged: docs/design.md, Termination), then E = next(E). One
 * netlink socket per namespace, opened once; the process sleeps between
 * rounds. Until SIGTERM/SIGINT or S seconds; then prints `advances N secs
 * S last E` (N rounds done). Exit: 0, 1 a request refused or failed,
 * 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>

#include "beaver.h"
#include "beaver_stamp.h"
#include "bvnl.h"
#include "toolkit.h"

#define MAX_NETNS 64

const struct tk_tool tk_tool = {
	.name = "bvadvance",
	.fail_status = 1,
	.num_base = 0,
};

static const char usage_text[] =
"usage: bvadvance --gateways NS,.. --members NS,.. --from E [--interval-ms I]\n"
"                 [--secs S]\n"
"  every I ms (default 100): each gateway advances to epoch E, then each\n"
"  member is told E; then the next epoch. Until SIGTERM or S seconds;\n"
"  prints `advances N secs S last E`. NS: a name under /run/netns or a\n"
"  path; `-` the current namespace.\n"
"exit: 0 ok, 1 a request failed, 2 usage\n";

struct side {
	const char *names[MAX_NETNS];
	struct bvnl *socks[MAX_NETNS];
	int n;
};

static void split(char *list, struct side *s)
{
	char *save = NULL, *tok;

	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (s->n == MAX_NETNS)
			tk_usage_error("at most %d namespaces a side", MAX_NETNS);
		s->names[s->n++] = strcmp(tok, "-") ? tok : NULL;
	}
}

static void open_side(struct side *s)
{
	for (int k = 0; k < s->n; k++) {
		int err;

		s->socks[k] = bvnl_socket(s->names[k]);
		if (!s->socks[k])
			tk_die(s->names[k] ? s->names[k] : "(current netns)");
		err = bvnl_resolve(s->socks[k]);
		if (err) {
			fprintf(stderr, "bvadvance: netns %s: resolving the beaver family: %s\n",
				s->names[k] ? s->names[k] : "(current)", strerror(-err));
			exit(1);
		}
	}
}

static void advance(struct side *s, uint8_t cmd, uint32_t e)
{
	for (int k = 0; k < s->n; k++) {
		struct nlmsghdr *nlh = bvnl_msg(s->socks[k], cmd, 0);
		int err;

		mnl_attr_put_u32(nlh, BEAVER_A_EPOCH, e);
		err = bvnl_request(s->socks[k], nlh, NULL, NULL);
		if (err) {
			fprintf(stderr, "bvadvance: epoch %u, netns %s: %s%s%s\n", e,
				s->names[k] ? s->names[k] : "(current)", strerror(-err),
				bvnl_ext_msg(s->socks[k])[0] ? ": " : "",
				bvnl_ext_msg(s->socks[k]));
			exit(1);
		}
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "gateways", required_argument, NULL, 'g' },
		{ "members", required_argument, NULL, 'm' },
		{ "from", required_argument, NULL, 'f' },
		{ "interval-ms", required_argument, NULL, 'i' },
		{ "secs", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct side gw = { .n = 0 }, mb = { .n = 0 };
	uint64_t interval_ms = 100, secs = 0, n = 0;
	uint32_t e = 0, last = 0;
	int64_t t0, end = 0, at;
	int opt;
	bool has_from = false;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'g': split(optarg, &gw); break;
		case 'm': split(optarg, &mb); break;
		case 'f': e = (uint32_t)tk_num("--from", optarg, 1, UINT32_MAX); has_from = true; break;
		case 'i': interval_ms = tk_num("--interval-ms", optarg, 1, 60000); break;
		case 's': secs = tk_num("--secs", optarg, 1, 86400); break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: tk_usage_error("bad option");
		}
	}
	if (!has_from || (!gw.n && !mb.n) || optind != argc)
		tk_usage_error("needs --from E and --gateways or --members");
	open_side(&gw);
	open_side(&mb);
	tk_catch_signals();
	t0 = tk_now_ns();
	if (secs)
		end = t0 + (int64_t)secs * 1000000000;
	at = t0;
	while (!tk_stop && (!end || tk_now_ns() < end)) {
		advance(&gw, BEAVER_CMD_GW_ADVANCE, e);
		advance(&mb, BEAVER_CMD_MEMBER_ADVANCE, e);
		last = e;
		n++;
		e = bv_epoch_next(e);
		at += (int64_t)interval_ms * 1000000;
		if (at > tk_now_ns())
			tk_sleep_until_ns(at);
		else
			at = tk_now_ns();	/* behind: no burst to catch up */
	}
	printf("advances %" PRIu64 " secs %.3f last %u\n", n,
	       (double)(tk_now_ns() - t0) / 1e9, last);
	for (int k = 0; k < gw.n; k++)
		bvnl_close(gw.socks[k]);
	for (int k = 0; k < mb.n; k++)
		bvnl_close(mb.socks[k]);
	return 0;
}
