// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * beaverd.conf: parsing (inih) and validation into struct bvd_config.
 *
 * inih splits lines into sections and key/value pairs; everything else is
 * done here, and every problem is collected (never just the first) and
 * printed as "FILE:LINE: message", sorted by line.
 *
 * inih's handler carries no line number in Debian's build (INI_HANDLER_LINENO
 * is 0), so the text is fed to ini_parse_stream() through our own line
 * reader: the handler runs while the line just read is current, which gives
 * the line number. The reader also sees every section header (inih calls no
 * handler for an empty section) and every line inih would refuse (inih
 * reports only the first), and it replaces a line longer than inih's line
 * buffer by a comment after reporting it, rather than let inih cut it in two.
 */
#include "config.h"
#include "wire.h"
#include "app_mark.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONFIG_MAX_SIZE (1u << 20)	/* a configuration file, not a database */

enum section_kind {
	S_NONE,		/* before the first section header */
	S_BAD,		/* a broken or unknown header: its keys are ignored */
	S_BEAVERD,
	S_GROUP,
	S_MODULE,
	S_COORD,
	S_STORE,
	S_PEER,		/* [gateway:NAME], [member:NAME], [coordinator:NAME] */
};

enum value_kind {
	V_NAME,		/* node name */
	V_ROLES,
	V_ADDRPORT,	/* a.b.c.d[:port] (control plane: IPv4) */
	V_ADDR,		/* a.b.c.d (control plane: IPv4) */
	V_PATH,		/* absolute path */
	V_GROUPNAME,
	V_LOG,
	V_NETNS,
	V_LISTEN46,	/* a.b.c.d:port or [v6]:port (the metrics endpoint) */
	V_U8,		/* range checked */
	V_U32,		/* range checked */
	V_USEC_NS,	/* microseconds in the file, nanoseconds in the struct */
	V_BOOL,
	V_ADDRLIST,	/* list of addresses, IPv4 or IPv6 */
	V_PREFIXLIST,	/* list of address[/len], IPv4 or IPv6 */
	V_DATALIST,	/* a member's data addresses, IPv4 or IPv6 */
	V_MARK,		/* a mask of skb->mark bits: 0xHEX or decimal */
	V_PUBKEYS,	/* 1..BVD_PEER_KEYS public keys in hex */
};

struct key_def {
	enum section_kind sect;
	const char *name;
	enum value_kind kind;
	size_t off;		/* in struct bvd_config (struct bvd_peer_conf for S_PEER) */
	size_t size;		/* of a string field */
	uint64_t min, max;
	unsigned int peer_mask;	/* S_PEER: PEER_GW | PEER_MEMBER | PEER_COORD */
};

#define CF(field) offsetof(struct bvd_config, field)
#define CS(field) sizeof(((struct bvd_config *)0)->field)
#define PF(field) offsetof(struct bvd_peer_conf, field)
#define PEER_GW 1u
#define PEER_MEMBER 2u
#define PEER_COORD 4u
#define PEER_ANY (PEER_GW | PEER_MEMBER | PEER_COORD)

static const struct key_def keys[] = {
	{ S_BEAVERD, "node", V_NAME, CF(node), CS(node), 0, 0, 0 },
	{ S_BEAVERD, "roles", V_ROLES, CF(roles), 0, 0, 0, 0 },
	{ S_BEAVERD, "listen", V_ADDRPORT, CF(listen), 0, 0, 0, 0 },
	{ S_BEAVERD, "key_file", V_PATH, CF(key_file), CS(key_file), 0, 0, 0 },
	{ S_BEAVERD, "previous_key_file", V_PATH, CF(previous_key_file),
	  CS(previous_key_file), 0, 0, 0 },
	{ S_BEAVERD, "state_dir", V_PATH, CF(state_dir), CS(state_dir), 0, 0, 0 },
	{ S_BEAVERD, "run_dir", V_PATH, CF(run_dir), CS(run_dir), 0, 0, 0 },
	{ S_BEAVERD, "socket_group", V_GROUPNAME, CF(socket_group),
	  CS(socket_group), 0, 0, 0 },
	{ S_BEAVERD, "log", V_LOG, CF(log_stderr), 0, 0, 0, 0 },
	{ S_BEAVERD, "netns", V_NETNS, CF(netns), CS(netns), 0, 0, 0 },
	{ S_BEAVERD, "metrics", V_LISTEN46, CF(metrics), 0, 0, 0, 0 },

	{ S_GROUP, "id", V_U8, CF(group), 0, 1, 255, 0 },
	{ S_GROUP, "members", V_ADDRLIST, CF(members), 0, 0, BVD_MAX_ADDRS, 0 },
	{ S_GROUP, "vips", V_ADDRLIST, CF(vips), 0, 0, BVD_MAX_ADDRS, 0 },
	{ S_GROUP, "gateways", V_ADDRLIST, CF(gateways), 0, 0, BVD_MAX_PEERS, 0 },
	{ S_GROUP, "allow", V_PREFIXLIST, CF(allow), 0, 0, BVD_MAX_ALLOW, 0 },

	/* the ranges of beaver.ko's netlink policy (kmod/netlink.c) */
	{ S_MODULE, "settle_ms", V_U32, CF(settle_ms), 0, 0, 60000, 0 },
	{ S_MODULE, "max_flows", V_U32, CF(max_flows), 0, 1, 1u << 24, 0 },
	{ S_MODULE, "max_history", V_U32, CF(max_history), 0, 1, 1u << 26, 0 },
	{ S_MODULE, "max_records", V_U32, CF(max_records), 0, 1, 65536, 0 },
	{ S_MODULE, "max_captures", V_U32, CF(max_captures), 0, 0, 1u << 20, 0 },
	{ S_MODULE, "capture_bytes", V_U32, CF(capture_bytes), 0, 0, 1024, 0 },
	{ S_MODULE, "mss_clamp", V_BOOL, CF(mss_clamp), 0, 0, 0, 0 },
	{ S_MODULE, "ipv4_id_stamp", V_BOOL, CF(ipv4_id_stamp), 0, 0, 0, 0 },
	{ S_MODULE, "fast_path", V_BOOL, CF(fast_path), 0, 0, 0, 0 },
	{ S_MODULE, "max_ahead", V_U32, CF(max_ahead), 0, 1, 1u << 30, 0 },
	{ S_MODULE, "flow_idle_ms", V_U32, CF(flow_idle_ms), 0, 0, 86400000,
	  0 },
	{ S_MODULE, "app_mark", V_MARK, CF(app_mark), 0, 0, 0, 0 },

	{ S_COORD, "tau_min_us", V_USEC_NS, CF(tau_min_ns), 0, 1, 10000000, 0 },
	{ S_COORD, "ack_timeout_ms", V_U32, CF(ack_timeout_ms), 0, 1, 60000, 0 },
	{ S_COORD, "retries", V_U32, CF(retries), 0, 0, BVD_MAX_RETRIES, 0 },
	{ S_COORD, "max_outstanding", V_U32, CF(max_outstanding), 0, 1, 1024, 0 },
	{ S_COORD, "complete_timeout_ms", V_U32, CF(complete_timeout_ms), 0,
	  1, 600000, 0 },
	{ S_COORD, "collect_timeout_ms", V_U32, CF(collect_timeout_ms), 0,
	  1, 600000, 0 },
	{ S_COORD, "late_hold_ms", V_U32, CF(late_hold_ms), 0, 0, 600000, 0 },
	{ S_COORD, "first_epoch", V_U32, CF(first_epoch), 0, 1, UINT32_MAX, 0 },
	{ S_COORD, "active_address", V_ADDR, CF(active_address), 0, 0, 0, 0 },

	{ S_STORE, "keep_snapshots", V_U32, CF(keep_snapshots), 0, 0,
	  INT32_MAX, 0 },
	{ S_STORE, "keep_days", V_U32, CF(keep_days), 0, 0, 36500, 0 },

	{ S_PEER, "address", V_ADDRPORT, PF(control), 0, 0, 0, PEER_ANY },
	{ S_PEER, "data", V_DATALIST, PF(data), 0, 1, BVD_PEER_DATA,
	  PEER_MEMBER },
	{ S_PEER, "public_key", V_PUBKEYS, PF(public_key), 0, 0, 0, PEER_ANY },
};

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

