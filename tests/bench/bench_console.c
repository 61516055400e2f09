/* Console render cost: 200 links, one metrics event per update (parse,
 * apply to the model, render the links view into a terminal on /dev/null).
 * Prints per-update times and the CPU share at the daemon's 1 update/s.
 *
 *   bench_console [LINKS] [UPDATES]        figures
 *   bench_console --dump VIEW [COLSxROWS]  one frame of sample data as text
 *                                          (VIEW: links, detail, nodes, events, help)
 */
#include <curses.h>
#include <jansson.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <wchar.h>

#include "tui/console/render.h"
#include "tui/console/ui.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double cpu_ms(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

/* One metrics event as the daemon would send it, varying with round. */
static char *metrics_event(int links, int round)
{
	json_t *ev = json_pack("{s:s, s:f, s:[]}", "event", "metrics", "ts", 1.7e9 + round, "links");
	json_t *arr = json_object_get(ev, "links");
	for (int i = 0; i < links; i++) {
		double base = 0.5 + (i % 40) * 1.7;
		json_t *recent = json_array();
		for (int s = 0; s < 60; s++) {
			bool lost = (i % 17 == 3) && ((s + round) % 9 == 0);
			double rtt = base + 0.4 * base * sin((s + round + i) / 5.0) + ((s * 7 + i) % 5) * 0.05;
			json_array_append_new(recent, lost ? json_null() : json_real(rtt));
		}
		char name[16], endpoint[64], local[32], remote[32];
		snprintf(name, sizeof(name), "pipe%d", i + 2);
		if (i % 3 == 2)
			snprintf(endpoint, sizeof(endpoint), "[2001:db8::%x]:51820", i + 2);
		else
			snprintf(endpoint, sizeof(endpoint), "198.51.100.%d:51820", (i % 250) + 2);
		snprintf(local, sizeof(local), "10.0.%d.%d/31", i / 64, (i % 64) * 2 + 1);
		snprintf(remote, sizeof(remote), "10.0.%d.%d", i / 64, (i % 64) * 2);
		const char *state = i % 29 == 5 ? "down" : "up";
		double loss = i % 17 == 3 ? 11.1 : (i % 13 == 1 ? 1.7 : 0.0);
		int cost = (int)(base * 10) + (loss > 0 ? 100 : 0);
		json_t *l = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:f, s:f, s:f, s:f, s:f,"
				      " s:i, s:i, s:o, s:b, s:f, s:f, s:f, s:f, s:i, s:o}",
				      "name", name, "remote_id", (i + 1) * 2, "endpoint", endpoint, "transport",
				      i % 3 == 2 ? "v6" : "v4", "link_type", "default", "role",
				      i % 2 ? "server" : "client", "state", state, "local_addr", local, "remote_addr",
				      remote, "port", 51821 + i, "rtt_ms", base, "rtt_min_ms", base * 0.6, "rtt_max_ms",
				      base * 1.4, "loss_pct", loss, "jitter_ms", base * 0.05, "cost",
				      i % 23 == 7 ? 500 : cost, "cost_measured", cost, "override",
				      i % 23 == 7 ? json_integer(500) : json_null(), "drained", i % 31 == 9, "rx_bytes",
				      1e6 * i, "tx_bytes", 2e6 * i, "rx_rate", 1500.0 * (i % 7) + round, "tx_rate",
				      900.0 * (i % 5), "last_handshake", 1700000000 - (i % 120), "rtt_recent", recent);
		/* The fields a newer daemon adds (docs/control-socket.md). */
		bool penalty = loss > 10;
		json_object_set_new(l, "rtt_last_ms",
				    (i % 17 == 3 && round % 9 == 0) ? json_null() : json_real(base * 1.1));
		json_object_set_new(l, "loss_window_pct", json_real(penalty ? 30.0 : loss > 0 ? 10.0 : 0.0));
		json_object_set_new(l, "loss_window_probes", json_integer(10));
		json_object_set_new(l, "loss_minute_pct", json_real(loss));
		json_object_set_new(l, "cost_reason",
				    json_string(i % 23 == 7   ? "override"
						: i % 31 == 9 ? "drained"
						: penalty     ? "loss"
							      : "measured"));
		json_object_set_new(l, "cost_detail", json_string(penalty ? "loss +100" : ""));
		json_object_set_new(l, "penalty_until", penalty ? json_integer(1700000100) : json_null());
		json_object_set_new(l, "ospf", json_string(strcmp(state, "up") == 0 ? "Full" : "Down"));
		json_object_set_new(l, "carries", i == 2 ? json_pack("[i,i]", 6, 8) : json_array());
		json_array_append_new(arr, l);
	}
	char *text = json_dumps(ev, JSON_COMPACT);
	json_decref(ev);
	return text;
}

