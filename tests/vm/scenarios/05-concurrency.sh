# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 240
#
# (d) Exactness under concurrency. Four UDP senders, pinned two per vCPU,
# stream between the members while `beaver-nl advance-loop` moves all three
# members through hundreds of epochs per second. Afterwards, for every epoch
# and every ordered pair of members, the channel balance holds exactly
# (sender's tx at its cut = receiver's rx at its cut + in-flight), and the
# totals at a final cut equal what the senders reported sending.
#
#   m1 -> m3 (cpu0)   m2 -> m3 (cpu1)   m3 -> m1 (cpu0)   m1 -> m2 (cpu1)

need_module
need_tools beaver-nl udpnum
COUNT=4000
PPS=2500
EPOCHS=100	# every record is dumped by its own beaver-nl: ~0.2 s each under TCG
FROM=2
M="10.0.1.11=m1 10.0.1.12=m2 10.0.1.13=m3"

log "lab"
lab_lan
beaver_lab 200
for m in m1 m2 m3; do bnl "$m" member-advance 1 >/dev/null; done

# SENDER RECEIVER RADDR PORT CPU
flows="m1:m3:10.0.1.13:8001:0 m2:m3:10.0.1.13:8002:1 m3:m1:10.0.1.11:8003:0 m1:m2:10.0.1.12:8004:1"
rpids=()
for fl in $flows; do
	IFS=: read -r s r ra port cpu <<<"$fl"
	nsx "$r" udpnum recv --port "$port" --timeout-ms 90000 --idle-ms 5000 \
		--ready-file "$(ready_file "r$port")" >"$VM_STATE/recv.$port" &
	rpids+=($!)
done
for fl in $flows; do
	IFS=: read -r s r ra port cpu <<<"$fl"
	wait_ready "r$port"
done

log "$((COUNT * 4)) datagrams from 4 senders, $EPOCHS epochs on 3 members"
spids=()
for fl in $flows; do
	IFS=: read -r s r ra port cpu <<<"$fl"
	nsx "$s" taskset -c "$cpu" udpnum send --dst "$ra" --port "$port" \
		--sport $((port + 100)) --count $COUNT --pps $PPS --size 120 \
		>"$VM_STATE/send.$port" &
	spids+=($!)
done
sleep 0.2
loop=$(beaver-nl advance-loop --mode member --netns m1,m2,m3 --from $FROM \
	--count $EPOCHS --interval-us 2000)
echo "$loop"
last=$(kv "$loop" last)
figure epochs "$EPOCHS"
figure advance_rate "$(awk -v n="$(kv "$loop" requests)" -v s="$(kv "$loop" secs)" \
	'BEGIN { printf "%.0f/s\n", (s > 0 ? n / s : 0) }')"
check_eq "$last" $((FROM + EPOCHS - 1)) "last epoch of the advance loop"
for p in "${spids[@]}"; do wait "$p"; done
for p in "${rpids[@]}"; do wait "$p" || true; done
sleep 0.3
final=$((last + 1))
for m in m1 m2 m3; do
	bnl "$m" member-advance $final >/dev/null
	bnl "$m" wait-complete $final 20000 >/dev/null
done

log "dumping $((final - FROM + 1)) records of 3 members"

t0=$EPOCHREALTIME
dump_records "$VM_STATE/d" $FROM $final m1 m2 m3
figure dump_secs "$(elapsed "$t0")"
check_eq "$(wc -l <"$VM_STATE/d/errors")" 0 "failed record dumps"
head -n 3 "$VM_STATE/d/errors"

res=$(balance "$VM_STATE/d" $FROM $final $M)
echo "$res" | head -n 20
sum=$(echo "$res" | tail -n 1)
bad=$(echo "$res" | grep -c '^bad' || true)
figure balance_pairs "$(kv "$sum" pairs)"
figure inflight_pkts "$(kv "$sum" inflight)"
figure late_pkts "$(kv "$sum" late)"
check_eq "$bad" 0 "epoch/channel pairs out of balance (first: $(echo "$res" | grep -m1 '^bad' || true))"
check_eq "$(kv "$sum" pairs)" $(( (final - FROM + 1) * 6 )) "pairs checked"
busy=$(kv "$sum" epochs_with_traffic)
figure epochs_with_traffic "$busy"
check_ge "$busy" $((EPOCHS / 2)) "epochs during which traffic flowed (the loop overlapped the senders)"

log "final totals"
total=0
for fl in $flows; do
	IFS=: read -r s r ra port cpu <<<"$fl"
	sent=$(kv "$(cat "$VM_STATE/send.$port")" sent)
	got=$(cat "$VM_STATE/recv.$port")
	total=$((total + sent))
	check_eq "$sent" $COUNT "$s -> $r: datagrams sent"
	check_eq "$(kv "$got" received)/$(kv "$got" bad)/$(kv "$got" dup)" "$sent/0/0" \
		"$s -> $r: received/bad/dup by the application"
	check_eq "$(rsum "$VM_STATE/d/$s.$final" flow tx_pkts proto=17 raddr="$ra" rport="$port")" "$sent" \
		"$s -> $r: sender's flow tx_pkts at the final cut"
	check_eq "$(rsum "$VM_STATE/d/$r.$final" flow rx_pkts proto=17 lport="$port")" "$sent" \
		"$s -> $r: receiver's flow rx_pkts at the final cut"
done
figure datagrams "$total"
cpus=$(bnl m3 records $final --raw | awk '$1 == "flow" { for (i = 2; i < NF; i += 2) if ($i == "cpu") c[$(i + 1)] = 1 }
	END { n = 0; for (k in c) n++; print n }')
figure m3_cpus "$cpus"
check_ge "$cpus" 2 "CPUs with flow shares on m3 (traffic on both vCPUs)"
for m in m1 m2 m3; do
	check_eq "$(bstat "$m" stat.misorder)/$(bstat "$m" stat.nomem)/$(bstat "$m" stat.record_limit)/$(bstat "$m" stat.history_limit)" \
		0/0/0/0 "$m misorder/nomem/record_limit/history_limit"
done
