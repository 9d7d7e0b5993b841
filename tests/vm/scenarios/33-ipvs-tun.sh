# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 300
#
# IPVS tunnelling (ipvsadm -i, IPIP). The director puts each packet for a
# real server inside an IPIP carrier; the real server's tunl0 takes it out
# and the inner packet (client -> VIP) comes through PRE_ROUTING again. The
# gateway must stamp the inner header (the carrier's is dropped with the
# carrier), and a member must count the inner packet once, as stamped by
# a trusted gateway, never the carrier (issue #11).
#
# While epochs advance (gateway first, then every member: as long as m1
# sends, one every 0.3 s plus the commands' time), the client
# sends UDP to two tunnelled real servers (m2, m3) and a 20 MB TCP stream
# to m2 (GSO packets and full-size segments: the path MTU through the
# tunnel and the stamp, no fragment), and m1 sends numbered UDP through the same VIP (a
# member's stamp, kept by the gateway inside the carrier). Then, exactly:
#
#   bypass = 0 and rx_untrusted = 0 on every member;
#   for every epoch E (m1's channel through the tunnel):
#     m1's tx to the VIP at its cut E = m2's and m3's rx from m1 at their
#       cuts E + their in-flight (channel, epoch E) + their late entries
#       naming E;
#   every datagram and every byte delivered, and counted once (flows).
#
# Then forgery: x wraps datagrams stamped with a near epoch in its own
# IPIP tunnel to m2. The carrier does not come from a gateway's or a
# member's neighbour, so the inner stamp never moves m2's epoch (counted
# rx_untrusted, the datagrams bypass).
#
# The mutant tun-outer-stamp (the gateway stamps the carrier, as before
# issue #11) fails this scenario: every tunnelled packet is then bypass.
#
#   client --(VIP_TUN)--> director [gateway] ==IPIP==> m2, m3 (tunl0)
#   m1 -----(VIP_TUN)--> director [gateway] ==IPIP==> m2, m3
#   x ==IPIP (own tunnel, forged stamp)==> m2

need_module
need_tools beaver-nl udpnum tcpbulk
VIP_TUN=10.9.0.3
VIPS=$VIP_DR,$VIP_NAT,$VIP_TUN
PPS=200
NC=2000		# per client flow, 10 s
NM=3000		# per m1 flow, 15 s
BYTES=20000000
FIRST=2
MAXE=60		# epochs advance while m1 sends, up to this one
NF=20		# forged datagrams

log "lab: director tunnelling to m2 and m3"
modprobe ipip
lab_ipvs
ip -n director addr add $VIP_TUN/32 dev lo
for m in m2 m3; do
	# as the kernel's IPVS documentation sets up a TUN real server
	ip -n $m link set tunl0 up
	dr_real $m $VIP_TUN
	nsysctl $m ipv4/conf/tunl0/rp_filter=0 ipv4/conf/lo/rp_filter=0
done
for p in 9100 9101; do
	ipvs_service director udp $VIP_TUN:$p
	ipvs_real director udp $VIP_TUN:$p 10.0.1.12:$p tun
	ipvs_real director udp $VIP_TUN:$p 10.0.1.13:$p tun
done
ipvs_service director tcp $VIP_TUN:9200
ipvs_real director tcp $VIP_TUN:9200 10.0.1.12:9200 tun
beaver_lab 30
gw_advance director 1 >/dev/null
for m in m1 m2 m3; do bnl $m member-advance 1 >/dev/null; done
check_eq "$(bstat m2 vips)" "$VIPS" "m2's VIPs"
# neighbours known before the first stamp (trust.c resolves them)
nsx m1 ping -c 1 -W 2 10.0.1.1 >/dev/null
nsx client ping -c 1 -W 2 10.0.2.1 >/dev/null

log "receivers"
pids=()
for m in m2 m3; do
	for p in 9100 9101; do
		# IPVS's round robin gives each server one of the two flows
		nsx $m udpnum recv --port $p --timeout-ms 40000 --idle-ms 3000 \
			--ready-file "$(ready_file $m.$p)" >"$VM_STATE/recv.$m.$p" &
		pids+=($!)
		wait_ready $m.$p
	done
