// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The control-plane codec (beaverd/wire.c): every message type round-trips;
 * a changed byte anywhere, a wrong key or group, a truncated or extended
 * datagram is refused with the documented code and counted; bodies that
 * authenticate but break a field rule are refused; the replay window takes
 * each seq once, out of order within 64, and evicts the least recently
 * seen sender; key files are written 0600 and refused when others may
 * read them; pair keys agree at both ends and differ for every other pair,
 * so a datagram is good only between its two nodes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wire.h"

static const struct bvw_key key1 = { .k = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 } };
static const struct bvw_key key2 = { .k = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 33 } };

static const uint8_t chunk[] = "{\"flows\":[1,2,3],\"channels\":[]}";

/* one valid message of each type, with every field of it set */
static struct bvw_msg sample(uint8_t type)
{
	struct bvw_msg m = {
		.type = type, .group = 7, .sender = 0xa1b2c3d4,
		.sender_key = 0x5566aa01, .recipient_key = 0x7788bb02,
		.seq = 0x0123456789abcdefull,
	};

	switch (type) {
	case BVW_ADVANCE:
		m.epoch = 0xfffffffe;
		m.role = BVW_ROLE_MEMBER;
		break;
	case BVW_ADVANCE_ACK:
		m.req_id = 0x1122334455667788ull;
		m.epoch = 42;
		m.prev = 41;
		m.now = 43;
		m.switch_ns = 0xfedcba9876543210ull;
		m.advanced = 1;
		m.err = 0;
		break;
	case BVW_COLLECT:
		m.epoch = 5;
		m.offset = 1024;
		break;
	case BVW_COLLECT_DATA:
		m.req_id = 99;
		m.epoch = 5;
		m.offset = 1000;
		m.total = 1000 + sizeof(chunk) + 7;
		m.data = chunk;
		m.data_len = sizeof(chunk);
		break;
	case BVW_RELEASE:
		m.epoch = 0x80000000u;
		break;
	case BVW_RELEASE_ACK:
		m.req_id = 3;
		m.epoch = 9;
		m.err = -ENOENT;
		break;
	case BVW_ANNOUNCE:
		m.epoch = 0xfffffffeu;
		break;
	case BVW_ANNOUNCE_ACK:
		m.req_id = 4;
		m.epoch = 11;
		m.err = -EOPNOTSUPP;
		break;
	case BVW_PING:
		m.nonce = 0xdeadbeefcafef00dull;
		break;
	case BVW_PONG:
		m.req_id = 7;
		m.nonce = 0xdeadbeefcafef00dull;
		m.epoch = 12;
		m.err = -4095;
		m.probe_ns = 123456789;
		break;
	}
	return m;
}

static void assert_msg_equal(const struct bvw_msg *a, const struct bvw_msg *b)
{
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->group, b->group);
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->sender, b->sender);
	assert_int_equal(a->sender_key, b->sender_key);
	assert_int_equal(a->recipient_key, b->recipient_key);
	assert_true(a->seq == b->seq);
	assert_true(a->req_id == b->req_id);
	assert_int_equal(a->epoch, b->epoch);
	assert_int_equal(a->role, b->role);
	assert_int_equal(a->prev, b->prev);
	assert_int_equal(a->now, b->now);
	assert_true(a->switch_ns == b->switch_ns);
	assert_int_equal(a->advanced, b->advanced);
	assert_int_equal(a->err, b->err);
	assert_int_equal(a->offset, b->offset);
	assert_int_equal(a->total, b->total);
	assert_true(a->nonce == b->nonce);
	assert_true(a->probe_ns == b->probe_ns);
	assert_int_equal(a->data_len, b->data_len);
	if (a->data_len)
		assert_memory_equal(a->data, b->data, a->data_len);
	else
		assert_null(b->data);
}

static size_t encode(const struct bvw_msg *m, uint8_t *buf)
{
	int n = bvw_encode(m, &key1, buf, BVW_MAX_DGRAM);

	assert_true(n > 0);
	return (size_t)n;
}

/* recompute the MAC after a test changed the datagram on purpose */
static void remac(uint8_t *buf, size_t len)
{
	crypto_auth_hmacsha256(buf + len - BVW_MAC_LEN, buf, len - BVW_MAC_LEN,
			       key1.k);
}

static uint64_t drops_total(const struct bvw_drops *d)
{
	return d->truncated + d->malformed + d->version + d->group + d->mac +
	       d->replay;
}

static void test_round_trip_every_type(void **state)
{
	static const size_t sizes[__BVW_TYPE_MAX] = {
		[BVW_ADVANCE] = 8, [BVW_ADVANCE_ACK] = 36, [BVW_COLLECT] = 8,
		[BVW_COLLECT_DATA] = 28 + sizeof(chunk), [BVW_RELEASE] = 8,
		[BVW_RELEASE_ACK] = 16, [BVW_PING] = 8, [BVW_PONG] = 32,
		[BVW_ANNOUNCE] = 8, [BVW_ANNOUNCE_ACK] = 16,
	};
	uint8_t buf[BVW_MAX_DGRAM];
	struct bvw_drops d = { 0 };

	(void)state;
	for (uint8_t t = BVW_ADVANCE; t < __BVW_TYPE_MAX; t++) {
		struct bvw_msg m = sample(t), out;
		size_t n = encode(&m, buf);

		assert_int_equal(n, BVW_HDR_LEN + sizes[t] + BVW_MAC_LEN);
		assert_memory_equal(buf, "BV\x02", 3);
		assert_int_equal(buf[3], t);
		assert_int_equal(bvw_decode(buf, n, &key1, 7, &out, &d), 0);
		assert_msg_equal(&m, &out);
		/* the chunk is not copied: it points into the datagram */
		if (t == BVW_COLLECT_DATA)
			assert_ptr_equal(out.data, buf + BVW_HDR_LEN + 28);
	}
	assert_int_equal(drops_total(&d), 0);
}

