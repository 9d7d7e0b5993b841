// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The IPv6 stamp codec of beaver_stamp.h (docs/ipv6.md): the exact bytes
 * of our Destination Options header, the extension-header walk over
 * realistic and hostile chains, and insert/find/strip round trips on flat
 * buffers.
 *
 * Every buffer handed to the walk is a heap copy of exactly the bytes the
 * walk is told about, so AddressSanitizer catches any read past them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "beaver_stamp.h"

#define UDP		17
#define TCP		6
#define ESP		50
#define NONE		59
#define MAXPKT		4096

static uint32_t rnd_state = 0x2545f491u;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/*
 * One extension header for build(): its type and total length (0: the
 * smallest, 8 bytes, or 24 for AH); body, if not NULL, gives its bytes
 * from offset 2 on (len - 2 of them), otherwise options headers get PadN
 * and the others zeros.
 */
struct eh {
	uint8_t type;
	unsigned int len;
	const uint8_t *body;
};

/*
 * An IPv6 packet with the extension headers hs[0..n) and @payload bytes of
 * upper-layer protocol @proto; returns its length.
 */
static unsigned int build(uint8_t *buf, const struct eh *hs, unsigned int n,
			  uint8_t proto, unsigned int payload)
{
	unsigned int off = BV6_HDR_LEN, prev = BV6_NEXTHDR_OFF, i, len;

	memset(buf, 0, BV6_HDR_LEN);
	buf[0] = 0x60;
	buf[1] = 0x0a;			/* traffic class and flow label */
	buf[2] = 0xbc;
	buf[3] = 0xde;
	buf[7] = 64;			/* hop limit */
	for (i = 0; i < 16; i++) {
		buf[8 + i] = (uint8_t)(0x20 + i);	/* source */
		buf[24 + i] = (uint8_t)(0x40 + i);	/* destination */
	}
	for (i = 0; i < n; i++) {
		len = hs[i].len;
		if (!len)
			len = hs[i].type == BV6_NEXTHDR_AUTH ? 24 : 8;
		buf[prev] = hs[i].type;
		if (hs[i].type == BV6_NEXTHDR_AUTH)
			buf[off + 1] = (uint8_t)(len / 4 - 2);
		else if (hs[i].type == BV6_NEXTHDR_FRAGMENT)
			buf[off + 1] = 0;
		else
			buf[off + 1] = (uint8_t)(len / 8 - 1);
		if (hs[i].body) {
			memcpy(buf + off + 2, hs[i].body, len - 2);
		} else if (hs[i].type == BV6_NEXTHDR_HOP ||
			   hs[i].type == BV6_NEXTHDR_DEST) {
			memset(buf + off + 2, 0, len - 2);
			buf[off + 2] = BV6_OPT_PADN;
			buf[off + 3] = (uint8_t)(len - 4);
		} else {
			memset(buf + off + 2, (int)(0x11 * (i + 1)), len - 2);
		}
		prev = off;
		off += len;
	}
	buf[prev] = proto;
	for (i = 0; i < payload; i++)
		buf[off + i] = (uint8_t)(i * 7 + 3);
	len = off + payload;
	bv_stamp6_set_plen(buf, len - BV6_HDR_LEN);
	return len;
}

/* the walk over an exact-size heap copy of pkt[0..len) */
static int walk(const uint8_t *pkt, unsigned int len, uint8_t group,
		unsigned int want, struct bv_stamp6_chain *c)
{
	uint8_t *p = malloc(len ? len : 1);
	int ret;

	assert_non_null(p);
	memcpy(p, pkt, len);
	ret = bv_stamp6_walk(p, len, len, group, want, c);
	free(p);
	return ret;
}

/*
 * Insert a stamp into pkt (len bytes), expecting it at @at; check the
 * bytes around it, find it, strip it, and get pkt back exactly.
 */
