// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * beaverd.conf parsing (beaverd/config.c): good files give the expected
 * struct with the documented defaults; every bad case gives exactly the
 * expected "FILE:LINE: message" lines, and a file with several problems
 * reports all of them, in line order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

/* an IPv4 address as bvip.h keeps it, from a dotted quad */
static struct bv_ip ip4(const char *s)
{
	return bv_ip4(inet_addr(s));
}

static bool ip_is(const struct bv_ip *a, const char *s)
{
	struct bv_ip b;

	return bv_ip_pton(s, &b) && bv_ip_eq(a, &b);
}

/* parse text as "t.conf"; *errs gets what was printed (malloc'd) */
static int parse(const char *text, struct bvd_config *cfg, char **errs)
{
	size_t len = 0;
	FILE *f = open_memstream(errs, &len);
	int rc;

	assert_non_null(f);
	rc = bvd_config_parse(text, "t.conf", cfg, f);
	fclose(f);
	return rc;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/*
 * The text must fail with exactly the expected lines, in this order, each
 * matched as a prefix ("t.conf:3: unknown section").
 */
static void expect_errors_(const char *text, const char *const *expected)
{
	struct bvd_config cfg;
	char *errs = NULL, *line, *save = NULL;
	size_t n = 0;
	int rc;

	rc = parse(text, &cfg, &errs);
	while (expected[n])
		n++;
	if (rc != -1 || count_lines(errs) != n) {
		print_error("config:\n%.600s\nexpected %zu error(s), got rc "
			    "%d:\n%.2000s", text, n, rc, errs);
		fail();
	}
	line = strtok_r(errs, "\n", &save);
	for (size_t i = 0; i < n; i++, line = strtok_r(NULL, "\n", &save)) {
		assert_non_null(line);
		if (strncmp(line, expected[i], strlen(expected[i]))) {
			print_error("config:\n%.600s\nerror %zu: expected '%s...'\n"
				    "                got '%s'\n", text, i,
				    expected[i], line);
			fail();
		}
	}
	/* a failed parse leaves nothing allocated, defaults in place */
	assert_null(cfg.members);
	assert_null(cfg.peers);
	assert_int_equal(cfg.settle_ms, 100);
	bvd_config_free(&cfg);
	free(errs);
}

#define expect_errors(text, ...) \
	expect_errors_((text), (const char *const[]){ __VA_ARGS__, NULL })

#define KEY_C "c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0"
#define KEY_G1 "1111111111111111111111111111111111111111111111111111111111111111"
#define KEY_G2 "2222222222222222222222222222222222222222222222222222222222222222"
#define KEY_M1 "3333333333333333333333333333333333333333333333333333333333333333"
#define KEY_M2 "4444444444444444444444444444444444444444444444444444444444444444"
#define KEY_S "5555555555555555555555555555555555555555555555555555555555555555"

/* who commands a member or gateway: appended, it moves no line number */
#define COORD_TAIL \
	"[coordinator:c]\naddress = 10.0.0.5\npublic_key = " KEY_C "\n"

/* a valid file to build bad ones from (3 lines of coordinator first) */
#define MEMBER_HEAD \
	"[coordinator:c]\n" \
	"address = 10.0.1.5\n" \
	"public_key = " KEY_C "\n" \
	"[beaverd]\n" \
	"node = m1\n" \
	"roles = member\n" \
	"[group]\n" \
	"id = 7\n" \
	"members = 10.0.1.11, 10.0.1.12\n" \
	"gateways = 10.0.1.1\n"

static void good(const char *text, struct bvd_config *cfg)
{
	char *errs = NULL;
	int rc = parse(text, cfg, &errs);

	if (rc) {
		print_error("config:\n%s\nunexpected errors:\n%s", text, errs);
		fail();
	}
	assert_string_equal(errs, "");
	free(errs);
}

static const char full[] =
	"; beaverd.conf of a coordinator that is also a gateway\n"
	"[beaverd]\n"
	"node = gw1                    ; this host\n"
	"roles = gateway, coordinator\n"
	"listen = 10.0.1.1:5151\n"
	"key_file = /etc/beaver/k\n"
	"state_dir = /var/lib/b\n"
	"run_dir = /run/b\n"
	"socket_group = wheel\n"
	"log = stderr\n"
	"netns = gw1ns\n"
	"\n"
	"[group]\n"
	"id = 9\n"
	"members = 10.0.1.11, 10.0.1.12\n"
	"vips = 10.0.0.100 10.0.0.101\n"
	"allow = 192.168.122.0/24, 10.9.9.9\n"
	"\n"
	"[module]\n"
	"settle_ms = 50\n"
	"max_flows = 1000\n"
	"max_history = 2000\n"
	"max_records = 30\n"
	"max_captures = 0\n"
	"capture_bytes = 1024\n"
	"mss_clamp = no\n"
	"\n"
	"[coordinator]\n"
	"tau_min_us = 250\n"
	"ack_timeout_ms = 100\n"
	"retries = 0\n"
	"max_outstanding = 8\n"
	"complete_timeout_ms = 3000\n"
	"collect_timeout_ms = 4000\n"
	"late_hold_ms = 750\n"
	"first_epoch = 4294967295\n"
	"active_address = 10.0.1.250   ; keepalived's VRRP address\n"
	"\n"
	"[store]\n"
	"keep_snapshots = 0\n"
	"keep_days = 7\n"
	"\n"
	"[gateway:gw1]\n"
	"address = 10.0.1.1:5151\n"
	"public_key = " KEY_G1 "\n"
	"[gateway:gw2]\n"
	"address = 10.0.1.2\n"
	"public_key = " KEY_G2 ", " KEY_C "\n"
	"[member:m1]\n"
	"address = 10.0.2.11:6000\n"
	"data = 10.0.1.11\n"
	"public_key = " KEY_M1 "\n"
	"[member:m2]\n"
	"address = 10.0.1.12\n"
	"public_key = " KEY_M2 "\n"
	"[coordinator:standby]\n"
	"address = 10.0.1.2:5152\n"
	"public_key = " KEY_S "\n";

static void test_good_full(void **state)
{
	struct bvd_config c;
	char a[INET_ADDRSTRLEN];

	(void)state;
	good(full, &c);
	assert_string_equal(c.node, "gw1");
	assert_int_equal(c.roles, BVD_ROLE_GATEWAY | BVD_ROLE_COORDINATOR);
	assert_int_equal(c.listen.sin_family, AF_INET);
	assert_string_equal(inet_ntop(AF_INET, &c.listen.sin_addr, a, sizeof(a)),
			    "10.0.1.1");
	assert_int_equal(ntohs(c.listen.sin_port), 5151);
	assert_string_equal(c.key_file, "/etc/beaver/k");
	assert_string_equal(c.state_dir, "/var/lib/b");
	assert_string_equal(c.run_dir, "/run/b");
	assert_string_equal(c.socket_group, "wheel");
	assert_true(c.log_stderr);
	assert_string_equal(c.netns, "gw1ns");
	assert_int_equal(c.group, 9);
	assert_int_equal(c.n_members, 2);
	assert_true(ip_is(&c.members[1], "10.0.1.12"));
	assert_int_equal(c.n_vips, 2);
	assert_true(ip_is(&c.vips[1], "10.0.0.101"));
	assert_int_equal(c.n_allow, 2);
	assert_true(ip_is(&c.allow[0].addr, "192.168.122.0"));
	assert_int_equal(c.allow[0].len, 24);
	assert_true(ip_is(&c.allow[1].addr, "10.9.9.9"));
	assert_int_equal(c.allow[1].len, 32);
	assert_int_equal(c.settle_ms, 50);
	assert_int_equal(c.max_flows, 1000);
	assert_int_equal(c.max_history, 2000);
	assert_int_equal(c.max_records, 30);
	assert_int_equal(c.max_captures, 0);
	assert_int_equal(c.capture_bytes, 1024);
	assert_false(c.mss_clamp);
	assert_int_equal(c.tau_min_ns, 250000);
	assert_int_equal(c.ack_timeout_ms, 100);
	assert_int_equal(c.retries, 0);
	assert_int_equal(c.max_outstanding, 8);
	assert_int_equal(c.complete_timeout_ms, 3000);
	assert_int_equal(c.collect_timeout_ms, 4000);
	assert_int_equal(c.late_hold_ms, 750);
	assert_int_equal(c.first_epoch, 4294967295u);
	assert_int_equal(c.active_address.s_addr, inet_addr("10.0.1.250"));
	assert_int_equal(c.keep_snapshots, 0);
	assert_int_equal(c.keep_days, 7);
	assert_int_equal(c.n_peers, 4);
	assert_string_equal(c.peers[0].name, "gw1");
	assert_true(c.peers[0].gateway);
	assert_int_equal(ntohs(c.peers[0].control.sin_port), 5151);
	assert_string_equal(c.peers[1].name, "gw2");
	assert_int_equal(ntohs(c.peers[1].control.sin_port), BVD_DEFAULT_PORT);
	assert_int_equal(c.peers[1].control.sin_addr.s_addr,
			 inet_addr("10.0.1.2"));
	assert_string_equal(c.peers[2].name, "m1");
	assert_false(c.peers[2].gateway);
	assert_int_equal(c.peers[2].control.sin_addr.s_addr,
			 inet_addr("10.0.2.11"));
	assert_int_equal(c.peers[2].n_data, 1);
	assert_true(ip_is(&c.peers[2].data[0], "10.0.1.11"));
	/* data defaults to the control address */
	assert_int_equal(c.peers[3].n_data, 1);
	assert_true(ip_is(&c.peers[3].data[0], "10.0.1.12"));
	/* public keys: one, or two during a rotation */
	assert_int_equal(c.peers[0].n_keys, 1);
	assert_int_equal(c.peers[0].public_key[0][0], 0x11);
	assert_int_equal(c.peers[1].n_keys, 2);
	assert_int_equal(c.peers[1].public_key[0][31], 0x22);
	assert_int_equal(c.peers[1].public_key[1][0], 0xc1);
	assert_int_equal(c.peers[1].public_key[1][31], 0xe0);
	/* coordinators apart from the gateways and members */
	assert_int_equal(c.n_coords, 1);
	assert_string_equal(c.coords[0].name, "standby");
	assert_true(c.coords[0].coordinator);
	assert_int_equal(ntohs(c.coords[0].control.sin_port), 5152);
	assert_int_equal(c.coords[0].public_key[0][0], 0x55);
	assert_string_equal(c.previous_key_file, "");
	bvd_config_free(&c);
	assert_null(c.peers);
	assert_null(c.coords);
	assert_int_equal(c.n_peers, 0);
	bvd_config_free(&c);	/* twice is harmless */
}

static void test_defaults(void **state)
{
	struct bvd_config c;

	(void)state;
	good(MEMBER_HEAD, &c);
	assert_int_equal(c.roles, BVD_ROLE_MEMBER);
	assert_int_equal(c.listen.sin_addr.s_addr, htonl(INADDR_ANY));
	assert_int_equal(ntohs(c.listen.sin_port), 5150);
	assert_string_equal(c.key_file, "/etc/beaver/private.key");
	assert_string_equal(c.previous_key_file, "");
	assert_int_equal(c.n_coords, 1);
	assert_string_equal(c.coords[0].name, "c");
	assert_string_equal(c.state_dir, "/var/lib/beaver");
	assert_string_equal(c.run_dir, "/run/beaver");
	assert_string_equal(c.socket_group, "beaver");
	assert_false(c.log_stderr);
	assert_string_equal(c.netns, "");
	assert_int_equal(c.n_vips, 0);
	assert_int_equal(c.n_allow, 0);
	assert_int_equal(c.settle_ms, 100);
	assert_int_equal(c.max_flows, 65536);
	assert_int_equal(c.max_history, 262144);
	assert_int_equal(c.max_records, 1024);
	assert_int_equal(c.max_captures, 1024);
	assert_int_equal(c.capture_bytes, 64);
	assert_true(c.mss_clamp);
	assert_int_equal(c.tau_min_ns, 33000);
	assert_int_equal(c.ack_timeout_ms, 200);
	assert_int_equal(c.retries, 3);
	assert_int_equal(c.max_outstanding, 4);
	assert_int_equal(c.complete_timeout_ms, 5000);
	assert_int_equal(c.collect_timeout_ms, 5000);
	assert_int_equal(c.late_hold_ms, 0);
	assert_int_equal(c.first_epoch, 1);
	assert_int_equal(c.active_address.s_addr, 0);
	assert_int_equal(c.keep_snapshots, 10000);
	assert_int_equal(c.keep_days, 90);
	assert_int_equal(c.n_peers, 0);
	bvd_config_free(&c);
}

static void test_node_defaults_to_hostname(void **state)
{
	struct bvd_config c;
	char host[256] = "";

	(void)state;
	assert_int_equal(gethostname(host, sizeof(host) - 1), 0);
	good("[beaverd]\nroles = member\n[group]\nid = 1\n"
	     "members = 10.0.0.1\ngateways = 10.0.0.9\n"
	     "[coordinator:c]\naddress = 10.0.0.5\npublic_key = " KEY_C "\n",
	     &c);
	assert_string_equal(c.node, host);
	bvd_config_free(&c);
}

static void test_lists_continue_and_add_up(void **state)
{
	struct bvd_config c;

	(void)state;
	good("[beaverd]\nnode = m1\nroles = member\n"
	     "[group]\nid = 7\n"
	     "members = 10.0.1.1, 10.0.1.2\n"
	     "    10.0.1.3\n"
	     "\t10.0.1.4,10.0.1.5\n"
	     "; a comment between\n"
	     "members = 10.0.1.6\n"
	     "allow = 10.0.0.0/8\n"
	     "  0.0.0.0/0\n"
	     "vips =\n"
	     "gateways = 10.0.0.9\n"
	     "[coordinator:c]\naddress = 10.0.0.5\npublic_key = " KEY_C "\n",
	     &c);
	assert_int_equal(c.n_members, 6);
	for (size_t i = 0; i < 6; i++) {
		char want[16];

		snprintf(want, sizeof(want), "10.0.1.%zu", i + 1);
		assert_true(bv_ip_eq(&c.members[i], &(struct bv_ip){
			ip4(want).a }));
	}
	assert_int_equal(c.n_allow, 2);
	assert_int_equal(c.allow[1].len, 0);
	assert_int_equal(c.n_vips, 0);
	bvd_config_free(&c);
}

static void test_syntax_variants(void **state)
{
	struct bvd_config c;

	(void)state;
	/* BOM, CRLF, ':' separator, comments of both kinds, spaces */
	good("\xEF\xBB\xBF[beaverd]\r\n"
	     "# hash comment\r\n"
	     "node: m1\r\n"
	     "roles=member,coordinator\r\n"
	     "[group]  \r\n"
	     "id = 255 ; inline comment\r\n"
	     "members = 10.0.1.11\r\n"
	     "gateways = 10.0.1.1\r\n"
	     "[module]\n"
	     "mss_clamp = TRUE\n"
	     "[member:m1]\n"
	     "address = 10.0.1.11\n"
	     "public_key:" KEY_M1 "\r\n"
	     "[gateway:g1]\n"
	     "address = 10.0.1.1\n"
	     "public_key =  " KEY_G1 "  ; its key\n", &c);
	assert_string_equal(c.node, "m1");
	assert_int_equal(c.roles, BVD_ROLE_MEMBER | BVD_ROLE_COORDINATOR);
	assert_int_equal(c.group, 255);
	assert_true(c.mss_clamp);
	bvd_config_free(&c);
}

static void test_bad_sections_and_keys(void **state)
{
	(void)state;
	expect_errors(MEMBER_HEAD "[foo]\nbar = 1\n",
		      "t.conf:11: unknown section [foo]");
	expect_errors(MEMBER_HEAD "colour = blue\n",
		      "t.conf:11: unknown key 'colour' in [group]");
	expect_errors("node = m1\n" MEMBER_HEAD,
		      "t.conf:1: 'node' outside any section");
	expect_errors(MEMBER_HEAD "[group\nid = 3\n",
		      "t.conf:11: section header without ']'");
	expect_errors(MEMBER_HEAD "just some words\n",
		      "t.conf:11: expected 'key = value'");
	expect_errors(MEMBER_HEAD "[gateway:g1]\naddress = 10.0.0.1\n"
		      "data = 10.0.0.2\n",
		      "t.conf:13: unknown key 'data' in [gateway:g1]");
	/* an empty unknown section is still reported */
	expect_errors(MEMBER_HEAD "[extra]\n",
		      "t.conf:11: unknown section [extra]");
	expect_errors(MEMBER_HEAD "[gateway:]\naddress = 10.0.0.1\n",
		      "t.conf:11: [gateway:]: peer name '' is empty");
	expect_errors(MEMBER_HEAD "[member:a/b]\naddress = 10.0.0.1\n",
		      "t.conf:11: [member:a/b]: peer name 'a/b' may contain");
}

static void test_bad_duplicates(void **state)
{
	(void)state;
	expect_errors(MEMBER_HEAD "[beaverd]\nnode = m2\n",
		      "t.conf:12: node given twice (first on line 5)");
	expect_errors(MEMBER_HEAD "members = 10.0.1.13\n  10.0.1.12\n",
		      "t.conf:12: members: 10.0.1.12 listed twice (first on "
		      "line 9)");
	expect_errors(MEMBER_HEAD "allow = 10.0.0.0/8, 10.0.0.0/8\n",
		      "t.conf:11: allow: 10.0.0.0/8 listed twice (first on "
		      "line 11)");
	/* an indented line continues the previous key: not for a scalar */
	expect_errors(MEMBER_HEAD "[module]\nsettle_ms = 5\n  max_flows = 9\n",
		      "t.conf:13: settle_ms takes one value");
	expect_errors("[beaverd]\nnode = c\nroles = coordinator\n"
		      "[group]\nid = 1\n"
		      "[gateway:x]\naddress = 10.0.0.1\npublic_key = " KEY_G1 "\n"
		      "[member:x]\naddress = 10.0.0.2\n"
		      "[member:m]\naddress = 10.0.0.3\npublic_key = " KEY_M1 "\n",
		      "t.conf:9: duplicate peer name 'x' (first defined on "
		      "line 6 as a gateway)");
	expect_errors("[beaverd]\nnode = c\nroles = coordinator\n"
		      "[group]\nid = 1\n"
		      "[gateway:x]\naddress = 10.0.0.1\npublic_key = " KEY_G1 "\n"
		      "[gateway:y]\naddress = 10.0.0.1:5150\npublic_key = " KEY_G2 "\n"
		      "[member:m]\naddress = 10.0.0.3\npublic_key = " KEY_M1 "\n",
		      "t.conf:10: address 10.0.0.1:5150 is also peer 'x''s "
		      "(line 7)");
	/* a coordinator section's name is a peer name like the others */
	expect_errors(MEMBER_HEAD "[coordinator:c]\naddress = 10.0.0.9\n",
		      "t.conf:11: duplicate peer name 'c' (first defined on "
		      "line 1 as a coordinator)");
}

static void test_bad_addresses(void **state)
{
	(void)state;
	expect_errors(MEMBER_HEAD "[beaverd]\nlisten = 10.0.1.300\n",
		      "t.conf:12: listen: '10.0.1.300' is not an IPv4 address");
	expect_errors(MEMBER_HEAD "[beaverd]\nlisten = 10.0.1.3:0\n",
		      "t.conf:12: listen: port '0' is not a number in 1..65535");
	expect_errors(MEMBER_HEAD "[beaverd]\nlisten = 10.0.1.3:65536\n",
		      "t.conf:12: listen: port '65536' is not a number");
	expect_errors(MEMBER_HEAD "[beaverd]\nlisten = 10.0.1.3:http\n",
		      "t.conf:12: listen: port 'http' is not a number");
	expect_errors(MEMBER_HEAD "[beaverd]\nlisten = 010.0.1.3\n",
		      "t.conf:12: listen: '010.0.1.3' is not an IPv4 address");
	/* IPv6 on the control plane is refused as such */
	expect_errors(MEMBER_HEAD "[beaverd]\nlisten = [2001:db8::1]:5150\n",
		      "t.conf:12: listen: 2001:db8::1: an IPv6 address, but the "
		      "control plane is IPv4 for now (IPv6 goes in the data-plane "
		      "keys: members, vips, gateways, allow, data)");
	expect_errors(MEMBER_HEAD "[beaverd]\nlisten = 2001:db8::1\n",
		      "t.conf:12: listen: 2001:db8::1: an IPv6 address, but the "
		      "control plane is IPv4 for now");
	expect_errors(MEMBER_HEAD "[member:m1]\naddress = ::ffff:10.0.0.9\n",
		      "t.conf:12: address: ::ffff:10.0.0.9: an IPv6 address, but "
		      "the control plane is IPv4 for now");
	expect_errors(MEMBER_HEAD "[member:m1]\naddress = [2001:db8::b]\n",
		      "t.conf:12: address: 2001:db8::b: an IPv6 address, but "
		      "the control plane is IPv4 for now");
	expect_errors(MEMBER_HEAD "vips = 224.0.0.1\n",
		      "t.conf:11: vips: 224.0.0.1 is not a unicast address");
	expect_errors(MEMBER_HEAD "allow = 10.1.2.3/16\n",
		      "t.conf:11: allow: 10.1.2.3/16 has host bits set (did you "
		      "mean 10.1.0.0/16?)");
	expect_errors(MEMBER_HEAD "allow = 10.0.0.0/33\n",
		      "t.conf:11: allow: prefix length '33' is not a number in "
		      "0..32");
	expect_errors(MEMBER_HEAD "allow = 10.0.0.0/\n",
		      "t.conf:11: allow: prefix length '' is not a number");
	expect_errors(MEMBER_HEAD "allow = 1.2.3.4/-1\n",
		      "t.conf:11: allow: prefix length '-1' is not a number");
	expect_errors(MEMBER_HEAD "[member:m1]\naddress = 0.0.0.0\n",
		      "t.conf:12: address: 0.0.0.0 is not a unicast address");
	expect_errors(MEMBER_HEAD "[member:m1]\naddress = 10.0.1.11\n"
		      "data = 10.0.1.99\n",
		      "t.conf:13: [member:m1]: data address 10.0.1.99 is not in "
		      "[group] members");
	expect_errors(MEMBER_HEAD "[member:m9]\n",
		      "t.conf:11: [member:m9]: address is required");
}

/*
 * IPv6 in the data-plane keys: members, vips, gateways, allow (both
 * families mixed, continuation lines, any IPv6 spelling) and a member's
 * data, a list (dual stack). Fails if an IPv6 address is refused there,
 * misread, or an IPv4 one stops being IPv4.
 */
static void test_ipv6_data_plane(void **state)
{
	struct bvd_config c;
	char buf[BV_IP_STRLEN];

	(void)state;
	good("[beaverd]\nnode = m1\nroles = member, coordinator\n"
	     "[group]\nid = 7\n"
	     "members = 10.0.1.11, 2001:db8::a, 10.0.1.12\n"
	     "  2001:DB8:0:0::b\n"
	     "vips = 2001:db8:9::1, 10.9.0.1\n"
	     "gateways = fe80::1, 10.0.1.1\n"
	     "allow = 10.8.0.0/16, 2001:db8:100::/48, ::/0\n"
	     "  2001:db8::b/128, 2001:db8::c\n"
	     "[gateway:g]\naddress = 10.0.1.1\npublic_key = " KEY_G1 "\n"
	     "[member:m1]\naddress = 10.0.2.11\n"
	     "data = 10.0.1.11, 2001:db8::a\n"
	     "public_key = " KEY_M1 "\n"
	     "[member:m2]\naddress = 10.0.2.12\n"
	     "data = 2001:db8::b\n"
	     "public_key = " KEY_M2 "\n", &c);
	assert_int_equal(c.n_members, 4);
	assert_true(ip_is(&c.members[0], "10.0.1.11"));
	assert_true(bv_ip_is4(&c.members[0]));
	assert_true(ip_is(&c.members[1], "2001:db8::a"));
	assert_false(bv_ip_is4(&c.members[1]));
	assert_true(ip_is(&c.members[3], "2001:db8::b"));
	assert_string_equal(bv_ip_ntop(&c.members[3], buf), "2001:db8::b");
	assert_int_equal(c.n_vips, 2);
	assert_true(ip_is(&c.vips[0], "2001:db8:9::1"));
	assert_int_equal(c.n_gateways, 2);
	assert_true(ip_is(&c.gateways[0], "fe80::1"));
	assert_int_equal(c.n_allow, 5);
	assert_true(ip_is(&c.allow[1].addr, "2001:db8:100::"));
	assert_int_equal(c.allow[1].len, 48);
	assert_true(ip_is(&c.allow[2].addr, "::"));
	assert_int_equal(c.allow[2].len, 0);
	assert_int_equal(c.allow[3].len, 128);
	/* no length: the whole address, 128 bits for IPv6 */
	assert_int_equal(c.allow[4].len, 128);
	assert_int_equal(c.allow[0].len, 16);
	/* dual stack: one address of each family, in the order given */
	assert_int_equal(c.n_peers, 3);
	assert_int_equal(c.peers[1].n_data, 2);
	assert_true(ip_is(&c.peers[1].data[0], "10.0.1.11"));
	assert_true(ip_is(&c.peers[1].data[1], "2001:db8::a"));
	assert_int_equal(c.peers[2].n_data, 1);
	assert_true(ip_is(&c.peers[2].data[0], "2001:db8::b"));
	/* the module's check: the first IPv6 address and its key */
	assert_string_equal(bvd_config_first_ipv6(&c, buf), "members");
	assert_string_equal(buf, "2001:db8::a");
	bvd_config_free(&c);

	/* IPv4 alone: nothing for a module without IPv6 to refuse */
	good(MEMBER_HEAD "allow = 10.0.0.0/8\n", &c);
	assert_null(bvd_config_first_ipv6(&c, buf));
	bvd_config_free(&c);
	good(MEMBER_HEAD "allow = 10.0.0.0/8, 2001:db8::/32\n", &c);
	assert_string_equal(bvd_config_first_ipv6(&c, buf), "allow");
	assert_string_equal(buf, "2001:db8::");
	bvd_config_free(&c);
}

/* IPv6 refused where it is wrong, with the line and the reason */
static void test_ipv6_refused(void **state)
{
	(void)state;
	expect_errors(MEMBER_HEAD "allow = 2001:db8::1/64\n",
		      "t.conf:11: allow: 2001:db8::1/64 has host bits set (did "
		      "you mean 2001:db8::/64?)");
	expect_errors(MEMBER_HEAD "allow = 2001:db8:ffff::/31\n",
		      "t.conf:11: allow: 2001:db8:ffff::/31 has host bits set "
		      "(did you mean 2001:db8::/31?)");
	expect_errors(MEMBER_HEAD "allow = 2001:db8::/129\n",
		      "t.conf:11: allow: prefix length '129' is not a number in "
		      "0..128");
	expect_errors(MEMBER_HEAD "allow = 10.0.0.0/64\n",
		      "t.conf:11: allow: prefix length '64' is not a number in "
		      "0..32");
	expect_errors(MEMBER_HEAD "allow = ::ffff:10.0.0.0/104\n",
		      "t.conf:11: allow: ::ffff:10.0.0.0 is an IPv4-mapped "
		      "address: write it as 10.0.0.0");
	expect_errors(MEMBER_HEAD "allow = 2001:db8::g/64\n",
		      "t.conf:11: allow: '2001:db8::g' is not an IPv4 or IPv6 "
		      "address");
	expect_errors(MEMBER_HEAD "allow = 2001:db8::/48, 2001:DB8::/48\n",
		      "t.conf:11: allow: 2001:db8::/48 listed twice (first on "
		      "line 11)");
	expect_errors(MEMBER_HEAD "vips = ::\n",
		      "t.conf:11: vips: :: is not a unicast address");
	expect_errors(MEMBER_HEAD "vips = ff02::1\n",
		      "t.conf:11: vips: ff02::1 is not a unicast address");
	expect_errors(MEMBER_HEAD "vips = ::ffff:10.0.0.1\n",
		      "t.conf:11: vips: ::ffff:10.0.0.1 is an IPv4-mapped "
		      "address: write it as 10.0.0.1");
	expect_errors(MEMBER_HEAD "vips = [2001:db8::1]\n",
		      "t.conf:11: vips: '[2001:db8::1]' is not an IPv4 or IPv6 "
		      "address");
	expect_errors(MEMBER_HEAD "members = 2001:db8::a, 2001:db8:0::a\n",
		      "t.conf:11: members: 2001:db8::a listed twice (first on "
		      "line 11)");
	expect_errors(MEMBER_HEAD "[coordinator]\nactive_address = 2001:db8::5\n",
		      "t.conf:12: active_address: 2001:db8::5: an IPv6 address, "
		      "but the control plane is IPv4 for now");
	/* a member's data: each one in members, none twice, not empty */
	expect_errors(MEMBER_HEAD "[member:m1]\naddress = 10.0.1.11\n"
		      "data = 10.0.1.11, 2001:db8::a\n",
		      "t.conf:13: [member:m1]: data address 2001:db8::a is not "
		      "in [group] members");
	expect_errors(MEMBER_HEAD "members = 2001:db8::a\n"
		      "[member:m1]\naddress = 10.0.1.11\n"
		      "data = 2001:db8::a, 2001:db8::a\n",
		      "t.conf:14: data: 2001:db8::a listed twice");
	expect_errors(MEMBER_HEAD "[member:m1]\naddress = 10.0.1.11\n"
		      "data = 10.0.1.11, ::\n",
		      "t.conf:13: data: :: is not a unicast address");
	expect_errors(MEMBER_HEAD "[member:m1]\naddress = 10.0.1.11\n"
		      "data =\n",
		      "t.conf:13: data: empty value");
	expect_errors(MEMBER_HEAD "[member:m1]\naddress = 10.0.1.11\n"
		      "data = 10.0.1.11\n  10.0.1.12, 10.1.1.1\n",
		      "t.conf:13: [member:m1]: data address 10.1.1.1 is not in "
		      "[group] members");
	/* a gateway has no data addresses */
	expect_errors(MEMBER_HEAD "[gateway:g]\naddress = 10.0.1.1\n"
		      "data = 2001:db8::1\n",
		      "t.conf:13: unknown key 'data' in [gateway:g]");
}

static void test_bad_roles(void **state)
{
	(void)state;
	expect_errors("[beaverd]\nnode = x\nroles = gateway, member\n"
		      "[group]\nid = 1\nmembers = 10.0.0.1\n" COORD_TAIL,
		      "t.conf:3: roles: gateway and member together: a network "
		      "namespace is either a gateway or a member");
	expect_errors("[beaverd]\nnode = x\nroles = member, router\n"
		      "[group]\nid = 1\nmembers = 10.0.0.1\ngateways = 10.0.0.9\n" COORD_TAIL,
		      "t.conf:3: roles: unknown role 'router'");
	expect_errors("[beaverd]\nnode = x\nroles = ,\n"
		      "[group]\nid = 1\nmembers = 10.0.0.1\ngateways = 10.0.0.9\n",
		      "t.conf:3: roles: no role given");
	expect_errors("[beaverd]\nnode = x\n[group]\nid = 1\n",
		      "t.conf:1: [beaverd] roles is required");
	expect_errors("[group]\nid = 1\n",
		      "t.conf:0: [beaverd] roles is required");
	expect_errors("[beaverd]\nnode = x\nroles = member\n"
		      "[group]\nmembers = 10.0.0.1\ngateways = 10.0.0.9\n" COORD_TAIL,
		      "t.conf:3: roles = member needs a group id");
	expect_errors("[beaverd]\nnode = x\nroles = gateway\n[group]\nid = 2\n" COORD_TAIL,
		      "t.conf:3: roles = gateway needs the group's member "
		      "addresses");
	expect_errors("[beaverd]\nnode = x\nroles = member\n[group]\nid = 2\n"
		      "members =\ngateways = 10.0.0.9\n" COORD_TAIL,
		      "t.conf:6: roles = member needs the group's member "
		      "addresses");
	expect_errors("[beaverd]\nnode = x\nroles = coordinator\n"
		      "[group]\nid = 1\n",
		      "t.conf:3: roles = coordinator but no [gateway:NAME] or "
		      "[member:NAME] section");
	/* OGM with no gateway accepted everything (t1 never set) */
	expect_errors("[beaverd]\nnode = x\nroles = coordinator\n"
		      "[group]\nid = 1\n[member:m1]\naddress = 10.0.0.1\n"
		      "public_key = " KEY_G1 "\n",
		      "t.conf:3: roles = coordinator but no [gateway:NAME] "
		      "section: without gateways no snapshot can be verified");
	expect_errors("[beaverd]\nnode = x\nroles = coordinator\n"
		      "[group]\nid = 1\n[gateway:g1]\naddress = 10.0.0.1\n"
		      "public_key = " KEY_G1 "\n",
		      "t.conf:3: roles = coordinator but no [member:NAME] "
		      "section: a snapshot needs members");
	/* a member without its gateways would never honour their marks */
	expect_errors("[beaverd]\nnode = x\nroles = member\n"
		      "[group]\nid = 1\nmembers = 10.0.0.1\n" COORD_TAIL,
		      "t.conf:3: roles = member needs the gateways' addresses");
	expect_errors("[beaverd]\nnode = x\nroles = member\n"
		      "[group]\nid = 1\nmembers = 10.0.0.1\ngateways = x\n" COORD_TAIL,
		      "t.conf:7: gateways: 'x' is not an IPv4 or IPv6 address");
	expect_errors(MEMBER_HEAD "[module]\nmax_ahead = 0\n",
		      "t.conf:12: max_ahead: 0 is out of range");
}

/* who may command whom, and the keys that prove it */
static void test_bad_keys(void **state)
{
	(void)state;
	/* a member without a coordinator would obey nobody, or anybody */
	expect_errors("[beaverd]\nnode = x\nroles = member\n"
		      "[group]\nid = 1\nmembers = 10.0.0.1\ngateways = 10.0.0.9\n",
		      "t.conf:3: roles = member but no [coordinator:NAME] section");
	expect_errors(MEMBER_HEAD "[coordinator:d]\naddress = 10.0.0.7\n",
		      "t.conf:11: [coordinator:d]: public_key is required");
	expect_errors(MEMBER_HEAD "[coordinator:d]\naddress = 10.0.0.7\n"
		      "public_key = 12345\n",
		      "t.conf:13: public_key: '12345' is not a public key");
	expect_errors(MEMBER_HEAD "[coordinator:d]\naddress = 10.0.0.7\n"
		      "public_key = " KEY_G1 ", " KEY_G1 "\n",
		      "t.conf:13: public_key: the same key twice");
	expect_errors(MEMBER_HEAD "[coordinator:d]\naddress = 10.0.0.7\n"
		      "public_key = 00000000000000000000000000000000"
		      "00000000000000000000000000000000\n",
		      "t.conf:13: public_key: '0000");
	/* the same key for two peers: their key ids collide */
	expect_errors(MEMBER_HEAD "[coordinator:d]\naddress = 10.0.0.7\n"
		      "public_key = " KEY_C "\n",
		      "t.conf:13: public_key: 'd' has a key with the same key id "
		      "as 'c''s");
	/* a coordinator needs every gateway's and member's key */
	expect_errors("[beaverd]\nnode = x\nroles = coordinator\n"
		      "[group]\nid = 1\n[gateway:g1]\naddress = 10.0.0.1\n"
		      "[member:m1]\naddress = 10.0.0.2\npublic_key = " KEY_M1 "\n",
		      "t.conf:6: [gateway:g1]: public_key is required");
	expect_errors(MEMBER_HEAD "[beaverd]\nprevious_key_file = k\n",
		      "t.conf:12: previous_key_file:");
}

static void test_bad_values(void **state)
{
	(void)state;
	expect_errors(MEMBER_HEAD "[module]\nsettle_ms = 60001\n",
		      "t.conf:12: settle_ms: 60001 is out of range 0..60000");
	expect_errors(MEMBER_HEAD "[module]\nmax_flows = 0\n",
		      "t.conf:12: max_flows: 0 is out of range 1..16777216");
	expect_errors(MEMBER_HEAD "[module]\ncapture_bytes = 99999999999999999999999\n",
		      "t.conf:12: capture_bytes: '99999999999999999999999' is "
		      "not a number");
	expect_errors(MEMBER_HEAD "[module]\nmax_records = -1\n",
		      "t.conf:12: max_records: '-1' is not a number");
	expect_errors(MEMBER_HEAD "[module]\nmax_records = 12k\n",
		      "t.conf:12: max_records: '12k' is not a number");
	expect_errors(MEMBER_HEAD "[module]\nmss_clamp = maybe\n",
		      "t.conf:12: mss_clamp: 'maybe' is not a boolean");
	expect_errors(MEMBER_HEAD "[coordinator]\ntau_min_us = 0\n",
		      "t.conf:12: tau_min_us: 0 is out of range 1..10000000");
	expect_errors(MEMBER_HEAD "[coordinator]\nfirst_epoch = 4294967296\n",
		      "t.conf:12: first_epoch: 4294967296 is out of range "
		      "1..4294967295");
	expect_errors(MEMBER_HEAD "[coordinator]\nlate_hold_ms = 600001\n",
		      "t.conf:12: late_hold_ms: 600001 is out of range "
		      "0..600000");
	expect_errors(MEMBER_HEAD "[coordinator]\nfirst_epoch = 0\n",
		      "t.conf:12: first_epoch: 0 is out of range");
	expect_errors(MEMBER_HEAD "[coordinator]\nmax_outstanding = 0\n",
		      "t.conf:12: max_outstanding: 0 is out of range");
	expect_errors(MEMBER_HEAD "id = 0\n",
		      "t.conf:11: id given twice (first on line 8)");
	expect_errors("[beaverd]\nnode = x\nroles = member\n"
		      "[group]\nid = 0\nmembers = 10.0.0.1\ngateways = 10.0.0.9\n" COORD_TAIL,
		      "t.conf:5: id: 0 is out of range 1..255");
	expect_errors("[beaverd]\nnode = x\nroles = member\n"
		      "[group]\nid = 256\nmembers = 10.0.0.1\ngateways = 10.0.0.9\n" COORD_TAIL,
		      "t.conf:5: id: 256 is out of range 1..255");
	expect_errors(MEMBER_HEAD "[beaverd]\nlog = syslog\n",
		      "t.conf:12: log: 'syslog' is neither journal nor stderr");
	expect_errors(MEMBER_HEAD "[beaverd]\nstate_dir = var/lib\n",
		      "t.conf:12: state_dir: 'var/lib' is not an absolute path");
	expect_errors(MEMBER_HEAD "[beaverd]\nnetns = a/b\n",
		      "t.conf:12: netns: 'a/b' is neither a name");
	expect_errors(MEMBER_HEAD "[beaverd]\nnetns = ..\n",
		      "t.conf:12: netns: '..' is neither a name");
	expect_errors(MEMBER_HEAD "[beaverd]\nsocket_group = a b\n",
		      "t.conf:12: socket_group: 'a b' is not a group name");
	expect_errors(MEMBER_HEAD "[beaverd]\nkey_file =\n",
		      "t.conf:12: key_file: empty value");
	expect_errors("[beaverd]\nnode = bad name!\nroles = member\n"
		      "[group]\nid = 1\nmembers = 10.0.0.1\ngateways = 10.0.0.9\n" COORD_TAIL,
		      "t.conf:2: node: 'bad name!' may contain only");
	expect_errors("[beaverd]\n"
		      "node = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
		      "roles = member\n[group]\nid = 1\nmembers = 10.0.0.1\ngateways = 10.0.0.9\n" COORD_TAIL,
		      "t.conf:2: node: 'aaaa");
}

static void test_long_line(void **state)
{
	char text[1024];
	int n;

	(void)state;
	n = snprintf(text, sizeof(text), MEMBER_HEAD "vips = ");
	for (int i = 1; i <= 30; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n,
			      "10.0.0.%d, ", i);
	snprintf(text + n, sizeof(text) - (size_t)n, "\n[beaverd]\nlog = x\n");
	expect_errors(text,
		      "t.conf:11: line longer than 197 characters",
		      "t.conf:13: log: 'x' is neither");
}

/* every problem of a file is reported, in line order */
static void test_all_errors_reported(void **state)
{
	(void)state;
	expect_errors("[beaverd]\n"			/* 1 */
		      "node = m1\n"			/* 2 */
		      "roles = gateway member\n"	/* 3 */
		      "listen = 1.2.3.4:99999\n"		/* 4 */
		      "bogus = 1\n"			/* 5 */
		      "[group]\n"			/* 6 */
		      "id = 300\n"			/* 7 */
		      "members = 10.0.0.1, x\n"		/* 8 */
		      "allow = 10.0.0.1/8\n"		/* 9 */
		      "[module]\n"			/* 10 */
		      "settle_ms = 1e3\n"		/* 11 */
		      "[wat]\n"				/* 12 */
		      "[coordinator]\n"			/* 13 */
		      "retries = 101\n"			/* 14 */
		      "retries = 1\n",			/* 15 */
		      "t.conf:3: roles: gateway and member together",
		      "t.conf:4: listen: port '99999'",
		      "t.conf:5: unknown key 'bogus' in [beaverd]",
		      "t.conf:7: id: 300 is out of range",
		      "t.conf:8: members: 'x' is not an IPv4 or IPv6 address",
		      "t.conf:9: allow: 10.0.0.1/8 has host bits set",
		      "t.conf:11: settle_ms: '1e3' is not a number",
		      "t.conf:12: unknown section [wat]",
		      "t.conf:14: retries: 101 is out of range 0..100",
		      "t.conf:15: retries given twice (first on line 14)");
}

/* the examples of man/beaverd.conf.5 (blocks ".RS 4" to ".RE" holding a
 * [beaverd] section) are valid */
static void test_man_page_examples(void **state)
{
	static const char *const paths[] = { "man/beaverd.conf.5",
					      "../../man/beaverd.conf.5" };
	char line[512], *text = NULL;
	size_t len = 0, found = 0;
	bool in = false;
	FILE *f = NULL;

	(void)state;
	for (size_t i = 0; i < 2 && !f; i++)
		f = fopen(paths[i], "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (!strcmp(line, ".RS 4\n")) {
			in = true;
			len = 0;
			continue;
		}
		if (in && !strcmp(line, ".RE\n")) {
			in = false;
			if (text && strstr(text, "[beaverd]")) {
				struct bvd_config c;

				good(text, &c);
				bvd_config_free(&c);
				found++;
			}
			continue;
		}
		if (!in)
			continue;
		text = realloc(text, len + strlen(line) + 1);
		assert_non_null(text);
		memcpy(text + len, line, strlen(line) + 1);
		len += strlen(line);
	}
	fclose(f);
	free(text);
	assert_int_equal(found, 2);
}

