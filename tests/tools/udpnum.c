// SPDX-License-Identifier: GPL-2.0
/*
 * udpnum: numbered, self-verifying UDP datagrams for the consistency tests.
 *
 * Every datagram carries (big endian) a magic, its sequence number and its
 * own length, then bytes derived from the sequence number, so the receiver
 * can tell exactly which datagrams arrived, twice or damaged (a stamp that
 * was not stripped, or stripped wrongly, shows up as `bad`).
 *
 *   udpnum send  --dst A --port P --count N [--first K] [--size S] ...
 *   udpnum recv  --port P [--count N] [--timeout-ms T] [--idle-ms T] ...
 *                [--missing-file F [--last N]]
 *   udpnum relay --port P --to A:PORT ...
 *
 * See usage() for every option. Exit: 0 ok, 1 error or bad datagrams,
 * 2 usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "beaver_stamp.h"
#include "toolkit.h"

#ifndef SO_RCVMARK
#define SO_RCVMARK	75	/* Linux 5.19: skb->mark as a control message */
#endif

#define MAGIC		0x42565531u	/* "BVU1" */
#define MIN_SIZE	16
#define MAX_SIZE	65507		/* largest IPv4 UDP payload */
#define DEFAULT_SIZE	100
#define RCVBUF		(4 * 1024 * 1024)
#define MISSING_MAX	(1u << 24)	/* --missing-file: 2 MiB of bitmap */

const struct tk_tool tk_tool = {
	.name = "udpnum",
	.fail_status = 1,
	.num_base = 0,
	.num_quotes_all = true,
	.addr_hides_value = true,
};

static const char usage_text[] =
"usage:\n"
"  udpnum send --dst A --port P --count N [--first K] [--size S] [--sport SP]\n"
"              [--pps R] [--bind A] [--echo-wait-ms T] [--timeout-ms T]\n"
"              [--log F] [--stamp G:E] [--sports N] [--df] [--gso K]\n"
"      send datagrams K..K+N-1 of S bytes (default 100, min 16) to A:P, R per\n"
"      second (default: as fast as possible); prints `sent N first K last L`.\n"
"      --echo-wait-ms T: also receive the echoes (see recv --echo) until all\n"
"      came back or T ms after the last send, then print a recv line.\n"
"      --timeout-ms: hard limit for the whole run (default 60000).\n"
"      --log F: `NUMBER NS` per datagram sent, NS the CLOCK_MONOTONIC instant\n"
"      just before the sendto that succeeded.\n"
"      --sports N: datagram i leaves from source port SP + (i mod N) (a\n"
"      socket of its own each time): N distinct flows, for the flow-table\n"
"      tests; needs --sport SP, not --echo-wait-ms.\n"
"      --df: Don't Fragment, path MTU discovery on (IP_PMTUDISC_DO, the\n"
"      socket connected): on EMSGSIZE the datagram goes again, shrunk to the\n"
"      path MTU the kernel learned (IP_MTU), or by 8 bytes if that is not\n"
"      smaller (a search, as a QUIC stack's PMTU discovery would do); the\n"
"      sent line adds `emsgsize E size S mtu M` (S the last size sent).\n"
"      --gso K: K datagrams (K * S <= 65,507 bytes) per send, as one UDP GSO\n"
"      packet (UDP_SEGMENT S): the kernel cuts it into K datagrams of S\n"
"      bytes, each numbered as without --gso; not with --df or --sports.\n"
"      --stamp G:E: put Beaver's stamp of group G, epoch E on every datagram\n"
"      (an IPv4 option, IP_OPTIONS; needs CAP_NET_RAW): how a host outside\n"
"      the group forges one, for the trust tests.\n"
"  udpnum recv --port P [--bind A] [--count N] [--timeout-ms T] [--idle-ms T]\n"
"              [--echo] [--ready-file F] [--missing-file F [--last N]]\n"
"              [--log F] [--marks F] [--first-file F]\n"
"      receive until N datagrams (default: no limit), T ms in all (default\n"
"      10000), T ms without a datagram once one came (default: no limit), or\n"
"      SIGTERM/SIGINT; verify each; print `received N bad B dup D min_seq X\n"
"      max_seq Y overflow O` (X, Y: `-` if none valid). received counts every\n"
"      datagram, bad those failing verification, dup valid repeats of a\n"
"      number, overflow those the kernel dropped because the socket's buffer\n"
"      was full (SO_RXQ_OVFL: they count as missing, but the kernel's hooks\n"
"      saw them).\n"
"      --log F: `NUMBER NS` per valid datagram, NS the CLOCK_MONOTONIC instant\n"
"      just after it was received.\n"
"      --marks F: `NUMBER MARK` per valid datagram, MARK the packet's mark\n"
"      in hex (SO_RCVMARK: what Beaver's app_mark wrote there).\n"
"      --echo: send each datagram back to its source, from the address it was\n"
"      sent to (IP_PKTINFO: works for a VIP on lo, IPVS direct routing).\n"
"      --ready-file F: create F once the socket is bound (no start-up race).\n"
"      --first-file F: create F at the first valid datagram (a path is open\n"
"      end to end: ARP and neighbour discovery done).\n"
"      --missing-file F: at the end, write to F every number in [1, max(the\n"
"      highest valid number received, N of --last N)] that never arrived\n"
"      valid, one per line, ascending (F empty if none): losses counted by\n"
"      the application alone. Numbers up to 16777216; a valid one above is\n"
"      an error (F removed, exit 1). Missing numbers alone do not fail.\n"
"  udpnum relay --port P --to A:PORT [--bind A] [--count N] [--timeout-ms T]\n"
"               [--idle-ms T] [--ready-file F]\n"
"      forward every datagram, in order and unchanged, to A:PORT; on SIGTERM,\n"
"      SIGINT, count, idle (default: none) or timeout (default 3600000) print\n"
"      `received N forwarded F failed E bytes B`.\n"
"  addresses: IPv4 or IPv6 (an AF_INET6 socket), --to A6 as [A6]:PORT;\n"
"      send: --bind of --dst's family; recv: IPv4 without --bind, --bind ::\n"
"      takes both families; relay: without --bind, --to's family (IPv6: ::,\n"
"      both). --stamp is IPv4 only.\n"
"exit: 0 ok, 1 error or bad datagrams, 2 usage\n";

