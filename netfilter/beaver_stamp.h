/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Epoch arithmetic and the stamp codec, shared by the module and the
 * user-space unit tests: pure functions on integers and byte buffers, no
 * sk_buff, no allocation.
 *
 * The stamp (DESIGN §4) is an IPv4 option of 8 bytes:
 *
 *   0      1      2          3        4..7
 *   +------+------+----------+--------+---------------------+
 *   | 0x9e | 0x08 | ver|flgs | group  | epoch (big endian)  |
 *   +------+------+----------+--------+---------------------+
 *
 * 0x9e: copied flag set (so every fragment carries it), class 0, number 30
 * (RFC 4727 experimental). Version is the high nibble of byte 2 (1), the
 * flags the low nibble (0), the group byte 3 (never 0). 0x9e is shared by
 * every experiment (RFC 4727), so an option of that type is ours only if it
 * is exactly this: length 8, version 1, flags 0, a group. Any other 0x9e
 * option is another experiment's, or a later version of ours, and is left
 * alone (counted as foreign), never refused.
 *
 * Epochs are 32-bit serial numbers (RFC 1982): a is newer than b when
 * (s32)(a - b) > 0, so comparison survives wraparound as long as fewer than
 * 2^31 epochs separate the two. Epoch 0 means "no snapshot yet", is older
 * than every other epoch, and is never allocated: the successor of
 * 0xffffffff is 1.
 */
#ifndef _BEAVER_STAMP_H
#define _BEAVER_STAMP_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
typedef u8 bv_u8;
typedef u32 bv_u32;
typedef s32 bv_s32;
#else
#include <stdbool.h>
#include <stdint.h>
#include <errno.h>
typedef uint8_t bv_u8;
typedef uint32_t bv_u32;
typedef int32_t bv_s32;
#endif

#define BEAVER_OPT_TYPE		0x9e
#define BEAVER_OPT_LEN		8
#define BEAVER_STAMP_VERSION	1
#define BEAVER_IP_OPTS_MAX	40	/* IPv4 options area, bytes */

/* IPv4 option types that have no length byte */
#define BV_IPOPT_END	0
#define BV_IPOPT_NOOP	1

/* true if epoch a is strictly newer than epoch b */
static inline bool bv_epoch_after(bv_u32 a, bv_u32 b)
{
	if (a == 0)
		return false;
	if (b == 0)
		return true;
	return (bv_s32)(a - b) > 0;
}

/* true if epoch a is strictly older than epoch b */
static inline bool bv_epoch_before(bv_u32 a, bv_u32 b)
{
	return bv_epoch_after(b, a);
}

/* true if lo <= e <= hi in serial order */
static inline bool bv_epoch_in(bv_u32 e, bv_u32 lo, bv_u32 hi)
{
	return !bv_epoch_before(e, lo) && !bv_epoch_after(e, hi);
}

/* the epoch after e, skipping 0 on wraparound */
static inline bv_u32 bv_epoch_next(bv_u32 e)
{
	e++;
	return e ? e : 1;
}

/* the epoch before e, skipping 0 on wraparound */
static inline bv_u32 bv_epoch_prev(bv_u32 e)
{
	e--;
	return e ? e : 0xffffffffu;
}

/*
 * The first epoch of the range (e, s] that a cut, an in-flight packet or a
 * history entry covers: the one after e. Epoch 0 is "no snapshot yet" and
 * orders before everything, but a range is tested with serial arithmetic,
 * which cannot order epochs 2^31 or more apart: from 0 the range starts at
 * the oldest epoch still ordered before s (2^31 - 1 back, skipping 0), so
 * that it holds s wherever the counter stands.
 */
static inline bv_u32 bv_epoch_range_first(bv_u32 e, bv_u32 s)
{
	if (e == 0) {
		e = s - 0x7fffffffu;
		return e ? e : 1;
	}
	return bv_epoch_next(e);
}

