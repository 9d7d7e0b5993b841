// SPDX-License-Identifier: GPL-2.0
/*
 * bvoracle: the consistency oracle (docs/oracle.md, DESIGN.md §7).
 *
 * Reads `beaverctl export ID` documents (beaver-snapshot/1, one after the
 * other, as a shell loop concatenates them) and checks every accepted
 * snapshot from nothing but the members' records:
 *
 *   - external chains A -> out-group X -> gateway VIP -> B: B may not have
 *     received from X before its cut more than A had sent to X before A's
 *     (less what never reached B); with the applications' logs, also no
 *     message B's application got before B's cut that A's application
 *     sent after A's cut;
 *   - OGM: the accepted attempt's t1 - t0 is below tau_min, and every
 *     gateway acknowledged it by moving to its epoch inside [t0, t1];
 *   - direct channels F -> T: sent = received + in flight + lost, lost
 *     being what the test itself dropped (listed by the receiving program);
 *   - completeness: an accepted snapshot whose records cannot support the
 *     checks is unverifiable, which fails the run like a violation.
 *
 *   bvoracle [--chain SPEC]... [--tcp-base ID] [--lost SPEC]...
 *            [--gateways G,...] [--one-clock] [--detail FILE] [--quiet]
 *            [FILE...]
 *
 * See usage_text for every option and the output. Exit: 0 every accepted
 * snapshot checked and consistent (at least one), 1 a violation, an
 * unverifiable snapshot or nothing checked, 2 usage, 3 input error. Every
 * error that is not a verdict exits 3, never 1: a control experiment
 * expects 1, and must not pass because the oracle broke.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>

#include "bvip.h"	/* addresses of either family, compared as bytes */
#include "serial.h"	/* the oracle's own epoch order, not the module's */
#include "toolkit.h"

#define SCHEMA		"beaver-snapshot/1"
#define MAX_SHOWN	20		/* problems listed on stderr */
#define PROTO_TCP	6
#define PROTO_UDP	17
#define CPU_MERGED	UINT32_MAX	/* a flow or channel without "cpu" */

static const char usage_text[] =
"usage: bvoracle [--chain SPEC]... [--tcp-base ID] [--lost SPEC]...\n"
"                [--gateways G,...] [--one-clock] [--detail FILE] [--quiet]\n"
"                [FILE...]\n"
"  Reads `beaverctl export ID` documents (beaver-snapshot/1, concatenated)\n"
"  from the FILEs (`-` or none: stdin) and checks every accepted snapshot.\n"
"  --chain name=NAME,proto=udp|tcp,a=NODE,x=ADDR,port=PORT,b=NODE,sport=SPORT\n"
"          [,xb=ADDR][,lmin_ms=MS][,lost=FILE][,sendlog=FILE,recvlog=FILE]\n"
"      an external causal chain: member a sends to the out-group host\n"
"      ADDR:PORT, which sends on, from port SPORT, to a gateway VIP that\n"
"      delivers to member b. sent = a's flows to ADDR:PORT, received = b's\n"
"      flows from ADDR:SPORT (any local address: the VIP under direct\n"
"      routing, b's own under NAT), both at the cut; udp in datagrams\n"
"      (tx_pkts, rx_pkts), tcp in bytes (tx_seq, rx_seq against\n"
"      --tcp-base). A flow that is missing on either side, or a tcp flow\n"
"      without its sequence number, makes the snapshot unverifiable: a\n"
"      chain that is not there is never counted as 0. Violation: received\n"
"      > sent - lost. Repeatable.\n"
"      xb: x's address as b sees it, when x sends on in the other family\n"
"      (a mixed chain: a -> x over IPv6, x -> VIP -> b over IPv4); default x.\n"
"      lmin_ms: the chain's shortest possible latency a -> x -> b (the\n"
"      delays the test put on it); with --one-clock, a snapshot straddles\n"
"      the chain when b's cut came more than that after a's (with the logs:\n"
"      more than the larger of lmin_ms and the fastest message in them).\n"
"      lost (udp): the numbers (1, 2, ... in send order, one per line) of\n"
"      a's datagrams that never reached b's application; those among the\n"
"      first `sent` are subtracted from sent.\n"
"      sendlog, recvlog (with --one-clock): `NUMBER NS` lines of a's sender\n"
"      (each message's number and the CLOCK_MONOTONIC instant just before\n"
"      it was handed to the kernel) and of b's receiver (the instant after\n"
"      it came out of the kernel): the application-level check, which uses\n"
"      no counter of Beaver's: a message b's application had before b's\n"
"      cut (cut.ns) must have been sent by a's before a's cut.\n"
"  --tcp-base ID\n"
"      the snapshot (in the input) taken while every tcp chain was connected\n"
"      but no data had flowed: its a's tx_seq and b's rx_seq are the zero.\n"
"      Required with a tcp chain; snapshots with a smaller id are\n"
"      unverifiable, and a chain may carry less than 2 GiB after it.\n"
"  --lost F>T=FILE,port=PORT\n"
"      FILE lists, one per line, the numbers of the datagrams of the\n"
"      numbered udp stream F -> T:PORT (numbered 1, 2, ... in send order)\n"
"      that T never received. With S = F's udp flows to T:PORT (tx_pkts),\n"
"      the numbers <= S are the losses of channel F>T. Repeatable.\n"
"  --gateways G,...\n"
"      the group's gateways: the accepted attempt of every accepted\n"
"      snapshot must hold an acknowledgement from each (attempt.acks), with\n"
"      no error, received inside [t0, t1], showing that the gateway began\n"
"      marking the epoch E or a later one inside the window: advanced from\n"
"      an older epoch to E, or found at a later epoch N that an attempt of\n"
"      the input started after this t0 was given (a parallel snapshot's\n"
"      advance overtook this one); else an OGM violation.\n"
"  --one-clock\n"
"      every instant in the documents and logs is on one clock (the VM\n"
"      bench: namespaces of one kernel). Enables the straddle figures, the\n"
"      application-level check, and the check that every gateway's switch\n"
"      instant lies inside [t0, t1].\n"
"  --detail FILE  one line per document: `id I epoch E state S`, then for an\n"
"      accepted one `NAME=sent/received` per chain, `F>T=sent/received/\n"
"      inflight/lost[/lateN]` per checked channel (lateN: the report's\n"
"      late, when not 0), and `ok`, `VIOLATION what` or\n"
"      `UNVERIFIABLE why`.\n"
"  --quiet        nothing on stderr but errors (default: the first 20\n"
"      problems, notes, and one line per chain).\n"
"Checks of an accepted snapshot. First every member of report.members and\n"
"every chain node must have a record of the snapshot's epoch whose cut is\n"
"`complete`, covers that epoch (first <= epoch <= last: one cut may serve\n"
"several epochs) and is not flagged `incomplete`; else UNVERIFIABLE. Then:\n"
"  OGM: exactly one attempt has the snapshot's epoch, its verdict is\n"
"      accepted, both t0 and t1 are known and t1 - t0 < tau_min_ns.\n"
"  chains: received <= sent - lost; the application-level check.\n"
"  channels: for every ordered pair F, T of report members (address from\n"
"      the report): sent (F's `member` channels to T, tx_pkts) = received\n"
"      (T's from F, rx_pkts) + inflight (T's from F, inflight_pkts) + lost\n"
"      + late (the report's channel F -> T, late: packets that arrived after\n"
"      T's record closed, which the coordinator adds when later records\n"
"      report them; absent is 0); pairs where all five are 0 are skipped.\n"
"      Per address family: a dual-stack member's addresses are the report's\n"
"      addresses (else address); F's channels to T's IPv4 addresses against\n"
"      T's from F's IPv4 ones, then the same for IPv6 (the report channel\n"
"      with family ipv6; --detail names it F>T~6).\n"
"  Addresses: IPv4 or IPv6 (--chain x too); IPv6 with a port as [A]:PORT.\n"
"output: one line on stdout,\n"
"  documents N accepted N rejected N failed N other N checked N\n"
"  violations N chain_violations N balance_violations N ogm_violations N\n"
"  app_violations N unverifiable N violations_udp N violations_tcp N\n"
"  straddled N app_checked N max_excess N max_sent N attempts N\n"
"  rejected_attempts N timeout_attempts N bound_median_us N bound_p99_us N\n"
"  bound_max_us N tau_min_us N pairs_checked N inflight N lost N late N\n"
"  then for each chain NAME: NAME.checked N NAME.violations N\n"
"  NAME.app_violations N NAME.straddled N NAME.received_pos N NAME.gap_p50 N\n"
"  NAME.gap_max N NAME.lost N NAME.lmin_us N\n"
"  checked: accepted and verifiable; violations, unverifiable: snapshots;\n"
"  violations_udp, violations_tcp: snapshots with a violation on a chain of\n"
"  that protocol (kernel counters or applications); chain_violations,\n"
"  balance_violations, ogm_violations, app_violations: failed checks;\n"
"  straddled: snapshots in which some chain's b cut more than its lmin_ms\n"
"  after a (-: no --one-clock); NAME.received_pos: snapshots in which b had\n"
"  received something of the chain; NAME.gap_p50, gap_max: sent - lost -\n"
"  received over the checked snapshots (may be negative); max_excess: the\n"
"  largest received - (sent - lost) of any chain, max_sent: the largest sent;\n"
"  attempts over every document, bounds (t1 - t0 of attempts with both\n"
"  instants, quantile: index round(q(n-1))) and tau_min (the smallest)\n"
"  truncated to us. `-`: no value (no chain, bound or document).\n"
"exit: 0 checked > 0 and no violation or unverifiable snapshot, 1 otherwise,\n"
"  2 usage, 3 input or internal error (unreadable, malformed, wrong schema,\n"
"  no base; never 1, which is a verdict)\n";

/* tk_die() exits 3, not 1: that is a verdict (see the top of the file) */
const struct tk_tool tk_tool = {
	.name = "bvoracle",
	.fail_status = 3,
	.num_base = 10,
	.num_quotes_all = true,
};

static bool quiet;

/* where input errors point: "FILE:LINE (snapshot ID)" */
static char ctx[512];

static noreturn void input_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static noreturn void input_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bvoracle: ");
	if (ctx[0])
		fprintf(stderr, "%s: ", ctx);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(3);
}

/*
 * In a SAN=1 build a sanitizer's report ends the run with its exit code,
 * 1 by default: that must not read as a verdict either. (Unused, and
 * harmless, in a plain build.)
 */
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);

const char *__asan_default_options(void)
{
	return "exitcode=3";
}

const char *__ubsan_default_options(void)
{
	return "exitcode=3";
}

