#include "daemon/core/counters.h"

#include "common/util/err.h"

static const char *const join_refusal_names[] = {
	[COUNTERS_JOIN_TOKEN] = "token",       [COUNTERS_JOIN_INVALID] = "invalid",
	[COUNTERS_JOIN_CONFLICT] = "conflict", [COUNTERS_JOIN_ID_TAKEN] = "id_taken",
	[COUNTERS_JOIN_ERROR] = "error",
};

const char *counters_join_refusal_name(enum counters_join_refusal reason)
{
	return (unsigned)reason < WGM_ARRAY_LEN(join_refusal_names) ? join_refusal_names[reason] : "error";
}

enum counters_join_refusal counters_join_refusal_of_status(unsigned status)
{
	if (status == 401 || status == 403)
		return COUNTERS_JOIN_TOKEN;
	if (status == 412)
		return COUNTERS_JOIN_CONFLICT;
	if (status == 416)
		return COUNTERS_JOIN_ID_TAKEN;
	if (status >= 400 && status < 500)
		return COUNTERS_JOIN_INVALID;
	return COUNTERS_JOIN_ERROR;
}

void counters_probe_round(struct counters *c)
{
	if (c)
		c->probe_rounds++;
}

void counters_reroutes(struct counters *c, unsigned n)
{
	if (c)
		c->reroutes += n;
}

void counters_join_accepted(struct counters *c)
{
	if (c)
		c->joins_accepted++;
}

void counters_join_refused(struct counters *c, unsigned status)
{
	if (c)
		c->joins_refused[counters_join_refusal_of_status(status)]++;
}

void counters_api_request(struct counters *c, unsigned status)
{
	if (!c)
		return;
	if (status >= COUNTERS_STATUS_MIN && status <= COUNTERS_STATUS_MAX)
		c->api_requests[status - COUNTERS_STATUS_MIN]++;
	else
		c->api_requests_other++;
}
