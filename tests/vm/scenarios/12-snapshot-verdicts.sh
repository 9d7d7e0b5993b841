# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 150
#
# `beaverctl snapshot --wait`: exit status and JSON (beaver-summary/1) for
# each outcome, on the demo topology:
#   accepted  exit 0, state accepted, epoch set, bound < tau_min;
#   rejected  tau_min = 1 us, below any bound TCG can measure: exit 1,
#             state rejected, every attempt rejected with a fresh epoch;
#             the gateways moved on, the coordinator did not advance the
#             members (without traffic nothing else carries the epoch);
#   failed    gw2's beaverd stopped: exit 1, state failed, epoch 0, the
#             reason says gateways did not acknowledge; with m3's beaverd
#             stopped: the reason names m3, and the epoch is that of the
#             attempt OGM accepted before collection failed;
#   interval  bypass from x to m1 before one snapshot, none before the
#             next: the first's interval bypass is the cumulative count,
#             the next's is 0 while its cumulative count stays;
# and the other exit codes: 2 (a coordinator command sent to a member's
# beaverd), 3 (no daemon on the socket), 4 (no such snapshot).
# Calibration (beaver-calibrate/2), on the data plane: with ping sockets
# allowed in the hosts (net.ipv4.ping_group_range) both gateways report
# an ICMP round trip to the members, the bound is the smallest probe,
# "data plane" its method, below the coordinator's control-plane round
# trips, and tau_min = 1 s is above it (bound_ok false); with
# tau_min = 1 us, bound_ok true, and the gateways' echoes (stamped like
# any packet they send to a member) have made the members cut;
# with ping sockets refused ("1 0", a namespace's default) nothing
# measures the data plane: bound_ok null, never true from the
# coordinator's control-plane round trips, and the text says so.

need_module
need_tools beaver-nl udpnum beaverd beaverctl
command -v jq >/dev/null || skip "jq missing in the VM image"

log "lab and daemons"
DEMO_DELAY=
lab_demo
demo_daemons

# take NAME [ARGS...]: beaverctl --json snapshot --wait into $VM_STATE/NAME.json,
# its exit status into rc_NAME
take() {
	local name=$1 rc=0
	shift
	bctl coord --json snapshot --wait "$@" >"$VM_STATE/$name.json" || rc=$?
	eval "rc_$name=$rc"
	echo "$name (exit $rc): $(jq -M -c . "$VM_STATE/$name.json")"
}
# restart the coordinator with other [coordinator] settings
coord_with() {
	bvd_stop coord
	bvd_conf coord coordinator $DEMO_COORD "$@"
	bvd_start coord
	bvd_wait coord
}

# calib NAME [ARGS...]: beaverctl --json calibrate --count 3 into
# $VM_STATE/cal.NAME.json
calib() {
	local name=$1 rc=0
	shift
	bctl coord --json calibrate --count 3 "$@" >"$VM_STATE/cal.$name.json" || rc=$?
	check_eq "$rc" 0 "calibrate ($name): exit status"
	echo "calibrate $name: $(jq -M -c . "$VM_STATE/cal.$name.json")"
}
# ping_groups RANGE: net.ipv4.ping_group_range of the probing daemons' hosts
ping_groups() {
	local ns
	for ns in gw1 gw2 m1 m2 m3; do nsysctl "$ns" "ipv4/ping_group_range=$1"; done
}

log "calibrate on the data plane, tau_min 1 s"
t_cal=$EPOCHREALTIME
ping_groups "0 2147483647"
calib dp
f=$VM_STATE/cal.dp.json
check_eq "$(jqf "$f" .schema)" beaver-calibrate/2 "calibrate: schema"
check '[[ $(jqf "$f" .lower_bound_method) == "data plane:"* ]]' \
	"calibrate: the bound is measured on the data plane ($(jqf "$f" .lower_bound_method))"
check_eq "$(jqf "$f" '[.peers[] | select(.role == "gateway" and .probe_us > 0) | .name] | join(" ")')" "gw1 gw2" \
	"calibrate: both gateways reported a data-plane probe"
