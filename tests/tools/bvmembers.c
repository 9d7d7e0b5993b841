// SPDX-License-Identifier: GPL-2.0
/*
 * bvmembers: many members of a group, simulated in one process, for make
 * bench's completion-time figures (bench/vm/control.sh, issue #12 item 5):
 * the real coordinator collects from 100 or 1,000 of them over the real
 * control protocol, with beaverd's own codec (beaverd/wire.c: encoding,
 * HMAC, X25519 pair keys), so what is measured is the coordinator's work,
 * not a model of it.
 *
 *   bvmembers conf --count N --seed S --addr A:PORT [--prefix P]
 *       the coordinator's [member:P<i>] sections: member i at address
 *       A + i - 1, port PORT (the caller puts those addresses on one
 *       host, where one socket bound to the port serves them all: beaverd
 *       wants an address per peer), a data address of its own in
 *       10.77.0.0/16 (never used: these members carry no traffic) and its
 *       public key
 *   bvmembers run --count N --seed S --listen A:PORT --coord NAME
 *                 --coord-pub HEX --group G [--prefix P] [--ready-file F]
 *                 [--flows K]
 *       answer the coordinator NAME (its public key HEX) as members
 *       P1..PN: ADVANCE (ack: moved to the epoch), COLLECT (a record of K
 *       flows, complete at once, in chunks), RELEASE, PING; until SIGTERM,
 *       then print counters
 *
 * A member's key pair comes from the seed (BLAKE2b of "bvmembers", the
 * seed and its number): conf and run agree without key files. The
 * datagram's recipient key id says which member it is for.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "wire.h"

#define CHUNK 1200	/* beaverd/agent.h BVD_CHUNK */
#define MAX_MEMBERS 4096

struct member {
	char name[32];
	struct bvw_keypair kp;
	struct bvw_key pair;	/* with the coordinator */
	uint32_t node;
	uint32_t epoch;		/* the newest it was advanced to */
	uint64_t seq;
};

static struct member *mem;
static uint32_t *by_key;	/* member indices sorted by key id */
static size_t n_mem;
static volatile sig_atomic_t stopping;

static void usage(int rc)
{
	fprintf(rc ? stderr : stdout,
		"usage: bvmembers conf --count N --seed S --addr A:PORT [--prefix P]\n"
		"       bvmembers run --count N --seed S --listen A:PORT --coord NAME\n"
		"                     --coord-pub HEX --group G [--prefix P]\n"
		"                     [--ready-file F] [--flows K]\n");
	exit(rc);
}

static void die(const char *what)
{
	fprintf(stderr, "bvmembers: %s: %s\n", what, strerror(errno));
	exit(1);
}

static struct sockaddr_in addr_port(const char *s)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	char host[64];
	const char *colon = strrchr(s, ':');

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		usage(2);
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	if (inet_pton(AF_INET, host, &a.sin_addr) != 1)
		usage(2);
	a.sin_port = htons((uint16_t)atoi(colon + 1));
	return a;
}

static void keys(const char *seed, const char *prefix)
{
	for (size_t i = 0; i < n_mem; i++) {
		struct member *m = &mem[i];
		struct bvw_key secret;
		char in[256];
		int len;

		snprintf(m->name, sizeof(m->name), "%s%zu", prefix, i + 1);
		len = snprintf(in, sizeof(in), "bvmembers/%s/%zu", seed, i + 1);
		crypto_generichash(secret.k, sizeof(secret.k),
				   (const unsigned char *)in, (size_t)len,
				   NULL, 0);
		if (bvw_keypair_from_secret(&secret, &m->kp))
			die("key pair");
		m->node = bvw_node_id(m->name);
	}
}

static int cmp_key(const void *a, const void *b)
{
	uint32_t x = mem[*(const uint32_t *)a].kp.id;
	uint32_t y = mem[*(const uint32_t *)b].kp.id;

	return x < y ? -1 : x > y;
}

/* the member whose key id this is, or NULL (a binary search) */
static struct member *member_of_key(uint32_t id)
{
	size_t lo = 0, hi = n_mem;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		uint32_t k = mem[by_key[mid]].kp.id;

