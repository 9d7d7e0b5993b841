/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The beaverctl socket: /run/beaver/beaverd.sock, AF_UNIX SOCK_SEQPACKET,
 * mode 0660, group `beaver` (configurable). One request datagram, one reply
 * (one datagram of at most BVC_MAX_MSG bytes, or several: BVC_PART below),
 * both JSON objects (jansson). A connection may carry several requests, one
 * after the other: the next request is read once the previous reply is sent.
 *
 * Request:  {"cmd": NAME, "args": {...}}          ("args" may be omitted)
 * Reply:    {"ok": true, "result": {...}}
 *        or {"ok": false, "error": "message", "code": "usage"|"notfound"|
 *            "rejected"|"failed"|"busy"|"internal"}
 *
 * Every result object carries "schema": "beaver-<what>/1" at its top level
 * (ctl.c adds the command's schema when a handler did not). Its fields are
 * the versioned JSON that `beaverctl --json` prints; docs/json-schema.md
 * documents every one of them. Within a schema version fields are only
 * added, never renamed or retyped.
 *
 *   status                -> "beaver-status/1"
 *       {"node","roles":[...],"group","control":{"listen","received","sent",
 *        "drops":{...}},"epoch":{"gateway","member","complete"},
 *        "module":{"version","caps"},"counters":{NAME: N...},
 *        "coordinator":{"outstanding","tau_min_ns","bound_median_ns",...}}
 *   snapshot {"wait":bool,"timeout_ms":N}
 *                         -> "beaver-summary/1": a snapshot object (below);
 *                            without wait, state is "pending". With wait the
 *                            reply comes when the snapshot reached a final
 *                            state or timeout_ms passed; a rejected or
 *                            failed snapshot is still ok:true (the state
 *                            says it); ok:false is for requests that started
 *                            no snapshot ("busy": max_outstanding reached)
 *   list {"limit":N,"before":ID} -> "beaver-list/1" {"snapshots":[snapshot...]}
 *   show {"id":N}         -> "beaver-show/1"
 *                            {"snapshot":{...},"attempts":[...],"report":{...}}
 *   export {"id":N}       -> the export document (schema "beaver-snapshot/1",
 *                            beaverd/json.h), usually larger than one
 *                            datagram: sent in parts, see BVC_PART below
 *   members               -> "beaver-members/2"
 *       {"members":[{"name","address","data","state","in_snapshots",
 *                    "reachable","answered","min_us","median_us",
 *                    "max_us"}...], "gateways":[...]}
 *   calibrate {"count":N} -> "beaver-calibrate/2"
 *       {"samples","lower_bound_us","tau_min_us","bound_ok","peers":[...]}
 *
 * A snapshot object: {"id","state","reason","epoch","created_ns",
 *   "finished_ns","tau_min_ns","bound_ns","attempts"} (bvj_snapshot_to_json)
 *
 * BVC_PART: a reply larger than BVC_MAX_MSG is sent as n >= 2 datagrams,
 * each {"part":i,"parts":n,"data":"<slice of the reply's JSON text>"} with
 * i = 0 .. n-1 in order. The reply text is pure ASCII (JSON_ENSURE_ASCII),
 * so a slice may end anywhere; the client concatenates the slices in order
 * and parses the result, which is an ordinary reply object. A reply never
 * exceeds BVC_MAX_REPLY bytes of JSON text.
 *
 * ---------------------------------------------------------------------------
 * Daemon side (ctl.c)
 *
 * The daemon registers a table of commands: name, schema and handler.
 *
 *   static const struct bvc_command cmds[] = {
 *       { "status",   "beaver-status/1",   h_status },
 *       { "snapshot", "beaver-summary/1",  h_snapshot },
 *       ...
 *   };
 *
 * A handler gets the request's "args" (an object, empty if the client sent
 * none; borrowed: json_incref() it to keep it past the call) and returns
 *   BVC_OK       *result is the result object (the reference is taken over;
 *                NULL means {}),
 *   BVC_DEFER    the reply comes later: keep req and call bvc_reply() or
 *                bvc_reply_error() exactly once (snapshot --wait),
 *   BVC_E_*      an error; err holds the message for the user (a default
 *                is used if it is empty).
 *
 * A handler may also answer with bvc_reply() before it returns (a deferred
 * operation that finished at once); it then returns BVC_DEFER and must not
 * keep req, which is freed when the handler returns. bvc_req_connected()
 * is false from that bvc_reply() on: test it after starting something that
 * may already have answered.
 *
 * A deferred request and its client: if the client disconnects first, the
 * cancel callback set with bvc_req_set_cancel() runs and req is freed right
 * after it (drop every pointer to it there). Without a cancel callback req
 * stays valid, detached, until bvc_reply*() frees it; the reply is dropped.
 * bvc_close() treats pending deferred requests the same way.
 *
 * Poll integration, two ways (pick one):
 *  - fd watchers (beaverd/loop.h): give bvc_config.watch/.unwatch; ctl.c
 *    calls them whenever a socket appears, changes the events it waits
 *    for, or goes away; each watcher's callback calls
 *    bvc_handle(srv, fd, revents). With loop.h (whose bvl_watch() adds a
 *    watcher, so a change is unwatch + watch):
 *        static void ctl_fd(int fd, short rev, void *s) { bvc_handle(s, fd, rev); }
 *        static void ctl_watch(void *ctx, struct bvc_server *s, int fd, short ev)
 *        { bvl_unwatch(fd); bvl_watch(fd, ev, ctl_fd, s); }
 *        static void ctl_unwatch(void *ctx, int fd) { bvl_unwatch(fd); }
 *  - a plain poll() loop: each iteration
 *        n = bvc_poll_fds(srv, pfd, BVC_MAX_CONNS + 1);
 *        poll(pfd, n + own fds, timeout);
 *        bvc_dispatch(srv, pfd, n);
 * bvc_handle() may close the fd it is given (and only that one); it
 * accepts on the listening socket, reads requests, calls handlers and
 * flushes replies that did not fit the socket buffer at once.
 *
 * Access control is the socket file's mode and group; each request is
 * logged at LOG_DEBUG with the peer's pid and uid (SO_PEERCRED).
 */
