#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The VM bench: boots QEMU VMs (TCG, 2 vCPUs, 1 GiB), each for a batch of
# up to BEAVER_VM_BATCH consecutive scenarios that boot the same kernel
# command line (the VM is reset between two: docs/vm-bench.md), and prints
# one line per scenario:
#
#   vm: NAME: PASS figure=value ... time=NNs
#   vm: NAME: FAIL reason
#   vm: NAME: SKIP reason
#
# then a total, and exits 1 if any scenario failed.
#
#   tests/vm/run.sh [OPTIONS] [SCENARIO...]
#
# SCENARIO: a file name in tests/vm/scenarios without .sh ("03-inflight"),
# its number ("03") or any unique part of its name ("inflight"); default all,
# in order, except those whose header says "# vm-full-only: REASON" when
# BEAVER_VM_ENV has no SOAK=1 (make check rather than make check-full):
# each is listed as "vm: NAME: NOT RUN (REASON)", never counted as passed
# or skipped. Named on the command line, a scenario always runs.
# Every VM boots with IPv6 off on its interfaces (ipv6.disable_ipv6=1)
# except scenarios whose header says "# vm-ipv6: on"; a scenario whose
# header says "# vm-batch: alone REASON" has a VM of its own. time= is the
# scenario's share of its VM (from the previous scenario's result, the
# first from the VM's start, to its own; the last to the VM's exit). A VM
# that dies or hangs fails the scenario running in it; the batch's
# remaining scenarios run in a new VM.
#
# Options:
#   -d, --demo    run the demo (tests/vm/demo.sh, what `make demo` does)
#                 instead of scenarios, showing its output as it runs
#   -b, --bench NAME  run bench/vm/NAME.sh (what `make bench` runs, through
#                 bench/run.sh) instead of scenarios, as VM "bench-NAME"
#   -s, --shell   boot the (single) scenario with the console on this
#                 terminal and a shell between the scenario and the audit
#                 (state intact; 'exit' runs the audit and powers off)
#   -l, --list    list the scenarios and exit
#   -h, --help
#
# Environment:
#   KVER             kernel to boot (default: newest /lib/modules/*-amd64)
#   BEAVER_CACHE     cache root (default /var/cache/beaver; vm/ below it)
#   BUILD            the tools' directory (default REPO/build)
#   BEAVER_VM_OUT    where logs and the run's initrd go (default $BUILD/vm)
#   BEAVER_VM_SHARE  a host directory shared into the VM at /mnt/host (9p);
#                    --demo shares $BUILD/demo unless this is set, and the
#                    demo writes its picture of a snapshot there
#                    (snapshot.svg, with the export it is drawn from)
#   BEAVER_VM_TIMEOUT_SCALE  multiply every scenario's time limit (slow hosts)
#   BEAVER_VM_APPEND extra kernel command line, e.g. module parameters for
#                    a control run: BEAVER_VM_APPEND=beaver.gateway_marking=0
#   BEAVER_VM_QEMU   extra qemu options, split on blanks: make bench runs
#                    its data path with -icount (docs/performance.md)
#   BEAVER_VM_ENV    variables for the scenarios, "VAR=VALUE ..." (letters,
#                    digits and ._/:- in values), e.g. N=60: fewer snapshots
#                    VM_TRACE=1: every command of the scenario with its
#                    time, to BEAVER_VM_SHARE/NAME.trace (where time goes)
#   BEAVER_KO        the module the image holds (default REPO/beaver.ko;
#                    make mutants boots deliberately broken ones)
#   BEAVER_VM_BOOT_LIMIT  seconds a VM may keep its console empty before
#                    it is taken for stalled and booted once more (60)
#   BEAVER_VM_BATCH  scenarios a VM may run, one after the other (8); 1: a
#                    VM each, as before batching (the demo, --bench and
#                    --shell always boot one scenario)
#
# Each scenario's console (kernel log and everything the scenario printed;
# the first of a batch also has the boot) is kept in
# $BEAVER_VM_OUT/logs/NAME.log, its results channel in NAME.results.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
export KVER=${KVER:-$(ls -1 /lib/modules 2>/dev/null | grep -- '-amd64$' | sort -V | tail -n1)}
export BUILD=${BUILD:-$repo/build}
out=${BEAVER_VM_OUT:-$BUILD/vm}
scale=${BEAVER_VM_TIMEOUT_SCALE:-1}
BOOT_LIMIT=${BEAVER_VM_BOOT_LIMIT:-60}
batch_max=${BEAVER_VM_BATCH:-8}
shell=0
demo=0
bench=

