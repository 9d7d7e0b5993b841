/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * beaverctl: what main.c and the cmd_*.c files share. main.c parses the
 * global options and dispatches from its command table; each command
 * parses its own options, calls beaverd through ctl_call() and prints
 * through print.h.
 */
#ifndef BEAVERCTL_H
#define BEAVERCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include "client.h"

#ifndef BEAVER_VERSION
#define BEAVER_VERSION "0.1.0"
#endif

struct ctl {
	bool json;
	bool color;		/* stdout is a terminal, NO_COLOR unset */
	const char *socket;
	const struct cmd *cmd;	/* the command running */
};

struct cmd {
	const char *name;
	int (*fn)(struct ctl *c, int argc, char **argv);
	const char *usage;	/* arguments, after the name */
	const char *help;	/* one line */
};

/* call beaverd; on failure report the error (text and, with --json, an
 * error object) and return the exit code */
int ctl_call(struct ctl *c, const char *cmd, const json_t *args,
	     int timeout_ms, json_t **result);
/* report an error (stderr; with --json also a "beaver-error/1" object on
 * stdout) and return exit */
int ctl_fail(struct ctl *c, int exit, const char *code, const char *fmt,
	     ...) __attribute__((format(printf, 4, 5)));
/* a usage error of the running command: message, its usage line; 2 */
int ctl_usage(struct ctl *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* print the running command's usage to stdout (--help); 0 */
int ctl_help(struct ctl *c);

/*
 * Option parsing shared by commands: getopt_long over argv with the
 * command's options plus --json/-j and --help/-h. Returns the option
 * character, -1 at the end, or -2 when the command must return *rc
 * (a usage error was reported, or --help printed).
 */
struct ctl_opt {
	const char *name;
	bool has_arg;
	int val;
};
int ctl_getopt(struct ctl *c, int argc, char **argv,
	       const struct ctl_opt *opts, char **arg, int *rc);
/* the positional arguments left after ctl_getopt() returned -1 */
int ctl_optind(void);

/* strict number parsing for options; false if s is not one */
bool ctl_parse_u64(const char *s, uint64_t max, uint64_t *v);
/* seconds, decimals allowed ("0.5"), to milliseconds */
bool ctl_parse_secs(const char *s, uint64_t max_ms, uint64_t *ms);

/* commands (one file per group) */
int cmd_status(struct ctl *c, int argc, char **argv);
int cmd_snapshot(struct ctl *c, int argc, char **argv);
int cmd_list(struct ctl *c, int argc, char **argv);
int cmd_show(struct ctl *c, int argc, char **argv);
int cmd_export(struct ctl *c, int argc, char **argv);
int cmd_members(struct ctl *c, int argc, char **argv);
int cmd_calibrate(struct ctl *c, int argc, char **argv);
int cmd_prune(struct ctl *c, int argc, char **argv);
int cmd_genkey(struct ctl *c, int argc, char **argv);
int cmd_pubkey(struct ctl *c, int argc, char **argv);

/* a snapshot object's fields: as lines (show) or a table row (list);
 * detail adds the finishing time */
void print_snapshot_fields(const json_t *s, bool detail);
/* "ID" or "latest" to a snapshot id (asks beaverd for the latest) */
int ctl_snapshot_id(struct ctl *c, const char *s, int64_t *id);
/* an export (export, show --svg): a large snapshot takes a while to read
 * from the store and send */
#define EXPORT_TIMEOUT_MS 60000
/* call cmd with {"id": ID} for the snapshot named s ("ID" or "latest") */
int ctl_call_snapshot_id(struct ctl *c, const char *s, const char *cmd,
			 int timeout_ms, json_t **r);

#endif /* BEAVERCTL_H */
