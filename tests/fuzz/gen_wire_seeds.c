// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Writes the seed corpus of fuzz_wire (tests/fuzz/corpus/wire/): one valid
 * datagram of every type, and a few edge cases, in the harness's record
 * format (mode u8 | len u16 | datagram). Run by
 * `make -f tests/fuzz/Makefile seeds`; the output is committed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_key.h"
#include "wire.h"

static const char *dir;

static size_t record(uint8_t *out, uint8_t mode, const uint8_t *d, size_t len)
{
	out[0] = mode;
	out[1] = (uint8_t)(len >> 8);
	out[2] = (uint8_t)len;
	memcpy(out + 3, d, len);
	return len + 3;
}

static void save(const char *name, const uint8_t *d, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(d, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static size_t enc(const struct bvw_msg *m, uint8_t *buf)
{
	int n = bvw_encode(m, &fuzz_key, buf, BVW_MAX_DGRAM);

	if (n < 0) {
		fprintf(stderr, "encode type %u: %d\n", m->type, n);
		exit(1);
	}
	return (size_t)n;
}

int main(int argc, char **argv)
{
	static const uint8_t chunk[] = "{\"epoch\":5,\"flows\":[]}";
	static const char *const names[] = {
		NULL, "advance", "advance_ack", "collect", "collect_data",
		"release", "release_ack", "ping", "pong",
	};
	uint8_t dg[BVW_MAX_DGRAM], in[4 * (BVW_MAX_DGRAM + 3)];
	struct bvw_msg m;
	size_t n, len;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	for (uint8_t t = BVW_ADVANCE; t < __BVW_TYPE_MAX; t++) {
		memset(&m, 0, sizeof(m));
		m.type = t;
		m.group = 7;
		m.sender = 0x1234abcd;
		m.sender_key = 0x0badcafe;
		m.recipient_key = 0x5eed1e55;
		m.seq = 0x18a2b3c4d5e60000ull + t;
		m.req_id = t > 1 ? m.seq - 1 : 0;
		m.epoch = 5;
		m.role = BVW_ROLE_GATEWAY;
		m.prev = 4;
		m.now = 5;
		m.switch_ns = 123456789;
		m.advanced = 1;
		m.nonce = 0xfeedfacecafebeefull;
		m.probe_ns = 4242;
		if (t == BVW_COLLECT_DATA) {
			m.data = chunk;
			m.data_len = sizeof(chunk) - 1;
			m.total = m.data_len + 100;
			m.offset = 100;
		}
		n = enc(&m, dg);
		len = record(in, 0, dg, n);
		save(names[t], in, len);
	}

	/* the same datagram twice (a replay), then a newer and an older seq */
	memset(&m, 0, sizeof(m));
	m.type = BVW_ADVANCE;
	m.group = 7;
	m.sender = 1;
	m.seq = 1000;
	m.epoch = 9;
	m.role = BVW_ROLE_MEMBER;
	n = enc(&m, dg);
	len = record(in, 0, dg, n);
	len += record(in + len, 0, dg, n);
	m.seq = 1070;
	n = enc(&m, dg);
	len += record(in + len, 0, dg, n);
	m.seq = 1001;
	n = enc(&m, dg);
	len += record(in + len, 0, dg, n);
	save("replay", in, len);

	/* four senders through a three-slot table */
	len = 0;
	for (uint32_t s = 1; s <= 4; s++) {
		m.sender = s;
		m.seq = 50;
		n = enc(&m, dg);
		len += record(in + len, 0, dg, n);
	}
	save("evict", in, len);

	/* re-MACed by the harness: a body that breaks a rule (epoch 0) */
	m.sender = 1;
	n = enc(&m, dg);
	memset(dg + BVW_HDR_LEN, 0, 4);
	len = record(in, 1, dg, n);
	save("remac_epoch0", in, len);

	/* another group's datagram, received as that group (mode bit 1) */
	m.group = 200;
	n = enc(&m, dg);
	len = record(in, 2, dg, n);
	save("group200", in, len);

	/* a truncated one and a header only */
	len = record(in, 0, dg, n - 5);
	save("truncated", in, len);
	len = record(in, 1, dg, BVW_HDR_LEN + BVW_MAC_LEN);
	save("header_only", in, len);
	return 0;
}
