// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The control-plane codec: see wire.h for the datagram and body layouts.
 * Authentication is libsodium's HMAC-SHA-256 (crypto_auth_hmacsha256), its
 * verification constant-time, keyed with a pair key from libsodium's X25519
 * (crypto_scalarmult) and BLAKE2b (crypto_generichash); nothing here is
 * hand-written cryptography.
 */
#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BVW_ERR_MIN (-4095)	/* the -errno range of a reply's err */

/* body sizes; COLLECT_DATA's is the fixed part before the chunk */
static const uint16_t body_len[__BVW_TYPE_MAX] = {
	[BVW_ADVANCE] = 8,
	[BVW_ADVANCE_ACK] = 36,
	[BVW_COLLECT] = 8,
	[BVW_COLLECT_DATA] = 28,
	[BVW_RELEASE] = 8,
	[BVW_RELEASE_ACK] = 16,
	[BVW_PING] = 8,
	[BVW_PONG] = 32,
	[BVW_ANNOUNCE] = 8,
	[BVW_ANNOUNCE_ACK] = 16,
};

_Static_assert(BVW_HDR_LEN + 36 + BVW_MAC_LEN <= BVW_MAX_DGRAM,
	       "every fixed body fits a datagram");
_Static_assert(crypto_auth_hmacsha256_BYTES == BVW_MAC_LEN, "MAC size");
_Static_assert(crypto_auth_hmacsha256_KEYBYTES == BVW_KEY_LEN, "key size");
_Static_assert(crypto_scalarmult_BYTES == BVW_PUBLIC_LEN, "X25519 size");
_Static_assert(crypto_scalarmult_SCALARBYTES == BVW_KEY_LEN, "secret size");

/* ---- byte order ---- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)((unsigned int)p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

/* two's complement without implementation-defined conversions */
static uint32_t from_s32(int32_t v)
{
	return v < 0 ? ~(uint32_t)(-(int64_t)v) + 1 : (uint32_t)v;
}

static int32_t to_s32(uint32_t v)
{
	return v & 0x80000000u ? (int32_t)-(int64_t)(~v + 1) : (int32_t)v;
}

/* ---- validity of fields, shared by encode and decode ---- */

static bool err_ok(int32_t err)
{
	return err <= 0 && err >= BVW_ERR_MIN;
}

static bool is_reply(uint8_t type)
{
	return type == BVW_ADVANCE_ACK || type == BVW_COLLECT_DATA ||
	       type == BVW_RELEASE_ACK || type == BVW_PONG ||
	       type == BVW_ANNOUNCE_ACK;
}

static bool fields_ok(const struct bvw_msg *m)
{
	switch (m->type) {
	case BVW_ADVANCE:
		return m->epoch && (m->role == BVW_ROLE_GATEWAY ||
				    m->role == BVW_ROLE_MEMBER);
	case BVW_ADVANCE_ACK:
		return m->epoch && m->advanced <= 1 && err_ok(m->err);
	case BVW_COLLECT:
	case BVW_RELEASE:
	case BVW_ANNOUNCE:
		return m->epoch != 0;
	case BVW_COLLECT_DATA:
		return m->epoch && err_ok(m->err) &&
		       (uint64_t)m->offset + m->data_len <= m->total &&
		       m->total <= BVW_MAX_RECORD &&
		       (!m->err || !m->data_len);
	case BVW_RELEASE_ACK:
	case BVW_ANNOUNCE_ACK:
		return m->epoch && err_ok(m->err);
	case BVW_PING:
		return true;
	case BVW_PONG:
		return err_ok(m->err);
	default:
		return false;
	}
}

/* BVW_F_MODULE on an ADVANCE_ACK (the module answers nothing else) */
static bool flags_ok(const struct bvw_msg *m)
{
	if (m->flags & ~BVW_F_MODULE)
		return false;
	return !(m->flags & BVW_F_MODULE) || m->type == BVW_ADVANCE_ACK;
}

uint32_t bvw_node_id(const char *name)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)(name ? name : "");
	     *p; p++) {
		h ^= *p;
		h *= 16777619u;
	}
	return h;
}

static int sodium_ready(void)
{
	/* idempotent and thread-safe; 1 means "already done" */
	return sodium_init() < 0 ? -ENOSYS : 0;
}

/* ---- encode ---- */

/* ---- keys ---- */

