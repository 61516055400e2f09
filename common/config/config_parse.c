/* The config file's JSON into struct wgm_config: every key read by its
 * table row, then the whole checked (ranges, lists, the address plan). */
#include "common/config/config_table.h"

#include "common/util/err.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config/addrplan.h"
#include "common/util/hostport.h"

/* ---- validation ---- */

int wgm_config_check_string_value(const struct wgm_key_desc *k, const char *v, char *err, size_t errlen)
{
	char path[64];

	if (k->check && !k->check(v)) {
		wgm_config_key_path(k, path, sizeof(path));
		snprintf(err, errlen, "%s: '%s' is not %s", path, v, k->expect);
		return -EINVAL;
	}
	return 0;
}

static int validate_key(const struct wgm_config *cfg, const struct wgm_key_desc *k, char *err, size_t errlen)
{
	char path[64];

	wgm_config_key_path(k, path, sizeof(path));
	switch (k->kind) {
	case WGM_KIND_U16:
	case WGM_KIND_UINT:
	case WGM_KIND_U32: {
		unsigned long v = get_number(cfg, k);
		if (v < k->min || v > k->max) {
			snprintf(err, errlen, "%s: %lu is out of range (%lu-%lu)", path, v, k->min, k->max);
			return -EINVAL;
		}
		return 0;
	}
	case WGM_KIND_OPMODE: {
		unsigned long v = get_number(cfg, k);
		if (v == 1) {
			/* The original documents only 0 and 2; there is no mode 1 to keep. */
			snprintf(err, errlen, "%s: 1 is not supported: use %s", path, k->expect);
			return -EINVAL;
		}
		if (v != WGM_OPMODE_LATENCY && v != WGM_OPMODE_BANDWIDTH) {
			snprintf(err, errlen, "%s: %lu is not %s", path, v, k->expect);
			return -EINVAL;
		}
		return 0;
	}
	case WGM_KIND_STRING:
	case WGM_KIND_NULLABLE_STRING: {
		const char *v = cfield(cfg, k);
		if (k->kind == WGM_KIND_NULLABLE_STRING && v[0] == '\0')
			return 0;
		return wgm_config_check_string_value(k, v, err, errlen);
	}
	case WGM_KIND_STRING_LIST: {
		size_t n = clist_count(cfg, k);
		if (n > k->max_items) {
			snprintf(err, errlen, "%s: more than %zu entries", path, k->max_items);
			return -EINVAL;
		}
		for (size_t i = 0; i < n; i++) {
			const char *item = clist_item(cfg, k, i);
			int ret = wgm_config_check_string_value(k, item, err, errlen);
			if (ret < 0)
				return ret;
			for (size_t j = 0; j < i; j++) {
				if (strcmp(item, clist_item(cfg, k, j)) == 0) {
					snprintf(err, errlen, "%s: '%s' is listed twice", path, item);
					return -EINVAL;
				}
			}
		}
		return 0;
	}
	case WGM_KIND_LISTEN:
		if (cfg->listen != WGM_LISTEN_LOCAL && cfg->listen != WGM_LISTEN_PUBLIC) {
			snprintf(err, errlen, "%s: not %s", path, k->expect);
			return -EINVAL;
		}
		return 0;
	case WGM_KIND_BACKEND:
		if (!wgm_config_backend_known(cfg->backend)) {
			snprintf(err, errlen, "%s: not %s", path, k->expect);
			return -EINVAL;
		}
		return 0;
	case WGM_KIND_BOOL:
		return 0;
	}
	return 0;
}

