#include "common/config/config.h"

#include "common/util/hostport.h"
#include "common/util/prefix.h"

#include "common/util/err.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config/addrplan.h"
#include "common/util/log.h"
#include "common/config/statefile.h"

/* One row per key: where it sits in the JSON, where it lives in the struct,
 * how it is checked, and what changing it takes. The parser, the serialiser,
 * the validator and `set` all read this table, so a key is added in one place. */
enum key_kind {
	KIND_BOOL,
	KIND_U16,
	KIND_UINT,
	KIND_U32,
	KIND_STRING,
	KIND_NULLABLE_STRING, /* JSON null <-> "" */
	KIND_LISTEN,
	KIND_BACKEND,
	KIND_OPMODE,
	KIND_STRING_LIST,     /* AllowedPeers, AllowedPrefixes, linkTypes */
};

typedef bool (*string_check_fn)(const char *value);

struct key_desc {
	const char *section; /* NULL: top level */
	const char *name;
	enum key_kind kind;
	size_t offset;
	size_t size;         /* string buffer size, or list element size */
	size_t count_offset; /* lists: where the count lives */
	size_t max_items;    /* lists */
	unsigned long min, max;
	string_check_fn check;
	const char *expect;  /* what a valid value looks like, for messages */
	bool live;           /* applied by the running daemon; else at its next start */
	bool settable;       /* `wgmesh set` accepts it */
	const char *owner;   /* the daemon subsystem that applies it (docs/architecture.md) */
	const char *option;  /* the `enable`/`disable` name of a boolean key, or NULL */
	bool secret;         /* the value holds a credential (a Gotify URL's app token): never logged or shown in events */
};

static bool check_cidr_v4(const char *v);
static bool check_cidr_any(const char *v);
static bool check_link_local(const char *v);
static bool check_prefix(const char *v);
static bool check_link_type(const char *v);
static bool check_ipv4(const char *v);
static bool check_ipv6(const char *v);
static bool check_bird_loglevel(const char *v);
static bool check_url(const char *v);
static bool check_abs_path(const char *v);
static bool check_program(const char *v);
static bool check_log_level(const char *v);
static bool check_metrics_listen(const char *v);

#define OFF(field) offsetof(struct wgm_config, field)
#define SZ(field) sizeof(((struct wgm_config *)0)->field)

