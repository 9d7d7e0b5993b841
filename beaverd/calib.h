/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What `beaverctl calibrate` says about tau_min (beaver-calibrate/2):
 * pure, from the per-peer figures of a calibration (coord.h bvd_rtt).
 *
 * The bound is the smallest data-plane round trip the peers' own probes
 * reported (probe.h: ICMP echo, gateways to members and members to
 * gateways). Each is a lower bound of an external causal chain gateway
 * -> member -> out-group -> gateway through that pair: the chain crosses
 * the same two hops, and adds the member's application and the outside
 * host. The coordinator's control-plane round trips are not: they run
 * elsewhere and through two daemons, and are shown as information only.
 *
 * The verdict: ok only if there is a data-plane bound, every configured
 * gateway reported one (a silent gateway may be the closest to the
 * members), and tau_min <= the bound; unsafe if tau_min exceeds the
 * bound (whoever measured it); unknown otherwise. Never ok from anything
 * that is not a lower bound of that chain.
 */
#ifndef BEAVERD_CALIB_H
#define BEAVERD_CALIB_H

#include <stddef.h>
#include <stdint.h>

#include "coord.h"

#define BVD_CALIB_METHOD "data plane: ICMP echo round trips gateway -> " \
	"member and member -> gateway, timed by the gateways' and " \
	"members' own daemons (kernel receive timestamps)"

enum bvd_calib_verdict {
	BVD_CALIB_UNKNOWN,	/* bound_ok null: no word on tau_min */
	BVD_CALIB_OK,		/* tau_min <= the bound, every gateway measured */
	BVD_CALIB_UNSAFE,	/* tau_min > the bound */
};

struct bvd_calib {
	uint64_t bound_ns;	/* smallest probe, 0: none */
	size_t bound_peer;	/* index of the peer that reported it */
	size_t gateways, gateways_probed;
	size_t silent_gateway;	/* index of the first gateway without one */
	uint64_t control_ns;	/* smallest control round trip (information) */
	enum bvd_calib_verdict verdict;
	char note[256];		/* one sentence for the operator */
};

void bvd_calib_judge(const struct bvd_rtt *r, size_t n, uint64_t tau_min_ns,
		     struct bvd_calib *out);

#endif /* BEAVERD_CALIB_H */