static void roundtrip(const uint8_t *pkt, unsigned int len, unsigned int at,
		      uint8_t group, uint32_t epoch)
{
	uint8_t *buf = calloc(1, len + BEAVER6_HDR_LEN);
	struct bv_stamp6_chain c, c2;
	unsigned int n = len, prev;
	uint8_t hdr[BEAVER6_HDR_LEN];
	int ret;

	assert_non_null(buf);
	memcpy(buf, pkt, len);
	ret = walk(pkt, len, group, 0, &c);
	assert_true(ret == -ENOENT || ret >= 0);
	assert_int_equal(c.at, at);
	prev = c.at_prev;

	/* exactly 16 more bytes: the buffer has no room for a 17th */
	assert_int_equal(bv_stamp6_insert_buf(buf, &n, len + BEAVER6_HDR_LEN,
					      group, epoch), 0);
	assert_int_equal(n, len + BEAVER6_HDR_LEN);
	/* before the stamp: the same but for payload length and one byte */
	assert_memory_equal(buf, pkt, 4);
	assert_int_equal(bv_stamp6_plen(buf),
			 bv_stamp6_plen(pkt) + BEAVER6_HDR_LEN);
	assert_int_equal(buf[prev], BV6_NEXTHDR_DEST);
	assert_memory_equal(buf + 6, pkt + 6, prev - 6);
	assert_memory_equal(buf + prev + 1, pkt + prev + 1, at - prev - 1);
	/* the stamp names what the header before it named */
	bv_stamp6_encode(hdr, pkt[prev], group, epoch);
	assert_memory_equal(buf + at, hdr, BEAVER6_HDR_LEN);
	/* after it, the rest untouched */
	assert_memory_equal(buf + at + BEAVER6_HDR_LEN, pkt + at, len - at);

	assert_int_equal(walk(buf, n, 0, at, &c2), (int)at);
	assert_int_equal(c2.stamp_prev, prev);
	assert_int_equal(c2.st.group, group);
	assert_int_equal(c2.st.epoch, epoch);
	assert_int_equal(c2.st.flags, 0);
	/* inserting again: the new one goes after this one */
	assert_int_equal(walk(buf, n, group, 0, &c2) >= 0, 1);
	assert_int_equal(c2.at, at + BEAVER6_HDR_LEN);

	assert_int_equal(bv_stamp6_strip_buf(buf, &n, at), 0);
	assert_int_equal(n, len);
	assert_memory_equal(buf, pkt, len);
	free(buf);
}

/* ---- the header ---- */

static void test_encode_layout(void **state)
{
	static const uint8_t want[16] = {
		17, 1, 0x01, 0x00, 0x1e, 6, 0x10, 0x07,
		0x01, 0x02, 0x03, 0x04, 0x01, 0x02, 0x00, 0x00
	};
	uint8_t buf[18];

	(void)state;
	memset(buf, 0xa5, sizeof(buf));
	bv_stamp6_encode(buf, 17, 7, 0x01020304);
	assert_memory_equal(buf, want, 16);
	assert_int_equal(buf[16], 0xa5);
	assert_int_equal(buf[17], 0xa5);

	/* skip if unknown (00), may not change en route (0), number 30 */
	assert_int_equal(BEAVER6_OPT_TYPE >> 6, 0);
	assert_int_equal((BEAVER6_OPT_TYPE >> 5) & 1, 0);
	assert_int_equal(BEAVER6_OPT_TYPE & 0x1f, 30);
	/* a multiple of 8, the epoch on a 4-byte boundary */
	assert_int_equal(BEAVER6_HDR_LEN % 8, 0);
	assert_int_equal((BEAVER6_OPT_OFF + 4) % 4, 0);
	/* the option's data reads as the IPv4 option's */
	bv_stamp_encode(buf, 7, 0x01020304);
	assert_memory_equal(buf + 2, want + BEAVER6_OPT_OFF + 2, 6);
	/* the header's options are well formed, one 0x1e among them */
	assert_int_equal(bv_stamp6_count(want, sizeof(want)), 1);
}

static void test_decode_roundtrip(void **state)
{
	static const uint32_t epochs[] = { 0, 1, 0x7fffffff, 0x80000000,
					   0xfffffffe, 0xffffffff };
	uint8_t hdr[BEAVER6_HDR_LEN];
	struct bv_stamp st;
	unsigned int g, i;

	(void)state;
	for (g = 1; g <= 255; g++) {
		for (i = 0; i < sizeof(epochs) / sizeof(epochs[0]); i++) {
			bv_stamp6_encode(hdr, (uint8_t)(g * 3), (uint8_t)g,
					 epochs[i]);
			memset(&st, 0xff, sizeof(st));
			assert_int_equal(bv_stamp6_decode(hdr, sizeof(hdr),
							  &st), 0);
			assert_int_equal(st.group, g);
			assert_int_equal(st.epoch, epochs[i]);
			assert_int_equal(st.flags, 0);
		}
	}
}

/*
 * Ours only if exactly ours: any change outside the next-header byte, the
 * group and the epoch makes it foreign; so does group 0 or another length.
 */
