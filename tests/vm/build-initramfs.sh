#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build what the VM bench boots: an uncompressed kernel and an initramfs.
#
#   tests/vm/build-initramfs.sh OUTDIR
#
# writes OUTDIR/kernel (a link to the cached, uncompressed vmlinux) and
# OUTDIR/initrd, the concatenation of two uncompressed newc archives:
#
#   base     busybox (every applet), bash, iproute2 (ip, tc), ipvsadm, GNU
#            timeout/env, util-linux setpriv/nsenter, jq, keepalived (VRRP,
#            for tests/vm/lib-vrrp.sh; left out when not installed), their
#            shared libraries, the shared libraries of beaverd and beaverctl
#            (libsodium, libsqlite3, libjansson, libinih, libmnl,
#            libsystemd and theirs: they change with the distribution, not
#            with our code), and the distribution modules the scenarios use
#            (signatures stripped, depmod run). Changes rarely: cached under
#            $BEAVER_CACHE/vm/ and keyed by a hash of every input.
#   overlay  /init, tests/vm (lib.sh, lib-vrrp.sh, chain.sh, bank.sh, scenarios,
#            demo.sh), bench/vm/*.sh (as scenarios/bench-*.sh: run.sh
#            --bench), beaver.ko and the project's
#            executables from $BUILD (beaverd, beaverctl, beaver-nl, udpnum,
#            tcpbulk, bvforge...; not the sanitizer builds *-san) with any
#            library the base lacks. Changes on every edit; a few megabytes,
#            rebuilt on every run in well under a second.
#
# The kernel unpacks concatenated archives in order, so the overlay's files
# win. Nothing is compressed: unpacking gzip under TCG costs seconds, copying
# an uncompressed archive into guest memory costs nothing.
#
# Environment: KVER (default: newest /lib/modules/*-amd64, never uname -r),
# BEAVER_CACHE (default /var/cache/beaver, or ~/.cache/beaver when that is
# not writable), BUILD (default REPO/build),
# BEAVER_KO (default REPO/beaver.ko).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${1:?usage: build-initramfs.sh OUTDIR}

KVER=${KVER:-$(ls -1 /lib/modules 2>/dev/null | grep -- '-amd64$' | sort -V | tail -n1)}
[ -n "$KVER" ] && [ -d "/lib/modules/$KVER" ] ||
	{ echo "build-initramfs: no kernel modules under /lib/modules" >&2; exit 1; }
BUILD=${BUILD:-$repo/build}
BEAVER_KO=${BEAVER_KO:-$repo/beaver.ko}
cache=${BEAVER_CACHE:-/var/cache/beaver}/vm
if ! mkdir -p "$cache" 2>/dev/null || [ ! -w "$cache" ]; then
	# not root and no BEAVER_CACHE: the user's cache directory
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/beaver/vm
	mkdir -p "$cache"
fi
mkdir -p "$out"

log() { echo "build-initramfs: $*" >&2; }

# Everything below that touches the cache holds this lock, so concurrent
# benches sharing a cache never see a half-written file.
exec 9>"$cache/.lock"
flock 9

# ---------------------------------------------------------------------------
# The kernel: the bzImage's payload, decompressed once into an ELF vmlinux
# that QEMU boots through its PVH entry point (saves ~7 s of
# self-decompression under TCG on every boot).
extract_vmlinux() {
	local bz=$1 dst=$2 setup poff plen start magic tmp
	setup=$(od -An -tu1 -j $((0x1f1)) -N1 "$bz" | tr -d ' ')
	[ "$setup" = 0 ] && setup=4
	poff=$(od -An -tu4 -j $((0x248)) -N4 "$bz" | tr -d ' ')
	plen=$(od -An -tu4 -j $((0x24c)) -N4 "$bz" | tr -d ' ')
	start=$(((setup + 1) * 512 + poff))
	magic=$(od -An -tx1 -j "$start" -N6 "$bz" | tr -d ' \n')
	tmp=$dst.tmp.$$
	case $magic in
	fd377a585a00) tail -c +$((start + 1)) "$bz" | head -c "$plen" |
			xz -dc --single-stream >"$tmp" ;;
	1f8b*) tail -c +$((start + 1)) "$bz" | head -c "$plen" |
			{ gzip -dc 2>/dev/null || true; } >"$tmp" ;;
	28b52ffd*) tail -c +$((start + 1)) "$bz" | head -c $((plen - 4)) |
			zstd -dcq >"$tmp" ;;
	*) log "unknown kernel compression (magic $magic)"; return 1 ;;
	esac
	[ "$(od -An -tx1 -N4 "$tmp" | tr -d ' \n')" = 7f454c46 ] ||
		{ rm -f "$tmp"; log "extracted kernel is not an ELF file"; return 1; }
	mv "$tmp" "$dst"
}

