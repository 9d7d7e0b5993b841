/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The control plane between beaverd instances: message encoding,
 * authentication and replay protection. Pure functions on buffers (no
 * sockets), so they are unit-tested and fuzzed.
 *
 * A datagram (all integers big endian):
 *
 *   0       2     3     4      5      6        8          12         20
 *   +-------+-----+-----+------+------+--------+----------+----------+
 *   | "BV"  | ver | type| group| flags| bodylen| sender   | seq      |
 *   +-------+-----+-----+------+------+--------+----------+----------+
 *   | body (bodylen bytes, per type)  | MAC (32 bytes)               |
 *   +---------------------------------+------------------------------+
 *
 * ver = 1. sender: a 32-bit id of the sending node (bvw_node_id() of its
 * name). seq: 64-bit, strictly increasing per sender across restarts (the
 * sender starts at its CLOCK_REALTIME in microseconds << 16 and counts up).
 * MAC: crypto_auth_hmacsha256 (libsodium) over everything before it, keyed
 * with the group key (32 bytes, file written by `beaverctl genkey`).
 *
 * Receivers drop, and count, a datagram that is truncated, malformed, of
 * another version or group, fails the MAC, or whose (sender, seq) was seen
 * before or is older than the replay window (the newest seq per sender and
 * a 64-entry bitmap behind it, as IPsec/WireGuard do).
 */
#ifndef BEAVERD_WIRE_H
#define BEAVERD_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BVW_VERSION	1
#define BVW_HDR_LEN	20
#define BVW_MAC_LEN	32
#define BVW_KEY_LEN	32
#define BVW_MAX_DGRAM	1400	/* stays below every sane path MTU */
#define BVW_MAX_BODY	(BVW_MAX_DGRAM - BVW_HDR_LEN - BVW_MAC_LEN)
#define BVW_REPLAY_WINDOW 64

enum bvw_type {
	BVW_ADVANCE = 1,	/* coord -> gw/member: epoch, role */
	BVW_ADVANCE_ACK,	/* reply: epoch, prev, now, switch_ns, advanced, err */
	BVW_COLLECT,		/* coord -> member: epoch, offset */
	BVW_COLLECT_DATA,	/* reply: epoch, offset, total, err, chunk */
	BVW_RELEASE,		/* coord -> member: epoch */
	BVW_RELEASE_ACK,	/* reply: epoch, err */
	BVW_PING,		/* coord -> any: nonce (calibrate, liveness) */
	BVW_PONG,		/* reply: nonce, plus the member's own probe */
	__BVW_TYPE_MAX
};

/* BVW_ADVANCE role */
enum bvw_role { BVW_ROLE_GATEWAY = 1, BVW_ROLE_MEMBER = 2 };

/* one decoded message; which fields matter depends on type */
struct bvw_msg {
	uint8_t type;
	uint8_t group;
	uint8_t flags;
	uint32_t sender;
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
	const uint8_t *data;	/* COLLECT_DATA chunk (points into the buffer) */
	uint16_t data_len;
};

struct bvw_key {
	uint8_t k[BVW_KEY_LEN];
};

/* per-sender replay state, kept by the receiver */
struct bvw_replay {
	uint32_t sender;
	uint64_t top;		/* newest seq accepted */
	uint64_t bitmap;	/* bit i: top - i was accepted */
	bool used;
};

struct bvw_replay_table {
	struct bvw_replay *slots;
	size_t n;		/* capacity; oldest-used slot evicted when full */
};

/* counters of what a receiver dropped */
struct bvw_drops {
	uint64_t truncated, malformed, version, group, mac, replay;
};

/* FNV-1a of a node name: stable, needs no coordination */
uint32_t bvw_node_id(const char *name);

/*
 * Encode m (type, group, sender, seq and the type's fields) into buf and
 * append the MAC. Returns the datagram length, or -EMSGSIZE/-EINVAL.
 */
int bvw_encode(const struct bvw_msg *m, const struct bvw_key *key,
	       uint8_t *buf, size_t size);

/*
 * Check and decode a received datagram: length, header, MAC, then the
 * body. Does not touch replay state (so a forged datagram cannot advance
 * it). Returns 0, or -EBADMSG (malformed/truncated), -EPROTO (version),
 * -EPERM (MAC), -EXDEV (group), and counts the drop in d if non-NULL.
 * m->data points into buf.
 */
int bvw_decode(const uint8_t *buf, size_t len, const struct bvw_key *key,
	       uint8_t group, struct bvw_msg *m, struct bvw_drops *d);

/*
 * Replay check of an authenticated message: returns 0 and records
 * (sender, seq), or -EALREADY if it was seen or is too old (counted in d).
 */
int bvw_replay_check(struct bvw_replay_table *t, uint32_t sender,
		     uint64_t seq, struct bvw_drops *d);

/* read a key file (32 raw bytes, or 64 hex digits and a newline); refuses a
 * file readable by group or others. Returns 0 or -errno. */
int bvw_key_load(const char *path, struct bvw_key *key, char *why,
		 size_t why_len);

/* write a fresh random key file with mode 0600 (O_EXCL) */
int bvw_key_generate(const char *path);

#endif /* BEAVERD_WIRE_H */
