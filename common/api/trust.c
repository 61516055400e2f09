/* Certificates, revocations and what a node knows of them (trust.h). */
#include "common/api/trust.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "common/api/api_b64.h"
#include "common/util/be.h"

/* Domain separation: a certificate's signature is never a revocation's. */
#define CERT_CONTEXT "wgmesh cert v1"
#define REV_CONTEXT "wgmesh revocation v1"
#define CERT_FIELDS_LEN (4 + 32 + 4 + 8)
#define REV_FIELDS_LEN (4 + WGM_TRUST_FPR_LEN + 8 + 4)
/* encode_signed's buffer holds the longer of the two records. */
_Static_assert(REV_FIELDS_LEN <= CERT_FIELDS_LEN, "a revocation's fields outgrow encode_signed's buffer");

int wgm_trust_keypair_new(uint8_t pk[WGM_TRUST_PK_LEN], uint8_t sk[WGM_TRUST_SK_LEN])
{
	return crypto_sign_keypair(pk, sk) == 0 ? 0 : -EIO;
}

void wgm_trust_sk_to_pk(const uint8_t sk[WGM_TRUST_SK_LEN], uint8_t pk[WGM_TRUST_PK_LEN])
{
	crypto_sign_ed25519_sk_to_pk(pk, sk);
}

void wgm_trust_fingerprint(const uint8_t api_pk[32], uint8_t fpr[WGM_TRUST_FPR_LEN])
{
	crypto_generichash(fpr, WGM_TRUST_FPR_LEN, api_pk, 32, NULL, 0);
}

void wgm_trust_fingerprint_text(const uint8_t fpr[WGM_TRUST_FPR_LEN], char out[WGM_TRUST_FPR_TEXT_LEN + 1])
{
	sodium_bin2hex(out, WGM_TRUST_FPR_TEXT_LEN + 1, fpr, WGM_TRUST_FPR_TEXT_LEN / 2);
}

/* CONTEXT NUL FIELDS: what is signed. */
static size_t signed_message(const char *context, const uint8_t *fields, size_t len, uint8_t *out)
{
	size_t clen = strlen(context) + 1;

	memcpy(out, context, clen);
	memcpy(out + clen, fields, len);
	return clen + len;
}

static void cert_fields(const struct wgm_cert *c, uint8_t f[CERT_FIELDS_LEN])
{
	wgm_put_be32(f, c->node_id);
	memcpy(f + 4, c->api_pk, 32);
	wgm_put_be32(f + 36, c->issuer_id);
	wgm_put_be64(f + 40, (uint64_t)c->issued_at);
}

static void rev_fields(const struct wgm_revocation *r, uint8_t f[REV_FIELDS_LEN])
{
	wgm_put_be32(f, r->node_id);
	memcpy(f + 4, r->fpr, WGM_TRUST_FPR_LEN);
	wgm_put_be64(f + 4 + WGM_TRUST_FPR_LEN, (uint64_t)r->time);
	wgm_put_be32(f + 12 + WGM_TRUST_FPR_LEN, r->issuer_id);
}

static void sign_fields(const char *context, const uint8_t *fields, size_t len, const uint8_t *sk, uint8_t *sig)
{
	uint8_t msg[64 + CERT_FIELDS_LEN + REV_FIELDS_LEN];
	size_t n = signed_message(context, fields, len, msg);

	crypto_sign_detached(sig, NULL, msg, n, sk);
}

static int verify_fields(const char *context, const uint8_t *fields, size_t len, const uint8_t *sig, const uint8_t *pk)
{
	uint8_t msg[64 + CERT_FIELDS_LEN + REV_FIELDS_LEN];
	size_t n = signed_message(context, fields, len, msg);

	return crypto_sign_verify_detached(sig, msg, n, pk) == 0 ? 0 : -EACCES;
}

void wgm_cert_sign(struct wgm_cert *c, const uint8_t sk[WGM_TRUST_SK_LEN])
{
	uint8_t f[CERT_FIELDS_LEN];

	cert_fields(c, f);
	sign_fields(CERT_CONTEXT, f, sizeof(f), sk, c->sig);
}

int wgm_cert_verify(const struct wgm_cert *c, const uint8_t pk[WGM_TRUST_PK_LEN])
{
	uint8_t f[CERT_FIELDS_LEN];

	cert_fields(c, f);
	return verify_fields(CERT_CONTEXT, f, sizeof(f), c->sig, pk);
}

