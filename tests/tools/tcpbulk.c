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
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "toolkit.h"

#define PERIOD		65521u	/* prime: the pattern never lines up with */
				/* buffer or segment sizes */
#define CHUNK		(64 * 1024)
#define DEFAULT_TIMEOUT_MS 60000

enum { EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_TIMEOUT };

const struct tk_tool tk_tool = {
	.name = "tcpbulk",
	.fail_status = EXIT_FAIL,
	.num_base = 0,
};

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
	int64_t deadline = tk_now_ms() + timeout_ms;
	uint64_t got = 0, bad = 0;
	int result = EXIT_OK;
	char line[96];

	for (;;) {
		ssize_t n;

		if (tk_wait_fd(fd, POLLIN, deadline, true) != TK_READY) {
			result = EXIT_TIMEOUT;
			break;
		}
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
	struct in_addr bind_addr = { .s_addr = htonl(INADDR_ANY) };
	int64_t timeout_ms = DEFAULT_TIMEOUT_MS;
	const char *ready = NULL;
	int port = -1, opt, lfd, result = EXIT_OK, served = 0;
	bool once = false;

	table_init();
	/* SIGTERM ends serving cleanly */
	tk_catch_signals();
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'p': port = (int)tk_num("--port", optarg, 1, 65535); break;
		case 'b': bind_addr = tk_addr("--bind", optarg); break;
		case 'o': once = true; break;
		case 't': timeout_ms = (int64_t)tk_num("--timeout-ms", optarg, 1, INT32_MAX); break;
		case 'r': ready = optarg; break;
		default: tk_usage_error("serve: bad option");
		}
	}
	if (port < 0 || optind != argc)
		tk_usage_error("serve: needs --port P");
	lfd = tk_tcp_listen(bind_addr, (uint16_t)port, 16);
	tk_ready_file(ready);
	while (!tk_stop) {
		int64_t deadline = tk_now_ms() + timeout_ms;
		int fd, r;

		if (tk_wait_fd(lfd, POLLIN, deadline, true) != TK_READY) {
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
			tk_die("accept");
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

/* read the server's verdict line until EOF; returns EXIT_* */
static int read_verdict(int fd, int64_t deadline, uint64_t want)
{
	char line[128];
	size_t have = 0;
	unsigned long long got, bad;

	for (;;) {
		ssize_t n;

		if (tk_wait_fd(fd, POLLIN, deadline, false) != TK_READY)
			return EXIT_TIMEOUT;
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

	table_init();
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'd': dst.sin_addr = tk_addr("--dst", optarg); has_dst = true; break;
		case 'p': port = (int)tk_num("--port", optarg, 1, 65535); break;
		case 'n': bytes = tk_num("--bytes", optarg, 0, UINT64_MAX); has_bytes = true; break;
		case 't': timeout_ms = (int64_t)tk_num("--timeout-ms", optarg, 1, INT32_MAX); break;
		case 'b': src.sin_addr = tk_addr("--bind", optarg); has_bind = true; break;
		default: tk_usage_error("send: bad option");
		}
	}
	if (!has_dst || port < 0 || !has_bytes || optind != argc)
		tk_usage_error("send: needs --dst A --port P --bytes N");
	dst.sin_port = htons((uint16_t)port);
	t0 = tk_now_ms();
	deadline = t0 + timeout_ms;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		tk_die("socket");
	if (has_bind && bind(fd, (struct sockaddr *)&src, sizeof(src)))
		tk_die("bind");
	err = tk_connect(fd, &dst, deadline);
	if (err) {
		fprintf(stderr, "tcpbulk: send: connect: %s\n", strerror(-err));
		printf("sent 0 secs %.3f\n", (tk_now_ms() - t0) / 1000.0);
		return err == -ETIMEDOUT ? EXIT_TIMEOUT : EXIT_FAIL;
	}
	while (sent < bytes && result == EXIT_OK) {
		size_t len = bytes - sent < CHUNK ? (size_t)(bytes - sent) : CHUNK;
		ssize_t n;

		if (tk_wait_fd(fd, POLLOUT, deadline, false) != TK_READY) {
			result = EXIT_TIMEOUT;
			break;
		}
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
	printf("sent %" PRIu64 " secs %.3f\n", sent, (tk_now_ms() - t0) / 1000.0);
	if (result == EXIT_TIMEOUT)
		fprintf(stderr, "tcpbulk: send: not done within %" PRId64 " ms\n",
			timeout_ms);
	close(fd);
	return result;
}

int main(int argc, char **argv)
{
	static const struct tk_command cmds[] = {
		{ "serve", cmd_serve },
		{ "send", cmd_send },
		{ NULL, NULL }
	};

	return tk_run_command(argc, argv, usage_text, cmds);
}
