# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 600
#
# The oracle with three gateways, switching asynchronously: gw1 and gw3
# forward by direct routing, gw2 by NAT. A gets client traffic through all
# three, so it cuts on whichever gateway switches first; x relays A's
# datagrams through each gateway to a member of its own (B1, B2, B3). The
# relay takes at least 100 ms (CH_RELAY_DELAY), so tau_min = 80 ms is a
# true lower bound on the chain gateway -> A -> x -> gateway: by OGM
# (Theorem 2), every snapshot whose t1 - t0 is below it is consistent,
# whatever order the gateways switched in. Those above are rejected and
# retried.
#
# Control: gateway marking off, the coordinator's advance to the Bs 500 ms
# late: every chain must show violations in at least half the snapshots.
#
#   client --VIP1,2,3--> gw1 (DR) gw2 (NAT) gw3 (DR) --> m1 (A)
#   m1 (A) --> x --CVIP1--> gw1 --> m3 (B1)
#   m1 (A) --> x --CVIP2--> gw2 --> m4 (B2)
#   m1 (A) --> x --CVIP3--> gw3 --> m5 (B3)

need_module
need_tools udpnum bvoracle beaverd beaverctl beaver-nl
command -v jq >/dev/null || skip "jq missing in the VM image"
CH_RELAY_DELAY=100ms	# the chains take >= 100 ms: tau_min 80 ms is a lower bound
CH_JITTER=100ms		# then 0-200 ms more past the gateway
CH_ADV_DELAY=200ms	# B's advance comes later than the chain's shortest path
source /beaver/vm/chain.sh
# 80 snapshots (300 in make check-full, which sets SOAK=1)
N=${N:-$([ "${SOAK:-0}" = 1 ] && echo 300 || echo 80)}
NCONTROL=$CH_NCONTROL

log "lab: three gateways (DR, NAT, DR), A, m2, B1-B3, x, client, coordinator"
chain_lab 3 "udp:1 udp:2 udp:3"
chain_daemons coordinator.tau_min_us=80000 coordinator.retries=10 \
	coordinator.max_outstanding=8
log "traffic"
chain_traffic_start 10
sleep 1

log "$N snapshots, 4 clients"
chain_snapshots main "$N" 4
# with the gateways marking, nothing reaches A or a B unstamped
bypass="$(bstat m1 stat.bypass)/$(bstat m3 stat.bypass)/$(bstat m4 stat.bypass)/$(bstat m5 stat.bypass)"

log "control: gateway marking off, the Bs' advance 500 ms late, $NCONTROL snapshots"
ch_adv_delay 500ms
echo N >/sys/module/beaver/parameters/gateway_marking
chain_snapshots control $NCONTROL 4
echo Y >/sys/module/beaver/parameters/gateway_marking
chain_traffic_stop

log "the oracle"
chain_export main
chain_export control
chain_verdict main $((N * 3 / 4))
s=$CH_SUMMARY
check_eq "$(kv "$s" tau_min_us)" 80000 "tau_min in the reports"
for i in 1 2 3; do
	r=$(cat "$VM_STATE/ch.recv$i")
	figure "chain${i}_$(ch_mode $i)_received" "$(kv "$r" received)"
	check_gt "$(bstat "gw$i" stat.gw_stamped)" 100 "packets gw$i stamped"
done
check_eq "$bypass" 0/0/0/0 "bypass counts on A and the Bs before the control"
chain_control_verdict control "gateway marking off"
for ns in coord gw1 gw2 gw3 m1 m2 m3 m4 m5; do bvd_alive $ns || fail "beaverd of $ns died"; done
keep "$VM_STATE"/export.* "$VM_STATE"/log.* "$VM_STATE"/lost.* "$VM_STATE"/oracle.*
