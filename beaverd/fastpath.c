// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The gateway's side of beaver.ko's fast path. See fastpath.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <sodium.h>

#include "beaver.h"
#include "fastpath.h"
#include "store.h"

/* the module's seqs a saved floor leaves room for (peer.c's reserve) */
#define FP_SEQ_RESERVE (1ull << 20)

int bvd_fastpath_sync(struct bvd_peer_io *io, struct bvd_kmod *k,
		      const struct bvd_config *cfg, struct bvs *store, bool on,
		      char *why, size_t why_len)
{
	struct bvd_fp_peer p[BVD_FP_MAX];
	struct bvd_fp_reply r;
	uint64_t floor = 0;
	int n = 0, err = 0;

	if (!k->nl || !(k->caps & BEAVER_CAP_FASTPATH))
		return 0;
	if (on && cfg->fast_path && (cfg->roles & BVD_ROLE_GATEWAY))
		n = bvd_peer_fastpath_keys(io, p, BVD_FP_MAX);
	if (n < 0) {
		/* too many for the module: off, and said so */
		snprintf(why, why_len, "more than %d coordinator key pairs: "
			 "the fast path stays off", BVD_FP_MAX);
		err = n;
		n = 0;
	}
	if (store && bvs_module_seq_floor_get(store, &floor))
		floor = 0;
	{
		char why2[256];
		int e = bvd_kmod_fastpath(k, cfg->group, io->self,
					  ntohs(cfg->listen.sin_port), floor,
					  p, (size_t)n, &r, why2, sizeof(why2));

		sodium_memzero(p, sizeof(p));
		if (e) {
			snprintf(why, why_len, "%s", why2);
			return e;
		}
	}
	/* what the module took is seen here too (a replay is refused) */
	for (size_t i = 0; i < r.n; i++)
		bvd_peer_seed(io, r.node[i], r.top[i]);
	if (store && n && bvs_module_seq_floor_set(store,
						   r.seq + FP_SEQ_RESERVE)) {
		snprintf(why, why_len, "cannot save the module's seq floor: %s",
			 bvs_errmsg(store));
		return -EIO;
	}
	return err ? err : n;
}
