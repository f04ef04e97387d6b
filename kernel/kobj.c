#include "kobj.h"
#include "task.h"
#include "thread.h"
#include "factory.h"
#include "gate.h"
#include "irq.h"

static uint32_t next_id = 1;
struct kobj *kobj_doomed_head;

void kobj_init(struct kobj *o, unsigned type, struct factory *f)
{
	o->type = (uint8_t)type;
	o->doomed = false;
	o->caps = 0;
	o->id = next_id++;
	o->factory = f;
	o->doomed_next = NULL;
}

void kobj_doom(struct kobj *o)
{
	if (o->doomed || !o->factory)
		return;
	o->doomed = true;
	o->doomed_next = kobj_doomed_head;
	kobj_doomed_head = o;
}

void kobj_cap_removed(struct kobj *o)
{
	kassert(o->caps > 0);
	if (--o->caps == 0)
		kobj_doom(o);
}

void kobj_reap_all(void)
{
	struct kobj *o;
	/* Destroying one object may doom others: they join the list. */
	while ((o = kobj_doomed_head) != NULL) {
		kobj_doomed_head = o->doomed_next;
		o->doomed = false;
		o->doomed_next = NULL;
		if (o->caps == 0)   /* else a capability came back meanwhile */
			kobj_destroy(o);
	}
}

void kobj_destroy(struct kobj *o)
{
	kassert(o->caps == 0);
	switch (o->type) {
	case KOBJ_TASK:
		task_destroy((struct task *)o);
		break;
	case KOBJ_THREAD:
		thread_destroy((struct thread *)o);
		break;
	case KOBJ_FACTORY:
		factory_destroy((struct factory *)o);
		break;
	case KOBJ_GATE:
		gate_destroy((struct gate *)o);
		break;
	case KOBJ_IRQ:
		irq_destroy((struct irq *)o);
		break;
	default:
		panic("kobj_destroy: type %u", o->type);
	}
}
