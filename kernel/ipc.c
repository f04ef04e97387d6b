#include "ipc.h"
#include "gate.h"
#include "sched.h"
#include "invoke.h"
#include "cpu.h"

/* The message a faulting thread sends: built from its saved state, which
 * stays untouched for it to resume with. */
static void fault_message(struct thread *from, struct thread *to, uint32_t label)
{
	uint32_t w[EXCEPTION_WORDS], n, tag;
	if (from->fault_is_page) {
		w[0] = from->fault_addr;
		w[1] = from->fault_status;   /* the access, MAP_R/W/X */
		w[2] = from->ctx.pc;
		n = PAGE_FAULT_WORDS;
		tag = MSG_TAG(MSG_PAGE_FAULT, n, 0);
	} else {
		memcpy(w, &from->ctx, THREAD_REGS_WORDS * sizeof(uint32_t));
		w[17] = from->fault_kind;
		w[18] = from->fault_addr;
		w[19] = from->fault_status;
		n = EXCEPTION_WORDS;
		tag = MSG_TAG(MSG_EXCEPTION, n, 0);
	}
	for (unsigned i = 0; i < n; i++)
		thread_set_mr(to, i, w[i]);
	to->ctx.r[0] = E_OK;
	to->ctx.r[1] = tag;
	to->ctx.r[6] = label;
}

/* Copy the message in from's registers/UTCB to the receiver. */
static void transfer(struct thread *from, struct thread *to, uint32_t label)
{
	if (from->fault_pending) {
		fault_message(from, to, label);
		return;
	}
	uint32_t tag = from->ctx.r[1];
	unsigned words = MSG_TAG_WORDS(tag);

	to->ctx.r[2] = from->ctx.r[2];
	to->ctx.r[3] = from->ctx.r[3];
	to->ctx.r[4] = from->ctx.r[4];
	to->ctx.r[5] = from->ctx.r[5];
	for (unsigned i = MSG_REG_WORDS; i < words; i++)
		to->utcb->mr[i] = from->utcb->mr[i];
	to->ctx.r[0] = E_OK;
	to->ctx.r[1] = MSG_TAG(MSG_TAG_LABEL(tag), words, 0);
	to->ctx.r[6] = label;
}

/* The receiver r takes the message of sender s, which waited or arrives now. */
static void deliver(struct thread *s, struct thread *r, struct gate *g, bool call)
{
	transfer(s, r, g->label);
	if (call) {
		r->caller = s;
		s->callee = r;
		s->wait = WAIT_REPLY;   /* stays blocked, now for the reply */
	} else {
		s->ctx.r[0] = E_OK;
		sched_ready(s);
	}
}

static bool is_receiving(const struct thread *r)
{
	return r->state == TS_BLOCKED && r->wait == WAIT_RECEIVE;
}

int ipc_send(struct thread *t, struct gate *g, bool call, uint32_t timeout)
{
	struct thread *r = g->server;
	if (!r)
		return E_INVALID_STATE;   /* nobody listens on this gate */

	if (is_receiving(r)) {
		thread_unblock(r);
		if (call)
			thread_block(t, WAIT_REPLY, NULL, TIMEOUT_NEVER);
		transfer(t, r, g->label);
		if (call) {
			r->caller = t;
			t->callee = r;
			sched_switch_to(r);
			return INVOKE_BLOCKED;
		}
		sched_ready(r);
		return E_OK;
	}
	if (timeout == TIMEOUT_POLL)
		return E_TIMEOUT;
	thread_block(t, call ? WAIT_CALL : WAIT_SEND, &r->senders, timeout);
	t->send_gate = g;
	return INVOKE_BLOCKED;
}

void ipc_wait(struct thread *t, uint32_t from, uint32_t timeout)
{
	if (from > WAIT_SLEEP) {
		t->ctx.r[0] = E_INVALID_ARG;
		return;
	}
	struct thread *s = from == WAIT_OPEN ? wait_queue_pop(&t->senders) : NULL;
	if (s) {
		struct gate *g = s->send_gate;
		bool call = s->wait == WAIT_CALL;
		thread_unblock(s);   /* a caller stays blocked: deliver makes it wait for the reply */
		deliver(s, t, g, call);
		return;
	}
	if (timeout == TIMEOUT_POLL) {
		t->ctx.r[0] = E_TIMEOUT;
		return;
	}
	thread_block(t, from == WAIT_OPEN ? WAIT_RECEIVE : WAIT_TIMEOUT, NULL, timeout);
}

/* Called for a thread that just faulted: a call to g on its behalf. */
void ipc_fault(struct thread *t, struct gate *g)
{
	struct thread *r = g->server;
	t->fault_pending = true;
	if (is_receiving(r)) {
		thread_unblock(r);
		thread_block(t, WAIT_REPLY, NULL, TIMEOUT_NEVER);
		transfer(t, r, g->label);
		r->caller = t;
		t->callee = r;
		sched_switch_to(r);
		return;
	}
	thread_block(t, WAIT_CALL, &r->senders, TIMEOUT_NEVER);
	t->send_gate = g;
}

/* The handler's answer to a fault: new registers, a retry, or a stop.
 * Returns whether the thread may run again. */
static bool fault_reply(struct thread *h, struct thread *c)
{
	uint32_t tag = h->ctx.r[1];
	c->fault_pending = false;
	if (MSG_TAG_LABEL(tag) == MSG_FAULT_STOP) {
		c->state = TS_FAULTED;
		return false;
	}
	if (MSG_TAG_WORDS(tag) >= THREAD_REGS_WORDS && !c->fault_is_page) {
		uint32_t *regs = (uint32_t *)&c->ctx;
		for (unsigned i = 0; i < THREAD_REGS_WORDS - 1; i++)
			regs[i] = thread_mr(h, i);
		c->ctx.cpsr = (thread_mr(h, 16) & CPSR_USER_BITS) | MODE_USR;
	}
	return true;
}

void ipc_reply_wait(struct thread *t, uint32_t from, uint32_t timeout)
{
	uint32_t tag = t->ctx.r[1];
	struct thread *c = t->caller;

	if (MSG_TAG_WORDS(tag) > MSG_WORDS_MAX || MSG_TAG_ITEMS(tag) != 0) {
		t->ctx.r[0] = E_INVALID_ARG;
		return;
	}
	t->caller = NULL;
	if (!c || c->state != TS_BLOCKED || c->wait != WAIT_REPLY || c->callee != t) {
		ipc_wait(t, from, timeout);   /* nobody (any more) to answer */
		return;
	}
	thread_unblock(c);
	bool resume = true;
	if (c->fault_pending)
		resume = fault_reply(t, c);
	else
		transfer(t, c, 0);
	ipc_wait(t, from, timeout);
	/* If the replier now waits, its caller runs next. */
	if (!resume)
		return;
	if (t->state == TS_BLOCKED)
		sched_switch_to(c);
	else
		sched_ready(c);
}
