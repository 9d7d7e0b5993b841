# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 300
#
# Late packets end to end (issue #10): one gateway, members m1 and m2, the
# coordinator, all with beaverd. m1 streams numbered datagrams to m2 over
# a path with netem delay and jitter (80 ms +- 70 ms, on that stream only:
# the control plane keeps its pace) while the coordinator takes a series
# of snapshots; the members' settle interval (10 ms) is far shorter than
# the path's reordering, so packets in flight at m2's cut arrive after its
# record closed: they are late. m2 reports them in its records of later
# snapshots (late entries), and the coordinator amends the reports of the
# snapshots they were late for. After the stream, one more snapshot
# brings the last series snapshot's late packets. Then, from the exports:
#
#   - late > 0 in some report (else nothing was tested);
#   - each report's channel m1 -> m2 counts exactly the late packets of the
#     entries naming its epoch that m2's later records carried, each entry
#     once by its key (first, last, arrived), though some come twice;
#   - every accepted snapshot followed by an accepted one balances in the
#     stored report: sent == received + inflight + late, "balanced" true,
#     and the same from the records themselves (m1's tx, m2's rx and in
#     flight) plus the report's late;
#   - control: the same numbers without late (received + inflight) leave
#     channels unbalanced: how many is printed, and it must be > 0, or the
#     late packets changed no verdict and the checks above proved nothing.
#
# The coordinator runs with the defaults (late_hold_ms 0: released at
# once): a member counts a straggler for a snapshot it already released as
# late for it too.
#
#   m1 ==netem 80ms +-70ms==> m2      gw1, coord: br0

need_module
need_tools udpnum beaverd beaverctl
command -v jq >/dev/null || skip "jq missing in the VM image"
PPS=300
SECS=15
N=${N:-30}		# snapshots in the series
INTERVAL=0.2		# s between them

log "lab: gw1, m1, m2, coordinator; settle 10 ms"
DEMO_DELAY=
DEMO_GWS="gw1=10.0.1.1"
lab_demo m1 m2
BVD_SETTLE_MS=10
# members keep an accepted epoch 1 s after its snapshot ended: longer than
# the path's 150 ms of reordering, so that every straggler finds its
# record and is told late (released at once, it would count nowhere)
demo_daemons

# the delay on what m1 sends to m2 only (the control plane to the
# coordinator keeps its pace), after ARP resolved (ARP must not depend on
# netem): band 1:3 takes IP to m2, everything else goes to 1:2. By
# address, not port: the member's stamp is an IP option, which moves the
# UDP header away from where u32's "ip dport" looks.
nsx m1 ping -c 1 -W 2 10.0.1.12 >/dev/null
tc -n m1 qdisc add dev eth0 root handle 1: prio
tc -n m1 qdisc add dev eth0 parent 1:3 handle 30: netem delay 80ms 70ms limit 10000
tc -n m1 filter add dev eth0 parent 1: protocol ip prio 1 u32 \
	match ip dst 10.0.1.12/32 flowid 1:3

COUNT=$((PPS * SECS))
nsx m2 udpnum recv --port 7000 --count $COUNT --timeout-ms 90000 --idle-ms 5000 \
	--ready-file "$(ready_file m2)" >"$VM_STATE/recv" &
rpid=$!
wait_ready m2
nsx m1 udpnum send --dst 10.0.1.12 --port 7000 --sport 47000 --count $COUNT \
	--pps $PPS --size 100 >"$VM_STATE/send" &
spid=$!

log "$N snapshots while the stream flows"
sleep 0.5
rc=0
bctl coord --json snapshot --wait --count "$N" --interval $INTERVAL \
	>"$VM_STATE/series.json" || rc=$?
figure series_exit "$rc"
wait "$spid"
sent=$(kv "$(cat "$VM_STATE/send")" sent)
wait "$rpid" || true
tc -n m1 -s qdisc show dev eth0 | grep -A1 netem
out=$(cat "$VM_STATE/recv")
echo "m2: $out"
check_eq "$(kv "$out" received)/$(kv "$out" bad)/$(kv "$out" dup)" "$sent/0/0" \
	"datagrams received/bad/dup at m2"

log "one more snapshot, nothing in flight: it brings the last late packets"
sleep 1
rc=0
bctl coord --json snapshot --wait >"$VM_STATE/flush.json" || rc=$?
check_eq "$rc/$(jqf "$VM_STATE/flush.json" .state)" 0/accepted \
	"the last snapshot: exit 0, accepted (nothing late, every channel balanced)"

{ jq -r '.snapshots[].id' "$VM_STATE/series.json"; jqf "$VM_STATE/flush.json" .id; } \
	>"$VM_STATE/ids"
xargs -r beaverctl --socket "$(bvd_sock coord)" export <"$VM_STATE/ids" \
	>"$VM_STATE/export" || fail "beaverctl export failed"
figure snapshots "$(wc -l <"$VM_STATE/ids")"
figure accepted "$(jq -s '[.[] | select(.state == "accepted")] | length' "$VM_STATE/export")"

