/* The config: defaults, writing it out, loading and saving the file, and
 * the operator's edits (set, enable, disable). The key table is in
 * config_table.c, reading in config_parse.c, old layouts in
 * config_migrate.c. */
#include "common/config/config_table.h"

#include "common/util/err.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config/statefile.h"

/* ---- defaults ---- */

void wgm_config_defaults(struct wgm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->version = WGM_CONFIG_VERSION;
	cfg->id = 0;
	cfg->listen = WGM_LISTEN_LOCAL;
	cfg->listen_port = 8080;
	cfg->base_port = 51820;
	cfg->operation_mode = WGM_OPMODE_LATENCY;
	cfg->bandwidth_interval_s = 3600;
	cfg->bandwidth_duration_s = 5;
	cfg->bandwidth_port = 5201;
	cfg->vxlan_offset = 0;
	snprintf(cfg->subnet, sizeof(cfg->subnet), "10.0.0.0/16");
	snprintf(cfg->subnet_peer, sizeof(cfg->subnet_peer), "172.31.0.0/16");
	cfg->local_as = WGM_CONFIG_LOCAL_AS_DEFAULT;
	snprintf(cfg->subnet_vxlan, sizeof(cfg->subnet_vxlan), "10.0.251.0/24");
	snprintf(cfg->subnet_link_local, sizeof(cfg->subnet_link_local), "fe82:");
	snprintf(cfg->prefix, sizeof(cfg->prefix), "pipe");
	snprintf(cfg->link_types[0], sizeof(cfg->link_types[0]), "default");
	cfg->link_types_count = 1;
	snprintf(cfg->default_link_type, sizeof(cfg->default_link_type), "default");
	cfg->amneziawg_version = WGM_AMNEZIAWG_VERSION_DEFAULT;
	cfg->xor_rotate_interval_s = WGM_XOR_ROTATE_INTERVAL_DEFAULT;
	cfg->bird.ospfv2 = true;
	cfg->bird.ospfv3 = true;
	cfg->bird.area = 0;
	cfg->bird.tick = 1;
	cfg->bird.client = false;
	snprintf(cfg->bird.loglevel, sizeof(cfg->bird.loglevel), "info");
	cfg->bird.reload_interval = 600;
	cfg->bird.reload_percentage = 15;
	cfg->bird.min_reload_interval = 5;
	cfg->bird.fast_repair = true;
	cfg->notifications.enabled = false;
	cfg->mesh = true;
	cfg->vxlan = true;
	cfg->probe_interval_ms = 1000;
	cfg->cost_event_window_s = 1800;
	cfg->jitter_threshold_ms = 5;
	cfg->hop_cost = 20;
	cfg->handshake_timeout_s = WGM_HANDSHAKE_TIMEOUT_DEFAULT;
	cfg->clean_after_s = 3600;
	cfg->repair_after_s = 300;
	cfg->repair_loss_pct = 50;
	cfg->repair_cooldown_s = 21600;
	snprintf(cfg->state_dir, sizeof(cfg->state_dir), "/var/lib/wgmesh");
	snprintf(cfg->socket, sizeof(cfg->socket), "/run/wgmesh/wgmeshd.sock");
	snprintf(cfg->bird_config, sizeof(cfg->bird_config), "/etc/bird/bird.conf");
	snprintf(cfg->bird_socket, sizeof(cfg->bird_socket), "/run/bird/bird.ctl");
	cfg->backend = WGM_BACKEND_AUTO;
	snprintf(cfg->wireguard_go, sizeof(cfg->wireguard_go), "wireguard-go");
	snprintf(cfg->hooks_dir, sizeof(cfg->hooks_dir), "/etc/wgmesh/hooks.d");
	cfg->hook_timeout_s = 10;
	snprintf(cfg->log_level, sizeof(cfg->log_level), "info");
}

/* ---- JSON out ---- */

