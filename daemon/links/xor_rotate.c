#include "daemon/links/xor_rotate.h"

#include <stdio.h>
#include <string.h>

struct xor_rotate_params xor_rotate_params_default(void)
{
	return (struct xor_rotate_params){
		/* OSPF moves routes within a second or two of a cost change
		 * (BFD, tick 1); 5 s leaves room on a loaded machine. */
		.settle_min_ms = 5000,
		/* The original waited a fixed 60 s. */
		.settle_max_ms = 60000,
		.verify_max_ms = 60000,
		.call_tries = 3,
		.call_retry_ms = 5000,
		.retry_after_failure_ms = 15 * 60 * 1000,
	};
}

void xor_rotate_init(struct xor_rotate *r)
{
	memset(r, 0, sizeof(*r));
	r->step = XR_IDLE;
}

uint64_t xor_rotate_next_due_ms(uint64_t now_ms, unsigned interval_s, uint32_t rnd)
{
	uint64_t span_ms, base_ms;

	if (interval_s == 0)
		return 0;
	/* [5/6, 7/6] of the interval: a window of 2/6 starting at 5/6. */
	base_ms = (uint64_t)interval_s * 1000 * 5 / 6;
	span_ms = (uint64_t)interval_s * 1000 * 2 / 6;
	return now_ms + base_ms + (span_ms * rnd >> 32);
}

const char *xor_rotate_step_name(enum xor_rotate_step step)
{
	switch (step) {
	case XR_IDLE:
		return "idle";
	case XR_DRAIN:
		return "drain";
	case XR_SETTLE:
		return "settle";
	case XR_STAGE:
		return "stage";
	case XR_SWAP_REMOTE:
		return "swap-remote";
	case XR_SWAP_LOCAL:
		return "swap-local";
	case XR_VERIFY:
		return "verify";
	case XR_RESTORE:
		return "restore";
	}
	return "?";
}

bool xor_rotate_busy(const struct xor_rotate *r)
{
	return r->step != XR_IDLE;
}

void xor_rotate_fail(struct xor_rotate *r, const char *reason)
{
	snprintf(r->reason, sizeof(r->reason), "%s", reason && *reason ? reason : "failed");
}

static enum xor_rotate_action action_of(enum xor_rotate_step step)
{
	switch (step) {
	case XR_DRAIN:
		return XR_DO_DRAIN;
	case XR_STAGE:
		return XR_DO_STAGE;
	case XR_SWAP_REMOTE:
		return XR_DO_SWAP_REMOTE;
	case XR_SWAP_LOCAL:
		return XR_DO_SWAP_LOCAL;
	case XR_RESTORE:
		return XR_DO_RESTORE;
	default:
		return XR_DO_NOTHING;
	}
}

static bool is_remote_call(enum xor_rotate_step step)
{
	return step == XR_DRAIN || step == XR_SWAP_REMOTE || step == XR_RESTORE;
}

static enum xor_rotate_action enter(struct xor_rotate *r, enum xor_rotate_step step, uint64_t now_ms)
{
	r->step = step;
	r->step_since_ms = now_ms;
	r->tries = 1;
	r->retry_at_ms = 0;
	return action_of(step);
}

static enum xor_rotate_action finish(struct xor_rotate *r)
{
	r->step = XR_IDLE;
	r->retry_at_ms = 0;
	return r->failed ? XR_DO_REPORT_FAILED : XR_DO_REPORT_DONE;
}

static enum xor_rotate_action on_ok(struct xor_rotate *r, uint64_t now_ms)
{
	switch (r->step) {
	case XR_DRAIN:
		return enter(r, XR_SETTLE, now_ms);
	case XR_STAGE:
		return enter(r, XR_SWAP_REMOTE, now_ms);
	case XR_SWAP_REMOTE:
		r->swapped = true;
		return enter(r, XR_SWAP_LOCAL, now_ms);
	case XR_SWAP_LOCAL:
		return enter(r, XR_VERIFY, now_ms);
	case XR_RESTORE:
		return finish(r);
	default:
		return XR_DO_NOTHING; /* nothing was asked */
	}
}

static enum xor_rotate_action on_failed(struct xor_rotate *r, const struct xor_rotate_params *p, uint64_t now_ms)
{
	if (r->retry_at_ms || r->step == XR_IDLE || r->step == XR_SETTLE || r->step == XR_VERIFY)
		return XR_DO_NOTHING; /* nothing was asked */
	if (is_remote_call(r->step) && r->tries < p->call_tries) {
		/* The other node may be busy (412 while its link changes) or a
		 * request lost: the same call again, later. Every call is
		 * idempotent on the other end. */
		r->retry_at_ms = now_ms + p->call_retry_ms;
		return XR_DO_NOTHING;
	}
	if (!r->reason[0])
		xor_rotate_fail(r, NULL);
	r->failed = true;
	if (r->step == XR_RESTORE)
		return finish(r);
	/* Whatever failed, the link goes back to carrying traffic. */
	return enter(r, XR_RESTORE, now_ms);
}

static enum xor_rotate_action on_tick(struct xor_rotate *r, const struct xor_rotate_params *p, bool cond,
				      uint64_t now_ms)
{
	uint64_t in_step = now_ms - r->step_since_ms;

	if (r->retry_at_ms) {
		if (now_ms < r->retry_at_ms)
			return XR_DO_NOTHING;
		r->retry_at_ms = 0;
		r->tries++;
		return action_of(r->step);
	}
	if (r->step == XR_SETTLE && ((cond && in_step >= p->settle_min_ms) || in_step >= p->settle_max_ms))
		return enter(r, XR_STAGE, now_ms);
	if (r->step == XR_VERIFY && cond)
		return enter(r, XR_RESTORE, now_ms);
	if (r->step == XR_VERIFY && in_step >= p->verify_max_ms) {
		char why[128];
		snprintf(why, sizeof(why), "no probe answered over the link within %llu s of the key swap",
			 (unsigned long long)(p->verify_max_ms / 1000));
		xor_rotate_fail(r, why);
		r->failed = true;
		return enter(r, XR_RESTORE, now_ms);
	}
	return XR_DO_NOTHING;
}

enum xor_rotate_action xor_rotate_step(struct xor_rotate *r, const struct xor_rotate_params *p,
				       enum xor_rotate_event event, bool cond, uint64_t now_ms)
{
	switch (event) {
	case XR_EV_START:
		if (r->step != XR_IDLE)
			return XR_DO_NOTHING;
		r->failed = r->swapped = false;
		r->reason[0] = '\0';
		return enter(r, XR_DRAIN, now_ms);
	case XR_EV_OK:
		return r->retry_at_ms ? XR_DO_NOTHING : on_ok(r, now_ms);
	case XR_EV_FAILED:
		return on_failed(r, p, now_ms);
	case XR_EV_TICK:
		return r->step == XR_IDLE ? XR_DO_NOTHING : on_tick(r, p, cond, now_ms);
	}
	return XR_DO_NOTHING;
}
