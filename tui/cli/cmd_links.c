/* wgmesh links [--wide] [--json]: every link of this node, as it carries traffic now:
 * the nodes routed through it, BIRD's OSPF adjacency, RTT last/smoothed,
 * loss over the cost engine's window and over a minute, the cost and its
 * reason (with the time a penalty ends); --wide adds how each link is
 * made (transport, type, role, addresses). Columns: docs/cli.md. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/ctl/ctlproto.h"
#include "tui/cli/cli.h"
#include "tui/cli/text_table.h"

static const char *str_or_dash(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s && *s ? s : "-";
}

static void number(const json_t *v, int decimals, char *out, size_t outlen)
{
	if (json_is_number(v))
		snprintf(out, outlen, "%.*f", decimals, json_number_value(v));
	else
		snprintf(out, outlen, "-");
}

/* "A/B" from two figures, "-" for either that is missing. */
static void pair(const json_t *a, int da, const json_t *b, int db, char *out, size_t outlen)
{
	char x[24], y[24];

	number(a, da, x, sizeof(x));
	number(b, db, y, sizeof(y));
	snprintf(out, outlen, "%s/%s", x, y);
}

/* "2,6,8"; a list longer than width ends in "+N" (how many more). */
static void carries_text(const json_t *carries, size_t width, char *out, size_t outlen)
{
	size_t n = json_array_size(carries), used = 0, i;
	char item[16];

	if (!json_is_array(carries) || n == 0) {
		snprintf(out, outlen, "-");
		return;
	}
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		int len = snprintf(item, sizeof(item), "%s%lld", i ? "," : "",
				   (long long)json_integer_value(json_array_get(carries, i)));
		/* room for this one, and for a "+N" if more follow */
		if (used + (size_t)len + (i + 1 < n ? 4 : 0) > width || used + (size_t)len >= outlen)
			break;
		memcpy(out + used, item, (size_t)len + 1);
		used += (size_t)len;
	}
	if (i < n)
		snprintf(out + used, outlen - used, "%s+%zu", used ? "," : "", n - i);
}

/* "loss 14:05" while a penalty lasts (local time it ends), else the word. */
static void reason_text(const json_t *l, char *out, size_t outlen)
{
	const json_t *until = json_object_get(l, "penalty_until");
	const char *reason = str_or_dash(l, "cost_reason");
	time_t t;
	struct tm tm;
	char hhmm[8];

	if (json_is_integer(until) && (t = (time_t)json_integer_value(until), localtime_r(&t, &tm)) &&
	    strftime(hhmm, sizeof(hhmm), "%H:%M", &tm))
		snprintf(out, outlen, "%s %s", reason, hhmm);
	else
		snprintf(out, outlen, "%s", reason);
}

/* The daemon sends bandwidth_mbps (null until measured) in bandwidth mode only. */
static bool bandwidth_mode(const json_t *links)
{
	size_t i;
	const json_t *l;

	json_array_foreach (links, i, l)
		if (json_object_get(l, "bandwidth_mbps"))
			return true;
	return false;
}

/* The columns: the fixed ones, --wide's, BANDWIDTH in bandwidth mode, REASON. */
enum { COL_LINK, COL_NODE, COL_STATE, COL_OSPF, COL_CARRIES, COL_RTT, COL_LOSS, COL_COST, FIXED_COLS };
enum { WIDE_TP, WIDE_TYPE, WIDE_ROLE, WIDE_LOCAL, WIDE_ENDPOINT, WIDE_COLS };

struct row_text {
	char node[8], cost[24], carries[48], rtt[64], loss[64], bw[24], reason[48];
};

static void row_text(const json_t *l, struct row_text *t)
{
	const json_t *cost = json_object_get(l, "cost");
	const json_t *mbps = json_object_get(l, "bandwidth_mbps");
	/* A peering link (BGP to another network) has no OSPF cost. */
	bool peer = json_is_true(json_object_get(l, "peer"));

	snprintf(t->node, sizeof(t->node), "%lld", (long long)json_integer_value(json_object_get(l, "remote_id")));
	if (peer)
		snprintf(t->cost, sizeof(t->cost), "BGP");
	else if (json_is_integer(cost))
		snprintf(t->cost, sizeof(t->cost), "%lld%s%s", (long long)json_integer_value(cost),
			 json_is_integer(json_object_get(l, "override")) ? "*" : "",
			 json_is_true(json_object_get(l, "drained")) ? "D" : "");
	else
		snprintf(t->cost, sizeof(t->cost), "-");
	carries_text(json_object_get(l, "carries"), 7, t->carries, sizeof(t->carries));
	pair(json_object_get(l, "rtt_last_ms"), 1, json_object_get(l, "rtt_ms"), 1, t->rtt, sizeof(t->rtt));
	pair(json_object_get(l, "loss_window_pct"), 0, json_object_get(l, "loss_minute_pct"), 1, t->loss,
	     sizeof(t->loss));
	if (json_is_integer(mbps))
		snprintf(t->bw, sizeof(t->bw), "%lld Mbit/s", (long long)json_integer_value(mbps));
	else
		snprintf(t->bw, sizeof(t->bw), "-");
	if (peer)
		snprintf(t->reason, sizeof(t->reason), "bgp");
	else
		reason_text(l, t->reason, sizeof(t->reason));
}

