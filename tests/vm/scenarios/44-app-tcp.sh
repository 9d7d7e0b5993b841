# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 120
#
# Where the member's cut falls in a TCP stream (issue #14, item 2):
# beaver_app_tcp_cut(). The client sends tcpnum's numbered 100-byte
# records over one TCP connection to VIP1:7200 (gw1, IPVS DR) and
# bvtcpapp, an application of libbeaver-app on m1, reads them. On every
# cut announcement it asks the library how many bytes of the stream came
# before the cut, reads on until it holds them all, and answers with that
# count, the records wholly before the cut (msgs), the number inside the
# last of them as read (last) and, as the control, the records it had
# read when the announcement came (naive: an application without the
# library). Against the record each snapshot holds:
#   - rx equals m1's flow's rx_seq less the client's ISN and the SYN (and
#     a FIN if counted); that ISN is not the module's: bvtcpapp read it at
#     accept with TCP_REPAIR, before any data came, and the record's own
#     rx_isn must equal it too; likewise tx (bvtcpapp's 8-byte replies,
#     one per 20 records) against tx_seq and m1's own ISN;
#   - msgs = rx / 100 and last = msgs (the stream is what the count says),
#     never decreasing from one snapshot to the next, never more than the
#     client sent;
#   - the control differs in some snapshots (app_tcp_naive_wrong), or
#     the check could not tell the exact count from a guess.
#
#   client --VIP1:7200 (TCP)--> gw1 --DR--> m1 (bvtcpapp)     coord

need_module
need_tools beaverd beaverctl bvtcpapp tcpnum
command -v jq >/dev/null || skip "jq missing in the VM image"
N=30
PORT=7200
SIZE=100

log "lab: two DR gateways, three members, client, coordinator; beaverd"
lab_demo
nsx gw1 ipvsadm -A -t $DEMO_VIP1:$PORT -s rr
nsx gw1 ipvsadm -a -t $DEMO_VIP1:$PORT -r 10.0.1.11:$PORT -g -w 1
demo_daemons
go=$VM_STATE/tcp.go
rm -f "$go"
nsenter --net=/run/netns/m1 -- bvtcpapp --port $PORT --size $SIZE --timeout-ms 90000 \
	--socket "$BVD_DIR/m1/run/apps.sock" --ready-file "$(ready_file bvtcpapp)" \
	--go-file "$go" --reply-every 20 >"$VM_STATE/bvtcpapp.out" 2>&1 &
app=$!
wait_ready bvtcpapp
nsenter --net=/run/netns/client -- tcpnum send --dst $DEMO_VIP1 --port $PORT --size $SIZE \
	--count 200000 --rps 300 --go-file "$go" --timeout-ms 60000 \
	>"$VM_STATE/tcpnum.out" 2>&1 &
snd=$!
for _ in $(seq 100); do [ -e "$go" ] && break; sleep 0.1; done
[ -e "$go" ] || fail "bvtcpapp never accepted the connection"
isn=$(sed -n 's/^isn \(-\?[0-9]*\) .*$/\1/p' "$VM_STATE/bvtcpapp.out")
isn_tx=$(sed -n 's/^isn [-0-9]* \(-\?[0-9]*\)$/\1/p' "$VM_STATE/bvtcpapp.out")
log "the ISNs, read by bvtcpapp with TCP_REPAIR: the client's $isn, m1's $isn_tx"
check_ge "${isn:--1}" 0 "the client's ISN (TCP_REPAIR)"
check_ge "${isn_tx:--1}" 0 "m1's ISN (TCP_REPAIR)"
sleep 1

log "$N snapshots while the stream flows"
rc=0
bctl coord --json snapshot --wait --count $N --interval 0.05 >"$VM_STATE/series.json" || rc=$?
check_eq "$rc" 0 "beaverctl snapshot --wait --count $N exit status"
check_eq "$(jqf "$VM_STATE/series.json" '[.snapshots[] | select(.state == "accepted")] | length')" $N \
	"accepted snapshots in the series"
kill -TERM $snd 2>/dev/null || true
wait $snd || true
sent=$(tail -n1 "$VM_STATE/tcpnum.out")
echo "tcpnum: $sent"
# The stream's data segments carry their stamps in the IPv4 ID, and it
# flows before the first snapshot: m1 knows no epoch when gw1 switches to
# the first one. The coordinator names that epoch to m1 before gw1 hears
# of it (ANNOUNCE), so m1 reads every stamp (decisions.md, "A member's
# first snapshot"); without it m1 delivers the first segments unread
# and its first cut is flagged rx_id_unread (mutant announce-off).
figure m1_rx_id "$(bstat m1 stat.rx_id)"
figure m1_rx_id_unread "$(bstat m1 stat.rx_id_invalid)"
check_gt "$(bstat m1 stat.rx_id)" 0 "stamps m1 read in the IPv4 ID"
check_eq "$(bstat m1 stat.rx_id_invalid)" 0 "IDs m1 could not read"

log "bvtcpapp's cut offsets against m1's records"
# shellcheck disable=SC2046 # the ids, one word each
bctl coord export $(jq -r '.snapshots[].id' "$VM_STATE/series.json") >"$VM_STATE/exports.json" ||
	fail "beaverctl export of the series: exit $?"
