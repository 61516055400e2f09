/* libFuzzer target for the link records the daemon reads back from its
 * state directory at start (daemon/links/link_record.c): any JSON text.
 * Nothing may crash or leak, and a record that is accepted must survive a
 * round trip: written out and read back, it says the same.
 *
 * Built with clang only (CMakeLists.txt); tests/unit/test_fuzz_parsers.c
 * replays the same function on a fixed corpus under gcc. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "daemon/links/link_record.h"

static char *dump_record(const struct link_record *rec)
{
	json_t *j = link_record_to_json(rec);
	char *text = j ? json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT) : NULL;

	json_decref(j);
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct link_record *rec = calloc(1, sizeof(*rec)), *again = calloc(1, sizeof(*again));
	json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL), *j2 = NULL;
	char err[256], *first = NULL, *second = NULL;

	if (!rec || !again || !j || link_record_from_json(j, rec, err, sizeof(err)) != 0)
		goto out;
	first = dump_record(rec);
	if (!first || !(j2 = json_loads(first, 0, NULL)))
		goto out;
	if (link_record_from_json(j2, again, err, sizeof(err)) != 0)
		abort(); /* it wrote what it refuses to read */
	second = dump_record(again);
	if (second && strcmp(first, second) != 0)
		abort();
out:
	free(first);
	free(second);
	json_decref(j);
	json_decref(j2);
	if (rec)
		link_record_wipe(rec);
	if (again)
		link_record_wipe(again);
	free(rec);
	free(again);
	return 0;
}
