/*
 * Counter ticks to microseconds (kernel/drivers/tick_scale.h) against the exact
 * quotient, for the counter frequencies of our boards and of common
 * hardware, over years of uptime.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "tick_scale.h"

static const uint32_t freqs[] = { 62500000u, 100000000u, 24000000u, 19200000u, 1000001u,
				  50000000u, 0xffffffffu };

static uint64_t exact(uint64_t ticks, uint32_t hz)
{
	return (uint64_t)((unsigned __int128)ticks * 1000000u / hz);
}

static void test_close_to_exact(void **state)
{
	(void)state;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (unsigned f = 0; f < sizeof(freqs) / sizeof(freqs[0]); f++) {
		struct tick_scale s;
		tick_scale_init(&s, freqs[f]);
		for (unsigned i = 0; i < 200000; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			/* Up to 2^56 ticks: over 22 years at 100 MHz. */
			uint64_t t = i < 1000 ? i : x >> (8 + i % 40);
			uint64_t e = exact(t, freqs[f]), r = tick_scale_us(&s, t);
			assert_true(r <= e && e - r <= 1);
		}
	}
}

static void test_never_backwards(void **state)
{
	(void)state;
	struct tick_scale s;
	tick_scale_init(&s, 62500000u);
	for (uint64_t base = 0; base < (1ull << 52); base = base * 3 + 12345) {
		uint64_t prev = tick_scale_us(&s, base);
		for (uint64_t t = base + 1; t < base + 200; t++) {
			uint64_t r = tick_scale_us(&s, t);
			assert_true(r >= prev);
			prev = r;
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_close_to_exact),
		cmocka_unit_test(test_never_backwards),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