bz=/boot/vmlinuz-$KVER
vmlinux=$cache/vmlinux-$KVER
if [ ! -s "$vmlinux" ] || [ "$bz" -nt "$vmlinux" ]; then
	log "extracting uncompressed kernel from $bz"
	if ! extract_vmlinux "$bz" "$vmlinux"; then
		log "falling back to the compressed kernel (slower boots)"
		cp "$bz" "$vmlinux"
	fi
fi
ln -sfn "$vmlinux" "$out/kernel"

# ---------------------------------------------------------------------------
# Inputs of the base archive.

# Distribution modules the scenarios may load, plus whatever beaver.ko
# depends on. Loaded on demand inside the VM (only what a scenario needs).
MODS=(ip_vs ip_vs_rr ip_vs_wrr ip_vs_sh veth bridge dummy sch_netem sch_prio
      ipip cls_u32 nf_conntrack nf_nat nf_defrag_ipv4 nf_tables nft_ct
      nf_defrag_ipv6
      virtio_pci 9pnet_virtio 9p)
if [ -f "$BEAVER_KO" ]; then
	IFS=, read -r -a kodeps <<<"$(modinfo -F depends "$BEAVER_KO" 2>/dev/null)"
	MODS+=("${kodeps[@]}")
fi

modfiles=$(for m in "${MODS[@]}"; do
		[ -n "$m" ] || continue
		modprobe -S "$KVER" --show-depends "$m" ||
			{ log "no module $m for $KVER"; exit 1; }
	done | awk '$1 == "insmod" { print $2 }' | sort -u)

# Programs copied from the host: destination path inside the VM, source.
# iproute2 and the GNU tools go to /usr/{s,}bin, ahead of busybox's links in
# /bin on PATH; bash runs the scenarios (busybox ash would pick its own `ip`).
PROGS=(
	/usr/sbin/ip:"$(command -v ip)"
	/usr/sbin/tc:"$(command -v tc)"
	/usr/sbin/ipvsadm:"$(command -v ipvsadm)"
	/usr/bin/bash:"$(command -v bash)"
	/usr/bin/timeout:/usr/bin/timeout
	/usr/bin/env:/usr/bin/env
	/usr/bin/setpriv:/usr/bin/setpriv
	/usr/bin/nsenter:/usr/bin/nsenter
	# gojq as the VM's jq when installed (install-deps.sh): the same
	# language, a tenth of jq 1.6's start-up under TCG; numbers above 2^53
	# stay exact (jq 1.6 rounds them to doubles)
	/usr/bin/jq:"$(command -v gojq || command -v jq)"
	/usr/sbin/nft:"$(command -v nft)"
	/usr/sbin/ethtool:"$(command -v ethtool)"
)
# keepalived (VRRP: tests/vm/lib-vrrp.sh) when installed (scripts/install-deps.sh
# installs it); without it the VRRP scenarios skip
if [ -x /usr/sbin/keepalived ]; then
	PROGS+=(/usr/sbin/keepalived:/usr/sbin/keepalived)
fi
busybox=$(command -v busybox)

# shared libraries (and the loader) of ELF files, one path per line (ldd
# fails on a static one, gojq: its output for the others still counts)
libs_of() {
	{ ldd "$@" 2>/dev/null || true; } | awk 'NF > 1 { for (i = 1; i <= NF; i++) if ($i ~ /^\// && $i !~ /:$/) print $i }' |
		sort -u
}

# the project's executables that go into the overlay (ELF files in $BUILD;
# the sanitizer builds stay out: they would drag libasan and libstdc++ in)
tools=()
if [ -d "$BUILD" ]; then
	for f in "$BUILD"/*; do
		[ -f "$f" ] && [ -x "$f" ] || continue
		case ${f##*/} in *-san) continue ;; esac
		[ "$(od -An -tx1 -N4 "$f" | tr -d ' \n')" = 7f454c46 ] || continue
		tools+=("$f")
	done
fi

progsrc=()
for p in "${PROGS[@]}"; do progsrc+=("${p#*:}"); done
# the daemon's libraries live in the base: they are the big ones (libsqlite3,
# libsystemd with libgcrypt, liblzma, libzstd...) and change only with the
# distribution, so the per-run overlay stays small
daemons=()
for f in "$BUILD/beaverd" "$BUILD/beaverctl"; do [ -x "$f" ] && daemons+=("$f"); done
baselibs=$(libs_of "${progsrc[@]}" "${daemons[@]}")

