/* The rules of event hooks (pure: no I/O, no clock): which files in the
 * hooks directory run, the queue of runs waiting for a free slot, and when
 * an outcome is worth a log line. docs/hooks.md says the same to operators. */
#ifndef WGM_DAEMON_HOOK_POLICY_H
#define WGM_DAEMON_HOOK_POLICY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#define HOOK_NAME_MAX 128
/* Hooks running at once, and runs waiting for a slot; past that an event's
 * runs are dropped (and counted). */
#define HOOKS_MAX_RUNNING 4
#define HOOK_QUEUE_MAX 64
/* Files looked at in the directory (sorted by name; the rest are ignored). */
#define HOOKS_MAX_FILES 64

/* Names run-parts would skip too: hidden files, editor backups and package
 * manager leftovers (foo~, foo.dpkg-old, foo.dpkg-dist, foo.dpkg-new,
 * foo.ucf-*, foo.rpmsave, foo.rpmnew, foo.swp), and names too long. */
bool hook_name_ok(const char *name);

enum hook_file {
	HOOK_FILE_OK,
	HOOK_FILE_NOT_REGULAR,
	HOOK_FILE_NOT_EXECUTABLE,
	HOOK_FILE_BAD_OWNER, /* neither root nor the daemon's user */
	HOOK_FILE_WRITABLE,  /* group or world may write it */
};

/* Whether a file (ST, symlinks followed) may run: a regular file, executable
 * by its owner, owned by root or DAEMON_UID, not writable by group or others:
 * only someone who could change the daemon itself may make it run code. */
enum hook_file hook_file_check(const struct stat *st, uid_t daemon_uid);
/* The hooks directory itself: owned by root or DAEMON_UID and not group or
 * world writable (else anyone could swap a file for a link to /sbin/reboot).
 * HOOK_FILE_NOT_REGULAR here means not a directory. */
enum hook_file hook_dir_check(const struct stat *st, uid_t daemon_uid);
/* "not a regular file", ...; for log lines. */
const char *hook_file_reason(enum hook_file why);

/* One run waiting: the hook's file name and the event (a reference). */
struct hook_job {
	char name[HOOK_NAME_MAX];
	json_t *event;
};

/* Runs wait in event order. A hook never runs twice at once, so one hook
 * sees events in the order they happened; other hooks overtake it. */
struct hook_queue {
	struct hook_job jobs[HOOK_QUEUE_MAX];
	size_t count;
	unsigned long dropped; /* runs refused since the last hook_queue_take_dropped */
};

/* Queues a run (takes a reference to event). -ENOSPC when full: the run is
 * dropped and counted. */
int hook_queue_push(struct hook_queue *q, const char *name, json_t *event);
/* Takes the oldest job whose hook is not busy (busy(name, ctx) says whether
 * it runs now) into *out; false when there is none. The caller owns
 * out->event. */
bool hook_queue_pop(struct hook_queue *q, bool (*busy)(const char *name, void *ctx), void *ctx, struct hook_job *out);
/* Returns the dropped count and starts it over. */
unsigned long hook_queue_take_dropped(struct hook_queue *q);
/* Drops every job (releasing the events). */
void hook_queue_clear(struct hook_queue *q);

enum hook_outcome {
	HOOK_OK,
	HOOK_EXEC_FAILED, /* could not be started */
	HOOK_EXIT_STATUS, /* exited non-zero */
	HOOK_SIGNALED,    /* killed by a signal, not by us */
	HOOK_TIMED_OUT,   /* killed after hookTimeout */
};

/* Failures are logged once per hook and cause: true when NOW should be
 * logged given the last logged outcome *LAST (a failure that differs from
 * it, or the first success after a failure), which it then updates. */
bool hook_outcome_should_log(enum hook_outcome *last, enum hook_outcome now);

#endif
