/*
 * Entry from QEMU or a boot loader: SVC mode (or any privileged mode), MMU and
 * caches off, running at the physical load address. We park secondary cores,
 * build a boot translation table that maps RAM both where it is and at
 * KERNEL_VBASE, turn on the MMU and caches, and continue at the high address.
 * Everything before the jump must be position independent.
 */
#include "memlayout.h"
#include "cpu.h"

/* Section descriptor: normal memory, write-back write-allocate, shareable,
 * kernel read-write, user no access, global. */
#define SECT_KERNEL 0x1140e

	.section .text.boot, "ax"
	.arm
	.global _start
_start:
	cpsid	aif, #MODE_SVC
	mrc	p15, 0, r0, c0, c0, 5		@ MPIDR: only CPU 0 boots
	ands	r0, r0, #0xff
	bne	park

	ldr	r10, =PHYS_VIRT_OFFSET

	/* Clear .bss at its physical address; the boot table lives there. */
	ldr	r0, =__bss_start
	ldr	r1, =__bss_end
	sub	r0, r0, r10
	sub	r1, r1, r10
	mov	r2, #0
1:	cmp	r0, r1
	strlo	r2, [r0], #4
	blo	1b

	bl	dcache_invalidate_all		@ caches hold garbage after reset

	ldr	r4, =boot_l1_table
	sub	r4, r4, r10			@ physical address of the table
	ldr	r5, =SECT_KERNEL
	ldr	r6, =BOARD_RAM_BASE

	/* Identity map of RAM, so the next instructions survive MMU on. */
	mov	r0, r6, lsr #20
	mov	r1, #(BOARD_RAM_SIZE >> 20)
2:	orr	r2, r5, r0, lsl #20
	str	r2, [r4, r0, lsl #2]
	add	r0, r0, #1
	subs	r1, r1, #1
	bne	2b

	/* RAM again at KERNEL_VBASE. */
	mov	r0, #(KERNEL_VBASE >> 20)
	mov	r3, r6, lsr #20
	mov	r1, #(BOARD_RAM_SIZE >> 20)
3:	orr	r2, r5, r3, lsl #20
	str	r2, [r4, r0, lsl #2]
	add	r0, r0, #1
	add	r3, r3, #1
	subs	r1, r1, #1
	bne	3b

	mrc	p15, 0, r0, c1, c0, 1		@ ACTLR.SMP: take part in coherency
	orr	r0, r0, #(1 << 6)
	mcr	p15, 0, r0, c1, c0, 1

	mov	r0, #0
	mcr	p15, 0, r0, c8, c7, 0		@ TLBIALL
	mcr	p15, 0, r0, c7, c5, 0		@ ICIALLU
	mcr	p15, 0, r0, c7, c5, 6		@ BPIALL
	mcr	p15, 0, r0, c2, c0, 2		@ TTBCR: one table while booting
	mcr	p15, 0, r0, c13, c0, 1		@ CONTEXTIDR: ASID 0 (reserved)
	orr	r0, r4, #0x4a			@ walks: inner/outer WBWA, shareable
	mcr	p15, 0, r0, c2, c0, 0		@ TTBR0
	mcr	p15, 0, r0, c2, c0, 1		@ TTBR1
	mov	r0, #1
	mcr	p15, 0, r0, c3, c0, 0		@ DACR: domain 0 client
	dsb
	isb

	mrc	p15, 0, r0, c1, c0, 0		@ SCTLR
	bic	r0, r0, #(1 << 13)		@ V: vectors through VBAR
	bic	r0, r0, #(1 << 28)		@ TRE: no TEX remap
	bic	r0, r0, #(1 << 29)		@ AFE: full AP[2:0]
	bic	r0, r0, #(1 << 1)		@ A: unaligned ldr/str allowed
	orr	r0, r0, #(1 << 0)		@ M: MMU
	orr	r0, r0, #(1 << 2)		@ C: data cache
	orr	r0, r0, #(1 << 11)		@ Z: branch prediction
	orr	r0, r0, #(1 << 12)		@ I: instruction cache
	mcr	p15, 0, r0, c1, c0, 0
	isb
	ldr	pc, =high_entry

park:	wfe
	b	park

/* Invalidate the L1 data cache by set/way (clobbers r0-r3, r7-r9). */
dcache_invalidate_all:
	mov	r0, #0
	mcr	p15, 2, r0, c0, c0, 0		@ CSSELR: L1 data cache
	isb
	mrc	p15, 1, r0, c0, c0, 0		@ CCSIDR
	and	r1, r0, #7
	add	r1, r1, #4			@ log2(line size)
	ldr	r3, =0x3ff
	and	r3, r3, r0, lsr #3		@ ways - 1
	ldr	r7, =0x7fff
	and	r7, r7, r0, lsr #13		@ sets - 1
	clz	r8, r3				@ way shift
4:	mov	r9, r3
5:	lsl	r2, r9, r8
	orr	r2, r2, r7, lsl r1
	mcr	p15, 0, r2, c7, c6, 2		@ DCISW
	subs	r9, r9, #1
	bge	5b
	subs	r7, r7, #1
	bge	4b
	dsb
	bx	lr

	.text
high_entry:
	ldr	sp, =kernel_stack_top
	ldr	r0, =vector_table
	mcr	p15, 0, r0, c12, c0, 0		@ VBAR
	isb
	bl	kmain
	b	park

	.bss
	.align	14
	.global boot_l1_table
boot_l1_table:
	.space	16384
	.align	3
	.space	KERNEL_STACK_SIZE
	.global kernel_stack_top
kernel_stack_top:
