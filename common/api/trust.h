/* Member identities vouched for by the mesh (docs/api.md "Mesh authority").
 *
 * The node that starts a mesh holds an Ed25519 signing key (libsodium
 * crypto_sign), the mesh authority; every member holds its public half. A
 * certificate binds {node ID, the node's API public key, the issuing admin's
 * ID, issued-at} under that key; a revocation {node ID, the identity's
 * fingerprint, time, issuer} likewise. Both travel as base64 of the signed
 * fields followed by the signature, and anyone can check them: a node takes a
 * member call only with a certificate that verifies, names the caller's API
 * key and is not revoked, and binds each node ID to one key.
 *
 * struct wgm_trust is what a node knows: the mesh public key, the
 * certificates it has seen (one current identity per ID) and the
 * revocations. Pure: no I/O, the clock is a parameter. */
#ifndef WGM_COMMON_API_TRUST_H
#define WGM_COMMON_API_TRUST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WGM_TRUST_PK_LEN 32  /* crypto_sign_PUBLICKEYBYTES */
#define WGM_TRUST_SK_LEN 64  /* crypto_sign_SECRETKEYBYTES */
#define WGM_TRUST_SIG_LEN 64 /* crypto_sign_BYTES */
#define WGM_TRUST_FPR_LEN 16 /* identity fingerprint: BLAKE2b-128 of the API key */
/* Text of a fingerprint as `member list` shows it: the first 8 bytes, hex. */
#define WGM_TRUST_FPR_TEXT_LEN 16
#define WGM_TRUST_CERT_B64_MAX 160
#define WGM_TRUST_REV_B64_MAX 132
/* Bounds on what one node keeps (and what one /trust body carries: 16 KiB). */
#define WGM_TRUST_CERTS_MAX 512
#define WGM_TRUST_REVS_MAX 96

struct wgm_cert {
	uint32_t node_id;
	uint8_t api_pk[32];
	uint32_t issuer_id;
	int64_t issued_at;
	uint8_t sig[WGM_TRUST_SIG_LEN];
};

struct wgm_revocation {
	uint32_t node_id;
	uint8_t fpr[WGM_TRUST_FPR_LEN];
	int64_t time;
	uint32_t issuer_id;
	uint8_t sig[WGM_TRUST_SIG_LEN];
};

/* A fresh mesh signing key pair. 0 or -EIO. */
int wgm_trust_keypair_new(uint8_t pk[WGM_TRUST_PK_LEN], uint8_t sk[WGM_TRUST_SK_LEN]);
/* The public half of SK. */
void wgm_trust_sk_to_pk(const uint8_t sk[WGM_TRUST_SK_LEN], uint8_t pk[WGM_TRUST_PK_LEN]);

void wgm_trust_fingerprint(const uint8_t api_pk[32], uint8_t fpr[WGM_TRUST_FPR_LEN]);
void wgm_trust_fingerprint_text(const uint8_t fpr[WGM_TRUST_FPR_LEN], char out[WGM_TRUST_FPR_TEXT_LEN + 1]);

/* Signs C's fields (sig is written) / checks C's signature: 0 or -EACCES. */
void wgm_cert_sign(struct wgm_cert *c, const uint8_t sk[WGM_TRUST_SK_LEN]);
int wgm_cert_verify(const struct wgm_cert *c, const uint8_t pk[WGM_TRUST_PK_LEN]);
/* OUT holds WGM_TRUST_CERT_B64_MAX bytes. Decode: 0 or -EINVAL (not the
 * encoding of a certificate; the signature is not checked). */
void wgm_cert_encode(const struct wgm_cert *c, char out[WGM_TRUST_CERT_B64_MAX]);
int wgm_cert_decode(const char *b64, struct wgm_cert *c);

void wgm_revocation_sign(struct wgm_revocation *r, const uint8_t sk[WGM_TRUST_SK_LEN]);
int wgm_revocation_verify(const struct wgm_revocation *r, const uint8_t pk[WGM_TRUST_PK_LEN]);
void wgm_revocation_encode(const struct wgm_revocation *r, char out[WGM_TRUST_REV_B64_MAX]);
int wgm_revocation_decode(const char *b64, struct wgm_revocation *r);

struct wgm_trust {
	uint8_t mesh_pk[WGM_TRUST_PK_LEN];
	struct wgm_cert certs[WGM_TRUST_CERTS_MAX];
	size_t n_certs;
	struct wgm_revocation revs[WGM_TRUST_REVS_MAX];
	size_t n_revs;
};

/* An empty view of the mesh whose authority is MESH_PK. */
void wgm_trust_init(struct wgm_trust *t, const uint8_t mesh_pk[WGM_TRUST_PK_LEN]);

/* Whether the identity (ID, API_PK) has been revoked. */
bool wgm_trust_revoked(const struct wgm_trust *t, uint32_t id, const uint8_t api_pk[32]);
/* The current (unrevoked) certificate known for ID, or NULL. */
const struct wgm_cert *wgm_trust_current(const struct wgm_trust *t, uint32_t id);

/* Whether ID may be admitted with API_PK: 0, or -EACCES with one line (the
 * key is revoked, or ID is bound to another unrevoked key). */
int wgm_trust_may_admit(const struct wgm_trust *t, uint32_t id, const uint8_t api_pk[32], char *err, size_t errlen);

/* Checks C as the credential of a caller whose box was sealed by CALLER_PK:
 * the signature is the mesh's, the key is the caller's, it is not revoked,
 * and the ID is bound to no other key. On success the certificate is known
 * from now on (*added true when it was new). 0 or -EACCES with one line. */
int wgm_trust_check(struct wgm_trust *t, const struct wgm_cert *c, const uint8_t caller_pk[32], bool *added, char *err,
		    size_t errlen);

/* Adds R when it verifies and is new: 1 added, 0 known already, -EACCES
 * (not signed by the mesh), -ENOSPC (list full). */
int wgm_trust_add_revocation(struct wgm_trust *t, const struct wgm_revocation *r);

/* {"certs":[B64...],"revocations":[B64...]}; NULL on allocation failure. */
json_t *wgm_trust_to_json(const struct wgm_trust *t);
/* Merges what J carries into T: each entry must decode and verify (an entry
 * that does not is skipped and counted in *bad). *new_revs counts the
 * revocations T did not have. 0, or -EINVAL when J is not of that shape. */
int wgm_trust_merge_json(struct wgm_trust *t, const json_t *j, size_t *new_revs, size_t *bad);

#endif
