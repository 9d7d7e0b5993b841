// SPDX-License-Identifier: GPL-2.0
/*
 * tcpnum: numbered, self-verifying records over TCP, relayed in order by a
 * host outside the group, for the snapshot tests of TCP connections.
 *
 * Every record is S bytes: (big endian) a magic, its sequence number 1, 2,
 * ... and its own length, then bytes derived from the number and the
 * offset. The receiver checks each record and its place in the stream, so
 * a byte lost, doubled or damaged anywhere along the chain shows up as
 * `bad`.
 *
 *   tcpnum send  --dst A --port P --size S --count N [--go-file F] ...
 *   tcpnum relay --port P --to A:PORT [--sport SP] ...
 *   tcpnum recv  --port P --size S ...
 *
 * The chain send -> relay -> recv is established before any data flows
 * (the relay connects onward as soon as it accepts; send waits for the
 * go file), so a test can snapshot the connections while they are idle.
 * The close runs back along the chain: send half-closes, the relay passes
 * the half-close on, recv closes at EOF, the relay closes, send sees EOF.
 * Once send has exited, recv has read everything.
 *
 * See usage() for every option. Exit: 0 ok, 1 error or bad records,
 * 2 usage, 3 timeout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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

#define MAGIC		0x42565431u	/* "BVT1" */
#define HDR_LEN		12
#define MIN_SIZE	16
#define MAX_SIZE	(1u << 20)
#define CHUNK		(64 * 1024)
#define DEFAULT_TIMEOUT_MS 60000
#define GO_POLL_MS	10

enum { EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_TIMEOUT };

static const char usage_text[] =
"usage:\n"
"  tcpnum send --dst A --port P --size S --count N [--rps R] [--go-file F]\n"
"              [--bind A] [--timeout-ms T]\n"
"      connect to A:P (TCP_NODELAY: each record leaves at once); with\n"
"      --go-file, wait until F exists (the connection idles meanwhile); write\n"
"      records 1..N of S bytes (min 16), R per second (default: as fast as\n"
"      possible); half-close and wait for the peer to close. Prints `sent N\n"
"      bytes B`: records and bytes handed to the kernel. SIGTERM/SIGINT:\n"
"      finish the record being written, half-close, print, exit 0.\n"
"      --bind A: source address.\n"
"  tcpnum relay --port P --to A:PORT [--sport SP] [--bind A] [--timeout-ms T]\n"
"               [--ready-file F]\n"
"      accept one connection on P, at once connect to A:PORT (from source\n"
"      port SP if given), copy the bytes there in order until EOF, pass the\n"
"      half-close on and wait for A:PORT to close; print `received B\n"
"      forwarded B` (bytes). --bind A: the listening address only (the\n"
"      outgoing one follows the route). SIGTERM/SIGINT: half-close, print.\n"
"  tcpnum recv --port P --size S [--bind A] [--timeout-ms T] [--ready-file F]\n"
"      accept one connection on P and read S-byte records until EOF; print\n"
"      `received N bad B bytes X last_seq L`: N records (a trailing partial\n"
"      one included), B of them bad (damaged, a number out of order: missing,\n"
"      doubled, reordered; a trailing partial one), X bytes, L the number of\n"
"      the last intact record (0: none). SIGTERM/SIGINT: print what came\n"
"      (a partial record then is not counted).\n"
"  every mode: --timeout-ms T: hard limit for the whole run (default 60000),\n"
"      then the line is printed and the exit is 3. --ready-file F: create F\n"
"      once listening (no start-up race).\n"
"exit: 0 ok, 1 error or bad records, 2 usage, 3 timeout\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* SIGTERM ends a run cleanly, results printed; no SA_RESTART so poll wakes */
static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

static noreturn void usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static noreturn void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tcpnum: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see tcpnum --help)\n");
	exit(EXIT_USAGE);
}

static noreturn void die(const char *what)
{
	fprintf(stderr, "tcpnum: %s: %s\n", what, strerror(errno));
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

static struct sockaddr_in parse_hostport(const char *s)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char host[INET_ADDRSTRLEN];
	const char *colon = strrchr(s, ':');

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		usage_error("relay: --to needs A:PORT, not '%s'", s);
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	sa.sin_addr = addr("--to", host);
	sa.sin_port = htons((uint16_t)num("--to port", colon + 1, 1, 65535));
	return sa;
}

