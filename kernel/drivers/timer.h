/*
 * The board's tick timer and clock. One implementation per timer kind
 * (board.mk picks it): the Cortex-A9 private/global timers or the ARM
 * generic timer.
 */
#ifndef TIMER_H
#define TIMER_H

#include <stdint.h>

void timer_init(unsigned tick_us);   /* periodic interrupt every tick_us */
void timer_tick_ack(void);           /* in the tick interrupt: clear, re-arm */
uint64_t timer_now_us(void);         /* monotonic, since timer_init */

#endif
