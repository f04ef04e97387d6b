/*
 * The Sched object: what a root task needs to see about scheduling (every
 * thread with its state and priority) and the clock.
 */
#include "invoke.h"
#include "sched.h"
#include "task.h"
#include "timer.h"

struct kobj sched_object;

#ifdef CONFIG_BENCH
extern uint32_t irq_scratch[4];
uint32_t bench_irq_entry, bench_irq_handler, bench_irq_seq, bench_last_irq_entry;
#endif

static uint32_t name_word(const struct thread *t, unsigned w)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < 4; i++)
		v |= (uint32_t)(uint8_t)t->name[w * 4 + i] << (8 * i);
	return v;
}

static int thread_info(struct invocation *inv)
{
	INV_NEED(inv, 1);
	uint32_t index = inv_word(inv, 0);
	struct thread *t = thread_first();
	for (uint32_t i = 0; t && i < index; i++)
		t = t->all_next;
	if (!t)
		return E_NOT_FOUND;
	inv_reply(inv, 0, t->obj.id);
	inv_reply(inv, 1, t->task ? t->task->obj.id : 0);
	inv_reply(inv, 2, t->state);
	inv_reply(inv, 3, t->prio);
	inv_reply(inv, 4, t->run_ticks);
	inv_reply(inv, 5, name_word(t, 0));
	inv_reply(inv, 6, name_word(t, 1));
	return E_OK;
}

int schedctl_invoke(struct invocation *inv)
{
	if (!(inv->rights & RIGHT_READ))
		return E_NO_RIGHTS;
	switch (inv->op) {
	case SCHED_THREAD_INFO:
		return thread_info(inv);
	case SCHED_TIME: {
		uint64_t us = timer_now_us();
		inv_reply(inv, 0, (uint32_t)us);
		inv_reply(inv, 1, (uint32_t)(us >> 32));
		inv_reply(inv, 2, TICK_US);
		return E_OK;
	}
#ifdef CONFIG_BENCH
	case SCHED_BENCH:
		inv_reply(inv, 0, bench_irq_entry);
		inv_reply(inv, 1, bench_irq_handler);
		inv_reply(inv, 2, bench_irq_seq);
		inv_reply(inv, 3, bench_last_irq_entry);
#ifdef CONFIG_BENCH_IDLE
		bench_account();
		inv_reply(inv, 4, (uint32_t)bench_cycles);
		inv_reply(inv, 5, (uint32_t)(bench_cycles >> 32));
		inv_reply(inv, 6, (uint32_t)bench_idle);
		inv_reply(inv, 7, (uint32_t)(bench_idle >> 32));
#endif
		return E_OK;
#endif
	default:
		return E_INVALID_OP;
	}
}
