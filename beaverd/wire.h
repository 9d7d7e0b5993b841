/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The control plane between beaverd instances: message encoding,
 * authentication and replay protection. Pure functions on buffers (no
 * sockets), so they are unit-tested and fuzzed.
 *
 * A datagram (all integers big endian):
 *
 *   0     2   3    4     5     6        8       12         16          20   28
 *   +-----+---+----+-----+-----+--------+-------+----------+-----------+----+
 *   |"BV" |ver|type|group|flags|bodylen |sender |sender_key|recipient_ |seq |
 *   |     |   |    |     |     |        |       |          |key        |    |
 *   +-----+---+----+-----+-----+--------+-------+----------+-----------+----+
 *   | body (bodylen bytes, per type)    | MAC (32 bytes)                    |
 *   +-----------------------------------+-----------------------------------+
 *
 * ver = 2 (1 had one group key and no key ids). flags: BVW_F_MODULE (0x01)
 * = "sent by the sender's kernel module" (the gateway's fast path for
 * ADVANCE, beaver.ko's netfilter/fastpath.c), allowed on ADVANCE_ACK only;
 * every other bit must be 0 (a receiver refuses unknown bits, so a later
 * flag is never misread). The flags are covered by the MAC. The module is
 * a sender of its own: it counts its own seq, and receivers keep replay
 * state per (sender, flags), so that its acks and its node's daemon's
 * datagrams never share one window. sender: a 32-bit id of the sending node (bvw_node_id() of its
 * name). sender_key, recipient_key: the key ids (bvw_key_id(): the first 4
 * bytes of BLAKE2b of the public key) of the sender's key pair and of the
 * recipient's public key the sender used: they tell the receiver which
 * pair key to check the MAC with, and let a node hold two key pairs while
 * its key is rotated. seq: 64-bit, strictly increasing per sender across
 * restarts: a sender starts at its CLOCK_REALTIME in nanoseconds (wraps in
 * 2554) and counts up by one per datagram (so the receivers' window
 * absorbs reordering), and never goes below the floor it keeps in its
 * state directory (a clock set back after a restart cannot make it repeat
 * itself).
 *
 * Authentication: every node has an X25519 key pair (the private key file
 * written by `beaverctl genkey`, the public key printed by `beaverctl
 * pubkey`); two nodes share the pair key bvw_pair_key(): BLAKE2b-256 of
 * X25519(own secret, peer public) and both public keys in byte order (the
 * construction libsodium documents for crypto_scalarmult). MAC:
 * crypto_auth_hmacsha256 keyed with the pair key, over everything before
 * it. A datagram is good only between its two nodes: a copy sent to any
 * other node fails there, and the header's key ids are authenticated too.
 * Nothing here is hand-made cryptography: X25519, BLAKE2b and HMAC-SHA-256
 * are libsodium's.
 *
 * Bodies (big endian; every size is exact, reserved bytes are 0; a reply
 * starts with req_id, the seq of the request it answers):
 *
 *   ADVANCE       epoch u32 | role u8 | reserved u8[3]                    8
 *   ADVANCE_ACK   req_id u64 | epoch u32 | prev u32 | now u32 | err s32 |
 *                 switch_ns u64 | advanced u8 | reserved u8[3]           36
 *   COLLECT       epoch u32 | offset u32                                   8
 *   COLLECT_DATA  req_id u64 | epoch u32 | offset u32 | total u32 |
 *                 err s32 | data_len u16 | reserved u16 | data      28 + len
 *   RELEASE       epoch u32 | reserved u32                                 8
 *   RELEASE_ACK   req_id u64 | epoch u32 | err s32                        16
 *   PING          nonce u64                                                8
 *   PONG          req_id u64 | nonce u64 | epoch u32 | err s32 |
 *                 probe_ns u64                                           32
 *   ANNOUNCE      epoch u32 | reserved u32                                 8
 *   ANNOUNCE_ACK  req_id u64 | epoch u32 | err s32                        16
 *
 * ANNOUNCE names the epoch the coordinator is about to advance its
 * gateways to, to a member that may know none (after the coordinator's
 * start): the member's module takes it without cutting, so that it reads
 * that epoch's stamps in the IPv4 ID (docs/decisions.md, "A member's
 * first snapshot").
 *
 * Decoding checks every field: epoch != 0 where one is carried (ADVANCE,
 * ADVANCE_ACK, COLLECT, COLLECT_DATA, RELEASE, RELEASE_ACK, ANNOUNCE,
 * ANNOUNCE_ACK); role is
 * BVW_ROLE_*; advanced is 0 or 1; err is 0 or -1..-4095; COLLECT_DATA has
 * data_len = bodylen - 28, offset + data_len <= total <= BVW_MAX_RECORD, and
 * no data when err != 0. Anything else is -EBADMSG. bvw_encode refuses (with
 * -EINVAL) exactly what bvw_decode would refuse.
 *
 * Check order on receipt: length and magic (-EBADMSG), version (-EPROTO),
 * group (-EXDEV: two groups sharing a port are told apart before their
 * keys are tried), bodylen against the datagram length (-EBADMSG)
 * (bvw_peek stops here and returns the header: the receiver picks the pair
 * key from the key ids), MAC (-EPERM), then type and body (-EBADMSG):
 * nothing unauthenticated beyond the header is parsed.
 *
 * Receivers drop, and count, a datagram that is truncated, malformed, of
 * another version or group, fails the MAC, or whose (sender, seq) was seen
 * before or is older than the replay window (the newest seq per sender and
 * a 64-entry bitmap behind it, as IPsec/WireGuard do).
 *
 * The replay table holds a bounded number of senders, the one with the
 * most recently accepted message first; a new sender in a full table
 * evicts the one whose last accepted message is the oldest, and its
 * history is then forgotten (a replay of its old messages would pass
 * once). Size it above the number of peers (BVD_MAX_PEERS + 1) so that
 * authenticated senders never evict each other; only configured peers get
 * as far as the table. beaverd keeps each sender's newest seq in its
 * state directory, so a restart does not forget it (peer.c).
 */
#ifndef BEAVERD_WIRE_H
#define BEAVERD_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BVW_VERSION	2
#define BVW_HDR_LEN	28
#define BVW_MAC_LEN	32
#define BVW_KEY_LEN	32
#define BVW_PUBLIC_LEN	32	/* an X25519 public key */
#define BVW_MAX_DGRAM	1400	/* stays below every sane path MTU */
#define BVW_MAX_BODY	(BVW_MAX_DGRAM - BVW_HDR_LEN - BVW_MAC_LEN)
#define BVW_REPLAY_WINDOW 64
#define BVW_MAX_RECORD	(64u << 20)	/* COLLECT_DATA total: a record's size */

enum bvw_type {
	BVW_ADVANCE = 1,	/* coord -> gw/member: epoch, role */
	BVW_ADVANCE_ACK,	/* reply: epoch, prev, now, switch_ns, advanced, err */
	BVW_COLLECT,		/* coord -> member: epoch, offset */
	BVW_COLLECT_DATA,	/* reply: epoch, offset, total, err, chunk */
	BVW_RELEASE,		/* coord -> member: epoch */
	BVW_RELEASE_ACK,	/* reply: epoch, err */
	BVW_PING,		/* coord -> any: nonce (calibrate, liveness) */
	BVW_PONG,		/* reply: nonce, epoch, the responder's own probe */
	BVW_ANNOUNCE,		/* coord -> member: epoch, named without a cut */
	BVW_ANNOUNCE_ACK,	/* reply: epoch, err */
	__BVW_TYPE_MAX
};

/* header flags */
#define BVW_F_MODULE	0x01	/* sent by the sender's kernel module */

/* BVW_ADVANCE role */
enum bvw_role { BVW_ROLE_GATEWAY = 1, BVW_ROLE_MEMBER = 2 };

/* one decoded message; which fields matter depends on type */
struct bvw_msg {
	uint8_t type;
	uint8_t group;
	uint8_t flags;
	uint32_t sender;
	uint32_t sender_key;	/* key id of the sender's key pair */
	uint32_t recipient_key;	/* key id of the recipient's public key */
	uint32_t recipient;	/* node id to send to (not sent: the pair key
				 * binds the datagram to its two nodes) */
	uint64_t seq;
	uint64_t req_id;	/* a reply carries its request's seq */
	uint32_t epoch;
	uint8_t role;		/* ADVANCE */
	uint32_t prev;		/* ADVANCE_ACK */
	uint32_t now;		/* ADVANCE_ACK */
	uint64_t switch_ns;	/* ADVANCE_ACK */
	uint8_t advanced;	/* ADVANCE_ACK */
	int32_t err;		/* replies: 0 or -errno from the agent */
	uint32_t offset;	/* COLLECT, COLLECT_DATA */
	uint32_t total;		/* COLLECT_DATA: size of the whole record */
	uint64_t nonce;		/* PING, PONG */
	uint64_t probe_ns;	/* PONG: the responder's own probe (a round
				 * trip it measured, in ns; 0 if none) */
	const uint8_t *data;	/* COLLECT_DATA chunk (points into the buffer) */
	uint16_t data_len;
};

struct bvw_key {
	uint8_t k[BVW_KEY_LEN];
};

/* a node's own key pair */
struct bvw_keypair {
	struct bvw_key secret;
	uint8_t pub[BVW_PUBLIC_LEN];
	uint32_t id;		/* bvw_key_id(pub) */
};

/* what bvw_peek returns: the unauthenticated header */
struct bvw_hdr {
	uint8_t type;
	uint32_t sender, sender_key, recipient_key;
	uint64_t seq;
};

/* per-sender replay state, kept by the receiver */
struct bvw_replay {
	uint32_t sender;
	uint8_t flags;		/* a sender's module (BVW_F_MODULE) is apart */
	bool used;
	uint64_t top;		/* newest seq accepted */
	uint64_t bitmap;	/* bit i: top - i was accepted */
	/* the table's links, as slot index + 1 (0: none) */
	uint32_t newer, older;	/* by last accepted message */
	uint32_t chain;		/* next in the same hash bucket */
};

/*
 * A hash of (sender, flags) finds a sender's slot, a list ordered by last
 * accepted message finds the one to evict: each check is O(1), so the
 * coordinator's work per datagram does not grow with the fleet (a linear
 * table made collecting from N members O(N^2); docs/performance.md).
 * bvw_replay_init allocates it; bvw_replay_newest and bvw_replay_older
 * walk it, the sender seen last first.
 */
struct bvw_replay_table {
	struct bvw_replay *slots;	/* n of them, the first n_used in use */
	uint32_t *buckets;	/* 1 << bits chain heads, slot index + 1 */
	size_t n, n_used;	/* capacity; the oldest evicted when full */
	unsigned int bits;
	uint32_t newest, oldest;	/* slot index + 1, 0: empty */
};

/* counters of what a receiver dropped */
struct bvw_drops {
	uint64_t truncated, malformed, version, group, mac, replay;
};

/* FNV-1a of a node name: stable, needs no coordination */
uint32_t bvw_node_id(const char *name);

/* the key id of a public key: the first 4 bytes of its BLAKE2b hash */
uint32_t bvw_key_id(const uint8_t pub[BVW_PUBLIC_LEN]);

/*
 * The pair key of own and a peer's public key (see above; the same at both
 * ends). Returns 0, or -EINVAL for a public key that is not a usable X25519
 * point (a low-order point: X25519 would give all zeros).
 */
int bvw_pair_key(const struct bvw_keypair *own,
		 const uint8_t peer_pub[BVW_PUBLIC_LEN], struct bvw_key *out);

/* a public key in hex (64 digits); 0 or -EINVAL */
int bvw_public_parse(const char *hex, uint8_t pub[BVW_PUBLIC_LEN]);

/*
 * Encode m (type, group, sender, sender_key, recipient_key, seq and the
 * type's fields) into buf and append the MAC made with key (the pair key).
 * Returns the datagram length, or -EMSGSIZE/-EINVAL.
 */
int bvw_encode(const struct bvw_msg *m, const struct bvw_key *key,
	       uint8_t *buf, size_t size);

/*
 * The header checks of bvw_decode, without the MAC: fills h so that the
 * receiver can find the pair key. Returns 0 or the error bvw_decode would
 * return, counting the drop in d if non-NULL.
 */
int bvw_peek(const uint8_t *buf, size_t len, uint8_t group,
	     struct bvw_hdr *h, struct bvw_drops *d);

/*
 * Check and decode a received datagram: length, header, MAC (key: the pair
 * key of the two nodes the header names), then the body. Does not touch
 * replay state (so a forged datagram cannot advance it). Returns 0, or
 * -EBADMSG (malformed/truncated), -EPROTO (version), -EPERM (MAC), -EXDEV
 * (group), and counts the drop in d if non-NULL. m->data points into buf;
 * after a refusal m is all zero.
 */
int bvw_decode(const uint8_t *buf, size_t len, const struct bvw_key *key,
	       uint8_t group, struct bvw_msg *m, struct bvw_drops *d);

/* a table for n senders (n >= 1): 0, -EINVAL or -ENOMEM */
int bvw_replay_init(struct bvw_replay_table *t, size_t n);
void bvw_replay_free(struct bvw_replay_table *t);

/* a sender's state, or NULL */
const struct bvw_replay *bvw_replay_find(const struct bvw_replay_table *t,
					 uint32_t sender, uint8_t flags);

/* the sender seen last; then each one's predecessor, down to NULL */
const struct bvw_replay *bvw_replay_newest(const struct bvw_replay_table *t);
const struct bvw_replay *bvw_replay_older(const struct bvw_replay_table *t,
					  const struct bvw_replay *r);

/*
 * Replay check of an authenticated message: returns 0 and records
 * (sender, seq), or -EALREADY if it was seen or is too old (counted in d).
 */
int bvw_replay_check(struct bvw_replay_table *t, uint32_t sender,
		     uint64_t seq, struct bvw_drops *d);

/* the same for the sender identity (sender, flags): a node's module
 * (BVW_F_MODULE) has a window of its own; bvw_replay_check is flags 0 */
int bvw_replay_check_flags(struct bvw_replay_table *t, uint32_t sender,
			   uint8_t flags, uint64_t seq, struct bvw_drops *d);

/*
 * Restore a sender's replay state saved before a restart: as if every seq
 * up to top had been accepted (the 64 behind it included, which a restart
 * cannot tell apart). Returns 0 or -EINVAL.
 */
int bvw_replay_seed(struct bvw_replay_table *t, uint32_t sender,
		    uint64_t top);

/* read a private key file (32 raw bytes, or 64 hex digits and a newline);
 * refuses a file that group or others may read or write, or that belongs
 * to neither root nor the caller. Returns 0 or -errno, with a message in
 * why (which does not repeat the path). */
int bvw_key_load(const char *path, struct bvw_key *key, char *why,
		 size_t why_len);

/* bvw_key_load, then the public key and its id */
int bvw_keypair_load(const char *path, struct bvw_keypair *kp, char *why,
		     size_t why_len);

/* the public key and id of a secret (any 32 bytes are an X25519 secret) */
int bvw_keypair_from_secret(const struct bvw_key *secret,
			    struct bvw_keypair *kp);

/* write a fresh random private key file (64 hex digits and a newline) with
 * mode 0600; refuses to replace an existing file (O_EXCL). Returns 0 or
 * -errno. */
int bvw_key_generate(const char *path);

#endif /* BEAVERD_WIRE_H */
