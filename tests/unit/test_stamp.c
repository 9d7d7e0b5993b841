// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The stamp codec of beaver_stamp.h (DESIGN §4): exact wire bytes, round
 * trips over every group and many epochs, refusal of every malformed field,
 * and bv_opts_find over realistic and hostile IPv4 options areas.
 *
 * Buffers handed to the decoder are heap copies of exactly the advertised
 * length, so AddressSanitizer catches any read past the options area.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "beaver_stamp.h"

static uint32_t rnd_state = 0x9e3779b9u;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* an exact-size heap copy (len may be 0) */
static uint8_t *dup_exact(const uint8_t *src, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	assert_non_null(p);
	if (len)
		memcpy(p, src, len);
	return p;
}

static int decode_exact(const uint8_t *src, unsigned int len,
			struct bv_stamp *st)
{
	uint8_t *p = dup_exact(src, len);
	int ret = bv_stamp_decode(p, len, st);

	free(p);
	return ret;
}

static int find_exact(const uint8_t *opts, unsigned int optlen, uint8_t group,
		      struct bv_stamp *st)
{
	uint8_t *p = dup_exact(opts, optlen);
	int ret = bv_opts_find(p, optlen, group, st);

	free(p);
	return ret;
}

/* ---- codec ---- */

static void test_encode_layout(void **state)
{
	static const uint8_t want[8] = {
		0x9e, 0x08, 0x10, 0x07, 0x01, 0x02, 0x03, 0x04
	};
	uint8_t buf[10];

	(void)state;
	memset(buf, 0xa5, sizeof(buf));
	bv_stamp_encode(buf, 7, 0x01020304);
	assert_memory_equal(buf, want, 8);
	/* writes exactly 8 bytes */
	assert_int_equal(buf[8], 0xa5);
	assert_int_equal(buf[9], 0xa5);

	/* the option type is copied (bit 7), class 0, number 30 */
	assert_int_equal(BEAVER_OPT_TYPE & 0x80, 0x80);
	assert_int_equal((BEAVER_OPT_TYPE >> 5) & 3, 0);
	assert_int_equal(BEAVER_OPT_TYPE & 0x1f, 30);
	assert_int_equal(BEAVER_OPT_LEN, 8);

	bv_stamp_encode(buf, 255, 0xffffffff);
	assert_int_equal(buf[3], 255);
	assert_int_equal(buf[4], 0xff);
	assert_int_equal(buf[7], 0xff);
	bv_stamp_encode(buf, 1, 0x80000001);
	assert_int_equal(buf[4], 0x80);
	assert_int_equal(buf[5], 0x00);
	assert_int_equal(buf[6], 0x00);
	assert_int_equal(buf[7], 0x01);
}

static void check_roundtrip(uint8_t group, uint32_t epoch)
{
	uint8_t buf[8];
	struct bv_stamp st;

	memset(&st, 0xcc, sizeof(st));
	bv_stamp_encode(buf, group, epoch);
	assert_int_equal(decode_exact(buf, 8, &st), 0);
	assert_int_equal(st.group, group);
	assert_int_equal(st.epoch, epoch);
	assert_int_equal(st.flags, 0);
}

static void test_roundtrip_all_groups(void **state)
{
	static const uint32_t epochs[] = {
		0, 1, 2, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff,
		0x80000000, 0x80000001, 0xfffffffe, 0xffffffff, 0x01020304,
		0xdeadbeef,
	};

	(void)state;
	for (unsigned int g = 1; g <= 255; g++)
		for (size_t i = 0; i < sizeof(epochs) / sizeof(epochs[0]); i++)
			check_roundtrip((uint8_t)g, epochs[i]);
}

static void test_roundtrip_random(void **state)
{
	(void)state;
	for (int n = 0; n < 100000; n++)
		check_roundtrip((uint8_t)(rnd() % 255 + 1), rnd());
}

static void test_decode_longer_buffer(void **state)
{
	uint8_t buf[40];
	struct bv_stamp st;

	(void)state;
	/* trailing bytes beyond the option are none of its business */
	memset(buf, 0xee, sizeof(buf));
	bv_stamp_encode(buf, 42, 12345);
	for (unsigned int len = 8; len <= 40; len++) {
		assert_int_equal(decode_exact(buf, len, &st), 0);
		assert_int_equal(st.group, 42);
		assert_int_equal(st.epoch, 12345);
	}
}

