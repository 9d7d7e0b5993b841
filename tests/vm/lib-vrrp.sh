# SPDX-License-Identifier: GPL-2.0
#
# VRRP in the VM bench: keepalived in namespace-hosts, moving a virtual
# address (VIP) to a standby when the host holding it dies. Sourced by the
# last line of lib.sh; uses its helpers (nsenter, nsysctl, _herr).
#
# One keepalived per namespace, VRRP only (-P), never forking away (-n),
# logging to its console (-l -D, no syslog: -G), its own pid files (-p, -r),
# so that instances in several namespaces never see each other's. The exact
# command line (run inside NAME by nsenter, as a child of the scenario's
# shell: call vrrp_start there, not in $(...)):
#
#   keepalived -n -P -R -l -D -G -f $VRRP_DIR/NAME.conf \
#       -p $VRRP_DIR/NAME.pid -r $VRRP_DIR/NAME.vrrp.pid
#
# (-R: a VRRP child that dies is not respawned; the parent exits, so a crash
# is seen, not hidden.) Files under $VRRP_DIR, per NAME:
#
#   NAME.conf      its keepalived.conf (vrrp_start)
#   NAME.notify    the notify script: appends "STATE at EPOCHREALTIME" to
#   NAME.state     one line per transition (BACKUP, MASTER, FAULT, STOP)
#   NAME.log       keepalived's console; every start appends "==== start at"
#   NAME.main      the parent's pid as started (for reaping, even after a
#                  SIGKILL); NAME.pid and NAME.vrrp.pid are keepalived's own
#                  (parent, VRRP child)
#   NAME.vip       "IFACE VIP/LEN": what vrrp_master and vrrp_kill look at
#
# The configuration: VRRPv3 (fractional advert_int), advertisements every
# $VRRP_ADVERT seconds (default 0.2: a backup declares the master dead
# after 3 intervals plus its skew, (256 - priority) / 256 of one, i.e.
# ~0.7 s at priority 100; raise it if a loaded VM makes a master miss
# three in a row), state BACKUP everywhere (the highest priority wins the
# first election), preemption on, script_user root with script security
# enabled (the image has no keepalived_script user), the VIP on IFACE.
# Adverts go by unicast to the PEERs given to vrrp_start, else by multicast
# to 224.0.0.18 (which works on the lab's bridges: bridge_up turns
# multicast snooping off). Unicast is what the scenarios use.
#
# A keepalived that gets SIGKILL does not remove its VIP: the address stays
# on the dead instance's interface and keeps answering ARP, so two hosts
# would hold it after the standby takes over. vrrp_kill therefore models a
# director that lost power: SIGKILL, then its link down (nothing of that
# host reaches the LAN any more, as when the power is off), then the VIP
# deleted from the interface (a host that boots again does not have it
# either; vrrp_master of the dead host is false). vrrp_kill NAME vip keeps
# the link (a crashed daemon on a live host, its stale VIP cleaned up) and
# vrrp_kill NAME none only kills (the stale VIP stays: the pitfall itself).

VRRP_DIR=$VM_STATE/vrrp
VRRP_ADVERT=${VRRP_ADVERT:-0.2}

