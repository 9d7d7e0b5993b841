# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 300
#
# `make demo`: Beaver on a small fleet, as a sysadmin would see it. Runs in
# the VM bench like a scenario (tests/vm/run.sh --demo), with the real
# beaver.ko, beaverd and beaverctl:
#
#   client ----VIP1 10.9.0.1----> gw1 --+  IPVS, direct routing
#   x (out-group) --VIP2 10.9.0.2--> gw2 --+  one-packet scheduling (UDP)
#                                          |
#                           m1, m2, m3: the "echo" service on UDP 7000;
#                           they also call each other's service
#   coord: beaverd as coordinator
#
# Prints each step and what beaverctl shows; checks a few things on the
# way (every snapshot of the series accepted and balanced, a rejection when
# tau_min is too small, the service answered every request, the bank's
# money conserved in every snapshot and wrong in some with marking off),
# so the demo fails loudly if Beaver does not do what it says.

need_module
need_tools beaver-nl udpnum beaverd beaverctl bank-server bank-relay bank-check
command -v jq >/dev/null || skip "jq missing in the VM image"
source /beaver/vm/chain.sh
source /beaver/vm/bank.sh
SERIES=12
BANK_N=50

# -- presentation ------------------------------------------------------------
hr() {
	printf '\n==== %s ====\n\n' "$*"
	echo "$*" >"$VM_STATE/progress"
}
say() { printf '%s\n' "$@"; }
# ctl HOST ARGS...: show and run `beaverctl ARGS` as typed on HOST
ctl() {
	local ns=$1
	shift
	printf '%s# beaverctl %s\n' "$ns" "$*"
	bctl "$ns" "$@"
}
quiet_check() { check "$@" >/dev/null; }

hr "Beaver for Linux: the demo"
say "Beaver takes causally consistent snapshots of the hosts behind IPVS load" \
    "balancers (the members) while they keep talking to hosts outside the" \
    "group, without delaying a single packet. Everything below runs in a QEMU" \
    "VM (Debian's kernel with beaver.ko); each host is a network namespace" \
    "with its own beaverd:" \
    "" \
    "  client 10.0.1.100 --VIP1 10.9.0.1--> gw1 10.0.1.1 --+  IPVS directors," \
    "  x      10.0.1.50  --VIP2 10.9.0.2--> gw2 10.0.1.2 --+  direct routing" \
    "                                                      |" \
    "       m1 10.0.1.11   m2 10.0.1.12   m3 10.0.1.13  <--+  members: the echo" \
    "       (they also call each other directly)              service, UDP 7000" \
    "  coord 10.0.1.5: the coordinator's beaverd" \
    "" \
    "Two gateways, how traffic reaches both: each gateway owns one VIP (gw1" \
    "VIP1, gw2 VIP2; clients route each VIP to its director, as DNS round" \
    "robin over two VIPs would spread them). Members hold both VIPs on lo and" \
    "answer clients directly (DR). Every packet entering the group crosses a" \
    "gateway, which stamps it with the current snapshot epoch; x stands for" \
    "an out-group service (a host nobody controls) calling the members." \
    "" "The whole run takes about two minutes."

hr "1. The network"
lab_demo
say "Namespaces, a bridge, IPVS on both gateways. gw1's table:" ""
say "gw1# ipvsadm -Ln"
nsx gw1 ipvsadm -Ln

hr "2. beaverd on every host"
# the bank (step 12) needs epochs on delivered packets, whole captures
# and its transfers in flight captured before the records close
BVD_MEMBER_OPTS=$BANK_MEMBER_OPTS
BVD_SETTLE_MS=400
demo_daemons
say "One beaverd per host, each with its own key (beaverctl genkey; the" \
    "others list its public key: only the coordinator's may command). m1's" \
    "configuration, then the coordinator's:" ""
