/*
 * PL011 (ARM DDI 0183). FIFOs stay off: QEMU's model raises the receive
 * interrupt only at the FIFO trigger level and has no receive timeout, so
 * with FIFOs on a single typed character would never interrupt.
 */
#include "pl011.h"

#define UARTDR   0x00
#define UARTFR   0x18
#define UARTLCR  0x2c
#define UARTCR   0x30
#define UARTIMSC 0x38
#define UARTICR  0x44

#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)
#define CR_UARTEN (1u << 0)
#define CR_TXE (1u << 8)
#define CR_RXE (1u << 9)
#define IMSC_RX (1u << 4)
#define IMSC_RT (1u << 6)
#define LCR_8BIT (3u << 5)

static volatile uint32_t *uart;

void pl011_init(uintptr_t base)
{
	uart = (volatile uint32_t *)base;
	uart[UARTCR / 4] = 0;
	uart[UARTLCR / 4] = LCR_8BIT;          /* 8N1, FIFOs off */
	uart[UARTIMSC / 4] = 0;
	uart[UARTICR / 4] = 0x7ff;
	uart[UARTCR / 4] = CR_UARTEN | CR_TXE | CR_RXE;
}

void pl011_putc(char c)
{
	while (uart[UARTFR / 4] & FR_TXFF)
		;
	uart[UARTDR / 4] = (uint8_t)c;
}

int pl011_getc(void)
{
	if (uart[UARTFR / 4] & FR_RXFE)
		return -1;
	return (int)(uart[UARTDR / 4] & 0xff);
}

void pl011_rx_irq_enable(void)
{
	uart[UARTIMSC / 4] = IMSC_RX | IMSC_RT;
}