static void test_round_trip_edges(void **state)
{
	uint8_t buf[BVW_MAX_DGRAM], big[BVW_MAX_BODY];
	struct bvw_msg m, out;
	size_t n;

	(void)state;
	memset(big, 0x5a, sizeof(big));
	/* the largest chunk that fits one datagram */
	m = sample(BVW_COLLECT_DATA);
	m.data = big;
	m.data_len = BVW_MAX_BODY - 28;
	m.offset = 0;
	m.total = m.data_len;
	n = encode(&m, buf);
	assert_int_equal(n, BVW_MAX_DGRAM);
	assert_int_equal(bvw_decode(buf, n, &key1, 7, &out, NULL), 0);
	assert_msg_equal(&m, &out);

	/* an empty chunk, and a failed collect */
	m = sample(BVW_COLLECT_DATA);
	m.data = NULL;
	m.data_len = 0;
	m.err = -EIO;
	n = encode(&m, buf);
	assert_int_equal(bvw_decode(buf, n, &key1, 7, &out, NULL), 0);
	assert_msg_equal(&m, &out);

	/* extreme values */
	m = sample(BVW_ADVANCE_ACK);
	m.epoch = m.prev = m.now = 0xffffffff;
	m.switch_ns = UINT64_MAX;
	m.req_id = UINT64_MAX;
	m.err = -4095;
	m.seq = UINT64_MAX;
	m.sender = UINT32_MAX;
	m.group = 255;
	n = encode(&m, buf);
	assert_int_equal(bvw_decode(buf, n, &key1, 255, &out, NULL), 0);
	assert_msg_equal(&m, &out);
	m.err = -1;
	m.prev = 0;
	m.advanced = 0;
	n = encode(&m, buf);
	assert_int_equal(bvw_decode(buf, n, &key1, 255, &out, NULL), 0);
	assert_msg_equal(&m, &out);
}