static const struct key_desc keys[] = {
	{ NULL, "id", KIND_UINT, OFF(id), 0, 0, 0, 0, ADDRPLAN_MAX_ID, NULL, NULL, false, false,
	  "core", NULL, false },
	{ NULL, "listen", KIND_LISTEN, OFF(listen), 0, 0, 0, 0, 0, NULL, "local or public", false, false,
	  "api", NULL, false },
	{ NULL, "listenPort", KIND_U16, OFF(listen_port), 0, 0, 0, 1, 65535, NULL, NULL, false, false,
	  "api", NULL, false },
	{ NULL, "basePort", KIND_U16, OFF(base_port), 0, 0, 0, 0, 65535, NULL, NULL, true, true,
	  "links", NULL, false },
	{ NULL, "operationMode", KIND_OPMODE, OFF(operation_mode), 0, 0, 0, 0, 2, NULL,
	  "0 (latency) or 2 (bandwidth)", true, true,
	  "quality", NULL, false },
	{ NULL, "bandwidthInterval", KIND_UINT, OFF(bandwidth_interval_s), 0, 0, 0, 10, 604800, NULL, NULL, true,
	  true, "quality", NULL, false },
	{ NULL, "bandwidthDuration", KIND_UINT, OFF(bandwidth_duration_s), 0, 0, 0, 1, 60, NULL, NULL, true, true,
	  "quality", NULL, false },
	{ NULL, "bandwidthPort", KIND_U16, OFF(bandwidth_port), 0, 0, 0, 1, 65535, NULL, NULL, true, true,
	  "quality", NULL, false },
	{ NULL, "vxlanOffset", KIND_UINT, OFF(vxlan_offset), 0, 0, 0, 0, 254, NULL, NULL, false, true,
	  "routing", NULL, false },
	{ NULL, "subnet", KIND_STRING, OFF(subnet), SZ(subnet), 0, 0, 0, 0, check_cidr_v4,
	  "an IPv4 network like 10.0.0.0/16", false, true,
	  "core", NULL, false },
	{ NULL, "subnetPeer", KIND_STRING, OFF(subnet_peer), SZ(subnet_peer), 0, 0, 0, 0, check_cidr_v4,
	  "an IPv4 network like 172.31.0.0/16", false, false,
	  "core", NULL, false },
	{ NULL, "subnetVXLAN", KIND_STRING, OFF(subnet_vxlan), SZ(subnet_vxlan), 0, 0, 0, 0, check_cidr_v4,
	  "an IPv4 network like 10.0.251.0/24", false, true,
	  "routing", NULL, false },
	{ NULL, "subnetLinkLocal", KIND_STRING, OFF(subnet_link_local), SZ(subnet_link_local), 0, 0, 0, 0,
	  check_link_local, "one hex group and a colon, like fe82:", false, true,
	  "core", NULL, false },
	{ NULL, "AllowedPeers", KIND_STRING_LIST, OFF(allowed_peers), SZ(allowed_peers[0]),
	  OFF(allowed_peers_count), WGM_CONFIG_MAX_ALLOWED_PEERS, 0, 0, check_cidr_any,
	  "a network like 192.0.2.0/24 or 2001:db8::/32", true, true,
	  "routing", NULL, false },
	{ NULL, "localAS", KIND_U32, OFF(local_as), 0, 0, 0, 1, 4294967295ul, NULL, NULL, true, true,
	  "routing", NULL, false },
	{ NULL, "AllowedPrefixes", KIND_STRING_LIST, OFF(allowed_prefixes), SZ(allowed_prefixes[0]),
	  OFF(allowed_prefixes_count), WGM_CONFIG_MAX_ALLOWED_PREFIXES, 0, 0, check_cidr_any,
	  "a network like 198.51.100.0/24 or 2001:db8::/32", true, true,
	  "routing", NULL, false },
	{ NULL, "prefix", KIND_STRING, OFF(prefix), SZ(prefix), 0, 0, 0, 0, check_prefix,
	  "1-6 letters or digits, starting with a letter, not ending with a digit", false, true,
	  "links", NULL, false },
	{ NULL, "linkTypes", KIND_STRING_LIST, OFF(link_types), SZ(link_types[0]),
	  OFF(link_types_count), WGM_CONFIG_MAX_LINK_TYPES, 0, 0, check_link_type,
	  "default, wgobfs, ipt_xor or amneziawg", true, false,
	  "api", NULL, false },
	{ NULL, "defaultLinkType", KIND_STRING, OFF(default_link_type), SZ(default_link_type), 0, 0, 0, 0,
	  check_link_type, "default, wgobfs, ipt_xor or amneziawg", true, true,
	  "mesh", NULL, false },
	{ NULL, "amneziawgVersion", KIND_UINT, OFF(amneziawg_version), 0, 0, 0, 1, 2, NULL, NULL, true, true,
	  "api", NULL, false },
	{ NULL, "xorRotateInterval", KIND_UINT, OFF(xor_rotate_interval_s), 0, 0, 0, 0, 2592000, NULL, NULL, true,
	  true, "mesh", NULL, false },
	{ "connectivity", "ipv4", KIND_NULLABLE_STRING, OFF(connectivity_ipv4), SZ(connectivity_ipv4),
	  0, 0, 0, 0, check_ipv4, "an IPv4 address or null", true, false,
	  "api", NULL, false },
	{ "connectivity", "ipv6", KIND_NULLABLE_STRING, OFF(connectivity_ipv6), SZ(connectivity_ipv6),
	  0, 0, 0, 0, check_ipv6, "an IPv6 address or null", true, false,
	  "api", NULL, false },
	{ "bird", "ospfv2", KIND_BOOL, OFF(bird.ospfv2), 0, 0, 0, 0, 0, NULL, NULL, true, false,
	  "routing", "ospfv2", false },
	{ "bird", "ospfv3", KIND_BOOL, OFF(bird.ospfv3), 0, 0, 0, 0, 0, NULL, NULL, true, false,
	  "routing", "ospfv3", false },
	{ "bird", "area", KIND_U32, OFF(bird.area), 0, 0, 0, 0, 4294967295ul, NULL, NULL, true, true,
	  "routing", NULL, false },
	{ "bird", "tick", KIND_UINT, OFF(bird.tick), 0, 0, 0, 1, 255, NULL, NULL, true, true,
	  "routing", NULL, false },
	{ "bird", "client", KIND_BOOL, OFF(bird.client), 0, 0, 0, 0, 0, NULL, NULL, true, false,
	  "routing", "client", false },
	{ "bird", "loglevel", KIND_STRING, OFF(bird.loglevel), SZ(bird.loglevel), 0, 0, 0, 0,
	  check_bird_loglevel, "err, warning, info or debug", true, false,
	  "routing", NULL, false },
	{ "bird", "reloadInterval", KIND_UINT, OFF(bird.reload_interval), 0, 0, 0, 1, 86400, NULL, NULL, true, true,
	  "quality", NULL, false },
	{ "bird", "reloadPercentage", KIND_UINT, OFF(bird.reload_percentage), 0, 0, 0, 0, 100, NULL, NULL, true, true,
	  "quality", NULL, false },
	{ "bird", "minReloadInterval", KIND_UINT, OFF(bird.min_reload_interval), 0, 0, 0, 1, 3600, NULL,
	  NULL, true, true,
	  "quality", NULL, false },
	{ "notifications", "enabled", KIND_BOOL, OFF(notifications.enabled), 0, 0, 0, 0, 0, NULL, NULL, true, false,
	  "quality", "notifications", false },
	{ "notifications", "gotifyUp", KIND_STRING, OFF(notifications.gotify_up), SZ(notifications.gotify_up),
	  0, 0, 0, 0, check_url, "empty or an http:// or https:// URL", true, true,
	  "quality", NULL, true },
	{ "notifications", "gotifyDown", KIND_STRING, OFF(notifications.gotify_down),
	  SZ(notifications.gotify_down), 0, 0, 0, 0, check_url, "empty or an http:// or https:// URL", true, true,
	  "quality", NULL, true },
	{ "notifications", "gotifyError", KIND_STRING, OFF(notifications.gotify_error),
	  SZ(notifications.gotify_error), 0, 0, 0, 0, check_url, "empty or an http:// or https:// URL", true, true,
	  "quality", NULL, true },
	{ "notifications", "gotifyDiag", KIND_STRING, OFF(notifications.gotify_diag),
	  SZ(notifications.gotify_diag), 0, 0, 0, 0, check_url, "empty or an http:// or https:// URL", true, true,
	  "quality", NULL, true },
	{ NULL, "mesh", KIND_BOOL, OFF(mesh), 0, 0, 0, 0, 0, NULL, NULL, true, false,
	  "mesh", "mesh", false },
	{ NULL, "vxlan", KIND_BOOL, OFF(vxlan), 0, 0, 0, 0, 0, NULL, NULL, true, false,
	  "routing", "vxlan", false },
	{ NULL, "probeInterval", KIND_UINT, OFF(probe_interval_ms), 0, 0, 0, 100, 60000, NULL, NULL, true, true,
	  "quality", NULL, false },
	{ NULL, "costEventWindow", KIND_UINT, OFF(cost_event_window_s), 0, 0, 0, 10, 86400, NULL, NULL, true, true,
	  "quality", NULL, false },
	{ NULL, "jitterThreshold", KIND_UINT, OFF(jitter_threshold_ms), 0, 0, 0, 1, 1000, NULL, NULL, true, true,
	  "quality", NULL, false },
	{ NULL, "hopCost", KIND_UINT, OFF(hop_cost), 0, 0, 0, 0, 10000, NULL, NULL, true, true,
	  "quality", NULL, false },
	{ NULL, "handshakeTimeout", KIND_UINT, OFF(handshake_timeout_s), 0, 0, 0, 0, 604800, NULL, NULL, true, true,
	  "links", NULL, false },
	{ NULL, "cleanAfter", KIND_UINT, OFF(clean_after_s), 0, 0, 0, 1, 2592000, NULL, NULL, true, true,
	  "mesh", NULL, false },
	{ NULL, "repairAfter", KIND_UINT, OFF(repair_after_s), 0, 0, 0, 0, 86400, NULL, NULL, true, true,
	  "mesh", NULL, false },
	{ NULL, "repairLoss", KIND_UINT, OFF(repair_loss_pct), 0, 0, 0, 0, 100, NULL, NULL, true, true,
	  "mesh", NULL, false },
	{ NULL, "repairCooldown", KIND_UINT, OFF(repair_cooldown_s), 0, 0, 0, 0, 2592000, NULL, NULL, true, true,
	  "mesh", NULL, false },
	{ NULL, "stateDir", KIND_STRING, OFF(state_dir), SZ(state_dir), 0, 0, 0, 0, check_abs_path,
	  "an absolute path", false, false,
	  "core", NULL, false },
	{ NULL, "socket", KIND_STRING, OFF(socket), SZ(socket), 0, 0, 0, 0, check_abs_path,
	  "an absolute path of at most 107 bytes", false, false,
	  "core", NULL, false },
	{ NULL, "birdConfig", KIND_STRING, OFF(bird_config), SZ(bird_config), 0, 0, 0, 0, check_abs_path,
	  "an absolute path", false, false,
	  "routing", NULL, false },
	{ NULL, "birdSocket", KIND_STRING, OFF(bird_socket), SZ(bird_socket), 0, 0, 0, 0, check_abs_path,
	  "an absolute path of at most 107 bytes", false, false,
	  "routing", NULL, false },
	{ NULL, "backend", KIND_BACKEND, OFF(backend), 0, 0, 0, 0, 0, NULL, "auto, kernel or userspace", false, false,
	  "links", NULL, false },
	{ NULL, "wireguardGo", KIND_STRING, OFF(wireguard_go), SZ(wireguard_go), 0, 0, 0, 0, check_program,
	  "a program name or path", false, false,
	  "links", NULL, false },
	{ NULL, "logLevel", KIND_STRING, OFF(log_level), SZ(log_level), 0, 0, 0, 0, check_log_level,
	  "err, warning, notice, info or debug", true, true,
	  "core", NULL, false },
	/* Not settable: whoever may `set` could otherwise point it at /usr/sbin. */
	{ NULL, "hooksDir", KIND_STRING, OFF(hooks_dir), SZ(hooks_dir), 0, 0, 0, 0, check_abs_path,
	  "an absolute path", false, false,
	  "hooks", NULL, false },
	{ NULL, "hookTimeout", KIND_UINT, OFF(hook_timeout_s), 0, 0, 0, 1, 3600, NULL, NULL, true, true,
	  "hooks", NULL, false },
	{ NULL, "metricsListen", KIND_STRING, OFF(metrics_listen), SZ(metrics_listen), 0, 0, 0, 0, check_metrics_listen,
	  "empty (off) or ADDRESS:PORT like 127.0.0.1:9586 or [::1]:9586", false, true,
	  "control", NULL, false },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))
