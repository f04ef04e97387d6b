/*
 * The kernel's last words: a fault in kernel mode (a kernel bug, never the
 * result of anything a user task did) or a failed invariant.
 */
#include "kernel.h"
#include "cpu.h"
#include "exception.h"
#include <stdarg.h>
#include "fmt.h"

extern bool platform_halting;

static const char *const kind[] = {
	[EXC_RESET] = "reset", [EXC_UNDEFINED] = "undefined instruction",
	[EXC_SVC_KERNEL] = "SVC in kernel mode", [EXC_PREFETCH_ABORT] = "prefetch abort",
	[EXC_DATA_ABORT] = "data abort", [EXC_UNUSED] = "unused vector",
	[EXC_IRQ] = "IRQ", [EXC_FIQ] = "FIQ",
};

static const char *mode_name(uint32_t cpsr)
{
	switch (cpsr & MODE_MASK) {
	case MODE_USR: return "USR";
	case MODE_FIQ: return "FIQ";
	case MODE_IRQ: return "IRQ";
	case MODE_SVC: return "SVC";
	case MODE_ABT: return "ABT";
	case MODE_UND: return "UND";
	case MODE_SYS: return "SYS";
	default: return "?";
	}
}

void kernel_halt(void)
{
	__asm__ volatile("cpsid aif");
	for (;;)
		wfi();
}

/* frame: r0-r12, (user sp, lr), pc, cpsr as stored by the vector code;
 * NULL for vectors that never save one. */
void NORETURN kernel_fault(uint32_t type, uint32_t *frame, uint32_t sp, uint32_t lr)
{
	if (type == EXC_SVC_KERNEL && platform_halting)
		kernel_halt();   /* shutdown without semihosting: just stop */
	kprintf("\n*** KERNEL FAULT: %s", type < ARRAY_SIZE(kind) ? kind[type] : "?");
	if (!frame) {
		kprintf(" (no frame) lr %08x sp %08x\n", (unsigned)lr, (unsigned)sp);
		kernel_halt();
	}
	uint32_t pc = frame[15], cpsr = frame[16];
	kprintf(" in %s mode\n", mode_name(cpsr));
	kprintf("  pc %08x  lr %08x  sp %08x  cpsr %08x\n", (unsigned)pc, (unsigned)lr,
		(unsigned)sp, (unsigned)cpsr);
	if (type == EXC_DATA_ABORT)
		kprintf("  fault address %08x  status %03x (DFAR/DFSR)\n", (unsigned)read_dfar(),
			(unsigned)read_dfsr());
	else if (type == EXC_PREFETCH_ABORT)
		kprintf("  fault address %08x  status %03x (IFAR/IFSR)\n", (unsigned)read_ifar(),
			(unsigned)read_ifsr());
	for (unsigned i = 0; i < 13; i++)
		kprintf("  r%-2u %08x%s", i, (unsigned)frame[i], i % 4 == 3 ? "\n" : "");
	kprintf("\n*** kernel stopped\n");
	kernel_halt();
}

void panic(const char *fmt, ...)
{
	va_list ap;
	kprintf("\n*** KERNEL PANIC: ");
	va_start(ap, fmt);
	char buf[160];
	fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	kprintf("%s\n*** kernel stopped\n", buf);
	kernel_halt();
}