static void test_encode_refuses(void **state)
{
	uint8_t buf[BVW_MAX_DGRAM], big[BVW_MAX_BODY];
	struct bvw_msg m;

	(void)state;
#define REFUSE(type, change, code) do { \
	m = sample(type); \
	change; \
	assert_int_equal(bvw_encode(&m, &key1, buf, sizeof(buf)), code); \
} while (0)
	REFUSE(BVW_ADVANCE, m.type = 0, -EINVAL);
	REFUSE(BVW_ADVANCE, m.type = __BVW_TYPE_MAX, -EINVAL);
	REFUSE(BVW_ADVANCE, m.flags = 1, -EINVAL);
	REFUSE(BVW_ADVANCE, m.epoch = 0, -EINVAL);
	REFUSE(BVW_ADVANCE, m.role = 0, -EINVAL);
	REFUSE(BVW_ADVANCE, m.role = 3, -EINVAL);
	REFUSE(BVW_ADVANCE_ACK, m.advanced = 2, -EINVAL);
	REFUSE(BVW_ADVANCE_ACK, m.err = 1, -EINVAL);
	REFUSE(BVW_ADVANCE_ACK, m.err = -4096, -EINVAL);
	REFUSE(BVW_ADVANCE_ACK, m.epoch = 0, -EINVAL);
	REFUSE(BVW_COLLECT, m.epoch = 0, -EINVAL);
	REFUSE(BVW_RELEASE, m.epoch = 0, -EINVAL);
	REFUSE(BVW_RELEASE_ACK, m.epoch = 0, -EINVAL);
	REFUSE(BVW_ANNOUNCE, m.epoch = 0, -EINVAL);
	REFUSE(BVW_ANNOUNCE_ACK, m.epoch = 0, -EINVAL);
	REFUSE(BVW_ANNOUNCE_ACK, m.err = 1, -EINVAL);
	REFUSE(BVW_PONG, m.err = 5, -EINVAL);
	REFUSE(BVW_COLLECT_DATA, m.total = m.offset, -EINVAL);
	REFUSE(BVW_COLLECT_DATA, (m.offset = 0xffffffff, m.total = 0xffffffff),
	       -EINVAL);
	REFUSE(BVW_COLLECT_DATA, (m.offset = 0, m.total = BVW_MAX_RECORD + 1),
	       -EINVAL);
	REFUSE(BVW_COLLECT_DATA, m.err = -EIO, -EINVAL);
	REFUSE(BVW_COLLECT_DATA, m.data = NULL, -EINVAL);
	REFUSE(BVW_COLLECT_DATA, (m.data = big, m.data_len = BVW_MAX_BODY - 27,
				  m.offset = 0, m.total = 2000), -EMSGSIZE);
	m = sample(BVW_PING);
	assert_int_equal(bvw_encode(&m, &key1, buf, BVW_HDR_LEN + 8 +
				    BVW_MAC_LEN - 1), -EMSGSIZE);
	assert_int_equal(bvw_encode(&m, &key1, buf, BVW_HDR_LEN + 8 +
				    BVW_MAC_LEN), BVW_HDR_LEN + 8 + BVW_MAC_LEN);
	assert_int_equal(bvw_encode(NULL, &key1, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(bvw_encode(&m, NULL, buf, sizeof(buf)), -EINVAL);
#undef REFUSE
}

/*
 * What a changed byte at position i of a datagram gives: the magic and the
 * length are checked first, then the version and group, and the MAC covers
 * the rest (the MAC's own bytes included).
 */
static int tamper_code(size_t i)
{
	switch (i) {
	case 0: case 1: case 6: case 7:
		return -EBADMSG;
	case 2:
		return -EPROTO;
	case 4:
		return -EXDEV;
	default:
		return -EPERM;
	}
}

static void test_tampered_byte_anywhere(void **state)
{
	static const uint8_t flips[] = { 0x01, 0x80, 0xff, 0x10 };
	uint8_t buf[BVW_MAX_DGRAM];
	struct bvw_msg out;
	size_t cases = 0;

	(void)state;
	for (uint8_t t = BVW_ADVANCE; t < __BVW_TYPE_MAX; t++) {
		struct bvw_msg m = sample(t);
		size_t n = encode(&m, buf);

		for (size_t i = 0; i < n; i++) {
			for (size_t f = 0; f < sizeof(flips); f++) {
				struct bvw_drops d = { 0 };
				int rc;

				buf[i] ^= flips[f];
				rc = bvw_decode(buf, n, &key1, 7, &out, &d);
				buf[i] ^= flips[f];
				if (rc != tamper_code(i)) {
					print_error("type %u byte %zu ^ 0x%02x: "
						    "%d, expected %d\n", t, i,
						    flips[f], rc, tamper_code(i));
					fail();
				}
				assert_int_equal(drops_total(&d), 1);
				if (rc == -EPERM)
					assert_int_equal(d.mac, 1);
				cases++;
			}
		}
		/* untouched, it still decodes */
		assert_int_equal(bvw_decode(buf, n, &key1, 7, &out, NULL), 0);
	}
	assert_true(cases > 1000);
}

static void test_wrong_key_group_version(void **state)
{
	uint8_t buf[BVW_MAX_DGRAM];
	struct bvw_drops d = { 0 };
	struct bvw_msg m = sample(BVW_ADVANCE), out;
	size_t n = encode(&m, buf);

	(void)state;
	assert_int_equal(bvw_decode(buf, n, &key2, 7, &out, &d), -EPERM);
	assert_int_equal(d.mac, 1);
	/* the output says nothing after a refusal */
	assert_int_equal(out.type, 0);
	assert_int_equal(out.epoch, 0);

	assert_int_equal(bvw_decode(buf, n, &key1, 8, &out, &d), -EXDEV);
	assert_int_equal(d.group, 1);

	/* a group 8 datagram under group 8's key, received by group 7 */
	m.group = 8;
	n = (size_t)bvw_encode(&m, &key2, buf, sizeof(buf));
	assert_int_equal(bvw_decode(buf, n, &key1, 7, &out, &d), -EXDEV);
	assert_int_equal(d.group, 2);

	/* another version (1: the group-key protocol), even with a good MAC */
	m.group = 7;
	n = encode(&m, buf);
	buf[2] = 1;
	remac(buf, n);
	assert_int_equal(bvw_decode(buf, n, &key1, 7, &out, &d), -EPROTO);
	assert_int_equal(d.version, 1);
	assert_int_equal(drops_total(&d), 4);
}

static void keypair(struct bvw_keypair *kp, uint8_t seed)
{
	struct bvw_key k;

	for (size_t i = 0; i < BVW_KEY_LEN; i++)
		k.k[i] = (uint8_t)(seed * 31 + i);
	assert_int_equal(bvw_keypair_from_secret(&k, kp), 0);
	assert_int_equal(kp->id, bvw_key_id(kp->pub));
}

/* both ends derive one pair key; every other pair has another */
static void test_pair_keys(void **state)
{
	struct bvw_keypair a, b, c;
	struct bvw_key ab, ba, ac, cb, aa;
	uint8_t low[BVW_PUBLIC_LEN] = { 1 };	/* u = 1: a low-order point */

	(void)state;
	keypair(&a, 1);
	keypair(&b, 2);
	keypair(&c, 3);
	assert_int_not_equal(a.id, b.id);
	assert_int_not_equal(b.id, c.id);
	assert_int_equal(bvw_pair_key(&a, b.pub, &ab), 0);
	assert_int_equal(bvw_pair_key(&b, a.pub, &ba), 0);
	assert_memory_equal(ab.k, ba.k, BVW_KEY_LEN);
	assert_int_equal(bvw_pair_key(&a, c.pub, &ac), 0);
	assert_int_equal(bvw_pair_key(&c, b.pub, &cb), 0);
	assert_int_equal(bvw_pair_key(&a, a.pub, &aa), 0);
	assert_memory_not_equal(ab.k, ac.k, BVW_KEY_LEN);
	assert_memory_not_equal(ab.k, cb.k, BVW_KEY_LEN);
	assert_memory_not_equal(ab.k, aa.k, BVW_KEY_LEN);
	/* a peer "key" whose product with any secret is all zeros */
	assert_int_equal(bvw_pair_key(&a, low, &ac), -EINVAL);
}

/* a datagram from a to b fails the MAC at c, and under a's key with c */
static void test_pair_bound(void **state)
{
	struct bvw_keypair a, b, c;
	struct bvw_key ab, ba, cb, ca;
	uint8_t buf[BVW_MAX_DGRAM];
	struct bvw_drops d = { 0 };
	struct bvw_msg m = sample(BVW_ADVANCE), out;
	struct bvw_hdr h;
	int n;

	(void)state;
	keypair(&a, 1);
	keypair(&b, 2);
	keypair(&c, 3);
	bvw_pair_key(&a, b.pub, &ab);
	bvw_pair_key(&b, a.pub, &ba);
	bvw_pair_key(&c, b.pub, &cb);
	bvw_pair_key(&c, a.pub, &ca);
	m.sender_key = a.id;
	m.recipient_key = b.id;
	n = bvw_encode(&m, &ab, buf, sizeof(buf));
	assert_true(n > 0);
	/* the header, unauthenticated, names the keys to check it with */
	assert_int_equal(bvw_peek(buf, (size_t)n, 7, &h, &d), 0);
	assert_int_equal(h.type, BVW_ADVANCE);
	assert_int_equal(h.sender, m.sender);
	assert_int_equal(h.sender_key, a.id);
	assert_int_equal(h.recipient_key, b.id);
	assert_true(h.seq == m.seq);
	assert_int_equal(bvw_decode(buf, (size_t)n, &ba, 7, &out, &d), 0);
	assert_msg_equal(&m, &out);
	/* c, with either of its pair keys, cannot read it as authentic */
	assert_int_equal(bvw_decode(buf, (size_t)n, &cb, 7, &out, &d), -EPERM);
	assert_int_equal(bvw_decode(buf, (size_t)n, &ca, 7, &out, &d), -EPERM);
	assert_int_equal(d.mac, 2);
	/* peek refuses what decode refuses before the MAC, and counts it */
	assert_int_equal(bvw_peek(buf, 10, 7, &h, &d), -EBADMSG);
	assert_int_equal(bvw_peek(buf, (size_t)n, 8, &h, &d), -EXDEV);
	assert_int_equal(d.truncated, 1);
	assert_int_equal(d.group, 1);
	assert_int_equal(h.sender, 0);
}

static void test_public_parse(void **state)
{
	struct bvw_keypair a;
	char hex[2 * BVW_PUBLIC_LEN + 2];
	uint8_t pub[BVW_PUBLIC_LEN];

	(void)state;
	keypair(&a, 9);
	sodium_bin2hex(hex, sizeof(hex), a.pub, BVW_PUBLIC_LEN);
	assert_int_equal(bvw_public_parse(hex, pub), 0);
	assert_memory_equal(pub, a.pub, BVW_PUBLIC_LEN);
	hex[63] = '\0';
	assert_int_equal(bvw_public_parse(hex, pub), -EINVAL);
	sodium_bin2hex(hex, sizeof(hex), a.pub, BVW_PUBLIC_LEN);
	hex[10] = 'g';
	assert_int_equal(bvw_public_parse(hex, pub), -EINVAL);
	strcpy(hex, "0000000000000000000000000000000000000000000000000000000000000000");
	assert_int_equal(bvw_public_parse(hex, pub), -EINVAL);
	strcat(hex, "0");
	assert_int_equal(bvw_public_parse(hex, pub), -EINVAL);
	/* u = 1, a low-order point: refused when read, not when first used */
	strcpy(hex, "0100000000000000000000000000000000000000000000000000000000000000");
	assert_int_equal(bvw_public_parse(hex, pub), -EINVAL);
	assert_int_equal(bvw_public_parse(NULL, pub), -EINVAL);
}

static void test_truncated_at_every_length(void **state)
{
	uint8_t buf[BVW_MAX_DGRAM + 1];
	struct bvw_msg out;

	(void)state;
	for (uint8_t t = BVW_ADVANCE; t < __BVW_TYPE_MAX; t++) {
		struct bvw_msg m = sample(t);
		size_t n = encode(&m, buf);
		struct bvw_drops d = { 0 };

		for (size_t len = 0; len < n; len++) {
			/* a copy of exactly len bytes, so ASan sees overreads */
			uint8_t *cut = malloc(len ? len : 1);

			assert_non_null(cut);
			memcpy(cut, buf, len);
			assert_int_equal(bvw_decode(len ? cut : NULL, len,
						    &key1, 7, &out, &d),
					 -EBADMSG);
			free(cut);
		}
		assert_int_equal(d.truncated, n);
		assert_int_equal(drops_total(&d), n);
		/* one byte too many */
		buf[n] = 0;
		assert_int_equal(bvw_decode(buf, n + 1, &key1, 7, &out, &d),
				 -EBADMSG);
		assert_int_equal(d.malformed, 1);
	}
}

/* authentic datagrams (a key holder's bug) whose body breaks a rule */
static void test_authentic_but_malformed(void **state)
{
	uint8_t buf[BVW_MAX_DGRAM];
	struct bvw_drops d = { 0 };
	struct bvw_msg m, out;
	size_t n;
	int cases = 0;

	(void)state;
#define BAD(type, change) do { \
	m = sample(type); \
	n = encode(&m, buf); \
	change; \
	remac(buf, n); \
	assert_int_equal(bvw_decode(buf, n, &key1, 7, &out, &d), -EBADMSG); \
	cases++; \
} while (0)
	uint8_t *b = buf + BVW_HDR_LEN;

	BAD(BVW_PING, buf[3] = 0);			/* unknown types */
	BAD(BVW_PING, buf[3] = __BVW_TYPE_MAX);
	BAD(BVW_PING, buf[3] = 0xff);
	BAD(BVW_PING, buf[3] = BVW_PONG);		/* wrong size */
	BAD(BVW_PING, buf[5] = 0x01);			/* flags */
	BAD(BVW_ADVANCE, memset(b, 0, 4));		/* epoch 0 */
	BAD(BVW_ADVANCE, b[4] = 0);			/* role */
	BAD(BVW_ADVANCE, b[4] = 3);
	BAD(BVW_ADVANCE, b[7] = 1);			/* reserved */
	BAD(BVW_ADVANCE_ACK, b[8 + 24] = 2);		/* advanced */
	BAD(BVW_ADVANCE_ACK, b[8 + 27] = 1);		/* reserved */
	BAD(BVW_ADVANCE_ACK, b[8 + 15] = 0x01);		/* err > 0 */
	BAD(BVW_ADVANCE_ACK, memset(b + 8 + 12, 0x80, 4)); /* err < -4095 */
	BAD(BVW_ADVANCE_ACK, memset(b + 8, 0, 4));	/* epoch 0 */
	BAD(BVW_COLLECT, memset(b, 0, 4));
	BAD(BVW_RELEASE, memset(b, 0, 4));
	BAD(BVW_RELEASE, b[7] = 1);
	BAD(BVW_RELEASE_ACK, memset(b + 8, 0, 4));
	BAD(BVW_ANNOUNCE, memset(b, 0, 4));
	BAD(BVW_ANNOUNCE, b[7] = 1);
	BAD(BVW_ANNOUNCE_ACK, memset(b + 8, 0, 4));
	BAD(BVW_PONG, (memset(b + 8 + 12, 0, 4), b[8 + 15] = 1)); /* err 1 */
	/* COLLECT_DATA: chunk past total, total too big, length fields */
	BAD(BVW_COLLECT_DATA, memset(b + 8 + 8, 0, 4));	/* total 0 */
	BAD(BVW_COLLECT_DATA, memset(b + 8 + 4, 0xff, 4)); /* offset */
	BAD(BVW_COLLECT_DATA, memset(b + 8 + 8, 0xff, 4)); /* total */
	BAD(BVW_COLLECT_DATA, b[8 + 17] ^= 1);		/* data_len */
	BAD(BVW_COLLECT_DATA, b[8 + 19] = 1);		/* reserved */
	BAD(BVW_COLLECT_DATA, memset(b + 8 + 12, 0xff, 4)); /* err + data */
#undef BAD
	assert_int_equal(d.malformed, (uint64_t)cases);
	assert_int_equal(drops_total(&d), (uint64_t)cases);

	/* a COLLECT_DATA body shorter than its fixed part */
	m = sample(BVW_PING);
	n = encode(&m, buf);
	buf[3] = BVW_COLLECT_DATA;
	remac(buf, n);
	assert_int_equal(bvw_decode(buf, n, &key1, 7, &out, NULL), -EBADMSG);
	/* and bad arguments */
	assert_int_equal(bvw_decode(buf, n, NULL, 7, &out, NULL), -EINVAL);
	assert_int_equal(bvw_decode(buf, n, &key1, 7, NULL, NULL), -EINVAL);
}

