# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 1080
#
# make bench, inside the VM (bench/run.sh boots it with tests/vm/run.sh
# --bench datapath and reads what it prints; docs/performance.md explains
# the method). Issue #12, items 1 and 2.
#
# 1. The data path, side by side: rounds of modes A, B, C, in that order,
#    ROUNDS times in one VM:
#      A  beaver.ko not loaded (rmmod)
#      B  loaded, the director a gateway and m1..m3 members (beaver_lab),
#         no snapshot
#      C  as B, plus snapshots all the time: every 100 ms, bvadvance
#         moves the gateway to the next epoch, then tells the three
#         members (the coordinator's order; one process that sleeps
#         between rounds of netlink requests; no daemon, no collection:
#         the module's data-path cost of continuous cuts, not the control
#         plane's)
#      O  as C, with every node stamping IPv4 with the option only
#         (ipv4-stamp option: the encoding before the ID one), so that
#         the two encodings are measured side by side
#      D  as B, plus the same bvadvance as C driving a decoy group: four
#         namespaces off the data path (d0 a gateway, d1..d3 members, the
#         same configuration), cutting ten times a second. Everything C
#         does beside the packets (the process, its netlink requests, the
#         cuts' records, RCU grace periods and completion work), none of
#         what it does to them: C/D is the cost of cuts on the path, D/B
#         that of the work beside it
#    (B and C use the default encoding: the stamp in the IPv4 ID of TCP
#    segments with data, the option for the rest; docs/decisions.md)
#    each mode running, for SECS seconds each:
#      tcp  bvperf tcp-send client -> VIP:80 -> m1 (IPVS DR): throughput
#      rr   bvperf rr client -> VIP:7000 -> m1 (DR, 64-byte datagrams, one
#           outstanding): transactions/s, round-trip percentiles; client
#           and server on CPU 1, so that a round trip is one CPU's work
#           (under TCG a wake-up across vCPUs costs milliseconds at random:
#           unpinned, the percentiles measured the idle vCPU)
#      mm   bvperf tcp-send m2 -> m1:5001, member to member: throughput
#    The member's wire carries MTU-size segments (the director's egress
#    with TSO and GSO off; m1's bridge port with TSO off, so veth hands
#    m1's eth0 single segments, and only then does its GRO run: veth
#    coalesces only what comes from a peer without TSO), m1's GRO on. For
#    tcp and mm, the packets m1's IP layer took in (Ip InReceives: one per
#    skb after GRO) and the packets its eth0 received (rx_packets of
#    /proc/net/dev: one per segment on the wire, before GRO), per MB
#    received.
# 1b. Where the cost on small packets sits: rr once with the module
#    absent, with the gateway's role only, the member's only, and both
#    (SPLIT=0 skips it; only when WORKLOADS has rr).
# 2. The flow table: FLOW_PKTS datagrams through the VIP to m1 cycling over
#    1, 1,000 and 100,000 source tuples (bvsoak send, a raw socket, from
#    CPU 1; IPVS one-packet scheduling, so the director keeps no entry per
#    tuple), each after a warm-up pass that makes every tuple's flow. The
#    cost: the CPU time both vCPUs spent busy (/proc/stat: user, system,
#    irq, softirq) per datagram, the sender's, the director's and the
#    member's work together. Not the sender's wall time: the raw socket
#    meets ENOBUFS and sleeps 100 us (milliseconds under TCG) as often as
#    queues happen to fill, which varied more between runs than anything
#    the tuples did. Modes A (a control: what grows with the tuples
#    without Beaver) and B (m1 with max_flows 262,144 and flow_idle_ms
#    600,000, so every flow stays in its table), FLOW_ROUNDS rounds, A/B
#    interleaved, the order of the tuple counts turning every round.
#
# Every sample goes to the results port as
#   BEAVER-BENCH <kind> key value ...
# bench/run.sh computes medians and ratios. Figures on the result line:
# the run's shape only (rounds, seconds).
#
# BEAVER_VM_ENV: ROUNDS (7), SECS (4), MODES (ABCDO: one letter each),
# FLOW_ROUNDS (3), FLOW_PKTS (100000), FLOWS ("1 1000 100000"; "" skips
# part 2), WORKLOADS ("tcp rr mm"), ONCE (modes measured in the first
# round only: ""), ICOUNT (1: bench/run.sh booted this VM with -icount;
# recorded in the shape), PROF (1: bench/profile/run.sh counts the
# instructions of each rr run, see rr_measure()). bench-smoke: ROUNDS=3
# SECS=1 MODES=ACO ONCE=O FLOWS= WORKLOADS=tcp (O is its checks' control:
# packets per MB do not need more rounds).

