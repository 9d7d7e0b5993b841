// SPDX-License-Identifier: GPL-2.0
/*
 * bvperf: the data-path load of `make bench` (bench/, docs/performance.md):
 * a UDP request/response client with per-request latency percentiles
 * (netperf's UDP_RR: one request outstanding, so transactions per second
 * and latency come from the same run), its echo server, and a time-bound
 * TCP bulk sender with its sink that neither fill nor verify their bytes
 * (tcpbulk verifies every byte: right for correctness, but its CPU under
 * TCG would dilute the cost of the data path that the bench compares).
 *
 *   bvperf rr-serve --port P [--timeout-ms T] [--ready-file F]
 *   bvperf rr --dst A --port P [--secs S] [--size N] [--wait-ms W] [--pct]
 *   bvperf tcp-sink --port P [--timeout-ms T] [--ready-file F]
 *   bvperf tcp-send --dst A --port P [--secs S] [--timeout-ms T]
 *
 * Exit: 0 ok, 1 error, 2 usage, 3 timeout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "toolkit.h"

#define RR_MAGIC	0x42565252u	/* "BVRR" */
#define RR_HDR		8		/* magic, request number */
#define CHUNK		(128 * 1024)
#define DEFAULT_TIMEOUT_MS 60000

enum { EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_TIMEOUT };

const struct tk_tool tk_tool = {
	.name = "bvperf",
	.fail_status = EXIT_FAIL,
	.num_base = 0,
};

static const char usage_text[] =
"usage:\n"
"  bvperf rr-serve --port P [--timeout-ms T] [--ready-file F] [--cpu C]\n"
"      answer every UDP datagram with itself, from the address it was sent\n"
"      to (IP_PKTINFO: a VIP on lo under IPVS direct routing); until SIGTERM\n"
"      or T ms (default 3600000); then print `answered N`.\n"
"  bvperf rr --dst A --port P [--secs S] [--size N] [--wait-ms W] [--pct]\n"
"            [--cpu C]\n"
"      request/response for S seconds (default 5): one datagram of N bytes\n"
"      (default 64, 8..1400) at a time, the next as soon as its answer came\n"
"      (or after W ms, default 200: counted lost). Prints `requests N\n"
"      answered A lost L secs S tps X p50_us P p90_us P p99_us P max_us M`\n"
"      (tps: answered requests a second); --pct adds a line `pct_us V0 V1\n"
"      ... V100`, the 0th..100th percentiles of the round trips.\n"
"      --cpu C (both): run on CPU C only; client and server on the same CPU\n"
"      make a round trip one CPU's work, with no cross-CPU wake-up in it.\n"
"  bvperf tcp-sink --port P [--timeout-ms T] [--ready-file F]\n"
"      accept connections one after another, read each to its end, answer\n"
"      `received BYTES` and close it; until SIGTERM or T ms without a new\n"
"      connection (default 3600000).\n"
"  bvperf tcp-send --dst A --port P [--secs S] [--timeout-ms T]\n"
"      write for S seconds (default 5), half-close, wait for the sink's\n"
"      answer; print `bytes N secs S mbit X` (N what the sink received, S\n"
"      from connect to its answer).\n"
"exit: 0 ok, 1 error, 2 usage, 3 timeout\n";

/* --- UDP request/response ----------------------------------------------- */

