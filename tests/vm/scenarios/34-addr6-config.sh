# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 240
#
# The address model for both families (issue #11), in the module and in
# beaverd.
#
# 1. The module (beaver-nl). SET_CONFIG
# takes IPv6 members, VIPs, gateways and allow prefixes beside IPv4 ones
# (BEAVER_A_LIST_ITEM6, BEAVER_A_PREFIX_ADDR6), GET_STATUS gives them back
# (IPv4 as NLA_BE32 as before, IPv4 first: the lists are sorted, IPv4
# mapped); GET_INFO's BEAVER_CAP_IPV6 is a figure here (36-ipv6-path,
# the data path, requires it; part 2 tests beaverd with and without it,
# the latter with an older module: BEAVER_KO). Refused,
# with an extack message and no change: prefix /129, IPv4 /33, host bits,
# an IPv4-mapped or unspecified address, an IPv6 item of 15 bytes, a
# prefix with both an IPv4 and an IPv6 address. The VM
# has IPv6 disabled on every interface: configuration needs none (the
# member's gateway refresh finds no IPv6 route, and must survive that).
#
# 2. beaverd. The control plane stays IPv4: an IPv6 listen or peer address
# is refused with FILE:LINE and "the control plane is IPv4 for now",
# whatever the module. A coordinator takes a dual-stack member's data list
# (every address in members; one that is not: FILE:LINE). Then, with a
# module that advertises BEAVER_CAP_IPV6: a member's beaverd with IPv6
# members, VIPs, gateways and allow prefixes starts and configures the
# module with them (beaver-nl status reads them back; beaverctl status
# --json shows the capability). With a module that does not: that beaverd
# refuses to start, naming the key and saying the module is too old, and
# the same host with IPv4 alone starts as before.
#
#   mb: role member, group 7, IPv4 and IPv6 in every list (beaver-nl)
#   m6: a member's beaverd (control plane on 127.0.0.1)

need_module
need_tools beaver-nl

netns mb
beaver_load
caps=$(beaver-nl info | awk '$1 == "caps" { print $2 }')
figure caps "$caps"
ipv6=$(((caps >> 9) & 1))
figure cap_ipv6 "$ipv6"
check '[ "$((caps & 0x1ff))" = $((0x1ff)) ]' "GET_INFO: caps $caps has every IPv4 capability"

log "IPv4 and IPv6 in every list"
bnl mb config role member group 7 \
	members 10.0.1.12,2001:db8::b,10.0.1.11,2001:DB8::a,2001:db8::b \
	vips 2001:db8:9::1,10.9.0.1 gateways fe80::1,10.0.1.1,2001:db8::1 \
	allow 10.8.0.0/16,2001:db8:100::/48,::/0,0.0.0.0/0,2001:db8::b/128
bnl mb status
check_eq "$(bstat mb members)" 10.0.1.11,10.0.1.12,2001:db8::a,2001:db8::b \
	"members (sorted, IPv4 first, duplicates once)"
check_eq "$(bstat mb vips)" 10.9.0.1,2001:db8:9::1 "vips"
check_eq "$(bstat mb gateways)" 10.0.1.1,2001:db8::1,fe80::1 "gateways"
check_eq "$(bstat mb allow)" 10.8.0.0/16,2001:db8:100::/48,::/0,0.0.0.0/0,2001:db8::b/128 \
	"allow (as given)"
# the member's gateway refresh ran with IPv6 gateways and no IPv6 route
sleep 1
check 'beaver_loaded' "the module is still there after the gateway refresh"

log "IPv4 alone: as it always was"
bnl mb config members 10.0.1.11 vips none gateways 10.0.1.1 allow 10.8.0.0/16
check_eq "$(bstat mb members)" 10.0.1.11 "members, IPv4 only"
check_eq "$(bstat mb vips)" none "vips, none"
check_eq "$(bstat mb allow)" 10.8.0.0/16 "allow, IPv4 only"
bnl mb config members 10.0.1.11,2001:db8::a allow 10.8.0.0/16,2001:db8:100::/48
before=$(bnl mb status)