static void *xrealloc(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		tk_die("out of memory");
	}
	p = realloc(p, n && size ? n * size : 1);
	if (!p)
		tk_die("out of memory");
	return p;
}

/* room for element n of *p: doubling, so a long list costs O(n) */
static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 64;
	return xrealloc(p, *cap, size);
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		tk_die("out of memory");
	return d;
}

/* IPv4 dotted, IPv6 RFC 5952; with @port, IPv6 in brackets ([a]:port) */
static const char *ntoa_(const struct bv_ip *a, char buf[BV_IP_STRLEN + 2],
			 bool port)
{
	char t[BV_IP_STRLEN];

	bv_ip_ntop(a, t);
	snprintf(buf, BV_IP_STRLEN + 2, port && !bv_ip_is4(a) ? "[%s]" : "%s",
		 t);
	return buf;
}

#define ntoa(a, buf) ntoa_((a), (buf), false)
#define ntoa_host(a, buf) ntoa_((a), (buf), true)
#define ADDR_BUF (BV_IP_STRLEN + 2)

/* --- growing strings ----------------------------------------------------- */

struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		tk_die("vsnprintf");
	if (b->len + (size_t)n + 1 > b->cap) {
		b->cap = (b->len + (size_t)n + 1) * 2;
		b->s = xrealloc(b->s, b->cap, 1);
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* "; " between the items of a list */
static void sb_sep(struct sbuf *b)
{
	if (b->len)
		sb_printf(b, "; ");
}

static const char *sb_str(const struct sbuf *b)
{
	return b->len ? b->s : "";
}

/* --- JSON fields ----------------------------------------------------------- */

/*
 * A counter is a JSON integer, or a decimal string above 2^63-1
 * (docs/json-schema.md): accept both, as beaverd's reader does.
 */
static bool as_u64(const json_t *j, uint64_t *v)
{
	const char *s;
	size_t n;
	uint64_t x = 0;

	if (json_is_integer(j)) {
		if (json_integer_value(j) < 0)
			return false;
		*v = (uint64_t)json_integer_value(j);
		return true;
	}
	if (!json_is_string(j))
		return false;
	s = json_string_value(j);
	n = json_string_length(j);
	if (n == 0 || n > 20 || (s[0] == '0' && n > 1))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned int d;

		if (s[i] < '0' || s[i] > '9')
			return false;
		d = (unsigned int)(s[i] - '0');
		if (x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*v = x;
	return true;
}

static uint64_t need_num(const json_t *o, const char *w, const char *key,
			 uint64_t max)
{
	const json_t *j = json_object_get(o, key);
	uint64_t v;

	if (!j)
		input_error("%s%s%s: missing", w, *w ? "." : "", key);
	if (!as_u64(j, &v))
		input_error("%s%s%s: not a non-negative integer", w,
			    *w ? "." : "", key);
	if (v > max)
		input_error("%s%s%s: %" PRIu64 " is out of range", w,
			    *w ? "." : "", key, v);
	return v;
}

/* an optional number: false if absent or null */
static bool opt_num(const json_t *o, const char *w, const char *key,
		    uint64_t max, uint64_t *v)
{
	const json_t *j = json_object_get(o, key);

	if (!j || json_is_null(j))
		return false;
	*v = need_num(o, w, key, max);
	return true;
}

static const char *need_str(const json_t *o, const char *w, const char *key)
{
	const json_t *j = json_object_get(o, key);

	if (!json_is_string(j) ||
	    strlen(json_string_value(j)) != json_string_length(j))
		input_error("%s%s%s: missing or not a string", w,
			    *w ? "." : "", key);
	return json_string_value(j);
}

/* IPv4 (dotted quad) or IPv6 text; IPv4-mapped IPv6 text is refused */
static struct bv_ip parse_addr(const char *s, bool *ok)
{
	struct bv_ip a;
	int af = bv_ip_pton(s, &a);

	*ok = af == AF_INET || (af == AF_INET6 && !bv_ip_is4(&a));
	return a;
}

static struct bv_ip need_addr(const json_t *o, const char *w, const char *key)
{
	const char *s = need_str(o, w, key);
	bool ok;
	struct bv_ip a = parse_addr(s, &ok);

	if (!ok)
		input_error("%s%s%s: '%s' is not an IPv4 or IPv6 address", w,
			    *w ? "." : "", key, s);
	return a;
}

static bool addr_is(struct bv_ip a, const struct bv_ip *b)
{
	return bv_ip_eq(&a, b);
}

static const json_t *need_array(const json_t *o, const char *w,
				const char *key)
{
	const json_t *j = json_object_get(o, key);

	if (!json_is_array(j))
		input_error("%s%s%s: missing or not an array", w,
			    *w ? "." : "", key);
	return j;
}

/* a + b, which must not wrap: a sum past 2^64 means a sentinel value */
static uint64_t add(uint64_t a, uint64_t b, const char *what)
{
	uint64_t r;

	if (__builtin_add_overflow(a, b, &r))
		input_error("%s: sum overflows 64 bits", what);
	return r;
}

/* --- options --------------------------------------------------------------- */

struct lost {
	char *from, *to, *file;
	uint16_t port;
	uint32_t *seqs;			/* ascending, distinct */
	size_t n;
	bool used;
};

/* an application's log: message numbers and CLOCK_MONOTONIC instants */
struct applog {
	char *file;
	uint32_t *seq;
	uint64_t *ns;			/* non-decreasing */
	uint32_t *max_seq;		/* recvlog: the largest number so far */
	size_t n;
};

struct chain {
	char *name, *a, *b;
	bool tcp;
	struct bv_ip x, xb;		/* xb: x as b sees it (xb=; default x) */
	uint16_t port, sport;
	uint64_t lmin_ns;		/* lmin_ms, or the fastest message seen */
	uint64_t seen_lmin_ns;		/* the fastest message in the logs */
	bool seen_lmin;
	struct lost lost;		/* lost=FILE (file NULL: none) */
	struct applog sendlog, recvlog;	/* file NULL: none */
	/* --tcp-base: the zero of the sequence numbers, and its connection */
	uint32_t base_tx, base_rx;
	struct bv_ip base_a_laddr, base_b_laddr;
	uint16_t base_a_lport, base_b_lport;
	/* over the checked snapshots */
	uint64_t checked, violations, max_sent, app_violations, straddled;
	uint64_t received_pos, lost_total;
	int64_t max_excess;
	int64_t *gaps;			/* sent - lost - received, per snapshot */
	size_t gaps_cap;
};

static struct chain *chains;
static size_t n_chains;
static struct lost *losts;
static size_t n_losts;

/* names go into `key value` lines and `NAME=...` tokens */
static bool plain_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s <= ' ' || *s == '=' || *s == '/' || *s == '>' ||
		    *s == ',' || *s == 0x7f)
			return false;
	return true;
}

