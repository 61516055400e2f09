/* wgm-http-sink ADDR PORT FILE [REPLY]: a tiny HTTP receiver for tests.
 * Every request is appended to FILE as one line, "METHOD URL BODY" (the URL
 * with its query string, the body with newlines turned into spaces), and
 * answered 200 with the contents of the file REPLY, or {"id":1} as Gotify
 * does (notification tests). With REPLY it stands in for a node API that
 * answers what a test wants (a forged /connectivity). Runs until
 * SIGTERM/SIGINT. */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BODY_MAX 65536

struct request {
	char body[BODY_MAX];
	size_t len;
};

static const char *out_path;
static char reply_body[BODY_MAX] = "{\"id\":1}";
static size_t reply_len = 8;
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void record(struct MHD_Connection *conn, const char *method, const char *url, struct request *r)
{
	FILE *f = fopen(out_path, "a");
	const char *query = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "token");

	if (!f)
		return;
	for (size_t i = 0; i < r->len; i++)
		if (r->body[i] == '\n' || r->body[i] == '\r')
			r->body[i] = ' ';
	fprintf(f, "%s %s%s%s %.*s\n", method, url, query ? "?token=" : "", query ? query : "", (int)r->len, r->body);
	fclose(f);
}

static int load_reply(const char *path)
{
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "wgm-http-sink: %s: %s\n", path, strerror(errno));
		return -1;
	}
	reply_len = fread(reply_body, 1, sizeof(reply_body), f);
	fclose(f);
	if (reply_len == sizeof(reply_body)) {
		fprintf(stderr, "wgm-http-sink: %s: longer than %d bytes\n", path, BODY_MAX - 1);
		return -1;
	}
	return 0;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
			      const char *version, const char *data, size_t *data_len, void **state)
{
	struct request *r = *state;
	struct MHD_Response *resp;
	enum MHD_Result rc;

	(void)cls;
	(void)version;
	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		*state = r;
		return MHD_YES;
	}
	if (*data_len) {
		size_t n = *data_len;
		if (n > BODY_MAX - r->len)
			n = BODY_MAX - r->len;
		memcpy(r->body + r->len, data, n);
		r->len += n;
		*data_len = 0;
		return MHD_YES;
	}
	record(conn, method, url, r);
	resp = MHD_create_response_from_buffer(reply_len, reply_body, MHD_RESPMEM_PERSISTENT);
	rc = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return rc;
}

static void completed(void *cls, struct MHD_Connection *conn, void **state, enum MHD_RequestTerminationCode code)
{
	(void)cls;
	(void)conn;
	(void)code;
	free(*state);
	*state = NULL;
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	struct MHD_Daemon *d;
	long port;

	if ((argc != 4 && argc != 5) || inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1 ||
	    (port = strtol(argv[2], NULL, 10)) < 1 || port > 65535) {
		fprintf(stderr, "usage: wgm-http-sink IPV4 PORT FILE [REPLY_FILE]\n");
		return 2;
	}
	if (argc == 5 && load_reply(argv[4]) < 0)
		return 2;
	out_path = argv[3];
	addr.sin_port = htons((uint16_t)port);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, (uint16_t)port, NULL, NULL, handle, NULL,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED, completed,
			     NULL, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "wgm-http-sink: cannot listen on %s:%ld\n", argv[1], port);
		return 1;
	}
	while (!stop)
		pause();
	MHD_stop_daemon(d);
	return 0;
}
