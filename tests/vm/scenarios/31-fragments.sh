# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 150
#
# Fragments (issue #11 item 4). A member counts what its peers' senders
# count: datagrams, with their ports, at POST_ROUTING, before the stack
# fragments them. So a member reassembles (nf_defrag_ipv4, enabled with
# the member role) before its PRE_ROUTING hook: a 4,000-byte datagram that
# crossed the wire as three fragments is received once, at the epoch of
# the stamp its first fragment carries (the option's copied flag puts it
# in every fragment).
#
#   m1 --udp 4,000 B, 3 fragments each, netem delay--> m2  (epochs advance
#        on both during the stream: in-flight datagrams are fragmented too)
#   client --udp 4,000 B--> director [gateway, IPVS DR] --> m1
#        (the director reassembles for IPVS, stamps the datagram and
#        fragments it again: ignore_df)
#
# Checks: every epoch's channel m1 -> m2 balances exactly (tx = rx +
# in flight + late), in packets and bytes; m2's flow and m1's gateway
# channel count datagrams (as many as the applications sent, 4,028 bytes
# each), not fragments; the wire really carried fragments (FragCreates on
# m1 and the director, ReasmOKs on m2 and m1). Mutant `no-defrag` (no
# reassembly on members) must fail here.

need_module
need_tools beaver-nl udpnum
SIZE=4000	# payload: 4,028-byte datagrams, three fragments at MTU 1500
COUNT=300
PPS=100		# 3 s; at 200 a second (1,200 fragments) a loaded host lost some
		# to the veth backlog, and a lost datagram unbalances its epoch
FIRST=2
LAST=12

log "lab and an IPVS service"
lab_ipvs
ipvs_service director udp $VIP_DR:9100
ipvs_real director udp $VIP_DR:9100 10.0.1.11:9100 dr
beaver_lab 10
gw_advance director 1 >/dev/null
bnl m1 member-advance 1 >/dev/null
bnl m2 member-advance 1 >/dev/null
check_eq "$(bstat m2 role)" member "m2's role"
nsx m1 ping -c 1 -W 2 10.0.1.12 >/dev/null
nsx client ping -c 1 -W 2 10.0.2.1 >/dev/null
tc -n m1 qdisc add dev eth0 root netem delay 40ms 30ms limit 10000

fc_m1=$(snmp m1 Ip FragCreates)
fc_d=$(snmp director Ip FragCreates)
ro_m2=$(snmp m2 Ip ReasmOKs)
ro_m1=$(snmp m1 Ip ReasmOKs)
nsx m2 udpnum recv --port 7000 --count $COUNT --timeout-ms 60000 --idle-ms 4000 \
	--ready-file "$(ready_file m2)" >"$VM_STATE/recv.m2" &
r2=$!
nsx m1 udpnum recv --port 9100 --count $COUNT --timeout-ms 60000 --idle-ms 4000 \
	--ready-file "$(ready_file m1)" >"$VM_STATE/recv.m1" &
r1=$!
wait_ready m2
wait_ready m1
nsx m1 udpnum send --dst 10.0.1.12 --port 7000 --sport 47000 --count $COUNT \
	--pps $PPS --size $SIZE >"$VM_STATE/send.m1" &
s1=$!
nsx client udpnum send --dst $VIP_DR --port 9100 --sport 48000 --count $COUNT \
	--pps $PPS --size $SIZE >"$VM_STATE/send.client" &
s2=$!

log "advancing $FIRST..$((LAST - 1)) during the streams"
sleep 0.3
# the receiver first: what m1 sends until its own cut (by the director's
# stamps or its advance) is in flight at m2's, fragments and all
for e in $(seq $FIRST $((LAST - 1))); do
	bnl m2 member-advance "$e" >/dev/null
	gw_advance director "$e" >/dev/null
	bnl m1 member-advance "$e" >/dev/null
	sleep 0.25
done
wait "$s1"
wait "$s2"
sent1=$(kv "$(cat "$VM_STATE/send.m1")" sent)
sent2=$(kv "$(cat "$VM_STATE/send.client")" sent)
wait "$r2" || true
wait "$r1" || true
out2=$(cat "$VM_STATE/recv.m2")
out1=$(cat "$VM_STATE/recv.m1")
echo "m2: $out2"
echo "m1: $out1"
check_eq "$(kv "$out2" received)/$(kv "$out2" bad)/$(kv "$out2" dup)" "$sent1/0/0" \
	"datagrams received/bad/dup at m2 (member to member)"