/* ---- replay ---- */

static struct bvw_replay_table table(size_t n)
{
	struct bvw_replay_table t;

	assert_int_equal(bvw_replay_init(&t, n), 0);
	return t;
}

/* the k-th most recently seen sender, or NULL */
static const struct bvw_replay *nth_newest(const struct bvw_replay_table *t,
					   size_t k)
{
	const struct bvw_replay *r = bvw_replay_newest(t);

	while (r && k--)
		r = bvw_replay_older(t, r);
	return r;
}

static void test_replay_duplicate_and_window(void **state)
{
	struct bvw_replay_table t = table(4);
	struct bvw_drops d = { 0 };
	const uint64_t base = 1000000;

	(void)state;
	assert_int_equal(bvw_replay_check(&t, 1, base, &d), 0);
	assert_int_equal(bvw_replay_check(&t, 1, base, &d), -EALREADY);
	assert_int_equal(d.replay, 1);
	assert_int_equal(bvw_replay_check(&t, 1, base + 1, &d), 0);
	assert_int_equal(bvw_replay_check(&t, 1, base + 1, &d), -EALREADY);

	/* jump ahead, then fill the gap out of order: each once */
	assert_int_equal(bvw_replay_check(&t, 1, base + 10, &d), 0);
	for (uint64_t s = base + 9; s >= base + 2; s--)
		assert_int_equal(bvw_replay_check(&t, 1, s, &d), 0);
	for (uint64_t s = base; s <= base + 10; s++)
		assert_int_equal(bvw_replay_check(&t, 1, s, &d), -EALREADY);

	/* the window edge: top - 63 is inside, top - 64 is too old */
	assert_int_equal(bvw_replay_check(&t, 1, base + 200, &d), 0);
	assert_int_equal(bvw_replay_check(&t, 1, base + 200 - 63, &d), 0);
	assert_int_equal(bvw_replay_check(&t, 1, base + 200 - 63, &d),
			 -EALREADY);
	assert_int_equal(bvw_replay_check(&t, 1, base + 200 - 64, &d),
			 -EALREADY);
	assert_int_equal(bvw_replay_check(&t, 1, base + 5, &d), -EALREADY);
	assert_int_equal(bvw_replay_check(&t, 1, 0, &d), -EALREADY);

	/* a shift of exactly 63 keeps the old top's bit, 64 drops it */
	assert_int_equal(bvw_replay_check(&t, 2, 500, &d), 0);
	assert_int_equal(bvw_replay_check(&t, 2, 563, &d), 0);
	assert_int_equal(bvw_replay_check(&t, 2, 500, &d), -EALREADY);
	assert_int_equal(bvw_replay_check(&t, 2, 564, &d), 0);
	assert_int_equal(bvw_replay_check(&t, 2, 501, &d), 0);	/* never seen */
	assert_int_equal(bvw_replay_check(&t, 2, 500, &d), -EALREADY);

	/* senders are independent; the extremes of seq */
	assert_int_equal(bvw_replay_check(&t, 3, UINT64_MAX, &d), 0);
	assert_int_equal(bvw_replay_check(&t, 3, UINT64_MAX, &d), -EALREADY);
	assert_int_equal(bvw_replay_check(&t, 3, UINT64_MAX - 1, &d), 0);
	assert_int_equal(bvw_replay_check(&t, 3, 0, &d), -EALREADY);
	assert_int_equal(bvw_replay_check(&t, 1, base + 201, &d), 0);

	assert_int_equal(bvw_replay_check(NULL, 1, 1, &d), -EINVAL);
	t.n = 0;
	assert_int_equal(bvw_replay_check(&t, 1, 1, &d), -EINVAL);
	bvw_replay_free(&t);
}

