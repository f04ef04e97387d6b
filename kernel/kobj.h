/*
 * What every kernel object starts with. Objects are created only by a
 * Factory and charged to its quota; the id is unique for the object's life
 * and is what introspection shows.
 *
 * Lifetime (as in seL4): an object lives while a capability names it. When
 * the last one goes, the object is put on a list and destroyed on the way
 * out of the kernel, after the operation that dropped it has finished; its
 * destruction cuts every kernel pointer to it (a thread's pager gate, a
 * gate's server, a waiting sender ...). Deferring keeps long chains (a
 * task holding the last capability of a task holding ...) off the kernel
 * stack, and keeps objects alive while a revoke is still walking them.
 * Objects with no factory (the boot objects) are never destroyed.
 */
#ifndef KOBJ_H
#define KOBJ_H

#include "kernel.h"

struct factory;

struct kobj {
	uint8_t type;         /* enum kobj_type */
	bool doomed;          /* on the list of objects to destroy */
	uint32_t caps;        /* capabilities naming it (tasks x 4096 slots can
	                         exceed 16 bits) */
	uint32_t id;
	struct factory *factory;   /* whose quota paid for it (NULL: boot object) */
	struct kobj *doomed_next;
};

/* Fill in the header, with an id no other object has had. */
void kobj_init(struct kobj *o, unsigned type, struct factory *f);

/* A capability to o was created or removed. */
static inline void kobj_cap_added(struct kobj *o)
{
	o->caps++;
}
void kobj_cap_removed(struct kobj *o);

/* Queue o for destruction if nothing keeps it (see factory_free). */
void kobj_doom(struct kobj *o);

/* Destroy every queued object that still has no capability; run before
 * the kernel returns to user space. Inline so the usual case (nothing
 * queued) costs one load and a branch on every kernel exit. */
extern struct kobj *kobj_doomed_head;
void kobj_reap_all(void);
static inline void kobj_reap(void)
{
	if (kobj_doomed_head)
		kobj_reap_all();
}

/* Free an object nothing refers to any more (its creation failed half way). */
void kobj_destroy(struct kobj *o);

#endif
