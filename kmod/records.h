/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exact attribution of packet accounting to epochs (DESIGN §5).
 *
 * A struct bv_acct counts the packets of one flow or one channel as seen by
 * one CPU. Every packet is attributed to the epoch it belongs to (its stamp,
 * or the member's epoch at the instant it was processed), never to "now".
 * The value of the counters at the cut of snapshot E is the sum over the
 * packets whose epoch is older than E.
 *
 * Copy-on-first-touch: the first packet of a newer epoch saves the current
 * totals as the at-cut value of every snapshot between the entry's previous
 * epoch (exclusive) and the packet's epoch (inclusive), as one history
 * entry covering that range, then adds itself. An entry nobody touches
 * needs no work at a cut, so a cut is O(1) whatever the number of flows.
 *
 * bv_acct is not locked: each CPU owns its own entries and updates them with
 * bottom halves disabled; readers hold the per-CPU table lock that the owner
 * also takes (see netns.h).
 */
#ifndef _BEAVER_RECORDS_H
#define _BEAVER_RECORDS_H

#include <linux/types.h>
#include <linux/atomic.h>

struct bv_totals {
	u64 tx_pkts;
	u64 tx_bytes;
	u64 rx_pkts;
	u64 rx_bytes;
	u32 tx_seq;	/* TCP: highest end sequence sent */
	u32 rx_seq;	/* TCP: highest end sequence received */
	u8 tx_seq_valid;
	u8 rx_seq_valid;
	/*
	 * TCP flow entries only (has_gen set when the entry is created):
	 * where each direction's stream starts, so that a sequence number
	 * can be turned into a byte count (BEAVER_TOT_TX_ISN and the rest in
	 * uapi/beaver.h). An ISN is valid when this entry counted the SYN as
	 * the first packet with a sequence number in that direction, and no
	 * SYN with another ISN since.
	 */
	u8 has_gen;
	u8 tx_isn_valid;
	u8 rx_isn_valid;
	u8 tcp;		/* BEAVER_TOT_F_* */
	u32 tx_isn;
	u32 rx_isn;
	u32 gen;	/* beaver_net's syn_gen at creation or the last pure SYN */
};

/* the at-cut value of every snapshot in [first, last] */
struct bv_hist {
	struct bv_hist *next;	/* older entries follow */
	u32 first;
	u32 last;
	struct bv_totals at_cut;
};

struct bv_acct {
	u32 born;		/* epoch of the first packet counted */
	u32 epoch;		/* epoch of the newest packet counted */
	struct bv_totals cur;	/* every packet counted so far */
	struct bv_hist *hist;	/* newest first */
};

/* what one packet adds */
struct bv_pkt {
	u32 len;		/* bytes, summed over segments */
	u32 segs;		/* packets on the wire (GSO/GRO); 0 means 1 */
	bool tx;		/* sent by this host (else received) */
	bool has_seq;		/* TCP: end_seq is meaningful */
	u32 end_seq;		/* TCP: seq + payload length (+SYN/FIN) */
	u32 seq;		/* TCP: its first sequence number */
	u32 syn_gen;		/* TCP SYN without ACK: the syn_gen it drew */
	u8 tcp;			/* TCP: BV_PKT_SYN/FIN/RST/ACK it carried */
};

#define BV_PKT_SYN	0x1
#define BV_PKT_FIN	0x2
#define BV_PKT_RST	0x4
#define BV_PKT_ACK	0x8

struct kmem_cache;

/* shared bound on history entries, and what to do when it is hit */
struct bv_budget {
	atomic_t used;
	u32 max;
	atomic64_t *limit_hits;	/* incremented when max is hit */
	atomic64_t *nomem;	/* incremented when GFP_ATOMIC fails */
	/* where entries come from; NULL: kmalloc (accounted either way) */
	struct kmem_cache *cache;
};

enum bv_add_result {
	BV_ADD_OK,
	BV_ADD_LOST,	/* an at-cut value could not be saved: not counted */
	BV_ADD_MISORDER, /* epoch older than the entry's: counted in cur only */
};

void bv_totals_add(struct bv_totals *t, const struct bv_pkt *p);

/* start counting: the entry exists from @epoch on */
void bv_acct_init(struct bv_acct *a, u32 epoch);

/*
 * Count packet @p, which belongs to @epoch. If it is the entry's first
 * packet of a newer epoch, the current totals are first saved as the
 * at-cut value of the snapshots in between. If that value cannot be saved
 * (@b's limit, unless @exempt, or no memory), returns BV_ADD_LOST and
 * leaves @a exactly as it was: the snapshots in [*lost_first, *lost_last]
 * still read the current totals, which remain their value as long as
 * nothing else is counted here. Complete records never change; the caller
 * counts the packet elsewhere. On BV_ADD_MISORDER the packet is counted
 * but the snapshots in [*lost_first, *lost_last] are off.
 */
enum bv_add_result bv_acct_add(struct bv_acct *a, u32 epoch,
			       const struct bv_pkt *p, struct bv_budget *b,
			       bool exempt, u32 *lost_first, u32 *lost_last);

/*
 * The value at the cut of snapshot @e. Returns false if the entry was
 * created at or after that cut (bv_acct_init's epoch is not older than @e),
 * or if the value for @e was lost or released. An entry created before the
 * cut whose first packet came later has the value zero there.
 */
bool bv_acct_at_cut(const struct bv_acct *a, u32 e, struct bv_totals *out);

/*
 * Add the packets and bytes of @t to every value @into holds (its current
 * totals and every saved at-cut value): how a retired flow's totals join
 * the retired aggregate. Only for totals that every value of @into still
 * needed lacks, i.e. a flow whose packets all belong to released epochs
 * (older than every at-cut value @into still holds). Sequence numbers are
 * not added.
 */
void bv_acct_fold(struct bv_acct *into, const struct bv_totals *t);

/* free history entries that only serve snapshots up to @upto */
void bv_acct_release(struct bv_acct *a, u32 upto, struct bv_budget *b);

/* free all history entries */
void bv_acct_destroy(struct bv_acct *a, struct bv_budget *b);

#endif /* _BEAVER_RECORDS_H */
