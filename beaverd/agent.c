// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Gateway and member side of the control plane. See agent.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "apps.h"
#include "beaver.h"
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
	free(a->cached);
	a->cached = NULL;
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
	char *text;

	if (!j)
		return NULL;
	json_object_set_new(j, "apps", bva_states(a->apps, epoch));
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return text;
}

/* dump, check completeness, keep the JSON text of epoch's record */
static int load_record(struct bvd_agent *a, uint32_t epoch)
{
	struct bvr_records rec;
	char why[256], *text;
	int err;

	if (a->cached && a->cached_epoch == epoch)
		return 0;
	free(a->cached);
	a->cached = NULL;

	text = bvs_local_get(a->store, epoch);
	if (!text) {
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
	a->cached = text;
	a->cached_len = strlen(text);
	a->cached_epoch = epoch;
	return 0;
}

static void on_collect(struct bvd_agent *a, const struct bvw_msg *m)
{
	struct bvw_msg r = { .type = BVW_COLLECT_DATA, .epoch = m->epoch,
			     .offset = m->offset };
	int err = -EOPNOTSUPP;

	if (a->cfg->roles & BVD_ROLE_MEMBER)
		err = load_record(a, m->epoch);
	if (!err && m->offset > a->cached_len)
		err = -EINVAL;
	if (!err) {
		size_t left = a->cached_len - m->offset;

		r.total = (uint32_t)a->cached_len;
		r.data = (const uint8_t *)a->cached + m->offset;
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
		if (a->cached && a->cached_epoch == m->epoch) {
			free(a->cached);
			a->cached = NULL;
		}
		a->releases++;
	}
	r.err = err;
	bvd_peer_reply(a->io, m, &r);
}

void bvd_agent_msg(struct bvd_agent *a, const struct bvw_msg *m)
{
	struct bvw_msg r = { .type = BVW_PONG };

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
	case BVW_PING:
		r.nonce = m->nonce;
		bvd_peer_reply(a->io, m, &r);
		break;
	default:
		break;	/* replies are the coordinator's business */
	}
}
