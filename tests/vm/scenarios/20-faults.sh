# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 600
#
# Faults under the oracle. A's and m2's links lose 5% of what they send
# and reorder it (netem), control traffic included; four clients take
# snapshots back to back (a new series whenever one breaks) while, in
# turn, gw2's beaverd is SIGKILLed and restarted, then B1's (m3's), then
# the coordinator's. Afterwards, from the coordinator's store:
# every snapshot a client was told was accepted is still there, accepted;
# every one that was not says why; none is left half done; and no accepted
# snapshot violates the oracle, the direct channels balancing and the
# chains bounded with exactly the losses the receiving applications
# counted (what A sent and x never relayed can never reach B).
#
# Control: gateway marking off, the Bs' advance 500 ms late, links still
# lossy: every chain must show violations in at least half the snapshots.
#
#   client --VIP1,2,3--> gw1 gw2 gw3 --> m1 (A) --> x --CVIP1,2,3--> B1 B2 B3
#   m1, m2: 5% loss, reordering on everything they send
#
# The gateways answer ADVANCE from beaverd here (fast_path = no): a
# SIGKILLed gateway daemon must cost only attempts that time out and are
# retried. With the fast path its module keeps answering and the crash
# costs nothing (scenario 42 stops the gateways' daemons outright).

need_module
need_tools udpnum bvoracle beaverd beaverctl
command -v jq >/dev/null || skip "jq missing in the VM image"
CH_RELAY_DELAY=100ms	# the chains take >= 100 ms: tau_min 80 ms is a lower bound
CH_JITTER=100ms		# then 0-200 ms more past the gateway
CH_ADV_DELAY=200ms	# B's advance comes later than the chain's shortest path
source /beaver/vm/chain.sh
CLIENTS=4

log "lab: three gateways, lossy member links"
chain_lab 3 "udp:1 udp:2 udp:3"
ch_default m1 delay 2ms reorder 75% 50% loss 5%
ch_default m2 delay 2ms reorder 75% 50% loss 5%
ch_to m1 "$CH_C" delay "$CH_DIRECT_DELAY" 10ms loss 5%
BVD_GATEWAY_OPTS="module.fast_path=no"
chain_daemons coordinator.tau_min_us=80000 coordinator.retries=10 \
	coordinator.max_outstanding=$CLIENTS
chain_traffic_start 10
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

# fault NS: after 6 s, SIGKILL NS's beaverd; 2 s later start it again
fault() {
	sleep 6
	log "kill -9 beaverd of $1; restart in 2 s"
	bvd_kill "$1"
	sleep 2
	bvd_up "$1"
}
fault gw2
fault m3
fault coord
sleep 6
: >"$VM_STATE/stop"
for p in "${pids[@]}"; do wait "$p" || true; done
# every snapshot still running ends (complete/collect time-outs: 5 s)
sleep 6

log "control: gateway marking off, the Bs' advance 500 ms late"
ch_adv_delay 500ms
echo N >/sys/module/beaver/parameters/gateway_marking
chain_snapshots control "$CH_NCONTROL" 4
echo Y >/sys/module/beaver/parameters/gateway_marking
chain_traffic_stop
for ((i = 0; i < CLIENTS; i++)); do
	echo "client $i: $(awk '$1 ~ /^[0-9]+$/' "$VM_STATE/seen.$i" | wc -l) snapshots;" \
		"$(sort "$VM_STATE/seen.$i.err" 2>/dev/null | uniq -c | tr '\n' ' ')"
done

log "the store after the faults"
bctl coord --json list --limit 10000 >"$VM_STATE/list.json"
# the control's snapshots are not the faults' business
jq -r '.snapshots[] | "\(.id) \(.state) \(.reason // "")"' "$VM_STATE/list.json" |
	sort -n | awk 'NR == FNR { c[$1] = 1; next } !($1 in c)' "$VM_STATE/ids.control" - \
	>"$VM_STATE/states"
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
chain_export control
chain_verdict main 80
s=$CH_SUMMARY
# each fault met running snapshots
check_ge "$(kv "$s" timeout_attempts)" 1 "attempts timed out while gw2's beaverd was down"
interrupted=$(grep -c ' failed coordinator restarted$' "$VM_STATE/states" || true)
figure interrupted_by_coordinator "$interrupted"
check_ge "$interrupted" 1 "snapshots the coordinator's SIGKILL interrupted (failed, with that reason)"
check_gt "$(kv "$s" lost)" 0 "direct-channel losses accounted for in accepted snapshots"
figure lost_in_balances "$(kv "$s" lost)"
figure lost_on_chains $(( $(kv "$s" udp1.lost) + $(kv "$s" udp2.lost) + $(kv "$s" udp3.lost) ))
check_gt "$(kv "$s" udp1.lost)" 0 "chain losses accounted for in accepted snapshots"
chain_control_verdict control "gateway marking off"
for ns in coord gw1 gw2 gw3 m1 m2 m3 m4 m5; do bvd_alive $ns || fail "beaverd of $ns died"; done
keep "$VM_STATE"/export.* "$VM_STATE"/log.* "$VM_STATE"/lost.* "$VM_STATE"/oracle.* "$VM_STATE"/states
if failed; then bvd_logs coord m2 | tail -n 150; fi