usage() { sed -n '/^# The VM bench/,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

args=()
while [ $# -gt 0 ]; do
	case $1 in
	-d|--demo) demo=1 ;;
	-b|--bench) bench=${2:?--bench needs a name}; shift ;;
	-s|--shell) shell=1 ;;
	-l|--list) for f in "$here"/scenarios/*.sh; do basename "$f" .sh; done; exit 0 ;;
	-h|--help) usage; exit 0 ;;
	-*) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
	*) args+=("$1") ;;
	esac
	shift
done

all=() notrun=()
for f in "$here"/scenarios/*.sh; do [ -f "$f" ] && all+=("$(basename "$f" .sh)"); done
sel=()
if [ "$demo" = 1 ]; then
	[ ${#args[@]} -eq 0 ] || { echo "run.sh: --demo takes no scenario" >&2; exit 2; }
	sel=(demo)
	if [ -z "${BEAVER_VM_SHARE:-}" ]; then
		BEAVER_VM_SHARE=$BUILD/demo
		mkdir -p "$BEAVER_VM_SHARE" || exit 1
	fi
	# what a previous run wrote must not pass for this run's
	rm -f "$BEAVER_VM_SHARE/snapshot.svg" "$BEAVER_VM_SHARE/snapshot.json"
elif [ -n "$bench" ]; then
	[ ${#args[@]} -eq 0 ] && [ -f "$repo/bench/vm/$bench.sh" ] ||
		{ echo "run.sh: --bench takes one name from bench/vm/ and no scenario" >&2; exit 2; }
	sel=("bench-$bench")
elif [ ${#args[@]} -eq 0 ]; then
	for s in "${all[@]}"; do
		why=$(sed -n 's/^# vm-full-only: *//p' "$here/scenarios/$s.sh" | head -n1)
		if [ -n "$why" ] && [[ " ${BEAVER_VM_ENV:-} " != *" SOAK=1 "* ]]; then
			notrun+=("$s: NOT RUN (make check-full only: $why)")
			continue
		fi
		sel+=("$s")
	done
