/* The config key table: one row per key, the checks its values get, and
 * the lookups and listings (help, completion, the documentation check)
 * that read it. */
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
#include "common/util/log.h"
#include "common/util/prefix.h"

static bool check_cidr_v4(const char *v);
static bool check_cidr_any(const char *v);
static bool check_link_local(const char *v);
static bool check_prefix(const char *v);
static bool check_link_type(const char *v);
static bool check_ipv4(const char *v);
static bool check_ipv6(const char *v);
static bool check_url(const char *v);
static bool check_abs_path(const char *v);
static bool check_program(const char *v);
static bool check_log_level(const char *v);
static bool check_metrics_listen(const char *v);

#define OFF(field) offsetof(struct wgm_config, field)
#define SZ(field) sizeof(((struct wgm_config *)0)->field)

const struct wgm_key_desc wgm_config_keys[] = {
	{ NULL, "id", WGM_KIND_UINT, OFF(id), 0, 0, 0, 0, WGM_ADDRPLAN_MAX_ID, NULL, NULL, false, false, "core", NULL,
	  false },
	{ NULL, "listen", WGM_KIND_LISTEN, OFF(listen), 0, 0, 0, 0, 0, NULL, "local or public", false, false, "api",
	  NULL, false },
	{ NULL, "listenPort", WGM_KIND_U16, OFF(listen_port), 0, 0, 0, 1, 65535, NULL, NULL, false, false, "api", NULL,
	  false },
	{ NULL, "basePort", WGM_KIND_U16, OFF(base_port), 0, 0, 0, 0, 65535, NULL, NULL, true, true, "links", NULL,
	  false },
	{ NULL, "operationMode", WGM_KIND_OPMODE, OFF(operation_mode), 0, 0, 0, 0, 2, NULL,
	  "0 (latency) or 2 (bandwidth)", true, true, "quality", NULL, false },
	{ NULL, "bandwidthInterval", WGM_KIND_UINT, OFF(bandwidth_interval_s), 0, 0, 0, 10, 604800, NULL, NULL, true,
	  true, "quality", NULL, false },
	{ NULL, "bandwidthDuration", WGM_KIND_UINT, OFF(bandwidth_duration_s), 0, 0, 0, 1, 60, NULL, NULL, true, true,
	  "quality", NULL, false },
	{ NULL, "bandwidthPort", WGM_KIND_U16, OFF(bandwidth_port), 0, 0, 0, 1, 65535, NULL, NULL, true, true,
	  "quality", NULL, false },
	{ NULL, "vxlanOffset", WGM_KIND_UINT, OFF(vxlan_offset), 0, 0, 0, 0, 254, NULL, NULL, false, true, "routing",
	  NULL, false },
	{ NULL, "subnet", WGM_KIND_STRING, OFF(subnet), SZ(subnet), 0, 0, 0, 0, check_cidr_v4,
	  "an IPv4 network like 10.0.0.0/16", false, true, "core", NULL, false },
	{ NULL, "subnetPeer", WGM_KIND_STRING, OFF(subnet_peer), SZ(subnet_peer), 0, 0, 0, 0, check_cidr_v4,
	  "an IPv4 network like 172.31.0.0/16", false, false, "core", NULL, false },
	{ NULL, "subnetVXLAN", WGM_KIND_STRING, OFF(subnet_vxlan), SZ(subnet_vxlan), 0, 0, 0, 0, check_cidr_v4,
	  "an IPv4 network like 10.0.251.0/24", false, true, "routing", NULL, false },
	{ NULL, "subnetLinkLocal", WGM_KIND_STRING, OFF(subnet_link_local), SZ(subnet_link_local), 0, 0, 0, 0,
	  check_link_local, "one hex group and a colon, like fe82:", false, true, "core", NULL, false },
	{ NULL, "AllowedPeers", WGM_KIND_STRING_LIST, OFF(allowed_peers), SZ(allowed_peers[0]),
	  OFF(allowed_peers_count), WGM_CONFIG_MAX_ALLOWED_PEERS, 0, 0, check_cidr_any,
	  "a network like 192.0.2.0/24 or 2001:db8::/32", true, true, "routing", NULL, false },
	{ NULL, "localAS", WGM_KIND_U32, OFF(local_as), 0, 0, 0, 1, 4294967295ul, NULL, NULL, true, true, "routing",
	  NULL, false },
	{ NULL, "AllowedPrefixes", WGM_KIND_STRING_LIST, OFF(allowed_prefixes), SZ(allowed_prefixes[0]),
	  OFF(allowed_prefixes_count), WGM_CONFIG_MAX_ALLOWED_PREFIXES, 0, 0, check_cidr_any,
	  "a network like 198.51.100.0/24 or 2001:db8::/32", true, true, "routing", NULL, false },
	{ NULL, "prefix", WGM_KIND_STRING, OFF(prefix), SZ(prefix), 0, 0, 0, 0, check_prefix,
	  "1-6 letters or digits, starting with a letter, not ending with a digit", false, true, "links", NULL, false },
	{ NULL, "linkTypes", WGM_KIND_STRING_LIST, OFF(link_types), SZ(link_types[0]), OFF(link_types_count),
	  WGM_CONFIG_MAX_LINK_TYPES, 0, 0, check_link_type, "default, wgobfs, ipt_xor or amneziawg", true, false, "api",
	  NULL, false },
	{ NULL, "defaultLinkType", WGM_KIND_STRING, OFF(default_link_type), SZ(default_link_type), 0, 0, 0, 0,
	  check_link_type, "default, wgobfs, ipt_xor or amneziawg", true, true, "mesh", NULL, false },
	{ NULL, "amneziawgVersion", WGM_KIND_UINT, OFF(amneziawg_version), 0, 0, 0, 1, 2, NULL, NULL, true, true, "api",
	  NULL, false },
	{ NULL, "xorRotateInterval", WGM_KIND_UINT, OFF(xor_rotate_interval_s), 0, 0, 0, 0, 2592000, NULL, NULL, true,
	  true, "mesh", NULL, false },
	{ "connectivity", "ipv4", WGM_KIND_NULLABLE_STRING, OFF(connectivity_ipv4), SZ(connectivity_ipv4), 0, 0, 0, 0,
	  check_ipv4, "an IPv4 address or null", true, false, "api", NULL, false },
	{ "connectivity", "ipv6", WGM_KIND_NULLABLE_STRING, OFF(connectivity_ipv6), SZ(connectivity_ipv6), 0, 0, 0, 0,
	  check_ipv6, "an IPv6 address or null", true, false, "api", NULL, false },
	{ "bird", "ospfv2", WGM_KIND_BOOL, OFF(bird.ospfv2), 0, 0, 0, 0, 0, NULL, NULL, true, false, "routing",
	  "ospfv2", false },
	{ "bird", "ospfv3", WGM_KIND_BOOL, OFF(bird.ospfv3), 0, 0, 0, 0, 0, NULL, NULL, true, false, "routing",
	  "ospfv3", false },
	{ "bird", "area", WGM_KIND_U32, OFF(bird.area), 0, 0, 0, 0, 4294967295ul, NULL, NULL, true, true, "routing",
	  NULL, false },
	{ "bird", "tick", WGM_KIND_UINT, OFF(bird.tick), 0, 0, 0, 1, 255, NULL, NULL, true, true, "routing", NULL,
	  false },
	{ "bird", "client", WGM_KIND_BOOL, OFF(bird.client), 0, 0, 0, 0, 0, NULL, NULL, true, false, "routing",
	  "client", false },
	{ "bird", "loglevel", WGM_KIND_STRING, OFF(bird.loglevel), SZ(bird.loglevel), 0, 0, 0, 0,
	  wgm_config_check_bird_loglevel, "err, warning, info or debug", true, false, "routing", NULL, false },
	{ "bird", "reloadInterval", WGM_KIND_UINT, OFF(bird.reload_interval), 0, 0, 0, 1, 86400, NULL, NULL, true, true,
	  "quality", NULL, false },
	{ "bird", "reloadPercentage", WGM_KIND_UINT, OFF(bird.reload_percentage), 0, 0, 0, 0, 100, NULL, NULL, true,
	  true, "quality", NULL, false },
	{ "bird", "minReloadInterval", WGM_KIND_UINT, OFF(bird.min_reload_interval), 0, 0, 0, 1, 3600, NULL, NULL, true,
	  true, "quality", NULL, false },
	{ "bird", "fastRepair", WGM_KIND_BOOL, OFF(bird.fast_repair), 0, 0, 0, 0, 0, NULL, NULL, true, false, "routing",
	  "fastRepair", false },
	{ "notifications", "enabled", WGM_KIND_BOOL, OFF(notifications.enabled), 0, 0, 0, 0, 0, NULL, NULL, true, false,
	  "quality", "notifications", false },
	{ "notifications", "gotifyUp", WGM_KIND_STRING, OFF(notifications.gotify_up), SZ(notifications.gotify_up), 0, 0,
	  0, 0, check_url, "empty or an http:// or https:// URL", true, true, "quality", NULL, true },
	{ "notifications", "gotifyDown", WGM_KIND_STRING, OFF(notifications.gotify_down), SZ(notifications.gotify_down),
	  0, 0, 0, 0, check_url, "empty or an http:// or https:// URL", true, true, "quality", NULL, true },
	{ "notifications", "gotifyError", WGM_KIND_STRING, OFF(notifications.gotify_error),
	  SZ(notifications.gotify_error), 0, 0, 0, 0, check_url, "empty or an http:// or https:// URL", true, true,
	  "quality", NULL, true },
	{ "notifications", "gotifyDiag", WGM_KIND_STRING, OFF(notifications.gotify_diag), SZ(notifications.gotify_diag),
	  0, 0, 0, 0, check_url, "empty or an http:// or https:// URL", true, true, "quality", NULL, true },
	{ NULL, "mesh", WGM_KIND_BOOL, OFF(mesh), 0, 0, 0, 0, 0, NULL, NULL, true, false, "mesh", "mesh", false },
	{ NULL, "vxlan", WGM_KIND_BOOL, OFF(vxlan), 0, 0, 0, 0, 0, NULL, NULL, true, false, "routing", "vxlan", false },
	{ NULL, "probeInterval", WGM_KIND_UINT, OFF(probe_interval_ms), 0, 0, 0, 100, 60000, NULL, NULL, true, true,
	  "quality", NULL, false },
	{ NULL, "costEventWindow", WGM_KIND_UINT, OFF(cost_event_window_s), 0, 0, 0, 10, 86400, NULL, NULL, true, true,
	  "quality", NULL, false },
	{ NULL, "jitterThreshold", WGM_KIND_UINT, OFF(jitter_threshold_ms), 0, 0, 0, 1, 1000, NULL, NULL, true, true,
	  "quality", NULL, false },
	{ NULL, "hopCost", WGM_KIND_UINT, OFF(hop_cost), 0, 0, 0, 0, 10000, NULL, NULL, true, true, "quality", NULL,
	  false },
	{ NULL, "handshakeTimeout", WGM_KIND_UINT, OFF(handshake_timeout_s), 0, 0, 0, 0, 604800, NULL, NULL, true, true,
	  "links", NULL, false },
	{ NULL, "cleanAfter", WGM_KIND_UINT, OFF(clean_after_s), 0, 0, 0, 1, 2592000, NULL, NULL, true, true, "mesh",
	  NULL, false },
	{ NULL, "repairAfter", WGM_KIND_UINT, OFF(repair_after_s), 0, 0, 0, 0, 86400, NULL, NULL, true, true, "mesh",
	  NULL, false },
	{ NULL, "repairLoss", WGM_KIND_UINT, OFF(repair_loss_pct), 0, 0, 0, 0, 100, NULL, NULL, true, true, "mesh",
	  NULL, false },
	{ NULL, "repairCooldown", WGM_KIND_UINT, OFF(repair_cooldown_s), 0, 0, 0, 0, 2592000, NULL, NULL, true, true,
	  "mesh", NULL, false },
	{ NULL, "stateDir", WGM_KIND_STRING, OFF(state_dir), SZ(state_dir), 0, 0, 0, 0, check_abs_path,
	  "an absolute path", false, false, "core", NULL, false },
	{ NULL, "socket", WGM_KIND_STRING, OFF(socket), SZ(socket), 0, 0, 0, 0, check_abs_path,
	  "an absolute path of at most 107 bytes", false, false, "core", NULL, false },
	{ NULL, "birdConfig", WGM_KIND_STRING, OFF(bird_config), SZ(bird_config), 0, 0, 0, 0, check_abs_path,
	  "an absolute path", false, false, "routing", NULL, false },
	{ NULL, "birdSocket", WGM_KIND_STRING, OFF(bird_socket), SZ(bird_socket), 0, 0, 0, 0, check_abs_path,
	  "an absolute path of at most 107 bytes", false, false, "routing", NULL, false },
	{ NULL, "backend", WGM_KIND_BACKEND, OFF(backend), 0, 0, 0, 0, 0, NULL, "auto, kernel or userspace", false,
	  false, "links", NULL, false },
	{ NULL, "wireguardGo", WGM_KIND_STRING, OFF(wireguard_go), SZ(wireguard_go), 0, 0, 0, 0, check_program,
	  "a program name or path", false, false, "links", NULL, false },
	{ NULL, "logLevel", WGM_KIND_STRING, OFF(log_level), SZ(log_level), 0, 0, 0, 0, check_log_level,
	  "err, warning, notice, info or debug", true, true, "core", NULL, false },
	/* Not settable: whoever may `set` could otherwise point it at /usr/sbin. */
	{ NULL, "hooksDir", WGM_KIND_STRING, OFF(hooks_dir), SZ(hooks_dir), 0, 0, 0, 0, check_abs_path,
	  "an absolute path", false, false, "hooks", NULL, false },
	{ NULL, "hookTimeout", WGM_KIND_UINT, OFF(hook_timeout_s), 0, 0, 0, 1, 3600, NULL, NULL, true, true, "hooks",
	  NULL, false },
	{ NULL, "metricsListen", WGM_KIND_STRING, OFF(metrics_listen), SZ(metrics_listen), 0, 0, 0, 0,
	  check_metrics_listen, "empty (off) or ADDRESS:PORT like 127.0.0.1:9586 or [::1]:9586", false, true, "control",
	  NULL, false },
};

