# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 150
#
# The Prometheus endpoint and a real reload, on the demo topology (no
# traffic: the figures must hold still between a scrape and a status).
#   metrics   the coordinator's and m1's endpoints (metrics = 127.0.0.1:9150
#             in their namespaces, busybox wget): the text is well formed
#             (every line a HELP, a TYPE or a beaver_ sample) and its values
#             equal those of `beaverctl status --json` (OGM verdicts, tau_min,
#             snapshots in progress; m1's cuts, epochs, pending records);
#   reload    m3's beaverd stopped (a dead member fails every snapshot), a
#             series of snapshots runs, and m3 is taken out of the
#             coordinator's file with SIGHUP while a snapshot is in
#             progress: that snapshot ends as it began (failed, naming m3,
#             not lost), the reload applies after it, the series goes on
#             without a break and its later snapshots are accepted with two
#             members; `members` shows m3 removed, the gateways apart;
#   invalid   a file with an unknown key: the old configuration is kept
#             (snapshots still accepted) and the log names FILE:LINE;
#   restart   a changed node name: refused, "needs a restart";
# and the reload counters in the metrics agree with status.

need_module
need_tools beaver-nl beaverd beaverctl
command -v jq >/dev/null || skip "jq missing in the VM image"
command -v wget >/dev/null || skip "wget (busybox) missing in the VM image"

PORT=9150
COORD_OPTS="beaverd.metrics=127.0.0.1:$PORT coordinator.ack_timeout_ms=1000
	coordinator.retries=0 coordinator.complete_timeout_ms=1000
	coordinator.collect_timeout_ms=1000"

# scrape NAME: NAME's metrics into $VM_STATE/NAME.prom, and its samples
# into P (P[NAME SAMPLE] = value; few processes: TCG makes each one slow)
declare -A P
scrape() {
	local k v
	nsx "$1" wget -q -O "$VM_STATE/$1.prom" "http://127.0.0.1:$PORT/metrics" ||
		fail "scrape of $1's metrics failed"
	while read -r k v; do
		[ "${k:0:1}" = "#" ] || P["$1 $k"]=$v
	done <"$VM_STATE/$1.prom"
}
# metric NAME SAMPLE: the value of one sample (name with its labels)
metric() { echo "${P["$1 $2"]}"; }
# status NAME: NAME's status --json into $VM_STATE/NAME.status.json, and
# the fields given (jq paths) into S, in one jq
declare -A S
status() {
	local ns=$1 f=$VM_STATE/$1.status.json k v
	shift
	bctl "$ns" --json status >"$f"
	while IFS=$'\t' read -r k v; do S["$ns $k"]=$v; done < <(
		jq -r --args '$ARGS.positional[] as $k | [$k, (getpath($k | split(".")) | tostring)] | @tsv' "$@" <"$f")
}
# the text is well formed: HELP, TYPE, or a beaver_ sample with a number
well_formed() {
	local bad
	bad=$(grep -cvE '^(# (HELP|TYPE) beaver_[a-z0-9_]+ .+|beaver_[a-z0-9_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9]+(\.[0-9]+)?)$' \
		"$VM_STATE/$1.prom") || true
	check_eq "$bad" 0 "$1's metrics: lines neither HELP, TYPE nor a sample"
	check_eq "$(grep -c '^# TYPE' "$VM_STATE/$1.prom")" \
		"$(grep -c '^# HELP' "$VM_STATE/$1.prom")" "$1's metrics: a HELP per TYPE"
}
# coord_conf [MEMBERS]: the coordinator's file, with these members
coord_conf() {
	local saved=$BVD_MEMBERS
	BVD_MEMBERS=${1:-$saved}
	# shellcheck disable=SC2086 # the overrides, one word each
	bvd_conf coord coordinator $DEMO_COORD $COORD_OPTS
	BVD_MEMBERS=$saved
}

log "lab and daemons (metrics on coord and m1)"
DEMO_DELAY=
lab_demo
BVD_MEMBER_OPTS="beaverd.metrics=127.0.0.1:$PORT"
# shellcheck disable=SC2086
demo_daemons $COORD_OPTS
conf=$(realpath "$BVD_DIR/coord.conf")

