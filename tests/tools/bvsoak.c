// SPDX-License-Identifier: GPL-2.0
/*
 * bvsoak: traffic and checks for the long-run scenario (27-soak, issue #10):
 * many distinct 5-tuples, short TCP connections, a hash-flooding tuple set,
 * a latency probe, and a checker of exported snapshots.
 *
 *   bvsoak tuples  --addr A --addrs N --sport SP --sports M --count C
 *                  [--collide LADDR:LPORT [--buckets B] | --random SEED]
 *   bvsoak send    --dst A --port P --count N (--tuples F | --addr A ...)
 *   bvsoak tcp     --dst A --port P --conns N [--cps R] ...
 *   bvsoak serve   --port P ...
 *   bvsoak probe   --dst A --port P [--count N] [--interval-us U] ...
 *   bvsoak check   [FILE...]
 *
 * `send` writes UDP datagrams through a raw socket (IP_HDRINCL), so that a
 * datagram from any source address and port costs one sendto, not a
 * socket of its own: the sender's cost stays small beside the receiving
 * path's, which is what the flood timing compares. Its payload is a
 * numbered udpnum record (magic BVU1), so `udpnum recv` verifies it.
 *
 * `tuples --collide` reproduces the member's flow hash before issue #10:
 * Bob Jenkins' jhash_3words (lookup3's final mix, seed 0) over the raw
 * network-order key words as an x86-64 kernel reads them, modulo the 256
 * buckets of a CPU's table. Written from the description of
 * include/linux/jhash.h, checked against a kernel build in the scenario.
 *
 * See usage_text for every option. Exit: 0 ok, 1 error or a failed check,
 * 2 usage, 3 input error (check).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "toolkit.h"

#define MAGIC		0x42565531u	/* "BVU1": udpnum's datagrams */
#define MIN_SIZE	16
#define MAX_SIZE	1400
#define IP_HLEN		20
#define UDP_HLEN	8
#define MAX_TUPLES	(1u << 24)
#define OLD_BUCKETS	256

const struct tk_tool tk_tool = {
	.name = "bvsoak",
	.fail_status = 1,
	.num_base = 0,
	.num_quotes_all = true,
	.addr_hides_value = false,
};

static const char usage_text[] =
"usage:\n"
"  bvsoak tuples --addr A --addrs N --sport SP --sports M --count C\n"
"                [--collide LADDR:LPORT [--buckets B] [--proto P] | --random SEED]\n"
"      print C source tuples `ADDR PORT`, one a line, out of the N x M\n"
"      candidates A, A+1, ... x SP..SP+M-1: the first C in order; with\n"
"      --random, C distinct ones drawn with SEED; with --collide, the first\n"
"      C that fall into the fullest bucket of the member's flow hash before\n"
"      issue #10 (jhash_3words, seed 0, of laddr, raddr and lport << 16 |\n"
"      rport, xor proto, on the raw network-order words an x86-64 kernel\n"
"      reads; modulo B buckets, default 256; proto default 17), the member's\n"
"      side being LADDR:LPORT (under IPVS direct routing: the VIP). Prints\n"
"      `bucket K of B candidates X` on stderr.\n"
"  bvsoak send --dst A --port P --count N (--tuples F | --addr A --addrs N\n"
"              --sport SP --sports M) [--first K] [--size S] [--pps R]\n"
"              [--cpu C] [--timeout-ms T]\n"
"      N UDP datagrams of S bytes (default 100, 16..1400) to A:P through a\n"
"      raw socket, datagram i from tuple i (cycling through F's `ADDR PORT`\n"
"      lines, or i-th of the candidates, port first: SP + i mod M from\n"
"      A + (i / M) mod N), numbered K, K+1, ... as udpnum's; R per second\n"
"      (default: as fast as they go); --cpu: run on CPU C only. Prints\n"
"      `sent N secs S pps X distinct D`.\n"
"  bvsoak tcp --dst A --port P --conns N [--cps R] [--size S] [--bind A]\n"
"             [--cpu C] [--timeout-ms T]\n"
"      N short TCP connections one after another, R per second (default: as\n"
"      fast as they go): connect (from a fresh ephemeral port), write S\n"
"      bytes (default 200), half-close, read to the server's close. Prints\n"
"      `conns N ok K failed F secs S`; exit 1 if any failed.\n"
"  bvsoak serve --port P [--bind A] [--timeout-ms T] [--ready-file F]\n"
"      accept TCP connections, read each to EOF and close it; at SIGTERM or\n"
"      the timeout (default 3600000) print `conns N bytes B errors E`.\n"
"  bvsoak probe --dst A --port P [--count N] [--interval-us U] [--wait-ms W]\n"
"               [--sport SP] [--bind A] [--cpu C] [--stop-file F] [--log F]\n"
"      a latency probe against `udpnum recv --echo`: one datagram every U us\n"
"      (default 5000), each waiting up to W ms (default 1000) for its echo;\n"
"      N probes (default: until SIGTERM or F exists). Prints `probes N\n"
"      answered A lost L p50_us X p99_us Y max_us Z mean_us M`; --log F:\n"
"      one round trip in us a line, `-` for a lost one.\n"
"  bvsoak check [FILE...]\n"
"      read `beaverctl export` documents (beaver-snapshot/1, one after the\n"
"      other; no FILE or `-`: stdin) and print `snapshots N accepted A\n"
"      records R incomplete I untracked U unbalanced B flows F max_flows M\n"
"      retired_records T`: member records flagged incomplete, flagged\n"
"      untracked, and whose flows plus retired aggregate differ from its\n"
"      channels in any of tx/rx packets/bytes; F all flows, M the most in one\n"
"      record. The first unbalanced records are described on stderr.\n"
"exit: 0 ok, 1 error or failed connections, 2 usage, 3 input error\n";

