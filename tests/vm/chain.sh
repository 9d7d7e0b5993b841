# SPDX-License-Identifier: GPL-2.0
#
# The consistency lab: external causal chains through an out-group relay,
# for the oracle scenarios (16-21). Sourced after lib.sh. docs/oracle.md
# explains what the oracle checks, why each delay below is there, and why
# every chain ends at a member of its own.
#
#   client 10.0.1.100 --VIP_g:7000--> gw_g --> m1 (A)          coord 10.0.1.5
#
#   chain k (k = 1, 2, ...), through gateway g_k, to member B_k = m(k+2):
#   m1 (A) --P_k--> x 10.0.1.50 --relay--> CVIP_k:P_k --> gw_g_k --> B_k
#   m1 (A) <--udp 9100 / 9101--> m2       the direct in-group channels
#
# Gateways gw1 10.0.1.1, gw2 .2, gw3 .3. Gateway g is the only director of
# the client's VIP 10.9.1.g (port 7000, to A) and of the VIP 10.9.2.k of
# every chain k through it (port P_k = 9000 + k, to B_k): gw1 and gw3
# forward by direct routing (the members hold their VIPs on lo), gw2 by
# NAT. All hosts share br0. A gets the client's traffic through every
# gateway, CH_CLIENT_PPS a second each, so it cuts within a few
# milliseconds of the first gateway's switch; each B_k gets its chain and
# nothing else from outside, so only the gateway's mark on that chain (or
# the coordinator's advance, CH_ADV_DELAY late) makes it cut.
#
# The delays (docs/oracle.md, "The delays"):
# - CH_RELAY_DELAY: everything x sends to a chain VIP. The chain gateway ->
#   A -> x -> gateway then takes at least that long: the true lower bound
#   OGM's tau_min needs with several gateways.
# - CH_JITTER: what a gateway forwards on a chain is delayed uniformly in
#   [0, 2 * CH_JITTER] (netem, reordering). A message A sends after its
#   cut can then overtake earlier ones, so B may cut while messages A sent
#   before its cut are still on the way: the cut falls inside traffic.
# - CH_ADV_DELAY: the coordinator's datagrams to every B_k. Beyond the
#   chain's length, so that B's cut is late unless the mark on the chain
#   makes it early: the controls (marking off) need B to cut late.
# - CH_DIRECT_DELAY: A's direct traffic to m2, so that packets are in
#   flight across the cuts (channel state).
#
# IPv6 (docs/ipv6.md): a chain written PROTO:G:6 runs over IPv6 end to end
# (A -> x's IPv6 address, x -> an IPv6 chain VIP fd09:2::k -> B's IPv6
# address), PROTO:G:64 changes family at the relay (A -> x over IPv6, x ->
# the IPv4 chain VIP -> B). With any such chain every host of br0 also
# has fd00:1::N beside 10.0.1.N, the members list both addresses (a
# dual-stack member: two data addresses), and A and m2 talk directly over
# IPv6 too (ports 9102 and 9103), so that channels of both families must
# balance.

CH_VIP_BASE=10.9.1
CH_CVIP_BASE=10.9.2
CH_X=10.0.1.50
CH_A=10.0.1.11
CH_C=10.0.1.12			# m2: A's direct partner
CH_COORD=10.0.1.5
CH_V6=fd00:1:			# + ":N": 10.0.1.N's IPv6 twin (ch_six)
CH_X6=fd00:1::50
CH_A6=fd00:1::11
CH_C6=fd00:1::12
CH_HAS6=0			# set by chain_lab: some chain uses IPv6
CH_SIZE=200		# every chained datagram and TCP record, bytes
# a control's snapshots (gateway marking off, or the check switched off)
# must show violations in at least half: make check's runs showed them in
# 96-100 % of 20-40, so 12 tell the same (fewer than 6 of 12 has odds
# below 0.5 % at a true rate of 80 %); make check-full (SOAK=1) takes 30
CH_NCONTROL=$([ "${SOAK:-0}" = 1 ] && echo 30 || echo 12)
# set by a scenario before chain_lab ("" for none)
CH_ADV_DELAY=${CH_ADV_DELAY-100ms}
CH_DIRECT_DELAY=${CH_DIRECT_DELAY-20ms}
CH_RELAY_DELAY=${CH_RELAY_DELAY-}
CH_JITTER=${CH_JITTER-20ms}
CH_CLIENT_PPS=${CH_CLIENT_PPS:-200}
CH_NGW=1
CH_CHAINS=		# "udp:G tcp:G ...": chain k's protocol and gateway
CH_NK=0

