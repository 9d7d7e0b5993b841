// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer harness for the IPv6 stamp codec of beaver_stamp.h: the walk
 * over the extension headers of any packet a gateway forwards or a member
 * receives.
 *
 * Input: group u8 | packet bytes. The packet is walked in an exact-size
 * heap copy (ASan sees any read past it). Oracles besides the sanitizers:
 *
 *  - a walk over the packet in pieces (what the module does with a
 *    non-linear sk_buff: walk what is contiguous, take c.need more on
 *    -EAGAIN) makes progress at every step and ends as the walk over the
 *    whole packet;
 *  - a stamp that is found lies inside the packet, after the IPv6 header
 *    and after the byte that names it, and decodes to the group asked for;
 *  - a packet that can take a stamp, stamped, shows that stamp where the
 *    walk said it would go, and stripping it gives back the packet
 *    byte for byte; the walk of the stamped packet counts as foreign
 *    what the first walk did, plus the stamp it found, if any.
 *
 * The seeds in corpus/stamp6/ are packets of the unit tests' shapes
 * (plain, after Hop-by-Hop/Routing/AH, before a Fragment header, beside
 * another Destination Options header, two groups' stamps).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "beaver_stamp.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static int walk_pieces(const uint8_t *pkt, unsigned int len, uint8_t group,
		       struct bv_stamp6_chain *c)
{
	unsigned int have = 0, steps = 0;
	int ret;

	while ((ret = bv_stamp6_walk(pkt, have, len, group, 0, c)) == -EAGAIN) {
		CHECK(c->need > have && c->need <= len);
		have = c->need;
		CHECK(++steps <= 2 * BV6_EXTHDRS_MAX + 2);
	}
	return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bv_stamp6_chain c, p, s;
	unsigned int len, slen;
	uint8_t group, *pkt, *buf;
	int ret;

	if (size < 1 || size > 1 + BV6_HDR_LEN + BV6_PAYLOAD_MAX)
		return 0;
	group = data[0];
	len = (unsigned int)size - 1;
	pkt = malloc(len ? len : 1);
	if (!pkt)
		return 0;
	memcpy(pkt, data + 1, len);

	ret = bv_stamp6_walk(pkt, len, len, group, 0, &c);
	CHECK(ret >= 0 || ret == -ENOENT || ret == -EINVAL ||
	      ret == -EMSGSIZE);
	CHECK(walk_pieces(pkt, len, group, &p) == ret);
	if (ret >= 0) {
		struct bv_stamp st;

		CHECK(ret >= BV6_HDR_LEN && c.stamp == (unsigned int)ret);
		CHECK((unsigned int)ret + BEAVER6_HDR_LEN <= len);
		CHECK(c.stamp_prev < c.stamp);
		CHECK(pkt[c.stamp_prev] == BV6_NEXTHDR_DEST);
		CHECK(!bv_stamp6_decode(pkt + ret, BEAVER6_HDR_LEN, &st));
		CHECK(!group || st.group == group);
		CHECK(st.group == c.st.group && st.epoch == c.st.epoch);
		CHECK(p.st.epoch == c.st.epoch && p.foreign == c.foreign);
	}
	if (ret < 0 && ret != -ENOENT)
		goto out;
	CHECK(c.at >= BV6_HDR_LEN && c.at <= len && c.at_prev < c.at);
	CHECK(p.at == c.at && p.at_prev == c.at_prev);

	buf = malloc(len + BEAVER6_HDR_LEN);
	if (!buf)
		goto out;
	memcpy(buf, pkt, len);
	slen = len;
	if (bv_stamp6_insert_buf(buf, &slen, len + BEAVER6_HDR_LEN,
				 group ? group : 1, 0x01020304) == 0) {
		CHECK(slen == len + BEAVER6_HDR_LEN);
		CHECK(bv_stamp6_walk(buf, slen, slen, 0, c.at, &s) ==
		      (int)c.at);
		CHECK(s.st.epoch == 0x01020304);
		CHECK(s.foreign == c.foreign + (ret >= 0));
		CHECK(bv_stamp6_strip_buf(buf, &slen, c.at) == 0);
		CHECK(slen == len && !memcmp(buf, pkt, len));
	} else {
		CHECK(slen == len && !memcmp(buf, pkt, len));
	}
	free(buf);
out:
	free(pkt);
	return 0;
}
