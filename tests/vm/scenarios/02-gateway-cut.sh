# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 120
#
# (a) The gateway stamps IPVS-forwarded traffic, in direct-routing and in
# NAT mode, and a member cuts exactly before the first datagram stamped with
# a newer epoch.
#
# The out-group client sends numbered UDP datagrams 1..100 from one source
# port to a VIP. After datagram 37 has left the director the gateway
# advances; datagrams 38..100 follow from the same port. The member's cut
# record for the new epoch must hold exactly 37 datagrams of that flow:
# everything before datagram 38, nothing after.
#
# Epochs for applications (app_mark, issue #14): m1 writes each datagram's
# epoch into the mark bits 0xff0000, and its receiver reads them with
# SO_RCVMARK: datagrams 1..37 must read the old epoch, 38..100 the new one
# (the side of the cut the record puts them on). m2, with app_mark 0, is
# the control: its marks stay 0.
#
#   client --(VIP_DR:5001, VIP_NAT:5002)--> director [gateway] --> m1 (DR)
#                                                              \-> m2 (NAT)
#   client --(10.0.1.13:5003, plain routing)--> director ---------> m3

need_module
need_tools beaver-nl udpnum
K=37	# datagrams before the advance
N=100
SIZE=200

log "lab and IPVS services"
lab_ipvs
ipvs_service director udp $VIP_DR:5001
ipvs_real director udp $VIP_DR:5001 10.0.1.11:5001 dr
ipvs_service director udp $VIP_NAT:5002
ipvs_real director udp $VIP_NAT:5002 10.0.1.12:5002 nat
beaver_lab 50
gw_advance director 1 >/dev/null
APP_MARK=0xff0000
bnl m1 config app-mark $((APP_MARK)) >/dev/null
check_eq "$(bstat m1 app_mark)" $((APP_MARK)) "m1's app_mark"

# app_marks MODE FILE K E: each line of FILE (`NUMBER MARK`, udpnum recv
# --marks) read as the epoch app_mark wrote (uapi beaver.h: (epoch mod
# 2^7) << 1 | 1 in 0xff0000): numbers up to K must read E - 1, the others
# E; prints `before=B after=A wrong=W`
app_marks() {
	local n mark f e b=0 a=0 w=0
	while read -r n mark; do
		f=$(( (0x$mark & APP_MARK) >> 16 ))
		e=$((f & 1 ? f >> 1 : -1))
		if [ "$n" -le "$3" ] && [ "$e" = $((($4 - 1) % 128)) ]; then
			b=$((b + 1))
		elif [ "$n" -gt "$3" ] && [ "$e" = $(($4 % 128)) ]; then
			a=$((a + 1))
		else
			w=$((w + 1))
		fi
	done <"$2"
	echo "before=$b after=$a wrong=$w"
}

