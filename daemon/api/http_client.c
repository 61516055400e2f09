#include "daemon/api/http_client.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct http_client_request {
	struct http_client *client;
	CURL *easy;
	struct curl_slist *headers;
	char *url;
	char *resp;
	size_t resp_len;
	size_t resp_cap;
	bool too_big;
	char errbuf[CURL_ERROR_SIZE];
	http_client_done_fn fn;
	void *ctx;
	struct http_client_request *prev, *next;
};

struct http_client {
	struct loop *loop;
	CURLM *multi;
	struct loop_timer *timer;
	size_t response_max;
	struct http_client_request *requests;
	bool stopping;
};

static void request_free(struct http_client_request *req)
{
	struct http_client *client = req->client;

	if (req->prev)
		req->prev->next = req->next;
	else
		client->requests = req->next;
	if (req->next)
		req->next->prev = req->prev;
	curl_multi_remove_handle(client->multi, req->easy);
	curl_easy_cleanup(req->easy);
	curl_slist_free_all(req->headers);
	free(req->url);
	free(req->resp);
	free(req);
}

static void finish_done_requests(struct http_client *client)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(client->multi, &left))) {
		struct http_client_request *req = NULL;
		char error[CURL_ERROR_SIZE + 600];
		long status = 0;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&req);
		if (msg->data.result == CURLE_OK) {
			curl_easy_getinfo(req->easy, CURLINFO_RESPONSE_CODE, &status);
			error[0] = '\0';
		} else if (req->too_big) {
			snprintf(error, sizeof(error), "%s: response larger than %zu bytes", req->url,
				 client->response_max);
		} else {
			snprintf(error, sizeof(error), "%s: %s", req->url,
				 req->errbuf[0] ? req->errbuf : curl_easy_strerror(msg->data.result));
		}
		req->fn(status, req->resp ? req->resp : "", req->resp_len, status ? NULL : error, req->ctx);
		request_free(req);
	}
}

static void socket_ready(struct loop *loop, int fd, uint32_t events, void *ctx)
{
	struct http_client *client = ctx;
	int flags = 0, running;

	if (events & EPOLLIN)
		flags |= CURL_CSELECT_IN;
	if (events & EPOLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (events & (EPOLLERR | EPOLLHUP))
		flags |= CURL_CSELECT_ERR;
	curl_multi_socket_action(client->multi, fd, flags, &running);
	finish_done_requests(client);
}

static void timer_fired(struct loop *loop, struct loop_timer *t, void *ctx)
{
	struct http_client *client = ctx;
	int running;

	curl_multi_socket_action(client->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	finish_done_requests(client);
}

static int socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct http_client *client = userp;
	struct loop_watch *watch = socketp;
	uint32_t events = 0;

	if (what == CURL_POLL_REMOVE) {
		loop_watch_remove(watch);
		curl_multi_assign(client->multi, s, NULL);
		return 0;
	}
	if (what & CURL_POLL_IN)
		events |= EPOLLIN;
	if (what & CURL_POLL_OUT)
		events |= EPOLLOUT;
	if (watch)
		return loop_watch_modify(watch, events) < 0 ? -1 : 0;
	if (loop_watch_add(client->loop, s, events, socket_ready, client, &watch) < 0)
		return -1;
	curl_multi_assign(client->multi, s, watch);
	return 0;
}

static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct http_client *client = userp;

	if (timeout_ms < 0) {
		loop_timer_disarm(client->timer);
		return 0;
	}
	return loop_timer_arm(client->timer, (uint64_t)timeout_ms, 0) < 0 ? -1 : 0;
}

