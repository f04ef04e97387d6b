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


/* Devices for user-level drivers: name, registers, size, interrupt, the
 * registers that hold its set-up (bit n: offset 4n; see bootinfo.h). The
 * kernel hands them to the root task through the boot info and lets it map
 * them; their interrupts can be bound to IRQ objects. The index of an entry
 * is the device index of RTCR's io_mem and irq sessions (the pl031 stays
 * first: irqcount uses device 0).
 *
 * PCI (for user/can): QEMU's generic host bridge with no firmware in front
 * of it. Its ECAM space is 16 MiB at 0x3f000000; bus 0 is the first 1 MiB
 * of it, all a driver without bridges needs. I/O ports 0-0xffff appear at
 * 0x3eff0000. INTA-D are SPIs 3-6 (GIC 35-38), rotated by slot (QEMU's
 * create_pcie_irq_map: pin + slot mod 4). They have no registers of their
 * own (size 0): an irq session needs only the interrupt. */
#define BOARD_USER_DEVICES \
	{ "pl031", 0x09010000, 0x1000, 34, 0x12 }, /* PL031 real-time clock (1 Hz, match interrupt); \
	                                            state: match MR, mask IMSC */ \
	{ "pci-ecam", 0x3f000000, 0x100000, 0, 0 }, /* PCI configuration space, bus 0 */ \
	{ "pci-io", 0x3eff0000, 0x10000, 0, 0 },   /* PCI I/O window: port p at 0x3eff0000 + p */ \
	{ "pci-inta", 0, 0, 35, 0 }, \
	{ "pci-intb", 0, 0, 36, 0 }, \
	{ "pci-intc", 0, 0, 37, 0 }, \
	{ "pci-intd", 0, 0, 38, 0 }

#endif
