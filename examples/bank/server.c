// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bank-server: the account server of the bank example, one per member
 * (docs/applications.md, "The bank"). It holds BANK_ACCOUNTS accounts,
 * moves money to the other members' servers at --rate transfers a second
 * (directly over UDP, through bank-relay, over TCP, in turn), applies
 * what it receives, and on every cut of its member submits its state as
 * of the cut (ledger.c says how it knows it) to beaverd.
 *
 *   bank-server --id N --addr A --peer I=ADDR... [--relay ADDR]
 *               [--balance B] [--rate R] [--kinds urt] [--seed S]
 *               [--socket PATH] [--timeout-ms T] [--ready-file F]
 *
 * SIGTERM (or the time-out) ends it; SIGUSR1 stops new transfers (what
 * is on the way still arrives). The last line: `sent N received M
 * cuts C answered A unmarked U balance B`.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <beaver-app.h>

#include "bank.h"
#include "ledger.h"


static volatile sig_atomic_t stop, quiet;
static void on_signal(int sig) { if (sig == SIGUSR1) quiet = 1; else stop = 1; }

struct peer {
	bool on;
	struct sockaddr_in addr;	/* its address, port BANK_PORT */
	uint64_t dgrams;		/* datagrams sent to it from BANK_PORT */
	uint32_t next_id[3];		/* u, r, t */
	int tout, tin;			/* TCP to it, from it (-1: none) */
	char rbuf[BANK_TCP_REC];
	size_t rlen;
};

static struct {
	int me;
	const char *addr;
	struct peer p[BANK_MAX_ID + 1];
	int np;
	struct sockaddr_in relay;
	bool has_relay;
	uint64_t relay_dgrams;
	int ud, uin, uout, tl;
	struct beaver_app *app;
	struct ledger l;
	uint64_t sent, received, cuts, answered;
	unsigned seed;
} S;

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void die(const char *what)
{
	fprintf(stderr, "bank-server %d: %s: %s\n", S.me, what, strerror(errno));
	exit(1);
}

static int udp_bound(int port, bool marks)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die("udp bind");
	if (marks && beaver_app_socket_enable(fd)) {
		fprintf(stderr, "bank-server %d: SO_RCVMARK refused\n", S.me);
		exit(1);
	}
	return fd;
}