static void test_err_stream_optional(void **state)
{
	struct bvd_config c;

	(void)state;
	assert_int_equal(bvd_config_parse("[nope]\n", "x", &c, NULL), -1);
	assert_int_equal(bvd_config_parse(NULL, "x", &c, NULL), -1);
	assert_int_equal(bvd_config_parse(MEMBER_HEAD, NULL, &c, NULL), 0);
	bvd_config_free(&c);
}

static void test_load_files(void **state)
{
	char dir[] = "/tmp/bvcfgXXXXXX", path[64], *errs = NULL;
	struct bvd_config c;
	size_t len;
	FILE *f, *e;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/beaverd.conf", dir);

	/* missing: one error, line 0 */
	e = open_memstream(&errs, &len);
	assert_int_equal(bvd_config_load(path, &c, e), -1);
	fclose(e);
	assert_non_null(strstr(errs, ":0: cannot open: No such file"));
	assert_int_equal(count_lines(errs), 1);
	free(errs);

	/* good */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(full, f);
	fclose(f);
	assert_int_equal(bvd_config_load(path, &c, stderr), 0);
	assert_int_equal(c.n_peers, 4);
	bvd_config_free(&c);

	/* the file's name in every message */
	f = fopen(path, "w");
	fputs("[beaverd]\nroles = member\nnode = a\n[group]\nid = x\n", f);
	fclose(f);
	e = open_memstream(&errs, &len);
	assert_int_equal(bvd_config_load(path, &c, e), -1);
	fclose(e);
	assert_non_null(strstr(errs, "/beaverd.conf:5: id: 'x' is not a number"));
	free(errs);

	/* binary */
	f = fopen(path, "w");
	fwrite("[beaverd]\nnode = a\0b\n", 1, 21, f);
	fclose(f);
	e = open_memstream(&errs, &len);
	assert_int_equal(bvd_config_load(path, &c, e), -1);
	fclose(e);
	assert_non_null(strstr(errs, "/beaverd.conf:2: NUL byte"));
	free(errs);

	/* a directory */
	e = open_memstream(&errs, &len);
	assert_int_equal(bvd_config_load(dir, &c, e), -1);
	fclose(e);
	assert_non_null(strstr(errs, ":0: not a regular file"));
	free(errs);

	unlink(path);
	rmdir(dir);
}

