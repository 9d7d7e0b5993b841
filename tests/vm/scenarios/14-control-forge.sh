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
# (bvforge craft): with a key nobody knows, with such a key claiming to be
# the coordinator's, and with a real member's key (m2's: a compromised
# member), which may not command anyone:
#   member_key_commands_accepted  ADVANCE, COLLECT, RELEASE made with m2's
#                                 key, to gw1, m1 and the coordinator
#   restart_replay_accepted       the captured advances replayed after gw1
#                                 restarted and after m1 was killed (-9)
#   cross_replay_accepted         gw1's captured advance sent to gw2
#
#   x (bvforge send) --udp 5150--> gw1, m1, coord     coord: snapshots 1..3

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
check_eq "$(kv "$(cat "$F/gw.info")" epoch)/$(kv "$(cat "$F/gw.info")" len)" 2/68 "captured advance to gw1: epoch/length"
check_eq "$(kv "$(cat "$F/m.info")" epoch)" 2 "captured advance to m1: epoch"

# the state that must not change: module epochs, what the daemons received
# and sent; and the drop counters before
snapshot_state() {
	local ns
	for ns in gw1 m1 coord; do
		bctl "$ns" --json status >"$F/$1.$ns.json"
	done
	echo "gw1 $(bstat gw1 gw_epoch) m1 $(bstat m1 member_epoch) $(bstat m1 complete_epoch)" >"$F/$1.epochs"
}
snapshot_state before
# gw1's module answers ADVANCE itself (the fast path, netfilter/fastpath.c):
# a replayed one is dropped there (stat.fp_replay), anything else that
# does not verify reaches beaverd as before
fpr0=$(bstat gw1 stat.fp_replay)

log "hostile datagrams from x"
beaverctl genkey "$F/wrong.key" >/dev/null
coord_id=$(beaverctl --json pubkey "$BVD_DIR/coord.key" | jq -r .key_id)
# craft OUT ARGS...: a request made with bvforge (beaverd's codec)
craft() {
	local out=$1
	shift
	bvforge craft --group $GROUP --out "$F/$out.bin" "$@" >/dev/null ||
		fail "bvforge craft $out failed"
}
craft forged-gw --key "$F/wrong.key" --to-key "$(bvd_pub gw1)" --sender coord \
	--sender-key-id "$coord_id" --type advance --epoch 1000 --role gateway
craft unknown-gw --key "$F/wrong.key" --to-key "$(bvd_pub gw1)" --sender coord \
	--type advance --epoch 1000 --role gateway
craft forged-collect --key "$F/wrong.key" --to-key "$(bvd_pub m1)" --sender coord \
	--sender-key-id "$coord_id" --type collect --epoch 2
craft forged-m --key "$F/wrong.key" --to-key "$(bvd_pub m1)" --sender coord \
	--sender-key-id "$coord_id" --type advance --epoch 1000 --role member
# a compromised member: m2's real key, as itself and as the coordinator
craft m2-advance-gw --key "$BVD_DIR/m2.key" --to-key "$(bvd_pub gw1)" --sender m2 \
	--type advance --epoch 1000 --role gateway
craft m2-as-coord-gw --key "$BVD_DIR/m2.key" --to-key "$(bvd_pub gw1)" --sender coord \
	--type advance --epoch 1000 --role gateway
craft m2-collect-m1 --key "$BVD_DIR/m2.key" --to-key "$(bvd_pub m1)" --sender m2 \
	--type collect --epoch 2
craft m2-release-m1 --key "$BVD_DIR/m2.key" --to-key "$(bvd_pub m1)" --sender m2 \
	--type release --epoch 2
for t in advance collect release; do
	craft m2-$t-coord --key "$BVD_DIR/m2.key" --to-key "$(bvd_pub coord)" --sender m2 \
		--type $t --epoch 2
done
GW=10.0.1.1:$BVD_PORT
M=10.0.1.11:$BVD_PORT
C=$DEMO_COORD:$BVD_PORT
# send WHAT ARGS...: bvforge send from x
send() {
	local what=$1 out
	shift
	out=$(nsx x bvforge send "$@") || { fail "bvforge send ($what) failed"; return 0; }
	echo "$what: $out"
}
send "forged advance (claims coord's key) to gw1" --to $GW "$F/forged-gw.bin"
send "forged advance (unknown key) to gw1"     --to $GW "$F/unknown-gw.bin"
send "replayed advance x3 to gw1"              --to $GW --copies 3 "$F/gw.bin"
send "advance to gw1, epoch byte altered"      --to $GW --flip 28 "$F/gw.bin"
send "advance to gw1, seq altered (fresh)"     --to $GW --set 27=255 "$F/gw.bin"
send "advance to gw1 truncated to 40 bytes"    --to $GW --truncate 40 "$F/gw.bin"
send "advance to gw1 truncated to 64 bytes"    --to $GW --truncate 64 "$F/gw.bin"
send "advance to gw1, group 8"                 --to $GW --set 4=8 "$F/gw.bin"
send "advance to gw1, version 1"               --to $GW --set 2=1 "$F/gw.bin"
send "advance to gw1, bad magic"               --to $GW --set 0=0 "$F/gw.bin"
send "m2's key: advance to gw1"                --to $GW "$F/m2-advance-gw.bin"
send "m2's key as the coordinator: advance to gw1" --to $GW "$F/m2-as-coord-gw.bin"
send "forged advance (claims coord's key) to m1" --to $M "$F/forged-m.bin"
send "forged collect (claims coord's key) to m1" --to $M "$F/forged-collect.bin"
send "replayed advance x2 to m1"               --to $M --copies 2 "$F/m.bin"
send "advance to m1 truncated to 20 bytes"     --to $M --truncate 20 "$F/m.bin"
send "m2's key: collect from m1"               --to $M "$F/m2-collect-m1.bin"
send "m2's key: release on m1"                 --to $M "$F/m2-release-m1.bin"
for t in advance collect release; do
	send "m2's key: $t to the coordinator" --to $C "$F/m2-$t-coord.bin"
