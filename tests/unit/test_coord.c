// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The coordinator (beaverd/coord.c) driven through its public API, with a
 * fake clock, fake timers and a fake transport defined here in place of
 * loop.c and peer.c, and a real store (store.c) in a temporary directory.
 *
 * Every datagram the coordinator sends is captured (type, epoch,
 * recipient, offset, the fake clock at the send); the tests answer as
 * gateways and members would, through bvd_coord_msg, and check the
 * decisions the coordinator takes (DESIGN §3, Optimistic Gateway Marking)
 * both in what it sends next and in what the store holds afterwards:
 * t0 read just before the first advance, t1 at the last acknowledgement,
 * accept iff t1 - t0 < tau_min (strictly), a fresh and strictly larger
 * epoch for every retry, rejected/failed after the last retry, ack
 * matching, the member phase, chunked collection, max_outstanding.
 *
 * Time only moves when a test moves it (clock_run), and timers fire only
 * then, in deadline order: every run is the same run.
 * BV_TEST_VERBOSE=1 prints the coordinator's log lines.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coord.h"
#include "log.h"
#include "loop.h"
#include "peer.h"
#include "store.h"
#include "window.h"
#include "wire.h"

#define US		1000ull
#define MS		1000000ull
#define TAU		(1 * MS)	/* tau_min of the test group */
#define ACK_TIMEOUT_MS	200
#define RESEND_NS	(100 * MS)	/* coord.c MEMBER_RESEND_NS */
#define POLL_NS		(20 * MS)	/* coord.c COLLECT_POLL_NS */
#define FIRST_EPOCH	100
#define T_START		(5000 * MS)	/* the fake clock at each test's start */

/* ---- fake loop.c: clock and timers ------------------------------------ */

static uint64_t now_ns;
static uint64_t send_cost_ns;	/* every send moves the clock this much */

struct ftimer {
	long id;
	uint64_t due;
	bvl_timer_cb cb;
	void *data;
	bool live;
};

#define MAX_TIMERS 64
static struct ftimer timers[MAX_TIMERS];
static long next_timer_id;
static unsigned int bad_cancels;	/* cancel of an id not pending */

uint64_t bvl_now(void)
{
	return now_ns;
}

long bvl_timer(uint64_t delay_ns, bvl_timer_cb cb, void *data)
{
	for (size_t i = 0; i < MAX_TIMERS; i++) {
		if (timers[i].live)
			continue;
		timers[i] = (struct ftimer){ next_timer_id, now_ns + delay_ns,
					     cb, data, true };
		return next_timer_id++;
	}
	return -ENOMEM;
}

/* focus (window.c): which fd the loop would serve alone, -1 none */
static int focused = -1;
static unsigned int n_focus;

void bvl_focus(int fd)
{
	focused = fd;
	n_focus++;
}

void bvl_unfocus(void)
{
	focused = -1;
}

void bvl_cancel(long id)
{
	for (size_t i = 0; i < MAX_TIMERS; i++) {
		if (timers[i].live && timers[i].id == id) {
			timers[i].live = false;
			return;
		}
	}
	bad_cancels++;
}

static size_t live_timers(void)
{
	size_t n = 0;

	for (size_t i = 0; i < MAX_TIMERS; i++)
		n += timers[i].live;
	return n;
}

/* move the clock to `until`, firing due timers in deadline order */
static void clock_run_until(uint64_t until)
{
	for (unsigned int guard = 0; guard < 100000; guard++) {
		struct ftimer *t = NULL;

		for (size_t i = 0; i < MAX_TIMERS; i++) {
			struct ftimer *x = &timers[i];

			if (!x->live || x->due > until)
				continue;
			if (!t || x->due < t->due ||
			    (x->due == t->due && x->id < t->id))
				t = x;
		}
		if (!t) {
			if (now_ns < until)
				now_ns = until;
			return;
		}
		if (t->due > now_ns)
			now_ns = t->due;
		t->live = false;
		t->cb(t->data);
	}
	fail_msg("timers keep firing without end");
}

static void clock_run(uint64_t delta)
{
	clock_run_until(now_ns + delta);
}

/* ---- fake peer.c: capture every send ---------------------------------- */

struct sent {
	uint8_t type, role;
	uint32_t epoch, recipient, offset;
	uint64_t nonce, seq, at;	/* at: the clock when it left */
};

#define MAX_SENT 4096
static struct sent sent[MAX_SENT];
static size_t n_sent;
static unsigned int bad_sends;	/* recipient id does not match `to` */

static struct bvd_config cfg;
static struct bvd_peer_conf peers[4];

/* one datagram leaves: captured with the clock */
static void capture(struct bvd_peer_io *io, const struct bvw_msg *m,
		    uint64_t at)
{
	if (n_sent < MAX_SENT)
		sent[n_sent++] = (struct sent){
			.type = m->type, .role = m->role, .epoch = m->epoch,
			.recipient = m->recipient, .offset = m->offset,
			.nonce = m->nonce, .seq = m->seq, .at = at,
		};
	io->sent++;
}

static void check_recipient(const struct bvw_msg *m)
{
	const struct bvd_peer_conf *p = NULL;

	/* the real one sends to the configured peer of that node id */
	for (size_t i = 0; i < cfg.n_peers; i++)
		if (bvw_node_id(peers[i].name) == m->recipient)
			p = &peers[i];
	if (!p)
		bad_sends++;
}

/*
 * The batch: prepare (encoding and MAC) takes send_cost_ns on the fake
 * clock, like a lone send; the flush takes it once for the whole batch
 * (one sendmmsg), and every datagram of it leaves when the flush starts.
 */
static struct bvw_msg batched[MAX_SENT];
static unsigned int n_flushes;

int bvd_peer_batch_init(struct bvd_peer_batch *b, size_t cap)
{
	b->d = NULL;
	b->n = 0;
	b->cap = cap;
	return 0;
}

void bvd_peer_batch_free(struct bvd_peer_batch *b)
{
	b->n = b->cap = 0;
}

int bvd_peer_prepare(struct bvd_peer_io *io, struct bvd_peer_batch *b,
		     struct bvw_msg *m)
{
	check_recipient(m);
	if (b->n == b->cap || b->n == MAX_SENT)
		return -ENOSPC;
	m->group = io->group;
	m->sender = io->self;
	m->seq = io->seq++;
	batched[b->n++] = *m;
	now_ns += send_cost_ns;
	return 0;
}

int bvd_peer_flush(struct bvd_peer_io *io, struct bvd_peer_batch *b)
{
	size_t n = b->n;

	for (size_t i = 0; i < n; i++)
		capture(io, &batched[i], now_ns);
	b->n = 0;
	n_flushes++;
	now_ns += send_cost_ns;
	return (int)n;
}

int bvd_peer_send(struct bvd_peer_io *io, struct bvw_msg *m)
{
	check_recipient(m);
	m->group = io->group;
	m->sender = io->self;
	m->seq = io->seq++;
	capture(io, m, now_ns);
	now_ns += send_cost_ns;
	return 0;
}

/* ---- fake log.c -------------------------------------------------------- */

static char last_log[512];

void bvd_log(int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	va_end(ap);
	if (getenv("BV_TEST_VERBOSE"))
		fprintf(stderr, "  log<%d> %s\n", priority, last_log);
}

/* ---- the fixture ------------------------------------------------------- */

static char dir[64];
static struct bvs *store;
static struct bvd_peer_io io;
static struct bvd_coord *coord;
static uint64_t peer_seq;	/* seq of the datagrams the peers send */

/*
 * What a test allocates is kept here and released by teardown, so that a
 * failing assertion (which leaves the test at once) leaks nothing.
 */
#define MAX_KEPT 64
static void *kept[MAX_KEPT];
static json_t *kept_json[MAX_KEPT];
static size_t n_kept, n_kept_json;

static void *keep(void *p)
{
	assert_true(n_kept < MAX_KEPT);
	kept[n_kept++] = p;
	return p;
}

static json_t *keep_json(json_t *j)
{
	assert_true(n_kept_json < MAX_KEPT);
	kept_json[n_kept_json++] = j;
	return j;
}

/* done() calls */
static unsigned int n_done;
static int64_t done_id;
static void *done_waiter;

static void on_done(void *waiter, int64_t id)
{
	n_done++;
	done_id = id;
	done_waiter = waiter;
}

static void set_peer(size_t i, const char *name, bool gw, uint16_t port,
		     const char *data)
{
	snprintf(peers[i].name, sizeof(peers[i].name), "%s", name);
	peers[i].gateway = gw;
	peers[i].control.sin_family = AF_INET;
	peers[i].control.sin_port = htons(port);
	inet_pton(AF_INET, "127.0.0.1", &peers[i].control.sin_addr);
	peers[i].n_data = 0;
	if (data) {
		assert_int_not_equal(bv_ip_pton(data, &peers[i].data[0]), 0);
		peers[i].n_data = 1;
	}
}

static int setup(void **state)
{
	char why[256];

	(void)state;
	now_ns = T_START;
	send_cost_ns = 0;
	focused = -1;
	n_focus = 0;
	n_flushes = 0;
	bvd_window_reset();
	memset(timers, 0, sizeof(timers));
	next_timer_id = 1;
	bad_cancels = 0;
	n_sent = 0;
	bad_sends = 0;
	n_done = 0;
	done_id = 0;
	done_waiter = NULL;
	peer_seq = 1000;
	coord = NULL;
	n_kept = n_kept_json = 0;

	memset(&cfg, 0, sizeof(cfg));
	memset(peers, 0, sizeof(peers));
	set_peer(0, "g1", true, 6001, NULL);
	set_peer(1, "g2", true, 6002, NULL);
	set_peer(2, "m1", false, 6011, "10.0.1.11");
	set_peer(3, "m2", false, 6012, "10.0.1.12");
	snprintf(cfg.node, sizeof(cfg.node), "coord");
	cfg.roles = BVD_ROLE_COORDINATOR;
	cfg.group = 7;
	cfg.tau_min_ns = TAU;
	cfg.ack_timeout_ms = ACK_TIMEOUT_MS;
	cfg.retries = 2;
	cfg.max_outstanding = 4;
	cfg.complete_timeout_ms = 1000;
	cfg.collect_timeout_ms = 1000;
	cfg.first_epoch = FIRST_EPOCH;
	cfg.peers = peers;
	cfg.n_peers = 4;

	memset(&io, 0, sizeof(io));
	io.fd = -1;
	io.group = cfg.group;
	io.self = bvw_node_id(cfg.node);
	io.seq = 1;

	snprintf(dir, sizeof(dir), "/tmp/bvcoordXXXXXX");
	if (!mkdtemp(dir))
		return -1;
	if (bvs_open(dir, false, &store, why, sizeof(why))) {
		print_error("bvs_open: %s\n", why);
		return -1;
	}
	return 0;
}

static int remove_dir(const char *path)
{
	char p[512];
	struct dirent *e;
	DIR *d = opendir(path);
	int rc = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		if (unlink(p))
			rc = -1;
	}
	closedir(d);
	return rmdir(path) ? -1 : rc;
}

static int teardown(void **state)
{
	int rc = 0;

	(void)state;
	/* freeing a coordinator with snapshots in flight cancels their
	 * timers: none may be left to fire on freed memory */
	bvd_coord_free(coord);
	coord = NULL;
	if (bvd_window_pending()) {
		print_error("%zu deferred calls left after bvd_coord_free\n",
			    bvd_window_pending());
		rc = -1;
	}
	bvd_window_reset();	/* its drain timer, if one is pending */
	if (live_timers()) {
		print_error("%zu timers still pending after bvd_coord_free\n",
			    live_timers());
		rc = -1;
	}
	if (bad_cancels) {
		print_error("%u bvl_cancel calls of timers not pending\n",
			    bad_cancels);
		rc = -1;
	}
	if (bad_sends) {
		print_error("%u sends whose recipient is not the peer at `to`\n",
			    bad_sends);
		rc = -1;
	}
	bvs_close(store);
	store = NULL;
	while (n_kept)
		free(kept[--n_kept]);
	while (n_kept_json)
		json_decref(kept_json[--n_kept_json]);
	if (remove_dir(dir))
		rc = -1;
	return rc;
}

