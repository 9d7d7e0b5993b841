/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The gateway and member side of the control plane: answers the
 * coordinator's advance, collect, release and ping requests with the
 * module's help.
 *
 * Collection: the coordinator asks for a member's record of epoch E in
 * chunks (offset, up to BVD_CHUNK bytes); the first request dumps the
 * record from the module, turns it into JSON and keeps the text (memory
 * and SQLite) until the coordinator releases E. A record that is not
 * complete yet is answered with -EAGAIN, and the coordinator asks again.
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

struct bvd_agent {
	const struct bvd_config *cfg;
	struct bvd_kmod *kmod;
	struct bvs *store;
	struct bvd_peer_io *io;
	struct bva_server *apps;	/* may be NULL */
	/* the record being collected */
	uint32_t cached_epoch;
	char *cached;
	size_t cached_len;
	/* counters for status */
	uint64_t advances, collects, releases, errors;
};

void bvd_agent_init(struct bvd_agent *a, const struct bvd_config *cfg,
		    struct bvd_kmod *kmod, struct bvs *store,
		    struct bvd_peer_io *io);
void bvd_agent_free(struct bvd_agent *a);

/*
 * a request from a coordinator (authenticated, and from a peer allowed to
 * command: peer.c); the reply goes to that peer's configured address
 */
void bvd_agent_msg(struct bvd_agent *a, const struct bvw_msg *m);

#endif /* BEAVERD_AGENT_H */
