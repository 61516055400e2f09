/* The libFuzzer targets of tests/fuzz/ for parsers of outside input (node
 * API messages, tokens, config, control-socket lines, UAPI replies, BIRD
 * replies, netlink replies, link records) run under gcc with ASan/UBSan on a
 * fixed corpus: valid seeds (encoded here, BIRD's recorded replies in
 * tests/data, the targets' seed corpora in tests/fuzz/corpus) and pseudo-random
 * mutations of them (bit flips, cuts, inserted and overwritten bytes,
 * splices). The targets abort on any wrong outcome; ASan catches memory
 * errors and leaks. Same seed every run, so a failure replays. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>

#define LLVMFuzzerTestOneInput fuzz_api_msg
#include "../fuzz/fuzz_api_msg.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_token
#include "../fuzz/fuzz_token.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_config
#include "../fuzz/fuzz_config.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_ctl_line
#define drain drain_ctl
#include "../fuzz/fuzz_ctl_line.c"
#undef drain
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_wg_uapi
#include "../fuzz/fuzz_wg_uapi.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_bird_reply
#define drain drain_bird
#include "../fuzz/fuzz_bird_reply.c"
#undef drain
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_netlink
#include "../fuzz/fuzz_netlink.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_link_record
#include "../fuzz/fuzz_link_record.c"
#undef LLVMFuzzerTestOneInput

#include "common/wg/keys.h"

#define MUTANTS 20000
#define SEEDS_MAX 32
#define INPUT_MAX 16384

typedef int (*fuzz_fn)(const uint8_t *data, size_t size);

struct corpus {
	uint8_t *seed[SEEDS_MAX];
	size_t len[SEEDS_MAX];
	size_t n;
};

static uint64_t rng = 20261205;
static uint32_t below(uint32_t n)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return n ? (uint32_t)((rng >> 33) % n) : 0;
}

/* SELECTOR (-1: none) is the target's first byte, then TEXT. */
static void add(struct corpus *c, int selector, const char *text, size_t len)
{
	size_t off = selector >= 0 ? 1 : 0;
	uint8_t *p = malloc(len + off);

	assert_non_null(p);
	assert_true(c->n < SEEDS_MAX);
	if (off)
		p[0] = (uint8_t)selector;
	memcpy(p + off, text, len);
	c->seed[c->n] = p;
	c->len[c->n++] = len + off;
}

/* A struct the encoder refuses (zero keys...) gives no seed; the others do. */
static void add_json(struct corpus *c, int selector, json_t *j)
{
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;

	if (!text) {
		json_decref(j);
		return;
	}
	add(c, selector, text, strlen(text));
	free(text);
	json_decref(j);
}

static void add_file(struct corpus *c, int selector, const char *name)
{
	const char *dir = getenv("WGM_TEST_DATA");
	char path[512], buf[INPUT_MAX];
	FILE *f;
	size_t n;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	add(c, selector, buf, n);
}

