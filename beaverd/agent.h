/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The gateway and member side of the control plane: answers the
 * coordinator's advance, collect and release requests with the module's
 * help (a PING is probe.h's).
 *
 * Collection: the coordinator asks for a member's record of epoch E in
 * chunks (offset, up to BVD_CHUNK bytes); the first request dumps the
 * record from the module, turns it into JSON and keeps the text (SQLite,
 * and the last BVD_CACHED texts in memory, so that parallel snapshots
 * collected chunk by chunk cost O(size) each) until the coordinator
 * releases E. A record that is not complete yet is answered with -EAGAIN,
 * and the coordinator asks again: the agent knows which epochs are
 * complete from the module's completion events, so an incomplete record
 * costs no dump. A record larger than the control plane carries
 * (BVW_MAX_RECORD) is refused with -EFBIG and its size logged.
 */
#ifndef BEAVERD_AGENT_H
#define BEAVERD_AGENT_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "kmod.h"
#include "peer.h"
#include "store.h"

struct bva_server;

#define BVD_CHUNK 1200
#define BVD_CACHED 8	/* records kept in memory: parallel collections */

struct bvd_cached {
	uint32_t epoch;
	char *text;		/* NULL: free slot */
	size_t len;
	uint64_t used;		/* last use, for eviction */
};

struct bvd_agent {
	const struct bvd_config *cfg;
	struct bvd_kmod *kmod;
	struct bvs *store;
	struct bvd_peer_io *io;
	struct bva_server *apps;	/* may be NULL */
	/* the records being collected */
	struct bvd_cached cache[BVD_CACHED];
	uint64_t uses;
	/* every record up to this epoch is complete (0: none known) */
	uint32_t complete_upto;
	bool complete_known;
	/* counters for status */
	uint64_t advances, collects, releases, errors;
};

void bvd_agent_init(struct bvd_agent *a, const struct bvd_config *cfg,
		    struct bvd_kmod *kmod, struct bvs *store,
		    struct bvd_peer_io *io);
void bvd_agent_free(struct bvd_agent *a);

/*
 * the module completed records up to epoch (its completion event); with
 * known false, completion must be asked of the module again (events were
 * lost)
 */
void bvd_agent_completed(struct bvd_agent *a, uint32_t epoch, bool known);

/*
 * a request from a coordinator (authenticated, and from a peer allowed to
 * command: peer.c); the reply goes to that peer's configured address
 */
void bvd_agent_msg(struct bvd_agent *a, const struct bvw_msg *m);

#endif /* BEAVERD_AGENT_H */
