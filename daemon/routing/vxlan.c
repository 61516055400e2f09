#include "daemon/routing/vxlan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util/log.h"
#include "common/netlink/nl_route.h"

/* Inside a WireGuard link of MTU 1420: VXLAN adds 50 bytes over IPv4, 70
 * over IPv6. */
#define VXLAN4_MTU 1370
#define VXLAN6_MTU 1350

void vxlan_wanted(unsigned self_id, const struct mesh_nodes *nodes, bool *want4, bool *want6)
{
	for (unsigned id = 0; id < MESH_NODES_MAX; id++) {
		want4[id] = id != self_id && nodes->node[id].v4.present;
		want6[id] = id != self_id && nodes->node[id].v6.present;
	}
}

/* The state of the devices, as the worker leaves it. */
struct vxlan_state {
	bool devices; /* both exist as we made them */
	bool removed; /* both deleted (vxlan disabled) */
	bool known;   /* the entries below are all there is */
	bool have4[MESH_NODES_MAX], have6[MESH_NODES_MAX];
};

struct vxlan_job {
	struct vxlan *v; /* NULL once vxlan is gone */
	struct vxlan_deps d;
	unsigned self_id;
	bool enabled;
	bool want4[MESH_NODES_MAX], want6[MESH_NODES_MAX];
	struct vxlan_state state; /* in: as known; out: as left */
	char err[512];
	int rc;
};

struct vxlan {
	struct vxlan_deps deps;
	struct vxlan_state state;
	bool want4[MESH_NODES_MAX], want6[MESH_NODES_MAX];
	bool have_routes; /* nothing is made before BIRD's first answer */
	struct vxlan_job *running;
	bool dirty;
	char last_err[512];
};

static int make_device(struct vxlan_job *job, const char *ifname, uint32_t vni, uint16_t port,
		       const struct wgm_nl_ip *local, const struct wgm_nl_ip *addr, unsigned prefixlen, uint32_t mtu)
{
	struct wgm_nl_vxlan_spec spec = { .ifname = ifname, .vni = vni, .dstport = port, .local = *local };
	struct wgm_nl_sock *s = job->d.route;
	int rc = wgm_nl_route_vxlan_create(s, &spec, job->err, sizeof(job->err));

	if (rc == -EEXIST)
		rc = 0;
	if (rc == 0)
		rc = wgm_nl_route_link_set_mtu(s, ifname, mtu, job->err, sizeof(job->err));
	if (rc == 0)
		rc = wgm_nl_route_addr_add(s, ifname, addr, prefixlen, NULL, job->err, sizeof(job->err));
	if (rc == 0)
		rc = wgm_nl_route_link_set_up(s, ifname, true, job->err, sizeof(job->err));
	return rc;
}

static int make_devices(struct vxlan_job *job)
{
	struct wgm_addrplan_v4 lo4, vx4;
	struct wgm_addrplan_v6 lo6, vx6;
	struct wgm_nl_ip l4 = { .family = AF_INET }, l6 = { .family = AF_INET6 };
	struct wgm_nl_ip a4 = { .family = AF_INET }, a6 = { .family = AF_INET6 };
	int rc;

	wgm_addrplan_loopback_v4(job->d.plan, job->self_id, &lo4);
	wgm_addrplan_loopback_v6(job->self_id, &lo6);
	if (wgm_addrplan_vxlan_v4(job->d.plan, job->self_id, &vx4) < 0 ||
	    wgm_addrplan_vxlan_v6(job->d.plan, job->self_id, &vx6) < 0) {
		snprintf(job->err, sizeof(job->err), "subnetVXLAN: no address for node %u", job->self_id);
		return -ERANGE;
	}
	l4.u.v4 = lo4.addr;
	l6.u.v6 = lo6.addr;
	a4.u.v4 = vx4.addr;
	a6.u.v6 = vx6.addr;
	rc = make_device(job, VXLAN4_IFNAME, 1, 1789, &l4, &a4, vx4.len, VXLAN4_MTU);
	if (rc == 0)
		rc = make_device(job, VXLAN6_IFNAME, 2, 1790, &l6, &a6, vx6.len, VXLAN6_MTU);
	return rc;
}

static int delete_devices(struct vxlan_job *job)
{
	const char *names[] = { VXLAN4_IFNAME, VXLAN6_IFNAME };

	for (size_t i = 0; i < 2; i++) {
		int rc = wgm_nl_route_link_delete(job->d.route, names[i], job->err, sizeof(job->err));
		if (rc < 0 && rc != -ENODEV && rc != -ENOENT)
			return rc;
	}
	return 0;
}

/* One family's entries towards wanted; unknown ones are removed blindly
 * (entries a previous run left). Returns the first error, after trying all. */