static const char *const sections[] = { "connectivity", "bird", "notifications" };

static const char *const link_type_names[] = { "default", "wgobfs", "ipt_xor", "amneziawg" };
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
	return in_list(v, link_type_names, WGM_ARRAY_LEN(link_type_names));
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

static bool check_bird_loglevel(const char *v)
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

/* ---- names ---- */

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

static int listen_from_name(const char *name, enum wgm_listen *listen)
{
	if (strcmp(name, "local") == 0)
		*listen = WGM_LISTEN_LOCAL;
	else if (strcmp(name, "public") == 0)
		*listen = WGM_LISTEN_PUBLIC;
	else
		return -EINVAL;
	return 0;
}

static const char *listen_name(enum wgm_listen listen)
{
	return listen == WGM_LISTEN_PUBLIC ? "public" : "local";
}

/* "bird.area" for messages, "id" at the top level. */
static void key_path(const struct key_desc *k, char *buf, size_t len)
{
	if (k->section)
		snprintf(buf, len, "%s.%s", k->section, k->name);
	else
		snprintf(buf, len, "%s", k->name);
}

/* ---- field access ---- */

static void *field(struct wgm_config *cfg, const struct key_desc *k)
{
	return (char *)cfg + k->offset;
}

static const void *cfield(const struct wgm_config *cfg, const struct key_desc *k)
{
	return (const char *)cfg + k->offset;
}

