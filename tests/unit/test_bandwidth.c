/* Bandwidth mode's pure parts: iperf3's JSON report (real captured output of
 * Debian's iperf3 3.12 in tests/data/iperf3/, and broken variants), the cost
 * formula 20000 - Mbit/s with latency mode's loss, drain, override and death
 * kept, and the measurement queue (one run at a time, each link every
 * interval, failures retried sooner). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/quality/bw_sched.h"
#include "daemon/quality/cost.h"
#include "daemon/quality/iperf_result.h"

#define SEC 1000000LL

static char err[256];

static char *read_data(const char *name, size_t *len)
{
	const char *dir = getenv("WGM_TEST_DATA");
	char path[512];
	FILE *f;
	char *buf = malloc(1 << 16);

	assert_non_null(dir);
	assert_non_null(buf);
	snprintf(path, sizeof(path), "%s/iperf3/%s", dir, name);
	f = fopen(path, "r");
	assert_non_null(f);
	*len = fread(buf, 1, (1 << 16) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static void test_parses_a_real_report(void **state)
{
	struct iperf_result r;
	size_t len;
	char *text = read_data("ok.json", &len);

	(void)state;
	assert_int_equal(iperf_result_parse(text, len, &r, err, sizeof(err)), 0);
	/* end.sum_received: 4413097181.998942 bit/s over 1.000319 s. */
	assert_int_equal(r.mbps, 4413);
	assert_true(r.seconds > 1.0 && r.seconds < 1.001);
	free(text);
}

