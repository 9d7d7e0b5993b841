# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 180
#
# A member that receives no traffic still cuts and completes: the
# coordinator advances every member once the gateways have switched
# (DESIGN §3, termination). Snapshot 1 is taken with no traffic at all;
# snapshots 2 and 3 while m1 calls m2's service and m3 gets nothing but
# the (allow-listed) control plane. Every snapshot must be accepted with
# m3's complete record, cut by the coordinator's command (flag by_command)
# at the snapshot's epoch, and m3's module must be at that epoch.
#
#   gw1, gw2 (no client traffic)     m1 --udp--> m2 (echo)     m3: quiet
#
# Then m3 as if its module had just been loaded (`beaver-nl flush`: no
# epoch known), while m1 streams TCP data to it, stamped in the IP ID (the
# default encoding), which m3 cannot read without an epoch. Its next cut
# (snapshot 4) is flagged rx_id_unread (decisions.md, "Known gap: a
# member's first snapshot after it is loaded"); its cut in snapshot 5 is
# not. The control: the same with m1 and m3 stamping with the option
# (snapshot 7: nothing unread, nothing flagged), so the flag of 4 comes
# from the ID alone.
#
# And the channels across those restarts (assemble.h): m3's record says
# its counters restarted (counters_since_ns), so snapshot 4 cannot check
# m1 <-> m3 ("reset", exit status 6) and must not call them unbalanced;
# snapshot 5 checks them against the offset 4 set, unless 4 itself took
# in what m3 could not read (then 5 is unbalanced and 6 balances over the
# interval); snapshot 6 is verified. After the control's flush (7, the
# option: nothing unread, so 7 is consistent), 8 is verified by 7's
# offset alone. Without offsets every snapshot after a flush stayed
# unverified.

need_module
need_tools beaver-nl udpnum tcpnum beaverd beaverctl
command -v jq >/dev/null || skip "jq missing in the VM image"

log "lab and daemons"
DEMO_DELAY=
lab_demo
demo_daemons

# snap K [RC]: one snapshot, accepted with exit status RC (default 0: 6
# is accepted, unverified); its JSON in $VM_STATE/snap.K.json and
# export.K.json
snap() {
	local k=$1 want=${2:-0} rc=0 id
	bctl coord --json snapshot --wait >"$VM_STATE/snap.$k.json" || rc=$?
	check_eq "$rc" "$want" "snapshot $k: exit status"
	check_eq "$(jqf "$VM_STATE/snap.$k.json" .state)" accepted "snapshot $k: state"
	id=$(jqf "$VM_STATE/snap.$k.json" .id)
	bctl coord export "${id:-0}" >"$VM_STATE/export.$k.json" ||
		fail "snapshot $k: export $id failed"
}

