# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 150
#
# The demo topology under load, with the real daemons: beaverd on two IPVS
# gateways (DR), three members and a coordinator of its own; a client and
# an out-group host call the members' service through the two VIPs while
# the members call each other. `beaverctl snapshot --wait --count 50` must
# take 50 snapshots, all accepted (tau_min is generous here), and for every
# one the report must hold every member's complete record, all six direct
# member channels, and channel balance (sent = received + in flight, checked
# both from the report's flag and from its numbers), with epochs strictly
# increasing and channel totals never going backwards.
#
# An application's own state, exact in every snapshot (issue #14): the
# members mark every delivered packet with its epoch (app_mark 0xff0000),
# and bvapp, an application of libbeaver-app on m1, counts the UDP
# datagrams it receives on port 7100 from the client (through VIP1, IPVS
# DR) and from m2 (member to member). On every cut announcement it answers
# with the datagrams it read with an epoch below the snapshot's (its state
# as of the cut) and, as the control, every datagram it had read by then
# (what an application without epochs reports). In every snapshot the
# state attached to m1's record must equal what the record's flows on port
# 7100 received before the cut; the control must differ in some, or the
# run could not tell an exact state from a guess.
#
#   client --VIP1--> gw1 --+--> m1 <-> m2 <-> m3 <-> m1      coord: beaverd
#   x      --VIP2--> gw2 --+    (5 ms netem on members)      (coordinator)
#   client --VIP1:7100--> m1 (bvapp) <--7100-- m2

need_module
need_tools beaver-nl udpnum beaverd beaverctl bvapp
command -v jq >/dev/null || skip "jq missing in the VM image"
N=50
APP_PORT=7100

log "lab: two DR gateways, three members, client, x, coordinator"
lab_demo
log "beaverd on every host, members marking packets with epochs"
nsx gw1 ipvsadm -A -u $DEMO_VIP1:$APP_PORT -s rr -o
nsx gw1 ipvsadm -a -u $DEMO_VIP1:$APP_PORT -r 10.0.1.11:$APP_PORT -g -w 1
BVD_MEMBER_OPTS="module.app_mark=0xff0000"
demo_daemons
check_eq "$(bstat m1 app_mark)" $((0xff0000)) "m1's app_mark (pushed by beaverd)"
nsenter --net=/run/netns/m1 -- bvapp --port $APP_PORT --timeout-ms 120000 \
	--socket "$BVD_DIR/m1/run/apps.sock" --ready-file "$(ready_file bvapp)" \
	>"$VM_STATE/bvapp.out" 2>&1 &
app=$!
wait_ready bvapp
head -n1 "$VM_STATE/bvapp.out"
check_eq "$(sed -n '1s/.*mask \([^ ]*\).*/\1/p' "$VM_STATE/bvapp.out")" 0xff0000 \
	"the mask in beaverd's hello to bvapp"
log "traffic"
demo_traffic 60 100
nsx client udpnum send --dst $DEMO_VIP1 --port $APP_PORT --count 9000 --pps 150 \
	--size 100 --timeout-ms 65000 >"$VM_STATE/app.client" &
echo $! >>"$VM_STATE/traffic.pids"
nsx m2 udpnum send --dst 10.0.1.11 --port $APP_PORT --count 6000 --pps 100 \
	--size 100 --timeout-ms 65000 >"$VM_STATE/app.m2" &
echo $! >>"$VM_STATE/traffic.pids"
sleep 1

log "$N snapshots while traffic flows"
t=$EPOCHREALTIME
rc=0
bctl coord --json snapshot --wait --count $N --interval 0.05 >"$VM_STATE/series.json" || rc=$?
secs=$(elapsed "$t")
figure series_secs "$secs"
check_eq "$rc" 0 "beaverctl snapshot --wait --count $N exit status"
check_eq "$(jqf "$VM_STATE/series.json" '.snapshots | length')" $N "snapshots in the series"
check_eq "$(jqf "$VM_STATE/series.json" '[.snapshots[] | select(.state == "accepted")] | length')" $N \
	"accepted snapshots in the series"
demo_traffic_wait stop

log "every report"
mkdir -p "$VM_STATE/show"
for id in $(jq -r '.snapshots[].id' "$VM_STATE/series.json"); do
	bctl coord --json show "$id" >"$VM_STATE/show/$id.json" ||
		fail "beaverctl show $id: exit $?"