n=0
# refuse WHAT ERRNO-TEXT EXTACK-TEXT CONFIG-ARGS...: beaver-nl config fails
# with that errno and extack message
refuse() {
	local what=$1 err=$2 msg=$3 out rc=0
	shift 3
	out=$(bnl mb config "$@" 2>&1) || rc=$?
	echo "$what: $out (exit $rc)"
	if [ "$rc" = 1 ] && [[ $out == *"$err: "*"$msg"* ]]; then
		n=$((n + 1))
	else
		fail "$what: got '$out' (exit $rc), want '$err' with '$msg'"
	fi
}

log "refused requests"
refuse "IPv6 prefix /129" "Numerical result out of range" "out of range" \
	allow 2001:db8::/129
refuse "IPv4 prefix /33" "Numerical result out of range" "an IPv4 prefix length is 0..32" \
	allow 10.0.0.0/33
refuse "IPv6 prefix with host bits" "Invalid argument" "invalid prefix for given prefix length" \
	allow 2001:db8::1/64
refuse "IPv4-mapped member" "Invalid argument" "an IPv4-mapped address goes as IPv4" \
	members 10.0.1.11,::ffff:10.0.1.12
refuse "IPv4-mapped prefix" "Invalid argument" "an IPv4-mapped address goes as IPv4" \
	allow ::ffff:10.0.0.0/104
refuse "unspecified vip" "Invalid argument" "the unspecified address :: is nobody's" \
	vips ::
