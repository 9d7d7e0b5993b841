/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * beaverctl's side of the beaverd socket (beaverd/ctl.h has the protocol):
 * connect, send one request, receive one reply (reassembling BVC_PART
 * datagrams), with a timeout. Every function returns a beaverctl exit code
 * (enum bvx) and fills struct bvcl_error with a message for the user.
 */
#ifndef BEAVERCTL_CLIENT_H
#define BEAVERCTL_CLIENT_H

#include <jansson.h>

/* beaverctl's exit codes (beaverctl(8), beaverctl --help) */
enum bvx {
	BVX_OK = 0,
	BVX_NOTOK = 1,		/* a snapshot was rejected or failed */
	BVX_USAGE = 2,		/* usage error */
	BVX_UNREACHABLE = 3,	/* daemon unreachable */
	BVX_NOTFOUND = 4,	/* no such snapshot */
	BVX_ERROR = 5,		/* any other error */
	BVX_UNVERIFIED = 6,	/* accepted, but its verification found
				 * something (snapshot --wait) */
	BVX_STANDBY = 7,	/* snapshot: a standby coordinator (it does
				 * not hold active_address) */
};

#define BVCL_SOCKET	"/run/beaver/beaverd.sock"
#define BVCL_TIMEOUT_MS	10000

struct bvcl_error {
	char msg[512];
	char code[16];		/* the daemon's "code", or a local one:
				 * "unreachable", "timeout", "protocol" */
};

/* the exit code for a reply's "code" */
int bvcl_exit_for(const char *code);

/* returns a connected fd (>= 0), or -BVX_UNREACHABLE / -BVX_ERROR */
int bvcl_connect(const char *path, struct bvcl_error *e);
/* {"cmd": cmd, "args": args}; args is borrowed and may be NULL */
int bvcl_send(int fd, const char *cmd, const json_t *args,
	      struct bvcl_error *e);
/*
 * Wait up to timeout_ms (< 0: forever) for one reply and return the reply
 * object ({"ok": ...}) in *reply, parts reassembled.
 */
int bvcl_recv(int fd, int timeout_ms, json_t **reply, struct bvcl_error *e);
/* ok: *result = the "result" object (a new reference); else the error */
int bvcl_result(const json_t *reply, json_t **result, struct bvcl_error *e);

/* all of the above on a fresh connection */
int bvcl_call(const char *path, const char *cmd, const json_t *args,
	      int timeout_ms, json_t **result, struct bvcl_error *e);

#endif /* BEAVERCTL_CLIENT_H */