/* --- receive statistics ------------------------------------------------- */

struct rstats {
	uint64_t received, bad;
	uint32_t overflow;	/* SO_RXQ_OVFL: dropped by the kernel, full buffer */
	uint32_t *seqs;		/* every valid number, for dup counting */
	size_t n, cap;
	/* --missing-file: bit s of seen set once number s came valid */
	bool track;
	uint8_t *seen;
	uint32_t seen_bits;	/* numbers 0..seen_bits-1 have a bit */
	uint32_t hi;		/* highest valid number, 0 if none */
	uint32_t too_high;	/* highest valid number above MISSING_MAX */
};

/* the bitmap follows the numbers seen: a short test costs a few KiB */
static void seen_mark(struct rstats *s, uint32_t seq)
{
	if (seq > MISSING_MAX) {
		if (seq > s->too_high)
			s->too_high = seq;
		return;
	}
	if (seq > s->hi)
		s->hi = seq;
	if (seq >= s->seen_bits) {
		uint64_t bits = s->seen_bits ? s->seen_bits : 65536;
		uint8_t *p;

		while (bits <= seq)
			bits *= 2;
		if (bits > (uint64_t)MISSING_MAX + 1)
			bits = (uint64_t)MISSING_MAX + 1;
		p = realloc(s->seen, (size_t)(bits + 7) / 8);
		if (!p)
			tk_die("out of memory");
		memset(p + (s->seen_bits + 7) / 8, 0,
		       (size_t)(bits + 7) / 8 - (s->seen_bits + 7) / 8);
		s->seen = p;
		s->seen_bits = (uint32_t)bits;
	}
	s->seen[seq / 8] |= (uint8_t)(1u << (seq % 8));
}

