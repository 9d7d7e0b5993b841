// SPDX-License-Identifier: GPL-2.0
/*
 * bvapp: an application of libbeaver-app for the VM bench (scenario 43).
 * It counts the UDP datagrams it receives on a port and, on every cut
 * announcement E, answers with its state as of the cut:
 *
 *   rx=N naive=M unmarked=U
 *
 * N: the datagrams it received with an epoch below E (before the cut: the
 * state libbeaver-app makes exact); M: every datagram it had read when it
 * answered (what an application without epochs would report: the
 * control); U: datagrams that came without the member's mark. Before
 * answering it drains the socket: the datagrams before the cut were all
 * queued before the announcement was sent.
 *
 *   bvapp --port P [--name N] [--socket PATH] [--timeout-ms T]
 *         [--ready-file F]
 *
 * Waits for beaverd's socket (up to 10 s), then runs until --timeout-ms
 * (default 60000) or SIGTERM; prints `cut E (FIRST..LAST): STATE` per cut,
 * then `cuts C answered A rx R unmarked U`.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "app_open.h"
#include "beaver-app.h"
#include "toolkit.h"

#define EPOCHS 4096	/* per-epoch counts kept (a ring) */

const struct tk_tool tk_tool = {
	.name = "bvapp",
	.fail_status = 1,
	.num_base = 10,
};

struct counts {
	uint64_t total, unmarked;
	uint32_t lo;		/* the oldest epoch in the ring */
	bool any;
	uint64_t n[EPOCHS];	/* n[e % EPOCHS]: datagrams of epoch e */
};

static void count(struct counts *c, int64_t epoch)
{
	uint32_t e = (uint32_t)epoch;

	c->total++;
	if (epoch < 0) {
		c->unmarked++;
		return;
	}
	if (!c->any) {
		c->lo = e;
		c->any = true;
	}
	if ((int32_t)(e - c->lo) < 0 || e - c->lo >= EPOCHS)
		tk_die("an epoch outside the window kept");
	c->n[e % EPOCHS]++;
}

/* marked datagrams of epochs before @e */
static uint64_t before(const struct counts *c, uint32_t e)
{
	uint64_t s = 0;

	for (uint32_t x = c->lo; c->any && (int32_t)(e - x) > 0; x++)
		s += c->n[x % EPOCHS];
	return s;
}

static void drain(struct beaver_app *app, int fd, struct counts *c)
{
	char buf[65536];
	int64_t epoch;

	while (beaver_app_recvfrom(app, fd, buf, sizeof(buf), MSG_DONTWAIT,
				   NULL, NULL, &epoch) >= 0)
		count(c, epoch);
	if (errno != EAGAIN && errno != EWOULDBLOCK)
		tk_die("recvfrom");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "name", required_argument, NULL, 'n' },
		{ "socket", required_argument, NULL, 's' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "ready-file", required_argument, NULL, 'r' },
		{ 0 }
	};
	const char *name = "bvapp", *path = NULL, *ready = NULL;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	uint64_t timeout_ms = 60000, cuts = 0, answered = 0;
	static struct counts c;
	struct beaver_app *app = NULL;
	struct beaver_app_cut cut;
	int port = -1, opt, fd, err = 0;
	int64_t deadline;
	char state[128];

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'p': port = (int)tk_num("--port", optarg, 1, 65535); break;
		case 'n': name = optarg; break;
		case 's': path = optarg; break;
		case 't': timeout_ms = tk_num("--timeout-ms", optarg, 1, INT32_MAX); break;
		case 'r': ready = optarg; break;
		default: tk_usage_error("bad option");
		}
	}
	if (port < 0 || optind != argc)
		tk_usage_error("usage: bvapp --port P [--name N] [--socket PATH] "
			       "[--timeout-ms T] [--ready-file F]");
	tk_catch_signals();
	app = app_open_retry("bvapp", path, name);
	if (!app)
		return 1;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	sa.sin_port = htons((uint16_t)port);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		tk_die("bind");
	err = beaver_app_socket_enable(fd);
	if (err) {
		fprintf(stderr, "bvapp: SO_RCVMARK: %s\n", strerror(-err));
		return 1;
	}
	printf("bvapp: subscribed as %s: mask %#x epoch %u\n", name,
	       beaver_app_mark_mask(app), beaver_app_epoch(app));
	fflush(stdout);
	tk_ready_file(ready);
	deadline = tk_now_us() + (int64_t)timeout_ms * 1000;
	while (!tk_stop && tk_now_us() < deadline) {
		struct pollfd p[2] = {
			{ .fd = fd, .events = POLLIN },
			{ .fd = beaver_app_fd(app), .events = POLLIN },
		};

		if (poll(p, 2, 100) <= 0)
			continue;
		if (p[0].revents)
			drain(app, fd, &c);
		if (!p[1].revents)
			continue;
		err = beaver_app_next_cut(app, &cut, 0);
		if (err < 0) {
			fprintf(stderr, "bvapp: beaverd: %s\n", strerror(-err));
			break;
		}
		if (!err)
			continue;
		cuts++;
		/* every datagram before the cut is queued by now */
		drain(app, fd, &c);
		snprintf(state, sizeof(state), "rx=%llu naive=%llu unmarked=%llu",
			 (unsigned long long)before(&c, cut.epoch),
			 (unsigned long long)c.total,
			 (unsigned long long)c.unmarked);
		if (!beaver_app_submit(app, cut.epoch, state))
			answered++;
		printf("cut %u (%u..%u): %s\n", cut.epoch, cut.first, cut.last,
		       state);
		fflush(stdout);
	}
	printf("cuts %llu answered %llu rx %llu unmarked %llu\n",
	       (unsigned long long)cuts, (unsigned long long)answered,
	       (unsigned long long)c.total, (unsigned long long)c.unmarked);
	beaver_app_close(app);
	close(fd);
	return err < 0 ? 1 : 0;
}