static int cmd_rr_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "ready-file", required_argument, NULL, 'r' },
		{ "cpu", required_argument, NULL, 'c' },
		{ 0 }
	};
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_ANY) };
	int64_t timeout_ms = 3600000, deadline;
	const char *ready = NULL;
	uint64_t answered = 0;
	int port = -1, opt, fd, one = 1, cpu = -1;

	tk_catch_signals();
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'p': port = (int)tk_num("--port", optarg, 1, 65535); break;
		case 't': timeout_ms = (int64_t)tk_num("--timeout-ms", optarg, 1, INT32_MAX); break;
		case 'r': ready = optarg; break;
		case 'c': cpu = (int)tk_num("--cpu", optarg, 0, CPU_SETSIZE - 1); break;
		default: tk_usage_error("rr-serve: bad option");
		}
	}
	tk_pin_cpu(cpu);
	if (port < 0 || optind != argc)
		tk_usage_error("rr-serve: needs --port P");
	a.sin_port = htons((uint16_t)port);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		tk_die("socket");
	if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)))
		tk_die("IP_PKTINFO");
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)))
		tk_die("bind");
	tk_ready_file(ready);
	deadline = tk_now_ms() + timeout_ms;
	while (!tk_stop) {
		uint8_t buf[2048];
		union {
			char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
			struct cmsghdr align;
		} ctl_in, ctl_out;
		struct sockaddr_in from;
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr msg = {
			.msg_name = &from, .msg_namelen = sizeof(from),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = ctl_in.buf,
			.msg_controllen = sizeof(ctl_in.buf),
		};
		struct cmsghdr *cm;
		ssize_t n;

		if (tk_wait_fd(fd, POLLIN, deadline, true) != TK_READY)
			break;
		n = recvmsg(fd, &msg, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			tk_die("recvmsg");
		}
		iov.iov_len = (size_t)n;
		memset(&ctl_out, 0, sizeof(ctl_out));
		for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
			struct in_pktinfo pi, out = { 0 };

			if (cm->cmsg_level != IPPROTO_IP || cm->cmsg_type != IP_PKTINFO)
				continue;
			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			out.ipi_spec_dst = pi.ipi_addr;
			msg.msg_control = ctl_out.buf;
			msg.msg_controllen = sizeof(ctl_out.buf);
			cm = CMSG_FIRSTHDR(&msg);
			cm->cmsg_level = IPPROTO_IP;
			cm->cmsg_type = IP_PKTINFO;
			cm->cmsg_len = CMSG_LEN(sizeof(out));
			memcpy(CMSG_DATA(cm), &out, sizeof(out));
			break;
		}
		if (msg.msg_control == ctl_in.buf) {
			msg.msg_control = NULL;
			msg.msg_controllen = 0;
		}
		if (sendmsg(fd, &msg, 0) < 0)
			fprintf(stderr, "bvperf: rr-serve: sendmsg: %s\n", strerror(errno));
		else
			answered++;
	}
	printf("answered %" PRIu64 "\n", answered);
	close(fd);
	return EXIT_OK;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* the p-th percentile (nearest rank) of n sorted values */
static uint32_t pct(const uint32_t *v, size_t n, double p)
{
	size_t k;

	if (!n)
		return 0;
	k = (size_t)(p / 100.0 * (double)n + 0.999999);
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return v[k - 1];
}

