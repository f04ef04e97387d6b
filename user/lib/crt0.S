/* Program entry: r0 holds the argument its creator passed (the root task
 * gets the boot-info address). Each program brings its own first stack. */
	.section .text.start, "ax"
	.arm
	.global _start
_start:
	ldr	sp, =__stack_top
	mov	fp, #0
	bl	rt_start
1:	b	1b