struct cfg_err {
	unsigned int line;
	unsigned int seq;	/* keeps the order of one line's messages */
	char *msg;
};

/* per peer: where it was defined and where its keys were */
struct peer_lines {
	unsigned int header;
	unsigned int key[N_KEYS];
};

struct ctx {
	const char *file;
	struct bvd_config *cfg;

	/* the reader */
	const char *text;
	size_t len, pos;
	unsigned int lineno;	/* the line inih is processing */
	bool indented;		/* it starts with white space */
	bool have_key;		/* inih's prev_name: a key since the header */
	unsigned int prev_key;	/* index in keys[] of that key, or N_KEYS */

	/* the current section */
	enum section_kind sect;
	char sect_name[256];
	size_t peer;		/* S_PEER: index in cfg->peers */

	unsigned int key_line[N_KEYS];	/* fixed sections: line of each key */
	unsigned int sect_line[S_PEER + 1];	/* first header of each section */
	bool list_full[N_KEYS];
	unsigned int *addr_lines[N_KEYS];	/* line of each list element */
	struct peer_lines *peer_lines;
	size_t peers_cap, members_cap, vips_cap, gateways_cap, allow_cap;
	size_t n_coord_sections;

	struct cfg_err *errs;
	size_t n_errs, errs_cap;
	bool oom;
};

/* ---- error collection ---- */

__attribute__((format(printf, 3, 4)))
static void report_at(struct ctx *c, unsigned int line, const char *fmt, ...)
{
	struct cfg_err *e;
	va_list ap;
	char *msg;

	if (c->n_errs == c->errs_cap) {
		size_t cap = c->errs_cap ? c->errs_cap * 2 : 16;

		e = realloc(c->errs, cap * sizeof(*e));
		if (!e) {
			c->oom = true;
			return;
		}
		c->errs = e;
		c->errs_cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0) {
		va_end(ap);
		c->oom = true;
		return;
	}
	va_end(ap);
	e = &c->errs[c->n_errs];
	e->line = line;
	e->seq = (unsigned int)c->n_errs;
	e->msg = msg;
	c->n_errs++;
}

#define report(c, ...) report_at((c), (c)->lineno, __VA_ARGS__)

static bool has_error_at(const struct ctx *c, unsigned int line)
{
	for (size_t i = 0; i < c->n_errs; i++)
		if (c->errs[i].line == line)
			return true;
	return false;
}

static int cmp_err(const void *a, const void *b)
{
	const struct cfg_err *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void print_errors(struct ctx *c, FILE *err)
{
	if (c->n_errs > 1)
		qsort(c->errs, c->n_errs, sizeof(c->errs[0]), cmp_err);
	for (size_t i = 0; err && i < c->n_errs; i++)
		fprintf(err, "%s:%u: %s\n", c->file, c->errs[i].line,
			c->errs[i].msg);
	if (err && c->oom)
		fprintf(err, "%s:0: out of memory while reading the "
			"configuration\n", c->file);
}

static void ctx_free(struct ctx *c)
{
	for (size_t i = 0; i < c->n_errs; i++)
		free(c->errs[i].msg);
	free(c->errs);
	for (size_t i = 0; i < N_KEYS; i++)
		free(c->addr_lines[i]);
	free(c->peer_lines);
}

/* ---- value parsers ---- */

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' ||
	       ch == '\v' || ch == '\f';
}

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static bool is_alnum(char ch)
{
	return is_digit(ch) || (ch >= 'a' && ch <= 'z') ||
	       (ch >= 'A' && ch <= 'Z');
}

/* a decimal number, nothing else around it */
static bool parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!is_digit(*s))
		return false;
	for (; *s; s++) {
		if (!is_digit(*s))
			return false;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

/* strict dotted quad (inet_pton's AF_INET form: no octal, no short forms) */
static bool parse_ipv4(const char *s, struct in_addr *a)
{
	return inet_pton(AF_INET, s, a) == 1;
}

/*
 * IPv6 text on the control plane, which is IPv4 for now (docs/decisions.md):
 * true, after saying so, if @s (or "[@s]", or "[@s]:port" for @port) is an
 * IPv6 address. Refused, not misread.
 */
static bool refused_ipv6(struct ctx *c, const char *key, const char *s,
			 bool port)
{
	char buf[INET6_ADDRSTRLEN + 1];
	const char *end = NULL;
	struct in6_addr a6;
	size_t n;

	if (port && s[0] == '[')
		end = strchr(++s, ']');
	n = end ? (size_t)(end - s) : strlen(s);
	if (n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET6, buf, &a6) != 1)
		return false;
	report(c, "%s: %s: an IPv6 address, but the control plane is IPv4 "
	       "for now (IPv6 goes in the data-plane keys: members, vips, "
	       "gateways, allow, data)", key, buf);
	return true;
}

/* an address a peer can have: not 0.0.0.0, broadcast or multicast */
static bool is_unicast(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	return h != 0 && h != 0xffffffffu && (h & 0xf0000000u) != 0xe0000000u;
}

static const char *ipv4_str(struct in_addr a, char *buf)
{
	if (!inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN))
		snprintf(buf, INET_ADDRSTRLEN, "?");
	return buf;
}

static const char *ip_str(const struct bv_ip *a, char *buf)
{
	if (!bv_ip_ntop(a, buf))
		snprintf(buf, BV_IP_STRLEN, "?");
	return buf;
}

/*
 * A data-plane address of either family into @a; false after saying why.
 * IPv4-mapped IPv6 text is refused (the module takes IPv4 as IPv4).
 */
static bool parse_ip(struct ctx *c, const char *key, const char *s,
		     struct bv_ip *a)
{
	char buf[BV_IP_STRLEN];
	int af = bv_ip_pton(s, a);

	if (!af) {
		report(c, "%s: '%s' is not an IPv4 or IPv6 address", key, s);
		return false;
	}
	if (af == AF_INET6 && bv_ip_is4(a)) {
		report(c, "%s: %s is an IPv4-mapped address: write it as %s",
		       key, s, ip_str(a, buf));
		return false;
	}
	return true;
}

/* an address a member, VIP or gateway can have: not unspecified or multicast */
static bool ip_is_unicast(const struct bv_ip *a)
{
	static const struct in6_addr any = IN6ADDR_ANY_INIT;

	if (bv_ip_is4(a)) {
		struct in_addr v4 = { .s_addr = bv_ip_get4(a) };

		return is_unicast(v4);
	}
	return memcmp(&a->a, &any, sizeof(any)) != 0 &&
	       a->a.s6_addr[0] != 0xff;
}

/* a data-plane address, unicast, into @a; false after saying why */
static bool parse_unicast_ip(struct ctx *c, const char *key, const char *s,
			     struct bv_ip *a)
{
	if (!parse_ip(c, key, s, a))
		return false;
	if (!ip_is_unicast(a)) {
		report(c, "%s: %s is not a unicast address", key, s);
		return false;
	}
	return true;
}

