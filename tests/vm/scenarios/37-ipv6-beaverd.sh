# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 300
# vm-ipv6: on
#
# beaverd over IPv6 end to end (issue #11, item 1, user space): a
# dual-stack group whose control plane is IPv4. gw1 (gateway), members m1
# and m2 with an IPv4 and an IPv6 address each (all four in members, both
# of each member in the coordinator's data list), the coordinator on br0.
# m1 streams numbered datagrams to m2 over IPv4 and over IPv6 at once
# (udpnum, an AF_INET6 socket for the second) while the coordinator takes
# a series of snapshots; members delay what they send by 5 ms, so packets
# are in flight across the cuts. Then, from the exports:
#
#   - the records hold IPv6 flows and member channels with IPv6 peers: the
#     module counted IPv6, and records_nl, the JSON and the store kept it;
#   - the reports keep the pair's IPv4 and IPv6 channels m1 -> m2 apart
#     (the second with "family": "ipv6"), each balanced by itself, and
#     list both addresses of each member;
#   - bvoracle checks every accepted snapshot from the records alone, per
#     family: no violation, and its IPv6 pairs (m1>m2~6) were checked;
#   - control: the IPv6 channel carried packets (sent > 0 in some report),
#     else the per-family checks proved nothing;
#   - beaverctl show prints the family column.
#
# Needs IPv6 on the VM's interfaces (run.sh's "# vm-ipv6: on") and a module
# that advertises BEAVER_CAP_IPV6: else SKIP.
#
#   gw1 10.0.1.1, coord 10.0.1.5: br0
#   m1 10.0.1.11 2001:db8:1::11 ==udp 7000 (IPv4), 7006 (IPv6)==> m2 10.0.1.12 2001:db8:1::12

need_module
need_tools udpnum beaverd beaverctl bvoracle
command -v jq >/dev/null || skip "jq missing in the VM image"
[ "$(cat /proc/sys/net/ipv6/conf/default/disable_ipv6 2>/dev/null)" = 0 ] ||
	skip "IPv6 is off on this VM's interfaces (run.sh: '# vm-ipv6: on')"
beaver_load
caps=$(beaver-nl info | awk '$1 == "caps" { print $2 }')
figure caps "$caps"
(( caps & (1 << 9) )) || skip "beaver.ko without BEAVER_CAP_IPV6 (caps $caps)"

PPS=100
SECS=12
N=${N:-15}		# snapshots in the series
A1=2001:db8:1::11
A2=2001:db8:1::12
MEMBERS46=10.0.1.11,10.0.1.12,$A1,$A2

log "lab: gw1, m1 and m2 dual-stack, coordinator"
# new namespaces take the root's IPv6 settings; no duplicate address
# detection: the addresses are usable at once
echo 1 >/proc/sys/net/core/devconf_inherit_init_net
echo 0 >/proc/sys/net/ipv6/conf/default/accept_dad
echo 0 >/proc/sys/net/ipv6/conf/all/accept_dad
DEMO_GWS="gw1=10.0.1.1"
lab_demo m1 m2
ip -n m1 addr add $A1/64 dev eth0
ip -n m2 addr add $A2/64 dev eth0

BVD_COORDS=coord=$DEMO_COORD
bvd_conf gw1 gateway 10.0.1.1 group.members=$MEMBERS46
bvd_conf m1 member 10.0.1.11 group.members=$MEMBERS46
bvd_conf m2 member 10.0.1.12 group.members=$MEMBERS46
bvd_conf coord coordinator $DEMO_COORD group.members=$MEMBERS46
sed -i -e "s/^data = 10\.0\.1\.11\$/data = 10.0.1.11, $A1/" \
	-e "s/^data = 10\.0\.1\.12\$/data = 10.0.1.12, $A2/" "$BVD_DIR/coord.conf"
grep -n '^data' "$BVD_DIR/coord.conf"
bvd_up gw1 m1 m2 coord
check_eq "$(bstat m1 members)" "10.0.1.11,10.0.1.12,$A1,$A2" "m1's module: members of both families"

# neighbours first (the trust rule looks them up), then both streams
nsx m1 ping -c 1 -W 2 10.0.1.12 >/dev/null
nsx m1 ping6 -c 1 -W 2 $A2 >/dev/null
COUNT=$((PPS * SECS))
nsx m2 udpnum recv --port 7000 --count $COUNT --timeout-ms 90000 --idle-ms 5000 \
	--ready-file "$(ready_file m2)" >"$VM_STATE/recv4" &
r4=$!
wait_ready m2
nsx m2 udpnum recv --bind :: --port 7006 --count $COUNT --timeout-ms 90000 \
	--idle-ms 5000 --ready-file "$(ready_file m2-6)" >"$VM_STATE/recv6" &
r6=$!
wait_ready m2-6
nsx m1 udpnum send --dst 10.0.1.12 --port 7000 --sport 47000 --count $COUNT \
	--pps $PPS --size 100 >"$VM_STATE/send4" &
