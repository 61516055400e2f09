#include "daemon/hooks/hook_policy.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/util/err.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

bool hook_name_ok(const char *name)
{
	static const char *const skip_suffix[] = { "~",        ".dpkg-old", ".dpkg-dist", ".dpkg-new", ".dpkg-tmp",
						   ".rpmsave", ".rpmnew",   ".rpmorig",   ".swp" };

	if (!name[0] || name[0] == '.' || strlen(name) >= HOOK_NAME_MAX || strstr(name, ".ucf-"))
		return false;
	for (size_t i = 0; i < WGM_ARRAY_LEN(skip_suffix); i++)
		if (ends_with(name, skip_suffix[i]))
			return false;
	return true;
}

static enum hook_file owner_check(const struct stat *st, uid_t daemon_uid)
{
	if (st->st_uid != 0 && st->st_uid != daemon_uid)
		return HOOK_FILE_BAD_OWNER;
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return HOOK_FILE_WRITABLE;
	return HOOK_FILE_OK;
}

enum hook_file hook_file_check(const struct stat *st, uid_t daemon_uid)
{
	if (!S_ISREG(st->st_mode))
		return HOOK_FILE_NOT_REGULAR;
	if (!(st->st_mode & S_IXUSR))
		return HOOK_FILE_NOT_EXECUTABLE;
	return owner_check(st, daemon_uid);
}

enum hook_file hook_dir_check(const struct stat *st, uid_t daemon_uid)
{
	if (!S_ISDIR(st->st_mode))
		return HOOK_FILE_NOT_REGULAR;
	return owner_check(st, daemon_uid);
}

const char *hook_file_reason(enum hook_file why)
{
	switch (why) {
	case HOOK_FILE_OK:
		return "ok";
	case HOOK_FILE_NOT_REGULAR:
		return "not a regular file";
	case HOOK_FILE_NOT_EXECUTABLE:
		return "not executable";
	case HOOK_FILE_BAD_OWNER:
		return "owned by neither root nor the daemon's user";
	case HOOK_FILE_WRITABLE:
		return "writable by group or others";
	}
	return "unusable";
}

int hook_queue_push(struct hook_queue *q, const char *name, json_t *event)
{
	struct hook_job *job;

	if (q->count >= HOOK_QUEUE_MAX) {
		q->dropped++;
		return -ENOSPC;
	}
	job = &q->jobs[q->count++];
	snprintf(job->name, sizeof(job->name), "%s", name);
	job->event = json_incref(event);
	return 0;
}

bool hook_queue_pop(struct hook_queue *q, bool (*busy)(const char *name, void *ctx), void *ctx, struct hook_job *out)
{
	for (size_t i = 0; i < q->count; i++) {
		if (busy(q->jobs[i].name, ctx))
			continue;
		*out = q->jobs[i];
		memmove(&q->jobs[i], &q->jobs[i + 1], (q->count - i - 1) * sizeof(q->jobs[0]));
		q->count--;
		return true;
	}
	return false;
}

unsigned long hook_queue_take_dropped(struct hook_queue *q)
{
	unsigned long n = q->dropped;

	q->dropped = 0;
	return n;
}

void hook_queue_clear(struct hook_queue *q)
{
	for (size_t i = 0; i < q->count; i++)
		json_decref(q->jobs[i].event);
	q->count = 0;
}

bool hook_outcome_should_log(enum hook_outcome *last, enum hook_outcome now)
{
	bool log = now != *last;

	*last = now;
	return log;
}
