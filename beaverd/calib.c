// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The calibration's verdict on tau_min. See calib.h.
 */
#include <stdio.h>
#include <string.h>

#include "calib.h"

void bvd_calib_judge(const struct bvd_rtt *r, size_t n, uint64_t tau_min_ns,
		     struct bvd_calib *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		if (r[i].answered &&
		    (!out->control_ns || r[i].min_ns < out->control_ns))
			out->control_ns = r[i].min_ns;
		if (r[i].gateway) {
			/* the first silent one is named in the note */
			if (!r[i].probe_ns &&
			    out->gateways == out->gateways_probed)
				out->silent_gateway = i;
			out->gateways++;
			if (r[i].probe_ns)
				out->gateways_probed++;
		}
		if (r[i].probe_ns &&
		    (!out->bound_ns || r[i].probe_ns < out->bound_ns)) {
			out->bound_ns = r[i].probe_ns;
			out->bound_peer = i;
		}
	}
	if (!out->bound_ns) {
		out->verdict = BVD_CALIB_UNKNOWN;
		snprintf(out->note, sizeof(out->note),
			 "no data-plane measurement: cannot say whether "
			 "tau_min is safe");
	} else if (tau_min_ns > out->bound_ns) {
		out->verdict = BVD_CALIB_UNSAFE;
		snprintf(out->note, sizeof(out->note),
			 "tau_min is above the data-plane bound: unsafe, set "
			 "it below %llu us",
			 (unsigned long long)(out->bound_ns / 1000));
	} else if (out->gateways_probed < out->gateways) {
		out->verdict = BVD_CALIB_UNKNOWN;
		snprintf(out->note, sizeof(out->note),
			 "gateway %.64s reported no data-plane measurement: "
			 "cannot say whether tau_min is safe",
			 r[out->silent_gateway].name);
	} else {
		out->verdict = BVD_CALIB_OK;
		snprintf(out->note, sizeof(out->note),
			 "tau_min is at most the data-plane bound");
	}
}
