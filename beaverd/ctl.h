/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The beaverctl socket: /run/beaver/beaverd.sock, AF_UNIX SOCK_SEQPACKET,
 * mode 0660, group `beaver` (configurable). One request datagram, one reply
 * datagram (at most BVC_MAX_MSG bytes), both JSON objects (jansson).
 *
 * Request:  {"cmd": NAME, "args": {...}}
 * Reply:    {"ok": true, "result": {...}}
 *        or {"ok": false, "error": "message", "code": "usage"|"notfound"|
 *            "rejected"|"failed"|"busy"|"internal"}
 *
 * Commands (the result's fields are the versioned JSON schema that
 * `beaverctl --json` prints; docs/json-schema.md documents them):
 *   status                -> {"node","roles":[...],"group","epoch":{"gateway","member"},
 *                             "module":{"version","caps"},"counters":{...},
 *                             "coordinator":{"next_epoch","outstanding","snapshots"}}
 *   snapshot {"wait":bool,"timeout_ms":N}
 *                         -> {"id","state",...} (the snapshot object below;
 *                             without wait, state is "pending")
 *   list {"limit":N,"before":ID} -> {"snapshots":[snapshot...]}
 *   show {"id":N}         -> {"snapshot":{...},"attempts":[...],"report":{...}}
 *   export {"id":N}       -> the export document (schema "beaver-snapshot/1"),
 *                            larger than one datagram: sent in parts, see
 *                            BVC_PART below
 *   members               -> {"members":[{"name","role","address","reachable",
 *                             "rtt_us","epoch"}...]}
 *   calibrate {"count":N} -> {"rtt_us":{"min","median","p99"},
 *                             "tau_min_us","bound_ok":bool}
 *
 * A snapshot object: {"id","state","reason","epoch","created","finished",
 *   "tau_min_ns","bound_ns","attempts"}
 *
 * BVC_PART: a reply larger than BVC_MAX_MSG is sent as several datagrams,
 * each {"part":i,"parts":n,"data":"<slice of the JSON text>"}; the client
 * concatenates the slices in order and parses the result.
 */
#ifndef BEAVERD_CTL_H
#define BEAVERD_CTL_H

#define BVC_SOCKET_NAME	"beaverd.sock"
#define BVC_MAX_MSG	65536

#endif /* BEAVERD_CTL_H */