uint32_t bvw_key_id(const uint8_t pub[BVW_PUBLIC_LEN])
{
	uint8_t h[crypto_generichash_BYTES_MIN];

	if (sodium_ready())
		return 0;
	crypto_generichash(h, sizeof(h), pub, BVW_PUBLIC_LEN, NULL, 0);
	return get32(h);
}

int bvw_keypair_from_secret(const struct bvw_key *secret,
			    struct bvw_keypair *kp)
{
	if (!secret || !kp)
		return -EINVAL;
	if (sodium_ready())
		return -ENOSYS;
	kp->secret = *secret;
	if (crypto_scalarmult_base(kp->pub, kp->secret.k))
		return -EINVAL;
	kp->id = bvw_key_id(kp->pub);
	return 0;
}

int bvw_pair_key(const struct bvw_keypair *own,
		 const uint8_t peer_pub[BVW_PUBLIC_LEN], struct bvw_key *out)
{
	crypto_generichash_state st;
	uint8_t q[crypto_scalarmult_BYTES];
	const uint8_t *lo = own->pub, *hi = peer_pub;
	int err = 0;

	if (sodium_ready())
		return -ENOSYS;
	/* fails for a low-order point, whose product is all zeros */
	if (crypto_scalarmult(q, own->secret.k, peer_pub))
		return -EINVAL;
	/* both ends must hash the two public keys in the same order */
	if (memcmp(lo, hi, BVW_PUBLIC_LEN) > 0) {
		lo = peer_pub;
		hi = own->pub;
	}
	if (crypto_generichash_init(&st, NULL, 0, BVW_KEY_LEN) ||
	    crypto_generichash_update(&st, q, sizeof(q)) ||
	    crypto_generichash_update(&st, lo, BVW_PUBLIC_LEN) ||
	    crypto_generichash_update(&st, hi, BVW_PUBLIC_LEN) ||
	    crypto_generichash_final(&st, out->k, BVW_KEY_LEN))
		err = -EINVAL;
	sodium_memzero(q, sizeof(q));
	sodium_memzero(&st, sizeof(st));
	return err;
}

/*
 * A public key no pair key can come from: a low-order point, whose
 * product with every secret is all zeros (crypto_scalarmult refuses it).
 * Checked with a fixed secret: the result depends only on the point.
 */
static bool usable_point(const uint8_t pub[BVW_PUBLIC_LEN])
{
	static const uint8_t probe[crypto_scalarmult_SCALARBYTES] = { 9, 1 };
	uint8_t q[crypto_scalarmult_BYTES];
	bool ok = !crypto_scalarmult(q, probe, pub);

	sodium_memzero(q, sizeof(q));
	return ok;
}

int bvw_public_parse(const char *hex, uint8_t pub[BVW_PUBLIC_LEN])
{
	size_t bin_len = 0;
	const char *end = NULL;

	if (!hex || strlen(hex) != (size_t)2 * BVW_PUBLIC_LEN || sodium_ready())
		return -EINVAL;
	if (sodium_hex2bin(pub, BVW_PUBLIC_LEN, hex, (size_t)2 * BVW_PUBLIC_LEN, NULL,
			   &bin_len, &end) || bin_len != BVW_PUBLIC_LEN ||
	    *end)
		return -EINVAL;
	return usable_point(pub) ? 0 : -EINVAL;
}

/* the MAC of a datagram (len bytes before the MAC) */
static void bvw_mac(uint8_t out[BVW_MAC_LEN], const uint8_t *buf, size_t len,
		    const struct bvw_key *key)
{
	crypto_auth_hmacsha256(out, buf, len, key->k);
}

