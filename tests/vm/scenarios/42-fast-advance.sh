# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 150
#
# The gateway's fast path for ADVANCE (issue #12, netfilter/fastpath.c), on
# the demo topology (two DR gateways, three members, a coordinator):
#   frozen    both gateway daemons stopped with SIGSTOP, traffic flowing:
#             every snapshot is still accepted, answered by the gateways'
#             modules alone (stat.fp_advance counts them), and every report
#             holds all three complete records, balanced channels and no
#             bypass (the oracle of scenario 10)
#   off       [module] fast_path = no on both gateways (SIGHUP): a snapshot
#             is accepted through beaverd (fp_advance unchanged), and with
#             the daemons frozen again it fails: the fast path is what made
#             the frozen snapshots work
#   hostile   fast path on again; a captured advance replayed to gw1 is
#             dropped by the module (fp_replay) and not acted on; one with
#             a byte altered is not consumed: beaverd counts it (drops.mac)
#
#   client --VIP1--> gw1 --+--> m1 m2 m3        x: bvforge      coord

need_module
need_tools beaver-nl udpnum beaverd beaverctl bvforge
command -v jq >/dev/null || skip "jq missing in the VM image"
F=$VM_STATE/fp
mkdir -p "$F"
N=8

log "lab and daemons (fast path on by default)"
DEMO_DELAY=
lab_demo
# a snapshot the frozen gateways cannot answer fails in about a second
demo_daemons coordinator.ack_timeout_ms=500 coordinator.retries=1
for g in gw1 gw2; do
	check_eq "$(bvd_log_count 'fast path: beaver.ko answers ADVANCE' "$g")" 1 \
		"$g: beaverd handed its keys to the module"
done

# fp NAME: the module's fast advances
fp() { bstat "$1" stat.fp_advance; }
# take NAME [ARGS...]: one snapshot, JSON in $F/NAME.json, exit status echoed
take() {
	local rc=0 name=$1
	shift
	bctl coord --json snapshot --wait "$@" >"$F/$name.json" || rc=$?
	echo "$rc/$(jqf "$F/$name.json" .state)"
}
freeze() { local g; for g in gw1 gw2; do kill -"$1" "$(bvd_pid "$g")"; done; }

log "frozen: the gateway daemons stopped, $N snapshots under traffic"
demo_traffic 8 100
sleep 1
a1=$(fp gw1) a2=$(fp gw2)
freeze STOP
rc=0
bctl coord --json snapshot --wait --count $N --interval 0.05 >"$F/series.json" || rc=$?
freeze CONT
demo_traffic_wait stop
check_eq "$rc" 0 "snapshot series with frozen gateway daemons: exit status"
check_eq "$(jqf "$F/series.json" '[.snapshots[] | select(.state == "accepted")] | length')" $N \
	"accepted snapshots with frozen gateway daemons"
check_ge "$(( $(fp gw1) - a1 ))" $N "gw1's fast advances"
check_ge "$(( $(fp gw2) - a2 ))" $N "gw2's fast advances"
figure fast_advances "$(( $(fp gw1) - a1 + $(fp gw2) - a2 ))"
mkdir -p "$F/show"
for id in $(jq -r '.snapshots[].id' "$F/series.json"); do
	bctl coord --json show "$id" >"$F/show/$id.json" || fail "beaverctl show $id: exit $?"
done
# the oracle: complete records, balance (flag and numbers), no bypass
jq -r -s '.[] | [ .snapshot.id, .snapshot.state, .report.balanced,
	.report.missing_members, .report.incomplete_members,
	([.report.members[] | select(.present and .complete)] | length),
	([.report.channels[] | select(.sent != .received + .inflight)] | length),
	.report.bypass ] | @tsv' "$F"/show/*.json >"$F/reports.tsv"
cat "$F/reports.tsv"
check_eq "$(awk -F'\t' '$2 != "accepted" || $3 != "true" || $4 != 0 || $5 != 0 ||
	$6 != 3 || $7 != 0 || $8 != 0' "$F/reports.tsv" | wc -l)" 0 \
	"reports failing the oracle (state, balance, records, bypass)"

log "off: fast_path = no on the gateways (reload)"
for g in gw1 gw2; do
	bvd_conf "$g" gateway "10.0.1.${g#gw}" module.fast_path=no
	kill -HUP "$(bvd_pid "$g")"
done
sleep 0.5
a1=$(fp gw1) a2=$(fp gw2)
check_eq "$(take off-running)" 0/accepted "a snapshot through the gateway daemons"
check_eq "$(( $(fp gw1) - a1 ))/$(( $(fp gw2) - a2 ))" 0/0 "fast advances with fast_path = no"
freeze STOP
check_eq "$(take off-frozen)" 1/failed "a snapshot with the daemons frozen and no fast path"
freeze CONT
sleep 0.3

log "hostile: fast path on again, a captured advance replayed and altered"
for g in gw1 gw2; do
	bvd_conf "$g" gateway "10.0.1.${g#gw}"
	kill -HUP "$(bvd_pid "$g")"
done
sleep 0.5
bvforge capture --ifname v-gw1 --port $BVD_PORT --type advance --out "$F/gw.bin" \
	--ready-file "$(ready_file capgw)" >"$F/gw.info" &
cgw=$!
wait_ready capgw
check_eq "$(take captured)" 0/accepted "the snapshot whose advance is captured"
wait $cgw || die "no advance captured towards gw1"
e=$(bstat gw1 gw_epoch)
r0=$(bstat gw1 stat.fp_replay) m0=$(bstat gw1 stat.fp_mac) a1=$(fp gw1)
bctl gw1 --json status >"$F/before.json"
nsx x bvforge send --to 10.0.1.1:$BVD_PORT --copies 2 "$F/gw.bin"
nsx x bvforge send --to 10.0.1.1:$BVD_PORT --flip 28 "$F/gw.bin"
sleep 0.5
bctl gw1 --json status >"$F/after.json"
d() { echo $(( $(jqf "$F/after.json" ".control.$1") - $(jqf "$F/before.json" ".control.$1") )); }
check_eq "$(( $(bstat gw1 stat.fp_replay) - r0 ))" 2 "replays dropped by gw1's module"
check_eq "$(( $(bstat gw1 stat.fp_mac) - m0 ))/$(d drops.mac)" 1/1 \
	"the altered advance: passed by the module/counted by beaverd"
check_eq "$(d received)/$(d sent)/$(( $(fp gw1) - a1 ))" 0/0/0 \
	"nothing acted on (beaverd received/sent, fast advances)"
check_eq "$(bstat gw1 gw_epoch)" "$e" "gw1's epoch after the hostile datagrams"
check_eq "$(take after)" 0/accepted "a snapshot after them"
for ns in coord gw1 gw2 m1 m2 m3; do bvd_alive $ns || fail "beaverd of $ns died"; done
bctl gw1 status