static int apply(struct ui *ui, const char *text)
{
	char err[256];
	json_error_t jerr;
	json_t *ev = json_loads(text, 0, &jerr);
	int rc = ev ? model_apply_event(&ui->model, ev, err, sizeof(err)) : -1;
	if (rc < 0)
		fprintf(stderr, "bench_console: bad sample event: %s\n", ev ? err : jerr.text);
	json_decref(ev);
	return rc;
}

static SCREEN *open_screen(FILE **out, FILE **in, int cols, int rows)
{
	setenv("TERM", "xterm-256color", 0);
	*out = fopen("/dev/null", "w");
	*in = fopen("/dev/null", "r");
	SCREEN *scr = *out && *in ? newterm(NULL, *out, *in) : NULL;
	if (!scr) {
		fprintf(stderr, "bench_console: cannot open a terminal on /dev/null\n");
		return NULL;
	}
	resizeterm(rows, cols);
	render_init_colours(has_colors());
	return scr;
}

static void fill_sample(struct ui *ui)
{
	char err[256];
	json_t *st = json_pack("{s:i, s:s, s:s, s:s, s:i, s:s, s:i, s:i, s:i, s:s}", "id", 2, "loopback4", "10.0.2.1",
			       "loopback6", "fd10:0:2::1", "version", "0.1.0", "uptime", 5025, "bird", "up", "links_up",
			       7, "links_total", 8, "nodes", 9, "mesh", "done");
	model_apply_status(&ui->model, st, err, sizeof(err));
	json_decref(st);
	json_t *nodes = json_pack("{s:[{s:i,s:s,s:s,s:s,s:s,s:i,s:b,s:i,s:[i,i],s:s},"
				  "{s:i,s:s,s:s,s:s,s:s,s:i,s:b,s:i,s:[i,i,i],s:s}]}",
				  "nodes", "id", 4, "loopback4", "10.0.4.1", "loopback6", "fd10:0:4::1", "next_hop",
				  "10.0.0.4", "via", "pipe4", "metric", 12, "direct", 1, "next_hop_id", 4, "path", 2, 4,
				  "route_state", "direct", "id", 6, "loopback4", "10.0.6.1", "loopback6", "fd10:0:6::1",
				  "next_hop", "10.0.0.4", "via", "pipe4", "metric", 31, "direct", 1, "next_hop_id", 4,
				  "path", 2, 4, 6, "route_state", "rerouted");
	model_apply_nodes(&ui->model, nodes, err, sizeof(err));
	json_decref(nodes);
	model_add_event(&ui->model, 1.7e9, "join", "pipe4", "node 4 joined via pipe4");
	model_add_event(&ui->model, 1.7e9 + 3, "link_state", "pipe4", "pipe4 up (node 4)");
	model_add_event(&ui->model, 1.7e9 + 60, "cost", "pipe4", "pipe4 cost 12 -> 200 (loss 30%)");
	model_add_event(&ui->model, 1.7e9 + 65, "bird", "", "BIRD up: configure ok");
	model_add_event(&ui->model, 1.7e9 + 66, "route", "pipe4",
			"node 6 now via pipe4 (node 4), was pipe6 (node 6); path 2 > 4 > 6, rerouted");
	model_add_event(
		&ui->model, 1.7e9 + 70, "error", "",
		"connect failed: http://198.51.100.7:8080/connectivity: no answer within 10 s (is the node's API "
		"reachable from here, and is port 8080 open on its firewall?)");
}

