// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite beaver_fastpath: the gateway's fast path for ADVANCE
 * (netfilter/fastpath_wire.c, compiled from the module's own source file),
 * on datagrams made by beaverd's own encoder (beaverd/wire.c): the
 * vectors below are what bvw_encode() makes of the messages named in
 * their comments with the pair key 00 01 .. 1f, and tests/unit/test_wire.c
 * checks that wire.c still makes exactly these bytes. So the module
 * verifies what beaverd sends, and beaverd accepts what the module sends,
 * byte for byte.
 */
#include <kunit/test.h>
#include <crypto/hash.h>
#include <linux/err.h>
#include "fastpath_wire.h"

/*
 * ADVANCE group 7, sender 0x11223344, sender_key 0xa1a2a3a4,
 * recipient_key 0xb1b2b3b4, seq 0x0102030405060708, epoch 42, role gateway
 */
static const u8 bv_fpt_advance[68] = {
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

/*
 * ADVANCE_ACK group 7, flags BVW_F_MODULE, sender 0x55667788, sender_key
 * 0xb1b2b3b4, recipient_key 0xa1a2a3a4, seq 0x1000000000000001, req_id
 * 0x0102030405060708, epoch 42, prev 41, now 42, err 0, switch_ns
 * 123456789, advanced 1
 */
static const u8 bv_fpt_ack[96] = {
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

static struct crypto_shash *bv_fpt_tfm(struct kunit *test)
{
	struct crypto_shash *tfm = crypto_alloc_shash("hmac(sha256)", 0, 0);
	u8 key[32];
	int i;

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(tfm), "no hmac(sha256): %ld",
			       PTR_ERR_OR_ZERO(tfm));
	for (i = 0; i < sizeof(key); i++)
		key[i] = i;
	KUNIT_ASSERT_EQ(test, crypto_shash_setkey(tfm, key, sizeof(key)), 0);
	return tfm;
}

/* the MAC of a datagram changed on purpose, made again */
static void bv_fpt_remac(struct kunit *test, struct crypto_shash *tfm,
			 u8 *buf, size_t len)
{
	SHASH_DESC_ON_STACK(desc, tfm);

	desc->tfm = tfm;
	KUNIT_ASSERT_EQ(test, crypto_shash_digest(desc, buf,
						  len - BV_FPW_MAC_LEN,
						  buf + len - BV_FPW_MAC_LEN), 0);
}

static void bv_fpt_good(struct kunit *test)
{
	struct crypto_shash *tfm = bv_fpt_tfm(test);
	struct bv_fpw_hdr h;
	u32 epoch = 0;
	u8 role = 0;

	KUNIT_ASSERT_EQ(test, bv_fpw_peek(bv_fpt_advance,
					  sizeof(bv_fpt_advance), 7, &h), 0);
	KUNIT_EXPECT_EQ(test, h.sender, 0x11223344);
	KUNIT_EXPECT_EQ(test, h.sender_key, 0xa1a2a3a4);
	KUNIT_EXPECT_EQ(test, h.recipient_key, 0xb1b2b3b4);
	KUNIT_EXPECT_EQ(test, h.seq, 0x0102030405060708ULL);
	KUNIT_EXPECT_EQ(test, bv_fpw_verify(bv_fpt_advance,
					    sizeof(bv_fpt_advance), tfm,
					    &epoch, &role), 0);
	KUNIT_EXPECT_EQ(test, epoch, 42);
	KUNIT_EXPECT_EQ(test, role, BV_FPW_ROLE_GATEWAY);
	crypto_free_shash(tfm);
}

/* a wrong byte anywhere, key ids and flags included, fails the MAC */
static void bv_fpt_bad_mac(struct kunit *test)
{
	struct crypto_shash *tfm = bv_fpt_tfm(test);
	u8 buf[sizeof(bv_fpt_advance)];
	struct bv_fpw_hdr h;
	u32 epoch;
	u8 role;
	int i;

	for (i = 8; i < sizeof(buf); i++) {
		memcpy(buf, bv_fpt_advance, sizeof(buf));
		buf[i] ^= 0x01;
		KUNIT_ASSERT_EQ(test, bv_fpw_peek(buf, sizeof(buf), 7, &h), 0);
		KUNIT_EXPECT_EQ_MSG(test, bv_fpw_verify(buf, sizeof(buf), tfm,
							&epoch, &role),
				    -EPERM, "byte %d changed", i);
	}
	/* another key: the datagram is not for this pair */
	memcpy(buf, bv_fpt_advance, sizeof(buf));
	buf[0] = 0;
	KUNIT_EXPECT_EQ(test, crypto_shash_setkey(tfm, buf, 32), 0);
	KUNIT_EXPECT_EQ(test, bv_fpw_verify(bv_fpt_advance, sizeof(buf), tfm,
					    &epoch, &role), -EPERM);
	crypto_free_shash(tfm);
}

/* the vector with byte @i set to @v: what bv_fpw_peek() says is @err */
static void bv_fpt_set(struct kunit *test, int i, u8 v, int err)
{
	u8 buf[sizeof(bv_fpt_advance)];
	struct bv_fpw_hdr h;

	memcpy(buf, bv_fpt_advance, sizeof(buf));
	buf[i] = v;
	KUNIT_EXPECT_EQ_MSG(test, bv_fpw_peek(buf, sizeof(buf), 7, &h), err,
			    "byte %d = %d", i, v);
}

/* wire.c's header checks, in its order; the rest is beaverd's */
static void bv_fpt_header(struct kunit *test)
{
	struct bv_fpw_hdr h;
	size_t len;

	/* truncated at every length */
	for (len = 0; len < sizeof(bv_fpt_advance); len++)
		KUNIT_EXPECT_EQ_MSG(test, bv_fpw_peek(bv_fpt_advance, len, 7,
						      &h),
				    -EBADMSG, "length %zu", len);
	/* wrong group, version, magic */
	KUNIT_EXPECT_EQ(test, bv_fpw_peek(bv_fpt_advance,
					  sizeof(bv_fpt_advance), 8, &h),
			-EXDEV);
	bv_fpt_set(test, 0, 'X', -EBADMSG);
	bv_fpt_set(test, 1, 'X', -EBADMSG);
	bv_fpt_set(test, 2, 1, -EPROTO);
	/* bodylen against the length */
	bv_fpt_set(test, 7, 9, -EBADMSG);
	bv_fpt_set(test, 7, 7, -EBADMSG);
	/* not an ADVANCE, or any flag (unknown ones included): beaverd's */
	bv_fpt_set(test, 3, 2, -EOPNOTSUPP);
	bv_fpt_set(test, 3, 7, -EOPNOTSUPP);
	bv_fpt_set(test, 5, BV_FPW_F_MODULE, -EOPNOTSUPP);
	bv_fpt_set(test, 5, 0x02, -EOPNOTSUPP);
	bv_fpt_set(test, 5, 0x80, -EOPNOTSUPP);
}

/*
 * The vector with body byte @i set to @v and its MAC made again: what
 * bv_fpw_verify() says is @err; returns the role it read
 */
static u8 bv_fpt_body1(struct kunit *test, struct crypto_shash *tfm, int i,
		       u8 v, int err)
{
	u8 buf[sizeof(bv_fpt_advance)];
	u32 epoch;
	u8 role = 0;

	memcpy(buf, bv_fpt_advance, sizeof(buf));
	buf[BV_FPW_HDR_LEN + i] = v;
	bv_fpt_remac(test, tfm, buf, sizeof(buf));
	KUNIT_EXPECT_EQ_MSG(test, bv_fpw_verify(buf, sizeof(buf), tfm, &epoch,
						&role), err,
			    "body byte %d = %d", i, v);
	return role;
}

/* authentic, but a body wire.c refuses (or a member's role) */
static void bv_fpt_body(struct kunit *test)
{
	struct crypto_shash *tfm = bv_fpt_tfm(test);

	bv_fpt_body1(test, tfm, 3, 0, -EBADMSG);	/* epoch 0 */
	bv_fpt_body1(test, tfm, 4, 0, -EBADMSG);	/* role 0 */
	bv_fpt_body1(test, tfm, 4, 3, -EBADMSG);	/* role 3 */
	bv_fpt_body1(test, tfm, 5, 1, -EBADMSG);	/* reserved */
	bv_fpt_body1(test, tfm, 7, 1, -EBADMSG);
	/* valid: the caller's choice */
	KUNIT_EXPECT_EQ(test, bv_fpt_body1(test, tfm, 4, BV_FPW_ROLE_MEMBER,
					   0), BV_FPW_ROLE_MEMBER);
	crypto_free_shash(tfm);
}

/* wire.c's bvw_replay_check() for one sender */
static void bv_fpt_replay(struct kunit *test)
{
	struct bv_fpw_window w = {};
	const u64 base = 1000000;
	u64 s;

	KUNIT_EXPECT_EQ(test, bv_fpw_replay(&w, base), 0);
	KUNIT_EXPECT_EQ(test, bv_fpw_replay(&w, base), -EALREADY);
	KUNIT_EXPECT_EQ(test, bv_fpw_replay(&w, base + 10), 0);
	for (s = base + 1; s < base + 10; s++)
		KUNIT_EXPECT_EQ(test, bv_fpw_replay(&w, s), 0);
	for (s = base; s <= base + 10; s++)
		KUNIT_EXPECT_EQ(test, bv_fpw_replay(&w, s), -EALREADY);
	KUNIT_EXPECT_EQ(test, bv_fpw_replay(&w, base + 200), 0);
	KUNIT_EXPECT_EQ(test, bv_fpw_replay(&w, base + 200 - 63), 0);
	KUNIT_EXPECT_EQ(test, bv_fpw_replay(&w, base + 200 - 63), -EALREADY);
	KUNIT_EXPECT_EQ(test, bv_fpw_replay(&w, base + 200 - 64), -EALREADY);
	KUNIT_EXPECT_EQ(test, bv_fpw_replay(&w, 0), -EALREADY);

	/* seeded from beaverd: everything up to the top counts as seen */
	memset(&w, 0, sizeof(w));
	bv_fpw_seed(&w, base);
	KUNIT_EXPECT_EQ(test, bv_fpw_replay(&w, base), -EALREADY);
	KUNIT_EXPECT_EQ(test, bv_fpw_replay(&w, base - 1), -EALREADY);
	KUNIT_EXPECT_EQ(test, bv_fpw_replay(&w, base + 1), 0);
	/* a lower seed changes nothing */
	bv_fpw_seed(&w, base - 100);
	KUNIT_EXPECT_EQ(test, w.top, base + 1);
}

/* the module's ack is the vector wire.c makes, byte for byte */
static void bv_fpt_ack_bytes(struct kunit *test)
{
	struct crypto_shash *tfm = bv_fpt_tfm(test);
	struct bv_fpw_ack a = {
		.group = 7, .sender = 0x55667788, .sender_key = 0xb1b2b3b4,
		.recipient_key = 0xa1a2a3a4, .seq = 0x1000000000000001ULL,
		.req_id = 0x0102030405060708ULL, .epoch = 42, .prev = 41,
		.now = 42, .err = 0, .switch_ns = 123456789, .advanced = 1,
	};
	u8 buf[BV_FPW_ACK_LEN];
	size_t i;

	KUNIT_ASSERT_EQ(test, sizeof(bv_fpt_ack), BV_FPW_ACK_LEN);
	KUNIT_ASSERT_EQ(test, bv_fpw_ack(&a, tfm, buf), 0);
	for (i = 0; i < sizeof(buf); i++)
		KUNIT_EXPECT_EQ_MSG(test, buf[i], bv_fpt_ack[i], "byte %zu", i);
	crypto_free_shash(tfm);
}

static struct kunit_case beaver_fastpath_cases[] = {
	KUNIT_CASE(bv_fpt_good),
	KUNIT_CASE(bv_fpt_bad_mac),
	KUNIT_CASE(bv_fpt_header),
	KUNIT_CASE(bv_fpt_body),
	KUNIT_CASE(bv_fpt_replay),
	KUNIT_CASE(bv_fpt_ack_bytes),
	{}
};

static struct kunit_suite beaver_fastpath_suite = {
	.name = "beaver_fastpath",
	.test_cases = beaver_fastpath_cases,
};

kunit_test_suite(beaver_fastpath_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for Beaver's gateway fast path");