/* counts one datagram; true (and its number) if it is a valid one */
static bool rstats_add(struct rstats *s, const uint8_t *buf, size_t len,
		       uint32_t *seqp)
{
	uint32_t seq;

	s->received++;
	if (!tk_rec_verify(buf, len, MAGIC, &seq)) {
		s->bad++;
		return false;
	}
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 4096;
		uint32_t *p = realloc(s->seqs, ncap * sizeof(*p));

		if (!p)
			tk_die("out of memory");
		s->seqs = p;
		s->cap = ncap;
	}
	s->seqs[s->n++] = seq;
	if (s->track)
		seen_mark(s, seq);
	*seqp = seq;
	return true;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void rstats_print(struct rstats *s)
{
	uint64_t dup = 0;

	/* qsort's pointer must be valid even for no elements: none yet */
	if (s->n > 1)
		qsort(s->seqs, s->n, sizeof(*s->seqs), cmp_u32);
	for (size_t i = 1; i < s->n; i++)
		dup += s->seqs[i] == s->seqs[i - 1];
	printf("received %" PRIu64 " bad %" PRIu64 " dup %" PRIu64, s->received,
	       s->bad, dup);
	if (s->n)
		printf(" min_seq %u max_seq %u", s->seqs[0], s->seqs[s->n - 1]);
	else
		printf(" min_seq - max_seq -");
	printf(" overflow %u\n", s->overflow);
	fflush(stdout);
}

/*
 * Every number in [1, max(hi, last)] never seen, ascending, to f (opened at
 * the start). Returns 0, or 1 on a write error or when a number was beyond
 * the bitmap: then the list would be a lie, so the file goes rather than
 * stay behind looking complete.
 */
static int write_missing(const struct rstats *s, FILE *f, const char *path,
			 uint32_t last)
{
	uint32_t end = s->hi > last ? s->hi : last;

	if (s->too_high) {
		fprintf(stderr, "udpnum: recv: number %u is above %u, the limit of --missing-file\n",
			s->too_high, MISSING_MAX);
		fclose(f);
		unlink(path);
		return 1;
	}
	for (uint32_t seq = 1; seq <= end; seq++)
		if (seq >= s->seen_bits ||
		    !(s->seen[seq / 8] & (1u << (seq % 8))))
			fprintf(f, "%u\n", seq);
	if (ferror(f) | fclose(f)) {
		fprintf(stderr, "udpnum: %s: write error\n", path);
		return 1;
	}
	return 0;
}

/* --- sockets ------------------------------------------------------------ */

/* a socket of bind_addr's family (IPv4 or IPv6) bound to it and port */
static int udp_socket(struct tk_sa sa, uint16_t port)
{
	int fd, one = 1, sz = RCVBUF;

	fd = socket(tk_sa_family(&sa), SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		tk_die("socket");
	/* a test restarting a receiver on the same port must not wait */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* bursts at line rate: a small buffer would drop, and look like loss */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	tk_sa_set_port(&sa, port);
	if (bind(fd, &sa.u.sa, sa.len))
		tk_die("bind");
	return fd;
}

/* --- echo: reply from the address the datagram was sent to ------------- */

/* the same for IPv6 (IPV6_PKTINFO): the source is the destination */
static bool echo_from6(struct cmsghdr *cm, struct msghdr *msg, void *ctl,
		       size_t ctl_len)
{
	struct in6_pktinfo pi, out;

	if (cm->cmsg_level != IPPROTO_IPV6 || cm->cmsg_type != IPV6_PKTINFO)
		return false;
	memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
	memset(&out, 0, sizeof(out));
	out.ipi6_addr = pi.ipi6_addr;
	memset(ctl, 0, ctl_len);
	msg->msg_control = ctl;
	msg->msg_controllen = CMSG_SPACE(sizeof(out));
	cm = CMSG_FIRSTHDR(msg);
	cm->cmsg_level = IPPROTO_IPV6;
	cm->cmsg_type = IPV6_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(out));
	memcpy(CMSG_DATA(cm), &out, sizeof(out));
	return true;
}

