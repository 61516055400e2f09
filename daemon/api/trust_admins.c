/* Admins and grants of the signing key (trust_admins.h). */
#include "daemon/api/trust_admins.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "common/api/admin_grant.h"
#include "common/api/api_msg.h"
#include "common/config/node_identity.h"
#include "common/ctl/ctlproto.h"
#include "common/util/log.h"

/* A body's "admins" beyond this many are not looked at. */
#define GRANTS_PER_BODY_MAX 16

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

static const struct wgm_admin_grant *grant_of(const struct trust_store *ts, uint32_t id, const uint8_t api_pk[32])
{
	for (size_t i = 0; i < ts->n_admins; i++)
		if (ts->admins[i].node_id == id && sodium_memcmp(ts->admins[i].api_pk, api_pk, 32) == 0)
			return &ts->admins[i];
	return NULL;
}

bool trust_admins_is(const struct trust_store *ts, const struct wgm_cert *c)
{
	if (!ts->t || wgm_trust_revoked(ts->t, c->node_id, c->api_pk))
		return false;
	/* Only the holder of the signing key signs its own certificate. */
	return c->issuer_id == c->node_id || grant_of(ts, c->node_id, c->api_pk) != NULL;
}

int trust_admins_put(struct trust_store *ts, json_t *j, bool all)
{
	json_t *list = json_array();
	char text[WGM_ADMIN_GRANT_B64_MAX];
	size_t n = ts->n_admins, count = all ? n : (n < TRUST_ADMINS_PER_BODY ? n : TRUST_ADMINS_PER_BODY);

	for (size_t k = 0; list && k < count; k++) {
		wgm_admin_grant_encode(&ts->admins[(ts->admin_page + k) % n], text);
		if (json_array_append_new(list, json_string(text)) < 0) {
			json_decref(list);
			list = NULL;
		}
	}
	if (!all && n)
		ts->admin_page = (ts->admin_page + count) % n;
	return list && json_object_set_new(j, "admins", list) == 0 ? 0 : -ENOMEM;
}

/* G names this node: it opens it and holds the signing key from now on. */
static void become_admin(struct trust_store *ts, const struct wgm_admin_grant *g, const char *from)
{
	struct wgm_node_identity *id = ts->identity;
	uint8_t sk[WGM_TRUST_SK_LEN];
	char err[256];

	if (id->is_admin || sodium_memcmp(g->api_pk, id->api.pk, 32) != 0)
		return;
	if (wgm_admin_grant_open(g, &id->api, ts->t->mesh_pk, sk) < 0) {
		log_warn("mesh authority: the admin grant for this node from %s does not open to this mesh's signing "
			 "key; ignored",
			 from);
		return;
	}
	memcpy(id->mesh_sk, sk, sizeof(sk));
	sodium_memzero(sk, sizeof(sk));
	id->is_admin = true;
	if (wgm_node_identity_save(ts->cfg->state_dir, id, err, sizeof(err)) < 0)
		log_err("mesh authority: the signing key cannot be kept (admin until the daemon stops): %s", err);
	log_notice("mesh authority: this node is an admin of the mesh from now on (granted by node %u, from %s)",
		   g->issuer_id, from);
}

unsigned trust_admins_take(struct trust_store *ts, const json_t *j, const char *from)
{
	const json_t *list = json_object_get(j, "admins"), *v;
	unsigned added = 0;
	size_t i;

	if (!ts->t || !json_is_array(list))
		return 0;
	json_array_foreach (list, i, v) {
		struct wgm_admin_grant g;

		if (i == GRANTS_PER_BODY_MAX)
			break;
		if (wgm_admin_grant_decode(json_string_value(v), &g) < 0 ||
		    wgm_admin_grant_verify(&g, ts->t->mesh_pk) < 0) {
			log_info("mesh authority: an admin grant from %s is not signed by this mesh; skipped", from);
			continue;
		}
		if (g.node_id == ts->cfg->id)
			become_admin(ts, &g, from);
		if (grant_of(ts, g.node_id, g.api_pk))
			continue;
		if (ts->n_admins == TRUST_ADMINS_MAX) {
			log_warn("mesh authority: %d admins known already: node %u's grant from %s is not kept",
				 TRUST_ADMINS_MAX, g.node_id, from);
			continue;
		}
		ts->admins[ts->n_admins++] = g;
		added++;
		log_info("mesh authority: node %u is an admin (granted by node %u; learnt from %s)", g.node_id,
			 g.issuer_id, from);
	}
	return added;
}

