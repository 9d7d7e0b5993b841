# SPDX-License-Identifier: GPL-2.0
#
# The consistency lab: external causal chains through an out-group relay,
# for the oracle scenarios (16-21). Sourced after lib.sh. docs/oracle.md
# explains what the oracle checks and why each delay below is there.
#
#   client 10.0.1.100 --VIP_i:7000--> gw_i --> m1 (A)          coord 10.0.1.5
#
#   m1 (A) --udp X:900i--> x 10.0.1.50 --relay--> VIP_i:900i --> gw_i --> m2 (B)
#   m1 (A) --tcp X:9501--> x --relay, sport 9502--> VIP1:9501 --> gw1 --> m2 (B)
#   m1 (A) <--udp 9100 / 9101--> m2 (B)      the direct in-group channels
#
# Gateways gw1 10.0.1.1, gw2 .2, gw3 .3, each the only director of its own
# VIP 10.9.1.i: gw1 and gw3 forward by direct routing (the members hold
# those VIPs on lo), gw2 by NAT. All hosts share br0. A gets out-group
# traffic through every gateway, so it cuts as soon as the first gateway
# switches; B gets the relayed chains and nothing else from outside.
#
# The delays that make a wrong snapshot observable (the controls need them):
# - the coordinator's datagrams to B are delayed (CH_ADV_DELAY), and so is
#   A's direct traffic to B (CH_DIRECT_DELAY): without the gateways' marks,
#   nothing else moves B's cut, so B cuts well after A;
# - with several gateways, the relay's output is delayed (CH_RELAY_DELAY):
#   the external chain gateway -> A -> x -> gateway takes at least that
#   long, which is what makes a τ_min below it a true lower bound (OGM's
#   premise). Under TCG a loaded coordinator sees t1 - t0 of 5-50 ms and
#   more, so the bound has to be large for most attempts to pass it.

CH_VIP_BASE=10.9.1
CH_X=10.0.1.50
CH_A=10.0.1.11
CH_B=10.0.1.12
CH_COORD=10.0.1.5
# set by a scenario before chain_lab; "" for none
CH_ADV_DELAY=${CH_ADV_DELAY-40ms}
CH_DIRECT_DELAY=${CH_DIRECT_DELAY-80ms}
CH_RELAY_DELAY=${CH_RELAY_DELAY-}
CH_SIZE=200		# every chained datagram and TCP record, bytes
CH_NGW=1
CH_CHAINS=		# the gateways whose VIP carries a relayed UDP chain
CH_TCP=0

ch_vip() { echo "$CH_VIP_BASE.$1"; }
ch_mode() { [ "$1" = 2 ] && echo nat || echo dr; }

