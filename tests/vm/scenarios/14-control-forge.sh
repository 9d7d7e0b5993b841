# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 120
#
# Forged, replayed, altered and truncated control-plane datagrams, sent
# from the out-group host x, are dropped and counted by reason
# (`beaverctl status` control.drops), and ignored: the gateway's and the
# member's module epochs do not move, the daemons neither count them as
# received nor answer them, nobody crashes, and the next snapshot is
# accepted. The replayed datagrams are real: the coordinator's advance of
# snapshot 2 to gw1 and to m1, captured off their bridge ports (bvforge
# capture, AF_PACKET). The forgeries are built with beaverd's own codec
# and another key (bvforge craft).
#
#   x (bvforge send) --udp 5150--> gw1, m1        coord: snapshots 1..3

need_module
need_tools beaver-nl beaverd beaverctl bvforge
command -v jq >/dev/null || skip "jq missing in the VM image"
F=$VM_STATE/forge
mkdir -p "$F"

log "lab and daemons"
DEMO_DELAY=
lab_demo
demo_daemons
bctl coord snapshot --wait >/dev/null

log "capture the coordinator's advance of snapshot 2 to gw1 and to m1"
bvforge capture --ifname v-gw1 --port $BVD_PORT --type advance --out "$F/gw.bin" \
	--ready-file "$(ready_file capgw)" >"$F/gw.info" &
cgw=$!
bvforge capture --ifname v-m1 --port $BVD_PORT --type advance --out "$F/m.bin" \
	--ready-file "$(ready_file capm)" >"$F/m.info" &
cm=$!
wait_ready capgw
wait_ready capm
bctl coord snapshot --wait >/dev/null
wait $cgw || die "no advance captured towards gw1"
wait $cm || die "no advance captured towards m1"
echo "gw1's: $(cat "$F/gw.info")"
echo "m1's:  $(cat "$F/m.info")"
check_eq "$(kv "$(cat "$F/gw.info")" epoch)/$(kv "$(cat "$F/gw.info")" len)" 2/60 "captured advance to gw1: epoch/length"
check_eq "$(kv "$(cat "$F/m.info")" epoch)" 2 "captured advance to m1: epoch"

# the state that must not change: module epochs, what the daemons received
# and sent; and the drop counters before
snapshot_state() {
	local ns
	for ns in gw1 m1; do
		bctl "$ns" --json status >"$F/$1.$ns.json"
	done
	echo "gw1 $(bstat gw1 gw_epoch) m1 $(bstat m1 member_epoch) $(bstat m1 complete_epoch)" >"$F/$1.epochs"
}
snapshot_state before

log "hostile datagrams from x"
beaverctl genkey "$F/wrong.key" >/dev/null
bvforge craft --key "$F/wrong.key" --group $GROUP --sender coord --type advance \
	--epoch 1000 --role gateway --out "$F/forged-gw.bin"
bvforge craft --key "$F/wrong.key" --group $GROUP --sender coord --type collect \
	--epoch 2 --out "$F/forged-collect.bin"
bvforge craft --key "$F/wrong.key" --group $GROUP --sender coord --type advance \
	--epoch 1000 --role member --out "$F/forged-m.bin"
GW=10.0.1.1:$BVD_PORT
M=10.0.1.11:$BVD_PORT
# send WHAT ARGS...: bvforge send from x
send() {
	local what=$1 out
	shift
	out=$(nsx x bvforge send "$@") || { fail "bvforge send ($what) failed"; return 0; }
	echo "$what: $out"
}
send "forged advance (wrong key) to gw1"       --to $GW "$F/forged-gw.bin"
send "replayed advance x3 to gw1"              --to $GW --copies 3 "$F/gw.bin"
send "advance to gw1, epoch byte altered"      --to $GW --flip 20 "$F/gw.bin"
send "advance to gw1, seq altered (fresh)"     --to $GW --set 19=255 "$F/gw.bin"
send "advance to gw1 truncated to 40 bytes"    --to $GW --truncate 40 "$F/gw.bin"
send "advance to gw1 truncated to 56 bytes"    --to $GW --truncate 56 "$F/gw.bin"
send "advance to gw1, group 8"                 --to $GW --set 4=8 "$F/gw.bin"
send "advance to gw1, version 2"               --to $GW --set 2=2 "$F/gw.bin"
send "advance to gw1, bad magic"               --to $GW --set 0=0 "$F/gw.bin"
send "forged advance (wrong key) to m1"        --to $M "$F/forged-m.bin"
send "forged collect (wrong key) to m1"        --to $M "$F/forged-collect.bin"
send "replayed advance x2 to m1"               --to $M --copies 2 "$F/m.bin"
send "advance to m1 truncated to 20 bytes"     --to $M --truncate 20 "$F/m.bin"
sleep 0.5
snapshot_state after