sed 's/^/    /' "$BVD_DIR/m1.conf"
say ""
sed 's/^/    /' "$BVD_DIR/coord.conf"
say ""
ctl coord members

hr "3. Traffic"
demo_traffic 90 100
say "client -> VIP1: 100 requests/s, x -> VIP2: 50/s, spread over m1..m3 by" \
    "IPVS; m1 -> m2 -> m3 -> m1: 25/s each (with replies). Members delay what" \
    "they send by ${DEMO_DELAY:-0} (netem), so some packets are in flight" \
    "across the cuts."
sleep 2

hr "4. How fast are the gateways? (tau_min)"
say "A snapshot is accepted only if all gateways switched to the new epoch" \
    "within a window (t1 - t0, measured by the coordinator) shorter than" \
    "tau_min, the fastest possible causal chain gateway -> member -> outside" \
    "-> gateway. On real machines tau_min is a few tens of microseconds and" \
    "calibrate measures what it may not exceed; in this emulated VM (TCG)" \
    "every round trip takes milliseconds, so the demo sets tau_min = 1 s." \
    "The gateways' and members' beaverd measure the bound themselves, on the" \
    "data plane (ICMP echo to the members on ping sockets, which" \
    "net.ipv4.ping_group_range must allow, here in each namespace):" ""
for ns in gw1 gw2 m1 m2 m3; do nsysctl "$ns" "ipv4/ping_group_range=0 2147483647"; done
ctl coord calibrate --count 5
say "" "'tau_min ok: no' is calibrate telling the truth: with tau_min above the" \
    "data-plane lower bound, an accepted snapshot here does not prove" \
    "consistency against the fastest outside chains. It is a demo setting." \
    "The per-peer MIN/MEDIAN/MAX are the coordinator's own pings over the" \
    "control plane (through two daemons): information, never the bound."

hr "5. $SERIES snapshots while traffic flows"
rc=0
ctl coord snapshot --wait --count $SERIES --interval 0.5 || rc=$?
quiet_check '[ "$rc" = 0 ]' "the series: beaverctl exit status $rc"

hr "6. The list"
ctl coord list

# the snapshot of the series with the most packets in flight
best=0 most=-1
for id in $(bctl coord --json list --limit $SERIES | jq -r '.snapshots[].id'); do
	bctl coord --json show "$id" >"$VM_STATE/show.$id.json"
	quiet_check '[ "$(jqf "$VM_STATE/show.$id.json" .report.balanced)" = true ]' "snapshot $id balanced"
	n=$(jqf "$VM_STATE/show.$id.json" '[.report.channels[].inflight] | add // 0')
	if [ "${n:-0}" -gt "$most" ]; then most=$n best=$id; fi
done

hr "7. One snapshot in detail"
say "Snapshot $best: the verdict and its bound; each member's cut (the" \
    "instant on its CLOCK_MONOTONIC: the namespaces share one clock here)," \
    "the epochs it covered, completeness; and each direct channel between" \
    "members: packets sent before the sender's cut = received before the" \
    "receiver's cut + in flight (sent before, received after)." ""
ctl coord show "$best"
say "" "The same snapshot as a picture (docs/pictures.md): the gateways'" \
    "switch window against tau_min, one lane per member from its own cut," \
    "the channels with what was in flight." ""
ctl coord show --svg "$VM_STATE/snapshot.svg" "$best"
quiet_check 'grep -q "</svg>" "$VM_STATE/snapshot.svg"' "beaverctl show --svg $best wrote a picture"
if grep -q ' /mnt/host ' /proc/mounts 2>/dev/null; then
	bctl coord export "$best" >"$VM_STATE/snapshot.json"
	cp "$VM_STATE/snapshot.svg" "$VM_STATE/snapshot.json" /mnt/host/
	quiet_check 'cmp -s "$VM_STATE/snapshot.svg" /mnt/host/snapshot.svg' "the picture copied to the host"
	say "(written to the host: snapshot.svg, and snapshot.json, the export it" \
	    "is drawn from, in the directory run.sh names at the end)"