/* the coordinator, made on first use (tests change cfg before) */
static struct bvd_coord *C(void)
{
	if (!coord) {
		coord = bvd_coord_new(&cfg, store, &io);
		assert_non_null(coord);
	}
	return coord;
}

static void deliver(struct bvw_msg *m, const char *from);

/*
 * The members answer the announcements sent since index from (a
 * coordinator's first attempt names its epoch to every member before its
 * gateways hear of it): the announcements are taken out of sent[] and
 * their cost off the clock (back to t), so that the tests of what follows
 * see the gateways' advances first, as before announcements existed.
 * test_announce_before_first_attempt looks at them.
 */
static size_t answer_announcements(size_t from, uint64_t t)
{
	struct sent ann[MAX_SENT];
	size_t n = 0, k = from;

	for (size_t i = from; i < n_sent; i++) {
		if (sent[i].type == BVW_ANNOUNCE)
			ann[n++] = sent[i];
		else
			sent[k++] = sent[i];
	}
	if (!n)
		return 0;
	n_sent = k;
	n_flushes--;
	now_ns = t;
	for (size_t i = 0; i < n; i++) {
		struct bvw_msg m = { .type = BVW_ANNOUNCE_ACK,
				     .epoch = ann[i].epoch,
				     .req_id = ann[i].seq };
		const char *from_name = NULL;

		for (size_t p = 0; p < cfg.n_peers; p++)
			if (bvw_node_id(peers[p].name) == ann[i].recipient)
				from_name = peers[p].name;
		assert_non_null(from_name);
		deliver(&m, from_name);
	}
	return n;
}

static int64_t snapshot(void)
{
	char why[256] = "";
	int64_t id = -1;
	uint64_t t = now_ns;
	size_t from = n_sent;

	assert_int_equal(bvd_coord_snapshot(C(), on_done, &n_done, &id, why,
					    sizeof(why)), 0);
	assert_true(id > 0);
	answer_announcements(from, t);
	return id;
}

/* ---- what the coordinator sent ---------------------------------------- */

/* sends since index from; epoch 0 and to NULL match any */
static size_t count_sent(size_t from, uint8_t type, uint32_t epoch,
			 const char *to)
{
	size_t n = 0;

	for (size_t i = from; i < n_sent; i++)
		if (sent[i].type == type && (!epoch || sent[i].epoch == epoch) &&
		    (!to || sent[i].recipient == bvw_node_id(to)))
			n++;
	return n;
}

/* the last send of a type to a peer since from, or NULL */
static const struct sent *last_sent(size_t from, uint8_t type, const char *to)
{
	for (size_t i = n_sent; i-- > from;)
		if (sent[i].type == type && sent[i].recipient == bvw_node_id(to))
			return &sent[i];
	return NULL;
}

/*
 * Exactly one advance to each gateway since from, with one epoch and role
 * gateway, and nothing else: returns that epoch.
 */
static uint32_t gateway_attempt(size_t from)
{
	const struct sent *a = last_sent(from, BVW_ADVANCE, "g1");
	const struct sent *b = last_sent(from, BVW_ADVANCE, "g2");

	assert_int_equal(n_sent - from, 2);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->epoch, b->epoch);
	assert_int_equal(a->role, BVW_ROLE_GATEWAY);
	assert_int_equal(b->role, BVW_ROLE_GATEWAY);
	assert_true(a->epoch != 0);
	return a->epoch;
}

/* ---- answers from the peers -------------------------------------------- */

static void deliver(struct bvw_msg *m, const char *from)
{
	m->group = cfg.group;
	m->sender = bvw_node_id(from);
	m->recipient = io.self;
	m->seq = peer_seq++;
	bvd_coord_msg(C(), m);
}

/* an ADVANCE_ACK as an agent writes it: req_id of the advance it answers */
static void ack(const char *from, uint32_t epoch, int32_t err)
{
	const struct sent *rq = last_sent(0, BVW_ADVANCE, from);
	struct bvw_msg m = {
		.type = BVW_ADVANCE_ACK, .epoch = epoch,
		.req_id = rq ? rq->seq : 0,
		.prev = epoch - 1, .now = err ? epoch - 1 : epoch,
		.switch_ns = 777000 + now_ns / 1000, .advanced = !err,
		.err = err,
	};

	deliver(&m, from);
}

/* an ADVANCE_ACK saying what the gateway's epochs were */
static void ack_as(const char *from, uint32_t epoch, uint32_t prev,
		   uint32_t now, bool advanced)
{
	const struct sent *rq = last_sent(0, BVW_ADVANCE, from);
	struct bvw_msg m = {
		.type = BVW_ADVANCE_ACK, .epoch = epoch,
		.req_id = rq ? rq->seq : 0, .prev = prev, .now = now,
		.switch_ns = 777000 + now_ns / 1000, .advanced = advanced,
	};

	deliver(&m, from);
}

static void chunk(const char *from, uint32_t epoch, uint32_t offset,
		  uint32_t total, const char *data, uint16_t len, int32_t err)
{
	const struct sent *rq = last_sent(0, BVW_COLLECT, from);
	struct bvw_msg m = {
		.type = BVW_COLLECT_DATA, .epoch = epoch,
		.req_id = rq ? rq->seq : 0, .offset = offset, .total = total,
		.data = (const uint8_t *)data, .data_len = len, .err = err,
	};

	deliver(&m, from);
}

/* a small valid record (json.c's form) of a member for epoch e */
static char *record_text(const char *node, uint32_t e)
{
	char *t = NULL;
	int n = asprintf(&t,
		"{\"node\":\"%s\",\"epoch\":%u,\"cut\":null,\"flows\":["
		"{\"proto\":6,\"laddr\":\"10.0.1.11\",\"lport\":80,"
		"\"raddr\":\"10.0.1.12\",\"rport\":40000,\"tx_pkts\":1,"
		"\"tx_bytes\":2,\"rx_pkts\":3,\"rx_bytes\":4}],"
		"\"channels\":[],\"captures\":[]}", node, e);

	assert_true(n > 0);
	return keep(t);
}

/*
 * Answer the coordinator's COLLECT requests of a member with text, in
 * chunks of at most `size` bytes, starting at the offset it last asked
 * for; every chunk short of the end must make it ask for the next
 * offset at once (streaming, no waiting for the poll).
 */
static void serve_record(const char *node, uint32_t e, const char *text,
			 uint16_t size)
{
	uint32_t total = (uint32_t)strlen(text);
	const struct sent *rq = NULL;
	uint32_t off;

	/* the last request for this epoch (several may be collecting) */
	for (size_t i = n_sent; !rq && i-- > 0;)
		if (sent[i].type == BVW_COLLECT && sent[i].epoch == e &&
		    sent[i].recipient == bvw_node_id(node))
			rq = &sent[i];
	assert_non_null(rq);
	off = rq->offset;
	while (off < total) {
		uint16_t len = total - off < size ? (uint16_t)(total - off) : size;
		size_t before = n_sent;

		chunk(node, e, off, total, text + off, len, 0);
		off += len;
		if (off < total) {
			rq = last_sent(before, BVW_COLLECT, node);
			assert_non_null(rq);
			assert_int_equal(rq->epoch, e);
			assert_int_equal(rq->offset, off);
		}
	}
}

/* ---- the store --------------------------------------------------------- */

static struct bvs_snapshot get_snap(int64_t id)
{
	struct bvs_snapshot s;

	assert_int_equal(bvs_snapshot_get(store, id, &s), 0);
	return s;
}

/* the attempts of a snapshot, without their acks; returns how many */
static int get_attempts(int64_t id, struct bvs_attempt *a, size_t max)
{
	int n = bvs_attempts_get(store, id, a, max);

	assert_true(n >= 0);
	bvs_attempts_free(a, (size_t)n);
	return n;
}

/*
 * Both gateways acknowledge the current attempt, the last one `bound`
 * after t0 (the first halfway): returns its epoch.
 */
static uint32_t gateways_ack(size_t from, uint64_t bound)
{
	uint32_t e = gateway_attempt(from);
	uint64_t t0 = sent[from].at;

	clock_run_until(t0 + bound / 2);
	ack("g1", e, 0);
	clock_run_until(t0 + bound);
	ack("g2", e, 0);
	return e;
}

/* the members acknowledge advance e at once */
static void members_ack(uint32_t e)
{
	ack("m1", e, 0);
	ack("m2", e, 0);
}

/* ---- the cases --------------------------------------------------------- */

/*
 * Every gateway's advance is encoded and MACed before t0, t0 is the clock
 * just before they leave, together (one flush: one sendmmsg), t1 the
 * clock when the last acknowledgement arrives, both stored with the
 * attempt. Preparing a datagram and a flush each take 7 us on the fake
 * clock here, so this fails if t0 is read after the advances left (a
 * gateway could switch before t0: the bound would be unsafe), if an
 * advance is encoded inside the window (the bound would hold it), if
 * they leave in more than one flush, if t1 is taken at the first
 * acknowledgement instead of the last, or if the advances do not carry
 * the fresh epoch with role gateway to every gateway (and to no member).
 */
static void test_attempt_measures_t0_t1(void **state)
{
	struct bvs_attempt a[4];
	struct bvs_snapshot s;
	int64_t id;
	uint32_t e;

	(void)state;
	send_cost_ns = 7 * US;	/* each send takes time on the fake clock */
	id = snapshot();
	e = gateway_attempt(0);
	assert_int_equal(e, FIRST_EPOCH);
	assert_int_equal(count_sent(0, BVW_ADVANCE, 0, "m1"), 0);
	/* both prepared (14 us), then both left at t0 */
	assert_true(sent[0].at == T_START + 14 * US);
	assert_true(sent[1].at == T_START + 14 * US);
	assert_int_equal(n_flushes, 1);
	assert_true(bvd_window_is_open());
	assert_int_equal(focused, io.fd);
	send_cost_ns = 0;

	clock_run(300 * US);
	ack("g1", e, 0);
	assert_int_equal(get_attempts(id, a, 4), 0);	/* still waiting */
	assert_int_equal(n_sent, 2);
	clock_run(200 * US);
	ack("g2", e, 0);

	assert_int_equal(get_attempts(id, a, 4), 1);
	assert_int_equal(a[0].n, 1);
	assert_int_equal(a[0].epoch, e);
	assert_true(a[0].t0_ns == T_START + 14 * US);
	/* the flush's 7 us are inside the window, the encoding's are not */
	assert_true(a[0].t1_ns == T_START + 21 * US + 500 * US);
	assert_string_equal(a[0].verdict, "accepted");
	assert_false(bvd_window_is_open());
	assert_int_equal(focused, -1);
	s = get_snap(id);
	assert_int_equal(s.state, BVS_COLLECTING);
	assert_int_equal(s.n_attempts, 1);
	assert_true(s.bound_ns == 507 * US);
	assert_true(s.tau_min_ns == TAU);
	assert_int_equal(bvd_coord_stats(C())->accepted, 1);
	/* the member phase has begun */
	assert_int_equal(count_sent(2, BVW_ADVANCE, e, "m1"), 1);
	assert_int_equal(count_sent(2, BVW_ADVANCE, e, "m2"), 1);
	assert_int_equal(n_done, 0);
}

