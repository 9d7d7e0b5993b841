/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A picture of one snapshot: the export document (beaver-snapshot/1,
 * docs/json-schema.md) drawn as a self-contained SVG (no script, no
 * external reference, generic font families). docs/pictures.md says what
 * it shows and how it treats clocks:
 *
 *  - the gateways' switch window: one row per attempt, on the
 *    coordinator's CLOCK_MONOTONIC, from the attempt's own t0: [t0, t1],
 *    tau_min from t0, each acknowledgement's arrival (at_ns). A gateway's
 *    switch_ns is on the gateway's clock: not placed, only known to lie
 *    inside [t0, its ack's arrival];
 *  - one lane per member, each on its own clock, from its own cut (cut
 *    instants of different hosts are not comparable): the cut, settling,
 *    completion, epochs covered, state and flags;
 *  - a table of the member channels: sent, received, in flight, late,
 *    balanced; and each member's bypass count.
 *
 * Every string of the document is input: escaped for XML, never trusted.
 */
#ifndef BEAVERCTL_SVG_H
#define BEAVERCTL_SVG_H

#include <stdio.h>
#include <jansson.h>

/* draw doc to f; 0, or -1 if writing failed */
int svg_snapshot(FILE *f, const json_t *doc);

#endif /* BEAVERCTL_SVG_H */
