/* A file of the source tree ($WGM_SRC_DIR/REL) read whole, for the tests
 * that check docs against the code. Fails the test when it cannot be read.
 * Caller frees. */
#ifndef WGM_TEST_SRC_FILE_H
#define WGM_TEST_SRC_FILE_H

#include <stdio.h>
#include <stdlib.h>

static inline char *test_read_src_file(const char *rel)
{
	const char *src = getenv("WGM_SRC_DIR");
	char path[512];
	char *text;
	long size;
	FILE *f;

	assert_non_null(src);
	snprintf(path, sizeof(path), "%s/%s", src, rel);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)size + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	return text;
}

#endif