		if (k == id)
			return &mem[by_key[mid]];
		if (k < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* a member's record of epoch e: complete, flows synthetic */
static size_t record(const struct member *m, uint32_t e, unsigned int flows,
		     char *buf, size_t size)
{
	size_t n = (size_t)snprintf(buf, size,
				    "{\"node\":\"%s\",\"epoch\":%u,\"cut\":null,"
				    "\"flows\":[", m->name, e);

	for (unsigned int f = 0; f < flows && n < size; f++)
		n += (size_t)snprintf(buf + n, size - n,
			"%s{\"proto\":17,\"laddr\":\"10.77.%u.%u\",\"lport\":%u,"
			"\"raddr\":\"10.0.1.100\",\"rport\":40000,\"tx_pkts\":1,"
			"\"tx_bytes\":100,\"rx_pkts\":1,\"rx_bytes\":100}",
			f ? "," : "", (unsigned int)((m - mem + 1) >> 8),
			(unsigned int)((m - mem + 1) & 0xff), 7000 + f);
	if (n < size)
		n += (size_t)snprintf(buf + n, size - n,
				      "],\"channels\":[],\"captures\":[]}");
	return n < size ? n : size - 1;
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static int cmd_conf(const char *addr, const char *prefix, const char *seed)
{
	char hex[2 * BVW_PUBLIC_LEN + 1], a[INET_ADDRSTRLEN];
	struct sockaddr_in base = addr_port(addr);

	keys(seed, prefix);
	for (size_t i = 0; i < n_mem; i++) {
		struct in_addr ai = {
			htonl(ntohl(base.sin_addr.s_addr) + (uint32_t)i)
		};

		inet_ntop(AF_INET, &ai, a, sizeof(a));
		sodium_bin2hex(hex, sizeof(hex), mem[i].kp.pub, BVW_PUBLIC_LEN);
		printf("[member:%s]\naddress = %s:%u\ndata = 10.77.%zu.%zu\n"
		       "public_key = %s\n", mem[i].name, a,
		       ntohs(base.sin_port), (i + 1) >> 8, (i + 1) & 0xff, hex);
	}
	return 0;
}

static int cmd_run(const char *listen, const char *prefix, const char *seed,
		   const char *coord, const char *coord_hex, uint8_t group,
		   const char *ready, unsigned int flows)
{
	uint8_t coord_pub[BVW_PUBLIC_LEN], buf[BVW_MAX_DGRAM + 1];
	uint8_t out[BVW_MAX_DGRAM];
	uint32_t coord_node = bvw_node_id(coord), coord_key;
	struct sockaddr_in la = addr_port(listen);
	uint64_t advances = 0, collects = 0, releases = 0, pings = 0,
		 dropped = 0, sent = 0;
	static char rec[65536];
	int fd, one = 1;

	if (bvw_public_parse(coord_hex, coord_pub))
		usage(2);
	coord_key = bvw_key_id(coord_pub);
	keys(seed, prefix);
	by_key = calloc(n_mem, sizeof(*by_key));
	if (!by_key)
		die("calloc");
	for (size_t i = 0; i < n_mem; i++) {
		by_key[i] = (uint32_t)i;
		if (bvw_pair_key(&mem[i].kp, coord_pub, &mem[i].pair))
			die("pair key");
		mem[i].seq = realtime_ns();
	}
	qsort(by_key, n_mem, sizeof(*by_key), cmp_key);

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		die("socket");
	{
		int sz = 4 << 20;

		/* a thousand members' requests arrive together: beyond
		 * rmem_max as root (the VM), else as far as it goes */
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
		if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)))
			setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	}
	if (bind(fd, (struct sockaddr *)&la, sizeof(la)))
		die("bind");
	signal(SIGTERM, on_stop);
	signal(SIGINT, on_stop);
	if (ready) {
		FILE *f = fopen(ready, "w");

		if (!f)
			die("ready file");
		fclose(f);
	}
	while (!stopping) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		struct bvw_msg m, r;
		struct bvw_hdr h;
		struct member *me;
		ssize_t n;
		int len;

