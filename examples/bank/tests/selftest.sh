#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# bank-check on a real snapshot (scenario 43's snapshot 100: every way of
# moving money in flight at the cut) and on copies broken one way each:
# the real one must conserve the 1,000,000, every broken one must not.
#
#   tests/selftest.sh BANK-CHECK
set -euo pipefail
check=${1:?usage: selftest.sh BANK-CHECK}
here=$(cd "$(dirname "$0")" && pwd)
snap=$here/snapshot.json
bad=0

run() {	# run WANT NAME JQ-FILTER: bank-check on the filtered snapshot
	local want=$1 name=$2 got
	got=$(jq -c "$3" "$snap" | "$check" --total 1000000 | tail -n1) || true
	if [[ $got == *"conserved $want "* ]]; then
		echo "selftest: ok: $name"
	else
		echo "selftest: FAILED: $name: $got"
		bad=1
	fi
}

st='.record.apps[0].state'
run 1 "the snapshot as taken" .
run 0 "a balance one higher" ".members[0]$st |= sub(\"bal=(?<a>[0-9]+),\"; \"bal=\\(.a | tonumber + 1),\")"
run 0 "the direct transfers in flight not captured" '.members[].record.captures = []'
run 0 "a relayed transfer in flight forgotten by its sender" ".members[0]$st |= sub(\"p r 3 [^\\n]*\\n\"; \"\")"
# m2 applied m1's relayed transfer 210 (sent before m1's cut) too
run 0 "a relayed transfer in flight counted as applied" ".members[1]$st |= sub(\"a r 1 209\"; \"a r 1 210\")"
# what marking off does: m2 applies m1's transfer 212, relayed after m1's
# cut (datagram 404 > tx_pkts 401), before its own cut
run 0 "a transfer relayed after the sender's cut applied before the receiver's" \
	".members[1]$st |= (sub(\"a r 1 209\"; \"a r 1 209,212\") | sub(\"bal=(?<a>[0-9]+),\"; \"bal=\\(.a | tonumber + 37),\"))"
run 0 "TCP: received beyond what was sent" \
	'(.members[1].record.flows[] | select(.proto == 6 and .lport == 7320 and .rport == 34576)).rx_seq += 96'
run 0 "a member without its state" 'del(.members[1].record.apps)'
exit $bad
