# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 120
#
# (f) Bypass detection. Unstamped packets that reach a member from outside
# the group without crossing a gateway break Beaver's precondition: they are
# counted (stat.bypass, and the `bypass` channel of every later cut). An
# allow-listed source is exempt (channel `outside`); traffic through the
# gateway is stamped (channel `gateway`); an unstamped packet from a member
# address is counted apart (stat.unstamped_member).
#
#   x 10.0.1.50 (out-group) ----------------------------> m1   bypass
#   y 10.0.1.60 (out-group, allow 10.0.1.56/29) --------> m1   outside
#   client --> director [gateway] --(VIP_DR, DR)--------> m1   gateway
#   m3 (a member address, beaver not configured) -------> m1   unstamped_member

need_module
need_tools beaver-nl udpnum
NX=40 NY=30 NC=20 NM=10

log "lab"
lab_ipvs
host y 10.0.1.60/24
ipvs_service director udp $VIP_DR:9001
ipvs_real director udp $VIP_DR:9001 10.0.1.11:9001 dr
beaver_lab 30
bnl m1 config allow 10.0.1.56/29,192.168.0.0/16
bnl m3 config role none	# m3 sends as a plain host from a member address
LAB_MEMBERS="m1 m2"	# (gw_advance announces its epochs to the members)
gw_advance director 1 >/dev/null
bnl m1 member-advance 1 >/dev/null
check_eq "$(bstat m1 allow)" 10.0.1.56/29,192.168.0.0/16 "m1's allow-list"

nsx m1 udpnum recv --port 9000 --count $((NX + NY + NM)) --timeout-ms 30000 \
	--ready-file "$(ready_file m1)" >"$VM_STATE/recv.9000" &
r1=$!
nsx m1 udpnum recv --port 9001 --count $NC --timeout-ms 30000 \
	--ready-file "$(ready_file m1v)" >"$VM_STATE/recv.9001" &
r2=$!
wait_ready m1
wait_ready m1v

log "x: $NX straight to m1 (bypass)"
nsx x udpnum send --dst 10.0.1.11 --port 9000 --count $NX --size 100 >/dev/null
log "y: $NY straight to m1 (allow-listed)"
nsx y udpnum send --dst 10.0.1.11 --port 9000 --count $NY --size 100 >/dev/null
log "client: $NC through the gateway"
nsx client udpnum send --dst $VIP_DR --port 9001 --count $NC --size 100 >/dev/null
log "m3: $NM unstamped from a member address"
nsx m3 udpnum send --dst 10.0.1.11 --port 9000 --count $NM --size 100 >/dev/null
wait "$r1" "$r2" || true
check_eq "$(kv "$(cat "$VM_STATE/recv.9000")" received)" $((NX + NY + NM)) \
	"datagrams delivered on port 9000 (bypass is counted, never dropped)"
check_eq "$(kv "$(cat "$VM_STATE/recv.9001")" received)" $NC "datagrams delivered through the VIP"

bypass=$(bstat m1 stat.bypass)
figure bypass "$bypass"
figure unstamped_member "$(bstat m1 stat.unstamped_member)"
check_eq "$bypass" $NX "m1 stat.bypass"
check_eq "$(bstat m1 stat.unstamped_member)" $NM "m1 stat.unstamped_member"

bnl m1 member-advance 2 >/dev/null
f=$(records m1 2)
cat "$f"
check_eq "$(rsum "$f" chan rx_pkts kind=bypass)" $NX "bypass channel rx_pkts at cut 2"
check_eq "$(rsum "$f" chan rx_pkts kind=outside)" $NY "outside channel rx_pkts at cut 2 (allow-listed y)"
check_eq "$(rsum "$f" chan rx_pkts kind=gateway)" $NC "gateway channel rx_pkts at cut 2"
check_eq "$(rsum "$f" flow rx_pkts proto=17 raddr=10.0.1.50)" $NX "flow from x at cut 2"

log "allow-listing x: no more bypass from it"
bnl m1 config allow 10.0.1.48/28
nsx m1 udpnum recv --port 9000 --count $NX --timeout-ms 30000 \
	--ready-file "$(ready_file m1b)" >"$VM_STATE/recv.b" &
r1=$!
wait_ready m1b
nsx x udpnum send --dst 10.0.1.11 --port 9000 --count $NX --size 100 >/dev/null
wait "$r1" || true
check_eq "$(kv "$(cat "$VM_STATE/recv.b")" received)" $NX "datagrams from x delivered"
check_eq "$(bstat m1 stat.bypass)" $NX "m1 stat.bypass after allow-listing x (unchanged)"
bnl m1 member-advance 3 >/dev/null
f=$(records m1 3)
check_eq "$(rsum "$f" chan rx_pkts kind=bypass)" $NX "bypass channel rx_pkts at cut 3 (cumulative, unchanged)"
check_eq "$(rsum "$f" chan rx_pkts kind=outside)" $((NY + NX)) "outside channel rx_pkts at cut 3"
check_eq "$(bstat director stat.gw_stamped)" $NC "datagrams stamped by the gateway"