int bvw_encode(const struct bvw_msg *m, const struct bvw_key *key,
	       uint8_t *buf, size_t size)
{
	size_t blen, total;
	uint8_t *b;

	if (!m || !key || !buf || m->type < BVW_ADVANCE ||
	    m->type >= __BVW_TYPE_MAX || !flags_ok(m) || !fields_ok(m))
		return -EINVAL;
	if (m->type == BVW_COLLECT_DATA && m->data_len && !m->data)
		return -EINVAL;
	blen = body_len[m->type];
	if (m->type == BVW_COLLECT_DATA)
		blen += m->data_len;
	if (blen > BVW_MAX_BODY)
		return -EMSGSIZE;
	total = BVW_HDR_LEN + blen + BVW_MAC_LEN;
	if (size < total)
		return -EMSGSIZE;
	if (sodium_ready())
		return -ENOSYS;

	memset(buf, 0, total);
	buf[0] = 'B';
	buf[1] = 'V';
	buf[2] = BVW_VERSION;
	buf[3] = m->type;
	buf[4] = m->group;
	buf[5] = m->flags;
	put16(buf + 6, (uint16_t)blen);
	put32(buf + 8, m->sender);
	put32(buf + 12, m->sender_key);
	put32(buf + 16, m->recipient_key);
	put64(buf + 20, m->seq);

	b = buf + BVW_HDR_LEN;
	if (is_reply(m->type)) {
		put64(b, m->req_id);
		b += 8;
	}
	switch (m->type) {
	case BVW_ADVANCE:
		put32(b, m->epoch);
		b[4] = m->role;
		break;
	case BVW_ADVANCE_ACK:
		put32(b, m->epoch);
		put32(b + 4, m->prev);
		put32(b + 8, m->now);
		put32(b + 12, from_s32(m->err));
		put64(b + 16, m->switch_ns);
		b[24] = m->advanced;
		break;
	case BVW_COLLECT:
		put32(b, m->epoch);
		put32(b + 4, m->offset);
		break;
	case BVW_COLLECT_DATA:
		put32(b, m->epoch);
		put32(b + 4, m->offset);
		put32(b + 8, m->total);
		put32(b + 12, from_s32(m->err));
		put16(b + 16, m->data_len);
		if (m->data_len)
			memcpy(b + 20, m->data, m->data_len);
		break;
	case BVW_RELEASE:
	case BVW_ANNOUNCE:
		put32(b, m->epoch);
		break;
	case BVW_RELEASE_ACK:
	case BVW_ANNOUNCE_ACK:
		put32(b, m->epoch);
		put32(b + 4, from_s32(m->err));
		break;
	case BVW_PING:
		put64(b, m->nonce);
		break;
	case BVW_PONG:
		put64(b, m->nonce);
		put32(b + 8, m->epoch);
		put32(b + 12, from_s32(m->err));
		put64(b + 16, m->probe_ns);
		break;
	default:
		return -EINVAL;	/* not reached: checked above */
	}
	bvw_mac(buf + BVW_HDR_LEN + blen, buf, BVW_HDR_LEN + blen, key);
	return (int)total;
}

/* ---- decode ---- */

static int drop(struct bvw_drops *d, uint64_t *counter, int err)
{
	if (d)
		(*counter)++;
	return err;
}

/* the body of an authenticated datagram; reserved bytes must be 0 */
static bool decode_body(const uint8_t *b, size_t blen, struct bvw_msg *m)
{
	if (m->type < BVW_ADVANCE || m->type >= __BVW_TYPE_MAX)
		return false;
	if (m->type == BVW_COLLECT_DATA ? blen < body_len[m->type] :
					  blen != body_len[m->type])
		return false;
	if (is_reply(m->type)) {
		m->req_id = get64(b);
		b += 8;
	}
	switch (m->type) {
	case BVW_ADVANCE:
		m->epoch = get32(b);
		m->role = b[4];
		if (b[5] || b[6] || b[7])
			return false;
		break;
	case BVW_ADVANCE_ACK:
		m->epoch = get32(b);
		m->prev = get32(b + 4);
		m->now = get32(b + 8);
		m->err = to_s32(get32(b + 12));
		m->switch_ns = get64(b + 16);
		m->advanced = b[24];
		if (b[25] || b[26] || b[27])
			return false;
		break;
	case BVW_COLLECT:
		m->epoch = get32(b);
		m->offset = get32(b + 4);
		break;
	case BVW_COLLECT_DATA:
		m->epoch = get32(b);
		m->offset = get32(b + 4);
		m->total = get32(b + 8);
		m->err = to_s32(get32(b + 12));
		m->data_len = get16(b + 16);
		if (get16(b + 18) ||
		    m->data_len != blen - body_len[BVW_COLLECT_DATA])
			return false;
		m->data = m->data_len ? b + 20 : NULL;
		break;
	case BVW_RELEASE:
	case BVW_ANNOUNCE:
		m->epoch = get32(b);
		if (get32(b + 4))
			return false;
		break;
	case BVW_RELEASE_ACK:
	case BVW_ANNOUNCE_ACK:
		m->epoch = get32(b);
		m->err = to_s32(get32(b + 4));
		break;
	case BVW_PING:
		m->nonce = get64(b);
		break;
	case BVW_PONG:
		m->nonce = get64(b);
		m->epoch = get32(b + 8);
		m->err = to_s32(get32(b + 12));
		m->probe_ns = get64(b + 16);
		break;
	default:
		return false;
	}
	return fields_ok(m);
}

