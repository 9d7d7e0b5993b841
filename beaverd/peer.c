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

#include "kmod.h"
#include "log.h"
#include "loop.h"
#include "peer.h"
#include "store.h"
#include "window.h"

/* every peer and itself, and every gateway's module (BVW_F_MODULE) */
#define BVD_REPLAY_SLOTS	(2 * BVD_MAX_PEERS + BVD_MAX_COORDS + 2)
/*
 * The seq floor is saved this far ahead of the seq in use: one durable
 * write per 2^20 datagrams sent, and a restart resumes above anything
 * sent (at most this far ahead of the wall clock per restart).
 */
#define SEQ_RESERVE		(1ull << 20)

static bool is_request(uint8_t type)
{
	return type == BVW_ADVANCE || type == BVW_COLLECT ||
	       type == BVW_RELEASE || type == BVW_PING ||
	       type == BVW_ANNOUNCE;
}

/* the entry for a node, adding it if new; NULL when the table is full */
static struct bvd_peer *peer_slot(struct bvd_peer_io *io, const char *name,
				  size_t cap)
{
	uint32_t node = bvw_node_id(name);

	for (size_t i = 0; i < io->n_peers; i++)
		if (io->peers[i].node == node)
			return &io->peers[i];
	if (io->n_peers == cap)
		return NULL;
	struct bvd_peer *p = &io->peers[io->n_peers++];

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->node = node;
	return p;
}

/* a peer's public keys and the pair keys with each of our key pairs */
static int peer_keys(struct bvd_peer_io *io, struct bvd_peer *p,
		     const uint8_t (*pub)[BVD_PUBLIC_LEN], size_t n,
		     char *why, size_t why_len)
{
	if (p->n_keys)
		return 0;	/* known already (this node itself) */
	for (size_t k = 0; k < n; k++) {
		p->key_id[k] = bvw_key_id(pub[k]);
		for (size_t o = 0; o < io->n_own; o++)
			if (bvw_pair_key(&io->own[o], pub[k], &p->pair[o][k])) {
				snprintf(why, why_len, "peer %s: public key %zu "
					 "is not a usable X25519 key", p->name,
					 k + 1);
				return -EINVAL;
			}
	}
	p->n_keys = n;
	return 0;
}

static int add_peer(struct bvd_peer_io *io, const struct bvd_peer_conf *pc,
		    bool commands, size_t cap, char *why, size_t why_len)
{
	struct bvd_peer *p = peer_slot(io, pc->name, cap);

	if (!p) {
		snprintf(why, why_len, "too many peers");
		return -ENOSPC;
	}
	p->addr = pc->control;
	p->commands |= commands;
	p->gateway |= pc->gateway;
	return peer_keys(io, p, (const uint8_t (*)[BVD_PUBLIC_LEN])pc->public_key,
			 pc->n_keys, why, why_len);
}

static void replay_restore(uint32_t sender, uint64_t top, void *data)
{
	struct bvd_peer_io *io = data;

	/* top and everything older are refused, the window behind it too */
	bvw_replay_seed(&io->replay, sender, top);
}

/* does a section naming this node list one of its own public keys? */
static bool lists_own(const struct bvd_peer_io *io,
		      const struct bvd_peer_conf *pc)
{
	for (size_t k = 0; k < pc->n_keys; k++)
		for (size_t o = 0; o < io->n_own; o++)
			if (memcmp(pc->public_key[k], io->own[o].pub,
				   BVD_PUBLIC_LEN) == 0)
				return true;
	return false;
}