/* every seq once, in a shuffled order within the window: all accepted */
/* BVW_F_MODULE: an ADVANCE_ACK's only, covered by the MAC */
static void test_module_flag(void **state)
{
	uint8_t buf[BVW_MAX_DGRAM];
	struct bvw_msg m = sample(BVW_ADVANCE_ACK), out;
	size_t n;

	(void)state;
	m.flags = BVW_F_MODULE;
	n = encode(&m, buf);
	assert_int_equal(buf[5], BVW_F_MODULE);
	assert_int_equal(bvw_decode(buf, n, &key1, m.group, &out, NULL), 0);
	assert_int_equal(out.flags, BVW_F_MODULE);
	assert_msg_equal(&m, &out);
	/* the flag is authenticated: cleared without the key, refused */
	buf[5] = 0;
	assert_int_equal(bvw_decode(buf, n, &key1, m.group, &out, NULL),
			 -EPERM);
	/* every other bit, and the flag on anything but an ack, refused */
	for (unsigned int bit = 1; bit < 8; bit++) {
		buf[5] = (uint8_t)(1u << bit);
		remac(buf, n);
		assert_int_equal(bvw_decode(buf, n, &key1, m.group, &out,
					    NULL), -EBADMSG);
	}
	m = sample(BVW_ADVANCE);
	m.flags = BVW_F_MODULE;
	assert_int_equal(bvw_encode(&m, &key1, buf, sizeof(buf)), -EINVAL);
	m.flags = 0;
	n = encode(&m, buf);
	buf[5] = BVW_F_MODULE;
	remac(buf, n);
	assert_int_equal(bvw_decode(buf, n, &key1, m.group, &out, NULL),
			 -EBADMSG);
}

/*
 * A node's module and its daemon are two senders: the module's seqs (far
 * ahead, or behind) never push the daemon's window, nor the reverse, and
 * a replay is refused in each.
 */
static void test_replay_module_apart(void **state)
{
	struct bvw_replay_table t = table(4);
	struct bvw_drops d = { 0 };
	const uint64_t daemon = 1000, module = 1000000;

	(void)state;
	assert_int_equal(bvw_replay_check_flags(&t, 7, 0, daemon, &d), 0);
	assert_int_equal(bvw_replay_check_flags(&t, 7, BVW_F_MODULE, module,
						&d), 0);
	/* the daemon goes on just above its own: not "too old" */
	assert_int_equal(bvw_replay_check_flags(&t, 7, 0, daemon + 1, &d), 0);
	/* the same seq from both identities: two datagrams */
	assert_int_equal(bvw_replay_check_flags(&t, 7, BVW_F_MODULE,
						daemon + 2, &d), -EALREADY);
	assert_int_equal(bvw_replay_check_flags(&t, 7, 0, daemon + 2, &d), 0);
	assert_int_equal(bvw_replay_check_flags(&t, 7, BVW_F_MODULE,
						module + 1, &d), 0);
	/* replays within each identity */
	assert_int_equal(bvw_replay_check_flags(&t, 7, 0, daemon, &d),
			 -EALREADY);
	assert_int_equal(bvw_replay_check_flags(&t, 7, BVW_F_MODULE, module,
						&d), -EALREADY);
	assert_int_equal(bvw_replay_check(&t, 7, daemon + 1, &d), -EALREADY);
	assert_int_equal(d.replay, 4);
	/* bvw_replay_check is the daemon's identity */
	assert_int_equal(bvw_replay_check(&t, 7, daemon + 3, &d), 0);
	bvw_replay_free(&t);
}

/*
 * The vectors of the module's KUnit suite (tests/kunit/fastpath_test.c):
 * what this encoder makes of an ADVANCE and of a module's ADVANCE_ACK with
 * the pair key 00 01 .. 1f. The kernel checks it verifies the first and
 * makes the second; this checks wire.c still makes both, byte for byte.
 */