#ifndef BEAVERD_CTL_H
#define BEAVERD_CTL_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <jansson.h>

#define BVC_SOCKET_NAME	"beaverd.sock"
#define BVC_RUN_DIR	"/run/beaver"
#define BVC_GROUP	"beaver"
#define BVC_MAX_MSG	65536
/* JSON text per BVC_PART slice: at worst doubled by escaping, < BVC_MAX_MSG */
#define BVC_PART_SLICE	30000
#define BVC_MAX_REPLY	(256u << 20)
/* connections served at once; more are answered "busy" and closed */
#define BVC_MAX_CONNS	64

/* what a handler returns */
enum bvc_status {
	BVC_OK = 0,
	BVC_DEFER,		/* bvc_reply() comes later */
	BVC_E_USAGE,		/* "usage": bad arguments, unknown command */
	BVC_E_NOTFOUND,		/* "notfound": no such snapshot */
	BVC_E_REJECTED,		/* "rejected" */
	BVC_E_FAILED,		/* "failed" */
	BVC_E_BUSY,		/* "busy": too many outstanding, try later */
	BVC_E_INTERNAL,		/* "internal" */
	BVC_E_STANDBY,		/* "standby": not the active coordinator */
};

struct bvc_server;
struct bvc_req;

typedef int (*bvc_handler)(void *ctx, struct bvc_req *req, json_t *args,
			   json_t **result, char *err, size_t errlen);

struct bvc_command {
	const char *name;	/* "status" */
	const char *schema;	/* "beaver-status/1", added to results */
	bvc_handler fn;
};

/*
 * give @path to the group @group ("" leaves it): 0, or -errno with the
 * reason in @why (a missing group is the caller's warning, not an error)
 */
int bvc_chgrp(const char *path, const char *group, char *why,
	      size_t why_len);

struct bvc_config {
	const char *run_dir;	/* NULL: BVC_RUN_DIR; created (0755) if missing */
	const char *group;	/* NULL: BVC_GROUP; "" = no chown. A group that
				 * does not exist is a warning, not an error */
	unsigned int max_conns;	/* 0: BVC_MAX_CONNS (also the upper bound) */
	const struct bvc_command *cmds;
	size_t n_cmds;
	void *ctx;		/* passed to handlers */
	/* optional: log lines (syslog priority); NULL logs to stderr */
	void (*log)(void *ctx, int prio, const char *msg);
	/* optional fd watcher hooks (see above): watch() is called again
	 * with new events when they change; unwatch() before close() */
	void (*watch)(void *ctx, struct bvc_server *s, int fd, short events);
	void (*unwatch)(void *ctx, int fd);
};

/*
 * Create RUN_DIR/beaverd.sock: replaces a stale socket file, refuses
 * (-EADDRINUSE) when another daemon is listening on it and (-EEXIST) when
 * the path is something else than a socket. Mode 0660, chown to the group.
 * Returns 0 or -errno with why filled in.
 */
int bvc_open(const struct bvc_config *cfg, struct bvc_server **out,
	     char *why, size_t why_len);
/* close every connection (see deferred requests above), unlink the socket */
void bvc_close(struct bvc_server *s);

const char *bvc_path(const struct bvc_server *s);

/* plain poll() integration */
size_t bvc_poll_fds(struct bvc_server *s, struct pollfd *fds, size_t max);
void bvc_dispatch(struct bvc_server *s, const struct pollfd *fds, size_t n);
/* one fd's events (the listening socket's or a connection's) */
void bvc_handle(struct bvc_server *s, int fd, short revents);

/* finish a deferred request; takes over result (NULL means {}) and frees
 * req. Returns 0, or -ENOTCONN if the client was gone (reply dropped). */
int bvc_reply(struct bvc_req *req, json_t *result);
int bvc_reply_error(struct bvc_req *req, enum bvc_status code,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* a deferred request's client went away: cb(arg, req), then req is freed */
void bvc_req_set_cancel(struct bvc_req *req,
			void (*cb)(void *arg, struct bvc_req *req), void *arg);
/* the command name, and whether the request still waits for its reply
 * (false once answered, or once its client is gone) */
const char *bvc_req_cmd(const struct bvc_req *req);
bool bvc_req_connected(const struct bvc_req *req);
/* the client's credentials (SO_PEERCRED at accept; -1 if unknown) */
pid_t bvc_req_pid(const struct bvc_req *req);
uid_t bvc_req_uid(const struct bvc_req *req);

/* "usage", "notfound"...: the reply's "code" */
const char *bvc_status_code(enum bvc_status st);

#endif /* BEAVERD_CTL_H */
