// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * beaverctl: the command-line tool of Beaver. Talks to the local beaverd
 * over /run/beaver/beaverd.sock (beaverd/ctl.h). Like wg(8): a command
 * table, no command means `status`; like ip(8): --json on every command,
 * one print path (print.h) for text and JSON.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "beaverctl.h"
#include "print.h"

static int cmd_help(struct ctl *c, int argc, char **argv);

static const struct cmd commands[] = {
	{ "status", cmd_status, "",
	  "roles, epochs, counters (the default)" },
	{ "snapshot", cmd_snapshot,
	  "[--wait [--timeout SECS]] [--count N [--interval SECS]]",
	  "take a snapshot, or a series of them" },
	{ "list", cmd_list, "[--limit N] [--before ID]",
	  "snapshots, newest first" },
	{ "show", cmd_show, "[--svg FILE] ID|latest",
	  "a snapshot: attempts, report, channels; or a picture" },
	{ "export", cmd_export, "ID|latest...",
	  "snapshots with all their records, as JSON" },
	{ "members", cmd_members, "",
	  "members and gateways: up, down or removed; round trip" },
	{ "calibrate", cmd_calibrate, "[--count N]",
	  "the data-plane bound tau_min must not exceed" },
	{ "prune", cmd_prune, "[--keep N] [--older-than DAYS]",
	  "apply the snapshot retention now" },
	{ "genkey", cmd_genkey, "[FILE]",
	  "a new private key, to FILE (0600) or stdout" },
	{ "pubkey", cmd_pubkey, "[FILE|-]",
	  "the public key of a private key file (or stdin)" },
	{ "help", cmd_help, "[COMMAND]", "this text, or a command's" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char exit_codes[] =
	"Exit status:\n"
	"  0  success\n"
	"  1  a snapshot was rejected or failed (snapshot --wait), or had not\n"
	"     finished when --timeout passed\n"
	"  2  usage error\n"
	"  3  beaverd unreachable: its socket is missing, refuses connections,\n"
	"     or permission is denied\n"
	"  4  not found: show/export of a snapshot that does not exist\n"
	"  5  any other error (reported by beaverd, no reply in time, I/O)\n"
	"  6  snapshot --wait: accepted, but its verification found an\n"
	"     unbalanced channel (late packets not reported yet leave it so),\n"
	"     a channel it could not check (a member restarted since the\n"
	"     previous snapshot: the next one checks it), a missing or\n"
	"     incomplete record, or a member that delivered stamps it could\n"
	"     not read (id unread: it knew no epoch) (show ID says which)\n"
"  7  snapshot: this coordinator is a standby (it does not hold its\n"
"     active_address); the active one takes the snapshots\n";

static void usage_all(FILE *f)
{
	fprintf(f, "Usage: beaverctl [--json] [--socket PATH] COMMAND "
		"[ARGS]\n\nCommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++) {
		const struct cmd *k = &commands[i];
		int n = fprintf(f, "  %s %s", k->name, k->usage);

		if (n > 34)
			fprintf(f, "\n%*s", 36, "");
		else
			fprintf(f, "%*s", 36 - n, "");
		fprintf(f, "%s\n", k->help);
	}
	fprintf(f, "\nOptions:\n"
		"  -j, --json          print JSON: the daemon's result object, "
		"with \"schema\"\n"
		"  -s, --socket PATH   beaverd's socket (default $BEAVER_SOCKET "
		"or\n"
		"                      " BVCL_SOCKET ")\n"
		"  -h, --help          this text; COMMAND --help: the "
		"command's\n"
		"  -V, --version       print the version\n\n%s\n"
		"See beaverctl(8).\n", exit_codes);
}

static int cmd_help(struct ctl *c, int argc, char **argv)
{
	if (argc > 2)
		return ctl_usage(c, "too many arguments");
	if (argc == 2) {
		for (size_t i = 0; i < N_COMMANDS; i++) {
			if (!strcmp(commands[i].name, argv[1])) {
				c->cmd = &commands[i];
				return ctl_help(c);
			}
		}
		return ctl_usage(c, "unknown command '%s'", argv[1]);
	}
	usage_all(stdout);
	return BVX_OK;
}

/* --- shared with the commands -------------------------------------------- */

/* the message on stderr (and hint after it), an error object on stdout */
static int vfail(struct ctl *c, int exit, const char *code, const char *hint,
		 const char *fmt, va_list ap)
{
	char msg[600];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "beaverctl: %s\n%s", msg, hint ? hint : "");
	if (c->json) {
		pr_init(true, false);
		pr_begin(NULL);
		pr_str("schema", NULL, "beaver-error/1", PR_PLAIN);
		pr_str("error", NULL, msg, PR_PLAIN);
		pr_str("code", NULL, code, PR_PLAIN);
		pr_u64("exit", NULL, (uint64_t)exit, PR_PLAIN);
		pr_end();
	}
	return exit;
}

int ctl_fail(struct ctl *c, int exit, const char *code, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfail(c, exit, code, NULL, fmt, ap);
	va_end(ap);
	return rc;
}

static int ctl_fail_hint(struct ctl *c, const char *hint, const char *fmt,
			 ...) __attribute__((format(printf, 3, 4)));

static int ctl_fail_hint(struct ctl *c, const char *hint, const char *fmt,
			 ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfail(c, BVX_USAGE, "usage", hint, fmt, ap);
	va_end(ap);
	return rc;
}

int ctl_call(struct ctl *c, const char *cmd, const json_t *args,
	     int timeout_ms, json_t **result)
{
	struct bvcl_error e = { "", "" };
	int rc;

	rc = bvcl_call(c->socket, cmd, args, timeout_ms, result, &e);
	if (rc)
		return ctl_fail(c, rc, e.code, "%s", e.msg);
	return BVX_OK;
}

int ctl_help(struct ctl *c)
{
	printf("Usage: beaverctl [--json] %s%s%s\n  %s\n\n%s", c->cmd->name,
	       c->cmd->usage[0] ? " " : "", c->cmd->usage, c->cmd->help,
	       exit_codes);
	return BVX_OK;
}

int ctl_usage(struct ctl *c, const char *fmt, ...)
{
	char msg[512], hint[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->cmd)
		snprintf(hint, sizeof(hint), "Usage: beaverctl %s%s%s\n",
			 c->cmd->name, c->cmd->usage[0] ? " " : "",
			 c->cmd->usage);
	else
		snprintf(hint, sizeof(hint), "Try 'beaverctl help'.\n");
	return ctl_fail_hint(c, hint, "%s%s%s", c->cmd ? c->cmd->name : "",
			     c->cmd ? ": " : "", msg);
}

static char **getopt_argv;

int ctl_getopt(struct ctl *c, int argc, char **argv,
	       const struct ctl_opt *opts, char **arg, int *rc)
{
	struct option lo[16];
	char so[48] = ":jhs:";
	size_t n = 0, sl = strlen(so);
	int o;

	if (getopt_argv != argv) {
		getopt_argv = argv;
		optind = 0;	/* glibc: start over */
	}
	for (; opts && opts[n].name && n < 12; n++) {
		lo[n] = (struct option){ opts[n].name,
					 opts[n].has_arg ? required_argument
							 : no_argument,
					 NULL, opts[n].val };
		so[sl++] = (char)opts[n].val;
		if (opts[n].has_arg)
			so[sl++] = ':';
	}
	so[sl] = '\0';
	lo[n++] = (struct option){ "json", no_argument, NULL, 'j' };
	lo[n++] = (struct option){ "socket", required_argument, NULL, 's' };
	lo[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	lo[n] = (struct option){ 0 };

	opterr = 0;
	for (;;) {
		o = getopt_long(argc, argv, so, lo, NULL);
		*arg = optarg;
		if (o == 'j') {
			c->json = true;
			continue;
		}
		if (o == 's') {
			c->socket = optarg;
			continue;
		}
		if (o == 'h') {
			*rc = ctl_help(c);
			return -2;
		}
		if (o == '?' || o == ':') {
			const char *bad = argv[optind - 1];

			*rc = o == '?' ? ctl_usage(c, "unknown option '%s'", bad)
				       : ctl_usage(c, "option '%s' needs a value",
						   bad);
			return -2;
		}
		if (o == -1)
			pr_init(c->json, c->color);
		return o;
	}
}

int ctl_optind(void)
{
	return optind;
}

bool ctl_parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	char *end;

	if (!s || s[0] < '0' || s[0] > '9')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return !errno && *end == '\0' && *v <= max;
}

bool ctl_parse_secs(const char *s, uint64_t max_ms, uint64_t *ms)
{
	char *end;
	double d;

	if (!s || ((s[0] < '0' || s[0] > '9') && s[0] != '.'))
		return false;
	errno = 0;
	d = strtod(s, &end);
	if (errno || *end != '\0' || !isfinite(d) || d < 0 ||
	    d * 1000 > (double)max_ms)
		return false;
	*ms = (uint64_t)(d * 1000 + 0.5);
	return true;
}

/* --- main -------------------------------------------------------------------- */

static bool want_colour(void)
{
	const char *term = getenv("TERM"), *no = getenv("NO_COLOR");

	if (no && no[0])
		return false;
	return isatty(STDOUT_FILENO) && term && strcmp(term, "dumb") != 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	static char *status_argv[] = { (char *)"status", NULL };
	struct ctl c = { .socket = getenv("BEAVER_SOCKET") };
	int o;

	if (!c.socket || !c.socket[0])
		c.socket = BVCL_SOCKET;
	c.color = want_colour();
	/* a fresh parse, should main() run twice (tests/unit/test_beaverctl) */
	optind = 0;
	getopt_argv = NULL;
	opterr = 0;
	/* "+": global options stop at the command */
	while ((o = getopt_long(argc, argv, "+:js:hV", lo, NULL)) != -1) {
		switch (o) {
		case 'j':
			c.json = true;
			break;
		case 's':
			c.socket = optarg;
			break;
		case 'h':
			usage_all(stdout);
			return BVX_OK;
		case 'V':
			pr_init(c.json, false);
			pr_begin(NULL);
			pr_str("schema", NULL, "beaver-version/1", PR_PLAIN);
			pr_str("version", "beaverctl", BEAVER_VERSION, PR_PLAIN);
			return pr_end() ? BVX_ERROR : BVX_OK;
		case ':':
			return ctl_usage(&c, "option '%s' needs a value",
					 argv[optind - 1]);
		default:
			return ctl_usage(&c, "unknown option '%s'",
					 argv[optind - 1]);
		}
	}
	pr_init(c.json, c.color);
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		argc = 1;
		argv = status_argv;
	}
	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (!strcmp(commands[i].name, argv[0])) {
			c.cmd = &commands[i];
			return commands[i].fn(&c, argc, argv);
		}
	}
	return ctl_usage(&c, "unknown command '%s'", argv[0]);
}