/* FIELDS || SIG as base64; decoding the other way round. */
static void encode_signed(const uint8_t *fields, size_t len, const uint8_t *sig, char *out, size_t outlen)
{
	uint8_t bin[CERT_FIELDS_LEN + WGM_TRUST_SIG_LEN];

	memcpy(bin, fields, len);
	memcpy(bin + len, sig, WGM_TRUST_SIG_LEN);
	wgm_b64_encode(bin, len + WGM_TRUST_SIG_LEN, out, outlen);
}

void wgm_cert_encode(const struct wgm_cert *c, char out[WGM_TRUST_CERT_B64_MAX])
{
	uint8_t f[CERT_FIELDS_LEN];

	cert_fields(c, f);
	encode_signed(f, sizeof(f), c->sig, out, WGM_TRUST_CERT_B64_MAX);
}

int wgm_cert_decode(const char *b64, struct wgm_cert *c)
{
	uint8_t bin[CERT_FIELDS_LEN + WGM_TRUST_SIG_LEN];

	memset(c, 0, sizeof(*c));
	if (!b64 || wgm_b64_decode_exact(b64, bin, sizeof(bin)) < 0)
		return -EINVAL;
	c->node_id = wgm_get_be32(bin);
	memcpy(c->api_pk, bin + 4, 32);
	c->issuer_id = wgm_get_be32(bin + 36);
	c->issued_at = (int64_t)wgm_get_be64(bin + 40);
	memcpy(c->sig, bin + CERT_FIELDS_LEN, WGM_TRUST_SIG_LEN);
	return 0;
}

void wgm_revocation_sign(struct wgm_revocation *r, const uint8_t sk[WGM_TRUST_SK_LEN])
{
	uint8_t f[REV_FIELDS_LEN];

	rev_fields(r, f);
	sign_fields(REV_CONTEXT, f, sizeof(f), sk, r->sig);
}

int wgm_revocation_verify(const struct wgm_revocation *r, const uint8_t pk[WGM_TRUST_PK_LEN])
{
	uint8_t f[REV_FIELDS_LEN];

	rev_fields(r, f);
	return verify_fields(REV_CONTEXT, f, sizeof(f), r->sig, pk);
}

void wgm_revocation_encode(const struct wgm_revocation *r, char out[WGM_TRUST_REV_B64_MAX])
{
	uint8_t f[REV_FIELDS_LEN];

	rev_fields(r, f);
	encode_signed(f, sizeof(f), r->sig, out, WGM_TRUST_REV_B64_MAX);
}

int wgm_revocation_decode(const char *b64, struct wgm_revocation *r)
{
	uint8_t bin[REV_FIELDS_LEN + WGM_TRUST_SIG_LEN];

	memset(r, 0, sizeof(*r));
	if (!b64 || wgm_b64_decode_exact(b64, bin, sizeof(bin)) < 0)
		return -EINVAL;
	r->node_id = wgm_get_be32(bin);
	memcpy(r->fpr, bin + 4, WGM_TRUST_FPR_LEN);
	r->time = (int64_t)wgm_get_be64(bin + 4 + WGM_TRUST_FPR_LEN);
	r->issuer_id = wgm_get_be32(bin + 12 + WGM_TRUST_FPR_LEN);
	memcpy(r->sig, bin + REV_FIELDS_LEN, WGM_TRUST_SIG_LEN);
	return 0;
}

void wgm_trust_init(struct wgm_trust *t, const uint8_t mesh_pk[WGM_TRUST_PK_LEN])
{
	memset(t, 0, sizeof(*t));
	memcpy(t->mesh_pk, mesh_pk, WGM_TRUST_PK_LEN);
}

bool wgm_trust_revoked(const struct wgm_trust *t, uint32_t id, const uint8_t api_pk[32])
{
	uint8_t fpr[WGM_TRUST_FPR_LEN];

	wgm_trust_fingerprint(api_pk, fpr);
	for (size_t i = 0; i < t->n_revs; i++)
		if (t->revs[i].node_id == id && memcmp(t->revs[i].fpr, fpr, sizeof(fpr)) == 0)
			return true;
	return false;
}

const struct wgm_cert *wgm_trust_current(const struct wgm_trust *t, uint32_t id)
{
	for (size_t i = 0; i < t->n_certs; i++)
		if (t->certs[i].node_id == id && !wgm_trust_revoked(t, id, t->certs[i].api_pk))
			return &t->certs[i];
	return NULL;
}