need_module
need_tools beaver-nl bvperf bvsoak udpnum bvadvance
command -v ethtool >/dev/null || skip "ethtool missing in the VM image"
ROUNDS=${ROUNDS:-7}
SECS=${SECS:-4}
FLOW_ROUNDS=${FLOW_ROUNDS:-3}
FLOW_PKTS=${FLOW_PKTS:-100000}
FLOWS=${FLOWS-1 1000 100000}
WORKLOADS=${WORKLOADS:-tcp rr mm}
MODES=${MODES:-ABCDO}
MODES=$(sed 's/./& /g' <<<"$MODES")	# one letter each
ONCE=${ONCE:-}
# CPU1: rr and the flow table's sender run on vCPU 1 (see rr above); a VM
# with one vCPU (make bench's -icount VM: docs/performance.md) pins nothing
CPU1=()
[ "$(nproc)" -lt 2 ] || CPU1=(--cpu 1)
B=$VM_STATE/bench
mkdir -p "$B"

# emit KIND KEY VALUE...: one sample for bench/run.sh
emit() {
	echo "[bench] $*"
	{ echo "BEAVER-BENCH $*" >&3; } 2>/dev/null || true
}

emit host cpus "$(nproc)" kernel "$(uname -r)" \
	cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1 | tr ' ' '_')"
emit shape rounds "$ROUNDS" secs "$SECS" icount "${ICOUNT:-0}" flow_rounds "$FLOW_ROUNDS" \
	flow_pkts "$FLOW_PKTS" flows "${FLOWS// /,}" workloads "${WORKLOADS// /,}"

# the profiler's plugin finds its marker here (bench/profile/tbcount.c)
if [ "${PROF:-0}" != 0 ]; then
	grep -q " /mnt/host 9p " /proc/mounts || die "PROF=1 needs the 9p share (bench/profile/run.sh)"
	cp /proc/kallsyms /mnt/host/kallsyms
	echo 0 >"$B/prof-runs"
fi

log "lab: IPVS DR to m1 (tcp 80, udp 7000, udp 7002 one-packet)"
lab_ipvs
ipvs_service director tcp $VIP_DR:80
ipvs_real director tcp $VIP_DR:80 10.0.1.11:80 dr
ipvs_service director udp $VIP_DR:7000
ipvs_real director udp $VIP_DR:7000 10.0.1.11:7000 dr
nsx director ipvsadm -A -u $VIP_DR:7002 -s rr -o
ipvs_real director udp $VIP_DR:7002 10.0.1.11:7002 dr

log "offloads: MTU-size segments on m1's wire, GRO on at m1"
nsx director ethtool -K eth0 tso off gso off
ethtool -K v-m1 tso off gso off
nsx m1 ethtool -K eth0 gro on
nsx m1 ethtool -k eth0 | grep -E '^(generic-receive-offload|tcp-segmentation-offload):'
ethtool -k v-m1 | grep -E '^(tcp-segmentation-offload|generic-segmentation-offload):'

log "services on m1"
nsenter --net=/run/netns/m1 -- bvperf tcp-sink --port 80 \
	--ready-file "$(ready_file sink80)" >"$B/sink80" &
nsenter --net=/run/netns/m1 -- bvperf tcp-sink --port 5001 \
	--ready-file "$(ready_file sink5001)" >"$B/sink5001" &
nsenter --net=/run/netns/m1 -- bvperf rr-serve --port 7000 "${CPU1[@]}" \
	--ready-file "$(ready_file rr)" >"$B/rr-serve" &
nsenter --net=/run/netns/m1 -- udpnum recv --port 7002 --timeout-ms 3600000 \
	--ready-file "$(ready_file flows)" >"$B/flows-recv" &
for r in sink80 sink5001 rr flows; do wait_ready $r; done

# m1's counters: IP-level InReceives, eth0's rx_packets and rx_bytes
m1_snmp=$(nsproc m1 snmp)
m1_dev=$(nsproc m1 dev)
m1_counts() {
	local in rx
	in=$(awk '$1 == "Ip:" && h { print $4; exit } $1 == "Ip:" { h = 1 }' "$m1_snmp")
	rx=$(awk '{ sub(/:/, " ") } $1 == "eth0" { print $3 }' "$m1_dev")
	echo "$in $rx"
}

