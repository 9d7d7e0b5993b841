#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check netlink/beaver.yaml (the YNL spec) against the module.

    scripts/ynl-check.py              the check (make ynl-check, make check)
    scripts/ynl-check.py --selftest   mutate the spec in memory: every
                                      mutant must be caught

Sources, each read by a small parser for its own style, not a C compiler:
  kmod/uapi/beaver.h  its enums (entries with or without "= expr", the
                      expression being numbers, names already seen,
                      << | + - and parentheses) and its #defines
  kmod/netlink.c      the nla_policy arrays (one "[ATTR] = ..." per
                      entry), the netlink_range_validation structs they
                      point to, bv_ops[] (.cmd, .doit, .dumpit, .policy,
                      .internal_flags), bv_mcgrps[], and the nla_put_*
                      and nla_get_* calls naming an attribute (replies
                      have no policy: the calls are what types them)

What must agree, one line per disagreement:
  - every attribute of every set, every entry of every definition and
    every operation has its C name (name-prefix + name) in the header,
    with the same value; every enum and every BEAVER_ #define of the
    header is in the spec (__X_MAX, X_MAX are the count and the last;
    a flags enum's X_ALL is the mask of its entries, X_NONE is 0)
  - the family name, version and multicast group
  - each attribute's type, byte order and exact length against the
    policy (NLA_U8, NLA_BE32, NLA_POLICY_EXACT_LEN(16), NLA_NESTED with
    the nested set's own policy...), its min/max/flags-mask checks
    against the policy's bounds, and its type against every nla_put_* /
    nla_get_* of it (a u64's pad attribute must be a pad)
  - each operation's request attributes are exactly its policy's, do and
    dump as the kernel's doit and dumpit; the kernel has no operation the
    spec lacks and none that is an event in the spec; admin ops carry
    uns-admin-perm
  - the spec's own references (nested-attributes, enum, flags-mask,
    op attributes, mcgrp) resolve

It prints "ynl-check: N attributes, M enums checked, K mismatches" and
exits 1 if K > 0. --selftest checks the real spec is clean, then runs the
check on mutated copies of it, in memory (a number changed, an attribute
or entry dropped, a type, byte order, length or bound changed, an
operation dropped...), and on a few mutated copies of the sources (the
header gains an attribute, a policy's or a reply's type changes), and
prints "ynl-check: selftest: N/M mutants caught"; it exits 1 unless every
mutant produced a mismatch naming what was mutated.
"""
import argparse
import ast
import copy
import os
import re
import sys

try:
    import yaml
except ImportError:
    sys.exit("ynl-check: the python3 yaml module is missing "
             "(scripts/install-deps.sh installs python3-yaml)")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC = os.path.join(REPO, "netlink", "beaver.yaml")
HEADER = os.path.join(REPO, "kmod", "uapi", "beaver.h")
NETLINK_C = os.path.join(REPO, "kmod", "netlink.c")
# the fast path's command keeps its policies and reply in its own file
FASTPATH_C = os.path.join(REPO, "netfilter", "fastpath.c")

# kmod/netlink.c's own put helpers: argument positions (after the message)
# that name an attribute, and what each puts
PUT_HELPERS = {
    "bv_put_addr": ("be32", "in6_addr"),   # IPv4 as arg 1, IPv6 as arg 2
    "bv_put_peer": ("be32", "in6_addr"),
    "bv_put_addrs": ("nest",),
    "bv_put_totals": ("nest",),
}

# what an nla_put_* / nla_get_* suffix carries: (spec type, byte order)
ACCESSOR = {
    "u8": ("u8", None), "u16": ("u16", None), "u32": ("u32", None),
    "u64_64bit": ("u64", None), "u64": ("u64", None), "s64": ("s64", None),
    "be16": ("u16", "big-endian"), "be32": ("u32", "big-endian"),
    "in_addr": ("u32", "big-endian"), "in6_addr": ("in6", None),
    "string": ("string", None), "flag": ("flag", None),
    "": ("binary", None), "nest": ("nest", None),
}

# a policy type: (spec type, byte order)
NLA_TYPE = {
    "NLA_U8": ("u8", None), "NLA_U16": ("u16", None),
    "NLA_U32": ("u32", None), "NLA_U64": ("u64", None),
    "NLA_S8": ("s8", None), "NLA_S16": ("s16", None),
    "NLA_S32": ("s32", None), "NLA_S64": ("s64", None),
    "NLA_BE16": ("u16", "big-endian"), "NLA_BE32": ("u32", "big-endian"),
    "NLA_NUL_STRING": ("string", None), "NLA_STRING": ("string", None),
    "NLA_FLAG": ("flag", None), "NLA_NESTED": ("nest", None),
    "NLA_BINARY": ("binary", None), "NLA_UNSPEC": ("binary", None),
}

SIZEOF = {"struct in6_addr": 16, "struct in_addr": 4, "__be32": 4,
          "u32": 4, "u64": 8}


def c_upper(name):
    return name.upper().replace("-", "_")


class Problems(list):
    def add(self, msg):
        self.append(msg)


# ---- C: a small evaluator for this header's initialisers ---------------

def c_eval(expr, names):
    """Value of an enum/define initialiser: numbers with U/L suffixes,
    names already defined, << >> | & + - ~ and parentheses."""
    expr = re.sub(r"\b(0[xX][0-9a-fA-F]+|[0-9]+)[uUlL]+\b", r"\1", expr)
    expr = re.sub(r"sizeof\s*\(([^)]*)\)",
                  lambda m: str(SIZEOF[m.group(1).strip()]), expr)
    tree = ast.parse(expr.strip(), mode="eval")

    def ev(n):
        if isinstance(n, ast.Expression):
            return ev(n.body)
        if isinstance(n, ast.Constant) and isinstance(n.value, int):
            return n.value
        if isinstance(n, ast.Name):
            if n.id not in names:
                raise ValueError("unknown name %s" % n.id)
            return names[n.id]
        if isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.Invert):
            return ~ev(n.operand)
        if isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.USub):
            return -ev(n.operand)
        if isinstance(n, ast.BinOp):
            ops = {ast.LShift: lambda a, b: a << b,
                   ast.RShift: lambda a, b: a >> b,
                   ast.BitOr: lambda a, b: a | b,
                   ast.BitAnd: lambda a, b: a & b,
                   ast.Add: lambda a, b: a + b,
                   ast.Sub: lambda a, b: a - b}
            if type(n.op) in ops:
                return ops[type(n.op)](ev(n.left), ev(n.right))
        raise ValueError("cannot evaluate %r" % expr)
    return ev(tree)


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"),
                  text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def parse_header(text):
    """enums: {enum name: [(entry, value)]}; defines: {name: value};
    values: every enum entry and numeric define"""
    text = strip_comments(text)
    enums, defines, values = {}, {}, {}
    pos = 0
    token = re.compile(r"^[ \t]*#define[ \t]+(\w+)(?:[ \t]+([^\n]*?))?[ \t]*$|"
                       r"\benum\s+(\w+)\s*\{(.*?)\}\s*;", re.M | re.S)
    for m in token.finditer(text, pos):
        if m.group(1):
            name, val = m.group(1), m.group(2) or ""
            if val.startswith('"'):
                defines[name] = val.strip('"')
            elif val:           # not the include guard
                defines[name] = values[name] = c_eval(val, values)
            continue
        entries, nxt = [], 0
        for item in m.group(4).split(","):
            item = item.strip()
            if not item:
                continue
            name, _, init = item.partition("=")
            name = name.strip()
            val = c_eval(init, values) if init.strip() else nxt
            entries.append((name, val))
            values[name] = val
            nxt = val + 1
        enums[m.group(3)] = entries
    return enums, defines, values


def parse_netlink_c(text, values):
    text = strip_comments(text)
    nc = {"policies": {}, "ranges": {}, "ops": {}, "mcgrps": [],
          "puts": [], "gets": []}
    for m in re.finditer(r"struct\s+netlink_range_validation\s+(\w+)\s*="
                         r"\s*\{(.*?)\}\s*;", text, re.S):
        body = m.group(2)
        rng = {}
        for k in ("min", "max"):
            f = re.search(r"\.%s\s*=\s*([^,}]+)" % k, body)
            if f:
                rng[k] = c_eval(f.group(1), values)
        nc["ranges"][m.group(1)] = rng
    for m in re.finditer(r"struct\s+nla_policy\s+(\w+)\s*\[[^\]]*\]\s*="
                         r"\s*\{(.*?)\n\}\s*;", text, re.S):
        entries = {}
        for e in re.finditer(r"\[\s*(\w+)\s*\]\s*=\s*(.*?)(?=,\s*\[|,?\s*$)",
                             m.group(2).strip(), re.S):
            entries[e.group(1)] = parse_policy_entry(
                " ".join(e.group(2).split()), nc["ranges"], values)
        nc["policies"][m.group(1)] = entries
    ops = re.search(r"struct\s+genl_ops\s+\w+\s*\[\]\s*=\s*\{(.*?)\n\}\s*;",
                    text, re.S)
    if ops:
        for op in re.finditer(r"\{(.*?)\}", ops.group(1), re.S):
            f = dict(re.findall(r"\.(\w+)\s*=\s*(\w+)", op.group(1)))
            if "cmd" in f:
                nc["ops"][f["cmd"]] = f
    grp = re.search(r"struct\s+genl_multicast_group\s+\w+\s*\[\]\s*=\s*"
                    r"\{(.*?)\n\}\s*;", text, re.S)
    if grp:
        nc["mcgrps"] = re.findall(r"\.name\s*=\s*(\w+|\"[^\"]*\")",
                                  grp.group(1))
    call = re.compile(r"\b(nla_put(?:_(\w+))?|nla_nest_start|"
                      + "|".join(PUT_HELPERS) +
                      r")\s*\(\s*\w+\s*,\s*([^;]*?)\)", re.S)
    for m in call.finditer(text):
        fn = m.group(1)
        args = [a.strip() for a in m.group(3).split(",")]
        line = text.count("\n", 0, m.start()) + 1
        if fn in PUT_HELPERS:
            kinds = PUT_HELPERS[fn]
        elif fn == "nla_nest_start":
            kinds = ("nest",)
        else:
            kinds = (m.group(2) or "",)
        for kind, arg in zip(kinds, args):
            if re.fullmatch(r"BEAVER_\w+", arg):
                nc["puts"].append((arg, kind, line))
        if kinds == ("u64_64bit",) and len(args) >= 3 and \
                re.fullmatch(r"BEAVER_\w+", args[2]):
            nc["puts"].append((args[2], "pad", line))
    for m in re.finditer(r"\bnla_get_(\w+)\s*\(\s*\w+(?:->attrs)?\s*"
                         r"\[\s*(BEAVER_\w+)\s*\]", text):
        nc["gets"].append((m.group(2), m.group(1),
                           text.count("\n", 0, m.start()) + 1))
    return nc


def parse_policy_entry(s, ranges, values):
    """{type, byteorder, exact_len, nested, min, max, mask}"""
    p = {"src": s}
    m = re.fullmatch(r"\{\s*\.type\s*=\s*(NLA_\w+)\s*(?:,\s*\.len\s*=\s*"
                     r"([^,}]+))?\s*,?\s*\}", s)
    if m:
        p["type"] = m.group(1)
        if m.group(2) and m.group(1) in ("NLA_UNSPEC", "NLA_BINARY"):
            p["exact_len" if m.group(1) == "NLA_UNSPEC" else "max_len"] = \
                c_eval(m.group(2), values)
        return p
    m = re.fullmatch(r"(NLA_POLICY_\w+)\((.*)\)", s)
    if not m:
        p["type"] = "?"
        return p
    kind, args = m.group(1), [a.strip() for a in m.group(2).split(",")]
    if kind == "NLA_POLICY_EXACT_LEN":
        p["type"], p["exact_len"] = "NLA_BINARY", c_eval(args[0], values)
    elif kind in ("NLA_POLICY_NESTED", "NLA_POLICY_NESTED_ARRAY"):
        p["type"], p["nested"] = "NLA_NESTED", args[0]
    elif kind in ("NLA_POLICY_MIN", "NLA_POLICY_MAX", "NLA_POLICY_MASK"):
        p["type"] = args[0]
        p[kind[len("NLA_POLICY_"):].lower()] = c_eval(args[1], values)
    elif kind == "NLA_POLICY_RANGE":
        p["type"] = args[0]
        p["min"], p["max"] = c_eval(args[1], values), c_eval(args[2], values)
    elif kind == "NLA_POLICY_FULL_RANGE":
        p["type"] = args[0]
        p.update(ranges.get(args[1].lstrip("&"), {}))
    else:
        p["type"] = "?"
    return p


# ---- the spec ------------------------------------------------------------

class Spec:
    def __init__(self, doc):
        self.doc = doc
        self.sets = {s["name"]: s for s in doc.get("attribute-sets", [])}
        self.defs = {d["name"]: d for d in doc.get("definitions", [])}
        ops = doc.get("operations", {})
        self.op_prefix = ops.get("name-prefix", doc["name"] + "-cmd-")
        self.op_enum = ops.get("enum-name")
        self.ops = []
        val = 1
        for op in ops.get("list", []):
            val = op.get("value", val)
            self.ops.append((op, val))
            val += 1

    def set_prefix(self, aset):
        if "subset-of" in aset:
            return self.set_prefix(self.sets[aset["subset-of"]])
        return aset.get("name-prefix",
                        "%s-a-%s-" % (self.doc["name"], aset["name"]))

    def attrs(self, aset):
        """[(attr, value)] of a set; a subset's come from its parent"""
        if "subset-of" in aset:
            parent = dict((a["name"], (a, v))
                          for a, v in self.attrs(self.sets[aset["subset-of"]]))
            return [parent[a["name"]] for a in aset["attributes"]
                    if a["name"] in parent]
        out, val = [], 1
        for a in aset["attributes"]:
            val = a.get("value", val)
            out.append((a, val))
            val += 1
        return out

    def def_entries(self, d):
        """[(entry name, C value)] of an enum or flags definition"""
        out, val = [], d.get("value-start", 0)
        for e in d.get("entries", []):
            e = e if isinstance(e, dict) else {"name": e}
            val = e.get("value", val)
            out.append((e["name"], 1 << val if d["type"] == "flags" else val))
            val += 1
        return out

    def def_prefix(self, d):
        return d.get("name-prefix", "%s-%s-" % (self.doc["name"], d["name"]))


def c_enum_name(name):
    return name.replace("-", "_") if name else None


# ---- the check -----------------------------------------------------------

def check(doc, hdr, nc):
    enums, defines, values = hdr
    spec = Spec(doc)
    spec.nc = nc
    pr = Problems()
    # a parser that found nothing must not pass for one that found no fault
    for what, found in (("kmod/uapi/beaver.h: no enum", enums),
                        ("kmod/netlink.c: no nla_policy array",
                         nc["policies"]),
                        ("kmod/netlink.c: no genl_ops", nc["ops"]),
                        ("kmod/netlink.c: no nla_put call", nc["puts"])):
        if not found:
            pr.add(what + " found (has its style changed?)")
    n_attrs = 0
    seen = set()            # C names the spec accounts for
    covered_enums = set()

    def expect(cname, val, what):
        seen.add(cname)
        if cname not in values:
            pr.add("%s: %s is not in the header" % (what, cname))
        elif values[cname] != val:
            pr.add("%s: %s is %d in the spec, %d in the header"
                   % (what, cname, val, values[cname]))

    def counted(prefix, last, what, cnt_name=None, max_name=None):
        cnt = cnt_name or "__" + prefix + "MAX"
        mx = max_name or prefix + "MAX"
        for name, val in ((cnt, last + 1), (mx, last)):
            seen.add(name)
            if name in values and values[name] != val:
                pr.add("%s: %s is %d in the header, the spec's last is %d"
                       % (what, name, values[name], last))

    # family, version, multicast groups
    if defines.get("BEAVER_GENL_NAME") != doc.get("name"):
        pr.add("family: name %r in the spec, BEAVER_GENL_NAME %r"
               % (doc.get("name"), defines.get("BEAVER_GENL_NAME")))
    if defines.get("BEAVER_GENL_VERSION") != doc.get("version", 1):
        pr.add("family: version %s in the spec, BEAVER_GENL_VERSION %s"
               % (doc.get("version", 1), defines.get("BEAVER_GENL_VERSION")))
    seen.update(("BEAVER_GENL_NAME", "BEAVER_GENL_VERSION"))
    spec_grps = {}
    for g in doc.get("mcast-groups", {}).get("list", []):
        cname = c_upper(g.get("c-define-name",
                              "%s-mcgrp-%s" % (doc["name"], g["name"])))
        spec_grps[g["name"]] = cname
        seen.add(cname)
        if defines.get(cname) != g["name"]:
            pr.add("mcast group %s: %s is %r in the header"
                   % (g["name"], cname, defines.get(cname)))
    kernel_grps = [defines.get(n, n.strip('"')) for n in nc["mcgrps"]]
    for g in sorted(set(spec_grps) ^ set(kernel_grps)):
        pr.add("mcast group %s: in the %s only"
               % (g, "spec" if g in spec_grps else "module (bv_mcgrps)"))

    # definitions
    for d in spec.defs.values():
        if d["type"] not in ("enum", "flags"):
            continue
        prefix = c_upper(spec.def_prefix(d))
        ename = c_enum_name(d.get("enum-name", "%s-%s" % (doc["name"],
                                                           d["name"])))
        covered_enums.add(ename)
        if ename not in enums:
            pr.add("definition %s: enum %s is not in the header"
                   % (d["name"], ename))
        entries = spec.def_entries(d)
        for name, val in entries:
            expect(prefix + c_upper(name), val, "definition " + d["name"])
        if d["type"] == "flags":
            mask = 0
            for _, v in entries:
                mask |= v
            for extra, val in (("ALL", mask), ("NONE", 0)):
                cname = prefix + extra
                if cname in values:
                    seen.add(cname)
                    if values[cname] != val:
                        pr.add("definition %s: %s is %#x in the header, "
                               "the spec's %s is %#x"
                               % (d["name"], cname, values[cname],
                                  "mask" if extra == "ALL" else "none",
                                  val))
        for name, _ in enums.get(ename, []):
            if name not in seen:
                pr.add("definition %s: %s (enum %s) is not in the spec"
                       % (d["name"], name, ename))

    # attribute sets
    by_cname = {}           # C name -> [(set, attr)]
    for aset in spec.sets.values():
        prefix = c_upper(spec.set_prefix(aset))
        pairs = spec.attrs(aset)
        if "subset-of" in aset:
            names = {a["name"] for a, _ in pairs}
            for a in aset["attributes"]:
                if a["name"] not in names:
                    pr.add("attribute set %s: %s is not in %s"
                           % (aset["name"], a["name"], aset["subset-of"]))
            continue
        for a, val in pairs:
            n_attrs += 1
            cname = prefix + c_upper(a["name"])
            expect(cname, val, "attribute set " + aset["name"])
            by_cname.setdefault(cname, []).append((aset, a))
            check_attr_refs(spec, aset, a, pr)
        last = max([v for _, v in pairs] or [0])
        ename = c_enum_name(aset.get("enum-name",
                                     "%s-%s-attrs" % (doc["name"],
                                                      aset["name"])))
        if ename:
            covered_enums.add(ename)
            if ename not in enums:
                pr.add("attribute set %s: enum %s is not in the header"
                       % (aset["name"], ename))
            for name, _ in enums.get(ename, []):
                if name not in seen and not name.startswith("__"):
                    pr.add("attribute set %s: %s (enum %s) is not in the "
                           "spec" % (aset["name"], name, ename))
            counted(prefix, last, "attribute set " + aset["name"],
                    aset.get("attr-cnt-name") and
                    c_upper(aset["attr-cnt-name"]),
                    aset.get("attr-max-name") and
                    c_upper(aset["attr-max-name"]))

    # operations
    op_prefix = c_upper(spec.op_prefix)
    ename = c_enum_name(spec.op_enum or doc["name"] + "-cmd")
    covered_enums.add(ename)
    seen.add(op_prefix + "UNSPEC")      # 0, never an operation
    for op, val in spec.ops:
        expect(op_prefix + c_upper(op["name"]), val,
               "operation " + op["name"])
    if spec.ops:
        counted(op_prefix, max(v for _, v in spec.ops), "operations")
    for name, _ in enums.get(ename, []):
        if name not in seen:
            pr.add("operations: %s (enum %s) is not in the spec"
                   % (name, ename))
    check_ops(spec, nc, pr, op_prefix, spec_grps)

    # the header has nothing the spec lacks
    for e in sorted(set(enums) - covered_enums):
        pr.add("header: enum %s is not in the spec" % e)
    for name in sorted(defines):
        if name.startswith("BEAVER_") and name not in seen:
            pr.add("header: #define %s is not in the spec" % name)

    # types: the policies, then every put and get
    check_policies(spec, nc, pr, by_cname, values)
    check_accessors(nc, pr, by_cname)
    return n_attrs, len(covered_enums & set(enums)), pr


def check_attr_refs(spec, aset, a, pr):
    where = "attribute %s.%s" % (aset["name"], a["name"])
    if a.get("type") == "nest" and a.get("nested-attributes") not in spec.sets:
        pr.add("%s: nested-attributes %r is not an attribute set"
               % (where, a.get("nested-attributes")))
    for key in ("enum",):
        if key in a and a[key] not in spec.defs:
            pr.add("%s: enum %r is not a definition" % (where, a[key]))
    fm = a.get("checks", {}).get("flags-mask")
    if fm is not None and fm not in spec.defs:
        pr.add("%s: flags-mask %r is not a definition" % (where, fm))


def spec_type(a):
    """(type, byte order, exact length) as the kernel sees it"""
    t = a.get("type")
    bo = a.get("byte-order") if t in ("u16", "u32", "u64") else None
    return t, bo, a.get("checks", {}).get("exact-len")


def describe(t, bo, ln=None):
    s = t + (" " + bo if bo else "")
    return s + (" exact-len %s" % ln if ln is not None else "")


def compare_policy(spec, where, a, pol, pr, values, seen_pairs):
    t, bo, ln = spec_type(a)
    want = NLA_TYPE.get(pol["type"])
    if want is None:
        pr.add("%s: policy %s not understood" % (where, pol["src"]))
        return
    ptype, pbo = want
    plen = pol.get("exact_len")
    if (t, bo) != (ptype, pbo) or ln != plen:
        pr.add("%s: %s in the spec, policy %s"
               % (where, describe(t, bo, ln), pol["src"]))
    checks = a.get("checks", {})
    for k in ("min", "max"):
        if k in pol and checks.get(k) != pol[k]:
            pr.add("%s: checks %s %s in the spec, policy %s"
                   % (where, k, checks.get(k), pol[k]))
        elif k not in pol and k in checks and \
                not (k == "min" and checks[k] == 0 and "max" in pol):
            pr.add("%s: checks %s %s in the spec, none in the policy"
                   % (where, k, checks[k]))
    if "mask" in pol or "flags-mask" in checks:
        d = spec.defs.get(checks.get("flags-mask"))
        mask = 0
        for _, v in (spec.def_entries(d) if d else []):
            mask |= v
        if "mask" not in pol or not d or mask != pol["mask"]:
            pr.add("%s: flags-mask %s (%#x) in the spec, policy %s"
                   % (where, checks.get("flags-mask"), mask, pol["src"]))
    if t == "nest":
        inner = spec.sets.get(a.get("nested-attributes"))
        if "nested" not in pol:
            pr.add("%s: the policy %s does not say how its nest is "
                   "validated" % (where, pol["src"]))
        elif inner is not None:
            compare_set_policy(spec, inner, pol["nested"], pr, values,
                               seen_pairs)


def compare_set_policy(spec, aset, polname, pr, values, seen_pairs,
                       only=None):
    """a set (or the named attributes of it) against a policy array"""
    if (aset["name"], polname, only) in seen_pairs:
        return
    seen_pairs.add((aset["name"], polname, only))
    pol = spec.nc["policies"].get(polname)
    if pol is None:
        pr.add("attribute set %s: policy %s is not in kmod/netlink.c"
               % (aset["name"], polname))
        return
    prefix = c_upper(spec.set_prefix(aset))
    attrs = {prefix + c_upper(a["name"]): a for a, _ in spec.attrs(aset)}
    want = set(only) if only is not None else \
        {c for c, a in attrs.items() if a.get("type") not in ("unused", "pad")}
    for cname in sorted(want | set(pol)):
        where = "attribute %s.%s" % (aset["name"], cname)
        if cname not in pol:
            pr.add("%s: not in the policy %s" % (where, polname))
        elif cname not in want:
            pr.add("%s: in the policy %s, not in the spec's %s"
                   % (where, polname,
                      "request" if only is not None else "set"))
        elif cname in attrs:
            compare_policy(spec, where, attrs[cname], pol[cname], pr,
                           values, seen_pairs)


def check_ops(spec, nc, pr, op_prefix, spec_grps):
    spec_ops = {}
    for op, val in spec.ops:
        cname = op_prefix + c_upper(op["name"])
        spec_ops[cname] = op
        aset = spec.sets.get(op.get("attribute-set"))
        if aset is None:
            pr.add("operation %s: attribute-set %r is not a set"
                   % (op["name"], op.get("attribute-set")))
            continue
        names = {a["name"] for a, _ in spec.attrs(aset)}
        msgs = [op.get(k, {}) or {} for k in ("do", "dump")]
        lists = [m.get(r, {}).get("attributes", [])
                 for m in msgs for r in ("request", "reply")]
        lists.append(op.get("event", {}).get("attributes", []))
        for lst in lists:
            for n in lst:
                if n not in names:
                    pr.add("operation %s: attribute %s is not in %s"
                           % (op["name"], n, aset["name"]))
        if "mcgrp" in op and op["mcgrp"] not in spec_grps:
            pr.add("operation %s: mcgrp %s is not a group"
                   % (op["name"], op["mcgrp"]))
        k = nc["ops"].get(cname)
        if k is None:
            if "do" in op or "dump" in op:
                pr.add("operation %s: %s is not in the module's genl_ops"
                       % (op["name"], cname))
            continue
        if "event" in op:
            pr.add("operation %s: an event in the spec, a request in the "
                   "module" % op["name"])
        for sub, fn in (("do", "doit"), ("dump", "dumpit")):
            if (sub in op) != (fn in k):
                pr.add("operation %s: %s %s in the spec, .%s %s in the "
                       "module" % (op["name"], sub,
                                   "present" if sub in op else "absent",
                                   fn, "set" if fn in k else "unset"))
        if k.get("internal_flags") == "BV_NL_ADMIN" and \
                "uns-admin-perm" not in op.get("flags", []):
            pr.add("operation %s: the module requires CAP_NET_ADMIN, the "
                   "spec has no uns-admin-perm" % op["name"])
    for cname in sorted(set(nc["ops"]) - set(spec_ops)):
        pr.add("operation %s: in the module's genl_ops, not in the spec"
               % cname)


def check_policies(spec, nc, pr, by_cname, values):
    seen_pairs = set()
    for op, _ in spec.ops:
        cname = c_upper(spec.op_prefix + op["name"])
        k = nc["ops"].get(cname)
        aset = spec.sets.get(op.get("attribute-set"))
        if k is None or aset is None:
            continue
        prefix = c_upper(spec.set_prefix(aset))
        for sub in ("do", "dump"):
            if sub not in op:
                continue
            req = ((op[sub] or {}).get("request") or {}).get("attributes", [])
            want = tuple(sorted(prefix + c_upper(n) for n in req))
            if "policy" not in k:
                for n in want:
                    pr.add("operation %s: %s request has %s, the module "
                           "has no policy" % (op["name"], sub, n))
                continue
            before = len(pr)
            compare_set_policy(spec, aset, k["policy"], pr, values,
                               seen_pairs, only=want)
            for i in range(before, len(pr)):
                pr[i] = "operation %s %s: %s" % (op["name"], sub, pr[i])


def check_accessors(nc, pr, by_cname):
    for cname, kind, line, what in \
            [(c, k, ln, "put") for c, k, ln in nc["puts"]] + \
            [(c, k, ln, "get") for c, k, ln in nc["gets"]]:
        cands = by_cname.get(cname)
        if not cands:
            if what == "put" and kind != "pad" or what == "get":
                pr.add("kmod/netlink.c:%d: nla_%s of %s, not in the spec"
                       % (line, what, cname))
            continue
        if kind == "pad":
            if not any(a.get("type") == "pad" for _, a in cands):
                pr.add("kmod/netlink.c:%d: %s pads a u64, the spec's is %s"
                       % (line, cname, "/".join(describe(*spec_type(a)[:2])
                                                for _, a in cands)))
            continue
        if kind not in ACCESSOR:
            pr.add("kmod/netlink.c:%d: nla_%s_%s of %s not understood"
                   % (line, what, kind, cname))
            continue
        t, bo = ACCESSOR[kind]
        ok = False
        for _, a in cands:
            at, abo, ln = spec_type(a)
            if t == "in6":
                ok |= at == "binary" and ln == 16
            else:
                ok |= (at, abo) == (t, bo)
        if not ok:
            pr.add("kmod/netlink.c:%d: %s %s as %s, the spec says %s"
                   % (line, cname, "put" if what == "put" else "read",
                      describe(t if t != "in6" else "binary", bo,
                               16 if t == "in6" else None),
                      " or ".join("%s.%s %s" % (s["name"], a["name"],
                                                describe(*spec_type(a)))
                                  for s, a in cands)))


# ---- self-test -----------------------------------------------------------

def find_attr(doc, set_name, attr_name):
    for s in doc["attribute-sets"]:
        if s["name"] == set_name:
            for i, a in enumerate(s["attributes"]):
                if a["name"] == attr_name:
                    return s, i, a
    raise KeyError("%s.%s" % (set_name, attr_name))


def find_def(doc, name):
    return next(d for d in doc["definitions"] if d["name"] == name)


def mutants():
    """(description, mutate(doc), a word the mismatch must name)"""
    def setval(set_name, attr, val):
        def f(doc):
            find_attr(doc, set_name, attr)[2]["value"] = val
        return f

    def drop(set_name, attr):
        def f(doc):
            s, i, _ = find_attr(doc, set_name, attr)
            nxt = s["attributes"][i + 1] if i + 1 < len(s["attributes"]) \
                else None
            # keep the numbers after it: only this one goes
            if nxt is not None and "value" not in nxt:
                vals = dict((a["name"], v)
                            for a, v in Spec(doc).attrs(s))
                nxt["value"] = vals[nxt["name"]]
            del s["attributes"][i]
        return f

    def settype(set_name, attr, **kv):
        def f(doc):
            a = find_attr(doc, set_name, attr)[2]
            for k, v in kv.items():
                k = k.replace("_", "-")
                if v is None:
                    a.pop(k, None)
                else:
                    a[k] = v
        return f

    def setlen(set_name, attr, n):
        def f(doc):
            find_attr(doc, set_name, attr)[2]["checks"]["exact-len"] = n
        return f

    def drop_entry(def_name, entry):
        def f(doc):
            d = find_def(doc, def_name)
            d["entries"] = [e for e in d["entries"]
                            if (e["name"] if isinstance(e, dict) else e)
                            != entry]
        return f

    def def_key(def_name, key, val):
        def f(doc):
            find_def(doc, def_name)[key] = val
        return f

    def drop_op(name):
        def f(doc):
            ops = doc["operations"]["list"]
            i = next(i for i, o in enumerate(ops) if o["name"] == name)
            if i + 1 < len(ops) and "value" not in ops[i + 1]:
                vals = dict((o["name"], v) for o, v in Spec(doc).ops)
                ops[i + 1]["value"] = vals[ops[i + 1]["name"]]
            del ops[i]
        return f

    def drop_req(op_name, attr):
        def f(doc):
            op = next(o for o in doc["operations"]["list"]
                      if o["name"] == op_name)
            req = op["do"]["request"]
            op["do"]["request"] = {"attributes": [a for a in req["attributes"]
                                                  if a != attr]}
        return f

    def check_key(set_name, attr, key, val):
        def f(doc):
            find_attr(doc, set_name, attr)[2]["checks"][key] = val
        return f

    return [
        ("epoch renumbered 16 -> 99", setval("beaver", "epoch", 99),
         "BEAVER_A_EPOCH"),
        ("cut.ns renumbered 3 -> 4", setval("cut", "ns", 4),
         "BEAVER_A_CUT_NS"),
        ("cfg-max-ahead dropped", drop("beaver", "cfg-max-ahead"),
         "BEAVER_A_CFG_MAX_AHEAD"),
        ("stats.icmp-mtu-lowered dropped",
         drop("stats", "icmp-mtu-lowered"), "BEAVER_STAT_ICMP_MTU_LOWERED"),
        ("cfg-group u8 -> u16", settype("beaver", "cfg-group", type="u16"),
         "BEAVER_A_CFG_GROUP"),
        ("flow.lport u16 -> u32 (reply only: the put catches it)",
         settype("flow", "lport", type="u32"), "BEAVER_A_FLOW_LPORT"),
        ("totals.tx-seq u32 -> u64", settype("totals", "tx-seq", type="u64"),
         "BEAVER_TOT_TX_SEQ"),
        ("prefix.addr loses big-endian",
         settype("prefix", "addr", byte_order=None), "BEAVER_A_PREFIX_ADDR"),
        ("addr-list.item6 exact-len 16 -> 4", setlen("addr-list", "item6", 4),
         "BEAVER_A_LIST_ITEM6"),
        ("cfg-members nest -> binary",
         settype("beaver", "cfg-members", type="binary",
                 nested_attributes=None), "BEAVER_A_CFG_MEMBERS"),
        ("info-version string -> binary",
         settype("beaver", "info-version", type="binary"),
         "BEAVER_A_INFO_VERSION"),
        ("cfg-max-records max 65536 -> 65535",
         check_key("beaver", "cfg-max-records", "max", 65535),
         "BEAVER_A_CFG_MAX_RECORDS"),
        ("cut-flag tx-unstamped dropped",
         drop_entry("cut-flag", "tx-unstamped"), "BEAVER_CUT_F_TX_UNSTAMPED"),
        ("chan-kind starts at 0", def_key("chan-kind", "value-start", 0),
         "BEAVER_CHAN_MEMBER"),
        ("cap ipv6 dropped (BEAVER_CAP_ALL no longer the mask)",
         drop_entry("cap", "ipv6"), "BEAVER_CAP_"),
        ("operation release dropped", drop_op("release"),
         "BEAVER_CMD_RELEASE"),
        ("set-config request without cfg-flags",
         drop_req("set-config", "cfg-flags"), "BEAVER_A_CFG_FLAGS"),
        ("version 2", lambda doc: doc.__setitem__("version", 2), "version"),
    ]


def source_mutants():
    """(description, file, old, new, a word the mismatch must name):
    the module changing under the spec"""
    return [
        ("the header gains an attribute", "h", "\tBEAVER_A_LATE,\n",
         "\tBEAVER_A_LATE,\n\tBEAVER_A_NEWTHING,\n", "BEAVER_A_NEWTHING"),
        ("a policy's type changes", "c",
         "[BEAVER_A_CFG_GROUP] = NLA_POLICY_MIN(NLA_U8, 1)",
         "[BEAVER_A_CFG_GROUP] = NLA_POLICY_MIN(NLA_U16, 1)",
         "BEAVER_A_CFG_GROUP"),
        ("a reply's type changes", "c",
         "nla_put_u32(msg, BEAVER_A_CUT_STATE",
         "nla_put_u8(msg, BEAVER_A_CUT_STATE", "BEAVER_A_CUT_STATE"),
    ]


def selftest(doc, htext, ctext):
    hdr = parse_header(htext)
    nc = parse_netlink_c(ctext, hdr[2])
    _, _, base = check(doc, hdr, nc)
    if base:
        for p in base:
            print("ynl-check: selftest: the real spec is not clean: " + p)
        return 1
    caught = 0
    def caught_one(desc, found, word):
        hit = [p for p in found if word in p]
        if hit:
            print("ynl-check: selftest: caught: %s: %s" % (desc, hit[0]))
        else:
            print("ynl-check: selftest: MISSED: %s (%d other mismatches)"
                  % (desc, len(found)))
        return bool(hit)

    ms = mutants()
    total = len(ms)
    for desc, mutate, word in ms:
        d = copy.deepcopy(doc)
        mutate(d)
        _, _, found = check(d, hdr, nc)
        caught += caught_one(desc, found, word)
    for desc, which, old, new, word in source_mutants():
        total += 1
        if old not in (htext if which == "h" else ctext):
            print("ynl-check: selftest: MISSED: %s (%r is no longer in "
                  "the source: update the mutant)" % (desc, old))
            continue
        h2 = htext.replace(old, new) if which == "h" else htext
        c2 = ctext.replace(old, new) if which == "c" else ctext
        hdr2 = parse_header(h2)
        _, _, found = check(doc, hdr2, parse_netlink_c(c2, hdr2[2]))
        caught += caught_one(desc, found, word)
    print("ynl-check: selftest: %d/%d mutants caught" % (caught, total))
    return 0 if caught == total else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--selftest", action="store_true",
                    help="mutate the spec in memory; each must be caught")
    ap.add_argument("--spec", default=SPEC)
    args = ap.parse_args()
    doc = yaml.safe_load(open(args.spec))
    htext = open(HEADER).read()
    ctext = open(NETLINK_C).read() + "\n" + open(FASTPATH_C).read()
    try:
        hdr = parse_header(htext)
        nc = parse_netlink_c(ctext, hdr[2])
    except (ValueError, KeyError, SyntaxError) as e:
        print("ynl-check: cannot parse the sources: %s" % e)
        return 1
    if args.selftest:
        return selftest(doc, htext, ctext)
    n_attrs, n_enums, pr = check(doc, hdr, nc)
    for p in pr:
        print("ynl-check: " + p)
    print("ynl-check: %d attributes, %d enums checked, %d mismatches"
          % (n_attrs, n_enums, len(pr)))
    return 1 if pr else 0


if __name__ == "__main__":
    sys.exit(main())