/* Every file of the target's seed corpus (tests/fuzz/corpus/TARGET). */
static void add_corpus(struct corpus *c, const char *target)
{
	const char *src = getenv("WGM_SRC_DIR");
	char path[512], buf[INPUT_MAX];
	struct dirent **names;
	int n;

	assert_non_null(src);
	snprintf(path, sizeof(path), "%s/tests/fuzz/corpus/%s", src, target);
	n = scandir(path, &names, NULL, alphasort);
	assert_true(n > 2); /* ".", ".." and at least one seed */
	for (int i = 0; i < n; i++) {
		FILE *f;
		size_t len;

		if (names[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/tests/fuzz/corpus/%s/%s", src, target, names[i]->d_name);
			f = fopen(path, "rb");
			assert_non_null(f);
			len = fread(buf, 1, sizeof(buf), f);
			fclose(f);
			add(c, -1, (const char *)buf, len);
		}
		free(names[i]);
	}
	free(names);
}

/* With WGM_FUZZ_SEEDS_OUT=DIR the seeds are written to DIR/TARGET/ as files
 * instead, for libFuzzer (tests/fuzz/run_fuzzer.sh starts every target from
 * them): one set of seeds for both. */
static bool write_seeds(struct corpus *c, const char *target)
{
	const char *out = getenv("WGM_FUZZ_SEEDS_OUT");
	char path[512];

	if (!out || !*out)
		return false;
	snprintf(path, sizeof(path), "%s/%s", out, target);
	assert_true(mkdir(path, 0700) == 0 || errno == EEXIST);
	for (size_t i = 0; i < c->n; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s/seed-%02zu", out, target, i);
		f = fopen(path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(c->seed[i], 1, c->len[i], f), c->len[i]);
		assert_int_equal(fclose(f), 0);
	}
	return true;
}

/* Every seed as it is, then mutants; the first byte (the selector) is
 * mutated too, now and then. */
static void run(struct corpus *c, fuzz_fn fn, const char *target)
{
	static uint8_t in[INPUT_MAX + 64];

	if (write_seeds(c, target)) {
		for (size_t i = 0; i < c->n; i++)
			free(c->seed[i]);
		return;
	}

	for (size_t i = 0; i < c->n; i++)
		fn(c->seed[i], c->len[i]);
	for (int k = 0; k < MUTANTS; k++) {
		size_t s = below((uint32_t)c->n), len = c->len[s];
		memcpy(in, c->seed[s], len);
		for (unsigned m = 1 + below(4); m > 0; m--) {
			switch (below(6)) {
			case 0: /* bit flip */
				if (len)
					in[below((uint32_t)len)] ^= (uint8_t)(1u << below(8));
				break;
			case 1: /* cut */
				len = below((uint32_t)len + 1);
				break;
			case 2: /* insert a byte */
				if (len < INPUT_MAX) {
					size_t at = below((uint32_t)len + 1);
					memmove(in + at + 1, in + at, len - at);
					in[at] = (uint8_t)below(256);
					len++;
				}
				break;
			case 3: { /* overwrite with an interesting byte */
				static const uint8_t odd[] = { 0,   '"', '\\', '\n', '{',  '}',  '[',
							       ':', ',', '-',  '9',  0x80, 0xc2, 0xff };
				if (len)
					in[below((uint32_t)len)] = odd[below(sizeof(odd))];
				break;
			}
			case 4: { /* splice another seed's tail */
				size_t o = below((uint32_t)c->n), from = below((uint32_t)c->len[o] + 1);
				size_t at = below((uint32_t)len + 1), n = c->len[o] - from;
				if (at + n > INPUT_MAX)
					n = INPUT_MAX - at;
				memcpy(in + at, c->seed[o] + from, n);
				len = at + n;
				break;
			}
			default: /* another selector */
				if (len)
					in[0] = (uint8_t)below(256);
				break;
			}
		}
		fn(in, len);
	}
	for (size_t i = 0; i < c->n; i++)
		free(c->seed[i]);
	c->n = 0;
}

static void test_api_messages(void **state)
{
	struct corpus c = { 0 };
	struct wgm_msg_connectivity_reply cr = { .node_id = 4, .has_ipv4 = true, .accepts_joins = true };
	struct wgm_msg_connect_req req = { .caller_id = 6, .port = 51822, .first_join = true };
	struct wgm_msg_connect_reply rep = { .server_id = 4, .server_port = 51820, .has_obfs_key = true };
	struct wgm_msg_update_req upd = {
		.link = { .caller_id = 6 }, .has_port = true, .port = 51830, .has_cost = true, .cost = 120
	};
	struct wgm_msg_disconnect_req dis = { .link = { .caller_id = 6 } };
	char *err_body = wgm_api_error_body("token expired");

	memset(req.wg_pk, 0x11, sizeof(req.wg_pk));
	add(&c, 0,
	    "{\"v\":1,\"pk\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"nonce\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"box\":\"AAAA\"}",
	    113);
	add(&c, 1, err_body, strlen(err_body));
	free(err_body);
	add_json(&c, 2, wgm_msg_connectivity_reply_encode(&cr));
	add_json(&c, 3, wgm_msg_connect_req_encode(&req));
	add_json(&c, 4, wgm_msg_connect_reply_encode(&rep));
	add_json(&c, 5, wgm_msg_update_req_encode(&upd));
	add_json(&c, 6, wgm_msg_disconnect_req_encode(&dis));
	run(&c, fuzz_api_msg, "fuzz_api_msg");
}

static void test_tokens(void **state)
{
	struct corpus c = { 0 };
	struct wgm_token token = { 0 };
	struct wgm_token_store *store = wgm_token_store_new();
	struct wgm_token_info info;
	uint8_t secret[WGM_TOKEN_SECRET_LEN];
	char text[WGM_TOKEN_TEXT_MAX], err[256];

	memset(token.api_pk, 0x22, sizeof(token.api_pk));
	memset(token.secret, 0x33, sizeof(token.secret));
	assert_int_equal(wgm_token_encode(&token, text, sizeof(text)), 0);
	add(&c, 1, text, strlen(text));
	snprintf(token.url, sizeof(token.url), "http://192.0.2.10:8080");
	assert_int_equal(wgm_token_encode(&token, text, sizeof(text)), 0);
	add(&c, 1, text, strlen(text));
	assert_non_null(store);
	assert_int_equal(wgm_token_store_create(store, 3600, 2, "lab", 1700000000, secret, &info, err, sizeof(err)), 0);
	add_json(&c, 0, wgm_token_store_to_json(store));
	wgm_token_store_free(store);
	run(&c, fuzz_token, "fuzz_token");
}

static void test_config(void **state)
{
	struct corpus c = { 0 };
	struct wgm_config *cfg = malloc(sizeof(*cfg));

	assert_non_null(cfg);
	wgm_config_defaults(cfg);
	add_json(&c, -1, wgm_config_to_json(cfg));
	cfg->id = 8;
	add_json(&c, -1, wgm_config_to_json(cfg));
	free(cfg);
	add(&c, -1, "{\"id\":2,\"bird\":{\"area\":0},\"notifications\":{\"gotifyUp\":\"http://h/m?token=x\"}}", 77);
	run(&c, fuzz_config, "fuzz_config");
}

static void test_ctl_lines(void **state)
{
	struct corpus c = { 0 };
	static const char lines[] = "{\"cmd\":\"status\"}\n{\"cmd\":\"set\",\"key\":\"basePort\",\"value\":\"51820\"}\n"
				    "{\"ok\":false,\"error\":\"no\"}\n{\"cmd\":\"subscribe\"}\n";

	add(&c, 17, lines, sizeof(lines) - 1);
	add(&c, 3, "{\"ok\":true,\"links\":[]}\n", 23);
	run(&c, fuzz_ctl_line, "fuzz_ctl_line");
}

static void test_uapi_replies(void **state)
{
	struct corpus c = { 0 };
	static const char get[] =
		"private_key=e84b5a6d2717c1003a13b431570353dbaca9146cf150c5f8575680feba52027a\n"
		"listen_port=51820\nfwmark=0\n"
		"public_key=b85996fecc9c7f1fc6d2572a76eda11d59bcd20be8e543b15ce4bd85a8e75a33\n"
		"preshared_key=188515093e952f5f22e865cef3012e72f8b5f0b598ac0309d5dacce3b70fcf52\n"
		"endpoint=192.0.2.1:51820\nlast_handshake_time_sec=1700000000\nlast_handshake_time_nsec=0\n"
		"rx_bytes=100\ntx_bytes=200\npersistent_keepalive_interval=25\n"
		"allowed_ip=0.0.0.0/0\nallowed_ip=::/0\nprotocol_version=1\nerrno=0\n\n";

	add(&c, 0, get, sizeof(get) - 1);
	add(&c, 1, "errno=0\n\n", 9);
	add(&c, 1, "errno=22\n\n", 10);
	run(&c, fuzz_wg_uapi, "fuzz_wg_uapi");
}

static void test_bird_replies(void **state)
{
	struct corpus c = { 0 };
	static const char *const files[] = {
		"bird/replies/show-route-a.txt",       "bird/replies/show-route-b.txt",
		"bird/replies/show-route-master6.txt", "bird/replies/show-ospf-neighbors-all.txt",
		"bird/replies/show-protocols.txt",     "bird/replies/parse-error.txt",
		"bird/replies/configure-ok.txt",       "bird/replies/show-route-not-found.txt",
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		add_file(&c, (int)(i * 37), files[i]);
	run(&c, fuzz_bird_reply, "fuzz_bird_reply");
}

static void test_netlink_replies(void **state)
{
	struct corpus c = { 0 };

	add_corpus(&c, "fuzz_netlink");
	run(&c, fuzz_netlink, "fuzz_netlink");
}

static void test_link_records(void **state)
{
	struct corpus c = { 0 };

	add_corpus(&c, "fuzz_link_record");
	run(&c, fuzz_link_record, "fuzz_link_record");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_api_messages),    cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_config),          cmocka_unit_test(test_ctl_lines),
		cmocka_unit_test(test_uapi_replies),    cmocka_unit_test(test_bird_replies),
		cmocka_unit_test(test_netlink_replies), cmocka_unit_test(test_link_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