/* the acks JSON array of attempt k (0-based) of a snapshot */
static json_t *attempt_acks(int64_t id, int k)
{
	struct bvs_attempt a[8];
	json_t *j;
	int n = bvs_attempts_get(store, id, a, 8);

	assert_true(n > k);
	if (!a[k].acks)
		bvs_attempts_free(a, (size_t)n);
	assert_non_null(a[k].acks);
	j = keep_json(json_loads(a[k].acks, 0, NULL));
	bvs_attempts_free(a, (size_t)n);
	assert_non_null(j);
	assert_true(json_is_array(j));
	return j;
}

static const json_t *ack_of(const json_t *acks, const char *node)
{
	size_t i;
	const json_t *e;

	json_array_foreach(acks, i, e)
		if (!strcmp(json_string_value(json_object_get(e, "node")), node))
			return e;
	return NULL;
}

/*
 * Each attempt stores what every gateway answered: its node, epoch, err
 * and its arrival on the coordinator's clock (inside [t0, t1]); a
 * gateway that did not answer, a duplicate, a member's or a stale
 * epoch's answer is not in the list. Fails if the evidence behind a
 * verdict is not what the coordinator counted.
 */
static void test_attempt_stores_gateway_acks(void **state)
{
	const json_t *g1, *g2;
	json_t *acks;
	uint64_t at1, at2;
	int64_t id;
	uint32_t e1, e2;

	(void)state;
	id = snapshot();
	e1 = gateway_attempt(0);
	clock_run(100 * US);
	ack("g1", e1, 0);
	ack("m1", e1, 0);
	clock_run(100 * US);
	ack("g1", e1, 0);		/* duplicate: the first one stays */
	clock_run(ACK_TIMEOUT_MS * MS);	/* g2 silent: timeout */
	acks = attempt_acks(id, 0);
	assert_int_equal(json_array_size(acks), 1);
	g1 = ack_of(acks, "g1");
	assert_non_null(g1);
	assert_int_equal(json_integer_value(json_object_get(g1, "epoch")), e1);
	assert_int_equal(json_integer_value(json_object_get(g1, "err")), 0);
	assert_true(json_is_true(json_object_get(g1, "advanced")));
	assert_true((uint64_t)json_integer_value(json_object_get(g1, "at_ns"))
		    == T_START + 100 * US);

	/* attempt 2: g2 refuses, g1 accepts; a late g2 ack of e1 is ignored */
	e2 = gateway_attempt(2);
	assert_true(sent[2].at == T_START + ACK_TIMEOUT_MS * MS);
	ack("g2", e1, 0);
	clock_run(50 * US);
	at2 = now_ns;
	ack("g2", e2, -EPERM);
	clock_run(50 * US);
	at1 = now_ns;
	ack("g1", e2, 0);
	acks = attempt_acks(id, 1);
	assert_int_equal(json_array_size(acks), 2);
	g1 = ack_of(acks, "g1");
	g2 = ack_of(acks, "g2");
	assert_non_null(g1);
	assert_non_null(g2);
	assert_int_equal(json_integer_value(json_object_get(g2, "err")), -EPERM);
	assert_int_equal(json_integer_value(json_object_get(g2, "epoch")),
			 e2 - 1);
	assert_false(json_is_true(json_object_get(g2, "advanced")));
	assert_true((uint64_t)json_integer_value(json_object_get(g2, "at_ns"))
		    == at2);
	assert_true((uint64_t)json_integer_value(json_object_get(g1, "at_ns"))
		    == at1);
	assert_null(ack_of(acks, "m1"));
}

/*
 * t1 - t0 = tau_min - 1 ns accepts. Fails if the comparison is off by
 * one the other way (accepting needs bound < tau_min, and this is).
 */
static void test_bound_below_tau_accepts(void **state)
{
	struct bvs_attempt a[4];
	int64_t id;
	uint32_t e;

	(void)state;
	id = snapshot();
	e = gateways_ack(0, TAU - 1);
	assert_int_equal(get_attempts(id, a, 4), 1);
	assert_string_equal(a[0].verdict, "accepted");
	assert_true(a[0].t1_ns - a[0].t0_ns == TAU - 1);
	assert_int_equal(get_snap(id).state, BVS_COLLECTING);
	assert_int_equal(count_sent(2, BVW_ADVANCE, e, "m1"), 1);
}

/*
 * t1 - t0 = tau_min exactly rejects (strict: a chain exactly tau_min
 * long could fit between two switches) and starts a new attempt. Fails
 * if OGM accepts at equality (bound > tau_min instead of >=).
 */
static void test_bound_equal_tau_rejects(void **state)
{
	struct bvs_attempt a[4];
	int64_t id;
	uint32_t e1, e2;

	(void)state;
	id = snapshot();
	e1 = gateways_ack(0, TAU);
	assert_int_equal(get_attempts(id, a, 4), 1);
	assert_string_equal(a[0].verdict, "rejected");
	assert_true(a[0].t1_ns - a[0].t0_ns == TAU);
	assert_non_null(strstr(a[0].reason, "tau_min"));
	/* no member was told anything; a second attempt is under way */
	assert_int_equal(count_sent(0, BVW_ADVANCE, 0, "m1"), 0);
	assert_int_equal(count_sent(0, BVW_ADVANCE, 0, "m2"), 0);
	e2 = gateway_attempt(2);
	assert_true(e2 > e1);
	assert_int_equal(get_snap(id).state, BVS_PENDING);
	assert_int_equal(bvd_coord_stats(C())->rejected_bound, 1);
	assert_int_equal(bvd_coord_stats(C())->accepted, 0);
}

/*
 * Every attempt too slow: 1 + retries attempts, each with a fresh epoch
 * strictly larger than the one before (never reused, also not by the
 * next snapshot), then the snapshot is rejected. Fails if a retry
 * reuses an epoch, if the retry count is off by one, if the final state
 * is not rejected, or if members hear of a rejected epoch.
 */
static void test_retries_fresh_epochs_then_rejected(void **state)
{
	struct bvs_attempt a[8];
	struct bvs_snapshot s;
	uint32_t ep[3];
	size_t from = 0;
	int64_t id, id2;
	uint32_t e;

	(void)state;
	id = snapshot();
	for (int k = 0; k < 3; k++) {
		assert_int_equal(get_snap(id).state, BVS_PENDING);
		ep[k] = gateways_ack(from, 2 * TAU);
		if (k)
			assert_true(ep[k] > ep[k - 1]);
		from += 2;
	}
	/* no fourth attempt, no member advance; the members may drop what
	 * the rejected epochs left behind (a gateway stamped with them) */
	assert_int_equal(count_sent(0, BVW_ADVANCE, 0, NULL), 6);
	assert_int_equal(count_sent(0, BVW_RELEASE, ep[2], "m1"), 1);
	assert_int_equal(count_sent(0, BVW_RELEASE, ep[2], "m2"), 1);
	assert_int_equal(n_sent, 8);
	s = get_snap(id);
	assert_int_equal(s.state, BVS_REJECTED);
	assert_int_equal(s.n_attempts, 3);
	assert_int_equal(s.epoch, 0);
	assert_non_null(strstr(s.reason, "tau_min"));
	assert_int_equal(get_attempts(id, a, 8), 3);
	for (int k = 0; k < 3; k++) {
		assert_int_equal(a[k].n, (uint32_t)k + 1);
		assert_int_equal(a[k].epoch, ep[k]);
		assert_string_equal(a[k].verdict, "rejected");
		assert_true(a[k].t1_ns - a[k].t0_ns == 2 * TAU);
	}
	assert_int_equal(n_done, 1);
	assert_true(done_id == id);
	assert_ptr_equal(done_waiter, &n_done);
	assert_int_equal(bvd_coord_outstanding(C()), 0);
	assert_int_equal(live_timers(), 0);
	assert_int_equal(bvd_coord_stats(C())->rejected_bound, 3);

	/* late answers to any of these epochs change nothing */
	for (int k = 0; k < 3; k++)
		ack("g1", ep[k], 0);
	assert_int_equal(n_sent, 8);
	assert_int_equal(get_snap(id).state, BVS_REJECTED);

	/* the next snapshot's epoch is newer still */
	id2 = snapshot();
	assert_true(id2 != id);
	e = gateway_attempt(8);
	assert_true(e > ep[2]);
}

/*
 * A rejected attempt followed by an accepted one: the snapshot goes on
 * with the second attempt's epoch, and both attempts are stored in
 * order. Fails if the retry does not re-arm the gateway phase, or if
 * the accepted epoch recorded is the first attempt's.
 */
static void test_retry_then_accept(void **state)
{
	struct bvs_attempt a[4];
	int64_t id;
	uint32_t e1, e2;

	(void)state;
	id = snapshot();
	e1 = gateways_ack(0, 3 * TAU);
	e2 = gateways_ack(2, TAU / 2);
	assert_true(e2 > e1);
	assert_int_equal(get_attempts(id, a, 4), 2);
	assert_string_equal(a[0].verdict, "rejected");
	assert_string_equal(a[1].verdict, "accepted");
	assert_int_equal(a[1].n, 2);
	assert_int_equal(a[1].epoch, e2);
	assert_true(a[1].t1_ns - a[1].t0_ns == TAU / 2);
	assert_int_equal(get_snap(id).state, BVS_COLLECTING);
	assert_int_equal(get_snap(id).bound_ns, TAU / 2);
	/* members advance to the accepted epoch only */
	assert_int_equal(count_sent(0, BVW_ADVANCE, e1, "m1"), 0);
	assert_int_equal(count_sent(0, BVW_ADVANCE, e2, "m1"), 1);
	assert_int_equal(count_sent(0, BVW_ADVANCE, e2, "m2"), 1);
}

/*
 * A gateway that never acknowledges: each attempt ends at exactly
 * ack_timeout (not before) as "timeout" with no t1, is retried with a
 * fresh epoch, and after the last the snapshot fails naming the
 * gateway. Fails if the timer is missing or mis-armed, if a timed-out
 * attempt is accepted, or if the final state is rejected instead of
 * failed.
 */
static void test_gateway_silent_times_out(void **state)
{
	struct bvs_attempt a[8];
	struct bvs_snapshot s;
	uint32_t ep[3];
	size_t from = 0;
	int64_t id;

	(void)state;
	id = snapshot();
	for (int k = 0; k < 3; k++) {
		uint64_t t0 = now_ns;

		ep[k] = gateway_attempt(from);
		assert_true(sent[from].at == t0);
		clock_run(10 * US);
		ack("g1", ep[k], 0);
		clock_run_until(t0 + ACK_TIMEOUT_MS * MS - 1);
		assert_int_equal(n_sent, from + 2);	/* still waiting */
		assert_int_equal(get_attempts(id, a, 8), k);
		clock_run_until(t0 + ACK_TIMEOUT_MS * MS);
		assert_int_equal(get_attempts(id, a, 8), k + 1);
		if (k)
			assert_true(ep[k] > ep[k - 1]);
		from += 2;
	}
	assert_int_equal(count_sent(0, BVW_ADVANCE, 0, NULL), 6);
	assert_int_equal(count_sent(0, BVW_RELEASE, ep[2], NULL), 2);
	assert_int_equal(n_sent, 8);
	assert_int_equal(get_attempts(id, a, 8), 3);
	for (int k = 0; k < 3; k++) {
		assert_int_equal(a[k].epoch, ep[k]);
		assert_string_equal(a[k].verdict, "timeout");
		assert_true(a[k].t0_ns ==
			    T_START + (uint64_t)k * ACK_TIMEOUT_MS * MS);
		assert_true(a[k].t1_ns == 0);	/* no bound was measured */
		assert_non_null(strstr(a[k].reason, "g2"));
		assert_null(strstr(a[k].reason, "g1"));
	}
	s = get_snap(id);
	assert_int_equal(s.state, BVS_FAILED);
	assert_non_null(strstr(s.reason, "gateway g2 did not acknowledge"));
	assert_int_equal(s.epoch, 0);
	assert_int_equal(n_done, 1);
	assert_int_equal(bvd_coord_outstanding(C()), 0);
	assert_int_equal(bvd_coord_stats(C())->rejected_timeout, 3);
	assert_int_equal(count_sent(0, BVW_ADVANCE, 0, "m1"), 0);
}

