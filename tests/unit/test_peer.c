// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The control-plane transport (beaverd/peer.c) with real UDP sockets on
 * the loopback and a real store: a coordinator's request reaches an agent
 * and the reply goes to the configured address; a member's key may not
 * command (denied), an unknown key is dropped before any MAC (unknown);
 * the replay state and the seq floor survive a restart; a clock-ordered
 * start never goes below the saved floor; at most BVD_DRAIN_MAX datagrams
 * are read per call; a key rotation (beaverd.conf(5)) loses nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "peer.h"
#include "store.h"
#include "wire.h"

/* log.c is the journal's; here, stderr */
void bvd_log(int priority, const char *fmt, ...)
{
	va_list ap;

	(void)priority;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

#define GROUP 7
#define PORT_C 35150	/* the coordinator */
#define PORT_G 35151	/* a gateway */
#define PORT_M 35152	/* a member */

static struct bvw_keypair kc, kg, km;
static char dir_c[64], dir_g[64];

struct got {
	struct bvw_msg m[256];
	const struct bvd_peer *from[256];
	size_t n;
};

static void on_msg(struct bvd_peer_io *io, const struct bvw_msg *m,
		   const struct bvd_peer *from, void *data)
{
	struct got *g = data;

	(void)io;
	if (g->n < 256) {
		g->m[g->n] = *m;
		g->from[g->n++] = from;
	}
}

static struct sockaddr_in lo(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static void keypair(struct bvw_keypair *kp)
{
	struct bvw_key k;

	randombytes_buf(k.k, sizeof(k.k));
	assert_int_equal(bvw_keypair_from_secret(&k, kp), 0);
}

static struct bvd_peer_conf peer_conf(const char *name, uint16_t port,
				      const struct bvw_keypair *kp, bool gw)
{
	struct bvd_peer_conf p = { .gateway = gw, .n_keys = 1 };

	snprintf(p.name, sizeof(p.name), "%s", name);
	p.control = lo(port);
	memcpy(p.public_key[0], kp->pub, BVW_PUBLIC_LEN);
	return p;
}

/* the coordinator knows the gateway and the member; agents know it */
static struct bvd_peer_conf c_peers[2], g_coords[1];

static void config(struct bvd_config *cfg, const char *node, uint16_t port,
		   bool coordinator)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->node, sizeof(cfg->node), "%s", node);
	cfg->group = GROUP;
	cfg->listen = lo(port);
	if (coordinator) {
		cfg->roles = BVD_ROLE_COORDINATOR;
		c_peers[0] = peer_conf("gw", PORT_G, &kg, true);
		c_peers[1] = peer_conf("m", PORT_M, &km, false);
		cfg->peers = c_peers;
		cfg->n_peers = 2;
	} else {
		cfg->roles = BVD_ROLE_GATEWAY;
		g_coords[0] = peer_conf("coord", PORT_C, &kc, false);
		g_coords[0].coordinator = true;
		cfg->coords = g_coords;
		cfg->n_coords = 1;
	}
}

static struct bvs *store(const char *dir)
{
	struct bvs *s = NULL;
	char why[256];

	assert_int_equal(bvs_open(dir, false, &s, why, sizeof(why)), 0);
	return s;
}

static void open_io(struct bvd_peer_io *io, const char *node, uint16_t port,
		    bool coordinator, const struct bvw_keypair *own,
		    struct bvs *st, struct got *g)
{
	struct bvd_config cfg;
	char why[256] = "";
	int rc;

	config(&cfg, node, port, coordinator);
	rc = bvd_peer_open(io, &cfg, own, 1, st, on_msg, g, why, sizeof(why));
	if (rc)
		fail_msg("bvd_peer_open %s: %d %s", node, rc, why);
}

/* everything queued, BVD_DRAIN_MAX per call */
static void drain(struct bvd_peer_io *io)
{
	usleep(20000);
	for (int i = 0; i < 100; i++)
		bvd_peer_readable(io->fd, 0, io);
}

static int setup(void **state)
{
	(void)state;
	assert_true(sodium_init() >= 0);
	keypair(&kc);
	keypair(&kg);
	keypair(&km);
	snprintf(dir_c, sizeof(dir_c), "/tmp/bvpeerXXXXXX");
	snprintf(dir_g, sizeof(dir_g), "/tmp/bvpeerXXXXXX");
	assert_non_null(mkdtemp(dir_c));
	assert_non_null(mkdtemp(dir_g));
	return 0;
}

