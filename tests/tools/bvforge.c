// SPDX-License-Identifier: GPL-2.0
/*
 * bvforge: hostile control-plane datagrams for the VM bench (scenario
 * 14-control-forge). Builds datagrams with beaverd's own codec
 * (beaverd/wire.c), so a datagram made with the right key is exactly what
 * a beaverd would send, and one made with another key differs only in its
 * MAC; captures real ones off an interface for replaying; sends any of
 * them whole, truncated, altered or several times.
 *
 *   bvforge craft --key FILE --to-key HEX --group G --sender NAME [--seq N]
 *                 [--sender-key-id HEX]
 *                 --type advance|ping|collect|release [--epoch E]
 *                 [--role gateway|member] --out FILE
 *   bvforge capture --ifname IF --port P --out FILE [--type T]
 *                   [--timeout-ms T] [--ready-file F]
 *   bvforge send --to A:PORT [--copies N] [--truncate N] [--flip BYTE]
 *                [--set BYTE=VALUE] FILE
 *   bvforge flood --to A:PORT --seconds S FILE
 *   bvforge info FILE
 *
 * Every command prints one `key value ...` line. Exit: 0 ok, 1 error,
 * 2 usage, 3 timeout (capture).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "wire.h"

static const char usage_text[] =
"usage:\n"
"  bvforge craft --key FILE --to-key HEX --group G --sender NAME [--seq N]\n"
"                [--sender-key-id HEX]\n"
"                --type advance|ping|collect|release [--epoch E]\n"
"                [--role gateway|member] --out FILE\n"
"      build one datagram with beaverd's codec (wire.c), from the node id of\n"
"      NAME, MAC'ed with the pair key of the private key in FILE (a real\n"
"      node's, or any other: a forgery) and the recipient's public key HEX;\n"
"      the header names both keys' ids, or --sender-key-id instead of\n"
"      FILE's (a forgery that claims a real key: it fails the MAC). seq\n"
"      default: the wall clock in nanoseconds, as beaverd sends (newer than\n"
"      anything the receiver saw). Writes the datagram to --out and prints\n"
"      `len N type T sender ID seq S`.\n"
"  bvforge capture --ifname IF --port P --out FILE [--type T] [--timeout-ms T]\n"
"                  [--ready-file F]\n"
"      wait for the first control-plane datagram (\"BV\", of type T if given)\n"
"      in a UDP/IPv4 packet to port P seen on interface IF (either\n"
"      direction, an AF_PACKET socket), write its payload to FILE and print\n"
"      it like info. Default timeout 10000 ms (exit 3).\n"
"  bvforge send --to A:PORT [--copies N] [--truncate N] [--flip BYTE]\n"
"               [--set BYTE=VALUE] FILE\n"
"      send FILE's datagram N times (default 1) from one socket, after\n"
"      keeping only its first N bytes (--truncate), inverting the lowest bit\n"
"      of byte BYTE (--flip) or setting it (--set; both repeatable);\n"
"      prints `sent N len L`.\n"
"  bvforge flood --to A:PORT --seconds S FILE\n"
"      send FILE's datagram as fast as one socket can for S seconds (a\n"
"      flood: each copy costs the receiver a header check, and one MAC if\n"
"      the header names a key it knows); prints `sent N seconds S pps R`.\n"
"  bvforge info FILE\n"
"      the header of a datagram (not authenticated): `len N type T group G\n"
"      sender ID sender_key K recipient_key K seq S bodylen B` and, for\n"
"      types carrying one, `epoch E`.\n"
"exit: 0 ok, 1 error, 2 usage, 3 timeout\n";

static noreturn void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("bvforge: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
	fputs(usage_text, stderr);
	exit(2);
}

static noreturn void die(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	fputs("bvforge: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (e)
		fprintf(stderr, ": %s", strerror(e));
	fputs("\n", stderr);
	exit(1);
}

static uint64_t num(const char *what, const char *s, uint64_t min,
		    uint64_t max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || !*s || *end || *s == '-' || v < min || v > max)
		usage_error("%s: not a number in %" PRIu64 "..%" PRIu64 ": '%s'",
			    what, min, max, s);
	return v;
}

static uint64_t get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static const char *type_name(unsigned int t)
{
	static const char *const names[] = {
		[BVW_ADVANCE] = "advance", [BVW_ADVANCE_ACK] = "advance_ack",
		[BVW_COLLECT] = "collect", [BVW_COLLECT_DATA] = "collect_data",
		[BVW_RELEASE] = "release", [BVW_RELEASE_ACK] = "release_ack",
		[BVW_PING] = "ping", [BVW_PONG] = "pong",
		[BVW_ANNOUNCE] = "announce", [BVW_ANNOUNCE_ACK] = "announce_ack",
	};

	return t < __BVW_TYPE_MAX && names[t] ? names[t] : "unknown";
}

static int type_of(const char *s)
{
	for (unsigned int t = BVW_ADVANCE; t < __BVW_TYPE_MAX; t++)
		if (!strcmp(s, type_name(t)))
			return (int)t;
	usage_error("unknown type '%s'", s);
}

static void print_info(const uint8_t *b, size_t len)
{
	printf("len %zu", len);
	if (len >= BVW_HDR_LEN && b[0] == 'B' && b[1] == 'V') {
		unsigned int t = b[3];

		printf(" type %s group %u sender %" PRIu64 " sender_key %08" PRIx64
		       " recipient_key %08" PRIx64 " seq %" PRIu64
		       " bodylen %" PRIu64, type_name(t), b[4],
		       get_be(b + 8, 4), get_be(b + 12, 4), get_be(b + 16, 4),
		       get_be(b + 20, 8), get_be(b + 6, 2));
		/* the epoch: first in requests, after req_id in replies */
		if ((t == BVW_ADVANCE || t == BVW_COLLECT || t == BVW_RELEASE ||
		     t == BVW_ANNOUNCE) &&
		    len >= BVW_HDR_LEN + 4)
			printf(" epoch %" PRIu64, get_be(b + BVW_HDR_LEN, 4));
		else if ((t == BVW_ADVANCE_ACK || t == BVW_COLLECT_DATA ||
			  t == BVW_RELEASE_ACK || t == BVW_ANNOUNCE_ACK) &&
			 len >= BVW_HDR_LEN + 12)
			printf(" epoch %" PRIu64, get_be(b + BVW_HDR_LEN + 8, 4));
	} else {
		printf(" type none");
	}
	printf("\n");
	fflush(stdout);
}