		if (poll(&p, 1, 200) <= 0)
			continue;
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
			     &fl);
		if (n < 0)
			continue;
		if (bvw_peek(buf, (size_t)n, group, &h, NULL) ||
		    h.sender != coord_node || h.sender_key != coord_key ||
		    !(me = member_of_key(h.recipient_key)) ||
		    bvw_decode(buf, (size_t)n, &me->pair, group, &m, NULL)) {
			dropped++;
			continue;
		}
		r = (struct bvw_msg){ .group = group, .sender = me->node,
				      .sender_key = me->kp.id,
				      .recipient_key = coord_key,
				      .seq = ++me->seq, .req_id = m.seq,
				      .epoch = m.epoch };
		switch (m.type) {
		case BVW_ADVANCE:
			advances++;
			r.type = BVW_ADVANCE_ACK;
			r.prev = me->epoch ? me->epoch : m.epoch - 1;
			r.advanced = me->epoch != m.epoch;
			if (r.prev == m.epoch)
				r.prev = m.epoch - 1;
			me->epoch = m.epoch;
			r.now = m.epoch;
			r.switch_ns = realtime_ns();
			break;
		case BVW_COLLECT: {
			size_t total = record(me, m.epoch, flows, rec,
					      sizeof(rec));

			collects++;
			r.type = BVW_COLLECT_DATA;
			r.offset = m.offset;
			r.total = (uint32_t)total;
			if (m.offset > total) {
				r.err = -EINVAL;
				r.offset = 0;
				r.total = 0;
				break;
			}
			r.data = (const uint8_t *)rec + m.offset;
			r.data_len = (uint16_t)(total - m.offset < CHUNK ?
						total - m.offset : CHUNK);
			break;
		}
		case BVW_RELEASE:
			releases++;
			r.type = BVW_RELEASE_ACK;
			break;
		case BVW_ANNOUNCE:	/* a module would take it, no cut */
			r.type = BVW_ANNOUNCE_ACK;
			break;
		case BVW_PING:
			pings++;
			r.type = BVW_PONG;
			r.nonce = m.nonce;
			r.epoch = me->epoch;
			break;
		default:
			dropped++;
			continue;
		}
		len = bvw_encode(&r, &me->pair, out, sizeof(out));
		if (len < 0) {
			dropped++;
			continue;
		}
		if (sendto(fd, out, (size_t)len, 0, (struct sockaddr *)&from,
			   sizeof(from)) == len)
			sent++;
	}
	printf("members %zu advances %" PRIu64 " collects %" PRIu64
	       " releases %" PRIu64 " pings %" PRIu64 " dropped %" PRIu64
	       " sent %" PRIu64 "\n", n_mem, advances, collects, releases,
	       pings, dropped, sent);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "count", 1, NULL, 'n' }, { "seed", 1, NULL, 's' },
		{ "addr", 1, NULL, 'a' }, { "listen", 1, NULL, 'l' },
		{ "coord", 1, NULL, 'c' }, { "coord-pub", 1, NULL, 'k' },
		{ "group", 1, NULL, 'g' }, { "prefix", 1, NULL, 'p' },
		{ "ready-file", 1, NULL, 'r' }, { "flows", 1, NULL, 'f' },
		{ "help", 0, NULL, 'h' }, { 0 },
	};
	const char *seed = "bench", *addr = NULL, *listen = NULL, *coord = NULL,
		   *pub = NULL, *prefix = "sim", *ready = NULL, *cmd;
	unsigned int group = 0, flows = 4;
	int c;

	if (argc < 2)
		usage(2);
	cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h"))
		usage(0);
	optind = 2;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'n': n_mem = strtoul(optarg, NULL, 10); break;
		case 's': seed = optarg; break;
		case 'a': addr = optarg; break;
		case 'l': listen = optarg; break;
		case 'c': coord = optarg; break;
		case 'k': pub = optarg; break;
		case 'g': group = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 'p': prefix = optarg; break;
		case 'r': ready = optarg; break;
		case 'f': flows = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 'h': usage(0); break;
		default: usage(2);
		}
	}
	if (!n_mem || n_mem > MAX_MEMBERS || sodium_init() < 0)
		usage(2);
	mem = calloc(n_mem, sizeof(*mem));
	if (!mem)
		die("calloc");
	if (!strcmp(cmd, "conf") && addr)
		return cmd_conf(addr, prefix, seed);
	if (!strcmp(cmd, "run") && listen && coord && pub && group &&
	    group < 256)
		return cmd_run(listen, prefix, seed, coord, pub,
			       (uint8_t)group, ready, flows);
	usage(2);
	return 2;
}
