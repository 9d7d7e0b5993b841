# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 120
#
# (b) Member-to-member traffic is stamped on egress with the sender's epoch
# and unstamped before delivery: the receiving applications see exactly the
# bytes that were sent (udpnum and tcpbulk verify every byte), the stamp
# carries the sender's epoch (the receiver cuts on it), both ends count the
# same lengths, and traffic leaving the group is not stamped.
#
#   m1 ==(stamped)==> m2        m1 --(unstamped)--> x (out-group)
#   all on br0; no gateway involved

need_module
need_tools beaver-nl udpnum tcpbulk
N=300
SIZE=1200

log "lab"
lab_lan
beaver_lab 30
bnl m1 member-advance 1 >/dev/null
bnl m2 member-advance 1 >/dev/null

log "UDP m1 -> m2 with m1 at epoch 5"
bnl m1 member-advance 5 >/dev/null
tx0=$(bstat m1 stat.tx_stamped)
rx0=$(bstat m2 stat.rx_stamped)
nsx m2 udpnum recv --port 6000 --count $N --timeout-ms 30000 \
	--ready-file "$(ready_file m2)" >"$VM_STATE/recv.udp" &
rpid=$!
wait_ready m2
out=$(nsx m1 udpnum send --dst 10.0.1.12 --port 6000 --sport 46000 --count $N --size $SIZE)
check_eq "$(kv "$out" sent)" $N "UDP datagrams sent"
wait "$rpid" || true
out=$(cat "$VM_STATE/recv.udp")
echo "m2: $out"
check_eq "$(kv "$out" received)/$(kv "$out" bad)/$(kv "$out" dup)" "$N/0/0" \
	"UDP received/bad/dup at the application (payloads verified)"
txs=$(( $(bstat m1 stat.tx_stamped) - tx0 ))
rxs=$(( $(bstat m2 stat.rx_stamped) - rx0 ))
figure udp_tx_stamped "$txs"
figure udp_rx_stamped "$rxs"
check_eq "$txs" $N "stat.tx_stamped on m1 moved by"
check_eq "$rxs" $N "stat.rx_stamped on m2 moved by"
check_eq "$(bstat m2 member_epoch)" 5 "m2's epoch (cut on m1's stamp)"
f=$(records m2 5)
cat "$f"
check_eq "$(rget "$f" cut flags)" 0 "m2's cut 5 was made by a packet"
check_eq "$(rsum "$f" chan rx_pkts kind=member peer=10.0.1.11)" 0 \
	"m2's channel from m1 at cut 5 (the cut came with the first datagram)"
check_eq "$(bstat m2 stat.rx_malformed)/$(bstat m2 stat.rx_strip_err)" 0/0 \
	"m2 malformed/strip errors"

log "TCP m1 -> m2 with m1 at epoch 6"
bnl m1 member-advance 6 >/dev/null
tx0=$(bstat m1 stat.tx_stamped)
rx0=$(bstat m2 stat.rx_stamped)
c1=$(bstat m1 stat.mss_clamped)
c2=$(bstat m2 stat.mss_clamped)
nsx m2 tcpbulk serve --port 6001 --once --timeout-ms 60000 \
	--ready-file "$(ready_file m2t)" >"$VM_STATE/serve.tcp" &
spid=$!
wait_ready m2t
t0=$EPOCHREALTIME
out=$(nsx m1 tcpbulk send --dst 10.0.1.12 --port 6001 --bytes 2000000 --timeout-ms 60000) ||
	fail "tcpbulk m1 -> m2 failed: $out"
figure tcp_secs "$(elapsed "$t0")"
wait "$spid" || true
srv=$(cat "$VM_STATE/serve.tcp")
echo "m2: $srv"
check_eq "$(kv "$srv" received)/$(kv "$srv" bad)" 2000000/0 "TCP bytes received/bad at m2"
# (the counters count packets as the hooks see them: GSO super-packets once)
txs=$(( $(bstat m1 stat.tx_stamped) - tx0 ))
rxs=$(( $(bstat m2 stat.rx_stamped) - rx0 ))
figure tcp_tx_stamped "$txs"
figure tcp_rx_stamped "$rxs"
check_gt "$txs" 0 "TCP packets stamped by m1"
check_gt "$rxs" 0 "stamped TCP packets received by m2"
check_ge "$(( $(bstat m1 stat.mss_clamped) - c1 ))" 1 "m1 clamped its SYN"
check_ge "$(( $(bstat m2 stat.mss_clamped) - c2 ))" 1 "m2 clamped its SYN-ACK"
check_eq "$(bstat m2 member_epoch)" 6 "m2's epoch after the TCP transfer"

log "leaving the group: m1 -> x is not stamped"
tx0=$(bstat m1 stat.tx_stamped)
nsx x udpnum recv --port 6002 --count 50 --timeout-ms 20000 \
	--ready-file "$(ready_file x)" >"$VM_STATE/recv.x" &
rpid=$!
wait_ready x
nsx m1 udpnum send --dst 10.0.1.50 --port 6002 --count 50 --size 300 >/dev/null
wait "$rpid" || true
check_eq "$(kv "$(cat "$VM_STATE/recv.x")" received)" 50 "datagrams x received"
check_eq "$(( $(bstat m1 stat.tx_stamped) - tx0 ))" 0 "stat.tx_stamped on m1 moved by (to out-group x)"

log "both ends count the same lengths (stamp excluded)"
bnl m1 member-advance 7 >/dev/null
bnl m2 member-advance 7 >/dev/null
f1=$(records m1 7)
f2=$(records m2 7)
cat "$f1" "$f2"
txb=$(rsum "$f1" flow tx_bytes proto=17 rport=6000)
rxb=$(rsum "$f2" flow rx_bytes proto=17 lport=6000 raddr=10.0.1.11)
figure udp_bytes "$rxb"
check_eq "$txb" $((N * (SIZE + 28))) "m1's flow tx_bytes (IP lengths without the stamp)"
check_eq "$rxb" "$txb" "m2's flow rx_bytes equal to m1's tx_bytes"
check_eq "$(rsum "$f1" flow tx_pkts proto=6 rport=6001)" "$(rsum "$f2" flow rx_pkts proto=6 lport=6001)" \
	"TCP segments sent by m1 and received by m2"
check_eq "$(rsum "$f1" flow tx_bytes proto=6 rport=6001)" "$(rsum "$f2" flow rx_bytes proto=6 lport=6001)" \
	"TCP bytes sent by m1 and received by m2"
check_eq "$(rget "$f1" flow tx_seq proto=6 rport=6001)" "$(rget "$f2" flow rx_seq proto=6 lport=6001)" \
	"TCP highest sequence sent by m1 and received by m2"
check_eq "$(rsum "$f1" chan tx_pkts kind=outside)" 50 "m1's outside channel tx_pkts (to x)"
