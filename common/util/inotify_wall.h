/* The inotify wall: each wireguard-go (userspace backend) takes one inotify
 * instance for its UAPI socket, and the kernel allows a user
 * fs.inotify.max_user_instances of them (128 by default). Past it every new
 * wireguard-go exits at once with "Failed to listen on uapi socket: too many
 * open files", so a node with more than about 64 dual-stack peers (or a lab
 * of 16 nodes on one machine) cannot make new links. This recognises that
 * line and words the one-line explanation the daemon logs. */
#ifndef WGM_COMMON_INOTIFY_WALL_H
#define WGM_COMMON_INOTIFY_WALL_H

#include <stdbool.h>
#include <stddef.h>

#define WGM_INOTIFY_WALL_SYSCTL "fs.inotify.max_user_instances"
#define WGM_INOTIFY_WALL_PROC "/proc/sys/fs/inotify/max_user_instances"
/* What packaging/99-wgmesh.conf sets: one instance per link for the most
 * links a node can have (WGM_ADDRPLAN_PORT_RANGE listen ports, 1024) plus the
 * kernel's default 128 left for everything else on the machine. */
#define WGM_INOTIFY_WALL_RECOMMENDED 1152

/* Pure: whether LINE (one line of wireguard-go's output) says it could not
 * listen on its UAPI socket because of too many open files. */
bool wgm_inotify_wall_line(const char *line);

/* Pure: the explanation, one line, for limit CURRENT (-1: unknown). */
void wgm_inotify_wall_explain(long current, char *out, size_t len);

/* The limit now in force, from WGM_INOTIFY_WALL_PROC; -1 when unreadable. */
long wgm_inotify_wall_current(void);

/* Whether this process's user is at the limit now (an inotify instance of
 * its own is refused with EMFILE). */
bool wgm_inotify_wall_reached(void);

#endif
