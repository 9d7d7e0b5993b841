// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * beaverd's storage on SQLite: see store.h for the schema and the
 * crash-safety rules. Every statement is prepared once, at open; every
 * change is one transaction (BEGIN IMMEDIATE ... COMMIT, or a single
 * statement, which SQLite runs as its own transaction).
 */
#include "store.h"
#include "beaver_stamp.h"
#include "bvgrow.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BVS_SCHEMA_VERSION	8
#define BVS_APPLICATION_ID	0x42565231	/* "BVR1" */
#define BVS_DB_NAME		"beaverd.db"
#define BVS_LOCK_NAME		"beaverd.lock"
#define BVS_BUSY_MS		5000

#ifdef BVS_FAULT_INJECTION
/*
 * Unit tests only (-DBVS_FAULT_INJECTION): called at the named points of a
 * transaction, so that a test can crash the process there.
 */
void (*bvs_fault_hook)(const char *where);
#define FAULT(where) do { if (bvs_fault_hook) bvs_fault_hook(where); } while (0)
#else
#define FAULT(where) do { } while (0)
#endif

enum stmt_id {
	Q_BEGIN,
	Q_COMMIT,
	Q_ROLLBACK,
	Q_SYNC_FULL,
	Q_SYNC_NORMAL,
	Q_META_GET,
	Q_META_SET,
	Q_SNAP_NEW,
	Q_SNAP_STATE,
	Q_SNAP_SET,
	Q_SNAP_ATTEMPTS,
	Q_SNAP_ACCEPT,
	Q_SNAP_GET,
	Q_SNAP_LIST,
	Q_ATT_MAXN,
	Q_ATT_ADD,
	Q_ATT_GET,
	Q_REPORT_GET,
	Q_REC_ADD,
	Q_REC_GET,
	Q_REC_NODES,
	Q_LOCAL_PUT,
	Q_LOCAL_GET,
	Q_LOCAL_RELEASE,
	Q_RECOVER,
	Q_REPLAY_SET,
	Q_REPLAY_ALL,
	Q_LATE_ADD,
	Q_LATE_RANGE,
	Q_LATE_COVER,
	Q_REPORT_SET,
	Q_PRUNE_LATES,
	Q_PRUNE_RECORDS,
	Q_PRUNE_ATTEMPTS,
	Q_PRUNE_SNAPSHOTS,
	Q_BASE_CLEAR,
	Q_BASE_PUT,
	Q_BASE_ALL,
	Q_CHAN_BASE_CLEAR,
	Q_CHAN_BASE_PUT,
	Q_CHAN_BASE_ALL,
	Q_COUNT
};

/*
 * The finished snapshots retention lets go: beyond the newest ?1 (0: no
 * count limit), or created before ?2 (0: no age limit). Running ones stay.
 */
#define PRUNE_VICTIMS \
	"(SELECT id FROM snapshots WHERE state IN ('accepted', 'rejected', " \
	"'failed') AND ((?1 > 0 AND id NOT IN (SELECT id FROM snapshots " \
	"ORDER BY id DESC LIMIT ?1)) OR (?2 > 0 AND created_ns < ?2)))"

/* the baselines of the accepted snapshot ID (epoch EPOCH, report REPORT) */
#define BASE_PUT(id, epoch, report) \
	"INSERT OR REPLACE INTO baselines(node, snapshot_id, epoch, bypass, " \
	"bypass_bytes, tx_unstamped, rx_unstamped, counters_since, flagged) " \
	"SELECT " \
	"json_extract(m.value, '$.node'), " id ", " \
	epoch ", json_extract(m.value, '$.bypass'), " \
	"json_extract(m.value, '$.bypass_bytes'), " \
	"json_extract(m.value, '$.tx_unstamped'), " \
	"json_extract(m.value, '$.rx_unstamped'), " \
	"json_extract(m.value, '$.counters_since_ns'), " \
	"IFNULL(json_extract(m.value, '$.incomplete'), 0) OR " \
	"IFNULL(json_extract(m.value, '$.interval.tx_unstamped'), 0) OR " \
	"IFNULL(json_extract(m.value, '$.rx_id_unread'), 0) " \
	"FROM json_each(CASE WHEN " \
	"json_valid(" report ") THEN " report " ELSE '{}' END, '$.members') m " \
	"WHERE json_extract(m.value, '$.present') AND " \
	"json_type(m.value, '$.node') = 'text'"

/*
 * The channel baselines (version 8) from the stored report of the
 * accepted snapshot ID, as amended so far. A report before offsets (no
 * "offset" key) balanced by 0, and its imbalance follows from its counts;
 * an "offset" of null: the channel could not be checked.
 */
#define CHAN_J(k) "json_extract(c.value, '$." k "')"
#define CHAN_BASE_PUT(id) \
	"INSERT OR REPLACE INTO chan_baselines(from_node, to_node, v4, sent, " \
	"received, imbalance, offset, confirmed, prev_imbalance, " \
	"prev_flagged) SELECT " CHAN_J("from") \
	", " CHAN_J("to") ", " CHAN_J("family") " IS NOT 'ipv6', " \
	CHAN_J("sent") ", " CHAN_J("received") ", COALESCE(" \
	CHAN_J("imbalance") ", " CHAN_J("sent") " - " CHAN_J("received") \
	" - " CHAN_J("inflight") " - IFNULL(" CHAN_J("late") ", 0)), " \
	"CASE json_type(c.value, '$.offset') WHEN 'integer' THEN " \
	CHAN_J("offset") " WHEN 'null' THEN NULL ELSE 0 END, " \
	"json_type(c.value, '$.offset_confirmed') IS NOT 'false', " \
	CHAN_J("previous_imbalance") ", " \
	"json_type(c.value, '$.previous_flagged') IS 'true' " \
	"FROM snapshots s, json_each(CASE WHEN " \
	"json_valid(s.report) THEN s.report ELSE '{}' END, '$.channels') c " \
	"WHERE s.id = " id " AND json_type(c.value, '$.from') = 'text' AND " \
	"json_type(c.value, '$.to') = 'text' AND " \
	"json_type(c.value, '$.sent') = 'integer' AND " \
	"json_type(c.value, '$.received') = 'integer'"

#define SNAP_COLS "id, state, reason, created_ns, finished_ns, epoch, " \
		  "tau_min_ns, bound_ns, attempts"

