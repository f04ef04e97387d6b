/*
 * Capability spaces: per task, slots addressed by selector, each an object
 * reference plus rights. Two levels (a directory of nodes of CNODE_SLOTS),
 * nodes allocated on first use from the factory that pays for the task.
 */
#ifndef CSPACE_H
#define CSPACE_H

#include "kobj.h"

#define CNODE_SLOTS 64u
#define CNODE_COUNT (CSPACE_SLOTS / CNODE_SLOTS)

struct cap {
	struct kobj *obj;     /* NULL: empty slot */
	uint32_t rights;
};

struct task;

struct cspace {
	struct cap *node[CNODE_COUNT];
};

/* Find the object behind sel with the given type (KOBJ_NONE: any) and
 * rights; returns a distinct error for each way that can fail. */
int cspace_lookup(struct task *t, uint32_t sel, unsigned type, uint32_t rights, struct cap **out);
int cspace_check_free(struct task *t, uint32_t sel);
/* sel is free and its node exists: a cspace_insert there cannot fail. */
int cspace_prepare(struct task *t, uint32_t sel, struct factory *f);
int cspace_insert(struct task *t, uint32_t sel, struct kobj *obj, uint32_t rights, struct factory *f);
void cspace_remove(struct task *t, uint32_t sel);
/* The first occupied slot at or after sel, or NULL; *found gets its selector. */
struct cap *cspace_next(struct task *t, uint32_t sel, uint32_t *found);
void cspace_destroy(struct task *t, struct factory *f);

#endif
