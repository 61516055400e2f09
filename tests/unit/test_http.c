#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <errno.h>
#include <unistd.h>

#include "daemon/api/http_client.h"
#include "daemon/api/http_server.h"
#include "daemon/core/loop.h"

struct fixture {
	struct loop *loop;
	struct http_server *srv;
	struct http_client *client;
	struct loop_timer *guard;
	char base[64];
	int pending; /* client callbacks still expected */
	bool guard_fired;
};

struct result {
	long status;
	char body[1024];
	char error[512];
	int order;
	struct fixture *f;
};

static int completion_counter;

static void guard_fired(struct loop *loop, struct loop_timer *t, void *ctx)
{
	struct fixture *f = ctx;
	f->guard_fired = true;
	loop_stop(loop);
}

static void on_done(long status, const char *body, size_t len, const char *error, void *ctx)
{
	struct result *r = ctx;
	r->status = status;
	snprintf(r->body, sizeof(r->body), "%s", body);
	snprintf(r->error, sizeof(r->error), "%s", error ? error : "");
	r->order = ++completion_counter;
	if (--r->f->pending == 0)
		loop_stop(r->f->loop);
}

static void run_until_done(struct fixture *f)
{
	loop_timer_arm(f->guard, 10000, 0);
	loop_run(f->loop);
	assert_false(f->guard_fired);
}

static void echo(struct http_request *req, void *ctx)
{
	json_t *in = NULL, *out;
	char err[256];

	if (http_request_json(req, &in, err, sizeof(err)) < 0) {
		http_request_reply_error(req, 400, "%s", err);
		return;
	}
	out = json_pack("{s:O,s:s}", "got", json_object_get(in, "x"), "client", http_request_client_ip(req));
	json_decref(in);
	http_request_reply_json(req, 200, out);
}

static void fast(struct http_request *req, void *ctx)
{
	http_request_reply(req, 200, "text/plain", "fast", 4);
}

struct slow {
	struct http_request *req;
	struct loop_timer *timer;
};

static void slow_done(struct loop *loop, struct loop_timer *t, void *ctx)
{
	struct slow *s = ctx;
	http_request_reply(s->req, 200, "text/plain", "slow", 4);
	s->req = NULL;
}

static void slow(struct http_request *req, void *ctx)
{
	struct slow *s = ctx;
	s->req = req;
	loop_timer_arm(s->timer, 300, 0);
}

static void big_reply(struct http_request *req, void *ctx)
{
	char body[1000];
	memset(body, 'r', sizeof(body));
	http_request_reply(req, 200, "text/plain", body, sizeof(body));
}

static bool refuse_everyone(const char *ip, const char **reason, void *ctx)
{
	*reason = "address blocked for 120 s";
	return false;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct http_server_options opts = { .address = "127.0.0.1", .port = 0 };
	char err[256];

	assert_int_equal(loop_new(&f->loop), 0);
	assert_int_equal(http_server_new(f->loop, &opts, &f->srv, err, sizeof(err)), 0);
	assert_int_equal(http_client_new(f->loop, 0, &f->client), 0);
	assert_int_equal(loop_timer_new(f->loop, guard_fired, f, &f->guard), 0);
	assert_int_equal(http_server_route(f->srv, "POST", "/echo", echo, NULL), 0);
	assert_int_equal(http_server_route(f->srv, "GET", "/fast", fast, NULL), 0);
	assert_int_equal(http_server_route(f->srv, "GET", "/big", big_reply, NULL), 0);
	snprintf(f->base, sizeof(f->base), "http://127.0.0.1:%u", http_server_port(f->srv));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	http_client_free(f->client);
	http_server_free(f->srv);
	loop_timer_free(f->guard);
	loop_free(f->loop);
	free(f);
	return 0;
}

static void request(struct fixture *f, const char *method, const char *path, const char *body, size_t len,
		    unsigned timeout_ms, struct result *r)
{
	char url[128];

	r->f = f;
	f->pending++;
	snprintf(url, sizeof(url), "%s%s", f->base, path);
	assert_int_equal(http_client_request(f->client, method, url, body, len, timeout_ms, on_done, r, NULL), 0);
}

static void test_json_round_trip_with_client_address(void **state)
{
	struct fixture *f = *state;
	struct result r = { 0 };
	const char *body = "{\"x\":42}";

	request(f, "POST", "/echo", body, strlen(body), 5000, &r);
	run_until_done(f);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "{\"got\":42,\"client\":\"127.0.0.1\"}");
}

