// SPDX-License-Identifier: GPL-2.0
/*
 * beaver-nl: command-line client of the beaver generic netlink API, for the
 * VM scenario scripts. Output is one record per line, "key value" pairs,
 * so that bash and awk can read it without a parser; see usage() below for
 * the contract. This file holds main() and the one-request commands; the
 * others live in bnl-*.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>

#include "beaver.h"
#include "bnl.h"
#include "bvattr.h"

static const char usage_text[] =
"usage: beaver-nl [-N NETNS] COMMAND [ARGS]\n"
"  -N NETNS   act in network namespace NETNS (/run/netns/NETNS, or an\n"
"             absolute path such as /proc/PID/ns/net); default: current\n"
"\n"
"commands:\n"
"  info                        version STR / caps 0xHEX / stamp_len N\n"
"  config [role gateway|member|gateway+member|none|N] [group N]\n"
"         [members A,B,..|none] [vips A,..|none] [allow A/L,..|none]\n"
"         [settle MS] [max-flows N] [max-history N] [max-records N]\n"
"         [max-captures N] [capture-bytes N] [mss-clamp on|off] [flags N]\n"
"         [gateways A,..|none] [max-ahead N] [flow-idle MS]\n"
"                              one SET_CONFIG with only the given settings\n"
"  gw-advance EPOCH            prev P epoch E switch_ns T advanced 0|1\n"
"  member-advance EPOCH        same\n"
"  announce EPOCH [NETNS...]   MEMBER_ADVANCE with BEAVER_A_ANNOUNCE (no cut:\n"
"                              the epoch is only named, as the coordinator\n"
"                              does before its gateways advance), in each\n"
"                              NETNS (default: -N's); one `advance` line each\n"
"  status                      `key value` lines, stat.NAME N, obj.NAME N\n"
"  records EPOCH [--raw]       cut/flow/chan/capture lines (per-CPU shares\n"
"                              merged; --raw: unmerged, `cpu N` appended)\n"
"  records FIRST..LAST [--raw] the same for every epoch of the range, each\n"
"                              after an `epoch E` line\n"
"  release EPOCH\n"
"  flush\n"
"  wait-complete EPOCH [TIMEOUT_MS]   `complete epoch E`; exit 3 on timeout\n"
"                              (default 10000 ms)\n"
"  events [COUNT] [TIMEOUT_MS] `cut ...`/`complete ...` lines as events\n"
"                              arrive; COUNT 0 (default): until the timeout\n"
"                              (default 10000 ms); exit 3 if COUNT not reached\n"
"  advance-loop --mode gateway|member --netns A,B,.. --from E --count N\n"
"               [--interval-us U]\n"
"                              advance every netns (`-`: the current one) to\n"
"                              E, next(E), ...; prints last E, advances N\n"
"                              (requests that moved the epoch), requests N,\n"
"                              secs S\n"
"  raw CMD [--nlflags HEX] [TYPE:HEX]...\n"
"                              send command CMD with raw attributes (TYPE may\n"
"                              be `N|0x8000` for NLA_F_NESTED); prints `ok` or\n"
"                              `error ENAME msg \"EXTACK\"` (exit 1)\n"
"\n"
"output lines:\n"
"  cut epoch E first F last L ns T state cut|settling|complete flags N\n"
"      settle_ms N complete_ns T\n"
"  flow proto P laddr A lport N raddr A rport N tx_pkts N tx_bytes N rx_pkts N\n"
"      rx_bytes N tx_seq N|- rx_seq N|-\n"
"  chan kind member|vip|gateway|outside|bypass peer A tx_pkts N tx_bytes N\n"
"      rx_pkts N rx_bytes N inflight_pkts N inflight_bytes N\n"
"  late kind K peer A first F last L arrived E pkts N bytes N\n"
"      (in flight for snapshots F..L, arrived in epoch E after they closed)\n"
"  capture stamp S epoch E ns T len L data HEX|-\n"
"\n"
"exit: 0 ok, 1 refused by the kernel (`beaver-nl: CMD: STRERROR: EXTACK` on\n"
"stderr) or runtime error, 2 usage, 3 timeout, 4 family not found (module\n"
"not loaded). A success that carries an extack message prints it on stderr\n"
"as `beaver-nl: CMD: warning: MSG`.\n"
"BEAVER_NL_DRYRUN=1 in the environment prints each request as `request HEX`\n"
"instead of sending it (tests of the argument encoding).\n";

static void usage(FILE *f)
{
	fputs(usage_text, f);
}

static int cmd_info(struct bnl *c, int argc, char **argv);
static int cmd_advance(struct bnl *c, int argc, char **argv);
static int cmd_announce(struct bnl *c, int argc, char **argv);
static int cmd_epoch_only(struct bnl *c, int argc, char **argv);
static int cmd_flush(struct bnl *c, int argc, char **argv);

static const struct {
	const char *name;
	int (*fn)(struct bnl *c, int argc, char **argv);
} commands[] = {
	{ "info", cmd_info },
	{ "config", bnl_cmd_config },
	{ "gw-advance", cmd_advance },
	{ "member-advance", cmd_advance },
	{ "announce", cmd_announce },
	{ "status", bnl_cmd_status },
	{ "records", bnl_cmd_records },
	{ "release", cmd_epoch_only },
	{ "flush", cmd_flush },
	{ "wait-complete", bnl_cmd_wait_complete },
	{ "events", bnl_cmd_events },
	{ "advance-loop", bnl_cmd_advance_loop },
	{ "raw", bnl_cmd_raw },
};

/* --- info --------------------------------------------------------------- */

