/*
 * Exceptions raised by user threads. No exception handlers exist yet, so a
 * faulting thread is stopped with a diagnostic; the rest of the system,
 * the kernel included, carries on.
 */
#include "sched.h"
#include "task.h"
#include "cpu.h"
#include "exception.h"

static const char *const exc_names[] = {
	[EXC_UNDEFINED] = "undefined instruction",
	[EXC_PREFETCH_ABORT] = "prefetch abort",
	[EXC_DATA_ABORT] = "data abort",
};

void handle_user_exception(uint32_t type)
{
	struct thread *t = current;
	uint32_t addr = 0, status = 0;

	switch (type) {
	case EXC_DATA_ABORT:
		addr = read_dfar();
		status = read_dfsr();
		break;
	case EXC_PREFETCH_ABORT:
		addr = read_ifar();
		status = read_ifsr();
		break;
	case EXC_UNDEFINED:
		if (t->ctx.cpsr & PSR_T)   /* Thumb: the vector assumed 4 bytes */
			t->ctx.pc += 2;
		addr = t->ctx.pc;
		break;
	default:
		break;
	}
	kprintf("kernel: thread %u '%.8s' (task %u) stopped: %s at pc %08x, address %08x, status %03x\n",
		(unsigned)t->obj.id, t->name, t->task ? (unsigned)t->task->obj.id : 0,
		type < ARRAY_SIZE(exc_names) && exc_names[type] ? exc_names[type] : "exception",
		(unsigned)t->ctx.pc, (unsigned)addr, (unsigned)status);
	thread_fault(t);
}