/* keep the network part of @a: @plen bits, of 32 (IPv4) or 128 */
static void ip_mask(struct bv_ip *a, unsigned int plen)
{
	unsigned int bits = bv_ip_is4(a) ? 96 + plen : plen;

	for (unsigned int i = 0; i < 16; i++) {
		unsigned int keep = bits >= 8 * (i + 1) ? 8 :
				    bits > 8 * i ? bits - 8 * i : 0;

		a->a.s6_addr[i] &= (uint8_t)(0xff00u >> keep);
	}
}

/* a node or peer name: 1..BVD_NAME_MAX-1 of [A-Za-z0-9._-], not "." or ".." */
static const char *check_name(const char *s)
{
	size_t n = strlen(s);

	if (!n)
		return "is empty";
	if (n >= BVD_NAME_MAX)
		return "is longer than 63 characters";
	for (const char *p = s; *p; p++)
		if (!is_alnum(*p) && *p != '.' && *p != '_' && *p != '-')
			return "may contain only letters, digits, '.', '_' and '-'";
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return "is not a name";
	return NULL;
}

static void set_string(struct ctx *c, const struct key_def *k, char *dst,
		       const char *v)
{
	if (strlen(v) >= k->size) {
		report(c, "%s: value is longer than %zu characters", k->name,
		      k->size - 1);
		return;
	}
	memcpy(dst, v, strlen(v) + 1);
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static void parse_addrport(struct ctx *c, const struct key_def *k,
			   const char *v, struct sockaddr_in *out)
{
	char host[INET_ADDRSTRLEN + 1];
	const char *colon = strchr(v, ':');
	size_t hl = colon ? (size_t)(colon - v) : strlen(v);
	uint64_t port = BVD_DEFAULT_PORT;
	struct in_addr a;

	if (refused_ipv6(c, k->name, v, true))
		return;
	if (hl >= sizeof(host)) {
		report(c, "%s: '%s' is not an IPv4 address[:port]", k->name, v);
		return;
	}
	memcpy(host, v, hl);
	host[hl] = '\0';
	if (!parse_ipv4(host, &a)) {
		report(c, "%s: '%s' is not an IPv4 address", k->name, host);
		return;
	}
	if (c->sect == S_PEER && !is_unicast(a)) {
		report(c, "%s: %s is not a unicast address", k->name, host);
		return;
	}
	if (colon && (!parse_u64(colon + 1, &port) || port < 1 ||
		      port > 65535)) {
		report(c, "%s: port '%s' is not a number in 1..65535", k->name,
		      colon + 1);
		return;
	}
	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	out->sin_addr = a;
	out->sin_port = htons((uint16_t)port);
}

/*
 * The metrics endpoint: "a.b.c.d:port" or "[v6]:port", the port required
 * (an HTTP listener has no default of ours); any address of this host,
 * the wildcard included (a deliberate choice: beaverd.conf(5) suggests
 * loopback).
 */
static void parse_listen46(struct ctx *c, const struct key_def *k,
			   const char *v, struct sockaddr_storage *out)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *hs = v;
	uint64_t port = 0;
	size_t hl;

	if (v[0] == '[') {
		const char *end = strchr(v, ']');

		if (!end || end[1] != ':') {
			report(c, "%s: '%s' is not [IPv6 address]:port", k->name,
			       v);
			return;
		}
		hs = v + 1;
		hl = (size_t)(end - hs);
		colon = end + 1;
	} else {
		colon = strrchr(v, ':');
		if (!colon || strchr(v, ':') != colon) {
			report(c, "%s: '%s' is not address:port (IPv4) or "
			       "[address]:port (IPv6)", k->name, v);
			return;
		}
		hl = (size_t)(colon - v);
	}
	if (!parse_u64(colon + 1, &port) || port < 1 || port > 65535) {
		report(c, "%s: port '%s' is not a number in 1..65535", k->name,
		       colon + 1);
		return;
	}
	if (hl >= sizeof(host)) {
		report(c, "%s: '%s' is not an address", k->name, v);
		return;
	}
	memcpy(host, hs, hl);
	host[hl] = '\0';
	memset(out, 0, sizeof(*out));
	if (v[0] == '[') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)out;

		if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1) {
			report(c, "%s: '%s' is not an IPv6 address", k->name,
			       host);
			return;
		}
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)out;

		if (!parse_ipv4(host, &a4->sin_addr)) {
			report(c, "%s: '%s' is not an IPv4 address", k->name,
			       host);
			return;
		}
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
	}
}

static void parse_roles(struct ctx *c, const char *v)
{
	unsigned int roles = 0;
	char buf[256];
	char *save = NULL;

	if (strlen(v) >= sizeof(buf)) {
		report(c, "roles: value too long");
		return;
	}
	memcpy(buf, v, strlen(v) + 1);
	for (char *t = strtok_r(buf, ", \t", &save); t;
	     t = strtok_r(NULL, ", \t", &save)) {
		if (!strcmp(t, "gateway"))
			roles |= BVD_ROLE_GATEWAY;
		else if (!strcmp(t, "member"))
			roles |= BVD_ROLE_MEMBER;
		else if (!strcmp(t, "coordinator"))
			roles |= BVD_ROLE_COORDINATOR;
		else
			report(c, "roles: unknown role '%s' (gateway, member, "
			      "coordinator)", t);
	}
	if (!roles) {
		if (!has_error_at(c, c->lineno))
			report(c, "roles: no role given (gateway or member, "
			      "and/or coordinator)");
		return;
	}
	if ((roles & BVD_ROLE_GATEWAY) && (roles & BVD_ROLE_MEMBER))
		report(c, "roles: gateway and member together: a network "
		      "namespace is either a gateway or a member");
	c->cfg->roles = roles;
}

static void parse_number(struct ctx *c, const struct key_def *k,
			 const char *v, void *dst)
{
	uint64_t n;

	if (!parse_u64(v, &n)) {
		report(c, "%s: '%s' is not a number", k->name, v);
		return;
	}
	if (n < k->min || n > k->max) {
		report(c, "%s: %s is out of range %llu..%llu", k->name, v,
		      (unsigned long long)k->min, (unsigned long long)k->max);
		return;
	}
	switch (k->kind) {
	case V_U8:
		*(uint8_t *)dst = (uint8_t)n;
		break;
	case V_U32:
		*(uint32_t *)dst = (uint32_t)n;
		break;
	case V_USEC_NS:
		*(uint64_t *)dst = n * 1000;
		break;
	default:
		break;
	}
}

/*
 * A mask of skb->mark bits, written as marks are (0xff0000) or in decimal:
 * 0, or one run of at least 2 contiguous bits (the module's rule, uapi
 * beaver.h "Epochs for applications")
 */
static void parse_mark(struct ctx *c, const struct key_def *k, const char *v,
		       uint32_t *dst)
{
	unsigned long long n;
	char *end;

	errno = 0;
	n = strtoull(v, &end, 0);
	if (!is_digit(*v) || *end || errno || n > UINT32_MAX) {
		report(c, "%s: '%s' is not a 32-bit mask (0xHEX or decimal)",
		      k->name, v);
		return;
	}
	if (!bv_app_mark_valid((uint32_t)n)) {
		report(c, "%s: %s is not one run of at least 2 contiguous bits",
		      k->name, v);
		return;
	}
	*dst = (uint32_t)n;
}

static void parse_bool(struct ctx *c, const struct key_def *k, const char *v,
		       bool *dst)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(v, yes[i])) {
			*dst = true;
			return;
		}
		if (!strcasecmp(v, no[i])) {
			*dst = false;
			return;
		}
	}
	report(c, "%s: '%s' is not a boolean (yes or no)", k->name, v);
}