static int info_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[BEAVER_A_MAX + 1];
	uint64_t caps = 0, len = 0;

	(void)data;
	if (bva_parse_genl(nlh, tb, BEAVER_A_MAX))
		return -EBADMSG;
	if (tb[BEAVER_A_INFO_VERSION])
		printf("version %.*s\n",
		       (int)strnlen(mnl_attr_get_payload(tb[BEAVER_A_INFO_VERSION]),
				    mnl_attr_get_payload_len(tb[BEAVER_A_INFO_VERSION])),
		       (const char *)mnl_attr_get_payload(tb[BEAVER_A_INFO_VERSION]));
	if (tb[BEAVER_A_INFO_CAPS]) {
		if (bva_get_uint(tb[BEAVER_A_INFO_CAPS], &caps))
			return -EBADMSG;
		printf("caps 0x%" PRIx64 "\n", caps);
	}
	if (tb[BEAVER_A_INFO_STAMP_LEN]) {
		if (bva_get_uint(tb[BEAVER_A_INFO_STAMP_LEN], &len))
			return -EBADMSG;
		printf("stamp_len %" PRIu64 "\n", len);
	}
	return 0;
}

static int cmd_info(struct bnl *c, int argc, char **argv)
{
	struct bvnl *b;

	(void)argv;
	if (argc != 1)
		bnl_usage(c, "takes no arguments");
	b = bnl_open(c, c->netns);
	bnl_request(c, b, bvnl_msg(b, BEAVER_CMD_GET_INFO, 0), info_cb, NULL);
	bvnl_close(b);
	return BNL_EXIT_OK;
}

/* --- gw-advance, member-advance ----------------------------------------- */

static int advance_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[BEAVER_A_MAX + 1];
	uint64_t prev = 0, epoch = 0, ns = 0, adv = 0;

	(void)data;
	if (bva_parse_genl(nlh, tb, BEAVER_A_MAX) ||
	    (tb[BEAVER_A_PREV_EPOCH] && bva_get_uint(tb[BEAVER_A_PREV_EPOCH], &prev)) ||
	    (tb[BEAVER_A_EPOCH] && bva_get_uint(tb[BEAVER_A_EPOCH], &epoch)) ||
	    (tb[BEAVER_A_SWITCH_NS] && bva_get_uint(tb[BEAVER_A_SWITCH_NS], &ns)) ||
	    (tb[BEAVER_A_ADVANCED] && bva_get_uint(tb[BEAVER_A_ADVANCED], &adv)))
		return -EBADMSG;
	printf("prev %" PRIu64 " epoch %" PRIu64 " switch_ns %" PRIu64
	       " advanced %" PRIu64 "\n", prev, epoch, ns, adv);
	return 0;
}

static int cmd_advance(struct bnl *c, int argc, char **argv)
{
	uint8_t cmd = strcmp(argv[0], "gw-advance") ? BEAVER_CMD_MEMBER_ADVANCE
						    : BEAVER_CMD_GW_ADVANCE;
	struct nlmsghdr *nlh;
	struct bvnl *b;
	uint32_t e;

	if (argc != 2)
		bnl_usage(c, "needs EPOCH");
	/* 0 is not refused here: the kernel's refusal is worth testing */
	e = (uint32_t)bnl_arg_u64(c, "epoch", argv[1], UINT32_MAX);
	b = bnl_open(c, c->netns);
	nlh = bvnl_msg(b, cmd, 0);
	mnl_attr_put_u32(nlh, BEAVER_A_EPOCH, e);
	bnl_request(c, b, nlh, advance_cb, NULL);
	bvnl_close(b);
	return BNL_EXIT_OK;
}

