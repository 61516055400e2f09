/* bird_poll on a real loop against a fake BIRD listening on a Unix socket:
 * the period's command and a chained one, a BIRD that stops answering, and
 * a socket that appears after the first try. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/core/loop.h"
#include "daemon/routing/bird_poll.h"

struct fake {
	struct loop *loop;
	struct bird_poll *poll;
	char dir[64], path[96];
	int listen_fd, conn_fd;
	struct loop_watch *listen_watch, *conn_watch;
	bool silent;      /* reads commands, never answers */
	char heard[1024]; /* every command line, in order */
	int replies, downs, stop_after_replies;
	char last_down[512];
};

static void fake_on_command(struct loop *loop, int fd, uint32_t events, void *ctx)
{
	struct fake *f = ctx;
	char buf[256];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	(void)loop;
	(void)events;
	if (n <= 0) {
		loop_watch_remove(f->conn_watch);
		f->conn_watch = NULL;
		return;
	}
	buf[n] = '\0';
	strncat(f->heard, buf, sizeof(f->heard) - strlen(f->heard) - 1);
	/* One reply per command line. */
	for (char *p = buf; !f->silent && (p = strchr(p, '\n')); p++)
		assert_int_equal(write(fd, "0003 Reconfigured\n", 18), 18);
}

static void fake_on_accept(struct loop *loop, int fd, uint32_t events, void *ctx)
{
	struct fake *f = ctx;
	static const char welcome[] = "0001 BIRD 2.0.12 ready.\n";

	(void)events;
	f->conn_fd = accept(fd, NULL, NULL);
	assert_true(f->conn_fd >= 0);
	assert_int_equal(write(f->conn_fd, welcome, strlen(welcome)), (ssize_t)strlen(welcome));
	assert_int_equal(loop_watch_add(loop, f->conn_fd, EPOLLIN, fake_on_command, f, &f->conn_watch), 0);
}

static void fake_listen(struct fake *f)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->path);
	f->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(f->listen_fd >= 0);
	assert_int_equal(bind(f->listen_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(f->listen_fd, 4), 0);
	assert_int_equal(loop_watch_add(f->loop, f->listen_fd, EPOLLIN, fake_on_accept, f, &f->listen_watch), 0);
}

static void on_ask(void *ctx)
{
	struct fake *f = ctx;
	assert_int_equal(bird_poll_ask(f->poll, "show status"), 0);
}

/* Every first reply of a period asks a second command. */
static void on_reply(struct bird_reply *reply, void *ctx)
{
	struct fake *f = ctx;

	assert_int_equal(reply->code, 3);
	assert_true(bird_poll_welcomed(f->poll));
	if (++f->replies >= f->stop_after_replies) {
		loop_stop(f->loop);
		return;
	}
	if (f->replies % 2)
		assert_int_equal(bird_poll_ask(f->poll, "show route"), 0);
}

static void on_down(const char *err, void *ctx)
{
	struct fake *f = ctx;

	f->downs++;
	snprintf(f->last_down, sizeof(f->last_down), "%s", err);
	if (f->silent) {
		loop_stop(f->loop);
	} else if (f->listen_fd < 0) {
		/* The socket was missing: BIRD starts now. */
		fake_listen(f);
	}
}

static void on_guard(struct loop *loop, struct loop_timer *timer, void *ctx)
{
	(void)timer;
	(void)ctx;
	loop_stop(loop);
	fail_msg("the loop ran 20 s without finishing");
}

/* Runs the loop with a 20 ms poll until a hook stops it. */
static void run(struct fake *f, unsigned stall_ms)
{
	struct loop_timer *guard;
	struct bird_poll_deps deps = { .loop = f->loop,
				       .socket_path = f->path,
				       .first_ms = 0,
				       .period_ms = 20,
				       .stall_ms = stall_ms,
				       .ask = on_ask,
				       .reply = on_reply,
				       .down = on_down,
				       .ctx = f };

	assert_int_equal(bird_poll_new(&deps, &f->poll), 0);
	assert_int_equal(loop_timer_start(f->loop, on_guard, f, 20000, 0, &guard), 0);
	assert_int_equal(loop_run(f->loop), 0);
	loop_timer_free(guard);
	bird_poll_free(f->poll);
}

static int setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/wgm-bird-poll-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/bird.ctl", f->dir);
	f->listen_fd = f->conn_fd = -1;
	assert_int_equal(loop_new(&f->loop), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fake *f = *state;

	loop_watch_remove(f->conn_watch);
	loop_watch_remove(f->listen_watch);
	if (f->conn_fd >= 0)
		close(f->conn_fd);
	if (f->listen_fd >= 0)
		close(f->listen_fd);
	unlink(f->path);
	rmdir(f->dir);
	loop_free(f->loop);
	free(f);
	return 0;
}

static void test_each_period_asks_and_a_reply_may_ask_again(void **state)
{
	struct fake *f = *state;

	fake_listen(f);
	f->stop_after_replies = 4;
	run(f, 10000);
	assert_int_equal(f->replies, 4);
	assert_int_equal(f->downs, 0);
	assert_string_equal(f->heard, "show status\nshow route\nshow status\nshow route\n");
}

static void test_a_missing_reply_closes_and_says_which_command(void **state)
{
	struct fake *f = *state;

	fake_listen(f);
	f->silent = true;
	run(f, 50);
	assert_int_equal(f->replies, 0);
	assert_int_equal(f->downs, 1);
	assert_string_equal(f->last_down, "BIRD did not answer `show status`");
	assert_string_equal(f->heard, "show status\n");
}

static void test_a_missing_socket_is_said_and_tried_again(void **state)
{
	struct fake *f = *state;

	f->stop_after_replies = 1;
	run(f, 10000);
	assert_int_equal(f->downs, 1);
	assert_non_null(strstr(f->last_down, f->path));
	assert_int_equal(f->replies, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_each_period_asks_and_a_reply_may_ask_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_missing_reply_closes_and_says_which_command, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_missing_socket_is_said_and_tried_again, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
