// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer harness for beaverd/json.c: the input is JSON text read, as
 * beaverd reads it, as a member's record (bvj_records_from_json, and the
 * NUL-terminated bvj_records_loads the coordinator uses on collected
 * records), an export document (bvj_export_from_json, what a consumer of
 * `beaverctl export` may feed back), a snapshot object and an attempt.
 *
 * Oracles besides the sanitizers: whatever parses survives a round trip
 * exactly. struct -> JSON -> struct gives the same struct, and writing the
 * copy gives the same JSON (json_equal), also through the text form
 * (bvj_records_dumps/loads); a refused input leaves nothing behind.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool tot_equal(const struct bvr_tot *a, const struct bvr_tot *b)
{
	return a->tx_pkts == b->tx_pkts && a->tx_bytes == b->tx_bytes &&
	       a->rx_pkts == b->rx_pkts && a->rx_bytes == b->rx_bytes &&
	       a->tx_seq_valid == b->tx_seq_valid &&
	       a->rx_seq_valid == b->rx_seq_valid &&
	       (!a->tx_seq_valid || a->tx_seq == b->tx_seq) &&
	       (!a->rx_seq_valid || a->rx_seq == b->rx_seq);
}

static bool records_equal(const struct bvr_records *a,
			  const struct bvr_records *b)
{
	if (a->epoch != b->epoch || a->has_cut != b->has_cut ||
	    a->n_flows != b->n_flows || a->n_chans != b->n_chans ||
	    a->n_caps != b->n_caps)
		return false;
	if (a->has_cut &&
	    (a->cut.epoch != b->cut.epoch || a->cut.first != b->cut.first ||
	     a->cut.last != b->cut.last || a->cut.ns != b->cut.ns ||
	     a->cut.state != b->cut.state || a->cut.flags != b->cut.flags ||
	     a->cut.late != b->cut.late ||
	     a->cut.late_bytes != b->cut.late_bytes ||
	     a->cut.settle_ms != b->cut.settle_ms ||
	     a->cut.complete_ns != b->cut.complete_ns))
		return false;
	for (size_t i = 0; i < a->n_flows; i++) {
		const struct bvr_flow *x = &a->flows[i], *y = &b->flows[i];

		if (x->proto != y->proto || !bv_ip_eq(&x->laddr, &y->laddr) ||
		    x->lport != y->lport || !bv_ip_eq(&x->raddr, &y->raddr) ||
		    x->rport != y->rport || x->cpu != y->cpu ||
		    !tot_equal(&x->tot, &y->tot))
			return false;
	}
	for (size_t i = 0; i < a->n_chans; i++) {
		const struct bvr_chan *x = &a->chans[i], *y = &b->chans[i];

		if (x->kind != y->kind || !bv_ip_eq(&x->peer, &y->peer) ||
		    x->cpu != y->cpu || !tot_equal(&x->tot, &y->tot) ||
		    x->inflight_pkts != y->inflight_pkts ||
		    x->inflight_bytes != y->inflight_bytes)
			return false;
	}
	for (size_t i = 0; i < a->n_caps; i++) {
		const struct bvr_capture *x = &a->caps[i], *y = &b->caps[i];

		if (x->stamp != y->stamp || x->epoch != y->epoch ||
		    x->ns != y->ns || x->len != y->len ||
		    x->data_len != y->data_len ||
		    (x->data_len && memcmp(x->data, y->data, x->data_len)))
			return false;
	}
	return true;
}

static bool snap_equal(const struct bvs_snapshot *a,
		       const struct bvs_snapshot *b)
{
	return a->id == b->id && a->state == b->state &&
	       !strcmp(a->reason, b->reason) && a->epoch == b->epoch &&
	       a->created_ns == b->created_ns &&
	       a->finished_ns == b->finished_ns &&
	       a->tau_min_ns == b->tau_min_ns && a->bound_ns == b->bound_ns &&
	       a->n_attempts == b->n_attempts;
}

static bool attempt_equal(const struct bvs_attempt *a,
			  const struct bvs_attempt *b)
{
	return a->n == b->n && a->epoch == b->epoch && a->t0_ns == b->t0_ns &&
	       a->t1_ns == b->t1_ns && !strcmp(a->verdict, b->verdict) &&
	       !strcmp(a->reason, b->reason) &&
	       (a->acks && b->acks ? !strcmp(a->acks, b->acks) :
				     a->acks == b->acks);
}