ch_vip() { echo "$CH_VIP_BASE.$1"; }		# the client's VIP on gateway g
ch_dr() { [ "$1" != 2 ]; }			# gateway g directs: all but gw2 (NAT)
ch_mode() { ch_dr "$1" && echo dr || echo nat; }
ch_port() { echo $((9000 + $1)); }		# chain k's port
ch_b() { echo "m$(($1 + 2))"; }			# chain k's member B_k
# field F of chain K's "proto:gw[:af]" (no processes: the lab's setup calls
# these hundreds of times, and a fork and exec costs ~10 ms under TCG)
ch_field() {
	local -a c f
	local IFS=$' \t\n'
	# shellcheck disable=SC2206 # CH_CHAINS is words of [a-z0-9:]
	c=($CH_CHAINS)
	IFS=:
	# shellcheck disable=SC2206
	f=(${c[$1 - 1]:-})
	echo "${f[$2 - 1]:-}"
}
ch_proto() { ch_field "$1" 1; }
ch_gw() { ch_field "$1" 2; }
ch_af() { local f; f=$(ch_field "$1" 3); echo "${f:-4}"; }	# 4, 6 or 64
ch_af_in() { local f; f=$(ch_af "$1"); echo "${f:0:1}"; }	# A -> x
ch_af_out() { local f; f=$(ch_af "$1"); echo "${f: -1}"; }	# x -> VIP -> B
ch_name() { echo "$(ch_proto "$1")$1"; }	# udp1, tcp2, ...
ch_six() { echo "$CH_V6:${1##*.}"; }		# 10.0.1.N -> fd00:1::N
# chain k's VIP, B's and x's address, in the family of their leg
ch_cvip() { [ "$(ch_af_out "$1")" = 6 ] && echo "fd09:2::$1" || echo "$CH_CVIP_BASE.$1"; }
ch_baddr() {
	local a="10.0.1.$(($1 + 12))"
	if [ "$(ch_af_out "$1")" = 6 ]; then ch_six "$a"; else echo "$a"; fi
}
ch_baddr4() { echo "10.0.1.$(($1 + 12))"; }
ch_xaddr() { [ "$(ch_af_in "$1")" = 6 ] && echo "$CH_X6" || echo "$CH_X"; }
ch_xaddr_out() { [ "$(ch_af_out "$1")" = 6 ] && echo "$CH_X6" || echo "$CH_X"; }
# ADDR:PORT, IPv6 in brackets
ch_ap() { case $1 in *:*) echo "[$1]:$2" ;; *) echo "$1:$2" ;; esac; }

# _ch_index: every chain's fields in arrays (CH_PROTO[k], CH_NAME[k], ...),
# so that the lab's setup and the oracle's specs read them without a
# fork each: a command substitution costs ~0.1 s under TCG, and they
# were seconds of every chain scenario
_ch_index() {
	local k
	CH_PROTO=() CH_GW=() CH_AF=() CH_AFIN=() CH_AFOUT=() CH_NAME=() CH_B=()
	CH_PORT=() CH_CVIP=() CH_BADDR=() CH_BADDR4=() CH_XADDR=() CH_XADDR_OUT=()
	for ((k = 1; k <= CH_NK; k++)); do
		CH_PROTO[k]=$(ch_proto $k)
		CH_GW[k]=$(ch_gw $k)
		CH_AF[k]=$(ch_af $k)
		CH_AFIN[k]=${CH_AF[k]:0:1}
		CH_AFOUT[k]=${CH_AF[k]: -1}
		CH_NAME[k]=${CH_PROTO[k]}$k
		CH_B[k]=m$((k + 2))
		CH_PORT[k]=$((9000 + k))
		CH_BADDR4[k]=10.0.1.$((k + 12))
		if [ "${CH_AFOUT[k]}" = 6 ]; then
			CH_CVIP[k]=fd09:2::$k
			CH_BADDR[k]=$CH_V6:$((k + 12))
			CH_XADDR_OUT[k]=$CH_X6
		else
			CH_CVIP[k]=$CH_CVIP_BASE.$k
			CH_BADDR[k]=${CH_BADDR4[k]}
			CH_XADDR_OUT[k]=$CH_X
		fi
		if [ "${CH_AFIN[k]}" = 6 ]; then CH_XADDR[k]=$CH_X6; else CH_XADDR[k]=$CH_X; fi
	done
}

# ms of a netem delay ("100ms" -> 100, "" -> 0)
_ms() { local d=${1%ms}; echo "${d:-0}"; }

# ch_lmin K: chain k's shortest possible latency in ms, as the delays set
# it (the oracle takes the larger of this and the fastest message it saw)
ch_lmin() { _ms "$CH_RELAY_DELAY"; }