static void parse_chain(const char *arg)
{
	char *dup = xstrdup(arg), *save = NULL, *tok;
	struct chain c = { 0 };
	unsigned int have = 0;
	bool has_xb = false;

	for (tok = strtok_r(dup, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *v = strchr(tok, '=');

		if (!v)
			tk_usage_error("--chain: '%s' is not KEY=VALUE", tok);
		*v++ = '\0';
		if (!strcmp(tok, "name")) {
			if (!plain_name(v))
				tk_usage_error("--chain: bad name '%s'", v);
			c.name = xstrdup(v);
			have |= 1;
		} else if (!strcmp(tok, "proto")) {
			if (strcmp(v, "udp") && strcmp(v, "tcp"))
				tk_usage_error("--chain: proto is udp or tcp, not '%s'", v);
			c.tcp = !strcmp(v, "tcp");
			have |= 2;
		} else if (!strcmp(tok, "a")) {
			if (!plain_name(v))
				tk_usage_error("--chain: bad node '%s'", v);
			c.a = xstrdup(v);
			have |= 4;
		} else if (!strcmp(tok, "x")) {
			bool ok;

			c.x = parse_addr(v, &ok);
			if (!ok)
				tk_usage_error("--chain: x=%s is not an IPv4 or "
					       "IPv6 address", v);
			have |= 8;
		} else if (!strcmp(tok, "xb")) {
			bool ok;

			c.xb = parse_addr(v, &ok);
			if (!ok)
				tk_usage_error("--chain: xb=%s is not an IPv4 or "
					       "IPv6 address", v);
			has_xb = true;
		} else if (!strcmp(tok, "port")) {
			c.port = (uint16_t)tk_num("--chain port", v, 1, 65535);
			have |= 16;
		} else if (!strcmp(tok, "b")) {
			if (!plain_name(v))
				tk_usage_error("--chain: bad node '%s'", v);
			c.b = xstrdup(v);
			have |= 32;
		} else if (!strcmp(tok, "sport")) {
			c.sport = (uint16_t)tk_num("--chain sport", v, 1, 65535);
			have |= 64;
		} else if (!strcmp(tok, "lmin_ms")) {
			c.lmin_ns = tk_num("--chain lmin_ms", v, 0, 3600000) * 1000000;
		} else if (!strcmp(tok, "lost") && !c.lost.file) {
			c.lost.file = xstrdup(v);
		} else if (!strcmp(tok, "sendlog") && !c.sendlog.file) {
			c.sendlog.file = xstrdup(v);
		} else if (!strcmp(tok, "recvlog") && !c.recvlog.file) {
			c.recvlog.file = xstrdup(v);
		} else {
			tk_usage_error("--chain: unknown key '%s'", tok);
		}
	}
	free(dup);
	if (have != 127)
		tk_usage_error("--chain needs name, proto, a, x, port, b and sport");
	if (!has_xb)
		c.xb = c.x;
	if (c.tcp && c.lost.file)
		tk_usage_error("--chain %s: lost= is for udp (tcp loses nothing)",
			       c.name);
	if (!c.sendlog.file != !c.recvlog.file)
		tk_usage_error("--chain %s: sendlog= and recvlog= go together",
			       c.name);
	if (!strcmp(c.a, c.b))
		tk_usage_error("--chain %s: a and b are the same member", c.name);
	for (size_t i = 0; i < n_chains; i++)
		if (!strcmp(chains[i].name, c.name))
			tk_usage_error("--chain: two chains named '%s'", c.name);
	c.max_excess = INT64_MIN;
	chains = xrealloc(chains, n_chains + 1, sizeof(*chains));
	chains[n_chains++] = c;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* one number per line; blank lines and `#` comments allowed */
static void read_lost_file(struct lost *l)
{
	FILE *f = fopen(l->file, "r");
	char *line = NULL;
	size_t cap = 0, seq_cap = 0, n = 0, out = 0;
	unsigned long lineno = 0;

	if (!f)
		tk_die(l->file);
	while (getline(&line, &cap, f) >= 0) {
		char *p = line, *end;
		unsigned long long v;

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '\n' || *p == '\r' || *p == '#')
			continue;
		errno = 0;
		v = *p >= '0' && *p <= '9' ? strtoull(p, &end, 10) : 0;
		if (v) {
			while (*end == ' ' || *end == '\t' || *end == '\r' ||
			       *end == '\n')
				end++;
		}
		/*
		 * 0 is refused: the streams are numbered from 1 (udpnum send
		 * --first 1), or "the first S datagrams" would be off by one
		 */
		if (!v || errno || *end || v > UINT32_MAX) {
			snprintf(ctx, sizeof(ctx), "%s:%lu", l->file, lineno);
			input_error("not a datagram number (1 to %u)", UINT32_MAX);
		}
		l->seqs = grow(l->seqs, &seq_cap, n, sizeof(*l->seqs));
		l->seqs[n++] = (uint32_t)v;
	}
	if (ferror(f))
		tk_die(l->file);
	fclose(f);
	free(line);
	/* a datagram is lost once, however often a script listed it */
	qsort(l->seqs, n, sizeof(*l->seqs), cmp_u32);
	for (size_t i = 0; i < n; i++)
		if (!out || l->seqs[out - 1] != l->seqs[i])
			l->seqs[out++] = l->seqs[i];
	l->n = out;
}

/*
 * An application's log, `NUMBER NS` per line (blank lines and `#`
 * comments allowed). The instants must not go backwards (one process, one
 * clock); a sender's numbers must rise (it sends them in order), a
 * receiver's may come in any order, and for it the largest number seen up
 * to each line is kept.
 */
static void read_applog(struct applog *l, bool recv)
{
	FILE *f = fopen(l->file, "r");
	char *line = NULL;
	size_t cap = 0, n_cap = 0;
	unsigned long lineno = 0;

	if (!f)
		tk_die(l->file);
	while (getline(&line, &cap, f) >= 0) {
		unsigned long long seq, ns;
		int used = 0;

		lineno++;
		if (line[strspn(line, " \t\r\n")] == '\0' || line[0] == '#')
			continue;
		snprintf(ctx, sizeof(ctx), "%s:%lu", l->file, lineno);
		if (sscanf(line, "%llu %llu %n", &seq, &ns, &used) != 2 ||
		    line[used] || seq > UINT32_MAX || ns > INT64_MAX)
			input_error("not `NUMBER NS`");
		if (l->n && ns < l->ns[l->n - 1])
			input_error("the instant goes backwards");
		if (!recv && l->n && seq <= l->seq[l->n - 1])
			input_error("a sender's numbers must rise");
		if (l->n == n_cap) {
			n_cap = n_cap ? n_cap * 2 : 1024;
			l->seq = xrealloc(l->seq, n_cap, sizeof(*l->seq));
			l->ns = xrealloc(l->ns, n_cap, sizeof(*l->ns));
			if (recv)
				l->max_seq = xrealloc(l->max_seq, n_cap,
						      sizeof(*l->max_seq));
		}
		l->seq[l->n] = (uint32_t)seq;
		l->ns[l->n] = ns;
		if (recv)
			l->max_seq[l->n] = l->n && l->max_seq[l->n - 1] > seq ?
					   l->max_seq[l->n - 1] : (uint32_t)seq;
		l->n++;
	}
	if (ferror(f))
		tk_die(l->file);
	fclose(f);
	free(line);
	ctx[0] = '\0';
}

/*
 * Both logs of a chain: whatever b's application received must be a
 * message a's sent (the relay forwards, it does not make messages), or
 * the logs cannot judge anything.
 */
static void read_applogs(struct chain *c)
{
	const struct applog *s = &c->sendlog, *r = &c->recvlog;

	read_applog(&c->sendlog, false);
	read_applog(&c->recvlog, true);
	if (r->n && (!s->n || r->max_seq[r->n - 1] > s->seq[s->n - 1]))
		input_error("chain %s: %s received message %u, which is not in "
			    "%s", c->name, c->recvlog.file, r->max_seq[r->n - 1],
			    c->sendlog.file);
	for (size_t i = 0; i < r->n; i++) {
		size_t lo = 0, hi = s->n;
		uint64_t lat;

		/* the sender's numbers rise: find this one's send */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (s->seq[mid] < r->seq[i])
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == s->n || s->seq[lo] != r->seq[i])
			input_error("chain %s: %s received message %u, which is "
				    "not in %s", c->name, c->recvlog.file,
				    r->seq[i], c->sendlog.file);
		/*
		 * The fastest any message went from a to b: the chain's
		 * shortest latency as it happened (application to
		 * application: no less than the kernels saw)
		 */
		lat = r->ns[i] > s->ns[lo] ? r->ns[i] - s->ns[lo] : 0;
		if (!c->seen_lmin || lat < c->seen_lmin_ns)
			c->seen_lmin_ns = lat;
		c->seen_lmin = true;
	}
	/* the straddle counts from the longer of the two: never overstated */
	if (c->seen_lmin && c->seen_lmin_ns > c->lmin_ns)
		c->lmin_ns = c->seen_lmin_ns;
}

static void applog_free(struct applog *l)
{
	free(l->file);
	free(l->seq);
	free(l->ns);
	free(l->max_seq);
}

/* how many entries of l have an instant below t (or at most t) */
static size_t log_before(const struct applog *l, uint64_t t, bool at_too)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->ns[mid] < t || (at_too && l->ns[mid] == t))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void parse_lost(const char *arg)
{
	char *dup = xstrdup(arg), *gt, *eq, *p, *comma = NULL;
	struct lost l = { 0 };

	gt = strchr(dup, '>');
	eq = gt ? strchr(gt, '=') : NULL;
	if (!gt || !eq)
		tk_usage_error("--lost: '%s' is not F>T=FILE,port=PORT", arg);
	*gt = *eq = '\0';
	/* the file name may hold commas: the last ",port=" ends it */
	for (p = eq + 1; (p = strstr(p, ",port=")); p++)
		comma = p;
	if (!comma)
		tk_usage_error("--lost: '%s' has no ,port=PORT", arg);
	*comma = '\0';
	if (!plain_name(dup) || !plain_name(gt + 1) || !eq[1])
		tk_usage_error("--lost: '%s' is not F>T=FILE,port=PORT", arg);
	if (!strcmp(dup, gt + 1))
		tk_usage_error("--lost: '%s': F and T are the same member", arg);
	l.from = xstrdup(dup);
	l.to = xstrdup(gt + 1);
	l.file = xstrdup(eq + 1);
	l.port = (uint16_t)tk_num("--lost port", comma + 6, 1, 65535);
	free(dup);
	losts = xrealloc(losts, n_losts + 1, sizeof(*losts));
	losts[n_losts++] = l;
}

/* how many of l's numbers are <= s: the first s datagrams lost */
static uint64_t lost_upto(const struct lost *l, uint64_t s)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->seqs[mid] <= s)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* --- input ----------------------------------------------------------------- */

/*
 * A document is parsed when read (to fail early on bad input, and to find
 * the --tcp-base wherever it is), dropped, and parsed again from its text
 * when checked: memory stays near the input's size, not six times it.
 */
struct doc {
	const char *text;		/* in the input buffer */
	size_t len;
	json_t *j;			/* while checked; the --tcp-base always */
	char src[300];			/* FILE:LINE of its first character */
	uint64_t id;
	uint32_t epoch;
	char *state;
};

static struct doc *docs;
static size_t n_docs, docs_cap;
static char **bufs;			/* the inputs, freed at the end */
static size_t n_bufs, bufs_cap;
static uint64_t base_id;
static bool has_base;

static void doc_header(struct doc *d);

/*
 * Every epoch an attempt of the input was given, and that attempt's t0:
 * a gateway found already past an attempt's epoch must have got there
 * through an attempt started after it (check_ogm).
 */
struct issued {
	uint32_t epoch;
	uint64_t t0;
};

static struct issued *issued;
static size_t n_issued, issued_cap;

static void issued_add(const json_t *j)
{
	const json_t *arr = json_object_get(j, "attempts"), *a;
	size_t i;

	if (!json_is_array(arr))
		return;		/* doc_load's need_array says so later */
	json_array_foreach(arr, i, a) {
		uint64_t e, t0;

		if (!opt_num(a, "attempt", "epoch", UINT32_MAX, &e) ||
		    !opt_num(a, "attempt", "t0_ns", INT64_MAX, &t0))
			continue;
		issued = grow(issued, &issued_cap, n_issued, sizeof(*issued));
		issued[n_issued++] = (struct issued){ (uint32_t)e, t0 };
	}
}

/* the t0 of the attempt that was given epoch e; false if none was */
static bool issued_t0(uint32_t e, uint64_t *t0)
{
	for (size_t i = 0; i < n_issued; i++)
		if (issued[i].epoch == e) {
			*t0 = issued[i].t0;
			return true;
		}
	return false;
}

static char *slurp(FILE *f, const char *name, size_t *len)
{
	size_t cap = 65536, n = 0, got;
	char *buf = xrealloc(NULL, cap, 1);

	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			if (cap > SIZE_MAX / 2)
				tk_die("input too large");
			cap *= 2;
			buf = xrealloc(buf, cap, 1);
		}
	}
	if (ferror(f))
		tk_die(name);
	*len = n;
	return buf;
}

/*
 * Documents one after another: parse one, then go on where it ended. The
 * whole input is read first so that a parse error can name its line in
 * the file, not in the document (json_loadb says how many bytes it used).
 */
static void read_docs(const char *path)
{
	bool in = !strcmp(path, "-");
	const char *name = in ? "stdin" : path;
	FILE *f = in ? stdin : fopen(path, "r");
	size_t len, off = 0;
	unsigned long line = 1;
	char *buf;

	if (!f)
		tk_die(path);
	buf = slurp(f, name, &len);
	if (!in)
		fclose(f);
	for (;;) {
		json_error_t err;
		json_t *j;
		struct doc *d;

		while (off < len && (buf[off] == ' ' || buf[off] == '\t' ||
				     buf[off] == '\r' || buf[off] == '\n'))
			line += buf[off++] == '\n';
		if (off == len)
			break;
		/* a repeated key would make the document mean two things */
		j = json_loadb(buf + off, len - off,
			       JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES,
			       &err);
		if (!j) {
			fprintf(stderr, "bvoracle: %s:%lu: %s\n", name,
				line + (unsigned long)(err.line > 0 ? err.line - 1 : 0),
				err.text);
			exit(3);
		}
		docs = grow(docs, &docs_cap, n_docs, sizeof(*docs));
		d = &docs[n_docs++];
		memset(d, 0, sizeof(*d));
		d->j = j;
		snprintf(d->src, sizeof(d->src), "%s:%lu", name, line);
		if (err.position <= 0 || (size_t)err.position > len - off) {
			snprintf(ctx, sizeof(ctx), "%s", d->src);
			input_error("the JSON reader lost its place");
		}
		d->text = buf + off;
		d->len = (size_t)err.position;
		doc_header(d);
		if (!has_base || d->id != base_id) {
			json_decref(d->j);
			d->j = NULL;
		}
		for (size_t i = 0; i < d->len; i++)
			line += buf[off + i] == '\n';
		off += d->len;
	}
	bufs = grow(bufs, &bufs_cap, n_bufs, sizeof(*bufs));
	bufs[n_bufs++] = buf;
}