static void test_body_over_the_cap_gets_413(void **state)
{
	struct fixture *f = *state;
	struct result r = { 0 };
	size_t len = HTTP_SERVER_BODY_MAX + 1;
	char *body = malloc(len);

	memset(body, ' ', len);
	request(f, "POST", "/echo", body, len, 5000, &r);
	free(body);
	run_until_done(f);
	assert_int_equal(r.status, 413);
	assert_non_null(strstr(r.body, "body larger than 65536 bytes"));
}

struct raw_reply {
	char text[512];
	size_t len;
};

static void raw_readable(struct loop *loop, int fd, uint32_t events, void *ctx)
{
	struct raw_reply *r = ctx;
	ssize_t n = read(fd, r->text + r->len, sizeof(r->text) - 1 - r->len);

	if (n > 0)
		r->len += (size_t)n;
	r->text[r->len] = '\0';
	if (n <= 0 || strstr(r->text, "\r\n\r\n"))
		loop_stop(loop);
}

static void test_413_comes_before_the_body_is_sent(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_in addr = { .sin_family = AF_INET,
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				    .sin_port = htons(http_server_port(f->srv)) };
	const char *head = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n";
	struct raw_reply r = { 0 };
	struct loop_watch *w;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(write(fd, head, strlen(head)), (ssize_t)strlen(head));
	assert_int_equal(loop_watch_add(f->loop, fd, EPOLLIN, raw_readable, &r, &w), 0);
	run_until_done(f);
	loop_watch_remove(w);
	close(fd);
	assert_memory_equal(r.text, "HTTP/1.1 413", 12);
}

struct eof_wait {
	int eofs;
	int want;
	int last_fd;
};

static void count_eof(struct loop *loop, int fd, uint32_t events, void *ctx)
{
	struct eof_wait *w = ctx;
	char buf[256];

	if (read(fd, buf, sizeof(buf)) <= 0) {
		w->last_fd = fd;
		if (++w->eofs == w->want)
			loop_stop(loop);
	}
}