static size_t read_file(const char *path, uint8_t *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		die("%s", path);
	n = fread(buf, 1, size, f);
	if (ferror(f))
		die("%s", path);
	fclose(f);
	return n;
}

static void write_file(const char *path, const uint8_t *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(buf, 1, len, f) != len || fclose(f))
		die("%s", path);
}

/* --- craft --------------------------------------------------------------- */

static int cmd_craft(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "to-key", required_argument, NULL, 'K' },
		{ "sender-key-id", required_argument, NULL, 'I' },
		{ "group", required_argument, NULL, 'g' },
		{ "sender", required_argument, NULL, 's' },
		{ "seq", required_argument, NULL, 'q' },
		{ "type", required_argument, NULL, 't' },
		{ "epoch", required_argument, NULL, 'e' },
		{ "role", required_argument, NULL, 'r' },
		{ "out", required_argument, NULL, 'o' },
		{ 0 }
	};
	struct bvw_msg m = { .role = BVW_ROLE_GATEWAY, .epoch = 1 };
	const char *key_file = NULL, *sender = NULL, *out = NULL, *to = NULL;
	bool has_seq = false, has_group = false, has_kid = false;
	uint8_t buf[BVW_MAX_DGRAM], pub[BVW_PUBLIC_LEN];
	struct bvw_keypair own;
	struct bvw_key key;
	uint32_t kid = 0;
	char why[256];
	int opt, len;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'k': key_file = optarg; break;
		case 'K': to = optarg; break;
		case 'I': kid = (uint32_t)strtoul(optarg, NULL, 16); has_kid = true; break;
		case 'g': m.group = (uint8_t)num("--group", optarg, 1, 255); has_group = true; break;
		case 's': sender = optarg; break;
		case 'q': m.seq = num("--seq", optarg, 0, UINT64_MAX); has_seq = true; break;
		case 't': m.type = (uint8_t)type_of(optarg); break;
		case 'e': m.epoch = (uint32_t)num("--epoch", optarg, 1, UINT32_MAX); break;
		case 'r':
			if (!strcmp(optarg, "gateway"))
				m.role = BVW_ROLE_GATEWAY;
			else if (!strcmp(optarg, "member"))
				m.role = BVW_ROLE_MEMBER;
			else
				usage_error("--role: gateway or member");
			break;
		case 'o': out = optarg; break;
		default: usage_error("craft: bad option");
		}
	}
	if (!key_file || !to || !has_group || !sender || !m.type || !out ||
	    optind != argc)
		usage_error("craft: needs --key --to-key --group --sender --type --out");
	if (bvw_public_parse(to, pub))
		usage_error("--to-key: not a public key: '%s'", to);
	if (m.type != BVW_ADVANCE && m.type != BVW_PING &&
	    m.type != BVW_COLLECT && m.type != BVW_RELEASE)
		usage_error("craft: a request type (advance, ping, collect, release)");
	if (m.type == BVW_PING)
		m.nonce = 1;
	if (!has_seq) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		m.seq = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	}
	m.sender = bvw_node_id(sender);
	if (bvw_keypair_load(key_file, &own, why, sizeof(why))) {
		errno = 0;
		die("key %s: %s", key_file, why);
	}
	if (bvw_pair_key(&own, pub, &key)) {
		errno = 0;
		die("--to-key: no pair key with it");
	}
	m.sender_key = has_kid ? kid : own.id;
	m.recipient_key = bvw_key_id(pub);
	len = bvw_encode(&m, &key, buf, sizeof(buf));
	if (len < 0) {
		errno = -len;
		die("encode");
	}
	write_file(out, buf, (size_t)len);
	printf("len %d type %s sender %" PRIu32 " seq %" PRIu64 "\n", len,
	       type_name(m.type), m.sender, m.seq);
	return 0;
}

