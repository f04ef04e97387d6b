/* ARM PL011 UART: polled output, interrupt-driven input. */
#ifndef PL011_H
#define PL011_H

#include <stdint.h>

void pl011_init(uintptr_t base);
void pl011_putc(char c);
int pl011_getc(void);          /* -1 when the receiver is empty */
void pl011_rx_irq_enable(void);

#endif