static int teardown(void **state)
{
	char cmd[200];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", dir_c, dir_g);
	return system(cmd) ? -1 : 0;
}

/* a request, its reply at the configured address, and who sent them */
static void test_request_reply(void **state)
{
	struct bvd_peer_io c, g;
	struct bvs *sc = store(dir_c), *sg = store(dir_g);
	static struct got gc, gg;
	struct bvw_msg m = { .type = BVW_ADVANCE, .epoch = 5,
			     .role = BVW_ROLE_GATEWAY };
	struct bvw_msg r = { .type = BVW_ADVANCE_ACK, .epoch = 5, .now = 5,
			     .prev = 4, .advanced = 1 };

	(void)state;
	memset(&gc, 0, sizeof(gc));
	memset(&gg, 0, sizeof(gg));
	open_io(&c, "coord", PORT_C, true, &kc, sc, &gc);
	open_io(&g, "gw", PORT_G, false, &kg, sg, &gg);
	m.recipient = bvw_node_id("gw");
	assert_int_equal(bvd_peer_send(&c, &m), 0);
	drain(&g);
	assert_int_equal(gg.n, 1);
	assert_int_equal(gg.m[0].type, BVW_ADVANCE);
	assert_int_equal(gg.m[0].epoch, 5);
	assert_string_equal(gg.from[0]->name, "coord");
	assert_true(gg.from[0]->commands);
	assert_int_equal(gg.m[0].sender_key, kc.id);
	assert_int_equal(gg.m[0].recipient_key, kg.id);
	/* the reply: to the coordinator's configured address */
	assert_int_equal(bvd_peer_reply(&g, &gg.m[0], &r), 0);
	drain(&c);
	assert_int_equal(gc.n, 1);
	assert_int_equal(gc.m[0].type, BVW_ADVANCE_ACK);
	assert_true(gc.m[0].req_id == gg.m[0].seq);
	assert_string_equal(gc.from[0]->name, "gw");
	assert_false(gc.from[0]->commands);
	/* a node nobody configured: nothing to send to */
	m.recipient = bvw_node_id("nobody");
	assert_int_equal(bvd_peer_send(&c, &m), -ENOENT);
	bvd_peer_close(&c);
	bvd_peer_close(&g);
	bvs_close(sc);
	bvs_close(sg);
}

/* raw bytes from a socket of our own, as an attacker sends them */
static void inject(const uint8_t *buf, size_t len, uint16_t port)
{
	struct sockaddr_in to = lo(port);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(sendto(fd, buf, len, 0, (struct sockaddr *)&to,
				sizeof(to)), (ssize_t)len);
	close(fd);
}