/* room for element n of arr: returns the array (maybe moved) or NULL */
static void *grow(struct ctx *c, void *arr, size_t *cap, size_t n, size_t elem)
{
	void *p;
	size_t ncap;

	if (n < *cap)
		return arr;
	ncap = *cap ? *cap * 2 : 8;
	p = realloc(arr, ncap * elem);
	if (!p) {
		c->oom = true;
		return NULL;
	}
	*cap = ncap;
	return p;
}

/* the address list a key fills: its array, length and capacity */
static void addr_list(struct ctx *c, const struct key_def *k,
		      struct bv_ip ***arr, size_t **n, size_t **cap)
{
	struct bvd_config *cfg = c->cfg;

	if (k->off == CF(members)) {
		*arr = &cfg->members;
		*n = &cfg->n_members;
		*cap = &c->members_cap;
	} else if (k->off == CF(vips)) {
		*arr = &cfg->vips;
		*n = &cfg->n_vips;
		*cap = &c->vips_cap;
	} else {
		*arr = &cfg->gateways;
		*n = &cfg->n_gateways;
		*cap = &c->gateways_cap;
	}
}

/* one element of members/vips/gateways/allow */
static void list_add(struct ctx *c, size_t ki, const char *item)
{
	const struct key_def *k = &keys[ki];
	struct bvd_config *cfg = c->cfg;
	char buf[64], a1[BV_IP_STRLEN], a2[BV_IP_STRLEN];
	struct bv_ip a;
	uint64_t plen = 0, maxlen = 0;
	size_t *n, *cap;
	unsigned int **lines = &c->addr_lines[ki];

	if (k->kind == V_PREFIXLIST) {
		const char *slash = strchr(item, '/');
		size_t al = slash ? (size_t)(slash - item) : strlen(item);

		if (al >= sizeof(buf)) {
			report(c, "%s: '%s' is not an IPv4 or IPv6 prefix",
			       k->name, item);
			return;
		}
		memcpy(buf, item, al);
		buf[al] = '\0';
		if (!parse_ip(c, k->name, buf, &a))
			return;
		maxlen = plen = bv_ip_is4(&a) ? 32 : 128;
		if (slash && (!parse_u64(slash + 1, &plen) || plen > maxlen)) {
			report(c, "%s: prefix length '%s' is not a number in "
			       "0..%u", k->name, slash + 1,
			       (unsigned int)maxlen);
			return;
		}
		struct bv_ip net = a;

		ip_mask(&net, (unsigned int)plen);
		if (!bv_ip_eq(&net, &a)) {
			report(c, "%s: %s has host bits set (did you mean %s/%u?)",
			      k->name, item, ip_str(&net, a1),
			      (unsigned int)plen);
			return;
		}
		n = &cfg->n_allow;
		cap = &c->allow_cap;
		for (size_t i = 0; i < *n; i++)
			if (bv_ip_eq(&cfg->allow[i].addr, &a) &&
			    cfg->allow[i].len == plen) {
				report(c, "%s: %s/%u listed twice (first on line %u)",
				      k->name, ip_str(&a, a2), (unsigned int)plen,
				      (*lines)[i]);
				return;
			}
	} else {
		struct bv_ip **arrp;

		addr_list(c, k, &arrp, &n, &cap);
		if (!parse_unicast_ip(c, k->name, item, &a))
			return;
		for (size_t i = 0; i < *n; i++)
			if (bv_ip_eq(&(*arrp)[i], &a)) {
				report(c, "%s: %s listed twice (first on line %u)",
				      k->name, ip_str(&a, a1), (*lines)[i]);
				return;
			}
	}
	if (*n >= k->max) {
		if (!c->list_full[ki])
			report(c, "%s: more than %llu entries", k->name,
			      (unsigned long long)k->max);
		c->list_full[ki] = true;
		return;
	}
	size_t old_cap = *cap;

	if (k->kind == V_PREFIXLIST) {
		struct bvd_prefix *p = grow(c, cfg->allow, cap, *n,
					    sizeof(*p));

		if (!p)
			return;
		cfg->allow = p;
		p[*n].addr = a;
		p[*n].len = (uint8_t)plen;
	} else {
		struct bv_ip **arr, *p;
		size_t *unused;

		addr_list(c, k, &arr, &unused, &unused);
		p = grow(c, *arr, cap, *n, sizeof(*p));

		if (!p)
			return;
		*arr = p;
		p[*n] = a;
	}
	/* the line array follows its list's capacity */
	if (*cap != old_cap || !*lines) {
		unsigned int *l = realloc(*lines, *cap * sizeof(**lines));

		if (!l) {
			c->oom = true;
			return;
		}
		*lines = l;
	}
	(*lines)[*n] = c->lineno;
	(*n)++;
}

/* one of a member's data addresses */
static void data_add(struct ctx *c, const struct key_def *k, const char *item)
{
	struct bvd_peer_conf *p = &c->cfg->peers[c->peer];
	char a1[BV_IP_STRLEN];
	struct bv_ip a;

	if (!parse_unicast_ip(c, k->name, item, &a))
		return;
	for (size_t i = 0; i < p->n_data; i++)
		if (bv_ip_eq(&p->data[i], &a)) {
			report(c, "%s: %s listed twice", k->name,
			       ip_str(&a, a1));
			return;
		}
	if (p->n_data >= BVD_PEER_DATA) {
		report(c, "%s: more than %d addresses", k->name,
		       BVD_PEER_DATA);
		return;
	}
	p->data[p->n_data++] = a;
}

static void parse_list(struct ctx *c, size_t ki, const char *v)
{
	char *buf = strdup(v), *save = NULL;

	if (!buf) {
		c->oom = true;
		return;
	}
	for (char *t = strtok_r(buf, ", \t", &save); t;
	     t = strtok_r(NULL, ", \t", &save)) {
		if (keys[ki].kind == V_DATALIST)
			data_add(c, &keys[ki], t);
		else
			list_add(c, ki, t);
	}
	free(buf);
}

static void parse_path(struct ctx *c, const struct key_def *k, const char *v,
		       char *dst)
{
	if (v[0] != '/') {
		report(c, "%s: '%s' is not an absolute path", k->name, v);
		return;
	}
	if (has_control(v)) {
		report(c, "%s: control characters in the path", k->name);
		return;
	}
	set_string(c, k, dst, v);
}

static void parse_groupname(struct ctx *c, const struct key_def *k,
			    const char *v, char *dst)
{
	for (const char *p = v; *p; p++)
		if (!is_alnum(*p) && *p != '_' && *p != '-' && *p != '.' &&
		    !(*p == '$' && !p[1])) {
			report(c, "%s: '%s' is not a group name", k->name, v);
			return;
		}
	set_string(c, k, dst, v);
}

static void parse_netns(struct ctx *c, const struct key_def *k, const char *v,
			char *dst)
{
	if (has_control(v) || strchr(v, ' ') ||
	    (v[0] != '/' && (strchr(v, '/') || !strcmp(v, ".") ||
			     !strcmp(v, "..")))) {
		report(c, "%s: '%s' is neither a name (as `ip netns` uses) nor "
		      "an absolute path", k->name, v);
		return;
	}
	set_string(c, k, dst, v);
}

/* public_key = HEX [HEX]: the peer's key, and its next one in a rotation */
static void parse_pubkeys(struct ctx *c, const char *v,
			  struct bvd_peer_conf *p)
{
	char word[2 * BVD_PUBLIC_LEN + 2];

