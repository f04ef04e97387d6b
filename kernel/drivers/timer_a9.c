/*
 * Cortex-A9 MPCore private timer for the tick (auto-reload) and the global
 * timer, a free-running 64-bit counter, for the clock (ARM DDI 0407).
 */
#include "timer.h"
#include "tick_scale.h"
#include "board.h"
#include "mmu.h"

#define PT_LOAD    0x00
#define PT_CONTROL 0x08
#define PT_INTSTAT 0x0c
#define PT_ENABLE  (1u << 0)
#define PT_RELOAD  (1u << 1)
#define PT_IRQ     (1u << 2)

#define GT_COUNT_LO 0x00
#define GT_COUNT_HI 0x04
#define GT_CONTROL  0x08

static volatile uint32_t *ptimer, *gtimer;
static uint64_t start;
static struct tick_scale scale;

static uint64_t gtimer_count(void)
{
	uint32_t hi, lo;
	do {
		hi = gtimer[GT_COUNT_HI / 4];
		lo = gtimer[GT_COUNT_LO / 4];
	} while (hi != gtimer[GT_COUNT_HI / 4]);
	return ((uint64_t)hi << 32) | lo;
}

void timer_init(unsigned tick_us)
{
	ptimer = (volatile uint32_t *)mmu_map_device(BOARD_TIMER_BASE);
	gtimer = (volatile uint32_t *)mmu_map_device(BOARD_GLOBAL_TIMER_BASE);

	tick_scale_init(&scale, BOARD_PERIPH_HZ);
	gtimer[GT_CONTROL / 4] = 1;
	start = gtimer_count();

	ptimer[PT_CONTROL / 4] = 0;
	ptimer[PT_INTSTAT / 4] = 1;
	ptimer[PT_LOAD / 4] = (uint32_t)((uint64_t)BOARD_PERIPH_HZ * tick_us / 1000000u) - 1;
	ptimer[PT_CONTROL / 4] = PT_ENABLE | PT_RELOAD | PT_IRQ;
}

void timer_tick_ack(void)
{
	ptimer[PT_INTSTAT / 4] = 1;
}

uint64_t timer_now_us(void)
{
	return tick_scale_us(&scale, gtimer_count() - start);
}
