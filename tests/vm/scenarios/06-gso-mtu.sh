# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 240
#
# (e) TCP bulk transfers through the gateway, in NAT and DR mode, with
# full-size segments, every node stamping IPv4 with the option
# (ipv4-stamp option: the default puts the stamp of TCP data into the IP
# ID, which adds nothing; 40-gro4). The gateway adds 8 bytes to every
# segment; members
# clamp the MSS of the SYN-ACKs they send by 8, so the client's full-size
# segments still fit the 1500-byte path after stamping: the transfer is
# exact, the segments are full-size (average > 1400 bytes), and the director
# never fragments.
#
# Baseline: the same two transfers before beaver.ko is loaded (module
# absent); every run's retransmissions must stay within 1 % of the
# segments of the module-absent run of its mode.
#
# Without the clamp (`mss-clamp off`; connections opened before the
# module, allow-listed peers) nothing may break either (issue #11): the
# client's GSO super-packets reach the director whole (veth), and the
# stamp takes its 8 bytes off every segment's payload (gso_size), so no
# segment grows; a full-size segment that is not GSO is split in two, as
# any router may split a TCP segment (stat.stamp_split). Checks: transfer
# exact, no fragments (IPVS sets ignore_df: before issue #11 the director
# fragmented every full-size segment; mutant gso-grow), nothing refused
# for its size, retransmissions within 1 % as above.
#
# Don't-Fragment UDP near the MTU (QUIC), with the option (the encoding
# this scenario runs with; the default puts the stamp of such datagrams
# into the IPv4 ID, and the last cases show 1,472 bytes passing with it):
# 1,464-byte datagrams (1,492 on the wire, 1,500 stamped) pass untouched;
# 1,472-byte ones (1,500 on the wire) cannot take the stamp. Through the gateway (client -> VIP, DR) the
# client is told, in an ICMP error, the MTU that fits (1,492), and sends
# 1,464-byte ones from then on (udpnum --df, as a QUIC stack would): at
# most two datagrams lost to the discovery. Member to member (m1 -> m2,
# stamped by m1 itself) the send fails at once with EMSGSIZE, and the
# sender steps down to 1,464 bytes: nothing lost. No fragment anywhere,
# never a black hole. Figures: frags (all cases, 0), blackholed (cases
# where traffic stopped getting through: 0), retrans per run.
#
#   client --(VIP_DR:80, udp 7000)--> director [gateway] --DR--> m1
#          --(VIP_NAT:81)-->                              --NAT-> m2
#   m1 --udp 7001--> m2

need_module
need_tools beaver-nl tcpbulk
BYTES=20000000	# 13,800 segments: 1 % of them is a measure, not noise

log "lab and IPVS services"
lab_ipvs
ipvs_service director tcp $VIP_DR:80
ipvs_real director tcp $VIP_DR:80 10.0.1.11:80 dr
ipvs_service director tcp $VIP_NAT:81
ipvs_real director tcp $VIP_NAT:81 10.0.1.12:81 nat
ipvs_service director udp $VIP_DR:7000
ipvs_real director udp $VIP_DR:7000 10.0.1.11:7000 dr
frags_all=0 blackholed=0

# transfer LABEL MEMBER VIP PORT: one tcpbulk run, figures LABEL_*;
# sets ok, frags, retrans, clamped (Beaver's counters only once loaded)
transfer() {
	local label=$1 m=$2 vip=$3 port=$4 f0 r0 c0=0 g0=0 t0 out srv spid mod=0
	log "$label: $BYTES bytes to $vip:$port ($m)"
	beaver_loaded && mod=1
	f0=$(snmp director Ip FragCreates)
	r0=$(snmp client Tcp RetransSegs)
	if [ $mod = 1 ]; then
		c0=$(bstat "$m" stat.mss_clamped)
		g0=$(bstat director stat.gw_stamped)
	fi
	nsx "$m" tcpbulk serve --port "$port" --once --timeout-ms 60000 \
		--ready-file "$(ready_file "$label")" >"$VM_STATE/serve.$label" &
	spid=$!
	wait_ready "$label"
	t0=$EPOCHREALTIME
	ok=1
	out=$(nsx client tcpbulk send --dst "$vip" --port "$port" --bytes $BYTES \
		--timeout-ms 60000 2>&1) || ok=0
	echo "client: $out"
	figure "${label}_secs" "$(elapsed "$t0")"
	wait "$spid" || true
	srv=$(cat "$VM_STATE/serve.$label")
	echo "$m: $srv"
	[ "$(kv "$srv" received)/$(kv "$srv" bad)" = "$BYTES/0" ] || ok=0
	frags=$(( $(snmp director Ip FragCreates) - f0 ))
	retrans=$(( $(snmp client Tcp RetransSegs) - r0 ))
	frags_all=$((frags_all + frags))
	[ "$ok" = 1 ] || blackholed=$((blackholed + 1))
	figure "${label}_frags" "$frags"
	figure "${label}_retrans" "$retrans"
	clamped=0
	[ $mod = 1 ] || return 0
	clamped=$(( $(bstat "$m" stat.mss_clamped) - c0 ))
	figure "${label}_clamped" "$clamped"
	check_gt "$(( $(bstat director stat.gw_stamped) - g0 ))" 0 "$label: packets stamped by the gateway"
}