/* a public key of its own for peer i (any 32 bytes but a few are one) */
static const char *fake_key(int i)
{
	static char hex[65];

	for (int k = 0; k < 8; k++)
		snprintf(hex + 8 * k, 9, "%08x",
			 (unsigned int)(i * 2654435761u + (unsigned int)k * 40503u));
	return hex;
}

static void test_limits(void **state)
{
	size_t cap = 600000, n = 0;
	char *text = malloc(cap);

	(void)state;
	assert_non_null(text);
	/* BVD_MAX_ALLOW + 1 prefixes: one error, no more */
	n += (size_t)snprintf(text + n, cap - n, MEMBER_HEAD "allow = 10.0.0.1\n");
	for (int i = 2; i <= BVD_MAX_ALLOW + 1; i++)
		n += (size_t)snprintf(text + n, cap - n, "  10.0.%d.%d\n",
				      i / 256, i % 256);
	expect_errors(text, "t.conf:267: allow: more than 256 entries");

	/* a gateway and BVD_MAX_PEERS member sections, each with its key */
	n = (size_t)snprintf(text, cap, "[beaverd]\nnode = c\n"
			     "roles = coordinator\n[group]\nid = 1\n"
			     "[gateway:g]\naddress = 10.0.0.1\n"
			     "public_key = " KEY_G1 "\n");
	for (int i = 1; i <= BVD_MAX_PEERS; i++)
		n += (size_t)snprintf(text + n, cap - n,
				      "[member:m%d]\naddress = 10.1.%d.%d\n"
				      "public_key = %s\n",
				      i, i / 200, i % 200 + 1, fake_key(i));
	{
		char want[80];

		/* the last section's line: 3 lines each after 6 of head */
		snprintf(want, sizeof(want), "t.conf:%d: more than %d gateway "
			 "and member", 6 + 3 * BVD_MAX_PEERS, BVD_MAX_PEERS);
		expect_errors(text, want);
	}

	/* BVD_MAX_COORDS + 1 coordinators */
	n = (size_t)snprintf(text, cap, MEMBER_HEAD);
	for (int i = 1; i <= BVD_MAX_COORDS; i++)
		n += (size_t)snprintf(text + n, cap - n,
				      "[coordinator:c%d]\naddress = 10.2.0.%d\n"
				      "public_key = %s\n", i, i, fake_key(i));
	expect_errors(text, "t.conf:32: more than 8 coordinator sections");
	free(text);
}

