/* libFuzzer target for BIRD's control-socket replies (bird/reply.c,
 * bird/parse.c): the first byte says where to split the rest into two reads;
 * every complete reply is parsed as routes, OSPF neighbours and protocols.
 * Nothing may crash or leak.
 *
 * Built with clang only (CMakeLists.txt); tests/unit/test_fuzz_parsers.c
 * replays the same function on a fixed corpus under gcc. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "bird/parse.h"
#include "bird/reply.h"

static void drain(struct bird_reply_parser *p)
{
	struct bird_reply *reply;
	char err[256];

	while ((reply = bird_reply_parser_next(p))) {
		struct bird_routes routes = { 0 };
		struct bird_ospf_neighbors neighbors = { 0 };
		struct bird_protocols protocols = { 0 };

		(void)bird_reply_message(reply);
		(void)bird_reply_status(reply);
		if (bird_parse_routes(reply, &routes, err, sizeof(err)) == 0)
			bird_routes_free(&routes);
		if (bird_parse_ospf_neighbors(reply, &neighbors, err, sizeof(err)) == 0)
			bird_ospf_neighbors_free(&neighbors);
		if (bird_parse_protocols(reply, &protocols, err, sizeof(err)) == 0)
			bird_protocols_free(&protocols);
		bird_reply_free(reply);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bird_reply_parser p;
	size_t split;

	if (size < 1)
		return 0;
	split = 1 + (size > 1 ? data[0] % size : 0);
	if (split > size)
		split = size;
	bird_reply_parser_init(&p);
	if (bird_reply_parser_feed(&p, (const char *)data + 1, split - 1) == 0) {
		drain(&p);
		if (bird_reply_parser_feed(&p, (const char *)data + split, size - split) == 0)
			drain(&p);
	}
	drain(&p);
	bird_reply_parser_free(&p);
	return 0;
}
