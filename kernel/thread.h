/*
 * Thread: user registers, scheduling state, a UTCB page, and the task
 * whose address space and capabilities it uses.
 */
#ifndef THREAD_H
#define THREAD_H

#include "kobj.h"
#include "timeout.h"
#include "uapi/syscall.h"

struct task;
struct gate;
struct irq;
struct invocation;

struct wait_queue {
	struct thread *head, *tail;
};

/* Layout known to boot/vectors.S. */
struct user_context {
	uint32_t r[13];
	uint32_t sp, lr, pc, cpsr;
};

struct thread {
	struct kobj obj;
	struct user_context ctx;      /* the entry code stores here */
	struct task *task;            /* NULL until configured */
	struct utcb *utcb;            /* kernel view of the UTCB page */
	uint32_t utcb_va;             /* user view, 0 until configured */
	uint8_t state;                /* enum thread_state */
	uint8_t prio;
	bool queued;                  /* in a ready queue */
	uint8_t slice;                /* ticks left in the time slice */
	struct thread *rq_next, *rq_prev;
	uint8_t wait;                 /* enum wait_kind (uapi), while TS_BLOCKED */
	struct wait_queue *wq;        /* the queue it waits in, if any */
	struct thread *wq_next;
	struct wait_queue senders;    /* threads waiting to send to it */
	struct gate *send_gate;       /* while WAIT_SEND/WAIT_CALL: through which gate */
	struct thread *caller;        /* whom its next reply goes to */
	struct gate *gates;           /* gates bound to it */
	struct thread *callee;        /* while WAIT_REPLY: who will answer */
	struct irq *irqs;             /* IRQ objects attached to it */
	struct gate *pager;           /* gets its page faults, if set */
	struct gate *exc_handler;     /* gets its other exceptions, if set */
	bool fault_pending;           /* blocked in a fault IPC, not a system call */
	uint8_t fault_kind;           /* EXCEPTION_* of the pending fault */
	bool fault_is_page;           /* ... sent to the pager as a page fault */
	uint32_t fault_addr, fault_status;
	struct timeout timeout;
	uint32_t wait_arg;            /* per wait reason (e.g. bytes wanted) */
	uint32_t run_ticks;           /* ticks it was running at the tick */
	char name[8];
	struct thread *all_next;      /* every thread, for the scheduler listing */
};

#define TIME_SLICE_TICKS 10

/* User-settable CPSR bits: flags, GE, endianness, Thumb. Everything else
 * (mode, interrupt masks, IT state) is the kernel's. */
#define CPSR_USER_BITS 0xf80f0220u

int thread_create(struct factory *f, struct kobj **out);
void thread_destroy(struct thread *t);
void thread_init_idle(struct thread *t);
int thread_invoke(struct invocation *inv);
struct thread *thread_first(void);

/* Message word i (< MSG_WORDS_MAX): 0-3 in registers, the rest in the UTCB. */
static inline uint32_t thread_mr(const struct thread *t, unsigned i)
{
	return i < MSG_REG_WORDS ? t->ctx.r[2 + i] : t->utcb->mr[i];
}

static inline void thread_set_mr(struct thread *t, unsigned i, uint32_t v)
{
	if (i < MSG_REG_WORDS)
		t->ctx.r[2 + i] = v;
	else
		t->utcb->mr[i] = v;
}

/* Block the thread until thread_wake, an abort or the timeout (TIMEOUT_POLL
 * must be handled by the caller). */
void thread_block(struct thread *t, unsigned why, struct wait_queue *wq, uint32_t timeout_us);
/* End a block: the thread's system call returns status. */
void thread_wake(struct thread *t, int status);
/* End a block without making the thread runnable (IPC moves it on). */
void thread_unblock(struct thread *t);
struct thread *wait_queue_first(struct wait_queue *wq);

void thread_fault(struct thread *t);   /* stop it for good */
/* End t's wait (if it waits) as THREAD_ABORT_IPC does. */
void thread_abort(struct thread *t);
/* The task is being destroyed: its threads stop and leave it. */
void threads_leave_task(struct task *task);
/* The gate is being destroyed: no thread may wait on it or use it. */
void threads_forget_gate(struct gate *g);
/* Registers r0-r12, sp, lr, pc, cpsr from message words 0-16 of from (which
 * sent at least that many); the CPSR keeps only what user mode may set. */
void thread_load_regs(struct thread *t, const struct thread *from);
void timeouts_expire(uint64_t now_us);

#endif
