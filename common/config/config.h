/* The node configuration: one JSON file (default /etc/wgmesh/config.json),
 * parsed into a plain structure with a default for every key, validated key by
 * key, and upgraded from older layouts by a table of versioned steps. */
#ifndef WGM_COMMON_CONFIG_H
#define WGM_COMMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define WGM_CONFIG_VERSION 1
#define WGM_CONFIG_DEFAULT_PATH "/etc/wgmesh/config.json"

#define WGM_CONFIG_CIDR_MAX 64 /* "2001:db8::/32" and friends, NUL included */
#define WGM_CONFIG_ADDR_MAX 46 /* INET6_ADDRSTRLEN */
#define WGM_CONFIG_NAME_MAX 16 /* prefixes, link types, level names */
#define WGM_CONFIG_PATH_MAX 256
#define WGM_CONFIG_SOCKET_PATH_MAX 108 /* sizeof(sun_path), NUL included */
#define WGM_CONFIG_URL_MAX 512
#define WGM_CONFIG_MAX_ALLOWED_PEERS 64
#define WGM_CONFIG_LOCAL_AS_DEFAULT 64512u /* the first private 16-bit AS (RFC 6996) */
#define WGM_CONFIG_MAX_ALLOWED_PREFIXES 64
#define WGM_CONFIG_MAX_LINK_TYPES 4 /* default, wgobfs, ipt_xor, amneziawg */
#define WGM_CONFIG_PREFIX_MAX 6     /* so prefix+"Peer"+"255"+"v6" fits IFNAMSIZ */
/* handshakeTimeout, s: long enough for a joiner's daemon restart or a reboot
 * between the acceptor's reply and the joiner's first handshake. */
#define WGM_HANDSHAKE_TIMEOUT_DEFAULT 600
#define WGM_HANDSHAKE_TIMEOUT_MIN 10
/* xorRotateInterval, s: 6 h, so links rotate every 5-7 h (the original's). */
#define WGM_XOR_ROTATE_INTERVAL_DEFAULT 21600
#define WGM_AMNEZIAWG_VERSION_DEFAULT 2
#define WGM_CONFIG_METRICS_LISTEN_MAX 64 /* "[IPv6]:PORT" */

enum wgm_listen {
	WGM_LISTEN_LOCAL,  /* node API bound to 10.0.ID.1, reachable only through the mesh */
	WGM_LISTEN_PUBLIC, /* node API bound to every address */
};

enum wgm_backend {
	WGM_BACKEND_AUTO,
	WGM_BACKEND_KERNEL,
	WGM_BACKEND_USERSPACE,
};

enum wgm_operation_mode {
	WGM_OPMODE_LATENCY = 0,   /* costs from measured RTT, loss and jitter */
	WGM_OPMODE_BANDWIDTH = 2, /* cost = 20000 - Mbit/s from an iperf3 run per link */
};

struct wgm_config_bird {
	bool ospfv2;
	bool ospfv3;
	uint32_t area;
	unsigned tick; /* OSPF tick, s */
	bool client;   /* stub router: no transit through this node */
	char loglevel[WGM_CONFIG_NAME_MAX];
	unsigned reload_interval;     /* s, the longest a cost change waits */
	unsigned reload_percentage;   /* %, the smallest cost change that reaches BIRD */
	unsigned min_reload_interval; /* s, the shortest gap between reconfigures */
	bool fast_repair;             /* repair routes at once when BFD finds a link dead */
};

struct wgm_config_notifications {
	bool enabled;
	char gotify_up[WGM_CONFIG_URL_MAX];
	char gotify_down[WGM_CONFIG_URL_MAX];
	char gotify_error[WGM_CONFIG_URL_MAX];
	char gotify_diag[WGM_CONFIG_URL_MAX];
};

