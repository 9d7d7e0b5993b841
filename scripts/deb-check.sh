#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make deb-check (the `deb` step of make check): the packages `make deb`
# built in $BUILD/deb, checked without touching this machine's package
# database, /usr/src, /var/lib/dkms or /lib/modules:
#
#   lintian     lintian over the .changes (both packages and the dbgsym):
#               no error; warnings are counted on the PASS line
#   contents    each package holds what it must (dpkg -c), and its
#               maintainer scripts do what they must (sysusers, the unit
#               left disabled, dkms add/build/install of the source)
#   tools       both packages extracted into a scratch root (dpkg -x):
#               its beaverctl runs (--version, genkey, pubkey)
#   library     libbeaver-app0, -dev and python3-beaver-app extracted
#               there: a program built with the packaged header, .pc and
#               library only runs, and so does the Python binding
#   dkms-build  dkms add + build of the extracted /usr/src/beaver-VERSION
#               against the installed headers of KVER, with a scratch
#               --dkmstree and --sourcetree, in a private mount namespace
#               whose /var/lib/dkms is a tmpfs (dkms writes its module
#               signing key there); the module must carry KVER's vermagic
#
# Prints "deb: CHECK: PASS|FAIL ..." per check and exits non-zero if one
# failed. KVER as in the Makefile (the newest installed -amd64 headers).
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd -P)
BUILD=${BUILD:-$repo/build}
deb=$BUILD/deb
KVER=${KVER:-$(ls -1 /lib/modules 2>/dev/null | grep -- '-amd64$' | sort -V | tail -n1)}
VERSION=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$repo/dkms.conf")
scratch=$deb/check
rm -rf "$scratch"
mkdir -p "$scratch"
npass=0 nfail=0

pass() { echo "deb: $1: PASS${2:+ $2}"; npass=$((npass + 1)); }
fail() { echo "deb: $1: FAIL $2"; nfail=$((nfail + 1)); }

changes=$(ls "$deb"/beaver_"$VERSION"_*.changes 2>/dev/null | head -n1)
bin=$(ls "$deb"/beaver_"$VERSION"_*.deb 2>/dev/null | head -n1)
src=$deb/beaver-dkms_${VERSION}_all.deb
if [ -z "$changes" ] || [ -z "$bin" ] || [ ! -f "$src" ]; then
	fail build "no beaver_${VERSION}_*.changes, beaver_${VERSION}_*.deb and beaver-dkms_${VERSION}_all.deb in $deb (make deb)"
	exit 1
fi

# -- lintian -------------------------------------------------------------------
lintian --fail-on error --display-level '>=warning' "$changes" >"$scratch/lintian.out" 2>&1
rc=$?
grep -v '^running with root privileges' "$scratch/lintian.out" | sed 's/^/    /'
nerr=$(grep -c '^E: ' "$scratch/lintian.out")
nwarn=$(grep -c '^W: ' "$scratch/lintian.out")
if [ "$rc" -eq 0 ] && [ "$nerr" -eq 0 ]; then
	pass lintian "errors=0 warnings=$nwarn"
else
	fail lintian "errors=$nerr warnings=$nwarn (lintian exit $rc)"
fi

# -- contents ------------------------------------------------------------------
# must_hold DEB PATH...: every PATH (without the leading ./) in DEB
must_hold() {
	local pkg=$1 p missing=()
	shift
	dpkg-deb -c "$pkg" | awk '{ print $6 }' | sed 's|^\./||; s|/$||' >"$scratch/list"
	for p in "$@"; do
		grep -qxF -- "$p" "$scratch/list" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] || echo "${pkg##*/} lacks: ${missing[*]}"
}

arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
lib=$(ls "$deb"/libbeaver-app0_"$VERSION"_*.deb 2>/dev/null | head -n1)
dev=$(ls "$deb"/libbeaver-app-dev_"$VERSION"_*.deb 2>/dev/null | head -n1)
py=$deb/python3-beaver-app_${VERSION}_all.deb
why=
if [ -z "$lib" ] || [ -z "$dev" ] || [ ! -f "$py" ]; then
	why="no libbeaver-app0, libbeaver-app-dev or python3-beaver-app package in $deb"
