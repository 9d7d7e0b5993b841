// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * PING answers and the data-plane probe. See probe.h.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "log.h"
#include "loop.h"
#include "probe.h"

#define ECHO4_REQUEST	8
#define ECHO4_REPLY	0
#define ECHO6_REQUEST	128
#define ECHO6_REPLY	129
#define PAYLOAD_MAGIC	0x42565052u	/* "BVPR" */
#define DRAIN_MAX	256		/* answers read per loop turn */

static void put32(uint8_t *b, uint32_t v)
{
	v = htonl(v);
	memcpy(b, &v, 4);
}

static uint32_t get32(const uint8_t *b)
{
	uint32_t v;

	memcpy(&v, b, 4);
	return ntohl(v);
}

size_t bvd_probe_targets(const struct bvd_config *cfg,
			 const struct bv_ip **t)
{
	if (cfg->roles & BVD_ROLE_GATEWAY) {
		*t = cfg->members;
		return cfg->n_members;
	}
	if (cfg->roles & BVD_ROLE_MEMBER) {
		*t = cfg->gateways;
		return cfg->n_gateways;
	}
	*t = NULL;
	return 0;
}

int bvd_probe_echo(bool v6, uint32_t round, uint16_t seq, uint8_t *buf,
		   size_t size)
{
	if (size < BVD_PROBE_ECHO_LEN)
		return -EMSGSIZE;
	memset(buf, 0, BVD_PROBE_ECHO_LEN);
	buf[0] = v6 ? ECHO6_REQUEST : ECHO4_REQUEST;
	/* code, checksum and identifier 0: the ping socket fills them */
	buf[6] = (uint8_t)(seq >> 8);
	buf[7] = (uint8_t)seq;
	put32(buf + 8, PAYLOAD_MAGIC);
	put32(buf + 12, round);
	return BVD_PROBE_ECHO_LEN;
}

int bvd_probe_answer(bool v6, const uint8_t *buf, size_t len,
		     uint32_t round, uint16_t *seq)
{
	if (len < BVD_PROBE_ECHO_LEN ||
	    buf[0] != (v6 ? ECHO6_REPLY : ECHO4_REPLY) || buf[1] != 0 ||
	    get32(buf + 8) != PAYLOAD_MAGIC || get32(buf + 12) != round)
		return -EBADMSG;
	*seq = (uint16_t)(buf[6] << 8 | buf[7]);
	return 0;
}

bool bvd_probe_fresh(const struct bvd_probe *p, uint64_t now)
{
	return p->last_ns && p->last_min_ns &&
	       now - p->last_ns < BVD_PROBE_FRESH_NS;
}

void bvd_probe_init(struct bvd_probe *p, const struct bvd_config *cfg,
		    struct bvd_peer_io *io)
{
	memset(p, 0, sizeof(*p));
	p->cfg = cfg;
	p->io = io;
	p->fd4 = p->fd6 = -1;
	/* a different round number after a restart: old answers never count */
	p->round = (uint32_t)bvl_realtime();
}

static void close_socket(int *fd)
{
	if (*fd >= 0) {
		bvl_unwatch(*fd);
		close(*fd);
	}
	*fd = -1;
}

static void round_free(struct bvd_probe *p)
{
	if (p->timer > 0)
		bvl_cancel(p->timer);
	p->timer = 0;
	close_socket(&p->fd4);
	close_socket(&p->fd6);
	free(p->targets);
	free(p->sent_ns);
	free(p->rtt_ns);
	p->targets = NULL;
	p->sent_ns = p->rtt_ns = NULL;
	p->n = 0;
	p->running = false;
}

void bvd_probe_free(struct bvd_probe *p)
{
	if (!p->cfg)
		return;		/* never initialised (an early exit) */
	round_free(p);
}

static void pong(struct bvd_probe *p, const struct bvw_msg *req,
		 uint64_t probe_ns)
{
	struct bvw_msg r = { .type = BVW_PONG, .nonce = req->nonce,
			     .probe_ns = probe_ns };

	bvd_peer_reply(p->io, req, &r);
}

