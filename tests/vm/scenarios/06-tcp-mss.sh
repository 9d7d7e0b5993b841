# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 180
#
# (e) TCP bulk transfers through the gateway, in NAT and DR mode, with
# full-size segments. The gateway adds 8 bytes to every segment; members
# clamp the MSS of the SYN-ACKs they send by 8, so the client's full-size
# segments still fit the 1500-byte path after stamping: the transfer is
# exact, the segments are full-size (average > 1400 bytes), and the director
# never fragments.
#
# The control: with `mss-clamp off` the client's 1500-byte segments grow to
# 1508 at the director, which must then fragment every one of them (IPVS
# ignores DF): the bench shows the fragments (and retransmissions, if any).
#
#   client --(VIP_DR:80)--> director [gateway] --DR--> m1
#          --(VIP_NAT:81)-->                   --NAT-> m2

need_module
need_tools beaver-nl tcpbulk
BYTES=3000000

log "lab and IPVS services"
lab_ipvs
ipvs_service director tcp $VIP_DR:80
ipvs_real director tcp $VIP_DR:80 10.0.1.11:80 dr
ipvs_service director tcp $VIP_NAT:81
ipvs_real director tcp $VIP_NAT:81 10.0.1.12:81 nat
beaver_lab 50
bnl director gw-advance 1 >/dev/null

# transfer LABEL MEMBER VIP PORT: one tcpbulk run, figures LABEL_*;
# sets ok, frags, retrans, clamped
transfer() {
	local label=$1 m=$2 vip=$3 port=$4 f0 r0 c0 g0 t0 out srv spid
	log "$label: $BYTES bytes to $vip:$port ($m)"
	f0=$(snmp director Ip FragCreates)
	r0=$(snmp client Tcp RetransSegs)
	c0=$(bstat "$m" stat.mss_clamped)
	g0=$(bstat director stat.gw_stamped)
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
	clamped=$(( $(bstat "$m" stat.mss_clamped) - c0 ))
	figure "${label}_frags" "$frags"
	figure "${label}_retrans" "$retrans"
	figure "${label}_clamped" "$clamped"
	check_gt "$(( $(bstat director stat.gw_stamped) - g0 ))" 0 "$label: packets stamped by the gateway"
}

for c in dr:m1:$VIP_DR:80 nat:m2:$VIP_NAT:81; do
	IFS=: read -r mode m vip port <<<"$c"
	transfer "$mode" "$m" "$vip" "$port"
	check_eq "$ok" 1 "$mode: tcpbulk transfer complete and verified"
	check_ge "$clamped" 1 "$mode: stat.mss_clamped on $m (its SYN-ACK)"
	check_eq "$frags" 0 "$mode: fragments created by the director"
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

log "control: mss-clamp off"
bnl m1 config mss-clamp off
bnl m2 config mss-clamp off
check_eq "$(bstat m1 mss_clamp)" off "m1 mss_clamp after config"
for c in dr:m1:$VIP_DR:80 nat:m2:$VIP_NAT:81; do
	IFS=: read -r mode m vip port <<<"$c"
	transfer "${mode}_noclamp" "$m" "$vip" "$port"
	figure "${mode}_noclamp_ok" "$ok"
	check_eq "$clamped" 0 "${mode}_noclamp: stat.mss_clamped on $m"
	# deterministic: every full-size segment is 8 bytes too long after
	# stamping, and IPVS lets the director fragment it
	check_gt "$frags" 0 \
		"${mode}_noclamp: fragments created by the director without clamping (retransmissions $retrans, transfer ok $ok)"
done