# id epoch rx_seq rx_isn rx_fin flows app_state tx_seq tx_isn tx_fin
jq -r --argjson p $PORT '[.id, .epoch,
	([.members[] | select(.node == "m1") | .record.flows[]? |
	  select(.proto == 6 and .lport == $p)] as $f |
	 ($f[0].rx_seq // -1), ($f[0].rx_isn // -1),
	 (if $f[0].rx_fin then 1 else 0 end), ($f | length)),
	([.members[] | select(.node == "m1") | .record.apps[]? |
	  select(.app == "bvtcpapp") | .state] | first // "none"),
	([.members[] | select(.node == "m1") | .record.flows[]? |
	  select(.proto == 6 and .lport == $p)] as $f |
	 ($f[0].tx_seq // -1), ($f[0].tx_isn // -1),
	 (if $f[0].tx_fin then 1 else 0 end))] | @tsv' \
	"$VM_STATE/exports.json" | sort -n -k2 >"$VM_STATE/app.tsv"
head -n 3 "$VM_STATE/app.tsv"
awk -F'\t' -v isn="$isn" -v isn_tx="$isn_tx" -v size=$SIZE -v sent="$(kv "$sent" sent)" '
	function bad(m) { print "bad " $1 ": " m; nb++ }
	{
		n++
		if ($7 == "none") { none++; next }
		delete s
		k = split($7, kv, " ")
		for (i = 1; i <= k; i++) { split(kv[i], a, "="); s[a[1]] = a[2] }
		if (s["tcp"] != 1) { unknown++; next }
		if ($6 != 1) bad($6 " flows on port 7200 in the record")
		if ($4 != isn) bad("record rx_isn " $4 ", TCP_REPAIR says " isn)
		want = ($3 - isn - 1 - $5) % 4294967296
		if (want < 0) want += 4294967296
		if ($3 < 0) want = 0
		if (s["rx"] != want) bad("rx " s["rx"] ", record " want)
		if ($8 >= 0 && $9 != isn_tx) bad("record tx_isn " $9 ", TCP_REPAIR says " isn_tx)
		want = ($8 - isn_tx - 1 - $10) % 4294967296
		if (want < 0) want += 4294967296
		if ($8 < 0) want = 0
		if (s["tx"] != want) bad("tx " s["tx"] ", record " want)
		if (s["tx"] % 8) bad("tx " s["tx"] " not whole replies")
		if (s["tx"] > 0) txbusy++
		if (s["msgs"] != int(s["rx"] / size)) bad("msgs " s["msgs"] " for rx " s["rx"])
		if (s["last"] != s["msgs"]) bad("last record read " s["last"] ", msgs " s["msgs"])
		if (s["msgs"] < pm) bad("msgs " s["msgs"] " after " pm)
		if (sent != "" && s["msgs"] > sent) bad("msgs " s["msgs"] " > sent " sent)
		pm = s["msgs"]
		if (s["naive"] != s["msgs"]) { nw++; d = s["naive"] - s["msgs"]; sd += d < 0 ? -d : d }
		if (s["msgs"] > 0) busy++
	}
	END { printf "snapshots %d none %d unknown %d nbad %d naive_wrong %d naive_off %d busy %d txbusy %d last_msgs %d\n",
		n, none, unknown, nb, nw, sd, busy, txbusy, pm }' "$VM_STATE/app.tsv" >"$VM_STATE/app.verdict"
cat "$VM_STATE/app.verdict"
v=$(tail -n1 "$VM_STATE/app.verdict")
check_eq "$(kv "$v" snapshots)" $N "exports read for bvtcpapp"
check_eq "$(kv "$v" none)" 0 "snapshots without bvtcpapp's state"
check_eq "$(kv "$v" unknown)" 0 "snapshots where the library said unknown"
check_ge "$(kv "$v" busy)" $((N - 2)) "snapshots with records before the cut"
check_ge "$(kv "$v" txbusy)" $((N - 2)) "snapshots with replies of m1's before the cut"
check_eq "$(kv "$v" nbad)" 0 "snapshots where bvtcpapp's cut offsets disagree (see 'bad' lines)"
check_gt "$(kv "$v" naive_wrong)" 0 "snapshots where the control (records read at the announcement) is wrong"
figure app_tcp_exact "$(( N - $(kv "$v" nbad) ))/$N"
figure app_tcp_naive_wrong "$(kv "$v" naive_wrong)/$N"
figure app_tcp_naive_records_off "$(kv "$v" naive_off)"

kill -TERM $app 2>/dev/null || true
wait $app || true
out=$(tail -n1 "$VM_STATE/bvtcpapp.out")
echo "bvtcpapp: $out"
check_eq "$(kv "$out" bad)" 0 "records bvtcpapp read damaged or out of order"
check_ge "$(kv "$out" answered)" $N "cuts bvtcpapp answered"
check_eq "$(bvd_log_count 'beaverd: (error|crit|alert|emerg):' coord gw1 gw2 m1 m2 m3)" 0 "error lines in the daemons' logs"
bvd_logs coord gw1 gw2 m1 m2 m3
