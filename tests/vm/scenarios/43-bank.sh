# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 300
#
# The bank (issue #14; examples/bank, docs/applications.md "The bank"):
# money moving between accounts on three members, directly over UDP, over
# TCP and through an out-group relay, while snapshots are taken as fast as
# the lab goes (twelve clients at once). In every accepted snapshot
# bank-check must find the 1,000,000 the servers started with, exactly:
# the balances each server submitted as of its member's cut, the direct
# transfers in flight from the records' captures, the relayed and TCP
# ones from the senders' pending transfers and the records' flow counts.
# The run must have been able to fail: in at least 30% of the snapshots
# some transfer straddles the cut (sent before its sender's cut, received
# after its receiver's).
#
# Control: the same with gateway marking off and the advances to members
# 20-220 ms late (bank_control in bank.sh): a transfer relayed after its
# sender's cut reaches a receiver that has not cut yet, and the money is
# counted twice; bank-check must find the total wrong in at least half of
# the control's snapshots.
#
#   m1 <-> m2 <-> m3 <-> m1   direct UDP and TCP, 25 ms
#   mI -> x (bank-relay) -> VIP2:731J -> gw2 -> mJ
#   coord --(10/20/30 ms; control 20/120/220)--> m1/m2/m3

need_module
need_tools beaverd beaverctl bank-server bank-relay bank-check
command -v jq >/dev/null || skip "jq missing in the VM image"
source /beaver/vm/chain.sh
source /beaver/vm/bank.sh
N=${N:-310}		# a few more than the 300 required: a time-out on a loaded host
NCONTROL=${NCONTROL:-$CH_NCONTROL}	# 0: no control (the main run alone)

log "lab: two DR gateways, three members, x (the relay), coordinator"
t0=$EPOCHREALTIME
bank_lab
check_eq "$(bstat m1 app_mark)" $((0xff0000)) "m1's app_mark (pushed by beaverd)"
log "bank: relay on x, a server on every member"
bank_start
head -n1 "$VM_STATE/bank.m1"
sleep 0.5

figure setup_secs "$(elapsed "$t0")"
log "$N snapshots, 12 clients"
t=$EPOCHREALTIME
s=$(bank_series main "$N" 12)
secs=$(elapsed "$t")
echo "$s"
# with the export and bank-check of all of them
figure main_secs "$secs"
figure snapshots_per_sec "$(awk -v s="$secs" -v n="$N" 'BEGIN { printf "%.1f", n / s }')"
grep -m 5 WRONG "$VM_STATE/check.main" || true
acc=$(kv "$s" accepted) cons=$(kv "$s" conserved) str=$(kv "$s" straddled)
if [ "$NCONTROL" -gt 0 ]; then
	log "control: gateway marking off, advances late, $NCONTROL snapshots"
	t=$EPOCHREALTIME
	bank_control on
	c=$(bank_series control "$NCONTROL" 4)
	bank_control off
	figure control_secs "$(elapsed "$t")"
	echo "$c"
	grep -m 3 WRONG "$VM_STATE/check.control" || true
fi
bank_stop >"$VM_STATE/bank.summary"
cat "$VM_STATE/bank.summary"
figure bank_secs "$(elapsed "$t0")"

echo "bank_accepted=$acc"
echo "bank_conserved=$cons"
echo "bank_straddled=$str"
figure bank_accepted "$acc"
figure bank_conserved "$cons"
figure bank_straddled "$str"
check_ge "$acc" 300 "accepted snapshots"
# A member's cut flagged rx_id_unread (it delivered ID stamps before it
# knew an epoch) may follow packets of its own epoch. The bank's traffic
# runs before its first snapshot, which is where that happened before
# the coordinator announced its first epoch to the members (decisions.md,
# "A member's first snapshot"): now no cut may be flagged, and every
# accepted snapshot must conserve the money (a wrong one that is flagged
# is named as such).
flagged=$(jq -r 'select([.members[].record.cut.flags[]?] | index("rx_id_unread")) | .epoch' \
	"$VM_STATE/export.main" | sort -n | tr '\n' ' ')
wrong=$(sed -n 's/^snapshot [0-9]* epoch \([0-9]*\): .*WRONG.*/\1/p' "$VM_STATE/check.main" |
	sort -n | tr '\n' ' ')
echo "flagged rx_id_unread: ${flagged:-none}; not conserved: ${wrong:-none}"
figure bank_flagged "$(wc -w <<<"$flagged")"
check_eq "$(wc -w <<<"$flagged")" 0 "snapshots with a member's cut flagged rx_id_unread (epochs: ${flagged:-none})"
check_eq "$cons" "$acc" "snapshots conserving the 1,000,000 exactly, of the accepted (not conserved: ${wrong:-none})"
check_ge "$((str * 100))" "$((30 * ${acc:-0}))" "100 x snapshots with a straddling transfer (>= 30% of the accepted)"
if [ "$NCONTROL" -gt 0 ]; then
	cacc=$(kv "$c" accepted) cwrong=$(kv "$c" wrong)
	echo "bank_control_wrong=$cwrong"
	figure bank_control_wrong "$cwrong/$cacc"
	check_ge "$cacc" $((NCONTROL / 2)) "accepted control snapshots"
	check_ge "$((cwrong * 2))" "${cacc:-1}" "2 x control snapshots with the total wrong (>= 50%)"
fi
for i in 1 2 3; do
	check_eq "$(kv "$(tail -n1 "$VM_STATE/bank.m$i")" unmarked)" 0 "m$i: datagrams without an epoch"
done
check_eq "$(bvd_log_count 'beaverd: (error|crit|alert|emerg):' coord gw1 gw2 m1 m2 m3)" 0 \
	"error lines in the daemons' logs"
for ns in coord gw1 gw2 m1 m2 m3; do bvd_alive $ns || fail "beaverd of $ns died"; done
keep "$VM_STATE"/export.* "$VM_STATE"/check.* "$VM_STATE"/bank.*
