/* wgm-bench-cost: CPU time per probe round and memory per link of the path
 * quality code. Prints figures; asserts nothing (tests/bench/bench_cost.sh).
 *
 *   wgm-bench-cost [LINKS...]            stats + cost + scheduler, pure
 *   wgm-bench-cost --prober [LINKS...]   also real ICMP rounds to 127.0.0.1
 *                                        (root; run it inside a namespace)
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/quality/cost.h"
#include "common/util/clock.h"
#include "daemon/quality/link_stats.h"
#include "daemon/quality/prober.h"

static double cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 88172645463325252ULL;
static uint32_t noisy_rtt(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	if (rng % 1000 == 0)
		return UINT32_MAX;
	return 15000 + (uint32_t)(rng % 10000);
}

struct bench_link {
	struct link_stats *stats;
	struct cost_link_state cost;
};

static int bench_pure(size_t n)
{
	const int rounds = 2000;
	struct link_stats_params lp = link_stats_params_default();
	struct cost_params cp = cost_params_default();
	struct bench_link *links = calloc(n, sizeof(*links));
	struct cost_sched_link *sl = calloc(n, sizeof(*sl));
	struct cost_sched sched = { 0 };
	int rc = 1;
	if (!links || !sl)
		goto out;
	for (size_t i = 0; i < n; i++) {
		links[i].stats = link_stats_new(&lp);
		if (!links[i].stats)
			goto out;
	}
	int64_t now = 0;
	double start = 0;
	unsigned pushes = 0;
	/* The first lp.capacity rounds fill the rings; only full rings are timed. */
	for (int r = 0; r < (int)lp.capacity + rounds; r++) {
		if (r == (int)lp.capacity)
			start = cpu_seconds();
		now += 1000000;
		for (size_t i = 0; i < n; i++) {
			uint32_t rtt = noisy_rtt();
			link_stats_on_sent(links[i].stats, now);
			if (rtt == UINT32_MAX)
				link_stats_on_lost(links[i].stats, now);
			else
				link_stats_on_answer(links[i].stats, now, rtt);
			struct link_summary sum;
			link_stats_summary(links[i].stats, now, &sum);
			struct cost_input in = cost_input_from_summary(&sum, false, false, 0);
			char reason[128];
			sl[i].desired = cost_compute(&links[i].cost, &in, &cp, now, reason, sizeof(reason));
		}
		struct cost_decision d = cost_sched_decide(&sched, sl, n, &cp, now);
		if (d.push) {
			pushes++;
			cost_sched_commit(&sched, sl, n, now);
		}
	}
	double per_round = (cpu_seconds() - start) / rounds;
	size_t per_link = link_stats_size(&lp) + sizeof(struct cost_link_state) + sizeof(struct cost_sched_link);
	printf("links=%zu stats+cost+scheduler: %.1f us CPU per round (%.2f us per link), %.4f %% of a core at 1 Hz; "
	       "memory %zu bytes per link (ring of %zu probes)\n",
	       n, per_round * 1e6, per_round * 1e6 / (double)n, per_round * 100.0, per_link, lp.capacity);
	rc = 0;
out:
	for (size_t i = 0; links && i < n; i++)
		link_stats_free(links[i].stats);
	free(links);
	free(sl);
	return rc;
}

static void count_answer(void *ctx, const struct probe_result *r)
{
	if (r->outcome != PROBE_SENT)
		(*(size_t *)ctx)++;
}

static int bench_prober(size_t n)
{
	const int rounds = 200;
	struct prober_params pp = prober_params_default();
	struct prober *p = NULL;
	size_t done = 0;
	char err[256];
	if (prober_new(&pp, count_answer, &done, &p, err, sizeof(err)) < 0) {
		fprintf(stderr, "wgm-bench-cost: %s\n", err);
		return 1;
	}
	int rc = 1;
	for (size_t i = 0; i < n; i++) {
		uint32_t id;
		if (prober_add_target(p, "lo", "127.0.0.1", &id, err, sizeof(err)) < 0) {
			fprintf(stderr, "wgm-bench-cost: %s\n", err);
			goto out;
		}
	}
	double start = cpu_seconds();
	for (int r = 0; r < rounds; r++) {
		done = 0;
		prober_send_round(p, wgm_mono_us());
		while (done < n) {
			struct pollfd pfd = { .fd = prober_fd4(p), .events = POLLIN };
			if (poll(&pfd, 1, 1000) <= 0)
				break;
			prober_on_readable(p, pfd.fd, wgm_mono_us());
		}
	}
	double per_round = (cpu_seconds() - start) / rounds;
	struct prober_counters c;
	prober_get_counters(p, &c);
	printf("links=%zu prober (send + receive over loopback, kernel echo included): %.1f us CPU per round, "
	       "%.4f %% of a core at 1 Hz; answered %llu of %llu\n",
	       n, per_round * 1e6, per_round * 100.0, (unsigned long long)c.answered, (unsigned long long)c.sent);
	rc = 0;
out:
	prober_free(p);
	return rc;
}

int main(int argc, char **argv)
{
	bool prober = false;
	size_t counts[16], ncounts = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--prober") == 0) {
			prober = true;
			continue;
		}
		long v = strtol(argv[i], NULL, 10);
		if (v <= 0 || v > 10000 || ncounts == 16) {
			fprintf(stderr, "usage: wgm-bench-cost [--prober] [LINKS...]\n");
			return 2;
		}
		counts[ncounts++] = (size_t)v;
	}
	if (!ncounts) {
		counts[ncounts++] = 50;
		counts[ncounts++] = 200;
	}
	for (size_t i = 0; i < ncounts; i++) {
		if (bench_pure(counts[i]) || (prober && bench_prober(counts[i])))
			return 1;
	}
	return 0;
}
