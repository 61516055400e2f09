#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/ctl/ctl_client.h"
#include "common/ctl/ctlproto.h"
#include "daemon/core/ctl_server.h"
#include "daemon/core/loop.h"

struct fixture {
	char dir[64];
	char path[128];
	struct loop *loop;
	struct ctl_server *srv;
	struct loop_timer *guard;
	bool guard_fired;
};

static void guard_fired(struct loop *loop, struct loop_timer *t, void *ctx)
{
	struct fixture *f = ctx;
	f->guard_fired = true;
	loop_stop(loop);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];

	snprintf(f->dir, sizeof(f->dir), "/tmp/wgm-ctl-test.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/run/ctl.sock", f->dir);
	assert_int_equal(loop_new(&f->loop), 0);
	assert_int_equal(ctl_server_new(f->loop, f->path, &f->srv, err, sizeof(err)), 0);
	assert_int_equal(loop_timer_new(f->loop, guard_fired, f, &f->guard), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	ctl_server_free(f->srv);
	loop_timer_free(f->guard);
	loop_free(f->loop);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

struct waiter {
	struct wgm_ctl_client *client;
	json_t *msg;
	int rc;
};

static void client_readable(struct loop *loop, int fd, uint32_t events, void *ctx)
{
	struct waiter *w = ctx;
	char err[256];

	w->rc = wgm_ctl_client_receive(w->client);
	if (w->rc < 0 || wgm_ctl_client_next(w->client, &w->msg, err, sizeof(err)) != 0)
		loop_stop(loop);
}

/* Runs the loop until the client has a whole message (or the connection
 * ends); returns the message or NULL. */
static json_t *run_until_message(struct fixture *f, struct wgm_ctl_client *c)
{
	struct waiter w = { .client = c };
	struct loop_watch *watch;
	char err[256];

	if (wgm_ctl_client_next(c, &w.msg, err, sizeof(err)) == 1)
		return w.msg;
	assert_int_equal(loop_watch_add(f->loop, wgm_ctl_client_fd(c), EPOLLIN, client_readable, &w, &watch), 0);
	loop_timer_arm(f->guard, 5000, 0);
	loop_run(f->loop);
	loop_watch_remove(watch);
	assert_false(f->guard_fired);
	return w.msg;
}

static json_t *call(struct fixture *f, struct wgm_ctl_client *c, const char *line)
{
	char err[256];
	json_t *req = NULL;

	assert_int_equal(wgm_ctl_message_parse(line, strlen(line), &req, err, sizeof(err)), 0);
	assert_int_equal(wgm_ctl_client_send(c, req, 1000, err, sizeof(err)), 0);
	json_decref(req);
	return run_until_message(f, c);
}

static void echo_handler(struct ctl_request *req, const json_t *args, void *ctx)
{
	json_t *reply = wgm_ctl_reply_ok();
	json_object_set(reply, "x", json_object_get(args, "x"));
	ctl_request_reply(req, reply);
}

static void test_registered_command_is_dispatched(void **state)
{
	struct fixture *f = *state;
	struct wgm_ctl_client *c;
	char err[256];
	json_t *reply;

	assert_int_equal(ctl_server_register(f->srv, "echo", echo_handler, NULL), 0);
	assert_int_equal(wgm_ctl_client_connect(f->path, &c, err, sizeof(err)), 0);
	reply = call(f, c, "{\"cmd\":\"echo\",\"x\":42}");
	assert_int_equal(wgm_ctl_reply_check(reply, err, sizeof(err)), 0);
	assert_int_equal(json_integer_value(json_object_get(reply, "x")), 42);
	json_decref(reply);
	wgm_ctl_client_free(c);
}

static void test_unknown_command_and_bad_json_get_error_replies(void **state)
{
	struct fixture *f = *state;
	struct wgm_ctl_client *c;
	char err[256];
	json_t *reply;

	assert_int_equal(ctl_server_register(f->srv, "echo", echo_handler, NULL), 0);
	assert_int_equal(wgm_ctl_client_connect(f->path, &c, err, sizeof(err)), 0);
	reply = call(f, c, "{\"cmd\":\"frobnicate\"}");
	assert_int_equal(wgm_ctl_reply_check(reply, err, sizeof(err)), -EREMOTEIO);
	assert_string_equal(err, "unknown command \"frobnicate\"");
	json_decref(reply);

	assert_int_equal(write(wgm_ctl_client_fd(c), "{\"cmd\":\n", 8), 8);
	reply = run_until_message(f, c);
	assert_int_equal(wgm_ctl_reply_check(reply, err, sizeof(err)), -EREMOTEIO);
	assert_non_null(strstr(err, "invalid JSON"));
	json_decref(reply);

	/* The connection still serves requests after an error. */
	reply = call(f, c, "{\"cmd\":\"echo\",\"x\":1}");
	assert_int_equal(wgm_ctl_reply_check(reply, err, sizeof(err)), 0);
	json_decref(reply);
	wgm_ctl_client_free(c);
}

struct slow {
	struct ctl_request *req;
	struct loop_timer *timer;
};

static void slow_reply_now(struct loop *loop, struct loop_timer *t, void *ctx)
{
	struct slow *s = ctx;
	json_t *reply = wgm_ctl_reply_ok();
	json_object_set_new(reply, "x", json_string("slow"));
	ctl_request_reply(s->req, reply);
	s->req = NULL;
}

static void slow_handler(struct ctl_request *req, const json_t *args, void *ctx)
{
	struct slow *s = ctx;
	s->req = req;
	loop_timer_arm(s->timer, 20, 0);
}

static void test_async_reply_keeps_request_order(void **state)
{
	struct fixture *f = *state;
	struct slow s = { 0 };
	struct wgm_ctl_client *c;
	char err[256];
	json_t *reply;
	const char *two = "{\"cmd\":\"slow\"}\n{\"cmd\":\"echo\",\"x\":\"fast\"}\n";

	assert_int_equal(loop_timer_new(f->loop, slow_reply_now, &s, &s.timer), 0);
	assert_int_equal(ctl_server_register(f->srv, "slow", slow_handler, &s), 0);
	assert_int_equal(ctl_server_register(f->srv, "echo", echo_handler, NULL), 0);
	assert_int_equal(wgm_ctl_client_connect(f->path, &c, err, sizeof(err)), 0);
	assert_int_equal(write(wgm_ctl_client_fd(c), two, strlen(two)), (ssize_t)strlen(two));
	reply = run_until_message(f, c);
	assert_string_equal(json_string_value(json_object_get(reply, "x")), "slow");
	json_decref(reply);
	reply = run_until_message(f, c);
	assert_string_equal(json_string_value(json_object_get(reply, "x")), "fast");
	json_decref(reply);
	wgm_ctl_client_free(c);
	loop_timer_free(s.timer);
}

static void test_subscriber_receives_published_events(void **state)
{
	struct fixture *f = *state;
	struct wgm_ctl_client *c, *other;
	char err[256];
	json_t *msg;

	assert_int_equal(ctl_server_register(f->srv, "echo", echo_handler, NULL), 0);
	assert_int_equal(wgm_ctl_client_connect(f->path, &c, err, sizeof(err)), 0);
	assert_int_equal(wgm_ctl_client_connect(f->path, &other, err, sizeof(err)), 0);
	msg = call(f, c, "{\"cmd\":\"subscribe\"}");
	assert_int_equal(wgm_ctl_reply_check(msg, err, sizeof(err)), 0);
	json_decref(msg);
	msg = call(f, other, "{\"cmd\":\"echo\"}");
	json_decref(msg);
	assert_int_equal(ctl_server_subscriber_count(f->srv), 1);

	ctl_server_publish(f->srv, wgm_ctl_event_log("info", "link pipe2 up"));
	msg = run_until_message(f, c);
	assert_string_equal(wgm_ctl_event_kind(msg), "log");
	assert_string_equal(json_string_value(json_object_get(msg, "msg")), "link pipe2 up");
	json_decref(msg);
	/* A plain client gets no events. */
	assert_int_equal(wgm_ctl_client_receive(other), 0);
	assert_int_equal(wgm_ctl_client_next(other, &msg, err, sizeof(err)), 0);
	wgm_ctl_client_free(c);
	wgm_ctl_client_free(other);
}

static void test_recent_events_are_kept_without_metrics(void **state)
{
	struct fixture *f = *state;
	struct wgm_ctl_client *c;
	char err[256];
	json_t *msg, *events;

	ctl_server_publish(f->srv, wgm_ctl_event_log("info", "first"));
	ctl_server_publish(f->srv, wgm_ctl_event_new("metrics"));
	ctl_server_publish(f->srv, wgm_ctl_event_log("warning", "second"));
	assert_int_equal(wgm_ctl_client_connect(f->path, &c, err, sizeof(err)), 0);
	msg = call(f, c, "{\"cmd\":\"events\"}");
	events = json_object_get(msg, "events");
	assert_int_equal(json_array_size(events), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(events, 1), "msg")), "second");
	json_decref(msg);

	msg = call(f, c, "{\"cmd\":\"subscribe\",\"replay\":true}");
	assert_int_equal(wgm_ctl_reply_check(msg, err, sizeof(err)), 0);
	json_decref(msg);
	msg = run_until_message(f, c);
	assert_string_equal(json_string_value(json_object_get(msg, "msg")), "first");
	json_decref(msg);
	msg = run_until_message(f, c);
	assert_string_equal(json_string_value(json_object_get(msg, "msg")), "second");
	json_decref(msg);
	wgm_ctl_client_free(c);
}

