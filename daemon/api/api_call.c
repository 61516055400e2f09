#include "daemon/api/api_call.h"

#include "common/api/api_b64.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "common/api/api_auth.h"
#include "common/api/api_msg.h"
#include "common/api/json_secret.h"

struct api_call {
	struct wgm_api_keypair caller;
	struct wgm_api_call call;
	bool member;
	bool plain;
	uint8_t mesh_key[WGM_MESH_KEY_LEN];
	char url[320];
	api_call_done_fn done;
	void *ctx;
};

static void api_call_free(struct api_call *c)
{
	wgm_api_keypair_wipe(&c->caller);
	sodium_memzero(c->mesh_key, sizeof(c->mesh_key));
	free(c);
}

static void report_refusal(struct api_call *c, long status, const char *body, size_t len)
{
	char reason[WGM_API_ERROR_MAX + 1], err[1024];

	if (wgm_api_error_parse(body, len, reason, sizeof(reason)) < 0)
		snprintf(reason, sizeof(reason), "%s", wgm_api_status_reason((int)status));
	snprintf(err, sizeof(err), "%s: %ld %s", c->url, status, reason);
	c->done(status, NULL, err, c->ctx);
}

static void on_response(long status, const char *body, size_t len, const char *error, void *ctx)
{
	struct api_call *c = ctx;
	struct wgm_api_reply reply = { 0 };
	char err[1024], why[256];
	json_error_t jerr;
	json_t *plain;

	if (status == 0) {
		c->done(0, NULL, error, c->ctx);
	} else if (status != 200) {
		report_refusal(c, status, body, len);
	} else if (c->plain) {
		plain = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
		if (!json_is_object(plain)) {
			snprintf(err, sizeof(err), "%s: reply is not a JSON object", c->url);
			c->done(status, NULL, err, c->ctx);
		} else {
			c->done(status, plain, NULL, c->ctx);
		}
		json_decref(plain);
	} else if (wgm_api_auth_open_reply(&c->caller, &c->call, c->member ? c->mesh_key : NULL, body, len, &reply, why,
					   sizeof(why)) < 0) {
		snprintf(err, sizeof(err), "%s: reply refused: %s", c->url, why);
		c->done(status, NULL, err, c->ctx);
	} else {
		c->done(status, reply.payload, NULL, c->ctx);
	}
	wgm_api_reply_clear(&reply);
	api_call_free(c);
}

static int call_boxed(struct http_client *http, const struct wgm_node_identity *self, const char *base_url,
		      const char *method, const char *route, const struct wgm_token *token,
		      const uint8_t server_pk[WGM_API_KEY_LEN], const uint8_t *mac_key, const json_t *payload,
		      api_call_done_fn done, void *ctx, char *err, size_t errlen)
{
	struct api_call *c = calloc(1, sizeof(*c));
	char *body = NULL;
	int rc;

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	c->caller = self->api;
	c->done = done;
	c->ctx = ctx;
	snprintf(c->url, sizeof(c->url), "%s%s", base_url, route);
	if (token) {
		rc = wgm_api_auth_seal_join(&c->caller, token, route, payload, time(NULL), &c->call, &body, err,
					    errlen);
	} else {
		/* A member call names its caller with the certificate (a
		 * peering call, under a link's key, goes to no member). */
		json_t *sent = json_copy((json_t *)payload);
		char cert[WGM_TRUST_CERT_B64_MAX];

		c->member = true;
		memcpy(c->mesh_key, mac_key, sizeof(c->mesh_key));
		if (sent && self->has_cert && mac_key == self->mesh_key) {
			wgm_cert_encode(&self->cert, cert);
			if (json_object_set_new(sent, "cert", json_string(cert)) < 0 ||
			    (self->mesh_epoch &&
			     json_object_set_new(sent, "epoch", json_integer(self->mesh_epoch)) < 0)) {
				json_decref(sent);
				sent = NULL;
			}
		}
		rc = sent ? wgm_api_auth_seal_member(&c->caller, server_pk, c->mesh_key, route, sent, time(NULL),
						     &c->call, &body, err, errlen)
			  : -ENOMEM;
		if (!sent)
			snprintf(err, errlen, "out of memory");
		wgm_json_decref_wiped(sent);
	}
	if (rc == 0)
		rc = http_client_request(http, method, c->url, body, strlen(body), API_CALL_TIMEOUT_MS, on_response, c,
					 NULL);
	free(body);
	if (rc < 0) {
		if (!err[0])
			snprintf(err, errlen, "%s: %s", c->url, strerror(-rc));
		api_call_free(c);
	}
	return rc;
}