/* the document's JSON again, for its check */
static void doc_load(struct doc *d)
{
	json_error_t err;

	if (d->j)
		return;
	d->j = json_loadb(d->text, d->len, JSON_REJECT_DUPLICATES, &err);
	if (!d->j)
		input_error("read again, it no longer parses: %s", err.text);
}

static void doc_drop(struct doc *d)
{
	if (has_base && d->id == base_id)
		return;
	json_decref(d->j);
	d->j = NULL;
}

/* the fields every document must have, whatever its state */
static void doc_header(struct doc *d)
{
	const json_t *j = d->j, *schema;

	snprintf(ctx, sizeof(ctx), "%s", d->src);
	if (!json_is_object(j))
		input_error("not a JSON object");
	schema = json_object_get(j, "schema");
	/* a failed `beaverctl --json export` in the loop prints its error */
	if (!schema && json_is_string(json_object_get(j, "error")))
		input_error("a beaverctl error, not an export: %s",
			    json_string_value(json_object_get(j, "error")));
	if (!json_is_string(schema))
		input_error("no schema: not a %s document", SCHEMA);
	if (strcmp(json_string_value(schema), SCHEMA))
		input_error("schema is \"%s\", not %s",
			    json_string_value(schema), SCHEMA);
	d->id = need_num(j, "", "id", INT64_MAX);
	snprintf(ctx, sizeof(ctx), "%s (snapshot %" PRIu64 ")", d->src, d->id);
	d->state = xstrdup(need_str(j, "", "state"));
	d->epoch = (uint32_t)need_num(j, "", "epoch", UINT32_MAX);
	issued_add(j);
}

/* --- one snapshot ------------------------------------------------------------ */

#define MAX_ADDRS 8			/* a member's data addresses */

struct rmember {			/* report.members[] */
	const char *node;
	struct bv_ip addr[MAX_ADDRS];	/* address, or addresses */
	size_t n_addr;
};

struct xmember {			/* members[] of the export */
	const char *node;
	const json_t *rec;		/* NULL: null or absent */
	size_t idx;
};

struct snap {
	const struct doc *d;
	struct rmember *rm;
	size_t n_rm;
	struct xmember *xm;
	size_t n_xm;
	struct sbuf why;		/* unverifiable: why */
	struct sbuf bad;		/* violations: what */
	struct sbuf tokens;		/* the detail line's values */
};

static const struct xmember *xmember_of(const struct snap *s, const char *node)
{
	for (size_t i = 0; i < s->n_xm; i++)
		if (!strcmp(s->xm[i].node, node))
			return &s->xm[i];
	return NULL;
}

/* "members[2] (m1).record" for error messages */
static void rec_where(char *w, size_t len, const struct xmember *x)
{
	snprintf(w, len, "members[%zu] (%s).record", x->idx, x->node);
}

/* which flows a sum takes: everything else of the 5-tuple is free */
struct flowsel {
	uint8_t proto;
	struct bv_ip raddr;
	uint16_t rport;
};

struct flowsum {
	size_t n;			/* entries that matched */
	uint64_t tx_pkts, rx_pkts;
	bool tx_seq_ok, rx_seq_ok;	/* any share had one */
	uint32_t tx_seq, rx_seq;	/* serial maximum over the shares */
	bool one_conn;			/* every match has the same local end */
	struct bv_ip laddr;
	uint16_t lport;
};

/* the later of two TCP sequence numbers, as lib/records.c merges shares */
static uint32_t seq_max(uint32_t a, uint32_t b)
{
	if ((int32_t)(a - b) > 0)
		return a;
	if ((int32_t)(b - a) > 0)
		return b;
	return a > b ? a : b;
}

struct fkey {
	struct bv_ip laddr;
	uint32_t cpu;
	uint16_t lport;
};

/*
 * Sums x's flows that match sel. Per-CPU shares of one flow add up (and
 * sequence numbers take the later one); two entries for the same flow on
 * the same CPU, or a merged entry next to another of the same flow, would
 * count the same packets twice: that record is malformed.
 */
static void sum_flows(const struct xmember *x, const struct flowsel *sel,
		      struct flowsum *out)
{
	const json_t *flows, *f;
	struct fkey *keys = NULL;
	char rw[200], w[240];
	size_t i;

	memset(out, 0, sizeof(*out));
	out->one_conn = true;
	rec_where(rw, sizeof(rw), x);
	flows = need_array(x->rec, rw, "flows");
	json_array_foreach(flows, i, f) {
		struct fkey k;
		uint64_t v;

		snprintf(w, sizeof(w), "%s.flows[%zu]", rw, i);
		if (!json_is_object(f))
			input_error("%s: not an object", w);
		if (need_num(f, w, "proto", UINT8_MAX) != sel->proto ||
		    !addr_is(need_addr(f, w, "raddr"), &sel->raddr) ||
		    need_num(f, w, "rport", UINT16_MAX) != sel->rport)
			continue;
		k.laddr = need_addr(f, w, "laddr");
		k.lport = (uint16_t)need_num(f, w, "lport", UINT16_MAX);
		k.cpu = opt_num(f, w, "cpu", UINT32_MAX - 1, &v) ?
			(uint32_t)v : CPU_MERGED;
		for (size_t m = 0; m < out->n; m++)
			if (bv_ip_eq(&keys[m].laddr, &k.laddr) &&
			    keys[m].lport == k.lport &&
			    (keys[m].cpu == k.cpu || keys[m].cpu == CPU_MERGED ||
			     k.cpu == CPU_MERGED))
				input_error("%s: the same flow twice", w);
		if (out->n && (!bv_ip_eq(&k.laddr, &out->laddr) ||
			       k.lport != out->lport))
			out->one_conn = false;
		out->laddr = k.laddr;
		out->lport = k.lport;
		keys = xrealloc(keys, out->n + 1, sizeof(*keys));
		keys[out->n++] = k;
		out->tx_pkts = add(out->tx_pkts, need_num(f, w, "tx_pkts", UINT64_MAX), w);
		out->rx_pkts = add(out->rx_pkts, need_num(f, w, "rx_pkts", UINT64_MAX), w);
		if (opt_num(f, w, "tx_seq", UINT32_MAX, &v)) {
			out->tx_seq = out->tx_seq_ok ? seq_max(out->tx_seq, (uint32_t)v) :
				      (uint32_t)v;
			out->tx_seq_ok = true;
		}
		if (opt_num(f, w, "rx_seq", UINT32_MAX, &v)) {
			out->rx_seq = out->rx_seq_ok ? seq_max(out->rx_seq, (uint32_t)v) :
				      (uint32_t)v;
			out->rx_seq_ok = true;
		}
	}
	free(keys);
}

struct chansum {
	uint64_t tx_pkts, rx_pkts, inflight;
};

/* x's channels of kind "member" with this peer address */
static void sum_chans1(const struct xmember *x, const struct bv_ip *peer,
		       struct chansum *out)
{	const json_t *chans, *c, *kind;
	uint32_t *cpus = NULL;
	size_t i, n = 0;
	char rw[200], w[240];

	memset(out, 0, sizeof(*out));
	rec_where(rw, sizeof(rw), x);
	chans = need_array(x->rec, rw, "channels");
	json_array_foreach(chans, i, c) {
		uint64_t v;
		uint32_t cpu;

		snprintf(w, sizeof(w), "%s.channels[%zu]", rw, i);
		if (!json_is_object(c))
			input_error("%s: not an object", w);
		kind = json_object_get(c, "kind");
		/* a number is a kind this reader does not know: not "member" */
		if (!json_is_string(kind) && !json_is_integer(kind))
			input_error("%s.kind: missing, or not a string or integer", w);
		if (!json_is_string(kind) || strcmp(json_string_value(kind), "member") ||
		    !addr_is(need_addr(c, w, "peer"), peer))
			continue;
		cpu = opt_num(c, w, "cpu", UINT32_MAX - 1, &v) ? (uint32_t)v :
		      CPU_MERGED;
		for (size_t m = 0; m < n; m++)
			if (cpus[m] == cpu || cpus[m] == CPU_MERGED ||
			    cpu == CPU_MERGED)
				input_error("%s: the same channel twice", w);
		cpus = xrealloc(cpus, n + 1, sizeof(*cpus));
		cpus[n++] = cpu;
		out->tx_pkts = add(out->tx_pkts, need_num(c, w, "tx_pkts", UINT64_MAX), w);
		out->rx_pkts = add(out->rx_pkts, need_num(c, w, "rx_pkts", UINT64_MAX), w);
		out->inflight = add(out->inflight,
				    need_num(c, w, "inflight_pkts", UINT64_MAX), w);
	}
	free(cpus);
}

/*
 * x's channels of kind "member" with a peer that is one of @peer's
 * addresses of one family (same rules as sum_flows); channels are per
 * peer address, so the cpu rule is per address too
 */
static void sum_chans(const struct xmember *x, const struct rmember *peer,
		      bool v6, struct chansum *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t a = 0; a < peer->n_addr; a++) {
		struct chansum one;

		if (bv_ip_is4(&peer->addr[a]) == v6)
			continue;
		sum_chans1(x, &peer->addr[a], &one);
		out->tx_pkts = add(out->tx_pkts, one.tx_pkts, "channels");
		out->rx_pkts = add(out->rx_pkts, one.rx_pkts, "channels");
		out->inflight = add(out->inflight, one.inflight, "channels");
	}
}

/*
 * report.members and members[]. A malformed entry is an input error; an
 * absent or unusable report is a reason the snapshot cannot be verified.
 */
