#include "common/util/inotify_wall.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

bool wgm_inotify_wall_line(const char *line)
{
	/* wireguard-go: logger.Errorf("Failed to listen on uapi socket: %v", err)
	 * with err EMFILE from inotify_init; the prefix carries its tag and time. */
	return line && strstr(line, "Failed to listen on uapi socket") && strstr(line, "too many open files");
}

void wgm_inotify_wall_explain(long current, char *out, size_t len)
{
	char now[32];

	if (current >= 0)
		snprintf(now, sizeof(now), "%ld", current);
	else
		snprintf(now, sizeof(now), "unknown");
	snprintf(out, len,
		 "inotify instance limit reached: each wireguard-go takes one and %s is %s, so no new link can start; "
		 "raise it: sysctl -w %s=%d (as /etc/sysctl.d/99-wgmesh.conf does)",
		 WGM_INOTIFY_WALL_SYSCTL, now, WGM_INOTIFY_WALL_SYSCTL, WGM_INOTIFY_WALL_RECOMMENDED);
}

long wgm_inotify_wall_current(void)
{
	FILE *f = fopen(WGM_INOTIFY_WALL_PROC, "re");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

bool wgm_inotify_wall_reached(void)
{
	int fd = inotify_init1(IN_CLOEXEC);

	if (fd < 0)
		return errno == EMFILE;
	close(fd);
	return false;
}
