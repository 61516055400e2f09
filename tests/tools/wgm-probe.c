/* wgm-probe: probes targets with the daemon's prober and link_stats on the
 * daemon's event loop, then prints one line of figures per target.
 *
 *   wgm-probe [-i INTERVAL_MS] [-c ROUNDS] [-t TIMEOUT_MS] IFNAME ADDR [IFNAME ADDR ...]
 *
 * Output, after the last round's timeout:
 *   target IFNAME ADDR sent=N answered=N lost=N loss_pct=P srtt_us=N min_us=N max_us=N jitter_us=N state=S
 *   prober sent=N answered=N lost=N rejected=N send_errors=N
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/quality/link_stats.h"
#include "common/util/clock.h"
#include "daemon/core/loop.h"
#include "daemon/quality/prober.h"

struct probe_target {
	uint32_t id;
	const char *ifname, *addr;
	struct link_stats *stats;
};

struct probe_run {
	struct loop *loop;
	struct prober *prober;
	struct loop_timer *timer;
	struct probe_target *targets;
	size_t ntargets;
	long rounds_left;
	long interval_ms, timeout_ms;
	bool finishing;
};

static struct probe_target *target_by_id(struct probe_run *r, uint32_t id)
{
	for (size_t i = 0; i < r->ntargets; i++)
		if (r->targets[i].id == id)
			return &r->targets[i];
	return NULL;
}

static void on_result(void *ctx, const struct probe_result *res)
{
	struct probe_target *t = target_by_id(ctx, res->target_id);
	if (!t)
		return;
	switch (res->outcome) {
	case PROBE_SENT:
		link_stats_on_sent(t->stats, res->sent_us);
		break;
	case PROBE_ANSWERED:
		link_stats_on_answer(t->stats, res->sent_us, res->rtt_us);
		break;
	case PROBE_LOST:
		link_stats_on_lost(t->stats, res->sent_us);
		break;
	}
}

static void print_results(struct probe_run *r)
{
	int64_t now = wgm_mono_us();
	for (size_t i = 0; i < r->ntargets; i++) {
		struct probe_target *t = &r->targets[i];
		struct link_summary s;
		link_stats_summary(t->stats, now, &s);
		printf("target %s %s sent=%llu answered=%llu lost=%llu loss_pct=%.1f srtt_us=%u min_us=%u max_us=%u "
		       "jitter_us=%u state=%s\n",
		       t->ifname, t->addr, (unsigned long long)s.probes_sent, (unsigned long long)s.probes_answered,
		       (unsigned long long)s.probes_lost, s.loss_pct, s.srtt_us, s.min_rtt_us, s.max_rtt_us,
		       s.jitter_us, link_stats_state_name(s.state));
	}
	struct prober_counters c;
	prober_get_counters(r->prober, &c);
	printf("prober sent=%llu answered=%llu lost=%llu rejected=%llu send_errors=%llu\n", (unsigned long long)c.sent,
	       (unsigned long long)c.answered, (unsigned long long)c.lost, (unsigned long long)c.rejected,
	       (unsigned long long)c.send_errors);
	fflush(stdout);
}

static void on_timer(struct loop *loop, struct loop_timer *timer, void *ctx)
{
	struct probe_run *r = ctx;
	if (r->finishing) {
		/* Every probe is past its timeout by now. */
		prober_expire(r->prober, wgm_mono_us() + 1);
		print_results(r);
		loop_stop(loop);
		return;
	}
	prober_send_round(r->prober, wgm_mono_us());
	if (--r->rounds_left <= 0) {
		r->finishing = true;
		loop_timer_arm(timer, (uint64_t)r->timeout_ms + 20, 0);
	}
}

static void on_readable(struct loop *loop, int fd, uint32_t events, void *ctx)
{
	struct probe_run *r = ctx;
	prober_on_readable(r->prober, fd, wgm_mono_us());
}

