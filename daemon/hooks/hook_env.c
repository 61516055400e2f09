#include "daemon/hooks/hook_env.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct env_list {
	char **v;
	size_t n, cap;
	int failed;
};

static void env_add(struct env_list *l, const char *name, const char *value)
{
	size_t len;
	char *entry;

	if (l->failed || strlen(value) > HOOK_ENV_VALUE_MAX)
		return;
	if (l->n + 2 > l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 32;
		char **grown = realloc(l->v, ncap * sizeof(*grown));
		if (!grown) {
			l->failed = 1;
			return;
		}
		l->v = grown;
		l->cap = ncap;
	}
	len = strlen(name) + strlen(value) + 2;
	entry = malloc(len);
	if (!entry) {
		l->failed = 1;
		return;
	}
	snprintf(entry, len, "%s=%s", name, value);
	l->v[l->n++] = entry;
	l->v[l->n] = NULL;
}

/* "remote_id" -> "WGMESH_REMOTE_ID"; false for a key that makes no name. */
static bool env_name(const char *key, char *buf, size_t len)
{
	size_t k = snprintf(buf, len, "WGMESH_");

	if (!key[0] || k + strlen(key) >= len)
		return false;
	for (const char *c = key; *c; c++)
		buf[k++] = isalnum((unsigned char)*c) ? (char)toupper((unsigned char)*c) : '_';
	buf[k] = '\0';
	return true;
}

/* Scalars as text; false for objects and arrays (only in the JSON). */
static bool scalar_text(const json_t *v, char *buf, size_t len, const char **out)
{
	if (!v)
		return false;
	switch (json_typeof(v)) {
	case JSON_STRING:
		/* An embedded NUL would cut the value short: leave such a field out. */
		if (strlen(json_string_value(v)) != json_string_length(v))
			return false;
		*out = json_string_value(v);
		return true;
	case JSON_INTEGER:
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		snprintf(buf, len, "%.3f", json_real_value(v));
		break;
	case JSON_TRUE:
		snprintf(buf, len, "true");
		break;
	case JSON_FALSE:
		snprintf(buf, len, "false");
		break;
	case JSON_NULL:
		buf[0] = '\0';
		break;
	default:
		return false;
	}
	*out = buf;
	return true;
}

char **hook_env_build(const json_t *event, unsigned self_id)
{
	struct env_list l = { 0 };
	const char *key, *value;
	json_t *v, *link;
	char name[96], num[64], *dump;

	if (!json_is_object(event))
		return NULL;
	env_add(&l, "PATH", HOOK_ENV_PATH + 5);
	snprintf(num, sizeof(num), "%u", self_id);
	env_add(&l, "WGMESH_SELF", num);
	json_object_foreach ((json_t *)event, key, v) {
		if (!env_name(key, name, sizeof(name)) || !scalar_text(v, num, sizeof(num), &value))
			continue;
		env_add(&l, name, value);
		if (strcmp(key, "name") == 0)
			env_add(&l, "WGMESH_LINK", value);
		else if (strcmp(key, "remote_id") == 0)
			env_add(&l, "WGMESH_NODE", value);
	}
	/* link_added carries only the whole link: name it all the same. */
	link = json_object_get(event, "link");
	if (!json_object_get(event, "name") && json_is_string(json_object_get(link, "name")))
		env_add(&l, "WGMESH_LINK", json_string_value(json_object_get(link, "name")));
	if (!json_object_get(event, "remote_id") &&
	    scalar_text(json_object_get(link, "remote_id"), num, sizeof(num), &value))
		env_add(&l, "WGMESH_NODE", value);
	dump = json_dumps(event, JSON_COMPACT);
	if (!dump)
		l.failed = 1;
	else
		env_add(&l, "WGMESH_EVENT_JSON", dump);
	free(dump);
	if (l.failed) {
		hook_env_free(l.v);
		return NULL;
	}
	return l.v;
}

void hook_env_free(char **env)
{
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}

const char *hook_env_get(char *const *env, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; env && env[i]; i++)
		if (strncmp(env[i], name, len) == 0 && env[i][len] == '=')
			return env[i] + len + 1;
	return NULL;
}
