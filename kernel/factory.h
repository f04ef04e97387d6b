/*
 * Factory: the only way to create kernel objects. It pays for them from its
 * quota of kernel memory; the blocks themselves come from the kernel pool.
 */
#ifndef FACTORY_H
#define FACTORY_H

#include "kobj.h"

struct invocation;

struct factory {
	struct kobj obj;
	uint32_t quota;     /* bytes it may use */
	uint32_t used;      /* bytes in use by its objects and child factories */
	struct factory *parent;
};

void kernel_pool_init(void *base, size_t size);
size_t kernel_pool_free(void);
void factory_init_root(struct factory *f, uint32_t quota);

/* Zeroed kernel memory charged to f, or NULL when its quota or the pool is
 * exhausted (nothing is charged then). */
void *factory_alloc(struct factory *f, size_t size);
void factory_free(struct factory *f, void *p, size_t size);

int factory_invoke(struct invocation *inv);
void factory_destroy(struct factory *f);

#endif
