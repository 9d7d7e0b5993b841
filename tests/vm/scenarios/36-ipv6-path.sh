# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 150
# vm-ipv6: on
#
# The IPv6 data path (issue #11, item 1): the same protocol as over IPv4,
# with the 16-byte Destination Options stamp (docs/ipv6.md).
#
#   client fd00:2::2 ===== director fd00:2::1 | fd00:1::1 (gateway, IPVS)
#                            VIP_DR6  fd00:9::1 tcp/8080 -> m1 (direct routing)
#                            VIP_NAT6 fd00:9::2 tcp/8080 -> m2 (masquerading)
#                            VIP_FAR6 fd00:9::3 tcp/8080 -> m3 (masquerading)
#   br0: director, m1 fd00:1::11 (VIP_DR6 on lo), m2 fd00:1::12,
#        x fd00:1::50 (out-group, on the LAN: off the gateways' path),
#        router r fd00:1::2 --(MTU 1,400 on r's side only)-- m3 fd00:3::3
#
# Shows: the gateway stamps IPv6 packets to members in DR and NAT mode and
# members strip and count them; the gateway's epoch advances and members
# cut on it; the member-to-member channel balances per epoch over IPv6
# (sent = received + in flight); a TCP transfer through each VIP completes
# with full-size segments (MSS clamped by 16, nothing fragmented, nothing
# split); neighbour discovery and link-local traffic are not bypass, a
# packet sent to a member directly is; router r's Packet Too Big about a
# stamped packet reaches the client 16 bytes lower (1,384), so its TCP
# transfer to m3 completes.
#
# Written when the bench's tools spoke IPv4 only (udpnum and tcpnum now
# speak both; 38-chain-ipv6 uses them): TCP goes through bash's /dev/tcp
# and busybox nc, member-to-member traffic is busybox ping6 (ICMPv6 echoes
# are group traffic like any other).

need_module
need_tools beaver-nl
[ -d /proc/sys/net/ipv6 ] || skip "no IPv6 in this kernel"

VIP_DR6=fd00:9::1
VIP_NAT6=fd00:9::2
M1=fd00:1::11
VIP_FAR6=fd00:9::3
M2=fd00:1::12
M3=fd00:3::3
GW=fd00:1::1
MEMBERS6=$M1,$M2,$M3
VIPS6=$VIP_DR6,$VIP_NAT6,$VIP_FAR6
BYTES=1000000

# snmp6 NAME KEY: a counter of /proc/net/snmp6 in a namespace
snmp6() { awk -v k="$2" '$1 == k { print $2 }' "$(nsproc "$1" snmp6)"; }

# tcp_via NAME VIP: BYTES from the client through VIP to the member NAME
# (busybox nc listening there) within TMO seconds, verified by length;
# prints the bytes received
tcp_via() {
	local ns=$1 vip=$2 tmo=${TMO:-60}
	nsx "$ns" timeout "$tmo" nc -l -p 8080 >"$VM_STATE/tcp.$ns" &
	local spid=$!
	wait_tcp "$ns" 8080
	nsx client timeout "$tmo" bash -c "head -c $BYTES /dev/zero >/dev/tcp/$vip/8080" ||
		fail "client -> $vip: the transfer failed"
	wait "$spid" || true
	echo $(( $(wc -c <"$VM_STATE/tcp.$ns") ))
}

log "lab"
# IPv6 settings of new namespaces from the root's (IPv6 resets them by
# default); no duplicate address detection: addresses usable at once
echo 1 >/proc/sys/net/core/devconf_inherit_init_net
echo 0 >/proc/sys/net/ipv6/conf/default/accept_dad
echo 0 >/proc/sys/net/ipv6/conf/all/accept_dad
host director $GW/64
host m1 $M1/64 br0 $GW
host m2 $M2/64 br0 $GW
host x fd00:1::50/64
host r fd00:1::2/64 br0 $GW
netns m3
p2p r fd00:3::1/64 m3 $M3/64
ip -n r link set to-m3 mtu 1400
ip -n m3 route add default via fd00:3::1
nsysctl r ipv6/conf/all/forwarding=1
ip -n director route add fd00:3::/64 via fd00:1::2
netns client
p2p client fd00:2::2/64 director fd00:2::1/64
ip -n client route add default via fd00:2::1
ip -n director -batch - <<EOF
addr add $VIP_DR6/128 dev lo
addr add $VIP_NAT6/128 dev lo
addr add $VIP_FAR6/128 dev lo
EOF
ip -n m1 addr add $VIP_DR6/128 dev lo
nsysctl director ipv6/conf/all/forwarding=1
modprobe ip_vs
modprobe ip_vs_rr
nsx director ipvsadm -A -t "[$VIP_DR6]:8080" -s rr
nsx director ipvsadm -a -t "[$VIP_DR6]:8080" -r "[$M1]:8080" -g -w 1
nsx director ipvsadm -A -t "[$VIP_NAT6]:8080" -s rr
nsx director ipvsadm -a -t "[$VIP_NAT6]:8080" -r "[$M2]:8080" -m -w 1
nsx director ipvsadm -A -t "[$VIP_FAR6]:8080" -s rr
nsx director ipvsadm -a -t "[$VIP_FAR6]:8080" -r "[$M3]:8080" -m -w 1

