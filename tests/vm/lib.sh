# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the VM bench scenarios, in the spirit of WireGuard's netns.sh.
# Sourced by every scenario (bash, `set -eE`, inside the VM, as root) and by
# the post-scenario audit. Every helper is safe under `set -e`: a helper that
# checks something records a failure and returns 0; a helper that sets
# something up fails the scenario by failing.
#
# The usual lab (lab_ipvs builds it; scenarios may build their own):
#
#                              +--------------------- br0 (root netns) --------------------+
#                              |                  |                |              |        |
#   client ===== director ------           m1 10.0.1.11    m2 10.0.1.12   m3 10.0.1.13  x 10.0.1.50
#   10.0.2.2  10.0.2.1 | 10.0.1.1          VIP_DR on lo                                  (out-group,
#   (out-group) gateway, IPVS:                                                           on the LAN)
#               VIP_DR  10.9.0.1 udp/tcp -> m1 (direct routing)
#               VIP_NAT 10.9.0.2 udp/tcp -> m2 (masquerading)
#
# Members route everything via the director (NAT replies and DR replies go
# back through it); member-to-member traffic crosses br0 only.
#
# Reporting (the only things that decide a scenario's result):
#   check 'COND' "message"      COND is eval'ed; false: the scenario fails
#   check_eq ACTUAL WANT "what" / check_ge / check_gt / check_le
#   figure KEY VALUE            a measured figure, printed on the result line
#   skip "reason"               a missing prerequisite: SKIP, never PASS
#   die "message"               fail and stop now
# Any command failing outside a condition also fails the scenario (set -e);
# the report then names the command and the line.

VM_STATE=${VM_STATE:-/tmp/vm}
mkdir -p "$VM_STATE"
# shellcheck disable=SC1091
[ -f /beaver/vm/build-info ] && source /beaver/vm/build-info

GROUP=7
VIP_DR=10.9.0.1
VIP_NAT=10.9.0.2
MEMBERS=10.0.1.11,10.0.1.12,10.0.1.13
VIPS=$VIP_DR,$VIP_NAT

# -- reporting ---------------------------------------------------------------

# log MESSAGE: a phase begins; the VM's uptime says where a scenario's
# time goes (make check has a budget)
log() {
	local up
	read -r up _ </proc/uptime
	echo "[+] $*  (at ${up%.*}s)"
	echo "$*" >"$VM_STATE/progress"
}

figure() {
	echo "[=] $1 = $2"
	{ echo "BEAVER-VM figure $1 $2" >&3; } 2>/dev/null || true
}

fail() {
	echo "[!] FAIL: $*"
	echo "$*" >>"$VM_STATE/failures"
}

die() {
	fail "$@"
	exit 1
}

check() {
	if eval "$1"; then
		echo "[.] ok: $2"
	else
		fail "$2"
	fi
	return 0
}

# numeric comparisons with a uniform message: check_eq ACTUAL WANT "what"
_num() { [[ $1 =~ ^-?[0-9]+$ ]]; }
check_eq() {
	if [ "$1" = "$2" ]; then echo "[.] ok: $3 = $1"; else fail "$3: got '$1', want $2"; fi
}
check_ge() {
	if _num "$1" && [ "$1" -ge "$2" ]; then echo "[.] ok: $3 = $1 >= $2"
	else fail "$3: got '$1', want >= $2"; fi
}
check_gt() {
	if _num "$1" && [ "$1" -gt "$2" ]; then echo "[.] ok: $3 = $1 > $2"
	else fail "$3: got '$1', want > $2"; fi
}
check_le() {
	if _num "$1" && [ "$1" -le "$2" ]; then echo "[.] ok: $3 = $1 <= $2"
	else fail "$3: got '$1', want <= $2"; fi
}

# keep FILE...: with a host share (run.sh, BEAVER_VM_SHARE), copy the
# files to SHARE/SCENARIO/ for a look after the run; otherwise nothing
keep() {
	grep -q ' /mnt/host ' /proc/mounts 2>/dev/null || return 0
	mkdir -p "/mnt/host/${VM_SCENARIO:-scenario}"
	cp -- "$@" "/mnt/host/${VM_SCENARIO:-scenario}/" 2>/dev/null || true
}

skip() {
	echo "$*" >"$VM_STATE/skip"
	echo "[-] SKIP: $*"
	exit 0
}

failed() { [ -s "$VM_STATE/failures" ]; }

# a helper that cannot do its job: say why (the report quotes it) and fail
_herr() {
	echo "$*"
	echo "$*" >"$VM_STATE/lasterr"
	return 1
}

