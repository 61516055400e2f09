/* Taking back the output pipe of a wireguard-go that an earlier run of the
 * daemon started and this run adopted (docs/backends.md). The process keeps
 * the pipe's read end at a known descriptor (the userspace backend puts it
 * there when it starts the process); pidfd_getfd (Linux >= 5.6, ptrace
 * rights over the process) copies it into this process. */
#ifndef WGM_COMMON_WG_RECLAIM_H
#define WGM_COMMON_WG_RECLAIM_H

#include <stddef.h>
#include <sys/types.h>

/* A close-on-exec copy of the read end that PID keeps at KEEP_FD, checked to
 * be the read end of the very pipe its stdout writes into; its stdout is
 * made non-blocking on the way (a full pipe must lose lines, never stop the
 * process). Returns the descriptor, or -errno with one line in err:
 * -ENOSYS or -EPERM when the kernel or our rights do not allow it, -EPROTO
 * when the process does not hold such a pipe (not started by wgmeshd). */
int wgm_wg_output_reclaim(pid_t pid, int keep_fd, char *err, size_t errlen);

#endif
