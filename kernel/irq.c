#include "irq.h"
#include "factory.h"
#include "invoke.h"
#include "cspace.h"
#include "task.h"
#include "sched.h"
#include "gic.h"
#include "board.h"

#define GIC_LINES_MAX 1020u
#define FIRST_SHARED_LINE 32u   /* SGIs and PPIs belong to the kernel */

static struct irq *lines[GIC_LINES_MAX];

static bool is_hardware(const struct irq *q)
{
	return q->line != IRQ_SOFTWARE;
}

/* A line is enabled exactly while someone can be told about it. */
static void update_line(struct irq *q)
{
	if (!is_hardware(q))
		return;
	if (q->thread && !q->masked && q->count == 0)
		gic_enable(q->line);
	else
		gic_disable(q->line);
}

int irq_create(struct factory *f, uint32_t line, struct kobj **out)
{
	if (line != IRQ_SOFTWARE) {
		if (line < FIRST_SHARED_LINE || line >= gic_line_count() || line >= GIC_LINES_MAX)
			return E_INVALID_ARG;
		if (lines[line] || line == BOARD_TIMER_IRQ || line == BOARD_UART_IRQ)
			return E_BUSY;
	}
	struct irq *q = factory_alloc(f, sizeof(*q));
	if (!q)
		return E_NO_MEMORY;
	kobj_init(&q->obj, KOBJ_IRQ, f);
	q->line = line;
	if (line != IRQ_SOFTWARE)
		lines[line] = q;
	*out = &q->obj;
	return E_OK;
}

static void detach(struct irq *q)
{
	if (!q->thread)
		return;
	for (struct irq **p = &q->thread->irqs; *p; p = &(*p)->next)
		if (*p == q) {
			*p = q->next;
			break;
		}
	q->thread = NULL;
	q->next = NULL;
	update_line(q);
}

void irqs_detach_all(struct thread *t)
{
	while (t->irqs)
		detach(t->irqs);
}

void irq_destroy(struct irq *q)
{
	detach(q);
	if (is_hardware(q))
		lines[q->line] = NULL;
	factory_free(q->obj.factory, q, sizeof(*q));
}

static void put_message(struct irq *q, struct thread *t)
{
	t->ctx.r[0] = E_OK;
	t->ctx.r[1] = MSG_TAG(MSG_IRQ, 1, 0);
	t->ctx.r[2] = q->count;
	t->ctx.r[6] = q->label;
	q->count = 0;
	q->masked = true;
	q->deliveries++;
	update_line(q);
}

static void deliver(struct irq *q)
{
	struct thread *t = q->thread;
	if (!t || !q->count || q->masked || t->state != TS_BLOCKED || t->wait != WAIT_RECEIVE)
		return;
	thread_unblock(t);
	put_message(q, t);
	sched_ready(t);
}

bool irq_take_pending(struct thread *t)
{
	for (struct irq *q = t->irqs; q; q = q->next)
		if (q->count && !q->masked) {
			put_message(q, t);
			return true;
		}
	return false;
}

bool irq_line_fired(unsigned line)
{
	struct irq *q = line < GIC_LINES_MAX ? lines[line] : NULL;
	if (!q)
		return false;
	q->count++;
	update_line(q);   /* masked at the GIC until delivered and acknowledged */
	deliver(q);
	return true;
}

static int irq_attach(struct invocation *inv, struct irq *q)
{
	INV_NEED(inv, 2);
	struct cap *c;
	int err = cspace_lookup(inv->caller->task, inv_word(inv, 0), KOBJ_THREAD, RIGHT_WRITE, &c);
	if (err)
		return err;
	detach(q);
	struct thread *t = (struct thread *)c->obj;
	q->thread = t;
	q->label = inv_word(inv, 1);
	q->next = t->irqs;
	t->irqs = q;
	update_line(q);
	deliver(q);
	return E_OK;
}

int irq_invoke(struct invocation *inv)
{
	struct irq *q = (struct irq *)inv->obj;

	if (inv->op == IRQ_INFO) {
		if (!(inv->rights & RIGHT_READ))
			return E_NO_RIGHTS;
		inv_reply(inv, 0, q->line);
		inv_reply(inv, 1, q->deliveries);
		inv_reply(inv, 2, q->thread ? q->thread->obj.id : 0);
		inv_reply(inv, 3, q->count);
		inv_reply(inv, 4, q->masked);
		return E_OK;
	}
	if (inv->op < IRQ_ATTACH || inv->op > IRQ_TRIGGER)
		return E_INVALID_OP;
	if (!(inv->rights & RIGHT_WRITE))
		return E_NO_RIGHTS;
	switch (inv->op) {
	case IRQ_ATTACH:
		return irq_attach(inv, q);
	case IRQ_DETACH:
		detach(q);
		return E_OK;
	case IRQ_ACK:
		q->masked = false;
		update_line(q);
		deliver(q);
		return E_OK;
	default:   /* IRQ_TRIGGER */
		if (is_hardware(q))
			return E_INVALID_STATE;
		q->count++;
		deliver(q);
		return E_OK;
	}
}
