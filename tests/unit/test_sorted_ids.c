/* The binary search the prober and path quality share over id-sorted arrays. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/util/sorted_ids.h"

struct item {
	char name[3];
	uint32_t id;
};

static const struct item items[] = { { "a", 2 }, { "b", 5 }, { "c", 5 }, { "d", 9 } };

static void test_lower_bound_finds_the_first_equal_or_greater(void **state)
{
	(void)state;
	assert_int_equal(WGM_SORTED_LOWER_BOUND(items, 4, id, 0), 0);
	assert_int_equal(WGM_SORTED_LOWER_BOUND(items, 4, id, 2), 0);
	assert_int_equal(WGM_SORTED_LOWER_BOUND(items, 4, id, 5), 1);
	assert_int_equal(WGM_SORTED_LOWER_BOUND(items, 4, id, 6), 3);
	assert_int_equal(WGM_SORTED_LOWER_BOUND(items, 4, id, 10), 4);
}

static void test_upper_bound_skips_equal_ids(void **state)
{
	(void)state;
	assert_int_equal(WGM_SORTED_UPPER_BOUND(items, 4, id, 2), 1);
	assert_int_equal(WGM_SORTED_UPPER_BOUND(items, 4, id, 5), 3);
	assert_int_equal(WGM_SORTED_UPPER_BOUND(items, 4, id, 9), 4);
	assert_int_equal(WGM_SORTED_UPPER_BOUND(items, 4, id, UINT32_MAX), 4);
}

static void test_an_empty_array_has_no_position_but_zero(void **state)
{
	(void)state;
	assert_int_equal(WGM_SORTED_LOWER_BOUND(items, 0, id, 5), 0);
	assert_int_equal(WGM_SORTED_UPPER_BOUND(items, 0, id, 5), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lower_bound_finds_the_first_equal_or_greater),
		cmocka_unit_test(test_upper_bound_skips_equal_ids),
		cmocka_unit_test(test_an_empty_array_has_no_position_but_zero),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
