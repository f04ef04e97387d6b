/*
 * Fixed-priority preemptive scheduling, round robin among equal priorities.
 * The running thread is not in a ready queue; the idle thread runs when
 * every queue is empty.
 */
#ifndef SCHED_H
#define SCHED_H

#include "thread.h"

struct task;

extern struct thread *current;
extern struct thread idle_thread;

void sched_init(void);
void sched_ready(struct thread *t);     /* t becomes runnable */
void sched_remove(struct thread *t);    /* t stops being runnable */
void sched_requeue(struct thread *t);   /* after a priority change */
void sched_yield(void);
void sched_tick(void);
void schedule(void);                    /* pick who runs on kernel exit */
void NORETURN kernel_exit(void);
void NORETURN return_to_user(struct thread *t);   /* t is current */
/* No ready thread has a higher priority than t. */
bool sched_may_run(const struct thread *t);
/* Run t (now ready) at once if sched_may_run(t); the running thread, if
 * any, keeps its place at the head of its queue. IPC uses this so the
 * receiver of a message runs next, as on the fast path. */
void sched_switch_to(struct thread *t);
/* t stops for good (it leaves its task or is destroyed): if it was the
 * running thread the scheduler picks another, and nothing stays loaded
 * on its behalf. */
void sched_forget_thread(struct thread *t);
/* The task is destroyed: its table must not stay loaded. */
void sched_forget_task(struct task *task);

#ifdef CONFIG_BENCH_IDLE
/* Benchmark kernels that count busy time (the migration benchmark's; the
 * others leave kernel exits as they are): the cycle counter since boot
 * (64 bits) and its idle share, brought up to date by bench_account
 * (SCHED_BENCH reports them). */
extern uint64_t bench_cycles, bench_idle;
void bench_account(void);
#endif

#endif