static void test_decode_exact(void **state)
{
	uint8_t hdr[BEAVER6_HDR_LEN + 8];
	struct bv_stamp st;
	unsigned int i, b;

	(void)state;
	for (i = 0; i < BEAVER6_HDR_LEN; i++) {
		for (b = 0; b < 8; b++) {
			bv_stamp6_encode(hdr, UDP, 9, 0x11223344);
			hdr[i] ^= (uint8_t)(1u << b);
			if (i == 0 || (i >= 8 && i <= 11) ||
			    (i == 7 && hdr[7] != 0))
				assert_int_equal(bv_stamp6_decode(hdr, 16, &st),
						 0);
			else
				assert_int_equal(bv_stamp6_decode(hdr, 16, &st),
						 -EINVAL);
		}
	}
	bv_stamp6_encode(hdr, UDP, 0, 1);
	assert_int_equal(bv_stamp6_decode(hdr, 16, &st), -EINVAL);
	bv_stamp6_encode(hdr, UDP, 1, 1);
	assert_int_equal(bv_stamp6_decode(hdr, 8, &st), -EINVAL);
	assert_int_equal(bv_stamp6_decode(hdr, 24, &st), -EINVAL);
	/* version 2 is a later version of ours: foreign here */
	hdr[6] = 0x20;
	assert_int_equal(bv_stamp6_decode(hdr, 16, &st), -EINVAL);
}

static void test_count_options(void **state)
{
	/* Pad1, a 0x1e option, PadN: well formed */
	static const uint8_t ok[8] = { 0, 0, 0, 0x1e, 1, 0, 1, 0 };
	/* an option whose length runs one byte past the header */
	static const uint8_t over[8] = { 0, 0, 0x1e, 5, 0, 0, 0, 0 };
	/* a length byte missing at the very end */
	static const uint8_t nolen[8] = { 0, 0, 0, 0, 0, 0, 0, 0x3e };
	static const uint8_t two[16] = { 0, 1, 0x1e, 0, 0x1e, 2, 0, 0,
					 0x3e, 0, 0x5e, 0, 0x1e, 0, 1, 0 };

	(void)state;
	assert_int_equal(bv_stamp6_count(ok, 8), 1);
	assert_int_equal(bv_stamp6_count(over, 8), -EINVAL);
	assert_int_equal(bv_stamp6_count(nolen, 8), -EINVAL);
	assert_int_equal(bv_stamp6_count(two, 16), 3);
}

/* ---- the walk and round trips ---- */

static void test_plain(void **state)
{
	uint8_t *pkt = malloc(MAXPKT);
	struct bv_stamp6_chain c;
	unsigned int len, p;

	(void)state;
	assert_non_null(pkt);
	for (p = 0; p < 1500; p += 97) {
		len = build(pkt, NULL, 0, UDP, p);
		assert_int_equal(walk(pkt, len, 0, 0, &c), -ENOENT);
		assert_int_equal(c.at, 40);
		assert_int_equal(c.at_prev, 6);
		assert_int_equal(c.proto, UDP);
		assert_int_equal(c.foreign, 0);
		roundtrip(pkt, len, 40, (uint8_t)(p % 255 + 1), p * 0x01010101u);
	}
	/* nothing after the header at all (No Next Header) */
	len = build(pkt, NULL, 0, NONE, 0);
	assert_int_equal(len, 40);
	roundtrip(pkt, len, 40, 1, 1);
	free(pkt);
}