done
# one line per snapshot: id epoch state bound tau bound_ok balanced missing
# incomplete unbalanced members_present_complete member_names channels
# recomputed_unbalanced sent inflight late bypass cuts_not_at_epoch
jq -r -s 'sort_by(.snapshot.id)[] | [
	.snapshot.id, .snapshot.epoch, .snapshot.state,
	.snapshot.bound_ns, .snapshot.tau_min_ns,
	.report.bound_ok, .report.balanced, .report.missing_members,
	.report.incomplete_members, .report.unbalanced_channels,
	([.report.members[] | select(.present and .complete)] | length),
	([.report.members[].node] | sort | join(",")),
	(.report.channels | length),
	([.report.channels[] | select(.sent != .received + .inflight)] | length),
	([.report.channels[].sent] | add),
	([.report.channels[].inflight] | add),
	.report.late, .report.bypass,
	(.report.epoch as $e | [.report.members[] | select(.last != $e)] | length)
	] | @tsv' "$VM_STATE"/show/*.json >"$VM_STATE/reports.tsv"
cat "$VM_STATE/reports.tsv"
check_eq "$(wc -l <"$VM_STATE/reports.tsv")" $N "reports read"
awk -F'\t' -v n=$N '
	function bad(m) { print "bad " $1 ": " m; nb++ }
	{
		if ($3 != "accepted") bad("state " $3)
		if ($4 >= $5) bad("bound " $4 " >= tau_min " $5)
		if ($6 != "true") bad("bound_ok " $6)
		if ($7 != "true") bad("balanced " $7)
		if ($8 != 0 || $9 != 0) bad("missing " $8 " incomplete " $9)
		if ($10 != 0 || $14 != 0) bad("unbalanced " $10 " (recomputed " $14 ")")
		if ($11 != 3 || $12 != "m1,m2,m3") bad("complete records " $11 " of " $12)
		if ($13 != 6) bad("channels " $13 ", want 6")
		if ($19 != 0) bad($19 " member cuts not at the snapshot epoch")
		if (NR > 1 && $2 <= pe) bad("epoch " $2 " after " pe)
		if (NR > 1 && $15 < ps) bad("sent " $15 " after " ps)
		pe = $2; ps = $15; first = first ? first : $15
		inflight += $16; late += $17; bypass += $18
		if ($16) wi++
	}
	END {
		printf "nbad %d inflight %d with_inflight %d late %d bypass %d first_sent %d last_sent %d\n",
			nb, inflight, wi, late, bypass, first, ps
	}' "$VM_STATE/reports.tsv" >"$VM_STATE/verdict"
cat "$VM_STATE/verdict"
v=$(tail -n1 "$VM_STATE/verdict")
check_eq "$(kv "$v" nbad)" 0 "snapshots failing a check (see 'bad' lines)"
check_gt "$(kv "$v" last_sent)" "$(kv "$v" first_sent)" \
	"member-to-member packets sent before the last cut vs the first"
check_eq "$(kv "$v" bypass)" 0 "bypass packets in all reports"
figure inflight "$(kv "$v" inflight)"
figure snapshots_with_inflight "$(kv "$v" with_inflight)"
figure late "$(kv "$v" late)"

log "bvapp's state against m1's records"
# shellcheck disable=SC2046 # the ids, one word each
bctl coord export $(jq -r '.snapshots[].id' "$VM_STATE/series.json") >"$VM_STATE/exports.json" ||
	fail "beaverctl export of the series: exit $?"