/* --- records ------------------------------------------------------------ */

/* byte i of record seq: a hash, so shifted or mixed data never matches */
static uint8_t pattern(uint32_t seq, uint32_t i)
{
	uint32_t x = seq * 0x9e3779b1u ^ i * 0x85ebca6bu;

	x ^= x >> 15;
	x *= 0x2c1b3c6du;
	x ^= x >> 12;
	return (uint8_t)x;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

static uint32_t get_be32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

static void build(uint8_t *buf, uint32_t seq, uint32_t size)
{
	put_be32(buf, MAGIC);
	put_be32(buf + 4, seq);
	put_be32(buf + 8, size);
	for (uint32_t i = HDR_LEN; i < size; i++)
		buf[i] = pattern(seq, i);
}

/* true if buf[0..len) is exactly what build() made; *seq its number */
static bool verify(const uint8_t *buf, uint32_t len, uint32_t *seq)
{
	if (get_be32(buf) != MAGIC || get_be32(buf + 8) != len)
		return false;
	*seq = get_be32(buf + 4);
	for (uint32_t i = HDR_LEN; i < len; i++)
		if (buf[i] != pattern(*seq, i))
			return false;
	return true;
}

/* --- sockets ------------------------------------------------------------ */

static void ready_file(const char *path)
{
	FILE *f;

	if (!path)
		return;
	f = fopen(path, "w");
	if (!f)
		die(path);
	fclose(f);
}

static int listen_socket(struct in_addr bind_addr, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	/* a test restarting a receiver on the same port must not wait */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin_addr = bind_addr;
	sa.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1))
		die("bind/listen");
	return fd;
}

/*
 * The one connection; returns EXIT_*. *fd is -1 when a signal came first.
 * The listener is closed at once: a second connection is refused, not
 * left hanging in the backlog.
 */
static int accept_one(int lfd, int64_t deadline, int *fd, const char *mode)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	int result = EXIT_OK;

	*fd = -1;
	for (;;) {
		if (stop)
			break;
		if (!remaining(deadline)) {
			fprintf(stderr, "tcpnum: %s: no connection in time\n", mode);
			result = EXIT_TIMEOUT;
			break;
		}
		if (poll(&pfd, 1, remaining(deadline)) <= 0)
			continue;
		*fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (*fd >= 0)
			break;
		if (errno != EINTR && errno != ECONNABORTED && errno != EAGAIN) {
			fprintf(stderr, "tcpnum: %s: accept: %s\n", mode, strerror(errno));
			result = EXIT_FAIL;
			break;
		}
	}
	close(lfd);
	return result;
}

/* fd non-blocking; 0 or -errno */
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

/*
 * All of buf[0..len) into the socket, or EXIT_FAIL/EXIT_TIMEOUT; *bytes
 * grows by what went. A signal does not cut it short: a half-written
 * record would reach the receiver as damage that never happened.
 */
static int write_all(int fd, const uint8_t *buf, size_t len, int64_t deadline,
		     uint64_t *bytes, const char *what)
{
	size_t done = 0;

	while (done < len) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		ssize_t n;

		if (!remaining(deadline))
			return EXIT_TIMEOUT;
		if (poll(&pfd, 1, remaining(deadline)) <= 0)
			continue;
		n = send(fd, buf + done, len - done, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			fprintf(stderr, "tcpnum: %s: %s\n", what, strerror(errno));
			return EXIT_FAIL;
		}
		done += (size_t)n;
		*bytes += (uint64_t)n;
	}
	return EXIT_OK;
}

/* after our half-close: read (and drop) until the peer closes too */
static int wait_eof(int fd, int64_t deadline, const char *what)
{
	static uint8_t scratch[4096];

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (stop)
			return EXIT_OK;
		if (!remaining(deadline))
			return EXIT_TIMEOUT;
		if (poll(&pfd, 1, remaining(deadline)) <= 0)
			continue;
		n = recv(fd, scratch, sizeof(scratch), MSG_DONTWAIT);
		if (n == 0)
			return EXIT_OK;
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			fprintf(stderr, "tcpnum: %s: waiting for the peer's close: %s\n",
				what, strerror(errno));
			return EXIT_FAIL;
		}
	}
}

