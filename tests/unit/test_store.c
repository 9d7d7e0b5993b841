// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * beaverd's SQLite store (beaverd/store.c), in a temporary directory:
 * epochs strictly increase across close and reopen and skip 0 on
 * wraparound; the snapshot life cycle; accept is all or nothing; recovery
 * marks interrupted snapshots failed; and a process that dies inside a
 * transaction (at a fault-injection point, or SIGKILLed at a random
 * instant) never leaves a half-written snapshot that looks accepted.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store.h"

/* store.c with -DBVS_FAULT_INJECTION */
extern void (*bvs_fault_hook)(const char *where);

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/bvstoreXXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	bvs_fault_hook = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct bvs *open_store(bool durable)
{
	struct bvs *s = NULL;
	char why[256];
	int rc = bvs_open(dir, durable, &s, why, sizeof(why));

	if (rc) {
		print_error("bvs_open: %d: %s\n", rc, why);
		fail();
	}
	return s;
}

static uint32_t next(struct bvs *s, uint32_t first)
{
	uint32_t e = 0;

	assert_int_equal(bvs_next_epoch(s, first, &e), 0);
	return e;
}

static void test_open_creates(void **state)
{
	char path[128];
	struct stat st;
	struct bvs *s;
	sqlite3 *db;
	sqlite3_stmt *x;

	(void)state;
	snprintf(path, sizeof(path), "%s/sub", dir);
	strcat(dir, "/sub");	/* a missing state directory is created */
	s = open_store(true);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(path, sizeof(path), "%s/beaverd.db", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	bvs_close(s);
	dir[strlen(dir) - 4] = '\0';

	/* WAL, the schema version, our application id */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &x,
					    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(x), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(x, 0), "wal");
	sqlite3_finalize(x);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &x,
					    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(x), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(x, 0), 8);
	sqlite3_finalize(x);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA application_id", -1,
					    &x, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(x), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(x, 0), 0x42565231);
	sqlite3_finalize(x);
	sqlite3_close(db);
}