else
	w=$(must_hold "$lib" "usr/lib/$arch/libbeaver-app.so.0")
	why+=$w
	w=$(must_hold "$dev" usr/include/beaver-app.h "usr/lib/$arch/libbeaver-app.so" \
		"usr/lib/$arch/pkgconfig/libbeaver-app.pc" \
		usr/share/man/man3/libbeaver-app.3.gz)
	why+=${w:+${why:+; }$w}
	w=$(must_hold "$py" usr/lib/python3/dist-packages/beaver_app.py)
	why+=${w:+${why:+; }$w}
fi
w=$(must_hold "$bin" usr/sbin/beaverd usr/sbin/beaverctl \
	lib/systemd/system/beaverd.service usr/lib/sysusers.d/beaver.conf \
	usr/share/man/man8/beaverd.8.gz usr/share/man/man8/beaverctl.8.gz \
	usr/share/man/man5/beaverd.conf.5.gz \
	usr/share/bash-completion/completions/beaverctl \
	usr/share/doc/beaver/copyright usr/share/doc/beaver/deployment.md.gz \
	usr/share/doc/beaver/troubleshooting.md.gz \
	usr/share/doc/beaver/examples/beaverd-coordinator.service \
	usr/share/doc/beaver/examples/keepalived.conf)
why+=$w
# the module's source: dkms.conf, Kbuild and every object Kbuild names
objs=$(sed -n '/^beaver-y/,/^$/p' "$repo/Kbuild" | tr ' \\\t' '\n\n\n' | grep '\.o$')
srcs=()
for o in $objs; do srcs+=("usr/src/beaver-$VERSION/${o%.o}.c"); done
w=$(must_hold "$src" "usr/src/beaver-$VERSION/dkms.conf" \
	"usr/src/beaver-$VERSION/Kbuild" \
	"usr/src/beaver-$VERSION/kmod/uapi/beaver.h" \
	"usr/src/beaver-$VERSION/netfilter/beaver_stamp.h" "${srcs[@]}")
why+=${w:+${why:+; }$w}
dpkg-deb -e "$bin" "$scratch/ctl-beaver"
dpkg-deb -e "$src" "$scratch/ctl-dkms"
grep -q 'systemd-sysusers.*beaver\.conf' "$scratch/ctl-beaver/postinst" 2>/dev/null ||
	why+="${why:+; }beaver's postinst does not run systemd-sysusers"
! grep -q "deb-systemd-helper enable 'beaverd.service'" "$scratch/ctl-beaver/postinst" ||
	grep -q 'was-enabled' "$scratch/ctl-beaver/postinst" ||
	why+="${why:+; }beaver's postinst enables beaverd.service on a fresh install"
grep -q 'dkms' "$scratch/ctl-dkms/postinst" 2>/dev/null &&
	grep -q 'dkms' "$scratch/ctl-dkms/prerm" 2>/dev/null ||
	why+="${why:+; }beaver-dkms's postinst/prerm do not call dkms"
dpkg-deb -f "$src" Depends | grep -q 'dkms' ||
	why+="${why:+; }beaver-dkms does not depend on dkms"
if [ -z "$why" ]; then
	pass contents "beaver: $(dpkg-deb -c "$bin" | grep -vc '/$') files, beaver-dkms: $(dpkg-deb -c "$src" | grep -vc '/$') files"
else
	fail contents "$why"
fi

# -- the tools of the extracted package -----------------------------------------
root=$scratch/root
mkdir -p "$root"
dpkg-deb -x "$bin" "$root" && dpkg-deb -x "$src" "$root" || fail extract "dpkg-deb -x failed"
ctl=$root/usr/sbin/beaverctl
v=$("$ctl" --version 2>&1)
if [[ "$v" != *"$VERSION"* ]]; then
	fail tools "beaverctl --version: $v"
elif ! "$ctl" genkey "$scratch/key" >/dev/null 2>&1 ||
	! "$ctl" pubkey "$scratch/key" 2>/dev/null | grep -Eqx '[0-9a-f]{64}'; then
	fail tools "beaverctl genkey/pubkey of the package do not work"
else
	pass tools "$v"
fi

# -- the application library, as a user builds against it ----------------------
if [ -n "$lib" ] && [ -n "$dev" ] && [ -f "$py" ]; then
	for p in "$lib" "$dev" "$py"; do dpkg-deb -x "$p" "$root"; done
	cat >"$scratch/app.c" <<'PROG'
