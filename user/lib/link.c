/*
 * The link session's rings (link.h). Shared with another task, so every
 * counter and length read from the buffer is checked before it is used,
 * and the payload is written before head moves (and read before tail does).
 */
#include "link.h"
#include "string.h"

#define RING_MASK (LINK_RING_DATA - 1u)

static inline void barrier(void)
{
	__sync_synchronize();
}

static inline uint32_t align4(uint32_t n)
{
	return (n + 3u) & ~3u;
}

void link_ring_tx(void *buf, struct link_ring *r)
{
	uint8_t *b = buf;
	r->head = (volatile uint32_t *)(b + 0);
	r->tail = (volatile uint32_t *)(b + 4);
	r->data = b + 4096;
}

void link_ring_rx(void *buf, struct link_ring *r)
{
	uint8_t *b = buf;
	r->head = (volatile uint32_t *)(b + 64);
	r->tail = (volatile uint32_t *)(b + 68);
	r->data = b + 4096 + LINK_RING_DATA;
}

void link_buf_init(void *buf)
{
	memset(buf, 0, 4096);
}

static volatile uint32_t *tx_waiting(void *buf)
{
	return (volatile uint32_t *)((uint8_t *)buf + LINK_TX_WAITING_OFFSET);
}

void link_want_room(void *buf)
{
	barrier();
	*tx_waiting(buf) = 1;
}

bool link_room_wanted(void *buf)
{
	barrier();   /* the consumed tail is out before the word is read */
	if (!*tx_waiting(buf))
		return false;
	*tx_waiting(buf) = 0;
	return true;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

/* Where the next record starts and how much is skipped to get there: a
 * record never wraps, so if it does not fit before the end it starts at
 * offset 0. */
static uint32_t skip_for(uint32_t pos, uint32_t need)
{
	uint32_t to_end = LINK_RING_DATA - (pos & RING_MASK);
	return need > to_end ? to_end : 0;
}

uint32_t link_ring_room(const struct link_ring *r)
{
	uint32_t head = *r->head, used = head - *r->tail;
	if (used > LINK_RING_DATA || head % 4)
		return 0;
	uint32_t free = LINK_RING_DATA - used, to_end = LINK_RING_DATA - (head & RING_MASK);
	/* The larger of: what fits before the end, what fits after wrapping. */
	uint32_t here = to_end < free ? to_end : free;
	uint32_t wrapped = free > to_end ? free - to_end : 0;
	uint32_t best = here > wrapped ? here : wrapped;
	if (best < LINK_REC_HDR)
		return 0;
	best = (best - LINK_REC_HDR) & ~3u;
	return best > LINK_PAYLOAD_MAX ? LINK_PAYLOAD_MAX : best;
}

bool link_ring_put(const struct link_ring *r, uint16_t type, uint32_t peer, uint16_t port,
		   const void *payload, uint32_t len)
{
	if (len > LINK_PAYLOAD_MAX)
		return false;
	uint32_t head = *r->head, used = head - *r->tail;
	if (used > LINK_RING_DATA || head % 4)
		return false;
	uint32_t need = LINK_REC_HDR + align4(len);
	uint32_t skip = skip_for(head, need);
	if (used + skip + need > LINK_RING_DATA)
		return false;
	if (skip >= LINK_REC_HDR) {
		uint8_t *pad = r->data + (head & RING_MASK);
		put16(pad, LINK_REC_PAD);
		put16(pad + 2, 0);
		put32(pad + 4, 0);
		put32(pad + 8, skip - LINK_REC_HDR);
	}
	head += skip;
	uint8_t *p = r->data + (head & RING_MASK);
	put16(p, type);
	put16(p + 2, port);
	put32(p + 4, peer);
	put32(p + 8, len);
	if (len)
		memcpy(p + LINK_REC_HDR, payload, len);
	barrier();
	*r->head = head + need;
	return true;
}

bool link_ring_peek(const struct link_ring *r, struct link_rec *out, bool *broken)
{
	uint32_t tail = *r->tail, skipped = 0;
	*broken = false;
	for (;;) {
		uint32_t avail = *r->head - tail;
		barrier();
		if (avail == 0)
			return false;
		if (avail > LINK_RING_DATA || avail % 4 || tail % 4) {
			*broken = true;
			return false;
		}
		uint32_t to_end = LINK_RING_DATA - (tail & RING_MASK);
		if (to_end < LINK_REC_HDR) {         /* too little left for a header */
			tail += to_end, skipped += to_end;
			continue;
		}
		const uint8_t *p = r->data + (tail & RING_MASK);
		uint32_t len = get32(p + 8), need = LINK_REC_HDR + align4(len);
		if (len > LINK_PAYLOAD_MAX || need > to_end || need > avail) {
			*broken = true;
			return false;
		}
		if (get16(p) == LINK_REC_PAD) {
			tail += need, skipped += need;
			continue;
		}
		out->type = get16(p);
		out->port = get16(p + 2);
		out->peer = get32(p + 4);
		out->len = len;
		out->payload = p + LINK_REC_HDR;
		out->span = skipped + need;
		return true;
	}
}

void link_ring_consume(const struct link_ring *r, const struct link_rec *rec)
{
	barrier();
	*r->tail += rec->span;
}