static int build_table(struct bvd_peer_io *io, const struct bvd_config *cfg,
		       char *why, size_t why_len)
{
	bool coordinator = cfg->roles & BVD_ROLE_COORDINATOR;
	size_t cap = cfg->n_coords + (coordinator ? cfg->n_peers + 1 : 0);
	int err = 0;

	io->peers = calloc(cap ? cap : 1, sizeof(*io->peers));
	if (!io->peers) {
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	if (coordinator) {
		/* this node commands itself (a gateway that is the coordinator) */
		struct bvd_peer *self = peer_slot(io, cfg->node, cap);
		uint8_t pub[BVD_OWN_KEYS][BVD_PUBLIC_LEN];

		for (size_t o = 0; o < io->n_own; o++)
			memcpy(pub[o], io->own[o].pub, BVD_PUBLIC_LEN);
		self->addr = cfg->listen;
		if (!self->addr.sin_addr.s_addr)
			self->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		self->commands = true;
		err = peer_keys(io, self, (const uint8_t (*)[BVD_PUBLIC_LEN])pub,
				io->n_own, why, why_len);
		for (size_t i = 0; !err && i < cfg->n_peers; i++) {
			const struct bvd_peer_conf *pc = &cfg->peers[i];

			if (!strcmp(pc->name, cfg->node) && !lists_own(io, pc)) {
				snprintf(why, why_len, "[%s:%s] is this node, "
					 "but its public_key lists none of "
					 "key_file's", pc->gateway ? "gateway" :
					 "member", pc->name);
				return -EINVAL;
			}
			err = add_peer(io, pc, false, cap, why, why_len);
		}
	}
	for (size_t i = 0; !err && i < cfg->n_coords; i++)
		err = add_peer(io, &cfg->coords[i], true, cap, why, why_len);
	return err;
}

/*
 * A coordinator asks every member at once (one sendmmsg), and their
 * answers arrive at once: the socket's default receive buffer (about 200
 * KiB) holds a few hundred, and every answer the kernel drops costs a
 * retransmission and its backoff. Room for two answers of every peer (a datagram's truesize
 * is about 2 KiB), beyond rmem_max when the daemon may (CAP_NET_ADMIN);
 * a small group keeps the default.
 */
static void buf_at_least(int fd, int opt, int force, int want)
{
	int have = 0;
	socklen_t len = sizeof(have);

	if (getsockopt(fd, SOL_SOCKET, opt, &have, &len) || have >= want)
		return;
	if (setsockopt(fd, SOL_SOCKET, force, &want, sizeof(want)))
		(void)setsockopt(fd, SOL_SOCKET, opt, &want, sizeof(want));
}

static void rcvbuf_for_peers(int fd, size_t n_peers)
{
	int want = (int)(n_peers * 2 * 2048);

	buf_at_least(fd, SO_RCVBUF, SO_RCVBUFFORCE, want);
	/* the same for a batch (bvd_peer_flush): the socket is non-blocking,
	 * and a datagram that finds the send buffer full is lost */
	buf_at_least(fd, SO_SNDBUF, SO_SNDBUFFORCE, want);
}

static const struct bvd_peer_io *sorting;	/* for cmp_node */

static int cmp_node(const void *a, const void *b)
{
	uint32_t x = sorting->peers[*(const uint32_t *)a].node;
	uint32_t y = sorting->peers[*(const uint32_t *)b].node;

	return x < y ? -1 : x > y;
}

static int index_table(struct bvd_peer_io *io)
{
	io->by_node = calloc(io->n_peers ? io->n_peers : 1,
			     sizeof(*io->by_node));
	if (!io->by_node)
		return -ENOMEM;
	for (size_t i = 0; i < io->n_peers; i++)
		io->by_node[i] = (uint32_t)i;
	sorting = io;
	qsort(io->by_node, io->n_peers, sizeof(*io->by_node), cmp_node);
	sorting = NULL;
	return 0;
}

/* the index of the peer with this node id, or -1: a binary search */
static ssize_t find(const struct bvd_peer_io *io, uint32_t node)
{
	size_t lo = 0, hi = io->n_peers;

	if (!io->by_node)
		return -1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t n = io->peers[io->by_node[mid]].node;

		if (n == node)
			return io->by_node[mid];
		if (n < node)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int bvd_peer_rebuild(struct bvd_peer_io *io, const struct bvd_config *cfg,
		     char *why, size_t why_len)
{
	struct bvd_peer *old = io->peers;
	uint32_t *old_index = io->by_node;
	size_t n_old = io->n_peers;
	int err;

	io->peers = NULL;
	io->n_peers = 0;
	io->by_node = NULL;
	err = build_table(io, cfg, why, why_len);
	if (!err)
		err = index_table(io);
	if (err) {
		free(io->peers);
		free(io->by_node);
		io->peers = old;
		io->n_peers = n_old;
		io->by_node = old_index;
		return err;
	}
	free(old_index);
	rcvbuf_for_peers(io->fd, io->n_peers);
	/* replay state carries over: what a peer sent stays seen */
	for (size_t i = 0; i < io->n_peers; i++)
		for (size_t j = 0; j < n_old; j++)
			if (old[j].node == io->peers[i].node)
				io->peers[i].received = old[j].received;
	free(old);
	return 0;
}

int bvd_peer_open(struct bvd_peer_io *io, const struct bvd_config *cfg,
		  const struct bvw_keypair *own, size_t n_own, struct bvs *store,
		  bvd_peer_cb cb, void *data, char *why, size_t why_len)
{
	const struct sockaddr_in *listen = &cfg->listen;
	uint64_t floor = 0;
	int one = 1, err;

	memset(io, 0, sizeof(*io));
	io->fd = -1;
	io->group = cfg->group;
	io->self = bvw_node_id(cfg->node);
	io->n_own = n_own < BVD_OWN_KEYS ? n_own : BVD_OWN_KEYS;
	memcpy(io->own, own, io->n_own * sizeof(*own));
	io->store = store;
	io->cb = cb;
	io->data = data;
	if (bvw_replay_init(&io->replay, BVD_REPLAY_SLOTS)) {
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	err = build_table(io, cfg, why, why_len);
	if (!err)
		err = index_table(io);
	if (err) {
		if (err == -ENOMEM)
			snprintf(why, why_len, "out of memory");
		goto fail;
	}
	if (store) {
		err = bvs_seq_floor_get(store, &floor);
		if (!err)
			err = bvs_replay_load(store, replay_restore, io);
		if (err) {
			snprintf(why, why_len, "replay state: %s",
				 bvs_errmsg(store));
			goto fail;
		}
	}
	/*
	 * Start at the wall clock in nanoseconds, unless an earlier run
	 * already sent (or reserved) seqs beyond it: a clock set back cannot
	 * make this node repeat a seq its peers have seen. Then count up by
	 * one, so that the receivers' 64-wide window absorbs reordering.
	 */
	io->seq = bvl_realtime();
	if (io->seq < floor)
		io->seq = floor;
	io->seq_floor = floor;

	io->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (io->fd < 0 ||
	    setsockopt(io->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(io->fd, (const struct sockaddr *)listen, sizeof(*listen))) {
		char a[INET_ADDRSTRLEN];

		err = -errno;
		inet_ntop(AF_INET, &listen->sin_addr, a, sizeof(a));
		snprintf(why, why_len, "control socket %s:%u: %s", a,
			 ntohs(listen->sin_port), strerror(errno));
		goto fail;
	}
	rcvbuf_for_peers(io->fd, io->n_peers);
	return 0;
fail:
	bvd_peer_close(io);
	return err;
}

static void persist(struct bvd_peer_io *io);

void bvd_peer_close(struct bvd_peer_io *io)
{
	persist(io);	/* at exit, window or not */
	if (io->fd >= 0)
		close(io->fd);
	io->fd = -1;
	bvw_replay_free(&io->replay);
	if (io->peers)
		memset(io->peers, 0, io->n_peers * sizeof(*io->peers));
	free(io->peers);
	io->peers = NULL;
	free(io->by_node);
	io->by_node = NULL;
	io->n_peers = 0;
	memset(io->own, 0, sizeof(io->own));
}

const struct bvd_peer *bvd_peer_find(const struct bvd_peer_io *io,
				     uint32_t node)
{
	ssize_t i = find(io, node);

	return i < 0 ? NULL : &io->peers[i];
}

/* the next seq; the floor is saved before a seq reaches it */
static int next_seq(struct bvd_peer_io *io, uint64_t *seq)
{
	uint64_t s = io->seq + 1;

	if (s >= io->seq_floor && io->store) {
		uint64_t floor = s + SEQ_RESERVE;

		if (bvs_seq_floor_set(io->store, floor)) {
			bvd_err("cannot save the control-plane seq floor: %s",
				bvs_errmsg(io->store));
			return -EIO;
		}
		io->seq_floor = floor;
	}
	io->seq = s;
	*seq = s;
	return 0;
}

/* header fields, a fresh seq, and the datagram with its MAC into buf */
static int encode_for(struct bvd_peer_io *io, struct bvw_msg *m,
		      const struct bvd_peer *p, size_t own, size_t key,
		      uint8_t *buf, size_t size)
{
	int err;

	m->group = io->group;
	m->sender = io->self;
	m->sender_key = io->own[own].id;
	m->recipient_key = p->key_id[key];
	err = next_seq(io, &m->seq);
	if (err)
		return err;
	return bvw_encode(m, &p->pair[own][key], buf, size);
}

static int send_with(struct bvd_peer_io *io, struct bvw_msg *m,
		     const struct bvd_peer *p, size_t own, size_t key)
{
	uint8_t buf[BVW_MAX_DGRAM];
	int len;

	len = encode_for(io, m, p, own, key, buf, sizeof(buf));
	if (len < 0)
		return len;
	if (sendto(io->fd, buf, (size_t)len, 0, (const struct sockaddr *)&p->addr,
		   sizeof(p->addr)) < 0) {
		io->send_errors++;
		return -errno;
	}
	io->sent++;
	return 0;
}

int bvd_peer_batch_init(struct bvd_peer_batch *b, size_t cap)
{
	b->d = calloc(cap ? cap : 1, sizeof(*b->d));
	b->n = 0;
	b->cap = b->d ? cap : 0;
	return b->d ? 0 : -ENOMEM;
}

void bvd_peer_batch_free(struct bvd_peer_batch *b)
{
	free(b->d);
	memset(b, 0, sizeof(*b));
}

int bvd_peer_prepare(struct bvd_peer_io *io, struct bvd_peer_batch *b,
		     struct bvw_msg *m)
{
	const struct bvd_peer *p = bvd_peer_find(io, m->recipient);
	struct bvd_peer_dgram *d;
	int len;

	if (!is_request(m->type))
		return -EMSGSIZE;
	if (!p || !p->n_keys)
		return -ENOENT;
	if (b->n == b->cap)
		return -ENOSPC;
	d = &b->d[b->n];
	len = encode_for(io, m, p, 0, 0, d->buf, sizeof(d->buf));
	if (len < 0)
		return len;
	d->len = (size_t)len;
	d->to = p->addr;
	b->n++;
	return 0;
}

/* datagrams handed to one sendmmsg call */
#define MMSG_MAX 64

int bvd_peer_flush(struct bvd_peer_io *io, struct bvd_peer_batch *b)
{
	struct mmsghdr mm[MMSG_MAX];
	struct iovec iov[MMSG_MAX];
	size_t done = 0, sent = 0;
	int err = 0;

	while (done < b->n) {
		size_t k = b->n - done < MMSG_MAX ? b->n - done : MMSG_MAX;
		int r;

		for (size_t i = 0; i < k; i++) {
			struct bvd_peer_dgram *d = &b->d[done + i];

			iov[i] = (struct iovec){ d->buf, d->len };
			mm[i] = (struct mmsghdr){ .msg_hdr = {
				.msg_name = &d->to, .msg_namelen = sizeof(d->to),
				.msg_iov = &iov[i], .msg_iovlen = 1 } };
		}
		r = sendmmsg(io->fd, mm, (unsigned int)k, 0);
		if (r <= 0) {
			/* the first one failed: count it and go on after it */
			err = r < 0 ? -errno : -EIO;
			io->send_errors++;
			done++;
			continue;
		}
		done += (size_t)r;
		sent += (size_t)r;
	}
	io->sent += sent;
	b->n = 0;
	return sent || !err ? (int)sent : err;
}

int bvd_peer_send(struct bvd_peer_io *io, struct bvw_msg *m)
{
	const struct bvd_peer *p = bvd_peer_find(io, m->recipient);

	if (!p || !p->n_keys)
		return -ENOENT;
	return send_with(io, m, p, 0, 0);
}

int bvd_peer_reply(struct bvd_peer_io *io, const struct bvw_msg *req,
		   struct bvw_msg *m)
{
	const struct bvd_peer *p = bvd_peer_find(io, req->sender);
	size_t own = 0, key = 0;

	if (!p)
		return -ENOENT;
	/* answer with the keys the request used: the requester has them */
	for (size_t o = 0; o < io->n_own; o++)
		if (io->own[o].id == req->recipient_key)
			own = o;
	for (size_t k = 0; k < p->n_keys; k++)
		if (p->key_id[k] == req->sender_key)
			key = k;
	m->req_id = req->seq;
	m->recipient = req->sender;
	return send_with(io, m, p, own, key);
}

/*
 * The pair key a header asks for: a configured peer with that node id and
 * key id, and one of our key pairs; NULL if there is none.
 */
static const struct bvw_key *pair_for(struct bvd_peer_io *io,
				      const struct bvw_hdr *h,
				      struct bvd_peer **from)
{
	ssize_t i = find(io, h->sender);
	struct bvd_peer *p;
	size_t own, key;

	if (i < 0)
		return NULL;
	p = &io->peers[i];
	for (own = 0; own < io->n_own; own++)
		if (io->own[own].id == h->recipient_key)
			break;
	for (key = 0; key < p->n_keys; key++)
		if (p->key_id[key] == h->sender_key)
			break;
	if (own == io->n_own || key == p->n_keys)
		return NULL;
	*from = p;
	return &p->pair[own][key];
}

/* one datagram: checked, counted, and handed on if it is good */
static void receive_one(struct bvd_peer_io *io, const uint8_t *buf, size_t n)
{
	const struct bvw_key *key;
	struct bvd_peer *from = NULL;
	struct bvw_hdr h;
	struct bvw_msg m;

	/* forged, malformed, unknown or replayed: counted, never acted on */
	if (bvw_peek(buf, n, io->group, &h, &io->drops))
		return;
	key = pair_for(io, &h, &from);
	if (!key) {
		io->unknown++;
		return;
	}
	if (bvw_decode(buf, n, key, io->group, &m, &io->drops))
		return;
	if (is_request(m.type) && !from->commands) {
		/* a gateway's or member's key may not command anyone */
		io->denied++;
		return;
	}
	if ((m.flags & BVW_F_MODULE) && !from->gateway) {
		/* only a gateway's module answers (an ADVANCE_ACK: wire.c) */
		io->denied++;
		return;
	}
	/* a node's module counts its own seqs: a window of its own */
	if (bvw_replay_check_flags(&io->replay, m.sender, m.flags, m.seq,
				   &io->drops))
		return;
	io->replay_dirty = true;
	io->received++;
	from->received++;
	m.recipient = io->self;
	io->cb(io, &m, from, io->data);
}

void bvd_peer_readable(int fd, short revents, void *data)
{
	struct bvd_peer_io *io = data;
	uint8_t buf[BVW_MAX_DGRAM + 1];

	(void)revents;
	/*
	 * A bounded number per loop turn: a flood must not starve the timers
	 * (acknowledgement deadlines, the watchdog); what is left is read on
	 * the next turn, and the kernel drops what its buffer cannot hold.
	 */
	for (int i = 0; i < BVD_DRAIN_MAX; i++) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0)
			return;		/* EAGAIN: drained */
		receive_one(io, buf, (size_t)n);
	}
	io->capped++;
}

int bvd_peer_fastpath_keys(const struct bvd_peer_io *io,
			   struct bvd_fp_peer *out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < io->n_peers; i++) {
		const struct bvd_peer *p = &io->peers[i];
		const struct bvw_replay *r;
		uint64_t top;

		if (!p->commands || p->node == io->self)
			continue;
		r = bvw_replay_find(&io->replay, p->node, 0);
		top = r ? r->top : 0;
		for (size_t o = 0; o < io->n_own; o++)
			for (size_t k = 0; k < p->n_keys; k++) {
				if (n == cap)
					return -ENOSPC;
				out[n] = (struct bvd_fp_peer){
					.node = p->node,
					.sender_key = p->key_id[k],
					.recipient_key = io->own[o].id,
					.addr = p->addr.sin_addr.s_addr,
					.port = ntohs(p->addr.sin_port),
					.replay_top = top,
				};
				memcpy(out[n].key, p->pair[o][k].k,
				       sizeof(out[n].key));
				n++;
			}
	}
	return (int)n;
}

void bvd_peer_seed(struct bvd_peer_io *io, uint32_t node, uint64_t top)
{
	if (!top || !io->replay.slots)
		return;
	bvw_replay_seed(&io->replay, node, top);
	io->replay_dirty = true;
}

/* save the replay state if it changed */
static void persist(struct bvd_peer_io *io)
{
	uint32_t senders[BVD_REPLAY_SLOTS];
	uint64_t tops[BVD_REPLAY_SLOTS];
	size_t n = 0;

	if (!io->store || !io->replay_dirty || !io->replay.slots)
		return;
	for (const struct bvw_replay *r = bvw_replay_newest(&io->replay); r;
	     r = bvw_replay_older(&io->replay, r)) {
		/*
		 * A module's window is not saved (the file knows one per
		 * node): a replayed module ack after a restart is taken
		 * once, and answers no request (its req_id is a seq this
		 * node sent before the restart, below every one it sends
		 * after it). docs/security.md.
		 */
		if (r->flags)
			continue;
		senders[n] = r->sender;
		tops[n++] = r->top;
	}
	if (bvs_replay_save(io->store, senders, tops, n)) {
		bvd_warn("cannot save the control-plane replay state: %s",
			 bvs_errmsg(io->store));
		return;
	}
	io->replay_dirty = false;
}

void bvd_peer_persist(struct bvd_peer_io *io)
{
	/* a commit inside an OGM window lengthens the bound: next tick */
	if (bvd_window_is_open())
		return;
	persist(io);
}