static const char *const stmt_sql[Q_COUNT] = {
	[Q_BEGIN] = "BEGIN IMMEDIATE",
	[Q_COMMIT] = "COMMIT",
	[Q_ROLLBACK] = "ROLLBACK",
	[Q_SYNC_FULL] = "PRAGMA synchronous = FULL",
	[Q_SYNC_NORMAL] = "PRAGMA synchronous = NORMAL",
	[Q_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[Q_META_SET] = "INSERT INTO meta(key, value) VALUES(?1, ?2) "
		       "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	[Q_SNAP_NEW] = "INSERT INTO snapshots(state, created_ns, tau_min_ns) "
		       "VALUES('pending', ?1, ?2)",
	[Q_SNAP_STATE] = "SELECT state FROM snapshots WHERE id = ?1",
	[Q_SNAP_SET] = "UPDATE snapshots SET state = ?2, reason = ?3, "
		       "finished_ns = ?4 WHERE id = ?1",
	/*
	 * an attempt OGM accepted (?3) gives the snapshot its epoch (?4) now,
	 * so that a snapshot failing later keeps it (docs/decisions.md)
	 */
	[Q_SNAP_ATTEMPTS] = "UPDATE snapshots SET attempts = (SELECT count(*) "
			    "FROM attempts WHERE snapshot_id = ?1), "
			    "bound_ns = ?2, epoch = CASE WHEN ?3 = 'accepted' "
			    "THEN ?4 ELSE epoch END WHERE id = ?1",
	[Q_SNAP_ACCEPT] = "UPDATE snapshots SET state = 'accepted', "
			  "reason = NULL, epoch = ?2, bound_ns = ?3, "
			  "report = ?4, finished_ns = ?5 WHERE id = ?1",
	[Q_SNAP_GET] = "SELECT " SNAP_COLS " FROM snapshots WHERE id = ?1",
	[Q_SNAP_LIST] = "SELECT " SNAP_COLS " FROM snapshots WHERE id < ?1 "
			"ORDER BY id DESC LIMIT ?2",
	[Q_ATT_MAXN] = "SELECT coalesce(max(n), 0) FROM attempts "
		       "WHERE snapshot_id = ?1",
	[Q_ATT_ADD] = "INSERT INTO attempts(snapshot_id, n, epoch, t0_ns, "
		      "t1_ns, verdict, reason, acks) "
		      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[Q_ATT_GET] = "SELECT n, epoch, t0_ns, t1_ns, verdict, reason, acks "
		      "FROM attempts WHERE snapshot_id = ?1 ORDER BY n LIMIT ?2",
	[Q_REPORT_GET] = "SELECT report FROM snapshots WHERE id = ?1",
	[Q_REC_ADD] = "INSERT INTO member_records(snapshot_id, node, epoch, "
		      "record) VALUES(?1, ?2, ?3, ?4)",
	[Q_REC_GET] = "SELECT record FROM member_records "
		      "WHERE snapshot_id = ?1 AND node = ?2",
	[Q_REC_NODES] = "SELECT node FROM member_records "
			"WHERE snapshot_id = ?1 ORDER BY node",
	[Q_LOCAL_PUT] = "INSERT INTO local_records(epoch, record, collected) "
			"VALUES(?1, ?2, 0) ON CONFLICT(epoch) DO UPDATE SET "
			"record = excluded.record, collected = 0",
	[Q_LOCAL_GET] = "SELECT record FROM local_records WHERE epoch = ?1",
	/* epoch not after upto: (upto - epoch) mod 2^32 < 2^31 */
	[Q_LOCAL_RELEASE] = "DELETE FROM local_records "
			    "WHERE ((?1 - epoch) & 4294967295) < 2147483648",
	[Q_RECOVER] = "UPDATE snapshots SET state = 'failed', "
		      "reason = 'coordinator restarted', finished_ns = ?1 "
		      "WHERE state IN ('pending', 'collecting')",
	[Q_REPLAY_SET] = "INSERT INTO replay(sender, top) VALUES(?1, ?2) "
			 "ON CONFLICT(sender) DO UPDATE SET top = "
			 "max(top, excluded.top)",
	[Q_REPLAY_ALL] = "SELECT sender, top FROM replay",
	/* changes() tells a new entry (1) from one seen before (0) */
	[Q_LATE_ADD] = "INSERT OR IGNORE INTO late_entries(node, kind, peer, "
		       "first, last, arrived, pkts, bytes, snapshot_id) "
		       "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	/*
	 * accepted snapshots but ?3 with an epoch in ?1..?2, ?1 <= ?2 as
	 * numbers (a range across the wrap is asked in two parts): on the
	 * epoch index, not a scan of every snapshot retention keeps
	 */
	[Q_LATE_RANGE] = "SELECT id FROM snapshots WHERE epoch BETWEEN ?1 AND "
			 "?2 AND state = 'accepted' AND id <> ?3 ORDER BY id",
	/*
	 * the entries late for epoch ?1: those with last >= ?1 are few (an
	 * entry's last is older than the records that bring it), found on
	 * the index of last; entries across the wrap (first > last) on their
	 * partial index
	 */
	[Q_LATE_COVER] = "SELECT node, kind, peer, first, last, arrived, pkts, "
			 "bytes FROM (SELECT * FROM late_entries WHERE "
			 "last >= ?1 AND first <= ?1 UNION ALL SELECT * FROM "
			 "late_entries WHERE first > last AND (first <= ?1 OR "
			 "last >= ?1)) ORDER BY snapshot_id, node, kind, peer, "
			 "first, last, arrived",
	[Q_REPORT_SET] = "UPDATE snapshots SET report = ?2 WHERE id = ?1 AND "
			 "state = 'accepted'",
	/*
	 * the baselines (version 6): every present member's cumulative
	 * counters in the report ?3 of the accepted snapshot ?1 (epoch ?2),
	 * read by SQLite's JSON functions in the accepting transaction; a
	 * text that is not JSON gives none
	 */
	[Q_BASE_CLEAR] = "DELETE FROM baselines",
	[Q_BASE_PUT] = BASE_PUT("?1", "?2", "?3"),
	[Q_BASE_ALL] = "SELECT node, snapshot_id, epoch, bypass, bypass_bytes, "
		       "tx_unstamped, rx_unstamped, counters_since, flagged "
		       "FROM baselines ORDER BY node",
	[Q_CHAN_BASE_CLEAR] = "DELETE FROM chan_baselines",
	[Q_CHAN_BASE_PUT] = CHAN_BASE_PUT("?1"),
	[Q_CHAN_BASE_ALL] = "SELECT from_node, to_node, v4, sent, received, "
			    "imbalance, offset, prev_imbalance, confirmed, "
			    "prev_flagged FROM chan_baselines",
	[Q_PRUNE_LATES] = "DELETE FROM late_entries WHERE snapshot_id IN "
			  PRUNE_VICTIMS,
	[Q_PRUNE_RECORDS] = "DELETE FROM member_records WHERE snapshot_id IN "
			    PRUNE_VICTIMS,
	[Q_PRUNE_ATTEMPTS] = "DELETE FROM attempts WHERE snapshot_id IN "
			     PRUNE_VICTIMS,
	[Q_PRUNE_SNAPSHOTS] = "DELETE FROM snapshots WHERE id IN "
			      PRUNE_VICTIMS,
};

static const char schema_v1[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value);"
	"CREATE TABLE snapshots("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" state TEXT NOT NULL CHECK(state IN ('pending', 'collecting',"
	"  'accepted', 'rejected', 'failed')),"
	" reason TEXT,"
	" created_ns INTEGER NOT NULL,"
	" finished_ns INTEGER NOT NULL DEFAULT 0,"
	" epoch INTEGER NOT NULL DEFAULT 0,"
	" tau_min_ns INTEGER NOT NULL,"
	" bound_ns INTEGER NOT NULL DEFAULT 0,"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" report TEXT,"
	/* the database itself refuses an accepted snapshot without report */
	" CHECK(state <> 'accepted' OR (report IS NOT NULL AND epoch <> 0)));"
	"CREATE TABLE attempts("
	" snapshot_id INTEGER NOT NULL REFERENCES snapshots(id),"
	" n INTEGER NOT NULL,"
	" epoch INTEGER NOT NULL,"
	" t0_ns INTEGER NOT NULL,"
	" t1_ns INTEGER NOT NULL,"
	" verdict TEXT NOT NULL,"
	" reason TEXT,"
	" PRIMARY KEY(snapshot_id, n));"
	"CREATE TABLE member_records("
	" snapshot_id INTEGER NOT NULL REFERENCES snapshots(id),"
	" node TEXT NOT NULL,"
	" epoch INTEGER NOT NULL,"
	" record TEXT NOT NULL,"
	" PRIMARY KEY(snapshot_id, node));"
	"CREATE TABLE local_records("
	" epoch INTEGER PRIMARY KEY,"
	" record TEXT NOT NULL,"
	" collected INTEGER NOT NULL DEFAULT 0);";

/* 2: the gateways' acknowledgements of each attempt (a JSON array) */
static const char schema_v2[] =
	"ALTER TABLE attempts ADD COLUMN acks TEXT;";

/* 3: the newest control-plane seq seen from each sender (peer.c) */
static const char schema_v3[] =
	"CREATE TABLE replay(sender INTEGER PRIMARY KEY, top INTEGER NOT NULL);";

/*
 * 4: the late entries the coordinator has applied (bvs_snapshot_accept_late),
 * one row per entry: the key (node, kind, peer, first, last, arrived) makes
 * an entry that several records report count once; snapshot_id is the
 * snapshot whose records brought it, retention prunes it with that one
 */
#define LATE_INDEXES \
	"CREATE INDEX late_entries_snapshot ON late_entries(snapshot_id);" \
	"CREATE INDEX late_entries_last ON late_entries(last);" \
	"CREATE INDEX late_entries_wrap ON late_entries(first) " \
	" WHERE first > last;"

/* the late entries' table NAME, its peer column of type PEER */
#define LATE_TABLE(name, peer) \
	"CREATE TABLE " name "(" \
	" node TEXT NOT NULL," \
	" kind INTEGER NOT NULL," \
	" peer " peer " NOT NULL," \
	" first INTEGER NOT NULL," \
	" last INTEGER NOT NULL," \
	" arrived INTEGER NOT NULL," \
	" pkts INTEGER NOT NULL," \
	" bytes INTEGER NOT NULL," \
	" snapshot_id INTEGER NOT NULL REFERENCES snapshots(id)," \
	" PRIMARY KEY(node, kind, peer, first, last, arrived));"

static const char schema_v4[] =
	LATE_TABLE("late_entries", "INTEGER")
	LATE_INDEXES
	"CREATE INDEX snapshots_epoch ON snapshots(epoch);";

/*
 * 5: late_entries.peer holds an address of either family, 16 bytes as
 * bvip.h keeps it, no longer an IPv4 INTEGER (host order): the table is
 * copied, each peer through beaver_ip4() (ip4_blob below), and its indexes
 * made again
 */
static const char schema_v5[] =
	LATE_TABLE("late_entries_v5", "BLOB CHECK(length(peer) = 16)")
	"INSERT INTO late_entries_v5 SELECT node, kind, beaver_ip4(peer), "
	" first, last, arrived, pkts, bytes, snapshot_id FROM late_entries;"
	"DROP TABLE late_entries;"
	"ALTER TABLE late_entries_v5 RENAME TO late_entries;"
	LATE_INDEXES;

/*
 * 6: the baselines of the per-interval counts (bvs_baselines_get): what
 * the newest accepted snapshot saw of each member, kept apart from the
 * snapshots so that retention cannot take it, with the meta keys
 * last_accepted and last_accepted_epoch; seeded from the newest accepted
 * snapshot's report (bypass_bytes is NULL in reports before it). And a
 * snapshot that failed after OGM accepted one of its attempts gets that
 * attempt's epoch, as bvs_attempt_add now gives it.
 */
/*
 * 7: the members' unstamped packets in the baselines (records of a module
 * with BEAVER_A_CUT_TX_UNSTAMPED; NULL before, and for such modules)
 */
static const char schema_v7[] =
	"ALTER TABLE baselines ADD COLUMN tx_unstamped INTEGER;"
	"ALTER TABLE baselines ADD COLUMN rx_unstamped INTEGER;";

/*
 * 8: when each member's counters started (a restart shows against it),
 * and the channels' baselines: every channel of the newest accepted
 * snapshot with its counts, imbalance and offset (assemble.h)
 */
static const char schema_v8[] =
	"ALTER TABLE baselines ADD COLUMN counters_since INTEGER;"
	"ALTER TABLE baselines ADD COLUMN flagged INTEGER;"
	"CREATE TABLE chan_baselines("
	" from_node TEXT NOT NULL,"
	" to_node TEXT NOT NULL,"
	" v4 INTEGER NOT NULL,"
	" sent INTEGER NOT NULL,"
	" received INTEGER NOT NULL,"
	" imbalance INTEGER,"
	" offset INTEGER,"
	" confirmed INTEGER NOT NULL,"
	" prev_imbalance INTEGER,"
	" prev_flagged INTEGER NOT NULL,"
	" PRIMARY KEY(from_node, to_node, v4));"
	CHAN_BASE_PUT("(SELECT value FROM meta WHERE key = 'last_accepted')")
	";";

static const char schema_v6[] =
	"CREATE TABLE baselines("
	" node TEXT PRIMARY KEY,"
	" snapshot_id INTEGER NOT NULL,"
	" epoch INTEGER NOT NULL,"
	" bypass INTEGER,"
	" bypass_bytes INTEGER);"
	"UPDATE snapshots SET epoch = (SELECT a.epoch FROM attempts a WHERE "
	" a.snapshot_id = snapshots.id AND a.verdict = 'accepted' "
	" ORDER BY a.n DESC LIMIT 1) "
	"WHERE state <> 'accepted' AND epoch = 0 AND EXISTS (SELECT 1 FROM "
	" attempts a WHERE a.snapshot_id = snapshots.id AND "
	" a.verdict = 'accepted');"
	"INSERT OR REPLACE INTO meta(key, value) SELECT 'last_accepted', id "
	" FROM snapshots WHERE state = 'accepted' ORDER BY id DESC LIMIT 1;"
	"INSERT OR REPLACE INTO meta(key, value) SELECT 'last_accepted_epoch', "
	" epoch FROM snapshots WHERE state = 'accepted' "
	" ORDER BY id DESC LIMIT 1;"
	"INSERT INTO baselines(node, snapshot_id, epoch, bypass, bypass_bytes) "
	" SELECT json_extract(m.value, '$.node'), s.id, s.epoch, "
	" json_extract(m.value, '$.bypass'), "
	" json_extract(m.value, '$.bypass_bytes') FROM snapshots s, "
	" json_each(CASE WHEN json_valid(s.report) THEN s.report ELSE '{}' "
	" END, '$.members') m WHERE s.id = (SELECT max(id) FROM snapshots "
	" WHERE state = 'accepted') AND json_extract(m.value, '$.present') "
	" AND json_type(m.value, '$.node') = 'text';";

/* beaver_ip4(N): the IPv4 address N (host order) as a version 5 peer */
static void ip4_blob(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct bv_ip ip;

	(void)argc;
	if (sqlite3_value_type(argv[0]) != SQLITE_INTEGER) {
		sqlite3_result_error(ctx, "beaver_ip4: not an integer", -1);
		return;
	}
	bv_ip_set4(&ip, htonl((uint32_t)sqlite3_value_int64(argv[0])));
	sqlite3_result_blob(ctx, &ip.a, sizeof(ip.a), SQLITE_TRANSIENT);
}

struct bvs {
	sqlite3 *db;
	bool durable;
	int lock_fd;
	char err[256];
	sqlite3_stmt *q[Q_COUNT];
};

/* ---- errors ---- */

static int sqlite_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return 0;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_CANTOPEN:
		return -EACCES;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return -EUCLEAN;
	case SQLITE_CONSTRAINT:
		return -EEXIST;
	case SQLITE_TOOBIG:
		return -E2BIG;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EPERM;
	case SQLITE_MISUSE:
	case SQLITE_RANGE:
		return -EINVAL;
	default:
		return -EIO;
	}
}

