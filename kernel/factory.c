/*
 * Factory objects and kernel-memory accounting. A quota is a promise of
 * bytes; kmem supplies the actual blocks. Charging happens before the
 * allocation and is undone if the pool is empty, so a failure leaves every
 * counter as it was.
 */
#include "factory.h"
#include "kmem.h"
#include "invoke.h"
#include "task.h"
#include "thread.h"
#include "cspace.h"
#include "gate.h"
#include "irq.h"

static struct kmem_pool pool;

void kernel_pool_init(void *base, size_t size)
{
	if (kmem_init(&pool, base, size) != 0)
		panic("kernel memory pool too small");
}

size_t kernel_pool_free(void)
{
	return kmem_free_bytes(&pool);
}

void factory_init_root(struct factory *f, uint32_t quota)
{
	kobj_init(&f->obj, KOBJ_FACTORY, NULL);
	f->quota = quota;
	f->used = 0;
	f->parent = NULL;
}

void *factory_alloc(struct factory *f, size_t size)
{
	size_t charge = kmem_block_size(size);
	if (charge == 0 || charge > f->quota - f->used)
		return NULL;
	void *p = kmem_alloc(&pool, size);
	if (!p)
		return NULL;
	f->used += charge;
	memset(p, 0, charge);
	return p;
}

void factory_free(struct factory *f, void *p, size_t size)
{
	kmem_free(&pool, p, size);
	f->used -= kmem_block_size(size);
	if (f->used == 0 && f->obj.caps == 0)
		kobj_doom(&f->obj);   /* it was only waiting for its objects */
}

/* A child factory's whole quota is charged to its parent up front. */
static int factory_create_factory(struct factory *parent, uint32_t quota, struct kobj **out)
{
	if (quota == 0)
		return E_INVALID_ARG;
	if (quota > parent->quota - parent->used)
		return E_NO_MEMORY;
	struct factory *f = factory_alloc(parent, sizeof(*f));
	if (!f)
		return E_NO_MEMORY;
	if (quota > parent->quota - parent->used) {
		factory_free(parent, f, sizeof(*f));
		return E_NO_MEMORY;
	}
	kobj_init(&f->obj, KOBJ_FACTORY, parent);
	f->quota = quota;
	f->parent = parent;
	parent->used += quota;
	*out = &f->obj;
	return E_OK;
}

static int factory_create(struct invocation *inv, struct factory *f)
{
	uint32_t type = inv_word(inv, 0), sel = inv_word(inv, 1);
	struct task *own = inv->caller->task;
	struct kobj *obj = NULL;
	int err;

	/* Check the destination first so a bad selector costs nothing. */
	err = cspace_check_free(own, sel);
	if (err)
		return err;
	switch (type) {
	case KOBJ_TASK:
		err = task_create(f, &obj);
		break;
	case KOBJ_THREAD:
		err = thread_create(f, &obj);
		break;
	case KOBJ_FACTORY:
		err = factory_create_factory(f, inv_word(inv, 2), &obj);
		break;
	case KOBJ_GATE: {
		struct thread *server = NULL;
		struct cap *c;
		if (inv_word(inv, 3) != SEL_NULL) {
			err = cspace_lookup(own, inv_word(inv, 3), KOBJ_THREAD, RIGHT_WRITE, &c);
			if (err)
				return err;
			server = (struct thread *)c->obj;
		}
		err = gate_create(f, inv_word(inv, 2), server, &obj);
		break;
	}
	case KOBJ_IRQ:
		err = irq_create(f, inv_word(inv, 2), &obj);
		break;
	default:
		return E_INVALID_ARG;
	}
	if (err)
		return err;
	/* The slot is the caller's: its task pays for capability nodes. */
	err = cspace_insert(own, sel, obj, RIGHTS_ALL, NULL, own->obj.factory);
	if (err)
		kobj_destroy(obj);
	return err;
}

int factory_invoke(struct invocation *inv)
{
	struct factory *f = (struct factory *)inv->obj;

	switch (inv->op) {
	case FACTORY_CREATE:
		if (!(inv->rights & RIGHT_WRITE))
			return E_NO_RIGHTS;
		return factory_create(inv, f);
	case FACTORY_INFO:
		inv_reply(inv, 0, f->quota);
		inv_reply(inv, 1, f->used);
		return E_OK;
	default:
		return E_INVALID_OP;
	}
}

/* A factory outlives its last capability while objects it paid for are
 * alive (as Fiasco's quota does): only then does its quota go back. */
void factory_destroy(struct factory *f)
{
	if (f->used)
		return;   /* doomed again by factory_free when the last one goes */
	struct factory *parent = f->parent;
	parent->used -= f->quota;
	factory_free(parent, f, sizeof(*f));
}
