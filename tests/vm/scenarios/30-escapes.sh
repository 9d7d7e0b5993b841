# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 150
#
# What the hooks cannot see is reported (issue #11, item 6; beaverd/
# escapes.h): an XDP program on a member's interface acts before
# PRE_ROUTING (what it redirects or sends back is in no snapshot), and a
# packet socket receives a copy of every packet, stamp and all, for an
# application outside the cut. beaverd looks when asked for its status.
# m1 gets both (bvescape: a generic-mode XDP_PASS program on eth0, an
# ETH_P_ALL socket bound to eth0); `beaverctl status` on m1 must list them,
# in JSON and in text, and stop listing them once they are gone; a
# snapshot taken meanwhile must name them in its report (m1's record
# carries them to the coordinator); m2, left alone, is the control: it
# must list neither, so that the check cannot pass on a report that lists
# everything.

need_module
need_tools beaverd beaverctl bvescape
command -v jq >/dev/null || skip "jq missing in the VM image"

log "lab and daemons"
DEMO_DELAY=
lab_demo
demo_daemons

# esc NAME: "XDP_COUNT XDP_ETH0_MODE TAPS_ON_ETH0" from NAME's status
esc() {
	bctl "$1" --json status | jq -r '
		[(.escapes.xdp | length),
		 ([.escapes.xdp[] | select(.dev == "eth0") | .mode][0] // "-"),
		 ([.escapes.packet_sockets[] | select(.dev == "eth0" and .proto == "all") | .count] | add // 0)]
		| map(tostring) | join(" ")'
}

before_m1=$(esc m1)
before_m2=$(esc m2)
echo "before: m1 $before_m1, m2 $before_m2"
check_eq "$before_m1" "0 - 0" "m1 before: no XDP program, no packet socket on eth0"

log "an XDP program and a packet socket on m1's eth0"
check_eq "$(nsx m1 bvescape xdp attach eth0)" ok "bvescape xdp attach"
# nsenter, not nsx: $! must be the tool itself, for its SIGTERM
nsenter --net=/run/netns/m1 -- bvescape tap eth0 60 >"$VM_STATE/tap" &
tpid=$!
for _ in $(seq 50); do grep -q ok "$VM_STATE/tap" && break; sleep 0.1; done
during_m1=$(esc m1)
during_m2=$(esc m2)
echo "during: m1 $during_m1, m2 $during_m2"
check_eq "$during_m1" "1 generic 1" "m1 reports the XDP program (generic) and the packet socket on eth0"
check_eq "$during_m2" "$before_m2" "m2 (control) reports nothing new"
text=$(bctl m1 status)
echo "$text" | sed -n '/not seen by the hooks/,/counters/p' | head -n 12
echo "$text" | grep -q "xdp programs" || fail "m1's text status lacks the xdp programs table"
echo "$text" | grep -q "generic" || fail "m1's text status lacks the XDP mode"

log "a snapshot meanwhile: its report says so too"
bctl coord --json snapshot --wait >"$VM_STATE/snap.json" || true
check_eq "$(jqf "$VM_STATE/snap.json" .state)" accepted "snapshot: state"
id=$(jqf "$VM_STATE/snap.json" .id)
bctl coord --json show "${id:-0}" >"$VM_STATE/show.json"
rep=$(jq -r '[.report.members_with_escapes,
	([.report.members[] | select(.node == "m1") | .escapes.xdp_programs][0]),
	([.report.members[] | select(.node == "m1") | .escapes.packet_sockets][0]),
	([.report.members[] | select(.node == "m2") | .escapes.xdp_programs][0])]
	| map(tostring) | join(" ")' "$VM_STATE/show.json")
echo "report: members_with_escapes, m1 xdp, m1 packet sockets, m2 xdp: $rep"
check_eq "$rep" "1 1 1 0" "the report names m1's XDP program and packet socket, and nothing of m2"

log "gone again"
check_eq "$(nsx m1 bvescape xdp detach eth0)" ok "bvescape xdp detach"
kill "$tpid" 2>/dev/null
wait "$tpid" 2>/dev/null || true	# its SIGTERM
after_m1=$(esc m1)
echo "after: m1 $after_m1"
check_eq "$after_m1" "0 - 0" "m1 after: nothing reported"
figure xdp_reported "${during_m1%% *}"
figure taps_reported "${during_m1##* }"
