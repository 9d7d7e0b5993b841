#!/bin/bash
# Install every Debian package the project needs to build, test and demo.
# Idempotent: does nothing (and needs no network) when all are present.
# Called by `make`, `make check` and .ci/run, so a fresh machine needs no
# manual step.
set -euo pipefail

PKGS=(
	# kernel to build against and to boot in the VM bench (same ABI)
	linux-image-amd64 linux-headers-amd64
	# KUnit on User Mode Linux, checkpatch.pl and extract-vmlinux
	linux-source bc flex bison libelf-dev python3
	# kernel-side static checks
	sparse
	# the VM bench
	qemu-system-x86 busybox-static kmod cpio gzip xz-utils iproute2 ipvsadm
	coreutils procps jq
	# the VM's jq: gojq starts in ~45 ms under TCG where jq 1.6 takes
	# ~290 ms (it compiles its builtins at every start), and the scenarios
	# call it hundreds of times
	gojq
	# the VM bench: late netfilter rules and device offloads (32-conntrack-after)
	nftables ethtool
	# make bench: the plots (bench/report.py)
	gnuplot-nox
	# the VM bench: VRRP for a standby coordinator (tests/vm/lib-vrrp.sh)
	keepalived
	# user space: build, libraries, unit tests
	build-essential pkg-config libmnl-dev libcmocka-dev libsodium-dev
	libinih-dev libsystemd-dev libsqlite3-dev sqlite3 libjansson-dev
	# beaverd: the Prometheus endpoint (the runtime libmicrohttpd12 comes with it)
	libmicrohttpd-dev
	# unit tests: beaverctl show --svg must be well-formed and render
	libxml2-utils librsvg2-bin
	# user space: fuzzing (libFuzzer) and static analysis
	clang libclang-rt-dev clang-tidy cppcheck
	# packaging: make deb (debian/) and its CI step (lintian, dkms build
	# of the packaged source)
	dkms dh-dkms debhelper dpkg-dev lintian fakeroot
	# make ynl-check: the netlink spec against the uapi header
	python3-yaml
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages: ${missing[*]} (run as root)" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# dkms would try to build against the running kernel's headers, which this
# machine cannot provide (it boots a 6.18 kernel with no modules): keep it
# from pulling headers of its own choosing.
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