/* [beaverd] metrics: the Prometheus endpoint, IPv4 or [IPv6], port required */
static void test_metrics_key(void **state)
{
	struct bvd_config c;
	char buf[64];

	(void)state;
	good(MEMBER_HEAD, &c);
	assert_int_equal(c.metrics.ss_family, 0);
	assert_string_equal(bvd_config_metrics_str(&c, buf, sizeof(buf)), "off");
	bvd_config_free(&c);
	good(MEMBER_HEAD "[beaverd]\nmetrics = 127.0.0.1:9150\n", &c);
	assert_int_equal(c.metrics.ss_family, AF_INET);
	assert_string_equal(bvd_config_metrics_str(&c, buf, sizeof(buf)),
			    "127.0.0.1:9150");
	bvd_config_free(&c);
	good(MEMBER_HEAD "[beaverd]\nmetrics = [::1]:9150\n", &c);
	assert_int_equal(c.metrics.ss_family, AF_INET6);
	assert_string_equal(bvd_config_metrics_str(&c, buf, sizeof(buf)),
			    "[::1]:9150");
	bvd_config_free(&c);
	good(MEMBER_HEAD "[beaverd]\nmetrics = [2001:db8::7]:80\n", &c);
	assert_string_equal(bvd_config_metrics_str(&c, buf, sizeof(buf)),
			    "[2001:db8::7]:80");
	bvd_config_free(&c);

	expect_errors(MEMBER_HEAD "[beaverd]\nmetrics = 127.0.0.1\n",
		      "t.conf:12: metrics: '127.0.0.1' is not address:port");
	expect_errors(MEMBER_HEAD "[beaverd]\nmetrics = ::1:9150\n",
		      "t.conf:12: metrics: '::1:9150' is not address:port");
	expect_errors(MEMBER_HEAD "[beaverd]\nmetrics = [::1]\n",
		      "t.conf:12: metrics: '[::1]' is not [IPv6 address]:port");
	expect_errors(MEMBER_HEAD "[beaverd]\nmetrics = 127.0.0.1:0\n",
		      "t.conf:12: metrics: port '0' is not a number in 1..65535");
	expect_errors(MEMBER_HEAD "[beaverd]\nmetrics = localhost:9150\n",
		      "t.conf:12: metrics: 'localhost' is not an IPv4 address");
	expect_errors(MEMBER_HEAD "[beaverd]\nmetrics = [10.0.0.1]:9150\n",
		      "t.conf:12: metrics: '10.0.0.1' is not an IPv6 address");
}

