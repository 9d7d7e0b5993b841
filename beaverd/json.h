/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * JSON forms of what beaverd stores, sends and shows (jansson), field by
 * field documented in docs/json-schema.md:
 *
 *  - a member's local record (struct bvr_records, lib/records.h): the text
 *    the agent stores and the coordinator collects, and the "record" of
 *    each member in an export. The round trip struct -> JSON -> struct is
 *    exact: addresses as dotted quads, ports and counters as JSON integers
 *    (a u64 above 2^63-1, which jansson's json_int_t cannot hold, is
 *    written as a decimal string, and read back from one), capture data
 *    as lower-case hex, flags and states by name (unknown values by
 *    number, "bitN" for an unknown flag), arrays in their order.
 *
 *      {"node", "epoch", "cut": {...} | null,
 *       "flows": [{"proto","laddr","lport","raddr","rport",["cpu"],
 *                  "tx_pkts","tx_bytes","rx_pkts","rx_bytes",
 *                  ["tx_seq"],["rx_seq"]}...],
 *       "channels": [{"kind","peer",["cpu"], <totals as flows>,
 *                     "inflight_pkts","inflight_bytes"}...],
 *       "captures": [{"stamp","epoch","ns","len","data"}...],
 *       "late": [{"kind","peer",["cpu"],"first","last","arrived",
 *                 "pkts","bytes"}...]}
 *
 *    A member's agent adds "apps" and "escapes" (beaverd/escapes.h's JSON,
 *    as found when it sent the record; read: the number of "xdp" entries
 *    and the sum of "packet_sockets" counts, at most BVJ_ESCAPES_MAX each).
 *    "late" (written always, optional when read: older agents send none)
 *    holds at most BVJ_LATE_MAX entries, each with last not before first
 *    and arrived not before last (serial order).
 *    "cpu" is absent for merged entries (BVR_CPU_MERGED); "tx_seq" and
 *    "rx_seq" are absent when not valid; "node" is absent when not given.
 *
 *  - snapshot summaries and attempts (struct bvs_snapshot/bvs_attempt,
 *    store.h): the "beaver-summary/1" object of beaverctl snapshot/list;
 *
 *  - the export document "beaver-snapshot/1": the snapshot's fields,
 *    "attempts": [...], "report": {...} (assemble.c's, passed through) and
 *    "members": [{"node", "record": {...}}].
 *
 * Parsers reject wrong types, out-of-range numbers, bad addresses, odd or
 * non-hex capture data and missing required fields with a message that
 * names the field ("flows[2].laddr: ..."); they ignore unknown fields
 * (newer writers only add fields). They take untrusted input: every parser
 * here is fuzzed (tests/fuzz/fuzz_json.c).
 */
#ifndef BEAVERD_JSON_H
#define BEAVERD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "records.h"
#include "store.h"

#define BVJ_SCHEMA_EXPORT	"beaver-snapshot/1"
#define BVJ_SCHEMA_SUMMARY	"beaver-summary/1"
#define BVJ_SCHEMA_LIST		"beaver-list/1"
#define BVJ_SCHEMA_SHOW		"beaver-show/1"
#define BVJ_NODE_MAX		255	/* bytes of a node name */
#define BVJ_CAPTURE_MAX		65535	/* bytes of capture data */
/*
 * late entries in one record: the coordinator does one database lookup
 * per entry, so a record cannot make it do millions (the module keeps
 * far fewer: one per channel and arrival epoch, until released)
 */
#define BVJ_LATE_MAX		65536
/* a record's "apps" (beaverd/apps.h): answers, name and state sizes */
#define BVJ_APPS_MAX		64
#define BVJ_APP_NAME_MAX	63
#define BVJ_APP_STATE_MAX	4096
/* entries of each list of a record's "escapes" (an agent sends up to 32) */
#define BVJ_ESCAPES_MAX		1024

/* a u64 as JSON: an integer, or a decimal string above INT64_MAX */
json_t *bvj_u64(uint64_t v);
/* read what bvj_u64 writes (a non-negative integer or a decimal string) */
int bvj_get_u64(const json_t *j, uint64_t *v);

/* --- a member's local record ---------------------------------------------- */

/* node may be NULL (no "node" field); NULL only when out of memory */
json_t *bvj_records_to_json(const struct bvr_records *r, const char *node);
/*
 * r must have been bvr_init()ed; its previous entries are dropped. On
 * error returns -EINVAL (-ENOMEM) with why filled in, and r holds no
 * entries (bvr_free() it as usual).
 */
int bvj_records_from_json(const json_t *j, struct bvr_records *r,
			  char *why, size_t why_len);
/* the record's "node", or NULL */
const char *bvj_records_node(const json_t *j);

/* compact text (malloc'd, NULL when out of memory), and back */
char *bvj_records_dumps(const struct bvr_records *r, const char *node);
int bvj_records_loads(const char *text, struct bvr_records *r,
		      char *why, size_t why_len);

/* --- snapshots ------------------------------------------------------------ */

/* "pending", "collecting", "accepted", "rejected", "failed" */
const char *bvj_state_name(enum bvs_state st);
int bvj_state_parse(const char *name, enum bvs_state *st);

/* the snapshot object: {"id","state","reason","epoch","created_ns",
 * "finished_ns","tau_min_ns","bound_ns","attempts"} (no "schema": the
 * caller adds it to a top-level object) */
json_t *bvj_snapshot_to_json(const struct bvs_snapshot *s);
int bvj_snapshot_from_json(const json_t *j, struct bvs_snapshot *s,
			   char *why, size_t why_len);

/*
 * {"n","epoch","t0_ns","t1_ns","bound_ns","verdict","reason","acks"};
 * "acks" is null when not recorded. from_json allocates a->acks (free it
 * with bvs_attempts_free); on error a holds nothing to free.
 */
json_t *bvj_attempt_to_json(const struct bvs_attempt *a);
int bvj_attempt_from_json(const json_t *j, struct bvs_attempt *a,
			  char *why, size_t why_len);

/*
 * One gateway's acknowledgement of an attempt's advance, as the
 * coordinator received it: an element of an attempt's "acks"
 * {"node","prev","epoch","advanced","err","switch_ns","at_ns"}.
 */
struct bvj_ack {
	const char *node;
	uint32_t prev, now;	/* its epoch before and after the advance */
	bool advanced;		/* it moved to the attempt's epoch */
	int32_t err;		/* 0, or the -errno it refused with */
	uint64_t switch_ns;	/* its switch instant (its CLOCK_MONOTONIC) */
	uint64_t at_ns;		/* arrival (the coordinator's CLOCK_MONOTONIC) */
};

/* the "acks" array as compact JSON text (malloc'd; NULL: out of memory) */
char *bvj_acks_dumps(const struct bvj_ack *acks, size_t n);

/* --- the export document "beaver-snapshot/1" ------------------------------ */

struct bvj_member {
	char *node;
	struct bvr_records rec;
};

struct bvj_export {
	struct bvs_snapshot snap;	/* snap.n_attempts = n_attempts */
	struct bvs_attempt *attempts;
	size_t n_attempts;
	json_t *report;			/* a reference, or NULL */
	struct bvj_member *members;
	size_t n_members;
};

void bvj_export_init(struct bvj_export *x);
void bvj_export_free(struct bvj_export *x);

json_t *bvj_export_to_json(const struct bvj_export *x);
/* x must have been bvj_export_init()ed; on error it is left empty */
int bvj_export_from_json(const json_t *doc, struct bvj_export *x,
			 char *why, size_t why_len);

/*
 * The daemon's way: the document from what store.h returns (the report
 * and the members' records as stored JSON texts). Every record is parsed
 * and written again, so a corrupt row is an error here (why names the
 * node), never a broken export. report may be NULL (no report: null).
 */
json_t *bvj_export_build(const struct bvs_snapshot *s,
			 const struct bvs_attempt *attempts, size_t n_attempts,
			 const char *report, size_t n_members,
			 const char *const *nodes, const char *const *records,
			 char *why, size_t why_len);

#endif /* BEAVERD_JSON_H */
