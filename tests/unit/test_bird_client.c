/* BIRD control-socket client against a fake BIRD on the other end of a
 * socketpair, replaying replies captured from BIRD 2.0.12. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "bird/client.h"

struct fake {
	struct bird_client client;
	int bird; /* the fake BIRD's end */
};

static int setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));
	int sv[2];
	assert_non_null(f);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	bird_client_init(&f->client);
	assert_int_equal(bird_client_adopt(&f->client, sv[0]), 0);
	f->bird = sv[1];
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fake *f = *state;
	bird_client_close(&f->client);
	if (f->bird >= 0)
		close(f->bird);
	free(f);
	return 0;
}

static size_t load(const char *name, char *data, size_t size)
{
	char path[512];
	const char *dir = getenv("WGM_TEST_DATA");
	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/bird/replies/%s", dir, name);
	FILE *fp = fopen(path, "rb");
	if (!fp)
		fail_msg("cannot open %s", path);
	size_t len = fread(data, 1, size, fp);
	fclose(fp);
	return len;
}

static void bird_says(struct fake *f, const char *data, size_t len)
{
	assert_int_equal(write(f->bird, data, len), (ssize_t)len);
}

static void bird_says_str(struct fake *f, const char *s)
{
	bird_says(f, s, strlen(s));
}

/* The command line the client sent, as the fake BIRD receives it. */
static void bird_heard(struct fake *f, const char *want)
{
	char buf[1200];
	ssize_t n = read(f->bird, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, want);
}

/* The daemon's way: every readable event feeds the parser; the reply comes
 * out exactly when its last byte arrived, whatever the split. */
static void test_nonblocking_reply_at_every_split(void **state)
{
	struct fake *f = *state;
	static char data[16384];
	size_t len = load("show-route-a.txt", data, sizeof(data));
	char err[256];

	for (size_t cut = 1; cut < len; cut++) {
		struct bird_reply *reply = NULL;
		bird_says(f, data, cut);
		assert_int_equal(bird_client_on_readable(&f->client, &reply, err, sizeof(err)), 0);
		assert_null(reply);
		bird_says(f, data + cut, len - cut);
		assert_int_equal(bird_client_on_readable(&f->client, &reply, err, sizeof(err)), 1);
		assert_non_null(reply);
		assert_int_equal(reply->n_lines, 18);
		assert_int_equal(reply->code, 0);
		assert_string_equal(f->client.version, "2.0.12");
		bird_reply_free(reply);
		/* Next round: the same stream again, after a fresh welcome. */
		f->client.welcomed = false;
	}
}

static void test_blocking_command_sends_line_and_returns_reply(void **state)
{
	struct fake *f = *state;
	static char data[16384];
	size_t len = load("show-protocols.txt", data, sizeof(data));
	struct bird_reply *reply = NULL;
	char err[256];

	bird_says(f, data, len);
	assert_int_equal(bird_client_command(&f->client, "show protocols", 2000, &reply, err, sizeof(err)), 0);
	assert_non_null(reply);
	assert_int_equal(reply->n_lines, 11);
	assert_int_equal(bird_reply_status(reply), 0);
	bird_reply_free(reply);
	bird_heard(f, "show protocols\n");
}

static void test_error_reply_is_a_reply_with_error_status(void **state)
{
	struct fake *f = *state;
	static char data[16384];
	size_t len = load("parse-error.txt", data, sizeof(data));
	struct bird_reply *reply = NULL;
	char err[256];

	bird_says(f, data, len);
	assert_int_equal(bird_client_command(&f->client, "show rout", 2000, &reply, err, sizeof(err)), 0);
	assert_int_equal(bird_reply_status(reply), -EINVAL);
	assert_string_equal(bird_reply_message(reply), "syntax error, unexpected CF_SYM_UNDEFINED");
	bird_reply_free(reply);
	assert_true(bird_client_fd(&f->client) >= 0);
}

static void test_closed_socket_is_reported_and_client_closes(void **state)
{
	struct fake *f = *state;
	struct bird_reply *reply = NULL;
	char err[256];

	bird_says_str(f, "0001 BIRD 2.0.12 ready.\n1007-Table master4:\n");
	close(f->bird);
	f->bird = -1;
	assert_int_equal(bird_client_on_readable(&f->client, &reply, err, sizeof(err)), 0);
	assert_int_equal(bird_client_on_readable(&f->client, &reply, err, sizeof(err)), -ECONNRESET);
	assert_null(reply);
	assert_int_equal(bird_client_fd(&f->client), -1);
	assert_string_equal(err, "bird: BIRD closed the control socket");
}

static void test_foreign_protocol_is_refused(void **state)
{
	struct fake *f = *state;
	struct bird_reply *reply = NULL;
	char err[256];

	bird_says_str(f, "HTTP/1.1 400 Bad Request\r\n");
	assert_int_equal(bird_client_on_readable(&f->client, &reply, err, sizeof(err)), -EPROTO);
	assert_int_equal(bird_client_fd(&f->client), -1);
}

