/* The daemon's one event loop: epoll for file descriptors, timerfd timers,
 * signalfd signals. Single-threaded; every callback runs on the loop. */
#ifndef WGM_DAEMON_LOOP_H
#define WGM_DAEMON_LOOP_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>

struct loop;
struct loop_watch;
struct loop_timer;

/* events: EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP as reported by epoll. */
typedef void (*loop_fd_fn)(struct loop *loop, int fd, uint32_t events, void *ctx);
typedef void (*loop_timer_fn)(struct loop *loop, struct loop_timer *timer, void *ctx);
typedef void (*loop_signal_fn)(struct loop *loop, const struct signalfd_siginfo *info, void *ctx);

int loop_new(struct loop **out);
/* Owners free their watches and timers first (each has one owner); this
 * frees the loop and its signal handling and restores the signal mask. */
void loop_free(struct loop *loop);

/* Runs until loop_stop(). Returns 0, or a negative errno if epoll fails. */
int loop_run(struct loop *loop);
/* Callable from any callback: loop_run returns after the current dispatch. */
void loop_stop(struct loop *loop);

/* Watches fd for events (EPOLLIN/EPOLLOUT). Level-triggered. Removing any
 * watch (also the one being dispatched) from inside a callback is safe: a
 * removed watch never gets another callback. */
int loop_watch_add(struct loop *loop, int fd, uint32_t events, loop_fd_fn fn, void *ctx, struct loop_watch **out);
int loop_watch_modify(struct loop_watch *watch, uint32_t events);
/* NULL is ignored. Call before closing the fd. */
void loop_watch_remove(struct loop_watch *watch);

/* A timer starts disarmed. */
int loop_timer_new(struct loop *loop, loop_timer_fn fn, void *ctx, struct loop_timer **out);
/* Fires after delay_ms (0 = on the next loop iteration), then every
 * period_ms if period_ms > 0. Re-arming replaces the previous schedule. */
int loop_timer_arm(struct loop_timer *timer, uint64_t delay_ms, uint64_t period_ms);
/* loop_timer_new and loop_timer_arm in one: *OUT is NULL unless both worked. */
int loop_timer_start(struct loop *loop, loop_timer_fn fn, void *ctx, uint64_t delay_ms, uint64_t period_ms,
		     struct loop_timer **out);
void loop_timer_disarm(struct loop_timer *timer);
bool loop_timer_armed(const struct loop_timer *timer);
/* NULL is ignored. Safe from inside the timer's own callback. */
void loop_timer_free(struct loop_timer *timer);

/* Delivers signo (SIGTERM, SIGINT, SIGHUP, SIGCHLD, ...) to fn through a
 * signalfd; the signal is blocked for the process. One handler per signal:
 * adding a second replaces the first. Children inherit blocked signals, so
 * code that forks must restore loop_original_sigmask() in the child (or pass
 * it with posix_spawnattr_setsigmask). Like any pending signal, several
 * SIGCHLDs may arrive as one callback: reap with waitpid(WNOHANG) in a loop. */
int loop_signal_add(struct loop *loop, int signo, loop_signal_fn fn, void *ctx);
const sigset_t *loop_original_sigmask(const struct loop *loop);

#endif
