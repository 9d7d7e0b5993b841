# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 600
#
# The oracle with three gateways, switching asynchronously: gw1 and gw3
# forward by direct routing, gw2 by NAT. A gets client traffic through all
# three, so it cuts on whichever gateway switches first; x relays A's
# datagrams to B through every one of them (one chain per VIP). The relay
# takes at least 100 ms (CH_RELAY_DELAY), so τ_min = 80 ms is a true lower
# bound on the chain gateway -> A -> x -> gateway: by OGM (Theorem 2),
# every snapshot whose t1 - t0 is below it is consistent, whatever order
# the gateways switched in. Those above are rejected and retried.
#
#   client --VIP1,2,3--> gw1 (DR) gw2 (NAT) gw3 (DR) --> m1 (A)
#   m1 (A) --> x --VIP1,2,3--> gw1 gw2 gw3 --> m2 (B)

need_module
need_tools udpnum bvoracle beaverd beaverctl beaver-nl
command -v jq >/dev/null || skip "jq missing in the VM image"
CH_RELAY_DELAY=100ms	# the chains take >= 100 ms: tau_min 80 ms is a lower bound
source /beaver/vm/chain.sh
N=${N:-300}

log "lab: three gateways (DR, NAT, DR), A, B, x, client, coordinator"
chain_lab 3 "1 2 3"
chain_daemons coordinator.tau_min_us=80000 coordinator.retries=10 \
	coordinator.max_outstanding=8
log "traffic"
chain_traffic_start 150
sleep 1

log "$N snapshots, 4 clients"
chain_snapshots main "$N" 4
chain_traffic_stop

log "the oracle"
chain_export main
chain_verdict main $((N * 3 / 4))
s=$CH_SUMMARY
check_eq "$(kv "$s" tau_min_us)" 80000 "tau_min in the reports"
for i in 1 2 3; do
	r=$(cat "$VM_STATE/ch.recv$i")
	figure "chain${i}_$(ch_mode $i)_received" "$(kv "$r" received)"
	check_gt "$(kv "$r" received)" 100 "datagrams B received through gw$i ($(ch_mode $i))"
	check_eq "$(kv "$r" bad)" 0 "damaged datagrams through gw$i"
	check_gt "$(bstat "gw$i" stat.gw_stamped)" 100 "packets gw$i stamped"
done
check_eq "$(bstat m2 stat.bypass)/$(bstat m1 stat.bypass)" 0/0 "bypass counts on B/A"
for ns in coord gw1 gw2 gw3 m1 m2; do bvd_alive $ns || fail "beaverd of $ns died"; done
