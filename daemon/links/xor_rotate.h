/* XOR key rotation of one link, as a pure state machine (the original's
 * rotate.py, done so that it cannot lose a link or a packet; see
 * docs/link-types.md). It takes events and the time, and returns the one
 * action its shell (daemon/links/rotation.c) must perform next; it does no
 * I/O, reads no clock and draws no random number itself.
 *
 * The client end of a link runs it:
 *   drain   the link is drained here and its cost raised on the other end
 *           (PATCH /update cost), so routes leave it;
 *   settle  until the link carries only probes (or settle_max passed);
 *   stage   a new key is saved here as obfs_key_next: the engine accepts it
 *           inbound beside the current one, and a restart resumes with it;
 *   swap    the other end takes it (PATCH /update obfs_key: it sends with the
 *           new key and accepts both), then this end (record saved);
 *   verify  until a probe is answered over the link (or verify_max passed);
 *   restore this end undrained, the other end's cost cleared and the new key
 *           confirmed (the old one forgotten on both ends).
 * A failure anywhere after the drain still restores; a rotation that failed
 * after staging keeps its staged key and resumes with it next time. */
#ifndef WGM_DAEMON_XOR_ROTATE_H
#define WGM_DAEMON_XOR_ROTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum xor_rotate_step {
	XR_IDLE,
	XR_DRAIN,       /* waiting for the remote cost call */
	XR_SETTLE,      /* waiting for traffic to leave */
	XR_STAGE,       /* waiting for the staged key to be saved */
	XR_SWAP_REMOTE, /* waiting for the remote key call */
	XR_SWAP_LOCAL,  /* waiting for the local record to be saved */
	XR_VERIFY,      /* waiting for a probe to be answered */
	XR_RESTORE,     /* waiting for the remote restore call */
};

enum xor_rotate_event {
	XR_EV_START,  /* due, or the operator asked */
	XR_EV_OK,     /* the action asked for succeeded */
	XR_EV_FAILED, /* it failed (reason given to xor_rotate_fail) */
	XR_EV_TICK,   /* about once a second; with the condition of the step */
};

enum xor_rotate_action {
	XR_DO_NOTHING,
	XR_DO_DRAIN,       /* drain here, raise the remote cost */
	XR_DO_STAGE,       /* make (unless staged already) and save obfs_key_next */
	XR_DO_SWAP_REMOTE, /* send obfs_key_next to the other end */
	XR_DO_SWAP_LOCAL,  /* obfs_key = obfs_key_next, save */
	XR_DO_RESTORE,     /* undrain here; remote cost 0 (+ confirm the key when swapped) */
	XR_DO_REPORT_DONE,
	XR_DO_REPORT_FAILED,
};

struct xor_rotate_params {
	uint64_t settle_min_ms; /* routes take this long to move even when quiet */
	uint64_t settle_max_ms; /* then the key is swapped whatever still flows */
	uint64_t verify_max_ms;
	unsigned call_tries; /* remote calls, each */
	uint64_t call_retry_ms;
	uint64_t retry_after_failure_ms; /* next attempt after a failed rotation */
};

struct xor_rotate {
	enum xor_rotate_step step;
	bool failed;    /* this run failed; restoring */
	bool swapped;   /* the other end has the new key */
	unsigned tries; /* of the current remote call */
	uint64_t step_since_ms;
	uint64_t retry_at_ms; /* 0: no call waiting to be retried */
	uint64_t due_ms;      /* next scheduled start; 0 = none */
	char reason[200];     /* why the last run failed */
};

struct xor_rotate_params xor_rotate_params_default(void);

void xor_rotate_init(struct xor_rotate *r);

/* When the next scheduled rotation is due: NOW plus INTERVAL_S scaled by a
 * factor in [5/6, 7/6] drawn from RND (uniform 32 bits), so the default 6 h
 * gives the original's 5-7 h and links do not rotate in step. 0 when
 * INTERVAL_S is 0 (rotation off). */
uint64_t xor_rotate_next_due_ms(uint64_t now_ms, unsigned interval_s, uint32_t rnd);

/* Feeds EVENT. COND is the TICK's condition for the current step: settle:
 * the link is quiet; verify: a probe was answered since the swap; ignored
 * otherwise. Returns the action to perform now. START while a run is under
 * way does nothing (see xor_rotate_busy). */
enum xor_rotate_action xor_rotate_step(struct xor_rotate *r, const struct xor_rotate_params *p,
				       enum xor_rotate_event event, bool cond, uint64_t now_ms);

/* Records why the pending action failed, before feeding XR_EV_FAILED. */
void xor_rotate_fail(struct xor_rotate *r, const char *reason);

bool xor_rotate_busy(const struct xor_rotate *r);
const char *xor_rotate_step_name(enum xor_rotate_step step);

#endif