static void test_subscriber_that_does_not_read_is_dropped(void **state)
{
	struct fixture *f = *state;
	struct wgm_ctl_client *c;
	char err[256], text[1024];
	json_t *msg;
	int published = 0;

	ctl_server_set_output_max(f->srv, 64 * 1024);
	assert_int_equal(wgm_ctl_client_connect(f->path, &c, err, sizeof(err)), 0);
	msg = call(f, c, "{\"cmd\":\"subscribe\"}");
	json_decref(msg);
	memset(text, 'z', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	/* The socket buffers fill first, then the server's queue. */
	while (ctl_server_subscriber_count(f->srv) == 1 && published < 100000) {
		ctl_server_publish(f->srv, wgm_ctl_event_log("info", text));
		published++;
	}
	assert_int_equal(ctl_server_subscriber_count(f->srv), 0);
	/* The client reads what was sent, then sees the end of the stream. */
	int rc = 0;
	while (rc == 0) {
		rc = wgm_ctl_client_read(c, 2000, &msg, err, sizeof(err));
		if (rc == 0)
			json_decref(msg);
	}
	assert_int_equal(rc, -ECONNRESET);
	wgm_ctl_client_free(c);
}

static void test_live_socket_is_not_taken_over(void **state)
{
	struct fixture *f = *state;
	struct ctl_server *second = NULL;
	char err[256];

	assert_int_equal(ctl_server_new(f->loop, f->path, &second, err, sizeof(err)), -EADDRINUSE);
	assert_non_null(strstr(err, "another daemon is serving"));
}

/* Whoever can write the socket's directory could swap the socket for a
 * symlink before the chmod: such a directory is refused with one line. */
static void test_socket_dir_writable_by_others_is_refused(void **state)
{
	struct fixture *f = *state;
	struct ctl_server *srv = NULL;
	char dir[128], path[160], err[256];

	snprintf(dir, sizeof(dir), "%s/open", f->dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(chmod(dir, 01777), 0);
	snprintf(path, sizeof(path), "%s/ctl.sock", dir);
	assert_int_equal(ctl_server_new(f->loop, path, &srv, err, sizeof(err)), -EPERM);
	assert_null(srv);
	assert_non_null(strstr(err, "is writable by others (mode 1777)"));
	assert_null(strchr(err, '\n'));
	assert_int_equal(access(path, F_OK), -1);
}

static void test_stale_socket_is_replaced_and_removed_on_free(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct ctl_server *srv;
	struct stat st;
	char path[96], err[256];
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(path, sizeof(path), "%s/stale.sock", f->dir);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	close(fd); /* the file stays, nobody listens: a crashed daemon's leftover */
	assert_int_equal(ctl_server_new(f->loop, path, &srv, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0660);
	ctl_server_free(srv);
	assert_int_equal(stat(path, &st), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_registered_command_is_dispatched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_command_and_bad_json_get_error_replies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_async_reply_keeps_request_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_subscriber_receives_published_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recent_events_are_kept_without_metrics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_subscriber_that_does_not_read_is_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_socket_is_not_taken_over, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_dir_writable_by_others_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_socket_is_replaced_and_removed_on_free, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
