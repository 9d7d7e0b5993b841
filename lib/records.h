/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A local snapshot as user space sees it: the cut record, flows, channels
 * and captured in-flight packets of one GET_RECORDS dump (kmod/uapi/beaver.h),
 * and the merging of per-CPU shares.
 *
 * The kernel never sums across CPUs (attribution stays on the CPU that saw
 * the packet), so one flow or channel arrives as several shares with equal
 * keys; bvr_merge_flows() and bvr_merge_chans() fold them. This file is pure
 * data handling with no netlink, so it is unit-testable on its own
 * (tests/unit/test_merge.c); records_nl.c fills these structs from netlink.
 */
#ifndef BEAVER_LIB_RECORDS_H
#define BEAVER_LIB_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bvip.h"

/* the cpu field of a merged entry: it stands for every CPU */
#define BVR_CPU_MERGED UINT32_MAX

/* BEAVER_TOT_*: packet accounting up to the cut */
struct bvr_tot {
	uint64_t tx_pkts;
	uint64_t tx_bytes;
	uint64_t rx_pkts;
	uint64_t rx_bytes;
	uint32_t tx_seq;	/* TCP: highest end sequence sent */
	uint32_t rx_seq;	/* TCP: highest end sequence received */
	bool tx_seq_valid;	/* the attribute was present */
	bool rx_seq_valid;
	/*
	 * TCP flows: where the streams start (BEAVER_TOT_TX_ISN and the
	 * rest). One share as parsed; merged shares (bvr_tot_add()) hold
	 * the ISN if one share had it, isn_conflict if two disagreed, gen
	 * the serially lowest share's and syn_gen the highest that a SYN
	 * drew (has_syn_gen), tcp_flags or'ed: bvr_tcp_known() judges them.
	 */
	uint32_t tx_isn, rx_isn;
	bool tx_isn_valid, rx_isn_valid;
	bool isn_conflict;
	bool has_gen, has_syn_gen;
	uint32_t gen, syn_gen;
	uint32_t tcp_flags;	/* BEAVER_TOT_F_* */
};

/* BEAVER_A_CUT */
struct bvr_cut {
	uint32_t epoch;		/* BEAVER_A_EPOCH of the message */
	uint32_t first;
	uint32_t last;
	uint64_t ns;
	uint32_t state;		/* BEAVER_STATE_* */
	uint32_t flags;		/* BEAVER_CUT_F_* */
	uint64_t late;
	uint64_t late_bytes;
	uint32_t settle_ms;
	uint64_t complete_ns;
	/*
	 * BEAVER_A_CUT_TX_UNSTAMPED, _RX_UNSTAMPED: cumulative at the cut;
	 * has_unstamped false for a module (or a record) before them
	 */
	bool has_unstamped;
	uint64_t tx_unstamped, rx_unstamped;
	/*
	 * BEAVER_A_CUT_COUNTERS_SINCE: when the member's counters last
	 * started (CLOCK_REALTIME ns); has_since false for a module before it
	 */
	bool has_since;
	uint64_t since_ns;
};

/* BEAVER_A_FLOW: addresses as bvip.h keeps them, ports in host order */
struct bvr_flow {
	uint8_t proto;
	struct bv_ip laddr;
	uint16_t lport;
	struct bv_ip raddr;
	uint16_t rport;
	uint32_t cpu;
	struct bvr_tot tot;
};

/* BEAVER_A_CHANNEL */
struct bvr_chan {
	uint8_t kind;		/* BEAVER_CHAN_* */
	struct bv_ip peer;	/* 0.0.0.0 (bv_ip4(0)) for the aggregate kinds */
	uint32_t cpu;
	struct bvr_tot tot;
	uint64_t inflight_pkts;
	uint64_t inflight_bytes;
};

/*
 * BEAVER_A_LATE: packets that were in flight for the snapshots first..last
 * and arrived (in member epoch @arrived) after those records had closed.
 * One entry never changes once reported.
 */
struct bvr_late {
	uint8_t kind;		/* BEAVER_CHAN_* of the channel they came on */
	struct bv_ip peer;	/* as the channel's */
	uint32_t cpu;
	uint32_t first;
	uint32_t last;
	uint32_t arrived;
	uint64_t pkts;
	uint64_t bytes;
};