beaver_loaded || beaver_load
caps=$(bnl - info | awk '$1 == "caps" { print $2 }')
figure caps "$caps"
check '(( caps & (1 << 9) ))' "GET_INFO advertises BEAVER_CAP_IPV6"
bnl director config role gateway group "$GROUP" members "$MEMBERS6" vips "$VIPS6"
# m3 trusts the director through r, its next hop towards it (trust.h)
for m in m1 m2 m3; do
	bnl "$m" config role member group "$GROUP" members "$MEMBERS6" \
		gateways $GW vips "$VIPS6" settle 30
done
LAB_MEMBERS="m1 m2 m3"	# gw_advance announces its epochs to them
# the gateway's neighbour entry on each member (trust.h), and the route
for m in m1 m2 m3; do nsx "$m" ping6 -c 1 -W 2 $GW >/dev/null; done
nsx client ping6 -c 1 -W 2 fd00:2::1 >/dev/null
gw_advance director 3 >/dev/null

log "DR: client -> VIP_DR6 -> m1, TCP $BYTES bytes"
gs0=$(bstat director stat.gw_stamped)
rs0=$(bstat m1 stat.rx_stamped)
cl0=$(bstat m1 stat.mss_clamped)
got=$(tcp_via m1 $VIP_DR6)
gs1=$(bstat director stat.gw_stamped)
rs1=$(bstat m1 stat.rx_stamped)
figure dr_gw_stamped $((gs1 - gs0))
figure dr_m1_rx_stamped $((rs1 - rs0))
check_eq "$got" $BYTES "bytes m1 received through VIP_DR6"
check_gt $((gs1 - gs0)) 0 "IPv6 packets the gateway stamped towards m1 (DR)"
check_gt $((rs1 - rs0)) 0 "stamped IPv6 packets m1 received"
check_ge $(( $(bstat m1 stat.mss_clamped) - cl0 )) 1 "m1 clamped its SYN-ACK"
check_eq "$(bstat m1 member_epoch)" 3 "m1's epoch (cut on the gateway's stamp)"

log "NAT: client -> VIP_NAT6 -> m2, TCP $BYTES bytes"
gs0=$(bstat director stat.gw_stamped)
rs0=$(bstat m2 stat.rx_stamped)
got=$(tcp_via m2 $VIP_NAT6)
gs1=$(bstat director stat.gw_stamped)
rs1=$(bstat m2 stat.rx_stamped)
figure nat_gw_stamped $((gs1 - gs0))
figure nat_m2_rx_stamped $((rs1 - rs0))
check_eq "$got" $BYTES "bytes m2 received through VIP_NAT6"
check_gt $((gs1 - gs0)) 0 "IPv6 packets the gateway stamped towards m2 (NAT)"
check_gt $((rs1 - rs0)) 0 "stamped IPv6 packets m2 received"
check_eq "$(bstat m2 member_epoch)" 3 "m2's epoch (cut on the gateway's stamp)"

log "full-size segments, nothing fragmented or split"
gw_advance director 4 >/dev/null
nsx client timeout 10 bash -c "echo hi >/dev/tcp/$VIP_NAT6/8080" 2>/dev/null || true
for m in m1 m2; do bnl "$m" member-advance 4 >/dev/null; done
f1=$(records m1 4)
pk=$(rsum "$f1" flow rx_pkts proto=6 lport=8080)
by=$(rsum "$f1" flow rx_bytes proto=6 lport=8080)
avg=$(( pk ? by / pk : 0 ))
figure dr_rx_pkts "$pk"
figure dr_avg_len "$avg"
# 1,000,000 bytes in segments of at most 1500 - 16 (stamp) bytes: the
# average packet (SYN, FIN and ACKs included) stays close to the maximum
check_le "$avg" 1484 "average IPv6 length m1 counted (stamp excluded)"
check_ge "$avg" 1300 "average IPv6 length m1 counted (full-size segments)"
check_eq "$(snmp6 director Ip6FragCreates)/$(snmp6 m1 Ip6ReasmReqds)/$(snmp6 m2 Ip6ReasmReqds)" 0/0/0 \
	"IPv6 fragments made by the director / reassembled by m1, m2"
