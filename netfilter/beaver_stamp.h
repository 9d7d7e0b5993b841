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
typedef u16 bv_u16;
typedef u32 bv_u32;
typedef s32 bv_s32;
#else
#include <stdbool.h>
#include <stdint.h>
#include <errno.h>
typedef uint8_t bv_u8;
typedef uint16_t bv_u16;
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

/*
 * The IPv4 ID encoding (docs/decisions.md, "The stamp in the IPv4 ID"): an
 * atomic IPv4 datagram (DF set, not a fragment; RFC 6864 makes its ID
 * meaningless) carries its epoch in the Identification field instead of
 * the option, so that the kernel's GRO, which refuses every header with
 * options, keeps merging its segments:
 *
 *   ID = (epoch mod 2^15) << 1 | 1
 *
 * Always odd: an even ID from a gateway or a member is no stamp (0 says
 * "deliberately unstamped", any other even value is a sender that did not
 * stamp). Never 1 apart: GRO's first two packets decide between a fixed and
 * an incrementing ID (tcp_gro_receive(), udp_gro_receive_segment()), and
 * two stamps that differ by 1
 * could be merged as one incrementing run; stamps differ by even numbers,
 * so a stamped flow is always merged as fixed-ID, and an epoch change
 * always ends the batch. The receiver restores the other 17 bits from its
 * own epoch: the nearest epoch with those 15 bits, which is right while
 * stamps in flight are fewer than 2^14 epochs away from it.
 */
#define BEAVER_ID_BITS		15
#define BEAVER_ID_MASK		((1u << BEAVER_ID_BITS) - 1)
#define BEAVER_ID_HALF		(1u << (BEAVER_ID_BITS - 1))
#define BEAVER_ID_NONE		0	/* a gateway's "not stamped" */
#define BEAVER_ID_EPOCH0	1	/* epoch 0: no snapshot yet */

/*
 * Can @epoch go into the ID? Epoch 0 can (its ID, 1, is read as 0 by any
 * receiver, with or without an epoch of its own); the other multiples of
 * 2^15 would have that same ID, and keep the option.
 */
static inline bool bv_id_can_carry(bv_u32 epoch)
{
	return !epoch || (epoch & BEAVER_ID_MASK);
}

static inline bv_u16 bv_id_encode(bv_u32 epoch)
{
	return (bv_u16)(((epoch & BEAVER_ID_MASK) << 1) | 1);
}

/* true if @id (host order) carries a stamp */
static inline bool bv_id_is_stamp(bv_u16 id)
{
	return id & 1;
}

/*
 * The epoch @id carries, read next to @ref (the receiver's epoch, not 0):
 * the one nearest @ref, from 2^14 epochs before it to 2^14 - 1 after. 0 if
 * @id is no stamp, or names the one epoch of that window that is never
 * allocated (0 itself).
 */