/* the stamp goes after Hop-by-Hop, Destination (first), Routing, AH */
static void test_after_headers(void **state)
{
	static const struct eh chain[] = {
		{ BV6_NEXTHDR_HOP, 8, NULL },
		{ BV6_NEXTHDR_DEST, 16, NULL },
		{ BV6_NEXTHDR_ROUTING, 24, NULL },
		{ BV6_NEXTHDR_AUTH, 0, NULL },
	};
	uint8_t *pkt = malloc(MAXPKT);
	struct bv_stamp6_chain c;
	unsigned int len, n;

	(void)state;
	assert_non_null(pkt);
	for (n = 1; n <= 4; n++) {
		static const unsigned int ends[] = { 40, 48, 64, 88, 112 };
		static const unsigned int seen[] = {
			0, BV6_SEEN_HOP, BV6_SEEN_HOP | BV6_SEEN_DEST,
			BV6_SEEN_HOP | BV6_SEEN_DEST | BV6_SEEN_ROUTING,
			BV6_SEEN_HOP | BV6_SEEN_DEST | BV6_SEEN_ROUTING |
			BV6_SEEN_AUTH
		};

		len = build(pkt, chain, n, TCP, 300);
		assert_int_equal(walk(pkt, len, 0, 0, &c), -ENOENT);
		assert_int_equal(c.at, ends[n]);
		assert_int_equal(c.at_prev, ends[n - 1]);
		assert_int_equal(c.proto, TCP);
		assert_int_equal(c.hdrs, n);
		assert_int_equal(c.seen, seen[n]);
		roundtrip(pkt, len, ends[n], 5, 0xdeadbeef);
	}
	/* ESP: nothing past it is readable; the stamp goes before it */
	len = build(pkt, chain, 2, ESP, 64);
	assert_int_equal(walk(pkt, len, 0, 0, &c), -ENOENT);
	assert_int_equal(c.proto, ESP);
	roundtrip(pkt, len, 64, 5, 6);
	free(pkt);
}

/*
 * A sender's own final Destination Options header stays as it was; ours
 * goes after it, a header of its own (docs/ipv6.md).
 */
static void test_existing_dest(void **state)
{
	static const uint8_t body[14] = { 0xc9, 4, 1, 2, 3, 4, 0x1e, 0, 0,
					  0, 0, 0, 0, 0 };
	const struct eh chain[] = {
		{ BV6_NEXTHDR_ROUTING, 8, NULL },
		{ BV6_NEXTHDR_DEST, 16, body },
	};
	uint8_t *pkt = malloc(MAXPKT);
	struct bv_stamp6_chain c;
	unsigned int len;

	(void)state;
	assert_non_null(pkt);
	len = build(pkt, chain, 2, UDP, 100);
	/* its 0x1e option is another experiment's: counted, not ours */
	assert_int_equal(walk(pkt, len, 0, 0, &c), -ENOENT);
	assert_int_equal(c.foreign, 1);
	roundtrip(pkt, len, 64, 3, 33);
	free(pkt);
}

/*
 * A fragment: the stamp goes before the Fragment header (every fragment
 * carries one; the fragmentable part is not touched), and the walk does
 * not look past it, not even at a stamp.
 */
static void test_fragment(void **state)
{
	uint8_t frag[6] = { 0, 0, 0, 0, 0x12, 0x34 };
	uint8_t stamp[BEAVER6_HDR_LEN];
	struct eh chain[] = {
		{ BV6_NEXTHDR_HOP, 8, NULL },
		{ BV6_NEXTHDR_FRAGMENT, 8, frag },
		{ BV6_NEXTHDR_DEST, 16, stamp + 2 },
	};
	uint8_t *pkt = malloc(MAXPKT);
	struct bv_stamp6_chain c;
	unsigned int len, i;

	(void)state;
	assert_non_null(pkt);
	bv_stamp6_encode(stamp, UDP, 4, 44);
	/* first fragment, M set; then a later one */
	for (i = 0; i < 2; i++) {
		frag[0] = i ? 0x05 : 0x00;
		frag[1] = i ? 0x28 : 0x01;
		len = build(pkt, chain, 2, UDP, 200);
		assert_int_equal(walk(pkt, len, 0, 0, &c), -ENOENT);
		assert_int_equal(c.at, 48);
		assert_int_equal(c.proto, BV6_NEXTHDR_FRAGMENT);
		roundtrip(pkt, len, 48, 4, 45);

		/* a stamp after the Fragment header is not ours to take */
		len = build(pkt, chain, 3, UDP, 100);
		assert_int_equal(walk(pkt, len, 4, 0, &c), -ENOENT);
		assert_int_equal(c.foreign, 0);
		assert_int_equal(c.at, 48);
	}
	free(pkt);
}