static const uint8_t bv_fpt_advance[68] = {
	0x42, 0x56, 0x02, 0x01, 0x07, 0x00, 0x00, 0x08,
	0x11, 0x22, 0x33, 0x44, 0xa1, 0xa2, 0xa3, 0xa4,
	0xb1, 0xb2, 0xb3, 0xb4, 0x01, 0x02, 0x03, 0x04,
	0x05, 0x06, 0x07, 0x08, 0x00, 0x00, 0x00, 0x2a,
	0x01, 0x00, 0x00, 0x00, 0xdf, 0xd0, 0x8c, 0xa3,
	0x83, 0xb0, 0x61, 0x64, 0x3a, 0x3f, 0x68, 0xec,
	0xd3, 0xd7, 0xb1, 0x93, 0x21, 0x88, 0xb3, 0x49,
	0xc6, 0x3e, 0x7f, 0xe1, 0xc7, 0xb9, 0x9e, 0xe4,
	0x9d, 0xbf, 0x3e, 0xba,
};

static const uint8_t bv_fpt_ack[96] = {
	0x42, 0x56, 0x02, 0x02, 0x07, 0x01, 0x00, 0x24,
	0x55, 0x66, 0x77, 0x88, 0xb1, 0xb2, 0xb3, 0xb4,
	0xa1, 0xa2, 0xa3, 0xa4, 0x10, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x01, 0x02, 0x03, 0x04,
	0x05, 0x06, 0x07, 0x08, 0x00, 0x00, 0x00, 0x2a,
	0x00, 0x00, 0x00, 0x29, 0x00, 0x00, 0x00, 0x2a,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x07, 0x5b, 0xcd, 0x15, 0x01, 0x00, 0x00, 0x00,
	0x62, 0x51, 0xa7, 0xac, 0x86, 0x2d, 0x21, 0x61,
	0x73, 0x1a, 0x0d, 0x53, 0x93, 0x90, 0x69, 0x6c,
	0x23, 0x07, 0xf2, 0x9d, 0x29, 0x66, 0xf2, 0x58,
	0x07, 0x02, 0xcf, 0x46, 0x0a, 0xac, 0x66, 0xf5,
};

static void test_fastpath_vectors(void **state)
{
	struct bvw_key k;
	uint8_t buf[BVW_MAX_DGRAM];
	struct bvw_msg a = {
		.type = BVW_ADVANCE, .group = 7, .sender = 0x11223344,
		.sender_key = 0xa1a2a3a4, .recipient_key = 0xb1b2b3b4,
		.seq = 0x0102030405060708ull, .epoch = 42,
		.role = BVW_ROLE_GATEWAY,
	};
	struct bvw_msg r = {
		.type = BVW_ADVANCE_ACK, .group = 7, .flags = BVW_F_MODULE,
		.sender = 0x55667788, .sender_key = 0xb1b2b3b4,
		.recipient_key = 0xa1a2a3a4, .seq = 0x1000000000000001ull,
		.req_id = 0x0102030405060708ull, .epoch = 42, .prev = 41,
		.now = 42, .err = 0, .switch_ns = 123456789ull, .advanced = 1,
	};
	struct bvw_msg m;

	(void)state;
	for (int i = 0; i < BVW_KEY_LEN; i++)
		k.k[i] = (uint8_t)i;
	assert_int_equal(bvw_encode(&a, &k, buf, sizeof(buf)),
			 sizeof(bv_fpt_advance));
	assert_memory_equal(buf, bv_fpt_advance, sizeof(bv_fpt_advance));
	assert_int_equal(bvw_encode(&r, &k, buf, sizeof(buf)),
			 sizeof(bv_fpt_ack));
	assert_memory_equal(buf, bv_fpt_ack, sizeof(bv_fpt_ack));
	assert_int_equal(bvw_decode(bv_fpt_ack, sizeof(bv_fpt_ack), &k, 7, &m,
				    NULL), 0);
	r.recipient = 0;
	assert_msg_equal(&r, &m);
}

static void test_replay_shuffled(void **state)
{
	struct bvw_replay_table t = table(2);
	uint64_t seqs[64];
	uint32_t r = 12345;

	(void)state;
	for (size_t round = 0; round < 50; round++) {
		for (size_t i = 0; i < 64; i++)
			seqs[i] = 100000 + round * 64 + i;
		for (size_t i = 63; i > 0; i--) {
			size_t j;
			uint64_t tmp;

			r = r * 1103515245u + 12345u;
			j = (r >> 8) % (i + 1);
			tmp = seqs[i];
			seqs[i] = seqs[j];
			seqs[j] = tmp;
		}
		/* the newest first, so the rest are all inside the window */
		for (size_t i = 0; i < 64; i++)
			if (seqs[i] == 100000 + round * 64 + 63) {
				seqs[i] = seqs[0];
				seqs[0] = 100000 + round * 64 + 63;
			}
		for (size_t i = 0; i < 64; i++)
			assert_int_equal(bvw_replay_check(&t, 9, seqs[i], NULL),
					 0);
		for (size_t i = 0; i < 64; i++)
			assert_int_equal(bvw_replay_check(&t, 9, seqs[i], NULL),
					 -EALREADY);
	}
	bvw_replay_free(&t);
}

static void test_replay_eviction(void **state)
{
	struct bvw_replay_table t = table(3);
	struct bvw_drops d = { 0 };

	(void)state;
	assert_int_equal(bvw_replay_check(&t, 10, 100, &d), 0);
	assert_int_equal(bvw_replay_check(&t, 20, 200, &d), 0);
	assert_int_equal(bvw_replay_check(&t, 30, 300, &d), 0);
	/* 10 is seen again: 20 is now the least recently seen */
	assert_int_equal(bvw_replay_check(&t, 10, 101, &d), 0);
	/* a fourth sender evicts 20 */
	assert_int_equal(bvw_replay_check(&t, 40, 400, &d), 0);
	assert_null(bvw_replay_find(&t, 20, 0));
	assert_int_equal(t.n_used, 3);
	/* 10, 30 and 40 still remember */
	assert_int_equal(bvw_replay_check(&t, 10, 101, &d), -EALREADY);
	assert_int_equal(bvw_replay_check(&t, 30, 300, &d), -EALREADY);
	assert_int_equal(bvw_replay_check(&t, 40, 400, &d), -EALREADY);
	assert_int_equal(d.replay, 3);
	/* 20 was forgotten (documented): its old seq passes once more, and
	 * coming back it evicts the least recently accepted, 30 (refused
	 * replays do not count as seen) */
	assert_int_equal(bvw_replay_check(&t, 20, 200, &d), 0);
	assert_int_equal(bvw_replay_check(&t, 20, 200, &d), -EALREADY);
	assert_null(bvw_replay_find(&t, 30, 0));
	assert_int_equal(bvw_replay_check(&t, 10, 101, &d), -EALREADY);
	/* the table never grows */
	for (uint32_t s = 100; s < 200; s++)
		assert_int_equal(bvw_replay_check(&t, s, 1, &d), 0);
	assert_int_equal(nth_newest(&t, 0)->sender, 199);
	assert_int_equal(nth_newest(&t, 1)->sender, 198);
	assert_int_equal(nth_newest(&t, 2)->sender, 197);
	assert_null(nth_newest(&t, 3));
	assert_int_equal(t.n_used, 3);
	bvw_replay_free(&t);
	/* a one-slot table */
	struct bvw_replay_table t1 = table(1);

	assert_int_equal(bvw_replay_check(&t1, 1, 5, NULL), 0);
	assert_int_equal(bvw_replay_check(&t1, 1, 5, NULL), -EALREADY);
	assert_int_equal(bvw_replay_check(&t1, 2, 5, NULL), 0);
	assert_int_equal(bvw_replay_check(&t1, 2, 5, NULL), -EALREADY);
	assert_null(bvw_replay_find(&t1, 1, 0));
	bvw_replay_free(&t1);
}