static long parse_positive(const char *s, const char *what)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v <= 0 || v > 1000000) {
		fprintf(stderr, "wgm-probe: %s: %s is not a positive number\n", what, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	struct probe_run r = { .rounds_left = 10, .interval_ms = 1000, .timeout_ms = 1000 };
	int opt, rc = 1;
	while ((opt = getopt(argc, argv, "i:c:t:")) != -1) {
		switch (opt) {
		case 'i':
			r.interval_ms = parse_positive(optarg, "-i");
			break;
		case 'c':
			r.rounds_left = parse_positive(optarg, "-c");
			break;
		case 't':
			r.timeout_ms = parse_positive(optarg, "-t");
			break;
		default:
			fprintf(stderr,
				"usage: wgm-probe [-i INTERVAL_MS] [-c ROUNDS] [-t TIMEOUT_MS] IFNAME ADDR ...\n");
			return 2;
		}
	}
	int nargs = argc - optind;
	if (nargs < 2 || nargs % 2) {
		fprintf(stderr, "usage: wgm-probe [-i INTERVAL_MS] [-c ROUNDS] [-t TIMEOUT_MS] IFNAME ADDR ...\n");
		return 2;
	}

	struct loop_watch *w4 = NULL, *w6 = NULL;
	char err[256];
	struct prober_params pp = prober_params_default();
	pp.timeout_us = r.timeout_ms * 1000LL;
	struct link_stats_params lp = link_stats_params_default();
	lp.capacity = r.rounds_left < 2 ? 2 : (size_t)r.rounds_left;
	lp.window = lp.capacity;
	lp.recent_window = lp.window < 10 ? lp.window : 10;

	r.ntargets = (size_t)nargs / 2;
	r.targets = calloc(r.ntargets, sizeof(*r.targets));
	if (!r.targets || loop_new(&r.loop) < 0) {
		fprintf(stderr, "wgm-probe: out of memory\n");
		goto out;
	}
	if (prober_new(&pp, on_result, &r, &r.prober, err, sizeof(err)) < 0) {
		fprintf(stderr, "wgm-probe: %s\n", err);
		goto out;
	}
	for (size_t i = 0; i < r.ntargets; i++) {
		struct probe_target *t = &r.targets[i];
		t->ifname = argv[optind + 2 * (int)i];
		t->addr = argv[optind + 2 * (int)i + 1];
		t->stats = link_stats_new(&lp);
		if (!t->stats) {
			fprintf(stderr, "wgm-probe: out of memory\n");
			goto out;
		}
		if (prober_add_target(r.prober, t->ifname, t->addr, &t->id, err, sizeof(err)) < 0) {
			fprintf(stderr, "wgm-probe: %s\n", err);
			goto out;
		}
	}
	if ((prober_fd4(r.prober) >= 0 &&
	     loop_watch_add(r.loop, prober_fd4(r.prober), EPOLLIN, on_readable, &r, &w4) < 0) ||
	    (prober_fd6(r.prober) >= 0 &&
	     loop_watch_add(r.loop, prober_fd6(r.prober), EPOLLIN, on_readable, &r, &w6) < 0) ||
	    loop_timer_new(r.loop, on_timer, &r, &r.timer) < 0 ||
	    loop_timer_arm(r.timer, 0, (uint64_t)r.interval_ms) < 0) {
		fprintf(stderr, "wgm-probe: cannot set up the event loop\n");
		goto out;
	}
	if (loop_run(r.loop) < 0) {
		fprintf(stderr, "wgm-probe: event loop failed\n");
		goto out;
	}
	rc = 0;
out:
	loop_timer_free(r.timer);
	loop_watch_remove(w4);
	loop_watch_remove(w6);
	prober_free(r.prober);
	for (size_t i = 0; r.targets && i < r.ntargets; i++)
		link_stats_free(r.targets[i].stats);
	free(r.targets);
	if (r.loop)
		loop_free(r.loop);
	return rc;
}
