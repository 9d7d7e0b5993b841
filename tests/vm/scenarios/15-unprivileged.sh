# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 120
#
# An unprivileged user (uid 65534, no groups, no capabilities) can neither
# talk to beaverd nor change the module: beaverctl exits 3 with "permission
# denied" on every daemon's socket (mode 0660, group beaver), the group
# key and the state directories are unreadable, netlink requests that
# change state are refused with EPERM; nothing changes. The same uid in
# the group `beaver` may use beaverctl (the socket's group is what grants
# access), and still not change the module.

need_module
need_tools beaver-nl beaverd beaverctl
command -v jq >/dev/null || skip "jq missing in the VM image"
command -v setpriv >/dev/null || skip "setpriv missing in the VM image"
BEAVER_GID=$(awk -F: '$1 == "beaver" { print $3 }' /etc/group)
[ -n "$BEAVER_GID" ] || skip "no group beaver in the VM image"

log "lab and daemons"
DEMO_DELAY=
lab_demo
demo_daemons
bctl coord snapshot --wait >/dev/null
before="$(bnl gw1 status)$(bnl m1 status)"
n_before=$(bctl coord --json list | jq '.snapshots | length')

nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
# in the beaver group
reader() { setpriv --reuid=65534 --regid=65534 --groups="$BEAVER_GID" "$@"; }
# in a host's namespace (entered as root: the request itself must reach
# the module, and be refused there)
nobody_in() { nsx "$1" setpriv --reuid=65534 --regid=65534 --clear-groups "${@:2}"; }
reader_in() { nsx "$1" setpriv --reuid=65534 --regid=65534 --groups="$BEAVER_GID" "${@:2}"; }

log "the sockets"
for ns in coord gw1 m1; do
	s=$(bvd_sock $ns)
	echo "$s: $(stat -c '%A %U:%G' "$s")"
	check_eq "$(stat -c '%a %G' "$s")" "660 beaver" "$ns's socket: mode and group"
	rc=0; out=$(nobody beaverctl --socket "$s" status 2>&1) || rc=$?
	echo "nobody: beaverctl status ($ns): $out (exit $rc)"
	check_eq "$rc" 3 "nobody: beaverctl status on $ns's socket: exit status"
	check '[[ ${out,,} == *"permission denied"* ]]' "nobody: the message says permission denied ('$out')"
done
rc=0; nobody beaverctl --socket "$(bvd_sock coord)" --json snapshot --wait >"$VM_STATE/nobody.json" 2>/dev/null || rc=$?
check_eq "$rc/$(jqf "$VM_STATE/nobody.json" .code)" 3/unreachable "nobody: beaverctl --json snapshot: exit/code"

log "the key and the state"
check '! nobody cat "$BVD_DIR/coord.key" >/dev/null 2>&1' "nobody cannot read the coordinator's private key"
check_eq "$(stat -c %a "$BVD_DIR/coord.key")" 600 "private key mode"
ls -la "$BVD_DIR/coord/state"
check '! nobody ls "$BVD_DIR/coord/state" >/dev/null 2>&1' "nobody cannot list the coordinator's state directory"
check '! nobody cat "$BVD_DIR/coord/state/beaverd.db" >/dev/null 2>&1' "nobody cannot read the coordinator's database"
check '! nobody bvforge craft --key "$BVD_DIR/coord.key" --to-key "$(bvd_pub gw1)" --group 7 --sender coord --type advance --out /tmp/x.bin >/dev/null 2>&1 || ! command -v bvforge >/dev/null' \
	"nobody cannot build a datagram with the coordinator's key"

log "the module"
check 'nobody_in gw1 beaver-nl status >/dev/null' "nobody may read the module's status (GET_STATUS)"
for req in "gw1 gw-advance 99" "m1 member-advance 99" "m1 config settle 5" "m1 release 1" "gw1 flush"; do
	set -- $req
	rc=0; out=$(nobody_in "$1" beaver-nl "${@:2}" 2>&1) || rc=$?
	echo "nobody in $1: beaver-nl ${*:2}: $out (exit $rc)"
	check '[ "$rc" = 1 ] && [[ $out == *"Operation not permitted"*CAP_NET_ADMIN* ]]' "nobody in $1: beaver-nl ${*:2} refused by the module (EPERM, CAP_NET_ADMIN)"
	rc=0; out=$(reader_in "$1" beaver-nl "${@:2}" 2>&1) || rc=$?
	check '[ "$rc" = 1 ] && [[ $out == *"Operation not permitted"*CAP_NET_ADMIN* ]]' "group beaver in $1: beaver-nl ${*:2} refused by the module (EPERM, CAP_NET_ADMIN)"
done

log "root of an unprivileged user namespace (issue #10: capped limits)"
# CAP_NET_ADMIN over its own network namespace, none in the initial user
# namespace: it may configure the module there within the defaults, and
# no more, so that it cannot pin memory beyond them
if nobody unshare --user --map-root-user --net true 2>/dev/null; then
	rc=0; out=$(nobody unshare --user --map-root-user --net sh -c \
		'beaver-nl config role member group 7 max-flows 65536 && beaver-nl status | grep -w max_flows' 2>&1) || rc=$?
	echo "userns root, max-flows 65536: $out (exit $rc)"
	check_eq "$rc" 0 "userns root: a configuration within the defaults"
	rc=0; out=$(nobody unshare --user --map-root-user --net \
		beaver-nl config role member group 7 max-flows 65537 2>&1) || rc=$?
	echo "userns root, max-flows 65537: $out (exit $rc)"
	check '[ "$rc" = 1 ] && [[ $out == *"Operation not permitted"*"initial user namespace"* ]]' \
		"userns root: max-flows above the default refused (EPERM, with why)"
	rc=0; out=$(nobody unshare --user --map-root-user --net \
		beaver-nl config role member group 7 max-history 10000000 2>&1) || rc=$?
	check '[ "$rc" = 1 ] && [[ $out == *"initial user namespace"* ]]' \
		"userns root: max-history above the default refused"
	# the same request from the initial user namespace is allowed
	rc=0; out=$(nsx m1 beaver-nl config max-flows 70000 2>&1) || rc=$?
	check_eq "$rc" 0 "root of the initial user namespace: max-flows 70000 ($out)"
	nsx m1 beaver-nl config max-flows 65536 >/dev/null
	before="$(bnl gw1 status)$(bnl m1 status)"
else
	fail "unshare --user as nobody does not work in the VM: the cap cannot be checked"
fi

log "a member of the group beaver"
rc=0; out=$(reader beaverctl --socket "$(bvd_sock coord)" --json list) || rc=$?
check_eq "$rc" 0 "group beaver: beaverctl list: exit status"
check_eq "$(echo "$out" | jq '.snapshots | length')" "$n_before" "group beaver: snapshots listed"

log "nothing changed"
check '[ "$(bnl gw1 status)$(bnl m1 status)" = "$before" ]' "gw1 and m1 module status unchanged"
check_eq "$(bctl coord --json list | jq '.snapshots | length')" "$n_before" "snapshots (none added)"
for ns in coord gw1 m1; do bvd_alive $ns || fail "beaverd of $ns died"; done