/*
 * A thousand senders in a thousand slots, both identities of each in a
 * second table too small for them: the hash finds every one, eviction
 * takes the least recently accepted (a plain list is the model), and a
 * sender forgotten and seen again gets a slot of its own once more.
 */
static void test_replay_many(void **state)
{
	struct bvw_replay_table t = table(1000), small = table(64);
	uint32_t model[64];	/* small's senders, most recent first */
	size_t n_model = 0;
	uint32_t r = 777;

	(void)state;
	for (uint32_t s = 0; s < 1000; s++)
		assert_int_equal(bvw_replay_check(&t, bvw_node_id("m") + s * 7919,
						  5, NULL), 0);
	assert_int_equal(t.n_used, 1000);
	for (uint32_t s = 0; s < 1000; s++) {
		const struct bvw_replay *x =
			bvw_replay_find(&t, bvw_node_id("m") + s * 7919, 0);

		assert_non_null(x);
		assert_true(x->top == 5);
		assert_null(bvw_replay_find(&t, bvw_node_id("m") + s * 7919,
					    BVW_F_MODULE));
		assert_int_equal(bvw_replay_check(&t, x->sender, 5, NULL),
				 -EALREADY);
	}
	for (size_t step = 0; step < 5000; step++) {
		uint32_t sender, flags;
		size_t at;

		r = r * 1103515245u + 12345u;
		sender = (r >> 8) % 100;
		flags = (r >> 20) & 1 ? BVW_F_MODULE : 0;
		assert_int_equal(bvw_replay_check_flags(&small, sender,
							(uint8_t)flags,
							step + 1, NULL), 0);
		/* the model: move (sender, flags) to the front, drop the last */
		sender = sender << 1 | flags;
		for (at = 0; at < n_model && model[at] != sender; at++)
			;
		if (at == n_model && n_model < 64)
			n_model++;
		if (at == 64)
			at = 63;
		memmove(&model[1], &model[0], at * sizeof(model[0]));
		model[0] = sender;
		for (size_t k = 0; k < n_model; k++) {
			const struct bvw_replay *x = nth_newest(&small, k);

			assert_non_null(x);
			assert_int_equal(x->sender << 1 | x->flags, model[k]);
			assert_ptr_equal(bvw_replay_find(&small, x->sender,
							 x->flags), x);
		}
		assert_null(nth_newest(&small, n_model));
	}
	/* exactly the model's senders are found */
	for (uint32_t x = 0; x < 200; x++) {
		bool in = false;

		for (size_t k = 0; k < n_model; k++)
			in |= model[k] == x;
		assert_int_equal(bvw_replay_find(&small, x >> 1,
						 x & 1 ? BVW_F_MODULE : 0) != NULL,
				 in);
	}
	bvw_replay_free(&t);
	bvw_replay_free(&small);
	assert_int_equal(bvw_replay_init(&t, 0), -EINVAL);
	assert_null(bvw_replay_find(&t, 1, 0));
	assert_int_equal(bvw_replay_check(&t, 1, 1, NULL), -EINVAL);
}

/* a forged datagram never reaches (or changes) the replay state */
/* restored after a restart: nothing at or behind the saved top passes */
static void test_replay_seed(void **state)
{
	struct bvw_replay_table t = table(4);
	const uint64_t top = 1000000;

	(void)state;
	assert_int_equal(bvw_replay_seed(&t, 7, top), 0);
	assert_int_equal(bvw_replay_check(&t, 7, top, NULL), -EALREADY);
	assert_int_equal(bvw_replay_check(&t, 7, top - 1, NULL), -EALREADY);
	assert_int_equal(bvw_replay_check(&t, 7, top - 63, NULL), -EALREADY);
	assert_int_equal(bvw_replay_check(&t, 7, top - 64, NULL), -EALREADY);
	assert_int_equal(bvw_replay_check(&t, 7, top + 1, NULL), 0);
	/* another sender is not affected */
	assert_int_equal(bvw_replay_check(&t, 8, top - 1, NULL), 0);
	bvw_replay_free(&t);
}

static void test_decode_then_replay(void **state)
{
	struct bvw_replay_table t = table(4);
	uint8_t buf[BVW_MAX_DGRAM];
	struct bvw_msg m = sample(BVW_ADVANCE), out;
	size_t n;

	(void)state;
	m.seq = 50;
	n = encode(&m, buf);
	assert_int_equal(bvw_decode(buf, n, &key1, 7, &out, NULL), 0);
	assert_int_equal(bvw_replay_check(&t, out.sender, out.seq, NULL), 0);
	/* the same datagram again: decodes, but is a replay */
	assert_int_equal(bvw_decode(buf, n, &key1, 7, &out, NULL), 0);
	assert_int_equal(bvw_replay_check(&t, out.sender, out.seq, NULL),
			 -EALREADY);
	/* a forged one with a far-future seq fails the MAC first */
	buf[12] = 0x7f;
	assert_int_equal(bvw_decode(buf, n, &key1, 7, &out, NULL), -EPERM);
	assert_true(bvw_replay_newest(&t)->top == 50);
	bvw_replay_free(&t);
}