# one line per accepted snapshot, in id order: id epoch next_accepted
# sent received inflight late(report) balanced(report) late(entries)
# rx+inflight+late(records, report's late) -- next_accepted: the next
# snapshot (by id; one client, so also by epoch) was accepted, so m2's
# record in it reported this one's late packets
jq -s -r '
	# e in first..last, serial order (the first cut covers the window
	# before epoch 1: first 2147483650, last 1)
	def names($e): ((($e - .first) % 4294967296 + 4294967296) % 4294967296)
		<= (((.last - .first) % 4294967296 + 4294967296) % 4294967296);
	sort_by(.id) as $d
	# m2s late entries from m1, over every record, once per key
	| ([$d[] | select(.state == "accepted") | .members[]
	    | select(.node == "m2") | .record.late[]?
	    | select(.kind == "member" and .peer == "10.0.1.11")]
	   | unique_by([.first, .last, .arrived])) as $late
	| range(0; $d | length) as $i | $d[$i]
	| select(.state == "accepted")
	| .epoch as $e
	| ((.report.channels // [])
	   | map(select(.from == "m1" and .to == "m2")) | .[0] // {}) as $c
	| ([.members[] | select(.node == "m1") | .record.channels[]
	    | select(.kind == "member" and .peer == "10.0.1.12") | .tx_pkts]
	   | add // 0) as $tx
	| ([.members[] | select(.node == "m2") | .record.channels[]
	    | select(.kind == "member" and .peer == "10.0.1.11")]) as $rx
	| [.id, $e,
	   (if $i + 1 < ($d | length) and $d[$i + 1].state == "accepted"
	    then 1 else 0 end),
	   ($c.sent // 0), ($c.received // 0), ($c.inflight // 0),
	   ($c.late // 0), (if $c.balanced then 1 else 0 end),
	   ([$late[] | select(names($e)) | .pkts] | add // 0),
	   $tx, ([$rx[].rx_pkts] | add // 0), ([$rx[].inflight_pkts] | add // 0)]
	| map(tostring) | join(" ")' "$VM_STATE/export" >"$VM_STATE/table"
cat "$VM_STATE/table"

late_total=0 late_snaps=0 checked=0 bad_amend=0 bad_bal=0 bad_rec=0
unbal_without=0 skipped=0
while read -r id e next s r i l b le tx rx inf; do
	late_total=$((late_total + l))
	[ "$l" -gt 0 ] && late_snaps=$((late_snaps + 1))
	# the amendment counts exactly the entries naming e, once each
	if [ "$l" != "$le" ]; then
		bad_amend=$((bad_amend + 1))
		echo "snapshot $id epoch $e: report late $l, late entries naming it $le"
	fi
	# the control: without late, this channel would not balance
	[ -n "$s" ] && [ "$s" -ne $((r + i)) ] && unbal_without=$((unbal_without + 1))
	if [ "$next" != 1 ] && [ "$id" != "$(jqf "$VM_STATE/flush.json" .id)" ]; then
		skipped=$((skipped + 1))	# its late packets may be unreported
		continue
	fi
	checked=$((checked + 1))
	if [ "$s" -ne $((r + i + l)) ] || [ "$b" != 1 ]; then
		bad_bal=$((bad_bal + 1))
		echo "snapshot $id epoch $e: report sent $s received $r inflight $i late $l balanced $b"
	fi
	if [ "$tx" -ne $((rx + inf + l)) ]; then
		bad_rec=$((bad_rec + 1))
		echo "snapshot $id epoch $e: records tx $tx rx $rx inflight $inf + report late $l"
	fi
done <"$VM_STATE/table"
figure late_pkts "$late_total"
figure late_snapshots "$late_snaps"
figure checked "$checked"
figure skipped_next_not_accepted "$skipped"
figure unbalanced_without_late "$unbal_without"
figure stat_late_m2 "$(bstat m2 stat.late)"
check_gt "$late_total" 0 "late packets in the reports"
check_eq "$bad_amend" 0 "reports whose late differs from the late entries naming them"
check_ge "$checked" $((N / 2)) "snapshots checked (followed by an accepted one)"
check_eq "$bad_bal" 0 "stored reports not balanced with late (sent == received + inflight + late)"
check_eq "$bad_rec" 0 "records not balanced with the report's late (m1 tx == m2 rx + inflight + late)"
echo "control: without late, $unbal_without of the accepted snapshots' channels m1 -> m2 do not balance"
check_gt "$unbal_without" 0 "control: channels unbalanced without late (received + inflight only)"

# what an operator sees: show's channel table has the late column
id=$(awk '$7 > 0 { print $1; exit }' "$VM_STATE/table")
bctl coord show "${id:-latest}" >"$VM_STATE/show.txt" || true
grep -A3 "channels:" "$VM_STATE/show.txt"
check 'grep -q "INFLIGHT  LATE  OFFSET  BALANCED" "$VM_STATE/show.txt"' "beaverctl show prints each channel's late"
check_eq "$(bvd_log_count 'beaverd: (error|crit|alert|emerg):' coord gw1 m1 m2)" 0 \
	"error lines in the daemons' logs"
for ns in coord gw1 m1 m2; do bvd_alive $ns || fail "beaverd of $ns died"; done
keep "$VM_STATE"/export "$VM_STATE"/table "$VM_STATE"/series.json "$VM_STATE"/show.txt