/* BEAVER_A_CAPTURE */
struct bvr_capture {
	uint32_t stamp;
	uint32_t epoch;
	uint64_t ns;
	uint32_t len;		/* original length */
	uint8_t *data;		/* owned; NULL if data_len is 0 */
	size_t data_len;
};

/* everything one dump returned */
struct bvr_records {
	uint32_t epoch;		/* the epoch asked for */
	bool has_cut;
	struct bvr_cut cut;
	struct bvr_flow *flows;
	size_t n_flows, cap_flows;
	struct bvr_chan *chans;
	size_t n_chans, cap_chans;
	struct bvr_capture *caps;
	size_t n_caps, cap_caps;
	struct bvr_late *lates;
	size_t n_lates, cap_lates;
	/*
	 * BEAVER_A_RETIRED, all CPUs summed: retired flows and packets of
	 * flows that could not be tracked (no sequence numbers)
	 */
	bool has_retired;
	struct bvr_tot retired;
	/*
	 * what the member's hooks could not see when its agent sent the
	 * record (beaverd/escapes.h): XDP programs, packet sockets; only in
	 * records that came over the control plane
	 */
	bool has_escapes;
	uint32_t esc_xdp;
	uint32_t esc_packet;
	/*
	 * what local applications attached to the cut (beaverd/apps.h), as
	 * the compact JSON text of a checked array, or NULL; only in records
	 * that came over the control plane
	 */
	char *apps;
};

void bvr_init(struct bvr_records *r);
/* drop every entry but keep the allocations (a dump that is retried) */
void bvr_reset(struct bvr_records *r);
void bvr_free(struct bvr_records *r);

/* append a copy; return 0 or -ENOMEM */
int bvr_add_flow(struct bvr_records *r, const struct bvr_flow *f);
int bvr_add_chan(struct bvr_records *r, const struct bvr_chan *c);
int bvr_add_late(struct bvr_records *r, const struct bvr_late *l);
/* the capture's data is copied; c->data is not taken over */
int bvr_add_capture(struct bvr_records *r, const struct bvr_capture *c);

/*
 * TCP sequence numbers are 32-bit serial numbers (RFC 1982): a is newer
 * than b if (int32_t)(a - b) > 0. Unlike epochs, 0 is an ordinary value.
 */
bool bvr_seq_after(uint32_t a, uint32_t b);

/*
 * The newer of two sequence numbers. When they are exactly 2^31 apart serial
 * order is undefined; the numerically larger wins so that the result does
 * not depend on argument order (and so neither on the order of CPUs).
 */
uint32_t bvr_seq_max(uint32_t a, uint32_t b);

/* acc += x: counters summed, sequence numbers the newest valid one */
void bvr_tot_add(struct bvr_tot *acc, const struct bvr_tot *x);

/*
 * Can the merged totals @t of a TCP flow turn its sequence numbers into
 * byte counts? True if some share counted the connection's SYN (without
 * ACK), every share is at least as new as that SYN (none predates the
 * connection: an older one on the same 5-tuple), no share saw a start
 * that is not one or disagrees on an ISN, and each direction with a
 * sequence number has its ISN. docs/decisions.md, "TCP cut offsets".
 */
bool bvr_tcp_known(const struct bvr_tot *t);

/*
 * total order on flow keys (proto, laddr, lport, raddr, rport): addresses
 * by bv_ip_cmp() (IPv4 in numeric order), ports in host order
 */
int bvr_flow_cmp(const struct bvr_flow *a, const struct bvr_flow *b);
/* total order on channel keys (kind, peer), as above */
int bvr_chan_cmp(const struct bvr_chan *a, const struct bvr_chan *b);

/*
 * Merge per-CPU shares in place: sorts by key, folds entries with equal keys
 * into one whose cpu is BVR_CPU_MERGED, and returns the new count. The
 * result is sorted, so output built from it is deterministic.
 */
size_t bvr_merge_flows(struct bvr_flow *v, size_t n);
size_t bvr_merge_chans(struct bvr_chan *v, size_t n);
/* late entries: one per (kind, peer, first, last, arrived) */
int bvr_late_cmp(const struct bvr_late *a, const struct bvr_late *b);
size_t bvr_merge_lates(struct bvr_late *v, size_t n);

/* merge the flows, channels and late entries of a dump */
void bvr_merge(struct bvr_records *r);

#endif /* BEAVER_LIB_RECORDS_H */