static inline bv_u32 bv_id_decode(bv_u16 id, bv_u32 ref)
{
	bv_u32 d;

	if (!bv_id_is_stamp(id))
		return 0;
	d = ((bv_u32)(id >> 1) - ref) & BEAVER_ID_MASK;
	if (d >= BEAVER_ID_HALF)
		return ref - (BEAVER_ID_MASK + 1 - d);
	return ref + d;
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

/*
 * ---- IPv6 (docs/ipv6.md) ----
 *
 * The stamp is a Destination Options header of its own, 16 bytes, placed
 * right before the upper-layer header (where RFC 8200 4.1 puts the final
 * destination's options) or, in a fragment, right before the Fragment
 * header, so that it never changes the fragmentable part:
 *
 *   0    1    2      3    4      5    6        7       8..11    12..15
 *   +----+----+------+----+------+----+--------+-------+--------+------------+
 *   | nh | 1  | PadN | 0  | 0x1e | 6  | ver|fl | group | epoch  | PadN 2 0 0 |
 *   +----+----+------+----+------+----+--------+-------+--------+------------+
 *
 * 0x1e: action 00 (a node that does not know it skips it), change bit 0,
 * number 30 (RFC 4727 experimental). Bytes 6..11 read as the IPv4 option's
 * bytes 2..7; the leading PadN puts the epoch on a 4-byte boundary. As for
 * IPv4, the codepoint is shared by every experiment: a header is ours only
 * if it is exactly this (version 1, flags 0, a group, these pads); any
 * other 0x1e option is foreign, left alone and counted.
 *
 * The walk passes the IPv6 header, Hop-by-Hop (first only), Routing,
 * Destination Options and Authentication headers, and stops at anything
 * else: a Fragment header (what follows it is the fragmentable part, or
 * not headers at all), ESP, No Next Header, an upper-layer protocol.
 * Offsets are from the start of the IPv6 header.
 */
#define BEAVER6_OPT_TYPE	0x1e
#define BEAVER6_OPT_DATALEN	6
#define BEAVER6_OPT_OFF		4	/* the option's offset in our header */
#define BEAVER6_HDR_LEN		16	/* what a stamp adds to a packet */

#define BV6_HDR_LEN		40	/* the fixed IPv6 header */
#define BV6_NEXTHDR_OFF		6
#define BV6_PAYLOAD_MAX		65535
#define BV6_EXTHDRS_MAX		16	/* longer chains are refused */

#define BV6_NEXTHDR_HOP		0
#define BV6_NEXTHDR_ROUTING	43
#define BV6_NEXTHDR_FRAGMENT	44
#define BV6_NEXTHDR_AUTH	51
#define BV6_NEXTHDR_DEST	60

/* bv_stamp6_chain.seen: the kinds of header the walk passed */
#define BV6_SEEN_HOP		0x1
#define BV6_SEEN_ROUTING	0x2
#define BV6_SEEN_DEST		0x4
#define BV6_SEEN_AUTH		0x8

#define BV6_OPT_PAD1		0
#define BV6_OPT_PADN		1

/* write our 16-byte Destination Options header at hdr */
static inline void bv_stamp6_encode(bv_u8 *hdr, bv_u8 nexthdr, bv_u8 group,
				    bv_u32 epoch)
{
	hdr[0] = nexthdr;
	hdr[1] = BEAVER6_HDR_LEN / 8 - 1;
	hdr[2] = BV6_OPT_PADN;
	hdr[3] = 0;
	hdr[4] = BEAVER6_OPT_TYPE;
	hdr[5] = BEAVER6_OPT_DATALEN;
	hdr[6] = BEAVER_STAMP_VERSION << 4;
	hdr[7] = group;
	hdr[8] = (bv_u8)(epoch >> 24);
	hdr[9] = (bv_u8)(epoch >> 16);
	hdr[10] = (bv_u8)(epoch >> 8);
	hdr[11] = (bv_u8)epoch;
	hdr[12] = BV6_OPT_PADN;
	hdr[13] = 2;
	hdr[14] = 0;
	hdr[15] = 0;
}

/*
 * Decode a Destination Options header of len bytes (hdr at its next-header
 * byte). Returns 0 if it is exactly our stamp, -EINVAL otherwise.
 */
static inline int bv_stamp6_decode(const bv_u8 *hdr, unsigned int len,
				   struct bv_stamp *st)
{
	if (len != BEAVER6_HDR_LEN || hdr[1] != BEAVER6_HDR_LEN / 8 - 1 ||
	    hdr[2] != BV6_OPT_PADN || hdr[3] != 0 ||
	    hdr[4] != BEAVER6_OPT_TYPE || hdr[5] != BEAVER6_OPT_DATALEN ||
	    hdr[6] != BEAVER_STAMP_VERSION << 4 || hdr[7] == 0 ||
	    hdr[12] != BV6_OPT_PADN || hdr[13] != 2 || hdr[14] || hdr[15])
		return -EINVAL;
	st->group = hdr[7];
	st->flags = 0;
	st->epoch = ((bv_u32)hdr[8] << 24) | ((bv_u32)hdr[9] << 16) |
		    ((bv_u32)hdr[10] << 8) | hdr[11];
	return 0;
}

/*
 * The options of one Destination Options header (len bytes, a multiple of
 * 8): -EINVAL if an option runs past the header (the stack would drop the
 * packet), otherwise the number of 0x1e options in it.
 */
static inline int bv_stamp6_count(const bv_u8 *hdr, unsigned int len)
{
	unsigned int off = 2;
	int n = 0;

	while (off < len) {
		if (hdr[off] == BV6_OPT_PAD1) {
			off++;
			continue;
		}
		if (len - off < 2 || hdr[off + 1] + 2u > len - off)
			return -EINVAL;
		if (hdr[off] == BEAVER6_OPT_TYPE)
			n++;
		off += hdr[off + 1] + 2u;
	}
	return n;
}

/* what bv_stamp6_walk() found */
struct bv_stamp6_chain {
	unsigned int stamp;	/* our header's offset, if found */
	unsigned int stamp_prev; /* offset of the next-header byte naming it */
	unsigned int at;	/* where a stamp goes: the header the walk */
	unsigned int at_prev;	/* stopped at, and its naming byte */
	bv_u8 proto;		/* the type of the header at "at" */
	unsigned int hdrs;	/* extension headers before "at" */
	unsigned int seen;	/* BV6_SEEN_* of those */
	unsigned int foreign;	/* 0x1e options that are not the stamp */
	unsigned int need;	/* -EAGAIN: contiguous bytes needed */
	struct bv_stamp st;	/* the stamp, if found */
};

/*
 * Walk the extension headers of the IPv6 packet at pkt: len bytes are
 * there, the packet has total bytes (an sk_buff's linear part and length;
 * in a buffer, both its length). Finds the stamp of the given group (0:
 * any), or with want != 0 the stamp at that offset whatever its group.
 * Returns the stamp's offset (always >= 40), -ENOENT if there is none,
 * -EINVAL if the packet is malformed (not IPv6, payload length past the
 * end, a header or an option past the end of the payload, a Hop-by-Hop
 * header not first, more than BV6_EXTHDRS_MAX headers), -EMSGSIZE for a
 * jumbogram (payload length 0 with Hop-by-Hop: not parsed), or -EAGAIN
 * when len < total and c->need contiguous bytes are needed to go on. On
 * 0 and -ENOENT, c->at and c->at_prev say where a stamp would go; on every
 * return, c->foreign counts the 0x1e options seen that are not it.
 */
static inline int bv_stamp6_walk(const bv_u8 *pkt, unsigned int len,
				 unsigned int total, bv_u8 group,
				 unsigned int want, struct bv_stamp6_chain *c)
{
	unsigned int off = BV6_HDR_LEN, prev = BV6_NEXTHDR_OFF, plen, n = 0;
	int ret = -ENOENT;
	bv_u8 nh;

	/* every field defined on every return, whatever the caller reads */
	c->stamp = 0;
	c->stamp_prev = 0;
	c->at = 0;
	c->at_prev = 0;
	c->proto = 0;
	c->hdrs = 0;
	c->seen = 0;
	c->foreign = 0;
	c->need = BV6_HDR_LEN;
	c->st.group = 0;
	c->st.flags = 0;
	c->st.epoch = 0;
	if (len > total)
		len = total;	/* bytes past the packet are not its own */
	if (total < BV6_HDR_LEN)
		return -EINVAL;
	if (len < BV6_HDR_LEN)
		return -EAGAIN;
	if ((pkt[0] >> 4) != 6)
		return -EINVAL;
	plen = BV6_HDR_LEN + (((unsigned int)pkt[4] << 8) | pkt[5]);
	nh = pkt[BV6_NEXTHDR_OFF];
	if (plen == BV6_HDR_LEN && nh == BV6_NEXTHDR_HOP)
		return -EMSGSIZE;
	if (plen > total)
		return -EINVAL;

	for (;;) {
		unsigned int hlen;

		switch (nh) {
		case BV6_NEXTHDR_HOP:
			if (off != BV6_HDR_LEN)
				return -EINVAL;
			break;
		case BV6_NEXTHDR_ROUTING:
		case BV6_NEXTHDR_DEST:
		case BV6_NEXTHDR_AUTH:
			break;
		default:
			/* Fragment, ESP, No Next Header, upper layer */
			c->at = off;
			c->at_prev = prev;
			c->proto = nh;
			c->hdrs = n;
			return ret;
		}
		if (++n > BV6_EXTHDRS_MAX || off + 2 > plen)
			return -EINVAL;
		if (off + 2 > len) {
			c->need = off + 2;
			return -EAGAIN;
		}
		if (nh == BV6_NEXTHDR_AUTH)
			hlen = (pkt[off + 1] + 2u) * 4;
		else
			hlen = (pkt[off + 1] + 1u) * 8;
		c->seen |= nh == BV6_NEXTHDR_HOP ? BV6_SEEN_HOP :
			   nh == BV6_NEXTHDR_ROUTING ? BV6_SEEN_ROUTING :
			   nh == BV6_NEXTHDR_DEST ? BV6_SEEN_DEST :
			   BV6_SEEN_AUTH;
		if (off + hlen > plen)
			return -EINVAL;
		if (off + hlen > len) {
			c->need = off + hlen;
			return -EAGAIN;
		}
		if (nh == BV6_NEXTHDR_DEST) {
			struct bv_stamp tmp;
			int k = bv_stamp6_count(pkt + off, hlen);

			if (k < 0)
				return k;
			if (!bv_stamp6_decode(pkt + off, hlen, &tmp) &&
			    ret < 0 && (want ? off == want :
					(!group || tmp.group == group))) {
				c->stamp = off;
				c->stamp_prev = prev;
				c->st = tmp;
				ret = (int)off;
				k--;
			}
			c->foreign += (unsigned int)k;
		}
		prev = off;
		nh = pkt[off];
		off += hlen;
	}
}

/* payload length, read and written byte by byte (no alignment assumed) */
static inline unsigned int bv_stamp6_plen(const bv_u8 *pkt)
{
	return ((unsigned int)pkt[4] << 8) | pkt[5];
}

static inline void bv_stamp6_set_plen(bv_u8 *pkt, unsigned int plen)
{
	pkt[4] = (bv_u8)(plen >> 8);
	pkt[5] = (bv_u8)plen;
}

/*
 * Link a stamp in: pkt is the packet's new start, whose first c->at bytes
 * (the IPv6 header and the headers the walk passed) the caller has already
 * moved 16 bytes down; our header goes into the gap at c->at. The caller
 * checked that the payload length can grow by 16.
 */
static inline void bv_stamp6_link(bv_u8 *pkt, const struct bv_stamp6_chain *c,
				  bv_u8 group, bv_u32 epoch)
{
	bv_stamp6_encode(pkt + c->at, pkt[c->at_prev], group, epoch);
	pkt[c->at_prev] = BV6_NEXTHDR_DEST;
	bv_stamp6_set_plen(pkt, bv_stamp6_plen(pkt) + BEAVER6_HDR_LEN);
}

/*
 * Unlink the stamp c->stamp (found by the walk) before the caller moves
 * the first c->stamp bytes 16 bytes up over it.
 */
static inline void bv_stamp6_unlink(bv_u8 *pkt,
				    const struct bv_stamp6_chain *c)
{
	pkt[c->stamp_prev] = pkt[c->stamp];
	bv_stamp6_set_plen(pkt, bv_stamp6_plen(pkt) - BEAVER6_HDR_LEN);
}

/*
 * The same on a flat buffer (tools and tests): insert a stamp into the
 * packet of *len bytes in a buffer of cap bytes, or strip the one at off.
 * Return 0, or the walk's error, -ENOSPC (buffer too small, or the chain
 * already as long as a walk takes) or -EMSGSIZE (payload length would pass
 * 65535); the buffer is unchanged on error.
 */
static inline int bv_stamp6_insert_buf(bv_u8 *pkt, unsigned int *len,
				       unsigned int cap, bv_u8 group,
				       bv_u32 epoch)
{
	struct bv_stamp6_chain c;
	unsigned int i;
	int ret = bv_stamp6_walk(pkt, *len, *len, group, 0, &c);

	if (ret < 0 && ret != -ENOENT)
		return ret;
	if (bv_stamp6_plen(pkt) > BV6_PAYLOAD_MAX - BEAVER6_HDR_LEN)
		return -EMSGSIZE;
	if (cap < BEAVER6_HDR_LEN || *len > cap - BEAVER6_HDR_LEN ||
	    c.hdrs >= BV6_EXTHDRS_MAX)
		return -ENOSPC;
	/*
	 * Here the rest moves 16 bytes up instead of the prefix down: the
	 * same gap at c.at behind the same prefix, as bv_stamp6_link() wants
	 */
	for (i = *len; i-- > c.at;)
		pkt[i + BEAVER6_HDR_LEN] = pkt[i];
	bv_stamp6_link(pkt, &c, group, epoch);
	*len += BEAVER6_HDR_LEN;
	return 0;
}

static inline int bv_stamp6_strip_buf(bv_u8 *pkt, unsigned int *len,
				      unsigned int off)
{
	struct bv_stamp6_chain c;
	unsigned int i;
	int ret;

	if (off < BV6_HDR_LEN)
		return -EINVAL;
	ret = bv_stamp6_walk(pkt, *len, *len, 0, off, &c);
	if (ret != (int)off)
		return ret < 0 && ret != -ENOENT ? ret : -EINVAL;
	bv_stamp6_unlink(pkt, &c);
	for (i = off; i + BEAVER6_HDR_LEN < *len; i++)
		pkt[i] = pkt[i + BEAVER6_HDR_LEN];
	*len -= BEAVER6_HDR_LEN;
	return 0;
}

#endif /* _BEAVER_STAMP_H */
