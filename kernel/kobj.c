#include "kobj.h"
#include "task.h"
#include "thread.h"
#include "factory.h"
#include "gate.h"

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
	default:
		panic("kobj_destroy: type %u", o->type);
	}
}
