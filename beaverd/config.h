/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * beaverd's configuration: /etc/beaver/beaverd.conf, INI, parsed with inih.
 * Every key is documented in beaverd.conf(5) (man/beaverd.conf.5).
 *
 *   [beaverd]
 *   node = m1                    ; this host's name, unique in the group
 *   roles = member               ; gateway | member, and/or coordinator
 *   listen = 10.0.1.11:5150      ; control-plane UDP address (port default 5150)
 *   key_file = /etc/beaver/private.key   ; this node's key (beaverctl genkey)
 *   previous_key_file =          ; optional: the key before a rotation
 *   state_dir = /var/lib/beaver
 *   run_dir = /run/beaver
 *   socket_group = beaver        ; group of the beaverctl socket
 *   log = journal                ; journal | stderr
 *   netns =                      ; optional: a network namespace to act in
 *   metrics =                    ; optional: Prometheus endpoint, e.g.
 *                                ; 127.0.0.1:9150 or [::1]:9150 (off if unset)
 *
 *   [group]
 *   id = 7                       ; 1..255
 *   members = 10.0.1.11, 10.0.1.12   ; data-plane addresses of members
 *   vips = 10.0.0.100            ; (data-plane lists: IPv4 and/or IPv6)
 *   gateways = 10.0.1.1          ; members: the gateways on this LAN
 *   allow = 192.168.122.0/24     ; bypass allow-list (management network)
 *
 *   [module]                     ; pushed to beaver.ko
 *   settle_ms = 50
 *   max_flows = 65536
 *   max_history = 262144
 *   max_records = 1024
 *   max_captures = 1024
 *   capture_bytes = 64
 *   mss_clamp = yes
 *   ipv4_id_stamp = yes          ; IPv4 stamps in the ID where GRO needs it
 *   fast_path = yes              ; a gateway's module answers ADVANCE itself
 *   max_ahead = 1024             ; stamps past the last advance + this: ignored
 *   flow_idle_ms = 30000         ; idle flows retire (0: never)
 *   app_mark = 0                 ; skb->mark bits for applications' epochs
 *
 *   [coordinator]
 *   tau_min_us = 33               ; accept iff t1 - t0 < tau_min
 *   ack_timeout_ms = 200
 *   retries = 3                   ; fresh-epoch retries of a rejected snapshot
 *   max_outstanding = 4           ; snapshots in flight at once
 *   complete_timeout_ms = 5000    ; wait for members' completion
 *   collect_timeout_ms = 5000
 *   late_hold_ms = 0              ; members keep an accepted epoch this long
 *   first_epoch = 1               ; only used when no epoch was ever allocated
 *   active_address = 10.0.1.250   ; optional: snapshot only while holding it
 *
 *   [store]                       ; the coordinator's retention
 *   keep_snapshots = 10000        ; 0: no count limit
 *   keep_days = 90                ; 0: no age limit
 *
 *   [gateway:NAME]                ; one section per gateway (coordinator only)
 *   address = 10.0.1.1:5150
 *   public_key = HEX [HEX]        ; beaverctl pubkey; two during a rotation
 *
 *   [member:NAME]                 ; one section per member (coordinator only)
 *   address = 10.0.1.11:5150
 *   data = 10.0.1.11, 2001:db8::b ; its data-plane addresses (channel balance)
 *   public_key = HEX [HEX]
 *
 *   [coordinator:NAME]            ; who may command this node (agents); one
 *   address = 10.0.1.5:5150       ; per coordinator, standbys included
 *   public_key = HEX [HEX]
 */
#ifndef BEAVERD_CONFIG_H
#define BEAVERD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "bvip.h"

#define BVD_ROLE_GATEWAY	(1u << 0)
#define BVD_ROLE_MEMBER		(1u << 1)
#define BVD_ROLE_COORDINATOR	(1u << 2)

#define BVD_DEFAULT_PORT	5150
#define BVD_MAX_PEERS		2048	/* 1,000 members measured: docs/performance.md */
#define BVD_MAX_ADDRS		4096
#define BVD_MAX_ALLOW		256
#define BVD_MAX_RETRIES		100	/* [coordinator] retries */
#define BVD_NAME_MAX		64
#define BVD_MAX_COORDS		8	/* [coordinator:NAME] sections */
#define BVD_PEER_KEYS		2	/* public keys of a peer (rotation) */
#define BVD_PUBLIC_LEN		32	/* an X25519 public key (wire.h) */
#define BVD_PEER_DATA		8	/* data-plane addresses of a member */