# (raw: attribute 6 MEMBERS, 8 ALLOW; inside, type 2 LIST_ITEM6, or a
# LIST_ITEM holding 1 PREFIX_ADDR, 2 PREFIX_LEN and 3 PREFIX_ADDR6)
out=$(bnl mb raw 2 "6|0x8000:1300020020010db800000000000000000000ff00" 2>&1) || true
echo "IPv6 member of 15 bytes: $out"
if [[ $out =~ ^error\ ERANGE\ msg\ \".+\"$ ]]; then n=$((n + 1)); else
	fail "IPv6 member of 15 bytes: got '$out', want ERANGE with an extack message"; fi
out=$(bnl mb raw 2 "8|0x8000:28000180080001000000000005000200000000001400030020010db8"\
"000000000000000000000000" 2>&1) || true
echo "prefix with IPv4 and IPv6 addresses: $out"
if [[ $out =~ ^error\ EINVAL\ msg\ \"a\ prefix\ needs\ an\ address\ and\ a\ length\"$ ]]; then
	n=$((n + 1)); else
	fail "prefix with both addresses: got '$out', want EINVAL 'a prefix needs an address and a length'"; fi

log "nothing changed"
check '[ "$(bnl mb status)" = "$before" ]' "status unchanged by the refused requests"
diff <(echo "$before") <(bnl mb status) || true
figure refused "$n"
check_eq "$n" 8 "requests refused with their message"

# -- 2. beaverd ----------------------------------------------------------------

BVD_COORDS=coord=10.0.1.5
bvd_group "gw=10.0.1.1" "m6=10.0.1.11"
netns m6
M6_MEMBERS=group.members=10.0.1.11,2001:db8::b,2001:db8::c
M6_V6=("$M6_MEMBERS" group.vips=10.9.0.1,2001:db8:9::1
	group.gateways=10.0.1.1,fe80::1 group.allow=10.8.0.0/16,2001:db8:100::/48)

# refused_conf WHAT FILE KEY TEXT: beaverd --check-config fails on FILE
# with "FILE:LINE: TEXT", LINE that of KEY's line
refused_conf() {
	local what=$1 f=$2 key=$3 want=$4 out rc=0 line
	line=$(grep -n "^$key = " "$f" | head -n1 | cut -d: -f1)
	out=$(beaverd --check-config -c "$f" 2>&1) || rc=$?
	echo "$what: $out (exit $rc)"
	if [ "$rc" != 1 ] || [[ $out != *"$f:$line: $want"* ]]; then
		fail "$what: got '$out' (exit $rc), want '$f:$line: $want'"
	else
		echo "[.] ok: $what"
	fi
}

log "beaverd: the control plane is IPv4 for now"
bvd_conf m6 member 127.0.0.1 "${M6_V6[@]}" "beaverd.listen=[2001:db8::b]:5150"
refused_conf "IPv6 listen" "$BVD_DIR/m6.conf" listen \
	"listen: 2001:db8::b: an IPv6 address, but the control plane is IPv4 for now"
bvd_conf m6 member 127.0.0.1 "${M6_V6[@]}"
sed -i 's/^address = 10\.0\.1\.5:5150$/address = [2001:db8::5]:5150/' "$BVD_DIR/m6.conf"
refused_conf "IPv6 coordinator address" "$BVD_DIR/m6.conf" address \
	"address: 2001:db8::5: an IPv6 address, but the control plane is IPv4 for now"

log "beaverd: a coordinator with a dual-stack member"
bvd_conf c6 coordinator 127.0.0.1 "$M6_MEMBERS"
sed -i 's/^data = 10\.0\.1\.11$/data = 10.0.1.11, 2001:db8::b/' "$BVD_DIR/c6.conf"
out=$(beaverd --check-config -c "$BVD_DIR/c6.conf" 2>&1) || true
echo "$out"
check '[[ $out == *": ok" ]]' "coordinator: data = 10.0.1.11, 2001:db8::b accepted"
sed -i 's/^data = 10\.0\.1\.11, 2001:db8::b$/data = 10.0.1.11, 2001:db8::99/' "$BVD_DIR/c6.conf"
line=$(grep -n '^data = ' "$BVD_DIR/c6.conf" | cut -d: -f1)
out=$(beaverd --check-config -c "$BVD_DIR/c6.conf" 2>&1) || true
echo "$out"
check '[[ $out == *"c6.conf:$line: [member:m6]: data address 2001:db8::99 is not in [group] members"* ]]' \
	"coordinator: a data address outside members refused with file:line"

# m6's beaverd with IPv6 in every data-plane list
bvd_conf m6 member 127.0.0.1 "${M6_V6[@]}"
if [ "$ipv6" = 1 ]; then
	log "beaverd: IPv6 configuration, module with BEAVER_CAP_IPV6"
	bvd_up m6
	bnl m6 status
	check_eq "$(bstat m6 members)" 10.0.1.11,2001:db8::b,2001:db8::c "m6 members"
	check_eq "$(bstat m6 vips)" 10.9.0.1,2001:db8:9::1 "m6 vips"
	check_eq "$(bstat m6 gateways)" 10.0.1.1,fe80::1 "m6 gateways"
	check_eq "$(bstat m6 allow)" 10.8.0.0/16,2001:db8:100::/48 "m6 allow"
	check_eq "$(bstat m6 role)" member "m6 role"
	st=$(bctl m6 status --json)
	check_eq "$(jq -r '.module.caps / 512 | floor % 2' <<<"$st")" 1 \
		"beaverctl status --json: module caps with BEAVER_CAP_IPV6"
	bvd_stop m6
else
	log "beaverd: IPv6 configuration, module without BEAVER_CAP_IPV6"
	bvd_start m6
	for _ in $(seq 200); do bvd_alive m6 || break; sleep 0.1; done
	check '! bvd_alive m6' "beaverd refused to start"
	bvd_logs m6
	check 'grep -q "\[group\] members: 2001:db8::b is an IPv6 address, and beaver.ko .* is too old for IPv6" "$BVD_DIR/m6.log"' \
		"the refusal names the key and says the module is too old"
	check_eq "$(bstat m6 role)" none "the module of m6 was left unconfigured"
	rm -f "$BVD_DIR/m6.pid"
	log "beaverd: IPv4 alone, module without BEAVER_CAP_IPV6"
	bvd_conf m6 member 127.0.0.1
	bvd_up m6
	check_eq "$(bstat m6 members)" 10.0.1.11 "m6 members, IPv4"
	check_eq "$(bstat m6 role)" member "m6 role"
	bvd_stop m6
fi