check_eq "$(kv "$out1" received)/$(kv "$out1" bad)/$(kv "$out1" dup)" "$sent2/0/0" \
	"datagrams received/bad/dup at m1 (through the gateway)"
sleep 0.3
gw_advance director $LAST >/dev/null
bnl m1 member-advance $LAST >/dev/null
bnl m2 member-advance $LAST >/dev/null

log "the wire carried fragments"
frag_m1=$(( $(snmp m1 Ip FragCreates) - fc_m1 ))
frag_d=$(( $(snmp director Ip FragCreates) - fc_d ))
reasm_m2=$(( $(snmp m2 Ip ReasmOKs) - ro_m2 ))
reasm_m1=$(( $(snmp m1 Ip ReasmOKs) - ro_m1 ))
figure fragments_m1 "$frag_m1"
figure fragments_director "$frag_d"
figure reassembled_m2 "$reasm_m2"
figure reassembled_m1 "$reasm_m1"
check_ge "$frag_m1" $((3 * sent1)) "fragments m1 created (3 per datagram)"
check_ge "$frag_d" $((3 * sent2)) "fragments the director created (3 per datagram)"
check_ge "$reasm_m2" "$sent1" "datagrams m2 reassembled"
check_ge "$reasm_m1" "$sent2" "datagrams m1 reassembled"

log "balance of every epoch, m1 -> m2"
records m2 $LAST >/dev/null
records m1 $LAST >/dev/null
dump_records "$VM_STATE/dump" $FIRST $LAST m1 m2
check "[ ! -s '$VM_STATE/dump/errors' ]" "record dumps: $(head -n 2 "$VM_STATE/dump/errors")"
bal=$(balance "$VM_STATE/dump" $FIRST $LAST 10.0.1.11=m1 10.0.1.12=m2)
echo "$bal" | grep '^bad' | head -n 5
bad=$(echo "$bal" | grep -c '^bad' || true)
summary=$(echo "$bal" | tail -n 1)
figure unbalanced "$bad"
figure inflight_pkts "$(kv "$summary" inflight)"
figure late_pkts "$(kv "$summary" late)"
check_eq "$bad" 0 "unbalanced epochs of the channel m1 -> m2"
check_gt "$(kv "$summary" inflight)$(kv "$summary" late)" 0 \
	"fragmented datagrams in flight at some cut (in flight or late)"

log "datagrams, not fragments"
f1=$VM_STATE/dump/m1.$LAST
f2=$VM_STATE/dump/m2.$LAST
tx=$(rsum "$f1" flow tx_pkts proto=17 rport=7000)
rx=$(rsum "$f2" flow rx_pkts proto=17 lport=7000)
rxb=$(rsum "$f2" flow rx_bytes proto=17 lport=7000)
gw=$(rsum "$f1" flow rx_pkts proto=17 lport=9100)
gwb=$(rsum "$f1" flow rx_bytes proto=17 lport=9100)
gwc=$(rsum "$f1" chan rx_pkts kind=gateway)
figure m2_flow_rx "$rx"
figure m1_gateway_rx "$gwc"
check_eq "$tx" "$sent1" "m1's flow tx_pkts vs datagrams sent"
check_eq "$rx" "$sent1" "m2's flow rx_pkts (datagrams, with ports) vs datagrams sent"
check_eq "$rxb" $((sent1 * (SIZE + 28))) "m2's flow rx_bytes (IP total lengths)"
check_eq "$gw" "$sent2" "m1's flow rx_pkts from the VIP vs datagrams the client sent"
check_eq "$gwb" $((sent2 * (SIZE + 28))) "m1's flow rx_bytes from the VIP"
check_eq "$gwc" "$sent2" "m1's gateway channel rx_pkts vs datagrams the client sent"
check_eq "$(bstat m1 stat.bypass)" 0 "m1 stat.bypass"
check_eq "$(bstat m2 stat.rx_strip_err)/$(bstat m1 stat.rx_strip_err)" 0/0 \
	"stamps that could not be stripped (m2/m1)"