# ch_prio NS: a prio qdisc on eth0 whose band 1:2 takes everything but
# what ch_to sends to bands 1:3 and up; idempotent
ch_prio() {
	[ -f "$VM_STATE/prio.$1" ] && return 0
	tc -n "$1" qdisc add dev eth0 root handle 1: prio bands 8 \
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
		[ "$band" -le 8 ] || die "ch_to: no band left in $ns"
		tc -n "$ns" qdisc add dev eth0 parent "1:$band" handle "${band}0:" netem "$@"
		tc -n "$ns" filter add dev eth0 parent 1: protocol ip prio 1 u32 \
			match ip dst "$dst/32" flowid "1:$band"
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

# chain_lab NGW "CHAINS" [tcp]: NGW gateways (1-3); a relayed UDP chain
# through the VIP of every gateway in CHAINS ("1 2 3"); tcp: the TCP chain
# through gw1 as well
chain_lab() {
	local i v h gws='' vips='' ipvs drvips=()
	CH_NGW=$1 CH_CHAINS=$2 CH_TCP=0
	[ "${3:-}" = tcp ] && CH_TCP=1
	for ((i = 1; i <= CH_NGW; i++)); do host "gw$i" "10.0.1.$i/24"; done
	host m1 $CH_A/24
	host m2 $CH_B/24
	host x $CH_X/24
	host client 10.0.1.100/24
	host coord $CH_COORD/24
	for ((i = 1; i <= CH_NGW; i++)); do
		v=$(ch_vip $i)
		ip -n "gw$i" addr add "$v/32" dev lo
		director "gw$i"
		ipvs="-A -u $v:7000 -s rr"$'\n'
		if [ "$(ch_mode $i)" = dr ]; then
			ipvs+="-a -u $v:7000 -r $CH_A:7000 -g -w 1"$'\n'
			ipvs+="-A -u $v:900$i -s rr"$'\n'"-a -u $v:900$i -r $CH_B:900$i -g -w 1"$'\n'
		else
			ipvs+="-a -u $v:7000 -r $CH_A:7000 -m -w 1"$'\n'
			ipvs+="-A -u $v:900$i -s rr"$'\n'"-a -u $v:900$i -r $CH_B:900$i -m -w 1"$'\n'
		fi
		if [ "$i" = 1 ]; then
			ipvs+="-A -t $v:9501 -s rr"$'\n'"-a -t $v:9501 -r $CH_B:9501 -g -w 1"$'\n'
		fi
		printf '%s' "$ipvs" | nsx "gw$i" ipvsadm -R
		for h in client x; do ip -n "$h" route add "$v/32" via "10.0.1.$i"; done
		gws+=" gw$i=10.0.1.$i"
		vips+=${vips:+,}$v
		[ "$(ch_mode $i)" = dr ] && drvips+=("$v")
	done
	# the members hold the direct-routing VIPs (one call each: the ARP
	# sysctls once)
	dr_real m1 "${drvips[@]}"
	dr_real m2 "${drvips[@]}"
	# the delays that make a wrong snapshot observable (top of this file)
	[ -z "$CH_ADV_DELAY" ] || ch_to coord $CH_B delay "$CH_ADV_DELAY"
	[ -z "$CH_DIRECT_DELAY" ] || ch_to m1 $CH_B delay "$CH_DIRECT_DELAY"
	[ -z "$CH_RELAY_DELAY" ] || ch_default x delay "$CH_RELAY_DELAY"
	bvd_group "${gws# }" "m1=$CH_A m2=$CH_B" "$vips" "$CH_COORD/32"
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

# chain_traffic_start [PPS]: every stream of the lab, PPS (default 200)
# chained datagrams a second on each chain. With the TCP chain, its
# sender is connected end to end but waits for chain_tcp_go.
chain_traffic_start() {
	local pps=${1:-200} i f long=3600000
	: >"$VM_STATE/ch.pids"
	rm -f "$VM_STATE/ch.go"
	# receivers first, each announcing its socket
	for i in $CH_CHAINS; do
		_ch_bg "recv$i" m2 udpnum recv --port "900$i" --timeout-ms $long \
			--ready-file "$VM_STATE/ready.recv$i"
		_ch_bg "relay$i" x udpnum relay --port "900$i" --to "$(ch_vip "$i"):900$i" \
			--ready-file "$VM_STATE/ready.relay$i"
	done
	_ch_bg recvd12 m2 udpnum recv --port 9100 --timeout-ms $long \
		--missing-file "$VM_STATE/lost.m1-m2" --ready-file "$VM_STATE/ready.recvd12"
	_ch_bg recvd21 m1 udpnum recv --port 9101 --timeout-ms $long \
		--missing-file "$VM_STATE/lost.m2-m1" --ready-file "$VM_STATE/ready.recvd21"
	_ch_bg recvc m1 udpnum recv --port 7000 --timeout-ms $long \
		--ready-file "$VM_STATE/ready.recvc"
	if [ "$CH_TCP" = 1 ]; then
		_ch_bg tcprecv m2 tcpnum recv --port 9501 --size $CH_SIZE --timeout-ms $long \
			--ready-file "$VM_STATE/ready.tcprecv"
		_ch_bg tcprelay x tcpnum relay --port 9501 --to "$(ch_vip 1):9501" --sport 9502 \
			--timeout-ms $long --ready-file "$VM_STATE/ready.tcprelay"
	fi
	local end=$((SECONDS + 20)) n
	while :; do
		n=0
		for i in $CH_CHAINS; do
			[ -e "$VM_STATE/ready.recv$i" ] && [ -e "$VM_STATE/ready.relay$i" ] && n=$((n + 1))
		done
		[ -e "$VM_STATE/ready.recvd12" ] && [ -e "$VM_STATE/ready.recvd21" ] &&
			[ -e "$VM_STATE/ready.recvc" ] && n=$((n + 1))
		[ "$CH_TCP" = 0 ] || { [ -e "$VM_STATE/ready.tcprecv" ] &&
			[ -e "$VM_STATE/ready.tcprelay" ]; } || n=-1
		[ "$n" -eq $(( $(wc -w <<<"$CH_CHAINS") + 1 )) ] && break
		[ "$SECONDS" -lt "$end" ] || die "chain_traffic_start: receivers not ready"
		sleep 0.05
	done
	# then the senders
	for i in $CH_CHAINS; do
		_ch_bg "send$i" m1 udpnum send --dst $CH_X --port "900$i" --sport "900$i" \
			--size $CH_SIZE --count 100000000 --pps "$pps" --timeout-ms $long
	done
	_ch_bg sendd12 m1 udpnum send --dst $CH_B --port 9100 --first 1 --size 120 \
		--count 100000000 --pps 100 --timeout-ms $long
	_ch_bg sendd21 m2 udpnum send --dst $CH_A --port 9101 --first 1 --size 120 \
		--count 100000000 --pps 50 --timeout-ms $long
	for ((i = 1; i <= CH_NGW; i++)); do
		_ch_bg "sendc$i" client udpnum send --dst "$(ch_vip $i)" --port 7000 --size 150 \
			--count 100000000 --pps 50 --timeout-ms $long
	done
	if [ "$CH_TCP" = 1 ]; then
		_ch_bg tcpsend m1 tcpnum send --dst $CH_X --port 9501 --size $CH_SIZE \
			--count 100000000 --rps "$pps" --go-file "$VM_STATE/ch.go" --timeout-ms $long
		# end to end: A -> x and x -> VIP -> B both established
		end=$((SECONDS + 20))
		f=$(nsproc x tcp)
		until _listening 9501 01 "$f" && _listening 9502 01 "$f"; do
			[ "$SECONDS" -lt "$end" ] || die "chain_traffic_start: TCP chain not connected"
			sleep 0.1
		done
	fi
}

# chain_tcp_go: the TCP chain's sender starts sending
chain_tcp_go() { : >"$VM_STATE/ch.go"; }

# chain_traffic_stop: senders first, then (once the slowest path has
# drained) relays and receivers; prints every process's totals and
# completes the loss files with the tail the receiver never saw
chain_traffic_stop() {
	local name pid sent max f
	while read -r name pid; do
		case $name in send*|tcpsend) kill -TERM "$pid" 2>/dev/null || true ;; esac
	done <"$VM_STATE/ch.pids"
	while read -r name pid; do
		case $name in send*|tcpsend) wait "$pid" || true ;; esac
	done <"$VM_STATE/ch.pids"
	sleep 1		# > every netem delay of the lab
	while read -r name pid; do
		case $name in send*|tcpsend) ;; *) kill -TERM "$pid" 2>/dev/null || true ;; esac
	done <"$VM_STATE/ch.pids"
	while read -r name pid; do
		case $name in send*|tcpsend) ;; *) wait "$pid" || true ;; esac
	done <"$VM_STATE/ch.pids"
	while read -r name pid; do
		echo "traffic $name: $(tr '\n' ' ' <"$VM_STATE/ch.$name")"
	done <"$VM_STATE/ch.pids"
	# datagrams after the last one a receiver saw were lost too
	for f in d12:m1-m2 d21:m2-m1; do
		sent=$(kv "$(cat "$VM_STATE/ch.send${f%%:*}")" sent)
		max=$(kv "$(cat "$VM_STATE/ch.recv${f%%:*}")" max_seq)
		[ "$max" = - ] && max=0
		[ -n "$sent" ] && [ -n "$max" ] && [ "$sent" -gt "$max" ] &&
			seq $((max + 1)) "$sent" >>"$VM_STATE/lost.${f#*:}"
		figure "lost_${f#*:}" "$(wc -l <"$VM_STATE/lost.${f#*:}")"
	done
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

# chain_oracle TAG [OPTION...]: the oracle over export.TAG; prints its
# summary line (details in $VM_STATE/oracle.TAG) and returns its status
chain_oracle() {
	local tag=$1 i c=() rc=0
	shift
	for i in $CH_CHAINS; do
		c+=(--chain "name=udp$i,proto=udp,a=m1,x=$CH_X,port=900$i,b=m2,sport=900$i")
	done
	if [ "$CH_TCP" = 1 ]; then
		c+=(--chain "name=tcp,proto=tcp,a=m1,x=$CH_X,port=9501,b=m2,sport=9502")
		c+=(--tcp-base "$(cat "$VM_STATE/tcp-base")")
	fi
	c+=(--lost "m1>m2=$VM_STATE/lost.m1-m2,port=9100")
	c+=(--lost "m2>m1=$VM_STATE/lost.m2-m1,port=9101")
	# with the TCP chain, the base snapshot comes first
	local in=("$VM_STATE/export.$tag")
	[ "$CH_TCP" = 0 ] || in=("$VM_STATE/export.base" "${in[@]}")
	bvoracle "${c[@]}" --detail "$VM_STATE/oracle.$tag" "$@" "${in[@]}" \
		2>"$VM_STATE/oracle.$tag.err" || rc=$?
	head -n 20 "$VM_STATE/oracle.$tag.err" >&2
	return $rc
}

# chain_tcp_base: one snapshot of the established, still silent TCP chain
# (its sequence numbers are the oracle's base, kept in export.base); then
# the data flows
chain_tcp_base() {
	local r id
	r=$(bctl coord --json snapshot --wait) || die "chain_tcp_base: snapshot failed: $r"
	id=$(jq -r .id <<<"$r")
	echo "$id" >"$VM_STATE/tcp-base"
	bctl coord export "$id" >"$VM_STATE/export.base"
	chain_tcp_go
}

# chain_verdict TAG MIN: the oracle over export.TAG must pass: exit 0, no
# violation, nothing unverifiable, every accepted snapshot checked, at
# least MIN accepted; figures TAG_*; the summary line in CH_SUMMARY
chain_verdict() {
	local tag=$1 min=$2 rc=0
	CH_SUMMARY=$(chain_oracle "$tag") || rc=$?
	echo "oracle $tag: $CH_SUMMARY"
	chain_figures "$tag" "$CH_SUMMARY"
	check_eq "$rc" 0 "oracle exit status ($tag)"
	check_eq "$(kv "$CH_SUMMARY" violations)/$(kv "$CH_SUMMARY" unverifiable)" 0/0 \
		"violations/unverifiable ($tag)"
	check_ge "$(kv "$CH_SUMMARY" accepted)" "$min" "accepted snapshots ($tag)"
	check_eq "$(kv "$CH_SUMMARY" checked)" "$(kv "$CH_SUMMARY" accepted)" \
		"accepted snapshots checked ($tag)"
}

# chain_control_verdict TAG WHAT: a control run (WHAT: what was taken
# away) must make the oracle find chain violations, and only those: a
# control that finds nothing means the scenario could not catch a broken
# Beaver. Figures TAG_violations, TAG_max_excess; summary in CH_SUMMARY.
chain_control_verdict() {
	local tag=$1 what=$2 rc=0
	CH_SUMMARY=$(chain_oracle "$tag") || rc=$?
	echo "oracle $tag: $CH_SUMMARY"
	figure "${tag}_violations" "$(kv "$CH_SUMMARY" violations)"
	figure "${tag}_max_excess" "$(kv "$CH_SUMMARY" max_excess)"
	check_eq "$rc" 1 "oracle exit status ($tag: $what)"
	check_ge "$(kv "$CH_SUMMARY" chain_violations)" 1 "chain violations found ($tag: $what)"
	check_eq "$(kv "$CH_SUMMARY" balance_violations)/$(kv "$CH_SUMMARY" unverifiable)" 0/0 \
		"balance violations/unverifiable ($tag: only the chains may break)"
}

# chain_figures PREFIX SUMMARY: the oracle's numbers as the scenario's
# figures (PREFIX_attempted, _accepted, ...)
chain_figures() {
	local p=$1 s=$2 k
	figure "${p}_attempted" "$(kv "$s" documents)"
	for k in accepted rejected failed violations rejected_attempts \
		bound_median_us bound_p99_us tau_min_us; do
		figure "${p}_$k" "$(kv "$s" $k)"
	done
}