done
sleep 0.5
snapshot_state after
fpr1=$(bstat gw1 stat.fp_replay)

log "counted, ignored, nothing changed"
# d NS KEY: how much a drop counter grew
d() {
	echo $(( $(jqf "$F/after.$1.json" ".control.drops.$2") - $(jqf "$F/before.$1.json" ".control.drops.$2") ))
}
check_eq "$(d gw1 mac)" 3 "gw1: drops.mac (forged, epoch altered, seq altered)"
check_eq "$(d gw1 unknown)" 3 "gw1: drops.unknown (unknown key, m2's key twice)"
check_eq "$(( $(d gw1 replay) + fpr1 - fpr0 ))" 3 "gw1: replays dropped (beaverd's drops.replay + the module's fp_replay)"
check_eq "$(d gw1 truncated)" 2 "gw1: drops.truncated"
check_eq "$(d gw1 group)" 1 "gw1: drops.group"
check_eq "$(d gw1 version)" 1 "gw1: drops.version"
check_eq "$(d gw1 malformed)" 1 "gw1: drops.malformed"
check_eq "$(d m1 mac)" 2 "m1: drops.mac (forged advance, forged collect)"
check_eq "$(d m1 unknown)" 2 "m1: drops.unknown (m2's collect and release)"
check_eq "$(d coord denied)" 3 "coord: drops.denied (m2's advance, collect, release)"
check_eq "$(d m1 replay)" 2 "m1: drops.replay"
check_eq "$(d m1 truncated)" 1 "m1: drops.truncated"
n=0
for ns in gw1 m1 coord; do
	n=$(( n + $(jqf "$F/after.$ns.json" .control.received) - $(jqf "$F/before.$ns.json" .control.received) ))
done
figure member_key_commands_accepted "$n"
for ns in gw1 m1 coord; do
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

# A datagram's MAC is made with the pair key of its two nodes: gw1's
# captured advance fails at gw2. The replay state is kept in the state
# directory: after a clean restart (gw1), and after a kill -9 (m1, once
# its daemon has saved it: every second), the captured advances are still
# replays.
log "cross-recipient replay; replays after a restart and after a crash"
r0=$(bctl gw2 --json status | jq -r .control.received)
send "advance to gw1 replayed to gw2" --to 10.0.1.2:$BVD_PORT "$F/gw.bin"
sleep 0.3
n=$(( $(bctl gw2 --json status | jq -r .control.received) - r0 ))
figure cross_replay_accepted "$n"
check_eq "$n" 0 "gw2 accepted gw1's captured advance"
fpr2=$(bstat gw1 stat.fp_replay)
bvd_stop gw1
bvd_start gw1
bvd_wait gw1
send "advance to gw1 replayed after gw1's restart" --to $GW "$F/gw.bin"
sleep 1.2
bvd_kill m1
bvd_start m1
bvd_wait m1
send "advance to m1 replayed after m1 was killed" --to $M "$F/m.bin"
sleep 0.3
n=$(( $(bctl gw1 --json status | jq -r .control.received) +
      $(bctl m1 --json status | jq -r .control.received) ))
figure restart_replay_accepted "$n"
check_eq "$n" 0 "captured advances accepted after a restart"
check_eq "$(( $(bctl gw1 --json status | jq -r .control.drops.replay) + $(bstat gw1 stat.fp_replay) - fpr2 ))/$(bctl m1 --json status | jq -r .control.drops.replay)" 1/1 \
	"the replays counted as such after the restarts (gw1: beaverd's or the module's/m1)"
check_eq "$(bstat gw1 gw_epoch)/$(bstat gw2 gw_epoch)" 2/2 "gateway epochs after the replays"

log "the group still works"
rc=0
bctl coord --json snapshot --wait >"$F/snap3.json" || rc=$?
check_eq "$rc/$(jqf "$F/snap3.json" .state)/$(jqf "$F/snap3.json" .epoch)" 0/accepted/3 \
	"snapshot 3 after the attack: exit/state/epoch"
bctl gw1 status
bvd_logs gw1 m1