const size_t wgm_config_nkeys = WGM_ARRAY_LEN(wgm_config_keys);
static const char *const sections[] = { "connectivity", "bird", "notifications" };

const char *const wgm_config_link_type_names[WGM_CONFIG_LINK_TYPE_COUNT] = { "default", "wgobfs", "ipt_xor",
									     "amneziawg" };
/* The daemon's level names (common/util/log.h); the BIRD config generator turns
 * each into a set of BIRD log classes. */
static const char *const bird_loglevels[] = { "err", "warning", "info", "debug" };
static const char *const backend_names[] = {
	[WGM_BACKEND_AUTO] = "auto",
	[WGM_BACKEND_KERNEL] = "kernel",
	[WGM_BACKEND_USERSPACE] = "userspace",
};

/* ---- value checks ---- */

static bool check_cidr(const char *v, int family)
{
	struct wgm_prefix prefix;

	/* Host bits set ("10.0.0.1/16") means the operator meant something else. */
	return wgm_prefix_parse(v, family, &prefix) == 0 && !wgm_prefix_has_host_bits(&prefix);
}

static bool check_cidr_v4(const char *v)
{
	return check_cidr(v, AF_INET);
}

static bool check_cidr_any(const char *v)
{
	return check_cidr(v, AF_INET) || check_cidr(v, AF_INET6);
}