struct wgm_config {
	unsigned version;
	unsigned id;
	enum wgm_listen listen;
	uint16_t listen_port;
	uint16_t base_port; /* 0: a random port per link */
	enum wgm_operation_mode operation_mode;
	unsigned bandwidth_interval_s; /* bandwidth mode: each link measured this often */
	unsigned bandwidth_duration_s; /* for this long (iperf3 -t) */
	uint16_t bandwidth_port;       /* iperf3 servers' port, on every link address */
	unsigned vxlan_offset;
	char subnet[WGM_CONFIG_CIDR_MAX];
	char subnet_peer[WGM_CONFIG_CIDR_MAX];
	char subnet_vxlan[WGM_CONFIG_CIDR_MAX];
	char subnet_link_local[WGM_CONFIG_NAME_MAX]; /* "fe82:" */
	char allowed_peers[WGM_CONFIG_MAX_ALLOWED_PEERS][WGM_CONFIG_CIDR_MAX];
	size_t allowed_peers_count;
	uint32_t local_as; /* localAS: this mesh's AS number in BGP peering */
	/* Prefixes members may originate into the mesh beyond its own ranges (routing). */
	char allowed_prefixes[WGM_CONFIG_MAX_ALLOWED_PREFIXES][WGM_CONFIG_CIDR_MAX];
	size_t allowed_prefixes_count;
	char prefix[WGM_CONFIG_PREFIX_MAX + 1];
	char link_types[WGM_CONFIG_MAX_LINK_TYPES][WGM_CONFIG_NAME_MAX];
	size_t link_types_count;
	char default_link_type[WGM_CONFIG_NAME_MAX];
	unsigned amneziawg_version;     /* AWG wire version of the amneziawg links this node accepts: 1 or 2 */
	unsigned xor_rotate_interval_s; /* ipt_xor key rotation, s (each link: 5/6 to 7/6 of it); 0 = off */
	char connectivity_ipv4[WGM_CONFIG_ADDR_MAX]; /* "" = none (JSON null) */
	char connectivity_ipv6[WGM_CONFIG_ADDR_MAX]; /* "" = none (JSON null) */
	struct wgm_config_bird bird;
	struct wgm_config_notifications notifications;
	bool mesh; /* automatic mesh buildup */
	bool vxlan;
	unsigned probe_interval_ms;
	unsigned cost_event_window_s;
	unsigned jitter_threshold_ms; /* jitter that records a jitter event (1-1000) */
	unsigned hop_cost;            /* cost units (0.1 ms) every link adds: detours must win by more */
	unsigned handshake_timeout_s; /* an accepted link's first handshake; 0 = wait for ever */
	unsigned clean_after_s;       /* `wgmesh clean`: a link dead this long may go */
	unsigned repair_after_s;      /* self-repair: dead or lossy this long; 0 = off */
	unsigned repair_loss_pct;     /* self-repair: lossy from this loss %; 0 = dead links only */
	unsigned repair_cooldown_s;   /* self-repair: at most once per link this often */
	char state_dir[WGM_CONFIG_PATH_MAX];
	char socket[WGM_CONFIG_SOCKET_PATH_MAX];
	char bird_config[WGM_CONFIG_PATH_MAX];
	char bird_socket[WGM_CONFIG_SOCKET_PATH_MAX];
	enum wgm_backend backend;
	char wireguard_go[WGM_CONFIG_PATH_MAX];
	char log_level[WGM_CONFIG_NAME_MAX];
	char hooks_dir[WGM_CONFIG_PATH_MAX];                /* event hooks (docs/hooks.md) */
	unsigned hook_timeout_s;                            /* a hook run is killed after this */
	char metrics_listen[WGM_CONFIG_METRICS_LISTEN_MAX]; /* "" = no /metrics; else ADDRESS:PORT */
};

/* Every key at its default (id 0, listen local, no connectivity). */
void wgm_config_defaults(struct wgm_config *cfg);

/* Fills CFG from a current-version JSON object (run wgm_config_migrate first
 * for anything read from disk). Absent keys keep their defaults; unknown keys,
 * wrong types and invalid values are errors naming the key and the reason.
 * Validates cross-key rules too (the ID against the subnet, defaultLinkType in
 * linkTypes). Returns 0 or -EINVAL; CFG is untouched on error. */