check_eq "$(jqf "$f" '.lower_bound_us > 0 and .lower_bound_us == ([.peers[].probe_us | numbers] | min)')" true \
	"calibrate: the bound is the smallest probe"
figure calib_bound_us "$(jqf "$f" .lower_bound_us)"
figure calib_control_min_us "$(jqf "$f" .control_min_us)"
check_le "$(jqf "$f" .lower_bound_us)" "$(jqf "$f" .control_min_us)" \
	"calibrate: the data-plane bound is below the control-plane round trips"
check_eq "$(jq -r .bound_ok "$f")" false "calibrate: tau_min 1 s is above the bound: bound_ok false"
check '[[ $(jqf "$f" .bound_note) == *unsafe* ]]' "calibrate: the note says unsafe ($(jqf "$f" .bound_note))"
s_cal=$(elapsed "$t_cal")

log "accepted"
take acc
f=$VM_STATE/acc.json
check_eq "$rc_acc" 0 "accepted: exit status"
check_eq "$(jqf "$f" .schema)" beaver-summary/1 "accepted: schema"
check_eq "$(jqf "$f" .state)" accepted "accepted: state"
check_eq "$(jq -r '.reason' "$f")" null "accepted: reason"
check_eq "$(jqf "$f" .epoch)" 1 "accepted: epoch"
check_eq "$(jqf "$f" .attempts)" 1 "accepted: attempts"
check_eq "$(jqf "$f" '.bound_ns > 0 and .bound_ns < .tau_min_ns')" true "accepted: 0 < bound_ns < tau_min_ns"
check_eq "$(jqf "$f" '.created_ns > 0 and .finished_ns >= .created_ns')" true "accepted: created_ns <= finished_ns"
check_eq "$(jqf "$f" '.id | type')" number "accepted: id is a number"
rc=0; out=$(bctl coord snapshot --wait) || rc=$?
echo "$out"
check_eq "$rc" 0 "accepted (text output): exit status"
check '[[ $out =~ state:\ +accepted ]]' "accepted (text output) says 'state: accepted'"
rc=0; bctl coord --json snapshot >"$VM_STATE/nowait.json" || rc=$?
check_eq "$rc" 0 "without --wait: exit status"
check_eq "$(jqf "$VM_STATE/nowait.json" .state)" pending "without --wait: state"
m_epoch=$(bstat m1 member_epoch)

log "rejected: tau_min 1 us, one retry"
coord_with coordinator.tau_min_us=1 coordinator.retries=1
take rej
f=$VM_STATE/rej.json
check_eq "$rc_rej" 1 "rejected: exit status"
check_eq "$(jqf "$f" .state)" rejected "rejected: state"
check_eq "$(jqf "$f" .attempts)" 2 "rejected: attempts (one retry)"
check_eq "$(jqf "$f" .tau_min_ns)" 1000 "rejected: tau_min_ns"
check_eq "$(jqf "$f" '.bound_ns >= .tau_min_ns')" true "rejected: bound_ns >= tau_min_ns"
check '[[ $(jqf "$f" .reason) == *tau_min* ]]' "rejected: the reason mentions tau_min ($(jqf "$f" .reason))"
bctl coord --json show "$(jqf "$f" .id)" >"$VM_STATE/rej.show.json"
jq -M -c .attempts "$VM_STATE/rej.show.json"
s=$VM_STATE/rej.show.json
check_eq "$(jqf "$s" '[.attempts[] | select(.verdict == "rejected" and .bound_ns >= 1000)] | length')" 2 \
	"rejected: attempts with verdict rejected and their bound"
check_eq "$(jqf "$s" '[.attempts[].epoch] | (.[0] > '"$m_epoch"') and (.[1] > .[0])')" true \
	"rejected: each attempt has a fresh epoch"