# id record_rx_before_cut app_state
jq -r --argjson p $APP_PORT '[.id,
	([.members[] | select(.node == "m1") | .record.flows[]? |
	  select(.proto == 17 and .lport == $p) | .rx_pkts] | add // 0),
	([.members[] | select(.node == "m1") | .record.apps[]? |
	  select(.app == "bvapp") | .state] | first // "none")] | @tsv' \
	"$VM_STATE/exports.json" >"$VM_STATE/app.tsv"
head -n 3 "$VM_STATE/app.tsv"
awk -F'\t' '
	{
		n++
		if ($3 == "none") { none++; next }
		split($3, kv, " "); rx = kv[1]; naive = kv[2]
		sub("rx=", "", rx); sub("naive=", "", naive)
		if (rx != $2) { bad++; print "bad " $1 ": bvapp rx " rx ", record " $2 }
		if (naive != $2) naive_wrong++
		if ($2 > 0) busy++
	}
	END { printf "snapshots %d none %d exact_wrong %d naive_wrong %d busy %d\n",
		n, none, bad, naive_wrong, busy }' "$VM_STATE/app.tsv" >"$VM_STATE/app.verdict"
cat "$VM_STATE/app.verdict"
v=$(tail -n1 "$VM_STATE/app.verdict")
check_eq "$(kv "$v" snapshots)" $N "exports read for bvapp"
check_eq "$(kv "$v" none)" 0 "snapshots without bvapp's state"
check_ge "$(kv "$v" busy)" $((N - 2)) "snapshots with datagrams to bvapp before the cut"
check_eq "$(kv "$v" exact_wrong)" 0 "snapshots where bvapp's state (epochs) differs from the record"
figure app_exact "$(( N - $(kv "$v" exact_wrong) ))/$N"
figure app_naive_wrong "$(kv "$v" naive_wrong)/$N"
check_gt "$(kv "$v" naive_wrong)" 0 \
	"control: snapshots where the state read at the announcement differs from the record"
kill -TERM $app 2>/dev/null || true
wait $app || true
out=$(tail -n1 "$VM_STATE/bvapp.out")
echo "bvapp: $out"
check_eq "$(kv "$out" unmarked)" 0 "datagrams bvapp read without an epoch"
check_ge "$(kv "$out" answered)" $N "cuts bvapp answered"

log "export and status"
id=$(jq -r '.snapshots[-1].id' "$VM_STATE/series.json")
bctl coord export "$id" >"$VM_STATE/export.json"
e=$(jqf "$VM_STATE/export.json" .epoch)
check_eq "$(jqf "$VM_STATE/export.json" .schema)" beaver-snapshot/1 "export schema"
check_eq "$(jqf "$VM_STATE/export.json" '[.members[] | select(.record.cut.last == '"${e:-0}"' and .record.cut.state == "complete")] | length')" 3 \
	"exported records with a complete cut of epoch $e"
check_gt "$(jqf "$VM_STATE/export.json" '[.members[].record.flows | length] | add')" 0 "flows in the export"
bctl coord --json status >"$VM_STATE/status.coord.json"
check_ge "$(jqf "$VM_STATE/status.coord.json" .coordinator.accepted_attempts)" $N "accepted attempts (status)"
check_eq "$(jqf "$VM_STATE/status.coord.json" .coordinator.outstanding)" 0 "outstanding snapshots"
figure bound_median_us $(( $(jqf "$VM_STATE/status.coord.json" .coordinator.bound_median_ns) / 1000 ))
figure ms_per_snapshot "$(awk -v s="$secs" -v n=$N 'BEGIN { printf "%d", s * 1000 / n }')"
for ns in coord gw1 gw2 m1 m2 m3; do
	bctl "$ns" --json status >"$VM_STATE/status.$ns.json"
	check_eq "$(jqf "$VM_STATE/status.$ns.json" '[.control.drops[]] | add')" 0 "$ns: control datagrams dropped"
done
for ns in m1 m2 m3; do
	check_ge "$(jqf "$VM_STATE/status.$ns.json" .epoch.complete)" "$e" "$ns: complete epoch (status)"
done
check_eq "$(bvd_log_count 'beaverd: (error|crit|alert|emerg):' coord gw1 gw2 m1 m2 m3)" 0 "error lines in the daemons' logs"

log "retention: beaverctl prune --keep 10"
before=$(bctl coord --json list --limit 1000 | jq '.snapshots | length')
r=$(bctl coord --json prune --keep 10)
check_eq "$(jq -r .deleted <<<"$r")" "$((before - 10))" "snapshots pruned"
check_eq "$(bctl coord --json list --limit 1000 | jq '.snapshots | length')" 10 "snapshots left"
check_eq "$(bctl coord --json list --limit 1 | jq -r '.snapshots[0].id')" "$id" "the newest one stays"
rc=0
bctl coord show "$(jq -r '.snapshots[0].id' "$VM_STATE/series.json")" >/dev/null 2>&1 || rc=$?
check_eq "$rc" 4 "show of a pruned snapshot: exit status (not found)"
for ns in coord gw1 gw2 m1 m2 m3; do bvd_alive $ns || fail "beaverd of $ns died"; done
bvd_logs coord gw1 gw2 m1 m2 m3
