# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 600
#
# Parallel snapshots: eight beaverctl clients at once against a coordinator
# that allows eight outstanding, so that many epochs are in flight together
# (each member keeps every record per epoch), at the highest rate this
# bench sustains; the oracle on every accepted one. The rate is compared
# with one client taking snapshots one after another in the same run (a
# ratio: absolute rates mean nothing under TCG), and the largest number of
# snapshots running at once is read back from their start and end times.
#
# Control: gateway marking off, the Bs' advance 1.2 s late, CH_NCONTROL (12)
# snapshots
# eight at a time: every chain must show violations in at least half.
#
#   client --VIP1,2,3--> gw1 gw2 gw3 --> m1 (A) --> x --CVIP1,2,3--> B1 B2 B3

need_module
need_tools udpnum bvoracle beaverd beaverctl
command -v jq >/dev/null || skip "jq missing in the VM image"
# eight at once load the coordinator: t1 - t0 reaches 100-200 ms under
# TCG, so the chains take >= 300 ms and tau_min is 250 ms (still a lower
# bound), or most attempts would be rejected and the rate meaningless
CH_RELAY_DELAY=300ms
CH_JITTER=300ms		# then 0-600 ms more past the gateway
CH_ADV_DELAY=400ms	# B's advance comes later than the chain's shortest path
source /beaver/vm/chain.sh
NSEQ=${NSEQ:-8}
# 0: no control (make mutants)
NCONTROL=${NCONTROL:-$CH_NCONTROL}
# 100 (240 in make check-full, which sets SOAK=1): the eight clients still
# run 8 at a time for about 20 s
N=${N:-$([ "${SOAK:-0}" = 1 ] && echo 240 || echo 100)}
PAR=8

log "lab: three gateways, three chains"
chain_lab 3 "udp:1 udp:2 udp:3"
chain_daemons coordinator.tau_min_us=250000 coordinator.retries=10 \
	coordinator.max_outstanding=$PAR
# gw3 answers 0-240 ms late (netem jitter): some attempts exceed tau_min
# and are retried with a newer epoch, so younger snapshots finish before
# older ones (what releases must survive) on a quiet host too, where the
# rest of the lab is too orderly for that (0 out of order in a quiet
# make check)
ch_to coord 10.0.1.3 delay 120ms 120ms
chain_traffic_start 5
sleep 1

log "$NSEQ snapshots, one client"
t=$EPOCHREALTIME
chain_snapshots seq $NSEQ 1
seq_rate=$(awk -v s="$(elapsed "$t")" -v n=$NSEQ 'BEGIN { printf "%.2f", n / s }')
log "$N snapshots, $PAR clients"
t=$EPOCHREALTIME
chain_snapshots main "$N" $PAR
par_rate=$(awk -v s="$(elapsed "$t")" -v n="$N" 'BEGIN { printf "%.2f", n / s }')
if [ "$NCONTROL" -gt 0 ]; then
	log "control: gateway marking off, the Bs' advance 1.2 s late, $NCONTROL snapshots"
	ch_adv_delay 1200ms
	echo N >/sys/module/beaver/parameters/gateway_marking
	chain_snapshots control "$NCONTROL" $PAR
	echo Y >/sys/module/beaver/parameters/gateway_marking
fi
chain_traffic_stop
figure seq_per_sec "$seq_rate"
figure par_per_sec "$par_rate"
figure speedup "$(awk -v a="$par_rate" -v b="$seq_rate" 'BEGIN { printf "%.2f", a / b }')"

log "the oracle"
chain_export main
chain_verdict main $((N * 3 / 4))
s=$CH_SUMMARY
figure accepted_share "$(awk -v a="$(kv "$s" accepted)" -v n="$(kv "$s" documents)" 'BEGIN { printf "%.3f", a / n }')"
# most snapshots running at once: sweep over [created, finished] intervals
conc=$(jq -r '"\(.created_ns) 1\n\(.finished_ns) -1"' "$VM_STATE/export.main" |
	sort -n -k1,1 -k2,2n | awk '{ c += $2; if (c > m) m = c } END { print m + 0 }')
figure max_concurrent "$conc"
check_ge "$conc" 4 "snapshots running at the same time"
# releases with snapshots finishing out of order: a younger one that ends
# first must not take an older one's records (chain_verdict checks that
# none failed for a missing record; the figure says it, and the count of
# out-of-order finishes says the run gave it the chance)
n=$(jq -r 'select(.state == "failed") | .reason' "$VM_STATE/export.main" |
	grep -c 'has no record' || true)
figure release_failed "$n"
n=$(jq -r '"\(.id) \(.finished_ns)"' "$VM_STATE/export.main" | sort -n -k1,1 |
	awk '{ if ($2 < max) c++; if ($2 > max) max = $2 } END { print c + 0 }')
figure finished_out_of_order "$n"
check_ge "$n" 1 "snapshots that finished before an older one"
check_gt "$(awk -v a="$par_rate" -v b="$seq_rate" 'BEGIN { print (a > b * 1.5) }')" 0 \
	"parallel rate ($par_rate/s) above 1.5 x the sequential one ($seq_rate/s)"
if [ "$NCONTROL" -gt 0 ]; then
	chain_export control
	chain_control_verdict control "gateway marking off"
fi
for ns in coord gw1 gw2 gw3 m1 m2 m3 m4 m5; do bvd_alive $ns || fail "beaverd of $ns died"; done
keep "$VM_STATE"/export.* "$VM_STATE"/log.* "$VM_STATE"/lost.* "$VM_STATE"/oracle.*