check_eq "$(jq -r .report "$s")" null "rejected: no report"
last=$(jqf "$s" '.attempts[-1].epoch')
check_eq "$(bstat gw1 gw_epoch)/$(bstat gw2 gw_epoch)" "$last/$last" \
	"rejected: both gateways at the last attempt's epoch"
check_eq "$(bstat m1 member_epoch)/$(bstat m3 member_epoch)" "$m_epoch/$m_epoch" \
	"rejected: the coordinator did not advance the members (no traffic carries the epoch here)"

log "calibrate, tau_min 1 us: below the data-plane bound"
t_cal=$EPOCHREALTIME
calib small
check_eq "$(jq -r .bound_ok "$VM_STATE/cal.small.json")" true "calibrate: tau_min 1 us: bound_ok true"
# the probes are data-plane traffic: a gateway's echo carries its stamp
check_eq "$(bstat m1 member_epoch)/$(bstat m3 member_epoch)" "$last/$last" \
	"calibrate: the gateways' echoes carried their epoch to the members"
m_epoch=$(bstat m1 member_epoch)
log "calibrate without ping sockets (control): no data-plane bound, no verdict"
ping_groups "1 0"
sleep 1	# the probers' last result is no longer fresh (probe.h)
calib none
f=$VM_STATE/cal.none.json
check_eq "$(jq -r '.lower_bound_us, .lower_bound_method' "$f" | tr '\n' ' ')" "null null " \
	"calibrate without probes: no bound, no method"
check_eq "$(jqf "$f" '[.peers[] | select(.role == "gateway" and .answered > 0)] | length')" 2 \
	"calibrate without probes: the gateways' daemons still answered"
check '[ "$(jq -r .bound_ok "$f")" != true ]' "calibrate without probes: bound_ok is not true ($(jq -r .bound_ok "$f"))"
check_eq "$(jq -r .bound_ok "$f")" null "calibrate without probes: bound_ok null"
rc=0; out=$(bctl coord calibrate --count 1) || rc=$?
echo "$out"
check '[ "$rc" = 0 ] && [[ $out =~ note:\ +no\ data-plane\ measurement ]] && ! [[ $out =~ tau_min\ ok:\ +yes ]]' \
	"calibrate without probes (text): says there is no data-plane measurement, not 'tau_min ok: yes'"
grep -h "data-plane probe" "$BVD_DIR/gw1.log" | tail -n 2
# what the calibration checks cost this scenario
figure calib_secs "$(awk -v a="$s_cal" -v b="$(elapsed "$t_cal")" 'BEGIN { printf "%.1f", a + b }')"

log "failed: gw2's beaverd stopped"
coord_with coordinator.ack_timeout_ms=500 coordinator.retries=1 \
	coordinator.complete_timeout_ms=1500 coordinator.collect_timeout_ms=1500
bvd_stop gw2
take gwdown
f=$VM_STATE/gwdown.json
check_eq "$rc_gwdown" 1 "gateway down: exit status"
check_eq "$(jqf "$f" .state)" failed "gateway down: state"
check_eq "$(jqf "$f" .epoch)" 0 "gateway down: no accepted epoch"
reason=$(jqf "$f" .reason)
figure gw_down_reason "$reason"
check '[[ $reason == *"gateway gw2"* && $reason == *acknowledge* ]]' \
	"gateway down: the reason names gw2, which did not acknowledge ('$reason')"
bctl coord --json show "$(jqf "$f" .id)" >"$VM_STATE/gwdown.show.json"
jq -M -c .attempts "$VM_STATE/gwdown.show.json"
check_eq "$(jqf "$VM_STATE/gwdown.show.json" '[.attempts[] | select(.verdict == "timeout" and .bound_ns == null)] | length')" 2 \
	"gateway down: attempts timed out, without a bound"
