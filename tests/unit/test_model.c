#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "tui/console/history.h"
#include "tui/console/model.h"

static char err[256];

static json_t *load(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, 0, &jerr);
	if (!j)
		fail_msg("bad test JSON: %s", jerr.text);
	return j;
}

static void apply_event(struct model *m, const char *text, int expect)
{
	json_t *j = load(text);
	int rc = model_apply_event(m, j, err, sizeof(err));
	json_decref(j);
	if (rc != expect)
		fail_msg("event %s: rc %d (%s)", text, rc, err);
}

/* A model loaded with the sample "links" reply (pipe2 up, pipe3 lossy, pipe4 down). */
static int setup(void **state)
{
	struct model *m = malloc(sizeof(*m));
	model_init(m);
	char path[512];
	snprintf(path, sizeof(path), "%s/console/links.json", getenv("WGM_TEST_DATA"));
	json_error_t jerr;
	json_t *reply = json_load_file(path, 0, &jerr);
	assert_non_null(reply);
	assert_int_equal(model_apply_links(m, reply, err, sizeof(err)), 0);
	json_decref(reply);
	*state = m;
	return 0;
}

static int teardown(void **state)
{
	model_free(*state);
	free(*state);
	return 0;
}

static void test_links_reply_fills_every_field(void **state)
{
	struct model *m = *state;
	assert_int_equal(model_view_count(m), 3);
	const struct model_link *l = model_find_link(m, "pipe2");
	assert_non_null(l);
	assert_int_equal(l->remote_id, 2);
	assert_string_equal(l->endpoint, "192.0.2.2:51820");
	assert_int_equal(l->state, WGM_CTL_LINK_UP);
	assert_true(l->rtt_ms == 1.23);
	assert_int_equal(l->cost, 12);
	assert_false(l->has_override);
	assert_int_equal(l->last_handshake, 1700000000);
	assert_int_equal(l->rtt_recent_n, 3);
	assert_true(isnan(l->rtt_recent[1]));
	const struct model_link *p4 = model_find_link(m, "pipe4");
	assert_true(isnan(p4->rtt_ms));
	assert_true(p4->has_override && p4->override == 200 && p4->drained);
}

static void test_health_follows_state_loss_and_drain(void **state)
{
	struct model *m = *state;
	assert_int_equal(model_link_health(model_find_link(m, "pipe2")), HEALTH_GOOD);
	assert_int_equal(model_link_health(model_find_link(m, "pipe3")), HEALTH_BAD);
	assert_int_equal(model_link_health(model_find_link(m, "pipe4")), HEALTH_DOWN);
}

static void test_metrics_event_updates_in_place(void **state)
{
	struct model *m = *state;
	apply_event(m,
		    "{\"event\":\"metrics\",\"ts\":1.5,\"links\":[{\"name\":\"pipe3\",\"state\":\"up\",\"rtt_ms\":5.0,"
		    "\"loss_pct\":0,\"cost\":50}]}",
		    0);
	assert_int_equal(model_view_count(m), 3);
	assert_true(model_find_link(m, "pipe3")->rtt_ms == 5.0);
	assert_int_equal(model_find_link(m, "pipe3")->cost, 50);
	assert_int_equal(model_event_count(m), 0); /* probe rounds are not log lines */
}

/* The reply to drain carries the LINK: the row shows it drained at once, and
 * a malformed one changes nothing. */
