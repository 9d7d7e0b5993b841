// SPDX-License-Identifier: GPL-2.0
/*
 * toolkit: the helpers the test tools share; see toolkit.h.
 */
#include "toolkit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* --- exits -------------------------------------------------------------- */

void tk_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", tk_tool.name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see %s --help)\n", tk_tool.name);
	exit(TK_EXIT_USAGE);
}

void tk_die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", tk_tool.name, what, strerror(errno));
	exit(tk_tool.fail_status);
}

/* --- commands ----------------------------------------------------------- */

int tk_run_command(int argc, char **argv, const char *usage,
		   const struct tk_command *cmds)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return TK_EXIT_USAGE;
	}
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return 0;
		}
	}
	/* the command's options start after its name */
	for (const struct tk_command *c = cmds; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown command '%s'\n", tk_tool.name, argv[1]);
	fputs(usage, stderr);
	return TK_EXIT_USAGE;
}

/* --- option values ------------------------------------------------------ */

uint64_t tk_num(const char *opt, const char *s, uint64_t min, uint64_t max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (!s || !*s || *s == '-') {
		if (!tk_tool.num_quotes_all)
			tk_usage_error("bad value for %s", opt);
		tk_usage_error("bad value '%s' for %s", s ? s : "", opt);
	}
	v = strtoull(s, &end, tk_tool.num_base);
	if (errno || *end || v < min || v > max)
		tk_usage_error("bad value '%s' for %s", s, opt);
	return v;
}

struct in_addr tk_addr(const char *opt, const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		if (tk_tool.addr_hides_value)
			tk_usage_error("bad IPv4 address for %s", opt);
		tk_usage_error("bad IPv4 address '%s' for %s", s, opt);
	}
	return a;
}

struct tk_sa tk_sa_any(int family, uint16_t port)
{
	struct tk_sa a;

	memset(&a, 0, sizeof(a));
	a.u.sa.sa_family = (sa_family_t)family;
	a.len = family == AF_INET6 ? sizeof(a.u.in6) : sizeof(a.u.in);
	tk_sa_set_port(&a, port);
	return a;
}

void tk_sa_set_port(struct tk_sa *a, uint16_t port)
{
	if (tk_sa_family(a) == AF_INET6)
		a->u.in6.sin6_port = htons(port);
	else
		a->u.in.sin_port = htons(port);
}

struct tk_sa tk_sa_addr(const char *opt, const char *s, uint16_t port)
{
	struct tk_sa a = tk_sa_any(AF_INET6, port);

	if (inet_pton(AF_INET6, s, &a.u.in6.sin6_addr) == 1)
		return a;
	a = tk_sa_any(AF_INET, port);
	if (inet_pton(AF_INET, s, &a.u.in.sin_addr) != 1) {
		if (tk_tool.addr_hides_value)
			tk_usage_error("bad IPv4 or IPv6 address for %s", opt);
		tk_usage_error("bad IPv4 or IPv6 address '%s' for %s", s, opt);
	}
	return a;
}

bool tk_sa_for(struct tk_sa *a, int family)
{
	struct tk_sa m;

	if (tk_sa_family(a) == family)
		return true;
	if (family != AF_INET6)
		return false;
	m = tk_sa_any(AF_INET6, ntohs(a->u.in.sin_port));
	m.u.in6.sin6_addr.s6_addr[10] = 0xff;
	m.u.in6.sin6_addr.s6_addr[11] = 0xff;
	memcpy(&m.u.in6.sin6_addr.s6_addr[12], &a->u.in.sin_addr, 4);
	*a = m;
	return true;
}

struct tk_sa tk_relay_to_sa(const char *s)
{
	char host[INET6_ADDRSTRLEN];
	const char *colon = strrchr(s, ':'), *h = s;
	size_t hl = colon ? (size_t)(colon - s) : 0;

	/* [A6]:PORT, the brackets around the address */
	if (s[0] == '[') {
		if (!colon || hl < 2 || s[hl - 1] != ']')
			tk_usage_error("relay: --to needs A:PORT or [A6]:PORT, "
				       "not '%s'", s);
		h = s + 1;
		hl -= 2;
	}
	if (!colon || hl >= sizeof(host))
		tk_usage_error("relay: --to needs A:PORT, not '%s'", s);
	memcpy(host, h, hl);
	host[hl] = '\0';
	if (h == s && strchr(host, ':'))
		tk_usage_error("relay: --to takes an IPv6 address as "
			       "[A6]:PORT, not '%s'", s);
	return tk_sa_addr("--to", host,
			  (uint16_t)tk_num("--to port", colon + 1, 1, 65535));
}

struct sockaddr_in tk_relay_to(const char *s)
{
	struct tk_sa a = tk_relay_to_sa(s);

