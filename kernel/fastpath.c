/*
 * IPC fast path: the common case of a call to a waiting server and of a
 * reply to a waiting caller, with at most MSG_REG_WORDS words, no items
 * and nothing of higher priority ready. The message moves register to
 * register and the kernel returns straight to the other thread. Anything
 * else falls back to the general path in ipc.c, which behaves the same.
 */
#include "fastpath.h"
#include "gate.h"
#include "sched.h"
#include "task.h"

/* Tag with no items and at most four words. */
static inline bool small_tag(uint32_t tag)
{
	return (tag & 0xff00u) == 0 && MSG_TAG_WORDS(tag) <= MSG_REG_WORDS;
}

static inline void copy_words(struct thread *to, const struct thread *from, uint32_t tag, uint32_t label)
{
	to->ctx.r[0] = E_OK;
	to->ctx.r[1] = tag;
	to->ctx.r[2] = from->ctx.r[2];
	to->ctx.r[3] = from->ctx.r[3];
	to->ctx.r[4] = from->ctx.r[4];
	to->ctx.r[5] = from->ctx.r[5];
	to->ctx.r[6] = label;
}

bool fastpath_call(struct thread *t)
{
	uint32_t tag = t->ctx.r[1], sel = t->ctx.r[0];
	if (!small_tag(tag) || MSG_TAG_LABEL(tag) >= GATE_OP_BASE || sel >= CSPACE_SLOTS)
		return false;
	struct cap *node = t->task->cspace.node[sel / CNODE_SLOTS];
	if (!node)
		return false;
	struct cap *c = &node[sel % CNODE_SLOTS];
	if (!c->obj || c->obj->type != KOBJ_GATE || !(c->rights & RIGHT_WRITE))
		return false;
	struct gate *g = (struct gate *)c->obj;
	struct thread *r = g->server;
	if (!r || r->state != TS_BLOCKED || r->wait != WAIT_RECEIVE || r->timeout.armed ||
	    !sched_may_run(r))
		return false;

	t->state = TS_BLOCKED;
	t->wait = WAIT_REPLY;
	t->callee = r;
	r->caller = t;
	copy_words(r, t, tag, g->label);
	r->wait = WAIT_NONE;
	r->state = TS_RUNNING;
	current = r;
	return true;
}

bool fastpath_reply_wait(struct thread *t)
{
	uint32_t tag = t->ctx.r[1];
	struct thread *c = t->caller;
	if (!small_tag(tag) || t->ctx.r[0] != WAIT_OPEN || t->ctx.r[6] != TIMEOUT_NEVER ||
	    t->senders.head || t->irqs || !c || c->state != TS_BLOCKED || c->wait != WAIT_REPLY ||
	    c->callee != t || c->fault_pending || !sched_may_run(c))
		return false;

	t->caller = NULL;
	t->state = TS_BLOCKED;
	t->wait = WAIT_RECEIVE;
	c->callee = NULL;
	copy_words(c, t, tag, 0);
	c->wait = WAIT_NONE;
	c->state = TS_RUNNING;
	current = c;
	return true;
}
