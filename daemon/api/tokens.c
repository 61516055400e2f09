#include "daemon/api/tokens.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "common/ctl/ctlproto.h"
#include "common/util/log.h"
#include "common/config/statefile.h"
#include "daemon/core/state_write.h"

#define TOKEN_TTL_DEFAULT 3600
#define TOKEN_USES_DEFAULT 1

void tokens_endpoint_url(const struct wgm_config *cfg, char *out, size_t len)
{
	out[0] = '\0';
	if (cfg->listen != WGM_LISTEN_PUBLIC)
		return;
	if (cfg->connectivity_ipv4[0])
		snprintf(out, len, "http://%s:%u", cfg->connectivity_ipv4, cfg->listen_port);
	else if (cfg->connectivity_ipv6[0])
		snprintf(out, len, "http://[%s]:%u", cfg->connectivity_ipv6, cfg->listen_port);
}

int tokens_open(struct tokens *t, const struct wgm_config *cfg, const struct wgm_node_identity *identity,
		struct worker *worker, char *err, size_t errlen)
{
	json_t *json = NULL;
	int rc;

	memset(t, 0, sizeof(*t));
	t->cfg = cfg;
	t->identity = identity;
	t->worker = worker;
	if ((size_t)snprintf(t->path, sizeof(t->path), "%s/tokens.json", cfg->state_dir) >= sizeof(t->path)) {
		snprintf(err, errlen, "%s: state directory path too long", cfg->state_dir);
		return -ENAMETOOLONG;
	}
	rc = wgm_statefile_read_json(t->path, &json, err, errlen);
	if (rc == -ENOENT) {
		t->store = wgm_token_store_new();
	} else if (rc < 0) {
		return rc;
	} else {
		char why[256];
		t->store = wgm_token_store_from_json(json, why, sizeof(why));
		json_decref(json);
		if (!t->store) {
			snprintf(err, errlen, "%s: %s", t->path, why);
			return -EINVAL;
		}
	}
	if (!t->store) {
		snprintf(err, errlen, "token store: out of memory");
		return -ENOMEM;
	}
	return 0;
}

void tokens_close(struct tokens *t)
{
	wgm_token_store_free(t->store);
	t->store = NULL;
}

void tokens_save(struct tokens *t)
{
	json_t *json;

	wgm_token_store_prune(t->store, time(NULL));
	json = wgm_token_store_to_json(t->store);
	if (!json || state_write_async(t->worker, t->path, json, WGM_STATEFILE_MODE_SECRET) < 0)
		log_err("%s: cannot save the token store: out of memory", t->path);
}

int tokens_save_then(struct tokens *t, void (*done)(int rc, const char *err, void *ctx), void *ctx)
{
	json_t *json;

	wgm_token_store_prune(t->store, time(NULL));
	json = wgm_token_store_to_json(t->store);
	if (!json)
		return -ENOMEM;
	return state_write_async_then(t->worker, t->path, json, WGM_STATEFILE_MODE_SECRET, done, ctx);
}

static int get_positive(const json_t *args, const char *name, json_int_t dflt, json_int_t max, json_int_t *out,
			char *err, size_t errlen)
{
	const json_t *v = json_object_get(args, name);

	if (!v || json_is_null(v)) {
		*out = dflt;
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > max) {
		snprintf(err, errlen, "%s: must be an integer from 1 to %lld", name, (long long)max);
		return -EINVAL;
	}
	*out = json_integer_value(v);
	return 0;
}