	p->n_keys = 0;
	while (*v) {
		size_t n = 0;

		while (is_space(*v) || *v == ',')
			v++;
		if (!*v)
			break;
		while (v[n] && !is_space(v[n]) && v[n] != ',')
			n++;
		if (p->n_keys == BVD_PEER_KEYS) {
			report(c, "public_key: more than %d keys (the current "
			      "one and, during a rotation, the next)",
			      BVD_PEER_KEYS);
			return;
		}
		if (n >= sizeof(word) ||
		    (memcpy(word, v, n), word[n] = '\0',
		     bvw_public_parse(word, p->public_key[p->n_keys]))) {
			report(c, "public_key: '%.*s' is not a public key (64 "
			      "hex digits, as `beaverctl pubkey` prints)",
			      (int)(n > 70 ? 70 : n), v);
			p->n_keys = 0;
			return;
		}
		for (size_t i = 0; i < p->n_keys; i++)
			if (!memcmp(p->public_key[i], p->public_key[p->n_keys],
				    BVD_PUBLIC_LEN)) {
				report(c, "public_key: the same key twice");
				p->n_keys = 0;
				return;
			}
		p->n_keys++;
		v += n;
	}
}

/* ---- sections and keys ---- */

static const char *section_label(const struct ctx *c)
{
	return c->sect_name;
}

static const char *peer_kind(const struct bvd_peer_conf *p)
{
	return p->coordinator ? "coordinator" : p->gateway ? "gateway" :
	       "member";
}

static void peer_section(struct ctx *c, unsigned int kind, const char *name)
{
	struct bvd_config *cfg = c->cfg;
	const char *why = check_name(name);
	struct bvd_peer_conf *p;

	if (why) {
		report(c, "[%s]: peer name '%s' %s", c->sect_name, name, why);
		c->sect = S_BAD;
		return;
	}
	for (size_t i = 0; i < cfg->n_peers; i++)
		if (!strcmp(cfg->peers[i].name, name)) {
			report(c, "duplicate peer name '%s' (first defined on "
			      "line %u as a %s)", name, c->peer_lines[i].header,
			      peer_kind(&cfg->peers[i]));
			c->sect = S_BAD;
			return;
		}
	if (kind == PEER_COORD && c->n_coord_sections >= BVD_MAX_COORDS) {
		report(c, "more than %d coordinator sections", BVD_MAX_COORDS);
		c->sect = S_BAD;
		return;
	}
	if (kind != PEER_COORD &&
	    cfg->n_peers - c->n_coord_sections >= BVD_MAX_PEERS) {
		report(c, "more than %d gateway and member sections",
		      BVD_MAX_PEERS);
		c->sect = S_BAD;
		return;
	}
	size_t cap = c->peers_cap;

	p = grow(c, cfg->peers, &c->peers_cap, cfg->n_peers, sizeof(*p));
	if (!p) {
		c->sect = S_BAD;
		return;
	}
	cfg->peers = p;
	if (cap != c->peers_cap) {
		struct peer_lines *pl = realloc(c->peer_lines,
						c->peers_cap * sizeof(*pl));

		if (!pl) {
			c->oom = true;
			c->sect = S_BAD;
			return;
		}
		c->peer_lines = pl;
	}
	p = &cfg->peers[cfg->n_peers];
	memset(p, 0, sizeof(*p));
	memset(&c->peer_lines[cfg->n_peers], 0, sizeof(c->peer_lines[0]));
	memcpy(p->name, name, strlen(name) + 1);
	p->gateway = kind == PEER_GW;
	p->coordinator = kind == PEER_COORD;
	c->n_coord_sections += kind == PEER_COORD;
	c->peer_lines[cfg->n_peers].header = c->lineno;
	c->peer = cfg->n_peers++;
	c->sect = S_PEER;
}

static void on_section(struct ctx *c, const char *name, size_t len)
{
	static const struct {
		const char *name;
		enum section_kind kind;
	} fixed[] = {
		{ "beaverd", S_BEAVERD },
		{ "group", S_GROUP },
		{ "module", S_MODULE },
		{ "coordinator", S_COORD },
		{ "store", S_STORE },
	};

	c->have_key = false;
	c->prev_key = N_KEYS;
	if (len >= sizeof(c->sect_name)) {
		report(c, "section name longer than %zu characters",
		      sizeof(c->sect_name) - 1);
		c->sect = S_BAD;
		snprintf(c->sect_name, sizeof(c->sect_name), "?");
		return;
	}
	memcpy(c->sect_name, name, len);
	c->sect_name[len] = '\0';
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (!strcmp(c->sect_name, fixed[i].name)) {
			c->sect = fixed[i].kind;
			if (!c->sect_line[c->sect])
				c->sect_line[c->sect] = c->lineno;
			return;
		}
	if (!strncmp(c->sect_name, "gateway:", 8)) {
		peer_section(c, PEER_GW, c->sect_name + 8);
		return;
	}
	if (!strncmp(c->sect_name, "member:", 7)) {
		peer_section(c, PEER_MEMBER, c->sect_name + 7);
		return;
	}
	if (!strncmp(c->sect_name, "coordinator:", 12)) {
		peer_section(c, PEER_COORD, c->sect_name + 12);
		return;
	}
	report(c, "unknown section [%s] (beaverd, group, module, coordinator, "
	      "store, gateway:NAME, member:NAME, coordinator:NAME)",
	      c->sect_name);
	c->sect = S_BAD;
}

static const struct key_def *find_key(const struct ctx *c, const char *name,
				      size_t *ki)
{
	for (size_t i = 0; i < N_KEYS; i++) {
		if (keys[i].sect != c->sect || strcmp(keys[i].name, name) != 0)
			continue;
		if (c->sect == S_PEER) {
			const struct bvd_peer_conf *p = &c->cfg->peers[c->peer];
			unsigned int kind = p->coordinator ? PEER_COORD :
					    p->gateway ? PEER_GW : PEER_MEMBER;

			if (!(keys[i].peer_mask & kind))
				return NULL;
		}
		*ki = i;
		return &keys[i];
	}
	return NULL;
}

