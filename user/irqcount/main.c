/*
 * Demo child: an IRQ session on a board timer. It maps the timer's
 * registers (io_mem session), starts it, and counts its interrupts. The
 * device keeps running across a checkpoint and a restore; the restored
 * child's IRQ session is attached again and the count goes on.
 *
 * vexpress: SP804 timer 1 at 20 Hz (prints every 10th interrupt).
 * virt: the PL031 real-time clock's match interrupt, once a second.
 */
#include "session.h"
#include "selalloc.h"
#include "stdio.h"
#include "string.h"

#define IRQ_LABEL 0x1a0u
#define REGS_VA   0x60000000u

static volatile uint32_t *regs;
static bool is_sp804;

/* SP804 timer 1: load, value, control, interrupt clear. */
#define SP804_LOAD 0
#define SP804_CTRL 2
#define SP804_INTCLR 3
#define SP804_EN 0x80u
#define SP804_PERIODIC 0x40u
#define SP804_INTEN 0x20u
#define SP804_32BIT 0x02u
/* PL031: data, match, interrupt mask, interrupt clear. */
#define PL031_DR 0
#define PL031_MR 1
#define PL031_IMSC 4
#define PL031_ICR 7

static void device_start(void)
{
	if (is_sp804) {
		regs[SP804_LOAD] = 1000000u / 20;   /* 1 MHz timer clock */
		regs[SP804_CTRL] = SP804_EN | SP804_PERIODIC | SP804_INTEN | SP804_32BIT;
	} else {
		regs[PL031_MR] = regs[PL031_DR] + 1;
		regs[PL031_IMSC] = 1;
	}
}

/* Quiet the device before the line is acknowledged (it is level-triggered). */
static void device_clear(void)
{
	if (is_sp804) {
		regs[SP804_INTCLR] = 1;
	} else {
		regs[PL031_ICR] = 1;
		regs[PL031_MR] = regs[PL031_DR] + 1;
	}
}

int main(uint32_t arg)
{
	uint32_t io = sel_alloc(), irq = sel_alloc(), sig = sel_alloc(), info[6];
	uint32_t ioargs[2] = { 0, REGS_VA }, irqargs[3] = { 0, IRQ_LABEL, 0 }, irqinfo[2] = { 0, 0 };
	(void)arg;
	int st = session_log_init();
	if (!st)
		st = session_open("io_mem", io, SEL_NULL, ioargs, 2, info, 6);
	if (!st)
		st = session_open("irq", irq, sig, irqargs, 3, irqinfo, 2);
	if (st) {
		printf("irqcount: cannot start: %s\n", k_error_name((unsigned)st));
		return 1;
	}
	char name[13] = { 0 };
	memcpy(name, &info[3], 12);
	is_sp804 = strcmp(name, "sp804") == 0;
	regs = (volatile uint32_t *)REGS_VA;
	unsigned every = is_sp804 ? 10 : 1;
	printf("irqcount: counting interrupts of the %s (interrupt %u)\n", name, (unsigned)irqinfo[1]);
	device_start();
	uint32_t count = 0;
	for (;;) {
		struct k_msg m = { 0 };
		if (k_wait(&m, TIMEOUT_NEVER) != E_OK || MSG_TAG_LABEL(m.tag) != MSG_IRQ ||
		    m.label != IRQ_LABEL)
			continue;
		device_clear();
		k_irq_ack(sig);
		count += m.mr[0];
		if (count % every == 0)
			printf("irqcount: %u interrupts\n", (unsigned)count);
	}
}
