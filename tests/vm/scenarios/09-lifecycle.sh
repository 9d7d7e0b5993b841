# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 180
#
# (h) Lifecycle: load, configure several namespaces, run traffic, take
# snapshots, delete namespaces that still hold records while traffic flows,
# unload with configured namespaces left alive, load again (a clean slate),
# three times. No oops, no warning, no leaked object (the audit checks the
# kernel log; here: the module's slab caches are gone after every unload
# and every surviving namespace starts from nothing after a reload).

need_module
need_tools beaver-nl udpnum
CYCLES=3

log "lab"
lab_ipvs
ipvs_service director udp $VIP_NAT:5002
ipvs_real director udp $VIP_NAT:5002 10.0.1.12:5002 nat
slab0=$(awk '$1 == "Slab:" { print $2 }' /proc/meminfo)

snapshots=0
for cycle in $(seq $CYCLES); do
	log "cycle $cycle: load, configure, traffic"
	beaver_load
	# every namespace that still exists starts from nothing
	for ns in $(ip netns list | awk '{ print $1 }'); do
		check_eq "$(bstat "$ns" role)" none "cycle $cycle: $ns role after load"
		check_eq "$(bnl "$ns" status | awk '$1 ~ /^(obj|stat)\./ && $2 != 0' | wc -l)" 0 \
			"cycle $cycle: $ns non-zero counters after load"
	done
	beaver_lab 20
	gw=
	[ -e /run/netns/director ] && gw=director
	[ -z "$gw" ] || gw_advance director 1 >/dev/null

	# steady traffic: client -> VIP -> m2 (if m2 exists), m1 -> m3, m3 -> m1
	pids=()
	if [ -e /run/netns/m2 ]; then
		nsx m2 udpnum recv --port 5002 --timeout-ms 20000 --idle-ms 2000 >/dev/null &
		pids+=($!)
		nsx client udpnum send --dst $VIP_NAT --port 5002 --count 3000 --pps 1000 >/dev/null &
		pids+=($!)
	fi
	nsx m3 udpnum recv --port 7001 --timeout-ms 20000 --idle-ms 2000 >/dev/null &
	pids+=($!)
	nsx m1 udpnum send --dst 10.0.1.13 --port 7001 --count 3000 --pps 1000 >/dev/null &
	pids+=($!)
	nsx m1 udpnum recv --port 7002 --timeout-ms 20000 --idle-ms 2000 >/dev/null &
	pids+=($!)
	nsx m3 udpnum send --dst 10.0.1.11 --port 7002 --count 3000 --pps 1000 >/dev/null &
	pids+=($!)

	log "cycle $cycle: snapshots"
	for e in 2 3 4; do
		sleep 0.2
		[ -z "$gw" ] || gw_advance director "$e" >/dev/null
		for m in m1 m2 m3; do
			[ -e "/run/netns/$m" ] || continue
			bnl "$m" member-advance "$e" >/dev/null
		done
	done
	for m in m1 m3; do
		f=$(records "$m" 4)
		check_gt "$(rsum "$f" chan tx_pkts kind=member)" 0 "cycle $cycle: $m sent to members before cut 4"
		snapshots=$((snapshots + 1))
	done
	bnl m1 release 3
	check_gt "$(bstat m1 obj.records)" 0 "cycle $cycle: m1 records left after release 3"

	if [ "$cycle" = 1 ]; then
		log "deleting m2 and the director with records, config and traffic live"
		netns_del m2
		netns_del director
		check 'bnl m1 status >/dev/null' "m1 still answers after its peers' namespaces went"
	fi
	if [ "$cycle" = 2 ]; then
		log "deleting m3 and x; recreating m3"
		netns_del m3
		netns_del x
		host m3 10.0.1.13/24 br0 10.0.1.1
		bnl m3 config role member group $GROUP members "$MEMBERS" vips "$VIPS" \
			gateways 10.0.1.1 settle 20
	fi
	sleep 0.3
	log "cycle $cycle: unload with traffic running and namespaces configured"
	check_gt "$(bstat m1 obj.flows)" 0 "cycle $cycle: m1 holds flows at unload"
	beaver_unload
	check_eq "$(grep -c -i '^beaver' /proc/slabinfo || true)" 0 "cycle $cycle: beaver slab caches after unload"
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait "${pids[@]}" 2>/dev/null || true
	check 'dmesg | grep -q "beaver: unloaded"' "cycle $cycle: the module said it unloaded"
done
figure cycles $CYCLES
figure snapshots "$snapshots"
slab1=$(awk '$1 == "Slab:" { print $2 }' /proc/meminfo)
figure slab_delta_kb $((slab1 - slab0))
log "final load for the audit"
beaver_load