/* the header checks; returns bodylen, or a negative error */
static int check_header(const uint8_t *buf, size_t len, uint8_t group,
			struct bvw_drops *d)
{
	size_t blen;

	if (len < BVW_HDR_LEN + BVW_MAC_LEN)
		return drop(d, &d->truncated, -EBADMSG);
	if (len > BVW_MAX_DGRAM || buf[0] != 'B' || buf[1] != 'V')
		return drop(d, &d->malformed, -EBADMSG);
	if (buf[2] != BVW_VERSION)
		return drop(d, &d->version, -EPROTO);
	if (buf[4] != group)
		return drop(d, &d->group, -EXDEV);
	blen = get16(buf + 6);
	if (BVW_HDR_LEN + blen + BVW_MAC_LEN > len)
		return drop(d, &d->truncated, -EBADMSG);
	if (BVW_HDR_LEN + blen + BVW_MAC_LEN < len)
		return drop(d, &d->malformed, -EBADMSG);
	return (int)blen;
}

int bvw_peek(const uint8_t *buf, size_t len, uint8_t group,
	     struct bvw_hdr *h, struct bvw_drops *d)
{
	struct bvw_drops dummy = { 0 };
	int blen;

	if (!h || (!buf && len))
		return -EINVAL;
	memset(h, 0, sizeof(*h));
	blen = check_header(buf, len, group, d ? d : &dummy);
	if (blen < 0)
		return blen;
	h->type = buf[3];
	h->sender = get32(buf + 8);
	h->sender_key = get32(buf + 12);
	h->recipient_key = get32(buf + 16);
	h->seq = get64(buf + 20);
	return 0;
}

int bvw_decode(const uint8_t *buf, size_t len, const struct bvw_key *key,
	       uint8_t group, struct bvw_msg *m, struct bvw_drops *d)
{
	uint8_t mac[BVW_MAC_LEN];
	struct bvw_drops dummy;
	size_t blen;
	int r;

	if (!d) {
		memset(&dummy, 0, sizeof(dummy));
		d = &dummy;
	}
	if (!m || !key || (!buf && len))
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	r = check_header(buf, len, group, d);
	if (r < 0)
		return r;
	blen = (size_t)r;
	if (sodium_ready())
		return -ENOSYS;
	bvw_mac(mac, buf, BVW_HDR_LEN + blen, key);
	if (sodium_memcmp(mac, buf + BVW_HDR_LEN + blen, BVW_MAC_LEN))
		return drop(d, &d->mac, -EPERM);

	m->type = buf[3];
	m->group = buf[4];
	m->flags = buf[5];
	m->sender = get32(buf + 8);
	m->sender_key = get32(buf + 12);
	m->recipient_key = get32(buf + 16);
	m->seq = get64(buf + 20);
	if (!flags_ok(m) || !decode_body(buf + BVW_HDR_LEN, blen, m)) {
		memset(m, 0, sizeof(*m));
		return drop(d, &d->malformed, -EBADMSG);
	}
	return 0;
}

/* ---- replay window ---- */

int bvw_replay_check(struct bvw_replay_table *t, uint32_t sender,
		     uint64_t seq, struct bvw_drops *d)
{
	return bvw_replay_check_flags(t, sender, 0, seq, d);
}

static struct bvw_replay *slot(const struct bvw_replay_table *t,
				uint32_t i)
{
	return i ? &t->slots[i - 1] : NULL;
}

static uint32_t index_of(const struct bvw_replay_table *t,
			 const struct bvw_replay *r)
{
	return (uint32_t)(r - t->slots) + 1;
}

/* Fibonacci hashing: node ids are FNV-1a already, flags set a high bit */
static uint32_t *bucket(const struct bvw_replay_table *t, uint32_t sender,
			uint8_t flags)
{
	uint32_t h = (sender ^ ((uint32_t)flags << 24)) * 0x9e3779b1u;

	return &t->buckets[t->bits ? h >> (32 - t->bits) : 0];
}

int bvw_replay_init(struct bvw_replay_table *t, size_t n)
{
	unsigned int bits = 0;

	if (!t)
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	if (!n || n >= UINT32_MAX / 2)
		return -EINVAL;
	/* at least twice the slots: chains of one or two */
	while (((size_t)1 << bits) < 2 * n)
		bits++;
	t->slots = calloc(n, sizeof(*t->slots));
	t->buckets = calloc((size_t)1 << bits, sizeof(*t->buckets));
	if (!t->slots || !t->buckets) {
		bvw_replay_free(t);
		return -ENOMEM;
	}
	t->n = n;
	t->bits = bits;
	return 0;
}