# ch_prio NS: a prio qdisc on eth0 whose band 1:2 takes everything but
# what ch_to sends to bands 1:3 and up; idempotent
ch_prio() {
	[ -f "$VM_STATE/prio.$1" ] && return 0
	tc -n "$1" qdisc add dev eth0 root handle 1: prio bands 16 \
		priomap 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1
	: >"$VM_STATE/prio.$1"
}

# ch_to NS DST NETEM...: what NS sends to DST goes through netem NETEM...,
# in a band of its own; called again for the same DST, changes NETEM
ch_to() {
	local ns=$1 dst=$2 band
	shift 2
	ch_prio "$ns"
	band=$(awk -v d="$dst" '$1 == d { print $2 }' "$VM_STATE/prio.$ns")
	if [ -z "$band" ]; then
		band=$(( $(wc -l <"$VM_STATE/prio.$ns") + 3 ))
		[ "$band" -le 16 ] || die "ch_to: no band left in $ns"
		tc -n "$ns" qdisc add dev eth0 parent "1:$band" handle "${band}0:" netem "$@"
		case $dst in
		*:*) tc -n "$ns" filter add dev eth0 parent 1: protocol ipv6 prio 2 u32 \
			match ip6 dst "$dst/128" flowid "1:$band" ;;
		*) tc -n "$ns" filter add dev eth0 parent 1: protocol ip prio 1 u32 \
			match ip dst "$dst/32" flowid "1:$band" ;;
		esac
		echo "$dst $band" >>"$VM_STATE/prio.$ns"
	else
		tc -n "$ns" qdisc change dev eth0 parent "1:$band" handle "${band}0:" netem "$@"
	fi
}

# ch_default NS NETEM...: everything else NS sends goes through netem
ch_default() {
	local ns=$1
	shift
	ch_prio "$ns"
	tc -n "$ns" qdisc replace dev eth0 parent 1:2 handle 20: netem "$@"
}

# ch_adv_delay DELAY: the coordinator's datagrams to every B_k now take
# DELAY (the controls lengthen it)
ch_adv_delay() {
	local k
	for ((k = 1; k <= CH_NK; k++)); do ch_to coord "${CH_BADDR4[k]}" delay "$1"; done
}