__attribute__((format(printf, 3, 4)))
static int fail(struct bvs *s, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	return err;
}

/* an SQLite failure: what we were doing, and SQLite's own words */
static int fail_sql(struct bvs *s, int rc, const char *what)
{
	int err = sqlite_errno(rc);

	if (!err)
		err = -EIO;
	return fail(s, err, "%s: %s", what, sqlite3_errmsg(s->db));
}

const char *bvs_errmsg(const struct bvs *s)
{
	return s ? s->err : "no store";
}

const char *bvs_state_name(enum bvs_state st)
{
	switch (st) {
	case BVS_PENDING:
		return "pending";
	case BVS_COLLECTING:
		return "collecting";
	case BVS_ACCEPTED:
		return "accepted";
	case BVS_REJECTED:
		return "rejected";
	case BVS_FAILED:
		return "failed";
	}
	return "unknown";
}

static int state_parse(const char *name, enum bvs_state *st)
{
	for (int i = BVS_PENDING; i <= BVS_FAILED; i++)
		if (name && !strcmp(name, bvs_state_name((enum bvs_state)i))) {
			*st = (enum bvs_state)i;
			return 0;
		}
	return -EUCLEAN;
}

static bool state_final(enum bvs_state st)
{
	return st == BVS_ACCEPTED || st == BVS_REJECTED || st == BVS_FAILED;
}

/* ---- statements ---- */

static sqlite3_stmt *q(struct bvs *s, enum stmt_id id)
{
	sqlite3_reset(s->q[id]);
	sqlite3_clear_bindings(s->q[id]);
	return s->q[id];
}

/* finished with a statement: no caller memory stays bound to it */
static void done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

static sqlite3_int64 i64(uint64_t v)
{
	/* two's complement, as SQLite stores it; ns values stay < 2^63 */
	return (sqlite3_int64)v;
}

static uint64_t u64(sqlite3_int64 v)
{
	return (uint64_t)v;
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* run a statement that returns no row */
static int run(struct bvs *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	done(st);
	if (rc != SQLITE_DONE)
		return fail_sql(s, rc, what);
	return 0;
}

static int begin(struct bvs *s)
{
	return run(s, q(s, Q_BEGIN), "begin transaction");
}

static int commit(struct bvs *s)
{
	int err = run(s, q(s, Q_COMMIT), "commit");

	if (err)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return err;
}

/* undo the transaction; keeps the first error's message and code */
static int rollback(struct bvs *s, int err)
{
	if (sqlite3_get_autocommit(s->db) == 0) {
		sqlite3_step(q(s, Q_ROLLBACK));
		done(s->q[Q_ROLLBACK]);
	}
	return err;
}

/* state of a snapshot, inside or outside a transaction */
static int snap_state(struct bvs *s, int64_t id, enum bvs_state *st)
{
	sqlite3_stmt *x = q(s, Q_SNAP_STATE);
	int rc, err;

	sqlite3_bind_int64(x, 1, id);
	rc = sqlite3_step(x);
	if (rc == SQLITE_DONE) {
		done(x);
		return fail(s, -ENOENT, "no snapshot %lld", (long long)id);
	}
	if (rc != SQLITE_ROW) {
		done(x);
		return fail_sql(s, rc, "read snapshot state");
	}
	err = state_parse((const char *)sqlite3_column_text(x, 0), st);
	done(x);
	if (err)
		return fail(s, err, "snapshot %lld has an unknown state",
			    (long long)id);
	return 0;
}

/* a snapshot that may still change */
static int snap_open(struct bvs *s, int64_t id)
{
	enum bvs_state st = BVS_PENDING;
	int err = snap_state(s, id, &st);

	if (err)
		return err;
	if (state_final(st))
		return fail(s, -EINVAL, "snapshot %lld is already %s",
			    (long long)id, bvs_state_name(st));
	return 0;
}

static char *column_dup(sqlite3_stmt *x, int col)
{
	const unsigned char *t = sqlite3_column_text(x, col);

	return t ? strdup((const char *)t) : NULL;
}

static void column_copy(sqlite3_stmt *x, int col, char *dst, size_t size)
{
	const unsigned char *t = sqlite3_column_text(x, col);

	snprintf(dst, size, "%s", t ? (const char *)t : "");
}

/* ---- open and close ---- */

__attribute__((format(printf, 3, 4)))
static int open_fail(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	if (why && why_len) {
		va_start(ap, fmt);
		vsnprintf(why, why_len, fmt, ap);
		va_end(ap);
	}
	return 0;
}

static int pragma_int(struct bvs *s, const char *sql, int64_t *out)
{
	sqlite3_stmt *x;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &x, NULL);

	if (rc != SQLITE_OK)
		return fail_sql(s, rc, sql);
	rc = sqlite3_step(x);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(x, 0);
	sqlite3_finalize(x);
	if (rc != SQLITE_ROW)
		return fail_sql(s, rc, sql);
	return 0;
}

