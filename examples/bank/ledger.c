// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The books of a bank-server and its state as of a cut.
 *
 * Receiving side, exact in the server: every u or r transfer comes with
 * the epoch it was delivered in (beaver_app_recvfrom). Its credit stays in
 * a log until a cut above its epoch has been reported; the state as of
 * the cut of E is the balance minus the credits of epochs >= E.
 *
 * Sending side: the socket API does not tell which epoch a datagram left
 * in, so the server cannot place its own sends at its cut. It reports
 * every transfer it has sent and not seen acknowledged before the cut,
 * with its datagram's number on its flow (pending lines); the member's
 * record counts the datagrams each flow sent before the cut (tx_pkts), and
 * bank-check puts the ones above that back into the sender's balance.
 * The acknowledgements come directly (UDP, marked), so "acknowledged
 * before the cut" is exact.
 *
 * TCP: one fixed-size record per transfer; the server reports the last
 * records' amounts, and bank-check splits the stream at the record's
 * tx_seq / rx_seq, counted from the SYN the record saw (tx_isn): the
 * server needs no privilege to learn where its stream starts.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger.h"

static int kidx(char kind) { return kind == 'r'; }

/* a is before b in epoch order (wrapping) */
static bool before(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }

void ledger_init(struct ledger *l, int me, int64_t balance)
{
	memset(l, 0, sizeof(*l));
	l->me = me;
	for (int a = 0; a < BANK_ACCOUNTS; a++)
		l->bal[a] = balance / BANK_ACCOUNTS +
			    (a < balance % BANK_ACCOUNTS ? 1 : 0);
}

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 256;
	p = realloc(p, *cap * size);
	if (!p) {
		perror("bank: realloc");
		exit(1);
	}
	return p;
}

int ledger_sent(struct ledger *l, char kind, int to, uint32_t id,
		int from_acct, uint32_t amount, uint64_t pos)
{
	l->pend = grow(l->pend, &l->cap_pend, l->npend, sizeof(*l->pend));
	l->pend[l->npend++] = (struct pending){
		.kind = kind, .to = to, .id = id, .amount = amount, .pos = pos,
	};
	l->bal[from_acct] -= amount;
	return 0;
}

void ledger_acked(struct ledger *l, char kind, int to, uint32_t id,
		  int64_t epoch, uint32_t now_epoch)
{
	if (epoch < 0) {
		/* not marked: no way to place it; after every cut so far,
		 * and counted (the state shows it, bank-check refuses it) */
		l->unmarked++;
		epoch = (uint32_t)(now_epoch + 1);
	}
	for (size_t i = 0; i < l->npend; i++) {
		struct pending *p = &l->pend[i];

		if (p->kind == kind && p->to == to && p->id == id && !p->acked) {
			p->acked = true;
			p->ack_epoch = (uint32_t)epoch;
			return;
		}
	}
}

int ledger_received(struct ledger *l, const struct bank_msg *m, int64_t epoch,
		    uint32_t now_epoch)
{
	if (epoch < 0) {
		l->unmarked++;
		epoch = (uint32_t)(now_epoch + 1);
	}
	l->cred = grow(l->cred, &l->cap_cred, l->ncred, sizeof(*l->cred));
	l->cred[l->ncred++] = (struct credit){
		.epoch = (uint32_t)epoch, .from = m->from, .acct = m->acct,
		.kind = m->kind, .id = m->id, .amount = m->amount,
	};
	l->bal[m->acct] += m->amount;
	return 1;
}

void ledger_tcp_sent(struct ledger *l, int to, int from_acct, uint32_t amount)
{
	struct tcp_side *t = &l->out[to];

	t->n++;
	t->amount[t->n % LEDGER_RING] = amount;
	l->bal[from_acct] -= amount;
}

void ledger_tcp_read(struct ledger *l, int from, int acct, uint32_t amount)
{
	struct tcp_side *t = &l->in[from];

	t->n++;
	t->amount[t->n % LEDGER_RING] = amount;
	l->bal[acct] += amount;
}

