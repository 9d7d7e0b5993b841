# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 900
#
# The consistency oracle (docs/oracle.md), one gateway. Member A sends
# numbered datagrams (and a TCP stream of fixed-size records) to the
# out-group relay x, which sends each one on, in order, to the group's VIP
# behind gw1, where member B receives it; A and B also talk directly.
# 1,000 snapshots are taken while all of it flows, four at a time; for
# every accepted one, from the records the coordinator collected only:
# B's cut holds no relayed message (or TCP byte) that A sent after its own
# cut, and every direct channel balances (sent = received + in flight +
# the losses counted by the receiving application).
#
# Control: the same traffic with gateway marking off
# (beaver.gateway_marking=0): the oracle must find violations, or the
# scenario could not have caught a broken Beaver and fails.
#
#   client --VIP1--> gw1 --> m1 (A) --> x --VIP1--> gw1 --> m2 (B)
#                            m1 (A) <------ direct -------> m2 (B)

need_module
need_tools udpnum tcpnum bvoracle beaverd beaverctl
command -v jq >/dev/null || skip "jq missing in the VM image"
source /beaver/vm/chain.sh
N=${N:-1000}
NCONTROL=60

log "lab: one DR gateway, A and B, the relay x, a client, the coordinator"
chain_lab 1 "1" tcp
chain_daemons coordinator.max_outstanding=8
log "traffic: chained UDP and TCP, direct A <-> B, client -> A"
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

log "control: gateway marking off, $NCONTROL snapshots"
echo N >/sys/module/beaver/parameters/gateway_marking
chain_snapshots control $NCONTROL 2
echo Y >/sys/module/beaver/parameters/gateway_marking
chain_traffic_stop

log "the oracle"
chain_export main
chain_export control
chain_verdict main "$N"
s=$CH_SUMMARY
check_ge "$(kv "$s" pairs_checked)" "$((2 * N))" "direct channel balances checked (main)"
check_gt "$(kv "$s" max_sent)" 1000 "chained messages sent by A before the last cut"
figure main_inflight "$(kv "$s" inflight)"

chain_control_verdict control "gateway marking off"
check_eq "$(bvd_log_count 'beaverd: (error|crit|alert|emerg):' coord gw1 m1 m2)" 0 \
	"error lines in the daemons' logs"
for ns in coord gw1 m1 m2; do bvd_alive $ns || fail "beaverd of $ns died"; done
