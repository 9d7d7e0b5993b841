// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Records, snapshots and the export document as JSON. See json.h; every
 * field is documented in docs/json-schema.md.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "beaver.h"
#include "bvnames.h"
#include "json.h"

/* --- errors ----------------------------------------------------------------- */

static int fail(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* "flows[2]." + "laddr", or just "laddr" at the top */
#define WHERE(w)	(w), ((w)[0] ? "." : "")

/* --- scalars ---------------------------------------------------------------- */

json_t *bvj_u64(uint64_t v)
{
	char buf[24];

	if (v <= INT64_MAX)
		return json_integer((json_int_t)v);
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return json_string(buf);
}

int bvj_get_u64(const json_t *j, uint64_t *v)
{
	if (json_is_integer(j)) {
		json_int_t i = json_integer_value(j);

		if (i < 0)
			return -ERANGE;
		*v = (uint64_t)i;
		return 0;
	}
	if (json_is_string(j)) {
		const char *s = json_string_value(j);
		size_t n = json_string_length(j);
		uint64_t x = 0;

		if (n == 0 || n > 20 || (s[0] == '0' && n > 1))
			return -EINVAL;
		for (size_t i = 0; i < n; i++) {
			unsigned int d;

			if (s[i] < '0' || s[i] > '9')
				return -EINVAL;
			d = (unsigned int)(s[i] - '0');
			if (x > (UINT64_MAX - d) / 10)
				return -ERANGE;
			x = x * 10 + d;
		}
		*v = x;
		return 0;
	}
	return -EINVAL;
}

/*
 * A number field: 0 if present, 1 if absent and optional (*v = 0), or
 * -EINVAL with why filled in.
 */
static int get_num(const json_t *o, const char *key, bool required,
		   uint64_t max, uint64_t *v, const char *w, char *why,
		   size_t len)
{
	const json_t *j = json_object_get(o, key);

	*v = 0;
	if (!j) {
		if (required)
			return fail(why, len, "%s%s%s: missing", WHERE(w), key);
		return 1;
	}
	if (bvj_get_u64(j, v))
		return fail(why, len, "%s%s%s: not a non-negative integer",
			    WHERE(w), key);
	if (*v > max)
		return fail(why, len, "%s%s%s: %" PRIu64 " is out of range "
			    "(at most %" PRIu64 ")", WHERE(w), key, *v, max);
	return 0;
}

/* required numbers of each width */
static int get_u64(const json_t *o, const char *key, uint64_t *dst,
		   const char *w, char *why, size_t len)
{
	return get_num(o, key, true, UINT64_MAX, dst, w, why, len);
}

static int get_u32(const json_t *o, const char *key, uint32_t *dst,
		   const char *w, char *why, size_t len)
{
	uint64_t v;
	int e = get_num(o, key, true, UINT32_MAX, &v, w, why, len);

	*dst = (uint32_t)v;
	return e;
}

static int get_u16(const json_t *o, const char *key, uint16_t *dst,
		   const char *w, char *why, size_t len)
{
	uint64_t v;
	int e = get_num(o, key, true, UINT16_MAX, &v, w, why, len);

	*dst = (uint16_t)v;
	return e;
}

static int get_u8(const json_t *o, const char *key, uint8_t *dst,
		  const char *w, char *why, size_t len)
{
	uint64_t v;
	int e = get_num(o, key, true, UINT8_MAX, &v, w, why, len);

	*dst = (uint8_t)v;
	return e;
}

static int oom(char *why, size_t len)
{
	if (why && len)
		snprintf(why, len, "out of memory");
	return -ENOMEM;
}

/*
 * An address: IPv4 as a dotted quad, IPv6 as IPv6 text (addr_json writes
 * RFC 5952; any IPv6 text is read). IPv4-mapped IPv6 text is refused: an
 * IPv4 address has one spelling, so records compare as text too.
 */
static int get_addr(const json_t *o, const char *key, struct bv_ip *a,
		    const char *w, char *why, size_t len)
{
	const json_t *j = json_object_get(o, key);
	int af;

	if (!j)
		return fail(why, len, "%s%s%s: missing", WHERE(w), key);
	af = json_is_string(j) &&
	     strlen(json_string_value(j)) == json_string_length(j) ?
	     bv_ip_pton(json_string_value(j), a) : 0;
	if (!af || (af == AF_INET6 && bv_ip_is4(a)))
		return fail(why, len, "%s%s%s: not an IPv4 (dotted quad) or "
			    "IPv6 address", WHERE(w), key);
	return 0;
}

/*
 * A string into a fixed buffer: required, or optional (absent or null is
 * ""). Too long, or with an embedded NUL, is an error (no silent cut).
 */
static int get_str(const json_t *o, const char *key, bool required,
		   char *dst, size_t size, const char *w, char *why,
		   size_t len)
{
	const json_t *j = json_object_get(o, key);
	size_t n;

	dst[0] = '\0';
	if (!j || json_is_null(j)) {
		if (required)
			return fail(why, len, "%s%s%s: missing", WHERE(w), key);
		return 0;
	}
	if (!json_is_string(j))
		return fail(why, len, "%s%s%s: not a string", WHERE(w), key);
	n = json_string_length(j);
	if (n != strlen(json_string_value(j)))
		return fail(why, len, "%s%s%s: contains a NUL character",
			    WHERE(w), key);
	if (n >= size)
		return fail(why, len, "%s%s%s: longer than %zu bytes",
			    WHERE(w), key, size - 1);
	memcpy(dst, json_string_value(j), n + 1);
	return 0;
}

/* a string or null as JSON: null for "" */
static json_t *str_or_null(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}

/* an address as text: IPv4 as a dotted quad, IPv6 as RFC 5952 text */
static json_t *addr_json(const struct bv_ip *a)
{
	char buf[BV_IP_STRLEN];

	return json_string(bv_ip_ntop(a, buf));
}

/*
 * Object building without an error check per line: set() remembers a
 * failure (a NULL value is out of memory) and the caller tests once.
 */
struct ob {
	json_t *o;
	bool bad;
};

static void set(struct ob *b, const char *key, json_t *v)
{
	if (!v || !b->o || json_object_set_new(b->o, key, v))
		b->bad = true;
}

static json_t *ob_done(struct ob *b)
{
	if (b->bad) {
		json_decref(b->o);
		return NULL;
	}
	return b->o;
}

static void append(struct ob *b, json_t *arr, json_t *v)
{
	if (!v || !arr || json_array_append_new(arr, v))
		b->bad = true;
}

/* --- names ------------------------------------------------------------------ */

static const char *const cut_flag_names[32] = {
	[0] = "incomplete",		/* BEAVER_CUT_F_INCOMPLETE */
	[1] = "capture_trunc",		/* BEAVER_CUT_F_CAPTURE_TRUNC */
	[2] = "by_command",		/* BEAVER_CUT_F_BY_COMMAND */
	[3] = "untracked",		/* BEAVER_CUT_F_UNTRACKED */
	[4] = "late_lost",		/* BEAVER_CUT_F_LATE_LOST */
	[5] = "tx_unstamped",		/* BEAVER_CUT_F_TX_UNSTAMPED */
	[6] = "rx_id_unread",		/* BEAVER_CUT_F_RX_ID_UNREAD */
};

_Static_assert(BEAVER_CUT_F_INCOMPLETE == 1u << 0 &&
	       BEAVER_CUT_F_CAPTURE_TRUNC == 1u << 1 &&
	       BEAVER_CUT_F_BY_COMMAND == 1u << 2 &&
	       BEAVER_CUT_F_UNTRACKED == 1u << 3 &&
	       BEAVER_CUT_F_LATE_LOST == 1u << 4 &&
	       BEAVER_CUT_F_TX_UNSTAMPED == 1u << 5 &&
	       BEAVER_CUT_F_RX_ID_UNREAD == 1u << 6,
	       "beaverd/json.c: cut_flag_names[] follows BEAVER_CUT_F_*");

static json_t *flags_json(uint32_t flags)
{
	json_t *a = json_array();

	for (unsigned int i = 0; a && i < 32; i++) {
		char buf[8];
		const char *name = cut_flag_names[i];

		if (!(flags & (1u << i)))
			continue;
		if (!name) {
			snprintf(buf, sizeof(buf), "bit%u", i);
			name = buf;
		}
		if (json_array_append_new(a, json_string(name))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* a known name, or "bitN" (N = 0..31, no leading zero) for any bit */
static int flag_bit(const char *s)
{
	size_t n = strlen(s);
	int bit;

	for (bit = 0; bit < 32; bit++)
		if (cut_flag_names[bit] && !strcmp(s, cut_flag_names[bit]))
			return bit;
	if (n < 4 || n > 5 || strncmp(s, "bit", 3) != 0)
		return -1;
	if (s[3] < '0' || s[3] > '9' || (n == 5 && (s[3] == '0' ||
						    s[4] < '0' || s[4] > '9')))
		return -1;
	bit = s[3] - '0';
	if (n == 5)
		bit = bit * 10 + (s[4] - '0');
	return bit < 32 ? bit : -1;
}

static int flags_parse(const json_t *j, uint32_t *flags, const char *w,
		       char *why, size_t len)
{
	size_t i;
	json_t *e;

	*flags = 0;
	if (!json_is_array(j))
		return fail(why, len, "%s.flags: not an array of names", w);
	json_array_foreach(j, i, e) {
		const char *s = json_string_value(e);
		int bit;

		if (!s)
			return fail(why, len, "%s.flags[%zu]: not a string", w,
				    i);
		bit = flag_bit(s);
		if (bit < 0)
			return fail(why, len, "%s.flags[%zu]: unknown flag "
				    "'%.32s'", w, i, s);
		*flags |= 1u << bit;
	}
	return 0;
}

/* a name from lib/bvnames, or the number when this build has no name */
static json_t *enum_json(const char *name, uint32_t v)
{
	return name ? json_string(name) : json_integer(v);
}

static int enum_parse(const json_t *o, const char *key, uint32_t max,
		      const char *(*name_of)(uint32_t), uint32_t *v,
		      const char *w, char *why, size_t len)
{
	const json_t *j = json_object_get(o, key);

	if (!j)
		return fail(why, len, "%s%s%s: missing", WHERE(w), key);
	if (json_is_string(j)) {
		const char *s = json_string_value(j);

		for (uint32_t i = 0; i <= 255 && i <= max; i++) {
			const char *n = name_of(i);

			if (n && !strcmp(n, s)) {
				*v = i;
				return 0;
			}
		}
		return fail(why, len, "%s%s%s: unknown name '%.32s'", WHERE(w),
			    key, s);
	}
	{
		uint64_t x;
		int e = get_num(o, key, true, max, &x, w, why, len);

		*v = (uint32_t)x;
		return e;
	}
}

static const char *state_name_u32(uint32_t v)
{
	return bv_state_name(v);
}

static const char *kind_name_u32(uint32_t v)
{
	return bv_chan_kind_name(v);
}

/* --- records: to JSON -------------------------------------------------------- */

static void tot_json(struct ob *b, const struct bvr_tot *t)
{
	set(b, "tx_pkts", bvj_u64(t->tx_pkts));
	set(b, "tx_bytes", bvj_u64(t->tx_bytes));
	set(b, "rx_pkts", bvj_u64(t->rx_pkts));
	set(b, "rx_bytes", bvj_u64(t->rx_bytes));
	if (t->tx_seq_valid)
		set(b, "tx_seq", json_integer(t->tx_seq));
	if (t->rx_seq_valid)
		set(b, "rx_seq", json_integer(t->rx_seq));
	/* where the streams start, only when the record knows exactly */
	if (!bvr_tcp_known(t))
		return;
	if (t->tx_isn_valid)
		set(b, "tx_isn", json_integer(t->tx_isn));
	if (t->rx_isn_valid)
		set(b, "rx_isn", json_integer(t->rx_isn));
	if (t->tcp_flags & BEAVER_TOT_F_TX_FIN)
		set(b, "tx_fin", json_true());
	if (t->tcp_flags & BEAVER_TOT_F_RX_FIN)
		set(b, "rx_fin", json_true());
}

static json_t *cut_json(const struct bvr_cut *c)
{
	struct ob b = { json_object(), false };

	set(&b, "epoch", json_integer(c->epoch));
	set(&b, "first", json_integer(c->first));
	set(&b, "last", json_integer(c->last));
	set(&b, "ns", bvj_u64(c->ns));
	set(&b, "state", enum_json(bv_state_name(c->state), c->state));
	set(&b, "flags", flags_json(c->flags));
	set(&b, "late", bvj_u64(c->late));
	set(&b, "late_bytes", bvj_u64(c->late_bytes));
	set(&b, "settle_ms", json_integer(c->settle_ms));
	set(&b, "complete_ns", bvj_u64(c->complete_ns));
	/* a module before the counts: the fields are left out */
	if (c->has_unstamped) {
		set(&b, "tx_unstamped", bvj_u64(c->tx_unstamped));
		set(&b, "rx_unstamped", bvj_u64(c->rx_unstamped));
	}
	if (c->has_since)
		set(&b, "counters_since_ns", bvj_u64(c->since_ns));
	return ob_done(&b);
}

static json_t *flow_json(const struct bvr_flow *f)
{
	struct ob b = { json_object(), false };

	set(&b, "proto", json_integer(f->proto));
	set(&b, "laddr", addr_json(&f->laddr));
	set(&b, "lport", json_integer(f->lport));
	set(&b, "raddr", addr_json(&f->raddr));
	set(&b, "rport", json_integer(f->rport));
	if (f->cpu != BVR_CPU_MERGED)
		set(&b, "cpu", json_integer(f->cpu));
	tot_json(&b, &f->tot);
	return ob_done(&b);
}

static json_t *chan_json(const struct bvr_chan *c)
{
	struct ob b = { json_object(), false };

	set(&b, "kind", enum_json(bv_chan_kind_name(c->kind), c->kind));
	set(&b, "peer", addr_json(&c->peer));
	if (c->cpu != BVR_CPU_MERGED)
		set(&b, "cpu", json_integer(c->cpu));
	tot_json(&b, &c->tot);
	set(&b, "inflight_pkts", bvj_u64(c->inflight_pkts));
	set(&b, "inflight_bytes", bvj_u64(c->inflight_bytes));
	return ob_done(&b);
}

static json_t *late_json(const struct bvr_late *l)
{
	struct ob b = { json_object(), false };

	set(&b, "kind", enum_json(bv_chan_kind_name(l->kind), l->kind));
	set(&b, "peer", addr_json(&l->peer));
	if (l->cpu != BVR_CPU_MERGED)
		set(&b, "cpu", json_integer(l->cpu));
	set(&b, "first", json_integer(l->first));
	set(&b, "last", json_integer(l->last));
	set(&b, "arrived", json_integer(l->arrived));
	set(&b, "pkts", bvj_u64(l->pkts));
	set(&b, "bytes", bvj_u64(l->bytes));
	return ob_done(&b);
}

static json_t *capture_json(const struct bvr_capture *c)
{
	static const char hex[] = "0123456789abcdef";
	struct ob b = { json_object(), false };
	char *h = malloc(c->data_len * 2 + 1);

	if (!h) {
		json_decref(b.o);
		return NULL;
	}
	for (size_t i = 0; i < c->data_len; i++) {
		h[2 * i] = hex[c->data[i] >> 4];
		h[2 * i + 1] = hex[c->data[i] & 15];
	}
	h[c->data_len * 2] = '\0';
	set(&b, "stamp", json_integer(c->stamp));
	set(&b, "epoch", json_integer(c->epoch));
	set(&b, "ns", bvj_u64(c->ns));
	set(&b, "len", json_integer(c->len));
	set(&b, "data", json_string(h));
	free(h);
	return ob_done(&b);
}

json_t *bvj_records_to_json(const struct bvr_records *r, const char *node)
{
	struct ob b = { json_object(), false };
	json_t *flows = json_array(), *chans = json_array();
	json_t *caps = json_array(), *lates = json_array();

	if (node)
		set(&b, "node", json_string(node));
	set(&b, "epoch", json_integer(r->epoch));
	set(&b, "cut", r->has_cut ? cut_json(&r->cut) : json_null());
	for (size_t i = 0; i < r->n_flows; i++)
		append(&b, flows, flow_json(&r->flows[i]));
	for (size_t i = 0; i < r->n_chans; i++)
		append(&b, chans, chan_json(&r->chans[i]));
	for (size_t i = 0; i < r->n_caps; i++)
		append(&b, caps, capture_json(&r->caps[i]));
	for (size_t i = 0; i < r->n_lates; i++)
		append(&b, lates, late_json(&r->lates[i]));
	set(&b, "flows", flows);
	/* retired and untracked flows: only when there are some */
	if (r->has_retired) {
		struct ob t = { json_object(), false };

		tot_json(&t, &r->retired);
		set(&b, "retired", ob_done(&t));
	}
	set(&b, "channels", chans);
	set(&b, "captures", caps);
	/* always, even empty: a reader tells "none" from an old writer */
	set(&b, "late", lates);
	/* checked when parsed (apps_parse): loads back */
	if (r->apps)
		set(&b, "apps", json_loads(r->apps, 0, NULL));
	return ob_done(&b);
}

char *bvj_records_dumps(const struct bvr_records *r, const char *node)
{
	json_t *j = bvj_records_to_json(r, node);
	char *text;

	if (!j)
		return NULL;
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return text;
}

/* --- records: from JSON ------------------------------------------------------ */

static int tot_parse(const json_t *o, struct bvr_tot *t, const char *w,
		     char *why, size_t len)
{
	uint64_t v;
	int e;

	memset(t, 0, sizeof(*t));
	if (get_u64(o, "tx_pkts", &t->tx_pkts, w, why, len) ||
	    get_u64(o, "tx_bytes", &t->tx_bytes, w, why, len) ||
	    get_u64(o, "rx_pkts", &t->rx_pkts, w, why, len) ||
	    get_u64(o, "rx_bytes", &t->rx_bytes, w, why, len))
		return -EINVAL;
	e = get_num(o, "tx_seq", false, UINT32_MAX, &v, w, why, len);
	if (e < 0)
		return e;
	t->tx_seq_valid = e == 0;
	t->tx_seq = (uint32_t)v;
	e = get_num(o, "rx_seq", false, UINT32_MAX, &v, w, why, len);
	if (e < 0)
		return e;
	t->rx_seq_valid = e == 0;
	t->rx_seq = (uint32_t)v;
	e = get_num(o, "tx_isn", false, UINT32_MAX, &v, w, why, len);
	if (e < 0)
		return e;
	t->tx_isn_valid = e == 0;
	t->tx_isn = (uint32_t)v;
	e = get_num(o, "rx_isn", false, UINT32_MAX, &v, w, why, len);
	if (e < 0)
		return e;
	t->rx_isn_valid = e == 0;
	t->rx_isn = (uint32_t)v;
	if (json_is_true(json_object_get(o, "tx_fin")))
		t->tcp_flags |= BEAVER_TOT_F_TX_FIN;
	if (json_is_true(json_object_get(o, "rx_fin")))
		t->tcp_flags |= BEAVER_TOT_F_RX_FIN;
	/* written only when known (tot_json): known again once read */
	if (t->tx_isn_valid || t->rx_isn_valid) {
		t->has_gen = true;
		t->has_syn_gen = true;
	}
	return 0;
}

/* "cpu": absent means merged */
static int cpu_parse(const json_t *o, uint32_t *cpu, const char *w,
		     char *why, size_t len)
{
	uint64_t v;
	int e = get_num(o, "cpu", false, UINT32_MAX, &v, w, why, len);

	if (e < 0)
		return e;
	*cpu = e ? BVR_CPU_MERGED : (uint32_t)v;
	return 0;
}

static int cut_parse(const json_t *o, struct bvr_cut *c, char *why,
		     size_t len)
{
	const json_t *flags = json_object_get(o, "flags");
	int tx, rx, since;

	memset(c, 0, sizeof(*c));
	if (!json_is_object(o))
		return fail(why, len, "cut: not an object or null");
	if (get_u32(o, "epoch", &c->epoch, "cut", why, len) ||
	    get_u32(o, "first", &c->first, "cut", why, len) ||
	    get_u32(o, "last", &c->last, "cut", why, len) ||
	    get_u64(o, "ns", &c->ns, "cut", why, len) ||
	    enum_parse(o, "state", UINT32_MAX, state_name_u32, &c->state,
		       "cut", why, len) ||
	    get_u64(o, "late", &c->late, "cut", why, len) ||
	    get_u64(o, "late_bytes", &c->late_bytes, "cut", why, len) ||
	    get_u32(o, "settle_ms", &c->settle_ms, "cut", why, len) ||
	    get_u64(o, "complete_ns", &c->complete_ns, "cut", why, len))
		return -EINVAL;
	/* optional (records of a module or a beaverd before them): both */
	tx = get_num(o, "tx_unstamped", false, UINT64_MAX, &c->tx_unstamped,
		     "cut", why, len);
	rx = get_num(o, "rx_unstamped", false, UINT64_MAX, &c->rx_unstamped,
		     "cut", why, len);
	if (tx < 0 || rx < 0)
		return -EINVAL;
	if ((tx == 0) != (rx == 0))
		return fail(why, len, "cut: tx_unstamped and rx_unstamped come "
			    "together");
	c->has_unstamped = tx == 0;
	since = get_num(o, "counters_since_ns", false, UINT64_MAX, &c->since_ns,
			"cut", why, len);
	if (since < 0)
		return -EINVAL;
	c->has_since = since == 0;
	if (!flags)
		return fail(why, len, "cut.flags: missing");
	return flags_parse(flags, &c->flags, "cut", why, len);
}

static int flow_parse(const json_t *o, struct bvr_flow *f, const char *w,
		      char *why, size_t len)
{
	memset(f, 0, sizeof(*f));
	if (!json_is_object(o))
		return fail(why, len, "%s: not an object", w);
	if (get_u8(o, "proto", &f->proto, w, why, len) ||
	    get_addr(o, "laddr", &f->laddr, w, why, len) ||
	    get_u16(o, "lport", &f->lport, w, why, len) ||
	    get_addr(o, "raddr", &f->raddr, w, why, len) ||
	    get_u16(o, "rport", &f->rport, w, why, len) ||
	    cpu_parse(o, &f->cpu, w, why, len))
		return -EINVAL;
	return tot_parse(o, &f->tot, w, why, len);
}

static int chan_parse(const json_t *o, struct bvr_chan *c, const char *w,
		      char *why, size_t len)
{
	uint32_t kind = 0;

	memset(c, 0, sizeof(*c));
	if (!json_is_object(o))
		return fail(why, len, "%s: not an object", w);
	if (enum_parse(o, "kind", UINT8_MAX, kind_name_u32, &kind, w, why,
		       len) ||
	    get_addr(o, "peer", &c->peer, w, why, len) ||
	    cpu_parse(o, &c->cpu, w, why, len) ||
	    tot_parse(o, &c->tot, w, why, len) ||
	    get_u64(o, "inflight_pkts", &c->inflight_pkts, w, why, len) ||
	    get_u64(o, "inflight_bytes", &c->inflight_bytes, w, why, len))
		return -EINVAL;
	c->kind = (uint8_t)kind;
	return 0;
}

/*
 * A late entry. Beyond types and widths: first..last is a range in serial
 * order (last not before first, less than 2^31 apart), and the packets
 * arrived in an epoch not before last (they are late for snapshots that
 * had closed): a range the coordinator would apply to the wrong snapshots
 * is refused here, not amended into reports.
 */
static int late_parse(const json_t *o, struct bvr_late *l, const char *w,
		      char *why, size_t len)
{
	uint32_t kind = 0;

	memset(l, 0, sizeof(*l));
	if (!json_is_object(o))
		return fail(why, len, "%s: not an object", w);
	if (enum_parse(o, "kind", UINT8_MAX, kind_name_u32, &kind, w, why,
		       len) ||
	    get_addr(o, "peer", &l->peer, w, why, len) ||
	    cpu_parse(o, &l->cpu, w, why, len) ||
	    get_u32(o, "first", &l->first, w, why, len) ||
	    get_u32(o, "last", &l->last, w, why, len) ||
	    get_u32(o, "arrived", &l->arrived, w, why, len) ||
	    get_u64(o, "pkts", &l->pkts, w, why, len) ||
	    get_u64(o, "bytes", &l->bytes, w, why, len))
		return -EINVAL;
	l->kind = (uint8_t)kind;
	if (l->last - l->first >= 0x80000000u)
		return fail(why, len, "%s: last %u is before first %u", w,
			    l->last, l->first);
	if (l->arrived - l->last >= 0x80000000u)
		return fail(why, len, "%s: arrived %u is before last %u", w,
			    l->arrived, l->last);
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* parse and append one capture (its data copied by bvr_add_capture) */
static int capture_parse(const json_t *o, struct bvr_records *r,
			 const char *w, char *why, size_t len)
{
	struct bvr_capture c;
	const json_t *d;
	const char *h;
	size_t n;
	int err;

	memset(&c, 0, sizeof(c));
	if (!json_is_object(o))
		return fail(why, len, "%s: not an object", w);
	if (get_u32(o, "stamp", &c.stamp, w, why, len) ||
	    get_u32(o, "epoch", &c.epoch, w, why, len) ||
	    get_u64(o, "ns", &c.ns, w, why, len) ||
	    get_u32(o, "len", &c.len, w, why, len))
		return -EINVAL;
	d = json_object_get(o, "data");
	if (!json_is_string(d))
		return fail(why, len, "%s.data: missing or not a string", w);
	h = json_string_value(d);
	n = json_string_length(d);
	if (n % 2 || n / 2 > BVJ_CAPTURE_MAX)
		return fail(why, len, "%s.data: %s", w, n % 2 ?
			    "odd number of hex digits" : "too long");
	c.data_len = n / 2;
	if (c.data_len) {
		c.data = malloc(c.data_len);
		if (!c.data)
			return oom(why, len);
	}
	for (size_t i = 0; i < c.data_len; i++) {
		int hi = hexval(h[2 * i]), lo = hexval(h[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(c.data);
			return fail(why, len, "%s.data: not hex at offset %zu",
				    w, 2 * i);
		}
		c.data[i] = (uint8_t)(hi << 4 | lo);
	}
	err = bvr_add_capture(r, &c);
	free(c.data);
	if (err)
		fail(why, len, "out of memory");
	return err;
}

static const json_t *get_array(const json_t *o, const char *key, char *why,
			       size_t len)
{
	const json_t *a = json_object_get(o, key);

	if (!json_is_array(a)) {
		fail(why, len, "%s: missing or not an array", key);
		return NULL;
	}
	return a;
}

/*
 * "apps", optional: what local applications attached to the cut
 * (beaverd/apps.h), [{"app": NAME, "state": TEXT}...], at most
 * BVJ_APPS_MAX entries, names of 1..BVA_NAME_MAX bytes, states of at most
 * BVA_STATE_MAX, nothing else; kept as text for the export
 */
static int apps_parse(const json_t *a, struct bvr_records *r, char *why,
		      size_t why_len)
{
	const json_t *e;
	size_t i;

	if (!a)
		return 0;
	if (!json_is_array(a) || json_array_size(a) > BVJ_APPS_MAX)
		return fail(why, why_len, "apps: not an array of at most %u "
			    "entries", BVJ_APPS_MAX);
	json_array_foreach(a, i, e) {
		const json_t *n = json_object_get(e, "app");
		const json_t *s = json_object_get(e, "state");

		if (!json_is_object(e) || json_object_size(e) != 2 ||
		    !json_is_string(n) || !json_is_string(s) ||
		    !json_string_length(n) ||
		    json_string_length(n) > BVJ_APP_NAME_MAX ||
		    json_string_length(s) > BVJ_APP_STATE_MAX)
			return fail(why, why_len, "apps[%zu]: not {\"app\": "
				    "1..%u bytes, \"state\": at most %u bytes}",
				    i, BVJ_APP_NAME_MAX, BVJ_APP_STATE_MAX);
	}
	free(r->apps);
	r->apps = json_dumps(a, JSON_COMPACT);
	return r->apps ? 0 : oom(why, why_len);
}

/*
 * A member's "escapes" (beaverd/escapes.h), optional: how many XDP
 * programs and packet sockets it had. Each list is bounded, each count an
 * integer that fits, or the record is refused.
 */
static int escapes_parse(const json_t *o, struct bvr_records *r, char *why,
			 size_t why_len)
{
	const json_t *xdp, *pkt, *e;
	uint64_t n = 0;
	size_t i;

	if (!o)
		return 0;
	xdp = json_object_get(o, "xdp");
	pkt = json_object_get(o, "packet_sockets");
	if (!json_is_object(o) || !json_is_array(xdp) || !json_is_array(pkt))
		return fail(why, why_len, "escapes: not an object with xdp "
			    "and packet_sockets arrays");
	if (json_array_size(xdp) > BVJ_ESCAPES_MAX ||
	    json_array_size(pkt) > BVJ_ESCAPES_MAX)
		return fail(why, why_len, "escapes: more than %u entries",
			    BVJ_ESCAPES_MAX);
	json_array_foreach(pkt, i, e) {
		const json_t *c = json_object_get(e, "count");

		if (!json_is_integer(c) || json_integer_value(c) < 0 ||
		    json_integer_value(c) > UINT32_MAX)
			return fail(why, why_len,
				    "escapes.packet_sockets[%zu].count: not a "
				    "count", i);
		n += (uint64_t)json_integer_value(c);
	}
	r->has_escapes = true;
	r->esc_xdp = (uint32_t)json_array_size(xdp);
	r->esc_packet = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
	return 0;
}

int bvj_records_from_json(const json_t *j, struct bvr_records *r,
			  char *why, size_t why_len)
{
	const json_t *flows, *chans, *caps, *lates, *cut, *e;
	char w[40];
	size_t i;
	int err;

	bvr_reset(r);
	r->epoch = 0;
	r->has_cut = false;
	memset(&r->cut, 0, sizeof(r->cut));
	if (!json_is_object(j))
		return fail(why, why_len, "record: not an object");
	if (json_object_get(j, "node") &&
	    !json_is_string(json_object_get(j, "node")))
		return fail(why, why_len, "node: not a string");
	err = get_u32(j, "epoch", &r->epoch, "", why, why_len);
	if (err)
		goto bad;
	cut = json_object_get(j, "cut");
	if (cut && !json_is_null(cut)) {
		err = cut_parse(cut, &r->cut, why, why_len);
		if (err)
			goto bad;
		r->has_cut = true;
	}
	flows = get_array(j, "flows", why, why_len);
	chans = get_array(j, "channels", why, why_len);
	caps = get_array(j, "captures", why, why_len);
	if (!flows || !chans || !caps) {
		err = -EINVAL;
		goto bad;
	}
	json_array_foreach(flows, i, e) {
		struct bvr_flow f;

		snprintf(w, sizeof(w), "flows[%zu]", i);
		err = flow_parse(e, &f, w, why, why_len);
		if (!err && bvr_add_flow(r, &f))
			err = oom(why, why_len);
		if (err)
			goto bad;
	}
	json_array_foreach(chans, i, e) {
		struct bvr_chan c;

		snprintf(w, sizeof(w), "channels[%zu]", i);
		err = chan_parse(e, &c, w, why, why_len);
		if (!err && bvr_add_chan(r, &c))
			err = oom(why, why_len);
		if (err)
			goto bad;
	}
	json_array_foreach(caps, i, e) {
		snprintf(w, sizeof(w), "captures[%zu]", i);
		err = capture_parse(e, r, w, why, why_len);
		if (err)
			goto bad;
	}
	err = escapes_parse(json_object_get(j, "escapes"), r, why, why_len);
	if (!err)
		err = apps_parse(json_object_get(j, "apps"), r, why, why_len);
	if (err)
		goto bad;
	/* optional: a member agent before late entries sends none */
	lates = json_object_get(j, "late");
	if (lates && !json_is_array(lates)) {
		err = fail(why, why_len, "late: not an array");
		goto bad;
	}
	if (json_array_size(lates) > BVJ_LATE_MAX) {
		err = fail(why, why_len, "late: %zu entries, at most %u",
			   json_array_size(lates), BVJ_LATE_MAX);
		goto bad;
	}
	json_array_foreach(lates, i, e) {
		struct bvr_late l;

		snprintf(w, sizeof(w), "late[%zu]", i);
		err = late_parse(e, &l, w, why, why_len);
		if (!err && bvr_add_late(r, &l))
			err = oom(why, why_len);
		if (err)
			goto bad;
	}
	e = json_object_get(j, "retired");
	if (e) {
		err = tot_parse(e, &r->retired, "retired", why, why_len);
		if (err)
			goto bad;
		if (r->retired.tx_seq_valid || r->retired.rx_seq_valid) {
			err = fail(why, why_len, "retired: no sequence "
				   "numbers in an aggregate");
			goto bad;
		}
		r->has_retired = true;
	}
	return 0;
bad:
	bvr_reset(r);
	r->has_cut = false;
	return err;
}

const char *bvj_records_node(const json_t *j)
{
	return json_string_value(json_object_get(j, "node"));
}

int bvj_records_loads(const char *text, struct bvr_records *r, char *why,
		      size_t why_len)
{
	json_error_t jerr;
	json_t *j;
	int err;

	if (!text) {
		bvr_reset(r);
		return fail(why, why_len, "no record");
	}
	j = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (!j) {
		bvr_reset(r);
		return fail(why, why_len, "not JSON: %s (line %d)", jerr.text,
			    jerr.line);
	}
	err = bvj_records_from_json(j, r, why, why_len);
	json_decref(j);
	return err;
}

/* --- snapshots ---------------------------------------------------------------- */

static const char *const bvs_state_names[] = {
	[BVS_PENDING]		= "pending",
	[BVS_COLLECTING]	= "collecting",
	[BVS_ACCEPTED]		= "accepted",
	[BVS_REJECTED]		= "rejected",
	[BVS_FAILED]		= "failed",
};

#define N_STATES (sizeof(bvs_state_names) / sizeof(bvs_state_names[0]))

const char *bvj_state_name(enum bvs_state st)
{
	if ((unsigned int)st < N_STATES)
		return bvs_state_names[st];
	return "unknown";
}

int bvj_state_parse(const char *name, enum bvs_state *st)
{
	for (unsigned int i = 0; name && i < N_STATES; i++) {
		if (!strcmp(name, bvs_state_names[i])) {
			*st = (enum bvs_state)i;
			return 0;
		}
	}
	return -EINVAL;
}

static void snapshot_fields(struct ob *b, const struct bvs_snapshot *s)
{
	set(b, "id", json_integer(s->id));
	set(b, "state", json_string(bvj_state_name(s->state)));
	set(b, "reason", str_or_null(s->reason));
	set(b, "epoch", json_integer(s->epoch));
	set(b, "created_ns", bvj_u64(s->created_ns));
	set(b, "finished_ns", bvj_u64(s->finished_ns));
	set(b, "tau_min_ns", bvj_u64(s->tau_min_ns));
	set(b, "bound_ns", bvj_u64(s->bound_ns));
}

json_t *bvj_snapshot_to_json(const struct bvs_snapshot *s)
{
	struct ob b = { json_object(), false };

	snapshot_fields(&b, s);
	set(&b, "attempts", json_integer(s->n_attempts));
	return ob_done(&b);
}

/* the fields common to the snapshot object and the export document */
static int snapshot_fields_parse(const json_t *j, struct bvs_snapshot *s,
				 char *why, size_t len)
{
	const json_t *id = json_object_get(j, "id");
	char state[16];

	memset(s, 0, sizeof(*s));
	if (!json_is_object(j))
		return fail(why, len, "snapshot: not an object");
	if (!json_is_integer(id) || json_integer_value(id) < 0)
		return fail(why, len, "id: missing or not a non-negative "
			    "integer");
	s->id = json_integer_value(id);
	if (get_str(j, "state", true, state, sizeof(state), "", why, len))
		return -EINVAL;
	if (bvj_state_parse(state, &s->state))
		return fail(why, len, "state: unknown state '%s'", state);
	if (get_str(j, "reason", false, s->reason, sizeof(s->reason), "", why,
		    len) ||
	    get_u32(j, "epoch", &s->epoch, "", why, len) ||
	    get_u64(j, "created_ns", &s->created_ns, "", why, len) ||
	    get_u64(j, "finished_ns", &s->finished_ns, "", why, len) ||
	    get_u64(j, "tau_min_ns", &s->tau_min_ns, "", why, len) ||
	    get_u64(j, "bound_ns", &s->bound_ns, "", why, len))
		return -EINVAL;
	return 0;
}

int bvj_snapshot_from_json(const json_t *j, struct bvs_snapshot *s,
			   char *why, size_t why_len)
{
	int err = snapshot_fields_parse(j, s, why, why_len);

	if (err)
		return err;
	return get_u32(j, "attempts", &s->n_attempts, "", why, why_len);
}

json_t *bvj_attempt_to_json(const struct bvs_attempt *a)
{
	struct ob b = { json_object(), false };
	json_t *acks;

	set(&b, "n", json_integer(a->n));
	set(&b, "epoch", json_integer(a->epoch));
	set(&b, "t0_ns", bvj_u64(a->t0_ns));
	set(&b, "t1_ns", bvj_u64(a->t1_ns));
	/* derived, for readers; t1 is 0 when an acknowledgement is missing */
	set(&b, "bound_ns", a->t1_ns && a->t1_ns >= a->t0_ns ?
		bvj_u64(a->t1_ns - a->t0_ns) : json_null());
	set(&b, "verdict", json_string(a->verdict));
	set(&b, "reason", str_or_null(a->reason));
	/* our own text, checked when it was written: a row that no longer
	 * parses shows as "not recorded" rather than break the document */
	acks = a->acks ? json_loads(a->acks, 0, NULL) : NULL;
	set(&b, "acks", json_is_array(acks) ? acks : json_null());
	if (acks && !json_is_array(acks))
		json_decref(acks);
	return ob_done(&b);
}

static json_t *ack_json(const struct bvj_ack *a)
{
	struct ob b = { json_object(), false };

	set(&b, "node", json_string(a->node));
	set(&b, "prev", json_integer(a->prev));
	set(&b, "epoch", json_integer(a->now));
	set(&b, "advanced", json_boolean(a->advanced));
	set(&b, "err", json_integer(a->err));
	set(&b, "switch_ns", bvj_u64(a->switch_ns));
	set(&b, "at_ns", bvj_u64(a->at_ns));
	return ob_done(&b);
}

char *bvj_acks_dumps(const struct bvj_ack *acks, size_t n)
{
	json_t *arr = json_array();
	char *text = NULL;
	bool ok = arr != NULL;

	for (size_t i = 0; ok && i < n; i++)
		ok = !json_array_append_new(arr, ack_json(&acks[i]));
	if (ok)
		text = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	return text;
}

/* an "acks" element, checked field by field (a->node points into o) */
static int ack_parse(const json_t *o, struct bvj_ack *a, const char *w,
		     char *why, size_t len)
{
	char node[BVJ_NODE_MAX + 1];
	const json_t *adv = json_object_get(o, "advanced");
	const json_t *err = json_object_get(o, "err");

	if (!json_is_object(o))
		return fail(why, len, "%s: not an object", w);
	if (get_str(o, "node", true, node, sizeof(node), w, why, len) ||
	    get_u32(o, "prev", &a->prev, w, why, len) ||
	    get_u32(o, "epoch", &a->now, w, why, len) ||
	    get_u64(o, "switch_ns", &a->switch_ns, w, why, len) ||
	    get_u64(o, "at_ns", &a->at_ns, w, why, len))
		return -EINVAL;
	if (!node[0])
		return fail(why, len, "%s.node: empty", w);
	if (!json_is_boolean(adv))
		return fail(why, len, "%s.advanced: missing or not a boolean", w);
	if (!json_is_integer(err) || json_integer_value(err) > 0 ||
	    json_integer_value(err) < -4095)
		return fail(why, len, "%s.err: missing, or not 0 or -1..-4095",
			    w);
	a->node = json_string_value(json_object_get(o, "node"));
	a->advanced = json_is_true(adv);
	a->err = (int32_t)json_integer_value(err);
	return 0;
}

int bvj_attempt_from_json(const json_t *j, struct bvs_attempt *a,
			  char *why, size_t why_len)
{
	char w[24] = "attempt";
	const json_t *acks, *e;
	struct bvj_ack *v;
	size_t i;

	memset(a, 0, sizeof(*a));
	if (!json_is_object(j))
		return fail(why, why_len, "attempt: not an object");
	if (get_u32(j, "n", &a->n, w, why, why_len) ||
	    get_u32(j, "epoch", &a->epoch, w, why, why_len) ||
	    get_u64(j, "t0_ns", &a->t0_ns, w, why, why_len) ||
	    get_u64(j, "t1_ns", &a->t1_ns, w, why, why_len) ||
	    get_str(j, "verdict", true, a->verdict, sizeof(a->verdict), w, why,
		    why_len) ||
	    get_str(j, "reason", false, a->reason, sizeof(a->reason), w, why,
		    why_len))
		return -EINVAL;
	acks = json_object_get(j, "acks");
	if (!acks || json_is_null(acks))
		return 0;
	if (!json_is_array(acks))
		return fail(why, why_len, "attempt.acks: not an array or null");
	/* rewritten from the checked fields: only what we understood */
	v = calloc(json_array_size(acks) + 1, sizeof(*v));
	if (!v)
		return oom(why, why_len);
	json_array_foreach(acks, i, e) {
		char ew[40];

		snprintf(ew, sizeof(ew), "attempt.acks[%zu]", i);
		if (ack_parse(e, &v[i], ew, why, why_len)) {
			free(v);
			return -EINVAL;
		}
	}
	a->acks = bvj_acks_dumps(v, json_array_size(acks));
	free(v);
	if (!a->acks)
		return oom(why, why_len);
	return 0;
}

/* --- the export document ---------------------------------------------------- */

void bvj_export_init(struct bvj_export *x)
{
	memset(x, 0, sizeof(*x));
}

void bvj_export_free(struct bvj_export *x)
{
	for (size_t i = 0; i < x->n_members; i++) {
		free(x->members[i].node);
		bvr_free(&x->members[i].rec);
	}
	free(x->members);
	bvs_attempts_free(x->attempts, x->n_attempts);
	free(x->attempts);
	json_decref(x->report);
	bvj_export_init(x);
}

json_t *bvj_export_to_json(const struct bvj_export *x)
{
	struct ob b = { json_object(), false };
	json_t *att = json_array(), *mem = json_array();

	set(&b, "schema", json_string(BVJ_SCHEMA_EXPORT));
	snapshot_fields(&b, &x->snap);
	for (size_t i = 0; i < x->n_attempts; i++)
		append(&b, att, bvj_attempt_to_json(&x->attempts[i]));
	set(&b, "attempts", att);
	set(&b, "report", x->report ? json_incref(x->report) : json_null());
	for (size_t i = 0; i < x->n_members; i++) {
		const struct bvj_member *m = &x->members[i];

		json_t *rec = bvj_records_to_json(&m->rec, NULL);

		append(&b, mem, rec ? json_pack("{s:s, s:o}", "node", m->node,
						"record", rec) : NULL);
	}
	set(&b, "members", mem);
	return ob_done(&b);
}

int bvj_export_from_json(const json_t *doc, struct bvj_export *x,
			 char *why, size_t why_len)
{
	const json_t *schema, *att, *mem, *rep, *e;
	size_t i;
	int err;

	bvj_export_free(x);
	if (!json_is_object(doc))
		return fail(why, why_len, "export: not an object");
	schema = json_object_get(doc, "schema");
	if (!json_is_string(schema) ||
	    strcmp(json_string_value(schema), BVJ_SCHEMA_EXPORT) != 0)
		return fail(why, why_len, "schema: not \"%s\"",
			    BVJ_SCHEMA_EXPORT);
	err = snapshot_fields_parse(doc, &x->snap, why, why_len);
	if (err)
		goto bad;
	rep = json_object_get(doc, "report");
	if (rep && !json_is_null(rep) && !json_is_object(rep)) {
		err = fail(why, why_len, "report: not an object or null");
		goto bad;
	}
	if (rep && json_is_object(rep))
		x->report = json_incref((json_t *)rep);
	att = get_array(doc, "attempts", why, why_len);
	mem = get_array(doc, "members", why, why_len);
	if (!att || !mem) {
		err = -EINVAL;
		goto bad;
	}
	if (json_array_size(att) > UINT32_MAX) {
		err = fail(why, why_len, "attempts: too many");
		goto bad;
	}
	x->attempts = calloc(json_array_size(att) + 1, sizeof(*x->attempts));
	x->members = calloc(json_array_size(mem) + 1, sizeof(*x->members));
	if (!x->attempts || !x->members) {
		err = oom(why, why_len);
		goto bad;
	}
	json_array_foreach(att, i, e) {
		err = bvj_attempt_from_json(e, &x->attempts[i], why, why_len);
		if (err) {
			char tmp[256];

			snprintf(tmp, sizeof(tmp), "attempts[%zu]: %s", i, why);
			snprintf(why, why_len, "%s", tmp);
			goto bad;
		}
		x->n_attempts++;
	}
	x->snap.n_attempts = (uint32_t)x->n_attempts;
	json_array_foreach(mem, i, e) {
		struct bvj_member *m = &x->members[i];
		const json_t *node = json_object_get(e, "node");
		const json_t *rec = json_object_get(e, "record");

		if (!json_is_string(node) ||
		    json_string_length(node) != strlen(json_string_value(node)) ||
		    !json_string_length(node) ||
		    json_string_length(node) > BVJ_NODE_MAX) {
			err = fail(why, why_len, "members[%zu].node: missing, "
				   "empty, too long or not a string", i);
			goto bad;
		}
		m->node = strdup(json_string_value(node));
		bvr_init(&m->rec);
		x->n_members++;
		if (!m->node) {
			err = oom(why, why_len);
			goto bad;
		}
		err = bvj_records_from_json(rec, &m->rec, why, why_len);
		if (err) {
			char tmp[256];

			snprintf(tmp, sizeof(tmp), "members[%zu] (%s).record: "
				 "%s", i, m->node, why);
			snprintf(why, why_len, "%s", tmp);
			goto bad;
		}
	}
	return 0;
bad:
	bvj_export_free(x);
	return err;
}

json_t *bvj_export_build(const struct bvs_snapshot *s,
			 const struct bvs_attempt *attempts, size_t n_attempts,
			 const char *report, size_t n_members,
			 const char *const *nodes, const char *const *records,
			 char *why, size_t why_len)
{
	struct bvj_export x;
	json_t *doc = NULL;
	json_error_t jerr;

	bvj_export_init(&x);
	x.snap = *s;
	x.snap.n_attempts = (uint32_t)n_attempts;
	/* const only for the duration of the call: x is not freed whole */
	x.attempts = (struct bvs_attempt *)attempts;
	x.n_attempts = n_attempts;
	if (report) {
		x.report = json_loads(report, 0, &jerr);
		if (!json_is_object(x.report)) {
			fail(why, why_len, "stored report is not a JSON object: "
			     "%s", x.report ? "wrong type" : jerr.text);
			goto out;
		}
	}
	x.members = calloc(n_members + 1, sizeof(*x.members));
	if (!x.members) {
		fail(why, why_len, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n_members; i++) {
		struct bvj_member *m = &x.members[i];
		char tmp[200];

		m->node = (char *)nodes[i];
		bvr_init(&m->rec);
		x.n_members++;
		if (bvj_records_loads(records[i], &m->rec, tmp, sizeof(tmp))) {
			fail(why, why_len, "record of %s: %s", nodes[i], tmp);
			goto out;
		}
	}
	doc = bvj_export_to_json(&x);
	if (!doc)
		fail(why, why_len, "out of memory");
out:
	for (size_t i = 0; i < x.n_members; i++)
		bvr_free(&x.members[i].rec);
	free(x.members);
	json_decref(x.report);
	return doc;
}
