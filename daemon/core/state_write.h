/* Writes a state file from the loop without waiting on the disk: the JSON is
 * serialised by the caller's thread and written (temp file, fsync, rename) on
 * the worker, in order with the link changes queued before it. */
#ifndef WGM_DAEMON_STATE_WRITE_H
#define WGM_DAEMON_STATE_WRITE_H

#include <jansson.h>
#include <sys/types.h>

#include "daemon/core/worker.h"

/* Takes ownership of json (wiped after writing: it may hold secrets).
 * Errors are logged with the path. 0 or -ENOMEM. */
int state_write_async(struct worker *worker, const char *path, json_t *json, mode_t mode);

/* The same, and DONE runs on the loop once the file is on disk (rc 0) or the
 * write failed (rc < 0, err one line, also logged): for a reply that must not
 * leave before its state is durable. On -ENOMEM DONE is not called. */
typedef void (*state_write_done_fn)(int rc, const char *err, void *ctx);
int state_write_async_then(struct worker *worker, const char *path, json_t *json, mode_t mode, state_write_done_fn done,
			   void *ctx);

#endif