static void test_link_from_a_reply_replaces_the_row(void **state)
{
	struct model *m = *state;
	json_t *j = load("{\"name\":\"pipe2\",\"remote_id\":2,\"state\":\"up\",\"rtt_ms\":1.5,\"cost\":65000,"
			 "\"cost_measured\":12,\"drained\":true}");
	assert_int_equal(model_apply_link(m, j, err, sizeof(err)), 0);
	json_decref(j);
	assert_int_equal(model_view_count(m), 3);
	assert_true(model_find_link(m, "pipe2")->drained);
	assert_int_equal(model_find_link(m, "pipe2")->cost, 65000);
	assert_int_equal(model_link_health(model_find_link(m, "pipe2")), HEALTH_BAD);
	j = load("{\"name\":\"pipe2\",\"state\":\"up\",\"cost\":70000,\"drained\":false}");
	assert_int_equal(model_apply_link(m, j, err, sizeof(err)), -EINVAL);
	json_decref(j);
	assert_non_null(strstr(err, "cost"));
	assert_true(model_find_link(m, "pipe2")->drained);
}

static void test_malformed_link_is_rejected_whole(void **state)
{
	struct model *m = *state;
	apply_event(m,
		    "{\"event\":\"metrics\",\"ts\":1,\"links\":[{\"name\":\"pipe2\",\"state\":\"up\",\"rtt_ms\":9},"
		    "{\"name\":\"pipe3\",\"state\":\"sideways\"}]}",
		    -EINVAL);
	assert_string_equal(err, "metrics.links[1].state: is not up, down, dead, creating, removing or failed");
	assert_true(model_find_link(m, "pipe2")->rtt_ms == 1.23);
}