/*
 * A gateway answers with an error: the attempt is "refused" even though
 * every gateway answered in time, and it is retried with a fresh epoch.
 * Fails if an ack carrying err counts as a plain acknowledgement.
 */
static void test_gateway_refusal_retried(void **state)
{
	struct bvs_attempt a[4];
	int64_t id;
	uint32_t e1, e2;

	(void)state;
	id = snapshot();
	e1 = gateway_attempt(0);
	ack("g1", e1, -EPERM);
	assert_int_equal(n_sent, 2);	/* g2 has not answered yet */
	ack("g2", e1, 0);
	assert_int_equal(get_attempts(id, a, 4), 1);
	assert_string_equal(a[0].verdict, "refused");
	assert_non_null(strstr(a[0].reason, "g1"));
	assert_non_null(strstr(a[0].reason, "refused"));
	e2 = gateway_attempt(2);
	assert_true(e2 > e1);
	assert_int_equal(count_sent(0, BVW_ADVANCE, 0, "m1"), 0);
	/* the retry can succeed */
	ack("g1", e2, 0);
	ack("g2", e2, 0);
	assert_int_equal(get_attempts(id, a, 4), 2);
	assert_string_equal(a[1].verdict, "accepted");
	assert_int_equal(get_snap(id).state, BVS_COLLECTING);
	assert_int_equal(bvd_coord_stats(C())->refused, 1);
}

/*
 * With retries = 0 a refusal ends the snapshot at once: failed (not
 * rejected), reason naming the gateway. Fails if retries = 0 still
 * retries, or if a refusal is recorded as a bound rejection.
 */
static void test_gateway_refusal_no_retry_fails(void **state)
{
	struct bvs_snapshot s;
	int64_t id;
	uint32_t e;

	(void)state;
	cfg.retries = 0;
	id = snapshot();
	e = gateway_attempt(0);
	ack("g2", e, -EIO);
	ack("g1", e, 0);
	assert_int_equal(count_sent(0, BVW_ADVANCE, 0, NULL), 2);
	assert_int_equal(count_sent(0, BVW_RELEASE, e, NULL), 2);
	assert_int_equal(n_sent, 4);
	s = get_snap(id);
	assert_int_equal(s.state, BVS_FAILED);
	assert_int_equal(s.n_attempts, 1);
	assert_non_null(strstr(s.reason, "gateway g2 refused"));
	assert_int_equal(n_done, 1);
	assert_int_equal(bvd_coord_outstanding(C()), 0);
}

/*
 * A gateway's acknowledgement arriving twice (a retransmitted answer)
 * counts once: with two gateways, g1 twice is not "all acknowledged".
 * Fails if duplicates are counted, which would accept a snapshot whose
 * second gateway never switched.
 */
static void test_duplicate_ack_counts_once(void **state)
{
	struct bvs_attempt a[4];
	int64_t id;
	uint32_t e;

	(void)state;
	cfg.retries = 0;
	id = snapshot();
	e = gateway_attempt(0);
	ack("g1", e, 0);
	ack("g1", e, 0);
	ack("g1", e, 0);
	assert_int_equal(get_attempts(id, a, 4), 0);
	assert_int_equal(n_sent, 2);
	clock_run(ACK_TIMEOUT_MS * MS);
	assert_int_equal(get_attempts(id, a, 4), 1);
	assert_string_equal(a[0].verdict, "timeout");
	assert_non_null(strstr(a[0].reason, "1 of 2"));
	assert_int_equal(get_snap(id).state, BVS_FAILED);
}

/*
 * A gateway that acknowledges without having moved (it already held E: a
 * second coordinator with the same database gave E out first) proves no
 * switch inside [t0, t1]: the attempt is rejected as stale, and retried
 * with a fresh epoch. Fails if an acknowledgement counts whatever it says
 * (Theorem 2's premise would be false, the snapshot accepted anyway).
 */
static void test_stale_ack_rejected(void **state)
{
	struct bvs_attempt a[4];
	uint32_t e, e2;
	int64_t id;

	(void)state;
	id = snapshot();
	e = gateway_attempt(0);
	ack("g1", e, 0);
	ack_as("g2", e, e, e, false);
	assert_int_equal(get_attempts(id, a, 4), 1);
	assert_string_equal(a[0].verdict, "stale");
	assert_non_null(strstr(a[0].reason, "gateway g2 was already at epoch"));
	e2 = gateways_ack(2, TAU / 4);
	assert_true(e2 > e);
	assert_int_equal(get_snap(id).state, BVS_COLLECTING);
	assert_int_equal(bvd_coord_stats(C())->stale, 1);
}

/*
 * A gateway found past every epoch this coordinator gave out (another
 * coordinator, a database restored from a backup): rejected, and the
 * epoch counter moves past what it reported, so the retry's epoch is newer
 * than anything the gateways hold, and the snapshot goes through. Fails if
 * a restored coordinator keeps accepting switches it did not cause, or
 * keeps issuing epochs the gateways ignore.
 */
static void test_gateway_past_every_epoch_moves_the_counter(void **state)
{
	struct bvs_attempt a[4];
	uint32_t e, e2;
	int64_t id;

	(void)state;
	id = snapshot();
	e = gateway_attempt(0);
	ack_as("g1", e, e + 5000, e + 5000, false);
	ack("g2", e, 0);
	assert_int_equal(get_attempts(id, a, 4), 1);
	assert_string_equal(a[0].verdict, "stale");
	e2 = gateway_attempt(2);
	assert_true(e2 > e + 5000);
	ack("g1", e2, 0);
	ack("g2", e2, 0);
	assert_int_equal(get_snap(id).state, BVS_COLLECTING);
	assert_int_equal(get_attempts(id, a, 4), 2);
	assert_string_equal(a[1].verdict, "accepted");
}

/*
 * A coordinator's first attempt names its epoch to every member (ANNOUNCE,
 * no cut) before any gateway hears of it, and opens its window only once
 * every member answered: a member's module reads the gateways' stamps in
 * the IPv4 ID only next to an epoch it knows. Once told (or once it took
 * an advance), a member is not told again; a member that does not answer
 * is waited for ack_timeout_ms once, not at every snapshot. Fails if the
 * gateways' advances leave before the announcements are answered, if the
 * announced epoch is not the attempt's, or if every snapshot announces.
 */
static void test_announce_before_first_attempt(void **state)
{
	char why[256] = "";
	int64_t id = -1;
	uint32_t e;

	(void)state;
	assert_int_equal(bvd_coord_snapshot(C(), on_done, &n_done, &id, why,
					    sizeof(why)), 0);
	assert_int_equal(n_sent, 2);
	assert_int_equal(count_sent(0, BVW_ANNOUNCE, 0, "m1"), 1);
	assert_int_equal(count_sent(0, BVW_ANNOUNCE, 0, "m2"), 1);
	assert_int_equal(count_sent(0, BVW_ADVANCE, 0, NULL), 0);
	assert_false(bvd_window_is_open());
	e = sent[0].epoch;
	assert_int_equal(sent[1].epoch, e);

	/* one answer is not enough */
	struct bvw_msg m = { .type = BVW_ANNOUNCE_ACK, .epoch = e,
			     .req_id = sent[0].seq };
	deliver(&m, sent[0].recipient == bvw_node_id("m1") ? "m1" : "m2");
	clock_run(ACK_TIMEOUT_MS * MS / 2);
	assert_int_equal(count_sent(0, BVW_ADVANCE, 0, NULL), 0);
	/* a duplicate of it neither, nor an answer from a node not asked */
	deliver(&m, sent[0].recipient == bvw_node_id("m1") ? "m1" : "m2");
	deliver(&m, "g1");
	assert_int_equal(count_sent(0, BVW_ADVANCE, 0, NULL), 0);
	/* the other member never answers: the advances leave at the timeout,
	 * with the announced epoch */
	clock_run(ACK_TIMEOUT_MS * MS / 2);
	clock_run(0);
	assert_int_equal(gateway_attempt(2), e);
	assert_true(bvd_window_is_open());
	ack("g1", e, 0);
	ack("g2", e, 0);
	clock_run(0);
	assert_int_equal(get_snap(id).state, BVS_COLLECTING);

	/* the next snapshot announces nothing: both were told (or tried) */
	size_t from = n_sent;

	clock_run(10 * MS);
	snapshot();
	assert_int_equal(count_sent(from, BVW_ANNOUNCE, 0, NULL), 0);
}

/*
 * Two first attempts announce at once, and the later one's members answer
 * first: it advances its gateways with its epoch E2. The earlier one, whose
 * epoch E1 is older, must not advance with E1 after that (a gateway
 * already at E2 would prove nothing: E2 was given out before E1's t0): it
 * takes a fresh epoch past E2. Fails if the earlier attempt advances with
 * E1 (20-faults' oracle caught that as an OGM violation).
 */
static void test_announce_then_newer_epoch(void **state)
{
	char why[256] = "";
	int64_t id1 = -1, id2 = -1;
	uint32_t e1, e2, e3;
	size_t k;

	(void)state;
	assert_int_equal(bvd_coord_snapshot(C(), on_done, &n_done, &id1, why,
					    sizeof(why)), 0);
	assert_int_equal(bvd_coord_snapshot(C(), on_done, &n_done, &id2, why,
					    sizeof(why)), 0);
	assert_int_equal(count_sent(0, BVW_ANNOUNCE, 0, NULL), 4);
	e1 = sent[0].epoch;
	e2 = sent[2].epoch;
	assert_true(e2 > e1);
	for (k = 2; k < 4; k++) {
		struct bvw_msg m = { .type = BVW_ANNOUNCE_ACK, .epoch = e2,
				     .req_id = sent[k].seq };

		deliver(&m, sent[k].recipient == bvw_node_id("m1") ? "m1" : "m2");
	}
	clock_run(0);
	assert_int_equal(gateway_attempt(4), e2);
	for (k = 0; k < 2; k++) {
		struct bvw_msg m = { .type = BVW_ANNOUNCE_ACK, .epoch = e1,
				     .req_id = sent[k].seq };

		deliver(&m, sent[k].recipient == bvw_node_id("m1") ? "m1" : "m2");
	}
	ack("g1", e2, 0);
	ack("g2", e2, 0);
	clock_run(0);
	e3 = last_sent(0, BVW_ADVANCE, "g1")->epoch;
	assert_true(e3 > e2);
	assert_int_equal(last_sent(0, BVW_ADVANCE, "g2")->epoch, e3);
	assert_int_equal(count_sent(0, BVW_ADVANCE, e1, NULL), 0);
}

/*
 * Two snapshots at once: their attempts' windows do not overlap. The
 * second one's epoch is not even allocated (an fsync) while the first
 * one's window is open; its advances leave once that window closes, and
 * what the first snapshot does next (storing its verdict, advancing its
 * members) waits in turn for the second one's window. Fails if a store
 * write or another snapshot's sends happen inside an open window, or if
 * the deferred work is lost or runs out of order.
 */