# one case: MODE MEMBER VIP PORT SPORT EPOCH (the epoch the gateway moves to
# between datagram K and K+1)
one_case() {
	local mode=$1 m=$2 vip=$3 port=$4 sport=$5 e=$6 rpid out stamped f f2 \
		rx rxb rx2 rxb2 gw
	log "$mode: $K datagrams, gw-advance $e, $((N - K)) more"
	nsx "$m" udpnum recv --port "$port" --count $N --timeout-ms 30000 \
		--marks "$VM_STATE/marks.$mode" \
		--ready-file "$(ready_file "$m")" >"$VM_STATE/recv.$mode" &
	rpid=$!
	wait_ready "$m"

	stamped=$(bstat director stat.gw_stamped)
	out=$(nsx client udpnum send --dst "$vip" --port "$port" --sport "$sport" \
		--count $K --first 1 --size $SIZE)
	check_eq "$(kv "$out" sent)" $K "$mode: first batch sent"
	# every datagram of the first batch has been stamped (with the old
	# epoch) before the gateway moves on
	wait_stat director stat.gw_stamped $((stamped + K))
	out=$(gw_advance director "$e")
	check_eq "$(kv "$out" epoch)" "$e" "$mode: gateway epoch after gw-advance"
	out=$(nsx client udpnum send --dst "$vip" --port "$port" --sport "$sport" \
		--count $((N - K)) --first $((K + 1)) --size $SIZE)
	check_eq "$(kv "$out" sent)" $((N - K)) "$mode: second batch sent"
	wait "$rpid" || true
	out=$(cat "$VM_STATE/recv.$mode")
	echo "$m: $out"
	check_eq "$(kv "$out" received)/$(kv "$out" bad)/$(kv "$out" dup)" "$N/0/0" \
		"$mode: datagrams received/bad/dup by the application"
	check_eq "$(kv "$out" max_seq)" $N "$mode: last datagram number"
	if [ "$m" = m1 ]; then
		# for the log: the marks of the first datagram and around the cut
		sed -n "1p;$K,$((K + 1))p;\$p" "$VM_STATE/marks.$mode"
		out=$(app_marks "$mode" "$VM_STATE/marks.$mode" $K "$e")
		figure "${mode}_app_marks" "$out"
		check_eq "$out" "before=$K after=$((N - K)) wrong=0" \
			"$mode: the epochs the application read (SO_RCVMARK)"
	else
		check_eq "$(sort -u -k2,2 "$VM_STATE/marks.$mode" | awk '{print $2}' | tr '\n' ' ')" "0 " \
			"$mode: no marks where app_mark is 0"
	fi

	# the member cut when datagram K+1 (stamped e) arrived
	check_eq "$(bstat "$m" member_epoch)" "$e" "$mode: $m's epoch after the stream"
	f=$(records "$m" "$e")
	cat "$f"
	rx=$(rsum "$f" flow rx_pkts proto=17 rport="$sport" lport="$port")
	rxb=$(rsum "$f" flow rx_bytes proto=17 rport="$sport" lport="$port")
	figure "${mode}_rx_at_cut" "$rx"
	figure "${mode}_laddr" "$(rget "$f" flow laddr proto=17 rport="$sport")"
	check_eq "$rx" $K "$mode: flow rx_pkts in $m's cut record of epoch $e"
	check_eq "$(rsum "$f" chan rx_pkts kind=gateway)" $K \
		"$mode: gateway channel rx_pkts in the cut record of epoch $e"
	check_eq "$(rget "$f" cut last)" "$e" "$mode: cut record's last epoch"
	check_eq "$(( $(rget "$f" cut flags) & 4 ))" 0 \
		"$mode: the cut was made by a packet, not by a command"

	# everything, at a later cut by command: the byte count at the first
	# cut is exactly K/N of the total whatever a byte means
	bnl "$m" member-advance $((e + 10)) >/dev/null
	f2=$(records "$m" $((e + 10)))
	rx2=$(rsum "$f2" flow rx_pkts proto=17 rport="$sport" lport="$port")
	rxb2=$(rsum "$f2" flow rx_bytes proto=17 rport="$sport" lport="$port")
	check_eq "$rx2" $N "$mode: flow rx_pkts at the later cut"
	check '[ $((rxb * N)) -eq $((rxb2 * K)) ] && [ "$rxb" -gt 0 ]' \
		"$mode: rx_bytes at the cut ($rxb) is $K/$N of the total ($rxb2)"
	check_eq "$(bstat "$m" stat.bypass)" 0 "$mode: bypass count on $m"
	check_ge "$(bstat "$m" stat.rx_stamped)" $N "$mode: stamped datagrams received by $m"
}

one_case dr m1 $VIP_DR 5001 40001 2
one_case nat m2 $VIP_NAT 5002 40002 3

log "routed, no IPVS: client -> m3's own address through the director"
nsx m3 udpnum recv --port 5003 --count 20 --timeout-ms 20000 \
	--ready-file "$(ready_file m3)" >"$VM_STATE/recv.routed" &
rpid=$!
wait_ready m3
nsx client udpnum send --dst 10.0.1.13 --port 5003 --count 20 --size 100 >/dev/null
wait "$rpid" || true
check_eq "$(kv "$(cat "$VM_STATE/recv.routed")" received)" 20 "routed: datagrams m3 received"
check_eq "$(bstat m3 stat.rx_stamped)" 20 "routed: stamped datagrams received by m3"
check_eq "$(bstat m3 stat.bypass)" 0 "routed: bypass count on m3"
check_eq "$(bstat m3 member_epoch)" 3 "routed: m3 cut on the gateway's epoch"

gw=$(bstat director stat.gw_stamped)
figure gw_stamped "$gw"
check_ge "$gw" $((2 * N + 20)) "datagrams stamped by the gateway"
check_eq "$(bstat director stat.stamp_noroom)/$(bstat director stat.stamp_nomem)" 0/0 \
	"gateway stamping failures (noroom/nomem)"
