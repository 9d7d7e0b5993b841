// SPDX-License-Identifier: GPL-2.0
/*
 * tcpbulk: a verified bulk TCP transfer, to prove that stamping keeps TCP
 * whole (MSS clamping: full-size segments that grow by a stamp must not
 * need fragmentation or get black-holed).
 *
 *   tcpbulk serve --port P [--bind A] [--once] [--timeout-ms T]
 *   tcpbulk send  --dst A --port P --bytes N [--timeout-ms T]
 *
 * The stream is a deterministic function of the byte offset. When the
 * sender has sent everything it half-closes; the server then answers with
 * its verdict line, so the sender fails unless every byte arrived intact
 * (a transfer that only filled socket buffers proves nothing). Both sides
 * have a hard deadline: a black-holed connection fails, never hangs.
 *
 * Exit: 0 ok, 1 verification or socket error, 2 usage, 3 timeout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
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

#define PERIOD		65521u	/* prime: the pattern never lines up with */
				/* buffer or segment sizes */
#define CHUNK		(64 * 1024)
#define DEFAULT_TIMEOUT_MS 60000

enum { EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_TIMEOUT };

static const char usage_text[] =
"usage:\n"
"  tcpbulk serve --port P [--bind A] [--once] [--timeout-ms T] [--ready-file F]\n"
"      accept connections one after another and verify each stream; per\n"
"      connection print `received BYTES bad B` (B: bytes that differ) and\n"
"      send the same line back. Each transfer must end within T ms (default\n"
"      60000); without --once, serving ends after T ms with no new connection\n"
"      or on SIGTERM; with --once after one connection (exit 3 if none came\n"
"      in T ms). --ready-file F: create F once listening.\n"
"  tcpbulk send --dst A --port P --bytes N [--timeout-ms T] [--bind A]\n"
"      send N bytes with default socket options, half-close, wait for the\n"
"      server's verdict; print `sent BYTES secs S`. Fails unless the server\n"
"      received exactly N bytes, all intact, within T ms (default 60000).\n"
"exit: 0 ok, 1 verification or socket error, 2 usage, 3 timeout\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static noreturn void usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static noreturn void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tcpbulk: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see tcpbulk --help)\n");
	exit(EXIT_USAGE);
}

static noreturn void die(const char *what)
{
	fprintf(stderr, "tcpbulk: %s: %s\n", what, strerror(errno));
	exit(EXIT_FAIL);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int remaining(int64_t deadline)
{
	int64_t r = deadline - now_ms();

	return r > 0 ? (int)r : 0;
}

static uint64_t num(const char *opt, const char *s, uint64_t min, uint64_t max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (!s || !*s || *s == '-')
		usage_error("bad value for %s", opt);
	v = strtoull(s, &end, 0);
	if (errno || *end || v < min || v > max)
		usage_error("bad value '%s' for %s", s, opt);
	return v;
}

static struct in_addr addr(const char *opt, const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		usage_error("bad IPv4 address '%s' for %s", s, opt);
	return a;
}

/* --- the stream --------------------------------------------------------- */

static uint8_t table[PERIOD];

/* fixed xorshift sequence: both ends derive the same table */
static void table_init(void)
{
	uint32_t x = 0x6265e7a1u;

	for (uint32_t i = 0; i < PERIOD; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		table[i] = (uint8_t)x;
	}
}

/* byte at offset o; the round number makes whole-period shifts visible */
static inline uint8_t stream_byte(uint64_t o)
{
	return table[o % PERIOD] ^ (uint8_t)(o / PERIOD);
}

static void stream_fill(uint8_t *buf, size_t len, uint64_t off)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = stream_byte(off + i);
}

static uint64_t stream_check(const uint8_t *buf, size_t len, uint64_t off)
{
	uint64_t bad = 0;

	for (size_t i = 0; i < len; i++)
		bad += buf[i] != stream_byte(off + i);
	return bad;
}

/* --- serve -------------------------------------------------------------- */