static void snap_members(struct snap *s)
{
	const json_t *j = s->d->j, *rep, *arr, *e;
	char w[64];
	size_t i;

	arr = need_array(j, "", "members");
	s->xm = xrealloc(NULL, json_array_size(arr), sizeof(*s->xm));
	json_array_foreach(arr, i, e) {
		struct xmember *x = &s->xm[s->n_xm];
		const json_t *rec;

		snprintf(w, sizeof(w), "members[%zu]", i);
		if (!json_is_object(e))
			input_error("%s: not an object", w);
		x->node = need_str(e, w, "node");
		x->idx = i;
		rec = json_object_get(e, "record");
		if (rec && !json_is_null(rec) && !json_is_object(rec))
			input_error("%s.record: not an object or null", w);
		x->rec = json_is_object(rec) ? rec : NULL;
		if (xmember_of(s, x->node)) {
			sb_sep(&s->why);
			sb_printf(&s->why, "two records for %s", x->node);
		}
		s->n_xm++;
	}

	rep = json_object_get(j, "report");
	if (!json_is_object(rep)) {
		if (rep && !json_is_null(rep))
			input_error("report: not an object or null");
		sb_sep(&s->why);
		sb_printf(&s->why, "accepted without a report");
		return;
	}
	if (json_object_get(rep, "epoch") &&
	    need_num(rep, "report", "epoch", UINT32_MAX) != s->d->epoch) {
		sb_sep(&s->why);
		sb_printf(&s->why, "report of epoch %" PRIu64 ", snapshot of %u",
			  need_num(rep, "report", "epoch", UINT32_MAX), s->d->epoch);
	}
	arr = json_object_get(rep, "members");
	if (!json_is_array(arr) || !json_array_size(arr)) {
		if (arr && !json_is_array(arr))
			input_error("report.members: not an array");
		sb_sep(&s->why);
		sb_printf(&s->why, "the report lists no members");
		return;
	}
	s->rm = xrealloc(NULL, json_array_size(arr), sizeof(*s->rm));
	json_array_foreach(arr, i, e) {
		struct rmember *r = &s->rm[s->n_rm];
		const json_t *all = json_object_get(e, "addresses"), *a;
		char ab[ADDR_BUF];
		size_t k;

		snprintf(w, sizeof(w), "report.members[%zu]", i);
		if (!json_is_object(e))
			input_error("%s: not an object", w);
		r->node = need_str(e, w, "node");
		r->addr[0] = need_addr(e, w, "address");
		r->n_addr = 1;
		/* a dual-stack member: every data address (address first) */
		if (all && (!json_is_array(all) || !json_array_size(all) ||
			    json_array_size(all) > MAX_ADDRS))
			input_error("%s.addresses: not an array of 1..%d", w,
				    MAX_ADDRS);
		json_array_foreach(all, k, a) {
			bool ok = json_is_string(a);
			struct bv_ip ip = ok ? parse_addr(json_string_value(a),
							  &ok) : r->addr[0];

			if (!ok)
				input_error("%s.addresses[%zu]: not an IPv4 or IPv6 "
					    "address", w, k);
			if (k == 0 && !bv_ip_eq(&ip, &r->addr[0]))
				input_error("%s.addresses[0]: not its address", w);
			if (k > 0)
				r->addr[r->n_addr++] = ip;
		}
		/* two members with one address: a channel would be ambiguous */
		for (k = 0; k < s->n_rm; k++) {
			bool same = !strcmp(s->rm[k].node, r->node);

			for (size_t x = 0; x < s->rm[k].n_addr; x++)
				for (size_t y = 0; y < r->n_addr; y++)
					same |= bv_ip_eq(&s->rm[k].addr[x],
							 &r->addr[y]);
			if (same) {
				sb_sep(&s->why);
				sb_printf(&s->why, "report lists %s (%s) twice",
					  r->node, ntoa(&r->addr[0], ab));
			}
		}
		s->n_rm++;
	}
}

/* (c): the record of node must be complete and cut at the snapshot's epoch */
static void check_record(struct snap *s, const char *node)
{
	const struct xmember *x = xmember_of(s, node);
	const json_t *cut, *state, *flags, *fl;
	uint32_t e = s->d->epoch, first, last;
	char rw[200], cw[220];
	size_t i;

	if (!x || !x->rec) {
		sb_sep(&s->why);
		sb_printf(&s->why, "%s has no record", node);
		return;
	}
	rec_where(rw, sizeof(rw), x);
	snprintf(cw, sizeof(cw), "%s.cut", rw);
	if (need_num(x->rec, rw, "epoch", UINT32_MAX) != e) {
		sb_sep(&s->why);
		sb_printf(&s->why, "%s's record is of epoch %" PRIu64, node,
			  need_num(x->rec, rw, "epoch", UINT32_MAX));
		return;
	}
	cut = json_object_get(x->rec, "cut");
	if (!cut || json_is_null(cut)) {
		sb_sep(&s->why);
		sb_printf(&s->why, "%s has no cut", node);
		return;
	}
	if (!json_is_object(cut))
		input_error("%s: not an object or null", cw);
	state = json_object_get(cut, "state");
	if (!json_is_string(state) && !json_is_integer(state))
		input_error("%s.state: missing, or not a string or integer", cw);
	if (!json_is_string(state) || strcmp(json_string_value(state), "complete")) {
		sb_sep(&s->why);
		if (json_is_string(state))
			sb_printf(&s->why, "%s's cut is %s, not complete", node,
				  json_string_value(state));
		else
			sb_printf(&s->why, "%s's cut is in state %" JSON_INTEGER_FORMAT
				  ", not complete", node, json_integer_value(state));
	}
	/*
	 * A member that skipped epochs cut once for all of them, so the cut
	 * of epoch e covers [first, last] with e inside; last can be past e
	 * when a newer snapshot's stamp came first (parallel snapshots).
	 */
	first = (uint32_t)need_num(cut, cw, "first", UINT32_MAX);
	last = (uint32_t)need_num(cut, cw, "last", UINT32_MAX);
	if (!sn_in(e, first, last)) {
		sb_sep(&s->why);
		sb_printf(&s->why, "%s's cut covers epochs %u..%u, not %u", node,
			  first, last, e);
	}
	/* a flow or history entry the module could not keep: counts are off */
	flags = json_object_get(cut, "flags");
	if (!json_is_array(flags))
		input_error("%s.flags: missing or not an array", cw);
	json_array_foreach(flags, i, fl) {
		if (!json_is_string(fl))
			input_error("%s.flags[%zu]: not a string", cw, i);
		if (!strcmp(json_string_value(fl), "incomplete")) {
			sb_sep(&s->why);
			sb_printf(&s->why, "%s's record is incomplete (a module "
				  "limit was hit)", node);
		}
	}
	need_num(cut, cw, "late", UINT64_MAX);
}

static uint64_t late_of(const struct snap *s, const char *node)
{
	const struct xmember *x = xmember_of(s, node);

	return need_num(json_object_get(x->rec, "cut"), "cut", "late",
			UINT64_MAX);
}

/*
 * The late packets of channel from -> to that the coordinator amended
 * into the report (report.channels[].late; absent, as in reports before
 * late entries, is 0). The export's records cannot give them: they came
 * with later snapshots' records, after this one's had closed. Trusting
 * the report for this one number still leaves a check that can fail: a
 * late count too high or too low breaks the balance against the records.
 */
static uint64_t report_late(const struct snap *s, const char *from,
			    const char *to, bool v6)
{
	const json_t *chans = json_object_get(json_object_get(s->d->j,
							      "report"),
					      "channels");
	const json_t *c;
	size_t i;

	if (chans && !json_is_array(chans))
		input_error("report.channels: not an array");
	json_array_foreach(chans, i, c) {
		const char *f = json_string_value(json_object_get(c, "from"));
		const char *t = json_string_value(json_object_get(c, "to"));
		const char *fam = json_string_value(json_object_get(c,
								    "family"));
		uint64_t v = 0;

		/* an IPv6 channel says so; no "family" is IPv4 */
		if (f && t && !strcmp(f, from) && !strcmp(t, to) &&
		    v6 == (fam && !strcmp(fam, "ipv6"))) {
			opt_num(c, "report.channels[]", "late", UINT64_MAX, &v);
			return v;
		}
	}
	return 0;
}

/* --- the checks -------------------------------------------------------------- */

struct result {
	uint64_t sent, received;	/* sent: less what never reached b */
	uint64_t lost;
	bool app_bad;			/* the application-level check */
};

static int64_t excess(uint64_t received, uint64_t sent)
{
	if (received >= sent)
		return received - sent > INT64_MAX ? INT64_MAX :
		       (int64_t)(received - sent);
	return sent - received > INT64_MAX ? -INT64_MAX :
	       -(int64_t)(sent - received);
}

/*
 * One chain's sent and received, or a reason in s->why. The tcp numbers
 * count from the base; a value behind it (serially) would turn into nearly
 * 4 GiB and hide any excess, so that is unverifiable too.
 */
static void eval_chain(struct snap *s, const struct chain *c,
		       struct result *r)
{
	const struct xmember *xa = xmember_of(s, c->a), *xb = xmember_of(s, c->b);
	struct flowsel sa = { c->tcp ? PROTO_TCP : PROTO_UDP, c->x, c->port };
	struct flowsel sb = { sa.proto, c->xb, c->sport };
	struct flowsum fa, fb;
	char ab[ADDR_BUF];

	memset(r, 0, sizeof(*r));
	sum_flows(xa, &sa, &fa);
	sum_flows(xb, &sb, &fb);
	ntoa_host(&c->x, ab);
	if (!c->tcp) {
		/*
		 * A flow that is not there is a chain this snapshot cannot
		 * check (a typo in the spec, traffic that never started),
		 * never "0 sent" or "0 received".
		 */
		if (!fa.n || !fb.n) {
			ntoa_host(!fa.n ? &c->x : &c->xb, ab);
			sb_sep(&s->why);
			sb_printf(&s->why, "chain %s: %s's udp flow %s %s:%u is "
				  "missing", c->name, !fa.n ? c->a : c->b,
				  !fa.n ? "to" : "from", ab,
				  !fa.n ? c->port : c->sport);
			return;
		}
		r->sent = fa.tx_pkts;
		r->received = fb.rx_pkts;
		/* what was lost on the way was sent, but can never arrive */
		if (c->lost.file) {
			r->lost = lost_upto(&c->lost, r->sent);
			r->sent -= r->lost;
		}
		return;
	}
	if (s->d->id < base_id) {
		sb_sep(&s->why);
		sb_printf(&s->why, "chain %s: taken before the --tcp-base "
			  "snapshot %" PRIu64, c->name, base_id);
		return;
	}
	if (!fa.n || !fa.tx_seq_ok || !fa.one_conn ||
	    !bv_ip_eq(&fa.laddr, &c->base_a_laddr) || fa.lport != c->base_a_lport) {
		sb_sep(&s->why);
		sb_printf(&s->why, "chain %s: %s's tcp flow to %s:%u %s", c->name,
			  c->a, ab, c->port, !fa.n ? "is missing" :
			  !fa.one_conn ? "is several connections" :
			  !bv_ip_eq(&fa.laddr, &c->base_a_laddr) || fa.lport != c->base_a_lport ?
			  "is not the base snapshot's connection" :
			  "has no tx_seq");
		return;
	}
	if (!fb.n || !fb.rx_seq_ok || !fb.one_conn ||
	    !bv_ip_eq(&fb.laddr, &c->base_b_laddr) || fb.lport != c->base_b_lport) {
		ntoa_host(&c->xb, ab);
		sb_sep(&s->why);
		sb_printf(&s->why, "chain %s: %s's tcp flow from %s:%u %s", c->name,
			  c->b, ab, c->sport, !fb.n ? "is missing" :
			  !fb.one_conn ? "is several connections" :
			  !bv_ip_eq(&fb.laddr, &c->base_b_laddr) || fb.lport != c->base_b_lport ?
			  "is not the base snapshot's connection" :
			  "has no rx_seq");
		return;
	}
	if ((int32_t)(fa.tx_seq - c->base_tx) < 0 ||
	    (int32_t)(fb.rx_seq - c->base_rx) < 0) {
		sb_sep(&s->why);
		sb_printf(&s->why, "chain %s: a sequence number is behind the "
			  "base (tx_seq %u base %u, rx_seq %u base %u)", c->name,
			  fa.tx_seq, c->base_tx, fb.rx_seq, c->base_rx);
		return;
	}
	r->sent = (uint32_t)(fa.tx_seq - c->base_tx);
	r->received = (uint32_t)(fb.rx_seq - c->base_rx);
}

