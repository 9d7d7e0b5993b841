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
#   failed    gw2's beaverd stopped: exit 1, state failed, the reason says
#             gateways did not acknowledge; with m3's beaverd stopped: the
#             reason names m3;
# and the other exit codes: 2 (a coordinator command sent to a member's
# beaverd), 3 (no daemon on the socket), 4 (no such snapshot).

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
take gwback
check_eq "$rc_gwback/$(jqf "$VM_STATE/gwback.json" .state)" 0/accepted "gw2 back: the next snapshot"

log "failed: m3's beaverd stopped"
bvd_stop m3
take mdown
f=$VM_STATE/mdown.json
check_eq "$rc_mdown" 1 "member down: exit status"
check_eq "$(jqf "$f" .state)" failed "member down: state"
reason=$(jqf "$f" .reason)
figure m_down_reason "$reason"
check '[[ $reason == *m3* ]]' "member down: the reason names m3 ('$reason')"
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