/* read one stream to EOF or deadline; returns EXIT_* */
static int serve_one(int fd, int64_t timeout_ms)
{
	static uint8_t buf[CHUNK];
	int64_t deadline = now_ms() + timeout_ms;
	uint64_t got = 0, bad = 0;
	int result = EXIT_OK;
	char line[96];

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (stop || !remaining(deadline)) {
			result = EXIT_TIMEOUT;
			break;
		}
		if (poll(&pfd, 1, remaining(deadline)) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			fprintf(stderr, "tcpbulk: serve: recv: %s\n", strerror(errno));
			result = EXIT_FAIL;
			break;
		}
		bad += stream_check(buf, (size_t)n, got);
		got += (uint64_t)n;
	}
	snprintf(line, sizeof(line), "received %" PRIu64 " bad %" PRIu64 "\n",
		 got, bad);
	fputs(line, stdout);
	fflush(stdout);
	if (result == EXIT_TIMEOUT)
		fprintf(stderr, "tcpbulk: serve: no end of stream within %" PRId64 " ms\n",
			timeout_ms);
	else if (result == EXIT_OK)
		/* the verdict: the sender waits for it (best effort here) */
		send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT);
	if (result == EXIT_OK && bad)
		result = EXIT_FAIL;
	return result;
}

static int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "bind", required_argument, NULL, 'b' },
		{ "once", no_argument, NULL, 'o' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "ready-file", required_argument, NULL, 'r' },
		{ 0 }
	};
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_ANY) };
	int64_t timeout_ms = DEFAULT_TIMEOUT_MS;
	const char *ready = NULL;
	int port = -1, opt, lfd, one = 1, result = EXIT_OK, served = 0;
	bool once = false;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'p': port = (int)num("--port", optarg, 1, 65535); break;
		case 'b': sa.sin_addr = addr("--bind", optarg); break;
		case 'o': once = true; break;
		case 't': timeout_ms = (int64_t)num("--timeout-ms", optarg, 1, INT32_MAX); break;
		case 'r': ready = optarg; break;
		default: usage_error("serve: bad option");
		}
	}
	if (port < 0 || optind != argc)
		usage_error("serve: needs --port P");
	sa.sin_port = htons((uint16_t)port);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 16))
		die("bind/listen");
	if (ready) {
		FILE *f = fopen(ready, "w");

		if (!f)
			die(ready);
		fclose(f);
	}
	while (!stop) {
		struct pollfd pfd = { .fd = lfd, .events = POLLIN };
		int64_t deadline = now_ms() + timeout_ms;
		int fd, r;

		while (!stop && remaining(deadline) &&
		       poll(&pfd, 1, remaining(deadline)) <= 0)
			;
		if (stop || !remaining(deadline)) {
			if (once && !served) {
				fprintf(stderr, "tcpbulk: serve: no connection within %" PRId64 " ms\n",
					timeout_ms);
				result = EXIT_TIMEOUT;
			}
			break;
		}
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			die("accept");
		}
		r = serve_one(fd, timeout_ms);
		close(fd);
		served++;
		/* the worst outcome decides the exit status */
		if (r == EXIT_TIMEOUT || (r == EXIT_FAIL && result != EXIT_TIMEOUT))
			result = r;
		if (once)
			break;
	}
	close(lfd);
	return result;
}

/* --- send --------------------------------------------------------------- */

static int connect_timeout(int fd, const struct sockaddr_in *dst,
			   int64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int err = 0;

	if (!connect(fd, (const struct sockaddr *)dst, sizeof(*dst)))
		return 0;
	if (errno != EINPROGRESS)
		return -errno;
	while (remaining(deadline)) {
		if (poll(&pfd, 1, remaining(deadline)) > 0)
			break;
	}
	if (!(pfd.revents & (POLLOUT | POLLERR | POLLHUP)))
		return -ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return -errno;
	return -err;
}

