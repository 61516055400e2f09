/* A delay line: holds items (queued packet IDs) until their release time.
 *
 * Each item is held for delay +- jitter (uniform), but never released before an
 * earlier item of the same flow, so a flow keeps its order (as on a real wire)
 * while different flows overtake each other. Flows are told apart by a hash
 * into a fixed table; two flows that share a slot simply share an order.
 * Pure logic: the caller supplies the clock and the random numbers. */
#ifndef WGM_COMMON_DELAY_LINE_H
#define WGM_COMMON_DELAY_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DELAY_LINE_FLOW_SLOTS 1024

struct delay_line_item {
	uint64_t release_us;
	uint64_t seq; /* arrival order, breaks ties between equal release times */
	uint32_t packet_id;
};

struct delay_line {
	uint32_t delay_us;
	uint32_t jitter_us;
	size_t capacity;
	size_t count;
	uint64_t next_seq;
	struct delay_line_item *heap; /* min-heap on (release_us, seq) */
	uint64_t flow_last_release_us[DELAY_LINE_FLOW_SLOTS];
};

/* Allocates room for capacity items. Returns 0 or -ENOMEM / -EINVAL. */
int delay_line_init(struct delay_line *line, uint32_t delay_us, uint32_t jitter_us, size_t capacity);
void delay_line_free(struct delay_line *line);

/* How long one item is held: delay + jitter * (2 * random / 2^32 - 1), at least 0. */
uint64_t delay_line_hold_us(uint32_t delay_us, uint32_t jitter_us, uint32_t random);

/* Schedules packet_id of flow flow_hash, arrived at now_us. Returns 0, or
 * -ENOBUFS when capacity items are already held (the caller drops it). */
int delay_line_push(struct delay_line *line, uint32_t packet_id, uint32_t flow_hash, uint64_t now_us, uint32_t random);

/* The earliest release time; false when nothing is held. */
bool delay_line_next_release(const struct delay_line *line, uint64_t *release_us);

/* Takes the earliest item if it is due at now_us; false otherwise. */
bool delay_line_pop_due(struct delay_line *line, uint64_t now_us, uint32_t *packet_id);

/* Takes the earliest item whatever its time (used to release all on exit). */
bool delay_line_pop(struct delay_line *line, uint32_t *packet_id);

/* A flow hash from the start of an IPv4 or IPv6 packet: addresses, protocol,
 * and ports for TCP/UDP (first fragments only). 0 for what is not IP. */
uint32_t delay_line_flow_hash(const uint8_t *packet, size_t len);

#endif