int wgm_config_validate(const struct wgm_config *cfg, char *err, size_t errlen)
{
	struct wgm_addrplan plan;
	bool has_default_type = false;
	int ret;

	if (cfg->version != WGM_CONFIG_VERSION) {
		snprintf(err, errlen, "version: %u is not %d", cfg->version, WGM_CONFIG_VERSION);
		return -EINVAL;
	}
	for (size_t i = 0; i < wgm_config_nkeys; i++) {
		ret = validate_key(cfg, &wgm_config_keys[i], err, errlen);
		if (ret < 0)
			return ret;
	}
	if (strlen(cfg->socket) >= WGM_CONFIG_SOCKET_PATH_MAX ||
	    strlen(cfg->bird_socket) >= WGM_CONFIG_SOCKET_PATH_MAX) {
		snprintf(err, errlen, "socket: longer than %d bytes", WGM_CONFIG_SOCKET_PATH_MAX - 1);
		return -EINVAL;
	}
	if (cfg->link_types_count == 0) {
		snprintf(err, errlen, "linkTypes: empty; at least one link type is needed");
		return -EINVAL;
	}
	for (size_t i = 0; i < cfg->link_types_count; i++)
		has_default_type |= strcmp(cfg->link_types[i], cfg->default_link_type) == 0;
	if (!has_default_type) {
		snprintf(err, errlen, "defaultLinkType: '%s' is not in linkTypes (enable it first)",
			 cfg->default_link_type);
		return -EINVAL;
	}
	if (cfg->bird.min_reload_interval > cfg->bird.reload_interval) {
		snprintf(err, errlen, "bird.minReloadInterval: %u is longer than bird.reloadInterval %u",
			 cfg->bird.min_reload_interval, cfg->bird.reload_interval);
		return -EINVAL;
	}
	if (cfg->handshake_timeout_s && cfg->handshake_timeout_s < WGM_HANDSHAKE_TIMEOUT_MIN) {
		snprintf(err, errlen,
			 "handshakeTimeout: %u is too short for a joining node to bring its end up "
			 "(0 = never, or %d-604800 seconds)",
			 cfg->handshake_timeout_s, WGM_HANDSHAKE_TIMEOUT_MIN);
		return -EINVAL;
	}
	if (cfg->metrics_listen[0]) {
		struct wgm_hostport hp;
		/* The node API listens on every address (public) or 10.0.ID.1
		 * (local) of listenPort: the metrics stay off every address of it. */
		if (wgm_hostport_parse(cfg->metrics_listen, &hp, err, errlen) < 0)
			return -EINVAL;
		if (hp.port == cfg->listen_port) {
			snprintf(err, errlen, "metricsListen: port %u is the node API's (listenPort); choose another",
				 hp.port);
			return -EINVAL;
		}
	}
	ret = wgm_addrplan_init(&plan, cfg->subnet, cfg->subnet_link_local, cfg->subnet_vxlan, cfg->subnet_peer,
				cfg->prefix, cfg->vxlan_offset, err, errlen);
	if (ret < 0)
		return ret;
	return wgm_addrplan_check_id(&plan, cfg->id, err, errlen);
}

/* ---- JSON in ---- */