/* several groups' stamps: each found by its group, the others foreign */
static void test_groups(void **state)
{
	uint8_t *pkt = malloc(MAXPKT), *orig = malloc(MAXPKT);
	struct bv_stamp6_chain c;
	unsigned int len, olen, g;

	(void)state;
	assert_non_null(pkt);
	assert_non_null(orig);
	olen = build(orig, NULL, 0, TCP, 500);
	memcpy(pkt, orig, olen);
	len = olen;
	for (g = 1; g <= 5; g++) {
		assert_int_equal(bv_stamp6_insert_buf(pkt, &len, MAXPKT,
						      (uint8_t)g, 100 + g), 0);
		assert_int_equal(walk(pkt, len, 0, 0, &c), 40);
		assert_int_equal(c.st.group, 1);
		assert_int_equal(c.foreign, g - 1);
	}
	for (g = 1; g <= 5; g++) {
		assert_int_equal(walk(pkt, len, (uint8_t)g, 0, &c),
				 (int)(40 + 16 * (g - 1)));
		assert_int_equal(c.st.epoch, 100 + g);
		assert_int_equal(c.foreign, 4);
	}
	assert_int_equal(walk(pkt, len, 6, 0, &c), -ENOENT);
	assert_int_equal(c.foreign, 5);
	/* a second stamp of one group: the first is it, the second foreign */
	assert_int_equal(bv_stamp6_insert_buf(pkt, &len, MAXPKT, 3, 1), 0);
	assert_int_equal(walk(pkt, len, 3, 0, &c), 72);
	assert_int_equal(c.foreign, 5);
	assert_int_equal(walk(pkt, len, 0, 120, &c), 120);
	assert_int_equal(c.st.group, 3);
	assert_int_equal(c.st.epoch, 1);
	assert_int_equal(bv_stamp6_strip_buf(pkt, &len, 120), 0);
	/* strip from the middle, then the rest */
	assert_int_equal(bv_stamp6_strip_buf(pkt, &len, 72), 0);
	assert_int_equal(walk(pkt, len, 3, 0, &c), -ENOENT);
	while (walk(pkt, len, 0, 0, &c) >= 0)
		assert_int_equal(bv_stamp6_strip_buf(pkt, &len, c.stamp), 0);
	assert_int_equal(len, olen);
	assert_memory_equal(pkt, orig, olen);
	free(pkt);
	free(orig);
}

/* 0x1e options that are not exactly our header: foreign, never taken */
static void test_foreign(void **state)
{
	uint8_t body[22];
	struct eh chain[] = { { BV6_NEXTHDR_DEST, 16, body } };
	uint8_t *pkt = malloc(MAXPKT);
	struct bv_stamp6_chain c;
	uint8_t hdr[BEAVER6_HDR_LEN];
	unsigned int len, i;

	(void)state;
	assert_non_null(pkt);
	/* each single-byte change of our header that keeps it well formed */
	for (i = 1; i < BEAVER6_HDR_LEN; i++) {
		if (i == 1 || i == 3 || i == 5 || i == 13 || (i >= 7 && i <= 11))
			continue;	/* lengths: malformed; group, epoch: ours */
		bv_stamp6_encode(hdr, UDP, 2, 3);
		hdr[i] ^= 0x40;
		memcpy(body, hdr + 2, 14);
		len = build(pkt, chain, 1, UDP, 20);
		assert_int_equal(walk(pkt, len, 2, 0, &c), -ENOENT);
		assert_int_equal(c.foreign, hdr[4] == 0x1e ? 1 : 0);
		/* and a stamp still goes in beside it */
		roundtrip(pkt, len, 56, 2, 4);
	}
	/* group 0 */
	bv_stamp6_encode(hdr, UDP, 0, 3);
	memcpy(body, hdr + 2, 14);
	len = build(pkt, chain, 1, UDP, 20);
	assert_int_equal(walk(pkt, len, 0, 0, &c), -ENOENT);
	assert_int_equal(c.foreign, 1);
	/* our option in a 24-byte header with another option: not ours */
	chain[0].len = 24;
	memset(body, 0, sizeof(body));
	bv_stamp6_encode(hdr, UDP, 2, 3);
	memcpy(body, hdr + 2, 14);
	body[14] = 0x3e;
	body[15] = 4;
	len = build(pkt, chain, 1, UDP, 20);
	assert_int_equal(walk(pkt, len, 0, 0, &c), -ENOENT);
	assert_int_equal(c.foreign, 1);
	/* other experimental types in a Destination Options header: ignored */
	chain[0].len = 8;
	body[0] = 0x3e;
	body[1] = 0;
	body[2] = 0xfe;
	body[3] = 0;
	body[4] = 0x9e;
	body[5] = 0;
	len = build(pkt, chain, 1, UDP, 20);
	assert_int_equal(walk(pkt, len, 0, 0, &c), -ENOENT);
	assert_int_equal(c.foreign, 0);
	/* a 0x1e option in Hop-by-Hop is not in our space: not counted */
	chain[0].type = BV6_NEXTHDR_HOP;
	body[0] = 0x1e;
	len = build(pkt, chain, 1, UDP, 20);
	assert_int_equal(walk(pkt, len, 0, 0, &c), -ENOENT);
	assert_int_equal(c.foreign, 0);
	free(pkt);
}