void bvw_replay_free(struct bvw_replay_table *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t->buckets);
	memset(t, 0, sizeof(*t));
}

static struct bvw_replay *find(const struct bvw_replay_table *t,
			       uint32_t sender, uint8_t flags)
{
	struct bvw_replay *r;

	for (r = slot(t, *bucket(t, sender, flags)); r; r = slot(t, r->chain))
		if (r->sender == sender && r->flags == flags)
			return r;
	return NULL;
}

const struct bvw_replay *bvw_replay_find(const struct bvw_replay_table *t,
					 uint32_t sender, uint8_t flags)
{
	return t && t->slots && t->buckets ? find(t, sender, flags) : NULL;
}

const struct bvw_replay *bvw_replay_newest(const struct bvw_replay_table *t)
{
	return t && t->slots ? slot(t, t->newest) : NULL;
}

const struct bvw_replay *bvw_replay_older(const struct bvw_replay_table *t,
					  const struct bvw_replay *r)
{
	return r ? slot(t, r->older) : NULL;
}

static void unlink_age(struct bvw_replay_table *t, struct bvw_replay *r)
{
	struct bvw_replay *newer = slot(t, r->newer), *older = slot(t, r->older);

	if (newer)
		newer->older = r->older;
	else
		t->newest = r->older;
	if (older)
		older->newer = r->newer;
	else
		t->oldest = r->newer;
	r->newer = r->older = 0;
}

static void make_newest(struct bvw_replay_table *t, struct bvw_replay *r)
{
	uint32_t i = index_of(t, r);

	r->newer = 0;
	r->older = t->newest;
	if (t->newest)
		slot(t, t->newest)->newer = i;
	t->newest = i;
	if (!t->oldest)
		t->oldest = i;
}

static void unlink_chain(struct bvw_replay_table *t, struct bvw_replay *r)
{
	uint32_t i = index_of(t, r), *p = bucket(t, r->sender, r->flags);

	while (*p && *p != i)
		p = &slot(t, *p)->chain;
	if (*p)
		*p = r->chain;
	r->chain = 0;
}

int bvw_replay_check_flags(struct bvw_replay_table *t, uint32_t sender,
			   uint8_t flags, uint64_t seq, struct bvw_drops *d)
{
	struct bvw_replay *r;
	uint32_t *head;

	if (!t || !t->slots || !t->buckets || !t->n)
		return -EINVAL;
	r = find(t, sender, flags);
	if (r) {
		if (seq > r->top) {
			uint64_t shift = seq - r->top;

			r->bitmap = shift >= BVW_REPLAY_WINDOW ? 0 :
				    r->bitmap << shift;
			r->bitmap |= 1;
			r->top = seq;
		} else {
			uint64_t behind = r->top - seq;

			if (behind >= BVW_REPLAY_WINDOW ||
			    (r->bitmap & ((uint64_t)1 << behind))) {
				if (d)
					d->replay++;
				return -EALREADY;
			}
			r->bitmap |= (uint64_t)1 << behind;
		}
		unlink_age(t, r);
		make_newest(t, r);
		return 0;
	}
	/* new sender: the next unused slot, or the oldest one's */
	if (t->n_used < t->n) {
		r = &t->slots[t->n_used++];
	} else {
		r = slot(t, t->oldest);
		unlink_age(t, r);
		unlink_chain(t, r);
	}
	r->sender = sender;
	r->flags = flags;
	r->top = seq;
	r->bitmap = 1;
	r->used = true;
	head = bucket(t, sender, flags);
	r->chain = *head;
	*head = index_of(t, r);
	make_newest(t, r);
	return 0;
}

int bvw_replay_seed(struct bvw_replay_table *t, uint32_t sender,
		    uint64_t top)
{
	int err = bvw_replay_check(t, sender, top, NULL);
	struct bvw_replay *r = err ? NULL : find(t, sender, 0);

	/* a newer top than the one restored is kept as it is */
	if (r && r->top == top)
		r->bitmap = UINT64_MAX;
	return err == -EALREADY ? 0 : err;
}

/* ---- key files ---- */

__attribute__((format(printf, 3, 4)))
static int why_set(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	if (!why || !why_len)
		return 0;
	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
	return 0;
}