/* the zero of the tcp chains, from the --tcp-base snapshot */
static void load_base(void)
{
	struct doc *base = NULL;
	struct snap s = { 0 };

	for (size_t i = 0; i < n_docs; i++) {
		if (docs[i].id != base_id)
			continue;
		snprintf(ctx, sizeof(ctx), "%s (snapshot %" PRIu64 ")",
			 docs[i].src, docs[i].id);
		/* exported twice is fine; two different snapshot 7s are not */
		if (base && !json_equal(base->j, docs[i].j))
			input_error("differs from snapshot %" PRIu64 " at %s, the "
				    "--tcp-base", base_id, base->src);
		if (!base)
			base = &docs[i];
	}
	ctx[0] = '\0';
	if (!base)
		input_error("--tcp-base %" PRIu64 ": no such snapshot in the input",
			    base_id);
	snprintf(ctx, sizeof(ctx), "%s (snapshot %" PRIu64 ", the --tcp-base)",
		 base->src, base->id);
	s.d = base;
	snap_members(&s);
	for (size_t i = 0; i < n_chains; i++) {
		struct chain *c = &chains[i];
		const struct xmember *xa = xmember_of(&s, c->a);
		const struct xmember *xb = xmember_of(&s, c->b);
		struct flowsel sa = { PROTO_TCP, c->x, c->port };
		struct flowsel sb = { PROTO_TCP, c->xb, c->sport };
		struct flowsum fa, fb;

		if (!c->tcp)
			continue;
		if (!xa || !xa->rec || !xb || !xb->rec)
			input_error("chain %s: no record of %s", c->name,
				    !xa || !xa->rec ? c->a : c->b);
		sum_flows(xa, &sa, &fa);
		sum_flows(xb, &sb, &fb);
		if (!fa.n || !fb.n)
			input_error("chain %s: no tcp flow at %s", c->name,
				    !fa.n ? c->a : c->b);
		if (!fa.one_conn || !fb.one_conn)
			input_error("chain %s: several tcp connections at %s",
				    c->name, !fa.one_conn ? c->a : c->b);
		if (!fa.tx_seq_ok || !fb.rx_seq_ok)
			input_error("chain %s: %s", c->name, !fa.tx_seq_ok ?
				    "no tx_seq in a's flow" : "no rx_seq in b's flow");
		c->base_tx = fa.tx_seq;
		c->base_rx = fb.rx_seq;
		c->base_a_laddr = fa.laddr;
		c->base_a_lport = fa.lport;
		c->base_b_laddr = fb.laddr;
		c->base_b_lport = fb.lport;
	}
	free(s.rm);
	free(s.xm);
	free(s.why.s);
	ctx[0] = '\0';
}

/* --- the run ------------------------------------------------------------------ */

static struct {
	uint64_t documents, accepted, rejected, failed, other;
	uint64_t checked, violations, chain_violations, balance_violations;
	uint64_t ogm_violations, app_violations, app_checked, straddled;
	uint64_t violations_udp, violations_tcp;
	uint64_t unverifiable, attempts, rejected_attempts, timeout_attempts;
	uint64_t pairs_checked, inflight, lost, late;
	uint64_t *bounds;
	size_t n_bounds, bounds_cap;
	bool has_tau, tau_noted;
	uint64_t tau_min;
	uint64_t shown, problems;
} st;

