/*
 * ARM generic timer, non-secure physical instance (CNTP_*), through CP15.
 * The tick is re-armed from the previous deadline (CVAL), not from "now",
 * so interrupt latency does not make the tick drift.
 */
#include "timer.h"
#include "tick_scale.h"

static uint32_t freq;
static uint64_t period, next, start;
static struct tick_scale scale;

static uint64_t cntpct(void)
{
	uint32_t lo, hi;
	__asm__ volatile("isb; mrrc p15, 0, %0, %1, c14" : "=r"(lo), "=r"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static void set_cval(uint64_t v)
{
	__asm__ volatile("mcrr p15, 2, %0, %1, c14" :: "r"((uint32_t)v), "r"((uint32_t)(v >> 32)));
}

static void set_ctl(uint32_t v)
{
	__asm__ volatile("mcr p15, 0, %0, c14, c2, 1; isb" :: "r"(v));
}

void timer_init(unsigned tick_us)
{
	__asm__ volatile("mrc p15, 0, %0, c14, c0, 0" : "=r"(freq));
	if (freq == 0)
		freq = 62500000;   /* QEMU's default when firmware left CNTFRQ unset */
	period = (uint64_t)freq * tick_us / 1000000u;
	tick_scale_init(&scale, freq);
	start = cntpct();
	next = start + period;
	set_cval(next);
	set_ctl(1);   /* enable, interrupt unmasked */
}

void timer_tick_ack(void)
{
	uint64_t now = cntpct();
	/* Skip ticks we missed rather than firing a burst of them. */
	do
		next += period;
	while (next <= now);
	set_cval(next);
}

uint64_t timer_now_us(void)
{
	return tick_scale_us(&scale, cntpct() - start);
}
