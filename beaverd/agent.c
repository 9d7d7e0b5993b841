// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Gateway and member side of the control plane. See agent.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "apps.h"
#include "escapes.h"
#include "beaver.h"
#include "beaver_stamp.h"
#include "json.h"
#include "log.h"

void bvd_agent_init(struct bvd_agent *a, const struct bvd_config *cfg,
		    struct bvd_kmod *kmod, struct bvs *store,
		    struct bvd_peer_io *io)
{
	memset(a, 0, sizeof(*a));
	a->cfg = cfg;
	a->kmod = kmod;
	a->store = store;
	a->io = io;
}

void bvd_agent_free(struct bvd_agent *a)
{
	for (size_t i = 0; i < BVD_CACHED; i++) {
		free(a->cache[i].text);
		a->cache[i].text = NULL;
	}
}

void bvd_agent_completed(struct bvd_agent *a, uint32_t epoch, bool known)
{
	if (!known) {
		a->complete_known = false;
		return;
	}
	if (!a->complete_known || bv_epoch_after(epoch, a->complete_upto))
		a->complete_upto = epoch;
	a->complete_known = true;
}

/*
 * Is epoch's record complete? From the completion events; when they are
 * not known (start, or events lost), from the module's status, once.
 */
static bool is_complete(struct bvd_agent *a, uint32_t epoch)
{
	struct bvd_kmod_status st;
	char why[256];

	if (!a->complete_known) {
		if (bvd_kmod_status(a->kmod, &st, why, sizeof(why)))
			return true;	/* unknown: let the dump decide */
		bvd_agent_completed(a, st.complete_epoch, true);
	}
	return a->complete_upto &&
	       !bv_epoch_after(epoch, a->complete_upto);
}

static struct bvd_cached *cache_find(struct bvd_agent *a, uint32_t epoch)
{
	for (size_t i = 0; i < BVD_CACHED; i++)
		if (a->cache[i].text && a->cache[i].epoch == epoch) {
			a->cache[i].used = ++a->uses;
			return &a->cache[i];
		}
	return NULL;
}

/* keep text for epoch, in a free slot or the least recently used one */
static struct bvd_cached *cache_put(struct bvd_agent *a, uint32_t epoch,
				    char *text)
{
	struct bvd_cached *v = &a->cache[0];

	for (size_t i = 0; i < BVD_CACHED; i++) {
		if (!a->cache[i].text) {
			v = &a->cache[i];
			break;
		}
		if (a->cache[i].used < v->used)
			v = &a->cache[i];
	}
	free(v->text);
	v->epoch = epoch;
	v->text = text;
	v->len = strlen(text);
	v->used = ++a->uses;
	return v;
}

/* a release frees every epoch up to upto: so does the cache */
static void cache_release(struct bvd_agent *a, uint32_t upto)
{
	for (size_t i = 0; i < BVD_CACHED; i++)
		if (a->cache[i].text &&
		    !bv_epoch_after(a->cache[i].epoch, upto)) {
			free(a->cache[i].text);
			a->cache[i].text = NULL;
		}
}

static void on_advance(struct bvd_agent *a, const struct bvw_msg *m)
{
	bool gw = m->role == BVW_ROLE_GATEWAY;
	struct bvw_msg r = { .type = BVW_ADVANCE_ACK, .epoch = m->epoch };
	struct bvd_advance adv;
	char why[256];
	int err;

	if (gw != !!(a->cfg->roles & BVD_ROLE_GATEWAY)) {
		err = -EOPNOTSUPP;
		bvd_warn("advance %u for the wrong role ignored", m->epoch);
	} else {
		err = bvd_kmod_advance(a->kmod, gw, m->epoch, &adv, why,
				       sizeof(why));
		if (err)
			bvd_warn("advance %u: %s", m->epoch, why);
	}
	if (!err) {
		r.prev = adv.prev;
		r.now = adv.now;
		r.switch_ns = adv.switch_ns;
		r.advanced = adv.advanced;
		a->advances++;
	} else {
		a->errors++;
	}
	r.err = err;
	r.role = m->role;
	bvd_peer_reply(a->io, m, &r);
}

/* the record as JSON, with what local applications attached to the cut */
static char *record_text(struct bvd_agent *a, const struct bvr_records *rec,
			 uint32_t epoch)
{
	json_t *j = bvj_records_to_json(rec, a->cfg->node);
	struct bve_scan esc;
	char *text, why[256];

	if (!j)
		return NULL;
	json_object_set_new(j, "apps", bva_states(a->apps, epoch));
	/* receivers the hooks do not see, as found now (escapes.h) */
	if (!bve_scan(&esc, why, sizeof(why)))
		json_object_set_new(j, "escapes", bve_json(&esc));
	else
		bvd_warn("record %u: escapes: %s", epoch, why);
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return text;
}