static void echo_back(int fd, const uint8_t *buf, size_t len,
		      const struct sockaddr *src, socklen_t src_len,
		      const struct msghdr *in)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name = (void *)src, .msg_namelen = src_len,
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	struct cmsghdr *cm;

	for (cm = CMSG_FIRSTHDR((struct msghdr *)in); cm;
	     cm = CMSG_NXTHDR((struct msghdr *)in, cm)) {
		struct in_pktinfo pi, out = { 0 };

		if (echo_from6(cm, &msg, ctl.buf, sizeof(ctl.buf)))
			break;
		if (cm->cmsg_level != IPPROTO_IP || cm->cmsg_type != IP_PKTINFO)
			continue;
		memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
		/* source = the header's destination (a VIP), any interface */
		out.ipi_spec_dst = pi.ipi_addr;
		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(out));
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(out));
		memcpy(CMSG_DATA(cm), &out, sizeof(out));
		break;
	}
	if (sendmsg(fd, &msg, 0) < 0)
		fprintf(stderr, "udpnum: echo: %s\n", strerror(errno));
}

/* --- recv --------------------------------------------------------------- */

static int cmd_recv(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "bind", required_argument, NULL, 'b' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "idle-ms", required_argument, NULL, 'i' },
		{ "echo", no_argument, NULL, 'e' },
		{ "ready-file", required_argument, NULL, 'r' },
		{ "missing-file", required_argument, NULL, 'm' },
		{ "last", required_argument, NULL, 'l' },
		{ "log", required_argument, NULL, 'L' },
		{ "marks", required_argument, NULL, 'M' },
		{ "first-file", required_argument, NULL, 'F' },
		{ 0 }
	};
	struct tk_sa bind_addr = tk_sa_any(AF_INET, 0);
	uint64_t count = 0, timeout_ms = 10000, idle_ms = 0, last = 0;
	const char *ready = NULL, *missing = NULL, *log_path = NULL;
	const char *marks_path = NULL, *first = NULL;
	FILE *log, *marks = NULL;
	struct rstats st = { 0 };
	bool echo = false, has_last = false;
	int port = -1, opt, fd, one = 1, result;
	FILE *mf = NULL;
	int64_t deadline, idle_deadline = 0;
	static uint8_t buf[MAX_SIZE + 1];

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'p': port = (int)tk_num("--port", optarg, 1, 65535); break;
		case 'b': bind_addr = tk_sa_addr("--bind", optarg, 0); break;
		case 'c': count = tk_num("--count", optarg, 0, UINT32_MAX); break;
		case 't': timeout_ms = tk_num("--timeout-ms", optarg, 1, INT32_MAX); break;
		case 'i': idle_ms = tk_num("--idle-ms", optarg, 0, INT32_MAX); break;
		case 'e': echo = true; break;
		case 'r': ready = optarg; break;
		case 'm': missing = optarg; break;
		case 'l': last = tk_num("--last", optarg, 0, MISSING_MAX); has_last = true; break;
		case 'L': log_path = optarg; break;
		case 'M': marks_path = optarg; break;
		case 'F': first = optarg; break;
		default: tk_usage_error("recv: bad option");
		}
	}
	if (port < 0 || optind != argc)
		tk_usage_error("recv: needs --port P");
	if (has_last && !missing)
		tk_usage_error("recv: --last needs --missing-file");
	/* now, not at the end: a bad path fails before anything is sent */
	if (missing) {
		mf = fopen(missing, "w");
		if (!mf)
			tk_die(missing);
		st.track = true;
	}
	log = tk_log_open(log_path);
	tk_catch_signals();
	fd = udp_socket(bind_addr, (uint16_t)port);
	if (echo && tk_sa_family(&bind_addr) == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)))
		tk_die("IPV6_RECVPKTINFO");
	else if (echo && tk_sa_family(&bind_addr) == AF_INET &&
		 setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)))
		tk_die("IP_PKTINFO");
	/* a datagram the kernel dropped for a full buffer was seen by its
	 * hooks: a test must know such "losses" are not the network's */
	if (setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one)))
		tk_die("SO_RXQ_OVFL");
	if (marks_path) {
		if (setsockopt(fd, SOL_SOCKET, SO_RCVMARK, &one, sizeof(one)))
			tk_die("SO_RCVMARK");
		marks = fopen(marks_path, "w");
		if (!marks)
			tk_die(marks_path);
	}
	tk_ready_file(ready);
	deadline = tk_now_us() + (int64_t)timeout_ms * 1000;
	while (!tk_stop && (!count || st.received < count)) {
		char ctl[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
			 2 * CMSG_SPACE(sizeof(uint32_t)) + 64];
		struct cmsghdr *cm;
		uint32_t seq, mark = 0;
		bool valid;
		struct sockaddr_storage src;
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr msg = {
			.msg_name = &src, .msg_namelen = sizeof(src),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = ctl, .msg_controllen = sizeof(ctl),
		};
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t now = tk_now_us();
		ssize_t len;

		if (now >= deadline || (idle_deadline && now >= idle_deadline))
			break;
		if (poll(&pfd, 1, tk_poll_ms(now, deadline, idle_deadline)) <= 0)
			continue;	/* timeout, or a signal: re-check */
		len = recvmsg(fd, &msg, MSG_DONTWAIT);
		if (len < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			tk_die("recvmsg");
		}
		valid = rstats_add(&st, buf, (size_t)len, &seq);
		if (valid)
			tk_log_rec(log, seq, tk_now_ns());
		if (valid && first) {
			tk_ready_file(first);
			first = NULL;
		}
		for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
			if (cm->cmsg_level == SOL_SOCKET &&
			    cm->cmsg_type == SO_RXQ_OVFL)
				memcpy(&st.overflow, CMSG_DATA(cm),
				       sizeof(st.overflow));
			/* SO_RCVMARK's message is of type SO_MARK */
			if (cm->cmsg_level == SOL_SOCKET &&
			    cm->cmsg_type == SO_MARK)
				memcpy(&mark, CMSG_DATA(cm), sizeof(mark));
		}
		if (marks && valid)
			fprintf(marks, "%u %x\n", seq, mark);
		if (echo)
			echo_back(fd, buf, (size_t)len, (struct sockaddr *)&src,
				  msg.msg_namelen, &msg);
		if (idle_ms)
			idle_deadline = tk_now_us() + (int64_t)idle_ms * 1000;
	}
	rstats_print(&st);
	result = st.bad ? 1 : 0;
	if (mf && write_missing(&st, mf, missing, (uint32_t)last))
		result = 1;
	if (tk_log_close(log, log_path))
		result = 1;
	if (marks && (ferror(marks) | fclose(marks))) {
		fprintf(stderr, "udpnum: %s: write error\n", marks_path);
		result = 1;
	}
	close(fd);
	free(st.seqs);
	free(st.seen);
	return result;
}

