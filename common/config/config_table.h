/* Inside common/config: the key table and what the files that read it
 * share (config_table.c holds the table and its lookups, config_parse.c
 * reads and validates, config_migrate.c upgrades old layouts, config.c has
 * defaults, writing, files and the operator's edits). Not for other parts:
 * they use config.h. */
#ifndef WGM_COMMON_CONFIG_TABLE_H
#define WGM_COMMON_CONFIG_TABLE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config/config.h"

/* One row per key: where it sits in the JSON, where it lives in the struct,
 * how it is checked, and what changing it takes. The parser, the serialiser,
 * the validator and `set` all read this table, so a key is added in one place. */
enum wgm_key_kind {
	WGM_KIND_BOOL,
	WGM_KIND_U16,
	WGM_KIND_UINT,
	WGM_KIND_U32,
	WGM_KIND_STRING,
	WGM_KIND_NULLABLE_STRING, /* JSON null <-> "" */
	WGM_KIND_LISTEN,
	WGM_KIND_BACKEND,
	WGM_KIND_OPMODE,
	WGM_KIND_STRING_LIST, /* AllowedPeers, AllowedPrefixes, linkTypes */
};

typedef bool (*wgm_string_check_fn)(const char *value);

struct wgm_key_desc {
	const char *section; /* NULL: top level */
	const char *name;
	enum wgm_key_kind kind;
	size_t offset;
	size_t size;         /* string buffer size, or list element size */
	size_t count_offset; /* lists: where the count lives */
	size_t max_items;    /* lists */
	unsigned long min, max;
	wgm_string_check_fn check;
	const char *expect; /* what a valid value looks like, for messages */
	bool live;          /* applied by the running daemon; else at its next start */
	bool settable;      /* `wgmesh set` accepts it */
	const char *owner;  /* the daemon subsystem that applies it (docs/architecture.md) */
	const char *option; /* the `enable`/`disable` name of a boolean key, or NULL */
	bool secret; /* the value holds a credential (a Gotify URL's app token): never logged or shown in events */
};

/* The table, in the order keys are written and listed. */
extern const struct wgm_key_desc wgm_config_keys[];
extern const size_t wgm_config_nkeys;
/* The link types, "default" first; the others are also options. */
#define WGM_CONFIG_LINK_TYPE_COUNT 4
extern const char *const wgm_config_link_type_names[WGM_CONFIG_LINK_TYPE_COUNT];

/* Lookups: NULL when there is no such key. */
const struct wgm_key_desc *wgm_config_find_key(const char *section, const char *name);
const struct wgm_key_desc *wgm_config_find_settable(const char *name);
const struct wgm_key_desc *wgm_config_find_option(const char *option);
bool wgm_config_is_section(const char *name);
/* "bird.area" for messages, "id" at the top level. */
void wgm_config_key_path(const struct wgm_key_desc *k, char *buf, size_t len);

int wgm_config_listen_from_name(const char *name, enum wgm_listen *listen);
const char *wgm_config_listen_name(enum wgm_listen listen);
bool wgm_config_backend_known(enum wgm_backend backend);
bool wgm_config_check_bird_loglevel(const char *v);

/* config_parse.c: a value against its key's check, and a copy into a
 * key's buffer; 0 or -EINVAL with the key named in err. */
int wgm_config_check_string_value(const struct wgm_key_desc *k, const char *v, char *err, size_t errlen);
int wgm_config_copy_string(const struct wgm_key_desc *k, char *dst, const char *src, char *err, size_t errlen);
/* config.c: one key's value as JSON (NULL when out of memory). */
json_t *wgm_config_key_to_json(const struct wgm_config *cfg, const struct wgm_key_desc *k);

/* Field access through a key's offsets. */
static inline void *field(struct wgm_config *cfg, const struct wgm_key_desc *k)
{
	return (char *)cfg + k->offset;
}

static inline const void *cfield(const struct wgm_config *cfg, const struct wgm_key_desc *k)
{
	return (const char *)cfg + k->offset;
}

static inline unsigned long get_number(const struct wgm_config *cfg, const struct wgm_key_desc *k)
{
	const void *p = cfield(cfg, k);
	switch (k->kind) {
	case WGM_KIND_U16:
		return *(const uint16_t *)p;
	case WGM_KIND_U32:
		return *(const uint32_t *)p;
	case WGM_KIND_OPMODE:
		return (unsigned long)*(const enum wgm_operation_mode *)p;
	default:
		return *(const unsigned *)p;
	}
}

static inline void set_number(struct wgm_config *cfg, const struct wgm_key_desc *k, unsigned long v)
{
	void *p = field(cfg, k);
	switch (k->kind) {
	case WGM_KIND_U16:
		*(uint16_t *)p = (uint16_t)v;
		break;
	case WGM_KIND_U32:
		*(uint32_t *)p = (uint32_t)v;
		break;
	case WGM_KIND_OPMODE:
		*(enum wgm_operation_mode *)p = (enum wgm_operation_mode)v;
		break;
	default:
		*(unsigned *)p = (unsigned)v;
		break;
	}
}

static inline size_t *list_count(struct wgm_config *cfg, const struct wgm_key_desc *k)
{
	return (size_t *)((char *)cfg + k->count_offset);
}

static inline size_t clist_count(const struct wgm_config *cfg, const struct wgm_key_desc *k)
{
	return *(const size_t *)((const char *)cfg + k->count_offset);
}

static inline char *list_item(struct wgm_config *cfg, const struct wgm_key_desc *k, size_t i)
{
	return (char *)field(cfg, k) + i * k->size;
}

static inline const char *clist_item(const struct wgm_config *cfg, const struct wgm_key_desc *k, size_t i)
{
	return (const char *)cfield(cfg, k) + i * k->size;
}

static inline bool is_number_kind(enum wgm_key_kind kind)
{
	return kind == WGM_KIND_U16 || kind == WGM_KIND_UINT || kind == WGM_KIND_U32 || kind == WGM_KIND_OPMODE;
}

#endif
