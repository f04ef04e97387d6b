#include "ipc.h"
#include "gate.h"
#include "sched.h"
#include "invoke.h"
#include "items.h"
#include "irq.h"

/* The message a faulting thread sends: built from its saved state, which
 * stays untouched for it to resume with. */
static void fault_message(struct thread *from, struct thread *to, uint32_t label)
{
	uint32_t w[EXCEPTION_WORDS], n, tag;
	if (from->fault_is_page) {
		w[PF_WORD_ADDR] = from->fault_addr;
		w[PF_WORD_ACCESS] = from->fault_status;   /* MAP_R/W/X */
		w[PF_WORD_PC] = from->ctx.pc;
		n = PAGE_FAULT_WORDS;
		tag = MSG_TAG(MSG_PAGE_FAULT, n, 0);
	} else {
		memcpy(w, &from->ctx, THREAD_REGS_WORDS * sizeof(uint32_t));
		w[EXC_WORD_KIND] = from->fault_kind;
		w[EXC_WORD_ADDR] = from->fault_addr;
		w[EXC_WORD_STATUS] = from->fault_status;
		n = EXCEPTION_WORDS;
		tag = MSG_TAG(MSG_EXCEPTION, n, 0);
	}
	for (unsigned i = 0; i < n; i++)
		thread_set_mr(to, i, w[i]);
	to->ctx.r[0] = E_OK;
	to->ctx.r[1] = tag;
	to->ctx.r[6] = label;
}

/* Copy the message in from's registers/UTCB to the receiver, with its
 * items. Fails (changing nothing) if an item cannot be transferred. */
static int transfer(struct thread *from, struct thread *to, uint32_t label)
{
	if (from->fault_pending) {
		fault_message(from, to, label);
		return E_OK;
	}
	uint32_t tag = from->ctx.r[1];
	unsigned words = MSG_TAG_WORDS(tag), items = MSG_TAG_ITEMS(tag);
	struct item_dest d;
	if (items) {
		items_dest_of(to, &d);
		int err = items_check(from, to, &d);
		if (err)
			return err;
	}

	to->ctx.r[2] = from->ctx.r[2];
	to->ctx.r[3] = from->ctx.r[3];
	to->ctx.r[4] = from->ctx.r[4];
	to->ctx.r[5] = from->ctx.r[5];
	for (unsigned i = MSG_REG_WORDS; i < words; i++)
		to->utcb->mr[i] = from->utcb->mr[i];
	if (items)
		items_apply(from, to, &d);
	to->ctx.r[0] = E_OK;
	to->ctx.r[1] = MSG_TAG(MSG_TAG_LABEL(tag), words, items);
	to->ctx.r[6] = label;
	return E_OK;
}

/* The message is well formed: its words and items fit in the UTCB. */
bool ipc_tag_ok(uint32_t tag)
{
	return MSG_TAG_ITEMS(tag) <= MSG_ITEMS_MAX &&
	       MSG_TAG_WORDS(tag) + 2 * MSG_TAG_ITEMS(tag) <= MSG_WORDS_MAX;
}

/* r has taken t's call: t (blocked) now waits for r's reply. */
static void call_taken(struct thread *t, struct thread *r)
{
	r->caller = t;
	t->callee = r;
	t->wait = WAIT_REPLY;
}

/* Receiver r has taken the message of sender s, which waited for it. */
static void sender_done(struct thread *s, struct thread *r, bool call)
{
	if (call) {
		call_taken(s, r);
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
		int err = transfer(t, r, g->label);
		if (err)
			return err;
		thread_unblock(r);
		if (!call) {
			sched_ready(r);
			return E_OK;
		}
		thread_block(t, WAIT_REPLY, NULL, TIMEOUT_NEVER);
		call_taken(t, r);
		sched_switch_to(r);
		return INVOKE_BLOCKED;
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
	if (from == WAIT_OPEN && t->irqs && irq_take_pending(t))
		return;
	struct thread *s;
	while (from == WAIT_OPEN && (s = wait_queue_first(&t->senders)) != NULL) {
		struct gate *g = s->send_gate;
		bool call = s->wait == WAIT_CALL;
		int err = transfer(s, t, g->label);
		if (err) {
			thread_wake(s, err);   /* its items do not fit: its send fails */
			continue;
		}
		thread_unblock(s);   /* a caller stays blocked: now for the reply */
		sender_done(s, t, call);
		return;
	}
	if (timeout == TIMEOUT_POLL) {
		t->ctx.r[0] = E_TIMEOUT;
		return;
	}
	thread_block(t, from == WAIT_OPEN ? WAIT_RECEIVE : WAIT_TIMEOUT, NULL, timeout);
}

/* Called for a thread that just faulted: an ordinary call to g on its
 * behalf, except that transfer builds the message from its saved state
 * (which has no items, so the call cannot fail). */
void ipc_fault(struct thread *t, struct gate *g)
{
	t->fault_pending = true;
	ipc_send(t, g, true, TIMEOUT_NEVER);
}

/* A pager's memory items go to the faulting page; nothing is written to
 * the faulting thread's registers or UTCB. */
static int fault_reply_items(struct thread *h, struct thread *c)
{
	struct item_dest d = {
		.va = c->fault_addr & ~(PAGE_SIZE - 1),
		.pages = (USER_TOP - (c->fault_addr & ~(PAGE_SIZE - 1))) / PAGE_SIZE,
		.rewrite = false,
	};
	if (!MSG_TAG_ITEMS(h->ctx.r[1]))
		return E_OK;
	if (!c->fault_is_page)
		return E_INVALID_ARG;
	int err = items_check(h, c, &d);
	if (!err)
		items_apply(h, c, &d);
	return err;
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
	if (MSG_TAG_WORDS(tag) >= THREAD_REGS_WORDS && !c->fault_is_page)
		thread_load_regs(c, h);
	return true;
}

void ipc_reply_wait(struct thread *t, uint32_t from, uint32_t timeout)
{
	struct thread *c = t->caller;

	if (!ipc_tag_ok(t->ctx.r[1])) {
		t->ctx.r[0] = E_INVALID_ARG;
		return;
	}
	t->caller = NULL;
	if (!c || c->state != TS_BLOCKED || c->wait != WAIT_REPLY || c->callee != t) {
		ipc_wait(t, from, timeout);   /* nobody (any more) to answer */
		return;
	}
	/* A reply whose items do not fit fails; the caller keeps waiting. */
	int err = c->fault_pending ? fault_reply_items(t, c) : transfer(t, c, 0);
	if (err) {
		t->caller = c;
		t->ctx.r[0] = (uint32_t)err;
		return;
	}
	thread_unblock(c);
	bool resume = c->fault_pending ? fault_reply(t, c) : true;
	ipc_wait(t, from, timeout);
	/* If the replier now waits, its caller runs next. */
	if (!resume)
		return;
	if (t->state == TS_BLOCKED)
		sched_switch_to(c);
	else
		sched_ready(c);
}