# chain_lab NGW "PROTO:G ...": NGW gateways (1-3) and one chain per
# PROTO:G (udp or tcp, through gateway G), each to a member of its own
chain_lab() {
	local i k g v ipvs drvips b p
	local -A drb=()
	CH_NGW=$1 CH_CHAINS=$2
	CH_NK=$(wc -w <<<"$CH_CHAINS")
	_ch_index
	CH_HAS6=0
	for ((k = 1; k <= CH_NK; k++)); do
		[ "${CH_AF[k]}" = 4 ] || CH_HAS6=1
	done
	for ((i = 1; i <= CH_NGW; i++)); do ch_host "gw$i" "10.0.1.$i"; done
	ch_host m1 $CH_A
	ch_host m2 $CH_C
	for ((k = 1; k <= CH_NK; k++)); do ch_host "${CH_B[k]}" "${CH_BADDR4[k]}"; done
	ch_host x $CH_X
	ch_host client 10.0.1.100
	ch_host coord $CH_COORD
	for ((i = 1; i <= CH_NGW; i++)); do
		v=$CH_VIP_BASE.$i
		ip -n "gw$i" addr add "$v/32" dev lo
		director "gw$i"
		[ "$CH_HAS6" = 0 ] || nsysctl "gw$i" ipv6/conf/all/forwarding=1
		ipvs="-A -u $v:7000 -s rr"$'\n'
		if ch_dr "$i"; then
			ipvs+="-a -u $v:7000 -r $CH_A:7000 -g -w 1"$'\n'
			drb[m1]+=" $v"
		else
			ipvs+="-a -u $v:7000 -r $CH_A:7000 -m -w 1"$'\n'
		fi
		for ((k = 1; k <= CH_NK; k++)); do
			[ "${CH_GW[k]}" = "$i" ] || continue
			v=${CH_CVIP[k]}
			b=${CH_B[k]}
			p=${CH_PORT[k]}
			local pf=-u vp="$v:$p" bp="${CH_BADDR[k]}:$p" plen=32
			[ "${CH_PROTO[k]}" = udp ] || pf=-t
			case $v in *:*) vp="[$v]:$p" bp="[${CH_BADDR[k]}]:$p" plen=128 ;; esac
			ip -n "gw$i" addr add "$v/$plen" dev lo
			ipvs+="-A $pf $vp -s rr"$'\n'
			ipvs+="-a $pf $vp -r $bp"
			if ch_dr "$i"; then
				ipvs+=" -g -w 1"$'\n'
				drb[$b]+=" $v"
			else
				ipvs+=" -m -w 1"$'\n'
			fi
			if [ "${CH_AFOUT[k]}" = 6 ]; then
				ip -n x -6 route add "$v/128" via "$(ch_six "10.0.1.$i")"
			else
				ip -n x route add "$v/32" via "10.0.1.$i"
			fi
			# the jitter: what gw_i forwards on chain k (DR: to the
			# VIP; NAT: to B_k, which gets nothing else through it)
			if [ -n "$CH_JITTER" ]; then
				if ch_dr "$i"; then
					ch_to "gw$i" "$v" delay "$CH_JITTER" "$CH_JITTER"
				else
					ch_to "gw$i" "${CH_BADDR[k]}" delay "$CH_JITTER" "$CH_JITTER"
				fi
			fi
		done
		printf '%s' "$ipvs" | nsx "gw$i" ipvsadm -R
		ip -n client route add "$CH_VIP_BASE.$i/32" via "10.0.1.$i"
	done
	# the members hold their direct-routing VIPs (one call each: the ARP
	# sysctls once); m2 holds none but answers no ARP for others either
	for b in m1 m2 $(for ((k = 1; k <= CH_NK; k++)); do ch_b $k; done); do
		# shellcheck disable=SC2086 # the VIPs, one word each
		dr_real "$b" ${drb[$b]:-}
	done
	[ -z "$CH_ADV_DELAY" ] || ch_adv_delay "$CH_ADV_DELAY"
	[ -z "$CH_DIRECT_DELAY" ] || ch_to m1 $CH_C delay "$CH_DIRECT_DELAY"
	[ -z "$CH_DIRECT_DELAY" ] || [ "$CH_HAS6" = 0 ] ||
		ch_to m1 $CH_C6 delay "$CH_DIRECT_DELAY"
	if [ -n "$CH_RELAY_DELAY" ]; then
		for ((k = 1; k <= CH_NK; k++)); do
			ch_to x "${CH_CVIP[k]}" delay "$CH_RELAY_DELAY"
		done
	fi
	local gws='' members="m1=$CH_A m2=$CH_C" vips=''
	for ((i = 1; i <= CH_NGW; i++)); do
		gws+=" gw$i=10.0.1.$i"
		vips+=${vips:+,}$CH_VIP_BASE.$i
	done
	BVD_DATA6=
	for ((k = 1; k <= CH_NK; k++)); do
		members+=" ${CH_B[k]}=${CH_BADDR4[k]}"
		vips+=,${CH_CVIP[k]}
	done
	bvd_group "${gws# }" "$members" "$vips" "$CH_COORD/32"
	# dual stack: every member and gateway's IPv6 address too
	if [ "$CH_HAS6" = 1 ]; then
		for p in $members $gws; do BVD_DATA6+=" ${p%%=*}=$(ch_six "${p#*=}")"; done
	fi
}

# ch_host NS 10.0.1.N: a host on br0, with fd00:1::N beside it when the
# lab has IPv6 (no duplicate address detection: the lab's addresses are
# unique, and DAD would hold each back for a second)
ch_host() {
	host "$1" "$2/24"
	[ "$CH_HAS6" = 1 ] || return 0
	ip -n "$1" -6 addr add "$(ch_six "$2")/64" dev eth0 nodad
}

# ch_plen ADDR: a host prefix's length in ADDR's family
ch_plen() { case $1 in *:*) echo 128 ;; *) echo 32 ;; esac; }

# chain_gateways: the gateways' names, comma-separated (bvoracle --gateways)
chain_gateways() {
	local i s=
	for ((i = 1; i <= CH_NGW; i++)); do s+=${s:+,}gw$i; done
	echo "$s"
}

# chain_daemons [SECTION.KEY=VALUE...]: beaverd on every gateway and
# member, and the coordinator (with the given overrides)
chain_daemons() { bvd_all $CH_COORD "$@"; }

# _ch_bg NAME NS CMD...: a traffic process in NS, its output in
# $VM_STATE/ch.NAME, its pid listed for chain_traffic_stop
_ch_bg() {
	local name=$1 ns=$2
	shift 2
	nsenter --net="/run/netns/$ns" -- "$@" >"$VM_STATE/ch.$name" 2>&1 &
	echo "$name $!" >>"$VM_STATE/ch.pids"
}

