# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 900
#
# make bench, the control plane, inside the VM (bench/run.sh boots it with
# tests/vm/run.sh --bench control after the data path; docs/performance.md
# explains the method). Issue #12, items 3, 4 and 5: beaverd in the loop.
#
#   coord 10.0.1.5 ---- br0 ---- g1..g8 10.0.1.21-28 (beaverd, gateway role)
#   sim   10.0.1.6 ----+    +--- m1 10.0.1.11 (beaverd, member role)
#   (bvmembers: 100 or 1,000 simulated members at 10.78.0.1.., on sim's lo)
#
# 3. Initiation: for 1, 2, 4, 8 gateways (the coordinator restarted with
#    that many), INIT_N snapshots one at a time; every accepted attempt's
#    t1 - t0 (bound_ns). Beside it, in the same namespaces and the same
#    minute: a plain UDP ping-pong (bvperf rr, coord -> g1 and coord ->
#    gN, RTT_SECS each, before and after the snapshots) and the daemons'
#    own ping (beaverctl calibrate: coordinator's beaverd -> gateway's
#    beaverd and back, no module call), so that what t1 - t0 adds to the
#    wire's round trip is split into the daemons' user-space path and the
#    gateway's advance in the module.
# 4. Snapshot rate: 2 and 4 gateways, tau_min = 10 x the median RTT
#    measured in 3, max_outstanding 1, 4, 16 with as many clients
#    (beaverctl snapshot --wait --count, back to back): accepted snapshots
#    a second over the whole series, and the accepted share.
# 5. Completion time (created_ns -> finished_ns: the request, the epoch,
#    the advance, the members' cuts, collection, assembly, the stored
#    transaction): one real member with settle_ms SETTLES (50, 200), then
#    100 and 1,000 members simulated by bvmembers (the real control
#    protocol and keys, records complete at once: the coordinator's
#    collection alone), COMP_N snapshots each, one at a time.
#
# Samples on the results port as BEAVER-BENCH lines (bench/report.py):
#   rtt n_gw N to G p50_us X p99_us Y     plain UDP ping-pong
#   calib n_gw N median_us X samples K    beaverd's ping, every gateway
#   init n_gw N bounds_us A,B,...         t1 - t0 of accepted attempts
#   initparts n_gw N out_us .. spread_us .. back_us ..   (parts, below)
#   rate n_gw N mo M tau_us T snaps K accepted A secs S cpu_ticks C hz H
#   complete kind settle|sim value V comp_ms A,B,...
#
# 3b. The gateways' fast path (issue #12): 8 gateways, FP_N snapshots with
#    the module answering ADVANCE and FP_N with beaverd answering it
#    ([module] fast_path = yes/no, reloaded), alternating in blocks of
#    FP_BLOCK: initfp n_gw 8 fast yes|no bounds_us A,B,...
#
# BEAVER_VM_ENV: INIT_N (30), FP_N (40; 0 skips 3b), FP_BLOCK (10), RTT_SECS (2), RATE_N (24: the snapshots of
# max_outstanding 1; 2x for 4, 4x for 16), COMP_N (10), GWS (1:2:4:8),
# SIMS (100:1000; "none" skips them), SETTLES (50:200); lists with colons
# (the VM's command line carries neither spaces nor commas in a value).