check_eq "$(bstat director stat.stamp_split)/$(bstat director stat.stamp_toobig)" 0/0 \
	"segments the gateway split / refused"
check_eq "$(bstat m1 stat.rx_malformed)/$(bstat m1 stat.rx_strip_err)/$(bstat m2 stat.rx_strip_err)" 0/0/0 \
	"malformed / strip errors on the members"
check_eq "$(bstat m1 stat.rx_untrusted)/$(bstat m2 stat.rx_untrusted)" 0/0 \
	"stamps m1, m2 refused as untrusted (the gateway's neighbour over ND)"

log "epochs advance: gateway at 5, the next packet to m2 cuts it"
gw_advance director 5 >/dev/null
got=$(BYTES=20000 tcp_via m2 $VIP_NAT6)
check_eq "$(bstat m2 member_epoch)" 5 "m2's epoch after the gateway's advance to 5"
figure m2_epoch "$(bstat m2 member_epoch)"

log "member -> member over IPv6: the channel balances per epoch"
tx0=$(bstat m1 stat.tx_stamped)
rx0=$(bstat m2 stat.rx_stamped)
bnl m1 member-advance 10 >/dev/null
nsx m1 ping6 -q -c 60 -i 0.05 -s 1000 $M2 >"$VM_STATE/ping.m1" &
ppid=$!
for e in 11 12; do
	sleep 1
	bnl m1 member-advance $e >/dev/null
done
wait "$ppid" || fail "ping6 m1 -> m2 lost echoes: $(tail -n 2 "$VM_STATE/ping.m1")"
for m in m1 m2; do bnl "$m" member-advance 13 >/dev/null; done
for m in m1 m2; do bnl "$m" wait-complete 13 10000 >/dev/null; done
dump_records "$VM_STATE/bal" 10 13 m1 m2
check '[ ! -s "$VM_STATE/bal/errors" ]' "records of 10..13 dumped"
bal=$(balance "$VM_STATE/bal" 10 13 $M1=m1 $M2=m2)
echo "$bal"
check '! grep -q "^bad" <<<"$bal"' "m1 <-> m2 channels: sent = received + in flight, epochs 10..13"
txm=$(rsum "$VM_STATE/bal/m1.13" chan tx_pkts kind=member peer=$M2)
figure m2m_tx_pkts "$txm"
figure m2m_stamped $(( $(bstat m1 stat.tx_stamped) - tx0 ))
check_ge "$txm" 60 "echo requests m1 counted on its channel to m2"
# both ends count lengths without the stamp: 60 echoes of 40 + 8 + 1000
txb=$(rsum "$VM_STATE/bal/m1.13" chan tx_bytes kind=member peer=$M2)
rxb=$(rsum "$VM_STATE/bal/m2.13" chan rx_bytes kind=member peer=$M1)
figure m2m_bytes "$rxb"
check_eq "$txb" $((60 * 1048)) "bytes m1 counted on its channel to m2 (stamp excluded)"
check_eq "$rxb" "$txb" "bytes m2 counted from m1 = bytes m1 counted to m2"
check_ge $(( $(bstat m2 stat.rx_stamped) - rx0 )) 60 "stamped IPv6 packets m2 received from m1"
check_eq "$(bstat m2 member_epoch)" 13 "m2's epoch"

log "link-scope traffic is not bypass"
b0=$(bstat m1 stat.bypass)
ns0=$(snmp6 m1 Icmp6InNeighborSolicits)
ll=$(ip -n m1 -6 -o addr show dev eth0 scope link | awk '{ sub(/\/.*/, "", $4); print $4 }')
ip -n x neigh flush dev eth0
ip -n m1 neigh flush dev eth0
nsx x ping6 -c 3 -i 0.2 -I eth0 "$ll" >/dev/null || fail "x -> m1's link-local address $ll"
figure nd_solicits_m1 $(( $(snmp6 m1 Icmp6InNeighborSolicits) - ns0 ))
check_gt $(( $(snmp6 m1 Icmp6InNeighborSolicits) - ns0 )) 0 "neighbour solicitations m1 received"
check_eq "$(bstat m1 stat.bypass)" "$b0" "m1's bypass counter after ND and link-local echoes"

