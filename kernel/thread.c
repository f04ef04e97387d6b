#include "thread.h"
#include "task.h"
#include "factory.h"
#include "invoke.h"
#include "sched.h"
#include "memlayout.h"
#include "cpu.h"
#include "timer.h"
#include "cspace.h"
#include "gate.h"
#include "irq.h"

static struct thread *all_threads;
static struct timeout_list timeouts;

static void list_add(struct thread *t)
{
	t->all_next = all_threads;
	all_threads = t;
}

static void list_del(struct thread *t)
{
	for (struct thread **p = &all_threads; *p; p = &(*p)->all_next)
		if (*p == t) {
			*p = t->all_next;
			return;
		}
}

struct thread *thread_first(void)
{
	return all_threads;
}

void thread_init_idle(struct thread *t)
{
	kobj_init(&t->obj, KOBJ_THREAD, NULL);
	t->state = TS_IDLE;
	t->prio = 0;
	memcpy(t->name, "idle", 5);
	list_add(t);
}

int thread_create(struct factory *f, struct kobj **out)
{
	struct thread *t = factory_alloc(f, sizeof(*t));
	if (!t)
		return E_NO_MEMORY;
	t->utcb = factory_alloc(f, PAGE_SIZE);
	if (!t->utcb) {
		factory_free(f, t, sizeof(*t));
		return E_NO_MEMORY;
	}
	kobj_init(&t->obj, KOBJ_THREAD, f);
	t->state = TS_INACTIVE;
	t->ctx.cpsr = MODE_USR;
	list_add(t);
	*out = &t->obj;
	return E_OK;
}

/* ---- blocking and waking ---------------------------------------------- */

static void wq_remove(struct thread *t)
{
	struct wait_queue *wq = t->wq;
	struct thread *prev = NULL;
	for (struct thread *c = wq->head; c; prev = c, c = c->wq_next) {
		if (c != t)
			continue;
		if (prev)
			prev->wq_next = c->wq_next;
		else
			wq->head = c->wq_next;
		if (wq->tail == c)
			wq->tail = prev;
		break;
	}
	t->wq = NULL;
	t->wq_next = NULL;
}

void thread_block(struct thread *t, unsigned why, struct wait_queue *wq, uint32_t timeout_us)
{
	sched_remove(t);
	t->state = TS_BLOCKED;
	t->wait = (uint8_t)why;
	if (wq) {
		t->wq = wq;
		t->wq_next = NULL;
		if (wq->tail)
			wq->tail->wq_next = t;
		else
			wq->head = t;
		wq->tail = t;
	}
	if (timeout_us != TIMEOUT_NEVER)
		timeout_arm(&timeouts, &t->timeout, timer_now_us() + timeout_us);
}

void thread_unblock(struct thread *t)
{
	if (t->wq)
		wq_remove(t);
	/* A caller that gave up waiting for its reply: the server's reply
	 * must not reach it any more. */
	if (t->wait == WAIT_REPLY && t->callee && t->callee->caller == t)
		t->callee->caller = NULL;
	t->callee = NULL;
	t->send_gate = NULL;
	t->wait = WAIT_NONE;
	timeout_cancel(&timeouts, &t->timeout);
}

void thread_wake(struct thread *t, int status)
{
	thread_unblock(t);
	t->ctx.r[0] = (uint32_t)status;
	sched_ready(t);
}

struct thread *wait_queue_first(struct wait_queue *wq)
{
	return wq->head;
}

void timeouts_expire(uint64_t now_us)
{
	struct timeout *to;
	while ((to = timeout_next_expired(&timeouts, now_us)) != NULL) {
		struct thread *t = (struct thread *)((char *)to - offsetof(struct thread, timeout));
		thread_unblock(t);
		t->ctx.r[0] = E_TIMEOUT;
		t->ctx.r[1] = 0;
		sched_ready(t);
	}
}

/* Stop a thread for good; what remains is visible to introspection. */
void thread_fault(struct thread *t)
{
	if (t->state == TS_BLOCKED)
		thread_unblock(t);
	sched_remove(t);
	t->state = TS_FAULTED;
}