static void tcp_connect_all(void)
{
	for (int i = 1; i <= BANK_MAX_ID; i++) {
		struct peer *p = &S.p[i];
		struct sockaddr_in sa, me = { 0 };
		socklen_t sl = sizeof(me);
		int one = 1;

		if (!p->on)
			continue;
		sa = p->addr;
		sa.sin_port = htons(BANK_TCP_PORT);
		for (int tries = 0;; tries++) {
			p->tout = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (p->tout < 0)
				die("socket");
			if (!connect(p->tout, (struct sockaddr *)&sa, sizeof(sa)))
				break;
			close(p->tout);
			if (tries > 200 || stop)
				die("connect to a peer's bank-server");
			usleep(50000);
		}
		setsockopt(p->tout, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (getsockname(p->tout, (struct sockaddr *)&me, &sl))
			die("getsockname");
		S.l.out[i].up = true;
		S.l.out[i].port = ntohs(me.sin_port);
		/* base 0: bank-check finds where the stream starts in the
		 * member's record (tx_isn), no privilege needed here */
	}
}

static void tcp_accept(void)
{
	struct sockaddr_in sa = { 0 };
	socklen_t sl = sizeof(sa);
	int fd = accept4(S.tl, (struct sockaddr *)&sa, &sl, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	for (int i = 1; i <= BANK_MAX_ID; i++) {
		struct peer *p = &S.p[i];

		if (!p->on || p->addr.sin_addr.s_addr != sa.sin_addr.s_addr ||
		    p->tin >= 0)
			continue;
		/* no base here: data may be queued already; the stream's
		 * base is the sender's (the same sequence space) */
		fcntl(fd, F_SETFL, O_NONBLOCK);
		p->tin = fd;
		S.l.in[i].up = true;
		S.l.in[i].port = ntohs(sa.sin_port);
		return;
	}
	close(fd);
}

static void send_dgram(int fd, const struct sockaddr_in *to, const char *b, int n)
{
	/* blocking sends would stall cut announcements; a full buffer is
	 * rare at these rates and fatal (a transfer lost is money lost) */
	if (sendto(fd, b, (size_t)n, 0, (const struct sockaddr *)to, sizeof(*to)) != n)
		die("sendto");
}

static void ack(const struct bank_msg *t)
{
	struct bank_msg a = *t;
	char b[96];
	int n;

	a.type = 'A';
	n = bank_msg_encode(&a, b, sizeof(b));
	S.p[t->from].dgrams++;
	send_dgram(S.ud, &S.p[t->from].addr, b, n);
}

static void on_dgram(int fd)
{
	char b[512];
	int64_t e;
	ssize_t n;
	struct bank_msg m;

	while ((n = beaver_app_recvfrom(S.app, fd, b, sizeof(b), MSG_DONTWAIT,
					NULL, NULL, &e)) >= 0) {
		if (bank_msg_decode(b, (size_t)n, &m))
			continue;
		if (m.type == 'T' && m.to == S.me && S.p[m.from].on) {
			ledger_received(&S.l, &m, e, beaver_app_epoch(S.app));
			S.received++;
			ack(&m);
		} else if (m.type == 'A' && m.from == S.me && S.p[m.to].on) {
			ledger_acked(&S.l, m.kind, m.to, m.id, e,
				     beaver_app_epoch(S.app));
		}
	}
	if (errno != EAGAIN && errno != EWOULDBLOCK)
		die("recvfrom");
}

static void on_tcp(int i)
{
	struct peer *p = &S.p[i];
	struct bank_msg m;
	ssize_t n;

	while (p->tin >= 0) {
		n = read(p->tin, p->rbuf + p->rlen, BANK_TCP_REC - p->rlen);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
			close(p->tin);
			p->tin = -1;
			return;
		}
		if (n < 0)
			return;
		p->rlen += (size_t)n;
		if (p->rlen < BANK_TCP_REC)
			continue;
		p->rlen = 0;
		if (bank_msg_decode(p->rbuf, BANK_TCP_REC, &m) || m.type != 'T' ||
		    m.from != i || m.to != S.me) {
			fprintf(stderr, "bank-server %d: a bad TCP record\n", S.me);
			exit(1);
		}
		ledger_tcp_read(&S.l, i, m.acct, m.amount);
		S.received++;
	}
}

static void drain(void)
{
	on_dgram(S.ud);
	on_dgram(S.uin);
	for (int i = 1; i <= BANK_MAX_ID; i++)
		if (S.p[i].on)
			on_tcp(i);
}

static void transfer(int n)
{
	static const char kinds[] = "urt";
	char kind = kinds[n % 3];
	int to, from_acct = rand_r(&S.seed) % BANK_ACCOUNTS, k = n % 3;
	uint32_t amount = 1 + (uint32_t)rand_r(&S.seed) % 100;
	struct bank_msg m = { .type = 'T', .kind = kind, .from = S.me };
	char b[BANK_TCP_REC + 1];
	int len;

	do
		to = 1 + rand_r(&S.seed) % BANK_MAX_ID;
	while (!S.p[to].on);
	if (kind == 'r' && !S.has_relay)
		kind = m.kind = 'u', k = 0;
	if (S.l.bal[from_acct] < amount)
		return;
	m.to = to;
	m.id = ++S.p[to].next_id[k];
	m.acct = rand_r(&S.seed) % BANK_ACCOUNTS;
	m.amount = amount;
	len = bank_msg_encode(&m, b, sizeof(b));
	if (kind == 'u') {
		ledger_sent(&S.l, 'u', to, m.id, from_acct, amount, ++S.p[to].dgrams);
		send_dgram(S.ud, &S.p[to].addr, b, len);
	} else if (kind == 'r') {
		ledger_sent(&S.l, 'r', to, m.id, from_acct, amount, ++S.relay_dgrams);
		send_dgram(S.uout, &S.relay, b, len);
	} else {
		/* a fixed-size record: the stream splits at record bounds */
		memset(b + len - 1, ' ', (size_t)(BANK_TCP_REC - len));
		b[BANK_TCP_REC - 1] = '\n';
		ledger_tcp_sent(&S.l, to, from_acct, amount);
		if (write(S.p[to].tout, b, BANK_TCP_REC) != BANK_TCP_REC)
			die("TCP write");
	}
	S.sent++;
}

/*
 * Cuts announced and not yet answered. A datagram counted before the cut
 * has passed the member's hook, but on another CPU it may still be on
 * its way up to the socket when the announcement arrives (under TCG, a
 * host that descheduled that vCPU made it hundreds of microseconds, and
 * the demo once answered without it): the state is computed ANSWER_MS
 * after the announcement, after draining again. beaverd waits up to
 * BVA_WAIT_MS (1 s) for the answer.
 */
#define ANSWER_MS	100
#define PENDING_CUTS	64
static struct { uint32_t epoch; int64_t due; } pending[PENDING_CUTS];
static unsigned int n_pending;

static void answer_due(int64_t now)
{
	static char state[BEAVER_APP_STATE_MAX + 1];

	while (n_pending && pending[0].due <= now) {
		uint32_t epoch = pending[0].epoch;

		memmove(&pending[0], &pending[1], --n_pending * sizeof(pending[0]));
		drain();
		if (ledger_state(&S.l, epoch, S.addr, state, sizeof(state)) < 0) {
			fprintf(stderr, "bank-server %d: state of %u over %d bytes\n",
				S.me, epoch, BEAVER_APP_STATE_MAX);
			continue;
		}
		if (!beaver_app_submit(S.app, epoch, state))
			S.answered++;
	}
}

static void on_cuts(void)
{
	struct beaver_app_cut cut;
	int r;

	while ((r = beaver_app_next_cut(S.app, &cut, 0)) == 1) {
		S.cuts++;
		if (n_pending == PENDING_CUTS)	/* a stall: answer the oldest */
			answer_due(INT64_MAX);
		pending[n_pending].epoch = cut.epoch;
		pending[n_pending++].due = now_ms() + ANSWER_MS;
	}
	if (r < 0) {
		fprintf(stderr, "bank-server %d: beaverd: %s\n", S.me, strerror(-r));
		stop = 1;
	}
}

static void parse_addr(const char *s, int port, struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, s, &sa->sin_addr) != 1) {
		fprintf(stderr, "bank-server: not an IPv4 address: %s\n", s);
		exit(2);
	}
}

