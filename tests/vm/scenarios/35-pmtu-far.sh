# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 180
#
# A smaller MTU further along the path (issue #11 item 2: "PMTU honest").
# Every node stamps with the option (ipv4-stamp option: the default puts
# the stamp of TCP data into the IP ID, which adds nothing to lower).
# Router r forwards to member m4 over a link whose MTU is 1,400 on r's side
# only: neither the client, nor the director, nor m4 knows it. A stamped
# Don't-Fragment packet longer than 1,400 bytes makes r answer "fragmentation
# needed, MTU 1,400" to the packet's source, quoting the stamped header.
# The source never sent the stamp: at 1,400 bytes its packets leave the
# director with 1,408 and are dropped again, for ever (a TCP transfer
# stalls). The director, forwarding the error to the client, and a member
# receiving one about its own packet, lower the advertised MTU by the
# stamp's 8 bytes (stat.icmp_mtu_lowered).
#
#   client --VIP_NAT:82 (tcp), :7002 (udp, DF)--> director [gateway]
#        --NAT--> r --(MTU 1,400 one way)--> m4 (member)
#   m1 --tcp--> r --> m4   (member to member: m1 hears the error itself)
#
# Checks: TCP client -> VIP -> m4 completes and is exact (mutant
# `icmp-mtu-kept` stalls it); DF UDP learns 1,392 (= 1,400 - 8) and loses
# at most 3 datagrams to the discovery; m1 -> m4 TCP completes and m1
# splits (almost) no segment (with the unadjusted 1,400 it would split
# every one: stat.stamp_split); the director and m1 lowered MTUs.

need_module
need_tools beaver-nl udpnum tcpbulk
BYTES=5000000

log "lab: the director, router r, member m4 behind a 1,400-byte hop"
lab_ipvs
host r 10.0.1.2/24 br0 10.0.1.1
netns m4
p2p r 10.0.4.1/24 m4 10.0.4.2/24
ip -n r link set to-m4 mtu 1400
ip -n m4 route add default via 10.0.4.1
nsysctl r ipv4/ip_forward=1 ipv4/conf/all/rp_filter=0 ipv4/conf/eth0/rp_filter=0 \
	ipv4/conf/to-m4/rp_filter=0
ip -n director route add 10.0.4.0/24 via 10.0.1.2
ip -n m1 route add 10.0.4.0/24 via 10.0.1.2
ipvs_service director tcp $VIP_NAT:82
ipvs_real director tcp $VIP_NAT:82 10.0.4.2:82 nat
ipvs_service director udp $VIP_NAT:7002
ipvs_real director udp $VIP_NAT:7002 10.0.4.2:7002 nat
MEMBERS=$MEMBERS,10.0.4.2
beaver_lab 50
# m4 reaches the director (and every other member) through r: it names
# the director, and trusts it through r (docs/security.md)
bnl m4 config role member group "$GROUP" members "$MEMBERS" gateways 10.0.1.1 \
	vips "$VIPS" settle 50
# the option's 8 bytes are what the errors must account for: with the
# default encoding TCP data carries its stamp in the ID and grows by
# nothing (an error quoting it is passed on as it is)
beaver_encoding option director m1 m2 m3 m4
gw_advance director 1 >/dev/null
nsx client ping -c 1 -W 2 10.0.2.1 >/dev/null
nsx m1 ping -c 1 -W 2 10.0.4.2 >/dev/null

log "TCP client -> VIP_NAT:82 -> m4 ($BYTES bytes)"
lo_d=$(bstat director stat.icmp_mtu_lowered)
nsx m4 tcpbulk serve --port 82 --once --timeout-ms 40000 \
	--ready-file "$(ready_file m4tcp)" >"$VM_STATE/serve.vip" &