static void test_windows_do_not_overlap(void **state)
{
	struct bvs_attempt a[4];
	uint32_t e1, e2;
	int64_t id1, id2;

	(void)state;
	id1 = snapshot();
	e1 = gateway_attempt(0);
	id2 = snapshot();
	assert_int_equal(n_sent, 2);		/* id2 waits */
	assert_true(bvd_window_is_open());
	assert_int_equal(bvd_window_pending(), 1);
	clock_run(100 * US);
	assert_int_equal(n_sent, 2);
	ack("g1", e1, 0);
	ack("g2", e1, 0);
	assert_false(bvd_window_is_open());
	clock_run(0);				/* the deferred work's turn */
	e2 = gateway_attempt(2);
	assert_true(e2 > e1);
	assert_true(bvd_window_is_open());
	/* id1's verdict is decided but not stored, its members not told */
	assert_int_equal(get_attempts(id1, a, 4), 0);
	assert_int_equal(get_snap(id1).state, BVS_PENDING);
	assert_int_equal(count_sent(0, BVW_ADVANCE, e1, "m1"), 0);
	ack("g1", e2, 0);
	ack("g2", e2, 0);
	clock_run(0);
	assert_false(bvd_window_is_open());
	assert_int_equal(bvd_window_pending(), 0);
	assert_int_equal(get_snap(id1).state, BVS_COLLECTING);
	assert_int_equal(get_snap(id2).state, BVS_COLLECTING);
	assert_int_equal(get_attempts(id1, a, 4), 1);
	assert_string_equal(a[0].verdict, "accepted");
	assert_int_equal(count_sent(0, BVW_ADVANCE, e1, "m1"), 1);
	assert_int_equal(count_sent(0, BVW_ADVANCE, e2, "m2"), 1);
	assert_int_equal(bvd_coord_stats(C())->stale, 0);
}

/*
 * An acknowledgement from a node the coordinator does not coordinate is
 * ignored, even with the right epoch. Fails if unknown senders are
 * matched to some peer (or counted at all).
 */
static void test_ack_from_unknown_peer_ignored(void **state)
{
	struct bvs_attempt a[4];
	int64_t id;
	uint32_t e;

	(void)state;
	id = snapshot();
	e = gateway_attempt(0);
	ack("g1", e, 0);
	ack("intruder", e, 0);
	ack("coord", e, 0);	/* ourselves */
	assert_int_equal(get_attempts(id, a, 4), 0);
	assert_int_equal(n_sent, 2);
	/* nor does an unknown node's refusal spoil the attempt */
	ack("intruder", e, -EPERM);
	ack("g2", e, 0);
	assert_int_equal(get_attempts(id, a, 4), 1);
	assert_string_equal(a[0].verdict, "accepted");
}

/*
 * Acknowledgements of epochs that are not running (never sent, or a
 * neighbour of the running one) are ignored. Fails if acks are matched
 * by sender alone, or by anything but the exact running epoch.
 */
static void test_ack_for_other_epoch_ignored(void **state)
{
	struct bvs_attempt a[4];
	int64_t id;
	uint32_t e;

	(void)state;
	cfg.retries = 0;
	id = snapshot();
	e = gateway_attempt(0);
	ack("g1", e, 0);
	ack("g2", e + 1, 0);
	ack("g2", e - 1, 0);
	ack("g2", 0x80000000u + e, 0);
	assert_int_equal(get_attempts(id, a, 4), 0);
	assert_int_equal(n_sent, 2);
	clock_run(ACK_TIMEOUT_MS * MS);
	assert_int_equal(get_attempts(id, a, 4), 1);
	assert_string_equal(a[0].verdict, "timeout");
	assert_non_null(strstr(a[0].reason, "g2"));
}

/*
 * During the gateway phase a member's acknowledgement of E (a member
 * that already cut for E through traffic, say) is no gateway
 * acknowledgement, and it does not pre-acknowledge the member phase
 * either. Fails if acks are counted without looking at the role of the
 * sender: with one gateway and one member acked the attempt would be
 * decided with g2 never having switched.
 */
static void test_member_ack_not_a_gateway_ack(void **state)
{
	struct bvs_attempt a[4];
	int64_t id;
	uint32_t e;
	size_t from;

	(void)state;
	id = snapshot();
	e = gateway_attempt(0);
	ack("g1", e, 0);
	ack("m1", e, 0);
	ack("m2", e, 0);
	assert_int_equal(get_attempts(id, a, 4), 0);
	assert_int_equal(n_sent, 2);
	from = n_sent;
	ack("g2", e, 0);
	assert_int_equal(get_attempts(id, a, 4), 1);
	assert_string_equal(a[0].verdict, "accepted");
	/* both members are still asked to advance, nobody to collect yet */
	assert_int_equal(count_sent(from, BVW_ADVANCE, e, "m1"), 1);
	assert_int_equal(count_sent(from, BVW_ADVANCE, e, "m2"), 1);
	assert_int_equal(count_sent(from, BVW_COLLECT, 0, NULL), 0);
}

/*
 * Attempt 1 times out (g2 silent); g2's late answer for attempt 1's
 * epoch arrives during attempt 2, together with g1's answer to attempt
 * 2 and a repeat of g1's answer to attempt 1: attempt 2 must not
 * complete on them; only g2's real answer completes it, with attempt
 * 2's own t0. Fails if the retry reuses the epoch (attempt 2 would
 * complete on the stale ack), or if acks are matched by sender without
 * the epoch.
 */
static void test_stale_attempt_ack_does_not_complete_retry(void **state)
{
	struct bvs_attempt a[4];
	int64_t id;
	uint32_t e1, e2;
	uint64_t t0_2;

	(void)state;
	id = snapshot();
	e1 = gateway_attempt(0);
	ack("g1", e1, 0);
	clock_run(ACK_TIMEOUT_MS * MS);		/* attempt 1: timeout */
	e2 = gateway_attempt(2);
	assert_true(e2 > e1);
	t0_2 = sent[2].at;
	clock_run(50 * US);
	ack("g2", e1, 0);		/* late, for attempt 1 */
	ack("g1", e2, 0);
	ack("g1", e1, 0);
	assert_int_equal(get_attempts(id, a, 4), 1);
	assert_int_equal(n_sent, 4);
	clock_run(100 * US);
	ack("g2", e2, 0);
	assert_int_equal(get_attempts(id, a, 4), 2);
	assert_string_equal(a[0].verdict, "timeout");
	assert_string_equal(a[1].verdict, "accepted");
	assert_int_equal(a[1].epoch, e2);
	assert_true(a[1].t0_ns == t0_2);
	assert_true(a[1].t1_ns == t0_2 + 150 * US);
	assert_int_equal(count_sent(0, BVW_ADVANCE, e2, "m1"), 1);
	assert_int_equal(count_sent(0, BVW_ADVANCE, e1, "m1"), 0);
}

/*
 * Member phase: advance(E, member) to every member at once, resent
 * after 100 ms to those that have not acknowledged (and only to them),
 * then after 200, 400 ... ms (a backoff per member, coord.c due()),
 * never to a gateway; when the last member acknowledges, collection
 * begins (COLLECT offset 0 to each member) and advances stop. Fails if
 * retransmission is missing, goes to members that answered, or
 * continues after the phase ended.
 */
static void test_member_phase_retransmits_until_acked(void **state)
{
	size_t from;
	uint32_t e;

	(void)state;
	snapshot();
	e = gateways_ack(0, TAU / 2);
	from = 2;
	assert_int_equal(n_sent - from, 2);
	assert_int_equal(last_sent(from, BVW_ADVANCE, "m1")->role,
			 BVW_ROLE_MEMBER);
	assert_int_equal(last_sent(from, BVW_ADVANCE, "m2")->role,
			 BVW_ROLE_MEMBER);
	from = n_sent;
	clock_run(RESEND_NS - 1);
	assert_int_equal(n_sent, from);
	clock_run(1);
	assert_int_equal(count_sent(from, BVW_ADVANCE, e, "m1"), 1);
	assert_int_equal(count_sent(from, BVW_ADVANCE, e, "m2"), 1);
	assert_int_equal(n_sent - from, 2);
	ack("m1", e, 0);
	from = n_sent;
	/* m2 still silent: asked again after twice the wait (backoff) */
	clock_run(RESEND_NS);
	assert_int_equal(n_sent, from);
	clock_run(RESEND_NS);
	assert_int_equal(count_sent(from, BVW_ADVANCE, e, "m1"), 0);
	assert_int_equal(count_sent(from, BVW_ADVANCE, e, "m2"), 1);
	assert_int_equal(n_sent - from, 1);
	/* a duplicate of m1's answer and a gateway's late duplicate: no
	 * effect (neither is m2's acknowledgement) */
	ack("m1", e, 0);
	ack("g1", e, 0);
	assert_int_equal(count_sent(from, BVW_COLLECT, 0, NULL), 0);
	from = n_sent;
	ack("m2", e, 0);
	assert_int_equal(n_sent - from, 2);
	assert_int_equal(last_sent(from, BVW_COLLECT, "m1")->offset, 0);
	assert_int_equal(last_sent(from, BVW_COLLECT, "m1")->epoch, e);
	assert_int_equal(last_sent(from, BVW_COLLECT, "m2")->offset, 0);
	from = n_sent;
	clock_run(500 * MS);
	assert_int_equal(count_sent(from, BVW_ADVANCE, 0, NULL), 0);
	assert_true(count_sent(from, BVW_COLLECT, e, "m1") > 0);
	assert_int_equal(count_sent(0, BVW_ADVANCE, 0, "g1"), 1);
}

/*
 * A member that never acknowledges the advance: the snapshot fails at
 * the complete + collect deadline, naming the member, and not before.
 * Fails if retransmission goes on for ever (the snapshot would hold a
 * max_outstanding slot for good) or ends early.
 */
static void test_member_never_acks_fails(void **state)
{
	struct bvs_snapshot s;
	uint64_t ta;
	int64_t id;
	uint32_t e;

	(void)state;
	id = snapshot();
	e = gateways_ack(0, TAU / 2);
	ta = now_ns;
	ack("m1", e, 0);
	clock_run_until(ta + 2000 * MS - 1);
	assert_int_equal(get_snap(id).state, BVS_COLLECTING);
	assert_int_equal(n_done, 0);
	clock_run_until(ta + 2000 * MS + RESEND_NS);
	s = get_snap(id);
	assert_int_equal(s.state, BVS_FAILED);
	assert_non_null(strstr(s.reason, "member m2 did not acknowledge"));
	assert_int_equal(n_done, 1);
	assert_int_equal(bvd_coord_outstanding(C()), 0);
	assert_int_equal(live_timers(), 0);
}

/*
 * A member refusing the advance fails the snapshot (its record of E
 * cannot exist). Fails if member errors are treated as acks.
 */
static void test_member_refuses_advance_fails(void **state)
{
	struct bvs_snapshot s;
	int64_t id;
	uint32_t e;

	(void)state;
	id = snapshot();
	e = gateways_ack(0, TAU / 2);
	ack("m2", e, 0);
	ack("m1", e, -ENOENT);
	s = get_snap(id);
	assert_int_equal(s.state, BVS_FAILED);
	assert_non_null(strstr(s.reason, "member m1 refused"));
	assert_int_equal(count_sent(0, BVW_COLLECT, 0, NULL), 0);
	assert_int_equal(n_done, 1);
}

/*
 * The whole way: accepted, members advanced, records collected in
 * chunks (m1 in 37-byte chunks streamed one after the other, m2 in one),
 * a stale repeated chunk ignored, then the store holds state accepted,
 * the epoch, the bound, every record byte for byte and a report of E;
 * the members are told to release E. Fails if chunks are reassembled
 * wrongly, if the final state or epoch is not stored, or if RELEASE is
 * missing or goes to a gateway.
 */