/* --- common --------------------------------------------------------------- */

struct tuple {
	uint32_t addr;		/* host order */
	uint16_t port;
};

/* the candidate space of --addr A --addrs N --sport SP --sports M */
struct space {
	uint32_t addr;
	uint64_t naddrs;
	uint64_t sport;
	uint64_t nports;
	bool set;
};

static struct tuple space_at(const struct space *s, uint64_t i)
{
	struct tuple t = {
		.addr = s->addr + (uint32_t)((i / s->nports) % s->naddrs),
		.port = (uint16_t)(s->sport + i % s->nports),
	};

	return t;
}

static void space_check(const struct space *s, const char *cmd)
{
	if (!s->set || !s->naddrs || !s->nports)
		tk_usage_error("%s: needs --addr A --addrs N --sport SP --sports M",
			       cmd);
	if (s->sport + s->nports > 65536 || !s->sport)
		tk_usage_error("%s: --sport SP --sports M must stay in 1..65535",
			       cmd);
}

/* --- the member's flow hash before issue #10 ------------------------------ */

static uint32_t rol32(uint32_t w, unsigned int s)
{
	return (w << s) | (w >> (32 - s));
}

/*
 * lookup3.c's final(a, b, c): three words mixed so that every input bit
 * reaches every bit of c; the kernel's jhash_3words(a, b, c, initval)
 * adds initval + 0xdeadbeef + (3 << 2) to each word first.
 */
static uint32_t old_jhash_3words(uint32_t a, uint32_t b, uint32_t c,
				 uint32_t initval)
{
	uint32_t iv = initval + 0xdeadbeefu + (3u << 2);

	a += iv;
	b += iv;
	c += iv;
	c ^= b; c -= rol32(b, 14);
	a ^= c; a -= rol32(c, 11);
	b ^= a; b -= rol32(a, 25);
	c ^= b; c -= rol32(b, 16);
	a ^= c; a -= rol32(c, 4);
	b ^= a; b -= rol32(a, 14);
	c ^= b; c -= rol32(b, 24);
	return c;
}

/* a network-order value as a little-endian CPU loads it from memory */
static uint32_t raw32(uint32_t host)
{
	return (host >> 24) | ((host >> 8) & 0xff00u) |
	       ((host << 8) & 0xff0000u) | (host << 24);
}

static uint32_t raw16(uint16_t host)
{
	return (uint32_t)(uint16_t)((host >> 8) | (host << 8));
}

static uint32_t old_flow_hash(uint32_t laddr, uint16_t lport, uint32_t raddr,
			      uint16_t rport, uint8_t proto)
{
	return old_jhash_3words(raw32(laddr), raw32(raddr),
				(raw16(lport) << 16 | raw16(rport)) ^ proto, 0);
}

/* --- tuples --------------------------------------------------------------- */

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static void print_tuple(struct tuple t)
{
	struct in_addr a = { .s_addr = htonl(t.addr) };

	printf("%s %u\n", inet_ntoa(a), t.port);
}