else
	for a in "${args[@]}"; do
		a=${a%.sh}
		a=${a##*/}
		m=()
		for s in "${all[@]}"; do
			if [ "$s" = "$a" ]; then m=("$s"); break; fi
			case $s in "$a"-*|*"$a"*) m+=("$s") ;; esac
		done
		[ ${#m[@]} -eq 1 ] || { echo "run.sh: '$a' matches ${#m[@]} scenarios (${m[*]:-none})" >&2; exit 2; }
		sel+=("${m[0]}")
	done
fi
[ ${#sel[@]} -gt 0 ] || { echo "run.sh: no scenarios" >&2; exit 2; }
[ "$shell" = 0 ] || [ ${#sel[@]} -eq 1 ] || { echo "run.sh: --shell takes one scenario" >&2; exit 2; }
[[ $batch_max =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: BEAVER_VM_BATCH must be a number >= 1" >&2; exit 2; }

mkdir -p "$out/logs"
t0=$(date +%s)
"$here/build-initramfs.sh" "$out" || { echo "vm: build-initramfs failed" >&2; exit 1; }

# a scenario's file (the demo's is tests/vm/demo.sh)
file_of() {
	case $1 in
	demo) echo "$here/demo.sh" ;;
	bench-*) echo "$repo/bench/vm/${1#bench-}.sh" ;;
	*) echo "$here/scenarios/$1.sh" ;;
	esac
}

# a scenario's own limit: "# vm-timeout: SECONDS" in its header
limit_of() {
	local t
	t=$(sed -n 's/^# vm-timeout: *\([0-9]\+\).*/\1/p' "$(file_of "$1")" | head -n1)
	echo $(( ${t:-120} * scale ))
}

# kernel parameters a scenario needs: "# vm-append: PARAM..." in its header
# (27-soak: slab_nomerge, so that the module's slab caches show alone)
append_of() {
	sed -n 's/^# vm-append: *\([a-z0-9_.=, -]*\)$/\1/p' "$(file_of "$1")" | head -n1
}

# IPv6 on the VM's interfaces: off (ipv6.disable_ipv6=1: no addresses,
# no neighbour discovery, quieter and faster) unless the header says
# "# vm-ipv6: on". The stack stays loaded either way (the module's IPv6
# hooks register), only the interfaces' IPv6 is off.
ipv6_of() {
	grep -q '^# vm-ipv6: *on *$' "$(file_of "$1")" || echo "ipv6.disable_ipv6=1"
}

# first line of the console log that explains a dead VM
death_of() {
	tr -d '\r' <"$1" | grep -a -m1 -E 'Kernel panic|BUG:|Oops|general protection|RIP:|watchdog|Attempted to kill init' |
		sed 's/^.*\] //' | cut -c1-160
}

# the demo's console as it comes: its own lines (no kernel messages, no
# boot, no audit), until the line that ends its part
demo_filter() {
	tr -d '\r' | awk '
		/beaver-vm: running demo/ { on = 1; next }
		/^BEAVER-DEMO-END/ || /^\[\+\] audit/ { on = 0 }
		on && !/^\[ *[0-9]+\.[0-9]+\] / { print; fflush() }'
}

# "# vm-batch: alone REASON" in a header: the scenario always has a VM of
# its own
alone_of() { grep -q '^# vm-batch: *alone' "$(file_of "$1")"; }

# split FILE SUFFIX MARK NAME...: FILE cut before each line that holds
# "MARK NAME" (for the NAMEs in order) into logs/NAME.SUFFIX; what comes
# before the first mark goes with the first NAME; a NAME whose mark is not
# there gets no file
split_by() {
	local file=$1 sfx=$2 mark=$3 s
	shift 3
	tr -d '\r' <"$file" | awk -v dir="$out/logs" -v sfx="$sfx" -v mark="$mark" -v list="$*" '
		BEGIN { n = split(list, nm, " "); k = 1; f = dir "/" nm[1] "." sfx ".part"; printf "" >f }
		{
			for (j = k + 1; j <= n; j++)
				if (index($0, mark " " nm[j] " ") || substr($0, length($0) - length(mark " " nm[j]) + 1) == mark " " nm[j]) {
					close(f); k = j; f = dir "/" nm[k] "." sfx ".part"; break
				}
			print >f
		}'
	for s in "$@"; do
		[ ! -f "$out/logs/$s.$sfx.part" ] || mv "$out/logs/$s.$sfx.part" "$out/logs/$s.$sfx"
	done
}

npass=0 nfail=0 nskip=0 failed=()

# report NAME DT LOG RESULTS [WHY]: the scenario's line, from its results
# (WHY: why the VM ended without its result line)
report() {
	local name=$1 dt=$2 log=$3 res=$4 why=${5:-} line figs status
	line=$(tr -d '\r' <"$res" | grep -a 'BEAVER-VM result ' | tail -n1 | sed 's/^.*BEAVER-VM result //')
	figs=$(tr -d '\r' <"$res" | grep -a 'BEAVER-VM figure ' | sed 's/^.*BEAVER-VM figure //' |
		awk '{ k = $1; $1 = ""; sub(/^ /, ""); gsub(/ /, "_"); printf "%s%s=%s", s, k, $0; s = " " }')
	[ -n "$line" ] || line="FAIL $why"
	status=${line%% *}
	case $status in
	PASS) npass=$((npass + 1)); echo "vm: $name: PASS${figs:+ $figs} time=${dt}s" ;;
	SKIP) nskip=$((nskip + 1)); echo "vm: $name: $line (${dt}s)" ;;
	*) nfail=$((nfail + 1)); failed+=("$name"); echo "vm: $name: FAIL ${line#FAIL }${figs:+ [figures: $figs]} (${dt}s; log: $log)" ;;
	esac
}

# run_vm NAME...: one VM for these scenarios (one kernel command line),
# their lines; sets rest: those that did not run in it (they get a new VM)
run_vm() {
	local names=("$@") n=$# first=$1 limits=() s k c dl try w qpid qrc
	local log=$out/logs/$1.log res=$out/logs/$1.results qerr=$out/logs/$1.qemu
	local hostlimit=0 killed="" dt u prev t why d
	rest=()
	# nothing from an earlier run may pass for this one's
	for s in "${names[@]:1}"; do rm -f "$out/logs/$s.log" "$out/logs/$s.results"; done
	for s in "$@"; do
		limits+=("$(limit_of "$s")")
		hostlimit=$((hostlimit + ${limits[-1]} + 60))
	done
	: >"$log"
	: >"$res"
	console=(-serial "file:$log")
	[ "$shell" = 1 ] && console=(-serial mon:stdio)
	share=()
	if [ -n "${BEAVER_VM_SHARE:-}" ]; then
		share=(-virtfs "local,path=$BEAVER_VM_SHARE,mount_tag=host,security_model=none,id=host")
	fi
	[ "$shell" = 1 ] && hostlimit=86400
	cmdline="console=ttyS0 panic=-1 quiet mitigations=off tsc=reliable $(ipv6_of "$first")"
	cmdline+=" bvm.scenario=$(IFS=,; echo "${names[*]}") bvm.timeout=$(IFS=,; echo "${limits[*]}") bvm.shell=$shell"
	cmdline+=" bvm.share=$([ ${#share[@]} -gt 0 ] && echo 1 || echo 0)"
	[ "$demo" = 1 ] && cmdline+=" bvm.quiet=1"
	[ -z "${BEAVER_VM_ENV:-}" ] || cmdline+=" bvm.env=$(tr -s ' ' ',' <<<"${BEAVER_VM_ENV}")"
	cmdline+=" $(append_of "$first") ${BEAVER_VM_APPEND:-}"
	s0=$(date +%s)
	qemu=(qemu-system-x86_64
		-nodefaults -accel tcg -cpu max -smp 2 -m 1024 -no-reboot
		-display none -vga none -monitor none
		-kernel "$out/kernel" -initrd "$out/initrd" -append "$cmdline"
		"${console[@]}" -serial "file:$res" "${share[@]}")
	# shellcheck disable=SC2206 # BEAVER_VM_QEMU: extra qemu options, split on blanks
	[ -z "${BEAVER_VM_QEMU:-}" ] || qemu+=(${BEAVER_VM_QEMU})
	if [ "$shell" = 1 ]; then
		timeout --foreground -k 5 "$hostlimit" "${qemu[@]}" 2>"$qerr"
		qrc=$?
	elif [ "$demo" = 1 ]; then
		timeout -k 5 "$hostlimit" "${qemu[@]}" \
			</dev/null >/dev/null 2>"$qerr" &
		qpid=$!
		tail -n +1 -F --pid=$qpid "$log" 2>/dev/null | demo_filter
		wait $qpid
		qrc=$?
	else
		# A VM whose console stays empty for BOOT_LIMIT seconds never
		# reached the kernel (seen once in a full run: qemu printed
		# nothing for 210 s, under TCG on a loaded host): the scenario
		# did not run, so it is booted once more, and the line says so
		for try in 1 2; do
			: >"$log"
			: >"$res"
			timeout -k 5 "$hostlimit" "${qemu[@]}" \
				</dev/null >/dev/null 2>"$qerr" &
			qpid=$!
			for ((w = 0; w < BOOT_LIMIT; w++)); do
				[ -s "$log" ] && break
				kill -0 "$qpid" 2>/dev/null || break
				sleep 1
			done
			if [ "$try" = 1 ] && [ ! -s "$log" ] && kill -0 "$qpid" 2>/dev/null; then
				kill "$qpid" 2>/dev/null
				wait "$qpid" 2>/dev/null
				echo "vm: $first: the VM printed nothing in ${BOOT_LIMIT}s (qemu stalled before the kernel); booting it again"
				continue
			fi
			# each scenario of a batch gets its limit + 60 s from its
			# "begin" (the first from the VM's start, as a VM of its
			# own gets from timeout): a VM that hangs is stopped when
			# the scenario running in it is late, not at the batch's end
			k=0
			dl=$(($(date +%s) - w + limits[0] + 60))
			while kill -0 "$qpid" 2>/dev/null; do
				c=$(grep -a -c 'BEAVER-VM begin ' "$res")
				if [ "$c" -gt $((k + 1)) ] && [ "$c" -le "$n" ]; then
					k=$((c - 1))
					dl=$(($(date +%s) + limits[k] + 60))
				fi
				if [ "$(date +%s)" -ge "$dl" ] && [ -z "$killed" ]; then
					killed="VM timed out after $((limits[k] + 60))s"
					kill "$qpid" 2>/dev/null
				fi
				sleep 1
			done
			wait "$qpid"
			qrc=$?
			break
		done
	fi
	dt=$(($(date +%s) - s0))
	if [ "$n" -gt 1 ]; then
		split_by "$log" log "beaver-vm: running" "${names[@]}"
		split_by "$res" results "BEAVER-VM begin" "${names[@]}"
	fi
	# why a VM ended without a scenario's result line
	why=$killed
	if [ -z "$why" ]; then
		if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
			why="VM timed out after ${hostlimit}s"
		else
			why="VM died (qemu exit $qrc)"
		fi
	fi
	[ -s "$qerr" ] && why="$why; qemu: $(head -n1 "$qerr")"
	# time=: the scenario's share of the VM's time, cut at the guest's
	# uptime when each result was out (the first one's share includes the
	# boot, the last one's qemu's start and the power-off): they add up to
	# the VM's time, which is all the time of a VM of its own
	prev=0
	for ((k = 0; k < n; k++)); do
		s=${names[k]}
		if [ "$k" -gt 0 ] && { [ ! -f "$out/logs/$s.results" ] ||
			! grep -aq "BEAVER-VM begin $s" "$out/logs/$s.results"; }; then
			rest=("${names[@]:k}")
			break
		fi
		u=$(tr -d '\r' <"$out/logs/$s.results" | sed -n "s/^BEAVER-VM end $s \([0-9.]*\)$/\1/p" | tail -n1)
		if [ -n "$u" ] && [ "$k" -lt $((n - 1)) ] &&
			grep -aq "BEAVER-VM begin ${names[k + 1]}" "$out/logs/${names[k + 1]}.results" 2>/dev/null; then
			u=$(awk -v u="$u" 'BEGIN { printf "%d", u + 0.5 }')
			t=$((u - prev))
			prev=$u
		else
			t=$((dt - prev))
		fi
		d=$(death_of "$out/logs/$s.log")
		report "$s" "$t" "$out/logs/$s.log" "$out/logs/$s.results" "$why${d:+: $d}"
	done
	if [ ${#rest[@]} -gt 0 ]; then
		d=$(tr -d '\r' <"$out/logs/${names[k - 1]}.results" | sed -n 's/^BEAVER-VM unclean [^ ]* //p' | head -n1)
		if [ -n "$d" ]; then d="the VM was not clean after it ($d)"; else d="its VM ended"; fi
		echo "vm: ${names[k - 1]}: $d; ${rest[*]} run in a new VM"
	fi
}

for n in "${notrun[@]}"; do echo "vm: $n"; done
# consecutive scenarios with the same kernel command line share a VM, up
# to BEAVER_VM_BATCH of them (1: a VM each)
queue=("${sel[@]}")
while [ ${#queue[@]} -gt 0 ]; do
	batch=("${queue[0]}")
	key="$(ipv6_of "${queue[0]}") $(append_of "${queue[0]}")"
	if [ "$batch_max" -gt 1 ] && ! alone_of "${queue[0]}"; then
		for s in "${queue[@]:1}"; do
			[ ${#batch[@]} -lt "$batch_max" ] || break
			# a name twice (run.sh 01 01) would mix up their logs
			[[ " ${batch[*]} " != *" $s "* ]] || break
			# the kernel's command line holds 2047 bytes
			[ $(($(IFS=,; echo -n "${batch[*]}" | wc -c) + ${#s})) -lt 1000 ] || break
			{ [ "$(ipv6_of "$s") $(append_of "$s")" = "$key" ] && ! alone_of "$s"; } || break
			batch+=("$s")
		done
	fi
	queue=("${queue[@]:${#batch[@]}}")
	run_vm "${batch[@]}"
	queue=("${rest[@]}" "${queue[@]}")
done
if [ "$demo" = 1 ]; then
	if [ -s "$BEAVER_VM_SHARE/snapshot.svg" ]; then
		echo "demo: one snapshot as a picture: $BEAVER_VM_SHARE/snapshot.svg" \
			"(drawn from $BEAVER_VM_SHARE/snapshot.json by beaverctl show --svg)"
	else
		echo "demo: no picture in $BEAVER_VM_SHARE/snapshot.svg"
	fi
fi
echo "vm: total $npass passed, $nfail failed${failed[0]:+ (${failed[*]})}, $nskip skipped in $(($(date +%s) - t0))s${notrun[0]:+ (${#notrun[@]} not run: make check-full only)}"
[ "$nfail" = 0 ]