/* [module] app_mark: 0 by default, a run of >= 2 contiguous bits */
static void test_app_mark(void **state)
{
	struct bvd_config c;

	(void)state;
	good(MEMBER_HEAD, &c);
	assert_int_equal(c.app_mark, 0);
	bvd_config_free(&c);
	good(MEMBER_HEAD "[module]\napp_mark = 0xff0000\n", &c);
	assert_int_equal(c.app_mark, 0xff0000);
	bvd_config_free(&c);
	good(MEMBER_HEAD "[module]\napp_mark = 12\n", &c);
	assert_int_equal(c.app_mark, 12);
	bvd_config_free(&c);
	good(MEMBER_HEAD "[module]\napp_mark = 0xFFFFFFFF\n", &c);
	assert_int_equal(c.app_mark, 0xffffffffu);
	bvd_config_free(&c);

	expect_errors(MEMBER_HEAD "[module]\napp_mark = 0x1\n",
		      "t.conf:12: app_mark: 0x1 is not one run of at least 2 "
		      "contiguous bits");
	expect_errors(MEMBER_HEAD "[module]\napp_mark = 0x80000000\n",
		      "t.conf:12: app_mark: 0x80000000 is not one run");
	expect_errors(MEMBER_HEAD "[module]\napp_mark = 0xff00ff\n",
		      "t.conf:12: app_mark: 0xff00ff is not one run");
	expect_errors(MEMBER_HEAD "[module]\napp_mark = 0x100000000\n",
		      "t.conf:12: app_mark: '0x100000000' is not a 32-bit mask");
	expect_errors(MEMBER_HEAD "[module]\napp_mark = -3\n",
		      "t.conf:12: app_mark: '-3' is not a 32-bit mask");
	expect_errors(MEMBER_HEAD "[module]\napp_mark = 0xfg\n",
		      "t.conf:12: app_mark: '0xfg' is not a 32-bit mask");
}

