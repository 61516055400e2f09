#include "daemon/control/ctl_config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctl/ctlproto.h"
#include "common/util/log.h"

enum change_kind { CHANGE_SET, CHANGE_ENABLE, CHANGE_DISABLE };

static int apply_change(struct wgm_config *cfg, enum change_kind kind, const char *key, const char *value, char *err,
			size_t errlen)
{
	if (kind == CHANGE_SET)
		return wgm_config_set(cfg, key, value, err, errlen);
	return wgm_config_enable(cfg, key, kind == CHANGE_ENABLE, err, errlen);
}

static void change(struct ctl_request *req, const json_t *args, struct ctl_config *cc, enum change_kind kind)
{
	const char *key = json_string_value(json_object_get(args, kind == CHANGE_SET ? "key" : "option"));
	const char *value = json_string_value(json_object_get(args, "value"));
	struct wgm_config *file = malloc(sizeof(*file));
	char err[512];
	json_t *reply;
	bool live;
	int rc;

	if (!file) {
		ctl_request_reply(req, wgm_ctl_reply_error("out of memory"));
		return;
	}
	if (!key) {
		ctl_request_reply(req, wgm_ctl_reply_error("%s: missing", kind == CHANGE_SET ? "key" : "option"));
		goto out;
	}
	/* The file is the base, not the running config: changes that wait for
	 * a restart are in the file only, and must stay there. */
	rc = wgm_config_load(cc->config_path, file, err, sizeof(err));
	if (rc == 0)
		rc = apply_change(file, kind, key, value, err, sizeof(err));
	/* The key table says whether the running daemon applies the key (0) or
	 * only its next start does (1). */
	live = rc == 0;
	if (rc >= 0)
		rc = wgm_config_save(cc->config_path, file, err, sizeof(err));
	if (rc < 0) {
		ctl_request_reply(req, wgm_ctl_reply_error("%s", err));
		goto out;
	}
	/* A key needing a restart keeps its old value in the running daemon,
	 * which still works by it (addresses, names). */
	live = live && apply_change(cc->cfg, kind, key, value, err, sizeof(err)) >= 0;
	/* The log line is also an event any console sees: credentials stay out. */
	log_notice("config: %s %s%s%s, saved to %s%s",
		   kind == CHANGE_SET      ? "set"
		   : kind == CHANGE_ENABLE ? "enable"
					   : "disable",
		   key, value ? " " : "",
		   !value                       ? ""
		   : wgm_config_key_secret(key) ? (*value ? "(redacted)" : "\"\"")
						: value,
		   cc->config_path, live ? "" : "; applies after a restart");
	if (live && cc->changed)
		cc->changed(key, cc->ctx);
	reply = wgm_ctl_reply_ok();
	json_object_set_new(reply, "applied", json_boolean(live));
	json_object_set_new(reply, "restart", json_boolean(!live));
	ctl_request_reply(req, reply);
out:
	free(file);
}

static void handle_set(struct ctl_request *req, const json_t *args, void *ctx)
{
	change(req, args, ctx, CHANGE_SET);
}

static void handle_enable(struct ctl_request *req, const json_t *args, void *ctx)
{
	change(req, args, ctx, CHANGE_ENABLE);
}

static void handle_disable(struct ctl_request *req, const json_t *args, void *ctx)
{
	change(req, args, ctx, CHANGE_DISABLE);
}

int ctl_config_register(struct ctl_config *cc, struct ctl_server *ctl)
{
	int rc;

	if ((rc = ctl_server_register(ctl, WGM_CTL_CMD_SET, handle_set, cc)) < 0 ||
	    (rc = ctl_server_register(ctl, WGM_CTL_CMD_ENABLE, handle_enable, cc)) < 0 ||
	    (rc = ctl_server_register(ctl, WGM_CTL_CMD_DISABLE, handle_disable, cc)) < 0)
		return rc;
	return 0;
}