else
	say "(no host directory shared into the VM: the picture stays in it)"
fi

hr "8. The export (JSON)"
bctl coord export "$best" >"$VM_STATE/export.json"
say "coord# beaverctl export $best | head -n 40"
head -n 40 "$VM_STATE/export.json"
say "   ..." "(first 40 of $(wc -l <"$VM_STATE/export.json") lines, $(wc -c <"$VM_STATE/export.json") bytes: the report," \
    "then every member's record: its cut, every flow and channel with packet" \
    "and byte totals and TCP sequence numbers at the cut, captured in-flight" \
    "packets. Schema beaver-snapshot/1, docs/json-schema.md.) Per member:"
jq -r '.members[] | "  \(.node): cut at epoch \(.record.cut.last), \(.record.flows | length) flows, \(.record.channels | length) channels, \(.record.captures | length) in-flight captures"' \
	"$VM_STATE/export.json"

hr "9. Optimistic Gateway Marking at work"
say "The coordinator restarts with tau_min = 100 us, below any window this" \
    "emulated machine can switch two gateways in: every attempt is rejected," \
    "retried with a fresh epoch, and the snapshot ends rejected (exit 1). The" \
    "gateways did switch, and traffic carries the rejected epochs to the" \
    "members, which cut for them; but nothing is collected or reported for a" \
    "rejected epoch, and the next snapshot starts from a fresh one." ""
bvd_stop coord
bvd_conf coord coordinator $DEMO_COORD coordinator.tau_min_us=100 coordinator.retries=2
bvd_start coord
bvd_wait coord
rc=0
ctl coord snapshot --wait || rc=$?
say "(exit status $rc)"
quiet_check '[ "$rc" = 1 ]' "the rejected snapshot: exit status $rc, want 1"
rej=$(bctl coord --json list --limit 1 | jq -r '.snapshots[0].id')
quiet_check '[ "$(bctl coord --json show "$rej" | jq -r .snapshot.state)" = rejected ]' "snapshot $rej rejected"
say ""
ctl coord show "$rej"

hr "10. Status"
say "(The coordinator's attempt statistics count since its restart in step 9.)" ""
ctl coord status
say ""
say "m2# beaverctl status | grep -v ': *0\$'   (counters that are zero hidden)"
bctl m2 status | grep -v ': *0$'

hr "11. The service itself"
demo_traffic_wait stop >/dev/null
say "What the applications saw: every request of the client and of x, and" \
    "every call between members, is echoed back (received: echoes back before" \
    "the sender stopped, the last one may still be on its way; bad:" \
    "corrupted, which a stamp left in a packet would cause):"