/* dump, check completeness, keep the JSON text of epoch's record */
static int load_record(struct bvd_agent *a, uint32_t epoch,
		       struct bvd_cached **out)
{
	struct bvr_records rec;
	char why[256], *text;
	int err;

	*out = cache_find(a, epoch);
	if (*out)
		return 0;
	text = bvs_local_get(a->store, epoch);
	if (!text) {
		/* not complete yet: no dump until the module says it is */
		if (!is_complete(a, epoch))
			return -EAGAIN;
		/* nor while applications told of the cut may still answer */
		if (bva_waiting(a->apps, epoch))
			return -EAGAIN;
		bvr_init(&rec);
		err = bvd_kmod_records(a->kmod, epoch, &rec, why, sizeof(why));
		if (err) {
			bvr_free(&rec);
			if (err != -ENOENT)
				bvd_warn("collect %u: %s", epoch, why);
			return err;
		}
		if (rec.cut.state != BEAVER_STATE_COMPLETE) {
			bvr_free(&rec);
			return -EAGAIN;
		}
		text = record_text(a, &rec, epoch);
		bvr_free(&rec);
		if (!text)
			return -ENOMEM;
		/* kept until released: a restarted daemon still has it */
		if (bvs_local_put(a->store, epoch, text))
			bvd_warn("collect %u: cannot store the record", epoch);
	}
	*out = cache_put(a, epoch, text);
	return 0;
}

static void on_collect(struct bvd_agent *a, const struct bvw_msg *m)
{
	struct bvw_msg r = { .type = BVW_COLLECT_DATA, .epoch = m->epoch,
			     .offset = m->offset };
	struct bvd_cached *c = NULL;
	int err = -EOPNOTSUPP;

	if (a->cfg->roles & BVD_ROLE_MEMBER)
		err = load_record(a, m->epoch, &c);
	if (!err && c->len > BVW_MAX_RECORD) {
		/* once per record: the coordinator's next ask finds it cached */
		if (!m->offset)
			bvd_err("collect %u: the record is %zu bytes, above the "
				"%u the control plane carries", m->epoch, c->len,
				BVW_MAX_RECORD);
		err = -EFBIG;
	}
	if (!err && m->offset > c->len)
		err = -EINVAL;
	if (!err) {
		size_t left = c->len - m->offset;

		r.total = (uint32_t)c->len;
		r.data = (const uint8_t *)c->text + m->offset;
		r.data_len = (uint16_t)(left < BVD_CHUNK ? left : BVD_CHUNK);
		a->collects++;
	}
	r.err = err;
	bvd_peer_reply(a->io, m, &r);
}

static void on_release(struct bvd_agent *a, const struct bvw_msg *m)
{
	struct bvw_msg r = { .type = BVW_RELEASE_ACK, .epoch = m->epoch };
	char why[256];
	int err = -EOPNOTSUPP;

	if (a->cfg->roles & BVD_ROLE_MEMBER) {
		err = bvd_kmod_release(a->kmod, m->epoch, why, sizeof(why));
		if (err)
			bvd_warn("release %u: %s", m->epoch, why);
		bvs_local_release(a->store, m->epoch);
		cache_release(a, m->epoch);
		a->releases++;
	}
	r.err = err;
	bvd_peer_reply(a->io, m, &r);
}

/*
 * The coordinator names the epoch it is about to advance its gateways to:
 * the module takes it without a cut (a member with no epoch of its own
 * reads that epoch's ID stamps next to it)
 */
static void on_announce(struct bvd_agent *a, const struct bvw_msg *m)
{
	struct bvw_msg r = { .type = BVW_ANNOUNCE_ACK, .epoch = m->epoch };
	char why[256];
	int err = -EOPNOTSUPP;

	if (a->cfg->roles & BVD_ROLE_MEMBER) {
		err = bvd_kmod_announce(a->kmod, m->epoch, why, sizeof(why));
		if (err)
			bvd_warn("announce %u: %s", m->epoch, why);
	}
	r.err = err;
	bvd_peer_reply(a->io, m, &r);
}

void bvd_agent_msg(struct bvd_agent *a, const struct bvw_msg *m)
{
	switch (m->type) {
	case BVW_ADVANCE:
		on_advance(a, m);
		break;
	case BVW_COLLECT:
		on_collect(a, m);
		break;
	case BVW_RELEASE:
		on_release(a, m);
		break;
	case BVW_ANNOUNCE:
		on_announce(a, m);
		break;
	default:
		break;	/* replies are the coordinator's, PING probe.c's */
	}
}
