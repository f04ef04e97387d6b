/*
 * user/lib/link: the rings a driver task and RTCR share. Records come out
 * in order and intact across the wrap, a full ring refuses and says how
 * much room there is, and a ring whose counters or headers were scribbled
 * on by the other side is reported broken instead of being read past.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "link.h"

static uint8_t *buf;

static int setup(void **state)
{
	(void)state;
	buf = calloc(LINK_BUF_PAGES, 4096);
	link_buf_init(buf);
	return buf ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(buf);
	return 0;
}

static void fill(uint8_t *p, uint32_t len, uint32_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 31u + i);
}

static void check(const struct link_rec *rec, uint32_t len, uint32_t seed)
{
	assert_int_equal(rec->len, len);
	for (uint32_t i = 0; i < len; i++)
		assert_int_equal(rec->payload[i], (uint8_t)(seed * 31u + i));
}

static void test_in_order_across_wrap(void **state)
{
	(void)state;
	struct link_ring tx, rx;
	link_ring_tx(buf, &tx);
	link_ring_rx(buf, &rx);
	static uint8_t payload[LINK_PAYLOAD_MAX];
	uint32_t put = 0, got = 0;
	/* Odd lengths, so records land at every alignment and some need padding
	 * before the end; 2000 records go round the 64 KiB area many times. */
	while (got < 2000) {
		uint32_t len = (put * 997u) % 3001u;
		fill(payload, len, put);
		while (put < 2000 && link_ring_put(&tx, LINK_REC_DATAGRAM, put, (uint16_t)put,
						   payload, len)) {
			put++;
			len = (put * 997u) % 3001u;
			fill(payload, len, put);
		}
		struct link_rec rec;
		bool broken;
		for (int n = 0; n < 3 && link_ring_peek(&tx, &rec, &broken); n++) {
			assert_int_equal(rec.type, LINK_REC_DATAGRAM);
			assert_int_equal(rec.peer, got);
			assert_int_equal(rec.port, (uint16_t)got);
			check(&rec, (got * 997u) % 3001u, got);
			link_ring_consume(&tx, &rec);
			got++;
		}
		assert_false(broken);
	}
	struct link_rec rec;
	bool broken;
	assert_false(link_ring_peek(&tx, &rec, &broken));
	assert_false(broken);
	/* The other direction was never touched. */
	assert_false(link_ring_peek(&rx, &rec, &broken));
}

static void test_full_ring_refuses(void **state)
{
	(void)state;
	struct link_ring tx;
	link_ring_tx(buf, &tx);
	static uint8_t payload[4000];
	unsigned n = 0;
	while (link_ring_put(&tx, LINK_REC_DATAGRAM, 1, 2, payload, sizeof(payload)))
		n++;
	assert_int_equal(n, LINK_RING_DATA / (LINK_REC_HDR + sizeof(payload)));
	uint32_t room = link_ring_room(&tx);
	assert_true(room < sizeof(payload));
	if (room)
		assert_true(link_ring_put(&tx, LINK_REC_DATAGRAM, 1, 2, payload, room));
	assert_int_equal(link_ring_room(&tx), 0);
	assert_false(link_ring_put(&tx, LINK_REC_DATAGRAM, 1, 2, payload, LINK_PAYLOAD_MAX + 1));
}

static void test_scribbled_counters(void **state)
{
	(void)state;
	struct link_ring rx;
	link_ring_rx(buf, &rx);
	static uint8_t payload[100];
	struct link_rec rec;
	bool broken;
	/* head far ahead of tail */
	*rx.head = LINK_RING_DATA + 8;
	assert_false(link_ring_peek(&rx, &rec, &broken));
	assert_true(broken);
	assert_false(link_ring_put(&rx, LINK_REC_DATAGRAM, 0, 0, payload, 4));
	assert_int_equal(link_ring_room(&rx), 0);
	/* unaligned */
	*rx.head = 2;
	assert_false(link_ring_peek(&rx, &rec, &broken));
	assert_true(broken);
	/* a header whose length runs past what was produced */
	*rx.head = 0;
	*rx.tail = 0;
	assert_true(link_ring_put(&rx, LINK_REC_DATAGRAM, 0, 0, payload, sizeof(payload)));
	rx.data[8] = 0xff;   /* length's low byte */
	rx.data[9] = 0x7f;
	assert_false(link_ring_peek(&rx, &rec, &broken));
	assert_true(broken);
	/* a length beyond any payload */
	rx.data[10] = 0x01;
	assert_false(link_ring_peek(&rx, &rec, &broken));
	assert_true(broken);
}

static void test_room_wanted_once(void **state)
{
	(void)state;
	assert_false(link_room_wanted(buf));
	link_want_room(buf);
	assert_true(link_room_wanted(buf));
	assert_false(link_room_wanted(buf));   /* cleared by the one who saw it */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_in_order_across_wrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_ring_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scribbled_counters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_room_wanted_once, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