static void test_decode_truncated(void **state)
{
	uint8_t buf[8];
	struct bv_stamp st;

	(void)state;
	bv_stamp_encode(buf, 3, 0x11223344);
	for (unsigned int len = 0; len < 8; len++)
		assert_int_equal(decode_exact(buf, len, &st), -EINVAL);
}

static void test_decode_wrong_type(void **state)
{
	uint8_t buf[8];
	struct bv_stamp st;

	(void)state;
	for (unsigned int t = 0; t <= 255; t++) {
		if (t == BEAVER_OPT_TYPE)
			continue;
		bv_stamp_encode(buf, 3, 5);
		buf[0] = (uint8_t)t;
		assert_int_equal(decode_exact(buf, 8, &st), -EINVAL);
	}
}

static void test_decode_wrong_length(void **state)
{
	uint8_t buf[40];
	struct bv_stamp st;

	(void)state;
	for (unsigned int l = 0; l <= 255; l++) {
		if (l == BEAVER_OPT_LEN)
			continue;
		memset(buf, 0, sizeof(buf));
		bv_stamp_encode(buf, 3, 5);
		buf[1] = (uint8_t)l;
		assert_int_equal(decode_exact(buf, sizeof(buf), &st), -EINVAL);
		assert_int_equal(decode_exact(buf, 8, &st), -EINVAL);
	}
}

static void test_decode_wrong_version(void **state)
{
	uint8_t buf[8];
	struct bv_stamp st;

	(void)state;
	for (unsigned int v = 0; v < 16; v++) {
		bv_stamp_encode(buf, 3, 5);
		buf[2] = (uint8_t)(v << 4);
		assert_int_equal(decode_exact(buf, 8, &st),
				 v == BEAVER_STAMP_VERSION ? 0 : -EINVAL);
	}
}

static void test_decode_nonzero_flags(void **state)
{
	uint8_t buf[8];
	struct bv_stamp st;

	(void)state;
	for (unsigned int f = 1; f < 16; f++) {
		bv_stamp_encode(buf, 3, 5);
		buf[2] |= (uint8_t)f;
		assert_int_equal(decode_exact(buf, 8, &st), -EINVAL);
	}
}

static void test_decode_group_zero(void **state)
{
	uint8_t buf[8];
	struct bv_stamp st;

	(void)state;
	bv_stamp_encode(buf, 0, 5);
	assert_int_equal(decode_exact(buf, 8, &st), -EINVAL);
	bv_stamp_encode(buf, 1, 5);
	assert_int_equal(decode_exact(buf, 8, &st), 0);
}

/* ---- bv_opts_find ---- */

/* a Record Route option: type 7, len 7, pointer 4, one empty slot */
static const uint8_t rr[7] = { 7, 7, 4, 0, 0, 0, 0 };

static void test_find_empty(void **state)
{
	struct bv_stamp st;

	(void)state;
	assert_int_equal(find_exact(NULL, 0, 0, &st), -ENOENT);
	assert_int_equal(find_exact(NULL, 0, 1, &st), -ENOENT);
}

static void test_find_alone(void **state)
{
	uint8_t o[8];
	struct bv_stamp st;

	(void)state;
	bv_stamp_encode(o, 9, 77);
	assert_int_equal(find_exact(o, 8, 9, &st), 0);
	assert_int_equal(st.group, 9);
	assert_int_equal(st.epoch, 77);
	memset(&st, 0, sizeof(st));
	assert_int_equal(find_exact(o, 8, 0, &st), 0);	/* any group */
	assert_int_equal(st.group, 9);
	assert_int_equal(find_exact(o, 8, 10, &st), -ENOENT);
}

static void test_find_after_noops(void **state)
{
	uint8_t o[40];
	struct bv_stamp st;

	(void)state;
	for (unsigned int n = 0; n <= 32; n++) {
		memset(o, BV_IPOPT_NOOP, sizeof(o));
		bv_stamp_encode(o + n, 4, 1000 + n);
		assert_int_equal(find_exact(o, n + 8, 4, &st), (int)n);
		assert_int_equal(st.epoch, 1000 + n);
		/* NOOP padding after the stamp up to the full 40 bytes */
		assert_int_equal(find_exact(o, 40, 4, &st), (int)n);
	}
}

