// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of lib/records.c: merging per-CPU shares of flows and
 * channels, TCP sequence numbers across wraparound, the record container.
 * Self-contained: needs only lib/records.c (no netlink, no libmnl).
 *
 *   cc -std=c11 -D_GNU_SOURCE -Ilib tests/unit/test_merge.c lib/records.c \
 *      -lcmocka
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* relative: immune to include paths that also reach kmod/records.h */
#include "../../lib/records.h"
#include "../../kmod/uapi/beaver.h"

static struct bvr_flow flow(uint8_t proto, const char *la, uint16_t lp,
			    const char *ra, uint16_t rp, uint32_t cpu)
{
	struct bvr_flow f;

	memset(&f, 0, sizeof(f));
	f.proto = proto;
	assert_int_equal(bv_ip_pton(la, &f.laddr), AF_INET);
	assert_int_equal(bv_ip_pton(ra, &f.raddr), AF_INET);
	f.lport = lp;
	f.rport = rp;
	f.cpu = cpu;
	return f;
}

static struct bvr_chan chan(uint8_t kind, const char *peer, uint32_t cpu)
{
	struct bvr_chan c;

	memset(&c, 0, sizeof(c));
	c.kind = kind;
	assert_int_equal(bv_ip_pton(peer, &c.peer), AF_INET);
	c.cpu = cpu;
	return c;
}

static void set_tot(struct bvr_tot *t, uint64_t txp, uint64_t txb,
		    uint64_t rxp, uint64_t rxb)
{
	t->tx_pkts = txp;
	t->tx_bytes = txb;
	t->rx_pkts = rxp;
	t->rx_bytes = rxb;
}

/* --- sequence numbers ---------------------------------------------------- */

static void test_seq_after(void **state)
{
	(void)state;
	assert_true(bvr_seq_after(2, 1));
	assert_false(bvr_seq_after(1, 2));
	assert_false(bvr_seq_after(5, 5));
	/* across the wrap: 0x10 was sent after 0xfffffff0 */
	assert_true(bvr_seq_after(0x10, 0xfffffff0u));
	assert_false(bvr_seq_after(0xfffffff0u, 0x10));
	/* 0 is an ordinary sequence number, unlike epoch 0 */
	assert_true(bvr_seq_after(0, 0xffffffffu));
	assert_true(bvr_seq_after(1, 0));
}

static void test_seq_max(void **state)
{
	(void)state;
	assert_int_equal(bvr_seq_max(1, 2), 2);
	assert_int_equal(bvr_seq_max(2, 1), 2);
	assert_int_equal(bvr_seq_max(0xfffffff0u, 0x10), 0x10);
	assert_int_equal(bvr_seq_max(0x10, 0xfffffff0u), 0x10);
	assert_int_equal(bvr_seq_max(7, 7), 7);
	/* exactly 2^31 apart: undefined in serial order, but symmetric */
	assert_int_equal(bvr_seq_max(0x80000000u, 0), 0x80000000u);
	assert_int_equal(bvr_seq_max(0, 0x80000000u), 0x80000000u);
	assert_int_equal(bvr_seq_max(0x90000000u, 0x10000000u), 0x90000000u);
	assert_int_equal(bvr_seq_max(0x10000000u, 0x90000000u), 0x90000000u);
}

static void test_tot_add_seq_validity(void **state)
{
	struct bvr_tot acc = { 0 }, x = { 0 };

	(void)state;
	/* an invalid value never wins, whatever its number */
	acc.tx_seq = 0x7fffffff;
	acc.tx_seq_valid = false;
	x.tx_seq = 0;
	x.tx_seq_valid = true;
	bvr_tot_add(&acc, &x);
	assert_true(acc.tx_seq_valid);
	assert_int_equal(acc.tx_seq, 0);

	x.tx_seq = 0x7fffffff;
	x.tx_seq_valid = false;
	bvr_tot_add(&acc, &x);
	assert_int_equal(acc.tx_seq, 0);
	/* none valid on either side: stays invalid */
	assert_false(acc.rx_seq_valid);
}

/* --- merging ------------------------------------------------------------- */

static void test_merge_empty(void **state)
{
	struct bvr_records r;

	(void)state;
	assert_int_equal(bvr_merge_flows(NULL, 0), 0);
	assert_int_equal(bvr_merge_chans(NULL, 0), 0);
	bvr_init(&r);
	bvr_merge(&r);
	assert_int_equal(r.n_flows, 0);
	assert_int_equal(r.n_chans, 0);
	bvr_free(&r);
}

