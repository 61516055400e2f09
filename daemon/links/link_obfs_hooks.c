#include "daemon/links/link_obfs_hooks.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/util/log.h"
#include "daemon/links/link_obfs.h"

enum step { STEP_STAGED, STEP_CHANGED, STEP_SETTLED };

struct key_job {
	struct obfs_engine *engine;
	enum step step;
	struct link_record rec; /* the worker's copy; secret */
	int rc;
	char err[256];
};

static void key_job_run(void *ctx)
{
	struct key_job *j = ctx;

	switch (j->step) {
	case STEP_STAGED:
		/* Remade from the record: current key out, staged one accepted. */
		j->rc = obfs_link_up(j->engine, &j->rec, j->err, sizeof(j->err));
		break;
	case STEP_CHANGED:
		j->rc = obfs_engine_link_rekey(j->engine, j->rec.name, j->rec.obfs_key, LINK_KEY_LEN, j->err,
					       sizeof(j->err));
		break;
	case STEP_SETTLED:
		j->rc = obfs_engine_link_forget_old_key(j->engine, j->rec.name);
		break;
	}
}

static void key_job_done(void *ctx)
{
	struct key_job *j = ctx;

	if (j->rc < 0)
		log_err("link %s: obfuscation key step failed: %s", j->rec.name, j->err[0] ? j->err : strerror(-j->rc));
	link_record_wipe(&j->rec);
	sodium_free(j);
}

static void submit(struct obfs_hooks *h, struct link *link, enum step step)
{
	struct key_job *j;

	if (!h->engine || link->rec.link_type == WGM_LINK_DEFAULT)
		return;
	if (!(j = sodium_malloc(sizeof(*j)))) {
		log_err("link %s: obfuscation key step lost (out of memory)", link->rec.name);
		return;
	}
	memset(j, 0, sizeof(*j));
	j->engine = h->engine;
	j->step = step;
	j->rec = link->rec;
	if (worker_submit(h->worker, key_job_run, key_job_done, j) < 0) {
		log_err("link %s: obfuscation key step lost (out of memory)", link->rec.name);
		link_record_wipe(&j->rec);
		sodium_free(j);
	}
}

static void on_staged(struct link *link, void *ctx)
{
	submit(ctx, link, STEP_STAGED);
}

static void on_changed(struct link *link, const uint8_t old_key[LINK_KEY_LEN], void *ctx)
{
	submit(ctx, link, STEP_CHANGED);
}

static void on_settled(struct link *link, void *ctx)
{
	submit(ctx, link, STEP_SETTLED);
}

int obfs_hooks_register(struct obfs_hooks *h, struct links *links)
{
	struct links_hooks hooks = {
		.obfs_key_staged = on_staged, .obfs_key_changed = on_changed, .obfs_key_settled = on_settled, .ctx = h
	};

	return links_add_hooks(links, &hooks);
}
