# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 60
#
# beaver.ko loads on Debian's kernel, answers GET_INFO and GET_STATUS,
# takes a configuration, and unloads cleanly (the audit unloads it and
# scans the kernel log).

need_module
need_tools beaver-nl
log "loading beaver.ko"
beaver_load
check 'dmesg | grep -q "beaver"' "the module said something when loading"

info=$(beaver-nl info)
echo "$info"
figure version "$(echo "$info" | awk '$1 == "version" { print $2 }')"
caps=$(echo "$info" | awk '$1 == "caps" { print $2 }')
figure caps "$caps"
check '[ "$((caps & 0x3f))" = $((0x3f)) ]' "GET_INFO: caps $caps has gateway, member, ipopt stamp, mss clamp, capture, flush"
check_eq "$(echo "$info" | awk '$1 == "stamp_len" { print $2 }')" 8 "GET_INFO stamp_len"

netns a
check_eq "$(bstat a role)" none "role of a fresh namespace"
check_eq "$(bnl a status | awk '$1 ~ /^obj\./ && $2 != 0' | wc -l)" 0 "live objects in a fresh namespace"
bnl a config role member group 9 members 10.1.0.1,10.1.0.2 vips 10.1.9.9 settle 20
bnl a status
check_eq "$(bstat a role)" member "role after config"
check_eq "$(bstat a group)" 9 "group after config"
check_eq "$(bstat a members)" 10.1.0.1,10.1.0.2 "members after config"
check_eq "$(bstat a settle_ms)" 20 "settle_ms after config"
check_eq "$(bstat - role)" none "the root namespace is untouched"

out=$(bnl a member-advance 3)
echo "$out"
check_eq "$(kv "$out" advanced)" 1 "member-advance 3 moved the epoch"
f=$(records a 3)
cat "$f"
check_eq "$(rget "$f" cut state)" complete "record of epoch 3 after wait-complete"
check_eq "$(bstat a member_epoch)" 3 "member_epoch"
