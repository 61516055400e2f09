/* Pasted text is never read as commands (tui/console/input.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "tui/console/input.h"

static size_t keys_of(const char *s, int *keys)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n; i++)
		keys[i] = (unsigned char)s[i];
	return n;
}

static void test_typed_keys_pass(void **state)
{
	struct input_filter f = { 0 };
	int keys[16];
	struct input_item out[16];
	size_t dropped = 0, n = keys_of("d", keys);
	(void)state;
	assert_int_equal(input_filter_run(&f, keys, n, false, 1000, out, &dropped), 1);
	assert_int_equal(out[0].key, 'd');
	assert_false(out[0].pasted);
	/* A few keys at once (tmux send-keys, a quick "/v6" + Enter) still count as typed. */
	n = keys_of("/v6\r", keys);
	assert_int_equal(input_filter_run(&f, keys, n, false, 2000, out, &dropped), 4);
	assert_int_equal(dropped, 0);
}

static void test_bracketed_paste_is_marked_as_text(void **state)
{
	struct input_filter f = { 0 };
	int keys[64];
	struct input_item out[64];
	size_t dropped = 0, n = keys_of("\033[200~tdy\033[201~q", keys);
	(void)state;
	size_t m = input_filter_run(&f, keys, n, false, 1000, out, &dropped);
	assert_int_equal(m, 4);
	for (size_t i = 0; i < 3; i++)
		assert_true(out[i].pasted);
	assert_int_equal(out[0].key, 't');
	assert_false(out[3].pasted); /* typed after the paste ended */
	assert_int_equal(out[3].key, 'q');
	/* A paste split over two reads stays a paste. */
	n = keys_of("\033[200~ab", keys);
	input_filter_run(&f, keys, n, false, 2000, out, &dropped);
	n = keys_of("cd\033[201~", keys);
	m = input_filter_run(&f, keys, n, false, 2001, out, &dropped);
	assert_int_equal(m, 2);
	assert_true(out[0].pasted && out[1].pasted);
	assert_false(f.in_paste);
	/* A lone Esc is a key. */
	n = keys_of("\033", keys);
	m = input_filter_run(&f, keys, n, false, 3000, out, &dropped);
	assert_int_equal(m, 1);
	assert_int_equal(out[0].key, 27);
	assert_false(out[0].pasted);
}

static void test_burst_outside_a_prompt_is_dropped(void **state)
{
	struct input_filter f = { 0 };
	int keys[64];
	struct input_item out[64];
	size_t dropped = 0, n = keys_of("wgm1-tdyAAAA", keys);
	(void)state;
	assert_int_equal(input_filter_run(&f, keys, n, false, 1000, out, &dropped), 0);
	assert_int_equal(dropped, n);
	/* Its tail in the next read goes too. */
	n = keys_of("yd", keys);
	assert_int_equal(input_filter_run(&f, keys, n, false, 1000 + INPUT_BURST_QUIET_MS - 1, out, &dropped), 0);
	/* Later keys are typed again. */
	n = keys_of("y", keys);
	assert_int_equal(input_filter_run(&f, keys, n, false, 5000, out, &dropped), 1);
	/* Into an open prompt the same burst is text. */
	n = keys_of("192.0.2.10:8080", keys);
	assert_int_equal(input_filter_run(&f, keys, n, true, 6000, out, &dropped), n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_typed_keys_pass),
		cmocka_unit_test(test_bracketed_paste_is_marked_as_text),
		cmocka_unit_test(test_burst_outside_a_prompt_is_dropped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
