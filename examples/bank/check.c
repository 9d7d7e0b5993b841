// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bank-check: the bank's money in every snapshot (docs/applications.md,
 * "The bank"). Reads `beaverctl export` documents (one after another, a
 * file or stdin) and, for every accepted snapshot, adds up:
 *
 *   the balances every bank-server submitted as of its member's cut
 * + transfers its member's record shows it sent after the cut (the
 *   datagram's number on its flow above the flow's tx_pkts; TCP records
 *   beyond tx_seq): the server had debited them already
 * + direct UDP transfers in flight: the receiver's record's captures
 * + relayed transfers sent before the sender's cut that the receiver had
 *   not applied before its own (pending at the sender, not in the
 *   receiver's applied set: each transfer counted once, by its id)
 * + TCP records sent before the sender's cut, not received before the
 *   receiver's (between the receiver's rx_seq and the sender's tx_seq)
 * - TCP records the receiver read after its cut (beyond its rx_seq)
 *
 * and compares with --total. A snapshot "straddles" when some transfer
 * was sent before its sender's cut and received after its receiver's.
 *
 *   bank-check --total N [FILE]
 *
 * Prints one line per snapshot, then `bank accepted A conserved C
 * wrong W straddled S not_accepted X`; exit status 0 if every accepted snapshot
 * conserved the total, 1 if not, 2 on bad input.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "bank.h"

struct pend { char kind; int to; uint32_t id, amount; uint64_t pos; };
struct tline { bool on; unsigned port; uint32_t base, n; uint32_t amt[64]; int namt; };

struct srv {
	bool on;
	int me;
	const char *node;
	char addr[64];
	long long bal;
	unsigned long long unmarked, window;
	int captured;		/* direct transfers to it in its captures */
	struct pend *p;
	int np;
	uint32_t low[BANK_MAX_ID + 1][2];
	uint32_t *above[BANK_MAX_ID + 1][2];
	int nabove[BANK_MAX_ID + 1][2];
	struct tline out[BANK_MAX_ID + 1], in[BANK_MAX_ID + 1];
	json_t *rec;
};

static void srv_free(struct srv *s)
{
	free(s->p);
	for (int i = 0; i <= BANK_MAX_ID; i++)
		for (int k = 0; k < 2; k++)
			free(s->above[i][k]);
	memset(s, 0, sizeof(*s));
}

/* a decimal number at *p (strtoull, checked); advances *p */
static int unum(const char **p, unsigned long long *v)
{
	char *end;

	if (**p < '0' || **p > '9')
		return -1;
	errno = 0;
	*v = strtoull(*p, &end, 10);
	if (errno)
		return -1;
	*p = end;
	return 0;
}

/* *p starts with @lit: skip it */
static int lit(const char **p, const char *lit)
{
	size_t n = strlen(lit);

	if (strncmp(*p, lit, n) != 0)
		return -1;
	*p += n;
	return 0;
}

/* "NAME=N" after a space */
static int kvnum(const char **p, const char *name, unsigned long long *v)
{
	return lit(p, " ") || lit(p, name) || lit(p, "=") || unum(p, v);
}

static int peer_of(const char **p, int *peer)
{
	unsigned long long v;

	if (lit(p, " ") || unum(p, &v) || v < 1 || v > BANK_MAX_ID)
		return -1;
	*peer = (int)v;
	return 0;
}

static int line_bank(struct srv *s, const char *q)
{
	unsigned long long me, v;
	size_t n;

	if (kvnum(&q, "me", &me) || me < 1 || me > BANK_MAX_ID ||
	    lit(&q, " addr="))
		return -1;
	n = strcspn(q, " ");
	if (n >= sizeof(s->addr))
		return -1;
	memcpy(s->addr, q, n);
	s->addr[n] = '\0';
	q += n;
	if (kvnum(&q, "epoch", &v) || lit(&q, " bal="))
		return -1;
	do {
		bool neg = !lit(&q, "-");

		if (unum(&q, &v))
			return -1;
		s->bal += neg ? -(long long)v : (long long)v;
	} while (!lit(&q, ","));
	if (kvnum(&q, "unmarked", &s->unmarked) || kvnum(&q, "window", &s->window))
		return -1;
	s->me = (int)me;
	s->on = true;
	return 0;
}

static int line_pending(struct srv *s, const char *q)
{
	struct pend e;
	unsigned long long id, pos, amt;

	e.kind = q[0];
	q++;
	if (peer_of(&q, &e.to))
		return -1;
	while (!lit(&q, " ")) {
		struct pend *np;

		if (unum(&q, &id) || lit(&q, "@") || unum(&q, &pos) ||
		    lit(&q, ":") || unum(&q, &amt))
			return -1;
		e.id = (uint32_t)id;
		e.pos = pos;
		e.amount = (uint32_t)amt;
		np = realloc(s->p, (size_t)(s->np + 1) * sizeof(*s->p));
		if (!np)
			return -1;
		s->p = np;
		s->p[s->np++] = e;
	}
	return 0;
}

static int line_applied(struct srv *s, const char *q)
{
	int k = q[0] == 'r', peer;
	unsigned long long v;

	q++;
	if (peer_of(&q, &peer) || lit(&q, " ") || unum(&q, &v))
		return -1;
	s->low[peer][k] = (uint32_t)v;
	while (!lit(&q, ",")) {
		uint32_t *na;

		if (unum(&q, &v))
			return -1;
		na = realloc(s->above[peer][k], (size_t)(s->nabove[peer][k] + 1) * sizeof(*na));
		if (!na)
			return -1;
		s->above[peer][k] = na;
		na[s->nabove[peer][k]++] = (uint32_t)v;
	}
	return 0;
}

static int line_tcp(struct tline *lines, const char *q)
{
	unsigned long long port, base, n, v;
	struct tline *t;
	int peer;

	if (peer_of(&q, &peer) || lit(&q, " ") || unum(&q, &port) ||
	    lit(&q, " ") || unum(&q, &base) || lit(&q, " ") || unum(&q, &n))
		return -1;
	t = &lines[peer];
	*t = (struct tline){ .on = true, .port = (unsigned)port,
			     .base = (uint32_t)base, .n = (uint32_t)n };
	if (lit(&q, " "))
		return 0;
	do {
		if (unum(&q, &v) || t->namt >= 64)
			return -1;
		t->amt[t->namt++] = (uint32_t)v;
	} while (!lit(&q, ","));
	return 0;
}

/* the state text of a bank-server (ledger.c writes it): 0 or -1 */
static int srv_parse(struct srv *s, const char *text)
{
	char *copy = strdup(text), *save = NULL;
	int bad = !copy;

	for (char *line = copy ? strtok_r(copy, "\n", &save) : NULL; line && !bad;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *q = line;

		if (!lit(&q, "bank"))
			bad = line_bank(s, q);
		else if (!lit(&q, "p "))
			bad = line_pending(s, q);
		else if (!lit(&q, "a "))
			bad = line_applied(s, q);
		else if (!lit(&q, "to"))
			bad = line_tcp(s->out, q);
		else if (!lit(&q, "ti"))
			bad = line_tcp(s->in, q);
		else
			bad = 1;
	}
	free(copy);
	return bad || !s->on ? -1 : 0;
}

static bool applied(const struct srv *r, char kind, int from, uint32_t id)
{
	int k = kind == 'r';

	if (id <= r->low[from][k])
		return true;
	for (int i = 0; i < r->nabove[from][k]; i++)
		if (r->above[from][k][i] == id)
			return true;
	return false;
}

/* the flow of a record: tx_pkts and tx_seq/rx_seq summed or taken over
 * its entries (per CPU when not merged), and the sequence number of our
 * SYN (tx_isn) when the member saw the stream start (-1 otherwise); false
 * if there is none */
static bool flow(json_t *rec, int proto, int lport, const char *raddr, int rport,
		 unsigned long long *tx_pkts, long long *tx_seq, long long *rx_seq,
		 long long *tx_isn)
{
	json_t *flows = json_object_get(rec, "flows"), *f;
	size_t i;
	bool found = false;

	*tx_pkts = 0;
	*tx_seq = *rx_seq = *tx_isn = -1;
	json_array_foreach(flows, i, f) {
		json_t *ts, *rs, *is;

		if (json_integer_value(json_object_get(f, "proto")) != proto ||
		    (lport && json_integer_value(json_object_get(f, "lport")) != lport) ||
		    (rport && json_integer_value(json_object_get(f, "rport")) != rport) ||
		    (raddr && strcmp(json_string_value(json_object_get(f, "raddr")) ?: "", raddr) != 0))
			continue;
		found = true;
		*tx_pkts += (unsigned long long)json_integer_value(json_object_get(f, "tx_pkts"));
		ts = json_object_get(f, "tx_seq");
		rs = json_object_get(f, "rx_seq");
		if (ts)
			*tx_seq = json_integer_value(ts);
		if (rs)
			*rx_seq = json_integer_value(rs);
		is = json_object_get(f, "tx_isn");
		if (is)
			*tx_isn = json_integer_value(is);
	}
	return found;
}

/* the amount of TCP record k from a state's list of the last ones */
static bool ring_amount(const struct tline *t, uint32_t k, uint32_t *amt)
{
	uint32_t first = t->n - (uint32_t)t->namt + 1;

	if (k < first || k > t->n)
		return false;
	*amt = t->amt[k - first];
	return true;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* a captured packet (hex, from its IP header on) as a bank transfer */
static bool capture_msg(const char *hex, struct bank_msg *m)
{
	unsigned char p[1100];
	size_t n = 0, ihl;

	while (hex[2 * n] && hex[2 * n + 1] && n < sizeof(p)) {
		int a = hexval(hex[2 * n]), b = hexval(hex[2 * n + 1]);

		if (a < 0 || b < 0)
			return false;
		p[n++] = (unsigned char)(a << 4 | b);
	}
	if (n < 20 || (p[0] >> 4) != 4 || p[9] != 17)
		return false;
	ihl = (size_t)(p[0] & 15) * 4;
	if (n < ihl + 8 || ((p[ihl + 2] << 8) | p[ihl + 3]) != BANK_PORT)
		return false;
	return !bank_msg_decode((const char *)p + ihl + 8, n - ihl - 8, m) &&
	       m->type == 'T' && m->kind == 'u';
}

struct verdict {
	long long money;
	int transit_u, transit_r, transit_t, undo, problems;
	char why[256];
};

static void problem(struct verdict *v, const char *what, int a, int b)
{
	size_t l = strlen(v->why);

	v->problems++;
	if (l < sizeof(v->why) - 64)
		snprintf(v->why + l, sizeof(v->why) - l, "%s%s %d>%d", l ? "; " : "", what, a, b);
}

static void check_snapshot(struct srv *S, struct verdict *v)
{
	memset(v, 0, sizeof(*v));
	for (int s = 1; s <= BANK_MAX_ID; s++) {
		struct srv *a = &S[s];

		if (!a->on)
			continue;
		v->money += a->bal;
		if (a->unmarked || a->window)
			problem(v, "unmarked/window", s, s);
		/* u and r: pending at the sender as of its cut */
		for (int i = 0; i < a->np; i++) {
			struct pend *e = &a->p[i];
			struct srv *r = &S[e->to];
			unsigned long long txp;
			long long ts, rs, is;

			if (e->kind == 'u')
				flow(a->rec, 17, BANK_PORT, r->on ? r->addr : "-", BANK_PORT, &txp, &ts, &rs, &is);
			else
				flow(a->rec, 17, BANK_OUT_PORT, NULL, BANK_RELAY_PORT, &txp, &ts, &rs, &is);
			if (e->pos > txp) {
				v->money += e->amount;	/* sent after the cut */
				v->undo++;
			} else if (!r->on) {
				problem(v, "no state of receiver", e->to, s);
			} else if (!applied(r, e->kind, s, e->id)) {
				if (e->kind == 'r') {
					v->money += e->amount;
					v->transit_r++;
				} else {
					v->transit_u++;	/* counted from the captures */
				}
			}
		}
		/* direct transfers in flight: the channel state */
		{
			json_t *caps = json_object_get(a->rec, "captures"), *c;
			size_t i;
			int seen = 0;

			json_array_foreach(caps, i, c) {
				struct bank_msg m;

				if (!capture_msg(json_string_value(json_object_get(c, "data")) ?: "", &m) ||
				    m.to != s)
					continue;
				v->money += m.amount;
				seen++;
			}
			a->captured = seen;
		}
		/* TCP, both ends of each stream it sends */
		for (int p = 1; p <= BANK_MAX_ID; p++) {
			struct tline *o = &a->out[p], *in;
			struct srv *r = &S[p];
			unsigned long long txp;
			long long txs, rxs, isn, dummy;
			uint32_t txk, rxk = 0, amt, base = o->base;

			if (!o->on)
				continue;
			if (!o->n)
				continue;
			if (!r->on) {
				problem(v, "tcp: no receiver state", s, p);
				continue;
			}
			/*
			 * The stream's first data byte: the member's record
			 * knows our SYN's sequence number (tx_isn) when it saw
			 * the connection open; a server's own base (repair
			 * mode) only in snapshots older than that field.
			 */
			if (!flow(a->rec, 6, (int)o->port, r->addr, BANK_TCP_PORT, &txp, &txs, &dummy, &isn) ||
			    txs < 0) {
				txk = 0;
			} else {
				if (isn >= 0)
					base = (uint32_t)isn + 1;
				txk = ((uint32_t)txs - base) / BANK_TCP_REC;
			}
			if (txk && isn < 0 && !o->base) {
				problem(v, "tcp: the stream's start is unknown", s, p);
				continue;
			}
			in = &r->in[s];
			if (in->on && flow(r->rec, 6, BANK_TCP_PORT, a->addr, (int)in->port, &txp, &dummy, &rxs, &dummy) &&
			    rxs >= 0)
				rxk = ((uint32_t)rxs - base) / BANK_TCP_REC;
			if (txk > o->n || rxk > txk || (in->on ? rxk > in->n : rxk > 0)) {
				problem(v, "tcp cut", (int)rxk, (int)txk);
				continue;
			}
			for (uint32_t k = txk + 1; k <= o->n; k++) {	/* after S's cut */
				if (!ring_amount(o, k, &amt)) {
					problem(v, "tcp ring", (int)k, (int)o->n);
					break;
				}
				v->money += amt;
				v->undo++;
			}
			for (uint32_t k = rxk + 1; k <= txk; k++) {	/* in flight */
				if (!ring_amount(o, k, &amt)) {
					problem(v, "tcp ring", (int)k, (int)o->n);
					break;
				}
				v->money += amt;
				v->transit_t++;
			}
			for (uint32_t k = rxk + 1; in->on && k <= in->n; k++) {	/* read after R's cut */
				if (!ring_amount(in, k, &amt)) {
					problem(v, "tcp ring", (int)k, (int)in->n);
					break;
				}
				v->money -= amt;
			}
		}
	}
	/* what the pending lines say was in flight directly must be what
	 * the receivers' records captured: a cross-check, not a term */
	{
		int captured = 0;

		for (int s = 1; s <= BANK_MAX_ID; s++)
			if (S[s].on)
				captured += S[s].captured;
		if (captured != v->transit_u)
			problem(v, "captured vs pending", captured, v->transit_u);
	}
}

int main(int argc, char **argv)
{
	long long total = -1;
	const char *path = NULL;
	char *buf = NULL;
	size_t len = 0, at = 0;
	FILE *f;
	int accepted = 0, conserved = 0, wrong = 0, straddled = 0, other = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--total") == 0 && i + 1 < argc) {
			const char *q = argv[++i];
			unsigned long long v;

			if (unum(&q, &v) || *q)
				goto usage;
			total = (long long)v;
		} else if (!path && argv[i][0] != '-')
			path = argv[i];
		else
			goto usage;
	}
	if (total < 0)
		goto usage;
	f = path ? fopen(path, "r") : stdin;
	if (!f) {
		perror(path);
		return 2;
	}
	for (;;) {
		char chunk[65536];
		size_t n = fread(chunk, 1, sizeof(chunk), f);

		if (!n)
			break;
		char *nb = realloc(buf, len + n + 1);

		if (!nb) {
			free(buf);
			return 2;
		}
		buf = nb;
		memcpy(buf + len, chunk, n);
		len += n;
	}
	for (;;) {
		json_error_t err;
		json_t *doc, *members, *m;
		struct srv S[BANK_MAX_ID + 1];
		struct verdict v;
		size_t i;
		bool incomplete = false;
		json_int_t late;

		while (at < len && strchr(" \t\r\n", buf[at]))
			at++;
		if (at >= len)
			break;
		doc = json_loadb(buf + at, len - at, JSON_DISABLE_EOF_CHECK, &err);
		if (!doc) {
			fprintf(stderr, "bank-check: %s (line %d)\n", err.text, err.line);
			free(buf);
			return 2;
		}
		at += err.position;
		if (strcmp(json_string_value(json_object_get(doc, "state")) ?: "", "accepted") != 0) {
			other++;
			json_decref(doc);
			continue;
		}
		accepted++;
		memset(S, 0, sizeof(S));
		members = json_object_get(doc, "members");
		json_array_foreach(members, i, m) {
			json_t *rec = json_object_get(m, "record"), *apps, *ap;
			size_t j;
			bool found = false;

			apps = json_object_get(rec, "apps");
			json_array_foreach(apps, j, ap) {
				struct srv s = { 0 };

				if (strcmp(json_string_value(json_object_get(ap, "app")) ?: "", "bank") != 0)
					continue;
				found = true;
				if (srv_parse(&s, json_string_value(json_object_get(ap, "state")) ?: "") ||
				    s.me < 1 || s.me > BANK_MAX_ID) {
					incomplete = true;
					srv_free(&s);
					continue;
				}
				s.node = json_string_value(json_object_get(m, "node"));
				s.rec = rec;
				S[s.me] = s;
			}
			if (!found)
				incomplete = true;
		}
		check_snapshot(S, &v);
		if (incomplete)
			problem(&v, "a member without a bank state", 0, 0);
		/* packets that came after their receiver's record closed are
		 * not captured: say so, it explains a shortfall */
		late = json_integer_value(json_object_get(json_object_get(doc, "report"), "late"));
		if (!v.problems && v.money == total)
			conserved++;
		else
			wrong++;
		if (v.transit_u + v.transit_r + v.transit_t)
			straddled++;
		printf("snapshot %lld epoch %lld: money %lld %s transit u=%d r=%d t=%d undone=%d%s%s%s\n",
		       json_integer_value(json_object_get(doc, "id")),
		       json_integer_value(json_object_get(doc, "epoch")), v.money,
		       !v.problems && v.money == total ? "conserved" : "WRONG",
		       v.transit_u, v.transit_r, v.transit_t, v.undo,
		       v.problems ? ": " : "", v.why, late ? " (late packets)" : "");
		for (int s = 0; s <= BANK_MAX_ID; s++)
			srv_free(&S[s]);
		json_decref(doc);
	}
	printf("bank accepted %d conserved %d wrong %d straddled %d not_accepted %d\n",
	       accepted, conserved, wrong, straddled, other);
	free(buf);
	return wrong ? 1 : 0;
usage:
	fprintf(stderr, "usage: bank-check --total N [FILE]\n");
	return 2;
}