/* the newer of two epochs */
static inline bv_u32 bv_epoch_max(bv_u32 a, bv_u32 b)
{
	return bv_epoch_after(a, b) ? a : b;
}

struct bv_stamp {
	bv_u8 group;
	bv_u8 flags;
	bv_u32 epoch;
};

/* write an 8-byte stamp option at opt */
static inline void bv_stamp_encode(bv_u8 *opt, bv_u8 group, bv_u32 epoch)
{
	opt[0] = BEAVER_OPT_TYPE;
	opt[1] = BEAVER_OPT_LEN;
	opt[2] = BEAVER_STAMP_VERSION << 4;
	opt[3] = group;
	/* network byte order, byte by byte: no alignment assumed */
	opt[4] = (bv_u8)(epoch >> 24);
	opt[5] = (bv_u8)(epoch >> 16);
	opt[6] = (bv_u8)(epoch >> 8);
	opt[7] = (bv_u8)epoch;
}

/*
 * Decode one stamp option (opt points at its type byte, len bytes remain).
 * Returns 0 on success, -EINVAL if it is not a well-formed version-1 stamp.
 */
static inline int bv_stamp_decode(const bv_u8 *opt, unsigned int len,
				  struct bv_stamp *st)
{
	if (len < BEAVER_OPT_LEN || opt[0] != BEAVER_OPT_TYPE ||
	    opt[1] != BEAVER_OPT_LEN)
		return -EINVAL;
	if ((opt[2] >> 4) != BEAVER_STAMP_VERSION || (opt[2] & 0x0f))
		return -EINVAL;
	if (opt[3] == 0)
		return -EINVAL;
	st->group = opt[3];
	st->flags = opt[2] & 0x0f;
	st->epoch = ((bv_u32)opt[4] << 24) | ((bv_u32)opt[5] << 16) |
		    ((bv_u32)opt[6] << 8) | opt[7];
	return 0;
}

/*
 * Walk an IPv4 options area (the bytes after the fixed 20-byte header) and
 * find the stamp of the given group (group 0: any group).
 * Returns the offset of the option within opts, -ENOENT if there is none,
 * or -EINVAL if the options area itself is malformed (an option's length
 * byte missing, below 2 or past the end: the IPv4 stack refuses those
 * too). *foreign, if not NULL, receives the number of 0x9e options seen
 * that are not a stamp of @group (other groups, other experiments).
 */
static inline int bv_opts_find_foreign(const bv_u8 *opts, unsigned int optlen,
				       bv_u8 group, struct bv_stamp *st,
				       unsigned int *foreign)
{
	unsigned int off = 0, n = 0;
	int ret = -ENOENT;

	if (optlen > BEAVER_IP_OPTS_MAX)
		return -EINVAL;
	while (off < optlen) {
		bv_u8 type = opts[off];
		unsigned int len;

		if (type == BV_IPOPT_END)
			break;
		if (type == BV_IPOPT_NOOP) {
			off++;
			continue;
		}
		if (optlen - off < 2)
			return -EINVAL;
		len = opts[off + 1];
		if (len < 2 || len > optlen - off)
			return -EINVAL;
		if (type == BEAVER_OPT_TYPE) {
			struct bv_stamp tmp;

			/* not ours unless it is exactly our stamp */
			if (len == BEAVER_OPT_LEN && ret < 0 &&
			    !bv_stamp_decode(opts + off, len, &tmp) &&
			    (!group || tmp.group == group)) {
				*st = tmp;
				ret = (int)off;
			} else {
				n++;
			}
		}
		off += len;
	}
	if (foreign)
		*foreign = n;
	return ret;
}

static inline int bv_opts_find(const bv_u8 *opts, unsigned int optlen,
			       bv_u8 group, struct bv_stamp *st)
{
	return bv_opts_find_foreign(opts, optlen, group, st, NULL);
}

#endif /* _BEAVER_STAMP_H */