json_t *wgm_config_key_to_json(const struct wgm_config *cfg, const struct wgm_key_desc *k)
{
	switch (k->kind) {
	case WGM_KIND_BOOL:
		return json_boolean(*(const bool *)cfield(cfg, k));
	case WGM_KIND_U16:
	case WGM_KIND_UINT:
	case WGM_KIND_U32:
	case WGM_KIND_OPMODE:
		return json_integer((json_int_t)get_number(cfg, k));
	case WGM_KIND_NULLABLE_STRING: {
		const char *v = cfield(cfg, k);
		return v[0] ? json_string(v) : json_null();
	}
	case WGM_KIND_STRING:
		return json_string(cfield(cfg, k));
	case WGM_KIND_LISTEN:
		return json_string(wgm_config_listen_name(cfg->listen));
	case WGM_KIND_BACKEND:
		return json_string(wgm_backend_name(cfg->backend));
	case WGM_KIND_STRING_LIST: {
		json_t *arr = json_array();
		for (size_t i = 0; arr && i < clist_count(cfg, k); i++) {
			if (json_array_append_new(arr, json_string(clist_item(cfg, k, i))) < 0) {
				json_decref(arr);
				return NULL;
			}
		}
		return arr;
	}
	}
	return NULL;
}

json_t *wgm_config_to_json(const struct wgm_config *cfg)
{
	json_t *root = json_object();

	if (!root || json_object_set_new(root, "version", json_integer(WGM_CONFIG_VERSION)) < 0)
		goto fail;
	for (size_t i = 0; i < wgm_config_nkeys; i++) {
		const struct wgm_key_desc *k = &wgm_config_keys[i];
		json_t *parent = root;
		if (k->section) {
			parent = json_object_get(root, k->section);
			if (!parent) {
				parent = json_object();
				if (json_object_set_new(root, k->section, parent) < 0)
					goto fail;
			}
		}
		json_t *value = wgm_config_key_to_json(cfg, k);
		if (!value || json_object_set_new(parent, k->name, value) < 0)
			goto fail;
	}
	return root;
fail:
	json_decref(root);
	return NULL;
}

/* ---- files ---- */

int wgm_config_load(const char *path, struct wgm_config *cfg, char *err, size_t errlen)
{
	json_t *json = NULL;
	char inner[512];
	int ret;

	ret = wgm_statefile_read_json(path, &json, err, errlen);
	if (ret < 0)
		return ret;
	ret = wgm_config_migrate(json, NULL, inner, sizeof(inner));
	if (ret == 0)
		ret = wgm_config_from_json(json, cfg, inner, sizeof(inner));
	if (ret < 0)
		snprintf(err, errlen, "%s: %s", path, inner);
	json_decref(json);
	return ret;
}

int wgm_config_save(const char *path, const struct wgm_config *cfg, char *err, size_t errlen)
{
	char inner[512];
	json_t *json;
	int ret;

	ret = wgm_config_validate(cfg, inner, sizeof(inner));
	if (ret < 0) {
		snprintf(err, errlen, "%s: %s", path, inner);
		return ret;
	}
	json = wgm_config_to_json(cfg);
	if (!json) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	/* Secret: the Gotify URLs carry app tokens. */
	ret = wgm_statefile_write_json(path, json, WGM_STATEFILE_MODE_SECRET, err, errlen);
	json_decref(json);
	return ret;
}

/* ---- operator edits ---- */

static int parse_number(const char *key, const char *value, unsigned long *out, char *err, size_t errlen)
{
	char *end;

	if (!isdigit((unsigned char)value[0]) || strlen(value) > 10) {
		snprintf(err, errlen, "%s: '%s' is not a whole number", key, value);
		return -EINVAL;
	}
	errno = 0;
	unsigned long long v = strtoull(value, &end, 10);
	if (errno || *end || v > 4294967295ull) {
		snprintf(err, errlen, "%s: '%s' is not a whole number", key, value);
		return -EINVAL;
	}
	*out = (unsigned long)v;
	return 0;
}

static int toggle_list_item(struct wgm_config *cfg, const struct wgm_key_desc *k, const char *value, char *err,
			    size_t errlen)
{
	size_t *count = list_count(cfg, k);

	for (size_t i = 0; i < *count; i++) {
		if (strcmp(list_item(cfg, k, i), value) != 0)
			continue;
		memmove(list_item(cfg, k, i), list_item(cfg, k, i + 1), (*count - i - 1) * k->size);
		(*count)--;
		return 0;
	}
	if (*count >= k->max_items) {
		snprintf(err, errlen, "%s: already %zu entries", k->name, k->max_items);
		return -EINVAL;
	}
	int ret = wgm_config_check_string_value(k, value, err, errlen);
	if (ret < 0)
		return ret;
	ret = wgm_config_copy_string(k, list_item(cfg, k, *count), value, err, errlen);
	if (ret < 0)
		return ret;
	(*count)++;
	return 0;
}