int wgm_trust_may_admit(const struct wgm_trust *t, uint32_t id, const uint8_t api_pk[32], char *err, size_t errlen)
{
	const struct wgm_cert *cur = wgm_trust_current(t, id);

	if (wgm_trust_revoked(t, id, api_pk)) {
		snprintf(err, errlen, "node %u: this identity has been revoked", id);
		return -EACCES;
	}
	if (cur && memcmp(cur->api_pk, api_pk, 32) != 0) {
		snprintf(err, errlen, "node %u is known in this mesh with another API key", id);
		return -EACCES;
	}
	return 0;
}

static bool cert_known(const struct wgm_trust *t, const struct wgm_cert *c)
{
	for (size_t i = 0; i < t->n_certs; i++)
		if (t->certs[i].node_id == c->node_id && memcmp(t->certs[i].api_pk, c->api_pk, 32) == 0)
			return true;
	return false;
}

/* Verifies C and binds its ID, without a caller to compare with. */
static int take_cert(struct wgm_trust *t, const struct wgm_cert *c, bool *added, char *err, size_t errlen)
{
	*added = false;
	if (wgm_cert_verify(c, t->mesh_pk) < 0) {
		snprintf(err, errlen, "certificate: not signed by this mesh's authority");
		return -EACCES;
	}
	if (wgm_trust_may_admit(t, c->node_id, c->api_pk, err, errlen) < 0)
		return -EACCES;
	if (cert_known(t, c))
		return 0;
	if (t->n_certs == WGM_TRUST_CERTS_MAX) {
		snprintf(err, errlen, "certificate: this node knows %d identities already", WGM_TRUST_CERTS_MAX);
		return -EACCES;
	}
	t->certs[t->n_certs++] = *c;
	*added = true;
	return 0;
}

int wgm_trust_check(struct wgm_trust *t, const struct wgm_cert *c, const uint8_t caller_pk[32], bool *added, char *err,
		    size_t errlen)
{
	*added = false;
	if (sodium_memcmp(c->api_pk, caller_pk, 32) != 0) {
		snprintf(err, errlen, "certificate: made for another API key than the caller's");
		return -EACCES;
	}
	return take_cert(t, c, added, err, errlen);
}

int wgm_trust_add_revocation(struct wgm_trust *t, const struct wgm_revocation *r)
{
	if (wgm_revocation_verify(r, t->mesh_pk) < 0)
		return -EACCES;
	for (size_t i = 0; i < t->n_revs; i++)
		if (t->revs[i].node_id == r->node_id && memcmp(t->revs[i].fpr, r->fpr, WGM_TRUST_FPR_LEN) == 0)
			return 0;
	if (t->n_revs == WGM_TRUST_REVS_MAX)
		return -ENOSPC;
	t->revs[t->n_revs++] = *r;
	return 1;
}

json_t *wgm_trust_to_json(const struct wgm_trust *t)
{
	json_t *certs = json_array(), *revs = json_array();
	char text[WGM_TRUST_CERT_B64_MAX];
	int rc = certs && revs ? 0 : -1;

	for (size_t i = 0; rc == 0 && i < t->n_certs; i++) {
		wgm_cert_encode(&t->certs[i], text);
		rc = json_array_append_new(certs, json_string(text));
	}
	for (size_t i = 0; rc == 0 && i < t->n_revs; i++) {
		wgm_revocation_encode(&t->revs[i], text);
		rc = json_array_append_new(revs, json_string(text));
	}
	if (rc < 0) {
		json_decref(certs);
		json_decref(revs);
		return NULL;
	}
	return json_pack("{s:o, s:o}", "certs", certs, "revocations", revs);
}

int wgm_trust_merge_json(struct wgm_trust *t, const json_t *j, size_t *new_revs, size_t *bad)
{
	const json_t *certs = json_object_get(j, "certs"), *revs = json_object_get(j, "revocations"), *v;
	char why[128];
	size_t i;

	*new_revs = *bad = 0;
	if (!json_is_object(j) || (certs && !json_is_array(certs)) || (revs && !json_is_array(revs)))
		return -EINVAL;
	/* Revocations first: a certificate for a revoked key must not bind. */
	json_array_foreach (revs, i, v) {
		struct wgm_revocation r;
		int rc = wgm_revocation_decode(json_string_value(v), &r);

		if (rc == 0)
			rc = wgm_trust_add_revocation(t, &r);
		if (rc == 1)
			(*new_revs)++;
		else if (rc < 0)
			(*bad)++;
	}
	json_array_foreach (certs, i, v) {
		struct wgm_cert c;
		bool added;

		if (wgm_cert_decode(json_string_value(v), &c) < 0 || take_cert(t, &c, &added, why, sizeof(why)) < 0)
			(*bad)++;
	}
	return 0;
}
