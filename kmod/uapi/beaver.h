/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * Beaver: causally consistent partial snapshots behind IPVS gateways.
 *
 * This header is the documentation of the kernel <-> user space API: the
 * generic netlink family "beaver", version BEAVER_GENL_VERSION (which never
 * changes; attributes and commands are only ever appended, and user space
 * discovers what a module offers with BEAVER_CMD_GET_INFO's capability
 * bitmap instead of demanding equal versions).
 *
 * All state is per network namespace: a request acts on the namespace of the
 * netlink socket it arrives on. Commands that change state, and the record
 * dump, need CAP_NET_ADMIN in that namespace's user namespace. Every
 * rejection carries an extended-ack message (request NETLINK_EXT_ACK).
 * Every nested list element uses the attribute type BEAVER_A_LIST_ITEM (1),
 * except IPv6 addresses in address lists: BEAVER_A_LIST_ITEM6 (2).
 *
 * Addresses (BEAVER_CAP_IPV6, below). Every address is IPv4 or IPv6. An
 * IPv4 address travels as NLA_BE32 in the attribute that always carried
 * it; an IPv6 address as 16 bytes (NLA_BINARY, exactly that length,
 * network byte order) in the attribute named like it with a trailing 6,
 * INSTEAD of the IPv4 one. A message about IPv4 hosts only is therefore
 * byte for byte what it was before IPv6 existed. An IPv4-mapped IPv6
 * address (::ffff:a.b.c.d) is refused in requests (send it as IPv4) and
 * never sent; so is :: as an element of an address list (the aggregate
 * channels' peer, reported as 0.0.0.0).
 *
 * BEAVER_CMD_GET_INFO (unprivileged)
 *   request: no attributes
 *   reply:   BEAVER_A_INFO_VERSION        NLA_NUL_STRING, module version
 *            BEAVER_A_INFO_CAPS           NLA_U64, BEAVER_CAP_* bitmap
 *            BEAVER_A_INFO_STAMP_LEN      NLA_U32, bytes added per stamp
 *
 * BEAVER_CMD_SET_CONFIG (CAP_NET_ADMIN)
 *   Every attribute present replaces that setting; absent ones keep their
 *   value. Lists are replaced whole. Changing the role or the group id
 *   discards all records and epochs of the namespace (a different snapshot
 *   domain); other settings apply to packets from then on.
 *   BEAVER_A_CFG_ROLE          NLA_U32, BEAVER_ROLE_* (one of them or none)
 *   BEAVER_A_CFG_GROUP         NLA_U8, 1..255
 *   BEAVER_A_CFG_MEMBERS       NLA_NESTED, list of addresses: each one
 *                              BEAVER_A_LIST_ITEM (NLA_BE32, IPv4) or
 *                              BEAVER_A_LIST_ITEM6 (16 bytes, IPv6)
 *   BEAVER_A_CFG_VIPS          NLA_NESTED, list of addresses (as MEMBERS)
 *   BEAVER_A_CFG_ALLOW         NLA_NESTED, list of NLA_NESTED prefixes:
 *       BEAVER_A_PREFIX_ADDR   NLA_BE32, IPv4; or
 *       BEAVER_A_PREFIX_ADDR6  16 bytes, IPv6 (exactly one of the two)
 *       BEAVER_A_PREFIX_LEN    NLA_U8, 0..32 for IPv4, 0..128 for IPv6
 *                              (ERANGE beyond, with an extack message)
 *                              A prefix covers addresses of its own
 *                              family only: ::/0 is every IPv6 host and
 *                              no IPv4 one.
 *   BEAVER_A_CFG_SETTLE_MS     NLA_U32, settle interval for in-flight packets
 *   BEAVER_A_CFG_MAX_FLOWS     NLA_U32, flow entries (all CPUs)
 *   BEAVER_A_CFG_MAX_HISTORY   NLA_U32, saved at-cut values of flows, and
 *                              in-flight and late entries (channels and
 *                              the aggregates are bounded by MAX_RECORDS)
 *   BEAVER_A_CFG_MAX_RECORDS   NLA_U32, cut records kept (outstanding epochs)
 *   BEAVER_A_CFG_MAX_CAPTURES  NLA_U32, in-flight packets captured
 *   BEAVER_A_CFG_CAPTURE_BYTES NLA_U32, bytes captured per in-flight packet
 *                              (IP header onwards; 0 = count only)
 *   BEAVER_A_CFG_FLAGS         NLA_U32, BEAVER_CFG_F_*
 *   BEAVER_A_CFG_GATEWAYS      NLA_NESTED, list of addresses (as MEMBERS):
 *                              the group's gateways, as a member reaches
 *                              them (their L2 neighbours: see "Whose
 *                              stamps count"; IPv6 ones through the
 *                              neighbour discovery table)
 *   BEAVER_A_CFG_MAX_AHEAD     NLA_U32, 1..2^30: a member honours no stamp
 *                              more than this many epochs past the newest
 *                              one its MEMBER_ADVANCE named (default 1024)
 *   BEAVER_A_CFG_FLOW_IDLE_MS  NLA_U32, 0..86400000: a flow idle this long
 *                              retires at the next RELEASE that frees all
 *                              it still held (default 30000; 0: never)
 *   BEAVER_A_CFG_APP_MARK      NLA_U32, a mask of skb->mark bits, one run
 *                              of at least 2 contiguous bits, or 0 (off,
 *                              the default): see "Epochs for applications"
 *
 * Epochs for applications (BEAVER_CAP_APP_MARK). With APP_MARK set, a
 * member writes into those bits of skb->mark of every packet it delivers
 * (not loopback, not link-scope) the epoch the packet was attributed to:
 * its own epoch once the packet passed the cut, so an application reading
 * the mark (SO_RCVMARK) tells the datagrams before its cut for snapshot E
 * (mark epoch < E) from those after it. With w the mask's width and s its
 * lowest bit: the field (mark & mask) >> s is (epoch mod 2^(w-1)) << 1 | 1
 * (odd: an even field, 0 included, is a packet the member did not mark);
 * the reader restores the epoch nearest one it knows. The other bits of
 * the mark are left alone. The mark is written at PRE_ROUTING, so a
 * routing rule or an nftables rule that matches or sets these bits sees
 * or undoes it: give Beaver bits nobody else uses.
 *
 * Flow retirement (BEAVER_CAP_RETIRE). A flow that saw no packet for
 * FLOW_IDLE_MS, whose newest packet belongs to an epoch RELEASE has freed,
 * is removed at that RELEASE: no record still held needs its history, and
 * every later cut would see the same totals. Its totals are added to the
 * CPU's retired aggregate (BEAVER_A_RETIRED in a records dump), so the
 * flows of a record plus its retired aggregate count exactly what its
 * channels count. A packet whose flow cannot be tracked (MAX_FLOWS hit, or
 * no memory) is counted in the aggregate too (BEAVER_STAT_FLOW_LIMIT), and
 * the next cut is flagged BEAVER_CUT_F_UNTRACKED: its flows lack some
 * packets that its aggregate holds; it is not INCOMPLETE, and later cuts
 * are flagged only if it happens again. A flow whose at-cut value cannot
 * be saved (MAX_HISTORY, or no memory) is left as it was, since records
 * that may be complete read it, and its packets go to the aggregate (the
 * same flag) until the next RELEASE that frees its epoch retires it. A
 * flow created again after retirement or after the limit counts from its
 * first packet on.
 *
 * Whose stamps count (BEAVER_CAP_TRUST). A member honours a stamp of its
 * group only on a packet whose Ethernet source is the neighbour a
 * configured gateway resolves to, or, when the packet's IPv4 source is a
 * member, the neighbour that member resolves to; and never more than
 * MAX_AHEAD epochs past the newest epoch MEMBER_ADVANCE named (once one
 * did). Any other stamp of the group is removed, counted
 * (BEAVER_STAT_RX_UNTRUSTED, BEAVER_STAT_RX_AHEAD) and the packet is
 * handled as unstamped: it never moves the member's epoch. A gateway
 * removes on ingress a stamp of its group that does not come, the same
 * way, from a member (BEAVER_STAT_GW_REPLACED): everything else it
 * forwards into the group carries its own epoch. The module resolves the
 * configured gateways' neighbours when the configuration is set and
 * keeps them while it stays.
 *
 * IPv4 ID (BEAVER_CAP_STAMP_ID). Unless BEAVER_CFG_F_IPV4_OPTION is set,
 * an atomic IPv4 datagram (DF set, not a fragment, not IPIP) carries its
 * stamp in the Identification field instead of the option, so that GRO
 * keeps merging stamped segments: ID = (epoch mod 2^15) << 1 | 1, always
 * odd (netfilter/beaver_stamp.h). A member reads it as a stamp only on a
 * packet to a member or VIP address from a trusted neighbour (above), and
 * takes the epoch nearest its own with those 15 bits; an even ID there is
 * no stamp (0: a gateway whose marking is off; any other even value is
 * counted, BEAVER_STAT_RX_ID_INVALID), and the packet is handled as
 * unstamped. A gateway keeps the ID of a packet it forwards from a member
 * (that member's stamp) and writes its own epoch into every other one.
 * ID 1 is epoch 0 (read without an epoch of one's own); the other
 * multiples of 2^15, and a GSO packet that hardware could cut with
 * changing IDs (NETIF_F_TSO_MANGLEID), keep the option. BEAVER_STAT_STAMP_ID counts the
 * stamps sent this way, BEAVER_STAT_RX_ID those honoured (both also in
 * the totals GW_STAMPED, TX_STAMPED, RX_STAMPED).
 *
 * IPv6 (BEAVER_CAP_IPV6). The configuration, the records and the status
 * carry IPv6 addresses (see "Addresses" above), and the data path handles
 * IPv6 packets as it does IPv4 ones: a 16-byte Destination Options stamp
 * (docs/ipv6.md) where IPv4 has the 8-byte option, the MSS clamped by 16,
 * flows and channels keyed by IPv6 addresses, the same counters (the
 * stamp's size, where a comment below says 8, is 16 for IPv6). Link-scope
 * IPv6 traffic (link-local or unspecified source, multicast destination,
 * neighbour and router discovery) is neither stamped nor counted, bypass
 * included. An IPv6 packet whose source or destination is IPv4-mapped is
 * dropped by a member (BEAVER_STAT_RX_MALFORMED on receipt, uncounted on
 * sending): it would be counted as the IPv4 host's. IPv6 tunnels (ip6ip6,
 * ipip6) are not stamped: what a member decapsulates counts as bypass.
 *
 * BEAVER_CMD_GW_ADVANCE (CAP_NET_ADMIN), gateway role only
 *   request: BEAVER_A_EPOCH (NLA_U32, not 0)
 *   reply:   BEAVER_A_PREV_EPOCH (NLA_U32), BEAVER_A_EPOCH (now in force),
 *            BEAVER_A_SWITCH_NS (NLA_U64, CLOCK_MONOTONIC instant at which
 *            the epoch now in force was installed), BEAVER_A_ADVANCED
 *            (NLA_U8, 1 if this request moved the epoch, 0 if the gateway
 *            already marked this epoch or a newer one). Never moves back.
 *
 * BEAVER_CMD_MEMBER_ADVANCE (CAP_NET_ADMIN), member role only
 *   Cuts for every epoch in (current, requested] as a newer stamp would.
 *   request/reply: as BEAVER_CMD_GW_ADVANCE, SWITCH_NS being the cut instant.
 *   With BEAVER_A_ANNOUNCE (NLA_FLAG): no cut; the epoch is only named,
 *   as the coordinator does before its gateways advance to it, so that a
 *   member without an epoch of its own reads stamps in the IPv4 ID next
 *   to it (and counts stamps up to max_ahead past it). The reply says
 *   the member's epoch, unchanged, with ADVANCED 0.
 *
 * BEAVER_CMD_GET_STATUS (unprivileged)
 *   reply: BEAVER_A_CFG_* (the configuration in force),
 *          BEAVER_A_GW_EPOCH, BEAVER_A_MEMBER_EPOCH (NLA_U32 each),
 *          BEAVER_A_SWITCH_NS,
 *          BEAVER_A_COMPLETE_EPOCH (NLA_U32: every epoch up to it whose
 *          record exists is complete), BEAVER_A_GENERATION (NLA_U32),
 *          BEAVER_A_STATS (NLA_NESTED, BEAVER_STAT_* NLA_U64 counters),
 *          BEAVER_A_OBJECTS (NLA_NESTED, BEAVER_OBJ_* NLA_U64: live objects)
 *
 * BEAVER_CMD_GET_RECORDS (CAP_NET_ADMIN), dump
 *   request: BEAVER_A_EPOCH (the snapshot to dump; required)
 *   Each reply message carries BEAVER_A_EPOCH and exactly one of:
 *     BEAVER_A_CUT      NLA_NESTED: the cut record (first message)
 *       BEAVER_A_CUT_FIRST      NLA_U32, first epoch this cut covered
 *       BEAVER_A_CUT_LAST       NLA_U32, last epoch this cut covered
 *       BEAVER_A_CUT_NS         NLA_U64, CLOCK_MONOTONIC cut instant
 *       BEAVER_A_CUT_STATE      NLA_U32, BEAVER_STATE_*
 *       BEAVER_A_CUT_FLAGS      NLA_U32, BEAVER_CUT_F_*
 *       BEAVER_A_CUT_LATE, BEAVER_A_CUT_LATE_BYTES: no longer sent (a
 *                               record never changes once closed; late
 *                               packets are reported per channel, below)
 *       BEAVER_A_CUT_SETTLE_MS  NLA_U32, settle interval applied
 *       BEAVER_A_CUT_COMPLETE_NS NLA_U64, completion instant (0 if not yet)
 *       BEAVER_A_CUT_TX_UNSTAMPED NLA_U64, packets to a member or VIP
 *                               that left this member without the stamp
 *                               (BEAVER_CUT_F_TX_UNSTAMPED), and
 *       BEAVER_A_CUT_RX_UNSTAMPED NLA_U64, packets from a member address
 *                               that arrived without one
 *                               (BEAVER_STAT_UNSTAMPED_MEMBER): both
 *                               counted since the namespace was configured
 *                               (a flush or a new role or group restarts
 *                               them), as they stood at the cut
 *       BEAVER_A_CUT_COUNTERS_SINCE NLA_U64, CLOCK_REALTIME ns when this
 *                               namespace's counters (channels, flows,
 *                               statistics) last started: module load,
 *                               flush, new role or group. A value that
 *                               differs from an earlier record's means
 *                               they restarted in between.
 *     BEAVER_A_FLOW     NLA_NESTED: one CPU's share of one flow at the cut
 *       BEAVER_A_FLOW_PROTO     NLA_U8 (IPPROTO_*)
 *       BEAVER_A_FLOW_LADDR, BEAVER_A_FLOW_RADDR   NLA_BE32 (IPv4), or
 *       BEAVER_A_FLOW_LADDR6, BEAVER_A_FLOW_RADDR6 16 bytes (IPv6)
 *       BEAVER_A_FLOW_LPORT, BEAVER_A_FLOW_RPORT   NLA_BE16 (0 if no ports)
 *       BEAVER_A_FLOW_CPU       NLA_U32
 *       BEAVER_A_FLOW_TOTALS    NLA_NESTED, BEAVER_TOT_*; a TCP flow's
 *                               also carry where its streams start:
 *         BEAVER_TOT_TCP_GEN    NLA_U32, the member's count of SYNs
 *                               without ACK when this share's entry was
 *                               created, or drawn by the last such SYN
 *                               it counted (BEAVER_TOT_F_SYN): a share
 *                               whose value is serially below that of
 *                               the connection's SYN predates it
 *         BEAVER_TOT_TX_ISN, BEAVER_TOT_RX_ISN  NLA_U32, the sequence
 *                               number of the SYN this share counted as
 *                               the first packet with one in that
 *                               direction (absent otherwise, and once a
 *                               SYN with another one was counted, or the
 *                               flow was diverted: BEAVER_TOT_F_*_ISN_BAD)
 *         BEAVER_TOT_TCP_FLAGS  NLA_U32, BEAVER_TOT_F_* (absent if 0)
 *                               Bytes of a stream before the cut:
 *                               SEQ - ISN - 1 (the SYN), less 1 if the
 *                               FIN flag is set (docs/applications.md)
 *     BEAVER_A_CHANNEL  NLA_NESTED: one CPU's share of one channel
 *       BEAVER_A_CHAN_KIND      NLA_U8, BEAVER_CHAN_*
 *       BEAVER_A_CHAN_PEER      NLA_BE32 (0.0.0.0 for aggregate kinds,
 *                               whichever family their packets had), or
 *       BEAVER_A_CHAN_PEER6     16 bytes: an IPv6 member or VIP
 *       BEAVER_A_CHAN_CPU       NLA_U32
 *       BEAVER_A_CHAN_TOTALS    NLA_NESTED, BEAVER_TOT_* at the cut
 *       BEAVER_A_CHAN_INFLIGHT_PKTS, BEAVER_A_CHAN_INFLIGHT_BYTES  NLA_U64
 *     BEAVER_A_CAPTURE  NLA_NESTED: one captured in-flight packet
 *       BEAVER_A_CAP_STAMP      NLA_U32, the stamp it carried
 *       BEAVER_A_CAP_EPOCH      NLA_U32, member epoch when it arrived
 *       BEAVER_A_CAP_NS         NLA_U64, arrival instant
 *       BEAVER_A_CAP_LEN        NLA_U32, original length (stamp removed)
 *       BEAVER_A_CAP_DATA       NLA_BINARY, first CAPTURE_BYTES bytes
 *     BEAVER_A_RETIRED  NLA_NESTED: one CPU's retired and untracked flows
 *       BEAVER_A_FLOW_CPU       NLA_U32
 *       BEAVER_A_FLOW_TOTALS    NLA_NESTED, BEAVER_TOT_* at the cut (the
 *                               sequence numbers are not meaningful)
 *     BEAVER_A_LATE     NLA_NESTED: late packets of one channel on one CPU
 *       BEAVER_A_LATE_KIND      NLA_U8, BEAVER_CHAN_*
 *       BEAVER_A_LATE_PEER      NLA_BE32, or BEAVER_A_LATE_PEER6 (16
 *                               bytes): as the channel's peer
 *       BEAVER_A_LATE_CPU       NLA_U32
 *       BEAVER_A_LATE_FIRST, BEAVER_A_LATE_LAST  NLA_U32: the snapshots
 *                               (epochs first..last) they were late for
 *       BEAVER_A_LATE_ARRIVED   NLA_U32, member epoch when they arrived
 *       BEAVER_A_LATE_PKTS, BEAVER_A_LATE_BYTES  NLA_U64
 *   Flows and channels are reported per CPU (attribution never crosses
 *   CPUs); user space sums the shares of equal keys. The dump resumes where
 *   it stopped; if records change structurally meanwhile (a release, a
 *   reset) the dump is flagged NLM_F_DUMP_INTR and should be retried.
 *   Rejections: -ENOENT (no record for that epoch, extack says why).
 *
 * Late packets (BEAVER_CAP_LATE). A packet stamped before snapshot E that
 * arrives after E's record closed is *late* for E. Records never change
 * once closed, so it is not added to E's record: its channel keeps a late
 * entry (the snapshots it was late for, the epoch it arrived in, packets
 * and bytes), and every record dumped for an epoch after its arrival (the
 * first of which counts it in that channel's rx totals) reports the entry
 * as BEAVER_A_LATE, until a RELEASE frees an epoch after its arrival. An
 * entry never changes once reported, so reports of it from several records
 * are the same entry, not more packets. The balance of channel S->R at
 * snapshot E is: S's tx = R's rx + R's in flight + R's late entries that
 * name E.
 *
 * BEAVER_CMD_RELEASE (CAP_NET_ADMIN)
 *   request: BEAVER_A_EPOCH; frees every record of epochs up to it
 *   (serial-number order). Releasing an incomplete epoch is refused.
 *
 * BEAVER_CMD_FLUSH (CAP_NET_ADMIN)
 *   Discards every record, flow, channel and epoch of the namespace and
 *   zeroes the counters; the configuration stays.
 *
 * BEAVER_CMD_SET_FASTPATH (CAP_NET_ADMIN; BEAVER_CAP_FASTPATH)
 *   The gateway's fast path for the control plane's ADVANCE (beaverd's
 *   wire.h): the module answers an authenticated ADVANCE of a configured
 *   coordinator itself, from a netfilter hook, and beaverd's socket never
 *   sees it. What does not verify is left to beaverd. The request replaces
 *   the whole set; no BEAVER_A_FP_PEERS (or an empty list) turns the fast
 *   path off. Keys are never sent back.
 *   BEAVER_A_CFG_GROUP      NLA_U8, 1..255: the control plane's group
 *   BEAVER_A_FP_NODE        NLA_U32: this node's id (the acks' sender)
 *   BEAVER_A_FP_PORT        NLA_U16, 1..65535: the control UDP port
 *   BEAVER_A_FP_SEQ_FLOOR   NLA_U64: the module's acks use seqs from
 *                           max(this, CLOCK_REALTIME ns, its last + 1) on
 *   BEAVER_A_FP_PEERS       NLA_NESTED, list (BEAVER_A_LIST_ITEM) of at
 *                           most 16 NLA_NESTED (E2BIG beyond):
 *     BEAVER_A_FPP_NODE          NLA_U32, the coordinator's node id
 *     BEAVER_A_FPP_SENDER_KEY    NLA_U32, its key id (the ADVANCE's
 *                                sender_key)
 *     BEAVER_A_FPP_RECIPIENT_KEY NLA_U32, our key id it uses
 *     BEAVER_A_FPP_KEY           32 bytes, the pair key
 *     BEAVER_A_FPP_ADDR          NLA_BE32, where its acks go (IPv4)
 *     BEAVER_A_FPP_PORT          NLA_U16, 1..65535, and to which port
 *     BEAVER_A_FPP_REPLAY_TOP    NLA_U64, the newest seq of that node
 *                                beaverd accepted: this and everything up
 *                                to 64 behind it count as seen
 *   All of GROUP, NODE, PORT are required with a non-empty list; every
 *   element needs every attribute.
 *   reply: BEAVER_A_FP_SEQ (NLA_U64, the last seq the module used, or the
 *          start - 1), BEAVER_A_FP_PEERS: list of NLA_NESTED with
 *          BEAVER_A_FPP_NODE and BEAVER_A_FPP_REPLAY_TOP, the newest seq
 *          each node of the replaced set had from the module (beaverd
 *          seeds its own replay window with them)
 *
 * Multicast group BEAVER_MCGRP_EVENTS ("events"), per namespace:
 *   BEAVER_CMD_EVENT_CUT       BEAVER_A_EPOCH, BEAVER_A_CUT (as above)
 *   BEAVER_CMD_EVENT_COMPLETE  BEAVER_A_EPOCH, BEAVER_A_CUT (as above)
 *
 * The stamp on the wire is described in netfilter/beaver_stamp.h.
 */
#ifndef _UAPI_LINUX_BEAVER_H
#define _UAPI_LINUX_BEAVER_H

#define BEAVER_GENL_NAME	"beaver"
#define BEAVER_GENL_VERSION	1
#define BEAVER_MCGRP_EVENTS	"events"

enum beaver_cmd {
	BEAVER_CMD_UNSPEC,
	BEAVER_CMD_GET_INFO,
	BEAVER_CMD_SET_CONFIG,
	BEAVER_CMD_GW_ADVANCE,
	BEAVER_CMD_MEMBER_ADVANCE,
	BEAVER_CMD_GET_STATUS,
	BEAVER_CMD_GET_RECORDS,
	BEAVER_CMD_RELEASE,
	BEAVER_CMD_FLUSH,
	BEAVER_CMD_EVENT_CUT,
	BEAVER_CMD_EVENT_COMPLETE,
	BEAVER_CMD_SET_FASTPATH,
	__BEAVER_CMD_MAX
};

#define BEAVER_CMD_MAX (__BEAVER_CMD_MAX - 1)

/* BEAVER_A_INFO_CAPS */
enum beaver_cap {
	BEAVER_CAP_GATEWAY	= 1ULL << 0,	/* gateway role */
	BEAVER_CAP_MEMBER	= 1ULL << 1,	/* member role */
	BEAVER_CAP_STAMP_IPOPT	= 1ULL << 2,	/* IPv4 option stamp (§4) */
	BEAVER_CAP_MSS_CLAMP	= 1ULL << 3,	/* SYN/SYN-ACK MSS clamping */
	BEAVER_CAP_CAPTURE	= 1ULL << 4,	/* in-flight packet capture */
	BEAVER_CAP_FLUSH	= 1ULL << 5,	/* BEAVER_CMD_FLUSH */
	BEAVER_CAP_TRUST	= 1ULL << 6,	/* whose stamps count, above */
	BEAVER_CAP_RETIRE	= 1ULL << 7,	/* flow retirement, above */
	BEAVER_CAP_LATE		= 1ULL << 8,	/* late entries, above */
	/* IPv6 packets handled like IPv4 ones (see "IPv6" above) */
	BEAVER_CAP_IPV6		= 1ULL << 9,
	/* IPv4 stamps in the ID of atomic datagrams (see "IPv4 ID" above) */
	BEAVER_CAP_STAMP_ID	= 1ULL << 10,
	/* BEAVER_CMD_SET_FASTPATH: the gateway answers ADVANCE itself */
	BEAVER_CAP_FASTPATH	= 1ULL << 11,
	/* epochs in skb->mark for applications (see above) */
	BEAVER_CAP_APP_MARK	= 1ULL << 12,
	BEAVER_CAP_ALL		= (1ULL << 13) - 1,
};

/* BEAVER_A_CFG_ROLE */
enum beaver_role {
	BEAVER_ROLE_NONE	= 0,
	BEAVER_ROLE_GATEWAY	= 1U << 0,
	BEAVER_ROLE_MEMBER	= 1U << 1,
	BEAVER_ROLE_ALL		= BEAVER_ROLE_GATEWAY | BEAVER_ROLE_MEMBER,
};

/* BEAVER_A_CFG_FLAGS */
enum beaver_cfg_flag {
	/* member: do not clamp the MSS of SYN/SYN-ACK segments it sends */
	BEAVER_CFG_F_NO_MSS_CLAMP	= 1U << 0,
	/*
	 * gateway and member: stamp IPv4 with the option only, never in the
	 * ID, and read no ID as a stamp (see "IPv4 ID" above); every node of
	 * a group must agree
	 */
	BEAVER_CFG_F_IPV4_OPTION	= 1U << 1,
	BEAVER_CFG_F_ALL		= (1U << 2) - 1,
};

/* BEAVER_A_CUT_STATE */
enum beaver_state {
	BEAVER_STATE_CUT,	/* cut taken, other CPUs may still attribute */
	BEAVER_STATE_SETTLING,	/* waiting the settle interval */
	BEAVER_STATE_COMPLETE,	/* final: in-flight arrivals now count late */
};

/* BEAVER_A_CUT_FLAGS */
enum beaver_cut_flag {
	/*
	 * since the previous cut packets were lost from the accounting (a
	 * channel, or no memory); cuts they were in flight for say so too
	 */
	BEAVER_CUT_F_INCOMPLETE	= 1U << 0,
	/* some in-flight packets were counted but not captured */
	BEAVER_CUT_F_CAPTURE_TRUNC = 1U << 1,
	/* the cut was requested by BEAVER_CMD_MEMBER_ADVANCE, not a packet */
	BEAVER_CUT_F_BY_COMMAND	= 1U << 2,
	/* packets of untracked flows are in the retired aggregate only */
	BEAVER_CUT_F_UNTRACKED	= 1U << 3,
	/*
	 * since the previous cut, late packets arrived that could not be
	 * recorded (a limit): earlier snapshots lack some late entries
	 */
	BEAVER_CUT_F_LATE_LOST	= 1U << 4,
	/*
	 * since the previous cut, packets to a member or VIP left without
	 * the stamp (no room in the options, no memory; see the stamp_*
	 * counters): counted as sent before this cut, they may be counted
	 * as received after the receiver's, so a channel may not balance
	 */
	BEAVER_CUT_F_TX_UNSTAMPED = 1U << 5,
	/*
	 * before this cut, stamps in the IPv4 ID arrived that this member
	 * could not read, because it knew no epoch yet (freshly loaded,
	 * before its first option stamp or command): delivered as unstamped,
	 * they may have been of this cut's epoch, which this cut then
	 * follows (docs/decisions.md, "Known gap: a member's first snapshot
	 * after it is loaded")
	 */
	BEAVER_CUT_F_RX_ID_UNREAD = 1U << 6,
};

/* BEAVER_A_CHAN_KIND: who is at the other end of a channel */
enum beaver_chan_kind {
	BEAVER_CHAN_MEMBER = 1,	/* an in-group member, by address */
	BEAVER_CHAN_VIP,	/* tx: a group VIP, by address */
	BEAVER_CHAN_GATEWAY,	/* rx: stamped traffic from outside the group */
	BEAVER_CHAN_OUTSIDE,	/* unstamped, allow-listed or to out-group */
	BEAVER_CHAN_BYPASS,	/* rx: unstamped, not allow-listed: bypass */
};

enum beaver_attr {
	BEAVER_A_UNSPEC,
	BEAVER_A_INFO_VERSION,
	BEAVER_A_INFO_CAPS,
	BEAVER_A_INFO_STAMP_LEN,
	BEAVER_A_CFG_ROLE,
	BEAVER_A_CFG_GROUP,
	BEAVER_A_CFG_MEMBERS,
	BEAVER_A_CFG_VIPS,
	BEAVER_A_CFG_ALLOW,
	BEAVER_A_CFG_SETTLE_MS,
	BEAVER_A_CFG_MAX_FLOWS,		/* 10 */
	BEAVER_A_CFG_MAX_HISTORY,
	BEAVER_A_CFG_MAX_RECORDS,
	BEAVER_A_CFG_MAX_CAPTURES,
	BEAVER_A_CFG_CAPTURE_BYTES,
	BEAVER_A_CFG_FLAGS,
	BEAVER_A_EPOCH,
	BEAVER_A_PREV_EPOCH,
	BEAVER_A_SWITCH_NS,
	BEAVER_A_ADVANCED,
	BEAVER_A_GW_EPOCH,		/* 20 */
	BEAVER_A_MEMBER_EPOCH,
	BEAVER_A_COMPLETE_EPOCH,
	BEAVER_A_GENERATION,
	BEAVER_A_STATS,
	BEAVER_A_OBJECTS,
	BEAVER_A_CUT,
	BEAVER_A_FLOW,
	BEAVER_A_CHANNEL,
	BEAVER_A_CAPTURE,
	BEAVER_A_PAD,			/* 30 */
	BEAVER_A_CFG_GATEWAYS,
	BEAVER_A_CFG_MAX_AHEAD,
	BEAVER_A_CFG_FLOW_IDLE_MS,
	BEAVER_A_RETIRED,
	BEAVER_A_LATE,
	BEAVER_A_FP_NODE,
	BEAVER_A_FP_PORT,
	BEAVER_A_FP_SEQ_FLOOR,
	BEAVER_A_FP_PEERS,
	BEAVER_A_FP_SEQ,		/* 40 */
	BEAVER_A_CFG_APP_MARK,
	BEAVER_A_ANNOUNCE,
	__BEAVER_A_MAX
};

#define BEAVER_A_MAX (__BEAVER_A_MAX - 1)

/* elements of every list attribute */
#define BEAVER_A_LIST_ITEM 1
/* an IPv6 address in an address list (16 bytes) */
#define BEAVER_A_LIST_ITEM6 2

enum beaver_prefix_attr {
	BEAVER_A_PREFIX_UNSPEC,
	BEAVER_A_PREFIX_ADDR,
	BEAVER_A_PREFIX_LEN,
	BEAVER_A_PREFIX_ADDR6,
	__BEAVER_A_PREFIX_MAX
};

#define BEAVER_A_PREFIX_MAX (__BEAVER_A_PREFIX_MAX - 1)

enum beaver_fp_peer_attr {
	BEAVER_A_FPP_UNSPEC,
	BEAVER_A_FPP_NODE,
	BEAVER_A_FPP_SENDER_KEY,
	BEAVER_A_FPP_RECIPIENT_KEY,
	BEAVER_A_FPP_KEY,
	BEAVER_A_FPP_ADDR,
	BEAVER_A_FPP_PORT,
	BEAVER_A_FPP_REPLAY_TOP,
	BEAVER_A_FPP_PAD,
	__BEAVER_A_FPP_MAX
};

#define BEAVER_A_FPP_MAX (__BEAVER_A_FPP_MAX - 1)

enum beaver_cut_attr {
	BEAVER_A_CUT_UNSPEC,
	BEAVER_A_CUT_FIRST,
	BEAVER_A_CUT_LAST,
	BEAVER_A_CUT_NS,
	BEAVER_A_CUT_STATE,
	BEAVER_A_CUT_FLAGS,
	BEAVER_A_CUT_LATE,
	BEAVER_A_CUT_LATE_BYTES,
	BEAVER_A_CUT_SETTLE_MS,
	BEAVER_A_CUT_COMPLETE_NS,
	BEAVER_A_CUT_PAD,
	BEAVER_A_CUT_TX_UNSTAMPED,
	BEAVER_A_CUT_RX_UNSTAMPED,
	BEAVER_A_CUT_COUNTERS_SINCE,
	__BEAVER_A_CUT_MAX
};

#define BEAVER_A_CUT_MAX (__BEAVER_A_CUT_MAX - 1)

enum beaver_flow_attr {
	BEAVER_A_FLOW_UNSPEC,
	BEAVER_A_FLOW_PROTO,
	BEAVER_A_FLOW_LADDR,
	BEAVER_A_FLOW_RADDR,
	BEAVER_A_FLOW_LPORT,
	BEAVER_A_FLOW_RPORT,
	BEAVER_A_FLOW_CPU,
	BEAVER_A_FLOW_TOTALS,
	BEAVER_A_FLOW_LADDR6,
	BEAVER_A_FLOW_RADDR6,
	__BEAVER_A_FLOW_MAX
};

#define BEAVER_A_FLOW_MAX (__BEAVER_A_FLOW_MAX - 1)

enum beaver_chan_attr {
	BEAVER_A_CHAN_UNSPEC,
	BEAVER_A_CHAN_KIND,
	BEAVER_A_CHAN_PEER,
	BEAVER_A_CHAN_CPU,
	BEAVER_A_CHAN_TOTALS,
	BEAVER_A_CHAN_INFLIGHT_PKTS,
	BEAVER_A_CHAN_INFLIGHT_BYTES,
	BEAVER_A_CHAN_PAD,
	BEAVER_A_CHAN_PEER6,
	__BEAVER_A_CHAN_MAX
};

#define BEAVER_A_CHAN_MAX (__BEAVER_A_CHAN_MAX - 1)

enum beaver_late_attr {
	BEAVER_A_LATE_UNSPEC,
	BEAVER_A_LATE_KIND,
	BEAVER_A_LATE_PEER,
	BEAVER_A_LATE_CPU,
	BEAVER_A_LATE_FIRST,
	BEAVER_A_LATE_LAST,
	BEAVER_A_LATE_ARRIVED,
	BEAVER_A_LATE_PKTS,
	BEAVER_A_LATE_BYTES,
	BEAVER_A_LATE_PAD,
	BEAVER_A_LATE_PEER6,
	__BEAVER_A_LATE_MAX
};

#define BEAVER_A_LATE_MAX (__BEAVER_A_LATE_MAX - 1)

/*
 * BEAVER_A_FLOW_TOTALS, BEAVER_A_CHAN_TOTALS: packet accounting up to the
 * cut, NLA_U64 each but the sequence numbers (NLA_U32, TCP's own)
 */
enum beaver_tot_attr {
	BEAVER_TOT_UNSPEC,
	BEAVER_TOT_TX_PKTS,
	BEAVER_TOT_TX_BYTES,
	BEAVER_TOT_RX_PKTS,
	BEAVER_TOT_RX_BYTES,
	BEAVER_TOT_TX_SEQ,	/* TCP: highest end sequence sent (if any) */
	BEAVER_TOT_RX_SEQ,	/* TCP: highest end sequence received (if any) */
	BEAVER_TOT_PAD,
	BEAVER_TOT_TX_ISN,	/* TCP flow: our SYN's sequence number */
	BEAVER_TOT_RX_ISN,	/* TCP flow: the peer's SYN's */
	BEAVER_TOT_TCP_GEN,	/* TCP flow: connection generation */
	BEAVER_TOT_TCP_FLAGS,	/* TCP flow: BEAVER_TOT_F_* */
	__BEAVER_TOT_MAX
};

/* BEAVER_TOT_TCP_FLAGS */
enum beaver_tot_flag {
	BEAVER_TOT_F_TX_FIN	= 1 << 0,	/* a FIN sent is counted */
	BEAVER_TOT_F_RX_FIN	= 1 << 1,	/* a FIN received is counted */
	BEAVER_TOT_F_SYN	= 1 << 2,	/* TCP_GEN is a SYN's own */
	BEAVER_TOT_F_TX_ISN_BAD	= 1 << 3,	/* a SYN sent, not the start */
	BEAVER_TOT_F_RX_ISN_BAD	= 1 << 4,	/* a SYN received, likewise */
};

#define BEAVER_TOT_MAX (__BEAVER_TOT_MAX - 1)

enum beaver_cap_attr {
	BEAVER_A_CAP_UNSPEC,
	BEAVER_A_CAP_STAMP,
	BEAVER_A_CAP_EPOCH,
	BEAVER_A_CAP_NS,
	BEAVER_A_CAP_LEN,
	BEAVER_A_CAP_DATA,
	BEAVER_A_CAP_PAD,
	__BEAVER_A_CAP_MAX
};

#define BEAVER_A_CAP_MAX (__BEAVER_A_CAP_MAX - 1)

/* BEAVER_A_STATS: event counters, NLA_U64 each */
enum beaver_stat {
	BEAVER_STAT_UNSPEC,
	BEAVER_STAT_GW_STAMPED,		/* gateway: packets stamped */
	BEAVER_STAT_GW_KEPT,		/* gateway: a member's stamp, kept */
	BEAVER_STAT_STAMP_NOROOM,	/* options area full: sent unstamped */
	BEAVER_STAT_STAMP_NOMEM,	/* no headroom/segmentation: unstamped */
	BEAVER_STAT_TX_STAMPED,		/* member: group-bound packets stamped */
	BEAVER_STAT_RX_STAMPED,		/* member: stamped packets received */
	BEAVER_STAT_RX_STRIP_ERR,	/* stamp could not be stripped: dropped */
	BEAVER_STAT_RX_MALFORMED,	/* our option malformed: dropped */
	BEAVER_STAT_RX_FOREIGN,		/* 0x9e option not ours: left alone */
	BEAVER_STAT_CUTS,		/* cuts taken (by packet or command) */
	BEAVER_STAT_INFLIGHT,		/* in-flight packets recorded */
	BEAVER_STAT_LATE,		/* in-flight packets after closing */
	BEAVER_STAT_BYPASS,		/* unstamped from outside, not allowed */
	BEAVER_STAT_UNSTAMPED_MEMBER,	/* unstamped from a member address */
	BEAVER_STAT_MSS_CLAMPED,	/* SYN/SYN-ACK MSS options clamped */
	BEAVER_STAT_FLOW_LIMIT,		/* packet of an untracked flow (limit) */
	BEAVER_STAT_HISTORY_LIMIT,	/* at-cut value lost: max_history hit */
	BEAVER_STAT_RECORD_LIMIT,	/* cut record lost: max_records hit */
	BEAVER_STAT_CAPTURE_LIMIT,	/* in-flight packet counted, not kept */
	BEAVER_STAT_NOMEM,		/* GFP_ATOMIC allocation failed */
	BEAVER_STAT_MISORDER,		/* attribution older than the entry */
	BEAVER_STAT_RX_UNTRUSTED,	/* member: untrusted stamp, ignored */
	BEAVER_STAT_RX_AHEAD,		/* member: stamp past MAX_AHEAD, ignored */
	BEAVER_STAT_GW_REPLACED,	/* gateway: non-member stamp replaced */
	BEAVER_STAT_FLOW_RETIRED,	/* idle flows folded into the aggregate */
	BEAVER_STAT_STAMP_TOOBIG,	/* DF, no room under the MTU: ICMP sent */
	BEAVER_STAT_STAMP_SPLIT,	/* TCP segment split to take the stamp */
	BEAVER_STAT_STAMP_SEGMENTED,	/* GSO packet at 64 KiB segmented here */
	BEAVER_STAT_ICMP_MTU_LOWERED,	/* frag-needed/PTB quoting a stamp */
	BEAVER_STAT_STAMP_ID,		/* stamped in the IPv4 ID (subset) */
	BEAVER_STAT_RX_ID,		/* member: ID stamps honoured (subset) */
	BEAVER_STAT_RX_ID_INVALID,	/* member: trusted, atomic, no stamp */
	BEAVER_STAT_FP_ADVANCE,		/* fast path: ADVANCE answered here */
	BEAVER_STAT_FP_REPLAY,		/* fast path: replayed ADVANCE dropped */
	BEAVER_STAT_FP_MAC,		/* fast path: bad MAC, left to beaverd */
	BEAVER_STAT_FP_PASSED,		/* fast path: other, left to beaverd */
	BEAVER_STAT_FP_TX_ERR,		/* fast path: ack not sent */
	__BEAVER_STAT_MAX
};

#define BEAVER_STAT_MAX (__BEAVER_STAT_MAX - 1)

/* BEAVER_A_OBJECTS: live objects, NLA_U64 each; all zero after FLUSH */
enum beaver_obj {
	BEAVER_OBJ_UNSPEC,
	BEAVER_OBJ_FLOWS,
	BEAVER_OBJ_CHANNELS,
	BEAVER_OBJ_HISTORY,
	BEAVER_OBJ_RECORDS,
	BEAVER_OBJ_CAPTURES,
	BEAVER_OBJ_INFLIGHT,
	__BEAVER_OBJ_MAX
};

#define BEAVER_OBJ_MAX (__BEAVER_OBJ_MAX - 1)

#endif /* _UAPI_LINUX_BEAVER_H */
