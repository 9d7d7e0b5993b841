// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libbeaver-app: where this member's cut falls in a TCP socket's two
 * streams (beaver_app_tcp_cut(), docs/decisions.md "TCP cut offsets").
 * beaverd answers from the member's record with each direction's ISN and
 * highest sequence number at the cut; the byte counts are computed here.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/tcp.h>
#include <jansson.h>

#include "beaver-app.h"
#include "app_internal.h"

#define TCP_CUT_TIMEOUT_MS 5000

int bva_lib_tcp_bytes(bool has, uint32_t isn, uint32_t seq, bool fin,
		      uint64_t ref, uint64_t *out)
{
	uint32_t low;
	int64_t v;

	if (!has) {
		*out = 0;	/* nothing of this stream before the cut */
		return 1;
	}
	/* the SYN and a FIN take one sequence number each, no byte */
	low = seq - isn - 1 - (fin ? 1 : 0);
	/* the count with those low 32 bits nearest @ref (serial arithmetic) */
	v = (int64_t)ref + (int32_t)(low - (uint32_t)ref);
	if (v < 0)
		return 0;
	*out = (uint64_t)v;
	return 1;
}

/* "addr" text and port of a socket address: 0 or -EAFNOSUPPORT */
static int addr_text(const struct sockaddr_storage *ss, char *buf,
		     size_t len, int *port)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)ss;

		inet_ntop(AF_INET, &in->sin_addr, buf, len);
		*port = ntohs(in->sin_port);
		return 0;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)ss;

		/* an IPv4-mapped one reads as the IPv4 host it is */
		inet_ntop(AF_INET6, &in6->sin6_addr, buf, len);
		*port = ntohs(in6->sin6_port);
		return 0;
	}
	return -EAFNOSUPPORT;
}

/* one direction of beaverd's answer: 1 with *out, 0 unknown, -EPROTO */
static int dir_bytes(json_t *d, uint64_t ref, uint64_t *out)
{
	json_int_t isn, seq;
	int fin = 0;

	if (!json_is_object(d))
		return -EPROTO;
	if (!json_object_size(d))
		return bva_lib_tcp_bytes(false, 0, 0, false, ref, out);
	if (json_unpack(d, "{s:I, s:I, s?b}", "isn", &isn, "seq", &seq,
			"fin", &fin) || isn < 0 || isn > UINT32_MAX ||
	    seq < 0 || seq > UINT32_MAX)
		return -EPROTO;
	return bva_lib_tcp_bytes(true, (uint32_t)isn, (uint32_t)seq, fin, ref,
				 out);
}

int bva_lib_tcp_answer(json_t *j, uint64_t rx_ref, uint64_t tx_ref,
		       uint64_t *rx_before, uint64_t *tx_before)
{
	uint64_t rx, tx;
	int known = 0, r;

	if (json_unpack(j, "{s:b}", "known", &known))
		return -EPROTO;
	if (!known)
		return 0;
	r = dir_bytes(json_object_get(j, "rx"), rx_ref, &rx);
	if (r <= 0)
		return r;
	r = dir_bytes(json_object_get(j, "tx"), tx_ref, &tx);
	if (r <= 0)
		return r;
	*rx_before = rx;
	*tx_before = tx;
	return 1;
}

/* is @j the answer to query @id? */
static bool is_answer(json_t *j, uint64_t id)
{
	json_int_t got;
	const char *ev;

	return !json_unpack(j, "{s:s, s:I}", "event", &ev, "id", &got) &&
	       !strcmp(ev, "tcp_cut") && (uint64_t)got == id;
}

int beaver_app_tcp_cut(struct beaver_app *app, int fd, uint32_t epoch,
		       uint64_t *rx_before, uint64_t *tx_before)
{
	struct sockaddr_storage l, r;
	socklen_t ll = sizeof(l), rl = sizeof(r), il, pl = sizeof(int);
	char lt[INET6_ADDRSTRLEN], rt[INET6_ADDRSTRLEN];
	struct tcp_info ti;
	uint64_t id, rx_ref = 0, tx_ref = 0;
	int64_t deadline;
	int lport, rport, proto = 0, err;
	json_t *j, *q;

	if (!app || !rx_before || !tx_before)
		return -EINVAL;
	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &pl))
		return -errno;
	if (proto != IPPROTO_TCP)
		return -EPROTOTYPE;
	memset(&l, 0, sizeof(l));
	memset(&r, 0, sizeof(r));
	if (getsockname(fd, (struct sockaddr *)&l, &ll) ||
	    getpeername(fd, (struct sockaddr *)&r, &rl))
		return -errno;
	err = addr_text(&l, lt, sizeof(lt), &lport);
	if (!err)
		err = addr_text(&r, rt, sizeof(rt), &rport);
	if (err)
		return err;
	/*
	 * The kernel's 64-bit counts of the in-order bytes received and of
	 * ours acknowledged: the cut's byte counts are the ones nearest them
	 * with the low 32 bits the sequence numbers give (streams past 4 GiB)
	 */
	memset(&ti, 0, sizeof(ti));
	il = sizeof(ti);
	if (!getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &il) &&
	    il >= offsetof(struct tcp_info, tcpi_bytes_received) +
		  sizeof(ti.tcpi_bytes_received)) {
		rx_ref = ti.tcpi_bytes_received;
		tx_ref = ti.tcpi_bytes_acked;
	}
	id = ++app->next_id;
	/* the socket goes along: beaverd answers only its holder */
	q = json_pack("{s:s, s:I, s:I, s:s, s:i, s:s, s:i}", "op", "tcp_cut",
		      "id", (json_int_t)id, "epoch", (json_int_t)epoch,
		      "local", lt, "lport", lport, "remote", rt, "rport", rport);
	err = bva_lib_send_fd(app, q, fd);
	if (err)
		return err;
	deadline = bva_lib_now_ms() + TCP_CUT_TIMEOUT_MS;
	for (;;) {
		err = bva_lib_read(app, deadline, &j);
		if (err <= 0)
			return err ? err : -ETIMEDOUT;
		if (!is_answer(j, id)) {
			/* an announcement meanwhile: next_cut's, later */
			err = bva_lib_defer(app, j);
			if (err)
				return err;
			continue;
		}
		err = bva_lib_tcp_answer(j, rx_ref, tx_ref, rx_before,
					 tx_before);
		json_decref(j);
		return err;
	}
}
