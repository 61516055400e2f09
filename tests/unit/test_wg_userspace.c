/* The userspace backend's process handling, with stand-ins for wireguard-go
 * that fail or never open their socket. Needs no root: nothing reaches the
 * network or netlink. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/wg/wg.h"

static char dir[] = "/tmp/wgm-test-userspace.XXXXXX";

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *script(const char *name, const char *body)
{
	static char path[256];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	assert_int_equal(chmod(path, 0700), 0);
	return path;
}

static void assert_no_children_left(void)
{
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void test_process_that_exits_is_reported(void **state)
{
	struct wgm_wg_backend_options opt = { .userspace_binary = script("fails", "exit 3"), .uapi_dir = dir };
	struct wgm_wg_backend *b;
	char err[256] = "";
	assert_int_equal(wgm_wg_userspace_backend_open(&opt, NULL, &b, err, sizeof(err)), 0);
	assert_int_equal(wg_create(b, "wgmtest0", err, sizeof(err)), -ECHILD);
	assert_non_null(strstr(err, "create WireGuard wgmtest0"));
	assert_non_null(strstr(err, "exited with status 3"));
	assert_no_children_left();
	wg_backend_close(b);
}

static void test_process_that_never_listens_is_stopped(void **state)
{
	struct wgm_wg_backend_options opt = {
		.userspace_binary = script("silent", "exec sleep 60"),
		.uapi_dir = dir,
		.start_timeout_ms = 200,
	};
	struct wgm_wg_backend *b;
	char err[256] = "";
	assert_int_equal(wgm_wg_userspace_backend_open(&opt, NULL, &b, err, sizeof(err)), 0);
	assert_int_equal(wg_create(b, "wgmtest1", err, sizeof(err)), -ETIMEDOUT);
	assert_non_null(strstr(err, "did not open"));
	assert_non_null(strstr(err, "wgmtest1.sock"));
	assert_no_children_left();
	wg_backend_close(b);
}

static void test_process_gets_foreground_flag_and_interface_name(void **state)
{
	char out[256], expect[300];
	snprintf(out, sizeof(out), "%s/args", dir);
	char body[512];
	snprintf(body, sizeof(body), "echo \"$WG_PROCESS_FOREGROUND $*\" > %s; exit 0", out);
	struct wgm_wg_backend_options opt = { .userspace_binary = script("args", body), .uapi_dir = dir };
	struct wgm_wg_backend *b;
	char err[256] = "";
	assert_int_equal(wgm_wg_userspace_backend_open(&opt, NULL, &b, err, sizeof(err)), 0);
	assert_int_equal(wg_create(b, "wgmtest2", err, sizeof(err)), -ECHILD);
	FILE *f = fopen(out, "r");
	assert_non_null(f);
	assert_non_null(fgets(expect, sizeof(expect), f));
	fclose(f);
	assert_string_equal(expect, "1 wgmtest2\n");
	wg_backend_close(b);
}

static void test_nothing_running_is_not_connected(void **state)
{
	struct wgm_wg_backend_options opt = { .userspace_binary = "/bin/true", .uapi_dir = dir };
	struct wgm_wg_backend *b;
	struct wgm_wg_device *dev = NULL;
	struct wgm_wg_device want = { .ifname = "wgmtest3" };
	char err[256] = "";
	assert_int_equal(wgm_wg_userspace_backend_open(&opt, NULL, &b, err, sizeof(err)), 0);
	assert_int_equal(wg_get_device(b, "wgmtest3", &dev, err, sizeof(err)), -ENOTCONN);
	assert_null(dev);
	assert_non_null(strstr(err, "is not running"));
	assert_int_equal(wg_set_device(b, &want, err, sizeof(err)), -ENOTCONN);
	assert_int_equal(wg_create(b, "../etc", err, sizeof(err)), -EINVAL);
	wg_backend_close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_process_that_exits_is_reported),
		cmocka_unit_test(test_process_that_never_listens_is_stopped),
		cmocka_unit_test(test_process_gets_foreground_flag_and_interface_name),
		cmocka_unit_test(test_nothing_running_is_not_connected),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
