/*
 * The kernel console on the board's PL011: kernel messages, and a Console
 * object through which user tasks write and read (input is buffered from
 * the receive interrupt and handed to waiting readers).
 */
#ifndef CONSOLE_H
#define CONSOLE_H

#include "kobj.h"

struct invocation;

extern struct kobj console_object;

void console_init(void);
void console_putc(char c);
void console_rx_irq(void);
int console_invoke(struct invocation *inv);

#endif