static int handler(void *user, const char *section, const char *name,
		   const char *value)
{
	struct ctx *c = user;
	struct bvd_config *cfg = c->cfg;
	const struct key_def *k;
	unsigned int *seen;
	size_t ki;
	void *base;

	(void)section;	/* ours is complete; inih cuts it at 50 characters */
	if (c->sect == S_BAD)
		return 1;
	if (c->sect == S_NONE) {
		report(c, "'%s' outside any section (the first line of the "
		      "file should be a [section] header)", name);
		return 1;
	}
	k = find_key(c, name, &ki);
	if (!k) {
		report(c, "unknown key '%s' in [%s]", name, section_label(c));
		return 1;
	}
	seen = c->sect == S_PEER ? &c->peer_lines[c->peer].key[ki] :
				   &c->key_line[ki];
	if (c->indented && c->prev_key == ki) {
		/* a continuation line of the previous key */
		if (k->kind != V_ADDRLIST && k->kind != V_PREFIXLIST &&
		    k->kind != V_DATALIST) {
			report(c, "%s takes one value: this indented line "
			      "continues it (remove the indentation?)", name);
			return 1;
		}
	} else if (*seen && (k->kind == V_ADDRLIST ||
			     k->kind == V_PREFIXLIST ||
			     k->kind == V_DATALIST)) {
		/* a list given again: the entries add up */
	} else if (*seen) {
		report(c, "%s given twice (first on line %u)", name, *seen);
		return 1;
	}
	if (!*seen)
		*seen = c->lineno;
	c->prev_key = (unsigned int)ki;

	if (!*value && k->kind != V_NETNS && k->kind != V_ADDRLIST &&
	    k->kind != V_PREFIXLIST) {
		report(c, "%s: empty value", name);
		return 1;
	}
	base = c->sect == S_PEER ? (void *)&cfg->peers[c->peer] : (void *)cfg;
	void *dst = (char *)base + k->off;

	switch (k->kind) {
	case V_NAME: {
		const char *why = check_name(value);

		if (why)
			report(c, "%s: '%s' %s", name, value, why);
		else
			set_string(c, k, dst, value);
		break;
	}
	case V_ROLES:
		parse_roles(c, value);
		break;
	case V_ADDRPORT:
		parse_addrport(c, k, value, dst);
		break;
	case V_ADDR:
		if (refused_ipv6(c, name, value, false))
			break;
		if (!parse_ipv4(value, dst))
			report(c, "%s: '%s' is not an IPv4 address", name, value);
		else if (!is_unicast(*(struct in_addr *)dst))
			report(c, "%s: %s is not a unicast address", name, value);
		break;
	case V_PATH:
		parse_path(c, k, value, dst);
		break;
	case V_GROUPNAME:
		parse_groupname(c, k, value, dst);
		break;
	case V_LOG:
		if (!strcmp(value, "journal"))
			cfg->log_stderr = false;
		else if (!strcmp(value, "stderr"))
			cfg->log_stderr = true;
		else
			report(c, "log: '%s' is neither journal nor stderr",
			      value);
		break;
	case V_NETNS:
		parse_netns(c, k, value, dst);
		break;
	case V_LISTEN46:
		parse_listen46(c, k, value, dst);
		break;
	case V_U8:
	case V_U32:
	case V_USEC_NS:
		parse_number(c, k, value, dst);
		break;
	case V_BOOL:
		parse_bool(c, k, value, dst);
		break;
	case V_MARK:
		parse_mark(c, k, value, dst);
		break;
	case V_ADDRLIST:
	case V_PREFIXLIST:
	case V_DATALIST:
		parse_list(c, ki, value);
		break;
	case V_PUBKEYS:
		parse_pubkeys(c, value, &cfg->peers[c->peer]);
		break;
	}
	return 1;
}

/* ---- the line reader ---- */

/*
 * inih's rule for where a name ends or a section header closes: the first
 * of chars, or an inline comment (';' after white space).
 */
static const char *find_chars_or_comment(const char *s, const char *end,
					 const char *chars)
{
	bool was_space = false;

	for (; s < end; s++) {
		if (strchr(chars, *s) || (was_space && *s == ';'))
			return s;
		was_space = is_space(*s);
	}
	return end;
}

/* see what inih will make of the line [s, e) and report what it refuses */
static void classify(struct ctx *c, const char *s, const char *e)
{
	const char *start = s, *p;

	if (c->lineno == 1 && e - s >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
		s += 3, start = s;
	while (s < e && is_space(*s))
		s++;
	while (e > s && is_space(e[-1]))
		e--;
	c->indented = s > start;
	if (s == e || *s == ';' || *s == '#')
		return;
	if (c->indented && c->have_key)
		return;	/* a continuation: inih hands it to the previous key */
	if (*s == '[') {
		p = find_chars_or_comment(s + 1, e, "]");
		if (p == e || *p != ']') {
			report(c, "section header without ']'");
			c->sect = S_BAD;
			c->have_key = false;
			return;
		}
		on_section(c, s + 1, (size_t)(p - (s + 1)));
		return;
	}
	p = find_chars_or_comment(s, e, "=:");
	if (p == e || (*p != '=' && *p != ':')) {
		report(c, "expected 'key = value', a [section] header or a "
		      "comment");
		return;
	}
	c->have_key = true;
}

static char *reader(char *str, int num, void *stream)
{
	struct ctx *c = stream;
	const char *line, *nl;
	size_t n;

	if (c->pos >= c->len || num < 3)
		return NULL;
	line = c->text + c->pos;
	nl = memchr(line, '\n', c->len - c->pos);
	n = nl ? (size_t)(nl - line) : c->len - c->pos;
	c->pos += n + (nl ? 1 : 0);
	c->lineno++;
	if (n + 2 > (size_t)num) {
		/* would be cut in two: report it, give inih a comment */
		report(c, "line longer than %d characters (continue a long list "
		      "on indented lines)", num - 3);
		c->indented = false;
		memcpy(str, ";\n", 3);
		return str;
	}
	classify(c, line, line + n);
	memcpy(str, line, n);
	str[n] = '\n';
	str[n + 1] = '\0';
	return str;
}

/* ---- whole-file checks ---- */

static void set_defaults(struct bvd_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->listen.sin_family = AF_INET;
	cfg->listen.sin_addr.s_addr = htonl(INADDR_ANY);
	cfg->listen.sin_port = htons(BVD_DEFAULT_PORT);
	snprintf(cfg->key_file, sizeof(cfg->key_file),
		 "/etc/beaver/private.key");
	snprintf(cfg->state_dir, sizeof(cfg->state_dir), "/var/lib/beaver");
	snprintf(cfg->run_dir, sizeof(cfg->run_dir), "/run/beaver");
	snprintf(cfg->socket_group, sizeof(cfg->socket_group), "beaver");
	/* beaver.ko's own defaults (kmod/netns.c) */
	cfg->settle_ms = 100;
	cfg->max_flows = 65536;
	cfg->max_history = 262144;
	cfg->max_records = 1024;
	cfg->max_captures = 1024;
	cfg->max_ahead = 1024;
	cfg->flow_idle_ms = 30000;
	cfg->capture_bytes = 64;
	cfg->mss_clamp = true;
	cfg->ipv4_id_stamp = true;
	cfg->fast_path = true;
	cfg->tau_min_ns = 33000;	/* 33 us */
	cfg->ack_timeout_ms = 200;
	cfg->retries = 3;
	cfg->max_outstanding = 4;
	cfg->complete_timeout_ms = 5000;
	cfg->collect_timeout_ms = 5000;
	cfg->late_hold_ms = 0;
	cfg->first_epoch = 1;
	cfg->keep_snapshots = 10000;
	cfg->keep_days = 90;
}

static size_t key_index(enum section_kind s, const char *name)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (keys[i].sect == s && !strcmp(keys[i].name, name))
			return i;
	return N_KEYS;	/* not reached: names below are in keys[] */
}

static unsigned int key_line(const struct ctx *c, enum section_kind s,
			     const char *name)
{
	size_t i = key_index(s, name);

	return i < N_KEYS ? c->key_line[i] : 0;
}

static void role_names(unsigned int roles, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s%s%s",
		 roles & BVD_ROLE_GATEWAY ? "gateway" : "",
		 (roles & BVD_ROLE_GATEWAY) && (roles & ~BVD_ROLE_GATEWAY) ?
			", " : "",
		 roles & BVD_ROLE_MEMBER ? "member" : "",
		 (roles & (BVD_ROLE_GATEWAY | BVD_ROLE_MEMBER)) &&
			 (roles & BVD_ROLE_COORDINATOR) ? ", " : "",
		 roles & BVD_ROLE_COORDINATOR ? "coordinator" : "");
}