static void test_field_validation_messages(void **state)
{
	struct model_link l;
	json_t *j = load("{\"name\":\"pipe2\",\"state\":\"up\",\"loss_pct\":150}");
	assert_int_equal(model_link_parse(j, &l, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "link.loss_pct: is out of range");
	json_decref(j);
	j = load("{\"name\":\"a-very-long-interface-name\",\"state\":\"up\"}");
	assert_int_equal(model_link_parse(j, &l, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "link.name: too long or contains NUL");
	json_decref(j);
	j = load("{\"name\":\"pipe2\",\"state\":\"up\",\"rtt_recent\":[1,\"x\"]}");
	assert_int_equal(model_link_parse(j, &l, err, sizeof(err)), -EINVAL);
	json_decref(j);
	j = load("{\"name\":\"pipe2\",\"state\":\"up\",\"endpoint\":\"a\\u001b[2Jb\"}");
	assert_int_equal(model_link_parse(j, &l, err, sizeof(err)), -EINVAL); /* no escape codes to the terminal */
	json_decref(j);
}

static void test_link_added_and_removed(void **state)
{
	struct model *m = *state;
	apply_event(
		m,
		"{\"event\":\"link_added\",\"ts\":2,\"link\":{\"name\":\"pipe9\",\"remote_id\":9,\"state\":\"down\","
		"\"endpoint\":\"203.0.113.9:51820\"}}",
		0);
	assert_int_equal(model_view_count(m), 4);
	apply_event(m, "{\"event\":\"link_removed\",\"ts\":3,\"name\":\"pipe2\"}", 0);
	assert_int_equal(model_view_count(m), 3);
	assert_null(model_find_link(m, "pipe2"));
	assert_int_equal(model_event_count(m), 2);
	assert_string_equal(model_event_at(m, 0)->text, "pipe9 added (node 9, 203.0.113.9:51820)");
	assert_string_equal(model_event_at(m, 1)->text, "pipe2 removed");
	assert_string_equal(model_event_at(m, 1)->link, "pipe2");
}

static void test_state_and_cost_events(void **state)
{
	struct model *m = *state;
	apply_event(m, "{\"event\":\"link_state\",\"ts\":4,\"name\":\"pipe4\",\"state\":\"up\",\"remote_id\":4}", 0);
	assert_int_equal(model_find_link(m, "pipe4")->state, WGM_CTL_LINK_UP);
	apply_event(m,
		    "{\"event\":\"cost\",\"ts\":5,\"name\":\"pipe2\",\"old\":12,\"new\":200,\"reason\":\"loss 30%\"}",
		    0);
	assert_int_equal(model_find_link(m, "pipe2")->cost, 200);
	assert_string_equal(model_event_at(m, 0)->text, "pipe4 up (node 4)");
	assert_string_equal(model_event_at(m, 1)->text, "pipe2 cost 12 -> 200 (loss 30%)");
}

/* wgmeshd's link_state also carries the whole LINK, and its own phases. */
static void test_link_state_with_link_object(void **state)
{
	struct model *m = *state;
	apply_event(m,
		    "{\"event\":\"link_state\",\"ts\":4,\"name\":\"pipe7\",\"state\":\"creating\",\"remote_id\":7,"
		    "\"link\":{\"name\":\"pipe7\",\"remote_id\":7,\"state\":\"creating\",\"port\":51827}}",
		    0);
	assert_int_equal(model_find_link(m, "pipe7")->state, WGM_CTL_LINK_CREATING);
	assert_int_equal(model_find_link(m, "pipe7")->port, 51827);
	assert_string_equal(model_event_at(m, 0)->text, "pipe7 creating (node 7)");
	apply_event(m, "{\"event\":\"link_state\",\"ts\":5,\"link\":{\"name\":\"pipe7\",\"state\":\"failed\"}}", 0);
	assert_int_equal(model_find_link(m, "pipe7")->state, WGM_CTL_LINK_FAILED);
	assert_int_equal(model_link_health(model_find_link(m, "pipe7")), HEALTH_DOWN);
}

/* wgmeshd's join lists every link it made. */
static void test_join_with_links_list(void **state)
{
	struct model *m = *state;
	apply_event(m, "{\"event\":\"join\",\"ts\":4,\"remote_id\":2,\"links\":[\"pipe2\",\"pipe2v6\"]}", 0);
	assert_string_equal(model_event_at(m, 0)->text, "node 2 joined via pipe2, pipe2v6");
	assert_string_equal(model_event_at(m, 0)->link, "pipe2");
	apply_event(m, "{\"event\":\"join\",\"ts\":5,\"remote_id\":2,\"links\":[3]}", -EINVAL);
}

/* A redeemed token reads as a sentence: which token, by whom, what is left;
 * a malformed one is refused like any bad event. */
static void test_token_used(void **state)
{
	struct model *m = *state;
	apply_event(m,
		    "{\"event\":\"token_used\",\"ts\":4,\"token_id\":\"1a2b3c4d\",\"label\":\"ops\","
		    "\"remote_id\":5,\"name\":\"pipe5\",\"uses_left\":0,\"used_up\":true}",
		    0);
	assert_string_equal(model_event_at(m, 0)->text, "token 1a2b3c4d (ops) used by node 5 over pipe5; used up");
	assert_string_equal(model_event_at(m, 0)->link, "pipe5");
	apply_event(m, "{\"event\":\"token_used\",\"ts\":5,\"token_id\":\"1a2b3c4d\",\"remote_id\":5}", -EINVAL);
}

static void test_status_mesh_bird_log_join(void **state)
{
	struct model *m = *state;
	apply_event(m,
		    "{\"event\":\"status\",\"ts\":1,\"id\":1,\"loopback4\":\"10.0.0.1\",\"bird\":\"up\",\"links_up\":2,"
		    "\"links_total\":3,\"nodes\":4,\"mesh\":\"done\",\"uptime\":99}",
		    0);
	assert_true(m->status.known);
	assert_int_equal(m->status.links_total, 3);
	apply_event(m, "{\"event\":\"bird\",\"ts\":2,\"state\":\"down\",\"detail\":\"socket closed\"}", 0);
	assert_string_equal(m->status.bird, "down");
	/* A config result is an event, not BIRD's state. */
	apply_event(m, "{\"event\":\"bird\",\"ts\":2,\"state\":\"applied\"}", 0);
	assert_string_equal(m->status.bird, "down");
	apply_event(m, "{\"event\":\"bird\",\"ts\":2,\"state\":\"up\"}", 0);
	assert_string_equal(m->status.bird, "up");
	apply_event(m, "{\"event\":\"mesh\",\"ts\":3,\"state\":\"building\",\"detail\":\"connecting to 4\"}", 0);
	apply_event(m, "{\"event\":\"join\",\"ts\":4,\"remote_id\":4,\"name\":\"pipe4\"}", 0);
	apply_event(m, "{\"event\":\"log\",\"ts\":5,\"level\":\"warning\",\"msg\":\"BIRD restarted\"}", 0);
	assert_int_equal(model_event_count(m), 6);
	assert_string_equal(model_event_at(m, 0)->text, "BIRD down: socket closed");
	assert_string_equal(model_event_at(m, 1)->text, "BIRD applied");
	assert_string_equal(model_event_at(m, 3)->text, "mesh building: connecting to 4");
	assert_string_equal(model_event_at(m, 4)->text, "node 4 joined via pipe4");
	assert_string_equal(model_event_at(m, 5)->text, "[warning] BIRD restarted");
}

static void test_unknown_event_kind_is_ignored(void **state)
{
	struct model *m = *state;
	apply_event(m, "{\"event\":\"future_thing\",\"ts\":1,\"x\":1}", 0);
	assert_int_equal(model_event_count(m), 0);
	apply_event(m, "{\"ts\":1}", -EINVAL);
}

static void test_events_ring_keeps_the_newest(void **state)
{
	struct model *m = *state;
	char text[32];
	for (int i = 0; i < MODEL_EVENTS_MAX + 5; i++) {
		snprintf(text, sizeof(text), "e%d", i);
		model_add_event(m, i, "log", "", text);
	}
	assert_int_equal(model_event_count(m), MODEL_EVENTS_MAX);
	assert_string_equal(model_event_at(m, 0)->text, "e5");
	snprintf(text, sizeof(text), "e%d", MODEL_EVENTS_MAX + 4);
	assert_string_equal(model_event_at(m, MODEL_EVENTS_MAX - 1)->text, text);
	assert_null(model_event_at(m, MODEL_EVENTS_MAX));
}

static void test_sort_by_rtt_puts_unknown_last_both_ways(void **state)
{
	struct model *m = *state;
	model_set_sort(m, SORT_RTT, false);
	assert_string_equal(model_view_link(m, 0)->name, "pipe2");
	assert_string_equal(model_view_link(m, 2)->name, "pipe4");
	model_set_sort(m, SORT_RTT, true);
	assert_string_equal(model_view_link(m, 0)->name, "pipe3");
	assert_string_equal(model_view_link(m, 2)->name, "pipe4");
}

static void test_sort_by_cost_descending(void **state)
{
	struct model *m = *state;
	model_set_sort(m, SORT_COST, true);
	assert_string_equal(model_view_link(m, 0)->name, "pipe4");
	assert_string_equal(model_view_link(m, 1)->name, "pipe3");
}

static void test_sort_keys_pick_a_column(void **state)
{
	struct model *m = *state;
	enum model_sort sort;
	char menu[200];
	assert_int_equal(model_sort_from_key('r', &sort), 0);
	assert_int_equal(sort, SORT_RTT);
	assert_int_equal(model_sort_from_key('c', &sort), 0);
	assert_int_equal(sort, SORT_COST);
	assert_int_equal(model_sort_from_key('n', &sort), 0);
	assert_int_equal(sort, SORT_NAME);
	assert_int_equal(model_sort_from_key('q', &sort), -EINVAL);
	assert_true(model_sort_default_desc(SORT_LOSS));
	assert_false(model_sort_default_desc(SORT_NAME));
	/* Every order has a key, and the menu names each once. */
	model_sort_menu(menu, sizeof(menu));
	for (int i = 0; i < SORT_COUNT; i++)
		assert_non_null(strstr(menu, model_sort_name((enum model_sort)i)));
	assert_string_equal(model_sort_name(SORT_AVG), "avg");
	model_set_sort(m, SORT_COST, true);
	assert_string_equal(model_view_link(m, 0)->name, "pipe4");
}

static void test_filter_matches_any_column_case_insensitively(void **state)
{
	struct model *m = *state;
	model_set_filter(m, "2001:DB8");
	assert_int_equal(model_view_count(m), 1);
	assert_string_equal(model_view_link(m, 0)->name, "pipe4");
	model_set_filter(m, "down");
	assert_int_equal(model_view_count(m), 1);
	model_set_filter(m, "nothing-matches");
	assert_int_equal(model_view_count(m), 0);
	assert_null(model_selected(m));
	model_set_filter(m, "");
	assert_int_equal(model_view_count(m), 3);
}

static void test_selection_follows_the_link_when_rows_move(void **state)
{
	struct model *m = *state;
	model_set_sort(m, SORT_RTT, false);
	model_select_row(m, 1);
	assert_string_equal(model_selected(m)->name, "pipe3");
	/* pipe3 gets faster than pipe2: its row moves up, the selection moves with it */
	apply_event(m,
		    "{\"event\":\"metrics\",\"ts\":1,\"links\":[{\"name\":\"pipe3\",\"state\":\"up\",\"rtt_ms\":0.5}]}",
		    0);
	assert_string_equal(model_selected(m)->name, "pipe3");
	assert_int_equal(model_selected_row(m), 0);
}

static void test_selection_stays_at_the_row_when_its_link_goes(void **state)
{
	struct model *m = *state;
	model_select_row(m, 2);
	assert_string_equal(model_selected(m)->name, "pipe4");
	apply_event(m, "{\"event\":\"link_removed\",\"ts\":1,\"name\":\"pipe4\"}", 0);
	assert_string_equal(model_selected(m)->name, "pipe3");
	model_select_move(m, -10);
	assert_string_equal(model_selected(m)->name, "pipe2");
	model_select_move(m, 10);
	assert_string_equal(model_selected(m)->name, "pipe3");
}

static void test_selection_survives_a_filter(void **state)
{
	struct model *m = *state;
	model_select_row(m, 1);
	model_set_filter(m, "pipe");
	assert_string_equal(model_selected(m)->name, "pipe3");
}

static void test_nodes_reply(void **state)
{
	struct model *m = *state;
	json_t *j = load("{\"ok\":true,\"nodes\":[{\"id\":2,\"loopback4\":\"10.0.2.1\",\"loopback6\":\"fd10:0:2::1\","
			 "\"next_hop\":\"10.0.0.4\",\"via\":\"pipe2\",\"metric\":12,\"direct\":true}]}");
	assert_int_equal(model_apply_nodes(m, j, err, sizeof(err)), 0);
	json_decref(j);
	assert_int_equal(m->nnodes, 1);
	assert_string_equal(m->nodes[0].via, "pipe2");
	assert_true(m->nodes[0].direct);
	assert_false(m->nodes[0].self);
	j = load("{\"ok\":true,\"nodes\":[{\"id\":0,\"via\":\"lo\",\"self\":true,\"direct\":false}]}");
	assert_int_equal(model_apply_nodes(m, j, err, sizeof(err)), 0);
	json_decref(j);
	assert_true(m->nodes[0].self);
	j = load("{\"ok\":true,\"nodes\":[{\"id\":\"two\"}]}");
	assert_int_equal(model_apply_nodes(m, j, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "nodes[0].id: is not a number");
	assert_int_equal(m->nnodes, 1);
	json_decref(j);
}

static void test_link_history_reply(void **state)
{
	struct link_history h;
	json_t *j = load("{\"ok\":true,\"name\":\"pipe2\",\"interval_ms\":1000,\"rtt_ms\":[1.2,null,1.4],"
			 "\"cost\":[[1700000000,12],[1700000060,200]]}");
	assert_int_equal(link_history_parse(j, &h, err, sizeof(err)), 0);
	json_decref(j);
	assert_string_equal(h.name, "pipe2");
	assert_int_equal(h.nrtt, 3);
	assert_true(isnan(h.rtt_ms[1]));
	assert_int_equal(h.ncosts, 2);
	assert_int_equal(h.costs[1].cost, 200);
	link_history_free(&h);
	j = load("{\"ok\":true,\"name\":\"pipe2\",\"rtt_ms\":[],\"cost\":[[1,99999]]}");
	assert_int_equal(link_history_parse(j, &h, err, sizeof(err)), -EINVAL);
	assert_null(h.rtt_ms);
	json_decref(j);
}

static bool close_to(double a, double b)
{
	return fabs(a - b) < 1e-9;
}

/* The fields of issue 17 (docs/control-socket.md), and their absence. */
static void test_new_link_fields_parse_and_absent_ones_stay_unknown(void **state)
{
	struct model *m = *state;
	const struct model_link *l = model_find_link(m, "pipe2");
	char tag[8];
	assert_non_null(l);
	assert_false(l->has_rtt_last);
	assert_false(l->has_ospf);
	assert_false(l->has_carries);
	assert_true(isnan(l->loss_window_pct));
	assert_true(close_to(model_link_rtt_now(l), l->rtt_ms));
	assert_true(close_to(model_link_loss_now(l), l->loss_pct));
	assert_int_equal(l->penalty_until, 0);

	apply_event(m,
		    "{\"event\":\"metrics\",\"ts\":1,\"links\":[{\"name\":\"pipe2\",\"state\":\"up\",\"rtt_ms\":20.5,"
		    "\"rtt_last_ms\":91.0,\"loss_pct\":1.7,\"loss_window_pct\":30,\"loss_window_probes\":10,"
		    "\"loss_minute_pct\":12.5,\"cost\":1263,\"cost_reason\":\"loss\",\"cost_detail\":\"loss +1250\","
		    "\"penalty_until\":1765000000,\"ospf\":\"Full\",\"carries\":[2,4]}]}",
		    0);
	l = model_find_link(m, "pipe2");
	assert_true(l->has_rtt_last);
	assert_true(close_to(model_link_rtt_now(l), 91.0));
	assert_true(close_to(model_link_loss_now(l), 30.0));
	assert_true(close_to(l->loss_minute_pct, 12.5));
	assert_int_equal(l->loss_window_probes, 10);
	assert_string_equal(model_cost_tag(l, tag, sizeof(tag)), "loss");
	assert_string_equal(l->cost_detail, "loss +1250");
	assert_int_equal(l->penalty_until, 1765000000);
	assert_string_equal(l->ospf, "Full");
	assert_int_equal(l->ncarries, 2);
	assert_int_equal(l->carries[1], 4);
	assert_int_equal(model_link_health(l), HEALTH_BAD); /* 30 % over the cost window */

	/* A lost last probe is null: known to be lost, not unknown. */
	apply_event(m,
		    "{\"event\":\"metrics\",\"ts\":2,\"links\":[{\"name\":\"pipe2\",\"state\":\"up\",\"rtt_ms\":20.5,"
		    "\"rtt_last_ms\":null,\"ospf\":null,\"carries\":[],\"cost_reason\":\"measured\"}]}",
		    0);
	l = model_find_link(m, "pipe2");
	assert_true(l->has_rtt_last);
	assert_true(isnan(model_link_rtt_now(l)));
	assert_true(l->has_ospf);
	assert_string_equal(l->ospf, "");
	assert_true(l->has_carries);
	assert_int_equal(l->ncarries, 0);
	assert_string_equal(model_cost_tag(l, tag, sizeof(tag)), "");

	apply_event(
		m,
		"{\"event\":\"metrics\",\"ts\":3,\"links\":[{\"name\":\"pipe2\",\"state\":\"up\",\"carries\":[70000]}]}",
		-EINVAL);
	apply_event(
		m,
		"{\"event\":\"metrics\",\"ts\":3,\"links\":[{\"name\":\"pipe2\",\"state\":\"up\",\"loss_window_pct\":101}]}",
		-EINVAL);
}

static void test_nodes_route_fields_and_route_event(void **state)
{
	struct model *m = *state;
	json_t *j = load("{\"ok\":true,\"nodes\":[{\"id\":0,\"self\":true,\"route_state\":\"self\",\"path\":[0]},"
			 "{\"id\":2,\"via\":\"pipe4\",\"direct\":true,\"next_hop_id\":4,\"path\":[0,4,2],"
			 "\"route_state\":\"rerouted\"},{\"id\":5}]}");
	assert_int_equal(model_apply_nodes(m, j, err, sizeof(err)), 0);
	json_decref(j);
	assert_int_equal(m->nodes[1].next_hop_id, 4);
	assert_int_equal(m->nodes[1].npath, 3);
	assert_string_equal(m->nodes[1].route_state, "rerouted");
	assert_int_equal(m->nodes[2].next_hop_id, -1); /* an older daemon: not sent */
	assert_int_equal(m->nodes[2].npath, 0);
	assert_string_equal(m->nodes[2].route_state, "");
	char path[64];
	assert_string_equal(model_ids_text(path, sizeof(path), m->nodes[1].path, m->nodes[1].npath, " > "),
			    "0 > 4 > 2");

	/* The route event: a readable line, and the node's row follows. */
	model_clear_events(m);
	apply_event(m, "{\"event\":\"log\",\"ts\":10,\"level\":\"notice\",\"msg\":\"route to node 2 now via pipe2\"}",
		    0);
	apply_event(m,
		    "{\"event\":\"route\",\"ts\":10,\"node\":2,\"old_via\":\"pipe4\",\"new_via\":\"pipe2\","
		    "\"old_next_hop_id\":4,\"new_next_hop_id\":2,\"path\":[0,2],\"state\":\"direct\"}",
		    0);
	assert_int_equal(model_event_count(m), 1); /* the log line's twin went */
	const struct model_event *e = model_event_at(m, 0);
	assert_string_equal(e->kind, "route");
	assert_string_equal(e->link, "pipe2");
	assert_string_equal(e->text, "node 2 now via pipe2 (node 2), was pipe4 (node 4); path 0 > 2, direct");
	assert_string_equal(m->nodes[1].via, "pipe2");
	assert_int_equal(m->nodes[1].next_hop_id, 2);
	assert_string_equal(m->nodes[1].route_state, "direct");
	apply_event(m,
		    "{\"event\":\"route\",\"ts\":11,\"node\":2,\"old_via\":\"pipe2\",\"new_via\":null,\"path\":null}",
		    0);
	assert_string_equal(model_event_at(m, 1)->text, "node 2 unreachable (was pipe2)");
	assert_int_equal(m->nodes[1].next_hop_id, -1);
	apply_event(m, "{\"event\":\"route\",\"ts\":12,\"node\":\"x\"}", -EINVAL);
}

/* Each change shows once: the daemon's log line beside its event goes, a
 * different log line about the same link stays, and an exact repeat (a
 * replay overlapping the live stream) is kept once. */
static void test_events_are_not_shown_twice(void **state)
{
	struct model *m = *state;
	model_clear_events(m);
	apply_event(m, "{\"event\":\"log\",\"ts\":100,\"level\":\"notice\",\"msg\":\"link pipe2 to node 2 is up\"}", 0);
	apply_event(
		m,
		"{\"event\":\"log\",\"ts\":100,\"level\":\"info\",\"msg\":\"link pipe2: first WireGuard handshake\"}",
		0);
	apply_event(m, "{\"event\":\"link_state\",\"ts\":100.5,\"name\":\"pipe2\",\"state\":\"up\",\"remote_id\":2}",
		    0);
	assert_int_equal(model_event_count(m), 2);
	assert_string_equal(model_event_at(m, 0)->text, "[info] link pipe2: first WireGuard handshake");
	assert_string_equal(model_event_at(m, 1)->kind, "link_state");
	apply_event(m, "{\"event\":\"link_state\",\"ts\":100.5,\"name\":\"pipe2\",\"state\":\"up\",\"remote_id\":2}",
		    0);
	assert_int_equal(model_event_count(m), 2);
	/* Too old to be the same change: kept. */
	apply_event(m, "{\"event\":\"log\",\"ts\":200,\"level\":\"warning\",\"msg\":\"BIRD is down: no socket\"}", 0);
	apply_event(m, "{\"event\":\"bird\",\"ts\":209,\"state\":\"down\",\"detail\":\"no socket\"}", 0);
	assert_int_equal(model_event_count(m), 4);
	apply_event(m, "{\"event\":\"log\",\"ts\":300,\"level\":\"warning\",\"msg\":\"BIRD is down: no socket\"}", 0);
	apply_event(m, "{\"event\":\"bird\",\"ts\":300,\"state\":\"down\",\"detail\":\"no socket\"}", 0);
	assert_int_equal(model_event_count(m), 5);
	assert_true(model_log_is_twin("[notice] link pipe2 to node 2 is up", "pipe2", "up"));
	assert_false(model_log_is_twin("[notice] link pipe20 to node 2 is up", "pipe2", "up"));
	assert_false(model_log_is_twin("[notice] link pipe2 to node 2 is upgraded", "pipe2", "up"));
	assert_true(model_log_is_twin("[notice] link pipe2: drained", "pipe2", "drained"));
}

/* A log line longer than the console keeps is cut with "...", not refused. */
static void test_long_log_line_is_kept(void **state)
{
	struct model *m = *state;
	char ev[3000], msg[2100];
	memset(msg, 'a', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	msg[100] = ' ';
	snprintf(ev, sizeof(ev), "{\"event\":\"log\",\"ts\":1,\"level\":\"err\",\"msg\":\"%s\"}", msg);
	model_clear_events(m);
	apply_event(m, ev, 0);
	const struct model_event *e = model_event_at(m, 0);
	assert_true(strlen(e->text) < MODEL_EVENT_TEXT);
	assert_true(strlen(e->text) > 400);
	assert_string_equal(e->text + strlen(e->text) - 3, "...");
	apply_event(m, "{\"event\":\"log\",\"ts\":1,\"msg\":\"tab\\there\"}", 0);
	assert_string_equal(model_event_at(m, 1)->text, "[info] tab here");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_links_reply_fills_every_field),
		T(test_health_follows_state_loss_and_drain),
		T(test_metrics_event_updates_in_place),
		T(test_link_from_a_reply_replaces_the_row),
		T(test_malformed_link_is_rejected_whole),
		T(test_field_validation_messages),
		T(test_link_added_and_removed),
		T(test_state_and_cost_events),
		T(test_link_state_with_link_object),
		T(test_join_with_links_list),
		T(test_token_used),
		T(test_status_mesh_bird_log_join),
		T(test_unknown_event_kind_is_ignored),
		T(test_events_ring_keeps_the_newest),
		T(test_sort_by_rtt_puts_unknown_last_both_ways),
		T(test_sort_by_cost_descending),
		T(test_sort_keys_pick_a_column),
		T(test_filter_matches_any_column_case_insensitively),
		T(test_selection_follows_the_link_when_rows_move),
		T(test_selection_stays_at_the_row_when_its_link_goes),
		T(test_selection_survives_a_filter),
		T(test_nodes_reply),
		T(test_link_history_reply),
		T(test_new_link_fields_parse_and_absent_ones_stay_unknown),
		T(test_nodes_route_fields_and_route_event),
		T(test_events_are_not_shown_twice),
		T(test_long_log_line_is_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