vm_err_trap() {
	# only the scenario's own shell: a background job or a $(...) failing
	# is reported by whatever in the main shell consumes it
	[ "$BASHPID" = "$$" ] || return 0
	local what="'$2' failed (exit $1)" loc i
	[[ $2 == return* ]] && [ -s "$VM_STATE/lasterr" ] && what=$(cat "$VM_STATE/lasterr")
	# where in the scenario (the innermost frame that is a scenario file)
	loc="${BASH_SOURCE[1]##*/}:${BASH_LINENO[0]}"
	for ((i = 1; i < ${#BASH_SOURCE[@]}; i++)); do
		if [[ ${BASH_SOURCE[i]} == */scenarios/* ]]; then
			loc="${BASH_SOURCE[i]##*/}:${BASH_LINENO[i - 1]}"
			break
		fi
	done
	[ -s "$VM_STATE/errcmd" ] || echo "$loc: $what" >"$VM_STATE/errcmd"
	echo "[!] $loc: $what"
}

# -- prerequisites -----------------------------------------------------------

need_module() {
	[ -f /beaver/beaver.ko ] || skip "beaver.ko was not built"
}

need_tools() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || skip "tool $t was not built"
	done
}

# -- hosts -------------------------------------------------------------------

ip() { /usr/sbin/ip "$@"; }
tc() { /usr/sbin/tc "$@"; }

# run a command in a namespace: nsx NAME CMD ARGS...
nsx() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" -- "$@"
}

# sysctl in a namespace, one exec for all: nsysctl NAME key=value...
# (keys as paths below /proc/sys/net, e.g. ipv4/ip_forward=1)
nsysctl() {
	local ns=$1 kv script=
	shift
	for kv in "$@"; do
		script+="echo ${kv#*=} >/proc/sys/net/${kv%%=*} || exit 1; "
	done
	nsx "$ns" sh -c "$script" || _herr "nsysctl $ns $*: failed"
}

# Every namespace gets an anchor: a sleeping process inside it, so that its
# /proc/PID/net/* files can be read without starting a process in the
# namespace (each exec costs ~0.1 s under TCG). `netns_del` kills it.
_anchor() {
	nsenter --net="/run/netns/$1" -- sleep 2147483647 &
	echo $! >"$VM_STATE/anchor.$1"
}

_veth_loaded=
# netns NAME: a bare namespace with its loopback up
netns() {
	local ns=$1
	[ -n "$_veth_loaded" ] || { modprobe veth; _veth_loaded=1; }
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	_anchor "$ns"
}

netns_del() {
	local ns=$1
	[ -f "$VM_STATE/anchor.$ns" ] && kill "$(cat "$VM_STATE/anchor.$ns")" 2>/dev/null
	rm -f "$VM_STATE/anchor.$ns"
	ip netns delete "$ns"
	# the namespace dies asynchronously; its bridge port with it
	local i
	for i in $(seq 100); do
		[ -e "/sys/class/net/v-$ns" ] || return 0
		sleep 0.05
	done
	_herr "netns_del: v-$ns still there"
}

# nsproc NAME FILE: the path of /proc/net/FILE as seen inside NAME
nsproc() {
	local pid
	pid=$(cat "$VM_STATE/anchor.$1" 2>/dev/null) && [ -d "/proc/$pid" ] ||
		{ _herr "nsproc: no anchor for $1" >&2; return 1; }
	echo "/proc/$pid/net/$2"
}

bridge_up() {
	local br=${1:-br0}
	[ -e "/sys/class/net/$br" ] && return 0
	modprobe bridge
	ip link add "$br" type bridge forward_delay 0
	echo 0 >"/sys/class/net/$br/bridge/multicast_snooping"
	ip link set "$br" up
}

# host NAME ADDR/LEN [BRIDGE] [GATEWAY]: a namespace with eth0 on a bridge
# (and a default route via GATEWAY); four execs in all
host() {
	local ns=$1 addr=$2 br=${3:-br0} gw=${4:-}
	bridge_up "$br"
	[ -n "$_veth_loaded" ] || { modprobe veth; _veth_loaded=1; }
	ip netns add "$ns"
	ip -batch - <<-EOF
	link add v-$ns type veth peer name eth0 netns $ns
	link set v-$ns master $br up
	EOF
	ip -n "$ns" -batch - <<-EOF
	link set lo up
	addr add $addr dev eth0
	link set eth0 up
	${gw:+route add default via $gw}
	EOF
	_anchor "$ns"
}

# p2p A ADDR_A/LEN B ADDR_B/LEN: a veth pair between two namespaces,
# named to-B in A and to-A in B
p2p() {
	local a=$1 aa=$2 b=$3 ba=$4
	ip -n "$a" link add "to-$b" type veth peer name "to-$a" netns "$b"
	ip -n "$a" addr add "$aa" dev "to-$b"
	ip -n "$b" addr add "$ba" dev "to-$a"
	ip -n "$a" link set "to-$b" up
	ip -n "$b" link set "to-$a" up
}

# -- IPVS ----------------------------------------------------------------------

# director NAME: forwarding on; accept_local because DR replies come back
# through it with the VIP (local here) as their source
director() {
	local ns=$1
	modprobe ip_vs
	modprobe ip_vs_rr
	nsx "$ns" sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward &&
		echo 1 >/proc/sys/net/ipv4/conf/all/accept_local &&
		for f in /proc/sys/net/ipv4/conf/*/rp_filter; do echo 0 >$f; done'
}

# dr_real NAME VIP...: a direct-routing real server holds the VIPs on lo
# and neither answers nor announces ARP for them
dr_real() {
	local ns=$1 vip
	shift
	for vip in "$@"; do
		case $vip in
		*:*) ip -n "$ns" -6 addr add "$vip/128" dev lo ;;
		*) ip -n "$ns" addr add "$vip/32" dev lo ;;
		esac
	done
	nsysctl "$ns" ipv4/conf/all/arp_ignore=1 ipv4/conf/all/arp_announce=2 \
		ipv4/conf/eth0/arp_ignore=1 ipv4/conf/eth0/arp_announce=2 \
		ipv4/conf/all/rp_filter=0 ipv4/conf/eth0/rp_filter=0
}

# ipvs_service NAME udp|tcp VIP:PORT [SCHED]
ipvs_service() {
	local ns=$1 proto=$2 svc=$3 sched=${4:-rr} flag=-t
	[ "$proto" = udp ] && flag=-u
	nsx "$ns" ipvsadm -A "$flag" "$svc" -s "$sched"
}

# ipvs_real NAME udp|tcp VIP:PORT REAL:PORT dr|nat
ipvs_real() {
	local ns=$1 proto=$2 svc=$3 real=$4 mode=$5 flag=-t fwd
	[ "$proto" = udp ] && flag=-u
	case $mode in
	dr) fwd=-g ;;
	nat) fwd=-m ;;
	tun) fwd=-i ;;
	*) _herr "ipvs_real: mode $mode?"; return 1 ;;
	esac
	nsx "$ns" ipvsadm -a "$flag" "$svc" -r "$real" "$fwd" -w 1
}

# lab_ipvs: the lab drawn at the top of this file (IPVS services are up to
# the scenario: lab_ipvs only prepares director, VIPs and real servers)
lab_ipvs() {
	host director 10.0.1.1/24
	host m1 10.0.1.11/24 br0 10.0.1.1
	host m2 10.0.1.12/24 br0 10.0.1.1
	host m3 10.0.1.13/24 br0 10.0.1.1
	host x 10.0.1.50/24 br0 10.0.1.1
	netns client
	p2p client 10.0.2.2/24 director 10.0.2.1/24
	ip -n client route add default via 10.0.2.1
	ip -n director -batch - <<-EOF
	addr add $VIP_DR/32 dev lo
	addr add $VIP_NAT/32 dev lo
	EOF
	director director
	dr_real m1 "$VIP_DR"
}

# lab_lan: members m1..m3 and the out-group x on br0, nothing else
lab_lan() {
	host m1 10.0.1.11/24
	host m2 10.0.1.12/24
	host m3 10.0.1.13/24
	host x 10.0.1.50/24
}

# -- waiting for sockets -------------------------------------------------------

# _listening PORT STATE FILE...: a socket on local PORT (in state STATE,
# "-" for any) in /proc/net/{tcp,udp}* files; bash builtins only
_listening() {
	local port state=$2 f local st
	port=$(printf '%04X' "$1")
	shift 2
	for f in "$@"; do
		[ -r "$f" ] || continue
		while read -r _ local _ st _; do
			[ "${local##*:}" = "$port" ] || continue
			[ "$state" = - ] || [ "$st" = "$state" ] || continue
			return 0
		done <"$f"
	done
	return 1
}

# wait_udp NAME PORT: until a UDP socket is bound to PORT in NAME (10 s)
wait_udp() {
	local i d
	d=$(dirname "$(nsproc "$1" udp)")
	for i in $(seq 200); do
		_listening "$2" - "$d/udp" "$d/udp6" && return 0
		sleep 0.05
	done
	_herr "wait_udp: nothing bound to udp port $2 in $1"
}

# wait_tcp NAME PORT: until a TCP socket listens on PORT in NAME (10 s)
wait_tcp() {
	local i d
	d=$(dirname "$(nsproc "$1" tcp)")
	for i in $(seq 200); do
		_listening "$2" 0A "$d/tcp" "$d/tcp6" && return 0
		sleep 0.05
	done
	_herr "wait_tcp: nothing listens on tcp port $2 in $1"
}

# elapsed T0: seconds since T0 (an $EPOCHREALTIME), two decimals
elapsed() {
	awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f\n", b - a }'
}

# warmup_growth FILE XCOL X0 WARM END WIN COL [MIN]: how a sampled quantity grew
# after warm-up (27-soak, 28-rss). FILE holds one sample a line; column
# XCOL is the run's progress (the time in 27, snapshots finished in 28),
# X0 where it starts, WARM the warm-up's length in those units, END the
# last progress counted, COL the quantity. Reference: the mean over the
# second half of warm-up; after it, means over windows of WIN units (what
# comes and goes within a window is noise, a leak stays), the largest of
# those holding at least MIN samples (default 5). A second half of
# warm-up with no sample in it (a short warm-up, a sampler slowed by a
# loaded host) takes the first sample after it as its reference, if that
# comes within half a warm-up more. Prints "REFERENCE LARGEST PCT" (PCT
# -1 without a reference or without such a window: a run too short to
# say).
warmup_growth() {
	awk -v xc="$2" -v a="$3" -v w="$4" -v c="$5" -v win="$6" -v col="$7" -v min="${8:-5}" '
		{ t = $xc - a }
		t >= w / 2 && t < w { rs += $col; rn++ }
		t >= w && t < w * 1.5 && !fn { f = $col; fn = 1 }
		t >= w && $xc <= c { k = int((t - w) / win); s[k] += $col; n[k]++; if (k > K) K = k }
		END {
			r = rn ? rs / rn : fn ? f : 0
			for (k = 0; k <= K; k++) if (n[k] >= min && s[k] / n[k] > m) m = s[k] / n[k]
			printf "%d %d %.1f\n", r, m, r && m ? (m - r) * 100 / r : -1
		}' "$1"
}

# kv "LINE" KEY: the value after KEY in a "key value key value" line
# (no awk: scenarios call it dozens of times, and an exec costs under TCG)
kv() {
	local - i IFS=$' \t\n'
	local -a w
	set -f
	# shellcheck disable=SC2206 # words, not globs (set -f)
	w=($1)
	for ((i = 0; i < ${#w[@]} - 1; i++)); do
		[ "${w[i]}" = "$2" ] && { echo "${w[i + 1]}"; return 0; }
	done
	return 0
}

# snmp NAME PROTO FIELD: a /proc/net/snmp counter (e.g. snmp d Ip FragCreates)
snmp() {
	awk -v p="$2:" -v f="$3" '
		$1 == p && !h { for (i = 2; i <= NF; i++) col[$i] = i; h = 1; next }
		$1 == p && h { print $(col[f]); exit }' "$(nsproc "$1" snmp)"
}

# -- beaver ------------------------------------------------------------------

beaver_loaded() { grep -q '^beaver ' /proc/modules; }

# beaver_load [PARAMS]: its distribution dependencies first, then insmod,
# with the beaver.* parameters of the kernel command line (as modprobe would
# pass them; run.sh's BEAVER_VM_APPEND puts them there) and PARAMS
beaver_load() {
	need_module
	local d p params=()
	for d in ${KO_DEPS:-}; do modprobe "$d"; done
	for p in $(cat /proc/cmdline); do
		[[ $p == beaver.* ]] && params+=("${p#beaver.}")
	done
	insmod /beaver/beaver.ko "${params[@]}" "$@"
	beaver_loaded
}

beaver_unload() {
	rmmod beaver
	! beaver_loaded
}

# bnl NAME ARGS...: beaver-nl in a namespace ("-" is the root namespace)
bnl() {
	local ns=$1
	shift
	if [ "$ns" = - ]; then beaver-nl "$@"; else beaver-nl -N "$ns" "$@"; fi
}

# bstat NAME KEY: one value of `beaver-nl status` (role, gw_epoch, stat.x…)
bstat() {
	bnl "$1" status | awk -v k="$2" '$1 == k { print $2; f = 1 } END { exit !f }'
}

# records_now NAME EPOCH: dump without waiting (one exec instead of two;
# for many epochs after one wait-complete of the newest)
records_now() {
	local f=$VM_STATE/rec.$1.$2
	bnl "$1" records "$2" >"$f"
	echo "$f"
}

# records NAME EPOCH: wait until the epoch is complete, dump its records to
# a file and print the file's name
records() {
	local ns=$1 e=$2 f=$VM_STATE/rec.$1.$2
	bnl "$ns" wait-complete "$e" "${WAIT_MS:-10000}" >/dev/null ||
		{ _herr "records: $ns epoch $e not complete"; return 1; }
	bnl "$ns" records "$e" >"$f"
	echo "$f"
}

# rsum FILE KIND FIELD [KEY=VALUE...]: sum FIELD over the KIND lines
# ("cut", "flow", "chan", …) of a records file matching every KEY=VALUE
# (flows and channels come one line per CPU: shares of a key add up)
rsum() {
	local f=$1 kind=$2 field=$3
	shift 3
	awk -v kind="$kind" -v field="$field" -v conds="$*" '
		BEGIN { n = split(conds, c, " ") }
		$1 == kind {
			delete v
			for (i = 2; i < NF; i += 2) v[$i] = $(i + 1)
			for (j = 1; j <= n; j++) {
				split(c[j], p, "=")
				if (v[p[1]] != p[2]) next
			}
			s += v[field]
		}
		END { printf "%.0f\n", s }' "$f"
}

# rget FILE KIND FIELD [KEY=VALUE...]: the first matching value (or empty)
rget() {
	local f=$1 kind=$2 field=$3
	shift 3
	awk -v kind="$kind" -v field="$field" -v conds="$*" '
		BEGIN { n = split(conds, c, " ") }
		$1 == kind {
			delete v
			for (i = 2; i < NF; i += 2) v[$i] = $(i + 1)
			for (j = 1; j <= n; j++) {
				split(c[j], p, "=")
				if (v[p[1]] != p[2]) next
			}
			print v[field]; exit
		}' "$f"
}

# beaver_lab [SETTLE_MS]: beaver.ko loaded, the director a gateway, m1..m3
# members of group $GROUP (x and client stay out-group)
beaver_lab() {
	local settle=${1:-100} m
	need_tools beaver-nl
	beaver_loaded || beaver_load
	[ -e /run/netns/director ] &&
		bnl director config role gateway group "$GROUP" members "$MEMBERS" vips "$VIPS"
	LAB_MEMBERS=
	for m in m1 m2 m3; do
		[ -e "/run/netns/$m" ] || continue
		bnl "$m" config role member group "$GROUP" members "$MEMBERS" \
			gateways 10.0.1.1 \
			vips "$VIPS" settle "$settle"
		LAB_MEMBERS+=" $m"
	done
}

# gw_advance GW EPOCH: what the coordinator does, in a lab without
# daemons: EPOCH announced to every member beaver_lab configured (a member
# with no epoch of its own reads a stamp in the IPv4 ID only next to one
# it was told: decisions.md, "A member's first snapshot"), then GW
# advanced to it. Prints gw-advance's line.
gw_advance() {
	# shellcheck disable=SC2086 # one word per member
	[ -z "${LAB_MEMBERS:-}" ] || beaver-nl announce "$2" $LAB_MEMBERS >/dev/null
	bnl "$1" gw-advance "$2"
}

# beaver_encoding id|option [NAME...]: how every node of the lab (director,
# m1..m3, or the NAMEs) stamps IPv4: the ID of TCP data segments (the
# default) or the option only (decisions.md)
beaver_encoding() {
	local ns mode=$1
	shift
	for ns in ${@:-director m1 m2 m3}; do
		[ -e "/run/netns/$ns" ] || continue
		bnl "$ns" config ipv4-stamp "$mode" >/dev/null
	done
}

# wait_stat NAME KEY MIN [SECONDS]: until a status value reaches MIN
wait_stat() {
	local ns=$1 key=$2 min=$3 t=${4:-10} v end=$((SECONDS + ${4:-10}))
	while :; do
		v=$(bstat "$ns" "$key")
		[ "$v" -ge "$min" ] && return 0
		[ "$SECONDS" -lt "$end" ] || break
		sleep 0.1
	done
	_herr "wait_stat: $ns $key is $v after ${t}s, want >= $min"
}

# ready_file NAME: a fresh path for a tool's --ready-file; wait_ready waits
# for it (10 s)
ready_file() {
	rm -f "$VM_STATE/ready.$1"
	echo "$VM_STATE/ready.$1"
}
wait_ready() {
	local i
	for i in $(seq 200); do
		[ -e "$VM_STATE/ready.$1" ] && return 0
		sleep 0.05
	done
	_herr "wait_ready: $1 never became ready"
}

# dump_records DIR FROM TO NAME...: every record FROM..TO of every NAME into
# DIR/NAME.E (no waiting: call after a wait-complete of TO); failed dumps are
# listed in DIR/errors. Sequential: parallel execs are slower under MTTCG
# (every exec's TLB shootdown stops all vCPUs).
dump_records() {
	local dir=$1 from=$2 to=$3 ns
	shift 3
	mkdir -p "$dir"
	: >"$dir/errors"
	# one beaver-nl per member, its `epoch E` lines splitting the files
	for ns in "$@"; do
		bnl "$ns" records "$from..$to" 2>>"$dir/errors" |
			awk -v p="$dir/$ns." '$1 == "epoch" && NF == 2 { close(f); f = p $2; printf "" >f; next }
				{ print >f }' ||
			echo "records $ns $from..$to failed" >>"$dir/errors"
		for e in $(seq "$from" "$to"); do
			[ -f "$dir/$ns.$e" ] || echo "records $ns $e missing" >>"$dir/errors"
		done
	done
}

# balance DIR FROM TO ADDR=NAME...: for every epoch FROM..TO and every
# ordered pair of the given members S -> R, from the dumps of dump_records:
#   S's channel tx to R at cut E = R's rx from S + R's in-flight from S
#                                  + R's late entries from S that name E
# exactly. Late entries are reported by every record after their arrival
# (one entry, several reports: counted once, by its key), so call it with
# a TO whose cut came after the traffic stopped: then every late packet
# of FROM..TO is in some record dumped.
# Prints one line per violation ("bad E S R tx T rx X inflight I late L"),
# then "pairs N inflight SUM late SUM epochs_with_inflight N
# epochs_with_traffic N" (epochs whose cuts saw more sent than the previous).
balance() {
	local dir=$1 from=$2 to=$3 a files=()
	shift 3
	local e
	for e in $(seq "$from" "$to"); do
		for a in "$@"; do files+=("$dir/${a#*=}.$e"); done
	done
	awk -v from="$from" -v to="$to" -v members="$*" '
		BEGIN {
			n = split(members, m, " ")
			for (i = 1; i <= n; i++) { split(m[i], p, "="); addr[p[2]] = p[1]; name[i] = p[2] }
		}
		FNR == 1 {
			f = FILENAME; sub(/.*\//, "", f)
			ns = f; sub(/\.[0-9]+$/, "", ns)
			ep = f; sub(/.*\./, "", ep)
		}
		$1 == "late" || $1 == "chan" {
			delete v
			for (i = 2; i < NF; i += 2) v[$i] = $(i + 1)
			if (v["kind"] != "member") next
		}
		$1 == "late" {
			k = ns SUBSEP v["peer"] SUBSEP v["first"] SUBSEP v["last"] SUBSEP v["arrived"]
			lpk[k] = v["pkts"]
			next
		}
		$1 == "chan" {
			tx[ns, v["peer"], ep] += v["tx_pkts"]
			rx[ns, v["peer"], ep] += v["rx_pkts"]
			inf[ns, v["peer"], ep] += v["inflight_pkts"]
		}
		END {
			for (k in lpk) {
				split(k, q, SUBSEP)
				for (e = q[3]; e <= q[4]; e++) late[q[1], q[2], e] += lpk[k]
			}
			prev = -1
			for (e = from; e <= to; e++) {
				ei = 0
				ts = 0
				for (i = 1; i <= n; i++) for (j = 1; j <= n; j++) {
					if (i == j) continue
					s = name[i]; r = name[j]
					t = tx[s, addr[r], e] + 0
					x = rx[r, addr[s], e] + 0
					f = inf[r, addr[s], e] + 0
					l = late[r, addr[s], e] + 0
					if (t != x + f + l) printf "bad %d %s %s tx %d rx %d inflight %d late %d\n", e, s, r, t, x, f, l
					pairs++
					ts += t
					fsum += f
					lsum += l
					if (f) ei = 1
				}
				eps += ei
				if (prev >= 0 && ts > prev) busy++
				prev = ts
			}
			printf "pairs %d inflight %d late %d epochs_with_inflight %d epochs_with_traffic %d\n", pairs, fsum, lsum, eps, busy
		}' "${files[@]}"
}

# -- beaverd: one daemon per namespace-host ------------------------------------
#
# Each namespace-host runs its own beaverd (`netns = NAME` in its
# configuration: the daemon enters the namespace itself), with its own files
# under $BVD_DIR:
#
#   NAME.key, NAME.pub      NAME's private key (`beaverctl genkey`) and its
#                           public key (`beaverctl pubkey`): bvd_key
#   NAME.conf               NAME's configuration (bvd_conf)
#   NAME.log                its stderr; every start appends a "==== start" line
#   NAME.pid                the running daemon's pid
#   NAME/state/             state_dir (SQLite)
#   NAME/run/beaverd.sock   run_dir: what `bctl NAME` talks to
#
# The group is described once (bvd_group); bvd_conf writes one host's file
# from it; bvd_up starts daemons and waits until each is ready.

BVD_DIR=$VM_STATE/beaverd
BVD_PORT=5150
BVD_GATEWAYS=	# "NAME=ADDR ...": each gateway's control (and data) address
BVD_MEMBERS=	# "NAME=ADDR ...": each member's control and data address
BVD_VIPS=$VIPS	# the group's VIPs
BVD_ALLOW=	# [group] allow (the coordinator's address: control traffic)
BVD_COORDS=	# "NAME=ADDR ...": the coordinators gateways and members obey
BVD_MEMBER_OPTS=	# "SECTION.KEY=VALUE ...": bvd_all's overrides for members
BVD_GATEWAY_OPTS=	# the same for gateways
BVD_DATA6=	# "NAME=ADDR6 ...": a member's or gateway's IPv6 data address

# bvd_group "GW=ADDR..." "MEMBER=ADDR..." [VIPS] [ALLOW]
bvd_group() {
	BVD_GATEWAYS=$1
	BVD_MEMBERS=$2
	BVD_VIPS=${3:-$VIPS}
	BVD_ALLOW=${4:-}
}

# bvd_key NAME: NAME's key pair, made once by the real tool: the private
# key (mode 0600) and its public key beside it; the image's pair for NAME
# if it has one (build-initramfs.sh made it with the same tool), copied
# with builtins only
bvd_key() {
	local k p
	[ -d "$BVD_DIR" ] || mkdir -p "$BVD_DIR"
	[ -s "$BVD_DIR/$1.key" ] && [ -s "$BVD_DIR/$1.pub" ] && return 0
	[ ! -e "$BVD_DIR/$1.key" ] || rm -f "$BVD_DIR/$1.key"
	if [ -s "/beaver/keys/$1.key" ] && read -r k <"/beaver/keys/$1.key" &&
		read -r p <"/beaver/keys/$1.pub"; then
		# a fork (12 ms), not an exec: the key's mode is 0600
		(umask 077 && printf '%s\n' "$k" >"$BVD_DIR/$1.key")
		printf '%s\n' "$p" >"$BVD_DIR/$1.pub"
		return 0
	fi
	beaverctl genkey "$BVD_DIR/$1.key" >/dev/null &&
		beaverctl pubkey "$BVD_DIR/$1.key" >"$BVD_DIR/$1.pub" ||
		_herr "bvd_key: beaverctl genkey/pubkey for $1 failed"
}

# bvd_pub NAME: NAME's public key (made if it has none yet)
bvd_pub() {
	bvd_key "$1" && cat "$BVD_DIR/$1.pub"
}

# bvd_sock NAME: the path of NAME's beaverctl socket
bvd_sock() { echo "$BVD_DIR/$1/run/beaverd.sock"; }

# bctl NAME ARGS...: beaverctl talking to NAME's beaverd
bctl() {
	local ns=$1
	shift
	beaverctl --socket "$BVD_DIR/$ns/run/beaverd.sock" "$@"
}

# bvd_conf NAME ROLES ADDR [SECTION.KEY=VALUE...]: write NAME's beaverd.conf.
# ROLES as in the file ("member", "gateway", "coordinator",
# "gateway, coordinator"); ADDR is its control-plane address. The bench's
# defaults (below: tau_min 1 s, for TCG's jitter: gateway round trips of
# 2-200 ms) may be overridden or, with an empty VALUE, removed:
#   bvd_conf coord coordinator 10.0.1.5 coordinator.tau_min_us=50
# A coordinator gets a [gateway:NAME]/[member:NAME] section for every host
# of bvd_group, a gateway or member a [coordinator:NAME] section for each
# of BVD_COORDS; every host has its own key (bvd_key).
bvd_conf() {
	local ns=$1 roles=$2 addr=$3 kv k sec p members= gateways=
	shift 3
	for p in $BVD_MEMBERS; do members+=${members:+,}${p#*=}$(_bvd6 "${p%%=*}" ,); done
	for p in $BVD_GATEWAYS; do gateways+=${gateways:+,}${p#*=}$(_bvd6 "${p%%=*}" ,); done
	local -A v=(
		[beaverd.node]=$ns [beaverd.roles]=$roles
		[beaverd.listen]=$addr:$BVD_PORT
		[beaverd.key_file]=$BVD_DIR/$ns.key
		[beaverd.state_dir]=$BVD_DIR/$ns/state
		[beaverd.run_dir]=$BVD_DIR/$ns/run
		[beaverd.socket_group]=beaver
		[beaverd.log]=stderr [beaverd.netns]=$ns
		[group.id]=$GROUP [group.members]=$members
		[group.vips]=$BVD_VIPS [group.gateways]=$gateways
		[group.allow]=$BVD_ALLOW
		[module.settle_ms]=${BVD_SETTLE_MS:-200}
		[coordinator.tau_min_us]=${BVD_TAU_US:-1000000}
		[coordinator.ack_timeout_ms]=2000
		[coordinator.retries]=3
		[coordinator.max_outstanding]=4
		[coordinator.complete_timeout_ms]=5000
		[coordinator.collect_timeout_ms]=5000
	)
	local -a order=(beaverd.node beaverd.roles beaverd.listen
		beaverd.key_file beaverd.state_dir beaverd.run_dir
		beaverd.socket_group beaverd.log beaverd.netns group.id
		group.members group.vips group.gateways group.allow module.settle_ms
		coordinator.tau_min_us coordinator.ack_timeout_ms
		coordinator.retries coordinator.max_outstanding
		coordinator.complete_timeout_ms coordinator.collect_timeout_ms)
	for kv in "$@"; do
		k=${kv%%=*}
		[ -n "${v[$k]+set}" ] || order+=("$k")
		v[$k]=${kv#*=}
	done
	mkdir -p "$BVD_DIR/$ns"	# beaverd creates state_dir (0700) and run_dir
	bvd_key "$ns" || return 1
	{
		echo "; $ns: written by lib.sh bvd_conf"
		for sec in beaverd group module coordinator; do
			[ "$sec" = coordinator ] && [[ $roles != *coordinator* ]] && continue
			echo "[$sec]"
			for k in "${order[@]}"; do
				[ "${k%%.*}" = "$sec" ] && [ -n "${v[$k]}" ] &&
					echo "${k#*.} = ${v[$k]}"
			done
		done
		if [[ $roles == *coordinator* ]]; then
			for p in $BVD_GATEWAYS; do
				printf '[gateway:%s]\naddress = %s:%s\npublic_key = %s\n' \
					"${p%%=*}" "${p#*=}" "$BVD_PORT" "$(bvd_pub "${p%%=*}")"
			done
			for p in $BVD_MEMBERS; do
				printf '[member:%s]\naddress = %s:%s\ndata = %s\npublic_key = %s\n' \
					"${p%%=*}" "${p#*=}" "$BVD_PORT" "${p#*=}$(_bvd6 "${p%%=*}" ', ')" \
					"$(bvd_pub "${p%%=*}")"
			done
		else
			for p in $BVD_COORDS; do
				printf '[coordinator:%s]\naddress = %s:%s\npublic_key = %s\n' \
					"${p%%=*}" "${p#*=}" "$BVD_PORT" "$(bvd_pub "${p%%=*}")"
			done
		fi
	} >"$BVD_DIR/$ns.conf"
}

# _bvd6 NAME SEP: SEP and NAME's IPv6 address of BVD_DATA6, if it has one
_bvd6() {
	local p
	for p in $BVD_DATA6; do
		[ "${p%%=*}" = "$1" ] && { echo "$2${p#*=}"; return 0; }
	done
	return 0
}

# bvd_start NAME [BEAVERD-ARGS...]: start NAME's beaverd in the background
# (a child of the scenario's shell: call it there, not in $(...)); see
# bvd_wait for the moment it is ready
bvd_start() {
	local ns=$1
	shift
	[ -f "$BVD_DIR/$ns.conf" ] || { _herr "bvd_start: no $BVD_DIR/$ns.conf"; return 1; }
	echo "==== start at ${EPOCHREALTIME}" >>"$BVD_DIR/$ns.log"
	beaverd -c "$BVD_DIR/$ns.conf" --stderr "$@" >>"$BVD_DIR/$ns.log" 2>&1 &
	echo $! >"$BVD_DIR/$ns.pid"
}

# bvd_pid NAME: the pid of NAME's daemon (as started by bvd_start)
bvd_pid() { cat "$BVD_DIR/$1.pid" 2>/dev/null; }

# bvd_alive NAME: its daemon is running (not gone, not a zombie)
bvd_alive() {
	local pid st
	pid=$(bvd_pid "$1") && [ -n "$pid" ] || return 1
	[ -r "/proc/$pid/stat" ] || return 1
	read -r _ _ st _ <"/proc/$pid/stat" 2>/dev/null || return 1
	[ "$st" != Z ]
}

# _bvd_ready LOG: the last start in LOG reached "ready"
_bvd_ready() {
	local line r=1
	while IFS= read -r line; do
		case $line in
		"==== start at "*) r=1 ;;
		*" ready: group "*) r=0 ;;
		esac
	done <"$1"
	return $r
}

# bvd_wait NAME [SECONDS=20]: until NAME's daemon says it is ready (logged
# once its sockets are open) and its beaverctl socket exists; fails at
# once, with its last log lines, if it exits
bvd_wait() {
	local ns=$1 end=$((SECONDS + ${2:-20}))
	while :; do
		_bvd_ready "$BVD_DIR/$ns.log" && [ -S "$(bvd_sock "$ns")" ] && return 0
		if ! bvd_alive "$ns"; then
			_herr "bvd_wait: beaverd of $ns exited: $(tail -n 3 "$BVD_DIR/$ns.log" | tr '\n' '|')"
			return 1
		fi
		[ "$SECONDS" -lt "$end" ] || break
		sleep 0.05
	done
	_herr "bvd_wait: beaverd of $ns not ready after ${2:-20}s"
}

# bvd_up NAME...: start every daemon, then wait for each
bvd_up() {
	local ns
	for ns in "$@"; do bvd_start "$ns"; done
	for ns in "$@"; do bvd_wait "$ns"; done
}

# _bvd_gone NAME SECONDS: wait until the daemon has exited, then reap it
_bvd_gone() {
	local ns=$1 pid end=$((SECONDS + $2))
	pid=$(bvd_pid "$ns")
	while bvd_alive "$ns"; do
		[ "$SECONDS" -lt "$end" ] || { _herr "beaverd of $ns still running after $2s"; return 1; }
		sleep 0.05
	done
	wait "$pid" 2>/dev/null || true
	rm -f "$BVD_DIR/$ns.pid"
}

# bvd_stop NAME: SIGTERM, wait for the exit (10 s)
bvd_stop() {
	bvd_alive "$1" || { _herr "bvd_stop: beaverd of $1 is not running"; return 1; }
	kill -TERM "$(bvd_pid "$1")"
	_bvd_gone "$1" 10
}

# bvd_kill NAME: SIGKILL (a crash), wait for the exit
bvd_kill() {
	bvd_alive "$1" || { _herr "bvd_kill: beaverd of $1 is not running"; return 1; }
	kill -KILL "$(bvd_pid "$1")"
	_bvd_gone "$1" 10
}

# bvd_all COORD_ADDR [SECTION.KEY=VALUE...]: the module loaded, and
# beaverd on every gateway and member of bvd_group, and on the
# coordinator's own host (namespace coord, at COORD_ADDR, with the given
# overrides), all ready; each with its own key, the gateways and members
# obeying BVD_COORDS (default: that coordinator)
bvd_all() {
	local coord=$1 p
	shift
	beaver_loaded || beaver_load
	BVD_COORDS=${BVD_COORDS:-coord=$coord}
	# shellcheck disable=SC2086 # the overrides, one word each
	for p in $BVD_GATEWAYS; do bvd_conf "${p%%=*}" gateway "${p#*=}" $BVD_GATEWAY_OPTS; done
	# shellcheck disable=SC2086 # the overrides, one word each
	for p in $BVD_MEMBERS; do bvd_conf "${p%%=*}" member "${p#*=}" $BVD_MEMBER_OPTS; done
	bvd_conf coord coordinator "$coord" "$@"
	# shellcheck disable=SC2046
	bvd_up $(for p in $BVD_GATEWAYS $BVD_MEMBERS; do echo "${p%%=*}"; done) coord
}

# bvd_logs NAME...: print the daemons' logs (for the console log)
bvd_logs() {
	local ns
	for ns in "$@"; do
		echo "---- beaverd log of $ns ----"
		cat "$BVD_DIR/$ns.log" 2>/dev/null
	done
}

# bvd_log_count PATTERN NAME...: lines of the daemons' logs matching the
# extended regular expression PATTERN
bvd_log_count() {
	local pat=$1 ns n=0 c
	shift
	for ns in "$@"; do
		c=$(grep -cE "$pat" "$BVD_DIR/$ns.log" 2>/dev/null) || true
		n=$((n + ${c:-0}))
	done
	echo "$n"
}

# jqf FILE FILTER: one jq value (raw); empty when missing or invalid
jqf() { jq -r "$2 // empty" "$1" 2>/dev/null; }

# -- the demo lab: two DR gateways, three members --------------------------------
#
#   client 10.0.1.100 --VIP1 10.9.0.1:7000--> gw1 10.0.1.1 --+  (IPVS DR,
#   x      10.0.1.50  --VIP2 10.9.0.2:7000--> gw2 10.0.1.2 --+   one-packet
#   coord  10.0.1.5: the coordinator's own host              |   scheduling)
#                                                  m1 10.0.1.11, m2 .12, m3 .13
#                                                  (both VIPs on lo)
# All on br0. Each gateway owns one VIP (the simple way to have both carry
# traffic: clients route VIP1 via gw1, VIP2 via gw2); the members hold both
# VIPs on lo and answer clients directly (DR). UDP services use one-packet
# scheduling (ipvsadm -o), so one client spreads over all three members.
# Control traffic from the coordinator is allow-listed on members (it is
# causally irrelevant management traffic, and would count as bypass).
# Members delay what they send by $DEMO_DELAY (netem), so member-to-member
# packets are in flight across the cuts.

DEMO_VIP1=10.9.0.1
DEMO_VIP2=10.9.0.2
DEMO_GWS="gw1=10.0.1.1 gw2=10.0.1.2"
DEMO_MEMBERS="m1=10.0.1.11 m2=10.0.1.12 m3=10.0.1.13"
DEMO_COORD=10.0.1.5
DEMO_DELAY=${DEMO_DELAY-5ms}	# netem delay on members' eth0 ("": none)

# lab_demo [MEMBERS...]: the hosts, IPVS on both gateways, the group for
# bvd_conf (default members m1 m2 m3)
lab_demo() {
	local m a p members=() i
	[ $# -gt 0 ] || set -- m1 m2 m3
	host gw1 10.0.1.1/24
	host gw2 10.0.1.2/24
	for m in "$@"; do
		a=
		for p in $DEMO_MEMBERS; do [ "${p%%=*}" = "$m" ] && a=${p#*=}; done
		[ -n "$a" ] || { _herr "lab_demo: no member $m"; return 1; }
		host "$m" "$a/24"
		# dr_real, with one exec for both VIPs
		ip -n "$m" -batch - <<-EOF
		addr add $DEMO_VIP1/32 dev lo
		addr add $DEMO_VIP2/32 dev lo
		EOF
		dr_real "$m"
		# a little latency on what members send, so that member-to-member
		# packets are caught in flight across the cuts
		[ -z "$DEMO_DELAY" ] || tc -n "$m" qdisc add dev eth0 root netem delay "$DEMO_DELAY"
		members+=("$m=$a")
	done
	host client 10.0.1.100/24
	host x 10.0.1.50/24
	host coord $DEMO_COORD/24
	for i in 1 2; do
		a=$DEMO_VIP1
		[ $i = 2 ] && a=$DEMO_VIP2
		ip -n "gw$i" addr add "$a/32" dev lo
		director "gw$i"
		# the services and their real servers in one exec (ipvsadm -R
		# reads the format of ipvsadm -S)
		for m in "${members[@]}"; do
			echo "-a -u $a:7000 -r ${m#*=}:7000 -g -w 1"
			echo "-a -t $a:8000 -r ${m#*=}:8000 -g -w 1"
		done | { printf '%s\n' "-A -u $a:7000 -s rr -o" "-A -t $a:8000 -s rr"; cat; } |
			nsx "gw$i" ipvsadm -R
	done
	for m in client x; do
		ip -n "$m" -batch - <<-EOF
		route add $DEMO_VIP1/32 via 10.0.1.1
		route add $DEMO_VIP2/32 via 10.0.1.2
		EOF
	done
	bvd_group "$DEMO_GWS" "${members[*]}" "$DEMO_VIP1,$DEMO_VIP2" "$DEMO_COORD/32"
}

# demo_daemons [SECTION.KEY=VALUE...]: the module loaded, the key, every
# configuration (the arguments go to the coordinator's), every daemon up
demo_daemons() { bvd_all $DEMO_COORD "$@"; }

# demo_traffic SECONDS [PPS]: the service and its load, all in the
# background for about SECONDS:
#   members   udpnum recv --echo on port 7000 (the service)
#   client    -> VIP1:7000 at PPS (default 100) datagrams/s, echoes back
#   x         -> VIP2:7000 at PPS/2 (the out-group host calling the service)
#   m1 -> m2 -> m3 -> m1: each member calls the next one's service directly
#             at PPS/4 (member-to-member channels in both directions)
# Outputs in $VM_STATE/traffic.NAME; demo_traffic_wait collects them.
# (nsenter, not nsx, in the background: $! must be the tool's own pid, not
# a subshell's, for the services to get their SIGTERM)
demo_traffic() {
	local secs=$1 pps=${2:-100} p m n ms=$(( $1 * 1000 + 5000 )) ring=()
	: >"$VM_STATE/traffic.pids"
	: >"$VM_STATE/traffic.svcpids"
	for p in $BVD_MEMBERS; do
		m=${p%%=*}
		nsenter --net="/run/netns/$m" -- udpnum recv --port 7000 --echo --timeout-ms $((ms + 5000)) \
			--ready-file "$(ready_file "$m")" >"$VM_STATE/traffic.$m.svc" &
		echo $! >>"$VM_STATE/traffic.svcpids"
		ring+=("$p")
	done
	for p in "${ring[@]}"; do wait_ready "${p%%=*}"; done
	nsenter --net=/run/netns/client -- udpnum send --dst $DEMO_VIP1 --port 7000 --size 200 \
		--count $((secs * pps)) --pps "$pps" --echo-wait-ms 2000 \
		--timeout-ms "$ms" >"$VM_STATE/traffic.client" &
	echo $! >>"$VM_STATE/traffic.pids"
	nsenter --net=/run/netns/x -- udpnum send --dst $DEMO_VIP2 --port 7000 --size 300 \
		--count $((secs * pps / 2)) --pps $((pps / 2)) --echo-wait-ms 2000 \
		--timeout-ms "$ms" >"$VM_STATE/traffic.x" &
	echo $! >>"$VM_STATE/traffic.pids"
	n=${#ring[@]}
	if [ "$n" -gt 1 ]; then
		for ((i = 0; i < n; i++)); do
			p=${ring[i]}
			nsenter --net="/run/netns/${p%%=*}" -- udpnum send --dst "${ring[(i + 1) % n]#*=}" --port 7000 \
				--size 120 --count $((secs * pps / 4)) --pps $((pps / 4)) \
				--echo-wait-ms 2000 --timeout-ms "$ms" \
				>"$VM_STATE/traffic.${p%%=*}.call" &
			echo $! >>"$VM_STATE/traffic.pids"
		done
	fi
}

# demo_traffic_wait [stop]: wait for the senders (with "stop": stop them
# now), stop the services; prints one line per sender and service
demo_traffic_wait() {
	local pid f
	if [ "${1:-}" = stop ]; then
		for pid in $(cat "$VM_STATE/traffic.pids"); do kill -TERM "$pid" 2>/dev/null || true; done
	fi
	for pid in $(cat "$VM_STATE/traffic.pids"); do wait "$pid" || true; done
	# the services print their totals on SIGTERM
	for pid in $(cat "$VM_STATE/traffic.svcpids"); do kill -TERM "$pid" 2>/dev/null || true; done
	for pid in $(cat "$VM_STATE/traffic.svcpids"); do wait "$pid" || true; done
	for f in "$VM_STATE"/traffic.*; do
		case ${f##*.} in pids|svcpids) continue ;; esac
		echo "${f##*/traffic.}: $(tr '\n' ' ' <"$f")"
	done
}

# -- the post-scenario audit (run by init after every scenario) -----------------

_dmesg_bad='BUG|Oops|WARNING|[Ll]eak|refcount|Call Trace|general protection|UBSAN|KASAN|list_(add|del) corruption|still has objects|blocked for more than|soft lockup|rcu.*stall|Kernel panic'

vm_audit() {
	local ns p left out
	log "audit"
	for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }'); do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	done
	sleep 0.2
	if beaver_loaded; then
		if command -v beaver-nl >/dev/null; then
			for ns in - $(ip netns list | awk '{ print $1 }'); do
				bnl "$ns" flush >/dev/null ||
					fail "audit: flush failed in netns $ns"
				out=$(bnl "$ns" status) ||
					{ fail "audit: status failed in netns $ns"; continue; }
				left=$(echo "$out" | awk '$1 ~ /^obj\./ && $2 != 0 { printf "%s%s=%s", s, $1, $2; s = " " }')
				[ -z "$left" ] ||
					fail "audit: netns $ns: objects left after flush: $left"
			done
		else
			fail "audit: beaver.ko loaded but beaver-nl missing"
		fi
		ip -all netns delete 2>/dev/null
		if ! rmmod beaver; then
			fail "audit: rmmod beaver failed ($(grep '^beaver ' /proc/modules))"
		fi
	else
		ip -all netns delete 2>/dev/null
	fi
	sleep 1	# deferred work (netns cleanup, RCU callbacks) gets to run
	echo "---- kernel log of the scenario ----"
	dmesg | tee "$VM_STATE/dmesg"
	echo "---- end of kernel log ----"
	grep -E "$_dmesg_bad" "$VM_STATE/dmesg" | head -n 3 | while read -r line; do
		fail "audit: kernel log: $line"
	done
	return 0
}

[ ! -f /beaver/vm/lib-vrrp.sh ] || source /beaver/vm/lib-vrrp.sh	# VRRP: keepalived
