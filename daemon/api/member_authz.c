/* Member calls authorised against the links they touch (member_authz.h). */
#include "daemon/api/member_authz.h"

#include <sodium.h>
#include <stdio.h>

bool member_authz_is_remote(const struct link_record *rec, const uint8_t caller_pk[LINK_KEY_LEN])
{
	return rec && rec->has_remote_api_pk && sodium_memcmp(rec->remote_api_pk, caller_pk, LINK_KEY_LEN) == 0;
}

int member_authz_link(const struct link_record *rec, const uint8_t caller_pk[LINK_KEY_LEN], char *err, size_t errlen)
{
	if (member_authz_is_remote(rec, caller_pk))
		return 0;
	if (!rec->has_remote_api_pk)
		snprintf(err, errlen, "link %s has no recorded API key for node %u, so no member may change it",
			 rec->name, rec->remote_id);
	else
		snprintf(err, errlen, "link %s belongs to node %u; the caller is not that node (its API key differs)",
			 rec->name, rec->remote_id);
	return 403;
}

int member_authz_claimed_id(unsigned claimed_id, const struct link_record *const *recs, size_t n,
			    const uint8_t caller_pk[LINK_KEY_LEN], char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		if (!recs[i] || recs[i]->remote_id != claimed_id || !recs[i]->has_remote_api_pk)
			continue;
		if (!member_authz_is_remote(recs[i], caller_pk)) {
			snprintf(err, errlen, "caller_id: node %u is known here (link %s) with another API key",
				 claimed_id, recs[i]->name);
			return 403;
		}
	}
	return 0;
}
