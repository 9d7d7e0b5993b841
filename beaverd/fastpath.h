/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The gateway's side of beaver.ko's fast path for ADVANCE (issue #12,
 * netfilter/fastpath.h): when the module offers it (BEAVER_CAP_FASTPATH),
 * the node is a gateway and [module] fast_path is on, beaverd hands the
 * module the pair keys of its [coordinator:NAME] peers at start and on
 * every reload, and takes them back at stop. The module then answers an
 * authenticated, fresh ADVANCE itself; whatever it does not take reaches
 * beaverd's socket as before (agent.c answers it).
 *
 * Replay state crosses between the two in both directions: the module
 * starts from beaverd's newest seq per coordinator, and what the module
 * accepted comes back in the reply of every change (seeded into
 * beaverd's window, then saved with it). The module's own seq starts at
 * max(the floor saved in the state directory, CLOCK_REALTIME, its last
 * + 1); after every push the floor saved is the module's seq + 2^20.
 */
#ifndef BEAVERD_FASTPATH_H
#define BEAVERD_FASTPATH_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "kmod.h"
#include "peer.h"

struct bvs;

/*
 * Push the keys (on) or take them away (!on, or the configuration says
 * no). Returns how many key pairs the module holds now (0: off), or
 * -errno with why (the user-space path goes on regardless). A module
 * without the capability is left alone (0).
 */
int bvd_fastpath_sync(struct bvd_peer_io *io, struct bvd_kmod *k,
		      const struct bvd_config *cfg, struct bvs *store, bool on,
		      char *why, size_t why_len);

#endif /* BEAVERD_FASTPATH_H */
