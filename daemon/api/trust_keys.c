/* Mesh-key rotation and hand-overs (trust_keys.h). */
#include "daemon/api/trust_keys.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "common/api/api_msg.h"
#include "common/api/mesh_key.h"
#include "common/ctl/ctlproto.h"
#include "common/util/log.h"
#include "daemon/api/trust_admins.h"

/* A body names one hand-over for its recipient; more are not looked at. */
#define HANDOVERS_PER_BODY_MAX 4

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

static void when_text(int64_t t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(out, len, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(out, len, "%lld", (long long)t);
}

/* The sender's "mesh_key_epoch": false when absent or malformed. */
static bool body_epoch(const json_t *j, uint32_t *epoch)
{
	const json_t *v = json_object_get(j, "mesh_key_epoch");

	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > UINT32_MAX)
		return false;
	*epoch = (uint32_t)json_integer_value(v);
	return true;
}

static void take_one(struct trust_store *ts, const char *text, const char *from)
{
	struct wgm_node_identity *id = ts->identity;
	struct wgm_mesh_key_handover h;
	uint8_t key[WGM_MESH_KEY_LEN];
	uint32_t was;
	char err[256], until[40];

	if (wgm_mesh_key_handover_decode(text, &h) < 0 || wgm_mesh_key_handover_verify(&h, ts->t->mesh_pk) < 0) {
		log_warn("mesh key: a hand-over from %s is not signed by this mesh's authority; ignored", from);
		return;
	}
	if (h.node_id != ts->cfg->id || h.epoch <= id->mesh_epoch)
		return;
	if (wgm_mesh_key_handover_open(&h, &id->api, key) < 0) {
		log_warn("mesh key: the epoch %u hand-over from %s is not for this node's API key; ignored", h.epoch,
			 from);
		return;
	}
	was = id->mesh_epoch;
	wgm_mesh_key_install(id->mesh_key, &id->mesh_epoch, &id->old_mesh_key, key, h.epoch, h.grace_until, now_s());
	sodium_memzero(key, sizeof(key));
	/* In memory it is used from now on either way; a node that cannot
	 * write it fetches it again after a restart. */
	if (wgm_node_identity_save(ts->cfg->state_dir, id, err, sizeof(err)) < 0)
		log_err("mesh key: %s", err);
	when_text(h.grace_until, until, sizeof(until));
	if (id->old_mesh_key.has)
		log_notice("mesh key: epoch %u taken (from %s); epoch %u is accepted until %s", h.epoch, from, was,
			   until);
	else
		log_notice("mesh key: epoch %u taken (from %s); epoch %u is no longer accepted", h.epoch, from, was);
}

void trust_keys_take(struct trust_store *ts, const json_t *j, const char *from)
{
	const json_t *list = json_object_get(j, "mesh_keys"), *v;
	uint32_t theirs;
	size_t i;

	if (!ts->t)
		return;
	if (json_is_array(list)) {
		json_array_foreach (list, i, v) {
			if (i == HANDOVERS_PER_BODY_MAX)
				break;
			take_one(ts, json_string_value(v), from);
		}
	}
	if (body_epoch(j, &theirs) && theirs > ts->identity->mesh_epoch)
		trust_store_fetch_key(ts);
}

/* BODY (the /trust exchange body) with the hand-over of the current key to
 * certificate C. New reference, or NULL. */
static json_t *handover_json(struct trust_store *ts, const struct wgm_cert *c)
{
	const struct wgm_node_identity *id = ts->identity;
	struct wgm_mesh_key_handover h;
	char text[WGM_MESH_KEY_HANDOVER_B64_MAX];
	int64_t until = id->old_mesh_key.has ? id->old_mesh_key.until : 0;

	if (wgm_mesh_key_handover_make(&h, c->node_id, c->api_pk, id->mesh_epoch, until, id->mesh_key, id->mesh_sk) < 0)
		return NULL;
	wgm_mesh_key_handover_encode(&h, text);
	return json_pack("[s]", text);
}

void trust_keys_answer(struct trust_store *ts, const json_t *body, json_t *answer)
{
	const json_t *idv = json_object_get(body, "id");
	const struct wgm_cert *c;
	uint32_t theirs;
	json_t *list;

	if (!ts->t || !ts->identity->is_admin || !body_epoch(body, &theirs) || theirs >= ts->identity->mesh_epoch ||
	    !json_is_integer(idv) || json_integer_value(idv) < 0 || json_integer_value(idv) > WGM_API_ID_MAX)
		return;
	/* Only a certified, unrevoked identity gets the key (sealed to it). */
	c = wgm_trust_current(ts->t, (uint32_t)json_integer_value(idv));
	if (!c || c->node_id == ts->cfg->id)
		return;
	list = handover_json(ts, c);
	if (list && json_object_set_new(answer, "mesh_keys", list) == 0)
		log_info("mesh key: node %u asked with epoch %u: handed epoch %u over", c->node_id, theirs,
			 ts->identity->mesh_epoch);
}

/* The IDs of the admins this node knows: the issuers of the certificates it
 * has seen, the members promoted (trust_admins.h), and itself when it is one. */