/* --- send --------------------------------------------------------------- */

/* take what echoes are queued, without waiting */
static void drain_echoes(int fd, struct rstats *st, uint8_t *buf)
{
	ssize_t len;

	uint32_t seq;

	while ((len = recv(fd, buf, MAX_SIZE + 1, MSG_DONTWAIT)) >= 0)
		rstats_add(st, buf, (size_t)len, &seq);
}

static int cmd_send(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dst", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'c' },
		{ "first", required_argument, NULL, 'f' },
		{ "size", required_argument, NULL, 's' },
		{ "sport", required_argument, NULL, 'S' },
		{ "pps", required_argument, NULL, 'r' },
		{ "bind", required_argument, NULL, 'b' },
		{ "echo-wait-ms", required_argument, NULL, 'e' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "log", required_argument, NULL, 'L' },
		{ "stamp", required_argument, NULL, 'X' },
		{ "sports", required_argument, NULL, 'N' },
		{ "df", no_argument, NULL, 'D' },
		{ "gso", required_argument, NULL, 'G' },
		{ 0 }
	};
	struct tk_sa bind_addr, dst = tk_sa_any(AF_INET, 0);
	uint8_t stamp[BEAVER_OPT_LEN];
	uint64_t nsports = 1;
	bool forge = false, df = false;
	uint64_t emsgsize = 0;
	int mtu = 0;
	const char *log_path = NULL;
	FILE *log;
	uint64_t count = 0, first = 0, size = DEFAULT_SIZE, pps = 0;
	uint64_t echo_ms = 0, timeout_ms = 60000, sent = 0, gso = 1;
	bool has_dst = false, has_count = false, has_bind = false;
	int port = -1, sport = 0, opt, fd, hdr = 28;
	struct rstats st = { 0 };
	static uint8_t gbuf[MAX_SIZE + 1], rbuf[MAX_SIZE + 1];
	int64_t t0, deadline;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'd': dst = tk_sa_addr("--dst", optarg, 0); has_dst = true; break;
		case 'p': port = (int)tk_num("--port", optarg, 1, 65535); break;
		case 'c': count = tk_num("--count", optarg, 0, UINT32_MAX); has_count = true; break;
		case 'f': first = tk_num("--first", optarg, 0, UINT32_MAX); break;
		case 's': size = tk_num("--size", optarg, MIN_SIZE, MAX_SIZE); break;
		case 'S': sport = (int)tk_num("--sport", optarg, 0, 65535); break;
		case 'N': nsports = tk_num("--sports", optarg, 1, 60000); break;
		case 'r': pps = tk_num("--pps", optarg, 0, 100000000); break;
		case 'b': bind_addr = tk_sa_addr("--bind", optarg, 0); has_bind = true; break;
		case 'e': echo_ms = tk_num("--echo-wait-ms", optarg, 0, INT32_MAX); break;
		case 't': timeout_ms = tk_num("--timeout-ms", optarg, 1, INT32_MAX); break;
		case 'L': log_path = optarg; break;
		case 'D': df = true; break;
		case 'G': gso = tk_num("--gso", optarg, 1, 64); break;
		case 'X': {
			char *colon = strchr(optarg, ':');

			if (!colon)
				tk_usage_error("send: --stamp takes G:E");
			*colon = '\0';
			bv_stamp_encode(stamp, (uint8_t)tk_num("--stamp group", optarg, 1, 255),
					(uint32_t)tk_num("--stamp epoch", colon + 1, 0, UINT32_MAX));
			forge = true;
			break;
		}
		default: tk_usage_error("send: bad option");
		}
	}
	if (!has_dst || port < 0 || !has_count || optind != argc)
		tk_usage_error("send: needs --dst A --port P --count N");
	tk_sa_set_port(&dst, (uint16_t)port);
	if (!has_bind)
		bind_addr = tk_sa_any(tk_sa_family(&dst), 0);
	else if (tk_sa_family(&bind_addr) != tk_sa_family(&dst))
		tk_usage_error("send: --bind and --dst are of two families");
	if (forge && tk_sa_family(&dst) == AF_INET6)
		tk_usage_error("send: --stamp is an IPv4 option: not with an "
			       "IPv6 --dst");
	log = tk_log_open(log_path);
	if (nsports > 1 && (!sport || sport + nsports > 65536 || echo_ms))
		tk_usage_error("send: --sports needs --sport, room above it, "
			       "and no --echo-wait-ms");
	tk_catch_signals();
	/* unconnected: an ICMP error must not fail the next send */
	fd = udp_socket(bind_addr, (uint16_t)sport);
	if (forge && setsockopt(fd, IPPROTO_IP, IP_OPTIONS, stamp, sizeof(stamp)))
		tk_die("IP_OPTIONS (--stamp needs CAP_NET_RAW)");
	if (df) {
		int v = IP_PMTUDISC_DO, v6 = IPV6_PMTUDISC_DO;

		if (nsports > 1)
			tk_usage_error("send: --df and --sports exclude each other");
		/* connected: IP_MTU, and the ICMP error fails the next send */
		if (tk_sa_family(&dst) == AF_INET6) {
			hdr = 48;	/* IPv6 and UDP headers */
			if (setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER,
				       &v6, sizeof(v6)))
				tk_die("--df: IPV6_MTU_DISCOVER");
		} else if (setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &v,
				      sizeof(v))) {
			tk_die("--df: IP_MTU_DISCOVER/connect");
		}
		if (connect(fd, &dst.u.sa, dst.len))
			tk_die("--df: IP_MTU_DISCOVER/connect");
	}
	if (gso > 1) {
		int seg = (int)size;

		if (df || nsports > 1 || gso * size > MAX_SIZE)
			tk_usage_error("send: --gso needs K * S <= 65507, no --df, "
				       "no --sports");
		if (setsockopt(fd, SOL_UDP, UDP_SEGMENT, &seg, sizeof(seg)))
			tk_die("--gso: UDP_SEGMENT");
	}
	t0 = tk_now_us();
	deadline = t0 + (int64_t)timeout_ms * 1000;
	while (sent < count && !tk_stop) {
		uint32_t seq = (uint32_t)(first + sent);
		uint64_t batch = count - sent < gso ? count - sent : gso;
		int64_t t_send;

		if (tk_now_us() >= deadline) {
			fprintf(stderr, "udpnum: send: timeout after %" PRIu64 " datagrams\n", sent);
			break;
		}
		if (pps) {
			/* absolute schedule: no drift from sleep overshoot */
			tk_sleep_until_ns((t0 + (int64_t)(sent * 1000000 / pps)) *
					  1000);
		}
		for (uint64_t i = 0; i < batch; i++)
			tk_rec_build(gbuf + i * size, MAGIC, seq + (uint32_t)i,
				     (uint32_t)size);
		/* the instant before the kernel has it: never after its hooks */
		t_send = tk_now_ns();
		if (nsports > 1) {
			/* a flow of its own: this datagram's source port */
			close(fd);
			fd = udp_socket(bind_addr,
					(uint16_t)(sport + sent % nsports));
		}
		if (sendto(fd, gbuf, batch * size, 0, &dst.u.sa, dst.len) < 0) {
			/* queue full: wait a little and try the same one again */
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
				usleep(100);
				continue;
			}
			if (df && errno == EMSGSIZE) {
				socklen_t ml = sizeof(mtu);

				/* the path is narrower: go again, smaller */
				emsgsize++;
				if (hdr == 48 ?
				    getsockopt(fd, IPPROTO_IPV6, IPV6_MTU, &mtu, &ml) :
				    getsockopt(fd, IPPROTO_IP, IP_MTU, &mtu, &ml))
					tk_die("IP_MTU");
				if (mtu - hdr < MIN_SIZE)
					tk_die("path MTU below the smallest datagram");
				/*
				 * the route's MTU, or, when it says nothing
				 * smaller, a step down (PLPMTUD's search)
				 */
				if ((uint64_t)(mtu - hdr) < size)
					size = (uint64_t)(mtu - hdr);
				else if (size - 8 >= MIN_SIZE)
					size -= 8;
				continue;
			}
			tk_die("sendto");
		}
		for (uint64_t i = 0; i < batch; i++)
			tk_log_rec(log, seq + (uint32_t)i, t_send);
		sent += batch;
		if (echo_ms)
			drain_echoes(fd, &st, rbuf);
	}
	if (sent)
		printf("sent %" PRIu64 " first %" PRIu64 " last %u", sent,
		       first, (uint32_t)(first + sent - 1));
	else
		printf("sent 0 first %" PRIu64 " last -", first);
	if (df)
		printf(" emsgsize %" PRIu64 " size %" PRIu64 " mtu %d", emsgsize,
		       size, mtu);
	printf("\n");
	fflush(stdout);
	if (echo_ms) {
		int64_t end = tk_now_us() + (int64_t)echo_ms * 1000;

		while (!tk_stop && st.received < sent) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			int64_t now = tk_now_us();

			if (now >= end || now >= deadline)
				break;
			if (poll(&pfd, 1, tk_poll_ms(now, end, deadline)) > 0)
				drain_echoes(fd, &st, rbuf);
		}
		rstats_print(&st);
	}
	close(fd);
	free(st.seqs);
	if (tk_log_close(log, log_path) || sent < count)
		return 1;
	return st.bad ? 1 : 0;
}