static bool check_link_local(const char *v)
{
	size_t len = strlen(v);
	if (len < 2 || len > 5 || v[len - 1] != ':')
		return false;
	for (size_t i = 0; i + 1 < len; i++)
		if (!isxdigit((unsigned char)v[i]))
			return false;
	return true;
}

static bool check_prefix(const char *v)
{
	size_t len = strlen(v);
	if (len == 0 || len > WGM_CONFIG_PREFIX_MAX || !isalpha((unsigned char)v[0]) ||
	    isdigit((unsigned char)v[len - 1]))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)v[i]))
			return false;
	return true;
}

static bool in_list(const char *v, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v, list[i]) == 0)
			return true;
	return false;
}

static bool check_link_type(const char *v)
{
	return in_list(v, wgm_config_link_type_names, WGM_ARRAY_LEN(wgm_config_link_type_names));
}

static bool check_ipv4(const char *v)
{
	struct in_addr a;
	return inet_pton(AF_INET, v, &a) == 1;
}

static bool check_ipv6(const char *v)
{
	struct in6_addr a;
	return inet_pton(AF_INET6, v, &a) == 1;
}

bool wgm_config_check_bird_loglevel(const char *v)
{
	return in_list(v, bird_loglevels, WGM_ARRAY_LEN(bird_loglevels));
}

