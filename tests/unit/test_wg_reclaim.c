/* Taking back a running process's output pipe (common/wg/wg_reclaim.h): a
 * child that keeps the read end of its stdout's pipe at descriptor 3, as
 * the userspace backend starts wireguard-go, gives us a copy that reads what
 * it writes, and its stdout turns non-blocking; a child without such a pipe
 * is refused with -EPROTO and left as it was. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/wg/wg_reclaim.h"

#define KEEP_FD 3

/* A child whose stdout and stderr write into a pipe whose read end it keeps
 * at KEEP_FD (keep) or closes (!keep); it writes LINE once told to (a byte
 * on its stdin) and then waits to be killed. */
static pid_t start_child(bool keep, const char *line, int *go)
{
	int out[2], in[2];
	pid_t pid;

	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char c;
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		dup2(out[1], STDERR_FILENO);
		if (keep)
			dup2(out[0], KEEP_FD);
		close_range(KEEP_FD + (keep ? 1 : 0), ~0U, 0);
		raise(SIGSTOP); /* ready: the parent sees it stopped */
		if (read(STDIN_FILENO, &c, 1) == 1 && write(STDOUT_FILENO, line, strlen(line)) < 0)
			_exit(2);
		pause();
		_exit(0);
	}
	close(out[0]);
	close(out[1]);
	close(in[0]);
	*go = in[1];
	{
		int status = 0;
		assert_int_equal(waitpid(pid, &status, WUNTRACED), pid);
		assert_true(WIFSTOPPED(status));
		kill(pid, SIGCONT);
	}
	return pid;
}

static void stop_child(pid_t pid, int go)
{
	close(go);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void test_reads_what_the_process_writes(void **state)
{
	char err[160] = "", buf[64] = "";
	int go, fd, flags;
	pid_t pid = start_child(true, "hello from pipe2\n", &go);
	ssize_t n = 0;

	(void)state;
	fd = wgm_wg_output_reclaim(pid, KEEP_FD, err, sizeof(err));
	if (fd < 0)
		fail_msg("wgm_wg_output_reclaim: %s", err);
	flags = fcntl(fd, F_GETFL);
	assert_int_equal(flags & O_ACCMODE, O_RDONLY);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(write(go, "x", 1), 1);
	while (n <= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		assert_true(n > 0 || errno == EINTR);
	}
	buf[n] = '\0';
	assert_string_equal(buf, "hello from pipe2\n");
	/* The child's stdout is that pipe's write end, now non-blocking. */
	{
		char path[64];
		unsigned w = 0;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/1", (int)pid);
		FILE *f = fopen(path, "r");
		assert_non_null(f);
		assert_int_equal(fscanf(f, "pos: %*d flags: %o", &w), 1);
		fclose(f);
		assert_true(w & O_NONBLOCK);
	}
	close(fd);
	stop_child(pid, go);
}

static void test_refuses_a_process_without_such_a_pipe(void **state)
{
	char err[160] = "";
	int go;
	pid_t pid = start_child(false, "", &go);

	(void)state;
	assert_int_equal(wgm_wg_output_reclaim(pid, KEEP_FD, err, sizeof(err)), -EPROTO);
	assert_true(err[0] != '\0');
	stop_child(pid, go);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_what_the_process_writes),
		cmocka_unit_test(test_refuses_a_process_without_such_a_pipe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