static int exec(struct bvs *s, const char *sql, const char *what)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : fail_sql(s, rc, what);
}

static int setup(struct bvs *s)
{
	int64_t v = 0;
	char mode[16] = "";
	sqlite3_stmt *x;
	int rc, err;

	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, BVS_BUSY_MS);

	rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &x,
				NULL);
	if (rc != SQLITE_OK)
		return fail_sql(s, rc, "set WAL mode");
	rc = sqlite3_step(x);
	if (rc == SQLITE_ROW)
		column_copy(x, 0, mode, sizeof(mode));
	sqlite3_finalize(x);
	if (rc != SQLITE_ROW)
		return fail_sql(s, rc, "set WAL mode");
	if (strcmp(mode, "wal") != 0)
		return fail(s, -EIO, "the database refused WAL mode (%s)", mode);

	err = exec(s, s->durable ? "PRAGMA synchronous = FULL" :
				   "PRAGMA synchronous = NORMAL",
		   "set synchronous");
	if (!err)
		err = exec(s, "PRAGMA foreign_keys = ON", "enable foreign keys");
	if (!err)
		err = pragma_int(s, "PRAGMA application_id", &v);
	if (err)
		return err;
	if (v != 0 && v != BVS_APPLICATION_ID)
		return fail(s, -EUCLEAN, "not a beaverd database "
			    "(application_id 0x%llx)", (unsigned long long)v);

	/* create the schema once; the check is repeated under the lock */
	err = exec(s, "BEGIN IMMEDIATE", "begin transaction");
	if (err)
		return err;
	err = pragma_int(s, "PRAGMA user_version", &v);
	if (!err && v == 0) {
		err = exec(s, schema_v1, "create the schema");
		if (!err)
			err = exec(s, "PRAGMA user_version = 1; "
				   "PRAGMA application_id = 1112953393",
				   "set the schema version");
		v = 1;
	}
	/* each upgrade step in the same transaction: all of it or nothing */
	if (!err && v == 1) {
		err = exec(s, schema_v2, "upgrade the schema to version 2");
		if (!err)
			err = exec(s, "PRAGMA user_version = 2",
				   "set the schema version");
		v = 2;
	}
	if (!err && v == 2) {
		err = exec(s, schema_v3, "upgrade the schema to version 3");
		if (!err)
			err = exec(s, "PRAGMA user_version = 3",
				   "set the schema version");
		v = 3;
	}
	if (!err && v == 3) {
		err = exec(s, schema_v4, "upgrade the schema to version 4");
		if (!err)
			err = exec(s, "PRAGMA user_version = 4",
				   "set the schema version");
		v = 4;
	}
	if (!err && v == 4) {
		rc = sqlite3_create_function(s->db, "beaver_ip4", 1,
					     SQLITE_UTF8 | SQLITE_DETERMINISTIC,
					     NULL, ip4_blob, NULL, NULL);
		err = rc == SQLITE_OK ? 0 : fail_sql(s, rc, "add beaver_ip4()");
		if (!err)
			err = exec(s, schema_v5,
				   "upgrade the schema to version 5");
		if (!err)
			err = exec(s, "PRAGMA user_version = 5",
				   "set the schema version");
		v = 5;
	}
	if (!err && v == 5) {
		err = exec(s, schema_v6, "upgrade the schema to version 6");
		if (!err)
			err = exec(s, "PRAGMA user_version = 6",
				   "set the schema version");
		v = 6;
	}
	if (!err && v == 6) {
		err = exec(s, schema_v7, "upgrade the schema to version 7");
		if (!err)
			err = exec(s, "PRAGMA user_version = 7",
				   "set the schema version");
		v = 7;
	}
	if (!err && v == 7) {
		err = exec(s, schema_v8, "upgrade the schema to version 8");
		if (!err)
			err = exec(s, "PRAGMA user_version = 8",
				   "set the schema version");
		v = 8;
	}
	if (err) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return err;
	}
	err = exec(s, "COMMIT", "commit the schema");
	if (err)
		return err;
	if (v != BVS_SCHEMA_VERSION)
		return fail(s, -EPROTONOSUPPORT, "schema version %lld, this "
			    "beaverd knows version %d: a newer beaverd made it",
			    (long long)v, BVS_SCHEMA_VERSION);

	for (int i = 0; i < Q_COUNT; i++) {
		rc = sqlite3_prepare_v3(s->db, stmt_sql[i], -1,
					SQLITE_PREPARE_PERSISTENT, &s->q[i],
					NULL);
		if (rc != SQLITE_OK)
			return fail_sql(s, rc, stmt_sql[i]);
	}
	return 0;
}

int bvs_open(const char *state_dir, bool durable, struct bvs **out,
	     char *why, size_t why_len)
{
	struct bvs *s;
	char path[PATH_MAX], lock[PATH_MAX];
	int rc, err, fd;

	if (out)
		*out = NULL;
	open_fail(why, why_len, "%s", "");
	if (!state_dir || !*state_dir || !out) {
		open_fail(why, why_len, "no state directory");
		return -EINVAL;
	}
	if (snprintf(path, sizeof(path), "%s/%s", state_dir, BVS_DB_NAME) >=
	    (int)sizeof(path) ||
	    snprintf(lock, sizeof(lock), "%s/%s", state_dir, BVS_LOCK_NAME) >=
	    (int)sizeof(lock)) {
		open_fail(why, why_len, "%s: path too long", state_dir);
		return -ENAMETOOLONG;
	}
	if (mkdir(state_dir, 0700) && errno != EEXIST) {
		err = -errno;
		open_fail(why, why_len, "state directory %s: %s", state_dir,
			  strerror(errno));
		return err;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		open_fail(why, why_len, "out of memory");
		return -ENOMEM;
	}
	s->durable = durable;
	/*
	 * One beaverd per state directory: an flock on a lock file of its
	 * own (never on the database, whose POSIX locks a close() of another
	 * descriptor of the same file would drop).
	 */
	s->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
			  O_NOCTTY, 0600);
	if (s->lock_fd < 0) {
		err = -errno;
		open_fail(why, why_len, "%s: %s", lock, strerror(errno));
		free(s);
		return err;
	}
	if (flock(s->lock_fd, LOCK_EX | LOCK_NB)) {
		err = errno == EWOULDBLOCK ? -EBUSY : -errno;
		open_fail(why, why_len, "%s: %s", lock,
			  err == -EBUSY ? "in use by another beaverd" :
			  strerror(errno));
		close(s->lock_fd);
		free(s);
		return err;
	}
	/*
	 * Create the database ourselves so that it is 0600 whatever the
	 * umask (SQLite gives -wal and -shm the mode of the database).
	 */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY,
		  0600);
	if (fd < 0) {
		err = -errno;
		open_fail(why, why_len, "%s: %s", path, strerror(errno));
		bvs_close(s);
		return err;
	}
	close(fd);
	rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
			     SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW, NULL);
	if (rc != SQLITE_OK) {
		err = sqlite_errno(rc);
		open_fail(why, why_len, "%s: %s", path,
			  s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		bvs_close(s);
		return err ? err : -EIO;
	}
	err = setup(s);
	if (err) {
		open_fail(why, why_len, "%s: %s", path, s->err);
		bvs_close(s);
		return err;
	}
	*out = s;
	return 0;
}