need_module
need_tools beaverd beaverctl bvperf bvmembers
command -v jq >/dev/null || skip "jq missing in the VM image"
INIT_N=${INIT_N:-30}
RTT_SECS=${RTT_SECS:-2}
RATE_N=${RATE_N:-24}
COMP_N=${COMP_N:-10}
FP_N=${FP_N:-40}
FP_BLOCK=${FP_BLOCK:-10}
GWS=${GWS:-1:2:4:8}
GWS=${GWS//:/ }
SIMS=${SIMS:-100:1000}
SIMS=${SIMS//:/ }
[ "$SIMS" != none ] || SIMS=
SETTLES=${SETTLES:-50:200}
SETTLES=${SETTLES//:/ }
B=$VM_STATE/bench
mkdir -p "$B"

emit() {
	echo "[bench] $*"
	{ echo "BEAVER-BENCH $*" >&3; } 2>/dev/null || true
}

emit host cpus "$(nproc)" kernel "$(uname -r)"
emit cshape init_n "$INIT_N" rtt_secs "$RTT_SECS" rate_n "$RATE_N" \
	comp_n "$COMP_N" gws "${GWS// /,}" sims "${SIMS// /,}"

log "lab: coord, 8 gateways, m1, sim"
host coord 10.0.1.5/24
host sim 10.0.1.6/24
host m1 10.0.1.11/24
all_gws=
for i in 1 2 3 4 5 6 7 8; do
	host "g$i" "10.0.1.$((20 + i))/24"
	all_gws+="${all_gws:+ }g$i=10.0.1.$((20 + i))"
done
bvd_group "$all_gws" "m1=10.0.1.11" "$VIPS" "10.0.1.5/32,10.0.1.6/32"
beaver_load
BVD_COORDS="coord=10.0.1.5"
for p in $all_gws; do bvd_conf "${p%%=*}" gateway "${p#*=}"; done
bvd_conf m1 member 10.0.1.11 module.settle_ms=50
# shellcheck disable=SC2046 # names
bvd_up $(for p in $all_gws; do echo "${p%%=*}"; done) m1

# the plain UDP ping-pong's server in every gateway
for i in 1 2 3 4 5 6 7 8; do
	nsenter --net="/run/netns/g$i" -- bvperf rr-serve --port 7100 \
		--timeout-ms 3600000 --ready-file "$(ready_file "rr$i")" >/dev/null &
done
for i in 1 2 3 4 5 6 7 8; do wait_ready "rr$i"; done

# coord_up N [SECTION.KEY=VALUE...]: the coordinator with g1..gN and m1
coord_up() {
	local n=$1 gws='' i
	shift
	bvd_alive coord && bvd_stop coord
	for ((i = 1; i <= n; i++)); do gws+="${gws:+ }g$i=10.0.1.$((20 + i))"; done
	BVD_GATEWAYS=$gws bvd_conf coord coordinator 10.0.1.5 "$@"
	bvd_up coord
}

# rtt N G: the plain UDP round trip coord -> gG (the run's RTT)
rtt() {
	local out
	out=$(nsx coord bvperf rr --dst "10.0.1.$((20 + $2))" --port 7100 \
		--secs "$RTT_SECS" 2>&1) || { fail "bvperf rr to g$2: $out"; return 0; }
	emit rtt n_gw "$1" to "$2" p50_us "$(kv "$out" p50_us)" p99_us "$(kv "$out" p99_us)"
	kv "$out" p50_us >>"$B/rtt.all"
}

# snaps TAG N PAR: N snapshots, PAR clients back to back; prints seconds
snaps() {
	local tag=$1 n=$2 par=$3 i pids=() t each series=()
	each=$(((n + par - 1) / par))
	# one snapshot a client: no series options (--interval needs N > 1)
	[ "$each" -gt 1 ] && series=(--count "$each" --interval 0)
	t=$EPOCHREALTIME
	for ((i = 0; i < par; i++)); do
		bctl coord --json snapshot --wait "${series[@]}" \
			>"$B/$tag.$i.json" 2>"$B/$tag.$i.err" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || true; done
	elapsed "$t"
}

# the snapshots of TAG's series: one JSON object a line (a client of
# --count 1 prints the snapshot itself, not a list)
series() { cat "$B/$1".*.json | jq -c 'if .snapshots then .snapshots[] else . end'; }

# parts ID...: each accepted attempt's t1 - t0 split by the gateways'
# switches (their module's CLOCK_MONOTONIC, the coordinator's clock too:
# one kernel): out = first switch - t0 (the coordinator's send, the wire,
# the gateway daemon's wake-up, decoding and its netlink request), spread =
# last switch - first switch (the gateways one after another on two
# vCPUs), back = t1 - last switch (the reply and the coordinator's read);
# "out spread back" in us, one attempt a line
parts() {
	xargs -r -n 100 beaverctl --socket "$(bvd_sock coord)" export |
		jq -r '.attempts[] | select(.verdict == "accepted" and .acks != null) |
			([.acks[].switch_ns] | min) as $a | ([.acks[].switch_ns] | max) as $b |
			"\(($a - .t0_ns) / 1000 | floor) \(($b - $a) / 1000 | floor) \((.t1_ns - $b) / 1000 | floor)"'
}

log "3. initiation: $INIT_N snapshots one at a time with $GWS gateways"
for n in $GWS; do
	coord_up "$n"
	rtt "$n" 1
	[ "$n" = 1 ] || rtt "$n" "$n"
	# one ping to every peer at a time (--count 20 would send twenty
	# at once and measure their queue), ten times
	for ((k = 0; k < 10; k++)); do
		if out=$(bctl coord --json calibrate --count 1 2>&1); then
			jq -r '.peers[] | select(.role == "gateway") | .median_us' <<<"$out"
		else
			fail "calibrate with $n gateways: $out"
		fi
	done | grep -E '^[0-9]+$' | sort -n >"$B/calib$n"
	emit calib n_gw "$n" median_us "$(awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] + 0 }' "$B/calib$n")" \
		samples "$(wc -l <"$B/calib$n")"
	snaps "init$n" "$INIT_N" 1 >/dev/null
	b=$(series "init$n" | jq -r 'select(.state == "accepted") | .bound_ns / 1000 | floor' | paste -sd, -)
	emit init n_gw "$n" bounds_us "${b:--}" \
		snaps "$(series "init$n" | wc -l)" \
		accepted "$(series "init$n" | jq -r 'select(.state == "accepted") | .id' | wc -l)"
	series "init$n" | jq -r .id | parts >"$B/parts$n"
	emit initparts n_gw "$n" \
		out_us "$(awk '{ print $1 }' "$B/parts$n" | paste -sd, -)" \
		spread_us "$(awk '{ print $2 }' "$B/parts$n" | paste -sd, -)" \
		back_us "$(awk '{ print $3 }' "$B/parts$n" | paste -sd, -)"
	rtt "$n" 1
	[ "$n" = 1 ] || rtt "$n" "$n"
done

# the ticks both vCPUs spent busy since boot (user, nice, system, irq,
# softirq): a series' CPU, whoever spent it (daemons, clients, kernel)
cpu_busy() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8; exit }' /proc/stat; }

# 3b. the gateways' fast path (issue #12): the same initiation with 8
# gateways, the module answering ADVANCE (fast_path = yes, the default)
# and beaverd answering it (fast_path = no), in alternating blocks of
# FP_BLOCK snapshots so that both see the same minutes of TCG
set_fast() {
	local p
	for p in $all_gws; do
		bvd_conf "${p%%=*}" gateway "${p#*=}" module.fast_path="$1"
		kill -HUP "$(bvd_pid "${p%%=*}")"
	done
	sleep 0.5
}
if [ "$FP_N" -gt 0 ]; then
	log "3b. fast path on/off: $FP_N snapshots each with 8 gateways, blocks of $FP_BLOCK"
	coord_up 8
	rtt 8 1
	: >"$B/fp.yes"
	: >"$B/fp.no"
	for ((k = 0; k < FP_N; k += FP_BLOCK)); do
		for mode in no yes; do
			set_fast "$mode"
			snaps "fp$mode.$k" "$FP_BLOCK" 1 >/dev/null
			series "fp$mode.$k" | jq -r 'select(.state == "accepted") | .bound_ns / 1000 | floor' >>"$B/fp.$mode"
		done
	done
	rtt 8 8
	for mode in yes no; do
		emit initfp n_gw 8 fast "$mode" bounds_us "$(paste -sd, "$B/fp.$mode")"
	done
	set_fast yes
fi

# tau_min = 10 x the median plain RTT of this run (to any gateway)
rtt_us=$(sort -n "$B/rtt.all" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] + 0 }')
[ "$rtt_us" -gt 0 ] || die "no RTT measured"

log "4. snapshot rate: 2 and 4 gateways, max_outstanding 1, 4, 16, tau_min = 10 x $rtt_us us"
for n in 2 4; do
	for mo in 1 4 16; do
		k=$((RATE_N * (mo == 1 ? 1 : mo == 4 ? 2 : 4)))
		coord_up "$n" coordinator.tau_min_us=$((10 * rtt_us)) \
			coordinator.max_outstanding="$mo" coordinator.retries=3
		c0=$(cpu_busy)
		secs=$(snaps "rate$n.$mo" "$k" "$mo")
		c1=$(cpu_busy)
		emit rate n_gw "$n" mo "$mo" tau_us $((10 * rtt_us)) \
			snaps "$(series "rate$n.$mo" | wc -l)" \
			accepted "$(series "rate$n.$mo" | jq -r 'select(.state == "accepted") | .id' | wc -l)" \
			secs "$secs" cpu_ticks $((c1 - c0)) hz "$(getconf CLK_TCK 2>/dev/null || echo 100)"
	done
done

log "5. completion: one member, settle_ms $SETTLES"
for st in $SETTLES; do
	bvd_stop m1
	bvd_conf m1 member 10.0.1.11 module.settle_ms="$st"
	bvd_up m1
	coord_up 2
	snaps "comp$st" "$COMP_N" 1 >/dev/null
	emit complete kind settle value "$st" comp_ms "$(series "comp$st" |
		jq -r 'select(.state == "accepted") | (.finished_ns - .created_ns) / 1e6' | paste -sd, -)"