/* a seq newer than anything sent so far (beaverd starts at the clock) */
static uint64_t fresh_seq(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static size_t craft(const struct bvw_keypair *from, const char *sender,
		    const struct bvw_keypair *to, uint8_t type, uint64_t seq,
		    uint8_t *buf)
{
	struct bvw_msg m = { .type = type, .group = GROUP, .epoch = 9,
			     .role = BVW_ROLE_GATEWAY, .seq = seq };
	struct bvw_key pk;
	int n;

	m.sender = bvw_node_id(sender);
	m.sender_key = from->id;
	m.recipient_key = to->id;
	assert_int_equal(bvw_pair_key(from, to->pub, &pk), 0);
	n = bvw_encode(&m, &pk, buf, BVW_MAX_DGRAM);
	assert_true(n > 0);
	return (size_t)n;
}

/* who may command: a member's own key is refused by the coordinator, an
 * unknown one by everybody, before any MAC is computed */
static void test_authority(void **state)
{
	struct bvd_peer_io c, g;
	struct bvs *sc = store(dir_c), *sg = store(dir_g);
	static struct got gc, gg;
	struct bvw_keypair stranger;
	uint8_t buf[BVW_MAX_DGRAM];
	size_t n;

	(void)state;
	memset(&gc, 0, sizeof(gc));
	memset(&gg, 0, sizeof(gg));
	keypair(&stranger);
	open_io(&c, "coord", PORT_C, true, &kc, sc, &gc);
	open_io(&g, "gw", PORT_G, false, &kg, sg, &gg);
	/* the member's real key: ADVANCE, COLLECT, RELEASE to the coordinator */
	for (uint8_t t = BVW_ADVANCE; t <= BVW_RELEASE; t += 2) {
		n = craft(&km, "m", &kc, t, 1000 + t, buf);
		inject(buf, n, PORT_C);
	}
	drain(&c);
	assert_int_equal(gc.n, 0);
	assert_int_equal(c.denied, 3);
	/* to the gateway, the member is nobody; so is a stranger */
	n = craft(&km, "m", &kg, BVW_ADVANCE, 3000, buf);
	inject(buf, n, PORT_G);
	n = craft(&stranger, "coord", &kg, BVW_ADVANCE, 3001, buf);
	inject(buf, n, PORT_G);
	/* the member's key claiming the coordinator's node id */
	n = craft(&km, "coord", &kg, BVW_ADVANCE, 3002, buf);
	inject(buf, n, PORT_G);
	drain(&g);
	assert_int_equal(gg.n, 0);
	assert_int_equal(g.unknown, 3);
	assert_int_equal(g.drops.mac, 0);
	/* the coordinator's real key is obeyed */
	n = craft(&kc, "coord", &kg, BVW_ADVANCE, fresh_seq(), buf);
	inject(buf, n, PORT_G);
	drain(&g);
	assert_int_equal(gg.n, 1);
	bvd_peer_close(&c);
	bvd_peer_close(&g);
	bvs_close(sc);
	bvs_close(sg);
}

/* an ADVANCE_ACK as a node's kernel module sends it (BVW_F_MODULE) */
static size_t craft_ack(const struct bvw_keypair *from, const char *sender,
			const struct bvw_keypair *to, uint8_t flags,
			uint64_t seq, uint8_t *buf)
{
	struct bvw_msg m = { .type = BVW_ADVANCE_ACK, .group = GROUP,
			     .flags = flags, .epoch = 9, .now = 9, .prev = 8,
			     .advanced = 1, .seq = seq, .req_id = 77 };
	struct bvw_key pk;
	int n;

	m.sender = bvw_node_id(sender);
	m.sender_key = from->id;
	m.recipient_key = to->id;
	assert_int_equal(bvw_pair_key(from, to->pub, &pk), 0);
	n = bvw_encode(&m, &pk, buf, BVW_MAX_DGRAM);
	assert_true(n > 0);
	return (size_t)n;
}

/*
 * A gateway's module is a sender of its own: its acks (BVW_F_MODULE) and
 * the gateway daemon's have separate replay windows at the coordinator,
 * however far apart their seqs; a member's flagged ack is refused.
 */
static void test_module_acks(void **state)
{
	struct bvd_peer_io c;
	struct bvs *sc = store(dir_c);
	static struct got gc;
	uint8_t buf[BVW_MAX_DGRAM];
	uint64_t daemon = fresh_seq(), module = daemon - 1000000;
	uint64_t replays;
	size_t n;

	(void)state;
	memset(&gc, 0, sizeof(gc));
	open_io(&c, "coord", PORT_C, true, &kc, sc, &gc);
	replays = c.drops.replay;
	n = craft_ack(&kg, "gw", &kc, 0, daemon, buf);
	inject(buf, n, PORT_C);
	drain(&c);
	/* far behind the daemon's seq: in a window of its own */
	n = craft_ack(&kg, "gw", &kc, BVW_F_MODULE, module, buf);
	inject(buf, n, PORT_C);
	drain(&c);
	assert_int_equal(gc.n, 2);
	assert_int_equal(gc.m[1].flags, BVW_F_MODULE);
	assert_string_equal(gc.from[1]->name, "gw");
	/* each replayed: refused in its own window */
	inject(buf, n, PORT_C);
	n = craft_ack(&kg, "gw", &kc, 0, daemon, buf);
	inject(buf, n, PORT_C);
	drain(&c);
	assert_int_equal(gc.n, 2);
	assert_int_equal(c.drops.replay - replays, 2);
	/* the daemon's next seq is not "too old" because of the module's */
	n = craft_ack(&kg, "gw", &kc, BVW_F_MODULE, module + 1, buf);
	inject(buf, n, PORT_C);
	n = craft_ack(&kg, "gw", &kc, 0, daemon + 1, buf);
	inject(buf, n, PORT_C);
	drain(&c);
	assert_int_equal(gc.n, 4);
	/* only a gateway's module answers: a member's flagged ack is denied */
	n = craft_ack(&km, "m", &kc, BVW_F_MODULE, fresh_seq(), buf);
	inject(buf, n, PORT_C);
	drain(&c);
	assert_int_equal(gc.n, 4);
	assert_int_equal(c.denied, 1);
	bvd_peer_close(&c);
	bvs_close(sc);
}

/* a replay stays a replay after a restart; seqs never go back */
static void test_restart(void **state)
{
	struct bvd_peer_io c, g;
	struct bvs *sc = store(dir_c), *sg = store(dir_g);
	static struct got gc, gg;
	uint8_t buf[BVW_MAX_DGRAM], buf2[BVW_MAX_DGRAM];
	uint64_t seq1, floor = 0, far;
	struct bvw_msg m = { .type = BVW_PING, .nonce = 1 };
	size_t n, n2;

	(void)state;
	memset(&gg, 0, sizeof(gg));
	open_io(&g, "gw", PORT_G, false, &kg, sg, &gg);
	n = craft(&kc, "coord", &kg, BVW_ADVANCE, fresh_seq(), buf);
	inject(buf, n, PORT_G);
	/* opened after: its first seq is newer than the datagram's */
	open_io(&c, "coord", PORT_C, true, &kc, sc, &gc);
	m.recipient = bvw_node_id("gw");
	assert_int_equal(bvd_peer_send(&c, &m), 0);
	seq1 = m.seq;
	drain(&g);
	assert_int_equal(gg.n, 2);
	/* two more, right behind each other: the first lies inside the
	 * 64-wide window behind the newest after the restart */
	n = craft(&kc, "coord", &kg, BVW_ADVANCE, seq1 + 1, buf);
	inject(buf, n, PORT_G);
	n2 = craft(&kc, "coord", &kg, BVW_ADVANCE, seq1 + 2, buf2);
	inject(buf2, n2, PORT_G);
	drain(&g);
	assert_int_equal(gg.n, 4);
	/* the floor is saved before use, ahead of the seq */
	assert_int_equal(bvs_seq_floor_get(sc, &floor), 0);
	assert_true(floor > seq1);
	bvd_peer_close(&c);
	bvd_peer_close(&g);		/* saves the replay state */
	bvs_close(sg);

	sg = store(dir_g);
	memset(&gg, 0, sizeof(gg));
	open_io(&g, "gw", PORT_G, false, &kg, sg, &gg);
	inject(buf, n, PORT_G);		/* seq1 + 1 again: behind the top */
	inject(buf2, n2, PORT_G);	/* seq1 + 2 again: the top */
	drain(&g);
	assert_int_equal(gg.n, 0);
	assert_int_equal(g.drops.replay, 2);

	/* a floor far ahead of the clock (a clock set back): honoured */
	far = seq1 + 1000000000000ull;
	assert_int_equal(bvs_seq_floor_set(sc, far), 0);
	open_io(&c, "coord", PORT_C, true, &kc, sc, &gc);
	assert_int_equal(bvd_peer_send(&c, &m), 0);
	assert_true(m.seq > far);
	drain(&g);
	assert_int_equal(gg.n, 1);
	/* one by one from there: reordering stays inside the window */
	assert_int_equal(bvd_peer_send(&c, &m), 0);
	assert_true(m.seq == far + 2);
	bvd_peer_close(&c);
	bvd_peer_close(&g);
	bvs_close(sc);
	bvs_close(sg);
}

/*
 * A rotation of gw's key, step by step as beaverd.conf(5) has it: gw holds
 * its new key and the previous one; the coordinator lists the old key
 * first (still sending to it), then only the new one. Each request is
 * taken, and each reply is made with the keys its request used, so the
 * coordinator takes it at every step.
 */
static void test_rotation(void **state)
{
	struct bvw_keypair both[2], fresh;
	struct bvd_peer_io c, g;
	struct bvd_config cc, gc_cfg;
	struct bvs *sc = store(dir_c), *sg = store(dir_g);
	static struct got gc, gg;
	struct bvw_msg m = { .type = BVW_PING, .nonce = 7 };
	struct bvw_msg r = { .type = BVW_PONG, .nonce = 7 };
	char why[256];

	(void)state;
	keypair(&fresh);
	both[0] = fresh;	/* key_file */
	both[1] = kg;		/* previous_key_file */
	config(&gc_cfg, "gw", PORT_G, false);
	assert_int_equal(bvd_peer_open(&g, &gc_cfg, both, 2, sg, on_msg, &gg,
				       why, sizeof(why)), 0);
	for (int step = 0; step < 2; step++) {
		memset(&gc, 0, sizeof(gc));
		memset(&gg, 0, sizeof(gg));
		config(&cc, "coord", PORT_C, true);
		if (step == 0) {	/* public_key = OLD NEW */
			memcpy(c_peers[0].public_key[1], fresh.pub,
			       BVW_PUBLIC_LEN);
			c_peers[0].n_keys = 2;
		} else {		/* public_key = NEW */
			memcpy(c_peers[0].public_key[0], fresh.pub,
			       BVW_PUBLIC_LEN);
		}
		assert_int_equal(bvd_peer_open(&c, &cc, &kc, 1, sc, on_msg,
					       &gc, why, sizeof(why)), 0);
		m.recipient = bvw_node_id("gw");
		assert_int_equal(bvd_peer_send(&c, &m), 0);
		drain(&g);
		assert_int_equal(gg.n, 1);
		assert_int_equal(gg.m[0].recipient_key,
				 step == 0 ? kg.id : fresh.id);
		assert_int_equal(bvd_peer_reply(&g, &gg.m[0], &r), 0);
		drain(&c);
		assert_int_equal(gc.n, 1);
		assert_int_equal(gc.m[0].type, BVW_PONG);
		assert_int_equal(gc.m[0].sender_key,
				 step == 0 ? kg.id : fresh.id);
		bvd_peer_close(&c);
	}
	bvd_peer_close(&g);
	bvs_close(sc);
	bvs_close(sg);
}

/* at most BVD_DRAIN_MAX datagrams per call: the loop's timers run between */
static void test_bounded_drain(void **state)
{
	struct bvd_peer_io g;
	struct bvs *sg = store(dir_g);
	static struct got gg;
	uint8_t buf[BVW_MAX_DGRAM];
	size_t n;

	(void)state;
	memset(&gg, 0, sizeof(gg));
	open_io(&g, "gw", PORT_G, false, &kg, sg, &gg);
	for (int i = 0; i < 100; i++) {
		/* above every seq the earlier tests left in gw's store */
		n = craft(&kc, "coord", &kg, BVW_PING, 4000000000000000000ull +
			  (uint64_t)i, buf);
		inject(buf, n, PORT_G);
	}
	usleep(20000);
	bvd_peer_readable(g.fd, 0, &g);
	assert_int_equal(gg.n, BVD_DRAIN_MAX);
	assert_int_equal(g.capped, 1);
	bvd_peer_readable(g.fd, 0, &g);
	assert_int_equal(gg.n, 100);
	assert_int_equal(g.capped, 1);
	bvd_peer_close(&g);
	bvs_close(sg);
}

/*
 * Reload: the table built anew from a new configuration (a peer removed,
 * then added back), each kept peer's count kept, the socket and the seq
 * untouched; a configuration the table cannot take (a section naming this
 * node without its key) leaves the old table as it was.
 */
static void test_rebuild(void **state)
{
	struct bvd_peer_io c;
	struct bvd_config cfg;
	struct bvd_peer_conf bad[2];
	struct got gc = { 0 };
	struct bvs *sc = store(dir_c);
	const struct bvd_peer *p;
	char why[256] = "";
	uint64_t seq;
	int fd;

	(void)state;
	open_io(&c, "coord", PORT_C, true, &kc, sc, &gc);
	fd = c.fd;
	assert_non_null(bvd_peer_find(&c, bvw_node_id("m")));
	((struct bvd_peer *)bvd_peer_find(&c, bvw_node_id("gw")))->received = 5;
	seq = c.seq;

	config(&cfg, "coord", PORT_C, true);
	cfg.n_peers = 1;	/* m removed */
	assert_int_equal(bvd_peer_rebuild(&c, &cfg, why, sizeof(why)), 0);
	assert_null(bvd_peer_find(&c, bvw_node_id("m")));
	p = bvd_peer_find(&c, bvw_node_id("gw"));
	assert_non_null(p);
	assert_int_equal(p->received, 5);
	assert_non_null(bvd_peer_find(&c, bvw_node_id("coord")));	/* itself */
	assert_int_equal(c.fd, fd);
	assert_true(c.seq == seq);

	/* [member:coord] naming this node with another node's key: refused */
	bad[0] = peer_conf("gw", PORT_G, &kg, true);
	bad[1] = peer_conf("coord", PORT_M, &km, false);
	cfg.peers = bad;
	cfg.n_peers = 2;
	assert_int_not_equal(bvd_peer_rebuild(&c, &cfg, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "is this node"));
	assert_int_equal(c.n_peers, 2);	/* coord and gw, as before */
	assert_non_null(bvd_peer_find(&c, bvw_node_id("gw")));

	config(&cfg, "coord", PORT_C, true);	/* m back */
	assert_int_equal(bvd_peer_rebuild(&c, &cfg, why, sizeof(why)), 0);
	assert_non_null(bvd_peer_find(&c, bvw_node_id("m")));
	assert_int_equal(c.n_peers, 3);
	bvd_peer_close(&c);
	bvs_close(sc);
}

/*
 * A batch: requests prepared (seq taken, MACed) and sent by one flush
 * reach their peers whole and in order, the member's too; a reply cannot
 * be batched, nor a datagram to a node nobody configured, nor more than
 * the batch holds. Fails if a batched datagram differs from a lone one
 * (the receiver would drop it) or if the flush loses any.
 */
static void test_batch(void **state)
{
	struct bvd_peer_io c, g;
	struct bvs *sc = store(dir_c), *sg = store(dir_g);
	static struct got gc, gg;
	struct bvd_peer_batch b;
	struct bvw_msg m = { .type = BVW_ADVANCE, .role = BVW_ROLE_GATEWAY };
	struct bvw_msg r = { .type = BVW_ADVANCE_ACK, .epoch = 1, .now = 1 };

	(void)state;
	memset(&gc, 0, sizeof(gc));
	memset(&gg, 0, sizeof(gg));
	open_io(&c, "coord", PORT_C, true, &kc, sc, &gc);
	open_io(&g, "gw", PORT_G, false, &kg, sg, &gg);
	/* above every seq the earlier tests left in gw's store */
	c.seq = 5000000000000000000ull;
	assert_int_equal(bvd_peer_batch_init(&b, 3), 0);
	for (uint32_t e = 10; e < 13; e++) {
		m.epoch = e;
		m.recipient = bvw_node_id("gw");
		assert_int_equal(bvd_peer_prepare(&c, &b, &m), 0);
	}
	assert_int_equal(b.n, 3);
	m.recipient = bvw_node_id("gw");
	assert_int_equal(bvd_peer_prepare(&c, &b, &m), -ENOSPC);
	m.recipient = bvw_node_id("nobody");
	assert_int_equal(bvd_peer_prepare(&c, &b, &m), -ENOENT);
	r.recipient = bvw_node_id("gw");
	assert_int_equal(bvd_peer_prepare(&c, &b, &r), -EMSGSIZE);
	assert_int_equal(c.sent, 0);		/* nothing left yet */
	assert_int_equal(bvd_peer_flush(&c, &b), 3);
	assert_int_equal(b.n, 0);
	assert_int_equal(c.sent, 3);
	drain(&g);
	assert_int_equal(gg.n, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(gg.m[i].type, BVW_ADVANCE);
		assert_int_equal(gg.m[i].epoch, 10 + i);
		assert_string_equal(gg.from[i]->name, "coord");
	}
	assert_true(gg.m[1].seq == gg.m[0].seq + 1);
	assert_int_equal(bvd_peer_flush(&c, &b), 0);	/* empty: nothing */
	bvd_peer_batch_free(&b);
	bvd_peer_close(&c);
	bvd_peer_close(&g);
	bvs_close(sc);
	bvs_close(sg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_reply),
		cmocka_unit_test(test_authority),
		cmocka_unit_test(test_module_acks),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_bounded_drain),
		cmocka_unit_test(test_rebuild),
		cmocka_unit_test(test_batch),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
