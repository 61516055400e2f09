#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/links/link_expiry.h"

/* An accepted link, active since t = 1000 ms, never handshaked, last read
 * at SEEN_MS. */
static struct link accepted(uint64_t seen_ms)
{
	struct link l;

	memset(&l, 0, sizeof(l));
	strcpy(l.rec.name, "pipe2");
	l.rec.remote_id = 2;
	l.rec.role = LINK_ROLE_SERVER;
	l.phase = LINK_PHASE_ACTIVE;
	l.active_since_ms = 1000;
	l.seen_ms = seen_ms;
	return l;
}

static void test_due_once_a_reading_after_the_deadline_shows_no_handshake(void **state)
{
	struct link l = accepted(1000 + 30000);

	assert_true(link_expiry_due(&l, 30));
	/* The last reading came before the deadline: it cannot vouch for the
	 * time after it, so wait for the next one. */
	l.seen_ms = 1000 + 29999;
	assert_false(link_expiry_due(&l, 30));
	/* No reading at all yet. */
	l.seen_ms = 0;
	assert_false(link_expiry_due(&l, 30));
}

static void test_a_link_that_ever_handshaked_is_never_due(void **state)
{
	struct link l = accepted(UINT64_MAX / 2);

	l.rec.handshaked = true;
	assert_false(link_expiry_due(&l, 10));
}

static void test_links_this_node_made_are_never_due(void **state)
{
	struct link l = accepted(UINT64_MAX / 2);

	l.rec.role = LINK_ROLE_CLIENT;
	assert_false(link_expiry_due(&l, 10));
}

static void test_only_active_links_are_due(void **state)
{
	enum link_phase other[] = { LINK_PHASE_CREATING, LINK_PHASE_ADMIN_DOWN, LINK_PHASE_FAILED,
				    LINK_PHASE_REMOVING };

	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		struct link l = accepted(UINT64_MAX / 2);
		l.phase = other[i];
		assert_false(link_expiry_due(&l, 10));
	}
}

static void test_timeout_zero_turns_the_rule_off(void **state)
{
	struct link l = accepted(UINT64_MAX / 2);

	assert_false(link_expiry_due(&l, 0));
}

static void test_the_clock_starts_when_the_link_became_active(void **state)
{
	/* Brought up again at 500 s (a restart): the old run's wait is not
	 * counted, the joiner gets the whole timeout again. */
	struct link l = accepted(500000 + 599000);

	l.active_since_ms = 500000;
	assert_false(link_expiry_due(&l, 600));
	l.seen_ms = 500000 + 600000;
	assert_true(link_expiry_due(&l, 600));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_due_once_a_reading_after_the_deadline_shows_no_handshake),
		cmocka_unit_test(test_a_link_that_ever_handshaked_is_never_due),
		cmocka_unit_test(test_links_this_node_made_are_never_due),
		cmocka_unit_test(test_only_active_links_are_due),
		cmocka_unit_test(test_timeout_zero_turns_the_rule_off),
		cmocka_unit_test(test_the_clock_starts_when_the_link_became_active),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
