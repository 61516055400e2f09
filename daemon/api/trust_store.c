/* The node's view of the mesh authority (trust_store.h). */
#include "daemon/api/trust_store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "common/api/api_b64.h"
#include "common/api/api_msg.h"
#include "common/api/mesh_key.h"
#include "common/config/statefile.h"
#include "common/ctl/ctlproto.h"
#include "common/util/log.h"
#include "daemon/api/trust_admins.h"
#include "daemon/api/trust_keys.h"

#define TRUST_CALL_TIMEOUT_MS 5000

/* A /trust body holds every revocation, a page of certificates and a
 * mesh-key hand-over (or, from a caller, up to a few), within the API's
 * body limit. */
_Static_assert(WGM_TRUST_REVS_MAX *(WGM_TRUST_REV_B64_MAX + 3) + TRUST_CERTS_PER_BODY * (WGM_TRUST_CERT_B64_MAX + 3) +
			       4 * (WGM_MESH_KEY_HANDOVER_B64_MAX + 3) +
			       TRUST_ADMINS_PER_BODY * (WGM_ADMIN_GRANT_B64_MAX + 3) + 256 <=
		       WGM_API_BODY_MAX,
	       "a /trust body can outgrow the API's body limit");

static int path_of(const struct trust_store *ts, char *path, size_t len)
{
	int n = snprintf(path, len, "%s/%s", ts->cfg->state_dir, TRUST_STORE_FILE);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* SYNCED for revocations, which must survive a power loss; a certificate
 * lost with the last write is learnt again from the next call carrying it,
 * and a disk flush per join would slow joins down. */
static int save_as(struct trust_store *ts, bool synced)
{
	char path[4096], err[256];
	json_t *json;
	int rc;

	if (path_of(ts, path, sizeof(path)) < 0)
		return -ENAMETOOLONG;
	json = wgm_trust_to_json(ts->t);
	if (json && trust_admins_put(ts, json, true) < 0) {
		json_decref(json);
		json = NULL;
	}
	if (!json)
		return -ENOMEM;
	rc = synced ? wgm_statefile_write_json(path, json, WGM_STATEFILE_MODE_SECRET, err, sizeof(err))
		    : wgm_statefile_write_json_unsynced(path, json, WGM_STATEFILE_MODE_SECRET, err, sizeof(err));
	json_decref(json);
	if (rc < 0)
		log_err("mesh authority: %s", err);
	return rc;
}

static int save(struct trust_store *ts)
{
	return save_as(ts, false);
}

static int save_revocations(struct trust_store *ts)
{
	return save_as(ts, true);
}

int trust_store_save_synced(struct trust_store *ts)
{
	return save_as(ts, true);
}

static void load(struct trust_store *ts)
{
	char path[4096], err[256];
	size_t new_revs, bad;
	json_t *json = NULL;
	int rc;

	if (path_of(ts, path, sizeof(path)) < 0)
		return;
	rc = wgm_statefile_read_json(path, &json, err, sizeof(err));
	if (rc == -ENOENT)
		return;
	if (rc < 0 || wgm_trust_merge_json(ts->t, json, &new_revs, &bad) < 0)
		log_err("mesh authority: %s: unreadable; starting with what this node's identity holds", path);
	else if (bad)
		log_warn("mesh authority: %s: %zu entries do not verify under this mesh's key; ignored", path, bad);
	if (rc == 0)
		trust_admins_take(ts, json, path);
	json_decref(json);
}

bool trust_store_enabled(const struct trust_store *ts)
{
	return ts->t != NULL;
}

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

/* ---- revocations take effect: the revoked identities' links go ---- */

static void link_removed(int rc, const char *err, void *ctx)
{
	(void)ctx;
	if (rc < 0)
		log_warn("mesh authority: a revoked node's link could not be removed: %s", err ? err : "");
}

static void apply_revocations(struct trust_store *ts)
{
	struct link *next;

	for (struct link *l = links_first(ts->links); l; l = next) {
		next = l->next;
		if (l->rec.peer || !l->rec.has_remote_api_pk ||
		    !wgm_trust_revoked(ts->t, l->rec.remote_id, l->rec.remote_api_pk))
			continue;
		log_notice("mesh authority: node %u's identity is revoked: removing %s", l->rec.remote_id, l->rec.name);
		if (links_remove(ts->links, l->rec.name, link_removed, NULL) < 0)
			log_warn("mesh authority: %s is busy; removing it again at the next exchange", l->rec.name);
	}
}

/* ---- POST /trust to other nodes ---- */

static void exchanged(long status, const char *body, size_t len, const char *error, void *ctx);

/* The next TRUST_CERTS_PER_BODY current certificates, from where the last
 * page ended (new reference, or NULL). */
static json_t *cert_page(struct trust_store *ts)
{
	json_t *page = json_array();
	char text[WGM_TRUST_CERT_B64_MAX];
	size_t n = ts->t->n_certs, taken = 0;

	for (size_t k = 0; page && k < n && taken < TRUST_CERTS_PER_BODY; k++) {
		const struct wgm_cert *c = &ts->t->certs[(ts->cert_page + k) % n];

		if (wgm_trust_revoked(ts->t, c->node_id, c->api_pk))
			continue;
		wgm_cert_encode(c, text);
		if (json_array_append_new(page, json_string(text)) < 0) {
			json_decref(page);
			return NULL;
		}
		taken++;
		if (taken == TRUST_CERTS_PER_BODY)
			ts->cert_page = (ts->cert_page + k + 1) % n;
	}
	return page;
}

json_t *trust_store_body(struct trust_store *ts)
{
	json_t *j = wgm_trust_to_json(ts->t);

	/* The list of revocations is what every node must end up with, whole.
	 * Certificates go a page at a time (the next page in the next body), so
	 * every node learns every member within a few exchanges. Who sends it
	 * and its mesh key's epoch let the other side see who is behind. */
	if (j && (json_object_set_new(j, "certs", cert_page(ts)) < 0 || trust_admins_put(ts, j, false) < 0)) {
		json_decref(j);
		j = NULL;
	}
	if (j && (json_object_set_new(j, "id", json_integer(ts->cfg->id)) < 0 ||
		  json_object_set_new(j, "mesh_key_epoch", json_integer(ts->identity->mesh_epoch)) < 0)) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

void trust_store_post(struct trust_store *ts, unsigned id, const char *body)
{
	struct wgm_addrplan_v4 lo;
	char url[128];

	wgm_addrplan_loopback_v4(ts->plan, id, &lo);
	snprintf(url, sizeof(url), "http://%s:%u%s", lo.text, ts->cfg->listen_port, "/trust");
	if (http_client_request(ts->http, "POST", url, body, strlen(body), TRUST_CALL_TIMEOUT_MS, exchanged, ts, NULL) <
	    0)
		log_warn("mesh authority: cannot send the revocation list to node %u", id);
}

/* ALL: every node this node knows a certificate of (a new revocation);
 * else the direct neighbours (the periodic exchange). */
static void push(struct trust_store *ts, bool all)
{
	bool sent[WGM_API_ID_MAX + 1] = { false };
	json_t *j = trust_store_body(ts);
	char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	if (!body)
		return;
	sent[ts->cfg->id] = true;
	for (struct link *l = links_first(ts->links); l; l = l->next) {
		if (l->rec.peer || l->rec.remote_id > WGM_API_ID_MAX || sent[l->rec.remote_id])
			continue;
		sent[l->rec.remote_id] = true;
		trust_store_post(ts, l->rec.remote_id, body);
	}
	for (size_t i = 0; all && i < ts->t->n_certs; i++) {
		uint32_t id = ts->t->certs[i].node_id;
		if (id > WGM_API_ID_MAX || sent[id] || wgm_trust_revoked(ts->t, id, ts->t->certs[i].api_pk))
			continue;
		sent[id] = true;
		trust_store_post(ts, id, body);
	}
	free(body);
}

void trust_store_push_all(struct trust_store *ts)
{
	push(ts, true);
}

/* Takes in revocations from J; the new ones are saved, take effect, and go on
 * to the other nodes. */
static void merge(struct trust_store *ts, const json_t *j, const char *from)
{
	size_t new_revs = 0, bad = 0, certs_before = ts->t->n_certs;

	if (wgm_trust_merge_json(ts->t, j, &new_revs, &bad) < 0)
		return;
	if (trust_admins_take(ts, j, from))
		save_revocations(ts);
	if (bad && ts->t->n_revs == WGM_TRUST_REVS_MAX)
		log_err("mesh authority: the revocation list is full (%d entries): what %s brought beyond it is not "
			"kept",
			WGM_TRUST_REVS_MAX, from);
	else if (bad)
		log_info("mesh authority: %zu entries from %s were not taken (not signed by this mesh, or a "
			 "certificate of a revoked identity or for an ID bound to another key)",
			 bad, from);
	if (ts->t->n_certs > certs_before) {
		log_info("mesh authority: %zu member certificate%s learnt from %s", ts->t->n_certs - certs_before,
			 ts->t->n_certs - certs_before == 1 ? "" : "s", from);
		save(ts);
	}
	if (!new_revs)
		return;
	log_notice("mesh authority: %zu new revocation%s from %s", new_revs, new_revs == 1 ? "" : "s", from);
	save_revocations(ts);
	apply_revocations(ts);
	push(ts, true);
}

static void exchanged(long status, const char *body, size_t len, const char *error, void *ctx)
{
	struct trust_store *ts = ctx;
	json_t *j;

	(void)error;
	/* 0: no answer (also a call cancelled at shutdown: TS may be gone). */
	if (status != 200)
		return;
	j = json_loadb(body, len, 0, NULL);
	merge(ts, j, "another node's answer");
	if (json_is_object(j))
		trust_keys_take(ts, j, "another node's answer");
	json_decref(j);
}

json_t *trust_store_exchange(struct trust_store *ts, const json_t *body, char *err, size_t errlen)
{
	json_t *answer;

	if (!ts->t) {
		snprintf(err, errlen, "this node's mesh has no authority (state of an earlier version)");
		return NULL;
	}
	if (!json_is_object(body) || !json_is_array(json_object_get(body, "revocations"))) {
		snprintf(err, errlen, "revocations: missing or not an array");
		return NULL;
	}
	merge(ts, body, "a /trust call");
	trust_keys_take(ts, body, "a /trust call");
	answer = trust_store_body(ts);
	if (answer)
		trust_keys_answer(ts, body, answer);
	return answer;
}

static void on_timer(struct loop *loop, struct loop_timer *timer, void *ctx)
{
	struct trust_store *ts = ctx;

	(void)loop;
	(void)timer;
	apply_revocations(ts);
	push(ts, false);
}

/* ---- credentials ---- */

int trust_store_check_caller(struct trust_store *ts, const json_t *payload, const uint8_t caller_pk[32], uint32_t *id,
			     char *err, size_t errlen)
{
	const char *text = json_string_value(json_object_get(payload, "cert"));
	struct wgm_cert c;
	bool added;

	if (!ts->t)
		return 0;
	if (!text) {
		snprintf(err, errlen, "certificate: missing (every member call carries the caller's certificate)");
		return -EACCES;
	}
	if (wgm_cert_decode(text, &c) < 0) {
		snprintf(err, errlen, "certificate: not base64 of a certificate");
		return -EACCES;
	}
	if (wgm_trust_check(ts->t, &c, caller_pk, &added, err, errlen) < 0)
		return -EACCES;
	if (added)
		save(ts);
	*id = c.node_id;
	return 0;
}

int trust_store_may_admit(struct trust_store *ts, uint32_t id, const uint8_t api_pk[32], char *err, size_t errlen)
{
	return ts->t ? wgm_trust_may_admit(ts->t, id, api_pk, err, errlen) : 0;
}

int trust_store_learn(struct trust_store *ts, const struct wgm_cert *c, char *err, size_t errlen)
{
	bool added;
	int rc = wgm_trust_check(ts->t, c, c->api_pk, &added, err, errlen);

	if (rc == 0 && added)
		save(ts);
	return rc;
}

int trust_store_issue(struct trust_store *ts, uint32_t id, const uint8_t api_pk[32], struct wgm_cert *out, char *err,
		      size_t errlen)
{
	if (!ts->t || !ts->identity->is_admin) {
		snprintf(err, errlen, "node %u is not an admin of this mesh", ts->cfg->id);
		return -EPERM;
	}
	memset(out, 0, sizeof(*out));
	out->node_id = id;
	memcpy(out->api_pk, api_pk, 32);
	out->issuer_id = ts->cfg->id;
	out->issued_at = now_s();
	wgm_cert_sign(out, ts->identity->mesh_sk);
	return trust_store_learn(ts, out, err, errlen);
}

bool trust_store_admin(struct trust_store *ts, uint32_t *id, uint8_t api_pk[32])
{
	return trust_admins_pick(ts, id, api_pk);
}

static int put_cert(json_t *obj, const char *key, const struct wgm_cert *c)
{
	char text[WGM_TRUST_CERT_B64_MAX];

	wgm_cert_encode(c, text);
	return json_object_set_new(obj, key, json_string(text));
}

int trust_store_put_join_reply(struct trust_store *ts, json_t *payload, const struct wgm_cert *cert)
{
	const struct wgm_cert *issuer;
	char pk[WGM_B64_KEY_LEN + 1];

	if (!ts->t)
		return 0;
	issuer = wgm_trust_current(ts->t, cert->issuer_id);
	if (!issuer)
		return -ENOENT;
	wgm_b64_encode(ts->t->mesh_pk, WGM_TRUST_PK_LEN, pk, sizeof(pk));
	if (json_object_set_new(payload, "mesh_pk", json_string(pk)) < 0 || put_cert(payload, "cert", cert) < 0 ||
	    put_cert(payload, "issuer_cert", issuer) < 0 ||
	    (ts->identity->has_cert && put_cert(payload, "server_cert", &ts->identity->cert) < 0))
		return -ENOMEM;
	return 0;
}

static int decode_cert_field(const json_t *obj, const char *key, struct wgm_cert *c, char *err, size_t errlen)
{
	if (wgm_cert_decode(json_string_value(json_object_get(obj, key)), c) < 0) {
		snprintf(err, errlen, "%s: missing or not a certificate", key);
		return -EPROTO;
	}
	return 0;
}

int trust_store_adopt(struct trust_store *ts, const json_t *reply, char *err, size_t errlen)
{
	struct wgm_node_identity *id = ts->identity;
	const char *pk_text = json_string_value(json_object_get(reply, "mesh_pk"));
	uint8_t pk[WGM_TRUST_PK_LEN];
	struct wgm_cert cert, issuer;
	bool same_mesh;
	char why[256];

	if (!pk_text) {
		/* A node of an earlier version: its mesh has no authority. */
		if (!id->has_mesh_pk)
			return 0;
		log_warn("mesh authority: the mesh joined has none (an earlier version): no certificates are checked");
		id->has_mesh_pk = id->is_admin = id->has_cert = false;
		sodium_memzero(id->mesh_sk, sizeof(id->mesh_sk));
		free(ts->t);
		ts->t = NULL;
		return wgm_node_identity_save(ts->cfg->state_dir, id, err, errlen);
	}
	if (wgm_b64_decode_exact(pk_text, pk, sizeof(pk)) < 0) {
		snprintf(err, errlen, "mesh_pk: not a base64 key of 32 bytes");
		return -EPROTO;
	}
	if (decode_cert_field(reply, "cert", &cert, err, errlen) < 0 ||
	    decode_cert_field(reply, "issuer_cert", &issuer, err, errlen) < 0)
		return -EPROTO;
	if (wgm_cert_verify(&cert, pk) < 0 || wgm_cert_verify(&issuer, pk) < 0 || issuer.node_id != cert.issuer_id) {
		snprintf(err, errlen, "cert: not signed by the mesh's authority");
		return -EPROTO;
	}
	if (cert.node_id != ts->cfg->id || sodium_memcmp(cert.api_pk, id->api.pk, 32) != 0) {
		snprintf(err, errlen, "cert: made for another node than this one");
		return -EPROTO;
	}
	same_mesh = ts->t && memcmp(ts->t->mesh_pk, pk, sizeof(pk)) == 0;
	if (!same_mesh) {
		struct wgm_trust *t = calloc(1, sizeof(*t));
		if (!t) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		wgm_trust_init(t, pk);
		free(ts->t);
		ts->t = t;
		/* This node's own mesh of one is over, and with it its authority. */
		id->is_admin = false;
		sodium_memzero(id->mesh_sk, sizeof(id->mesh_sk));
		memcpy(id->mesh_pk, pk, sizeof(pk));
		id->has_mesh_pk = true;
	}
	id->cert = cert;
	id->has_cert = true;
	if (trust_store_learn(ts, &issuer, why, sizeof(why)) < 0 || trust_store_learn(ts, &cert, why, sizeof(why)) < 0)
		log_warn("mesh authority: %s", why);
	/* The node joined (when it is no admin, the issuer is another). */
	if (wgm_cert_decode(json_string_value(json_object_get(reply, "server_cert")), &issuer) == 0 &&
	    trust_store_learn(ts, &issuer, why, sizeof(why)) < 0)
		log_warn("mesh authority: the joined node's certificate: %s", why);
	log_notice("mesh authority: admitted as node %u by node %u", cert.node_id, cert.issuer_id);
	return wgm_node_identity_save(ts->cfg->state_dir, id, err, errlen);
}

int trust_store_check_answer(struct trust_store *ts, const json_t *answer, uint32_t node_id, const uint8_t api_pk[32],
			     char *why, size_t whylen)
{
	struct wgm_cert c;
	char err[200];

	if (!ts->t)
		return 0;
	if (wgm_cert_decode(json_string_value(json_object_get(answer, "cert")), &c) < 0) {
		snprintf(why, whylen, "/connectivity answer carries no certificate");
		return -EACCES;
	}
	if (c.node_id != node_id) {
		snprintf(why, whylen, "/connectivity answer's certificate is node %u's, not node %u's", c.node_id,
			 node_id);
		return -EACCES;
	}
	if (wgm_cert_verify(&c, ts->t->mesh_pk) == 0 && sodium_memcmp(c.api_pk, api_pk, 32) != 0) {
		snprintf(why, whylen, "/connectivity answer's certificate is for another API key");
		return -EACCES;
	}
	if (trust_store_learn(ts, &c, err, sizeof(err)) < 0) {
		snprintf(why, whylen, "node %u: %s", node_id, err);
		return -EACCES;
	}
	return 0;
}

/* ---- control commands ---- */

static const char *cert_state(const struct trust_store *ts, const struct wgm_cert *c)
{
	return wgm_trust_revoked(ts->t, c->node_id, c->api_pk) ? "revoked" : "member";
}

static json_t *member_json(const struct trust_store *ts, uint32_t id, const uint8_t fpr[WGM_TRUST_FPR_LEN],
			   long long issuer, long long when, const char *state, bool admin)
{
	char text[WGM_TRUST_FPR_TEXT_LEN + 1];
	json_t *o;

	wgm_trust_fingerprint_text(fpr, text);
	o = json_pack("{s:i, s:s, s:s}", "id", (int)id, "fingerprint", text, "state", state);
	if (o && issuer >= 0)
		json_object_set_new(o, "admitted_by", json_integer(issuer));
	if (o && when >= 0)
		json_object_set_new(o, "admitted", json_integer(when));
	if (o && id == ts->cfg->id)
		json_object_set_new(o, "self", json_true());
	if (o && (admin || (id == ts->cfg->id && ts->identity->is_admin)))
		json_object_set_new(o, "admin", json_true());
	return o;
}

static void handle_list(struct ctl_request *req, const json_t *args, void *ctx)
{
	struct trust_store *ts = ctx;
	json_t *reply, *list;

	(void)args;
	if (!ts->t) {
		ctl_request_reply(req,
				  wgm_ctl_reply_error("this node's mesh has no authority (made by an earlier version); "
						      "see docs/api.md, Mesh authority"));
		return;
	}
	reply = wgm_ctl_reply_ok();
	list = json_array();
	for (size_t i = 0; i < ts->t->n_certs; i++) {
		const struct wgm_cert *c = &ts->t->certs[i];
		uint8_t fpr[WGM_TRUST_FPR_LEN];

		wgm_trust_fingerprint(c->api_pk, fpr);
		json_array_append_new(list, member_json(ts, c->node_id, fpr, c->issuer_id, c->issued_at,
							cert_state(ts, c), trust_admins_is(ts, c)));
	}
	/* Revoked identities this node never saw a certificate of. */
	for (size_t i = 0; i < ts->t->n_revs; i++) {
		const struct wgm_revocation *r = &ts->t->revs[i];
		bool seen = false;

		for (size_t k = 0; k < ts->t->n_certs && !seen; k++) {
			uint8_t fpr[WGM_TRUST_FPR_LEN];
			wgm_trust_fingerprint(ts->t->certs[k].api_pk, fpr);
			seen = ts->t->certs[k].node_id == r->node_id && memcmp(fpr, r->fpr, sizeof(fpr)) == 0;
		}
		if (!seen)
			json_array_append_new(list, member_json(ts, r->node_id, r->fpr, -1, -1, "revoked", false));
	}
	json_object_set_new(reply, "members", list);
	trust_keys_put_state(ts, reply);
	ctl_request_reply(req, reply);
}

bool trust_store_require_admin(struct trust_store *ts, struct ctl_request *req)
{
	uint32_t admin;
	uint8_t pk[32];

	if (ts->t && ts->identity->is_admin)
		return true;
	if (ts->t && trust_store_admin(ts, &admin, pk))
		ctl_request_reply(req, wgm_ctl_reply_error("node %u is not an admin of this mesh; run it on node %u",
							   ts->cfg->id, admin));
	else
		ctl_request_reply(req, wgm_ctl_reply_error("node %u is not an admin of this mesh", ts->cfg->id));
	return false;
}

bool trust_store_admin_command(struct trust_store *ts, struct ctl_request *req, const json_t *args, uint32_t *id)
{
	const json_t *idv = json_object_get(args, "id");

	if (!trust_store_require_admin(ts, req))
		return false;
	if (!json_is_integer(idv) || json_integer_value(idv) < 0 || json_integer_value(idv) > WGM_API_ID_MAX) {
		ctl_request_reply(req, wgm_ctl_reply_error("id: must be a node ID from 0 to %d", WGM_API_ID_MAX));
		return false;
	}
	*id = (uint32_t)json_integer_value(idv);
	return true;
}

static void handle_revoke(struct ctl_request *req, const json_t *args, void *ctx)
{
	struct trust_store *ts = ctx;
	struct wgm_revocation r = { 0 };
	const struct wgm_cert *c;
	uint32_t id;

	if (!trust_store_admin_command(ts, req, args, &id))
		return;
	if (id == ts->cfg->id) {
		ctl_request_reply(req, wgm_ctl_reply_error("node %lld is this node: an admin does not revoke itself",
							   (long long)id));
		return;
	}
	c = wgm_trust_current(ts->t, id);
	if (!c) {
		ctl_request_reply(req, wgm_ctl_reply_error("node %lld has no current identity known here "
							   "(see `wgmesh member list`)",
							   (long long)id));
		return;
	}
	r.node_id = id;
	wgm_trust_fingerprint(c->api_pk, r.fpr);
	r.time = now_s();
	r.issuer_id = ts->cfg->id;
	wgm_revocation_sign(&r, ts->identity->mesh_sk);
	if (wgm_trust_add_revocation(ts->t, &r) < 0) {
		ctl_request_reply(
			req, wgm_ctl_reply_error("the revocation list is full (%d entries): node %lld is not revoked",
						 WGM_TRUST_REVS_MAX, (long long)id));
		return;
	}
	if (save_revocations(ts) < 0) {
		ctl_request_reply(req, wgm_ctl_reply_error("cannot write %s/%s", ts->cfg->state_dir, TRUST_STORE_FILE));
		return;
	}
	log_notice("mesh authority: node %lld's identity revoked", (long long)id);
	apply_revocations(ts);
	push(ts, true);
	ctl_request_reply(req, wgm_ctl_reply_ok());
}

int trust_store_register(struct trust_store *ts, struct ctl_server *ctl)
{
	int rc = ctl_server_register(ctl, WGM_CTL_CMD_MEMBER_LIST, handle_list, ts);

	if (rc == 0)
		rc = ctl_server_register(ctl, WGM_CTL_CMD_MEMBER_REVOKE, handle_revoke, ts);
	if (rc == 0)
		rc = ctl_server_register(ctl, WGM_CTL_CMD_MEMBER_PROMOTE, trust_admins_handle_promote, ts);
	return rc ? rc : ctl_server_register(ctl, WGM_CTL_CMD_MEMBER_ROTATE_KEY, trust_keys_handle_rotate, ts);
}

/* ---- lifetime ---- */

/* An admin's own certificate, made when it has none for this ID and key
 * (a fresh `wgmesh init`). */
static int self_certify(struct trust_store *ts, char *err, size_t errlen)
{
	struct wgm_node_identity *id = ts->identity;
	struct wgm_cert c = { .node_id = ts->cfg->id, .issuer_id = ts->cfg->id, .issued_at = now_s() };

	if (!id->is_admin ||
	    (id->has_cert && id->cert.node_id == ts->cfg->id && sodium_memcmp(id->cert.api_pk, id->api.pk, 32) == 0))
		return 0;
	memcpy(c.api_pk, id->api.pk, 32);
	wgm_cert_sign(&c, id->mesh_sk);
	id->cert = c;
	id->has_cert = true;
	return wgm_node_identity_save(ts->cfg->state_dir, id, err, errlen);
}

int trust_store_open(struct trust_store *ts, struct loop *loop, const struct wgm_config *cfg,
		     const struct wgm_addrplan *plan, struct wgm_node_identity *identity, struct links *links,
		     struct http_client *http, char *err, size_t errlen)
{
	char why[256];
	int rc;

	memset(ts, 0, sizeof(*ts));
	ts->loop = loop;
	ts->cfg = cfg;
	ts->plan = plan;
	ts->identity = identity;
	ts->links = links;
	ts->http = http;
	if (!identity->has_mesh_pk) {
		log_warn("mesh authority: none in this node's state (made by an earlier version); member calls are "
			 "checked by the mesh key alone");
		return 0;
	}
	ts->t = calloc(1, sizeof(*ts->t));
	if (!ts->t) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	wgm_trust_init(ts->t, identity->mesh_pk);
	rc = self_certify(ts, err, errlen);
	if (rc < 0)
		return rc;
	load(ts);
	if (identity->has_cert && trust_store_learn(ts, &identity->cert, why, sizeof(why)) < 0)
		log_err("mesh authority: this node's own certificate: %s", why);
	rc = loop_timer_start(loop, on_timer, ts, TRUST_SYNC_PERIOD_MS, TRUST_SYNC_PERIOD_MS, &ts->timer);
	if (rc < 0) {
		snprintf(err, errlen, "mesh authority: timer: %s", strerror(-rc));
		return rc;
	}
	return 0;
}

void trust_store_close(struct trust_store *ts)
{
	loop_timer_free(ts->timer);
	free(ts->t);
	memset(ts, 0, sizeof(*ts));
}