static size_t write_cb(char *data, size_t size, size_t nmemb, void *userp)
{
	struct http_client_request *req = userp;
	size_t len = size * nmemb;

	if (req->resp_len + len > req->client->response_max) {
		req->too_big = true;
		return 0;
	}
	if (req->resp_len + len + 1 > req->resp_cap) {
		size_t cap = req->resp_cap ? req->resp_cap : 4096;
		char *resp;
		while (cap < req->resp_len + len + 1)
			cap *= 2;
		resp = realloc(req->resp, cap);
		if (!resp)
			return 0;
		req->resp = resp;
		req->resp_cap = cap;
	}
	memcpy(req->resp + req->resp_len, data, len);
	req->resp_len += len;
	req->resp[req->resp_len] = '\0';
	return len;
}

int http_client_new(struct loop *loop, size_t response_max, struct http_client **out)
{
	struct http_client *client = calloc(1, sizeof(*client));
	int rc;

	if (!client)
		return -ENOMEM;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		free(client);
		return -EIO;
	}
	client->loop = loop;
	client->response_max = response_max ? response_max : HTTP_CLIENT_RESPONSE_MAX;
	rc = loop_timer_new(loop, timer_fired, client, &client->timer);
	if (rc < 0)
		goto fail;
	client->multi = curl_multi_init();
	if (!client->multi) {
		rc = -ENOMEM;
		goto fail;
	}
	curl_multi_setopt(client->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(client->multi, CURLMOPT_SOCKETDATA, client);
	curl_multi_setopt(client->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(client->multi, CURLMOPT_TIMERDATA, client);
	*out = client;
	return 0;
fail:
	loop_timer_free(client->timer);
	curl_global_cleanup();
	free(client);
	return rc;
}

void http_client_free(struct http_client *client)
{
	if (!client)
		return;
	/* Owners free what they hung on a request in its callback, so each still
	 * running one is told it was cancelled; none may start another now. */
	client->stopping = true;
	while (client->requests) {
		struct http_client_request *req = client->requests;
		http_client_done_fn fn = req->fn;
		void *ctx = req->ctx;
		request_free(req);
		if (fn)
			fn(0, "", 0, "request cancelled: the daemon is stopping", ctx);
	}
	curl_multi_cleanup(client->multi);
	loop_timer_free(client->timer);
	curl_global_cleanup();
	free(client);
}

int http_client_request(struct http_client *client, const char *method, const char *url, const char *body,
			size_t body_len, unsigned timeout_ms, http_client_done_fn fn, void *ctx,
			struct http_client_request **handle)
{
	struct http_client_request *req;
	CURL *e;

	if (client->stopping)
		return -ESHUTDOWN;
	req = calloc(1, sizeof(*req));
	if (!req)
		return -ENOMEM;
	req->client = client;
	req->fn = fn;
	req->ctx = ctx;
	req->url = strdup(url);
	req->easy = e = curl_easy_init();
	if (!req->url || !e)
		goto nomem;
	/* Small bodies go at once; a big one waits for "100 Continue", so a
	 * server that refuses it (413) can say so before it is sent. */
	req->headers = curl_slist_append(NULL, body_len > 1024 ? "Expect: 100-continue" : "Expect:");
	if (!req->headers)
		goto nomem;
	if (body) {
		struct curl_slist *h = curl_slist_append(req->headers, "Content-Type: application/json");
		if (!h)
			goto nomem;
		req->headers = h;
	}
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, req);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, req->errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	/* Node-to-node calls never go through a proxy from the environment. */
	curl_easy_setopt(e, CURLOPT_PROXY, "");
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, req->headers);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, req);
	if (body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
		curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, body);
	}
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	req->next = client->requests;
	if (client->requests)
		client->requests->prev = req;
	client->requests = req;
	if (curl_multi_add_handle(client->multi, e) != CURLM_OK) {
		request_free(req);
		return -EIO;
	}
	if (handle)
		*handle = req;
	return 0;
nomem:
	if (e)
		curl_easy_cleanup(e);
	curl_slist_free_all(req->headers);
	free(req->url);
	free(req);
	return -ENOMEM;
}

void http_client_cancel(struct http_client_request *req)
{
	if (req)
		request_free(req);
}
