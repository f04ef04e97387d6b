/*
 * Exception vectors and the kernel entry/exit paths.
 *
 * While a thread runs in user mode, SP_svc points just past its saved
 * context (struct user_context in its thread object), so entry stores the
 * user registers straight into the thread: srsdb puts the return address
 * and SPSR at the top, stmdb ^ the user-bank r0-r14 below. Then the kernel
 * switches to its own stack. The kernel is not preemptible: interrupts stay
 * masked in kernel mode, except in the idle loop.
 *
 * struct user_context: r0-r12, sp, lr, pc, cpsr (17 words, 68 bytes).
 */
#include "cpu.h"
#include "exception.h"

	.text
	.arm
	.align	5
	.global vector_table
vector_table:
	b	vec_reset
	b	vec_undef
	b	vec_svc
	b	vec_pabt
	b	vec_dabt
	b	vec_unused
	b	vec_irq
	b	vec_fiq

/* Save the interrupted context; Z is set when it came from user mode. */
.macro save_context
	srsdb	sp!, #MODE_SVC
	cps	#MODE_SVC
	stmdb	sp, {r0-r14}^
	ldr	r0, [sp, #4]			@ saved CPSR
	and	r0, r0, #MODE_MASK
	cmp	r0, #MODE_USR
.endm

vec_svc:
	save_context
	bne	kernel_svc
	ldr	sp, =kernel_stack_top
	bl	handle_syscall
	b	kernel_exit

vec_irq:
#ifdef CONFIG_BENCH
	/* Timestamp the vector entry for `make bench` (IRQ-mode SP points at
	 * two scratch words). */
	str	r0, [sp]
	mrc	p15, 0, r0, c9, c13, 0
	str	r0, [sp, #4]
	ldr	r0, [sp]
#endif
	sub	lr, lr, #4
	save_context
	/* From user mode or from the idle loop: either way nothing on the
	 * kernel stack is live, so start it afresh. */
	ldr	sp, =kernel_stack_top
	bl	handle_irq
	b	kernel_exit

vec_undef:
	sub	lr, lr, #4
	save_context
	mov	r0, #EXC_UNDEFINED
	b	exception_common

vec_pabt:
	sub	lr, lr, #4
	save_context
	mov	r0, #EXC_PREFETCH_ABORT
	b	exception_common

vec_dabt:
	sub	lr, lr, #8
	save_context
	mov	r0, #EXC_DATA_ABORT
	b	exception_common

vec_reset:
	mov	r0, #EXC_RESET
	b	kernel_fault_entry
vec_unused:
	mov	r0, #EXC_UNUSED
	b	kernel_fault_entry
vec_fiq:
	mov	r0, #EXC_FIQ
	b	kernel_fault_entry

exception_common:
	bne	kernel_exception
	ldr	sp, =kernel_stack_top
	bl	handle_user_exception
	b	kernel_exit

kernel_svc:
	mov	r0, #EXC_SVC_KERNEL
	/* fall through */
kernel_exception:
	/* A fault in the kernel itself. r0-r12 at the time of the fault are in
	 * the frame below SP (r0 was saved before we used it), PC and CPSR
	 * above it, LR_svc is untouched. */
	sub	r1, sp, #60
	add	r2, sp, #8
	mov	r3, lr
	bic	sp, r1, #7			@ keep the frame: run below it
	bl	kernel_fault
	b	.

kernel_fault_entry:
	/* Vectors that must never be taken: no usable frame. */
	mov	r1, #0
	mov	r2, sp
	mov	r3, lr
	cps	#MODE_SVC
	ldr	sp, =kernel_stack_top
	bl	kernel_fault
	b	.

/* void restore_user(struct user_context *ctx): return to a user thread. */
	.global restore_user
restore_user:
	mov	sp, r0
	ldmia	sp, {r0-r14}^
	add	sp, sp, #60
	rfeia	sp!				@ leaves SP_svc just past the context

/* void idle_loop(void): wait for interrupts on an empty kernel stack. */
	.global idle_loop
idle_loop:
	ldr	sp, =kernel_stack_top
	cpsie	i
1:	wfi
	b	1b

/* Set up banked stack pointers of the other exception modes. */
	.global mode_stacks_init
mode_stacks_init:
	cps	#MODE_IRQ
	ldr	sp, =irq_scratch
	cps	#MODE_ABT
	ldr	sp, =exc_stack_top
	cps	#MODE_UND
	ldr	sp, =exc_stack_top
	cps	#MODE_SVC
	bx	lr

	.bss
	.align	3
	.global irq_scratch
irq_scratch:
	.space	16
	.space	256
exc_stack_top:
