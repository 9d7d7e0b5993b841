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
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "toolkit.h"

#define MAGIC		0x42565431u	/* "BVT1" */
#define MIN_SIZE	16
#define MAX_SIZE	(1u << 20)
#define CHUNK		(64 * 1024)
#define DEFAULT_TIMEOUT_MS 60000
#define GO_POLL_MS	10

enum { EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_TIMEOUT };

const struct tk_tool tk_tool = {
	.name = "tcpnum",
	.fail_status = EXIT_FAIL,
	.num_base = 0,
};

static const char usage_text[] =
"usage:\n"
"  tcpnum send --dst A --port P --size S --count N [--rps R] [--go-file F]\n"
"              [--bind A] [--timeout-ms T] [--log F]\n"
"      connect to A:P (TCP_NODELAY: each record leaves at once); with\n"
"      --go-file, wait until F exists (the connection idles meanwhile); write\n"
"      records 1..N of S bytes (min 16), R per second (default: as fast as\n"
"      possible); half-close and wait for the peer to close. Prints `sent N\n"
"      bytes B`: records and bytes handed to the kernel. SIGTERM/SIGINT:\n"
"      finish the record being written, half-close, print, exit 0.\n"
"      --bind A: source address. --log F: `NUMBER NS` per record written,\n"
"      NS the CLOCK_MONOTONIC instant before its first byte was handed over.\n"
"  tcpnum relay --port P --to A:PORT [--sport SP] [--bind A] [--timeout-ms T]\n"
"               [--ready-file F]\n"
"      accept one connection on P, at once connect to A:PORT (from source\n"
"      port SP if given), copy the bytes there in order until EOF, pass the\n"
"      half-close on and wait for A:PORT to close; print `received B\n"
"      forwarded B` (bytes). --bind A: the listening address only (the\n"
"      outgoing one follows the route). SIGTERM/SIGINT: half-close, print.\n"
"  tcpnum recv --port P --size S [--bind A] [--timeout-ms T] [--ready-file F]\n"
"              [--log F]\n"
"      accept one connection on P and read S-byte records until EOF; print\n"
"      `received N bad B bytes X last_seq L`: N records (a trailing partial\n"
"      one included), B of them bad (damaged, a number out of order: missing,\n"
"      doubled, reordered; a trailing partial one), X bytes, L the number of\n"
"      the last intact record (0: none). SIGTERM/SIGINT: print what came\n"
"      (a partial record then is not counted). --log F: `NUMBER NS` per\n"
"      intact record, NS the CLOCK_MONOTONIC instant its last byte was read.\n"
"  every mode: --timeout-ms T: hard limit for the whole run (default 60000),\n"
"      then the line is printed and the exit is 3. --ready-file F: create F\n"
"      once listening (no start-up race).\n"
"  addresses: IPv4 or IPv6 (an AF_INET6 socket), --to A6 as [A6]:PORT;\n"
"      --bind and --dst of one family; a listener without --bind is IPv4\n"
"      only, --bind :: takes both families.\n"
"exit: 0 ok, 1 error or bad records, 2 usage, 3 timeout\n";

/* --- sockets ------------------------------------------------------------ */

/*
 * The one connection; returns EXIT_*. *fd is -1 when a signal came first.
 * The listener is closed at once: a second connection is refused, not
 * left hanging in the backlog.
 */