static int set_value(struct wgm_config *cfg, const struct wgm_key_desc *k, const char *value, char *err, size_t errlen)
{
	if (is_number_kind(k->kind)) {
		unsigned long v;
		int ret = parse_number(k->name, value, &v, err, errlen);
		if (ret < 0)
			return ret;
		if (v > k->max) {
			snprintf(err, errlen, "%s: %lu is out of range (%lu-%lu)", k->name, v, k->min, k->max);
			return -EINVAL;
		}
		set_number(cfg, k, v);
		return 0;
	}
	if (k->kind == WGM_KIND_STRING_LIST)
		return toggle_list_item(cfg, k, value, err, errlen);
	int ret = wgm_config_check_string_value(k, value, err, errlen);
	if (ret < 0)
		return ret;
	return wgm_config_copy_string(k, field(cfg, k), value, err, errlen);
}

int wgm_config_set(struct wgm_config *cfg, const char *key, const char *value, char *err, size_t errlen)
{
	const struct wgm_key_desc *k;
	struct wgm_config *tmp;
	int ret;

	if (!key || !(k = wgm_config_find_settable(key))) {
		char names[512];
		wgm_config_names(WGM_CONFIG_SET_KEYS, names, sizeof(names));
		snprintf(err, errlen, "%s: not a key that can be set (%s)", key ? key : "", names);
		return -ENOENT;
	}
	if (!value) {
		snprintf(err, errlen, "%s: a value is needed", key);
		return -EINVAL;
	}
	tmp = malloc(sizeof(*tmp));
	if (!tmp) {
		snprintf(err, errlen, "%s: out of memory", key);
		return -ENOMEM;
	}
	*tmp = *cfg;
	ret = set_value(tmp, k, value, err, errlen);
	if (ret == 0)
		ret = wgm_config_validate(tmp, err, errlen);
	if (ret == 0) {
		*cfg = *tmp;
		ret = k->live ? 0 : 1;
	}
	free(tmp);
	return ret;
}

static int set_link_type(struct wgm_config *cfg, const char *type, bool on, char *err, size_t errlen)
{
	for (size_t i = 0; i < cfg->link_types_count; i++) {
		if (strcmp(cfg->link_types[i], type) != 0)
			continue;
		if (on)
			return 0;
		if (strcmp(cfg->default_link_type, type) == 0) {
			snprintf(err, errlen, "%s: it is the defaultLinkType; set another one first", type);
			return -EINVAL;
		}
		memmove(cfg->link_types[i], cfg->link_types[i + 1],
			(cfg->link_types_count - i - 1) * sizeof(cfg->link_types[0]));
		cfg->link_types_count--;
		return 0;
	}
	if (!on)
		return 0;
	if (cfg->link_types_count >= WGM_CONFIG_MAX_LINK_TYPES) {
		snprintf(err, errlen, "%s: too many link types", type);
		return -EINVAL;
	}
	snprintf(cfg->link_types[cfg->link_types_count++], sizeof(cfg->link_types[0]), "%s", type);
	return 0;
}

int wgm_config_enable(struct wgm_config *cfg, const char *option, bool on, char *err, size_t errlen)
{
	const char *name = option ? option : "";
	const struct wgm_key_desc *k = wgm_config_find_option(name);
	int ret;

	if (k) {
		*(bool *)field(cfg, k) = on;
		return k->live ? 0 : 1;
	}
	/* Every link type but default is an option of the linkTypes list. */
	for (size_t i = 1; i < WGM_ARRAY_LEN(wgm_config_link_type_names); i++) {
		if (strcmp(name, wgm_config_link_type_names[i]) != 0)
			continue;
		ret = set_link_type(cfg, name, on, err, errlen);
		if (ret < 0)
			return ret;
		k = wgm_config_find_key(NULL, "linkTypes");
		return k && k->live ? 0 : 1;
	}
	char names[256];
	wgm_config_names(WGM_CONFIG_OPTIONS, names, sizeof(names));
	snprintf(err, errlen, "%s: not an option (%s)", name, names);
	return -ENOENT;
}