spid=$!
wait_ready m4tcp
ok=1
out=$(nsx client tcpbulk send --dst $VIP_NAT --port 82 --bytes $BYTES --timeout-ms 30000 2>&1) || ok=0
echo "client: $out"
wait "$spid" || true
srv=$(cat "$VM_STATE/serve.vip")
echo "m4: $srv"
[ "$(kv "$srv" received)/$(kv "$srv" bad)" = "$BYTES/0" ] || ok=0
figure vip_tcp_ok "$ok"
check_eq "$ok" 1 "TCP through the director to m4 behind the 1,400-byte hop: complete and verified"
figure director_lowered $(( $(bstat director stat.icmp_mtu_lowered) - lo_d ))
check_gt "$(( $(bstat director stat.icmp_mtu_lowered) - lo_d ))" 0 \
	"errors the director lowered on their way to the client"

log "DF UDP client -> VIP_NAT:7002 -> m4"
ip -n client route flush cache
nsx m4 udpnum recv --port 7002 --timeout-ms 30000 --idle-ms 2000 \
	--ready-file "$(ready_file m4udp)" >"$VM_STATE/recv.udp" &
rpid=$!
wait_ready m4udp
out=$(nsx client udpnum send --dst $VIP_NAT --port 7002 --count 200 --pps 200 \
	--size 1472 --df)
wait "$rpid" || true
rcv=$(cat "$VM_STATE/recv.udp")
echo "client: $out; m4: $rcv"
lost=$(( $(kv "$out" sent) - $(kv "$rcv" received) ))
figure udp_lost "$lost"
figure udp_mtu "$(kv "$out" mtu)"
figure udp_size "$(kv "$out" size)"
check_eq "$(kv "$out" mtu)" 1392 "the path MTU the client learned (1,400 less the stamp)"
# 1,364 fits exactly; an error still on its way for an earlier datagram
# makes udpnum step down 8 bytes more (its search), no further
check_le "$(kv "$out" size)" 1364 "the datagram size the client settled on (fits 1,392)"
check_ge "$(kv "$out" size)" 1340 "the datagram size the client settled on (no endless search)"
check_le "$lost" 3 "datagrams lost to the discovery"
check_eq "$(kv "$rcv" bad)" 0 "datagrams received intact"

log "TCP m1 -> m4 ($BYTES bytes): m1 hears the error itself"
lo_m=$(bstat m1 stat.icmp_mtu_lowered)
sp0=$(bstat m1 stat.stamp_split)
nsx m4 tcpbulk serve --port 83 --once --timeout-ms 40000 \
	--ready-file "$(ready_file m4mm)" >"$VM_STATE/serve.mm" &
spid=$!
wait_ready m4mm
ok=1
out=$(nsx m1 tcpbulk send --dst 10.0.4.2 --port 83 --bytes $BYTES --timeout-ms 30000 2>&1) || ok=0
wait "$spid" || true
srv=$(cat "$VM_STATE/serve.mm")
echo "m1: $out; m4: $srv"
[ "$(kv "$srv" received)/$(kv "$srv" bad)" = "$BYTES/0" ] || ok=0
split=$(( $(bstat m1 stat.stamp_split) - sp0 ))
figure mm_tcp_ok "$ok"
figure m1_lowered $(( $(bstat m1 stat.icmp_mtu_lowered) - lo_m ))
figure m1_split "$split"
check_eq "$ok" 1 "TCP m1 -> m4: complete and verified"
check_gt "$(( $(bstat m1 stat.icmp_mtu_lowered) - lo_m ))" 0 "errors m1 lowered"
# a handful in flight before the error came back; with the MTU left at
# 1,400 every full-size segment (~3,700) would be split
check_le "$split" 50 "segments m1 had to split to take the stamp"
# the director and m1 are trusted through r, their router (the first
# packets may come before r's neighbour entry is resolved)
figure m4_rx_stamped "$(bstat m4 stat.rx_stamped)"
figure m4_rx_untrusted "$(bstat m4 stat.rx_untrusted)"
check_gt "$(bstat m4 stat.rx_stamped)" 100 "stamps m4 honoured (the director's and m1's, through r)"
check_le "$(bstat m4 stat.rx_untrusted)" 5 "stamps m4 did not trust"
