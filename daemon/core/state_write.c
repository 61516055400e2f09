#include "daemon/core/state_write.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/api/json_secret.h"
#include "common/util/log.h"
#include "common/config/statefile.h"

struct state_write_job {
	char *path;
	json_t *json;
	mode_t mode;
	int rc;
	char err[256];
	state_write_done_fn done;
	void *ctx;
};

static void run_write(void *ctx)
{
	struct state_write_job *job = ctx;

	job->rc = wgm_statefile_write_json(job->path, job->json, job->mode, job->err, sizeof(job->err));
}

static void write_done(void *ctx)
{
	struct state_write_job *job = ctx;

	if (job->rc < 0)
		log_err("cannot save state: %s", job->err);
	if (job->done)
		job->done(job->rc, job->err, job->ctx);
	wgm_json_decref_wiped(job->json);
	free(job->path);
	free(job);
}

int state_write_async(struct worker *worker, const char *path, json_t *json, mode_t mode)
{
	return state_write_async_then(worker, path, json, mode, NULL, NULL);
}

int state_write_async_then(struct worker *worker, const char *path, json_t *json, mode_t mode, state_write_done_fn done,
			   void *ctx)
{
	struct state_write_job *job = calloc(1, sizeof(*job));

	if (!job || !(job->path = strdup(path))) {
		free(job);
		wgm_json_decref_wiped(json);
		return -ENOMEM;
	}
	job->json = json;
	job->mode = mode;
	job->done = done;
	job->ctx = ctx;
	if (worker_submit(worker, run_write, write_done, job) < 0) {
		wgm_json_decref_wiped(job->json);
		free(job->path);
		free(job);
		return -ENOMEM;
	}
	return 0;
}