log "counted, ignored, nothing changed"
# d NS KEY: how much a drop counter grew
d() {
	echo $(( $(jqf "$F/after.$1.json" ".control.drops.$2") - $(jqf "$F/before.$1.json" ".control.drops.$2") ))
}
check_eq "$(d gw1 mac)" 3 "gw1: drops.mac (forged, epoch altered, seq altered)"
check_eq "$(d gw1 replay)" 3 "gw1: drops.replay"
check_eq "$(d gw1 truncated)" 2 "gw1: drops.truncated"
check_eq "$(d gw1 group)" 1 "gw1: drops.group"
check_eq "$(d gw1 version)" 1 "gw1: drops.version"
check_eq "$(d gw1 malformed)" 1 "gw1: drops.malformed"
check_eq "$(d m1 mac)" 2 "m1: drops.mac (forged advance, forged collect)"
check_eq "$(d m1 replay)" 2 "m1: drops.replay"
check_eq "$(d m1 truncated)" 1 "m1: drops.truncated"
for ns in gw1 m1; do
	for k in received sent; do
		check_eq "$(jqf "$F/after.$ns.json" .control.$k)" "$(jqf "$F/before.$ns.json" .control.$k)" \
			"$ns: control.$k unchanged (nothing acted on, nothing answered)"
	done
done
check_eq "$(cat "$F/after.epochs")" "$(cat "$F/before.epochs")" "module epochs of gw1 and m1 (gw, member, complete)"
check_eq "$(bstat gw1 gw_epoch)" 2 "gw1's epoch"
for ns in coord gw1 gw2 m1 m2 m3; do bvd_alive $ns || fail "beaverd of $ns died"; done
figure gw1_drops "$(jqf "$F/after.gw1.json" '[.control.drops[]] | add')"
figure m1_drops "$(jqf "$F/after.m1.json" '[.control.drops[]] | add')"

# A datagram's MAC covers its recipient's node id: gw1's captured advance
# fails the MAC at gw2. Known limit, measured but not failed on
# (docs/vm-bench.md): the replay window lives in memory, so gw1 accepts its
# own captured advance once more after its daemon restarts; the advance
# carries an epoch the gateway already has: nothing moves.
log "cross-recipient replay; replay after a restart (known limit)"
r0=$(bctl gw2 --json status | jq -r .control.received)
send "advance to gw1 replayed to gw2" --to 10.0.1.2:$BVD_PORT "$F/gw.bin"
sleep 0.3
check_eq "$(( $(bctl gw2 --json status | jq -r .control.received) - r0 ))" 0 \
	"gw2 accepted gw1's captured advance"
figure cross_replay_accepted 0
bvd_stop gw1
bvd_start gw1
bvd_wait gw1
send "advance to gw1 replayed after gw1's restart" --to $GW "$F/gw.bin"
sleep 0.3
figure restart_replay_accepted "$(bctl gw1 --json status | jq -r .control.received)"
check_eq "$(bstat gw1 gw_epoch)/$(bstat gw2 gw_epoch)" 2/2 "gateway epochs after the replays"

log "the group still works"
rc=0
bctl coord --json snapshot --wait >"$F/snap3.json" || rc=$?
check_eq "$rc/$(jqf "$F/snap3.json" .state)/$(jqf "$F/snap3.json" .epoch)" 0/accepted/3 \
	"snapshot 3 after the attack: exit/state/epoch"
bctl gw1 status
bvd_logs gw1 m1
