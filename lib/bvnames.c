// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "bvnames.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "beaver.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const stat_names[] = {
	[BEAVER_STAT_GW_STAMPED]	= "gw_stamped",
	[BEAVER_STAT_GW_KEPT]		= "gw_kept",
	[BEAVER_STAT_STAMP_NOROOM]	= "stamp_noroom",
	[BEAVER_STAT_STAMP_NOMEM]	= "stamp_nomem",
	[BEAVER_STAT_TX_STAMPED]	= "tx_stamped",
	[BEAVER_STAT_RX_STAMPED]	= "rx_stamped",
	[BEAVER_STAT_RX_STRIP_ERR]	= "rx_strip_err",
	[BEAVER_STAT_RX_MALFORMED]	= "rx_malformed",
	[BEAVER_STAT_RX_FOREIGN]	= "rx_foreign",
	[BEAVER_STAT_CUTS]		= "cuts",
	[BEAVER_STAT_INFLIGHT]		= "inflight",
	[BEAVER_STAT_LATE]		= "late",
	[BEAVER_STAT_BYPASS]		= "bypass",
	[BEAVER_STAT_UNSTAMPED_MEMBER]	= "unstamped_member",
	[BEAVER_STAT_MSS_CLAMPED]	= "mss_clamped",
	[BEAVER_STAT_FLOW_LIMIT]	= "flow_limit",
	[BEAVER_STAT_HISTORY_LIMIT]	= "history_limit",
	[BEAVER_STAT_RECORD_LIMIT]	= "record_limit",
	[BEAVER_STAT_CAPTURE_LIMIT]	= "capture_limit",
	[BEAVER_STAT_NOMEM]		= "nomem",
	[BEAVER_STAT_MISORDER]		= "misorder",
	[BEAVER_STAT_RX_UNTRUSTED]	= "rx_untrusted",
	[BEAVER_STAT_RX_AHEAD]		= "rx_ahead",
	[BEAVER_STAT_GW_REPLACED]	= "gw_replaced",
	[BEAVER_STAT_FLOW_RETIRED]	= "flow_retired",
	[BEAVER_STAT_STAMP_TOOBIG]	= "stamp_toobig",
	[BEAVER_STAT_STAMP_SPLIT]	= "stamp_split",
	[BEAVER_STAT_STAMP_SEGMENTED]	= "stamp_segmented",
	[BEAVER_STAT_ICMP_MTU_LOWERED]	= "icmp_mtu_lowered",
	[BEAVER_STAT_STAMP_ID]		= "stamp_id",
	[BEAVER_STAT_RX_ID]		= "rx_id",
	[BEAVER_STAT_RX_ID_INVALID]	= "rx_id_invalid",
	[BEAVER_STAT_FP_ADVANCE]	= "fp_advance",
	[BEAVER_STAT_FP_REPLAY]		= "fp_replay",
	[BEAVER_STAT_FP_MAC]		= "fp_mac",
	[BEAVER_STAT_FP_PASSED]		= "fp_passed",
	[BEAVER_STAT_FP_TX_ERR]		= "fp_tx_err",
};

/*
 * A counter appended to beaver.h must get its name here, or scripts would
 * see it as stat.id<N>: fail the build instead of drifting.
 */
_Static_assert(ARRAY_SIZE(stat_names) == BEAVER_STAT_MAX + 1,
	       "lib/bvnames.c: name every BEAVER_STAT_* of beaver.h");

static const char *const obj_names[] = {
	[BEAVER_OBJ_FLOWS]	= "flows",
	[BEAVER_OBJ_CHANNELS]	= "channels",
	[BEAVER_OBJ_HISTORY]	= "history",
	[BEAVER_OBJ_RECORDS]	= "records",
	[BEAVER_OBJ_CAPTURES]	= "captures",
	[BEAVER_OBJ_INFLIGHT]	= "inflight",
};
_Static_assert(ARRAY_SIZE(obj_names) == BEAVER_OBJ_MAX + 1,
	       "lib/bvnames.c: name every BEAVER_OBJ_* of beaver.h");

static const char *const state_names[] = {
	[BEAVER_STATE_CUT]	= "cut",
	[BEAVER_STATE_SETTLING]	= "settling",
	[BEAVER_STATE_COMPLETE]	= "complete",
};

static const char *const kind_names[] = {
	[BEAVER_CHAN_MEMBER]	= "member",
	[BEAVER_CHAN_VIP]	= "vip",
	[BEAVER_CHAN_GATEWAY]	= "gateway",
	[BEAVER_CHAN_OUTSIDE]	= "outside",
	[BEAVER_CHAN_BYPASS]	= "bypass",
};

#define LOOKUP(tab, id) ((id) < ARRAY_SIZE(tab) ? (tab)[id] : NULL)

const char *bv_stat_name(unsigned int id)
{
	return LOOKUP(stat_names, id);
}

const char *bv_obj_name(unsigned int id)
{
	return LOOKUP(obj_names, id);
}

const char *bv_state_name(uint32_t state)
{
	return LOOKUP(state_names, state);
}

const char *bv_chan_kind_name(unsigned int kind)
{
	return LOOKUP(kind_names, kind);
}

const char *bv_role_str(uint32_t role, char *buf, size_t len)
{
	switch (role) {
	case BEAVER_ROLE_NONE:
		snprintf(buf, len, "none");
		break;
	case BEAVER_ROLE_GATEWAY:
		snprintf(buf, len, "gateway");
		break;
	case BEAVER_ROLE_MEMBER:
		snprintf(buf, len, "member");
		break;
	case BEAVER_ROLE_GATEWAY | BEAVER_ROLE_MEMBER:
		snprintf(buf, len, "gateway+member");
		break;
	default:
		snprintf(buf, len, "0x%x", role);
	}
	return buf;
}

int bv_role_parse(const char *s, uint32_t *role)
{
	char *end;
	unsigned long v;

	if (!strcmp(s, "none"))
		*role = BEAVER_ROLE_NONE;
	else if (!strcmp(s, "gateway"))
		*role = BEAVER_ROLE_GATEWAY;
	else if (!strcmp(s, "member"))
		*role = BEAVER_ROLE_MEMBER;
	else if (!strcmp(s, "gateway+member") || !strcmp(s, "member+gateway"))
		*role = BEAVER_ROLE_GATEWAY | BEAVER_ROLE_MEMBER;
	else {
		/* a number, for negative tests of the kernel's policy */
		errno = 0;
		v = strtoul(s, &end, 0);
		if (errno || end == s || *end || v > UINT32_MAX)
			return -EINVAL;
		*role = (uint32_t)v;
	}
	return 0;
}