static int raw_connect(uint16_t port)
{
	struct sockaddr_in addr = { .sin_family = AF_INET,
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				    .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	return fd;
}

static void test_connections_over_the_per_address_limit_are_closed(void **state)
{
	struct fixture *f = *state;
	struct http_server_options opts = { .address = "127.0.0.1", .per_ip_limit = 2, .timeout_s = 60 };
	struct http_server *limited;
	struct eof_wait w = { .want = 1 };
	struct loop_watch *watches[3];
	int fds[3];
	char err[256];

	assert_int_equal(http_server_new(f->loop, &opts, &limited, err, sizeof(err)), 0);
	for (int i = 0; i < 3; i++) {
		fds[i] = raw_connect(http_server_port(limited));
		assert_int_equal(loop_watch_add(f->loop, fds[i], EPOLLIN, count_eof, &w, &watches[i]), 0);
	}
	run_until_done(f);
	/* The third connection, over the limit, was shut; the others stay. */
	assert_int_equal(w.last_fd, fds[2]);
	for (int i = 0; i < 3; i++) {
		loop_watch_remove(watches[i]);
		close(fds[i]);
	}
	http_server_free(limited);
}

static void test_idle_connection_is_closed_after_the_timeout(void **state)
{
	struct fixture *f = *state;
	struct http_server_options opts = { .address = "::1", .timeout_s = 1 };
	struct sockaddr_in6 addr = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct http_server *quick;
	struct eof_wait w = { .want = 1 };
	struct loop_watch *watch;
	char err[256];
	int fd = socket(AF_INET6, SOCK_STREAM, 0);

	assert_int_equal(http_server_new(f->loop, &opts, &quick, err, sizeof(err)), 0);
	addr.sin6_port = htons(http_server_port(quick));
	assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(loop_watch_add(f->loop, fd, EPOLLIN, count_eof, &w, &watch), 0);
	run_until_done(f);
	assert_int_equal(w.eofs, 1);
	loop_watch_remove(watch);
	close(fd);
	http_server_free(quick);
}

/* A slowloris: one header byte every 100 ms never trips the idle timeout. */
struct trickle {
	int fd;
	size_t sent;
	unsigned outcome;
	char outcome_ip[64];
};

static void trickle_byte(struct loop *loop, struct loop_timer *t, void *ctx)
{
	struct trickle *tr = ctx;
	static const char req[] =
		"POST /echo HTTP/1.1\r\nHost: x\r\nX-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

	if (tr->sent < sizeof(req) - 1 && write(tr->fd, req + tr->sent, 1) == 1)
		tr->sent++;
}

static void record_outcome(const char *ip, unsigned status, void *ctx)
{
	struct trickle *tr = ctx;

	tr->outcome = status;
	snprintf(tr->outcome_ip, sizeof(tr->outcome_ip), "%s", ip);
}

static void test_request_past_its_deadline_is_cut_and_counted(void **state)
{
	struct fixture *f = *state;
	struct http_server_options opts = { .address = "127.0.0.1", .timeout_s = 60, .request_timeout_s = 1 };
	struct http_server *srv;
	struct trickle tr = { 0 };
	struct eof_wait w = { .want = 1 };
	struct loop_watch *watch;
	struct loop_timer *drip;
	char err[256];

	assert_int_equal(http_server_new(f->loop, &opts, &srv, err, sizeof(err)), 0);
	http_server_set_outcome_hook(srv, record_outcome, &tr);
	tr.fd = raw_connect(http_server_port(srv));
	assert_int_equal(loop_watch_add(f->loop, tr.fd, EPOLLIN, count_eof, &w, &watch), 0);
	assert_int_equal(loop_timer_new(f->loop, trickle_byte, &tr, &drip), 0);
	loop_timer_arm(drip, 100, 100);
	run_until_done(f);
	assert_false(f->guard_fired);
	assert_int_equal(w.eofs, 1);
	/* Cut while still sending: a failure for the guard, as a 408. */
	assert_true(tr.sent > 3);
	assert_int_equal(tr.outcome, 408);
	assert_string_equal(tr.outcome_ip, "127.0.0.1");
	assert_int_equal(http_server_connections(srv), 0);
	loop_timer_free(drip);
	loop_watch_remove(watch);
	close(tr.fd);
	http_server_free(srv);
}

/* The connection hooks count per address; a refused connection is closed
 * unanswered and never reaches conn_close. */
struct conn_count {
	int opened, closed, refuse_after;
};

static int count_open(const char *ip, void *ctx)
{
	struct conn_count *cc = ctx;

	if (cc->opened >= cc->refuse_after)
		return -EBUSY;
	cc->opened++;
	return 0;
}

static void count_close(const char *ip, void *ctx)
{
	((struct conn_count *)ctx)->closed++;
}

static void test_connection_hooks_refuse_and_count(void **state)
{
	struct fixture *f = *state;
	struct http_server_options opts = { .address = "127.0.0.1", .timeout_s = 60 };
	struct http_server *srv;
	struct conn_count cc = { .refuse_after = 1 };
	struct eof_wait w = { .want = 1 };
	struct loop_watch *watches[2];
	int fds[2];
	char err[256];

	assert_int_equal(http_server_new(f->loop, &opts, &srv, err, sizeof(err)), 0);
	http_server_set_conn_hooks(srv, count_open, count_close, &cc);
	for (int i = 0; i < 2; i++) {
		fds[i] = raw_connect(http_server_port(srv));
		assert_int_equal(loop_watch_add(f->loop, fds[i], EPOLLIN, count_eof, &w, &watches[i]), 0);
	}
	run_until_done(f);
	assert_int_equal(w.last_fd, fds[1]);
	assert_int_equal(cc.opened, 1);
	for (int i = 0; i < 2; i++) {
		loop_watch_remove(watches[i]);
		close(fds[i]);
	}
	http_server_free(srv);
	assert_int_equal(cc.closed, 1);
}

static void test_junk_body_gets_400_with_reason(void **state)
{
	struct fixture *f = *state;
	struct result r = { 0 };

	request(f, "POST", "/echo", "{\"x\":", 5, 5000, &r);
	run_until_done(f);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "body: invalid JSON"));
}

static void test_unknown_path_404_wrong_method_405(void **state)
{
	struct fixture *f = *state;
	struct result a = { 0 }, b = { 0 };

	request(f, "GET", "/nothing", NULL, 0, 5000, &a);
	request(f, "GET", "/echo", NULL, 0, 5000, &b);
	run_until_done(f);
	assert_int_equal(a.status, 404);
	assert_int_equal(b.status, 405);
}

