/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A bank-server's books, kept so that it can tell its state as of a cut it
 * learns about only after it has already read later messages.
 */
#ifndef BANK_LEDGER_H
#define BANK_LEDGER_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "bank.h"

#define LEDGER_RING	24	/* TCP records remembered per connection */
#define LEDGER_WINDOW	256	/* ids applied above the low-water mark */

/* a u or r transfer sent and not seen acknowledged before some cut */
struct pending {
	char kind;
	int to;
	uint32_t id, amount;
	uint64_t pos;		/* the datagram's number on its flow, from 1 */
	bool acked;
	uint32_t ack_epoch;	/* the epoch its acknowledgement came in */
};

/* a u or r transfer applied, not yet older than every future cut */
struct credit {
	uint32_t epoch;
	int from, acct;
	char kind;
	uint32_t id, amount;
};

/* the u or r transfers of one sender applied before the last cut */
struct applied {
	uint32_t low;		/* every id up to low */
	uint64_t above[LEDGER_WINDOW / 64];	/* bit i: id low + 1 + i */
};

/* one direction of a TCP connection: the records written or read */
struct tcp_side {
	bool up;
	uint16_t port;		/* the local (out) or peer's (in) port */
	uint32_t base;		/* always 0: bank-check reads where the stream
				 * starts from the record (tx_isn) */
	uint32_t n;		/* records so far */
	uint32_t amount[LEDGER_RING];	/* amount[k % LEDGER_RING]: record k */
};

struct ledger {
	int me;
	int64_t bal[BANK_ACCOUNTS];	/* every send debited, every read credited */
	struct pending *pend;
	size_t npend, cap_pend;
	struct credit *cred;
	size_t ncred, cap_cred;
	struct applied ap[BANK_MAX_ID + 1][2];	/* [sender][u, r] */
	struct tcp_side out[BANK_MAX_ID + 1], in[BANK_MAX_ID + 1];
	uint64_t unmarked, outside_window, dup;
};

void ledger_init(struct ledger *l, int me, int64_t balance);
int ledger_sent(struct ledger *l, char kind, int to, uint32_t id,
		int from_acct, uint32_t amount, uint64_t pos);
void ledger_acked(struct ledger *l, char kind, int to, uint32_t id,
		  int64_t epoch, uint32_t now_epoch);
/* 1 applied, 0 a duplicate (ignored) */
int ledger_received(struct ledger *l, const struct bank_msg *m, int64_t epoch,
		    uint32_t now_epoch);
void ledger_tcp_sent(struct ledger *l, int to, int from_acct, uint32_t amount);
void ledger_tcp_read(struct ledger *l, int from, int acct, uint32_t amount);
/* the state as of the cut of @epoch into @buf; then forget what no later
 * cut needs. Its length, or -1 if it did not fit */
int ledger_state(struct ledger *l, uint32_t epoch, const char *addr,
		 char *buf, size_t len);

#endif /* BANK_LEDGER_H */