static int accept_one(int lfd, int64_t deadline, int *fd, const char *mode)
{
	int result = EXIT_OK;

	*fd = -1;
	for (;;) {
		int w = tk_wait_fd(lfd, POLLIN, deadline, true);

		if (w == TK_STOPPED)
			break;
		if (w == TK_LATE) {
			fprintf(stderr, "tcpnum: %s: no connection in time\n", mode);
			result = EXIT_TIMEOUT;
			break;
		}
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
		ssize_t n;

		if (tk_wait_fd(fd, POLLOUT, deadline, false) != TK_READY)
			return EXIT_TIMEOUT;
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
		int w = tk_wait_fd(fd, POLLIN, deadline, true);
		ssize_t n;

		/* a signal ends the wait cleanly */
		if (w != TK_READY)
			return w == TK_LATE ? EXIT_TIMEOUT : EXIT_OK;
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
	while (!tk_stop && access(path, F_OK)) {
		int ms = tk_remaining(deadline);

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

	if (at > deadline * 1000000)
		at = deadline * 1000000;
	/* a signal ends the sleep early (EINTR), and the caller sees tk_stop */
	tk_sleep_until_ns(at);
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
		{ "log", required_argument, NULL, 'L' },
		{ 0 }
	};
	const char *log_path = NULL;
	FILE *log;
	struct tk_sa dst = tk_sa_any(AF_INET, 0), src = tk_sa_any(AF_INET, 0);
	int64_t timeout_ms = DEFAULT_TIMEOUT_MS, deadline, t0_ns = 0;
	uint64_t size = 0, count = 0, rps = 0, sent = 0, bytes = 0;
	bool has_dst = false, has_count = false, has_bind = false;
	const char *go = NULL;
	int port = -1, opt, fd, one = 1, err, result = EXIT_OK;
	uint8_t *buf;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'd': dst = tk_sa_addr("--dst", optarg, 0); has_dst = true; break;
		case 'p': port = (int)tk_num("--port", optarg, 1, 65535); break;
		case 's': size = tk_num("--size", optarg, MIN_SIZE, MAX_SIZE); break;
		case 'c': count = tk_num("--count", optarg, 0, UINT32_MAX); has_count = true; break;
		case 'r': rps = tk_num("--rps", optarg, 0, 100000000); break;
		case 'g': go = optarg; break;
		case 'b': src = tk_sa_addr("--bind", optarg, 0); has_bind = true; break;
		case 't': timeout_ms = (int64_t)tk_num("--timeout-ms", optarg, 1, INT32_MAX); break;
		case 'L': log_path = optarg; break;
		default: tk_usage_error("send: bad option");
		}
	}
	if (!has_dst || port < 0 || !size || !has_count || optind != argc)
		tk_usage_error("send: needs --dst A --port P --size S --count N");
	tk_sa_set_port(&dst, (uint16_t)port);
	if (has_bind && tk_sa_family(&src) != tk_sa_family(&dst))
		tk_usage_error("send: --bind and --dst are of two families");
	log = tk_log_open(log_path);
	tk_catch_signals();
	deadline = tk_now_ms() + timeout_ms;
	buf = malloc(size);
	if (!buf)
		tk_die("out of memory");
	fd = socket(tk_sa_family(&dst), SOCK_STREAM | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, 0);
	if (fd < 0)
		tk_die("socket");
	/* no Nagle: a record is on the wire when written, not with the next */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (has_bind && bind(fd, &src.u.sa, src.len))
		tk_die("bind");
	err = tk_connect_sa(fd, &dst, deadline);
	if (err) {
		fprintf(stderr, "tcpnum: send: connect: %s\n", strerror(-err));
		result = err == -ETIMEDOUT ? EXIT_TIMEOUT : EXIT_FAIL;
	}
	if (result == EXIT_OK && go)
		result = wait_go(go, deadline);
	/* the schedule starts at the go, not at the connect */
	if (rps)
		t0_ns = tk_now_ns();
	while (result == EXIT_OK && !tk_stop && sent < count) {
		int64_t t_send;

		if (rps) {
			pace(t0_ns, sent, rps, deadline);
			if (tk_stop)
				break;
		}
		if (!tk_remaining(deadline)) {
			result = EXIT_TIMEOUT;
			break;
		}
		tk_rec_build(buf, MAGIC, (uint32_t)(sent + 1), (uint32_t)size);
		t_send = tk_now_ns();
		result = write_all(fd, buf, size, deadline, &bytes, "send");
		if (result == EXIT_OK) {
			sent++;
			tk_log_rec(log, (uint32_t)sent, t_send);
		}
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
	if (tk_log_close(log, log_path) && result == EXIT_OK)
		result = EXIT_FAIL;
	return result;
}

/* --- relay -------------------------------------------------------------- */