	if (tk_sa_family(&a) != AF_INET)
		tk_usage_error("relay: --to needs an IPv4 A:PORT, not '%s'", s);
	return a.u.in;
}

/* --- time --------------------------------------------------------------- */

int64_t tk_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t tk_now_us(void)
{
	return tk_now_ns() / 1000;
}

int64_t tk_now_ms(void)
{
	return tk_now_ns() / 1000000;
}

void tk_sleep_until_ns(int64_t at)
{
	struct timespec ts = { .tv_sec = at / 1000000000,
			       .tv_nsec = at % 1000000000 };

	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

int tk_remaining(int64_t deadline)
{
	int64_t r = deadline - tk_now_ms();

	return r > 0 ? (int)r : 0;
}

int tk_poll_ms(int64_t now, int64_t d1, int64_t d2)
{
	int64_t d = d1 && (!d2 || d1 < d2) ? d1 : d2;

	if (!d)
		return -1;
	if (d <= now)
		return 0;
	return (int)((d - now + 999) / 1000);
}

/* --- signals and files -------------------------------------------------- */

volatile sig_atomic_t tk_stop;

static void on_signal(int sig)
{
	(void)sig;
	tk_stop = 1;
}

void tk_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

void tk_ready_file(const char *path)
{
	FILE *f;

	if (!path)
		return;
	f = fopen(path, "w");
	if (!f)
		tk_die(path);
	fclose(f);
}

/* --- message logs ------------------------------------------------------- */

FILE *tk_log_open(const char *path)
{
	FILE *f;

	if (!path)
		return NULL;
	f = fopen(path, "w");
	if (!f)
		tk_die(path);
	return f;
}

void tk_log_rec(FILE *f, uint32_t seq, int64_t ns)
{
	if (f)
		fprintf(f, "%u %lld\n", seq, (long long)ns);
}

int tk_log_close(FILE *f, const char *path)
{
	if (!f)
		return 0;
	if (ferror(f) | fclose(f)) {
		fprintf(stderr, "%s: %s: write error\n", tk_tool.name, path);
		return 1;
	}
	return 0;
}

/* --- numbered records --------------------------------------------------- */

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

void tk_rec_build(uint8_t *buf, uint32_t magic, uint32_t seq, uint32_t size)
{
	put_be32(buf, magic);
	put_be32(buf + 4, seq);
	put_be32(buf + 8, size);
	for (uint32_t i = TK_REC_HDR_LEN; i < size; i++)
		buf[i] = pattern(seq, i);
}

bool tk_rec_verify(const uint8_t *buf, size_t len, uint32_t magic,
		   uint32_t *seq)
{
	if (len < TK_REC_HDR_LEN || get_be32(buf) != magic ||
	    get_be32(buf + 8) != len)
		return false;
	*seq = get_be32(buf + 4);
	for (uint32_t i = TK_REC_HDR_LEN; i < len; i++)
		if (buf[i] != pattern(*seq, i))
			return false;
	return true;
}

/* --- TCP ---------------------------------------------------------------- */

int tk_tcp_listen_sa(const struct tk_sa *bind_to, int backlog)
{
	int fd, one = 1;

	fd = socket(tk_sa_family(bind_to), SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		tk_die("socket");
	/* a test restarting a receiver on the same port must not wait */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, &bind_to->u.sa, bind_to->len) || listen(fd, backlog))
		tk_die("bind/listen");
	return fd;
}

int tk_tcp_listen(struct in_addr bind_addr, uint16_t port, int backlog)
{
	struct tk_sa sa = tk_sa_any(AF_INET, port);

	sa.u.in.sin_addr = bind_addr;
	return tk_tcp_listen_sa(&sa, backlog);
}

int tk_connect(int fd, const struct sockaddr_in *dst, int64_t deadline)
{
	struct tk_sa sa = { .u.in = *dst, .len = sizeof(*dst) };

	return tk_connect_sa(fd, &sa, deadline);
}

int tk_connect_sa(int fd, const struct tk_sa *dst, int64_t deadline)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (!connect(fd, &dst->u.sa, dst->len))
		return 0;
	if (errno != EINPROGRESS)
		return -errno;
	/* POLLOUT, or POLLERR/POLLHUP when it failed: SO_ERROR says which */
	if (tk_wait_fd(fd, POLLOUT, deadline, false) != TK_READY)
		return -ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return -errno;
	return -err;
}

int tk_wait_fd(int fd, short events, int64_t deadline, bool heed_stop)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	for (;;) {
		if (heed_stop && tk_stop)
			return TK_STOPPED;
		if (!tk_remaining(deadline))
			return TK_LATE;
		/* a signal (EINTR) or a timeout: check again */
		if (poll(&pfd, 1, tk_remaining(deadline)) > 0)
			return TK_READY;
	}
}

void tk_pin_cpu(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		tk_die("sched_setaffinity");
}