done
nsx m2 tcpbulk serve --port 9200 --once --timeout-ms 60000 \
	--ready-file "$(ready_file tcp)" >"$VM_STATE/serve" &
tpid=$!
wait_ready tcp

log "traffic: client UDP and TCP, m1 UDP, all through the tunnel"
f0=$(snmp director Ip FragCreates)
senders=() m1senders=()
for sp in 47001 47002; do
	nsx client udpnum send --dst $VIP_TUN --port 9100 --sport $sp --count $NC \
		--pps $PPS --size 200 >"$VM_STATE/send.client.$sp" &
	senders+=($!)
	nsx m1 udpnum send --dst $VIP_TUN --port 9101 --sport $sp --count $NM \
		--pps $PPS --size 300 >"$VM_STATE/send.m1.$sp" &
	senders+=($!)
	m1senders+=($!)
done
# (set -e holds in the subshell: the exit status is caught, not fatal)
(rc=0; nsx client tcpbulk send --dst $VIP_TUN --port 9200 --bytes $BYTES \
	--timeout-ms 60000 >"$VM_STATE/send.tcp" 2>&1 || rc=$?
echo "rc $rc" >>"$VM_STATE/send.tcp") &
senders+=($!)

# as long as m1 sends, however slow the host: every epoch sees traffic
log "advancing from $FIRST while it flows"
sleep 0.3
e=$FIRST
while [ $e -lt $MAXE ] && { kill -0 "${m1senders[0]}" 2>/dev/null ||
		kill -0 "${m1senders[1]}" 2>/dev/null; }; do
	gw_advance director "$e" >/dev/null
	for m in m1 m2 m3; do bnl $m member-advance "$e" >/dev/null; done
	sleep 0.3
	e=$((e + 1))
done
LAST=$e
wait "${senders[@]}" || true
wait "${pids[@]}" || true
wait "$tpid" || true
# the last cut, once nothing is in flight any more
gw_advance director $LAST >/dev/null
for m in m1 m2 m3; do bnl $m member-advance $LAST >/dev/null; done

log "delivery"
sent_c=0 sent_m=0
for sp in 47001 47002; do
	sent_c=$((sent_c + $(kv "$(cat "$VM_STATE/send.client.$sp")" sent)))
	sent_m=$((sent_m + $(kv "$(cat "$VM_STATE/send.m1.$sp")" sent)))
done
recv_c=0 recv_m=0 bad=0
for m in m2 m3; do
	cat "$VM_STATE/recv.$m.9100" "$VM_STATE/recv.$m.9101"
	recv_c=$((recv_c + $(kv "$(cat "$VM_STATE/recv.$m.9100")" received)))
	recv_m=$((recv_m + $(kv "$(cat "$VM_STATE/recv.$m.9101")" received)))
	bad=$((bad + $(kv "$(cat "$VM_STATE/recv.$m.9100")" bad) + $(kv "$(cat "$VM_STATE/recv.$m.9101")" bad)))
done
check_eq "$sent_c" $((2 * NC)) "datagrams the client sent"
check_eq "$sent_m" $((2 * NM)) "datagrams m1 sent"
check_eq "$recv_c/$bad" "$sent_c/0" "the client's datagrams received (bad 0) at m2 + m3"
check_eq "$recv_m" "$sent_m" "m1's datagrams received at m2 + m3"
cat "$VM_STATE/send.tcp" "$VM_STATE/serve"
check_eq "$(kv "$(cat "$VM_STATE/serve")" received)/$(kv "$(cat "$VM_STATE/serve")" bad)" \
	"$BYTES/0" "TCP bytes received intact at m2"
check_eq "$(kv "$(cat "$VM_STATE/send.tcp")" rc)" 0 "tcpbulk send verdict"
frags=$(( $(snmp director Ip FragCreates) - f0 ))
figure tcp_frags "$frags"
# IPVS tells the client the MTU less the carrier, the module the MTU less
# the carrier and the stamp (full-size segments; GSO segments shrink):
# nothing left to fragment
check_eq "$frags" 0 "fragments created by the director"
figure tcp_retrans "$(snmp client Tcp RetransSegs)"
figure stamp_toobig "$(bstat director stat.stamp_toobig)"