static void check_whole(struct ctx *c)
{
	struct bvd_config *cfg = c->cfg;
	unsigned int roles_line = key_line(c, S_BEAVERD, "roles");
	unsigned int node_line = key_line(c, S_BEAVERD, "node");
	char a1[INET_ADDRSTRLEN], a6[BV_IP_STRLEN], rn[64];
	size_t i, j;

	if (!roles_line) {
		report_at(c, c->sect_line[S_BEAVERD],
			 "[beaverd] roles is required (gateway or member, "
			 "and/or coordinator)");
	}
	role_names(cfg->roles, rn, sizeof(rn));

	if (!node_line) {
		char host[HOST_NAME_MAX + 1] = "";

		if (gethostname(host, sizeof(host) - 1) || check_name(host))
			report_at(c, c->sect_line[S_BEAVERD],
				 "[beaverd] node is not set and the host name "
				 "'%s' is not a valid node name", host);
		else
			memcpy(cfg->node, host, strlen(host) + 1);
	}

	if (cfg->roles && !cfg->group && !key_line(c, S_GROUP, "id"))
		report_at(c, roles_line, "roles = %s needs a group id: set id "
			 "(1..255) in [group]", rn);

	if ((cfg->roles & (BVD_ROLE_GATEWAY | BVD_ROLE_MEMBER)) &&
	    !cfg->n_members) {
		unsigned int ml = key_line(c, S_GROUP, "members");

		/* members given, all of them wrong: already reported */
		if (!ml || !has_error_at(c, ml))
			report_at(c, ml ? ml : roles_line, "roles = %s needs "
				  "the group's member addresses: set members "
				  "in [group]", rn);
	}

	/*
	 * A member honours stamps only from its gateways' neighbours
	 * (docs/security.md): without them it would never cut on a mark
	 */
	if ((cfg->roles & BVD_ROLE_MEMBER) && !(cfg->roles & BVD_ROLE_GATEWAY) &&
	    !cfg->n_gateways) {
		unsigned int gl = key_line(c, S_GROUP, "gateways");

		if (!gl || !has_error_at(c, gl))
			report_at(c, gl ? gl : roles_line, "roles = %s needs "
				  "the gateways' addresses on this host's LAN: "
				  "set gateways in [group]", rn);
	}

	/* OGM needs gateways to switch, and a snapshot members to hold */
	if (cfg->roles & BVD_ROLE_COORDINATOR) {
		size_t ngw = 0, nmem = 0;

		for (i = 0; i < cfg->n_peers; i++) {
			ngw += cfg->peers[i].gateway;
			nmem += !cfg->peers[i].gateway &&
				!cfg->peers[i].coordinator;
		}
		if (!ngw && !nmem)
			report_at(c, roles_line, "roles = %s but no [gateway:NAME] "
				  "or [member:NAME] section says whom to "
				  "coordinate", rn);
		else if (!ngw)
			report_at(c, roles_line, "roles = %s but no [gateway:NAME] "
				  "section: without gateways no snapshot can be "
				  "verified", rn);
		else if (!nmem)
			report_at(c, roles_line, "roles = %s but no [member:NAME] "
				  "section: a snapshot needs members", rn);
	}

	/* only a configured coordinator may command a gateway or member */
	if ((cfg->roles & (BVD_ROLE_GATEWAY | BVD_ROLE_MEMBER)) &&
	    !(cfg->roles & BVD_ROLE_COORDINATOR) && !c->n_coord_sections &&
	    !has_error_at(c, roles_line))
		report_at(c, roles_line, "roles = %s but no [coordinator:NAME] "
			  "section says who may command this node (its address "
			  "and public key)", rn);

	for (i = 0; i < cfg->n_peers; i++) {
		struct bvd_peer_conf *p = &cfg->peers[i];
		struct peer_lines *pl = &c->peer_lines[i];
		size_t ka = key_index(S_PEER, "address");
		size_t kd = key_index(S_PEER, "data");
		size_t kk = key_index(S_PEER, "public_key");

		/* a coordinator talks to every peer; an agent to coordinators */
		if (!pl->key[kk] && (p->coordinator ||
				     (cfg->roles & BVD_ROLE_COORDINATOR)))
			report_at(c, pl->header, "[%s:%s]: public_key is required "
				  "(`beaverctl pubkey` on that host prints it)",
				  peer_kind(p), p->name);
		if (!pl->key[ka]) {
			report_at(c, pl->header, "[%s:%s]: address is required",
				 peer_kind(p), p->name);
			continue;
		}
		if (!p->control.sin_family)
			continue;	/* a bad address, reported */
		for (j = 0; j < i; j++) {
			const struct bvd_peer_conf *q = &cfg->peers[j];

			if (q->control.sin_family &&
			    q->control.sin_addr.s_addr ==
				    p->control.sin_addr.s_addr &&
			    q->control.sin_port == p->control.sin_port) {
				report_at(c, pl->key[ka], "address %s:%u is also "
					 "peer '%s''s (line %u)",
					 ipv4_str(p->control.sin_addr, a1),
					 ntohs(p->control.sin_port), q->name,
					 c->peer_lines[j].key[ka]);
				break;
			}
		}
		if (p->gateway || p->coordinator)
			continue;
		if (!pl->key[kd]) {
			bv_ip_set4(&p->data[0], p->control.sin_addr.s_addr);
			p->n_data = 1;
		} else if (!p->n_data) {
			if (!has_error_at(c, pl->key[kd]))
				report_at(c, pl->key[kd], "[member:%s]: data: "
					  "no address given", p->name);
			continue;
		}
		for (size_t d = 0; cfg->n_members && d < p->n_data; d++) {
			for (j = 0; j < cfg->n_members; j++)
				if (bv_ip_eq(&cfg->members[j], &p->data[d]))
					break;
			if (j == cfg->n_members)
				report_at(c, pl->key[kd] ? pl->key[kd] : pl->header,
					 "[member:%s]: data address %s is not in "
					 "[group] members", p->name,
					 ip_str(&p->data[d], a6));
		}
	}

	/* key ids pick the pair key of a datagram: no two keys may share one */
	for (i = 0; i < cfg->n_peers; i++)
		for (size_t ki = 0; ki < cfg->peers[i].n_keys; ki++) {
			uint32_t id = bvw_key_id(cfg->peers[i].public_key[ki]);
			size_t kk = key_index(S_PEER, "public_key");

			for (j = 0; j <= i; j++)
				for (size_t kj = 0; kj < (j < i ?
					cfg->peers[j].n_keys : ki); kj++)
					if (id == bvw_key_id(cfg->peers[j].public_key[kj]))
						report_at(c, c->peer_lines[i].key[kk],
							  "public_key: '%s' has a key "
							  "with the same key id as "
							  "'%s''s: make a new key "
							  "for one", cfg->peers[i].name,
							  cfg->peers[j].name);
		}

	/* node ids: the replay state is per id, so ids must differ */
	for (i = 0; i < cfg->n_peers; i++) {
		uint32_t id = bvw_node_id(cfg->peers[i].name);

		if (cfg->node[0] && strcmp(cfg->node, cfg->peers[i].name) != 0 &&
		    id == bvw_node_id(cfg->node))
			report_at(c, c->peer_lines[i].header,
				  "peer name '%s' and node '%s' have the same "
				  "node id: rename one", cfg->peers[i].name,
				  cfg->node);
		for (j = 0; j < i; j++)
			if (id == bvw_node_id(cfg->peers[j].name))
				report_at(c, c->peer_lines[i].header,
					  "peer names '%s' and '%s' have the "
					  "same node id: rename one",
					  cfg->peers[i].name, cfg->peers[j].name);
	}
}

/*
 * [coordinator:NAME] sections were parsed with the peers (the same keys,
 * the same checks); the coordinator's code walks cfg->peers as its
 * gateways and members, so they move to cfg->coords.
 */
static void split_coords(struct ctx *c)
{
	struct bvd_config *cfg = c->cfg;
	size_t n = 0, k = 0;

	if (!c->n_coord_sections)
		return;
	cfg->coords = calloc(c->n_coord_sections, sizeof(*cfg->coords));
	if (!cfg->coords) {
		c->oom = true;
		return;
	}
	for (size_t i = 0; i < cfg->n_peers; i++) {
		if (cfg->peers[i].coordinator)
			cfg->coords[k++] = cfg->peers[i];
		else
			cfg->peers[n++] = cfg->peers[i];
	}
	cfg->n_peers = n;
	cfg->n_coords = k;
}