check_eq "$(bstat m1 member_epoch)" "$m_epoch" "gateway down: members not advanced"
bvd_start gw2
bvd_wait gw2
# m1's member record of snapshot NAME: jq expression EXPR of it
m1_rep() {
	bctl coord --json show "$(jqf "$VM_STATE/$1.json" .id)" >"$VM_STATE/$1.show.json"
	jqf "$VM_STATE/$1.show.json" ".report.members[] | select(.node == \"m1\") | $2"
}
NBYPASS=5
log "per-interval bypass: $NBYPASS from x (out-group, not allow-listed) straight to m1"
nsx x udpnum send --dst 10.0.1.11 --port 9000 --count $NBYPASS --size 100 >/dev/null
take gwback
check_eq "$rc_gwback/$(jqf "$VM_STATE/gwback.json" .state)" 0/accepted "gw2 back: the next snapshot"
check_eq "$(m1_rep gwback '[.bypass, .interval.bypass, .interval.since] | join("/")')" \
	"$NBYPASS/$NBYPASS/previous" "bypass during the interval: m1's cumulative/interval bypass, since"
take quiet
check_eq "$(m1_rep quiet '[.bypass, .interval.bypass, .interval.since] | join("/")')" \
	"$NBYPASS/0/previous" "no bypass since: m1's cumulative bypass stays, its interval's is 0"
check_eq "$(jqf "$VM_STATE/quiet.show.json" '[.report.interval.since_id, .report.interval.bypass] | join("/")')" \
	"$(jqf "$VM_STATE/gwback.json" .id)/0" "the report's interval: since the previous accepted snapshot, bypass 0"
# the unstamped packets: counted by the module at every cut, so known for
# every member (nothing here leaves or arrives unstamped)
check_eq "$(jqf "$VM_STATE/quiet.show.json" '[.report.interval.unstamped_sent, .report.interval.unstamped_received, .report.interval.members_unstamped_unknown] | join("/")')" \
	"0/0/0" "the report's interval: unstamped packets sent/received, members unknown"
check_eq "$(m1_rep quiet '[.tx_unstamped, .rx_unstamped, .interval.unstamped_sent, .interval.unstamped_received] | map(tostring) | join("/")')" \
	"0/0/0/0" "m1's unstamped packets: cumulative and in the interval"

log "failed: m3's beaverd stopped"
bvd_stop m3
take mdown
f=$VM_STATE/mdown.json
check_eq "$rc_mdown" 1 "member down: exit status"
check_eq "$(jqf "$f" .state)" failed "member down: state"
reason=$(jqf "$f" .reason)
figure m_down_reason "$reason"
check '[[ $reason == *m3* ]]' "member down: the reason names m3 ('$reason')"
bctl coord --json show "$(jqf "$f" .id)" >"$VM_STATE/mdown.show.json"
jq -M -c .attempts "$VM_STATE/mdown.show.json"
acc_epoch=$(jqf "$VM_STATE/mdown.show.json" '[.attempts[] | select(.verdict == "accepted") | .epoch] | last // 0')
check '[[ $acc_epoch -gt 0 ]]' "member down: OGM accepted an attempt (epoch $acc_epoch) before collection failed"
check_eq "$(jqf "$f" .epoch)" "$acc_epoch" "member down: the failed snapshot keeps its accepted attempt's epoch"
bvd_start m3
bvd_wait m3

log "other exit codes"
rc=0; bctl m1 --json snapshot --wait >"$VM_STATE/usage.json" || rc=$?
check_eq "$rc" 2 "snapshot asked of a member's beaverd: exit status"
check_eq "$(jqf "$VM_STATE/usage.json" .code)" usage "snapshot asked of a member's beaverd: code"
rc=0; beaverctl --socket /tmp/nothing.sock --json status >"$VM_STATE/unreach.json" || rc=$?
check_eq "$rc" 3 "no daemon: exit status"
check_eq "$(jqf "$VM_STATE/unreach.json" .code)" unreachable "no daemon: code"
rc=0; bctl coord --json show 9999 >"$VM_STATE/notfound.json" || rc=$?
check_eq "$rc" 4 "show of an unknown id: exit status"
check_eq "$(jqf "$VM_STATE/notfound.json" .code)" notfound "show of an unknown id: code"

bctl coord list
bvd_logs coord
