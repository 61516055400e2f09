/* JSON -> model structs. Every field the daemon sends is checked for type
 * and range; a message with a bad field is rejected whole, with the field's
 * path in err, so the console never shows half-parsed data. */
#include "tui/console/model.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/console/model_parse.h"

int model_json_err(char *err, size_t errlen, const char *where, const char *field, const char *why)
{
	if (err && errlen)
		snprintf(err, errlen, "%s%s%s: %s", where, *where && *field ? "." : "", field, why);
	return -EINVAL;
}

int model_json_str(const json_t *obj, const char *where, const char *key, bool required, char *out, size_t outlen,
		   char *err, size_t errlen)
{
	const json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v)) {
		out[0] = '\0';
		return required ? model_json_err(err, errlen, where, key, "missing") : 0;
	}
	if (!json_is_string(v))
		return model_json_err(err, errlen, where, key, "is not a string");
	const char *s = json_string_value(v);
	size_t l = json_string_length(v);
	if (l >= outlen || strlen(s) != l)
		return model_json_err(err, errlen, where, key, "too long or contains NUL");
	for (size_t i = 0; i < l; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return model_json_err(err, errlen, where, key, "contains control characters");
	}
	memcpy(out, s, l + 1);
	return 0;
}

int model_json_text(const json_t *obj, const char *where, const char *key, bool required, char *out, size_t outlen,
		    char *err, size_t errlen)
{
	const json_t *v = json_object_get(obj, key);
	out[0] = '\0';
	if (!v || json_is_null(v))
		return required ? model_json_err(err, errlen, where, key, "missing") : 0;
	if (!json_is_string(v))
		return model_json_err(err, errlen, where, key, "is not a string");
	const char *s = json_string_value(v);
	size_t l = strlen(s);
	if (l >= outlen) {
		l = outlen > 4 ? outlen - 4 : 0;
		while (l > 0 && ((unsigned char)s[l] & 0xC0) == 0x80)
			l--; /* not inside a UTF-8 character */
		memcpy(out, s, l);
		snprintf(out + l, outlen - l, "...");
		l = strlen(out);
	} else {
		memcpy(out, s, l + 1);
	}
	for (size_t i = 0; i < l; i++) {
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = ' ';
	}
	return 0;
}

int model_json_ids(const json_t *obj, const char *where, const char *key, int64_t *out, size_t max, size_t *n,
		   char *err, size_t errlen)
{
	const json_t *arr = json_object_get(obj, key), *v;
	size_t i;
	*n = 0;
	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) > MODEL_NODES_MAX)
		return model_json_err(err, errlen, where, key, "is not an array of node IDs");
	json_array_foreach (arr, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 65535)
			return model_json_err(err, errlen, where, key, "holds a value that is not a node ID");
		if (i < max)
			out[i] = (int64_t)json_integer_value(v);
	}
	*n = json_array_size(arr);
	return 0;
}

int model_json_int(const json_t *obj, const char *where, const char *key, bool required, int64_t min, int64_t max,
		   int64_t *out, char *err, size_t errlen)
{
	const json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return required ? model_json_err(err, errlen, where, key, "missing") : 0;
	if (json_is_real(v)) {
		double d = json_real_value(v);
		if (d != floor(d) || d < (double)min || d > (double)max)
			return model_json_err(err, errlen, where, key, "is not an integer in range");
		*out = (int64_t)d;
		return 0;
	}
	if (!json_is_integer(v))
		return model_json_err(err, errlen, where, key, "is not a number");
	json_int_t i = json_integer_value(v);
	if (i < min || i > max)
		return model_json_err(err, errlen, where, key, "is out of range");
	*out = (int64_t)i;
	return 0;
}

int model_json_num(const json_t *obj, const char *where, const char *key, double min, double max, double *out,
		   char *err, size_t errlen)
{
	const json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v)) {
		*out = NAN;
		return 0;
	}
	if (!json_is_number(v))
		return model_json_err(err, errlen, where, key, "is not a number");
	double d = json_number_value(v);
	if (!isfinite(d) || d < min || d > max)
		return model_json_err(err, errlen, where, key, "is out of range");
	*out = d;
	return 0;
}