/*
 * announce EPOCH [NETNS...]: what the coordinator's ANNOUNCE makes a
 * member's beaverd do, for labs without daemons (tests/vm/lib.sh
 * gw_advance); several namespaces in one exec, since under TCG an exec
 * costs tens of milliseconds
 */
static int cmd_announce(struct bnl *c, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	struct bvnl *b;
	uint32_t e;
	int i = 2;

	if (argc < 2)
		bnl_usage(c, "needs EPOCH");
	e = (uint32_t)bnl_arg_u64(c, "epoch", argv[1], UINT32_MAX);
	do {
		b = bnl_open(c, argc > 2 ? argv[i] : c->netns);
		nlh = bvnl_msg(b, BEAVER_CMD_MEMBER_ADVANCE, 0);
		mnl_attr_put_u32(nlh, BEAVER_A_EPOCH, e);
		mnl_attr_put(nlh, BEAVER_A_ANNOUNCE, 0, NULL);
		bnl_request(c, b, nlh, advance_cb, NULL);
		bvnl_close(b);
	} while (++i < argc);
	return BNL_EXIT_OK;
}

/* --- release, flush ----------------------------------------------------- */

static int cmd_epoch_only(struct bnl *c, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	struct bvnl *b;
	uint32_t e;

	if (argc != 2)
		bnl_usage(c, "needs EPOCH");
	e = (uint32_t)bnl_arg_u64(c, "epoch", argv[1], UINT32_MAX);
	b = bnl_open(c, c->netns);
	nlh = bvnl_msg(b, BEAVER_CMD_RELEASE, 0);
	mnl_attr_put_u32(nlh, BEAVER_A_EPOCH, e);
	bnl_request(c, b, nlh, NULL, NULL);
	bvnl_close(b);
	return BNL_EXIT_OK;
}

static int cmd_flush(struct bnl *c, int argc, char **argv)
{
	struct bvnl *b;

	(void)argv;
	if (argc != 1)
		bnl_usage(c, "takes no arguments");
	b = bnl_open(c, c->netns);
	bnl_request(c, b, bvnl_msg(b, BEAVER_CMD_FLUSH, 0), NULL, NULL);
	bvnl_close(b);
	return BNL_EXIT_OK;
}

/* --- main --------------------------------------------------------------- */

static bool is_help(const char *s)
{
	return !strcmp(s, "-h") || !strcmp(s, "--help") || !strcmp(s, "help");
}

int main(int argc, char **argv)
{
	struct bnl c = { 0 };
	const char *dry = getenv("BEAVER_NL_DRYRUN");
	int i = 1;

	/* scripts read our output through pipes: one line, one write */
	setvbuf(stdout, NULL, _IOLBF, 0);
	c.dry_run = dry && *dry && strcmp(dry, "0");
	while (i < argc && argv[i][0] == '-') {
		if (is_help(argv[i])) {
			usage(stdout);
			return BNL_EXIT_OK;
		} else if (!strcmp(argv[i], "-N") && i + 1 < argc) {
			c.netns = argv[i + 1];
			i += 2;
		} else if (!strncmp(argv[i], "-N", 2) && argv[i][2]) {
			c.netns = argv[i] + 2;
			i++;
		} else {
			fprintf(stderr, "beaver-nl: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return BNL_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return BNL_EXIT_USAGE;
	}
	for (int a = i + 1; a < argc; a++) {
		if (is_help(argv[a]) && strcmp(argv[a], "help")) {
			usage(stdout);
			return BNL_EXIT_OK;
		}
	}
	if (is_help(argv[i])) {
		usage(stdout);
		return BNL_EXIT_OK;
	}
	for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++) {
		if (!strcmp(argv[i], commands[k].name)) {
			c.cmd = commands[k].name;
			return commands[k].fn(&c, argc - i, argv + i);
		}
	}
	fprintf(stderr, "beaver-nl: unknown command '%s'\n", argv[i]);
	usage(stderr);
	return BNL_EXIT_USAGE;
}
