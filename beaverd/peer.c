// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Control-plane UDP transport. See peer.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "log.h"
#include "peer.h"

#define BVD_REPLAY_SLOTS 512

int bvd_peer_open(struct bvd_peer_io *io, const struct sockaddr_in *listen,
		  const struct bvw_key *key, uint8_t group, const char *node,
		  bvd_peer_cb cb, void *data, char *why, size_t why_len)
{
	struct timespec ts;
	int one = 1;

	memset(io, 0, sizeof(*io));
	io->key = *key;
	io->group = group;
	io->self = bvw_node_id(node);
	io->cb = cb;
	io->data = data;
	/*
	 * seq must grow across restarts without stored state: start at the
	 * wall clock in microseconds, with 16 bits of room to count up.
	 */
	clock_gettime(CLOCK_REALTIME, &ts);
	io->seq = ((uint64_t)ts.tv_sec * 1000000u +
		   (uint64_t)ts.tv_nsec / 1000u) << 16;
	io->replay.slots = calloc(BVD_REPLAY_SLOTS, sizeof(*io->replay.slots));
	io->replay.n = BVD_REPLAY_SLOTS;
	if (!io->replay.slots) {
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	io->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (io->fd < 0 ||
	    setsockopt(io->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(io->fd, (const struct sockaddr *)listen, sizeof(*listen))) {
		char a[INET_ADDRSTRLEN];
		int err = -errno;

		inet_ntop(AF_INET, &listen->sin_addr, a, sizeof(a));
		snprintf(why, why_len, "control socket %s:%u: %s", a,
			 ntohs(listen->sin_port), strerror(errno));
		bvd_peer_close(io);
		return err;
	}
	return 0;
}

void bvd_peer_close(struct bvd_peer_io *io)
{
	if (io->fd > 0)
		close(io->fd);
	io->fd = -1;
	free(io->replay.slots);
	io->replay.slots = NULL;
}

int bvd_peer_send(struct bvd_peer_io *io, struct bvw_msg *m,
		  const struct sockaddr_in *to)
{
	uint8_t buf[BVW_MAX_DGRAM];
	int len;

	m->group = io->group;
	m->sender = io->self;
	m->seq = io->seq++;
	len = bvw_encode(m, &io->key, buf, sizeof(buf));
	if (len < 0)
		return len;
	if (sendto(io->fd, buf, (size_t)len, 0, (const struct sockaddr *)to,
		   sizeof(*to)) < 0) {
		io->send_errors++;
		return -errno;
	}
	io->sent++;
	return 0;
}

int bvd_peer_reply(struct bvd_peer_io *io, const struct bvw_msg *req,
		   struct bvw_msg *m, const struct sockaddr_in *to)
{
	m->req_id = req->seq;
	m->recipient = req->sender;
	return bvd_peer_send(io, m, to);
}

void bvd_peer_readable(int fd, short revents, void *data)
{
	struct bvd_peer_io *io = data;
	uint8_t buf[BVW_MAX_DGRAM + 1];

	(void)revents;
	for (;;) {
		struct sockaddr_in from;
		socklen_t flen = sizeof(from);
		struct bvw_msg m;
		ssize_t n;

		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
			     &flen);
		if (n < 0)
			return;		/* EAGAIN: drained */
		/* forged, malformed or replayed: counted, never acted on */
		/* made for us, or the MAC fails: no cross-node replays */
		if (bvw_decode_for(buf, (size_t)n, &io->key, io->group,
				   io->self, &m, &io->drops))
			continue;
		if (bvw_replay_check(&io->replay, m.sender, m.seq, &io->drops))
			continue;
		io->received++;
		io->cb(io, &m, &from, io->data);
	}
}
