/* SPDX-License-Identifier: GPL-2.0 */
/*
 * beaver-nl internals shared by its source files (one per command group):
 * the command context, exit codes, error reporting and argument parsing.
 */
#ifndef BEAVER_TOOLS_BNL_H
#define BEAVER_TOOLS_BNL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include "bvnl.h"
#include "records.h"

/* exit codes, part of the CLI contract with the VM scenario scripts */
enum {
	BNL_EXIT_OK = 0,
	BNL_EXIT_FAIL = 1,	/* the kernel refused, or a runtime error */
	BNL_EXIT_USAGE = 2,
	BNL_EXIT_TIMEOUT = 3,
	BNL_EXIT_NOFAMILY = 4,	/* no "beaver" family: module not loaded */
};

struct bnl {
	const char *netns;	/* -N NETNS, NULL for the current one */
	const char *cmd;	/* command name, for messages */
	bool dry_run;		/* BEAVER_NL_DRYRUN: print requests, send none */
};

/*
 * Open a socket in netns, or exit 1. The family is resolved by the first
 * bnl_request/bnl_dump (or bnl_resolve), so that every argument is checked
 * before the kernel is asked anything: a usage error exits 2 even where
 * the module is not loaded.
 */
struct bvnl *bnl_open(struct bnl *c, const char *netns);
/* resolve the family if not done yet, or exit (4: no family, 1: other) */
void bnl_resolve(struct bnl *c, struct bvnl *b);

/*
 * bvnl_request/bvnl_dump_retry (resolving the family first and setting
 * nlh's type to it) that report a kernel rejection as
 * `beaver-nl: CMD: STRERROR: EXTACK` and exit 1, and print an extack
 * message that came with a success as a warning. In dry-run mode the
 * request is printed as `request HEX` and not sent (cb never runs).
 */
void bnl_request(struct bnl *c, struct bvnl *b, struct nlmsghdr *nlh,
		 bvnl_cb_t cb, void *data);
void bnl_dump(struct bnl *c, struct bvnl *b, struct nlmsghdr *nlh,
	      bvnl_cb_t cb, void (*reset)(void *), void *data);

/* the error line for a failed request, then exit(BNL_EXIT_FAIL) */
noreturn void bnl_fail(struct bnl *c, struct bvnl *b, int err);
/* `beaver-nl: CMD: WHAT` and exit(code) */
noreturn void bnl_die(struct bnl *c, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* usage error: message, hint, exit(BNL_EXIT_USAGE) */
noreturn void bnl_usage(struct bnl *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void bnl_warn_ext(struct bnl *c, struct bvnl *b);

/* strict number parsing (decimal or 0x hex); false if malformed/too big */
bool bnl_parse_u64(const char *s, uint64_t max, uint64_t *v);
/* as bnl_parse_u64 or a usage error naming what */
uint64_t bnl_arg_u64(struct bnl *c, const char *what, const char *s,
		     uint64_t max);

/* print a cut record: "PREFIX epoch E first F last L ns T state S ..." */
void bnl_print_cut(const char *prefix, const struct bvr_cut *cut);

/* command entry points: argv[0] is the command name */
int bnl_cmd_config(struct bnl *c, int argc, char **argv);
int bnl_cmd_records(struct bnl *c, int argc, char **argv);
int bnl_cmd_wait_complete(struct bnl *c, int argc, char **argv);
int bnl_cmd_events(struct bnl *c, int argc, char **argv);
int bnl_cmd_advance_loop(struct bnl *c, int argc, char **argv);
int bnl_cmd_raw(struct bnl *c, int argc, char **argv);
int bnl_cmd_status(struct bnl *c, int argc, char **argv);

#endif /* BEAVER_TOOLS_BNL_H */