# _ch_ready NAME...: until every NAME's ready file exists (20 s)
_ch_ready() {
	local end=$((SECONDS + 20)) n
	while :; do
		n=0
		for f in "$@"; do [ -e "$VM_STATE/ready.$f" ] && n=$((n + 1)); done
		[ "$n" -eq $# ] && return 0
		[ "$SECONDS" -lt "$end" ] || die "chain_traffic_start: not ready: $*"
		sleep 0.05
	done
}

# chain_traffic_start [RATE]: every stream of the lab; each chain carries
# RATE (default 100) messages a second, numbered from 1 and logged at both
# ends ($VM_STATE/log.NAME.send, .recv). A TCP chain is connected end to
# end but waits for chain_tcp_go.
chain_traffic_start() {
	local rate=${1:-100} i k p b n long=3600000 ready=()
	: >"$VM_STATE/ch.pids"
	rm -f "$VM_STATE/ch.go"
	# receivers first, each announcing its socket
	for ((k = 1; k <= CH_NK; k++)); do
		p=${CH_PORT[k]} b=${CH_B[k]} n=${CH_NAME[k]}
		if [ "${CH_PROTO[k]}" = tcp ]; then
			_ch_bg "recv$k" "$b" tcpnum recv $(_ch_on "${CH_AFOUT[k]}") --port "$p" --size $CH_SIZE \
				--timeout-ms $long --ready-file "$VM_STATE/ready.recv$k" \
				--log "$VM_STATE/log.$n.recv"
			_ch_bg "relay$k" x tcpnum relay $(_ch_on "${CH_AFIN[k]}") --port "$p" \
				--to "$(ch_ap "${CH_CVIP[k]}" "$p")" \
				--sport $((p + 100)) --timeout-ms $long \
				--ready-file "$VM_STATE/ready.relay$k"
		else
			_ch_bg "recv$k" "$b" udpnum recv $(_ch_on "${CH_AFOUT[k]}") --port "$p" --timeout-ms $long \
				--missing-file "$VM_STATE/lost.$n" --first-file "$VM_STATE/ready.first$k" \
				--ready-file "$VM_STATE/ready.recv$k" --log "$VM_STATE/log.$n.recv"
			_ch_bg "relay$k" x udpnum relay $(_ch_on "${CH_AFIN[k]}") --port "$p" \
				--to "$(ch_ap "${CH_CVIP[k]}" "$p")" \
				--ready-file "$VM_STATE/ready.relay$k"
		fi
		ready+=("recv$k" "relay$k")
	done
	_ch_bg recvd12 m2 udpnum recv --port 9100 --timeout-ms $long \
		--missing-file "$VM_STATE/lost.m1-m2" --ready-file "$VM_STATE/ready.recvd12"
	_ch_bg recvd21 m1 udpnum recv --port 9101 --timeout-ms $long \
		--missing-file "$VM_STATE/lost.m2-m1" --ready-file "$VM_STATE/ready.recvd21"
	_ch_bg recvc m1 udpnum recv --port 7000 --timeout-ms $long \
		--ready-file "$VM_STATE/ready.recvc"
	if [ "$CH_HAS6" = 1 ]; then
		_ch_bg recvd12_6 m2 udpnum recv $(_ch_on 6) --port 9102 --timeout-ms $long \
			--missing-file "$VM_STATE/lost.m1-m2_6" --ready-file "$VM_STATE/ready.recvd12_6"
		_ch_bg recvd21_6 m1 udpnum recv $(_ch_on 6) --port 9103 --timeout-ms $long \
			--missing-file "$VM_STATE/lost.m2-m1_6" --ready-file "$VM_STATE/ready.recvd21_6"
		ready+=(recvd12_6 recvd21_6)
	fi
	_ch_ready "${ready[@]}" recvd12 recvd21 recvc
	# then the senders
	for ((i = 1; i <= CH_NGW; i++)); do
		_ch_bg "sendc$i" client udpnum send --dst "$CH_VIP_BASE.$i" --port 7000 --size 150 \
			--count 100000000 --pps "$CH_CLIENT_PPS" --timeout-ms $long
	done
	_ch_bg sendd12 m1 udpnum send --dst $CH_C --port 9100 --first 1 --size 120 \
		--count 100000000 --pps 100 --timeout-ms $long
	_ch_bg sendd21 m2 udpnum send --dst $CH_A --port 9101 --first 1 --size 120 \
		--count 100000000 --pps 50 --timeout-ms $long
	if [ "$CH_HAS6" = 1 ]; then
		_ch_bg sendd12_6 m1 udpnum send --dst $CH_C6 --port 9102 --first 1 --size 120 \
			--count 100000000 --pps 100 --timeout-ms $long
		_ch_bg sendd21_6 m2 udpnum send --dst $CH_A6 --port 9103 --first 1 --size 120 \
			--count 100000000 --pps 50 --timeout-ms $long
	fi
	for ((k = 1; k <= CH_NK; k++)); do
		p=${CH_PORT[k]} n=${CH_NAME[k]}
		if [ "${CH_PROTO[k]}" = tcp ]; then
			_ch_bg "send$k" m1 tcpnum send --dst "${CH_XADDR[k]}" --port "$p" --size $CH_SIZE \
				--count 100000000 --rps "$rate" --go-file "$VM_STATE/ch.go" \
				--timeout-ms $long --log "$VM_STATE/log.$n.send"
		else
			_ch_bg "send$k" m1 udpnum send --dst "${CH_XADDR[k]}" --port "$p" --sport "$p" \
				--first 1 --size $CH_SIZE --count 100000000 --pps "$rate" \
				--timeout-ms $long --log "$VM_STATE/log.$n.send"
		fi
	done
	# a UDP chain end to end: B has its first message, so a snapshot
	# never finds B without the chain's flow (the first packets wait for
	# ARP and neighbour discovery on two hops; the oracle calls a missing
	# flow unverifiable, never 0)
	local first=()
	for ((k = 1; k <= CH_NK; k++)); do
		[ "${CH_PROTO[k]}" = tcp ] || first+=("first$k")
	done
	[ ${#first[@]} -eq 0 ] || _ch_ready "${first[@]}"
	# a TCP chain end to end: A -> x and x -> VIP -> B both established
	local f end=$((SECONDS + 20))
	f=$(nsproc x tcp)
	for ((k = 1; k <= CH_NK; k++)); do
		[ "${CH_PROTO[k]}" = tcp ] || continue
		p=${CH_PORT[k]}
		until _listening "$p" 01 "$f" "${f}6" && _listening $((p + 100)) 01 "$f" "${f}6"; do
			[ "$SECONDS" -lt "$end" ] || die "chain_traffic_start: TCP chain $k not connected"
			sleep 0.1
		done
	done
}

# _ch_on AF: what a receiving udpnum/tcpnum needs to listen in family AF
_ch_on() { [ "$1" = 6 ] && echo "--bind ::" || true; }

# chain_has_tcp: the lab has a TCP chain
chain_has_tcp() { [[ " $CH_CHAINS" == *" tcp:"* ]]; }

# chain_tcp_go: the TCP chains' senders start sending
chain_tcp_go() { : >"$VM_STATE/ch.go"; }

# chain_traffic_stop: senders first, then (once the slowest path has
# drained) relays and receivers; prints every process's totals and
# completes the loss files with the tail the receiver never saw
chain_traffic_stop() {
	local name pid sent max f k n drain
	while read -r name pid; do
		case $name in send*) kill -TERM "$pid" 2>/dev/null || true ;; esac
	done <"$VM_STATE/ch.pids"
	while read -r name pid; do
		case $name in send*) wait "$pid" || true ;; esac
	done <"$VM_STATE/ch.pids"
	# longer than every delay of the lab
	drain=$(( ( $(_ms "$CH_RELAY_DELAY") + 2 * $(_ms "$CH_JITTER") + 1000 ) / 1000 + 1 ))
	sleep "$drain"
	while read -r name pid; do
		case $name in send*) ;; *) kill -TERM "$pid" 2>/dev/null || true ;; esac
	done <"$VM_STATE/ch.pids"
	while read -r name pid; do
		case $name in send*) ;; *) wait "$pid" || true ;; esac
	done <"$VM_STATE/ch.pids"
	while read -r name pid; do
		echo "traffic $name: $(tr '\n' ' ' <"$VM_STATE/ch.$name")"
	done <"$VM_STATE/ch.pids"
	# datagrams after the last one a receiver saw were lost too
	for f in d12:m1-m2 d21:m2-m1; do
		_ch_tail_lost "${f%%:*}" "${f#*:}"
		[ "$CH_HAS6" = 0 ] || _ch_tail_lost "${f%%:*}_6" "${f#*:}_6"
	done
	for ((k = 1; k <= CH_NK; k++)); do
		[ "${CH_PROTO[k]}" = udp ] && _ch_tail_lost "$k" "${CH_NAME[k]}"
		check_eq "$(kv "$(cat "$VM_STATE/ch.recv$k")" bad)" 0 "damaged messages on chain $k"
	done
}

