/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The control-plane transport: one UDP socket, every datagram encoded and
 * authenticated by wire.c with the pair key of its two nodes, replays
 * dropped. Requests are matched to replies by the caller (replies carry
 * the request's seq in req_id).
 *
 * Who may say what (docs/security.md): a datagram is looked at only if its
 * header names a configured peer (node id and one of its public keys) and
 * one of our own key pairs, and its MAC is right for that pair. Requests
 * (ADVANCE, COLLECT, RELEASE, PING) are taken only from peers allowed to
 * command: the [coordinator:NAME] sections, and this node itself when it
 * is the coordinator. Everything is sent to the peer's configured
 * address, never to a datagram's source address.
 *
 * Replay state survives restarts: each sender's newest seq is saved in the
 * state directory (bvd_peer_persist, every second and at exit), and this
 * node's own seq never falls below a floor saved there before it is
 * reached.
 */
#ifndef BEAVERD_PEER_H
#define BEAVERD_PEER_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#include "config.h"
#include "wire.h"

struct bvs;

#define BVD_OWN_KEYS	2	/* key_file and previous_key_file */
#define BVD_DRAIN_MAX	64	/* datagrams read per loop turn */

/* a configured peer as the transport knows it */
struct bvd_peer {
	char name[BVD_NAME_MAX];
	uint32_t node;			/* bvw_node_id(name) */
	struct sockaddr_in addr;	/* where everything for it goes */
	bool commands;			/* may send requests */
	bool gateway;			/* a [gateway:NAME]: its module may
					 * answer ADVANCE (BVW_F_MODULE) */
	size_t n_keys;
	uint32_t key_id[BVD_PEER_KEYS];
	struct bvw_key pair[BVD_OWN_KEYS][BVD_PEER_KEYS];
	uint64_t received;
};

struct bvd_peer_io;

typedef void (*bvd_peer_cb)(struct bvd_peer_io *io, const struct bvw_msg *m,
			    const struct bvd_peer *from, void *data);

struct bvd_peer_io {
	int fd;
	uint8_t group;
	uint32_t self;			/* our node id */
	struct bvw_keypair own[BVD_OWN_KEYS];
	size_t n_own;
	struct bvd_peer *peers;
	size_t n_peers;
	uint32_t *by_node;		/* peer indices sorted by node id: a
					 * lookup per datagram stays O(log n)
					 * with a thousand members */
	uint64_t seq;			/* the last seq sent (or the start) */
	uint64_t seq_floor;		/* saved: seqs below it may be used */
	struct bvs *store;		/* may be NULL: nothing is saved */
	bool replay_dirty;
	struct bvw_replay_table replay;
	struct bvw_drops drops;
	uint64_t unknown;		/* header names no peer or key of ours */
	uint64_t denied;		/* a request from a peer that may not */
	uint64_t capped;		/* loop turns that left datagrams queued */
	uint64_t received, sent, send_errors;
	bvd_peer_cb cb;
	void *data;
};

/*
 * Open the socket on cfg->listen and build the peer table from cfg:
 * [coordinator:NAME] sections command; a coordinator node also knows its
 * [gateway:NAME]/[member:NAME] peers and itself (commanding). own[0] is
 * the current key pair, own[1] (n_own 2) the previous one. store, if not
 * NULL, holds the replay state and the seq floor (restored here).
 */
int bvd_peer_open(struct bvd_peer_io *io, const struct bvd_config *cfg,
		  const struct bvw_keypair *own, size_t n_own, struct bvs *store,
		  bvd_peer_cb cb, void *data, char *why, size_t why_len);
void bvd_peer_close(struct bvd_peer_io *io);

/*
 * Reload: the peer table built anew from cfg (the same rules as
 * bvd_peer_open; socket, keys, seq and replay state kept, and each kept
 * peer's received count). On error the old table stays and why says why.
 */
int bvd_peer_rebuild(struct bvd_peer_io *io, const struct bvd_config *cfg,
		     char *why, size_t why_len);

/* the peer of a node id, or NULL */
const struct bvd_peer *bvd_peer_find(const struct bvd_peer_io *io,
				     uint32_t node);

/*
 * Send a request to the peer whose node id is m->recipient, at its
 * configured address, with our current key and its first public key;
 * fills in group, sender, key ids and a fresh seq. Returns 0/-errno
 * (-ENOENT: no such peer).
 */
int bvd_peer_send(struct bvd_peer_io *io, struct bvw_msg *m);

/*
 * Requests prepared ahead of their sending and sent together: the
 * coordinator encodes and MACs every gateway's advance before it reads
 * t0, then hands them to the kernel with one sendmmsg (and polls its
 * members the same way). Only requests are batched (ADVANCE, COLLECT,
 * RELEASE, PING: a few dozen bytes); a reply goes out alone.
 */
#define BVD_BATCH_DGRAM 128

struct bvd_peer_dgram {
	uint8_t buf[BVD_BATCH_DGRAM];
	size_t len;
	struct sockaddr_in to;
};

struct bvd_peer_batch {
	struct bvd_peer_dgram *d;
	size_t n, cap;
};

/* room for cap datagrams; 0 or -ENOMEM */
int bvd_peer_batch_init(struct bvd_peer_batch *b, size_t cap);
void bvd_peer_batch_free(struct bvd_peer_batch *b);

/*
 * bvd_peer_send's work but the send: m is encoded with a fresh seq (the
 * seq floor is saved now if it must be, not when the batch leaves) and
 * MACed into the batch. Returns 0/-errno (-ENOENT: no such peer, -ENOSPC:
 * the batch is full, -EMSGSIZE: not a request's size).
 */
int bvd_peer_prepare(struct bvd_peer_io *io, struct bvd_peer_batch *b,
		     struct bvw_msg *m);

/*
 * Send the batch with sendmmsg (as many calls as the kernel needs; a
 * datagram it refuses is counted in send_errors and skipped) and empty it.
 * Returns how many left, or -errno if none did.
 */
int bvd_peer_flush(struct bvd_peer_io *io, struct bvd_peer_batch *b);

/*
 * Reply to req at its sender's configured address, with the two keys the
 * request was made with (during a rotation, the ones the requester holds):
 * req_id = req->seq, recipient = req->sender.
 */
int bvd_peer_reply(struct bvd_peer_io *io, const struct bvw_msg *req,
		   struct bvw_msg *m);

struct bvd_fp_peer;

/*
 * The fast path's keys (kmod.h): one entry per commanding peer other than
 * this node, own key pair and peer public key, with the newest seq taken
 * from it. Returns how many, or -ENOSPC if more than cap.
 */
int bvd_peer_fastpath_keys(const struct bvd_peer_io *io,
			   struct bvd_fp_peer *out, size_t cap);

/* what the module accepted from node (up to top) counts as seen here */
void bvd_peer_seed(struct bvd_peer_io *io, uint32_t node, uint64_t top);

/* loop callback: read up to BVD_DRAIN_MAX pending datagrams */
void bvd_peer_readable(int fd, short revents, void *data);

/* save the replay state if it changed (a timer calls it; skipped while an
 * OGM window is open, window.h: the next tick saves it; the exit saves it
 * whatever) */
void bvd_peer_persist(struct bvd_peer_io *io);

#endif /* BEAVERD_PEER_H */