void bvs_close(struct bvs *s)
{
	if (!s)
		return;
	for (int i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(s->q[i]);
	if (s->db)
		sqlite3_close(s->db);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	free(s);
}

/* ---- epochs ---- */

int bvs_next_epoch(struct bvs *s, uint32_t first, uint32_t *epoch)
{
	sqlite3_stmt *x;
	uint32_t e;
	int rc, err;

	if (!s || !epoch)
		return -EINVAL;
	/* durable whatever the store's mode: an epoch is never reused */
	if (!s->durable) {
		err = run(s, q(s, Q_SYNC_FULL), "synchronous = FULL");
		if (err)
			return err;
	}
	err = begin(s);
	if (err)
		goto out;
	x = q(s, Q_META_GET);
	sqlite3_bind_text(x, 1, "next_epoch", -1, SQLITE_STATIC);
	rc = sqlite3_step(x);
	if (rc == SQLITE_ROW) {
		sqlite3_int64 v = sqlite3_column_int64(x, 0);
		bool null = sqlite3_column_type(x, 0) == SQLITE_NULL;

		done(x);
		if (null || v < 1 || v > UINT32_MAX) {
			err = rollback(s, fail(s, -EUCLEAN, "meta next_epoch "
					       "is not an epoch"));
			goto out;
		}
		e = (uint32_t)v;
	} else if (rc == SQLITE_DONE) {
		done(x);
		e = first ? first : 1;
	} else {
		done(x);
		err = rollback(s, fail_sql(s, rc, "read next_epoch"));
		goto out;
	}
	x = q(s, Q_META_SET);
	sqlite3_bind_text(x, 1, "next_epoch", -1, SQLITE_STATIC);
	sqlite3_bind_int64(x, 2, e == UINT32_MAX ? 1 : (sqlite3_int64)e + 1);
	err = run(s, x, "store next_epoch");
	if (err) {
		rollback(s, err);
		goto out;
	}
	err = commit(s);
	if (!err)
		*epoch = e;
out:
	if (!s->durable)
		run(s, q(s, Q_SYNC_NORMAL), "synchronous = NORMAL");
	return err;
}

int bvs_epoch_raise(struct bvs *s, uint32_t past)
{
	uint32_t want = past == UINT32_MAX ? 1 : past + 1;
	sqlite3_stmt *x;
	bool have;
	uint32_t cur = 0;
	int rc, err;

	if (!s || !past)
		return -EINVAL;
	err = begin(s);
	if (err)
		return err;
	x = q(s, Q_META_GET);
	sqlite3_bind_text(x, 1, "next_epoch", -1, SQLITE_STATIC);
	rc = sqlite3_step(x);
	have = rc == SQLITE_ROW && sqlite3_column_type(x, 0) != SQLITE_NULL;
	if (have)
		cur = (uint32_t)sqlite3_column_int64(x, 0);
	done(x);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return rollback(s, fail_sql(s, rc, "read next_epoch"));
	/* the next one is already newer than past: nothing to do */
	if (have && !bv_epoch_before(cur, want))
		return rollback(s, 0);
	x = q(s, Q_META_SET);
	sqlite3_bind_text(x, 1, "next_epoch", -1, SQLITE_STATIC);
	sqlite3_bind_int64(x, 2, want);
	err = run(s, x, "store next_epoch");
	if (err)
		return rollback(s, err);
	return commit(s);
}

/* ---- snapshots ---- */

int bvs_recover(struct bvs *s)
{
	sqlite3_stmt *x;
	int err;

	if (!s)
		return -EINVAL;
	x = q(s, Q_RECOVER);
	sqlite3_bind_int64(x, 1, i64(now_ns(CLOCK_REALTIME)));
	err = run(s, x, "mark interrupted snapshots failed");
	return err ? err : sqlite3_changes(s->db);
}

int bvs_snapshot_new(struct bvs *s, uint64_t tau_min_ns, int64_t *id)
{
	sqlite3_stmt *x;
	int err;

	if (!s || !id)
		return -EINVAL;
	x = q(s, Q_SNAP_NEW);
	sqlite3_bind_int64(x, 1, i64(now_ns(CLOCK_REALTIME)));
	sqlite3_bind_int64(x, 2, i64(tau_min_ns));
	err = run(s, x, "create snapshot");
	if (!err)
		*id = sqlite3_last_insert_rowid(s->db);
	return err;
}

int bvs_attempt_add(struct bvs *s, int64_t id, const struct bvs_attempt *a)
{
	sqlite3_stmt *x;
	sqlite3_int64 n;
	int rc, err;

	if (!s || !a)
		return -EINVAL;
	if (!a->epoch)
		return fail(s, -EINVAL, "an attempt needs an epoch");
	err = begin(s);
	if (err)
		return err;
	err = snap_open(s, id);
	if (err)
		return rollback(s, err);
	n = a->n;
	if (!n) {
		x = q(s, Q_ATT_MAXN);
		sqlite3_bind_int64(x, 1, id);
		rc = sqlite3_step(x);
		n = rc == SQLITE_ROW ? sqlite3_column_int64(x, 0) + 1 : 0;
		done(x);
		if (rc != SQLITE_ROW)
			return rollback(s, fail_sql(s, rc, "number attempt"));
	}
	x = q(s, Q_ATT_ADD);
	sqlite3_bind_int64(x, 1, id);
	sqlite3_bind_int64(x, 2, n);
	sqlite3_bind_int64(x, 3, a->epoch);
	sqlite3_bind_int64(x, 4, i64(a->t0_ns));
	sqlite3_bind_int64(x, 5, i64(a->t1_ns));
	sqlite3_bind_text(x, 6, a->verdict, (int)strnlen(a->verdict,
				sizeof(a->verdict)), SQLITE_TRANSIENT);
	sqlite3_bind_text(x, 7, a->reason, (int)strnlen(a->reason,
				sizeof(a->reason)), SQLITE_TRANSIENT);
	if (a->acks)
		sqlite3_bind_text(x, 8, a->acks, -1, SQLITE_TRANSIENT);
	err = run(s, x, "store attempt");
	if (err)
		return rollback(s, err);
	x = q(s, Q_SNAP_ATTEMPTS);
	sqlite3_bind_int64(x, 1, id);
	sqlite3_bind_int64(x, 2, i64(a->t1_ns >= a->t0_ns ?
				     a->t1_ns - a->t0_ns : 0));
	sqlite3_bind_text(x, 3, a->verdict, (int)strnlen(a->verdict,
				sizeof(a->verdict)), SQLITE_TRANSIENT);
	sqlite3_bind_int64(x, 4, a->epoch);
	err = run(s, x, "count attempts");
	if (err)
		return rollback(s, err);
	return commit(s);
}

int bvs_snapshot_set_state(struct bvs *s, int64_t id, enum bvs_state st,
			   const char *reason)
{
	sqlite3_stmt *x;
	int err;

	if (!s)
		return -EINVAL;
	if (st == BVS_ACCEPTED || st < BVS_PENDING || st > BVS_FAILED)
		return fail(s, -EINVAL, "%s: not a state to set (accepted "
			    "only through bvs_snapshot_accept)",
			    bvs_state_name(st));
	err = begin(s);
	if (err)
		return err;
	err = snap_open(s, id);
	if (err)
		return rollback(s, err);
	x = q(s, Q_SNAP_SET);
	sqlite3_bind_int64(x, 1, id);
	sqlite3_bind_text(x, 2, bvs_state_name(st), -1, SQLITE_STATIC);
	if (reason)
		sqlite3_bind_text(x, 3, reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(x, 4, state_final(st) ?
			   i64(now_ns(CLOCK_REALTIME)) : 0);
	err = run(s, x, "set snapshot state");
	if (err)
		return rollback(s, err);
	return commit(s);
}

static char *text_query(struct bvs *s, sqlite3_stmt *x, const char *what);

/* the text of an accepted snapshot's report, inside the transaction */
static char *report_of(struct bvs *s, int64_t id)
{
	sqlite3_stmt *x = q(s, Q_REPORT_GET);

	sqlite3_bind_int64(x, 1, id);
	return text_query(s, x, "report");
}

static int report_set(struct bvs *s, int64_t id, const char *report)
{
	sqlite3_stmt *x = q(s, Q_REPORT_SET);

	sqlite3_bind_int64(x, 1, id);
	sqlite3_bind_text(x, 2, report, -1, SQLITE_STATIC);
	return run(s, x, "amend report");
}

/*
 * Apply entry l to report *text (malloc'd, replaced): 0 applied, 1 left
 * out (the callback could not: its message is logged by it), or -ENOMEM.
 */
static int amend_one(struct bvs *s, char **text, const struct bvs_late *l,
		     bvs_amend_fn amend, void *data)
{
	int err = amend(text, l, data);

	if (err == -ENOMEM)
		return fail(s, err, "amend a report: out of memory");
	return err ? 1 : 0;
}

/* append to *ids the accepted snapshots but id with an epoch in lo..hi */
static int ids_between(struct bvs *s, int64_t id, uint32_t lo, uint32_t hi,
		       int64_t **ids, size_t *n, size_t *cap)
{
	sqlite3_stmt *x = q(s, Q_LATE_RANGE);
	int rc, err = 0;

	sqlite3_bind_int64(x, 1, lo);
	sqlite3_bind_int64(x, 2, hi);
	sqlite3_bind_int64(x, 3, id);
	while ((rc = sqlite3_step(x)) == SQLITE_ROW) {
		if (bv_grow((void **)ids, cap, *n, sizeof(**ids))) {
			err = fail(s, -ENOMEM, "out of memory");
			break;
		}
		(*ids)[(*n)++] = sqlite3_column_int64(x, 0);
	}
	done(x);
	if (!err && rc != SQLITE_DONE)
		err = fail_sql(s, rc, "find snapshots to amend");
	return err;
}

/* entry l is new: amend every other accepted snapshot it was late for */
static int amend_others(struct bvs *s, int64_t id, const struct bvs_late *l,
			bvs_amend_fn amend, void *data, size_t *amended)
{
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	int err;

	/* the ids first: no report is rewritten under a running SELECT */
	if (l->first <= l->last) {
		err = ids_between(s, id, l->first, l->last, &ids, &n, &cap);
	} else {
		/* across the wrap (json.c admits only serial ranges) */
		err = ids_between(s, id, l->first, UINT32_MAX, &ids, &n, &cap);
		if (!err)
			err = ids_between(s, id, 0, l->last, &ids, &n, &cap);
	}
	for (size_t i = 0; !err && i < n; i++) {
		char *text = report_of(s, ids[i]);

		if (!text) {
			err = -EUCLEAN;
			break;
		}
		err = amend_one(s, &text, l, amend, data);
		if (!err) {
			err = report_set(s, ids[i], text);
			*amended += !err;
		}
		err = err < 0 ? err : 0;
		free(text);
	}
	free(ids);
	return err;
}

/* a late entry's peer (schema version 5); :: if it is not 16 bytes */
static struct bv_ip peer_of(sqlite3_stmt *x, int col)
{
	struct bv_ip ip;

	memset(&ip, 0, sizeof(ip));
	if (sqlite3_column_bytes(x, col) == (int)sizeof(ip.a))
		memcpy(&ip.a, sqlite3_column_blob(x, col), sizeof(ip.a));
	return ip;
}

/* the new snapshot: every stored entry late for its epoch, in one text */
static int amend_new(struct bvs *s, int64_t id, uint32_t epoch,
		     const char *report, bvs_amend_fn amend, void *data,
		     size_t *amended)
{
	sqlite3_stmt *x = q(s, Q_LATE_COVER);
	char *text = strdup(report), node[256];
	size_t applied = 0;
	int rc, err = 0;

	if (!text)
		return fail(s, -ENOMEM, "out of memory");
	sqlite3_bind_int64(x, 1, epoch);
	while ((rc = sqlite3_step(x)) == SQLITE_ROW) {
		struct bvs_late l = {
			.node = node,
			.kind = (uint8_t)sqlite3_column_int64(x, 1),
			.peer = peer_of(x, 2),
			.first = (uint32_t)sqlite3_column_int64(x, 3),
			.last = (uint32_t)sqlite3_column_int64(x, 4),
			.arrived = (uint32_t)sqlite3_column_int64(x, 5),
			.pkts = u64(sqlite3_column_int64(x, 6)),
			.bytes = u64(sqlite3_column_int64(x, 7)),
		};

		column_copy(x, 0, node, sizeof(node));
		err = amend_one(s, &text, &l, amend, data);
		if (err < 0)
			break;
		applied += !err;
		err = 0;
	}
	done(x);
	if (!err && rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = fail_sql(s, rc, "read late entries");
	if (!err && applied) {
		err = report_set(s, id, text);
		*amended += !err;
	}
	free(text);
	return err;
}

/* is epoch after the baselines' (or are there none)? */
static bool baselines_newer(struct bvs *s, uint32_t epoch)
{
	sqlite3_stmt *x = q(s, Q_META_GET);
	uint32_t last = 0;
	int rc;

	sqlite3_bind_text(x, 1, "last_accepted_epoch", -1, SQLITE_STATIC);
	rc = sqlite3_step(x);
	if (rc == SQLITE_ROW)
		last = (uint32_t)sqlite3_column_int64(x, 0);
	done(x);
	return !last || bv_epoch_after(epoch, last);
}

/* meta key = v, inside the caller's transaction */
static int meta_set_int(struct bvs *s, const char *key, int64_t v)
{
	sqlite3_stmt *x = q(s, Q_META_SET);

	sqlite3_bind_text(x, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(x, 2, v);
	return run(s, x, key);
}

int bvs_snapshot_accept(struct bvs *s, int64_t id, uint32_t epoch,
			uint64_t bound_ns, size_t n, const char *const *nodes,
			const char *const *records, const char *report)
{
	return bvs_snapshot_accept_late(s, id, epoch, bound_ns, n, nodes,
					records, report, NULL, 0, NULL, NULL,
					NULL);
}

int bvs_snapshot_accept_late(struct bvs *s, int64_t id, uint32_t epoch,
			     uint64_t bound_ns, size_t n,
			     const char *const *nodes,
			     const char *const *records, const char *report,
			     const struct bvs_late *lates, size_t n_lates,
			     bvs_amend_fn amend, void *data, size_t *amended)
{
	size_t count = 0;
	sqlite3_stmt *x;
	bool moved;
	int err;

	if (!s)
		return -EINVAL;
	if (amended)
		*amended = 0;
	if (!epoch || !report || (n && (!nodes || !records)))
		return fail(s, -EINVAL, "accept needs an epoch, a report and "
			    "the records");
	if (n_lates && (!lates || !amend))
		return fail(s, -EINVAL, "late entries need a way to amend");
	for (size_t i = 0; i < n_lates; i++)
		if (!lates[i].node || !*lates[i].node)
			return fail(s, -EINVAL, "late entry %zu has no node", i);
	for (size_t i = 0; i < n; i++)
		if (!nodes[i] || !*nodes[i] || !records[i])
			return fail(s, -EINVAL, "record %zu has no node or no "
				    "text", i);
	err = begin(s);
	if (err)
		return err;
	err = snap_open(s, id);
	if (err)
		return rollback(s, err);
	for (size_t i = 0; i < n; i++) {
		x = q(s, Q_REC_ADD);
		sqlite3_bind_int64(x, 1, id);
		sqlite3_bind_text(x, 2, nodes[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(x, 3, epoch);
		sqlite3_bind_text(x, 4, records[i], -1, SQLITE_STATIC);
		err = run(s, x, "store member record");
		if (err) {
			if (err == -EEXIST)
				fail(s, err, "two records for node %s",
				     nodes[i]);
			return rollback(s, err);
		}
		FAULT("accept-record");
	}
	x = q(s, Q_SNAP_ACCEPT);
	sqlite3_bind_int64(x, 1, id);
	sqlite3_bind_int64(x, 2, epoch);
	sqlite3_bind_int64(x, 3, i64(bound_ns));
	sqlite3_bind_text(x, 4, report, -1, SQLITE_STATIC);
	sqlite3_bind_int64(x, 5, i64(now_ns(CLOCK_REALTIME)));
	err = run(s, x, "mark snapshot accepted");
	if (err)
		return rollback(s, err);
	/*
	 * This snapshot is the baseline of the next one's per-interval
	 * counts: every member it has a record of, and only those (a member
	 * absent now has no baseline next time). Unless a snapshot of a
	 * later epoch was accepted first (they ran at once): the baselines
	 * only move forward.
	 */
	err = baselines_newer(s, epoch) ? 0 : -EALREADY;
	if (!err)
		err = run(s, q(s, Q_BASE_CLEAR), "clear the baselines");
	if (!err) {
		x = q(s, Q_BASE_PUT);
		sqlite3_bind_int64(x, 1, id);
		sqlite3_bind_int64(x, 2, epoch);
		sqlite3_bind_text(x, 3, report, -1, SQLITE_STATIC);
		err = run(s, x, "store the baselines");
	}
	if (!err)
		err = meta_set_int(s, "last_accepted", id);
	if (!err)
		err = meta_set_int(s, "last_accepted_epoch", epoch);
	if (err && err != -EALREADY)
		return rollback(s, err);
	moved = !err;
	/*
	 * Late entries, in the same transaction (each applied exactly once,
	 * crash or not): a new one amends the accepted snapshots it names;
	 * then this snapshot takes every stored one naming its epoch, which
	 * covers entries that came before it was accepted.
	 */
	for (size_t i = 0; i < n_lates; i++) {
		const struct bvs_late *l = &lates[i];

		x = q(s, Q_LATE_ADD);
		sqlite3_bind_text(x, 1, l->node, -1, SQLITE_STATIC);
		sqlite3_bind_int64(x, 2, l->kind);
		sqlite3_bind_blob(x, 3, &l->peer.a, sizeof(l->peer.a),
				  SQLITE_STATIC);
		sqlite3_bind_int64(x, 4, l->first);
		sqlite3_bind_int64(x, 5, l->last);
		sqlite3_bind_int64(x, 6, l->arrived);
		sqlite3_bind_int64(x, 7, i64(l->pkts));
		sqlite3_bind_int64(x, 8, i64(l->bytes));
		sqlite3_bind_int64(x, 9, id);
		err = run(s, x, "store late entry");
		if (!err && sqlite3_changes(s->db) == 1)
			err = amend_others(s, id, l, amend, data, &count);
		if (err)
			return rollback(s, err);
	}
	if (amend) {
		err = amend_new(s, id, epoch, report, amend, data, &count);
		if (err)
			return rollback(s, err);
	}
	/* its channels, from its report as the late entries left it */
	if (moved) {
		err = run(s, q(s, Q_CHAN_BASE_CLEAR), "clear the channel baselines");
		if (!err) {
			x = q(s, Q_CHAN_BASE_PUT);
			sqlite3_bind_int64(x, 1, id);
			err = run(s, x, "store the channel baselines");
		}
		if (err)
			return rollback(s, err);
	}
	FAULT("accept-before-commit");
	err = commit(s);
	if (!err && amended)
		*amended = count;
	return err;
}

static int snap_row(sqlite3_stmt *x, struct bvs_snapshot *o)
{
	memset(o, 0, sizeof(*o));
	o->id = sqlite3_column_int64(x, 0);
	if (state_parse((const char *)sqlite3_column_text(x, 1), &o->state))
		return -EUCLEAN;
	column_copy(x, 2, o->reason, sizeof(o->reason));
	o->created_ns = u64(sqlite3_column_int64(x, 3));
	o->finished_ns = u64(sqlite3_column_int64(x, 4));
	o->epoch = (uint32_t)sqlite3_column_int64(x, 5);
	o->tau_min_ns = u64(sqlite3_column_int64(x, 6));
	o->bound_ns = u64(sqlite3_column_int64(x, 7));
	o->n_attempts = (uint32_t)sqlite3_column_int64(x, 8);
	return 0;
}

int bvs_snapshot_get(struct bvs *s, int64_t id, struct bvs_snapshot *out)
{
	sqlite3_stmt *x;
	int rc, err = 0;

	if (!s || !out)
		return -EINVAL;
	x = q(s, Q_SNAP_GET);
	sqlite3_bind_int64(x, 1, id);
	rc = sqlite3_step(x);
	if (rc == SQLITE_ROW) {
		if (snap_row(x, out))
			err = fail(s, -EUCLEAN, "snapshot %lld has an unknown "
				   "state", (long long)id);
	} else if (rc == SQLITE_DONE) {
		err = fail(s, -ENOENT, "no snapshot %lld", (long long)id);
	} else {
		err = fail_sql(s, rc, "read snapshot");
	}
	done(x);
	return err;
}

int bvs_snapshot_list(struct bvs *s, struct bvs_snapshot *out, size_t max,
		      int64_t before_id)
{
	sqlite3_stmt *x;
	int rc, n = 0;

	if (!s || (!out && max))
		return -EINVAL;
	if (!max)
		return 0;
	if (max > INT_MAX)
		max = INT_MAX;
	x = q(s, Q_SNAP_LIST);
	sqlite3_bind_int64(x, 1, before_id > 0 ? before_id : INT64_MAX);
	sqlite3_bind_int64(x, 2, (sqlite3_int64)max);
	while ((rc = sqlite3_step(x)) == SQLITE_ROW) {
		if (snap_row(x, &out[n])) {
			done(x);
			return fail(s, -EUCLEAN, "a snapshot has an unknown "
				    "state");
		}
		n++;
	}
	done(x);
	if (rc != SQLITE_DONE)
		return fail_sql(s, rc, "list snapshots");
	return n;
}

int bvs_attempts_get(struct bvs *s, int64_t id, struct bvs_attempt *out,
		     size_t max)
{
	enum bvs_state st;
	sqlite3_stmt *x;
	int rc, n = 0, err;

	if (!s || (!out && max))
		return -EINVAL;
	err = snap_state(s, id, &st);
	if (err || !max)
		return err;
	if (max > INT_MAX)
		max = INT_MAX;
	x = q(s, Q_ATT_GET);
	sqlite3_bind_int64(x, 1, id);
	sqlite3_bind_int64(x, 2, (sqlite3_int64)max);
	while ((rc = sqlite3_step(x)) == SQLITE_ROW) {
		struct bvs_attempt *a = &out[n++];

		memset(a, 0, sizeof(*a));
		a->n = (uint32_t)sqlite3_column_int64(x, 0);
		a->epoch = (uint32_t)sqlite3_column_int64(x, 1);
		a->t0_ns = u64(sqlite3_column_int64(x, 2));
		a->t1_ns = u64(sqlite3_column_int64(x, 3));
		column_copy(x, 4, a->verdict, sizeof(a->verdict));
		column_copy(x, 5, a->reason, sizeof(a->reason));
		if (sqlite3_column_type(x, 6) != SQLITE_NULL) {
			a->acks = column_dup(x, 6);
			if (!a->acks)
				rc = SQLITE_NOMEM;
		}
		if (rc == SQLITE_NOMEM)
			break;
	}
	done(x);
	if (rc != SQLITE_DONE) {
		bvs_attempts_free(out, (size_t)n);
		return rc == SQLITE_NOMEM ? fail(s, -ENOMEM, "read attempts: "
						 "out of memory") :
		       fail_sql(s, rc, "read attempts");
	}
	return n;
}


/* the text column of a one-row query, malloc'd; NULL if none */
static char *text_query(struct bvs *s, sqlite3_stmt *x, const char *what)
{
	char *t = NULL;
	int rc = sqlite3_step(x);

	if (rc == SQLITE_ROW) {
		if (sqlite3_column_type(x, 0) == SQLITE_NULL) {
			fail(s, -ENOENT, "%s: none stored", what);
		} else {
			t = column_dup(x, 0);
			if (!t)
				fail(s, -ENOMEM, "%s: out of memory", what);
		}
	} else if (rc == SQLITE_DONE) {
		fail(s, -ENOENT, "%s: not found", what);
	} else {
		fail_sql(s, rc, what);
	}
	done(x);
	return t;
}

char *bvs_report_get(struct bvs *s, int64_t id)
{
	sqlite3_stmt *x;

	if (!s)
		return NULL;
	x = q(s, Q_REPORT_GET);
	sqlite3_bind_int64(x, 1, id);
	return text_query(s, x, "report");
}

char *bvs_member_record_get(struct bvs *s, int64_t id, const char *node)
{
	sqlite3_stmt *x;

	if (!s || !node)
		return NULL;
	x = q(s, Q_REC_GET);
	sqlite3_bind_int64(x, 1, id);
	sqlite3_bind_text(x, 2, node, -1, SQLITE_STATIC);
	return text_query(s, x, "member record");
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

int bvs_member_nodes(struct bvs *s, int64_t id, char ***nodes, size_t *n)
{
	enum bvs_state st;
	sqlite3_stmt *x;
	char **arr = NULL;
	size_t count = 0, cap = 0;
	int rc, err;

	if (!s || !nodes || !n)
		return -EINVAL;
	*nodes = NULL;
	*n = 0;
	err = snap_state(s, id, &st);
	if (err)
		return err;
	x = q(s, Q_REC_NODES);
	sqlite3_bind_int64(x, 1, id);
	while ((rc = sqlite3_step(x)) == SQLITE_ROW) {
		if (bv_grow((void **)&arr, &cap, count, sizeof(*arr))) {
			err = fail(s, -ENOMEM, "out of memory");
			break;
		}
		arr[count] = column_dup(x, 0);
		if (!arr[count]) {
			err = fail(s, -ENOMEM, "out of memory");
			break;
		}
		count++;
	}
	done(x);
	if (!err && rc != SQLITE_DONE)
		err = fail_sql(s, rc, "list member records");
	if (err) {
		free_names(arr, count);
		return err;
	}
	*nodes = arr;
	*n = count;
	return 0;
}

/* ---- baselines of the per-interval counts ---- */

/* the channel baselines into b: SQLITE_DONE, or the failing code */
static int chan_baselines_get(struct bvs *s, struct bvs_baselines *b)
{
	sqlite3_stmt *x = q(s, Q_CHAN_BASE_ALL);
	size_t cap = 0;
	int rc;

	while ((rc = sqlite3_step(x)) == SQLITE_ROW) {
		struct bvs_chan_base *v;

		if (bv_grow((void **)&b->chans, &cap, b->n_chans,
			    sizeof(*b->chans))) {
			rc = SQLITE_NOMEM;
			break;
		}
		v = &b->chans[b->n_chans];
		memset(v, 0, sizeof(*v));
		v->from = column_dup(x, 0);
		v->to = column_dup(x, 1);
		if (!v->from || !v->to) {
			free(v->from);
			free(v->to);
			rc = SQLITE_NOMEM;
			break;
		}
		b->n_chans++;
		v->v4 = sqlite3_column_int64(x, 2) != 0;
		v->sent = u64(sqlite3_column_int64(x, 3));
		v->received = u64(sqlite3_column_int64(x, 4));
		/* NULL (counts that were not integers): it checks nothing */
		v->has_offset = sqlite3_column_type(x, 5) == SQLITE_INTEGER &&
				sqlite3_column_type(x, 6) == SQLITE_INTEGER;
		v->imbalance = sqlite3_column_int64(x, 5);
		v->offset = sqlite3_column_int64(x, 6);
		v->has_prev_imbalance =
			sqlite3_column_type(x, 7) == SQLITE_INTEGER;
		v->prev_imbalance = sqlite3_column_int64(x, 7);
		v->confirmed = sqlite3_column_int64(x, 8) != 0;
		v->prev_flagged = sqlite3_column_int64(x, 9) != 0;
	}
	done(x);
	return rc;
}
int bvs_baselines_get(struct bvs *s, struct bvs_baselines *b)
{
	sqlite3_stmt *x;
	size_t cap = 0;
	int rc;

	if (!s || !b)
		return -EINVAL;
	memset(b, 0, sizeof(*b));
	x = q(s, Q_META_GET);
	sqlite3_bind_text(x, 1, "last_accepted", -1, SQLITE_STATIC);
	rc = sqlite3_step(x);
	if (rc == SQLITE_ROW)
		b->prev_id = sqlite3_column_int64(x, 0);
	done(x);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail_sql(s, rc, "read last_accepted");
	x = q(s, Q_META_GET);
	sqlite3_bind_text(x, 1, "last_accepted_epoch", -1, SQLITE_STATIC);
	rc = sqlite3_step(x);
	if (rc == SQLITE_ROW)
		b->prev_epoch = (uint32_t)sqlite3_column_int64(x, 0);
	done(x);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail_sql(s, rc, "read last_accepted_epoch");
	x = q(s, Q_BASE_ALL);
	while ((rc = sqlite3_step(x)) == SQLITE_ROW) {
		struct bvs_base *v;

		if (bv_grow((void **)&b->v, &cap, b->n, sizeof(*b->v))) {
			rc = SQLITE_NOMEM;
			break;
		}
		v = &b->v[b->n];
		memset(v, 0, sizeof(*v));
		v->node = column_dup(x, 0);
		if (!v->node) {
			rc = SQLITE_NOMEM;
			break;
		}
		b->n++;
		v->snapshot_id = sqlite3_column_int64(x, 1);
		v->epoch = (uint32_t)sqlite3_column_int64(x, 2);
		/* NULL (a report before the field) or not an integer: unknown */
		v->has_pkts = sqlite3_column_type(x, 3) == SQLITE_INTEGER;
		v->bypass = v->has_pkts ? u64(sqlite3_column_int64(x, 3)) : 0;
		v->has_bytes = sqlite3_column_type(x, 4) == SQLITE_INTEGER;
		v->bypass_bytes = v->has_bytes ?
				  u64(sqlite3_column_int64(x, 4)) : 0;
		v->has_unstamped =
			sqlite3_column_type(x, 5) == SQLITE_INTEGER &&
			sqlite3_column_type(x, 6) == SQLITE_INTEGER;
		if (v->has_unstamped) {
			v->tx_unstamped = u64(sqlite3_column_int64(x, 5));
			v->rx_unstamped = u64(sqlite3_column_int64(x, 6));
		}
		v->has_since = sqlite3_column_type(x, 7) == SQLITE_INTEGER;
		v->since_ns = v->has_since ? u64(sqlite3_column_int64(x, 7)) : 0;
		v->flagged = sqlite3_column_int64(x, 8) != 0;
	}
	done(x);
	if (rc == SQLITE_DONE)
		rc = chan_baselines_get(s, b);
	if (rc != SQLITE_DONE) {
		bvs_baselines_free(b);
		return rc == SQLITE_NOMEM ? fail(s, -ENOMEM, "read baselines: "
						 "out of memory") :
		       fail_sql(s, rc, "read baselines");
	}
	return 0;
}

void bvs_baselines_free(struct bvs_baselines *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++)
		free(b->v[i].node);
	free(b->v);
	for (size_t i = 0; i < b->n_chans; i++) {
		free(b->chans[i].from);
		free(b->chans[i].to);
	}
	free(b->chans);
	memset(b, 0, sizeof(*b));
}

/* ---- member side ---- */

int bvs_local_put(struct bvs *s, uint32_t epoch, const char *record)
{
	sqlite3_stmt *x;

	if (!s)
		return -EINVAL;
	if (!epoch || !record)
		return fail(s, -EINVAL, "a local record needs an epoch and "
			    "a text");
	x = q(s, Q_LOCAL_PUT);
	sqlite3_bind_int64(x, 1, epoch);
	sqlite3_bind_text(x, 2, record, -1, SQLITE_STATIC);
	return run(s, x, "store local record");
}

char *bvs_local_get(struct bvs *s, uint32_t epoch)
{
	sqlite3_stmt *x;

	if (!s)
		return NULL;
	x = q(s, Q_LOCAL_GET);
	sqlite3_bind_int64(x, 1, epoch);
	return text_query(s, x, "local record");
}

int bvs_local_release(struct bvs *s, uint32_t upto)
{
	sqlite3_stmt *x;
	int err;

	if (!s)
		return -EINVAL;
	if (!upto)
		return 0;	/* epoch 0: nothing is that old */
	x = q(s, Q_LOCAL_RELEASE);
	sqlite3_bind_int64(x, 1, upto);
	err = run(s, x, "release local records");
	return err ? err : sqlite3_changes(s->db);
}

/* ---- control-plane replay state (peer.c) ---- */

/* meta key as an unsigned number: 0 if it is not set */
static int meta_get_u64(struct bvs *s, const char *key, uint64_t *v)
{
	sqlite3_stmt *x;
	int rc;

	if (!s || !v)
		return -EINVAL;
	*v = 0;
	x = q(s, Q_META_GET);
	sqlite3_bind_text(x, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(x);
	if (rc == SQLITE_ROW)
		*v = u64(sqlite3_column_int64(x, 0));
	done(x);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail_sql(s, rc, key);
	return 0;
}

int bvs_seq_floor_get(struct bvs *s, uint64_t *floor)
{
	return meta_get_u64(s, "seq_floor", floor);
}

int bvs_seq_floor_set(struct bvs *s, uint64_t floor)
{
	int err;

	if (!s)
		return -EINVAL;
	/* durable whatever the store's mode, like the epoch counter */
	if (!s->durable) {
		err = run(s, q(s, Q_SYNC_FULL), "synchronous = FULL");
		if (err)
			return err;
	}
	err = meta_set_int(s, "seq_floor", i64(floor));
	if (!s->durable)
		run(s, q(s, Q_SYNC_NORMAL), "synchronous = NORMAL");
	return err;
}

/* the floor of the seqs the gateway's module uses (fastpath.h) */
int bvs_module_seq_floor_get(struct bvs *s, uint64_t *floor)
{
	return meta_get_u64(s, "module_seq_floor", floor);
}

int bvs_module_seq_floor_set(struct bvs *s, uint64_t floor)
{
	if (!s)
		return -EINVAL;
	return meta_set_int(s, "module_seq_floor", i64(floor));
}

int bvs_replay_save(struct bvs *s, const uint32_t *senders,
		    const uint64_t *tops, size_t n)
{
	int err;

	if (!s || (n && (!senders || !tops)))
		return -EINVAL;
	err = begin(s);
	for (size_t i = 0; !err && i < n; i++) {
		sqlite3_stmt *x = q(s, Q_REPLAY_SET);

		sqlite3_bind_int64(x, 1, senders[i]);
		sqlite3_bind_int64(x, 2, i64(tops[i]));
		err = run(s, x, "store replay state");
	}
	if (err)
		return rollback(s, err);
	return commit(s);
}

int bvs_replay_load(struct bvs *s,
		    void (*cb)(uint32_t sender, uint64_t top, void *data),
		    void *data)
{
	sqlite3_stmt *x;
	int rc;

	if (!s || !cb)
		return -EINVAL;
	x = q(s, Q_REPLAY_ALL);
	while ((rc = sqlite3_step(x)) == SQLITE_ROW) {
		sqlite3_int64 sender = sqlite3_column_int64(x, 0);

		if (sender >= 0 && sender <= UINT32_MAX)
			cb((uint32_t)sender, u64(sqlite3_column_int64(x, 1)),
			   data);
	}
	done(x);
	return rc == SQLITE_DONE ? 0 : fail_sql(s, rc, "read replay state");
}

/* ---- retention ---- */

int bvs_prune(struct bvs *s, uint64_t keep, uint64_t before_ns,
	      uint64_t *deleted)
{
	static const enum stmt_id order[] = {
		Q_PRUNE_LATES, Q_PRUNE_RECORDS, Q_PRUNE_ATTEMPTS,
		Q_PRUNE_SNAPSHOTS,
	};
	int err;

	if (deleted)
		*deleted = 0;
	if (!s || keep > INT64_MAX || before_ns > INT64_MAX)
		return -EINVAL;
	if (!keep && !before_ns)
		return 0;
	err = begin(s);
	if (err)
		return err;
	/* children first: the same victims each time, inside one transaction */
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		sqlite3_stmt *x = q(s, order[i]);

		sqlite3_bind_int64(x, 1, (sqlite3_int64)keep);
		sqlite3_bind_int64(x, 2, i64(before_ns));
		err = run(s, x, "prune snapshots");
		if (err)
			return rollback(s, err);
	}
	if (deleted)
		*deleted = (uint64_t)sqlite3_changes(s->db);
	return commit(s);
}
