#include "daemon/control/metrics.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/api/api_msg.h"
#include "common/util/clock.h"
#include "common/util/hostport.h"
#include "common/util/log.h"
#include "daemon/api/http_server.h"
#include "daemon/control/metrics_text.h"
#include "daemon/quality/quality.h"

/* A scraper is one client that asks every few seconds: small limits. */
#define METRICS_CONNS_PER_ADDR 4
#define METRICS_CONNS_TOTAL 16
#define METRICS_TIMEOUT_S 10

struct metrics {
	struct metrics_deps d;
	struct http_server *http;
};

/* /proc/self/statm: size resident ... in pages. false when unreadable. */
static bool read_rss(uint64_t *bytes)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long long size, resident;
	long page = sysconf(_SC_PAGESIZE);
	bool ok;

	if (!f)
		return false;
	ok = fscanf(f, "%llu %llu", &size, &resident) == 2 && page > 0;
	fclose(f);
	if (ok)
		*bytes = (uint64_t)resident * (uint64_t)page;
	return ok;
}

static void fill_link(const struct link *l, int64_t now_s, struct metrics_link *out)
{
	struct quality_link_metrics q;

	*out = (struct metrics_link){ .name = l->rec.name,
				      .node = l->rec.remote_id,
				      .type = wgm_link_type_name(l->rec.link_type),
				      .transport = wgm_transport_name(l->rec.transport) };
	if (!quality_link_metrics(l, &q))
		return;
	out->measured = true;
	out->state = q.state;
	out->has_rtt = q.has_rtt;
	out->rtt_s = q.rtt_ms / 1000.0;
	out->rtt_min_s = q.rtt_min_ms / 1000.0;
	out->rtt_max_s = q.rtt_max_ms / 1000.0;
	out->loss_ratio = q.loss_pct / 100.0;
	out->jitter_s = q.jitter_ms / 1000.0;
	out->cost = q.cost;
	out->cost_reason = q.cost_basis;
	out->rx_bytes = q.rx_bytes;
	out->tx_bytes = q.tx_bytes;
	out->has_handshake = q.last_handshake > 0;
	/* A clock stepped back shows 0, not a negative age. */
	out->handshake_age_s = q.last_handshake > 0 && now_s > q.last_handshake ? (double)(now_s - q.last_handshake)
										: 0;
}

/* The text now (caller frees), or NULL when out of memory. */
static char *metrics_text_now(struct metrics *m, size_t *len)
{
	struct metrics_snapshot snap = { .version = WGM_VERSION };
	struct wgm_ctl_status st = { 0 };
	struct metrics_link *links = NULL;
	size_t n = 0, cap = links_count(m->d.links);
	int64_t now_s = wgm_real_us() / 1000000;
	char *text;

	if (cap && !(links = calloc(cap, sizeof(*links))))
		return NULL;
	for (struct link *l = links_first(m->d.links); l && n < cap; l = l->next)
		fill_link(l, now_s, &links[n++]);
	m->d.fill_status(&st, m->d.ctx);
	snap.links = links;
	snap.n_links = n;
	snap.links_up = (unsigned)st.links_up;
	snap.links_total = (unsigned)st.links_total;
	snap.mesh_state = st.mesh;
	snap.bird_up = st.bird && strcmp(st.bird, "up") == 0;
	snap.routed_nodes = (unsigned)st.nodes;
	if (m->d.counters)
		snap.counters = *m->d.counters;
	snap.has_rss = read_rss(&snap.rss_bytes);
	text = metrics_render(&snap, len);
	free(links);
	return text;
}

static void handle_http(struct http_request *req, void *ctx)
{
	struct metrics *m = ctx;
	size_t len = 0;
	char *text = metrics_text_now(m, &len);

	if (!text) {
		http_request_reply(req, 500, "text/plain", "out of memory\n", 14);
		return;
	}
	http_request_reply(req, 200, METRICS_CONTENT_TYPE, text, len);
	free(text);
}

static void handle_ctl(struct ctl_request *req, const json_t *args, void *ctx)
{
	struct metrics *m = ctx;
	char *text = metrics_text_now(m, NULL);
	json_t *reply;

	(void)args;
	if (!text) {
		ctl_request_reply(req, wgm_ctl_reply_error("out of memory"));
		return;
	}
	reply = wgm_ctl_reply_ok();
	json_object_set_new(reply, "text", json_string(text));
	free(text);
	ctl_request_reply(req, reply);
}

static int listen_http(struct metrics *m, char *err, size_t errlen)
{
	struct http_server_options opts = { .per_ip_limit = METRICS_CONNS_PER_ADDR,
					    .connection_limit = METRICS_CONNS_TOTAL,
					    .timeout_s = METRICS_TIMEOUT_S,
					    .request_timeout_s = METRICS_TIMEOUT_S,
					    .body_max = 1024 };
	struct wgm_hostport hp;
	char why[256];
	int rc;

	if ((rc = wgm_hostport_parse(m->d.cfg->metrics_listen, &hp, why, sizeof(why))) < 0) {
		snprintf(err, errlen, "metricsListen: %s", why);
		return rc;
	}
	opts.address = hp.host;
	opts.port = hp.port;
	if ((rc = http_server_new(m->d.loop, &opts, &m->http, why, sizeof(why))) < 0) {
		snprintf(err, errlen, "metricsListen %s: %s", m->d.cfg->metrics_listen, why);
		return rc;
	}
	if ((rc = http_server_route(m->http, "GET", "/metrics", handle_http, m)) < 0) {
		snprintf(err, errlen, "metrics: %s", strerror(-rc));
		return rc;
	}
	log_info("metrics served on http://%s/metrics", m->d.cfg->metrics_listen);
	return 0;
}

int metrics_new(const struct metrics_deps *deps, struct metrics **out, char *err, size_t errlen)
{
	struct metrics *m = calloc(1, sizeof(*m));
	int rc;

	if (!m) {
		snprintf(err, errlen, "metrics: out of memory");
		return -ENOMEM;
	}
	m->d = *deps;
	if (deps->cfg->metrics_listen[0] && (rc = listen_http(m, err, errlen)) < 0) {
		metrics_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	http_server_free(m->http);
	free(m);
}

int metrics_register(struct metrics *m, struct ctl_server *ctl)
{
	return ctl_server_register(ctl, WGM_CTL_CMD_METRICS, handle_ctl, m);
}
