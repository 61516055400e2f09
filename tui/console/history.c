#include "tui/console/history.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tui/console/model_parse.h"

void link_history_free(struct link_history *h)
{
	free(h->rtt_ms);
	free(h->costs);
	memset(h, 0, sizeof(*h));
}

static int parse_costs(const json_t *reply, struct link_history *h, char *err, size_t errlen)
{
	const json_t *arr = json_object_get(reply, "cost");
	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return model_json_err(err, errlen, "link_history", "cost", "is not an array");
	size_t n = json_array_size(arr), skip = n > HISTORY_COSTS_MAX ? n - HISTORY_COSTS_MAX : 0;
	if (n == 0)
		return 0;
	h->costs = calloc(n - skip, sizeof(*h->costs));
	if (!h->costs)
		return -ENOMEM;
	for (size_t i = skip; i < n; i++) {
		const json_t *pt = json_array_get(arr, i);
		const json_t *ts = json_array_get(pt, 0), *cost = json_array_get(pt, 1);
		if (!json_is_array(pt) || json_array_size(pt) != 2 || !json_is_number(ts) || !json_is_integer(cost) ||
		    json_number_value(ts) < 0 || json_integer_value(cost) < 0 || json_integer_value(cost) > 65535)
			return model_json_err(err, errlen, "link_history", "cost",
					      "holds an entry that is not [unix_ts, 0-65535]");
		h->costs[h->ncosts++] = (struct cost_point){ json_number_value(ts), json_integer_value(cost) };
	}
	return 0;
}

int link_history_parse(const json_t *reply, struct link_history *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (!json_is_object(reply))
		return model_json_err(err, errlen, "link_history", "", "is not an object");
	int rc = model_json_str(reply, "link_history", "name", true, out->name, sizeof(out->name), err, errlen);
	out->interval_ms = 1000;
	rc = rc ? rc
		: model_json_int(reply, "link_history", "interval_ms", false, 1, 3600000, &out->interval_ms, err,
				 errlen);
	if (rc == 0) {
		const json_t *arr = json_object_get(reply, "rtt_ms");
		size_t n = json_is_array(arr) ? json_array_size(arr) : 0;
		if (n > HISTORY_SAMPLES_MAX)
			n = HISTORY_SAMPLES_MAX;
		out->rtt_ms = calloc(n ? n : 1, sizeof(*out->rtt_ms));
		if (!out->rtt_ms)
			rc = -ENOMEM;
		else
			rc = jsamples(reply, "link_history", "rtt_ms", out->rtt_ms, HISTORY_SAMPLES_MAX, &out->nrtt,
				      err, errlen);
	}
	rc = rc ? rc : parse_costs(reply, out, err, errlen);
	if (rc)
		link_history_free(out);
	return rc;
}