static int print_table(const json_t *links, const char *loss_head, bool wide, bool bw)
{
	static const char *const fixed_heads[FIXED_COLS] = { "LINK",    "NODE",         "STATE", "OSPF",
							     "CARRIES", "RTT LAST/AVG", NULL,    "COST" };
	static const char *const wide_heads[WIDE_COLS] = { "TP", "TYPE", "ROLE", "LOCAL", "ENDPOINT" };
	const char *heads[TEXT_TABLE_COLS_MAX], *cells[TEXT_TABLE_COLS_MAX];
	bool right[TEXT_TABLE_COLS_MAX] = { [COL_NODE] = true, [COL_COST] = true };
	struct text_table table;
	size_t ncols = 0, i;
	const json_t *l;
	int rc;

	for (size_t c = 0; c < FIXED_COLS; c++)
		heads[ncols++] = c == COL_LOSS ? loss_head : fixed_heads[c];
	for (size_t c = 0; wide && c < WIDE_COLS; c++)
		heads[ncols++] = wide_heads[c];
	if (bw)
		heads[ncols++] = "BANDWIDTH";
	heads[ncols++] = "REASON";
	if ((rc = text_table_init(&table, ncols, heads, right)) < 0)
		return cli_fail("cannot lay out the links: %s", strerror(-rc));
	json_array_foreach (links, i, l) {
		struct row_text t;
		bool peer = json_is_true(json_object_get(l, "peer"));
		size_t n = 0;

		row_text(l, &t);
		cells[n++] = str_or_dash(l, "name");
		cells[n++] = t.node;
		cells[n++] = str_or_dash(l, "state");
		cells[n++] = str_or_dash(l, "ospf");
		cells[n++] = t.carries;
		cells[n++] = t.rtt;
		cells[n++] = t.loss;
		cells[n++] = t.cost;
		if (wide) {
			cells[n++] = str_or_dash(l, "transport");
			cells[n++] = str_or_dash(l, "link_type");
			cells[n++] = peer ? "peer" : str_or_dash(l, "role");
			cells[n++] = str_or_dash(l, "local_addr");
			cells[n++] = str_or_dash(l, "endpoint");
		}
		if (bw)
			cells[n++] = t.bw;
		cells[n++] = t.reason;
		if ((rc = text_table_add(&table, cells)) < 0) {
			text_table_free(&table);
			return cli_fail("cannot lay out the links: %s", strerror(-rc));
		}
	}
	text_table_print(&table, stdout);
	text_table_free(&table);
	return CLI_OK;
}

int cmd_links(struct cli *cli, const struct cli_args *args)
{
	bool json = cli_flag(args, "--json"), wide = cli_flag(args, "--wide");
	json_t *reply, *links;
	bool bw;
	int rc;
	char loss_head[24];

	rc = cli_call(cli, wgm_ctl_request_new(WGM_CTL_CMD_LINKS), &reply);
	if (rc != CLI_OK)
		return rc;
	links = json_object_get(reply, "links");
	if (json) {
		rc = cli_print_records(reply, "links");
		json_decref(reply);
		return rc;
	}
	if (json_array_size(links) == 0) {
		printf("no links (connect with `wgmesh connect URL TOKEN`)\n");
		json_decref(reply);
		return CLI_OK;
	}
	{
		const json_t *w = json_object_get(json_array_get(links, 0), "loss_window_probes");
		snprintf(loss_head, sizeof(loss_head), "LOSS %lld/1m",
			 json_is_integer(w) ? (long long)json_integer_value(w) : 0LL);
	}
	bw = bandwidth_mode(links);
	rc = print_table(links, loss_head, wide, bw);
	json_decref(reply);
	return rc;
}