/* reload: which changes need a restart, and which a reload applies */
static void test_needs_restart(void **state)
{
	struct bvd_config a, b;
	char why[256];

	(void)state;
	good(MEMBER_HEAD, &a);
	good(MEMBER_HEAD "members = 10.0.1.13\n[module]\nmax_flows = 7\n"
	     "[coordinator:c2]\naddress = 10.0.1.6\npublic_key = " KEY_S "\n",
	     &b);
	assert_false(bvd_config_needs_restart(&a, &b, why, sizeof(why)));
	bvd_config_free(&b);
	good(MEMBER_HEAD "[beaverd]\nlisten = 10.0.1.11:5151\n", &b);
	assert_true(bvd_config_needs_restart(&a, &b, why, sizeof(why)));
	assert_string_equal(why, "listen: 0.0.0.0:5150 -> 10.0.1.11:5151");
	bvd_config_free(&b);
	good(MEMBER_HEAD "[beaverd]\nmetrics = 127.0.0.1:9150\n", &b);
	assert_true(bvd_config_needs_restart(&a, &b, why, sizeof(why)));
	assert_string_equal(why, "metrics: off -> 127.0.0.1:9150");
	bvd_config_free(&b);
	good(MEMBER_HEAD "[beaverd]\nkey_file = /k\n", &b);
	assert_true(bvd_config_needs_restart(&a, &b, why, sizeof(why)));
	assert_string_equal(why, "key_file: '/etc/beaver/private.key' -> '/k'");
	bvd_config_free(&b);
	good("[coordinator:c]\naddress = 10.0.1.5\npublic_key = " KEY_C "\n"
	     "[beaverd]\nnode = m1\nroles = gateway\n[group]\nid = 7\n"
	     "members = 10.0.1.11, 10.0.1.12\n", &b);
	assert_true(bvd_config_needs_restart(&a, &b, why, sizeof(why)));
	assert_string_equal(why, "roles: member -> gateway");
	bvd_config_free(&b);
	bvd_config_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_full),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_node_defaults_to_hostname),
		cmocka_unit_test(test_lists_continue_and_add_up),
		cmocka_unit_test(test_syntax_variants),
		cmocka_unit_test(test_bad_sections_and_keys),
		cmocka_unit_test(test_bad_duplicates),
		cmocka_unit_test(test_bad_addresses),
		cmocka_unit_test(test_ipv6_data_plane),
		cmocka_unit_test(test_ipv6_refused),
		cmocka_unit_test(test_bad_roles),
		cmocka_unit_test(test_bad_keys),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_app_mark),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_all_errors_reported),
		cmocka_unit_test(test_man_page_examples),
		cmocka_unit_test(test_err_stream_optional),
		cmocka_unit_test(test_load_files),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_metrics_key),
		cmocka_unit_test(test_needs_restart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