log "metrics against status"
rc=0; bctl coord --json snapshot --wait >"$VM_STATE/first.json" || rc=$?
check_eq "$rc/$(jqf "$VM_STATE/first.json" .state)" 0/accepted "first snapshot"
scrape coord
status coord coordinator.accepted_attempts coordinator.timeout_attempts \
	coordinator.outstanding coordinator.tau_min_ns
well_formed coord
check_eq "$(metric coord 'beaver_snapshot_attempts_total{verdict="accepted"}')" \
	"${S[coord coordinator.accepted_attempts]}" "coord: accepted attempts (metrics = status)"
check_eq "$(metric coord 'beaver_snapshot_attempts_total{verdict="timeout"}')" \
	"${S[coord coordinator.timeout_attempts]}" "coord: timeout attempts (metrics = status)"
check_eq "$(metric coord beaver_snapshots_in_progress)" \
	"${S[coord coordinator.outstanding]}" "coord: snapshots in progress (metrics = status)"
t=$(metric coord beaver_tau_min_seconds)
check_eq "$((10#${t%.*} * 1000000000 + 10#${t#*.}))" "${S[coord coordinator.tau_min_ns]}" \
	"coord: tau_min in s and ns (metrics = status)"
check_eq "$(metric coord 'beaver_snapshots_total{state="accepted"}')" 1 "coord: snapshots accepted"
check_eq "$(metric coord beaver_ogm_bound_seconds_count)" 1 "coord: t1 - t0 histogram count"
check_eq "$(metric coord 'beaver_ogm_bound_seconds_bucket{le="+Inf"}')" 1 "coord: t1 - t0 histogram +Inf bucket"
check_eq "$(metric coord beaver_snapshot_collect_seconds_count)" 1 "coord: collection times"
sleep 0.5	# the release of the snapshot's records reached m1
scrape m1
status m1 counters.cuts counters.bypass counters.late epoch.member \
	counters.objects_records counters.objects_flows control.drops.mac
well_formed m1
for k in cuts:counters.cuts bypass:counters.bypass late:counters.late; do
	check_eq "$(metric m1 "beaver_module_${k%%:*}_total")" "${S[m1 ${k#*:}]}" "m1: ${k%%:*} (metrics = status)"
done
check_eq "$(metric m1 'beaver_epoch{role="member"}')" "${S[m1 epoch.member]}" "m1: member epoch (metrics = status)"
check_eq "$(metric m1 'beaver_module_objects{kind="records"}')" "${S[m1 counters.objects_records]}" \
	"m1: records pending (metrics = status)"
check_eq "$(metric m1 'beaver_module_objects{kind="flows"}')" "${S[m1 counters.objects_flows]}" \
	"m1: flows (metrics = status)"
check_eq "$(metric m1 'beaver_control_dropped_datagrams_total{reason="mac"}')" "${S[m1 control.drops.mac]}" \
	"m1: control drops, mac (metrics = status)"
rc=0; nsx coord wget -q -O /dev/null "http://127.0.0.1:$PORT/nothing" 2>/dev/null || rc=$?
check_eq "$rc" 1 "coord: another path is an HTTP error (wget's exit status)"

log "reload mid-series: m3 dead, then taken out"
N=5
bvd_stop m3
bctl coord --json snapshot --wait --count $N --interval 0.1 >"$VM_STATE/series.json" 2>"$VM_STATE/series.err" &
series=$!
# SIGHUP while a snapshot is in progress (the first one fails after ~2 s)
end=$((SECONDS + 10))
until [ "$(bctl coord --json status | jq -r .coordinator.outstanding)" = 1 ] || [ $SECONDS -ge $end ]; do sleep 0.05; done
sleep 0.3
coord_conf "m1=10.0.1.11 m2=10.0.1.12"
kill -HUP "$(bvd_pid coord)"
rc=0; wait $series || rc=$?
cat "$VM_STATE/series.err"
jq -M -c '.snapshots[] | [.id, .state, .reason]' "$VM_STATE/series.json"
f=$VM_STATE/series.json
check_eq "$(jqf "$f" '.snapshots | length')" $N "series: snapshots (no break at the reload)"
nfail=$(jqf "$f" '[.snapshots[] | select(.state == "failed")] | length')
figure failed_before_reload "$nfail"
check_ge "$nfail" 1 "series: failed snapshots while m3 was configured"
check '[[ $(jqf "$f" "[.snapshots[] | select(.state == \"failed\") | .reason] | all(test(\"m3\"))") == true ]]' \
	"series: every failed snapshot names m3"