/* --- flood --------------------------------------------------------------- */

/* --to A:PORT */
static void parse_to(const char *arg, struct sockaddr_in *to)
{
	char host[INET_ADDRSTRLEN];
	const char *colon = strrchr(arg, ':');

	if (!colon || (size_t)(colon - arg) >= sizeof(host))
		usage_error("--to needs A:PORT");
	memcpy(host, arg, (size_t)(colon - arg));
	host[colon - arg] = '\0';
	if (inet_pton(AF_INET, host, &to->sin_addr) != 1)
		usage_error("--to: bad address '%s'", host);
	to->sin_port = htons((uint16_t)num("--to port", colon + 1, 1, 65535));
}

static int cmd_flood(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "seconds", required_argument, NULL, 's' },
		{ 0 }
	};
	struct sockaddr_in to = { .sin_family = AF_INET };
	uint8_t buf[BVW_MAX_DGRAM];
	struct timespec t0, t;
	uint64_t seconds = 0, sent = 0;
	bool has_to = false;
	double el;
	size_t len;
	int opt, fd;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 't': parse_to(optarg, &to); has_to = true; break;
		case 's': seconds = num("--seconds", optarg, 1, 3600); break;
		default: usage_error("flood: bad option");
		}
	}
	if (!has_to || !seconds || optind != argc - 1)
		usage_error("flood: needs --to --seconds FILE");
	len = read_file(argv[optind], buf, sizeof(buf));
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		/* a full socket buffer or an ICMP error: keep going */
		for (int i = 0; i < 256; i++)
			if (sendto(fd, buf, len, 0, (struct sockaddr *)&to,
				   sizeof(to)) >= 0)
				sent++;
		clock_gettime(CLOCK_MONOTONIC, &t);
		el = (double)(t.tv_sec - t0.tv_sec) +
		     (double)(t.tv_nsec - t0.tv_nsec) / 1e9;
	} while (el < (double)seconds);
	close(fd);
	printf("sent %" PRIu64 " seconds %.1f pps %.0f\n", sent, el,
	       (double)sent / el);
	return 0;
}

/* --- capture ------------------------------------------------------------- */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int cmd_capture(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ifname", required_argument, NULL, 'i' },
		{ "port", required_argument, NULL, 'p' },
		{ "out", required_argument, NULL, 'o' },
		{ "type", required_argument, NULL, 't' },
		{ "timeout-ms", required_argument, NULL, 'T' },
		{ "ready-file", required_argument, NULL, 'r' },
		{ 0 }
	};
	const char *ifname = NULL, *out = NULL, *ready = NULL;
	uint64_t timeout_ms = 10000;
	int port = -1, type = 0, opt, fd;
	/* ETH_P_ALL: a socket bound to one protocol sees only what the
	 * interface receives, not what it transmits */
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL) };
	static uint8_t pkt[65536];
	int64_t deadline;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'i': ifname = optarg; break;
		case 'p': port = (int)num("--port", optarg, 1, 65535); break;
		case 'o': out = optarg; break;
		case 't': type = type_of(optarg); break;
		case 'T': timeout_ms = num("--timeout-ms", optarg, 1, INT32_MAX); break;
		case 'r': ready = optarg; break;
		default: usage_error("capture: bad option");
		}
	}
	if (!ifname || port < 0 || !out || optind != argc)
		usage_error("capture: needs --ifname --port --out");
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (!sll.sll_ifindex)
		die("interface %s", ifname);
	/* SOCK_DGRAM: the link-layer header is removed, IP starts at 0 */
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		die("packet socket on %s", ifname);
	if (ready)
		write_file(ready, (const uint8_t *)"", 0);
	deadline = now_ms() + (int64_t)timeout_ms;
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - now_ms();
		const struct iphdr *ip = (const struct iphdr *)pkt;
		const struct udphdr *uh;
		struct sockaddr_ll from;
		socklen_t from_len;
		size_t ihl, ulen;
		ssize_t n;

		if (left <= 0) {
			fprintf(stderr, "bvforge: capture: nothing in %" PRIu64 " ms\n",
				timeout_ms);
			return 3;
		}
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		from_len = sizeof(from);
		n = recvfrom(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&from,
			     &from_len);
		if (n < (ssize_t)sizeof(struct iphdr) ||
		    from.sll_protocol != htons(ETH_P_IP))
			continue;
		ihl = (size_t)ip->ihl * 4;
		if (ip->version != 4 || ip->protocol != IPPROTO_UDP ||
		    ihl < sizeof(*ip) || (size_t)n < ihl + sizeof(*uh) ||
		    (ntohs(ip->frag_off) & 0x3fff))
			continue;
		uh = (const struct udphdr *)(pkt + ihl);
		ulen = ntohs(uh->len);
		if (ntohs(uh->dest) != port || ulen < sizeof(*uh) ||
		    ihl + ulen > (size_t)n)
			continue;
		ulen -= sizeof(*uh);
		{
			const uint8_t *p = pkt + ihl + sizeof(*uh);

			if (ulen < BVW_HDR_LEN || p[0] != 'B' || p[1] != 'V' ||
			    (type && p[3] != type))
				continue;
			write_file(out, p, ulen);
			print_info(p, ulen);
		}
		close(fd);
		return 0;
	}
}

