/*
 * Virtual memory layout, the same on every board.
 *
 *   0x00000000 - 0x7fffffff  user space, per task (TTBR0, 8 KiB first-level table)
 *   0x80000000 - 0xffffffff  kernel (TTBR1, shared by all tasks)
 *     KERNEL_VBASE           all of RAM, linearly (kernel image, kernel memory pool)
 *     DEVICE_VBASE           1 MiB windows onto device registers
 *
 * The image is loaded by QEMU (or the flasher) at RAM base + KERNEL_LOAD_OFFSET;
 * virt wants its DTB at RAM base, so the first MiB stays free.
 */
#ifndef MEMLAYOUT_H
#define MEMLAYOUT_H

#include "board.h"

#define KERNEL_VBASE        0xc0000000
#define KERNEL_LOAD_OFFSET  0x00100000
#define DEVICE_VBASE        0xf0000000
#define DEVICE_VTOP         0xffe00000
#define PHYS_VIRT_OFFSET    (KERNEL_VBASE - BOARD_RAM_BASE)

#define KERNEL_STACK_SIZE   8192
#define KMEM_POOL_SIZE      0x01000000   /* 16 MiB of RAM for kernel objects */

#ifndef __ASSEMBLER__
#include <stdint.h>
static inline uintptr_t phys_to_virt(uint32_t pa) { return pa + PHYS_VIRT_OFFSET; }
static inline uint32_t virt_to_phys(const void *va) { return (uint32_t)(uintptr_t)va - PHYS_VIRT_OFFSET; }
#endif

#endif