static void test_node_id(void **state)
{
	(void)state;
	/* FNV-1a 32-bit reference values */
	assert_int_equal(bvw_node_id(""), 0x811c9dc5u);
	assert_int_equal(bvw_node_id("a"), 0xe40c292cu);
	assert_int_equal(bvw_node_id("foobar"), 0xbf9cf968u);
	assert_int_equal(bvw_node_id(NULL), 0x811c9dc5u);
	assert_int_not_equal(bvw_node_id("m1"), bvw_node_id("m2"));
}

/* ---- key files ---- */

static void write_file(const char *path, const void *data, size_t len,
		       mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void test_key_files(void **state)
{
	char dir[] = "/tmp/bvkeyXXXXXX", p1[64], p2[64], p3[64], why[256];
	struct bvw_key k1, k2, k3;
	uint8_t buf[BVW_MAX_DGRAM], text[80];
	struct bvw_msg m = sample(BVW_PING), out;
	struct stat st;
	int fd, n;
	mode_t old = umask(0);

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(p1, sizeof(p1), "%s/a.key", dir);
	snprintf(p2, sizeof(p2), "%s/b.key", dir);
	snprintf(p3, sizeof(p3), "%s/c.key", dir);

	/* generated: 0600 even with umask 0, 64 hex digits and a newline */
	assert_int_equal(bvw_key_generate(p1), 0);
	umask(old);
	assert_int_equal(stat(p1, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, 65);
	fd = open(p1, O_RDONLY);
	assert_int_equal(read(fd, text, sizeof(text)), 65);
	close(fd);
	assert_int_equal(text[64], '\n');
	for (int i = 0; i < 64; i++)
		assert_non_null(strchr("0123456789abcdef", text[i]));
	/* never replaces a key */
	assert_int_equal(bvw_key_generate(p1), -EEXIST);
	assert_int_equal(bvw_key_generate(p2), 0);

	assert_int_equal(bvw_key_load(p1, &k1, why, sizeof(why)), 0);
	assert_int_equal(bvw_key_load(p2, &k2, why, sizeof(why)), 0);
	assert_memory_not_equal(k1.k, k2.k, BVW_KEY_LEN);

	/* a datagram under one generated key fails under the other */
	n = bvw_encode(&m, &k1, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(bvw_decode(buf, (size_t)n, &k1, 7, &out, NULL), 0);
	assert_int_equal(bvw_decode(buf, (size_t)n, &k2, 7, &out, NULL),
			 -EPERM);

	/* group- or other-accessible: refused, and why says what to do */
	assert_int_equal(chmod(p1, 0640), 0);
	assert_int_equal(bvw_key_load(p1, &k3, why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "mode 0640"));
	assert_non_null(strstr(why, "chmod 600"));
	assert_int_equal(chmod(p1, 0604), 0);
	assert_int_equal(bvw_key_load(p1, &k3, why, sizeof(why)), -EPERM);
	assert_int_equal(chmod(p1, 0620), 0);
	assert_int_equal(bvw_key_load(p1, &k3, why, sizeof(why)), -EPERM);
	assert_int_equal(chmod(p1, 0400), 0);
	assert_int_equal(bvw_key_load(p1, &k3, why, sizeof(why)), 0);
	assert_memory_equal(k1.k, k3.k, BVW_KEY_LEN);

	/* 32 raw bytes */
	write_file(p3, key2.k, BVW_KEY_LEN, 0600);
	assert_int_equal(bvw_key_load(p3, &k3, why, sizeof(why)), 0);
	assert_memory_equal(k3.k, key2.k, BVW_KEY_LEN);
	/* hex without newline, and with CRLF */
	write_file(p3, text, 64, 0600);
	assert_int_equal(bvw_key_load(p3, &k3, why, sizeof(why)), 0);
	text[64] = '\r';
	text[65] = '\n';
	write_file(p3, text, 66, 0600);
	assert_int_equal(bvw_key_load(p3, &k3, why, sizeof(why)), 0);
	/* not a key */
	write_file(p3, text, 63, 0600);
	assert_int_equal(bvw_key_load(p3, &k3, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "not a key file"));
	text[10] = 'g';
	write_file(p3, text, 65, 0600);
	assert_int_equal(bvw_key_load(p3, &k3, why, sizeof(why)), -EINVAL);
	write_file(p3, "", 0, 0600);
	assert_int_equal(bvw_key_load(p3, &k3, why, sizeof(why)), -EINVAL);
	memset(text, 0, 32);
	write_file(p3, text, 32, 0600);
	assert_int_equal(bvw_key_load(p3, &k3, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "all zeros"));
	memset(text, 'a', sizeof(text));
	write_file(p3, text, sizeof(text), 0600);
	assert_int_equal(bvw_key_load(p3, &k3, why, sizeof(why)), -EINVAL);
	/* missing, a directory */
	unlink(p3);
	assert_int_equal(bvw_key_load(p3, &k3, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "No such file"));
	assert_int_equal(bvw_key_load(dir, &k3, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "not a regular file"));
	assert_int_equal(bvw_key_load(p2, &k3, NULL, 0), 0);

	/* generate does not follow a symlink planted at the path */
	assert_int_equal(symlink(p2, p3), 0);
	assert_int_equal(bvw_key_generate(p3), -EEXIST);
	unlink(p3);
	snprintf(p3, sizeof(p3), "%s/nodir/x.key", dir);
	assert_int_equal(bvw_key_generate(p3), -ENOENT);

	unlink(p1);
	unlink(p2);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_every_type),
		cmocka_unit_test(test_round_trip_edges),
		cmocka_unit_test(test_encode_refuses),
		cmocka_unit_test(test_tampered_byte_anywhere),
		cmocka_unit_test(test_wrong_key_group_version),
		cmocka_unit_test(test_pair_keys),
		cmocka_unit_test(test_pair_bound),
		cmocka_unit_test(test_public_parse),
		cmocka_unit_test(test_truncated_at_every_length),
		cmocka_unit_test(test_authentic_but_malformed),
		cmocka_unit_test(test_replay_duplicate_and_window),
		cmocka_unit_test(test_replay_shuffled),
		cmocka_unit_test(test_replay_eviction),
		cmocka_unit_test(test_replay_many),
		cmocka_unit_test(test_module_flag),
		cmocka_unit_test(test_replay_module_apart),
		cmocka_unit_test(test_fastpath_vectors),
		cmocka_unit_test(test_replay_seed),
		cmocka_unit_test(test_decode_then_replay),
		cmocka_unit_test(test_node_id),
		cmocka_unit_test(test_key_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