# mode D's decoy group: namespaces with nothing but lo
DECOYS="d0 d1 d2 d3"
[[ " $MODES " == *" D "* ]] && for d in $DECOYS; do ip netns add "$d"; done
decoy_config() {
	local d
	bnl d0 config role gateway group "$GROUP" members "$MEMBERS" vips "$VIPS"
	for d in d1 d2 d3; do
		bnl "$d" config role member group "$GROUP" members "$MEMBERS" \
			gateways 10.0.1.1 vips "$VIPS" settle 100
	done
	beaver_encoding id $DECOYS
}

# mode A|B|C|D|O: put the module in that mode
adv_pids=
mode() {
	local m=$1 p
	for p in $adv_pids; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	adv_pids=
	case $m in
	A) beaver_loaded && beaver_unload ;;
	B) beaver_loaded || beaver_lab 100; beaver_encoding id ;;
	C|O)
		beaver_loaded || beaver_lab 100
		if [ "$m" = O ]; then beaver_encoding option; else beaver_encoding id; fi
		bvadvance --gateways director --members m1,m2,m3 \
			--from "$(($(bstat director gw_epoch) + 1))" --interval-ms 100 \
			>"$B/advance" 2>&1 &
		adv_pids=$!
		;;
	D)
		beaver_loaded || beaver_lab 100
		beaver_encoding id
		decoy_config >/dev/null
		bvadvance --gateways d0 --members d1,d2,d3 \
			--from "$(($(bstat d0 gw_epoch) + 1))" --interval-ms 100 \
			>"$B/advance" 2>&1 &
		adv_pids=$!
		;;
	esac
	return 0
}

# tcp_run MODE ROUND WORKLOAD FROM DST PORT
tcp_run() {
	local md=$1 r=$2 w=$3 from=$4 dst=$5 port=$6 c0 c1 out
	c0=$(m1_counts)
	if ! out=$(nsx "$from" bvperf tcp-send --dst "$dst" --port "$port" --secs "$SECS" 2>&1); then
		fail "round $r mode $md $w: bvperf tcp-send: $out"
		return 0
	fi
	c1=$(m1_counts)
	# shellcheck disable=SC2086 # two numbers each
	set -- $c0 $c1
	emit "$w" mode "$md" round "$r" mbit "$(kv "$out" mbit)" bytes "$(kv "$out" bytes)" \
		secs "$(kv "$out" secs)" ip_in $(($3 - $1)) eth_rx $(($4 - $2))
}

# rr_measure [OPTION...]: one request/response run from the client to
# the VIP, SECS seconds
# With PROF=1 (bench/profile/run.sh), each run lies between two sync(2)
# calls, which the profiler's QEMU plugin marks, and the kernel's symbols
# as they were during the run (beaver.ko moves when it is loaded again)
# go to the 9p share after it: kallsyms.1, .2, ...
rr_measure() {
	local rc=0
	[ "${PROF:-0}" = 0 ] || sync
	nsx client bvperf rr --dst $VIP_DR --port 7000 --secs "$SECS" "${CPU1[@]}" "$@" 2>&1 || rc=$?
	if [ "${PROF:-0}" != 0 ]; then
		sync
		prof_runs=$(($(cat "$B/prof-runs") + 1))
		echo $prof_runs >"$B/prof-runs"
		cp /proc/kallsyms /mnt/host/kallsyms.$prof_runs
	fi
	return $rc
}

rr_run() {
	local md=$1 r=$2 out
	if ! out=$(rr_measure --pct); then
		fail "round $r mode $md rr: bvperf rr: $out"
		return 0
	fi
	# shellcheck disable=SC2046 # key value pairs
	emit rr mode "$md" round "$r" $(head -n1 <<<"$out")
	# shellcheck disable=SC2046
	emit rrpct mode "$md" round "$r" $(grep '^pct_us ' <<<"$out" | tr ' ' ',' | sed 's/^pct_us,/pct_us /')
}

