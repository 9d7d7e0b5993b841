# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 300
#
# The coordinator layout of docs/deployment.md: on each IPVS director two
# beaverd, the gateway (port 5150) and a coordinator of its own (port 5151,
# its own key, database and socket), both coordinators with
# active_address = an address that moves between the directors (what
# keepalived does with the VIP). Every gateway and member lists both
# coordinators. Checks:
#
#   - gw1c (gw1 holds the address) takes snapshots, gw2c answers standby
#     (beaverctl exit 7);
#   - the address moves to gw2 (gw1's gateway stays up): gw2c's snapshots
#     are accepted, which needs gw1's gateway to obey gw2c (the layout
#     where a director is "gateway, coordinator" in one beaverd cannot
#     list the other director's coordinator: docs/failover.md); gw1c
#     answers standby;
#   - no member reports bypass: the coordinators' control traffic leaves
#     through the gateways' own egress, stamped;
#   - beaverd --check-config accepts every file of the layout.
#
#   client --VIP1--> gw1 (+gw1c) --+--> m1 m2 m3     ACT 10.0.1.250: gw1,
#   x      --VIP2--> gw2 (+gw2c) --+                 then gw2

need_module
need_tools udpnum beaverd beaverctl
command -v jq >/dev/null || skip "jq missing in the VM image"
ACT=10.0.1.250
CPORT=5151
N=8

log "lab: two DR gateways, three members; the active address on gw1"
lab_demo
BVD_ALLOW=	# nothing allow-listed: control traffic must not be bypass
ip -n gw1 addr add $ACT/32 dev eth0
beaver_loaded || beaver_load

log "configuration: gateways and members obey gw1c and gw2c on port $CPORT"
BVD_COORDS="gw1c=10.0.1.1 gw2c=10.0.1.2"
for p in $BVD_GATEWAYS; do
	BVD_PORT=$CPORT bvd_conf "${p%%=*}" gateway "${p#*=}" beaverd.listen="${p#*=}:5150"
done
for p in $BVD_MEMBERS; do
	BVD_PORT=$CPORT bvd_conf "${p%%=*}" member "${p#*=}" beaverd.listen="${p#*=}:5150"
done
for i in 1 2; do
	bvd_conf "gw${i}c" coordinator "10.0.1.$i" beaverd.listen="10.0.1.$i:$CPORT" \
		beaverd.netns="gw$i" coordinator.active_address=$ACT
done
for n in gw1 gw2 m1 m2 m3 gw1c gw2c; do
	out=$(beaverd --check-config --config "$BVD_DIR/$n.conf" 2>&1) ||
		fail "beaverd --check-config of $n: $out"
done
# the other layout: gw1 "gateway, coordinator" in one beaverd, listing
# gw2's coordinator too, is refused (docs/failover.md)
sed -e 's/^node = gw1c$/node = gw1/' -e 's/^roles = coordinator$/roles = gateway, coordinator/' \
	-e "s/^listen = .*/listen = 10.0.1.1:5150/" "$BVD_DIR/gw1c.conf" >"$VM_STATE/combined.conf"
sed -i "s|^key_file = .*|key_file = $BVD_DIR/gw1.key|" "$VM_STATE/combined.conf"
printf '[coordinator:gw2]\naddress = 10.0.1.2:5150\npublic_key = %s\n' "$(bvd_pub gw2)" \
	>>"$VM_STATE/combined.conf"
rc=0
out=$(beaverd --check-config --config "$VM_STATE/combined.conf" 2>&1) || rc=$?
echo "$out" | sed 's/^/    combined: /'
check_eq "$rc" 1 "beaverd --check-config of gw1 as gateway and coordinator listing gw2's coordinator"
check 'grep -q "duplicate peer name .gw2." <<<"$out"' "the refusal names the duplicate peer"
sed 's/^/    /' "$BVD_DIR/gw1.conf"
sed 's/^/    /' "$BVD_DIR/gw1c.conf"
bvd_up gw1 gw2 m1 m2 m3 gw1c gw2c
check_eq "$(bctl gw1c --json status | jq -r .coordinator.active)/$(bctl gw2c --json status | jq -r .coordinator.active)" \
	true/false "active coordinators (gw1c/gw2c)"
demo_traffic 60 100
sleep 1

# take NAME TAG: N snapshots from NAME (each --wait), their ids in ids.TAG;
# exit 7 from the other one each time
take() {
	local c=$1 other=$2 tag=$3 i rc out
	: >"$VM_STATE/ids.$tag"
	for ((i = 0; i < N; i++)); do
		rc=0
		out=$(bctl "$c" --json snapshot --wait 2>/dev/null) || rc=$?
		case $rc in
		0 | 1 | 6) jq -r .id <<<"$out" >>"$VM_STATE/ids.$tag" ;;
		*) fail "$c: beaverctl snapshot: exit $rc: $out" ;;
		esac
		rc=0
		bctl "$other" snapshot >/dev/null 2>&1 || rc=$?
		[ "$rc" = 7 ] || fail "$other: beaverctl snapshot exit $rc, want 7 (standby)"
	done
	xargs -r beaverctl --socket "$(bvd_sock "$c")" export <"$VM_STATE/ids.$tag" \
		>"$VM_STATE/export.$tag" || fail "export from $c"
}

log "$N snapshots from gw1c, gw2c standing by"
take gw1c gw2c before
n=$(jq -s '[.[] | select(.state == "accepted")] | length' "$VM_STATE/export.before")
figure gw1c_accepted "$n"
check_ge "$n" $((N - 1)) "snapshots gw1c took"

log "the address moves to gw2 (keepalived's fail-over); gw1's gateway stays up"
ip -n gw1 addr del $ACT/32 dev eth0
ip -n gw2 addr add $ACT/32 dev eth0
check_eq "$(bctl gw1c --json status | jq -r .coordinator.active)/$(bctl gw2c --json status | jq -r .coordinator.active)" \
	false/true "active coordinators (gw1c/gw2c)"

log "$N snapshots from gw2c, gw1c standing by"
take gw2c gw1c after
n=$(jq -s '[.[] | select(.state == "accepted")] | length' "$VM_STATE/export.after")
figure gw2c_accepted "$n"
check_ge "$n" $((N - 1)) "snapshots gw2c took (gw1's gateway must obey gw2c)"
check_eq "$(jq -s '[.[] | .attempts[] | select(.verdict == "timeout")] | length' "$VM_STATE/export.after")" 0 \
	"gw2c's attempts timed out (a gateway that does not obey it)"
denied=$(bctl gw1 --json status | jq -r '.control.drops.denied')
figure gw1_denied "$denied"
check_eq "$denied" 0 "datagrams gw1's gateway denied"
demo_traffic_wait stop >/dev/null

log "bypass and balance over every accepted snapshot"
cat "$VM_STATE"/export.{before,after} >"$VM_STATE/export.all"
b=$(jq -s '[.[] | select(.state == "accepted") | .report.bypass] | add // 0' "$VM_STATE/export.all")
figure bypass "$b"
check_eq "$b" 0 "bypass packets in the reports (control traffic from the directors)"
u=$(jq -s '[.[] | select(.state == "accepted") | select(.report.balanced | not)] | length' "$VM_STATE/export.all")
figure unbalanced "$u"
for ns in gw1 gw2 m1 m2 m3 gw1c gw2c; do bvd_alive "$ns" || fail "beaverd of $ns died"; done
keep "$VM_STATE"/export.* "$BVD_DIR"/*.conf
bvd_logs gw1c gw2c gw1