/* --- send ---------------------------------------------------------------- */

#define MAX_EDITS 16

static int cmd_send(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 'T' },
		{ "copies", required_argument, NULL, 'c' },
		{ "truncate", required_argument, NULL, 'n' },
		{ "flip", required_argument, NULL, 'f' },
		{ "set", required_argument, NULL, 's' },
		{ 0 }
	};
	struct sockaddr_in to = { .sin_family = AF_INET };
	uint64_t copies = 1, truncate_to = 0, sent = 0;
	bool has_to = false;
	struct { size_t at; int val; } edits[MAX_EDITS];	/* val < 0: flip */
	size_t n_edits = 0, len;
	static uint8_t buf[65536];
	int opt, fd;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'T': parse_to(optarg, &to); has_to = true; break;
		case 'c': copies = num("--copies", optarg, 1, 100000); break;
		case 'n': truncate_to = num("--truncate", optarg, 1, 65535); break;
		case 'f':
		case 's': {
			char *eq = strchr(optarg, '=');

			if (n_edits == MAX_EDITS)
				usage_error("at most %d --flip/--set", MAX_EDITS);
			if (opt == 's' && !eq)
				usage_error("--set needs BYTE=VALUE");
			if (eq)
				*eq = '\0';
			edits[n_edits].at = num("byte", optarg, 0, 65535);
			edits[n_edits].val = opt == 'f' ? -1 :
					     (int)num("value", eq + 1, 0, 255);
			n_edits++;
			break;
		}
		default: usage_error("send: bad option");
		}
	}
	if (!has_to || optind != argc - 1)
		usage_error("send: needs --to A:PORT FILE");
	len = read_file(argv[optind], buf, sizeof(buf));
	for (size_t i = 0; i < n_edits; i++) {
		if (edits[i].at >= len)
			usage_error("byte %zu is past the datagram (%zu bytes)",
				    edits[i].at, len);
		if (edits[i].val < 0)
			buf[edits[i].at] ^= 1;
		else
			buf[edits[i].at] = (uint8_t)edits[i].val;
	}
	if (truncate_to && truncate_to < len)
		len = truncate_to;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	for (; sent < copies; sent++) {
		if (sendto(fd, buf, len, 0, (struct sockaddr *)&to,
			   sizeof(to)) < 0)
			die("sendto");
		/* one at a time: the receiver sees every copy */
		usleep(2000);
	}
	close(fd);
	printf("sent %" PRIu64 " len %zu\n", sent, len);
	return 0;
}

/* --- info ---------------------------------------------------------------- */

static int cmd_info(int argc, char **argv)
{
	static uint8_t buf[65536];
	size_t len;

	if (argc != 2)
		usage_error("info: needs FILE");
	len = read_file(argv[1], buf, sizeof(buf));
	print_info(buf, len);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "craft"))
		return cmd_craft(argc - 1, argv + 1);
	if (!strcmp(argv[1], "capture"))
		return cmd_capture(argc - 1, argv + 1);
	if (!strcmp(argv[1], "send"))
		return cmd_send(argc - 1, argv + 1);
	if (!strcmp(argv[1], "flood"))
		return cmd_flood(argc - 1, argv + 1);
	if (!strcmp(argv[1], "info"))
		return cmd_info(argc - 1, argv + 1);
	usage_error("unknown command '%s'", argv[1]);
}