log "the gateway stamped inside the carriers"
figure gw_stamped "$(bstat director stat.gw_stamped)"
figure gw_kept "$(bstat director stat.gw_kept)"
check_gt "$(bstat director stat.gw_stamped)" $((2 * NC)) "packets the gateway stamped"
check_ge "$(bstat director stat.gw_kept)" $((2 * NM)) "m1's stamps kept by the gateway"
check_eq "$(bstat director stat.stamp_noroom)/$(bstat director stat.stamp_nomem)" 0/0 \
	"packets the gateway could not stamp (noroom/nomem)"

log "members: nothing bypassed, nothing untrusted"
bypass=0
for m in m1 m2 m3; do
	bypass=$((bypass + $(bstat $m stat.bypass)))
	check_eq "$(bstat $m stat.bypass)" 0 "$m stat.bypass"
	check_eq "$(bstat $m stat.rx_untrusted)" 0 "$m stat.rx_untrusted"
	check_eq "$(bstat $m stat.rx_strip_err)/$(bstat $m stat.rx_malformed)" 0/0 \
		"$m stat.rx_strip_err/rx_malformed"
done
figure bypass "$bypass"
rxs=$(( $(bstat m2 stat.rx_stamped) + $(bstat m3 stat.rx_stamped) ))
figure rx_stamped "$rxs"
check_ge "$rxs" $((2 * NC + 2 * NM)) "stamped packets received by m2 + m3"

log "every epoch balances: m1 -> VIP_TUN -> m2, m3"
for e in $(seq $FIRST $LAST); do
	for m in m1 m2 m3; do records $m "$e" >/dev/null; done
done
# late entries of m2 and m3 from m1, each once (key: receiver, first,
# last, arrived: every record after its arrival reports it), then per
# epoch E: those that name E
awk '
	$1 == "late" {
		delete v
		for (i = 2; i < NF; i += 2) v[$i] = $(i + 1)
		if (v["kind"] != "member" || v["peer"] != "10.0.1.11") next
		r = FILENAME; sub(/.*\/rec\./, "", r); sub(/\..*/, "", r)
		k = r " " v["first"] " " v["last"] " " v["arrived"]
		p[k] = v["pkts"]; b[k] = v["bytes"]
	}
	END {
		for (k in p) {
			split(k, q, " ")
			for (e = q[2]; e <= q[3]; e++) { lp[e] += p[k]; lb[e] += b[k] }
		}
		for (e in lp) print e, lp[e], lb[e]
	}' "$VM_STATE"/rec.m2.* "$VM_STATE"/rec.m3.* >"$VM_STATE/late"
balanced=0 epochs=0 inflight_sum=0 inflight_epochs=0 late_sum=0 traffic=0 prev=0
for e in $(seq $FIRST $LAST); do
	f1=$VM_STATE/rec.m1.$e
	tx=$(rsum "$f1" chan tx_pkts kind=vip peer=$VIP_TUN)
	txb=$(rsum "$f1" chan tx_bytes kind=vip peer=$VIP_TUN)
	rx=0 rxb=0 inf=0 infb=0
	for m in m2 m3; do
		f=$VM_STATE/rec.$m.$e
		rx=$((rx + $(rsum "$f" chan rx_pkts kind=member peer=10.0.1.11)))
		rxb=$((rxb + $(rsum "$f" chan rx_bytes kind=member peer=10.0.1.11)))
		inf=$((inf + $(rsum "$f" chan inflight_pkts kind=member peer=10.0.1.11)))
		infb=$((infb + $(rsum "$f" chan inflight_bytes kind=member peer=10.0.1.11)))
	done
	read -r _ late lateb < <(awk -v e="$e" '$1 == e' "$VM_STATE/late"; echo "$e 0 0")
	echo "epoch $e: tx $tx = rx $rx + inflight $inf + late $late"
	epochs=$((epochs + 1))
	[ $((rx + inf + late)) = "$tx" ] && [ $((rxb + infb + lateb)) = "$txb" ] &&
		balanced=$((balanced + 1))
	check_eq "$((rx + inf + late))/$((rxb + infb + lateb))" "$tx/$txb" \
		"epoch $e: m2+m3 rx+inflight+late vs m1 tx to $VIP_TUN (packets/bytes)"
	[ "$inf" -gt 0 ] && inflight_epochs=$((inflight_epochs + 1))
	[ "$tx" -gt "$prev" ] && traffic=$((traffic + 1))
	prev=$tx
	inflight_sum=$((inflight_sum + inf))
	late_sum=$((late_sum + late))