static void test_open_refuses(void **state)
{
	char path[128], why[256];
	struct bvs *s, *s2 = (struct bvs *)1;
	sqlite3 *db;

	(void)state;
	/* one beaverd per state directory */
	s = open_store(true);
	assert_int_equal(bvs_open(dir, true, &s2, why, sizeof(why)), -EBUSY);
	assert_null(s2);
	assert_non_null(strstr(why, "in use by another beaverd"));
	bvs_close(s);

	/* a database of a newer schema */
	snprintf(path, sizeof(path), "%s/beaverd.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 9", NULL, NULL,
				      NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(bvs_open(dir, true, &s, why, sizeof(why)),
			 -EPROTONOSUPPORT);
	assert_non_null(strstr(why, "schema version 9"));

	/* somebody else's database */
	unlink(path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA application_id = 7", NULL,
				      NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(bvs_open(dir, true, &s, why, sizeof(why)), -EUCLEAN);
	assert_non_null(strstr(why, "not a beaverd database"));

	/* not a database at all */
	unlink(path);
	FILE *f = fopen(path, "w");

	fputs("this is not an SQLite file, it is long enough to have a "
	      "header, and then some more text to be sure of it.\n", f);
	fclose(f);
	assert_true(bvs_open(dir, true, &s, why, sizeof(why)) < 0);
	assert_true(strlen(why) > 0);

	assert_int_equal(bvs_open("/proc/nonexistent/x", true, &s, why,
				  sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "state directory"));
	assert_int_equal(bvs_open(NULL, true, &s, why, sizeof(why)), -EINVAL);
}

/* the tables of schema 1, as the first beaverd made them */
#define SCHEMA_V1 \
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value);" \
	"CREATE TABLE snapshots(id INTEGER PRIMARY KEY AUTOINCREMENT," \
	" state TEXT NOT NULL CHECK(state IN ('pending', 'collecting'," \
	"  'accepted', 'rejected', 'failed')), reason TEXT," \
	" created_ns INTEGER NOT NULL, finished_ns INTEGER NOT NULL" \
	" DEFAULT 0, epoch INTEGER NOT NULL DEFAULT 0, tau_min_ns" \
	" INTEGER NOT NULL, bound_ns INTEGER NOT NULL DEFAULT 0," \
	" attempts INTEGER NOT NULL DEFAULT 0, report TEXT," \
	" CHECK(state <> 'accepted' OR (report IS NOT NULL AND" \
	" epoch <> 0)));" \
	"CREATE TABLE attempts(snapshot_id INTEGER NOT NULL REFERENCES" \
	" snapshots(id), n INTEGER NOT NULL, epoch INTEGER NOT NULL," \
	" t0_ns INTEGER NOT NULL, t1_ns INTEGER NOT NULL, verdict TEXT" \
	" NOT NULL, reason TEXT, PRIMARY KEY(snapshot_id, n));" \
	"CREATE TABLE member_records(snapshot_id INTEGER NOT NULL" \
	" REFERENCES snapshots(id), node TEXT NOT NULL, epoch INTEGER" \
	" NOT NULL, record TEXT NOT NULL, PRIMARY KEY(snapshot_id, node));" \
	"CREATE TABLE local_records(epoch INTEGER PRIMARY KEY, record" \
	" TEXT NOT NULL, collected INTEGER NOT NULL DEFAULT 0);"

/*
 * A database of schema 1 (an earlier beaverd's) is upgraded in place when
 * opened: its snapshots and attempts stay, old attempts read back without
 * acknowledgements, new ones keep theirs.
 */
static void test_upgrade_from_v1(void **state)
{
	static const char v1[] =
		SCHEMA_V1
		"INSERT INTO snapshots(state, created_ns, tau_min_ns)"
		" VALUES('pending', 1, 5);"
		"INSERT INTO attempts VALUES(1, 1, 7, 10, 20, 'rejected', 'x');"
		"PRAGMA user_version = 1; PRAGMA application_id = 1112953393;";
	struct bvs_attempt a = { .epoch = 8, .t0_ns = 30, .t1_ns = 31,
				 .verdict = "accepted", .acks = "[]" };
	struct bvs_attempt at[4];
	char path[128];
	struct bvs *s;
	sqlite3 *db;

	(void)state;
	snprintf(path, sizeof(path), "%s/beaverd.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, v1, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	s = open_store(true);
	assert_int_equal(bvs_attempt_add(s, 1, &a), 0);
	assert_int_equal(bvs_attempts_get(s, 1, at, 4), 2);
	assert_int_equal(at[0].epoch, 7);
	assert_string_equal(at[0].verdict, "rejected");
	assert_null(at[0].acks);
	assert_int_equal(at[1].epoch, 8);
	assert_string_equal(at[1].acks, "[]");
	bvs_attempts_free(at, 2);
	bvs_close(s);

	/* and it stays at the current version when opened again */
	s = open_store(true);
	assert_int_equal(bvs_attempts_get(s, 1, at, 4), 2);
	bvs_attempts_free(at, 2);
	bvs_close(s);
}

static unsigned int amend_calls;
static int text_amend(char **report, const struct bvs_late *l, void *data);
static int64_t count_rows(const char *sql);

/* appends "+" and the entry's peer address, as read from the store */
static int peer_amend(char **report, const struct bvs_late *l, void *data)
{
	char a[BV_IP_STRLEN], *t = NULL;

	(void)data;
	assert_true(asprintf(&t, "%s+%s", *report,
			     bv_ip_ntop(&l->peer, a)) > 0);
	free(*report);
	*report = t;
	return 0;
}

/*
 * A database of schema 4 (the previous beaverd's: late_entries.peer an
 * IPv4 INTEGER in host order) opens as schema 5 and keeps its data: the
 * late entries stay, each peer now the 16 bytes of ::ffff:a.b.c.d, so the
 * same entry reported again (now with a struct bv_ip peer) is recognised
 * as stored and changes nothing, while the stored one still amends a
 * snapshot accepted later. An IPv6 peer is then stored beside it. Fails
 * if the migration drops rows, converts the address wrongly (byte order),
 * or leaves the INTEGER column in place.
 */
static void test_upgrade_from_v4(void **state)
{
	static const char v4[] =
		SCHEMA_V1
		"ALTER TABLE attempts ADD COLUMN acks TEXT;"
		"CREATE TABLE replay(sender INTEGER PRIMARY KEY, top INTEGER"
		" NOT NULL);"
		"CREATE TABLE late_entries(node TEXT NOT NULL, kind INTEGER NOT"
		" NULL, peer INTEGER NOT NULL, first INTEGER NOT NULL, last"
		" INTEGER NOT NULL, arrived INTEGER NOT NULL, pkts INTEGER NOT"
		" NULL, bytes INTEGER NOT NULL, snapshot_id INTEGER NOT NULL"
		" REFERENCES snapshots(id), PRIMARY KEY(node, kind, peer, first,"
		" last, arrived));"
		"CREATE INDEX late_entries_snapshot ON late_entries(snapshot_id);"
		"CREATE INDEX late_entries_last ON late_entries(last);"
		"CREATE INDEX late_entries_wrap ON late_entries(first)"
		" WHERE first > last;"
		"CREATE INDEX snapshots_epoch ON snapshots(epoch);"
		"INSERT INTO snapshots(state, created_ns, tau_min_ns, epoch,"
		" report) VALUES('accepted', 1, 5, 11, 'r11+b:2');"
		"INSERT INTO member_records VALUES(1, 'a', 11, '{}');"
		"INSERT INTO replay VALUES(77, 1234);"
		/* b's channel from 10.0.1.11 (0x0a00010b), late for 11..13 */
		"INSERT INTO late_entries VALUES('b', 1, 167772427, 11, 13, 13,"
		" 2, 200, 1);"
		"PRAGMA user_version = 4; PRAGMA application_id = 1112953393;";
	struct bvs_late again = {
		.node = "b", .kind = 1, .peer = bv_ip4(htonl(0x0a00010b)),
		.first = 11, .last = 13, .arrived = 13, .pkts = 2,
	};
	struct bvs_late six = {
		.node = "b", .kind = 1, .first = 12, .last = 12,
		.arrived = 13, .pkts = 3,
	};
	const char *nodes[] = { "a" };
	const char *records[] = { "{}" };
	struct bvs_snapshot snap;
	char path[128], *t;
	int64_t id12, id13;
	struct bvs *s;
	sqlite3 *db;

	(void)state;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::b", &six.peer.a), 1);
	snprintf(path, sizeof(path), "%s/beaverd.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, v4, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	s = open_store(true);
	/* the data stayed */
	assert_int_equal(bvs_snapshot_get(s, 1, &snap), 0);
	assert_int_equal(snap.state, BVS_ACCEPTED);
	assert_int_equal(snap.epoch, 11);
	t = bvs_report_get(s, 1);
	assert_string_equal(t, "r11+b:2");
	free(t);
	assert_int_equal(count_rows("PRAGMA user_version"), 8);
	assert_int_equal(count_rows("SELECT count(*) FROM late_entries"), 1);
	assert_int_equal(count_rows("SELECT count(*) FROM replay"), 1);
	assert_int_equal(count_rows("SELECT count(*) FROM late_entries WHERE "
				    "peer = x'00000000000000000000ffff0a00010b'"
				    " AND pkts = 2 AND bytes = 200"), 1);
	assert_int_equal(count_rows("SELECT count(*) FROM "
				    "pragma_index_list('late_entries')"), 4);

	/*
	 * 12 accepted with the stored entry reported again and an IPv6 one:
	 * the IPv4 entry is known (12 takes it from the store, once), the
	 * IPv6 one new
	 */
	assert_int_equal(bvs_snapshot_new(s, 1, &id12), 0);
	assert_int_equal(bvs_snapshot_accept_late(s, id12, 12, 1, 1, nodes,
						  records, "r12",
						  (struct bvs_late[]){ again,
								       six },
						  2, text_amend, &amend_calls,
						  NULL), 0);
	t = bvs_report_get(s, id12);
	assert_string_equal(t, "r12+b:2+b:3");
	free(t);
	t = bvs_report_get(s, 1);
	assert_string_equal(t, "r11+b:2");	/* not amended twice */
	free(t);
	assert_int_equal(count_rows("SELECT count(*) FROM late_entries"), 2);
	assert_int_equal(count_rows("SELECT count(*) FROM late_entries WHERE "
				    "peer = x'20010db80000000000000000000000"
				    "0b'"), 1);
	bvs_close(s);

	/* read back after a reopen: 13 takes the IPv4 entry, peer intact */
	s = open_store(true);
	assert_int_equal(bvs_snapshot_new(s, 1, &id13), 0);
	assert_int_equal(bvs_snapshot_accept_late(s, id13, 13, 1, 1, nodes,
						  records, "r13", NULL, 0,
						  peer_amend, NULL, NULL), 0);
	t = bvs_report_get(s, id13);
	assert_string_equal(t, "r13+10.0.1.11");
	free(t);
	bvs_close(s);
}

static void replay_cb(uint32_t sender, uint64_t top, void *data)
{
	uint64_t *tops = data;

	assert_true(sender < 4);
	tops[sender] = top;
}

/*
 * The control plane's replay state outlives the process: the seq floor,
 * and each sender's newest seq (a save never lowers a stored top)
 */
static void test_replay_state(void **state)
{
	const uint32_t senders[] = { 1, 2 };
	const uint64_t tops[] = { 1800000000000000000ull, 5 };
	const uint64_t lower[] = { 1700000000000000000ull, 6 };
	uint64_t got[4] = { 0 }, floor = 1;
	struct bvs *s;

	(void)state;
	s = open_store(false);
	assert_int_equal(bvs_seq_floor_get(s, &floor), 0);
	assert_true(floor == 0);
	assert_int_equal(bvs_seq_floor_set(s, 1900000000000000000ull), 0);
	assert_int_equal(bvs_replay_save(s, senders, tops, 2), 0);
	assert_int_equal(bvs_replay_save(s, senders, lower, 2), 0);
	bvs_close(s);

	s = open_store(false);
	assert_int_equal(bvs_seq_floor_get(s, &floor), 0);
	assert_true(floor == 1900000000000000000ull);
	assert_int_equal(bvs_replay_load(s, replay_cb, got), 0);
	assert_true(got[1] == tops[0]);	/* not lowered */
	assert_true(got[2] == 6);		/* raised */
	assert_true(got[0] == 0 && got[3] == 0);
	assert_int_equal(bvs_replay_save(s, NULL, NULL, 0), 0);
	assert_int_equal(bvs_replay_save(s, NULL, tops, 1), -EINVAL);
	bvs_close(s);
}

static void test_epochs_increase_across_reopen(void **state)
{
	struct bvs *s;
	uint32_t last = 0, e;

	(void)state;
	s = open_store(true);
	assert_int_equal(next(s, 5), 5);
	assert_int_equal(next(s, 5), 6);
	assert_int_equal(next(s, 999), 7);	/* first is used only once */
	bvs_close(s);
	for (int round = 0; round < 5; round++) {
		/* members' stores (not durable) never reuse one either */
		s = open_store(round % 2);
		for (int i = 0; i < 10; i++) {
			e = next(s, 1);
			assert_true(e > 7 && e > last);
			last = e;
		}
		bvs_close(s);
	}
	assert_int_equal(last, 57);
}

static void test_epoch_first_zero_and_wrap(void **state)
{
	struct bvs *s;

	(void)state;
	s = open_store(true);
	assert_int_equal(next(s, 0), 1);	/* 0 is never an epoch */
	bvs_close(s);
	teardown(state);
	setup(state);

	s = open_store(true);
	assert_int_equal(next(s, 0xfffffffe), 0xfffffffe);
	assert_int_equal(next(s, 1), 0xffffffff);
	bvs_close(s);
	/* the wrap survives a restart too */
	s = open_store(true);
	assert_int_equal(next(s, 1), 1);
	assert_int_equal(next(s, 1), 2);
	bvs_close(s);

	teardown(state);
	setup(state);
	s = open_store(false);
	assert_int_equal(next(s, 0xffffffff), 0xffffffff);
	assert_int_equal(next(s, 0xffffffff), 1);
	assert_int_equal(bvs_next_epoch(s, 1, NULL), -EINVAL);
	bvs_close(s);
}

/*
 * A gateway reported an epoch some other coordinator gave out: the next
 * one allocated here is newer, durably; a lower report changes nothing;
 * across the wrap 0 is skipped. Fails if a restored coordinator could
 * give out an epoch the gateways already hold.
 */
static void test_epoch_raise(void **state)
{
	struct bvs *s;

	(void)state;
	s = open_store(true);
	assert_int_equal(bvs_epoch_raise(s, 100), 0);	/* nothing yet */
	assert_int_equal(next(s, 1), 101);
	assert_int_equal(bvs_epoch_raise(s, 50), 0);	/* behind: no-op */
	assert_int_equal(next(s, 1), 102);
	assert_int_equal(bvs_epoch_raise(s, 5000), 0);
	bvs_close(s);
	s = open_store(true);				/* durable */
	assert_int_equal(next(s, 1), 5001);
	/* an epoch half the circle behind is older, not newer */
	assert_int_equal(bvs_epoch_raise(s, 0xffffffff), 0);
	assert_int_equal(next(s, 1), 5002);
	assert_int_equal(bvs_epoch_raise(s, 0x80000000u), 0);
	assert_int_equal(next(s, 1), 0x80000001u);
	assert_int_equal(bvs_epoch_raise(s, 0xffffffff), 0);
	assert_int_equal(next(s, 1), 1);		/* 0 skipped */
	assert_int_equal(bvs_epoch_raise(s, 0), -EINVAL);
	bvs_close(s);
}

static void test_snapshot_lifecycle(void **state)
{
	struct bvs_attempt a1 = { .n = 1, .epoch = 10, .t0_ns = 1000,
				  .t1_ns = 91000, .verdict = "rejected",
				  .reason = "bound 90000 ns >= tau_min" };
	struct bvs_attempt a2 = { .n = 0, .epoch = 11, .t0_ns = 2000,
				  .t1_ns = 7000, .verdict = "accepted",
				  .acks = "[{\"node\":\"gw1\"}]" };
	const char *nodes[] = { "m2", "m1", "m3" };
	const char *records[] = { "{\"node\":\"m2\"}", "{\"node\":\"m1\"}",
				  "{\"node\":\"m3\"}" };
	struct bvs_snapshot snap, list[8];
	struct bvs_attempt at[4];
	struct bvs *s;
	int64_t id, id2, id3;
	char **names;
	size_t n;
	char *t;

	(void)state;
	s = open_store(true);
	assert_int_equal(bvs_snapshot_new(s, 50000, &id), 0);
	assert_int_equal(bvs_snapshot_get(s, id, &snap), 0);
	assert_int_equal(snap.id, id);
	assert_int_equal(snap.state, BVS_PENDING);
	assert_true(snap.created_ns > 1600000000ull * 1000000000ull);
	assert_int_equal(snap.finished_ns, 0);
	assert_int_equal(snap.epoch, 0);
	assert_int_equal(snap.tau_min_ns, 50000);
	assert_int_equal(snap.n_attempts, 0);
	assert_null(bvs_report_get(s, id));

	assert_int_equal(bvs_attempt_add(s, id, &a1), 0);
	assert_int_equal(bvs_attempt_add(s, id, &a1), -EEXIST);	/* n twice */
	assert_int_equal(bvs_attempt_add(s, id, &a2), 0);	/* n = 2 */
	assert_int_equal(bvs_snapshot_get(s, id, &snap), 0);
	assert_int_equal(snap.n_attempts, 2);
	assert_int_equal(snap.bound_ns, 5000);
	assert_int_equal(bvs_attempts_get(s, id, at, 4), 2);
	assert_int_equal(at[0].n, 1);
	assert_int_equal(at[0].epoch, 10);
	assert_int_equal(at[0].t1_ns, 91000);
	assert_string_equal(at[0].verdict, "rejected");
	assert_string_equal(at[0].reason, "bound 90000 ns >= tau_min");
	assert_int_equal(at[1].n, 2);
	assert_int_equal(at[1].epoch, 11);
	assert_string_equal(at[1].reason, "");
	/* the acknowledgements come back as stored; none stored: NULL */
	assert_null(at[0].acks);
	assert_string_equal(at[1].acks, "[{\"node\":\"gw1\"}]");
	bvs_attempts_free(at, 2);
	assert_null(at[1].acks);
	assert_int_equal(bvs_attempts_get(s, id, at, 1), 1);
	bvs_attempts_free(at, 1);

	assert_int_equal(bvs_snapshot_set_state(s, id, BVS_COLLECTING, NULL), 0);
	assert_int_equal(bvs_snapshot_get(s, id, &snap), 0);
	assert_int_equal(snap.state, BVS_COLLECTING);
	/* accepted only through accept */
	assert_int_equal(bvs_snapshot_set_state(s, id, BVS_ACCEPTED, NULL),
			 -EINVAL);
	assert_int_equal(bvs_snapshot_accept(s, id, 11, 5000, 3, nodes, records,
					     "{\"verdict\":\"ok\"}"), 0);
	assert_int_equal(bvs_snapshot_get(s, id, &snap), 0);
	assert_int_equal(snap.state, BVS_ACCEPTED);
	assert_int_equal(snap.epoch, 11);
	assert_int_equal(snap.bound_ns, 5000);
	assert_true(snap.finished_ns >= snap.created_ns);
	assert_string_equal(snap.reason, "");
	t = bvs_report_get(s, id);
	assert_string_equal(t, "{\"verdict\":\"ok\"}");
	free(t);
	t = bvs_member_record_get(s, id, "m3");
	assert_string_equal(t, "{\"node\":\"m3\"}");
	free(t);
	assert_null(bvs_member_record_get(s, id, "m9"));
	assert_int_equal(bvs_member_nodes(s, id, &names, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "m1");
	assert_string_equal(names[1], "m2");
	assert_string_equal(names[2], "m3");
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);

	/* final is final */
	assert_int_equal(bvs_snapshot_set_state(s, id, BVS_FAILED, "x"),
			 -EINVAL);
	assert_non_null(strstr(bvs_errmsg(s), "already accepted"));
	assert_int_equal(bvs_snapshot_accept(s, id, 11, 1, 0, NULL, NULL, "{}"),
			 -EINVAL);
	assert_int_equal(bvs_attempt_add(s, id, &a1), -EINVAL);

	/* rejected and failed, with their reasons */
	assert_int_equal(bvs_snapshot_new(s, 50000, &id2), 0);
	assert_int_equal(bvs_snapshot_set_state(s, id2, BVS_REJECTED,
						"every attempt over tau_min"),
			 0);
	assert_int_equal(bvs_snapshot_get(s, id2, &snap), 0);
	assert_int_equal(snap.state, BVS_REJECTED);
	assert_string_equal(snap.reason, "every attempt over tau_min");
	assert_true(snap.finished_ns > 0);
	assert_int_equal(bvs_snapshot_new(s, 1, &id3), 0);
	assert_int_equal(bvs_snapshot_set_state(s, id3, BVS_FAILED,
						"gateway gw2 did not answer"), 0);
	assert_int_equal(bvs_member_nodes(s, id3, &names, &n), 0);
	assert_int_equal(n, 0);
	assert_null(names);

	/* newest first, paged */
	assert_int_equal(bvs_snapshot_list(s, list, 8, 0), 3);
	assert_int_equal(list[0].id, id3);
	assert_int_equal(list[1].id, id2);
	assert_int_equal(list[2].id, id);
	assert_int_equal(list[2].state, BVS_ACCEPTED);
	assert_int_equal(bvs_snapshot_list(s, list, 1, 0), 1);
	assert_int_equal(list[0].id, id3);
	assert_int_equal(bvs_snapshot_list(s, list, 8, id3), 2);
	assert_int_equal(list[0].id, id2);
	assert_int_equal(bvs_snapshot_list(s, list, 8, id), 0);

	/* not found */
	assert_int_equal(bvs_snapshot_get(s, 999, &snap), -ENOENT);
	assert_non_null(strstr(bvs_errmsg(s), "no snapshot 999"));
	assert_int_equal(bvs_snapshot_set_state(s, 999, BVS_FAILED, NULL),
			 -ENOENT);
	assert_int_equal(bvs_attempt_add(s, 999, &a1), -ENOENT);
	assert_int_equal(bvs_attempts_get(s, 999, at, 4), -ENOENT);
	assert_int_equal(bvs_member_nodes(s, 999, &names, &n), -ENOENT);
	assert_int_equal(bvs_snapshot_accept(s, 999, 1, 1, 0, NULL, NULL, "{}"),
			 -ENOENT);
	assert_null(bvs_report_get(s, 999));
	bvs_close(s);

	/* all of it survives a reopen */
	s = open_store(false);
	assert_int_equal(bvs_snapshot_get(s, id, &snap), 0);
	assert_int_equal(snap.state, BVS_ACCEPTED);
	t = bvs_member_record_get(s, id, "m1");
	assert_string_equal(t, "{\"node\":\"m1\"}");
	free(t);
	bvs_close(s);
}

/* a failing accept stores nothing: no record, no report, still pending */
static void test_accept_all_or_nothing(void **state)
{
	const char *nodes[] = { "m1", "m2", "m1" };
	const char *records[] = { "{}", "{}", "{}" };
	const char *bad[] = { "{}", NULL, "{}" };
	struct bvs_snapshot snap;
	struct bvs *s;
	int64_t id;
	char **names;
	size_t n;

	(void)state;
	s = open_store(true);
	assert_int_equal(bvs_snapshot_new(s, 1, &id), 0);
	assert_int_equal(bvs_snapshot_accept(s, id, 3, 1, 3, nodes, records,
					     "{}"), -EEXIST);
	assert_non_null(strstr(bvs_errmsg(s), "two records for node m1"));
	assert_int_equal(bvs_snapshot_get(s, id, &snap), 0);
	assert_int_equal(snap.state, BVS_PENDING);
	assert_int_equal(snap.epoch, 0);
	assert_null(bvs_report_get(s, id));
	assert_int_equal(bvs_member_nodes(s, id, &names, &n), 0);
	assert_int_equal(n, 0);

	assert_int_equal(bvs_snapshot_accept(s, id, 3, 1, 3, nodes, bad, "{}"),
			 -EINVAL);
	assert_int_equal(bvs_snapshot_accept(s, id, 0, 1, 2, nodes, records,
					     "{}"), -EINVAL);
	assert_int_equal(bvs_snapshot_accept(s, id, 3, 1, 2, nodes, records,
					     NULL), -EINVAL);
	/* the store is still usable, and the right accept works */
	assert_int_equal(bvs_snapshot_accept(s, id, 3, 1, 2, nodes, records,
					     "{}"), 0);
	assert_int_equal(bvs_member_nodes(s, id, &names, &n), 0);
	assert_int_equal(n, 2);
	free(names[0]);
	free(names[1]);
	free(names);
	bvs_close(s);
}

static void test_recover(void **state)
{
	const char *nodes[] = { "m1" };
	const char *records[] = { "{}" };
	struct bvs_snapshot snap;
	struct bvs *s;
	int64_t pend, coll, acc, rej;

	(void)state;
	s = open_store(true);
	assert_int_equal(bvs_snapshot_new(s, 1, &pend), 0);
	assert_int_equal(bvs_snapshot_new(s, 1, &coll), 0);
	assert_int_equal(bvs_snapshot_set_state(s, coll, BVS_COLLECTING, NULL),
			 0);
	assert_int_equal(bvs_snapshot_new(s, 1, &acc), 0);
	assert_int_equal(bvs_snapshot_accept(s, acc, 4, 1, 1, nodes, records,
					     "{}"), 0);
	assert_int_equal(bvs_snapshot_new(s, 1, &rej), 0);
	assert_int_equal(bvs_snapshot_set_state(s, rej, BVS_REJECTED, "r"), 0);
	bvs_close(s);

	s = open_store(true);
	assert_int_equal(bvs_recover(s), 2);
	assert_int_equal(bvs_recover(s), 0);
	assert_int_equal(bvs_snapshot_get(s, pend, &snap), 0);
	assert_int_equal(snap.state, BVS_FAILED);
	assert_string_equal(snap.reason, "coordinator restarted");
	assert_true(snap.finished_ns > 0);
	assert_int_equal(bvs_snapshot_get(s, coll, &snap), 0);
	assert_int_equal(snap.state, BVS_FAILED);
	assert_string_equal(snap.reason, "coordinator restarted");
	assert_int_equal(bvs_snapshot_get(s, acc, &snap), 0);
	assert_int_equal(snap.state, BVS_ACCEPTED);
	assert_int_equal(bvs_snapshot_get(s, rej, &snap), 0);
	assert_int_equal(snap.state, BVS_REJECTED);
	assert_string_equal(snap.reason, "r");
	bvs_close(s);
}

/*
 * Retention: the newest `keep` stay, and those newer than the cut-off;
 * running snapshots stay whatever their age; attempts and member records
 * go with their snapshot; the numbers never come back.
 */
static void test_prune(void **state)
{
	const char *nodes[] = { "m1" };
	const char *records[] = { "{\"r\":1}" };
	struct bvs_attempt a = { .epoch = 1, .verdict = "accepted" };
	struct bvs_snapshot snap;
	struct bvs *s;
	int64_t id[6], next;
	uint64_t n = 99;
	char *text;

	(void)state;
	s = open_store(false);
	/* 1..5 accepted, 6 running */
	for (int i = 0; i < 6; i++) {
		assert_int_equal(bvs_snapshot_new(s, 1, &id[i]), 0);
		a.epoch = (uint32_t)i + 1;
		assert_int_equal(bvs_attempt_add(s, id[i], &a), 0);
		if (i < 5)
			assert_int_equal(bvs_snapshot_accept(s, id[i], a.epoch, 1,
							     1, nodes, records,
							     "{}"), 0);
	}
	assert_int_equal(bvs_prune(s, 0, 0, &n), 0);
	assert_int_equal(n, 0);
	/* the newest 3 stay (4, 5 and the running 6): 1, 2, 3 go */
	assert_int_equal(bvs_prune(s, 3, 0, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(bvs_snapshot_get(s, id[0], &snap), -ENOENT);
	assert_int_equal(bvs_snapshot_get(s, id[2], &snap), -ENOENT);
	assert_null(bvs_member_record_get(s, id[2], "m1"));
	assert_int_equal(bvs_attempts_get(s, id[2], &a, 1), -ENOENT);
	text = bvs_member_record_get(s, id[3], "m1");
	assert_non_null(text);
	free(text);
	/* everything created before now: the finished ones go, 6 stays */
	assert_int_equal(bvs_prune(s, 0, UINT64_C(1) << 62, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(bvs_snapshot_get(s, id[5], &snap), 0);
	assert_int_equal(snap.state, BVS_PENDING);
	/* ids are not reused */
	assert_int_equal(bvs_snapshot_new(s, 1, &next), 0);
	assert_true(next > id[5]);
	assert_int_equal(bvs_prune(s, 0, UINT64_MAX, &n), -EINVAL);
	bvs_close(s);
}

/* ---- late entries ---- */

static bool amend_oom;		/* the callback runs out of memory */

/*
 * A report here is plain text; amending appends "+node:pkts", so the text
 * tells exactly which entries a report took, in which order. Node "skip"
 * is an entry the callback cannot apply (left out).
 */
static int text_amend(char **report, const struct bvs_late *l, void *data)
{
	char *t = NULL;

	assert_ptr_equal(data, &amend_calls);
	amend_calls++;
	if (amend_oom)
		return -ENOMEM;
	if (!strcmp(l->node, "skip"))
		return -EBADMSG;
	assert_true(asprintf(&t, "%s+%s:%llu", *report, l->node,
			     (unsigned long long)l->pkts) > 0);
	free(*report);
	*report = t;
	return 0;
}

static int64_t accepted_with(struct bvs *s, uint32_t epoch)
{
	const char *nodes[] = { "a" };
	const char *records[] = { "{}" };
	char report[16];
	int64_t id;

	snprintf(report, sizeof(report), "r%u", epoch);
	assert_int_equal(bvs_snapshot_new(s, 1, &id), 0);
	assert_int_equal(bvs_snapshot_accept(s, id, epoch, 1, 1, nodes,
					     records, report), 0);
	return id;
}

static void assert_report(struct bvs *s, int64_t id, const char *want)
{
	char *t = bvs_report_get(s, id);

	assert_non_null(t);
	assert_string_equal(t, want);
	free(t);
}

static int accept_late(struct bvs *s, int64_t id, uint32_t epoch,
		       const struct bvs_late *l, size_t n, size_t *amended)
{
	const char *nodes[] = { "a" };
	const char *records[] = { "{}" };
	char report[16];

	snprintf(report, sizeof(report), "r%u", epoch);
	return bvs_snapshot_accept_late(s, id, epoch, 1, 1, nodes, records,
					report, l, n, text_amend,
					&amend_calls, amended);
}

static int64_t count_rows(const char *sql)
{
	char path[128];
	sqlite3 *db;
	sqlite3_stmt *x;
	int64_t n;

	snprintf(path, sizeof(path), "%s/beaverd.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &x, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(x), SQLITE_ROW);
	n = sqlite3_column_int64(x, 0);
	sqlite3_finalize(x);
	sqlite3_close(db);
	return n;
}

/*
 * Late entries amend the accepted snapshots whose epoch lies in
 * first..last, exactly once: an entry reported again (by a later record,
 * or twice in one) changes nothing, the same range from another node is
 * another entry, a snapshot accepted after the entry came takes it then,
 * a range across the epoch wrap works, an entry the callback cannot
 * apply is left out of that report, running out of memory undoes the
 * whole acceptance (entry included), and retention prunes the entries
 * with the snapshot whose records brought them. Fails if the dedup key,
 * the range test or the transaction are wrong.
 */
static void test_late_entries(void **state)
{
	struct bvs_late l1[] = {
		/* b's channel from 10.0.1.11: late for 11..13 */
		{ .node = "b", .kind = 1, .peer = bv_ip4(htonl(0x0a00010b)),
		  .first = 11, .last = 13, .arrived = 13, .pkts = 2 },
		/* the same entry twice in one call */
		{ .node = "b", .kind = 1, .peer = bv_ip4(htonl(0x0a00010b)),
		  .first = 11, .last = 13, .arrived = 13, .pkts = 2 },
		{ .node = "a", .kind = 2, .first = 10, .last = 10,
		  .arrived = 12, .pkts = 1 },
	};
	struct bvs_late l2[] = {
		/* b's entry again, from a later record */
		{ .node = "b", .kind = 1, .peer = bv_ip4(htonl(0x0a00010b)),
		  .first = 11, .last = 13, .arrived = 13, .pkts = 2 },
		/* c with b's key but its own node: another entry */
		{ .node = "c", .kind = 1, .peer = bv_ip4(htonl(0x0a00010b)),
		  .first = 11, .last = 13, .arrived = 13, .pkts = 5 },
		/* a range across the wrap: 0xfffffff0..10 */
		{ .node = "w", .kind = 1, .first = 0xfffffff0u, .last = 10,
		  .arrived = 12, .pkts = 7 },
		{ .node = "skip", .kind = 1, .first = 12, .last = 12,
		  .arrived = 12, .pkts = 9 },
	};
	struct bvs_late l3[] = {
		{ .node = "d", .kind = 1, .first = 10, .last = 10,
		  .arrived = 14, .pkts = 4 },
	};
	struct bvs_snapshot snap;
	int64_t id10, id11, id12, id13, id14, id15, id16, idw;
	size_t amended = 99;
	uint64_t n;
	struct bvs *s;

	(void)state;
	s = open_store(false);
	id10 = accepted_with(s, 10);
	id11 = accepted_with(s, 11);
	id12 = accepted_with(s, 12);
	/* 13 is still collecting when the entries for it come */
	assert_int_equal(bvs_snapshot_new(s, 1, &id13), 0);
	assert_int_equal(bvs_snapshot_new(s, 1, &id14), 0);
	assert_int_equal(accept_late(s, id14, 14, l1, 3, &amended), 0);
	assert_report(s, id10, "r10+a:1");
	assert_report(s, id11, "r11+b:2");
	assert_report(s, id12, "r12+b:2");
	assert_report(s, id14, "r14");	/* not in any range */
	assert_int_equal(amended, 3);
	assert_int_equal(count_rows("SELECT count(*) FROM late_entries"), 2);

	assert_int_equal(bvs_snapshot_new(s, 1, &id15), 0);
	assert_int_equal(accept_late(s, id15, 15, l2, 4, &amended), 0);
	assert_report(s, id10, "r10+a:1+w:7");
	assert_report(s, id11, "r11+b:2+c:5");
	assert_report(s, id12, "r12+b:2+c:5");
	assert_report(s, id15, "r15");
	assert_int_equal(amended, 3);

	/* 13 accepted last: it takes b's and c's entries (not skip's) */
	assert_int_equal(accept_late(s, id13, 13, NULL, 0, &amended), 0);
	assert_report(s, id13, "r13+b:2+c:5");
	assert_int_equal(amended, 1);
	/* and w's range across the wrap, from both ends */
	assert_int_equal(bvs_snapshot_new(s, 1, &idw), 0);
	assert_int_equal(accept_late(s, idw, 0xfffffff5u, NULL, 0, NULL), 0);
	assert_report(s, idw, "r4294967285+w:7");
	assert_int_equal(bvs_snapshot_new(s, 1, &idw), 0);
	assert_int_equal(accept_late(s, idw, 5, NULL, 0, NULL), 0);
	assert_report(s, idw, "r5+w:7");
	assert_int_equal(bvs_snapshot_new(s, 1, &idw), 0);
	assert_int_equal(accept_late(s, idw, 0xffffffefu, NULL, 0, NULL), 0);
	assert_report(s, idw, "r4294967279");

	/* out of memory: nothing of it stays, a retry applies it */
	assert_int_equal(bvs_snapshot_new(s, 1, &id16), 0);
	amend_oom = true;
	assert_int_equal(accept_late(s, id16, 16, l3, 1, &amended), -ENOMEM);
	amend_oom = false;
	assert_int_equal(bvs_snapshot_get(s, id16, &snap), 0);
	assert_int_equal(snap.state, BVS_PENDING);
	assert_report(s, id10, "r10+a:1+w:7");
	assert_int_equal(count_rows("SELECT count(*) FROM late_entries "
				    "WHERE node = 'd'"), 0);
	assert_int_equal(accept_late(s, id16, 16, l3, 1, &amended), 0);
	assert_report(s, id10, "r10+a:1+w:7+d:4");

	/* an entry needs a node and a way to amend */
	l3[0].node = "";
	assert_int_equal(accept_late(s, id16, 17, l3, 1, NULL), -EINVAL);
	assert_int_equal(bvs_snapshot_accept_late(s, id16, 17, 1, 0, NULL,
						  NULL, "r", l2, 1, NULL, NULL,
						  NULL), -EINVAL);

	/* retention: 14's and 15's entries go with them, 16's stays */
	assert_int_equal(count_rows("SELECT count(*) FROM late_entries"), 6);
	assert_int_equal(bvs_prune(s, 1, 0, &n), 0);
	assert_int_equal(n, 9);
	assert_int_equal(count_rows("SELECT count(*) FROM late_entries"), 1);
	bvs_close(s);
}

/* ---- crashes ---- */

static const char *crash_at;

static void crash_hook(const char *where)
{
	if (!strcmp(where, crash_at))
		_exit(42);	/* no atexit, no flush, no close: a crash */
}

/*
 * A child opens the store and accepts snapshot id, dying at the named
 * point inside the transaction.
 */
static void crash_child_accept(int64_t id, const char *where)
{
	const char *nodes[] = { "m1", "m2", "m3" };
	const char *records[] = { "{\"r\":1}", "{\"r\":2}", "{\"r\":3}" };
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct bvs *s = NULL;

		if (bvs_open(dir, true, &s, NULL, 0))
			_exit(1);
		crash_at = where;
		bvs_fault_hook = crash_hook;
		bvs_snapshot_accept(s, id, 77, 1, 3, nodes, records,
				    "{\"report\":1}");
		_exit(2);	/* not reached if the hook fired */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 42);
}

static void test_crash_inside_accept(void **state)
{
	static const char *const points[] = { "accept-record",
					      "accept-before-commit" };
	const char *nodes[] = { "m1" };
	const char *records[] = { "{}" };
	struct bvs_snapshot snap;
	struct bvs *s;
	int64_t before, id;
	char **names;
	size_t n;
	char *t;

	(void)state;
	/* an accepted snapshot from before, which must survive */
	s = open_store(true);
	assert_int_equal(bvs_snapshot_new(s, 1, &before), 0);
	assert_int_equal(bvs_snapshot_accept(s, before, 3, 1, 1, nodes, records,
					     "{\"old\":1}"), 0);
	bvs_close(s);

	for (size_t i = 0; i < 2; i++) {
		s = open_store(true);
		assert_int_equal(bvs_snapshot_new(s, 1, &id), 0);
		assert_int_equal(bvs_snapshot_set_state(s, id, BVS_COLLECTING,
							NULL), 0);
		bvs_close(s);

		crash_child_accept(id, points[i]);

		s = open_store(true);
		assert_int_equal(bvs_snapshot_get(s, id, &snap), 0);
		assert_int_equal(snap.state, BVS_COLLECTING);
		assert_int_equal(snap.epoch, 0);
		assert_null(bvs_report_get(s, id));
		assert_int_equal(bvs_member_nodes(s, id, &names, &n), 0);
		assert_int_equal(n, 0);
		/* the restart marks it failed */
		assert_int_equal(bvs_recover(s), 1);
		assert_int_equal(bvs_snapshot_get(s, id, &snap), 0);
		assert_int_equal(snap.state, BVS_FAILED);
		assert_string_equal(snap.reason, "coordinator restarted");
		/* and what was accepted before is whole */
		assert_int_equal(bvs_snapshot_get(s, before, &snap), 0);
		assert_int_equal(snap.state, BVS_ACCEPTED);
		t = bvs_report_get(s, before);
		assert_string_equal(t, "{\"old\":1}");
		free(t);
		bvs_close(s);
	}
}

#define KILL_RECORDS 8

/* the child: snapshots, attempts and accepts as fast as it can */
static void busy_child(void)
{
	const char *nodes[KILL_RECORDS], *records[KILL_RECORDS];
	static char names[KILL_RECORDS][8], texts[KILL_RECORDS][4096];
	struct bvs *s = NULL;

	if (bvs_open(dir, true, &s, NULL, 0))
		_exit(1);
	for (int i = 0; i < KILL_RECORDS; i++) {
		snprintf(names[i], sizeof(names[i]), "m%d", i);
		memset(texts[i], 'a' + i, sizeof(texts[i]) - 1);
		texts[i][sizeof(texts[i]) - 1] = '\0';
		nodes[i] = names[i];
		records[i] = texts[i];
	}
	for (;;) {
		struct bvs_attempt a = { .verdict = "accepted" };
		int64_t id;
		uint32_t e;

		if (bvs_next_epoch(s, 1, &e) || bvs_snapshot_new(s, 1, &id))
			_exit(1);
		a.epoch = e;
		if (bvs_attempt_add(s, id, &a) ||
		    bvs_snapshot_set_state(s, id, BVS_COLLECTING, NULL) ||
		    bvs_snapshot_accept(s, id, e, 1, KILL_RECORDS, nodes,
					records, "{\"report\":true}"))
			_exit(1);
	}
}

/* SIGKILL at random instants; after each, every accepted snapshot is whole
 * and no epoch is handed out twice */
static void test_sigkill_at_random(void **state)
{
	struct bvs_snapshot *list = calloc(100000, sizeof(*list));
	uint32_t max_epoch = 0;
	unsigned int seed = (unsigned int)time(NULL);
	int accepted_total = 0;

	(void)state;
	assert_non_null(list);
	for (int round = 0; round < 8; round++) {
		pid_t pid = fork();
		struct timespec ts;
		struct bvs *s;
		int status, n, recovered;

		assert_true(pid >= 0);
		if (pid == 0)
			busy_child();
		ts.tv_sec = 0;
		ts.tv_nsec = (long)(rand_r(&seed) % 40 + 5) * 1000000L;
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status));

		s = open_store(true);
		recovered = bvs_recover(s);
		assert_true(recovered >= 0 && recovered <= 1);
		n = bvs_snapshot_list(s, list, 100000, 0);
		assert_true(n >= 0);
		accepted_total = 0;
		for (int i = 0; i < n; i++) {
			char **names;
			size_t k;
			char *t;

			if (list[i].state != BVS_ACCEPTED) {
				assert_int_equal(list[i].state, BVS_FAILED);
				assert_null(bvs_report_get(s, list[i].id));
				assert_int_equal(bvs_member_nodes(s, list[i].id,
								  &names, &k), 0);
				assert_int_equal(k, 0);
				continue;
			}
			accepted_total++;
			assert_true(list[i].epoch > 0);
			if (list[i].epoch > max_epoch)
				max_epoch = list[i].epoch;
			t = bvs_report_get(s, list[i].id);
			assert_string_equal(t, "{\"report\":true}");
			free(t);
			assert_int_equal(bvs_member_nodes(s, list[i].id, &names,
							  &k), 0);
			assert_int_equal(k, KILL_RECORDS);
			for (size_t j = 0; j < k; j++)
				free(names[j]);
			free(names);
			t = bvs_member_record_get(s, list[i].id, "m7");
			assert_non_null(t);
			assert_int_equal(strlen(t), 4095);
			free(t);
		}
		/* a fresh epoch is newer than every one used before */
		assert_true(next(s, 1) > max_epoch);
		bvs_close(s);
	}
	assert_true(accepted_total > 0);
	free(list);
}

/* ---- member side ---- */

static void test_local_records(void **state)
{
	struct bvs *s;
	char *t;

	(void)state;
	s = open_store(false);
	assert_int_equal(bvs_local_put(s, 0xfffffffe, "a"), 0);
	assert_int_equal(bvs_local_put(s, 0xffffffff, "b"), 0);
	assert_int_equal(bvs_local_put(s, 1, "c"), 0);
	assert_int_equal(bvs_local_put(s, 2, "d"), 0);
	assert_int_equal(bvs_local_put(s, 5, "e"), 0);
	assert_int_equal(bvs_local_put(s, 2, "d2"), 0);	/* replaced */
	assert_int_equal(bvs_local_put(s, 0, "x"), -EINVAL);
	assert_int_equal(bvs_local_put(s, 3, NULL), -EINVAL);
	t = bvs_local_get(s, 2);
	assert_string_equal(t, "d2");
	free(t);
	assert_null(bvs_local_get(s, 3));
	assert_non_null(strstr(bvs_errmsg(s), "not found"));

	/* up to 1 in serial-number order: 0xfffffffe, 0xffffffff and 1 */
	assert_int_equal(bvs_local_release(s, 1), 3);
	assert_null(bvs_local_get(s, 0xfffffffe));
	assert_null(bvs_local_get(s, 1));
	bvs_close(s);
	s = open_store(false);
	t = bvs_local_get(s, 5);
	assert_string_equal(t, "e");
	free(t);
	assert_int_equal(bvs_local_release(s, 0), 0);
	assert_int_equal(bvs_local_release(s, 4), 1);
	assert_int_equal(bvs_local_release(s, 4), 0);
	/* 2^31 ahead of 5 is not after it: 5 stays */
	assert_int_equal(bvs_local_release(s, 5 + 0x80000000u), 0);
	assert_int_equal(bvs_local_release(s, 5 + 0x7fffffffu), 1);
	bvs_close(s);
}

static void test_state_names(void **state)
{
	(void)state;
	assert_string_equal(bvs_state_name(BVS_PENDING), "pending");
	assert_string_equal(bvs_state_name(BVS_COLLECTING), "collecting");
	assert_string_equal(bvs_state_name(BVS_ACCEPTED), "accepted");
	assert_string_equal(bvs_state_name(BVS_REJECTED), "rejected");
	assert_string_equal(bvs_state_name(BVS_FAILED), "failed");
	assert_string_equal(bvs_state_name((enum bvs_state)99), "unknown");
}

/*
 * The baselines of the per-interval counts (schema 6): an accepted
 * snapshot's report gives one per present member (its cumulative bypass),
 * replacing the previous snapshot's (a member absent now has none);
 * retention does not take them; a failed snapshot does not change them.
 */
static void test_baselines(void **state)
{
	const char *nodes[] = { "m1", "m2" };
	const char *records[] = { "{}", "{}" };
	struct bvs_attempt ok = { .epoch = 20, .verdict = "accepted" };
	struct bvs_baselines b;
	struct bvs_snapshot snap;
	uint64_t deleted;
	struct bvs *s;
	int64_t id1, id2, id3;

	(void)state;
	s = open_store(true);
	assert_int_equal(bvs_baselines_get(s, &b), 0);
	assert_int_equal(b.prev_id, 0);		/* none accepted yet */
	assert_int_equal(b.n, 0);
	bvs_baselines_free(&b);

	assert_int_equal(bvs_snapshot_new(s, 1, &id1), 0);
	assert_int_equal(bvs_snapshot_accept(s, id1, 7, 1, 2, nodes, records,
		"{\"members\":[{\"node\":\"m1\",\"present\":true,\"bypass\":3,"
		"\"bypass_bytes\":300,\"tx_unstamped\":5,\"rx_unstamped\":6,"
		"\"counters_since_ns\":1234,\"rx_id_unread\":true},"
		"{\"node\":\"m2\",\"present\":true,"
		"\"bypass\":0,\"bypass_bytes\":0},{\"node\":\"m3\","
		"\"present\":false}],\"channels\":["
		/* could not be checked: offset null */
		"{\"from\":\"m1\",\"to\":\"m2\",\"sent\":9,\"received\":4,"
		"\"inflight\":1,\"late\":0,\"imbalance\":4,\"offset\":null,"
		"\"previous_imbalance\":null},"
		/* a report before offsets: 0, the imbalance from its counts */
		"{\"from\":\"m2\",\"to\":\"m1\",\"sent\":8,\"received\":5,"
		"\"inflight\":1,\"late\":2},"
		"{\"from\":\"m2\",\"to\":\"m1\",\"family\":\"ipv6\","
		"\"sent\":8,\"received\":5,\"inflight\":0,\"late\":0,"
		"\"imbalance\":3,\"offset\":3,\"previous_imbalance\":2,"
		"\"offset_confirmed\":false,\"previous_flagged\":true},"
		/* not a channel */
		"{\"from\":1,\"to\":\"m1\",\"sent\":1,\"received\":1}]}"),
		0);
	assert_int_equal(bvs_baselines_get(s, &b), 0);
	assert_int_equal(b.prev_id, id1);
	assert_int_equal(b.prev_epoch, 7);
	assert_int_equal(b.n, 2);		/* m3 had no record */
	assert_string_equal(b.v[0].node, "m1");
	assert_true(b.v[0].has_pkts && b.v[0].has_bytes);
	assert_int_equal(b.v[0].bypass, 3);
	assert_int_equal(b.v[0].bypass_bytes, 300);
	assert_true(b.v[0].has_unstamped);
	assert_int_equal(b.v[0].tx_unstamped, 5);
	assert_int_equal(b.v[0].rx_unstamped, 6);
	assert_int_equal(b.v[0].snapshot_id, id1);
	assert_string_equal(b.v[1].node, "m2");
	/* a record of a module before the counts: unknown */
	assert_false(b.v[1].has_unstamped);
	assert_true(b.v[0].has_since);
	assert_int_equal(b.v[0].since_ns, 1234);
	assert_false(b.v[1].has_since);
	/* m1's record was flagged (rx_id_unread), m2's not */
	assert_true(b.v[0].flagged);
	assert_false(b.v[1].flagged);
	/* the channels (in no order) */
	assert_int_equal(b.n_chans, 3);
	for (size_t i = 0; i < b.n_chans; i++) {
		const struct bvs_chan_base *c = &b.chans[i];

		if (!strcmp(c->from, "m1")) {
			assert_string_equal(c->to, "m2");
			assert_true(c->v4);
			assert_int_equal(c->sent, 9);
			assert_int_equal(c->received, 4);
			assert_int_equal(c->imbalance, 4);
			assert_false(c->has_offset);
			assert_false(c->has_prev_imbalance);
		} else if (c->v4) {
			assert_int_equal(c->imbalance, 0);
			assert_true(c->has_offset);
			assert_int_equal(c->offset, 0);
			assert_true(c->confirmed);	/* before offsets */
			assert_false(c->prev_flagged);
			assert_false(c->has_prev_imbalance);
		} else {
			assert_int_equal(c->imbalance, 3);
			assert_true(c->has_offset);
			assert_int_equal(c->offset, 3);
			assert_true(c->has_prev_imbalance);
			assert_int_equal(c->prev_imbalance, 2);
			assert_false(c->confirmed);
			assert_true(c->prev_flagged);
		}
	}
	bvs_baselines_free(&b);

	/* a snapshot that fails after an accepted attempt: no baseline */
	assert_int_equal(bvs_snapshot_new(s, 1, &id2), 0);
	assert_int_equal(bvs_attempt_add(s, id2, &ok), 0);
	assert_int_equal(bvs_snapshot_set_state(s, id2, BVS_FAILED, "t"), 0);
	assert_int_equal(bvs_snapshot_get(s, id2, &snap), 0);
	assert_int_equal(snap.epoch, 20);	/* its accepted attempt's */
	assert_int_equal(bvs_baselines_get(s, &b), 0);
	assert_int_equal(b.prev_id, id1);
	bvs_baselines_free(&b);

	/* the next accepted one replaces them; m2 absent: gone; a report
	 * without bypass_bytes leaves the bytes unknown */
	assert_int_equal(bvs_snapshot_new(s, 1, &id3), 0);
	assert_int_equal(bvs_snapshot_accept(s, id3, 21, 1, 1, nodes, records,
		"{\"members\":[{\"node\":\"m1\",\"present\":true,"
		"\"bypass\":5}]}"), 0);
	/* retention keeps only the newest: id1, the older baseline, goes */
	assert_int_equal(bvs_prune(s, 1, 0, &deleted), 0);
	assert_int_equal(deleted, 2);
	assert_int_equal(bvs_baselines_get(s, &b), 0);
	assert_int_equal(b.prev_id, id3);
	assert_int_equal(b.prev_epoch, 21);
	assert_int_equal(b.n, 1);
	assert_string_equal(b.v[0].node, "m1");
	assert_int_equal(b.v[0].bypass, 5);
	assert_false(b.v[0].has_bytes);
	assert_int_equal(b.n_chans, 0);		/* replaced too */
	bvs_baselines_free(&b);
	/* and a report that is not JSON gives none (no failure) */
	assert_int_equal(bvs_snapshot_new(s, 1, &id1), 0);
	assert_int_equal(bvs_snapshot_accept(s, id1, 22, 1, 0, NULL, NULL,
					     "not json"), 0);
	assert_int_equal(bvs_baselines_get(s, &b), 0);
	assert_int_equal(b.prev_id, id1);
	assert_int_equal(b.n, 0);
	bvs_baselines_free(&b);
	/* an older epoch accepted after a newer one (two ran at once): the
	 * baselines only move forward */
	assert_int_equal(bvs_snapshot_new(s, 1, &id2), 0);
	assert_int_equal(bvs_snapshot_accept(s, id2, 19, 1, 1, nodes, records,
		"{\"members\":[{\"node\":\"m1\",\"present\":true,"
		"\"bypass\":9}]}"), 0);
	assert_int_equal(bvs_baselines_get(s, &b), 0);
	assert_int_equal(b.prev_id, id1);
	assert_int_equal(b.prev_epoch, 22);
	assert_int_equal(b.n, 0);
	bvs_baselines_free(&b);
	bvs_close(s);
}

/*
 * A database of schema 5 opens as schema 8: the baselines are seeded
 * from the newest accepted snapshot's report (its channels too, at
 * offset 0 as reports before offsets balanced), and a snapshot that failed
 * after OGM accepted an attempt gets that attempt's epoch (one that never
 * had an accepted attempt keeps 0). Fails if the migration is missing or
 * picks an older snapshot.
 */
static void test_upgrade_from_v5(void **state)
{
	static const char v5[] =
		SCHEMA_V1
		"ALTER TABLE attempts ADD COLUMN acks TEXT;"
		"CREATE TABLE replay(sender INTEGER PRIMARY KEY, top INTEGER"
		" NOT NULL);"
		"CREATE TABLE late_entries(node TEXT NOT NULL, kind INTEGER NOT"
		" NULL, peer BLOB NOT NULL, first INTEGER NOT NULL, last"
		" INTEGER NOT NULL, arrived INTEGER NOT NULL, pkts INTEGER NOT"
		" NULL, bytes INTEGER NOT NULL, snapshot_id INTEGER NOT NULL,"
		" PRIMARY KEY(node, kind, peer, first, last, arrived));"
		"INSERT INTO snapshots(state, created_ns, tau_min_ns, epoch,"
		" report) VALUES('accepted', 1, 5, 11, '{\"members\":[{\"node\":"
		"\"m1\",\"present\":true,\"bypass\":1}],\"channels\":[{\"from\":"
		"\"m2\",\"to\":\"m1\",\"sent\":1,\"received\":1,"
		"\"inflight\":0,\"late\":0}]}');"
		"INSERT INTO snapshots(state, created_ns, tau_min_ns, epoch,"
		" report) VALUES('accepted', 2, 5, 12, '{\"members\":[{\"node\":"
		"\"m1\",\"present\":true,\"bypass\":4},{\"node\":\"m2\","
		"\"present\":false}],\"channels\":[{\"from\":\"m1\",\"to\":"
		"\"m2\",\"sent\":7,\"received\":3,\"inflight\":1,"
		"\"late\":1}]}');"
		"INSERT INTO snapshots(state, created_ns, tau_min_ns, epoch)"
		" VALUES('failed', 3, 5, 0);"
		"INSERT INTO attempts VALUES(3, 1, 13, 1, 2, 'accepted', NULL,"
		" NULL);"
		"INSERT INTO snapshots(state, created_ns, tau_min_ns, epoch)"
		" VALUES('failed', 4, 5, 0);"
		"INSERT INTO attempts VALUES(4, 1, 14, 1, 0, 'timeout', 'g',"
		" NULL);"
		"PRAGMA user_version = 5; PRAGMA application_id = 1112953393;";
	struct bvs_baselines b;
	struct bvs_snapshot snap;
	char path[128];
	struct bvs *s;
	sqlite3 *db;

	(void)state;
	snprintf(path, sizeof(path), "%s/beaverd.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, v5, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	s = open_store(true);
	assert_int_equal(count_rows("PRAGMA user_version"), 8);
	assert_int_equal(bvs_snapshot_get(s, 3, &snap), 0);
	assert_int_equal(snap.state, BVS_FAILED);
	assert_int_equal(snap.epoch, 13);
	assert_int_equal(bvs_snapshot_get(s, 4, &snap), 0);
	assert_int_equal(snap.epoch, 0);
	assert_int_equal(bvs_baselines_get(s, &b), 0);
	assert_int_equal(b.prev_id, 2);
	assert_int_equal(b.prev_epoch, 12);
	assert_int_equal(b.n, 1);
	assert_string_equal(b.v[0].node, "m1");
	assert_true(b.v[0].has_pkts);
	assert_int_equal(b.v[0].bypass, 4);
	assert_false(b.v[0].has_bytes);
	assert_false(b.v[0].has_unstamped);
	assert_false(b.v[0].has_since);
	/* schema 8: the newest accepted report's channels, balanced at 0 */
	assert_int_equal(b.n_chans, 1);
	assert_string_equal(b.chans[0].from, "m1");
	assert_string_equal(b.chans[0].to, "m2");
	assert_true(b.chans[0].v4);
	assert_int_equal(b.chans[0].imbalance, 2);
	assert_true(b.chans[0].has_offset);
	assert_int_equal(b.chans[0].offset, 0);
	assert_true(b.chans[0].confirmed);
	assert_false(b.chans[0].has_prev_imbalance);
	bvs_baselines_free(&b);
	bvs_close(s);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_open_creates),
		T(test_open_refuses),
		T(test_upgrade_from_v1),
		T(test_upgrade_from_v4),
		T(test_replay_state),
		T(test_epochs_increase_across_reopen),
		T(test_epoch_raise),
		T(test_epoch_first_zero_and_wrap),
		T(test_snapshot_lifecycle),
		T(test_accept_all_or_nothing),
		T(test_recover),
		T(test_prune),
		T(test_late_entries),
		T(test_crash_inside_accept),
		T(test_sigkill_at_random),
		T(test_local_records),
		T(test_state_names),
		T(test_baselines),
		T(test_upgrade_from_v5),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