static int cmd_rr(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dst", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "secs", required_argument, NULL, 's' },
		{ "size", required_argument, NULL, 'n' },
		{ "wait-ms", required_argument, NULL, 'w' },
		{ "pct", no_argument, NULL, 'P' },
		{ "cpu", required_argument, NULL, 'c' },
		{ 0 }
	};
	struct sockaddr_in dst = { .sin_family = AF_INET };
	uint64_t secs = 5, size = 64, wait_ms = 200, requests = 0, lost = 0;
	bool has_dst = false, want_pct = false;
	uint32_t *lat = NULL, seq = 0;
	size_t n = 0, cap = 0;
	uint8_t buf[1400], in[2048];
	int64_t t0, end, t1;
	int port = -1, opt, fd, cpu = -1;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'd': dst.sin_addr = tk_addr("--dst", optarg); has_dst = true; break;
		case 'p': port = (int)tk_num("--port", optarg, 1, 65535); break;
		case 's': secs = tk_num("--secs", optarg, 1, 3600); break;
		case 'n': size = tk_num("--size", optarg, RR_HDR, sizeof(buf)); break;
		case 'w': wait_ms = tk_num("--wait-ms", optarg, 1, 60000); break;
		case 'P': want_pct = true; break;
		case 'c': cpu = (int)tk_num("--cpu", optarg, 0, CPU_SETSIZE - 1); break;
		default: tk_usage_error("rr: bad option");
		}
	}
	tk_pin_cpu(cpu);
	if (!has_dst || port < 0 || optind != argc)
		tk_usage_error("rr: needs --dst A --port P");
	dst.sin_port = htons((uint16_t)port);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		tk_die("socket");
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)))
		tk_die("connect");
	memset(buf, 0xa5, sizeof(buf));
	t0 = tk_now_ns();
	end = t0 + (int64_t)secs * 1000000000;
	while (tk_now_ns() < end) {
		uint32_t be = htonl(RR_MAGIC), bs = htonl(++seq);
		int64_t s0, deadline;
		bool got = false;

		memcpy(buf, &be, 4);
		memcpy(buf + 4, &bs, 4);
		s0 = tk_now_ns();
		if (send(fd, buf, (size_t)size, 0) < 0) {
			/* ECONNREFUSED from an earlier ICMP: try again */
			if (errno == ECONNREFUSED || errno == EINTR)
				continue;
			tk_die("send");
		}
		requests++;
		deadline = s0 / 1000000 + (int64_t)wait_ms;
		while (!got) {
			ssize_t r;
			uint32_t m, q;

			if (tk_wait_fd(fd, POLLIN, deadline, false) != TK_READY)
				break;
			r = recv(fd, in, sizeof(in), MSG_DONTWAIT);
			if (r < 0) {
				if (errno == EAGAIN || errno == EINTR || errno == ECONNREFUSED)
					continue;
				tk_die("recv");
			}
			if (r < RR_HDR)
				continue;
			memcpy(&m, in, 4);
			memcpy(&q, in + 4, 4);
			/* a late answer to an earlier request: not this one */
			got = ntohl(m) == RR_MAGIC && ntohl(q) == seq;
		}
		if (!got) {
			lost++;
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			lat = realloc(lat, cap * sizeof(*lat));
			if (!lat)
				tk_die("out of memory");
		}
		lat[n++] = (uint32_t)((tk_now_ns() - s0 + 500) / 1000);
	}
	t1 = tk_now_ns();
	if (n)
		qsort(lat, n, sizeof(*lat), cmp_u32);
	printf("requests %" PRIu64 " answered %zu lost %" PRIu64 " secs %.3f tps %.1f"
	       " p50_us %u p90_us %u p99_us %u max_us %u\n",
	       requests, n, lost, (double)(t1 - t0) / 1e9,
	       (double)n * 1e9 / (double)(t1 - t0), pct(lat, n, 50),
	       pct(lat, n, 90), pct(lat, n, 99), n ? lat[n - 1] : 0);
	if (want_pct) {
		printf("pct_us");
		for (int p = 0; p <= 100; p++)
			printf(" %u", p ? pct(lat, n, p) : (n ? lat[0] : 0));
		printf("\n");
	}
	free(lat);
	close(fd);
	return n ? EXIT_OK : EXIT_FAIL;
}

/* --- TCP bulk ----------------------------------------------------------- */

static int cmd_tcp_sink(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "ready-file", required_argument, NULL, 'r' },
		{ 0 }
	};
	struct in_addr any = { .s_addr = htonl(INADDR_ANY) };
	int64_t timeout_ms = 3600000;
	const char *ready = NULL;
	int port = -1, opt, lfd;
	static uint8_t buf[CHUNK];

	tk_catch_signals();
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'p': port = (int)tk_num("--port", optarg, 1, 65535); break;
		case 't': timeout_ms = (int64_t)tk_num("--timeout-ms", optarg, 1, INT32_MAX); break;
		case 'r': ready = optarg; break;
		default: tk_usage_error("tcp-sink: bad option");
		}
	}
	if (port < 0 || optind != argc)
		tk_usage_error("tcp-sink: needs --port P");
	lfd = tk_tcp_listen(any, (uint16_t)port, 16);
	tk_ready_file(ready);
	while (!tk_stop) {
		int64_t deadline = tk_now_ms() + timeout_ms;
		uint64_t got = 0;
		char line[64];
		int fd, len;

		if (tk_wait_fd(lfd, POLLIN, deadline, true) != TK_READY)
			break;
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			tk_die("accept");
		}
		for (;;) {
			ssize_t r = recv(fd, buf, sizeof(buf), 0);

			if (r == 0)
				break;
			if (r < 0) {
				if (errno == EINTR)
					continue;
				fprintf(stderr, "bvperf: tcp-sink: recv: %s\n", strerror(errno));
				break;
			}
			got += (uint64_t)r;
		}
		len = snprintf(line, sizeof(line), "received %" PRIu64 "\n", got);
		if (send(fd, line, (size_t)len, MSG_NOSIGNAL) < 0)
			fprintf(stderr, "bvperf: tcp-sink: send: %s\n", strerror(errno));
		close(fd);
	}
	close(lfd);
	return EXIT_OK;
}