static int cmd_tuples(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "addr", required_argument, NULL, 'a' },
		{ "addrs", required_argument, NULL, 'A' },
		{ "sport", required_argument, NULL, 's' },
		{ "sports", required_argument, NULL, 'S' },
		{ "count", required_argument, NULL, 'c' },
		{ "collide", required_argument, NULL, 'C' },
		{ "buckets", required_argument, NULL, 'B' },
		{ "proto", required_argument, NULL, 'P' },
		{ "random", required_argument, NULL, 'R' },
		{ 0 }
	};
	struct space sp = { 0 };
	struct sockaddr_in local = { 0 };
	uint64_t count = 0, buckets = OLD_BUCKETS, proto = 17, seed = 0;
	bool collide = false, random = false;
	uint64_t total;
	int opt;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'a': sp.addr = ntohl(tk_addr("--addr", optarg).s_addr); sp.set = true; break;
		case 'A': sp.naddrs = tk_num("--addrs", optarg, 1, 65536); break;
		case 's': sp.sport = tk_num("--sport", optarg, 1, 65535); break;
		case 'S': sp.nports = tk_num("--sports", optarg, 1, 65535); break;
		case 'c': count = tk_num("--count", optarg, 1, MAX_TUPLES); break;
		case 'C': local = tk_relay_to(optarg); collide = true; break;
		case 'B': buckets = tk_num("--buckets", optarg, 1, 1u << 20); break;
		case 'P': proto = tk_num("--proto", optarg, 0, 255); break;
		case 'R': seed = tk_num("--random", optarg, 0, UINT64_MAX); random = true; break;
		default: tk_usage_error("tuples: bad option");
		}
	}
	if (optind != argc || !count)
		tk_usage_error("tuples: needs --count C and the candidates");
	space_check(&sp, "tuples");
	if (collide && random)
		tk_usage_error("tuples: --collide or --random, not both");
	total = sp.naddrs * sp.nports;
	if (count > total)
		tk_usage_error("tuples: %" PRIu64 " tuples asked, %" PRIu64
			       " candidates", count, total);
	if (random) {
		uint8_t *used = calloc((size_t)(total + 7) / 8, 1);
		uint64_t s = seed * 0x9e3779b97f4a7c15ull + 1;

		if (!used)
			tk_die("calloc");
		for (uint64_t n = 0; n < count;) {
			uint64_t i = xorshift(&s) % total;

			if (used[i / 8] & (1u << (i % 8)))
				continue;
			used[i / 8] |= (uint8_t)(1u << (i % 8));
			print_tuple(space_at(&sp, i));
			n++;
		}
		free(used);
	} else if (collide) {
		uint32_t laddr = ntohl(local.sin_addr.s_addr);
		uint16_t lport = ntohs(local.sin_port);
		uint64_t *fill = calloc((size_t)buckets, sizeof(*fill));
		uint64_t best = 0, n = 0;

		if (!fill)
			tk_die("calloc");
		for (uint64_t i = 0; i < total; i++) {
			struct tuple t = space_at(&sp, i);

			fill[old_flow_hash(laddr, lport, t.addr, t.port,
					   (uint8_t)proto) % buckets]++;
		}
		for (uint64_t b = 1; b < buckets; b++)
			if (fill[b] > fill[best])
				best = b;
		fprintf(stderr, "bucket %" PRIu64 " of %" PRIu64
			" candidates %" PRIu64 "\n", best, buckets, fill[best]);
		if (fill[best] < count)
			tk_usage_error("tuples: only %" PRIu64 " candidates collide, "
				       "%" PRIu64 " asked: more --addrs", fill[best],
				       count);
		for (uint64_t i = 0; i < total && n < count; i++) {
			struct tuple t = space_at(&sp, i);

			if (old_flow_hash(laddr, lport, t.addr, t.port,
					  (uint8_t)proto) % buckets == best) {
				print_tuple(t);
				n++;
			}
		}
		free(fill);
	} else {
		for (uint64_t i = 0; i < count; i++)
			print_tuple(space_at(&sp, i));
	}
	if (fflush(stdout) || ferror(stdout))
		tk_die("stdout");
	return 0;
}

/* --- send: UDP through a raw socket ---------------------------------------- */

static struct tuple *read_tuples(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	struct tuple *t = NULL;
	size_t cap = 0;
	char addr[64];
	unsigned int port;

	if (!f)
		tk_die(path);
	*n = 0;
	while (fscanf(f, "%63s %u", addr, &port) == 2) {
		struct in_addr a;

		if (inet_pton(AF_INET, addr, &a) != 1 || !port || port > 65535)
			tk_usage_error("send: %s: bad tuple '%s %u'", path, addr,
				       port);
		if (*n == cap) {
			cap = cap ? cap * 2 : 4096;
			t = realloc(t, cap * sizeof(*t));
			if (!t)
				tk_die("realloc");
		}
		t[*n].addr = ntohl(a.s_addr);
		t[(*n)++].port = (uint16_t)port;
	}
	fclose(f);
	if (!*n)
		tk_usage_error("send: no tuples in %s", path);
	return t;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/*
 * One IPv4/UDP datagram in buf: the header fields the kernel fills in for
 * IP_HDRINCL (id, header checksum, total length) are set anyway.
 */
static size_t build_dgram(uint8_t *buf, struct tuple src, uint32_t daddr,
			  uint16_t dport, uint32_t seq, uint32_t size)
{
	uint8_t *ip = buf, *udp = buf + IP_HLEN, *data = udp + UDP_HLEN;
	uint16_t ulen = (uint16_t)(UDP_HLEN + size);
	uint32_t sum;
	uint16_t c;

	memset(buf, 0, IP_HLEN + UDP_HLEN);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(IP_HLEN + ulen));
	put16(ip + 4, (uint16_t)seq);
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	put32(ip + 12, src.addr);
	put32(ip + 16, daddr);
	put16(ip + 10, csum_fold(csum_add(0, ip, IP_HLEN)));
	put16(udp, src.port);
	put16(udp + 2, dport);
	put16(udp + 4, ulen);
	tk_rec_build(data, MAGIC, seq, size);
	/* pseudo-header, header, data */
	sum = csum_add(0, ip + 12, 8);
	sum += IPPROTO_UDP + ulen;
	sum = csum_add(sum, udp, ulen);
	c = csum_fold(sum);
	put16(udp + 6, c ? c : 0xffff);
	return IP_HLEN + ulen;
}

