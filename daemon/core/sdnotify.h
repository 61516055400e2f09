/* The systemd notify protocol without libsystemd: one datagram per message
 * to the AF_UNIX socket named by $NOTIFY_SOCKET ('@' = abstract name). */
#ifndef WGM_DAEMON_SDNOTIFY_H
#define WGM_DAEMON_SDNOTIFY_H

#include <stdint.h>

#include "daemon/core/loop.h"

/* Sends state ("READY=1", "STATUS=serving", "STOPPING=1", "WATCHDOG=1";
 * several may be joined by '\n'). Returns 1 when sent, 0 when not run
 * under systemd ($NOTIFY_SOCKET unset), or a negative errno. */
int sdnotify_send(const char *state);

/* The watchdog interval systemd asked for ($WATCHDOG_USEC, honoured only
 * when $WATCHDOG_PID is unset or ours), in microseconds; 0 when none. */
uint64_t sdnotify_watchdog_usec(void);

/* Starts a periodic loop timer that sends WATCHDOG=1 at half the interval.
 * Sets *out to NULL (and returns 0) when systemd wants no watchdog; free
 * the timer with loop_timer_free. */
int sdnotify_watchdog_start(struct loop *loop, struct loop_timer **out);

#endif
