/*
 * Counter ticks to microseconds without a 64-bit division (the clock is
 * read on every system call that times something and on every tick; on
 * ARMv7 a 64-bit division is a library call of a few hundred
 * instructions). us = ticks * 10^6 / hz becomes the high half of
 * ticks * mult, mult = floor(2^64 * 10^6 / hz), worked out once. The
 * result is never ahead of the exact quotient and at most 1 behind it,
 * and it never goes backwards as ticks grow.
 */
#ifndef TICK_SCALE_H
#define TICK_SCALE_H

#include <stdint.h>

struct tick_scale {
	uint64_t mult;
};

/* hz: the counter's frequency, more than 1 MHz (every ARM timer we know). */
static inline void tick_scale_init(struct tick_scale *s, uint32_t hz)
{
	/* Long division of 10^6 * 2^64 by hz, a bit at a time: the
	 * remainder stays below hz, so it fits in 64 bits. */
	uint64_t rem = 0, q = 0;
	const uint64_t num_hi = 1000000u;   /* the numerator's bits above 2^64 */
	for (int bit = 83; bit >= 0; bit--) {
		uint32_t b = bit >= 64 ? (uint32_t)(num_hi >> (bit - 64)) & 1 : 0;
		rem = rem << 1 | b;
		q <<= 1;
		if (rem >= hz) {
			rem -= hz;
			q |= 1;
		}
	}
	s->mult = q;
}

static inline uint64_t tick_scale_us(const struct tick_scale *s, uint64_t ticks)
{
	uint64_t a_lo = (uint32_t)ticks, a_hi = ticks >> 32;
	uint64_t b_lo = (uint32_t)s->mult, b_hi = s->mult >> 32;
	uint64_t lo_lo = a_lo * b_lo, hi_lo = a_hi * b_lo, lo_hi = a_lo * b_hi;
	uint64_t cross = (lo_lo >> 32) + (uint32_t)hi_lo + lo_hi;   /* cannot overflow */
	return a_hi * b_hi + (hi_lo >> 32) + (cross >> 32);
}

#endif