static void test_find_stops_at_end(void **state)
{
	uint8_t o[12];
	struct bv_stamp st;

	(void)state;
	/* END, padding, then something that would be a stamp: not seen */
	memset(o, 0, sizeof(o));
	bv_stamp_encode(o + 4, 4, 1);
	assert_int_equal(find_exact(o, 12, 4, &st), -ENOENT);
	/* a stamp, END, garbage: found, garbage never parsed */
	bv_stamp_encode(o, 4, 2);
	o[8] = BV_IPOPT_END;
	o[9] = 0x44;
	o[10] = 0;
	o[11] = 0xff;
	assert_int_equal(find_exact(o, 12, 4, &st), 0);
	assert_int_equal(find_exact(o, 12, 5, &st), -ENOENT);
	/* END right after NOOPs */
	memset(o, BV_IPOPT_NOOP, 3);
	o[3] = BV_IPOPT_END;
	assert_int_equal(find_exact(o, 4, 0, &st), -ENOENT);
}

static void test_find_after_other_options(void **state)
{
	uint8_t o[40];
	struct bv_stamp st;

	(void)state;
	/* RR (7 bytes), NOOP, stamp */
	memcpy(o, rr, 7);
	o[7] = BV_IPOPT_NOOP;
	bv_stamp_encode(o + 8, 12, 0xabcdef01);
	assert_int_equal(find_exact(o, 16, 12, &st), 8);
	assert_int_equal(st.epoch, 0xabcdef01);

	/* a timestamp option (type 0x44, len 12) then RR then the stamp */
	memset(o, 0, sizeof(o));
	o[0] = 0x44;
	o[1] = 12;
	o[2] = 5;
	memcpy(o + 12, rr, 7);
	bv_stamp_encode(o + 19, 12, 3);
	assert_int_equal(find_exact(o, 27, 12, &st), 19);
	assert_int_equal(find_exact(o, 28, 12, &st), 19);	/* + END */

	/* an unknown option of minimum length 2 */
	o[0] = 0x83;
	o[1] = 2;
	bv_stamp_encode(o + 2, 12, 4);
	assert_int_equal(find_exact(o, 10, 12, &st), 2);
	assert_int_equal(st.epoch, 4);

	/* another option exactly filling the area: no stamp */
	o[0] = 0x83;
	o[1] = 40;
	assert_int_equal(find_exact(o, 40, 0, &st), -ENOENT);
}

static void test_find_other_group(void **state)
{
	uint8_t o[24];
	struct bv_stamp st;

	(void)state;
	bv_stamp_encode(o, 3, 100);
	bv_stamp_encode(o + 8, 5, 200);
	memset(o + 16, BV_IPOPT_NOOP, 8);
	assert_int_equal(find_exact(o, 24, 5, &st), 8);
	assert_int_equal(st.group, 5);
	assert_int_equal(st.epoch, 200);
	assert_int_equal(find_exact(o, 24, 3, &st), 0);
	assert_int_equal(st.epoch, 100);
	assert_int_equal(find_exact(o, 24, 0, &st), 0);	/* the first */
	assert_int_equal(st.group, 3);
	assert_int_equal(find_exact(o, 24, 9, &st), -ENOENT);
	/* only another group's stamp */
	assert_int_equal(find_exact(o, 8, 5, &st), -ENOENT);
}

static void test_find_full_area(void **state)
{
	uint8_t o[64];
	struct bv_stamp st;

	(void)state;
	/* 40 bytes: the largest legal area */
	memset(o, BV_IPOPT_NOOP, sizeof(o));
	bv_stamp_encode(o + 32, 6, 1);
	assert_int_equal(find_exact(o, 40, 6, &st), 32);
	/* anything larger is not an IPv4 options area */
	bv_stamp_encode(o, 6, 1);
	for (unsigned int len = 41; len <= 64; len++)
		assert_int_equal(find_exact(o, len, 6, &st), -EINVAL);
	assert_int_equal(find_exact(o, 60, 0, &st), -EINVAL);
}

static void test_find_bad_length_byte(void **state)
{
	uint8_t o[16];
	struct bv_stamp st;

	(void)state;
	/* an unknown option with length 0 or 1 before our stamp */
	for (unsigned int l = 0; l <= 1; l++) {
		o[0] = 0x83;
		o[1] = (uint8_t)l;
		bv_stamp_encode(o + 2, 6, 1);
		assert_int_equal(find_exact(o, 10, 6, &st), -EINVAL);
		assert_int_equal(find_exact(o, 10, 0, &st), -EINVAL);
	}
	/* our own type with length 0 or 1 */
	for (unsigned int l = 0; l <= 1; l++) {
		bv_stamp_encode(o, 6, 1);
		o[1] = (uint8_t)l;
		assert_int_equal(find_exact(o, 8, 6, &st), -EINVAL);
	}
	/* a length byte running past the end of the area */
	o[0] = 0x83;
	o[1] = 11;
	assert_int_equal(find_exact(o, 10, 6, &st), -EINVAL);
	o[1] = 255;
	assert_int_equal(find_exact(o, 10, 6, &st), -EINVAL);
	o[1] = 10;	/* exactly to the end: fine, no stamp */
	assert_int_equal(find_exact(o, 10, 6, &st), -ENOENT);
}