static void test_collect_chunks_and_store(void **state)
{
	struct bvs_snapshot s;
	struct bvs_attempt a[4];
	char *t1, *t2, *got, **nodes = NULL, *rep;
	size_t nn = 0, from;
	json_t *j;
	int64_t id;
	uint32_t e;

	(void)state;
	id = snapshot();
	e = gateways_ack(0, 700 * US);
	members_ack(e);
	t1 = record_text("m1", e);
	t2 = record_text("m2", e);
	assert_true(strlen(t1) > 5 * 37);

	/* m1's first two chunks, then the first one again (a duplicate
	 * answer to a poll): ignored */
	chunk("m1", e, 0, (uint32_t)strlen(t1), t1, 37, 0);
	assert_int_equal(last_sent(0, BVW_COLLECT, "m1")->offset, 37);
	chunk("m1", e, 37, (uint32_t)strlen(t1), t1 + 37, 37, 0);
	from = n_sent;
	chunk("m1", e, 0, (uint32_t)strlen(t1), t1, 37, 0);
	assert_int_equal(n_sent, from);
	/* a chunk for another epoch: ignored */
	chunk("m1", e + 1, 74, (uint32_t)strlen(t1), "XXXX", 4, 0);
	assert_int_equal(n_sent, from);
	/* the poll asks m1 where it stands, once it has been silent for
	 * RESEND_NS (a silent member's first retransmission) */
	clock_run(POLL_NS);
	assert_int_equal(n_sent, from);
	clock_run(RESEND_NS - POLL_NS);
	assert_int_equal(last_sent(from, BVW_COLLECT, "m1")->offset, 74);
	assert_int_equal(last_sent(from, BVW_COLLECT, "m2")->offset, 0);
	serve_record("m1", e, t1, 37);
	assert_int_equal(get_snap(id).state, BVS_COLLECTING);
	assert_int_equal(n_done, 0);
	from = n_sent;
	serve_record("m2", e, t2, 1000);

	s = get_snap(id);
	assert_int_equal(s.state, BVS_ACCEPTED);
	assert_int_equal(s.epoch, e);
	assert_true(s.bound_ns == 700 * US);
	assert_int_equal(s.n_attempts, 1);
	assert_int_equal(get_attempts(id, a, 4), 1);
	assert_string_equal(a[0].verdict, "accepted");
	got = keep(bvs_member_record_get(store, id, "m1"));
	assert_non_null(got);
	assert_string_equal(got, t1);
	got = keep(bvs_member_record_get(store, id, "m2"));
	assert_non_null(got);
	assert_string_equal(got, t2);
	assert_int_equal(bvs_member_nodes(store, id, &nodes, &nn), 0);
	keep(nodes);
	for (size_t i = 0; i < nn; i++)
		keep(nodes[i]);
	assert_int_equal(nn, 2);
	assert_string_equal(nodes[0], "m1");
	assert_string_equal(nodes[1], "m2");
	rep = keep(bvs_report_get(store, id));
	assert_non_null(rep);
	j = keep_json(json_loads(rep, 0, NULL));
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "epoch")), e);

	assert_int_equal(count_sent(from, BVW_RELEASE, e, "m1"), 1);
	assert_int_equal(count_sent(from, BVW_RELEASE, e, "m2"), 1);
	assert_int_equal(count_sent(0, BVW_RELEASE, 0, "g1"), 0);
	assert_int_equal(count_sent(0, BVW_RELEASE, 0, "g2"), 0);
	assert_int_equal(n_done, 1);
	assert_true(done_id == id);
	assert_int_equal(bvd_coord_outstanding(C()), 0);
	assert_int_equal(live_timers(), 0);
}

/*
 * Reload (main.c): the peers change only while the coordinator is idle.
 * A snapshot in progress makes bvd_coord_reconfigure refuse (-EBUSY);
 * once it has ended (failed here: m2 never acknowledges), the new list
 * without m2 is taken, and the next snapshot asks and collects m1 only
 * and is accepted. The totals count one failed, one accepted and its
 * collection time. Fails if a reconfigure under a running snapshot is
 * allowed, or if the coordinator keeps the old peer list.
 */
static void test_reconfigure_between_snapshots(void **state)
{
	const struct bvd_coord_totals *t;
	struct bvs_snapshot s;
	uint64_t ta;
	size_t from;
	int64_t id;
	uint32_t e;

	(void)state;
	id = snapshot();
	e = gateways_ack(0, TAU / 2);
	ta = now_ns;
	ack("m1", e, 0);
	assert_false(bvd_coord_idle(C()));
	assert_int_equal(bvd_coord_reconfigure(C()), -EBUSY);
	clock_run_until(ta + 2000 * MS + RESEND_NS);
	assert_int_equal(get_snap(id).state, BVS_FAILED);
	assert_true(bvd_coord_idle(C()));

	cfg.n_peers = 3;	/* m2 (the last) removed */
	assert_int_equal(bvd_coord_reconfigure(C()), 0);
	from = n_sent;
	id = snapshot();
	e = gateways_ack(from, 300 * US);
	assert_int_equal(count_sent(from, BVW_ADVANCE, e, "m1"), 1);
	assert_int_equal(count_sent(from, BVW_ADVANCE, e, "m2"), 0);
	ack("m1", e, 0);
	clock_run(1 * MS);
	serve_record("m1", e, record_text("m1", e), 1000);
	s = get_snap(id);
	assert_int_equal(s.state, BVS_ACCEPTED);
	assert_int_equal(count_sent(from, BVW_COLLECT, 0, "m2"), 0);
	t = bvd_coord_totals(C());
	assert_int_equal(t->failed, 1);
	assert_int_equal(t->accepted, 1);
	assert_int_equal(t->rejected, 0);
	assert_int_equal(t->collected, 1);
	assert_true(t->collect_sum_ns >= 1 * MS);
	assert_int_equal(live_timers(), 0);
}

/*
 * A member whose record is not complete yet answers -EAGAIN: nothing is
 * asked at once, the 20 ms poll asks again from offset 0, and a member
 * already done is not asked again. Fails if -EAGAIN fails the snapshot
 * or if polling stops.
 */
static void test_collect_not_ready_polls_again(void **state)
{
	char *t1, *t2;
	size_t from;
	int64_t id;
	uint32_t e;

	(void)state;
	id = snapshot();
	e = gateways_ack(0, TAU / 4);
	members_ack(e);
	t1 = record_text("m1", e);
	t2 = record_text("m2", e);
	serve_record("m2", e, t2, 64);
	from = n_sent;
	chunk("m1", e, 0, 0, NULL, 0, -EAGAIN);
	assert_int_equal(n_sent, from);
	clock_run(POLL_NS - 1);
	assert_int_equal(n_sent, from);
	clock_run(1);
	assert_int_equal(count_sent(from, BVW_COLLECT, e, "m1"), 1);
	assert_int_equal(last_sent(from, BVW_COLLECT, "m1")->offset, 0);
	assert_int_equal(count_sent(from, BVW_COLLECT, 0, "m2"), 0);
	assert_int_equal(get_snap(id).state, BVS_COLLECTING);
	serve_record("m1", e, t1, 100);
	assert_int_equal(get_snap(id).state, BVS_ACCEPTED);
}

/*
 * A member that never delivers its record: the snapshot fails by the
 * deadline, naming the member and the epoch, and is not accepted with
 * a record missing. Fails if collection has no deadline.
 */
static void test_collect_timeout_fails(void **state)
{
	struct bvs_snapshot s;
	char *t2, want[64];
	int64_t id;
	uint32_t e;

	(void)state;
	id = snapshot();
	e = gateways_ack(0, TAU / 4);
	members_ack(e);
	t2 = record_text("m2", e);
	serve_record("m2", e, t2, 64);
	clock_run(1900 * MS);
	assert_int_equal(get_snap(id).state, BVS_COLLECTING);
	clock_run(200 * MS);
	s = get_snap(id);
	assert_int_equal(s.state, BVS_FAILED);
	snprintf(want, sizeof(want), "epoch %u from member m1", e);
	assert_non_null(strstr(s.reason, want));
	/* it failed after OGM accepted its attempt: it keeps that epoch */
	assert_int_equal(s.epoch, e);
	/* nobody needs the records of a failed snapshot */
	assert_int_equal(count_sent(0, BVW_RELEASE, e, "m1"), 1);
	assert_int_equal(count_sent(0, BVW_RELEASE, e, "m2"), 1);
	assert_int_equal(n_done, 1);
}

/*
 * A record that is not valid JSON of a record: the snapshot fails
 * naming the member; nothing is stored as accepted. Fails if the
 * coordinator stores whatever bytes it collected.
 */
static void test_collect_bad_record_fails(void **state)
{
	struct bvs_snapshot s;
	const char *bad = "{\"epoch\":\"not a number\"}";
	char *t2, **nodes = NULL;
	size_t nn = 0;
	int64_t id;
	uint32_t e;

	(void)state;
	id = snapshot();
	e = gateways_ack(0, TAU / 4);
	members_ack(e);
	t2 = record_text("m2", e);
	serve_record("m2", e, t2, 64);
	serve_record("m1", e, bad, 10);
	s = get_snap(id);
	assert_int_equal(s.state, BVS_FAILED);
	assert_non_null(strstr(s.reason, "record of m1"));
	assert_int_equal(bvs_member_nodes(store, id, &nodes, &nn), 0);
	keep(nodes);
	for (size_t i = 0; i < nn; i++)
		keep(nodes[i]);
	assert_int_equal(nn, 0);
}

/*
 * Two snapshots collect at once and the newer one is accepted first:
 * releasing its epoch would drop the older one's records as well (a
 * member's release takes every epoch up to the one named). So the
 * release stops just before the older epoch, and reaches the newer one
 * only when the older is done. Fails if a release covers a running
 * snapshot's epoch (the bench saw "member m2 has no record of epoch 12").
 */
static void test_release_spares_running_snapshots(void **state)
{
	uint32_t e1, e2;
	int64_t id1, id2;
	size_t from;

	(void)state;
	id1 = snapshot();
	e1 = gateways_ack(0, TAU / 4);
	members_ack(e1);
	from = n_sent;
	id2 = snapshot();
	e2 = gateways_ack(from, TAU / 4);
	assert_true(e2 > e1);
	members_ack(e2);
	/* the newer snapshot's records come in first */
	serve_record("m1", e2, record_text("m1", e2), 1000);
	from = n_sent;
	serve_record("m2", e2, record_text("m2", e2), 1000);
	assert_int_equal(get_snap(id2).state, BVS_ACCEPTED);
	assert_int_equal(get_snap(id1).state, BVS_COLLECTING);
	assert_int_equal(count_sent(0, BVW_RELEASE, e2, NULL), 0);
	assert_int_equal(count_sent(from, BVW_RELEASE, e1 - 1, "m1"), 1);
	assert_int_equal(count_sent(from, BVW_RELEASE, e1 - 1, "m2"), 1);
	/* then the older one's: now everything up to the newer goes */
	serve_record("m1", e1, record_text("m1", e1), 1000);
	from = n_sent;
	serve_record("m2", e1, record_text("m2", e1), 1000);
	assert_int_equal(get_snap(id1).state, BVS_ACCEPTED);
	assert_int_equal(count_sent(from, BVW_RELEASE, e2, "m1"), 1);
	assert_int_equal(count_sent(from, BVW_RELEASE, e2, "m2"), 1);
	assert_int_equal(count_sent(from, BVW_RELEASE, e1, NULL), 0);
	assert_int_equal(n_done, 2);
}

