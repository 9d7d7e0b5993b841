// SPDX-License-Identifier: GPL-2.0
/*
 * bvtcpapp: a TCP application of libbeaver-app for the VM bench (scenario
 * 44). It accepts one connection on a port and reads tcpnum's S-byte
 * records (tests/tools/tcpnum.c: numbered 1, 2, ..., each checked). On
 * every cut announcement E it asks beaver_app_tcp_cut() where the cut
 * falls in the stream, reads on until it holds every byte before the cut,
 * and answers with its state as of the cut:
 *
 *   tcp=1 rx=R tx=T msgs=M last=L naive=N
 *
 * R, T: the byte counts beaver_app_tcp_cut() gave; M = R / S, the records
 * wholly before the cut; L: the number inside record M as read (M if the
 * stream is what the library says); N: the records it had read when the
 * announcement came (what an application without the library would
 * report: the control). `tcp=0` when the library answered unknown.
 *
 * Independently of the module it learns both ISNs at accept, before any
 * data came (the sender waits for --go-file): TCP_REPAIR's receive queue
 * sequence (rcv_nxt) is the peer's ISN + 1 then, the send queue's
 * (write_seq) ours + 1. Needs CAP_NET_ADMIN; printed as
 * `isn RX_ISN TX_ISN`.
 *
 *   bvtcpapp --port P --size S [--name N] [--socket PATH]
 *            [--timeout-ms T] [--ready-file F] [--go-file F]
 *            [--reply-every K]
 *
 * --go-file F: created once the ISNs are read (tcpnum send --go-file F).
 * --reply-every K: an 8-byte reply after every K records (our stream,
 * so that tx counts too).
 * Prints `cut E (FIRST..LAST): STATE` per cut, then
 * `cuts C answered A unknown U records R bad B replies P`.
 */
#include <errno.h>
#include <fcntl.h>
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
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/sockios.h>
#include <linux/tcp.h>

#include "app_open.h"
#include "beaver-app.h"
#include "toolkit.h"

#define MAGIC		0x42565431u	/* tcpnum's "BVT1" */
#define MAX_SIZE	65536

const struct tk_tool tk_tool = {
	.name = "bvtcpapp",
	.fail_status = 1,
	.num_base = 10,
};

struct stream {
	int fd;
	uint32_t size;
	uint64_t bytes;		/* read so far */
	uint64_t records, bad;
	uint32_t *nums;		/* nums[k]: the number in record k + 1 */
	uint64_t cap;
	uint8_t rec[MAX_SIZE];
	bool eof;
};

/* read what is there (or wait up to @wait_ms for something): records */
static void pull(struct stream *s, int wait_ms)
{
	struct pollfd p = { .fd = s->fd, .events = POLLIN };
	uint32_t off = (uint32_t)(s->bytes % s->size), seq;
	ssize_t n;

	if (s->eof || poll(&p, 1, wait_ms) <= 0)
		return;
	n = recv(s->fd, s->rec + off, s->size - off, MSG_DONTWAIT);
	if (n == 0) {
		s->eof = true;
		return;
	}
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		tk_die("recv");
	}
	s->bytes += (uint64_t)n;
	if (s->bytes % s->size)
		return;
	if (s->records == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 4096;
		s->nums = realloc(s->nums, s->cap * sizeof(*s->nums));
		if (!s->nums)
			tk_die("realloc");
	}
	if (!tk_rec_verify(s->rec, s->size, MAGIC, &seq) ||
	    seq != s->records + 1)
		s->bad++;
	s->nums[s->records++] = seq;
}

/* one queue's sequence number (TCP_REPAIR on): rcv_nxt or write_seq */
static int64_t queue_seq(int fd, int q)
{
	uint32_t seq = 0;
	socklen_t len = sizeof(seq);

	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, &q, sizeof(q)) ||
	    getsockopt(fd, IPPROTO_TCP, TCP_QUEUE_SEQ, &seq, &len))
		return -1;
	return seq;
}

/*
 * Both ISNs before any data, with TCP_REPAIR (root): the peer's from
 * rcv_nxt, ours from write_seq (each one past its SYN then)
 */
static void isns(int fd, int64_t *rx, int64_t *tx)
{
	int on = 1, off = TCP_REPAIR_OFF_NO_WP, inq = -1;
	int64_t r, t;

	*rx = *tx = -1;
	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &on, sizeof(on)))
		return;
	r = queue_seq(fd, TCP_RECV_QUEUE);
	t = queue_seq(fd, TCP_SEND_QUEUE);
	if (r >= 0 && !ioctl(fd, SIOCINQ, &inq) && inq == 0)
		*rx = (uint32_t)(r - 1);
	if (t >= 0)
		*tx = (uint32_t)(t - 1);
	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &off, sizeof(off)))
		tk_die("TCP_REPAIR off");
}