static int cmd_send(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dst", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'c' },
		{ "first", required_argument, NULL, 'f' },
		{ "size", required_argument, NULL, 'z' },
		{ "pps", required_argument, NULL, 'r' },
		{ "tuples", required_argument, NULL, 'T' },
		{ "addr", required_argument, NULL, 'a' },
		{ "addrs", required_argument, NULL, 'A' },
		{ "sport", required_argument, NULL, 's' },
		{ "sports", required_argument, NULL, 'S' },
		{ "cpu", required_argument, NULL, 'u' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ 0 }
	};
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct space sp = { 0 };
	const char *tfile = NULL;
	uint64_t count = 0, first = 1, size = 100, pps = 0, sent = 0;
	uint64_t timeout_ms = 3600000, distinct;
	struct tuple *tl = NULL;
	size_t nt = 0;
	int port = -1, cpu = -1, opt, fd, one = 1;
	bool has_dst = false, has_count = false;
	static uint8_t buf[IP_HLEN + UDP_HLEN + MAX_SIZE];
	int64_t t0, deadline, t1;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'd': dst.sin_addr = tk_addr("--dst", optarg); has_dst = true; break;
		case 'p': port = (int)tk_num("--port", optarg, 1, 65535); break;
		case 'c': count = tk_num("--count", optarg, 0, UINT32_MAX); has_count = true; break;
		case 'f': first = tk_num("--first", optarg, 0, UINT32_MAX); break;
		case 'z': size = tk_num("--size", optarg, MIN_SIZE, MAX_SIZE); break;
		case 'r': pps = tk_num("--pps", optarg, 0, 100000000); break;
		case 'T': tfile = optarg; break;
		case 'a': sp.addr = ntohl(tk_addr("--addr", optarg).s_addr); sp.set = true; break;
		case 'A': sp.naddrs = tk_num("--addrs", optarg, 1, 65536); break;
		case 's': sp.sport = tk_num("--sport", optarg, 1, 65535); break;
		case 'S': sp.nports = tk_num("--sports", optarg, 1, 65535); break;
		case 'u': cpu = (int)tk_num("--cpu", optarg, 0, CPU_SETSIZE - 1); break;
		case 't': timeout_ms = tk_num("--timeout-ms", optarg, 1, INT32_MAX); break;
		default: tk_usage_error("send: bad option");
		}
	}
	if (!has_dst || port < 0 || !has_count || optind != argc)
		tk_usage_error("send: needs --dst A --port P --count N");
	if (!tfile == !sp.set)
		tk_usage_error("send: needs --tuples F or --addr A ... (one)");
	if (tfile) {
		tl = read_tuples(tfile, &nt);
		distinct = count < nt ? count : nt;
	} else {
		space_check(&sp, "send");
		distinct = count < sp.naddrs * sp.nports ? count :
			   sp.naddrs * sp.nports;
	}
	tk_pin_cpu(cpu);
	tk_catch_signals();
	fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (fd < 0)
		tk_die("socket(SOCK_RAW) (needs CAP_NET_RAW)");
	if (setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)))
		tk_die("IP_HDRINCL");
	t0 = tk_now_us();
	deadline = t0 + (int64_t)timeout_ms * 1000;
	while (sent < count && !tk_stop) {
		struct tuple src = tl ? tl[sent % nt] : space_at(&sp, sent);
		size_t len;

		if (pps) {
			/* absolute schedule; sleep only when well ahead */
			int64_t at = t0 + (int64_t)(sent * 1000000 / pps);

			if (at - tk_now_us() > 200)
				tk_sleep_until_ns(at * 1000);
		}
		if (tk_now_us() >= deadline) {
			fprintf(stderr, "bvsoak: send: timeout after %" PRIu64
				" datagrams\n", sent);
			break;
		}
		len = build_dgram(buf, src, ntohl(dst.sin_addr.s_addr),
				  (uint16_t)port, (uint32_t)(first + sent),
				  (uint32_t)size);
		if (sendto(fd, buf, len, 0, (struct sockaddr *)&dst,
			   sizeof(dst)) < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
				usleep(100);
				continue;
			}
			tk_die("sendto");
		}
		sent++;
	}
	t1 = tk_now_us();
	printf("sent %" PRIu64 " secs %.6f pps %.0f distinct %" PRIu64 "\n",
	       sent, (double)(t1 - t0) / 1e6,
	       t1 > t0 ? (double)sent * 1e6 / (double)(t1 - t0) : 0.0,
	       sent < distinct ? sent : distinct);
	fflush(stdout);
	close(fd);
	free(tl);
	return sent < count ? 1 : 0;
}

