# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 120
#
# (g) Malformed and unprivileged requests are refused, say why (an
# extended-ack message), and change nothing: the full `status` of both
# namespaces is identical before and after.
#
#   gw: role gateway, group 7          mb: role member, group 7, settle 30 s

need_module
need_tools beaver-nl
command -v setpriv >/dev/null || skip "setpriv missing in the VM image"

netns gw
netns mb
beaver_load
bnl gw config role gateway group 7 members 10.0.1.11 vips 10.9.0.1
bnl mb config role member group 7 members 10.0.1.11 settle 30000
bnl gw gw-advance 4 >/dev/null
bnl mb member-advance 5 >/dev/null	# record 5 settles for 30 s: incomplete
before_gw=$(bnl gw status)
before_mb=$(bnl mb status)

n=0
# reject NAME ERRNO WHAT RAW-ARGS...: the kernel refuses with ERRNO and a
# non-empty extack message
reject() {
	local ns=$1 err=$2 what=$3 out rc=0
	shift 3
	out=$(bnl "$ns" raw "$@" 2>&1) || rc=$?
	echo "$what: $out (exit $rc)"
	if [[ $out =~ ^error\ $err\ msg\ \".+\"$ ]] && [ "$rc" = 1 ]; then
		n=$((n + 1))
	else
		fail "$what: got '$out' (exit $rc), want error $err with an extack message"
	fi
}

# Range violations are ERANGE (the policy core's errno), a command for the
# other role EOPNOTSUPP, anything malformed EINVAL.
# commands: 2 SET_CONFIG, 3 GW_ADVANCE, 4 MEMBER_ADVANCE, 6 GET_RECORDS,
# 7 RELEASE; attributes: 4 ROLE, 5 GROUP, 6 MEMBERS, 8 ALLOW, 9 SETTLE_MS,
# 15 FLAGS, 16 EPOCH (payloads in host byte order, little endian)
log "malformed requests"
out=$(bnl gw raw 99 2>&1) || true
echo "unknown command: $out"
check '[[ $out =~ ^error\ (EOPNOTSUPP|EINVAL) ]]' "unknown command 99 refused (got '$out')"
reject gw ERANGE "group 0"                    2 5:00
reject gw EINVAL "group of 2 bytes"           2 5:0700
reject gw EINVAL "role with unknown bits"     2 4:04000000
reject gw EINVAL "role gateway+member"        2 4:03000000
reject gw EINVAL "flags with unknown bits"    2 15:04000000
reject gw ERANGE "settle 125000 ms"           2 9:48e80100
reject gw EINVAL "unknown attribute 200"      2 200:00
reject gw EINVAL "members not nested"         2 6:080001000a00010b
reject gw EINVAL "member address of 2 bytes"  2 "6|0x8000:060001000a000000"
reject gw ERANGE "allow prefix length 33"     2 "8|0x8000:14000180080001000a0001000500020021000000"
reject gw ERANGE "advance to epoch 0"         3 16:00000000
reject gw EINVAL "advance without epoch"      3
reject gw EINVAL "epoch of 2 bytes"           3 16:0900
reject gw EINVAL "config attribute in advance" 3 16:09000000 4:01000000
reject mb EOPNOTSUPP "gw-advance on a member"     3 16:09000000
reject gw EOPNOTSUPP "member-advance on a gateway" 4 16:09000000
reject mb EBUSY  "release an incomplete epoch" 7 16:05000000
reject mb EINVAL "records without epoch"      6 --nlflags 0x300
# SET_FASTPATH (11): 5 GROUP, 36 FP_NODE, 37 FP_PORT, 39 FP_PEERS; a peer:
# 1 NODE, 2 SENDER_KEY, 3 RECIPIENT_KEY, 4 KEY (32 bytes), 5 ADDR, 6 PORT,
# 7 REPLAY_TOP. nla TYPE HEX: one attribute (header, payload, padding)
nla() {
	local len=$(( 4 + ${#2} / 2 )) pad=
	while [ $(( (${#2} / 2 + ${#pad} / 2) % 4 )) -ne 0 ]; do pad+=00; done
	printf '%02x%02x%02x%02x%s%s' $((len & 255)) $((len >> 8)) $(($1 & 255)) $(($1 >> 8)) "$2" "$pad"
}
key32=$(printf '%064d' 0)
# fppeer [KEYHEX] [SKIP-TYPE]: one peer's attributes
fppeer() {
	local k=${1:-$key32} t out=
	for t in 1 2 3 4 5 6 7; do
		[ "$t" = "${2:-}" ] && continue
		case $t in
		1) out+=$(nla 1 01000000) ;;
		2) out+=$(nla 2 02000000) ;;
		3) out+=$(nla 3 03000000) ;;
		4) out+=$(nla 4 "$k") ;;
		5) out+=$(nla 5 0a000005) ;;
		6) out+=$(nla 6 1e14) ;;
		7) out+=$(nla 7 0000000000000000) ;;
		esac
	done
	nla $((1 | 0x8000)) "$out"
}
fpbase="5:07 36:09000000 37:1e14"
# shellcheck disable=SC2086 # the base attributes, one word each
{
reject gw ERANGE "fast-path port 0"             11 37:0000
reject gw ERANGE "fast-path key of 31 bytes"    11 $fpbase "39|0x8000:$(fppeer "${key32:2}")"
reject gw EINVAL "fast-path peer without key"   11 $fpbase "39|0x8000:$(fppeer "" 4)"
reject gw EINVAL "fast-path peer without addr"  11 $fpbase "39|0x8000:$(fppeer "" 5)"
reject gw EINVAL "fast-path peers without node" 11 5:07 37:1e14 "39|0x8000:$(fppeer)"
reject gw EINVAL "fast-path peer twice"         11 $fpbase "39|0x8000:$(fppeer)$(fppeer)"
many=
for i in $(seq 17); do many+=$(fppeer); done
reject gw E2BIG "17 fast-path peers"           11 $fpbase "39|0x8000:$many"
# a good set is taken, and an empty one turns it off again
check '[ "$(bnl gw raw 11 $fpbase "39|0x8000:$(fppeer)")" = ok ]' \
	"a good fast-path set is taken"
check '[ "$(bnl gw raw 11)" = ok ]' "an empty fast-path set is taken (off)"
}
out=$(bnl mb records 77 2>&1) && rc=0 || rc=$?
echo "records 77: $out (exit $rc)"
check '[ "$rc" = 1 ] && [[ $out =~ beaver-nl:\ records:\ .+:\ .+ ]]' \
	"records of a missing epoch refused with a message (got '$out', exit $rc)"

log "unprivileged requests (uid 65534, no capabilities)"
nobody() { nsx "$1" setpriv --reuid=65534 --regid=65534 --clear-groups beaver-nl "${@:2}"; }
check 'nobody mb info >/dev/null' "GET_INFO works unprivileged"
check 'nobody mb status >/dev/null' "GET_STATUS works unprivileged"
for req in "mb config group 3" "mb config role none" "gw gw-advance 9" "mb member-advance 9" \
	"mb records 5" "mb release 5" "mb flush"; do
	# shellcheck disable=SC2086
	out=$(nobody $req 2>&1) && rc=0 || rc=$?
	echo "nobody $req: $out (exit $rc)"
	if [ "$rc" = 1 ] && [[ $out =~ Operation\ not\ permitted ]]; then
		n=$((n + 1))
	else
		fail "unprivileged '$req': got '$out' (exit $rc), want EPERM"
	fi
done
out=$(nsx mb setpriv --reuid=65534 --regid=65534 --clear-groups beaver-nl raw 2 5:03 2>&1) || true
echo "nobody raw config: $out"
check '[[ $out =~ ^error\ EPERM\ msg\ \".+\"$ ]]' "unprivileged raw SET_CONFIG: EPERM with an extack message (got '$out')"

out=$(nsx gw setpriv --reuid=65534 --regid=65534 --clear-groups beaver-nl raw 11 2>&1) || true
echo "nobody raw set-fastpath: $out"
check '[[ $out =~ ^error\ EPERM\ msg\ \".+\"$ ]]' "unprivileged SET_FASTPATH: EPERM with an extack message (got '$out')"

log "nothing changed"
check '[ "$(bnl gw status)" = "$before_gw" ]' "gw status unchanged by the refused requests"
check '[ "$(bnl mb status)" = "$before_mb" ]' "mb status unchanged by the refused requests"
diff <(echo "$before_gw") <(bnl gw status) || true
diff <(echo "$before_mb") <(bnl mb status) || true
figure refused "$n"