# _ch_tail_lost S L: the numbers above the last one recvS saw, up to what
# sendS sent, are lost too (lost.L); figure lost_L
_ch_tail_lost() {
	local sent max
	sent=$(kv "$(cat "$VM_STATE/ch.send$1")" sent)
	max=$(kv "$(cat "$VM_STATE/ch.recv$1")" max_seq)
	[ "$max" = - ] && max=0
	[ -n "$sent" ] && [ -n "$max" ] && [ "$sent" -gt "$max" ] &&
		seq $((max + 1)) "$sent" >>"$VM_STATE/lost.$2"
	figure "lost_$2" "$(wc -l <"$VM_STATE/lost.$2")"
	check_eq "$(kv "$(cat "$VM_STATE/ch.recv$1")" overflow)" 0 \
		"datagrams of $2 dropped by a full socket buffer (would pass for network losses)"
}

# chain_snapshots TAG N PAR: N snapshots from PAR concurrent beaverctl
# clients (each a --wait series); their ids in $VM_STATE/ids.TAG, the
# clients' exit statuses ignored (the oracle counts the states)
chain_snapshots() {
	local tag=$1 n=$2 par=$3 i pids=() each
	each=$(( (n + par - 1) / par ))
	for ((i = 0; i < par; i++)); do
		bctl coord --json snapshot --wait --count "$each" --interval 0 \
			>"$VM_STATE/series.$tag.$i.json" 2>"$VM_STATE/series.$tag.$i.err" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || true; done
	cat "$VM_STATE"/series."$tag".*.json | jq -r '.snapshots[].id' | sort -n >"$VM_STATE/ids.$tag"
	cat "$VM_STATE"/series."$tag".*.err >&2
}