# Files whose metadata (not content: hashing 30 MB on every run is wasted
# time) decides whether the cached base archive is still good.
key=$({
	echo "$KVER"
	sha256sum "$here/build-initramfs.sh"
	printf '%s\n' "${PROGS[@]}"
	# shellcheck disable=SC2086
	stat -L -c '%n %s %Y' "$busybox" "${progsrc[@]}" $baselibs $modfiles \
		/boot/vmlinuz-"$KVER" /usr/lib/x86_64-linux-gnu/tc/*.dist 2>/dev/null || true
} | sha256sum | cut -c1-16)
base=$cache/base-$key.cpio

# copy an ELF or a library keeping its path (resolving symlinks)
copy_path() {
	local src=$1 dst=$2
	mkdir -p "$(dirname "$dst")"
	cp -L "$src" "$dst"
}

build_base() {
	local root tmp m rel
	root=$(mktemp -d "$cache/base-root.XXXXXX")
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,lib,lib64} \
		"$root"/{dev,proc,sys,tmp,run,root,mnt,etc,var/run}
	cp "$busybox" "$root/bin/busybox"
	# every applet as a link in /bin only; the real tools shadow them via
	# PATH, and the ones whose busybox version misleads (ip, tc, timeout,
	# env, setpriv, nsenter) get no link at all
	for a in $("$busybox" --list); do
		case $a in
		busybox|ip|tc|timeout|env|setpriv|nsenter|bash) continue ;;
		esac
		ln -sf busybox "$root/bin/$a"
	done
	ln -sf /bin/busybox "$root/sbin/modprobe"	# the kernel calls it
	ln -sf /bin/busybox "$root/sbin/insmod"
	ln -sf /bin/busybox "$root/sbin/rmmod"
	ln -sf /bin/busybox "$root/sbin/lsmod"
	ln -sf /usr/bin/bash "$root/bin/bash"
	ln -sf /usr/bin/bash "$root/bin/sh.bash"
	ln -sf /usr/sbin/ip "$root/sbin/ip"
	ln -sf /usr/sbin/tc "$root/sbin/tc"

	for p in "${PROGS[@]}"; do copy_path "${p#*:}" "$root${p%%:*}"; done
	for l in $baselibs; do copy_path "$l" "$root$l"; done
	# usr-merged layout as on the host: the loader may be asked for by
	# either path
	[ -e "$root/lib64/ld-linux-x86-64.so.2" ] ||
		ln -sf /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$root/lib64/ld-linux-x86-64.so.2"
	[ -d /etc/iproute2 ] && cp -r /etc/iproute2 "$root/etc/"
	if [ -d /usr/lib/x86_64-linux-gnu/tc ]; then
		mkdir -p "$root/usr/lib/x86_64-linux-gnu/tc"
		cp /usr/lib/x86_64-linux-gnu/tc/*.dist "$root/usr/lib/x86_64-linux-gnu/tc/"
	fi

	# modules: same relative paths, signature stripped (checking it costs
	# ~60 ms per module under TCG; the kernel only taints), then depmod
	for m in $modfiles; do
		rel=${m#/lib/modules/$KVER/}
		mkdir -p "$root/lib/modules/$KVER/$(dirname "$rel")"
		cp "$m" "$root/lib/modules/$KVER/$rel"
		strip_sig "$root/lib/modules/$KVER/$rel"
	done
	for f in modules.builtin modules.builtin.modinfo modules.order; do
		[ -f "/lib/modules/$KVER/$f" ] && cp "/lib/modules/$KVER/$f" "$root/lib/modules/$KVER/"
	done
	depmod -b "$root" "$KVER"

	cat >"$root/etc/passwd" <<-EOF
	root:x:0:0:root:/root:/bin/bash
	nobody:x:65534:65534:nobody:/nonexistent:/bin/false
	EOF
	# beaver: the group of beaverd's control socket (beaverctl's users)
	cat >"$root/etc/group" <<-EOF
	root:x:0:
	beaver:x:120:
	nogroup:x:65534:
	EOF
	echo "beaver-vm" >"$root/etc/hostname"
	# keepalived: lib-vrrp.sh passes every path (-f, -p, -r) and runs its
	# notify scripts as root (script_user root), so it needs no
	# keepalived_script user; the usual directory, for a shell's experiments
	mkdir -p "$root/etc/keepalived"
	touch "$root/etc/fstab"

	tmp=$base.tmp.$$
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0) >"$tmp"
	mv "$tmp" "$base"
	rm -rf "$root"
	# keep the three newest bases
	ls -1t "$cache"/base-*.cpio 2>/dev/null | tail -n +4 | xargs -r rm -f
}

# Drop the appended PKCS#7 signature of a module:
#   [module][signature][struct module_signature, 12 bytes][magic, 28 bytes]
# struct module_signature ends with the signature length (big endian).
strip_sig() {
	local f=$1 size siglen
	[ "$(tail -c 28 "$f" | head -c 27)" = "~Module signature appended~" ] || return 0
	size=$(stat -c %s "$f")
	siglen=$(tail -c 32 "$f" | head -c 4 | od -An -tu1 |
		awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
	truncate -s $((size - 28 - 12 - siglen)) "$f"
}

if [ ! -s "$base" ]; then
	log "building base initramfs (${base##*/})"
	build_base