static int cmd_tcp_send(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dst", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "secs", required_argument, NULL, 's' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ 0 }
	};
	struct sockaddr_in dst = { .sin_family = AF_INET };
	int64_t timeout_ms = DEFAULT_TIMEOUT_MS, deadline, t0, end;
	uint64_t secs = 5, sent = 0;
	unsigned long long got = 0;
	bool has_dst = false;
	int port = -1, opt, fd, err;
	char line[64];
	size_t have = 0;
	static uint8_t buf[CHUNK];

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'd': dst.sin_addr = tk_addr("--dst", optarg); has_dst = true; break;
		case 'p': port = (int)tk_num("--port", optarg, 1, 65535); break;
		case 's': secs = tk_num("--secs", optarg, 1, 3600); break;
		case 't': timeout_ms = (int64_t)tk_num("--timeout-ms", optarg, 1, INT32_MAX); break;
		default: tk_usage_error("tcp-send: bad option");
		}
	}
	if (!has_dst || port < 0 || optind != argc)
		tk_usage_error("tcp-send: needs --dst A --port P");
	dst.sin_port = htons((uint16_t)port);
	memset(buf, 0x5a, sizeof(buf));
	t0 = tk_now_ms();
	deadline = t0 + timeout_ms;
	end = t0 + (int64_t)secs * 1000;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		tk_die("socket");
	err = tk_connect(fd, &dst, deadline);
	if (err) {
		fprintf(stderr, "bvperf: tcp-send: connect: %s\n", strerror(-err));
		return err == -ETIMEDOUT ? EXIT_TIMEOUT : EXIT_FAIL;
	}
	while (tk_now_ms() < end) {
		ssize_t n;

		if (tk_wait_fd(fd, POLLOUT, end, false) != TK_READY)
			continue;
		n = send(fd, buf, sizeof(buf), MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			fprintf(stderr, "bvperf: tcp-send: %s\n", strerror(errno));
			return EXIT_FAIL;
		}
		sent += (uint64_t)n;
	}
	shutdown(fd, SHUT_WR);
	for (;;) {
		ssize_t n;

		if (tk_wait_fd(fd, POLLIN, deadline, false) != TK_READY) {
			fprintf(stderr, "bvperf: tcp-send: no answer within %" PRId64 " ms\n",
				timeout_ms);
			return EXIT_TIMEOUT;
		}
		n = recv(fd, line + have, sizeof(line) - 1 - have, MSG_DONTWAIT);
		if (n == 0 || (n > 0 && have + (size_t)n == sizeof(line) - 1))
			break;
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			fprintf(stderr, "bvperf: tcp-send: recv: %s\n", strerror(errno));
			return EXIT_FAIL;
		}
		have += (size_t)n;
	}
	line[have] = '\0';
	close(fd);
	if (!strncmp(line, "received ", 9)) {
		char *e;

		errno = 0;
		got = strtoull(line + 9, &e, 10);
		if (errno || e == line + 9 || *e != '\n')
			got = ~0ULL;
	} else {
		got = ~0ULL;
	}
	if (got != sent) {
		fprintf(stderr, "bvperf: tcp-send: sent %" PRIu64 ", sink says '%s'\n",
			sent, line);
		return EXIT_FAIL;
	}
	{
		double s = (double)(tk_now_ms() - t0) / 1000.0;

		printf("bytes %llu secs %.3f mbit %.1f\n", got, s,
		       (double)got * 8 / 1e6 / s);
	}
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct tk_command cmds[] = {
		{ "rr-serve", cmd_rr_serve },
		{ "rr", cmd_rr },
		{ "tcp-sink", cmd_tcp_sink },
		{ "tcp-send", cmd_tcp_send },
		{ NULL, NULL }
	};

	return tk_run_command(argc, argv, usage_text, cmds);
}