/* the first MAX_SHOWN problems on stderr, then only counted */
static void problem(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void problem(const char *fmt, ...)
{
	va_list ap;

	st.problems++;
	if (quiet || st.shown >= MAX_SHOWN)
		return;
	st.shown++;
	fprintf(stderr, "bvoracle: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void attempts_stats(const struct doc *d)
{
	const json_t *arr = need_array(d->j, "", "attempts"), *a;
	uint64_t tau = need_num(d->j, "", "tau_min_ns", UINT64_MAX), b;
	char w[40];
	size_t i;

	/* once: a run mixing configurations is worth one line, not many */
	if (st.has_tau && tau != st.tau_min && !st.tau_noted && !quiet) {
		fprintf(stderr, "bvoracle: note: tau_min differs between "
			"documents: %" PRIu64 " ns in snapshot %" PRIu64 ", %"
			PRIu64 " ns before (the summary shows the smallest)\n",
			tau, d->id, st.tau_min);
		st.tau_noted = true;
	}
	if (!st.has_tau || tau < st.tau_min)
		st.tau_min = tau;
	st.has_tau = true;
	json_array_foreach(arr, i, a) {
		const char *verdict;

		snprintf(w, sizeof(w), "attempts[%zu]", i);
		if (!json_is_object(a))
			input_error("%s: not an object", w);
		verdict = need_str(a, w, "verdict");
		st.attempts++;
		if (strcmp(verdict, "accepted")) {
			st.rejected_attempts++;
			st.timeout_attempts += !strcmp(verdict, "timeout");
		}
		/* null: an acknowledgement was missing, no bound measured */
		if (opt_num(a, w, "bound_ns", UINT64_MAX, &b)) {
			st.bounds = grow(st.bounds, &st.bounds_cap, st.n_bounds,
					 sizeof(*st.bounds));
			st.bounds[st.n_bounds++] = b;
		}
	}
}

/* --gateways and --one-clock */
static char **gateways;
static size_t n_gateways;
static bool one_clock, any_applog;

/* a record's cut instant (check_record has made sure there is a cut) */
static uint64_t cut_ns_of(const struct snap *s, const char *node)
{
	const struct xmember *x = xmember_of(s, node);

	return need_num(json_object_get(x->rec, "cut"), "cut", "ns",
			INT64_MAX);
}

/*
 * OGM, from the attempts alone: the accepted attempt is the one of the
 * snapshot's epoch; its window [t0, t1] must be shorter than tau_min, and
 * (--gateways) every gateway must have acknowledged it by moving to the
 * epoch from an older one inside the window. Problems go to s->bad.
 */
static uint64_t check_ogm(struct snap *s)
{
	const json_t *arr = need_array(s->d->j, "", "attempts"), *a, *acc = NULL;
	uint64_t tau = need_num(s->d->j, "", "tau_min_ns", UINT64_MAX);
	uint64_t t0, t1, bad = 0;
	const json_t *acks;
	size_t i, n = 0;
	char w[40];

	json_array_foreach(arr, i, a) {
		snprintf(w, sizeof(w), "attempts[%zu]", i);
		if (need_num(a, w, "epoch", UINT32_MAX) == s->d->epoch) {
			acc = a;
			n++;
		}
	}
	if (n != 1) {
		sb_sep(&s->bad);
		sb_printf(&s->bad, "OGM: %zu attempts have the snapshot's epoch %u",
			  n, s->d->epoch);
		return 1;
	}
	if (strcmp(need_str(acc, "attempt", "verdict"), "accepted")) {
		sb_sep(&s->bad);
		sb_printf(&s->bad, "OGM: the attempt of epoch %u is %s, not "
			  "accepted", s->d->epoch,
			  need_str(acc, "attempt", "verdict"));
		return 1;
	}
	t0 = need_num(acc, "attempt", "t0_ns", INT64_MAX);
	t1 = need_num(acc, "attempt", "t1_ns", INT64_MAX);
	if (!t0 || !t1 || t1 < t0 || t1 - t0 >= tau) {
		sb_sep(&s->bad);
		sb_printf(&s->bad, "OGM: accepted with t0 %" PRIu64 " t1 %" PRIu64
			  ", not t1 - t0 < tau_min %" PRIu64 " ns", t0, t1, tau);
		bad++;
	}
	if (!n_gateways)
		return bad;
	acks = json_object_get(acc, "acks");
	if (!json_is_array(acks)) {
		sb_sep(&s->bad);
		sb_printf(&s->bad, "OGM: the accepted attempt records no "
			  "acknowledgements");
		return bad + 1;
	}
	for (size_t g = 0; g < n_gateways; g++) {
		const json_t *k, *found = NULL;
		size_t times = 0;
		uint64_t at, sw, t0n;
		uint32_t prev, now;
		bool adv, moved_in;

		json_array_foreach(acks, i, k) {
			snprintf(w, sizeof(w), "acks[%zu]", i);
			if (!json_is_object(k))
				input_error("%s: not an object", w);
			if (!strcmp(need_str(k, w, "node"), gateways[g])) {
				found = k;
				times++;
			}
		}
		if (times != 1) {
			sb_sep(&s->bad);
			sb_printf(&s->bad, "OGM: %zu acknowledgements from %s",
				  times, gateways[g]);
			bad++;
			continue;
		}
		prev = (uint32_t)need_num(found, "ack", "prev", UINT32_MAX);
		now = (uint32_t)need_num(found, "ack", "epoch", UINT32_MAX);
		at = need_num(found, "ack", "at_ns", INT64_MAX);
		sw = need_num(found, "ack", "switch_ns", INT64_MAX);
		adv = json_is_true(json_object_get(found, "advanced"));
		/*
		 * The gateway must have begun marking E or later inside [t0,
		 * t1]. Moved by this advance: from below E, to E. Found
		 * already at a later epoch N (parallel snapshots: the advance
		 * of N overtook this one): N must be an epoch an attempt
		 * started after this t0 was given, so the gateway passed E
		 * only after t0; a gateway past E by any other way (another
		 * coordinator, an old database) breaks the premise.
		 */
		if (adv)
			moved_in = now == s->d->epoch && sn_before(prev, now);
		else
			moved_in = sn_before(s->d->epoch, now) &&
				   issued_t0(now, &t0n) && t0n >= t0;
		if (!moved_in ||
		    !json_is_integer(json_object_get(found, "err")) ||
		    json_integer_value(json_object_get(found, "err")) != 0 ||
		    at < t0 || at > t1 ||
		    (one_clock && (sw < t0 || sw > t1))) {
			sb_sep(&s->bad);
			sb_printf(&s->bad, "OGM: %s's acknowledgement does not show "
				  "a switch from before %u to %u inside [t0 %"
				  PRIu64 ", t1 %" PRIu64 "] (prev %u epoch %u "
				  "advanced %s at %" PRIu64 " switch %" PRIu64 ")",
				  gateways[g], s->d->epoch, s->d->epoch, t0, t1,
				  prev, now, json_is_true(json_object_get(found,
				  "advanced")) ? "yes" : "no", at, sw);
			bad++;
		}
	}
	return bad;
}

/*
 * The application-level check of a chain, from its two logs and the two
 * cut instants: the largest number b's application had received before
 * b's cut must not be one that a's application sent after a's cut. The
 * logs' instants are taken outside the kernel's hooks (a send before it
 * reaches the kernel, a receive after it left), so this can only miss a
 * violation, never invent one.
 */
static bool app_bad(const struct chain *c, uint64_t a_cut, uint64_t b_cut,
		    struct sbuf *bad)
{
	/* a's messages sent before its cut, b's received before its cut */
	size_t sent = log_before(&c->sendlog, a_cut, true);
	size_t got = log_before(&c->recvlog, b_cut, false);
	uint32_t top;

	if (!got || sent == c->sendlog.n)
		return false;
	/* numbers rise: from sendlog.seq[sent] on, all came after a's cut */
	top = c->recvlog.max_seq[got - 1];
	if (top < c->sendlog.seq[sent])
		return false;
	sb_sep(bad);
	sb_printf(bad, "chain %s: %s's application had message %u before its "
		  "cut, which %s's sent after its own (the first after: %u)",
		  c->name, c->b, top, c->a, c->sendlog.seq[sent]);
	return true;
}

static void check_snapshot(const struct doc *d, FILE *detail)
{
	struct snap s = { .d = d };
	struct result *res = xrealloc(NULL, n_chains, sizeof(*res));
	uint64_t chain_bad = 0, pair_bad = 0, pairs = 0, inflight = 0, lost = 0;
	uint64_t late = 0;
	uint64_t ogm_bad = 0, app_bad_n = 0;
	bool udp_bad = false, tcp_bad = false, straddled = false;
	bool *strad = xrealloc(NULL, n_chains, sizeof(*strad));
	const char **need;
	size_t n_need = 0;

	memset(res, 0, n_chains * sizeof(*res));
	memset(strad, 0, n_chains * sizeof(*strad));
	snap_members(&s);
	/* (c) for every report member and every chain node, once each */
	need = xrealloc(NULL, s.n_rm + 2 * n_chains, sizeof(*need));
	for (size_t i = 0; i < s.n_rm; i++)
		need[n_need++] = s.rm[i].node;
	for (size_t i = 0; i < n_chains; i++) {
		need[n_need++] = chains[i].a;
		need[n_need++] = chains[i].b;
	}
	for (size_t i = 0; i < n_need; i++) {
		bool seen = false;

		for (size_t k = 0; k < i; k++)
			seen |= !strcmp(need[k], need[i]);
		if (!seen)
			check_record(&s, need[i]);
	}
	free(need);
	if (s.why.len)
		goto verdict;

	/* OGM's premise, from the coordinator's own evidence */
	ogm_bad = check_ogm(&s);

	/* (a) chains: B may not hold more of X's messages than A had sent X */
	for (size_t i = 0; i < n_chains; i++) {
		const struct chain *c = &chains[i];
		char ab[ADDR_BUF], abx[ADDR_BUF];

		eval_chain(&s, c, &res[i]);
		if (s.why.len)
			continue;
		sb_printf(&s.tokens, " %s=%" PRIu64 "/%" PRIu64, c->name,
			  res[i].sent, res[i].received);
		if (one_clock) {
			uint64_t ta = cut_ns_of(&s, c->a), tb = cut_ns_of(&s, c->b);

			strad[i] = tb > ta && tb - ta > c->lmin_ns;
			straddled |= strad[i];
			if (c->sendlog.file && app_bad(c, ta, tb, &s.bad)) {
				res[i].app_bad = true;
				app_bad_n++;
				*(c->tcp ? &tcp_bad : &udp_bad) = true;
			}
		}
		if (res[i].received <= res[i].sent)
			continue;
		chain_bad++;
		*(c->tcp ? &tcp_bad : &udp_bad) = true;
		sb_sep(&s.bad);
		sb_printf(&s.bad, "chain %s: %s received %" PRIu64 " %s from %s:%u"
			  " > %s sent %" PRIu64 " to %s:%u", c->name, c->b,
			  res[i].received, c->tcp ? "bytes" : "datagrams",
			  ntoa_host(&c->xb, abx), c->sport, c->a, res[i].sent,
			  ntoa_host(&c->x, ab),
			  c->port);
		if (res[i].lost)
			sb_printf(&s.bad, " (less %" PRIu64 " lost)", res[i].lost);
	}
	if (s.why.len)
		goto verdict;

	/*
	 * (b) every ordered pair of report members. in flight is the
	 * receiver's count (packets with an older stamp arriving after its
	 * cut); the sender's channel to T holds nothing of this direction.
	 */
	for (size_t p = 0; p < 2 * s.n_rm * s.n_rm; p++) {
		/* IPv4 channels of every pair, then IPv6 ones, apart */
		bool v6 = p >= s.n_rm * s.n_rm;
		size_t f = p % (s.n_rm * s.n_rm) / s.n_rm, t = p % s.n_rm;
		const char *fam = v6 ? "~6" : "";
		const struct rmember *F = &s.rm[f], *T = &s.rm[t];
		const struct xmember *xf, *xt;
		struct chansum cf, ct;
		uint64_t l = 0, rhs, lt;

		if (f == t)
			continue;
		xf = xmember_of(&s, F->node);
		xt = xmember_of(&s, T->node);
		sum_chans(xf, T, v6, &cf);
		sum_chans(xt, F, v6, &ct);
		for (size_t k = 0; k < n_losts; k++) {
			if (strcmp(losts[k].from, F->node) ||
			    strcmp(losts[k].to, T->node))
				continue;
			losts[k].used = true;
			for (size_t a = 0; a < T->n_addr; a++) {
				struct flowsel sel = { PROTO_UDP,
						       T->addr[a],
						       losts[k].port };
				struct flowsum fs;

				if (bv_ip_is4(&T->addr[a]) == v6)
					continue;
				sum_flows(xf, &sel, &fs);
				l = add(l, lost_upto(&losts[k],
						     fs.tx_pkts), "lost");
			}
		}
		lt = report_late(&s, F->node, T->node, v6);
		if (!cf.tx_pkts && !ct.rx_pkts && !ct.inflight && !l &&
		    !lt)
			continue;
		pairs++;
		inflight = add(inflight, ct.inflight, "inflight");
		lost = add(lost, l, "lost");
		late = add(late, lt, "late");
		sb_printf(&s.tokens, " %s>%s%s=%" PRIu64 "/%" PRIu64 "/%"
			  PRIu64 "/%" PRIu64, F->node, T->node, fam,
			  cf.tx_pkts, ct.rx_pkts, ct.inflight, l);
		/* the late figure only where there is one: the
		 * detail lines of runs without any stay as they were */
		if (lt)
			sb_printf(&s.tokens, "/late%" PRIu64, lt);
		rhs = add(add(add(ct.rx_pkts, ct.inflight, "balance"), l,
			      "balance"), lt, "balance");
		if (cf.tx_pkts == rhs)
			continue;
		pair_bad++;
		sb_sep(&s.bad);
		sb_printf(&s.bad, "channel %s>%s%s: sent %" PRIu64 " != "
			  "received %" PRIu64 " + inflight %" PRIu64
			  " + lost %" PRIu64, F->node, T->node, fam,
			  cf.tx_pkts, ct.rx_pkts, ct.inflight, l);
		if (lt)
			sb_printf(&s.bad, " + late %" PRIu64, lt);
		/* a module before late entries: late in-flight
		 * packets are on the cut, not in the channel */
		if (late_of(&s, T->node))
			sb_printf(&s.bad, " (late %" PRIu64 " at %s)",
				  late_of(&s, T->node), T->node);
	}

verdict:
	if (s.why.len) {
		st.unverifiable++;
		problem("snapshot %" PRIu64 " epoch %u: UNVERIFIABLE %s", d->id,
			d->epoch, sb_str(&s.why));
		if (detail)
			fprintf(detail, " UNVERIFIABLE %s\n", sb_str(&s.why));
		goto out;
	}
	st.checked++;
	st.chain_violations += chain_bad;
	st.balance_violations += pair_bad;
	st.ogm_violations += ogm_bad;
	st.app_violations += app_bad_n;
	st.violations_udp += udp_bad;
	st.violations_tcp += tcp_bad;
	st.straddled += straddled;
	st.pairs_checked += pairs;
	st.inflight = add(st.inflight, inflight, "inflight");
	st.lost = add(st.lost, lost, "lost");
	st.late = add(st.late, late, "late");
	for (size_t i = 0; i < n_chains; i++) {
		struct chain *c = &chains[i];
		int64_t x = excess(res[i].received, res[i].sent);

		c->checked++;
		c->violations += res[i].received > res[i].sent;
		c->app_violations += res[i].app_bad;
		c->straddled += strad[i];
		c->received_pos += res[i].received > 0;
		c->lost_total += res[i].lost;
		c->gaps = grow(c->gaps, &c->gaps_cap, c->checked - 1,
			       sizeof(*c->gaps));
		c->gaps[c->checked - 1] = -x;
		if (x > c->max_excess)
			c->max_excess = x;
		if (res[i].sent > c->max_sent)
			c->max_sent = res[i].sent;
	}
	if (one_clock && any_applog)
		st.app_checked++;
	if (s.bad.len) {
		st.violations++;
		problem("snapshot %" PRIu64 " epoch %u: VIOLATION %s", d->id,
			d->epoch, sb_str(&s.bad));
	}
	if (detail && s.bad.len)
		fprintf(detail, "%s VIOLATION %s\n", sb_str(&s.tokens),
			sb_str(&s.bad));
	else if (detail)
		fprintf(detail, "%s ok\n", sb_str(&s.tokens));
out:
	free(res);
	free(strad);
	free(s.rm);
	free(s.xm);
	free(s.why.s);
	free(s.bad.s);
	free(s.tokens.s);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* nearest rank on (n-1), as the coordinator's bound statistics */
static uint64_t quantile(const uint64_t *v, size_t n, unsigned int pct)
{
	size_t i = ((n - 1) * pct + 50) / 100;

	return v[i < n ? i : n - 1];
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* --gateways G,...: names as in the acknowledgements, each once */
static void parse_gateways(const char *arg)
{
	char *dup = xstrdup(arg), *save = NULL, *tok;

	for (tok = strtok_r(dup, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!plain_name(tok))
			tk_usage_error("--gateways: bad name '%s'", tok);
		for (size_t i = 0; i < n_gateways; i++)
			if (!strcmp(gateways[i], tok))
				tk_usage_error("--gateways: %s twice", tok);
		gateways = xrealloc(gateways, n_gateways + 1, sizeof(*gateways));
		gateways[n_gateways++] = xstrdup(tok);
	}
	free(dup);
	if (!n_gateways)
		tk_usage_error("--gateways: no name");
}

static void print_us(const char *key, bool have, uint64_t ns)
{
	if (have)
		printf(" %s %" PRIu64, key, ns / 1000);
	else
		printf(" %s -", key);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "chain", required_argument, NULL, 'c' },
		{ "tcp-base", required_argument, NULL, 'B' },
		{ "lost", required_argument, NULL, 'l' },
		{ "detail", required_argument, NULL, 'd' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "gateways", required_argument, NULL, 'g' },
		{ "one-clock", no_argument, NULL, '1' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *detail_path = NULL;
	FILE *detail = NULL;
	bool any_tcp = false, have_excess = false, have_sent = false;
	int64_t max_excess = INT64_MIN;
	uint64_t max_sent = 0;
	int opt;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': parse_chain(optarg); break;
		case 'B': base_id = tk_num("--tcp-base", optarg, 1, INT64_MAX);
			  has_base = true; break;
		case 'l': parse_lost(optarg); break;
		case 'd': detail_path = optarg; break;
		case 'q': quiet = true; break;
		case 'g': parse_gateways(optarg); break;
		case '1': one_clock = true; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: tk_usage_error("bad option");
		}
	}
	for (size_t i = 0; i < n_chains; i++) {
		any_tcp |= chains[i].tcp;
		any_applog |= chains[i].sendlog.file != NULL;
	}
	if (any_applog && !one_clock)
		tk_usage_error("sendlog= and recvlog= compare instants of two "
			       "hosts: they need --one-clock");
	if (any_tcp && !has_base)
		tk_usage_error("a tcp --chain needs --tcp-base ID");
	if (has_base && !any_tcp)
		tk_usage_error("--tcp-base without a tcp --chain");

	for (size_t i = 0; i < n_losts; i++)
		read_lost_file(&losts[i]);
	for (size_t i = 0; i < n_chains; i++) {
		if (chains[i].lost.file)
			read_lost_file(&chains[i].lost);
		if (chains[i].sendlog.file)
			read_applogs(&chains[i]);
	}
	ctx[0] = '\0';
	if (optind == argc)
		read_docs("-");
	for (int i = optind; i < argc; i++)
		read_docs(argv[i]);
	ctx[0] = '\0';
	if (has_base)
		load_base();
	if (detail_path) {
		detail = fopen(detail_path, "w");
		if (!detail)
			tk_die(detail_path);
	}

	for (size_t i = 0; i < n_docs; i++) {
		struct doc *d = &docs[i];

		snprintf(ctx, sizeof(ctx), "%s (snapshot %" PRIu64 ")", d->src,
			 d->id);
		doc_load(d);
		st.documents++;
		attempts_stats(d);
		if (detail)
			fprintf(detail, "id %" PRIu64 " epoch %u state %s", d->id,
				d->epoch, d->state);
		if (!strcmp(d->state, "accepted")) {
			st.accepted++;
			check_snapshot(d, detail);
			doc_drop(d);
			continue;
		}
		if (!strcmp(d->state, "rejected"))
			st.rejected++;
		else if (!strcmp(d->state, "failed"))
			st.failed++;
		else
			st.other++;
		if (detail)
			fputc('\n', detail);
		doc_drop(d);
	}
	ctx[0] = '\0';
	if (detail && (ferror(detail) | fclose(detail))) {
		errno = EIO;
		tk_die(detail_path);
	}

	if (st.problems > st.shown && !quiet)
		fprintf(stderr, "bvoracle: ... and %" PRIu64 " more\n",
			st.problems - st.shown);
	for (size_t i = 0; i < n_chains; i++) {
		const struct chain *c = &chains[i];
		char ab[ADDR_BUF];

		if (c->checked) {
			have_excess = have_sent = true;
			if (c->max_excess > max_excess)
				max_excess = c->max_excess;
			if (c->max_sent > max_sent)
				max_sent = c->max_sent;
		}
		if (quiet)
			continue;
		fprintf(stderr, "bvoracle: chain %s (%s %s -> %s:%u -> %s from "
			":%u): checked %" PRIu64 " violations %" PRIu64
			" app_violations %" PRIu64 " straddled %" PRIu64
			" received_pos %" PRIu64, c->name,
			c->tcp ? "tcp" : "udp", c->a, ntoa_host(&c->x, ab), c->port, c->b,
			c->sport, c->checked, c->violations, c->app_violations,
			c->straddled, c->received_pos);
		if (c->checked)
			fprintf(stderr, " max_excess %" PRId64 " max_sent %" PRIu64
				"\n", c->max_excess, c->max_sent);
		else
			fprintf(stderr, " max_excess - max_sent -\n");
	}
	for (size_t i = 0; i < n_losts; i++)
		if (!losts[i].used && !quiet)
			fprintf(stderr, "bvoracle: note: --lost %s>%s never applied "
				"(no verifiable snapshot has both in its report)\n",
				losts[i].from, losts[i].to);

	if (st.n_bounds)
		qsort(st.bounds, st.n_bounds, sizeof(*st.bounds), cmp_u64);
	printf("documents %" PRIu64 " accepted %" PRIu64 " rejected %" PRIu64
	       " failed %" PRIu64 " other %" PRIu64 " checked %" PRIu64
	       " violations %" PRIu64 " chain_violations %" PRIu64
	       " balance_violations %" PRIu64 " ogm_violations %" PRIu64
	       " app_violations %" PRIu64 " unverifiable %" PRIu64
	       " violations_udp %" PRIu64 " violations_tcp %" PRIu64,
	       st.documents, st.accepted, st.rejected, st.failed, st.other,
	       st.checked, st.violations, st.chain_violations,
	       st.balance_violations, st.ogm_violations, st.app_violations,
	       st.unverifiable, st.violations_udp, st.violations_tcp);
	if (one_clock)
		printf(" straddled %" PRIu64, st.straddled);
	else
		printf(" straddled -");
	printf(" app_checked %" PRIu64, st.app_checked);
	if (have_excess)
		printf(" max_excess %" PRId64, max_excess);
	else
		printf(" max_excess -");
	if (have_sent)
		printf(" max_sent %" PRIu64, max_sent);
	else
		printf(" max_sent -");
	printf(" attempts %" PRIu64 " rejected_attempts %" PRIu64
	       " timeout_attempts %" PRIu64, st.attempts, st.rejected_attempts,
	       st.timeout_attempts);
	print_us("bound_median_us", st.n_bounds,
		 st.n_bounds ? quantile(st.bounds, st.n_bounds, 50) : 0);
	print_us("bound_p99_us", st.n_bounds,
		 st.n_bounds ? quantile(st.bounds, st.n_bounds, 99) : 0);
	print_us("bound_max_us", st.n_bounds,
		 st.n_bounds ? st.bounds[st.n_bounds - 1] : 0);
	print_us("tau_min_us", st.has_tau, st.tau_min);
	printf(" pairs_checked %" PRIu64 " inflight %" PRIu64 " lost %" PRIu64
	       " late %" PRIu64, st.pairs_checked, st.inflight, st.lost,
	       st.late);
	for (size_t i = 0; i < n_chains; i++) {
		struct chain *c = &chains[i];

		printf(" %s.checked %" PRIu64 " %s.violations %" PRIu64
		       " %s.app_violations %" PRIu64 " %s.received_pos %" PRIu64
		       " %s.lost %" PRIu64, c->name, c->checked, c->name,
		       c->violations, c->name, c->app_violations, c->name,
		       c->received_pos, c->name, c->lost_total);
		if (one_clock)
			printf(" %s.straddled %" PRIu64 " %s.lmin_us %" PRIu64,
			       c->name, c->straddled, c->name, c->lmin_ns / 1000);
		else
			printf(" %s.straddled - %s.lmin_us -", c->name, c->name);
		if (c->checked) {
			qsort(c->gaps, c->checked, sizeof(*c->gaps), cmp_i64);
			printf(" %s.gap_p50 %" PRId64 " %s.gap_max %" PRId64,
			       c->name, c->gaps[(c->checked - 1) / 2], c->name,
			       c->gaps[c->checked - 1]);
		} else {
			printf(" %s.gap_p50 - %s.gap_max -", c->name, c->name);
		}
	}
	putchar('\n');
	if (fflush(stdout) || ferror(stdout)) {
		errno = EIO;
		tk_die("stdout");
	}

	for (size_t i = 0; i < n_docs; i++) {
		json_decref(docs[i].j);
		free(docs[i].state);
	}
	free(docs);
	for (size_t i = 0; i < n_bufs; i++)
		free(bufs[i]);
	free(bufs);
	for (size_t i = 0; i < n_chains; i++) {
		struct chain *c = &chains[i];

		free(c->name);
		free(c->a);
		free(c->b);
		free(c->gaps);
		free(c->lost.file);
		free(c->lost.seqs);
		applog_free(&c->sendlog);
		applog_free(&c->recvlog);
	}
	free(chains);
	for (size_t i = 0; i < n_gateways; i++)
		free(gateways[i]);
	free(gateways);
	free(issued);
	for (size_t i = 0; i < n_losts; i++) {
		free(losts[i].from);
		free(losts[i].to);
		free(losts[i].file);
		free(losts[i].seqs);
	}
	free(losts);
	free(st.bounds);

	if (!st.checked || st.violations || st.unverifiable)
		return 1;
	return 0;
}