int api_call_boxed(struct http_client *http, const struct wgm_node_identity *self, const char *base_url,
		   const char *method, const char *route, const struct wgm_token *token,
		   const uint8_t server_pk[WGM_API_KEY_LEN], const json_t *payload, api_call_done_fn done, void *ctx,
		   char *err, size_t errlen)
{
	return call_boxed(http, self, base_url, method, route, token, server_pk, self->mesh_key, payload, done, ctx,
			  err, errlen);
}

int api_call_peer(struct http_client *http, const struct wgm_node_identity *self, const char *base_url,
		  const char *route, const uint8_t server_pk[WGM_API_KEY_LEN], const uint8_t link_key[WGM_MESH_KEY_LEN],
		  const json_t *payload, api_call_done_fn done, void *ctx, char *err, size_t errlen)
{
	return call_boxed(http, self, base_url, "POST", route, NULL, server_pk, link_key, payload, done, ctx, err,
			  errlen);
}

int api_call_connectivity(struct http_client *http, const char *base_url, const uint8_t *challenge,
			  api_call_done_fn done, void *ctx, char *err, size_t errlen)
{
	struct api_call *c = calloc(1, sizeof(*c));
	char body[64] = "{}", b64[WGM_B64_LEN(WGM_API_NONCE_LEN) + 1];
	int rc;

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	c->plain = true;
	c->done = done;
	c->ctx = ctx;
	snprintf(c->url, sizeof(c->url), "%s%s", base_url, "/connectivity");
	if (challenge) {
		wgm_b64_encode(challenge, WGM_API_NONCE_LEN, b64, sizeof(b64));
		snprintf(body, sizeof(body), "{\"challenge\":\"%s\"}", b64);
	}
	rc = http_client_request(http, "POST", c->url, body, strlen(body), API_CALL_TIMEOUT_MS, on_response, c, NULL);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", c->url, strerror(-rc));
		api_call_free(c);
	}
	return rc;
}

int api_base_url_normalise(const char *url, char *out, size_t len, char *err, size_t errlen)
{
	const char *rest, *host_end;
	size_t host_len;
	bool has_port;

	if (strncmp(url, "http://", 7) == 0) {
		rest = url + 7;
	} else if (strncmp(url, "https://", 8) == 0) {
		rest = url + 8;
	} else {
		snprintf(err, errlen, "URL %.100s: must start with http:// or https://", url);
		return -EINVAL;
	}
	host_end = rest + strcspn(rest, "/?#");
	host_len = (size_t)(host_end - rest);
	if (host_len == 0 || host_len > 200 || (*host_end && strcmp(host_end, "/") != 0)) {
		snprintf(err, errlen, "URL %.100s: expected http://HOST[:PORT] with no path", url);
		return -EINVAL;
	}
	for (const char *p = rest; p < host_end; p++) {
		if (*p <= ' ' || *p >= 127 || *p == '@') {
			snprintf(err, errlen, "URL %.100s: the host part has a character that is not allowed", url);
			return -EINVAL;
		}
	}
	/* A port is present when the last ':' comes after any IPv6 literal's ']'. */
	{
		const char *colon = memrchr(rest, ':', host_len), *bracket = memrchr(rest, ']', host_len);
		has_port = colon && (!bracket || colon > bracket);
	}
	if ((size_t)snprintf(out, len, "%.*s%.*s%s", (int)(rest - url), url, (int)host_len, rest,
			     has_port ? "" : ":8080") >= len) {
		snprintf(err, errlen, "URL %.100s: too long", url);
		return -EINVAL;
	}
	return 0;
}