static int dump(const char *view, int cols, int rows)
{
	FILE *out, *in;
	struct ui *ui = calloc(1, sizeof(*ui));
	model_init(&ui->model);
	ui->daemon.up = true;
	ui->glyphs = getenv("WGMESH_ASCII") ? GLYPHS_ASCII : GLYPHS_UTF8;
	ui->now = 1700000100;
	ui->daemon.status_at = ui->now;
	char *text = metrics_event(8, 0);
	apply(ui, text);
	free(text);
	fill_sample(ui);
	if (strcmp(view, "detail") == 0) {
		ui->view = VIEW_DETAIL;
		snprintf(ui->detail.link, sizeof(ui->detail.link), "pipe4");
	} else if (strcmp(view, "nodes") == 0) {
		ui->view = VIEW_NODES;
	} else if (strcmp(view, "events") == 0) {
		ui->view = VIEW_EVENTS;
		ui->scroll.events_follow = true;
	} else if (strcmp(view, "help") == 0) {
		ui->view = VIEW_HELP;
	}
	SCREEN *scr = open_screen(&out, &in, cols, rows);
	if (!scr)
		return 1;
	render_frame(stdscr, ui);
	wchar_t line[1024];
	char *rows_text[256];
	int n = rows < 256 ? rows : 256;
	for (int y = 0; y < n; y++) {
		mvwinnwstr(stdscr, y, 0, line, cols);
		size_t need = wcstombs(NULL, line, 0) + 1;
		rows_text[y] = malloc(need);
		wcstombs(rows_text[y], line, need);
	}
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
	for (int y = 0; y < n; y++) {
		size_t l = strlen(rows_text[y]);
		while (l > 0 && rows_text[y][l - 1] == ' ')
			rows_text[y][--l] = '\0';
		printf("%s\n", rows_text[y]);
		free(rows_text[y]);
	}
	model_free(&ui->model);
	free(ui);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void bench(int links, int updates, int cols, int rows)
{
	FILE *out, *in;
	struct ui *ui = calloc(1, sizeof(*ui));
	double *apply_ms = calloc((size_t)updates, sizeof(double)),
	       *render_ms = calloc((size_t)updates, sizeof(double));
	char **events = calloc((size_t)updates, sizeof(char *));
	model_init(&ui->model);
	ui->daemon.up = true;
	ui->glyphs = GLYPHS_UTF8;
	ui->now = 1700000100;
	for (int i = 0; i < updates; i++)
		events[i] = metrics_event(links, i);
	SCREEN *scr = open_screen(&out, &in, cols, rows);
	if (!scr)
		return;
	double cpu0 = cpu_ms();
	for (int i = 0; i < updates; i++) {
		double t0 = now_ms();
		apply(ui, events[i]);
		double t1 = now_ms();
		ui->now++;
		render_frame(stdscr, ui);
		wnoutrefresh(stdscr);
		doupdate();
		double t2 = now_ms();
		apply_ms[i] = t1 - t0;
		render_ms[i] = t2 - t1;
	}
	double cpu = cpu_ms() - cpu0;
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
	double sum_a = 0, sum_r = 0;
	for (int i = 0; i < updates; i++) {
		sum_a += apply_ms[i];
		sum_r += render_ms[i];
	}
	qsort(render_ms, (size_t)updates, sizeof(double), cmp_double);
	qsort(apply_ms, (size_t)updates, sizeof(double), cmp_double);
	printf("%d links, %dx%d terminal, %d updates:\n", links, cols, rows, updates);
	printf("  parse+apply metrics event: mean %.3f ms  p50 %.3f  p99 %.3f\n", sum_a / updates,
	       apply_ms[updates / 2], apply_ms[updates * 99 / 100]);
	printf("  render links view:         mean %.3f ms  p50 %.3f  p99 %.3f\n", sum_r / updates,
	       render_ms[updates / 2], render_ms[updates * 99 / 100]);
	printf("  CPU per update %.3f ms -> %.2f%% of one core at 1 update/s\n", cpu / updates, cpu / updates / 10.0);
	for (int i = 0; i < updates; i++)
		free(events[i]);
	free(events);
	free(apply_ms);
	free(render_ms);
	model_free(&ui->model);
	free(ui);
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "C.UTF-8");
	if (argc > 2 && strcmp(argv[1], "--dump") == 0) {
		int cols = 80, rows = 24;
		if (argc > 3 && sscanf(argv[3], "%dx%d", &cols, &rows) != 2) {
			fprintf(stderr, "bench_console: size '%s' is not COLSxROWS\n", argv[3]);
			return 2;
		}
		return dump(argv[2], cols, rows);
	}
	int links = argc > 1 ? atoi(argv[1]) : 200;
	int updates = argc > 2 ? atoi(argv[2]) : 300;
	if (links < 1 || updates < 1) {
		fprintf(stderr, "usage: bench_console [LINKS] [UPDATES] | --dump VIEW [COLSxROWS]\n");
		return 2;
	}
	bench(links, updates, 80, 24);
	bench(links, updates, 200, 60);
	return 0;
}