static void test_find_type_without_length(void **state)
{
	uint8_t o[8];
	struct bv_stamp st;

	(void)state;
	/* a multi-byte option type in the very last byte of the area */
	memset(o, BV_IPOPT_NOOP, sizeof(o));
	o[7] = 0x83;
	assert_int_equal(find_exact(o, 8, 0, &st), -EINVAL);
	o[7] = BEAVER_OPT_TYPE;
	assert_int_equal(find_exact(o, 8, 0, &st), -EINVAL);
	assert_int_equal(find_exact(o + 7, 1, 0, &st), -EINVAL);
}

static void test_find_truncated_stamp(void **state)
{
	uint8_t o[16];
	struct bv_stamp st;

	(void)state;
	/* our stamp cut short by the end of the area */
	for (unsigned int len = 1; len < 8; len++) {
		bv_stamp_encode(o, 6, 1);
		assert_int_equal(find_exact(o, len, 6, &st), -EINVAL);
	}
	memset(o, BV_IPOPT_NOOP, 4);
	bv_stamp_encode(o + 4, 6, 1);
	assert_int_equal(find_exact(o, 11, 6, &st), -EINVAL);
}

/*
 * 0x9e is RFC 4727's shared experimental codepoint: a 0x9e option that is
 * not exactly our stamp (length 8, version 1, flags 0, a group) belongs to
 * another experiment, or to a later version of ours. It is skipped and
 * counted as foreign, never refused, and a stamp of ours next to it is
 * still found.
 */
static void test_find_foreign_codepoint(void **state)
{
	uint8_t o[16];
	struct bv_stamp st;
	unsigned int foreign;

	(void)state;
	/* a 4-byte 0x9e option of another experiment, then our stamp */
	o[0] = BEAVER_OPT_TYPE;
	o[1] = 4;
	o[2] = 0x10;
	o[3] = 6;
	bv_stamp_encode(o + 4, 6, 1);
	assert_int_equal(find_exact(o, 12, 6, &st), 4);
	assert_int_equal(bv_opts_find_foreign(o, 12, 6, &st, &foreign), 4);
	assert_int_equal(foreign, 1);
	/* a 12-byte one filling the area: no stamp, one foreign option */
	o[1] = 12;
	assert_int_equal(find_exact(o, 12, 6, &st), -ENOENT);
	assert_int_equal(bv_opts_find_foreign(o, 12, 6, &st, &foreign),
			 -ENOENT);
	assert_int_equal(foreign, 1);

	/* bad version, flags or group: foreign, even for another group */
	bv_stamp_encode(o, 6, 1);
	bv_stamp_encode(o + 8, 7, 1);
	o[2] = 0x20;
	assert_int_equal(find_exact(o, 16, 7, &st), 8);
	assert_int_equal(find_exact(o, 16, 6, &st), -ENOENT);
	o[2] = 0x11;
	assert_int_equal(find_exact(o, 16, 6, &st), -ENOENT);
	o[2] = 0x10;
	o[3] = 0;
	assert_int_equal(find_exact(o, 16, 0, &st), 8);
	assert_int_equal(bv_opts_find_foreign(o, 16, 7, &st, &foreign), 8);
	assert_int_equal(foreign, 1);
	/* another group's stamp is foreign to this group */
	o[3] = 6;
	assert_int_equal(find_exact(o, 16, 7, &st), 8);
	assert_int_equal(bv_opts_find_foreign(o, 16, 7, &st, &foreign), 8);
	assert_int_equal(foreign, 1);
	assert_int_equal(bv_opts_find_foreign(o, 16, 0, &st, &foreign), 0);
	assert_int_equal(st.group, 6);
	assert_int_equal(foreign, 1);	/* the second one */
	/* a malformed area stays malformed, foreign options or not */
	o[9] = 1;
	assert_int_equal(find_exact(o, 16, 6, &st), -EINVAL);
}