/* --- tcp: short connections ------------------------------------------------ */

/* one connection: connect, write, half-close, read to EOF; 0 or -errno */
static int one_conn(const struct sockaddr_in *dst, struct in_addr bind_addr,
		    const uint8_t *data, size_t size, int64_t deadline)
{
	struct sockaddr_in src = { .sin_family = AF_INET, .sin_addr = bind_addr };
	uint8_t rbuf[512];
	size_t off = 0;
	int fd, rc;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind_addr.s_addr != htonl(INADDR_ANY) &&
	    bind(fd, (struct sockaddr *)&src, sizeof(src))) {
		rc = -errno;
		goto out;
	}
	rc = tk_connect(fd, dst, deadline);
	if (rc)
		goto out;
	while (off < size) {
		ssize_t n = send(fd, data + off, size - off, MSG_NOSIGNAL);

		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			rc = -errno;
			goto out;
		}
		if (tk_wait_fd(fd, POLLOUT, deadline, false) != TK_READY) {
			rc = -ETIMEDOUT;
			goto out;
		}
	}
	if (shutdown(fd, SHUT_WR)) {
		rc = -errno;
		goto out;
	}
	for (;;) {
		ssize_t n = recv(fd, rbuf, sizeof(rbuf), 0);

		if (n == 0)
			break;
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			rc = -errno;
			goto out;
		}
		if (n < 0 && tk_wait_fd(fd, POLLIN, deadline, false) != TK_READY) {
			rc = -ETIMEDOUT;
			goto out;
		}
	}
out:
	close(fd);
	return rc;
}

static int cmd_tcp(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dst", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "conns", required_argument, NULL, 'n' },
		{ "cps", required_argument, NULL, 'r' },
		{ "size", required_argument, NULL, 'z' },
		{ "bind", required_argument, NULL, 'b' },
		{ "cpu", required_argument, NULL, 'u' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ 0 }
	};
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct in_addr bind_addr = { .s_addr = htonl(INADDR_ANY) };
	uint64_t conns = 0, cps = 0, size = 200, timeout_ms = 3600000;
	uint64_t ok = 0, failed = 0, i;
	int port = -1, cpu = -1, opt, last_err = 0;
	bool has_dst = false;
	static uint8_t data[MAX_SIZE];
	int64_t t0, deadline, t1;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'd': dst.sin_addr = tk_addr("--dst", optarg); has_dst = true; break;
		case 'p': port = (int)tk_num("--port", optarg, 1, 65535); break;
		case 'n': conns = tk_num("--conns", optarg, 1, UINT32_MAX); break;
		case 'r': cps = tk_num("--cps", optarg, 0, 1000000); break;
		case 'z': size = tk_num("--size", optarg, MIN_SIZE, MAX_SIZE); break;
		case 'b': bind_addr = tk_addr("--bind", optarg); break;
		case 'u': cpu = (int)tk_num("--cpu", optarg, 0, CPU_SETSIZE - 1); break;
		case 't': timeout_ms = tk_num("--timeout-ms", optarg, 1, INT32_MAX); break;
		default: tk_usage_error("tcp: bad option");
		}
	}
	if (!has_dst || port < 0 || !conns || optind != argc)
		tk_usage_error("tcp: needs --dst A --port P --conns N");
	dst.sin_port = htons((uint16_t)port);
	tk_pin_cpu(cpu);
	tk_catch_signals();
	t0 = tk_now_us();
	deadline = tk_now_ms() + (int64_t)timeout_ms;
	for (i = 0; i < conns && !tk_stop; i++) {
		int rc;

		if (cps)
			tk_sleep_until_ns((t0 + (int64_t)(i * 1000000 / cps)) * 1000);
		if (!tk_remaining(deadline))
			break;
		tk_rec_build(data, MAGIC, (uint32_t)(i + 1), (uint32_t)size);
		/* one connection may take 5 s at most */
		rc = one_conn(&dst, bind_addr, data, size,
			      tk_now_ms() + 5000 < deadline ? tk_now_ms() + 5000 :
			      deadline);
		if (rc) {
			failed++;
			last_err = -rc;
		} else {
			ok++;
		}
	}
	t1 = tk_now_us();
	printf("conns %" PRIu64 " ok %" PRIu64 " failed %" PRIu64 " secs %.3f\n",
	       i, ok, failed, (double)(t1 - t0) / 1e6);
	if (failed)
		fprintf(stderr, "bvsoak: tcp: %" PRIu64 " failed, the last: %s\n",
			failed, strerror(last_err));
	fflush(stdout);
	return failed || i < conns ? 1 : 0;
}

