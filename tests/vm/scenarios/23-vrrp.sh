# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 60
#
# VRRP in the bench (tests/vm/lib-vrrp.sh), what a standby coordinator
# needs: keepalived in the coordinator's host and in a second one on the
# demo lab's LAN. The primary holds the virtual address and the LAN reaches
# it there; the primary dies (SIGKILL of keepalived and its link down: a
# director losing power), the standby takes the address over within about
# a second (figure vrrp_failover_ms, from the kill to the address on the
# standby's interface), announces it (m1's ARP entry moves to its MAC) and
# answers on it; then the primary comes back and, with the higher priority,
# takes the address back; a clean stop (priority 0 advert) hands it over
# without waiting for the timeout. No beaver.
#
#   m1 10.0.1.11 ---br0---+-- coord  10.0.1.5  keepalived priority 150
#   (probes the VIP)      +-- coord2 10.0.1.6  keepalived priority 100
#                    VIP 10.0.1.250/24, VRRPv3 id 51, unicast adverts
#                    every 0.2 s (every host of lab_demo is on br0 too)
#
# BEAVER_VM_ENV=VRRP_MCAST=1 runs it with multicast adverts (224.0.0.18)
# instead of unicast to the peer.

command -v keepalived >/dev/null ||
	skip "keepalived missing in the VM image (scripts/install-deps.sh)"

VIP=10.0.1.250
peer1=10.0.1.6 peer2=10.0.1.5	# unicast: each one's peer
[ -z "${VRRP_MCAST:-}" ] || peer1='' peer2=''

log "the demo lab and a second coordinator host"
lab_demo
host coord2 10.0.1.6/24

log "keepalived: coord (priority 150), coord2 (100)"
t0=$EPOCHREALTIME
vrrp_start coord eth0 $VIP/24 150 51 $peer1
vrrp_start coord2 eth0 $VIP/24 100 51 $peer2
vrrp_wait_master coord 10
figure vrrp_election_s "$(elapsed "$t0")"
check '! vrrp_master coord2' "coord2 does not hold the VIP"
vrrp_wait_state coord MASTER 5
vrrp_wait_state coord2 BACKUP 5
mac1=$(vrrp_mac coord)
mac2=$(vrrp_mac coord2)

# probe LINE: m1 sends LINE over TCP to the VIP, where busybox nc listens
# in both coordinator hosts (one connection each, 10 s); their outputs
# show which one got it
probe() {
	local ns pids=()
	for ns in coord coord2; do
		# nsenter, not nsx: $! must be timeout's pid (it passes a
		# SIGTERM on to nc), not a subshell's
		nsenter --net="/run/netns/$ns" -- timeout 10 nc -l -p 7777 >"$VM_STATE/nc.$ns.$1" &
		pids+=($!)
	done
	for ns in coord coord2; do wait_tcp "$ns" 7777; done
	nsx m1 timeout 5 bash -c "echo $1 >/dev/tcp/$VIP/7777" || true
	sleep 0.2
	kill "${pids[@]}" 2>/dev/null || true
	wait "${pids[@]}" 2>/dev/null || true
}

log "the VIP answers at coord"
check "nsx m1 ping -c 1 -W 2 $VIP >/dev/null" "m1 reaches the VIP"
check_eq "$(neigh_mac m1 $VIP)" "$mac1" "m1's ARP entry for the VIP (coord's MAC)"
probe before
check "grep -q before $VM_STATE/nc.coord.before" "TCP to the VIP reaches coord"
check "! grep -q before $VM_STATE/nc.coord2.before" "... not coord2"

log "coord dies: keepalived SIGKILLed, its link down"
t0=$EPOCHREALTIME
vrrp_kill coord
vrrp_wait_master coord2 10
ms=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d\n", (b - a) * 1000 }')
figure vrrp_failover_ms "$ms"
check_le "$ms" 3000 "failover time (ms, from the kill to the VIP on coord2)"
check '! vrrp_alive coord' "coord's keepalived is gone"
check '! vrrp_master coord' "coord no longer holds the VIP"
vrrp_wait_state coord2 MASTER 5
check_eq "$(vrrp_state coord2)" MASTER "coord2's last notified state"
t=$(vrrp_state_time coord2 MASTER)
figure vrrp_notify_ms "$(awk -v a="$t0" -v b="$t" 'BEGIN { printf "%d\n", (b - a) * 1000 }')"

log "the VIP answers at coord2"
check "nsx m1 ping -c 1 -W 2 $VIP >/dev/null" "m1 reaches the VIP after the failover"
check_eq "$(neigh_mac m1 $VIP)" "$mac2" "m1's ARP entry for the VIP (coord2's MAC)"
probe after
check "grep -q after $VM_STATE/nc.coord2.after" "TCP to the VIP reaches coord2"

log "coord back (link up, keepalived restarted): it preempts"
vrrp_revive coord
vrrp_start coord eth0 $VIP/24 150 51 $peer1
vrrp_wait_master coord 10
vrrp_wait_state coord2 BACKUP 5
check '! vrrp_master coord2' "coord2 gave the VIP back"

log "clean stop of coord: coord2 takes over at once"
t0=$EPOCHREALTIME
vrrp_stop coord
vrrp_wait_master coord2 10
check '! vrrp_master coord' "a stopped keepalived removes its VIP"
vrrp_wait_state coord STOP 5
# (vrrp_stop waits for keepalived's exit, about a second after its
# priority 0 advert: the time from coord2's notify)
vrrp_wait_state coord2 MASTER 5
t=$(vrrp_state_time coord2 MASTER)
figure vrrp_handover_ms "$(awk -v a="$t0" -v b="$t" 'BEGIN { printf "%d\n", (b - a) * 1000 }')"

vrrp_logs coord coord2
