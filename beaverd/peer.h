/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The control-plane transport: one UDP socket, every datagram encoded and
 * authenticated by wire.c, replays dropped. Requests are matched to
 * replies by the caller (replies carry the request's seq in req_id).
 */
#ifndef BEAVERD_PEER_H
#define BEAVERD_PEER_H

#include <stdint.h>
#include <netinet/in.h>

#include "wire.h"

struct bvd_peer_io;

typedef void (*bvd_peer_cb)(struct bvd_peer_io *io, const struct bvw_msg *m,
			    const struct sockaddr_in *from, void *data);

struct bvd_peer_io {
	int fd;
	struct bvw_key key;
	uint8_t group;
	uint32_t self;		/* our node id */
	uint64_t seq;		/* next seq to send */
	struct bvw_replay_table replay;
	struct bvw_drops drops;
	uint64_t received, sent, send_errors;
	bvd_peer_cb cb;
	void *data;
};

int bvd_peer_open(struct bvd_peer_io *io, const struct sockaddr_in *listen,
		  const struct bvw_key *key, uint8_t group, const char *node,
		  bvd_peer_cb cb, void *data, char *why, size_t why_len);
void bvd_peer_close(struct bvd_peer_io *io);

/*
 * fill in group, sender and a fresh seq, encode, send; returns 0/-errno.
 * m->recipient must be the node id of the peer at `to`.
 */
int bvd_peer_send(struct bvd_peer_io *io, struct bvw_msg *m,
		  const struct sockaddr_in *to);

/* reply to req: req_id = req->seq, recipient = req->sender */
int bvd_peer_reply(struct bvd_peer_io *io, const struct bvw_msg *req,
		   struct bvw_msg *m, const struct sockaddr_in *to);

/* loop callback: read every pending datagram */
void bvd_peer_readable(int fd, short revents, void *data);

#endif /* BEAVERD_PEER_H */