static void test_wrong_welcome_is_refused(void **state)
{
	struct fake *f = *state;
	struct bird_reply *reply = NULL;
	char err[256];

	bird_says_str(f, "0001 Hello there.\n");
	assert_int_equal(bird_client_on_readable(&f->client, &reply, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "Hello there."));
}

static void test_silent_bird_times_out(void **state)
{
	struct fake *f = *state;
	struct bird_reply *reply = NULL;
	char err[256];

	bird_says_str(f, "0001 BIRD 2.0.12 ready.\n");
	assert_int_equal(bird_client_command(&f->client, "show status", 50, &reply, err, sizeof(err)), -ETIMEDOUT);
	assert_null(reply);
	assert_int_equal(bird_client_fd(&f->client), -1);
}

static void test_command_with_newline_is_refused(void **state)
{
	struct fake *f = *state;
	char err[256];
	assert_int_equal(bird_client_send(&f->client, "show route\nconfigure", err, sizeof(err)), -EINVAL);
}

/* A temp dir holding the final config; lists what else is in it. */
static size_t count_files(const char *dir)
{
	size_t n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	return buf;
}

static void test_apply_refused_by_check_keeps_last_good_config(void **state)
{
	struct fake *f = *state;
	static char data[16384];
	char dir[] = "/tmp/wgm-bird-client.XXXXXX", final[128], err[256];
	assert_non_null(mkdtemp(dir));
	snprintf(final, sizeof(final), "%s/bird.conf", dir);
	FILE *fp = fopen(final, "w");
	fputs("router id 10.0.2.1;\n", fp);
	fclose(fp);

	size_t len = load("configure-check-bad.txt", data, sizeof(data));
	bird_says(f, data, len);
	assert_int_equal(bird_apply_config(&f->client, final, "broken {\n", 2000, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "refused"));
	assert_non_null(strstr(err, "syntax error, unexpected CF_SYM_UNDEFINED"));
	assert_null(strchr(err, '\n'));
	assert_string_equal(slurp(final), "router id 10.0.2.1;\n");
	assert_int_equal(count_files(dir), 1);

	unlink(final);
	rmdir(dir);
}

static void test_apply_checks_then_renames_then_configures(void **state)
{
	struct fake *f = *state;
	static char data[16384];
	char dir[] = "/tmp/wgm-bird-client.XXXXXX", final[128], err[256], reply[256], heard[2048];
	assert_non_null(mkdtemp(dir));
	snprintf(final, sizeof(final), "%s/bird.conf", dir);

	size_t len = load("configure-check-ok.txt", data, sizeof(data));
	bird_says(f, data, len);
	snprintf(reply, sizeof(reply), "0002-Reading configuration from %s\n0003 Reconfigured\n", final);
	bird_says_str(f, reply);
	assert_int_equal(bird_apply_config(&f->client, final, "router id 10.0.2.1;\n", 2000, err, sizeof(err)), 0);
	assert_string_equal(slurp(final), "router id 10.0.2.1;\n");
	assert_int_equal(count_files(dir), 1);

	ssize_t n = read(f->bird, heard, sizeof(heard) - 1);
	assert_true(n > 0);
	heard[n] = '\0';
	char want_prefix[256];
	snprintf(want_prefix, sizeof(want_prefix), "configure check \"%s.", final);
	assert_int_equal(strncmp(heard, want_prefix, strlen(want_prefix)), 0);
	const char *second = strchr(heard, '\n');
	assert_non_null(second);
	assert_string_equal(second + 1, "configure\n");

	unlink(final);
	rmdir(dir);
}

static void test_apply_notices_bird_reading_another_file(void **state)
{
	struct fake *f = *state;
	static char data[16384];
	char dir[] = "/tmp/wgm-bird-client.XXXXXX", final[128], err[256];
	assert_non_null(mkdtemp(dir));
	snprintf(final, sizeof(final), "%s/bird.conf", dir);

	size_t len = load("configure-check-ok.txt", data, sizeof(data));
	bird_says(f, data, len);
	len = load("configure-ok.txt", data, sizeof(data));
	/* Skip the second welcome: one connection greets once. */
	const char *after_welcome = strchr(data, '\n') + 1;
	bird_says(f, after_welcome, len - (size_t)(after_welcome - data));
	assert_int_equal(bird_apply_config(&f->client, final, "x\n", 2000, err, sizeof(err)), -EIO);
	assert_non_null(strstr(err, "does not read"));

	unlink(final);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nonblocking_reply_at_every_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blocking_command_sends_line_and_returns_reply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_reply_is_a_reply_with_error_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_closed_socket_is_reported_and_client_closes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_protocol_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_welcome_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_silent_bird_times_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command_with_newline_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_refused_by_check_keeps_last_good_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_checks_then_renames_then_configures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_notices_bird_reading_another_file, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
