#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of a bench VM. Runs the scenarios named on the kernel command line,
# each followed by the post-scenario audit, then powers off:
#
#   bvm.scenario=NN-name[,NN-name...]  bvm.timeout=SECONDS[,SECONDS...]
#
# (the limits in the same order). More than one is a batch (run.sh,
# BEAVER_VM_BATCH): between two scenarios the VM is put back as it was
# before the first (vm_reset: leftover processes killed, namespaces,
# links and mounts gone, modules loaded since unloaded, the root
# namespace's net sysctls restored, /tmp and /run emptied) and checked;
# what the reset finds in the kernel log fails the scenario before it; if
# the VM cannot be made clean, the rest of the batch does not run here
# (run.sh runs it in a fresh VM). Every scenario starts with an empty
# kernel log (dmesg -c), a fresh $VM_STATE and its own timeout.
#
# Channels:
#   ttyS0  the console: kernel log, everything the scenarios print, each
#          scenario after a "beaver-vm: running NAME (limit Ns)" line (run.sh
#          cuts the console there into the scenarios' logs)
#   ttyS1  results only, one record a line, read by run.sh:
#            BEAVER-VM begin NAME
#            BEAVER-VM figure KEY VALUE
#            BEAVER-VM result PASS|FAIL|SKIP [REASON]
#            BEAVER-VM end NAME UPTIME
#            BEAVER-VM unclean NAME REASON   (after NAME; the rest not run)
#          a scenario that begins and has no result: the VM died, a FAIL on
#          the host side.
#
# Other parameters: bvm.shell=1 (an interactive shell on the console
# between the scenario and the audit; one scenario), bvm.share=1 (mount
# the 9p share "host" on /mnt/host), bvm.quiet=1 (only kernel errors on
# the console, for the demo: the kernel log is still audited and printed
# at the end), bvm.env=VAR=VALUE,... (variables for the scenarios, from
# run.sh's BEAVER_VM_ENV: N=60 takes 60 snapshots where a scenario reads
# ${N:-...}).

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