/* End t's wait, if it waits: a thread stopped while it waits for its
 * fault handler was not in a system call, so it gets no status (its
 * registers stay as they were) and stays stopped; any other learns from
 * its call's status that it was aborted. */
void thread_abort(struct thread *t)
{
	if (t->state != TS_BLOCKED)
		return;
	if (t->fault_pending) {
		thread_unblock(t);
		t->fault_pending = false;
		t->state = TS_FAULTED;
	} else {
		thread_wake(t, E_ABORTED);
	}
}

/* t will never answer: the threads queued to send to it and the caller
 * waiting for its reply are told so. */
static void abort_waiters(struct thread *t)
{
	struct thread *s, *c = t->caller;
	while ((s = wait_queue_first(&t->senders)) != NULL)
		thread_abort(s);
	t->caller = NULL;
	if (c && c->state == TS_BLOCKED && c->wait == WAIT_REPLY && c->callee == t)
		thread_abort(c);
}

/* Take t out of its task for good: it stops, whoever waits on it is told,
 * and its UTCB leaves the address space. t may then be configured again. */
static void thread_leave_task(struct thread *t)
{
	if (t->state == TS_BLOCKED)
		thread_unblock(t);
	t->fault_pending = false;
	abort_waiters(t);
	if (t->task) {
		/* Still there: a task can neither unmap a UTCB (MAP_KERNEL) nor
		 * map anything over it. */
		vspace_unmap_page(&t->task->vs, t->utcb_va);
		t->task->threads--;
		t->task = NULL;
		t->utcb_va = 0;
	}
	t->state = TS_INACTIVE;
	sched_forget_thread(t);
}

void threads_leave_task(struct task *task)
{
	for (struct thread *t = all_threads; t; t = t->all_next)
		if (t->task == task)
			thread_leave_task(t);
}

void thread_destroy(struct thread *t)
{
	struct factory *f = t->obj.factory;
	thread_leave_task(t);
	gates_unbind_all(t);
	irqs_detach_all(t);
	list_del(t);
	factory_free(f, t->utcb, PAGE_SIZE);
	factory_free(f, t, sizeof(*t));
}

/* A gate is going: nobody may be waiting to send through it or use it as
 * a pager or exception handler any more. */
void threads_forget_gate(struct gate *g)
{
	for (struct thread *t = all_threads; t; t = t->all_next) {
		if (t->state == TS_BLOCKED && (t->wait == WAIT_SEND || t->wait == WAIT_CALL) &&
		    t->send_gate == g)
			thread_abort(t);
		if (t->pager == g)
			t->pager = NULL;
		if (t->exc_handler == g)
			t->exc_handler = NULL;
	}
}

/* ---- operations ------------------------------------------------------- */

/* Not running, ready or waiting: its saved registers are its own to change. */
static bool is_stopped(const struct thread *t)
{
	return t->state == TS_INACTIVE || t->state == TS_SUSPENDED || t->state == TS_FAULTED;
}

void thread_load_regs(struct thread *t, const struct thread *from)
{
	uint32_t *regs = (uint32_t *)&t->ctx;
	for (unsigned i = 0; i < THREAD_REGS_WORDS - 1; i++)
		regs[i] = thread_mr(from, i);
	t->ctx.cpsr = (thread_mr(from, THREAD_REGS_WORDS - 1) & CPSR_USER_BITS) | MODE_USR;
}

static int thread_configure(struct invocation *inv, struct thread *t)
{
	INV_NEED(inv, 3);
	struct cap *c;
	uint32_t utcb_va = inv_word(inv, 1), prio = inv_word(inv, 2);

	if (t->task)
		return E_INVALID_STATE;
	int err = cspace_lookup(inv->caller->task, inv_word(inv, 0), KOBJ_TASK, RIGHT_WRITE, &c);
	if (err)
		return err;
	/* A thread cannot hand out more priority than it has itself. */
	if (prio > inv->caller->prio)
		return E_INVALID_ARG;
	struct task *task = (struct task *)c->obj;
	/* MAP_KERNEL: the frame is the thread's; it is never passed on. */
	err = vspace_map_page(&task->vs, task->obj.factory, utcb_va, virt_to_phys(t->utcb),
			      MAP_R | MAP_W | MAP_KERNEL);
	if (err)
		return err;
	t->task = task;
	t->utcb_va = utcb_va;
	t->prio = (uint8_t)prio;
	task->threads++;
	return E_OK;
}