static int reconcile_family(struct vxlan_job *job, const char *ifname, bool v6, const bool *want, bool *have)
{
	int first = 0;

	for (unsigned id = 0; id < MESH_NODES_MAX; id++) {
		struct wgm_nl_ip dst = { .family = v6 ? AF_INET6 : AF_INET };
		char err[256];
		int rc = 0;

		if (want[id] == have[id] && job->state.known)
			continue;
		if (v6) {
			struct wgm_addrplan_v6 lo;
			wgm_addrplan_loopback_v6(id, &lo);
			dst.u.v6 = lo.addr;
		} else {
			struct wgm_addrplan_v4 lo;
			wgm_addrplan_loopback_v4(job->d.plan, id, &lo);
			dst.u.v4 = lo.addr;
		}
		if (want[id]) {
			rc = wgm_nl_route_fdb_append(job->d.route, ifname, &dst, err, sizeof(err));
			if (rc == -EEXIST)
				rc = 0;
			if (rc == 0)
				have[id] = true;
		} else {
			rc = wgm_nl_route_fdb_delete(job->d.route, ifname, &dst, err, sizeof(err));
			if (rc == -ENOENT)
				rc = 0;
			if (rc == 0)
				have[id] = false;
		}
		if (rc < 0 && first == 0) {
			first = rc;
			snprintf(job->err, sizeof(job->err), "%s", err);
		}
	}
	return first;
}

static void job_run(void *ctx)
{
	struct vxlan_job *job = ctx;
	int rc, rc6;

	if (!job->enabled) {
		job->rc = delete_devices(job);
		if (job->rc == 0) {
			memset(&job->state, 0, sizeof(job->state));
			job->state.removed = true;
		}
		return;
	}
	if (!job->state.devices) {
		job->rc = make_devices(job);
		if (job->rc < 0)
			return;
		job->state.devices = true;
		job->state.removed = false;
	}
	rc = reconcile_family(job, VXLAN4_IFNAME, false, job->want4, job->state.have4);
	rc6 = reconcile_family(job, VXLAN6_IFNAME, true, job->want6, job->state.have6);
	job->rc = rc ? rc : rc6;
	if (job->rc == 0)
		job->state.known = true;
}

static void submit(struct vxlan *v);

static void job_done(void *ctx)
{
	struct vxlan_job *job = ctx;
	struct vxlan *v = job->v;

	if (!v) {
		free(job);
		return;
	}
	v->running = NULL;
	v->state = job->state;
	if (job->rc < 0) {
		if (strcmp(job->err, v->last_err) != 0)
			log_err("VXLAN: %s", job->err);
		snprintf(v->last_err, sizeof(v->last_err), "%s", job->err);
		/* The next answer of BIRD (within a second) tries again; the
		 * error is logged once. */
	} else {
		v->last_err[0] = '\0';
	}
	free(job);
	if (v->dirty)
		submit(v);
}

static void submit(struct vxlan *v)
{
	struct vxlan_job *job;

	if (v->running) {
		v->dirty = true;
		return;
	}
	v->dirty = false;
	job = calloc(1, sizeof(*job));
	if (!job) {
		log_err("VXLAN: out of memory");
		return;
	}
	job->v = v;
	job->d = v->deps;
	job->self_id = v->deps.cfg->id;
	job->enabled = v->deps.cfg->vxlan;
	memcpy(job->want4, v->want4, sizeof(job->want4));
	memcpy(job->want6, v->want6, sizeof(job->want6));
	job->state = v->state;
	if (worker_submit(v->deps.worker, job_run, job_done, job) < 0) {
		log_err("VXLAN: out of memory");
		free(job);
		return;
	}
	v->running = job;
}

static bool up_to_date(const struct vxlan *v)
{
	if (!v->deps.cfg->vxlan)
		return v->state.removed;
	return v->state.devices && v->state.known && memcmp(v->state.have4, v->want4, sizeof(v->want4)) == 0 &&
	       memcmp(v->state.have6, v->want6, sizeof(v->want6)) == 0;
}

void vxlan_on_routes(struct vxlan *v, const struct mesh_nodes *nodes)
{
	vxlan_wanted(v->deps.cfg->id, nodes, v->want4, v->want6);
	v->have_routes = true;
	if (v->running)
		v->dirty = true;
	else if (!up_to_date(v))
		submit(v);
}

void vxlan_config_changed(struct vxlan *v)
{
	if (v->have_routes && !up_to_date(v))
		submit(v);
}

int vxlan_new(const struct vxlan_deps *deps, struct vxlan **out)
{
	struct vxlan *v = calloc(1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	v->deps = *deps;
	*out = v;
	return 0;
}

void vxlan_free(struct vxlan *v)
{
	if (!v)
		return;
	if (v->running)
		v->running->v = NULL;
	free(v);
}
