/* wgmeshd: the wgmesh daemon. It always runs in the foreground; systemd
 * (Type=notify) or the lab supervises it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/config/config.h"
#include "common/util/log.h"
#include "daemon/daemon.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: wgmeshd [--config PATH] [--foreground]\n\n"
		"The wgmesh daemon. It runs in the foreground (the only mode; --foreground\n"
		"is accepted for clarity), logs to stderr (journald under systemd), and\n"
		"tells systemd READY=1 once its control socket serves.\n\n"
		"  --config PATH   node configuration (default %s)\n"
		"  --foreground    run in the foreground (always the case)\n"
		"  --help          this text\n"
		"  --version       print the version\n\n"
		"Stops cleanly on SIGTERM or SIGINT.\n",
		WGM_CONFIG_DEFAULT_PATH);
}

int main(int argc, char **argv)
{
	const char *config_path = WGM_CONFIG_DEFAULT_PATH;
	struct wgm_config cfg;
	struct daemon d;
	char err[512];
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("wgmeshd %s\n", WGM_VERSION);
			return 0;
		} else if (strcmp(argv[i], "--foreground") == 0) {
			continue;
		} else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc && argv[i + 1][0]) {
			config_path = argv[++i];
		} else {
			fprintf(stderr, "wgmeshd: unknown or incomplete argument '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	rc = wgm_config_load(config_path, &cfg, err, sizeof(err));
	if (rc < 0) {
		log_err("%s%s", err, rc == -ENOENT ? " (run `wgmesh init` first)" : "");
		return 1;
	}
	rc = daemon_start(&d, &cfg, config_path, err, sizeof(err));
	if (rc < 0) {
		log_err("%s", err);
		return 1;
	}
	rc = daemon_run(&d);
	daemon_stop(&d);
	if (rc < 0) {
		log_err("event loop failed: %s", strerror(-rc));
		return 1;
	}
	log_notice("stopped");
	return 0;
}
