/* SPDX-License-Identifier: GPL-2.0 */
/*
 * serial.h: RFC 1982 order of 32-bit epochs, for the consistency oracle.
 *
 * Written apart from the module's netfilter/beaver_stamp.h on purpose: an
 * oracle that called the code it checks would agree with any bug in it.
 * tests/unit/test_oracle_serial.c holds the two to the same answers on
 * every range a cut can have, and this one's own wording is a forward
 * distance on the circle of 2^32 epochs, not a signed difference.
 *
 * Epoch 0 means "no snapshot" and comes before every other epoch.
 */
#ifndef BEAVER_TOOLS_SERIAL_H
#define BEAVER_TOOLS_SERIAL_H

#include <stdbool.h>
#include <stdint.h>

#define SN_HALF	0x80000000u

/* steps forward from epoch a to epoch b, modulo 2^32 */
static inline uint32_t sn_dist(uint32_t a, uint32_t b)
{
	return b - a;
}

/* a comes strictly before b: b lies less than half the circle ahead */
static inline bool sn_before(uint32_t a, uint32_t b)
{
	if (a == 0 || b == 0)
		return a == 0 && b != 0;
	return sn_dist(a, b) != 0 && sn_dist(a, b) < SN_HALF;
}

/*
 * e lies in the range lo..hi of a cut: none of them 0, the range shorter
 * than half the circle (beyond that no order exists), and e no further
 * from lo than hi is
 */
static inline bool sn_in(uint32_t e, uint32_t lo, uint32_t hi)
{
	return e && lo && hi && sn_dist(lo, hi) < SN_HALF &&
	       sn_dist(lo, e) <= sn_dist(lo, hi);
}

#endif /* BEAVER_TOOLS_SERIAL_H */