bool trust_admins_is_unreachable(const struct trust_store *ts, uint32_t id)
{
	return id <= WGM_API_ID_MAX && ts->unreachable[id] &&
	       now_s() - ts->unreachable[id] < TRUST_ADMINS_UNREACHABLE_S;
}

void trust_admins_unreachable(struct trust_store *ts, uint32_t id)
{
	if (id <= WGM_API_ID_MAX)
		ts->unreachable[id] = now_s();
}

bool trust_admins_pick(struct trust_store *ts, uint32_t *id, uint8_t api_pk[32])
{
	const struct wgm_cert *best = NULL, *c;

	if (!ts->t)
		return false;
	if (ts->identity->has_cert) {
		c = wgm_trust_current(ts->t, ts->identity->cert.issuer_id);
		if (c && c->node_id != ts->cfg->id && trust_admins_is(ts, c) &&
		    !trust_admins_is_unreachable(ts, c->node_id))
			best = c;
	}
	for (uint32_t k = 0; !best && k <= WGM_API_ID_MAX; k++) {
		c = wgm_trust_current(ts->t, k);
		if (c && k != ts->cfg->id && trust_admins_is(ts, c) && !trust_admins_is_unreachable(ts, k))
			best = c;
	}
	if (!best)
		return false;
	*id = best->node_id;
	memcpy(api_pk, best->api_pk, 32);
	return true;
}

void trust_admins_handle_promote(struct ctl_request *req, const json_t *args, void *ctx)
{
	struct trust_store *ts = ctx;
	struct wgm_admin_grant g;
	const struct wgm_cert *c;
	uint32_t id;

	if (!trust_store_admin_command(ts, req, args, &id))
		return;
	c = wgm_trust_current(ts->t, id);
	if (id == ts->cfg->id || (c && trust_admins_is(ts, c))) {
		ctl_request_reply(req, wgm_ctl_reply_error("node %lld is an admin already", (long long)id));
		return;
	}
	if (!c) {
		ctl_request_reply(req, wgm_ctl_reply_error("node %lld has no current identity known here (unknown or "
							   "revoked; see `wgmesh member list`)",
							   (long long)id));
		return;
	}
	if (ts->n_admins == TRUST_ADMINS_MAX) {
		ctl_request_reply(req, wgm_ctl_reply_error("this mesh has %d promoted admins already: node %lld is not "
							   "promoted",
							   TRUST_ADMINS_MAX, (long long)id));
		return;
	}
	if (wgm_admin_grant_make(&g, c->node_id, c->api_pk, now_s(), ts->cfg->id, ts->identity->mesh_sk) < 0) {
		ctl_request_reply(req, wgm_ctl_reply_error("node %lld's API key is not usable", (long long)id));
		return;
	}
	ts->admins[ts->n_admins] = g;
	/* The next bodies start their page with the new grant. */
	ts->admin_page = ts->n_admins++;
	if (trust_store_save_synced(ts) < 0) {
		ts->n_admins--;
		ts->admin_page = 0;
		ctl_request_reply(req, wgm_ctl_reply_error("cannot write %s/%s", ts->cfg->state_dir, TRUST_STORE_FILE));
		return;
	}
	log_notice("mesh authority: node %lld promoted to admin", (long long)id);
	trust_store_push_all(ts);
	ctl_request_reply(req, wgm_ctl_reply_ok());
}