static unsigned long get_number(const struct wgm_config *cfg, const struct key_desc *k)
{
	const void *p = cfield(cfg, k);
	switch (k->kind) {
	case KIND_U16:
		return *(const uint16_t *)p;
	case KIND_U32:
		return *(const uint32_t *)p;
	case KIND_OPMODE:
		return (unsigned long)*(const enum wgm_operation_mode *)p;
	default:
		return *(const unsigned *)p;
	}
}

static void set_number(struct wgm_config *cfg, const struct key_desc *k, unsigned long v)
{
	void *p = field(cfg, k);
	switch (k->kind) {
	case KIND_U16:
		*(uint16_t *)p = (uint16_t)v;
		break;
	case KIND_U32:
		*(uint32_t *)p = (uint32_t)v;
		break;
	case KIND_OPMODE:
		*(enum wgm_operation_mode *)p = (enum wgm_operation_mode)v;
		break;
	default:
		*(unsigned *)p = (unsigned)v;
		break;
	}
}

static size_t *list_count(struct wgm_config *cfg, const struct key_desc *k)
{
	return (size_t *)((char *)cfg + k->count_offset);
}

static size_t clist_count(const struct wgm_config *cfg, const struct key_desc *k)
{
	return *(const size_t *)((const char *)cfg + k->count_offset);
}

static char *list_item(struct wgm_config *cfg, const struct key_desc *k, size_t i)
{
	return (char *)field(cfg, k) + i * k->size;
}

static const char *clist_item(const struct wgm_config *cfg, const struct key_desc *k, size_t i)
{
	return (const char *)cfield(cfg, k) + i * k->size;
}

static bool is_number_kind(enum key_kind kind)
{
	return kind == KIND_U16 || kind == KIND_UINT || kind == KIND_U32 || kind == KIND_OPMODE;
}

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

/* ---- validation ---- */