int bvw_key_load(const char *path, struct bvw_key *key, char *why,
		 size_t why_len)
{
	uint8_t buf[160];
	struct stat st;
	size_t n = 0, bin_len = 0;
	ssize_t r;
	int fd, err = 0;

	why_set(why, why_len, "%s", "");
	if (!path || !key)
		return -EINVAL;
	if (sodium_ready()) {
		why_set(why, why_len, "libsodium failed to initialise");
		return -ENOSYS;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		err = -errno;
		why_set(why, why_len, "%s", strerror(errno));
		return err;
	}
	if (fstat(fd, &st)) {
		err = -errno;
		why_set(why, why_len, "%s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -EINVAL;
		why_set(why, why_len, "not a regular file");
		goto out;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		err = -EPERM;
		why_set(why, why_len, "mode %04o lets group or others at the "
			"private key; refusing it (chmod 600 %s)",
			(unsigned int)(st.st_mode & 07777), path);
		goto out;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		err = -EPERM;
		why_set(why, why_len, "owned by uid %u, neither root nor this "
			"process's user; refusing it (chown)",
			(unsigned int)st.st_uid);
		goto out;
	}
	for (;;) {
		r = read(fd, buf + n, sizeof(buf) - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			why_set(why, why_len, "%s", strerror(errno));
			goto out;
		}
		if (r == 0 || (n += (size_t)r) == sizeof(buf))
			break;
	}
	if (n == BVW_KEY_LEN) {
		memcpy(key->k, buf, BVW_KEY_LEN);
	} else {
		size_t hex = n;

		if (hex && buf[hex - 1] == '\n')
			hex--;
		if (hex && buf[hex - 1] == '\r')
			hex--;
		if (hex != (size_t)2 * BVW_KEY_LEN ||
		    sodium_hex2bin(key->k, BVW_KEY_LEN, (const char *)buf, hex,
				   NULL, &bin_len, NULL) ||
		    bin_len != BVW_KEY_LEN) {
			err = -EINVAL;
			why_set(why, why_len, "not a key file (32 raw bytes, or "
				"64 hex digits and a newline, as `beaverctl "
				"genkey` writes)");
			goto out;
		}
	}
	if (sodium_is_zero(key->k, BVW_KEY_LEN)) {
		err = -EINVAL;
		why_set(why, why_len, "the key is all zeros");
	}
out:
	sodium_memzero(buf, sizeof(buf));
	if (err)
		sodium_memzero(key->k, BVW_KEY_LEN);
	close(fd);
	return err;
}

int bvw_keypair_load(const char *path, struct bvw_keypair *kp, char *why,
		     size_t why_len)
{
	struct bvw_key k;
	int err;

	err = bvw_key_load(path, &k, why, why_len);
	if (!err)
		err = bvw_keypair_from_secret(&k, kp);
	sodium_memzero(&k, sizeof(k));
	if (err && why && !why[0])
		why_set(why, why_len, "no public key can be derived from it");
	return err;
}

/* make the new directory entry durable; best effort */
static void sync_parent(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (!copy)
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(copy);
}

int bvw_key_generate(const char *path)
{
	uint8_t k[BVW_KEY_LEN];
	char hex[2 * BVW_KEY_LEN + 2];
	size_t n = 0, len;
	ssize_t r;
	int fd, err = 0;

	if (!path)
		return -EINVAL;
	if (sodium_ready())
		return -ENOSYS;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW |
		  O_NOCTTY, 0600);
	if (fd < 0)
		return -errno;
	/* exactly 0600, whatever the umask took away */
	if (fchmod(fd, 0600)) {
		err = -errno;
		goto fail;
	}
	randombytes_buf(k, sizeof(k));
	sodium_bin2hex(hex, sizeof(hex) - 1, k, sizeof(k));
	sodium_memzero(k, sizeof(k));
	len = (size_t)2 * BVW_KEY_LEN;
	hex[len++] = '\n';
	while (n < len) {
		r = write(fd, hex + n, len - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			goto fail;
		}
		n += (size_t)r;
	}
	sodium_memzero(hex, sizeof(hex));
	if (fsync(fd)) {
		err = -errno;
		goto fail;
	}
	if (close(fd)) {
		err = -errno;
		fd = -1;
		goto fail;
	}
	sync_parent(path);
	return 0;
fail:
	sodium_memzero(hex, sizeof(hex));
	if (fd >= 0)
		close(fd);
	unlink(path);
	return err;
}
