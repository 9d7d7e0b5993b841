#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of a bench VM. Runs exactly one scenario, named on the kernel command
# line (bvm.scenario=NN-name), then the post-scenario audit, and powers off.
#
# Channels:
#   ttyS0  the console: kernel log, everything the scenario prints (saved by
#          run.sh as the scenario's log)
#   ttyS1  results only, one record a line, read by run.sh:
#            BEAVER-VM figure KEY VALUE
#            BEAVER-VM result PASS|FAIL|SKIP [REASON]
#          a VM that dies before the result line is a FAIL on the host side.
#
# Other parameters: bvm.timeout=SECONDS (the scenario's own limit; the
# audit runs after it), bvm.shell=1 (an interactive shell on the console
# between the scenario and the audit), bvm.share=1 (mount the 9p share
# "host" on /mnt/host), bvm.quiet=1 (only kernel errors on the console, for
# the demo: the kernel log is still audited and printed at the end),
# bvm.env=VAR=VALUE,... (variables for the scenario, from run.sh's
# BEAVER_VM_ENV: N=60 takes 60 snapshots where a scenario reads ${N:-...}).

export PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LC_ALL=C

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
ln -sf /proc/self/fd /dev/fd
hostname beaver-vm
/usr/sbin/ip link set lo up

scenario= timeout=300 shell=0 share=0 quiet=0
for arg in $(cat /proc/cmdline); do
	case $arg in
	bvm.scenario=*) scenario=${arg#*=} ;;
	bvm.timeout=*) timeout=${arg#*=} ;;
	bvm.shell=*) shell=${arg#*=} ;;
	bvm.share=*) share=${arg#*=} ;;
	bvm.quiet=*) quiet=${arg#*=} ;;
	bvm.env=*)
		IFS=, read -r -a kvs <<<"${arg#bvm.env=}"
		for kv in "${kvs[@]}"; do
			[[ $kv =~ ^[A-Z_][A-Z0-9_]*=[A-Za-z0-9._/:-]*$ ]] &&
				export "${kv?}"
		done ;;
	esac
done

stty -F /dev/ttyS1 raw -echo 2>/dev/null
exec 3>/dev/ttyS1
result() { echo "BEAVER-VM result $*" >&3; echo "vm: $scenario: $*"; }

finish() {
	sync
	poweroff -f
	sleep 10
}

if [ "$share" = 1 ]; then
	modprobe virtio_pci && modprobe 9pnet_virtio && modprobe 9p &&
		mkdir -p /mnt/host &&
		mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 host /mnt/host ||
		echo "beaver-vm: 9p share not mounted"
fi

# after boot, every kernel message goes to the console log (results travel
# on ttyS1, so the noise cannot garble them); the demo's console shows
# errors only
if [ "$quiet" = 1 ]; then echo 4 >/proc/sys/kernel/printk; else echo 7 >/proc/sys/kernel/printk; fi
dmesg -c >/tmp/boot-dmesg 2>/dev/null

file=/beaver/vm/scenarios/$scenario.sh
if [ -z "$scenario" ] || [ ! -f "$file" ]; then
	result FAIL "no scenario '$scenario' in the VM image"
	finish
fi

export VM_STATE=/tmp/vm VM_SCENARIO=$scenario
mkdir -p $VM_STATE
echo "beaver-vm: running $scenario (limit ${timeout}s)"
start=$(date +%s)

# The scenario runs in its own process group under GNU timeout, with set -e
# and an ERR trap that remembers the failing command for the report.
timeout -k 5 "$timeout" bash -c '
	set -eE
	source /beaver/vm/lib.sh
	trap '\''vm_err_trap $? "$BASH_COMMAND"'\'' ERR
	cd /tmp
	# VM_TRACE=1 (BEAVER_VM_ENV): every command with its time, into
	# $VM_STATE/trace, kept with the logs when a share is mounted: where
	# a scenario spends its time (make check has a budget)
	if [ "${VM_TRACE:-0}" = 1 ]; then
		exec 9>"$VM_STATE/trace"
		BASH_XTRACEFD=9
		PS4='\''+ ${EPOCHREALTIME} '\''
		set -x
	fi
	source "$1"
' scenario "$file" </dev/null &
pid=$!
wait $pid
rc=$?
# whatever the scenario left behind in its process group goes now
kill -KILL -- -$pid 2>/dev/null
echo "beaver-vm: $scenario exited with $rc after $(($(date +%s) - start))s"
if [ -s "$VM_STATE/trace" ] && grep -q ' /mnt/host ' /proc/mounts; then
	cp "$VM_STATE/trace" "/mnt/host/$scenario.trace"
fi

last_step=$(cat "$VM_STATE/progress" 2>/dev/null)

if [ "$shell" = 1 ]; then
	echo "beaver-vm: shell before the audit: the scenario's namespaces and"
	echo "beaver state are intact, lib.sh is loaded (bnl, bstat, records, nsx...)."
	echo "Leave with 'exit': the audit runs, then the VM powers off."
	export VM_STATE
	setsid -c bash --rcfile /beaver/vm/lib.sh -i </dev/console >/dev/console 2>&1
fi
touch "$VM_STATE/failures"
# a command that failed under set -e is the scenario's first failure after
# the checks that failed before it
if [ "$rc" != 0 ] && [ "$rc" != 124 ] && [ "$rc" != 137 ] && [ -s "$VM_STATE/errcmd" ]; then
	cat "$VM_STATE/errcmd" >>"$VM_STATE/failures"
fi

# the audit: a fresh bash, same library
bash -c 'source /beaver/vm/lib.sh; vm_audit' </dev/null
arc=$?

reason() { head -n1 "$VM_STATE/failures"; }
nfail() { wc -l <"$VM_STATE/failures"; }
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	result FAIL "scenario timed out after ${timeout}s${last_step:+ (last step: $last_step)}"
elif [ -s "$VM_STATE/failures" ]; then
	n=$(nfail)
	result FAIL "$(reason)$([ "$n" -gt 1 ] && echo " (+$((n - 1)) more)")"
elif [ "$rc" != 0 ]; then
	result FAIL "$(cat "$VM_STATE/errcmd" 2>/dev/null || echo "scenario exited with status $rc")"
elif [ "$arc" != 0 ]; then
	result FAIL "audit could not run (status $arc)"
elif [ -s "$VM_STATE/skip" ]; then
	result SKIP "$(head -n1 "$VM_STATE/skip")"
else
	result PASS
fi
finish