/* the round is over: its result, and the second answers */
static void round_end(struct bvd_probe *p)
{
	uint64_t min = 0;
	size_t at = 0, n = p->n;
	char a[BV_IP_STRLEN] = "";

	for (size_t i = 0; i < n * BVD_PROBE_WAVES; i++)
		if (p->rtt_ns[i] && (!min || p->rtt_ns[i] < min)) {
			min = p->rtt_ns[i];
			at = i / BVD_PROBE_WAVES;
		}
	if (min) {
		p->last_ns = bvl_now();
		p->last_min_ns = min;
		bv_ip_ntop(&p->targets[at], a);
		bvd_info("data-plane probe: %zu of %zu echoes to %zu addresses "
			 "answered, shortest round trip %llu us (%s)",
			 p->answered, n * BVD_PROBE_WAVES, n,
			 (unsigned long long)(min / 1000), a);
	} else if (p->fd4 < 0 && p->fd6 < 0) {
		bvd_warn("data-plane probe: no socket, no bound to report");
	} else {
		bvd_warn("data-plane probe: none of %zu echoes to %zu addresses "
			 "answered (%zu not sent): no bound to report",
			 n * BVD_PROBE_WAVES, n, p->send_errors);
	}
	round_free(p);
	for (size_t i = 0; i < p->n_waiters; i++)
		pong(p, &p->waiters[i], min);
	p->n_waiters = 0;
}

static void on_answer(int fd, short revents, void *data)
{
	struct bvd_probe *p = data;
	bool v6 = fd == p->fd6;

	(void)revents;
	for (int k = 0; k < DRAIN_MAX && p->running; k++) {
		uint8_t buf[256];
		struct sockaddr_storage from;
		union {
			char b[CMSG_SPACE(sizeof(struct timespec))];
			struct cmsghdr align;
		} ctl;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh = { .msg_name = &from,
				     .msg_namelen = sizeof(from),
				     .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = ctl.b,
				     .msg_controllen = sizeof(ctl.b) };
		uint64_t at = 0;
		struct bv_ip src;
		uint16_t seq;
		size_t i;
		ssize_t len = recvmsg(fd, &mh, MSG_DONTWAIT);

		if (len < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			continue;	/* an ICMP error, reported once: next */
		}
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c;
		     c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET &&
			    c->cmsg_type == SCM_TIMESTAMPNS) {
				struct timespec ts;

				memcpy(&ts, CMSG_DATA(c), sizeof(ts));
				at = (uint64_t)ts.tv_sec * 1000000000u +
				     (uint64_t)ts.tv_nsec;
			}
		if (!at)
			at = bvl_realtime();	/* later: never a smaller figure */
		if (bvd_probe_answer(v6, buf, (size_t)len, p->round, &seq))
			continue;
		i = seq;
		if (i >= p->n * BVD_PROBE_WAVES || !p->sent_ns[i] ||
		    p->rtt_ns[i] || at <= p->sent_ns[i])
			continue;
		if (v6)
			memcpy(&src.a, &((struct sockaddr_in6 *)&from)->sin6_addr,
			       sizeof(src.a));
		else
			bv_ip_set4(&src,
				   ((struct sockaddr_in *)&from)->sin_addr.s_addr);
		/* the answer of the address it was sent to, nobody else's */
		if (!bv_ip_eq(&src, &p->targets[i / BVD_PROBE_WAVES]))
			continue;
		p->rtt_ns[i] = at - p->sent_ns[i];
		if (++p->answered == p->n * BVD_PROBE_WAVES) {
			round_end(p);
			return;
		}
	}
}

static int open_socket(struct bvd_probe *p, bool v6)
{
	int one = 1;
	int fd = socket(v6 ? AF_INET6 : AF_INET,
			SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);

	if (fd < 0) {
		int err = errno;
		char range[64] = "?";
		FILE *f = fopen("/proc/sys/net/ipv4/ping_group_range", "r");

		if (f) {
			if (!fgets(range, sizeof(range), f))
				snprintf(range, sizeof(range), "?");
			range[strcspn(range, "\n")] = '\0';
			for (char *c = range; *c; c++)
				if (*c == '\t')
					*c = ' ';
			fclose(f);
		}
		bvd_warn("data-plane probe: no ICMP%s socket: %s (gid %u; "
			 "net.ipv4.ping_group_range is \"%s\": it must include "
			 "beaverd's group, beaverd(8))", v6 ? "v6" : "",
			 strerror(err), (unsigned int)getgid(), range);
		return -err;
	}
	/* the kernel's receive time: the loop's delays are not counted */
	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)))
		bvd_warn("data-plane probe: SO_TIMESTAMPNS: %s",
			 strerror(errno));
	if (bvl_watch(fd, POLLIN, on_answer, p)) {
		close(fd);
		return -ENOMEM;
	}
	*(v6 ? &p->fd6 : &p->fd4) = fd;
	return 0;
}

