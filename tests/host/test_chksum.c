/*
 * The net task's Internet checksum (user/net/chksum.c) against RFC 1071's
 * example and a plain 16-bit reference, for every alignment and length a
 * frame can have.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "chksum.h"

/* lwIP's contract, spelt out: 16-bit loads from an even address, a lone
 * first byte as the high half of its word, and the sum byte-swapped when
 * the data started at an odd address. */
static uint16_t reference(const uint8_t *p, int len)
{
	uint32_t sum = 0;
	int odd = (uintptr_t)p & 1;
	uint16_t t = 0;
	if (odd && len > 0) {
		((uint8_t *)&t)[1] = *p++;
		len--;
	}
	for (; len > 1; len -= 2, p += 2) {
		uint16_t w;
		memcpy(&w, p, 2);
		sum += w;
	}
	if (len > 0)
		((uint8_t *)&t)[0] = *p;
	sum += t;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return odd ? (uint16_t)(sum << 8 | sum >> 8) : (uint16_t)sum;
}

static void test_rfc1071_example(void **state)
{
	(void)state;
	/* RFC 1071 section 3: these bytes sum to ddf2 in network order. */
	static const uint8_t data[8] __attribute__((aligned(4))) = {
		0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	uint16_t s = net_chksum(data, 8);
	uint8_t bytes[2];
	memcpy(bytes, &s, 2);
	assert_int_equal(bytes[0], 0xdd);
	assert_int_equal(bytes[1], 0xf2);
}

static void test_every_alignment_and_length(void **state)
{
	(void)state;
	static uint8_t buf[1600] __attribute__((aligned(8)));
	uint32_t x = 0x12345678;
	for (unsigned i = 0; i < sizeof(buf); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (uint8_t)x;
	}
	for (unsigned off = 0; off < 8; off++)
		for (int len = 0; len <= 1530; len += len < 100 ? 1 : 37)
			assert_int_equal(net_chksum(buf + off, len), reference(buf + off, len));
}

static void test_all_ones_and_carries(void **state)
{
	(void)state;
	/* Sums that carry out of every word: a frame of 0xff bytes. */
	static uint8_t buf[1536] __attribute__((aligned(4)));
	memset(buf, 0xff, sizeof(buf));
	for (unsigned off = 0; off < 4; off++)
		assert_int_equal(net_chksum(buf + off, 1500), reference(buf + off, 1500));
	assert_int_equal(net_chksum(buf, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc1071_example),
		cmocka_unit_test(test_every_alignment_and_length),
		cmocka_unit_test(test_all_ones_and_carries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
