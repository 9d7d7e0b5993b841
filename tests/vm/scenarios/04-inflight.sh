# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 150
#
# (c) In-flight recording. m1 streams numbered datagrams to m2 over a link
# with netem delay and jitter (so datagrams arrive reordered, up to 150 ms
# late), while both advance epoch after epoch: the sender first, the receiver
# right after. For every epoch E, exactly:
#
#   m1's tx to m2 at its cut E = m2's rx from m1 at its cut E
#                               + m2's in-flight (channel, epoch E)
#                               + m2's late entries (channel) naming E
#
# with in-flight > 0 in some epochs, and late > 0 somewhere: the settle
# interval (10 ms) is much shorter than the delay, so stragglers arrive after
# their epoch's record completed and must be counted as late, not lost.
# Late entries come in the records after their arrival (each one reported
# by every later record: counted once, by its key). And complete records
# never change: m2's record E, dumped as soon as it completed, is identical
# to its dump at the end, although late packets for E arrived in between
# (late_after_complete: the epochs where that happened must be > 0, or the
# check proved nothing).
#
#   m1 ==netem delay 80ms +-70ms==> m2   (br0)

need_module
need_tools beaver-nl udpnum
PPS=400
COUNT=2400	# 6 s
FIRST=2
LAST=13

log "lab"
lab_lan
beaver_lab 10
bnl m1 member-advance 1 >/dev/null
bnl m2 member-advance 1 >/dev/null
# traffic first, then the delay (ARP must not depend on netem)
nsx m1 ping -c 1 -W 2 10.0.1.12 >/dev/null
tc -n m1 qdisc add dev eth0 root netem delay 80ms 70ms limit 10000

nsx m2 udpnum recv --port 7000 --count $COUNT --timeout-ms 60000 --idle-ms 4000 \
	--ready-file "$(ready_file m2)" >"$VM_STATE/recv" &
rpid=$!
wait_ready m2
nsx m1 udpnum send --dst 10.0.1.12 --port 7000 --sport 47000 --count $COUNT \
	--pps $PPS --size 100 >"$VM_STATE/send" &
spid=$!

log "advancing $FIRST..$((LAST - 1)) during the stream"
sleep 0.5
for e in $(seq $FIRST $((LAST - 1))); do
	bnl m1 member-advance "$e" >/dev/null
	bnl m2 member-advance "$e" >/dev/null
	# m2's previous record, as soon as it is complete
	[ "$e" -gt $FIRST ] && cp "$(records m2 $((e - 1)))" "$VM_STATE/first.$((e - 1))"
	sleep 0.25
done
wait "$spid"
sent=$(kv "$(cat "$VM_STATE/send")" sent)
wait "$rpid" || true
out=$(cat "$VM_STATE/recv")
echo "m2: $out"
check_eq "$(kv "$out" received)/$(kv "$out" bad)/$(kv "$out" dup)" "$sent/0/0" \
	"datagrams received/bad/dup at m2"
# the last cut, once nothing is in flight any more
sleep 0.3
bnl m1 member-advance $LAST >/dev/null
bnl m2 member-advance $LAST >/dev/null

log "checking the balance of every epoch"
for e in $(seq $FIRST $LAST); do
	records m2 "$e" >/dev/null
done
# m2's late entries from m1, each once (key: first last arrived), then
# per epoch E: the packets and bytes of those that name E
cat "$VM_STATE"/rec.m2.* | awk '
	$1 == "late" {
		delete v
		for (i = 2; i < NF; i += 2) v[$i] = $(i + 1)
		if (v["kind"] != "member" || v["peer"] != "10.0.1.11") next
		k = v["first"] " " v["last"] " " v["arrived"]
		p[k] = v["pkts"]; b[k] = v["bytes"]
	}
	END {
		for (k in p) {
			split(k, q, " ")
			for (e = q[1]; e <= q[2]; e++) { lp[e] += p[k]; lb[e] += b[k] }
		}
		for (e in lp) print e, lp[e], lb[e]
	}' >"$VM_STATE/late"
inflight_epochs=0 inflight_sum=0 late_sum=0 late_after=0 changed=0 compared=0
for e in $(seq $FIRST $LAST); do
	f1=$(records m1 "$e")
	f2=$VM_STATE/rec.m2.$e
	tx=$(rsum "$f1" chan tx_pkts kind=member peer=10.0.1.12)
	rx=$(rsum "$f2" chan rx_pkts kind=member peer=10.0.1.11)
	inf=$(rsum "$f2" chan inflight_pkts kind=member peer=10.0.1.11)
	read -r _ late lateb < <(awk -v e="$e" '$1 == e' "$VM_STATE/late"; echo "$e 0 0")
	echo "epoch $e: tx $tx = rx $rx + inflight $inf + late $late"
	check_eq "$((rx + inf + late))" "$tx" "epoch $e: m2 rx+inflight+late (rx $rx, inflight $inf, late $late) vs m1 tx"
	txb=$(rsum "$f1" chan tx_bytes kind=member peer=10.0.1.12)
	rxb=$(rsum "$f2" chan rx_bytes kind=member peer=10.0.1.11)
	infb=$(rsum "$f2" chan inflight_bytes kind=member peer=10.0.1.11)
	check_eq "$((rxb + infb + lateb))" "$txb" "epoch $e: bytes rx+inflight+late vs tx"
	[ "$inf" -gt 0 ] && inflight_epochs=$((inflight_epochs + 1))
	inflight_sum=$((inflight_sum + inf))
	late_sum=$((late_sum + late))
	if [ -f "$VM_STATE/first.$e" ]; then
		compared=$((compared + 1))
		cmp -s "$VM_STATE/first.$e" "$f2" || {
			changed=$((changed + 1))
			diff "$VM_STATE/first.$e" "$f2" | head -n 4
		}
		[ "$late" -gt 0 ] && late_after=$((late_after + 1))
	fi
done
figure records_compared "$compared"
figure records_changed "$changed"
figure late_after_complete "$late_after"
check_eq "$changed" 0 "m2's records changed after they were complete"
check_gt "$late_after" 0 "records that late packets were in flight for (after they completed)"
figure epochs $((LAST - FIRST + 1))
figure inflight_epochs "$inflight_epochs"
figure inflight_pkts "$inflight_sum"
figure late_pkts "$late_sum"
figure stat_late "$(bstat m2 stat.late)"
check_gt "$inflight_epochs" 0 "epochs with in-flight packets"
check_gt "$late_sum" 0 "late packets (arrived after their record completed)"
check_gt "$(bstat m2 stat.late)" 0 "m2 stat.late"
check_eq "$(rsum "$f1" flow tx_pkts proto=17 rport=7000)" "$sent" \
	"m1's flow tx_pkts at the last cut vs datagrams sent"
check_eq "$(rsum "$f2" flow rx_pkts proto=17 lport=7000)" "$sent" \
	"m2's flow rx_pkts at the last cut vs datagrams sent"