/*
 * max_outstanding = 2: a third snapshot is refused with -EBUSY (and
 * leaves no trace: no send, no stored snapshot) while two run; acks are
 * routed to the snapshot of their epoch; once one ends a new one may
 * start, with a newer epoch still. Fails if the limit is off by one,
 * not released when a snapshot ends, or if concurrent snapshots share
 * or mix up epochs.
 */
static void test_max_outstanding(void **state)
{
	struct bvs_snapshot list[8];
	struct bvs_attempt a[4];
	char why[256] = "";
	int64_t id1, id2, id3 = -1;
	uint32_t e1, e2, e3;
	size_t from;

	(void)state;
	cfg.max_outstanding = 2;
	cfg.retries = 0;
	id1 = snapshot();
	e1 = gateway_attempt(0);
	id2 = snapshot();		/* its attempt waits for e1's window */
	assert_int_equal(bvd_coord_outstanding(C()), 2);
	assert_int_equal(bvd_coord_snapshot(C(), on_done, NULL, &id3, why,
					    sizeof(why)), -EBUSY);
	assert_non_null(strstr(why, "max_outstanding"));
	assert_int_equal(n_sent, 2);
	assert_int_equal(bvs_snapshot_list(store, list, 8, 0), 2);

	/* snapshot 1 is rejected (too slow); snapshot 2 starts meanwhile */
	clock_run(2 * TAU);
	ack("g1", e1, 0);
	ack("g2", e1, 0);
	clock_run(0);
	e2 = gateway_attempt(2);
	assert_true(e2 > e1);
	assert_int_equal(get_snap(id1).state, BVS_PENDING);	/* waits */
	ack("g2", e2, 0);
	ack("g1", e2, 0);
	clock_run(0);
	assert_int_equal(get_snap(id1).state, BVS_REJECTED);
	assert_int_equal(get_snap(id2).state, BVS_COLLECTING);
	assert_int_equal(get_attempts(id2, a, 4), 1);
	assert_int_equal(a[0].epoch, e2);
	assert_int_equal(bvd_coord_outstanding(C()), 1);
	assert_int_equal(n_done, 1);
	assert_true(done_id == id1);
	/* snapshot 2 still runs: nothing of its epoch is released */
	assert_int_equal(count_sent(0, BVW_RELEASE, e2, NULL), 0);
	from = n_sent;

	id3 = snapshot();
	e3 = gateway_attempt(from);
	assert_true(e3 > e2);
	assert_int_equal(bvd_coord_outstanding(C()), 2);
	ack("g2", e3, 0);
	ack("g1", e3, 0);
	assert_int_equal(get_snap(id3).state, BVS_COLLECTING);
	assert_int_equal(get_attempts(id3, a, 4), 1);
	assert_int_equal(a[0].epoch, e3);
}

/*
 * A forgotten waiter (its client went away) is not called when the
 * snapshot ends. Fails if done() runs with a dangling waiter.
 */
static void test_forget_waiter(void **state)
{
	int64_t id;

	(void)state;
	cfg.retries = 0;
	id = snapshot();
	bvd_coord_forget_waiter(C(), &n_done);
	clock_run(ACK_TIMEOUT_MS * MS);
	assert_int_equal(get_snap(id).state, BVS_FAILED);
	assert_int_equal(n_done, 0);
	assert_int_equal(bvd_coord_outstanding(C()), 0);
}

/*
 * Calibration: one PING per peer and round, each PONG's round trip on
 * the coordinator's clock, done() after the timeout. Fails if answers
 * are attributed to the wrong peer or round, or duplicates overwrite.
 */
static void test_calibrate_rtt(void **state)
{
	const char *names[4] = { "g1", "g2", "m1", "m2" };
	struct bvd_rtt r[8];
	struct bvw_msg m;
	uint64_t base, nonce0;

	(void)state;
	assert_int_equal(bvd_coord_calibrate(C(), 2, on_done, &n_done), 0);
	assert_int_equal(n_sent, 8);
	for (size_t p = 0; p < 4; p++)
		assert_int_equal(count_sent(0, BVW_PING, 0, names[p]), 2);
	assert_int_equal(bvd_coord_calibrate(C(), 2, on_done, NULL), -EBUSY);
	/* round k's nonce is the first round's + k */
	nonce0 = sent[0].nonce;
	assert_true(last_sent(0, BVW_PING, "g1")->nonce == nonce0 + 1);
	/* peer p answers round k (p + 1) * 100 us + k * 10 us after the
	 * pings left; m2 never answers; g1 answers round 0 twice */
	base = now_ns;
	for (size_t p = 0; p < 3; p++) {
		for (uint64_t k = 0; k < 2; k++) {
			clock_run_until(base + (p + 1) * 100 * US + k * 10 * US);
			m = (struct bvw_msg){ .type = BVW_PONG,
					      .nonce = nonce0 + k };
			deliver(&m, names[p]);
		}
	}
	clock_run(1 * MS);
	m = (struct bvw_msg){ .type = BVW_PONG, .nonce = nonce0 };
	deliver(&m, "g1");	/* a late duplicate: keeps the first */
	m = (struct bvw_msg){ .type = BVW_PONG, .nonce = nonce0 + 2 };
	deliver(&m, "m2");	/* a round that was never sent */
	assert_int_equal(n_done, 0);
	clock_run(2000 * MS);
	assert_int_equal(n_done, 1);
	assert_int_equal(bvd_coord_rtt(C(), r, 8), 4);
	for (size_t p = 0; p < 3; p++) {
		assert_string_equal(r[p].name, names[p]);
		assert_int_equal(r[p].answered, 2);
		assert_true(r[p].min_ns == (p + 1) * 100 * US);
		assert_true(r[p].max_ns == (p + 1) * 100 * US + 10 * US);
	}
	assert_true(r[0].gateway && r[1].gateway);
	assert_false(r[2].gateway || r[3].gateway);
	assert_int_equal(r[3].answered, 0);
}

/*
 * The peers' own data-plane probes (probe.h): the smallest probe_ns of
 * any PONG to this calibration's pings, a second PONG for a round already
 * answered included (a probe round's late answer), and without changing
 * that round's round trip; none from a calibration that has ended, nor
 * for a nonce it never sent. Fails if the second answer is dropped, if it
 * overwrites the round trip, or if a larger probe replaces a smaller one.
 */
static void test_calibrate_probe(void **state)
{
	struct bvd_rtt r[8];
	struct bvw_msg m;
	uint64_t nonce0;

	(void)state;
	assert_int_equal(bvd_coord_calibrate(C(), 1, on_done, &n_done), 0);
	nonce0 = sent[0].nonce;
	clock_run(100 * US);
	/* every peer answers at once without a figure (a round starts) */
	m = (struct bvw_msg){ .type = BVW_PONG, .nonce = nonce0 };
	deliver(&m, "g1");
	m = (struct bvw_msg){ .type = BVW_PONG, .nonce = nonce0,
			      .probe_ns = 900 * US };
	deliver(&m, "m1");	/* a fresh result, at once */
	clock_run(500 * MS);
	/* g1's round ended: the same ping answered again */
	m = (struct bvw_msg){ .type = BVW_PONG, .nonce = nonce0,
			      .probe_ns = 700 * US };
	deliver(&m, "g1");
	m = (struct bvw_msg){ .type = BVW_PONG, .nonce = nonce0,
			      .probe_ns = 800 * US };
	deliver(&m, "g1");	/* larger: the smaller stays */
	m = (struct bvw_msg){ .type = BVW_PONG, .nonce = nonce0 + 1,
			      .probe_ns = 1 * US };
	deliver(&m, "g2");	/* never sent */
	clock_run(2000 * MS);
	assert_int_equal(n_done, 1);
	m = (struct bvw_msg){ .type = BVW_PONG, .nonce = nonce0,
			      .probe_ns = 2 * US };
	deliver(&m, "g2");	/* after the end */
	assert_int_equal(bvd_coord_rtt(C(), r, 8), 4);
	assert_int_equal(r[0].answered, 1);
	assert_true(r[0].min_ns == 100 * US);	/* the first answer's */
	assert_true(r[0].probe_ns == 700 * US);
	assert_true(r[1].probe_ns == 0);
	assert_true(r[2].probe_ns == 900 * US);
	assert_true(r[3].probe_ns == 0);
}

/*
 * A calibration ends as soon as every ping is answered and every peer
 * reported a probe, not at the timeout; before that it waits. Fails if
 * it ends on the round trips alone (a probe round's answer would be
 * lost) or only at the timeout.
 */
static void test_calibrate_early_end(void **state)
{
	const char *names[4] = { "g1", "g2", "m1", "m2" };
	struct bvd_rtt r[8];
	struct bvw_msg m;
	uint64_t nonce0;

	(void)state;
	assert_int_equal(bvd_coord_calibrate(C(), 2, on_done, &n_done), 0);
	nonce0 = sent[0].nonce;
	clock_run(100 * US);
	for (size_t p = 0; p < 4; p++)
		for (uint64_t k = 0; k < 2; k++) {
			m = (struct bvw_msg){ .type = BVW_PONG,
					      .nonce = nonce0 + k,
					      .probe_ns = p < 3 ? 0 : 50 * US };
			deliver(&m, names[p]);
		}
	clock_run(300 * MS);
	assert_int_equal(n_done, 0);	/* three probes still to come */
	for (size_t p = 0; p < 3; p++) {
		m = (struct bvw_msg){ .type = BVW_PONG, .nonce = nonce0 + 1,
				      .probe_ns = (p + 1) * 10 * US };
		deliver(&m, names[p]);
		assert_int_equal(n_done, p == 2);
	}
	assert_int_equal(bvd_coord_rtt(C(), r, 8), 4);
	assert_true(r[0].probe_ns == 10 * US && r[3].probe_ns == 50 * US);
	assert_int_equal(r[2].answered, 2);
	clock_run(2000 * MS);
	assert_int_equal(n_done, 1);	/* the timer was cancelled */
}

/*
 * A member's record with one member channel (to or from peer) and late
 * entries (a JSON array text)
 */
static char *chan_record(const char *node, uint32_t e, const char *peer,
			 unsigned int tx, unsigned int rx, unsigned int infl,
			 const char *late)
{
	char *t = NULL;
	int n = asprintf(&t,
		"{\"node\":\"%s\",\"epoch\":%u,\"cut\":null,\"flows\":[],"
		"\"channels\":[{\"kind\":\"member\",\"peer\":\"%s\","
		"\"tx_pkts\":%u,\"tx_bytes\":%u,\"rx_pkts\":%u,"
		"\"rx_bytes\":%u,\"inflight_pkts\":%u,"
		"\"inflight_bytes\":%u}],\"captures\":[],\"late\":%s}",
		node, e, peer, tx, 100 * tx, rx, 100 * rx, infl, 100 * infl,
		late);

	assert_true(n > 0);
	return keep(t);
}

/* one snapshot through to acceptance with the given records */
static int64_t accepted_snapshot(uint32_t *e, const char *m1_late,
				 unsigned int m1_tx, const char *m2_late,
				 unsigned int m2_rx, unsigned int m2_infl)
{
	int64_t id = snapshot();

	*e = gateways_ack(n_sent - 2, TAU / 4);
	members_ack(*e);
	serve_record("m1", *e, chan_record("m1", *e, "10.0.1.12", m1_tx, 0, 0,
					   m1_late), 1000);
	serve_record("m2", *e, chan_record("m2", *e, "10.0.1.11", 0, m2_rx,
					   m2_infl, m2_late), 1000);
	assert_int_equal(get_snap(id).state, BVS_ACCEPTED);
	return id;
}