# chain_export TAG: every snapshot of ids.TAG as exported by the
# coordinator, in $VM_STATE/export.TAG (one beaverctl per 200 IDs)
chain_export() {
	xargs -r -n 200 beaverctl --socket "$(bvd_sock coord)" export \
		<"$VM_STATE/ids.$1" >"$VM_STATE/export.$1" ||
		fail "chain_export $1: beaverctl export failed"
}

# chain_oracle TAG [OPTION...]: the oracle over export.TAG, with every
# chain, its losses and both applications' logs; prints its summary line
# (details in $VM_STATE/oracle.TAG) and returns its status
chain_oracle() {
	local tag=$1 k n c=() rc=0 spec lmin
	shift
	lmin=$(ch_lmin)
	for ((k = 1; k <= CH_NK; k++)); do
		n=${CH_NAME[k]}
		spec="name=$n,proto=${CH_PROTO[k]},a=m1,x=${CH_XADDR[k]},port=${CH_PORT[k]},b=${CH_B[k]}"
		# the mixed chain: B sees x by its address of the other family
		[ "${CH_XADDR_OUT[k]}" = "${CH_XADDR[k]}" ] || spec+=",xb=${CH_XADDR_OUT[k]}"
		if [ "${CH_PROTO[k]}" = tcp ]; then
			spec+=",sport=$(( ${CH_PORT[k]} + 100 ))"
		else
			spec+=",sport=${CH_PORT[k]},lost=$VM_STATE/lost.$n"
		fi
		spec+=",lmin_ms=$lmin,sendlog=$VM_STATE/log.$n.send,recvlog=$VM_STATE/log.$n.recv"
		c+=(--chain "$spec")
	done
	chain_has_tcp && c+=(--tcp-base "$(cat "$VM_STATE/tcp-base")")
	c+=(--lost "m1>m2=$VM_STATE/lost.m1-m2,port=9100")
	c+=(--lost "m2>m1=$VM_STATE/lost.m2-m1,port=9101")
	if [ "$CH_HAS6" = 1 ]; then
		c+=(--lost "m1>m2=$VM_STATE/lost.m1-m2_6,port=9102")
		c+=(--lost "m2>m1=$VM_STATE/lost.m2-m1_6,port=9103")
	fi
	c+=(--gateways "$(chain_gateways)" --one-clock)
	# with a TCP chain, the base snapshot comes first
	local in=("$VM_STATE/export.$tag")
	chain_has_tcp && in=("$VM_STATE/export.base" "${in[@]}")
	bvoracle "${c[@]}" --detail "$VM_STATE/oracle.$tag" "$@" "${in[@]}" \
		2>"$VM_STATE/oracle.$tag.err" || rc=$?
	head -n 20 "$VM_STATE/oracle.$tag.err" >&2
	return $rc
}

# chain_tcp_base: one snapshot of the established, still silent TCP
# chains (their sequence numbers are the oracle's base, kept in
# export.base); then the data flows
chain_tcp_base() {
	local r id
	r=$(bctl coord --json snapshot --wait) || die "chain_tcp_base: snapshot failed: $r"
	id=$(jq -r .id <<<"$r")
	echo "$id" >"$VM_STATE/tcp-base"
	bctl coord export "$id" >"$VM_STATE/export.base"
	chain_tcp_go
}

# pct PART WHOLE: PART as a whole percentage of WHOLE (0 if WHOLE is 0)
pct() { awk -v p="$1" -v w="$2" 'BEGIN { print (w > 0) ? int(100 * p / w) : 0 }'; }

