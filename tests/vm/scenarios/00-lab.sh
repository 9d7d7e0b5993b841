# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 40
#
# The lab itself, without beaver.ko: namespaces on a bridge, an IPVS
# director forwarding UDP in NAT and DR mode, iproute2/ipvsadm/tc working in
# the VM. If this fails, every other scenario's result means nothing.

log "building the lab"
lab_ipvs
modprobe sch_netem
check 'ip -n m1 -br link show eth0 | grep -q UP' "m1's eth0 is up (iproute2, not busybox ip)"
check 'nsx client ping -c 1 -W 2 10.0.1.1 >/dev/null' "client reaches the director"
check 'nsx m1 ping -c 1 -W 2 10.0.1.12 >/dev/null' "m1 reaches m2 across br0"
check 'nsx m2 ping -c 1 -W 2 10.0.2.2 >/dev/null' "m2 reaches the client through the director"

ipvs_service director tcp $VIP_NAT:5002
ipvs_real director tcp $VIP_NAT:5002 10.0.1.12:5002 nat
ipvs_service director tcp $VIP_DR:5001
ipvs_real director tcp $VIP_DR:5001 10.0.1.11:5001 dr
nsx director ipvsadm -Ln

# a line over TCP through each VIP (busybox nc listens; the project's tools are
# not needed here: this checks the lab, not the tools). The DR reply path
# (real server -> director -> client, source VIP) needs accept_local.
for svc in nat:m2:$VIP_NAT:5002 dr:m1:$VIP_DR:5001; do
	IFS=: read -r mode m vip port <<<"$svc"
	nsx "$m" timeout 10 nc -l -p "$port" >"$VM_STATE/nc.$mode" &
	srv=$!
	wait_tcp "$m" "$port"
	# bash's /dev/tcp: connect, write, close (busybox nc would wait for the
	# server to close first)
	nsx client timeout 5 bash -c "echo hello-$mode >/dev/tcp/$vip/$port" || true
	wait $srv || true
	check "grep -q hello-$mode $VM_STATE/nc.$mode" "TCP via the $mode VIP reaches $m"
done
conns=$(nsx director ipvsadm -Lnc | grep -c -E '10\.0\.1\.1[12]' || true)
figure ipvs_conns "$conns"
check_ge "$conns" 2 "IPVS connection entries on the director"

tc -n m1 qdisc add dev eth0 root netem delay 5ms
check 'tc -n m1 qdisc show dev eth0 | grep -q netem' "netem qdisc installed"
rtt=$(nsx m1 ping -c 3 -i 0.2 -W 2 10.0.1.12 | awk -F/ '/min\/avg/ { print int($4) }')
figure rtt_ms "$rtt"
check_ge "$rtt" 5 "ping RTT with 5 ms netem delay"

check 'id nobody >/dev/null 2>&1 || grep -q ^nobody: /etc/passwd' "an unprivileged user exists"
check '[ "$(setpriv --reuid=65534 --regid=65534 --clear-groups id -u)" = 65534 ]' "setpriv drops to uid 65534"