# vrrp_start NAME IFACE VIP/LEN PRIORITY [VRID [PEER...]]: write NAME's
# keepalived.conf (virtual router VRID, default 51; unicast to the PEERs'
# addresses, or multicast without), allow non-local binds in NAME (a daemon
# on the standby may listen on the VIP before it holds it), start keepalived
# in NAME in the background and wait (20 s) until its VRRP child is up.
# The election takes ~3 advertisement intervals more: vrrp_wait_master.
vrrp_start() {
	local ns=$1 ifc=$2 vip=$3 prio=$4 vrid=${5:-51} peers='' p d=$VRRP_DIR
	[ $# -ge 4 ] || { _herr "vrrp_start: usage: NAME IFACE VIP/LEN PRIORITY [VRID [PEER...]]"; return 1; }
	shift $(($# < 5 ? $# : 5))
	command -v keepalived >/dev/null ||
		{ _herr "vrrp_start: keepalived is not in the VM image"; return 1; }
	[[ $vip == */* ]] || { _herr "vrrp_start: VIP $vip without /LEN"; return 1; }
	! vrrp_alive "$ns" || { _herr "vrrp_start: keepalived of $ns is running"; return 1; }
	mkdir -p "$d"
	for p in "$@"; do peers+="        $p"$'\n'; done
	cat >"$d/$ns.notify" <<-EOF
	#!/bin/bash
	# keepalived's notify: "INSTANCE" NAME STATE PRIORITY
	echo "\$3 at \$EPOCHREALTIME" >>$d/$ns.state
	EOF
	chmod 0755 "$d/$ns.notify"
	{
		cat <<-EOF
		# $ns: written by lib-vrrp.sh vrrp_start
		global_defs {
		    router_id $ns
		    script_user root
		    enable_script_security
		    vrrp_version 3
		}
		vrrp_instance $ns {
		    state BACKUP
		    interface $ifc
		    virtual_router_id $vrid
		    priority $prio
		    advert_int $VRRP_ADVERT
		EOF
		[ -z "$peers" ] || printf '    unicast_peer {\n%s    }\n' "$peers"
		cat <<-EOF
		    virtual_ipaddress {
		        $vip dev $ifc
		    }
		    notify $d/$ns.notify
		}
		EOF
	} >"$d/$ns.conf"
	echo "$ifc $vip" >"$d/$ns.vip"
	nsysctl "$ns" ipv4/ip_nonlocal_bind=1
	# pid files a SIGKILL left behind would make keepalived refuse to start
	rm -f "$d/$ns.pid" "$d/$ns.vrrp.pid"
	echo "==== start at ${EPOCHREALTIME}" >>"$d/$ns.log"
	nsenter --net="/run/netns/$ns" -- keepalived -n -P -R -l -D -G \
		-f "$d/$ns.conf" -p "$d/$ns.pid" -r "$d/$ns.vrrp.pid" >>"$d/$ns.log" 2>&1 &
	echo $! >"$d/$ns.main"
	_vrrp_up "$ns" 20
}

# _vrrp_up NAME SECONDS: until NAME's VRRP child runs and its log (since
# the last start) says "Startup complete"; fails at once if keepalived exits
_vrrp_up() {
	local ns=$1 end=$((SECONDS + $2)) line ok
	while :; do
		ok=
		while IFS= read -r line; do
			case $line in
			"==== start at "*) ok= ;;
			*"Startup complete"*) ok=1 ;;
			esac
		done <"$VRRP_DIR/$ns.log"
		[ -n "$ok" ] && [ -s "$VRRP_DIR/$ns.vrrp.pid" ] && return 0
		vrrp_alive "$ns" ||
			{ _herr "vrrp_start: keepalived of $ns exited: $(_vrrp_tail "$ns")"; return 1; }
		[ "$SECONDS" -lt "$end" ] || break
		sleep 0.05
	done
	_herr "vrrp_start: keepalived of $ns not up after $2s: $(_vrrp_tail "$ns")"
}

# _vrrp_tail NAME: the last lines of NAME's keepalived log, on one line
_vrrp_tail() { tail -n "${2:-4}" "$VRRP_DIR/$1.log" 2>/dev/null | tr '\n' '|'; }

# vrrp_pid NAME: the pid of NAME's keepalived (the parent, as started)
vrrp_pid() { cat "$VRRP_DIR/$1.main" 2>/dev/null; }

# _vrrp_running PID: running (not gone, not a zombie)
_vrrp_running() {
	local st
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
	read -r _ _ st _ <"/proc/$1/stat" 2>/dev/null || return 1
	[ "$st" != Z ]
}

# vrrp_alive NAME: NAME's keepalived is running
vrrp_alive() { _vrrp_running "$(vrrp_pid "$1")"; }

# _vrrp_gone NAME SECONDS: wait until NAME's keepalived (parent and VRRP
# child) has exited, then reap the parent (the child is the parent's, or
# init's once orphaned)
_vrrp_gone() {
	local ns=$1 pid child end=$((SECONDS + $2))
	pid=$(vrrp_pid "$ns")
	child=$(cat "$VRRP_DIR/$ns.vrrp.pid" 2>/dev/null) || true
	while _vrrp_running "$pid" || _vrrp_running "$child"; do
		[ "$SECONDS" -lt "$end" ] ||
			{ _herr "keepalived of $ns still running after $2s"; return 1; }
		sleep 0.05
	done
	wait "$pid" 2>/dev/null || true
	rm -f "$VRRP_DIR/$ns.main"
}

# vrrp_stop NAME: SIGTERM (keepalived sends priority 0, so a backup takes
# over at once, and removes its VIP), wait for the exit (10 s; it takes
# about a second)
vrrp_stop() {
	vrrp_alive "$1" || { _herr "vrrp_stop: keepalived of $1 is not running"; return 1; }
	kill -TERM "$(vrrp_pid "$1")"
	_vrrp_gone "$1" 10
}

# vrrp_kill NAME [down|vip|none]: a crash. SIGKILL to the VRRP child and to
# the parent (stopped first: it must neither respawn the child nor outlive
# it, and the child must die before its parent, whose death it would
# otherwise hear as a SIGTERM and exit cleanly), reaped; then, by default
# ("down"), NAME's link down and the VIP deleted from it: a director that
# lost power (see the top of this file). "vip": only the VIP deleted, the
# host stays on the LAN; "none": the dead instance's VIP stays.
vrrp_kill() {
	local ns=$1 how=${2:-down} pid child ifc vip
	case $how in down|vip|none) ;; *) _herr "vrrp_kill: how $how?"; return 1 ;; esac
	vrrp_alive "$ns" || { _herr "vrrp_kill: keepalived of $ns is not running"; return 1; }
	pid=$(vrrp_pid "$ns")
	child=$(cat "$VRRP_DIR/$ns.vrrp.pid" 2>/dev/null) || true
	kill -STOP "$pid"
	# shellcheck disable=SC2086 # no child yet: the parent alone
	kill -KILL $child "$pid"
	# (without bash's "Killed" notice for its job: this is no failure)
	_vrrp_gone "$ns" 10 2>/dev/null
	read -r ifc vip <"$VRRP_DIR/$ns.vip"
	[ "$how" != down ] || ip -n "$ns" link set "$ifc" down
	if [ "$how" != none ]; then
		ip -n "$ns" addr del "$vip" dev "$ifc" 2>/dev/null || true
	fi
}

# vrrp_revive NAME: the link of a host vrrp_kill took down up again (power
# back on); keepalived stays dead until vrrp_start
vrrp_revive() {
	local ifc vip
	read -r ifc vip <"$VRRP_DIR/$1.vip" || { _herr "vrrp_revive: no VRRP on $1"; return 1; }
	ip -n "$1" link set "$ifc" up
}

# vrrp_master NAME: NAME holds its VIP now (ip -n NAME addr)
vrrp_master() {
	local ifc vip
	read -r ifc vip 2>/dev/null <"$VRRP_DIR/$1.vip" || return 1
	[ -n "$(ip -n "$1" -4 -o addr show dev "$ifc" to "${vip%/*}/32")" ]
}

# vrrp_wait_master NAME [SECONDS=10]: until NAME holds its VIP; fails with
# the last lines of its keepalived log
vrrp_wait_master() {
	local ns=$1 end=$((SECONDS + ${2:-10}))
	while :; do
		vrrp_master "$ns" && return 0
		[ "$SECONDS" -lt "$end" ] || break
		sleep 0.05
	done
	_herr "vrrp_wait_master: $ns does not hold its VIP after ${2:-10}s: $(_vrrp_tail "$ns")"
}

# vrrp_state NAME: NAME's last state as its notify script recorded it
# (BACKUP, MASTER, FAULT, STOP; empty before the first)
vrrp_state() {
	local line=
	[ -f "$VRRP_DIR/$1.state" ] && line=$(tail -n 1 "$VRRP_DIR/$1.state")
	echo "${line%% *}"
}

# vrrp_wait_state NAME STATE [SECONDS=10]: until NAME's last recorded state
# is STATE (the notify script runs a little after the transition)
vrrp_wait_state() {
	local ns=$1 want=$2 end=$((SECONDS + ${3:-10}))
	while :; do
		[ "$(vrrp_state "$ns")" = "$want" ] && return 0
		[ "$SECONDS" -lt "$end" ] || break
		sleep 0.05
	done
	_herr "vrrp_wait_state: $ns is '$(vrrp_state "$ns")', not $want, after ${3:-10}s: $(_vrrp_tail "$ns")"
}

# vrrp_state_time NAME STATE: the time ($EPOCHREALTIME) of NAME's last
# transition to STATE (empty if none)
vrrp_state_time() {
	awk -v s="$2" '$1 == s { t = $3 } END { print t }' "$VRRP_DIR/$1.state" 2>/dev/null
}

# vrrp_mac NAME: the MAC address of NAME's VRRP interface
vrrp_mac() {
	local ifc vip
	read -r ifc vip <"$VRRP_DIR/$1.vip" || { _herr "vrrp_mac: no VRRP on $1"; return 1; }
	ip -n "$1" -o link show dev "$ifc" | awk '{ for (i = 1; i < NF; i++) if ($i == "link/ether") print $(i + 1) }'
}

# neigh_mac NAME ADDR: the MAC NAME's ARP table has for ADDR (empty if
# none or incomplete); reads the anchor's /proc/net/arp, no exec
neigh_mac() {
	local a flags mac
	while read -r a _ flags mac _; do
		[ "$a" = "$2" ] && [ "$flags" != 0x0 ] && { echo "$mac"; return 0; }
	done <"$(nsproc "$1" arp)"
	return 0
}

# vrrp_logs NAME...: print keepalived's logs and state files (console log)
vrrp_logs() {
	local ns
	for ns in "$@"; do
		echo "---- keepalived log of $ns ----"
		cat "$VRRP_DIR/$ns.log" 2>/dev/null
		echo "---- VRRP states of $ns ----"
		cat "$VRRP_DIR/$ns.state" 2>/dev/null
	done
}
