# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 600
# vm-ipv6: on
#
# The oracle over IPv6 (issue #11; docs/ipv6.md). Dual-stack hosts, two
# gateways (gw1 direct routing, gw2 NAT), four chains from A through the
# out-group relay x, each to a member of its own:
#
#   udp1  A --IPv6--> x --IPv6--> CVIP fd09:2::1 --gw1 (DR)--> B1 (m3)
#   tcp2  A --IPv6--> x --IPv6--> CVIP fd09:2::2 --gw1 (DR)--> B2 (m4)
#   udp3  A --IPv6--> x --IPv6--> CVIP fd09:2::3 --gw2 (NAT)--> B3 (m5)
#   udp4  A --IPv6--> x --IPv4--> CVIP 10.9.2.4  --gw2 (NAT)--> B4 (m6)
#
# (udp4 is the mixed chain: the causal order crosses from one family to
# the other at a host nobody controls.) A and m2 talk directly over both
# families: two channels between the same two members, each of which must
# balance by itself. The client reaches A over IPv4 through both gateways.
# tau_min 80 ms under a relay of at least 100 ms is a true lower bound, as
# in 17-chain-gateways.
#
# Control: gateway marking off, the Bs' advance 500 ms late: every chain
# protocol must show violations in at least half of the snapshots (the
# IPv6 stamps are what made the main run consistent).
#
#   client --VIP1,2 (IPv4)--> gw1 (DR) gw2 (NAT) --> m1 (A)
#   m1 (A) <--udp 9100/9101 (IPv4), 9102/9103 (IPv6)--> m2
need_module
need_tools udpnum tcpnum bvoracle beaverd beaverctl beaver-nl
command -v jq >/dev/null || skip "jq missing in the VM image"
CH_RELAY_DELAY=100ms	# the chains take >= 100 ms: tau_min 80 ms is a lower bound
CH_JITTER=100ms		# then 0-200 ms more past the gateway
CH_ADV_DELAY=200ms	# B's advance comes later than the chain's shortest path
source /beaver/vm/chain.sh
# 60 snapshots (300 in make check-full, which sets SOAK=1): make check is
# at its 30-minute budget; the control violated in 32 of 33 at 30
N=${N:-$([ "${SOAK:-0}" = 1 ] && echo 300 || echo 60)}
NCONTROL=${NCONTROL:-$CH_NCONTROL}	# 0: no control (make mutants)

log "lab: dual stack, gw1 (DR) and gw2 (NAT), chains udp1 tcp2 udp3 over IPv6, udp4 IPv6 then IPv4"
chain_lab 2 "udp:1:6 tcp:1:6 udp:2:6 udp:2:64"
chain_daemons coordinator.tau_min_us=80000 coordinator.retries=10 \
	coordinator.max_outstanding=8
log "traffic"
chain_traffic_start 10
chain_tcp_base
sleep 1

log "$N snapshots, 4 clients"
chain_snapshots main "$((N + 10))" 4
# with the gateways marking, nothing reaches a B unstamped (A gets the
# TCP chain's acknowledgements straight from x: bypass, as they should be)
bypass=
for m in m3 m4 m5 m6; do bypass+=${bypass:+/}$(bstat $m stat.bypass); done
a_bypass=$(bstat m1 stat.bypass)

if [ "$NCONTROL" -gt 0 ]; then
	log "control: gateway marking off, the Bs' advance 500 ms late, $NCONTROL snapshots"
	ch_adv_delay 500ms
	echo N >/sys/module/beaver/parameters/gateway_marking
	chain_snapshots control "$NCONTROL" 4
	echo Y >/sys/module/beaver/parameters/gateway_marking
fi
chain_traffic_stop

log "the oracle"
chain_export main
chain_verdict main "$N"
check_eq "$(kv "$CH_SUMMARY" tau_min_us)" 80000 "tau_min in the reports"
check_eq "$bypass" 0/0/0/0 "bypass counts on the Bs before the control"
figure a_bypass "$a_bypass"
for k in 1 2 3 4; do
	r=$(cat "$VM_STATE/ch.recv$k")
	figure "$(ch_name $k)_received" "$(kv "$r" received)"
done
for i in 1 2; do
	check_gt "$(bstat "gw$i" stat.gw_stamped)" 100 "packets gw$i stamped"
done

# the two families' channels between A and m2, in every accepted report:
# present, and balanced (the oracle checked the numbers; this checks that
# the IPv6 one is there at all and carried traffic)
ch6=$(jq -s '[.[] | select(.state == "accepted") | .report.channels[]? |
	select((.from == "m1" and .to == "m2") or (.from == "m2" and .to == "m1")) |
	select(.family == "ipv6")] | length' "$VM_STATE/export.main")
figure ipv6_direct_channels "$ch6"
check_ge "$ch6" "$N" "IPv6 channels between A and m2 in the accepted reports"

if [ "$NCONTROL" -gt 0 ]; then
	chain_export control
	chain_control_verdict control "gateway marking off"
fi
for ns in coord gw1 gw2 m1 m2 m3 m4 m5 m6; do bvd_alive $ns || fail "beaverd of $ns died"; done
keep "$VM_STATE"/export.* "$VM_STATE"/log.* "$VM_STATE"/lost.* "$VM_STATE"/oracle.*
