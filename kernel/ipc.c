#include "ipc.h"
#include "gate.h"
#include "sched.h"
#include "invoke.h"

/* Copy the message in from's registers/UTCB to the receiver. */
static void transfer(struct thread *from, struct thread *to, uint32_t label)
{
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
	transfer(t, c, 0);
	ipc_wait(t, from, timeout);
	/* If the replier now waits, its caller runs next. */
	if (t->state == TS_BLOCKED)
		sched_switch_to(c);
	else
		sched_ready(c);
}