log "1. data path: $ROUNDS rounds of $MODES; ${SECS}s per workload"
for r in $(seq "$ROUNDS"); do
	for md in $MODES; do
		# a mode of ONCE runs in the first round only
		[ "$r" = 1 ] || [ "${ONCE/$md/}" = "$ONCE" ] || continue
		log "round $r mode $md"
		mode $md
		for w in $WORKLOADS; do
			case $w in
			tcp) tcp_run $md "$r" tcp client $VIP_DR 80 ;;
			rr) rr_run $md "$r" ;;
			mm) tcp_run $md "$r" mm m2 10.0.1.11 5001 ;;
			esac
		done
		if [ $md = C ] || [ $md = D ] || [ $md = O ]; then
			kill -TERM $adv_pids
			wait $adv_pids || fail "round $r: bvadvance: $(cat "$B/advance")"
			adv_pids=
			# shellcheck disable=SC2046 # key value pairs
			emit snaps mode $md round "$r" $(cat "$B/advance") m1_cuts "$(bstat m1 stat.cuts)" \
				m1_rx_id "$(bstat m1 stat.rx_id)" m1_rx_stamped "$(bstat m1 stat.rx_stamped)"
			# for the console log: what the module counted in this round
			for ns in director m1; do
				echo "$ns after round $r: $(bnl $ns status | awk '$1 ~ /^(stat|obj)\./ && $2 != 0' | tr '\n' ' ')"
			done
		fi
	done
done
mode A

# 1b. Where the module's cost on a request/response sits: rr once more,
# module absent, then loaded with the gateway's role only, the member's
# only, both (no snapshot; under -icount one round measures what the
# next would, so one is enough)
if [[ " $WORKLOADS " == *" rr "* ]] && [ "${SPLIT:-1}" = 1 ]; then
	log "1b. the module's cost by role: rr with each role alone"
	split_rr() {
		local out
		if ! out=$(rr_measure); then
			fail "split $1: bvperf rr: $out"
			return 0
		fi
		# shellcheck disable=SC2046 # key value pairs
		emit rrsplit roles "$1" $(head -n1 <<<"$out")
	}
	split_rr none
	beaver_lab 100 >/dev/null
	beaver_encoding id
	split_rr both
	bnl m1 config role none >/dev/null
	split_rr gateway
	bnl director config role none >/dev/null
	bnl m1 config role member >/dev/null
	split_rr member
	mode A
fi

if [ -n "$FLOWS" ]; then
	log "2. flow table: $FLOW_PKTS datagrams over $FLOWS tuples, modes A and B, $FLOW_ROUNDS rounds"
	# cpu_busy: the ticks both vCPUs spent busy (user, nice, system, irq,
	# softirq) since boot
	cpu_busy() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8; exit }' /proc/stat; }
	# flows N: the tuple space of exactly N source tuples
	flow_args() {
		local n=$1
		if [ "$n" -le 50000 ]; then echo "--addrs 1 --sports $n"
		else echo "--addrs $(((n + 49999) / 50000)) --sports 50000"; fi
	}
	for r in $(seq "$FLOW_ROUNDS"); do
		for md in A B; do
			mode $md
			if [ $md = B ]; then
				bnl m1 config max-flows 262144 flow-idle 600000 >/dev/null
			fi
			# the order of the tuple counts turns from round to round
			# (an order effect would otherwise pass for a cost)
			order=$(echo $FLOWS | tr ' ' '\n' | awk -v r="$r" '{ a[NR] = $0 } END { for (i = 0; i < NR; i++) print a[(i + r - 1) % NR + 1] }')
			for n in $order; do
				# shellcheck disable=SC2046 # the tuple options
				nsx client bvsoak send --dst $VIP_DR --port 7002 --count "$n" \
					--addr 10.0.2.100 --sport 1024 $(flow_args "$n") "${CPU1[@]}" >/dev/null
				c0=$(cpu_busy)
				# shellcheck disable=SC2046
				out=$(nsx client bvsoak send --dst $VIP_DR --port 7002 --count "$FLOW_PKTS" \
					--addr 10.0.2.100 --sport 1024 $(flow_args "$n") "${CPU1[@]}")
				c1=$(cpu_busy)
				fl=-
				[ $md = B ] && fl=$(bstat m1 obj.flows)
				# shellcheck disable=SC2086 # key value pairs
				emit flows mode $md round "$r" tuples "$n" $out table "$fl" \
					cpu_ticks $((c1 - c0)) hz "$(getconf CLK_TCK 2>/dev/null || echo 100)"
			done
		done
	done
	mode A
fi
figure rounds "$ROUNDS"
figure secs "$SECS"
