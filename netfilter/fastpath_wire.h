/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fast path's share of the control plane's wire format (beaverd/wire.h
 * is the reference): recognising and verifying an ADVANCE for this
 * gateway, its replay window, and the ADVANCE_ACK the module sends back.
 * Pure functions on buffers, tested by KUnit against vectors of
 * beaverd/wire.c. Authentication is the kernel crypto API's
 * "hmac(sha256)", keyed once with the pair key when the fast path is
 * configured.
 */
#ifndef _BEAVER_FASTPATH_WIRE_H
#define _BEAVER_FASTPATH_WIRE_H

#include <linux/types.h>

struct crypto_shash;

#define BV_FPW_VERSION		2
#define BV_FPW_HDR_LEN		28
#define BV_FPW_MAC_LEN		32
#define BV_FPW_ADVANCE		1	/* BVW_ADVANCE */
#define BV_FPW_ADVANCE_ACK	2	/* BVW_ADVANCE_ACK */
#define BV_FPW_ROLE_GATEWAY	1	/* BVW_ROLE_GATEWAY */
#define BV_FPW_ROLE_MEMBER	2
#define BV_FPW_F_MODULE		0x01	/* BVW_F_MODULE: sent by a module */
#define BV_FPW_ADV_LEN		(BV_FPW_HDR_LEN + 8 + BV_FPW_MAC_LEN)
#define BV_FPW_ACK_LEN		(BV_FPW_HDR_LEN + 36 + BV_FPW_MAC_LEN)
#define BV_FPW_WINDOW		64	/* BVW_REPLAY_WINDOW */

/* the header of a datagram that could be an ADVANCE for us */
struct bv_fpw_hdr {
	u32 sender;
	u32 sender_key;
	u32 recipient_key;
	u64 seq;
};

/*
 * The header checks of wire.c (length, magic, version, group, bodylen),
 * then: an ADVANCE with no flags and its exact size. Returns 0 and fills
 * @h, or -EBADMSG/-EPROTO/-EXDEV/-EOPNOTSUPP (not one: beaverd's business).
 */
int bv_fpw_peek(const u8 *buf, size_t len, u8 group, struct bv_fpw_hdr *h);

/*
 * The MAC of @buf (as bv_fpw_peek accepted it) with @tfm, then the body:
 * epoch not 0, the role, reserved bytes 0. Returns 0 with *epoch and *role
 * set (the caller acts on gateway roles only), -EPERM for a wrong MAC,
 * -EBADMSG for a bad body, or the crypto API's error.
 */
int bv_fpw_verify(const u8 *buf, size_t len, struct crypto_shash *tfm,
		  u32 *epoch, u8 *role);

/* per sender: the newest seq accepted and the 64 behind it (wire.c) */
struct bv_fpw_window {
	u64 top;
	u64 bitmap;	/* bit i: top - i was accepted */
};

/*
 * Record @seq if it is new: 0, or -EALREADY if it was seen or is older
 * than the window. An empty window (top 0) accepts any seq.
 */
int bv_fpw_replay(struct bv_fpw_window *w, u64 seq);

/* the window of a sender up to @top, everything up to it seen */
void bv_fpw_seed(struct bv_fpw_window *w, u64 top);

struct bv_fpw_ack {
	u8 group;
	u32 sender, sender_key, recipient_key;
	u64 seq;
	u64 req_id;
	u32 epoch, prev, now;
	s32 err;
	u64 switch_ns;
	u8 advanced;
};

/*
 * Encode @a with flags BV_FPW_F_MODULE and its MAC into @buf
 * (BV_FPW_ACK_LEN bytes); 0 or the crypto API's error
 */
int bv_fpw_ack(const struct bv_fpw_ack *a, struct crypto_shash *tfm,
	       u8 buf[BV_FPW_ACK_LEN]);

#endif /* _BEAVER_FASTPATH_WIRE_H */
