/*
 * Test child: a software link between two endpoints of the same RTCR, so a
 * migration can run on any board without network hardware, over a link
 * that misbehaves on purpose. It opens two link sessions of type LINK_LOOP
 * with addresses 14 and 15 and carries each datagram one endpoint sends to
 * the other, except that, chosen by a pseudo-random sequence that is the
 * same every run, it drops one datagram in 7, sends one in 5 twice and
 * flips a byte in one in 11. A migration over it must complete with a
 * correct task or give up cleanly; it must never build a task from damaged
 * data.
 */
#include "session.h"
#include "link.h"
#include "selalloc.h"
#include "stdio.h"
#include "string.h"

#define NODE_A 14u
#define NODE_B 15u
#define BUF_A  0x20000000u
#define BUF_B  (BUF_A + LINK_BUF_PAGES * PAGE_SIZE)

static struct link_client ends[2];
static uint8_t copy[LINK_PAYLOAD_MAX];
static uint32_t seed = 0x2545f491u;

/* xorshift32: deterministic, and not periodic in a way that could line up
 * with the protocol's own rhythm (a window of 32 chunks and an ACK). */
static uint32_t chance(uint32_t one_in)
{
	seed ^= seed << 13;
	seed ^= seed >> 17;
	seed ^= seed << 5;
	return seed % one_in == 0;
}

static bool put(struct link_client *to, uint32_t from_node, const uint8_t *data, uint32_t len)
{
	return link_ring_put(&to->rx, LINK_REC_DATAGRAM, from_node, 0, data, len);
}

/* One record from end i to the other: false if the other's RX is full. */
static bool carry(unsigned i, const struct link_rec *r)
{
	struct link_client *to = &ends[1 - i];
	uint32_t from = i ? NODE_B : NODE_A, dest = i ? NODE_A : NODE_B;
	if (r->type != LINK_REC_DATAGRAM || r->peer != dest)
		return true;   /* nobody there: lost, as on a real bus */
	if (link_ring_room(&to->rx) < r->len + LINK_REC_HDR + r->len)
		return false;  /* room for a copy too */
	if (chance(7))
		return true;
	memcpy(copy, r->payload, r->len);
	if (chance(11) && r->len)
		copy[seed % r->len] ^= 0x5a;
	put(to, from, copy, r->len);
	if (chance(5))
		put(to, from, r->payload, r->len);
	return true;
}

/* Move what end i has queued; returns whether the other end got anything. */
static bool move(unsigned i)
{
	struct link_rec r;
	bool broken, moved = false;
	while (link_ring_peek(&ends[i].tx, &r, &broken)) {
		if (!carry(i, &r))
			break;
		link_ring_consume(&ends[i].tx, &r);
		moved = true;
	}
	return moved;
}

int main(uint32_t arg)
{
	(void)arg;
	int st = session_log_init();
	uint32_t sel[4] = { sel_alloc(), sel_alloc(), sel_alloc(), sel_alloc() };
	if (!st)
		st = link_open(&ends[0], LINK_LOOP, BUF_A, 1, sel[0], sel[1]);
	if (!st)
		st = link_open(&ends[1], LINK_LOOP, BUF_B, 2, sel[2], sel[3]);
	if (!st)
		st = link_up(&ends[0], NODE_A, LINK_PAYLOAD_MAX, NULL);
	if (!st)
		st = link_up(&ends[1], NODE_B, LINK_PAYLOAD_MAX, NULL);
	if (st) {
		printf("test-loop: cannot start: %s\n", k_error_name((unsigned)st));
		return 1;
	}
	printf("test-loop: nodes %u and %u joined; of the datagrams, 1 in 7 lost, 1 in 5 twice, "
	       "1 in 11 damaged\n", NODE_A, NODE_B);
	for (;;) {
		struct k_msg m = { 0 };
		if (k_wait(&m, TIMEOUT_NEVER) != E_OK || MSG_TAG_LABEL(m.tag) != MSG_IRQ)
			continue;
		link_signal_ack(&ends[m.label == 2]);
		/* Until both are empty or the receivers are full; each side is told
		 * of what it got and that its TX has room again. */
		bool a, b;
		do {
			a = move(0);
			b = move(1);
			if (a || b) {
				link_kick(&ends[0]);
				link_kick(&ends[1]);
			}
		} while (a || b);
	}
}
