/* libFuzzer target for tokens (common/api/token.c): the first byte picks
 * the parser, the rest is a token's text as an operator pasted it
 * (wgm_token_decode), or a token store file (wgm_token_store_from_json).
 * Nothing may crash or leak; a decoded token must encode again.
 *
 * Built with clang only (CMakeLists.txt); tests/unit/test_fuzz_parsers.c
 * replays the same function on a fixed corpus under gcc. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/api/token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		struct wgm_token token;
		char *text = malloc(size);
		char again[WGM_TOKEN_TEXT_MAX];
		if (!text)
			return 0;
		memcpy(text, data + 1, size - 1);
		text[size - 1] = '\0';
		if (wgm_token_decode(text, &token, err, sizeof(err)) == 0 &&
		    wgm_token_encode(&token, again, sizeof(again)) < 0)
			abort();
		wgm_token_wipe(&token);
		free(text);
		return 0;
	}
	json_t *j = json_loadb((const char *)data + 1, size - 1, 0, NULL);
	if (!j)
		return 0;
	struct wgm_token_store *store = wgm_token_store_from_json(j, err, sizeof(err));
	if (store) {
		json_t *back = wgm_token_store_to_json(store);
		if (!back)
			abort();
		json_decref(back);
		wgm_token_store_free(store);
	}
	json_decref(j);
	return 0;
}