int jbool(const json_t *obj, const char *where, const char *key, bool *out, char *err, size_t errlen)
{
	const json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v)) {
		*out = false;
		return 0;
	}
	if (!json_is_boolean(v))
		return model_json_err(err, errlen, where, key, "is not true/false");
	*out = json_is_true(v);
	return 0;
}

/* Samples: numbers in ms or null for a lost probe; keeps the newest `max`. */
int jsamples(const json_t *obj, const char *where, const char *key, double *out, size_t max, size_t *n, char *err,
	     size_t errlen)
{
	const json_t *arr = json_object_get(obj, key);
	*n = 0;
	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return model_json_err(err, errlen, where, key, "is not an array");
	size_t total = json_array_size(arr), skip = total > max ? total - max : 0;
	for (size_t i = skip; i < total; i++) {
		const json_t *v = json_array_get(arr, i);
		if (json_is_null(v)) {
			out[(*n)++] = NAN;
			continue;
		}
		double d = json_is_number(v) ? json_number_value(v) : -1;
		if (!isfinite(d) || d < 0 || d > 3.6e6)
			return model_json_err(err, errlen, where, key,
					      "holds a value that is not an RTT in ms or null");
		out[(*n)++] = d;
	}
	return 0;
}

int model_link_state_parse(const json_t *obj, const char *where, enum wgm_ctl_link_state *out, char *err, size_t errlen)
{
	char state[16];
	int rc = model_json_str(obj, where, "state", true, state, sizeof(state), err, errlen);
	if (rc == 0 && wgm_ctl_link_state_from_name(state, out) < 0)
		rc = model_json_err(err, errlen, where, "state", "is not up, down, dead, creating, removing or failed");
	return rc;
}

