/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Assembly of a global snapshot from the members' local records, and its
 * verification report (schema "beaver-report/1", docs/json-schema.md).
 * Pure: records in, JSON out.
 *
 * The per-channel balance check: for every ordered pair of members (A, B),
 * what A sent to B before A's cut equals what B received from A before
 * B's cut plus what was in flight on that channel (stamped before A's cut,
 * arrived after B's). Packets that arrived after B's record was complete
 * are counted late on B's record; packets lost on the wire are missing.
 * A channel balances when sent = received + in flight exactly.
 */
#ifndef BEAVERD_ASSEMBLE_H
#define BEAVERD_ASSEMBLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <jansson.h>

#include "records.h"

struct bvx_member {
	const char *node;
	struct in_addr data;		/* data-plane address */
	const struct bvr_records *rec;	/* merged; NULL if not collected */
};

struct bvx_summary {
	size_t missing;		/* members without a record */
	size_t incomplete;	/* records flagged incomplete */
	size_t channels;	/* directed member channels checked */
	size_t unbalanced;
	uint64_t late;		/* late packets, all members */
	uint64_t bypass;	/* bypass packets before the cuts, all members */
};

/*
 * Build the report. Never fails for bad data (it reports it); NULL only
 * when out of memory.
 */
json_t *bvx_report(uint32_t epoch, uint64_t tau_min_ns, uint64_t bound_ns,
		   const struct bvx_member *m, size_t n,
		   struct bvx_summary *sum);

#endif /* BEAVERD_ASSEMBLE_H */
