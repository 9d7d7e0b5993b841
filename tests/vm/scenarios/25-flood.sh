# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 240
#
# A control-plane flood while snapshots run. The out-group host x sends,
# as fast as bvforge can, datagrams that cost the most to refuse: a header
# naming a real key pair (the coordinator's, to gw1; gw1's, to the
# coordinator), so each one costs the receiver a MAC check before it is
# dropped. beaverd reads at most 64 datagrams per loop turn (busy_turns
# counts the turns that left some queued), so its timers (acknowledgement
# deadlines, the persistence of its replay state) and its beaverctl socket
# keep running; the kernel drops what the socket buffer cannot hold.
#
#   flood_daemon_alive   1: every beaverd still running and answering
#   flood_pps            datagrams per second bvforge sent, both floods
#   flood_status_ms      the slowest `beaverctl status` during the flood
#   flood_snapshots      snapshots asked during the flood; every one must
#                        end (accepted, or rejected/failed with a reason)
#   flood_accepted       of which accepted
#
#   x --flood--> gw1:5150, coord:5150      coord: snapshots meanwhile

need_module
need_tools beaverd beaverctl bvforge beaver-nl
command -v jq >/dev/null || skip "jq missing in the VM image"
F=$VM_STATE/flood
mkdir -p "$F"
# 12 s (20 in make check-full, which sets SOAK=1): status and snapshots
# run through several seconds of it either way
SECS=${FLOOD_SECONDS:-$([ "${SOAK:-0}" = 1 ] && echo 20 || echo 12)}

log "lab, daemons, traffic"
lab_demo
demo_daemons
demo_traffic $((SECS + 15)) 100
bctl coord snapshot --wait >/dev/null

log "the costliest junk: real key ids, a wrong key"
beaverctl genkey "$F/wrong.key" >/dev/null
kid() { beaverctl --json pubkey "$BVD_DIR/$1.key" | jq -r .key_id; }
bvforge craft --key "$F/wrong.key" --to-key "$(bvd_pub gw1)" --sender coord \
	--sender-key-id "$(kid coord)" --group $GROUP --type advance --epoch 99999 \
	--out "$F/to-gw1.bin" >/dev/null
bvforge craft --key "$F/wrong.key" --to-key "$(bvd_pub coord)" --sender gw1 \
	--sender-key-id "$(kid gw1)" --group $GROUP --type ping \
	--out "$F/to-coord.bin" >/dev/null
for ns in gw1 coord; do bctl $ns --json status >"$F/before.$ns.json"; done

log "flood for ${SECS}s; snapshots and status meanwhile"
nsenter --net=/run/netns/x -- bvforge flood --to 10.0.1.1:$BVD_PORT --seconds "$SECS" \
	"$F/to-gw1.bin" >"$F/flood.gw1" &
f1=$!
nsenter --net=/run/netns/x -- bvforge flood --to $DEMO_COORD:$BVD_PORT --seconds "$SECS" \
	"$F/to-coord.bin" >"$F/flood.coord" &
f2=$!
sleep 1
end=$((SECONDS + SECS - 3))
n=0 slow=0
: >"$F/ids"
while [ "$SECONDS" -lt "$end" ]; do
	t0=$EPOCHREALTIME
	for ns in gw1 coord; do
		bctl $ns --json status >"$F/during.$ns.json" || fail "beaverctl status of $ns during the flood"
	done
	ms=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d\n", (b - a) * 1000 }')
	[ "$ms" -le "$slow" ] || slow=$ms
	rc=0
	out=$(bctl coord --json snapshot --wait --timeout 60 2>&1) || rc=$?
	n=$((n + 1))
	case $rc in
	0 | 1 | 6) jq -r .id <<<"$out" >>"$F/ids" ;;
	*) fail "snapshot during the flood: exit $rc: $out" ;;
	esac
done
wait $f1 || fail "bvforge flood to gw1 failed"
wait $f2 || fail "bvforge flood to coord failed"
echo "gw1:   $(cat "$F/flood.gw1")"
echo "coord: $(cat "$F/flood.coord")"
figure flood_pps "$(( $(kv "$(cat "$F/flood.gw1")" pps | cut -d. -f1) + $(kv "$(cat "$F/flood.coord")" pps | cut -d. -f1) ))"
figure flood_status_ms "$slow"
figure flood_snapshots "$n"

log "every snapshot ended, the daemons lived, the flood was refused"
alive=1
for ns in coord gw1 gw2 m1 m2 m3; do bvd_alive $ns || { alive=0; fail "beaverd of $ns died"; }; done
bctl gw1 status >/dev/null && bctl coord status >/dev/null || alive=0
figure flood_daemon_alive "$alive"
check_eq "$alive" 1 "every beaverd running and answering"
check_ge "$n" 2 "snapshots asked during the flood"
acc=0
while read -r id; do
	s=$(bctl coord --json show "$id")
	st=$(jq -r .snapshot.state <<<"$s")
	case $st in
	accepted) acc=$((acc + 1)) ;;
	rejected | failed)
		check '[ -n "$(jq -r ".snapshot.reason // empty" <<<"$s")" ]' "snapshot $id $st with a reason"
		echo "snapshot $id: $st: $(jq -r .snapshot.reason <<<"$s")" ;;
	*) fail "snapshot $id did not end: $st" ;;
	esac
done <"$F/ids"
figure flood_accepted "$acc"
for ns in gw1 coord; do bctl $ns --json status >"$F/after.$ns.json"; done
d() { echo $(( $(jqf "$F/after.$1.json" "$2") - $(jqf "$F/before.$1.json" "$2") )); }
for ns in gw1 coord; do
	check_gt "$(d $ns .control.drops.mac)" 1000 "$ns: flood datagrams refused by their MAC"
	check_gt "$(d $ns .control.busy_turns)" 0 "$ns: loop turns that left datagrams queued"
	echo "$ns: mac drops $(d $ns .control.drops.mac), busy turns $(d $ns .control.busy_turns)"
done
check_le "$(bstat gw1 gw_epoch)" 1000 "gw1's epoch: the coordinator's, not the flood's 99999"

log "after the flood, a snapshot is accepted"
rc=0
bctl coord snapshot --wait >/dev/null || rc=$?
check_eq "$rc" 0 "snapshot after the flood: exit status"
demo_traffic_wait
