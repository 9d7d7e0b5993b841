/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Netlink side of records.h: turn BEAVER_CMD_GET_RECORDS dump messages and
 * BEAVER_CMD_EVENT_* multicast messages into struct bvr_* values.
 *
 * Unknown attribute types are skipped (the API only ever appends), but a
 * known attribute with a wrong length is an error: a silently misread
 * counter is worse than a loud failure in a consistency test.
 */
#ifndef BEAVER_LIB_RECORDS_NL_H
#define BEAVER_LIB_RECORDS_NL_H

#include <stdint.h>
#include <linux/netlink.h>

#include "records.h"

/* parse a BEAVER_A_CUT nest; returns 0 or -EINVAL */
int bvr_nl_parse_cut(const struct nlattr *nest, struct bvr_cut *cut);

/*
 * Add what one GET_RECORDS reply message carries (cut, flow, channel or
 * capture) to r. Returns 0, -EINVAL (malformed) or -ENOMEM.
 */
int bvr_nl_parse_msg(const struct nlmsghdr *nlh, struct bvr_records *r);

/*
 * Parse an event message: *cmd gets its genl command (BEAVER_CMD_EVENT_*),
 * cut its BEAVER_A_EPOCH and BEAVER_A_CUT. Returns 0 or -EINVAL.
 */
int bvr_nl_parse_event(const struct nlmsghdr *nlh, uint8_t *cmd,
		       struct bvr_cut *cut);

#endif /* BEAVER_LIB_RECORDS_NL_H */