int wgm_config_copy_string(const struct wgm_key_desc *k, char *dst, const char *src, char *err, size_t errlen)
{
	char path[64];

	if (strlen(src) >= k->size) {
		wgm_config_key_path(k, path, sizeof(path));
		snprintf(err, errlen, "%s: longer than %zu bytes", path, k->size - 1);
		return -EINVAL;
	}
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

static int read_key(const struct wgm_key_desc *k, const json_t *value, struct wgm_config *cfg, char *err, size_t errlen)
{
	char path[64];

	wgm_config_key_path(k, path, sizeof(path));
	switch (k->kind) {
	case WGM_KIND_BOOL:
		if (!json_is_boolean(value)) {
			snprintf(err, errlen, "%s: must be true or false", path);
			return -EINVAL;
		}
		*(bool *)field(cfg, k) = json_is_true(value);
		return 0;
	case WGM_KIND_U16:
	case WGM_KIND_UINT:
	case WGM_KIND_U32:
	case WGM_KIND_OPMODE: {
		if (!json_is_integer(value)) {
			snprintf(err, errlen, "%s: must be a whole number", path);
			return -EINVAL;
		}
		json_int_t v = json_integer_value(value);
		if (v < (json_int_t)k->min || v > (json_int_t)k->max) {
			snprintf(err, errlen, "%s: %lld is out of range (%lu-%lu)", path, (long long)v, k->min, k->max);
			return -EINVAL;
		}
		set_number(cfg, k, (unsigned long)v);
		return 0;
	}
	case WGM_KIND_NULLABLE_STRING:
		if (json_is_null(value)) {
			*(char *)field(cfg, k) = '\0';
			return 0;
		}
		/* fall through */
	case WGM_KIND_STRING:
		if (!json_is_string(value)) {
			snprintf(err, errlen, "%s: must be a string (%s)", path, k->expect);
			return -EINVAL;
		}
		return wgm_config_copy_string(k, field(cfg, k), json_string_value(value), err, errlen);
	case WGM_KIND_LISTEN:
		if (!json_is_string(value) || wgm_config_listen_from_name(json_string_value(value), &cfg->listen) < 0) {
			snprintf(err, errlen, "%s: must be %s", path, k->expect);
			return -EINVAL;
		}
		return 0;
	case WGM_KIND_BACKEND:
		if (!json_is_string(value) || wgm_backend_from_name(json_string_value(value), &cfg->backend) < 0) {
			snprintf(err, errlen, "%s: must be %s", path, k->expect);
			return -EINVAL;
		}
		return 0;
	case WGM_KIND_STRING_LIST: {
		size_t i;
		json_t *item;
		if (!json_is_array(value)) {
			snprintf(err, errlen, "%s: must be a list of strings (%s)", path, k->expect);
			return -EINVAL;
		}
		if (json_array_size(value) > k->max_items) {
			snprintf(err, errlen, "%s: more than %zu entries", path, k->max_items);
			return -EINVAL;
		}
		json_array_foreach (value, i, item) {
			if (!json_is_string(item)) {
				snprintf(err, errlen, "%s[%zu]: must be a string (%s)", path, i, k->expect);
				return -EINVAL;
			}
			int ret = wgm_config_copy_string(k, list_item(cfg, k, i), json_string_value(item), err, errlen);
			if (ret < 0)
				return ret;
		}
		*list_count(cfg, k) = json_array_size(value);
		return 0;
	}
	}
	return -EINVAL;
}

static int read_object(const json_t *obj, const char *section, struct wgm_config *cfg, char *err, size_t errlen)
{
	const char *name;
	json_t *value;

	json_object_foreach ((json_t *)obj, name, value) {
		if (!section && strcmp(name, "version") == 0) {
			if (!json_is_integer(value) || json_integer_value(value) != WGM_CONFIG_VERSION) {
				snprintf(err, errlen, "version: must be %d (run wgmesh migrate)", WGM_CONFIG_VERSION);
				return -EINVAL;
			}
			continue;
		}
		if (!section && wgm_config_is_section(name)) {
			if (!json_is_object(value)) {
				snprintf(err, errlen, "%s: must be an object", name);
				return -EINVAL;
			}
			int ret = read_object(value, name, cfg, err, errlen);
			if (ret < 0)
				return ret;
			continue;
		}
		const struct wgm_key_desc *k = wgm_config_find_key(section, name);
		if (!k) {
			if (section)
				snprintf(err, errlen, "%s.%s: unknown key", section, name);
			else
				snprintf(err, errlen, "%s: unknown key", name);
			return -EINVAL;
		}
		int ret = read_key(k, value, cfg, err, errlen);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int wgm_config_from_json(const json_t *json, struct wgm_config *cfg, char *err, size_t errlen)
{
	struct wgm_config *tmp;
	int ret;

	if (!json_is_object(json)) {
		snprintf(err, errlen, "config: must be a JSON object");
		return -EINVAL;
	}
	/* The struct is large (URLs, paths); keep it off small thread stacks. */
	tmp = malloc(sizeof(*tmp));
	if (!tmp) {
		snprintf(err, errlen, "config: out of memory");
		return -ENOMEM;
	}
	wgm_config_defaults(tmp);
	ret = read_object(json, NULL, tmp, err, errlen);
	if (ret < 0)
		goto out;
	ret = wgm_config_validate(tmp, err, errlen);
	if (ret < 0)
		goto out;
	*cfg = *tmp;
out:
	free(tmp);
	return ret;
}