# quiet K MEMBER: MEMBER's record in export K is there, complete, cut by
# command at the snapshot's epoch, with no flow but the control plane's,
# and the report has it present and complete (one jq for all)
quiet() {
	local k=$1 m=$2 got
	got=$(jq -r --arg m "$m" --argjson port "$BVD_PORT" '
		.epoch as $e | [.members[] | select(.node == $m)] as $r |
		[.report.members[] | select(.node == $m)][0] as $p |
		[($r | length),
		 ($r[0].record.cut.state == "complete"),
		 ($r[0].record.cut.last == $e),
		 ($r[0].record.cut.flags | index("by_command") != null),
		 ([$r[0].record.flows[] | select(.lport != $port and .rport != $port)] | length),
		 ($p.present and $p.complete)] | map(tostring) | join(" ")' \
		"$VM_STATE/export.$k.json" 2>/dev/null)
	echo "snapshot $k, $m: $got"
	check_eq "$got" "1 true true true 0 true" \
		"snapshot $k: $m's record: present, complete, cut at the epoch, by command, no data flow, complete in the report"
}

log "snapshot 1: no traffic anywhere"
snap 1
for m in m1 m2 m3; do quiet 1 $m; done

log "m1 calls m2; m3 stays quiet"
nsenter --net=/run/netns/m2 -- udpnum recv --port 7000 --echo --timeout-ms 30000 \
	--ready-file "$(ready_file m2)" >"$VM_STATE/m2.svc" &
svc=$!
wait_ready m2
nsenter --net=/run/netns/m1 -- udpnum send --dst 10.0.1.12 --port 7000 --count 400 \
	--pps 100 --echo-wait-ms 2000 --timeout-ms 30000 >"$VM_STATE/m1.call" &
call=$!
sleep 1
snap 2
snap 3
wait $call || fail "m1's calls: $(cat "$VM_STATE/m1.call")"
kill -TERM $svc; wait $svc || true
echo "m1: $(cat "$VM_STATE/m1.call" | tr '\n' ' ')"
echo "m2: $(cat "$VM_STATE/m2.svc")"

for k in 2 3; do
	quiet $k m3
	f=$VM_STATE/export.$k.json
	check_gt "$(jqf "$f" '.report.channels[] | select(.from == "m1" and .to == "m2") | .sent')" 0 \
		"snapshot $k: m1 -> m2 channel carries traffic"
	check_eq "$(jqf "$f" .report.balanced)" true "snapshot $k: balanced"
done
e=$(jqf "$VM_STATE/snap.3.json" .epoch)
figure m3_epoch "$(bstat m3 member_epoch)"
check_eq "$(bstat m3 member_epoch)" "$e" "m3's module epoch after snapshot 3"
check_eq "$(bstat m3 complete_epoch)" "$e" "m3's complete epoch after snapshot 3"
check_eq "$(bstat m3 stat.cuts)" 3 "m3's cuts"
check_eq "$(bstat m3 stat.rx_stamped)" 0 "stamped packets m3 received (none: it is quiet)"
check_eq "$(bstat m3 stat.bypass)" 0 "m3's bypass count (control plane allow-listed)"

# unread K MEMBER: is MEMBER's cut in export K flagged rx_id_unread?
unread() {
	jq -r --arg m "$2" '[.members[] | select(.node == $m) |
		.record.cut.flags | index("rx_id_unread") != null] | map(tostring) | join(" ")' \
		"$VM_STATE/export.$1.json" 2>/dev/null
}

# chan K FROM TO: the channel FROM -> TO in export K: "balanced check"
chan() {
	jq -r --arg a "$2" --arg b "$3" '[.report.channels[] |
		select(.from == $a and .to == $b) | (.balanced | tostring) + " " +
		.check] | join(",")' "$VM_STATE/export.$1.json" 2>/dev/null
}

# since K MEMBER: MEMBER's counters_since_ns in export K's record
since() {
	jq -r --arg m "$2" '.members[] | select(.node == $m) |
		.record.cut.counters_since_ns' "$VM_STATE/export.$1.json" 2>/dev/null
}

# fresh: forget m3's epoch (as a freshly loaded module), let m1's stream
# reach it for a while; sets inv (m3's unreadable ID stamps meanwhile)
fresh() {
	local i0
	bnl m3 flush >/dev/null
	i0=$(bstat m3 stat.rx_id_invalid)
	sleep 1
	inv=$(( $(bstat m3 stat.rx_id_invalid) - i0 ))
}

log "m3 freshly loaded while m1 streams TCP to it (the stamp in the ID)"
# (nsenter itself, not nsx: $! must be the process SIGTERM stops)
nsenter --net=/run/netns/m3 -- tcpnum recv --port 7100 --size 200 \
	--timeout-ms 60000 --ready-file "$(ready_file m3t)" >"$VM_STATE/m3.tcp" &
trecv=$!
wait_ready m3t
nsenter --net=/run/netns/m1 -- tcpnum send --dst 10.0.1.13 --port 7100 \
	--size 200 --count 100000 --rps 50 --timeout-ms 60000 >"$VM_STATE/m1.tcp" &