static void test_merge_single(void **state)
{
	struct bvr_flow f = flow(17, "10.0.0.1", 1000, "10.0.0.2", 2000, 3);

	(void)state;
	set_tot(&f.tot, 1, 100, 2, 200);
	assert_int_equal(bvr_merge_flows(&f, 1), 1);
	assert_int_equal(f.cpu, BVR_CPU_MERGED);
	assert_int_equal(f.tot.tx_pkts, 1);
	assert_int_equal(f.tot.rx_bytes, 200);
}

static void test_merge_flow_shares(void **state)
{
	struct bvr_flow v[5];

	(void)state;
	v[0] = flow(6, "10.0.0.1", 80, "10.0.0.9", 40000, 0);
	set_tot(&v[0].tot, 1, 10, 2, 20);
	v[0].tot.tx_seq = 0xfffffff0u;
	v[0].tot.tx_seq_valid = true;
	v[1] = flow(17, "10.0.0.1", 53, "10.0.0.9", 5353, 0);
	set_tot(&v[1].tot, 7, 700, 0, 0);
	v[2] = flow(6, "10.0.0.1", 80, "10.0.0.9", 40000, 1);
	set_tot(&v[2].tot, 3, 30, 4, 40);
	v[2].tot.tx_seq = 0x00000010u;	/* newer, across the wrap */
	v[2].tot.tx_seq_valid = true;
	v[2].tot.rx_seq = 500;
	v[2].tot.rx_seq_valid = true;
	v[3] = flow(6, "10.0.0.1", 80, "10.0.0.9", 40000, 2);
	set_tot(&v[3].tot, 5, 50, 6, 60);
	v[3].tot.tx_seq = 0x7fff0000u;	/* not valid: must be ignored */
	v[4] = flow(17, "10.0.0.1", 53, "10.0.0.9", 5353, 1);
	set_tot(&v[4].tot, 1, 100, 1, 50);

	assert_int_equal(bvr_merge_flows(v, 5), 2);
	/* sorted by key: TCP (6) before UDP (17) */
	assert_int_equal(v[0].proto, 6);
	assert_int_equal(v[0].cpu, BVR_CPU_MERGED);
	assert_int_equal(v[0].tot.tx_pkts, 9);
	assert_int_equal(v[0].tot.tx_bytes, 90);
	assert_int_equal(v[0].tot.rx_pkts, 12);
	assert_int_equal(v[0].tot.rx_bytes, 120);
	assert_true(v[0].tot.tx_seq_valid);
	assert_int_equal(v[0].tot.tx_seq, 0x10);
	assert_true(v[0].tot.rx_seq_valid);
	assert_int_equal(v[0].tot.rx_seq, 500);
	assert_int_equal(v[0].lport, 80);

	assert_int_equal(v[1].proto, 17);
	assert_int_equal(v[1].tot.tx_pkts, 8);
	assert_int_equal(v[1].tot.tx_bytes, 800);
	assert_int_equal(v[1].tot.rx_pkts, 1);
	assert_int_equal(v[1].tot.rx_bytes, 50);
	assert_false(v[1].tot.tx_seq_valid);
	assert_false(v[1].tot.rx_seq_valid);
}

/* keys that differ in one field only stay apart */
static void test_merge_flow_keys_distinct(void **state)
{
	struct bvr_flow v[6];

	(void)state;
	v[0] = flow(6, "10.0.0.1", 80, "10.0.0.2", 1000, 0);
	v[1] = flow(17, "10.0.0.1", 80, "10.0.0.2", 1000, 0);
	v[2] = flow(6, "10.0.0.3", 80, "10.0.0.2", 1000, 0);
	v[3] = flow(6, "10.0.0.1", 81, "10.0.0.2", 1000, 0);
	v[4] = flow(6, "10.0.0.1", 80, "10.0.0.4", 1000, 0);
	v[5] = flow(6, "10.0.0.1", 80, "10.0.0.2", 1001, 0);
	for (int i = 0; i < 6; i++)
		set_tot(&v[i].tot, 1, 1, 1, 1);
	assert_int_equal(bvr_merge_flows(v, 6), 6);
	for (int i = 0; i < 6; i++)
		assert_int_equal(v[i].tot.tx_pkts, 1);
	for (int i = 1; i < 6; i++)
		assert_true(bvr_flow_cmp(&v[i - 1], &v[i]) < 0);
}

