/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * beaverd's side of beaver.ko (kmod/uapi/beaver.h), on lib/bvnl: the
 * compatibility check, the configuration push, advances, record dumps,
 * release, status counters and events. Every failure comes back as -errno
 * with the kernel's extended-ack message in `why`.
 */
#ifndef BEAVERD_KMOD_H
#define BEAVERD_KMOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "records.h"

struct bvnl;

struct bvd_kmod {
	struct bvnl *nl;	/* requests */
	struct bvnl *ev;	/* events (multicast) */
	char version[64];
	uint64_t caps;
};

struct bvd_advance {
	uint32_t prev, now;
	uint64_t switch_ns;
	bool advanced;
};

/* a few counters of BEAVER_CMD_GET_STATUS, for `beaverctl status` */
struct bvd_kmod_status {
	uint32_t role, gw_epoch, member_epoch, complete_epoch;
	uint64_t stats[64];	/* by BEAVER_STAT_* id; 0 if not sent */
	unsigned int n_stats;	/* highest id + 1 */
	uint64_t objs[16];	/* by BEAVER_OBJ_* id */
	unsigned int n_objs;
};

/*
 * Open sockets in netns (NULL: our own), resolve the family and check that
 * the module offers what the roles need (GET_INFO capability bitmap).
 * -ENOENT: beaver.ko is not loaded; -EPROTONOSUPPORT: incompatible.
 */
int bvd_kmod_open(struct bvd_kmod *k, const char *netns, unsigned int roles,
		  char *why, size_t why_len);
void bvd_kmod_close(struct bvd_kmod *k);

/* push [group] and [module] of cfg as the namespace's configuration */
int bvd_kmod_configure(struct bvd_kmod *k, const struct bvd_config *cfg,
		       char *why, size_t why_len);

int bvd_kmod_advance(struct bvd_kmod *k, bool gateway, uint32_t epoch,
		     struct bvd_advance *out, char *why, size_t why_len);

/* member: the coordinator named @epoch; no cut (BEAVER_A_ANNOUNCE) */
int bvd_kmod_announce(struct bvd_kmod *k, uint32_t epoch, char *why,
		      size_t why_len);

/* one coordinator key pair for the module's fast path (SET_FASTPATH) */
struct bvd_fp_peer {
	uint32_t node, sender_key, recipient_key;
	uint8_t key[32];
	uint32_t addr;		/* network byte order */
	uint16_t port;		/* host byte order */
	uint64_t replay_top;
};

#define BVD_FP_MAX 16	/* the module's limit */

/* what SET_FASTPATH answers */
struct bvd_fp_reply {
	uint64_t seq;		/* the last seq the module used */
	size_t n;
	uint32_t node[BVD_FP_MAX];	/* the replaced set's replay tops */
	uint64_t top[BVD_FP_MAX];
};

/*
 * Hand the module the fast path's keys (n 0: none, off). The request's
 * copy of the keys is zeroised after it is sent.
 */
int bvd_kmod_fastpath(struct bvd_kmod *k, uint8_t group, uint32_t node,
		      uint16_t port, uint64_t seq_floor,
		      const struct bvd_fp_peer *p, size_t n,
		      struct bvd_fp_reply *r, char *why, size_t why_len);

/* dump and merge the records of epoch (r initialised by the caller) */
int bvd_kmod_records(struct bvd_kmod *k, uint32_t epoch,
		     struct bvr_records *r, char *why, size_t why_len);

int bvd_kmod_release(struct bvd_kmod *k, uint32_t epoch, char *why,
		     size_t why_len);

int bvd_kmod_status(struct bvd_kmod *k, struct bvd_kmod_status *st,
		    char *why, size_t why_len);

/* the events socket's fd, for the loop */
int bvd_kmod_events_fd(const struct bvd_kmod *k);

/*
 * Read pending events without waiting; cb gets each cut/completion.
 * Returns the number read, or -ENOBUFS if some were lost (resynchronise).
 */
int bvd_kmod_events(struct bvd_kmod *k,
		    void (*cb)(uint8_t cmd, const struct bvr_cut *cut,
			       void *data),
		    void *data);

#endif /* BEAVERD_KMOD_H */
