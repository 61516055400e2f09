/* State files: atomic writes and strict reads, so a crash leaves either the
 * old or the new content and a torn file is never taken for valid state. */
#ifndef WGM_COMMON_STATEFILE_H
#define WGM_COMMON_STATEFILE_H

#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

/* Modes for the files we write: secrets (keys, tokens) are owner-only. */
#define WGM_STATEFILE_MODE_SECRET 0600
#define WGM_STATEFILE_MODE_PUBLIC 0644
/* The state directory holds secrets too. */
#define WGM_STATEFILE_DIR_MODE 0700

/* Creates DIR and any missing parents with MODE (existing ones are left as
 * they are). Returns 0 or a negative errno; on error ERR names the directory. */
int wgm_statefile_ensure_dir(const char *dir, mode_t mode, char *err, size_t errlen);

/* Replaces PATH with DATA atomically: a temporary file in the same directory,
 * fsync, rename over PATH, fsync of the directory. The file gets exactly MODE
 * (umask does not apply). A missing parent directory is created with
 * WGM_STATEFILE_DIR_MODE. Returns 0 or a negative errno; ERR gets one line. */
int wgm_statefile_write(const char *path, const void *data, size_t len, mode_t mode, char *err, size_t errlen);

/* As wgm_statefile_write, with JSON serialised (indented, keys in insertion
 * order, trailing newline). */
int wgm_statefile_write_json(const char *path, const json_t *json, mode_t mode, char *err, size_t errlen);

/* As wgm_statefile_write_json without the fsyncs: still atomic (temporary file
 * and rename), so a crash of the process leaves the old or the new content,
 * but a power loss may lose the last writes. For state written on every
 * request, where a disk flush each time would slow the node API down. */
int wgm_statefile_write_json_unsynced(const char *path, const json_t *json, mode_t mode, char *err, size_t errlen);

/* Reads PATH as one JSON value. A missing file gives -ENOENT; an empty,
 * truncated or otherwise invalid file (or duplicate keys) gives -EBADMSG; ERR
 * names the file and the reason. On success *OUT holds a new reference. */
int wgm_statefile_read_json(const char *path, json_t **out, char *err, size_t errlen);

#endif