/* --- send --------------------------------------------------------------- */

/* the test's go: until then the connection stays idle, ready to snapshot */
static int wait_go(const char *path, int64_t deadline)
{
	while (!stop && access(path, F_OK)) {
		int ms = remaining(deadline);

		if (!ms) {
			fprintf(stderr, "tcpnum: send: no %s in time\n", path);
			return EXIT_TIMEOUT;
		}
		poll(NULL, 0, ms < GO_POLL_MS ? ms : GO_POLL_MS);
	}
	return EXIT_OK;
}

/* absolute schedule: no drift from sleep overshoot; never past the deadline */
static void pace(int64_t t0_ns, uint64_t i, uint64_t rps, int64_t deadline)
{
	int64_t at = t0_ns + (int64_t)(i * 1000000000u / rps);
	struct timespec ts;

	if (at > deadline * 1000000)
		at = deadline * 1000000;
	ts.tv_sec = at / 1000000000;
	ts.tv_nsec = at % 1000000000;
	/* a signal ends the sleep early (EINTR), and the caller sees stop */
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

static int cmd_send(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dst", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "size", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'c' },
		{ "rps", required_argument, NULL, 'r' },
		{ "go-file", required_argument, NULL, 'g' },
		{ "bind", required_argument, NULL, 'b' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ 0 }
	};
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct sockaddr_in src = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_ANY) };
	int64_t timeout_ms = DEFAULT_TIMEOUT_MS, deadline, t0_ns = 0;
	uint64_t size = 0, count = 0, rps = 0, sent = 0, bytes = 0;
	bool has_dst = false, has_count = false, has_bind = false;
	const char *go = NULL;
	int port = -1, opt, fd, one = 1, err, result = EXIT_OK;
	uint8_t *buf;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'd': dst.sin_addr = addr("--dst", optarg); has_dst = true; break;
		case 'p': port = (int)num("--port", optarg, 1, 65535); break;
		case 's': size = num("--size", optarg, MIN_SIZE, MAX_SIZE); break;
		case 'c': count = num("--count", optarg, 0, UINT32_MAX); has_count = true; break;
		case 'r': rps = num("--rps", optarg, 0, 100000000); break;
		case 'g': go = optarg; break;
		case 'b': src.sin_addr = addr("--bind", optarg); has_bind = true; break;
		case 't': timeout_ms = (int64_t)num("--timeout-ms", optarg, 1, INT32_MAX); break;
		default: usage_error("send: bad option");
		}
	}
	if (!has_dst || port < 0 || !size || !has_count || optind != argc)
		usage_error("send: needs --dst A --port P --size S --count N");
	dst.sin_port = htons((uint16_t)port);
	catch_signals();
	deadline = now_ms() + timeout_ms;
	buf = malloc(size);
	if (!buf)
		die("out of memory");
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		die("socket");
	/* no Nagle: a record is on the wire when written, not with the next */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (has_bind && bind(fd, (struct sockaddr *)&src, sizeof(src)))
		die("bind");
	err = connect_timeout(fd, &dst, deadline);
	if (err) {
		fprintf(stderr, "tcpnum: send: connect: %s\n", strerror(-err));
		result = err == -ETIMEDOUT ? EXIT_TIMEOUT : EXIT_FAIL;
	}
	if (result == EXIT_OK && go)
		result = wait_go(go, deadline);
	if (rps) {
		struct timespec ts;

		/* the schedule starts at the go, not at the connect */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		t0_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	}
	while (result == EXIT_OK && !stop && sent < count) {
		if (rps) {
			pace(t0_ns, sent, rps, deadline);
			if (stop)
				break;
		}
		if (!remaining(deadline)) {
			result = EXIT_TIMEOUT;
			break;
		}
		build(buf, (uint32_t)(sent + 1), (uint32_t)size);
		result = write_all(fd, buf, size, deadline, &bytes, "send");
		if (result == EXIT_OK)
			sent++;
	}
	if (result == EXIT_OK) {
		/*
		 * Half-close and wait for the peer's close: it comes back along
		 * the chain only after the receiver read everything.
		 */
		shutdown(fd, SHUT_WR);
		result = wait_eof(fd, deadline, "send");
	}
	printf("sent %" PRIu64 " bytes %" PRIu64 "\n", sent, bytes);
	fflush(stdout);
	if (result == EXIT_TIMEOUT)
		fprintf(stderr, "tcpnum: send: not done within %" PRId64 " ms\n",
			timeout_ms);
	close(fd);
	free(buf);
	return result;
}