static void test_malformed(void **state)
{
	static const struct eh two[] = {
		{ BV6_NEXTHDR_HOP, 8, NULL },
		{ BV6_NEXTHDR_DEST, 8, NULL },
	};
	static const struct eh two_dest[] = {
		{ BV6_NEXTHDR_DEST, 8, NULL },
		{ BV6_NEXTHDR_DEST, 8, NULL },
	};
	static const struct eh hop_second[] = {
		{ BV6_NEXTHDR_DEST, 8, NULL },
		{ BV6_NEXTHDR_HOP, 8, NULL },
	};
	static const uint8_t bad_opt[6] = { 0x1e, 5, 0, 0, 0, 0 };
	const struct eh bad[] = { { BV6_NEXTHDR_DEST, 8, bad_opt } };
	uint8_t *pkt = malloc(MAXPKT), *copy = malloc(MAXPKT);
	struct bv_stamp6_chain c;
	unsigned int len, n;

	(void)state;
	assert_non_null(pkt);
	assert_non_null(copy);
	/* not IPv6, shorter than its header */
	len = build(pkt, NULL, 0, UDP, 8);
	pkt[0] = 0x45;
	assert_int_equal(walk(pkt, len, 0, 0, &c), -EINVAL);
	len = build(pkt, NULL, 0, UDP, 8);
	assert_int_equal(walk(pkt, 39, 0, 0, &c), -EINVAL);
	assert_int_equal(walk(pkt, 0, 0, 0, &c), -EINVAL);
	/* payload length past the end */
	bv_stamp6_set_plen(pkt, 9);
	assert_int_equal(walk(pkt, len, 0, 0, &c), -EINVAL);
	/* bytes past the payload length are the link's, not the packet's */
	bv_stamp6_set_plen(pkt, 7);
	assert_int_equal(walk(pkt, len, 0, 0, &c), -ENOENT);

	/* a header cut short: by the payload length, by the buffer */
	len = build(pkt, two, 2, UDP, 0);
	assert_int_equal(walk(pkt, len, 0, 0, &c), -ENOENT);
	bv_stamp6_set_plen(pkt, len - 40 - 1);
	assert_int_equal(walk(pkt, len, 0, 0, &c), -EINVAL);
	len = build(pkt, two_dest, 2, UDP, 0);
	for (n = 40; n < len; n++) {
		bv_stamp6_set_plen(pkt, n - 40);
		assert_int_equal(walk(pkt, n, 0, 0, &c), -EINVAL);
	}
	/* hdr ext len pointing past the end */
	len = build(pkt, two, 2, UDP, 40);
	pkt[49] = 5;
	assert_int_equal(walk(pkt, len, 0, 0, &c), -EINVAL);
	pkt[49] = 255;
	assert_int_equal(walk(pkt, len, 0, 0, &c), -EINVAL);
	/* an option past the end of its header */
	len = build(pkt, bad, 1, UDP, 40);
	assert_int_equal(walk(pkt, len, 0, 0, &c), -EINVAL);
	/* Hop-by-Hop not first */
	len = build(pkt, hop_second, 2, UDP, 40);
	assert_int_equal(walk(pkt, len, 0, 0, &c), -EINVAL);
	/* a jumbogram (payload length 0, Hop-by-Hop): not parsed */
	len = build(pkt, two, 2, UDP, 40);
	bv_stamp6_set_plen(pkt, 0);
	assert_int_equal(walk(pkt, len, 0, 0, &c), -EMSGSIZE);

	/* malformed packets stay as they are: no insertion, no strip */
	len = build(pkt, bad, 1, UDP, 40);
	memcpy(copy, pkt, len);
	n = len;
	assert_int_equal(bv_stamp6_insert_buf(pkt, &n, MAXPKT, 1, 1), -EINVAL);
	assert_int_equal(n, len);
	assert_memory_equal(pkt, copy, len);
	free(pkt);
	free(copy);
}

