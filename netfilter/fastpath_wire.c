// SPDX-License-Identifier: GPL-2.0
/*
 * The fast path's codec: see fastpath_wire.h, and beaverd/wire.h for the
 * datagram. Every byte comes from the network: nothing beyond the header
 * is looked at before the MAC is right, and the MAC is compared in
 * constant time.
 */
#include <linux/errno.h>
#include <linux/string.h>
#include <asm/unaligned.h>
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include "fastpath_wire.h"

#define BV_FPW_MAX_DGRAM	1400	/* BVW_MAX_DGRAM */

int bv_fpw_peek(const u8 *buf, size_t len, u8 group, struct bv_fpw_hdr *h)
{
	size_t blen;

	/* wire.c's check_header(), in its order */
	if (len < BV_FPW_HDR_LEN + BV_FPW_MAC_LEN)
		return -EBADMSG;
	if (len > BV_FPW_MAX_DGRAM || buf[0] != 'B' || buf[1] != 'V')
		return -EBADMSG;
	if (buf[2] != BV_FPW_VERSION)
		return -EPROTO;
	if (buf[4] != group)
		return -EXDEV;
	blen = get_unaligned_be16(buf + 6);
	if (BV_FPW_HDR_LEN + blen + BV_FPW_MAC_LEN != len)
		return -EBADMSG;
	/* ours: an ADVANCE, no flag (a coordinator sets none), exact size */
	if (buf[3] != BV_FPW_ADVANCE || buf[5] || len != BV_FPW_ADV_LEN)
		return -EOPNOTSUPP;
	h->sender = get_unaligned_be32(buf + 8);
	h->sender_key = get_unaligned_be32(buf + 12);
	h->recipient_key = get_unaligned_be32(buf + 16);
	h->seq = get_unaligned_be64(buf + 20);
	return 0;
}

static int bv_fpw_mac(struct crypto_shash *tfm, const u8 *buf, size_t len,
		      u8 out[BV_FPW_MAC_LEN])
{
	SHASH_DESC_ON_STACK(desc, tfm);
	int err;

	desc->tfm = tfm;
	err = crypto_shash_digest(desc, buf, len, out);
	shash_desc_zero(desc);
	return err;
}

int bv_fpw_verify(const u8 *buf, size_t len, struct crypto_shash *tfm,
		  u32 *epoch, u8 *role)
{
	const u8 *b = buf + BV_FPW_HDR_LEN;
	u8 mac[BV_FPW_MAC_LEN];
	int err;

	if (len != BV_FPW_ADV_LEN)
		return -EBADMSG;
	err = bv_fpw_mac(tfm, buf, len - BV_FPW_MAC_LEN, mac);
	if (err)
		return err;
	err = crypto_memneq(mac, buf + len - BV_FPW_MAC_LEN, sizeof(mac)) ?
	      -EPERM : 0;
	memzero_explicit(mac, sizeof(mac));
	if (err)
		return err;
	/* wire.c's decode_body() and fields_ok() for ADVANCE */
	*epoch = get_unaligned_be32(b);
	*role = b[4];
	if (b[5] || b[6] || b[7] || !*epoch ||
	    (*role != BV_FPW_ROLE_GATEWAY && *role != BV_FPW_ROLE_MEMBER))
		return -EBADMSG;
	return 0;
}

int bv_fpw_replay(struct bv_fpw_window *w, u64 seq)
{
	u64 behind;

	/* wire.c's bvw_replay_check() for one sender */
	if (!w->top && !w->bitmap) {
		w->top = seq;
		w->bitmap = 1;
		return 0;
	}
	if (seq > w->top) {
		u64 shift = seq - w->top;

		w->bitmap = shift >= BV_FPW_WINDOW ? 0 : w->bitmap << shift;
		w->bitmap |= 1;
		w->top = seq;
		return 0;
	}
	behind = w->top - seq;
	if (behind >= BV_FPW_WINDOW || (w->bitmap & (1ULL << behind)))
		return -EALREADY;
	w->bitmap |= 1ULL << behind;
	return 0;
}

void bv_fpw_seed(struct bv_fpw_window *w, u64 top)
{
	if (!top || top < w->top)
		return;
	if (top > w->top || !w->bitmap) {
		w->top = top;
		w->bitmap = ~0ULL;
	}
}

int bv_fpw_ack(const struct bv_fpw_ack *a, struct crypto_shash *tfm,
	       u8 buf[BV_FPW_ACK_LEN])
{
	u8 *b = buf + BV_FPW_HDR_LEN;

	memset(buf, 0, BV_FPW_ACK_LEN);
	buf[0] = 'B';
	buf[1] = 'V';
	buf[2] = BV_FPW_VERSION;
	buf[3] = BV_FPW_ADVANCE_ACK;
	buf[4] = a->group;
	buf[5] = BV_FPW_F_MODULE;
	put_unaligned_be16(36, buf + 6);
	put_unaligned_be32(a->sender, buf + 8);
	put_unaligned_be32(a->sender_key, buf + 12);
	put_unaligned_be32(a->recipient_key, buf + 16);
	put_unaligned_be64(a->seq, buf + 20);
	put_unaligned_be64(a->req_id, b);
	put_unaligned_be32(a->epoch, b + 8);
	put_unaligned_be32(a->prev, b + 12);
	put_unaligned_be32(a->now, b + 16);
	put_unaligned_be32((u32)a->err, b + 20);
	put_unaligned_be64(a->switch_ns, b + 24);
	b[32] = a->advanced;
	return bv_fpw_mac(tfm, buf, BV_FPW_HDR_LEN + 36,
			  buf + BV_FPW_HDR_LEN + 36);
}