for f in "$VM_STATE"/traffic.client "$VM_STATE"/traffic.x "$VM_STATE"/traffic.m?.call; do
	name=${f##*/traffic.}
	line=$(tr '\n' ' ' <"$f")
	say "  $name: $line"
	quiet_check '[ "$(kv "$line" bad)" = 0 ]' "$name: no corrupted echo"
done

hr "12. The bank: money at the cut"
say "examples/bank, a real application of libbeaver-app: each member runs an" \
    "account server; they move money to each other directly over UDP, over" \
    "TCP, and through bank-relay on x (outside the group: x -> VIP2 -> gw2" \
    "-> member, the external causal chain). On every cut each server hands" \
    "beaverd its balances as of the cut and the transfers it has sent and" \
    "not seen acknowledged; bank-check adds up, per snapshot, the balances," \
    "the transfers in flight (the records' captures for direct UDP; the" \
    "senders' pending ones, counted once by id, for the relay and TCP) and" \
    "must find the 1,000,000 the servers started with. Member-to-member" \
    "traffic takes 25 ms here, the coordinator's word to m1/m2/m3 10/20/30" \
    "ms, so members cut at different moments while money is on the way." \
    "" "Then the same with gateway marking off: a transfer relayed after its" \
    "sender's cut reaches a member that has not cut yet, and is counted" \
    "twice (docs/applications.md, \"The bank\")." ""
tbank=$EPOCHREALTIME
bvd_stop coord
for m in m1 m2 m3; do tc -n "$m" qdisc del dev eth0 root 2>/dev/null || true; done
bank_net
bvd_conf coord coordinator $DEMO_COORD coordinator.max_outstanding=12
bvd_start coord
bvd_wait coord
bank_start
sleep 0.5
say "coord# beaverctl snapshot --wait --count $((BANK_N / 10))   (10 clients at once)"
b=$(bank_series bank $BANK_N 10)
bank_control on
say "coord# echo N >/sys/module/beaver/parameters/gateway_marking; the same again" \
    "(and the coordinator's word to m1/m2/m3 20/120/220 ms late)"
c=$(bank_series control $BANK_N 10)
bank_control off
bank_stop >/dev/null
# bank_col FILE: bank-check's first 12 verdicts as one column: snapshot,
# money at the cut, verdict, transfers on the way at the cut
bank_col() {
	awk 'function c(n,  s) { s = ""; while (n >= 1000) { s = sprintf(",%03d", n % 1000) s; n = int(n / 1000) }; return n s }
	/^snapshot/ {
		w = 0
		for (i = 9; i <= 11; i++) { split($i, kv, "="); w += kv[2] }
		printf "%6s %10s  %-9s %6d\n", $2, c($6), $7, w
	}' "$1" | head -n 12
}
say "" "bank-check per snapshot: money at the cut, verdict, transfers on the way" \
    "(sent before the sender's cut, received after the receiver's); the" \
    "first 12 of each series:" "" \
    "  marking on                             |  marking off"
printf '  %6s %10s  %-9s %6s |  %6s %10s  %-9s %6s\n' id money verdict "on way" id money verdict "on way"
paste -d'|' <(bank_col "$VM_STATE/check.bank") <(bank_col "$VM_STATE/check.control") |
	sed 's/^/  /; s/|/ |  /'
# a snapshot that does not add up, with bank-check's reason
grep -m 3 WRONG "$VM_STATE/check.bank" || true
grep -q ' /mnt/host ' /proc/mounts 2>/dev/null &&
	cp "$VM_STATE"/check.bank "$VM_STATE"/check.control "$VM_STATE"/export.bank /mnt/host/
bacc=$(kv "$b" accepted) bcons=$(kv "$b" conserved)
cacc=$(kv "$c" accepted) cwrong=$(kv "$c" wrong)
say "" "money at the cut: 1,000,000 in $bcons of $bacc accepted snapshots; with marking off: wrong in $cwrong of $cacc"
quiet_check '[ "$bacc" -gt 0 ] && [ "$bcons" = "$bacc" ]' "the bank: the total conserved in every accepted snapshot"
quiet_check '[ "${cwrong:-0}" -gt 0 ]' "the bank with marking off: the total wrong in some snapshots"
figure bank_conserved "$bcons/$bacc"
figure bank_control_wrong "$cwrong/$cacc"
figure bank_secs "$(elapsed "$tbank")"

hr "Summary"
acc=$(bctl coord --json list --limit 100 | jq '[.snapshots[] | select(.state == "accepted")] | length')
say "$acc snapshots accepted, each with every member's record and every channel" \
    "balanced; $most packets were in flight in snapshot $best; one snapshot" \
    "rejected by OGM. Logs: build/vm/logs/demo.log. The daemons' logs follow" \
    "there; beaverctl(8), beaverd(8) and docs/ say more."
figure accepted "$acc"
figure inflight_best "$most"
# run.sh --demo shows the console up to here; the daemons' logs go to the
# log file only
echo "BEAVER-DEMO-END"
bvd_logs coord gw1 gw2 m1 m2 m3
