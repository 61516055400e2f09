/* A hook's environment, made from one control-socket event (pure: no I/O).
 *
 * Every scalar top-level field FIELD becomes WGMESH_FIELD (upper case, other
 * characters than letters and digits as '_'): WGMESH_EVENT, WGMESH_TS,
 * WGMESH_NAME, WGMESH_STATE, ... Two aliases name what a hook usually wants:
 * WGMESH_LINK (the event's "name", a link) and WGMESH_NODE (its "remote_id",
 * the node at the other end), taken from the "link" object when the event
 * has only that (link_added). WGMESH_SELF is this node's ID and
 * WGMESH_EVENT_JSON the whole event; PATH is a fixed system path. Nothing of
 * the daemon's own environment is passed on. */
#ifndef WGM_DAEMON_HOOK_ENV_H
#define WGM_DAEMON_HOOK_ENV_H

#include <jansson.h>

/* Longest value put in the environment; a longer string field is left out
 * (the event on stdin still has it), as is WGMESH_EVENT_JSON past it. */
#define HOOK_ENV_VALUE_MAX 16384
#define HOOK_ENV_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* A NULL-terminated "NAME=value" array for execve, or NULL (-ENOMEM, or an
 * event that is not an object). Free with hook_env_free. */
char **hook_env_build(const json_t *event, unsigned self_id);
void hook_env_free(char **env);
/* The value of NAME in ENV, or NULL. */
const char *hook_env_get(char *const *env, const char *name);

#endif
