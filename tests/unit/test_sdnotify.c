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
#include "daemon/core/sdnotify.h"

struct receiver {
	int fd;
	char name[108];
};

/* A datagram socket bound like systemd's, at a path or an abstract name. */
static void receiver_open(struct receiver *r, bool abstract)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	socklen_t len;

	r->fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	assert_true(r->fd >= 0);
	if (abstract) {
		snprintf(r->name, sizeof(r->name), "@wgm-sdnotify-test-%d", (int)getpid());
		memcpy(addr.sun_path + 1, r->name + 1, strlen(r->name) - 1);
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(r->name));
	} else {
		snprintf(r->name, sizeof(r->name), "/tmp/wgm-sdnotify-%d.sock", (int)getpid());
		unlink(r->name);
		snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", r->name);
		len = sizeof(addr);
	}
	assert_int_equal(bind(r->fd, (struct sockaddr *)&addr, len), 0);
	setenv("NOTIFY_SOCKET", r->name, 1);
}

static void receiver_close(struct receiver *r)
{
	close(r->fd);
	if (r->name[0] == '/')
		unlink(r->name);
	unsetenv("NOTIFY_SOCKET");
}

static void expect_datagram(struct receiver *r, const char *want)
{
	char buf[256];
	ssize_t n = recv(r->fd, buf, sizeof(buf) - 1, 0);

	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, want);
}

static void test_ready_reaches_a_path_socket(void **state)
{
	struct receiver r;

	receiver_open(&r, false);
	assert_int_equal(sdnotify_send("READY=1\nSTATUS=serving"), 1);
	expect_datagram(&r, "READY=1\nSTATUS=serving");
	receiver_close(&r);
}

static void test_ready_reaches_an_abstract_socket(void **state)
{
	struct receiver r;

	receiver_open(&r, true);
	assert_int_equal(sdnotify_send("STOPPING=1"), 1);
	expect_datagram(&r, "STOPPING=1");
	receiver_close(&r);
}

static void test_without_notify_socket_nothing_is_sent(void **state)
{
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(sdnotify_send("READY=1"), 0);
}

static void test_watchdog_for_another_pid_is_ignored(void **state)
{
	setenv("WATCHDOG_USEC", "4000000", 1);
	setenv("WATCHDOG_PID", "1", 1);
	assert_int_equal(sdnotify_watchdog_usec(), 0);
	unsetenv("WATCHDOG_PID");
	assert_int_equal(sdnotify_watchdog_usec(), 4000000);
	unsetenv("WATCHDOG_USEC");
}

struct pings {
	int count;
};

static void count_ping(struct loop *loop, int fd, uint32_t events, void *ctx)
{
	struct pings *p = ctx;
	char buf[64];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "WATCHDOG=1");
	if (++p->count == 2)
		loop_stop(loop);
}

static void test_watchdog_pings_repeatedly(void **state)
{
	struct receiver r;
	struct loop *loop;
	struct loop_timer *wd;
	struct loop_watch *watch;
	struct pings p = { 0 };

	receiver_open(&r, false);
	setenv("WATCHDOG_USEC", "40000", 1); /* 40 ms: a ping every 20 ms */
	assert_int_equal(loop_new(&loop), 0);
	assert_int_equal(sdnotify_watchdog_start(loop, &wd), 0);
	assert_non_null(wd);
	assert_int_equal(loop_watch_add(loop, r.fd, EPOLLIN, count_ping, &p, &watch), 0);
	assert_int_equal(loop_run(loop), 0);
	assert_int_equal(p.count, 2);
	loop_watch_remove(watch);
	loop_timer_free(wd);
	loop_free(loop);
	unsetenv("WATCHDOG_USEC");
	receiver_close(&r);
}

static void test_no_watchdog_no_timer(void **state)
{
	struct loop *loop;
	struct loop_timer *wd = (struct loop_timer *)&wd;

	unsetenv("WATCHDOG_USEC");
	assert_int_equal(loop_new(&loop), 0);
	assert_int_equal(sdnotify_watchdog_start(loop, &wd), 0);
	assert_null(wd);
	loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ready_reaches_a_path_socket),
		cmocka_unit_test(test_ready_reaches_an_abstract_socket),
		cmocka_unit_test(test_without_notify_socket_nothing_is_sent),
		cmocka_unit_test(test_watchdog_for_another_pid_is_ignored),
		cmocka_unit_test(test_watchdog_pings_repeatedly),
		cmocka_unit_test(test_no_watchdog_no_timer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
