#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <unistd.h>

#include "daemon/core/loop.h"
#include "common/util/clock.h"

struct counter {
	int fired;
	int stop_after;
	uint64_t first_ms;
};

static void count_and_maybe_stop(struct loop *loop, struct loop_timer *t, void *ctx)
{
	struct counter *c = ctx;
	if (c->fired++ == 0)
		c->first_ms = wgm_mono_ms();
	if (c->fired >= c->stop_after)
		loop_stop(loop);
}

static void test_one_shot_timer_fires_once_after_its_delay(void **state)
{
	struct loop *loop;
	struct loop_timer *t, *guard;
	struct counter c = { .stop_after = 100 }, g = { .stop_after = 1 };
	uint64_t start;

	assert_int_equal(loop_new(&loop), 0);
	assert_int_equal(loop_timer_new(loop, count_and_maybe_stop, &c, &t), 0);
	assert_int_equal(loop_timer_new(loop, count_and_maybe_stop, &g, &guard), 0);
	start = wgm_mono_ms();
	assert_int_equal(loop_timer_arm(t, 20, 0), 0);
	assert_int_equal(loop_timer_arm(guard, 120, 0), 0);
	assert_int_equal(loop_run(loop), 0);
	assert_int_equal(c.fired, 1);
	assert_true(c.first_ms - start >= 20);
	assert_false(loop_timer_armed(t));
	loop_timer_free(t);
	loop_timer_free(guard);
	loop_free(loop);
}

static void test_periodic_timer_repeats_until_disarmed(void **state)
{
	struct loop *loop;
	struct loop_timer *t;
	struct counter c = { .stop_after = 3 };

	assert_int_equal(loop_new(&loop), 0);
	assert_int_equal(loop_timer_new(loop, count_and_maybe_stop, &c, &t), 0);
	assert_int_equal(loop_timer_arm(t, 0, 5), 0);
	assert_int_equal(loop_run(loop), 0);
	assert_int_equal(c.fired, 3);
	assert_true(loop_timer_armed(t));
	loop_timer_disarm(t);
	assert_false(loop_timer_armed(t));
	loop_timer_free(t);
	loop_free(loop);
}

static void free_self(struct loop *loop, struct loop_timer *t, void *ctx)
{
	int *fired = ctx;
	(*fired)++;
	loop_timer_free(t);
	loop_stop(loop);
}

static void test_timer_may_free_itself_in_its_callback(void **state)
{
	struct loop *loop;
	struct loop_timer *t;
	int fired = 0;

	assert_int_equal(loop_new(&loop), 0);
	assert_int_equal(loop_timer_new(loop, free_self, &fired, &t), 0);
	assert_int_equal(loop_timer_arm(t, 1, 1), 0);
	assert_int_equal(loop_run(loop), 0);
	assert_int_equal(fired, 1);
	loop_free(loop);
}

struct pair_watch {
	int fds[2];
	struct loop_watch *watch;
	int calls;
	struct pair_watch *other;
};

/* Both pipes are readable in the same epoll batch; whichever runs first
 * removes the other, which then must not be called. */
static void remove_other(struct loop *loop, int fd, uint32_t events, void *ctx)
{
	struct pair_watch *p = ctx;
	p->calls++;
	loop_watch_remove(p->other->watch);
	loop_watch_remove(p->watch);
	loop_stop(loop);
}

static void test_watch_removed_during_dispatch_is_not_called(void **state)
{
	struct loop *loop;
	struct pair_watch a = { 0 }, b = { 0 };

	assert_int_equal(loop_new(&loop), 0);
	assert_int_equal(pipe(a.fds), 0);
	assert_int_equal(pipe(b.fds), 0);
	a.other = &b;
	b.other = &a;
	assert_int_equal(loop_watch_add(loop, a.fds[0], EPOLLIN, remove_other, &a, &a.watch), 0);
	assert_int_equal(loop_watch_add(loop, b.fds[0], EPOLLIN, remove_other, &b, &b.watch), 0);
	assert_int_equal(write(a.fds[1], "x", 1), 1);
	assert_int_equal(write(b.fds[1], "x", 1), 1);
	assert_int_equal(loop_run(loop), 0);
	assert_int_equal(a.calls + b.calls, 1);
	for (int i = 0; i < 2; i++) {
		close(a.fds[i]);
		close(b.fds[i]);
	}
	loop_free(loop);
}

static void read_byte_and_stop(struct loop *loop, int fd, uint32_t events, void *ctx)
{
	char ch;
	int *seen = ctx;
	if (read(fd, &ch, 1) == 1)
		*seen = ch;
	loop_stop(loop);
}

static void test_watch_modify_switches_to_writable(void **state)
{
	struct loop *loop;
	struct loop_watch *w;
	int fds[2], seen = 0;

	assert_int_equal(loop_new(&loop), 0);
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], "k", 1), 1);
	assert_int_equal(loop_watch_add(loop, fds[0], EPOLLIN, read_byte_and_stop, &seen, &w), 0);
	assert_int_equal(loop_run(loop), 0);
	assert_int_equal(seen, 'k');
	loop_watch_remove(w);
	assert_int_equal(loop_watch_add(loop, fds[1], 0, read_byte_and_stop, &seen, &w), 0);
	assert_int_equal(loop_watch_modify(w, EPOLLOUT), 0);
	seen = 0;
	assert_int_equal(loop_run(loop), 0); /* read on the write end fails; stop is what counts */
	assert_int_equal(seen, 0);
	loop_watch_remove(w);
	close(fds[0]);
	close(fds[1]);
	loop_free(loop);
}

static void on_signal(struct loop *loop, const struct signalfd_siginfo *info, void *ctx)
{
	int *signo = ctx;
	*signo = (int)info->ssi_signo;
	loop_stop(loop);
}

static void test_signal_is_delivered_to_its_callback(void **state)
{
	struct loop *loop;
	int got = 0;
	sigset_t now;

	assert_int_equal(loop_new(&loop), 0);
	assert_int_equal(loop_signal_add(loop, SIGHUP, on_signal, &got), 0);
	assert_int_equal(loop_signal_add(loop, SIGUSR1, on_signal, &got), 0);
	assert_int_equal(kill(getpid(), SIGUSR1), 0);
	assert_int_equal(loop_run(loop), 0);
	assert_int_equal(got, SIGUSR1);
	loop_free(loop);
	sigprocmask(SIG_BLOCK, NULL, &now);
	assert_false(sigismember(&now, SIGUSR1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_shot_timer_fires_once_after_its_delay),
		cmocka_unit_test(test_periodic_timer_repeats_until_disarmed),
		cmocka_unit_test(test_timer_may_free_itself_in_its_callback),
		cmocka_unit_test(test_watch_removed_during_dispatch_is_not_called),
		cmocka_unit_test(test_watch_modify_switches_to_writable),
		cmocka_unit_test(test_signal_is_delivered_to_its_callback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
