# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 400
#
# Epoch wraparound with the oracle on: the coordinator starts 40 epochs
# short of 2^32 ([coordinator] first_epoch) and takes 150 snapshots, so the
# counter wraps (0 is skipped: it means "no snapshot"). Serial-number
# arithmetic (RFC 1982) must keep every gateway and member moving forward:
# every accepted snapshot passes the oracle, on both sides of the wrap.
#
#   client --VIP1--> gw1 --> m1 (A) --> x --VIP1--> gw1 --> m2 (B)

need_module
need_tools udpnum bvoracle beaverd beaverctl beaver-nl
command -v jq >/dev/null || skip "jq missing in the VM image"
source /beaver/vm/chain.sh
N=150
FIRST=$(( (1 << 32) - 40 ))

log "lab: one gateway, coordinator's first epoch $FIRST"
chain_lab 1 "1"
chain_daemons coordinator.first_epoch=$FIRST coordinator.max_outstanding=4
chain_traffic_start 200
sleep 1
chain_snapshots main $N 2
chain_traffic_stop

log "the oracle"
chain_export main
chain_verdict main $((N * 9 / 10))
jq -r 'select(.state == "accepted") | .epoch' "$VM_STATE/export.main" >"$VM_STATE/epochs"
before=$(awk -v f=$FIRST '$1 >= f' "$VM_STATE/epochs" | wc -l)
after=$(awk '$1 < 1000' "$VM_STATE/epochs" | wc -l)
figure accepted_before_wrap "$before"
figure accepted_after_wrap "$after"
check_gt "$before" 10 "accepted snapshots with epochs before the wrap"
check_gt "$after" 50 "accepted snapshots with epochs after the wrap"
check_eq "$(grep -cx 0 "$VM_STATE/epochs")" 0 "snapshots with epoch 0"
figure gw_epoch "$(bstat gw1 gw_epoch)"
check_le "$(bstat gw1 gw_epoch)" 1000 "gw1's epoch after the wrap"
for ns in m1 m2; do
	check_le "$(bstat $ns member_epoch)" 1000 "$ns's epoch after the wrap"
done
for ns in coord gw1 m1 m2; do bvd_alive $ns || fail "beaverd of $ns died"; done