tsend=$!
sleep 1
fresh
figure fresh_id_unread "$inv"
check_gt "$inv" 0 "m1's segments m3 could not read after the flush"
snap 4 6
check_eq "$(unread 4 m3)" true "snapshot 4: m3's cut flagged rx_id_unread"
check_eq "$(unread 4 m1)" false "snapshot 4: m1's cut flagged rx_id_unread"
# the restart, as the records and the report tell it
s3=$(since 3 m3) s4=$(since 4 m3)
check "[ -n '$s3' ] && [ -n '$s4' ] && [ '$s3' != '$s4' ]" \
	"snapshot 4: m3's counters_since_ns moved ($s3 -> $s4)"
check_eq "$(since 4 m1)" "$(since 3 m1)" "snapshot 4: m1's counters_since_ns"
check_eq "$(chan 4 m1 m3)" "null reset" "snapshot 4: m1 -> m3 (balanced, check)"
check_eq "$(chan 4 m3 m1)" "null reset" "snapshot 4: m3 -> m1"
check_eq "$(chan 4 m1 m2)" "true offset" "snapshot 4: m1 -> m2"
check_eq "$(jqf "$VM_STATE/export.4.json" .report.unbalanced_channels)" 0 \
	"snapshot 4: unbalanced channels"
check_eq "$(jqf "$VM_STATE/export.4.json" \
	'.report.members[] | select(.node == "m3") | .interval.since')" reset \
	"snapshot 4: m3's interval starts at its reset"
# 4 may hold what m3 delivered before it could read the ID: then 5 is
# unbalanced on m1 -> m3 (flagged 4 is why), and 6 balances over the
# interval
rc=0
bctl coord --json snapshot --wait >"$VM_STATE/snap.5.json" || rc=$?
check_eq "$(jqf "$VM_STATE/snap.5.json" .state)" accepted "snapshot 5: state"
id=$(jqf "$VM_STATE/snap.5.json" .id)
bctl coord export "${id:-0}" >"$VM_STATE/export.5.json" || fail "export 5"
c5=$(chan 5 m1 m3)
figure after_reset_m1_m3 "${c5// /_}"
case $c5 in
"true offset") check_eq "$rc/$(jqf "$VM_STATE/snap.5.json" .verified)" 0/true \
	"snapshot 5: exit status/verified" ;;
"false offset") check_eq "$rc" 6 "snapshot 5: exit status (m1 -> m3 unbalanced against 4's offset, 4 flagged rx_id_unread)" ;;
*) fail "snapshot 5: m1 -> m3 is '$c5', want 'true offset' or 'false offset'" ;;
esac
check_eq "$(unread 5 m3)" false "snapshot 5: m3's cut flagged rx_id_unread (it reads the ID again)"
check_eq "$(chan 5 m3 m1)" "true offset" "snapshot 5: m3 -> m1"
snap 6
check "case '$(chan 6 m1 m3)' in 'true offset'|'true interval') true;; *) false;; esac" \
	"snapshot 6: m1 -> m3 balanced again ($(chan 6 m1 m3))"
check_eq "$(jqf "$VM_STATE/export.6.json" .report.balanced)" true "snapshot 6: balanced"

log "control: the same with the option (m1 and m3), nothing to read in the ID"
beaver_encoding option m1 m3
fresh
check_eq "$inv" 0 "m1's segments m3 could not read after the flush (option)"
snap 7 6
check_eq "$(unread 7 m3)" false "snapshot 7: m3's cut flagged rx_id_unread (option)"
check_eq "$(chan 7 m1 m3)" "null reset" "snapshot 7: m1 -> m3"
# 7 is consistent (m3 read every stamp): its offset holds exactly
snap 8
check_eq "$(chan 8 m1 m3)" "true offset" "snapshot 8: m1 -> m3"
check_eq "$(chan 8 m3 m1)" "true offset" "snapshot 8: m3 -> m1"
kill -TERM $tsend 2>/dev/null; wait $tsend || true
wait $trecv || true
echo "m1: $(cat "$VM_STATE/m1.tcp"); m3: $(cat "$VM_STATE/m3.tcp")"
check_eq "$(kv "$(cat "$VM_STATE/m3.tcp")" bad)" 0 "m3's TCP records damaged"

bvd_logs coord m3