static void usage(void);

/* a whole decimal number in [lo, hi] or the usage message */
static long long num(const char *s, long long lo, long long hi)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		usage();
	return v;
}

static void usage(void)
{
	fprintf(stderr, "usage: bank-server --id N --addr A --peer I=ADDR... "
		"[--relay ADDR] [--balance B] [--rate R] [--seed S] "
		"[--socket PATH] [--timeout-ms T] [--ready-file F]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "id", required_argument, NULL, 'i' },
		{ "addr", required_argument, NULL, 'a' },
		{ "peer", required_argument, NULL, 'p' },
		{ "relay", required_argument, NULL, 'r' },
		{ "balance", required_argument, NULL, 'b' },
		{ "rate", required_argument, NULL, 'R' },
		{ "seed", required_argument, NULL, 's' },
		{ "socket", required_argument, NULL, 'S' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "ready-file", required_argument, NULL, 'f' },
		{ 0 }
	};
	const char *sock = NULL, *ready = NULL;
	long long balance = 250000;
	double rate = 50;
	long timeout_ms = 60000;
	int opt, err = -1, n = 0;
	int64_t next, end;
	struct sigaction sa = { .sa_handler = on_signal };

	S.seed = (unsigned)getpid();
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'i': S.me = (int)num(optarg, 1, BANK_MAX_ID); break;
		case 'a': S.addr = optarg; break;
		case 'p': {
			const char *eq = strchr(optarg, '=');
			int i = optarg[0] - '0';

			if (!eq || eq != optarg + 1 || i < 1 || i > BANK_MAX_ID)
				usage();
			parse_addr(eq + 1, BANK_PORT, &S.p[i].addr);
			S.p[i].on = true;
			S.np++;
			break;
		}
		case 'r': parse_addr(optarg, BANK_RELAY_PORT, &S.relay); S.has_relay = true; break;
		case 'b': balance = num(optarg, 0, 1000000000000LL); break;
		case 'R': rate = (double)num(optarg, 1, 10000); break;
		case 's': S.seed = (unsigned)num(optarg, 0, UINT32_MAX); break;
		case 'S': sock = optarg; break;
		case 't': timeout_ms = (long)num(optarg, 1, INT32_MAX); break;
		case 'f': ready = optarg; break;
		default: usage();
		}
	}
	if (S.me < 1 || S.me > BANK_MAX_ID || !S.addr || !S.np || S.p[S.me].on ||
	    rate <= 0 || balance < 0 || optind != argc)
		usage();
	for (int i = 0; i <= BANK_MAX_ID; i++)
		S.p[i].tout = S.p[i].tin = -1;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	ledger_init(&S.l, S.me, balance);
	/* beaverd may still be starting */
	for (int i = 0; i < 100 && err; i++) {
		err = beaver_app_open(sock, "bank", &S.app);
		if (err && err != -ENOENT && err != -ECONNREFUSED)
			break;
		if (err)
			usleep(100000);
	}
	if (err) {
		fprintf(stderr, "bank-server %d: beaver_app_open: %s\n", S.me, strerror(-err));
		return 1;
	}
	S.ud = udp_bound(BANK_PORT, true);
	S.uin = udp_bound(BANK_VIA_PORT + S.me, true);
	S.uout = udp_bound(BANK_OUT_PORT, false);
	{
		struct sockaddr_in ta = { .sin_family = AF_INET, .sin_port = htons(BANK_TCP_PORT) };
		int one = 1;

		S.tl = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		setsockopt(S.tl, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (S.tl < 0 || bind(S.tl, (struct sockaddr *)&ta, sizeof(ta)) ||
		    listen(S.tl, 16))
			die("TCP listen");
	}
	tcp_connect_all();
	if (ready) {
		FILE *f = fopen(ready, "w");

		if (f)
			fclose(f);
	}
	printf("bank-server %d: mask %#x, %d peers\n", S.me,
	       beaver_app_mark_mask(S.app), S.np);
	fflush(stdout);
	next = now_ms();
	end = next + timeout_ms;
	while (!stop && now_ms() < end) {
		struct pollfd p[4 + BANK_MAX_ID];
		int np = 0, idx[4 + BANK_MAX_ID];
		int64_t t = now_ms(), wait = quiet ? 100 : next - t;

		if (n_pending && pending[0].due - t < wait)
			wait = pending[0].due - t;

		p[np++] = (struct pollfd){ .fd = beaver_app_fd(S.app), .events = POLLIN };
		p[np++] = (struct pollfd){ .fd = S.ud, .events = POLLIN };
		p[np++] = (struct pollfd){ .fd = S.uin, .events = POLLIN };
		p[np++] = (struct pollfd){ .fd = S.tl, .events = POLLIN };
		for (int i = 1; i <= BANK_MAX_ID; i++)
			if (S.p[i].tin >= 0) {
				idx[np] = i;
				p[np++] = (struct pollfd){ .fd = S.p[i].tin, .events = POLLIN };
			}
		if (poll(p, (nfds_t)np, wait < 0 ? 0 : (int)wait) < 0 && errno != EINTR)
			die("poll");
		if (p[1].revents)
			on_dgram(S.ud);
		if (p[2].revents)
			on_dgram(S.uin);
		if (p[3].revents)
			tcp_accept();
		for (int j = 4; j < np; j++)
			if (p[j].revents)
				on_tcp(idx[j]);
		if (p[0].revents)
			on_cuts();
		answer_due(now_ms());
		/* the transfers due, at most a few at once after a stall */
		for (int burst = 0; !quiet && now_ms() >= next && burst < 8; burst++) {
			transfer(n++);
			next += (int64_t)(1000.0 / rate);
		}
		if (now_ms() > next + 1000)
			next = now_ms();
	}
	{
		long long b = 0;

		for (int a = 0; a < BANK_ACCOUNTS; a++)
			b += S.l.bal[a];
		printf("sent %llu received %llu cuts %llu answered %llu unmarked %llu balance %lld\n",
		       (unsigned long long)S.sent, (unsigned long long)S.received,
		       (unsigned long long)S.cuts, (unsigned long long)S.answered,
		       (unsigned long long)S.l.unmarked, b);
	}
	beaver_app_close(S.app);
	return 0;
}