/* addresses sort in host order, not by their network-order bytes */
static void test_flow_cmp_host_order(void **state)
{
	struct bvr_flow a = flow(6, "10.0.0.255", 1, "10.0.0.1", 1, 0);
	struct bvr_flow b = flow(6, "10.0.1.0", 1, "10.0.0.1", 1, 0);

	(void)state;
	assert_true(bvr_flow_cmp(&a, &b) < 0);
	assert_true(bvr_flow_cmp(&b, &a) > 0);
	assert_int_equal(bvr_flow_cmp(&a, &a), 0);
}

static void test_merge_chans(void **state)
{
	struct bvr_chan v[5];

	(void)state;
	v[0] = chan(1, "10.0.0.2", 0);		/* member */
	set_tot(&v[0].tot, 1, 10, 2, 20);
	v[0].inflight_pkts = 1;
	v[0].inflight_bytes = 100;
	v[1] = chan(4, "0.0.0.0", 0);		/* outside, aggregate */
	set_tot(&v[1].tot, 5, 5, 5, 5);
	v[2] = chan(1, "10.0.0.2", 1);
	set_tot(&v[2].tot, 3, 30, 4, 40);
	v[2].inflight_pkts = 2;
	v[2].inflight_bytes = 300;
	v[3] = chan(2, "10.0.0.2", 1);		/* vip, same address */
	set_tot(&v[3].tot, 9, 9, 9, 9);
	v[4] = chan(4, "0.0.0.0", 1);
	set_tot(&v[4].tot, 1, 1, 1, 1);
	v[4].inflight_pkts = 7;

	assert_int_equal(bvr_merge_chans(v, 5), 3);
	assert_int_equal(v[0].kind, 1);
	assert_int_equal(v[0].cpu, BVR_CPU_MERGED);
	assert_int_equal(v[0].tot.tx_pkts, 4);
	assert_int_equal(v[0].tot.tx_bytes, 40);
	assert_int_equal(v[0].tot.rx_pkts, 6);
	assert_int_equal(v[0].tot.rx_bytes, 60);
	assert_int_equal(v[0].inflight_pkts, 3);
	assert_int_equal(v[0].inflight_bytes, 400);
	assert_int_equal(v[1].kind, 2);
	assert_int_equal(v[1].tot.tx_pkts, 9);
	assert_int_equal(v[1].inflight_pkts, 0);
	assert_int_equal(v[2].kind, 4);
	assert_int_equal(v[2].tot.tx_pkts, 6);
	assert_int_equal(v[2].inflight_pkts, 7);
}