#include <errno.h>
#include <stdio.h>
#include <beaver-app.h>
int main(void)
{
	struct beaver_app *app;
	int e = beaver_app_open("/nonexistent/apps.sock", "check", &app);

	printf("%d\n", e);
	return e == -ENOENT ? 0 : 1;
}
PROG
	pc=$root/usr/lib/$arch/pkgconfig
	# the packaged .pc, its prefix moved into the scratch root
	flags=$(PKG_CONFIG_PATH=$pc PKG_CONFIG_SYSROOT_DIR=$root \
		pkg-config --cflags --libs libbeaver-app 2>&1)
	if ! cc -o "$scratch/app" "$scratch/app.c" $flags >"$scratch/app.log" 2>&1; then
		fail library "a program does not build with the packaged header and library: $(head -c 300 "$scratch/app.log")"
	elif ! LD_LIBRARY_PATH=$root/usr/lib/$arch "$scratch/app" >/dev/null; then
		fail library "a program built against the package does not run"
	elif ! BEAVER_APP_LIB=$root/usr/lib/$arch/libbeaver-app.so.0 \
		PYTHONPATH=$root/usr/lib/python3/dist-packages python3 -c '
import beaver_app, errno
try:
    beaver_app.App("check", path="/nonexistent/apps.sock")
except OSError as e:
    raise SystemExit(0 if e.errno == errno.ENOENT else 1)
raise SystemExit(1)' 2>"$scratch/py.log"; then
		fail library "the packaged Python binding does not work: $(head -c 300 "$scratch/py.log")"
	else
		pass library "pkg-config $flags"
	fi
fi

# -- dkms build of the packaged source ----------------------------------------
if [ ! -d "/lib/modules/$KVER/build" ]; then
	fail dkms-build "no headers for $KVER (/lib/modules/$KVER/build)"
else
	# root, or root of a user namespace of our own, may mount in a
	# private mount namespace: dkms's key lands in a tmpfs there
	ns=(unshare --mount --propagation private)
	[ "$(id -u)" = 0 ] || ns=(unshare --mount --map-root-user --propagation private)
	t0=$SECONDS
	"${ns[@]}" bash -c '
		set -e
		mount -t tmpfs beaver-deb-check /var/lib/dkms
		mkdir -p "$1/dkms"
		dkms add -m beaver -v "$2" --dkmstree "$1/dkms" --sourcetree "$1/root/usr/src"
		dkms build -m beaver -v "$2" -k "$3" --dkmstree "$1/dkms" --sourcetree "$1/root/usr/src"
	' dkms-check "$scratch" "$VERSION" "$KVER" >"$scratch/dkms.log" 2>&1
	rc=$?
	ko=$(find "$scratch/dkms/beaver/$VERSION/$KVER" -name 'beaver.ko*' 2>/dev/null | head -n1)
	if [ "$rc" -ne 0 ] || [ -z "$ko" ]; then
		sed 's/^/    /' "$scratch/dkms.log" | tail -n 30
		log=$(ls "$scratch"/dkms/beaver/"$VERSION"/build/make.log 2>/dev/null)
		[ -z "$log" ] || tail -n 20 "$log" | sed 's/^/    make.log: /'
		fail dkms-build "dkms add/build against $KVER: exit $rc, no beaver.ko"
	else
		case $ko in
		*.xz) xz -dc "$ko" >"$scratch/beaver.ko" ;;
		*.gz) gzip -dc "$ko" >"$scratch/beaver.ko" ;;
		*) cp "$ko" "$scratch/beaver.ko" ;;
		esac
		vm=$(modinfo -F vermagic "$scratch/beaver.ko" 2>/dev/null)
		signer=$(modinfo -F signer "$scratch/beaver.ko" 2>/dev/null)
		if [[ "$vm" != "$KVER "* ]]; then
			fail dkms-build "beaver.ko's vermagic is '$vm', want $KVER"
		else
			pass dkms-build "kernel=$KVER signed=$([ -n "$signer" ] && echo yes || echo no) time=$((SECONDS - t0))s"
		fi
	fi
fi

echo "deb: $npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