done

if [ -n "$SIMS" ]; then
	log "5. completion: $SIMS simulated members"
	# an address a member on sim's lo, reached through sim
	ip -n coord route add 10.78.0.0/16 via 10.0.1.6
	for n in $SIMS; do
		for ((i = 0; i < n; i++)); do
			echo "addr add 10.78.$(((i + 1) >> 8)).$(((i + 1) & 255))/32 dev lo"
		done | ip -n sim -force -batch - 2>/dev/null || true	# -force: the smaller run's are there
		nsenter --net=/run/netns/sim -- bvmembers run --count "$n" \
			--listen 0.0.0.0:5150 --coord coord --coord-pub "$(bvd_pub coord)" \
			--group "$GROUP" --ready-file "$(ready_file "sim$n")" >"$B/sim$n.out" 2>&1 &
		simpid=$!
		wait_ready "sim$n"
		bvd_alive coord && bvd_stop coord
		BVD_GATEWAYS="g1=10.0.1.21 g2=10.0.1.22" BVD_MEMBERS="" \
			bvd_conf coord coordinator 10.0.1.5 coordinator.complete_timeout_ms=30000 \
			coordinator.collect_timeout_ms=30000
		bvmembers conf --count "$n" --addr 10.78.0.1:5150 >>"$BVD_DIR/coord.conf"
		# a thousand peers' pair keys and checks take a while under TCG
		bvd_start coord
		bvd_wait coord 180
		snaps "sim$n" "$COMP_N" 1 >/dev/null
		emit complete kind sim value "$n" comp_ms "$(series "sim$n" |
			jq -r 'select(.state == "accepted") | (.finished_ns - .created_ns) / 1e6' | paste -sd, -)" \
			accepted "$(series "sim$n" | jq -r 'select(.state == "accepted") | .id' | wc -l)"
		kill -TERM "$simpid"
		wait "$simpid" || true
		echo "sim$n: $(cat "$B/sim$n.out")"
		grep -v accepted "$BVD_DIR/coord.log" | tail -n 5
	done
fi
bvd_stop coord
figure init_n "$INIT_N"
keep "$B"/*.json "$BVD_DIR"/coord.log
