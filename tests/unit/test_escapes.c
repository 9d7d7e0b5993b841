// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * beaverd/escapes.c: /proc/net/packet as the kernel writes it (6.1's
 * packet_seq_show), and what is not that file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include "escapes.h"

static const char header[] =
	"sk               RefCnt Type Proto  Iface R Rmem   User   Inode\n";

static void test_packet_none(void **state)
{
	struct bve_scan s;

	(void)state;
	memset(&s, 0xa5, sizeof(s));
	assert_int_equal(bve_parse_packet(header, &s), 0);
	assert_int_equal(s.n_packet, 0);
}

static void test_packet_counted(void **state)
{
	char text[1024];
	struct bve_scan s;

	(void)state;
	memset(&s, 0, sizeof(s));
	snprintf(text, sizeof(text), "%s"
		 "0000000000000000 3      3    0003   2     1 0      0      1001\n"
		 "0000000000000000 3      3    0003   2     1 0      0      1002\n"
		 "0000000000000000 3      2    0800   0     1 0      0      1003\n"
		 /* not running: receives nothing */
		 "0000000000000000 3      3    0003   2     0 0      0      1004\n",
		 header);
	assert_int_equal(bve_parse_packet(text, &s), 0);
	assert_int_equal(s.n_packet, 2);
	assert_int_equal(s.packet[0].ifindex, 2);
	assert_int_equal(s.packet[0].proto, 0x0003);
	assert_int_equal(s.packet[0].count, 2);
	assert_int_equal(s.packet[1].ifindex, 0);
	assert_int_equal(s.packet[1].proto, 0x0800);
	assert_int_equal(s.packet[1].count, 1);
	assert_int_equal(s.more, 0);
}

static void test_packet_many(void **state)
{
	char text[64 * 80];
	size_t off;
	struct bve_scan s;

	(void)state;
	memset(&s, 0, sizeof(s));
	off = (size_t)snprintf(text, sizeof(text), "%s", header);
	for (int i = 0; i < BVE_MAX + 5; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
			"0000000000000000 3 3 0003 %d 1 0 0 %d\n", i + 1, i);
	assert_int_equal(bve_parse_packet(text, &s), 0);
	assert_int_equal(s.n_packet, BVE_MAX);
	assert_int_equal(s.more, 5);
}

static void test_packet_not_the_file(void **state)
{
	char text[256];
	struct bve_scan s;

	(void)state;
	assert_int_equal(bve_parse_packet("", &s), -EINVAL);
	assert_int_equal(bve_parse_packet("Inter-|   Receive\n", &s), -EINVAL);
	snprintf(text, sizeof(text), "%sgarbage\n", header);
	assert_int_equal(bve_parse_packet(text, &s), -EINVAL);
	snprintf(text, sizeof(text), "%s0 3 3 12345 1 1 0 0 1\n", header);
	assert_int_equal(bve_parse_packet(text, &s), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_packet_none),
		cmocka_unit_test(test_packet_counted),
		cmocka_unit_test(test_packet_many),
		cmocka_unit_test(test_packet_not_the_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