s4=$!
nsx m1 udpnum send --dst $A2 --port 7006 --sport 47006 --count $COUNT \
	--pps $PPS --size 100 >"$VM_STATE/send6" &
s6=$!

log "$N snapshots while both streams flow"
sleep 0.5
rc=0
bctl coord --json snapshot --wait --count "$N" --interval 0.3 \
	>"$VM_STATE/series.json" || rc=$?
figure series_exit "$rc"
wait "$s4" "$s6"
wait "$r4" || true
wait "$r6" || true
for f in 4 6; do
	out=$(cat "$VM_STATE/recv$f")
	echo "m2 IPv$f: $out / m1: $(cat "$VM_STATE/send$f")"
	check_eq "$(kv "$out" received)/$(kv "$out" bad)" "$COUNT/0" \
		"IPv$f datagrams received/bad at m2"
done
sleep 1
bctl coord --json snapshot --wait >"$VM_STATE/flush.json" || true

{ jq -r '.snapshots[].id' "$VM_STATE/series.json"; jqf "$VM_STATE/flush.json" .id; } \
	>"$VM_STATE/ids"
xargs -r beaverctl --socket "$(bvd_sock coord)" export <"$VM_STATE/ids" \
	>"$VM_STATE/export" || fail "beaverctl export failed"
acc=$(jq -s '[.[] | select(.state == "accepted")] | length' "$VM_STATE/export")
figure accepted "$acc"
check_ge "$acc" $((N / 2)) "accepted snapshots"

log "records: IPv6 flows and channels"
q() { jq -s "[.[] | select(.state == \"accepted\") | $1] | add // 0" "$VM_STATE/export"; }
f6=$(q "[.members[].record.flows[] | select(.laddr == \"$A1\" and .raddr == \"$A2\")] | length")
c6=$(q "[.members[] | select(.node == \"m2\") | .record.channels[] | select(.kind == \"member\" and .peer == \"$A1\")] | length")
figure ipv6_flow_entries "$f6"
figure ipv6_channel_entries "$c6"
check_gt "$f6" 0 "m1's IPv6 flow to m2 in the records"
check_gt "$c6" 0 "m2's IPv6 member channel from m1 in the records"

log "reports: a channel per family, each balanced"
jq -s -r '.[] | select(.state == "accepted") | .report as $r
	| ($r.channels | map(select(.from == "m1" and .to == "m2"))) as $c
	| [.id, ($c | map(select(.family == null)) | length),
	   ($c | map(select(.family == "ipv6")) | length),
	   ($c | map(select(.family == "ipv6")) | .[0].sent // 0),
	   ($c | map(select(.balanced | not)) | length),
	   ($r.members | map(.addresses // [] | length) | min)]
	| map(tostring) | join(" ")' "$VM_STATE/export" >"$VM_STATE/table"
cat "$VM_STATE/table"
read -r bad_pairs sent6 unbal addrs < <(awk '
	{ if ($2 != 1 || $3 != 1) bad++; s += $4; u += $5; if (m == "" || $6 < m) m = $6 }
	END { print bad + 0, s + 0, u + 0, m + 0 }' "$VM_STATE/table")
figure ipv6_sent "$sent6"
check_eq "$bad_pairs" 0 "reports without exactly one IPv4 and one IPv6 channel m1 -> m2"
check_gt "$sent6" 0 "control: the IPv6 channel carried packets"
check_eq "$unbal" 0 "unbalanced channels m1 -> m2 in the reports"
check_eq "$addrs" 2 "each member's addresses in the reports (both families)"

log "bvoracle, per family"
rc=0
out=$(bvoracle --detail "$VM_STATE/detail" "$VM_STATE/export") || rc=$?
echo "$out"
head -n 3 "$VM_STATE/detail"
check_eq "$rc" 0 "bvoracle exit status"
check_eq "$(kv "$out" violations)" 0 "bvoracle violations"
check_eq "$(kv "$out" checked)" "$acc" "bvoracle: every accepted snapshot checked"
check_gt "$(grep -c 'm1>m2~6=' "$VM_STATE/detail")" 0 "bvoracle checked IPv6 pairs"
figure oracle_pairs "$(kv "$out" pairs_checked)"

bctl coord show latest >"$VM_STATE/show.txt" || true
grep -A4 "channels:" "$VM_STATE/show.txt"
check 'grep -q "FROM  TO  FAMILY" "$VM_STATE/show.txt"' "beaverctl show: the family column"
check_eq "$(bvd_log_count 'beaverd: (error|crit|alert|emerg):' coord gw1 m1 m2)" 0 \
	"error lines in the daemons' logs"
for ns in coord gw1 m1 m2; do bvd_alive $ns || fail "beaverd of $ns died"; done
keep "$VM_STATE"/export "$VM_STATE"/table "$VM_STATE"/detail "$VM_STATE"/show.txt