static void test_find_fuzz(void **state)
{
	uint8_t o[48];
	struct bv_stamp st;
	int found = 0, invalid = 0, absent = 0;

	(void)state;
	for (int n = 0; n < 200000; n++) {
		unsigned int len = rnd() % 45;
		uint8_t group = (n & 3) ? 0 : (uint8_t)(rnd() % 4);
		int ret;

		/* bias towards plausible areas: NOOPs, stamps, short options */
		for (unsigned int i = 0; i < len; i++) {
			uint32_t r = rnd();

			switch (r % 8) {
			case 0: o[i] = BV_IPOPT_NOOP; break;
			case 1: o[i] = BEAVER_OPT_TYPE; break;
			case 2: o[i] = BEAVER_OPT_LEN; break;
			case 3: o[i] = 0x10; break;
			case 4: o[i] = (uint8_t)(r >> 8) % 4; break;
			default: o[i] = (uint8_t)(r >> 8); break;
			}
		}
		if (len >= 8 && (n & 1))
			bv_stamp_encode(o + rnd() % (len - 7),
					(uint8_t)(rnd() % 3 + 1), rnd());
		ret = find_exact(o, len, group, &st);
		if (ret >= 0) {
			struct bv_stamp again;

			found++;
			assert_true(len <= BEAVER_IP_OPTS_MAX);
			assert_true((unsigned int)ret + 8 <= len);
			assert_int_equal(bv_stamp_decode(o + ret, len - ret,
							 &again), 0);
			assert_int_equal(again.epoch, st.epoch);
			assert_int_equal(again.group, st.group);
			if (group)
				assert_int_equal(st.group, group);
		} else if (ret == -EINVAL) {
			invalid++;
		} else {
			assert_int_equal(ret, -ENOENT);
			absent++;
		}
	}
	/* the generator reached every outcome */
	assert_true(found > 1000 && invalid > 1000 && absent > 1000);
}

/*
 * The stamp in the IPv4 ID: every epoch read back next to every reference
 * within the window, across the 32-bit wrap; never read outside it; odd,
 * and consecutive epochs never one apart (GRO's incrementing-ID run).
 */
static void test_id_window(void **state)
{
	static const uint32_t bases[] = { 1, 100, 32767, 32768, 65535, 65536,
					  0x7fffffffu, 0xffff0000u, 0xfffffff0u };
	(void)state;
	for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
		for (int32_t d = -(int32_t)BEAVER_ID_HALF;
		     d < (int32_t)BEAVER_ID_HALF; d += 7) {
			uint32_t ref = bases[b], e = ref + (uint32_t)d;
			uint16_t id = bv_id_encode(e);

			assert_true(bv_id_is_stamp(id));
			if (e == 0)	/* never allocated: no stamp */
				continue;
			assert_int_equal(bv_id_decode(id, ref), e);
			/* a reference as far the other way reads another epoch */
			assert_int_not_equal(bv_id_decode(id,
					ref + (d < 0 ? BEAVER_ID_HALF : -BEAVER_ID_HALF)),
					e);
		}
	}
	for (uint32_t e = 1; e < 200000; e++) {
		uint16_t a = bv_id_encode(e), b = bv_id_encode(bv_epoch_next(e));

		assert_true((uint16_t)(b - a) != 1 && (uint16_t)(a - b) != 1);
	}
	assert_int_equal(bv_id_decode(0, 5), 0);
	assert_int_equal(bv_id_decode(0x4242, 5), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_layout),
		cmocka_unit_test(test_id_window),
		cmocka_unit_test(test_roundtrip_all_groups),
		cmocka_unit_test(test_roundtrip_random),
		cmocka_unit_test(test_decode_longer_buffer),
		cmocka_unit_test(test_decode_truncated),
		cmocka_unit_test(test_decode_wrong_type),
		cmocka_unit_test(test_decode_wrong_length),
		cmocka_unit_test(test_decode_wrong_version),
		cmocka_unit_test(test_decode_nonzero_flags),
		cmocka_unit_test(test_decode_group_zero),
		cmocka_unit_test(test_find_empty),
		cmocka_unit_test(test_find_alone),
		cmocka_unit_test(test_find_after_noops),
		cmocka_unit_test(test_find_stops_at_end),
		cmocka_unit_test(test_find_after_other_options),
		cmocka_unit_test(test_find_other_group),
		cmocka_unit_test(test_find_full_area),
		cmocka_unit_test(test_find_bad_length_byte),
		cmocka_unit_test(test_find_type_without_length),
		cmocka_unit_test(test_find_truncated_stamp),
		cmocka_unit_test(test_find_foreign_codepoint),
		cmocka_unit_test(test_find_fuzz),
	};

	return cmocka_run_group_tests_name("stamp", tests, NULL, NULL);
}