static int link_parse_at(const json_t *obj, const char *where, struct model_link *l, char *err, size_t errlen)
{
	if (!json_is_object(obj))
		return model_json_err(err, errlen, where, "", "is not an object");
	memset(l, 0, sizeof(*l));
	l->cost = l->cost_measured = -1;
	int64_t override = -1;
	int rc = 0;
	rc = rc ? rc : model_json_str(obj, where, "name", true, l->name, sizeof(l->name), err, errlen);
	if (rc == 0 && l->name[0] == '\0')
		rc = model_json_err(err, errlen, where, "name", "is empty");
	rc = rc ? rc : model_link_state_parse(obj, where, &l->state, err, errlen);
	rc = rc ? rc : model_json_int(obj, where, "remote_id", false, 0, 65535, &l->remote_id, err, errlen);
	rc = rc ? rc : model_json_str(obj, where, "endpoint", false, l->endpoint, sizeof(l->endpoint), err, errlen);
	rc = rc ? rc : model_json_str(obj, where, "transport", false, l->transport, sizeof(l->transport), err, errlen);
	rc = rc ? rc : model_json_str(obj, where, "link_type", false, l->link_type, sizeof(l->link_type), err, errlen);
	rc = rc ? rc : model_json_str(obj, where, "role", false, l->role, sizeof(l->role), err, errlen);
	rc = rc ? rc
		: model_json_str(obj, where, "local_addr", false, l->local_addr, sizeof(l->local_addr), err, errlen);
	rc = rc ? rc
		: model_json_str(obj, where, "remote_addr", false, l->remote_addr, sizeof(l->remote_addr), err, errlen);
	rc = rc ? rc : model_json_int(obj, where, "port", false, 0, 65535, &l->port, err, errlen);
	rc = rc ? rc : model_json_num(obj, where, "rtt_ms", 0, 3.6e6, &l->rtt_ms, err, errlen);
	rc = rc ? rc : model_json_num(obj, where, "rtt_min_ms", 0, 3.6e6, &l->rtt_min_ms, err, errlen);
	rc = rc ? rc : model_json_num(obj, where, "rtt_max_ms", 0, 3.6e6, &l->rtt_max_ms, err, errlen);
	rc = rc ? rc : model_json_num(obj, where, "loss_pct", 0, 100, &l->loss_pct, err, errlen);
	rc = rc ? rc : model_json_num(obj, where, "jitter_ms", 0, 3.6e6, &l->jitter_ms, err, errlen);
	rc = rc ? rc : model_json_int(obj, where, "cost", false, 0, 65535, &l->cost, err, errlen);
	rc = rc ? rc : model_json_int(obj, where, "cost_measured", false, 0, 65535, &l->cost_measured, err, errlen);
	rc = rc ? rc : model_json_int(obj, where, "override", false, 0, 65535, &override, err, errlen);
	rc = rc ? rc : jbool(obj, where, "drained", &l->drained, err, errlen);
	rc = rc ? rc : model_json_num(obj, where, "rx_bytes", 0, 1e19, &l->rx_bytes, err, errlen);
	rc = rc ? rc : model_json_num(obj, where, "tx_bytes", 0, 1e19, &l->tx_bytes, err, errlen);
	rc = rc ? rc : model_json_num(obj, where, "rx_rate", 0, 1e15, &l->rx_rate, err, errlen);
	rc = rc ? rc : model_json_num(obj, where, "tx_rate", 0, 1e15, &l->tx_rate, err, errlen);
	rc = rc ? rc
		: model_json_int(obj, where, "last_handshake", false, 0, INT64_MAX / 2, &l->last_handshake, err,
				 errlen);
	rc = rc ? rc
		: jsamples(obj, where, "rtt_recent", l->rtt_recent, MODEL_RECENT_MAX, &l->rtt_recent_n, err, errlen);
	/* Fields of newer daemons; absent ones leave "not sent". */
	l->has_rtt_last = json_object_get(obj, "rtt_last_ms") != NULL;
	rc = rc ? rc : model_json_num(obj, where, "rtt_last_ms", 0, 3.6e6, &l->rtt_last_ms, err, errlen);
	rc = rc ? rc : model_json_num(obj, where, "loss_window_pct", 0, 100, &l->loss_window_pct, err, errlen);
	rc = rc ? rc : model_json_num(obj, where, "loss_minute_pct", 0, 100, &l->loss_minute_pct, err, errlen);
	rc = rc ? rc
		: model_json_int(obj, where, "loss_window_probes", false, 0, 1000000, &l->loss_window_probes, err,
				 errlen);
	rc = rc ? rc
		: model_json_text(obj, where, "cost_reason", false, l->cost_reason, sizeof(l->cost_reason), err,
				  errlen);
	rc = rc ? rc
		: model_json_text(obj, where, "cost_detail", false, l->cost_detail, sizeof(l->cost_detail), err,
				  errlen);
	rc = rc ? rc
		: model_json_int(obj, where, "penalty_until", false, 0, INT64_MAX / 2, &l->penalty_until, err, errlen);
	l->has_ospf = json_object_get(obj, "ospf") != NULL;
	rc = rc ? rc : model_json_str(obj, where, "ospf", false, l->ospf, sizeof(l->ospf), err, errlen);
	l->has_carries = json_object_get(obj, "carries") != NULL && !json_is_null(json_object_get(obj, "carries"));
	rc = rc ? rc : model_json_ids(obj, where, "carries", l->carries, MODEL_IDS_MAX, &l->ncarries, err, errlen);
	if (rc)
		return rc;
	l->has_override = override >= 0;
	l->override = l->has_override ? override : 0;
	return 0;
}

int model_link_parse(const json_t *obj, struct model_link *out, char *err, size_t errlen)
{
	return link_parse_at(obj, "link", out, err, errlen);
}

int model_link_parse_at(const json_t *obj, const char *where, struct model_link *out, char *err, size_t errlen)
{
	return link_parse_at(obj, where, out, err, errlen);
}

/* Parses an array of LINK objects under `key` of obj into a new array the
 * caller frees. */