/* read the server's verdict line until EOF; returns EXIT_* */
static int read_verdict(int fd, int64_t deadline, uint64_t want)
{
	char line[128];
	size_t have = 0;
	unsigned long long got, bad;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (!remaining(deadline))
			return EXIT_TIMEOUT;
		if (poll(&pfd, 1, remaining(deadline)) <= 0)
			continue;
		n = recv(fd, line + have, sizeof(line) - 1 - have, MSG_DONTWAIT);
		if (n == 0 || have + (size_t)n == sizeof(line) - 1)
			break;
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			fprintf(stderr, "tcpbulk: send: waiting for the verdict: %s\n",
				strerror(errno));
			return EXIT_FAIL;
		}
		have += (size_t)n;
	}
	line[have] = '\0';
	if (sscanf(line, "received %llu bad %llu", &got, &bad) != 2) {
		fprintf(stderr, "tcpbulk: send: no verdict from the server\n");
		return EXIT_FAIL;
	}
	if (got != want || bad) {
		fprintf(stderr, "tcpbulk: send: server received %llu of %" PRIu64
			" bytes, %llu bad\n", got, want, bad);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int cmd_send(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dst", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "bytes", required_argument, NULL, 'n' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "bind", required_argument, NULL, 'b' },
		{ 0 }
	};
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct sockaddr_in src = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_ANY) };
	int64_t timeout_ms = DEFAULT_TIMEOUT_MS, deadline, t0;
	uint64_t bytes = 0, sent = 0;
	bool has_dst = false, has_bytes = false, has_bind = false;
	int port = -1, opt, fd, err, result = EXIT_OK;
	static uint8_t buf[CHUNK];

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'd': dst.sin_addr = addr("--dst", optarg); has_dst = true; break;
		case 'p': port = (int)num("--port", optarg, 1, 65535); break;
		case 'n': bytes = num("--bytes", optarg, 0, UINT64_MAX); has_bytes = true; break;
		case 't': timeout_ms = (int64_t)num("--timeout-ms", optarg, 1, INT32_MAX); break;
		case 'b': src.sin_addr = addr("--bind", optarg); has_bind = true; break;
		default: usage_error("send: bad option");
		}
	}
	if (!has_dst || port < 0 || !has_bytes || optind != argc)
		usage_error("send: needs --dst A --port P --bytes N");
	dst.sin_port = htons((uint16_t)port);
	t0 = now_ms();
	deadline = t0 + timeout_ms;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		die("socket");
	if (has_bind && bind(fd, (struct sockaddr *)&src, sizeof(src)))
		die("bind");
	err = connect_timeout(fd, &dst, deadline);
	if (err) {
		fprintf(stderr, "tcpbulk: send: connect: %s\n", strerror(-err));
		printf("sent 0 secs %.3f\n", (now_ms() - t0) / 1000.0);
		return err == -ETIMEDOUT ? EXIT_TIMEOUT : EXIT_FAIL;
	}
	while (sent < bytes && result == EXIT_OK) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		size_t len = bytes - sent < CHUNK ? (size_t)(bytes - sent) : CHUNK;
		ssize_t n;

		if (!remaining(deadline)) {
			result = EXIT_TIMEOUT;
			break;
		}
		if (poll(&pfd, 1, remaining(deadline)) <= 0)
			continue;
		stream_fill(buf, len, sent);
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			fprintf(stderr, "tcpbulk: send: %s\n", strerror(errno));
			result = EXIT_FAIL;
			break;
		}
		sent += (uint64_t)n;
	}
	if (result == EXIT_OK) {
		shutdown(fd, SHUT_WR);
		result = read_verdict(fd, deadline, bytes);
	}
	printf("sent %" PRIu64 " secs %.3f\n", sent, (now_ms() - t0) / 1000.0);
	if (result == EXIT_TIMEOUT)
		fprintf(stderr, "tcpbulk: send: not done within %" PRId64 " ms\n",
			timeout_ms);
	close(fd);
	return result;
}

int main(int argc, char **argv)
{
	struct sigaction sa;

	if (argc < 2) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage_text, stdout);
			return EXIT_OK;
		}
	}
	table_init();
	if (!strcmp(argv[1], "serve")) {
		/* SIGTERM ends serving cleanly; no SA_RESTART: poll wakes up */
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		return cmd_serve(argc - 1, argv + 1);
	}
	if (!strcmp(argv[1], "send"))
		return cmd_send(argc - 1, argv + 1);
	fprintf(stderr, "tcpbulk: unknown command '%s'\n", argv[1]);
	fputs(usage_text, stderr);
	return EXIT_USAGE;
}
