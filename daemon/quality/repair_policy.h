/* Self-repair by port change (the original's diag), decided from values
 * alone: a link this node made (client side) that has been dead, or lossy
 * past repairLoss %, for repairAfter seconds while its other node is
 * reachable through the rest of the mesh, is moved to a new WireGuard port
 * on the other end (PATCH /update), at most once per repairCooldown. A
 * blocked or broken port on the path then no longer holds the link down. */
#ifndef WGM_DAEMON_REPAIR_POLICY_H
#define WGM_DAEMON_REPAIR_POLICY_H

#include <stdbool.h>
#include <stdint.h>

struct repair_params {
	int64_t after_ms; /* 0: self-repair off */
	double loss_pct;  /* lossy at or above this (0: loss alone never repairs) */
	int64_t cooldown_ms;
};

/* What is known of one link at one moment. */
struct repair_input {
	bool client; /* this node made the link */
	bool dead;
	double loss_pct;
	bool remote_reachable_elsewhere; /* routed over another interface */
};

/* Per link, kept by the caller between calls; zero to start. */
struct repair_track {
	int64_t bad_since_ms;   /* 0: not dead or lossy */
	int64_t last_repair_ms; /* 0: never */
};

/* Updates TRACK with the input at NOW_MS (> 0) and says whether to repair
 * now. The caller records a repair it starts in last_repair_ms. */
bool repair_due(const struct repair_params *p, const struct repair_input *in, struct repair_track *track,
		int64_t now_ms);

#endif