static json_t *report_of(int64_t id)
{
	json_t *j = keep_json(json_loads(keep(bvs_report_get(store, id)), 0,
					 NULL));

	assert_non_null(j);
	return j;
}

/* report's channel from -> to, field key */
static json_int_t chan_field(json_t *rep, const char *from, const char *to,
			     const char *key)
{
	size_t i;
	json_t *c;

	json_array_foreach(json_object_get(rep, "channels"), i, c)
		if (!strcmp(json_string_value(json_object_get(c, "from")), from) &&
		    !strcmp(json_string_value(json_object_get(c, "to")), to)) {
			json_t *v = json_object_get(c, key);

			if (json_is_boolean(v))
				return json_is_true(v);
			assert_true(json_is_integer(v));
			return json_integer_value(v);
		}
	fail_msg("no channel %s -> %s", from, to);
	return -1;
}

/*
 * Late packets through the coordinator: snapshot A's channel m1 -> m2 is
 * 2 short at A (sent 10, received 7, in flight 1) and its report says
 * so, with late 0. B's record of m2 carries the late entry naming A (and
 * one of gateway kind naming A..B): A's report is amended (channel late
 * 2, balanced, summary balanced, m2's late 2 + 1), B's gets the gateway
 * entry on m2 only. C's record carries the same entries again: nothing
 * changes (dedup). Fails if the peer address is not mapped to m1, the
 * entries go to the wrong snapshot, or a repeat is counted twice.
 */
static void test_late_entries_amend_reports(void **state)
{
	char late_b[512];
	uint32_t ea, eb, ec;
	int64_t a, b, c;
	json_t *rep;

	(void)state;
	a = accepted_snapshot(&ea, "[]", 10, "[]", 7, 1);
	rep = report_of(a);
	assert_int_equal(chan_field(rep, "m1", "m2", "late"), 0);
	assert_int_equal(chan_field(rep, "m1", "m2", "balanced"), 0);
	assert_false(json_is_true(json_object_get(rep, "balanced")));

	eb = ea + 1;
	snprintf(late_b, sizeof(late_b),
		 "[{\"kind\":\"member\",\"peer\":\"10.0.1.11\",\"first\":%u,"
		 "\"last\":%u,\"arrived\":%u,\"pkts\":2,\"bytes\":200},"
		 "{\"kind\":\"gateway\",\"peer\":\"10.0.0.1\",\"first\":%u,"
		 "\"last\":%u,\"arrived\":%u,\"pkts\":1,\"bytes\":60}]",
		 ea, ea, ea, ea, eb, eb);
	b = accepted_snapshot(&eb, "[]", 20, late_b, 20, 0);
	assert_int_equal(eb, ea + 1);
	rep = report_of(a);
	assert_int_equal(chan_field(rep, "m1", "m2", "late"), 2);
	assert_int_equal(chan_field(rep, "m1", "m2", "late_bytes"), 200);
	assert_int_equal(chan_field(rep, "m1", "m2", "balanced"), 1);
	assert_true(json_is_true(json_object_get(rep, "balanced")));
	assert_int_equal(json_integer_value(json_object_get(rep,
				"unbalanced_channels")), 0);
	assert_int_equal(json_integer_value(json_object_get(rep, "late")), 3);
	rep = report_of(b);
	assert_int_equal(chan_field(rep, "m1", "m2", "late"), 0);
	assert_int_equal(json_integer_value(json_object_get(rep, "late")), 1);
	assert_true(json_is_true(json_object_get(rep, "balanced")));
	/* the record is stored as it came */
	assert_non_null(strstr(keep(bvs_member_record_get(store, b, "m2")),
			       "\"gateway\""));

	/* the same entries from C's record (not released yet): once only */
	c = accepted_snapshot(&ec, "[]", 5, late_b, 5, 0);
	rep = report_of(a);
	assert_int_equal(chan_field(rep, "m1", "m2", "late"), 2);
	assert_int_equal(json_integer_value(json_object_get(rep, "late")), 3);
	assert_true(json_is_true(json_object_get(rep, "balanced")));
	rep = report_of(b);
	assert_int_equal(json_integer_value(json_object_get(rep, "late")), 1);
	rep = report_of(c);
	assert_int_equal(json_integer_value(json_object_get(rep, "late")), 0);
}

/*
 * late_hold_ms: an accepted epoch stays on the members that long after
 * its snapshot ended (a member tells late packets for E only while it
 * holds E's record), then a timer releases it; holds of several
 * snapshots end one by one. Fails if the epoch is released at the end of
 * its snapshot, never, or all holds at once.
 */
static void test_late_hold_delays_release(void **state)
{
	uint32_t e1, e2;
	uint64_t t, t2;

	(void)state;
	cfg.late_hold_ms = 300;
	accepted_snapshot(&e1, "[]", 1, "[]", 1, 0);
	t = now_ns;
	assert_int_equal(count_sent(0, BVW_RELEASE, e1 - 1, "m1"), 1);
	assert_int_equal(count_sent(0, BVW_RELEASE, e1, NULL), 0);
	clock_run_until(t + 100 * MS);
	accepted_snapshot(&e2, "[]", 2, "[]", 2, 0);
	t2 = now_ns;
	assert_int_equal(count_sent(0, BVW_RELEASE, e1, NULL), 0);
	clock_run_until(t + 300 * MS - 1);
	assert_int_equal(count_sent(0, BVW_RELEASE, e1, NULL), 0);
	/* e1's hold is over, e2's not yet */
	clock_run_until(t + 300 * MS);
	assert_int_equal(count_sent(0, BVW_RELEASE, e1, "m1"), 1);
	assert_int_equal(count_sent(0, BVW_RELEASE, e1, "m2"), 1);
	assert_int_equal(count_sent(0, BVW_RELEASE, e2, NULL), 0);
	clock_run_until(t2 + 300 * MS - 1);
	assert_int_equal(count_sent(0, BVW_RELEASE, e2, NULL), 0);
	clock_run_until(t2 + 300 * MS);
	assert_int_equal(count_sent(0, BVW_RELEASE, e2, "m1"), 1);
	assert_int_equal(count_sent(0, BVW_RELEASE, e2, "m2"), 1);
	assert_int_equal(live_timers(), 0);
	assert_int_equal(bad_cancels, 0);
}

/* a record whose only channel is the bypass one, cumulative n packets */
static char *bypass_record(const char *node, uint32_t e, unsigned int n)
{
	char *t = NULL;
	int k = asprintf(&t,
		"{\"node\":\"%s\",\"epoch\":%u,\"cut\":null,\"flows\":[],"
		"\"channels\":[{\"kind\":\"bypass\",\"peer\":\"0.0.0.0\","
		"\"tx_pkts\":0,\"tx_bytes\":0,\"rx_pkts\":%u,\"rx_bytes\":%u,"
		"\"inflight_pkts\":0,\"inflight_bytes\":0}],\"captures\":[],"
		"\"late\":[]}", node, e, n, 100 * n);

	assert_true(k > 0);
	return keep(t);
}

/* an accepted snapshot whose records say m1, m2 had this bypass so far */
static int64_t bypass_snapshot(unsigned int m1, unsigned int m2)
{
	int64_t id = snapshot();
	uint32_t e = gateways_ack(n_sent - 2, TAU / 4);

	members_ack(e);
	serve_record("m1", e, bypass_record("m1", e, m1), 1000);
	serve_record("m2", e, bypass_record("m2", e, m2), 1000);
	assert_int_equal(get_snap(id).state, BVS_ACCEPTED);
	return id;
}

/* the report's or one member's interval field, as text ("null", "5") */
static const char *iv_field(json_t *rep, const char *node, const char *key)
{
	static char buf[64];
	json_t *o = rep, *v;
	size_t i;

	if (node)
		json_array_foreach(json_object_get(rep, "members"), i, o)
			if (!strcmp(json_string_value(json_object_get(o, "node")),
				    node))
				break;
	v = json_object_get(json_object_get(o, "interval"), key);
	assert_non_null(v);
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_null(v))
		return "null";
	snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
	return buf;
}

/*
 * The coordinator's reports count bypass per interval against the
 * previous accepted snapshot (its baselines in the store), a failed
 * snapshot in between changing nothing: the first since configured; a
 * count that did not move is 0 beside its cumulative; one that went back
 * is a reset, counted from zero. Fails if finish() does not read the
 * baselines, or the store does not write them.
 */
static void test_interval_bypass(void **state)
{
	int64_t id1, id2, id3, idf;
	json_t *rep;
	uint32_t e;

	(void)state;
	id1 = bypass_snapshot(3, 0);
	rep = report_of(id1);
	assert_string_equal(iv_field(rep, NULL, "since"), "configured");
	assert_string_equal(iv_field(rep, NULL, "bypass"), "3");

	/* a snapshot that fails after OGM accepted it: not a baseline */
	idf = snapshot();
	e = gateways_ack(n_sent - 2, TAU / 4);
	members_ack(e);
	clock_run(5000 * MS);
	assert_int_equal(get_snap(idf).state, BVS_FAILED);
	assert_int_equal(get_snap(idf).epoch, e);

	id2 = bypass_snapshot(3, 2);
	rep = report_of(id2);
	assert_string_equal(iv_field(rep, NULL, "since"), "previous");
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(rep, "interval"), "since_id")), id1);
	assert_string_equal(iv_field(rep, NULL, "bypass"), "2");
	assert_string_equal(iv_field(rep, "m1", "bypass"), "0");
	assert_string_equal(iv_field(rep, "m2", "bypass"), "2");
	assert_int_equal(json_integer_value(json_object_get(rep, "bypass")), 5);

	id3 = bypass_snapshot(1, 2);
	rep = report_of(id3);
	assert_string_equal(iv_field(rep, "m1", "since"), "reset");
	assert_string_equal(iv_field(rep, "m1", "bypass"), "1");
	assert_string_equal(iv_field(rep, "m2", "since"), "previous");
	assert_string_equal(iv_field(rep, "m2", "bypass"), "0");
	assert_string_equal(iv_field(rep, NULL, "members_reset"), "1");
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(rep, "interval"), "since_id")), id2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_attempt_measures_t0_t1),
		T(test_attempt_stores_gateway_acks),
		T(test_bound_below_tau_accepts),
		T(test_bound_equal_tau_rejects),
		T(test_retries_fresh_epochs_then_rejected),
		T(test_retry_then_accept),
		T(test_gateway_silent_times_out),
		T(test_gateway_refusal_retried),
		T(test_gateway_refusal_no_retry_fails),
		T(test_duplicate_ack_counts_once),
		T(test_ack_from_unknown_peer_ignored),
		T(test_ack_for_other_epoch_ignored),
		T(test_member_ack_not_a_gateway_ack),
		T(test_stale_attempt_ack_does_not_complete_retry),
		T(test_member_phase_retransmits_until_acked),
		T(test_member_never_acks_fails),
		T(test_member_refuses_advance_fails),
		T(test_collect_chunks_and_store),
		T(test_reconfigure_between_snapshots),
		T(test_collect_not_ready_polls_again),
		T(test_collect_timeout_fails),
		T(test_collect_bad_record_fails),
		T(test_release_spares_running_snapshots),
		T(test_stale_ack_rejected),
		T(test_gateway_past_every_epoch_moves_the_counter),
		T(test_announce_before_first_attempt),
		T(test_announce_then_newer_epoch),
		T(test_windows_do_not_overlap),
		T(test_max_outstanding),
		T(test_forget_waiter),
		T(test_calibrate_rtt),
		T(test_calibrate_probe),
		T(test_calibrate_early_end),
		T(test_late_entries_amend_reports),
		T(test_late_hold_delays_release),
		T(test_interval_bypass),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
