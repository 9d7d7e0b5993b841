# SPDX-License-Identifier: GPL-2.0
#
# The bank example (examples/bank, docs/applications.md "The bank") on the
# demo lab, for scenario 43 and make demo. Sourced after lib.sh and
# chain.sh (ch_to: netem per destination).
#
#   m1, m2, m3: bank-server, 1,000,000 in all, transfers to each other
#     u  directly (UDP 7300), 25 ms on the way (netem): in flight at cuts
#     t  over TCP (7320), the same 25 ms
#     r  through bank-relay on x (out-group): m -> x:7400 -> VIP2:7310+N
#        -> gw2 (IPVS DR) -> mN, a few ms: the external causal chain
#   coord: its datagrams to m1, m2, m3 take 10, 20, 30 ms, so members cut
#     at different moments, from the gateway's mark on a relayed transfer,
#     a peer's stamp or the advance
#   bank_control: gateway marking off, the advances 20, 120, 220 ms late
#     and the direct path 100 ms: m1 cuts well before m2 and m3, and a transfer
#     it relays after its cut reaches them before they cut: the money is
#     counted twice (the controls must find the total wrong)

BANK_TOTAL=1000000
BANK_RATE=${BANK_RATE:-60}	# transfers a second per server

# bank_net: on a lab_demo whose members have no root qdisc of their own,
# the relay's VIP ports on gw2 and the delays above
bank_net() {
	local i j
	for i in 1 2 3; do
		echo "-A -u $DEMO_VIP2:$((7310 + i)) -s rr"
		echo "-a -u $DEMO_VIP2:$((7310 + i)) -r 10.0.1.1$i:$((7310 + i)) -g -w 1"
	done | nsx gw2 ipvsadm -R
	for i in 1 2 3; do
		for j in 1 2 3; do
			[ $i = $j ] || ch_to "m$i" "10.0.1.1$j" delay 25ms
		done
		ch_to coord "10.0.1.1$i" delay "$((10 * i))ms"
	done
}

# bank_control on|off: the control's conditions (above), or back
bank_control() {
	local i j
	if [ "$1" = on ]; then
		echo N >/sys/module/beaver/parameters/gateway_marking
	else
		echo Y >/sys/module/beaver/parameters/gateway_marking
	fi
	for i in 1 2 3; do
		for j in 1 2 3; do
			[ $i = $j ] || ch_to "m$i" "10.0.1.1$j" delay "$([ "$1" = on ] && echo 100 || echo 25)ms"
		done
		ch_to coord "10.0.1.1$i" delay "$([ "$1" = on ] && echo $((100 * i - 80)) || echo $((10 * i)))ms"
	done
}

# the members' beaverd: epochs in the app_mark bits, captures that hold a
# whole transfer
BANK_MEMBER_OPTS="module.app_mark=0xff0000 module.capture_bytes=128"

# bank_lab: lab_demo without its blanket member delay, bank_net, every
# daemon up
bank_lab() {
	DEMO_DELAY= lab_demo
	# a transfer in flight must arrive before its record closes to be
	# captured: a generous settle interval for TCG on a busy host
	BVD_SETTLE_MS=400
	bank_net
	BVD_MEMBER_OPTS=$BANK_MEMBER_OPTS
	demo_daemons coordinator.max_outstanding=12
}

# bank_start: bank-relay on x, a bank-server on every member
bank_start() {
	local i j peers bal
	: >"$VM_STATE/bank.pids"
	nsenter --net=/run/netns/x -- bank-relay --vip $DEMO_VIP2 --timeout-ms 600000 \
		--ready-file "$(ready_file relay)" >"$VM_STATE/bank.relay" 2>&1 &
	echo $! >>"$VM_STATE/bank.pids"
	wait_ready relay
	# the servers run as nobody with the beaver group (the apps socket's):
	# an application needs no privilege, TCP included; their ready files
	# need a directory they may write
	chmod 1777 "$VM_STATE"
	for i in 1 2 3; do
		peers=
		for j in 1 2 3; do [ $i = $j ] || peers+=" --peer $j=10.0.1.1$j"; done
		bal=333333
		[ $i = 1 ] && bal=333334
		# shellcheck disable=SC2086 # the peers, one word each
		nsenter --net="/run/netns/m$i" -- \
			setpriv --reuid=65534 --regid=65534 --groups=beaver \
			bank-server --id $i --addr 10.0.1.1$i $peers \
			--relay 10.0.1.50 --balance $bal --rate "$BANK_RATE" --seed $i \
			--socket "$BVD_DIR/m$i/run/apps.sock" --timeout-ms 600000 \
			--ready-file "$(ready_file "bank$i")" >"$VM_STATE/bank.m$i" 2>&1 &
		echo $! >>"$VM_STATE/bank.pids"
	done
	for i in 1 2 3; do
		wait_ready "bank$i" || { tail -n 5 "$VM_STATE/bank.m$i"; return 1; }
	done
}

# bank_stop: every bank process ends and says what it did; the servers
# first stop starting transfers (SIGUSR1), so that none writes to a peer
# that has already gone
bank_stop() {
	local pid f
	for pid in $(tail -n +2 "$VM_STATE/bank.pids"); do kill -USR1 "$pid" 2>/dev/null || true; done
	sleep 0.3
	for pid in $(cat "$VM_STATE/bank.pids"); do kill -TERM "$pid" 2>/dev/null || true; done
	for pid in $(cat "$VM_STATE/bank.pids"); do wait "$pid" || true; done
	for f in relay m1 m2 m3; do echo "bank $f: $(tail -n1 "$VM_STATE/bank.$f")"; done
}

# bank_series TAG N PAR: N snapshots by PAR clients at once (chain.sh),
# exported to $VM_STATE/export.TAG, checked into $VM_STATE/check.TAG;
# prints bank-check's summary line
bank_series() {
	chain_snapshots "$1" "$2" "$3"
	chain_export "$1"
	bank-check --total $BANK_TOTAL "$VM_STATE/export.$1" >"$VM_STATE/check.$1" || true
	tail -n1 "$VM_STATE/check.$1"
}
