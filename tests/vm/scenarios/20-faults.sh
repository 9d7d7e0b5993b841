# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 600
#
# Faults under the oracle. Both members' links lose 5% of what they send
# and reorder it (netem), control traffic included; four clients take
# snapshots back to back (a new series whenever one breaks) while, in
# turn, gw2's beaverd is SIGKILLed and restarted, then B's (m2's), then
# the coordinator's. Afterwards, from the coordinator's store:
# every snapshot a client was told was accepted is still there, accepted;
# every one that was not says why; none is left half done; and no accepted
# snapshot violates the oracle, the direct channels balancing with exactly
# the losses the receiving applications counted.
#
#   client --VIP1,2,3--> gw1 gw2 gw3 --> m1 (A) --> x --VIP1,2,3--> m2 (B)
#   m1, m2: 5% loss, reordering on everything they send

need_module
need_tools udpnum bvoracle beaverd beaverctl
command -v jq >/dev/null || skip "jq missing in the VM image"
CH_RELAY_DELAY=100ms	# the chains take >= 100 ms: tau_min 80 ms is a lower bound
source /beaver/vm/chain.sh
CLIENTS=4

log "lab: three gateways, lossy member links"
chain_lab 3 "1 2 3"
ch_default m1 delay 2ms reorder 75% 50% loss 5%
ch_default m2 delay 2ms reorder 75% 50% loss 5%
ch_to m1 "$CH_B" delay "$CH_DIRECT_DELAY" 10ms loss 5%
chain_daemons coordinator.tau_min_us=80000 coordinator.retries=10 \
	coordinator.max_outstanding=$CLIENTS
chain_traffic_start 150
sleep 1

# one client: series of snapshots, one row printed as each returns (the
# human output streams rows; a series broken by the coordinator's death
# keeps the rows before it), a new series until told to stop
snap_loop() {
	local i=$1
	while [ ! -e "$VM_STATE/stop" ]; do
		bctl coord snapshot --wait --count 10 --interval 0 \
			>>"$VM_STATE/seen.$i" 2>>"$VM_STATE/seen.$i.err" || sleep 0.3
	done
}
rm -f "$VM_STATE/stop"
pids=()
for ((i = 0; i < CLIENTS; i++)); do snap_loop $i & pids+=($!); done

# fault NS: after 8 s, SIGKILL NS's beaverd; 2 s later start it again
fault() {
	sleep 8
	log "kill -9 beaverd of $1; restart in 2 s"
	bvd_kill "$1"
	sleep 2
	bvd_up "$1"
}
fault gw2
fault m2
fault coord
sleep 8
: >"$VM_STATE/stop"
for p in "${pids[@]}"; do wait "$p" || true; done
chain_traffic_stop
for ((i = 0; i < CLIENTS; i++)); do
	echo "client $i: $(awk '$1 ~ /^[0-9]+$/' "$VM_STATE/seen.$i" | wc -l) snapshots;" \
		"$(sort "$VM_STATE/seen.$i.err" 2>/dev/null | uniq -c | tr '\n' ' ')"
done

log "the store after the faults"
# let whatever is still running finish (complete/collect time-outs: 5 s)
sleep 6
bctl coord --json list --limit 10000 >"$VM_STATE/list.json"
jq -r '.snapshots[] | "\(.id) \(.state) \(.reason // "")"' "$VM_STATE/list.json" |
	sort -n >"$VM_STATE/states"
cut -d' ' -f1 "$VM_STATE/states" >"$VM_STATE/ids.main"
awk '$1 ~ /^[0-9]+$/ && $2 == "accepted" { print $1 }' "$VM_STATE"/seen.[0-9] |
	sort -n >"$VM_STATE/told"
figure told_accepted "$(wc -l <"$VM_STATE/told")"
lost=$(awk 'NR == FNR { st[$1] = $2; next } st[$1] != "accepted" { n++ } END { print n + 0 }' \
	"$VM_STATE/states" "$VM_STATE/told")
check_eq "$lost" 0 "snapshots a client saw accepted that the store does not hold as accepted"
check_eq "$(awk '$2 != "accepted" && $2 != "rejected" && $2 != "failed"' "$VM_STATE/states" | wc -l)" 0 \
	"snapshots left unfinished"
check_eq "$(awk '$2 != "accepted" && NF < 3' "$VM_STATE/states" | wc -l)" 0 \
	"rejected or failed snapshots without a reason"
echo "why the others did not make it:"
awk '$2 != "accepted" { $1 = ""; print }' "$VM_STATE/states" | sed 's/[0-9]\+/N/g' | sort | uniq -c

log "the oracle"
chain_export main
chain_verdict main 100
s=$CH_SUMMARY
# each fault met running snapshots
check_ge "$(kv "$s" timeout_attempts)" 1 "attempts timed out while gw2's beaverd was down"
interrupted=$(grep -c ' failed coordinator restarted$' "$VM_STATE/states" || true)
figure interrupted_by_coordinator "$interrupted"
check_ge "$interrupted" 1 "snapshots the coordinator's SIGKILL interrupted (failed, with that reason)"
check_gt "$(kv "$s" lost)" 0 "direct-channel losses accounted for in accepted snapshots"
figure lost_in_balances "$(kv "$s" lost)"
for ns in coord gw1 gw2 gw3 m1 m2; do bvd_alive $ns || fail "beaverd of $ns died"; done
if failed; then bvd_logs coord m2 | tail -n 150; fi