/* inbound to outbound until inbound EOF, a signal or the deadline */
static int copy(int in, int out, int64_t deadline, uint64_t *received,
		uint64_t *forwarded)
{
	static uint8_t buf[CHUNK];

	for (;;) {
		int w = tk_wait_fd(in, POLLIN, deadline, true);
		ssize_t n;
		int r;

		/* a signal ends the copy cleanly */
		if (w != TK_READY)
			return w == TK_LATE ? EXIT_TIMEOUT : EXIT_OK;
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
	struct tk_sa bind_addr = tk_sa_any(AF_INET, 0), to, src;
	int64_t timeout_ms = DEFAULT_TIMEOUT_MS, deadline;
	uint64_t received = 0, forwarded = 0;
	bool has_to = false;
	const char *ready = NULL;
	int port = -1, sport = 0, opt, lfd, in, out = -1, one = 1, err, result;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'p': port = (int)tk_num("--port", optarg, 1, 65535); break;
		case 'T': to = tk_relay_to_sa(optarg); has_to = true; break;
		case 'S': sport = (int)tk_num("--sport", optarg, 0, 65535); break;
		case 'b': bind_addr = tk_sa_addr("--bind", optarg, 0); break;
		case 't': timeout_ms = (int64_t)tk_num("--timeout-ms", optarg, 1, INT32_MAX); break;
		case 'r': ready = optarg; break;
		default: tk_usage_error("relay: bad option");
		}
	}
	if (port < 0 || !has_to || optind != argc)
		tk_usage_error("relay: needs --port P --to A:PORT");
	tk_catch_signals();
	deadline = tk_now_ms() + timeout_ms;
	tk_sa_set_port(&bind_addr, (uint16_t)port);
	lfd = tk_tcp_listen_sa(&bind_addr, 1);
	tk_ready_file(ready);
	result = accept_one(lfd, deadline, &in, "relay");
	if (in < 0)
		goto done;
	/* onward at once, before any data: the whole chain up for the go */
	out = socket(tk_sa_family(&to), SOCK_STREAM | SOCK_CLOEXEC |
		     SOCK_NONBLOCK, 0);
	if (out < 0)
		tk_die("socket");
	/* a fixed source port again right after a run still in TIME_WAIT */
	setsockopt(out, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(out, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* the wildcard of the onward connection's family, port sport */
	src = tk_sa_any(tk_sa_family(&to), (uint16_t)sport);
	if (sport && bind(out, &src.u.sa, src.len)) {
		fprintf(stderr, "tcpnum: relay: bind to port %d: %s\n", sport,
			strerror(errno));
		result = EXIT_FAIL;
		goto done;
	}
	err = tk_connect_sa(out, &to, deadline);
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

/* counts one record; true if it is intact (its number then in st->last) */
static bool check_record(struct rstats *st, const uint8_t *rec, uint32_t size)
{
	uint32_t seq;

	st->received++;
	if (!tk_rec_verify(rec, size, MAGIC, &seq)) {
		/* its number is not to be trusted: assume it held its place */
		st->bad++;
		st->expect++;
		return false;
	}
	if (seq != st->expect)
		st->bad++;
	/* resync on it: one gap or double costs a bad, not the whole rest */
	st->expect = seq + 1;
	st->last = seq;
	return true;
}

static int cmd_recv(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "size", required_argument, NULL, 's' },
		{ "bind", required_argument, NULL, 'b' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "ready-file", required_argument, NULL, 'r' },
		{ "log", required_argument, NULL, 'L' },
		{ 0 }
	};
	struct tk_sa bind_addr = tk_sa_any(AF_INET, 0);
	int64_t timeout_ms = DEFAULT_TIMEOUT_MS, deadline;
	struct rstats st = { .expect = 1 };
	const char *log_path = NULL;
	FILE *log;
	uint64_t size = 0;
	size_t have = 0;
	const char *ready = NULL;
	int port = -1, opt, lfd, fd, result;
	uint8_t *rec;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'p': port = (int)tk_num("--port", optarg, 1, 65535); break;
		case 's': size = tk_num("--size", optarg, MIN_SIZE, MAX_SIZE); break;
		case 'b': bind_addr = tk_sa_addr("--bind", optarg, 0); break;
		case 't': timeout_ms = (int64_t)tk_num("--timeout-ms", optarg, 1, INT32_MAX); break;
		case 'r': ready = optarg; break;
		case 'L': log_path = optarg; break;
		default: tk_usage_error("recv: bad option");
		}
	}
	if (port < 0 || !size || optind != argc)
		tk_usage_error("recv: needs --port P --size S");
	log = tk_log_open(log_path);
	tk_catch_signals();
	deadline = tk_now_ms() + timeout_ms;
	rec = malloc(size);
	if (!rec)
		tk_die("out of memory");
	tk_sa_set_port(&bind_addr, (uint16_t)port);
	lfd = tk_tcp_listen_sa(&bind_addr, 1);
	tk_ready_file(ready);
	result = accept_one(lfd, deadline, &fd, "recv");
	while (fd >= 0) {
		int w = tk_wait_fd(fd, POLLIN, deadline, true);
		ssize_t n;

		if (w == TK_STOPPED)
			break;
		if (w == TK_LATE) {
			fprintf(stderr, "tcpnum: recv: no EOF within %" PRId64 " ms\n",
				timeout_ms);
			result = EXIT_TIMEOUT;
			break;
		}
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
			if (check_record(&st, rec, (uint32_t)size))
				tk_log_rec(log, st.last, tk_now_ns());
			have = 0;
		}
	}
	printf("received %" PRIu64 " bad %" PRIu64 " bytes %" PRIu64
	       " last_seq %u\n", st.received, st.bad, st.bytes, st.last);
	fflush(stdout);
	if (fd >= 0)
		close(fd);
	free(rec);
	if (tk_log_close(log, log_path) && result == EXIT_OK)
		result = EXIT_FAIL;
	if (result == EXIT_OK && st.bad)
		result = EXIT_FAIL;
	return result;
}

int main(int argc, char **argv)
{
	static const struct tk_command cmds[] = {
		{ "send", cmd_send },
		{ "relay", cmd_relay },
		{ "recv", cmd_recv },
		{ NULL, NULL }
	};

	return tk_run_command(argc, argv, usage_text, cmds);
}