static int thread_set_regs(struct invocation *inv, struct thread *t)
{
	INV_NEED(inv, 3);
	if (!is_stopped(t))
		return E_INVALID_STATE;
	t->ctx.pc = inv_word(inv, 0);
	t->ctx.sp = inv_word(inv, 1);
	t->ctx.r[0] = inv_word(inv, 2);
	t->ctx.cpsr = MODE_USR;   /* whatever it was: user mode, ARM state */
	return E_OK;
}

static int thread_resume(struct thread *t)
{
	if (!t->task)
		return E_INVALID_STATE;
	if (!is_stopped(t))
		return E_INVALID_STATE;
	sched_ready(t);
	return E_OK;
}

static int thread_abort_ipc(struct thread *t)
{
	if (t->state != TS_BLOCKED)
		return E_INVALID_STATE;
	thread_abort(t);
	return E_OK;
}

static int set_handler(struct invocation *inv, uint32_t sel, struct gate **out)
{
	struct cap *c;
	if (sel == SEL_NULL) {
		*out = NULL;
		return E_OK;
	}
	int err = cspace_lookup(inv->caller->task, sel, KOBJ_GATE, RIGHT_WRITE, &c);
	if (!err)
		*out = (struct gate *)c->obj;
	return err;
}

static int thread_set_handlers(struct invocation *inv, struct thread *t)
{
	INV_NEED(inv, 2);
	struct gate *pager, *exc;
	int err = set_handler(inv, inv_word(inv, 0), &pager);
	if (!err)
		err = set_handler(inv, inv_word(inv, 1), &exc);
	if (err)
		return err;
	t->pager = pager;
	t->exc_handler = exc;
	return E_OK;
}

static int thread_read_regs(struct invocation *inv, struct thread *t)
{
	if (t == inv->caller)
		return E_INVALID_STATE;   /* its registers are live, not saved */
	const uint32_t *regs = (const uint32_t *)&t->ctx;
	for (unsigned i = 0; i < THREAD_REGS_WORDS; i++)
		inv_reply(inv, i, regs[i]);
	return E_OK;
}

static int thread_write_regs(struct invocation *inv, struct thread *t)
{
	INV_NEED(inv, THREAD_REGS_WORDS);
	if (!is_stopped(t))
		return E_INVALID_STATE;
	thread_load_regs(t, inv->caller);
	return E_OK;
}

/* A blocked thread's registers are still those of its system call's
 * entry (no blocking path changes them before the wait ends), so moving
 * its pc back to the `svc` makes it issue the same call again. */
static void restart_syscall(struct thread *t)
{
	t->ctx.pc -= (t->ctx.cpsr & PSR_T) ? 2 : 4;
}

static int thread_suspend(struct invocation *inv, struct thread *t)
{
	uint32_t flags = inv_word(inv, 0);
	if (flags & ~SUSPEND_RESTART)
		return E_INVALID_ARG;
	switch (t->state) {
	case TS_BLOCKED:
		/* Its wait ends: once resumed, the call it was in fails or
		 * starts again (a fault is simply taken again). */
		thread_unblock(t);
		if (t->fault_pending)
			t->fault_pending = false;
		else if (flags & SUSPEND_RESTART)
			restart_syscall(t);
		else
			t->ctx.r[0] = E_ABORTED;
		break;
	case TS_READY:
	case TS_RUNNING:
		sched_remove(t);
		break;
	default:
		return E_INVALID_STATE;
	}
	t->state = TS_SUSPENDED;
	return E_OK;
}

/* Words [first, first + count) of a UTCB, count within one message. */
static bool utcb_range_ok(uint32_t first, uint32_t count)
{
	return count >= 1 && count <= UTCB_XFER_MAX && first <= UTCB_WORDS - count;
}

