/*
 * Board description: vexpress-a15. Everything the kernel needs to know about this
 * board is here (memory, devices, interrupt numbers); nothing else in the
 * kernel names a board. Facts from ../shared/qemu-notes.md and QEMU hw/arm.
 */
#ifndef BOARD_H
#define BOARD_H

#define BOARD_NAME            "vexpress-a15"
#define BOARD_RAM_BASE        0x80000000
#define BOARD_RAM_SIZE        0x08000000   /* 128 MiB: QEMU runs it with -m 128M */

#define BOARD_UART_BASE       0x1c090000   /* PL011 UART0 */
#define BOARD_UART_IRQ        37

#define BOARD_GIC_DIST_BASE   0x2c001000
#define BOARD_GIC_CPU_BASE    0x2c002000

#define BOARD_TIMER_GENERIC   1           /* ARM generic timer (CP15) */
#define BOARD_TIMER_BASE      0   /* 0 when the timer is in CP15 */
#define BOARD_TIMER_IRQ       29          /* QEMU runs this CPU without EL3, i.e.
                                             in Secure state: the CP15 physical
                                             timer is the secure one, PPI 13 */


/* Devices for user-level drivers: name, registers, size, interrupt, the
 * registers that hold its set-up (bit n: offset 4n; see bootinfo.h). The
 * kernel hands them to the root task through the boot info and lets it map
 * them; their interrupts can be bound to IRQ objects. */
#define BOARD_USER_DEVICES \
	{ "sp804", 0x1c110000, 0x1000, 34, 0x5 },  /* SP804 dual timer 1 (QEMU: 1 MHz timer clock); \
	                                              state: LOAD, CONTROL */ \
	{ "lan9118", 0x1a000000, 0x1000, 47, 0 } /* LAN9118 Ethernet (QEMU: SPI 15, only with -nic) */

#endif