/* --- relay -------------------------------------------------------------- */

static int cmd_relay(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "to", required_argument, NULL, 'T' },
		{ "bind", required_argument, NULL, 'b' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "idle-ms", required_argument, NULL, 'i' },
		{ "ready-file", required_argument, NULL, 'r' },
		{ 0 }
	};
	struct tk_sa bind_addr, to = tk_sa_any(AF_INET, 0);
	bool has_bind = false;
	uint64_t count = 0, timeout_ms = 3600000, idle_ms = 0;
	uint64_t received = 0, forwarded = 0, failed = 0, bytes = 0;
	bool has_to = false;
	const char *ready = NULL;
	int port = -1, opt, fd;
	int64_t deadline, idle_deadline = 0;
	static uint8_t buf[MAX_SIZE + 1];

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'p': port = (int)tk_num("--port", optarg, 1, 65535); break;
		case 'T': to = tk_relay_to_sa(optarg); has_to = true; break;
		case 'b': bind_addr = tk_sa_addr("--bind", optarg, 0); has_bind = true; break;
		case 'c': count = tk_num("--count", optarg, 0, UINT32_MAX); break;
		case 't': timeout_ms = tk_num("--timeout-ms", optarg, 1, INT32_MAX); break;
		case 'i': idle_ms = tk_num("--idle-ms", optarg, 0, INT32_MAX); break;
		case 'r': ready = optarg; break;
		default: tk_usage_error("relay: bad option");
		}
	}
	if (port < 0 || !has_to || optind != argc)
		tk_usage_error("relay: needs --port P --to A:PORT");
	/* one socket: an IPv6 one (dual stack) can send to either family */
	if (!has_bind)
		bind_addr = tk_sa_any(tk_sa_family(&to), 0);
	if (!tk_sa_for(&to, tk_sa_family(&bind_addr)))
		tk_usage_error("relay: an IPv6 --to needs an IPv6 --bind");
	tk_catch_signals();
	fd = udp_socket(bind_addr, (uint16_t)port);
	tk_ready_file(ready);
	deadline = tk_now_us() + (int64_t)timeout_ms * 1000;
	while (!tk_stop && (!count || received < count)) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t now = tk_now_us();
		ssize_t len;

		if (now >= deadline || (idle_deadline && now >= idle_deadline))
			break;
		if (poll(&pfd, 1, tk_poll_ms(now, deadline, idle_deadline)) <= 0)
			continue;
		len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (len < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			tk_die("recv");
		}
		received++;
		bytes += (uint64_t)len;
		/* one at a time, before the next is read: order is kept */
		for (int tries = 0;; tries++) {
			if (sendto(fd, buf, (size_t)len, 0, &to.u.sa,
				   to.len) >= 0) {
				forwarded++;
				break;
			}
			if ((errno != ENOBUFS && errno != EAGAIN) || tries == 100) {
				failed++;
				break;
			}
			usleep(100);
		}
		if (idle_ms)
			idle_deadline = tk_now_us() + (int64_t)idle_ms * 1000;
	}
	printf("received %" PRIu64 " forwarded %" PRIu64 " failed %" PRIu64
	       " bytes %" PRIu64 "\n", received, forwarded, failed, bytes);
	close(fd);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct tk_command cmds[] = {
		{ "send", cmd_send },
		{ "recv", cmd_recv },
		{ "relay", cmd_relay },
		{ NULL, NULL }
	};

	return tk_run_command(argc, argv, usage_text, cmds);
}