# chain_verdict TAG MIN: the oracle over export.TAG must pass: exit 0, no
# violation of any kind, nothing unverifiable, every accepted snapshot
# checked, at least MIN accepted; and the run must have been able to catch
# a violation: for every chain, B cut more than the chain's shortest
# latency after A in at least 30% of the snapshots (straddled), messages A
# had sent before its cut were still on the way at B's cut in at least
# half of them (gap p50 > 0), and B had received some in at least 90%.
# Figures TAG_*; the summary line in CH_SUMMARY.
chain_verdict() {
	local tag=$1 min=$2 rc=0 k n s checked
	CH_SUMMARY=$(chain_oracle "$tag") || rc=$?
	s=$CH_SUMMARY
	echo "oracle $tag: $s"
	chain_figures "$tag" "$s"
	check_eq "$rc" 0 "oracle exit status ($tag)"
	check_eq "$(kv "$s" violations)/$(kv "$s" unverifiable)" 0/0 \
		"violations/unverifiable ($tag)"
	check_ge "$(kv "$s" accepted)" "$min" "accepted snapshots ($tag)"
	checked=$(kv "$s" checked)
	check_eq "$checked" "$(kv "$s" accepted)" "accepted snapshots checked ($tag)"
	# a member keeps every record until told to release it, even across a
	# restart: one it no longer has was freed while still needed
	check_eq "$(jq -r 'select(.state == "failed") | .reason' "$VM_STATE/export.$tag" |
		grep -c 'has no record' || true)" 0 \
		"snapshots failed for a record a member no longer had ($tag)"
	check_eq "$(kv "$s" app_checked)" "$checked" \
		"snapshots the applications' logs checked ($tag)"
	for ((k = 1; k <= CH_NK; k++)); do
		n=${CH_NAME[k]}
		check_ge "$(pct "$(kv "$s" "$n.straddled")" "$checked")" 30 \
			"% of snapshots straddling chain $n (B cut > its shortest latency after A)"
		check_gt "$(kv "$s" "$n.gap_p50")" 0 \
			"median of sent - lost - received on chain $n (messages on the way at B's cut)"
		check_ge "$(pct "$(kv "$s" "$n.received_pos")" "$checked")" 90 \
			"% of snapshots in which B had received something on chain $n"
	done
}

# chain_control_verdict TAG WHAT: a control run (WHAT: what was taken
# away) must make the oracle find chain violations in at least half of
# its snapshots, for each chain protocol the lab carries, and only those
# (no channel or OGM violation, nothing unverifiable): a control that
# finds less means the scenario could not catch a broken Beaver. The
# applications' logs must find some too. Figures TAG_*; summary in
# CH_SUMMARY.
chain_control_verdict() {
	local tag=$1 what=$2 rc=0 s checked p
	CH_SUMMARY=$(chain_oracle "$tag") || rc=$?
	s=$CH_SUMMARY
	echo "oracle $tag: $s"
	checked=$(kv "$s" checked)
	figure "${tag}_snapshots" "$checked"
	figure "${tag}_straddled" "$(kv "$s" straddled)"
	check_eq "$rc" 1 "oracle exit status ($tag: $what)"
	for p in udp tcp; do
		[[ " $CH_CHAINS" == *" $p:"* ]] || continue
		figure "${tag}_violations_$p" "$(kv "$s" "violations_$p")"
		check_ge "$(pct "$(kv "$s" "violations_$p")" "$checked")" 50 \
			"% of snapshots with a $p chain violation ($tag: $what)"
	done
	figure "${tag}_app_violations" "$(kv "$s" app_violations)"
	check_ge "$(kv "$s" app_violations)" 1 \
		"violations the applications' logs found ($tag: $what)"
	check_eq "$(kv "$s" balance_violations)/$(kv "$s" ogm_violations)/$(kv "$s" unverifiable)" 0/0/0 \
		"balance/OGM violations, unverifiable ($tag: only the chains may break)"
}

# chain_figures PREFIX SUMMARY: the oracle's numbers as the scenario's
# figures (PREFIX_attempted, _accepted, ..., per chain straddled and gap)
chain_figures() {
	local p=$1 s=$2 k n
	figure "${p}_attempted" "$(kv "$s" documents)"
	for k in accepted rejected failed violations rejected_attempts \
		bound_median_us bound_p99_us tau_min_us straddled inflight; do
		figure "${p}_$k" "$(kv "$s" $k)"
	done
	for ((k = 1; k <= CH_NK; k++)); do
		n=${CH_NAME[k]}
		figure "${p}_${n}_straddled" "$(kv "$s" "$n.straddled")"
		figure "${p}_${n}_gap_p50" "$(kv "$s" "$n.gap_p50")"
		figure "${p}_${n}_lmin_us" "$(kv "$s" "$n.lmin_us")"
	done
}