/* --- relay -------------------------------------------------------------- */

/* inbound to outbound until inbound EOF, a signal or the deadline */
static int copy(int in, int out, int64_t deadline, uint64_t *received,
		uint64_t *forwarded)
{
	static uint8_t buf[CHUNK];

	for (;;) {
		struct pollfd pfd = { .fd = in, .events = POLLIN };
		ssize_t n;
		int r;

		if (stop)
			return EXIT_OK;
		if (!remaining(deadline))
			return EXIT_TIMEOUT;
		if (poll(&pfd, 1, remaining(deadline)) <= 0)
			continue;
		n = recv(in, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0)
			return EXIT_OK;
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			fprintf(stderr, "tcpnum: relay: recv: %s\n", strerror(errno));
			return EXIT_FAIL;
		}
		*received += (uint64_t)n;
		/* all of it out before reading more: the order is the stream's */
		r = write_all(out, buf, (size_t)n, deadline, forwarded,
			      "relay: forward");
		if (r != EXIT_OK)
			return r;
	}
}

static int cmd_relay(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "to", required_argument, NULL, 'T' },
		{ "sport", required_argument, NULL, 'S' },
		{ "bind", required_argument, NULL, 'b' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "ready-file", required_argument, NULL, 'r' },
		{ 0 }
	};
	struct in_addr bind_addr = { .s_addr = htonl(INADDR_ANY) };
	struct sockaddr_in to = { 0 };
	struct sockaddr_in src = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_ANY) };
	int64_t timeout_ms = DEFAULT_TIMEOUT_MS, deadline;
	uint64_t received = 0, forwarded = 0;
	bool has_to = false;
	const char *ready = NULL;
	int port = -1, sport = 0, opt, lfd, in, out = -1, one = 1, err, result;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'p': port = (int)num("--port", optarg, 1, 65535); break;
		case 'T': to = parse_hostport(optarg); has_to = true; break;
		case 'S': sport = (int)num("--sport", optarg, 0, 65535); break;
		case 'b': bind_addr = addr("--bind", optarg); break;
		case 't': timeout_ms = (int64_t)num("--timeout-ms", optarg, 1, INT32_MAX); break;
		case 'r': ready = optarg; break;
		default: usage_error("relay: bad option");
		}
	}
	if (port < 0 || !has_to || optind != argc)
		usage_error("relay: needs --port P --to A:PORT");
	catch_signals();
	deadline = now_ms() + timeout_ms;
	lfd = listen_socket(bind_addr, (uint16_t)port);
	ready_file(ready);
	result = accept_one(lfd, deadline, &in, "relay");
	if (in < 0)
		goto done;
	/* onward at once, before any data: the whole chain up for the go */
	out = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (out < 0)
		die("socket");
	/* a fixed source port again right after a run still in TIME_WAIT */
	setsockopt(out, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(out, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	src.sin_port = htons((uint16_t)sport);
	if (sport && bind(out, (struct sockaddr *)&src, sizeof(src))) {
		fprintf(stderr, "tcpnum: relay: bind to port %d: %s\n", sport,
			strerror(errno));
		result = EXIT_FAIL;
		goto done;
	}
	err = connect_timeout(out, &to, deadline);
	if (err) {
		fprintf(stderr, "tcpnum: relay: connect: %s\n", strerror(-err));
		result = err == -ETIMEDOUT ? EXIT_TIMEOUT : EXIT_FAIL;
		goto done;
	}
	result = copy(in, out, deadline, &received, &forwarded);
	if (result == EXIT_OK) {
		/* the sender's half-close, passed on; the close comes back */
		shutdown(out, SHUT_WR);
		result = wait_eof(out, deadline, "relay");
	}
done:
	printf("received %" PRIu64 " forwarded %" PRIu64 "\n", received,
	       forwarded);
	fflush(stdout);
	if (result == EXIT_TIMEOUT)
		fprintf(stderr, "tcpnum: relay: not done within %" PRId64 " ms\n",
			timeout_ms);
	if (out >= 0)
		close(out);
	if (in >= 0)
		close(in);
	return result;
}

/* --- recv --------------------------------------------------------------- */

struct rstats {
	uint64_t received, bad, bytes;
	uint32_t expect;	/* the number the next record should carry */
	uint32_t last;		/* the last intact record's number, 0: none */
};

static void check_record(struct rstats *st, const uint8_t *rec, uint32_t size)
{
	uint32_t seq;

	st->received++;
	if (!verify(rec, size, &seq)) {
		/* its number is not to be trusted: assume it held its place */
		st->bad++;
		st->expect++;
		return;
	}
	if (seq != st->expect)
		st->bad++;
	/* resync on it: one gap or double costs a bad, not the whole rest */
	st->expect = seq + 1;
	st->last = seq;
}

static int cmd_recv(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "size", required_argument, NULL, 's' },
		{ "bind", required_argument, NULL, 'b' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "ready-file", required_argument, NULL, 'r' },
		{ 0 }
	};
	struct in_addr bind_addr = { .s_addr = htonl(INADDR_ANY) };
	int64_t timeout_ms = DEFAULT_TIMEOUT_MS, deadline;
	struct rstats st = { .expect = 1 };
	uint64_t size = 0;
	size_t have = 0;
	const char *ready = NULL;
	int port = -1, opt, lfd, fd, result;
	uint8_t *rec;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'p': port = (int)num("--port", optarg, 1, 65535); break;
		case 's': size = num("--size", optarg, MIN_SIZE, MAX_SIZE); break;
		case 'b': bind_addr = addr("--bind", optarg); break;
		case 't': timeout_ms = (int64_t)num("--timeout-ms", optarg, 1, INT32_MAX); break;
		case 'r': ready = optarg; break;
		default: usage_error("recv: bad option");
		}
	}
	if (port < 0 || !size || optind != argc)
		usage_error("recv: needs --port P --size S");
	catch_signals();
	deadline = now_ms() + timeout_ms;
	rec = malloc(size);
	if (!rec)
		die("out of memory");
	lfd = listen_socket(bind_addr, (uint16_t)port);
	ready_file(ready);
	result = accept_one(lfd, deadline, &fd, "recv");
	while (fd >= 0) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (stop)
			break;
		if (!remaining(deadline)) {
			fprintf(stderr, "tcpnum: recv: no EOF within %" PRId64 " ms\n",
				timeout_ms);
			result = EXIT_TIMEOUT;
			break;
		}
		if (poll(&pfd, 1, remaining(deadline)) <= 0)
			continue;
		/* at most the rest of this record: records never straddle reads */
		n = recv(fd, rec + have, size - have, MSG_DONTWAIT);
		if (n == 0) {
			/* EOF: a record cut short is damage the sender never wrote */
			if (have) {
				st.received++;
				st.bad++;
			}
			break;
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			fprintf(stderr, "tcpnum: recv: %s\n", strerror(errno));
			result = EXIT_FAIL;
			break;
		}
		st.bytes += (uint64_t)n;
		have += (size_t)n;
		if (have == size) {
			check_record(&st, rec, (uint32_t)size);
			have = 0;
		}
	}
	printf("received %" PRIu64 " bad %" PRIu64 " bytes %" PRIu64
	       " last_seq %u\n", st.received, st.bad, st.bytes, st.last);
	fflush(stdout);
	if (fd >= 0)
		close(fd);
	free(rec);
	if (result == EXIT_OK && st.bad)
		result = EXIT_FAIL;
	return result;
}

int main(int argc, char **argv)
{
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
	/* the subcommand's options start after its name */
	if (!strcmp(argv[1], "send"))
		return cmd_send(argc - 1, argv + 1);
	if (!strcmp(argv[1], "relay"))
		return cmd_relay(argc - 1, argv + 1);
	if (!strcmp(argv[1], "recv"))
		return cmd_recv(argc - 1, argv + 1);
	fprintf(stderr, "tcpnum: unknown command '%s'\n", argv[1]);
	fputs(usage_text, stderr);
	return EXIT_USAGE;
}