segments=$((BYTES / 1448))
declare -A retrans_absent
log "baseline: beaver.ko not loaded"
check '! beaver_loaded' "beaver.ko absent for the baseline"
for c in dr:m1:$VIP_DR:80 nat:m2:$VIP_NAT:81; do
	IFS=: read -r mode m vip port <<<"$c"
	transfer "absent_$mode" "$m" "$vip" "$port"
	check_eq "$ok" 1 "absent_$mode: tcpbulk transfer complete and verified"
	retrans_absent[$mode]=$retrans
done

beaver_lab 50
# what the option's 8 bytes do to TCP: with the default encoding TCP data
# carries the stamp in its ID and grows by nothing (40-gro4)
beaver_encoding option
gw_advance director 1 >/dev/null

for c in dr:m1:$VIP_DR:80 nat:m2:$VIP_NAT:81; do
	IFS=: read -r mode m vip port <<<"$c"
	transfer "$mode" "$m" "$vip" "$port"
	check_eq "$ok" 1 "$mode: tcpbulk transfer complete and verified"
	check_ge "$clamped" 1 "$mode: stat.mss_clamped on $m (its SYN-ACK)"
	check_eq "$frags" 0 "$mode: fragments created by the director"
	check_le "$retrans" $((retrans_absent[$mode] + segments / 100)) \
		"$mode: retransmissions within 1 % of the segments ($segments) of the module-absent run (${retrans_absent[$mode]})"
done

log "segment sizes seen by the members"
bnl m1 member-advance 20 >/dev/null
bnl m2 member-advance 20 >/dev/null
for c in dr:m1:80 nat:m2:81; do
	IFS=: read -r mode m port <<<"$c"
	f=$(records "$m" 20)
	grep '^flow proto 6' "$f" || true
	pk=$(rsum "$f" flow rx_pkts proto=6 lport="$port")
	by=$(rsum "$f" flow rx_bytes proto=6 lport="$port")
	avg=$([ "$pk" -gt 0 ] && echo $((by / pk)) || echo 0)
	figure "${mode}_avg_rx_len" "$avg"
	check_ge "$avg" 1400 "$mode: average length of the client's packets at $m (full-size segments)"
	check_le "$avg" 1500 "$mode: average length of the client's packets at $m (no stamp counted)"
done


log "no clamp: mss-clamp off"
bnl m1 config mss-clamp off
bnl m2 config mss-clamp off
check_eq "$(bstat m1 mss_clamp)" off "m1 mss_clamp after config"
for c in dr:m1:$VIP_DR:80 nat:m2:$VIP_NAT:81; do
	IFS=: read -r mode m vip port <<<"$c"
	tb0=$(bstat director stat.stamp_toobig)
	sp0=$(bstat director stat.stamp_split)
	transfer "${mode}_noclamp" "$m" "$vip" "$port"
	figure "${mode}_noclamp_split" $(( $(bstat director stat.stamp_split) - sp0 ))
	check_eq "$clamped" 0 "${mode}_noclamp: stat.mss_clamped on $m"
	check_eq "$ok" 1 "${mode}_noclamp: tcpbulk transfer complete and verified"
	check_eq "$frags" 0 "${mode}_noclamp: fragments created by the director (retransmissions $retrans)"
	check_eq "$(( $(bstat director stat.stamp_toobig) - tb0 ))" 0 \
		"${mode}_noclamp: TCP segments refused for their size (split instead)"
	check_le "$retrans" $((retrans_absent[$mode] + segments / 100)) \
		"${mode}_noclamp: retransmissions within 1 % of the segments ($segments) of the module-absent run (${retrans_absent[$mode]})"
done

log "no clamp, member to member: both ends count the segments the wire carries"
sp0=$(bstat m1 stat.stamp_split)
nsx m2 tcpbulk serve --port 6100 --once --timeout-ms 60000 \
	--ready-file "$(ready_file m2bulk)" >"$VM_STATE/serve.m2bulk" &
spid=$!
wait_ready m2bulk
out=$(nsx m1 tcpbulk send --dst 10.0.1.12 --port 6100 --bytes $BYTES --timeout-ms 60000) || {
	fail "tcpbulk m1 -> m2 failed: $out"
	blackholed=$((blackholed + 1))
}
wait "$spid" || true
check_eq "$(kv "$(cat "$VM_STATE/serve.m2bulk")" received)" $BYTES "m1 -> m2: bytes received"
figure m1_m2_split $(( $(bstat m1 stat.stamp_split) - sp0 ))
bnl m1 member-advance 30 >/dev/null
bnl m2 member-advance 30 >/dev/null
f1=$(records m1 30)
f2=$(records m2 30)
tx=$(rsum "$f1" flow tx_pkts proto=6 rport=6100)/$(rsum "$f1" flow tx_bytes proto=6 rport=6100)
rx=$(rsum "$f2" flow rx_pkts proto=6 lport=6100)/$(rsum "$f2" flow rx_bytes proto=6 lport=6100)
echo "m1 tx $tx, m2 rx $rx (packets/bytes)"
check_eq "$rx" "$tx" "m1 -> m2 without the clamp: packets/bytes m1 sent = m2 received"