/* deterministic pseudo-random numbers (tests must be reproducible) */
static uint32_t rnd(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

#define KEYS	5000
#define CPUS	4

/* many keys, shares in random order, sequence numbers around the wrap */
static void test_merge_many_keys(void **state)
{
	struct bvr_records r;
	uint32_t seed = 12345;

	(void)state;
	bvr_init(&r);
	for (uint32_t k = 0; k < KEYS; k++) {
		for (uint32_t c = 0; c < CPUS; c++) {
			struct bvr_flow f;
			struct bvr_chan ch;

			memset(&f, 0, sizeof(f));
			f.proto = (uint8_t)(k % 2 ? 6 : 17);
			f.laddr = bv_ip4(htonl(0x0a000001u));
			f.raddr = bv_ip4(htonl(0x0a010000u + k));
			f.lport = (uint16_t)(1000 + k % 7);
			f.rport = (uint16_t)(40000 + k);
			f.cpu = c;
			set_tot(&f.tot, k + c, (k + c) * 100ull, 1, 1ull << 40);
			/* per key a base near the wrap for some keys; cpu 3 newest */
			f.tot.tx_seq = (k % 3 ? 0xffffff00u : 0x1000u) + k + c * 0x40;
			f.tot.tx_seq_valid = true;
			assert_int_equal(bvr_add_flow(&r, &f), 0);

			memset(&ch, 0, sizeof(ch));
			ch.kind = 1;
			ch.peer = bv_ip4(htonl(0x0a020000u + k));
			ch.cpu = c;
			set_tot(&ch.tot, 1, 2, 3, 4);
			ch.inflight_pkts = c;
			ch.inflight_bytes = 1000;
			assert_int_equal(bvr_add_chan(&r, &ch), 0);
		}
	}
	/* shuffle (Fisher-Yates) so shares of a key are far apart */
	for (size_t i = r.n_flows - 1; i > 0; i--) {
		size_t j = rnd(&seed) % (i + 1);
		struct bvr_flow t = r.flows[i];
		struct bvr_chan u = r.chans[i];

		r.flows[i] = r.flows[j];
		r.flows[j] = t;
		j = rnd(&seed) % (i + 1);
		r.chans[i] = r.chans[j];
		r.chans[j] = u;
	}
	bvr_merge(&r);
	assert_int_equal(r.n_flows, KEYS);
	assert_int_equal(r.n_chans, KEYS);
	for (size_t i = 0; i < r.n_flows; i++) {
		const struct bvr_flow *f = &r.flows[i];
		uint32_t k = f->rport - 40000;
		uint32_t base = (k % 3 ? 0xffffff00u : 0x1000u) + k;

		if (i)
			assert_true(bvr_flow_cmp(&r.flows[i - 1], f) < 0);
		assert_int_equal(f->cpu, BVR_CPU_MERGED);
		assert_int_equal(ntohl(bv_ip_get4(&f->raddr)), 0x0a010000u + k);
		assert_int_equal(f->tot.tx_pkts, 4ull * k + 6);
		assert_int_equal(f->tot.tx_bytes, (4ull * k + 6) * 100);
		assert_int_equal(f->tot.rx_pkts, CPUS);
		assert_int_equal(f->tot.rx_bytes, (uint64_t)CPUS << 40);
		assert_true(f->tot.tx_seq_valid);
		assert_int_equal(f->tot.tx_seq, (uint32_t)(base + 3 * 0x40));
		assert_false(f->tot.rx_seq_valid);
	}
	for (size_t i = 0; i < r.n_chans; i++) {
		const struct bvr_chan *c = &r.chans[i];

		if (i)
			assert_true(bvr_chan_cmp(&r.chans[i - 1], c) < 0);
		assert_int_equal(c->tot.tx_pkts, CPUS);
		assert_int_equal(c->tot.rx_bytes, 4 * CPUS);
		assert_int_equal(c->inflight_pkts, 0 + 1 + 2 + 3);
		assert_int_equal(c->inflight_bytes, 1000 * CPUS);
	}
	bvr_free(&r);
}

/* --- container ----------------------------------------------------------- */

static void test_records_container(void **state)
{
	uint8_t data[3] = { 0x45, 0x00, 0x54 };
	struct bvr_capture cap = { .stamp = 7, .epoch = 9, .ns = 1, .len = 84,
				   .data = data, .data_len = sizeof(data) };
	struct bvr_capture empty = { .stamp = 8, .len = 60 };
	struct bvr_records r;

	(void)state;
	bvr_init(&r);
	assert_int_equal(bvr_add_capture(&r, &cap), 0);
	assert_int_equal(bvr_add_capture(&r, &empty), 0);
	data[0] = 0;	/* the record holds its own copy */
	assert_int_equal(r.n_caps, 2);
	assert_int_equal(r.caps[0].data_len, 3);
	assert_int_equal(r.caps[0].data[0], 0x45);
	assert_int_equal(r.caps[0].data[2], 0x54);
	assert_null(r.caps[1].data);
	r.has_cut = true;
	r.cut.epoch = 5;

	/* a retried dump starts afresh, keeping the arrays */
	bvr_reset(&r);
	assert_false(r.has_cut);
	assert_int_equal(r.cut.epoch, 0);
	assert_int_equal(r.n_caps, 0);
	assert_int_equal(r.n_flows, 0);
	assert_int_equal(bvr_add_capture(&r, &cap), 0);
	assert_int_equal(r.n_caps, 1);
	bvr_free(&r);
	assert_null(r.caps);
	assert_int_equal(r.n_caps, 0);
}

/* --- where TCP streams start: per-CPU shares ---------------------------- */

/* one share of a TCP flow: @gen, a SYN of its own if @syn */
static struct bvr_tot tshare(uint32_t gen, bool syn)
{
	struct bvr_tot t;

	memset(&t, 0, sizeof(t));
	t.has_gen = true;
	t.gen = gen;
	t.has_syn_gen = syn;
	t.syn_gen = syn ? gen : 0;
	t.tcp_flags = syn ? BEAVER_TOT_F_SYN : 0;
	return t;
}

/* fold shares as bvr_merge_flows() does: the first, then the rest */
static struct bvr_tot fold(const struct bvr_tot *v, size_t n)
{
	struct bvr_tot acc = v[0];

	for (size_t i = 1; i < n; i++)
		bvr_tot_add(&acc, &v[i]);
	return acc;
}

static void test_tcp_known(void **state)
{
	struct bvr_tot v[3], m;

	(void)state;
	/* a server: SYN and SYN-ACK on CPU 0, data sent from CPU 1 later */
	v[0] = tshare(0xfffffffe, true);	/* the counter wraps too */
	v[0].rx_isn = 100; v[0].rx_isn_valid = true;
	v[0].rx_seq = 201; v[0].rx_seq_valid = true;
	v[0].tx_isn = 7; v[0].tx_isn_valid = true;
	v[0].tx_seq = 8; v[0].tx_seq_valid = true;
	v[1] = tshare(3, false);
	v[1].tx_seq = 508; v[1].tx_seq_valid = true;
	m = fold(v, 2);
	assert_true(bvr_tcp_known(&m));
	assert_int_equal(m.tx_seq, 508);
	assert_int_equal(m.tx_isn, 7);
	assert_int_equal(m.rx_isn, 100);
	/* in either order */
	v[2] = v[0]; v[0] = v[1]; v[1] = v[2];
	m = fold(v, 2);
	assert_true(bvr_tcp_known(&m));
	assert_int_equal(m.gen, 0xfffffffe);

	/* a share that predates the connection (an older one's): unknown */
	v[0] = tshare(50, true);
	v[0].rx_isn = 100; v[0].rx_isn_valid = true;
	v[0].rx_seq = 101; v[0].rx_seq_valid = true;
	v[1] = tshare(49, false);
	v[1].rx_seq = 90000; v[1].rx_seq_valid = true;
	m = fold(v, 2);
	assert_false(bvr_tcp_known(&m));
	/* ... even though its sequence number looks newer */
	assert_int_equal(m.rx_seq, 90000);
	v[1].gen = 50;		/* created after the SYN: the same one */
	m = fold(v, 2);
	assert_true(bvr_tcp_known(&m));

	/* shares that disagree on an ISN */
	v[1] = tshare(51, true);
	v[1].rx_isn = 999; v[1].rx_isn_valid = true;
	v[1].rx_seq = 1000; v[1].rx_seq_valid = true;
	m = fold(v, 2);
	assert_true(m.isn_conflict);
	assert_false(bvr_tcp_known(&m));

	/* no SYN seen at all (mid-stream) */
	v[0] = tshare(5, false);
	v[0].rx_seq = 10; v[0].rx_seq_valid = true;
	assert_false(bvr_tcp_known(&v[0]));
	/* a direction with a sequence number but no ISN */
	v[0] = tshare(5, true);
	v[0].rx_isn = 1; v[0].rx_isn_valid = true;
	v[0].rx_seq = 2; v[0].rx_seq_valid = true;
	assert_true(bvr_tcp_known(&v[0]));
	v[0].tx_seq = 2; v[0].tx_seq_valid = true;
	assert_false(bvr_tcp_known(&v[0]));
	/* a start marked bad on any share */
	v[0].tx_seq_valid = false;
	v[1] = tshare(6, false);
	v[1].tcp_flags = BEAVER_TOT_F_TX_ISN_BAD;
	m = fold(v, 2);
	assert_false(bvr_tcp_known(&m));
	/* a channel or UDP flow: no generation */
	memset(&m, 0, sizeof(m));
	assert_false(bvr_tcp_known(&m));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seq_after),
		cmocka_unit_test(test_seq_max),
		cmocka_unit_test(test_tot_add_seq_validity),
		cmocka_unit_test(test_merge_empty),
		cmocka_unit_test(test_merge_single),
		cmocka_unit_test(test_merge_flow_shares),
		cmocka_unit_test(test_merge_flow_keys_distinct),
		cmocka_unit_test(test_flow_cmp_host_order),
		cmocka_unit_test(test_merge_chans),
		cmocka_unit_test(test_merge_many_keys),
		cmocka_unit_test(test_records_container),
		cmocka_unit_test(test_tcp_known),
	};

	return cmocka_run_group_tests_name("merge", tests, NULL, NULL);
}