/* every @every records, an 8-byte reply: our own stream */
static void reply(struct stream *s, uint64_t every, uint64_t *done)
{
	static const char msg[8] = "ack.....";

	while (every && *done < s->records / every) {
		if (send(s->fd, msg, sizeof(msg), MSG_NOSIGNAL) != sizeof(msg))
			return;
		(*done)++;
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "size", required_argument, NULL, 'z' },
		{ "name", required_argument, NULL, 'n' },
		{ "socket", required_argument, NULL, 's' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "ready-file", required_argument, NULL, 'r' },
		{ "go-file", required_argument, NULL, 'g' },
		{ "reply-every", required_argument, NULL, 'e' },
		{ 0 }
	};
	const char *name = "bvtcpapp", *path = NULL, *ready = NULL, *go = NULL;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	uint64_t timeout_ms = 60000, cuts = 0, answered = 0, unknown = 0;
	uint64_t every = 0, replies = 0;
	int64_t isn_rx, isn_tx;
	static struct stream s;
	struct beaver_app *app = NULL;
	struct beaver_app_cut cut;
	int port = -1, opt, l, err = 0, one = 1;
	int64_t deadline;
	char state[160];

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'p': port = (int)tk_num("--port", optarg, 1, 65535); break;
		case 'z': s.size = (uint32_t)tk_num("--size", optarg, 16, MAX_SIZE); break;
		case 'n': name = optarg; break;
		case 's': path = optarg; break;
		case 't': timeout_ms = tk_num("--timeout-ms", optarg, 1, INT32_MAX); break;
		case 'r': ready = optarg; break;
		case 'g': go = optarg; break;
		case 'e': every = tk_num("--reply-every", optarg, 0, 1000000); break;
		default: tk_usage_error("bad option");
		}
	}
	if (port < 0 || !s.size || optind != argc)
		tk_usage_error("usage: bvtcpapp --port P --size S [--name N] "
			       "[--socket PATH] [--timeout-ms T] "
			       "[--ready-file F] [--go-file F]");
	tk_catch_signals();
	app = app_open_retry("bvtcpapp", path, name);
	if (!app)
		return 1;
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	sa.sin_port = htons((uint16_t)port);
	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l, (struct sockaddr *)&sa, sizeof(sa)) || listen(l, 1))
		tk_die("listen");
	printf("bvtcpapp: subscribed as %s, listening on %d\n", name, port);
	fflush(stdout);
	tk_ready_file(ready);
	deadline = tk_now_us() + (int64_t)timeout_ms * 1000;
	s.fd = accept(l, NULL, NULL);
	if (s.fd < 0)
		tk_die("accept");
	close(l);
	isns(s.fd, &isn_rx, &isn_tx);
	printf("isn %lld %lld\n", (long long)isn_rx, (long long)isn_tx);
	fflush(stdout);
	tk_ready_file(go);
	while (!tk_stop && tk_now_us() < deadline) {
		struct pollfd p[2] = {
			{ .fd = s.fd, .events = s.eof ? 0 : POLLIN },
			{ .fd = beaver_app_fd(app), .events = POLLIN },
		};
		uint64_t rx, tx, naive;
		int r;

		if (poll(p, 2, 100) <= 0)
			continue;
		if (p[0].revents)
			pull(&s, 0);
		reply(&s, every, &replies);
		if (!p[1].revents)
			continue;
		err = beaver_app_next_cut(app, &cut, 0);
		if (err < 0) {
			fprintf(stderr, "bvtcpapp: beaverd: %s\n", strerror(-err));
			break;
		}
		if (!err)
			continue;
		err = 0;
		cuts++;
		naive = s.records;	/* the control: read by now */
		r = beaver_app_tcp_cut(app, s.fd, cut.epoch, &rx, &tx);
		if (r < 0) {
			fprintf(stderr, "bvtcpapp: tcp_cut %u: %s\n", cut.epoch,
				strerror(-r));
			continue;
		}
		if (!r) {
			unknown++;
			snprintf(state, sizeof(state), "tcp=0 naive=%llu",
				 (unsigned long long)naive);
		} else {
			uint64_t m = rx / s.size;

			/* the state as of the cut needs every byte before it */
			while (s.bytes < rx && !s.eof && !tk_stop &&
			       tk_now_us() < deadline)
				pull(&s, 100);
			snprintf(state, sizeof(state),
				 "tcp=1 rx=%llu tx=%llu msgs=%llu last=%llu naive=%llu",
				 (unsigned long long)rx, (unsigned long long)tx,
				 (unsigned long long)m,
				 (unsigned long long)(m && m <= s.records ?
						      s.nums[m - 1] : 0),
				 (unsigned long long)naive);
		}
		if (!beaver_app_submit(app, cut.epoch, state))
			answered++;
		printf("cut %u (%u..%u): %s\n", cut.epoch, cut.first, cut.last,
		       state);
		fflush(stdout);
	}
	printf("cuts %llu answered %llu unknown %llu records %llu bad %llu "
	       "replies %llu\n",
	       (unsigned long long)cuts, (unsigned long long)answered,
	       (unsigned long long)unknown, (unsigned long long)s.records,
	       (unsigned long long)s.bad, (unsigned long long)replies);
	beaver_app_close(app);
	close(s.fd);
	free(s.nums);
	return err < 0 ? 1 : 0;
}
