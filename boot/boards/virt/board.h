/*
 * Board description: virt. Everything the kernel needs to know about this
 * board is here (memory, devices, interrupt numbers); nothing else in the
 * kernel names a board. Facts from ../shared/qemu-notes.md and QEMU hw/arm.
 */
#ifndef BOARD_H
#define BOARD_H

#define BOARD_NAME            "virt"
#define BOARD_RAM_BASE        0x40000000
#define BOARD_RAM_SIZE        0x08000000   /* 128 MiB: QEMU runs it with -m 128M */

#define BOARD_UART_BASE       0x09000000   /* PL011 UART0 */
#define BOARD_UART_IRQ        33

#define BOARD_GIC_DIST_BASE   0x08000000
#define BOARD_GIC_CPU_BASE    0x08010000

#define BOARD_TIMER_GENERIC   1           /* ARM generic timer (CP15) */
#define BOARD_TIMER_BASE      0   /* 0 when the timer is in CP15 */
#define BOARD_TIMER_IRQ       30          /* non-secure physical timer, PPI 14 */


/* Devices for user-level drivers: name, registers, size, interrupt. The
 * kernel hands them to the root task through the boot info and lets it map
 * them; their interrupts can be bound to IRQ objects. */
#define BOARD_USER_DEVICES \
	{ "pl031", 0x09010000, 0x1000, 34 }   /* PL031 real-time clock (1 Hz, match interrupt) */

#endif