static void known_admins(const struct trust_store *ts, bool admin[WGM_API_ID_MAX + 1])
{
	memset(admin, 0, sizeof(bool) * (WGM_API_ID_MAX + 1));
	for (size_t i = 0; i < ts->t->n_certs; i++) {
		if (ts->t->certs[i].issuer_id <= WGM_API_ID_MAX)
			admin[ts->t->certs[i].issuer_id] = true;
		if (ts->t->certs[i].node_id <= WGM_API_ID_MAX && trust_admins_is(ts, &ts->t->certs[i]))
			admin[ts->t->certs[i].node_id] = true;
	}
	if (ts->identity->is_admin)
		admin[ts->cfg->id] = true;
}

void trust_store_fetch_key(struct trust_store *ts)
{
	bool admin[WGM_API_ID_MAX + 1];
	json_t *j;
	char *body;
	int64_t now = now_s();

	if (!ts->t || now - ts->last_fetch < TRUST_KEYS_FETCH_PERIOD_S)
		return;
	ts->last_fetch = now;
	j = trust_store_body(ts);
	body = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!body)
		return;
	known_admins(ts, admin);
	log_info("mesh key: another node has a newer mesh key than epoch %u: asking the admins for it",
		 ts->identity->mesh_epoch);
	for (unsigned id = 0; id <= WGM_API_ID_MAX; id++)
		if (admin[id] && id != ts->cfg->id)
			trust_store_post(ts, id, body);
	free(body);
}

void trust_keys_put_state(const struct trust_store *ts, json_t *reply)
{
	const struct wgm_node_identity *id = ts->identity;

	json_object_set_new(reply, "mesh_key_epoch", json_integer(id->mesh_epoch));
	if (id->old_mesh_key.has && now_s() < id->old_mesh_key.until) {
		json_object_set_new(reply, "old_mesh_key_epoch", json_integer(id->old_mesh_key.epoch));
		json_object_set_new(reply, "old_mesh_key_until", json_integer(id->old_mesh_key.until));
	}
}

/* Posts each certified, unrevoked member other than this node its hand-over;
 * the number of members. */
static unsigned hand_out(struct trust_store *ts)
{
	bool sent[WGM_API_ID_MAX + 1] = { false };
	unsigned n = 0;

	for (size_t i = 0; i < ts->t->n_certs; i++) {
		const struct wgm_cert *c = &ts->t->certs[i];
		json_t *body, *list;
		char *text;

		if (c->node_id > WGM_API_ID_MAX || c->node_id == ts->cfg->id || sent[c->node_id] ||
		    wgm_trust_revoked(ts->t, c->node_id, c->api_pk))
			continue;
		sent[c->node_id] = true;
		body = trust_store_body(ts);
		list = handover_json(ts, c);
		if (!body || !list || json_object_set_new(body, "mesh_keys", list) < 0) {
			json_decref(body);
			log_warn("mesh key: cannot make node %u's hand-over; it asks for it later", c->node_id);
			continue;
		}
		text = json_dumps(body, JSON_COMPACT);
		json_decref(body);
		if (text)
			trust_store_post(ts, c->node_id, text);
		free(text);
		n++;
	}
	return n;
}

void trust_keys_handle_rotate(struct ctl_request *req, const json_t *args, void *ctx)
{
	struct trust_store *ts = ctx;
	struct wgm_node_identity *id = ts->identity, before;
	const json_t *gv = json_object_get(args, "grace");
	json_int_t grace = TRUST_KEYS_GRACE_DEFAULT_S;
	uint8_t key[WGM_MESH_KEY_LEN];
	int64_t now = now_s();
	char err[256], until[40];
	unsigned n;
	json_t *reply;

	if (!trust_store_require_admin(ts, req))
		return;
	if (gv && (!json_is_integer(gv) || (grace = json_integer_value(gv)) < 0 || grace > TRUST_KEYS_GRACE_MAX_S)) {
		ctl_request_reply(req, wgm_ctl_reply_error("grace: must be a number of seconds from 0 to %d",
							   TRUST_KEYS_GRACE_MAX_S));
		return;
	}
	if (id->mesh_epoch == UINT32_MAX) {
		ctl_request_reply(req, wgm_ctl_reply_error("the mesh key's epoch is at its maximum"));
		return;
	}
	before = *id;
	wgm_mesh_key_new(key);
	wgm_mesh_key_install(id->mesh_key, &id->mesh_epoch, &id->old_mesh_key, key, id->mesh_epoch + 1, now + grace,
			     now);
	sodium_memzero(key, sizeof(key));
	if (wgm_node_identity_save(ts->cfg->state_dir, id, err, sizeof(err)) < 0) {
		*id = before;
		wgm_node_identity_wipe(&before);
		ctl_request_reply(req, wgm_ctl_reply_error("the new mesh key cannot be kept: %s", err));
		return;
	}
	wgm_node_identity_wipe(&before);
	n = hand_out(ts);
	when_text(now + grace, until, sizeof(until));
	log_notice("mesh key: rotated to epoch %u, handed to %u member%s; epoch %u is accepted until %s",
		   id->mesh_epoch, n, n == 1 ? "" : "s", id->mesh_epoch - 1, until);
	reply = wgm_ctl_reply_ok();
	json_object_set_new(reply, "epoch", json_integer(id->mesh_epoch));
	json_object_set_new(reply, "grace_until", json_integer(now + grace));
	json_object_set_new(reply, "handed_to", json_integer(n));
	ctl_request_reply(req, reply);
}
