#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# oracle-selftest.sh BVORACLE: bvoracle against hand-made export documents
# (tests/tools/oracle-fixtures/) whose verdicts are known, so that a broken
# oracle cannot pass a broken module. Each case checks the exit status and
# some keys of the summary line (and sometimes the --detail line).
#
# The scene of the udp fixtures: members m1 10.0.0.1 and m2 10.0.0.2; the
# chain m1 -> X 10.9.0.1:7000 -> VIP 10.0.100.1 -> m2 (from X's port 7001),
# m1 sent 10; a numbered stream m1 -> m2:9000 of which m1 sent 5. The tcp
# fixtures: m1 -> X:7100 -> VIP -> m2 (from X:7101), base snapshot 20.
#
# Prints `oracle-selftest: N passed, M failed`; exit 1 if any failed.
set -euo pipefail

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: $0 PATH/TO/bvoracle" >&2
	exit 2
fi
BV=$1
FX=$(cd "$(dirname "$0")/oracle-fixtures" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

UDP=(--chain "name=c1,proto=udp,a=m1,x=10.9.0.1,port=7000,b=m2,sport=7001")
TCP=(--chain "name=t1,proto=tcp,a=m1,x=10.9.0.1,port=7100,b=m2,sport=7101"
     --tcp-base 20)
pass=0
fail=0

# kv LINE KEY: the value after KEY in a `key value ...` line
kv() {
	awk -v k="$2" '{ for (i = 1; i < NF; i += 2) if ($i == k) { print $(i + 1); exit } }' <<<"$1"
}

# check NAME STATUS "KEY VALUE ..." [DETAIL-REGEX] -- ARGS...: run bvoracle
# with ARGS (a file `-` reads $TMP/stdin), expect exit STATUS and each KEY
# to be VALUE in the summary, and the --detail output to match DETAIL-REGEX
check() {
	local name=$1 want=$2 keys=$3 detail_re='' out rc=0 k v got bad=''
	shift 3
	if [ "$1" != -- ]; then
		detail_re=$1
		shift
	fi
	shift
	out=$("$BV" --detail "$TMP/detail" "$@" 2>"$TMP/err" <"$TMP/stdin") || rc=$?
	[ "$rc" = "$want" ] || bad+=" exit $rc, expected $want;"
	# shellcheck disable=SC2086 # split into KEY VALUE words on purpose
	set -- $keys
	while [ $# -ge 2 ]; do
		k=$1 v=$2
		shift 2
		got=$(kv "$out" "$k")
		[ "$got" = "$v" ] || bad+=" $k is '$got', expected '$v';"
	done
	if [ -n "$detail_re" ] && ! grep -Eq -- "$detail_re" "$TMP/detail" 2>/dev/null; then
		bad+=" no detail line matches '$detail_re';"
	fi
	if [ -z "$bad" ]; then
		pass=$((pass + 1))
		echo "ok   $name"
	else
		fail=$((fail + 1))
		echo "FAIL $name:$bad"
		echo "     summary: $out"
		sed 's/^/     stderr: /' "$TMP/err"
		[ -f "$TMP/detail" ] && sed 's/^/     detail: /' "$TMP/detail"
	fi
	rm -f "$TMP/detail"
	return 0
}

: >"$TMP/stdin"
cd "$FX"

# --- verdicts on udp chains and direct channels ---------------------------
check "consistent snapshot" 0 \
	"documents 1 accepted 1 checked 1 violations 0 chain_violations 0 balance_violations 0 unverifiable 0 max_excess -2 max_sent 10 pairs_checked 1 inflight 1 lost 0" \
	'^id 3 epoch 5 state accepted c1=10/8 m1>m2=5/4/1/0 ok$' \
	-- "${UDP[@]}" consistent.json
check "attempt statistics" 0 \
	"attempts 2 rejected_attempts 1 timeout_attempts 0 bound_median_us 59 bound_p99_us 59 bound_max_us 59 tau_min_us 33" \
	-- "${UDP[@]}" consistent.json
check "chain violation" 1 \
	"checked 1 violations 1 chain_violations 1 balance_violations 0 max_excess 1" \
	'^id 4 epoch 6 state accepted c1=10/11 .* VIOLATION chain c1: ' \
	-- "${UDP[@]}" chain-violation.json
check "balance violation" 1 \
	"checked 1 violations 1 chain_violations 0 balance_violations 1 pairs_checked 1" \
	'm1>m2=5/3/1/0 VIOLATION channel m1>m2: sent 5 != received 3 \+ inflight 1 \+ lost 0$' \
	-- "${UDP[@]}" balance-violation.json
check "balance explained by --lost (2 counted, 7 beyond S)" 0 \
	"checked 1 violations 0 balance_violations 0 lost 1" \
	'm1>m2=5/3/1/1 ok$' \
	-- "${UDP[@]}" --lost "m1>m2=lost-2-7.txt,port=9000" balance-violation.json
check "--lost over-explaining is a violation" 1 \
	"balance_violations 1 lost 2" \
	-- "${UDP[@]}" --lost "m1>m2=lost-2-4.txt,port=9000" balance-violation.json
check "--lost of another port does not apply" 1 \
	"balance_violations 1 lost 0" \
	-- "${UDP[@]}" --lost "m1>m2=lost-2-7.txt,port=9001" balance-violation.json
check "late packets shown with a violation" 1 \
	"balance_violations 1" \
	'VIOLATION channel m1>m2: .* \(late 1 at m2\)$' \
	-- "${UDP[@]}" late.json
# the same snapshot as a module with late entries and a coordinator that
# amends reports leave it: m2's record no longer counts the late packet,
# the report's channel m1 -> m2 does, and the balance holds with it
check "late packets from the amended report balance the channel" 0 \
	"checked 1 violations 0 balance_violations 0 late 1" \
	'm1>m2=5/3/1/0/late1 ok$' \
	-- "${UDP[@]}" late-amended.json
check "a report late count too high is a violation" 1 \
	"balance_violations 1 late 2" \
	'VIOLATION channel m1>m2: sent 5 != received 3 \+ inflight 1 \+ lost 0 \+ late 2$' \
	-- "${UDP[@]}" late-over.json
check "violations in several documents" 1 \
	"documents 3 checked 3 violations 2 chain_violations 1 balance_violations 1 max_excess 1" \
	-- "${UDP[@]}" consistent.json chain-violation.json balance-violation.json

# --- chains that are not there are never "0" ------------------------------
check "b's chain flow missing: unverifiable" 1 \
	"checked 0 unverifiable 1 violations 0" \
	'UNVERIFIABLE chain c1: m2.s udp flow from 10.9.0.1:7001 is missing$' \
	-- "${UDP[@]}" chain-missing.json
check "a misspelt chain (wrong sport): unverifiable, not 0 received" 1 \
	"checked 0 unverifiable 1" \
	'UNVERIFIABLE chain c1: m2.s udp flow from 10.9.0.1:7002 is missing$' \
	-- --chain "name=c1,proto=udp,a=m1,x=10.9.0.1,port=7000,b=m2,sport=7002" \
	consistent.json
check "a misspelt chain (wrong port): unverifiable" 1 \
	"checked 0 unverifiable 1" \
	'UNVERIFIABLE chain c1: m1.s udp flow to 10.9.0.1:7009 is missing$' \
	-- --chain "name=c1,proto=udp,a=m1,x=10.9.0.1,port=7009,b=m2,sport=7001" \
	consistent.json

# --- losses on the chain: what never reached b was never received -----------
check "chain losses among the first sent: 10 - 2 >= 8" 0 \
	"checked 1 violations 0 c1.lost 2 c1.gap_p50 0" \
	'c1=8/8 ' \
	-- --chain "name=c1,proto=udp,a=m1,x=10.9.0.1,port=7000,b=m2,sport=7001,lost=lost-1-2.txt" \
	consistent.json
check "chain losses over-explaining: 10 - 3 < 8" 1 \
	"checked 1 violations 1 chain_violations 1 violations_udp 1 c1.lost 3 c1.gap_p50 -1" \
	'VIOLATION chain c1: m2 received 8 datagrams .* \(less 3 lost\)$' \
	-- --chain "name=c1,proto=udp,a=m1,x=10.9.0.1,port=7000,b=m2,sport=7001,lost=lost-1-3.txt" \
	consistent.json
check "lost= on a tcp chain" 2 "" \
	-- --chain "name=t1,proto=tcp,a=m1,x=10.9.0.1,port=7100,b=m2,sport=7101,lost=lost-1-2.txt" \
	--tcp-base 20 tcp-ok.json

# --- OGM, from the attempts ----------------------------------------------------
check "accepted although t1 - t0 = tau_min" 1 \
	"checked 1 violations 1 ogm_violations 1 chain_violations 0" \
	'VIOLATION OGM: accepted with t0 100000 t1 133000, not t1 - t0 < tau_min 33000 ns$' \
	-- "${UDP[@]}" ogm-bound.json
check "every gateway acknowledged inside [t0, t1]" 0 \
	"checked 1 violations 0 ogm_violations 0" \
	-- "${UDP[@]}" --gateways gw1,gw2 --one-clock ogm-acks.json
check "a gateway's acknowledgement missing" 1 \
	"ogm_violations 1" 'VIOLATION OGM: 0 acknowledgements from gw3$' \
	-- "${UDP[@]}" --gateways gw1,gw2,gw3 ogm-acks.json
check "acknowledgements not recorded" 1 \
	"ogm_violations 1" 'VIOLATION OGM: the accepted attempt records no acknowledgements$' \
	-- "${UDP[@]}" --gateways gw1 consistent.json
check "a gateway already at a parallel snapshot's later epoch" 0 \
	"documents 2 checked 1 violations 0 ogm_violations 0" \
	-- "${UDP[@]}" --gateways gw1,gw2 --one-clock ogm-overtaken.json ogm-parallel.json
check "a gateway at a later epoch nobody issued after t0" 1 \
	"ogm_violations 1" 'VIOLATION OGM: gw2.s acknowledgement' \
	-- "${UDP[@]}" --gateways gw1,gw2 ogm-overtaken.json ogm-parallel-early.json
check "a gateway at a later epoch not in the input" 1 \
	"ogm_violations 1" -- "${UDP[@]}" --gateways gw1,gw2 ogm-overtaken.json
check "a gateway that had switched before the attempt" 1 \
	"ogm_violations 1" 'VIOLATION OGM: gw2.s acknowledgement does not show a switch' \
	-- "${UDP[@]}" --gateways gw1,gw2 ogm-stale-ack.json

# --- the straddle: b cut later than a by more than the chain's fastest path ---
check "b cut 5 ms after a, chain at least 1 ms: straddled" 0 \
	"checked 1 straddled 1 c1.straddled 1 c1.received_pos 1" \
	-- --chain "name=c1,proto=udp,a=m1,x=10.9.0.1,port=7000,b=m2,sport=7001,lmin_ms=1" \
	--one-clock straddle.json
check "b cut 5 ms after a, chain at least 5 ms: not straddled" 0 \
	"checked 1 straddled 0 c1.straddled 0" \
	-- --chain "name=c1,proto=udp,a=m1,x=10.9.0.1,port=7000,b=m2,sport=7001,lmin_ms=5" \
	--one-clock straddle.json
check "straddle needs one clock" 0 \
	"checked 1 straddled - c1.straddled -" \
	-- --chain "name=c1,proto=udp,a=m1,x=10.9.0.1,port=7000,b=m2,sport=7001,lmin_ms=1" \
	straddle.json

# --- the applications' own logs ------------------------------------------------
APP="name=c1,proto=udp,a=m1,x=10.9.0.1,port=7000,b=m2,sport=7001,sendlog=app-send.txt"
check "application logs: nothing sent after a's cut got to b before b's" 0 \
	"checked 1 app_checked 1 app_violations 0 violations 0 c1.lmin_us 500 c1.straddled 1" \
	-- --chain "$APP,recvlog=app-recv-ok.txt" --one-clock straddle.json
check "application logs: message 9, sent after a's cut, before b's cut" 1 \
	"checked 1 app_checked 1 app_violations 1 chain_violations 0 violations_udp 1 c1.app_violations 1" \
	"VIOLATION chain c1: m2's application had message 9 before its cut, which m1's sent after its own \(the first after: 9\)$" \
	-- --chain "$APP,recvlog=app-recv-bad.txt" --one-clock straddle.json
check "application logs: a message nobody sent" 3 "" \
	-- --chain "$APP,recvlog=app-recv-unsent.txt" --one-clock straddle.json
check "application logs: time going backwards" 3 "" \
	-- --chain "$APP,recvlog=app-recv-backwards.txt" --one-clock straddle.json
check "application logs need one clock" 2 "" \
	-- --chain "$APP,recvlog=app-recv-ok.txt" straddle.json
check "sendlog without recvlog" 2 "" -- --chain "$APP" --one-clock straddle.json

# --- tcp chains -----------------------------------------------------------
check "tcp chain across the 2^32 wrap" 0 \
	"documents 2 checked 2 violations 0 max_sent 1000 max_excess 0" \
	'^id 21 epoch 31 state accepted t1=1000/900 ok$' \
	-- "${TCP[@]}" tcp-base.json tcp-ok.json
check "tcp chain violation" 1 \
	"checked 2 violations 1 chain_violations 1 max_excess 100" \
	't1=1000/1100 VIOLATION chain t1: ' \
	-- "${TCP[@]}" tcp-base.json tcp-violation.json
check "tcp flow without tx_seq: unverifiable" 1 \
	"checked 1 unverifiable 1 violations 0" \
	'^id 23 .* UNVERIFIABLE chain t1: m1.s tcp flow .* has no tx_seq$' \
	-- "${TCP[@]}" tcp-base.json tcp-noseq.json
check "snapshot before the tcp base: unverifiable" 1 \
	"checked 1 unverifiable 1" \
	'^id 20 .* UNVERIFIABLE chain t1: taken before' \
	-- --chain "name=t1,proto=tcp,a=m1,x=10.9.0.1,port=7100,b=m2,sport=7101" \
	--tcp-base 21 tcp-base.json tcp-ok.json
check "tcp base not in the input" 3 "" \
	-- --chain "name=t1,proto=tcp,a=m1,x=10.9.0.1,port=7100,b=m2,sport=7101" \
	--tcp-base 99 tcp-base.json tcp-ok.json

# --- completeness -----------------------------------------------------------
check "member record missing" 1 \
	"accepted 1 checked 0 unverifiable 1 violations 0 max_excess -" \
	'^id 6 epoch 8 state accepted UNVERIFIABLE m2 has no record$' \
	-- "${UDP[@]}" missing-member.json
check "member record missing, no chain" 1 \
	"checked 0 unverifiable 1" -- missing-member.json
check "cut still settling" 1 \
	"checked 0 unverifiable 1" 'UNVERIFIABLE m2.s cut is settling' \
	-- "${UDP[@]}" cut-settling.json
check "cut of an older epoch" 1 \
	"checked 0 unverifiable 1" 'UNVERIFIABLE m2.s cut covers epochs 9..9, not 10' \
	-- "${UDP[@]}" cut-stale.json
check "one cut for this epoch and the next" 0 \
	"checked 1 unverifiable 0" -- "${UDP[@]}" cut-ahead.json
check "unverifiable fails a run with a good snapshot" 1 \
	"checked 1 unverifiable 1 violations 0" \
	-- "${UDP[@]}" consistent.json missing-member.json

# --- only accepted snapshots are checked ------------------------------------
check "rejected snapshot alone: nothing checked" 1 \
	"documents 1 accepted 0 rejected 1 checked 0 violations 0 attempts 3 rejected_attempts 3 timeout_attempts 1 bound_max_us 50" \
	'^id 12 epoch 0 state rejected$' \
	-- "${UDP[@]}" rejected.json
check "rejected snapshot with an accepted one" 0 \
	"documents 2 accepted 1 rejected 1 checked 1 violations 0 attempts 5 rejected_attempts 4 bound_median_us 50 bound_p99_us 59" \
	-- "${UDP[@]}" consistent.json rejected.json
cat consistent.json rejected.json chain-violation.json >"$TMP/stdin"
check "concatenated on stdin" 1 \
	"documents 3 accepted 2 rejected 1 checked 2 chain_violations 1" \
	-- "${UDP[@]}"
: >"$TMP/stdin"
check "empty input" 1 \
	"documents 0 checked 0 bound_median_us - tau_min_us - max_excess -" \
	-- "${UDP[@]}"

# --- IPv6 -------------------------------------------------------------------
# the same scenes with IPv6 addresses (a copy of the fixture, every member,
# VIP and out-group address IPv6): the same verdicts, the channel named
# F>T~6 in the detail line; and dual-stack members (report addresses, a
# channel per family), whose channels balance each by itself
v6() {
	sed 's/"10\.0\.0\.1"/"2001:db8::1"/g; s/"10\.0\.0\.2"/"2001:db8::2"/g
	     s/"10\.9\.0\.1"/"2001:db8:9::1"/g
	     s/"10\.0\.100\.1"/"2001:db8:100::1"/g' "$1" >"$TMP/$2"
}
UDP6=(--chain "name=c1,proto=udp,a=m1,x=2001:db8:9::1,port=7000,b=m2,sport=7001")
TCP6=(--chain "name=t1,proto=tcp,a=m1,x=2001:db8:9::1,port=7100,b=m2,sport=7101"
      --tcp-base 20)
v6 consistent.json consistent6.json
v6 balance-violation.json balance-violation6.json
v6 chain-violation.json chain-violation6.json
v6 tcp-base.json tcp-base6.json
v6 tcp-ok.json tcp-ok6.json
v6 late-amended.json late-amended-nofamily6.json
sed 's/"from": "m1",/"from": "m1", "family": "ipv6",/' "$TMP/late-amended-nofamily6.json" \
	>"$TMP/late-amended6.json"
check "IPv6: consistent snapshot" 0 \
	"documents 1 accepted 1 checked 1 violations 0 balance_violations 0 unverifiable 0 max_excess -2 max_sent 10 pairs_checked 1 inflight 1" \
	'^id 3 epoch 5 state accepted c1=10/8 m1>m2~6=5/4/1/0 ok$' \
	-- "${UDP6[@]}" "$TMP/consistent6.json"
check "IPv6: chain violation" 1 \
	"checked 1 violations 1 chain_violations 1 max_excess 1" \
	'VIOLATION chain c1: m2 received 11 datagrams from \[2001:db8:9::1\]:7001 > m1 sent 10 to \[2001:db8:9::1\]:7000' \
	-- "${UDP6[@]}" "$TMP/chain-violation6.json"
check "IPv6: balance violation" 1 \
	"checked 1 violations 1 balance_violations 1 pairs_checked 1" \
	'm1>m2~6=5/3/1/0 VIOLATION channel m1>m2~6: sent 5 != received 3 \+ inflight 1 \+ lost 0$' \
	-- "${UDP6[@]}" "$TMP/balance-violation6.json"
check "IPv6: balance explained by --lost" 0 \
	"checked 1 violations 0 balance_violations 0 lost 1" \
	'm1>m2~6=5/3/1/1 ok$' \
	-- "${UDP6[@]}" --lost "m1>m2=lost-2-7.txt,port=9000" "$TMP/balance-violation6.json"
check "IPv6: an IPv4 chain address finds no IPv6 flow" 1 \
	"checked 0 unverifiable 1" \
	'UNVERIFIABLE chain c1: m1.s udp flow to 10.9.0.1:7000 is missing' \
	-- "${UDP[@]}" "$TMP/consistent6.json"
check "IPv6: tcp chain" 0 \
	"checked 2 violations 0 unverifiable 0 max_sent 1000" \
	'^id 21 epoch 31 state accepted t1=1000/900 ok$' \
	-- "${TCP6[@]}" "$TMP/tcp-base6.json" "$TMP/tcp-ok6.json"
check "IPv6: late packets of the report's IPv6 channel balance it" 0 \
	"checked 1 violations 0 balance_violations 0 late 1" \
	'm1>m2~6=5/3/1/0/late1 ok$' \
	-- "${UDP6[@]}" "$TMP/late-amended6.json"
check "IPv6: late packets of an IPv4 channel do not balance an IPv6 one" 1 \
	"balance_violations 2" \
	-- "${UDP6[@]}" "$TMP/late-amended-nofamily6.json"
check "dual stack: each family balances by itself" 0 \
	"checked 1 violations 0 balance_violations 0 pairs_checked 2 inflight 1" \
	'^id 7 epoch 5 state accepted c1=10/8 m1>m2=5/4/1/0 m1>m2~6=3/3/0/0 ok$' \
	-- "${UDP[@]}" dual-stack.json
check "dual stack: families that balance only summed are two violations" 1 \
	"checked 1 violations 1 balance_violations 2 pairs_checked 2" \
	'VIOLATION channel m1>m2: sent 5 != received 5 \+ inflight 1 \+ lost 0; channel m1>m2~6: sent 3 != received 2 \+ inflight 0 \+ lost 0$' \
	-- "${UDP[@]}" dual-stack-crossed.json
# a mixed chain: m1 reaches X over IPv6, X sends on over IPv4 (m2 sees it
# as 10.9.0.1): xb= names X as m2 sees it
perl -0pe 's/"laddr": "10\.0\.0\.1",(\s*"lport": 40000,\s*)"raddr": "10\.9\.0\.1"/"laddr": "2001:db8::1",$1"raddr": "2001:db8:9::1"/' \
	consistent.json >"$TMP/mixed.json"
check "mixed chain: x over IPv6, xb over IPv4" 0 \
	"checked 1 violations 0 unverifiable 0 max_sent 10" \
	'^id 3 epoch 5 state accepted c1=10/8 ' \
	-- --chain "name=c1,proto=udp,a=m1,x=2001:db8:9::1,xb=10.9.0.1,port=7000,b=m2,sport=7001" \
	"$TMP/mixed.json"
check "mixed chain without xb: b's flow from X's IPv6 address is missing" 1 \
	"checked 0 unverifiable 1" \
	'UNVERIFIABLE chain c1: m2.s udp flow from \[2001:db8:9::1\]:7001 is missing' \
	-- "${UDP6[@]}" "$TMP/mixed.json"
check "mixed chain: a violation names X as each side sees it" 1 \
	"checked 1 chain_violations 1" \
	'VIOLATION chain c1: m2 received 11 datagrams from 10\.9\.0\.1:7001 > m1 sent 10 to \[2001:db8:9::1\]:7000' \
	-- --chain "name=c1,proto=udp,a=m1,x=2001:db8:9::1,xb=10.9.0.1,port=7000,b=m2,sport=7001" \
	<(perl -0pe 's/"laddr": "10\.0\.0\.1",(\s*"lport": 40000,\s*)"raddr": "10\.9\.0\.1"/"laddr": "2001:db8::1",$1"raddr": "2001:db8:9::1"/' chain-violation.json)
check "IPv6: an IPv4-mapped address in an export is an input error" 3 "" \
	-- "${UDP6[@]}" <(sed 's/"2001:db8::2"/"::ffff:10.0.0.2"/' "$TMP/consistent6.json")
check "IPv6: a bad --chain x" 2 "" \
	-- --chain "name=c1,proto=udp,a=m1,x=2001:db8::g,port=7000,b=m2,sport=7001" consistent.json

# --- input and usage errors ---------------------------------------------------
check "malformed JSON" 3 "" -- "${UDP[@]}" malformed.json
check "not an export (a beaverctl error)" 3 "" -- "${UDP[@]}" wrong-schema.json
check "lost file with number 0" 3 "" \
	-- "${UDP[@]}" --lost "m1>m2=lost-0.txt,port=9000" balance-violation.json
check "lost file missing" 3 "" \
	-- "${UDP[@]}" --lost "m1>m2=no-such-file,port=9000" balance-violation.json
check "tcp chain without --tcp-base" 2 "" \
	-- --chain "name=t1,proto=tcp,a=m1,x=10.9.0.1,port=7100,b=m2,sport=7101" tcp-ok.json
check "incomplete --chain" 2 "" -- --chain "name=c1,proto=udp,a=m1" consistent.json
check "unknown option" 2 "" -- --frobnicate consistent.json
check "--gateways with a name twice" 2 "" -- "${UDP[@]}" --gateways gw1,gw1 consistent.json

echo "oracle-selftest: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