/* remember that @id of a sender was applied before a reported cut */
static void applied_set(struct ledger *l, struct applied *a, uint32_t id)
{
	uint32_t off;

	if (id <= a->low) {
		l->dup++;
		return;
	}
	off = id - a->low - 1;
	if (off >= LEDGER_WINDOW) {
		l->outside_window++;
		return;
	}
	a->above[off / 64] |= 1ULL << (off % 64);
	/* move the low-water mark over every id now contiguous */
	while (a->above[0] & 1) {
		for (int w = 0; w < LEDGER_WINDOW / 64; w++) {
			a->above[w] >>= 1;
			if (w + 1 < LEDGER_WINDOW / 64)
				a->above[w] |= (a->above[w + 1] & 1) << 63;
		}
		a->low++;
	}
}

struct out {
	char *buf;
	size_t len, at;
	bool full;
};

static void put(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->at, o->len - o->at, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->len - o->at) {
		o->full = true;
		return;
	}
	o->at += (size_t)n;
}

static void put_ring(struct out *o, const struct tcp_side *t)
{
	uint32_t k = t->n > LEDGER_RING ? t->n - LEDGER_RING + 1 : 1;

	for (const char *sep = " "; k <= t->n; k++, sep = ",")
		put(o, "%s%u", sep, t->amount[k % LEDGER_RING]);
	put(o, "\n");
}

int ledger_state(struct ledger *l, uint32_t epoch, const char *addr,
		 char *buf, size_t len)
{
	struct out o = { buf, len, 0, false };
	int64_t bal[BANK_ACCOUNTS];
	size_t j = 0;

	memcpy(bal, l->bal, sizeof(bal));
	/* credits delivered at or after the cut are not in the state; the
	 * older ones are before every later cut too: into the applied sets */
	for (size_t i = 0; i < l->ncred; i++) {
		struct credit *c = &l->cred[i];

		if (!before(c->epoch, epoch))
			l->cred[j++] = *c, bal[c->acct] -= c->amount;
		else
			applied_set(l, &l->ap[c->from][kidx(c->kind)], c->id);
	}
	l->ncred = j;
	put(&o, "bank me=%d addr=%s epoch=%u bal=", l->me, addr, epoch);
	for (int a = 0; a < BANK_ACCOUNTS; a++)
		put(&o, "%s%lld", a ? "," : "", (long long)bal[a]);
	put(&o, " unmarked=%llu window=%llu\n",
	    (unsigned long long)l->unmarked,
	    (unsigned long long)l->outside_window);
	/* sent, not acknowledged before the cut: one line per kind and peer */
	for (int k = 0; k < 2; k++) {
		char kind = k ? 'r' : 'u';

		for (int to = 1; to <= BANK_MAX_ID; to++) {
			bool any = false;

			for (size_t i = 0; i < l->npend; i++) {
				struct pending *p = &l->pend[i];

				if (p->kind != kind || p->to != to ||
				    (p->acked && before(p->ack_epoch, epoch)))
					continue;
				if (!any)
					put(&o, "p %c %d", kind, to);
				put(&o, " %u@%llu:%u", p->id,
				    (unsigned long long)p->pos, p->amount);
				any = true;
			}
			if (any)
				put(&o, "\n");
		}
	}
	/* acknowledged before this cut: before every later one too */
	j = 0;
	for (size_t i = 0; i < l->npend; i++)
		if (!l->pend[i].acked || !before(l->pend[i].ack_epoch, epoch))
			l->pend[j++] = l->pend[i];
	l->npend = j;
	for (int from = 1; from <= BANK_MAX_ID; from++)
		for (int k = 0; k < 2; k++) {
			struct applied *a = &l->ap[from][k];

			if (!a->low && !a->above[0] && !a->above[1] &&
			    !a->above[2] && !a->above[3])
				continue;
			put(&o, "a %c %d %u", k ? 'r' : 'u', from, a->low);
			for (uint32_t off = 0; off < LEDGER_WINDOW; off++)
				if (a->above[off / 64] & (1ULL << (off % 64)))
					put(&o, ",%u", a->low + 1 + off);
			put(&o, "\n");
		}
	for (int p = 1; p <= BANK_MAX_ID; p++) {
		if (l->out[p].up) {
			put(&o, "to %d %u %u %u", p, l->out[p].port,
			    l->out[p].base, l->out[p].n);
			put_ring(&o, &l->out[p]);
		}
		if (l->in[p].up) {
			put(&o, "ti %d %u %u %u", p, l->in[p].port,
			    l->in[p].base, l->in[p].n);
			put_ring(&o, &l->in[p]);
		}
	}
	return o.full ? -1 : (int)o.at;
}