check_eq "$(jqf "$f" "[.snapshots[$nfail:][] | select(.state == \"accepted\")] | length")" $((N - nfail)) \
	"series: every snapshot after the reload accepted"
check_ge "$((N - nfail))" 3 "series: accepted snapshots after the reload"
check_eq "$(bvd_log_count 'reload: .* is valid; applied once the 1 snapshot\(s\) in progress end' coord)" 1 \
	"reload waited for the snapshot in progress"
check_eq "$(bvd_log_count 'reload: .* applied: 2 gateway\(s\), 2 member\(s\), removed: m3' coord)" 1 \
	"reload applied, m3 removed"
last=$(jqf "$f" '.snapshots[-1].id')
check_eq "$(bctl coord --json show "$last" | jq -r '.report.members | map(.node) | join(",")')" m1,m2 \
	"series: the last report's members"
bctl coord members
bctl coord --json members >"$VM_STATE/members.json"
f=$VM_STATE/members.json
check_eq "$(jqf "$f" .schema)" beaver-members/2 "members: schema"
check_eq "$(jqf "$f" '[.members[] | "\(.name):\(.state)"] | join(",")')" m1:up,m2:up,m3:removed "members: states"
check_eq "$(jqf "$f" '[.gateways[] | "\(.name):\(.state)"] | join(",")')" gw1:up,gw2:up "gateways: listed apart"
check_eq "$(jq -r '.members[] | select(.name == "m3") | .in_snapshots' "$f")" false "members: m3 not in snapshots"

log "an invalid file: the old one kept, FILE:LINE logged"
line=$(($(wc -l <"$conf") + 2))
printf '[coordinator]\nbogus = 1\n' >>"$conf"
kill -HUP "$(bvd_pid coord)"
end=$((SECONDS + 5))
until [ "$(bvd_log_count 'reload: .* is not valid; the running configuration is kept' coord)" = 1 ] ||
	[ $SECONDS -ge $end ]; do sleep 0.05; done
check_eq "$(bvd_log_count "reload: $conf:$line: unknown key 'bogus' in \\[coordinator\\]" coord)" 1 \
	"invalid: the log names $conf:$line"
check_eq "$(bvd_log_count 'reload: .* is not valid; the running configuration is kept' coord)" 1 \
	"invalid: the running configuration kept"
rc=0; bctl coord --json snapshot --wait >"$VM_STATE/after.json" || rc=$?
check_eq "$rc/$(jqf "$VM_STATE/after.json" .state)" 0/accepted "invalid: the next snapshot (old configuration, two members)"

log "a key that needs a restart: refused"
coord_conf "m1=10.0.1.11 m2=10.0.1.12"
sed -i 's/^node = coord$/node = coord2/' "$conf"
kill -HUP "$(bvd_pid coord)"
end=$((SECONDS + 5))
until [ "$(bvd_log_count 'needs a restart' coord)" = 1 ] || [ $SECONDS -ge $end ]; do sleep 0.05; done
check_eq "$(bvd_log_count "reload: node: 'coord' -> 'coord2' changed, which needs a restart" coord)" 1 \
	"restart: the reload refused, the key named"

log "reload counters: metrics against status"
scrape coord
status coord config.reloads.applied config.reloads.invalid config.reloads.refused \
	coordinator.accepted_attempts
well_formed coord
for r in applied invalid refused; do
	check_eq "$(metric coord "beaver_config_reloads_total{result=\"$r\"}")/${S[coord config.reloads.$r]}" 1/1 \
		"reloads $r (metrics/status)"
done
check_eq "$(metric coord 'beaver_peers{role="removed"}')/$(metric coord 'beaver_peers{role="member"}')" 1/2 \
	"peers: one removed, two members"
check_eq "$(metric coord 'beaver_snapshots_total{state="failed"}')" "$nfail" "snapshots failed (metrics)"
check_eq "$(metric coord 'beaver_snapshot_attempts_total{verdict="accepted"}')" \
	"${S[coord coordinator.accepted_attempts]}" "accepted attempts at the end (metrics = status)"
keep "$VM_STATE"/*.prom "$VM_STATE"/*.json
bvd_logs coord