log "Don't-Fragment UDP near the MTU"
# dfudp LABEL FROM TO DST PORT SIZE: 200 datagrams with DF, sets lost,
# emsgsize, mtu, frags (on FROM and the director)
dfudp() {
	local label=$1 from=$2 to=$3 dst=$4 port=$5 size=$6 rcv f0 f1
	f0=$(snmp director Ip FragCreates)
	f1=$(snmp "$from" Ip FragCreates)
	# forget path MTUs learned before (the TCP runs taught the client
	# the VIP's): each case starts from the interface's MTU
	ip -n "$from" route flush cache
	nsx "$to" udpnum recv --port "$port" --timeout-ms 30000 --idle-ms 2000 \
		--ready-file "$(ready_file "$label")" >"$VM_STATE/recv.$label" &
	rpid=$!
	wait_ready "$label"
	out=$(nsx "$from" udpnum send --dst "$dst" --port "$port" --count 200 \
		--pps 200 --size "$size" --df)
	wait "$rpid" || true
	rcv=$(cat "$VM_STATE/recv.$label")
	echo "$label: $out; $to: $rcv"
	lost=$(( $(kv "$out" sent) - $(kv "$rcv" received) ))
	# (out stays set for the caller)
	emsgsize=$(kv "$out" emsgsize)
	mtu=$(kv "$out" mtu)
	frags=$(( $(snmp director Ip FragCreates) - f0 + $(snmp "$from" Ip FragCreates) - f1 ))
	frags_all=$((frags_all + frags))
	# nothing got through, or still lost after the sender learned the MTU
	[ "$(kv "$rcv" received)" -gt 0 ] && [ "$lost" -le 2 ] ||
		blackholed=$((blackholed + 1))
	figure "${label}_lost" "$lost"
	figure "${label}_emsgsize" "$emsgsize"
	figure "${label}_mtu" "$mtu"
	check_eq "$(kv "$rcv" bad)" 0 "$label: datagrams received intact"
	check_eq "$frags" 0 "$label: fragments created"
}
tb0=$(bstat director stat.stamp_toobig)
dfudp vip1464 client m1 $VIP_DR 7000 1464
check_eq "$lost/$emsgsize" 0/0 "vip1464: every datagram through, no error"
dfudp vip1472 client m1 $VIP_DR 7000 1472
check_le "$lost" 2 "vip1472: datagrams lost before the sender learned the MTU"
check_ge "$emsgsize" 1 "vip1472: the sender was told (EMSGSIZE)"
check_eq "$mtu" 1492 "vip1472: the path MTU the sender learned"
check_ge "$(( $(bstat director stat.stamp_toobig) - tb0 ))" 1 "vip1472: director's stat.stamp_toobig"
tb0=$(bstat m1 stat.stamp_toobig)
dfudp m2_1464 m1 m2 10.0.1.12 7001 1464
check_eq "$lost/$emsgsize" 0/0 "m2_1464: every datagram through, no error"
dfudp m2_1472 m1 m2 10.0.1.12 7001 1472
check_eq "$lost" 0 "m2_1472: datagrams lost (the sender hears EMSGSIZE at once)"
check_ge "$emsgsize" 1 "m2_1472: the sender was told (EMSGSIZE)"
check_eq "$(kv "$out" size)" 1464 "m2_1472: the size the sender settled on"
check_ge "$(( $(bstat m1 stat.stamp_toobig) - tb0 ))" 1 "m2_1472: m1's stat.stamp_toobig"
# the default encoding: a DF UDP datagram carries its stamp in the IPv4
# ID, grows by nothing, and 1,472 bytes fit as without the module
beaver_encoding id
tb0=$(( $(bstat director stat.stamp_toobig) + $(bstat m1 stat.stamp_toobig) ))
id0=$(( $(bstat director stat.stamp_id) + $(bstat m1 stat.stamp_id) ))
dfudp vip1472_id client m1 $VIP_DR 7000 1472
check_eq "$lost/$emsgsize/$(kv "$out" size)" 0/0/1472 "vip1472_id: every datagram through at 1,472 bytes, no error"
dfudp m2_1472_id m1 m2 10.0.1.12 7001 1472
check_eq "$lost/$emsgsize/$(kv "$out" size)" 0/0/1472 "m2_1472_id: every datagram through at 1,472 bytes, no error"
check_eq "$(( $(bstat director stat.stamp_toobig) + $(bstat m1 stat.stamp_toobig) - tb0 ))" 0 \
	"the ID encoding: datagrams refused for their size"
check_ge "$(( $(bstat director stat.stamp_id) + $(bstat m1 stat.stamp_id) - id0 ))" 400 \
	"the ID encoding: datagrams stamped in the ID (director and m1)"
figure frags "$frags_all"
figure blackholed "$blackholed"
check_eq "$frags_all" 0 "fragments created, all cases"
check_eq "$blackholed" 0 "cases where traffic stopped getting through"
