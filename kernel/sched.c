#include "sched.h"
#include "task.h"
#include "mmu.h"
#include "cpu.h"

struct thread *current;
struct thread idle_thread;

static struct thread *rq_head[PRIO_MAX + 1], *rq_tail[PRIO_MAX + 1];
static uint32_t rq_bitmap[(PRIO_MAX + 1) / 32];
static uint32_t rq_summary;        /* bit i: rq_bitmap[i] != 0 */
static bool yield_pending;         /* current gives way to its equals */
static struct task *space_loaded;  /* whose table is in TTBR0 */
static struct thread *thread_loaded; /* whose UTCB is in TPIDRURO */

void restore_user(struct user_context *ctx) NORETURN;
void idle_loop(void) NORETURN;

static void rq_mark(unsigned p)
{
	rq_bitmap[p / 32] |= 1u << (p % 32);
	rq_summary |= 1u << (p / 32);
}

static void rq_push(struct thread *t, bool at_head)
{
	unsigned p = t->prio;
	t->queued = true;
	if (!rq_head[p]) {
		t->rq_next = t->rq_prev = NULL;
		rq_head[p] = rq_tail[p] = t;
	} else if (at_head) {
		t->rq_prev = NULL;
		t->rq_next = rq_head[p];
		rq_head[p]->rq_prev = t;
		rq_head[p] = t;
	} else {
		t->rq_next = NULL;
		t->rq_prev = rq_tail[p];
		rq_tail[p]->rq_next = t;
		rq_tail[p] = t;
	}
	rq_mark(p);
}

static void rq_remove(struct thread *t)
{
	unsigned p = t->prio;
	if (t->rq_prev)
		t->rq_prev->rq_next = t->rq_next;
	else
		rq_head[p] = t->rq_next;
	if (t->rq_next)
		t->rq_next->rq_prev = t->rq_prev;
	else
		rq_tail[p] = t->rq_prev;
	t->queued = false;
	if (!rq_head[p]) {
		rq_bitmap[p / 32] &= ~(1u << (p % 32));
		if (!rq_bitmap[p / 32])
			rq_summary &= ~(1u << (p / 32));
	}
}

static struct thread *rq_highest(void)
{
	if (!rq_summary)
		return NULL;
	unsigned w = 31 - (unsigned)__builtin_clz(rq_summary);
	unsigned b = 31 - (unsigned)__builtin_clz(rq_bitmap[w]);
	return rq_head[w * 32 + b];
}

void sched_init(void)
{
	thread_init_idle(&idle_thread);
	current = &idle_thread;
}

void sched_ready(struct thread *t)
{
	t->state = TS_READY;
	if (!t->slice)
		t->slice = TIME_SLICE_TICKS;
	rq_push(t, false);
}

bool sched_may_run(const struct thread *t)
{
	const struct thread *best = rq_highest();
	return !best || best->prio <= t->prio;
}

void sched_switch_to(struct thread *t)
{
	if (!sched_may_run(t)) {
		sched_ready(t);
		return;
	}
	if (current->state == TS_RUNNING) {
		current->state = TS_READY;
		rq_push(current, true);   /* preempted: keeps its place */
	}
	if (!t->slice)
		t->slice = TIME_SLICE_TICKS;
	t->state = TS_RUNNING;
	current = t;
}

void sched_remove(struct thread *t)
{
	if (t->queued)
		rq_remove(t);
}

void sched_requeue(struct thread *t)
{
	if (t->queued) {
		rq_remove(t);
		rq_push(t, false);
	}
}

void sched_yield(void)
{
	yield_pending = true;
	current->slice = TIME_SLICE_TICKS;
}

void sched_tick(void)
{
	struct thread *t = current;
	t->run_ticks++;
	if (t != &idle_thread && t->state == TS_RUNNING && --t->slice == 0) {
		t->slice = TIME_SLICE_TICKS;
		yield_pending = true;
	}
}

void schedule(void)
{
	struct thread *cur = current, *best = rq_highest();

	if (cur->state == TS_RUNNING) {
		if (!best || best->prio < cur->prio ||
		    (best->prio == cur->prio && !yield_pending)) {
			yield_pending = false;
			return;
		}
		/* A preempted thread keeps its place; one that used up its
		 * slice or yielded goes behind its equals. */
		cur->state = TS_READY;
		rq_push(cur, !yield_pending);
		best = rq_highest();
	}
	yield_pending = false;
	if (best) {
		rq_remove(best);
		best->state = TS_RUNNING;
		current = best;
	} else {
		current = &idle_thread;
	}
}

#ifdef CONFIG_BENCH_IDLE
/* The cycle counter (instructions under QEMU icount) kept to 64 bits, and
 * how much of it went to the idle thread: from each exit to idle to the
 * next exit to another thread, so the interrupts that woke it count as
 * idle too. Busy time is then the difference, and it does not depend on
 * how long the machine waited (QEMU's icount clock jumps ahead while it is
 * idle). Counted at those switches, at every tick (so the 32-bit counter
 * cannot wrap unseen) and when read, not on every kernel exit. */
static uint32_t bench_last;
static bool bench_in_idle;
uint64_t bench_cycles, bench_idle;

void bench_account(void)
{
	uint32_t now = read_pmccntr(), delta = now - bench_last;
	bench_last = now;
	bench_cycles += delta;
	if (bench_in_idle)
		bench_idle += delta;
}
#endif

void kernel_exit(void)
{
	kobj_reap();   /* the objects the last operation let go of */
	schedule();
#ifdef CONFIG_BENCH_IDLE
	if ((current == &idle_thread) != bench_in_idle) {
		bench_account();
		bench_in_idle = !bench_in_idle;
	}
#endif
	if (current == &idle_thread)
		idle_loop();
	return_to_user(current);
}

void return_to_user(struct thread *t)
{
	if (t != thread_loaded) {
		/* User space finds its UTCB through TPIDRURO. */
		CP15_WRITE(c13, 0, c0, 3, t->utcb_va);
		thread_loaded = t;
	}
	if (t->task != space_loaded) {
		mmu_switch_user(vspace_l1_phys(&t->task->vs), t->task->vs.asid);
		space_loaded = t->task;
	}
	restore_user(&t->ctx);
}

void sched_forget_thread(struct thread *t)
{
	sched_remove(t);
	if (current == t)
		current = &idle_thread;   /* not running: schedule() picks anew */
	if (thread_loaded == t)
		thread_loaded = NULL;
}

void sched_forget_task(struct task *task)
{
	if (space_loaded == task)
		space_loaded = NULL;
	thread_loaded = NULL;
}