/* 16 extension headers are walked, 17 refused: bounded work per packet */
static void test_too_many(void **state)
{
	struct eh chain[BV6_EXTHDRS_MAX + 1];
	uint8_t *pkt = malloc(MAXPKT);
	struct bv_stamp6_chain c;
	unsigned int len, i;

	(void)state;
	assert_non_null(pkt);
	for (i = 0; i <= BV6_EXTHDRS_MAX; i++) {
		chain[i].type = i % 2 ? BV6_NEXTHDR_ROUTING : BV6_NEXTHDR_DEST;
		chain[i].len = 8;
		chain[i].body = NULL;
	}
	len = build(pkt, chain, BV6_EXTHDRS_MAX, UDP, 10);
	assert_int_equal(walk(pkt, len, 0, 0, &c), -ENOENT);
	assert_int_equal(c.at, 40 + 8 * BV6_EXTHDRS_MAX);
	len = build(pkt, chain, BV6_EXTHDRS_MAX + 1, UDP, 10);
	assert_int_equal(walk(pkt, len, 0, 0, &c), -EINVAL);
	/*
	 * The stamp is a header too: it cannot be the 17th (the receiver
	 * would refuse the packet), but it can be the 16th
	 */
	len = build(pkt, chain, BV6_EXTHDRS_MAX, UDP, 10);
	i = len;
	assert_int_equal(bv_stamp6_insert_buf(pkt, &i, MAXPKT, 1, 1), -ENOSPC);
	assert_int_equal(i, len);
	len = build(pkt, chain, BV6_EXTHDRS_MAX - 1, UDP, 10);
	roundtrip(pkt, len, 40 + 8 * (BV6_EXTHDRS_MAX - 1), 1, 1);
	free(pkt);
}

/*
 * What the kernel does with a non-linear sk_buff: walk what is there, and
 * on -EAGAIN make c.need bytes contiguous and walk again. Every step makes
 * progress, and the result is the one of a walk over the whole packet.
 */
static void test_partial(void **state)
{
	static const struct eh chain[] = {
		{ BV6_NEXTHDR_HOP, 16, NULL },
		{ BV6_NEXTHDR_ROUTING, 24, NULL },
		{ BV6_NEXTHDR_AUTH, 0, NULL },
	};
	uint8_t *pkt = malloc(MAXPKT);
	struct bv_stamp6_chain c, full;
	unsigned int len, have, steps;
	int ret, want;

	(void)state;
	assert_non_null(pkt);
	len = build(pkt, chain, 3, TCP, 1000);
	assert_int_equal(bv_stamp6_insert_buf(pkt, &len, MAXPKT, 8, 88), 0);
	want = walk(pkt, len, 8, 0, &full);
	assert_int_equal(want, 104);
	for (have = 0; have <= 120; have++) {
		unsigned int h = have;

		steps = 0;
		while ((ret = bv_stamp6_walk(pkt, h, len, 8, 0, &c)) ==
		       -EAGAIN) {
			assert_true(c.need > h);
			assert_true(c.need <= len);
			h = c.need;
			assert_true(++steps <= 2 * BV6_EXTHDRS_MAX);
		}
		assert_int_equal(ret, want);
		assert_int_equal(c.at, full.at);
		assert_int_equal(c.st.epoch, 88);
		assert_true(h <= full.at + BEAVER6_HDR_LEN);
	}
	free(pkt);
}

/* the payload length is 16 bits: a 64 KiB packet cannot take a stamp */
static void test_max_payload(void **state)
{
	unsigned int cap = BV6_HDR_LEN + BV6_PAYLOAD_MAX + BEAVER6_HDR_LEN;
	uint8_t *pkt = malloc(cap), *orig = malloc(cap);
	unsigned int len, n;

	(void)state;
	assert_non_null(pkt);
	assert_non_null(orig);
	len = build(pkt, NULL, 0, UDP,
		    BV6_PAYLOAD_MAX - BEAVER6_HDR_LEN + 1);
	memcpy(orig, pkt, len);
	n = len;
	assert_int_equal(bv_stamp6_insert_buf(pkt, &n, cap, 1, 1), -EMSGSIZE);
	assert_int_equal(n, len);
	assert_memory_equal(pkt, orig, len);
	len = build(orig, NULL, 0, UDP, BV6_PAYLOAD_MAX - BEAVER6_HDR_LEN);
	roundtrip(orig, len, 40, 1, 1);
	/* a buffer one byte too small */
	memcpy(pkt, orig, len);
	n = len;
	assert_int_equal(bv_stamp6_insert_buf(pkt, &n, len + 15, 1, 1),
			 -ENOSPC);
	assert_memory_equal(pkt, orig, len);
	free(pkt);
	free(orig);
}

