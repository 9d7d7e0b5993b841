/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* libbeaver-app: what app.c and mark.c share */
#ifndef BEAVER_APP_INTERNAL_H
#define BEAVER_APP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

struct json_t;

/* announcements read while waiting for an answer (beaver_app_tcp_cut) */
#define BVA_LIB_DEFER 64

struct beaver_app {
	int fd;
	uint32_t mask;		/* the member's app_mark */
	uint32_t epoch;		/* the newest epoch known: marks read near it */
	bool has_epoch;
	uint64_t malformed;	/* messages from beaverd skipped */
	uint64_t next_id;	/* of the last tcp_cut query */
	struct json_t *defer[BVA_LIB_DEFER];	/* oldest at defer_head */
	unsigned int defer_head, n_defer;
};

/* @epoch is known to exist: move the reference forward to it */
void bva_lib_note_epoch(struct beaver_app *app, uint32_t epoch);

/* app.c: the conversation with beaverd */
int64_t bva_lib_now_ms(void);
/* send @j (a reference taken, even on errors): 0 or -errno */
int bva_lib_send(struct beaver_app *app, struct json_t *j);
/* likewise, passing the descriptor @pass along (SCM_RIGHTS) if >= 0 */
int bva_lib_send_fd(struct beaver_app *app, struct json_t *j, int pass);
/*
 * the next message from the socket (not a deferred one), waiting until
 * @deadline
 * (CLOCK_MONOTONIC ms; -1 forever, 0 only what is queued): 1 with *out
 * (a new reference), 0 none, -errno
 */
int bva_lib_read(struct beaver_app *app, int64_t deadline,
		 struct json_t **out);
/* keep @j (taken over) for a later bva_lib_read(): 0 or -ENOBUFS */
int bva_lib_defer(struct beaver_app *app, struct json_t *j);

/* tcp.c */
/*
 * Bytes of one stream before the cut, from its ISN and highest sequence
 * number (the SYN, and the FIN if @fin, take one each): the count with
 * those low 32 bits nearest @ref. @has false: the record saw nothing of
 * the stream, 0. 1 with *out, 0 if the count would be negative.
 */
int bva_lib_tcp_bytes(bool has, uint32_t isn, uint32_t seq, bool fin,
		      uint64_t ref, uint64_t *out);
/* beaverd's answer @j to a tcp_cut query: 1 with both, 0, -EPROTO */
int bva_lib_tcp_answer(struct json_t *j, uint64_t rx_ref, uint64_t tx_ref,
		       uint64_t *rx_before, uint64_t *tx_before);

#endif /* BEAVER_APP_INTERNAL_H */
