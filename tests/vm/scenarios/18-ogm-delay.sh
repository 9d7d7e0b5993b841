# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 600
#
# Optimistic Gateway Marking under a slow gateway. The coordinator's
# datagrams to gw3 are delayed by 40-120 ms (netem, uniform), τ_min is
# 80 ms and the relayed chain A -> x -> gw3 -> B takes at least 100 ms:
# every attempt whose t1 - t0 reached τ_min is rejected and retried with a
# fresh epoch, and no accepted snapshot violates the oracle.
#
# Control: the advance to gw3 delayed by 400 ms, longer than the chain,
# and tau_min raised to 10 s so that OGM accepts it (the check switched
# off, as a tau_min above the real chain would): A cuts on gw1's or gw2's
# mark, its next messages cross gw3 before gw3 switches, and the oracle
# must find them inside B's cut in at least half of the snapshots.
#
#   client --VIP1,2,3--> gw1 gw2 gw3 --> m1 (A) --> x --CVIP1--> gw3 --> m3 (B)
#   coord --(40-120 ms, then 400 ms)--> gw3

need_module
need_tools udpnum bvoracle beaverd beaverctl
command -v jq >/dev/null || skip "jq missing in the VM image"
CH_RELAY_DELAY=100ms	# the chain takes >= 100 ms: tau_min 80 ms is a lower bound
CH_JITTER=100ms		# then 0-200 ms more past the gateway
CH_ADV_DELAY=200ms	# B's advance comes later than the chain's shortest path
source /beaver/vm/chain.sh
# 60 snapshots (200 in make check-full, which sets SOAK=1)
N=${N:-$([ "${SOAK:-0}" = 1 ] && echo 200 || echo 60)}
NCONTROL=${NCONTROL:-$CH_NCONTROL}	# 0: no control (make mutants)

log "lab: three gateways, one chain through gw3"
chain_lab 3 "udp:3"
ch_to coord 10.0.1.3 delay 80ms 40ms
chain_daemons coordinator.tau_min_us=80000 coordinator.retries=10 \
	coordinator.max_outstanding=4
# 30 messages/s: with the gateways' modules answering ADVANCE, B cuts
# soon enough after A that at 10/s the median of the messages on the way
# at B's cut (the run's sensitivity) fell to 0 in a quiet make check
chain_traffic_start 30
sleep 1

log "$N snapshots, advance to gw3 delayed 40-120 ms, tau_min 80 ms"
chain_snapshots main "$N" 4

if [ "$NCONTROL" -gt 0 ]; then
	log "control: advance to gw3 delayed 400 ms, tau_min 10 s (no check)"
	bvd_stop coord
	ch_to coord 10.0.1.3 delay 400ms
	bvd_conf coord coordinator "$CH_COORD" coordinator.tau_min_us=10000000 \
		coordinator.max_outstanding=4
	bvd_up coord
	chain_snapshots control "$NCONTROL" 2
fi
chain_traffic_stop

log "the oracle"
chain_export main
chain_verdict main $((N / 2))
s=$CH_SUMMARY
check_ge "$(kv "$s" rejected_attempts)" 1 "attempts rejected for t1 - t0 >= tau_min"
check_ge "$(kv "$s" bound_max_us)" 80000 "largest t1 - t0 (us) reached tau_min"
# the bound distribution, in 20 ms buckets
jq -r '.attempts[] | select(.bound_ns != null) | .bound_ns' "$VM_STATE/export.main" |
	awk '{ b = int($1 / 20000000); n[b]++; if (b > m) m = b }
	     END { for (i = 0; i <= m; i++) printf "t1-t0 %3d-%3d ms: %d\n", i * 20, i * 20 + 20, n[i] }'

# a rejected attempt is retried with a fresh epoch: every attempt of every
# snapshot has an epoch of its own
retried=$(jq -r 'select((.attempts | length) > 1) | .id' "$VM_STATE/export.main" | wc -l)
figure retried_snapshots "$retried"
check_ge "$retried" 1 "snapshots accepted or ended after a retry"
check_eq "$(jq -r '.attempts[].epoch' "$VM_STATE/export.main" | sort | uniq -d | wc -l)" 0 \
	"epochs used by two attempts"

if [ "$NCONTROL" -gt 0 ]; then
	chain_export control
	chain_control_verdict control "gw3 400 ms late, tau_min 10 s"
	figure control_bound_median_us "$(kv "$CH_SUMMARY" bound_median_us)"
fi
for ns in coord gw1 gw2 gw3 m1 m2 m3; do bvd_alive $ns || fail "beaverd of $ns died"; done
keep "$VM_STATE"/export.* "$VM_STATE"/log.* "$VM_STATE"/lost.* "$VM_STATE"/oracle.*
