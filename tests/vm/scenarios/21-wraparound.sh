# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 400
#
# Epoch wraparound with the oracle on: the coordinator starts 40 epochs
# short of 2^32 ([coordinator] first_epoch) and takes 70 snapshots (120
# in make check-full, which sets SOAK=1), so the
# counter wraps (0 is skipped: it means "no snapshot"). Serial-number
# arithmetic (RFC 1982) must keep every gateway and member moving forward:
# every accepted snapshot passes the oracle, on both sides of the wrap.
# Control, after the wrap: gateway marking off and B's advance 600 ms
# late, CH_NCONTROL snapshots (12; 30 in make check-full); the chain must
# show violations in at least half.
#
#   client --VIP1--> gw1 --> m1 (A) --> x --CVIP1--> gw1 --> m3 (B)

need_module
need_tools udpnum bvoracle beaverd beaverctl beaver-nl
command -v jq >/dev/null || skip "jq missing in the VM image"
# The chain's timing of 18-ogm-delay: x holds every message 100 ms (the
# chain's shortest path, far below tau_min), the gateway 0-200 ms more,
# and A sends 10 a second, so that B cuts later than that shortest path
# after A in many snapshots with some of A's messages still on the way:
# the oracle's sensitivity checks (straddled, gap > 0) then hold on a
# quiet host as on a loaded one (with the defaults a fast, quiet run
# delivered everything before B's cut). B's own advance comes 200 ms late.
CH_RELAY_DELAY=100ms
CH_JITTER=100ms
CH_ADV_DELAY=200ms
source /beaver/vm/chain.sh
N=${N:-$([ "${SOAK:-0}" = 1 ] && echo 120 || echo 70)}
FIRST=$(( (1 << 32) - 40 ))

log "lab: one gateway, coordinator's first epoch $FIRST"
chain_lab 1 "udp:1"
chain_daemons coordinator.first_epoch=$FIRST coordinator.max_outstanding=4
chain_traffic_start 10
sleep 1
chain_snapshots main $N 2
log "control: gateway marking off, the B's advance 600 ms late, $CH_NCONTROL snapshots"
# past the chain's longest path (300 ms): A's messages after its cut reach
# B before B's own advance makes it cut
ch_adv_delay 600ms
echo N >/sys/module/beaver/parameters/gateway_marking
chain_snapshots control "$CH_NCONTROL" 2
echo Y >/sys/module/beaver/parameters/gateway_marking
chain_traffic_stop

log "the oracle"
chain_export main
chain_export control
chain_verdict main $((N * 9 / 10))
jq -r 'select(.state == "accepted") | .epoch' "$VM_STATE/export.main" >"$VM_STATE/epochs"
before=$(awk -v f=$FIRST '$1 >= f' "$VM_STATE/epochs" | wc -l)
after=$(awk '$1 < 1000' "$VM_STATE/epochs" | wc -l)
figure accepted_before_wrap "$before"
figure accepted_after_wrap "$after"
check_gt "$before" 10 "accepted snapshots with epochs before the wrap"
# 40 epochs before the wrap: the rest of the N snapshots after it, at least
# half of them (retried attempts take epochs too)
check_gt "$after" $(((N - 40) / 2)) "accepted snapshots with epochs after the wrap"
check_eq "$(grep -cx 0 "$VM_STATE/epochs")" 0 "snapshots with epoch 0"
figure gw_epoch "$(bstat gw1 gw_epoch)"
check_le "$(bstat gw1 gw_epoch)" 1000 "gw1's epoch after the wrap"
for ns in m1 m3; do
	check_le "$(bstat $ns member_epoch)" 1000 "$ns's epoch after the wrap"
done
chain_control_verdict control "gateway marking off"
for ns in coord gw1 m1 m2 m3; do bvd_alive $ns || fail "beaverd of $ns died"; done
keep "$VM_STATE"/export.* "$VM_STATE"/log.* "$VM_STATE"/lost.* "$VM_STATE"/oracle.*