fi

# ---------------------------------------------------------------------------
# The overlay: rebuilt every run.
ov=$(mktemp -d)
trap 'rm -rf "$ov"' EXIT
mkdir -p "$ov/beaver/vm/scenarios" "$ov/usr/local/bin"
install -m 0755 "$here/init.sh" "$ov/init"
install -m 0644 "$here/lib.sh" "$ov/beaver/vm/lib.sh"
install -m 0644 "$here/chain.sh" "$ov/beaver/vm/chain.sh"
install -m 0644 "$here/lib-vrrp.sh" "$ov/beaver/vm/lib-vrrp.sh"
install -m 0644 "$here/bank.sh" "$ov/beaver/vm/bank.sh"
cp "$here"/scenarios/*.sh "$ov/beaver/vm/scenarios/" 2>/dev/null || true
# make demo's scenario (run.sh --demo), not one of make vm-test's
[ -f "$here/demo.sh" ] && cp "$here/demo.sh" "$ov/beaver/vm/scenarios/demo.sh"
# make bench's VM scripts (run.sh --bench NAME: bench/vm/NAME.sh)
for f in "$repo"/bench/vm/*.sh; do
	[ -f "$f" ] && cp "$f" "$ov/beaver/vm/scenarios/bench-$(basename "$f")"
done
# without debug information (the symbols stay, for oops traces; the
# build tree keeps the full files for faddr2line): the initramfs is
# unpacked at every boot, 44 times in make check, and under TCG the
# kernel unpacks it at about 30 MB/s; debug information was 10 of its 61 MB
[ -f "$BEAVER_KO" ] && install -m 0644 "$BEAVER_KO" "$ov/beaver/beaver.ko" &&
	strip --strip-debug "$ov/beaver/beaver.ko"
# a key pair for every host name the labs give a daemon, made here by the
# real tool (lib.sh's bvd_key takes them): in the VM, beaverctl genkey and
# pubkey for ten daemons cost a scenario two seconds of TCG
if [ -x "$BUILD/beaverctl" ]; then
	mkdir -p "$ov/beaver/keys"
	for n in gw1 gw2 gw3 gw4 m1 m2 m3 m4 m5 m6 coord coord2 coord3; do
		"$BUILD/beaverctl" genkey "$ov/beaver/keys/$n.key" >/dev/null &&
			"$BUILD/beaverctl" pubkey "$ov/beaver/keys/$n.key" >"$ov/beaver/keys/$n.pub" ||
			{ echo "build-initramfs: beaverctl genkey/pubkey failed" >&2; exit 1; }
	done
fi
for f in "${tools[@]}"; do
	install -m 0755 "$f" "$ov/usr/local/bin/"
	strip --strip-debug "$ov/usr/local/bin/${f##*/}"
done
if [ ${#tools[@]} -gt 0 ]; then
	for l in $(libs_of "${tools[@]}"); do
		grep -qxF "$l" <<<"$baselibs" || copy_path "$l" "$ov$l"
		# a library of ours (libbeaver-app from make examples' scratch
		# root) found by a RUNPATH into the build tree: that path may
		# be under /tmp, a tmpfs in the VM that hides it, so the
		# loader's default directory holds it too
		case $l in
		/lib/* | /lib64/* | /usr/lib/*) ;;
		*) copy_path "$l" "$ov/usr/lib/x86_64-linux-gnu/${l##*/}" ;;
		esac
	done
fi
{
	echo "KVER=$KVER"
	echo "BEAVER_KO=$([ -f "$BEAVER_KO" ] && echo /beaver/beaver.ko)"
	echo "KO_DEPS=\"$([ -f "$BEAVER_KO" ] && modinfo -F depends "$BEAVER_KO" | tr , ' ')\""
	echo "TOOLS=\"${tools[*]##*/}\""
} >"$ov/beaver/vm/build-info"

{
	cat "$base"
	(cd "$ov" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0)
} >"$out/initrd.tmp"
mv "$out/initrd.tmp" "$out/initrd"