/* --- serve: accept, read to EOF, close -------------------------------------- */

#define MAX_CONNS 256

static int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "bind", required_argument, NULL, 'b' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "ready-file", required_argument, NULL, 'r' },
		{ 0 }
	};
	struct in_addr bind_addr = { .s_addr = htonl(INADDR_ANY) };
	uint64_t timeout_ms = 3600000, conns = 0, bytes = 0, errors = 0;
	struct pollfd pfd[MAX_CONNS + 1];
	const char *ready = NULL;
	int port = -1, opt, lfd, n = 0;
	int64_t deadline;
	uint8_t buf[4096];

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'p': port = (int)tk_num("--port", optarg, 1, 65535); break;
		case 'b': bind_addr = tk_addr("--bind", optarg); break;
		case 't': timeout_ms = tk_num("--timeout-ms", optarg, 1, INT32_MAX); break;
		case 'r': ready = optarg; break;
		default: tk_usage_error("serve: bad option");
		}
	}
	if (port < 0 || optind != argc)
		tk_usage_error("serve: needs --port P");
	tk_catch_signals();
	lfd = tk_tcp_listen(bind_addr, (uint16_t)port, 128);
	tk_ready_file(ready);
	deadline = tk_now_ms() + (int64_t)timeout_ms;
	pfd[0].fd = lfd;
	pfd[0].events = POLLIN;
	while (!tk_stop && tk_remaining(deadline)) {
		int i;

		if (poll(pfd, (nfds_t)n + 1, tk_remaining(deadline)) <= 0)
			continue;
		if ((pfd[0].revents & POLLIN) && n < MAX_CONNS) {
			int c = accept4(lfd, NULL, NULL,
					SOCK_NONBLOCK | SOCK_CLOEXEC);

			if (c >= 0) {
				conns++;
				pfd[++n].fd = c;
				pfd[n].events = POLLIN;
				pfd[n].revents = 0;
			} else if (errno != EAGAIN && errno != EINTR) {
				errors++;
			}
		}
		for (i = 1; i <= n; i++) {
			ssize_t r;

			if (!pfd[i].revents)
				continue;
			r = recv(pfd[i].fd, buf, sizeof(buf), 0);
			if (r > 0) {
				bytes += (uint64_t)r;
				continue;
			}
			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (r < 0)
				errors++;
			/* EOF (or an error): close, the last one takes its place */
			close(pfd[i].fd);
			pfd[i] = pfd[n--];
			i--;
		}
	}
	printf("conns %" PRIu64 " bytes %" PRIu64 " errors %" PRIu64 "\n",
	       conns, bytes, errors);
	fflush(stdout);
	return 0;
}

