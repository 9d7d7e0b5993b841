# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 150
#
# Hooks after ours see every packet (issue #11 item 2). A GSO packet within
# 8 bytes of 64 KiB cannot take the stamp whole (tot_len is 16 bits): the
# member's POST_ROUTING hook segments it and stamps every segment. Each
# segment must then pass every POST_ROUTING hook after ours, as the
# original would have: conntrack's confirmation (the first packet of a
# connection enters the conntrack table there, or never), helpers, late
# nftables rules, LSMs. Before issue #11 the segments went straight out
# with the hook's okfn.
#
# m1 sends UDP GSO packets of 55 datagrams x 1,191 bytes (UDP_SEGMENT; IP
# total length 65,505 + 8 + 20 = 65,533: no room for 8 more bytes) to m2,
# the very first packet of that flow among them, and a TCP bulk transfer
# (ordinary GSO packets: stamped whole, segmented later by the stack).
# On m1, with conntrack on (a `ct state` rule):
#   late    postrouting, priority 400 (after NAT, ours at 101 and helpers)
#   late_ct the same, matching `ct state new,established`
#   wire    egress hook of eth0 (netdev family): what leaves, skb by skb
#           (its bytes count the 14-byte Ethernet header too)
# Checks: late = late_ct = wire for both flows (packets and bytes); the
# path was taken (stat.stamp_segmented = GSO sends); the UDP flow is in
# m1's conntrack table (confirmed); m2 got every datagram, the TCP stream
# exact; m1 -> m2 balances at the last cut. Mutant `segments-okfn` (the
# old shortcut) must fail here.

need_module
need_tools beaver-nl udpnum tcpbulk
command -v nft >/dev/null || skip "nft missing in the VM image"
SEG=1191	# 55 x 1,191 + 8 (UDP) + 20 (IP) = 65,533: no room for the stamp
GSO=55
SENDS=20
BYTES=5000000

log "lab, conntrack and late rules on m1"
lab_lan
beaver_lab 10
bnl m1 member-advance 1 >/dev/null
bnl m2 member-advance 1 >/dev/null
nsx m1 nft -f - <<-EOF
table inet bvt {
	chain late {
		type filter hook postrouting priority 400; policy accept;
		oifname "eth0" udp dport 7100 counter comment "late_u"
		oifname "eth0" udp dport 7100 ct state new,established counter comment "late_ct_u"
		oifname "eth0" tcp dport 7200 counter comment "late_t"
		oifname "eth0" tcp dport 7200 ct state new,established counter comment "late_ct_t"
	}
}
table netdev bvw {
	chain wire {
		type filter hook egress device "eth0" priority 0; policy accept;
		udp dport 7100 counter comment "wire_u"
		tcp dport 7200 counter comment "wire_t"
	}
}
EOF
# packets and bytes of the rule commented NAME in table FAMILY NAME: "P B"
ctr() {
	nsx m1 nft list table "$1" "$2" | awk -v c="\"$3\"" '
		$NF == c { for (i = 1; i < NF; i++) { if ($i == "packets") p = $(i + 1); if ($i == "bytes") b = $(i + 1) } }
		END { print p + 0, b + 0 }'
}
seg0=$(bstat m1 stat.stamp_segmented)

log "UDP: $SENDS GSO sends of $GSO x $SEG bytes, m1 -> m2"
nsx m2 udpnum recv --port 7100 --count $((SENDS * GSO)) --timeout-ms 30000 --idle-ms 3000 \
	--ready-file "$(ready_file m2)" >"$VM_STATE/recv" &
rpid=$!
wait_ready m2
nsx m1 udpnum send --dst 10.0.1.12 --port 7100 --sport 47100 --count $((SENDS * GSO)) \
	--size $SEG --gso $GSO --pps 2000 >"$VM_STATE/send"
sent=$(kv "$(cat "$VM_STATE/send")" sent)
wait "$rpid" || true
out=$(cat "$VM_STATE/recv")
echo "m2: $out"
check_eq "$(kv "$out" received)/$(kv "$out" bad)/$(kv "$out" dup)" "$sent/0/0" \
	"datagrams received/bad/dup at m2"
segmented=$(( $(bstat m1 stat.stamp_segmented) - seg0 ))
figure segmented "$segmented"
check_eq "$segmented" "$SENDS" "GSO packets segmented in the hook (the path under test)"
check_eq "$(bstat m1 stat.stamp_nomem)" 0 "m1 packets left unstamped"
read -r lu lub < <(ctr inet bvt late_u)
read -r lcu lcub < <(ctr inet bvt late_ct_u)
read -r wu wub < <(ctr netdev bvw wire_u)
figure udp_wire "$wu"
figure udp_late "$lu"
figure udp_late_ct "$lcu"
check_eq "$wu" "$sent" "UDP packets on m1's wire (one per datagram)"
check_eq "$lu/$((lub + 14 * lu))" "$wu/$wub" "UDP packets/bytes (+ Ethernet) seen by the late postrouting rule vs the wire"
check_eq "$lcu/$((lcub + 14 * lcu))" "$wu/$wub" "UDP packets/bytes (+ Ethernet) with conntrack state at the late rule vs the wire"
ct=$(nsx m1 grep -c 'dport=7100' /proc/net/nf_conntrack || true)
figure udp_conntrack_entries "$ct"
check_eq "$ct" 1 "m1's conntrack entry of the UDP flow (confirmed by its first, segmented, packet)"

log "TCP: $BYTES bytes m1 -> m2 (ordinary GSO packets)"
nsx m2 tcpbulk serve --port 7200 --once --timeout-ms 60000 \
	--ready-file "$(ready_file m2t)" >"$VM_STATE/serve" &
spid=$!
wait_ready m2t
nsx m1 tcpbulk send --dst 10.0.1.12 --port 7200 --bytes $BYTES --timeout-ms 60000
wait "$spid" || true
srv=$(cat "$VM_STATE/serve")
echo "m2: $srv"
check_eq "$(kv "$srv" received)/$(kv "$srv" bad)" "$BYTES/0" "TCP bytes received/bad at m2"
read -r lt ltb < <(ctr inet bvt late_t)
read -r lct lctb < <(ctr inet bvt late_ct_t)
read -r wt wtb < <(ctr netdev bvw wire_t)
figure tcp_wire "$wt"
figure tcp_late "$lt"
check_gt "$wt" 0 "TCP packets on m1's wire"
check_eq "$lt/$((ltb + 14 * lt))" "$wt/$wtb" "TCP packets/bytes (+ Ethernet) seen by the late postrouting rule vs the wire"
check_eq "$lct/$((lctb + 14 * lct))" "$wt/$wtb" "TCP packets/bytes (+ Ethernet) with conntrack state at the late rule vs the wire"

log "the channel m1 -> m2 at the last cut"
bnl m1 member-advance 2 >/dev/null
bnl m2 member-advance 2 >/dev/null
f1=$(records m1 2)
f2=$(records m2 2)
tx=$(rsum "$f1" chan tx_pkts kind=member peer=10.0.1.12)
rx=$(rsum "$f2" chan rx_pkts kind=member peer=10.0.1.11)
inf=$(rsum "$f2" chan inflight_pkts kind=member peer=10.0.1.11)
check_eq "$((rx + inf))" "$tx" "m1 -> m2: rx $rx + inflight $inf vs tx"
check_eq "$(rsum "$f1" flow tx_pkts proto=17 rport=7100)" "$sent" "m1's UDP flow tx_pkts vs datagrams"
check_eq "$(rsum "$f2" flow rx_pkts proto=17 lport=7100)" "$sent" "m2's UDP flow rx_pkts vs datagrams"
