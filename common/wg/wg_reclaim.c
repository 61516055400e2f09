#include "common/wg/wg_reclaim.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <unistd.h>

/* True when both are the same pipe, r its read end and w its write end. */
static bool same_pipe(int r, int w)
{
	struct stat rs, ws;
	int rf = fcntl(r, F_GETFL), wf = fcntl(w, F_GETFL);

	if (fstat(r, &rs) < 0 || fstat(w, &ws) < 0 || rf < 0 || wf < 0)
		return false;
	return S_ISFIFO(rs.st_mode) && S_ISFIFO(ws.st_mode) && rs.st_dev == ws.st_dev && rs.st_ino == ws.st_ino &&
	       (rf & O_ACCMODE) == O_RDONLY && (wf & O_ACCMODE) == O_WRONLY;
}

int wgm_wg_output_reclaim(pid_t pid, int keep_fd, char *err, size_t errlen)
{
	int pidfd, r = -1, w = -1, e;

	pidfd = pidfd_open(pid, 0);
	if (pidfd < 0) {
		e = -errno;
		snprintf(err, errlen, "pidfd_open: %s", strerror(-e));
		return e;
	}
	r = pidfd_getfd(pidfd, keep_fd, 0);
	if (r >= 0)
		w = pidfd_getfd(pidfd, STDOUT_FILENO, 0);
	if (r < 0 || w < 0) {
		e = -errno;
		snprintf(err, errlen, "pidfd_getfd: %s", strerror(-e));
		/* EBADF: it has no such descriptor, so it is not one of ours. */
		if (e == -EBADF)
			e = -EPROTO;
		goto out;
	}
	if (!same_pipe(r, w)) {
		snprintf(err, errlen, "descriptor %d is not the read end of its output pipe", keep_fd);
		e = -EPROTO;
		goto out;
	}
	/* The write end's open file is shared with the process. */
	e = fcntl(w, F_GETFL);
	if (e < 0 || fcntl(w, F_SETFL, e | O_NONBLOCK) < 0) {
		e = -errno;
		snprintf(err, errlen, "make its output non-blocking: %s", strerror(-e));
		goto out;
	}
	e = r;
	r = -1;
out:
	if (r >= 0)
		close(r);
	if (w >= 0)
		close(w);
	close(pidfd);
	return e;
}