static void fuzz_records(const json_t *j, const char *text)
{
	struct bvr_records r1, r2, r3;
	char why[256];
	json_t *j1, *j2;
	char *t1;
	int rc;

	bvr_init(&r1);
	bvr_init(&r2);
	bvr_init(&r3);
	rc = bvj_records_from_json(j, &r1, why, sizeof(why));
	/* the text path agrees with the tree path */
	CHECK(bvj_records_loads(text, &r3, why, sizeof(why)) == rc);
	if (rc) {
		CHECK(rc == -EINVAL || rc == -ENOMEM);
		CHECK(!r1.n_flows && !r1.n_chans && !r1.n_caps && !r1.has_cut);
		CHECK(why[0]);
		goto out;
	}
	CHECK(records_equal(&r1, &r3));
	j1 = bvj_records_to_json(&r1, bvj_records_node(j));
	CHECK(j1);
	CHECK(bvj_records_from_json(j1, &r2, why, sizeof(why)) == 0);
	CHECK(records_equal(&r1, &r2));
	j2 = bvj_records_to_json(&r2, bvj_records_node(j));
	CHECK(j2 && json_equal(j1, j2));
	t1 = bvj_records_dumps(&r2, NULL);
	CHECK(t1);
	CHECK(bvj_records_loads(t1, &r3, why, sizeof(why)) == 0);
	CHECK(records_equal(&r1, &r3));
	free(t1);
	json_decref(j1);
	json_decref(j2);
out:
	bvr_free(&r1);
	bvr_free(&r2);
	bvr_free(&r3);
}

static void fuzz_export(const json_t *j)
{
	struct bvj_export x1, x2;
	char why[256];
	json_t *d1, *d2;

	bvj_export_init(&x1);
	bvj_export_init(&x2);
	if (bvj_export_from_json(j, &x1, why, sizeof(why))) {
		CHECK(!x1.n_members && !x1.n_attempts && !x1.report);
		return;
	}
	d1 = bvj_export_to_json(&x1);
	CHECK(d1);
	CHECK(bvj_export_from_json(d1, &x2, why, sizeof(why)) == 0);
	CHECK(snap_equal(&x1.snap, &x2.snap));
	CHECK(x1.n_attempts == x2.n_attempts && x1.n_members == x2.n_members);
	for (size_t i = 0; i < x1.n_attempts; i++)
		CHECK(attempt_equal(&x1.attempts[i], &x2.attempts[i]));
	for (size_t i = 0; i < x1.n_members; i++) {
		CHECK(!strcmp(x1.members[i].node, x2.members[i].node));
		CHECK(records_equal(&x1.members[i].rec, &x2.members[i].rec));
	}
	d2 = bvj_export_to_json(&x2);
	CHECK(d2 && json_equal(d1, d2));
	json_decref(d1);
	json_decref(d2);
	bvj_export_free(&x1);
	bvj_export_free(&x2);
}

static void fuzz_snapshot(const json_t *j)
{
	struct bvs_snapshot s1, s2;
	struct bvs_attempt a1, a2;
	char why[256];
	json_t *o;

	if (!bvj_snapshot_from_json(j, &s1, why, sizeof(why))) {
		o = bvj_snapshot_to_json(&s1);
		CHECK(o);
		CHECK(bvj_snapshot_from_json(o, &s2, why, sizeof(why)) == 0);
		CHECK(snap_equal(&s1, &s2));
		json_decref(o);
	}
	if (!bvj_attempt_from_json(j, &a1, why, sizeof(why))) {
		o = bvj_attempt_to_json(&a1);
		CHECK(o);
		CHECK(bvj_attempt_from_json(o, &a2, why, sizeof(why)) == 0);
		CHECK(attempt_equal(&a1, &a2));
		json_decref(o);
		bvs_attempts_free(&a1, 1);
		bvs_attempts_free(&a2, 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	json_t *j;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	/* as bvj_records_loads reads it: up to the first NUL */
	j = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	if (j) {
		fuzz_records(j, text);
		fuzz_export(j);
		fuzz_snapshot(j);
		json_decref(j);
	} else {
		struct bvr_records r;
		char why[128];

		bvr_init(&r);
		CHECK(bvj_records_loads(text, &r, why, sizeof(why)) == -EINVAL);
		bvr_free(&r);
	}
	free(text);
	return 0;
}