scenarios= timeouts=300 shell=0 share=0 quiet=0
for arg in $(cat /proc/cmdline); do
	case $arg in
	bvm.scenario=*) scenarios=${arg#*=} ;;
	bvm.timeout=*) timeouts=${arg#*=} ;;
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
scenario=

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


# -- between two scenarios of a batch ------------------------------------------

# user-space processes other than init (kernel threads and zombies have no
# command line); run in $(...), which leaves itself out
procs() {
	local p c
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		{ [ "$p" = 1 ] || [ "$p" = "$BASHPID" ]; } && continue
		c=
		read -r -d '' c <"/proc/$p/cmdline" 2>/dev/null
		[ -n "$c" ] && echo "$p"
	done
	return 0
}

# lines of the current list (a file of names) that BASE lacks
new_in() { awk -v base="$1" 'BEGIN { while ((getline l <base) > 0) b[l] = 1 } !($0 in b)'; }
mods_now() { awk '{ print $1 }' /proc/modules; }	# newest first
# the modules loaded since the base, newest first, except that those
# held without a holder module (crc32c_intel: libcrc32c holds it through
# the crypto API) come last
mods_new() {
	awk -v base=/run/bvm/modules 'BEGIN { while ((getline l <base) > 0) b[l] = 1 }
		!($1 in b) { if ($3 > 0 && $4 == "-") last = last " " $1; else print $1 }
		END { n = split(last, a, " "); for (i = 1; i <= n; i++) print a[i] }' /proc/modules
}
links_now() { ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'; }
mounts_now() { awk '$2 !~ "^/run/netns(/|$)" { print $2 }' /proc/mounts; }

# the root namespace's net sysctls that can be read and written, a
# "PATH:VALUE" line each (one grep: a bash loop over ~700 files takes a
# second under TCG)
sysctls_now() { xargs grep -s -H '' </run/bvm/sysctl.list; }

# The state every scenario of a batch starts from: taken before the first
# one (the boot's modules, links, mounts, /run, net sysctls)
base_take() {
	mkdir -p /run/bvm
	mods_now >/run/bvm/modules
	links_now >/run/bvm/links
	mounts_now >/run/bvm/mounts
	ls -A /run >/run/bvm/run
	find /proc/sys/net -type f -perm -600 >/run/bvm/sysctl.list
	sysctls_now >/run/bvm/sysctl.base
	touch /run/bvm/stamp
}

# vm_reset: back to that state; what cannot be undone goes to $unclean
# shellcheck disable=SC2086 # lists of pids and names, split on purpose
vm_reset() {
	local f v i left t0 t1
	read -r t0 _ </proc/uptime
	unclean=
	for i in $(seq 20); do
		left=$(procs)
		[ -z "$left" ] && break
		[ "$i" = 1 ] && echo "beaver-vm: reset: killing leftover processes:" \
			"$(for p in $left; do tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-60; echo -n '; '; done)"
		kill -KILL $left 2>/dev/null
		sleep 0.1
	done
	[ -z "$(ls -A /run/netns 2>/dev/null)" ] || ip -all netns delete 2>/dev/null
	mods_new >/run/bvm/mods.new
	grep -qx nf_tables /run/bvm/mods.new && command -v nft >/dev/null && nft flush ruleset 2>/dev/null
	grep -qx ip_vs /run/bvm/mods.new && ipvsadm -C 2>/dev/null
	left=$(links_now | new_in /run/bvm/links)
	if [ -n "$left" ]; then
		echo "beaver-vm: reset: deleting links:" $left
		sed 's/^/link del /' <<<"$left" | ip -force -batch - 2>/dev/null
	fi
	for f in $(mounts_now | new_in /run/bvm/mounts | tac); do
		echo "beaver-vm: reset: unmounting $f"
		umount "$f" || umount -l "$f"
	done
	for i in 1 2 3; do
		left=$(mods_new)
		[ -z "$left" ] && break
		echo "beaver-vm: reset: unloading modules:" $left
		# newest first: a module goes before those it uses; busybox
		# rmmod stops at the first that will not go (then one at a
		# time, and the next pass takes the rest)
		rmmod $left 2>/dev/null || for f in $left; do rmmod "$f" 2>/dev/null; done
		[ "$(mods_new)" != "$left" ] || sleep 0.5
	done
	# the sysctls that differ from the base: PATH, then its base value
	sysctls_now >/run/bvm/sysctl.now
	awk -F: 'NR == FNR { now[$1] = substr($0, length($1) + 2); next }
		($1 in now) && now[$1] != substr($0, length($1) + 2) { print $1; print substr($0, length($1) + 2) }' \
		/run/bvm/sysctl.now /run/bvm/sysctl.base >/run/bvm/sysctl.diff
	while IFS= read -r f && IFS= read -r v; do
		echo "beaver-vm: reset: ${f#/proc/sys/} back to '$v'"
		printf '%s\n' "$v" >"$f" 2>/dev/null
	done </run/bvm/sysctl.diff
	# what is still not as it was
	left=$(procs)
	[ -z "$left" ] || unclean+="processes left: $left; "
	[ -z "$(ls -A /run/netns 2>/dev/null)" ] || unclean+="namespaces left: $(ls /run/netns | tr '\n' ' '); "
	left=$(mods_new | tr '\n' ' ')
	[ -z "$left" ] || unclean+="modules still loaded: $left; "
	left=$(links_now | new_in /run/bvm/links | tr '\n' ' ')
	[ -z "$left" ] || unclean+="links left: $left; "
	left=$(mounts_now | new_in /run/bvm/mounts | tr '\n' ' ')
	[ -z "$left" ] || unclean+="mounts left: $left; "
	if [ -s /run/bvm/sysctl.diff ]; then
		left=$(sysctls_now | awk -F: -v base=/run/bvm/sysctl.base '
			BEGIN { while ((getline l <base) > 0) { i = index(l, ":"); b[substr(l, 1, i - 1)] = substr(l, i + 1) } }
			($1 in b) && b[$1] != substr($0, length($1) + 2) { printf "%s ", $1 }')
		[ -z "$left" ] || unclean+="sysctls not restored: $left; "
	fi
	# the root file system (the initramfs) is not put back: a file a
	# scenario wrote there (not in /tmp, /run or another mount) ends the
	# batch (find lists the mount points: their roots, not the initramfs)
	left=$(find / -xdev -newer /run/bvm/stamp 2>/dev/null |
		grep -vxF -f <(mounts_now | grep -vx /) | head -n 3 | tr '\n' ' ')
	[ -z "$left" ] || unclean+="changed in the root file system: $left; "
	[ -z "$unclean" ] || unclean=$(sed 's/ *; */; /g; s/; $//' <<<"$unclean")
	read -r t1 _ </proc/uptime
	echo "beaver-vm: reset in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')s${unclean:+; not clean: $unclean}"
}

# /tmp (the scenario's $VM_STATE and anything else) and /run back to empty
vm_wipe() {
	local f
	rm -rf /tmp/* /tmp/.[!.]* 2>/dev/null
	for f in $(ls -A /run | new_in /run/bvm/run); do
		[ "$f" = netns ] || rm -rf "/run/$f"
	done
	[ -z "$(ls -A /tmp)" ] || unclean+="${unclean:+; }/tmp not empty: $(ls -A /tmp | head -n3 | tr '\n' ' ')"
}

# -- the scenarios -------------------------------------------------------------

IFS=, read -r -a names <<<"$scenarios"
IFS=, read -r -a limits <<<"$timeouts"
[ ${#names[@]} -gt 0 ] || names=("")
[ ${#names[@]} -gt 1 ] && base_take
dmesg_bad=$(sed -n "s/^_dmesg_bad='\(.*\)'$/\1/p" /beaver/vm/lib.sh)

for i in "${!names[@]}"; do
	scenario=${names[i]}
	timeout=${limits[i]:-${limits[-1]}}
	more=$((i < ${#names[@]} - 1))
	echo "BEAVER-VM begin $scenario" >&3
	[ "$i" = 0 ] || dmesg -c >/dev/null 2>&1

	file=/beaver/vm/scenarios/$scenario.sh
	if [ -z "$scenario" ] || [ ! -f "$file" ]; then
		result FAIL "no scenario '$scenario' in the VM image"
		read -r up _ </proc/uptime
		echo "BEAVER-VM end $scenario $up" >&3
		continue
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

	# another scenario follows: the VM goes back to how the batch found it; a
	# bad kernel message on the way is this scenario's (its state was undone)
	if [ "$more" = 1 ]; then
		echo "[+] reset for the next scenario"
		vm_reset
		n=$(wc -l <"$VM_STATE/dmesg" 2>/dev/null || echo 0)
		dmesg -c 2>/dev/null | tail -n +$((n + 1)) | grep -E "$dmesg_bad" | head -n 3 |
			while read -r line; do
				echo "[!] FAIL: reset: kernel log: $line"
				echo "reset: kernel log: $line" >>"$VM_STATE/failures"
			done
	fi

	reason() { head -n1 "$VM_STATE/failures"; }
	nfail() { wc -l <"$VM_STATE/failures"; }
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		res="FAIL scenario timed out after ${timeout}s${last_step:+ (last step: $last_step)}"
	elif [ -s "$VM_STATE/failures" ]; then
		n=$(nfail)
		res="FAIL $(reason)$([ "$n" -gt 1 ] && echo " (+$((n - 1)) more)")"
	elif [ "$rc" != 0 ]; then
		res="FAIL $(cat "$VM_STATE/errcmd" 2>/dev/null || echo "scenario exited with status $rc")"
	elif [ "$arc" != 0 ]; then
		res="FAIL audit could not run (status $arc)"
	elif [ -s "$VM_STATE/skip" ]; then
		res="SKIP $(head -n1 "$VM_STATE/skip")"
	else
		res=PASS
	fi
	[ "$more" = 1 ] && vm_wipe
	result "$res"
	read -r up _ </proc/uptime
	echo "BEAVER-VM end $scenario $up" >&3
	if [ "$more" = 1 ] && [ -n "$unclean" ]; then
		echo "beaver-vm: the VM is not clean after $scenario ($unclean): the rest of the batch does not run here"
		echo "BEAVER-VM unclean $scenario $unclean" >&3
		break
	fi
done
finish