/* --- probe: round trips against an echo ------------------------------------- */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmd_probe(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dst", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'c' },
		{ "interval-us", required_argument, NULL, 'i' },
		{ "wait-ms", required_argument, NULL, 'w' },
		{ "sport", required_argument, NULL, 's' },
		{ "bind", required_argument, NULL, 'b' },
		{ "cpu", required_argument, NULL, 'u' },
		{ "stop-file", required_argument, NULL, 'F' },
		{ "log", required_argument, NULL, 'L' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ 0 }
	};
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct sockaddr_in src = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_ANY) };
	uint64_t count = 0, interval = 5000, wait_ms = 1000, sent = 0;
	uint64_t timeout_ms = 3600000;
	const char *stop_file = NULL, *log_path = NULL;
	int64_t *rtt = NULL, t0, deadline, sum = 0;
	size_t nrtt = 0, cap = 0;
	int port = -1, cpu = -1, opt, fd;
	bool has_dst = false;
	FILE *log = NULL;
	uint8_t buf[64], rbuf[2048];

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'd': dst.sin_addr = tk_addr("--dst", optarg); has_dst = true; break;
		case 'p': port = (int)tk_num("--port", optarg, 1, 65535); break;
		case 'c': count = tk_num("--count", optarg, 0, UINT32_MAX); break;
		case 'i': interval = tk_num("--interval-us", optarg, 0, 60000000); break;
		case 'w': wait_ms = tk_num("--wait-ms", optarg, 1, 60000); break;
		case 's': src.sin_port = htons((uint16_t)tk_num("--sport", optarg, 1, 65535)); break;
		case 'b': src.sin_addr = tk_addr("--bind", optarg); break;
		case 'u': cpu = (int)tk_num("--cpu", optarg, 0, CPU_SETSIZE - 1); break;
		case 'F': stop_file = optarg; break;
		case 'L': log_path = optarg; break;
		case 't': timeout_ms = tk_num("--timeout-ms", optarg, 1, INT32_MAX); break;
		default: tk_usage_error("probe: bad option");
		}
	}
	if (!has_dst || port < 0 || optind != argc)
		tk_usage_error("probe: needs --dst A --port P");
	dst.sin_port = htons((uint16_t)port);
	if (log_path) {
		log = fopen(log_path, "w");
		if (!log)
			tk_die(log_path);
	}
	tk_pin_cpu(cpu);
	tk_catch_signals();
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		tk_die("socket");
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)))
		tk_die("bind");
	t0 = tk_now_us();
	deadline = t0 + (int64_t)timeout_ms * 1000;
	while (!tk_stop && (!count || sent < count)) {
		uint32_t seq = (uint32_t)sent + 1, got;
		int64_t ts, end, r = -1;

		if (tk_now_us() >= deadline ||
		    (stop_file && !access(stop_file, F_OK)))
			break;
		tk_sleep_until_ns((t0 + (int64_t)(sent * interval)) * 1000);
		tk_rec_build(buf, MAGIC, seq, sizeof(buf));
		/* what came late for an earlier probe is not this one's echo */
		while (recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT) >= 0)
			;
		ts = tk_now_us();
		if (sendto(fd, buf, sizeof(buf), 0, (struct sockaddr *)&dst,
			   sizeof(dst)) < 0) {
			if (errno == EINTR)
				continue;
			tk_die("sendto");
		}
		sent++;
		end = ts + (int64_t)wait_ms * 1000;
		while (!tk_stop) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			int64_t now = tk_now_us();
			ssize_t len;

			if (now >= end)
				break;
			if (poll(&pfd, 1, tk_poll_ms(now, end, 0)) <= 0)
				continue;
			len = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
			if (len > 0 && tk_rec_verify(rbuf, (size_t)len, MAGIC, &got) &&
			    got == seq) {
				r = tk_now_us() - ts;
				break;
			}
		}
		if (r < 0) {
			if (log)
				fputs("-\n", log);
			continue;
		}
		if (log)
			fprintf(log, "%lld\n", (long long)r);
		if (nrtt == cap) {
			cap = cap ? cap * 2 : 4096;
			rtt = realloc(rtt, cap * sizeof(*rtt));
			if (!rtt)
				tk_die("realloc");
		}
		rtt[nrtt++] = r;
		sum += r;
	}
	printf("probes %" PRIu64 " answered %zu lost %" PRIu64, sent, nrtt,
	       sent - nrtt);
	if (nrtt) {
		qsort(rtt, nrtt, sizeof(*rtt), cmp_i64);
		printf(" p50_us %lld p99_us %lld max_us %lld mean_us %lld\n",
		       (long long)rtt[(nrtt - 1) / 2],
		       (long long)rtt[(nrtt * 99 + 99) / 100 - 1],
		       (long long)rtt[nrtt - 1], (long long)(sum / (int64_t)nrtt));
	} else {
		printf(" p50_us - p99_us - max_us - mean_us -\n");
	}
	fflush(stdout);
	close(fd);
	free(rtt);
	if (log && (ferror(log) | fclose(log)))
		tk_die(log_path);
	return nrtt ? 0 : 1;
}

/* --- check: exported snapshots ---------------------------------------------- */

struct totals {
	json_int_t tx_pkts, tx_bytes, rx_pkts, rx_bytes;
};

static json_int_t jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static void tot_add(struct totals *t, const json_t *o)
{
	if (!json_is_object(o))
		return;
	t->tx_pkts += jint(o, "tx_pkts");
	t->tx_bytes += jint(o, "tx_bytes");
	t->rx_pkts += jint(o, "rx_pkts");
	t->rx_bytes += jint(o, "rx_bytes");
}

static bool has_flag(const json_t *cut, const char *flag)
{
	const json_t *flags = json_object_get(cut, "flags"), *f;
	size_t i;

	json_array_foreach(flags, i, f)
		if (json_is_string(f) && !strcmp(json_string_value(f), flag))
			return true;
	return false;
}

struct check {
	uint64_t snapshots, accepted, records, incomplete, untracked;
	uint64_t unbalanced, flows, max_flows, retired_records, shown;
};

