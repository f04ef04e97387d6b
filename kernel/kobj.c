#include "kobj.h"
#include "task.h"
#include "thread.h"
#include "factory.h"
#include "gate.h"
#include "irq.h"

static uint32_t next_id = 1;

void kobj_init(struct kobj *o, unsigned type, struct factory *f)
{
	o->type = (uint8_t)type;
	o->caps = 0;
	o->id = next_id++;
	o->factory = f;
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
