// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer harness for the control-plane receive path: bvw_decode, then
 * bvw_replay_check on what decodes (as beaverd does).
 *
 * The input is a sequence of records, each
 *
 *   mode u8 | len u16 (big endian) | len bytes of datagram
 *
 * (a short last record takes what is left). Mode bit 0 set: the harness
 * recomputes the datagram's MAC with the test key first, so that the
 * fuzzer gets past authentication and into the body parser; clear: the
 * datagram is decoded as it is (header checks, MAC refusals). Bit 1 picks
 * the receiver's group (7 or the datagram's own byte 4).
 *
 * Oracles besides the sanitizers: a datagram that decodes re-encodes to
 * the same bytes (the encoding is canonical); bvw_peek agrees with
 * bvw_decode on every header check and on the header's fields; a
 * (sender, seq) accepted by the replay check is refused right after; a
 * refused datagram leaves the message zeroed.
 */
#include <errno.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_key.h"
#include "wire.h"

#define key fuzz_key

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static void one(const uint8_t *dgram, size_t len, uint8_t mode,
		struct bvw_replay_table *t, struct bvw_drops *d)
{
	uint8_t *buf = malloc(len ? len : 1);	/* exact size: ASan sees overreads */
	uint8_t out[BVW_MAX_DGRAM];
	uint8_t group = 7;
	struct bvw_msg m;
	struct bvw_hdr h;
	int rc, n, peek;

	if (!buf)
		return;
	memcpy(buf, dgram, len);
	if ((mode & 1) && len >= BVW_MAC_LEN)
		crypto_auth_hmacsha256(buf + len - BVW_MAC_LEN, buf,
				       len - BVW_MAC_LEN, key.k);
	if ((mode & 2) && len > 4)
		group = buf[4];

	peek = bvw_peek(buf, len, group, &h, NULL);
	rc = bvw_decode(buf, len, &key, group, &m, d);
	if (rc) {
		CHECK(rc == -EBADMSG || rc == -EPROTO || rc == -EPERM ||
		      rc == -EXDEV);
		CHECK(m.type == 0 && m.data == NULL);
		/* peek stops before the MAC and the body */
		CHECK(peek == 0 ? rc == -EPERM || rc == -EBADMSG : peek == rc);
		free(buf);
		return;
	}
	CHECK(peek == 0 && h.type == m.type && h.sender == m.sender &&
	      h.sender_key == m.sender_key &&
	      h.recipient_key == m.recipient_key && h.seq == m.seq);
	/* canonical: what decodes re-encodes to the very same bytes */
	n = bvw_encode(&m, &key, out, sizeof(out));
	CHECK(n > 0 && (size_t)n == len && !memcmp(out, buf, len));
	if (m.data_len)
		CHECK(m.data >= buf && m.data + m.data_len <= buf + len);

	rc = bvw_replay_check(t, m.sender, m.seq, d);
	CHECK(rc == 0 || rc == -EALREADY);
	if (rc == 0)
		CHECK(bvw_replay_check(t, m.sender, m.seq, d) == -EALREADY);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bvw_replay_table t;	/* small: eviction is exercised */
	struct bvw_drops d = { 0 };

	if (sodium_init() < 0 || bvw_replay_init(&t, 3))
		abort();
	while (size >= 3) {
		uint8_t mode = data[0];
		size_t len = (size_t)data[1] << 8 | data[2];

		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		one(data, len, mode, &t, &d);
		data += len;
		size -= len;
	}
	bvw_replay_free(&t);
	return 0;
}
