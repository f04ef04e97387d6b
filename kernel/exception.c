/*
 * Exceptions raised by user threads. No exception handlers exist yet, so a
 * faulting thread is stopped with a diagnostic; the rest of the system,
 * the kernel included, carries on.
 */
#include "sched.h"
#include "task.h"
#include "cpu.h"
#include "exception.h"
#include "gate.h"
#include "ipc.h"

_Static_assert(EXC_UNDEFINED == EXCEPTION_UNDEFINED && EXC_DATA_ABORT == EXCEPTION_DATA_ABORT &&
	       EXC_PREFETCH_ABORT == EXCEPTION_PREFETCH_ABORT, "exception kinds differ from the ABI");

static const char *const exc_names[] = {
	[EXC_UNDEFINED] = "undefined instruction",
	[EXC_PREFETCH_ABORT] = "prefetch abort",
	[EXC_DATA_ABORT] = "data abort",
};

#define FSR_WNR (1u << 11)   /* DFSR: the access was a write */

/* Translation and permission faults (short-descriptor FSR encodings) are
 * for the pager; anything else (alignment, external aborts) is an exception. */
static bool is_page_fault(uint32_t fsr)
{
	uint32_t fs = (fsr & 0xf) | ((fsr >> 6) & 0x10);
	return fs == 0x5 || fs == 0x7 || fs == 0xd || fs == 0xf;
}

/* Hand the fault to the pager or exception handler; false if there is none. */
static bool send_fault(struct thread *t, uint32_t type, uint32_t addr, uint32_t status)
{
	bool page = (type == EXC_DATA_ABORT || type == EXC_PREFETCH_ABORT) && is_page_fault(status);
	bool to_pager = page && t->pager && t->pager->server;
	struct gate *g = to_pager ? t->pager : t->exc_handler;
	if (!g || !g->server)
		return false;
	t->fault_is_page = to_pager;
	t->fault_kind = (uint8_t)type;
	t->fault_addr = addr;
	if (t->fault_is_page)
		t->fault_status = type == EXC_PREFETCH_ABORT ? MAP_X : (status & FSR_WNR) ? MAP_W : MAP_R;
	else
		t->fault_status = status;
	ipc_fault(t, g);
	return true;
}

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
	/* The first write to a dirty-tracked page: resolved here, no IPC. */
	if (type == EXC_DATA_ABORT && (status & FSR_WNR) && is_page_fault(status) &&
	    vspace_dirty_fault(&t->task->vs, addr))
		return;
	if (send_fault(t, type, addr, status))
		return;
	kprintf("kernel: thread %u '%.8s' (task %u) stopped: %s at pc %08x, address %08x, status %03x\n",
		(unsigned)t->obj.id, t->name, t->task ? (unsigned)t->task->obj.id : 0,
		type < ARRAY_SIZE(exc_names) && exc_names[type] ? exc_names[type] : "exception",
		(unsigned)t->ctx.pc, (unsigned)addr, (unsigned)status);
	thread_fault(t);
}