static int check_string_value(const struct key_desc *k, const char *v, char *err, size_t errlen)
{
	char path[64];

	if (k->check && !k->check(v)) {
		key_path(k, path, sizeof(path));
		snprintf(err, errlen, "%s: '%s' is not %s", path, v, k->expect);
		return -EINVAL;
	}
	return 0;
}

static int validate_key(const struct wgm_config *cfg, const struct key_desc *k, char *err, size_t errlen)
{
	char path[64];

	key_path(k, path, sizeof(path));
	switch (k->kind) {
	case KIND_U16:
	case KIND_UINT:
	case KIND_U32: {
		unsigned long v = get_number(cfg, k);
		if (v < k->min || v > k->max) {
			snprintf(err, errlen, "%s: %lu is out of range (%lu-%lu)", path, v, k->min, k->max);
			return -EINVAL;
		}
		return 0;
	}
	case KIND_OPMODE: {
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
	case KIND_STRING:
	case KIND_NULLABLE_STRING: {
		const char *v = cfield(cfg, k);
		if (k->kind == KIND_NULLABLE_STRING && v[0] == '\0')
			return 0;
		return check_string_value(k, v, err, errlen);
	}
	case KIND_STRING_LIST: {
		size_t n = clist_count(cfg, k);
		if (n > k->max_items) {
			snprintf(err, errlen, "%s: more than %zu entries", path, k->max_items);
			return -EINVAL;
		}
		for (size_t i = 0; i < n; i++) {
			const char *item = clist_item(cfg, k, i);
			int ret = check_string_value(k, item, err, errlen);
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
	case KIND_LISTEN:
		if (cfg->listen != WGM_LISTEN_LOCAL && cfg->listen != WGM_LISTEN_PUBLIC) {
			snprintf(err, errlen, "%s: not %s", path, k->expect);
			return -EINVAL;
		}
		return 0;
	case KIND_BACKEND:
		if ((unsigned)cfg->backend >= WGM_ARRAY_LEN(backend_names)) {
			snprintf(err, errlen, "%s: not %s", path, k->expect);
			return -EINVAL;
		}
		return 0;
	case KIND_BOOL:
		return 0;
	}
	return 0;
}

int wgm_config_validate(const struct wgm_config *cfg, char *err, size_t errlen)
{
	struct addrplan plan;
	bool has_default_type = false;
	int ret;

	if (cfg->version != WGM_CONFIG_VERSION) {
		snprintf(err, errlen, "version: %u is not %d", cfg->version, WGM_CONFIG_VERSION);
		return -EINVAL;
	}
	for (size_t i = 0; i < NKEYS; i++) {
		ret = validate_key(cfg, &keys[i], err, errlen);
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
		snprintf(err, errlen, "handshakeTimeout: %u is too short for a joining node to bring its end up "
			 "(0 = never, or %d-604800 seconds)", cfg->handshake_timeout_s, WGM_HANDSHAKE_TIMEOUT_MIN);
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
	ret = addrplan_init(&plan, cfg->subnet, cfg->subnet_link_local, cfg->subnet_vxlan,
			    cfg->subnet_peer, cfg->prefix, cfg->vxlan_offset, err, errlen);
	if (ret < 0)
		return ret;
	return addrplan_check_id(&plan, cfg->id, err, errlen);
}

/* ---- JSON in ---- */

static const struct key_desc *find_key(const char *section, const char *name)
{
	for (size_t i = 0; i < NKEYS; i++) {
		const struct key_desc *k = &keys[i];
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

static bool is_section(const char *name)
{
	return in_list(name, sections, WGM_ARRAY_LEN(sections));
}

static int copy_string(const struct key_desc *k, char *dst, const char *src, char *err, size_t errlen)
{
	char path[64];

	if (strlen(src) >= k->size) {
		key_path(k, path, sizeof(path));
		snprintf(err, errlen, "%s: longer than %zu bytes", path, k->size - 1);
		return -EINVAL;
	}
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

static int read_key(const struct key_desc *k, const json_t *value, struct wgm_config *cfg,
		    char *err, size_t errlen)
{
	char path[64];

	key_path(k, path, sizeof(path));
	switch (k->kind) {
	case KIND_BOOL:
		if (!json_is_boolean(value)) {
			snprintf(err, errlen, "%s: must be true or false", path);
			return -EINVAL;
		}
		*(bool *)field(cfg, k) = json_is_true(value);
		return 0;
	case KIND_U16:
	case KIND_UINT:
	case KIND_U32:
	case KIND_OPMODE: {
		if (!json_is_integer(value)) {
			snprintf(err, errlen, "%s: must be a whole number", path);
			return -EINVAL;
		}
		json_int_t v = json_integer_value(value);
		if (v < (json_int_t)k->min || v > (json_int_t)k->max) {
			snprintf(err, errlen, "%s: %lld is out of range (%lu-%lu)", path, (long long)v,
				 k->min, k->max);
			return -EINVAL;
		}
		set_number(cfg, k, (unsigned long)v);
		return 0;
	}
	case KIND_NULLABLE_STRING:
		if (json_is_null(value)) {
			*(char *)field(cfg, k) = '\0';
			return 0;
		}
		/* fall through */
	case KIND_STRING:
		if (!json_is_string(value)) {
			snprintf(err, errlen, "%s: must be a string (%s)", path, k->expect);
			return -EINVAL;
		}
		return copy_string(k, field(cfg, k), json_string_value(value), err, errlen);
	case KIND_LISTEN:
		if (!json_is_string(value) || listen_from_name(json_string_value(value), &cfg->listen) < 0) {
			snprintf(err, errlen, "%s: must be %s", path, k->expect);
			return -EINVAL;
		}
		return 0;
	case KIND_BACKEND:
		if (!json_is_string(value) || wgm_backend_from_name(json_string_value(value), &cfg->backend) < 0) {
			snprintf(err, errlen, "%s: must be %s", path, k->expect);
			return -EINVAL;
		}
		return 0;
	case KIND_STRING_LIST: {
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
		json_array_foreach(value, i, item) {
			if (!json_is_string(item)) {
				snprintf(err, errlen, "%s[%zu]: must be a string (%s)", path, i, k->expect);
				return -EINVAL;
			}
			int ret = copy_string(k, list_item(cfg, k, i), json_string_value(item), err, errlen);
			if (ret < 0)
				return ret;
		}
		*list_count(cfg, k) = json_array_size(value);
		return 0;
	}
	}
	return -EINVAL;
}

static int read_object(const json_t *obj, const char *section, struct wgm_config *cfg,
		       char *err, size_t errlen)
{
	const char *name;
	json_t *value;

	json_object_foreach((json_t *)obj, name, value) {
		if (!section && strcmp(name, "version") == 0) {
			if (!json_is_integer(value) || json_integer_value(value) != WGM_CONFIG_VERSION) {
				snprintf(err, errlen, "version: must be %d (run wgmesh migrate)", WGM_CONFIG_VERSION);
				return -EINVAL;
			}
			continue;
		}
		if (!section && is_section(name)) {
			if (!json_is_object(value)) {
				snprintf(err, errlen, "%s: must be an object", name);
				return -EINVAL;
			}
			int ret = read_object(value, name, cfg, err, errlen);
			if (ret < 0)
				return ret;
			continue;
		}
		const struct key_desc *k = find_key(section, name);
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

/* ---- JSON out ---- */

static json_t *key_to_json(const struct wgm_config *cfg, const struct key_desc *k)
{
	switch (k->kind) {
	case KIND_BOOL:
		return json_boolean(*(const bool *)cfield(cfg, k));
	case KIND_U16:
	case KIND_UINT:
	case KIND_U32:
	case KIND_OPMODE:
		return json_integer((json_int_t)get_number(cfg, k));
	case KIND_NULLABLE_STRING: {
		const char *v = cfield(cfg, k);
		return v[0] ? json_string(v) : json_null();
	}
	case KIND_STRING:
		return json_string(cfield(cfg, k));
	case KIND_LISTEN:
		return json_string(listen_name(cfg->listen));
	case KIND_BACKEND:
		return json_string(wgm_backend_name(cfg->backend));
	case KIND_STRING_LIST: {
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
	for (size_t i = 0; i < NKEYS; i++) {
		const struct key_desc *k = &keys[i];
		json_t *parent = root;
		if (k->section) {
			parent = json_object_get(root, k->section);
			if (!parent) {
				parent = json_object();
				if (json_object_set_new(root, k->section, parent) < 0)
					goto fail;
			}
		}
		json_t *value = key_to_json(cfg, k);
		if (!value || json_object_set_new(parent, k->name, value) < 0)
			goto fail;
	}
	return root;
fail:
	json_decref(root);
	return NULL;
}

/* ---- migration ---- */

/* The original wrote bird.loglevel into BIRD's config verbatim: "all" or a
 * set of log classes such as "{ info, remote, warning, error, auth, fatal,
 * bug }". We keep one level; the least severe class in the set picks it. */
static int migrate_bird_loglevel(json_t *json, char *err, size_t errlen)
{
	static const struct {
		const char *bird_class, *level;
	} classes[] = {
		{ "all", "debug" }, { "debug", "debug" }, { "trace", "debug" },
		{ "info", "info" }, { "remote", "info" },
		{ "warning", "warning" }, { "auth", "warning" },
		{ "error", "err" }, { "fatal", "err" }, { "bug", "err" },
	};
	json_t *bird = json_object_get(json, "bird");
	json_t *v = json_object_get(bird, "loglevel");
	const char *level = NULL;

	if (!json_is_string(v) || check_bird_loglevel(json_string_value(v)))
		return 0;
	/* The table runs from least to most severe, so the first hit wins. */
	for (size_t i = 0; i < WGM_ARRAY_LEN(classes) && !level; i++) {
		const char *text = json_string_value(v);
		const char *hit = strstr(text, classes[i].bird_class);
		size_t len = strlen(classes[i].bird_class);
		/* Whole words only: "error" must not match inside another name. */
		while (hit && ((hit > text && isalpha((unsigned char)hit[-1])) || isalpha((unsigned char)hit[len])))
			hit = strstr(hit + 1, classes[i].bird_class);
		if (hit)
			level = classes[i].level;
	}
	if (!level) {
		snprintf(err, errlen, "bird.loglevel: '%s' names no BIRD log class", json_string_value(v));
		return -EINVAL;
	}
	if (json_object_set_new(bird, "loglevel", json_string(level)) < 0) {
		snprintf(err, errlen, "bird.loglevel: out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* Version-less configs come from the original Python tool. It kept the ID as
 * the string given on the command line in early releases, stored false for a
 * missing public address, and `wgmesh geo` added a "geo" object we have no use
 * for. Keys it never wrote simply take our defaults. */
static int migrate_original(json_t *json, char *err, size_t errlen)
{
	static const char *const numeric[] = { "id", "listenPort", "basePort", "operationMode", "vxlanOffset" };
	json_t *conn, *v;
	int ret;

	json_object_del(json, "geo");
	for (size_t i = 0; i < WGM_ARRAY_LEN(numeric); i++) {
		v = json_object_get(json, numeric[i]);
		if (!json_is_string(v))
			continue;
		const char *s = json_string_value(v);
		char *end;
		errno = 0;
		long long n = strtoll(s, &end, 10);
		if (errno || end == s || *end || n < 0) {
			snprintf(err, errlen, "%s: '%s' is not a number", numeric[i], s);
			return -EINVAL;
		}
		if (json_object_set_new(json, numeric[i], json_integer(n)) < 0) {
			snprintf(err, errlen, "%s: out of memory", numeric[i]);
			return -ENOMEM;
		}
	}
	ret = migrate_bird_loglevel(json, err, errlen);
	if (ret < 0)
		return ret;
	conn = json_object_get(json, "connectivity");
	if (json_is_object(conn)) {
		static const char *const families[] = { "ipv4", "ipv6" };
		for (size_t i = 0; i < WGM_ARRAY_LEN(families); i++) {
			v = json_object_get(conn, families[i]);
			if (json_is_false(v) || (json_is_string(v) && json_string_value(v)[0] == '\0'))
				if (json_object_set_new(conn, families[i], json_null()) < 0) {
					snprintf(err, errlen, "connectivity.%s: out of memory", families[i]);
					return -ENOMEM;
				}
		}
	}
	return 0;
}

struct migration_step {
	unsigned from; /* the version this step upgrades; the result is from + 1 */
	int (*apply)(json_t *json, char *err, size_t errlen);
};

static const struct migration_step migration_steps[] = {
	{ 0, migrate_original },
};

int wgm_config_migrate(json_t *json, bool *changed, char *err, size_t errlen)
{
	json_t *jversion;
	json_int_t version = 0;

	if (changed)
		*changed = false;
	if (!json_is_object(json)) {
		snprintf(err, errlen, "config: must be a JSON object");
		return -EINVAL;
	}
	jversion = json_object_get(json, "version");
	if (jversion) {
		if (!json_is_integer(jversion) || json_integer_value(jversion) < 0) {
			snprintf(err, errlen, "version: must be a whole number");
			return -EINVAL;
		}
		version = json_integer_value(jversion);
	}
	if (version > WGM_CONFIG_VERSION) {
		snprintf(err, errlen, "version: %lld is newer than this program understands (%d)",
			 (long long)version, WGM_CONFIG_VERSION);
		return -EINVAL;
	}
	for (size_t i = 0; i < WGM_ARRAY_LEN(migration_steps); i++) {
		const struct migration_step *step = &migration_steps[i];
		if (step->from != (unsigned)version)
			continue;
		int ret = step->apply(json, err, errlen);
		if (ret < 0)
			return ret;
		version = step->from + 1;
		if (json_object_set_new(json, "version", json_integer(version)) < 0) {
			snprintf(err, errlen, "version: out of memory");
			return -ENOMEM;
		}
		if (changed)
			*changed = true;
	}
	if (version != WGM_CONFIG_VERSION) {
		snprintf(err, errlen, "version: no migration from %lld", (long long)version);
		return -EINVAL;
	}
	return 0;
}

/* ---- files ---- */

int wgm_config_load(const char *path, struct wgm_config *cfg, char *err, size_t errlen)
{
	json_t *json = NULL;
	char inner[512];
	int ret;

	ret = statefile_read_json(path, &json, err, errlen);
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
	ret = statefile_write_json(path, json, STATEFILE_MODE_SECRET, err, errlen);
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

static int toggle_list_item(struct wgm_config *cfg, const struct key_desc *k, const char *value,
			    char *err, size_t errlen)
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
	int ret = check_string_value(k, value, err, errlen);
	if (ret < 0)
		return ret;
	ret = copy_string(k, list_item(cfg, k, *count), value, err, errlen);
	if (ret < 0)
		return ret;
	(*count)++;
	return 0;
}

static int set_value(struct wgm_config *cfg, const struct key_desc *k, const char *value,
		     char *err, size_t errlen)
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
	if (k->kind == KIND_STRING_LIST)
		return toggle_list_item(cfg, k, value, err, errlen);
	int ret = check_string_value(k, value, err, errlen);
	if (ret < 0)
		return ret;
	return copy_string(k, field(cfg, k), value, err, errlen);
}

static const struct key_desc *find_settable(const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (keys[i].settable && strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

bool wgm_config_key_secret(const char *key)
{
	const struct key_desc *k = key ? find_settable(key) : NULL;

	return k && k->secret;
}

int wgm_config_set(struct wgm_config *cfg, const char *key, const char *value,
		   char *err, size_t errlen)
{
	const struct key_desc *k;
	struct wgm_config *tmp;
	int ret;

	if (!key || !(k = find_settable(key))) {
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

static const struct key_desc *find_option(const char *option)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (keys[i].option && strcmp(keys[i].option, option) == 0)
			return &keys[i];
	return NULL;
}

int wgm_config_enable(struct wgm_config *cfg, const char *option, bool on,
		      char *err, size_t errlen)
{
	const char *name = option ? option : "";
	const struct key_desc *k = find_option(name);
	int ret;

	if (k) {
		*(bool *)field(cfg, k) = on;
		return k->live ? 0 : 1;
	}
	/* Every link type but default is an option of the linkTypes list. */
	for (size_t i = 1; i < WGM_ARRAY_LEN(link_type_names); i++) {
		if (strcmp(name, link_type_names[i]) != 0)
			continue;
		ret = set_link_type(cfg, name, on, err, errlen);
		if (ret < 0)
			return ret;
		k = find_key(NULL, "linkTypes");
		return k && k->live ? 0 : 1;
	}
	char names[256];
	wgm_config_names(WGM_CONFIG_OPTIONS, names, sizeof(names));
	snprintf(err, errlen, "%s: not an option (%s)", name, names);
	return -ENOENT;
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
	for (size_t i = 0; i < NKEYS; i++) {
		if (set == WGM_CONFIG_SET_KEYS && keys[i].settable)
			append_name(buf, len, &used, keys[i].name);
		if (set == WGM_CONFIG_OPTIONS && keys[i].option)
			append_name(buf, len, &used, keys[i].option);
	}
	if (set == WGM_CONFIG_OPTIONS)
		for (size_t i = 1; i < WGM_ARRAY_LEN(link_type_names); i++)
			append_name(buf, len, &used, link_type_names[i]);
	return used;
}

size_t wgm_config_key_count(void)
{
	return NKEYS;
}

int wgm_config_key_info(size_t index, struct wgm_config_key_info *info)
{
	if (index >= NKEYS)
		return -ENOENT;
	const struct key_desc *k = &keys[index];
	*info = (struct wgm_config_key_info){ .section = k->section, .name = k->name, .settable = k->settable,
					      .live = k->live, .owner = k->owner, .option = k->option,
					      .expect = k->expect, .secret = k->secret };
	return 0;
}

int wgm_config_key_default(size_t index, char *buf, size_t len)
{
	struct wgm_config *cfg;
	json_t *value;
	char *text;
	int ret = -ENOMEM;

	if (index >= NKEYS)
		return -ENOENT;
	cfg = malloc(sizeof(*cfg));
	if (!cfg)
		return -ENOMEM;
	wgm_config_defaults(cfg);
	value = key_to_json(cfg, &keys[index]);
	text = value ? json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
	if (text) {
		ret = snprintf(buf, len, "%s", text) < (int)len ? 0 : -ENOSPC;
		free(text);
	}
	json_decref(value);
	free(cfg);
	return ret;
}
