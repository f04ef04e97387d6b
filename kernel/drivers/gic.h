/* ARM Generic Interrupt Controller v1/v2: distributor and CPU interface. */
#ifndef GIC_H
#define GIC_H

#include <stdint.h>

#define GIC_SPURIOUS 1023u

void gic_init(uintptr_t dist, uintptr_t cpu);
unsigned gic_line_count(void);
void gic_enable(unsigned irq);
void gic_disable(unsigned irq);
uint32_t gic_ack(void);            /* returns IAR; irq number is IAR & 0x3ff */
void gic_eoi(uint32_t iar);

#endif
