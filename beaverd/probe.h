/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The answer to the coordinator's PING, with a data-plane probe: how
 * `beaverctl calibrate` learns a lower bound of the shortest external
 * causal chain gateway -> member -> out-group -> gateway (the bound
 * tau_min must not exceed; docs/decisions.md, "Calibration on the data
 * plane").
 *
 * A gateway's daemon measures ICMP echo round trips to every member's
 * data-plane address ([group] members), a member's daemon to every gateway
 * ([group] gateways): on the data plane, through both modules (the
 * gateway stamps the echo as it stamps any packet it sends to a member),
 * answered by the far end's kernel, so no daemon's scheduling is in the
 * figure. The time is taken just before sendto() and from the kernel's
 * receive timestamp (SO_TIMESTAMPNS): this daemon's own loop, busy or in
 * an OGM window, adds nothing either.
 *
 * The socket is an ICMP datagram socket ("ping socket": socket(AF_INET,
 * SOCK_DGRAM, IPPROTO_ICMP), and AF_INET6/IPPROTO_ICMPV6), which needs no
 * capability but a group inside net.ipv4.ping_group_range (of the network
 * namespace beaverd acts in). Debian 12 leaves that range at "1 0"
 * (nobody): the deployment adds the group beaver (docs/deployment.md,
 * section 7); Debian 13's linux-sysctl-defaults sets every group. A raw
 * socket would need CAP_NET_RAW, which the
 * unit does not grant. Where no socket can be had, the round reports
 * nothing (probe_ns 0) and says why in the log.
 *
 * When: a PING asks for it. If a round ended with a result less than
 * BVD_PROBE_FRESH_NS ago, the PONG carries that result at once. Otherwise
 * the PONG goes out at once with probe_ns 0 (the coordinator's control
 * round trip stays honest), a round starts (if none is running), and when
 * it ends the PING is answered a second time, with the round's minimum
 * (0 if nothing answered). A round: BVD_PROBE_WAVES echoes per target,
 * BVD_PROBE_WAVE_NS apart, then at most BVD_PROBE_WAIT_NS for the last
 * answers; it never blocks the loop (non-blocking sockets and timers).
 * Only a coordinator's PING starts one (peer.c: nobody else may send
 * requests), and one runs at a time: what the data plane sees is bounded
 * by 5 echoes per target per round.
 */
#ifndef BEAVERD_PROBE_H
#define BEAVERD_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bvip.h"
#include "config.h"
#include "peer.h"
#include "wire.h"

#define BVD_PROBE_WAVES		5
#define BVD_PROBE_WAVE_NS	(20 * 1000000ull)
#define BVD_PROBE_WAIT_NS	(600 * 1000000ull)
#define BVD_PROBE_FRESH_NS	(1000 * 1000000ull)
/* targets of a round: seq = target * WAVES + wave fits the echo's 16 bits */
#define BVD_PROBE_MAX_TARGETS	(65535 / BVD_PROBE_WAVES)
#define BVD_PROBE_ECHO_LEN	16	/* ICMP header 8, payload 8 */

struct bvd_probe {
	const struct bvd_config *cfg;
	struct bvd_peer_io *io;
	/* the round running, if any */
	bool running;
	uint32_t round;		/* in every echo's payload: stale answers */
	unsigned int wave;
	long timer;
	int fd4, fd6;		/* -1: none */
	struct bv_ip *targets;	/* copied at the start: a reload may come */
	size_t n;
	uint64_t *sent_ns;	/* [target * WAVES + wave], CLOCK_REALTIME */
	uint64_t *rtt_ns;	/* 0: no answer */
	size_t answered, send_errors;
	/* PINGs answered again when the round ends (one per coordinator) */
	struct bvw_msg waiters[BVD_MAX_COORDS + 1];
	size_t n_waiters;
	/* the last round that measured something */
	uint64_t last_ns;	/* CLOCK_MONOTONIC at its end, 0: none */
	uint64_t last_min_ns;
};

void bvd_probe_init(struct bvd_probe *p, const struct bvd_config *cfg,
		    struct bvd_peer_io *io);
void bvd_probe_free(struct bvd_probe *p);

/* a PING from a coordinator (authenticated: peer.c): answer it */
void bvd_probe_ping(struct bvd_probe *p, const struct bvw_msg *m);

/* ---- pure parts (unit-tested) ---------------------------------------- */

/*
 * The data-plane addresses this node probes: a gateway its members, a
 * member its gateways (a node with both roles: the members); none for a
 * coordinator only. Returns the count, *t the array in cfg.
 */
size_t bvd_probe_targets(const struct bvd_config *cfg,
			 const struct bv_ip **t);

/*
 * An echo request (ICMP type 8, or ICMPv6 128) with sequence seq and
 * round in its payload, checksum and identifier 0 (the ping socket sets
 * both). Returns BVD_PROBE_ECHO_LEN, or -EMSGSIZE.
 */
int bvd_probe_echo(bool v6, uint32_t round, uint16_t seq, uint8_t *buf,
		   size_t size);

/*
 * An answer to one of round's echoes, as a ping socket hands it over (no
 * IP header): 0 and its sequence in *seq, or -EBADMSG (another type, a
 * short packet, another round: an answer that came too late).
 */
int bvd_probe_answer(bool v6, const uint8_t *buf, size_t len,
		     uint32_t round, uint16_t *seq);

/*
 * Should a PING at now start a round, or be answered with the last
 * result? true: the last result is fresh (ended less than
 * BVD_PROBE_FRESH_NS ago, and measured something).
 */
bool bvd_probe_fresh(const struct bvd_probe *p, uint64_t now);

#endif /* BEAVERD_PROBE_H */
