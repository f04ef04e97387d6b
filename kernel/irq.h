/*
 * IRQ objects: a GIC line or a software interrupt, attached to a thread
 * with a label. The interrupt is delivered as a message when the thread
 * waits; the IRQ then stays masked until it is acknowledged.
 */
#ifndef IRQ_H
#define IRQ_H

#include "kobj.h"

struct thread;
struct invocation;

struct irq {
	struct kobj obj;
	uint32_t line;            /* GIC interrupt number, or IRQ_SOFTWARE */
	struct thread *thread;    /* attached to, or NULL */
	uint32_t label;
	struct irq *next;         /* in the thread's list of attached IRQs */
	bool masked;              /* delivered and not yet acknowledged */
	uint32_t count;           /* fired since the last delivery */
	uint32_t deliveries;
};

int irq_create(struct factory *f, uint32_t line, struct kobj **out);
void irq_destroy(struct irq *q);
int irq_invoke(struct invocation *inv);
/* The thread is being destroyed: its IRQs are detached (and masked). */
void irqs_detach_all(struct thread *t);
/* From the interrupt entry: true if an IRQ object owns the line. */
bool irq_line_fired(unsigned line);
/* For a thread about to wait: deliver a pending IRQ now, if it has one. */
bool irq_take_pending(struct thread *t);

#endif