void bvd_config_free(struct bvd_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->members);
	free(cfg->vips);
	free(cfg->gateways);
	free(cfg->allow);
	free(cfg->peers);
	free(cfg->coords);
	cfg->members = cfg->vips = cfg->gateways = NULL;
	cfg->allow = NULL;
	cfg->peers = cfg->coords = NULL;
	cfg->n_members = cfg->n_vips = cfg->n_gateways = cfg->n_allow =
		cfg->n_peers = cfg->n_coords = 0;
}

const char *bvd_config_first_ipv6(const struct bvd_config *cfg, char *buf)
{
	static const char *const names[] = { "members", "vips", "gateways" };
	const struct bv_ip *lists[] = { cfg->members, cfg->vips, cfg->gateways };
	const size_t ns[] = { cfg->n_members, cfg->n_vips, cfg->n_gateways };

	for (size_t l = 0; l < 3; l++)
		for (size_t i = 0; i < ns[l]; i++)
			if (!bv_ip_is4(&lists[l][i])) {
				bv_ip_ntop(&lists[l][i], buf);
				return names[l];
			}
	for (size_t i = 0; i < cfg->n_allow; i++)
		if (!bv_ip_is4(&cfg->allow[i].addr)) {
			bv_ip_ntop(&cfg->allow[i].addr, buf);
			return "allow";
		}
	return NULL;
}

static int parse_text(const char *text, size_t len, const char *name,
		      struct bvd_config *cfg, FILE *err)
{
	struct ctx c;
	int rc;

	set_defaults(cfg);
	memset(&c, 0, sizeof(c));
	c.file = name ? name : "(config)";
	c.cfg = cfg;
	c.text = text;
	c.len = len;
	c.prev_key = N_KEYS;

	rc = ini_parse_stream(reader, &c, handler, &c);
	if (rc > 0 && !has_error_at(&c, (unsigned int)rc))
		report_at(&c, (unsigned int)rc, "syntax error");
	else if (rc < 0)
		c.oom = true;
	if (!c.oom)
		check_whole(&c);
	if (!c.oom && !c.n_errs)
		split_coords(&c);

	rc = c.n_errs || c.oom ? -1 : 0;
	print_errors(&c, err);
	ctx_free(&c);
	if (rc) {
		bvd_config_free(cfg);
		set_defaults(cfg);
	}
	return rc;
}

int bvd_config_parse(const char *text, const char *name,
		     struct bvd_config *cfg, FILE *err)
{
	return parse_text(text ? text : "", text ? strlen(text) : 0, name, cfg,
			  err);
}

int bvd_config_load(const char *path, struct bvd_config *cfg, FILE *err)
{
	struct stat st;
	char *buf = NULL;
	const char *nul;
	size_t got = 0;
	ssize_t r;
	int fd, rc;

	set_defaults(cfg);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (err)
			fprintf(err, "%s:0: cannot open: %s\n", path,
				strerror(errno));
		return -1;
	}
	if (fstat(fd, &st)) {
		if (err)
			fprintf(err, "%s:0: cannot stat: %s\n", path,
				strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CONFIG_MAX_SIZE) {
		if (err)
			fprintf(err, "%s:0: %s\n", path,
				!S_ISREG(st.st_mode) ? "not a regular file" :
				"larger than 1 MiB: not a configuration file");
		close(fd);
		return -1;
	}
	buf = calloc(1, (size_t)st.st_size + 1);
	if (!buf) {
		if (err)
			fprintf(err, "%s:0: out of memory\n", path);
		close(fd);
		return -1;
	}
	while (got < (size_t)st.st_size) {
		r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			if (err)
				fprintf(err, "%s:0: cannot read: %s\n", path,
					strerror(errno));
			free(buf);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;	/* shrank meanwhile */
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	nul = memchr(buf, '\0', got);
	if (nul) {
		unsigned int line = 1;

		for (const char *p = buf; p < nul; p++)
			line += *p == '\n';
		if (err)
			fprintf(err, "%s:%u: NUL byte: not a text file\n", path,
				line);
		free(buf);
		return -1;
	}
	rc = parse_text(buf, got, path, cfg, err);
	free(buf);
	return rc;
}

const char *bvd_config_metrics_str(const struct bvd_config *cfg, char *buf,
				   size_t size)
{
	char a[INET6_ADDRSTRLEN];

	if (cfg->metrics.ss_family == AF_INET) {
		const struct sockaddr_in *s4 =
			(const struct sockaddr_in *)&cfg->metrics;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(buf, size, "%s:%u", a, ntohs(s4->sin_port));
	} else if (cfg->metrics.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 =
			(const struct sockaddr_in6 *)&cfg->metrics;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(buf, size, "[%s]:%u", a, ntohs(s6->sin6_port));
	} else {
		snprintf(buf, size, "off");
	}
	return buf;
}

/*
 * What a reload cannot change (beaverd.conf(5), RELOADING): the node's
 * identity and keys, the sockets it opened at start, where it keeps its
 * state, the namespace it entered, the group (the module's snapshot
 * domain, and every datagram's header).
 */
bool bvd_config_needs_restart(const struct bvd_config *o,
			      const struct bvd_config *n, char *buf,
			      size_t size)
{
	const struct {
		const char *key, *a, *b;
	} strs[] = {
		{ "node", o->node, n->node },
		{ "key_file", o->key_file, n->key_file },
		{ "previous_key_file", o->previous_key_file,
		  n->previous_key_file },
		{ "state_dir", o->state_dir, n->state_dir },
		{ "run_dir", o->run_dir, n->run_dir },
		{ "socket_group", o->socket_group, n->socket_group },
		{ "netns", o->netns, n->netns },
	};
	char r1[64], r2[64], a1[INET6_ADDRSTRLEN + 8], a2[INET6_ADDRSTRLEN + 8];

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (strcmp(strs[i].a, strs[i].b) != 0) {
			snprintf(buf, size, "%s: '%s' -> '%s'", strs[i].key,
				 strs[i].a, strs[i].b);
			return true;
		}
	if (o->roles != n->roles) {
		role_names(o->roles, r1, sizeof(r1));
		role_names(n->roles, r2, sizeof(r2));
		snprintf(buf, size, "roles: %s -> %s", r1, r2);
		return true;
	}
	if (o->listen.sin_addr.s_addr != n->listen.sin_addr.s_addr ||
	    o->listen.sin_port != n->listen.sin_port) {
		snprintf(buf, size, "listen: %s:%u -> %s:%u",
			 ipv4_str(o->listen.sin_addr, a1),
			 ntohs(o->listen.sin_port),
			 ipv4_str(n->listen.sin_addr, a2),
			 ntohs(n->listen.sin_port));
		return true;
	}
	if (o->log_stderr != n->log_stderr) {
		snprintf(buf, size, "log: %s -> %s",
			 o->log_stderr ? "stderr" : "journal",
			 n->log_stderr ? "stderr" : "journal");
		return true;
	}
	if (o->group != n->group) {
		snprintf(buf, size, "[group] id: %u -> %u", o->group, n->group);
		return true;
	}
	bvd_config_metrics_str(o, a1, sizeof(a1));
	bvd_config_metrics_str(n, a2, sizeof(a2));
	if (strcmp(a1, a2) != 0) {
		snprintf(buf, size, "metrics: %s -> %s", a1, a2);
		return true;
	}
	return false;
}