done
figure balanced "$balanced/$epochs"
figure epochs_with_traffic "$traffic"
figure inflight_epochs "$inflight_epochs"
figure inflight_pkts "$inflight_sum"
figure late_pkts "$late_sum"
# the balances proved something: cuts fell while m1's datagrams flowed
check_ge "$traffic" 4 "epochs in which m1 sent through the tunnel"
check_ge "$traffic" $(((LAST - FIRST) / 2)) "epochs in which m1 sent through the tunnel (of $((LAST - FIRST + 1)))"
check_gt "$((inflight_sum + late_sum))" 0 "m1's datagrams in flight or late at some cut"
check_eq "$(rsum "$f1" chan tx_pkts kind=vip peer=$VIP_TUN)" "$sent_m" \
	"m1's channel to $VIP_TUN at the last cut vs datagrams sent"

log "counted once: the members' flows at the last cut"
fc=0 fm=0 ft=0
for m in m2 m3; do
	f=$VM_STATE/rec.$m.$LAST
	fc=$((fc + $(rsum "$f" flow rx_pkts proto=17 lport=9100 raddr=10.0.2.2)))
	fm=$((fm + $(rsum "$f" flow rx_pkts proto=17 lport=9101 raddr=10.0.1.11)))
	ft=$((ft + $(rsum "$f" flow rx_bytes proto=6 lport=9200)))
	# no flow of carriers (IPIP, protocol 4) anywhere
	check_eq "$(rsum "$f" flow rx_pkts proto=4)" 0 "$m: carrier packets counted"
done
check_eq "$fc" "$sent_c" "the client's datagrams in m2's and m3's flows"
check_eq "$fm" "$sent_m" "m1's datagrams in m2's and m3's flows"
check_gt "$ft" "$BYTES" "bytes of the client's TCP stream counted at m2"
check_le "$ft" $((BYTES + BYTES / 10)) "bytes of the client's TCP stream counted at m2 (once)"
figure tcp_rx_bytes "$ft"

log "forgery: x's own IPIP tunnel to m2, inner stamp of a near epoch"
ip -n x link add fwd type ipip local 10.0.1.50 remote 10.0.1.12
ip -n x link set fwd up
ip -n x route add $VIP_TUN/32 dev fwd
ep=$(bstat m2 member_epoch)
u0=$(bstat m2 stat.rx_untrusted)
b0=$(bstat m2 stat.bypass)
nsx m2 udpnum recv --port 9300 --count $NF --timeout-ms 20000 \
	--ready-file "$(ready_file forged)" >"$VM_STATE/recv.forged" &
rpid=$!
wait_ready forged
nsx x udpnum send --dst $VIP_TUN --port 9300 --count $NF --size 100 \
	--stamp "$GROUP:$((ep + 5))" >/dev/null
wait "$rpid" || true
cat "$VM_STATE/recv.forged"
check_eq "$(kv "$(cat "$VM_STATE/recv.forged")" received)" $NF "forged datagrams delivered (stamp removed)"
moved=$(( $(bstat m2 member_epoch) != ep ))
figure forged_ipip_moved "$moved"
check_eq "$moved" 0 "m2's epoch moved by a stamp inside x's carrier"
check_eq "$(( $(bstat m2 stat.rx_untrusted) - u0 ))" $NF "m2 stat.rx_untrusted (forged inner stamps)"
check_eq "$(( $(bstat m2 stat.bypass) - b0 ))" $NF "m2 stat.bypass (x's datagrams crossed no gateway)"
