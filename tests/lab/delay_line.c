#include "tests/lab/delay_line.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int delay_line_init(struct delay_line *line, uint32_t delay_us, uint32_t jitter_us, size_t capacity)
{
	if (capacity == 0)
		return -EINVAL;
	memset(line, 0, sizeof(*line));
	line->heap = calloc(capacity, sizeof(*line->heap));
	if (!line->heap)
		return -ENOMEM;
	line->delay_us = delay_us;
	line->jitter_us = jitter_us;
	line->capacity = capacity;
	return 0;
}

void delay_line_free(struct delay_line *line)
{
	free(line->heap);
	line->heap = NULL;
	line->count = 0;
}

uint64_t delay_line_hold_us(uint32_t delay_us, uint32_t jitter_us, uint32_t random)
{
	/* offset in [-jitter, +jitter] */
	int64_t offset = (int64_t)(((uint64_t)random * (2 * (uint64_t)jitter_us + 1)) >> 32) - jitter_us;
	int64_t hold = (int64_t)delay_us + offset;

	return hold < 0 ? 0 : (uint64_t)hold;
}

static bool item_before(const struct delay_line_item *a, const struct delay_line_item *b)
{
	return a->release_us < b->release_us || (a->release_us == b->release_us && a->seq < b->seq);
}

static void heap_swap(struct delay_line_item *heap, size_t i, size_t j)
{
	struct delay_line_item t = heap[i];

	heap[i] = heap[j];
	heap[j] = t;
}

int delay_line_push(struct delay_line *line, uint32_t packet_id, uint32_t flow_hash, uint64_t now_us, uint32_t random)
{
	uint64_t *last = &line->flow_last_release_us[flow_hash % DELAY_LINE_FLOW_SLOTS];
	uint64_t release;
	size_t i;

	if (line->count == line->capacity)
		return -ENOBUFS;
	release = now_us + delay_line_hold_us(line->delay_us, line->jitter_us, random);
	if (release < *last)
		release = *last;
	*last = release;

	i = line->count++;
	line->heap[i] = (struct delay_line_item){ .release_us = release,
						  .seq = line->next_seq++,
						  .packet_id = packet_id };
	while (i > 0 && item_before(&line->heap[i], &line->heap[(i - 1) / 2])) {
		heap_swap(line->heap, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	return 0;
}

bool delay_line_next_release(const struct delay_line *line, uint64_t *release_us)
{
	if (line->count == 0)
		return false;
	*release_us = line->heap[0].release_us;
	return true;
}

bool delay_line_pop(struct delay_line *line, uint32_t *packet_id)
{
	size_t i = 0;

	if (line->count == 0)
		return false;
	*packet_id = line->heap[0].packet_id;
	line->heap[0] = line->heap[--line->count];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, min = i;

		if (l < line->count && item_before(&line->heap[l], &line->heap[min]))
			min = l;
		if (r < line->count && item_before(&line->heap[r], &line->heap[min]))
			min = r;
		if (min == i)
			break;
		heap_swap(line->heap, i, min);
		i = min;
	}
	return true;
}

bool delay_line_pop_due(struct delay_line *line, uint64_t now_us, uint32_t *packet_id)
{
	if (line->count == 0 || line->heap[0].release_us > now_us)
		return false;
	return delay_line_pop(line, packet_id);
}

static uint32_t fnv1a(uint32_t h, const uint8_t *p, size_t n)
{
	while (n--) {
		h ^= *p++;
		h *= 16777619u;
	}
	return h;
}

static bool proto_has_ports(uint8_t proto)
{
	return proto == 6 /* TCP */ || proto == 17 /* UDP */;
}

uint32_t delay_line_flow_hash(const uint8_t *packet, size_t len)
{
	uint32_t h = 2166136261u;

	if (len >= 20 && packet[0] >> 4 == 4) {
		size_t ihl = (size_t)(packet[0] & 0x0f) * 4;
		bool first_fragment = ((packet[6] & 0x1f) | packet[7]) == 0;

		h = fnv1a(h, &packet[9], 1);  /* protocol */
		h = fnv1a(h, &packet[12], 8); /* source, destination */
		if (ihl >= 20 && first_fragment && proto_has_ports(packet[9]) && len >= ihl + 4)
			h = fnv1a(h, &packet[ihl], 4);
		return h;
	}
	if (len >= 40 && packet[0] >> 4 == 6) {
		h = fnv1a(h, &packet[6], 1);  /* next header */
		h = fnv1a(h, &packet[8], 32); /* source, destination */
		if (proto_has_ports(packet[6]) && len >= 44)
			h = fnv1a(h, &packet[40], 4);
		return h;
	}
	return 0;
}
