/*
 * System-call entry: decode the registers the trap saved in the current
 * thread and dispatch. Nothing here trusts a register value: selectors go
 * through cspace_lookup, word counts are bounded, unknown numbers fail.
 */
#include "sched.h"
#include "task.h"
#include "invoke.h"
#include "factory.h"
#include "console.h"
#include "gate.h"
#include "irq.h"
#include "ipc.h"
#include "fastpath.h"

int schedctl_invoke(struct invocation *inv);
int platform_invoke(struct invocation *inv);

typedef int (*invoke_fn)(struct invocation *inv);

static const invoke_fn invoke_table[KOBJ_TYPE_COUNT] = {
	[KOBJ_TASK] = task_invoke,
	[KOBJ_THREAD] = thread_invoke,
	[KOBJ_GATE] = gate_invoke,
	[KOBJ_IRQ] = irq_invoke,
	[KOBJ_FACTORY] = factory_invoke,
	[KOBJ_SCHED] = schedctl_invoke,
	[KOBJ_CONSOLE] = console_invoke,
	[KOBJ_PLATFORM] = platform_invoke,
};

static void sys_invoke(struct thread *t, bool call)
{
	uint32_t tag = t->ctx.r[1];
	struct invocation inv = {
		.caller = t,
		.op = MSG_TAG_LABEL(tag),
		.words = MSG_TAG_WORDS(tag),
		.timeout = t->ctx.r[6],
		.is_call = call,
	};
	struct cap *c;
	int status;

	if (!ipc_tag_ok(tag)) {
		status = E_INVALID_ARG;
	} else if ((status = cspace_lookup(t->task, t->ctx.r[0], KOBJ_NONE, 0, &c)) == E_OK) {
		inv.obj = c->obj;
		inv.rights = c->rights;
		invoke_fn fn = invoke_table[c->obj->type];
		if (MSG_TAG_ITEMS(tag) && c->obj->type != KOBJ_GATE)
			status = E_INVALID_ARG;   /* items only travel through gates */
		else
			status = fn ? fn(&inv) : E_INVALID_OP;
		if (status == INVOKE_BLOCKED)
			return;   /* answered when it wakes */
	}
	t->ctx.r[0] = (uint32_t)status;
	if (status != E_OK)
		inv.reply_words = 0;
	t->ctx.r[1] = MSG_TAG(0, inv.reply_words, 0);
}

void handle_syscall(void)
{
	struct thread *t = current;

	if ((t->ctx.r[7] == SYS_CALL && fastpath_call(t)) ||
	    (t->ctx.r[7] == SYS_REPLY_WAIT && fastpath_reply_wait(t)))
		return_to_user(current);

	switch (t->ctx.r[7]) {
	case SYS_CALL:
	case SYS_SEND:
		sys_invoke(t, t->ctx.r[7] == SYS_CALL);
		break;
	case SYS_WAIT:
		ipc_wait(t, t->ctx.r[0], t->ctx.r[6]);
		break;
	case SYS_REPLY_WAIT:
		ipc_reply_wait(t, t->ctx.r[0], t->ctx.r[6]);
		break;
	case SYS_YIELD:
		t->ctx.r[0] = E_OK;
		sched_yield();
		break;
	default:
		t->ctx.r[0] = E_INVALID_SYSCALL;
		break;
	}
}
