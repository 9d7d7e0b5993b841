/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The bank: an example application of libbeaver-app (docs/applications.md,
 * "The bank"). Shared by bank-server, bank-relay and bank-check.
 *
 * Every member runs a bank-server with a few accounts. Transfers move
 * money between accounts on different members, three ways:
 *   u  directly, member to member, one UDP datagram (port BANK_PORT)
 *   r  through bank-relay on an out-group host (BANK_RELAY_PORT), which
 *      sends it on to the group's VIP, port BANK_VIA_PORT + receiver id
 *   t  over a TCP connection to the receiver (BANK_TCP_PORT), one fixed
 *      record of BANK_TCP_REC bytes per transfer
 * u and r transfers are acknowledged directly (UDP, BANK_PORT).
 */
#ifndef BANK_H
#define BANK_H

#include <stdint.h>
#include <stddef.h>

#define BANK_PORT	7300	/* direct transfers and acknowledgements */
#define BANK_OUT_PORT	7301	/* a server's socket towards the relay */
#define BANK_RELAY_PORT	7400	/* bank-relay listens here */
#define BANK_VIA_PORT	7310	/* + receiver id: the VIP port of a relayed transfer */
#define BANK_TCP_PORT	7320
#define BANK_TCP_REC	48	/* bytes of one transfer on TCP */
#define BANK_MAX_ID	8	/* member ids 1..8 */
#define BANK_ACCOUNTS	4

/* one message: "BNK1 T k from to id acct amount" or "BNK1 A k from to id" */
struct bank_msg {
	char type;		/* 'T' a transfer, 'A' its acknowledgement */
	char kind;		/* 'u', 'r', 't' */
	int from, to;		/* member ids */
	uint32_t id;		/* per (from, to, kind), from 1 */
	int acct;		/* the receiver's account (T) */
	uint32_t amount;	/* (T) */
};

/* the text of @m into @buf (NUL-terminated); its length, or -1 */
int bank_msg_encode(const struct bank_msg *m, char *buf, size_t len);
/* parse @len bytes at @buf: 0, or -1 if it is not a bank message */
int bank_msg_decode(const char *buf, size_t len, struct bank_msg *m);

#endif /* BANK_H */
