// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer harness: what the kernel sends beaverd over netlink (records
 * dump parts and events), parsed by lib/records_nl.c and lib/bvattr.c.
 * The input is one netlink message: a struct nlmsghdr (its length field
 * forced to the input's length), a genl header, attributes. Whatever
 * parses is merged, as beaverd does, so the merge sees hostile values too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "records.h"
#include "records_nl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bvr_records r;
	struct nlmsghdr *nlh;
	struct bvr_cut cut;
	uint8_t cmd;

	if (size < NLMSG_HDRLEN + GENL_HDRLEN || size > 65536)
		return 0;
	/* aligned copy: the parsers may assume nlmsg alignment */
	nlh = malloc(NLMSG_ALIGN(size));
	if (!nlh)
		return 0;
	memcpy(nlh, data, size);
	nlh->nlmsg_len = (uint32_t)size;

	bvr_init(&r);
	if (!bvr_nl_parse_msg(nlh, &r))
		bvr_nl_parse_msg(nlh, &r);	/* a second share of the same */
	bvr_merge(&r);
	bvr_free(&r);
	bvr_nl_parse_event(nlh, &cmd, &cut);
	free(nlh);
	return 0;
}