static bool check_printable(const char *v)
{
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

static bool check_url(const char *v)
{
	const char *host;

	if (v[0] == '\0')
		return true;
	if (strncmp(v, "http://", 7) == 0)
		host = v + 7;
	else if (strncmp(v, "https://", 8) == 0)
		host = v + 8;
	else
		return false;
	return host[0] != '\0' && host[0] != '/' && check_printable(v);
}

static bool check_abs_path(const char *v)
{
	return v[0] == '/' && strchr(v, '\n') == NULL;
}

static bool check_program(const char *v)
{
	return v[0] != '\0' && check_printable(v);
}

static bool check_metrics_listen(const char *v)
{
	struct wgm_hostport hp;
	char err[128];

	return !*v || wgm_hostport_parse(v, &hp, err, sizeof(err)) == 0;
}

static bool check_log_level(const char *v)
{
	enum wgm_log_level level;
	return wgm_log_level_from_name(v, &level) == 0;
}

/* ---- names and lookups ---- */

const char *wgm_backend_name(enum wgm_backend backend)
{
	if ((unsigned)backend >= WGM_ARRAY_LEN(backend_names))
		return "unknown";
	return backend_names[backend];
}

int wgm_backend_from_name(const char *name, enum wgm_backend *backend)
{
	for (size_t i = 0; i < WGM_ARRAY_LEN(backend_names); i++) {
		if (name && strcmp(name, backend_names[i]) == 0) {
			*backend = (enum wgm_backend)i;
			return 0;
		}
	}
	return -EINVAL;
}

int wgm_config_listen_from_name(const char *name, enum wgm_listen *listen)
{
	if (strcmp(name, "local") == 0)
		*listen = WGM_LISTEN_LOCAL;
	else if (strcmp(name, "public") == 0)
		*listen = WGM_LISTEN_PUBLIC;
	else
		return -EINVAL;
	return 0;
}

const char *wgm_config_listen_name(enum wgm_listen listen)
{
	return listen == WGM_LISTEN_PUBLIC ? "public" : "local";
}

bool wgm_config_backend_known(enum wgm_backend backend)
{
	return (unsigned)backend < WGM_ARRAY_LEN(backend_names);
}

/* "bird.area" for messages, "id" at the top level. */
void wgm_config_key_path(const struct wgm_key_desc *k, char *buf, size_t len)
{
	if (k->section)
		snprintf(buf, len, "%s.%s", k->section, k->name);
	else
		snprintf(buf, len, "%s", k->name);
}

const struct wgm_key_desc *wgm_config_find_key(const char *section, const char *name)
{
	for (size_t i = 0; i < wgm_config_nkeys; i++) {
		const struct wgm_key_desc *k = &wgm_config_keys[i];
		if (strcmp(k->name, name) != 0)
			continue;
		if ((section == NULL) != (k->section == NULL))
			continue;
		if (section && strcmp(section, k->section) != 0)
			continue;
		return k;
	}
	return NULL;
}

bool wgm_config_is_section(const char *name)
{
	return in_list(name, sections, WGM_ARRAY_LEN(sections));
}

const struct wgm_key_desc *wgm_config_find_settable(const char *name)
{
	for (size_t i = 0; i < wgm_config_nkeys; i++)
		if (wgm_config_keys[i].settable && strcmp(wgm_config_keys[i].name, name) == 0)
			return &wgm_config_keys[i];
	return NULL;
}

const struct wgm_key_desc *wgm_config_find_option(const char *option)
{
	for (size_t i = 0; i < wgm_config_nkeys; i++)
		if (wgm_config_keys[i].option && strcmp(wgm_config_keys[i].option, option) == 0)
			return &wgm_config_keys[i];
	return NULL;
}

bool wgm_config_key_secret(const char *key)
{
	const struct wgm_key_desc *k = key ? wgm_config_find_settable(key) : NULL;

	return k && k->secret;
}

/* ---- the table, for listings, help and the documentation check ---- */

static void append_name(char *buf, size_t len, size_t *used, const char *name)
{
	int n = snprintf(buf + *used, len - *used, "%s%s", *used ? ", " : "", name);
	if (n > 0)
		*used = *used + (size_t)n < len ? *used + (size_t)n : len - 1;
}

size_t wgm_config_names(enum wgm_config_name_set set, char *buf, size_t len)
{
	size_t used = 0;

	if (!len)
		return 0;
	buf[0] = '\0';
	for (size_t i = 0; i < wgm_config_nkeys; i++) {
		if (set == WGM_CONFIG_SET_KEYS && wgm_config_keys[i].settable)
			append_name(buf, len, &used, wgm_config_keys[i].name);
		if (set == WGM_CONFIG_OPTIONS && wgm_config_keys[i].option)
			append_name(buf, len, &used, wgm_config_keys[i].option);
	}
	if (set == WGM_CONFIG_OPTIONS)
		for (size_t i = 1; i < WGM_ARRAY_LEN(wgm_config_link_type_names); i++)
			append_name(buf, len, &used, wgm_config_link_type_names[i]);
	return used;
}

size_t wgm_config_key_count(void)
{
	return wgm_config_nkeys;
}

int wgm_config_key_info(size_t index, struct wgm_config_key_info *info)
{
	if (index >= wgm_config_nkeys)
		return -ENOENT;
	const struct wgm_key_desc *k = &wgm_config_keys[index];
	*info = (struct wgm_config_key_info){ .section = k->section,
					      .name = k->name,
					      .settable = k->settable,
					      .live = k->live,
					      .owner = k->owner,
					      .option = k->option,
					      .expect = k->expect,
					      .secret = k->secret };
	return 0;
}

int wgm_config_key_default(size_t index, char *buf, size_t len)
{
	struct wgm_config *cfg;
	json_t *value;
	char *text;
	int ret = -ENOMEM;

	if (index >= wgm_config_nkeys)
		return -ENOENT;
	cfg = malloc(sizeof(*cfg));
	if (!cfg)
		return -ENOMEM;
	wgm_config_defaults(cfg);
	value = wgm_config_key_to_json(cfg, &wgm_config_keys[index]);
	text = value ? json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
	if (text) {
		ret = snprintf(buf, len, "%s", text) < (int)len ? 0 : -ENOSPC;
		free(text);
	}
	json_decref(value);
	free(cfg);
	return ret;
}
