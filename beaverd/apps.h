/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Local applications and the cut: RUN_DIR/apps.sock (AF_UNIX,
 * SOCK_SEQPACKET, mode 0660, same group as the beaverctl socket).
 *
 * An application connects and sends {"subscribe": NAME}. On every cut of
 * this member, beaverd sends every subscriber
 *     {"event":"cut","epoch":LAST,"first":FIRST,"last":LAST,"cut_ns":T}
 * and the application may answer, once per cut, with
 *     {"epoch":LAST,"state":TEXT}
 * (TEXT at most BVA_STATE_MAX bytes). The text is attached to this
 * member's record of that snapshot, under "apps", if it arrives before the
 * record is collected; later or oversized answers are dropped and counted.
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

#include <stdint.h>
#include <jansson.h>

#define BVA_STATE_MAX	4096
#define BVA_MAX_APPS	16
#define BVA_KEEP	64	/* cuts whose answers are kept */

struct bva_server;

/* create RUN_DIR/apps.sock and watch it on the loop */
int bva_open(const char *run_dir, struct bva_server **out, char *why,
	     size_t why_len);
void bva_close(struct bva_server *s);

/* announce a cut to every subscriber */
void bva_announce(struct bva_server *s, uint32_t first, uint32_t last,
		  uint64_t cut_ns);

/*
 * The answers for the cut that covers epoch (first..last), as a JSON array
 * [{"app":NAME,"state":TEXT}...] (a new reference; empty if none).
 */
json_t *bva_states(struct bva_server *s, uint32_t epoch);

/* answers dropped (late, oversized, malformed) */
uint64_t bva_dropped(const struct bva_server *s);

#endif /* BEAVERD_APPS_H */