static void send_wave(struct bvd_probe *p)
{
	for (size_t t = 0; t < p->n; t++) {
		bool v6 = !bv_ip_is4(&p->targets[t]);
		int fd = v6 ? p->fd6 : p->fd4;
		size_t i = t * BVD_PROBE_WAVES + p->wave;
		struct sockaddr_storage to = { 0 };
		socklen_t tolen;
		uint8_t buf[BVD_PROBE_ECHO_LEN];

		if (fd < 0) {
			p->send_errors++;
			continue;
		}
		if (v6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&to;

			s6->sin6_family = AF_INET6;
			s6->sin6_addr = p->targets[t].a;
			tolen = sizeof(*s6);
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&to;

			s4->sin_family = AF_INET;
			s4->sin_addr.s_addr = bv_ip_get4(&p->targets[t]);
			tolen = sizeof(*s4);
		}
		bvd_probe_echo(v6, p->round, (uint16_t)i, buf, sizeof(buf));
		p->sent_ns[i] = bvl_realtime();
		if (sendto(fd, buf, sizeof(buf), MSG_DONTWAIT,
			   (struct sockaddr *)&to, tolen) < 0) {
			p->sent_ns[i] = 0;
			if (!p->send_errors++) {
				char a[BV_IP_STRLEN];

				bvd_warn("data-plane probe: echo to %s: %s",
					 bv_ip_ntop(&p->targets[t], a),
					 strerror(errno));
			}
		}
	}
	p->wave++;
}

static void on_timer(void *data)
{
	struct bvd_probe *p = data;

	p->timer = 0;
	if (p->wave < BVD_PROBE_WAVES) {
		send_wave(p);
		p->timer = bvl_timer(p->wave < BVD_PROBE_WAVES ?
				     BVD_PROBE_WAVE_NS : BVD_PROBE_WAIT_NS,
				     on_timer, p);
		if (p->timer > 0)
			return;
	}
	round_end(p);
}

/* start a round; false if there is nothing to probe or no memory */
static bool round_start(struct bvd_probe *p)
{
	const struct bv_ip *t;
	size_t n = bvd_probe_targets(p->cfg, &t);
	bool any4 = false, any6 = false;

	if (n > BVD_PROBE_MAX_TARGETS)
		n = BVD_PROBE_MAX_TARGETS;
	if (!n)
		return false;
	p->targets = malloc(n * sizeof(*t));
	p->sent_ns = calloc(n * BVD_PROBE_WAVES, sizeof(uint64_t));
	p->rtt_ns = calloc(n * BVD_PROBE_WAVES, sizeof(uint64_t));
	if (!p->targets || !p->sent_ns || !p->rtt_ns) {
		round_free(p);
		return false;
	}
	memcpy(p->targets, t, n * sizeof(*t));
	p->n = n;
	p->round++;
	p->wave = 0;
	p->answered = p->send_errors = 0;
	p->running = true;
	for (size_t i = 0; i < n; i++)
		*(bv_ip_is4(&t[i]) ? &any4 : &any6) = true;
	if (any4)
		(void)open_socket(p, false);
	if (any6)
		(void)open_socket(p, true);
	if (p->fd4 < 0 && p->fd6 < 0) {
		round_end(p);	/* said why in the log */
		return false;
	}
	on_timer(p);	/* the first wave now */
	return p->running;
}

void bvd_probe_ping(struct bvd_probe *p, const struct bvw_msg *m)
{
	size_t i;

	if (bvd_probe_fresh(p, bvl_now())) {
		pong(p, m, p->last_min_ns);
		return;
	}
	/* at once, without a figure: the control round trip stays honest */
	pong(p, m, 0);
	if (!p->running && !round_start(p))
		return;		/* nothing to probe, or no socket: said */
	for (i = 0; i < p->n_waiters; i++)
		if (p->waiters[i].sender == m->sender)
			break;
	if (i == p->n_waiters) {
		if (p->n_waiters == sizeof(p->waiters) / sizeof(p->waiters[0]))
			return;
		p->n_waiters++;
	}
	p->waiters[i] = *m;	/* its latest PING is answered again */
	p->waiters[i].data = NULL;
}
