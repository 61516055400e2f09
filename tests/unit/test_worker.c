#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <cmocka.h>

#include "daemon/core/loop.h"
#include "daemon/core/worker.h"

struct probe {
	struct loop *loop;
	int index;
	int *order;
	int *done_count;
	int total;
	pthread_t ran_on;
	pthread_t done_on;
};

static void run_job(void *ctx)
{
	struct probe *p = ctx;
	p->ran_on = pthread_self();
}

static void job_done(void *ctx)
{
	struct probe *p = ctx;
	p->done_on = pthread_self();
	p->order[(*p->done_count)++] = p->index;
	if (*p->done_count == p->total)
		loop_stop(p->loop);
}

static void test_jobs_run_off_loop_and_finish_on_it_in_order(void **state)
{
	struct loop *loop;
	struct worker *w;
	struct probe probes[5];
	int order[5] = { 0 }, done_count = 0;

	assert_int_equal(loop_new(&loop), 0);
	assert_int_equal(worker_new(loop, &w), 0);
	for (int i = 0; i < 5; i++) {
		probes[i] = (struct probe){
			.loop = loop, .index = i, .order = order, .done_count = &done_count, .total = 5
		};
		assert_int_equal(worker_submit(w, run_job, job_done, &probes[i]), 0);
	}
	assert_int_equal(worker_pending(w), 5);
	assert_int_equal(loop_run(loop), 0);
	assert_int_equal(worker_pending(w), 0);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(order[i], i);
		assert_false(pthread_equal(probes[i].ran_on, pthread_self()));
		assert_true(pthread_equal(probes[i].done_on, pthread_self()));
	}
	worker_free(w);
	loop_free(loop);
}

static void test_free_calls_done_of_queued_jobs(void **state)
{
	struct loop *loop;
	struct worker *w;
	struct probe probes[3];
	int order[3] = { 0 }, done_count = 0;

	assert_int_equal(loop_new(&loop), 0);
	assert_int_equal(worker_new(loop, &w), 0);
	for (int i = 0; i < 3; i++) {
		probes[i] = (struct probe){
			.loop = loop, .index = i, .order = order, .done_count = &done_count, .total = 99
		};
		assert_int_equal(worker_submit(w, run_job, job_done, &probes[i]), 0);
	}
	worker_free(w);
	assert_int_equal(done_count, 3);
	loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jobs_run_off_loop_and_finish_on_it_in_order),
		cmocka_unit_test(test_free_calls_done_of_queued_jobs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
