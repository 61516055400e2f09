#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/config/statefile.h"

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int make_dir(void **state)
{
	char *dir = strdup("/tmp/wgm-statefile-XXXXXX");
	assert_non_null(mkdtemp(dir));
	*state = dir;
	return 0;
}

static int remove_dir(void **state)
{
	nftw(*state, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(*state);
	return 0;
}

static void write_raw(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void test_json_round_trips(void **state)
{
	char path[256], err[256];
	json_t *in = json_pack("{s:s, s:i}", "link", "pipe2", "port", 51821), *out = NULL;

	snprintf(path, sizeof(path), "%s/link.json", (char *)*state);
	assert_int_equal(wgm_statefile_write_json(path, in, WGM_STATEFILE_MODE_SECRET, err, sizeof(err)), 0);
	assert_int_equal(wgm_statefile_read_json(path, &out, err, sizeof(err)), 0);
	assert_true(json_equal(in, out));
	json_decref(in);
	json_decref(out);
}

/* The unsynced form writes the same file the same atomic way (mode, no temp left). */
static void test_unsynced_json_replaces_atomically(void **state)
{
	char path[256], err[256];
	json_t *a = json_pack("{s:i}", "n", 1), *b = json_pack("{s:i}", "n", 2), *out = NULL;
	struct stat st;

	snprintf(path, sizeof(path), "%s/replay.json", (char *)*state);
	assert_int_equal(wgm_statefile_write_json_unsynced(path, a, WGM_STATEFILE_MODE_SECRET, err, sizeof(err)), 0);
	assert_int_equal(wgm_statefile_write_json_unsynced(path, b, WGM_STATEFILE_MODE_SECRET, err, sizeof(err)), 0);
	assert_int_equal(wgm_statefile_read_json(path, &out, err, sizeof(err)), 0);
	assert_true(json_equal(b, out));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(count_entries(*state), 1);
	json_decref(a);
	json_decref(b);
	json_decref(out);
}

static void test_secret_file_gets_exactly_0600(void **state)
{
	char path[256], err[256];
	struct stat st;
	mode_t old = umask(0);

	snprintf(path, sizeof(path), "%s/key", (char *)*state);
	assert_int_equal(wgm_statefile_write(path, "k", 1, WGM_STATEFILE_MODE_SECRET, err, sizeof(err)), 0);
	umask(old);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
}

static void test_missing_directories_are_created_0700(void **state)
{
	char dir[256], path[300], err[256];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/state/links", (char *)*state);
	snprintf(path, sizeof(path), "%s/pipe2.json", dir);
	assert_int_equal(wgm_statefile_write(path, "{}", 2, WGM_STATEFILE_MODE_SECRET, err, sizeof(err)), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777 & ~0700, 0);
}

static void test_overwrite_replaces_and_leaves_no_temp_file(void **state)
{
	char path[256], err[256], buf[16] = { 0 };
	FILE *f;

	snprintf(path, sizeof(path), "%s/tokens", (char *)*state);
	assert_int_equal(wgm_statefile_write(path, "old", 3, WGM_STATEFILE_MODE_SECRET, err, sizeof(err)), 0);
	assert_int_equal(wgm_statefile_write(path, "new", 3, WGM_STATEFILE_MODE_SECRET, err, sizeof(err)), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "new");
	assert_int_equal(count_entries(*state), 1);
}

static void test_truncated_file_is_refused_naming_it(void **state)
{
	char path[256], err[512];
	json_t *out = (json_t *)1;

	snprintf(path, sizeof(path), "%s/torn.json", (char *)*state);
	write_raw(path, "{\"link\": \"pip");
	assert_int_equal(wgm_statefile_read_json(path, &out, err, sizeof(err)), -EBADMSG);
	assert_null(out);
	assert_memory_equal(err, path, strlen(path));
	assert_null(strchr(err, '\n'));
}

static void test_empty_file_is_refused(void **state)
{
	char path[256], err[512];
	json_t *out;

	snprintf(path, sizeof(path), "%s/empty.json", (char *)*state);
	write_raw(path, "");
	assert_int_equal(wgm_statefile_read_json(path, &out, err, sizeof(err)), -EBADMSG);
}

static void test_duplicate_keys_are_refused(void **state)
{
	char path[256], err[512];
	json_t *out;

	snprintf(path, sizeof(path), "%s/dup.json", (char *)*state);
	write_raw(path, "{\"a\":1,\"a\":2}");
	assert_int_equal(wgm_statefile_read_json(path, &out, err, sizeof(err)), -EBADMSG);
}

static void test_missing_file_is_enoent(void **state)
{
	char path[256], err[512];
	json_t *out;

	snprintf(path, sizeof(path), "%s/none.json", (char *)*state);
	assert_int_equal(wgm_statefile_read_json(path, &out, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, path));
}

static void test_write_under_a_file_fails_naming_the_path(void **state)
{
	char file[256], path[300], err[512];

	snprintf(file, sizeof(file), "%s/plain", (char *)*state);
	write_raw(file, "x");
	snprintf(path, sizeof(path), "%s/child.json", file);
	assert_true(wgm_statefile_write(path, "{}", 2, WGM_STATEFILE_MODE_SECRET, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, file));
}

static void test_ensure_dir_creates_parents_and_accepts_existing(void **state)
{
	char dir[256], err[256];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/a/b/c", (char *)*state);
	assert_int_equal(wgm_statefile_ensure_dir(dir, WGM_STATEFILE_DIR_MODE, err, sizeof(err)), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(wgm_statefile_ensure_dir(dir, WGM_STATEFILE_DIR_MODE, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_json_round_trips, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_unsynced_json_replaces_atomically, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_ensure_dir_creates_parents_and_accepts_existing, make_dir,
						remove_dir),
		cmocka_unit_test_setup_teardown(test_secret_file_gets_exactly_0600, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_missing_directories_are_created_0700, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_overwrite_replaces_and_leaves_no_temp_file, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_truncated_file_is_refused_naming_it, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_empty_file_is_refused, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_duplicate_keys_are_refused, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_missing_file_is_enoent, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_write_under_a_file_fails_naming_the_path, make_dir, remove_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