static void handle_create(struct ctl_request *req, const json_t *args, void *ctx)
{
	struct tokens *t = ctx;
	uint8_t secret[WGM_TOKEN_SECRET_LEN];
	struct wgm_token_info info;
	struct wgm_token token;
	char text[WGM_TOKEN_TEXT_MAX], err[256];
	const json_t *label = json_object_get(args, "label");
	json_int_t ttl, uses;
	json_t *reply;

	if (get_positive(args, "ttl", TOKEN_TTL_DEFAULT, WGM_TOKEN_TTL_MAX, &ttl, err, sizeof(err)) ||
	    get_positive(args, "uses", TOKEN_USES_DEFAULT, WGM_TOKEN_USES_MAX, &uses, err, sizeof(err))) {
		ctl_request_reply(req, wgm_ctl_reply_error("%s", err));
		return;
	}
	if (label && !json_is_null(label) && !json_is_string(label)) {
		ctl_request_reply(req, wgm_ctl_reply_error("label: must be a string"));
		return;
	}
	if (wgm_token_store_create(t->store, ttl, (uint32_t)uses, label ? json_string_value(label) : NULL, time(NULL),
				   secret, &info, err, sizeof(err)) < 0) {
		ctl_request_reply(req, wgm_ctl_reply_error("%s", err));
		return;
	}
	memset(&token, 0, sizeof(token));
	memcpy(token.api_pk, t->identity->api.pk, sizeof(token.api_pk));
	memcpy(token.secret, secret, sizeof(token.secret));
	tokens_endpoint_url(t->cfg, token.url, sizeof(token.url));
	sodium_memzero(secret, sizeof(secret));
	if (wgm_token_encode(&token, text, sizeof(text)) < 0) {
		wgm_token_wipe(&token);
		wgm_token_store_revoke(t->store, info.id);
		ctl_request_reply(req, wgm_ctl_reply_error("cannot encode the token"));
		return;
	}
	wgm_token_wipe(&token);
	tokens_save(t);
	log_notice("token %s issued (%lld s, %lld use%s%s%s)", info.id, (long long)ttl, (long long)uses,
		   uses == 1 ? "" : "s", info.label[0] ? ", label " : "", info.label);
	reply = wgm_ctl_reply_ok();
	json_object_set_new(reply, "token", json_string(text));
	json_object_set_new(reply, "id", json_string(info.id));
	json_object_set_new(reply, "expires", json_integer(info.expires));
	sodium_memzero(text, sizeof(text));
	/* The reply line is the one place the token leaves the daemon. */
	ctl_request_reply(req, reply);
}

static void handle_list(struct ctl_request *req, const json_t *args, void *ctx)
{
	struct tokens *t = ctx;
	json_t *reply = wgm_ctl_reply_ok(), *list = json_array();
	size_t n = wgm_token_store_count(t->store);

	for (size_t i = 0; i < n; i++) {
		struct wgm_token_info info;
		if (wgm_token_store_info(t->store, i, &info) == 0)
			json_array_append_new(list, wgm_token_info_to_json(&info));
	}
	json_object_set_new(reply, "tokens", list);
	ctl_request_reply(req, reply);
}

static void handle_revoke(struct ctl_request *req, const json_t *args, void *ctx)
{
	struct tokens *t = ctx;
	const char *id = json_string_value(json_object_get(args, "id"));

	if (!id) {
		ctl_request_reply(req, wgm_ctl_reply_error("id: missing (see `wgmesh token list`)"));
		return;
	}
	if (wgm_token_store_revoke(t->store, id) < 0) {
		ctl_request_reply(req, wgm_ctl_reply_error("no token with id %.16s", id));
		return;
	}
	tokens_save(t);
	log_notice("token %s revoked", id);
	ctl_request_reply(req, wgm_ctl_reply_ok());
}

void tokens_publish_used(struct tokens *t, const char *id, unsigned remote_id, const char *link)
{
	struct wgm_token_info info;
	json_t *ev;

	for (size_t i = 0; i < wgm_token_store_count(t->store); i++) {
		if (wgm_token_store_info(t->store, i, &info) < 0 || strcmp(info.id, id) != 0)
			continue;
		if (!t->ctl || !(ev = wgm_ctl_event_new(WGM_CTL_EVENT_TOKEN_USED)))
			return;
		json_object_set_new(ev, "token_id", json_string(info.id));
		json_object_set_new(ev, "label", json_string(info.label));
		json_object_set_new(ev, "remote_id", json_integer(remote_id));
		json_object_set_new(ev, "name", json_string(link));
		json_object_set_new(ev, "uses_left", json_integer(info.uses_left));
		json_object_set_new(ev, "used_up", json_boolean(info.uses_left == 0));
		ctl_server_publish(t->ctl, ev);
		return;
	}
}

int tokens_register(struct tokens *t, struct ctl_server *ctl)
{
	int rc = ctl_server_register(ctl, WGM_CTL_CMD_TOKEN_CREATE, handle_create, t);

	if (rc == 0)
		rc = ctl_server_register(ctl, WGM_CTL_CMD_TOKEN_LIST, handle_list, t);
	if (rc == 0)
		rc = ctl_server_register(ctl, WGM_CTL_CMD_TOKEN_REVOKE, handle_revoke, t);
	t->ctl = ctl;
	return rc;
}