static int thread_utcb_read(struct invocation *inv, struct thread *t)
{
	INV_NEED(inv, 2);
	uint32_t first = inv_word(inv, 0), count = inv_word(inv, 1);
	if (!utcb_range_ok(first, count))
		return E_INVALID_ARG;
	if (t == inv->caller)
		return E_INVALID_STATE;   /* the reply would overwrite what it reads */
	const uint32_t *w = (const uint32_t *)t->utcb + first;
	for (uint32_t i = 0; i < count; i++)
		inv_reply(inv, i, w[i]);
	return E_OK;
}

static int thread_utcb_write(struct invocation *inv, struct thread *t)
{
	INV_NEED(inv, 2);
	uint32_t first = inv_word(inv, 0), count = inv_word(inv, 1);
	if (!utcb_range_ok(first, count))
		return E_INVALID_ARG;
	INV_NEED(inv, 2 + count);
	if (!is_stopped(t))
		return E_INVALID_STATE;   /* a running thread's UTCB is its own */
	uint32_t *w = (uint32_t *)t->utcb + first;
	for (uint32_t i = 0; i < count; i++)
		w[i] = inv_word(inv, 2 + i);
	return E_OK;
}

static int thread_info(struct invocation *inv, struct thread *t)
{
	bool blocked = t->state == TS_BLOCKED;
	inv_reply(inv, 0, t->obj.id);
	inv_reply(inv, 1, t->task ? t->task->obj.id : 0);
	inv_reply(inv, 2, t->state);
	inv_reply(inv, 3, t->prio);
	inv_reply(inv, 4, blocked ? t->wait : WAIT_NONE);
	inv_reply(inv, 5, blocked && t->fault_pending);
	return E_OK;
}

static int thread_set_priority(struct invocation *inv, struct thread *t)
{
	INV_NEED(inv, 1);
	uint32_t prio = inv_word(inv, 0);
	if (prio > inv->caller->prio)
		return E_INVALID_ARG;
	bool queued = t->queued;
	sched_remove(t);
	t->prio = (uint8_t)prio;
	if (queued)
		sched_ready(t);
	return E_OK;
}

static int thread_set_name(struct invocation *inv, struct thread *t)
{
	INV_NEED(inv, 2);
	uint32_t w[2] = { inv_word(inv, 0), inv_word(inv, 1) };
	for (unsigned i = 0; i < sizeof(t->name); i++) {
		char ch = (char)(w[i / 4] >> (8 * (i % 4)));
		t->name[i] = (ch >= 0x20 && ch < 0x7f) ? ch : 0;
		if (!ch)
			break;
	}
	return E_OK;
}

int thread_invoke(struct invocation *inv)
{
	struct thread *t = (struct thread *)inv->obj;

	if (inv->op == THREAD_READ_REGS || inv->op == THREAD_INFO || inv->op == THREAD_UTCB_READ) {
		if (!(inv->rights & RIGHT_READ))
			return E_NO_RIGHTS;
		if (inv->op == THREAD_READ_REGS)
			return thread_read_regs(inv, t);
		if (inv->op == THREAD_INFO)
			return thread_info(inv, t);
		return thread_utcb_read(inv, t);
	}
	if (!(inv->rights & RIGHT_WRITE))
		return inv->op >= THREAD_CONFIGURE && inv->op <= THREAD_UTCB_WRITE ? E_NO_RIGHTS : E_INVALID_OP;
	switch (inv->op) {
	case THREAD_CONFIGURE:
		return thread_configure(inv, t);
	case THREAD_SET_REGS:
		return thread_set_regs(inv, t);
	case THREAD_RESUME:
		return thread_resume(t);
	case THREAD_SUSPEND:
		return thread_suspend(inv, t);
	case THREAD_SET_PRIORITY:
		return thread_set_priority(inv, t);
	case THREAD_SET_NAME:
		return thread_set_name(inv, t);
	case THREAD_ABORT_IPC:
		return thread_abort_ipc(t);
	case THREAD_WRITE_REGS:
		return thread_write_regs(inv, t);
	case THREAD_SET_HANDLERS:
		return thread_set_handlers(inv, t);
	case THREAD_UTCB_WRITE:
		return thread_utcb_write(inv, t);
	default:
		return E_INVALID_OP;
	}
}
