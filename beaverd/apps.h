/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Local applications and the cut: RUN_DIR/apps.sock (AF_UNIX,
 * SOCK_SEQPACKET, mode 0660, same group as the beaverctl socket).
 *
 * An application connects and sends {"subscribe": NAME}. beaverd answers
 *     {"event":"hello","app_mark":MASK,"epoch":E}
 * (MASK: the [module] app_mark bits in which the member writes each
 * delivered packet's epoch, 0 if off; E: the member's epoch as beaverd
 * last knew it, the reference for reading those bits; sent again when a
 * reload changes the mask). On every cut of this member, beaverd sends
 * every subscriber
 *     {"event":"cut","epoch":LAST,"first":FIRST,"last":LAST,"cut_ns":T}
 * and the application may answer, once per cut, with
 *     {"epoch":LAST,"state":TEXT}
 * (TEXT at most BVA_STATE_MAX bytes). The text is attached to this
 * member's record of that snapshot, under "apps", if it arrives before the
 * record is collected; the record waits up to BVA_WAIT_MS after the
 * announcement for the applications that were told; later, second,
 * oversized or malformed answers are dropped and counted.
 *
 * An application with a connected TCP socket may ask, once it was told
 * of the cut of EPOCH, where that cut falls in the socket's two streams:
 *     {"op":"tcp_cut","id":N,"epoch":EPOCH,...}
 * with the socket itself passed along (SCM_RIGHTS: only the holder of a
 * connection learns its sequence numbers; other keys, such as the
 * addresses as text, are informational). beaverd takes the flow from the
 * socket's own addresses, reads this member's record of EPOCH from the
 * module and answers at once, before any other message to that
 * application:
 *     {"event":"tcp_cut","id":N,"known":true,
 *      "tx":{"isn":I,"seq":S,"fin":B},"rx":{...}}
 * (a direction with no packet before the cut has neither isn nor seq),
 * or {"event":"tcp_cut","id":N,"known":false,"why":TEXT} when the
 * record does not know the flow exactly (bvr_tcp_known()). The library
 * turns them into byte counts (libbeaver-app(3)).
 *
 * The contract (docs/applications.md): the kernel cuts before delivering
 * the first packet of the new epoch, but the announcement reaches the
 * application later, after it may have consumed post-cut packets. The
 * attached state is exact only for applications that can report their
 * state as of the cut: for instance by keeping, per connection, the state
 * after each message, and reporting the one that matches the flow totals
 * in the record (rx bytes or TCP sequence at the cut). Anything else is a
 * best-effort annotation.
 */
#ifndef BEAVERD_APPS_H
#define BEAVERD_APPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define BVA_STATE_MAX	4096
#define BVA_MAX_APPS	16
#define BVA_KEEP	64	/* cuts whose answers are kept */
/* how long a record waits for the answers of the applications told */
#define BVA_WAIT_MS	1000

struct bva_server;

/*
 * create RUN_DIR/apps.sock (0660, owned by the group @group: the
 * applications' group, beaverctl's socket group; NULL or "" leaves the
 * daemon's) and watch it on the loop
 */
int bva_open(const char *run_dir, const char *group, struct bva_server **out,
	     char *why, size_t why_len);
void bva_close(struct bva_server *s);

/*
 * The mark mask and the member's epoch that hellos carry; a changed mask
 * is announced to every subscriber at once
 */
void bva_set_mark(struct bva_server *s, uint32_t mask, uint32_t epoch);

/* announce a cut to every subscriber */
void bva_announce(struct bva_server *s, uint32_t first, uint32_t last,
		  uint64_t cut_ns);

/*
 * The answers for the cut that covers epoch (first..last), as a JSON array
 * [{"app":NAME,"state":TEXT}...] (a new reference; empty if none).
 */
json_t *bva_states(struct bva_server *s, uint32_t epoch);

/*
 * true while an application that was told of the cut covering @epoch has
 * not answered, for up to BVA_WAIT_MS after the announcement: the agent
 * holds the record back (the coordinator asks again), so that answers
 * that are merely slow are not lost
 */
bool bva_waiting(const struct bva_server *s, uint32_t epoch);

struct bvr_records;
/*
 * How apps.c reads this member's record of an epoch (merged shares): 0,
 * or -errno with @why; r is initialised and freed by the caller
 */
typedef int (*bva_records_fn)(void *ctx, uint32_t epoch,
			      struct bvr_records *r, char *why, size_t len);
/* set once the module is open; without it tcp_cut is answered unknown */
void bva_set_records(struct bva_server *s, bva_records_fn fn, void *ctx);

/* answers dropped (late, oversized, malformed) */
uint64_t bva_dropped(const struct bva_server *s);

#endif /* BEAVERD_APPS_H */
