/* The link records on disk: stateDir/links/NAME.json, one per link, written
 * atomically with mode 0600. */
#ifndef WGM_DAEMON_LINK_STORE_H
#define WGM_DAEMON_LINK_STORE_H

#include <stddef.h>

#include "daemon/links/link_record.h"

/* Writes REC to DIR/links/NAME.json atomically. 0 or negative errno, err one line. */
int link_store_save(const char *state_dir, const struct link_record *rec, char *err, size_t errlen);
/* Removes the record of NAME; a missing file is not an error. */
int link_store_remove(const char *state_dir, const char *name, char *err, size_t errlen);

/* Called for a file that cannot be used (invalid JSON or fields, or a name
 * that does not match its file): the daemon reports it and leaves the file for
 * the operator rather than deleting what might be the only copy of a key. */
typedef void (*link_store_bad_fn)(const char *path, const char *reason, void *ctx);

/* Reads every record into a malloc'ed array (*out, *count; free with
 * link_store_free_all). A missing links/ directory is an empty store. */
int link_store_load_all(const char *state_dir, struct link_record **out, size_t *count, link_store_bad_fn bad,
			void *ctx, char *err, size_t errlen);
void link_store_free_all(struct link_record *records, size_t count);

#endif