static void test_error_reports_are_failures_with_the_reason(void **state)
{
	struct iperf_result r;
	size_t len;
	char *text = read_data("refused.json", &len);

	(void)state;
	assert_int_equal(iperf_result_parse(text, len, &r, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "iperf3: unable to connect to server: Connection refused");
	assert_int_equal(r.mbps, 0);
	free(text);
	text = read_data("bind_error.json", &len);
	assert_int_equal(iperf_result_parse(text, len, &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "Cannot assign requested address"));
	free(text);
}

static void expect_failure(const char *text, const char *why)
{
	struct iperf_result r;

	assert_int_equal(iperf_result_parse(text, strlen(text), &r, err, sizeof(err)), -EINVAL);
	if (!strstr(err, why))
		fail_msg("for %s: got '%s', expected '%s'", text, err, why);
	assert_int_equal(r.mbps, 0);
}

static void test_garbled_reports_are_refused(void **state)
{
	(void)state;
	expect_failure("", "printed nothing");
	expect_failure("{\"start\": {", "not JSON");
	expect_failure("iperf3: error - the server is busy", "not JSON");
	expect_failure("[1,2]", "not a JSON object");
	expect_failure("{\"end\":{}}", "no end.sum_received");
	expect_failure("{\"end\":{\"sum_received\":{\"bits_per_second\":\"fast\",\"seconds\":5}}}", "lacks");
	expect_failure("{\"end\":{\"sum_received\":{\"bits_per_second\":-1,\"seconds\":5}}}", "impossible throughput");
	expect_failure("{\"end\":{\"sum_received\":{\"bits_per_second\":1e20,\"seconds\":5}}}",
		       "impossible throughput");
	expect_failure("{\"end\":{\"sum_received\":{\"bits_per_second\":1e6,\"seconds\":0}}}", "impossible duration");
	expect_failure("{\"end\":{\"sum_received\":{\"bits_per_second\":1e6,\"seconds\":5}},\"end\":{}}", "not JSON");
	/* An error string with control characters is made printable. */
	expect_failure("{\"error\":\"bad\\nline\\u001b[31m\"}", "iperf3: bad?line?[31m");
	expect_failure("{\"error\":42}", "iperf3: (not a string)");
}

static void test_rounds_to_the_nearest_mbit(void **state)
{
	struct iperf_result r;
	const char *lo = "{\"end\":{\"sum_received\":{\"bits_per_second\":1499999,\"seconds\":5}}}";
	const char *hi = "{\"end\":{\"sum_received\":{\"bits_per_second\":1500000,\"seconds\":5}}}";
	const char *zero = "{\"end\":{\"sum_received\":{\"bits_per_second\":0,\"seconds\":5}}}";

	(void)state;
	assert_int_equal(iperf_result_parse(lo, strlen(lo), &r, err, sizeof(err)), 0);
	assert_int_equal(r.mbps, 1);
	assert_int_equal(iperf_result_parse(hi, strlen(hi), &r, err, sizeof(err)), 0);
	assert_int_equal(r.mbps, 2);
	assert_int_equal(iperf_result_parse(zero, strlen(zero), &r, err, sizeof(err)), 0);
	assert_int_equal(r.mbps, 0);
}

/* ---- cost ---- */

static struct cost_params no_hop(void)
{
	struct cost_params p = cost_params_default();
	p.hop_cost = 0;
	return p;
}

static void test_cost_is_20000_minus_mbit(void **state)
{
	(void)state;
	assert_int_equal(cost_bandwidth_base(0), 20000);
	assert_int_equal(cost_bandwidth_base(100), 19900);
	assert_int_equal(cost_bandwidth_base(19999), 1);
	assert_int_equal(cost_bandwidth_base(20000), 1); /* clamped: OSPF costs start at 1 */
	assert_int_equal(cost_bandwidth_base(4000000), 1);
}

static void test_bandwidth_replaces_rtt_and_jitter_but_not_the_rest(void **state)
{
	struct cost_params p = no_hop();
	struct cost_link_state st = { 0 };
	struct cost_input in = { .has_rtt = true, .srtt_us = 12300, .has_bandwidth = true, .bandwidth_mbps = 300 };
	char reason[160];
	struct cost_value v;

	(void)state;
	v = cost_compute(&st, &in, &p, 100 * SEC, reason, sizeof(reason));
	assert_int_equal(v.cost, 19700);
	assert_int_equal(v.basis, COST_BASIS_MEASURED);
	assert_string_equal(reason, "bandwidth 300 Mbit/s 19700 = 19700");

	/* The faster link costs less. */
	in.bandwidth_mbps = 900;
	assert_int_equal(cost_compute(&st, &in, &p, 101 * SEC, NULL, 0).cost, 19100);

	/* Jitter is latency's business: no penalty here. */
	in.jitter_us = 20000;
	assert_int_equal(cost_compute(&st, &in, &p, 102 * SEC, NULL, 0).cost, 19100);

	/* Loss keeps its penalty (30 % -> +3000), capped below drain. */
	in.loss_recent_pct = 30;
	v = cost_compute(&st, &in, &p, 103 * SEC, reason, sizeof(reason));
	assert_int_equal(v.cost, 22100);
	assert_non_null(strstr(reason, "loss +3000"));

	/* Client extra and the cap below drain. */
	in.client = true;
	in.bandwidth_mbps = 0;
	assert_int_equal(cost_compute(&st, &in, &p, 104 * SEC, NULL, 0).cost, 20000 + 3000 + 10000);

	/* Drain, override and death win as in latency mode. */
	in.drained = true;
	assert_int_equal(cost_compute(&st, &in, &p, 105 * SEC, NULL, 0).cost, COST_DRAIN_DEFAULT);
	in.drained = false;
	in.override = 42;
	assert_int_equal(cost_compute(&st, &in, &p, 106 * SEC, NULL, 0).cost, 42);
	in.dead = true;
	assert_int_equal(cost_compute(&st, &in, &p, 107 * SEC, NULL, 0).cost, COST_DEAD);
}

static void test_hop_cost_is_added(void **state)
{
	struct cost_params p = cost_params_default();
	struct cost_link_state st = { 0 };
	struct cost_input in = { .has_bandwidth = true, .bandwidth_mbps = 50 };

	(void)state;
	assert_int_equal(cost_compute(&st, &in, &p, SEC, NULL, 0).cost, 19950 + p.hop_cost);
}

static void test_no_figure_yet_keeps_the_latency_cost(void **state)
{
	struct cost_params p = no_hop();
	struct cost_link_state st = { 0 };
	struct cost_input in = { .has_rtt = true, .srtt_us = 12300 };

	(void)state;
	assert_int_equal(cost_compute(&st, &in, &p, SEC, NULL, 0).cost, 123);
}

static void test_own_run_records_no_loss_event(void **state)
{
	struct cost_params p = no_hop();
	struct cost_link_state st = { 0 };
	struct cost_input in = { .has_bandwidth = true,
				 .bandwidth_mbps = 10,
				 .loss_recent_pct = 40,
				 .jitter_us = 30000,
				 .measuring = true };

	(void)state;
	assert_int_equal(cost_compute(&st, &in, &p, SEC, NULL, 0).cost, 19990);
	assert_int_equal(cost_loss_penalty(&st, &p, SEC), 0);
	assert_int_equal(cost_jitter_penalty(&st, &p, SEC), 0);
	/* The same loss outside a run is the link's. */
	in.measuring = false;
	assert_int_equal(cost_compute(&st, &in, &p, 2 * SEC, NULL, 0).cost, 19990 + 4000);
}

/* ---- the queue ---- */

static const struct bw_sched_params sp = { .interval_us = 3600 * SEC, .retry_us = BW_RETRY_US };

static void test_one_run_at_a_time(void **state)
{
	struct bw_sched_link l[3] = { { .eligible = true }, { .eligible = true }, { .eligible = true } };
	int64_t wake = -1;

	(void)state;
	/* Everything is due, but a run is going on: nothing starts. */
	assert_int_equal(bw_sched_pick(l, 3, true, 10 * SEC, &wake), -1);
	assert_int_equal(wake, 0);
	/* The links go one after the other, each once. */
	assert_int_equal(bw_sched_pick(l, 3, false, 10 * SEC, NULL), 0);
	bw_sched_done(&l[0], true, &sp, 16 * SEC);
	assert_int_equal(bw_sched_pick(l, 3, false, 16 * SEC, NULL), 1);
	bw_sched_done(&l[1], true, &sp, 22 * SEC);
	assert_int_equal(bw_sched_pick(l, 3, false, 22 * SEC, NULL), 2);
	bw_sched_done(&l[2], true, &sp, 28 * SEC);
	assert_int_equal(bw_sched_pick(l, 3, false, 28 * SEC, &wake), -1);
	assert_int_equal(wake, 16 * SEC + sp.interval_us);
}

static void test_each_link_every_interval_oldest_first(void **state)
{
	struct bw_sched_link l[2] = { { .eligible = true }, { .eligible = true } };
	int64_t now = 0;
	unsigned runs[2] = { 0, 0 };

	(void)state;
	/* A simulated day, one check a second, each run 5 s long. */
	while (now < 86400 * SEC) {
		long i = bw_sched_pick(l, 2, false, now, NULL);
		if (i >= 0) {
			runs[i]++;
			now += 5 * SEC;
			bw_sched_done(&l[i], true, &sp, now);
		}
		now += SEC;
	}
	assert_int_equal(runs[0], 24);
	assert_int_equal(runs[1], 24);
}

static void test_ineligible_links_wait_and_new_ones_go_first(void **state)
{
	struct bw_sched_link l[3] = { { .eligible = true, .due_us = 5 * SEC },
				      { .eligible = false },
				      { .eligible = true, .due_us = 2 * SEC } };

	(void)state;
	/* Link 1 is never measured while it is not eligible (down, or the mode off). */
	assert_int_equal(bw_sched_pick(l, 3, false, 10 * SEC, NULL), 2);
	l[1].eligible = true;
	/* Never measured: first in line. */
	assert_int_equal(bw_sched_pick(l, 3, false, 10 * SEC, NULL), 1);
}

static void test_failures_are_retried_sooner(void **state)
{
	struct bw_sched_link l = { .eligible = true };
	struct bw_sched_params shortp = { .interval_us = 20 * SEC, .retry_us = BW_RETRY_US };

	(void)state;
	bw_sched_done(&l, false, &sp, 100 * SEC);
	assert_int_equal(l.due_us, 100 * SEC + BW_RETRY_US);
	bw_sched_done(&l, true, &sp, 100 * SEC);
	assert_int_equal(l.due_us, 100 * SEC + sp.interval_us);
	/* Never later than the interval. */
	bw_sched_done(&l, false, &shortp, 100 * SEC);
	assert_int_equal(l.due_us, 120 * SEC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parses_a_real_report),
		cmocka_unit_test(test_error_reports_are_failures_with_the_reason),
		cmocka_unit_test(test_garbled_reports_are_refused),
		cmocka_unit_test(test_rounds_to_the_nearest_mbit),
		cmocka_unit_test(test_cost_is_20000_minus_mbit),
		cmocka_unit_test(test_bandwidth_replaces_rtt_and_jitter_but_not_the_rest),
		cmocka_unit_test(test_hop_cost_is_added),
		cmocka_unit_test(test_no_figure_yet_keeps_the_latency_cost),
		cmocka_unit_test(test_own_run_records_no_loss_event),
		cmocka_unit_test(test_one_run_at_a_time),
		cmocka_unit_test(test_each_link_every_interval_oldest_first),
		cmocka_unit_test(test_ineligible_links_wait_and_new_ones_go_first),
		cmocka_unit_test(test_failures_are_retried_sooner),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
