/* The console's members view: the daemon's `member_list` reply (the mesh
 * authority's member identities, docs/api.md "Mesh authority") parsed into
 * rows sorted by node ID, the rows formatted into a table that drops
 * columns by priority, and the typed confirmation a revocation needs. Pure
 * (the ADMITTED column is local time, as `wgmesh member list` prints it). */
#ifndef WGM_TUI_MEMBERS_H
#define WGM_TUI_MEMBERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEMBERS_ROWS_MAX 4096
#define MEMBER_FPR_MAX 32 /* hex digits; the daemon sends 16 */

enum member_col { MCOL_ID, MCOL_FPR, MCOL_STATE, MCOL_ROLE, MCOL_BY, MCOL_WHEN, MCOL_COUNT };

struct member_row {
	int64_t id;
	char fingerprint[MEMBER_FPR_MAX + 1];
	bool revoked;        /* state "revoked"; else "member" */
	int64_t admitted_by; /* -1: not known (a revocation of an identity never seen) */
	int64_t admitted;    /* unix seconds; -1: not known */
	bool self;           /* this node's own identity */
	/* 1 admin, 0 not, -1 the reply does not say (the daemon marks only
	 * its own entry; a daemon may mark every entry). */
	int admin;
};

struct members {
	struct member_row *rows; /* owned; by ID, a current identity before revoked ones */
	size_t nrows;
};

void members_free(struct members *m);

/* Parses a member_list reply into *out (freed first on success only): a
 * bad field rejects the whole reply with its path in err and leaves *out
 * as it was. Returns 0 or -EINVAL. */
int members_parse(const json_t *reply, struct members *out, char *err, size_t errlen);

/* The row of identity (id, fingerprint), or -1. */
long members_find(const struct members *m, int64_t id, const char *fingerprint);

/* Whether this node is an admin: 1 yes, 0 no (its own entry does not say
 * admin), -1 not known (no entry marked as this node's). */
int members_self_admin(const struct members *m);

/* Why row cannot be revoked from this node ("" when it can); self_admin as
 * members_self_admin returns. */
void members_revoke_refusal(const struct member_row *row, int self_admin, char *why, size_t len);

/* The typed confirmation: exactly the row's node ID (blanks around it
 * allowed). Anything else is refused with the reason in why. */
bool members_confirm(const char *typed, int64_t id, char *why, size_t len);

/* Column widths for a table `total` columns wide. */
void members_fit(int total, int *widths);
/* One table line for row (NULL: the header) at the widths. */
void members_line(const struct member_row *row, const int *widths, char *line, size_t len);

#endif