static void test_gate_refuses_with_403_and_reason(void **state)
{
	struct fixture *f = *state;
	struct result r = { 0 };

	http_server_set_gate(f->srv, refuse_everyone, NULL);
	request(f, "GET", "/fast", NULL, 0, 5000, &r);
	run_until_done(f);
	assert_int_equal(r.status, 403);
	assert_string_equal(r.body, "{\"error\":\"address blocked for 120 s\"}");
}

static void test_slow_handler_does_not_block_other_requests(void **state)
{
	struct fixture *f = *state;
	struct slow s = { 0 };
	struct result slow_r = { 0 }, fast_r = { 0 };

	assert_int_equal(loop_timer_new(f->loop, slow_done, &s, &s.timer), 0);
	assert_int_equal(http_server_route(f->srv, "GET", "/slow", slow, &s), 0);
	request(f, "GET", "/slow", NULL, 0, 5000, &slow_r);
	request(f, "GET", "/fast", NULL, 0, 5000, &fast_r);
	run_until_done(f);
	assert_int_equal(slow_r.status, 200);
	assert_string_equal(slow_r.body, "slow");
	assert_int_equal(fast_r.status, 200);
	assert_true(fast_r.order < slow_r.order);
	loop_timer_free(s.timer);
}

static void test_client_times_out_on_a_silent_server(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(addr);
	struct result r = { .f = f };
	char url[64];
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	/* Listens, never accepts: the connection completes, no answer comes. */
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/x", ntohs(addr.sin_port));
	f->pending++;
	assert_int_equal(http_client_request(f->client, "GET", url, NULL, 0, 200, on_done, &r, NULL), 0);
	run_until_done(f);
	close(fd);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.error, url));
	assert_non_null(strstr(r.error, "timed out"));
}

static void test_response_over_the_client_cap_is_an_error(void **state)
{
	struct fixture *f = *state;
	struct http_client *small;
	struct result r = { .f = f };
	char url[128];

	assert_int_equal(http_client_new(f->loop, 100, &small), 0);
	snprintf(url, sizeof(url), "%s/big", f->base);
	f->pending++;
	assert_int_equal(http_client_request(small, "GET", url, NULL, 0, 5000, on_done, &r, NULL), 0);
	run_until_done(f);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.error, "response larger than 100 bytes"));
	http_client_free(small);
}

static void test_only_http_and_https_are_allowed(void **state)
{
	struct fixture *f = *state;
	struct result r = { 0 };

	/* Protocols other than http(s) are refused before any connection. */
	r.f = f;
	f->pending++;
	assert_int_equal(http_client_request(f->client, "GET", "file:///etc/passwd", NULL, 0, 5000, on_done, &r, NULL),
			 0);
	run_until_done(f);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.error, "file:///etc/passwd"));
}

struct holder {
	struct http_request *req;
	struct loop *loop;
};

static void hold_forever(struct http_request *req, void *ctx)
{
	struct holder *h = ctx;
	h->req = req;
	loop_stop(h->loop);
}

static void test_server_stop_abandons_pending_requests(void **state)
{
	struct fixture *f = *state;
	struct holder h = { .loop = f->loop };
	struct result r = { 0 };
	struct http_client_request *handle;
	char url[128];

	assert_int_equal(http_server_route(f->srv, "GET", "/hold", hold_forever, &h), 0);
	snprintf(url, sizeof(url), "%s/hold", f->base);
	r.f = f;
	assert_int_equal(http_client_request(f->client, "GET", url, NULL, 0, 5000, on_done, &r, &handle), 0);
	loop_timer_arm(f->guard, 10000, 0);
	loop_run(f->loop); /* until the handler holds the request */
	assert_non_null(h.req);
	http_server_free(f->srv);
	f->srv = NULL;
	assert_true(http_request_abandoned(h.req));
	http_request_reply(h.req, 200, "text/plain", "late", 4); /* discarded, freed */
	http_client_cancel(handle);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_json_round_trip_with_client_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_body_over_the_cap_gets_413, setup, teardown),
		cmocka_unit_test_setup_teardown(test_413_comes_before_the_body_is_sent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_past_its_deadline_is_cut_and_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connection_hooks_refuse_and_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_junk_body_gets_400_with_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connections_over_the_per_address_limit_are_closed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_idle_connection_is_closed_after_the_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_path_404_wrong_method_405, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gate_refuses_with_403_and_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_handler_does_not_block_other_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_times_out_on_a_silent_server, setup, teardown),
		cmocka_unit_test_setup_teardown(test_response_over_the_client_cap_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_only_http_and_https_are_allowed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_stop_abandons_pending_requests, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