static void check_doc(struct check *c, const json_t *doc, const char *src)
{
	const char *schema = json_string_value(json_object_get(doc, "schema"));
	const char *state = json_string_value(json_object_get(doc, "state"));
	const json_t *members = json_object_get(doc, "members"), *m;
	size_t i;

	if (!schema || strcmp(schema, "beaver-snapshot/1")) {
		fprintf(stderr, "bvsoak: check: %s: not a beaver-snapshot/1 document\n",
			src);
		exit(3);
	}
	c->snapshots++;
	if (state && !strcmp(state, "accepted"))
		c->accepted++;
	json_array_foreach(members, i, m) {
		const json_t *r = json_object_get(m, "record"), *e, *cut;
		struct totals f = { 0 }, ch = { 0 };
		size_t j, nf;

		if (!json_is_object(r))
			continue;
		c->records++;
		cut = json_object_get(r, "cut");
		c->incomplete += has_flag(cut, "incomplete");
		c->untracked += has_flag(cut, "untracked");
		nf = json_array_size(json_object_get(r, "flows"));
		c->flows += nf;
		if (nf > c->max_flows)
			c->max_flows = nf;
		json_array_foreach(json_object_get(r, "flows"), j, e)
			tot_add(&f, e);
		if (json_object_get(r, "retired")) {
			c->retired_records++;
			tot_add(&f, json_object_get(r, "retired"));
		}
		json_array_foreach(json_object_get(r, "channels"), j, e)
			tot_add(&ch, e);
		if (f.tx_pkts != ch.tx_pkts || f.tx_bytes != ch.tx_bytes ||
		    f.rx_pkts != ch.rx_pkts || f.rx_bytes != ch.rx_bytes) {
			c->unbalanced++;
			if (c->shown++ < 5)
				fprintf(stderr, "bvsoak: check: snapshot %lld %s epoch %lld: "
					"flows+retired %lld/%lld/%lld/%lld channels "
					"%lld/%lld/%lld/%lld\n",
					(long long)jint(doc, "id"),
					json_string_value(json_object_get(m, "node")),
					(long long)jint(r, "epoch"),
					(long long)f.tx_pkts, (long long)f.rx_pkts,
					(long long)f.tx_bytes, (long long)f.rx_bytes,
					(long long)ch.tx_pkts, (long long)ch.rx_pkts,
					(long long)ch.tx_bytes, (long long)ch.rx_bytes);
		}
	}
}

static void check_file(struct check *c, const char *path)
{
	bool in = !strcmp(path, "-");
	FILE *f = in ? stdin : fopen(path, "r");
	size_t len = 0, cap = 0, off = 0;
	char *buf = NULL;

	if (!f)
		tk_die(path);
	for (;;) {
		size_t n;

		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 1 << 20;
			buf = realloc(buf, cap);
			if (!buf)
				tk_die("realloc");
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (!n)
			break;
	}
	if (ferror(f))
		tk_die(path);
	if (!in)
		fclose(f);
	for (;;) {
		json_error_t err;
		json_t *j;

		while (off < len && (buf[off] == ' ' || buf[off] == '\t' ||
				     buf[off] == '\r' || buf[off] == '\n'))
			off++;
		if (off == len)
			break;
		j = json_loadb(buf + off, len - off, JSON_DISABLE_EOF_CHECK, &err);
		if (!j || err.position <= 0 || (size_t)err.position > len - off) {
			fprintf(stderr, "bvsoak: check: %s: %s\n", in ? "stdin" : path,
				j ? "the JSON reader lost its place" : err.text);
			exit(3);
		}
		check_doc(c, j, in ? "stdin" : path);
		json_decref(j);
		off += (size_t)err.position;
	}
	free(buf);
}

static int cmd_check(int argc, char **argv)
{
	struct check c = { 0 };

	if (argc < 2) {
		check_file(&c, "-");
	} else {
		for (int i = 1; i < argc; i++) {
			if (argv[i][0] == '-' && argv[i][1])
				tk_usage_error("check: bad option '%s'", argv[i]);
			check_file(&c, argv[i]);
		}
	}
	printf("snapshots %" PRIu64 " accepted %" PRIu64 " records %" PRIu64
	       " incomplete %" PRIu64 " untracked %" PRIu64 " unbalanced %"
	       PRIu64 " flows %" PRIu64 " max_flows %" PRIu64
	       " retired_records %" PRIu64 "\n", c.snapshots, c.accepted,
	       c.records, c.incomplete, c.untracked, c.unbalanced, c.flows,
	       c.max_flows, c.retired_records);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct tk_command cmds[] = {
		{ "tuples", cmd_tuples },
		{ "send", cmd_send },
		{ "tcp", cmd_tcp },
		{ "serve", cmd_serve },
		{ "probe", cmd_probe },
		{ "check", cmd_check },
		{ NULL, NULL }
	};

	return tk_run_command(argc, argv, usage_text, cmds);
}
