/*
 * What every kernel object starts with. Objects are created only by a
 * Factory and charged to its quota; the id is unique for the object's life
 * and is what introspection shows.
 */
#ifndef KOBJ_H
#define KOBJ_H

#include "kernel.h"

struct factory;

struct kobj {
	uint8_t type;         /* enum kobj_type */
	uint32_t caps;        /* capabilities naming it (tasks x 4096 slots can
	                         exceed 16 bits) */
	uint32_t id;
	struct factory *factory;   /* whose quota paid for it (NULL: boot object) */
};

/* Fill in the header, with an id no other object has had. */
void kobj_init(struct kobj *o, unsigned type, struct factory *f);

/* Free an object nothing refers to any more (its creation failed half way). */
void kobj_destroy(struct kobj *o);

#endif