int wgm_config_from_json(const json_t *json, struct wgm_config *cfg, char *err, size_t errlen);

/* Validates CFG as wgm_config_from_json would. Returns 0 or -EINVAL. */
int wgm_config_validate(const struct wgm_config *cfg, char *err, size_t errlen);

/* The JSON form of CFG, every key present, version current. NULL on ENOMEM. */
json_t *wgm_config_to_json(const struct wgm_config *cfg);

/* Upgrades JSON in place to WGM_CONFIG_VERSION. A config without "version"
 * is the original tool's layout. *CHANGED tells whether anything moved (so
 * `wgmesh migrate` can say so). Returns 0, -EINVAL (ERR says why) for a
 * version newer than this program or a step that cannot apply. */
int wgm_config_migrate(json_t *json, bool *changed, char *err, size_t errlen);

/* Reads PATH, migrates it and fills CFG. -ENOENT when the file is missing;
 * -EBADMSG for invalid JSON; -EINVAL for invalid values. ERR names PATH. */
int wgm_config_load(const char *path, struct wgm_config *cfg, char *err, size_t errlen);

/* Validates CFG and writes it to PATH atomically (mode 0644: it holds no
 * secret; keys live in stateDir). */
int wgm_config_save(const char *path, const struct wgm_config *cfg, char *err, size_t errlen);

/* `wgmesh set KEY VALUE`: KEY is one the table marks settable
 * (wgm_config_names(WGM_CONFIG_SET_KEYS)). AllowedPeers adds the CIDR, or removes it when present. The result is validated as a whole; on error
 * CFG is unchanged. Returns 1 when the daemon must restart for the change
 * to apply, 0 when it applies on reload, -ENOENT (unknown key) or -EINVAL. */
int wgm_config_set(struct wgm_config *cfg, const char *key, const char *value, char *err, size_t errlen);

/* `wgmesh enable|disable OPTION`: a boolean key's option name (mesh, vxlan,
 * ospfv2, ospfv3, client, notifications) or a link type other than default
 * (adds it to or removes it from linkTypes; disabling the defaultLinkType is
 * refused). Same contract as wgm_config_set. */
int wgm_config_enable(struct wgm_config *cfg, const char *option, bool on, char *err, size_t errlen);

/* The key table (one row per key in common/config/config_table.c) as the CLI's
 * listings, `--help` and the documentation check read it. */
enum wgm_config_name_set {
	WGM_CONFIG_SET_KEYS, /* what `wgmesh set` takes */
	WGM_CONFIG_OPTIONS,  /* what `wgmesh enable|disable` take */
};

/* "area, prefix, ..." into BUF (cut at LEN); returns the length written. */
size_t wgm_config_names(enum wgm_config_name_set set, char *buf, size_t len);

struct wgm_config_key_info {
	const char *section; /* NULL at the top level, else "bird", ... */
	const char *name;    /* as in the file, and as `set` takes it */
	bool settable;       /* `wgmesh set` accepts it */
	bool live;           /* the running daemon applies a change; else at its next start */
	const char *owner;   /* the daemon subsystem that applies it */
	const char *option;  /* its `enable`/`disable` name, or NULL */
	const char *expect;  /* what a valid value looks like, or NULL */
	bool secret;         /* holds a credential: never logged, never in events */
};

size_t wgm_config_key_count(void);
/* Whether a settable key's value is a credential (the Gotify URLs), so that
 * logs and events show it redacted. False for unknown keys. */
bool wgm_config_key_secret(const char *key);
/* -ENOENT past the last key. */
int wgm_config_key_info(size_t index, struct wgm_config_key_info *info);
/* The default value as compact JSON ("8080", "\"pipe\"", "[\"default\"]"). */
int wgm_config_key_default(size_t index, char *buf, size_t len);

const char *wgm_backend_name(enum wgm_backend backend);
int wgm_backend_from_name(const char *name, enum wgm_backend *backend);

#endif
