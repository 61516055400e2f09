/* Event counters for the metrics (docs/metrics.md): incremented where the
 * events happen (the node API, the prober, the route reader) and read by the
 * metrics renderer. Plain numbers owned by the node; every function takes a
 * NULL counters and does nothing, so parts work without them (unit tests).
 * Lives in core so that every layer may count without including upwards. */
#ifndef WGM_DAEMON_COUNTERS_H
#define WGM_DAEMON_COUNTERS_H

#include <stdint.h>

/* Why a token join was refused, from the HTTP status it was answered with. */
enum counters_join_refusal {
	COUNTERS_JOIN_TOKEN,    /* 401/403: unknown, used, expired or revoked token */
	COUNTERS_JOIN_INVALID,  /* 400 and other 4xx: a malformed or unacceptable request */
	COUNTERS_JOIN_CONFLICT, /* 412: a link to that node exists or is being changed */
	COUNTERS_JOIN_ID_TAKEN, /* 416: the joiner's ID is routed in the mesh already */
	COUNTERS_JOIN_ERROR,    /* 5xx: this node could not make the link */
	COUNTERS_JOIN_REFUSALS,
};

/* HTTP statuses 100-599 are counted one by one. */
#define COUNTERS_STATUS_MIN 100
#define COUNTERS_STATUS_MAX 599

struct counters {
	uint64_t probe_rounds;
	uint64_t reroutes;
	uint64_t joins_accepted;
	uint64_t joins_refused[COUNTERS_JOIN_REFUSALS];
	uint64_t api_requests[COUNTERS_STATUS_MAX - COUNTERS_STATUS_MIN + 1];
	uint64_t api_requests_other; /* a status outside 100-599 (never from our server) */
};

const char *counters_join_refusal_name(enum counters_join_refusal reason);
enum counters_join_refusal counters_join_refusal_of_status(unsigned status);

void counters_probe_round(struct counters *c);
void counters_reroutes(struct counters *c, unsigned n);
void counters_join_accepted(struct counters *c);
void counters_join_refused(struct counters *c, unsigned status);
void counters_api_request(struct counters *c, unsigned status);

#endif