static void test_strip_refused(void **state)
{
	static const struct eh chain[] = { { BV6_NEXTHDR_DEST, 16, NULL } };
	static const unsigned int offs[] = { 0, 6, 39, 41, 56, 64, 72, 100,
					     1000 };
	uint8_t *pkt = malloc(MAXPKT), *orig = malloc(MAXPKT);
	unsigned int len, n, i;

	(void)state;
	assert_non_null(pkt);
	assert_non_null(orig);
	/* [DEST (not ours)][stamp at 56][UDP] */
	len = build(pkt, chain, 1, UDP, 30);
	assert_int_equal(bv_stamp6_insert_buf(pkt, &len, MAXPKT, 1, 1), 0);
	memcpy(orig, pkt, len);
	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		n = len;
		if (offs[i] == 56)
			continue;
		assert_int_equal(bv_stamp6_strip_buf(pkt, &n, offs[i]), -EINVAL);
		assert_int_equal(n, len);
		assert_memory_equal(pkt, orig, len);
	}
	/* 40: a Destination Options header, but not a stamp */
	n = len;
	assert_int_equal(bv_stamp6_strip_buf(pkt, &n, 40), -EINVAL);
	n = len;
	assert_int_equal(bv_stamp6_strip_buf(pkt, &n, 56), 0);
	free(pkt);
	free(orig);
}

/*
 * Random chains, groups and epochs: insert, find, strip gives back the
 * packet; then random corruption of the stamped packet never reads out
 * of bounds (ASan) and never yields an offset outside the packet.
 */
static void test_random(void **state)
{
	static const uint8_t types[] = { BV6_NEXTHDR_HOP, BV6_NEXTHDR_DEST,
					 BV6_NEXTHDR_ROUTING, BV6_NEXTHDR_AUTH,
					 BV6_NEXTHDR_FRAGMENT };
	uint8_t *pkt = malloc(MAXPKT), *buf = malloc(MAXPKT);
	struct bv_stamp6_chain c;
	struct eh chain[6];
	unsigned int iter, n, i, len, blen, at;

	(void)state;
	assert_non_null(pkt);
	assert_non_null(buf);
	for (iter = 0; iter < 20000; iter++) {
		uint8_t group = (uint8_t)(rnd() % 255 + 1);
		uint32_t epoch = rnd();
		int ret;

		n = rnd() % 6;
		at = 40;
		for (i = 0; i < n; i++) {
			chain[i].type = types[rnd() % 5];
			if (i && chain[i].type == BV6_NEXTHDR_HOP)
				chain[i].type = BV6_NEXTHDR_DEST;
			chain[i].len = chain[i].type == BV6_NEXTHDR_FRAGMENT ?
				       8 : 8 * (rnd() % 4 + 1);
			chain[i].body = NULL;
		}
		len = build(pkt, chain, n, (uint8_t)(rnd() % 2 ? UDP : TCP),
			    rnd() % 600);
		ret = walk(pkt, len, group, 0, &c);
		assert_int_equal(ret, -ENOENT);
		for (i = 0; i < n; i++) {
			if (chain[i].type == BV6_NEXTHDR_FRAGMENT)
				break;
			at += chain[i].len;
		}
		roundtrip(pkt, len, at, group, epoch);

		blen = len;
		memcpy(buf, pkt, len);
		assert_int_equal(bv_stamp6_insert_buf(buf, &blen, MAXPKT, group,
						      epoch), 0);
		for (i = rnd() % 4 + 1; i; i--)
			buf[rnd() % blen] ^= (uint8_t)(1u << (rnd() % 8));
		ret = walk(buf, blen, 0, 0, &c);
		if (ret >= 0) {
			assert_true((unsigned int)ret >= 40);
			assert_true((unsigned int)ret + BEAVER6_HDR_LEN <= blen);
			assert_true(c.stamp_prev < (unsigned int)ret);
		}
		if (ret >= 0 || ret == -ENOENT)
			assert_true(c.at <= blen);
	}
	free(pkt);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_layout),
		cmocka_unit_test(test_decode_roundtrip),
		cmocka_unit_test(test_decode_exact),
		cmocka_unit_test(test_count_options),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_after_headers),
		cmocka_unit_test(test_existing_dest),
		cmocka_unit_test(test_fragment),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_foreign),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_partial),
		cmocka_unit_test(test_max_payload),
		cmocka_unit_test(test_strip_refused),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
