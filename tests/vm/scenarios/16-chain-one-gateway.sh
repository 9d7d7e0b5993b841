# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 900
#
# The consistency oracle (docs/oracle.md), one gateway. Member A sends
# numbered datagrams to the out-group relay x, which sends each one on, in
# order, to a group VIP behind gw1, where member B1 (m3) receives it; and
# a TCP stream of fixed-size records the same way to B2 (m4). A and m2
# also talk directly. N snapshots (90; 1,000 in make check-full, which
# sets SOAK=1) are
# taken while all of it flows, four at a time; for every accepted one,
# from the records the coordinator collected and from the applications'
# own logs: no B holds a message (or TCP byte) that A sent after its own
# cut, every direct channel balances, OGM's evidence holds. The run must
# have been able to fail: B cut later than A by more than the chain's
# shortest latency in at least 30% of the snapshots, with messages still
# on the way at B's cut in most of them.
#
# Control: the same traffic with gateway marking off
# (beaver.gateway_marking=0): the oracle must find chain violations in at
# least half of the snapshots, on the UDP and on the TCP chain.
#
#   client --VIP1--> gw1 --> m1 (A) --> x --CVIP1--> gw1 --> m3 (B1)
#                            m1 (A) --> x --CVIP2--> gw1 --> m4 (B2, TCP)
#                            m1 (A) <------ direct -------> m2

need_module
need_tools udpnum tcpnum bvoracle beaverd beaverctl
command -v jq >/dev/null || skip "jq missing in the VM image"
source /beaver/vm/chain.sh
N=${N:-$([ "${SOAK:-0}" = 1 ] && echo 1000 || echo 90)}
NCONTROL=${NCONTROL:-$CH_NCONTROL}	# 0: no control (make mutants: the main run must fail)

log "lab: one DR gateway, A, m2, B1 (UDP chain), B2 (TCP chain), x, client, coordinator"
chain_lab 1 "udp:1 tcp:1"
chain_daemons coordinator.max_outstanding=8
log "traffic: chained UDP and TCP, direct A <-> m2, client -> A"
# 200 messages a second against gw1's 0-40 ms jitter: a few on the way at
# B's cut in most snapshots (at 100 a second the median was 1, and 0 in a
# run on a busy host: the run's sensitivity check failed)
chain_traffic_start 200
chain_tcp_base
sleep 1

# a few more than N, so that one snapshot failing on a loaded host (a
# time-out) does not leave fewer than N accepted to check
log "$((N + 20)) snapshots while traffic flows, 4 clients"
t=$EPOCHREALTIME
chain_snapshots main $((N + 20)) 4
secs=$(elapsed "$t")
figure snapshots_per_sec "$(awk -v s="$secs" -v n=$((N + 20)) 'BEGIN { printf "%.1f", n / s }')"

if [ "$NCONTROL" -gt 0 ]; then
	log "control: gateway marking off, $NCONTROL snapshots"
	echo N >/sys/module/beaver/parameters/gateway_marking
	chain_snapshots control "$NCONTROL" 2
	echo Y >/sys/module/beaver/parameters/gateway_marking
fi
chain_traffic_stop

log "the oracle"
chain_export main
chain_verdict main "$N"
s=$CH_SUMMARY
check_ge "$(kv "$s" pairs_checked)" "$((2 * N))" "direct channel balances checked (main)"
if [ "$NCONTROL" -gt 0 ]; then
	chain_export control
	chain_control_verdict control "gateway marking off"
fi
check_eq "$(bvd_log_count 'beaverd: (error|crit|alert|emerg):' coord gw1 m1 m2 m3 m4)" 0 \
	"error lines in the daemons' logs"
for ns in coord gw1 m1 m2 m3 m4; do bvd_alive $ns || fail "beaverd of $ns died"; done
keep "$VM_STATE"/export.* "$VM_STATE"/log.* "$VM_STATE"/lost.* "$VM_STATE"/oracle.*