int model_links_parse(const json_t *obj, const char *what, struct model_link **out, size_t *n, char *err, size_t errlen)
{
	const json_t *arr = json_object_get(obj, "links");
	*out = NULL;
	*n = 0;
	if (!json_is_array(arr))
		return model_json_err(err, errlen, what, "links", "missing or not an array");
	size_t count = json_array_size(arr);
	if (count > MODEL_LINKS_MAX)
		return model_json_err(err, errlen, what, "links", "has too many entries");
	if (count == 0)
		return 0;
	struct model_link *links = calloc(count, sizeof(*links));
	if (!links)
		return -ENOMEM;
	for (size_t i = 0; i < count; i++) {
		char where[48];
		snprintf(where, sizeof(where), "%s.links[%zu]", what, i);
		int rc = link_parse_at(json_array_get(arr, i), where, &links[i], err, errlen);
		if (rc) {
			free(links);
			return rc;
		}
	}
	*out = links;
	*n = count;
	return 0;
}

int model_node_parse(const json_t *obj, const char *where, struct model_node *nd, char *err, size_t errlen)
{
	if (!json_is_object(obj))
		return model_json_err(err, errlen, where, "", "is not an object");
	memset(nd, 0, sizeof(*nd));
	int rc = 0;
	rc = rc ? rc : model_json_int(obj, where, "id", true, 0, 65535, &nd->id, err, errlen);
	rc = rc ? rc
		: model_json_str(obj, where, "loopback4", false, nd->loopback4, sizeof(nd->loopback4), err, errlen);
	rc = rc ? rc
		: model_json_str(obj, where, "loopback6", false, nd->loopback6, sizeof(nd->loopback6), err, errlen);
	rc = rc ? rc : model_json_str(obj, where, "next_hop", false, nd->next_hop, sizeof(nd->next_hop), err, errlen);
	rc = rc ? rc : model_json_str(obj, where, "via", false, nd->via, sizeof(nd->via), err, errlen);
	rc = rc ? rc : model_json_int(obj, where, "metric", false, 0, INT32_MAX, &nd->metric, err, errlen);
	rc = rc ? rc : jbool(obj, where, "direct", &nd->direct, err, errlen);
	rc = rc ? rc : jbool(obj, where, "self", &nd->self, err, errlen);
	nd->next_hop_id = -1;
	rc = rc ? rc : model_json_int(obj, where, "next_hop_id", false, 0, 65535, &nd->next_hop_id, err, errlen);
	rc = rc ? rc : model_json_ids(obj, where, "path", nd->path, MODEL_IDS_MAX, &nd->npath, err, errlen);
	rc = rc ? rc
		: model_json_str(obj, where, "route_state", false, nd->route_state, sizeof(nd->route_state), err,
				 errlen);
	if (nd->npath > MODEL_IDS_MAX)
		nd->npath = MODEL_IDS_MAX;
	return rc;
}

int model_status_parse(const json_t *obj, const char *where, struct model_status *st, char *err, size_t errlen)
{
	if (!json_is_object(obj))
		return model_json_err(err, errlen, where, "", "is not an object");
	memset(st, 0, sizeof(*st));
	int rc = 0;
	rc = rc ? rc : model_json_int(obj, where, "id", true, -1, 65535, &st->id, err, errlen);
	rc = rc ? rc
		: model_json_str(obj, where, "loopback4", false, st->loopback4, sizeof(st->loopback4), err, errlen);
	rc = rc ? rc
		: model_json_str(obj, where, "loopback6", false, st->loopback6, sizeof(st->loopback6), err, errlen);
	rc = rc ? rc : model_json_str(obj, where, "version", false, st->version, sizeof(st->version), err, errlen);
	rc = rc ? rc : model_json_int(obj, where, "uptime", false, 0, INT64_MAX / 2, &st->uptime, err, errlen);
	rc = rc ? rc : model_json_str(obj, where, "bird", false, st->bird, sizeof(st->bird), err, errlen);
	rc = rc ? rc : model_json_int(obj, where, "links_up", false, 0, MODEL_LINKS_MAX, &st->links_up, err, errlen);
	rc = rc ? rc
		: model_json_int(obj, where, "links_total", false, 0, MODEL_LINKS_MAX, &st->links_total, err, errlen);
	rc = rc ? rc : model_json_int(obj, where, "nodes", false, 0, 65536, &st->nodes, err, errlen);
	rc = rc ? rc : model_json_str(obj, where, "mesh", false, st->mesh, sizeof(st->mesh), err, errlen);
	st->known = rc == 0;
	return rc;
}