/*
 * The data plane (members, vips, gateways, allow, a member's data) takes
 * both families, kept as bvip.h does; the control plane (listen, address,
 * active_address) is IPv4 for now (docs/decisions.md).
 */
struct bvd_prefix {
	struct bv_ip addr;
	uint8_t len;		/* 0..32 for IPv4, 0..128 for IPv6 */
};

struct bvd_peer_conf {
	char name[BVD_NAME_MAX];
	bool gateway;			/* else member (or coordinator) */
	bool coordinator;		/* a [coordinator:NAME] section */
	struct sockaddr_in control;	/* control-plane address */
	/* member: its data-plane addresses, one or more (the control address's if not set) */
	struct bv_ip data[BVD_PEER_DATA];
	size_t n_data;
	/* the first is used to send; any of them is accepted */
	uint8_t public_key[BVD_PEER_KEYS][BVD_PUBLIC_LEN];
	size_t n_keys;
};

struct bvd_config {
	/* [beaverd] */
	char node[BVD_NAME_MAX];
	unsigned int roles;		/* BVD_ROLE_* */
	struct sockaddr_in listen;
	char key_file[256];
	char previous_key_file[256];	/* "" if none */
	char state_dir[256];
	char run_dir[256];
	char socket_group[64];
	bool log_stderr;
	char netns[256];
	/* Prometheus endpoint (docs/metrics.md); ss_family 0: off */
	struct sockaddr_storage metrics;

	/* [group] */
	uint8_t group;
	struct bv_ip *members;
	size_t n_members;
	struct bv_ip *vips;
	size_t n_vips;
	struct bv_ip *gateways;		/* a member's gateways (trusted L2) */
	size_t n_gateways;
	struct bvd_prefix *allow;
	size_t n_allow;

	/* [module] */
	uint32_t settle_ms, max_flows, max_history, max_records;
	uint32_t max_captures, capture_bytes, max_ahead, flow_idle_ms;
	bool mss_clamp;
	bool ipv4_id_stamp;	/* the IPv4 ID encoding (beaverd.conf(5)) */
	uint32_t app_mark;	/* epochs in skb->mark; 0: off */
	bool fast_path;		/* gateway: keys to the module (fastpath.h) */

	/* [coordinator] */
	uint64_t tau_min_ns;
	uint32_t ack_timeout_ms, retries, max_outstanding;
	uint32_t complete_timeout_ms, collect_timeout_ms;
	uint32_t late_hold_ms;	/* keep an accepted epoch after its end */
	uint32_t first_epoch;
	struct in_addr active_address;	/* 0.0.0.0: always active */

	/* [store] */
	uint32_t keep_snapshots, keep_days;

	/* [gateway:NAME], [member:NAME] */
	struct bvd_peer_conf *peers;
	size_t n_peers;

	/* [coordinator:NAME] */
	struct bvd_peer_conf *coords;
	size_t n_coords;
};

/*
 * Parse and validate path into cfg (defaults first). On error returns
 * -1 and writes "FILE:LINE: message" lines, one per problem found, to
 * err (all problems, not just the first; err may be NULL). A file that
 * cannot be read is one error with line 0.
 */
int bvd_config_load(const char *path, struct bvd_config *cfg, FILE *err);

/* the same from a string (fuzzing, unit tests); name is used in messages */
int bvd_config_parse(const char *text, const char *name,
		     struct bvd_config *cfg, FILE *err);

void bvd_config_free(struct bvd_config *cfg);

/*
 * The [group] key of the first IPv6 address the module would be given
 * (members, vips, gateways, allow), with that address in buf (BV_IP_STRLEN
 * bytes, a prefix's length not included); NULL if there is none.
 */
const char *bvd_config_first_ipv6(const struct bvd_config *cfg, char *buf);

/*
 * Reload (SIGHUP): the keys a running beaverd cannot take without a
 * restart. Writes "key: old -> new" of the first one that differs between
 * the running configuration and the new one into buf and returns true;
 * false if none does (the rest is applied by the reload).
 */
bool bvd_config_needs_restart(const struct bvd_config *old,
			      const struct bvd_config *new, char *buf,
			      size_t size);

/* the metrics address as "ADDR:PORT" or "[ADDR6]:PORT" ("off" if unset) */
const char *bvd_config_metrics_str(const struct bvd_config *cfg, char *buf,
				   size_t size);

#endif /* BEAVERD_CONFIG_H */
