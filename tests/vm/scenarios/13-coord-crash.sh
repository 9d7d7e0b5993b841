# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 150
#
# kill -9 the coordinator in the middle of collection, then restart it:
# the accepted snapshots are still listed, complete, with every member's
# record; the interrupted one is marked failed with a reason, keeping the
# epoch OGM accepted before the crash; epochs are
# never reused (every attempt of every snapshot, before and after the
# crash, has its own epoch, and the next snapshot's is newer than all).
#
# Collection is made to hang by m3's settle interval (6 s): m3 acknowledges
# the advance and cuts, but its record is not complete, so the coordinator
# keeps asking for it; that is when it gets SIGKILL.
#
#   client/x -> gw1, gw2 -> m1 m2 m3 (settle 6 s)    coord: kill -9, restart

need_module
need_tools beaver-nl udpnum beaverd beaverctl
command -v jq >/dev/null || skip "jq missing in the VM image"

log "lab, daemons, traffic"
lab_demo
demo_daemons coordinator.complete_timeout_ms=30000 coordinator.collect_timeout_ms=30000
demo_traffic 40 60
sleep 1

log "three accepted snapshots"
rc=0
bctl coord --json snapshot --wait --count 3 --interval 0.1 >"$VM_STATE/before.json" || rc=$?
check_eq "$rc" 0 "three snapshots: exit status"
ids=$(jq -r '.snapshots[].id' "$VM_STATE/before.json" | tr '\n' ' ')
for id in $ids; do bctl coord --json show "$id" >"$VM_STATE/before.$id.json"; done

log "m3 settles for 6 s; a snapshot that will hang in collection"
bvd_stop m3
bvd_conf m3 member 10.0.1.13 module.settle_ms=6000
bvd_start m3
bvd_wait m3
rc_wait=0
bctl coord --json snapshot --wait >"$VM_STATE/interrupted.json" 2>"$VM_STATE/interrupted.err" &
waiter=$!
# collecting: accepted by OGM and every member advanced; m3 cut, not complete
end=$((SECONDS + 15))
while :; do
	st=$(bctl coord --json list --limit 1 | jq -r '.snapshots[0] | "\(.id) \(.state)"')
	id=${st% *}
	if [ "${st#* }" = collecting ]; then
		e=$(bctl coord --json show "$id" | jq -r '.attempts[-1].epoch')
		[ "$(bstat m3 member_epoch)" = "$e" ] && break
	fi
	[ "$SECONDS" -lt "$end" ] || die "snapshot never reached collection (last: $st)"
	sleep 0.2
done
sleep 0.5
check_eq "$(bstat m3 member_epoch)" "$e" "m3 cut for epoch $e before the crash"
check_le "$(bstat m3 complete_epoch)" $((e - 1)) "m3's record of epoch $e not complete at the crash"
figure interrupted_epoch "$e"
log "kill -9 the coordinator (snapshot $id, epoch $e, collecting)"
bvd_kill coord
wait $waiter || rc_wait=$?
echo "the waiting beaverctl: exit $rc_wait: $(cat "$VM_STATE/interrupted.err")"
check '[ "$rc_wait" != 0 ]' "the waiting beaverctl did not report success (exit $rc_wait)"
figure waiter_exit "$rc_wait"

log "restart the coordinator"
bvd_start coord
bvd_wait coord
check_eq "$(bvd_log_count 'in progress at the last stop marked failed' coord)" 1 \
	"the restarted coordinator says it marked the interrupted snapshot failed"
bctl coord list
bctl coord --json show "$id" >"$VM_STATE/int.show.json"
check_eq "$(jqf "$VM_STATE/int.show.json" .snapshot.state)" failed "interrupted snapshot $id: state"
reason=$(jqf "$VM_STATE/int.show.json" .snapshot.reason)
figure interrupted_reason "$reason"
check '[ -n "$reason" ]' "interrupted snapshot $id: a reason ('$reason')"
check_eq "$(jq -r .report "$VM_STATE/int.show.json")" null "interrupted snapshot $id: no report"
check_eq "$(jqf "$VM_STATE/int.show.json" .snapshot.epoch)" "$e" \
	"interrupted snapshot $id: failed, it keeps the epoch OGM accepted"
for i in $ids; do
	bctl coord --json show "$i" >"$VM_STATE/after.$i.json"
	f=$VM_STATE/after.$i.json
	check_eq "$(jqf "$f" .snapshot.state)" accepted "snapshot $i after the crash: state"
	check_eq "$(jqf "$f" '[.report.members[] | select(.present and .complete)] | length')" 3 \
		"snapshot $i after the crash: complete member records"
	check_eq "$(jq -c .report "$f")" "$(jq -c .report "$VM_STATE/before.$i.json")" \
		"snapshot $i after the crash: report unchanged"
	bctl coord export "$i" >"$VM_STATE/export.$i.json" || fail "export $i after the crash failed"
	check_eq "$(jqf "$VM_STATE/export.$i.json" '[.members[] | select(.record.cut.state == "complete")] | length')" 3 \
		"snapshot $i after the crash: exported records"
done

log "m3 back to a short settle; a new snapshot"
bvd_stop m3
bvd_conf m3 member 10.0.1.13
bvd_start m3
bvd_wait m3
rc=0
bctl coord --json snapshot --wait --timeout 30 >"$VM_STATE/new.json" || rc=$?
check_eq "$rc/$(jqf "$VM_STATE/new.json" .state)" 0/accepted "the snapshot after the restart"
new=$(jqf "$VM_STATE/new.json" .epoch)
figure new_epoch "$new"
check_gt "$new" "$e" "the new snapshot's epoch vs the interrupted one's"
demo_traffic_wait stop

log "epochs of every attempt of every snapshot"
for i in $(bctl coord --json list | jq -r '.snapshots[].id'); do
	bctl coord --json show "$i" | jq -r '.attempts[].epoch'
done | sort -n >"$VM_STATE/epochs"
tr '\n' ' ' <"$VM_STATE/epochs"; echo
check_eq "$(sort -n -u "$VM_STATE/epochs" | wc -l)" "$(wc -l <"$VM_STATE/epochs")" "distinct epochs"
check_eq "$(tail -n1 "$VM_STATE/epochs")" "$new" "the newest epoch is the new snapshot's"
bvd_logs coord m3
