# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 90
#
# The address model for both families (issue #11, IPv6 step 1): SET_CONFIG
# takes IPv6 members, VIPs, gateways and allow prefixes beside IPv4 ones
# (BEAVER_A_LIST_ITEM6, BEAVER_A_PREFIX_ADDR6), GET_STATUS gives them back
# (IPv4 as NLA_BE32 as before, IPv4 first: the lists are sorted, IPv4
# mapped), and GET_INFO advertises BEAVER_CAP_IPV6. Refused,
# with an extack message and no change: prefix /129, IPv4 /33, host bits,
# an IPv4-mapped or unspecified address, an IPv6 item of 15 bytes, a
# prefix with both an IPv4 and an IPv6 address. The VM
# has IPv6 disabled on every interface: configuration needs none (the
# member's gateway refresh finds no IPv6 route, and must survive that).
#
#   mb: role member, group 7, IPv4 and IPv6 in every list

need_module
need_tools beaver-nl

netns mb
beaver_load
caps=$(beaver-nl info | awk '$1 == "caps" { print $2 }')
figure caps "$caps"
check '[ "$((caps & (1 << 9)))" != 0 ]' "GET_INFO: caps $caps with BEAVER_CAP_IPV6 (the IPv6 data path, 36-ipv6-path)"
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