log "traffic sent to a member directly is bypass"
nsx x ping6 -c 5 -i 0.2 $M1 >/dev/null || fail "x -> m1 ($M1)"
b1=$(bstat m1 stat.bypass)
figure bypass $((b1 - b0))
check_eq $((b1 - b0)) 5 "m1's bypass counter after 5 echo requests from x"

log "a Packet Too Big from router r beyond the gateway: 16 bytes lower"
lo0=$(bstat director stat.icmp_mtu_lowered)
# (a black hole would stall it: 10 s are plenty for 200 KB)
got=$(BYTES=200000 TMO=10 tcp_via m3 $VIP_FAR6)
check_eq "$got" 200000 "bytes m3 received through VIP_FAR6 (r's hop: MTU 1,400)"
lowered=$(( $(bstat director stat.icmp_mtu_lowered) - lo0 ))
pmtu=$(ip -n client -6 route get $VIP_FAR6 | sed -n 's/.* mtu \([0-9]*\).*/\1/p')
figure ptb_lowered "$lowered"
figure client_pmtu "${pmtu:-none}"
check_ge "$lowered" 1 "Packet Too Big errors the director lowered"
check_eq "$pmtu" 1384 "the client's path MTU to VIP_FAR6 (r's 1,400 less the stamp)"
check_ge "$(bstat m3 stat.rx_stamped)" 1 "stamped packets m3 received through r"
check_eq "$(bstat m3 stat.rx_untrusted)" 0 "stamps m3 refused (the director trusted through r)"

# What the stamp does to IPv6 GRO (docs/ipv6.md, "GRO (receive)"): the
# kernel coalesces IPv6 packets whose extension headers are identical, so
# packets of one epoch still coalesce and only an epoch change ends a
# batch. MTU-size segments on m1's wire (the director's egress and m1's
# bridge port segment in software), GRO on m1's eth0; the packets m1's
# IPv6 layer takes in per MB of a 2 MB transfer through VIP_DR6: the
# wire unstamped (gateway_marking off), stamped with one epoch, and with
# the gateway advancing as fast as beaver-nl can (each exec ~0.1 s here).
log "IPv6 GRO on m1: packets up its stack per MB, unstamped, stamped, advancing"
nsx director ethtool -K eth0 tso off gso off
ethtool -K v-m1 tso off gso off
nsx m1 ethtool -K eth0 gro on
# gro6 MODE: m1's Ip6InReceives per MB of a 2 MB transfer (in $gro)
gro6() {
	local r0 got
	r0=$(snmp6 m1 Ip6InReceives)
	got=$(BYTES=2000000 tcp_via m1 $VIP_DR6)
	check_eq "$got" 2000000 "bytes m1 received through VIP_DR6 ($1)"
	gro=$(( ($(snmp6 m1 Ip6InReceives) - r0) / 2 ))
}
echo N >/sys/module/beaver/parameters/gateway_marking
gro6 unstamped
plain=$gro
echo Y >/sys/module/beaver/parameters/gateway_marking
# an epoch past m1's own (13): stamps it cuts on, none it counts in flight
gw_advance director 20 >/dev/null
gro6 stamped
stamped=$gro
e=100
( while [ ! -e "$VM_STATE/stop.adv" ]; do
	e=$((e + 1)); bnl director gw-advance $e >/dev/null; sleep 0.02
done ) &
apid=$!
gro6 advancing
advancing=$gro
: >"$VM_STATE/stop.adv"
wait "$apid"
# the advances began at 101; m1 was at 20, and cut at each one it saw
cuts=$(( $(bstat m1 member_epoch) - 100 ))
figure gro6_pkts_per_mb_plain "$plain"
figure gro6_pkts_per_mb_stamped "$stamped"
figure gro6_pkts_per_mb_advancing "$advancing"
figure gro6_epochs_during "$cuts"
# without coalescing, a MB is ~700 segments of ~1,440 bytes
check_le "$plain" 350 "packets per MB up m1's stack, unstamped (GRO coalesces)"
check_le "$stamped" $((plain * 3 / 2 + 20)) "packets per MB up m1's stack, stamped (one epoch: GRO still coalesces)"
check_ge "$cuts" 2 "epochs m1 went through during the advancing transfer"
